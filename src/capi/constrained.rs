//! `nks_constrained`: equality-constrained optimisation `min f(x) s.t. c(x) = 0` by the
//! adaptive inexact Newton method with randomized sketching (AdaSketch-Newton), with callback
//! oracles.

use super::ffi::{borrow_state, check_disjoint_spans, copy_last_point, finish_solve, free_handle, guard, null_error, try_ref, try_slice, try_slice_mut, try_str, write_handle, write_out};
use super::krylov::nks_termination;
use super::status::{nks_status, CError};
use crate::constrained::{ConstrainedObjective, ConstrainedOptions, ConstrainedReport, ConstrainedSolver, ConstrainedTermination, KktRecord, SparsePattern};
use crate::error::{Error, OracleFailure};
use crate::linalg::csr::nnz_from_row_ptr;
use std::cell::{RefCell, RefMut};
use std::ffi::{c_char, c_int, c_void};
use std::ops::ControlFlow;

/// The inner solvers of option `"kkt_solver"`.
#[repr(i32)]
pub enum nks_kkt_solver {
    /// Randomized Gaussian sketch-and-project, matrix-free (the default).
    NKS_KKT_GAUSSIAN_SKETCH = 0,
    /// Randomized Kaczmarz on the KKT rows (needs `nks_constrained_set_sparse_rows`).
    NKS_KKT_KACZMARZ = 1,
    /// MINRES, preconditioned by `nks_constrained_set_preconditioner` when set.
    NKS_KKT_MINRES = 2,
}

/// What the last `nks_constrained_solve` did (read with `nks_constrained_get_report`); also
/// passed to the monitor after every iteration (then `status` is 0 and `termination` is
/// `NKS_TERMINATION_NOT_STARTED`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct nks_constrained_report {
    /// The status the solve returned (an `nks_status` value).
    pub status: i32,
    /// Why it stopped (an `nks_termination` value): `NKS_TERMINATION_CONVERGED_KKT`,
    /// `_MAX_ITERATIONS`, `_MAX_EVALUATIONS`, `_TIME_LIMIT`, `_STAGNATION`, `_MONITOR_STOP`,
    /// `_CALLBACK_FAILED` or `_NON_FINITE`.
    pub termination: i32,
    /// The inner solver that ran (an `nks_kkt_solver` value).
    pub kkt_solver: i32,
    /// Newton iterations.
    pub iterations: usize,
    /// Inner iterations over all Newton steps (sketches, Kaczmarz rows or MINRES iterations).
    pub inner_iterations: usize,
    /// Merit evaluations (each one `f`, `c`, `grad f` and `J^T lambda` call).
    pub merit_evaluations: usize,
    /// Penalty updates (`eta1 *= rho^2, eta2 /= rho`) because a direction was not a descent
    /// direction of the merit.
    pub penalty_updates: usize,
    /// Newton steps solved with a Hessian shift.
    pub regularized_steps: usize,
    /// Line-search trial points rejected.
    pub rejected_steps: usize,
    /// Trial points a callback could not evaluate (code `> 0`, NaN or Inf).
    pub failed_evaluations: usize,
    /// Objective callback calls.
    pub objective_evaluations: usize,
    /// Gradient callback calls.
    pub gradient_evaluations: usize,
    /// Constraint callback calls.
    pub constraint_evaluations: usize,
    /// `J v` callback calls.
    pub jacobian_products: usize,
    /// `J^T w` callback calls.
    pub jacobian_transpose_products: usize,
    /// Hessian-of-the-Lagrangian-vector callback calls.
    pub hessian_products: usize,
    /// Sparse Jacobian / Hessian value callback calls (Kaczmarz).
    pub matrix_evaluations: usize,
    /// Preconditioner callback calls (MINRES).
    pub preconditioner_calls: usize,
    /// Iteration records kept (read them with `nks_constrained_get_record`).
    pub records: usize,
    /// The code of the callback that stopped the solve (0 if none).
    pub callback_code: i32,
    /// `f` at the returned point.
    pub objective: f64,
    /// `||grad_x L||_2` at the returned point.
    pub stationarity: f64,
    /// `||c||_2` at the returned point.
    pub feasibility: f64,
    /// `||grad_x L||_2` at the start (with the starting multipliers).
    pub initial_stationarity: f64,
    /// `||c||_2` at the start.
    pub initial_feasibility: f64,
    /// The final penalty `eta1`.
    pub eta1: f64,
    /// The final penalty `eta2`.
    pub eta2: f64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// One Newton iteration of the last solve (read with `nks_constrained_get_record`): the KKT
/// residual history and how the step was made.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct nks_constrained_record {
    /// `||grad_x L||_2` at the start of the iteration.
    pub stationarity: f64,
    /// `||c||_2` at the start of the iteration.
    pub feasibility: f64,
    /// The merit at the start of the iteration, with the penalties the step was accepted with.
    pub merit: f64,
    /// Inner iterations of the step.
    pub inner_iterations: usize,
    /// Relative residual `||K d + rhs|| / ||rhs||` the inner solve reached.
    pub inner_residual: f64,
    /// Penalty `eta1` of the step.
    pub eta1: f64,
    /// Penalty `eta2` of the step.
    pub eta2: f64,
    /// Hessian shift of the step (0 = none).
    pub regularization: f64,
    /// Step length taken.
    pub step_length: f64,
}

/// Objective: write `*f = f(x)` (`x` of length `n`). Return 0 on success, `> 0` when `x`
/// cannot be evaluated (the line search shortens its step), `< 0` to abort the solve
/// (`NKS_ERR_CALLBACK`). NaN or Inf counts as `> 0`.
pub type nks_constrained_objective_fn = Option<unsafe extern "C" fn(x: *const f64, n: usize, f: *mut f64, user_data: *mut c_void) -> c_int>;

/// Gradient: write `g = grad f(x)` (length `n`). Return codes as for the objective.
pub type nks_constrained_gradient_fn = Option<unsafe extern "C" fn(x: *const f64, n: usize, g: *mut f64, user_data: *mut c_void) -> c_int>;

/// Constraints: write `c = c(x)` (length `m`). Return codes as for the objective.
pub type nks_constrained_constraints_fn =
    Option<unsafe extern "C" fn(x: *const f64, n: usize, c: *mut f64, m: usize, user_data: *mut c_void) -> c_int>;

/// Jacobian-vector product: write `jv = J(x) v` (`v` of length `n`, `jv` of length `m`).
/// Called at accepted points only: any non-zero return stops the solve (`NKS_ERR_CALLBACK`).
pub type nks_constrained_jacobian_vector_fn =
    Option<unsafe extern "C" fn(x: *const f64, v: *const f64, n: usize, jv: *mut f64, m: usize, user_data: *mut c_void) -> c_int>;

/// Transposed Jacobian-vector product: write `jtw = J(x)^T w` (`w` of length `m`, `jtw` of
/// length `n`). Also called at trial points (for `grad_x L`), where `> 0` shortens the step.
pub type nks_constrained_jacobian_transpose_fn =
    Option<unsafe extern "C" fn(x: *const f64, w: *const f64, m: usize, jtw: *mut f64, n: usize, user_data: *mut c_void) -> c_int>;

/// Hessian of the Lagrangian times a vector: write
/// `hv = (grad^2 f(x) + sum_i lambda_i grad^2 c_i(x)) v` (`x`, `v`, `hv` of length `n`,
/// `lambda` of length `m`). Called at accepted points only: non-zero stops the solve.
pub type nks_constrained_hessian_vector_fn = Option<
    unsafe extern "C" fn(x: *const f64, lambda: *const f64, v: *const f64, n: usize, m: usize, hv: *mut f64, user_data: *mut c_void) -> c_int,
>;

/// Sparse Jacobian values at `x`, in the order of the pattern given to
/// `nks_constrained_set_sparse_rows` (`values` of length `nnz`). Non-zero stops the solve.
pub type nks_constrained_jacobian_values_fn =
    Option<unsafe extern "C" fn(x: *const f64, n: usize, values: *mut f64, nnz: usize, user_data: *mut c_void) -> c_int>;

/// Sparse Hessian-of-the-Lagrangian values at `(x, lambda)` (both triangles), in the order of
/// the pattern given to `nks_constrained_set_sparse_rows`. Non-zero stops the solve.
pub type nks_constrained_hessian_values_fn = Option<
    unsafe extern "C" fn(x: *const f64, lambda: *const f64, n: usize, m: usize, values: *mut f64, nnz: usize, user_data: *mut c_void) -> c_int,
>;

/// MINRES preconditioner: write `z = M^{-1} r` (`r`, `z` of length `n + m`) for a symmetric
/// positive definite `M` approximating the magnitude of the KKT matrix `[H J^T; J 0]` at
/// `(x, lambda)`, e.g. `diag(H~, J H~^{-1} J^T)`. Non-zero stops the solve.
pub type nks_constrained_precond_fn = Option<
    unsafe extern "C" fn(x: *const f64, lambda: *const f64, r: *const f64, n: usize, m: usize, z: *mut f64, user_data: *mut c_void) -> c_int,
>;

/// Called after every iteration with the running report and the current `x` (length `n`) and
/// `lambda` (length `m`). Return 0 to continue; any other value stops the solve with
/// `NKS_ERR_ABORTED`.
pub type nks_constrained_monitor_fn = Option<
    unsafe extern "C" fn(report: *const nks_constrained_report, x: *const f64, n: usize, lambda: *const f64, m: usize, user_data: *mut c_void) -> c_int,
>;

type ObjectiveFn = unsafe extern "C" fn(*const f64, usize, *mut f64, *mut c_void) -> c_int;
type GradientFn = unsafe extern "C" fn(*const f64, usize, *mut f64, *mut c_void) -> c_int;
type ConstraintsFn = unsafe extern "C" fn(*const f64, usize, *mut f64, usize, *mut c_void) -> c_int;
type ProductFn = unsafe extern "C" fn(*const f64, *const f64, usize, *mut f64, usize, *mut c_void) -> c_int;
type HessianFn = unsafe extern "C" fn(*const f64, *const f64, *const f64, usize, usize, *mut f64, *mut c_void) -> c_int;
type JacValuesFn = unsafe extern "C" fn(*const f64, usize, *mut f64, usize, *mut c_void) -> c_int;
type HessValuesFn = unsafe extern "C" fn(*const f64, *const f64, usize, usize, *mut f64, usize, *mut c_void) -> c_int;
type PrecondFn = unsafe extern "C" fn(*const f64, *const f64, *const f64, usize, usize, *mut f64, *mut c_void) -> c_int;
type MonitorFn = unsafe extern "C" fn(*const nks_constrained_report, *const f64, usize, *const f64, usize, *mut c_void) -> c_int;

/// The sparse rows set by `nks_constrained_set_sparse_rows`.
#[derive(Clone)]
struct SparseRows {
    jacobian: SparsePattern,
    hessian: SparsePattern,
    jacobian_values: JacValuesFn,
    hessian_values: HessValuesFn,
    user_data: *mut c_void,
}

/// The host's oracles.
#[derive(Clone)]
struct HostProblem {
    m: usize,
    objective: ObjectiveFn,
    gradient: GradientFn,
    constraints: ConstraintsFn,
    jacobian_vector: ProductFn,
    jacobian_transpose: ProductFn,
    hessian_vector: HessianFn,
    user_data: *mut c_void,
    rows: Option<SparseRows>,
    preconditioner: Option<(PrecondFn, *mut c_void)>,
}

fn code(c: c_int) -> Result<(), OracleFailure> {
    if c == 0 {
        Ok(())
    } else {
        Err(OracleFailure { code: c })
    }
}

// SAFETY (every call below): the host promised each callback accepts arrays of the documented
// lengths and its user_data.
impl ConstrainedObjective for HostProblem {
    fn constraint_count(&self) -> usize {
        self.m
    }
    fn objective(&mut self, x: &[f64]) -> Result<f64, OracleFailure> {
        let mut f = f64::NAN;
        code(unsafe { (self.objective)(x.as_ptr(), x.len(), &mut f, self.user_data) })?;
        Ok(f)
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure> {
        code(unsafe { (self.gradient)(x.as_ptr(), x.len(), g.as_mut_ptr(), self.user_data) })
    }
    fn constraints(&mut self, x: &[f64], c: &mut [f64]) -> Result<(), OracleFailure> {
        code(unsafe { (self.constraints)(x.as_ptr(), x.len(), c.as_mut_ptr(), c.len(), self.user_data) })
    }
    fn jacobian_vector(&mut self, x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        code(unsafe { (self.jacobian_vector)(x.as_ptr(), v.as_ptr(), x.len(), jv.as_mut_ptr(), jv.len(), self.user_data) })
    }
    fn jacobian_transpose_vector(&mut self, x: &[f64], w: &[f64], jtw: &mut [f64]) -> Result<(), OracleFailure> {
        code(unsafe { (self.jacobian_transpose)(x.as_ptr(), w.as_ptr(), w.len(), jtw.as_mut_ptr(), jtw.len(), self.user_data) })
    }
    fn lagrangian_hessian_vector(&mut self, x: &[f64], lambda: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure> {
        code(unsafe { (self.hessian_vector)(x.as_ptr(), lambda.as_ptr(), v.as_ptr(), x.len(), lambda.len(), hv.as_mut_ptr(), self.user_data) })
    }
    fn jacobian_pattern(&self) -> Option<&SparsePattern> {
        self.rows.as_ref().map(|r| &r.jacobian)
    }
    fn jacobian_values(&mut self, x: &[f64], values: &mut [f64]) -> Result<(), OracleFailure> {
        let r = self.rows.as_ref().expect("called only when rows are given");
        code(unsafe { (r.jacobian_values)(x.as_ptr(), x.len(), values.as_mut_ptr(), values.len(), r.user_data) })
    }
    fn hessian_pattern(&self) -> Option<&SparsePattern> {
        self.rows.as_ref().map(|r| &r.hessian)
    }
    fn hessian_values(&mut self, x: &[f64], lambda: &[f64], values: &mut [f64]) -> Result<(), OracleFailure> {
        let r = self.rows.as_ref().expect("called only when rows are given");
        code(unsafe { (r.hessian_values)(x.as_ptr(), lambda.as_ptr(), x.len(), lambda.len(), values.as_mut_ptr(), values.len(), r.user_data) })
    }
    fn has_preconditioner(&self) -> bool {
        self.preconditioner.is_some()
    }
    fn precondition(&mut self, x: &[f64], lambda: &[f64], r: &[f64], z: &mut [f64]) -> Result<(), OracleFailure> {
        match self.preconditioner {
            Some((pc, data)) => code(unsafe { pc(x.as_ptr(), lambda.as_ptr(), r.as_ptr(), x.len(), lambda.len(), z.as_mut_ptr(), data) }),
            None => {
                z.copy_from_slice(r);
                Ok(())
            }
        }
    }
}

struct ConstrainedState {
    solver: ConstrainedSolver,
    problem: Option<HostProblem>,
    rows: Option<SparseRows>,
    preconditioner: Option<(PrecondFn, *mut c_void)>,
    monitor: Option<(MonitorFn, *mut c_void)>,
}

/// An equality-constrained solver: options, the host's oracles, and the report, iteration
/// records and last point of the last solve. Use from one thread at a time, and not from
/// inside its own callbacks (such calls return `NKS_ERR_INVALID_STATE`).
pub struct nks_constrained {
    state: RefCell<ConstrainedState>,
}

unsafe fn state<'a>(h: *const nks_constrained) -> Result<RefMut<'a, ConstrainedState>, CError> {
    borrow_state(
        &try_ref(h, "h")?.state,
        "the nks_constrained handle is busy (used from two threads at once, or from inside one of its own callbacks)",
    )
}

/// The termination code and the status a solve that stopped this way returns.
fn outcome(t: &ConstrainedTermination) -> (nks_termination, nks_status) {
    use nks_status::*;
    use nks_termination::*;
    use ConstrainedTermination as T;
    match t {
        T::NotStarted => (NKS_TERMINATION_NOT_STARTED, NKS_OK),
        T::Converged => (NKS_TERMINATION_CONVERGED_KKT, NKS_OK),
        T::MaxIterations => (NKS_TERMINATION_MAX_ITERATIONS, NKS_MAX_ITERATIONS),
        T::MaxEvaluations => (NKS_TERMINATION_MAX_EVALUATIONS, NKS_MAX_ITERATIONS),
        T::TimeLimit => (NKS_TERMINATION_TIME_LIMIT, NKS_TIME_LIMIT),
        T::Stagnation(_) => (NKS_TERMINATION_STAGNATION, NKS_STAGNATION),
        T::MonitorStop => (NKS_TERMINATION_MONITOR_STOP, NKS_ERR_ABORTED),
        T::OracleFailed { .. } => (NKS_TERMINATION_CALLBACK_FAILED, NKS_ERR_CALLBACK),
        T::NonFinite(_) => (NKS_TERMINATION_NON_FINITE, NKS_ERR_NON_FINITE),
    }
}

fn to_c_report(r: &ConstrainedReport) -> nks_constrained_report {
    let (termination, status) = outcome(&r.termination);
    nks_constrained_report {
        status: status as i32,
        termination: termination as i32,
        kkt_solver: r.kkt_solver.code() as i32,
        iterations: r.iterations,
        inner_iterations: r.inner_iterations,
        merit_evaluations: r.merit_evaluations,
        penalty_updates: r.penalty_updates,
        regularized_steps: r.regularized_steps,
        rejected_steps: r.rejected_steps,
        failed_evaluations: r.failed_evaluations,
        objective_evaluations: r.objective_evaluations,
        gradient_evaluations: r.gradient_evaluations,
        constraint_evaluations: r.constraint_evaluations,
        jacobian_products: r.jacobian_products,
        jacobian_transpose_products: r.jacobian_transpose_products,
        hessian_products: r.hessian_products,
        matrix_evaluations: r.matrix_evaluations,
        preconditioner_calls: r.preconditioner_calls,
        records: r.history.len(),
        callback_code: r.callback_code,
        objective: r.objective,
        stationarity: r.stationarity,
        feasibility: r.feasibility,
        initial_stationarity: r.initial_stationarity,
        initial_feasibility: r.initial_feasibility,
        eta1: r.eta1,
        eta2: r.eta2,
        seconds: r.seconds,
    }
}

fn to_c_record(k: &KktRecord) -> nks_constrained_record {
    nks_constrained_record {
        stationarity: k.stationarity,
        feasibility: k.feasibility,
        merit: k.merit,
        inner_iterations: k.inner_iterations,
        inner_residual: k.inner_residual,
        eta1: k.eta1,
        eta2: k.eta2,
        regularization: k.regularization,
        step_length: k.step_length,
    }
}

/// Creates an equality-constrained solver with the default options (Gaussian sketch, the
/// paper's `eta1 = 1`, `eta2 = 0.1`, `rho = 1.5`, Armijo `beta = 0.1`, accuracy `delta = 0.1`
/// sharpened as `min(1, ||KKT||^(1/2))`; stop at `||grad_x L|| <= 1e-6` and `||c|| <= 1e-6`,
/// 1000 iterations). Set the oracles with `nks_constrained_set_oracles` before solving.
#[no_mangle]
pub unsafe extern "C" fn nks_constrained_new(out: *mut *mut nks_constrained) -> nks_status {
    guard(|| {
        if out.is_null() {
            return Err(null_error("out"));
        }
        let state = ConstrainedState {
            solver: ConstrainedSolver::new(ConstrainedOptions::default()),
            problem: None,
            rows: None,
            preconditioner: None,
            monitor: None,
        };
        write_handle(out, nks_constrained { state: RefCell::new(state) });
        Ok(nks_status::NKS_OK)
    })
}

/// Frees a constrained solver. `nks_constrained_free(NULL)` does nothing. Called from inside one
/// of the handle's own callbacks it frees nothing and sets the last error message.
#[no_mangle]
pub unsafe extern "C" fn nks_constrained_free(h: *mut nks_constrained) {
    let _ = guard(|| {
        if !h.is_null() {
            state(h)?;
        }
        free_handle(h);
        Ok(nks_status::NKS_OK)
    });
}

/// Sets the oracles of `min f(x) s.t. c(x) = 0` with `m >= 1` constraints, all called with
/// the same `user_data` on the thread that calls `nks_constrained_solve`. Every oracle is
/// required. Errors: `NKS_ERR_NULL_POINTER` naming the missing callback,
/// `NKS_ERR_INVALID_ARGUMENT` for `m = 0`. Clears sparse rows set earlier (their `m` may differ).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn nks_constrained_set_oracles(
    h: *mut nks_constrained,
    m: usize,
    objective: nks_constrained_objective_fn,
    gradient: nks_constrained_gradient_fn,
    constraints: nks_constrained_constraints_fn,
    jacobian_vector: nks_constrained_jacobian_vector_fn,
    jacobian_transpose: nks_constrained_jacobian_transpose_fn,
    hessian_vector: nks_constrained_hessian_vector_fn,
    user_data: *mut c_void,
) -> nks_status {
    guard(|| {
        let mut s = state(h)?;
        let Some(objective) = objective else { return Err(null_error("objective")) };
        let Some(gradient) = gradient else { return Err(null_error("gradient")) };
        let Some(constraints) = constraints else { return Err(null_error("constraints")) };
        let Some(jacobian_vector) = jacobian_vector else { return Err(null_error("jacobian_vector")) };
        let Some(jacobian_transpose) = jacobian_transpose else { return Err(null_error("jacobian_transpose")) };
        let Some(hessian_vector) = hessian_vector else { return Err(null_error("hessian_vector")) };
        if m == 0 {
            return Err(Error::invalid("m = 0 constraints is out of range; there must be at least one (use nks_newton for unconstrained problems)").into());
        }
        s.problem = Some(HostProblem {
            m,
            objective,
            gradient,
            constraints,
            jacobian_vector,
            // Same shape as ProductFn: (x, input, its length, output, its length, user_data).
            jacobian_transpose: jacobian_transpose as ProductFn,
            hessian_vector,
            user_data,
            rows: None,
            preconditioner: None,
        });
        s.rows = None;
        Ok(nks_status::NKS_OK)
    })
}

/// Reads one sparsity pattern given as C arrays.
unsafe fn pattern(nrows: usize, ncols: usize, row_ptr: *const i64, col_idx: *const i64, index_base: i32, what: &str) -> Result<SparsePattern, CError> {
    let rp = try_slice(row_ptr, nrows + 1, &format!("{what}_row_ptr"))?;
    let nnz = nnz_from_row_ptr(rp, index_base as i64).map_err(|e| Error::invalid(format!("{what}: {}", e.message())))?;
    let ci = try_slice(col_idx, nnz, &format!("{what}_col_idx"))?;
    let base = index_base as i64;
    let mut row_ptr_u = Vec::with_capacity(nrows + 1);
    for (i, &p) in rp.iter().enumerate() {
        if p < base {
            return Err(Error::invalid(format!("{what}_row_ptr[{i}] = {p} is below index_base = {base}")).into());
        }
        row_ptr_u.push((p - base) as usize);
    }
    let mut col_u = Vec::with_capacity(nnz);
    for (k, &j) in ci.iter().enumerate() {
        if j < base || j - base >= ncols as i64 {
            return Err(Error::invalid(format!("{what}_col_idx[{k}] = {j} is outside {base}..{}", ncols as i64 + base)).into());
        }
        col_u.push((j - base) as usize);
    }
    Ok(SparsePattern::new(nrows, ncols, row_ptr_u, col_u, what)?)
}

/// Gives the Jacobian (`m x n`) and the Hessian of the Lagrangian (`n x n`, BOTH triangles) as
/// sparse rows: fixed CSR patterns (copied; `index_base` 0 or 1) and callbacks that fill their
/// values. This enables the randomized Kaczmarz KKT solver (`"kkt_solver"` 1). Call after
/// `nks_constrained_set_oracles`. Errors: `NKS_ERR_INVALID_STATE` before the oracles,
/// `NKS_ERR_NULL_POINTER`, `NKS_ERR_INVALID_ARGUMENT` for a malformed pattern (the message names
/// the array and the entry).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn nks_constrained_set_sparse_rows(
    h: *mut nks_constrained,
    n: usize,
    jacobian_row_ptr: *const i64,
    jacobian_col_idx: *const i64,
    jacobian_values: nks_constrained_jacobian_values_fn,
    hessian_row_ptr: *const i64,
    hessian_col_idx: *const i64,
    hessian_values: nks_constrained_hessian_values_fn,
    index_base: i32,
    user_data: *mut c_void,
) -> nks_status {
    guard(|| {
        let mut s = state(h)?;
        let Some(m) = s.problem.as_ref().map(|p| p.m) else {
            return Err(CError::new(nks_status::NKS_ERR_INVALID_STATE, "no oracles are set; call nks_constrained_set_oracles first"));
        };
        if n == 0 {
            return Err(Error::invalid("n = 0 is out of range; the problem needs at least one unknown").into());
        }
        let Some(jacobian_values) = jacobian_values else { return Err(null_error("jacobian_values")) };
        let Some(hessian_values) = hessian_values else { return Err(null_error("hessian_values")) };
        let jacobian = pattern(m, n, jacobian_row_ptr, jacobian_col_idx, index_base, "jacobian")?;
        let hessian = pattern(n, n, hessian_row_ptr, hessian_col_idx, index_base, "hessian")?;
        s.rows = Some(SparseRows { jacobian, hessian, jacobian_values, hessian_values, user_data });
        Ok(nks_status::NKS_OK)
    })
}

/// Sets (or with NULL removes) the SPD preconditioner of the MINRES inner solver, called with
/// its own `user_data`.
#[no_mangle]
pub unsafe extern "C" fn nks_constrained_set_preconditioner(h: *mut nks_constrained, preconditioner: nks_constrained_precond_fn, user_data: *mut c_void) -> nks_status {
    guard(|| {
        let mut s = state(h)?;
        s.preconditioner = preconditioner.map(|p| (p as PrecondFn, user_data));
        Ok(nks_status::NKS_OK)
    })
}

/// Sets (or with NULL removes) the per-iteration monitor.
#[no_mangle]
pub unsafe extern "C" fn nks_constrained_set_monitor(h: *mut nks_constrained, monitor: nks_constrained_monitor_fn, user_data: *mut c_void) -> nks_status {
    guard(|| {
        let mut s = state(h)?;
        s.monitor = monitor.map(|m| (m as MonitorFn, user_data));
        Ok(nks_status::NKS_OK)
    })
}

/// Sets an option by name:
/// `"kkt_solver"` an `nks_kkt_solver` (default Gaussian sketch);
/// `"stationarity_tol"` > 0 (default 1e-6) and `"feasibility_tol"` > 0 (default 1e-6): stop at
/// `||grad_x L||_2 <= stationarity_tol` and `||c||_2 <= feasibility_tol`;
/// `"max_iterations"` >= 1 (default 1000); `"max_inner_iterations"` >= 1 (per Newton step,
/// default 100000); `"max_merit_evaluations"` >= 0 (default 0 = no limit); `"max_seconds"` >= 0
/// (default 0 = no limit);
/// `"eta1"` > 0 (default 1), `"eta2"` > 0 (default 0.1): the merit's penalties;
/// `"penalty_factor"` in (1, 100] (default 1.5); `"armijo"` in (0, 0.5) (default 0.1);
/// `"accuracy"` in (0, 1) (default 0.1) and `"accuracy_min"` in (0, 1) (default 1e-10): the inner
/// solve stops at `||K d + rhs|| <= theta delta ||rhs||`; `"sharpen"` 0 / 1 (default 1:
/// `theta = min(1, ||rhs||^(1/2))`, local superlinear convergence);
/// `"sketch_block"` 1..256 (default 1); `"seed"` >= 0 (default 0);
/// `"regularization"` > 0 (default 1e-4: the first Hessian shift) and `"curvature_tol"` >= 0
/// (default 1e-8; 0 = never shift): shift while `d_x^T (H + t I) d_x < curvature_tol ||d_x||^2`;
/// `"multiplier_start"` 0 least squares (default) / 1 the `lambda` passed to the solve;
/// `"record_history"` 0 / 1 (default 1).
///
/// Errors: `NKS_ERR_NULL_POINTER`, `NKS_ERR_UNKNOWN_OPTION` (the message lists the names),
/// `NKS_ERR_INVALID_ARGUMENT` for a value out of range (the option keeps its value).
#[no_mangle]
pub unsafe extern "C" fn nks_constrained_set_option(h: *mut nks_constrained, name: *const c_char, value: f64) -> nks_status {
    guard(|| {
        let mut s = state(h)?;
        s.solver.options_mut().set(try_str(name, "name")?, value)?;
        Ok(nks_status::NKS_OK)
    })
}

/// Reads an option by name into `*value` (in the encoding `nks_constrained_set_option` takes);
/// `*value` is written only on success.
#[no_mangle]
pub unsafe extern "C" fn nks_constrained_get_option(h: *const nks_constrained, name: *const c_char, value: *mut f64) -> nks_status {
    guard(|| {
        let s = state(h)?;
        let v = s.solver.options().get(try_str(name, "name")?)?;
        write_out(value, v, "value")?;
        Ok(nks_status::NKS_OK)
    })
}

/// Minimises `f(x)` subject to `c(x) = 0` from `x` (length `n >= 1`); `lambda` (length `m`, the
/// `m` of `nks_constrained_set_oracles`) receives the multipliers, and is read as the starting
/// multipliers when `"multiplier_start"` is 1.
///
/// Returns `NKS_OK` when the KKT tests passed, with the solution in `x` and `lambda`;
/// `NKS_MAX_ITERATIONS` (iteration or evaluation limit), `NKS_TIME_LIMIT` or `NKS_STAGNATION`
/// (no acceptable step) with the last accepted point in them. Failures leave both untouched:
/// `NKS_ERR_CALLBACK` (a callback returned `< 0`, or failed where no step can be shortened; the
/// code is in the report), `NKS_ERR_NON_FINITE` (NaN / Inf in `x` or `lambda`, or from the
/// oracles at the starting point), `NKS_ERR_ABORTED` (the monitor),
/// `NKS_ERR_DIMENSION_MISMATCH` (`m` is not the oracles' `m`, or the sparse rows were given for
/// another `n`), `NKS_ERR_INVALID_STATE` (no oracles set; Kaczmarz without sparse rows). After
/// any solve that started, `nks_constrained_get_point` gives the last accepted point.
#[no_mangle]
pub unsafe extern "C" fn nks_constrained_solve(h: *mut nks_constrained, n: usize, x: *mut f64, m: usize, lambda: *mut f64) -> nks_status {
    guard(|| {
        let mut s = state(h)?;
        let Some(mut problem) = s.problem.clone() else {
            return Err(CError::new(nks_status::NKS_ERR_INVALID_STATE, "no oracles are set; call nks_constrained_set_oracles first"));
        };
        if n == 0 {
            return Err(Error::invalid("n = 0 is out of range; the problem needs at least one unknown").into());
        }
        if m != problem.m {
            return Err(Error::dims(format!("m = {m} but the oracles were set for m = {} constraints; they must be equal", problem.m)).into());
        }
        if let Some(rows) = &s.rows {
            if rows.hessian.nrows != n {
                return Err(Error::dims(format!("n = {n} but the sparse rows were given for n = {}; they must be equal", rows.hessian.nrows)).into());
            }
        }
        let x = try_slice_mut(x, n, "x")?;
        check_disjoint_spans(x, lambda, m, "x", "lambda")?;
        let lambda = try_slice_mut(lambda, m, "lambda")?;
        problem.rows = s.rows.clone();
        problem.preconditioner = s.preconditioner;
        let monitor = s.monitor;
        let mut host_monitor = monitor.map(|(f, data)| {
            move |r: &ConstrainedReport, x: &[f64], l: &[f64]| {
                let c = to_c_report(r);
                // SAFETY: the host promised `f` takes a report, x (n), lambda (m) and its user_data.
                if unsafe { f(&c, x.as_ptr(), x.len(), l.as_ptr(), l.len(), data) } == 0 {
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(())
                }
            }
        });
        let termination = s.solver.solve(&mut problem, x, lambda, host_monitor.as_mut().map(|m| m as &mut _))?.termination.clone();
        finish_solve(outcome(&termination).1, || termination.describe())
    })
}

/// Copies the report of the last solve into `*out`.
#[no_mangle]
pub unsafe extern "C" fn nks_constrained_get_report(h: *const nks_constrained, out: *mut nks_constrained_report) -> nks_status {
    guard(|| {
        let s = state(h)?;
        write_out(out, to_c_report(s.solver.report()), "out")?;
        Ok(nks_status::NKS_OK)
    })
}

/// Copies iteration record `k` (0-based, `k < report.records`) of the last solve into `*out`:
/// the KKT residual history. Errors: `NKS_ERR_INVALID_ARGUMENT` when `k` is out of range (the
/// message gives the count).
#[no_mangle]
pub unsafe extern "C" fn nks_constrained_get_record(h: *const nks_constrained, k: usize, out: *mut nks_constrained_record) -> nks_status {
    guard(|| {
        let s = state(h)?;
        let history = &s.solver.report().history;
        let Some(record) = history.get(k) else {
            return Err(Error::invalid(format!("k = {k} is out of range; the last solve has {} iteration records (0..{})", history.len(), history.len())).into());
        };
        write_out(out, to_c_record(record), "out")?;
        Ok(nks_status::NKS_OK)
    })
}

/// Writes the last accepted point of the last solve that started into `x` (length `n`) and
/// its multipliers into `lambda` (length `m`; may be NULL): the result after a failed solve
/// left the caller's arrays untouched. Errors: `NKS_ERR_INVALID_STATE` before any solve,
/// `NKS_ERR_DIMENSION_MISMATCH` when `n` or `m` is not the last solve's.
#[no_mangle]
pub unsafe extern "C" fn nks_constrained_get_point(h: *const nks_constrained, n: usize, x: *mut f64, m: usize, lambda: *mut f64) -> nks_status {
    guard(|| {
        let s = state(h)?;
        copy_last_point(s.solver.last_point(), n, x)?;
        if !lambda.is_null() {
            let last = s.solver.last_multipliers();
            if m != last.len() {
                return Err(Error::dims(format!("m = {m} but the last solve had m = {}; they must be equal", last.len())).into());
            }
            try_slice_mut(lambda, m, "lambda")?.copy_from_slice(last);
        }
        Ok(nks_status::NKS_OK)
    })
}

//! `nks_krylov`: CG, GMRES(m) and FGMRES(m) on an `nks_csr` or a matvec callback.

use super::csr::nks_csr;
use super::ffi::{borrow_state, check_disjoint, finish_solve, free_handle, guard, null_error, try_ref, try_slice, try_slice_mut, try_str, write_handle, write_out};
use super::status::{nks_status, CError};
use crate::error::{Error, OracleFailure};
use crate::krylov::{method_from_code, side_from_code, KrylovOptions, KrylovReport, KrylovSolver, Termination};
use crate::linalg::{CsrMatrix, LinearOperator, Par};
use crate::precond::{Identity, Ilu0, Jacobi, Preconditioner};
use std::cell::{RefCell, RefMut};
use std::ffi::{c_char, c_int, c_void};
use std::ops::ControlFlow;
use std::sync::Arc;

/// Krylov methods (`nks_krylov_set_method`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum nks_krylov_method {
    /// Conjugate gradients, for symmetric positive definite `A` and preconditioner.
    NKS_KRYLOV_CG = 0,
    /// Restarted GMRES(m), any nonsingular `A` (the default).
    NKS_KRYLOV_GMRES = 1,
    /// Flexible GMRES(m): the preconditioner may vary between applications; right side only.
    NKS_KRYLOV_FGMRES = 2,
    /// GCRO-DR(m, k): GMRES with deflated restarting that keeps `k` vectors (option
    /// `"recycle_dim"`, default 10) across cycles and across solves on this handle. A new
    /// operator or preconditioner re-fits the kept space at the next solve (`k` operator
    /// applications), so a stale space is never used.
    NKS_KRYLOV_GCRODR = 3,
    /// Recycled (deflated) CG for sequences of SPD systems: CG deflated by `k` Ritz vectors
    /// kept across solves on this handle (`"recycle_dim"`, default 10).
    NKS_KRYLOV_RECYCLED_CG = 4,
}

/// Built-in preconditioners (`nks_krylov_set_preconditioner`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum nks_preconditioner {
    /// No preconditioning (the default).
    NKS_PRECOND_NONE = 0,
    /// Jacobi: `M = diag(A)`. Needs a CSR operator with a nonzero diagonal.
    NKS_PRECOND_JACOBI = 1,
    /// ILU(0): incomplete LU without fill. Needs a CSR operator with stored diagonal entries.
    NKS_PRECOND_ILU0 = 2,
}

/// Preconditioner side for GMRES (`nks_krylov_set_preconditioner_side`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum nks_preconditioner_side {
    /// `M^{-1} A x = M^{-1} b`: the preconditioned residual is monitored.
    NKS_SIDE_LEFT = 0,
    /// `A M^{-1} u = b`: the true residual is monitored (the default).
    NKS_SIDE_RIGHT = 1,
}

/// Why a solve stopped (`nks_krylov_report.termination`).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum nks_termination {
    /// No solve has run on this handle.
    NKS_TERMINATION_NOT_STARTED = 0,
    /// `||r|| <= rtol * ||b||`.
    NKS_TERMINATION_CONVERGED_RTOL = 1,
    /// `||r|| <= atol`.
    NKS_TERMINATION_CONVERGED_ATOL = 2,
    /// The iteration limit was reached.
    NKS_TERMINATION_MAX_ITERATIONS = 3,
    /// The time limit was reached.
    NKS_TERMINATION_TIME_LIMIT = 4,
    /// No progress: a GMRES restart cycle made none, or (Newton) no acceptable step could be
    /// found (the trust radius or step at the rounding level, every trial point unevaluable).
    NKS_TERMINATION_STAGNATION = 5,
    /// The monitor callback asked to stop.
    NKS_TERMINATION_MONITOR_STOP = 6,
    /// A callback (matvec, preconditioner; Newton: an oracle returning `< 0`, or `> 0` at the
    /// starting point) stopped the solve (see `callback_code`).
    NKS_TERMINATION_CALLBACK_FAILED = 7,
    /// A NaN or infinity appeared.
    NKS_TERMINATION_NON_FINITE = 8,
    /// The method broke down (e.g. CG on an indefinite operator).
    NKS_TERMINATION_BREAKDOWN = 9,
    /// Newton: an accepted step was below `xtol`.
    NKS_TERMINATION_CONVERGED_STEP = 10,
    /// Newton: an accepted step changed `f` by less than `ftol`.
    NKS_TERMINATION_CONVERGED_FTOL = 11,
    /// Newton: the oracle-call limit `max_evaluations` was reached (status
    /// `NKS_MAX_ITERATIONS`).
    NKS_TERMINATION_MAX_EVALUATIONS = 12,
    /// Levenberg-Marquardt: a stationary point of `||F||^2` (`||J^T F|| <= gatol`).
    NKS_TERMINATION_CONVERGED_STATIONARY = 13,
    /// Constrained: `||grad_x L|| <= stationarity_tol` and `||c|| <= feasibility_tol`.
    NKS_TERMINATION_CONVERGED_KKT = 14,
}

/// What a Krylov solve did. Read with `nks_krylov_get_report` after a solve, and passed to the
/// monitor during one (then `status` is 0, `termination` is `NKS_TERMINATION_NOT_STARTED` and
/// `residual_norm` is the monitored residual of the current iteration; after the solve
/// `residual_norm` is the true `||b - A x||` of the returned `x`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct nks_krylov_report {
    /// The status the solve returned (an `nks_status` value).
    pub status: i32,
    /// Why it stopped (an `nks_termination` value).
    pub termination: i32,
    /// Krylov iterations.
    pub iterations: usize,
    /// Operator applications, residual recomputations included.
    pub matvecs: usize,
    /// Preconditioner applications.
    pub precond_applies: usize,
    /// `||b||_2`.
    pub rhs_norm: f64,
    /// The monitored residual norm at the start.
    pub initial_residual_norm: f64,
    /// See the struct's docs.
    pub residual_norm: f64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// The code a failing callback returned (0 if none failed).
    pub callback_code: i32,
    /// Recycling (GCRO-DR, recycled CG; zero for the other methods): 1 if the kept space was
    /// re-fitted to a new operator before this solve (`recycle_initial_dim` matvecs), else 0.
    pub recycle_rebuilt: i32,
    /// Dimension of the recycled space this solve started from (0: none).
    pub recycle_initial_dim: usize,
    /// Dimension of the space kept for the next solve.
    pub recycle_final_dim: usize,
    /// Refreshes of the space from this solve's Krylov data.
    pub recycle_refreshes: usize,
    /// GCRO-DR: largest principal angle (radians, `[0, pi/2]`) between the space before and
    /// after the re-fit to a new operator: how far the operator change moved it.
    pub recycle_largest_angle: f64,
    /// `||r after projection onto the recycled space|| / ||r0||` (1: the space did not help).
    pub recycle_projection_ratio: f64,
    /// 1 if the space was dropped after this solve because it stopped helping (it needed at
    /// least the iterations of the last solve without one) or was degenerate for the operator.
    pub recycle_dropped: i32,
}

/// Matrix-free operator: write `y = A x` for vectors of length `n`. Return 0 on success; any
/// other value stops the solve with `NKS_ERR_CALLBACK` (the code is kept in the report).
pub type nks_matvec_fn =
    Option<unsafe extern "C" fn(x: *const f64, y: *mut f64, n: usize, user_data: *mut c_void) -> c_int>;

/// Preconditioner: write `z = M^{-1} r` for vectors of length `n`. Return codes as for
/// `nks_matvec_fn`.
pub type nks_precond_fn =
    Option<unsafe extern "C" fn(r: *const f64, z: *mut f64, n: usize, user_data: *mut c_void) -> c_int>;

/// Called once per iteration with the running report. Return 0 to continue; any other value
/// stops the solve, which then returns `NKS_ERR_ABORTED` and leaves `x` untouched.
pub type nks_krylov_monitor_fn =
    Option<unsafe extern "C" fn(report: *const nks_krylov_report, user_data: *mut c_void) -> c_int>;

/// A host callback `f(in, out, n, user_data)` as an operator or preconditioner.
#[derive(Clone, Copy)]
pub(super) struct Callback {
    pub(super) f: unsafe extern "C" fn(*const f64, *mut f64, usize, *mut c_void) -> c_int,
    pub(super) user_data: *mut c_void,
    pub(super) n: usize,
}

impl Callback {
    fn call(&self, input: &[f64], output: &mut [f64]) -> Result<(), OracleFailure> {
        // SAFETY: the host promised `f` accepts two arrays of length n and its user_data.
        match unsafe { (self.f)(input.as_ptr(), output.as_mut_ptr(), self.n, self.user_data) } {
            0 => Ok(()),
            code => Err(OracleFailure { code }),
        }
    }
}

impl LinearOperator for Callback {
    fn nrows(&self) -> usize {
        self.n
    }
    fn ncols(&self) -> usize {
        self.n
    }
    fn apply(&mut self, _par: &Par, x: &[f64], y: &mut [f64]) -> Result<(), OracleFailure> {
        self.call(x, y)
    }
}

impl Preconditioner for Callback {
    fn apply(&mut self, _par: &Par, r: &[f64], z: &mut [f64]) -> Result<(), OracleFailure> {
        self.call(r, z)
    }
}

pub(super) enum Operator {
    Csr(Arc<CsrMatrix>),
    Callback(Callback),
}

impl Operator {
    fn csr(&self) -> Option<&CsrMatrix> {
        match self {
            Operator::Csr(a) => Some(a),
            Operator::Callback(_) => None,
        }
    }

    fn as_dyn(&mut self) -> &mut dyn LinearOperator {
        match self {
            Operator::Csr(a) => a,
            Operator::Callback(c) => c,
        }
    }
}

#[derive(Clone, Copy)]
pub(super) enum PrecondChoice {
    None,
    Jacobi,
    Ilu0,
    Callback(unsafe extern "C" fn(*const f64, *mut f64, usize, *mut c_void) -> c_int, *mut c_void),
}

/// A Krylov solver handle: options, operator, preconditioner, monitor, reusable workspace, and
/// the report of the last solve. Use from one thread at a time, and not from inside its own
/// callbacks (such calls return `NKS_ERR_INVALID_STATE`).
pub struct nks_krylov {
    // Every call borrows the state through the RefCell, so a call made from inside one of the
    // handle's own callbacks is detected and refused instead of aliasing a live borrow.
    state: RefCell<KrylovState>,
}

pub(super) struct KrylovState {
    pub(super) solver: KrylovSolver,
    operator: Option<Operator>,
    pub(super) choice: PrecondChoice,
    /// The built-in preconditioner for the current operator, built at the first solve.
    built: Option<Box<dyn Preconditioner>>,
    pub(super) monitor: Option<HostMonitor>,
    pub(super) report: nks_krylov_report,
}

pub(crate) fn termination_code(t: &Termination) -> nks_termination {
    use nks_termination::*;
    match t {
        Termination::NotStarted => NKS_TERMINATION_NOT_STARTED,
        Termination::ConvergedRelative => NKS_TERMINATION_CONVERGED_RTOL,
        Termination::ConvergedAbsolute => NKS_TERMINATION_CONVERGED_ATOL,
        Termination::MaxIterations => NKS_TERMINATION_MAX_ITERATIONS,
        Termination::TimeLimit => NKS_TERMINATION_TIME_LIMIT,
        Termination::Stagnation => NKS_TERMINATION_STAGNATION,
        Termination::MonitorStop => NKS_TERMINATION_MONITOR_STOP,
        Termination::OracleFailed { .. } => NKS_TERMINATION_CALLBACK_FAILED,
        Termination::NonFinite(_) => NKS_TERMINATION_NON_FINITE,
        Termination::Breakdown(_) => NKS_TERMINATION_BREAKDOWN,
    }
}

/// The status a solve returns for its termination.
pub(crate) fn termination_status(t: &Termination) -> nks_status {
    use nks_status::*;
    match t {
        Termination::ConvergedRelative | Termination::ConvergedAbsolute => NKS_OK,
        Termination::MaxIterations => NKS_MAX_ITERATIONS,
        Termination::TimeLimit => NKS_TIME_LIMIT,
        Termination::Stagnation => NKS_STAGNATION,
        Termination::MonitorStop => NKS_ERR_ABORTED,
        Termination::OracleFailed { .. } => NKS_ERR_CALLBACK,
        Termination::NonFinite(_) => NKS_ERR_NON_FINITE,
        Termination::Breakdown(_) => NKS_ERR_BREAKDOWN,
        // A report whose solve has not finished (what the monitor sees) carries no failure.
        Termination::NotStarted => NKS_OK,
    }
}

pub(super) fn to_c_report(r: &KrylovReport) -> nks_krylov_report {
    nks_krylov_report {
        status: termination_status(&r.termination) as i32,
        termination: termination_code(&r.termination) as i32,
        iterations: r.iterations,
        matvecs: r.matvecs,
        precond_applies: r.precond_applies,
        rhs_norm: r.rhs_norm,
        initial_residual_norm: r.initial_residual_norm,
        residual_norm: r.residual_norm,
        seconds: r.seconds,
        callback_code: match r.termination {
            Termination::OracleFailed { code, .. } => code,
            _ => 0,
        },
        recycle_rebuilt: i32::from(r.recycle.rebuilt),
        recycle_initial_dim: r.recycle.initial_dim,
        recycle_final_dim: r.recycle.final_dim,
        recycle_refreshes: r.recycle.refreshes,
        recycle_largest_angle: r.recycle.largest_angle,
        recycle_projection_ratio: r.recycle.projection_ratio,
        recycle_dropped: i32::from(r.recycle.dropped),
    }
}

/// A host monitor and its user data.
pub(super) type HostMonitor = (unsafe extern "C" fn(*const nks_krylov_report, *mut c_void) -> c_int, *mut c_void);

/// The host's monitor as a core monitor: a non-zero return stops the solve.
pub(super) fn core_monitor((f, user_data): HostMonitor) -> impl FnMut(&KrylovReport) -> ControlFlow<()> {
    move |r| {
        let c = to_c_report(r);
        // SAFETY: the host promised `f` takes a report pointer and its user_data.
        if unsafe { f(&c, user_data) } == 0 {
            ControlFlow::Continue(())
        } else {
            ControlFlow::Break(())
        }
    }
}

/// The handle's state, or `NKS_ERR_INVALID_STATE` while a solve on it is running.
pub(super) unsafe fn state<'a>(h: *const nks_krylov) -> Result<RefMut<'a, KrylovState>, CError> {
    borrow_state(
        &try_ref(h, "h")?.state,
        "the nks_krylov handle is busy: it was called from inside one of its own callbacks \
         (or from two threads at once); wait until nks_krylov_solve returns",
    )
}

/// Runs `f` on the handle's options (the one path every option setter takes).
unsafe fn with_options(
    h: *mut nks_krylov,
    f: impl FnOnce(&mut KrylovOptions) -> Result<(), Error>,
) -> nks_status {
    guard(|| {
        let mut h = state(h)?;
        let mut opts = h.solver.options().clone();
        f(&mut opts)?;
        *h.solver.options_mut() = opts;
        Ok(nks_status::NKS_OK)
    })
}

/// Creates a Krylov solver with default options: GMRES(30), `rtol = 1e-8`, `atol = 0`,
/// 10000 iterations, zero initial guess, no preconditioner. Set an operator before solving.
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_new(out: *mut *mut nks_krylov) -> nks_status {
    guard(|| {
        if out.is_null() {
            return Err(null_error("out"));
        }
        write_handle(
            out,
            nks_krylov {
                state: RefCell::new(KrylovState {
                    solver: KrylovSolver::new(KrylovOptions::default()),
                    operator: None,
                    choice: PrecondChoice::None,
                    built: None,
                    monitor: None,
                    report: to_c_report(&KrylovReport::default()),
                }),
            },
        );
        Ok(nks_status::NKS_OK)
    })
}

/// Frees a Krylov solver. `nks_krylov_free(NULL)` does nothing.
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_free(h: *mut nks_krylov) {
    let _ = guard(|| {
        free_handle(h);
        Ok(nks_status::NKS_OK)
    });
}

/// Selects the method: an `nks_krylov_method` value (CG = 0, GMRES = 1, FGMRES = 2,
/// GCRO-DR = 3, recycled CG = 4).
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_set_method(h: *mut nks_krylov, method: i32) -> nks_status {
    with_options(h, |o| {
        o.set_method(method_from_code(method as i64)?);
        Ok(())
    })
}

/// Relative tolerance: stop when `||r|| <= max(rtol * ||b||, atol)`. Range `[0, 1)`; default 1e-8.
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_set_rtol(h: *mut nks_krylov, rtol: f64) -> nks_status {
    with_options(h, |o| o.set_rtol(rtol).map(|_| ()))
}

/// Absolute tolerance. Range `[0, inf)`; default 0.
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_set_atol(h: *mut nks_krylov, atol: f64) -> nks_status {
    with_options(h, |o| o.set_atol(atol).map(|_| ()))
}

/// Iteration limit, `>= 1`; default 10000. Reaching it returns `NKS_MAX_ITERATIONS`.
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_set_max_iterations(h: *mut nks_krylov, max_iterations: usize) -> nks_status {
    with_options(h, |o| o.set_max_iterations(max_iterations).map(|_| ()))
}

/// GMRES/FGMRES restart length m, `1..=10000`; default 30. Memory: `m + 1` vectors (FGMRES `2m + 1`).
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_set_restart(h: *mut nks_krylov, restart: usize) -> nks_status {
    with_options(h, |o| o.set_restart(restart).map(|_| ()))
}

/// Non-zero: start from the `x` passed to the solve (it must then be finite); zero (default):
/// start from `x = 0` and ignore the input contents.
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_set_use_initial_guess(h: *mut nks_krylov, use_initial_guess: i32) -> nks_status {
    with_options(h, |o| {
        o.use_initial_guess = use_initial_guess != 0;
        Ok(())
    })
}

/// GMRES preconditioner side: an `nks_preconditioner_side` value; default right. FGMRES is always
/// right-preconditioned; CG ignores this.
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_set_preconditioner_side(h: *mut nks_krylov, side: i32) -> nks_status {
    with_options(h, |o| {
        o.side = side_from_code(side as i64)?;
        Ok(())
    })
}

/// Wall-clock limit in seconds, `> 0` (default: none). Reaching it returns `NKS_TIME_LIMIT`.
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_set_max_seconds(h: *mut nks_krylov, max_seconds: f64) -> nks_status {
    with_options(h, |o| o.set_max_seconds(max_seconds).map(|_| ()))
}

/// Sets an option by name, for hosts that read options from input files: `"method"`
/// (an `nks_krylov_method` value, 0..=4), `"rtol"`, `"atol"`, `"max_iterations"`, `"restart"`,
/// `"use_initial_guess"` (0/1), `"preconditioner_side"` (0 = left, 1 = right), `"max_seconds"`,
/// `"reorthogonalization"` (0 = never, 1 = if needed, 2 = always), `"recycle_dim"` (vectors kept
/// by GCRO-DR and recycled CG, 0..=10000, default 10), `"refresh_interval"` (GCRO-DR refreshes
/// its space from every n-th full cycle, 1..=10000, default 3; 1 is the paper's algorithm).
/// Recycled CG stores the first `"restart"` search directions of each solve for its refresh
/// (`2 k + restart` vectors in all). Same ranges as the typed setters; an unknown name returns
/// `NKS_ERR_UNKNOWN_OPTION` with the list of known names.
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_set_option(h: *mut nks_krylov, name: *const c_char, value: f64) -> nks_status {
    let name = match try_str(name, "name") {
        Ok(s) => s,
        Err(e) => return guard(|| Err(e)),
    };
    with_options(h, |o| o.set(name, value).map(|_| ()))
}

/// Reads an option by name into `*value`: every name `nks_krylov_set_option` accepts, in the
/// same numeric encoding (`"method"` 0..=4, `"use_initial_guess"` 0/1, `"preconditioner_side"`
/// 0/1, `"reorthogonalization"` 0/1/2; `"max_seconds"` is `+inf` when there is no limit), so a
/// value read here may be passed back to `nks_krylov_set_option` unchanged (except an iteration
/// limit above 2^53 - 1, which only `nks_krylov_set_max_iterations` accepts).
///
/// Errors (`*value` is written only on success): `NKS_ERR_NULL_POINTER` for a NULL `h`, `name`
/// or `value`; `NKS_ERR_UNKNOWN_OPTION` for an unknown name (the message lists the known ones);
/// `NKS_ERR_INVALID_ARGUMENT` for a name that is not valid UTF-8; `NKS_ERR_INVALID_STATE` when
/// called from inside one of the handle's own callbacks.
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_get_option(h: *const nks_krylov, name: *const c_char, value: *mut f64) -> nks_status {
    guard(|| {
        let st = state(h)?;
        let name = try_str(name, "name")?;
        if value.is_null() {
            return Err(null_error("value"));
        }
        let v = st.solver.options().get(name)?;
        write_out(value, v, "value")?;
        Ok(nks_status::NKS_OK)
    })
}

/// Uses the CSR matrix `A` (square) as the operator. The handle keeps its own reference: `A`
/// may be freed afterwards. Replaces any previous operator and rebuilds built-in
/// preconditioners at the next solve.
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_set_operator_csr(h: *mut nks_krylov, a: *const nks_csr) -> nks_status {
    guard(|| {
        let mut h = state(h)?;
        let m = &try_ref(a, "A")?.matrix;
        if m.nrows() != m.ncols() {
            return Err(Error::dims(format!("A is {} x {}; Krylov solvers need a square matrix", m.nrows(), m.ncols())).into());
        }
        h.operator = Some(Operator::Csr(Arc::clone(m)));
        h.built = None;
        h.solver.operator_changed();
        Ok(nks_status::NKS_OK)
    })
}

/// Uses a matrix-free operator of dimension `n`: `matvec(x, y, n, user_data)` writes `y = A x`.
/// It is called on the thread that calls `nks_krylov_solve`. Built-in preconditioners
/// (Jacobi, ILU(0)) need a CSR operator; use `nks_krylov_set_preconditioner_callback` instead.
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_set_operator_callback(
    h: *mut nks_krylov,
    n: usize,
    matvec: nks_matvec_fn,
    user_data: *mut c_void,
) -> nks_status {
    guard(|| {
        let mut h = state(h)?;
        let f = matvec.ok_or_else(|| null_error("matvec"))?;
        crate::linalg::csr::check_dim(n, "n")?;
        h.operator = Some(Operator::Callback(Callback { f, user_data, n }));
        h.built = None;
        h.solver.operator_changed();
        Ok(nks_status::NKS_OK)
    })
}

/// Selects a built-in preconditioner: an `nks_preconditioner` value. Replaces a callback
/// preconditioner. Jacobi and ILU(0) are built at the next solve from the CSR operator.
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_set_preconditioner(h: *mut nks_krylov, kind: i32) -> nks_status {
    guard(|| {
        let mut h = state(h)?;
        h.choice = match kind {
            0 => PrecondChoice::None,
            1 => PrecondChoice::Jacobi,
            2 => PrecondChoice::Ilu0,
            _ => {
                return Err(Error::invalid(format!(
                    "preconditioner = {kind} is out of range; use 0 (none), 1 (Jacobi) or 2 (ILU(0))"
                ))
                .into())
            }
        };
        h.built = None;
        h.solver.operator_changed();
        Ok(nks_status::NKS_OK)
    })
}

/// Uses a host preconditioner: `apply(r, z, n, user_data)` writes `z = M^{-1} r`. For CG it must
/// be symmetric positive definite; for FGMRES it may change between calls.
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_set_preconditioner_callback(
    h: *mut nks_krylov,
    apply: nks_precond_fn,
    user_data: *mut c_void,
) -> nks_status {
    guard(|| {
        let mut h = state(h)?;
        let f = apply.ok_or_else(|| null_error("apply"))?;
        h.choice = PrecondChoice::Callback(f, user_data);
        h.built = None;
        h.solver.operator_changed();
        Ok(nks_status::NKS_OK)
    })
}

/// Installs a monitor called once per iteration (NULL removes it).
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_set_monitor(
    h: *mut nks_krylov,
    monitor: nks_krylov_monitor_fn,
    user_data: *mut c_void,
) -> nks_status {
    guard(|| {
        let mut h = state(h)?;
        h.monitor = monitor.map(|f| (f, user_data));
        Ok(nks_status::NKS_OK)
    })
}

/// The handle's preconditioner choice for an operator of dimension `n` (`csr` when it is a
/// matrix): Jacobi and ILU(0) are built from the matrix.
pub(super) fn build_preconditioner(choice: PrecondChoice, csr: Option<&CsrMatrix>, n: usize) -> Result<Box<dyn Preconditioner>, Error> {
    let need_csr = |name: &str| {
        Error::InvalidState(format!(
            "the {name} preconditioner needs a CSR operator (nks_krylov_set_operator_csr or \
             nks_krylov_solve_sequence); with a matvec callback use nks_krylov_set_preconditioner_callback"
        ))
    };
    Ok(match choice {
        PrecondChoice::None => Box::new(Identity),
        PrecondChoice::Jacobi => Box::new(Jacobi::new(csr.ok_or_else(|| need_csr("Jacobi"))?)?),
        PrecondChoice::Ilu0 => Box::new(Ilu0::new(csr.ok_or_else(|| need_csr("ILU(0)"))?)?),
        PrecondChoice::Callback(f, user_data) => Box::new(Callback { f, user_data, n }),
    })
}

/// Solves `A x = b` with vectors of length `n` (the operator's dimension). `b` and `x` must not
/// overlap (refused with `NKS_ERR_INVALID_ARGUMENT`).
///
/// `x` is the initial guess when `nks_krylov_set_use_initial_guess` is on. Returns `NKS_OK` when
/// converged; `NKS_MAX_ITERATIONS` / `NKS_TIME_LIMIT` / `NKS_STAGNATION` with the last iterate in
/// `x` (for CG the A-norm-optimal point of the Krylov space, for GMRES the residual-minimising
/// one); a negative status on failure, with `x` untouched and the reason in
/// `nks_last_error_message()`. Bad input (`n` mismatch, NaN in `b`) fails before any work. The
/// report (`nks_krylov_get_report`) describes the latest call, also one refused before it
/// started (its `status` is what the call returned).
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_solve(h: *mut nks_krylov, b: *const f64, x: *mut f64, n: usize) -> nks_status {
    guard(|| {
        let mut st = state(h)?;
        // The report always describes the latest call, also one refused before it started.
        st.report = to_c_report(&KrylovReport::default());
        let outcome = solve_with(&mut st, b, x, n);
        st.report.status = match &outcome {
            Ok(s) => *s as i32,
            Err(e) => e.status as i32,
        };
        outcome
    })
}

unsafe fn solve_with(st: &mut KrylovState, b: *const f64, x: *mut f64, n: usize) -> Result<nks_status, CError> {
    let b = try_slice(b, n, "b")?;
    check_disjoint(b, x, n, "b", "x")?;
    let x = try_slice_mut(x, n, "x")?;
    let op = st.operator.as_mut().ok_or_else(|| {
        CError::from(Error::InvalidState(
            "no operator: call nks_krylov_set_operator_csr or nks_krylov_set_operator_callback first".into(),
        ))
    })?;
    let dim = op.as_dyn().nrows();
    if n != dim {
        return Err(Error::dims(format!("n = {n} but the operator has dimension {dim}")).into());
    }
    if st.built.is_none() {
        st.built = Some(build_preconditioner(st.choice, op.csr(), dim)?);
    }
    let m = st.built.as_mut().expect("built above");
    let mut monitor = st.monitor.map(core_monitor);
    let mon = monitor.as_mut().map(|f| f as &mut crate::krylov::Monitor<'_>);
    let report = st.solver.solve(op.as_dyn(), m.as_mut(), b, x, mon)?;
    st.report = to_c_report(&report);
    finish_solve(termination_status(&report.termination), || report.termination.describe())
}

/// Copies the report of the last solve into `*out`.
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_get_report(h: *const nks_krylov, out: *mut nks_krylov_report) -> nks_status {
    guard(|| {
        let h = state(h)?;
        write_out(out, h.report, "out")?;
        Ok(nks_status::NKS_OK)
    })
}

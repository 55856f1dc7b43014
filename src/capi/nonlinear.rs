//! `nks_nonlinear`: nonlinear systems `F(x) = 0` (Jacobian-free Newton-Krylov with recycling)
//! and nonlinear least squares (Levenberg-Marquardt) with callback oracles.

use super::ffi::{borrow_state, copy_last_point, finish_solve, free_handle, guard, null_error, try_ref, try_slice_mut, try_str, write_handle, write_out};
use super::krylov::nks_termination;
use super::status::{nks_status, CError};
use crate::error::{Error, OracleFailure};
use crate::nonlinear::{NonlinearOptions, NonlinearReport, NonlinearSolver, NonlinearStep, NonlinearSystem, NonlinearTermination};
use std::cell::{RefCell, RefMut};
use std::ffi::{c_char, c_int, c_void};
use std::ops::ControlFlow;

/// The methods of option `"method"`.
#[repr(i32)]
pub enum nks_nonlinear_method {
    /// Jacobian-free Newton-Krylov for square systems (the default).
    NKS_NONLINEAR_NEWTON_KRYLOV = 0,
    /// Levenberg-Marquardt for least squares (needs the `J^T w` callback).
    NKS_NONLINEAR_LEVENBERG_MARQUARDT = 1,
}

/// What the last `nks_nonlinear_solve` did (read with `nks_nonlinear_get_report`); also passed
/// to the monitor after every step (then `status` is 0 and `termination` is
/// `NKS_TERMINATION_NOT_STARTED`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct nks_nonlinear_report {
    /// The status the solve returned (an `nks_status` value).
    pub status: i32,
    /// Why it stopped (an `nks_termination` value): `NKS_TERMINATION_CONVERGED_ATOL`
    /// (`||F|| <= fatol`), `_CONVERGED_RTOL` (`||F|| <= frtol ||F0||`), `_CONVERGED_STATIONARY`
    /// (Levenberg-Marquardt: `||J^T F|| <= gatol`), `_CONVERGED_STEP`, `_MAX_ITERATIONS`,
    /// `_MAX_EVALUATIONS`, `_TIME_LIMIT`, `_STAGNATION`, `_MONITOR_STOP`, `_CALLBACK_FAILED` or
    /// `_NON_FINITE`.
    pub termination: i32,
    /// The method that ran (an `nks_nonlinear_method` value).
    pub method: i32,
    /// Steps taken (rejected Levenberg-Marquardt steps included).
    pub iterations: usize,
    /// Residual callback calls, those of finite-difference products and line searches included.
    pub residual_evaluations: usize,
    /// Jacobian-vector products done by finite differences (one residual call each).
    pub fd_products: usize,
    /// Jacobian-vector callback calls.
    pub jacobian_vector_calls: usize,
    /// Transposed-Jacobian-vector callback calls.
    pub jacobian_transpose_calls: usize,
    /// Preconditioner callback calls.
    pub preconditioner_calls: usize,
    /// Inner Krylov (GMRES / GCRO-DR) or CGLS iterations over all steps.
    pub inner_iterations: usize,
    /// Trial points rejected (line-search backtracks, rejected Levenberg-Marquardt steps).
    pub rejected_steps: usize,
    /// Trial points a callback could not evaluate (code `> 0`, NaN or Inf).
    pub failed_evaluations: usize,
    /// Step records kept (read them with `nks_nonlinear_get_step`).
    pub steps: usize,
    /// Recycled vectors kept for the next solve (GCRO-DR).
    pub recycled_vectors: usize,
    /// The code of the callback that stopped the solve (0 if none).
    pub callback_code: i32,
    /// `||F||` at the start.
    pub initial_residual_norm: f64,
    /// `||F||` at the returned point.
    pub residual_norm: f64,
    /// `||J^T F||` at the returned point (Levenberg-Marquardt; NaN for Newton-Krylov).
    pub gradient_norm: f64,
    /// Length of the last accepted step.
    pub step_norm: f64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// One step of the last solve (read with `nks_nonlinear_get_step`): how inexact its linear
/// solve was and what recycling did.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct nks_nonlinear_step {
    /// `||F||` at the start of the step.
    pub residual_norm: f64,
    /// The forcing term the inner solve was asked for (relative residual).
    pub forcing: f64,
    /// The relative residual the inner solve reached.
    pub linear_residual: f64,
    /// Inner Krylov / CGLS iterations.
    pub inner_iterations: usize,
    /// Jacobian applications of the inner solve (the recycle space's re-fit included).
    pub jacobian_products: usize,
    /// Recycled vectors the inner solve started with.
    pub recycled_vectors: usize,
    /// Step length taken (1 = full step; 0 = a rejected Levenberg-Marquardt step).
    pub step_length: f64,
    /// Levenberg-Marquardt parameter `mu` of the step (0 for Newton-Krylov).
    pub lm_parameter: f64,
}

/// Residual: write `f = F(x)` (`x` of length `n`, `f` of length `m`; `m = n` for a square
/// system). Return 0 on success, `> 0` when `x` cannot be evaluated (the solver shortens its
/// step and retries), `< 0` to abort the solve (`NKS_ERR_CALLBACK`). NaN or Inf in `f` counts as
/// `> 0`.
pub type nks_nonlinear_residual_fn = Option<unsafe extern "C" fn(x: *const f64, n: usize, f: *mut f64, m: usize, user_data: *mut c_void) -> c_int>;

/// Jacobian-vector product: write `jv = J(x) v` (`v` of length `n`, `jv` of length `m`).
/// Return 0 on success, non-zero stops the solve (`NKS_ERR_CALLBACK`): it is called at
/// accepted points only, where shortening a step cannot help.
pub type nks_nonlinear_jacobian_vector_fn =
    Option<unsafe extern "C" fn(x: *const f64, v: *const f64, n: usize, jv: *mut f64, m: usize, user_data: *mut c_void) -> c_int>;

/// Transposed Jacobian-vector product: write `jtw = J(x)^T w` (`w` of length `m`, `jtw` of
/// length `n`). Return codes as for `nks_nonlinear_jacobian_vector_fn`.
pub type nks_nonlinear_jacobian_transpose_fn =
    Option<unsafe extern "C" fn(x: *const f64, w: *const f64, m: usize, jtw: *mut f64, n: usize, user_data: *mut c_void) -> c_int>;

/// Preconditioner of the Newton-Krylov inner solve (right preconditioning): write
/// `z = M(x)^{-1} r` (length `n`) for an approximation `M(x)` of the Jacobian at the Newton
/// iterate `x`. Return codes as for `nks_nonlinear_jacobian_vector_fn`.
pub type nks_nonlinear_precond_fn =
    Option<unsafe extern "C" fn(x: *const f64, r: *const f64, n: usize, z: *mut f64, user_data: *mut c_void) -> c_int>;

/// Called after every step with the running report and the current point (length `n`).
/// Return 0 to continue; any other value stops the solve with `NKS_ERR_ABORTED`.
pub type nks_nonlinear_monitor_fn =
    Option<unsafe extern "C" fn(report: *const nks_nonlinear_report, x: *const f64, n: usize, user_data: *mut c_void) -> c_int>;

type ResidualFn = unsafe extern "C" fn(*const f64, usize, *mut f64, usize, *mut c_void) -> c_int;
type ProductFn = unsafe extern "C" fn(*const f64, *const f64, usize, *mut f64, usize, *mut c_void) -> c_int;
type PrecondFn = unsafe extern "C" fn(*const f64, *const f64, usize, *mut f64, *mut c_void) -> c_int;
type MonitorFn = unsafe extern "C" fn(*const nks_nonlinear_report, *const f64, usize, *mut c_void) -> c_int;

/// The host's oracles, as set by `nks_nonlinear_set_oracles` / `_set_preconditioner`.
#[derive(Clone, Copy)]
struct HostSystem {
    /// Residual count; 0 for `m = n`.
    m: usize,
    residual: ResidualFn,
    jacobian_vector: Option<ProductFn>,
    jacobian_transpose: Option<ProductFn>,
    user_data: *mut c_void,
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
// lengths (x, v, jtw, r, z: n; f, jv, w: m) and its user_data.
impl NonlinearSystem for HostSystem {
    fn residual_len(&self, n: usize) -> usize {
        if self.m == 0 {
            n
        } else {
            self.m
        }
    }
    fn residual(&mut self, x: &[f64], f: &mut [f64]) -> Result<(), OracleFailure> {
        code(unsafe { (self.residual)(x.as_ptr(), x.len(), f.as_mut_ptr(), f.len(), self.user_data) })
    }
    fn has_jacobian_vector(&self) -> bool {
        self.jacobian_vector.is_some()
    }
    fn jacobian_vector(&mut self, x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        let jvp = self.jacobian_vector.expect("called only when has_jacobian_vector");
        code(unsafe { jvp(x.as_ptr(), v.as_ptr(), x.len(), jv.as_mut_ptr(), jv.len(), self.user_data) })
    }
    fn has_jacobian_transpose_vector(&self) -> bool {
        self.jacobian_transpose.is_some()
    }
    fn jacobian_transpose_vector(&mut self, x: &[f64], w: &[f64], jtw: &mut [f64]) -> Result<(), OracleFailure> {
        let jtp = self.jacobian_transpose.expect("called only when has_jacobian_transpose_vector");
        code(unsafe { jtp(x.as_ptr(), w.as_ptr(), w.len(), jtw.as_mut_ptr(), jtw.len(), self.user_data) })
    }
    fn has_preconditioner(&self) -> bool {
        self.preconditioner.is_some()
    }
    fn precondition(&mut self, x: &[f64], r: &[f64], z: &mut [f64]) -> Result<(), OracleFailure> {
        match self.preconditioner {
            Some((pc, data)) => code(unsafe { pc(x.as_ptr(), r.as_ptr(), x.len(), z.as_mut_ptr(), data) }),
            None => {
                z.copy_from_slice(r);
                Ok(())
            }
        }
    }
}

struct NonlinearState {
    solver: NonlinearSolver,
    system: Option<HostSystem>,
    preconditioner: Option<(PrecondFn, *mut c_void)>,
    monitor: Option<(MonitorFn, *mut c_void)>,
}

/// A nonlinear solver: options, the host's oracles, the recycle space carried from one solve
/// to the next, and the report, step records and last point of the last solve. Use from one
/// thread at a time, and not from inside its own callbacks (such calls return
/// `NKS_ERR_INVALID_STATE`).
pub struct nks_nonlinear {
    state: RefCell<NonlinearState>,
}

unsafe fn state<'a>(h: *const nks_nonlinear) -> Result<RefMut<'a, NonlinearState>, CError> {
    borrow_state(
        &try_ref(h, "h")?.state,
        "the nks_nonlinear handle is busy (used from two threads at once, or from inside one of its own callbacks)",
    )
}

/// The termination code and the status a solve that stopped this way returns.
fn outcome(t: &NonlinearTermination) -> (nks_termination, nks_status) {
    use nks_status::*;
    use nks_termination::*;
    use NonlinearTermination as T;
    match t {
        T::NotStarted => (NKS_TERMINATION_NOT_STARTED, NKS_OK),
        T::ResidualAbsolute => (NKS_TERMINATION_CONVERGED_ATOL, NKS_OK),
        T::ResidualRelative => (NKS_TERMINATION_CONVERGED_RTOL, NKS_OK),
        T::Stationary => (NKS_TERMINATION_CONVERGED_STATIONARY, NKS_OK),
        T::StepSize => (NKS_TERMINATION_CONVERGED_STEP, NKS_OK),
        T::MaxIterations => (NKS_TERMINATION_MAX_ITERATIONS, NKS_MAX_ITERATIONS),
        T::MaxEvaluations => (NKS_TERMINATION_MAX_EVALUATIONS, NKS_MAX_ITERATIONS),
        T::TimeLimit => (NKS_TERMINATION_TIME_LIMIT, NKS_TIME_LIMIT),
        T::Stagnation(_) => (NKS_TERMINATION_STAGNATION, NKS_STAGNATION),
        T::MonitorStop => (NKS_TERMINATION_MONITOR_STOP, NKS_ERR_ABORTED),
        T::OracleFailed { .. } => (NKS_TERMINATION_CALLBACK_FAILED, NKS_ERR_CALLBACK),
        T::NonFinite(_) => (NKS_TERMINATION_NON_FINITE, NKS_ERR_NON_FINITE),
    }
}

fn to_c_report(r: &NonlinearReport, recycled_vectors: usize) -> nks_nonlinear_report {
    let (termination, status) = outcome(&r.termination);
    nks_nonlinear_report {
        status: status as i32,
        termination: termination as i32,
        method: r.method.code() as i32,
        iterations: r.iterations,
        residual_evaluations: r.residual_evaluations,
        fd_products: r.fd_products,
        jacobian_vector_calls: r.jacobian_vector_calls,
        jacobian_transpose_calls: r.jacobian_transpose_calls,
        preconditioner_calls: r.preconditioner_calls,
        inner_iterations: r.inner_iterations,
        rejected_steps: r.rejected_steps,
        failed_evaluations: r.failed_evaluations,
        steps: r.steps.len(),
        recycled_vectors,
        callback_code: r.callback_code,
        initial_residual_norm: r.initial_residual_norm,
        residual_norm: r.residual_norm,
        gradient_norm: r.gradient_norm,
        step_norm: r.step_norm,
        seconds: r.seconds,
    }
}

fn to_c_step(s: &NonlinearStep) -> nks_nonlinear_step {
    nks_nonlinear_step {
        residual_norm: s.residual_norm,
        forcing: s.forcing,
        linear_residual: s.linear_residual,
        inner_iterations: s.inner_iterations,
        jacobian_products: s.jacobian_products,
        recycled_vectors: s.recycled_vectors,
        step_length: s.step_length,
        lm_parameter: s.lm_parameter,
    }
}

/// Creates a nonlinear solver with the default options (Newton-Krylov with GCRO-DR(30, 10)
/// recycling, finite-difference Jacobian products, Eisenstat-Walker forcing, backtracking; stop
/// at `||F|| <= max(1e-10, 1e-8 ||F0||)`, 100 steps). Set the oracles with
/// `nks_nonlinear_set_oracles` before solving.
#[no_mangle]
pub unsafe extern "C" fn nks_nonlinear_new(out: *mut *mut nks_nonlinear) -> nks_status {
    guard(|| {
        if out.is_null() {
            return Err(null_error("out"));
        }
        let state = NonlinearState {
            solver: NonlinearSolver::new(NonlinearOptions::default()),
            system: None,
            preconditioner: None,
            monitor: None,
        };
        write_handle(out, nks_nonlinear { state: RefCell::new(state) });
        Ok(nks_status::NKS_OK)
    })
}

/// Frees a nonlinear solver. `nks_nonlinear_free(NULL)` does nothing. Called from inside one of
/// the handle's own callbacks it frees nothing and sets the last error message.
#[no_mangle]
pub unsafe extern "C" fn nks_nonlinear_free(h: *mut nks_nonlinear) {
    let _ = guard(|| {
        if !h.is_null() {
            state(h)?;
        }
        free_handle(h);
        Ok(nks_status::NKS_OK)
    });
}

/// Sets the oracles, all called with the same `user_data` on the thread that calls
/// `nks_nonlinear_solve`. `residual` is required; `m` is the number of residuals (0 means
/// `m = n`, a square system, which Newton-Krylov needs). `jacobian_vector` may be NULL
/// (Newton-Krylov then uses the finite difference `(F(x + h v) - F(x)) / h`,
/// `h = fd_error sqrt(1 + ||x||) / ||v||`); `jacobian_transpose` may be NULL except for
/// Levenberg-Marquardt. Errors: `NKS_ERR_NULL_POINTER` when `residual` is NULL.
#[no_mangle]
pub unsafe extern "C" fn nks_nonlinear_set_oracles(
    h: *mut nks_nonlinear,
    m: usize,
    residual: nks_nonlinear_residual_fn,
    jacobian_vector: nks_nonlinear_jacobian_vector_fn,
    jacobian_transpose: nks_nonlinear_jacobian_transpose_fn,
    user_data: *mut c_void,
) -> nks_status {
    guard(|| {
        let mut s = state(h)?;
        let Some(residual) = residual else { return Err(null_error("residual")) };
        s.system = Some(HostSystem {
            m,
            residual,
            jacobian_vector: jacobian_vector.map(|f| f as ProductFn),
            // Same shape as ProductFn: (x, input, its length, output, its length, user_data).
            jacobian_transpose: jacobian_transpose.map(|f| f as ProductFn),
            user_data,
            preconditioner: None,
        });
        Ok(nks_status::NKS_OK)
    })
}

/// Sets (or with NULL removes) the preconditioner of the Newton-Krylov inner solve (right
/// preconditioning), called with its own `user_data`.
#[no_mangle]
pub unsafe extern "C" fn nks_nonlinear_set_preconditioner(h: *mut nks_nonlinear, preconditioner: nks_nonlinear_precond_fn, user_data: *mut c_void) -> nks_status {
    guard(|| {
        let mut s = state(h)?;
        s.preconditioner = preconditioner.map(|p| (p as PrecondFn, user_data));
        Ok(nks_status::NKS_OK)
    })
}

/// Sets (or with NULL removes) the per-step monitor.
#[no_mangle]
pub unsafe extern "C" fn nks_nonlinear_set_monitor(h: *mut nks_nonlinear, monitor: nks_nonlinear_monitor_fn, user_data: *mut c_void) -> nks_status {
    guard(|| {
        let mut s = state(h)?;
        s.monitor = monitor.map(|m| (m as MonitorFn, user_data));
        Ok(nks_status::NKS_OK)
    })
}

/// Sets an option by name:
/// `"method"` an `nks_nonlinear_method` (default Newton-Krylov);
/// `"fatol"` >= 0 (default 1e-10): stop at `||F|| <= fatol`;
/// `"frtol"` >= 0 (default 1e-8): stop at `||F|| <= frtol ||F0||`;
/// `"gatol"` >= 0 (default 1e-10): Levenberg-Marquardt stops at `||J^T F|| <= gatol`;
/// `"xtol"` >= 0 (default 0 = off): stop when an accepted step is `<= xtol max(1, ||x||)`;
/// `"max_iterations"` >= 1 (default 100); `"max_evaluations"` >= 0 (residual calls; default 0 =
/// no limit); `"max_seconds"` >= 0 (default 0 = no limit);
/// `"forcing"` 0 Eisenstat-Walker (default), 1 `min(0.5, sqrt ||F||)`, 2 fixed (Levenberg-Marquardt
/// caps each at 1e-4);
/// `"forcing_value"` in (0, 1) (default 0.1); `"forcing_min"` in (0, 1) (default 1e-10);
/// `"c1"` in (0, 0.5) (default 1e-4); `"line_search"` 0 backtracking (default) / 1 full steps;
/// `"krylov_method"` 1 GMRES / 3 GCRO-DR (default); `"restart"` >= 2 (default 30);
/// `"recycle_dim"` >= 0 (default 10); `"keep_recycle_space"` 0 / 1 (default 1: carried from one
/// solve to the next); `"inner_max_iterations"` >= 1 (default 1000);
/// `"fd_error"` in (0, 1) (default `sqrt(eps)`);
/// `"lm_xi"` > 0 (default 1), `"lm_omega"` >= 0 (default 0), `"lm_eta"` in (0, 2] (default 1):
/// the Levenberg-Marquardt parameter `mu = xi ||F||^eta + omega ||J^T F||^eta`.
///
/// Errors: `NKS_ERR_NULL_POINTER`, `NKS_ERR_UNKNOWN_OPTION` (the message lists the names),
/// `NKS_ERR_INVALID_ARGUMENT` for a value out of range (the option keeps its value).
#[no_mangle]
pub unsafe extern "C" fn nks_nonlinear_set_option(h: *mut nks_nonlinear, name: *const c_char, value: f64) -> nks_status {
    guard(|| {
        let mut s = state(h)?;
        s.solver.options_mut().set(try_str(name, "name")?, value)?;
        Ok(nks_status::NKS_OK)
    })
}

/// Reads an option by name into `*value` (in the encoding `nks_nonlinear_set_option` takes);
/// `*value` is written only on success.
#[no_mangle]
pub unsafe extern "C" fn nks_nonlinear_get_option(h: *const nks_nonlinear, name: *const c_char, value: *mut f64) -> nks_status {
    guard(|| {
        let s = state(h)?;
        let v = s.solver.options().get(try_str(name, "name")?)?;
        write_out(value, v, "value")?;
        Ok(nks_status::NKS_OK)
    })
}

/// Solves `F(x) = 0` (Newton-Krylov) or minimises `||F(x)||^2 / 2` (Levenberg-Marquardt) from
/// `x` (length `n >= 1`).
///
/// Returns `NKS_OK` when a tolerance test passed, with the solution in `x`;
/// `NKS_MAX_ITERATIONS` (step or evaluation limit), `NKS_TIME_LIMIT` or `NKS_STAGNATION` (no
/// acceptable step) with the last accepted point in `x`. Failures leave `x` untouched:
/// `NKS_ERR_CALLBACK` (a callback returned `< 0`, or failed where no step can be shortened; the
/// code is in the report), `NKS_ERR_NON_FINITE` (NaN / Inf in `x`, or from the residual at the
/// starting point), `NKS_ERR_ABORTED` (the monitor), `NKS_ERR_DIMENSION_MISMATCH`
/// (Newton-Krylov with `m != n`), `NKS_ERR_INVALID_ARGUMENT` (Levenberg-Marquardt without the
/// `J^T w` callback), `NKS_ERR_INVALID_STATE` (no oracles set). After any solve that started,
/// `nks_nonlinear_get_point` gives the last accepted point. The recycle space carries into the
/// next solve (time step) unless `"keep_recycle_space"` is 0.
#[no_mangle]
pub unsafe extern "C" fn nks_nonlinear_solve(h: *mut nks_nonlinear, n: usize, x: *mut f64) -> nks_status {
    guard(|| {
        let mut s = state(h)?;
        let Some(mut system) = s.system else {
            return Err(CError::new(nks_status::NKS_ERR_INVALID_STATE, "no oracles are set; call nks_nonlinear_set_oracles first"));
        };
        if n == 0 {
            return Err(Error::invalid("n = 0 is out of range; the problem needs at least one unknown").into());
        }
        let x = try_slice_mut(x, n, "x")?;
        system.preconditioner = s.preconditioner;
        let monitor = s.monitor;
        let recycled = s.solver.recycled_vectors();
        let mut host_monitor = monitor.map(|(f, data)| {
            move |r: &NonlinearReport, x: &[f64]| {
                let c = to_c_report(r, recycled);
                // SAFETY: the host promised `f` takes a report, x of length n and its user_data.
                if unsafe { f(&c, x.as_ptr(), x.len(), data) } == 0 {
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(())
                }
            }
        });
        let termination = s.solver.solve(&mut system, x, host_monitor.as_mut().map(|m| m as &mut _))?.termination.clone();
        finish_solve(outcome(&termination).1, || termination.describe())
    })
}

/// Copies the report of the last solve into `*out`.
#[no_mangle]
pub unsafe extern "C" fn nks_nonlinear_get_report(h: *const nks_nonlinear, out: *mut nks_nonlinear_report) -> nks_status {
    guard(|| {
        let s = state(h)?;
        write_out(out, to_c_report(s.solver.report(), s.solver.recycled_vectors()), "out")?;
        Ok(nks_status::NKS_OK)
    })
}

/// Copies step record `k` (0-based, `k < report.steps`) of the last solve into `*out`.
/// Errors: `NKS_ERR_INVALID_ARGUMENT` when `k` is out of range (the message gives the count).
#[no_mangle]
pub unsafe extern "C" fn nks_nonlinear_get_step(h: *const nks_nonlinear, k: usize, out: *mut nks_nonlinear_step) -> nks_status {
    guard(|| {
        let s = state(h)?;
        let steps = &s.solver.report().steps;
        let Some(step) = steps.get(k) else {
            return Err(Error::invalid(format!("k = {k} is out of range; the last solve has {} step records (0..{})", steps.len(), steps.len())).into());
        };
        write_out(out, to_c_step(step), "out")?;
        Ok(nks_status::NKS_OK)
    })
}

/// Writes the last accepted point of the last solve that started into `x` (length `n`, that
/// solve's `n`): the result after a failed solve left the caller's array untouched.
/// Errors: `NKS_ERR_INVALID_STATE` before any solve, `NKS_ERR_DIMENSION_MISMATCH` when `n` is
/// not the last solve's.
#[no_mangle]
pub unsafe extern "C" fn nks_nonlinear_get_point(h: *const nks_nonlinear, n: usize, x: *mut f64) -> nks_status {
    guard(|| {
        let s = state(h)?;
        copy_last_point(s.solver.last_point(), n, x)?;
        Ok(nks_status::NKS_OK)
    })
}

/// Forgets the recycle space (before a solve of an unrelated problem on the same handle).
#[no_mangle]
pub unsafe extern "C" fn nks_nonlinear_clear_recycle_space(h: *mut nks_nonlinear) -> nks_status {
    guard(|| {
        state(h)?.solver.clear_recycle_space();
        Ok(nks_status::NKS_OK)
    })
}

//! `nks_newton`: unconstrained minimisation with callback oracles.

use super::ffi::{borrow_state, copy_last_point, finish_solve, free_handle, guard, null_error, try_ref, try_slice_mut, try_str, write_handle, write_out};
use super::krylov::nks_termination;
use super::status::{nks_status, CError};
use crate::error::{Error, OracleFailure};
use crate::newton::{NewtonOptions, NewtonReport, NewtonSolver, NewtonTermination, Objective};
use std::cell::{RefCell, RefMut};
use std::ffi::{c_char, c_int, c_void};
use std::ops::ControlFlow;

/// The methods of option `"method"`.
#[repr(i32)]
pub enum nks_newton_method {
    /// Trust-region Newton-CG (Steihaug-Toint), the default.
    NKS_NEWTON_TRUST_REGION = 0,
    /// Line-search Newton-CG (Eisenstat-Walker forcing; Armijo or strong Wolfe).
    NKS_NEWTON_LINE_SEARCH = 1,
    /// Lazy-Hessian Newton: Hessian sampled every `"lazy_period"` steps, cubic or gradient
    /// regularisation.
    NKS_NEWTON_LAZY = 2,
    /// Damped Newton with the AICN step size (convex `f`).
    NKS_NEWTON_DAMPED = 3,
    /// Gradient-regularised Newton (Gradient-Normalized Smoothness).
    NKS_NEWTON_GRADIENT_REGULARIZED = 4,
}

/// What the last `nks_newton_solve` did (read with `nks_newton_get_report`); also passed to
/// the monitor after every iteration (then `status` is 0 and `termination` is
/// `NKS_TERMINATION_NOT_STARTED`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct nks_newton_report {
    /// The status the solve returned (an `nks_status` value).
    pub status: i32,
    /// Why it stopped (an `nks_termination` value): `NKS_TERMINATION_CONVERGED_ATOL`
    /// (`||g|| <= gatol`), `_CONVERGED_RTOL` (`||g|| <= grtol ||g0||`), `_CONVERGED_STEP`,
    /// `_CONVERGED_FTOL`, `_MAX_ITERATIONS`, `_MAX_EVALUATIONS`, `_TIME_LIMIT`, `_STAGNATION`,
    /// `_MONITOR_STOP`, `_CALLBACK_FAILED` or `_NON_FINITE`.
    pub termination: i32,
    /// The method that ran (an `nks_newton_method` value).
    pub method: i32,
    /// Outer iterations, rejected trial steps included.
    pub iterations: usize,
    /// Accepted steps.
    pub accepted_steps: usize,
    /// Objective callback calls.
    pub value_calls: usize,
    /// Gradient callback calls.
    pub gradient_calls: usize,
    /// Combined objective + gradient callback calls.
    pub value_gradient_calls: usize,
    /// Hessian-vector product calls.
    pub hessian_vector_calls: usize,
    /// Preconditioner calls.
    pub preconditioner_calls: usize,
    /// Inner CG / Lanczos iterations over all steps.
    pub cg_iterations: usize,
    /// Lazy Hessian: times the Hessian was sampled.
    pub hessian_refreshes: usize,
    /// Trial points rejected (ratio, decrease test, line-search backtracks).
    pub rejected_steps: usize,
    /// Trial points a callback could not evaluate (code `> 0`, NaN or Inf), which made the
    /// solver shrink its step.
    pub failed_evaluations: usize,
    /// The code of the callback that stopped the solve (0 if none).
    pub callback_code: i32,
    /// `f` at the start.
    pub initial_value: f64,
    /// `f` at the returned point.
    pub value: f64,
    /// `||g||` at the start.
    pub initial_gradient_norm: f64,
    /// `||g||` at the returned point.
    pub gradient_norm: f64,
    /// Length of the last accepted step.
    pub step_norm: f64,
    /// The method's adaptive parameter at the end: trust radius, lazy `M`, AICN `L` or `gamma`.
    pub parameter: f64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Objective: write `*f = f(x)` for `x` of length `n`. Return 0 on success, `> 0` when `x`
/// cannot be evaluated (the solver shrinks its step and retries), `< 0` to abort the solve
/// (`NKS_ERR_CALLBACK`). A NaN or Inf result counts as `> 0`.
pub type nks_newton_objective_fn = Option<unsafe extern "C" fn(x: *const f64, n: usize, f: *mut f64, user_data: *mut c_void) -> c_int>;

/// Gradient: write `g = grad f(x)` (length `n`). Return codes as for `nks_newton_objective_fn`.
pub type nks_newton_gradient_fn = Option<unsafe extern "C" fn(x: *const f64, n: usize, g: *mut f64, user_data: *mut c_void) -> c_int>;

/// Objective and gradient at once: `*f = f(x)`, `g = grad f(x)`. Return codes as for
/// `nks_newton_objective_fn`.
pub type nks_newton_objective_gradient_fn =
    Option<unsafe extern "C" fn(x: *const f64, n: usize, f: *mut f64, g: *mut f64, user_data: *mut c_void) -> c_int>;

/// Hessian-vector product: write `hv = H(x) v` (length `n`). Return codes as for
/// `nks_newton_objective_fn` (`> 0` here makes the inner solve stop early and use what it has).
pub type nks_newton_hessian_vector_fn =
    Option<unsafe extern "C" fn(x: *const f64, v: *const f64, n: usize, hv: *mut f64, user_data: *mut c_void) -> c_int>;

/// Preconditioner of the inner CG: write `z = M(x)^{-1} r` for a symmetric positive definite
/// `M(x)` approximating the Hessian at `x`. Return codes as for `nks_newton_objective_fn` (`> 0`:
/// that CG iteration runs unpreconditioned).
pub type nks_newton_precond_fn =
    Option<unsafe extern "C" fn(x: *const f64, r: *const f64, n: usize, z: *mut f64, user_data: *mut c_void) -> c_int>;

/// Called after every iteration with the running report and the current point (length `n`).
/// Return 0 to continue; any other value stops the solve with `NKS_ERR_ABORTED`.
pub type nks_newton_monitor_fn =
    Option<unsafe extern "C" fn(report: *const nks_newton_report, x: *const f64, n: usize, user_data: *mut c_void) -> c_int>;

type ObjectiveFn = unsafe extern "C" fn(*const f64, usize, *mut f64, *mut c_void) -> c_int;
type VectorFn = unsafe extern "C" fn(*const f64, usize, *mut f64, *mut c_void) -> c_int;
type ValueGradientFn = unsafe extern "C" fn(*const f64, usize, *mut f64, *mut f64, *mut c_void) -> c_int;
type ProductFn = unsafe extern "C" fn(*const f64, *const f64, usize, *mut f64, *mut c_void) -> c_int;
type MonitorFn = unsafe extern "C" fn(*const nks_newton_report, *const f64, usize, *mut c_void) -> c_int;

/// The host's oracles, as set by `nks_newton_set_oracles` / `_set_preconditioner`.
#[derive(Clone, Copy)]
struct HostOracles {
    value: Option<ObjectiveFn>,
    gradient: Option<VectorFn>,
    value_gradient: Option<ValueGradientFn>,
    hessian_vector: ProductFn,
    user_data: *mut c_void,
    preconditioner: Option<(ProductFn, *mut c_void)>,
}

fn code(c: c_int) -> Result<(), OracleFailure> {
    if c == 0 {
        Ok(())
    } else {
        Err(OracleFailure { code: c })
    }
}

// SAFETY (every call below): the host promised each callback accepts arrays of length n (the
// solver's vectors, all of length n) and its user_data.
impl Objective for HostOracles {
    fn value(&mut self, x: &[f64]) -> Result<f64, OracleFailure> {
        let mut f = f64::NAN;
        match (self.value, self.value_gradient) {
            (Some(v), _) => code(unsafe { v(x.as_ptr(), x.len(), &mut f, self.user_data) })?,
            (None, Some(vg)) => {
                let mut g = vec![0.0; x.len()];
                code(unsafe { vg(x.as_ptr(), x.len(), &mut f, g.as_mut_ptr(), self.user_data) })?
            }
            (None, None) => unreachable!("set_oracles requires the objective or the combined oracle"),
        }
        Ok(f)
    }

    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure> {
        match (self.gradient, self.value_gradient) {
            (Some(gr), _) => code(unsafe { gr(x.as_ptr(), x.len(), g.as_mut_ptr(), self.user_data) }),
            (None, Some(vg)) => {
                let mut f = 0.0;
                code(unsafe { vg(x.as_ptr(), x.len(), &mut f, g.as_mut_ptr(), self.user_data) })
            }
            (None, None) => unreachable!("set_oracles requires the gradient or the combined oracle"),
        }
    }

    fn hessian_vector(&mut self, x: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure> {
        code(unsafe { (self.hessian_vector)(x.as_ptr(), v.as_ptr(), x.len(), hv.as_mut_ptr(), self.user_data) })
    }

    fn has_value_gradient(&self) -> bool {
        self.value_gradient.is_some()
    }

    fn value_gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<f64, OracleFailure> {
        let Some(vg) = self.value_gradient else {
            let f = self.value(x)?;
            self.gradient(x, g)?;
            return Ok(f);
        };
        let mut f = f64::NAN;
        code(unsafe { vg(x.as_ptr(), x.len(), &mut f, g.as_mut_ptr(), self.user_data) })?;
        Ok(f)
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

struct NewtonState {
    solver: NewtonSolver,
    oracles: Option<HostOracles>,
    preconditioner: Option<(ProductFn, *mut c_void)>,
    monitor: Option<(MonitorFn, *mut c_void)>,
}

/// A Newton minimiser: options, the host's oracles, and the report and last point of the
/// last solve. Use from one thread at a time, and not from inside its own callbacks (such
/// calls return `NKS_ERR_INVALID_STATE`).
pub struct nks_newton {
    state: RefCell<NewtonState>,
}

unsafe fn state<'a>(h: *const nks_newton) -> Result<RefMut<'a, NewtonState>, CError> {
    borrow_state(
        &try_ref(h, "h")?.state,
        "the nks_newton handle is busy (used from two threads at once, or from inside one of its own callbacks)",
    )
}

/// The termination code and the status a solve that stopped this way returns.
fn outcome(t: &NewtonTermination) -> (nks_termination, nks_status) {
    use nks_status::*;
    use nks_termination::*;
    use NewtonTermination as T;
    match t {
        T::NotStarted => (NKS_TERMINATION_NOT_STARTED, NKS_OK),
        T::GradientAbsolute => (NKS_TERMINATION_CONVERGED_ATOL, NKS_OK),
        T::GradientRelative => (NKS_TERMINATION_CONVERGED_RTOL, NKS_OK),
        T::StepSize => (NKS_TERMINATION_CONVERGED_STEP, NKS_OK),
        T::FunctionChange => (NKS_TERMINATION_CONVERGED_FTOL, NKS_OK),
        T::MaxIterations => (NKS_TERMINATION_MAX_ITERATIONS, NKS_MAX_ITERATIONS),
        T::MaxEvaluations => (NKS_TERMINATION_MAX_EVALUATIONS, NKS_MAX_ITERATIONS),
        T::TimeLimit => (NKS_TERMINATION_TIME_LIMIT, NKS_TIME_LIMIT),
        T::Stagnation(_) => (NKS_TERMINATION_STAGNATION, NKS_STAGNATION),
        T::MonitorStop => (NKS_TERMINATION_MONITOR_STOP, NKS_ERR_ABORTED),
        T::OracleFailed { .. } => (NKS_TERMINATION_CALLBACK_FAILED, NKS_ERR_CALLBACK),
        T::NonFinite(_) => (NKS_TERMINATION_NON_FINITE, NKS_ERR_NON_FINITE),
    }
}

fn to_c_report(r: &NewtonReport) -> nks_newton_report {
    let (termination, status) = outcome(&r.termination);
    nks_newton_report {
        status: status as i32,
        termination: termination as i32,
        method: r.method.code() as i32,
        iterations: r.iterations,
        accepted_steps: r.accepted_steps,
        value_calls: r.value_calls,
        gradient_calls: r.gradient_calls,
        value_gradient_calls: r.value_gradient_calls,
        hessian_vector_calls: r.hessian_vector_calls,
        preconditioner_calls: r.preconditioner_calls,
        cg_iterations: r.cg_iterations,
        hessian_refreshes: r.hessian_refreshes,
        rejected_steps: r.rejected_steps,
        failed_evaluations: r.failed_evaluations,
        callback_code: r.callback_code,
        initial_value: r.initial_value,
        value: r.value,
        initial_gradient_norm: r.initial_gradient_norm,
        gradient_norm: r.gradient_norm,
        step_norm: r.step_norm,
        parameter: r.parameter,
        seconds: r.seconds,
    }
}

/// Creates a minimiser with the default options (trust-region Newton-CG, stop at
/// `||g|| <= 1e-8`, 1000 iterations). Set the oracles with `nks_newton_set_oracles` before
/// solving.
#[no_mangle]
pub unsafe extern "C" fn nks_newton_new(out: *mut *mut nks_newton) -> nks_status {
    guard(|| {
        if out.is_null() {
            return Err(null_error("out"));
        }
        let state = NewtonState {
            solver: NewtonSolver::new(NewtonOptions::default()),
            oracles: None,
            preconditioner: None,
            monitor: None,
        };
        write_handle(out, nks_newton { state: RefCell::new(state) });
        Ok(nks_status::NKS_OK)
    })
}

/// Frees a minimiser. `nks_newton_free(NULL)` does nothing. Called from inside one of the
/// handle's own callbacks (while its solve runs) it frees nothing and sets the last error
/// message: freeing there would pull the solver from under the running solve.
#[no_mangle]
pub unsafe extern "C" fn nks_newton_free(h: *mut nks_newton) {
    let _ = guard(|| {
        if !h.is_null() {
            state(h)?;
        }
        free_handle(h);
        Ok(nks_status::NKS_OK)
    });
}

/// Sets the oracles, all called with the same `user_data` on the thread that calls
/// `nks_newton_solve`. `hessian_vector` is required. The value and gradient come from
/// `objective` and `gradient`, or from `objective_gradient`: when that is given it serves every
/// value and gradient request (a value-only request then computes the gradient too, which
/// hosts that evaluate both in one pass want) and `objective`, `gradient` may be NULL.
/// Errors: `NKS_ERR_NULL_POINTER` naming what is missing.
#[no_mangle]
pub unsafe extern "C" fn nks_newton_set_oracles(
    h: *mut nks_newton,
    objective: nks_newton_objective_fn,
    gradient: nks_newton_gradient_fn,
    objective_gradient: nks_newton_objective_gradient_fn,
    hessian_vector: nks_newton_hessian_vector_fn,
    user_data: *mut c_void,
) -> nks_status {
    guard(|| {
        let mut s = state(h)?;
        let Some(hessian_vector) = hessian_vector else { return Err(null_error("hessian_vector")) };
        if objective.is_none() && objective_gradient.is_none() {
            return Err(null_error("objective (and objective_gradient)"));
        }
        if gradient.is_none() && objective_gradient.is_none() {
            return Err(null_error("gradient (and objective_gradient)"));
        }
        s.oracles = Some(HostOracles {
            value: objective,
            gradient,
            value_gradient: objective_gradient,
            hessian_vector,
            user_data,
            preconditioner: None,
        });
        Ok(nks_status::NKS_OK)
    })
}

/// Sets (or with NULL removes) the preconditioner of the inner CG, called with its own
/// `user_data`. The trust region is then measured in the preconditioner's norm. The
/// lazy-Hessian method does not use it (it samples the Hessian by Lanczos, not CG).
#[no_mangle]
pub unsafe extern "C" fn nks_newton_set_preconditioner(h: *mut nks_newton, preconditioner: nks_newton_precond_fn, user_data: *mut c_void) -> nks_status {
    guard(|| {
        let mut s = state(h)?;
        s.preconditioner = preconditioner.map(|p| (p as ProductFn, user_data));
        Ok(nks_status::NKS_OK)
    })
}

/// Sets (or with NULL removes) the per-iteration monitor.
#[no_mangle]
pub unsafe extern "C" fn nks_newton_set_monitor(h: *mut nks_newton, monitor: nks_newton_monitor_fn, user_data: *mut c_void) -> nks_status {
    guard(|| {
        let mut s = state(h)?;
        s.monitor = monitor.map(|m| (m as MonitorFn, user_data));
        Ok(nks_status::NKS_OK)
    })
}

/// Sets an option by name:
/// `"method"` an `nks_newton_method` (default trust region);
/// `"gatol"` >= 0 (default 1e-8): stop at `||g|| <= gatol`;
/// `"grtol"` >= 0 (default 0 = off): stop at `||g|| <= grtol ||g0||`;
/// `"xtol"` >= 0 (default 0 = off): stop when an accepted step is `<= xtol max(1, ||x||)`;
/// `"ftol"` >= 0 (default 0 = off): stop when an accepted step changes `f` by
/// `<= ftol max(1, |f|)`;
/// `"max_iterations"` >= 1 (default 1000); `"max_evaluations"` >= 0 (all oracle calls; default
/// 0 = no limit); `"max_seconds"` >= 0 (default 0 = no limit);
/// `"forcing"` 0 Eisenstat-Walker (default), 1 `min(0.5, sqrt ||g||)`, 2 fixed
/// `"forcing_value"` in (0, 1) (default 0.1); `"forcing_min"` in (0, 1) (default 1e-10);
/// `"cg_max_iterations"` >= 0 (default 0: `n`, at most 10000);
/// `"initial_radius"` > 0 (default 1), `"max_radius"` > 0 (default 1e10) (trust region);
/// `"line_search"` 0 Armijo backtracking (default) / 1 strong Wolfe, `"c1"` in (0, 0.5)
/// (default 1e-4), `"c2"` in (c1, 1) (default 0.9) (line search);
/// `"lazy_period"` >= 1 (default 5), `"lazy_rank"` in 1..=1000 (default 20; memory
/// `lazy_rank n` doubles), `"lazy_regularization"` 0 gradient (convex) / 1 cubic (default),
/// `"regularization"` > 0 (initial `M`, default 1) (lazy Hessian);
/// `"lipschitz"` >= 0 (AICN's `L`; default 0: found by backtracking) (damped);
/// `"gamma"` > 0 (default 1) (gradient-regularised).
///
/// Errors: `NKS_ERR_NULL_POINTER`, `NKS_ERR_UNKNOWN_OPTION` (the message lists the names),
/// `NKS_ERR_INVALID_ARGUMENT` for a value out of range (the option keeps its value).
#[no_mangle]
pub unsafe extern "C" fn nks_newton_set_option(h: *mut nks_newton, name: *const c_char, value: f64) -> nks_status {
    guard(|| {
        let mut s = state(h)?;
        s.solver.options_mut().set(try_str(name, "name")?, value)?;
        Ok(nks_status::NKS_OK)
    })
}

/// Reads an option by name into `*value` (in the encoding `nks_newton_set_option` takes);
/// `*value` is written only on success.
#[no_mangle]
pub unsafe extern "C" fn nks_newton_get_option(h: *const nks_newton, name: *const c_char, value: *mut f64) -> nks_status {
    guard(|| {
        let s = state(h)?;
        let v = s.solver.options().get(try_str(name, "name")?)?;
        write_out(value, v, "value")?;
        Ok(nks_status::NKS_OK)
    })
}

/// Minimises `f` from `x` (length `n >= 1`).
///
/// Returns `NKS_OK` when a tolerance test passed, with the minimiser in `x`;
/// `NKS_MAX_ITERATIONS` (iteration or oracle-call limit), `NKS_TIME_LIMIT` or `NKS_STAGNATION`
/// (no acceptable step: `f` is at its rounding level or every trial point failed) with the
/// last accepted point, the lowest `f` found, in `x` (for damped Newton with a given
/// `"lipschitz"`: the last iterate). Failures leave `x` untouched:
/// `NKS_ERR_CALLBACK` (a callback returned `< 0`, or `> 0` at the starting point; the code is
/// in the report), `NKS_ERR_NON_FINITE` (NaN / Inf in `x`, or from the oracles at the
/// starting point), `NKS_ERR_ABORTED` (the monitor), `NKS_ERR_INVALID_STATE` (no oracles
/// set). After any solve that started, `nks_newton_get_point` gives the last accepted point,
/// so an aborted run loses nothing.
#[no_mangle]
pub unsafe extern "C" fn nks_newton_solve(h: *mut nks_newton, n: usize, x: *mut f64) -> nks_status {
    guard(|| {
        let mut s = state(h)?;
        let Some(mut oracles) = s.oracles else {
            return Err(CError::new(nks_status::NKS_ERR_INVALID_STATE, "no oracles are set; call nks_newton_set_oracles first"));
        };
        if n == 0 {
            return Err(Error::invalid("n = 0 is out of range; the problem needs at least one variable").into());
        }
        let x = try_slice_mut(x, n, "x")?;
        oracles.preconditioner = s.preconditioner;
        let monitor = s.monitor;
        let mut host_monitor = monitor.map(|(f, data)| {
            move |r: &NewtonReport, x: &[f64]| {
                let c = to_c_report(r);
                // SAFETY: the host promised `f` takes a report, x of length n and its user_data.
                if unsafe { f(&c, x.as_ptr(), x.len(), data) } == 0 {
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(())
                }
            }
        });
        let termination = s.solver.minimize(&mut oracles, x, host_monitor.as_mut().map(|m| m as &mut _))?.termination.clone();
        finish_solve(outcome(&termination).1, || termination.describe())
    })
}

/// Copies the report of the last solve into `*out`.
#[no_mangle]
pub unsafe extern "C" fn nks_newton_get_report(h: *const nks_newton, out: *mut nks_newton_report) -> nks_status {
    guard(|| {
        let s = state(h)?;
        write_out(out, to_c_report(s.solver.report()), "out")?;
        Ok(nks_status::NKS_OK)
    })
}

/// Writes the last accepted point of the last solve that started into `x` (length `n`, that
/// solve's `n`): the result after a failed solve (the monitor, a callback abort) left the
/// caller's array untouched. A solve refused before it started (bad arguments, NaN in `x`)
/// changes neither this point nor the report.
/// Errors: `NKS_ERR_INVALID_STATE` before any solve, `NKS_ERR_DIMENSION_MISMATCH` when `n` is
/// not the last solve's.
#[no_mangle]
pub unsafe extern "C" fn nks_newton_get_point(h: *const nks_newton, n: usize, x: *mut f64) -> nks_status {
    guard(|| {
        let s = state(h)?;
        copy_last_point(s.solver.last_point(), n, x)?;
        Ok(nks_status::NKS_OK)
    })
}

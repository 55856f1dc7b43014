//! What a nonlinear solve reports.

use super::NonlinearMethod;

/// Why a solve stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum NonlinearTermination {
    /// No solve has run yet.
    NotStarted,
    /// `||F|| <= fatol`.
    ResidualAbsolute,
    /// `||F|| <= frtol ||F_0||`.
    ResidualRelative,
    /// Levenberg-Marquardt: a stationary point of `||F||^2`: `||J^T F|| <= gatol`, or so small
    /// that the model predicts no decrease above the rounding level of `||F||^2`.
    Stationary,
    /// An accepted step was below `xtol`.
    StepSize,
    /// The iteration limit was reached; `x` is the last accepted point.
    MaxIterations,
    /// The residual-evaluation limit was reached; `x` is the last accepted point.
    MaxEvaluations,
    /// The time limit was reached; `x` is the last accepted point.
    TimeLimit,
    /// No acceptable step could be found (the line search shrank the step to the rounding
    /// level, or every trial point failed to evaluate); `x` is the last accepted point.
    Stagnation(String),
    /// The monitor asked to stop.
    MonitorStop,
    /// An oracle returned a code `< 0` (or `> 0` where no step can be shortened: at the
    /// starting point, or a Jacobian product at an accepted point).
    OracleFailed {
        /// Which oracle.
        oracle: &'static str,
        /// What it returned.
        code: i32,
    },
    /// An oracle produced NaN or infinity where no step can be shortened (the starting point).
    NonFinite(String),
}

impl NonlinearTermination {
    /// Converged by one of the tolerance tests.
    pub fn converged(&self) -> bool {
        use NonlinearTermination::*;
        matches!(self, ResidualAbsolute | ResidualRelative | Stationary | StepSize)
    }

    /// The returned point is usable: converged, or stopped by a limit or stagnation.
    pub fn usable(&self) -> bool {
        use NonlinearTermination::*;
        self.converged() || matches!(self, MaxIterations | MaxEvaluations | TimeLimit | Stagnation(_))
    }

    /// One sentence a user can act on.
    pub fn describe(&self) -> String {
        use NonlinearTermination::*;
        match self {
            NotStarted => "no solve has run".into(),
            ResidualAbsolute => "converged: ||F|| <= fatol".into(),
            ResidualRelative => "converged: ||F|| <= frtol ||F0||".into(),
            Stationary => "converged to a stationary point of ||F||^2 (||J^T F|| <= gatol, or no decrease above rounding)".into(),
            StepSize => "converged: the last step was below xtol".into(),
            MaxIterations => "iteration limit reached before the tolerances; raise max_iterations".into(),
            MaxEvaluations => "residual-evaluation limit reached before the tolerances; raise max_evaluations".into(),
            TimeLimit => "time limit reached before the tolerances; raise max_seconds".into(),
            Stagnation(why) => format!("no further progress: {why}"),
            MonitorStop => "the monitor callback asked to stop the solve".into(),
            OracleFailed { oracle, code } => format!("the {oracle} callback returned {code}; the solve was stopped"),
            NonFinite(why) => why.clone(),
        }
    }
}

/// One Newton or Levenberg-Marquardt step: how inexact its linear solve was and what the
/// recycling did.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct NonlinearStep {
    /// `||F||` at the start of the step.
    pub residual_norm: f64,
    /// The forcing term `eta` the inner solve was asked for (relative residual).
    pub forcing: f64,
    /// The relative residual the inner solve reached (`||F + J d|| / ||F||` for Newton-Krylov,
    /// `||(J^T J + mu I) d + J^T F|| / ||J^T F||` for Levenberg-Marquardt).
    pub linear_residual: f64,
    /// Inner Krylov / CGLS iterations.
    pub inner_iterations: usize,
    /// Jacobian applications of the inner solve (`J v` or `J^T w`), the recycle space's
    /// re-fit to the new Jacobian included.
    pub jacobian_products: usize,
    /// Recycled vectors the inner solve started with (0 for GMRES and for the first solve).
    pub recycled_vectors: usize,
    /// The step length `t` taken (1 = full step; 0 = a rejected Levenberg-Marquardt step).
    pub step_length: f64,
    /// Levenberg-Marquardt: the parameter `mu` of the step (0 for Newton-Krylov).
    pub lm_parameter: f64,
}

/// What a nonlinear solve did: counts of every oracle call by kind, the final state, the
/// per-step history, and why it stopped. Passed to the monitor after every step.
#[derive(Debug, Clone, PartialEq)]
pub struct NonlinearReport {
    /// Why it stopped.
    pub termination: NonlinearTermination,
    /// The method that ran.
    pub method: NonlinearMethod,
    /// Steps taken (accepted and, for Levenberg-Marquardt, rejected).
    pub iterations: usize,
    /// Residual callback calls, those of finite-difference products and line searches
    /// included.
    pub residual_evaluations: usize,
    /// Jacobian-vector products by finite differences (each one residual evaluation).
    pub fd_products: usize,
    /// Jacobian-vector callback calls.
    pub jacobian_vector_calls: usize,
    /// Transposed-Jacobian-vector callback calls.
    pub jacobian_transpose_calls: usize,
    /// Preconditioner callback calls.
    pub preconditioner_calls: usize,
    /// Inner Krylov / CGLS iterations over all steps.
    pub inner_iterations: usize,
    /// Trial points rejected (line-search backtracks, rejected Levenberg-Marquardt steps).
    pub rejected_steps: usize,
    /// Trial points a callback could not evaluate (code `> 0`, NaN or Inf).
    pub failed_evaluations: usize,
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
    /// One record per step, in order.
    pub steps: Vec<NonlinearStep>,
}

impl NonlinearReport {
    /// An empty report for `method`.
    pub fn new(method: NonlinearMethod) -> Self {
        NonlinearReport {
            termination: NonlinearTermination::NotStarted,
            method,
            iterations: 0,
            residual_evaluations: 0,
            fd_products: 0,
            jacobian_vector_calls: 0,
            jacobian_transpose_calls: 0,
            preconditioner_calls: 0,
            inner_iterations: 0,
            rejected_steps: 0,
            failed_evaluations: 0,
            callback_code: 0,
            initial_residual_norm: f64::NAN,
            residual_norm: f64::NAN,
            gradient_norm: f64::NAN,
            step_norm: 0.0,
            seconds: 0.0,
            steps: Vec::new(),
        }
    }

    /// Jacobian applications of every kind (user products, finite-difference products, and
    /// transposed products).
    pub fn jacobian_products(&self) -> usize {
        self.fd_products + self.jacobian_vector_calls + self.jacobian_transpose_calls
    }
}

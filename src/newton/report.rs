//! What a Newton solve reports.

use super::NewtonMethod;

/// Why a solve stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum NewtonTermination {
    /// No solve has run yet.
    NotStarted,
    /// `||g|| <= gatol`.
    GradientAbsolute,
    /// `||g|| <= grtol ||g_0||`.
    GradientRelative,
    /// An accepted step was below `xtol`.
    StepSize,
    /// An accepted step changed `f` by less than `ftol`.
    FunctionChange,
    /// The iteration limit was reached; `x` is the best point found.
    MaxIterations,
    /// The oracle-call limit was reached; `x` is the best point found.
    MaxEvaluations,
    /// The time limit was reached; `x` is the best point found.
    TimeLimit,
    /// No acceptable step could be found (trust radius or step length at the rounding level,
    /// or every trial point failed to evaluate); `x` is the best point found.
    Stagnation(String),
    /// The monitor asked to stop.
    MonitorStop,
    /// An oracle returned a code `< 0` (or `> 0` where no step can be shrunk: at the starting
    /// point).
    OracleFailed {
        /// Which oracle.
        oracle: &'static str,
        /// What it returned.
        code: i32,
    },
    /// An oracle produced NaN or infinity where no step can be shrunk (the starting point).
    NonFinite(String),
}

impl NewtonTermination {
    /// Converged by one of the tolerance tests.
    pub fn converged(&self) -> bool {
        use NewtonTermination::*;
        matches!(self, GradientAbsolute | GradientRelative | StepSize | FunctionChange)
    }

    /// The returned point is usable: converged, or stopped by a limit or stagnation.
    pub fn usable(&self) -> bool {
        use NewtonTermination::*;
        self.converged() || matches!(self, MaxIterations | MaxEvaluations | TimeLimit | Stagnation(_))
    }

    /// One sentence a user can act on.
    pub fn describe(&self) -> String {
        use NewtonTermination::*;
        match self {
            NotStarted => "no solve has run".into(),
            GradientAbsolute => "converged: ||g|| <= gatol".into(),
            GradientRelative => "converged: ||g|| <= grtol ||g0||".into(),
            StepSize => "converged: the last step was below xtol".into(),
            FunctionChange => "converged: the last step changed f by less than ftol".into(),
            MaxIterations => "iteration limit reached before the tolerances; raise max_iterations".into(),
            MaxEvaluations => "oracle-call limit reached before the tolerances; raise max_evaluations".into(),
            TimeLimit => "time limit reached before the tolerances; raise max_seconds".into(),
            Stagnation(why) => format!("no further progress: {why}"),
            MonitorStop => "the monitor callback asked to stop the solve".into(),
            OracleFailed { oracle, code } => format!("the {oracle} callback returned {code}; the solve was stopped"),
            NonFinite(why) => why.clone(),
        }
    }
}

/// What a Newton solve did: counts of every oracle call by kind, the final state, and why it
/// stopped. Passed to the monitor after every iteration, and kept by the solver afterwards.
#[derive(Debug, Clone, PartialEq)]
pub struct NewtonReport {
    /// Why it stopped.
    pub termination: NewtonTermination,
    /// The method that ran.
    pub method: NewtonMethod,
    /// Outer iterations (rejected trial steps of the trust-region and regularised methods
    /// included).
    pub iterations: usize,
    /// Accepted steps.
    pub accepted_steps: usize,
    /// Objective-value calls.
    pub value_calls: usize,
    /// Gradient calls.
    pub gradient_calls: usize,
    /// Combined value + gradient calls.
    pub value_gradient_calls: usize,
    /// Hessian-vector products.
    pub hessian_vector_calls: usize,
    /// Preconditioner applications.
    pub preconditioner_calls: usize,
    /// Inner CG (or Lanczos) iterations, all solves together.
    pub cg_iterations: usize,
    /// Lazy Hessian: times the Hessian was sampled (a Lanczos run at the current point).
    pub hessian_refreshes: usize,
    /// Trial points rejected (trust-region ratio too small, regularisation test failed, line
    /// search backtracks).
    pub rejected_steps: usize,
    /// Trial points an oracle could not evaluate (code `> 0`, or NaN / Inf) and that were
    /// shrunk.
    pub failed_evaluations: usize,
    /// The code of the oracle that stopped the solve (0 if none).
    pub callback_code: i32,
    /// `f` at the start.
    pub initial_value: f64,
    /// `f` at the returned point.
    pub value: f64,
    /// `||g_0||`.
    pub initial_gradient_norm: f64,
    /// `||g||` at the returned point.
    pub gradient_norm: f64,
    /// Length of the last accepted step.
    pub step_norm: f64,
    /// The last trust radius (trust region), regularisation `M` (lazy), `L` (damped) or
    /// `gamma` (gradient-regularised).
    pub parameter: f64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl NewtonReport {
    /// The report of a solve that has not started.
    pub fn new(method: NewtonMethod) -> Self {
        NewtonReport {
            termination: NewtonTermination::NotStarted,
            method,
            iterations: 0,
            accepted_steps: 0,
            value_calls: 0,
            gradient_calls: 0,
            value_gradient_calls: 0,
            hessian_vector_calls: 0,
            preconditioner_calls: 0,
            cg_iterations: 0,
            hessian_refreshes: 0,
            rejected_steps: 0,
            failed_evaluations: 0,
            callback_code: 0,
            initial_value: f64::NAN,
            value: f64::NAN,
            initial_gradient_norm: f64::NAN,
            gradient_norm: f64::NAN,
            step_norm: 0.0,
            parameter: f64::NAN,
            seconds: 0.0,
        }
    }

    /// Oracle calls of all kinds (what `max_evaluations` limits).
    pub fn evaluations(&self) -> usize {
        self.value_calls + self.gradient_calls + self.value_gradient_calls + self.hessian_vector_calls + self.preconditioner_calls
    }
}

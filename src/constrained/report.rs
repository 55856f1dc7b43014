//! What an equality-constrained solve reports.

use super::KktSolver;

/// Why a solve stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum ConstrainedTermination {
    /// No solve has run yet.
    NotStarted,
    /// `||grad_x L|| <= stationarity_tol` and `||c|| <= feasibility_tol`.
    Converged,
    /// The iteration limit was reached; `x`, `lambda` are the last accepted point.
    MaxIterations,
    /// The merit-evaluation limit was reached; `x`, `lambda` are the last accepted point.
    MaxEvaluations,
    /// The time limit was reached; `x`, `lambda` are the last accepted point.
    TimeLimit,
    /// No acceptable step could be found (the line search shrank the step below rounding, the
    /// penalties reached their limits without a descent direction, or every trial point failed
    /// to evaluate); `x`, `lambda` are the last accepted point.
    Stagnation(String),
    /// The monitor asked to stop.
    MonitorStop,
    /// An oracle returned a code `< 0` (or `> 0` where no step can be shortened: at the
    /// starting point, or a product at an accepted point).
    OracleFailed {
        /// Which oracle.
        oracle: &'static str,
        /// What it returned.
        code: i32,
    },
    /// An oracle produced NaN or infinity where no step can be shortened.
    NonFinite(String),
}

impl ConstrainedTermination {
    /// Converged by the KKT tests.
    pub fn converged(&self) -> bool {
        matches!(self, ConstrainedTermination::Converged)
    }

    /// The returned point is usable: converged, or stopped by a limit or stagnation.
    pub fn usable(&self) -> bool {
        use ConstrainedTermination::*;
        matches!(self, Converged | MaxIterations | MaxEvaluations | TimeLimit | Stagnation(_))
    }

    /// One sentence a user can act on.
    pub fn describe(&self) -> String {
        use ConstrainedTermination::*;
        match self {
            NotStarted => "no solve has run".into(),
            Converged => "converged: ||grad_x L|| <= stationarity_tol and ||c|| <= feasibility_tol".into(),
            MaxIterations => "iteration limit reached before the KKT tolerances; raise max_iterations".into(),
            MaxEvaluations => "merit-evaluation limit reached before the KKT tolerances; raise max_merit_evaluations".into(),
            TimeLimit => "time limit reached before the KKT tolerances; raise max_seconds".into(),
            Stagnation(why) => format!("no further progress: {why}"),
            MonitorStop => "the monitor callback asked to stop the solve".into(),
            OracleFailed { oracle, code } => format!("the {oracle} callback returned {code}; the solve was stopped"),
            NonFinite(why) => why.clone(),
        }
    }
}

/// One Newton iteration: the KKT residual it started from, how inexact its direction was, and
/// what the merit function and the penalties did.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct KktRecord {
    /// `||grad_x L||_2` at the start of the iteration.
    pub stationarity: f64,
    /// `||c||_2` at the start of the iteration.
    pub feasibility: f64,
    /// The merit `L_eta` at the start of the iteration (with the penalties it was accepted with).
    pub merit: f64,
    /// Inner (sketch, Kaczmarz or MINRES) iterations of the step.
    pub inner_iterations: usize,
    /// The relative residual `||K d + rhs|| / ||rhs||` the inner solve reached.
    pub inner_residual: f64,
    /// The penalty `eta1` the step was accepted with.
    pub eta1: f64,
    /// The penalty `eta2` the step was accepted with.
    pub eta2: f64,
    /// The Hessian shift `t` of the step (0 = none).
    pub regularization: f64,
    /// The step length `alpha` taken.
    pub step_length: f64,
}

/// What an equality-constrained solve did: counts of every oracle call by kind, the final
/// state, the per-iteration history, and why it stopped. Passed to the monitor after every
/// iteration.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstrainedReport {
    /// Why it stopped.
    pub termination: ConstrainedTermination,
    /// The inner solver that ran.
    pub kkt_solver: KktSolver,
    /// Newton iterations (accepted steps).
    pub iterations: usize,
    /// Inner iterations over all Newton steps: sketch projections (Gaussian), rows
    /// (Kaczmarz) or MINRES iterations.
    pub inner_iterations: usize,
    /// Merit evaluations (the start and every line-search trial point).
    pub merit_evaluations: usize,
    /// Penalty updates (`eta1 *= rho^2, eta2 /= rho`) because a direction was not a descent
    /// direction of the merit.
    pub penalty_updates: usize,
    /// Newton steps solved with a Hessian shift `t > 0`.
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
    /// Sparse Jacobian and Hessian value callback calls (Kaczmarz).
    pub matrix_evaluations: usize,
    /// Preconditioner callback calls (MINRES).
    pub preconditioner_calls: usize,
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
    /// One record per iteration, in order (when `record_history` is on).
    pub history: Vec<KktRecord>,
}

impl ConstrainedReport {
    /// An empty report for `kkt_solver`.
    pub fn new(kkt_solver: KktSolver) -> Self {
        ConstrainedReport {
            termination: ConstrainedTermination::NotStarted,
            kkt_solver,
            iterations: 0,
            inner_iterations: 0,
            merit_evaluations: 0,
            penalty_updates: 0,
            regularized_steps: 0,
            rejected_steps: 0,
            failed_evaluations: 0,
            objective_evaluations: 0,
            gradient_evaluations: 0,
            constraint_evaluations: 0,
            jacobian_products: 0,
            jacobian_transpose_products: 0,
            hessian_products: 0,
            matrix_evaluations: 0,
            preconditioner_calls: 0,
            callback_code: 0,
            objective: f64::NAN,
            stationarity: f64::NAN,
            feasibility: f64::NAN,
            initial_stationarity: f64::NAN,
            initial_feasibility: f64::NAN,
            eta1: f64::NAN,
            eta2: f64::NAN,
            seconds: 0.0,
            history: Vec::new(),
        }
    }

    /// Oracle calls of every kind.
    pub fn oracle_calls(&self) -> usize {
        self.objective_evaluations
            + self.gradient_evaluations
            + self.constraint_evaluations
            + self.jacobian_products
            + self.jacobian_transpose_products
            + self.hessian_products
            + self.matrix_evaluations
            + self.preconditioner_calls
    }
}

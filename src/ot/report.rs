//! What a Sinkhorn / SNS solve reports.

use super::OtMethod;

/// Why a solve stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtTermination {
    /// No solve has run.
    NotStarted,
    /// The marginal error reached `tol`.
    Converged,
    /// The iteration cap was reached; the potentials are the last iterate's.
    MaxIterations,
    /// The time limit was reached; the potentials are the last iterate's.
    TimeLimit,
}

impl OtTermination {
    /// Whether the tolerance was met.
    pub fn converged(self) -> bool {
        self == OtTermination::Converged
    }
}

/// Counts, errors and costs of one solve.
#[derive(Debug, Clone, PartialEq)]
pub struct SinkhornReport {
    /// The method that ran.
    pub method: OtMethod,
    /// Why it stopped.
    pub termination: OtTermination,
    /// All iterations (`sinkhorn_iterations + newton_iterations`).
    pub iterations: usize,
    /// Sinkhorn iterations (an update of `f` and one of `g`), warm-up, scaling stages and SNS
    /// fallbacks included.
    pub sinkhorn_iterations: usize,
    /// Newton iterations (SNS).
    pub newton_iterations: usize,
    /// Sinkhorn steps SNS took because a Newton step did not help.
    pub fallback_steps: usize,
    /// CG iterations over all Newton systems.
    pub cg_iterations: usize,
    /// Plan entries kept in the last sparsified Hessian, as a fraction of the `n m` entries of
    /// the plan (0 without Newton).
    pub hessian_density: f64,
    /// `||P 1 - a||_1 + ||P^T 1 - b||_1` of the returned potentials.
    pub marginal_error: f64,
    /// `<C, P>`: the unregularised transport cost of the plan.
    pub transport_cost: f64,
    /// `<C, P> + eps KL(P | a b^T)`: the entropic objective, equal to the dual value
    /// `<a, f> + <b, g>` at the optimum.
    pub regularized_cost: f64,
    /// The regularisation the final stage used.
    pub eps: f64,
    /// Potential updates whose fast shifted sum underflowed and were redone by an exact
    /// max-shifted log-sum-exp (a diagnostic: common in the first iterations at small `eps`).
    pub exact_lines: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl SinkhornReport {
    /// An empty report.
    pub fn not_started() -> Self {
        SinkhornReport {
            method: OtMethod::Sinkhorn,
            termination: OtTermination::NotStarted,
            iterations: 0,
            sinkhorn_iterations: 0,
            newton_iterations: 0,
            fallback_steps: 0,
            cg_iterations: 0,
            hessian_density: 0.0,
            marginal_error: 0.0,
            transport_cost: 0.0,
            regularized_cost: 0.0,
            eps: 0.0,
            exact_lines: 0,
            seconds: 0.0,
        }
    }
}

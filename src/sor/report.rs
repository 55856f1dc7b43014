//! What one SOR / SSOR-PCG solve reports.

use super::SorMethod;
use crate::krylov::Termination;

/// Counts and residuals of one solve (and, through a [`super::SorBandit`], the arm it used).
#[derive(Debug, Clone, PartialEq)]
pub struct SorReport {
    /// The iteration used.
    pub method: SorMethod,
    /// The relaxation parameter used.
    pub omega: f64,
    /// The learner's arm (index into its omega grid); 0 for a direct [`super::SorSolver`] call.
    pub arm: usize,
    /// Iterations: SOR sweeps (a symmetric sweep counts once) or CG iterations.
    pub iterations: usize,
    /// `||b - A x_0||` (the reference of the relative test).
    pub initial_residual_norm: f64,
    /// `||b - A x||` of the returned iterate (of the last iterate when the solve failed).
    pub residual_norm: f64,
    /// Why the solve stopped: converged (`ConvergedRelative`), the iteration cap
    /// (`MaxIterations`, `x` holds the last iterate), a non-finite residual (`NonFinite`, SOR
    /// diverged; `x` untouched) or a CG breakdown (`Breakdown`: `A` or `M` not SPD).
    pub termination: Termination,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl SorReport {
    /// An empty report (no solve has run).
    pub fn not_started() -> Self {
        SorReport {
            method: SorMethod::Sor,
            omega: 0.0,
            arm: 0,
            iterations: 0,
            initial_residual_norm: 0.0,
            residual_norm: 0.0,
            termination: Termination::NotStarted,
            seconds: 0.0,
        }
    }

    /// The cost a learner sees: the iteration count, or `max_iterations` for a solve that did
    /// not converge (capped, diverged or broken down), as the paper's capped cost.
    pub fn cost(&self, max_iterations: usize) -> f64 {
        if self.termination.converged() {
            self.iterations as f64
        } else {
            max_iterations as f64
        }
    }
}

//! What every method implements: one step from the current point.

use super::context::{Context, Point, Stop};

/// The result of one outer iteration.
pub(crate) enum StepOutcome {
    /// `trial` was accepted and swapped into the current point.
    Accepted {
        /// `||x+ - x||`.
        step_norm: f64,
        /// `f` before the step.
        previous_value: f64,
    },
    /// The trial was rejected; the method adapted its radius or regularisation.
    Rejected,
    /// No acceptable step can be found; the message says why.
    Stalled(String),
}

/// One Newton-type method: its state (radius, regularisation, stored Hessian information)
/// and how it finds the next point.
pub(crate) trait Method {
    /// Tries to move `cur`; on acceptance swaps `trial` (evaluated with its gradient) into it.
    fn step(&mut self, ctx: &mut Context, cur: &mut Point, trial: &mut Point) -> Result<StepOutcome, Stop>;

    /// The adaptive parameter the report shows (radius, `M`, `L` or `gamma`).
    fn parameter(&self) -> f64;
}

/// Swaps an accepted trial into the current point and says so.
pub(crate) fn accept(cur: &mut Point, trial: &mut Point) -> StepOutcome {
    let previous_value = cur.f;
    std::mem::swap(cur, trial);
    let mut step_sq = 0.0;
    for (a, b) in cur.x.iter().zip(&trial.x) {
        step_sq += (a - b) * (a - b);
    }
    StepOutcome::Accepted { step_norm: step_sq.sqrt(), previous_value }
}

/// The acceptance test of the gradient-regularised steps (Gradient-Normalized Smoothness;
/// also the lazy method's quadratic regularisation): the decrease pays for the new gradient,
/// `f - f+ >= ||g+||^2 / (8 lambda)`, `lambda` the regularisation of the step.
pub(crate) fn regularized_decrease_ok(cur: &Point, trial: &Point, lambda: f64) -> bool {
    cur.f - trial.f >= trial.gnorm * trial.gnorm / (8.0 * lambda)
}

/// CG iterations per Newton system: the option, or `n` capped at 10000.
pub(crate) fn cg_cap(ctx: &Context, n: usize) -> usize {
    match ctx.options.cg_max_iterations {
        0 => n.min(10_000),
        k => k,
    }
}

//! What a method step returns to the driver.

use super::context::{Context, Point, Stop};

/// The result of one step.
pub(crate) enum StepOutcome {
    /// `cur` moved to a new point (its residual evaluated).
    Accepted {
        /// `||x+ - x||`.
        step_norm: f64,
    },
    /// The trial point was rejected; `cur` is unchanged (the method adapted its parameter).
    Rejected,
    /// `||J^T F||` is so small that the model predicts no decrease of `||F||^2` above its
    /// rounding level: a stationary point to machine precision.
    Stationary,
    /// No acceptable step can be found; the message says why.
    Stalled(String),
}

/// A nonlinear method: how to find the next point from `cur`.
pub(crate) trait Method {
    /// One step from `cur` (using `trial` as scratch). On `Accepted`, `cur` holds the new
    /// point and its residual.
    fn step(&mut self, ctx: &mut Context, cur: &mut Point, trial: &mut Point) -> Result<StepOutcome, Stop>;

    /// Work at the evaluated starting point before the first step.
    fn start(&mut self, _ctx: &mut Context, _cur: &Point) -> Result<(), Stop> {
        Ok(())
    }

    /// `||J^T F||` at the current point, for methods that compute it (else NaN).
    fn gradient_norm(&self) -> f64 {
        f64::NAN
    }
}

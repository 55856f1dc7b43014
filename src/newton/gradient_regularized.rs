//! Gradient-regularised Newton (Gradient-Normalized Smoothness): the step
//! `x+ = x - (H + lambda I)^{-1} g` with `lambda = ||g|| / gamma`; accepted when
//! `f - f+ >= ||g+||^2 / (8 lambda)`, then `gamma` doubles; else `gamma` halves and the step is
//! recomputed.

use super::context::{step_to, Context, Point, Stop};
use super::method::{accept, cg_cap, regularized_decrease_ok, Method, StepOutcome};
use super::truncated_cg::{truncated_cg, CgExit, CgRequest, CgWork, ForcingTerm};

pub(crate) struct GradientRegularized {
    gamma: f64,
    forcing: ForcingTerm,
    work: CgWork,
}

impl GradientRegularized {
    pub fn new(ctx: &Context, n: usize) -> Self {
        let o = ctx.options;
        GradientRegularized { gamma: o.gamma, forcing: ForcingTerm::new(o.forcing, o.forcing_value, o.forcing_min), work: CgWork::new(n) }
    }
}

impl Method for GradientRegularized {
    fn step(&mut self, ctx: &mut Context, cur: &mut Point, trial: &mut Point) -> Result<StepOutcome, Stop> {
        let lambda = cur.gnorm / self.gamma;
        let eta = self.forcing.next(cur.gnorm);
        let req = CgRequest { shift: lambda, radius: None, tol: eta * cur.gnorm, max_iterations: cg_cap(ctx, cur.x.len()) };
        let cg = truncated_cg(ctx, &cur.x, &cur.g, &req, &mut self.work)?;
        // H + lambda I not positive definite along the CG directions: more regularisation.
        let usable = cg.exit != CgExit::NegativeCurvature && cg.gd < 0.0;
        if usable {
            step_to(&cur.x, 1.0, &self.work.d, &mut trial.x);
            if ctx.evaluate(trial, true)? && (regularized_decrease_ok(cur, trial, lambda) || ctx.accept_at_noise_level(cur, trial)?) {
                self.gamma *= 2.0;
                return Ok(accept(cur, trial));
            }
        }
        ctx.report.rejected_steps += 1;
        self.gamma *= 0.5;
        if self.gamma * cur.gnorm.max(f64::MIN_POSITIVE) < f64::EPSILON * f64::EPSILON {
            return Ok(StepOutcome::Stalled(format!(
                "gamma shrank to {:e} without an acceptable step{}",
                self.gamma,
                ctx.failure_note()
            )));
        }
        Ok(StepOutcome::Rejected)
    }

    fn parameter(&self) -> f64 {
        self.gamma
    }
}

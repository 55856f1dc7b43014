//! Trust-region Newton-CG (Steihaug-Toint): the truncated CG step inside the radius, the
//! radius updated from the ratio of actual to predicted reduction (Nocedal-Wright Alg. 4.1).

use super::context::{step_to, Context, Point, Stop};
use super::method::{accept, cg_cap, Method, StepOutcome};
use super::truncated_cg::{truncated_cg, CgExit, CgRequest, CgWork, ForcingTerm};

/// Accept a step whose ratio exceeds this.
const ETA_ACCEPT: f64 = 0.1;

pub(crate) struct TrustRegion {
    radius: f64,
    forcing: ForcingTerm,
    work: CgWork,
}

impl TrustRegion {
    pub fn new(ctx: &Context, n: usize) -> Self {
        let o = ctx.options;
        TrustRegion { radius: o.initial_radius, forcing: ForcingTerm::new(o.forcing, o.forcing_value, o.forcing_min), work: CgWork::new(n) }
    }
}

impl Method for TrustRegion {
    fn step(&mut self, ctx: &mut Context, cur: &mut Point, trial: &mut Point) -> Result<StepOutcome, Stop> {
        let eta = self.forcing.next(cur.gnorm);
        let req = CgRequest { shift: 0.0, radius: Some(self.radius), tol: eta * cur.gnorm, max_iterations: cg_cap(ctx, cur.x.len()) };
        let cg = truncated_cg(ctx, &cur.x, &cur.g, &req, &mut self.work)?;
        let predicted = -cg.model_change();
        if !(predicted > 0.0) {
            return Ok(StepOutcome::Stalled(format!("the quadratic model predicts no decrease (predicted {predicted:e}) at ||g|| = {:e}", cur.gnorm)));
        }
        step_to(&cur.x, 1.0, &self.work.d, &mut trial.x);
        let evaluated = ctx.evaluate(trial, false)?;
        let ratio = match evaluated {
            false => f64::NEG_INFINITY,
            true if ctx.accept_at_noise_level(cur, trial)? => 1.0,
            true => (cur.f - trial.f) / predicted,
        };
        if ratio < 0.25 {
            self.radius *= 0.25;
        } else if ratio > 0.75 && cg.exit == CgExit::Boundary {
            self.radius = (2.0 * self.radius).min(ctx.options.max_radius);
        }
        if ratio > ETA_ACCEPT && ctx.complete_gradient(trial)? {
            return Ok(accept(cur, trial));
        }
        ctx.report.rejected_steps += 1;
        let xnorm = ctx.norm(&cur.x);
        if self.radius <= f64::EPSILON * xnorm.max(1.0) {
            return Ok(StepOutcome::Stalled(format!(
                "the trust radius shrank to {:e}, the rounding level of x, without an acceptable step{}",
                self.radius,
                ctx.failure_note()
            )));
        }
        Ok(StepOutcome::Rejected)
    }

    fn parameter(&self) -> f64 {
        self.radius
    }
}

//! Damped Newton with the AICN step size (Hanzely et al.): `x+ = x + alpha d`, `d` the Newton
//! direction, `alpha = 2 / (1 + sqrt(1 + 2 L G))`, `G = ||d||_x = sqrt(d^T H d)` the Newton
//! decrement. With `L` unknown, `L` is found by backtracking: halved before each step, doubled
//! until `f+` lies below the cubic upper bound the step minimises,
//! `f + alpha g^T d + alpha^2 G^2 / 2 + L alpha^3 G^3 / 6`.

use super::context::{step_to, Context, Point, Stop};
use super::line_search_cg::descent_direction;
use super::method::{accept, cg_cap, Method, StepOutcome};
use super::truncated_cg::{truncated_cg, CgRequest, CgWork, ForcingTerm};

/// Doublings of `L` one step may try before the method gives up.
const MAX_DOUBLINGS: usize = 60;
/// `L` the backtracking variant starts from.
const INITIAL_L: f64 = 1.0;

pub(crate) struct Damped {
    /// The smoothness constant: fixed when given, else the backtracking estimate.
    l: f64,
    backtracking: bool,
    forcing: ForcingTerm,
    work: CgWork,
}

impl Damped {
    pub fn new(ctx: &Context, n: usize) -> Self {
        let o = ctx.options;
        let backtracking = o.lipschitz == 0.0;
        Damped {
            l: if backtracking { 2.0 * INITIAL_L } else { o.lipschitz },
            backtracking,
            forcing: ForcingTerm::new(o.forcing, o.forcing_value, o.forcing_min),
            work: CgWork::new(n),
        }
    }
}

/// The AICN step size for smoothness `l` and Newton decrement `g_dec`.
fn aicn_step(l: f64, g_dec: f64) -> f64 {
    2.0 / (1.0 + (1.0 + 2.0 * l * g_dec).sqrt())
}

impl Method for Damped {
    fn step(&mut self, ctx: &mut Context, cur: &mut Point, trial: &mut Point) -> Result<StepOutcome, Stop> {
        let eta = self.forcing.next(cur.gnorm);
        let req = CgRequest { shift: 0.0, radius: None, tol: eta * cur.gnorm, max_iterations: cg_cap(ctx, cur.x.len()) };
        let cg = truncated_cg(ctx, &cur.x, &cur.g, &req, &mut self.work)?;
        let gd = descent_direction(ctx, &cur.g, &mut self.work.d, cg.gd);
        // ||d||_x^2; where the Hessian gave no positive curvature (nonconvex f) the Euclidean
        // length stands in, so the step stays a damped gradient step.
        let dhd = if cg.gd < 0.0 && cg.dhd > 0.0 { cg.dhd } else { ctx.dot(&self.work.d, &self.work.d) };
        let g_dec = dhd.sqrt();
        if self.backtracking {
            self.l *= 0.5;
        }
        for _ in 0..MAX_DOUBLINGS {
            let alpha = aicn_step(self.l, g_dec);
            step_to(&cur.x, alpha, &self.work.d, &mut trial.x);
            let evaluated = ctx.evaluate(trial, false)?;
            let bound = cur.f + alpha * gd + 0.5 * alpha * alpha * dhd + self.l * (alpha * g_dec).powi(3) / 6.0;
            let fits = evaluated && (!self.backtracking || trial.f <= bound || ctx.accept_at_noise_level(cur, trial)?);
            if fits && ctx.complete_gradient(trial)? {
                return Ok(accept(cur, trial));
            }
            ctx.report.rejected_steps += 1;
            self.l *= 2.0;
        }
        Ok(StepOutcome::Stalled(format!(
            "no step size met the AICN bound after doubling L to {:e}{}",
            self.l,
            ctx.failure_note()
        )))
    }

    fn parameter(&self) -> f64 {
        self.l
    }
}

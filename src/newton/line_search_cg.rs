//! Line-search Newton-CG: CG truncated at the Eisenstat-Walker forcing term or at negative
//! curvature (Nocedal-Wright Alg. 7.1), then an Armijo or strong-Wolfe line search from the
//! full step.

use super::context::{Context, Point, Stop};
use super::line_search::LineSearch;
use super::method::{accept, cg_cap, Method, StepOutcome};
use super::truncated_cg::{truncated_cg, CgRequest, CgWork, ForcingTerm};

pub(crate) struct LineSearchNewton {
    forcing: ForcingTerm,
    search: LineSearch,
    work: CgWork,
    last_step: f64,
}

impl LineSearchNewton {
    pub fn new(ctx: &Context, n: usize) -> Self {
        let o = ctx.options;
        LineSearchNewton {
            forcing: ForcingTerm::new(o.forcing, o.forcing_value, o.forcing_min),
            search: LineSearch { kind: o.line_search, c1: o.c1, c2: o.c2 },
            work: CgWork::new(n),
            last_step: 1.0,
        }
    }
}

/// Makes `d` a descent direction: the CG direction when it is one, else `-g`. Returns `g^T d`.
pub(crate) fn descent_direction(ctx: &Context, g: &[f64], d: &mut [f64], gd: f64) -> f64 {
    if gd < 0.0 {
        return gd;
    }
    for (di, gi) in d.iter_mut().zip(g) {
        *di = -gi;
    }
    -ctx.dot(g, g)
}

impl Method for LineSearchNewton {
    fn step(&mut self, ctx: &mut Context, cur: &mut Point, trial: &mut Point) -> Result<StepOutcome, Stop> {
        let eta = self.forcing.next(cur.gnorm);
        let req = CgRequest { shift: 0.0, radius: None, tol: eta * cur.gnorm, max_iterations: cg_cap(ctx, cur.x.len()) };
        let cg = truncated_cg(ctx, &cur.x, &cur.g, &req, &mut self.work)?;
        let slope = descent_direction(ctx, &cur.g, &mut self.work.d, cg.gd);
        match self.search.search(ctx, cur, &self.work.d, slope, 1.0, trial)? {
            Some(alpha) => {
                self.last_step = alpha;
                Ok(accept(cur, trial))
            }
            None => Ok(StepOutcome::Stalled(format!(
                "the line search found no point with sufficient decrease along the Newton direction (slope {slope:e}){}",
                ctx.failure_note()
            ))),
        }
    }

    fn parameter(&self) -> f64 {
        self.last_step
    }
}

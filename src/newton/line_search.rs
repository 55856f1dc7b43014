//! The one line search of every line-search method: backtracking to the Armijo condition, or
//! bracketing and zoom to the strong Wolfe conditions (Nocedal-Wright, Algorithms 3.5-3.6).
//! A trial point that cannot be evaluated (oracle code `> 0`, NaN, Inf) halves the step.

use super::context::{step_to, Context, Point, Stop};
use super::options::LineSearchKind;

/// Trial points a search may spend before it gives up.
const MAX_TRIALS: usize = 60;

/// The constants of a search.
pub(crate) struct LineSearch {
    pub kind: LineSearchKind,
    pub c1: f64,
    pub c2: f64,
}

/// The minimiser of the cubic through `(a, fa, da)` and `(b, fb, db)` (NW 3.59), or `None`
/// where it does not exist.
fn cubic_min(a: f64, fa: f64, da: f64, b: f64, fb: f64, db: f64) -> Option<f64> {
    let d1 = da + db - 3.0 * (fa - fb) / (a - b);
    let s = d1 * d1 - da * db;
    if !(s >= 0.0) {
        return None;
    }
    let d2 = (b - a).signum() * s.sqrt();
    let t = b - (b - a) * (db + d2 - d1) / (db - da + 2.0 * d2);
    t.is_finite().then_some(t)
}

impl LineSearch {
    /// Searches along `d` from `cur` (with `slope = g^T d < 0`), starting at step `alpha0`.
    /// On success returns the step with `trial` holding the accepted point, its value and
    /// gradient; `None` when no acceptable step was found within the trial budget.
    pub fn search(&self, ctx: &mut Context, cur: &Point, d: &[f64], slope: f64, alpha0: f64, trial: &mut Point) -> Result<Option<f64>, Stop> {
        debug_assert!(slope < 0.0);
        match self.kind {
            LineSearchKind::Armijo => self.backtrack(ctx, cur, d, slope, alpha0, trial),
            LineSearchKind::StrongWolfe => self.wolfe(ctx, cur, d, slope, alpha0, trial),
        }
    }

    /// Evaluates the trial at `x + alpha d`; `Ok(false)` when it cannot be evaluated.
    fn probe(ctx: &mut Context, cur: &Point, d: &[f64], alpha: f64, trial: &mut Point, with_gradient: bool) -> Result<bool, Stop> {
        step_to(&cur.x, alpha, d, &mut trial.x);
        ctx.evaluate(trial, with_gradient)
    }

    fn backtrack(&self, ctx: &mut Context, cur: &Point, d: &[f64], slope: f64, alpha0: f64, trial: &mut Point) -> Result<Option<f64>, Stop> {
        let mut alpha = alpha0;
        for _ in 0..MAX_TRIALS {
            if !Self::probe(ctx, cur, d, alpha, trial, false)? {
                alpha *= 0.5;
                continue;
            }
            let decrease = trial.f - cur.f;
            if decrease <= self.c1 * alpha * slope || ctx.accept_at_noise_level(cur, trial)? {
                if !ctx.complete_gradient(trial)? {
                    alpha *= 0.5;
                    continue;
                }
                return Ok(Some(alpha));
            }
            ctx.report.rejected_steps += 1;
            // Minimiser of the quadratic through f, slope and the trial value, kept in
            // [0.1, 0.5] alpha so the search neither stalls nor crawls.
            let q = -slope * alpha * alpha / (2.0 * (decrease - slope * alpha));
            alpha = if q.is_finite() { q.clamp(0.1 * alpha, 0.5 * alpha) } else { 0.5 * alpha };
        }
        Ok(None)
    }

    fn wolfe(&self, ctx: &mut Context, cur: &Point, d: &[f64], slope: f64, alpha0: f64, trial: &mut Point) -> Result<Option<f64>, Stop> {
        let (f0, c1, c2) = (cur.f, self.c1, self.c2);
        // (alpha, f, derivative) of the previous trial; starts at alpha = 0.
        let (mut a_prev, mut f_prev, mut d_prev) = (0.0, f0, slope);
        let mut alpha = alpha0;
        let mut bracket = None;
        let mut trials = 0;
        while trials < MAX_TRIALS {
            trials += 1;
            if !Self::probe(ctx, cur, d, alpha, trial, true)? {
                alpha = 0.5 * (a_prev + alpha);
                continue;
            }
            if ctx.accept_at_noise_level(cur, trial)? {
                return Ok(Some(alpha));
            }
            let da = ctx.dot(&trial.g, d);
            if trial.f > f0 + c1 * alpha * slope || (trials > 1 && trial.f >= f_prev) {
                bracket = Some(((a_prev, f_prev, d_prev), (alpha, trial.f, da)));
                break;
            }
            if da.abs() <= -c2 * slope {
                return Ok(Some(alpha));
            }
            if da >= 0.0 {
                bracket = Some(((alpha, trial.f, da), (a_prev, f_prev, d_prev)));
                break;
            }
            ctx.report.rejected_steps += 1;
            (a_prev, f_prev, d_prev) = (alpha, trial.f, da);
            alpha *= 2.0;
        }
        let Some((mut lo, mut hi)) = bracket else { return Ok(None) };
        // Zoom: lo is the best point meeting sufficient decrease, hi bounds the bracket.
        while trials < MAX_TRIALS {
            trials += 1;
            ctx.report.rejected_steps += 1;
            let (a, b) = (lo.0.min(hi.0), lo.0.max(hi.0));
            if (b - a) <= f64::EPSILON * b.max(1.0) {
                break;
            }
            let guess = cubic_min(lo.0, lo.1, lo.2, hi.0, hi.1, hi.2).unwrap_or(0.5 * (a + b));
            let margin = 0.1 * (b - a);
            let alpha = if guess > a + margin && guess < b - margin { guess } else { 0.5 * (a + b) };
            if !Self::probe(ctx, cur, d, alpha, trial, true)? {
                hi = (alpha, f64::INFINITY, 0.0);
                continue;
            }
            let da = ctx.dot(&trial.g, d);
            if trial.f > f0 + c1 * alpha * slope || trial.f >= lo.1 {
                hi = (alpha, trial.f, da);
                continue;
            }
            if da.abs() <= -c2 * slope {
                ctx.report.rejected_steps -= 1;
                return Ok(Some(alpha));
            }
            if da * (hi.0 - lo.0) >= 0.0 {
                hi = lo;
            }
            lo = (alpha, trial.f, da);
        }
        // The bracket collapsed: accept the best sufficient-decrease point if it moved at all.
        if lo.0 > 0.0 && Self::probe(ctx, cur, d, lo.0, trial, true)? {
            return Ok(Some(lo.0));
        }
        Ok(None)
    }
}

//! Levenberg-Marquardt for `min ||F(x)||^2 / 2` with the adaptive parameter
//! `mu_k = xi_k ||F_k||^eta + omega ||J_k^T F_k||^eta` of Ahookhosh, Aragon Artacho, Fleming and
//! Vuong, "Local convergence of the Levenberg-Marquardt method under Holder metric
//! subregularity" (2019). The step solves `(J^T J + mu I) d = -J^T F` inexactly by CGLS (only
//! `J v` and `J^T w` products); `xi_k` is adapted from the ratio of actual to predicted
//! reduction, which makes the method globally convergent (Fan and Yuan's trust-region
//! technique for `mu = xi ||F||^delta`).

use super::context::{Context, Point, Stop};
use super::method::{Method, StepOutcome};
use super::NonlinearStep;
use crate::linalg::kernels::step_to;
use crate::newton::ForcingTerm;

/// Ratio thresholds: accept above `ACCEPT`, enlarge `xi` below `SHRINK`, reduce it above `GOOD`.
const ACCEPT: f64 = 1e-4;
const SHRINK: f64 = 0.25;
const GOOD: f64 = 0.75;
const XI_MIN: f64 = 1e-8;
/// The largest relative CGLS residual a step is solved to. A loosely solved system predicts
/// the decrease badly and the ratio test throws the step away: on the Moré-Garbow-Hillstrom
/// least-squares set, Eisenstat-Walker's cap of 0.5 took 3.7x the steps on Osborne 1 (165 vs
/// 45) and 1.2-3x on most others.
const FORCING_CAP: f64 = 1e-4;
const XI_MAX: f64 = 1e8;

pub(crate) struct LevenbergMarquardt {
    xi: f64,
    forcing: ForcingTerm,
    /// `g = J^T F` at `cur` and its norm (NaN until computed).
    g: Vec<f64>,
    gnorm: f64,
    cgls: Cgls,
}

/// CGLS on `min ||J d + F||^2 + mu ||d||^2`: the normal equations' CG, with the residual of
/// the least-squares system kept in `R^m` (stable where forming `J^T J` is not).
struct Cgls {
    d: Vec<f64>,
    p: Vec<f64>,
    s: Vec<f64>,
    /// `r = -F - J d` (length m).
    r: Vec<f64>,
    q: Vec<f64>,
}

impl LevenbergMarquardt {
    pub fn new(ctx: &Context, n: usize, m: usize) -> Self {
        let o = ctx.options;
        LevenbergMarquardt {
            xi: o.lm_xi,
            forcing: ForcingTerm::new(o.forcing, o.forcing_value, o.forcing_min),
            g: vec![0.0; n],
            gnorm: f64::NAN,
            cgls: Cgls { d: vec![0.0; n], p: vec![0.0; n], s: vec![0.0; n], r: vec![0.0; m], q: vec![0.0; m] },
        }
    }

    /// `g = J(x)^T F(x)` at `cur`.
    fn gradient(&mut self, ctx: &mut Context, cur: &Point) -> Result<f64, Stop> {
        let res = ctx.jacobian_transpose_vector(&cur.x, &cur.f, &mut self.g);
        ctx.settle(res)?;
        self.gnorm = ctx.norm(&self.g);
        Ok(self.gnorm)
    }

    /// CGLS to `||J^T r - mu d|| <= eta ||g||`; returns (iterations, reached relative residual).
    fn solve(&mut self, ctx: &mut Context, cur: &Point, mu: f64, eta: f64) -> Result<(usize, f64, usize), Stop> {
        let Cgls { d, p, s, r, q } = &mut self.cgls;
        let xnorm = ctx.norm(&cur.x);
        d.iter_mut().for_each(|t| *t = 0.0);
        for (ri, fi) in r.iter_mut().zip(&cur.f) {
            *ri = -fi;
        }
        for (si, gi) in s.iter_mut().zip(&self.g) {
            *si = -gi;
        }
        p.copy_from_slice(s);
        let mut gamma = self.gnorm * self.gnorm;
        let goal = eta * self.gnorm;
        let max_iterations = ctx.options.inner_max_iterations;
        let mut products = 0;
        let mut k = 0;
        while k < max_iterations && gamma.sqrt() > goal {
            let res = ctx.jacobian_vector(&cur.x, &cur.f, xnorm, p, q);
            ctx.settle(res)?;
            let delta = ctx.dot(q, q) + mu * ctx.dot(p, p);
            if !(delta > 0.0) {
                break;
            }
            let alpha = gamma / delta;
            for (di, pi) in d.iter_mut().zip(p.iter()) {
                *di += alpha * pi;
            }
            for (ri, qi) in r.iter_mut().zip(q.iter()) {
                *ri -= alpha * qi;
            }
            let res = ctx.jacobian_transpose_vector(&cur.x, r, s);
            ctx.settle(res)?;
            for (si, di) in s.iter_mut().zip(d.iter()) {
                *si -= mu * di;
            }
            products += 2;
            k += 1;
            let gamma_next = ctx.dot(s, s);
            let beta = gamma_next / gamma;
            gamma = gamma_next;
            for (pi, si) in p.iter_mut().zip(s.iter()) {
                *pi = si + beta * *pi;
            }
        }
        ctx.report.inner_iterations += k;
        Ok((k, gamma.sqrt() / self.gnorm, products))
    }
}

impl Method for LevenbergMarquardt {
    fn step(&mut self, ctx: &mut Context, cur: &mut Point, trial: &mut Point) -> Result<StepOutcome, Stop> {
        let o = ctx.options;
        let mu = self.xi * cur.fnorm.powf(o.lm_eta) + o.lm_omega * self.gnorm.powf(o.lm_eta);
        let eta = self.forcing.next(self.gnorm).min(FORCING_CAP);
        let (iterations, linear_residual, products) = self.solve(ctx, cur, mu, eta)?;
        // Gauss-Newton model decrease: (||F||^2 - ||F + J d||^2) / 2, with F + J d = -r.
        let r = &self.cgls.r;
        let predicted = 0.5 * (cur.fnorm * cur.fnorm - ctx.dot(r, r));
        let mut record = NonlinearStep {
            residual_norm: cur.fnorm,
            forcing: eta,
            linear_residual,
            inner_iterations: iterations,
            jacobian_products: products,
            recycled_vectors: 0,
            step_length: 0.0,
            lm_parameter: mu,
        };
        if !(predicted > f64::EPSILON * cur.fnorm * cur.fnorm) {
            ctx.report.steps.push(record);
            return Ok(StepOutcome::Stationary);
        }
        step_to(&cur.x, 1.0, &self.cgls.d, &mut trial.x);
        let ratio = if ctx.residual(trial)? {
            0.5 * (cur.fnorm * cur.fnorm - trial.fnorm * trial.fnorm) / predicted
        } else {
            f64::NEG_INFINITY
        };
        if ratio < SHRINK {
            self.xi = (4.0 * self.xi).min(XI_MAX);
        } else if ratio > GOOD {
            self.xi = (0.25 * self.xi).max(XI_MIN);
        }
        if ratio < ACCEPT {
            ctx.report.rejected_steps += 1;
            ctx.report.steps.push(record);
            if self.xi >= XI_MAX {
                return Ok(StepOutcome::Stalled(format!(
                    "xi reached its cap {XI_MAX:e} without an acceptable step{}",
                    ctx.failure_note()
                )));
            }
            return Ok(StepOutcome::Rejected);
        }
        record.step_length = 1.0;
        ctx.report.steps.push(record);
        let step_norm = ctx.norm(&self.cgls.d);
        std::mem::swap(cur, trial);
        self.gradient(ctx, cur)?;
        Ok(StepOutcome::Accepted { step_norm })
    }

    fn start(&mut self, ctx: &mut Context, cur: &Point) -> Result<(), Stop> {
        self.gradient(ctx, cur).map(|_| ())
    }

    fn gradient_norm(&self) -> f64 {
        self.gnorm
    }
}

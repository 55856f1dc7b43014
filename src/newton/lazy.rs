//! Lazy-Hessian Newton (Doikov, Chayti, Jaggi 2023), matrix-free: once every `lazy_period`
//! accepted steps the Hessian is sampled by `lazy_rank` Lanczos steps from the gradient, giving
//! the model `B = W diag(theta) W^T + mu (I - W W^T)` (Ritz pairs, and the largest Ritz value
//! `mu` on the unexplored complement: a safe, gradient-step curvature there). In between,
//! every step reuses `B` with a fresh gradient and costs no Hessian-vector product:
//! - quadratic (gradient) regularisation, convex `f`: `h = -(B + sqrt(M ||g||) I)^{-1} g`,
//!   accepted by the gradient-regularised decrease test;
//! - cubic regularisation, any `f`: `h = argmin g^T h + h^T B h / 2 + M ||h||^3 / 6`, accepted
//!   when the actual decrease is at least a tenth of the model's.
//!
//! `M` halves after an accepted step and doubles after a rejected one (the paper's adaptive
//! search). Where `lazy_rank >= n` and Lanczos runs to completion the model is the Hessian
//! itself and this is exactly the paper's method. Two rejections in a row re-sample the
//! Hessian early: the kept model has gone stale.

use super::context::{step_to, Context, Point, Stop};
use super::method::{accept, regularized_decrease_ok, Method, StepOutcome};
use super::options::LazyRegularization;
use super::truncated_cg::ForcingTerm;
use crate::linalg::dense::products::matmul_nn;

/// Actual / model decrease a cubic step must reach.
const CUBIC_ACCEPT: f64 = 0.1;
/// `M` never drops below this (it only scales a regularisation).
const MIN_REGULARIZATION: f64 = 1e-12;

/// The Hessian model of the last refresh, in its eigenbasis.
struct HessianModel {
    /// `n x r`, orthonormal columns (Ritz vectors).
    w: Vec<f64>,
    /// Ritz values.
    theta: Vec<f64>,
    /// Curvature on the complement of `W`.
    mu: f64,
}

impl HessianModel {
    fn rank(&self) -> usize {
        self.theta.len()
    }

    /// The smallest curvature of the model.
    fn min_curvature(&self) -> f64 {
        self.theta.iter().copied().fold(self.mu, f64::min)
    }
}

/// The gradient in the model's eigenbasis: `c = W^T g` and `||g - W c||^2`.
struct Projected {
    c: Vec<f64>,
    perp_sq: f64,
}

impl Projected {
    /// `||h(sigma)||^2` for `h(sigma) = -(B + sigma I)^{-1} g`.
    fn step_norm_sq(&self, m: &HessianModel, sigma: f64) -> f64 {
        let mut s = self.perp_sq / ((m.mu + sigma) * (m.mu + sigma));
        for (ci, ti) in self.c.iter().zip(&m.theta) {
            s += ci * ci / ((ti + sigma) * (ti + sigma));
        }
        s
    }

    /// The quadratic model change `g^T h + h^T B h / 2` of `h(sigma)`.
    fn model_change(&self, m: &HessianModel, sigma: f64) -> f64 {
        let term = |c2: f64, t: f64| -c2 / (t + sigma) + 0.5 * t * c2 / ((t + sigma) * (t + sigma));
        self.c.iter().zip(&m.theta).map(|(ci, ti)| term(ci * ci, *ti)).sum::<f64>() + term(self.perp_sq, m.mu)
    }
}

/// `||(H + shift) V y + g||` for the Galerkin solution `y` of `(T + shift) y = ||g|| e_1` on
/// the Lanczos basis so far (`alpha`, `beta`; `next_beta` couples it to the next vector):
/// `next_beta |y_last|`. Infinite where `T + shift` is not positive definite.
fn galerkin_residual(alpha: &[f64], beta: &[f64], next_beta: f64, shift: f64, gnorm: f64) -> f64 {
    // Thomas algorithm on the symmetric tridiagonal system.
    let k = alpha.len();
    let (mut c, mut y) = (vec![0.0; k], vec![0.0; k]);
    for i in 0..k {
        let off = if i > 0 { beta[i - 1] } else { 0.0 };
        let pivot = alpha[i] + shift - off * if i > 0 { c[i - 1] } else { 0.0 };
        if !(pivot > 0.0) {
            return f64::INFINITY;
        }
        c[i] = if i + 1 < k { beta[i] / pivot } else { 0.0 };
        let rhs = if i == 0 { gnorm } else { -off * y[i - 1] };
        y[i] = rhs / pivot;
    }
    for i in (0..k.saturating_sub(1)).rev() {
        y[i] -= c[i] * y[i + 1];
    }
    next_beta * y[k - 1].abs()
}

pub(crate) struct Lazy {
    forcing: ForcingTerm,
    regularization: f64,
    kind: LazyRegularization,
    period: usize,
    rank: usize,
    model: Option<HessianModel>,
    /// Accepted steps since the last refresh.
    age: usize,
    rejections_in_a_row: usize,
    accepts_in_a_row: usize,
    coeff: Vec<f64>,
}

impl Lazy {
    pub fn new(ctx: &Context, n: usize) -> Self {
        let o = ctx.options;
        Lazy {
            forcing: ForcingTerm::new(o.forcing, o.forcing_value, o.forcing_min),
            regularization: o.regularization,
            kind: o.lazy_regularization,
            period: o.lazy_period,
            rank: o.lazy_rank.min(n),
            model: None,
            age: 0,
            rejections_in_a_row: 0,
            accepts_in_a_row: 0,
            coeff: Vec::new(),
        }
    }

    /// Lanczos with full reorthogonalisation on `H(x)` from `g`: the Ritz pairs of the
    /// Krylov space (stopping early when it is invariant).
    /// Stops as soon as the model's own step `-(T + shift)^{-1} ||g|| e_1` would solve the
    /// regularised Newton system to `tol` (the Lanczos form of the CG test), so a refresh costs
    /// what one truncated-CG Newton step costs and the steps that reuse it cost nothing.
    fn sample_hessian(&mut self, ctx: &mut Context, cur: &Point, shift: f64, tol: f64) -> Result<HessianModel, Stop> {
        let n = cur.x.len();
        ctx.report.hessian_refreshes += 1;
        let mut v: Vec<f64> = Vec::with_capacity(n * self.rank);
        v.extend(cur.g.iter().map(|gi| gi / cur.gnorm));
        let (mut alpha, mut beta) = (Vec::new(), Vec::new());
        let mut w = vec![0.0; n];
        for j in 0..self.rank {
            let Some(vhv) = ctx.hessian_vector(&cur.x, &v[j * n..(j + 1) * n], &mut w)? else {
                break;
            };
            ctx.report.cg_iterations += 1;
            alpha.push(vhv);
            // Full reorthogonalisation (twice is enough): the basis stays orthonormal to
            // rounding, so the Ritz values are not duplicated.
            for _ in 0..2 {
                for i in 0..=j {
                    let vi = &v[i * n..(i + 1) * n];
                    let t = ctx.dot(vi, &w);
                    ctx.axpy(-t, vi, &mut w);
                }
            }
            let b = ctx.norm(&w);
            let scale = alpha.iter().fold(0.0f64, |a, t| a.max(t.abs())).max(f64::MIN_POSITIVE);
            if j + 1 == self.rank || !(b > 1e-10 * scale) || galerkin_residual(&alpha, &beta, b, shift, cur.gnorm) <= tol {
                break;
            }
            beta.push(b);
            v.extend(w.iter().map(|wi| wi / b));
        }
        let k = alpha.len();
        if k == 0 {
            // No curvature could be sampled: a scaled gradient model.
            return Ok(HessianModel { w: Vec::new(), theta: Vec::new(), mu: self.model.as_ref().map_or(1.0, |m| m.mu) });
        }
        let mut t = vec![0.0; k * k];
        for i in 0..k {
            t[i * k + i] = alpha[i];
            if i + 1 < k {
                t[i * k + i + 1] = beta[i];
                t[(i + 1) * k + i] = beta[i];
            }
        }
        let eig = faer::MatRef::from_column_major_slice(&t, k, k)
            .self_adjoint_eigen(faer::Side::Lower)
            .map_err(|e| Stop::Stagnation(format!("the eigen-decomposition of the {k} x {k} Lanczos matrix failed: {e:?}")))?;
        let (vals, vecs) = (eig.S(), eig.U());
        let theta: Vec<f64> = (0..k).map(|i| vals[i]).collect();
        let mut q = vec![0.0; k * k];
        for c in 0..k {
            for r in 0..k {
                q[c * k + r] = vecs[(r, c)];
            }
        }
        let mut ritz = vec![0.0; n * k];
        matmul_nn(&v[..n * k], n, k, &q, k, &mut ritz, false);
        let mu = theta.iter().copied().fold(f64::NEG_INFINITY, f64::max).max(f64::MIN_POSITIVE);
        Ok(HessianModel { w: ritz, theta, mu })
    }

    fn project(&self, ctx: &Context, m: &HessianModel, g: &[f64]) -> Projected {
        let n = g.len();
        let c: Vec<f64> = (0..m.rank()).map(|i| ctx.dot(&m.w[i * n..(i + 1) * n], g)).collect();
        let in_span: f64 = c.iter().map(|ci| ci * ci).sum();
        Projected { c, perp_sq: (ctx.dot(g, g) - in_span).max(0.0) }
    }

    /// The shift `sigma` of the step `-(B + sigma I)^{-1} g` and the acceptance threshold's
    /// regularisation.
    fn shift(&self, m: &HessianModel, proj: &Projected, gnorm: f64) -> f64 {
        let floor = (-m.min_curvature()).max(0.0);
        match self.kind {
            LazyRegularization::Gradient => floor + (self.regularization * gnorm).sqrt(),
            LazyRegularization::Cubic => {
                // ||h(sigma)|| = 2 sigma / M: the left side falls, the right rises in sigma.
                let gap = |s: f64| proj.step_norm_sq(m, s).sqrt() - 2.0 * s / self.regularization;
                let mut lo = floor * (1.0 + 1e-12) + f64::MIN_POSITIVE;
                let mut hi = lo.max(1e-8);
                while gap(hi) > 0.0 && hi < 1e300 {
                    lo = hi;
                    hi *= 4.0;
                }
                for _ in 0..200 {
                    let mid = 0.5 * (lo + hi);
                    if gap(mid) > 0.0 {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                    if hi - lo <= 1e-15 * hi {
                        break;
                    }
                }
                hi
            }
        }
    }

    /// `out = -(B + sigma I)^{-1} g`.
    fn write_step(&mut self, m: &HessianModel, proj: &Projected, sigma: f64, g: &[f64], out: &mut [f64]) {
        let n = g.len();
        self.coeff.clear();
        self.coeff.extend(proj.c.iter().zip(&m.theta).map(|(ci, ti)| ci * (1.0 / (m.mu + sigma) - 1.0 / (ti + sigma))));
        // -(B + sigma)^{-1} g = -g / (mu + sigma) + W (c / (mu + sigma) - c / (theta + sigma)).
        for (o, gi) in out.iter_mut().zip(g) {
            *o = -gi / (m.mu + sigma);
        }
        if m.rank() > 0 {
            matmul_nn(&m.w, n, m.rank(), &self.coeff, 1, out, true);
        }
    }
}

impl Method for Lazy {
    fn step(&mut self, ctx: &mut Context, cur: &mut Point, trial: &mut Point) -> Result<StepOutcome, Stop> {
        let stale = self.age > 0 && self.rejections_in_a_row >= 2;
        if self.model.is_none() || self.age >= self.period || stale {
            let shift = match self.kind {
                LazyRegularization::Gradient => (self.regularization * cur.gnorm).sqrt(),
                LazyRegularization::Cubic => 0.0,
            };
            let tol = self.forcing.next(cur.gnorm) * cur.gnorm;
            self.model = Some(self.sample_hessian(ctx, cur, shift, tol)?);
            self.age = 0;
            self.rejections_in_a_row = 0;
        }
        let model = self.model.take().unwrap_or_else(|| unreachable!());
        let proj = self.project(ctx, &model, &cur.g);
        let sigma = self.shift(&model, &proj, cur.gnorm);
        // trial.g is free until the trial is evaluated: it holds the step.
        let mut h = std::mem::take(&mut trial.g);
        h.resize(cur.x.len(), 0.0);
        self.write_step(&model, &proj, sigma, &cur.g, &mut h);
        step_to(&cur.x, 1.0, &h, &mut trial.x);
        let hnorm_sq = proj.step_norm_sq(&model, sigma);
        let model_change = proj.model_change(&model, sigma);
        self.model = Some(model);
        trial.g = h;
        let evaluated = ctx.evaluate(trial, true)?;
        let accepted = evaluated
            && (match self.kind {
                LazyRegularization::Gradient => regularized_decrease_ok(cur, trial, sigma),
                LazyRegularization::Cubic => {
                    let predicted = -(model_change + self.regularization * hnorm_sq.powf(1.5) / 6.0);
                    predicted > 0.0 && cur.f - trial.f >= CUBIC_ACCEPT * predicted
                }
            } || ctx.accept_at_noise_level(cur, trial)?);
        if accepted {
            self.age += 1;
            self.rejections_in_a_row = 0;
            // Halving after every accepted step makes every other step a rejection (a wasted
            // evaluation); halving after two in a row keeps M near its working level.
            if self.accepts_in_a_row >= 1 {
                self.regularization = (0.5 * self.regularization).max(MIN_REGULARIZATION);
            }
            self.accepts_in_a_row += 1;
            return Ok(accept(cur, trial));
        }
        ctx.report.rejected_steps += 1;
        self.rejections_in_a_row += 1;
        self.accepts_in_a_row = 0;
        self.regularization *= 2.0;
        if !self.regularization.is_finite() || self.regularization > 1e300 {
            return Ok(StepOutcome::Stalled(format!("the regularisation grew to {:e} without an acceptable step{}", self.regularization, ctx.failure_note())));
        }
        Ok(StepOutcome::Rejected)
    }

    fn parameter(&self) -> f64 {
        self.regularization
    }
}

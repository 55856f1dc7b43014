//! ChebCB: a contextual bandit for a scalar context (the authors' `ChebCB`, a SquareCB-style
//! method). Each arm's cost is regressed on Chebyshev features `T_0..T_{m-1}` of the context
//! mapped to `[-1, 1]`; arms are drawn by inverse-gap weighting
//! `p_j = 1 / (d + eta (yhat_j - yhat_best))`, the best predicted arm taking the rest, with
//! `eta` growing as the regression proves accurate.
//!
//! The exploration rate is `eta_t = 2 t sqrt(d t / R_t)`, with `R_t` the measured squared
//! prediction error of the regressions (in units of the current loss scale); see
//! [`ChebCb::update`] for why the authors' a-priori misspecification term is not added.
//!
//! Differences from the authors' MATLAB (verify against the paper if it matters): the
//! per-arm fit is ridge regression (`lambda = RIDGE`) kept as running normal equations
//! instead of a box-constrained least-squares refit of all history, so an update costs
//! `O(m^3)` whatever the number of rounds.

use crate::error::Error;
use crate::persist::{Reader, Writer};

/// Ridge parameter of the per-arm regressions (features are `O(1)`, targets are raw costs).
pub const RIDGE: f64 = 1e-3;

/// The state of a ChebCB learner.
#[derive(Debug, Clone, PartialEq)]
pub struct ChebCb {
    arms: usize,
    terms: usize,
    lo: f64,
    hi: f64,
    /// Per arm: `F^T F` (`terms x terms`), `F^T (cost - 1)`, and the fitted coefficients.
    gram: Vec<f64>,
    rhs: Vec<f64>,
    theta: Vec<f64>,
    rounds: u64,
    max_cost: f64,
    min_cost: f64,
    /// Sum of squared prediction errors of the played arms, in raw `cost - 1` units (divided by
    /// the current scale squared when used, so that all rounds count in the same units).
    sq_err: f64,
    eta: f64,
}

impl ChebCb {
    /// A learner over `arms` arms with `terms` Chebyshev features for contexts in `[lo, hi]`.
    pub fn new(arms: usize, terms: usize, lo: f64, hi: f64) -> Self {
        ChebCb {
            arms,
            terms,
            lo,
            hi,
            gram: vec![0.0; arms * terms * terms],
            rhs: vec![0.0; arms * terms],
            theta: vec![0.0; arms * terms],
            rounds: 0,
            max_cost: 0.0,
            min_cost: 0.0,
            sq_err: 0.0,
            eta: 0.0,
        }
    }

    /// Rounds observed.
    pub fn rounds(&self) -> u64 {
        self.rounds
    }

    /// `T_0..T_{m-1}` at the context mapped to `[-1, 1]` (clamped outside `[lo, hi]`).
    fn features(&self, context: f64) -> Vec<f64> {
        let u = (2.0 * (context - self.lo) / (self.hi - self.lo) - 1.0).clamp(-1.0, 1.0);
        let mut f = vec![1.0; self.terms];
        if self.terms > 1 {
            f[1] = u;
        }
        for j in 2..self.terms {
            f[j] = 2.0 * u * f[j - 1] - f[j - 2];
        }
        f
    }

    /// The authors' loss scale `K N`: `K` the largest cost seen, `N = 2 + 4 (K - min) / K
    /// (1 + ln m)`.
    fn scale(&self) -> f64 {
        let k = self.max_cost;
        if self.rounds == 0 || k <= 0.0 {
            return 1.0;
        }
        k * (2.0 + 4.0 * (k - self.min_cost) / k * (1.0 + (self.terms as f64).ln()))
    }

    fn predict(&self, arm: usize, f: &[f64]) -> f64 {
        self.theta[arm * self.terms..(arm + 1) * self.terms].iter().zip(f).map(|(a, b)| a * b).sum()
    }

    /// The inverse-gap-weighted distribution at `context`.
    pub fn probabilities(&self, context: f64, out: &mut [f64]) {
        let f = self.features(context);
        let scale = self.scale();
        let yhat: Vec<f64> = (0..self.arms).map(|i| self.predict(i, &f) / scale).collect();
        let best = (0..self.arms).fold(0, |b, i| if yhat[i] < yhat[b] { i } else { b });
        let mut rest = 0.0;
        for (j, p) in out.iter_mut().enumerate() {
            if j != best {
                *p = 1.0 / (self.arms as f64 + self.eta * (yhat[j] - yhat[best]));
                rest += *p;
            }
        }
        out[best] = 1.0 - rest;
    }

    /// Learns from `cost` paid by `arm` at `context`: refits the arm's regression and updates
    /// `eta = 2 t sqrt(d t / R)` with `R` the squared prediction errors so far, in units of the
    /// current scale. Two changes from the authors' code, each from SquareCB's theory (Foster
    /// and Rakhlin 2020; with a class misspecified by `eps`, Foster, Gentile, Mohri and Zimmert
    /// 2020): the inverse-gap rate is `sqrt(K T / (Reg_sq + eps^2 T))`, `Reg_sq` the regression
    /// oracle's excess square loss.
    /// - `R` is accumulated in raw units and divided by the current scale squared. The authors
    ///   add each error in the units of its own round, and their scale (`K N`, `K` the largest
    ///   cost so far) grows about 3x over the first rounds, so `R` stayed at the size of the
    ///   first, poorly fitted rounds and later errors counted about 8x less.
    /// - The authors' denominator is `R + 2 alpha^2 t` with `alpha` an a-priori bound on the
    ///   Chebyshev truncation error (Jackson's bound with the Lipschitz constant taken as the
    ///   whole cost range over the context interval). `R` is the online square loss, which is
    ///   `Reg_sq` plus the best fit's own square loss, and that already contains the
    ///   misspecification `eps^2` per round (plus the noise): adding `2 alpha^2 t` counts the
    ///   misspecification twice, with a bound that on the paper's synthetic setting is about
    ///   10x the measured rms prediction error (about 800 iterations against 60-70), so the
    ///   learner kept exploring as if its fit were that poor. The measured `R` alone is the
    ///   conservative estimate of `Reg_sq + eps^2 t` that SquareCB needs. On the paper's
    ///   synthetic setting (benches/sor_bandit.rs) the two changes take ChebCB from about 0.65x
    ///   to about 0.635x of the best fixed omega (Young's per-instance optimum is 0.54x; with 6
    ///   Chebyshev terms the best regression fit itself gives about 0.65x if played greedily).
    pub fn update(&mut self, arm: usize, context: f64, cost: f64) {
        let f = self.features(context);
        let predicted = self.predict(arm, &f);
        let m = self.terms;
        let (g, r) = (&mut self.gram[arm * m * m..(arm + 1) * m * m], &mut self.rhs[arm * m..(arm + 1) * m]);
        for i in 0..m {
            r[i] += (cost - 1.0) * f[i];
            for j in 0..m {
                g[i * m + j] += f[i] * f[j];
            }
        }
        let theta = ridge_solve(g, r, m);
        self.theta[arm * m..(arm + 1) * m].copy_from_slice(&theta);
        if self.rounds == 0 {
            (self.max_cost, self.min_cost) = (cost, cost);
        }
        self.max_cost = self.max_cost.max(cost);
        self.min_cost = self.min_cost.min(cost);
        self.rounds += 1;
        let err = predicted - (cost - 1.0);
        self.sq_err += err * err;
        let scale = self.scale();
        let t = self.rounds as f64;
        let r = (self.sq_err / (scale * scale)).max(1e-300);
        self.eta = (2.0 * t * (self.arms as f64 * t / r).sqrt()).min(1e300);
    }

    pub(crate) fn save(&self, w: &mut Writer) {
        w.u64(self.rounds)
            .f64s(&[self.max_cost, self.min_cost, self.sq_err, self.eta])
            .f64s(&self.gram)
            .f64s(&self.rhs)
            .f64s(&self.theta);
    }

    pub(crate) fn load(r: &mut Reader, arms: usize, terms: usize, lo: f64, hi: f64) -> Result<Self, Error> {
        let mut c = ChebCb::new(arms, terms, lo, hi);
        c.rounds = r.u64()?;
        let s = r.f64s(4)?;
        (c.max_cost, c.min_cost, c.sq_err, c.eta) = (s[0], s[1], s[2], s[3]);
        c.gram = r.f64s(arms * terms * terms)?;
        c.rhs = r.f64s(arms * terms)?;
        c.theta = r.f64s(arms * terms)?;
        Ok(c)
    }
}

/// `(G + RIDGE I)^{-1} r` by Cholesky (`G` symmetric positive semidefinite, `m x m`).
fn ridge_solve(g: &[f64], r: &[f64], m: usize) -> Vec<f64> {
    let mut l = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..=i {
            let mut s = g[i * m + j] + if i == j { RIDGE } else { 0.0 };
            for k in 0..j {
                s -= l[i * m + k] * l[j * m + k];
            }
            l[i * m + j] = if i == j { s.max(1e-300).sqrt() } else { s / l[j * m + j] };
        }
    }
    let mut y = vec![0.0; m];
    for i in 0..m {
        y[i] = (r[i] - (0..i).map(|k| l[i * m + k] * y[k]).sum::<f64>()) / l[i * m + i];
    }
    for i in (0..m).rev() {
        y[i] = (y[i] - (i + 1..m).map(|k| l[k * m + i] * y[k]).sum::<f64>()) / l[i * m + i];
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chebyshev_features_and_ridge_fit() {
        let c = ChebCb::new(1, 4, -1.0, 1.0);
        let f = c.features(0.5);
        assert!((f[2] - (2.0 * 0.25 - 1.0)).abs() < 1e-15 && (f[3] - (4.0 * 0.125 - 1.5)).abs() < 1e-15);
        // Fit cost - 1 = 3 + 2 u exactly from many points.
        let mut c = ChebCb::new(1, 2, -1.0, 1.0);
        for k in 0..50 {
            let u = -1.0 + k as f64 / 25.0;
            c.update(0, u, 4.0 + 2.0 * u);
        }
        assert!((c.theta[0] - 3.0).abs() < 1e-3 && (c.theta[1] - 2.0).abs() < 1e-3, "{:?}", c.theta);
    }
}

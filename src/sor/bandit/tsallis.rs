//! Tsallis-INF with `alpha = 1/2` (Zimmert and Seldin), as the authors of "Learning to Relax"
//! run it: learning rate `eta_t = 2 / sqrt(t)`, importance-weighted cumulative losses, and the
//! loss of a solve `(cost - 1) / scale` with `scale` the running mean cost minus one.

use crate::error::Error;
use crate::persist::{Reader, Writer};

/// The state of one Tsallis-INF learner over `arms` arms.
#[derive(Debug, Clone, PartialEq)]
pub struct TsallisInf {
    /// Importance-weighted cumulative `cost - 1` per arm (divided by the scale when used).
    cumulative: Vec<f64>,
    /// Rounds observed.
    rounds: u64,
    /// Sum of the observed costs (the running scale is `mean - 1`).
    cost_sum: f64,
}

impl TsallisInf {
    /// A learner with no history (uniform probabilities).
    pub fn new(arms: usize) -> Self {
        TsallisInf { cumulative: vec![0.0; arms], rounds: 0, cost_sum: 0.0 }
    }

    /// Rounds observed.
    pub fn rounds(&self) -> u64 {
        self.rounds
    }

    /// The running loss scale: mean observed cost minus one (1 before any cost above one).
    fn scale(&self) -> f64 {
        let s = if self.rounds == 0 { 1.0 } else { self.cost_sum / self.rounds as f64 - 1.0 };
        if s > 0.0 { s } else { 1.0 }
    }

    /// The sampling distribution: `p_i = 4 / (eta (L_i - x))^2` with `L_i` the scaled
    /// cumulative losses and the normaliser `x < min L` found by Newton's method on
    /// `sum p = 1`, started at `min L - 2 / eta` (where `sum p >= 1`, so the iterates increase
    /// monotonically to the root: `sum p` is increasing and convex in `x`).
    pub fn probabilities(&self, out: &mut [f64]) {
        let eta = 2.0 / ((self.rounds + 1) as f64).sqrt();
        let scale = self.scale();
        let lmin = self.cumulative.iter().fold(f64::INFINITY, |m, &v| m.min(v / scale));
        let mut x = lmin - 2.0 / eta;
        for _ in 0..100 {
            let (mut sum, mut sum15) = (0.0, 0.0);
            for (p, &k) in out.iter_mut().zip(&self.cumulative) {
                let q = eta * (k / scale - x);
                *p = 4.0 / (q * q);
                sum += *p;
                sum15 += *p * p.sqrt();
            }
            let step = (sum - 1.0) / (eta * sum15);
            if !(step.abs() > 1e-15 * (1.0 + x.abs())) {
                break;
            }
            x -= step;
        }
        let total: f64 = out.iter().sum();
        out.iter_mut().for_each(|p| *p /= total);
    }

    /// Learns from `cost` paid by `arm`: its cumulative loss grows by `(cost - 1) / p_arm`.
    pub fn update(&mut self, arm: usize, cost: f64) {
        let mut p = vec![0.0; self.cumulative.len()];
        self.probabilities(&mut p);
        self.cumulative[arm] += (cost - 1.0) / p[arm];
        self.rounds += 1;
        self.cost_sum += cost;
    }

    pub(crate) fn save(&self, w: &mut Writer) {
        w.u64(self.rounds).f64s(&[self.cost_sum]).f64s(&self.cumulative);
    }

    pub(crate) fn load(r: &mut Reader, arms: usize) -> Result<Self, Error> {
        let rounds = r.u64()?;
        let cost_sum = r.f64s(1)?[0];
        let cumulative = r.f64s(arms)?;
        Ok(TsallisInf { cumulative, rounds, cost_sum })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_are_a_distribution_favouring_small_losses() {
        let mut t = TsallisInf::new(5);
        let mut p = vec![0.0; 5];
        t.probabilities(&mut p);
        assert!(p.iter().all(|&v| (v - 0.2).abs() < 1e-12), "{p:?}");
        // Play by sampling (a fixed low-discrepancy sequence stands in for the generator).
        for round in 0..2000 {
            t.probabilities(&mut p);
            let u = (round as f64 * 0.618_033_988_749_895).fract();
            let mut acc = 0.0;
            let arm = p.iter().position(|&q| {
                acc += q;
                u < acc
            });
            let arm = arm.unwrap_or(4);
            t.update(arm, 10.0 + 5.0 * arm as f64);
        }
        t.probabilities(&mut p);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(p[0] > 0.9, "{p:?}");
    }
}

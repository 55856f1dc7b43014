//! A transport problem: the cost and the two histograms, validated once.

use super::cost::{Cost, Side};
use crate::error::Error;

/// How far the two masses may differ, relative to the larger: the histograms of a balanced
/// problem must carry the same mass, up to rounding in the caller's normalisation.
pub const MASS_TOLERANCE: f64 = 1e-9;

/// `min <C, P> + eps KL(P | a b^T)` subject to `P 1 = a`, `P^T 1 = b`.
#[derive(Debug, Clone)]
pub struct OtProblem {
    cost: Cost,
    a: Vec<f64>,
    b: Vec<f64>,
}

fn check_histogram(w: &[f64], name: &str) -> Result<f64, Error> {
    if w.is_empty() {
        return Err(Error::invalid(format!("{name} is empty; a histogram needs at least one point")));
    }
    let mut mass = 0.0;
    for (i, &v) in w.iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::NonFinite(format!("{name}[{i}] = {v} (0-based) is not finite; weights must be finite and >= 0")));
        }
        if v < 0.0 {
            return Err(Error::invalid(format!("{name}[{i}] = {v} (0-based) is negative; weights must be >= 0")));
        }
        mass += v;
    }
    if mass <= 0.0 {
        return Err(Error::invalid(format!("{name} has total mass 0; at least one weight must be > 0")));
    }
    Ok(mass)
}

impl OtProblem {
    /// Validates `a` (length `n`) and `b` (length `m`) against `cost`: finite, non-negative,
    /// not all zero, and of equal mass within [`MASS_TOLERANCE`] (relative).
    pub fn new(cost: Cost, a: &[f64], b: &[f64]) -> Result<Self, Error> {
        crate::error::check_len(a.len(), cost.n(), "a", "the number of source points n")?;
        crate::error::check_len(b.len(), cost.m(), "b", "the number of target points m")?;
        let (ma, mb) = (check_histogram(a, "a")?, check_histogram(b, "b")?);
        if (ma - mb).abs() > MASS_TOLERANCE * ma.max(mb) {
            return Err(Error::invalid(format!(
                "the histograms carry different masses: sum(a) = {ma:.17e}, sum(b) = {mb:.17e}; balanced transport needs \
                 them equal to within a relative {MASS_TOLERANCE:e} (normalise both, e.g. to 1)"
            )));
        }
        Ok(OtProblem { cost, a: a.to_vec(), b: b.to_vec() })
    }

    /// The cost.
    pub fn cost(&self) -> &Cost {
        &self.cost
    }
    /// Source weights (length `n`).
    pub fn a(&self) -> &[f64] {
        &self.a
    }
    /// Target weights (length `m`).
    pub fn b(&self) -> &[f64] {
        &self.b
    }
    /// The weights of `side`.
    pub fn weights(&self, side: Side) -> &[f64] {
        match side {
            Side::Rows => &self.a,
            Side::Cols => &self.b,
        }
    }
    /// Number of source points.
    pub fn n(&self) -> usize {
        self.cost.n()
    }
    /// Number of target points.
    pub fn m(&self) -> usize {
        self.cost.m()
    }
    /// Total mass (of `a`).
    pub fn mass(&self) -> f64 {
        self.a.iter().sum()
    }
    /// The largest `|C_ij|`, found in one pass (the start of epsilon scaling).
    pub fn max_abs_cost(&self) -> f64 {
        let mut buf = vec![0.0; self.cost.m()];
        (0..self.n()).fold(0.0f64, |acc, i| {
            self.cost.line(Side::Rows, i, &mut buf).iter().fold(acc, |a, v| a.max(v.abs()))
        })
    }
}

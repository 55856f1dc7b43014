//! Randomized Kaczmarz (Strohmer and Vershynin 2009) on the rows of the assembled KKT matrix:
//! row `i`, drawn with probability `||a_i||^2 / ||K||_F^2`, moves `d` onto its hyperplane,
//! `d += (rhs_i - a_i^T d) / ||a_i||^2 a_i`. Converges for any consistent system at the rate
//! `1 - sigma_min(K)^2 / ||K||_F^2` per row; the residual is checked once per sweep.

use super::kkt::{residual_norm, InnerOutcome};
use crate::linalg::{CsrMatrix, Par};
use rand::rngs::StdRng;
use rand::Rng;

/// Improves `d` until `||rhs - K d|| <= tol` or `max_iterations` rows.
pub(crate) fn solve(k: &CsrMatrix, rng: &mut StdRng, rhs: &[f64], d: &mut [f64], tol: f64, max_iterations: usize) -> InnerOutcome {
    let size = rhs.len();
    let par = Par::current();
    let (rp, ci, v) = (k.row_ptr(), k.col_idx(), k.values());
    let row_norm2: Vec<f64> = (0..size).map(|i| v[rp[i]..rp[i + 1]].iter().map(|a| a * a).sum()).collect();
    let mut cumulative = Vec::with_capacity(size);
    let mut total = 0.0;
    for r in &row_norm2 {
        total += r;
        cumulative.push(total);
    }
    let mut kd = vec![0.0; size];
    k.matvec(&par, d, &mut kd);
    let mut residual = residual_norm(rhs, &kd);
    let mut iterations = 0;
    if total <= 0.0 {
        return InnerOutcome { iterations, residual };
    }
    while residual > tol && iterations < max_iterations {
        let sweep = size.min(max_iterations - iterations);
        for _ in 0..sweep {
            let u: f64 = rng.random::<f64>() * total;
            let i = cumulative.partition_point(|&c| c <= u).min(size - 1);
            if row_norm2[i] == 0.0 {
                continue;
            }
            let row = rp[i]..rp[i + 1];
            let ad: f64 = ci[row.clone()].iter().zip(&v[row.clone()]).map(|(&j, a)| a * d[j]).sum();
            let step = (rhs[i] - ad) / row_norm2[i];
            for (&j, a) in ci[row.clone()].iter().zip(&v[row]) {
                d[j] += step * a;
            }
        }
        iterations += sweep;
        k.matvec(&par, d, &mut kd);
        residual = residual_norm(rhs, &kd);
    }
    InnerOutcome { iterations, residual }
}

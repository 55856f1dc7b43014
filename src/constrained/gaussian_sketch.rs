//! Randomized Gaussian sketch-and-project for a symmetric system `K d = rhs` (Gower and
//! Richtarik 2015): each iteration draws `S ~ N(0, I)` with `s` columns and moves `d` to the
//! nearest point of `{z : S^T K z = S^T rhs}`:
//! `d += W (W^T W)^{-1} (S^T rhs - W^T d)`, `W = K S` (`K` symmetric, so `S^T K d = W^T d`
//! and no residual is needed for the step). One iteration costs `s` products with `K`; the
//! residual is checked every few iterations (one more product).

use super::context::Stop;
use super::kkt::{residual_norm, InnerOutcome};
use crate::linalg::random::standard_normal;
use rand::rngs::StdRng;

/// Products with `K` per residual check, at least: checks cost one product, so checking after
/// every vector sketch would double the cost.
const PRODUCTS_PER_CHECK: usize = 4;

/// Improves `d` until `||rhs - K d|| <= tol` or `max_iterations` sketches.
#[allow(clippy::too_many_arguments)]
pub(crate) fn solve(
    apply: &mut dyn FnMut(&[f64], &mut [f64]) -> Result<(), Stop>,
    block: usize,
    rng: &mut StdRng,
    rhs: &[f64],
    d: &mut [f64],
    tol: f64,
    max_iterations: usize,
) -> Result<InnerOutcome, Stop> {
    let size = rhs.len();
    let s = block.min(size);
    let check_every = PRODUCTS_PER_CHECK.div_ceil(s);
    let mut kd = vec![0.0; size];
    apply(d, &mut kd)?;
    let mut residual = residual_norm(rhs, &kd);
    let mut iterations = 0;
    let mut sketch = vec![0.0; size * s];
    let mut w = vec![0.0; size * s];
    while residual > tol && iterations < max_iterations {
        sketch.iter_mut().for_each(|v| *v = standard_normal(rng));
        for (sc, wc) in sketch.chunks_exact(size).zip(w.chunks_exact_mut(size)) {
            apply(sc, wc)?;
        }
        let y = project(&sketch, &w, rhs, d, s);
        for (wc, yj) in w.chunks_exact(size).zip(&y) {
            d.iter_mut().zip(wc).for_each(|(di, wi)| *di += yj * wi);
        }
        iterations += 1;
        if iterations % check_every == 0 || iterations == max_iterations {
            apply(d, &mut kd)?;
            residual = residual_norm(rhs, &kd);
        }
    }
    Ok(InnerOutcome { iterations, residual })
}

/// `y = (W^T W)^{-1} (S^T rhs - W^T d)` (zero where `W^T W` is singular to rounding).
fn project(sketch: &[f64], w: &[f64], rhs: &[f64], d: &[f64], s: usize) -> Vec<f64> {
    let size = rhs.len();
    let (sk, wc): (Vec<&[f64]>, Vec<&[f64]>) = (sketch.chunks_exact(size).collect(), w.chunks_exact(size).collect());
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(u, v)| u * v).sum::<f64>();
    let q: Vec<f64> = (0..s).map(|j| dot(sk[j], rhs) - dot(wc[j], d)).collect();
    if s == 1 {
        let g = dot(w, w);
        return vec![if g > 0.0 { q[0] / g } else { 0.0 }];
    }
    let gram = faer::Mat::<f64>::from_fn(s, s, |i, j| dot(wc[i], wc[j]));
    let rhs_mat = faer::Mat::<f64>::from_fn(s, 1, |i, _| q[i]);
    let Ok(llt) = gram.llt(faer::Side::Lower) else { return vec![0.0; s] };
    use faer::linalg::solvers::Solve;
    let y = llt.solve(&rhs_mat);
    let y: Vec<f64> = (0..s).map(|i| y[(i, 0)]).collect();
    if y.iter().all(|v| v.is_finite()) {
        y
    } else {
        vec![0.0; s]
    }
}

//! Vector kernels of the iterative solvers, each one pass over memory.
//!
//! Kernels that reduce return LOCAL sums; turning them into global inner products is the job
//! of [`crate::linalg::VectorSpace`], the single reduction point. Solvers never call these
//! reductions directly.

use super::par::{chunk_range, Par, SharedMut, CHUNK};

/// Independent partial sums per reduction: a single running sum is bound by the latency of
/// floating-point addition; eight lanes let the compiler vectorise and pipeline it. The lane
/// order is fixed, so results stay reproducible.
const LANES: usize = 8;

/// `sum_i a_i * b_i` over one chunk (or one row), in `LANES` fixed lanes, on the calling thread.
#[inline]
pub(crate) fn lane_dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; LANES];
    let (ac, bc) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f64 = ac.remainder().iter().zip(bc.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ac.zip(bc) {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    acc.iter().sum::<f64>() + tail
}

/// Local `x . y`.
pub fn dot(par: &Par, x: &[f64], y: &[f64]) -> f64 {
    debug_assert_eq!(x.len(), y.len());
    par.chunk_sums(x.len(), |r| [lane_dot(&x[r.clone()], &y[r])])[0]
}

/// `y += alpha * x`.
pub fn axpy(par: &Par, alpha: f64, x: &[f64], y: &mut [f64]) {
    debug_assert_eq!(x.len(), y.len());
    let n = y.len();
    let ys = SharedMut::new(y);
    par.chunk_sums(n, |r| {
        // SAFETY: chunk ranges are disjoint.
        let yc = unsafe { ys.range(r.clone()) };
        for (yi, xi) in yc.iter_mut().zip(&x[r]) {
            *yi += alpha * xi;
        }
        [0.0; 0]
    });
}

/// `y = x + beta * y`.
pub fn xpby(par: &Par, x: &[f64], beta: f64, y: &mut [f64]) {
    debug_assert_eq!(x.len(), y.len());
    let n = y.len();
    let ys = SharedMut::new(y);
    par.chunk_sums(n, |r| {
        // SAFETY: chunk ranges are disjoint.
        let yc = unsafe { ys.range(r.clone()) };
        for (yi, xi) in yc.iter_mut().zip(&x[r]) {
            *yi = xi + beta * *yi;
        }
        [0.0; 0]
    });
}

/// `out = x + alpha * d` (a trial point along a step).
pub fn step_to(x: &[f64], alpha: f64, d: &[f64], out: &mut [f64]) {
    debug_assert!(x.len() == d.len() && x.len() == out.len());
    for ((o, xi), di) in out.iter_mut().zip(x).zip(d) {
        *o = xi + alpha * di;
    }
}

/// `y = alpha * x`.
pub fn scale_into(par: &Par, alpha: f64, x: &[f64], y: &mut [f64]) {
    debug_assert_eq!(x.len(), y.len());
    let n = y.len();
    let ys = SharedMut::new(y);
    par.chunk_sums(n, |r| {
        // SAFETY: chunk ranges are disjoint.
        let yc = unsafe { ys.range(r.clone()) };
        for (yi, xi) in yc.iter_mut().zip(&x[r]) {
            *yi = alpha * xi;
        }
        [0.0; 0]
    });
}

/// `r = b - r` (r holds `A x` on entry); returns the local `||r||^2`.
pub fn sub_from(par: &Par, b: &[f64], r: &mut [f64]) -> f64 {
    debug_assert_eq!(b.len(), r.len());
    let n = r.len();
    let rs = SharedMut::new(r);
    par.chunk_sums(n, |rg| {
        // SAFETY: chunk ranges are disjoint.
        let rc = unsafe { rs.range(rg.clone()) };
        for (ri, bi) in rc.iter_mut().zip(&b[rg]) {
            *ri = bi - *ri;
        }
        [lane_dot(rc, rc)]
    })[0]
}

/// The fused update of a conjugate-gradient step:
/// `x += alpha p`, `r -= alpha q`, and, when `dinv` is given, `z = dinv .* r`.
/// Returns the local `[r . r, r . z]` (`r . z == r . r` without `dinv`).
#[allow(clippy::too_many_arguments)]
pub fn cg_update(
    par: &Par,
    alpha: f64,
    p: &[f64],
    q: &[f64],
    x: &mut [f64],
    r: &mut [f64],
    dinv: Option<&[f64]>,
    z: &mut [f64],
) -> [f64; 2] {
    let n = x.len();
    let (xs, rs, zs) = (SharedMut::new(x), SharedMut::new(r), SharedMut::new(z));
    par.chunk_sums(n, |rg| {
        // SAFETY: chunk ranges are disjoint, and x, r, z are distinct vectors.
        let (xc, rc) = unsafe { (xs.range(rg.clone()), rs.range(rg.clone())) };
        let (pc, qc) = (&p[rg.clone()], &q[rg.clone()]);
        for i in 0..xc.len() {
            xc[i] += alpha * pc[i];
            rc[i] -= alpha * qc[i];
        }
        // The chunk (16 KiB per vector) is still in L1: the reductions re-read it cheaply.
        let rr = lane_dot(rc, rc);
        let rz = match dinv {
            Some(d) => {
                // SAFETY: as above.
                let zc = unsafe { zs.range(rg.clone()) };
                for ((zi, di), ri) in zc.iter_mut().zip(&d[rg]).zip(rc.iter()) {
                    *zi = di * ri;
                }
                lane_dot(rc, zc)
            }
            None => rr,
        };
        [rr, rz]
    })
}

/// Local inner products of `w` with the `k` columns of the column-major block `basis`
/// (`n x k`, leading dimension `n`), all in one pass over `w`.
pub fn block_dot(par: &Par, basis: &[f64], k: usize, w: &[f64], out: &mut [f64]) {
    let n = w.len();
    debug_assert!(basis.len() >= n * k && out.len() == k);
    par.for_blocks(n.div_ceil(CHUNK), k, out, |b, part| {
        let r = chunk_range(b, n);
        let wc = &w[r.clone()];
        for (j, pj) in part.iter_mut().enumerate() {
            let vc = &basis[j * n + r.start..j * n + r.end];
            *pj = lane_dot(vc, wc);
        }
    });
}

/// `w += sign * basis * c` for the first `c.len()` columns of `basis` (`n x k`, leading
/// dimension `n`); returns the local `||w||^2` of the result.
pub fn block_axpy(par: &Par, basis: &[f64], c: &[f64], sign: f64, w: &mut [f64]) -> f64 {
    let n = w.len();
    let ws = SharedMut::new(w);
    par.chunk_sums(n, |r| {
        // SAFETY: chunk ranges are disjoint.
        let wc = unsafe { ws.range(r.clone()) };
        for (j, cj) in c.iter().enumerate() {
            let a = sign * cj;
            let vc = &basis[j * n + r.start..j * n + r.end];
            for (wi, vi) in wc.iter_mut().zip(vc) {
                *wi += a * vi;
            }
        }
        [lane_dot(wc, wc)]
    })[0]
}

/// `y = x + beta * y - basis * c` for the first `c.len()` columns of `basis` (`n x k`, leading
/// dimension `n`); `y` is not read when `beta == 0` (it may hold anything).
pub fn xpby_block(par: &Par, x: &[f64], beta: f64, basis: &[f64], c: &[f64], y: &mut [f64]) {
    debug_assert_eq!(x.len(), y.len());
    let n = y.len();
    let ys = SharedMut::new(y);
    par.chunk_sums(n, |r| {
        // SAFETY: chunk ranges are disjoint.
        let yc = unsafe { ys.range(r.clone()) };
        let xc = &x[r.clone()];
        if beta == 0.0 {
            yc.copy_from_slice(xc);
        } else {
            for (yi, xi) in yc.iter_mut().zip(xc) {
                *yi = xi + beta * *yi;
            }
        }
        // The chunk of y stays in L1 while the columns stream past it.
        for (j, cj) in c.iter().enumerate() {
            let vc = &basis[j * n + r.start..j * n + r.end];
            for (yi, vi) in yc.iter_mut().zip(vc) {
                *yi -= cj * vi;
            }
        }
        [0.0; 0]
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vecs(n: usize) -> (Vec<f64>, Vec<f64>) {
        ((0..n).map(|i| (i as f64).sin()).collect(), (0..n).map(|i| (i as f64 * 0.3).cos()).collect())
    }

    #[test]
    fn reductions_are_exact_enough_and_identical_across_pools() {
        let n = 3 * CHUNK + 17;
        let (x, y) = vecs(n);
        let exact: f64 = x.iter().zip(&y).map(|(a, b)| a * b).sum();
        let seq = dot(&Par::seq(), &x, &y);
        assert!((seq - exact).abs() < 1e-12 * n as f64);
        let pool = Par::current();
        assert_eq!(dot(&pool, &x, &y).to_bits(), seq.to_bits(), "fixed-order reduction");
    }

    #[test]
    fn block_kernels_match_their_definitions() {
        let (n, k) = (2 * CHUNK + 5, 4);
        let basis: Vec<f64> = (0..n * k).map(|i| ((i * 7) % 11) as f64 - 5.0).collect();
        let (mut w, _) = vecs(n);
        let w0 = w.clone();
        let mut h = vec![0.0; k];
        block_dot(&Par::seq(), &basis, k, &w, &mut h);
        for j in 0..k {
            let e: f64 = (0..n).map(|i| basis[j * n + i] * w[i]).sum();
            assert!((h[j] - e).abs() < 1e-9 * e.abs().max(1.0));
        }
        let c = [0.5, -1.0, 2.0];
        let nn = block_axpy(&Par::seq(), &basis, &c, -1.0, &mut w);
        for i in 0..n {
            let e = w0[i] - (0..3).map(|j| c[j] * basis[j * n + i]).sum::<f64>();
            assert!((w[i] - e).abs() < 1e-12);
        }
        assert!((nn - dot(&Par::seq(), &w, &w)).abs() < 1e-9 * nn);
        let mut y = vec![f64::NAN; n];
        xpby_block(&Par::seq(), &w0, 0.0, &basis, &c, &mut y);
        let mut y2 = w.clone();
        xpby_block(&Par::seq(), &w0, 2.0, &basis, &c, &mut y2);
        for i in 0..n {
            let bc = (0..3).map(|j| c[j] * basis[j * n + i]).sum::<f64>();
            assert!((y[i] - (w0[i] - bc)).abs() < 1e-12, "beta = 0 ignores y, even NaN");
            assert!((y2[i] - (w0[i] + 2.0 * w[i] - bc)).abs() < 1e-9);
        }
    }

    #[test]
    fn cg_update_fuses_the_jacobi_application() {
        let n = CHUNK + 3;
        let (p, q) = vecs(n);
        let (mut x, mut r, mut z) = (vec![1.0; n], vec![2.0; n], vec![0.0; n]);
        let d = vec![0.25; n];
        let [rr, rz] = cg_update(&Par::seq(), 0.5, &p, &q, &mut x, &mut r, Some(&d), &mut z);
        for i in 0..n {
            assert_eq!(x[i], 1.0 + 0.5 * p[i]);
            assert_eq!(r[i], 2.0 - 0.5 * q[i]);
            assert_eq!(z[i], 0.25 * r[i]);
        }
        assert!((rr - dot(&Par::seq(), &r, &r)).abs() < 1e-12 * rr);
        assert!((rz - 0.25 * rr).abs() < 1e-12 * rr);
    }
}

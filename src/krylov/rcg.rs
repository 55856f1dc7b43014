//! Recycled (deflated) conjugate gradients for sequences of SPD systems (Saad, Yeung, Erhel,
//! Guyomarc'h 2000; the recycling form of Parks, de Sturler et al.).
//!
//! With `W` the recycled vectors and `AW = A W`: the initial guess is corrected by the Galerkin
//! projection onto `W`, and every search direction is made `A`-orthogonal to `W`, so CG runs
//! on the operator deflated of the eigenvectors `W` approximates. After the solve, `W` is
//! refreshed with the Ritz vectors of `A` for the smallest Ritz values in `span{W, P}`, `P`
//! being the first search directions of this solve; `A P` is known from the iterations, so
//! the refresh costs no operator application. A new operator costs `k` applications (`A W`).
//! With an empty space this is plain CG, iteration for iteration.

use super::run::{Run, Step};
use super::workspace::{resize, Workspace};
use super::{RecycleStats, Termination};
use crate::linalg::dense::products::{matmul_nn, matmul_tn};
use crate::linalg::kernels;

/// The deflation space of recycled CG: `W` and `A W` (`n x k` each).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeflationSpace {
    n: usize,
    w: Vec<f64>,
    aw: Vec<f64>,
    /// `A W` belongs to the current operator.
    current: bool,
}

impl DeflationSpace {
    /// Number of vectors.
    pub fn dim(&self) -> usize {
        if self.n == 0 { 0 } else { self.w.len() / self.n }
    }
    /// The vectors `W` (`n x dim`).
    pub fn w(&self) -> &[f64] {
        &self.w
    }
    /// Forgets the space.
    pub fn clear(&mut self) {
        *self = DeflationSpace::default();
    }
    /// The operator changed: `A W` must be recomputed.
    pub fn mark_stale(&mut self) {
        self.current = false;
    }
    /// A space from given vectors (`n x k`, column-major), `A W` to be computed at the next solve.
    pub fn from_vectors(n: usize, w: Vec<f64>) -> Self {
        DeflationSpace { n, w, aw: Vec::new(), current: false }
    }
}

/// Cholesky factor (lower, column-major) of the SPD `k x k` matrix `a`, or `None`.
fn cholesky(a: &[f64], k: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; k * k];
    for j in 0..k {
        let mut d = a[j * k + j];
        for p in 0..j {
            d -= l[p * k + j] * l[p * k + j];
        }
        if !(d > 0.0) {
            return None;
        }
        let d = d.sqrt();
        l[j * k + j] = d;
        for i in j + 1..k {
            let mut s = a[j * k + i];
            for p in 0..j {
                s -= l[p * k + i] * l[p * k + j];
            }
            l[j * k + i] = s / d;
        }
    }
    Some(l)
}

/// Solves `L L^T x = rhs` in place.
fn cholesky_solve(l: &[f64], k: usize, x: &mut [f64]) {
    forward(l, k, x);
    backward_transposed(l, k, x);
}

/// `mu = (W^T A W)^{-1} (A W)^T v`: the coefficients that make `v - W mu` A-orthogonal to `W`.
fn deflation_coefficients(run: &Run, space: &DeflationSpace, l: &[f64], v: &[f64]) -> Vec<f64> {
    let k = space.dim();
    let mut mu = vec![0.0; k];
    kernels::block_dot(run.space.par(), &space.aw, k, v, &mut mu);
    run.space.reduce_slice(&mut mu);
    cholesky_solve(l, k, &mut mu);
    mu
}

/// Runs recycled CG from `w.x`; `keep` is the number of search directions stored for the
/// refresh and the dimension of the next space.
pub(crate) fn solve(
    run: &mut Run,
    w: &mut Workspace,
    b: &[f64],
    zero_guess: bool,
    keep: usize,
    space: &mut DeflationSpace,
    stats: &mut RecycleStats,
) -> Step<Termination> {
    let n = b.len();
    let Workspace { x, r, p, q, z, basis, zbasis, .. } = w;
    for v in [&mut *r, &mut *p, &mut *q, &mut *z] {
        resize(v, n);
    }
    if space.n != n {
        space.clear();
        space.n = n;
    }
    let par = run.space.par().clone();
    stats.initial_dim = space.dim();
    let k = space.dim();
    // A W for the current operator.
    if k > 0 && !space.current {
        stats.rebuilt = true;
        space.aw.resize(n * k, 0.0);
        for j in 0..k {
            let (wj, awj) = (&space.w[j * n..(j + 1) * n], &mut space.aw[j * n..(j + 1) * n]);
            run.matvec(wj, awj)?;
        }
        space.current = true;
    }
    let mut wtaw = vec![0.0; k * k];
    matmul_tn(&space.w, n, k, &space.aw, k, &mut wtaw);
    run.space.reduce_slice(&mut wtaw);
    let chol = if k > 0 { cholesky(&wtaw, k) } else { Some(Vec::new()) };
    let Some(l) = chol else {
        // W^T A W not positive definite: the operator is not SPD on W, or W is degenerate.
        stats.dropped = true;
        space.clear();
        space.n = n;
        return solve(run, w, b, zero_guess, keep, space, stats);
    };
    // Directions kept for the refresh: P in `basis`, A P in `zbasis`.
    let keep = keep.min(n);
    resize(basis, n * keep);
    resize(zbasis, n * keep);
    let mut kept = 0;

    let mut rnorm = run.residual_or_rhs(b, x, r, zero_guess)?;
    if let Some(t) = run.start_from(rnorm) {
        return Ok(t);
    }
    if k > 0 {
        // Galerkin projection of the initial guess: x += W (W^T A W)^{-1} W^T r.
        let mut c = vec![0.0; k];
        kernels::block_dot(&par, &space.w, k, r, &mut c);
        run.space.reduce_slice(&mut c);
        cholesky_solve(&l, k, &mut c);
        kernels::block_axpy(&par, &space.w, &c, 1.0, x);
        let rr = run.space.reduce([kernels::block_axpy(&par, &space.aw, &c, -1.0, r)])[0];
        stats.projection_ratio = rr.sqrt() / rnorm;
        rnorm = rr.sqrt();
        run.report.residual_norm = rnorm;
        if let Some(t) = run.converged(rnorm) {
            return Ok(t);
        }
    } else {
        stats.projection_ratio = 1.0;
    }
    let identity = run.m.is_identity();
    let precondition = |run: &mut Run, r: &[f64], z: &mut [f64]| -> Step<f64> {
        if identity {
            z.copy_from_slice(r);
        } else {
            run.precond(r, z)?;
        }
        Ok(run.space.dot(r, z))
    };
    let mut rz = precondition(run, r, z)?;
    p.copy_from_slice(z);
    if k > 0 {
        let mu = deflation_coefficients(run, space, &l, z);
        kernels::block_axpy(&par, &space.w, &mu, -1.0, p);
    }
    let termination = loop {
        if !(rz > 0.0) {
            return Err(Termination::Breakdown(format!(
                "recycled CG broke down at iteration {}: r^T M^{{-1}} r = {rz}; the preconditioner is not positive definite",
                run.report.iterations
            )));
        }
        let pq = run.matvec_dot(p, q)?;
        if !(pq > 0.0 && pq.is_finite()) {
            let msg = format!("recycled CG broke down at iteration {}: p^T A p = {pq}; the operator is not positive definite", run.report.iterations);
            return Err(if pq.is_finite() { Termination::Breakdown(msg) } else { Termination::NonFinite(msg) });
        }
        if kept < keep {
            // Store the direction and its image scaled to unit A-norm (keeps the refresh well scaled).
            let s = 1.0 / pq.sqrt();
            kernels::scale_into(&par, s, p, &mut basis[kept * n..(kept + 1) * n]);
            kernels::scale_into(&par, s, q, &mut zbasis[kept * n..(kept + 1) * n]);
            kept += 1;
        }
        let alpha = rz / pq;
        kernels::axpy(&par, alpha, p, x);
        let rr = run.space.reduce([{
            kernels::axpy(&par, -alpha, q, r);
            kernels::dot(&par, r, r)
        }])[0];
        if let Some(t) = run.after_iteration(rr.sqrt())? {
            break t;
        }
        let rz_new = precondition(run, r, z)?;
        let beta = rz_new / rz;
        rz = rz_new;
        kernels::xpby(&par, z, beta, p);
        if k > 0 {
            let mu = deflation_coefficients(run, space, &l, z);
            kernels::block_axpy(&par, &space.w, &mu, -1.0, p);
        }
    };
    refresh(run, space, basis, zbasis, kept, keep);
    stats.refreshes += 1;
    stats.final_dim = space.dim();
    Ok(termination)
}

/// `W <- Z y` for the Ritz vectors of the `keep` smallest Ritz values of `A` on
/// `Z = [W | P]`: the generalized symmetric eigenproblem `Z^T A Z y = theta Z^T Z y`.
fn refresh(run: &Run, space: &mut DeflationSpace, p: &[f64], ap: &[f64], kept: usize, keep: usize) {
    let n = space.n;
    let k = space.dim();
    let s = k + kept;
    if s == 0 || keep == 0 {
        return;
    }
    let mut z = Vec::with_capacity(n * s);
    z.extend_from_slice(&space.w);
    z.extend_from_slice(&p[..n * kept]);
    let mut az = Vec::with_capacity(n * s);
    az.extend_from_slice(&space.aw);
    az.extend_from_slice(&ap[..n * kept]);
    let (mut f, mut g) = (vec![0.0; s * s], vec![0.0; s * s]);
    matmul_tn(&z, n, s, &az, s, &mut f);
    matmul_tn(&z, n, s, &z, s, &mut g);
    run.space.reduce_slice(&mut f);
    run.space.reduce_slice(&mut g);
    // Symmetrise (rounding) and reduce to a standard problem with G = L L^T.
    for i in 0..s {
        for j in 0..i {
            let (a, b) = ((f[i * s + j] + f[j * s + i]) / 2.0, (g[i * s + j] + g[j * s + i]) / 2.0);
            f[i * s + j] = a;
            f[j * s + i] = a;
            g[i * s + j] = b;
            g[j * s + i] = b;
        }
    }
    let Some(l) = cholesky(&g, s) else { return };
    // M = L^{-1} F L^{-T}.
    let mut m = f.clone();
    for col in 0..s {
        let c = &mut m[col * s..(col + 1) * s];
        forward(&l, s, c);
    }
    transpose_in_place(&mut m, s);
    for col in 0..s {
        let c = &mut m[col * s..(col + 1) * s];
        forward(&l, s, c);
    }
    let mm = faer::MatRef::from_column_major_slice(&m, s, s);
    let Ok(eig) = mm.self_adjoint_eigen(faer::Side::Lower) else { return };
    let (vals, vecs) = (eig.S(), eig.U());
    let mut order: Vec<usize> = (0..s).collect();
    order.sort_by(|&a, &b| vals[a].total_cmp(&vals[b]));
    let kn = keep.min(s);
    // y = L^{-T} v for each selected eigenvector v.
    let mut y = vec![0.0; s * kn];
    for (c, &i) in order.iter().take(kn).enumerate() {
        let col = &mut y[c * s..(c + 1) * s];
        for r in 0..s {
            col[r] = vecs[(r, i)];
        }
        backward_transposed(&l, s, col);
    }
    let mut w_new = vec![0.0; n * kn];
    let mut aw_new = vec![0.0; n * kn];
    matmul_nn(&z, n, s, &y, kn, &mut w_new, false);
    matmul_nn(&az, n, s, &y, kn, &mut aw_new, false);
    space.w = w_new;
    space.aw = aw_new;
    space.current = true;
}

/// `c <- L^{-1} c`.
fn forward(l: &[f64], s: usize, c: &mut [f64]) {
    for i in 0..s {
        let mut t = c[i];
        for p in 0..i {
            t -= l[p * s + i] * c[p];
        }
        c[i] = t / l[i * s + i];
    }
}

/// `c <- L^{-T} c`.
fn backward_transposed(l: &[f64], s: usize, c: &mut [f64]) {
    for i in (0..s).rev() {
        let mut t = c[i];
        for p in i + 1..s {
            t -= l[i * s + p] * c[p];
        }
        c[i] = t / l[i * s + i];
    }
}

fn transpose_in_place(m: &mut [f64], s: usize) {
    for i in 0..s {
        for j in 0..i {
            m.swap(i * s + j, j * s + i);
        }
    }
}

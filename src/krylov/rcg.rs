//! Recycled (deflated) conjugate gradients for sequences of SPD systems (Saad, Yeung, Erhel,
//! Guyomarc'h 2000; the recycling form of Parks, de Sturler et al.).
//!
//! With `W` the recycled vectors and `AW = A W`: the initial guess is corrected by the Galerkin
//! projection onto `W`, and every search direction is made `A`-orthogonal to `W`, so CG runs
//! on the operator deflated of the eigenvectors `W` approximates. After the solve, `W` is
//! refreshed with the Ritz vectors of `A` for the smallest Ritz values in `span{W, P}`, `P`
//! being the first `restart` search directions of this solve; the projected `A` is known from
//! the conjugacy CG maintains, so the refresh costs no operator application. The next solve
//! computes `A W` (`k` applications). Storage: `W`, `A W` and `P`: `2 k + m` vectors.
//! With an empty space this is plain CG, iteration for iteration.

use super::cg;
use super::run::{Run, Step};
use super::workspace::{resize, Workspace};
use super::{RecycleStats, Termination};
use crate::linalg::dense::products::{matmul_nn, matmul_tn};
use crate::error::Error;
use crate::linalg::{kernels, Par};
use crate::persist::{Reader, Writer};

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
    /// A space from given vectors (`n x k`, column-major, `w.len()` a multiple of `n`), `A W`
    /// to be computed at the next solve.
    pub fn from_vectors(n: usize, w: Vec<f64>) -> Self {
        DeflationSpace { n, w, aw: Vec::new(), current: false }
    }

    /// Doubles held (allocated capacity).
    pub(crate) fn doubles(&self) -> usize {
        self.w.capacity() + self.aw.capacity()
    }

    /// Appends the space (`n`, `k`, `W`) to a saved state.
    pub(crate) fn save(&self, out: &mut Writer) {
        out.u64(self.n as u64).u64(self.dim() as u64).f64s(&self.w);
    }

    /// Reads a space written by [`DeflationSpace::save`]; `A W` is recomputed at the next solve.
    pub(crate) fn load(r: &mut Reader) -> Result<Self, Error> {
        let (n, k) = (r.size()?, r.size()?);
        let len = n.checked_mul(k).ok_or_else(|| Error::invalid("recycle state rejected: n * k overflows"))?;
        Ok(DeflationSpace::from_vectors(n, r.f64s(len)?))
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

/// The deflation of one recycled-CG solve: the space, the Cholesky factor of `W^T A W`, and
/// the first search directions kept for the refresh. [`super::cg::solve`] calls its hooks.
pub(crate) struct Deflation<'s> {
    space: &'s mut DeflationSpace,
    /// Lower Cholesky factor of `W^T A W` (`k x k`).
    chol: Vec<f64>,
    /// Scratch for the `k` deflation coefficients of a direction.
    mu: Vec<f64>,
    /// Kept directions `P`, scaled to unit `A`-norm.
    p: Vec<f64>,
    kept: usize,
    store: usize,
    stats: &'s mut RecycleStats,
}

impl Deflation<'_> {
    /// `x += W (W^T A W)^{-1} W^T r`, `r -= A W (...)`: the Galerkin projection of the initial
    /// guess onto `W`. Returns the new residual norm.
    pub(crate) fn project_initial_guess(&mut self, run: &Run, x: &mut [f64], r: &mut [f64], rnorm: f64) -> f64 {
        let k = self.space.dim();
        if k == 0 {
            self.stats.projection_ratio = 1.0;
            return rnorm;
        }
        let par = run.space.par();
        let mut c = vec![0.0; k];
        kernels::block_dot(par, &self.space.w, k, r, &mut c);
        run.space.reduce_slice(&mut c);
        cholesky_solve(&self.chol, k, &mut c);
        kernels::block_axpy(par, &self.space.w, &c, 1.0, x);
        let rr = run.space.reduce([kernels::block_axpy(par, &self.space.aw, &c, -1.0, r)])[0];
        self.stats.projection_ratio = rr.sqrt() / rnorm;
        rr.sqrt()
    }

    /// `p = z + beta p - W mu` with `mu = (W^T A W)^{-1} (A W)^T z`: the next search direction,
    /// `A`-orthogonal to `W`.
    pub(crate) fn next_direction(&mut self, run: &Run, z: &[f64], beta: f64, p: &mut [f64]) {
        let k = self.space.dim();
        let par = run.space.par();
        if k > 0 {
            kernels::block_dot(par, &self.space.aw, k, z, &mut self.mu);
            run.space.reduce_slice(&mut self.mu);
            cholesky_solve(&self.chol, k, &mut self.mu);
        }
        kernels::xpby_block(par, z, beta, &self.space.w, &self.mu, p);
    }

    /// Keeps the direction `p` (`pq = p^T A p`) for the refresh while there is room.
    pub(crate) fn record_direction(&mut self, par: &Par, p: &[f64], pq: f64) {
        if self.kept == self.store {
            return;
        }
        let n = p.len();
        kernels::scale_into(par, 1.0 / pq.sqrt(), p, &mut self.p[self.kept * n..(self.kept + 1) * n]);
        self.kept += 1;
    }
}

/// Runs recycled CG from `w.x`; `store` search directions are kept for the refresh, which
/// leaves `keep` vectors for the next solve.
#[allow(clippy::too_many_arguments)]
pub(crate) fn solve(
    run: &mut Run,
    w: &mut Workspace,
    b: &[f64],
    zero_guess: bool,
    store: usize,
    keep: usize,
    space: &mut DeflationSpace,
    stats: &mut RecycleStats,
) -> Step<Termination> {
    let n = b.len();
    if space.n != n {
        space.clear();
        space.n = n;
    }
    stats.initial_dim = space.dim();
    let k = space.dim();
    if k > 0 && !space.current {
        // A W for the current operator.
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
    let Some(chol) = (if k > 0 { cholesky(&wtaw, k) } else { Some(Vec::new()) }) else {
        // W^T A W not positive definite: the operator is not SPD on W, or W is degenerate.
        stats.dropped = true;
        space.clear();
        space.n = n;
        return solve(run, w, b, zero_guess, store, keep, space, stats);
    };
    let store = store.min(n);
    // The kept directions live in the workspace's basis buffer (reserved for `store` vectors).
    let mut p = std::mem::take(&mut w.basis);
    resize(&mut p, n * store);
    let mut deflation = Deflation { space, chol, mu: vec![0.0; k], p, kept: 0, store, stats };
    let outcome = cg::solve(run, w, b, zero_guess, Some(&mut deflation));
    let Deflation { space, p, kept, stats, .. } = deflation;
    if outcome.is_ok() {
        refresh(run, space, &wtaw, &p, kept, keep);
        stats.refreshes += 1;
        stats.final_dim = space.dim();
    }
    w.basis = p;
    outcome
}

/// `W <- Z y` for the Ritz vectors of the `keep` smallest Ritz values of `A` on
/// `Z = [W | P]`: the generalized symmetric eigenproblem `Z^T A Z y = theta Z^T Z y`.
///
/// `Z^T A Z` costs nothing: the kept directions have unit `A`-norm and are `A`-conjugate to
/// each other and to `W` (that is what deflated CG maintains), so it is
/// `blockdiag(W^T A W, I)`. Only `Z^T Z` is formed, by blocks, without copying `Z`. The new
/// `A W` is left to the next solve (`k` operator applications), which a new operator needs
/// anyway; keeping `A P` instead would cost `m` more vectors.
fn refresh(run: &Run, space: &mut DeflationSpace, wtaw: &[f64], p: &[f64], kept: usize, keep: usize) {
    let n = space.n;
    let k = space.dim();
    let s = k + kept;
    if s == 0 || keep == 0 {
        return;
    }
    let p = &p[..n * kept];
    let mut f = vec![0.0; s * s];
    let mut g = vec![0.0; s * s];
    let (mut ww, mut wp, mut pp) = (vec![0.0; k * k], vec![0.0; k * kept], vec![0.0; kept * kept]);
    matmul_tn(&space.w, n, k, &space.w, k, &mut ww);
    matmul_tn(&space.w, n, k, p, kept, &mut wp);
    matmul_tn(p, n, kept, p, kept, &mut pp);
    for block in [&mut ww, &mut wp, &mut pp] {
        run.space.reduce_slice(block);
    }
    for j in 0..s {
        for i in 0..s {
            g[j * s + i] = match (i < k, j < k) {
                (true, true) => ww[j * k + i],
                (true, false) => wp[(j - k) * k + i],
                (false, true) => wp[(i - k) * k + j],
                (false, false) => pp[(j - k) * kept + (i - k)],
            };
            f[j * s + i] = match (i < k, j < k) {
                (true, true) => wtaw[j * k + i],
                _ => f64::from(u8::from(i == j)),
            };
        }
    }
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
        forward(&l, s, &mut m[col * s..(col + 1) * s]);
    }
    transpose_in_place(&mut m, s);
    for col in 0..s {
        forward(&l, s, &mut m[col * s..(col + 1) * s]);
    }
    let mm = faer::MatRef::from_column_major_slice(&m, s, s);
    let Ok(eig) = mm.self_adjoint_eigen(faer::Side::Lower) else { return };
    let (vals, vecs) = (eig.S(), eig.U());
    let mut order: Vec<usize> = (0..s).collect();
    order.sort_by(|&a, &b| vals[a].total_cmp(&vals[b]));
    let kn = keep.min(s);
    // y = L^{-T} v for each selected eigenvector v, split into its W rows and its P rows.
    let (mut yw, mut yp) = (vec![0.0; k * kn], vec![0.0; kept * kn]);
    let mut col = vec![0.0; s];
    for (c, &i) in order.iter().take(kn).enumerate() {
        for (r, v) in col.iter_mut().enumerate() {
            *v = vecs[(r, i)];
        }
        backward_transposed(&l, s, &mut col);
        yw[c * k..(c + 1) * k].copy_from_slice(&col[..k]);
        yp[c * kept..(c + 1) * kept].copy_from_slice(&col[k..]);
    }
    let mut w_new = vec![0.0; n * kn];
    matmul_nn(&space.w, n, k, &yw, kn, &mut w_new, false);
    matmul_nn(p, n, kept, &yp, kn, &mut w_new, k > 0);
    space.w = w_new;
    space.aw = Vec::new();
    space.current = false;
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

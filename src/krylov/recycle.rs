//! The recycle space of GCRO-DR: `k` vectors `U` (unit columns) and `C` (orthonormal) with
//! `Op u_j = d_j c_j` for the current operator `Op` (`A`, `A M^{-1}` or `M^{-1} A`).
//!
//! It is kept across solves, rebuilt for a new operator (`C` from a QR of `Op U`, so a stale
//! `C` is never used), refreshed from harmonic Ritz vectors after every cycle (Parks, de
//! Sturler, Mackey, Johnson, Maiti 2006, eq. 2.14), and saved / loaded as a versioned byte
//! buffer so that a restarted simulation keeps its warm start.

use super::arnoldi::{self, Mode};
use super::run::{Run, Step};
use crate::error::Error;
use crate::linalg::dense::products::{matmul_nn, matmul_tn};
use crate::linalg::kernels;
use crate::persist::{Reader, Writer};

/// What happened to the recycle space during one solve.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecycleStats {
    /// Dimension of the space the solve started from (0: none).
    pub initial_dim: usize,
    /// Dimension of the space left for the next solve.
    pub final_dim: usize,
    /// `C` was rebuilt for a new operator (`initial_dim` operator applications).
    pub rebuilt: bool,
    /// Largest principal angle (radians) between the old `C` and the one rebuilt for the new
    /// operator: how far the operator change moved the space (0 when not rebuilt).
    pub largest_angle: f64,
    /// Norm reduction of the initial residual by the projection onto `C` (`||r1|| / ||r0||`).
    pub projection_ratio: f64,
    /// Harmonic-Ritz refreshes performed.
    pub refreshes: usize,
    /// The space was dropped because it stopped helping (see `KrylovSolver`).
    pub dropped: bool,
}

/// `U`, `C`, `d` (see the module docs).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecycleSpace {
    n: usize,
    u: Vec<f64>,
    c: Vec<f64>,
    d: Vec<f64>,
    /// `C` belongs to the current operator.
    current: bool,
}

impl RecycleSpace {
    /// Number of vectors kept (0: none).
    pub fn dim(&self) -> usize {
        self.d.len()
    }

    /// Length of the vectors.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The recycled vectors `U` (`n x dim`, column-major, unit columns).
    pub fn u(&self) -> &[f64] {
        &self.u
    }

    /// Forgets the space.
    pub fn clear(&mut self) {
        *self = RecycleSpace::default();
    }

    /// The operator changed: `C` must be rebuilt before use.
    pub fn mark_stale(&mut self) {
        self.current = false;
    }

    /// Whether `C` belongs to the current operator.
    pub fn is_current(&self) -> bool {
        self.current
    }

    /// Rebuilds `C` for the current operator from a QR factorisation of `Op U`; returns the
    /// largest principal angle between the old and the new `C`. A numerically rank-deficient
    /// `Op U` drops the space.
    pub(crate) fn rebuild(&mut self, run: &mut Run, mode: Mode, z: &mut [f64]) -> Step<f64> {
        let (n, k) = (self.n, self.dim());
        let mut y = vec![0.0; n * k];
        for j in 0..k {
            let (uj, yj) = (&self.u[j * n..(j + 1) * n], &mut y[j * n..(j + 1) * n]);
            arnoldi::apply_operator(run, mode, uj, yj, z)?;
        }
        let qr = faer::MatRef::from_column_major_slice(&y, n, k).qr();
        let (q, r) = (qr.compute_thin_Q(), qr.thin_R().to_owned());
        let rmax = (0..k).map(|i| r[(i, i)].abs()).fold(0.0, f64::max);
        if (0..k).any(|i| !(r[(i, i)].abs() > 1e-12 * rmax)) {
            self.clear();
            return Ok(std::f64::consts::FRAC_PI_2);
        }
        let mut c_new = vec![0.0; n * k];
        for j in 0..k {
            for i in 0..n {
                c_new[j * n + i] = q[(i, j)];
            }
        }
        // Principal angles: singular values of C_old^T C_new.
        let mut overlap = vec![0.0; k * k];
        matmul_tn(&self.c, n, k, &c_new, k, &mut overlap);
        let sv = faer::MatRef::from_column_major_slice(&overlap, k, k).singular_values().unwrap_or_default();
        let smallest = sv.iter().copied().fold(1.0f64, f64::min).clamp(-1.0, 1.0);
        // U <- U R^{-1}, then unit columns.
        let rinv = upper_inverse(&r_to_vec(&r, k), k);
        let mut u_new = vec![0.0; n * k];
        matmul_nn(&self.u, n, k, &rinv, k, &mut u_new, false);
        self.u = u_new;
        self.c = c_new;
        self.d = vec![1.0; k];
        self.normalize_u(run);
        self.current = true;
        Ok(smallest.acos())
    }

    /// Scales the columns of `U` to unit norm, moving the scale into `d`.
    fn normalize_u(&mut self, run: &Run) {
        let n = self.n;
        for j in 0..self.dim() {
            let col = &mut self.u[j * n..(j + 1) * n];
            let norm = run.space.norm(col);
            col.iter_mut().for_each(|v| *v /= norm);
            self.d[j] /= norm;
        }
    }

    /// `C^T r` (global), the recycled part of the least-squares right-hand side.
    pub(crate) fn c_dot(&self, run: &Run, r: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.dim()];
        kernels::block_dot(run.space.par(), &self.c, self.dim(), r, &mut out);
        run.space.reduce_slice(&mut out);
        out
    }

    /// The orthonormal `C` (`n x dim`).
    pub fn c(&self) -> &[f64] {
        &self.c
    }

    /// `d`: `Op u_j = d_j c_j`.
    pub fn d(&self) -> &[f64] {
        &self.d
    }

    /// Replaces the space by `k_target` harmonic Ritz vectors of the finished cycle.
    ///
    /// `basis` is `W = [C_old | V]` (`cols + 1` columns; the buffer of
    /// [`RecycleSpace::take_basis`]), whose leading columns receive the new `C`, `g` the unrotated `(m + 1) x m`
    /// matrix `G` of `Op [U_old | V] = W G` (first `cols` columns valid), `kp` the dimension of
    /// the space the cycle used. Keeps the old space if the small eigenproblem fails.
    pub(crate) fn refresh(&mut self, run: &Run, basis: &mut [f64], g: &[f64], m: usize, cols: usize, kp: usize, k_target: usize) {
        let n = self.n;
        let rows = cols + 1;
        let kk = k_target.min(cols.saturating_sub(1));
        if kk == 0 || cols < 2 {
            return;
        }
        // G restricted to its valid block, rows x cols.
        let mut gm = vec![0.0; rows * cols];
        for j in 0..cols {
            gm[j * rows..(j + 1) * rows].copy_from_slice(&g[j * (m + 1)..j * (m + 1) + rows]);
        }
        // W^T [U_old | V_(cols - kp)] = [[C^T U, 0], [V^T U, I]].
        let mut wtw = vec![0.0; rows * cols];
        if kp > 0 {
            let mut wtu = vec![0.0; rows * kp];
            matmul_tn(basis, n, rows, &self.u, kp, &mut wtu);
            run.space.reduce_slice(&mut wtu);
            wtw[..rows * kp].copy_from_slice(&wtu);
        }
        for j in kp..cols {
            wtw[j * rows + j] = 1.0;
        }
        // Harmonic Ritz: G^T G z = theta G^T W^T W_hat z.
        let mut a = vec![0.0; cols * cols];
        let mut b = vec![0.0; cols * cols];
        matmul_tn(&gm, rows, cols, &gm, cols, &mut a);
        matmul_tn(&gm, rows, cols, &wtw, cols, &mut b);
        let am = faer::MatRef::from_column_major_slice(&a, cols, cols);
        let bm = faer::MatRef::from_column_major_slice(&b, cols, cols);
        // faer 0.24's generalized eigensolver panics on some small pencils (a scratch buffer
        // sized too small, seen with 2 x 2 pencils of nearly parallel columns): a refresh that
        // fails keeps the old space, whichever way it fails.
        let eig = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| am.generalized_eigen(bm)));
        let Ok(Ok(eig)) = eig else { return };
        let p = smallest_real_basis(&eig, cols, kk);
        let kk = p.len() / cols;
        if kk == 0 {
            return;
        }
        // C_new = W Q, U_new = W_hat P R^{-1} with G P = Q R.
        let mut gp = vec![0.0; rows * kk];
        matmul_nn(&gm, rows, cols, &p, kk, &mut gp, false);
        let qr = faer::MatRef::from_column_major_slice(&gp, rows, kk).qr();
        let (q, r) = (qr.compute_thin_Q(), qr.thin_R().to_owned());
        let rmax = (0..kk).map(|i| r[(i, i)].abs()).fold(0.0, f64::max);
        if (0..kk).any(|i| !(r[(i, i)].abs() > 1e-13 * rmax)) {
            return;
        }
        let qv: Vec<f64> = (0..kk).flat_map(|j| (0..rows).map(move |i| (i, j))).map(|(i, j)| q[(i, j)]).collect();
        let mut c_new = vec![0.0; n * kk];
        matmul_nn(basis, n, rows, &qv, kk, &mut c_new, false);
        let mut y = vec![0.0; n * kk];
        if kp > 0 {
            // The U part of W_hat: rows 0..kp of P (P is cols x kk, leading dimension cols).
            let pu: Vec<f64> = (0..kk).flat_map(|j| p[j * cols..j * cols + kp].to_vec()).collect();
            matmul_nn(&self.u, n, kp, &pu, kk, &mut y, false);
        }
        // The V part of W_hat is W's columns kp..cols; its coefficients are rows kp.. of P.
        let pv: Vec<f64> = (0..kk).flat_map(|j| p[j * cols + kp..(j + 1) * cols].to_vec()).collect();
        matmul_nn(&basis[kp * n..], n, cols - kp, &pv, kk, &mut y, kp > 0);
        let rinv = upper_inverse(&r_to_vec(&r, kk), kk);
        let mut u_new = vec![0.0; n * kk];
        matmul_nn(&y, n, kk, &rinv, kk, &mut u_new, false);
        self.u = u_new;
        basis[..n * kk].copy_from_slice(&c_new);
        self.d = vec![1.0; kk];
        self.normalize_u(run);
        self.current = true;
    }

    /// Reserves the Arnoldi basis `[C | V]` of GCRO-DR(m, k) (`m + 1` vectors), before a solve,
    /// so that a size too large for memory fails cleanly.
    pub(crate) fn reserve_basis(&mut self, n: usize, m: usize) -> Result<(), Error> {
        if self.n != n {
            self.start(n);
        }
        let len = n.saturating_mul(m + 1);
        self.c.try_reserve_exact(len.saturating_sub(self.c.len())).map_err(|_| {
            Error::Allocation(format!("could not allocate {len} doubles of GCRO-DR basis for n = {n}, restart = {m}"))
        })
    }

    /// Lends `C`'s buffer, grown to `columns` vectors, as the Arnoldi basis `[C | V]`: `C` is
    /// stored once, as the basis' leading block (so the space costs `m + k + 1` vectors with
    /// `U`). Give it back with [`RecycleSpace::return_basis`].
    pub(crate) fn take_basis(&mut self, columns: usize) -> Vec<f64> {
        let mut basis = std::mem::take(&mut self.c);
        basis.resize(self.n * columns, 0.0);
        basis
    }

    /// Takes back the basis lent by [`RecycleSpace::take_basis`]; its leading `dim` columns are `C`.
    pub(crate) fn return_basis(&mut self, mut basis: Vec<f64>) {
        basis.truncate(self.n * self.dim());
        self.c = basis;
    }

    /// Starts an empty space for vectors of length `n`.
    pub(crate) fn start(&mut self, n: usize) {
        *self = RecycleSpace { n, ..Default::default() };
    }

    /// Doubles held (allocated capacity).
    pub(crate) fn doubles(&self) -> usize {
        self.u.capacity() + self.c.capacity() + self.d.capacity()
    }

    /// Appends the space (`n`, `k`, `d`, `U`, `C`) to a saved state.
    pub(crate) fn save(&self, w: &mut Writer) {
        w.u64(self.n as u64).u64(self.dim() as u64).f64s(&self.d).f64s(&self.u).f64s(&self.c);
    }

    /// Reads a space written by [`RecycleSpace::save`]; `C` is marked stale, so the next solve
    /// rebuilds it for whatever operator is current then.
    pub(crate) fn load(r: &mut Reader) -> Result<Self, Error> {
        let (n, k) = (r.size()?, r.size()?);
        let block = n.checked_mul(k).ok_or_else(|| Error::invalid("recycle state rejected: n * k overflows"))?;
        let (d, u, c) = (r.f64s(k)?, r.f64s(block)?, r.f64s(block)?);
        Ok(RecycleSpace { n, u, c, d, current: false })
    }
}

/// The `k x k` upper triangle of `r` as a column-major vector.
fn r_to_vec(r: &faer::Mat<f64>, k: usize) -> Vec<f64> {
    (0..k).flat_map(|j| (0..k).map(move |i| (i, j))).map(|(i, j)| if i <= j { r[(i, j)] } else { 0.0 }).collect()
}

/// Inverse of an upper triangular `k x k` column-major matrix (nonzero diagonal).
fn upper_inverse(r: &[f64], k: usize) -> Vec<f64> {
    let mut inv = vec![0.0; k * k];
    for j in 0..k {
        // Column j of R^{-1}: solve R x = e_j by back substitution.
        for i in (0..=j).rev() {
            let mut s = if i == j { 1.0 } else { 0.0 };
            for l in i + 1..=j {
                s -= r[l * k + i] * inv[j * k + l];
            }
            inv[j * k + i] = s / r[i * k + i];
        }
    }
    inv
}

/// A real basis (column-major, `cols x <= k`) of the eigenvectors with the `k` smallest
/// `|theta|`: complex pairs contribute their real and imaginary parts.
fn smallest_real_basis(eig: &faer::linalg::solvers::GeneralizedEigen<f64>, cols: usize, k: usize) -> Vec<f64> {
    let (sa, sb, u) = (eig.S_a(), eig.S_b(), eig.U());
    // theta_i = S_a[i] / S_b[i] as (re, im); an infinite or undefined theta sorts last.
    let theta: Vec<(f64, f64)> = (0..cols)
        .map(|i| {
            let (a, b) = (sa[i], sb[i]);
            let den = b.re * b.re + b.im * b.im;
            ((a.re * b.re + a.im * b.im) / den, (a.im * b.re - a.re * b.im) / den)
        })
        .collect();
    let magnitude = |i: usize| {
        let m = theta[i].0.hypot(theta[i].1);
        if m.is_nan() { f64::INFINITY } else { m }
    };
    let mut order: Vec<usize> = (0..cols).collect();
    order.sort_by(|&x, &y| magnitude(x).total_cmp(&magnitude(y)));
    let mut out: Vec<f64> = Vec::with_capacity(cols * k);
    let mut taken = 0;
    let mut used = vec![false; cols];
    for &i in &order {
        if taken >= k || used[i] {
            continue;
        }
        used[i] = true;
        let re: Vec<f64> = (0..cols).map(|r| u[(r, i)].re).collect();
        let im: Vec<f64> = (0..cols).map(|r| u[(r, i)].im).collect();
        out.extend_from_slice(&re);
        taken += 1;
        let im_norm = im.iter().map(|v| v * v).sum::<f64>().sqrt();
        let re_norm = re.iter().map(|v| v * v).sum::<f64>().sqrt();
        if im_norm > 1e-12 * re_norm.max(im_norm) {
            // The conjugate partner spans the same real plane: take Im now, skip the partner.
            let conj = (theta[i].0, -theta[i].1);
            let close = |j: usize| (theta[j].0 - conj.0).hypot(theta[j].1 - conj.1) <= 1e-8 * magnitude(i).max(1e-300);
            if let Some(&j) = order.iter().find(|&&j| !used[j] && close(j)) {
                used[j] = true;
            }
            if taken < k {
                out.extend_from_slice(&im);
                taken += 1;
            }
        }
    }
    out
}

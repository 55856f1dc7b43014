//! SOR sweeps on a CSR matrix: forward, backward, and the SSOR application, in the natural or a
//! multicolour order.
//!
//! Cost model (measured in `tests/sor_solver.rs` and `benches/sor_bandit.rs`): a sweep is one
//! pass over the stored entries, like a matvec; the residual of the new iterate, needed by the
//! stopping test, is a second pass over one triangle only (half a matvec), from
//! `r_new = (M - A) delta = (1/omega - 1) D delta - U delta` (forward; `L` for backward) where
//! `delta = x_new - x_old` is kept by the sweep. Nothing is allocated per sweep; the inverse
//! diagonal and the diagonal positions are computed once per matrix.

use super::colouring;
use super::SweepOrdering;
use crate::error::Error;
use crate::linalg::par::{chunk_range, CHUNK};
use crate::linalg::{CsrMatrix, Par};
use std::ops::Range;
use std::sync::Arc;

/// A raw vector pointer that parallel row blocks share. Sound because every kernel below writes
/// only rows of the block it runs, and reads, besides its own rows, only unknowns of other
/// colours, which no block writes during the same colour phase (see [`colouring`]).
#[derive(Clone, Copy)]
struct Ptr(*mut f64);
// SAFETY: see the type's docs: concurrent blocks touch disjoint elements.
unsafe impl Send for Ptr {}
unsafe impl Sync for Ptr {}

impl Ptr {
    #[inline(always)]
    unsafe fn get(self, i: usize) -> f64 {
        *self.0.add(i)
    }
    #[inline(always)]
    unsafe fn set(self, i: usize, v: f64) {
        *self.0.add(i) = v;
    }
}

/// What [`SorMatrix::row_link`] finds about one row.
struct RowLink {
    p0: usize,
    p1: usize,
    d: usize,
    q: usize,
    linked: bool,
    w: f64,
}

/// The per-matrix data of the sweeps. With [`SweepOrdering::Multicolour`] it holds the matrix
/// permuted so that each colour is a contiguous block of rows ("working order"); vectors are
/// moved in and out of that order with [`SorMatrix::to_working`] / [`SorMatrix::from_working`].
#[derive(Debug, Clone)]
pub struct SorMatrix {
    a: Arc<CsrMatrix>,
    diag_pos: Vec<usize>,
    inv_diag: Vec<f64>,
    /// Working row `k` is row `perm[k]` of the caller's matrix (multicolour only).
    perm: Option<Vec<usize>>,
    /// Row ranges swept one after the other; rows inside one range are independent
    /// (multicolour). The natural order is one sequential range.
    colours: Vec<Range<usize>>,
    ordering: SweepOrdering,
}

impl SorMatrix {
    /// Prepares `a` (square, every diagonal entry stored and nonzero) for sweeps in `ordering`;
    /// fails naming the first bad row.
    pub fn new(a: Arc<CsrMatrix>, ordering: SweepOrdering) -> Result<Self, Error> {
        let n = a.nrows();
        if n != a.ncols() {
            return Err(Error::dims(format!("SOR needs a square matrix, got {n} x {}", a.ncols())));
        }
        let (a, perm, colours) = match ordering {
            SweepOrdering::Natural => (a, None, Vec::from([0..n])),
            SweepOrdering::Multicolour => {
                let (p, perm, colours) = permute_by_colour(&a)?;
                (Arc::new(p), Some(perm), colours)
            }
        };
        let mut diag_pos = Vec::with_capacity(n);
        let mut inv_diag = Vec::with_capacity(n);
        for i in 0..n {
            let p = a.find(i, i).filter(|&p| a.values()[p] != 0.0).ok_or_else(|| {
                let row = perm.as_ref().map_or(i, |pm| pm[i]);
                Error::invalid(format!(
                    "SOR needs a nonzero diagonal, but A[{row},{row}] (0-based) is zero or not stored"
                ))
            })?;
            diag_pos.push(p);
            inv_diag.push(1.0 / a.values()[p]);
        }
        Ok(SorMatrix { a, diag_pos, inv_diag, perm, colours, ordering })
    }

    /// The dimension.
    pub fn n(&self) -> usize {
        self.diag_pos.len()
    }

    /// The ordering the sweeps use.
    pub fn ordering(&self) -> SweepOrdering {
        self.ordering
    }

    /// The number of row groups swept in sequence (colours; 1 for the natural order).
    pub fn colours(&self) -> usize {
        self.colours.len()
    }

    /// The matrix in working order.
    pub fn working_matrix(&self) -> &Arc<CsrMatrix> {
        &self.a
    }

    /// `out = v` in working order.
    pub fn to_working(&self, v: &[f64], out: &mut [f64]) {
        match &self.perm {
            None => out.copy_from_slice(v),
            Some(p) => out.iter_mut().zip(p).for_each(|(o, &i)| *o = v[i]),
        }
    }

    /// `out = w` back in the caller's order.
    pub fn from_working(&self, w: &[f64], out: &mut [f64]) {
        match &self.perm {
            None => out.copy_from_slice(w),
            Some(p) => w.iter().zip(p).for_each(|(&v, &i)| out[i] = v),
        }
    }

    /// Runs `f(i)` for every working row, colour by colour (in reverse when `reverse`), in
    /// parallel inside a colour, sequentially (ascending or descending) in the natural order.
    fn for_rows(&self, par: &Par, reverse: bool, f: impl Fn(usize) + Sync + Send) {
        if self.perm.is_none() {
            let n = self.n();
            if reverse {
                (0..n).rev().for_each(f);
            } else {
                (0..n).for_each(f);
            }
            return;
        }
        let mut run = |r: &Range<usize>| {
            let len = r.end - r.start;
            par.for_blocks(len.div_ceil(CHUNK), 0, &mut [], |b, _| {
                chunk_range(b, len).for_each(|k| f(r.start + k));
            });
        };
        if reverse {
            self.colours.iter().rev().for_each(&mut run);
        } else {
            self.colours.iter().for_each(&mut run);
        }
    }

    /// Row `i`'s entry range and diagonal position, `w = omega / a_ii`, and whether its entry
    /// for the row swept just before it (`i - 1` forward, `i + 1` backward; none at `step` 0)
    /// sits next to the diagonal at `q`, so that row's new value can come from a register.
    ///
    /// # Safety
    /// `i < n`.
    #[inline(always)]
    unsafe fn row_link(&self, i: usize, step: usize, reverse: bool, omega: f64) -> RowLink {
        let (rp, ci) = (self.a.row_ptr(), self.a.col_idx());
        let (p0, p1, d) = (*rp.get_unchecked(i), *rp.get_unchecked(i + 1), *self.diag_pos.get_unchecked(i));
        let (q, neighbour) = if reverse { (d + 1, i + 1) } else { (d.wrapping_sub(1), i.wrapping_sub(1)) };
        let linked = step > 0 && q >= p0 && q < p1 && *ci.get_unchecked(q) == neighbour;
        RowLink { p0, p1, d, q, linked, w: omega * self.inv_diag.get_unchecked(i) }
    }

    /// `sum_{p in p0..p1} a_p x[col_p]`.
    ///
    /// # Safety
    /// `p0..p1` lies inside one row's entries and `x` has `n` elements (construction checked
    /// every column index is `< n`).
    #[inline(always)]
    unsafe fn dot(&self, p0: usize, p1: usize, x: Ptr) -> f64 {
        let (v, c) = (self.a.values(), self.a.col_idx());
        let mut acc = 0.0;
        for p in p0..p1 {
            acc += v.get_unchecked(p) * x.get(*c.get_unchecked(p));
        }
        acc
    }

    fn check(&self, vs: &[usize]) {
        assert!(vs.iter().all(|&l| l == self.n()), "SOR sweep: dimension mismatch");
    }

    /// One SOR sweep in working order: `x_i += omega (b_i - A_i x) / a_ii` row by row (forward
    /// or `reverse`), writing the change of each unknown to `delta`.
    pub fn sweep(&self, par: &Par, reverse: bool, omega: f64, b: &[f64], x: &mut [f64], delta: &mut [f64]) {
        self.check(&[b.len(), x.len(), delta.len()]);
        if self.perm.is_none() {
            self.natural_sweep(reverse, omega, b, x, delta, false);
            return;
        }
        let rp = self.a.row_ptr();
        let (xp, dp) = (Ptr(x.as_mut_ptr()), Ptr(delta.as_mut_ptr()));
        self.for_rows(par, reverse, |i| {
            // SAFETY: i < n; rows of a block are written by that block only (see `Ptr`).
            unsafe {
                let s = self.dot(*rp.get_unchecked(i), *rp.get_unchecked(i + 1), xp);
                let d = omega * (b.get_unchecked(i) - s) * self.inv_diag.get_unchecked(i);
                xp.set(i, xp.get(i) + d);
                dp.set(i, d);
            }
        });
    }

    /// A sweep (as [`SorMatrix::sweep`]) that returns `||b - A x_new||^2` of the new iterate
    /// (as [`SorMatrix::residual_after`]). In the natural order the residual rows are computed
    /// inside the sweep, a bandwidth behind it, while their entries are still in cache.
    pub fn sweep_residual(&self, par: &Par, reverse: bool, omega: f64, b: &[f64], x: &mut [f64], delta: &mut [f64]) -> f64 {
        self.check(&[b.len(), x.len(), delta.len()]);
        if self.perm.is_none() {
            return self.natural_sweep(reverse, omega, b, x, delta, true);
        }
        self.sweep(par, reverse, omega, b, x, delta);
        self.residual_after(par, reverse, omega, delta)
    }

    /// The sequential sweep of the natural order, with the latency of the recurrence cut short
    /// and (when `residual`) the residual of the new iterate fused in; returns `||r||^2` (0
    /// without `residual`).
    ///
    /// Latency: the entry coupling row `i` to the row swept just before (column `i - 1`
    /// forward, `i + 1` backward) is taken out of the row sum, and its new value is carried in
    /// a register, so the only dependency from one row to the next is one multiply-add:
    /// `x_i = [x_i + w (b_i - s_far)] - (w a_{i,i-1}) x_{i-1}`, `w = omega / a_ii`.
    ///
    /// Residual: row `k`'s `r_k = (1/omega - 1) a_kk delta_k - sum_{j beyond k} a_kj delta_j`
    /// needs the changes of the rows the sweep visits after `k`; it is computed as soon as the
    /// sweep has passed the last of them.
    fn natural_sweep(&self, reverse: bool, omega: f64, b: &[f64], x: &mut [f64], delta: &mut [f64], residual: bool) -> f64 {
        let n = self.n();
        let (rp, ci, v) = (self.a.row_ptr(), self.a.col_idx(), self.a.values());
        let (xp, dp) = (Ptr(x.as_mut_ptr()), Ptr(delta.as_mut_ptr()));
        let scale = 1.0 / omega - 1.0;
        let mut prev = 0.0;
        let mut rr = 0.0;
        let mut k = 0; // rows whose residual is done, counted in sweep order
        for step in 0..n {
            let i = if reverse { n - 1 - step } else { step };
            // SAFETY: i < n; positions come from row i's range; columns are < n (validated).
            unsafe {
                let RowLink { p0, p1, q, linked, w, .. } = self.row_link(i, step, reverse, omega);
                let xo = xp.get(i);
                let xn = if linked {
                    let far = self.dot(p0, q, xp) + self.dot(q + 1, p1, xp);
                    (xo + w * (b.get_unchecked(i) - far)) - (w * v.get_unchecked(q)) * prev
                } else {
                    xo + w * (b.get_unchecked(i) - self.dot(p0, p1, xp))
                };
                xp.set(i, xn);
                dp.set(i, xn - xo);
                prev = xn;
                if residual {
                    // Rows (in sweep order) whose later neighbours have all been swept.
                    while k <= step {
                        let r = if reverse { n - 1 - k } else { k };
                        let (rs, re, rd) = (*rp.get_unchecked(r), *rp.get_unchecked(r + 1), *self.diag_pos.get_unchecked(r));
                        let ready = if reverse { *ci.get_unchecked(rs) >= i } else { *ci.get_unchecked(re - 1) <= i };
                        if !ready {
                            break;
                        }
                        let off = if reverse { self.dot(rs, rd, dp) } else { self.dot(rd + 1, re, dp) };
                        let res = scale * v.get_unchecked(rd) * dp.get(r) - off;
                        rr += res * res;
                        k += 1;
                    }
                }
            }
        }
        rr
    }

    /// `||b - A x_new||^2` after a sweep that changed `x` by `delta`: the strictly upper
    /// triangle for a forward sweep (`after_reverse = false`), the lower one after a backward
    /// sweep. Fixed row chunks: the result does not depend on the thread count.
    pub fn residual_after(&self, par: &Par, after_reverse: bool, omega: f64, delta: &[f64]) -> f64 {
        self.check(&[delta.len()]);
        let (rp, vals) = (self.a.row_ptr(), self.a.values());
        let dptr = Ptr(delta.as_ptr() as *mut f64);
        let scale = 1.0 / omega - 1.0;
        par.chunk_sums(self.n(), |rows| {
            let mut acc = 0.0;
            for i in rows {
                let dp = self.diag_pos[i];
                let (p0, p1) = if after_reverse { (rp[i], dp) } else { (dp + 1, rp[i + 1]) };
                // SAFETY: a range of row i's entries; delta has n elements and is only read.
                let off = unsafe { self.dot(p0, p1, dptr) };
                let r = scale * vals[dp] * delta[i] - off;
                acc += r * r;
            }
            [acc]
        })[0]
    }

    /// The SSOR preconditioner `z = M^{-1} r`, `M = (D + omega L) D^{-1} (D + omega U) /
    /// (omega (2 - omega))` (one symmetric SOR sweep from zero), as a forward and a backward
    /// triangular solve: one pass over the stored entries in all.
    pub fn ssor_apply(&self, par: &Par, omega: f64, r: &[f64], z: &mut [f64]) {
        self.check(&[r.len(), z.len()]);
        if self.perm.is_none() {
            self.natural_ssor(omega, r, z);
            return;
        }
        let rp = self.a.row_ptr();
        let zp = Ptr(z.as_mut_ptr());
        // y = (D + omega L)^{-1} r
        self.for_rows(par, false, |i| unsafe {
            // SAFETY: as in `sweep`; only earlier colours / rows are read.
            let s = self.dot(*rp.get_unchecked(i), *self.diag_pos.get_unchecked(i), zp);
            zp.set(i, (r.get_unchecked(i) - omega * s) * self.inv_diag.get_unchecked(i));
        });
        // z = (D + omega U)^{-1} D y, scaled by omega (2 - omega)
        self.for_rows(par, true, |i| unsafe {
            // SAFETY: as above; only later colours / rows are read.
            let s = self.dot(*self.diag_pos.get_unchecked(i) + 1, *rp.get_unchecked(i + 1), zp);
            zp.set(i, zp.get(i) - omega * s * self.inv_diag.get_unchecked(i));
        });
        let c = omega * (2.0 - omega);
        z.iter_mut().for_each(|v| *v *= c);
    }
}

impl SorMatrix {
    /// [`SorMatrix::ssor_apply`] in the natural order, with the neighbour entry carried in a
    /// register as in `natural_sweep` (one multiply-add between consecutive rows).
    fn natural_ssor(&self, omega: f64, r: &[f64], z: &mut [f64]) {
        let n = self.n();
        let v = self.a.values();
        let zp = Ptr(z.as_mut_ptr());
        for reverse in [false, true] {
            let mut prev = 0.0;
            for step in 0..n {
                let i = if reverse { n - 1 - step } else { step };
                // SAFETY: as in `natural_sweep`.
                unsafe {
                    let RowLink { p0, p1, d, q, linked, w } = self.row_link(i, step, reverse, omega);
                    // Forward: z_i = (r_i - omega L_i z) / a_ii; backward: z_i -= omega U_i z / a_ii.
                    let (start, far) = match (reverse, linked) {
                        (false, true) => (*r.get_unchecked(i) * self.inv_diag.get_unchecked(i), self.dot(p0, q, zp)),
                        (false, false) => (*r.get_unchecked(i) * self.inv_diag.get_unchecked(i), self.dot(p0, d, zp)),
                        (true, true) => (zp.get(i), self.dot(q + 1, p1, zp)),
                        (true, false) => (zp.get(i), self.dot(d + 1, p1, zp)),
                    };
                    let mut zi = start - w * far;
                    if linked {
                        zi -= (w * v.get_unchecked(q)) * prev;
                    }
                    zp.set(i, zi);
                    prev = zi;
                }
            }
        }
        let c = omega * (2.0 - omega);
        z.iter_mut().for_each(|v| *v *= c);
    }
}

/// `P A P^T` with rows grouped by colour (natural order inside a colour), the permutation, and
/// the colour ranges.
type Permuted = (CsrMatrix, Vec<usize>, Vec<Range<usize>>);

fn permute_by_colour(a: &CsrMatrix) -> Result<Permuted, Error> {
    let col = colouring::greedy(a);
    let n = a.nrows();
    let mut starts = vec![0usize; col.count + 1];
    col.colour.iter().for_each(|&c| starts[c + 1] += 1);
    for c in 0..col.count {
        starts[c + 1] += starts[c];
    }
    let mut next = starts.clone();
    let mut perm = vec![0usize; n];
    let mut inv = vec![0usize; n];
    for (i, &c) in col.colour.iter().enumerate() {
        perm[next[c]] = i;
        inv[i] = next[c];
        next[c] += 1;
    }
    let (rp, ci, v) = (a.row_ptr(), a.col_idx(), a.values());
    let mut row_ptr = Vec::with_capacity(n + 1);
    let (mut cols, mut vals) = (Vec::with_capacity(ci.len()), Vec::with_capacity(ci.len()));
    row_ptr.push(0i64);
    for &old in &perm {
        for p in rp[old]..rp[old + 1] {
            cols.push(inv[ci[p]] as i64);
            vals.push(v[p]);
        }
        row_ptr.push(cols.len() as i64);
    }
    let pa = CsrMatrix::from_raw_parts(n, n, &row_ptr, &cols, &vals, 0)?;
    let colours = (0..col.count).map(|c| starts[c]..starts[c + 1]).collect();
    Ok((pa, perm, colours))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The forward sweep against its definition on a dense copy, and the fused residual
    /// against `||b - A x||` computed directly.
    #[test]
    fn sweep_and_residual_match_the_definitions() {
        let a = Arc::new(crate::problems::convection_diffusion2d(9, 3.0));
        let n = a.nrows();
        let d = a.to_dense();
        let b: Vec<f64> = (0..n).map(|i| (i as f64 * 0.7).sin()).collect();
        for (ordering, reverse) in [(SweepOrdering::Natural, false), (SweepOrdering::Natural, true), (SweepOrdering::Multicolour, false)] {
            let m = SorMatrix::new(a.clone(), ordering).unwrap();
            let omega = 1.3;
            let x0: Vec<f64> = (0..n).map(|i| (i as f64 * 0.3).cos()).collect();
            let (mut xw, mut bw, mut delta) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
            m.to_working(&x0, &mut xw);
            m.to_working(&b, &mut bw);
            let fused = m.sweep_residual(&Par::seq(), reverse, omega, &bw, &mut xw, &mut delta);
            let rr = m.residual_after(&Par::seq(), reverse, omega, &delta);
            assert!((fused - rr).abs() < 1e-12 * rr.max(1.0), "fused {fused} vs separate {rr}");
            let mut x = vec![0.0; n];
            m.from_working(&xw, &mut x);
            // Reference: Gauss-Seidel order on the dense matrix, visiting rows as the sweep does.
            let mut xr = x0.clone();
            let order: Vec<usize> = match (&m.perm, reverse) {
                (Some(p), _) => p.clone(),
                (None, false) => (0..n).collect(),
                (None, true) => (0..n).rev().collect(),
            };
            for &i in &order {
                let s: f64 = (0..n).map(|j| d[(i, j)] * xr[j]).sum();
                xr[i] += omega * (b[i] - s) / d[(i, i)];
            }
            for i in 0..n {
                assert!((x[i] - xr[i]).abs() < 1e-12, "{ordering:?} {reverse}: x[{i}]");
            }
            let r2: f64 = (0..n).map(|i| b[i] - (0..n).map(|j| d[(i, j)] * xr[j]).sum::<f64>()).map(|r| r * r).sum();
            assert!((rr - r2).abs() < 1e-10 * r2.max(1.0), "{ordering:?}: {rr} vs {r2}");
        }
    }

    /// `ssor_apply` against `M z = r` with `M = (D + wL) D^{-1} (D + wU) / (w (2 - w))` formed
    /// densely, in both orderings (multicolour: `M` of the permuted matrix).
    #[test]
    fn ssor_apply_inverts_the_ssor_matrix() {
        let a = Arc::new(crate::problems::convection_diffusion2d(6, 2.0));
        let n = a.nrows();
        let omega = 1.4;
        for ordering in [SweepOrdering::Natural, SweepOrdering::Multicolour] {
            let m = SorMatrix::new(a.clone(), ordering).unwrap();
            let d = m.working_matrix().to_dense();
            let r: Vec<f64> = (0..n).map(|i| 1.0 + (i as f64).sin()).collect();
            let mut z = vec![0.0; n];
            m.ssor_apply(&Par::seq(), omega, &r, &mut z);
            // y = (D + wU) z / (w (2 - w)), then D^{-1} y, then (D + wL) (.) must give r.
            let c = omega * (2.0 - omega);
            let y: Vec<f64> = (0..n).map(|i| (d[(i, i)] * z[i] + omega * (i + 1..n).map(|j| d[(i, j)] * z[j]).sum::<f64>()) / c).collect();
            let y: Vec<f64> = (0..n).map(|i| y[i] / d[(i, i)]).collect();
            for i in 0..n {
                let mz = d[(i, i)] * y[i] + omega * (0..i).map(|j| d[(i, j)] * y[j]).sum::<f64>();
                assert!((mz - r[i]).abs() < 1e-12 * (1.0 + r[i].abs()), "{ordering:?} row {i}: {mz} vs {}", r[i]);
            }
        }
    }

    #[test]
    fn a_zero_or_missing_diagonal_is_named() {
        let a = CsrMatrix::from_triplets(2, 2, &[(0, 0, 1.0), (1, 0, 1.0)]).unwrap();
        let e = SorMatrix::new(Arc::new(a), SweepOrdering::Natural).unwrap_err();
        assert!(e.message().contains("A[1,1]"), "{e}");
    }
}

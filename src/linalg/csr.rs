//! A validated compressed-sparse-row matrix.

use super::par::{Par, SharedMut};
use crate::error::Error;

/// Target number of stored entries per parallel row block of a matvec.
const BLOCK_NNZ: usize = 8192;

/// The largest dimension accepted anywhere (keeps every `n + 1` and `n * k` free of overflow).
pub const MAX_DIM: usize = (isize::MAX as usize) / 16;

/// Rejects a size of zero or one too large to address.
pub fn check_dim(n: usize, what: &str) -> Result<(), Error> {
    if n == 0 || n > MAX_DIM {
        Err(Error::invalid(format!("{what} = {n} is out of range; it must be in 1..={MAX_DIM}")))
    } else {
        Ok(())
    }
}

/// A sparse matrix in CSR form with sorted, unique column indices in every row.
///
/// Built only through validating constructors, so every other routine may assume a
/// well-formed matrix with finite values.
#[derive(Debug, Clone, PartialEq)]
pub struct CsrMatrix {
    nrows: usize,
    ncols: usize,
    row_ptr: Vec<usize>,
    col_idx: Vec<usize>,
    values: Vec<f64>,
    /// Row boundaries of the parallel matvec blocks (about `BLOCK_NNZ` entries each). Fixed per
    /// matrix, so fused reductions do not depend on the thread count.
    blocks: Vec<usize>,
}

/// The number of stored entries that `row_ptr` (of length `nrows + 1`) declares, validated.
pub fn nnz_from_row_ptr(row_ptr: &[i64], index_base: i64) -> Result<usize, Error> {
    check_index_base(index_base)?;
    let first = row_ptr[0];
    if first != index_base {
        return Err(Error::invalid(format!(
            "row_ptr[{index_base}] (the first entry) = {first}; it must equal index_base = {index_base}"
        )));
    }
    let last = row_ptr[row_ptr.len() - 1];
    if last < index_base || (last - index_base) as u128 > MAX_DIM as u128 {
        return Err(Error::invalid(format!(
            "row_ptr[nrows] = {last} gives nnz = {}; it must be in 0..={MAX_DIM}",
            last as i128 - index_base as i128
        )));
    }
    Ok((last - index_base) as usize)
}

fn check_index_base(index_base: i64) -> Result<(), Error> {
    if index_base == 0 || index_base == 1 {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "index_base = {index_base}; it must be 0 (C) or 1 (Fortran, Julia)"
        )))
    }
}

impl CsrMatrix {
    /// Builds a matrix from CSR arrays as a C, Fortran or Julia host holds them.
    ///
    /// `row_ptr` has `nrows + 1` entries; `col_idx` and `values` have
    /// `row_ptr[nrows] - index_base` entries. Messages give array positions and rows in the
    /// caller's `index_base`, so a Fortran or Julia user reads them as their own indices. Columns within a row may come in any order;
    /// duplicate entries of a row are summed. Rejected, with the offending row named: an
    /// `index_base` other than 0 or 1, decreasing row pointers, a column index outside the
    /// matrix, a NaN or infinite value.
    pub fn from_raw_parts(
        nrows: usize,
        ncols: usize,
        row_ptr: &[i64],
        col_idx: &[i64],
        values: &[f64],
        index_base: i64,
    ) -> Result<Self, Error> {
        check_dim(nrows, "nrows")?;
        check_dim(ncols, "ncols")?;
        if row_ptr.len() != nrows + 1 {
            return Err(Error::dims(format!(
                "row_ptr has length {} but must have nrows + 1 = {}",
                row_ptr.len(),
                nrows + 1
            )));
        }
        let nnz = nnz_from_row_ptr(row_ptr, index_base)?;
        if col_idx.len() != nnz || values.len() != nnz {
            return Err(Error::dims(format!(
                "col_idx and values have lengths {} and {}; row_ptr declares nnz = {nnz}",
                col_idx.len(),
                values.len()
            )));
        }
        let mut rp = Vec::with_capacity(nrows + 1);
        rp.push(0usize);
        let mut entries: Vec<(usize, f64)> = Vec::new();
        let mut cols = Vec::with_capacity(nnz);
        let mut vals = Vec::with_capacity(nnz);
        for i in 0..nrows {
            let (s, e) = (row_ptr[i], row_ptr[i + 1]);
            if e < s {
                return Err(Error::invalid(format!(
                    "row_ptr[{}] = {e} is less than row_ptr[{}] = {s} (row {}): row pointers \
                     must be non-decreasing",
                    i as i64 + 1 + index_base,
                    i as i64 + index_base,
                    i as i64 + index_base
                )));
            }
            if e - index_base > nnz as i64 {
                return Err(Error::invalid(format!(
                    "row_ptr[{}] = {e} exceeds the last entry row_ptr[{}] = {} (row {})",
                    i as i64 + 1 + index_base,
                    nrows as i64 + index_base,
                    nnz as i64 + index_base,
                    i as i64 + index_base
                )));
            }
            entries.clear();
            for p in (s - index_base) as usize..(e - index_base) as usize {
                let c = col_idx[p];
                if c < index_base || c - index_base >= ncols as i64 {
                    return Err(Error::invalid(format!(
                        "col_idx[{}] = {c} in row {} is out of range; column indices must be in \
                         {index_base}..={}",
                        p as i64 + index_base,
                        i as i64 + index_base,
                        ncols as i64 - 1 + index_base
                    )));
                }
                let v = values[p];
                if !v.is_finite() {
                    return Err(Error::NonFinite(format!(
                        "values[{}] = {v} in row {} is not finite",
                        p as i64 + index_base,
                        i as i64 + index_base
                    )));
                }
                entries.push(((c - index_base) as usize, v));
            }
            push_sorted_row(&mut entries, &mut cols, &mut vals);
            rp.push(cols.len());
        }
        Ok(Self::assemble(nrows, ncols, rp, cols, vals))
    }

    /// Builds a matrix from `(row, col, value)` triplets (0-based; duplicates summed).
    pub fn from_triplets(
        nrows: usize,
        ncols: usize,
        triplets: &[(usize, usize, f64)],
    ) -> Result<Self, Error> {
        check_dim(nrows, "nrows")?;
        check_dim(ncols, "ncols")?;
        let mut by_row: Vec<Vec<(usize, f64)>> = vec![Vec::new(); nrows];
        for (k, &(i, j, v)) in triplets.iter().enumerate() {
            if i >= nrows || j >= ncols {
                return Err(Error::invalid(format!(
                    "triplet {k} = ({i}, {j}) is outside the {nrows} x {ncols} matrix"
                )));
            }
            if !v.is_finite() {
                return Err(Error::NonFinite(format!("triplet {k} has non-finite value {v}")));
            }
            by_row[i].push((j, v));
        }
        let mut rp = vec![0usize];
        let (mut cols, mut vals) = (Vec::new(), Vec::new());
        for mut row in by_row {
            push_sorted_row(&mut row, &mut cols, &mut vals);
            rp.push(cols.len());
        }
        Ok(Self::assemble(nrows, ncols, rp, cols, vals))
    }

    fn assemble(
        nrows: usize,
        ncols: usize,
        row_ptr: Vec<usize>,
        col_idx: Vec<usize>,
        values: Vec<f64>,
    ) -> Self {
        let mut blocks = vec![0usize];
        let mut acc = 0usize;
        for i in 0..nrows {
            acc += row_ptr[i + 1] - row_ptr[i] + 1;
            if acc >= BLOCK_NNZ {
                blocks.push(i + 1);
                acc = 0;
            }
        }
        if *blocks.last().unwrap() != nrows {
            blocks.push(nrows);
        }
        CsrMatrix { nrows, ncols, row_ptr, col_idx, values, blocks }
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.nrows
    }
    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.ncols
    }
    /// Number of stored entries (after duplicates were summed).
    pub fn nnz(&self) -> usize {
        self.values.len()
    }
    /// Row pointers (0-based, length `nrows + 1`).
    pub fn row_ptr(&self) -> &[usize] {
        &self.row_ptr
    }
    /// Column indices (0-based, sorted within each row).
    pub fn col_idx(&self) -> &[usize] {
        &self.col_idx
    }
    /// Stored values.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Position of entry `(i, j)` in `values`, if stored.
    pub fn find(&self, i: usize, j: usize) -> Option<usize> {
        let (s, e) = (self.row_ptr[i], self.row_ptr[i + 1]);
        self.col_idx[s..e].binary_search(&j).ok().map(|k| s + k)
    }

    /// The main diagonal (zero where no entry is stored).
    pub fn diagonal(&self) -> Vec<f64> {
        (0..self.nrows.min(self.ncols))
            .map(|i| self.find(i, i).map_or(0.0, |p| self.values[p]))
            .collect()
    }

    /// `y = A x`.
    pub fn matvec(&self, par: &Par, x: &[f64], y: &mut [f64]) {
        self.matvec_dot(par, x, y);
    }

    /// Row `i` of `A` times `x`.
    ///
    /// # Safety
    /// `i < nrows` and `x.len() == ncols`.
    #[inline(always)]
    unsafe fn row_dot(&self, i: usize, x: &[f64]) -> f64 {
        let (a, e) = (*self.row_ptr.get_unchecked(i), *self.row_ptr.get_unchecked(i + 1));
        let mut acc = 0.0;
        for k in a..e {
            acc += self.values.get_unchecked(k) * x.get_unchecked(*self.col_idx.get_unchecked(k));
        }
        acc
    }

    /// `y = A x`, returning the local `x . y` computed in the same pass (square matrices only).
    pub fn matvec_dot(&self, par: &Par, x: &[f64], y: &mut [f64]) -> f64 {
        assert!(x.len() == self.ncols && y.len() == self.nrows, "matvec: dimension mismatch");
        let square = self.nrows == self.ncols;
        let ys = SharedMut::new(y);
        let mut out = [0.0];
        par.for_blocks(self.blocks.len() - 1, 1, &mut out, |b, part| {
            let (r0, r1) = (self.blocks[b], self.blocks[b + 1]);
            // SAFETY: row blocks are disjoint.
            let yc = unsafe { ys.range(r0..r1) };
            let mut s = 0.0;
            for (k, yi) in yc.iter_mut().enumerate() {
                let i = r0 + k;
                // SAFETY: i < nrows; row_ptr has nrows + 1 entries bounding valid ranges of
                // col_idx / values, and every column index is < ncols == x.len() (checked at
                // construction).
                let acc = unsafe { self.row_dot(i, x) };
                *yi = acc;
                if square {
                    // SAFETY: square, so i < ncols == x.len().
                    s += acc * unsafe { *x.get_unchecked(i) };
                }
            }
            part[0] = s;
        });
        out[0]
    }

    /// The dense copy, for small reference computations and tests.
    pub fn to_dense(&self) -> faer::Mat<f64> {
        let mut m = faer::Mat::<f64>::zeros(self.nrows, self.ncols);
        for i in 0..self.nrows {
            for p in self.row_ptr[i]..self.row_ptr[i + 1] {
                m[(i, self.col_idx[p])] = self.values[p];
            }
        }
        m
    }
}

/// Sorts one row's entries by column, sums duplicates and appends them.
fn push_sorted_row(entries: &mut [(usize, f64)], cols: &mut Vec<usize>, vals: &mut Vec<f64>) {
    entries.sort_by_key(|e| e.0);
    let start = cols.len();
    for &(c, v) in entries.iter() {
        if cols.len() > start && *cols.last().unwrap() == c {
            *vals.last_mut().unwrap() += v;
        } else {
            cols.push(c);
            vals.push(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_based_unsorted_duplicates_are_canonicalised() {
        // Row 1: (1, 3.0) then (1, -1.0) duplicated, (2, 2.0) before them; 1-based input.
        let rp = [1i64, 4, 5];
        let ci = [2i64, 1, 1, 2];
        let v = [2.0, 3.0, -1.0, 5.0];
        let a = CsrMatrix::from_raw_parts(2, 2, &rp, &ci, &v, 1).unwrap();
        assert_eq!(a.row_ptr(), &[0, 2, 3]);
        assert_eq!(a.col_idx(), &[0, 1, 1]);
        assert_eq!(a.values(), &[2.0, 2.0, 5.0]);
        assert_eq!(a.diagonal(), vec![2.0, 5.0]);
    }

    #[test]
    fn matvec_matches_dense_product_and_fused_dot() {
        let a = crate::problems::convection_diffusion2d(30, 7.0);
        let x: Vec<f64> = (0..a.ncols()).map(|i| (i as f64 * 0.37).sin()).collect();
        let mut y = vec![0.0; a.nrows()];
        let dot = a.matvec_dot(&Par::seq(), &x, &mut y);
        let d = a.to_dense();
        for i in 0..a.nrows() {
            let yi: f64 = (0..a.ncols()).map(|j| d[(i, j)] * x[j]).sum();
            assert!((yi - y[i]).abs() <= 1e-13 * (1.0 + yi.abs()));
        }
        let expect: f64 = x.iter().zip(&y).map(|(a, b)| a * b).sum();
        assert!((dot - expect).abs() <= 1e-12 * expect.abs().max(1.0));
    }

    #[test]
    fn errors_name_the_row_in_the_callers_base() {
        let e = CsrMatrix::from_raw_parts(2, 2, &[1, 2, 3], &[1, 3], &[1.0, 1.0], 1).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)));
        assert!(e.message().contains("col_idx[2] = 3 in row 2"), "{e}");
        let e = CsrMatrix::from_raw_parts(2, 2, &[0, 1, 2], &[0, 1], &[1.0, f64::NAN], 0).unwrap_err();
        assert!(matches!(e, Error::NonFinite(_)) && e.message().contains("row 1"), "{e}");
        let e = CsrMatrix::from_raw_parts(3, 2, &[0, 2, 1, 2], &[0, 1], &[1.0, 1.0], 0).unwrap_err();
        assert!(e.message().contains("non-decreasing"), "{e}");
        assert!(CsrMatrix::from_triplets(2, 2, &[(2, 0, 1.0)]).is_err());
        assert!(check_dim(0, "n").is_err() && check_dim(MAX_DIM + 1, "n").is_err() && check_dim(1, "n").is_ok());
    }

    #[test]
    fn row_blocks_cover_all_rows_in_order() {
        let a = crate::problems::poisson2d(100);
        assert_eq!(*a.blocks.first().unwrap(), 0);
        assert_eq!(*a.blocks.last().unwrap(), a.nrows());
        assert!(a.blocks.windows(2).all(|w| w[0] < w[1]));
        assert!(a.blocks.len() > 2, "a 10^4-row matrix is split for parallel matvecs");
    }
}

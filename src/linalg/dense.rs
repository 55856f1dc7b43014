//! Column-major dense views with a leading dimension (BLAS / Fortran / Julia layout), so host
//! arrays pass without copies.

use crate::error::Error;

/// The number of entries a column-major `nrows x ncols` matrix with leading dimension `ld`
/// spans, after checking `ld >= max(1, nrows)`; `what` names the argument in the error.
pub fn layout_len(nrows: usize, ncols: usize, ld: usize, what: &str) -> Result<usize, Error> {
    if ld < nrows.max(1) {
        return Err(Error::invalid(format!("{what}: ld = {ld} must be >= max(1, nrows = {nrows})")));
    }
    if ncols == 0 {
        return Ok(0);
    }
    ld.checked_mul(ncols - 1)
        .and_then(|t| t.checked_add(nrows))
        .ok_or_else(|| Error::dims(format!("{what}: a {nrows} x {ncols} matrix with ld = {ld} spans more than usize::MAX entries")))
}

fn check_layout(len: usize, nrows: usize, ncols: usize, ld: usize, what: &str) -> Result<(), Error> {
    let need = layout_len(nrows, ncols, ld, what)?;
    if need > len {
        return Err(Error::dims(format!("{what}: a {nrows} x {ncols} matrix with ld = {ld} needs {need} entries but {len} were given")));
    }
    Ok(())
}

/// A read-only column-major matrix view: entry `(i, j)` is `data[i + j * ld]`.
#[derive(Clone, Copy, Debug)]
pub struct DenseRef<'a> {
    data: &'a [f64],
    nrows: usize,
    ncols: usize,
    ld: usize,
}

impl<'a> DenseRef<'a> {
    /// Validates `ld >= nrows` and that `data` is long enough; `what` names the argument.
    pub fn new(data: &'a [f64], nrows: usize, ncols: usize, ld: usize, what: &str) -> Result<Self, Error> {
        check_layout(data.len(), nrows, ncols, ld, what)?;
        Ok(DenseRef { data, nrows, ncols, ld })
    }
    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.nrows
    }
    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.ncols
    }
    /// Column `j` as a contiguous slice.
    pub fn col(&self, j: usize) -> &'a [f64] {
        &self.data[j * self.ld..j * self.ld + self.nrows]
    }
    /// Entry `(i, j)`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i + j * self.ld]
    }
    /// The same view as a faer matrix, for dense factorizations.
    pub fn as_faer(&self) -> faer::MatRef<'a, f64> {
        faer::MatRef::from_column_major_slice_with_stride(self.data, self.nrows, self.ncols, self.ld)
    }
}

/// A mutable column-major matrix view: entry `(i, j)` is `data[i + j * ld]`.
#[derive(Debug)]
pub struct DenseMut<'a> {
    data: &'a mut [f64],
    nrows: usize,
    ncols: usize,
    ld: usize,
}

impl<'a> DenseMut<'a> {
    /// Validates `ld >= nrows` and that `data` is long enough; `what` names the argument.
    pub fn new(data: &'a mut [f64], nrows: usize, ncols: usize, ld: usize, what: &str) -> Result<Self, Error> {
        check_layout(data.len(), nrows, ncols, ld, what)?;
        Ok(DenseMut { data, nrows, ncols, ld })
    }
    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.nrows
    }
    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.ncols
    }
    /// Column `j` as a contiguous mutable slice.
    pub fn col_mut(&mut self, j: usize) -> &mut [f64] {
        &mut self.data[j * self.ld..j * self.ld + self.nrows]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_dimension_selects_columns() {
        // A 2 x 3 matrix stored with ld = 4 (rows 2..4 of each column are padding).
        let data = [1.0, 2.0, -9.0, -9.0, 3.0, 4.0, -9.0, -9.0, 5.0, 6.0];
        let a = DenseRef::new(&data, 2, 3, 4, "A").unwrap();
        assert_eq!(a.col(2), &[5.0, 6.0]);
        assert_eq!(a.get(1, 1), 4.0);
        let f = a.as_faer();
        assert_eq!((f.nrows(), f.ncols(), f[(0, 2)]), (2, 3, 5.0));
    }

    #[test]
    fn bad_layouts_are_refused_with_the_argument_named() {
        let data = [0.0; 7];
        let e = DenseRef::new(&data, 3, 2, 2, "B").unwrap_err();
        assert!(e.message().starts_with("B: ld = 2"), "{e}");
        let e = DenseRef::new(&data, 3, 3, 3, "B").unwrap_err();
        assert!(matches!(e, Error::DimensionMismatch(_)) && e.message().contains("needs 9"), "{e}");
        let mut m = [0.0; 4];
        assert!(DenseMut::new(&mut m, 2, 2, usize::MAX, "X").is_err());
        let mut x = DenseMut::new(&mut m, 2, 2, 2, "X").unwrap();
        x.col_mut(1)[0] = 1.0;
        assert_eq!(m, [0.0, 0.0, 1.0, 0.0]);
    }
}

/// Dense products on column-major slices (leading dimension = number of rows), through faer's
/// cache-blocked kernels. Sequential: they serve the small-dimension updates of recycling
/// methods, whose results must not depend on the thread count.
pub mod products {
    use faer::{Accum, MatMut, MatRef, Par};

    /// `out = a^T b` for `a: n x p`, `b: n x q`, `out: p x q`.
    pub fn matmul_tn(a: &[f64], n: usize, p: usize, b: &[f64], q: usize, out: &mut [f64]) {
        let a = MatRef::from_column_major_slice(&a[..n * p], n, p);
        let b = MatRef::from_column_major_slice(&b[..n * q], n, q);
        let o = MatMut::from_column_major_slice_mut(&mut out[..p * q], p, q);
        faer::linalg::matmul::matmul(o, Accum::Replace, a.transpose(), b, 1.0, Par::Seq);
    }

    /// `out (+)= a b` for `a: n x p`, `b: p x q`, `out: n x q`.
    pub fn matmul_nn(a: &[f64], n: usize, p: usize, b: &[f64], q: usize, out: &mut [f64], accumulate: bool) {
        let a = MatRef::from_column_major_slice(&a[..n * p], n, p);
        let b = MatRef::from_column_major_slice(&b[..p * q], p, q);
        let o = MatMut::from_column_major_slice_mut(&mut out[..n * q], n, q);
        let acc = if accumulate { Accum::Add } else { Accum::Replace };
        faer::linalg::matmul::matmul(o, acc, a, b, 1.0, Par::Seq);
    }
}

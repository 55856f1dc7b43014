//! Column-major dense views with a leading dimension (BLAS / Fortran / Julia layout), so host
//! arrays pass without copies.

use crate::error::Error;

fn check_layout(len: usize, nrows: usize, ncols: usize, ld: usize, what: &str) -> Result<(), Error> {
    if ld < nrows.max(1) {
        return Err(Error::invalid(format!("{what}: ld = {ld} must be >= max(1, nrows = {nrows})")));
    }
    let need = if ncols == 0 { Some(0) } else { ld.checked_mul(ncols - 1).and_then(|t| t.checked_add(nrows)) };
    match need {
        Some(need) if need <= len => Ok(()),
        _ => Err(Error::dims(format!(
            "{what}: a {nrows} x {ncols} matrix with ld = {ld} needs {} entries but {len} were given",
            need.map_or("more than usize::MAX".to_string(), |n| n.to_string())
        ))),
    }
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

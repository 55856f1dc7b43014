//! Jacobi (diagonal) preconditioning.

use super::Preconditioner;
use crate::error::{Error, OracleFailure};
use crate::linalg::{CsrMatrix, Par};

/// `M = diag(A)`.
#[derive(Debug, Clone)]
pub struct Jacobi {
    inv_diag: Vec<f64>,
}

impl Jacobi {
    /// Builds `M^{-1} = diag(A)^{-1}`; fails naming the first row whose diagonal is zero or
    /// missing.
    pub fn new(a: &CsrMatrix) -> Result<Self, Error> {
        if a.nrows() != a.ncols() {
            return Err(Error::dims(format!(
                "Jacobi needs a square matrix, got {} x {}",
                a.nrows(),
                a.ncols()
            )));
        }
        let d = a.diagonal();
        if let Some(i) = d.iter().position(|&v| v == 0.0) {
            return Err(Error::invalid(format!(
                "the Jacobi preconditioner needs a nonzero diagonal, but A[{i},{i}] (0-based) is \
                 zero or not stored"
            )));
        }
        Ok(Jacobi { inv_diag: d.iter().map(|v| 1.0 / v).collect() })
    }
}

impl Preconditioner for Jacobi {
    fn apply(&mut self, _par: &Par, r: &[f64], z: &mut [f64]) -> Result<(), OracleFailure> {
        for ((zi, ri), di) in z.iter_mut().zip(r).zip(&self.inv_diag) {
            *zi = ri * di;
        }
        Ok(())
    }
    fn inverse_diagonal(&self) -> Option<&[f64]> {
        Some(&self.inv_diag)
    }
    fn is_library_owned(&self) -> bool {
        true
    }
}

//! The one linear-operator abstraction shared by the Krylov, SOR and Newton code.

use super::csr::CsrMatrix;
use super::kernels;
use super::par::Par;
use crate::error::OracleFailure;
use std::sync::Arc;

/// A linear map `y = A x`: a CSR matrix, a user callback, or anything else that can apply itself.
///
/// `apply` returns an [`OracleFailure`] when a user-supplied map cannot evaluate; library-owned
/// operators never fail.
pub trait LinearOperator {
    /// Number of rows of `A` (length of `y`).
    fn nrows(&self) -> usize;
    /// Number of columns of `A` (length of `x`).
    fn ncols(&self) -> usize;
    /// `y = A x`.
    fn apply(&mut self, par: &Par, x: &[f64], y: &mut [f64]) -> Result<(), OracleFailure>;
    /// `y = A x` and the LOCAL `x . y`, fused into one pass where the operator can.
    fn apply_dot(&mut self, par: &Par, x: &[f64], y: &mut [f64]) -> Result<f64, OracleFailure> {
        self.apply(par, x, y)?;
        Ok(kernels::dot(par, x, y))
    }
    /// The matrix behind the operator, when it is an explicit CSR matrix (built-in
    /// preconditioners need it).
    fn csr(&self) -> Option<&CsrMatrix> {
        None
    }
}

/// Implements [`LinearOperator`] for a type that dereferences to a [`CsrMatrix`].
macro_rules! csr_operator {
    ($t:ty) => {
        impl LinearOperator for $t {
            fn nrows(&self) -> usize {
                CsrMatrix::nrows(self)
            }
            fn ncols(&self) -> usize {
                CsrMatrix::ncols(self)
            }
            fn apply(&mut self, par: &Par, x: &[f64], y: &mut [f64]) -> Result<(), OracleFailure> {
                self.matvec(par, x, y);
                Ok(())
            }
            fn apply_dot(&mut self, par: &Par, x: &[f64], y: &mut [f64]) -> Result<f64, OracleFailure> {
                Ok(self.matvec_dot(par, x, y))
            }
            fn csr(&self) -> Option<&CsrMatrix> {
                Some(self)
            }
        }
    };
}

csr_operator!(CsrMatrix);
// What handles keep: a shared, immutable matrix.
csr_operator!(Arc<CsrMatrix>);

/// A square operator defined by a Rust closure `f(x, y)` that writes `y = A x`.
pub struct FnOperator<F> {
    n: usize,
    f: F,
}

impl<F> FnOperator<F>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<(), OracleFailure>,
{
    /// An `n x n` operator applied by `f`.
    pub fn new(n: usize, f: F) -> Self {
        FnOperator { n, f }
    }
}

impl<F> LinearOperator for FnOperator<F>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<(), OracleFailure>,
{
    fn nrows(&self) -> usize {
        self.n
    }
    fn ncols(&self) -> usize {
        self.n
    }
    fn apply(&mut self, _par: &Par, x: &[f64], y: &mut [f64]) -> Result<(), OracleFailure> {
        (self.f)(x, y)
    }
}

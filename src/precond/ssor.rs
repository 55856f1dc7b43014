//! Symmetric successive over-relaxation (SSOR) preconditioning.

use super::Preconditioner;
use crate::error::{Error, OracleFailure};
use crate::linalg::{CsrMatrix, Par};
use crate::sor::{SorMatrix, SweepOrdering};
use std::sync::Arc;

/// `M = (D + omega L) D^{-1} (D + omega U) / (omega (2 - omega))`, `omega` in `(0, 2)`:
/// symmetric positive definite when `A` is, so it preconditions CG. Applying it is one forward
/// and one backward triangular solve (the kernel of [`SorMatrix::ssor_apply`]), one pass over
/// the stored entries in all.
#[derive(Debug, Clone)]
pub struct Ssor {
    m: Arc<SorMatrix>,
    omega: f64,
}

impl Ssor {
    /// Builds SSOR(omega) for `a` (square, nonzero diagonal) in its natural row order; fails
    /// naming the first row whose diagonal is zero or missing, or an `omega` outside `(0, 2)`.
    pub fn new(a: Arc<CsrMatrix>, omega: f64) -> Result<Self, Error> {
        Self::from_sor_matrix(Arc::new(SorMatrix::new(a, SweepOrdering::Natural)?), omega)
    }

    /// SSOR(omega) on an already prepared matrix (vectors in its working order).
    pub fn from_sor_matrix(m: Arc<SorMatrix>, omega: f64) -> Result<Self, Error> {
        crate::sor::solve_check_omega(omega)?;
        Ok(Ssor { m, omega })
    }
}

impl Preconditioner for Ssor {
    fn apply(&mut self, par: &Par, r: &[f64], z: &mut [f64]) -> Result<(), OracleFailure> {
        self.m.ssor_apply(par, self.omega, r, z);
        Ok(())
    }

    fn is_library_owned(&self) -> bool {
        true
    }
}

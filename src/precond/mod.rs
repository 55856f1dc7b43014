//! Preconditioners `z = M^{-1} r` for the Krylov solvers: the trait, the identity, a closure
//! wrapper, and the built-in Jacobi, SSOR and ILU(0) for CSR matrices.

mod ilu0;
mod jacobi;
mod ssor;

pub use ilu0::Ilu0;
pub use jacobi::Jacobi;
pub use ssor::Ssor;

use crate::error::OracleFailure;
use crate::linalg::Par;

/// Applies an approximate inverse `z = M^{-1} r`.
pub trait Preconditioner {
    /// `z = M^{-1} r`.
    fn apply(&mut self, par: &Par, r: &[f64], z: &mut [f64]) -> Result<(), OracleFailure>;
    /// `true` for `M = I`: solvers then skip the copy and do not count applications.
    fn is_identity(&self) -> bool {
        false
    }
    /// `true` when applying it runs only library code (no host callback), so a solve may run it
    /// on a pool thread.
    fn is_library_owned(&self) -> bool {
        false
    }
    /// For a diagonal `M`, its inverse diagonal: lets CG fuse the application into its update.
    fn inverse_diagonal(&self) -> Option<&[f64]> {
        None
    }
}

/// No preconditioning.
#[derive(Debug, Default, Clone, Copy)]
pub struct Identity;

impl Preconditioner for Identity {
    fn apply(&mut self, _par: &Par, r: &[f64], z: &mut [f64]) -> Result<(), OracleFailure> {
        z.copy_from_slice(r);
        Ok(())
    }
    fn is_identity(&self) -> bool {
        true
    }
    fn is_library_owned(&self) -> bool {
        true
    }
}

/// A preconditioner defined by a Rust closure `f(r, z)` that writes `z = M^{-1} r`.
pub struct FnPreconditioner<F> {
    f: F,
}

impl<F> FnPreconditioner<F>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<(), OracleFailure>,
{
    /// Wraps `f`.
    pub fn new(f: F) -> Self {
        FnPreconditioner { f }
    }
}

impl<F> Preconditioner for FnPreconditioner<F>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<(), OracleFailure>,
{
    fn apply(&mut self, _par: &Par, r: &[f64], z: &mut [f64]) -> Result<(), OracleFailure> {
        (self.f)(r, z)
    }
}

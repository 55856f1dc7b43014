//! The oracles of a nonlinear system or least-squares problem, as the host provides them.

use crate::error::OracleFailure;

/// A residual map `F: R^n -> R^m` given by oracles: the residual, optionally the Jacobian
/// products `J v` and `J^T w`, and optionally a preconditioner for the Newton-Krylov inner
/// solve.
///
/// Newton-Krylov needs `m = n` and uses `J v` when given, else a finite-difference directional
/// derivative. Levenberg-Marquardt allows any `m` and needs `J^T w` (there is no cheap
/// difference quotient for it).
///
/// Every oracle returns `Err(OracleFailure { code })` when it cannot evaluate: `code > 0` means
/// "this point cannot be evaluated" (a trial point is then rejected and the step shortened),
/// `code < 0` means "abort the solve". Outputs that are NaN or infinite are handled like a
/// `code > 0` failure at a trial point.
pub trait NonlinearSystem {
    /// `m`, the number of residual components for `n` unknowns (default `n`: a square system).
    fn residual_len(&self, n: usize) -> usize {
        n
    }

    /// `f = F(x)`.
    fn residual(&mut self, x: &[f64], f: &mut [f64]) -> Result<(), OracleFailure>;

    /// Whether [`NonlinearSystem::jacobian_vector`] is provided (else Newton-Krylov uses a
    /// finite difference of the residual).
    fn has_jacobian_vector(&self) -> bool {
        false
    }

    /// `jv = J(x) v` (length `m`).
    fn jacobian_vector(&mut self, _x: &[f64], _v: &[f64], _jv: &mut [f64]) -> Result<(), OracleFailure> {
        Err(OracleFailure { code: -1 })
    }

    /// Whether [`NonlinearSystem::jacobian_transpose_vector`] is provided (Levenberg-Marquardt
    /// needs it).
    fn has_jacobian_transpose_vector(&self) -> bool {
        false
    }

    /// `jtw = J(x)^T w` (`w` of length `m`, `jtw` of length `n`).
    fn jacobian_transpose_vector(&mut self, _x: &[f64], _w: &[f64], _jtw: &mut [f64]) -> Result<(), OracleFailure> {
        Err(OracleFailure { code: -1 })
    }

    /// Whether [`NonlinearSystem::precondition`] is provided.
    fn has_preconditioner(&self) -> bool {
        false
    }

    /// `z = M(x)^{-1} r` for an approximation `M(x)` of the Jacobian at the current Newton
    /// iterate `x` (right preconditioning of the inner GMRES / GCRO-DR solve).
    fn precondition(&mut self, _x: &[f64], r: &[f64], z: &mut [f64]) -> Result<(), OracleFailure> {
        z.copy_from_slice(r);
        Ok(())
    }
}

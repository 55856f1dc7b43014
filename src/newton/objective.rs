//! The oracles of an unconstrained minimisation, as the host provides them.

use crate::error::OracleFailure;

/// A smooth objective `f: R^n -> R` given by oracles: value, gradient, Hessian-vector product,
/// and optionally a combined value + gradient and a preconditioner for the inner CG.
///
/// Every oracle returns `Err(OracleFailure { code })` when it cannot evaluate: `code > 0` means
/// "this point cannot be evaluated" (the solver rejects the trial point and shrinks its step or
/// radius), `code < 0` means "abort the solve". Values and outputs that are NaN or infinite are
/// handled by the solver like a `code > 0` failure at a trial point.
pub trait Objective {
    /// `f(x)`.
    fn value(&mut self, x: &[f64]) -> Result<f64, OracleFailure>;

    /// `g = grad f(x)`.
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure>;

    /// `hv = H(x) v`, the Hessian of `f` at `x` times `v`.
    fn hessian_vector(&mut self, x: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure>;

    /// Whether [`Objective::value_gradient`] is cheaper than a value and a gradient call (the
    /// solver then uses it wherever it needs both at one point).
    fn has_value_gradient(&self) -> bool {
        false
    }

    /// `f(x)`, and `g = grad f(x)`, in one call.
    fn value_gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<f64, OracleFailure> {
        let f = self.value(x)?;
        self.gradient(x, g)?;
        Ok(f)
    }

    /// Whether [`Objective::precondition`] applies a preconditioner (else the inner CG is
    /// unpreconditioned).
    fn has_preconditioner(&self) -> bool {
        false
    }

    /// `z = M(x)^{-1} r` for a symmetric positive definite approximation `M(x)` of the Hessian
    /// at `x`, used by the inner CG.
    fn precondition(&mut self, _x: &[f64], r: &[f64], z: &mut [f64]) -> Result<(), OracleFailure> {
        z.copy_from_slice(r);
        Ok(())
    }
}

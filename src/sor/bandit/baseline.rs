//! The non-learning baselines: a fixed `omega`, and Young's formula from a Jacobi spectral
//! radius (the classical oracle for consistently ordered matrices).

use crate::error::Error;
use crate::sor::young_omega;

/// Young's `omega* = 2 / (1 + sqrt(1 - rho^2))` clamped to `[lo, hi]`. `rho` is `young_rho`
/// when it was set (`>= 0`), else the context; it must be in `[0, 1)`.
pub fn young(young_rho: f64, context: f64, lo: f64, hi: f64) -> Result<f64, Error> {
    let (rho, what) = if young_rho >= 0.0 { (young_rho, "young_rho") } else { (context, "context") };
    if !(rho.is_finite() && (0.0..1.0).contains(&rho)) {
        return Err(Error::invalid(format!(
            "{what} = {rho} is used as the Jacobi spectral radius of the Young learner; it must be in [0, 1)"
        )));
    }
    Ok(young_omega(rho).clamp(lo, hi))
}

#[cfg(test)]
mod tests {
    #[test]
    fn young_matches_the_formula_and_takes_the_context_when_rho_is_unset() {
        let w = super::young(-1.0, 0.6, 1.0, 1.99).unwrap();
        assert!((w - 2.0 / 1.8).abs() < 1e-15);
        assert_eq!(super::young(0.0, 7.0, 1.0, 1.99).unwrap(), 1.0);
        assert!(super::young(-1.0, 1.0, 1.0, 1.99).unwrap_err().message().contains("context = 1"));
    }
}

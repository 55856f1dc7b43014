//! What a nonlinear solve is asked to do, with the validating `set(name, value)` / `get(name)`
//! table the C API exposes.

use crate::error::{integer_option as count, Error};
use crate::newton::Forcing;

/// The method, option `"method"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonlinearMethod {
    /// Jacobian-free Newton-Krylov for square systems `F(x) = 0`: inexact Newton steps from
    /// GMRES or GCRO-DR (recycling across Newton steps and solves), Eisenstat-Walker forcing,
    /// backtracking on `||F||` (code 0, the default).
    NewtonKrylov,
    /// Levenberg-Marquardt for `min ||F(x)||^2 / 2`, `F: R^n -> R^m`, with the adaptive
    /// parameter `mu = xi ||F||^eta + omega ||J^T F||^eta` of Ahookhosh, Aragon Artacho,
    /// Fleming and Vuong (2019); the step solves `(J^T J + mu I) d = -J^T F` by CGLS (code 1).
    LevenbergMarquardt,
}

impl NonlinearMethod {
    /// The method's code in the C API.
    pub fn code(self) -> i64 {
        match self {
            NonlinearMethod::NewtonKrylov => 0,
            NonlinearMethod::LevenbergMarquardt => 1,
        }
    }

    /// A short name for reports and tables.
    pub fn name(self) -> &'static str {
        match self {
            NonlinearMethod::NewtonKrylov => "Newton-Krylov",
            NonlinearMethod::LevenbergMarquardt => "Levenberg-Marquardt",
        }
    }
}

/// The inner linear solver of Newton-Krylov, option `"krylov_method"` (codes as
/// `nks_krylov_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InnerSolver {
    /// Restarted GMRES(m), nothing kept between Newton steps (code 1).
    Gmres,
    /// GCRO-DR(m, k): `k` harmonic Ritz vectors recycled from one Newton step to the next and
    /// from one solve (time step) to the next (code 3, the default).
    GcroDr,
}

/// Globalisation of the Newton-Krylov step, option `"line_search"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonlinearLineSearch {
    /// Backtracking with safeguarded quadratic / cubic interpolation until
    /// `||F(x + t d)||^2 <= (1 - 2 c1 t (1 - eta)) ||F(x)||^2` (code 0, the default).
    Backtracking,
    /// Full steps, `t = 1` always (code 1).
    Full,
}

/// Options of a nonlinear solve. Build with `NonlinearOptions::default()` and the validating
/// [`NonlinearOptions::set`].
#[derive(Debug, Clone, PartialEq)]
pub struct NonlinearOptions {
    /// The method (default Newton-Krylov).
    pub method: NonlinearMethod,
    /// Stop when `||F|| <= fatol` (default 1e-10).
    pub fatol: f64,
    /// Stop when `||F|| <= frtol ||F_0||` (default 1e-8, as PETSc SNES).
    pub frtol: f64,
    /// Levenberg-Marquardt: stop when `||J^T F|| <= gatol` (a nonzero-residual minimiser;
    /// default 1e-10).
    pub gatol: f64,
    /// Stop when an accepted step has `||x+ - x|| <= xtol max(1, ||x||)` (default 0 = off).
    pub xtol: f64,
    /// Newton / LM steps (default 100).
    pub max_iterations: usize,
    /// Residual evaluations, finite-difference products included (default 0 = no limit).
    pub max_evaluations: usize,
    /// Wall-clock limit in seconds (default 0 = no limit).
    pub max_seconds: f64,
    /// Forcing rule of the inner solves (default Eisenstat-Walker choice 2; Levenberg-Marquardt
    /// caps it at 1e-4).
    pub forcing: Forcing,
    /// `eta` of the fixed rule (default 0.1).
    pub forcing_value: f64,
    /// Lower bound of the adaptive forcing terms (default 1e-10).
    pub forcing_min: f64,
    /// Sufficient-decrease constant of the line search (default 1e-4).
    pub c1: f64,
    /// Newton-Krylov globalisation (default backtracking).
    pub line_search: NonlinearLineSearch,
    /// Newton-Krylov inner solver (default GCRO-DR).
    pub inner_solver: InnerSolver,
    /// GMRES / GCRO-DR restart length m (default 30).
    pub restart: usize,
    /// GCRO-DR recycled vectors k (default 10; at most `restart - 1`).
    pub recycle_dim: usize,
    /// Carry the recycle space from one solve to the next (time steps, continuation); 0 clears
    /// it at the start of each solve (default 1).
    pub keep_recycle_space: bool,
    /// Inner iterations per Newton / LM step (default 1000).
    pub inner_max_iterations: usize,
    /// Relative error of the residual evaluation, for the finite-difference increment
    /// `h = fd_error sqrt(1 + ||x||) / ||v||` (default `sqrt(eps)`, as PETSc's `wp` rule).
    pub fd_error: f64,
    /// Levenberg-Marquardt: initial `xi` of `mu = xi ||F||^eta + omega ||J^T F||^eta`, adapted
    /// by the ratio of actual to predicted reduction within `[1e-8, 1e8]` (default 1).
    pub lm_xi: f64,
    /// Levenberg-Marquardt: `omega` (default 0).
    pub lm_omega: f64,
    /// Levenberg-Marquardt: the exponent `eta`, in `(0, 2]` (default 1; the paper's local
    /// analysis needs `eta < 4 delta / (1 + delta)` for Holder exponent `delta`).
    pub lm_eta: f64,
}

impl Default for NonlinearOptions {
    fn default() -> Self {
        NonlinearOptions {
            method: NonlinearMethod::NewtonKrylov,
            fatol: 1e-10,
            frtol: 1e-8,
            gatol: 1e-10,
            xtol: 0.0,
            max_iterations: 100,
            max_evaluations: 0,
            max_seconds: 0.0,
            forcing: Forcing::EisenstatWalker,
            forcing_value: 0.1,
            forcing_min: 1e-10,
            c1: 1e-4,
            line_search: NonlinearLineSearch::Backtracking,
            inner_solver: InnerSolver::GcroDr,
            restart: 30,
            recycle_dim: 10,
            keep_recycle_space: true,
            inner_max_iterations: 1000,
            fd_error: f64::EPSILON.sqrt(),
            lm_xi: 1.0,
            lm_omega: 0.0,
            lm_eta: 1.0,
        }
    }
}

/// The option names `set` and `get` accept.
pub const OPTION_NAMES: &str = "method, fatol, frtol, gatol, xtol, max_iterations, max_evaluations, max_seconds, \
     forcing, forcing_value, forcing_min, c1, line_search, krylov_method, restart, recycle_dim, keep_recycle_space, \
     inner_max_iterations, fd_error, lm_xi, lm_omega, lm_eta";

fn unknown(name: &str) -> Error {
    Error::UnknownOption(format!("no nonlinear-solver option is named \"{name}\"; the options are {OPTION_NAMES}"))
}

impl NonlinearOptions {
    /// Sets option `name` to `value` after checking its range; on error nothing changes.
    pub fn set(&mut self, name: &str, value: f64) -> Result<&mut Self, Error> {
        let bad = |range: &str| Err(Error::invalid(format!("{name} = {value} is out of range; it must be {range}")));
        let nonneg = value >= 0.0 && value.is_finite();
        let positive = value > 0.0 && value.is_finite();
        match name {
            "method" => {
                self.method = match count(name, value, 0.0, 1.0)? {
                    0 => NonlinearMethod::NewtonKrylov,
                    _ => NonlinearMethod::LevenbergMarquardt,
                }
            }
            "fatol" | "frtol" | "gatol" | "xtol" | "max_seconds" | "lm_omega" if !nonneg => {
                return bad("a finite number >= 0 (0 = off)")
            }
            "fatol" => self.fatol = value,
            "frtol" => self.frtol = value,
            "gatol" => self.gatol = value,
            "xtol" => self.xtol = value,
            "max_seconds" => self.max_seconds = value,
            "lm_omega" => self.lm_omega = value,
            "max_iterations" => self.max_iterations = count(name, value, 1.0, 1e12)?,
            "max_evaluations" => self.max_evaluations = count(name, value, 0.0, 1e15)?,
            "forcing" => {
                self.forcing = match count(name, value, 0.0, 2.0)? {
                    0 => Forcing::EisenstatWalker,
                    1 => Forcing::SqrtGradient,
                    _ => Forcing::Fixed,
                }
            }
            "forcing_value" | "forcing_min" if !(value > 0.0 && value < 1.0) => return bad("in (0, 1)"),
            "forcing_value" => self.forcing_value = value,
            "forcing_min" => self.forcing_min = value,
            "c1" if !(value > 0.0 && value < 0.5) => return bad("in (0, 0.5)"),
            "c1" => self.c1 = value,
            "line_search" => {
                self.line_search =
                    if count(name, value, 0.0, 1.0)? == 0 { NonlinearLineSearch::Backtracking } else { NonlinearLineSearch::Full }
            }
            "krylov_method" => {
                self.inner_solver = match value {
                    v if v == 1.0 => InnerSolver::Gmres,
                    v if v == 3.0 => InnerSolver::GcroDr,
                    _ => return bad("1 (GMRES) or 3 (GCRO-DR)"),
                }
            }
            "restart" => self.restart = count(name, value, 2.0, crate::krylov::MAX_RESTART as f64)?,
            "recycle_dim" => self.recycle_dim = count(name, value, 0.0, crate::krylov::MAX_RESTART as f64)?,
            "keep_recycle_space" => self.keep_recycle_space = count(name, value, 0.0, 1.0)? == 1,
            "inner_max_iterations" => self.inner_max_iterations = count(name, value, 1.0, 1e9)?,
            "fd_error" if !(value > 0.0 && value < 1.0) => return bad("in (0, 1)"),
            "fd_error" => self.fd_error = value,
            "lm_xi" if !positive => return bad("a finite number > 0"),
            "lm_xi" => self.lm_xi = value,
            "lm_eta" if !(value > 0.0 && value <= 2.0) => return bad("in (0, 2]"),
            "lm_eta" => self.lm_eta = value,
            _ => return Err(unknown(name)),
        }
        Ok(self)
    }

    /// The value of option `name`, in the encoding `set` takes.
    pub fn get(&self, name: &str) -> Result<f64, Error> {
        Ok(match name {
            "method" => self.method.code() as f64,
            "fatol" => self.fatol,
            "frtol" => self.frtol,
            "gatol" => self.gatol,
            "xtol" => self.xtol,
            "max_iterations" => self.max_iterations as f64,
            "max_evaluations" => self.max_evaluations as f64,
            "max_seconds" => self.max_seconds,
            "forcing" => match self.forcing {
                Forcing::EisenstatWalker => 0.0,
                Forcing::SqrtGradient => 1.0,
                Forcing::Fixed => 2.0,
            },
            "forcing_value" => self.forcing_value,
            "forcing_min" => self.forcing_min,
            "c1" => self.c1,
            "line_search" => (self.line_search == NonlinearLineSearch::Full) as u8 as f64,
            "krylov_method" => match self.inner_solver {
                InnerSolver::Gmres => 1.0,
                InnerSolver::GcroDr => 3.0,
            },
            "restart" => self.restart as f64,
            "recycle_dim" => self.recycle_dim as f64,
            "keep_recycle_space" => self.keep_recycle_space as u8 as f64,
            "inner_max_iterations" => self.inner_max_iterations as f64,
            "fd_error" => self.fd_error,
            "lm_xi" => self.lm_xi,
            "lm_omega" => self.lm_omega,
            "lm_eta" => self.lm_eta,
            _ => return Err(unknown(name)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_round_trips_and_bad_values_change_nothing() {
        let mut o = NonlinearOptions::default();
        for name in OPTION_NAMES.split(", ").map(str::trim) {
            let v = o.get(name).unwrap();
            o.set(name, v).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(o.get(name).unwrap(), v, "{name}");
            let before = o.clone();
            assert!(o.set(name, f64::NAN).is_err(), "{name} accepted NaN");
            assert_eq!(o, before);
        }
        assert!(matches!(o.set("nope", 1.0), Err(Error::UnknownOption(_))));
        assert!(o.set("method", 2.0).is_err());
        assert!(o.set("krylov_method", 0.0).is_err());
        assert!(o.set("lm_eta", 2.5).is_err());
    }
}

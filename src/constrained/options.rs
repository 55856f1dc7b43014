//! What an equality-constrained solve is asked to do, with the validating `set(name, value)` /
//! `get(name)` table the C API exposes.

use crate::error::{integer_option as count, Error};

/// How the Newton-KKT system `[B J^T; J 0] d = -[grad_x L; c]` is solved, option
/// `"kkt_solver"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KktSolver {
    /// Randomized (block) Gaussian sketch-and-project: each iteration draws `S ~ N(0, I)` with
    /// `sketch_block` columns and projects onto `{z : S^T K z = S^T rhs}`. Matrix-free: one
    /// iteration costs `sketch_block` KKT products (code 0, the default).
    GaussianSketch,
    /// Randomized Kaczmarz on the rows of the KKT matrix, row `i` drawn with probability
    /// proportional to `||row_i||^2` (Strohmer-Vershynin). Needs the Jacobian and Hessian as
    /// sparse rows; one iteration is one row (code 1).
    Kaczmarz,
    /// Deterministic MINRES (the KKT matrix is symmetric indefinite), preconditioned by the
    /// host's SPD preconditioner when one is given; for comparison and for large or
    /// ill-conditioned problems (code 2).
    Minres,
}

impl KktSolver {
    /// The solver's code in the C API.
    pub fn code(self) -> i64 {
        match self {
            KktSolver::GaussianSketch => 0,
            KktSolver::Kaczmarz => 1,
            KktSolver::Minres => 2,
        }
    }

    /// A short name for reports and tables.
    pub fn name(self) -> &'static str {
        match self {
            KktSolver::GaussianSketch => "Gaussian sketch",
            KktSolver::Kaczmarz => "randomized Kaczmarz",
            KktSolver::Minres => "MINRES",
        }
    }
}

/// The starting multipliers, option `"multiplier_start"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MultiplierStart {
    /// Least-squares multipliers `argmin ||grad f + J^T l||` at the starting point, by CG on
    /// `J J^T l = -J grad f` (code 0, the default; Ipopt's choice).
    LeastSquares,
    /// The multipliers passed in (code 1).
    Given,
}

/// Options of an equality-constrained solve. Build with `ConstrainedOptions::default()` and the
/// validating [`ConstrainedOptions::set`]. Defaults are the paper's settings where it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstrainedOptions {
    /// The inner solver of the Newton-KKT systems (default Gaussian sketch).
    pub kkt_solver: KktSolver,
    /// Converged when `||grad_x L||_2 <= stationarity_tol` ... (default 1e-6)
    pub stationarity_tol: f64,
    /// ... and `||c||_2 <= feasibility_tol` (default 1e-6).
    pub feasibility_tol: f64,
    /// Newton iterations (default 1000).
    pub max_iterations: usize,
    /// Sketch / Kaczmarz / MINRES iterations per Newton step (default 100000, the paper's cap).
    pub max_inner_iterations: usize,
    /// Merit-function evaluations (one each: `f`, `c`, `grad f`, `J^T l` at a point; default
    /// 0 = no limit).
    pub max_merit_evaluations: usize,
    /// Wall-clock limit in seconds (default 0 = no limit).
    pub max_seconds: f64,
    /// Initial penalty `eta1` on `||c||^2 / 2` (default 1).
    pub eta1: f64,
    /// Initial penalty `eta2` on `||grad_x L||^2 / 2` (default 0.1).
    pub eta2: f64,
    /// Penalty update factor `rho > 1`: `eta1 *= rho^2`, `eta2 /= rho`, `delta /= rho^4` when a
    /// direction is not a descent direction of the merit (default 1.5).
    pub penalty_factor: f64,
    /// Armijo constant `beta` in `(0, 0.5)` (default 0.1).
    pub armijo: f64,
    /// Initial accuracy `delta` of the inner solve: stop at
    /// `||K d + rhs|| <= theta_k delta ||rhs||` (default 0.1).
    pub accuracy: f64,
    /// Floor of `delta` (default 1e-10).
    pub accuracy_min: f64,
    /// Sharpen the accuracy condition, `theta_k = min(1, ||rhs_k||^(1/2))`, for local
    /// superlinear convergence; off: `theta_k = 1`, local linear (default on).
    pub sharpen: bool,
    /// Columns of each Gaussian sketch (default 1, the paper's vector sketch).
    pub sketch_block: usize,
    /// Seed of the sketches; the same seed gives the same iterates (default 0).
    pub seed: u64,
    /// The first Hessian shift `t` tried when `d_x^T (B + t I) d_x < curvature_tol ||d_x||^2`
    /// (default 1e-4; later shifts grow 8x per failed test, and each iteration starts from a
    /// third of the last shift, as Ipopt's inertia correction).
    pub regularization: f64,
    /// The curvature test's constant (default 1e-8; 0 = no test, never regularise).
    pub curvature_tol: f64,
    /// Starting multipliers (default least squares).
    pub multiplier_start: MultiplierStart,
    /// Keep one [`crate::constrained::KktRecord`] per iteration in the report (default on).
    pub record_history: bool,
}

impl Default for ConstrainedOptions {
    fn default() -> Self {
        ConstrainedOptions {
            kkt_solver: KktSolver::GaussianSketch,
            stationarity_tol: 1e-6,
            feasibility_tol: 1e-6,
            max_iterations: 1000,
            max_inner_iterations: 100_000,
            max_merit_evaluations: 0,
            max_seconds: 0.0,
            eta1: 1.0,
            eta2: 0.1,
            penalty_factor: 1.5,
            armijo: 0.1,
            accuracy: 0.1,
            accuracy_min: 1e-10,
            sharpen: true,
            sketch_block: 1,
            seed: 0,
            regularization: 1e-4,
            curvature_tol: 1e-8,
            multiplier_start: MultiplierStart::LeastSquares,
            record_history: true,
        }
    }
}

/// The option names `set` and `get` accept.
pub const OPTION_NAMES: &str = "kkt_solver, stationarity_tol, feasibility_tol, max_iterations, max_inner_iterations, \
     max_merit_evaluations, max_seconds, eta1, eta2, penalty_factor, armijo, accuracy, accuracy_min, sharpen, \
     sketch_block, seed, regularization, curvature_tol, multiplier_start, record_history";

fn unknown(name: &str) -> Error {
    Error::UnknownOption(format!("no constrained-solver option is named \"{name}\"; the options are {OPTION_NAMES}"))
}

impl ConstrainedOptions {
    /// Sets option `name` to `value` after checking its range; on error nothing changes.
    pub fn set(&mut self, name: &str, value: f64) -> Result<&mut Self, Error> {
        let bad = |range: &str| Err(Error::invalid(format!("{name} = {value} is out of range; it must be {range}")));
        let positive = value > 0.0 && value.is_finite();
        let nonneg = value >= 0.0 && value.is_finite();
        match name {
            "kkt_solver" => {
                self.kkt_solver = match count(name, value, 0.0, 2.0)? {
                    0 => KktSolver::GaussianSketch,
                    1 => KktSolver::Kaczmarz,
                    _ => KktSolver::Minres,
                }
            }
            "stationarity_tol" | "feasibility_tol" | "eta1" | "eta2" | "regularization" if !positive => {
                return bad("a finite number > 0")
            }
            "stationarity_tol" => self.stationarity_tol = value,
            "feasibility_tol" => self.feasibility_tol = value,
            "eta1" => self.eta1 = value,
            "eta2" => self.eta2 = value,
            "regularization" => self.regularization = value,
            "max_seconds" | "curvature_tol" if !nonneg => return bad("a finite number >= 0 (0 = off)"),
            "max_seconds" => self.max_seconds = value,
            "curvature_tol" => self.curvature_tol = value,
            "max_iterations" => self.max_iterations = count(name, value, 1.0, 1e12)?,
            "max_inner_iterations" => self.max_inner_iterations = count(name, value, 1.0, 1e12)?,
            "max_merit_evaluations" => self.max_merit_evaluations = count(name, value, 0.0, 1e15)?,
            "penalty_factor" if !(value > 1.0 && value <= 100.0) => return bad("in (1, 100]"),
            "penalty_factor" => self.penalty_factor = value,
            "armijo" if !(value > 0.0 && value < 0.5) => return bad("in (0, 0.5)"),
            "armijo" => self.armijo = value,
            "accuracy" | "accuracy_min" if !(value > 0.0 && value < 1.0) => return bad("in (0, 1)"),
            "accuracy" => self.accuracy = value,
            "accuracy_min" => self.accuracy_min = value,
            "sharpen" => self.sharpen = count(name, value, 0.0, 1.0)? == 1,
            "sketch_block" => self.sketch_block = count(name, value, 1.0, 256.0)?,
            "seed" => self.seed = count(name, value, 0.0, 9007199254740991.0)? as u64,
            "multiplier_start" => {
                self.multiplier_start =
                    if count(name, value, 0.0, 1.0)? == 0 { MultiplierStart::LeastSquares } else { MultiplierStart::Given }
            }
            "record_history" => self.record_history = count(name, value, 0.0, 1.0)? == 1,
            _ => return Err(unknown(name)),
        }
        Ok(self)
    }

    /// The value of option `name`, in the encoding `set` takes.
    pub fn get(&self, name: &str) -> Result<f64, Error> {
        Ok(match name {
            "kkt_solver" => self.kkt_solver.code() as f64,
            "stationarity_tol" => self.stationarity_tol,
            "feasibility_tol" => self.feasibility_tol,
            "max_iterations" => self.max_iterations as f64,
            "max_inner_iterations" => self.max_inner_iterations as f64,
            "max_merit_evaluations" => self.max_merit_evaluations as f64,
            "max_seconds" => self.max_seconds,
            "eta1" => self.eta1,
            "eta2" => self.eta2,
            "penalty_factor" => self.penalty_factor,
            "armijo" => self.armijo,
            "accuracy" => self.accuracy,
            "accuracy_min" => self.accuracy_min,
            "sharpen" => self.sharpen as u8 as f64,
            "sketch_block" => self.sketch_block as f64,
            "seed" => self.seed as f64,
            "regularization" => self.regularization,
            "curvature_tol" => self.curvature_tol,
            "multiplier_start" => (self.multiplier_start == MultiplierStart::Given) as u8 as f64,
            "record_history" => self.record_history as u8 as f64,
            _ => return Err(unknown(name)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_round_trips_and_bad_values_change_nothing() {
        let mut o = ConstrainedOptions::default();
        for name in OPTION_NAMES.split(", ").map(str::trim) {
            let v = o.get(name).unwrap();
            o.set(name, v).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(o.get(name).unwrap(), v, "{name}");
            let before = o.clone();
            assert!(o.set(name, f64::NAN).is_err(), "{name} accepted NaN");
            assert_eq!(o, before);
        }
        assert!(matches!(o.set("nope", 1.0), Err(Error::UnknownOption(_))));
        assert!(o.set("kkt_solver", 3.0).is_err());
        assert!(o.set("penalty_factor", 1.0).is_err());
        assert!(o.set("armijo", 0.5).is_err());
    }
}

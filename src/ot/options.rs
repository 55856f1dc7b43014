//! What a Sinkhorn / Sinkhorn-Newton-Sparse solve is asked to do, with the validating
//! `set(name, value)` / `get(name)` table the C API exposes.

use crate::error::{integer_option as count, Error};

/// The algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtMethod {
    /// Log-domain Sinkhorn: alternate exact updates of `f` and `g`.
    Sinkhorn,
    /// Sinkhorn-Newton-Sparse (Tang et al., ICLR 2024): Sinkhorn warm-up, then Newton steps on
    /// the dual with a sparsified Hessian.
    SinkhornNewtonSparse,
}

impl OtMethod {
    /// The method's code in the C API (0 = Sinkhorn, 1 = SNS).
    pub fn code(self) -> i64 {
        match self {
            OtMethod::Sinkhorn => 0,
            OtMethod::SinkhornNewtonSparse => 1,
        }
    }
    /// The method for a C API code.
    pub fn from_code(code: i64) -> Result<Self, Error> {
        match code {
            0 => Ok(OtMethod::Sinkhorn),
            1 => Ok(OtMethod::SinkhornNewtonSparse),
            _ => Err(Error::invalid(format!("method = {code} is not known; use 0 (Sinkhorn) or 1 (Sinkhorn-Newton-Sparse)"))),
        }
    }
}

/// Options of a solve. Build with `SinkhornOptions::default()` and the validating
/// [`SinkhornOptions::set`].
#[derive(Debug, Clone, PartialEq)]
pub struct SinkhornOptions {
    /// Entropic regularisation `eps > 0` (default 0.01), in the units of the cost.
    pub eps: f64,
    /// Stop when `||P 1 - a||_1 + ||P^T 1 - b||_1 <= tol` (default 1e-9).
    pub tol: f64,
    /// Iteration cap over all stages (default 100000); reaching it returns the last potentials.
    pub max_iterations: usize,
    /// Sinkhorn or SNS (default Sinkhorn).
    pub method: OtMethod,
    /// Check the marginal error every this many Sinkhorn iterations (default 1: the check reuses
    /// the row sums of the update, so it costs O(n) per iteration).
    pub check_interval: usize,
    /// Epsilon scaling: 0 (default) off; a factor in (0, 1) runs Sinkhorn at
    /// `eps_k = max(eps, max|C| * factor^k)` until each stage's marginal error is below
    /// `max(tol, 1e-3)`, then at `eps`.
    pub eps_scaling: f64,
    /// Start from the potentials passed in (default: from zero).
    pub use_initial_guess: bool,
    /// Sinkhorn iterations before the first Newton step (SNS; default 20, the paper's N1).
    pub newton_warmup: usize,
    /// Fraction of each row's entries of the plan kept in the sparsified Hessian (SNS): the
    /// largest `max(1, round(density m))` per row (`2 / m` is the paper's O(n) pattern).
    /// Default `-1`: adaptive, see `hessian_mass`.
    pub hessian_density: f64,
    /// With `hessian_density = -1`: keep in each row the largest entries that carry this
    /// fraction of the row's mass (default `1 - 1e-9`). At small `eps` that is a few entries per
    /// row (the sparse case of the paper); at larger `eps`, where the plan is not sparse, it keeps
    /// what the Newton step needs to converge fast. Dropping more (e.g. 0.999) saves memory but
    /// can cut the weak links between blocks of the plan that the Newton step needs: convergence
    /// then turns linear and slow.
    pub hessian_mass: f64,
    /// Iteration cap of the CG solve of each Newton system (SNS; default 500).
    pub cg_max_iterations: usize,
    /// Wall-clock limit in seconds (0 = none, the default).
    pub max_seconds: f64,
    /// Memory Sinkhorn may use for a stored, stabilised kernel (`8 n m` bytes), in MB (default
    /// 1024). Within it an iteration is two matrix-vector products; beyond it (or with 0)
    /// the exponentials are computed on the fly and memory stays O((n + m) d).
    pub kernel_memory_mb: f64,
}

impl Default for SinkhornOptions {
    fn default() -> Self {
        SinkhornOptions {
            eps: 0.01,
            tol: 1e-9,
            max_iterations: 100_000,
            method: OtMethod::Sinkhorn,
            check_interval: 1,
            eps_scaling: 0.0,
            use_initial_guess: false,
            newton_warmup: 20,
            hessian_density: -1.0,
            hessian_mass: 1.0 - 1e-9,
            cg_max_iterations: 500,
            max_seconds: 0.0,
            kernel_memory_mb: 1024.0,
        }
    }
}

/// The option names `set` and `get` accept.
pub const OPTION_NAMES: &str = "eps, tol, max_iterations, method, check_interval, eps_scaling, use_initial_guess, \
     newton_warmup, hessian_density, hessian_mass, cg_max_iterations, max_seconds, kernel_memory_mb";

fn flag(name: &str, value: f64) -> Result<bool, Error> {
    Ok(count(name, value, 0.0, 1.0)? == 1)
}

impl SinkhornOptions {
    /// Sets option `name` to `value` after checking its range; on error nothing changes.
    pub fn set(&mut self, name: &str, value: f64) -> Result<&mut Self, Error> {
        let bad = |range: &str| Err(Error::invalid(format!("{name} = {value} is out of range; it must be {range}")));
        match name {
            "eps" => {
                if !(value > 0.0 && value.is_finite()) {
                    return bad("a finite number > 0");
                }
                self.eps = value;
            }
            "tol" => {
                if !(value > 0.0 && value < 1.0) {
                    return bad("in (0, 1)");
                }
                self.tol = value;
            }
            "max_iterations" => self.max_iterations = count(name, value, 1.0, 1e12)?,
            "method" => self.method = OtMethod::from_code(count(name, value, 0.0, 1e3)? as i64)?,
            "check_interval" => self.check_interval = count(name, value, 1.0, 1e9)?,
            "eps_scaling" => {
                if !(value == 0.0 || (value > 0.0 && value < 1.0)) {
                    return bad("0 (off) or a factor in (0, 1)");
                }
                self.eps_scaling = value;
            }
            "use_initial_guess" => self.use_initial_guess = flag(name, value)?,
            "newton_warmup" => self.newton_warmup = count(name, value, 0.0, 1e9)?,
            "hessian_density" => {
                if !(value == -1.0 || (value > 0.0 && value <= 1.0)) {
                    return bad("-1 (adaptive, see hessian_mass) or a fraction in (0, 1]");
                }
                self.hessian_density = value;
            }
            "hessian_mass" => {
                if !(value > 0.0 && value <= 1.0) {
                    return bad("a fraction in (0, 1]");
                }
                self.hessian_mass = value;
            }
            "cg_max_iterations" => self.cg_max_iterations = count(name, value, 1.0, 1e9)?,
            "max_seconds" => {
                if !(value >= 0.0 && value.is_finite()) {
                    return bad("0 (no limit) or a finite number of seconds > 0");
                }
                self.max_seconds = value;
            }
            "kernel_memory_mb" => {
                if !(value >= 0.0 && value.is_finite()) {
                    return bad("a finite number of MB >= 0 (0: never store the kernel)");
                }
                self.kernel_memory_mb = value;
            }
            _ => {
                return Err(Error::UnknownOption(format!("no Sinkhorn option is named \"{name}\"; the options are {OPTION_NAMES}")))
            }
        }
        Ok(self)
    }

    /// The value of option `name`, in the encoding `set` takes.
    pub fn get(&self, name: &str) -> Result<f64, Error> {
        Ok(match name {
            "eps" => self.eps,
            "tol" => self.tol,
            "max_iterations" => self.max_iterations as f64,
            "method" => self.method.code() as f64,
            "check_interval" => self.check_interval as f64,
            "eps_scaling" => self.eps_scaling,
            "use_initial_guess" => self.use_initial_guess as u8 as f64,
            "newton_warmup" => self.newton_warmup as f64,
            "hessian_density" => self.hessian_density,
            "hessian_mass" => self.hessian_mass,
            "cg_max_iterations" => self.cg_max_iterations as f64,
            "max_seconds" => self.max_seconds,
            "kernel_memory_mb" => self.kernel_memory_mb,
            _ => {
                return Err(Error::UnknownOption(format!("no Sinkhorn option is named \"{name}\"; the options are {OPTION_NAMES}")))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_validates_and_get_round_trips() {
        let mut o = SinkhornOptions::default();
        for name in OPTION_NAMES.split(", ") {
            let v = o.get(name).unwrap();
            o.set(name, v).unwrap();
        }
        assert_eq!(o, SinkhornOptions::default());
        assert!(o.set("eps", 0.0).is_err());
        assert!(o.set("eps", f64::NAN).is_err());
        assert!(o.set("tol", 1.0).is_err());
        assert!(o.set("method", 2.0).is_err());
        assert!(o.set("hessian_density", 0.0).is_err());
        assert!(matches!(o.set("epsilon", 1.0), Err(Error::UnknownOption(_))));
        assert_eq!(o, SinkhornOptions::default());
        o.set("method", 1.0).unwrap();
        assert_eq!(o.method, OtMethod::SinkhornNewtonSparse);
    }
}

//! What a Newton solve is asked to do, with the validating `set(name, value)` / `get(name)`
//! table the C API exposes.

use crate::error::{integer_option as count, Error};

/// The method, option `"method"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewtonMethod {
    /// Trust-region Newton-CG: Steihaug-Toint truncated CG, radius from the ratio of actual to
    /// predicted reduction, negative curvature followed to the boundary (code 0, the default).
    TrustRegion,
    /// Line-search Newton-CG: CG truncated at negative curvature or the forcing term, then an
    /// Armijo or strong-Wolfe line search (code 1).
    LineSearch,
    /// Lazy-Hessian Newton (Doikov, Chayti, Jaggi 2023): the Hessian is sampled by Lanczos once
    /// every `lazy_period` iterations and reused, with fresh gradients, in between; regularised
    /// by `sqrt(M ||g||)` (convex) or cubically (code 2).
    Lazy,
    /// Damped Newton with the AICN step size `2 / (1 + sqrt(1 + 2 L G))`, `G` the Newton
    /// decrement; `L` given or found by backtracking (Hanzely et al.; code 3). For convex `f`.
    Damped,
    /// Gradient-regularised Newton of the Gradient-Normalized Smoothness paper:
    /// `x+ = x - (H + ||g|| / gamma I)^{-1} g` with `gamma` adapted by doubling / halving
    /// (code 4).
    GradientRegularized,
}

impl NewtonMethod {
    const ALL: [NewtonMethod; 5] = [
        NewtonMethod::TrustRegion,
        NewtonMethod::LineSearch,
        NewtonMethod::Lazy,
        NewtonMethod::Damped,
        NewtonMethod::GradientRegularized,
    ];

    /// The method's code in the C API.
    pub fn code(self) -> i64 {
        Self::ALL.iter().position(|m| *m == self).unwrap_or(0) as i64
    }

    /// The method for a C API code.
    pub fn from_code(code: i64) -> Result<Self, Error> {
        usize::try_from(code).ok().and_then(|c| Self::ALL.get(c).copied()).ok_or_else(|| {
            Error::invalid(format!(
                "method = {code} is not known; use 0 (trust region), 1 (line search), 2 (lazy Hessian), \
                 3 (damped AICN) or 4 (gradient-regularised)"
            ))
        })
    }

    /// A short name for reports and tables.
    pub fn name(self) -> &'static str {
        match self {
            NewtonMethod::TrustRegion => "trust-region Newton-CG",
            NewtonMethod::LineSearch => "line-search Newton-CG",
            NewtonMethod::Lazy => "lazy-Hessian Newton",
            NewtonMethod::Damped => "damped Newton (AICN)",
            NewtonMethod::GradientRegularized => "gradient-regularised Newton",
        }
    }
}

/// The forcing term of the inner CG, option `"forcing"`: CG stops at
/// `||H d + g|| <= eta_k ||g||`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Forcing {
    /// Eisenstat-Walker choice 2: `eta_k = 0.9 (||g_k|| / ||g_{k-1}||)^2`, safeguarded and
    /// kept in `[forcing_min, 0.5]` (code 0, the default).
    EisenstatWalker,
    /// `eta_k = min(0.5, sqrt(||g_k||))` (Nocedal-Wright; scipy's `trust-ncg`), code 1.
    SqrtGradient,
    /// A fixed `eta` (`"forcing_value"`), code 2.
    Fixed,
}

/// The line search of the line-search methods, option `"line_search"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineSearchKind {
    /// Backtracking with safeguarded quadratic / cubic interpolation until the Armijo
    /// condition holds (code 0, the default).
    Armijo,
    /// Bracketing and zoom until the strong Wolfe conditions hold (Nocedal-Wright 3.5-3.6),
    /// code 1.
    StrongWolfe,
}

/// The regularisation of the lazy-Hessian step, option `"lazy_regularization"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LazyRegularization {
    /// `(H + sqrt(M ||g||) I) h = -g`: for convex `f` (code 0, the default).
    Gradient,
    /// `h = argmin g^T h + h^T H h / 2 + M ||h||^3 / 6`: global, nonconvex (code 1).
    Cubic,
}

/// Options of a Newton solve. Build with `NewtonOptions::default()` and the validating
/// [`NewtonOptions::set`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewtonOptions {
    /// The method (default trust region).
    pub method: NewtonMethod,
    /// Stop when `||g|| <= gatol` (default 1e-8).
    pub gatol: f64,
    /// Stop when `||g|| <= grtol ||g_0||` (default 0 = off).
    pub grtol: f64,
    /// Stop when an accepted step has `||x+ - x|| <= xtol max(1, ||x||)` (default 0 = off).
    pub xtol: f64,
    /// Stop when an accepted step has `|f - f+| <= ftol max(1, |f|)` (default 0 = off).
    pub ftol: f64,
    /// Outer iterations, rejected trial steps included (default 1000).
    pub max_iterations: usize,
    /// Oracle calls of all kinds together (default 0 = no limit).
    pub max_evaluations: usize,
    /// Wall-clock limit in seconds (default 0 = no limit).
    pub max_seconds: f64,
    /// Inner CG forcing rule (default Eisenstat-Walker).
    pub forcing: Forcing,
    /// `eta` of `Forcing::Fixed` (default 0.1).
    pub forcing_value: f64,
    /// Lower bound of the adaptive forcing terms (default 1e-10).
    pub forcing_min: f64,
    /// CG iterations per Newton system (default 0: `n`, at most 10000).
    pub cg_max_iterations: usize,
    /// Initial trust radius (default 1).
    pub initial_radius: f64,
    /// Largest trust radius (default 1e10).
    pub max_radius: f64,
    /// Line search of the line-search method (default Armijo).
    pub line_search: LineSearchKind,
    /// Sufficient-decrease constant `c1` of the line searches (default 1e-4).
    pub c1: f64,
    /// Curvature constant `c2` of the strong Wolfe search (default 0.9).
    pub c2: f64,
    /// Lazy Hessian: iterations between Hessian refreshes, `m` (default 5).
    pub lazy_period: usize,
    /// Lazy Hessian: Lanczos vectors kept from a refresh (default 20; memory `lazy_rank n`
    /// doubles).
    pub lazy_rank: usize,
    /// Lazy Hessian: regularisation (default cubic: global for nonconvex `f` too).
    pub lazy_regularization: LazyRegularization,
    /// Initial regularisation constant `M` of the lazy method (default 1), adapted by doubling
    /// and halving.
    pub regularization: f64,
    /// Damped Newton: the smoothness constant `L` of the AICN step; 0 (default) = unknown,
    /// found by backtracking.
    pub lipschitz: f64,
    /// Gradient-regularised Newton: initial `gamma` (default 1).
    pub gamma: f64,
}

impl Default for NewtonOptions {
    fn default() -> Self {
        NewtonOptions {
            method: NewtonMethod::TrustRegion,
            gatol: 1e-8,
            grtol: 0.0,
            xtol: 0.0,
            ftol: 0.0,
            max_iterations: 1000,
            max_evaluations: 0,
            max_seconds: 0.0,
            forcing: Forcing::EisenstatWalker,
            forcing_value: 0.1,
            forcing_min: 1e-10,
            cg_max_iterations: 0,
            initial_radius: 1.0,
            max_radius: 1e10,
            line_search: LineSearchKind::Armijo,
            c1: 1e-4,
            c2: 0.9,
            lazy_period: 5,
            lazy_rank: 20,
            lazy_regularization: LazyRegularization::Cubic,
            regularization: 1.0,
            lipschitz: 0.0,
            gamma: 1.0,
        }
    }
}

/// The option names `set` and `get` accept.
pub const OPTION_NAMES: &str = "method, gatol, grtol, xtol, ftol, max_iterations, max_evaluations, max_seconds, \
     forcing, forcing_value, forcing_min, cg_max_iterations, initial_radius, max_radius, line_search, c1, c2, \
     lazy_period, lazy_rank, lazy_regularization, regularization, lipschitz, gamma";

fn unknown(name: &str) -> Error {
    Error::UnknownOption(format!("no Newton option is named \"{name}\"; the options are {OPTION_NAMES}"))
}

impl NewtonOptions {
    /// Sets option `name` to `value` after checking its range; on error nothing changes.
    pub fn set(&mut self, name: &str, value: f64) -> Result<&mut Self, Error> {
        let bad = |range: &str| Err(Error::invalid(format!("{name} = {value} is out of range; it must be {range}")));
        let nonneg = value >= 0.0 && value.is_finite();
        let positive = value > 0.0 && value.is_finite();
        match name {
            "method" => self.method = NewtonMethod::from_code(count(name, value, 0.0, 1e3)? as i64)?,
            "gatol" | "grtol" | "xtol" | "ftol" | "max_seconds" | "lipschitz" if !nonneg => {
                return bad("a finite number >= 0 (0 = off)")
            }
            "gatol" => self.gatol = value,
            "grtol" => self.grtol = value,
            "xtol" => self.xtol = value,
            "ftol" => self.ftol = value,
            "max_seconds" => self.max_seconds = value,
            "lipschitz" => self.lipschitz = value,
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
            "cg_max_iterations" => self.cg_max_iterations = count(name, value, 0.0, 1e9)?,
            "initial_radius" | "max_radius" | "regularization" | "gamma" if !positive => return bad("a finite number > 0"),
            "initial_radius" => self.initial_radius = value,
            "max_radius" => self.max_radius = value,
            "regularization" => self.regularization = value,
            "gamma" => self.gamma = value,
            "line_search" => {
                self.line_search = if count(name, value, 0.0, 1.0)? == 0 { LineSearchKind::Armijo } else { LineSearchKind::StrongWolfe }
            }
            "c1" if !(value > 0.0 && value < 0.5) => return bad("in (0, 0.5)"),
            "c1" => self.c1 = value,
            "c2" if !(value > self.c1 && value < 1.0) => return bad(&format!("in (c1, 1) = ({}, 1)", self.c1)),
            "c2" => self.c2 = value,
            "lazy_period" => self.lazy_period = count(name, value, 1.0, 1e9)?,
            "lazy_rank" => self.lazy_rank = count(name, value, 1.0, 1000.0)?,
            "lazy_regularization" => {
                self.lazy_regularization =
                    if count(name, value, 0.0, 1.0)? == 0 { LazyRegularization::Gradient } else { LazyRegularization::Cubic }
            }
            _ => return Err(unknown(name)),
        }
        Ok(self)
    }

    /// The value of option `name`, in the encoding `set` takes.
    pub fn get(&self, name: &str) -> Result<f64, Error> {
        Ok(match name {
            "method" => self.method.code() as f64,
            "gatol" => self.gatol,
            "grtol" => self.grtol,
            "xtol" => self.xtol,
            "ftol" => self.ftol,
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
            "cg_max_iterations" => self.cg_max_iterations as f64,
            "initial_radius" => self.initial_radius,
            "max_radius" => self.max_radius,
            "line_search" => (self.line_search == LineSearchKind::StrongWolfe) as u8 as f64,
            "c1" => self.c1,
            "c2" => self.c2,
            "lazy_period" => self.lazy_period as f64,
            "lazy_rank" => self.lazy_rank as f64,
            "lazy_regularization" => (self.lazy_regularization == LazyRegularization::Cubic) as u8 as f64,
            "regularization" => self.regularization,
            "lipschitz" => self.lipschitz,
            "gamma" => self.gamma,
            _ => return Err(unknown(name)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_round_trips_and_bad_values_change_nothing() {
        let names: Vec<&str> = OPTION_NAMES.split(", ").map(str::trim).collect();
        let mut o = NewtonOptions::default();
        for name in &names {
            let v = o.get(name).unwrap();
            o.set(name, v).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(o.get(name).unwrap(), v, "{name}");
            let before = o.clone();
            assert!(o.set(name, f64::NAN).is_err(), "{name} accepted NaN");
            assert_eq!(o, before);
        }
        assert!(matches!(o.set("nope", 1.0), Err(Error::UnknownOption(_))));
        assert!(o.set("method", 5.0).is_err());
        assert!(o.set("c2", 1e-5).is_err());
    }
}

//! Options of a [`super::SorBandit`]: the solver's (see [`SorOptions`]) and the learners'.

use crate::error::Error;
use crate::sor::options::integer;
use crate::sor::{SorOptions, SOLVER_OPTION_NAMES};

/// The learners' options; the solver's are in `solver`.
#[derive(Debug, Clone, PartialEq)]
pub struct SorBanditOptions {
    /// The options of every solve.
    pub solver: SorOptions,
    /// Lower end of the context interval of ChebCB and the binned learner (default 0).
    pub context_min: f64,
    /// Upper end of the context interval, `> context_min` (default 1).
    pub context_max: f64,
    /// Bins of the binned learner, `1..=MAX_BINS` (default 5, the authors').
    pub bins: usize,
    /// Chebyshev features of ChebCB, `1..=MAX_TERMS` (default 6, the authors').
    pub chebyshev_terms: usize,
    /// The Jacobi spectral radius of the Young learner, in `[0, 1)`; `-1` (default): the
    /// context of each solve is the spectral radius.
    pub young_rho: f64,
}

/// The most bins of the binned learner.
pub const MAX_BINS: usize = 10_000;
/// The most Chebyshev features of ChebCB.
pub const MAX_TERMS: usize = 32;

impl Default for SorBanditOptions {
    fn default() -> Self {
        SorBanditOptions { solver: SorOptions::default(), context_min: 0.0, context_max: 1.0, bins: 5, chebyshev_terms: 6, young_rho: -1.0 }
    }
}

/// Learner options that shape the learner's state: they may change only before it has
/// learned anything.
pub const STRUCTURAL_OPTIONS: &[&str] = &["context_min", "context_max", "bins", "chebyshev_terms"];

/// Every name [`SorBanditOptions::set`] and [`SorBanditOptions::get`] accept.
pub const OPTION_NAMES: &[&str] = &[
    "tol",
    "max_iterations",
    "method",
    "sweep",
    "ordering",
    "use_initial_guess",
    "context_min",
    "context_max",
    "bins",
    "chebyshev_terms",
    "young_rho",
];

impl SorBanditOptions {
    /// Sets an option by name (the solver's names as [`SorOptions::set`], plus
    /// `"context_min"`, `"context_max"` (finite, `context_min < context_max`), `"bins"`,
    /// `"chebyshev_terms"`, `"young_rho"` (`[0, 1)` or `-1`)). A refused value changes nothing.
    pub fn set(&mut self, name: &str, v: f64) -> Result<&mut Self, Error> {
        if SOLVER_OPTION_NAMES.contains(&name) {
            self.solver.set(name, v)?;
            return Ok(self);
        }
        let finite = |v: f64| {
            if v.is_finite() { Ok(v) } else { Err(Error::invalid(format!("{name} = {v} is out of range; it must be finite"))) }
        };
        match name {
            "context_min" => {
                if finite(v)? >= self.context_max {
                    return Err(Error::invalid(format!(
                        "context_min = {v} must be below context_max = {}; raise context_max first",
                        self.context_max
                    )));
                }
                self.context_min = v;
            }
            "context_max" => {
                if finite(v)? <= self.context_min {
                    return Err(Error::invalid(format!(
                        "context_max = {v} must be above context_min = {}; lower context_min first",
                        self.context_min
                    )));
                }
                self.context_max = v;
            }
            "bins" => self.bins = integer(name, v, 1, MAX_BINS)?,
            "chebyshev_terms" => self.chebyshev_terms = integer(name, v, 1, MAX_TERMS)?,
            "young_rho" => {
                if !(v == -1.0 || (v.is_finite() && (0.0..1.0).contains(&v))) {
                    return Err(Error::invalid(format!(
                        "young_rho = {v} is out of range; it must be in [0, 1), or -1 to take the context as rho"
                    )));
                }
                self.young_rho = v;
            }
            _ => return Err(unknown_option(name)),
        }
        Ok(self)
    }

    /// Reads an option by name, in the encoding [`SorBanditOptions::set`] accepts.
    pub fn get(&self, name: &str) -> Result<f64, Error> {
        if SOLVER_OPTION_NAMES.contains(&name) {
            return self.solver.get(name);
        }
        Ok(match name {
            "context_min" => self.context_min,
            "context_max" => self.context_max,
            "bins" => self.bins as f64,
            "chebyshev_terms" => self.chebyshev_terms as f64,
            "young_rho" => self.young_rho,
            _ => return Err(unknown_option(name)),
        })
    }
}

/// The error for a name outside [`OPTION_NAMES`] (it lists the known names).
fn unknown_option(name: &str) -> Error {
    Error::UnknownOption(format!("unknown SOR-bandit option \"{name}\"; known options: {}", OPTION_NAMES.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_and_unknown_names_list_the_known_ones() {
        let values = [1e-6, 50.0, 1.0, 2.0, 1.0, 1.0, -0.5, 0.75, 3.0, 4.0, 0.9];
        for (&name, &v) in OPTION_NAMES.iter().zip(&values) {
            let mut o = SorBanditOptions::default();
            assert_ne!(o.get(name).unwrap(), v, "{name}");
            o.set(name, v).unwrap();
            assert_eq!(o.get(name).unwrap(), v, "{name}");
        }
        match SorBanditOptions::default().set("omega", 1.0) {
            Err(Error::UnknownOption(m)) => assert!(OPTION_NAMES.iter().all(|n| m.contains(n)), "{m}"),
            other => panic!("{other:?}"),
        }
        let mut o = SorBanditOptions::default();
        assert!(o.set("context_min", 1.0).is_err() && o.set("young_rho", 1.0).is_err() && o.set("bins", 0.5).is_err());
        assert_eq!(o, SorBanditOptions::default());
    }
}

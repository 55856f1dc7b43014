//! What one SOR / SSOR-PCG solve is asked to do, with the `set(name, value)` / `get(name)` table.

use crate::error::Error;

/// The iteration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SorMethod {
    /// Successive over-relaxation `x += M^{-1}(b - A x)`, `M = D / omega + L` (or its backward /
    /// symmetric variants, see [`SweepDirection`]).
    Sor,
    /// Conjugate gradients preconditioned by SSOR with the same `omega` (SPD `A`).
    SsorPcg,
}

/// The order in which a SOR sweep visits the unknowns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepDirection {
    /// Rows `0, 1, ..., n - 1`: `M = D / omega + L`.
    Forward,
    /// Rows `n - 1, ..., 0`: `M = D / omega + U`.
    Backward,
    /// A forward then a backward sweep per iteration (SSOR as a stationary iteration).
    Symmetric,
}

/// How rows are ordered for the sweeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepOrdering {
    /// The matrix's own order (sequential sweeps).
    Natural,
    /// A greedy multicolouring of the matrix graph (red-black on 5-point grids): rows of one
    /// colour are uncoupled and swept in parallel. This is SOR on a permuted system, a different
    /// iteration with different convergence: for 5-point grids red-black SOR has the same
    /// asymptotic rate as the natural order (both are consistently ordered), elsewhere the
    /// rate may be better or worse.
    Multicolour,
}

/// Options of one solve; build with `SorOptions::default()` and the validating [`SorOptions::set`].
///
/// Convergence: `||b - A x_k|| < tol * ||b - A x_0||` with `x_0` the initial guess (zero unless
/// `use_initial_guess`), as in the paper; the residual is the true residual of the iterate.
#[derive(Debug, Clone, PartialEq)]
pub struct SorOptions {
    /// Relative tolerance in `(0, 1)` (default `1e-8`, the paper's).
    pub tol: f64,
    /// Iteration cap, `>= 1` (default 10000, the paper's). A solve that reaches it is not an
    /// error: its cost is the cap and `x` holds the last iterate.
    pub max_iterations: usize,
    /// SOR or SSOR-PCG (default SOR).
    pub method: SorMethod,
    /// Sweep direction of SOR (default forward); SSOR-PCG always applies a symmetric sweep.
    pub direction: SweepDirection,
    /// Row ordering (default natural).
    pub ordering: SweepOrdering,
    /// Start from the `x` passed in (default: from zero, as the paper).
    pub use_initial_guess: bool,
}

impl Default for SorOptions {
    fn default() -> Self {
        SorOptions {
            tol: 1e-8,
            max_iterations: 10_000,
            method: SorMethod::Sor,
            direction: SweepDirection::Forward,
            ordering: SweepOrdering::Natural,
            use_initial_guess: false,
        }
    }
}

/// Names accepted by [`SorOptions::set`] and [`SorOptions::get`].
pub const SOLVER_OPTION_NAMES: &[&str] = &["tol", "max_iterations", "method", "sweep", "ordering", "use_initial_guess"];

/// `v` as an integer in `min..=max`, or an error naming `name` and the range.
pub(crate) fn integer(name: &str, v: f64, min: usize, max: usize) -> Result<usize, Error> {
    if v.is_finite() && v.fract() == 0.0 && v >= min as f64 && v <= max as f64 {
        Ok(v as usize)
    } else {
        Err(Error::invalid(format!("{name} = {v} is out of range; it must be an integer in {min}..={max}")))
    }
}

impl SorOptions {
    /// Sets an option by name from a number: `"tol"` in `(0, 1)`; `"max_iterations"` `>= 1`;
    /// `"method"` 0 = SOR, 1 = SSOR-PCG; `"sweep"` 0 = forward, 1 = backward, 2 = symmetric;
    /// `"ordering"` 0 = natural, 1 = multicolour; `"use_initial_guess"` 0 / 1. A refused value
    /// changes nothing; an unknown name is [`Error::UnknownOption`].
    pub fn set(&mut self, name: &str, v: f64) -> Result<&mut Self, Error> {
        match name {
            "tol" => {
                if !(v.is_finite() && v > 0.0 && v < 1.0) {
                    return Err(Error::invalid(format!("tol = {v} is out of range; it must be in (0, 1)")));
                }
                self.tol = v;
            }
            "max_iterations" => self.max_iterations = integer(name, v, 1, 1 << 40)?,
            "method" => {
                self.method = [SorMethod::Sor, SorMethod::SsorPcg][integer(name, v, 0, 1).map_err(|_| {
                    Error::invalid(format!("method = {v} is out of range; use 0 (SOR) or 1 (SSOR-PCG)"))
                })?]
            }
            "sweep" => {
                self.direction = [SweepDirection::Forward, SweepDirection::Backward, SweepDirection::Symmetric]
                    [integer(name, v, 0, 2).map_err(|_| {
                        Error::invalid(format!("sweep = {v} is out of range; use 0 (forward), 1 (backward) or 2 (symmetric)"))
                    })?]
            }
            "ordering" => {
                self.ordering = [SweepOrdering::Natural, SweepOrdering::Multicolour][integer(name, v, 0, 1).map_err(|_| {
                    Error::invalid(format!("ordering = {v} is out of range; use 0 (natural) or 1 (multicolour)"))
                })?]
            }
            "use_initial_guess" => self.use_initial_guess = integer(name, v, 0, 1)? == 1,
            _ => return Err(unknown_option(name)),
        }
        Ok(self)
    }

    /// Reads an option by name in the encoding [`SorOptions::set`] accepts, so
    /// `set(name, get(name)?)` changes nothing.
    pub fn get(&self, name: &str) -> Result<f64, Error> {
        Ok(match name {
            "tol" => self.tol,
            "max_iterations" => self.max_iterations as f64,
            "method" => (self.method == SorMethod::SsorPcg) as u8 as f64,
            "sweep" => match self.direction {
                SweepDirection::Forward => 0.0,
                SweepDirection::Backward => 1.0,
                SweepDirection::Symmetric => 2.0,
            },
            "ordering" => (self.ordering == SweepOrdering::Multicolour) as u8 as f64,
            "use_initial_guess" => self.use_initial_guess as u8 as f64,
            _ => return Err(unknown_option(name)),
        })
    }
}

/// The error for a name outside [`SOLVER_OPTION_NAMES`] (it lists the known names).
fn unknown_option(name: &str) -> Error {
    Error::UnknownOption(format!("unknown SOR option \"{name}\"; known options: {}", SOLVER_OPTION_NAMES.join(", ")))
}

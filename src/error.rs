//! The error type of the pure-Rust core.
//!
//! Every variant carries a message written for the person who called the library: it names the
//! argument that was wrong and says what the valid range is. The C layer maps each variant to
//! one `nks_status` code; nothing here knows about C.

use std::fmt;

/// Why a call into the core was refused or could not run.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// An argument is outside its valid range (the message names it and gives the range).
    InvalidArgument(String),
    /// Two arguments that must agree in size do not.
    DimensionMismatch(String),
    /// An input or an oracle output is NaN or infinite.
    NonFinite(String),
    /// A named option does not exist.
    UnknownOption(String),
    /// Memory for the solver's workspace could not be obtained.
    Allocation(String),
    /// The call is valid but the object is not ready for it (e.g. no operator set yet).
    InvalidState(String),
}

impl Error {
    /// Shorthand for [`Error::InvalidArgument`].
    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::InvalidArgument(msg.into())
    }
    /// Shorthand for [`Error::DimensionMismatch`].
    pub fn dims(msg: impl Into<String>) -> Self {
        Error::DimensionMismatch(msg.into())
    }
    /// The human-readable message.
    pub fn message(&self) -> &str {
        match self {
            Error::InvalidArgument(m)
            | Error::DimensionMismatch(m)
            | Error::NonFinite(m)
            | Error::UnknownOption(m)
            | Error::Allocation(m)
            | Error::InvalidState(m) => m,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Error {}

/// A user oracle (matvec, preconditioner, objective, ...) reported that it could not evaluate.
///
/// `code` is what the oracle returned: `> 0` means "this point cannot be evaluated" (solvers that
/// can shrink a step do so), `< 0` means "abort the solve".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OracleFailure {
    /// The non-zero code the oracle returned.
    pub code: i32,
}

/// Checks that every entry of `v` is finite; the error names `what` and the first bad index.
pub fn check_finite(v: &[f64], what: &str) -> Result<(), Error> {
    match v.iter().position(|t| !t.is_finite()) {
        None => Ok(()),
        Some(i) => Err(Error::NonFinite(format!(
            "{what}[{i}] = {} is not finite; every entry must be a finite number",
            v[i]
        ))),
    }
}

/// An option given as a double that must be an integer in `min..=max` (the C API passes every
/// option as a double), or the error naming it and the range.
pub fn integer_option(name: &str, value: f64, min: f64, max: f64) -> Result<usize, Error> {
    if value.fract() == 0.0 && value >= min && value <= max {
        Ok(value as usize)
    } else {
        Err(Error::invalid(format!("{name} = {value} is out of range; it must be an integer in {min}..={max}")))
    }
}

/// The message for a callback output `v` with a NaN or infinite entry, naming the callback and
/// the first bad index; `None` when every entry is finite.
pub fn non_finite_output(oracle: &str, v: &[f64]) -> Option<String> {
    let i = v.iter().position(|t| !t.is_finite())?;
    Some(format!("the {oracle} callback wrote a non-finite value ({}) at index {i}", v[i]))
}

/// Checks `len == expected`, naming both sides in the error.
pub fn check_len(len: usize, expected: usize, what: &str, against: &str) -> Result<(), Error> {
    if len == expected {
        Ok(())
    } else {
        Err(Error::dims(format!(
            "{what} has length {len} but {against} is {expected}; they must be equal"
        )))
    }
}

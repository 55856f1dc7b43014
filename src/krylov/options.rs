//! What a Krylov solve is asked to do.

use crate::error::Error;

/// The Krylov method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KrylovMethod {
    /// Conjugate gradients: symmetric positive definite `A` (and `M`).
    Cg,
    /// Restarted GMRES(m): any nonsingular `A`.
    Gmres,
    /// Flexible GMRES(m): the preconditioner may change from one application to the next
    /// (an inner iterative solve, a multigrid cycle with varying smoothing). Right side only.
    Fgmres,
    /// GCRO-DR(m, k): GMRES with deflated restarting that keeps `k` recycled vectors across
    /// cycles and across solves (sequences of related nonsymmetric systems).
    GcroDr,
    /// Recycled (deflated) CG: CG deflated by `k` recycled Ritz vectors kept across solves
    /// (sequences of related SPD systems).
    RecycledCg,
}

/// The numeric code of each method, in one table (the C enum `nks_krylov_method` matches it).
const METHOD_CODES: [(KrylovMethod, i64, &str); 5] = [
    (KrylovMethod::Cg, 0, "CG"),
    (KrylovMethod::Gmres, 1, "GMRES"),
    (KrylovMethod::Fgmres, 2, "FGMRES"),
    (KrylovMethod::GcroDr, 3, "GCRO-DR"),
    (KrylovMethod::RecycledCg, 4, "recycled CG"),
];

impl KrylovMethod {
    /// The method's numeric code (see [`method_from_code`]).
    pub fn code(self) -> i64 {
        METHOD_CODES.iter().find(|e| e.0 == self).map(|e| e.1).expect("every method has a code")
    }

    /// Whether the method keeps a recycle space across solves.
    pub fn recycles(self) -> bool {
        matches!(self, KrylovMethod::GcroDr | KrylovMethod::RecycledCg)
    }
}

/// Which side the preconditioner is applied on (GMRES only; CG is always split-symmetric).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreconditionerSide {
    /// Solve `M^{-1} A x = M^{-1} b`: convergence is measured on the preconditioned residual.
    Left,
    /// Solve `A M^{-1} u = b`, `x = M^{-1} u`: convergence is measured on the true residual.
    Right,
}

/// When GMRES re-orthogonalises a new Arnoldi vector (classical Gram-Schmidt is the first
/// pass in every case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reorthogonalization {
    /// One pass of classical Gram-Schmidt (PETSc's default): fastest; orthogonality can degrade
    /// on very ill-conditioned problems, which the true-residual check at each restart catches.
    Never,
    /// A second pass when the first removed most of the vector (the DGKS criterion, 0.7).
    IfNeeded,
    /// Always two passes (CGS2): orthogonal to working precision.
    Always,
}

/// Options of a Krylov solve. Build with `KrylovOptions::default()` and the validating setters.
///
/// Convergence: `||r_k|| <= max(rtol * ||b||, atol)`, where `r_k` is the residual the method
/// monitors (the true residual for CG and right/unpreconditioned GMRES, `M^{-1}(b - A x)`
/// compared with `rtol * ||M^{-1} b||` for left-preconditioned GMRES).
#[derive(Debug, Clone, PartialEq)]
pub struct KrylovOptions {
    /// The method (default GMRES).
    pub method: KrylovMethod,
    /// Relative tolerance, in `[0, 1)` (default `1e-8`).
    pub rtol: f64,
    /// Absolute tolerance, `>= 0` (default `0`).
    pub atol: f64,
    /// Iteration limit (matrix-vector products of the Krylov recurrence), `>= 1` (default 10000).
    pub max_iterations: usize,
    /// GMRES restart length m, in `1..=MAX_RESTART` (default 30, as PETSc).
    pub restart: usize,
    /// Start from the `x` passed in (`true`) or from zero (`false`, default).
    pub use_initial_guess: bool,
    /// Preconditioner side for GMRES (default right).
    pub side: PreconditionerSide,
    /// Wall-clock limit in seconds, `> 0` (default infinity).
    pub max_seconds: f64,
    /// GMRES re-orthogonalisation (default `Never`, as PETSc).
    pub reorthogonalization: Reorthogonalization,
    /// Recycled vectors `k` kept by GCRO-DR and recycled CG, `0..=MAX_RESTART` (default 10;
    /// GCRO-DR uses at most `restart - 1`). Ignored by the other methods.
    pub recycle_dim: usize,
    /// GCRO-DR refreshes its recycle space from the harmonic Ritz vectors of every
    /// `refresh_interval`-th full cycle, `1..=MAX_RESTART` (default 3). 1 is the paper's
    /// algorithm; a refresh costs about `(2 m + 2 k) n k` flops, a cycle's Arnoldi steps about
    /// `(m^2 - k^2) n`, so refreshing every cycle can cost more time than the iterations it
    /// saves (measured on the Darcy and convection-diffusion sequences of
    /// `benches/krylov_recycling`: 3 cut time by 20-30% for 0-5% more matvecs).
    pub refresh_interval: usize,
}

/// The largest accepted GMRES restart length (the basis holds `m + 1` vectors of length n).
pub const MAX_RESTART: usize = 10_000;

impl Default for KrylovOptions {
    fn default() -> Self {
        KrylovOptions {
            method: KrylovMethod::Gmres,
            rtol: 1e-8,
            atol: 0.0,
            max_iterations: 10_000,
            restart: 30,
            use_initial_guess: false,
            side: PreconditionerSide::Right,
            max_seconds: f64::INFINITY,
            reorthogonalization: Reorthogonalization::Never,
            recycle_dim: 10,
            refresh_interval: 3,
        }
    }
}

/// Names accepted by [`KrylovOptions::set`] and [`KrylovOptions::get`], in the order the docs
/// list them.
pub const OPTION_NAMES: &[&str] = &[
    "method",
    "rtol",
    "atol",
    "max_iterations",
    "restart",
    "use_initial_guess",
    "preconditioner_side",
    "max_seconds",
    "reorthogonalization",
    "recycle_dim",
    "refresh_interval",
];

fn count(name: &str, v: f64, min: usize, max: usize) -> Result<usize, Error> {
    if v.is_finite() && v.fract() == 0.0 && v >= min as f64 && v <= max as f64 {
        Ok(v as usize)
    } else {
        Err(Error::invalid(format!("{name} = {v} is out of range; it must be an integer in {min}..={max}")))
    }
}

impl KrylovOptions {
    /// Sets the method.
    pub fn set_method(&mut self, m: KrylovMethod) -> &mut Self {
        self.method = m;
        self
    }

    /// Sets `rtol`; valid range `[0, 1)`.
    pub fn set_rtol(&mut self, v: f64) -> Result<&mut Self, Error> {
        if !(v.is_finite() && (0.0..1.0).contains(&v)) {
            return Err(Error::invalid(format!("rtol = {v} is out of range; it must be in [0, 1)")));
        }
        self.rtol = v;
        Ok(self)
    }

    /// Sets `atol`; valid range `[0, inf)`.
    pub fn set_atol(&mut self, v: f64) -> Result<&mut Self, Error> {
        if !(v.is_finite() && v >= 0.0) {
            return Err(Error::invalid(format!("atol = {v} is out of range; it must be finite and >= 0")));
        }
        self.atol = v;
        Ok(self)
    }

    /// Sets the iteration limit; valid range `>= 1`.
    pub fn set_max_iterations(&mut self, v: usize) -> Result<&mut Self, Error> {
        if v == 0 {
            return Err(Error::invalid("max_iterations = 0 is out of range; it must be >= 1"));
        }
        self.max_iterations = v;
        Ok(self)
    }

    /// Sets the GMRES restart length; valid range `1..=MAX_RESTART`.
    pub fn set_restart(&mut self, v: usize) -> Result<&mut Self, Error> {
        if v == 0 || v > MAX_RESTART {
            return Err(Error::invalid(format!(
                "restart = {v} is out of range; it must be in 1..={MAX_RESTART}"
            )));
        }
        self.restart = v;
        Ok(self)
    }

    /// Sets the number of recycled vectors; valid range `0..=MAX_RESTART`.
    pub fn set_recycle_dim(&mut self, v: usize) -> Result<&mut Self, Error> {
        if v > MAX_RESTART {
            return Err(Error::invalid(format!("recycle_dim = {v} is out of range; it must be in 0..={MAX_RESTART}")));
        }
        self.recycle_dim = v;
        Ok(self)
    }

    /// Sets how often GCRO-DR refreshes its space (every `v`-th full cycle); valid range
    /// `1..=MAX_RESTART`.
    pub fn set_refresh_interval(&mut self, v: usize) -> Result<&mut Self, Error> {
        if v == 0 || v > MAX_RESTART {
            return Err(Error::invalid(format!("refresh_interval = {v} is out of range; it must be in 1..={MAX_RESTART}")));
        }
        self.refresh_interval = v;
        Ok(self)
    }

    /// Sets the wall-clock limit; valid range `(0, inf]`.
    pub fn set_max_seconds(&mut self, v: f64) -> Result<&mut Self, Error> {
        if v.is_nan() || v <= 0.0 {
            return Err(Error::invalid(format!("max_seconds = {v} is out of range; it must be > 0")));
        }
        self.max_seconds = v;
        Ok(self)
    }

    /// Sets an option by name from a number (integers and flags as whole numbers, the method as
    /// 0 = CG, 1 = GMRES, 2 = FGMRES, the side as 0 = left, 1 = right, re-orthogonalisation as
    /// 0 = never, 1 = if needed, 2 = always). This is the one
    /// table of option names; typed setters and the C layer's string options both end here.
    pub fn set(&mut self, name: &str, value: f64) -> Result<&mut Self, Error> {
        match name {
            "method" => {
                let m = method_from_code(count("method", value, 0, METHOD_CODES.len() - 1)? as i64)?;
                Ok(self.set_method(m))
            }
            "rtol" => self.set_rtol(value),
            "atol" => self.set_atol(value),
            "max_iterations" => self.set_max_iterations(count(name, value, 1, usize::MAX >> 11)?),
            "restart" => self.set_restart(count(name, value, 1, MAX_RESTART)?),
            "use_initial_guess" => {
                self.use_initial_guess = count(name, value, 0, 1)? == 1;
                Ok(self)
            }
            "preconditioner_side" => {
                self.side = side_from_code(count(name, value, 0, 1)? as i64)?;
                Ok(self)
            }
            "max_seconds" => self.set_max_seconds(value),
            "reorthogonalization" => {
                self.reorthogonalization = reorthogonalization_from_code(count(name, value, 0, 2)? as i64)?;
                Ok(self)
            }
            "recycle_dim" => self.set_recycle_dim(count(name, value, 0, MAX_RESTART)?),
            "refresh_interval" => self.set_refresh_interval(count(name, value, 1, MAX_RESTART)?),
            _ => Err(unknown_option(name)),
        }
    }

    /// Reads an option by name, as a number in the encoding [`KrylovOptions::set`] accepts
    /// (flags as 0/1, the method as 0 = CG, 1 = GMRES, 2 = FGMRES, the side as 0 = left,
    /// 1 = right, re-orthogonalisation as 0 = never, 1 = if needed, 2 = always; `max_seconds`
    /// is `+inf` when there is no limit). A value stored through `set` reads back exactly, so
    /// `set(name, get(name)?)` changes nothing. Every name of [`OPTION_NAMES`] is accepted; any
    /// other is [`Error::UnknownOption`] with the list of known names.
    pub fn get(&self, name: &str) -> Result<f64, Error> {
        Ok(match name {
            "method" => self.method.code() as f64,
            "recycle_dim" => self.recycle_dim as f64,
            "refresh_interval" => self.refresh_interval as f64,
            "rtol" => self.rtol,
            "atol" => self.atol,
            "max_iterations" => self.max_iterations as f64,
            "restart" => self.restart as f64,
            "use_initial_guess" => f64::from(u8::from(self.use_initial_guess)),
            "preconditioner_side" => match self.side {
                PreconditionerSide::Left => 0.0,
                PreconditionerSide::Right => 1.0,
            },
            "max_seconds" => self.max_seconds,
            "reorthogonalization" => match self.reorthogonalization {
                Reorthogonalization::Never => 0.0,
                Reorthogonalization::IfNeeded => 1.0,
                Reorthogonalization::Always => 2.0,
            },
            _ => return Err(unknown_option(name)),
        })
    }
}

/// The error for an option name outside [`OPTION_NAMES`] (it lists the known names).
fn unknown_option(name: &str) -> Error {
    Error::UnknownOption(format!("unknown Krylov option \"{name}\"; known options: {}", OPTION_NAMES.join(", ")))
}

/// The method for its numeric code (0 = CG, 1 = GMRES, 2 = FGMRES, 3 = GCRO-DR,
/// 4 = recycled CG).
pub fn method_from_code(code: i64) -> Result<KrylovMethod, Error> {
    METHOD_CODES.iter().find(|e| e.1 == code).map(|e| e.0).ok_or_else(|| {
        let list: Vec<String> = METHOD_CODES.iter().map(|e| format!("{} ({})", e.1, e.2)).collect();
        Error::invalid(format!("method = {code} is out of range; use {}", list.join(", ")))
    })
}

/// The preconditioner side for its numeric code (0 = left, 1 = right).
pub fn side_from_code(code: i64) -> Result<PreconditionerSide, Error> {
    match code {
        0 => Ok(PreconditionerSide::Left),
        1 => Ok(PreconditionerSide::Right),
        _ => Err(Error::invalid(format!(
            "preconditioner side = {code} is out of range; use 0 (left) or 1 (right)"
        ))),
    }
}

/// The re-orthogonalisation policy for its numeric code (0 = never, 1 = if needed, 2 = always).
pub fn reorthogonalization_from_code(code: i64) -> Result<Reorthogonalization, Error> {
    match code {
        0 => Ok(Reorthogonalization::Never),
        1 => Ok(Reorthogonalization::IfNeeded),
        2 => Ok(Reorthogonalization::Always),
        _ => Err(Error::invalid(format!(
            "reorthogonalization = {code} is out of range; use 0 (never), 1 (if needed) or 2 (always)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_options_use_the_typed_rules() {
        let mut o = KrylovOptions::default();
        o.set("method", 0.0).unwrap().set("restart", 40.0).unwrap().set("reorthogonalization", 1.0).unwrap();
        assert_eq!((o.method, o.restart, o.reorthogonalization), (KrylovMethod::Cg, 40, Reorthogonalization::IfNeeded));
        assert!(matches!(o.set("restart", 40.5), Err(Error::InvalidArgument(_))));
        assert!(matches!(o.set("rtol", 1.0), Err(Error::InvalidArgument(_))));
        match o.set("tol", 1e-6) {
            Err(Error::UnknownOption(m)) => assert!(OPTION_NAMES.iter().all(|n| m.contains(n))),
            other => panic!("{other:?}"),
        }
        assert_eq!(o.restart, 40, "a refused value changes nothing");
    }

    /// A value other than the default for every option, in `set`'s encoding.
    fn non_default(name: &str) -> f64 {
        match name {
            "method" => 0.0,
            "rtol" => 1e-5,
            "atol" => 2.5e-9,
            "max_iterations" => 123.0,
            "restart" => 17.0,
            "use_initial_guess" => 1.0,
            "preconditioner_side" => 0.0,
            "max_seconds" => 4.5,
            "reorthogonalization" => 2.0,
            "recycle_dim" => 4.0,
            "refresh_interval" => 5.0,
            _ => panic!("option {name} has no test value; add one"),
        }
    }

    #[test]
    fn get_reads_back_what_set_stored_for_every_name() {
        let defaults = KrylovOptions::default();
        for &name in OPTION_NAMES {
            let v = non_default(name);
            assert_ne!(defaults.get(name).unwrap(), v, "{name}: pick a test value other than the default");
            let mut o = KrylovOptions::default();
            o.set(name, v).unwrap();
            assert_eq!(o.get(name).unwrap(), v, "{name}");
            // Setting what get returned changes nothing.
            let before = o.clone();
            o.set(name, o.get(name).unwrap()).unwrap();
            assert_eq!(o, before, "{name}");
        }
        // Every encoding of the enumerations comes back.
        for (name, codes) in [("method", 0..=4), ("preconditioner_side", 0..=1), ("reorthogonalization", 0..=2)] {
            for c in codes {
                let mut o = KrylovOptions::default();
                o.set(name, c as f64).unwrap();
                assert_eq!(o.get(name).unwrap(), c as f64, "{name} = {c}");
            }
        }
        assert_eq!(defaults.get("max_seconds").unwrap(), f64::INFINITY);
        assert_eq!(defaults.get("use_initial_guess").unwrap(), 0.0);
    }

    #[test]
    fn get_refuses_an_unknown_name_and_lists_the_known_ones() {
        for bad in ["tolerance", "", "RTOL", "rtol "] {
            match KrylovOptions::default().get(bad) {
                Err(Error::UnknownOption(m)) => {
                    for &name in OPTION_NAMES {
                        assert!(m.contains(name), "{m:?} should list {name}");
                    }
                }
                other => panic!("get({bad:?}) gave {other:?}"),
            }
        }
    }
}

//! What a Krylov solve reports.

/// Why a solve stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum Termination {
    /// No solve has run yet.
    NotStarted,
    /// `||r|| <= rtol * ||b||`.
    ConvergedRelative,
    /// `||r|| <= atol` (and not the relative test).
    ConvergedAbsolute,
    /// The iteration limit was reached; `x` is the last iterate.
    MaxIterations,
    /// The wall-clock limit was reached; `x` is the last iterate.
    TimeLimit,
    /// A GMRES restart cycle made no progress; `x` is the last iterate.
    Stagnation,
    /// The monitor asked to stop; `x` is left untouched.
    MonitorStop,
    /// A user oracle (`"matvec"` or `"preconditioner"`) returned a non-zero code.
    OracleFailed {
        /// Which oracle.
        oracle: &'static str,
        /// What it returned.
        code: i32,
    },
    /// A NaN or infinity appeared; the message says where.
    NonFinite(String),
    /// The method cannot continue (e.g. CG met `p^T A p <= 0`); the message says why.
    Breakdown(String),
}

impl Termination {
    /// Converged to the requested tolerance.
    pub fn converged(&self) -> bool {
        matches!(self, Termination::ConvergedRelative | Termination::ConvergedAbsolute)
    }

    /// The solution was written: converged, or stopped by a limit with the last iterate.
    pub fn usable(&self) -> bool {
        self.converged()
            || matches!(self, Termination::MaxIterations | Termination::TimeLimit | Termination::Stagnation)
    }

    /// One sentence a user can act on.
    pub fn describe(&self) -> String {
        match self {
            Termination::NotStarted => "no solve has run".into(),
            Termination::ConvergedRelative => "converged: residual <= rtol * ||b||".into(),
            Termination::ConvergedAbsolute => "converged: residual <= atol".into(),
            Termination::MaxIterations => {
                "iteration limit reached before the tolerance; raise max_iterations or precondition".into()
            }
            Termination::TimeLimit => "time limit reached before the tolerance; raise max_seconds".into(),
            Termination::Stagnation => {
                "GMRES stagnated (a restart cycle made no progress); raise restart or precondition".into()
            }
            Termination::MonitorStop => "the monitor callback asked to stop the solve".into(),
            Termination::OracleFailed { oracle, code } => {
                format!("the {oracle} callback returned {code}; the solve was stopped")
            }
            Termination::NonFinite(m) | Termination::Breakdown(m) => m.clone(),
        }
    }
}

/// Counts and residuals of a Krylov solve.
///
/// While a solve runs (what the monitor sees), `residual_norm` is the norm the method monitors
/// for convergence; after it, `residual_norm` is the true `||b - A x||` of the returned `x`.
#[derive(Debug, Clone, PartialEq)]
pub struct KrylovReport {
    /// Why the solve stopped.
    pub termination: Termination,
    /// Krylov iterations.
    pub iterations: usize,
    /// Operator applications (including residual recomputations).
    pub matvecs: usize,
    /// Preconditioner applications (0 without a preconditioner).
    pub precond_applies: usize,
    /// `||b||`.
    pub rhs_norm: f64,
    /// The monitored residual norm at the start.
    pub initial_residual_norm: f64,
    /// See the type's docs.
    pub residual_norm: f64,
    /// Wall-clock seconds of the solve.
    pub seconds: f64,
    /// What the recycling methods did with their space (all zero for the others).
    pub recycle: super::RecycleStats,
}

impl Default for KrylovReport {
    fn default() -> Self {
        KrylovReport {
            termination: Termination::NotStarted,
            iterations: 0,
            matvecs: 0,
            precond_applies: 0,
            rhs_norm: 0.0,
            initial_residual_norm: 0.0,
            residual_norm: 0.0,
            seconds: 0.0,
            recycle: super::RecycleStats::default(),
        }
    }
}

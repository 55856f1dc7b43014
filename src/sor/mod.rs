//! SOR and SSOR-preconditioned CG whose relaxation parameter `omega` is learned online across a
//! sequence of related systems (Khodak, Chow, Balcan, Talwalkar 2024, "Learning to Relax").
//!
//! - [`SorMatrix`] (`sweep.rs`): the per-matrix data of the sweeps (inverse diagonal, diagonal
//!   positions, optional multicolour permutation) and the forward / backward / symmetric sweeps.
//! - [`colouring`]: the greedy colouring behind the multicolour ordering.
//! - [`SorSolver`] (`solve.rs`): SOR iterations and SSOR-preconditioned CG for one system.
//! - [`bandit`]: the learners that pick `omega` (Tsallis-INF, ChebCB, binned Tsallis-INF, fixed,
//!   Young's formula) and [`SorBandit`], which chooses, solves and learns.
//!
//! ```
//! use nksolve::sor::{SorOptions, SorSolver};
//! use std::sync::Arc;
//! let a = Arc::new(nksolve::problems::poisson2d(8));
//! let b = vec![1.0; a.nrows()];
//! let mut x = vec![0.0; a.nrows()];
//! let report = SorSolver::default().solve(&a, &b, &mut x, 1.5, &SorOptions::default()).unwrap();
//! assert!(report.termination.converged());
//! ```

pub mod bandit;
pub mod colouring;
mod options;
mod report;
mod solve;
mod sweep;

pub use bandit::{LearnerKind, SorBandit, SorBanditOptions};
pub use options::{SorMethod, SorOptions, SweepDirection, SweepOrdering, SOLVER_OPTION_NAMES};
pub use report::SorReport;
pub use solve::SorSolver;
pub use sweep::SorMatrix;
pub(crate) use solve::check_omega as solve_check_omega;

/// Young's optimal relaxation parameter `omega* = 2 / (1 + sqrt(1 - rho^2))` for a consistently
/// ordered matrix whose Jacobi iteration matrix has spectral radius `rho` in `[0, 1)`. SOR with
/// it converges asymptotically at rate `omega* - 1` per iteration.
pub fn young_omega(rho: f64) -> f64 {
    2.0 / (1.0 + (1.0 - rho * rho).sqrt())
}

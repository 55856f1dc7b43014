//! Nonlinear systems `F(x) = 0` and nonlinear least squares `min ||F(x)||^2 / 2` with
//! matrix-free oracles: Jacobian-free Newton-Krylov (Eisenstat-Walker forcing, backtracking on
//! `||F||`, inner GMRES or GCRO-DR whose recycle space carries from one Newton step and one
//! solve to the next) and Levenberg-Marquardt with the adaptive parameter of Ahookhosh et al.
//! Both share one driver that owns the termination tests, limits and the monitor.
//!
//! ```
//! use nksolve::nonlinear::{NonlinearOptions, NonlinearSolver};
//! use nksolve::problems::nonlinear::Bratu;
//! let mut bratu = Bratu::new(16, 6.0);
//! let mut u = bratu.initial_guess();
//! let mut solver = NonlinearSolver::new(NonlinearOptions::default());
//! let report = solver.solve(&mut bratu, &mut u, None).unwrap();
//! assert!(report.termination.converged() && report.residual_norm <= 1e-8 * report.initial_residual_norm);
//! ```

mod context;
mod jacobian;
mod levenberg_marquardt;
mod method;
mod newton_krylov;
mod options;
mod report;
mod solver;
mod system;

pub use options::{InnerSolver, NonlinearLineSearch, NonlinearMethod, NonlinearOptions, OPTION_NAMES};
pub use report::{NonlinearReport, NonlinearStep, NonlinearTermination};
pub use solver::{NonlinearMonitor, NonlinearSolver};
pub use system::NonlinearSystem;

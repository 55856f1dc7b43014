//! Unconstrained minimisation of a smooth `f: R^n -> R` by Newton-type methods with
//! matrix-free oracles (value, gradient, Hessian-vector product, optional preconditioner):
//! trust-region and line-search Newton-CG, lazy-Hessian Newton, damped Newton (AICN) and
//! gradient-regularised Newton. All share one truncated CG, one line search
//! and one driver that owns the termination tests, limits and the monitor.
//!
//! ```
//! use nksolve::newton::{NewtonMethod, NewtonOptions, NewtonSolver};
//! use nksolve::problems::minimization::extended_rosenbrock;
//! let mut f = extended_rosenbrock(100);
//! let mut x = f.x0.clone();
//! let mut options = NewtonOptions::default();
//! options.method = NewtonMethod::TrustRegion;
//! let report = NewtonSolver::new(options).minimize(&mut f, &mut x, None).unwrap().clone();
//! assert!(report.termination.converged() && report.value < 1e-15);
//! ```

mod context;
mod damped;
mod gradient_regularized;
mod lazy;
mod line_search;
mod line_search_cg;
mod method;
mod objective;
mod options;
mod report;
mod solver;
mod truncated_cg;
mod trust_region;

pub(crate) use truncated_cg::ForcingTerm;
pub use objective::Objective;
pub use options::{Forcing, LazyRegularization, LineSearchKind, NewtonMethod, NewtonOptions, OPTION_NAMES};
pub use report::{NewtonReport, NewtonTermination};
pub use solver::{NewtonMonitor, NewtonSolver};

//! Equality-constrained optimisation `min f(x) s.t. c(x) = 0` by the adaptive inexact Newton
//! method of Hong, Na, Mahoney and Kolar ("AdaSketch-Newton"): Newton-KKT systems solved
//! inexactly by randomized iterative sketching (Gaussian sketch-and-project, or randomized
//! Kaczmarz on sparse rows) or by MINRES, with an adaptive accuracy condition, and an Armijo
//! line search on the exact augmented Lagrangian merit function whose penalty parameters are
//! raised until the inexact direction is a descent direction.
//!
//! ```
//! use nksolve::constrained::{ConstrainedOptions, ConstrainedSolver};
//! use nksolve::problems::constrained::hock_schittkowski_set;
//! let mut hs28 = hock_schittkowski_set().into_iter().find(|p| p.name == "hs28").unwrap();
//! let mut x = hs28.x0.clone();
//! let mut lambda = vec![0.0; hs28.m];
//! let mut solver = ConstrainedSolver::new(ConstrainedOptions::default());
//! let report = solver.solve(&mut hs28, &mut x, &mut lambda, None).unwrap();
//! assert!(report.termination.converged() && report.objective.abs() < 1e-10);
//! ```

mod context;
mod gaussian_sketch;
mod kaczmarz;
mod kkt;
mod newton_step;
mod options;
mod problem;
mod report;
mod solver;

pub use options::{ConstrainedOptions, KktSolver, MultiplierStart, OPTION_NAMES};
pub use problem::{ConstrainedObjective, SparsePattern};
pub use report::{ConstrainedReport, ConstrainedTermination, KktRecord};
pub use solver::{ConstrainedMonitor, ConstrainedSolver};

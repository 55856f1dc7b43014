//! Entropic optimal transport: log-domain Sinkhorn and Sinkhorn-Newton-Sparse.
//!
//! Solves `min <C, P> + eps KL(P | a b^T)` over plans `P >= 0` with `P 1 = a`, `P^T 1 = b`, whose
//! solution is `P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps)` for dual potentials `f`, `g`.
//! (The plan is the same as with the entropy `sum P (log P - 1)` as regulariser; only the
//! potentials differ, by `eps log a` and `eps log b`. Folding the weights into the plan keeps
//! the potentials of zero-weight points finite.)
//!
//! * [`Cost`]: a dense cost, or two point clouds with `|x - y|^p` (p = 1, 2) computed on the
//!   fly, so that memory stays O((n + m) d).
//! * [`OtProblem`]: the cost with validated histograms (finite, non-negative, equal mass).
//! * [`SinkhornSolver`]: log-domain Sinkhorn (optionally with epsilon scaling and a warm
//!   start) or Sinkhorn-Newton-Sparse, returning the potentials and a [`SinkhornReport`]; the
//!   plan is read afterwards, dense or as its entries above a threshold.
//!
//! Sinkhorn iterates by products with a stored, stabilised kernel when it fits the memory
//! allowed (option `kernel_memory_mb`), else by one vectorised exponential per entry computed
//! on the fly. Every pass runs in parallel over rows or columns in fixed blocks, so results
//! are bit-identical for any number of threads.

mod cost;
mod kernel;
mod lse;
mod options;
mod plan;
mod problem;
mod report;
mod sinkhorn;
mod sns;
mod solver;

pub use cost::{Cost, CostExponent};
pub use options::{OtMethod, SinkhornOptions, OPTION_NAMES};
pub use problem::{OtProblem, MASS_TOLERANCE};
pub use report::{OtTermination, SinkhornReport};
pub use solver::SinkhornSolver;

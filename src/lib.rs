//! # nksolve
//!
//! Solvers that simulation codes cannot easily write themselves, with a stable C ABI:
//! Krylov methods (this release: CG, GMRES(m), FGMRES(m) with Jacobi / ILU(0) / user
//! preconditioning), with Newton, Krylov recycling, SOR-bandit and Sinkhorn families to follow.
//!
//! The crate is a pure-Rust core ([`linalg`], [`precond`], [`krylov`], [`problems`]) and a thin
//! C layer (`capi`, exported as `nks_*` symbols, header `include/nksolve.h`). The C layer only
//! converts, validates and catches panics; the core never knows about C.

#![warn(missing_docs)]

pub mod error;
pub mod krylov;
pub mod linalg;
pub mod persist;
pub mod precond;
pub mod problems;

pub mod capi;

pub use error::{Error, OracleFailure};

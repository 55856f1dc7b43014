//! # nksolve
//!
//! Solvers that simulation codes cannot easily write themselves, with a stable C ABI:
//! Krylov methods (CG, GMRES(m), FGMRES(m) with Jacobi / SSOR / ILU(0) / user
//! preconditioning, Krylov recycling), SOR and SSOR-PCG with a bandit-learned relaxation
//! parameter ([`sor`]), entropic optimal transport by log-domain Sinkhorn and
//! Sinkhorn-Newton-Sparse ([`ot`]), and unconstrained minimisation by Newton-type methods
//! with matrix-free oracles ([`newton`]).
//!
//! The crate is a pure-Rust core ([`linalg`], [`precond`], [`krylov`], [`sor`], [`ot`], [`newton`], [`problems`]) and a thin
//! C layer (`capi`, exported as `nks_*` symbols, header `include/nksolve.h`). The C layer only
//! converts, validates and catches panics; the core never knows about C.

#![warn(missing_docs)]

pub mod constrained;
pub mod error;
pub mod krylov;
pub mod linalg;
pub mod newton;
pub mod nonlinear;
pub mod ot;
pub mod persist;
pub mod precond;
pub mod problems;
pub mod sor;

pub mod capi;

pub use error::{Error, OracleFailure};

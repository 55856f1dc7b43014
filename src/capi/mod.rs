//! The C ABI: `nks_*` functions over opaque handles (see `../shared/CAPI.md` conventions, also
//! summarised in the README's "API conventions").
//!
//! This layer only converts, validates and catches panics; every algorithm lives in the core.
//! Plumbing every export needs is in [`ffi`] (the panic boundary, pointer and slice checks,
//! handle boxing) and [`status`] (codes and the thread-local error message).

#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)]

pub mod bytes;
pub mod constrained;
pub mod csr;
pub mod ffi;
pub mod krylov;
pub mod library;
pub mod newton;
pub mod nonlinear;
pub mod recycle;
pub mod sinkhorn;
pub mod sor;
pub mod status;

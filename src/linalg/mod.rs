//! Linear-algebra core: the CSR matrix, dense views, the operator abstraction, the parallel
//! kernels and the single reduction point.

pub mod csr;
pub mod dense;
pub mod kernels;
pub mod operator;
pub mod par;
pub mod random;
pub mod space;

pub use csr::CsrMatrix;
pub use dense::{DenseMut, DenseRef};
pub use operator::{FnOperator, LinearOperator};
pub use par::{num_threads, set_num_threads, Par};
pub use space::{LocalReducer, Reducer, VectorSpace};

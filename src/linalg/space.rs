//! The single reduction point of every iterative solver.

use super::kernels;
use super::par::Par;

/// Combines local partial sums into global ones.
///
/// A shared-memory run uses [`LocalReducer`] (nothing to combine). A distributed host (each
/// process owning some rows) supplies its own `allreduce` here and every inner product and norm
/// of every solver becomes global, without any change to the algorithms.
pub trait Reducer: Send + Sync {
    /// Replaces each entry of `values` by its sum over all participants.
    fn allreduce_sum(&self, values: &mut [f64]);
}

/// The reducer of a single-process run: local sums are already global.
#[derive(Debug, Default, Clone, Copy)]
pub struct LocalReducer;

impl Reducer for LocalReducer {
    fn allreduce_sum(&self, _values: &mut [f64]) {}
}

/// The vector space an iterative solver works in: where kernels run and how their local sums
/// become inner products. Solvers take inner products and norms only through this type.
pub struct VectorSpace<'a> {
    par: Par,
    reducer: &'a dyn Reducer,
}

impl<'a> VectorSpace<'a> {
    /// A space running kernels on `par` and reducing with `reducer`.
    pub fn new(par: Par, reducer: &'a dyn Reducer) -> Self {
        VectorSpace { par, reducer }
    }

    /// Where the kernels run.
    pub fn par(&self) -> &Par {
        &self.par
    }

    /// Turns local partial sums into global sums (the one reduction point).
    pub fn reduce<const K: usize>(&self, mut local: [f64; K]) -> [f64; K] {
        self.reducer.allreduce_sum(&mut local);
        local
    }

    /// Turns a slice of local partial sums into global sums, in place.
    pub fn reduce_slice(&self, local: &mut [f64]) {
        self.reducer.allreduce_sum(local);
    }

    /// Global `x . y`.
    pub fn dot(&self, x: &[f64], y: &[f64]) -> f64 {
        self.reduce([kernels::dot(&self.par, x, y)])[0]
    }

    /// Global `||x||_2`.
    pub fn norm(&self, x: &[f64]) -> f64 {
        self.dot(x, x).sqrt()
    }
}

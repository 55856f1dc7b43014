//! The oracles of an equality-constrained problem `min f(x) s.t. c(x) = 0`, as the host
//! provides them.

use crate::error::{Error, OracleFailure};

/// The sparsity pattern of a matrix given row by row (compressed sparse rows, 0-based, sorted
/// or not, no duplicates): row `i` holds the columns `col_idx[row_ptr[i]..row_ptr[i + 1]]`.
/// The values come from an oracle in the same order, so the pattern is fixed for a solve.
#[derive(Debug, Clone, PartialEq)]
pub struct SparsePattern {
    /// Rows.
    pub nrows: usize,
    /// Columns.
    pub ncols: usize,
    /// Row starts, length `nrows + 1`, `row_ptr[0] = 0`, non-decreasing.
    pub row_ptr: Vec<usize>,
    /// Column of each stored entry, each `< ncols`.
    pub col_idx: Vec<usize>,
}

impl SparsePattern {
    /// Checks the layout; `what` names the matrix in the error.
    pub fn new(nrows: usize, ncols: usize, row_ptr: Vec<usize>, col_idx: Vec<usize>, what: &str) -> Result<Self, Error> {
        if row_ptr.len() != nrows + 1 {
            return Err(Error::dims(format!("{what}: row_ptr has length {}, must be nrows + 1 = {}", row_ptr.len(), nrows + 1)));
        }
        if row_ptr[0] != 0 || row_ptr.windows(2).any(|w| w[0] > w[1]) || row_ptr[nrows] != col_idx.len() {
            return Err(Error::invalid(format!(
                "{what}: row_ptr must start at 0, never decrease and end at the number of entries {}",
                col_idx.len()
            )));
        }
        if let Some(k) = col_idx.iter().position(|&j| j >= ncols) {
            return Err(Error::invalid(format!("{what}: col_idx[{k}] = {} is outside 0..{ncols}", col_idx[k])));
        }
        for i in 0..nrows {
            let mut row: Vec<usize> = col_idx[row_ptr[i]..row_ptr[i + 1]].to_vec();
            row.sort_unstable();
            if row.windows(2).any(|w| w[0] == w[1]) {
                return Err(Error::invalid(format!("{what}: row {i} lists a column twice; each entry must appear once")));
            }
        }
        Ok(SparsePattern { nrows, ncols, row_ptr, col_idx })
    }

    /// Stored entries.
    pub fn nnz(&self) -> usize {
        self.col_idx.len()
    }

    /// The entries of row `i`: positions into the value array, with their columns.
    pub fn row(&self, i: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        (self.row_ptr[i]..self.row_ptr[i + 1]).map(move |p| (p, self.col_idx[p]))
    }
}

/// An equality-constrained problem `min f(x) s.t. c(x) = 0`, `x` in `R^n`, `c: R^n -> R^m`,
/// given by oracles. The Lagrangian is `L(x, l) = f(x) + l^T c(x)`.
///
/// Required: `f`, `grad f`, `c`, the Jacobian products `J v` and `J^T w`, and the Hessian of
/// the Lagrangian times a vector. Optional: the Jacobian and the Hessian of the Lagrangian as
/// sparse rows (this enables the randomized Kaczmarz sketch), and a preconditioner for the
/// Krylov inner solver.
///
/// Every oracle returns `Err(OracleFailure { code })` when it cannot evaluate: `code > 0` means
/// "this point cannot be evaluated" (a trial point is then rejected and the step shortened),
/// `code < 0` means "abort the solve". NaN or infinite outputs at a trial point are handled
/// like `code > 0`.
pub trait ConstrainedObjective {
    /// `m`, the number of equality constraints (`0 < m`, and `m <= n` for a well-posed problem).
    fn constraint_count(&self) -> usize;

    /// `f(x)`.
    fn objective(&mut self, x: &[f64]) -> Result<f64, OracleFailure>;

    /// `g = grad f(x)`.
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure>;

    /// `c = c(x)` (length `m`).
    fn constraints(&mut self, x: &[f64], c: &mut [f64]) -> Result<(), OracleFailure>;

    /// `jv = J(x) v` (`v` of length `n`, `jv` of length `m`).
    fn jacobian_vector(&mut self, x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure>;

    /// `jtw = J(x)^T w` (`w` of length `m`, `jtw` of length `n`).
    fn jacobian_transpose_vector(&mut self, x: &[f64], w: &[f64], jtw: &mut [f64]) -> Result<(), OracleFailure>;

    /// `hv = (grad^2 f(x) + sum_i lambda_i grad^2 c_i(x)) v`.
    fn lagrangian_hessian_vector(&mut self, x: &[f64], lambda: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure>;

    /// The pattern of the `m x n` Jacobian, when its rows are available.
    fn jacobian_pattern(&self) -> Option<&SparsePattern> {
        None
    }

    /// The Jacobian's values at `x`, in the order of [`ConstrainedObjective::jacobian_pattern`].
    fn jacobian_values(&mut self, _x: &[f64], _values: &mut [f64]) -> Result<(), OracleFailure> {
        Err(OracleFailure { code: -1 })
    }

    /// The pattern of the `n x n` Hessian of the Lagrangian with BOTH triangles stored, when
    /// its rows are available.
    fn hessian_pattern(&self) -> Option<&SparsePattern> {
        None
    }

    /// The Hessian of the Lagrangian's values at `(x, lambda)`, in the order of
    /// [`ConstrainedObjective::hessian_pattern`].
    fn hessian_values(&mut self, _x: &[f64], _lambda: &[f64], _values: &mut [f64]) -> Result<(), OracleFailure> {
        Err(OracleFailure { code: -1 })
    }

    /// Whether [`ConstrainedObjective::precondition`] is provided.
    fn has_preconditioner(&self) -> bool {
        false
    }

    /// `z = M^{-1} r` for a symmetric positive definite `M` (size `n + m`) approximating the
    /// magnitude of the KKT matrix `[H J^T; J 0]` at `(x, lambda)`, for example the block
    /// diagonal `diag(H~, J H~^{-1} J^T)`. Used by the MINRES inner solver only.
    fn precondition(&mut self, _x: &[f64], _lambda: &[f64], r: &[f64], z: &mut [f64]) -> Result<(), OracleFailure> {
        z.copy_from_slice(r);
        Ok(())
    }
}

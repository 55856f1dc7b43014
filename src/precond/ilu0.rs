//! Incomplete LU factorization with zero fill-in.

use super::Preconditioner;
use crate::error::{Error, OracleFailure};
use crate::linalg::{CsrMatrix, Par};

/// `M = L U` with the sparsity pattern of `A` (unit lower `L`, upper `U`, stored together).
///
/// The factorization and the triangular solves are sequential: they are inherently recursive,
/// and on the grids this library targets a level-scheduled version gains little.
#[derive(Debug, Clone)]
pub struct Ilu0 {
    row_ptr: Vec<usize>,
    col_idx: Vec<usize>,
    values: Vec<f64>,
    /// Position of the diagonal entry of each row.
    diag: Vec<usize>,
}

impl Ilu0 {
    /// Factors `A`; fails naming the row whose diagonal is missing or whose pivot vanishes.
    pub fn new(a: &CsrMatrix) -> Result<Self, Error> {
        let n = a.nrows();
        if n != a.ncols() {
            return Err(Error::dims(format!("ILU(0) needs a square matrix, got {n} x {}", a.ncols())));
        }
        let (rp, ci) = (a.row_ptr().to_vec(), a.col_idx().to_vec());
        let mut v = a.values().to_vec();
        let mut diag = Vec::with_capacity(n);
        for i in 0..n {
            match a.find(i, i) {
                Some(p) => diag.push(p),
                None => {
                    return Err(Error::invalid(format!(
                        "ILU(0) needs every diagonal entry stored, but row {i} (0-based) has none"
                    )))
                }
            }
        }
        // IKJ variant: row i is eliminated with the already-factored rows k < i of its pattern.
        let mut pos = vec![usize::MAX; n];
        for i in 0..n {
            for p in rp[i]..rp[i + 1] {
                pos[ci[p]] = p;
            }
            for p in rp[i]..diag[i] {
                let k = ci[p];
                let pivot = v[diag[k]];
                let lik = v[p] / pivot;
                v[p] = lik;
                for q in diag[k] + 1..rp[k + 1] {
                    let t = pos[ci[q]];
                    if t != usize::MAX {
                        v[t] -= lik * v[q];
                    }
                }
            }
            let piv = v[diag[i]];
            if piv == 0.0 || !piv.is_finite() {
                return Err(Error::invalid(format!(
                    "ILU(0) broke down: pivot {piv} in row {i} (0-based); the matrix needs a \
                     different preconditioner (e.g. Jacobi)"
                )));
            }
            for p in rp[i]..rp[i + 1] {
                pos[ci[p]] = usize::MAX;
            }
        }
        Ok(Ilu0 { row_ptr: rp, col_idx: ci, values: v, diag })
    }
}

impl Preconditioner for Ilu0 {
    fn apply(&mut self, _par: &Par, r: &[f64], z: &mut [f64]) -> Result<(), OracleFailure> {
        let n = r.len();
        assert!(z.len() == n && self.diag.len() == n, "ILU(0) apply: dimension mismatch");
        let (rp, ci, v) = (&self.row_ptr, &self.col_idx, &self.values);
        // A row of L (or U) against the part of z already computed. The solves are bound by
        // the recurrence z[i] <- z[i-1], not by indexing.
        let row_dot = |range: std::ops::Range<usize>, z: &[f64]| -> f64 {
            v[range.clone()].iter().zip(&ci[range]).map(|(a, &c)| a * z[c]).sum::<f64>()
        };
        for i in 0..n {
            z[i] = r[i] - row_dot(rp[i]..self.diag[i], z);
        }
        for i in (0..n).rev() {
            let d = self.diag[i];
            z[i] = (z[i] - row_dot(d + 1..rp[i + 1], z)) / v[d];
        }
        Ok(())
    }

    fn is_library_owned(&self) -> bool {
        true
    }
}

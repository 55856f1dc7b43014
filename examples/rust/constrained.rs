//! Equality-constrained optimisation with callback oracles, from Rust. The C, C++, Fortran,
//! Julia and Python examples print the same lines.
//!
//! 1. Hock-Schittkowski problem 6: `min (1 - x1)^2 s.t. 10 (x2 - x1^2) = 0` from `(-1.2, 1)`
//!    (solution `(1, 1)`, `f* = 0`), solved three ways: the default randomized Gaussian sketch
//!    (seed 0), randomized Kaczmarz on the sparse rows of the Jacobian and Hessian, and MINRES.
//! 2. A 1D optimal-control problem: `min 1/2 ||y - y*||^2 + alpha/2 ||u||^2` subject to the
//!    discrete Poisson equation `T y - h^2 u = 0` (`T = tridiag(-1, 2, -1)`, `N = 50` interior
//!    points of (0, 1), `h = 1/51`, `y*_i = sin(pi t_i)`, `alpha = 1e-6`) by MINRES with a
//!    host preconditioner: `diag(I, alpha I, S)` with `S` the diagonal of the Schur complement
//!    `T T + h^4 / alpha I`.
//!
//! (Oracles are computed in the same order in every language, so the counts agree exactly.)
//!
//! Run: `cargo run --release --example constrained`

use nksolve::constrained::{ConstrainedObjective, ConstrainedOptions, ConstrainedSolver, KktSolver, SparsePattern};
use nksolve::OracleFailure;
use std::fmt::Write;

/// HS6 with its (dense) sparse rows: `J` is 1 x 2, the Hessian of the Lagrangian 2 x 2.
struct Hs6 {
    jacobian: SparsePattern,
    hessian: SparsePattern,
}

impl Hs6 {
    fn new() -> Self {
        Hs6 {
            jacobian: SparsePattern::new(1, 2, vec![0, 2], vec![0, 1], "jacobian").unwrap(),
            hessian: SparsePattern::new(2, 2, vec![0, 2, 4], vec![0, 1, 0, 1], "hessian").unwrap(),
        }
    }
}

impl ConstrainedObjective for Hs6 {
    fn constraint_count(&self) -> usize {
        1
    }
    fn objective(&mut self, x: &[f64]) -> Result<f64, OracleFailure> {
        Ok((1.0 - x[0]) * (1.0 - x[0]))
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure> {
        g[0] = -2.0 * (1.0 - x[0]);
        g[1] = 0.0;
        Ok(())
    }
    fn constraints(&mut self, x: &[f64], c: &mut [f64]) -> Result<(), OracleFailure> {
        c[0] = 10.0 * (x[1] - x[0] * x[0]);
        Ok(())
    }
    fn jacobian_vector(&mut self, x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        jv[0] = -20.0 * x[0] * v[0] + 10.0 * v[1];
        Ok(())
    }
    fn jacobian_transpose_vector(&mut self, x: &[f64], w: &[f64], jtw: &mut [f64]) -> Result<(), OracleFailure> {
        jtw[0] = -20.0 * x[0] * w[0];
        jtw[1] = 10.0 * w[0];
        Ok(())
    }
    fn lagrangian_hessian_vector(&mut self, _x: &[f64], lambda: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure> {
        hv[0] = (2.0 - 20.0 * lambda[0]) * v[0];
        hv[1] = 0.0;
        Ok(())
    }
    fn jacobian_pattern(&self) -> Option<&SparsePattern> {
        Some(&self.jacobian)
    }
    fn jacobian_values(&mut self, x: &[f64], values: &mut [f64]) -> Result<(), OracleFailure> {
        values[0] = -20.0 * x[0];
        values[1] = 10.0;
        Ok(())
    }
    fn hessian_pattern(&self) -> Option<&SparsePattern> {
        Some(&self.hessian)
    }
    fn hessian_values(&mut self, _x: &[f64], lambda: &[f64], values: &mut [f64]) -> Result<(), OracleFailure> {
        values[0] = 2.0 - 20.0 * lambda[0];
        values[1] = 0.0;
        values[2] = 0.0;
        values[3] = 0.0;
        Ok(())
    }
}

const N: usize = 50;
const ALPHA: f64 = 1e-6;

/// The 1D control problem: `x = [y; u]`, constraints `T y - h^2 u = 0`.
struct Control1d {
    target: Vec<f64>,
}

fn h() -> f64 {
    1.0 / (N + 1) as f64
}

/// `out = T v` for `T = tridiag(-1, 2, -1)`.
fn tridiag(v: &[f64], out: &mut [f64]) {
    for i in 0..N {
        let left = if i > 0 { v[i - 1] } else { 0.0 };
        let right = if i + 1 < N { v[i + 1] } else { 0.0 };
        out[i] = 2.0 * v[i] - left - right;
    }
}

impl ConstrainedObjective for Control1d {
    fn constraint_count(&self) -> usize {
        N
    }
    fn objective(&mut self, x: &[f64]) -> Result<f64, OracleFailure> {
        let mut f = 0.0;
        for i in 0..N {
            f += 0.5 * (x[i] - self.target[i]) * (x[i] - self.target[i]) + 0.5 * ALPHA * x[N + i] * x[N + i];
        }
        Ok(f)
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure> {
        for i in 0..N {
            g[i] = x[i] - self.target[i];
            g[N + i] = ALPHA * x[N + i];
        }
        Ok(())
    }
    fn constraints(&mut self, x: &[f64], c: &mut [f64]) -> Result<(), OracleFailure> {
        self.jacobian_vector(x, &x.to_vec(), c)
    }
    fn jacobian_vector(&mut self, _x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        tridiag(&v[..N], jv);
        for i in 0..N {
            jv[i] -= h() * h() * v[N + i];
        }
        Ok(())
    }
    fn jacobian_transpose_vector(&mut self, _x: &[f64], w: &[f64], jtw: &mut [f64]) -> Result<(), OracleFailure> {
        tridiag(w, &mut jtw[..N]);
        for i in 0..N {
            jtw[N + i] = -h() * h() * w[i];
        }
        Ok(())
    }
    fn lagrangian_hessian_vector(&mut self, _x: &[f64], _lambda: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure> {
        for i in 0..N {
            hv[i] = v[i];
            hv[N + i] = ALPHA * v[N + i];
        }
        Ok(())
    }
    fn has_preconditioner(&self) -> bool {
        true
    }
    fn precondition(&mut self, _x: &[f64], _lambda: &[f64], r: &[f64], z: &mut [f64]) -> Result<(), OracleFailure> {
        let h4 = h() * h() * h() * h();
        for i in 0..N {
            z[i] = r[i];
            z[N + i] = r[N + i] / ALPHA;
            let ends = if i == 0 || i + 1 == N { 5.0 } else { 6.0 };
            z[2 * N + i] = r[2 * N + i] / (ends + h4 / ALPHA);
        }
        Ok(())
    }
}

fn hs6_line(out: &mut String, name: &str, solver_kind: KktSolver) {
    let mut options = ConstrainedOptions::default();
    options.kkt_solver = solver_kind;
    let mut solver = ConstrainedSolver::new(options);
    let (mut x, mut lambda) = (vec![-1.2, 1.0], vec![0.0]);
    let r = solver.solve(&mut Hs6::new(), &mut x, &mut lambda, None).expect("valid input");
    writeln!(
        out,
        "{name} status={} iterations={} inner={} merit={} penalty_updates={} f={:.6e} x1={:.8} x2={:.8}",
        if r.termination.converged() { 0 } else { 1 },
        r.iterations,
        r.inner_iterations,
        r.merit_evaluations,
        r.penalty_updates,
        r.objective,
        x[0],
        x[1]
    )
    .unwrap();
}

/// Runs the example and returns what it prints.
pub fn run() -> String {
    let mut out = String::new();
    hs6_line(&mut out, "hs6_sketch", KktSolver::GaussianSketch);
    hs6_line(&mut out, "hs6_kaczmarz", KktSolver::Kaczmarz);
    hs6_line(&mut out, "hs6_minres", KktSolver::Minres);

    let target: Vec<f64> = (1..=N).map(|i| (std::f64::consts::PI * i as f64 * h()).sin()).collect();
    let mut options = ConstrainedOptions::default();
    options.kkt_solver = KktSolver::Minres;
    let mut solver = ConstrainedSolver::new(options);
    let (mut x, mut lambda) = (vec![0.0; 2 * N], vec![0.0; N]);
    let r = solver.solve(&mut Control1d { target: target.clone() }, &mut x, &mut lambda, None).expect("valid input");
    let misfit = (0..N).map(|i| (x[i] - target[i]).abs()).fold(0.0, f64::max);
    writeln!(
        out,
        "control1d status={} iterations={} inner={} preconditioner_calls={} f={:.6e} max_misfit={:.6e}",
        if r.termination.converged() { 0 } else { 1 },
        r.iterations,
        r.inner_iterations,
        r.preconditioner_calls,
        r.objective,
        misfit
    )
    .unwrap();
    out
}

#[allow(dead_code)]
fn main() {
    print!("{}", run());
}

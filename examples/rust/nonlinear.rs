//! Nonlinear systems with callback oracles, from Rust. The C, C++, Fortran, Julia and Python
//! examples print the same lines.
//!
//! 1. Implicit time stepping of the 2D Bratu equation `u_t = Laplace(u) + lambda e^u` on the
//!    unit square (zero boundary, 32 x 32 interior grid, `h = 1/33`, `lambda = 6`), 8 implicit
//!    Euler steps of `dt = 0.1` from `u = 0`. Each step solves, scaled by `h^2`,
//!    `F(u)_p = (h^2/dt)(u_p - u_old_p) + 4 u_p - u_W - u_E - u_S - u_N - h^2 lambda e^{u_p} = 0`
//!    by Jacobian-free Newton-Krylov (only the residual is given; `J v` is a finite
//!    difference). With GCRO-DR the recycle space carries from one Newton step and one time
//!    step to the next; the second line runs plain GMRES for comparison.
//! 2. The steady Bratu problem on the same grid with the exact `J v` callback.
//! 3. Levenberg-Marquardt fitting `y = a e^{-b t} + c` to 20 points `t_i = i/4` made with
//!    `(a, b, c) = (2.5, 1.3, 0.5)`, from `(1, 1, 0)`, with `J v` and `J^T w` callbacks.
//!
//! (Residuals are computed in the same order in every language, so the iteration counts
//! agree exactly.)
//!
//! Run: `cargo run --release --example nonlinear`

use nksolve::nonlinear::{InnerSolver, NonlinearOptions, NonlinearSolver, NonlinearSystem};
use nksolve::OracleFailure;
use std::fmt::Write;

const SIDE: usize = 32;
const LAMBDA: f64 = 6.0;
const DT: f64 = 0.1;
const STEPS: usize = 8;

/// One implicit Euler step of Bratu (`mass = h^2 / dt`; 0 for the steady problem).
struct BratuStep {
    mass: f64,
    previous: Vec<f64>,
}

impl NonlinearSystem for BratuStep {
    fn residual(&mut self, u: &[f64], f: &mut [f64]) -> Result<(), OracleFailure> {
        let h = 1.0 / (SIDE + 1) as f64;
        let source = h * h * LAMBDA;
        for j in 0..SIDE {
            for i in 0..SIDE {
                let p = i + SIDE * j;
                let west = if i > 0 { u[p - 1] } else { 0.0 };
                let east = if i + 1 < SIDE { u[p + 1] } else { 0.0 };
                let south = if j > 0 { u[p - SIDE] } else { 0.0 };
                let north = if j + 1 < SIDE { u[p + SIDE] } else { 0.0 };
                f[p] = self.mass * (u[p] - self.previous[p]) + 4.0 * u[p] - west - east - south - north - source * u[p].exp();
            }
        }
        Ok(())
    }

    fn has_jacobian_vector(&self) -> bool {
        self.mass == 0.0
    }

    fn jacobian_vector(&mut self, u: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        let h = 1.0 / (SIDE + 1) as f64;
        let source = h * h * LAMBDA;
        for j in 0..SIDE {
            for i in 0..SIDE {
                let p = i + SIDE * j;
                let west = if i > 0 { v[p - 1] } else { 0.0 };
                let east = if i + 1 < SIDE { v[p + 1] } else { 0.0 };
                let south = if j > 0 { v[p - SIDE] } else { 0.0 };
                let north = if j + 1 < SIDE { v[p + SIDE] } else { 0.0 };
                jv[p] = self.mass * v[p] + 4.0 * v[p] - west - east - south - north - source * u[p].exp() * v[p];
            }
        }
        Ok(())
    }
}

/// `r_i = a e^{-b t_i} + c - y_i`.
struct ExponentialFit {
    t: Vec<f64>,
    y: Vec<f64>,
}

impl ExponentialFit {
    fn new() -> Self {
        let t: Vec<f64> = (0..20).map(|i| i as f64 / 4.0).collect();
        let y = t.iter().map(|&t| 2.5 * (-1.3 * t).exp() + 0.5).collect();
        ExponentialFit { t, y }
    }
}

impl NonlinearSystem for ExponentialFit {
    fn residual_len(&self, _n: usize) -> usize {
        self.t.len()
    }
    fn residual(&mut self, x: &[f64], r: &mut [f64]) -> Result<(), OracleFailure> {
        for i in 0..self.t.len() {
            r[i] = x[0] * (-x[1] * self.t[i]).exp() + x[2] - self.y[i];
        }
        Ok(())
    }
    fn has_jacobian_vector(&self) -> bool {
        true
    }
    fn jacobian_vector(&mut self, x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        for i in 0..self.t.len() {
            let e = (-x[1] * self.t[i]).exp();
            jv[i] = e * v[0] - x[0] * self.t[i] * e * v[1] + v[2];
        }
        Ok(())
    }
    fn has_jacobian_transpose_vector(&self) -> bool {
        true
    }
    fn jacobian_transpose_vector(&mut self, x: &[f64], w: &[f64], jtw: &mut [f64]) -> Result<(), OracleFailure> {
        jtw.iter_mut().for_each(|v| *v = 0.0);
        for i in 0..self.t.len() {
            let e = (-x[1] * self.t[i]).exp();
            jtw[0] += e * w[i];
            jtw[1] -= x[0] * self.t[i] * e * w[i];
            jtw[2] += w[i];
        }
        Ok(())
    }
}

fn max_of(u: &[f64]) -> f64 {
    u.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

fn time_stepping(out: &mut String, name: &str, inner: InnerSolver) {
    let h = 1.0 / (SIDE + 1) as f64;
    let mut options = NonlinearOptions::default();
    options.inner_solver = inner;
    let mut solver = NonlinearSolver::new(options);
    let mut u = vec![0.0; SIDE * SIDE];
    let mut step = BratuStep { mass: h * h / DT, previous: u.clone() };
    let (mut newton, mut krylov, mut residuals, mut converged) = (0, 0, 0, 0);
    for _ in 0..STEPS {
        step.previous.copy_from_slice(&u);
        let r = solver.solve(&mut step, &mut u, None).expect("valid input");
        newton += r.iterations;
        krylov += r.inner_iterations;
        residuals += r.residual_evaluations;
        converged += r.termination.converged() as usize;
    }
    writeln!(
        out,
        "{name} steps={STEPS} converged_steps={converged} newton={newton} krylov={krylov} residuals={residuals} recycled={} umax={:.10e}",
        solver.recycled_vectors(),
        max_of(&u)
    )
    .unwrap();
}

/// Runs the example and returns what it prints.
pub fn run() -> String {
    let mut out = String::new();
    time_stepping(&mut out, "bratu_time_gcrodr", InnerSolver::GcroDr);
    time_stepping(&mut out, "bratu_time_gmres", InnerSolver::Gmres);

    let mut steady = BratuStep { mass: 0.0, previous: vec![0.0; SIDE * SIDE] };
    let mut u = vec![0.0; SIDE * SIDE];
    let mut solver = NonlinearSolver::new(NonlinearOptions::default());
    let r = solver.solve(&mut steady, &mut u, None).expect("valid input").clone();
    writeln!(
        out,
        "bratu_steady status={} newton={} krylov={} residuals={} jacobian_vectors={} umax={:.10e}",
        if r.termination.converged() { 0 } else { 1 },
        r.iterations,
        r.inner_iterations,
        r.residual_evaluations,
        r.jacobian_vector_calls,
        max_of(&u)
    )
    .unwrap();

    let mut options = NonlinearOptions::default();
    options.set("method", 1.0).unwrap();
    let mut solver = NonlinearSolver::new(options);
    let mut x = vec![1.0, 1.0, 0.0];
    let r = solver.solve(&mut ExponentialFit::new(), &mut x, None).expect("valid input").clone();
    let error = (x[0] - 2.5).abs().max((x[1] - 1.3).abs()).max((x[2] - 0.5).abs());
    writeln!(
        out,
        "lm_fit status={} iterations={} residuals={} jacobian_vectors={} jacobian_transposes={} params_within_1e-6={}",
        if r.termination.converged() { 0 } else { 1 },
        r.iterations,
        r.residual_evaluations,
        r.jacobian_vector_calls,
        r.jacobian_transpose_calls,
        (error <= 1e-6) as u8
    )
    .unwrap();
    out
}

#[allow(dead_code)]
fn main() {
    print!("{}", run());
}

//! Unconstrained minimisation with callback oracles, from Rust. The C, C++, Fortran, Julia and
//! Python examples print the same lines.
//!
//! Problem: the extended Rosenbrock function (Moré, Garbow, Hillstrom 1981, problem 21) with
//! n = 100000, `f(x) = sum_k 100 (x_{2k+1} - x_{2k}^2)^2 + (1 - x_{2k})^2`, from the standard
//! start `(-1.2, 1, -1.2, 1, ...)`; the minimum is `f = 0` at `x = 1`. The oracles below are
//! what a host writes: the value, the gradient and the Hessian-vector product, each O(n).
//! (`f` is summed in index order, so every language computes the same bits and the
//! iteration counts agree exactly.)
//!
//! Output, one line per method (trust-region Newton-CG, line-search Newton-CG, lazy-Hessian
//! Newton): the status, iterations, oracle calls by kind, whether `||g|| <= 1e-8`, and the
//! distance of `x` from the minimiser. A last line shows the oracle-failure semantics: an
//! objective that refuses (returns 1 for) points with `x_1 < -1` (a trial step lands there)
//! still converges: the solver shrinks its trust region and goes around.
//!
//! Run: `cargo run --release --example newton`

use nksolve::newton::{NewtonMethod, NewtonOptions, NewtonSolver, Objective};
use nksolve::OracleFailure;
use std::fmt::Write;

const N: usize = 100_000;

/// Extended Rosenbrock; the objective fails (code 1) where `x_1 < refuse_below`, like a
/// simulation that cannot run there.
struct Rosenbrock {
    refuse_below: f64,
}

impl Objective for Rosenbrock {
    fn value(&mut self, x: &[f64]) -> Result<f64, OracleFailure> {
        if x[1] < self.refuse_below {
            return Err(OracleFailure { code: 1 });
        }
        let mut f = 0.0;
        for k in (0..x.len()).step_by(2) {
            let (t, u) = (x[k + 1] - x[k] * x[k], 1.0 - x[k]);
            f += 100.0 * t * t + u * u;
        }
        Ok(f)
    }

    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure> {
        for k in (0..x.len()).step_by(2) {
            let t = x[k + 1] - x[k] * x[k];
            g[k] = -400.0 * x[k] * t - 2.0 * (1.0 - x[k]);
            g[k + 1] = 200.0 * t;
        }
        Ok(())
    }

    fn hessian_vector(&mut self, x: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure> {
        for k in (0..x.len()).step_by(2) {
            let h11 = 1200.0 * x[k] * x[k] - 400.0 * x[k + 1] + 2.0;
            let h12 = -400.0 * x[k];
            hv[k] = h11 * v[k] + h12 * v[k + 1];
            hv[k + 1] = h12 * v[k] + 200.0 * v[k + 1];
        }
        Ok(())
    }
}

fn start() -> Vec<f64> {
    (0..N).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect()
}

/// Runs the example and returns what it prints.
pub fn run() -> String {
    let mut out = String::new();
    let cases = [
        ("trust_region", NewtonMethod::TrustRegion, f64::NEG_INFINITY),
        ("line_search", NewtonMethod::LineSearch, f64::NEG_INFINITY),
        ("lazy", NewtonMethod::Lazy, f64::NEG_INFINITY),
        ("refusing", NewtonMethod::TrustRegion, -1.0),
    ];
    for (name, method, refuse_below) in cases {
        let mut options = NewtonOptions::default();
        options.method = method;
        options.set("gatol", 1e-8).unwrap();
        if refuse_below.is_finite() {
            // A first radius large enough for a trial step to land in the refused region.
            options.set("initial_radius", 1000.0).unwrap();
        }
        let mut x = start();
        let mut solver = NewtonSolver::new(options);
        let r = solver.minimize(&mut Rosenbrock { refuse_below }, &mut x, None).expect("valid input").clone();
        let error = x.iter().map(|xi| (xi - 1.0).abs()).fold(0.0, f64::max);
        writeln!(
            out,
            "{name} status={} iterations={} values={} gradients={} hessian_vectors={} failed={} converged={} x_error_below_1e-6={}",
            if r.termination.converged() { 0 } else { 1 },
            r.iterations,
            r.value_calls + r.value_gradient_calls,
            r.gradient_calls + r.value_gradient_calls,
            r.hessian_vector_calls,
            r.failed_evaluations,
            (r.gradient_norm <= 1e-8) as u8,
            (error <= 1e-6) as u8
        )
        .unwrap();
    }
    out
}

#[allow(dead_code)]
fn main() {
    print!("{}", run());
}

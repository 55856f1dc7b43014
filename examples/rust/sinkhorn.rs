//! Entropic optimal transport between two point clouds, from Rust. The C, C++, Fortran, Julia
//! and Python examples print the same lines.
//!
//! Problem: 300 source points at the Halton points of bases (2, 3) in `[0, 1]^2`, 200 target
//! points at the Halton points of bases (5, 7) shifted by `(0.3, 0)`, uniform weights, squared
//! Euclidean cost, `eps = 0.01`, stop at an L1 marginal error of `1e-9`. (Halton points need no
//! random generator, so every language builds the same clouds.)
//!
//! Output:
//! * `sinkhorn`: log-domain Sinkhorn on the point clouds (costs computed on the fly): its
//!   iterations, marginal error, the transport cost `<C, P>` and `w2 = sqrt(<C, P>)`;
//! * `sns`: Sinkhorn-Newton-Sparse on the same problem: Newton and Sinkhorn iterations, `w2`;
//! * `dense`: the same problem from a dense cost matrix, and its regularised cost;
//! * `plan`: the entries of the plan above `1e-4` and the mass they carry.
//!
//! Run: `cargo run --release --example sinkhorn`

use nksolve::linalg::dense::DenseRef;
use nksolve::ot::{Cost, CostExponent, OtMethod, OtProblem, SinkhornOptions, SinkhornSolver};
use std::fmt::Write;

const N: usize = 300;
const M: usize = 200;

/// The `i`-th element (from 1) of the van der Corput sequence in `base`.
fn halton(mut i: usize, base: usize) -> f64 {
    let (mut f, mut r) = (1.0, 0.0);
    while i > 0 {
        f /= base as f64;
        r += f * (i % base) as f64;
        i /= base;
    }
    r
}

/// The two clouds, column-major `2 x n` (point `i` is column `i`).
fn clouds() -> (Vec<f64>, Vec<f64>) {
    let x = (0..N).flat_map(|i| [halton(i + 1, 2), halton(i + 1, 3)]).collect();
    let y = (0..M).flat_map(|j| [halton(j + 1, 5) + 0.3, halton(j + 1, 7)]).collect();
    (x, y)
}

/// Runs the example and returns what it prints.
pub fn run() -> String {
    let mut out = String::new();
    let (x, y) = clouds();
    let (a, b) = (vec![1.0 / N as f64; N], vec![1.0 / M as f64; M]);
    let points = || {
        let xs = DenseRef::new(&x, 2, N, 2, "x").unwrap();
        let ys = DenseRef::new(&y, 2, M, 2, "y").unwrap();
        OtProblem::new(Cost::points(xs, ys, CostExponent::Two).unwrap(), &a, &b).unwrap()
    };
    let mut options = SinkhornOptions::default();
    options.set("eps", 0.01).unwrap().set("tol", 1e-9).unwrap();
    let mut solver = SinkhornSolver::new(options);
    let (mut f, mut g) = (vec![0.0; N], vec![0.0; M]);

    let r = solver.solve(points(), &mut f, &mut g).expect("valid problem");
    writeln!(
        out,
        "sinkhorn iterations={} marginal_error={:.1e} cost={:.10} w2={:.10}",
        r.iterations,
        r.marginal_error,
        r.transport_cost,
        r.transport_cost.sqrt()
    )
    .unwrap();

    solver.options_mut().method = OtMethod::SinkhornNewtonSparse;
    let r = solver.solve(points(), &mut f, &mut g).expect("valid problem");
    writeln!(out, "sns newton={} sinkhorn={} converged={} w2={:.10}", r.newton_iterations, r.sinkhorn_iterations, r.termination.converged() as u8, r.transport_cost.sqrt()).unwrap();

    let mut c = vec![0.0; N * M];
    for j in 0..M {
        for i in 0..N {
            c[j * N + i] = (x[2 * i] - y[2 * j]).powi(2) + (x[2 * i + 1] - y[2 * j + 1]).powi(2);
        }
    }
    solver.options_mut().method = OtMethod::Sinkhorn;
    let dense = OtProblem::new(Cost::dense(DenseRef::new(&c, N, M, N, "C").unwrap()).unwrap(), &a, &b).unwrap();
    let r = solver.solve(dense, &mut f, &mut g).expect("valid problem");
    writeln!(out, "dense iterations={} w2={:.10} regularized={:.10}", r.iterations, r.transport_cost.sqrt(), r.regularized_cost).unwrap();

    let entries = solver.plan_sparse(1e-4).expect("solved");
    let mass: f64 = entries.iter().map(|e| e.2).sum();
    writeln!(out, "plan nnz={} mass={:.6}", entries.len(), mass).unwrap();
    out
}

#[allow(dead_code)]
fn main() {
    print!("{}", run());
}

//! Krylov recycling with nksolve from Rust: a sequence of eight convection-diffusion systems
//! solved with GMRES(30), then with GCRO-DR(30, 10) in the SKR order, then resumed from a
//! saved recycle space. The C, C++, Fortran, Julia and Python examples print the same lines.
//!
//! Problem: 24 x 24 interior grid (n = 576), 5-point stencil with centre 4, south / north -1,
//! west -1 - beta_s, east -1 + beta_s, where system s has beta_s = 0.1 + 0.05 P[s],
//! P = [3, 7, 0, 5, 1, 6, 2, 4]; right-hand side 1, rtol 1e-8; SKR feature of system s: beta_s.
//!
//! Run: `cargo run --release --example recycling`

use nksolve::krylov::{KrylovMethod, KrylovOptions, KrylovSolver, MatrixSequence, SequenceOrder};
use nksolve::linalg::{CsrMatrix, DenseMut, DenseRef};
use nksolve::precond::Identity;
use std::fmt::Write;

const NX: usize = 24;
const N: usize = NX * NX;
const SYSTEMS: usize = 8;
const P: [usize; SYSTEMS] = [3, 7, 0, 5, 1, 6, 2, 4];

fn beta(s: usize) -> f64 {
    0.1 + 0.05 * P[s] as f64
}

/// System `s`'s matrix, columns in increasing order.
fn matrix(s: usize) -> CsrMatrix {
    let (mut rp, mut ci, mut v) = (vec![0i64], Vec::new(), Vec::new());
    for j in 0..NX {
        for i in 0..NX {
            let p = (i + NX * j) as i64;
            let mut put = |c: i64, x: f64| {
                ci.push(c);
                v.push(x);
            };
            if j > 0 { put(p - NX as i64, -1.0); }
            if i > 0 { put(p - 1, -1.0 - beta(s)); }
            put(p, 4.0);
            if i + 1 < NX { put(p + 1, -1.0 + beta(s)); }
            if j + 1 < NX { put(p + NX as i64, -1.0); }
            rp.push(ci.len() as i64);
        }
    }
    CsrMatrix::from_raw_parts(N, N, &rp, &ci, &v, 0).expect("a valid matrix")
}

fn options(method: KrylovMethod) -> KrylovOptions {
    let mut o = KrylovOptions::default();
    o.set_method(method).set_rtol(1e-8).unwrap().set_restart(30).unwrap().set_recycle_dim(10).unwrap();
    o
}

/// Runs the example; returns what it prints.
pub fn run() -> String {
    let mats: Vec<CsrMatrix> = (0..SYSTEMS).map(matrix).collect();
    let b = vec![1.0; N * SYSTEMS];
    let features: Vec<f64> = (0..SYSTEMS).map(beta).collect();
    let bref = DenseRef::new(&b, N, SYSTEMS, N, "b").unwrap();
    let mut out = String::new();

    let mut x = vec![0.0; N * SYSTEMS];
    let mut gmres = KrylovSolver::new(options(KrylovMethod::Gmres));
    let xm = &mut DenseMut::new(&mut x, N, SYSTEMS, N, "x").unwrap();
    let rep = gmres.solve_sequence(&mut MatrixSequence::new(&mats), &bref, xm, SequenceOrder::Natural, None).unwrap();
    let status = if rep.systems.iter().all(|r| r.termination.converged()) { 0 } else { 1 };
    writeln!(out, "gmres status={status} total_iterations={}", rep.iterations).unwrap();

    let mut gcrodr = KrylovSolver::new(options(KrylovMethod::GcroDr));
    let fref = DenseRef::new(&features, 1, SYSTEMS, 1, "features").unwrap();
    let xm = &mut DenseMut::new(&mut x, N, SYSTEMS, N, "x").unwrap();
    let rep = gcrodr.solve_sequence(&mut MatrixSequence::new(&mats), &bref, xm, SequenceOrder::Skr(fref), None).unwrap();
    let status = if rep.systems.iter().all(|r| r.termination.converged()) { 0 } else { 1 };
    let order: Vec<String> = rep.order.iter().map(|i| i.to_string()).collect();
    writeln!(out, "gcrodr status={status} total_iterations={} order={}", rep.iterations, order.join(",")).unwrap();
    for (s, r) in rep.systems.iter().enumerate() {
        writeln!(out, "system_{s} iterations={} residual={:.6e}", r.iterations, r.residual_norm).unwrap();
    }

    // Save the recycled space, load it into a new solver, and solve system 0 with both.
    let bytes = gcrodr.save_recycled();
    writeln!(out, "saved bytes={}", bytes.len()).unwrap();
    let mut resumed = KrylovSolver::new(options(KrylovMethod::GcroDr));
    resumed.load_recycled(&bytes).unwrap();
    let again = |solver: &mut KrylovSolver| {
        let mut x0 = vec![0.0; N];
        solver.operator_changed();
        solver.solve(&mut mats[0].clone(), &mut Identity, &b[..N], &mut x0, None).unwrap().iterations
    };
    let (k_resumed, k_original) = (again(&mut resumed), again(&mut gcrodr));
    writeln!(out, "resumed iterations={k_resumed} original={k_original}").unwrap();
    out
}

#[allow(dead_code)]
fn main() {
    print!("{}", run());
}

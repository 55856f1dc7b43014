//! Learning SOR's relaxation parameter across a sequence of systems, from Rust. The C, C++,
//! Fortran, Julia and Python examples print the same lines.
//!
//! Problem: `A_t = L + c_t I`, `L` the 5-point Laplacian on a 10 x 10 grid (stencil
//! `[-1 -1 4 -1 -1]`), `c_t` in `[-0.1, 0.4]` from a 64-bit LCG (the "context" of system `t`),
//! `b = 1`, `x0 = 0`, tolerance 1e-8 on `||r|| / ||r0||`, 400 systems.
//!
//! The ChebCB learner chooses omega from 20 values on `[1, 1.95]` for each system, given `c_t`,
//! and learns from the iteration count. Halfway through, the learner is saved to bytes and
//! restored (what a restarted simulation does) and the solves continue on the copy.
//!
//! Output: `solve_T context=C omega=W iterations=K status=S` every 50 systems, then
//! `total iterations=K solves=T` and the learned distribution at `c = -0.05` and `c = 0.35`.
//!
//! Run: `cargo run --release --example sor_bandit`

use nksolve::linalg::CsrMatrix;
use nksolve::sor::{LearnerKind, SorBandit};
use std::fmt::Write;
use std::sync::Arc;

const NX: usize = 10;
const N: usize = NX * NX;
const SYSTEMS: usize = 400;
const ARMS: usize = 20;

/// `L + c I` with columns in increasing order.
fn matrix(c: f64) -> CsrMatrix {
    let (mut rp, mut ci, mut v) = (vec![0i64], Vec::new(), Vec::new());
    for j in 0..NX {
        for i in 0..NX {
            let p = (i + NX * j) as i64;
            let mut put = |col: i64, x: f64| {
                ci.push(col);
                v.push(x);
            };
            if j > 0 { put(p - NX as i64, -1.0); }
            if i > 0 { put(p - 1, -1.0); }
            put(p, 4.0 + c);
            if i + 1 < NX { put(p + 1, -1.0); }
            if j + 1 < NX { put(p + NX as i64, -1.0); }
            rp.push(ci.len() as i64);
        }
    }
    CsrMatrix::from_raw_parts(N, N, &rp, &ci, &v, 0).expect("valid stencil")
}

/// The context sequence: a 64-bit LCG mapped to `[-0.1, 0.4]`.
fn next_context(state: &mut u64) -> f64 {
    *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    -0.1 + 0.5 * (*state >> 11) as f64 * (1.0 / 9007199254740992.0)
}

fn probabilities_line(out: &mut String, h: &SorBandit, name: &str, context: f64) {
    let p = h.probabilities(context).expect("context in range");
    let p: Vec<String> = p.iter().map(|v| format!("{v:.4}")).collect();
    writeln!(out, "{name} context={context:.2} p={}", p.join(",")).unwrap();
}

/// Runs the example and returns what it prints.
pub fn run() -> String {
    let mut out = String::new();
    let b = vec![1.0; N];
    let mut x = vec![0.0; N];
    let mut lcg: u64 = 12345;
    let mut total = 0;
    let mut h = SorBandit::new(LearnerKind::ChebCb, ARMS, 1.0, 1.95, 2024).expect("valid grid");
    h.set_option("context_min", -0.1).unwrap();
    h.set_option("context_max", 0.4).unwrap();
    h.set_option("tol", 1e-8).unwrap();
    for t in 0..SYSTEMS {
        let c = next_context(&mut lcg);
        let a = Arc::new(matrix(c));
        let r = h.solve(&a, &b, &mut x, c).expect("valid system");
        total += r.iterations;
        if t % 50 == 0 {
            let status = if r.termination.converged() { 0 } else { 1 };
            writeln!(out, "solve_{t} context={c:.4} omega={:.4} iterations={} status={status}", r.omega, r.iterations).unwrap();
        }
        if t == SYSTEMS / 2 {
            h = SorBandit::from_bytes(&h.to_bytes()).expect("own bytes load");
        }
    }
    writeln!(out, "total iterations={total} solves={SYSTEMS}").unwrap();
    probabilities_line(&mut out, &h, "probabilities_low", -0.05);
    probabilities_line(&mut out, &h, "probabilities_high", 0.35);
    out
}

#[allow(dead_code)]
fn main() {
    print!("{}", run());
}

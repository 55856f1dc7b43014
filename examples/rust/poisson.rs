//! 2D Poisson with nksolve from Rust: the same system solved the same three ways as the C,
//! C++, Fortran, Julia and Python examples, printing the same lines.
//!
//! Run: `cargo run --release --example poisson`

use nksolve::krylov::{KrylovMethod, KrylovOptions, KrylovReport, KrylovSolver};
use nksolve::linalg::{CsrMatrix, FnOperator, LinearOperator};
use nksolve::precond::{FnPreconditioner, Ilu0, Preconditioner};
use nksolve::OracleFailure;

const NX: usize = 32;
const N: usize = NX * NX;

/// `y = A x` for the 5-point stencil, without forming A.
fn stencil(x: &[f64], y: &mut [f64]) -> Result<(), OracleFailure> {
    for j in 0..NX {
        for i in 0..NX {
            let p = i + NX * j;
            let mut v = 4.0 * x[p];
            if i > 0 { v -= x[p - 1]; }
            if i + 1 < NX { v -= x[p + 1]; }
            if j > 0 { v -= x[p - NX]; }
            if j + 1 < NX { v -= x[p + NX]; }
            y[p] = v;
        }
    }
    Ok(())
}

fn solve(name: &str, method: KrylovMethod, a: &mut dyn LinearOperator, m: &mut dyn Preconditioner, out: &mut String) -> Vec<f64> {
    let mut opts = KrylovOptions::default();
    opts.set_method(method).set_rtol(1e-8).unwrap().set_restart(30).unwrap();
    let b = vec![1.0; N];
    let mut x = vec![0.0; N];
    let r: KrylovReport = KrylovSolver::new(opts).solve(a, m, &b, &mut x, None).expect("valid input");
    let status = if r.termination.converged() { 0 } else { 1 };
    out.push_str(&format!("{name} status={status} iterations={} residual={:.6e}\n", r.iterations, r.residual_norm));
    x
}

/// Runs the three solves; returns what the program prints.
pub fn run() -> String {
    let mut out = String::new();
    let mut a: CsrMatrix = nksolve::problems::poisson2d(NX);
    let x = solve("cg", KrylovMethod::Cg, &mut a, &mut nksolve::precond::Identity, &mut out);
    let mut ilu = Ilu0::new(&a).expect("the Poisson matrix has a nonzero diagonal");
    solve("gmres_ilu0", KrylovMethod::Gmres, &mut a, &mut ilu, &mut out);
    let mut op = FnOperator::new(N, stencil);
    let mut jacobi = FnPreconditioner::new(|r: &[f64], z: &mut [f64]| {
        z.iter_mut().zip(r).for_each(|(zi, ri)| *zi = ri / 4.0);
        Ok(())
    });
    solve("cg_callback", KrylovMethod::Cg, &mut op, &mut jacobi, &mut out);
    out.push_str(&format!("center u={:.12e}\n", x[NX / 2 + NX * (NX / 2)]));
    out
}

#[allow(dead_code)]
fn main() {
    print!("{}", run());
}

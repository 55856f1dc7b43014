//! The nksolve demo: each routine family on a real problem, with a short report.
//!
//! Run: `cargo run --release --example demo`
//!
//! Krylov basics (this release): a 2D Poisson solve by every method and preconditioner,
//! checked against an independent answer, a nonsymmetric convection-diffusion solve, and a
//! sequence of Darcy-flow systems as in the neural-operator data-generation papers, solved
//! with and without Krylov recycling, and a nonsymmetric sequence with GCRO-DR.

use nksolve::krylov::{KrylovMethod, KrylovOptions, KrylovReport, KrylovSolver, PreconditionerSide};
use nksolve::linalg::CsrMatrix;
use nksolve::precond::{Identity, Ilu0, Jacobi, Preconditioner};
use std::time::Instant;

fn solve(a: &CsrMatrix, m: &mut dyn Preconditioner, method: KrylovMethod, b: &[f64]) -> (Vec<f64>, KrylovReport) {
    let mut opts = KrylovOptions::default();
    opts.set_method(method).set_rtol(1e-10).unwrap().set_restart(40).unwrap();
    opts.side = PreconditionerSide::Right;
    let mut x = vec![0.0; a.nrows()];
    let r = KrylovSolver::new(opts).solve(&mut a.clone(), m, b, &mut x, None).expect("valid input");
    (x, r)
}

fn row(label: &str, r: &KrylovReport, extra: &str) {
    println!(
        "  {label:<22} {:>6} its {:>7.1} ms  ||b-Ax||/||b|| = {:.2e}  {extra}",
        r.iterations,
        r.seconds * 1e3,
        r.residual_norm / r.rhs_norm,
    );
}

fn poisson() {
    // u = x(1-x) y(1-y) solves -Laplace(u) = 2 (x(1-x) + y(1-y)); the 5-point stencil is exact
    // for it, so the discrete solution equals u at the nodes and the error measures the solver.
    let nx = 255;
    let h = 1.0 / (nx as f64 + 1.0);
    let q = |t: f64| t * (1.0 - t);
    let coords = |p: usize| ((p % nx + 1) as f64 * h, (p / nx + 1) as f64 * h);
    let exact: Vec<f64> = (0..nx * nx).map(|p| { let (x, y) = coords(p); q(x) * q(y) }).collect();
    let b: Vec<f64> = (0..nx * nx).map(|p| { let (x, y) = coords(p); 2.0 * (q(x) + q(y)) * h * h }).collect();
    let a = nksolve::problems::poisson2d(nx);
    println!("1. Poisson, {nx} x {nx} grid (n = {}), rtol 1e-10, threads = {}", a.nrows(), nksolve::linalg::num_threads());
    let cases: Vec<(&str, KrylovMethod, Box<dyn Preconditioner>)> = vec![
        ("CG", KrylovMethod::Cg, Box::new(Identity)),
        ("CG + Jacobi", KrylovMethod::Cg, Box::new(Jacobi::new(&a).unwrap())),
        ("CG + ILU(0)", KrylovMethod::Cg, Box::new(Ilu0::new(&a).unwrap())),
        ("GMRES(40) + ILU(0)", KrylovMethod::Gmres, Box::new(Ilu0::new(&a).unwrap())),
        ("FGMRES(40) + ILU(0)", KrylovMethod::Fgmres, Box::new(Ilu0::new(&a).unwrap())),
    ];
    for (label, method, mut m) in cases {
        let (x, r) = solve(&a, m.as_mut(), method, &b);
        let err = x.iter().zip(&exact).map(|(u, e)| (u - e).abs()).fold(0.0, f64::max);
        row(label, &r, &format!("max |u - exact| = {err:.1e}"));
    }
}

fn convection_diffusion() {
    let nx = 127;
    let a = nksolve::problems::convection_diffusion2d(nx, 200.0);
    let b = vec![1.0; a.nrows()];
    println!("\n2. Convection-diffusion (Peclet 200), {nx} x {nx}, nonsymmetric, rtol 1e-10");
    for (label, mut m) in [
        ("GMRES(40)", Box::new(Identity) as Box<dyn Preconditioner>),
        ("GMRES(40) + ILU(0)", Box::new(Ilu0::new(&a).unwrap())),
    ] {
        let (_, r) = solve(&a, m.as_mut(), KrylovMethod::Gmres, &b);
        row(label, &r, &format!("{:?}", r.termination));
    }
}

/// Solves every system of `systems` (b = 1) with one solver, so recycling methods carry their
/// space along; returns (total iterations, total matvecs, seconds, worst relative residual).
fn run_sequence(systems: &[CsrMatrix], method: KrylovMethod, restart: usize) -> (usize, usize, f64, f64) {
    let n = systems[0].nrows();
    let b = vec![1.0; n];
    let mut opts = KrylovOptions::default();
    opts.set_method(method).set_restart(restart).unwrap().set_recycle_dim(if restart > 20 { 20 } else { 10 }).unwrap();
    let mut solver = KrylovSolver::new(opts);
    let (mut its, mut mv, mut worst) = (0, 0, 0.0f64);
    let t = Instant::now();
    for a in systems {
        let mut x = vec![0.0; n];
        solver.operator_changed();
        let r = solver.solve(&mut a.clone(), &mut Identity, &b, &mut x, None).unwrap();
        assert!(r.termination.converged(), "{method:?}: {:?}", r.termination);
        its += r.iterations;
        mv += r.matvecs;
        worst = worst.max(r.residual_norm / r.rhs_norm);
    }
    (its, mv, t.elapsed().as_secs_f64(), worst)
}

fn sequences() {
    let (nx, count) = (80, 20);
    println!("\n3. Sequences with Krylov recycling (rtol 1e-8, b = 1, x0 = 0)");
    let darcy: Vec<CsrMatrix> = (0..count).map(|s| nksolve::problems::darcy_system(nx, s)).collect();
    println!("  {count} Darcy systems on {nx} x {nx} (coefficient 12/3 from a Gaussian random field), SPD:");
    for (label, method) in [("CG", KrylovMethod::Cg), ("recycled CG (k = 20)", KrylovMethod::RecycledCg)] {
        let (its, mv, secs, worst) = run_sequence(&darcy, method, 40);
        println!("    {label:<24} {its:>6} its {mv:>6} matvecs {:>8.1} ms  worst ||b-Ax||/||b|| = {worst:.1e}", secs * 1e3);
    }
    let cd: Vec<CsrMatrix> = (0..count).map(|i| nksolve::problems::convection_diffusion2d(64, 20.0 + i as f64)).collect();
    println!("  {count} convection-diffusion systems on 64 x 64, Peclet 20 ... 39, nonsymmetric:");
    for (label, method) in [("GMRES(40)", KrylovMethod::Gmres), ("GCRO-DR(40, 20)", KrylovMethod::GcroDr)] {
        let (its, mv, secs, worst) = run_sequence(&cd, method, 40);
        println!("    {label:<24} {its:>6} its {mv:>6} matvecs {:>8.1} ms  worst ||b-Ax||/||b|| = {worst:.1e}", secs * 1e3);
    }
}

fn main() {
    println!("nksolve {} demo\n", env!("CARGO_PKG_VERSION"));
    poisson();
    convection_diffusion();
    sequences();
}

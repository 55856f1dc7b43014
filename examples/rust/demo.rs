//! The nksolve demo: each routine family on a real problem, with a short report.
//!
//! Run: `cargo run --release --example demo`
//!
//! Krylov basics (this release): a 2D Poisson solve by every method and preconditioner,
//! checked against an independent answer, a nonsymmetric convection-diffusion solve, and a
//! sequence of Darcy-flow systems as in the neural-operator data-generation papers, solved
//! with and without Krylov recycling, a nonsymmetric sequence with GCRO-DR in the natural and
//! the SKR order, and a recycle space saved and loaded into a new solver.
//!
//! SOR-bandit: a sequence of shifted Laplacians solved by SOR and SSOR-PCG whose omega is
//! chosen per system by Tsallis-INF and the contextual ChebCB, against omega = 1 and Young's
//! optimal omega per system (the oracle).
//!
//! Optimal transport: W2 between two point clouds by log-domain Sinkhorn and
//! Sinkhorn-Newton-Sparse at two regularisations (costs computed on the fly), against the
//! exact answer for the continuous measures, and a 1D problem against its closed form.
//!
//! Newton: every method (trust-region and line-search Newton-CG, lazy-Hessian, damped AICN,
//! gradient-regularised) on extended Rosenbrock with n = 100000 (minimum 0 at x = 1), on
//! Penalty I (published minimum 7.08765e-5) and on a logistic regression, with oracle counts.
//!
//! Nonlinear systems: the 2D Bratu problem (lambda = 6, 128 x 128) by Jacobian-free
//! Newton-Krylov with plain GMRES and with GCRO-DR recycling across Newton steps, 30 implicit
//! time steps of a nonlinear diffusion equation with the recycle space carried from step to
//! step, a steady nonlinear diffusion problem against its manufactured solution, and
//! Levenberg-Marquardt on Moré-Garbow-Hillstrom least-squares problems against their
//! published minima.
//!
//! Constrained optimisation: AdaSketch-Newton (exact augmented Lagrangian merit, KKT systems
//! by randomized sketching or MINRES) on Hock-Schittkowski and Boggs-Tolle problems against
//! their published optima, on the PDE-control problem against its closed-form solution, and on
//! a constrained logistic regression over scikit-learn's breast-cancer data.

use nksolve::constrained::{ConstrainedOptions, ConstrainedReport, ConstrainedSolver, KktSolver};
use nksolve::newton::{NewtonMethod, NewtonOptions, NewtonSolver};
use nksolve::nonlinear::{InnerSolver, NonlinearOptions, NonlinearReport, NonlinearSolver, NonlinearSystem};
use nksolve::problems::nonlinear::{least_squares_set, Bratu, NonlinearDiffusion};
use nksolve::problems::minimization::{extended_rosenbrock, logistic_regression, penalty_one, TestFunction};
use nksolve::krylov::{
    KrylovMethod, KrylovOptions, KrylovReport, KrylovSolver, MatrixSequence, PreconditionerSide, SequenceOrder,
};
use nksolve::linalg::{CsrMatrix, DenseMut, DenseRef};
use nksolve::precond::{Identity, Ilu0, Jacobi, Preconditioner};
use nksolve::ot::{Cost, CostExponent, OtMethod, OtProblem, SinkhornOptions, SinkhornReport, SinkhornSolver};
use nksolve::sor::{young_omega, LearnerKind, SorBandit, SorOptions, SorReport, SorSolver};
use std::sync::Arc;

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

/// Solves the sequence (b = 1) with one solver through `solve_sequence`, in the natural or the
/// SKR order of `features` (`d x N`), and prints one line; returns the solver.
fn run_sequence(label: &str, systems: &[CsrMatrix], method: KrylovMethod, features: Option<(&[f64], usize)>) -> KrylovSolver {
    let (n, count) = (systems[0].nrows(), systems.len());
    let mut opts = KrylovOptions::default();
    opts.set_method(method).set_restart(40).unwrap().set_recycle_dim(if method == KrylovMethod::GcroDr { 20 } else { 10 }).unwrap();
    let mut solver = KrylovSolver::new(opts);
    let b = vec![1.0; n * count];
    let mut x = vec![0.0; n * count];
    let order = match features {
        Some((f, d)) => SequenceOrder::Skr(DenseRef::new(f, d, count, d, "features").unwrap()),
        None => SequenceOrder::Natural,
    };
    let rep = solver
        .solve_sequence(
            &mut MatrixSequence::new(systems),
            &DenseRef::new(&b, n, count, n, "b").unwrap(),
            &mut DenseMut::new(&mut x, n, count, n, "x").unwrap(),
            order,
            None,
        )
        .unwrap();
    assert!(rep.failed.is_none() && rep.systems.iter().all(|r| r.termination.converged()), "{label}");
    let worst = rep.systems.iter().map(|r| r.residual_norm / r.rhs_norm).fold(0.0, f64::max);
    println!(
        "    {label:<28} {:>6} its {:>6} matvecs {:>8.1} ms  worst ||b-Ax||/||b|| = {worst:.1e}",
        rep.iterations,
        rep.matvecs,
        rep.seconds * 1e3
    );
    solver
}

fn sequences() {
    let (nx, count) = (80, 20);
    println!("\n3. Sequences with Krylov recycling (rtol 1e-8, b = 1, x0 = 0, one solver per line)");
    let mut fields = Vec::new();
    let darcy: Vec<CsrMatrix> = (0..count as u64)
        .map(|s| {
            let field = nksolve::problems::threshold_coefficient(&nksolve::problems::gaussian_random_field(nx, 2.5, 7.0, 32, s));
            fields.extend_from_slice(&field);
            nksolve::problems::darcy2d(nx, &field)
        })
        .collect();
    println!("  {count} Darcy systems on {nx} x {nx} (coefficient 12/3 from a Gaussian random field, the SKR paper's), SPD:");
    run_sequence("CG", &darcy, KrylovMethod::Cg, None);
    run_sequence("recycled CG (k = 10)", &darcy, KrylovMethod::RecycledCg, None);
    run_sequence("GMRES(40)", &darcy, KrylovMethod::Gmres, None);
    run_sequence("GCRO-DR(40, 20)", &darcy, KrylovMethod::GcroDr, None);
    run_sequence("GCRO-DR(40, 20), SKR order", &darcy, KrylovMethod::GcroDr, Some((&fields, nx * nx)));

    // Peclet numbers in a scrambled order: the SKR order sorts them back.
    let peclet: Vec<f64> = (0..count).map(|i| 20.0 + ((7 * i) % count) as f64).collect();
    let cd: Vec<CsrMatrix> = peclet.iter().map(|&p| nksolve::problems::convection_diffusion2d(64, p)).collect();
    println!("  {count} convection-diffusion systems on 64 x 64, Peclet 20 ... 39 scrambled, nonsymmetric:");
    run_sequence("GMRES(40)", &cd, KrylovMethod::Gmres, None);
    run_sequence("GCRO-DR(40, 20)", &cd, KrylovMethod::GcroDr, None);
    let mut solver = run_sequence("GCRO-DR(40, 20), SKR order", &cd, KrylovMethod::GcroDr, Some((&peclet, 1)));

    // A restarted simulation keeps its warm start: save the space, load it into a new solver.
    let bytes = solver.save_recycled();
    let mut resumed = KrylovSolver::new(solver.options().clone());
    resumed.load_recycled(&bytes).unwrap();
    let a = nksolve::problems::convection_diffusion2d(64, 40.0);
    let b = vec![1.0; a.nrows()];
    let its = |s: &mut KrylovSolver| {
        let mut x = vec![0.0; a.nrows()];
        s.operator_changed();
        s.solve(&mut a.clone(), &mut Identity, &b, &mut x, None).unwrap().iterations
    };
    let cold = its(&mut KrylovSolver::new(solver.options().clone()));
    println!(
        "  saved recycle space: {} kB; a new system (Peclet 40) from the loaded space: {} its (original solver: {}, from scratch: {cold})",
        bytes.len() / 1024,
        its(&mut resumed),
        its(&mut solver)
    );
}

/// `L + c I`, `L` the 5-point Laplacian (stencil `[-1 -1 4 -1 -1]`) on an `nx` x `nx` grid.
fn shifted_laplacian(nx: usize, c: f64) -> Arc<CsrMatrix> {
    let l = nksolve::problems::poisson2d(nx);
    let mut t = Vec::with_capacity(l.nnz());
    for i in 0..l.nrows() {
        for p in l.row_ptr()[i]..l.row_ptr()[i + 1] {
            let j = l.col_idx()[p];
            t.push((i, j, l.values()[p] + if i == j { c } else { 0.0 }));
        }
    }
    Arc::new(CsrMatrix::from_triplets(l.nrows(), l.ncols(), &t).expect("valid stencil"))
}

/// Runs `policy` over the sequence; returns total iterations, seconds, and the mean omega of
/// the last quarter of the systems.
fn run_policy(systems: &[(f64, Arc<CsrMatrix>)], b: &[f64], mut solve: impl FnMut(f64, &Arc<CsrMatrix>, &mut [f64]) -> SorReport) -> (usize, f64, f64) {
    let mut x = vec![0.0; b.len()];
    let (mut its, mut secs, mut late_omega) = (0, 0.0, 0.0);
    let late = systems.len() - systems.len() / 4;
    for (t, (c, a)) in systems.iter().enumerate() {
        let r = solve(*c, a, &mut x);
        assert!(r.termination.converged(), "system {t} did not converge: {r:?}");
        its += r.iterations;
        secs += r.seconds;
        if t >= late {
            late_omega += r.omega / (systems.len() - late) as f64;
        }
    }
    (its, secs, late_omega)
}

fn sor_bandit() {
    let (nx, count) = (20, 300);
    // Shifts spread over [0, 0.5] and denser near 0, like the paper's 0.6 Beta(0.5, 1.5)
    // (a golden-ratio sequence stands in for random draws, so the demo prints the same lines
    // every run).
    let systems: Vec<(f64, Arc<CsrMatrix>)> = (0..count)
        .map(|t| {
            let u = (0.5 + t as f64 * 0.618_033_988_749_895).fract();
            let c = 0.5 * (0.5 * std::f64::consts::PI * u).sin().powi(4);
            (c, shifted_laplacian(nx, c))
        })
        .collect();
    let b = vec![1.0; nx * nx];
    println!("\n4. SOR with a learned omega: {count} systems (5-point Laplacian + c I, {nx} x {nx}, c in [0, 0.5]), tol 1e-8");
    println!("  {:<34} {:>9} {:>9} {:>10} {:>14}", "policy", "sweeps", "vs Young", "seconds", "omega (late)");
    let rho = |c: f64| 4.0 * (std::f64::consts::PI / (nx + 1) as f64).cos() / (4.0 + c);
    let mut solver = SorSolver::default();
    let opts = SorOptions::default();
    let young = run_policy(&systems, &b, |c, a, x| solver.solve(a, &b, x, young_omega(rho(c)), &opts).unwrap());
    let print = |label: &str, (its, secs, w): (usize, f64, f64)| {
        println!("  {label:<34} {its:>9} {:>8.2}x {secs:>10.3} {w:>14.3}", its as f64 / young.0 as f64);
    };
    let learner = |kind: LearnerKind, method: f64| {
        let (arms, hi) = if kind == LearnerKind::Fixed { (1, 1.0) } else { (20, 1.95) };
        let mut h = SorBandit::new(kind, arms, 1.0, hi, 7).unwrap();
        h.set_option("method", method).unwrap();
        if kind == LearnerKind::ChebCb {
            h.set_option("context_min", 0.0).unwrap();
            h.set_option("context_max", 0.5).unwrap();
        }
        run_policy(&systems, &b, |c, a, x| h.solve(a, &b, x, c).unwrap())
    };
    print("SOR, omega = 1 (Gauss-Seidel)", learner(LearnerKind::Fixed, 0.0));
    print("SOR, Tsallis-INF (20 arms)", learner(LearnerKind::TsallisInf, 0.0));
    print("SOR, ChebCB (context c)", learner(LearnerKind::ChebCb, 0.0));
    print("SOR, Young's omega per system", young);
    print("SSOR-PCG, omega = 1", learner(LearnerKind::Fixed, 1.0));
    print("SSOR-PCG, ChebCB (context c)", learner(LearnerKind::ChebCb, 1.0));
}

/// Uniform numbers from a 64-bit LCG (so the demo prints the same lines every run).
fn uniforms(seed: u64, count: usize) -> Vec<f64> {
    let mut s = seed;
    (0..count)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 11) as f64 / 9007199254740992.0
        })
        .collect()
}

fn transport(x: &[f64], y: &[f64], d: usize, p: CostExponent, eps: f64, method: OtMethod, scaling: f64) -> SinkhornReport {
    let (n, m) = (x.len() / d, y.len() / d);
    let cost = Cost::points(DenseRef::new(x, d, n, d, "x").unwrap(), DenseRef::new(y, d, m, d, "y").unwrap(), p).unwrap();
    let problem = OtProblem::new(cost, &vec![1.0 / n as f64; n], &vec![1.0 / m as f64; m]).unwrap();
    let mut o = SinkhornOptions::default();
    o.set("eps", eps).unwrap().set("tol", 1e-9).unwrap().set("eps_scaling", scaling).unwrap();
    o.method = method;
    let (mut f, mut g) = (vec![0.0; n], vec![0.0; m]);
    SinkhornSolver::new(o).solve(problem, &mut f, &mut g).unwrap()
}

fn optimal_transport() {
    let n = 1000;
    let x = uniforms(1, 2 * n);
    let y: Vec<f64> = uniforms(2, 2 * n).iter().enumerate().map(|(k, v)| v + if k % 2 == 0 { 0.3 } else { 0.0 }).collect();
    println!("\n5. Optimal transport: {n} + {n} points uniform in the unit square, the second cloud shifted by (0.3, 0),");
    println!("   squared distances from the point clouds, stop at an L1 marginal error of 1e-9");
    println!("  {:<34} {:>7} {:>12} {:>9} {:>12} {:>10}", "method", "eps", "iterations", "seconds", "W2^2", "L1 error");
    for (label, eps, method, scaling) in [
        ("log-domain Sinkhorn", 0.01, OtMethod::Sinkhorn, 0.0),
        ("Sinkhorn-Newton-Sparse", 0.01, OtMethod::SinkhornNewtonSparse, 0.0),
        ("log-domain Sinkhorn + eps scaling", 0.001, OtMethod::Sinkhorn, 0.5),
        ("Sinkhorn-Newton-Sparse", 0.001, OtMethod::SinkhornNewtonSparse, 0.0),
    ] {
        let r = transport(&x, &y, 2, CostExponent::Two, eps, method, scaling);
        let its = if r.newton_iterations > 0 { format!("{} + {}N", r.sinkhorn_iterations, r.newton_iterations) } else { r.iterations.to_string() };
        println!("  {label:<34} {eps:>7} {its:>12} {:>9.3} {:>12.6} {:>10.1e}", r.seconds, r.transport_cost, r.marginal_error);
    }
    println!("  (the continuous measures are a translation apart: W2^2 = 0.09 exactly; the gap is the sampling error");
    println!("   of {n} points plus the entropic bias, at most eps ln {n})");
    // 1D: the optimal plan is the monotone matching, so W_p has a closed form.
    let (x1, y1) = (uniforms(3, 400), uniforms(4, 300).iter().map(|v| 0.5 + v * v).collect::<Vec<f64>>());
    let quantile_gap = |p: i32| {
        let (mut xs, mut ys) = (x1.clone(), y1.clone());
        xs.sort_by(f64::total_cmp);
        ys.sort_by(f64::total_cmp);
        // Uniform weights 1/400 and 1/300: integrate |F^-1(u) - G^-1(u)|^p over u in [0, 1].
        let cuts = 1200;
        (0..cuts).map(|k| (xs[k * 400 / cuts] - ys[k * 300 / cuts]).abs().powi(p)).sum::<f64>() / cuts as f64
    };
    for (p, exponent, name) in [(1, CostExponent::One, "W1"), (2, CostExponent::Two, "W2^2")] {
        let r = transport(&x1, &y1, 1, exponent, 1e-3, OtMethod::SinkhornNewtonSparse, 0.0);
        println!(
            "  1D, 400 vs 300 points, {name:<4}: closed form (sorted CDFs) {:.6}, SNS at eps 1e-3 {:.6} ({} + {}N iterations)",
            quantile_gap(p),
            r.transport_cost,
            r.sinkhorn_iterations,
            r.newton_iterations
        );
    }
}

fn newton_row(label: &str, f: &mut TestFunction, method: NewtonMethod) {
    let mut options = NewtonOptions::default();
    options.method = method;
    let mut x = f.x0.clone();
    let t = std::time::Instant::now();
    let r = NewtonSolver::new(options).minimize(f, &mut x, None).expect("valid input").clone();
    let reference = if f.f_star.is_finite() { format!("{:.1e}", (r.value - f.f_star).abs() / f.f_star.abs().max(1.0)) } else { "-".into() };
    println!(
        "  {:<22} {:<28} {:>6} {:>6} {:>8} {:>12.6e} {:>9} {:>9.1e} {:>8.3}",
        label,
        method.name(),
        r.iterations,
        r.gradient_calls + r.value_gradient_calls,
        r.hessian_vector_calls,
        r.value,
        reference,
        r.gradient_norm,
        t.elapsed().as_secs_f64()
    );
}

fn newton() {
    println!("\n6. Unconstrained minimisation with callback oracles (stop at ||g|| <= 1e-8)");
    println!(
        "  {:<22} {:<28} {:>6} {:>6} {:>8} {:>12} {:>9} {:>9} {:>8}",
        "problem", "method", "iters", "grads", "Hv", "f", "rel.err", "||g||", "seconds"
    );
    let methods = [NewtonMethod::TrustRegion, NewtonMethod::LineSearch, NewtonMethod::Lazy, NewtonMethod::Damped, NewtonMethod::GradientRegularized];
    let mut problems = [
        ("Rosenbrock n = 100000", extended_rosenbrock(100_000)),
        ("Penalty I n = 10", penalty_one(10)),
        ("logistic, 200 features", logistic_regression(400, 200, 1e-3)),
    ];
    for (label, f) in problems.iter_mut() {
        for m in methods {
            newton_row(label, f, m);
        }
    }
    println!("  (rel.err: |f - f*| / max(1, |f*|) against the published minimum; the logistic regression has none");
    println!("   published and is judged by ||g||)");
}

/// The residual alone (Jacobian products by finite differences, as a host with only F has).
struct ResidualOnly<'a>(&'a mut dyn NonlinearSystem);

impl NonlinearSystem for ResidualOnly<'_> {
    fn residual(&mut self, x: &[f64], f: &mut [f64]) -> Result<(), nksolve::OracleFailure> {
        self.0.residual(x, f)
    }
}

fn nonlinear_row(label: &str, inner: InnerSolver, r: &NonlinearReport, seconds: f64, check: &str) {
    println!(
        "  {:<30} {:<8} {:>6} {:>8} {:>8} {:>10.2e} {:>14} {:>8.3}",
        label,
        if inner == InnerSolver::GcroDr { "GCRO-DR" } else { "GMRES" },
        r.iterations,
        r.inner_iterations,
        r.residual_evaluations,
        r.residual_norm,
        check,
        seconds
    );
}

fn nonlinear() {
    println!("\n7. Nonlinear systems: Jacobian-free Newton-Krylov (finite-difference J v) and Levenberg-Marquardt");
    println!("  {:<30} {:<8} {:>6} {:>8} {:>8} {:>10} {:>14} {:>8}", "problem", "inner", "newton", "krylov", "F evals", "||F||", "check", "seconds");
    for inner in [InnerSolver::Gmres, InnerSolver::GcroDr] {
        let mut bratu = Bratu::new(128, 6.0);
        let mut u = bratu.initial_guess();
        let mut options = NonlinearOptions::default();
        options.inner_solver = inner;
        options.inner_max_iterations = 10_000;
        let t = std::time::Instant::now();
        let r = NonlinearSolver::new(options).solve(&mut ResidualOnly(&mut bratu), &mut u, None).expect("valid input").clone();
        let umax = u.iter().copied().fold(0.0, f64::max);
        nonlinear_row("Bratu lambda = 6, 128 x 128", inner, &r, t.elapsed().as_secs_f64(), &format!("max u {umax:.4}"));
    }
    for inner in [InnerSolver::Gmres, InnerSolver::GcroDr] {
        let mut problem = NonlinearDiffusion::new(64, 0.01);
        let mut u = vec![0.0; 64 * 64];
        let mut options = NonlinearOptions::default();
        options.inner_solver = inner;
        let mut solver = NonlinearSolver::new(options);
        let mut total = NonlinearReport::new(nksolve::nonlinear::NonlinearMethod::NewtonKrylov);
        let t = std::time::Instant::now();
        for _ in 0..30 {
            problem.previous.copy_from_slice(&u);
            let r = solver.solve(&mut ResidualOnly(&mut problem), &mut u, None).expect("valid input");
            assert!(r.termination.converged(), "{:?}", r.termination);
            total.iterations += r.iterations;
            total.inner_iterations += r.inner_iterations;
            total.residual_evaluations += r.residual_evaluations;
            total.residual_norm = r.residual_norm;
        }
        nonlinear_row("diffusion 64 x 64, 30 steps", inner, &total, t.elapsed().as_secs_f64(), &format!("recycled {}", solver.recycled_vectors()));
    }
    let (mut manufactured, exact) = NonlinearDiffusion::manufactured(64);
    let mut u = vec![0.0; exact.len()];
    let t = std::time::Instant::now();
    let r = NonlinearSolver::new(NonlinearOptions::default()).solve(&mut manufactured, &mut u, None).expect("valid input").clone();
    let error = u.iter().zip(&exact).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    nonlinear_row("steady diffusion, exact J v", InnerSolver::GcroDr, &r, t.elapsed().as_secs_f64(), &format!("|u-u*| {error:.0e}"));
    println!("  Levenberg-Marquardt on Moré-Garbow-Hillstrom least squares (sum of squares vs published):");
    for name in ["bard", "kowalik_osborne", "osborne_1", "brown_dennis"] {
        let mut p = least_squares_set().into_iter().find(|p| p.name == name).expect("in the set");
        let mut x = p.x0.clone();
        let mut options = NonlinearOptions::default();
        options.method = nksolve::nonlinear::NonlinearMethod::LevenbergMarquardt;
        options.max_iterations = 500;
        let r = NonlinearSolver::new(options).solve(&mut p, &mut x, None).expect("valid input").clone();
        let f = r.residual_norm * r.residual_norm;
        println!(
            "    {:<16} {:>4} steps  f = {:<14.8e} published {:<12.6e} rel.err {:.1e}  {}",
            name,
            r.iterations,
            f,
            p.f_star,
            (f - p.f_star).abs() / p.f_star,
            r.termination.describe()
        );
    }
    println!("  (Bratu: every Newton system solved to the Eisenstat-Walker forcing term; recycling carries the GCRO-DR");
    println!("   space from one Newton step, and one time step, to the next)");
}

fn constrained_row(label: &str, r: &ConstrainedReport, check: &str) {
    println!(
        "  {:<24} {:<16} {:>5} {:>9} {:>6} {:>5} {:>9.1e} {:>22} {:>8.3}",
        label,
        r.kkt_solver.name(),
        r.iterations,
        r.inner_iterations,
        r.merit_evaluations,
        r.penalty_updates,
        r.stationarity.hypot(r.feasibility),
        check,
        r.seconds
    );
}

fn constrained() {
    println!("\n8. Equality-constrained optimisation: AdaSketch-Newton (exact augmented Lagrangian merit, sketched KKT solves)");
    println!(
        "  {:<24} {:<16} {:>5} {:>9} {:>6} {:>5} {:>9} {:>22} {:>8}",
        "problem", "KKT solver", "its", "inner", "merit", "pen", "KKT", "check", "seconds"
    );
    let set = nksolve::problems::constrained::equality_constrained_set();
    for name in ["hs7", "hs40", "hs56", "hs78", "bt5", "bt12"] {
        for solver in [KktSolver::GaussianSketch, KktSolver::Minres] {
            let mut p = set.iter().find(|p| p.name == name).expect("in the set").clone();
            let (mut x, mut l) = (p.x0.clone(), vec![0.0; p.m]);
            let mut options = ConstrainedOptions::default();
            options.kkt_solver = solver;
            let r = ConstrainedSolver::new(options).solve(&mut p, &mut x, &mut l, None).expect("valid input").clone();
            let rel = (r.objective - p.f_star).abs() / p.f_star.abs().max(1.0);
            constrained_row(&format!("{name} (n={}, m={})", p.n, p.m), &r, &format!("f-f* {rel:.0e} (rel.)"));
        }
    }
    for grid in [64, 128] {
        let mut p = nksolve::problems::pde_control::PdeControl::with_preconditioner(grid);
        let (x_ref, _) = p.direct_solution();
        let (mut x, mut l) = (p.start(), vec![0.0; p.m()]);
        let mut options = ConstrainedOptions::default();
        options.kkt_solver = KktSolver::Minres;
        let r = ConstrainedSolver::new(options).solve(&mut p, &mut x, &mut l, None).expect("valid input").clone();
        let error = x.iter().zip(&x_ref).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        constrained_row(&format!("PDE control {grid} x {grid}"), &r, &format!("|x-x*| {error:.0e}"));
    }
    let data = include_str!("../../tests/data/breast_cancer.csv");
    let logistic = nksolve::problems::constrained_logistic::ConstrainedLogistic::from_csv(data, 3, 7);
    for solver in [KktSolver::GaussianSketch, KktSolver::Minres] {
        let mut p = logistic.clone();
        let (mut w, mut l) = (p.start(), vec![0.0; p.m()]);
        let mut options = ConstrainedOptions::default();
        options.kkt_solver = solver;
        let r = ConstrainedSolver::new(options).solve(&mut p, &mut w, &mut l, None).expect("valid input").clone();
        constrained_row("breast-cancer logistic", &r, &format!("loss {:.6}", r.objective));
    }
    println!("  (PDE control: MINRES with the host's block-diagonal preconditioner diag(H, J H^-1 J^T), its Schur block by");
    println!("   the discrete sine transform; the logistic regression: 569 samples, 30 features, 3 linear equalities + ||w|| = 1)");
}

fn main() {
    println!("nksolve {} demo\n", env!("CARGO_PKG_VERSION"));
    poisson();
    convection_diffusion();
    sequences();
    sor_bandit();
    optimal_transport();
    newton();
    nonlinear();
    constrained();
}

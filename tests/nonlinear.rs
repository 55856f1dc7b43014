//! Nonlinear systems and least squares (`nksolve::nonlinear`) against independent references:
//! a dense Newton solve with an LU factorisation (Bratu), a manufactured solution (nonlinear
//! diffusion), zero residuals of the Moré-Garbow-Hillstrom systems, and MGH's published
//! optimal sums of squares (Levenberg-Marquardt). Also the recycling across Newton and time
//! steps, the preconditioner, and the oracle-failure, monitor and limit semantics.

use faer::linalg::solvers::Solve;
use nksolve::nonlinear::{InnerSolver, NonlinearMethod, NonlinearOptions, NonlinearReport, NonlinearSolver, NonlinearSystem, NonlinearTermination};
use nksolve::problems::nonlinear::{dense_jacobian, equation_set, least_squares_set, trigonometric, Bratu, GenericResidual, NonlinearDiffusion};
use nksolve::OracleFailure;
use std::ops::ControlFlow;

fn solve(system: &mut dyn NonlinearSystem, x: &mut [f64], options: NonlinearOptions) -> NonlinearReport {
    NonlinearSolver::new(options).solve(system, x, None).expect("valid input").clone()
}

fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

fn tight() -> NonlinearOptions {
    let mut o = NonlinearOptions::default();
    o.fatol = 1e-12;
    o.frtol = 0.0;
    o
}

/// Newton's method with the dense Jacobian (dual numbers) and a partial-pivoting LU solve,
/// to `||F|| <= 1e-13`: the reference for small grids.
fn dense_newton<R: GenericResidual>(r: &R, x0: &[f64]) -> Vec<f64> {
    let n = x0.len();
    let mut x = x0.to_vec();
    let mut f = vec![0.0; n];
    for _ in 0..50 {
        r.eval(&x, &mut f);
        if f.iter().map(|v| v * v).sum::<f64>().sqrt() <= 1e-13 {
            return x;
        }
        let jac = dense_jacobian(r, &x);
        let a = faer::Mat::<f64>::from_fn(n, n, |i, j| jac[j * n + i]);
        let rhs = faer::Mat::<f64>::from_fn(n, 1, |i, _| -f[i]);
        let d = a.partial_piv_lu().solve(&rhs);
        for i in 0..n {
            x[i] += d[(i, 0)];
        }
    }
    panic!("the dense Newton reference did not converge");
}

#[test]
fn bratu_matches_a_dense_newton_solve() {
    let bratu = Bratu::new(10, 6.0);
    let reference = dense_newton(&bratu, &bratu.initial_guess());
    for inner in [InnerSolver::Gmres, InnerSolver::GcroDr] {
        let mut o = tight();
        o.inner_solver = inner;
        let mut b = Bratu::new(10, 6.0);
        let mut u = b.initial_guess();
        let r = solve(&mut b, &mut u, o);
        assert!(r.termination.converged(), "{inner:?}: {:?}", r.termination);
        assert!(max_diff(&u, &reference) <= 1e-10, "{inner:?}: differs from dense Newton by {:e}", max_diff(&u, &reference));
        // Fast local convergence: some step cuts ||F|| by more than 1000x (the forcing terms
        // tighten as ||F|| falls; the last one is kept loose where the tolerance allows).
        let mut norms: Vec<f64> = r.steps.iter().map(|s| s.residual_norm).collect();
        norms.push(r.residual_norm);
        assert!(norms.windows(2).any(|w| w[1] <= 1e-3 * w[0]), "{norms:?}");
    }
}

#[test]
fn bratu_configurations_agree_with_a_tight_reference() {
    let side = 40;
    let mut reference = Bratu::new(side, 6.0).with_jacobian().with_laplacian_preconditioner();
    let mut u_ref = reference.initial_guess();
    let mut o = tight();
    o.fatol = 1e-13;
    let r = solve(&mut reference, &mut u_ref, o);
    assert!(r.termination.converged(), "{:?}", r.termination);
    // Solution of the lower branch: positive inside, maximum in the centre, below the
    // blow-up value of lambda_c (the maximum there is about 1.39).
    let umax = u_ref.iter().copied().fold(0.0, f64::max);
    assert!(umax > 0.5 && umax < 1.39, "max u = {umax}");
    let configurations: [(&str, Box<dyn Fn() -> Bratu>, InnerSolver); 4] = [
        ("finite differences, GMRES", Box::new(move || Bratu::new(side, 6.0)), InnerSolver::Gmres),
        ("finite differences, GCRO-DR", Box::new(move || Bratu::new(side, 6.0)), InnerSolver::GcroDr),
        ("exact J v, GCRO-DR", Box::new(move || Bratu::new(side, 6.0).with_jacobian()), InnerSolver::GcroDr),
        ("preconditioned", Box::new(move || Bratu::new(side, 6.0).with_laplacian_preconditioner()), InnerSolver::Gmres),
    ];
    for (name, make, inner) in configurations {
        let mut b = make();
        let mut u = b.initial_guess();
        let mut o = NonlinearOptions::default();
        o.inner_solver = inner;
        let r = solve(&mut b, &mut u, o);
        assert!(r.termination.converged(), "{name}: {:?}", r.termination);
        assert!(r.residual_norm <= 1e-8 * r.initial_residual_norm, "{name}");
        // ||F|| <= 1e-8 ||F0|| with ||J^{-1}|| about 1 / (2 pi^2 h^2 (1 - lambda / lambda_1)) gives this.
        assert!(max_diff(&u, &u_ref) <= 1e-6, "{name}: differs from the reference by {:e}", max_diff(&u, &u_ref));
        assert_eq!(r.steps.len(), r.iterations, "{name}: one record per step");
    }
}

#[test]
fn the_preconditioner_cuts_krylov_iterations() {
    let run = |precondition: bool| {
        let mut b = Bratu::new(48, 6.0);
        if precondition {
            b = b.with_laplacian_preconditioner();
        }
        let mut u = b.initial_guess();
        let mut o = NonlinearOptions::default();
        o.inner_solver = InnerSolver::Gmres;
        let r = solve(&mut b, &mut u, o);
        assert!(r.termination.converged());
        r
    };
    let (plain, pc) = (run(false), run(true));
    assert!(pc.preconditioner_calls > 0);
    assert!(3 * pc.inner_iterations <= plain.inner_iterations, "{} preconditioned vs {} plain", pc.inner_iterations, plain.inner_iterations);
}

#[test]
fn nonlinear_diffusion_recovers_the_manufactured_solution() {
    let (mut problem, exact) = NonlinearDiffusion::manufactured(32);
    let mut u = vec![0.0; exact.len()];
    let r = solve(&mut problem, &mut u, tight());
    assert!(r.termination.converged(), "{:?}", r.termination);
    assert!(max_diff(&u, &exact) <= 1e-9, "differs from u* by {:e}", max_diff(&u, &exact));
    assert!(r.jacobian_vector_calls > 0 && r.fd_products == 0, "the exact J v is used when given");
}

#[test]
fn recycling_carries_across_newton_and_time_steps() {
    let side = 64;
    let run = |inner: InnerSolver| {
        let mut p = NonlinearDiffusion::new(side, 0.02);
        let mut u = vec![0.0; side * side];
        let mut o = NonlinearOptions::default();
        o.inner_solver = inner;
        let mut solver = NonlinearSolver::new(o);
        let (mut krylov, mut recycled_steps) = (0, 0);
        for step in 0..15 {
            p.previous.copy_from_slice(&u);
            let r = solver.solve(&mut p, &mut u, None).unwrap();
            assert!(r.termination.converged(), "step {step}: {:?}", r.termination);
            krylov += r.inner_iterations;
            // A time step after the first starts its first Newton step from the space left by
            // the previous time step.
            if step > 0 && r.steps[0].recycled_vectors > 0 {
                recycled_steps += 1;
            }
        }
        (u, krylov, recycled_steps)
    };
    let (u_plain, plain, none) = run(InnerSolver::Gmres);
    let (u_recycled, recycled, carried) = run(InnerSolver::GcroDr);
    assert_eq!(none, 0);
    // The first time steps' systems are solved in fewer iterations than a recycle space needs
    // (k + 1 = 11); from then on each time step starts from the space the last one left.
    assert!(carried >= 10, "only {carried} of 14 time steps started from recycled vectors");
    assert!(max_diff(&u_plain, &u_recycled) <= 1e-7, "{:e}", max_diff(&u_plain, &u_recycled));
    assert!(2 * recycled <= plain, "recycling: {recycled} Krylov iterations, GMRES: {plain}");
}

#[test]
fn mgh_systems_are_solved_by_newton_krylov() {
    let mut failures = Vec::new();
    for finite_differences in [false, true] {
        for mut p in equation_set(100) {
            let mut x = p.x0.clone();
            let mut o = NonlinearOptions::default();
            o.fatol = 1e-10;
            let r = if finite_differences {
                struct ResidualOnly<'a>(&'a mut nksolve::problems::nonlinear::MghProblem);
                impl NonlinearSystem for ResidualOnly<'_> {
                    fn residual(&mut self, x: &[f64], f: &mut [f64]) -> Result<(), OracleFailure> {
                        self.0.residual(x, f)
                    }
                }
                solve(&mut ResidualOnly(&mut p), &mut x, o)
            } else {
                solve(&mut p, &mut x, o)
            };
            let mut f = vec![0.0; p.m];
            p.residual(&x, &mut f).unwrap();
            let fnorm = f.iter().map(|v| v * v).sum::<f64>().sqrt();
            if !(r.termination.converged() && fnorm <= 1e-8 * r.initial_residual_norm.max(1.0)) {
                failures.push(format!("{} (fd {finite_differences}): ||F|| = {fnorm:e}, {:?}", p.name, r.termination));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn sum_of_squares(p: &mut nksolve::problems::nonlinear::MghProblem, x: &[f64]) -> f64 {
    let mut f = vec![0.0; p.m];
    p.residual(x, &mut f).unwrap();
    f.iter().map(|v| v * v).sum()
}

#[test]
fn levenberg_marquardt_reaches_the_published_minima() {
    let mut failures = Vec::new();
    for mut p in least_squares_set() {
        let mut x = p.x0.clone();
        let mut o = NonlinearOptions::default();
        o.method = NonlinearMethod::LevenbergMarquardt;
        o.max_iterations = 500;
        o.fatol = 1e-12;
        o.frtol = 0.0;
        o.gatol = 0.0;
        let r = solve(&mut p, &mut x, o);
        let f = sum_of_squares(&mut p, &x);
        // MGH print six significant digits.
        let at_published = if p.f_star == 0.0 { f <= 1e-20 } else { (f - p.f_star).abs() <= 1e-5 * p.f_star };
        let at_zero = p.zero_possible && f <= 1e-20;
        if !(r.termination.converged() && (at_published || at_zero)) {
            failures.push(format!("{}: f = {f:e} (published {:e}), {:?}", p.name, p.f_star, r.termination));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn levenberg_marquardt_solves_square_systems_with_singular_jacobians() {
    // Powell singular has a singular Jacobian at its solution (Holder metric subregularity
    // with exponent 1/2): the regime of the adaptive parameter's analysis.
    for mut p in equation_set(30) {
        let mut x = p.x0.clone();
        let mut o = NonlinearOptions::default();
        o.method = NonlinearMethod::LevenbergMarquardt;
        o.max_iterations = 500;
        let r = solve(&mut p, &mut x, o);
        assert!(r.termination.converged(), "{}: {:?}", p.name, r.termination);
        assert!(sum_of_squares(&mut p, &x).sqrt() <= 1e-8 * r.initial_residual_norm.max(1.0) || r.termination == NonlinearTermination::Stationary && p.name == "powell_singular", "{}", p.name);
    }
}

#[test]
fn trigonometric_system_newton_krylov_does_not_claim_a_root_levenberg_marquardt_finds_the_published_minimum() {
    // MGH 26 from its standard start leads to a local minimiser of ||F||^2 with F != 0
    // (sum of squares 2.79506e-5 for n = 10, as MGH report). Newton-Krylov has no root to
    // converge to there: it must stop at a limit with a usable point, not report convergence.
    let mut p = trigonometric(10);
    let mut x = p.x0.clone();
    let mut o = NonlinearOptions::default();
    o.max_iterations = 200;
    let r = solve(&mut p, &mut x, o);
    assert!(!r.termination.converged() && r.termination.usable(), "{:?}", r.termination);
    assert!(sum_of_squares(&mut p, &x) >= 2.79e-5);
    let mut x = p.x0.clone();
    let mut o = NonlinearOptions::default();
    o.method = NonlinearMethod::LevenbergMarquardt;
    let r = solve(&mut p, &mut x, o);
    assert_eq!(r.termination, NonlinearTermination::Stationary);
    assert!((sum_of_squares(&mut p, &x) - 2.79506e-5).abs() <= 1e-5 * 2.79506e-5);
}

/// `F_i(x) = atan(x_i - c_i)`, refusing (returning `code`) points with some
/// `x_i - c_i < -bound`. From `x_i - c_i = 1.5` the full Newton step lands at -1.694: Newton
/// without globalisation diverges from there.
struct RefusingAtan {
    c: Vec<f64>,
    bound: f64,
    code: i32,
}

impl NonlinearSystem for RefusingAtan {
    fn residual(&mut self, x: &[f64], f: &mut [f64]) -> Result<(), OracleFailure> {
        if x.iter().zip(&self.c).any(|(xi, ci)| xi - ci < -self.bound) {
            return Err(OracleFailure { code: self.code });
        }
        for ((fi, xi), ci) in f.iter_mut().zip(x).zip(&self.c) {
            *fi = (xi - ci).atan();
        }
        Ok(())
    }
}

fn atan_problem(bound: f64, code: i32) -> (RefusingAtan, Vec<f64>) {
    let c: Vec<f64> = (0..50).map(|i| (i as f64 * 0.37).sin()).collect();
    let x0 = c.iter().map(|ci| ci + 1.5).collect();
    (RefusingAtan { c, bound, code }, x0)
}

#[test]
fn a_refused_trial_point_shortens_the_step() {
    let (mut problem, mut x) = atan_problem(1.6, 1);
    let r = solve(&mut problem, &mut x, tight());
    assert!(r.termination.converged(), "{:?}", r.termination);
    assert!(r.failed_evaluations > 0, "the full step must have been refused");
    assert!(r.steps[0].step_length < 1.0);
    assert!(max_diff(&x, &problem.c) <= 1e-10);
}

#[test]
fn a_negative_code_aborts_and_leaves_x_untouched() {
    let (mut refusing, x0) = atan_problem(1.6, -7);
    let mut x = x0.clone();
    let mut solver = NonlinearSolver::new(NonlinearOptions::default());
    let r = solver.solve(&mut refusing, &mut x, None).unwrap().clone();
    assert_eq!(r.termination, NonlinearTermination::OracleFailed { oracle: "residual", code: -7 });
    assert_eq!(r.callback_code, -7);
    assert_eq!(x, x0, "x must be untouched");
    assert_eq!(solver.last_point(), &x0[..], "no step was accepted before the abort");
}

#[test]
fn a_non_finite_start_is_reported() {
    struct NanAtStart;
    impl NonlinearSystem for NanAtStart {
        fn residual(&mut self, _x: &[f64], f: &mut [f64]) -> Result<(), OracleFailure> {
            f.iter_mut().for_each(|v| *v = f64::NAN);
            Ok(())
        }
    }
    let mut x = vec![1.0; 3];
    let r = solve(&mut NanAtStart, &mut x, NonlinearOptions::default());
    assert!(matches!(&r.termination, NonlinearTermination::NonFinite(m) if m.contains("residual")), "{:?}", r.termination);
}

#[test]
fn monitor_and_limits_stop_the_solve() {
    let mut b = Bratu::new(24, 6.0);
    let mut u = b.initial_guess();
    let mut seen = 0;
    let mut monitor = |r: &NonlinearReport, x: &[f64]| {
        seen += 1;
        assert_eq!(x.len(), 576);
        if r.iterations >= 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let mut solver = NonlinearSolver::new(NonlinearOptions::default());
    let r = solver.solve(&mut b, &mut u, Some(&mut monitor)).unwrap().clone();
    assert_eq!(r.termination, NonlinearTermination::MonitorStop);
    assert_eq!((seen, r.iterations), (2, 2));

    let mut o = NonlinearOptions::default();
    o.max_iterations = 1;
    let mut u = b.initial_guess();
    let r = solve(&mut b, &mut u, o);
    assert_eq!(r.termination, NonlinearTermination::MaxIterations);
    assert!(r.residual_norm < r.initial_residual_norm, "the limited solve returns its better point");

    let mut o = NonlinearOptions::default();
    o.max_evaluations = 10;
    let mut u = b.initial_guess();
    let r = solve(&mut b, &mut u, o);
    assert_eq!(r.termination, NonlinearTermination::MaxEvaluations);
}

#[test]
fn invalid_problems_are_refused_before_any_evaluation() {
    let mut fit = least_squares_set().into_iter().find(|p| p.name == "bard").unwrap();
    let mut x = fit.x0.clone();
    let err = NonlinearSolver::new(NonlinearOptions::default()).solve(&mut fit, &mut x, None).err().unwrap();
    assert!(err.message().contains("m = 15") && err.message().contains("Levenberg-Marquardt"), "{}", err.message());

    let mut b = Bratu::new(4, 1.0);
    let mut o = NonlinearOptions::default();
    o.method = NonlinearMethod::LevenbergMarquardt;
    let mut u = vec![0.0; 16];
    let err = NonlinearSolver::new(o).solve(&mut b, &mut u, None).err().unwrap();
    assert!(err.message().contains("J^T w"), "{}", err.message());

    let mut empty: Vec<f64> = Vec::new();
    assert!(NonlinearSolver::new(NonlinearOptions::default()).solve(&mut b, &mut empty, None).is_err());
    let mut nan = vec![f64::NAN; 16];
    assert!(NonlinearSolver::new(NonlinearOptions::default()).solve(&mut b, &mut nan, None).is_err());
}

#[test]
fn counters_add_up() {
    let mut b = Bratu::new(20, 6.0);
    let mut u = b.initial_guess();
    let r = solve(&mut b, &mut u, NonlinearOptions::default());
    // One residual at the start, one per finite-difference product, one per line-search trial.
    let trials: usize = r.iterations + r.rejected_steps;
    assert_eq!(r.residual_evaluations, 1 + r.fd_products + trials);
    let products: usize = r.steps.iter().map(|s| s.jacobian_products).sum();
    assert_eq!(products, r.fd_products);
    assert_eq!(r.inner_iterations, r.steps.iter().map(|s| s.inner_iterations).sum::<usize>());
}

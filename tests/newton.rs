//! The Newton methods against independent references: the Moré-Garbow-Hillstrom / CUTEst test
//! set with its published optima, a quadratic against a dense direct solve, and the oracle
//! failure, monitor and limit semantics.

use nksolve::newton::{LazyRegularization, NewtonMethod, NewtonOptions, NewtonReport, NewtonSolver, NewtonTermination, Objective};
use nksolve::problems::minimization::{chebyquad, penalty_one, standard_set, TestFunction};
use faer::linalg::solvers::Solve;
use nksolve::OracleFailure;
use std::ops::ControlFlow;

const METHODS: [NewtonMethod; 5] = [
    NewtonMethod::TrustRegion,
    NewtonMethod::LineSearch,
    NewtonMethod::Lazy,
    NewtonMethod::Damped,
    NewtonMethod::GradientRegularized,
];

fn solve(f: &mut dyn Objective, x: &mut [f64], options: NewtonOptions) -> NewtonReport {
    NewtonSolver::new(options).minimize(f, x, None).expect("valid input").clone()
}

fn options(method: NewtonMethod) -> NewtonOptions {
    let mut o = NewtonOptions::default();
    o.method = method;
    o.max_iterations = 5000;
    o
}

/// The criterion: the published optimum to 1e-8 relative in f, or ||g|| <= 1e-8.
fn reached(f: &TestFunction, r: &NewtonReport) -> bool {
    let f_ok = f.f_star.is_finite() && (r.value - f.f_star).abs() <= 1e-8 * f.f_star.abs().max(1.0);
    f_ok || r.gradient_norm <= 1e-8
}

#[test]
fn every_method_solves_the_standard_set_from_the_standard_starts() {
    let mut failures = Vec::new();
    for mut f in standard_set() {
        for m in METHODS {
            let mut x = f.x0.clone();
            let r = solve(&mut f, &mut x, options(m));
            if !(reached(&f, &r) && r.termination.usable()) {
                failures.push(format!("{} / {}: f = {:e} (f* = {:e}), ||g|| = {:e}, {:?}", f.name, m.name(), r.value, f.f_star, r.gradient_norm, r.termination));
            }
            // The point returned is the one the report describes.
            let mut g = vec![0.0; f.n];
            let fx = f.value_gradient(&x, &mut g).unwrap();
            assert_eq!(fx, r.value, "{} / {}", f.name, m.name());
        }
    }
    assert!(failures.is_empty(), "not solved:\n{}", failures.join("\n"));
}

#[test]
fn lazy_gradient_regularisation_solves_the_convex_problems() {
    // The quadratic regularisation's theory is for convex f.
    for mut f in standard_set().into_iter().filter(|f| f.convex) {
        let mut o = options(NewtonMethod::Lazy);
        o.lazy_regularization = LazyRegularization::Gradient;
        let mut x = f.x0.clone();
        let r = solve(&mut f, &mut x, o);
        assert!(reached(&f, &r), "{}: f = {:e}, ||g|| = {:e}, {:?}", f.name, r.value, r.gradient_norm, r.termination);
    }
}

#[test]
fn published_optima_of_penalty_one_and_chebyquad_are_matched() {
    // Moré, Garbow, Hillstrom (1981): Penalty I n = 4: 2.24997e-5, n = 10: 7.08765e-5;
    // Chebyquad n = 8: 3.51687e-3, n = 10: 6.50395e-3 (6 significant digits published).
    for (mut f, published) in [(penalty_one(4), 2.24997e-5), (penalty_one(10), 7.08765e-5), (chebyquad(8), 3.51687e-3), (chebyquad(10), 6.50395e-3)] {
        let mut x = f.x0.clone();
        let r = solve(&mut f, &mut x, options(NewtonMethod::TrustRegion));
        assert!((r.value - published).abs() <= 5e-6 * published, "{} n = {}: {:e} vs {published:e}", f.name, f.n, r.value);
        assert!(r.gradient_norm <= 1e-8, "{}: {:e}", f.name, r.gradient_norm);
    }
}

/// `f = x^T A x / 2 - b^T x` with the tridiagonal `A = tridiag(-1, 2 + c_i, -1)`, counting
/// products and optionally failing.
struct Quadratic {
    diag: Vec<f64>,
    b: Vec<f64>,
    /// Code returned by the objective at every point other than the start, once.
    fail_once: Option<i32>,
    calls: usize,
}

impl Quadratic {
    fn new(n: usize) -> Self {
        Quadratic { diag: (0..n).map(|i| 2.0 + 1e-2 * (i as f64 + 1.0)).collect(), b: (0..n).map(|i| ((i + 1) as f64).sin()).collect(), fail_once: None, calls: 0 }
    }
    fn apply(&self, v: &[f64], out: &mut [f64]) {
        let n = v.len();
        for i in 0..n {
            out[i] = self.diag[i] * v[i] - if i > 0 { v[i - 1] } else { 0.0 } - if i + 1 < n { v[i + 1] } else { 0.0 };
        }
    }
    fn dense_solution(&self) -> Vec<f64> {
        let n = self.b.len();
        let a = faer::Mat::<f64>::from_fn(n, n, |i, j| if i == j { self.diag[i] } else if i.abs_diff(j) == 1 { -1.0 } else { 0.0 });
        let rhs = faer::Mat::<f64>::from_fn(n, 1, |i, _| self.b[i]);
        let x = a.partial_piv_lu().solve(&rhs);
        (0..n).map(|i| x[(i, 0)]).collect()
    }
}

impl Objective for Quadratic {
    fn value(&mut self, x: &[f64]) -> Result<f64, OracleFailure> {
        self.calls += 1;
        if self.calls == 2 {
            if let Some(code) = self.fail_once.take() {
                return Err(OracleFailure { code });
            }
        }
        let mut ax = vec![0.0; x.len()];
        self.apply(x, &mut ax);
        Ok(x.iter().zip(&ax).map(|(a, b)| 0.5 * a * b).sum::<f64>() - x.iter().zip(&self.b).map(|(a, b)| a * b).sum::<f64>())
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure> {
        self.apply(x, g);
        g.iter_mut().zip(&self.b).for_each(|(gi, bi)| *gi -= bi);
        Ok(())
    }
    fn hessian_vector(&mut self, _x: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure> {
        self.apply(v, hv);
        Ok(())
    }
}

#[test]
fn every_method_minimises_a_quadratic_to_the_direct_solution() {
    let reference = Quadratic::new(200).dense_solution();
    for m in METHODS {
        let mut q = Quadratic::new(200);
        let mut x = vec![0.0; 200];
        let r = solve(&mut q, &mut x, options(m));
        assert!(r.termination.converged(), "{}: {:?}", m.name(), r.termination);
        let err = x.iter().zip(&reference).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        // ||g|| <= 1e-8 and lambda_min(A) >= 0.01 bound the error by 1e-6; it is far smaller.
        assert!(err <= 1e-6, "{}: max error {err:e}", m.name());
    }
}

#[test]
fn an_oracle_that_cannot_evaluate_a_trial_point_does_not_stop_the_solve() {
    for m in METHODS {
        let mut q = Quadratic::new(50);
        q.fail_once = Some(3);
        let mut x = vec![0.0; 50];
        let r = solve(&mut q, &mut x, options(m));
        assert!(r.termination.converged(), "{}: {:?}", m.name(), r.termination);
        assert_eq!(r.failed_evaluations, 1, "{}", m.name());
    }
}

#[test]
fn an_oracle_abort_stops_the_solve_and_leaves_x_untouched() {
    for m in METHODS {
        let mut q = Quadratic::new(50);
        q.fail_once = Some(-4);
        let start = vec![0.5; 50];
        let mut x = start.clone();
        let mut solver = NewtonSolver::new(options(m));
        let r = solver.minimize(&mut q, &mut x, None).unwrap().clone();
        assert_eq!(r.termination, NewtonTermination::OracleFailed { oracle: "objective", code: -4 }, "{}", m.name());
        assert_eq!(r.callback_code, -4);
        assert_eq!(x, start);
        assert_eq!(solver.last_point(), &start[..], "no step was accepted");
    }
}

#[test]
fn non_finite_values_at_a_trial_point_shrink_the_step_and_at_the_start_fail() {
    /// `sqrt(1 + (x0 - 0.9)^2) + x1^2`, NaN where `x0 > 1.2`: from `x0 = -0.3` the full Newton
    /// step (`t -> -t^3`) lands at `x0 = 2.63`, in the NaN region.
    struct NanFar;
    impl Objective for NanFar {
        fn value(&mut self, x: &[f64]) -> Result<f64, OracleFailure> {
            Ok(if x[0] > 1.2 { f64::NAN } else { (1.0 + (x[0] - 0.9).powi(2)).sqrt() + x[1] * x[1] })
        }
        fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure> {
            let t = x[0] - 0.9;
            g[0] = if x[0] > 1.2 { f64::NAN } else { t / (1.0 + t * t).sqrt() };
            g[1] = 2.0 * x[1];
            Ok(())
        }
        fn hessian_vector(&mut self, x: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure> {
            let t = x[0] - 0.9;
            hv[0] = v[0] / (1.0 + t * t).powf(1.5);
            hv[1] = 2.0 * v[1];
            Ok(())
        }
    }
    let mut o = options(NewtonMethod::TrustRegion);
    o.initial_radius = 100.0;
    o.gatol = 1e-10;
    let mut x = vec![-0.3, 1.0];
    let r = solve(&mut NanFar, &mut x, o.clone());
    assert!(r.termination.converged() && r.failed_evaluations >= 1, "{r:?}");
    assert!((x[0] - 0.9).abs() < 1e-9 && x[1].abs() < 1e-9, "{x:?}");
    let mut x = vec![3.0, 0.0];
    let r = solve(&mut NanFar, &mut x, o);
    assert!(matches!(r.termination, NewtonTermination::NonFinite(ref m) if m.contains("starting point")), "{:?}", r.termination);
    assert_eq!(x, [3.0, 0.0]);
}

#[test]
fn monitor_limits_and_tolerances_stop_where_asked() {
    let mut f = standard_set().into_iter().find(|f| f.name == "extended_rosenbrock").unwrap();
    // The monitor sees every iteration and can stop the run; x is then untouched.
    let mut seen = 0;
    let mut monitor = |r: &NewtonReport, _x: &[f64]| {
        seen += 1;
        assert_eq!(r.iterations, seen);
        if seen == 5 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    };
    let mut x = f.x0.clone();
    let mut solver = NewtonSolver::new(options(NewtonMethod::TrustRegion));
    let r = solver.minimize(&mut f, &mut x, Some(&mut monitor)).unwrap().clone();
    assert_eq!((r.termination.clone(), r.iterations), (NewtonTermination::MonitorStop, 5));
    assert_eq!(x, f.x0);
    assert_ne!(solver.last_point(), &f.x0[..], "the last accepted point is kept");

    let mut o = options(NewtonMethod::TrustRegion);
    o.max_iterations = 7;
    let mut x = f.x0.clone();
    let r = solve(&mut f, &mut x, o);
    assert_eq!((r.termination, r.iterations), (NewtonTermination::MaxIterations, 7));
    let mut g = vec![0.0; f.n];
    assert!(f.value_gradient(&x, &mut g).unwrap() < r.initial_value, "x holds the best point found");

    let mut o = options(NewtonMethod::LineSearch);
    o.max_evaluations = 40;
    let mut x = f.x0.clone();
    let r = solve(&mut f, &mut x, o);
    assert_eq!(r.termination, NewtonTermination::MaxEvaluations);
    assert!(r.evaluations() >= 40 && r.evaluations() < 40 + f.n, "{}", r.evaluations());

    let mut o = options(NewtonMethod::TrustRegion);
    o.ftol = 1e-3;
    let mut x = f.x0.clone();
    let r = solve(&mut f, &mut x, o);
    assert_eq!(r.termination, NewtonTermination::FunctionChange);
    let mut o = options(NewtonMethod::TrustRegion);
    o.xtol = 1e-2;
    let mut x = f.x0.clone();
    let r = solve(&mut f, &mut x, o);
    assert_eq!(r.termination, NewtonTermination::StepSize);
    assert!(r.step_norm <= 1e-2 * 1.0f64.max((f.n as f64).sqrt() * 2.0));
}

#[test]
fn a_preconditioner_cuts_cg_iterations_and_keeps_the_answer() {
    /// A quadratic with diagonal spread over six orders of magnitude and its Jacobi
    /// preconditioner.
    struct Spread(bool);
    impl Objective for Spread {
        fn value(&mut self, x: &[f64]) -> Result<f64, OracleFailure> {
            Ok(x.iter().enumerate().map(|(i, v)| 0.5 * 10f64.powf(6.0 * i as f64 / 99.0) * v * v - v).sum())
        }
        fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure> {
            x.iter().enumerate().for_each(|(i, v)| g[i] = 10f64.powf(6.0 * i as f64 / 99.0) * v - 1.0);
            Ok(())
        }
        fn hessian_vector(&mut self, _x: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure> {
            v.iter().enumerate().for_each(|(i, vi)| hv[i] = 10f64.powf(6.0 * i as f64 / 99.0) * vi);
            Ok(())
        }
        fn has_preconditioner(&self) -> bool {
            self.0
        }
        fn precondition(&mut self, _x: &[f64], r: &[f64], z: &mut [f64]) -> Result<(), OracleFailure> {
            r.iter().enumerate().for_each(|(i, ri)| z[i] = ri / 10f64.powf(6.0 * i as f64 / 99.0));
            Ok(())
        }
    }
    // gatol 1e-6: the unpreconditioned run (condition 1e6) stalls near ||g|| = 3e-7, where its
    // decreases of f are below the rounding of f and its gradient no longer falls reliably.
    let mut o = options(NewtonMethod::LineSearch);
    o.gatol = 1e-6;
    let (mut x0, mut x1) = (vec![0.0; 100], vec![0.0; 100]);
    let plain = solve(&mut Spread(false), &mut x0, o.clone());
    let pre = solve(&mut Spread(true), &mut x1, o);
    assert!(plain.termination.converged() && pre.termination.converged(), "{plain:?}\n{pre:?}");
    assert!(pre.cg_iterations * 5 <= plain.cg_iterations, "{} vs {}", pre.cg_iterations, plain.cg_iterations);
    assert!(pre.preconditioner_calls > 0);
    // The minimiser is x_i = 1 / d_i; |d_i x_i - 1| is the gradient's component.
    for (i, (a, b)) in x0.iter().zip(&x1).enumerate() {
        let d = 10f64.powf(6.0 * i as f64 / 99.0);
        assert!((d * a - 1.0).abs() <= 1e-6 && (d * b - 1.0).abs() <= 1e-6, "{i}: {a} {b} {}", 1.0 / d);
    }
}

#[test]
fn strong_wolfe_and_known_lipschitz_variants_converge() {
    for mut f in standard_set().into_iter().filter(|f| f.convex) {
        let mut o = options(NewtonMethod::LineSearch);
        o.set("line_search", 1.0).unwrap();
        let mut x = f.x0.clone();
    let r = solve(&mut f, &mut x, o);
        assert!(reached(&f, &r), "Wolfe {}: {:?} ||g|| = {:e}", f.name, r.termination, r.gradient_norm);
    }
    // Logistic regression: L = 1 bounds the third derivative in the Hessian's norm scale
    // loosely enough for the fixed-L AICN step to converge.
    let mut f = standard_set().into_iter().find(|f| f.name == "logistic_regression").unwrap();
    let mut o = options(NewtonMethod::Damped);
    o.lipschitz = 1.0;
    let mut x = f.x0.clone();
    let r = solve(&mut f, &mut x, o);
    assert!(reached(&f, &r), "{:?} {:e}", r.termination, r.gradient_norm);
}

#[test]
fn invalid_input_is_refused_before_any_evaluation() {
    let mut q = Quadratic::new(3);
    let mut solver = NewtonSolver::new(NewtonOptions::default());
    assert!(solver.minimize(&mut q, &mut [], None).is_err());
    let mut x = [0.0, f64::NAN, 0.0];
    let e = solver.minimize(&mut q, &mut x, None).unwrap_err();
    assert!(e.message().contains("x[1]"), "{e}");
    assert_eq!(q.calls, 0);
}

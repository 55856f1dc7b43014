//! The equality-constrained solver (AdaSketch-Newton) against independent references: a dense
//! KKT solve for quadratic programs, the published optima of the Hock-Schittkowski and
//! Boggs-Tolle problems, the closed-form solution of the PDE-control problem, and Ipopt on the
//! breast-cancer logistic regression. Plus the oracle semantics, limits and reproducibility.

#[path = "../benches/common/ipopt.rs"]
#[allow(dead_code)]
mod ipopt;

use nksolve::constrained::{
    ConstrainedObjective, ConstrainedOptions, ConstrainedSolver, ConstrainedTermination, KktSolver, SparsePattern,
};
use nksolve::problems::constrained::{equality_constrained_set, ConstrainedProblem};
use nksolve::problems::constrained_logistic::ConstrainedLogistic;
use nksolve::problems::pde_control::PdeControl;
use nksolve::OracleFailure;
use std::ops::ControlFlow;

/// `min 1/2 x^T Q x + q^T x  s.t.  A x = b`, `Q = tridiag(-1, q_diag, -1)`, `A` dense `m x n`:
/// a quadratic program whose KKT system is linear, with its sparse rows for Kaczmarz.
struct Qp {
    n: usize,
    m: usize,
    q_diag: f64,
    a: Vec<f64>, // row-major m x n
    b: Vec<f64>,
    q: Vec<f64>,
    jacobian: SparsePattern,
    hessian: SparsePattern,
}

impl Qp {
    fn new(n: usize, m: usize, q_diag: f64) -> Self {
        let a = (0..m * n).map(|k| (((k * 37) % 11) as f64 - 5.0) / 5.0 + if k % (n + 1) == 0 { 2.0 } else { 0.0 }).collect();
        let b = (0..m).map(|i| 1.0 + i as f64).collect();
        let q = (0..n).map(|i| (i as f64 * 0.7).sin()).collect();
        let jacobian = SparsePattern::new(m, n, (0..=m).map(|i| i * n).collect(), (0..m * n).map(|k| k % n).collect(), "J").unwrap();
        let (mut rp, mut ci) = (vec![0], vec![]);
        for i in 0..n {
            ci.extend((i.saturating_sub(1)..(i + 2).min(n)).collect::<Vec<_>>());
            rp.push(ci.len());
        }
        let hessian = SparsePattern::new(n, n, rp, ci, "H").unwrap();
        Qp { n, m, q_diag, a, b, q, jacobian, hessian }
    }

    fn qx(&self, x: &[f64], out: &mut [f64]) {
        for i in 0..self.n {
            out[i] = self.q_diag * x[i] - if i > 0 { x[i - 1] } else { 0.0 } - if i + 1 < self.n { x[i + 1] } else { 0.0 };
        }
    }

    /// The KKT solution `(x, lambda)` by a dense LU solve (faer), the independent reference.
    fn dense_solution(&self) -> (Vec<f64>, Vec<f64>) {
        use faer::linalg::solvers::Solve;
        let (n, m) = (self.n, self.m);
        let k = faer::Mat::<f64>::from_fn(n + m, n + m, |i, j| match (i < n, j < n) {
            (true, true) => if i == j { self.q_diag } else if i.abs_diff(j) == 1 { -1.0 } else { 0.0 },
            (true, false) => self.a[(j - n) * n + i],
            (false, true) => self.a[(i - n) * n + j],
            (false, false) => 0.0,
        });
        let rhs = faer::Mat::<f64>::from_fn(n + m, 1, |i, _| if i < n { -self.q[i] } else { self.b[i - n] });
        let sol = k.partial_piv_lu().solve(&rhs);
        ((0..n).map(|i| sol[(i, 0)]).collect(), (0..m).map(|i| sol[(n + i, 0)]).collect())
    }
}

impl ConstrainedObjective for Qp {
    fn constraint_count(&self) -> usize {
        self.m
    }
    fn objective(&mut self, x: &[f64]) -> Result<f64, OracleFailure> {
        let mut qx = vec![0.0; self.n];
        self.qx(x, &mut qx);
        Ok((0..self.n).map(|i| 0.5 * x[i] * qx[i] + self.q[i] * x[i]).sum())
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure> {
        self.qx(x, g);
        g.iter_mut().zip(&self.q).for_each(|(gi, qi)| *gi += qi);
        Ok(())
    }
    fn constraints(&mut self, x: &[f64], c: &mut [f64]) -> Result<(), OracleFailure> {
        self.jacobian_vector(x, x, c)?;
        c.iter_mut().zip(&self.b).for_each(|(ci, bi)| *ci -= bi);
        Ok(())
    }
    fn jacobian_vector(&mut self, _x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        for i in 0..self.m {
            jv[i] = (0..self.n).map(|j| self.a[i * self.n + j] * v[j]).sum();
        }
        Ok(())
    }
    fn jacobian_transpose_vector(&mut self, _x: &[f64], w: &[f64], out: &mut [f64]) -> Result<(), OracleFailure> {
        for j in 0..self.n {
            out[j] = (0..self.m).map(|i| self.a[i * self.n + j] * w[i]).sum();
        }
        Ok(())
    }
    fn lagrangian_hessian_vector(&mut self, _x: &[f64], _l: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure> {
        self.qx(v, hv);
        Ok(())
    }
    fn jacobian_pattern(&self) -> Option<&SparsePattern> {
        Some(&self.jacobian)
    }
    fn jacobian_values(&mut self, _x: &[f64], values: &mut [f64]) -> Result<(), OracleFailure> {
        values.copy_from_slice(&self.a);
        Ok(())
    }
    fn hessian_pattern(&self) -> Option<&SparsePattern> {
        Some(&self.hessian)
    }
    fn hessian_values(&mut self, _x: &[f64], _l: &[f64], values: &mut [f64]) -> Result<(), OracleFailure> {
        for i in 0..self.n {
            for (p, j) in self.hessian.row(i) {
                values[p] = if i == j { self.q_diag } else { -1.0 };
            }
        }
        Ok(())
    }
}

fn options(kkt_solver: KktSolver) -> ConstrainedOptions {
    let mut o = ConstrainedOptions::default();
    o.kkt_solver = kkt_solver;
    o
}

fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(u, v)| (u - v).abs()).fold(0.0, f64::max)
}

#[test]
fn quadratic_program_matches_a_dense_kkt_solve_with_every_inner_solver() {
    let reference = Qp::new(20, 5, 4.0);
    let (x_ref, l_ref) = reference.dense_solution();
    // (solver, sketch columns): the block sketch projects onto several rows of K at once.
    for (solver, block) in [(KktSolver::GaussianSketch, 1), (KktSolver::GaussianSketch, 4), (KktSolver::Kaczmarz, 1), (KktSolver::Minres, 1)] {
        let mut qp = Qp::new(20, 5, 4.0);
        let mut o = options(solver);
        o.sketch_block = block;
        o.stationarity_tol = 1e-9;
        o.feasibility_tol = 1e-9;
        let (mut x, mut l) = (vec![0.0; 20], vec![0.0; 5]);
        let r = ConstrainedSolver::new(o).solve(&mut qp, &mut x, &mut l, None).unwrap().clone();
        assert!(r.termination.converged(), "{solver:?}: {}", r.termination.describe());
        assert!(max_diff(&x, &x_ref) <= 1e-8, "{solver:?}: x differs by {:e}", max_diff(&x, &x_ref));
        assert!(max_diff(&l, &l_ref) <= 1e-8, "{solver:?}: lambda differs by {:e}", max_diff(&l, &l_ref));
        assert!(r.stationarity <= 1e-9 && r.feasibility <= 1e-9);
        // The counters add up: one merit evaluation is one f, c, grad f and J^T lambda call.
        assert_eq!(r.merit_evaluations, r.objective_evaluations);
        assert_eq!(r.merit_evaluations, r.constraint_evaluations);
        assert_eq!(r.merit_evaluations, r.gradient_evaluations);
        assert_eq!(r.history.len(), r.iterations);
        assert_eq!(r.history.iter().map(|h| h.inner_iterations).sum::<usize>(), r.inner_iterations);
        assert_eq!(r.merit_evaluations, 1 + r.iterations + r.rejected_steps);
        // A quadratic: the KKT residual falls by the inner accuracy each step, ending below tol.
        let kkt: Vec<f64> = r.history.iter().map(|h| h.stationarity.hypot(h.feasibility)).collect();
        assert!(kkt.windows(2).all(|w| w[1] < w[0]), "{solver:?}: {kkt:?}");
        if solver == KktSolver::Kaczmarz {
            assert!(r.matrix_evaluations >= 2 * r.iterations, "the rows were read each step");
        }
    }
}

/// Solves `p` from its standard start; `Some(report)` when it reached the KKT tolerance and the
/// published optimal value to 1e-6 relative (absolute where `f* = 0`).
fn solve_published(p: &ConstrainedProblem, o: &ConstrainedOptions) -> (bool, nksolve::constrained::ConstrainedReport) {
    let mut p = p.clone();
    let (mut x, mut l) = (p.x0.clone(), vec![0.0; p.m]);
    let r = ConstrainedSolver::new(o.clone()).solve(&mut p, &mut x, &mut l, None).unwrap().clone();
    let good = r.termination.converged() && (r.objective - p.f_star).abs() <= 1e-6 * p.f_star.abs().max(1.0);
    (good, r)
}

/// Runs the whole HS + BT set with `o` (on two threads: the sketch runs take minutes),
/// prints a table, and returns the failures.
fn run_set(label: &str, o: &ConstrainedOptions) -> Vec<String> {
    let set = equality_constrained_set();
    assert!(set.len() >= 32, "the set has {} problems", set.len());
    let results: Vec<(bool, nksolve::constrained::ConstrainedReport)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|w| {
                let set = &set;
                scope.spawn(move || set.iter().enumerate().filter(|(i, _)| i % 2 == w).map(|(i, p)| (i, solve_published(p, o))).collect::<Vec<_>>())
            })
            .collect();
        let mut all: Vec<_> = workers.into_iter().flat_map(|h| h.join().expect("a solve panicked")).collect();
        all.sort_by_key(|(i, _)| *i);
        all.into_iter().map(|(_, r)| r).collect()
    });
    let mut failures = Vec::new();
    for (p, (good, r)) in set.iter().zip(results) {
        println!(
            "{label} {:5} n={} m={} {} iterations={} inner={} merit={} penalty_updates={} f={:.10e} f*={:.10e} kkt={:.1e}/{:.1e}",
            p.name,
            p.n,
            p.m,
            if good { "ok  " } else { "FAIL" },
            r.iterations,
            r.inner_iterations,
            r.merit_evaluations,
            r.penalty_updates,
            r.objective,
            p.f_star,
            r.stationarity,
            r.feasibility
        );
        if !good {
            failures.push(format!("{} ({})", p.name, r.termination.describe()));
        }
    }
    failures
}

#[test]
fn hock_schittkowski_and_boggs_tolle_set_with_minres() {
    let failures = run_set("minres", &options(KktSolver::Minres));
    let n = equality_constrained_set().len();
    assert!(failures.len() * 10 <= n, "MINRES failed {} of {n}: {failures:?}", failures.len());
}

/// The acceptance test: the default method (Gaussian sketch, the paper's settings)
/// solves at least 90% of the Hock-Schittkowski + Boggs-Tolle set to KKT 1e-6 with the
/// published optimal values. The misses, printed, are the degenerate problems whose reduced
/// Hessian vanishes at the solution (quartic and sextic terms: the KKT matrix becomes singular
/// and a vector sketch cannot resolve it within its iteration cap) and BT7, whose start leads
/// into a region with two local minima.
#[test]
fn hock_schittkowski_and_boggs_tolle_set_with_the_default_sketch() {
    // HS26 needs about 530 iterations (linear convergence at its degenerate minimiser); the
    // cap keeps the two that do not converge (HS46, HS49) from running 1000.
    let mut o = ConstrainedOptions::default();
    o.max_iterations = 700;
    let failures = run_set("sketch", &o);
    let n = equality_constrained_set().len();
    println!("sketch: {} of {n} solved; failures: {failures:?}", n - failures.len());
    assert!(failures.len() * 10 <= n, "the Gaussian sketch failed {} of {n}: {failures:?}", failures.len());
}

/// Randomized Kaczmarz on the sparse rows, on the problems whose KKT matrices are well enough
/// conditioned for a row method (the degenerate ones are not, as for the vector sketch).
#[test]
fn kaczmarz_solves_the_well_conditioned_problems_of_the_set() {
    let names = ["hs7", "hs28", "hs39", "hs40", "hs42", "hs48", "hs51", "hs56", "hs61", "hs77", "hs78", "hs79", "bt2", "bt3", "bt5", "bt9", "bt10", "bt11"];
    let set = equality_constrained_set();
    for name in names {
        let p = set.iter().find(|p| p.name == name).unwrap();
        let (good, r) = solve_published(p, &options(KktSolver::Kaczmarz));
        assert!(good, "{name}: {} f = {} (f* = {})", r.termination.describe(), r.objective, p.f_star);
        assert!(r.matrix_evaluations > 0 && r.hessian_products > 0);
    }
}

#[test]
fn pde_control_matches_the_closed_form_solution() {
    for (grid, preconditioned) in [(16, true), (16, false), (64, true)] {
        let mut p = if preconditioned { PdeControl::with_preconditioner(grid) } else { PdeControl::new(grid) };
        let (x_ref, l_ref) = p.direct_solution();
        let (mut x, mut l) = (p.start(), vec![0.0; p.m()]);
        let mut o = options(KktSolver::Minres);
        o.stationarity_tol = 1e-9;
        o.feasibility_tol = 1e-9;
        let r = ConstrainedSolver::new(o).solve(&mut p, &mut x, &mut l, None).unwrap().clone();
        assert!(r.termination.converged(), "N = {grid}: {}", r.termination.describe());
        let scale = x_ref.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        assert!(max_diff(&x, &x_ref) <= 1e-8 * scale, "N = {grid}: x differs by {:e}", max_diff(&x, &x_ref));
        let lscale = l_ref.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        assert!(max_diff(&l, &l_ref) <= 1e-7 * lscale, "N = {grid}: lambda differs by {:e}", max_diff(&l, &l_ref));
        if preconditioned {
            // The exact block-diagonal preconditioner has three eigenvalues: MINRES needs a
            // handful of iterations per Newton step whatever N (Murphy-Golub-Wathen).
            assert!(r.inner_iterations <= 10 * r.iterations, "N = {grid}: {} MINRES iterations", r.inner_iterations);
            assert!(r.preconditioner_calls > 0);
        }
    }
    // The sketch on a small grid: the same solution, honestly slower.
    let mut p = PdeControl::new(4);
    let (x_ref, _) = p.direct_solution();
    let (mut x, mut l) = (p.start(), vec![0.0; p.m()]);
    let r = ConstrainedSolver::new(ConstrainedOptions::default()).solve(&mut p, &mut x, &mut l, None).unwrap().clone();
    assert!(r.termination.converged(), "{}", r.termination.describe());
    assert!(max_diff(&x, &x_ref) <= 1e-5, "sketch: x differs by {:e}", max_diff(&x, &x_ref));
}

/// Constrained logistic regression on scikit-learn's breast-cancer data (569 samples, 30
/// standardised features, 3 random linear equalities and `||w||^2 = 1`) against Ipopt
/// (limited-memory Hessian: the problem gives no Hessian rows) run in the same test.
#[test]
fn breast_cancer_logistic_regression_matches_ipopt() {
    let data = include_str!("data/breast_cancer.csv");
    let problem = ConstrainedLogistic::from_csv(data, 3, 7);
    let (n, m) = (problem.n(), problem.m());
    let mut ours = problem.clone();
    let (mut x, mut l) = (problem.start(), vec![0.0; m]);
    let mut o = options(KktSolver::Minres);
    o.stationarity_tol = 1e-8;
    o.feasibility_tol = 1e-8;
    let r = ConstrainedSolver::new(o).solve(&mut ours, &mut x, &mut l, None).unwrap().clone();
    assert!(r.termination.converged(), "{}", r.termination.describe());
    println!("nksolve: f = {:.12e} in {} iterations ({} MINRES)", r.objective, r.iterations, r.inner_iterations);
    // The default Gaussian sketch reaches the same point at the tolerance.
    let mut sk = problem.clone();
    let (mut xs, mut ls) = (problem.start(), vec![0.0; m]);
    let rs = ConstrainedSolver::new(ConstrainedOptions::default()).solve(&mut sk, &mut xs, &mut ls, None).unwrap().clone();
    assert!(rs.termination.converged(), "sketch: {}", rs.termination.describe());
    assert!((rs.objective - r.objective).abs() <= 1e-6 * r.objective.abs(), "sketch f = {} vs {}", rs.objective, r.objective);
    let Some(ipopt) = ipopt::Ipopt::load() else {
        let why = ipopt::Ipopt::why_missing().unwrap_or_default();
        assert!(std::env::var_os("CI").is_none(), "CI must have Ipopt: {why}");
        println!("skipping the Ipopt comparison: {why}");
        return;
    };
    let mut settings = ipopt::IpoptSettings::kkt_2norm(1e-9, n, m);
    settings.limited_memory = true;
    let mut theirs = problem.clone();
    let mut xi = problem.start();
    let ri = ipopt.solve(&mut theirs, &mut xi, &settings).expect("Ipopt runs");
    assert!(ri.succeeded(), "Ipopt: {}", ri.status_name);
    println!("Ipopt: f = {:.12e} in {} iterations", ri.objective, ri.iterations);
    assert!((r.objective - ri.objective).abs() <= 1e-6 * ri.objective.abs(), "f = {} vs Ipopt's {}", r.objective, ri.objective);
    assert!(max_diff(&x, &xi) <= 1e-4, "w differs from Ipopt's by {:e}", max_diff(&x, &xi));
}

/// `min -x0 x1 s.t. x0^2 + x1^2 = 2`: minima at +-(1, 1) (f = -1), maxima at +-(1, -1) (f = 1),
/// all KKT points. From next to a maximiser plain Newton-KKT goes to it; the curvature test
/// shifts the Hessian and the solve reaches a minimiser.
struct SaddleCircle;

impl ConstrainedObjective for SaddleCircle {
    fn constraint_count(&self) -> usize {
        1
    }
    fn objective(&mut self, x: &[f64]) -> Result<f64, OracleFailure> {
        Ok(-x[0] * x[1])
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure> {
        g[0] = -x[1];
        g[1] = -x[0];
        Ok(())
    }
    fn constraints(&mut self, x: &[f64], c: &mut [f64]) -> Result<(), OracleFailure> {
        c[0] = x[0] * x[0] + x[1] * x[1] - 2.0;
        Ok(())
    }
    fn jacobian_vector(&mut self, x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        jv[0] = 2.0 * x[0] * v[0] + 2.0 * x[1] * v[1];
        Ok(())
    }
    fn jacobian_transpose_vector(&mut self, x: &[f64], w: &[f64], jtw: &mut [f64]) -> Result<(), OracleFailure> {
        jtw[0] = 2.0 * x[0] * w[0];
        jtw[1] = 2.0 * x[1] * w[0];
        Ok(())
    }
    fn lagrangian_hessian_vector(&mut self, _x: &[f64], l: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure> {
        hv[0] = 2.0 * l[0] * v[0] - v[1];
        hv[1] = -v[0] + 2.0 * l[0] * v[1];
        Ok(())
    }
}

#[test]
fn the_curvature_test_steers_away_from_a_maximiser() {
    for solver in [KktSolver::Minres, KktSolver::GaussianSketch] {
        let (mut x, mut l) = (vec![1.1, -0.9], vec![-0.5]);
        let mut o = options(solver);
        o.set("multiplier_start", 1.0).unwrap();
        let r = ConstrainedSolver::new(o).solve(&mut SaddleCircle, &mut x, &mut l, None).unwrap().clone();
        assert!(r.termination.converged(), "{solver:?}: {}", r.termination.describe());
        assert!((r.objective + 1.0).abs() <= 1e-6, "{solver:?}: f = {} at {x:?}, not the minimum -1", r.objective);
        assert!(r.regularized_steps >= 1, "{solver:?}: no step was shifted");
    }
    // Without the test, Newton-KKT converges to the maximiser next to the start.
    let (mut x, mut l) = (vec![1.1, -0.9], vec![-0.5]);
    let mut o = options(KktSolver::Minres);
    o.set("multiplier_start", 1.0).unwrap();
    o.curvature_tol = 0.0;
    let r = ConstrainedSolver::new(o).solve(&mut SaddleCircle, &mut x, &mut l, None).unwrap().clone();
    assert!(r.termination.converged() && (r.objective - 1.0).abs() <= 1e-6, "f = {} {}", r.objective, r.termination.describe());
    assert_eq!(r.regularized_steps, 0);
}

#[test]
fn sharpening_the_accuracy_gives_faster_local_convergence() {
    let set = equality_constrained_set();
    let mut total = [0usize; 2];
    for name in ["hs7", "hs40", "hs77", "hs78", "bt5", "bt12"] {
        let p = set.iter().find(|p| p.name == name).unwrap();
        for (k, sharpen) in [true, false].into_iter().enumerate() {
            let mut o = ConstrainedOptions::default();
            o.sharpen = sharpen;
            o.stationarity_tol = 1e-9;
            o.feasibility_tol = 1e-9;
            let (good, r) = solve_published(p, &o);
            assert!(good && r.termination.converged(), "{name} sharpen={sharpen}: {}", r.termination.describe());
            total[k] += r.iterations;
            if sharpen {
                // Superlinear: the last full steps cut the KKT residual by far more than the
                // unsharpened accuracy 0.1 would.
                let kkt: Vec<f64> = r.history.iter().map(|h| h.stationarity.hypot(h.feasibility)).collect();
                let last = kkt.len() - 1;
                let final_kkt = r.stationarity.hypot(r.feasibility);
                assert!(final_kkt <= 1e-2 * kkt[last], "{name}: last step {:e} -> {final_kkt:e}", kkt[last]);
            }
        }
    }
    assert!(total[0] < total[1], "sharpened {} iterations vs {} unsharpened", total[0], total[1]);
}

#[test]
fn the_seed_makes_sketched_solves_reproducible() {
    let p = equality_constrained_set().into_iter().find(|p| p.name == "hs40").unwrap();
    let solve = |seed: u64, solver: KktSolver| {
        let mut o = options(solver);
        o.seed = seed;
        let mut q = p.clone();
        let (mut x, mut l) = (p.x0.clone(), vec![0.0; p.m]);
        let r = ConstrainedSolver::new(o).solve(&mut q, &mut x, &mut l, None).unwrap().clone();
        (x, r)
    };
    for solver in [KktSolver::GaussianSketch, KktSolver::Kaczmarz] {
        let (x1, r1) = solve(3, solver);
        let (x2, r2) = solve(3, solver);
        assert_eq!(x1, x2, "{solver:?}: same seed, different iterates");
        assert_eq!(r1.inner_iterations, r2.inner_iterations);
        let (x3, r3) = solve(4, solver);
        assert!(r3.termination.converged());
        assert_ne!(r1.inner_iterations, r3.inner_iterations, "{solver:?}: the seed is not used");
        assert!(max_diff(&x1, &x3) <= 1e-5, "{solver:?}: another seed, another solution");
    }
}

/// A problem wrapper that fails on demand: `code` returned by the objective at every trial
/// point after `after` evaluations (once when `once`).
struct Failing {
    inner: ConstrainedProblem,
    evaluations: usize,
    after: usize,
    code: i32,
    once: bool,
}

impl ConstrainedObjective for Failing {
    fn constraint_count(&self) -> usize {
        self.inner.m
    }
    fn objective(&mut self, x: &[f64]) -> Result<f64, OracleFailure> {
        self.evaluations += 1;
        if self.evaluations > self.after && self.code != 0 {
            let code = self.code;
            if self.once {
                self.code = 0;
            }
            return Err(OracleFailure { code });
        }
        ConstrainedObjective::objective(&mut self.inner, x)
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure> {
        ConstrainedObjective::gradient(&mut self.inner, x, g)
    }
    fn constraints(&mut self, x: &[f64], c: &mut [f64]) -> Result<(), OracleFailure> {
        ConstrainedObjective::constraints(&mut self.inner, x, c)
    }
    fn jacobian_vector(&mut self, x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        ConstrainedObjective::jacobian_vector(&mut self.inner, x, v, jv)
    }
    fn jacobian_transpose_vector(&mut self, x: &[f64], w: &[f64], jtw: &mut [f64]) -> Result<(), OracleFailure> {
        ConstrainedObjective::jacobian_transpose_vector(&mut self.inner, x, w, jtw)
    }
    fn lagrangian_hessian_vector(&mut self, x: &[f64], l: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure> {
        ConstrainedObjective::lagrangian_hessian_vector(&mut self.inner, x, l, v, hv)
    }
}

#[test]
fn oracle_failures_limits_and_the_monitor_follow_the_newton_semantics() {
    let hs78 = equality_constrained_set().into_iter().find(|p| p.name == "hs78").unwrap();
    let failing = |after, code, once| Failing { inner: hs78.clone(), evaluations: 0, after, code, once };
    let x0 = hs78.x0.clone();
    let run = |p: &mut Failing, o: ConstrainedOptions, monitor: Option<&mut nksolve::constrained::ConstrainedMonitor>| {
        let (mut x, mut l) = (x0.clone(), vec![0.0; 3]);
        let mut s = ConstrainedSolver::new(o);
        let r = s.solve(p, &mut x, &mut l, monitor).unwrap().clone();
        (x, r, s.last_point().to_vec())
    };
    // > 0 at the first trial point: the step is shortened and the solve converges.
    let (_, r, _) = run(&mut failing(1, 3, true), options(KktSolver::Minres), None);
    assert!(r.termination.converged() && r.failed_evaluations == 1 && r.history[0].step_length < 1.0, "{r:?}");
    // < 0 after two iterations: stopped, x untouched, the last accepted point kept.
    let (x, r, last) = run(&mut failing(3, -4, false), options(KktSolver::Minres), None);
    assert_eq!(r.termination, ConstrainedTermination::OracleFailed { oracle: "objective", code: -4 });
    assert_eq!((x.clone(), r.callback_code), (x0.clone(), -4));
    assert_ne!(last, x0, "the accepted points before the abort are kept");
    // > 0 at the start cannot be cured.
    let (x, r, _) = run(&mut failing(0, 2, false), options(KktSolver::Minres), None);
    assert!(matches!(r.termination, ConstrainedTermination::OracleFailed { code: 2, .. }), "{:?}", r.termination);
    assert_eq!(x, x0);
    // The iteration limit returns the last point, usable.
    let mut o = options(KktSolver::Minres);
    o.max_iterations = 2;
    let (x, r, last) = run(&mut failing(0, 0, false), o, None);
    assert_eq!((r.termination.clone(), r.iterations), (ConstrainedTermination::MaxIterations, 2));
    assert_eq!(x, last);
    // The monitor sees every iteration and can stop the solve (x untouched).
    let mut seen = 0;
    let mut monitor = |rep: &nksolve::constrained::ConstrainedReport, x: &[f64], l: &[f64]| {
        seen += 1;
        assert_eq!((rep.iterations, x.len(), l.len()), (seen, 5, 3));
        if seen == 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let (x, r, _) = run(&mut failing(0, 0, false), options(KktSolver::Minres), Some(&mut monitor));
    assert_eq!((r.termination, x), (ConstrainedTermination::MonitorStop, x0.clone()));
    // Invalid input is refused before any evaluation.
    let mut p = failing(0, 0, false);
    let (mut x, mut l) = (x0.clone(), vec![0.0; 2]);
    assert!(ConstrainedSolver::new(ConstrainedOptions::default()).solve(&mut p, &mut x, &mut l, None).is_err());
    let mut l = vec![0.0; 3];
    assert!(ConstrainedSolver::new(options(KktSolver::Kaczmarz)).solve(&mut p, &mut x, &mut l, None).is_err());
    assert_eq!(p.evaluations, 0);
}

//! Entropic optimal transport against independent references: closed-form 1D Wasserstein
//! distances (sorted CDFs / quantile functions), exact assignments by enumerating every
//! permutation, and the entropic bias bound `OT <= <C, P_eps> <= OT + eps ln(min(n, m))`
//! (the plan's KL to `a b^T` is a mutual information, at most the smaller entropy). The POT
//! comparisons live in the Python binding's tests (`bindings/python/tests`).

use nksolve::linalg::dense::DenseRef;
use nksolve::ot::{Cost, CostExponent, OtMethod, OtProblem, OtTermination, SinkhornOptions, SinkhornSolver};

/// A reproducible uniform generator (64-bit LCG).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / 9007199254740992.0
    }
    fn weights(&mut self, n: usize) -> Vec<f64> {
        let w: Vec<f64> = (0..n).map(|_| 0.2 + self.next()).collect();
        let s: f64 = w.iter().sum();
        w.iter().map(|v| v / s).collect()
    }
}

fn options(eps: f64, method: OtMethod) -> SinkhornOptions {
    let mut o = SinkhornOptions::default();
    o.set("eps", eps).unwrap().set("tol", 1e-10).unwrap();
    o.method = method;
    o
}

fn points_1d(x: &[f64], y: &[f64], a: &[f64], b: &[f64], p: CostExponent) -> OtProblem {
    let cost = Cost::points(DenseRef::new(x, 1, x.len(), 1, "x").unwrap(), DenseRef::new(y, 1, y.len(), 1, "y").unwrap(), p).unwrap();
    OtProblem::new(cost, a, b).unwrap()
}

fn solve(problem: OtProblem, o: SinkhornOptions) -> (nksolve::ot::SinkhornReport, Vec<f64>, Vec<f64>, SinkhornSolver) {
    let (mut f, mut g) = (vec![0.0; problem.n()], vec![0.0; problem.m()]);
    let mut s = SinkhornSolver::new(o);
    let r = s.solve(problem, &mut f, &mut g).unwrap();
    (r, f, g, s)
}

/// `int_0^1 |F^-1(u) - G^-1(u)|^p du` for 1D distributions: walk the merged quantile breakpoints.
fn wasserstein_1d(x: &[f64], a: &[f64], y: &[f64], b: &[f64], p: i32) -> f64 {
    let sorted = |v: &[f64], w: &[f64]| {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
        idx.iter().map(|&i| (v[i], w[i])).collect::<Vec<_>>()
    };
    let (xs, ys) = (sorted(x, a), sorted(y, b));
    let (mut i, mut j, mut ra, mut rb, mut total) = (0, 0, xs[0].1, ys[0].1, 0.0);
    while i < xs.len() && j < ys.len() {
        let step = ra.min(rb);
        total += step * (xs[i].0 - ys[j].0).abs().powi(p);
        ra -= step;
        rb -= step;
        if ra <= 1e-15 && i + 1 < xs.len() {
            i += 1;
            ra += xs[i].1;
        } else if ra <= 1e-15 {
            break;
        }
        if rb <= 1e-15 && j + 1 < ys.len() {
            j += 1;
            rb += ys[j].1;
        } else if rb <= 1e-15 {
            break;
        }
    }
    total
}

/// Checks `OT <= cost <= OT + eps ln(min(n, m))` (to the marginal tolerance times the cost scale).
#[track_caller]
fn within_entropic_bias(cost: f64, exact: f64, eps: f64, n: usize, m: usize, scale: f64) {
    let slack = 1e-8 * scale;
    let bias = eps * (n.min(m) as f64).ln();
    assert!(cost >= exact - slack && cost <= exact + bias + slack, "entropic cost {cost} vs exact {exact}: allowed [exact, exact + {bias}]");
}

#[test]
fn one_dimensional_w1_and_w2_approach_their_closed_forms() {
    let mut r = Lcg(11);
    let (n, m) = (40, 30);
    let x: Vec<f64> = (0..n).map(|_| r.next()).collect();
    let y: Vec<f64> = (0..m).map(|_| 0.3 + 1.2 * r.next()).collect();
    let (a, b) = (r.weights(n), r.weights(m));
    for (p, exponent) in [(1, CostExponent::One), (2, CostExponent::Two)] {
        let exact = wasserstein_1d(&x, &a, &y, &b, p);
        for method in [OtMethod::Sinkhorn, OtMethod::SinkhornNewtonSparse] {
            for eps in [1e-2, 1e-3] {
                let mut o = options(eps, method);
                o.set("eps_scaling", 0.5).unwrap();
                let (rep, f, g, _) = solve(points_1d(&x, &y, &a, &b, exponent), o);
                assert_eq!(rep.termination, OtTermination::Converged, "p = {p}, {method:?}, eps = {eps}: {rep:?}");
                assert!(f.iter().chain(&g).all(|v| v.is_finite()));
                within_entropic_bias(rep.transport_cost, exact, eps, n, m, 1.0);
            }
        }
        // The bias shrinks with eps: at 1e-3 the cost is within 1% of the exact distance.
        let (rep, ..) = solve(points_1d(&x, &y, &a, &b, exponent), options(1e-3, OtMethod::SinkhornNewtonSparse));
        assert!((rep.transport_cost - exact).abs() < 1e-2 * exact, "p = {p}: {} vs {exact}", rep.transport_cost);
    }
}

#[test]
fn small_eps_recovers_the_optimal_assignment() {
    // n = m = 6, uniform weights: the LP optimum is a permutation (Birkhoff); enumerate all 720.
    let n = 6;
    let mut r = Lcg(5);
    let c: Vec<f64> = (0..n * n).map(|_| r.next()).collect();
    let mut perm: Vec<usize> = (0..n).collect();
    let mut best = f64::INFINITY;
    permutations(&mut perm, 0, &mut |p| best = best.min(p.iter().enumerate().map(|(i, &j)| c[j * n + i]).sum::<f64>() / n as f64));
    let w = vec![1.0 / n as f64; n];
    for method in [OtMethod::Sinkhorn, OtMethod::SinkhornNewtonSparse] {
        let problem = OtProblem::new(Cost::dense(DenseRef::new(&c, n, n, n, "C").unwrap()).unwrap(), &w, &w).unwrap();
        let mut o = options(1e-4, method);
        o.set("eps_scaling", 0.5).unwrap();
        let (rep, ..) = solve(problem, o);
        assert!(rep.termination.converged(), "{method:?}: {rep:?}");
        within_entropic_bias(rep.transport_cost, best, 1e-4, n, n, 1.0);
    }
}

fn permutations(p: &mut Vec<usize>, k: usize, visit: &mut dyn FnMut(&[usize])) {
    if k == p.len() {
        visit(p);
        return;
    }
    for i in k..p.len() {
        p.swap(k, i);
        permutations(p, k + 1, visit);
        p.swap(k, i);
    }
}

/// 500 random points in the unit square against 500 shifted ones, squared distances.
fn cloud_problem(n: usize, seed: u64) -> OtProblem {
    let mut r = Lcg(seed);
    let x: Vec<f64> = (0..2 * n).map(|_| r.next()).collect();
    let y: Vec<f64> = (0..2 * n).map(|k| r.next() + if k % 2 == 0 { 0.3 } else { 0.0 }).collect();
    let w = vec![1.0 / n as f64; n];
    let cost = Cost::points(DenseRef::new(&x, 2, n, 2, "x").unwrap(), DenseRef::new(&y, 2, n, 2, "y").unwrap(), CostExponent::Two).unwrap();
    OtProblem::new(cost, &w, &w).unwrap()
}

#[test]
fn eps_1e_4_on_500_points_converges_without_nan_or_underflow() {
    // exp(-C / eps) underflows for C > 0.07 here: kernel-domain Sinkhorn cannot run at all.
    let mut o = options(1e-4, OtMethod::SinkhornNewtonSparse);
    o.set("tol", 1e-8).unwrap();
    let (rep, f, g, s) = solve(cloud_problem(500, 3), o);
    assert_eq!(rep.termination, OtTermination::Converged, "{rep:?}");
    assert!(rep.marginal_error <= 1e-8 && rep.transport_cost.is_finite() && rep.regularized_cost.is_finite());
    assert!(f.iter().chain(&g).all(|v| v.is_finite()), "non-finite potentials");
    assert!(rep.exact_lines > 0, "the first iterations underflow and must take the exact path");
    // The plan's marginals, summed independently of the solver's own check.
    let (mut rows, mut cols) = (vec![0.0; 500], vec![0.0; 500]);
    for (i, j, p) in s.plan_sparse(0.0).unwrap() {
        rows[i] += p;
        cols[j] += p;
    }
    let err: f64 = rows.iter().chain(&cols).map(|v| (v - 1.0 / 500.0).abs()).sum();
    assert!(err <= 1.01e-8, "marginal error {err}");
    // Log-domain Sinkhorn at the same eps (with scaling) needs ~10^5 iterations to reach 1e-8;
    // 2000 must already be finite, close, and honest about the error it reached.
    let mut o = options(1e-4, OtMethod::Sinkhorn);
    o.set("eps_scaling", 0.5).unwrap().set("max_iterations", 2000.0).unwrap();
    let (sk, f2, g2, _) = solve(cloud_problem(500, 3), o);
    assert_eq!(sk.termination, OtTermination::MaxIterations);
    assert!(f2.iter().chain(&g2).all(|v| v.is_finite()) && sk.marginal_error < 1e-2 && sk.marginal_error > 1e-8);
    assert!((sk.transport_cost - rep.transport_cost).abs() < 1e-3 * rep.transport_cost, "{} vs {}", sk.transport_cost, rep.transport_cost);
}

#[test]
fn sns_and_sinkhorn_find_the_same_potentials_and_dense_matches_points() {
    let n = 120;
    let problem = cloud_problem(n, 9);
    let (r1, f1, g1, s1) = solve(problem.clone(), options(0.01, OtMethod::Sinkhorn));
    let (r2, f2, g2, _) = solve(problem.clone(), options(0.01, OtMethod::SinkhornNewtonSparse));
    assert!(r2.newton_iterations > 0 && r2.newton_iterations * 4 < r1.iterations, "{r1:?}\n{r2:?}");
    // Potentials are unique up to f + t, g - t.
    let t = f1[0] - f2[0];
    let gap = f1.iter().zip(&f2).map(|(a, b)| (a - b - t).abs()).chain(g1.iter().zip(&g2).map(|(a, b)| (a - b + t).abs())).fold(0.0, f64::max);
    assert!(gap < 1e-8, "potentials differ by {gap} beyond the gauge");
    assert!((r1.transport_cost - r2.transport_cost).abs() < 1e-9);
    assert!((r1.regularized_cost - r2.regularized_cost).abs() < 1e-9);
    // The regularized cost equals the dual objective <a, f> + <b, g> at the optimum.
    let w = 1.0 / n as f64;
    let dual: f64 = f1.iter().chain(&g1).map(|v| w * v).sum();
    assert!((dual - r1.regularized_cost).abs() < 1e-8, "{dual} vs {}", r1.regularized_cost);
    // The same problem from a dense cost (n != m via a column subset is covered elsewhere).
    let mut c = vec![0.0; n * n];
    let mut p = vec![0.0; n * n];
    let mut plan = nksolve::linalg::dense::DenseMut::new(&mut p, n, n, n, "P").unwrap();
    s1.plan_dense(&mut plan).unwrap();
    let mut buf = vec![0.0; n];
    for j in 0..n {
        c[j * n..(j + 1) * n].copy_from_slice(line_of(&problem, j, &mut buf));
    }
    let transport: f64 = c.iter().zip(&p).map(|(c, p)| c * p).sum();
    assert!((transport - r1.transport_cost).abs() < 1e-12 * transport);
    let dense = OtProblem::new(Cost::dense(DenseRef::new(&c, n, n, n, "C").unwrap()).unwrap(), problem.a(), problem.b()).unwrap();
    let (r3, f3, ..) = solve(dense, options(0.01, OtMethod::Sinkhorn));
    assert_eq!(r3.iterations, r1.iterations);
    assert!(f3.iter().zip(&f1).all(|(a, b)| (a - b).abs() < 1e-12));
}

fn line_of<'a>(problem: &'a OtProblem, j: usize, buf: &'a mut [f64]) -> &'a [f64] {
    for (i, v) in buf.iter_mut().enumerate() {
        *v = problem.cost().entry(i, j);
    }
    buf
}

#[test]
fn unequal_sizes_and_zero_weights_give_the_reduced_problem() {
    let mut r = Lcg(21);
    let (n, m) = (25, 17);
    let x: Vec<f64> = (0..2 * n).map(|_| r.next()).collect();
    let y: Vec<f64> = (0..2 * m).map(|_| r.next()).collect();
    let mut a = r.weights(n);
    let b = r.weights(m);
    // Zero out three source points and renormalise.
    for k in [0, 7, 24] {
        a[k] = 0.0;
    }
    let s: f64 = a.iter().sum();
    a.iter_mut().for_each(|v| *v /= s);
    let full = OtProblem::new(
        Cost::points(DenseRef::new(&x, 2, n, 2, "x").unwrap(), DenseRef::new(&y, 2, m, 2, "y").unwrap(), CostExponent::One).unwrap(),
        &a,
        &b,
    )
    .unwrap();
    let keep: Vec<usize> = (0..n).filter(|k| a[*k] > 0.0).collect();
    let xr: Vec<f64> = keep.iter().flat_map(|&k| [x[2 * k], x[2 * k + 1]]).collect();
    let ar: Vec<f64> = keep.iter().map(|&k| a[k]).collect();
    let reduced = OtProblem::new(
        Cost::points(DenseRef::new(&xr, 2, keep.len(), 2, "x").unwrap(), DenseRef::new(&y, 2, m, 2, "y").unwrap(), CostExponent::One).unwrap(),
        &ar,
        &b,
    )
    .unwrap();
    for method in [OtMethod::Sinkhorn, OtMethod::SinkhornNewtonSparse] {
        let (r1, f1, g1, s1) = solve(full.clone(), options(0.05, method));
        let (r2, ..) = solve(reduced.clone(), options(0.05, method));
        assert!(r1.termination.converged() && r2.termination.converged());
        assert!(f1.iter().chain(&g1).all(|v| v.is_finite()), "zero-weight potentials must stay finite");
        assert!((r1.transport_cost - r2.transport_cost).abs() < 1e-9, "{method:?}: {} vs {}", r1.transport_cost, r2.transport_cost);
        assert!(s1.plan_sparse(0.0).unwrap().iter().all(|e| a[e.0] > 0.0), "rows of zero weight carry no mass");
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let problem = cloud_problem(300, 4);
    let mut runs = Vec::new();
    for threads in [1, 2, 3] {
        nksolve::linalg::set_num_threads(threads).unwrap();
        for method in [OtMethod::Sinkhorn, OtMethod::SinkhornNewtonSparse] {
            let (r, f, g, _) = solve(problem.clone(), options(0.02, method));
            runs.push((threads, method, r.iterations, r.transport_cost.to_bits(), f, g));
        }
    }
    nksolve::linalg::set_num_threads(0).unwrap();
    for run in &runs[2..] {
        let reference = &runs[if run.1 == OtMethod::Sinkhorn { 0 } else { 1 }];
        assert_eq!((run.2, run.3), (reference.2, reference.3), "{} threads, {:?}", run.0, run.1);
        assert!(run.4 == reference.4 && run.5 == reference.5, "{} threads: potentials differ", run.0);
    }
}

#[test]
fn warm_start_limits_and_scaling_behave() {
    let problem = cloud_problem(200, 8);
    let (r, f, g, _) = solve(problem.clone(), options(0.01, OtMethod::Sinkhorn));
    // Restarting from the converged potentials: one iteration confirms convergence (the error
    // test needs exact column sums, which the first update of g provides).
    let mut o = options(0.01, OtMethod::Sinkhorn);
    o.use_initial_guess = true;
    let mut s = SinkhornSolver::new(o);
    let (mut f2, mut g2) = (f.clone(), g.clone());
    let warm = s.solve(problem.clone(), &mut f2, &mut g2).unwrap();
    assert_eq!(warm.iterations, 1, "{warm:?}");
    assert!((warm.transport_cost - r.transport_cost).abs() < 1e-10);
    // The iteration cap: usable potentials, the error reported honestly.
    let mut o = options(0.01, OtMethod::Sinkhorn);
    o.max_iterations = 5;
    let (capped, fc, ..) = solve(problem.clone(), o);
    assert_eq!(capped.termination, OtTermination::MaxIterations);
    assert_eq!(capped.iterations, 5);
    assert!(capped.marginal_error > 1e-10 && fc.iter().all(|v| v.is_finite()));
    // The time limit.
    let mut o = options(1e-4, OtMethod::Sinkhorn);
    o.max_seconds = 1e-3;
    let (timed, ..) = solve(cloud_problem(400, 2), o);
    assert_eq!(timed.termination, OtTermination::TimeLimit, "{timed:?}");
    // Epsilon scaling reaches the same answer in fewer iterations at small eps.
    let (plain, ..) = solve(problem.clone(), options(2e-3, OtMethod::Sinkhorn));
    let mut o = options(2e-3, OtMethod::Sinkhorn);
    o.eps_scaling = 0.5;
    let (scaled, ..) = solve(problem, o);
    assert!(scaled.termination.converged() && (scaled.transport_cost - plain.transport_cost).abs() < 1e-9);
    assert!(scaled.iterations < plain.iterations, "scaling {} vs plain {}", scaled.iterations, plain.iterations);
}

#[test]
fn stored_kernel_and_on_the_fly_exponentials_agree() {
    // The stored stabilised kernel (default for small problems) and the on-the-fly log-domain
    // updates are the same iteration: same counts, same potentials to rounding, at a moderate and
    // at a small eps (where absorptions and exact lines occur), with epsilon scaling too.
    for (eps, scaling) in [(0.01, 0.0), (1e-3, 0.0), (1e-3, 0.5)] {
        let mut runs = Vec::new();
        for kernel_mb in [1024.0, 0.0] {
            let mut o = options(eps, OtMethod::Sinkhorn);
            o.set("kernel_memory_mb", kernel_mb).unwrap().set("eps_scaling", scaling).unwrap();
            runs.push(solve(cloud_problem(150, 12), o));
        }
        let ((k, fk, gk, _), (e, fe, ge, _)) = (&runs[0], &runs[1]);
        assert!(k.termination.converged() && e.termination.converged(), "eps {eps}: {k:?} {e:?}");
        assert!(k.iterations.abs_diff(e.iterations) <= 1, "eps {eps}: {} vs {} iterations", k.iterations, e.iterations);
        let gap = fk.iter().zip(fe).chain(gk.iter().zip(ge)).fold(0.0f64, |a, (x, y)| a.max((x - y).abs()));
        assert!(gap < 1e-10, "eps {eps}, scaling {scaling}: potentials differ by {gap}");
        assert!((k.transport_cost - e.transport_cost).abs() < 1e-12, "{} vs {}", k.transport_cost, e.transport_cost);
    }
}

//! The equality-constrained test set (`problems::constrained`: Hock-Schittkowski and
//! Boggs-Tolle) against its published data and its own derivatives:
//!
//! * every stored solution is feasible, has the stored optimal value, and is a KKT point of the
//!   formulas as written (a least-squares multiplier makes `grad f + J^T lambda` vanish);
//! * the Boggs-Tolle solutions are what Newton's method on the KKT system converges to from the
//!   published (rounded) points, they are strict local minimizers, and their values match the
//!   SIF files' `*LO SOLTN` values (two documented exceptions);
//! * gradients, Jacobians and Hessian-of-the-Lagrangian products agree with central
//!   differences, the dense Hessian with the products, hyper-dual numbers with closed-form
//!   second derivatives, and the `ConstrainedObjective` oracles with the inherent methods.

use faer::linalg::solvers::Solve;
use nksolve::constrained::ConstrainedObjective;
use nksolve::problems::constrained::{boggs_tolle_set, equality_constrained_set, hock_schittkowski_set, ConstrainedProblem};
use nksolve::problems::nonlinear::{Dual, HyperDual, Scalar};

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |a, b| a.max(b.abs()))
}

fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).fold(0.0, |acc, (x, y)| acc.max((x - y).abs()))
}

/// A point away from the special structure of `x0` (equal entries, zeros).
fn generic_point(p: &ConstrainedProblem) -> Vec<f64> {
    p.x0.iter().enumerate().map(|(i, v)| v + 0.1 * (i as f64 + 1.0)).collect()
}

/// Nonzero multipliers of both signs.
fn generic_multipliers(m: usize) -> Vec<f64> {
    (0..m).map(|i| if i % 2 == 0 { 0.7 + 0.3 * i as f64 } else { -(0.4 + 0.2 * i as f64) }).collect()
}

fn generic_direction(n: usize) -> Vec<f64> {
    (0..n).map(|j| if j % 2 == 0 { 1.0 - 0.15 * j as f64 } else { -0.6 + 0.1 * j as f64 }).collect()
}

/// `lambda = argmin ||grad f + J^T lambda||` by the normal equations `(J J^T) lambda = -J g`,
/// slightly regularized so that rank-deficient Jacobians (BT8) give the minimum-norm solution.
fn least_squares_multipliers(p: &ConstrainedProblem, x: &[f64]) -> Vec<f64> {
    let (n, m) = (p.n, p.m);
    let g = p.gradient(x);
    let jac = p.jacobian(x);
    let jt = |i: usize, j: usize| jac[j * m + i];
    let gram = |i: usize, k: usize| (0..n).map(|j| jt(i, j) * jt(k, j)).sum::<f64>();
    let delta = 1e-13 * (0..m).map(|i| gram(i, i)).sum::<f64>().max(1.0);
    let a = faer::Mat::<f64>::from_fn(m, m, |i, k| gram(i, k) + if i == k { delta } else { 0.0 });
    let rhs = faer::Mat::<f64>::from_fn(m, 1, |i, _| -(0..n).map(|j| jt(i, j) * g[j]).sum::<f64>());
    let lambda = a.partial_piv_lu().solve(&rhs);
    (0..m).map(|i| lambda[(i, 0)]).collect()
}

/// Newton's method on `grad_x L(x, lambda) = 0, c(x) = 0` with the exact (hyper-dual) Hessian
/// of the Lagrangian and the dense Jacobian, from `x` and least-squares multipliers. Returns
/// `(x, lambda, residual)`.
fn kkt_newton(p: &ConstrainedProblem, x: &[f64]) -> (Vec<f64>, Vec<f64>, f64) {
    let (n, m) = (p.n, p.m);
    let mut x = x.to_vec();
    let mut lambda = least_squares_multipliers(p, &x);
    let residual = |x: &[f64], l: &[f64]| max_abs(&p.lagrangian_gradient(x, l)).max(max_abs(&p.constraint_values(x)));
    let mut best = residual(&x, &lambda);
    for _ in 0..40 {
        let g = p.lagrangian_gradient(&x, &lambda);
        let c = p.constraint_values(&x);
        let h = p.lagrangian_hessian(&x, &lambda);
        let jac = p.jacobian(&x);
        let k = faer::Mat::<f64>::from_fn(n + m, n + m, |r, s| match (r < n, s < n) {
            (true, true) => h[s * n + r],
            (true, false) => jac[r * m + (s - n)],
            (false, true) => jac[s * m + (r - n)],
            (false, false) => 0.0,
        });
        let rhs = faer::Mat::<f64>::from_fn(n + m, 1, |r, _| if r < n { -g[r] } else { -c[r - n] });
        let d = k.partial_piv_lu().solve(&rhs);
        let xn: Vec<f64> = (0..n).map(|j| x[j] + d[(j, 0)]).collect();
        let ln: Vec<f64> = (0..m).map(|i| lambda[i] + d[(n + i, 0)]).collect();
        let r = residual(&xn, &ln);
        if r.is_nan() || r >= best {
            break;
        }
        (x, lambda, best) = (xn, ln, r);
    }
    (x, lambda, best)
}

/// The eigenvalues of the Hessian of the Lagrangian on the null space of `J(x)` (ascending;
/// empty when `m = n`), and the smallest singular value of `J(x)`.
fn reduced_hessian_eigenvalues(p: &ConstrainedProblem, x: &[f64], lambda: &[f64]) -> (Vec<f64>, f64) {
    let (n, m) = (p.n, p.m);
    let jac = p.jacobian(x);
    let j = faer::Mat::<f64>::from_fn(m, n, |i, k| jac[k * m + i]);
    let svd = j.svd().expect("SVD of a small Jacobian");
    let sigma_min = (0..m).map(|i| svd.S()[i]).fold(f64::INFINITY, f64::min);
    let v = svd.V();
    let h = p.lagrangian_hessian(x, lambda);
    let hm = faer::Mat::<f64>::from_fn(n, n, |r, s| h[s * n + r]);
    let z = faer::Mat::<f64>::from_fn(n, n - m, |r, s| v[(r, m + s)]);
    let reduced = z.transpose() * &hm * &z;
    let eig = if n > m { reduced.self_adjoint_eigenvalues(faer::Side::Lower).expect("symmetric eigenvalues") } else { Vec::new() };
    (eig, sigma_min)
}

fn find(set: &[ConstrainedProblem], name: &str) -> ConstrainedProblem {
    set.iter().find(|p| p.name == name).unwrap_or_else(|| panic!("{name} is missing")).clone()
}

#[test]
fn the_set_has_the_problems_the_solver_tests_need() {
    let hs = hock_schittkowski_set();
    let all = equality_constrained_set();
    assert!(hs.len() >= 20);
    assert!(all.len() >= 32, "{} problems", all.len());
    // Hock-Schittkowski first, then Boggs-Tolle.
    let names: Vec<&str> = all.iter().map(|p| p.name).collect();
    let expected: Vec<&str> = hs.iter().chain(boggs_tolle_set().iter()).map(|p| p.name).collect();
    assert_eq!(names, expected);
    for k in 2..=12 {
        assert!(names.contains(&format!("bt{k}").as_str()), "bt{k} is missing");
    }
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), names.len(), "names repeat");
    for p in &all {
        assert!(p.m >= 1 && p.m <= p.n, "{}: n = {}, m = {}", p.name, p.n, p.m);
        assert_eq!(p.x0.len(), p.n, "{}", p.name);
        assert_eq!(p.x_star.len(), p.n, "{}", p.name);
        assert_eq!(p.constraint_values(&p.x0).len(), p.m, "{}", p.name);
        assert!(p.x0.iter().chain(&p.x_star).all(|v| v.is_finite()) && p.f_star.is_finite(), "{}", p.name);
    }
}

#[test]
fn stored_solutions_are_feasible_optimal_kkt_points() {
    let mut failures = Vec::new();
    for p in equality_constrained_set() {
        let x = &p.x_star;
        let f = p.value(x);
        let c = p.constraint_values(x);
        // Rounded published HS solutions (7 digits) leave residuals of that size; the BT
        // solutions are refined to double precision.
        let refined = p.name.starts_with("bt");
        let (c_tol, kkt_tol) = if refined { (1e-12, 1e-9) } else { (1e-5, 1e-4) };
        if (f - p.f_star).abs() > 1e-6 * p.f_star.abs().max(1.0) {
            failures.push(format!("{}: f(x*) = {f} but f* = {}", p.name, p.f_star));
        }
        let c_scale = if refined { max_abs(x).powi(2).max(1.0) } else { 1.0 };
        if max_abs(&c) > c_tol * c_scale {
            failures.push(format!("{}: c(x*) = {c:?}", p.name));
        }
        let g = p.gradient(x);
        let lambda = least_squares_multipliers(&p, x);
        let stationarity = p.lagrangian_gradient(x, &lambda);
        if max_abs(&stationarity) > kkt_tol * max_abs(&g).max(1.0) {
            failures.push(format!("{}: ||grad f + J^T lambda|| = {:e} at x*", p.name, max_abs(&stationarity)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Where each refinement starts: the solution printed in Boggs and Tolle (1989) where it solves
/// the CUTEst formulation, else (marked) a 5-digit rounding of the minimizer an SQP method
/// (SciPy's SLSQP, or trust-constr for BT7) found from the standard start.
const REFINEMENT_STARTS: &[(&str, &[f64])] = &[
    ("bt2", &[1.1049, 1.1967, 1.5353]),
    ("bt3", &[-0.76744, 0.25581, 0.62791, -0.11628, 0.25581]),
    ("bt4", &[2.2845, -3.7209, 2.4364]), // SLSQP
    ("bt5", &[3.5121, 0.21699, 3.5522]),
    ("bt6", &[1.2869, 1.4802, 1.3795, 1.3219, 0.62872]), // SLSQP
    ("bt7", &[0.5, 2.0, 0.0, 2.1213, 0.0]),              // trust-constr
    ("bt9", &[1.0, 1.0, 0.0, 0.0]),
    ("bt10", &[1.0, 1.0]),
    ("bt11", &[1.2676, 0.9653, 0.35104, -0.013642, -0.73242]), // SLSQP
    ("bt12", &[24.752, 0.24752, 0.0, 24.243, 4.77]),           // SLSQP
];

/// The SIF files' `*LO SOLTN` values and the relative agreement the refined solutions reach:
/// 1e-6 except BT3 (SIF 4.09301056, exact minimum 176/43 = 4.0930232558, 3.1e-6 apart) and
/// BT7 (SIF 306.49640688, exact local minimum 306.5, 1.2e-5 apart).
const SIF_SOLTN: &[(&str, f64, f64)] = &[
    ("bt2", 0.032568200, 1e-6),
    ("bt3", 4.09301056, 3.2e-6),
    ("bt4", -45.510551, 1e-6),
    ("bt5", 961.71517219, 1e-6),
    ("bt6", 0.277044924, 1e-6),
    ("bt7", 306.49640688, 1.2e-5),
    ("bt8", 1.0, 1e-6),
    ("bt9", -1.0, 1e-6),
    ("bt10", -1.0, 1e-6),
    ("bt11", 0.824891647, 1e-6),
    ("bt12", 6.18811881, 1e-6),
];

#[test]
fn boggs_tolle_solutions_are_the_refined_published_ones() {
    let set = boggs_tolle_set();
    let mut failures = Vec::new();
    for &(name, start) in REFINEMENT_STARTS {
        let p = find(&set, name);
        let (x, lambda, residual) = kkt_newton(&p, start);
        let scale = max_abs(&p.gradient(&p.x_star)).max(1.0);
        if residual > 1e-12 * scale {
            failures.push(format!("{name}: Newton on the KKT system stalls at residual {residual:e}"));
        }
        let dx = max_diff(&x, &p.x_star);
        if dx > 1e-10 * max_abs(&p.x_star).max(1.0) {
            failures.push(format!("{name}: the refined point {x:?} is {dx:e} from x* = {:?}", p.x_star));
        }
        let f = p.value(&x);
        if (f - p.f_star).abs() > 1e-6 * p.f_star.abs().max(1.0) {
            failures.push(format!("{name}: refined f = {f}, f* = {}", p.f_star));
        }
        // A strict local minimizer with linearly independent constraint gradients.
        let (eig, sigma_min) = reduced_hessian_eigenvalues(&p, &x, &lambda);
        if sigma_min < 1e-3 {
            failures.push(format!("{name}: J(x*) is nearly rank deficient (sigma_min = {sigma_min:e})"));
        }
        if eig.first().is_some_and(|&e| e < 1e-3) {
            failures.push(format!("{name}: the reduced Hessian at x* has eigenvalues {eig:?}"));
        }
    }
    // BT8 is degenerate (LICQ fails at x*), so it has no Newton refinement: x* is exact.
    let bt8 = find(&set, "bt8");
    assert_eq!(bt8.constraint_values(&bt8.x_star), vec![0.0, 0.0]);
    assert_eq!(bt8.value(&bt8.x_star), 1.0);
    let (_, sigma_min) = reduced_hessian_eigenvalues(&bt8, &bt8.x_star, &[0.0, 0.0]);
    assert!(sigma_min < 1e-12, "BT8's Jacobian at x* should be rank deficient");
    // Every BT problem has a refinement start or is BT8, and matches its SIF value.
    for p in &set {
        assert!(p.name == "bt8" || REFINEMENT_STARTS.iter().any(|(n, _)| *n == p.name), "{}: no refinement start", p.name);
        let &(_, sif, rtol) = SIF_SOLTN.iter().find(|(n, _, _)| *n == p.name).expect("SIF value listed");
        let f = p.value(&p.x_star);
        if (f - sif).abs() > rtol * sif.abs().max(1.0) {
            failures.push(format!("{}: f(x*) = {f}, SIF SOLTN = {sif}", p.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn documented_other_local_minima_exist() {
    let set = boggs_tolle_set();
    // BT4: the SIF file's first SOLTN value; BT7: the solution printed in the paper.
    let cases: &[(&str, &[f64])] = &[("bt4", &[3.6320, 0.72673, -3.3587]), ("bt7", &[-0.79212, -1.2624, 0.0, -0.89532, 1.1367])];
    for &(name, start) in cases {
        let p = find(&set, name);
        assert_eq!(p.other_local_minima.len(), 1, "{name}");
        let (x, lambda, residual) = kkt_newton(&p, start);
        assert!(residual < 1e-10, "{name}: residual {residual:e}");
        let (eig, _) = reduced_hessian_eigenvalues(&p, &x, &lambda);
        assert!(eig[0] > 1e-3, "{name}: reduced Hessian eigenvalues {eig:?}");
        let (f, other) = (p.value(&x), p.other_local_minima[0]);
        assert!((f - other).abs() <= 1e-8 * other.abs(), "{name}: local minimum value {f}, documented {other}");
        assert!(f > p.f_star + 1.0, "{name}: the other local minimum should be worse than f*");
    }
    for p in set.iter().filter(|p| !["bt4", "bt7"].contains(&p.name)) {
        assert!(p.other_local_minima.is_empty(), "{}", p.name);
    }
}

#[test]
fn derivatives_agree_with_central_differences() {
    for p in equality_constrained_set() {
        let x = generic_point(&p);
        let g = p.gradient(&x);
        let jac = p.jacobian(&x);
        for j in 0..p.n {
            let h = 1e-6 * x[j].abs().max(1.0);
            let (mut xp, mut xm) = (x.clone(), x.clone());
            xp[j] += h;
            xm[j] -= h;
            let fd = (p.value(&xp) - p.value(&xm)) / (2.0 * h);
            assert!((fd - g[j]).abs() <= 1e-6 * g[j].abs().max(1.0), "{} df/dx{j}: {} vs {fd}", p.name, g[j]);
            let (cp, cm) = (p.constraint_values(&xp), p.constraint_values(&xm));
            for i in 0..p.m {
                let fd = (cp[i] - cm[i]) / (2.0 * h);
                let exact = jac[j * p.m + i];
                assert!((fd - exact).abs() <= 1e-6 * exact.abs().max(1.0), "{} dc{i}/dx{j}: {exact} vs {fd}", p.name);
            }
        }
        // J v in one dual pass is the dense Jacobian times v.
        let v = generic_direction(p.n);
        let jv = p.jacobian_product(&x, &v);
        for i in 0..p.m {
            let dense: f64 = (0..p.n).map(|j| jac[j * p.m + i] * v[j]).sum();
            assert!((jv[i] - dense).abs() <= 1e-13 * max_abs(&jac).max(1.0) * max_abs(&v), "{} (J v)_{i}", p.name);
        }
    }
}

#[test]
fn hessian_of_the_lagrangian_agrees_with_differences_of_its_gradient() {
    for p in equality_constrained_set() {
        let x = generic_point(&p);
        let lambda = generic_multipliers(p.m);
        let mut directions: Vec<Vec<f64>> = (0..p.n).map(|j| (0..p.n).map(|k| (j == k) as u8 as f64).collect()).collect();
        directions.push(generic_direction(p.n));
        for v in &directions {
            let hv = p.lagrangian_hessian_product(&x, &lambda, v);
            let h = 1e-5 * max_abs(&x).max(1.0) / max_abs(v);
            let xp: Vec<f64> = x.iter().zip(v).map(|(a, b)| a + h * b).collect();
            let xm: Vec<f64> = x.iter().zip(v).map(|(a, b)| a - h * b).collect();
            let (gp, gm) = (p.lagrangian_gradient(&xp, &lambda), p.lagrangian_gradient(&xm, &lambda));
            let fd: Vec<f64> = gp.iter().zip(&gm).map(|(a, b)| (a - b) / (2.0 * h)).collect();
            let err = max_diff(&fd, &hv);
            assert!(err <= 1e-6 * max_abs(&hv).max(1.0), "{}: H v = {hv:?}, differences {fd:?} (v = {v:?})", p.name);
        }
    }
}

#[test]
fn dense_hessian_agrees_with_the_products() {
    for p in equality_constrained_set() {
        let n = p.n;
        for (x, lambda) in [(generic_point(&p), generic_multipliers(p.m)), (p.x_star.clone(), least_squares_multipliers(&p, &p.x_star))] {
            let h = p.lagrangian_hessian(&x, &lambda);
            let scale = max_abs(&h).max(1.0);
            let v = generic_direction(n);
            let hv = p.lagrangian_hessian_product(&x, &lambda, &v);
            let dense: Vec<f64> = (0..n).map(|i| (0..n).map(|j| h[j * n + i] * v[j]).sum()).collect();
            assert!(max_diff(&hv, &dense) <= 1e-13 * scale * max_abs(&v), "{}: H v {hv:?} vs {dense:?}", p.name);
            // Columns from separate passes: the mixed partials agree in either order.
            for j in 0..n {
                let e: Vec<f64> = (0..n).map(|k| (k == j) as u8 as f64).collect();
                let col = p.lagrangian_hessian_product(&x, &lambda, &e);
                assert!(max_diff(&col, &h[j * n..(j + 1) * n]) <= 1e-13 * scale, "{}: column {j}", p.name);
                for i in 0..n {
                    assert_eq!(h[j * n + i], h[i * n + j], "{}: dense Hessian not symmetric", p.name);
                }
            }
        }
    }
}

#[test]
fn hyper_dual_numbers_give_exact_second_derivatives() {
    let t = 0.7f64;
    let at = |s: f64| HyperDual { v: s, e1: 1.0, e2: 1.0, e12: 0.0 };
    let q = 1.0 / (1.0 + t * t);
    // (g, g', g'') in closed form.
    let cases: [(&str, HyperDual, [f64; 3]); 7] = [
        ("exp", at(t).exp(), [t.exp(), t.exp(), t.exp()]),
        ("sin", at(t).sin(), [t.sin(), t.cos(), -t.sin()]),
        ("cos", at(t).cos(), [t.cos(), -t.sin(), -t.cos()]),
        ("sqrt", at(t).sqrt(), [t.sqrt(), 0.5 / t.sqrt(), -0.25 * t.powf(-1.5)]),
        ("atan", at(t).atan(), [t.atan(), q, -2.0 * t * q * q]),
        ("ln", at(t).ln(), [t.ln(), 1.0 / t, -1.0 / (t * t)]),
        ("1 / t", HyperDual::c(1.0) / at(t), [1.0 / t, -1.0 / (t * t), 2.0 / (t * t * t)]),
    ];
    for (what, r, [g0, g1, g2]) in cases {
        let ok = |a: f64, b: f64| (a - b).abs() <= 1e-15 * b.abs().max(1.0);
        assert!(ok(r.v, g0) && ok(r.e1, g1) && ok(r.e2, g1) && ok(r.e12, g2), "{what}: {r:?} vs {:?}", [g0, g1, g2]);
    }
    // A composite of every operation: a^T g'' b against differences of the exact (dual)
    // directional derivative g' b, and the first-order parts against dual numbers.
    fn g<T: Scalar>(x: T, y: T) -> T {
        let one = T::c(1.0);
        x.exp() * y.sin() / (one + x * x) + x.sqrt() * y.atan() - x.ln() * (x * y).cos() + -(x - y) * (x - y) * y
    }
    let (x, y) = (1.3f64, 0.4f64);
    let (a, b) = ([0.8, -0.3], [-0.5, 1.1]);
    let r = g(HyperDual { v: x, e1: a[0], e2: b[0], e12: 0.0 }, HyperDual { v: y, e1: a[1], e2: b[1], e12: 0.0 });
    let gb = |s: f64| g(Dual { v: x + s * a[0], d: b[0] }, Dual { v: y + s * a[1], d: b[1] }).d;
    let da = g(Dual { v: x, d: a[0] }, Dual { v: y, d: a[1] }).d;
    let h = 1e-5;
    let fd = (gb(h) - gb(-h)) / (2.0 * h);
    assert!((r.v - g(x, y)).abs() <= 1e-15 * g(x, y).abs().max(1.0));
    assert!((r.e1 - da).abs() <= 1e-14 * da.abs().max(1.0), "{} vs {da}", r.e1);
    assert!((r.e2 - gb(0.0)).abs() <= 1e-14 * gb(0.0).abs().max(1.0), "{} vs {}", r.e2, gb(0.0));
    assert!((r.e12 - fd).abs() <= 1e-8 * fd.abs().max(1.0), "a^T g'' b = {} vs differences {fd}", r.e12);
}

#[test]
fn the_solver_oracles_agree_with_the_inherent_methods() {
    for p in equality_constrained_set() {
        let (n, m) = (p.n, p.m);
        let x = generic_point(&p);
        let lambda = generic_multipliers(m);
        let v = generic_direction(n);
        let w: Vec<f64> = (0..m).map(|i| 1.0 - 0.7 * i as f64).collect();
        let jac = p.jacobian(&x);
        let hess = p.lagrangian_hessian(&x, &lambda);
        let mut q = p.clone();
        assert!(!format!("{q:?}").is_empty());
        assert_eq!(q.constraint_count(), m);
        assert_eq!(ConstrainedObjective::objective(&mut q, &x), Ok(p.value(&x)));
        let mut g = vec![f64::NAN; n];
        ConstrainedObjective::gradient(&mut q, &x, &mut g).unwrap();
        assert_eq!(g, p.gradient(&x), "{}", p.name);
        let mut c = vec![f64::NAN; m];
        ConstrainedObjective::constraints(&mut q, &x, &mut c).unwrap();
        assert_eq!(c, p.constraint_values(&x), "{}", p.name);
        let mut jv = vec![f64::NAN; m];
        q.jacobian_vector(&x, &v, &mut jv).unwrap();
        assert_eq!(jv, p.jacobian_product(&x, &v), "{}", p.name);
        let mut jtw = vec![f64::NAN; n];
        q.jacobian_transpose_vector(&x, &w, &mut jtw).unwrap();
        let dense: Vec<f64> = (0..n).map(|j| (0..m).map(|i| jac[j * m + i] * w[i]).sum()).collect();
        assert!(max_diff(&jtw, &dense) <= 1e-13 * max_abs(&jac).max(1.0) * max_abs(&w), "{}: J^T w", p.name);
        assert_eq!(jtw, p.jacobian_transpose_product(&x, &w), "{}", p.name);
        let mut hv = vec![f64::NAN; n];
        q.lagrangian_hessian_vector(&x, &lambda, &v, &mut hv).unwrap();
        assert_eq!(hv, p.lagrangian_hessian_product(&x, &lambda, &v), "{}", p.name);
        // Sparse rows: every entry, each exactly once, with the dense values.
        let jp = q.jacobian_pattern().expect("Jacobian rows").clone();
        assert_eq!((jp.nrows, jp.ncols, jp.nnz()), (m, n, m * n), "{}", p.name);
        let mut jvals = vec![f64::NAN; jp.nnz()];
        q.jacobian_values(&x, &mut jvals).unwrap();
        let mut seen = vec![false; m * n];
        for i in 0..m {
            for (k, j) in jp.row(i) {
                assert!(!seen[j * m + i], "{}: Jacobian entry ({i}, {j}) listed twice", p.name);
                seen[j * m + i] = true;
                assert_eq!(jvals[k], jac[j * m + i], "{}: J[{i}, {j}]", p.name);
            }
        }
        assert!(seen.iter().all(|&s| s), "{}: Jacobian entries missing", p.name);
        let hp = q.hessian_pattern().expect("Hessian rows").clone();
        assert_eq!((hp.nrows, hp.ncols, hp.nnz()), (n, n, n * n), "{}", p.name);
        let mut hvals = vec![f64::NAN; hp.nnz()];
        q.hessian_values(&x, &lambda, &mut hvals).unwrap();
        let mut seen = vec![false; n * n];
        for i in 0..n {
            for (k, j) in hp.row(i) {
                assert!(!seen[j * n + i], "{}: Hessian entry ({i}, {j}) listed twice", p.name);
                seen[j * n + i] = true;
                assert_eq!(hvals[k], hess[j * n + i], "{}: H[{i}, {j}]", p.name);
            }
        }
        assert!(seen.iter().all(|&s| s), "{}: Hessian entries missing", p.name);
        assert!(!q.has_preconditioner());
    }
}

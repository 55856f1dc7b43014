//! The two large models of the equality-constrained solver against independent references:
//! the constrained logistic regression (`problems::constrained_logistic`) and the
//! PDE-constrained control problem (`problems::pde_control`).
//!
//! Derivatives (gradient, `J v`, `J^T w`, Hessian of the Lagrangian times `v`) are checked
//! against central differences, the sparse Jacobian and Hessian rows against the products; the
//! control problem's direct solution against the KKT equations and a dense LU solve, its
//! preconditioner against the densely assembled block-diagonal matrix; the breast-cancer data
//! against scikit-learn's counts and the standardisation it promises.

use faer::linalg::solvers::Solve;
use nksolve::constrained::ConstrainedObjective;
use nksolve::problems::constrained_logistic::ConstrainedLogistic;
use nksolve::problems::pde_control::PdeControl;
use rand::{rngs::StdRng, Rng, SeedableRng};

const BREAST_CANCER: &str = include_str!("data/breast_cancer.csv");

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |a, b| a.max(b.abs()))
}

/// `max |a - b| / max(max |b|, floor)`.
fn rel_err(a: &[f64], b: &[f64], floor: f64) -> f64 {
    assert_eq!(a.len(), b.len());
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    max_abs(&d) / max_abs(b).max(floor)
}

fn random_vec(rng: &mut StdRng, n: usize) -> Vec<f64> {
    (0..n).map(|_| rng.random::<f64>() * 2.0 - 1.0).collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn shifted(x: &[f64], t: f64, v: &[f64]) -> Vec<f64> {
    x.iter().zip(v).map(|(a, b)| a + t * b).collect()
}

/// Central difference of a vector-valued `f` along `v`.
fn central(f: &mut dyn FnMut(&[f64]) -> Vec<f64>, x: &[f64], v: &[f64], eps: f64) -> Vec<f64> {
    let (plus, minus) = (f(&shifted(x, eps, v)), f(&shifted(x, -eps, v)));
    plus.iter().zip(&minus).map(|(a, b)| (a - b) / (2.0 * eps)).collect()
}

fn unit(n: usize, j: usize) -> Vec<f64> {
    let mut e = vec![0.0; n];
    e[j] = 1.0;
    e
}

fn gradient_of(p: &mut dyn ConstrainedObjective, x: &[f64]) -> Vec<f64> {
    let mut g = vec![0.0; x.len()];
    p.gradient(x, &mut g).unwrap();
    g
}

fn constraints_of(p: &mut dyn ConstrainedObjective, x: &[f64]) -> Vec<f64> {
    let mut c = vec![0.0; p.constraint_count()];
    p.constraints(x, &mut c).unwrap();
    c
}

fn jv_of(p: &mut dyn ConstrainedObjective, x: &[f64], v: &[f64]) -> Vec<f64> {
    let mut jv = vec![0.0; p.constraint_count()];
    p.jacobian_vector(x, v, &mut jv).unwrap();
    jv
}

fn jtw_of(p: &mut dyn ConstrainedObjective, x: &[f64], w: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; x.len()];
    p.jacobian_transpose_vector(x, w, &mut out).unwrap();
    out
}

fn hv_of(p: &mut dyn ConstrainedObjective, x: &[f64], lambda: &[f64], v: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; x.len()];
    p.lagrangian_hessian_vector(x, lambda, v, &mut out).unwrap();
    out
}

/// `grad f + J^T lambda`.
fn lagrangian_gradient(p: &mut dyn ConstrainedObjective, x: &[f64], lambda: &[f64]) -> Vec<f64> {
    let g = gradient_of(p, x);
    let jt = jtw_of(p, x, lambda);
    g.iter().zip(&jt).map(|(a, b)| a + b).collect()
}

/// The Jacobian as a dense row-major `m x n` array, from its pattern and values.
fn dense_jacobian(p: &mut dyn ConstrainedObjective, x: &[f64]) -> Vec<f64> {
    let pattern = p.jacobian_pattern().expect("the model provides Jacobian rows").clone();
    assert_eq!((pattern.nrows, pattern.ncols), (p.constraint_count(), x.len()));
    let mut values = vec![f64::NAN; pattern.nnz()];
    p.jacobian_values(x, &mut values).unwrap();
    let mut dense = vec![0.0; pattern.nrows * pattern.ncols];
    for i in 0..pattern.nrows {
        for (pos, j) in pattern.row(i) {
            dense[i * pattern.ncols + j] = values[pos];
        }
    }
    dense
}

/// Central differences of every derivative oracle at `(x, lambda)`: coordinate by coordinate
/// for the gradient and `J^T w` (as the gradient of `w^T c`), along random directions for
/// `J v` and the Hessian of the Lagrangian. Returns the worst relative error.
fn derivative_errors(p: &mut dyn ConstrainedObjective, x: &[f64], lambda: &[f64], rng: &mut StdRng) -> [f64; 4] {
    let (n, m, eps) = (x.len(), lambda.len(), 1e-6);
    let w = random_vec(rng, m);
    let g = gradient_of(p, x);
    let jtw = jtw_of(p, x, &w);
    let (mut fd_g, mut fd_jtw) = (vec![0.0; n], vec![0.0; n]);
    for j in 0..n {
        let e = unit(n, j);
        fd_g[j] = central(&mut |y| vec![p.objective(y).unwrap()], x, &e, eps)[0];
        fd_jtw[j] = central(&mut |y| vec![dot(&w, &constraints_of(p, y))], x, &e, eps)[0];
    }
    let (mut err_jv, mut err_hv) = (0.0f64, 0.0f64);
    for _ in 0..3 {
        let v = random_vec(rng, n);
        let jv = jv_of(p, x, &v);
        err_jv = err_jv.max(rel_err(&jv, &central(&mut |y| constraints_of(p, y), x, &v, eps), 1.0));
        let hv = hv_of(p, x, lambda, &v);
        err_hv = err_hv.max(rel_err(&hv, &central(&mut |y| lagrangian_gradient(p, y, lambda), x, &v, eps), 1.0));
    }
    [rel_err(&g, &fd_g, 1.0), rel_err(&jtw, &fd_jtw, 1.0), err_jv, err_hv]
}

/// `max |J_dense v - J v|` relative, over unit and random `v`, and the adjoint identity
/// `w^T (J v) = (J^T w)^T v`.
fn jacobian_rows_error(p: &mut dyn ConstrainedObjective, x: &[f64], rng: &mut StdRng) -> f64 {
    let (n, m) = (x.len(), p.constraint_count());
    let dense = dense_jacobian(p, x);
    let mut worst = 0.0f64;
    let mut directions: Vec<Vec<f64>> = (0..n.min(8)).map(|j| unit(n, j)).collect();
    directions.push(random_vec(rng, n));
    for v in directions {
        let from_rows: Vec<f64> = (0..m).map(|i| dot(&dense[i * n..(i + 1) * n], &v)).collect();
        let jv = jv_of(p, x, &v);
        worst = worst.max(rel_err(&from_rows, &jv, 1.0));
        let w = random_vec(rng, m);
        let lhs = dot(&w, &jv);
        let rhs = dot(&jtw_of(p, x, &w), &v);
        worst = worst.max((lhs - rhs).abs() / lhs.abs().max(1.0));
    }
    worst
}

fn assert_derivatives(p: &mut dyn ConstrainedObjective, x: &[f64], lambda: &[f64], seed: u64, what: &str) {
    let mut rng = StdRng::seed_from_u64(seed);
    let [g, jtw, jv, hv] = derivative_errors(p, x, lambda, &mut rng);
    let rows = jacobian_rows_error(p, x, &mut rng);
    let tol = 1e-7;
    assert!(g < tol && jtw < tol && jv < tol && hv < tol && rows < 1e-13, "{what}: relative errors gradient {g:.2e}, J^T w {jtw:.2e}, J v {jv:.2e}, Hv {hv:.2e}, Jacobian rows {rows:.2e}");
}

// ---------------------------------------------------------------- constrained logistic

fn logistic_point(p: &ConstrainedLogistic, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut lambda = random_vec(&mut rng, p.m());
    lambda[p.m() - 1] = 0.7; // the sphere's multiplier must enter the Hessian
    (random_vec(&mut rng, p.n()), lambda)
}

#[test]
fn logistic_derivatives_agree_with_central_differences() {
    let mut p = ConstrainedLogistic::synthetic(40, 12, 3, 7);
    let (x, lambda) = logistic_point(&p, 1);
    assert_derivatives(&mut p, &x, &lambda, 2, "synthetic 40 x 12, k = 3");
    let mut q = ConstrainedLogistic::from_csv(BREAST_CANCER, 5, 3);
    let (x, lambda) = logistic_point(&q, 4);
    assert_derivatives(&mut q, &x, &lambda, 5, "breast cancer, k = 5");
}

/// A size where the products run in parallel, in two column blocks: the gradient and the
/// Hessian-vector product against a plain sample-by-sample sum over the public data.
#[test]
fn logistic_parallel_products_match_a_plain_sum() {
    let mut p = ConstrainedLogistic::synthetic(64, 2500, 4, 11);
    let (mut x, lambda) = logistic_point(&p, 12);
    x.iter_mut().for_each(|a| *a *= 0.05); // margins of order 1
    let v = random_vec(&mut StdRng::seed_from_u64(13), p.n());
    let (n, samples) = (p.n(), p.samples());
    let (mut g_ref, mut hv_ref) = (vec![0.0; n], vec![0.0; n]);
    for i in 0..samples {
        let row = &p.features()[i * n..(i + 1) * n];
        let t = p.labels()[i] * dot(row, &x);
        let (sig, sig_neg) = (1.0 / (1.0 + (-t).exp()), 1.0 / (1.0 + t.exp()));
        let (cg, ch) = (-p.labels()[i] * sig_neg, sig * sig_neg * dot(row, &v));
        for j in 0..n {
            g_ref[j] += cg * row[j] / samples as f64;
            hv_ref[j] += ch * row[j] / samples as f64;
        }
    }
    hv_ref.iter_mut().zip(&v).for_each(|(h, vj)| *h += 2.0 * lambda[p.m() - 1] * vj);
    assert!(rel_err(&gradient_of(&mut p, &x), &g_ref, 1e-300) < 1e-12);
    assert!(rel_err(&hv_of(&mut p, &x, &lambda, &v), &hv_ref, 1e-300) < 1e-12);
    let mut rng = StdRng::seed_from_u64(14);
    let [_, _, jv, hv] = derivative_errors_directional(&mut p, &x, &lambda, &mut rng);
    assert!(jv < 1e-7 && hv < 1e-7, "J v {jv:.2e}, Hv {hv:.2e}");
}

/// The directional half of [`derivative_errors`] (for sizes where coordinates are too many).
fn derivative_errors_directional(p: &mut dyn ConstrainedObjective, x: &[f64], lambda: &[f64], rng: &mut StdRng) -> [f64; 4] {
    let v = random_vec(rng, x.len());
    let jv = rel_err(&jv_of(p, x, &v), &central(&mut |y| constraints_of(p, y), x, &v, 1e-6), 1.0);
    let hv = rel_err(&hv_of(p, x, lambda, &v), &central(&mut |y| lagrangian_gradient(p, y, lambda), x, &v, 1e-6), 1.0);
    [0.0, 0.0, jv, hv]
}

/// Every oracle, called at alternating points, agrees with a fresh copy (no cached margins)
/// evaluated at that point.
#[test]
fn logistic_cached_margins_follow_the_point() {
    let original = ConstrainedLogistic::synthetic(30, 10, 2, 21);
    let mut p = original.clone();
    let (x1, lambda) = logistic_point(&p, 22);
    let (x2, _) = logistic_point(&p, 23);
    let v = random_vec(&mut StdRng::seed_from_u64(24), p.n());
    for x in [&x1, &x2, &x1, &x2] {
        assert_eq!(p.objective(x).unwrap(), original.clone().objective(x).unwrap());
    }
    for x in [&x1, &x2, &x1] {
        assert_eq!(gradient_of(&mut p, x), gradient_of(&mut original.clone(), x));
        assert_eq!(hv_of(&mut p, x, &lambda, &v), hv_of(&mut original.clone(), x, &lambda, &v));
    }
}

/// Two samples `x = +-1` (already standardised) with opposite labels: every margin is `w`, so
/// `f(w) = log(1 + exp(-w))` exactly, at margins where the naive formula overflows or cancels.
#[test]
fn logistic_loss_is_stable_at_extreme_margins() {
    let mut p = ConstrainedLogistic::from_csv("2,1,a,b\n1,1\n-1,0\n", 0, 0);
    assert_eq!((p.features(), p.labels()), (&[1.0, -1.0][..], &[1.0, -1.0][..]));
    assert!((p.objective(&[-800.0]).unwrap() - 800.0).abs() <= 1e-12 * 800.0);
    assert_eq!(p.objective(&[800.0]).unwrap(), 0.0);
    let small = p.objective(&[30.0]).unwrap();
    let e = (-30.0f64).exp();
    assert!((small - e * (1.0 - 0.5 * e)).abs() <= 1e-15 * small, "log1p lost digits: {small:e}");
    assert_eq!(gradient_of(&mut p, &[-800.0]), vec![-1.0]);
    assert_eq!(gradient_of(&mut p, &[800.0]), vec![0.0]);
    let hv = hv_of(&mut p, &[800.0], &[0.0], &[1.0]);
    assert!(hv[0] >= 0.0 && hv[0] < 1e-300, "curvature at a huge margin: {hv:?}");
    let hv = hv_of(&mut p, &[0.0], &[0.0], &[1.0]);
    assert!((hv[0] - 0.25).abs() < 1e-15, "curvature at margin 0 is 1/4: {hv:?}");
}

#[test]
fn logistic_feasible_point_and_start() {
    for mut p in [ConstrainedLogistic::synthetic(50, 40, 6, 31), ConstrainedLogistic::from_csv(BREAST_CANCER, 10, 32)] {
        let w = p.feasible_point().to_vec();
        let c = constraints_of(&mut p, &w);
        assert!(max_abs(&c) < 1e-12 * max_abs(p.constraint_rhs()).max(1.0), "c(w_feas) = {c:?}");
        assert_eq!((p.m(), p.constraint_count(), p.constraint_matrix().len()), (p.constraint_rhs().len() + 1, p.m(), (p.m() - 1) * p.n()));
        let x0 = p.start();
        assert!(x0.iter().all(|&a| a == x0[0]) && x0.len() == p.n());
        assert!(constraints_of(&mut p, &x0)[p.m() - 1].abs() < 1e-14, "the start is a unit vector");
    }
}

#[test]
fn synthetic_instances_are_reproducible_and_seeded() {
    let a = ConstrainedLogistic::synthetic(20, 15, 2, 5);
    let b = ConstrainedLogistic::synthetic(20, 15, 2, 5);
    let c = ConstrainedLogistic::synthetic(20, 15, 2, 6);
    assert_eq!((a.features(), a.labels(), a.constraint_rhs()), (b.features(), b.labels(), b.constraint_rhs()));
    assert_ne!(a.features(), c.features());
    assert!(a.labels().iter().all(|&y| y == 1.0 || y == -1.0));
    assert!(a.labels().contains(&1.0) && a.labels().contains(&-1.0));
}

#[test]
fn breast_cancer_loads_standardised() {
    let p = ConstrainedLogistic::from_csv(BREAST_CANCER, 3, 0);
    assert_eq!((p.samples(), p.n(), p.m()), (569, 30, 4));
    let malignant = p.labels().iter().filter(|&&y| y == -1.0).count();
    let benign = p.labels().iter().filter(|&&y| y == 1.0).count();
    assert_eq!((malignant, benign), (212, 357), "scikit-learn: target 0 = malignant (212), 1 = benign (357)");
    assert_eq!(p.labels()[0], -1.0, "the first sample is malignant (target 0)");
    for j in 0..30 {
        let col: Vec<f64> = p.features().iter().skip(j).step_by(30).copied().collect();
        let mean = col.iter().sum::<f64>() / 569.0;
        let std = (col.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / 569.0).sqrt();
        assert!(mean.abs() < 1e-12 && (std - 1.0).abs() < 1e-12, "column {j}: mean {mean:e}, std {std}");
    }
    // Column 0 (mean radius) against the raw file: standardisation keeps the order of values.
    let raw: Vec<f64> = BREAST_CANCER.lines().skip(1).map(|l| l.split(',').next().unwrap().parse().unwrap()).collect();
    let (mean, n) = (raw.iter().sum::<f64>() / 569.0, raw.len() as f64);
    let std = (raw.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt();
    let expect: Vec<f64> = raw.iter().map(|v| (v - mean) / std).collect();
    let got: Vec<f64> = p.features().iter().step_by(30).copied().collect();
    assert!(rel_err(&got, &expect, 1.0) < 1e-13);
}

// ---------------------------------------------------------------- PDE control

fn pde_point(p: &PdeControl, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = StdRng::seed_from_u64(seed);
    (random_vec(&mut rng, p.n()), random_vec(&mut rng, p.m()))
}

#[test]
fn pde_derivatives_agree_with_central_differences() {
    let mut p = PdeControl::new(6);
    let (x, lambda) = pde_point(&p, 41);
    assert_derivatives(&mut p, &x, &lambda, 42, "PDE control N = 6");
}

#[test]
fn pde_hessian_rows_agree_with_the_product() {
    let mut p = PdeControl::new(5);
    let (x, lambda) = pde_point(&p, 43);
    let pattern = p.hessian_pattern().unwrap().clone();
    let mut values = vec![f64::NAN; pattern.nnz()];
    p.hessian_values(&x, &lambda, &mut values).unwrap();
    let v = random_vec(&mut StdRng::seed_from_u64(44), p.n());
    let mut from_rows = vec![0.0; p.n()];
    for (i, out) in from_rows.iter_mut().enumerate() {
        *out = pattern.row(i).map(|(pos, j)| values[pos] * v[j]).sum();
    }
    assert_eq!((pattern.nrows, pattern.ncols), (p.n(), p.n()));
    assert!(rel_err(&from_rows, &hv_of(&mut p, &x, &lambda, &v), 1.0) < 1e-15);
}

/// `N = 3`, `h = 1/2`: the nodes are `-1/2, 0, 1/2`, so `w* = sin(pi x) sin(pi y)` is `1` at
/// `(-1/2, -1/2)`, `-1` at `(1/2, -1/2)`, 0 on the middle lines. And `w*` is the sine mode
/// `(2, 2)`, so the SPD operator `L = -Laplace_h` maps it to `mu w*`, `mu = 2 (2 - 2 cos(2 pi /
/// (N + 1))) / h^2 > 0`: this fixes the sign convention.
#[test]
fn pde_target_and_laplacian_sign() {
    let p = PdeControl::new(3);
    let t = p.target();
    let expect = [1.0, 0.0, -1.0, 0.0, 0.0, 0.0, -1.0, 0.0, 1.0];
    assert!(rel_err(t, &expect, 1.0) < 1e-15, "{t:?}");
    for n in [3, 8] {
        let mut p = PdeControl::new(n);
        let h = 2.0 / (n as f64 + 1.0);
        let mu = 2.0 * (2.0 - 2.0 * (2.0 * std::f64::consts::PI / (n as f64 + 1.0)).cos()) / (h * h);
        let mut x = p.target().to_vec();
        x.resize(p.n(), 0.0);
        let c = constraints_of(&mut p, &x);
        let expect: Vec<f64> = p.target().iter().map(|v| mu * v).collect();
        assert!(rel_err(&c, &expect, 1.0) < 1e-12, "N = {n}");
    }
}

fn kkt_residual(p: &mut PdeControl, x: &[f64], lambda: &[f64]) -> f64 {
    let dual = max_abs(&lagrangian_gradient(p, x, lambda));
    let primal = max_abs(&constraints_of(p, x));
    dual.max(primal) / max_abs(p.target())
}

#[test]
fn pde_direct_solution_satisfies_kkt() {
    for n in [2, 6, 17, 40] {
        let mut p = PdeControl::new(n);
        let (x, lambda) = p.direct_solution();
        assert_eq!((x.len(), lambda.len()), (p.n(), p.m()));
        let r = kkt_residual(&mut p, &x, &lambda);
        assert!(r <= 1e-10, "N = {n}: relative KKT residual {r:e}");
        assert!(max_abs(&x[p.m()..]) > 1e-3 * max_abs(p.target()), "N = {n}: the control is not trivial");
    }
}

/// The KKT matrix `[H J^T; J 0]`, dense, from the sparse rows.
fn dense_kkt(p: &mut PdeControl) -> faer::Mat<f64> {
    let (n, m) = (p.n(), p.m());
    let x = p.start();
    let jac = dense_jacobian(p, &x);
    let hv: Vec<Vec<f64>> = (0..n).map(|j| hv_of(p, &x, &vec![0.0; m], &unit(n, j))).collect();
    faer::Mat::from_fn(n + m, n + m, |i, j| match (i < n, j < n) {
        (true, true) => hv[j][i],
        (true, false) => jac[(j - n) * n + i],
        (false, true) => jac[(i - n) * n + j],
        (false, false) => 0.0,
    })
}

#[test]
fn pde_direct_solution_matches_dense_lu() {
    let mut p = PdeControl::new(6);
    let (n, m) = (p.n(), p.m());
    let kkt = dense_kkt(&mut p);
    let target = p.target().to_vec();
    let rhs = faer::Mat::from_fn(n + m, 1, |i, _| if i < m { target[i] } else { 0.0 });
    let sol = kkt.partial_piv_lu().solve(&rhs);
    let lu: Vec<f64> = (0..n + m).map(|i| sol[(i, 0)]).collect();
    let (x, lambda) = p.direct_solution();
    assert!(rel_err(&x, &lu[..n], 1e-300) < 1e-10, "x: {:e}", rel_err(&x, &lu[..n], 1e-300));
    assert!(rel_err(&lambda, &lu[n..], 1e-300) < 1e-10, "lambda: {:e}", rel_err(&lambda, &lu[n..], 1e-300));
}

/// `M = diag(H, J H^{-1} J^T)` assembled densely from the rows; `M^{-1} (M r) = r`.
#[test]
fn pde_preconditioner_inverts_the_block_diagonal() {
    let mut p = PdeControl::with_preconditioner(6);
    assert!(p.has_preconditioner() && !PdeControl::new(6).has_preconditioner());
    let (n, m) = (p.n(), p.m());
    let x = p.start();
    let jac = dense_jacobian(&mut p, &x);
    let h: Vec<f64> = (0..n).map(|j| hv_of(&mut p, &x, &vec![0.0; m], &unit(n, j))[j]).collect();
    let schur = |i: usize, k: usize| (0..n).map(|j| jac[i * n + j] * jac[k * n + j] / h[j]).sum::<f64>();
    let mut rng = StdRng::seed_from_u64(51);
    for _ in 0..3 {
        let r = random_vec(&mut rng, n + m);
        let mut mr: Vec<f64> = (0..n).map(|i| h[i] * r[i]).collect();
        mr.extend((0..m).map(|i| (0..m).map(|k| schur(i, k) * r[n + k]).sum::<f64>()));
        let mut z = vec![f64::NAN; n + m];
        p.precondition(&x, &vec![0.0; m], &mr, &mut z).unwrap();
        assert!(rel_err(&z, &r, 1e-300) < 1e-12, "M^-1 M r differs from r by {:e}", rel_err(&z, &r, 1e-300));
    }
    let mut plain = PdeControl::new(6);
    let r = random_vec(&mut rng, n + m);
    let mut z = vec![0.0; n + m];
    plain.precondition(&x, &vec![0.0; m], &r, &mut z).unwrap();
    assert_eq!(z, r, "without a preconditioner the application is the identity");
}

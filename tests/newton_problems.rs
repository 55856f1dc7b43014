//! Checks of the unconstrained-minimisation test set (`nksolve::problems::minimization`):
//! analytic gradients and Hessian-vector products against central finite differences, the
//! published optimal values at the known minimisers, the agreement of the fused
//! `value_gradient` with `value` + `gradient`, and the published local minima of Penalty I and
//! Chebyquad (reached by a small dense Newton method written here).

use nksolve::newton::Objective;
use nksolve::problems::minimization::{self, TestFunction};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Relative tolerance of the finite-difference comparisons.
const FD_TOL: f64 = 1e-6;

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|t| t * t).sum::<f64>().sqrt()
}

fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(s, t)| (s - t) * (s - t)).sum::<f64>().sqrt()
}

fn value(p: &mut TestFunction, x: &[f64]) -> f64 {
    p.value(x).expect("test functions never fail")
}

/// `f(x0)`.
fn f_x0(p: &mut TestFunction) -> f64 {
    let x0 = p.x0.clone();
    value(p, &x0)
}

fn gradient(p: &mut TestFunction, x: &[f64]) -> Vec<f64> {
    let mut g = vec![f64::NAN; x.len()];
    p.gradient(x, &mut g).expect("test functions never fail");
    g
}

fn hess_vec(p: &mut TestFunction, x: &[f64], v: &[f64]) -> Vec<f64> {
    let mut hv = vec![f64::NAN; x.len()];
    p.hessian_vector(x, v, &mut hv).expect("test functions never fail");
    hv
}

/// The small-n instances checked besides the standard set.
fn small_instances() -> Vec<TestFunction> {
    let mut v: Vec<TestFunction> = (1..=10).map(minimization::chebyquad).collect();
    v.extend([
        minimization::penalty_one(4),
        minimization::penalty_one(10),
        minimization::extended_rosenbrock(2),
        minimization::extended_powell(4),
        minimization::broyden_tridiagonal(1),
        minimization::broyden_tridiagonal(5),
        minimization::trigonometric(3),
        minimization::variably_dimensioned(5),
        minimization::arwhead(2),
        minimization::arwhead(7),
        minimization::logistic_regression(7, 3, 0.1),
    ]);
    v.extend(('A'..='L').map(|c| minimization::dixmaan(c, 9)));
    v
}

fn all_instances() -> Vec<TestFunction> {
    let mut v = minimization::standard_set();
    v.extend(small_instances());
    v
}

/// A point near `x0`: each coordinate moved by up to 10% of `max(1, |x0_j|)`.
fn nearby(x0: &[f64], rng: &mut ChaCha8Rng) -> Vec<f64> {
    x0.iter().map(|&t| t + 0.1 * t.abs().max(1.0) * rng.random_range(-1.0..1.0)).collect()
}

/// Central-difference gradient, step `1e-6 max(1, |x_j|)`.
fn fd_gradient(p: &mut TestFunction, x: &[f64]) -> Vec<f64> {
    let mut xp = x.to_vec();
    let mut g = vec![0.0; x.len()];
    for j in 0..x.len() {
        let h = 1e-6 * x[j].abs().max(1.0);
        xp[j] = x[j] + h;
        let fp = value(p, &xp);
        xp[j] = x[j] - h;
        let fm = value(p, &xp);
        g[j] = (fp - fm) / ((x[j] + h) - (x[j] - h));
        xp[j] = x[j];
    }
    g
}

/// Central difference of the gradient along `v`, step `1e-6 max(1, |x|_inf) / |v|_inf`.
fn fd_hess_vec(p: &mut TestFunction, x: &[f64], v: &[f64]) -> Vec<f64> {
    let xinf = x.iter().fold(1.0f64, |a, t| a.max(t.abs()));
    let vinf = v.iter().fold(0.0f64, |a, t| a.max(t.abs()));
    let h = 1e-6 * xinf / vinf;
    let xp: Vec<f64> = x.iter().zip(v).map(|(a, b)| a + h * b).collect();
    let xm: Vec<f64> = x.iter().zip(v).map(|(a, b)| a - h * b).collect();
    let gp = gradient(p, &xp);
    let gm = gradient(p, &xm);
    gp.iter().zip(&gm).map(|(a, b)| (a - b) / (2.0 * h)).collect()
}

#[test]
fn standard_set_is_the_documented_one() {
    let set = minimization::standard_set();
    let names: Vec<(&str, usize)> = set.iter().map(|p| (p.name.as_str(), p.n)).collect();
    let mut want = vec![
        ("extended_rosenbrock", 1000),
        ("extended_powell", 1000),
        ("broyden_tridiagonal", 1000),
        ("trigonometric", 100),
        ("penalty_one", 10),
        ("variably_dimensioned", 100),
        ("arwhead", 1000),
    ];
    let dix: Vec<String> = ('a'..='l').map(|c| format!("dixmaan{c}")).collect();
    want.extend(dix.iter().map(|s| (s.as_str(), 300)));
    want.push(("chebyquad", 8));
    want.push(("logistic_regression", 50));
    assert_eq!(names, want);
    for p in &set {
        assert_eq!(p.x0.len(), p.n, "{}", p.name);
        assert!(p.has_value_gradient(), "{}", p.name);
        if let Some(xs) = &p.x_star {
            assert_eq!(xs.len(), p.n, "{}", p.name);
        }
    }
}

#[test]
fn gradients_match_central_differences() {
    let mut rng = ChaCha8Rng::seed_from_u64(20240611);
    for mut p in all_instances() {
        let x1 = nearby(&p.x0, &mut rng);
        for (label, x) in [("x0", p.x0.clone()), ("nearby", x1)] {
            let f = value(&mut p, &x);
            let g = gradient(&mut p, &x);
            let gfd = fd_gradient(&mut p, &x);
            let err = dist(&g, &gfd);
            let scale = norm(&g).max(f.abs()).max(1.0);
            assert!(
                err <= FD_TOL * scale,
                "{} (n = {}) at {label}: |g - g_fd| = {err:.3e} > {FD_TOL:e} * {scale:.3e}",
                p.name,
                p.n
            );
        }
    }
}

#[test]
fn hessian_vector_products_match_differences_of_the_gradient() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for mut p in all_instances() {
        let x1 = nearby(&p.x0, &mut rng);
        for (label, x) in [("x0", p.x0.clone()), ("nearby", x1)] {
            for _ in 0..2 {
                let v: Vec<f64> = (0..p.n).map(|_| rng.random_range(-1.0..1.0)).collect();
                let hv = hess_vec(&mut p, &x, &v);
                let hv_fd = fd_hess_vec(&mut p, &x, &v);
                let err = dist(&hv, &hv_fd);
                let g = gradient(&mut p, &x);
                let scale = norm(&hv).max(norm(&g)).max(1.0);
                assert!(
                    err <= FD_TOL * scale,
                    "{} (n = {}) at {label}: |Hv - Hv_fd| = {err:.3e} > {FD_TOL:e} * {scale:.3e}",
                    p.name,
                    p.n
                );
            }
        }
    }
}

#[test]
fn hessian_vector_product_is_linear_and_symmetric() {
    // u^T H v = v^T H u, and H (a u + v) = a H u + H v, at a nearby point.
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    for mut p in all_instances() {
        let x = nearby(&p.x0, &mut rng);
        let u: Vec<f64> = (0..p.n).map(|_| rng.random_range(-1.0..1.0)).collect();
        let v: Vec<f64> = (0..p.n).map(|_| rng.random_range(-1.0..1.0)).collect();
        let hu = hess_vec(&mut p, &x, &u);
        let hv = hess_vec(&mut p, &x, &v);
        let uhv: f64 = u.iter().zip(&hv).map(|(a, b)| a * b).sum();
        let vhu: f64 = v.iter().zip(&hu).map(|(a, b)| a * b).sum();
        let scale = norm(&u) * norm(&hv).max(norm(&hu)).max(1e-300);
        assert!((uhv - vhu).abs() <= 1e-12 * scale, "{}: u'Hv = {uhv}, v'Hu = {vhu}", p.name);
        let w: Vec<f64> = u.iter().zip(&v).map(|(a, b)| 0.5 * a + b).collect();
        let hw = hess_vec(&mut p, &x, &w);
        let comb: Vec<f64> = hu.iter().zip(&hv).map(|(a, b)| 0.5 * a + b).collect();
        assert!(dist(&hw, &comb) <= 1e-12 * norm(&hw).max(1.0), "{}: H is not linear", p.name);
    }
}

#[test]
fn value_gradient_agrees_exactly_with_value_and_gradient() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for mut p in all_instances() {
        let x1 = nearby(&p.x0, &mut rng);
        for x in [p.x0.clone(), x1] {
            let f = value(&mut p, &x);
            let g = gradient(&mut p, &x);
            let mut g2 = vec![f64::NAN; p.n];
            let f2 = p.value_gradient(&x, &mut g2).unwrap();
            assert_eq!(f.to_bits(), f2.to_bits(), "{}: value {f} vs value_gradient {f2}", p.name);
            assert!(g.iter().zip(&g2).all(|(a, b)| a.to_bits() == b.to_bits()), "{}: gradients differ", p.name);
            assert!(f.is_finite() && g.iter().all(|t| t.is_finite()), "{}", p.name);
        }
    }
}

#[test]
fn published_optimum_at_the_known_minimiser() {
    let mut checked = 0;
    for mut p in all_instances() {
        let Some(xs) = p.x_star.clone() else { continue };
        let f = value(&mut p, &xs);
        assert!((f - p.f_star).abs() <= 1e-12, "{} (n = {}): f(x*) = {f}, f* = {}", p.name, p.n, p.f_star);
        let g = gradient(&mut p, &xs);
        assert!(norm(&g) <= 1e-12, "{} (n = {}): |g(x*)| = {:e}", p.name, p.n, norm(&g));
        assert!(p.f_star <= f_x0(&mut p), "{}", p.name);
        checked += 1;
    }
    // Rosenbrock, Powell, variably dimensioned, ARWHEAD and the twelve DIXMAANs of the
    // standard set (16), and of the small instances (17: two ARWHEADs).
    assert_eq!(checked, 33);
}

#[test]
fn known_values_at_the_starting_points() {
    // Hand-computable values at x0: a check of the formulas beyond their derivatives.
    let mut p = minimization::extended_rosenbrock(1000);
    // Each pair: 100 (1 - 1.44)^2 + (2.2)^2 = 19.36 + 4.84 = 24.2.
    assert!((f_x0(&mut p) - 500.0 * 24.2).abs() <= 1e-8);
    let mut p = minimization::extended_powell(8);
    // Each block: (3 - 10)^2 + 5 (0 - 1)^2 + (-1 - 0)^4 + 10 (3 - 1)^4 = 49 + 5 + 1 + 160 = 215.
    assert_eq!(f_x0(&mut p), 430.0);
    let mut p = minimization::arwhead(5);
    // Four terms of -4 + 3 + (1 + 1)^2 = 3.
    assert_eq!(f_x0(&mut p), 12.0);
    let mut p = minimization::penalty_one(4);
    // 1e-5 (0 + 1 + 4 + 9) + (30 - 0.25)^2.
    assert!((f_x0(&mut p) - (14e-5 + 29.75f64.powi(2))).abs() <= 1e-9);
    let mut p = minimization::broyden_tridiagonal(3);
    // F = (-5 + 2 + 1, -5 + 1 + 2 + 1, -5 + 1 + 1) = (-2, -1, -3).
    assert!((f_x0(&mut p) - 14.0).abs() <= 1e-12);
    // DIXMAANA with m = 1 (n = 3) at x = 2: 1 + 3 * 4 + 0 + 2 * 0.125 * 4 * 16 + 0.125 * 4.
    let mut p = minimization::dixmaan('A', 3);
    assert!((f_x0(&mut p) - (1.0 + 12.0 + 16.0 + 0.5)).abs() <= 1e-12);
    // DIXMAAND, n = 3, K = 0: adds 0.26 * sum_{i<3} 4 * (2 + 4)^2 = 0.26 * 2 * 144 and the
    // gamma and delta terms with 0.26: 1 + 12 + 74.88 + 0.26 * 2 * 64 + 0.26 * 4.
    let mut p = minimization::dixmaan('D', 3);
    let want = 1.0 + 12.0 + 0.26 * 288.0 + 0.26 * 128.0 + 0.26 * 4.0;
    assert!((f_x0(&mut p) - want).abs() <= 1e-12);
    // Logistic regression at w = 0: log 2.
    let mut p = minimization::logistic_regression(500, 50, 1e-3);
    assert!((f_x0(&mut p) - std::f64::consts::LN_2).abs() <= 1e-14);
}

#[test]
fn logistic_data_is_the_documented_formula() {
    // The gradient at w = 0 is -(1/m) sum_i y_i x_i / 2; rebuild it from the formula.
    let (m, d) = (500, 50);
    let mut p = minimization::logistic_regression(m, d, 1e-3);
    assert!(p.convex && p.f_star.is_nan() && p.x_star.is_none());
    let g = gradient(&mut p, &vec![0.0; d]);
    let mut want = vec![0.0; d];
    let mut positives = 0;
    for i in 0..m {
        let a = (i + 1) as f64;
        let row: Vec<f64> = (0..d).map(|j| (0.37 * a + 0.71 * (j + 1) as f64 + 0.0013 * a * (j + 1) as f64).sin()).collect();
        let y = if (1.9 * a).cos() + 0.3 * row[0] >= 0.0 { 1.0 } else { -1.0 };
        positives += (y > 0.0) as usize;
        for j in 0..d {
            want[j] -= 0.5 * y * row[j] / m as f64;
        }
    }
    assert!(dist(&g, &want) <= 1e-14, "|g - g_formula| = {:e}", dist(&g, &want));
    // Both classes are present (the problem is not trivially separable by sign).
    assert!(positives > m / 5 && positives < 4 * m / 5, "{positives} positives of {m}");
}

/// Dense Hessian from `n` Hessian-vector products, symmetrised.
#[allow(clippy::needless_range_loop)]
fn dense_hessian(p: &mut TestFunction, x: &[f64]) -> Vec<Vec<f64>> {
    let n = x.len();
    let mut h = vec![vec![0.0; n]; n];
    let mut e = vec![0.0; n];
    for j in 0..n {
        e[j] = 1.0;
        let col = hess_vec(p, x, &e);
        e[j] = 0.0;
        for i in 0..n {
            h[i][j] = col[i];
        }
    }
    for i in 0..n {
        for j in 0..i {
            let s = 0.5 * (h[i][j] + h[j][i]);
            h[i][j] = s;
            h[j][i] = s;
        }
    }
    h
}

/// Solves `(H + mu I) p = b` by Cholesky; `None` if the matrix is not positive definite.
#[allow(clippy::needless_range_loop)]
fn cholesky_solve(h: &[Vec<f64>], mu: f64, b: &[f64]) -> Option<Vec<f64>> {
    let n = b.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = h[i][j] + if i == j { mu } else { 0.0 };
            for k in 0..j {
                s -= l[i][k] * l[j][k];
            }
            if i == j {
                if s <= 0.0 {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    let mut y = b.to_vec();
    for i in 0..n {
        for k in 0..i {
            y[i] -= l[i][k] * y[k];
        }
        y[i] /= l[i][i];
    }
    for i in (0..n).rev() {
        for k in i + 1..n {
            y[i] -= l[k][i] * y[k];
        }
        y[i] /= l[i][i];
    }
    Some(y)
}

/// A small dense Newton method (Hessian shifted until positive definite, Armijo backtracking)
/// from `x0`; returns the final point, value and gradient norm.
fn dense_newton(p: &mut TestFunction) -> (Vec<f64>, f64, f64) {
    let mut x = p.x0.clone();
    let mut g = vec![0.0; p.n];
    let mut f = p.value_gradient(&x, &mut g).unwrap();
    for _ in 0..500 {
        if norm(&g) <= 1e-15 * f.abs().max(1.0) {
            break;
        }
        let h = dense_hessian(p, &x);
        let minus_g: Vec<f64> = g.iter().map(|t| -t).collect();
        let hmax = h.iter().flatten().fold(0.0f64, |a, t| a.max(t.abs()));
        let mut mu = 0.0;
        let d = loop {
            if let Some(d) = cholesky_solve(&h, mu, &minus_g) {
                break d;
            }
            mu = if mu == 0.0 { 1e-10 * hmax.max(1e-300) } else { 10.0 * mu };
        };
        let slope: f64 = g.iter().zip(&d).map(|(a, b)| a * b).sum();
        let mut t = 1.0;
        let mut accepted = false;
        for _ in 0..60 {
            let xt: Vec<f64> = x.iter().zip(&d).map(|(a, b)| a + t * b).collect();
            let ft = value(p, &xt);
            if ft <= f + 1e-4 * t * slope {
                x = xt;
                f = p.value_gradient(&x, &mut g).unwrap();
                accepted = true;
                break;
            }
            t *= 0.5;
        }
        if !accepted {
            break;
        }
    }
    let gn = norm(&g);
    (x, f, gn)
}

#[test]
fn penalty_one_reaches_its_published_minimum() {
    // MGH publish f* = 2.24997e-5 (n = 4) and 7.08765e-5 (n = 10), to six digits.
    for n in [4, 10] {
        let mut p = minimization::penalty_one(n);
        let fs = p.f_star;
        assert!(fs.is_finite());
        let f0 = f_x0(&mut p);
        assert!(fs < f0);
        let (_, f, gn) = dense_newton(&mut p);
        assert!(gn <= 1e-12, "penalty_one({n}): |g| = {gn:e}");
        assert!((f - fs).abs() <= 5e-6 * fs, "penalty_one({n}): f = {f:.8e}, published {fs:e}");
    }
    assert!(minimization::penalty_one(5).f_star.is_nan());
}

#[test]
fn chebyquad_reaches_its_published_minima() {
    // MGH publish f* = 0 for n = 1..7 and 9, 3.51687e-3 for n = 8 and 6.50395e-3 for n = 10.
    for n in 1..=10 {
        let mut p = minimization::chebyquad(n);
        let fs = p.f_star;
        let f0 = f_x0(&mut p);
        assert!(fs.is_finite() && fs <= f0, "chebyquad({n})");
        let (x, f, gn) = dense_newton(&mut p);
        // (At the n = 8 minimum, f = 3.5e-3 and the Armijo test cannot see a decrease once
        // |g| is near 1e-9: the predicted decrease is below the rounding of f.)
        assert!(gn <= 1e-8, "chebyquad({n}): |g| = {gn:e}");
        if fs == 0.0 {
            assert!(f <= 1e-20, "chebyquad({n}): f = {f:e}, published 0");
        } else {
            assert!((f - fs).abs() <= 5e-6 * fs, "chebyquad({n}): f = {f:.8e}, published {fs:e}");
        }
        // The minimiser of the exact-quadrature cases is a set of nodes in [0, 1].
        assert!(x.iter().all(|t| (-1e-9..=1.0 + 1e-9).contains(t)), "chebyquad({n}): {x:?}");
    }
    assert!(minimization::chebyquad(11).f_star.is_nan());
}

#[test]
fn dixmaan_parameters_differ_between_letters() {
    // The twelve letters are twelve different functions (a wrong table tends to repeat one),
    // and all have f(0) = 1 and f(x0) > 1.
    let x = vec![0.7; 30];
    let mut vals: Vec<f64> = ('A'..='L')
        .map(|c| {
            let mut p = minimization::dixmaan(c, 30);
            assert_eq!(value(&mut p, &vec![0.0; 30]), 1.0);
            assert!(f_x0(&mut p) > 1.0);
            value(&mut p, &x)
        })
        .collect();
    vals.sort_by(f64::total_cmp);
    vals.dedup();
    assert_eq!(vals.len(), 12);
    // Lower case letters name the same functions.
    let (mut a, mut b) = (minimization::dixmaan('h', 30), minimization::dixmaan('H', 30));
    assert_eq!(a.name, "dixmaanh");
    assert_eq!(value(&mut a, &x), value(&mut b, &x));
}

//! The Hock-Schittkowski equality-constrained test set (`problems::constrained`) against its
//! published data: the published solution is feasible, has the published optimal value, and is
//! a KKT point of the formulas as written here (a least-squares multiplier makes
//! `grad f + J^T lambda` vanish); gradients and Jacobians agree with central differences.

use faer::linalg::solvers::Solve;
use nksolve::problems::constrained::hock_schittkowski_set;

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |a, b| a.max(b.abs()))
}

#[test]
fn the_set_has_the_problems_the_solver_tests_need() {
    assert!(hock_schittkowski_set().len() >= 20);
}

#[test]
fn published_solutions_are_feasible_optimal_kkt_points() {
    let mut failures = Vec::new();
    for p in hock_schittkowski_set() {
        let x = &p.x_star;
        let f = p.value(x);
        let c = p.constraint_values(x);
        // Rounded published solutions (7 digits) leave residuals of that size.
        if (f - p.f_star).abs() > 1e-6 * p.f_star.abs().max(1.0) {
            failures.push(format!("{}: f(x*) = {f} but f* = {}", p.name, p.f_star));
        }
        if max_abs(&c) > 1e-5 {
            failures.push(format!("{}: c(x*) = {c:?}", p.name));
        }
        // lambda = argmin ||grad f + J^T lambda||: the normal equations (J J^T) lambda = -J g.
        let (n, m) = (p.n, p.m);
        let g = p.gradient(x);
        let jac = p.jacobian(x);
        let jt = |i: usize, j: usize| jac[j * m + i];
        let a = faer::Mat::<f64>::from_fn(m, m, |i, k| (0..n).map(|j| jt(i, j) * jt(k, j)).sum());
        let rhs = faer::Mat::<f64>::from_fn(m, 1, |i, _| -(0..n).map(|j| jt(i, j) * g[j]).sum::<f64>());
        let lambda = a.partial_piv_lu().solve(&rhs);
        let stationarity: Vec<f64> = (0..n).map(|j| g[j] + (0..m).map(|i| jt(i, j) * lambda[(i, 0)]).sum::<f64>()).collect();
        let scale = max_abs(&g).max(1.0);
        if max_abs(&stationarity) > 1e-4 * scale {
            failures.push(format!("{}: ||grad f + J^T lambda|| = {:e} at x*", p.name, max_abs(&stationarity)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn derivatives_agree_with_central_differences() {
    for p in hock_schittkowski_set() {
        let x: Vec<f64> = p.x0.iter().enumerate().map(|(i, v)| v + 0.1 * (i as f64 + 1.0)).collect();
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
    }
}

//! SOR and SSOR-PCG against independent references: the convergence rates SOR theory predicts
//! on the 2D Poisson model problem (Young 1950: Jacobi radius `rho_J = cos(pi h)`,
//! Gauss-Seidel rate `rho_J^2`, optimal SOR rate `omega* - 1`), a dense LU solve (faer), and
//! thread-count invariance of the multicolour sweeps.

use faer::linalg::solvers::Solve;
use nksolve::krylov::Termination;
use nksolve::linalg::CsrMatrix;
use nksolve::sor::{young_omega, SorMethod, SorOptions, SorReport, SorSolver, SweepDirection, SweepOrdering};
use std::sync::Arc;

fn rhs(n: usize) -> Vec<f64> {
    (0..n).map(|i| 1.0 + (i as f64 * 0.37).sin()).collect()
}

fn run(a: &Arc<CsrMatrix>, omega: f64, opts: &SorOptions) -> (SorReport, Vec<f64>) {
    let b = rhs(a.nrows());
    let mut x = vec![0.0; a.nrows()];
    let r = SorSolver::default().solve(a, &b, &mut x, omega, opts).unwrap();
    (r, x)
}

/// The observed rate per iteration between iterations `k0` and `k1` (residual norms of runs
/// capped there).
fn observed_rate(a: &Arc<CsrMatrix>, omega: f64, k0: usize, k1: usize) -> f64 {
    let capped = |k: usize| {
        let opts = SorOptions { max_iterations: k, tol: 1e-300_f64.max(f64::MIN_POSITIVE), ..Default::default() };
        let (r, _) = run(a, omega, &opts);
        assert_eq!(r.termination, Termination::MaxIterations);
        assert_eq!(r.iterations, k);
        r.residual_norm
    };
    (capped(k1) / capped(k0)).powf(1.0 / (k1 - k0) as f64)
}

#[test]
fn gauss_seidel_converges_at_rate_rho_jacobi_squared() {
    let nx = 24;
    let a = Arc::new(nksolve::problems::poisson2d(nx));
    let rho = (std::f64::consts::PI / (nx as f64 + 1.0)).cos();
    let rate = observed_rate(&a, 1.0, 300, 400);
    assert!((rate - rho * rho).abs() < 2e-3, "observed {rate}, theory {}", rho * rho);
    // Iterations to 1e-8: about ln(tol) / ln(rho^2) (plus a transient: the start is not an
    // eigenvector, so within a factor 0.7..1.3).
    let (r, _) = run(&a, 1.0, &SorOptions::default());
    let predicted = 1e-8f64.ln() / (rho * rho).ln();
    let ratio = r.iterations as f64 / predicted;
    assert!(r.termination.converged() && (0.7..1.3).contains(&ratio), "{} its vs {predicted:.0}", r.iterations);
}

#[test]
fn young_omega_converges_in_the_iterations_theory_predicts() {
    let nx = 32;
    let a = Arc::new(nksolve::problems::poisson2d(nx));
    let rho = (std::f64::consts::PI / (nx as f64 + 1.0)).cos();
    let w = young_omega(rho);
    let (r, x) = run(&a, w, &SorOptions::default());
    assert!(r.termination.converged());
    let predicted = 1e-8f64.ln() / (w - 1.0).ln();
    let ratio = r.iterations as f64 / predicted;
    // At omega* the SOR iteration matrix has a 2 x 2 Jordan block for eigenvalue omega* - 1, so
    // the error decays like k (omega* - 1)^k rather than (omega* - 1)^k: more iterations than
    // the asymptotic count, by about ln(k) / ln(1 / (omega* - 1)) ~ 30% here. Accepted band:
    // 0.7x .. 1.6x.
    assert!((0.7..1.6).contains(&ratio), "{} iterations vs {predicted:.0} predicted ({ratio:.2}x)", r.iterations);
    // The asymptotic rate itself, over a window before rounding level (residual ~1e-5..1e-8)
    // where the Jordan factor (k1 / k0)^(1/(k1 - k0)) adds about 1.5%.
    let rate = observed_rate(&a, w, 50, 90);
    let q = rate / (w - 1.0);
    assert!((0.98..1.05).contains(&q), "observed rate {rate}, omega* - 1 = {} ({q:.3}x)", w - 1.0);
    // Omega* beats its neighbours, and Gauss-Seidel by far.
    for other in [1.0, w - 0.1, (w + 0.04).min(1.99)] {
        assert!(run(&a, other, &SorOptions::default()).0.iterations > r.iterations, "omega = {other}");
    }
    // The returned x really solves the system to the tolerance.
    let b = rhs(a.nrows());
    let mut ax = vec![0.0; a.nrows()];
    a.matvec(&nksolve::linalg::Par::seq(), &x, &mut ax);
    let res: f64 = ax.iter().zip(&b).map(|(p, q)| (p - q) * (p - q)).sum::<f64>().sqrt();
    let b0: f64 = b.iter().map(|v| v * v).sum::<f64>().sqrt();
    assert!(res < 1e-8 * b0 && (res - r.residual_norm).abs() < 1e-6 * res, "{res} vs reported {}", r.residual_norm);
}

#[test]
fn every_variant_matches_a_dense_lu_solve() {
    let a = Arc::new(nksolve::problems::poisson2d(12));
    let n = a.nrows();
    let b = rhs(n);
    let lu = a.to_dense().partial_piv_lu();
    let reference = lu.solve(faer::Mat::<f64>::from_fn(n, 1, |i, _| b[i]));
    let xnorm = (0..n).map(|i| reference[(i, 0)].powi(2)).sum::<f64>().sqrt();
    for method in [SorMethod::Sor, SorMethod::SsorPcg] {
        for direction in [SweepDirection::Forward, SweepDirection::Backward, SweepDirection::Symmetric] {
            for ordering in [SweepOrdering::Natural, SweepOrdering::Multicolour] {
                let opts = SorOptions { method, direction, ordering, tol: 1e-11, ..Default::default() };
                let (r, x) = run(&a, 1.6, &opts);
                assert!(r.termination.converged(), "{opts:?}: {:?}", r.termination);
                let err = (0..n).map(|i| (x[i] - reference[(i, 0)]).powi(2)).sum::<f64>().sqrt();
                assert!(err < 1e-9 * xnorm, "{opts:?}: error {err}");
            }
        }
    }
    // SSOR-PCG needs far fewer iterations than SOR at the same omega.
    let its = |method| run(&a, 1.6, &SorOptions { method, ..Default::default() }).0.iterations;
    assert!(3 * its(SorMethod::SsorPcg) < its(SorMethod::Sor));
}

#[test]
fn the_cap_is_a_usable_non_converged_result_and_warm_starts_count_from_r0() {
    let a = Arc::new(nksolve::problems::poisson2d(10));
    let b = rhs(a.nrows());
    let mut x = vec![0.0; a.nrows()];
    let opts = SorOptions { max_iterations: 5, ..Default::default() };
    let r = SorSolver::default().solve(&a, &b, &mut x, 1.5, &opts).unwrap();
    assert_eq!((r.termination.clone(), r.iterations, r.cost(5)), (Termination::MaxIterations, 5, 5.0));
    assert!(x.iter().any(|&v| v != 0.0), "the last iterate is returned");
    // Warm start from that iterate: r0 is its residual, not ||b||.
    let warm = SorOptions { use_initial_guess: true, ..Default::default() };
    let r2 = SorSolver::default().solve(&a, &b, &mut x, 1.5, &warm).unwrap();
    assert!((r2.initial_residual_norm - r.residual_norm).abs() < 1e-9 * r.residual_norm);
    assert!(r2.residual_norm < 1e-8 * r2.initial_residual_norm);
    // Bad input is an error and leaves x alone.
    let mut y = vec![3.0; a.nrows()];
    let mut s = SorSolver::default();
    for omega in [0.0, 2.0, f64::NAN] {
        assert!(s.solve(&a, &b, &mut y, omega, &SorOptions::default()).unwrap_err().message().contains("omega"));
    }
    assert!(s.solve(&a, &b[1..], &mut y, 1.0, &SorOptions::default()).is_err());
    assert!(y.iter().all(|&v| v == 3.0));
}

#[test]
fn red_black_has_the_natural_orders_rate_on_a_five_point_grid() {
    let a = Arc::new(nksolve::problems::poisson2d(20));
    let w = young_omega((std::f64::consts::PI / 21.0).cos());
    let natural = run(&a, w, &SorOptions::default()).0.iterations as f64;
    let rb = run(&a, w, &SorOptions { ordering: SweepOrdering::Multicolour, ..Default::default() }).0.iterations as f64;
    assert!((rb / natural - 1.0).abs() < 0.15, "red-black {rb} vs natural {natural}");
}

#[test]
fn multicolour_sweeps_give_the_same_bits_for_any_thread_count() {
    // 150^2 = 22500 rows: each colour spans several parallel row blocks.
    let a = Arc::new(nksolve::problems::convection_diffusion2d(150, 5.0));
    let results: Vec<(Vec<u64>, usize, u64)> = [1, 2, 3, 1]
        .iter()
        .flat_map(|&threads| {
            nksolve::linalg::set_num_threads(threads).unwrap();
            [SorMethod::Sor, SorMethod::SsorPcg].map(|method| {
                let opts = SorOptions { method, ordering: SweepOrdering::Multicolour, max_iterations: 60, ..Default::default() };
                let (r, x) = run(&a, 1.7, &opts);
                (x.iter().map(|v| v.to_bits()).collect(), r.iterations, r.residual_norm.to_bits())
            })
        })
        .collect();
    nksolve::linalg::set_num_threads(0).unwrap();
    for (k, r) in results.iter().enumerate() {
        assert!(*r == results[k % 2], "run {k} differs from the 1-thread run");
    }
}

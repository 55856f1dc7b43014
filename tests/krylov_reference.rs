//! Krylov solutions checked against a dense direct solve (faer LU) and against theory.

use nksolve::krylov::{KrylovMethod, KrylovOptions, KrylovSolver, PreconditionerSide, Termination};
use nksolve::linalg::{CsrMatrix, FnOperator, Par};
use nksolve::precond::{FnPreconditioner, Identity, Ilu0, Jacobi, Preconditioner};
use nksolve::problems;
use faer::linalg::solvers::Solve;

fn dense_solve(a: &CsrMatrix, b: &[f64]) -> Vec<f64> {
    let lu = a.to_dense().partial_piv_lu();
    let rhs = faer::Mat::<f64>::from_fn(b.len(), 1, |i, _| b[i]);
    let x = lu.solve(&rhs);
    (0..b.len()).map(|i| x[(i, 0)]).collect()
}

fn rel_err(x: &[f64], y: &[f64]) -> f64 {
    let num: f64 = x.iter().zip(y).map(|(a, b)| (a - b).powi(2)).sum::<f64>().sqrt();
    let den: f64 = y.iter().map(|v| v * v).sum::<f64>().sqrt();
    num / den
}

fn rhs(n: usize) -> Vec<f64> {
    (0..n).map(|i| 1.0 + ((i * 7919) % 13) as f64 / 13.0).collect()
}

fn solve(a: &CsrMatrix, m: &mut dyn Preconditioner, method: KrylovMethod, side: PreconditionerSide, rtol: f64) -> (Vec<f64>, nksolve::krylov::KrylovReport) {
    let b = rhs(a.nrows());
    let mut x = vec![0.0; a.nrows()];
    let mut o = KrylovOptions::default();
    o.set_method(method).set_rtol(rtol).unwrap().set_restart(40).unwrap();
    o.side = side;
    let rep = KrylovSolver::new(o).solve(&mut a.clone(), m, &b, &mut x, None).unwrap();
    (x, rep)
}

#[test]
fn cg_matches_dense_solve_on_poisson() {
    let a = problems::poisson2d(20);
    let reference = dense_solve(&a, &rhs(a.nrows()));
    for m in [&mut Identity as &mut dyn Preconditioner, &mut Jacobi::new(&a).unwrap(), &mut Ilu0::new(&a).unwrap()] {
        let (x, rep) = solve(&a, m, KrylovMethod::Cg, PreconditionerSide::Right, 1e-12);
        assert!(rep.termination.converged(), "{:?}", rep.termination);
        let e = rel_err(&x, &reference);
        assert!(e < 1e-8, "relative error {e}");
        assert!(rep.residual_norm <= 1e-11 * rep.rhs_norm * 10.0);
    }
}

#[test]
fn gmres_and_fgmres_match_dense_solve_on_convection_diffusion() {
    let a = problems::convection_diffusion2d(20, 50.0);
    let reference = dense_solve(&a, &rhs(a.nrows()));
    for method in [KrylovMethod::Gmres, KrylovMethod::Fgmres] {
        for side in [PreconditionerSide::Left, PreconditionerSide::Right] {
            let mut precs: Vec<Box<dyn Preconditioner>> =
                vec![Box::new(Identity), Box::new(Jacobi::new(&a).unwrap()), Box::new(Ilu0::new(&a).unwrap())];
            for m in precs.iter_mut() {
                let (x, rep) = solve(&a, m.as_mut(), method, side, 1e-12);
                assert!(rep.termination.converged(), "{method:?} {side:?}: {:?}", rep.termination);
                let e = rel_err(&x, &reference);
                assert!(e < 1e-8, "{method:?} {side:?}: relative error {e}");
            }
        }
    }
}

#[test]
fn cg_iterations_follow_the_condition_number_bound() {
    // Poisson: kappa = lambda_max / lambda_min with lambda = 4 - 2cos(k pi h) - 2cos(l pi h).
    let nx = 40;
    let h = 1.0 / (nx as f64 + 1.0);
    let pi = std::f64::consts::PI;
    let lmin = 4.0 - 4.0 * (pi * h).cos();
    let lmax = 4.0 + 4.0 * (pi * h).cos();
    let kappa = lmax / lmin;
    // CG error bound: 2 ((sqrt k - 1)/(sqrt k + 1))^k in the A-norm; the residual reduction
    // needs at most that iteration count times a modest factor sqrt(kappa) in norms.
    let rtol: f64 = 1e-8;
    let q = (kappa.sqrt() - 1.0) / (kappa.sqrt() + 1.0);
    let bound = ((rtol / (2.0 * kappa.sqrt())).ln() / q.ln()).ceil() as usize;
    let a = problems::poisson2d(nx);
    let (_, rep) = solve(&a, &mut Identity, KrylovMethod::Cg, PreconditionerSide::Right, rtol);
    assert!(rep.termination.converged());
    assert!(rep.iterations <= bound, "CG took {} iterations, theory bound {bound}", rep.iterations);
    assert!(rep.iterations >= bound / 4, "CG took {} iterations: implausibly few for kappa = {kappa}", rep.iterations);
}

#[test]
fn gmres_with_full_restart_converges_within_n_iterations() {
    let a = problems::convection_diffusion2d(6, 10.0);
    let n = a.nrows();
    let b = rhs(n);
    let mut x = vec![0.0; n];
    let mut o = KrylovOptions::default();
    o.set_restart(n).unwrap().set_rtol(1e-10).unwrap();
    let rep = KrylovSolver::new(o).solve(&mut a.clone(), &mut Identity, &b, &mut x, None).unwrap();
    assert!(rep.termination.converged());
    assert!(rep.iterations <= n);
}

#[test]
fn callback_operator_and_preconditioner_give_the_csr_answer() {
    let a = problems::poisson2d(15);
    let n = a.nrows();
    let b = rhs(n);
    let a2 = a.clone();
    let par = Par::seq();
    let mut op = FnOperator::new(n, move |x: &[f64], y: &mut [f64]| {
        a2.matvec(&par, x, y);
        Ok(())
    });
    let d = a.diagonal();
    let mut m = FnPreconditioner::new(move |r: &[f64], z: &mut [f64]| {
        for i in 0..r.len() {
            z[i] = r[i] / d[i];
        }
        Ok(())
    });
    let mut x = vec![0.0; n];
    let mut o = KrylovOptions::default();
    o.set_method(KrylovMethod::Cg).set_rtol(1e-12).unwrap();
    let rep = KrylovSolver::new(o.clone()).solve(&mut op, &mut m, &b, &mut x, None).unwrap();
    assert!(rep.termination.converged());
    // One application for the initial residual, one per iteration but the converged last one.
    assert_eq!(rep.precond_applies, rep.iterations);
    // The fused built-in Jacobi takes exactly the same path in exact arithmetic.
    let mut x2 = vec![0.0; n];
    let rep2 = KrylovSolver::new(o).solve(&mut a.clone(), &mut Jacobi::new(&a).unwrap(), &b, &mut x2, None).unwrap();
    assert_eq!(rep.iterations, rep2.iterations);
    assert!(rel_err(&x, &x2) < 1e-10);
}

#[test]
fn failing_matvec_stops_and_leaves_x_untouched() {
    let n = 10;
    let mut calls = 0;
    let mut op = FnOperator::new(n, |x: &[f64], y: &mut [f64]| {
        calls += 1;
        if calls == 3 {
            return Err(nksolve::OracleFailure { code: -7 });
        }
        for i in 0..x.len() {
            y[i] = 2.0 * x[i] + if i > 0 { -x[i - 1] } else { 0.0 };
        }
        Ok(())
    });
    let b = vec![1.0; n];
    let mut x = vec![42.0; n];
    let rep = KrylovSolver::new(KrylovOptions::default()).solve(&mut op, &mut Identity, &b, &mut x, None).unwrap();
    assert_eq!(rep.termination, Termination::OracleFailed { oracle: "matvec", code: -7 });
    assert!(x.iter().all(|&v| v == 42.0));
}

#[test]
fn nan_from_matvec_is_reported_not_propagated() {
    let n = 8;
    let mut op = FnOperator::new(n, |_x: &[f64], y: &mut [f64]| {
        y.iter_mut().for_each(|v| *v = f64::NAN);
        Ok(())
    });
    let mut x = vec![1.0; n];
    let rep = KrylovSolver::new(KrylovOptions::default()).solve(&mut op, &mut Identity, &[1.0; 8], &mut x, None).unwrap();
    assert!(matches!(rep.termination, Termination::NonFinite(_)), "{:?}", rep.termination);
    assert!(x.iter().all(|&v| v == 1.0));
}

#[test]
fn monitor_can_stop_and_sees_decreasing_gmres_residuals() {
    let a = problems::convection_diffusion2d(20, 5.0);
    let b = rhs(a.nrows());
    let mut x = vec![0.0; a.nrows()];
    let mut seen = Vec::new();
    let mut mon = |r: &nksolve::krylov::KrylovReport| {
        seen.push(r.residual_norm);
        if r.iterations == 5 { std::ops::ControlFlow::Break(()) } else { std::ops::ControlFlow::Continue(()) }
    };
    let rep = KrylovSolver::new(KrylovOptions::default()).solve(&mut a.clone(), &mut Identity, &b, &mut x, Some(&mut mon)).unwrap();
    assert_eq!(rep.termination, Termination::MonitorStop);
    assert_eq!(seen.len(), 5);
    assert!(seen.windows(2).all(|w| w[1] <= w[0]));
    assert!(x.iter().all(|&v| v == 0.0));
}

#[test]
fn cg_on_indefinite_matrix_reports_breakdown() {
    let a = CsrMatrix::from_triplets(2, 2, &[(0, 0, 1.0), (1, 1, -1.0)]).unwrap();
    let mut x = vec![0.0; 2];
    let mut o = KrylovOptions::default();
    o.set_method(KrylovMethod::Cg);
    let rep = KrylovSolver::new(o).solve(&mut a.clone(), &mut Identity, &[0.0, 1.0], &mut x, None).unwrap();
    assert!(matches!(rep.termination, Termination::Breakdown(_)), "{:?}", rep.termination);
}

#[test]
fn max_iterations_returns_last_iterate_with_positive_outcome() {
    let a = problems::poisson2d(30);
    let b = rhs(a.nrows());
    let mut x = vec![0.0; a.nrows()];
    let mut o = KrylovOptions::default();
    // GMRES: its residual norm is monotone, so 5 iterations must have reduced it.
    o.set_max_iterations(5).unwrap();
    let rep = KrylovSolver::new(o).solve(&mut a.clone(), &mut Identity, &b, &mut x, None).unwrap();
    assert_eq!(rep.termination, Termination::MaxIterations);
    assert_eq!(rep.iterations, 5);
    assert!(rep.residual_norm < rep.rhs_norm);
    assert!(x.iter().any(|&v| v != 0.0));
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let a = problems::darcy_system(96, 3);
    let b = vec![1.0; a.nrows()];
    let mut xs = Vec::new();
    for threads in [1, 2, 3] {
        nksolve::linalg::set_num_threads(threads).unwrap();
        let mut o = KrylovOptions::default();
        o.set_method(KrylovMethod::Cg);
        let mut x = vec![0.0; a.nrows()];
        let rep = KrylovSolver::new(o).solve(&mut a.clone(), &mut Identity, &b, &mut x, None).unwrap();
        assert!(rep.termination.converged());
        xs.push((rep.iterations, x));
    }
    nksolve::linalg::set_num_threads(0).unwrap();
    assert!(xs.windows(2).all(|w| w[0] == w[1]), "bitwise-identical results across thread counts");
}

#[test]
fn fgmres_handles_a_preconditioner_that_changes_every_call() {
    // The preconditioner is itself an iterative solve (5 CG steps from zero on A), a nonlinear
    // map of its input: only the flexible variant is guaranteed to converge with it.
    let a = problems::convection_diffusion2d(20, 5.0);
    let reference = dense_solve(&a, &rhs(a.nrows()));
    let inner = problems::poisson2d(20);
    let mut calls = 0usize;
    let mut m = FnPreconditioner::new(|r: &[f64], z: &mut [f64]| {
        calls += 1;
        let mut o = KrylovOptions::default();
        o.set_method(KrylovMethod::Cg).set_max_iterations(5).unwrap();
        z.iter_mut().for_each(|v| *v = 0.0);
        KrylovSolver::new(o).solve(&mut inner.clone(), &mut Identity, r, z, None).map(|_| ()).map_err(|_| nksolve::OracleFailure { code: -1 })
    });
    let (x, rep) = solve(&a, &mut m, KrylovMethod::Fgmres, PreconditionerSide::Right, 1e-10);
    assert!(rep.termination.converged(), "{:?}", rep.termination);
    assert!(rel_err(&x, &reference) < 1e-8);
    assert_eq!(calls, rep.precond_applies);
    let (_, plain) = solve(&a, &mut Identity, KrylovMethod::Gmres, PreconditionerSide::Right, 1e-10);
    assert!(rep.iterations * 2 < plain.iterations, "inner CG must pay off: {} vs {}", rep.iterations, plain.iterations);
}

#[test]
fn restarted_gmres_reports_stagnation_on_a_rotation() {
    // GMRES(1) on a 90-degree rotation: A b is orthogonal to b, so no cycle reduces the residual.
    let a = CsrMatrix::from_triplets(2, 2, &[(0, 1, 1.0), (1, 0, -1.0)]).unwrap();
    let mut x = vec![0.0; 2];
    let mut o = KrylovOptions::default();
    o.set_restart(1).unwrap();
    let rep = KrylovSolver::new(o).solve(&mut a.clone(), &mut Identity, &[1.0, 0.0], &mut x, None).unwrap();
    assert_eq!(rep.termination, Termination::Stagnation);
    assert_eq!(rep.residual_norm, 1.0);
}

#[test]
fn time_limit_stops_with_the_last_iterate() {
    let a = problems::poisson2d(30);
    let n = a.nrows();
    let par = Par::seq();
    let mut op = FnOperator::new(n, |x: &[f64], y: &mut [f64]| {
        std::thread::sleep(std::time::Duration::from_millis(2));
        a.matvec(&par, x, y);
        Ok(())
    });
    let mut o = KrylovOptions::default();
    o.set_method(KrylovMethod::Cg).set_max_seconds(0.02).unwrap();
    let mut x = vec![0.0; n];
    let rep = KrylovSolver::new(o).solve(&mut op, &mut Identity, &rhs(n), &mut x, None).unwrap();
    assert_eq!(rep.termination, Termination::TimeLimit);
    assert!(rep.iterations >= 1 && rep.iterations < 40, "{} iterations in ~20 ms of 2 ms matvecs", rep.iterations);
    assert!(rep.seconds >= 0.02);
    assert!(x.iter().any(|&v| v != 0.0), "the last iterate is returned");
}

#[test]
fn absolute_tolerance_and_warm_start() {
    let a = problems::poisson2d(16);
    let b = rhs(a.nrows());
    let exact = dense_solve(&a, &b);
    let mut o = KrylovOptions::default();
    o.set_method(KrylovMethod::Cg).set_rtol(0.0).unwrap().set_atol(1e-6).unwrap();
    let mut x = vec![0.0; a.nrows()];
    let rep = KrylovSolver::new(o.clone()).solve(&mut a.clone(), &mut Identity, &b, &mut x, None).unwrap();
    assert_eq!(rep.termination, Termination::ConvergedAbsolute);
    assert!(rep.residual_norm <= 1e-6 * 1.0001);
    // Starting from the exact solution needs no iteration at all.
    o.use_initial_guess = true;
    let mut x = exact.clone();
    let rep = KrylovSolver::new(o).solve(&mut a.clone(), &mut Identity, &b, &mut x, None).unwrap();
    assert!(rep.termination.converged() && rep.iterations == 0, "{rep:?}");
    assert_eq!(rep.matvecs, 2, "initial residual and the final true residual");
    assert_eq!(x, exact);
}

//! `cargo bench --bench krylov_basic`: nksolve CG and GMRES(40) against PETSc on the same
//! matrices, in one run.
//!
//! Problem (the foundation issue's): 20 Darcy-flow systems on an 80 x 80 grid, coefficient
//! 12 / 3 from a thresholded Gaussian random field, right-hand side 1, rtol 1e-8, x0 = 0, no
//! preconditioner. nksolve runs with 1 and 2 threads; PETSc (sequential AIJ, petsc4py from
//! Debian) runs in a subprocess on the very same CSR arrays. Times are solve times only
//! (operator set-up excluded on both sides), best of `REPEATS` passes over the 20 systems.
//! Ratio = PETSc time / nksolve time (> 1: nksolve faster).

use nksolve::krylov::{KrylovMethod, KrylovOptions, KrylovSolver};
use nksolve::linalg::CsrMatrix;
use nksolve::precond::Identity;
use std::time::Instant;

mod common;

const NX: usize = 80;
const SYSTEMS: u64 = 20;
const REPEATS: usize = 5;

struct Run {
    seconds: f64,
    iterations: Vec<usize>,
}

fn ours(systems: &[CsrMatrix], method: KrylovMethod, threads: usize) -> Run {
    nksolve::linalg::set_num_threads(threads).unwrap();
    let mut opts = KrylovOptions::default();
    opts.set_method(method).set_rtol(1e-8).unwrap().set_restart(40).unwrap().set_max_iterations(10_000).unwrap();
    let mut solver = KrylovSolver::new(opts);
    let mut best = Run { seconds: f64::INFINITY, iterations: vec![] };
    for _ in 0..REPEATS {
        let mut total = 0.0;
        let mut its = Vec::new();
        for a in systems {
            let b = vec![1.0; a.nrows()];
            let mut x = vec![0.0; a.nrows()];
            let mut op = a.clone();
            let t = Instant::now();
            let r = solver.solve(&mut op, &mut Identity, &b, &mut x, None).unwrap();
            total += t.elapsed().as_secs_f64();
            assert!(r.termination.converged(), "{method:?}: {:?}", r.termination);
            assert!(r.residual_norm <= 1.01e-8 * r.rhs_norm);
            its.push(r.iterations);
        }
        if total < best.seconds {
            best = Run { seconds: total, iterations: its };
        }
    }
    best
}

/// PETSc's result for `key` from its JSON.
fn petsc_run(json: &str, key: &str) -> Option<Run> {
    let seconds = common::json_number(json, key, "seconds")?;
    let iterations = common::json_numbers(json, key, "iterations")?.into_iter().map(|v| v as usize).collect();
    Some(Run { seconds, iterations })
}

fn mean(v: &[usize]) -> f64 {
    v.iter().sum::<usize>() as f64 / v.len().max(1) as f64
}

fn main() {
    let systems: Vec<CsrMatrix> = (0..SYSTEMS).map(|s| nksolve::problems::darcy_system(NX, s)).collect();
    let path = common::scratch_dir().join("darcy80.bin");
    common::write_systems(&path, &systems.iter().collect::<Vec<_>>());
    let args = [path.display().to_string(), "--repeats".into(), REPEATS.to_string()];
    let petsc_json = common::run_peer("/usr/bin/python3", "petsc_krylov.py", &args);
    if petsc_json.is_none() {
        println!("PETSc (python3-petsc4py under /usr/bin/python3) unavailable: printing nksolve times only");
    }
    println!("krylov_basic: {SYSTEMS} Darcy systems, {NX}x{NX} grid (n = {}), rtol 1e-8, no preconditioner, best of {REPEATS}", NX * NX);
    println!("{:<10} {:>7} {:>12} {:>12} {:>14} {:>10} {:>10}", "method", "threads", "nksolve [s]", "PETSc [s]", "PETSc/nksolve", "its ours", "its PETSc");
    for (method, key, label) in [(KrylovMethod::Cg, "cg", "CG"), (KrylovMethod::Gmres, "gmres40", "GMRES(40)")] {
        let theirs = petsc_json.as_deref().and_then(|j| petsc_run(j, key));
        for threads in [1, 2] {
            let r = ours(&systems, method, threads);
            let (ps, ratio, pits) = match &theirs {
                Some(p) => (format!("{:.4}", p.seconds), format!("{:.2}x", p.seconds / r.seconds), format!("{:.1}", mean(&p.iterations))),
                None => ("n/a".into(), "n/a".into(), "n/a".into()),
            };
            println!("{label:<10} {threads:>7} {:>12.4} {ps:>12} {ratio:>14} {:>10.1} {pits:>10}", r.seconds, mean(&r.iterations));
        }
    }
    nksolve::linalg::set_num_threads(0).unwrap();
}

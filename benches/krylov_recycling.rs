//! `cargo bench --bench krylov_recycling`: Krylov recycling over sequences of systems, against
//! PETSc GMRES(40) and CG (no recycling) and scipy's `gcrotmk` with `CU` recycling, on the same
//! matrices, in one run, one thread.
//!
//! Sequences (the SKR paper's shape):
//! - Darcy flow, 5-point finite differences, coefficient 12 / 3 from a thresholded Gaussian
//!   random field (alpha = 2.5, tau = 7), b = 1, x0 = 0, rtol 1e-8: `NKS_BENCH_SYSTEMS` systems
//!   (default 100) on an 80 x 80 grid and `NKS_BENCH_SYSTEMS_200` (default 10: GMRES(40) needs
//!   minutes per ten systems there) on a 200 x 200 grid. SKR features: the coefficient field.
//! - Nonsymmetric: convection-diffusion on a 64 x 64 grid with Peclet numbers drawn uniformly
//!   from [10, 60] (seeded), `NKS_BENCH_SYSTEMS` systems. SKR feature: the Peclet number.
//!
//! Times are solve times (matrix assembly excluded on every side; re-fitting the recycled space
//! to each new matrix included). Matvecs: operator applications (PETSc: MatMult events; scipy:
//! a counting LinearOperator). Storage: doubles the solver holds after the run, in vectors of n.

use nksolve::krylov::{KrylovMethod, KrylovOptions, KrylovSolver, MatrixSequence, SequenceOrder};
use nksolve::linalg::{CsrMatrix, DenseMut, DenseRef};
use rand::{rngs::StdRng, Rng, SeedableRng};

mod common;

struct Sequence {
    name: String,
    mats: Vec<CsrMatrix>,
    /// Column-major `d x N`.
    features: Vec<f64>,
    d: usize,
    spd: bool,
}

struct Row {
    label: String,
    matvecs: usize,
    seconds: f64,
    storage: f64,
}

fn env_count(var: &str, default: usize) -> usize {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn darcy(nx: usize, count: usize) -> Sequence {
    let mut features = Vec::with_capacity(nx * nx * count);
    let mats = (0..count as u64)
        .map(|s| {
            let field = nksolve::problems::threshold_coefficient(&nksolve::problems::gaussian_random_field(nx, 2.5, 7.0, 32.min(nx), s));
            features.extend_from_slice(&field);
            nksolve::problems::darcy2d(nx, &field)
        })
        .collect();
    Sequence { name: format!("Darcy {nx}x{nx}, {count} systems"), mats, features, d: nx * nx, spd: true }
}

fn convection_diffusion(nx: usize, count: usize) -> Sequence {
    let mut rng = StdRng::seed_from_u64(7);
    let peclet: Vec<f64> = (0..count).map(|_| 10.0 + 50.0 * rng.random::<f64>()).collect();
    let mats = peclet.iter().map(|&p| nksolve::problems::convection_diffusion2d(nx, p)).collect();
    Sequence { name: format!("convection-diffusion {nx}x{nx}, Peclet U[10, 60], {count} systems"), mats, features: peclet, d: 1, spd: false }
}

fn ours(seq: &Sequence, label: &str, method: KrylovMethod, k: usize, skr: bool) -> Row {
    let (n, count) = (seq.mats[0].nrows(), seq.mats.len());
    let mut o = KrylovOptions::default();
    o.set_method(method).set_rtol(1e-8).unwrap().set_restart(40).unwrap().set_recycle_dim(k).unwrap().set_max_iterations(100_000).unwrap();
    let mut solver = KrylovSolver::new(o);
    let b = vec![1.0; n * count];
    let mut x = vec![0.0; n * count];
    let features = DenseRef::new(&seq.features, seq.d, count, seq.d, "features").unwrap();
    let order = if skr { SequenceOrder::Skr(features) } else { SequenceOrder::Natural };
    let rep = solver
        .solve_sequence(
            &mut MatrixSequence::new(&seq.mats),
            &DenseRef::new(&b, n, count, n, "b").unwrap(),
            &mut DenseMut::new(&mut x, n, count, n, "x").unwrap(),
            order,
            None,
        )
        .unwrap();
    assert!(rep.failed.is_none() && rep.systems.iter().all(|r| r.termination.converged()), "{label}: not every system converged");
    assert!(rep.systems.iter().all(|r| r.residual_norm <= 1.01e-8 * r.rhs_norm), "{label}: true residual above rtol");
    // Solve time only: the ordering itself is timed apart (it is host-side set-up).
    let seconds = rep.systems.iter().map(|r| r.seconds).sum();
    Row { label: label.into(), matvecs: rep.matvecs, seconds, storage: solver.stored_doubles() as f64 / n as f64 }
}

fn peers(seq: &Sequence, file: &str) -> Vec<Row> {
    let path = common::scratch_dir().join(file);
    common::write_systems(&path, &seq.mats.iter().collect::<Vec<_>>());
    let mut rows = Vec::new();
    let methods = if seq.spd { "cg,gmres40" } else { "gmres40" };
    let args = [path.display().to_string(), "--methods".into(), methods.into(), "--max-it".into(), "100000".into()];
    match common::run_peer("/usr/bin/python3", "petsc_krylov.py", &args) {
        Some(json) => {
            for (key, label) in [("gmres40", "PETSc GMRES(40)"), ("cg", "PETSc CG")] {
                if let (Some(s), Some(m)) = (common::json_number(&json, key, "seconds"), common::json_number(&json, key, "matvecs")) {
                    rows.push(Row { label: label.into(), matvecs: m as usize, seconds: s, storage: f64::NAN });
                }
            }
        }
        None => println!("  (PETSc via /usr/bin/python3 + python3-petsc4py unavailable: no PETSc rows)"),
    }
    let args = [path.display().to_string(), "--m".into(), "40".into(), "--k".into(), "20".into()];
    match common::run_peer("python3", "scipy_gcrotmk.py", &args) {
        Some(json) => rows.push(Row {
            label: "scipy gcrotmk(40,20)+CU".into(),
            matvecs: common::json_number(&json, "", "matvecs").unwrap_or(f64::NAN) as usize,
            seconds: common::json_number(&json, "", "seconds").unwrap_or(f64::NAN),
            storage: f64::NAN,
        }),
        None => println!("  (scipy under python3 unavailable: no scipy row)"),
    }
    rows
}

fn table(seq: &Sequence, file: &str) {
    println!("\n{}: n = {}, rtol 1e-8, 1 thread", seq.name, seq.mats[0].nrows());
    let mut rows = peers(seq, file);
    let mine: Vec<(&str, KrylovMethod, usize, bool)> = if seq.spd {
        vec![
            ("nksolve CG", KrylovMethod::Cg, 0, false),
            ("nksolve GMRES(40)", KrylovMethod::Gmres, 0, false),
            ("nksolve recycled CG(k=10)", KrylovMethod::RecycledCg, 10, false),
            ("nksolve recycled CG + SKR", KrylovMethod::RecycledCg, 10, true),
            ("nksolve GCRO-DR(40,20)", KrylovMethod::GcroDr, 20, false),
            ("nksolve GCRO-DR(40,20) + SKR", KrylovMethod::GcroDr, 20, true),
        ]
    } else {
        vec![
            ("nksolve GMRES(40)", KrylovMethod::Gmres, 0, false),
            ("nksolve GCRO-DR(40,20)", KrylovMethod::GcroDr, 20, false),
            ("nksolve GCRO-DR(40,20) + SKR", KrylovMethod::GcroDr, 20, true),
        ]
    };
    for (label, method, k, skr) in mine {
        rows.push(ours(seq, label, method, k, skr));
    }
    let reference = |label: &str| rows.iter().find(|r| r.label == label).map(|r| (r.matvecs as f64, r.seconds));
    let petsc_gmres = reference("PETSc GMRES(40)");
    let petsc_cg = reference("PETSc CG");
    println!(
        "{:<30} {:>9} {:>10} {:>13} {:>13} {:>12} {:>9}",
        "method", "matvecs", "seconds", "mv vs P-GMRES", "t vs P-GMRES", "t vs P-CG", "storage"
    );
    let ratio = |r: Option<(f64, f64)>, f: &dyn Fn((f64, f64)) -> f64| r.map_or("n/a".to_string(), |p| format!("{:.2}x", f(p)));
    for r in &rows {
        println!(
            "{:<30} {:>9} {:>10.3} {:>13} {:>13} {:>12} {:>9}",
            r.label,
            r.matvecs,
            r.seconds,
            ratio(petsc_gmres, &|p| p.0 / r.matvecs as f64),
            ratio(petsc_gmres, &|p| p.1 / r.seconds),
            ratio(petsc_cg, &|p| p.1 / r.seconds),
            if r.storage.is_nan() { "-".to_string() } else { format!("{:.0} n", r.storage) },
        );
    }
    println!("(ratios > 1: that row is better than the PETSc reference; storage: doubles the nksolve solver holds, in vectors of length n)");
}

fn main() {
    nksolve::linalg::set_num_threads(1).unwrap();
    let count = env_count("NKS_BENCH_SYSTEMS", 100);
    table(&darcy(80, count), "recycling-darcy80.bin");
    table(&convection_diffusion(64, count), "recycling-cd64.bin");
    table(&darcy(200, env_count("NKS_BENCH_SYSTEMS_200", 10)), "recycling-darcy200.bin");
    nksolve::linalg::set_num_threads(0).unwrap();
}

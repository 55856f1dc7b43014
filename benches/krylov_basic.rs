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
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

const NX: usize = 80;
const SYSTEMS: u64 = 20;
const REPEATS: usize = 5;
const PETSC_DIR: &str = "/usr/lib/petscdir/petsc3.18/x86_64-linux-gnu-real";

struct Run {
    seconds: f64,
    iterations: Vec<usize>,
}

/// Writes the systems in the format benches/petsc_krylov.py reads (little-endian): count, then
/// per system n, nnz, row_ptr[n+1], col_idx[nnz] as i64, values[nnz], b[n] as f64.
fn write_systems(path: &PathBuf, systems: &[CsrMatrix]) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let ints = |f: &mut std::io::BufWriter<std::fs::File>, v: &mut dyn Iterator<Item = usize>| {
        v.for_each(|t| f.write_all(&(t as i64).to_le_bytes()).unwrap())
    };
    ints(&mut f, &mut std::iter::once(systems.len()));
    for a in systems {
        ints(&mut f, &mut [a.nrows(), a.nnz()].into_iter());
        ints(&mut f, &mut a.row_ptr().iter().copied());
        ints(&mut f, &mut a.col_idx().iter().copied());
        for v in a.values().iter().chain(std::iter::repeat_n(&1.0, a.nrows())) {
            f.write_all(&v.to_le_bytes()).unwrap();
        }
    }
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

/// Pulls `"key": {"seconds": S, "iterations": [..]` out of the PETSc script's JSON.
fn petsc_run(json: &str, key: &str) -> Option<Run> {
    let section = &json[json.find(&format!("\"{key}\""))?..];
    let num_after = |k: &str| -> Option<&str> {
        let s = &section[section.find(&format!("\"{k}\""))? + k.len() + 2..];
        Some(s.trim_start_matches([':', ' ']))
    };
    let secs: f64 = num_after("seconds")?.split([',', '}']).next()?.trim().parse().ok()?;
    let its_text = num_after("iterations")?;
    let its = its_text[1..its_text.find(']')?].split(',').filter_map(|v| v.trim().parse().ok()).collect();
    Some(Run { seconds: secs, iterations: its })
}

fn petsc(path: &PathBuf) -> Option<String> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/petsc_krylov.py");
    let out = Command::new("/usr/bin/python3")
        .arg(script)
        .arg(path)
        .arg("--repeats")
        .arg(REPEATS.to_string())
        .env("PETSC_DIR", PETSC_DIR)
        .env("OMP_NUM_THREADS", "1")
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("PETSc run failed:\n{}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn mean(v: &[usize]) -> f64 {
    v.iter().sum::<usize>() as f64 / v.len().max(1) as f64
}

fn main() {
    let systems: Vec<CsrMatrix> = (0..SYSTEMS).map(|s| nksolve::problems::darcy_system(NX, s)).collect();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/nks-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("darcy80.bin");
    write_systems(&path, &systems);
    let petsc_json = petsc(&path);
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

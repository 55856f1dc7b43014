//! Jacobian-free Newton-Krylov against PETSc SNES (`newtonls -snes_mf`) and scipy
//! `newton_krylov` on the same problems, in one run, one thread: Newton iterations, residual
//! evaluations, Krylov iterations, final `||F||_2`, seconds.
//!
//! Problems (`nksolve::problems::nonlinear`; every side evaluates the formulas of that file):
//! - 2D Bratu, `lambda = 6`, on a `side x side` interior grid (side 128 and 256), from PETSc
//!   ex5's starting guess: `F = 4u - sum(neighbours) - h^2 lambda e^u`, `h = 1/(side+1)`.
//! - 50 implicit-Euler steps (`dt = 0.01`) of `u_t = div((1 + u^2) grad u) + 50 sin(pi x)
//!   sin(pi y)` on a 128 x 128 grid from `u = 0` (`NonlinearDiffusion`); each step starts from,
//!   and uses as `u_old`, the previous step's solution. Counts and times are totals over the
//!   steps; the final `||F||` is the largest over the steps.
//!
//! Every solve stops at `||F||_2 <= max(1e-10, 1e-8 ||F_0||_2)` (`F_0` at the start of that
//! solve) and sees only the residual: Jacobian products are finite differences, no
//! preconditioner.
//!
//! - nksolve: `NonlinearSolver` with default options (Eisenstat-Walker forcing, backtracking,
//!   restart 30), `inner_max_iterations = 10000`, the problem wrapped so that it offers only
//!   the residual; inner GMRES (nothing kept) or GCRO-DR(30, 10) (the default; its recycle
//!   space carries across Newton steps and, with ONE solver object, across the time steps).
//! - PETSc SNES (`benches/petsc_nonlinear.c`, compiled here at run time with `mpicc` against
//!   Debian's PETSc 3.18 into target/nks-bench, so both residuals are compiled code doing the
//!   same floating-point operations): newtonls, `-snes_mf`, GMRES(30), `-pc_type none`, line
//!   search bt, `-snes_rtol 1e-8 -snes_atol 1e-10 -snes_stol 0 -snes_max_it 100 -ksp_max_it
//!   10000`, with PETSc's default fixed linear tolerance (ksp rtol 1e-5) and with
//!   `-snes_ksp_ew`. Limits that would stop PETSc where nksolve continues are lifted (see the
//!   footnote printed with the tables). Skipped, with the reason, if the compile fails.
//! - scipy `optimize.newton_krylov(method='gmres')`, default inner settings, numpy residual
//!   (`benches/scipy_nonlinear.py`); stopped (and reported as unfinished) past 120 s.
//!
//! Times are solve times (SNESSolve / newton_krylov / `NonlinearSolver::solve`), the best of
//! repeats while one run takes under 0.5 s.
//!
//! Targets: recycling (GCRO-DR) cuts total Krylov iterations by >= 2x against our own GMRES,
//! and our total time (GCRO-DR) is below PETSc SNES's.
//!
//! `NKS_BENCH_NONLINEAR=small` runs Bratu at side 64 and 20 time steps on a 64 x 64 grid (a
//! quick check). Run: `cargo bench --bench nonlinear`

#[path = "common/mod.rs"]
mod common;

use nksolve::nonlinear::{InnerSolver, NonlinearOptions, NonlinearSolver, NonlinearSystem};
use nksolve::problems::nonlinear::{Bratu, NonlinearDiffusion};
use nksolve::OracleFailure;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

const LAMBDA: f64 = 6.0;
const DT: f64 = 0.01;
const SCIPY_BUDGET_S: f64 = 120.0;

/// Offers only the residual of the wrapped problem (Newton-Krylov then differences it).
struct ResidualOnly<'p, P: NonlinearSystem>(&'p mut P);

impl<P: NonlinearSystem> NonlinearSystem for ResidualOnly<'_, P> {
    fn residual(&mut self, x: &[f64], f: &mut [f64]) -> Result<(), OracleFailure> {
        self.0.residual(x, f)
    }
}

#[derive(Clone, Copy)]
enum Problem {
    Bratu { side: usize },
    Diffusion { side: usize, steps: usize },
}

impl Problem {
    fn label(self) -> String {
        match self {
            Problem::Bratu { side } => format!("Bratu lambda = {LAMBDA}, {side} x {side} (n = {})", side * side),
            Problem::Diffusion { side, steps } => {
                format!("nonlinear diffusion, {steps} implicit-Euler steps dt = {DT}, {side} x {side} (n = {}), totals", side * side)
            }
        }
    }

    fn short(self) -> String {
        match self {
            Problem::Bratu { side } => format!("Bratu {side}x{side}"),
            Problem::Diffusion { side, steps } => format!("diffusion {side}x{side} x {steps} steps"),
        }
    }

    /// Arguments of both peers.
    fn peer_args(self) -> Vec<String> {
        match self {
            Problem::Bratu { side } => vec!["bratu".into(), side.to_string(), LAMBDA.to_string()],
            Problem::Diffusion { side, steps } => vec!["diffusion".into(), side.to_string(), DT.to_string(), steps.to_string()],
        }
    }
}

#[derive(Clone)]
struct Row {
    solver: String,
    newton: usize,
    evals: usize,
    krylov: Option<usize>,
    fnorm: f64,
    seconds: f64,
    ok: bool,
    note: String,
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// One full run with a fresh solver: (newton, evals, krylov, largest final ||F||, seconds, all converged).
fn ours_once(problem: Problem, options: &NonlinearOptions) -> (usize, usize, usize, f64, f64, bool) {
    let mut solver = NonlinearSolver::new(options.clone());
    let (mut newton, mut evals, mut krylov, mut worst, mut seconds, mut ok) = (0, 0, 0, 0.0f64, 0.0, true);
    let mut tally = |solver: &NonlinearSolver, system: &mut dyn NonlinearSystem, u: &[f64], s: f64| {
        let r = solver.report();
        let mut f = vec![0.0; u.len()];
        system.residual(u, &mut f).unwrap();
        let fnorm = norm(&f);
        newton += r.iterations;
        evals += r.residual_evaluations;
        krylov += r.inner_iterations;
        seconds += s;
        worst = worst.max(fnorm);
        ok &= r.termination.converged() && fnorm <= 1e-10f64.max(1e-8 * r.initial_residual_norm) * (1.0 + 1e-12);
    };
    match problem {
        Problem::Bratu { side } => {
            let mut bratu = Bratu::new(side, LAMBDA);
            let mut u = bratu.initial_guess();
            let t = Instant::now();
            solver.solve(&mut ResidualOnly(&mut bratu), &mut u, None).unwrap();
            let s = t.elapsed().as_secs_f64();
            tally(&solver, &mut bratu, &u, s);
        }
        Problem::Diffusion { side, steps } => {
            let mut diffusion = NonlinearDiffusion::new(side, DT);
            let mut u = diffusion.previous.clone();
            for _ in 0..steps {
                let t = Instant::now();
                solver.solve(&mut ResidualOnly(&mut diffusion), &mut u, None).unwrap();
                let s = t.elapsed().as_secs_f64();
                tally(&solver, &mut diffusion, &u, s);
                diffusion.previous.copy_from_slice(&u);
            }
        }
    }
    (newton, evals, krylov, worst, seconds, ok)
}

fn ours(problem: Problem, label: &str, inner: InnerSolver) -> Row {
    let mut options = NonlinearOptions::default();
    options.inner_solver = inner;
    options.inner_max_iterations = 10_000;
    let (newton, evals, krylov, fnorm, first, ok) = ours_once(problem, &options);
    let (mut best, mut spent, mut runs) = (first, first, 1);
    while first < 0.5 && spent < 2.0 && runs < 20 {
        let s = ours_once(problem, &options).4;
        best = best.min(s);
        spent += s;
        runs += 1;
    }
    Row { solver: label.into(), newton, evals, krylov: Some(krylov), fnorm, seconds: best, ok, note: String::new() }
}

/// Compiles benches/petsc_nonlinear.c against Debian's PETSc; the binary, or why not.
fn build_petsc() -> Result<PathBuf, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let source = root.join("benches/petsc_nonlinear.c");
    let binary = common::scratch_dir().join("petsc_nonlinear");
    let dir = common::PETSC_DIR;
    let out = Command::new("mpicc")
        .args(["-O3", "-o"])
        .arg(&binary)
        .arg(&source)
        .arg(format!("-I{dir}/include"))
        .arg(format!("-L{dir}/lib"))
        .arg(format!("-Wl,-rpath,{dir}/lib"))
        .args(["-lpetsc_real", "-lm"])
        .output()
        .map_err(|e| format!("could not run mpicc: {e} (install mpi-default-dev and libpetsc-real3.18-dev)"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!("mpicc failed: {}", err.lines().take(5).collect::<Vec<_>>().join(" | ")));
    }
    Ok(binary)
}

fn petsc_row(binary: &PathBuf, problem: Problem, ew: bool) -> Result<Row, String> {
    let mut cmd = Command::new(binary);
    cmd.args(problem.peer_args()).env("OMP_NUM_THREADS", "1").env("OPENBLAS_NUM_THREADS", "1");
    if ew {
        cmd.arg("-snes_ksp_ew");
    }
    let out = cmd.output().map_err(|e| format!("could not run {}: {e}", binary.display()))?;
    let json = String::from_utf8_lossy(&out.stdout).into_owned();
    let num = |k: &str| common::json_number(&json, "", k);
    let (Some(newton), Some(evals), Some(callback), Some(krylov), Some(seconds), Some(fnorm)) = (
        num("newton_iterations"),
        num("function_evals"),
        num("callback_evals"),
        num("linear_iterations"),
        num("seconds"),
        num("max_step_fnorm"),
    ) else {
        return Err(format!("no result ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).lines().take(5).collect::<Vec<_>>().join(" | ")));
    };
    let failures = num("linear_failures").unwrap_or(0.0) as usize;
    let mut note = Vec::new();
    if failures > 0 {
        note.push(format!("{failures} inner solve(s) ended in GMRES breakdown"));
    }
    if callback != evals {
        note.push(format!("callback counted {callback}"));
    }
    if !out.status.success() {
        note.push(format!("SNES reason {}", num("reason").unwrap_or(f64::NAN)));
    }
    Ok(Row {
        solver: if ew { "PETSc SNES, EW".into() } else { "PETSc SNES, ksp rtol 1e-5".into() },
        newton: newton as usize,
        evals: evals as usize,
        krylov: Some(krylov as usize),
        fnorm,
        seconds,
        ok: out.status.success(),
        note: note.join("; "),
    })
}

fn scipy_row(problem: Problem) -> Result<Row, String> {
    let mut args = problem.peer_args();
    args.extend(["--budget".into(), SCIPY_BUDGET_S.to_string()]);
    let json = common::run_peer("python3", "scipy_nonlinear.py", &args).ok_or("python3 with scipy unavailable or the script failed")?;
    let num = |k: &str| common::json_number(&json, "", k);
    if json.contains("\"finished\": false") {
        return Err(format!(
            "skipped: did not finish within {SCIPY_BUDGET_S} s ({} Newton steps, {} residual evaluations done by then)",
            num("newton_iterations").unwrap_or(f64::NAN),
            num("function_evals").unwrap_or(f64::NAN)
        ));
    }
    let ok = json.contains("\"converged\": true");
    let message = json.split("\"message\": ").nth(1).unwrap_or("").trim().trim_end_matches('}').to_string();
    Ok(Row {
        solver: "scipy newton_krylov (numpy F)".into(),
        newton: num("newton_iterations").ok_or("no newton_iterations")? as usize,
        evals: num("function_evals").ok_or("no function_evals")? as usize,
        krylov: num("krylov_iterations").map(|k| k as usize),
        fnorm: num("max_step_fnorm").unwrap_or(f64::NAN),
        seconds: num("seconds").ok_or("no seconds")?,
        ok,
        note: if ok { String::new() } else { message },
    })
}

fn print_table(rows: &[Row]) {
    let reference = rows.iter().find(|r| r.solver == "PETSc SNES, EW").map(|r| r.seconds);
    println!(
        "  {:<30} {:>7} {:>10} {:>9} {:>10} {:>9} {:>12} {:>3}",
        "solver", "Newton", "F evals", "Krylov", "||F||_2", "seconds", "vs PETSc EW", "ok"
    );
    for r in rows {
        println!(
            "  {:<30} {:>7} {:>10} {:>9} {:>10.2e} {:>9.3} {:>12} {:>3}{}",
            r.solver,
            r.newton,
            r.evals,
            r.krylov.map_or("-".to_string(), |k| k.to_string()),
            r.fnorm,
            r.seconds,
            reference.map_or("n/a".to_string(), |p| format!("{:.2}x", p / r.seconds)),
            if r.ok { "yes" } else { "NO" },
            if r.note.is_empty() { String::new() } else { format!("  ({})", r.note) },
        );
    }
}

struct Summary {
    problem: String,
    gmres: Row,
    gcrodr: Row,
    petsc: Vec<Row>,
}

fn main() {
    // One thread on both sides: nksolve pinned here, the peers run with OMP/OPENBLAS_NUM_THREADS=1.
    nksolve::linalg::set_num_threads(1).unwrap();
    let small = std::env::var("NKS_BENCH_NONLINEAR").is_ok_and(|v| v == "small");
    let problems: Vec<Problem> = if small {
        vec![Problem::Bratu { side: 64 }, Problem::Diffusion { side: 64, steps: 20 }]
    } else {
        vec![Problem::Bratu { side: 128 }, Problem::Bratu { side: 256 }, Problem::Diffusion { side: 128, steps: 50 }]
    };
    let petsc = build_petsc();
    println!("Jacobian-free Newton-Krylov vs PETSc SNES (newtonls -snes_mf) and scipy newton_krylov, no preconditioner, 1 thread");
    println!("Stop: ||F||_2 <= max(1e-10, 1e-8 ||F0||_2) per solve. Seconds: solve only, best of repeats under 0.5 s.");
    println!("vs PETSc EW: PETSc SNES (EW)'s seconds over the row's (> 1: the row is faster).");
    if let Err(why) = &petsc {
        println!("PETSc skipped: {why}");
    }
    let mut summaries = Vec::new();
    for &problem in &problems {
        println!("\n{}", problem.label());
        let mut rows = vec![
            ours(problem, "nksolve NK + GMRES(30)", InnerSolver::Gmres),
            ours(problem, "nksolve NK + GCRO-DR(30,10)", InnerSolver::GcroDr),
        ];
        let mut notes = Vec::new();
        if let Ok(binary) = &petsc {
            for ew in [false, true] {
                match petsc_row(binary, problem, ew) {
                    Ok(r) => rows.push(r),
                    Err(why) => notes.push(format!("PETSc{}: {why}", if ew { " EW" } else { "" })),
                }
            }
        }
        match scipy_row(problem) {
            Ok(r) => rows.push(r),
            Err(why) => notes.push(format!("scipy newton_krylov: {why}")),
        }
        print_table(&rows);
        for n in notes {
            println!("  {n}");
        }
        summaries.push(Summary {
            problem: problem.short(),
            gmres: rows[0].clone(),
            gcrodr: rows[1].clone(),
            petsc: rows.iter().filter(|r| r.solver.starts_with("PETSc")).cloned().collect(),
        });
    }
    println!(
        "\nNotes: F evals count every residual call (finite-difference products and line searches included; PETSc: \
         SNESGetNumberFunctionEvals). Krylov: inner GMRES / GCRO-DR iterations (PETSc: SNESGetLinearSolveIterations; \
         scipy: inner callback). ||F||_2 recomputed at the returned point (the largest over the time steps).\n\
         nksolve and PETSc evaluate the same compiled residual formulas; scipy's residual is vectorised numpy.\n\
         PETSc also runs with -snes_max_funcs 1e9 (its default 10000 counts the matrix-free products) and \
         -snes_max_linear_solve_fail 1e9 (PETSc 3.18's GMRES stops with DIVERGED_BREAKDOWN when its recursion \
         residual disagrees with the recomputed one at a restart, finite-difference noise; SNES would otherwise quit \
         there, while nksolve takes the partial step of an inner solve that stops short, so PETSc now does too).\n\
         scipy newton_krylov: GMRES with restart = inner_maxiter = 20 and one cycle per Newton step (its defaults), \
         scipy's forcing and armijo line search; f_tol as above with tol_norm = 2-norm."
    );

    println!("\nTarget: recycling cuts total Krylov iterations by >= 2x against our own GMRES");
    for s in &summaries {
        let (g, r) = (s.gmres.krylov.unwrap_or(0), s.gcrodr.krylov.unwrap_or(0));
        let ratio = g as f64 / r as f64;
        println!("  {:<30} GMRES {g:>7} / GCRO-DR {r:>7} = {ratio:.2}x  {}", s.problem, if ratio >= 2.0 { "met" } else { "NOT met" });
    }
    println!("Target: our total time below PETSc SNES's (nksolve GCRO-DR; ratio = PETSc seconds / ours, > 1: ours is faster)");
    let (mut ours_total, mut petsc_total) = (0.0, [0.0f64; 2]);
    let mut petsc_complete = true;
    for s in &summaries {
        ours_total += s.gcrodr.seconds;
        let find = |name: &str| s.petsc.iter().find(|r| r.solver == name).map(|r| r.seconds);
        let (fixed, ew) = (find("PETSc SNES, ksp rtol 1e-5"), find("PETSc SNES, EW"));
        match (fixed, ew) {
            (Some(f), Some(e)) => {
                petsc_total[0] += f;
                petsc_total[1] += e;
                let best = f.min(e);
                println!(
                    "  {:<30} ours {:.3} s; PETSc fixed {f:.3} s ({:.2}x), PETSc EW {e:.3} s ({:.2}x)  {}",
                    s.problem,
                    s.gcrodr.seconds,
                    f / s.gcrodr.seconds,
                    e / s.gcrodr.seconds,
                    if s.gcrodr.seconds < best { "met" } else { "NOT met" }
                );
            }
            _ => {
                petsc_complete = false;
                println!("  {:<30} ours {:.3} s; PETSc unavailable", s.problem, s.gcrodr.seconds);
            }
        }
    }
    if petsc_complete {
        println!(
            "  {:<30} ours {ours_total:.3} s; PETSc fixed {:.3} s ({:.2}x), PETSc EW {:.3} s ({:.2}x)  {}",
            "all problems",
            petsc_total[0],
            petsc_total[0] / ours_total,
            petsc_total[1],
            petsc_total[1] / ours_total,
            if ours_total < petsc_total[0].min(petsc_total[1]) { "met" } else { "NOT met" }
        );
    }
    nksolve::linalg::set_num_threads(0).unwrap();
}

//! Newton methods against scipy `minimize` (`trust-ncg`, `trust-krylov`, `Newton-CG` with
//! `hessp`) on the same problems, in one run: oracle calls by kind, iterations, seconds.
//!
//! Problems (issue 6): extended Rosenbrock n = 1e4 and 1e6, DIXMAAN-H n = 3000, ARWHEAD
//! n = 1e5, and a convex L2-regularised logistic regression (2000 features, 4000 samples;
//! the data is a formula, so scipy's side rebuilds it exactly). Every solver stops at
//! `||g|| <= 1e-8`. Our oracles are compiled Rust (what a C/Fortran host passes), scipy's are
//! vectorised numpy (what a scipy user writes): the time ratio compares the two stacks.
//!
//! Targets: trust-region Newton-CG spends no more gradient + Hessian-vector products than
//! scipy `trust-ncg` and is >= 10x faster at n = 1e6; the lazy-Hessian method needs >= 2x
//! fewer Hessian-vector products than trust-region Newton-CG on the convex problems.
//!
//! `NKS_BENCH_NEWTON=small` runs the problems at a tenth of their size (a quick check).
//! Run: `cargo bench --bench newton`

#[path = "common/mod.rs"]
mod common;

use nksolve::newton::{LazyRegularization, NewtonMethod, NewtonOptions, NewtonReport, NewtonSolver};
use nksolve::problems::minimization::{arwhead, dixmaan, extended_rosenbrock, logistic_regression, TestFunction};
use std::time::Instant;

struct Case {
    label: &'static str,
    peer_name: &'static str,
    n: usize,
    convex: bool,
    build: fn(usize) -> TestFunction,
}

fn ours() -> Vec<(&'static str, NewtonOptions)> {
    let with = |m: NewtonMethod, cubic: bool| {
        let mut o = NewtonOptions::default();
        o.method = m;
        o.gatol = 1e-8;
        o.max_iterations = 10_000;
        o.lazy_regularization = if cubic { LazyRegularization::Cubic } else { LazyRegularization::Gradient };
        o
    };
    vec![
        ("trust-region", with(NewtonMethod::TrustRegion, true)),
        ("line-search", with(NewtonMethod::LineSearch, true)),
        ("lazy (cubic)", with(NewtonMethod::Lazy, true)),
        ("lazy (gradient)", with(NewtonMethod::Lazy, false)),
        ("damped AICN", with(NewtonMethod::Damped, true)),
        ("grad.-regularised", with(NewtonMethod::GradientRegularized, true)),
    ]
}

/// Runs one solve (best of repeats when it is short); the report of the first run.
fn run(case: &Case, options: &NewtonOptions) -> (NewtonReport, f64) {
    let mut f = (case.build)(case.n);
    let (mut best, mut report, mut spent) = (f64::INFINITY, None, 0.0);
    for _ in 0..20 {
        let mut x = f.x0.clone();
        let t = Instant::now();
        let r = NewtonSolver::new(options.clone()).minimize(&mut f, &mut x, None).unwrap().clone();
        let s = t.elapsed().as_secs_f64();
        best = best.min(s);
        spent += s;
        report.get_or_insert(r);
        if spent > 2.0 || s > 0.5 {
            break;
        }
    }
    (report.unwrap(), best)
}

#[derive(Clone)]
struct Row {
    solver: String,
    iterations: usize,
    values: usize,
    gradients: usize,
    hessvecs: usize,
    gnorm: f64,
    ok: bool,
    seconds: f64,
}

fn print_rows(rows: &[Row], reference: Option<&Row>) {
    println!(
        "  {:<26} {:>6} {:>7} {:>7} {:>8} {:>10} {:>4} {:>10} {:>9} {:>9}",
        "solver", "iters", "f", "g", "Hv", "||g||", "ok", "seconds", "g+Hv/ref", "ref t/t"
    );
    for r in rows {
        let (calls, time) = match reference {
            Some(p) => (
                format!("{:.2}", (r.gradients + r.hessvecs) as f64 / (p.gradients + p.hessvecs) as f64),
                format!("{:.1}", p.seconds / r.seconds),
            ),
            None => ("-".into(), "-".into()),
        };
        println!(
            "  {:<26} {:>6} {:>7} {:>7} {:>8} {:>10.1e} {:>4} {:>10.4} {:>9} {:>9}",
            r.solver, r.iterations, r.values, r.gradients, r.hessvecs, r.gnorm, if r.ok { "yes" } else { "NO" }, r.seconds, calls, time
        );
    }
}

fn peer_row(case: &Case, method: &str) -> Option<Row> {
    let out = common::run_peer("python3", "scipy_newton.py", &[case.peer_name.into(), case.n.to_string(), method.into(), "1e-8".into()])?;
    let num = |k: &str| common::json_number(&out, "", k);
    Some(Row {
        solver: format!("scipy {method}"),
        iterations: num("nit")? as usize,
        values: num("nfev")? as usize,
        gradients: num("njev")? as usize,
        hessvecs: num("nhev")? as usize,
        gnorm: num("gnorm")?,
        ok: num("gnorm")? <= 1e-8,
        seconds: num("seconds")?,
    })
}

fn main() {
    // One thread on both sides: scipy's numpy runs single-threaded (OMP/OPENBLAS_NUM_THREADS=1).
    nksolve::linalg::set_num_threads(1).unwrap();
    let small = std::env::var("NKS_BENCH_NEWTON").is_ok_and(|v| v == "small");
    let scale = |n: usize, min: usize| if small { (n / 10).max(min) } else { n };
    let cases = [
        Case { label: "extended Rosenbrock", peer_name: "rosenbrock", n: scale(10_000, 100), convex: false, build: extended_rosenbrock },
        Case { label: "extended Rosenbrock", peer_name: "rosenbrock", n: scale(1_000_000, 100), convex: false, build: extended_rosenbrock },
        Case { label: "DIXMAAN-H", peer_name: "dixmaan-h", n: scale(3000, 300), convex: false, build: |n| dixmaan('H', n) },
        Case { label: "ARWHEAD", peer_name: "arwhead", n: scale(100_000, 100), convex: true, build: arwhead },
        Case { label: "logistic regression", peer_name: "logistic", n: scale(2000, 100), convex: true, build: |n| logistic_regression(2 * n, n, 1e-3) },
    ];
    println!("Newton methods vs scipy.optimize.minimize (hessp), ||g|| <= 1e-8, 1 thread, best of repeats under 0.5 s");
    println!("g+Hv/ref: our gradient + Hessian-vector calls over scipy trust-ncg's; ref t/t: scipy trust-ncg's seconds over ours\n");
    let mut lazy_summary = Vec::new();
    for case in &cases {
        println!("{} n = {}", case.label, case.n);
        let peers: Vec<Row> = ["trust-ncg", "trust-krylov", "Newton-CG"].iter().filter_map(|m| peer_row(case, m)).collect();
        if peers.is_empty() {
            println!("  (python3 with scipy unavailable: no peer rows)");
        }
        let mut rows = Vec::new();
        for (name, options) in ours() {
            if !case.convex && name == "lazy (gradient)" {
                continue;
            }
            let (r, seconds) = run(case, &options);
            rows.push(Row {
                solver: format!("nksolve {name}"),
                iterations: r.iterations,
                values: r.value_calls + r.value_gradient_calls,
                gradients: r.gradient_calls + r.value_gradient_calls,
                hessvecs: r.hessian_vector_calls,
                gnorm: r.gradient_norm,
                ok: r.gradient_norm <= 1e-8,
                seconds,
            });
        }
        let reference = peers.iter().find(|p| p.solver == "scipy trust-ncg");
        rows.extend(peers.iter().cloned());
        print_rows(&rows, reference);
        if case.convex {
            let hv = |name: &str| rows.iter().find(|r| r.solver == name).map(|r| r.hessvecs);
            if let (Some(tr), Some(lc), Some(lg)) = (hv("nksolve trust-region"), hv("nksolve lazy (cubic)"), hv("nksolve lazy (gradient)")) {
                lazy_summary.push(format!("{} n = {}: trust-region {tr} Hv, lazy cubic {lc} ({:.2}x fewer), lazy gradient {lg} ({:.2}x fewer)", case.label, case.n, tr as f64 / lc as f64, tr as f64 / lg as f64));
            }
        }
        println!();
    }
    println!("Lazy Hessian on the convex problems (Hessian-vector products):");
    for s in lazy_summary {
        println!("  {s}");
    }
}


//! `cargo bench --bench sinkhorn`: entropic OT against POT and RegOT (issue 5's setting).
//!
//! Problem: `n = m` points uniform in `[0, 1]^2` (seeded), the second cloud shifted by
//! `(0.3, 0)`, squared Euclidean cost, uniform weights, `eps` = 0.01 and 0.001, stop at an L1
//! marginal error of 1e-9; n = 500, 2000, 5000. nksolve runs from the point clouds (costs on
//! the fly) on one thread and on all cores; the peers (`benches/pot_sinkhorn.py`, one thread:
//! `OMP_NUM_THREADS=1`) get the dense cost `ot.dist(x, y)`: POT `ot.sinkhorn` (kernel-domain)
//! and `method="sinkhorn_log"`, RegOT `sinkhorn_bcd`, `sinkhorn_ssns`,
//! `sinkhorn_sparse_newton`. Peers stop on their own criterion at the same threshold; the
//! L1 marginal error of every returned plan is printed. A Sinkhorn-type peer that would exceed
//! the time budget (`NKS_BENCH_OT_BUDGET`, default 120 s) is timed on 20 iterations and
//! extrapolated to nksolve's Sinkhorn iteration count (marked `*`). nksolve's Sinkhorn runs with
//! its default kernel policy (a stored stabilised kernel up to 1 GB, so at every size here) and,
//! for comparison, with the exponentials computed on the fly (`kernel_memory_mb = 0`).
//!
//! Targets: our log-domain Sinkhorn >= 30x faster than POT `sinkhorn_log` and no slower than
//! POT's plain Sinkhorn; SNS >= 10x fewer iterations than Sinkhorn at eps = 0.001 and faster than
//! our Sinkhorn at both eps; the point-cloud mode solving n = 50 000 in memory linear in n
//! (part `large`: eps = 0.05, tol 1e-6, peak resident memory printed against the 20 GB a dense
//! cost would take).
//!
//! `NKS_BENCH_OT` picks parts (comma-separated sizes and/or `large`; default `500,2000,5000`);
//! at n = 5000 and eps = 0.001 our own Sinkhorn is also run within the budget and extrapolated.

use nksolve::linalg::dense::DenseRef;
use nksolve::linalg::set_num_threads;
use nksolve::ot::{Cost, CostExponent, OtMethod, OtProblem, SinkhornOptions, SinkhornReport, SinkhornSolver};
use std::io::Write;

mod common;

const TOL: f64 = 1e-9;

/// A reproducible uniform generator (64-bit LCG).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / 9007199254740992.0
    }
}

/// The clouds, row-major `n x 2` (which is the column-major `2 x n` the library takes).
fn clouds(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut r = Lcg(20241);
    let x: Vec<f64> = (0..2 * n).map(|_| r.next()).collect();
    let y: Vec<f64> = (0..2 * n).map(|k| r.next() + if k % 2 == 0 { 0.3 } else { 0.0 }).collect();
    (x, y)
}

fn problem(x: &[f64], y: &[f64], n: usize) -> OtProblem {
    let w = vec![1.0 / n as f64; n];
    let cost = Cost::points(DenseRef::new(x, 2, n, 2, "x").unwrap(), DenseRef::new(y, 2, n, 2, "y").unwrap(), CostExponent::Two).unwrap();
    OtProblem::new(cost, &w, &w).unwrap()
}

fn solve(p: OtProblem, eps: f64, method: OtMethod, threads: usize, max_iterations: usize) -> SinkhornReport {
    solve_with(p, eps, method, threads, max_iterations, 1024.0)
}

fn solve_with(p: OtProblem, eps: f64, method: OtMethod, threads: usize, max_iterations: usize, kernel_mb: f64) -> SinkhornReport {
    set_num_threads(threads).unwrap();
    let mut o = SinkhornOptions::default();
    o.kernel_memory_mb = kernel_mb;
    o.set("eps", eps).unwrap().set("tol", TOL).unwrap();
    o.method = method;
    o.max_iterations = max_iterations;
    let (mut f, mut g) = (vec![0.0; p.n()], vec![0.0; p.m()]);
    let r = SinkhornSolver::new(o).solve(p, &mut f, &mut g).unwrap();
    set_num_threads(0).unwrap();
    r
}

/// The string stored under `key` in a JSON line.
fn json_string(line: &str, key: &str) -> String {
    let at = line.find(&format!("\"{key}\": \"")).map(|i| i + key.len() + 5);
    at.map(|i| line[i..].split('"').next().unwrap_or("").to_string()).unwrap_or_default()
}

struct Row {
    name: String,
    iterations: String,
    seconds: f64,
    l1: f64,
    cost: f64,
    extrapolated: bool,
    note: String,
}

fn ours(name: &str, r: &SinkhornReport, extrapolated: bool) -> Row {
    let iterations = if r.newton_iterations > 0 {
        format!("{}+{}N", r.sinkhorn_iterations, r.newton_iterations)
    } else {
        r.iterations.to_string()
    };
    Row { name: name.into(), iterations, seconds: r.seconds, l1: r.marginal_error, cost: r.transport_cost, extrapolated, note: String::new() }
}

fn run_size(n: usize, budget: f64) {
    let (x, y) = clouds(n);
    let threads = std::thread::available_parallelism().map(|t| t.get()).unwrap_or(1);
    for eps in [0.01, 0.001] {
        println!("\nn = m = {n}, eps = {eps}, squared Euclidean, L1 marginal tolerance {TOL:e}");
        let mut rows = Vec::new();
        // Our Sinkhorn, within the budget (extrapolated from a capped run when it would not fit).
        let probe = solve(problem(&x, &y, n), eps, OtMethod::Sinkhorn, 1, 20);
        let per_iteration = probe.seconds / 20.0;
        let cap = if per_iteration * 20_000.0 > budget { ((budget / per_iteration) as usize).max(20) } else { usize::MAX / 2 };
        let sk1 = solve(problem(&x, &y, n), eps, OtMethod::Sinkhorn, 1, cap);
        let sk_extrapolated = !sk1.termination.converged();
        if sk_extrapolated {
            println!("  (our Sinkhorn stopped at the {budget} s budget after {} iterations, L1 error {:.1e})", sk1.iterations, sk1.marginal_error);
        }
        rows.push(ours("nksolve Sinkhorn, 1 thread", &sk1, false));
        if !sk_extrapolated {
            let skt = solve(problem(&x, &y, n), eps, OtMethod::Sinkhorn, threads, usize::MAX / 2);
            rows.push(ours(&format!("nksolve Sinkhorn, {threads} threads"), &skt, false));
            let fly = solve_with(problem(&x, &y, n), eps, OtMethod::Sinkhorn, 1, cap, 0.0);
            rows.push(ours("nksolve Sinkhorn on the fly, 1 thr", &fly, false));
        }
        let sns1 = solve(problem(&x, &y, n), eps, OtMethod::SinkhornNewtonSparse, 1, usize::MAX / 2);
        rows.push(ours("nksolve SNS, 1 thread", &sns1, false));
        let snst = solve(problem(&x, &y, n), eps, OtMethod::SinkhornNewtonSparse, threads, usize::MAX / 2);
        rows.push(ours(&format!("nksolve SNS, {threads} threads"), &snst, false));
        // Peers.
        let file = common::scratch_dir().join(format!("ot-{n}.bin"));
        {
            let mut f = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
            for v in [n as i64, n as i64, 2] {
                f.write_all(&v.to_le_bytes()).unwrap();
            }
            for v in x.iter().chain(&y) {
                f.write_all(&v.to_le_bytes()).unwrap();
            }
        }
        let args = vec![file.display().to_string(), eps.to_string(), TOL.to_string(), budget.to_string(), sk1.iterations.to_string()];
        match common::run_peer("python3", "pot_sinkhorn.py", &args) {
            Some(out) => {
                for line in out.lines().filter(|l| l.starts_with('{')) {
                    let num = |k: &str| common::json_number(line, "", k).unwrap_or(f64::NAN);
                    if line.contains("\"iterations\"") {
                        rows.push(Row {
                            name: json_string(line, "name"),
                            iterations: format!("{}", num("iterations") as u64),
                            seconds: num("seconds"),
                            l1: num("l1_error"),
                            cost: num("cost"),
                            extrapolated: line.contains("\"extrapolated\": true"),
                            note: json_string(line, "note"),
                        });
                    } else {
                        println!("  ({})", json_string(line, "note"));
                    }
                }
            }
            None => println!("  (python3 with POT / RegOT unavailable: no peer rows)"),
        }
        let find = |name: &str| rows.iter().find(|r| r.name == name).map(|r| r.seconds);
        let (ours_sk, pot_plain, pot_log) = (sk1.seconds, find("POT sinkhorn"), find("POT sinkhorn_log"));
        println!("{:<34} {:>12} {:>10} {:>10} {:>18} {:>10}  note", "method", "iterations", "seconds", "L1 error", "<C, P>", "t / ours");
        for r in &rows {
            println!(
                "{:<34} {:>12} {:>10.3}{} {:>9.1e} {:>18.12} {:>9.2}x  {}",
                r.name,
                r.iterations,
                r.seconds,
                if r.extrapolated { "*" } else { " " },
                r.l1,
                r.cost,
                r.seconds / ours_sk,
                r.note
            );
        }
        println!("(t / ours: seconds relative to nksolve Sinkhorn on 1 thread; * = extrapolated from 20 timed iterations)");
        if let Some(t) = pot_log {
            println!("target: nksolve Sinkhorn >= 30x faster than POT sinkhorn_log: {:.1}x {}", t / ours_sk, if t / ours_sk >= 30.0 { "MET" } else { "NOT MET" });
        }
        if let Some(t) = pot_plain {
            println!("target: nksolve Sinkhorn no slower than POT plain: {:.2}x its time {}", ours_sk / t, if ours_sk <= t { "MET" } else { "NOT MET" });
        }
        let ratio = sk1.iterations as f64 / (sns1.iterations as f64);
        if eps == 0.001 {
            let verdict = match (sk_extrapolated, ratio >= 10.0) {
                (false, true) => "MET",
                (true, true) => "MET (our Sinkhorn had not even converged)",
                _ => "NOT MET",
            };
            println!("target: SNS >= 10x fewer iterations than Sinkhorn at eps 0.001: {ratio:.1}x {verdict}");
        }
        println!("target: SNS faster than our Sinkhorn: {:.2}x its time {}", sns1.seconds / sk1.seconds, if sns1.seconds < sk1.seconds { "MET" } else { "NOT MET" });
    }
}

/// Peak resident memory of this process in MB (Linux; 0 elsewhere).
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()))
        .map_or(0.0, |kb| kb / 1024.0)
}

fn run_large() {
    let n = 50_000;
    let (x, y) = clouds(n);
    let before = peak_rss_mb();
    let mut o = SinkhornOptions::default();
    o.set("eps", 0.05).unwrap().set("tol", 1e-6).unwrap();
    let p = problem(&x, &y, n);
    let (mut f, mut g) = (vec![0.0; n], vec![0.0; n]);
    let r = SinkhornSolver::new(o).solve(p, &mut f, &mut g).unwrap();
    println!(
        "\nn = m = 50000 from point clouds, eps = 0.05, tol 1e-6: {} iterations, {:.1} s, L1 error {:.1e}, <C, P> = {:.10}; peak resident memory {:.0} MB (before the solve {:.0} MB; a dense cost would take {:.0} MB)",
        r.iterations,
        r.seconds,
        r.marginal_error,
        r.transport_cost,
        peak_rss_mb(),
        before,
        (n * n * 8) as f64 / 1e6
    );
}

fn main() {
    let parts = std::env::var("NKS_BENCH_OT").unwrap_or_else(|_| "500,2000,5000".into());
    let budget: f64 = std::env::var("NKS_BENCH_OT_BUDGET").ok().and_then(|v| v.parse().ok()).unwrap_or(120.0);
    for part in parts.split(',') {
        match part.trim() {
            "large" => run_large(),
            s => run_size(s.parse().expect("NKS_BENCH_OT: sizes or `large`"), budget),
        }
    }
}

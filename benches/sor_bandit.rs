//! `cargo bench --bench sor_bandit`: the synthetic setting of "Learning to Relax" (Khodak et
//! al. 2024), and the cost of a SOR sweep against a CSR matvec.
//!
//! Setting (the paper's and the authors' `contextual.m`): `A_t = L + c_t I` with `L` the
//! 5-point Laplacian on a 10 x 10 grid, `c_t = -0.15 + 0.6 Beta(0.5, 1.5)` (the context),
//! `b_t` a radially truncated standard Gaussian, `x_0 = 0`, tolerance 1e-8 on
//! `||r|| / ||r_0||`, 10000-iteration cap, T = 5000 systems, 20 arms on [1, 1.95].
//! Reference: the best fixed omega in hindsight (every arm run on every instance). Printed:
//! total iterations of each policy relative to it. Reference points from the authors' code:
//! omega = 1 about 5.9x, Tsallis-INF about 1.13x, ChebCB about 0.65x, Young per instance about
//! 0.54x. Targets here: Tsallis-INF <= 1.10x, ChebCB <= 0.65x.

use nksolve::linalg::{CsrMatrix, Par};
use nksolve::sor::{young_omega, LearnerKind, SorBandit, SorMatrix, SorOptions, SorSolver, SweepOrdering};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use std::time::Instant;

const NX: usize = 10;
const T: usize = 5000;
const ARMS: usize = 20;
const TRIALS: u64 = 3;

/// A standard normal draw (Box-Muller).
fn normal(rng: &mut StdRng) -> f64 {
    let (u, v): (f64, f64) = (1.0 - rng.random::<f64>(), rng.random());
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// A Gamma(shape, 1) draw (Marsaglia-Tsang; shape < 1 through Gamma(shape + 1) U^(1/shape)).
fn gamma(rng: &mut StdRng, shape: f64) -> f64 {
    if shape < 1.0 {
        return gamma(rng, shape + 1.0) * rng.random::<f64>().powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let z = normal(rng);
        let v = (1.0 + c * z).powi(3);
        if v > 0.0 && rng.random::<f64>().ln() < 0.5 * z * z + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

fn beta(rng: &mut StdRng, a: f64, b: f64) -> f64 {
    let (x, y) = (gamma(rng, a), gamma(rng, b));
    x / (x + y)
}

/// One instance: the context `c`, `A + c I`, and `b`.
struct Instance {
    c: f64,
    a: Arc<CsrMatrix>,
    b: Vec<f64>,
}

fn instances(seed: u64) -> Vec<Instance> {
    let base = nksolve::problems::poisson2d(NX);
    let n = base.nrows();
    let mut rng = StdRng::seed_from_u64(seed);
    (0..T)
        .map(|_| {
            let c = -0.15 + 0.6 * beta(&mut rng, 0.5, 1.5);
            let mut t: Vec<(usize, usize, f64)> = Vec::with_capacity(base.nnz());
            for i in 0..n {
                for p in base.row_ptr()[i]..base.row_ptr()[i + 1] {
                    let j = base.col_idx()[p];
                    t.push((i, j, base.values()[p] + if i == j { c } else { 0.0 }));
                }
            }
            let b = loop {
                let b: Vec<f64> = (0..n).map(|_| normal(&mut rng)).collect();
                if b.iter().map(|v| v * v).sum::<f64>() <= n as f64 {
                    break b;
                }
            };
            Instance { c, a: Arc::new(CsrMatrix::from_triplets(n, n, &t).unwrap()), b }
        })
        .collect()
}

fn iterations(solver: &mut SorSolver, inst: &Instance, omega: f64) -> usize {
    let mut x = vec![0.0; inst.b.len()];
    let r = solver.solve(&inst.a, &inst.b, &mut x, omega, &SorOptions::default()).unwrap();
    r.cost(10_000) as usize
}

/// Total iterations of a learner that solves every instance itself.
fn learner_total(kind: LearnerKind, insts: &[Instance], seed: u64) -> (usize, f64) {
    let mut l = SorBandit::new(kind, ARMS, 1.0, 1.95, seed).unwrap();
    for (name, v) in [("context_min", -0.15), ("context_max", 0.45)] {
        l.set_option(name, v).unwrap();
    }
    let t0 = Instant::now();
    let mut total = 0;
    for inst in insts {
        let mut x = vec![0.0; inst.b.len()];
        total += l.solve(&inst.a, &inst.b, &mut x, inst.c).unwrap().cost(10_000) as usize;
    }
    (total, t0.elapsed().as_secs_f64())
}

fn synthetic() {
    println!("sor_bandit synthetic: T = {T}, {NX}x{NX} Laplacian + c I, c = -0.15 + 0.6 Beta(0.5, 1.5), tol 1e-8, {ARMS} arms on [1, 1.95], {TRIALS} trials");
    let rho_l = (std::f64::consts::PI / (NX as f64 + 1.0)).cos(); // Jacobi radius of L: 4 cos(pi h) / 4
    let mut sums = [0.0f64; 6];
    let names = ["best fixed (hindsight)", "omega = 1", "Tsallis-INF", "ChebCB", "binned Tsallis-INF", "Young per instance"];
    for trial in 0..TRIALS {
        let insts = instances(1000 + trial);
        let t0 = Instant::now();
        let mut solver = SorSolver::default();
        let omegas: Vec<f64> = (0..ARMS).map(|i| 1.0 + 0.95 * i as f64 / (ARMS - 1) as f64).collect();
        let per_arm: Vec<usize> = omegas.iter().map(|&w| insts.iter().map(|i| iterations(&mut solver, i, w)).sum()).collect();
        let (best_arm, &best) = per_arm.iter().enumerate().min_by_key(|e| e.1).unwrap();
        let table_s = t0.elapsed().as_secs_f64();
        let young: usize = insts.iter().map(|i| iterations(&mut solver, i, young_omega(4.0 * rho_l / (4.0 + i.c)))).sum();
        let (ts, ts_s) = learner_total(LearnerKind::TsallisInf, &insts, trial);
        let (cb, cb_s) = learner_total(LearnerKind::ChebCb, &insts, trial);
        let (bn, bn_s) = learner_total(LearnerKind::Binned, &insts, trial);
        let totals = [best, per_arm[0], ts, cb, bn, young];
        println!(
            "trial {trial}: best fixed omega {:.3} ({best} its; table of {} solves in {table_s:.1} s); learner seconds: \
             Tsallis {ts_s:.2}, ChebCB {cb_s:.2}, binned {bn_s:.2}",
            omegas[best_arm],
            ARMS * T
        );
        for (s, &t) in sums.iter_mut().zip(&totals) {
            *s += t as f64 / best as f64;
        }
    }
    println!("{:<24} {:>22} {:>10}", "policy", "total its / best fixed", "target");
    let targets = ["", "(~5.9x)", "<= 1.10x", "<= 0.65x", "", "(~0.54x)"];
    for ((name, s), target) in names.iter().zip(sums).zip(targets) {
        println!("{name:<24} {:>21.3}x {target:>10}", s / TRIALS as f64);
    }
}

/// Best-of-`reps` seconds of `f`.
fn best_of(reps: usize, mut f: impl FnMut()) -> f64 {
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn sweep_cost() {
    let nx = 700;
    let a = Arc::new(nksolve::problems::poisson2d(nx));
    let n = a.nrows();
    let b: Vec<f64> = (0..n).map(|i| (i as f64 * 0.1).sin()).collect();
    let (mut x, mut d, mut y) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    println!("\nsweep cost: 2D Poisson {nx}x{nx} (n = {n}), best of 20, relative to one CSR matvec with the same threads");
    println!("{:<12} {:>7} {:>12} {:>10} {:>16} {:>10}", "ordering", "threads", "matvec [ms]", "sweep", "sweep+residual", "SSOR apply");
    for (ordering, label) in [(SweepOrdering::Natural, "natural"), (SweepOrdering::Multicolour, "red-black")] {
        let m = SorMatrix::new(a.clone(), ordering).unwrap();
        let wa = m.working_matrix().clone();
        for threads in [1, 2] {
            nksolve::linalg::set_num_threads(threads).unwrap();
            let par = Par::current();
            let mv = best_of(20, || wa.matvec(&par, &x, &mut y));
            let sw = best_of(20, || m.sweep(&par, false, 1.5, &b, &mut x, &mut d));
            let swr = best_of(20, || {
                std::hint::black_box(m.sweep_residual(&par, false, 1.5, &b, &mut x, &mut d));
            });
            let ss = best_of(20, || m.ssor_apply(&par, 1.5, &b, &mut y));
            println!("{label:<12} {threads:>7} {:>12.3} {:>9.2}x {:>15.2}x {:>9.2}x", mv * 1e3, sw / mv, swr / mv, ss / mv);
        }
    }
    nksolve::linalg::set_num_threads(0).unwrap();
}

fn main() {
    sweep_cost();
    synthetic();
}

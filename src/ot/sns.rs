//! Sinkhorn-Newton-Sparse (Tang, Shavlovsky, Rahmanian, Tardini, Thekumparampil, Xiao, Ying;
//! ICLR 2024), stage 2: Newton ascent on the concave dual
//! `L(f, g) = <a, f> + <b, g> - eps (sum_ij P_ij - |a| |b|)`.
//!
//! The gradient is `(a - P 1, b - P^T 1)` and the negated Hessian is
//! `H = [[diag(P 1), P], [P^T, diag(P^T 1)]] / eps`. `P` is kept dense only implicitly: each
//! pass over the plan (the O(nm) work a Sinkhorn iteration also does) keeps the largest entries
//! of every row, and the Newton system is solved on `[[diag(P 1), S], [S^T, diag(P^T 1)]]`
//! with `S` those entries (by default the largest ones carrying all but 1e-9 of each row's mass:
//! O(n) nonzeros once `eps` is small enough for the plan to be sparse) by the library's CG with
//! Jacobi preconditioning. The exact diagonal makes this matrix diagonally dominant, hence
//! positive definite even though `H` is singular along `(1, -1)`; that direction, which does
//! not change the plan, is projected out of the step. A backtracking line search on `L` makes
//! every accepted step an ascent step (or one that reduces the marginal error, when the gain is
//! below what rounding can resolve), and the plan pass at the accepted point is reused as
//! the next iteration's gradient and Hessian. Steps are clipped to 30 `eps` per potential (a
//! trust region, see [`clip_step`]). A step whose line search fails is followed by a plain
//! Sinkhorn iteration (the fallback).

use super::plan::{plan_pass, Entries, PlanSums, RowSelect};
use super::problem::OtProblem;
use super::sinkhorn::{self, Potentials};
use crate::krylov::{KrylovMethod, KrylovOptions, KrylovSolver};
use crate::linalg::{CsrMatrix, Par};
use crate::precond::Jacobi;

/// Armijo constant of the line search.
const ARMIJO: f64 = 1e-4;
/// The longest move of a potential per Newton step, in units of `eps` (see [`clip_step`]).
const MAX_STEP_IN_EPS: f64 = 30.0;
/// Halvings tried before a Newton step is declared useless.
const MAX_BACKTRACKS: usize = 8;

/// Counters of the Newton stage.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct NewtonRun {
    pub newton_iterations: usize,
    pub sinkhorn_iterations: usize,
    pub fallback_steps: usize,
    pub cg_iterations: usize,
    pub hessian_density: f64,
    pub error: f64,
    pub converged: bool,
    pub exact_lines: usize,
}

/// What the Newton stage is allowed.
pub(crate) struct NewtonLimits {
    pub tol: f64,
    pub max_iterations: usize,
    pub select: RowSelect,
    pub cg_max_iterations: usize,
}

/// The sparsified Hessian `[[diag(r), S], [S^T, diag(c)]]` (times eps, which the right-hand side
/// absorbs), with `S` the kept entries (row-major) and a tiny diagonal shift so that rows of zero
/// mass stay solvable. Built directly in CSR order: row `i` is its diagonal then `S[i, ..]`,
/// row `n + j` is `S[.., j]` then its diagonal.
fn sparse_hessian(sums: &PlanSums, kept: &Entries, n: usize) -> CsrMatrix {
    let m = sums.cols.len();
    let dmax = sums.rows.iter().chain(&sums.cols).fold(0.0f64, |a, v| a.max(*v));
    let shift = 1e-12 * dmax.max(f64::MIN_POSITIVE);
    let mut row_ptr = vec![0i64; n + m + 1];
    for &(i, j, _) in kept {
        row_ptr[i as usize + 1] += 1;
        row_ptr[n + j as usize + 1] += 1;
    }
    for k in 0..n + m {
        row_ptr[k + 1] += row_ptr[k] + 1;
    }
    let nnz = row_ptr[n + m] as usize;
    let (mut cols, mut vals) = (vec![0i64; nnz], vec![0.0; nnz]);
    let mut next: Vec<usize> = row_ptr[..n + m].iter().map(|&p| p as usize).collect();
    let mut put = |row: usize, col: usize, v: f64| {
        cols[next[row]] = col as i64;
        vals[next[row]] = v;
        next[row] += 1;
    };
    let mut e = 0;
    for i in 0..n {
        put(i, i, sums.rows[i] + shift);
        while e < kept.len() && kept[e].0 as usize == i {
            put(i, n + kept[e].1 as usize, kept[e].2);
            e += 1;
        }
    }
    for &(i, j, v) in kept {
        put(n + j as usize, i as usize, v);
    }
    for j in 0..m {
        put(n + j, n + j, sums.cols[j] + shift);
    }
    CsrMatrix::from_raw_parts(n + m, n + m, &row_ptr, &cols, &vals, 0).expect("the Hessian's entries are finite and in range")
}

/// Removes the `(1, -1)` component (the direction that does not change the plan).
fn project_gauge(d: &mut [f64], n: usize) {
    let m = d.len() - n;
    let s: f64 = d[..n].iter().sum::<f64>() - d[n..].iter().sum::<f64>();
    let t = s / (n + m) as f64;
    d[..n].iter_mut().for_each(|v| *v -= t);
    d[n..].iter_mut().for_each(|v| *v += t);
}

/// Runs the Newton stage from `pot` (after the Sinkhorn warm-up).
pub(crate) fn run(
    problem: &OtProblem,
    pot: &mut Potentials<'_>,
    eps: f64,
    limits: &NewtonLimits,
    par: &Par,
    keep_going: &mut dyn FnMut() -> bool,
) -> NewtonRun {
    let (n, m) = (problem.n(), problem.m());
    let mut out = NewtonRun { error: f64::INFINITY, ..Default::default() };
    let mut cg = KrylovSolver::new({
        let mut o = KrylovOptions::default();
        o.set_method(KrylovMethod::Cg);
        o.set_max_iterations(limits.cg_max_iterations).expect("validated by the options");
        o
    });
    let (mut sums, mut kept) = plan_pass(problem, pot.f, pot.g, eps, par, limits.select);
    let mut rhs = vec![0.0; n + m];
    let mut d = vec![0.0; n + m];
    let (mut f_try, mut g_try) = (vec![0.0; n], vec![0.0; m]);
    loop {
        out.error = sums.marginal_error(problem);
        if out.error <= limits.tol {
            out.converged = true;
            return out;
        }
        if out.newton_iterations + out.sinkhorn_iterations >= limits.max_iterations || !keep_going() {
            return out;
        }
        // Newton direction: H d = eps * grad, to a relative accuracy that tightens as we converge.
        for (k, (r, w)) in sums.rows.iter().zip(problem.a()).chain(sums.cols.iter().zip(problem.b())).enumerate() {
            rhs[k] = eps * (w - r);
        }
        let mut h = sparse_hessian(&sums, &kept, n);
        out.hessian_density = kept.len() as f64 / (n as f64 * m as f64);
        let mut jacobi = Jacobi::new(&h).expect("the shifted diagonal is positive");
        let _ = cg.options_mut().set_rtol((out.error * 0.1).clamp(1e-12, 1e-2));
        d.iter_mut().for_each(|v| *v = 0.0);
        let solved = cg.solve(&mut h, &mut jacobi, &rhs, &mut d, None);
        out.newton_iterations += 1;
        let mut accepted = false;
        if let Ok(rep) = solved {
            out.cg_iterations += rep.iterations;
            project_gauge(&mut d, n);
            clip_step(&mut d, eps);
            let slope: f64 = rhs.iter().zip(&d).map(|(r, v)| r * v).sum::<f64>() / eps;
            // L(x + t d) - L(x) = t (<a, d_f> + <b, d_g>) - eps (sum P(x + t d) - sum P(x)):
            // formed as a difference so that rounding does not hide the small gains near the
            // optimum (L itself is O(|f|), its gains O(gradient^2)).
            let linear: f64 = problem.a().iter().chain(problem.b()).zip(&d).map(|(w, v)| w * v).sum();
            let mut t = 1.0;
            // A direction that is not an ascent one (CG lost it to rounding) goes to the fallback.
            let tries = if slope > 0.0 { MAX_BACKTRACKS } else { 0 };
            for _ in 0..tries {
                step(pot.f, &d[..n], t, &mut f_try);
                step(pot.g, &d[n..], t, &mut g_try);
                let (s_try, kept_try) = plan_pass(problem, &f_try, &g_try, eps, par, limits.select);
                let gain = t * linear - eps * (s_try.total - sums.total);
                let error = s_try.marginal_error(problem);
                if gain.is_finite() && (gain >= ARMIJO * t * slope || error < out.error) {
                    pot.f.copy_from_slice(&f_try);
                    pot.g.copy_from_slice(&g_try);
                    sums = s_try;
                    kept = kept_try;
                    accepted = true;
                    break;
                }
                t *= 0.5;
            }
        }
        if !accepted {
            let s = sinkhorn::run(problem, pot, eps, limits.tol, 1, 1, par, &mut || true, None);
            out.sinkhorn_iterations += s.iterations;
            out.fallback_steps += 1;
            out.exact_lines += s.exact_lines;
            (sums, kept) = plan_pass(problem, pot.f, pot.g, eps, par, limits.select);
        }
    }
}

/// Scales `d` so that no potential moves by more than `MAX_STEP_IN_EPS * eps`.
///
/// The Newton model of `L` is good only while the plan changes little, that is while each
/// potential moves by a few `eps` (an entry changes by `exp(delta / eps)`). Far from the optimum,
/// and whenever the kept entries split the plan into blocks that do not interact (each block
/// then has its own near-null direction), the step is longer than that by orders of magnitude;
/// clipping it is the trust region that turns those steps into useful ones.
fn clip_step(d: &mut [f64], eps: f64) {
    let limit = MAX_STEP_IN_EPS * eps;
    let big = d.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    if big > limit {
        let s = limit / big;
        d.iter_mut().for_each(|v| *v *= s);
    }
}

fn step(x: &[f64], d: &[f64], t: f64, out: &mut [f64]) {
    for ((o, xv), dv) in out.iter_mut().zip(x).zip(d) {
        *o = xv + t * dv;
    }
}

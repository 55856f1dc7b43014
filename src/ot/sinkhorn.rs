//! Log-domain Sinkhorn: exact alternate maximisation of the dual over `f` and `g`.
//!
//! With the plan written `P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps)` the update of `f` is
//! `f_i = -eps log sum_j b_j exp((g_j - C_ij) / eps)`, and likewise for `g`. Each update is
//! computed as a correction of the current value, `f_i -= eps log s_i` with
//! `s_i = sum_j b_j exp((f_i + g_j - C_ij) / eps)`: after an update of `g` the column sums are
//! exact, so every term is bounded and `s_i` cannot overflow, and `a_i s_i` is the current row
//! sum of the plan, which makes the L1 marginal error free. Only when `s_i` underflows (the
//! first iterations at small eps) is the line redone with an exact max-shifted log-sum-exp.
//! This keeps one exponential per entry and per half iteration with no stored kernel, stable
//! for any `eps > 0`.

use super::cost::Side;
use super::kernel::StabilisedKernel;
use super::lse;
use super::problem::OtProblem;
use crate::linalg::par::{Par, SharedMut};

/// Below this a shifted sum is recomputed exactly (it lost too many digits, or underflowed).
const TINY_SUM: f64 = 1e-200;

/// Lines per parallel block of a pass (fixed, so results do not depend on the thread count).
pub(crate) const LINES_PER_BLOCK: usize = 16;

/// `h_k = pot_k + eps log w_k`: a potential with its weights folded in (`-inf` where `w_k = 0`).
pub(crate) fn fold_weights(pot: &[f64], w: &[f64], eps: f64, h: &mut [f64]) {
    for ((hk, p), wk) in h.iter_mut().zip(pot).zip(w) {
        *hk = if *wk > 0.0 { p + eps * wk.ln() } else { f64::NEG_INFINITY };
    }
}

/// What one half iteration found.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HalfStep {
    /// `sum_k w_k |s_k - 1|`: the L1 error of this side's marginal BEFORE the update.
    pub error: f64,
    /// Lines redone exactly.
    pub exact_lines: usize,
}

/// The update of one potential `pot_k` (weight `w_k`) from its shifted sum
/// `s = sum_l exp((pot_k + h_l - C_kl) / eps)`: `pot_k - eps ln s`, or, when `s` underflowed or
/// lost its digits, `-eps exact_lse()` with `exact_lse` the max-shifted
/// `ln sum_l exp((h_l - C_kl) / eps)`. Adds `w_k |s - 1|` (the line's marginal error before the
/// update) to `part[0]` and counts an exact line in `part[1]`. Both ways of forming `s` (on the
/// fly, or from the stored kernel) go through here.
pub(crate) fn settle(pot_k: f64, s: f64, w_k: f64, eps: f64, exact_lse: impl FnOnce() -> f64, part: &mut [f64]) -> f64 {
    if s.is_finite() && s >= TINY_SUM {
        part[0] += w_k * (s - 1.0).abs();
        pot_k - eps * s.ln()
    } else {
        let l = exact_lse();
        part[0] += w_k * ((pot_k * (1.0 / eps) + l).exp() - 1.0).abs();
        part[1] += 1.0;
        -eps * l
    }
}

/// Computes the update of the potential `pot` of `side` into `next`, given the other side's
/// folded potential `h_other` (see [`fold_weights`]).
pub(crate) fn half_step(
    problem: &OtProblem,
    side: Side,
    pot: &[f64],
    h_other: &[f64],
    eps: f64,
    par: &Par,
    next: &mut [f64],
) -> HalfStep {
    let cost = problem.cost();
    let w = problem.weights(side);
    let lines = cost.lines(side);
    let inv_eps = 1.0 / eps;
    let nblocks = lines.div_ceil(LINES_PER_BLOCK);
    let out = SharedMut::new(next);
    let mut sums = [0.0; 2];
    par.for_blocks(nblocks, 2, &mut sums, |blk, part| {
        let r = blk * LINES_PER_BLOCK..((blk + 1) * LINES_PER_BLOCK).min(lines);
        // SAFETY: blocks own disjoint line ranges.
        let dst = unsafe { out.range(r.clone()) };
        let mut buf = cost.line_buffer(side);
        for (k, d) in r.zip(dst.iter_mut()) {
            let c = cost.line(side, k, &mut buf);
            let s = lse::sum_exp(h_other, c, pot[k], inv_eps);
            *d = settle(pot[k], s, w[k], eps, || lse::log_sum_exp(h_other, c, inv_eps), part);
        }
    });
    HalfStep { error: sums[0], exact_lines: sums[1] as usize }
}

/// The state of an alternating solve: both potentials and the folded scratch.
pub(crate) struct Potentials<'a> {
    /// Source potential (length n).
    pub f: &'a mut [f64],
    /// Target potential (length m).
    pub g: &'a mut [f64],
}

/// Counters of a run of Sinkhorn iterations.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct SinkhornRun {
    /// Iterations done.
    pub iterations: usize,
    /// Whether the marginal error reached `tol`.
    pub converged: bool,
    /// Lines redone exactly.
    pub exact_lines: usize,
}

/// One half iteration: the update of `side`'s potential `pot` into `next` given the other side's
/// potential, by products with the stored stabilised `kernel` (see [`StabilisedKernel`]) or,
/// without one, by exponentials computed on the fly (`h` is the scratch for the folded other
/// potential).
#[allow(clippy::too_many_arguments)]
fn update(
    kernel: Option<&mut StabilisedKernel>,
    problem: &OtProblem,
    side: Side,
    pot: &[f64],
    other: &[f64],
    eps: f64,
    par: &Par,
    h: &mut [f64],
    next: &mut [f64],
) -> HalfStep {
    let (f, g) = match side {
        Side::Rows => (pot, other),
        Side::Cols => (other, pot),
    };
    match kernel {
        Some(k) => {
            k.prepare(problem, f, g, eps, par);
            k.half_step(problem, side, pot, other, eps, par, next)
        }
        None => {
            fold_weights(other, problem.weights(side.other()), eps, h);
            half_step(problem, side, pot, h, eps, par, next)
        }
    }
}

/// Runs at most `max_iterations` Sinkhorn iterations at `eps`, stopping (before an update, so
/// that the potentials returned are the ones measured) when the marginal error is `<= tol`,
/// measured every `check_interval` iterations; `keep_going` is asked before each iteration
/// (the time limit). A run that stops at its cap does not measure its last iterate (the
/// caller's next pass over the plan does). With a `kernel` the updates are products with the
/// stored stabilised kernel; without, exponentials computed on the fly.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run(
    problem: &OtProblem,
    pot: &mut Potentials<'_>,
    eps: f64,
    tol: f64,
    max_iterations: usize,
    check_interval: usize,
    par: &Par,
    keep_going: &mut dyn FnMut() -> bool,
    mut kernel: Option<&mut StabilisedKernel>,
) -> SinkhornRun {
    let (n, m) = (problem.n(), problem.m());
    let mut next_f = vec![0.0; n];
    let mut next_g = vec![0.0; m];
    let mut h_g = vec![0.0; m];
    let mut h_f = vec![0.0; n];
    let mut out = SinkhornRun::default();
    // The error a row update measures is the whole marginal error only once columns are exact.
    let mut columns_exact = false;
    while out.iterations < max_iterations && keep_going() {
        let rows = update(kernel.as_deref_mut(), problem, Side::Rows, pot.f, pot.g, eps, par, &mut h_g, &mut next_f);
        out.exact_lines += rows.exact_lines;
        if columns_exact && out.iterations % check_interval == 0 {
            if rows.error <= tol {
                out.converged = true;
                return out;
            }
        }
        pot.f.copy_from_slice(&next_f);
        let cols = update(kernel.as_deref_mut(), problem, Side::Cols, pot.g, pot.f, eps, par, &mut h_f, &mut next_g);
        out.exact_lines += cols.exact_lines;
        pot.g.copy_from_slice(&next_g);
        columns_exact = true;
        out.iterations += 1;
    }
    out
}

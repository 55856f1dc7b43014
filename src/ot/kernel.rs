//! The stored, stabilised Gibbs kernel: Sinkhorn updates at the cost of two matrix-vector
//! products per iteration instead of two exponentials per entry, without giving up log-domain
//! stability (Schmitzer's absorption, as in POT's `sinkhorn_stabilized`).
//!
//! The kernel `K_ij = exp((f0_i + g0_j - C_ij) / eps)` is built around base potentials `f0`,
//! `g0`. With the current potentials `f = f0 + eps ln u`, `g = g0 + eps ln v`, the shifted row
//! sum of a Sinkhorn update is `s_i = u_i sum_j K_ij b_j v_j`, one row of `K` times a vector.
//! Whenever `f` or `g` drift more than `ABSORB_AT * eps` from the base, the drift is absorbed:
//! the kernel is rebuilt around the current potentials (n m exponentials, like one half of a
//! log-domain iteration), so `u` and `v` never over- or underflow. A line whose sum still
//! underflows (the first iterations at small eps) is redone by the exact log-sum-exp.

use super::cost::Side;
use super::lse;
use super::problem::OtProblem;
use super::sinkhorn::{fold_weights, settle, HalfStep, LINES_PER_BLOCK};
use crate::linalg::kernels::lane_dot;
use crate::linalg::par::{Par, SharedMut};

/// Drift of a potential from the kernel's base, in units of eps, that triggers an absorption
/// (`exp(30) ~ 1e13`: far from overflow, and rare once the potentials settle).
const ABSORB_AT: f64 = 30.0;
/// Row blocks of the transposed product (fixed, so sums do not depend on the thread count).
const COL_BLOCKS: usize = 32;

/// `K` row-major (`n x m`) and the potentials it was built around.
pub(crate) struct StabilisedKernel {
    k: Vec<f64>,
    f0: Vec<f64>,
    g0: Vec<f64>,
    eps: f64,
    /// Rebuilds so far (the first build included).
    pub builds: usize,
}

impl StabilisedKernel {
    /// Allocates the kernel for `problem` (built at the first [`Self::prepare`]).
    pub fn new(problem: &OtProblem) -> Self {
        StabilisedKernel { k: vec![0.0; problem.n() * problem.m()], f0: Vec::new(), g0: Vec::new(), eps: 0.0, builds: 0 }
    }

    /// Rebuilds the kernel around `(f, g)` when it was built for another `eps` or the potentials
    /// drifted too far from its base.
    pub fn prepare(&mut self, problem: &OtProblem, f: &[f64], g: &[f64], eps: f64, par: &Par) {
        let drift = |x: &[f64], x0: &[f64]| x.iter().zip(x0).fold(0.0f64, |a, (p, q)| a.max((p - q).abs()));
        if self.builds > 0 && self.eps == eps && drift(f, &self.f0) <= ABSORB_AT * eps && drift(g, &self.g0) <= ABSORB_AT * eps {
            return;
        }
        self.f0 = f.to_vec();
        self.g0 = g.to_vec();
        self.eps = eps;
        self.builds += 1;
        let (n, m) = (problem.n(), problem.m());
        let cost = problem.cost();
        let inv_eps = 1.0 / eps;
        let out = SharedMut::new(&mut self.k);
        let (f0, g0) = (&self.f0, &self.g0);
        let mut unused = [0.0; 0];
        par.for_blocks(n.div_ceil(LINES_PER_BLOCK), 0, &mut unused, |blk, _| {
            let r = blk * LINES_PER_BLOCK..((blk + 1) * LINES_PER_BLOCK).min(n);
            let mut buf = cost.line_buffer(Side::Rows);
            for i in r {
                // SAFETY: row i belongs to this block only.
                let row = unsafe { out.range(i * m..(i + 1) * m) };
                lse::exp_into(g0, cost.line(Side::Rows, i, &mut buf), f0[i], inv_eps, row);
            }
        });
    }

    /// The update of `side`'s potential `pot` into `next` given the other potential, as
    /// `sinkhorn::half_step` computes it on the fly.
    #[allow(clippy::too_many_arguments)]
    pub fn half_step(&self, problem: &OtProblem, side: Side, pot: &[f64], other: &[f64], eps: f64, par: &Par, next: &mut [f64]) -> HalfStep {
        let (n, m) = (problem.n(), problem.m());
        let inv_eps = 1.0 / eps;
        let (base, other_base) = match side {
            Side::Rows => (&self.f0, &self.g0),
            Side::Cols => (&self.g0, &self.f0),
        };
        // The other side's scaling with its weights folded in.
        let w_other = problem.weights(side.other());
        let scaled: Vec<f64> = other.iter().zip(other_base).zip(w_other).map(|((p, q), w)| w * ((p - q) * inv_eps).exp()).collect();
        let products = match side {
            Side::Rows => self.times(&scaled, m, par),
            Side::Cols => self.transposed_times(&scaled, n, m, par),
        };
        let w = problem.weights(side);
        let cost = problem.cost();
        let len = cost.line_len(side);
        let mut h_other: Option<Vec<f64>> = None;
        let mut buf = cost.line_buffer(side);
        let mut sums = [0.0; 2];
        for k in 0..cost.lines(side) {
            let s = ((pot[k] - base[k]) * inv_eps).exp() * products[k];
            let exact_lse = || {
                let h = h_other.get_or_insert_with(|| {
                    let mut h = vec![0.0; len];
                    fold_weights(other, w_other, eps, &mut h);
                    h
                });
                lse::log_sum_exp(h, cost.line(side, k, &mut buf), inv_eps)
            };
            next[k] = settle(pot[k], s, w[k], eps, exact_lse, &mut sums);
        }
        HalfStep { error: sums[0], exact_lines: sums[1] as usize }
    }

    /// `K x` (length n).
    fn times(&self, x: &[f64], m: usize, par: &Par) -> Vec<f64> {
        let n = self.k.len() / m.max(1);
        let mut y = vec![0.0; n];
        let out = SharedMut::new(&mut y);
        let mut unused = [0.0; 0];
        par.for_blocks(n.div_ceil(LINES_PER_BLOCK), 0, &mut unused, |blk, _| {
            let r = blk * LINES_PER_BLOCK..((blk + 1) * LINES_PER_BLOCK).min(n);
            // SAFETY: blocks own disjoint row ranges.
            let dst = unsafe { out.range(r.clone()) };
            for (i, d) in r.zip(dst.iter_mut()) {
                *d = lane_dot(&self.k[i * m..(i + 1) * m], x);
            }
        });
        y
    }

    /// `K^T x` (length m), summed over fixed row blocks.
    fn transposed_times(&self, x: &[f64], n: usize, m: usize, par: &Par) -> Vec<f64> {
        let rows_per_block = n.div_ceil(COL_BLOCKS).max(1);
        let mut y = vec![0.0; m];
        par.for_blocks(n.div_ceil(rows_per_block), m, &mut y, |blk, part| {
            for i in blk * rows_per_block..((blk + 1) * rows_per_block).min(n) {
                let xi = x[i];
                for (p, kv) in part.iter_mut().zip(&self.k[i * m..(i + 1) * m]) {
                    *p += xi * kv;
                }
            }
        });
        y
    }
}

//! Passes over the transport plan `P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps)` given the
//! potentials: its marginals, total mass, transport cost and the largest entries of each row
//! (the sparsity pattern of the Newton Hessian), in one sweep that never stores `P`.

use super::cost::Side;
use super::lse;
use super::problem::OtProblem;
use super::sinkhorn::fold_weights;
use crate::linalg::par::{Par, SharedMut};
use std::sync::Mutex;

/// Row blocks of a plan pass: fixed in number, so the per-block column sums (`blocks * m`
/// doubles) stay small and their order, hence the result, does not depend on the threads.
const PLAN_BLOCKS: usize = 32;

/// Sums of one plan pass.
#[derive(Debug, Clone)]
pub struct PlanSums {
    /// `P 1` (length n).
    pub rows: Vec<f64>,
    /// `P^T 1` (length m).
    pub cols: Vec<f64>,
    /// `sum_ij P_ij`.
    pub total: f64,
    /// `<C, P>`.
    pub transport: f64,
}

impl PlanSums {
    /// `||P 1 - a||_1 + ||P^T 1 - b||_1`.
    pub fn marginal_error(&self, problem: &OtProblem) -> f64 {
        let l1 = |x: &[f64], w: &[f64]| x.iter().zip(w).map(|(p, q)| (p - q).abs()).sum::<f64>();
        l1(&self.rows, problem.a()) + l1(&self.cols, problem.b())
    }

    /// `<C, P> + eps KL(P | a b^T)`, from the identity `log(P_ij / (a_i b_j)) = (f_i + g_j - C_ij) / eps`.
    pub fn regularized(&self, problem: &OtProblem, f: &[f64], g: &[f64], eps: f64) -> f64 {
        let ma: f64 = problem.a().iter().sum();
        let mb: f64 = problem.b().iter().sum();
        dot_finite(&self.rows, f) + dot_finite(&self.cols, g) - eps * (self.total - ma * mb)
    }
}

/// `sum_k w_k x_k` over the `k` with `w_k != 0` (a zero weight's potential never matters).
fn dot_finite(w: &[f64], x: &[f64]) -> f64 {
    w.iter().zip(x).filter(|(wk, _)| **wk != 0.0).map(|(wk, xk)| wk * xk).sum()
}

/// Which entries of each row a pass keeps (the sparsity pattern of SNS's Hessian).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RowSelect {
    /// None.
    Nothing,
    /// The `k` largest.
    Largest(usize),
    /// The largest entries that together carry at least this fraction of the row's mass
    /// (entries are grouped by binary order of magnitude, so a few more may be kept).
    Mass(f64),
}

/// Kept entries `(i, j, P_ij)` in row-major order.
pub type Entries = Vec<(u32, u32, f64)>;

/// Computes `P`'s marginals, mass and transport cost, and the entries `select` keeps.
pub fn plan_pass(problem: &OtProblem, f: &[f64], g: &[f64], eps: f64, par: &Par, select: RowSelect) -> (PlanSums, Entries) {
    let cost = problem.cost();
    let (n, m) = (problem.n(), problem.m());
    let mut h_g = vec![0.0; m];
    fold_weights(g, problem.b(), eps, &mut h_g);
    let inv_eps = 1.0 / eps;
    let rows_per_block = n.div_ceil(PLAN_BLOCKS).max(1);
    let nblocks = n.div_ceil(rows_per_block);
    let mut rows = vec![0.0; n];
    let kept: Vec<Mutex<Entries>> = (0..nblocks).map(|_| Mutex::new(Vec::new())).collect();
    let mut acc = vec![0.0; m + 2];
    {
        let rows_out = SharedMut::new(&mut rows);
        par.for_blocks(nblocks, m + 2, &mut acc, |blk, part| {
            let r = blk * rows_per_block..((blk + 1) * rows_per_block).min(n);
            // SAFETY: blocks own disjoint row ranges.
            let row_sums = unsafe { rows_out.range(r.clone()) };
            let mut buf = cost.line_buffer(Side::Rows);
            let mut p = vec![0.0; m];
            let mut mine = Vec::new();
            let (cols, tail) = part.split_at_mut(m);
            for (i, rs) in r.zip(row_sums.iter_mut()) {
                let ai = problem.a()[i];
                if ai == 0.0 {
                    *rs = 0.0;
                    continue;
                }
                let c = cost.line(Side::Rows, i, &mut buf);
                let s = ai * lse::exp_into(&h_g, c, f[i], inv_eps, &mut p);
                *rs = s;
                let mut tc = 0.0;
                for ((cj, pj), cv) in cols.iter_mut().zip(p.iter_mut()).zip(c) {
                    *pj *= ai;
                    *cj += *pj;
                    tc += *pj * cv;
                }
                tail[0] += s;
                tail[1] += tc;
                select_row(i, &p, s, select, &mut mine);
            }
            *kept[blk].lock().unwrap_or_else(|e| e.into_inner()) = mine;
        });
    }
    let (total, transport) = (acc[m], acc[m + 1]);
    acc.truncate(m);
    let entries = kept.into_iter().flat_map(|k| k.into_inner().unwrap_or_else(|e| e.into_inner())).collect();
    (PlanSums { rows, cols: acc, total, transport }, entries)
}

/// Appends the entries of row `i` (values `p`, sum `s`) that `select` keeps, in column order.
fn select_row(i: usize, p: &[f64], s: f64, select: RowSelect, out: &mut Entries) {
    match select {
        RowSelect::Nothing => {}
        RowSelect::Largest(k) => {
            let mut slots = vec![(0usize, -1.0); k.min(p.len())];
            largest_into(p, &mut slots);
            slots.retain(|e| e.1 > 0.0);
            slots.sort_by_key(|e| e.0);
            out.extend(slots.iter().map(|&(j, v)| (i as u32, j as u32, v)));
        }
        RowSelect::Mass(fraction) => {
            // Mass per binary order of magnitude below the row's largest entry.
            const BINS: usize = 64;
            let exponent = |v: f64| ((v.to_bits() >> 52) & 0x7ff) as i64;
            let top = exponent(p.iter().fold(0.0f64, |a, v| a.max(*v)));
            let mut mass = [0.0; BINS];
            for &v in p {
                mass[((top - exponent(v)).max(0) as usize).min(BINS - 1)] += v;
            }
            let (mut covered, mut last) = (0.0, BINS - 1);
            for (b, w) in mass.iter().enumerate() {
                covered += w;
                if covered >= fraction * s {
                    last = b;
                    break;
                }
            }
            out.extend(
                p.iter()
                    .enumerate()
                    .filter(|(_, v)| **v > 0.0 && ((top - exponent(**v)).max(0) as usize) <= last)
                    .map(|(j, v)| (i as u32, j as u32, *v)),
            );
        }
    }
}

/// Writes the `slots.len()` largest values of `p` with their indices, largest first (unfilled
/// slots keep value -1).
fn largest_into(p: &[f64], slots: &mut [(usize, f64)]) {
    let k = slots.len();
    if k == 0 {
        return;
    }
    let mut floor = -1.0;
    for (j, &v) in p.iter().enumerate() {
        if v > floor {
            let mut pos = k - 1;
            while pos > 0 && slots[pos - 1].1 < v {
                slots[pos] = slots[pos - 1];
                pos -= 1;
            }
            slots[pos] = (j, v);
            floor = slots[k - 1].1;
        }
    }
}

/// Calls `visit(i, P[i, ..])` for every row of the plan, in order, computing one row at a time
/// (the plan is never stored).
pub fn for_each_row(problem: &OtProblem, f: &[f64], g: &[f64], eps: f64, mut visit: impl FnMut(usize, &[f64])) {
    let m = problem.m();
    let mut h_g = vec![0.0; m];
    fold_weights(g, problem.b(), eps, &mut h_g);
    let mut buf = problem.cost().line_buffer(Side::Rows);
    let mut row = vec![0.0; m];
    for (i, ai) in problem.a().iter().enumerate() {
        let c = problem.cost().line(Side::Rows, i, &mut buf);
        lse::exp_into(&h_g, c, f[i], 1.0 / eps, &mut row);
        row.iter_mut().for_each(|v| *v *= ai);
        visit(i, &row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_selection_keeps_the_largest_entries() {
        let p = [0.1, 0.5, 0.3, 0.0, 0.7];
        let mut out = Vec::new();
        select_row(3, &p, 1.6, RowSelect::Largest(3), &mut out);
        assert_eq!(out, vec![(3, 1, 0.5), (3, 2, 0.3), (3, 4, 0.7)]);
        out.clear();
        select_row(0, &p, 1.6, RowSelect::Largest(7), &mut out);
        assert_eq!(out.len(), 4);
        out.clear();
        // 0.7 and 0.5 share a binary order (2^-1 .. 2^0) and carry 75% of the mass.
        select_row(0, &p, 1.6, RowSelect::Mass(0.7), &mut out);
        assert_eq!(out, vec![(0, 1, 0.5), (0, 4, 0.7)]);
        out.clear();
        select_row(0, &p, 1.6, RowSelect::Mass(0.99), &mut out);
        assert_eq!(out.len(), 4);
    }
}

//! GCRO-DR(m, k): GMRES with deflated restarting and subspace recycling (Parks, de Sturler,
//! Mackey, Johnson, Maiti 2006).
//!
//! Every cycle runs `m - k` Arnoldi steps on `(I - C C^T) Op` from the current residual, with
//! the recycled `C` in front of the basis (see [`super::arnoldi`]); the solution update uses
//! `[U | V]`. After each cycle the space is refreshed from `k` harmonic Ritz vectors, and it
//! stays in the solver for the next system, where a new operator first rebuilds `C`. With no
//! space yet (or `k = 0`) a cycle is exactly a GMRES(m) cycle.

use super::arnoldi::{self, CycleBuffers, Hessenberg, Mode};
use super::recycle::{RecycleSpace, RecycleStats};
use super::run::{Run, Step};
use super::workspace::{resize, Workspace};
use super::{PreconditionerSide, Reorthogonalization, Termination};
use crate::linalg::kernels;

/// Runs GCRO-DR(m, k) from `w.x`, using and updating `space`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn solve(
    run: &mut Run,
    w: &mut Workspace,
    b: &[f64],
    zero_guess: bool,
    m: usize,
    k: usize,
    refresh_interval: usize,
    side: PreconditionerSide,
    reorth: Reorthogonalization,
    space: &mut RecycleSpace,
    stats: &mut RecycleStats,
) -> Step<Termination> {
    let n = b.len();
    let m = m.min(n);
    let k = k.min(m.saturating_sub(1));
    let mode = Mode::new(run.m.is_identity(), false, side);
    let Workspace { x, r, q, z, .. } = w;
    for v in [&mut *r, &mut *q, &mut *z] {
        resize(v, n);
    }
    let par = run.space.par().clone();
    if space.n() != n {
        space.start(n);
    }
    stats.initial_dim = space.dim();

    arnoldi::set_left_reference(run, b, z, mode)?;
    let mut beta = arnoldi::monitored_residual(run, b, x, r, z, zero_guess, mode)?;
    if let Some(t) = run.start_from(beta) {
        return Ok(t);
    }
    if space.dim() > 0 && !space.is_current() {
        stats.rebuilt = true;
        stats.largest_angle = space.rebuild(run, mode, z)?;
    }
    if space.dim() > 0 {
        // x += Op^{-1}-consistent correction U D^{-1} C^T r; r -= C C^T r.
        let ct = space.c_dot(run, r);
        let coeff: Vec<f64> = ct.iter().zip(space.d()).map(|(c, d)| c / d).collect();
        arnoldi::add_correction(run, mode, &[(space.u(), &coeff)], x, q, z)?;
        let rr = run.space.reduce([kernels::block_axpy(&par, space.c(), &ct, -1.0, r)])[0];
        let before = beta;
        beta = rr.sqrt();
        stats.projection_ratio = beta / before;
        run.report.residual_norm = beta;
        if let Some(t) = run.converged(beta) {
            stats.final_dim = space.dim();
            return Ok(t);
        }
    } else {
        stats.projection_ratio = 1.0;
    }
    let mut basis = space.take_basis(m + 1);
    let outcome = cycles(run, w, b, &mut basis, m, k, refresh_interval, mode, reorth, beta, space, stats);
    space.return_basis(basis);
    stats.final_dim = space.dim();
    outcome
}

/// The restart cycles of a GCRO-DR solve, on the basis `[C | V]` lent by the space.
#[allow(clippy::too_many_arguments)]
fn cycles(
    run: &mut Run,
    w: &mut Workspace,
    b: &[f64],
    basis: &mut [f64],
    m: usize,
    k: usize,
    refresh_interval: usize,
    mode: Mode,
    reorth: Reorthogonalization,
    mut beta: f64,
    space: &mut RecycleSpace,
    stats: &mut RecycleStats,
) -> Step<Termination> {
    let n = b.len();
    let par = run.space.par().clone();
    let Workspace { x, r, q, z, zbasis, .. } = w;
    let mut hess = Hessenberg::new(m);
    let mut full_cycles = 0usize;
    loop {
        let kp = space.dim();
        // W = [C | r / beta] (C is already the leading block); G's first kp columns are D
        // (Op u_j = d_j c_j).
        kernels::scale_into(&par, 1.0 / beta, r, &mut basis[kp * n..(kp + 1) * n]);
        let mut g0 = vec![0.0; kp];
        kernels::block_dot(&par, &basis[..kp * n], kp, r, &mut g0);
        run.space.reduce_slice(&mut g0);
        g0.push(beta);
        hess.reset(&g0);
        for (j, d) in space.d().iter().enumerate() {
            hess.col(j)[j] = *d;
        }
        let mut buf = CycleBuffers { basis, zbasis, q, z };
        let (cols, stop) = arnoldi::cycle(run, &mut buf, &mut hess, kp, m, mode, reorth)?;
        let y = hess.solve(cols);
        let (y_u, y_v) = y.split_at(kp);
        arnoldi::add_correction(run, mode, &[(space.u(), y_u), (&basis[kp * n..], y_v)], x, q, z)?;
        // Refresh from full cycles only: the harmonic Ritz vectors of the short last cycle of a
        // solve are poor approximations and would degrade the space handed to the next system.
        // The first full cycle always refreshes (it may be the only one), then every
        // `refresh_interval`-th; between refreshes the cycles recycle a fixed space (GCROT-like).
        // A solve that ends within its first cycle with no space yet (the short, loosely
        // solved systems of inexact Newton and of small time steps) seeds one from that cycle:
        // a rough space beats none, and the next system's solve refreshes it.
        if k > 0 && cols == m {
            full_cycles += 1;
            if (full_cycles - 1) % refresh_interval == 0 {
                space.refresh(run, basis, hess.raw(), m, cols, kp, k);
                stats.refreshes += 1;
            }
        } else if k > 0 && kp == 0 && full_cycles == 0 && cols > k {
            space.refresh(run, basis, hess.raw(), m, cols, kp, k);
            stats.refreshes += 1;
        }
        match arnoldi::end_cycle(run, stop, b, x, r, z, mode, beta)? {
            Ok(t) => return Ok(t),
            Err(new_beta) => beta = new_beta,
        }
    }
}

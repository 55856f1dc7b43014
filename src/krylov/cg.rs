//! Preconditioned conjugate gradients (Hestenes-Stiefel), with the vector updates fused into
//! two passes per iteration (three with a general preconditioner), optionally deflated by a
//! recycled space (see [`super::rcg`]): one loop serves plain and recycled CG.

use super::rcg::Deflation;
use super::run::{Run, Step};
use super::workspace::{resize, Workspace};
use super::Termination;
use crate::linalg::kernels;

/// Runs CG from `w.x`, deflated by `deflation` when given; returns a soft termination, or
/// `Err` for a hard one.
pub(crate) fn solve(
    run: &mut Run,
    w: &mut Workspace,
    b: &[f64],
    zero_guess: bool,
    mut deflation: Option<&mut Deflation>,
) -> Step<Termination> {
    let n = b.len();
    let Workspace { x, r, p, q, z, .. } = w;
    for v in [&mut *r, &mut *p, &mut *q, &mut *z] {
        resize(v, n);
    }
    let mut rnorm = run.residual_or_rhs(b, x, r, zero_guess)?;
    if let Some(t) = run.start_from(rnorm) {
        return Ok(t);
    }
    if let Some(d) = deflation.as_deref_mut() {
        rnorm = d.project_initial_guess(run, x, r, rnorm);
        run.report.residual_norm = rnorm;
        if let Some(t) = run.converged(rnorm) {
            return Ok(t);
        }
    }
    let identity = run.m.is_identity();
    let dinv = run.m.inverse_diagonal().map(|d| d.to_vec());
    // z = M^{-1} r; without a preconditioner z is r itself and never copied.
    let mut rz = if identity {
        rnorm * rnorm
    } else {
        run.precond(r, z)?;
        run.space.dot(r, z)
    };
    let par = run.space.par().clone();
    let zr = if identity { &*r } else { &*z };
    match deflation.as_deref_mut() {
        Some(d) => d.next_direction(run, zr, 0.0, p),
        None => p.copy_from_slice(zr),
    }
    loop {
        check_positive(rz, "r^T M^{-1} r", "the preconditioner is not positive definite", run)?;
        let pq = run.matvec_dot(p, q)?;
        check_positive(pq, "p^T A p", "the operator is not positive definite; use GMRES", run)?;
        if let Some(d) = deflation.as_deref_mut() {
            d.record_direction(&par, p, pq);
        }
        let alpha = rz / pq;
        let [rr, rz_fused] = run.space.reduce(kernels::cg_update(&par, alpha, p, q, x, r, dinv.as_deref(), z));
        if let Some(t) = run.after_iteration(rr.sqrt())? {
            return Ok(t);
        }
        let rz_new = if identity || dinv.is_some() {
            rz_fused
        } else {
            run.precond(r, z)?;
            run.space.dot(r, z)
        };
        let beta = rz_new / rz;
        rz = rz_new;
        let zr = if identity { &*r } else { &*z };
        match deflation.as_deref_mut() {
            Some(d) => d.next_direction(run, zr, beta, p),
            None => kernels::xpby(&par, zr, beta, p),
        }
    }
}

fn check_positive(v: f64, what: &str, why: &str, run: &Run) -> Step<()> {
    if v > 0.0 && v.is_finite() {
        return Ok(());
    }
    let msg = format!("CG broke down at iteration {}: {what} = {v}; {why}", run.report.iterations);
    Err(if v.is_finite() { Termination::Breakdown(msg) } else { Termination::NonFinite(msg) })
}

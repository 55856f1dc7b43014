//! The one inner solver of every Newton method: preconditioned truncated CG on
//! `(H + sigma I) d = -g` (Steihaug-Toint), stopped by the forcing term, the trust-region
//! boundary (measured in the preconditioner's norm, Conn-Gould-Toint 7.5.1) or negative
//! curvature; plus the forcing-term rule.

use super::context::{Context, Stop};
use super::options::Forcing;
use crate::linalg::par::SharedMut;
use crate::linalg::Par;

/// What the CG solve is asked to do.
pub(crate) struct CgRequest {
    /// `sigma >= 0` of `(H + sigma I)`.
    pub shift: f64,
    /// The trust radius, or `None` for a line-search direction.
    pub radius: Option<f64>,
    /// Stop at `||(H + sigma I) d + g|| <= tol`.
    pub tol: f64,
    pub max_iterations: usize,
}

/// Why CG stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CgExit {
    Converged,
    /// The step reached the trust-region boundary (possibly along negative curvature).
    Boundary,
    /// Negative curvature met without a trust region: `d` is the last positive-curvature
    /// iterate, or the preconditioned steepest descent direction at the first iteration.
    NegativeCurvature,
    MaxIterations,
    /// A Hessian-vector product failed to evaluate: `d` is the last iterate, or the
    /// preconditioned steepest descent direction (scaled to the boundary) at the first.
    HessianFailed,
}

/// The step and what the model says of it.
pub(crate) struct CgResult {
    pub exit: CgExit,
    /// `g^T d`.
    pub gd: f64,
    /// `d^T (H + sigma I) d` (0 when no product is known: `HessianFailed` at the first step).
    pub dhd: f64,
}

impl CgResult {
    /// The quadratic model's change `g^T d + d^T (H + sigma I) d / 2` (negative: a decrease).
    pub fn model_change(&self) -> f64 {
        self.gd + 0.5 * self.dhd
    }
}

/// Work vectors, kept across iterations.
#[derive(Default)]
pub(crate) struct CgWork {
    pub d: Vec<f64>,
    r: Vec<f64>,
    z: Vec<f64>,
    p: Vec<f64>,
    q: Vec<f64>,
}

impl CgWork {
    pub fn new(n: usize) -> Self {
        let v = || vec![0.0; n];
        CgWork { d: v(), r: v(), z: v(), p: v(), q: v() }
    }
}

/// The positive `tau` with `||d + tau p||_M = radius`, from `d^T M d`, `d^T M p`, `p^T M p`.
fn to_boundary(dmd: f64, dmp: f64, pmp: f64, radius: f64) -> f64 {
    let disc = (dmp * dmp + pmp * (radius * radius - dmd)).max(0.0);
    // The root formula without cancellation for dmp > 0.
    if dmp > 0.0 {
        (radius * radius - dmd).max(0.0) / (dmp + disc.sqrt())
    } else {
        (disc.sqrt() - dmp) / pmp
    }
}

/// `d += alpha p`, `r += alpha q`; returns the local `r . r` (one pass over the four vectors).
fn cg_step(par: &Par, alpha: f64, p: &[f64], q: &[f64], d: &mut [f64], r: &mut [f64]) -> f64 {
    let n = d.len();
    let (ds, rs) = (SharedMut::new(d), SharedMut::new(r));
    par.chunk_sums(n, |rg| {
        // SAFETY: chunk ranges are disjoint and d, r are distinct vectors.
        let (dc, rc) = unsafe { (ds.range(rg.clone()), rs.range(rg.clone())) };
        let (pc, qc) = (&p[rg.clone()], &q[rg]);
        let mut rr = 0.0;
        for i in 0..dc.len() {
            dc[i] += alpha * pc[i];
            rc[i] += alpha * qc[i];
            rr += rc[i] * rc[i];
        }
        [rr]
    })[0]
}

/// Runs truncated CG at `x` with gradient `g`; the step is left in `w.d`.
///
/// The model change needs `d^T (H + sigma) d`, which comes from dot products the iteration
/// has, not from a stored `H d`: with `r = g + (H + sigma) d` (the CG residual, orthogonal to
/// the CG iterate `d`), `d^T (H + sigma) d = d^T r - g^T d`, and for a last partial step
/// `d + tau p` the cross term is `p^T (r - g)`.
pub(crate) fn truncated_cg(ctx: &mut Context, x: &[f64], g: &[f64], req: &CgRequest, w: &mut CgWork) -> Result<CgResult, Stop> {
    let CgWork { d, r, z, p, q } = w;
    let preconditioned = ctx.has_preconditioner();
    d.fill(0.0);
    r.copy_from_slice(g);
    // Without a preconditioner z is r itself and never copied.
    if preconditioned && !ctx.precondition(x, r, z)? {
        // A preconditioner that cannot be applied here: this iteration runs unpreconditioned.
        z.copy_from_slice(r);
    }
    {
        let zr: &[f64] = if preconditioned { z } else { r };
        for (pi, zi) in p.iter_mut().zip(zr) {
            *pi = -zi;
        }
    }
    let mut rz = if preconditioned { ctx.dot(r, z) } else { ctx.dot(r, r) };
    let (mut dmd, mut dmp, mut pmp) = (0.0, 0.0, rz);
    let mut k = 0;
    // A partial last step d += tau p whose curvature p^T (H + sigma) p is `curvature`.
    let mut partial: Option<(f64, f64)> = None;
    let exit = loop {
        if k >= req.max_iterations {
            break CgExit::MaxIterations;
        }
        let Some(pq) = ctx.hessian_vector(x, p, q)? else {
            if k == 0 {
                // No curvature known: a steepest descent step (to the boundary if there is one).
                let scale = req.radius.map_or(1.0, |radius| radius / pmp.sqrt());
                ctx.axpy(scale, p, d);
            }
            break CgExit::HessianFailed;
        };
        // p^T (H + sigma) p = p^T H p + sigma p^T p, and p^T p = p^T M p without a preconditioner.
        let curvature = if req.shift != 0.0 {
            ctx.axpy(req.shift, p, q);
            pq + req.shift * if preconditioned { ctx.dot(p, p) } else { pmp }
        } else {
            pq
        };
        k += 1;
        if !(curvature > 0.0) {
            match req.radius {
                Some(radius) => {
                    partial = Some((to_boundary(dmd, dmp, pmp, radius), curvature));
                    break CgExit::Boundary;
                }
                None => {
                    if k == 1 {
                        partial = Some((1.0, curvature));
                    }
                    break CgExit::NegativeCurvature;
                }
            }
        }
        let alpha = rz / curvature;
        let dmd_next = dmd + 2.0 * alpha * dmp + alpha * alpha * pmp;
        if let Some(radius) = req.radius {
            if dmd_next >= radius * radius {
                partial = Some((to_boundary(dmd, dmp, pmp, radius), curvature));
                break CgExit::Boundary;
            }
        }
        let rr = cg_step(&ctx.par, alpha, p, q, d, r);
        if rr.sqrt() <= req.tol {
            break CgExit::Converged;
        }
        let rz_next = if preconditioned {
            if !ctx.precondition(x, r, z)? {
                z.copy_from_slice(r);
            }
            ctx.dot(r, z)
        } else {
            rr
        };
        let beta = rz_next / rz;
        dmd = dmd_next;
        dmp = beta * (dmp + alpha * pmp);
        pmp = rz_next + beta * beta * pmp;
        rz = rz_next;
        let zr: &[f64] = if preconditioned { z } else { r };
        for (pi, zi) in p.iter_mut().zip(zr) {
            *pi = beta * *pi - zi;
        }
    };
    ctx.report.cg_iterations += k;
    let mut gd = ctx.dot(g, d);
    let mut dhd = if exit == CgExit::HessianFailed { 0.0 } else { ctx.dot(d, r) - gd };
    if let Some((tau, curvature)) = partial {
        // (d + tau p)^T A (d + tau p) = d^T A d + 2 tau p^T (r - g) + tau^2 p^T A p.
        let (pr, pg) = (ctx.dot(p, r), ctx.dot(p, g));
        dhd += 2.0 * tau * (pr - pg) + tau * tau * curvature;
        gd += tau * pg;
        ctx.axpy(tau, p, d);
    }
    Ok(CgResult { exit, gd, dhd })
}

/// The forcing terms `eta_k` of successive Newton systems.
pub(crate) struct ForcingTerm {
    rule: Forcing,
    fixed: f64,
    min: f64,
    previous: Option<(f64, f64)>,
}

/// Eisenstat-Walker choice 2 constants (gamma, alpha) and the cap of every adaptive rule.
const EW_GAMMA: f64 = 0.9;
const EW_ALPHA: f64 = 2.0;
const ETA_MAX: f64 = 0.5;

impl ForcingTerm {
    pub fn new(rule: Forcing, fixed: f64, min: f64) -> Self {
        ForcingTerm { rule, fixed, min, previous: None }
    }

    /// `eta` for a system with gradient norm `gnorm`.
    pub fn next(&mut self, gnorm: f64) -> f64 {
        let eta = match (self.rule, self.previous) {
            (Forcing::Fixed, _) => self.fixed,
            (Forcing::SqrtGradient, _) => gnorm.sqrt().min(ETA_MAX),
            (Forcing::EisenstatWalker, None) => ETA_MAX,
            (Forcing::EisenstatWalker, Some((g_prev, eta_prev))) => {
                let eta = EW_GAMMA * (gnorm / g_prev).powf(EW_ALPHA);
                // Safeguard: do not drop eta sharply unless the previous one was already small.
                let floor = EW_GAMMA * eta_prev.powf(EW_ALPHA);
                let eta = if floor > 0.1 { eta.max(floor) } else { eta };
                eta.min(ETA_MAX)
            }
        };
        let eta = if self.rule == Forcing::Fixed { eta } else { eta.max(self.min) };
        self.previous = Some((gnorm, eta));
        eta
    }
}

//! The one inner solver of every Newton method: preconditioned truncated CG on
//! `(H + sigma I) d = -g` (Steihaug-Toint), stopped by the forcing term, the trust-region
//! boundary (measured in the preconditioner's norm, Conn-Gould-Toint 7.5.1) or negative
//! curvature; plus the forcing-term rule.

use super::context::{Context, Stop};
use super::options::Forcing;

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
    hd: Vec<f64>,
    r: Vec<f64>,
    z: Vec<f64>,
    p: Vec<f64>,
    q: Vec<f64>,
}

impl CgWork {
    pub fn new(n: usize) -> Self {
        let v = || vec![0.0; n];
        CgWork { d: v(), hd: v(), r: v(), z: v(), p: v(), q: v() }
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

/// Runs truncated CG at `x` with gradient `g`; the step is left in `w.d`.
pub(crate) fn truncated_cg(ctx: &mut Context, x: &[f64], g: &[f64], req: &CgRequest, w: &mut CgWork) -> Result<CgResult, Stop> {
    let CgWork { d, hd, r, z, p, q } = w;
    d.fill(0.0);
    hd.fill(0.0);
    r.copy_from_slice(g);
    if !ctx.precondition(x, r, z)? {
        // A preconditioner that cannot be applied here: run unpreconditioned rather than fail.
        z.copy_from_slice(r);
    }
    for (pi, zi) in p.iter_mut().zip(z.iter()) {
        *pi = -zi;
    }
    let mut rz = ctx.dot(r, z);
    let (mut dmd, mut dmp, mut pmp) = (0.0, 0.0, rz);
    let mut k = 0;
    let exit = loop {
        if k >= req.max_iterations {
            break CgExit::MaxIterations;
        }
        let evaluated = ctx.hessian_vector(x, p, q)?;
        if !evaluated {
            if k == 0 {
                // No curvature known: a steepest descent step (to the boundary if there is one).
                let scale = req.radius.map_or(1.0, |radius| radius / pmp.sqrt());
                ctx.axpy(scale, p, d);
            }
            break CgExit::HessianFailed;
        }
        ctx.axpy(req.shift, p, q);
        k += 1;
        let curvature = ctx.dot(p, q);
        if !(curvature > 0.0) {
            match req.radius {
                Some(radius) => {
                    let tau = to_boundary(dmd, dmp, pmp, radius);
                    ctx.axpy(tau, p, d);
                    ctx.axpy(tau, q, hd);
                    break CgExit::Boundary;
                }
                None => {
                    if k == 1 {
                        d.copy_from_slice(p);
                        hd.copy_from_slice(q);
                    }
                    break CgExit::NegativeCurvature;
                }
            }
        }
        let alpha = rz / curvature;
        let dmd_next = dmd + 2.0 * alpha * dmp + alpha * alpha * pmp;
        if let Some(radius) = req.radius {
            if dmd_next >= radius * radius {
                let tau = to_boundary(dmd, dmp, pmp, radius);
                ctx.axpy(tau, p, d);
                ctx.axpy(tau, q, hd);
                break CgExit::Boundary;
            }
        }
        ctx.axpy(alpha, p, d);
        ctx.axpy(alpha, q, hd);
        ctx.axpy(alpha, q, r);
        if ctx.norm(r) <= req.tol {
            break CgExit::Converged;
        }
        if !ctx.precondition(x, r, z)? {
            z.copy_from_slice(r);
        }
        let rz_next = ctx.dot(r, z);
        let beta = rz_next / rz;
        dmd = dmd_next;
        dmp = beta * (dmp + alpha * pmp);
        pmp = rz_next + beta * beta * pmp;
        rz = rz_next;
        for (pi, zi) in p.iter_mut().zip(z.iter()) {
            *pi = beta * *pi - zi;
        }
    };
    ctx.report.cg_iterations += k;
    Ok(CgResult { exit, gd: ctx.dot(g, d), dhd: ctx.dot(d, hd) })
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

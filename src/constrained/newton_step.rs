//! One iteration of the adaptive inexact Newton method: the Newton-KKT direction from the
//! inner solver at the adaptive accuracy, the Hessian shift when the direction meets too
//! little curvature, the penalty updates that make it a descent direction of the exact
//! augmented Lagrangian, and the Armijo line search on that merit.

use super::context::{Context, Point, Stop};
use super::kkt::{self, Kkt};
use super::{ConstrainedOptions, ConstrainedTermination, KktRecord, KktSolver};
use crate::linalg::CsrMatrix;
use rand::{rngs::StdRng, SeedableRng};

/// Penalty limits past which the paper's implementation stops updating and takes the
/// direction as it is.
const MAX_ETA1: f64 = 1e8;
const MIN_ETA2: f64 = 1e-8;
/// Shifts above this mean the curvature test cannot be met; the direction is taken as is.
const MAX_SHIFT: f64 = 1e20;
/// Ipopt's inertia-correction factors: grow 100x from no shift, 8x otherwise; start the next
/// iteration from a third of the last shift.
const SHIFT_GROW_FIRST: f64 = 100.0;
const SHIFT_GROW: f64 = 8.0;
const SHIFT_DECAY: f64 = 1.0 / 3.0;
/// Shifted re-solves per step when MINRES stalls on a singular KKT matrix.
const MAX_SINGULAR_RETRIES: usize = 3;
/// The constraint-block regularisation of a singular KKT matrix (Ipopt's `delta_c` scale).
const DUAL_SHIFT: f64 = 1e-8;
/// Step halvings before the line search gives up (`alpha = 2^-60`).
const MAX_HALVINGS: usize = 60;

/// The state carried from one iteration to the next.
pub(crate) struct NewtonStep {
    pub eta1: f64,
    pub eta2: f64,
    /// The accuracy `delta` of the inner solves.
    delta: f64,
    /// The Hessian shift of the last iteration.
    last_shift: f64,
    rng: StdRng,
    rhs: Vec<f64>,
    d: Vec<f64>,
    /// `H grad_x L`, `J^T c`, `J grad_x L`: the merit gradient's parts, independent of the
    /// penalties.
    h_gl: Vec<f64>,
    jt_c: Vec<f64>,
    j_gl: Vec<f64>,
    trial: Point,
}

impl NewtonStep {
    pub fn new(options: &ConstrainedOptions, n: usize, m: usize) -> Self {
        NewtonStep {
            eta1: options.eta1,
            eta2: options.eta2,
            delta: options.accuracy,
            last_shift: 0.0,
            rng: StdRng::seed_from_u64(options.seed),
            rhs: vec![0.0; n + m],
            d: vec![0.0; n + m],
            h_gl: vec![0.0; n],
            jt_c: vec![0.0; n],
            j_gl: vec![0.0; m],
            trial: Point::new(n, m),
        }
    }

    /// Moves `cur` to the next accepted point.
    pub fn take(&mut self, ctx: &mut Context, cur: &mut Point) -> Result<(), Stop> {
        let n = cur.x.len();
        for (r, v) in self.rhs.iter_mut().zip(cur.gl.iter().chain(&cur.c)) {
            *r = -v;
        }
        let rhs_norm = cur.gl_norm.hypot(cur.c_norm);
        let theta = if ctx.options.sharpen { rhs_norm.sqrt().min(1.0) } else { 1.0 };
        ctx.hessian_vector(&cur.x, &cur.lambda, &cur.gl, &mut self.h_gl)?;
        ctx.jacobian_transpose_vector(&cur.x, &cur.c, &mut self.jt_c)?;
        ctx.jacobian_vector(&cur.x, &cur.gl, &mut self.j_gl)?;
        let mut record = KktRecord { stationarity: cur.gl_norm, feasibility: cur.c_norm, ..Default::default() };

        let (x, lambda) = (cur.x.clone(), cur.lambda.clone());
        let mut kkt = Kkt::new(&x, &lambda, 0.0);
        let mut assembled: Option<CsrMatrix> = None;
        let mut inner = self.direction(ctx, &mut kkt, &mut assembled, theta * self.delta * rhs_norm, &mut record)?;
        let slope = loop {
            let slope = self.merit_slope(cur);
            if slope <= -0.5 * self.eta2 * rhs_norm * rhs_norm || self.eta1 > MAX_ETA1 || self.eta2 < MIN_ETA2 {
                break slope;
            }
            let rho = ctx.options.penalty_factor;
            self.eta1 *= rho * rho;
            self.eta2 /= rho;
            self.delta = (self.delta / rho.powi(4)).max(ctx.options.accuracy_min);
            ctx.report.penalty_updates += 1;
            let tol = theta * self.delta * rhs_norm;
            if inner.residual > tol {
                let more = ctx.options.max_inner_iterations;
                let out = kkt::solve(ctx, &mut kkt, &mut assembled, &mut self.rng, &self.rhs, &mut self.d, tol, more)?;
                ctx.report.inner_iterations += out.iterations;
                record.inner_iterations += out.iterations;
                inner = out;
            }
        };
        record.inner_residual = inner.residual / rhs_norm;
        record.merit = cur.merit(&ctx.par, self.eta1, self.eta2);
        record.eta1 = self.eta1;
        record.eta2 = self.eta2;
        record.regularization = kkt.shift;
        self.last_shift = kkt.shift;
        record.step_length = self.line_search(ctx, cur, slope, n)?;
        if ctx.options.record_history {
            ctx.report.history.push(record);
        }
        Ok(())
    }

    /// Solves for the direction, shifting the Hessian `H + t I` while
    /// - `d_x^T (H + t I) d_x < curvature_tol ||d_x||^2`: an inertia-free stand-in for "the
    ///   reduced Hessian is not positive definite" (a matrix-free solver cannot count
    ///   eigenvalues), or
    /// - MINRES stopped short of its tolerance (at most `MAX_SINGULAR_RETRIES` times a step):
    ///   a Krylov method that stalls means a singular KKT matrix (a zero reduced Hessian, or
    ///   dependent constraint gradients, as HS9 and HS61 at their starts), so the constraint
    ///   block is regularised too, `-dual_shift I`, as Ipopt does. A sketch that stops at its
    ///   cap is only slow on an ill-conditioned system; shifting would not pay its cost.
    fn direction(&mut self, ctx: &mut Context, kkt: &mut Kkt, assembled: &mut Option<CsrMatrix>, tol: f64, record: &mut KktRecord) -> Result<kkt::InnerOutcome, Stop> {
        let n = kkt.n();
        let mut hd = vec![0.0; n];
        let mut shift = 0.0;
        let mut singular_retries = 0;
        loop {
            kkt.shift = shift;
            *assembled = None;
            self.d.iter_mut().for_each(|v| *v = 0.0);
            let out = kkt::solve(ctx, kkt, assembled, &mut self.rng, &self.rhs, &mut self.d, tol, ctx.options.max_inner_iterations)?;
            ctx.report.inner_iterations += out.iterations;
            record.inner_iterations += out.iterations;
            if !self.d.iter().all(|v| v.is_finite()) {
                return Err(ConstrainedTermination::Stagnation(
                    "the inner solver produced a non-finite direction (the KKT matrix is singular to rounding)".into(),
                ));
            }
            let singular = ctx.options.kkt_solver == KktSolver::Minres && out.residual > tol && singular_retries < MAX_SINGULAR_RETRIES;
            if singular {
                singular_retries += 1;
                kkt.dual_shift = DUAL_SHIFT;
            } else if self.curvature_suffices(ctx, kkt, &mut hd)? {
                return Ok(out);
            }
            shift = self.next_shift(ctx, shift);
            if shift > MAX_SHIFT {
                return Ok(out);
            }
            if kkt.shift == 0.0 {
                ctx.report.regularized_steps += 1;
            }
        }
    }

    /// `d_x^T (H + t I) d_x >= curvature_tol ||d_x||^2` (true when the test is off or `d_x = 0`).
    fn curvature_suffices(&self, ctx: &mut Context, kkt: &Kkt, hd: &mut [f64]) -> Result<bool, Stop> {
        let dx = &self.d[..kkt.n()];
        let dxdx = ctx.dot(dx, dx);
        let kappa = ctx.options.curvature_tol;
        if kappa == 0.0 || dxdx == 0.0 {
            return Ok(true);
        }
        ctx.hessian_vector(kkt.x, kkt.lambda, dx, hd)?;
        Ok(ctx.dot(dx, hd) + kkt.shift * dxdx >= kappa * dxdx)
    }

    /// Ipopt's inertia-correction sequence: from no shift, a third of the last iteration's
    /// shift (or `regularization` when it had none); then 100x from `regularization`, 8x after.
    fn next_shift(&self, ctx: &Context, shift: f64) -> f64 {
        let first = ctx.options.regularization;
        match (shift == 0.0, self.last_shift == 0.0) {
            (true, true) => first,
            (true, false) => (SHIFT_DECAY * self.last_shift).max(first * 1e-16),
            (false, _) => shift * if self.last_shift == 0.0 && shift == first { SHIFT_GROW_FIRST } else { SHIFT_GROW },
        }
    }

    /// `grad L_eta^T d` with `grad_x L_eta = grad_x L + eta1 J^T c + eta2 H grad_x L` and
    /// `grad_lambda L_eta = c + eta2 J grad_x L`.
    fn merit_slope(&self, cur: &Point) -> f64 {
        let n = cur.x.len();
        let (dx, dl) = self.d.split_at(n);
        let mut slope = 0.0;
        for i in 0..n {
            slope += (cur.gl[i] + self.eta1 * self.jt_c[i] + self.eta2 * self.h_gl[i]) * dx[i];
        }
        for (j, dlj) in dl.iter().enumerate() {
            slope += (cur.c[j] + self.eta2 * self.j_gl[j]) * dlj;
        }
        slope
    }

    /// Armijo backtracking on the merit from `alpha = 1`, halving; moves `cur` to the accepted
    /// point and returns `alpha`.
    fn line_search(&mut self, ctx: &mut Context, cur: &mut Point, slope: f64, n: usize) -> Result<f64, Stop> {
        let merit = cur.merit(&ctx.par, self.eta1, self.eta2);
        let beta = ctx.options.armijo;
        // Near a solution the decrease the Armijo test asks for falls below the rounding error
        // of the merit itself; relaxing it by that error (as Ipopt does) keeps full steps.
        let rounding = 10.0 * f64::EPSILON * merit.abs();
        let mut alpha = 1.0;
        // A step that cannot move any coordinate of (x, lambda) is no step.
        let d_max = self.d.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        let scale = cur.x.iter().chain(&cur.lambda).fold(1.0f64, |a, v| a.max(v.abs()));
        for _ in 0..MAX_HALVINGS {
            if alpha * d_max <= f64::EPSILON * scale {
                break;
            }
            let (dx, dl) = self.d.split_at(n);
            crate::linalg::kernels::step_to(&cur.x, alpha, dx, &mut self.trial.x);
            crate::linalg::kernels::step_to(&cur.lambda, alpha, dl, &mut self.trial.lambda);
            if ctx.evaluate(&mut self.trial)? && self.trial.merit(&ctx.par, self.eta1, self.eta2) <= merit + alpha * beta * slope + rounding {
                std::mem::swap(cur, &mut self.trial);
                return Ok(alpha);
            }
            ctx.report.rejected_steps += 1;
            alpha *= 0.5;
        }
        Err(ConstrainedTermination::Stagnation(format!(
            "the Armijo line search on the merit found no decrease down to alpha = {alpha:.3e} (after {MAX_HALVINGS} \
             halvings, or where the step no longer moves (x, lambda) above rounding; directional derivative {slope:.3e}, eta1 = {:.3e}, eta2 = {:.3e}){}",
            self.eta1,
            self.eta2,
            ctx.failure_note()
        )))
    }
}

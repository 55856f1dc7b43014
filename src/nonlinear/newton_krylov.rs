//! Jacobian-free Newton-Krylov: inexact Newton steps `J d = -F` solved to the forcing term by
//! the library's GMRES or GCRO-DR (whose recycle space carries from one Newton step to the
//! next), globalised by backtracking on `||F||`.

use super::context::{Context, Point, Stop};
use super::jacobian::{HostPreconditioner, JacobianOperator};
use super::method::{Method, StepOutcome};
use super::{InnerSolver, NonlinearLineSearch, NonlinearStep, NonlinearTermination};
use crate::krylov::{KrylovMethod, KrylovSolver, Termination};
use crate::linalg::kernels::step_to;
use crate::newton::ForcingTerm;
use crate::precond::{Identity, Preconditioner};
use std::cell::RefCell;

/// Backtracks at most this many times before declaring stagnation.
const MAX_BACKTRACKS: usize = 40;

pub(crate) struct NewtonKrylov<'s> {
    krylov: &'s mut KrylovSolver,
    forcing: ForcingTerm,
    /// `max(fatol, frtol ||F_0||)`: the forcing term is kept above `target / (2 ||F||)`, so the
    /// last inner solves do not reduce the residual far below what the outer test asks for
    /// (Kelley, "Iterative methods for linear and nonlinear equations", 6.3).
    target: f64,
    rhs: Vec<f64>,
    d: Vec<f64>,
}

impl<'s> NewtonKrylov<'s> {
    pub fn new(ctx: &Context, krylov: &'s mut KrylovSolver, n: usize, target: f64) -> Self {
        let o = ctx.options;
        let k = krylov.options_mut();
        k.method = match o.inner_solver {
            InnerSolver::Gmres => KrylovMethod::Gmres,
            InnerSolver::GcroDr => KrylovMethod::GcroDr,
        };
        k.restart = o.restart;
        k.recycle_dim = o.recycle_dim;
        k.max_iterations = o.inner_max_iterations;
        k.atol = 0.0;
        k.use_initial_guess = false;
        krylov.set_drop_rule(false);
        NewtonKrylov {
            krylov,
            forcing: ForcingTerm::new(o.forcing, o.forcing_value, o.forcing_min),
            target,
            rhs: vec![0.0; n],
            d: vec![0.0; n],
        }
    }

    /// Solves `J d = -F` to relative residual `eta`; returns the step record.
    fn inner_solve(&mut self, ctx: &mut Context, cur: &Point, eta: f64) -> Result<NonlinearStep, Stop> {
        for (r, f) in self.rhs.iter_mut().zip(&cur.f) {
            *r = -f;
        }
        self.krylov.options_mut().rtol = eta;
        // The Jacobian changed with x: a recycle space is re-fitted to it before use.
        self.krylov.operator_changed();
        let xnorm = ctx.norm(&cur.x);
        let with_preconditioner = ctx.has_preconditioner();
        let cell = RefCell::new(ctx);
        let mut op = JacobianOperator { ctx: &cell, x: &cur.x, fx: &cur.f, xnorm };
        let mut host = HostPreconditioner { ctx: &cell, x: &cur.x };
        let mut identity = Identity;
        let pc: &mut dyn Preconditioner = if with_preconditioner { &mut host } else { &mut identity };
        let solved = self.krylov.solve(&mut op, pc, &self.rhs, &mut self.d, None);
        let ctx = cell.into_inner();
        ctx.take_pending()?;
        let report = solved.map_err(|e| NonlinearTermination::NonFinite(e.message().to_string()))?;
        match &report.termination {
            t if t.usable() => {}
            Termination::NonFinite(m) => return Err(NonlinearTermination::NonFinite(m.clone())),
            t => return Err(NonlinearTermination::Stagnation(format!("the Newton system could not be solved: {}", t.describe()))),
        }
        ctx.report.inner_iterations += report.iterations;
        Ok(NonlinearStep {
            residual_norm: cur.fnorm,
            forcing: eta,
            linear_residual: report.residual_norm / cur.fnorm,
            inner_iterations: report.iterations,
            jacobian_products: report.matvecs,
            recycled_vectors: report.recycle.initial_dim,
            step_length: 0.0,
            lm_parameter: 0.0,
        })
    }

    /// Finds `t` with `||F(x + t d)|| <= (1 - c1 t (1 - rho)) ||F(x)||` (`rho` the inner
    /// solve's relative residual) by safeguarded quadratic interpolation of
    /// `phi(t) = ||F(x + t d)||^2` (slope `-2 (1 - rho) ||F||^2` at 0); a trial point that
    /// cannot be evaluated halves `t`. Leaves the accepted point in `trial`.
    fn backtrack(&self, ctx: &mut Context, cur: &Point, trial: &mut Point, rho: f64) -> Result<Option<f64>, Stop> {
        let decrease = 1.0 - rho.min(1.0);
        let phi0 = cur.fnorm * cur.fnorm;
        let slope = -2.0 * decrease.max(f64::EPSILON) * phi0;
        let full_steps = ctx.options.line_search == NonlinearLineSearch::Full;
        let mut t = 1.0;
        for _ in 0..MAX_BACKTRACKS {
            step_to(&cur.x, t, &self.d, &mut trial.x);
            let evaluated = ctx.residual(trial)?;
            if evaluated && (full_steps || trial.fnorm <= (1.0 - ctx.options.c1 * t * decrease) * cur.fnorm) {
                return Ok(Some(t));
            }
            ctx.report.rejected_steps += 1;
            t = if evaluated {
                let phi = trial.fnorm * trial.fnorm;
                let quadratic = -slope * t * t / (2.0 * (phi - phi0 - slope * t));
                quadratic.clamp(0.1 * t, 0.5 * t)
            } else {
                0.5 * t
            };
        }
        Ok(None)
    }
}

impl Method for NewtonKrylov<'_> {
    fn step(&mut self, ctx: &mut Context, cur: &mut Point, trial: &mut Point) -> Result<StepOutcome, Stop> {
        let eta = self.forcing.next(cur.fnorm).max(0.5 * self.target / cur.fnorm).min(0.9);
        let mut record = self.inner_solve(ctx, cur, eta)?;
        let Some(t) = self.backtrack(ctx, cur, trial, record.linear_residual)? else {
            ctx.report.steps.push(record);
            return Ok(StepOutcome::Stalled(format!(
                "{MAX_BACKTRACKS} backtracks did not reduce ||F|| (the Newton direction is not a descent direction: \
                 the inner solve reached relative residual {:.2e}; tighten forcing or precondition){}",
                record.linear_residual,
                ctx.failure_note()
            )));
        };
        record.step_length = t;
        ctx.report.steps.push(record);
        std::mem::swap(cur, trial);
        Ok(StepOutcome::Accepted { step_norm: t * ctx.norm(&self.d) })
    }
}

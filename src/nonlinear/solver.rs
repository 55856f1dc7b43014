//! The driver of a nonlinear solve: validates, evaluates the start, runs the chosen method's
//! steps, and owns every termination test, limit and the monitor (one place for each rule).
//! It also owns the inner Krylov solver, so its recycle space outlives a solve.

use super::context::{Context, Point, Stop};
use super::levenberg_marquardt::LevenbergMarquardt;
use super::method::{Method, StepOutcome};
use super::newton_krylov::NewtonKrylov;
use super::{NonlinearMethod, NonlinearOptions, NonlinearReport, NonlinearSystem, NonlinearTermination};
use crate::error::{check_finite, Error};
use crate::krylov::{KrylovOptions, KrylovSolver};
use std::ops::ControlFlow;

/// A per-step observer: sees the running report and the current point, may stop the solve.
pub type NonlinearMonitor<'m> = dyn FnMut(&NonlinearReport, &[f64]) -> ControlFlow<()> + 'm;

/// A nonlinear solver: options, the report and last accepted point of the last solve, and the
/// inner Krylov solver whose recycle space carries from one solve (time step) to the next.
pub struct NonlinearSolver {
    options: NonlinearOptions,
    report: NonlinearReport,
    last_point: Vec<f64>,
    krylov: KrylovSolver,
}

impl NonlinearSolver {
    /// A solver with the given options.
    pub fn new(options: NonlinearOptions) -> Self {
        let report = NonlinearReport::new(options.method);
        NonlinearSolver { options, report, last_point: Vec::new(), krylov: KrylovSolver::new(KrylovOptions::default()) }
    }

    /// The options.
    pub fn options(&self) -> &NonlinearOptions {
        &self.options
    }

    /// The options, to change between solves.
    pub fn options_mut(&mut self) -> &mut NonlinearOptions {
        &mut self.options
    }

    /// The report of the last solve.
    pub fn report(&self) -> &NonlinearReport {
        &self.report
    }

    /// The last accepted point of the last solve (the start if none was accepted; empty
    /// before the first solve). After a failed solve (`x` untouched) this is where it was.
    pub fn last_point(&self) -> &[f64] {
        &self.last_point
    }

    /// Vectors in the recycle space kept for the next solve.
    pub fn recycled_vectors(&self) -> usize {
        self.krylov.recycle_space().dim()
    }

    /// Forgets the recycle space (e.g. when the next solve is an unrelated problem).
    pub fn clear_recycle_space(&mut self) {
        self.krylov.clear_recycle_space();
    }

    /// Solves `F(x) = 0` (Newton-Krylov) or minimises `||F(x)||^2 / 2` (Levenberg-Marquardt)
    /// from `x`. Returns `Err` only for invalid input (nothing evaluated, `x` untouched).
    /// Otherwise the report's termination says what happened: when it is usable (converged, a
    /// limit, stagnation) `x` holds the last accepted point; when it is not (an oracle abort,
    /// the monitor, an unevaluable start) `x` is untouched and
    /// [`NonlinearSolver::last_point`] has the last accepted point.
    pub fn solve(&mut self, system: &mut dyn NonlinearSystem, x: &mut [f64], monitor: Option<&mut NonlinearMonitor>) -> Result<&NonlinearReport, Error> {
        let (n, m) = self.validate(system, x)?;
        if !self.options.keep_recycle_space {
            self.krylov.clear_recycle_space();
        }
        let options = self.options.clone();
        let mut ctx = Context::new(system, &options, NonlinearReport::new(options.method));
        let mut cur = Point::new(n, m);
        cur.x.copy_from_slice(x);
        let mut trial = Point::new(n, m);
        let termination = match Self::start(&mut ctx, &mut cur) {
            Ok(()) => {
                let target = options.fatol.max(options.frtol * cur.fnorm);
                let mut method: Box<dyn Method> = match options.method {
                    NonlinearMethod::NewtonKrylov => Box::new(NewtonKrylov::new(&ctx, &mut self.krylov, n, target)),
                    NonlinearMethod::LevenbergMarquardt => Box::new(LevenbergMarquardt::new(&ctx, n, m)),
                };
                match method.start(&mut ctx, &cur) {
                    Ok(()) => Self::iterate(&mut ctx, method.as_mut(), &mut cur, &mut trial, monitor),
                    Err(t) => t,
                }
            }
            Err(t) => t,
        };
        let seconds = ctx.elapsed();
        let mut report = ctx.report;
        report.termination = termination;
        report.seconds = seconds;
        self.last_point.clear();
        self.last_point.extend_from_slice(&cur.x);
        if report.termination.usable() {
            x.copy_from_slice(&cur.x);
        }
        self.report = report;
        Ok(&self.report)
    }

    fn validate(&self, system: &dyn NonlinearSystem, x: &[f64]) -> Result<(usize, usize), Error> {
        if x.is_empty() {
            return Err(Error::invalid("n = 0 is out of range; the problem needs at least one unknown"));
        }
        check_finite(x, "x")?;
        let n = x.len();
        let m = system.residual_len(n);
        match self.options.method {
            NonlinearMethod::NewtonKrylov if m != n => Err(Error::dims(format!(
                "Newton-Krylov needs a square system, but there are m = {m} residuals for n = {n} unknowns; \
                 use Levenberg-Marquardt (method 1) for least squares"
            ))),
            NonlinearMethod::LevenbergMarquardt if !system.has_jacobian_transpose_vector() => Err(Error::invalid(
                "Levenberg-Marquardt needs the transposed Jacobian-vector product J^T w; provide it or use Newton-Krylov (method 0)",
            )),
            _ if m == 0 => Err(Error::invalid("m = 0 residuals is out of range; there must be at least one")),
            _ => Ok((n, m)),
        }
    }

    /// Evaluates the start; an oracle failure here cannot be recovered by shortening a step: a
    /// code `> 0` stops the solve as a callback failure, a non-finite residual as such.
    fn start(ctx: &mut Context, cur: &mut Point) -> Result<(), Stop> {
        if !ctx.residual(cur)? {
            let (code, message) = ctx.last_failure.clone().unwrap_or_else(|| unreachable!("a failed evaluation records why"));
            if code != 0 {
                return Err(ctx.abort("residual", code));
            }
            return Err(NonlinearTermination::NonFinite(format!(
                "the starting point cannot be evaluated: {message}; pass a point where F is finite"
            )));
        }
        ctx.report.initial_residual_norm = cur.fnorm;
        ctx.report.residual_norm = cur.fnorm;
        Ok(())
    }

    fn iterate(ctx: &mut Context, method: &mut dyn Method, cur: &mut Point, trial: &mut Point, mut monitor: Option<&mut NonlinearMonitor>) -> NonlinearTermination {
        let o = ctx.options;
        let f_target = o.fatol.max(o.frtol * ctx.report.initial_residual_norm);
        let tests = |fnorm: f64, gnorm: f64| {
            if fnorm <= o.fatol {
                Some(NonlinearTermination::ResidualAbsolute)
            } else if fnorm <= f_target {
                Some(NonlinearTermination::ResidualRelative)
            } else if gnorm <= o.gatol {
                Some(NonlinearTermination::Stationary)
            } else {
                None
            }
        };
        ctx.report.gradient_norm = method.gradient_norm();
        if let Some(t) = tests(cur.fnorm, method.gradient_norm()) {
            return t;
        }
        loop {
            let outcome = match method.step(ctx, cur, trial) {
                Ok(outcome) => outcome,
                Err(stop) => return stop,
            };
            ctx.report.iterations += 1;
            let mut converged = None;
            match outcome {
                StepOutcome::Accepted { step_norm } => {
                    ctx.report.step_norm = step_norm;
                    ctx.report.residual_norm = cur.fnorm;
                    ctx.report.gradient_norm = method.gradient_norm();
                    converged = tests(cur.fnorm, method.gradient_norm());
                    if converged.is_none() && o.xtol > 0.0 && step_norm <= o.xtol * ctx.norm(&cur.x).max(1.0) {
                        converged = Some(NonlinearTermination::StepSize);
                    }
                }
                StepOutcome::Rejected => {}
                StepOutcome::Stationary => converged = Some(NonlinearTermination::Stationary),
                StepOutcome::Stalled(why) => return NonlinearTermination::Stagnation(why),
            }
            ctx.report.seconds = ctx.elapsed();
            if let Some(mon) = monitor.as_mut() {
                if mon(&ctx.report, &cur.x).is_break() {
                    return NonlinearTermination::MonitorStop;
                }
            }
            if let Some(t) = converged {
                return t;
            }
            if ctx.report.iterations >= o.max_iterations {
                return NonlinearTermination::MaxIterations;
            }
            if o.max_evaluations > 0 && ctx.report.residual_evaluations >= o.max_evaluations {
                return NonlinearTermination::MaxEvaluations;
            }
            if o.max_seconds > 0.0 && ctx.elapsed() >= o.max_seconds {
                return NonlinearTermination::TimeLimit;
            }
        }
    }
}

//! The driver of a Newton solve: validates, evaluates the start, runs the chosen method's
//! steps, and owns every termination test, limit and the monitor (one place for each rule).

use super::context::{Context, Point, Stop};
use super::damped::Damped;
use super::gradient_regularized::GradientRegularized;
use super::lazy::Lazy;
use super::line_search_cg::LineSearchNewton;
use super::method::{Method, StepOutcome};
use super::trust_region::TrustRegion;
use super::{NewtonMethod, NewtonOptions, NewtonReport, NewtonTermination, Objective};
use crate::error::{check_finite, Error};
use std::ops::ControlFlow;

/// A per-iteration observer: sees the running report and the current point, may stop the
/// solve.
pub type NewtonMonitor<'m> = dyn FnMut(&NewtonReport, &[f64]) -> ControlFlow<()> + 'm;

/// A Newton minimiser: options, the report of the last solve, and its last accepted point
/// (kept also when a solve fails, so that an aborted run loses nothing).
pub struct NewtonSolver {
    options: NewtonOptions,
    report: NewtonReport,
    last_point: Vec<f64>,
}

fn build_method(ctx: &Context, n: usize) -> Box<dyn Method> {
    match ctx.options.method {
        NewtonMethod::TrustRegion => Box::new(TrustRegion::new(ctx, n)),
        NewtonMethod::LineSearch => Box::new(LineSearchNewton::new(ctx, n)),
        NewtonMethod::Lazy => Box::new(Lazy::new(ctx, n)),
        NewtonMethod::Damped => Box::new(Damped::new(ctx, n)),
        NewtonMethod::GradientRegularized => Box::new(GradientRegularized::new(ctx, n)),
    }
}

impl NewtonSolver {
    /// A solver with the given options.
    pub fn new(options: NewtonOptions) -> Self {
        let report = NewtonReport::new(options.method);
        NewtonSolver { options, report, last_point: Vec::new() }
    }

    /// The options.
    pub fn options(&self) -> &NewtonOptions {
        &self.options
    }

    /// The options, to change between solves.
    pub fn options_mut(&mut self) -> &mut NewtonOptions {
        &mut self.options
    }

    /// The report of the last solve.
    pub fn report(&self) -> &NewtonReport {
        &self.report
    }

    /// The last accepted point of the last solve (the start if none was accepted; empty
    /// before the first solve). After a failed solve (`x` untouched) this is where it was.
    pub fn last_point(&self) -> &[f64] {
        &self.last_point
    }

    /// Minimises `f` from `x`. Returns `Err` only for invalid input (nothing evaluated, `x`
    /// untouched). Otherwise the report's termination says what happened: when it is usable
    /// (converged, a limit, stagnation) `x` holds the last accepted point, which has the
    /// lowest `f` seen by every method except damped Newton with a given `lipschitz`; when it
    /// is not (an oracle abort, the monitor, an unevaluable start) `x` is untouched and
    /// [`NewtonSolver::last_point`] has the last accepted point.
    pub fn minimize(&mut self, objective: &mut dyn Objective, x: &mut [f64], monitor: Option<&mut NewtonMonitor>) -> Result<&NewtonReport, Error> {
        if x.is_empty() {
            return Err(Error::invalid("n = 0 is out of range; the problem needs at least one variable"));
        }
        check_finite(x, "x")?;
        let n = x.len();
        let mut ctx = Context::new(objective, &self.options, NewtonReport::new(self.options.method));
        let mut cur = Point::new(n);
        cur.x.copy_from_slice(x);
        let mut trial = Point::new(n);
        let termination = match Self::start(&mut ctx, &mut cur) {
            Ok(()) => {
                let mut method = build_method(&ctx, n);
                let t = Self::iterate(&mut ctx, method.as_mut(), &mut cur, &mut trial, monitor);
                ctx.report.parameter = method.parameter();
                t
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

    /// Evaluates the start; an oracle failure here cannot be recovered by shrinking.
    fn start(ctx: &mut Context, cur: &mut Point) -> Result<(), Stop> {
        if !ctx.evaluate(cur, true)? {
            let failure = ctx.last_failure.clone().unwrap_or_else(|| unreachable!("a failed evaluation records why"));
            if failure.code != 0 {
                ctx.report.callback_code = failure.code;
                return Err(Stop::OracleFailed { oracle: failure.oracle, code: failure.code });
            }
            return Err(Stop::NonFinite(format!(
                "the starting point cannot be evaluated: {}; pass a point where f and its gradient are finite",
                failure.message
            )));
        }
        ctx.f_scale = cur.f.abs();
        ctx.report.initial_value = cur.f;
        ctx.report.initial_gradient_norm = cur.gnorm;
        ctx.report.value = cur.f;
        ctx.report.gradient_norm = cur.gnorm;
        Ok(())
    }

    fn iterate(ctx: &mut Context, method: &mut dyn Method, cur: &mut Point, trial: &mut Point, mut monitor: Option<&mut NewtonMonitor>) -> NewtonTermination {
        let o = ctx.options;
        let g_target = o.gatol.max(o.grtol * ctx.report.initial_gradient_norm);
        let gradient_test = |g: f64| {
            if g <= o.gatol {
                Some(NewtonTermination::GradientAbsolute)
            } else if g <= g_target {
                Some(NewtonTermination::GradientRelative)
            } else {
                None
            }
        };
        if let Some(t) = gradient_test(cur.gnorm) {
            return t;
        }
        loop {
            let outcome = match method.step(ctx, cur, trial) {
                Ok(outcome) => outcome,
                Err(stop) => return stop,
            };
            ctx.report.iterations += 1;
            ctx.report.parameter = method.parameter();
            let mut converged = None;
            match outcome {
                StepOutcome::Accepted { step_norm, previous_value } => {
                    ctx.report.accepted_steps += 1;
                    ctx.report.step_norm = step_norm;
                    ctx.report.value = cur.f;
                    ctx.report.gradient_norm = cur.gnorm;
                    converged = gradient_test(cur.gnorm);
                    if converged.is_none() && o.xtol > 0.0 && step_norm <= o.xtol * ctx.norm(&cur.x).max(1.0) {
                        converged = Some(NewtonTermination::StepSize);
                    }
                    if converged.is_none() && o.ftol > 0.0 && (previous_value - cur.f).abs() <= o.ftol * cur.f.abs().max(1.0) {
                        converged = Some(NewtonTermination::FunctionChange);
                    }
                }
                StepOutcome::Rejected => {}
                StepOutcome::Stalled(why) => return NewtonTermination::Stagnation(why),
            }
            ctx.report.seconds = ctx.elapsed();
            if let Some(mon) = monitor.as_mut() {
                if mon(&ctx.report, &cur.x).is_break() {
                    return NewtonTermination::MonitorStop;
                }
            }
            if let Some(t) = converged {
                return t;
            }
            if ctx.report.iterations >= o.max_iterations {
                return NewtonTermination::MaxIterations;
            }
            if o.max_evaluations > 0 && ctx.report.evaluations() >= o.max_evaluations {
                return NewtonTermination::MaxEvaluations;
            }
            if o.max_seconds > 0.0 && ctx.elapsed() >= o.max_seconds {
                return NewtonTermination::TimeLimit;
            }
        }
    }
}

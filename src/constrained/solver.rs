//! The driver of an equality-constrained solve: validates, evaluates the start, takes Newton
//! steps, and owns every termination test, limit and the monitor (one place for each rule).

use super::context::{Context, Point, Stop};
use super::newton_step::NewtonStep;
use super::{ConstrainedObjective, ConstrainedOptions, ConstrainedReport, ConstrainedTermination, KktSolver, MultiplierStart};
use crate::error::{check_finite, check_len, Error};
use crate::krylov::minres;
use std::ops::ControlFlow;

/// A per-iteration observer: sees the running report and the current `(x, lambda)`, may stop
/// the solve.
pub type ConstrainedMonitor<'m> = dyn FnMut(&ConstrainedReport, &[f64], &[f64]) -> ControlFlow<()> + 'm;

/// An equality-constrained solver: options, and the report and last accepted point of the last
/// solve.
pub struct ConstrainedSolver {
    options: ConstrainedOptions,
    report: ConstrainedReport,
    last_x: Vec<f64>,
    last_lambda: Vec<f64>,
}

/// Least-squares multipliers larger than this are discarded for zeros (Ipopt's
/// `constr_mult_init_max`): a nearly rank-deficient Jacobian at the start gives huge ones.
const MAX_INITIAL_MULTIPLIER: f64 = 1e3;

/// Iterations without a new best KKT residual `max(||grad_x L||, ||c||)` after which the solve
/// stops as stagnated: tolerances below what rounding allows otherwise spin to the iteration
/// limit on steps that the Armijo test accepts by rounding alone.
const STALL_ITERATIONS: usize = 50;

impl ConstrainedSolver {
    /// A solver with the given options.
    pub fn new(options: ConstrainedOptions) -> Self {
        let report = ConstrainedReport::new(options.kkt_solver);
        ConstrainedSolver { options, report, last_x: Vec::new(), last_lambda: Vec::new() }
    }

    /// The options.
    pub fn options(&self) -> &ConstrainedOptions {
        &self.options
    }

    /// The options, to change between solves.
    pub fn options_mut(&mut self) -> &mut ConstrainedOptions {
        &mut self.options
    }

    /// The report of the last solve.
    pub fn report(&self) -> &ConstrainedReport {
        &self.report
    }

    /// The last accepted `x` of the last solve (the start if none was accepted; empty before
    /// the first solve). After a failed solve (`x` untouched) this is where it was.
    pub fn last_point(&self) -> &[f64] {
        &self.last_x
    }

    /// The multipliers belonging to [`ConstrainedSolver::last_point`].
    pub fn last_multipliers(&self) -> &[f64] {
        &self.last_lambda
    }

    /// Minimises `f(x)` subject to `c(x) = 0` from `x` (and `lambda`, when
    /// `multiplier_start` is "given"). Returns `Err` only for invalid input (nothing evaluated,
    /// `x` and `lambda` untouched). Otherwise the report's termination says what happened: when
    /// it is usable (converged, a limit, stagnation) `x` and `lambda` hold the last accepted
    /// point; when it is not (an oracle abort, the monitor, an unevaluable start) they are
    /// untouched and [`ConstrainedSolver::last_point`] has the last accepted point.
    pub fn solve(
        &mut self,
        problem: &mut dyn ConstrainedObjective,
        x: &mut [f64],
        lambda: &mut [f64],
        monitor: Option<&mut ConstrainedMonitor>,
    ) -> Result<&ConstrainedReport, Error> {
        let (n, m) = self.validate(problem, x, lambda)?;
        let options = self.options.clone();
        let mut ctx = Context::new(problem, &options, ConstrainedReport::new(options.kkt_solver));
        let mut cur = Point::new(n, m);
        cur.x.copy_from_slice(x);
        if options.multiplier_start == MultiplierStart::Given {
            cur.lambda.copy_from_slice(lambda);
        }
        let termination = match Self::start(&mut ctx, &mut cur) {
            Ok(()) => Self::iterate(&mut ctx, &mut cur, monitor),
            Err(t) => t,
        };
        let seconds = ctx.elapsed();
        let mut report = ctx.report;
        report.termination = termination;
        report.seconds = seconds;
        report.objective = cur.f;
        report.stationarity = cur.gl_norm;
        report.feasibility = cur.c_norm;
        self.last_x = cur.x.clone();
        self.last_lambda = cur.lambda.clone();
        if report.termination.usable() {
            x.copy_from_slice(&cur.x);
            lambda.copy_from_slice(&cur.lambda);
        }
        self.report = report;
        Ok(&self.report)
    }

    fn validate(&self, problem: &dyn ConstrainedObjective, x: &[f64], lambda: &[f64]) -> Result<(usize, usize), Error> {
        if x.is_empty() {
            return Err(Error::invalid("n = 0 is out of range; the problem needs at least one unknown"));
        }
        let (n, m) = (x.len(), problem.constraint_count());
        if m == 0 {
            return Err(Error::invalid(
                "m = 0 constraints is out of range; there must be at least one (use nks_newton for unconstrained problems)",
            ));
        }
        check_len(lambda.len(), m, "lambda", "the number of constraints m")?;
        check_finite(x, "x")?;
        if self.options.multiplier_start == MultiplierStart::Given {
            check_finite(lambda, "lambda")?;
        }
        if self.options.kkt_solver == KktSolver::Kaczmarz {
            let rows_given = match (problem.jacobian_pattern(), problem.hessian_pattern()) {
                (Some(j), Some(h)) => (j.nrows, j.ncols, h.nrows, h.ncols) == (m, n, n, n),
                _ => false,
            };
            if !rows_given {
                return Err(Error::InvalidState(format!(
                    "the Kaczmarz KKT solver (kkt_solver = 1) needs the Jacobian ({m} x {n}) and the Hessian of the \
                     Lagrangian ({n} x {n}) as sparse rows; give both, or use the Gaussian sketch (0) or MINRES (2)"
                )));
            }
        }
        Ok((n, m))
    }

    /// Evaluates the start and the starting multipliers. A failure here cannot be cured by
    /// shortening a step.
    fn start(ctx: &mut Context, cur: &mut Point) -> Result<(), Stop> {
        if !ctx.evaluate(cur)? {
            let (code, message) = ctx.last_failure.clone().unwrap_or_else(|| unreachable!("a failed evaluation records why"));
            if code != 0 {
                return Err(ctx.abort("objective, constraint or gradient", code));
            }
            return Err(ConstrainedTermination::NonFinite(format!(
                "the starting point cannot be evaluated: {message}; pass a point where f, c and their derivatives are finite"
            )));
        }
        if ctx.options.multiplier_start == MultiplierStart::LeastSquares {
            Self::least_squares_multipliers(ctx, cur)?;
        }
        ctx.report.initial_stationarity = cur.gl_norm;
        ctx.report.initial_feasibility = cur.c_norm;
        ctx.report.stationarity = cur.gl_norm;
        ctx.report.feasibility = cur.c_norm;
        ctx.report.objective = cur.f;
        Ok(())
    }

    /// `lambda = argmin ||grad f + J^T lambda||` by MINRES on `J J^T lambda = -J grad f`, then
    /// `grad_x L` recomputed. Kept at zero when the estimate is huge or not finite.
    fn least_squares_multipliers(ctx: &mut Context, cur: &mut Point) -> Result<(), Stop> {
        let (n, m) = (cur.x.len(), cur.c.len());
        let mut rhs = vec![0.0; m];
        ctx.jacobian_vector(&cur.x, &cur.g, &mut rhs)?;
        rhs.iter_mut().for_each(|v| *v = -*v);
        let mut lambda = vec![0.0; m];
        let mut jt = vec![0.0; n];
        let x = cur.x.clone();
        let tol = 1e-10 * ctx.norm(&rhs);
        let mut normal = |w: &[f64], out: &mut [f64]| -> Result<(), Stop> {
            ctx.jacobian_transpose_vector(&x, w, &mut jt)?;
            ctx.jacobian_vector(&x, &jt, out)
        };
        minres(&mut normal, None, &rhs, &mut lambda, tol, 2 * m + 10)?;
        if lambda.iter().any(|v| !v.is_finite() || v.abs() > MAX_INITIAL_MULTIPLIER) {
            return Ok(());
        }
        cur.lambda = lambda;
        ctx.jacobian_transpose_vector(&cur.x, &cur.lambda, &mut cur.gl)?;
        cur.gl.iter_mut().zip(&cur.g).for_each(|(gl, g)| *gl += g);
        cur.gl_norm = ctx.norm(&cur.gl);
        Ok(())
    }

    fn iterate(ctx: &mut Context, cur: &mut Point, mut monitor: Option<&mut ConstrainedMonitor>) -> ConstrainedTermination {
        let o = ctx.options;
        let converged = |p: &Point| p.gl_norm <= o.stationarity_tol && p.c_norm <= o.feasibility_tol;
        let mut step = NewtonStep::new(o, cur.x.len(), cur.c.len());
        ctx.report.eta1 = step.eta1;
        ctx.report.eta2 = step.eta2;
        if converged(cur) {
            return ConstrainedTermination::Converged;
        }
        let kkt = |p: &Point| p.gl_norm.max(p.c_norm);
        let (mut best, mut since_best) = (kkt(cur), 0);
        loop {
            if let Err(stop) = step.take(ctx, cur) {
                return stop;
            }
            ctx.report.iterations += 1;
            ctx.report.objective = cur.f;
            ctx.report.stationarity = cur.gl_norm;
            ctx.report.feasibility = cur.c_norm;
            ctx.report.eta1 = step.eta1;
            ctx.report.eta2 = step.eta2;
            ctx.report.seconds = ctx.elapsed();
            if let Some(mon) = monitor.as_mut() {
                if mon(&ctx.report, &cur.x, &cur.lambda).is_break() {
                    return ConstrainedTermination::MonitorStop;
                }
            }
            if converged(cur) {
                return ConstrainedTermination::Converged;
            }
            if kkt(cur) < best {
                (best, since_best) = (kkt(cur), 0);
            } else {
                since_best += 1;
                if since_best >= STALL_ITERATIONS {
                    return ConstrainedTermination::Stagnation(format!(
                        "the KKT residual has not improved on {best:.3e} in {STALL_ITERATIONS} iterations (the tolerances may be \
                         below what rounding allows for this problem)"
                    ));
                }
            }
            if ctx.report.iterations >= o.max_iterations {
                return ConstrainedTermination::MaxIterations;
            }
            if o.max_merit_evaluations > 0 && ctx.report.merit_evaluations >= o.max_merit_evaluations {
                return ConstrainedTermination::MaxEvaluations;
            }
            if o.max_seconds > 0.0 && ctx.elapsed() >= o.max_seconds {
                return ConstrainedTermination::TimeLimit;
            }
        }
    }
}

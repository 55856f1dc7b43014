//! The executor of one Newton solve: the oracles (counted, checked), the options, the report,
//! and the point the methods move. Methods only describe how to find the next point.

use super::{NewtonOptions, NewtonReport, NewtonTermination, Objective};
use crate::error::{non_finite_output, OracleFailure};
use crate::linalg::{kernels, Par};
use std::time::Instant;

/// A hard stop: the solve ends with this termination and `x` is not written.
pub(crate) type Stop = NewtonTermination;

/// The outcome of evaluating an oracle at a point: `Ok(true)` evaluated, `Ok(false)` the point
/// cannot be evaluated (code `> 0`, NaN or Inf: shrink and retry), `Err` abort (code `< 0`).
pub(crate) type Eval = Result<bool, Stop>;

/// A point with its value and gradient.
#[derive(Clone)]
pub(crate) struct Point {
    pub x: Vec<f64>,
    pub f: f64,
    pub g: Vec<f64>,
    pub gnorm: f64,
    /// Whether `g` belongs to `x` (a trial point may carry only its value).
    pub has_gradient: bool,
}

impl Point {
    pub fn new(n: usize) -> Self {
        Point { x: vec![0.0; n], f: f64::NAN, g: vec![0.0; n], gnorm: f64::NAN, has_gradient: false }
    }
}

/// Everything a method step needs besides its own state.
pub(crate) struct Context<'a> {
    objective: &'a mut dyn Objective,
    pub options: &'a NewtonOptions,
    pub report: NewtonReport,
    pub par: Par,
    pub start: Instant,
    /// Why the last evaluation that returned `Ok(false)` failed.
    pub last_failure: Option<Failure>,
    /// `|f|` at the start: the scale of the rounding error in `f` (see `accept_at_noise_level`).
    pub f_scale: f64,
}

/// A trial point an oracle could not evaluate.
#[derive(Clone)]
pub(crate) struct Failure {
    pub oracle: &'static str,
    /// The oracle's code `> 0`, or 0 for a non-finite output.
    pub code: i32,
    pub message: String,
}

impl<'a> Context<'a> {
    pub fn new(objective: &'a mut dyn Objective, options: &'a NewtonOptions, report: NewtonReport) -> Self {
        Context { objective, options, report, par: Par::current(), start: Instant::now(), last_failure: None, f_scale: 0.0 }
    }

    pub fn dot(&self, x: &[f64], y: &[f64]) -> f64 {
        kernels::dot(&self.par, x, y)
    }

    pub fn norm(&self, x: &[f64]) -> f64 {
        self.dot(x, x).sqrt()
    }

    /// `y += alpha x`.
    pub fn axpy(&self, alpha: f64, x: &[f64], y: &mut [f64]) {
        kernels::axpy(&self.par, alpha, x, y)
    }

    /// Maps an oracle's result: a recoverable failure (a code `> 0`, or `output_bad`, the
    /// message for a non-finite output) is `Ok(false)` (and counted), an abort is `Err`.
    fn settle(&mut self, res: Result<(), OracleFailure>, oracle: &'static str, output_bad: Option<String>) -> Eval {
        match res {
            Ok(()) => match output_bad {
                None => Ok(true),
                Some(message) => {
                    self.last_failure = Some(Failure { oracle, code: 0, message });
                    self.report.failed_evaluations += 1;
                    Ok(false)
                }
            },
            Err(OracleFailure { code }) if code > 0 => {
                let message = format!("the {oracle} callback returned {code} (cannot evaluate this point)");
                self.last_failure = Some(Failure { oracle, code, message });
                self.report.failed_evaluations += 1;
                Ok(false)
            }
            Err(OracleFailure { code }) => {
                self.report.callback_code = code;
                Err(NewtonTermination::OracleFailed { oracle, code })
            }
        }
    }

    fn check_value(oracle: &str, f: f64) -> Option<String> {
        (!f.is_finite()).then(|| format!("the {oracle} callback returned the non-finite value {f}"))
    }

    /// Evaluates `p.f` at `p.x`, and `p.g` too when `with_gradient` (or when a combined oracle
    /// makes it free).
    pub fn evaluate(&mut self, p: &mut Point, with_gradient: bool) -> Eval {
        p.has_gradient = false;
        if with_gradient || self.objective.has_value_gradient() {
            return self.evaluate_value_gradient(p);
        }
        self.report.value_calls += 1;
        let res = self.objective.value(&p.x).map(|f| p.f = f);
        let bad = res.is_ok().then(|| Self::check_value("objective", p.f)).flatten();
        self.settle(res, "objective", bad)
    }

    fn evaluate_value_gradient(&mut self, p: &mut Point) -> Eval {
        let (res, oracle) = if self.objective.has_value_gradient() {
            self.report.value_gradient_calls += 1;
            (self.objective.value_gradient(&p.x, &mut p.g).map(|f| p.f = f), "objective-gradient")
        } else {
            self.report.value_calls += 1;
            match self.objective.value(&p.x) {
                Ok(f) if !f.is_finite() => {
                    p.f = f;
                    return self.settle(Ok(()), "objective", Self::check_value("objective", f));
                }
                Ok(f) => {
                    p.f = f;
                    self.report.gradient_calls += 1;
                    (self.objective.gradient(&p.x, &mut p.g), "gradient")
                }
                Err(e) => (Err(e), "objective"),
            }
        };
        self.settle_gradient(res, oracle, p)
    }

    /// Settles a gradient evaluation: the norm the point needs doubles as the finiteness check
    /// (a NaN or Inf entry makes it non-finite), so only a bad gradient is scanned again.
    fn settle_gradient(&mut self, res: Result<(), OracleFailure>, oracle: &'static str, p: &mut Point) -> Eval {
        let mut bad = None;
        if res.is_ok() {
            p.gnorm = self.norm(&p.g);
            bad = Self::check_value(oracle, p.f).or_else(|| (!p.gnorm.is_finite()).then(|| Self::describe_non_finite(oracle, &p.g)));
        }
        let ok = self.settle(res, oracle, bad)?;
        p.has_gradient = ok;
        Ok(ok)
    }

    /// What is wrong with a vector whose norm or inner product came out non-finite.
    fn describe_non_finite(oracle: &str, v: &[f64]) -> String {
        non_finite_output(oracle, v).unwrap_or_else(|| format!("the {oracle} callback wrote values whose squares overflow"))
    }

    /// Completes a point whose value is known with its gradient.
    pub fn complete_gradient(&mut self, p: &mut Point) -> Eval {
        if p.has_gradient {
            return Ok(true);
        }
        self.report.gradient_calls += 1;
        let res = self.objective.gradient(&p.x, &mut p.g);
        self.settle_gradient(res, "gradient", p)
    }

    /// `hv = H(x) v`; returns `v^T hv` (what every caller needs next, and the finiteness
    /// check of `hv`), or `None` when the product cannot be evaluated.
    pub fn hessian_vector(&mut self, x: &[f64], v: &[f64], hv: &mut [f64]) -> Result<Option<f64>, Stop> {
        self.report.hessian_vector_calls += 1;
        let res = self.objective.hessian_vector(x, v, hv);
        let mut curvature = f64::NAN;
        let mut bad = None;
        if res.is_ok() {
            curvature = self.dot(v, hv);
            bad = (!curvature.is_finite()).then(|| Self::describe_non_finite("Hessian-vector", hv));
        }
        Ok(self.settle(res, "Hessian-vector", bad)?.then_some(curvature))
    }

    pub fn has_preconditioner(&self) -> bool {
        self.objective.has_preconditioner()
    }

    /// `z = M(x)^{-1} r` (a copy without a preconditioner).
    pub fn precondition(&mut self, x: &[f64], r: &[f64], z: &mut [f64]) -> Eval {
        if !self.objective.has_preconditioner() {
            z.copy_from_slice(r);
            return Ok(true);
        }
        self.report.preconditioner_calls += 1;
        let res = self.objective.precondition(x, r, z);
        let bad = res.is_ok().then(|| non_finite_output("preconditioner", z)).flatten();
        self.settle(res, "preconditioner", bad)
    }

    /// "; last oracle failure: ..." when a trial point failed to evaluate, for messages.
    pub fn failure_note(&self) -> String {
        match &self.last_failure {
            None => String::new(),
            Some(f) => format!("; last oracle failure: {}", f.message),
        }
    }

    /// Whether `trial` is no worse than `cur` up to the noise level of `f` and has a gradient
    /// at least 10% smaller. Near a minimiser the decreases of `f` sink below the noise of its
    /// evaluation and every ratio or decrease test turns into noise; there the gradient, which
    /// Newton steps still reduce, decides. The noise level is
    /// `max(1e-10 |f|, 16 eps |f_0|)`: an objective computed with cancellation
    /// (`x^T A x / 2 - b^T x` with `||A|| ||x||^2 >> |f|`) carries far more than `eps |f|`, and
    /// one summed from terms of the size of `f_0` keeps their rounding when `f` reaches 0. Requiring the gradient to fall keeps this from accepting ascent: it can
    /// only fire finitely often between decreases of `f`. Evaluates the trial's gradient.
    pub fn accept_at_noise_level(&mut self, cur: &Point, trial: &mut Point) -> Result<bool, Stop> {
        let noise = (1e-10 * cur.f.abs()).max(16.0 * f64::EPSILON * self.f_scale);
        if !(trial.f <= cur.f + noise) || cur.f - trial.f > noise {
            return Ok(false);
        }
        Ok(self.complete_gradient(trial)? && trial.gnorm <= 0.9 * cur.gnorm)
    }

    /// Seconds since the solve started.
    pub fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }
}

pub(crate) use crate::linalg::kernels::step_to;

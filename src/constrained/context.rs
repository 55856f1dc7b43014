//! The executor of one constrained solve: the oracles (counted, checked), the options, the
//! report, and the points the iteration moves.

use super::{ConstrainedObjective, ConstrainedOptions, ConstrainedReport, ConstrainedTermination};
use crate::error::{non_finite_output, OracleFailure};
use crate::linalg::{kernels, Par};
use std::time::Instant;

/// A hard stop: the solve ends with this termination.
pub(crate) type Stop = ConstrainedTermination;

/// A primal-dual point with everything the merit function needs there.
#[derive(Clone)]
pub(crate) struct Point {
    pub x: Vec<f64>,
    pub lambda: Vec<f64>,
    pub f: f64,
    /// `grad f(x)`.
    pub g: Vec<f64>,
    /// `c(x)`.
    pub c: Vec<f64>,
    /// `grad_x L = grad f + J^T lambda`.
    pub gl: Vec<f64>,
    /// `||grad_x L||_2`.
    pub gl_norm: f64,
    /// `||c||_2`.
    pub c_norm: f64,
}

impl Point {
    pub fn new(n: usize, m: usize) -> Self {
        Point {
            x: vec![0.0; n],
            lambda: vec![0.0; m],
            f: f64::NAN,
            g: vec![0.0; n],
            c: vec![0.0; m],
            gl: vec![0.0; n],
            gl_norm: f64::NAN,
            c_norm: f64::NAN,
        }
    }

    /// The exact augmented Lagrangian
    /// `f + lambda^T c + eta1/2 ||c||^2 + eta2/2 ||grad_x L||^2`.
    pub fn merit(&self, par: &Par, eta1: f64, eta2: f64) -> f64 {
        self.f + kernels::dot(par, &self.lambda, &self.c) + 0.5 * eta1 * self.c_norm * self.c_norm + 0.5 * eta2 * self.gl_norm * self.gl_norm
    }
}

/// Everything an iteration needs besides its own state.
pub(crate) struct Context<'a> {
    problem: &'a mut dyn ConstrainedObjective,
    pub options: &'a ConstrainedOptions,
    pub report: ConstrainedReport,
    pub par: Par,
    start: Instant,
    /// Why the last trial point that could not be evaluated failed: the callback's code (0 for
    /// a non-finite output) and a message.
    pub last_failure: Option<(i32, String)>,
}

/// How one oracle call went.
enum Outcome {
    Good,
    /// Code `> 0`, NaN or Inf: this point cannot be evaluated.
    Unevaluable,
}

impl<'a> Context<'a> {
    pub fn new(problem: &'a mut dyn ConstrainedObjective, options: &'a ConstrainedOptions, report: ConstrainedReport) -> Self {
        Context { problem, options, report, par: Par::current(), start: Instant::now(), last_failure: None }
    }

    pub fn dot(&self, x: &[f64], y: &[f64]) -> f64 {
        kernels::dot(&self.par, x, y)
    }

    pub fn norm(&self, x: &[f64]) -> f64 {
        self.dot(x, x).sqrt()
    }

    pub fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    pub fn problem(&self) -> &dyn ConstrainedObjective {
        &*self.problem
    }

    /// Sorts one oracle's result: `Err` only for an abort (code `< 0`).
    fn judge(&mut self, oracle: &'static str, res: Result<(), OracleFailure>, out: &[f64]) -> Result<Outcome, Stop> {
        match res {
            Ok(()) => match non_finite_output(oracle, out) {
                None => Ok(Outcome::Good),
                Some(message) => {
                    self.recoverable(0, message);
                    Ok(Outcome::Unevaluable)
                }
            },
            Err(OracleFailure { code }) if code > 0 => {
                self.recoverable(code, format!("the {oracle} callback returned {code} (cannot evaluate this point)"));
                Ok(Outcome::Unevaluable)
            }
            Err(OracleFailure { code }) => Err(self.abort(oracle, code)),
        }
    }

    fn recoverable(&mut self, code: i32, message: String) {
        self.report.failed_evaluations += 1;
        self.last_failure = Some((code, message));
    }

    pub fn abort(&mut self, oracle: &'static str, code: i32) -> Stop {
        self.report.callback_code = code;
        ConstrainedTermination::OracleFailed { oracle, code }
    }

    /// A product at an accepted point: a point that could be evaluated must give products
    /// too, so any failure stops the solve.
    fn at_accepted(&mut self, oracle: &'static str, res: Result<(), OracleFailure>, out: &[f64]) -> Result<(), Stop> {
        match self.judge(oracle, res, out)? {
            Outcome::Good => Ok(()),
            Outcome::Unevaluable => match self.last_failure.clone() {
                Some((0, message)) => Err(ConstrainedTermination::NonFinite(message)),
                Some((code, _)) => Err(self.abort(oracle, code)),
                None => unreachable!("an unevaluable outcome records why"),
            },
        }
    }

    /// Evaluates `f`, `c`, `grad f` and `J^T lambda` at `p` (one merit evaluation).
    /// `Ok(false)`: the point cannot be evaluated (reason kept); `Err`: abort.
    pub fn evaluate(&mut self, p: &mut Point) -> Result<bool, Stop> {
        self.report.merit_evaluations += 1;
        self.report.objective_evaluations += 1;
        let f = self.problem.objective(&p.x);
        let (res, value) = match f {
            Ok(v) => (Ok(()), v),
            Err(e) => (Err(e), f64::NAN),
        };
        p.f = value;
        if let Outcome::Unevaluable = self.judge("objective", res, &[value])? {
            return Ok(false);
        }
        self.report.constraint_evaluations += 1;
        let res = self.problem.constraints(&p.x, &mut p.c);
        if let Outcome::Unevaluable = self.judge("constraint", res, &p.c)? {
            return Ok(false);
        }
        self.report.gradient_evaluations += 1;
        let res = self.problem.gradient(&p.x, &mut p.g);
        if let Outcome::Unevaluable = self.judge("gradient", res, &p.g)? {
            return Ok(false);
        }
        self.report.jacobian_transpose_products += 1;
        let res = self.problem.jacobian_transpose_vector(&p.x, &p.lambda, &mut p.gl);
        if let Outcome::Unevaluable = self.judge("transposed Jacobian-vector", res, &p.gl)? {
            return Ok(false);
        }
        kernels::axpy(&self.par, 1.0, &p.g, &mut p.gl);
        p.gl_norm = self.norm(&p.gl);
        p.c_norm = self.norm(&p.c);
        if !(p.gl_norm.is_finite() && p.c_norm.is_finite() && p.merit(&self.par, 1.0, 1.0).is_finite()) {
            self.recoverable(0, "the merit function overflows at this point".into());
            return Ok(false);
        }
        Ok(true)
    }

    /// `jv = J(x) v`.
    pub fn jacobian_vector(&mut self, x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), Stop> {
        self.report.jacobian_products += 1;
        let res = self.problem.jacobian_vector(x, v, jv);
        self.at_accepted("Jacobian-vector", res, jv)
    }

    /// `jtw = J(x)^T w`.
    pub fn jacobian_transpose_vector(&mut self, x: &[f64], w: &[f64], jtw: &mut [f64]) -> Result<(), Stop> {
        self.report.jacobian_transpose_products += 1;
        let res = self.problem.jacobian_transpose_vector(x, w, jtw);
        self.at_accepted("transposed Jacobian-vector", res, jtw)
    }

    /// `hv = H(x, lambda) v`.
    pub fn hessian_vector(&mut self, x: &[f64], lambda: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), Stop> {
        self.report.hessian_products += 1;
        let res = self.problem.lagrangian_hessian_vector(x, lambda, v, hv);
        self.at_accepted("Hessian-vector", res, hv)
    }

    /// The sparse Jacobian's values at `x`.
    pub fn jacobian_values(&mut self, x: &[f64], values: &mut [f64]) -> Result<(), Stop> {
        self.report.matrix_evaluations += 1;
        let res = self.problem.jacobian_values(x, values);
        self.at_accepted("Jacobian-values", res, values)
    }

    /// The sparse Hessian's values at `(x, lambda)`.
    pub fn hessian_values(&mut self, x: &[f64], lambda: &[f64], values: &mut [f64]) -> Result<(), Stop> {
        self.report.matrix_evaluations += 1;
        let res = self.problem.hessian_values(x, lambda, values);
        self.at_accepted("Hessian-values", res, values)
    }

    /// `z = M^{-1} r` by the host's preconditioner.
    pub fn precondition(&mut self, x: &[f64], lambda: &[f64], r: &[f64], z: &mut [f64]) -> Result<(), Stop> {
        self.report.preconditioner_calls += 1;
        let res = self.problem.precondition(x, lambda, r, z);
        self.at_accepted("preconditioner", res, z)
    }

    /// "; last oracle failure: ..." when a trial point failed to evaluate, for messages.
    pub fn failure_note(&self) -> String {
        match &self.last_failure {
            None => String::new(),
            Some((_, m)) => format!("; last oracle failure: {m}"),
        }
    }
}

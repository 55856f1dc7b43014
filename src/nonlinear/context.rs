//! The executor of one nonlinear solve: the oracles (counted, checked), the options, the
//! report, and the points the methods move. Methods only describe how to find the next point.

use super::{NonlinearOptions, NonlinearReport, NonlinearSystem, NonlinearTermination};
use crate::error::{non_finite_output, OracleFailure};
use crate::linalg::{kernels, Par};
use std::time::Instant;

/// A hard stop: the solve ends with this termination and `x` is not written (unless usable).
pub(crate) type Stop = NonlinearTermination;

/// A point with its residual.
#[derive(Clone)]
pub(crate) struct Point {
    pub x: Vec<f64>,
    /// `F(x)`, length `m`.
    pub f: Vec<f64>,
    pub fnorm: f64,
}

impl Point {
    pub fn new(n: usize, m: usize) -> Self {
        Point { x: vec![0.0; n], f: vec![0.0; m], fnorm: f64::NAN }
    }
}

/// Everything a method step needs besides its own state.
pub(crate) struct Context<'a> {
    system: &'a mut dyn NonlinearSystem,
    pub options: &'a NonlinearOptions,
    pub report: NonlinearReport,
    pub par: Par,
    pub start: Instant,
    /// Why the last trial point that could not be evaluated failed: the callback's code (0 for
    /// a non-finite output) and a message.
    pub last_failure: Option<(i32, String)>,
    /// A hard stop raised inside the inner solve, whose operator can only hand the Krylov
    /// solver an error code.
    pub pending_stop: Option<Stop>,
    /// Scratch point of the finite-difference product.
    fd_x: Vec<f64>,
    fd_f: Vec<f64>,
}

impl<'a> Context<'a> {
    pub fn new(system: &'a mut dyn NonlinearSystem, options: &'a NonlinearOptions, report: NonlinearReport) -> Self {
        Context {
            system,
            options,
            report,
            par: Par::current(),
            start: Instant::now(),
            last_failure: None,
            pending_stop: None,
            fd_x: Vec::new(),
            fd_f: Vec::new(),
        }
    }

    pub fn dot(&self, x: &[f64], y: &[f64]) -> f64 {
        kernels::dot(&self.par, x, y)
    }

    pub fn norm(&self, x: &[f64]) -> f64 {
        self.dot(x, x).sqrt()
    }

    pub fn has_preconditioner(&self) -> bool {
        self.system.has_preconditioner()
    }

    /// Evaluates `p.f = F(p.x)` and `p.fnorm`. `Ok(false)`: the point cannot be evaluated (a
    /// code `> 0`, NaN or Inf; counted, reason kept); `Err`: abort (a code `< 0`).
    pub fn residual(&mut self, p: &mut Point) -> Result<bool, Stop> {
        self.report.residual_evaluations += 1;
        let res = self.system.residual(&p.x, &mut p.f);
        p.fnorm = f64::NAN;
        match res {
            Ok(()) => {
                p.fnorm = self.norm(&p.f);
                if p.fnorm.is_finite() {
                    return Ok(true);
                }
                let message = non_finite_output("residual", &p.f)
                    .unwrap_or_else(|| "the residual callback wrote values whose squares overflow".into());
                self.recoverable(0, message);
                Ok(false)
            }
            Err(OracleFailure { code }) if code > 0 => {
                self.recoverable(code, format!("the residual callback returned {code} (cannot evaluate this point)"));
                Ok(false)
            }
            Err(OracleFailure { code }) => Err(self.abort("residual", code)),
        }
    }

    fn recoverable(&mut self, code: i32, message: String) {
        self.report.failed_evaluations += 1;
        self.last_failure = Some((code, message));
    }

    pub fn abort(&mut self, oracle: &'static str, code: i32) -> Stop {
        self.report.callback_code = code;
        NonlinearTermination::OracleFailed { oracle, code }
    }

    /// Records a stop raised inside the inner solve and hands the solver a code to stop on.
    fn raise(&mut self, stop: Stop) -> OracleFailure {
        self.pending_stop = Some(stop);
        OracleFailure { code: -1 }
    }

    /// The stop raised by an oracle called from an accepted point, where a failure cannot be
    /// cured by shortening a step.
    fn fail_at_accepted(&mut self, oracle: &'static str, res: Result<(), OracleFailure>, out: &[f64]) -> Result<(), OracleFailure> {
        match res {
            Ok(()) => match non_finite_output(oracle, out) {
                None => Ok(()),
                Some(message) => Err(self.raise(NonlinearTermination::NonFinite(message))),
            },
            Err(OracleFailure { code }) => {
                let stop = self.abort(oracle, code);
                Err(self.raise(stop))
            }
        }
    }

    /// `jv = J(x) v`: the host's product, or the forward difference
    /// `(F(x + h v) - F(x)) / h` with `h = fd_error sqrt(1 + ||x||) / ||v||` (PETSc's `wp`
    /// increment, Pernice and Walker's NITSOL choice), backward where `x + h v` cannot be
    /// evaluated. `fx = F(x)`, `xnorm = ||x||`.
    pub fn jacobian_vector(&mut self, x: &[f64], fx: &[f64], xnorm: f64, v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        if self.system.has_jacobian_vector() {
            self.report.jacobian_vector_calls += 1;
            let res = self.system.jacobian_vector(x, v, jv);
            return self.fail_at_accepted("Jacobian-vector", res, jv);
        }
        self.report.fd_products += 1;
        let vnorm = self.norm(v);
        if vnorm == 0.0 {
            jv.iter_mut().for_each(|t| *t = 0.0);
            return Ok(());
        }
        let h = self.options.fd_error * (1.0 + xnorm).sqrt() / vnorm;
        let mut fd_x = std::mem::take(&mut self.fd_x);
        let mut fd_f = std::mem::take(&mut self.fd_f);
        fd_x.resize(x.len(), 0.0);
        fd_f.resize(fx.len(), 0.0);
        let mut outcome = Err(OracleFailure { code: 1 });
        for signed_h in [h, -h] {
            for ((p, xi), vi) in fd_x.iter_mut().zip(x).zip(v) {
                *p = xi + signed_h * vi;
            }
            let mut trial = Point { x: fd_x, f: fd_f, fnorm: f64::NAN };
            let evaluated = self.residual(&mut trial);
            (fd_x, fd_f) = (trial.x, trial.f);
            match evaluated {
                Ok(true) => {
                    for ((o, fp), f0) in jv.iter_mut().zip(&fd_f).zip(fx) {
                        *o = (fp - f0) / signed_h;
                    }
                    outcome = Ok(());
                    break;
                }
                Ok(false) => {}
                Err(stop) => {
                    outcome = Err(self.raise(stop));
                    break;
                }
            }
        }
        self.fd_x = fd_x;
        self.fd_f = fd_f;
        outcome.map_err(|e| {
            if self.pending_stop.is_none() {
                let why = format!(
                    "the residual cannot be evaluated at x +- h v (h = {h:.3e}) for a finite-difference Jacobian product{}",
                    self.failure_note()
                );
                return self.raise(NonlinearTermination::Stagnation(why));
            }
            e
        })
    }

    /// `jtw = J(x)^T w`.
    pub fn jacobian_transpose_vector(&mut self, x: &[f64], w: &[f64], jtw: &mut [f64]) -> Result<(), OracleFailure> {
        self.report.jacobian_transpose_calls += 1;
        let res = self.system.jacobian_transpose_vector(x, w, jtw);
        self.fail_at_accepted("transposed Jacobian-vector", res, jtw)
    }

    /// `z = M(x)^{-1} r` by the host's preconditioner.
    pub fn precondition(&mut self, x: &[f64], r: &[f64], z: &mut [f64]) -> Result<(), OracleFailure> {
        self.report.preconditioner_calls += 1;
        let res = self.system.precondition(x, r, z);
        self.fail_at_accepted("preconditioner", res, z)
    }

    /// Takes the stop an oracle raised inside an inner solve, if any.
    pub fn take_pending(&mut self) -> Result<(), Stop> {
        match self.pending_stop.take() {
            None => Ok(()),
            Some(stop) => Err(stop),
        }
    }

    /// The stop behind a failed product called directly (outside a Krylov solve).
    pub fn settle(&mut self, res: Result<(), OracleFailure>) -> Result<(), Stop> {
        res.map_err(|OracleFailure { code }| {
            self.pending_stop.take().unwrap_or(NonlinearTermination::OracleFailed { oracle: "Jacobian-vector", code })
        })
    }

    /// "; last oracle failure: ..." when a trial point failed to evaluate, for messages.
    pub fn failure_note(&self) -> String {
        match &self.last_failure {
            None => String::new(),
            Some((_, m)) => format!("; last oracle failure: {m}"),
        }
    }

    /// Seconds since the solve started.
    pub fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }
}

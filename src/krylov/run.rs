//! The executor of one Krylov solve: owns the counters, the limits, the monitor and the oracle
//! calls, so that each method only describes its recurrence (the argmin split: the solver knows
//! how to take a step, the executor owns the loop's bookkeeping).

use super::{KrylovReport, Termination};
use crate::error::{non_finite_output, OracleFailure};
use crate::linalg::{kernels, LinearOperator, VectorSpace};
use crate::precond::Preconditioner;
use std::ops::ControlFlow;
use std::time::Instant;

/// A per-iteration observer: sees the running report, may stop the solve.
pub type Monitor<'m> = dyn FnMut(&KrylovReport) -> ControlFlow<()> + 'm;

/// The result of a step: `Err` carries a hard stop (x is not returned).
pub(crate) type Step<T> = Result<T, Termination>;

pub(crate) struct Run<'a, 'm> {
    pub space: VectorSpace<'a>,
    pub a: &'a mut dyn LinearOperator,
    pub m: &'a mut dyn Preconditioner,
    pub monitor: Option<&'a mut Monitor<'m>>,
    pub report: KrylovReport,
    pub start: Instant,
    pub max_iterations: usize,
    pub max_seconds: f64,
    pub rtol: f64,
    pub atol: f64,
    /// `rtol` times the norm the relative test refers to (set by `set_reference_norm`).
    pub rtol_target: f64,
}

fn check_output(y: &[f64], oracle: &'static str) -> Step<()> {
    match non_finite_output(oracle, y) {
        None => Ok(()),
        Some(message) => Err(Termination::NonFinite(message)),
    }
}

fn oracle(res: Result<(), OracleFailure>, oracle: &'static str) -> Step<()> {
    res.map_err(|f| Termination::OracleFailed { oracle, code: f.code })
}

impl Run<'_, '_> {
    /// Makes the relative test `res <= rtol * norm`.
    pub fn set_reference_norm(&mut self, norm: f64) {
        self.rtol_target = self.rtol * norm;
    }

    /// `y = A x`.
    pub fn matvec(&mut self, x: &[f64], y: &mut [f64]) -> Step<()> {
        self.report.matvecs += 1;
        oracle(self.a.apply(self.space.par(), x, y), "matvec")?;
        self.check_matvec_output(y)
    }

    /// `y = A x`, returning the global `x . y`.
    pub fn matvec_dot(&mut self, x: &[f64], y: &mut [f64]) -> Step<f64> {
        self.report.matvecs += 1;
        let local = self.a.apply_dot(self.space.par(), x, y).map_err(|f| Termination::OracleFailed {
            oracle: "matvec",
            code: f.code,
        })?;
        self.check_matvec_output(y)?;
        Ok(self.space.reduce([local])[0])
    }

    fn check_matvec_output(&self, y: &[f64]) -> Step<()> {
        // Library matrices hold finite values; only a user map can hand back NaN directly.
        if self.a.csr().is_none() {
            check_output(y, "matvec")?;
        }
        Ok(())
    }

    /// `z = M^{-1} r` (a copy for the identity, which is not counted).
    pub fn precond(&mut self, r: &[f64], z: &mut [f64]) -> Step<()> {
        if self.m.is_identity() {
            z.copy_from_slice(r);
            return Ok(());
        }
        self.report.precond_applies += 1;
        oracle(self.m.apply(self.space.par(), r, z), "preconditioner")?;
        check_output(z, "preconditioner")
    }

    /// `r = b - A x`; returns the global `||r||`.
    pub fn residual(&mut self, b: &[f64], x: &[f64], r: &mut [f64]) -> Step<f64> {
        self.matvec(x, r)?;
        let local = kernels::sub_from(self.space.par(), b, r);
        Ok(self.space.reduce([local])[0].sqrt())
    }

    /// `r = b - A x`, skipping the product when `x` is known to be zero; returns `||r||`.
    pub fn residual_or_rhs(&mut self, b: &[f64], x: &[f64], r: &mut [f64], zero_guess: bool) -> Step<f64> {
        if zero_guess {
            r.copy_from_slice(b);
            Ok(self.space.norm(r))
        } else {
            self.residual(b, x, r)
        }
    }

    /// Books the monitored residual norm a solve starts from; returns the termination when it
    /// already meets the tolerance.
    pub fn start_from(&mut self, norm: f64) -> Option<Termination> {
        self.report.initial_residual_norm = norm;
        self.report.residual_norm = norm;
        self.converged(norm)
    }

    /// The convergence verdict for a monitored residual norm, if converged.
    pub fn converged(&self, res: f64) -> Option<Termination> {
        if res <= self.rtol_target {
            Some(Termination::ConvergedRelative)
        } else if res <= self.atol {
            Some(Termination::ConvergedAbsolute)
        } else {
            None
        }
    }

    /// Books one finished iteration with monitored residual `res`. Returns a soft stop
    /// (converged, iteration or time limit: the method must still assemble its iterate), or
    /// `Err` for a hard stop (monitor, non-finite).
    pub fn after_iteration(&mut self, res: f64) -> Step<Option<Termination>> {
        self.report.iterations += 1;
        self.report.residual_norm = res;
        if !res.is_finite() {
            return Err(Termination::NonFinite(format!(
                "the residual norm became {res} at iteration {}; the operator or preconditioner \
                 produced an overflow or NaN",
                self.report.iterations
            )));
        }
        if let Some(mon) = self.monitor.as_mut() {
            self.report.seconds = self.start.elapsed().as_secs_f64();
            if mon(&self.report).is_break() {
                return Err(Termination::MonitorStop);
            }
        }
        if let Some(t) = self.converged(res) {
            return Ok(Some(t));
        }
        if self.report.iterations >= self.max_iterations {
            return Ok(Some(Termination::MaxIterations));
        }
        if self.max_seconds.is_finite() && self.start.elapsed().as_secs_f64() >= self.max_seconds {
            return Ok(Some(Termination::TimeLimit));
        }
        Ok(None)
    }
}

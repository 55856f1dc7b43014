//! One SOR or SSOR-PCG solve: validation, the iteration loop with the paper's stopping rule,
//! and the report. The executor keeps its vectors and the prepared matrix between solves.

use super::{SorMatrix, SorMethod, SorOptions, SorReport, SweepDirection, SweepOrdering};
use crate::error::{check_finite, check_len, Error};
use crate::krylov::{KrylovMethod, KrylovOptions, KrylovSolver, Termination};
use crate::linalg::{kernels, CsrMatrix, Par};
use crate::precond::Ssor;
use std::sync::Arc;
use std::time::Instant;

/// Solves `A x = b` by SOR or SSOR-PCG for a given `omega`. Keeps its work vectors, and the
/// prepared [`SorMatrix`] of the last matrix (reused while the same `Arc` comes back), so a
/// sequence of solves does not allocate.
#[derive(Default)]
pub struct SorSolver {
    cached: Option<(Arc<CsrMatrix>, Arc<SorMatrix>)>,
    x: Vec<f64>,
    b: Vec<f64>,
    delta: Vec<f64>,
    cg: Option<KrylovSolver>,
}

/// Checks `omega` for an iteration that needs it in `(0, 2)`.
pub(crate) fn check_omega(omega: f64) -> Result<(), Error> {
    if omega.is_finite() && omega > 0.0 && omega < 2.0 {
        Ok(())
    } else {
        Err(Error::invalid(format!("omega = {omega} is out of range; SOR and SSOR need omega in (0, 2)")))
    }
}

impl SorSolver {
    /// The prepared matrix for `a` in `ordering` (cached while the same matrix comes back).
    pub fn prepare(&mut self, a: &Arc<CsrMatrix>, ordering: SweepOrdering) -> Result<Arc<SorMatrix>, Error> {
        if let Some((k, m)) = &self.cached {
            if Arc::ptr_eq(k, a) && m.ordering() == ordering {
                return Ok(Arc::clone(m));
            }
        }
        let m = Arc::new(SorMatrix::new(Arc::clone(a), ordering)?);
        self.cached = Some((Arc::clone(a), Arc::clone(&m)));
        Ok(m)
    }

    /// Solves `A x = b` with relaxation `omega` in `(0, 2)`.
    ///
    /// `x` is the initial guess when `opts.use_initial_guess`, else ignored (start from zero).
    /// It is written when the report's termination is converged or `MaxIterations` (the last
    /// iterate); otherwise (non-finite residual: SOR diverged; CG breakdown) it is untouched.
    /// Invalid input is an `Err` and touches nothing.
    pub fn solve(&mut self, a: &Arc<CsrMatrix>, b: &[f64], x: &mut [f64], omega: f64, opts: &SorOptions) -> Result<SorReport, Error> {
        let start = Instant::now();
        check_omega(omega)?;
        let n = a.nrows();
        check_len(b.len(), n, "b", "the matrix dimension")?;
        check_len(x.len(), n, "x", "the matrix dimension")?;
        check_finite(b, "b")?;
        if opts.use_initial_guess {
            check_finite(x, "x (initial guess)")?;
        }
        let m = self.prepare(a, opts.ordering)?;
        for v in [&mut self.x, &mut self.b, &mut self.delta] {
            v.resize(n, 0.0);
        }
        m.to_working(b, &mut self.b);
        if opts.use_initial_guess {
            m.to_working(x, &mut self.x);
        } else {
            self.x.fill(0.0);
        }
        let par = Par::current();
        let mut report = SorReport::not_started();
        report.method = opts.method;
        report.omega = omega;
        match opts.method {
            SorMethod::Sor => self.sor(&par, &m, omega, opts, &mut report),
            SorMethod::SsorPcg => self.ssor_pcg(&m, omega, opts, &mut report)?,
        }
        if matches!(report.termination, Termination::ConvergedRelative | Termination::MaxIterations) {
            m.from_working(&self.x, x);
        }
        report.seconds = start.elapsed().as_secs_f64();
        Ok(report)
    }

    /// `||b - A x||` in working order (`delta` as scratch).
    fn residual_norm(&mut self, par: &Par, m: &SorMatrix) -> f64 {
        m.working_matrix().matvec(par, &self.x, &mut self.delta);
        kernels::sub_from(par, &self.b, &mut self.delta).sqrt()
    }

    /// The SOR loop: sweep, residual of the new iterate, test `||r|| < tol ||r0||`.
    fn sor(&mut self, par: &Par, m: &SorMatrix, omega: f64, opts: &SorOptions, report: &mut SorReport) {
        let r0 = if opts.use_initial_guess { self.residual_norm(par, m) } else { kernels::dot(par, &self.b, &self.b).sqrt() };
        report.initial_residual_norm = r0;
        report.residual_norm = r0;
        if r0 == 0.0 {
            report.termination = Termination::ConvergedRelative;
            return;
        }
        let target = opts.tol * r0;
        for k in 1..=opts.max_iterations {
            let backward_last = match opts.direction {
                SweepDirection::Forward => false,
                SweepDirection::Backward => true,
                SweepDirection::Symmetric => {
                    m.sweep(par, false, omega, &self.b, &mut self.x, &mut self.delta);
                    true
                }
            };
            let res = m.sweep_residual(par, backward_last, omega, &self.b, &mut self.x, &mut self.delta).sqrt();
            report.iterations = k;
            report.residual_norm = res;
            if !res.is_finite() {
                report.termination = Termination::NonFinite(format!(
                    "SOR diverged: the residual became {res} at iteration {k} (omega = {omega}); \
                     SOR converges for SPD matrices with omega in (0, 2)"
                ));
                return;
            }
            if res < target {
                report.termination = Termination::ConvergedRelative;
                return;
            }
        }
        report.termination = Termination::MaxIterations;
    }

    /// CG preconditioned by SSOR(omega), on the working-order matrix, stopping at
    /// `||r|| <= tol ||r0||` (the same rule as SOR: an absolute target for the Krylov solver).
    fn ssor_pcg(&mut self, m: &Arc<SorMatrix>, omega: f64, opts: &SorOptions, report: &mut SorReport) -> Result<(), Error> {
        let par = Par::current();
        let r0 = self.residual_norm(&par, m);
        report.initial_residual_norm = r0;
        report.residual_norm = r0;
        if r0 == 0.0 {
            report.termination = Termination::ConvergedRelative;
            return Ok(());
        }
        let mut ko = KrylovOptions::default();
        ko.set_method(KrylovMethod::Cg).set_rtol(0.0)?.set_atol(opts.tol * r0)?.set_max_iterations(opts.max_iterations)?;
        ko.use_initial_guess = true;
        let cg = self.cg.get_or_insert_with(|| KrylovSolver::new(KrylovOptions::default()));
        *cg.options_mut() = ko;
        let mut pre = Ssor::from_sor_matrix(Arc::clone(m), omega)?;
        let mut op = Arc::clone(m.working_matrix());
        let kr = cg.solve(&mut op, &mut pre, &self.b, &mut self.x, None)?;
        report.iterations = kr.iterations;
        if kr.termination.usable() {
            report.residual_norm = kr.residual_norm;
        }
        report.termination = match kr.termination {
            Termination::ConvergedAbsolute | Termination::ConvergedRelative => Termination::ConvergedRelative,
            t => t,
        };
        Ok(())
    }
}

//! The solver a `nks_sinkhorn` handle wraps: options in, potentials and a report out, and the
//! last problem kept so that its plan can be read afterwards.

use super::plan::{for_each_row, plan_pass, RowSelect};
use super::problem::OtProblem;
use super::kernel::StabilisedKernel;
use super::sinkhorn::{self, Potentials};
use super::sns::{self, NewtonLimits};
use super::{OtMethod, OtTermination, SinkhornOptions, SinkhornReport};
use crate::error::{check_finite, check_len, Error};
use crate::linalg::dense::DenseMut;
use crate::linalg::Par;
use std::time::Instant;

/// Tolerance of the intermediate stages of epsilon scaling (each only has to bring the
/// potentials close enough to warm-start the next, smaller eps).
const SCALING_STAGE_TOL: f64 = 1e-3;

/// Entropic optimal transport by log-domain Sinkhorn or Sinkhorn-Newton-Sparse.
///
/// ```
/// use nksolve::ot::{Cost, OtProblem, SinkhornOptions, SinkhornSolver};
/// use nksolve::linalg::dense::DenseRef;
/// // Two points to two points, cost 0 on the diagonal: the plan is diagonal.
/// let c = [0.0, 1.0, 1.0, 0.0];
/// let cost = Cost::dense(DenseRef::new(&c, 2, 2, 2, "C").unwrap()).unwrap();
/// let problem = OtProblem::new(cost, &[0.5, 0.5], &[0.5, 0.5]).unwrap();
/// let mut solver = SinkhornSolver::new(SinkhornOptions::default());
/// let (mut f, mut g) = (vec![0.0; 2], vec![0.0; 2]);
/// let report = solver.solve(problem, &mut f, &mut g).unwrap();
/// assert!(report.termination.converged());
/// assert!(report.transport_cost < 1e-40);
/// ```
pub struct SinkhornSolver {
    options: SinkhornOptions,
    last: Option<Solved>,
    report: SinkhornReport,
}

/// The last problem solved and its potentials (the plan is a function of them).
struct Solved {
    problem: OtProblem,
    f: Vec<f64>,
    g: Vec<f64>,
    eps: f64,
}

impl SinkhornSolver {
    /// A solver with the given options.
    pub fn new(options: SinkhornOptions) -> Self {
        SinkhornSolver { options, last: None, report: SinkhornReport::not_started() }
    }

    /// The options.
    pub fn options(&self) -> &SinkhornOptions {
        &self.options
    }

    /// The options, for changing.
    pub fn options_mut(&mut self) -> &mut SinkhornOptions {
        &mut self.options
    }

    /// The report of the last solve.
    pub fn report(&self) -> &SinkhornReport {
        &self.report
    }

    /// Solves `problem`, writing the potentials to `f` (length n) and `g` (length m); with
    /// `use_initial_guess` they are read first as the starting point. The problem is kept (it
    /// replaces the previous one) so that [`Self::plan_dense`] and [`Self::plan_sparse`] can
    /// read its plan.
    ///
    /// A solve that stops at the iteration or time limit returns its report with that
    /// termination and the last potentials; it is not an error.
    pub fn solve(&mut self, problem: OtProblem, f: &mut [f64], g: &mut [f64]) -> Result<SinkhornReport, Error> {
        let start = Instant::now();
        let (n, m) = (problem.n(), problem.m());
        check_len(f.len(), n, "f", "the number of source points n")?;
        check_len(g.len(), m, "g", "the number of target points m")?;
        let o = self.options.clone();
        if o.use_initial_guess {
            check_finite(f, "f (the initial guess)")?;
            check_finite(g, "g (the initial guess)")?;
        } else {
            f.iter_mut().for_each(|v| *v = 0.0);
            g.iter_mut().for_each(|v| *v = 0.0);
        }
        let par = Par::current();
        let mut report = SinkhornReport::not_started();
        report.method = o.method;
        let deadline = (o.max_seconds > 0.0).then(|| o.max_seconds);
        let mut timed_out = false;
        let mut keep_going = || {
            let ok = deadline.is_none_or(|s| start.elapsed().as_secs_f64() < s);
            timed_out |= !ok;
            ok
        };
        let mut pot = Potentials { f, g };
        let mut used = 0usize;
        let kernel_bytes = 8.0 * n as f64 * m as f64;
        let mut kernel = (kernel_bytes <= o.kernel_memory_mb * 1e6).then(|| StabilisedKernel::new(&problem));
        // Epsilon scaling stages, then the target eps.
        if o.eps_scaling > 0.0 {
            let mut stage_eps = problem.max_abs_cost().max(o.eps);
            while stage_eps > o.eps && used < o.max_iterations {
                let r = sinkhorn::run(&problem, &mut pot, stage_eps, SCALING_STAGE_TOL.max(o.tol), o.max_iterations - used, o.check_interval, &par, &mut keep_going, kernel.as_mut());
                used += r.iterations;
                report.exact_lines += r.exact_lines;
                stage_eps = (stage_eps * o.eps_scaling).max(o.eps);
            }
        }
        let left = o.max_iterations.saturating_sub(used);
        let sinkhorn_iterations = match o.method {
            OtMethod::Sinkhorn => left,
            OtMethod::SinkhornNewtonSparse => o.newton_warmup.min(left),
        };
        let r = sinkhorn::run(&problem, &mut pot, o.eps, o.tol, sinkhorn_iterations, o.check_interval, &par, &mut keep_going, kernel.as_mut());
        drop(kernel);
        used += r.iterations;
        report.exact_lines += r.exact_lines;
        let mut converged = r.converged;
        if o.method == OtMethod::SinkhornNewtonSparse && !converged && used < o.max_iterations {
            let limits = NewtonLimits {
                tol: o.tol,
                max_iterations: o.max_iterations - used,
                select: hessian_pattern(&o, m),
                cg_max_iterations: o.cg_max_iterations,
            };
            let nr = sns::run(&problem, &mut pot, o.eps, &limits, &par, &mut keep_going);
            used += nr.sinkhorn_iterations;
            report.newton_iterations = nr.newton_iterations;
            report.fallback_steps = nr.fallback_steps;
            report.cg_iterations = nr.cg_iterations;
            report.hessian_density = nr.hessian_density;
            report.exact_lines += nr.exact_lines;
            converged = nr.converged;
        }
        report.sinkhorn_iterations = used;
        report.iterations = used + report.newton_iterations;
        report.eps = o.eps;
        // One pass for the costs; it also measures the returned potentials, which settles a run
        // that stopped at a cap with its last iterate already within the tolerance.
        let (sums, _) = plan_pass(&problem, pot.f, pot.g, o.eps, &par, RowSelect::Nothing);
        report.marginal_error = sums.marginal_error(&problem);
        converged |= report.marginal_error <= o.tol;
        report.transport_cost = sums.transport;
        report.regularized_cost = sums.regularized(&problem, pot.f, pot.g, o.eps);
        report.termination = if converged {
            OtTermination::Converged
        } else if timed_out {
            OtTermination::TimeLimit
        } else {
            OtTermination::MaxIterations
        };
        report.seconds = start.elapsed().as_secs_f64();
        self.last = Some(Solved { problem, f: pot.f.to_vec(), g: pot.g.to_vec(), eps: o.eps });
        self.report = report.clone();
        Ok(report)
    }

    fn solved(&self) -> Result<&Solved, Error> {
        self.last.as_ref().ok_or_else(|| Error::InvalidState("no problem has been solved yet; call solve first".into()))
    }

    /// `(n, m)` of the last problem solved.
    pub fn dims(&self) -> Result<(usize, usize), Error> {
        let s = self.solved()?;
        Ok((s.problem.n(), s.problem.m()))
    }

    /// Writes the plan of the last solve into `out` (`n x m`).
    pub fn plan_dense(&self, out: &mut DenseMut<'_>) -> Result<(), Error> {
        let s = self.solved()?;
        let (n, m) = (s.problem.n(), s.problem.m());
        if out.nrows() != n || out.ncols() != m {
            return Err(Error::dims(format!("the plan is {n} x {m} but the output is {} x {}", out.nrows(), out.ncols())));
        }
        for_each_row(&s.problem, &s.f, &s.g, s.eps, |i, row| {
            for (j, v) in row.iter().enumerate() {
                out.col_mut(j)[i] = *v;
            }
        });
        Ok(())
    }

    /// Calls `visit(i, j, P_ij)` for the entries of the last solve's plan that are
    /// `>= threshold` and nonzero, in row-major order, without storing the plan.
    pub fn for_each_plan_entry(&self, threshold: f64, mut visit: impl FnMut(usize, usize, f64)) -> Result<(), Error> {
        if !(threshold >= 0.0 && threshold.is_finite()) {
            return Err(Error::invalid(format!("threshold = {threshold} is out of range; it must be finite and >= 0")));
        }
        let s = self.solved()?;
        for_each_row(&s.problem, &s.f, &s.g, s.eps, |i, row| {
            row.iter().enumerate().filter(|(_, v)| **v >= threshold && **v > 0.0).for_each(|(j, v)| visit(i, j, *v));
        });
        Ok(())
    }

    /// The entries of the plan of the last solve that are `>= threshold`, as `(i, j, P_ij)` in
    /// row-major order.
    pub fn plan_sparse(&self, threshold: f64) -> Result<Vec<(usize, usize, f64)>, Error> {
        let mut out = Vec::new();
        self.for_each_plan_entry(threshold, |i, j, v| out.push((i, j, v)))?;
        Ok(out)
    }

    /// Bytes the solver keeps for the plan queries (the last problem's cost and potentials).
    pub fn retained_bytes(&self) -> usize {
        self.last.as_ref().map_or(0, |s| s.problem.cost().bytes() + 8 * (s.f.len() + s.g.len()))
    }
}

/// The entries of each row of the plan that the sparsified Hessian keeps: a fixed density
/// (a fraction of the row's `m` entries, at least one), or, for `-1`, the largest entries that
/// carry the fraction `hessian_mass` of the row's mass.
fn hessian_pattern(o: &SinkhornOptions, m: usize) -> RowSelect {
    if o.hessian_density < 0.0 {
        RowSelect::Mass(o.hessian_mass)
    } else {
        RowSelect::Largest(((o.hessian_density * m as f64).round() as usize).clamp(1, m.max(1)))
    }
}

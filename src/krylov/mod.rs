//! Krylov solvers for `A x = b`: conjugate gradients, restarted GMRES(m) and flexible GMRES(m),
//! with preconditioning, on any [`LinearOperator`].
//!
//! ```
//! use nksolve::krylov::{KrylovMethod, KrylovOptions, KrylovSolver};
//! use nksolve::precond::Identity;
//! let a = nksolve::problems::poisson2d(16);
//! let b = vec![1.0; a.nrows()];
//! let mut x = vec![0.0; a.nrows()];
//! let mut opts = KrylovOptions::default();
//! opts.set_method(KrylovMethod::Cg);
//! let mut solver = KrylovSolver::new(opts);
//! let report = solver.solve(&mut a.clone(), &mut Identity, &b, &mut x, None).unwrap();
//! assert!(report.termination.converged());
//! ```

mod arnoldi;
mod cg;
mod gcrodr;
mod gmres;
mod minres;
mod options;
mod rcg;
mod recycle;
mod report;
mod run;
mod sequence;
pub mod skr;
mod workspace;

pub use options::{
    method_from_code, reorthogonalization_from_code, side_from_code, KrylovMethod, KrylovOptions,
    PreconditionerSide, Reorthogonalization, MAX_RESTART, OPTION_NAMES,
};
pub use minres::{minres, Apply, MinresOutcome};
pub use rcg::DeflationSpace;
pub use recycle::{RecycleSpace, RecycleStats};
pub use report::{KrylovReport, Termination};
pub use run::Monitor;
pub use sequence::{check_permutation, MatrixSequence, SequenceOrder, SequenceReport, SystemSource};
pub use workspace::Workspace;

use crate::error::{check_finite, check_len, Error};
use crate::linalg::{LinearOperator, LocalReducer, Par, Reducer, VectorSpace};
use crate::precond::Preconditioner;
use crate::persist::{Reader, Writer};
use run::Run;
use std::sync::Arc;
use std::time::Instant;

const RECYCLE_MAGIC: &[u8; 8] = b"NKSRCY\0\0";
/// Version 2: both spaces (version 1 held GCRO-DR's alone).
const RECYCLE_FORMAT: u32 = 2;

/// A Krylov solver: options, a reusable workspace, and the reducer its inner products go through.
pub struct KrylovSolver {
    options: KrylovOptions,
    work: Workspace,
    reducer: Arc<dyn Reducer>,
    /// GCRO-DR's recycle space, kept across solves.
    recycle: RecycleSpace,
    /// Recycled CG's deflation space, kept across solves.
    deflation: DeflationSpace,
    /// Iterations of the last solve that started without recycled vectors: a recycled solve
    /// that needs as many has a space that stopped helping, which is then dropped.
    baseline_iterations: Option<usize>,
    /// The decades of residual reduction that baseline solve was asked for (NaN when unknown,
    /// after a load): solves asked for other tolerances (inexact Newton's forcing terms) are
    /// compared in iterations per decade.
    baseline_decades: f64,
    /// Whether the drop rule above runs (see [`KrylovSolver::set_drop_rule`]).
    drop_rule: bool,
}

impl KrylovSolver {
    /// A solver with the given options and the single-process reducer.
    pub fn new(options: KrylovOptions) -> Self {
        KrylovSolver {
            options,
            work: Workspace::default(),
            reducer: Arc::new(LocalReducer),
            recycle: RecycleSpace::default(),
            deflation: DeflationSpace::default(),
            baseline_iterations: None,
            baseline_decades: f64::NAN,
            drop_rule: true,
        }
    }

    /// Tells the recycling methods that the operator (or preconditioner) changed since the last
    /// solve: their spaces are re-fitted to it (`k` operator applications) before use. Without
    /// this call the kept `C = A U` (or `A W`) is assumed to still belong to the operator.
    pub fn operator_changed(&mut self) {
        self.recycle.mark_stale();
        self.deflation.mark_stale();
    }

    /// Turns the drop rule on (the default) or off. The rule drops a recycle space when a solve
    /// that started from it needed as many iterations per decade as the last solve without
    /// one; that comparison suits a sequence of systems solved to one tolerance, not inexact
    /// Newton, whose first loosely solved systems make any later comparison meaningless (the
    /// nonlinear solver turns it off and lets every solve refresh the space instead).
    pub fn set_drop_rule(&mut self, enabled: bool) {
        self.drop_rule = enabled;
    }

    /// Forgets every recycled vector.
    pub fn clear_recycle_space(&mut self) {
        self.recycle.clear();
        self.deflation.clear();
        self.baseline_iterations = None;
    }

    /// GCRO-DR's recycle space.
    pub fn recycle_space(&self) -> &RecycleSpace {
        &self.recycle
    }

    /// Replaces GCRO-DR's recycle space; it is re-fitted to the operator at the next solve.
    pub fn set_recycle_space(&mut self, mut space: RecycleSpace) {
        space.mark_stale();
        self.recycle = space;
    }

    /// Recycled CG's deflation space.
    pub fn deflation_space(&self) -> &DeflationSpace {
        &self.deflation
    }

    /// Replaces recycled CG's deflation space (e.g. one read back from bytes); `A W` is
    /// recomputed at the next solve.
    pub fn set_deflation_space(&mut self, mut space: DeflationSpace) {
        space.mark_stale();
        self.deflation = space;
    }

    /// Doubles the solver holds between solves: its workspace (iterate, residual, work vectors,
    /// Krylov basis) and its recycled spaces. Divide by `n` for the count in vectors. A
    /// GCRO-DR refresh allocates about `3 k` vectors more while it runs.
    pub fn stored_doubles(&self) -> usize {
        self.work.doubles() + self.recycle.doubles() + self.deflation.doubles()
    }

    /// Everything the solver recycles (GCRO-DR's `U`, `C`, `d`, recycled CG's `W`, and the
    /// iteration count the drop rule compares with) as a
    /// self-describing buffer: magic `NKSRCY`, format version, sizes, values, FNV-1a checksum.
    /// Options and operators are not part of it.
    pub fn save_recycled(&self) -> Vec<u8> {
        let mut w = Writer::new(RECYCLE_MAGIC, RECYCLE_FORMAT);
        w.u64(self.baseline_iterations.map_or(u64::MAX, |i| i as u64));
        self.recycle.save(&mut w);
        self.deflation.save(&mut w);
        w.finish()
    }

    /// Restores a buffer written by [`KrylovSolver::save_recycled`]. Both spaces are re-fitted
    /// to the operator at the next solve (`k` operator applications), so the buffer may come
    /// from a run on another (similar) operator. A rejected buffer (foreign, truncated,
    /// corrupted, other format version, non-finite values) changes nothing.
    pub fn load_recycled(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let mut r = Reader::open(bytes, RECYCLE_MAGIC, RECYCLE_FORMAT, "recycle-space buffer")?;
        let baseline = r.u64()?;
        let recycle = RecycleSpace::load(&mut r)?;
        let deflation = DeflationSpace::load(&mut r)?;
        r.finish()?;
        self.set_recycle_space(recycle);
        self.set_deflation_space(deflation);
        self.baseline_iterations = usize::try_from(baseline).ok().filter(|_| baseline != u64::MAX);
        self.baseline_decades = f64::NAN;
        Ok(())
    }

    /// The options.
    pub fn options(&self) -> &KrylovOptions {
        &self.options
    }

    /// The options, for changing between solves.
    pub fn options_mut(&mut self) -> &mut KrylovOptions {
        &mut self.options
    }

    /// Replaces the reducer (a distributed host's allreduce).
    pub fn set_reducer(&mut self, reducer: Arc<dyn Reducer>) {
        self.reducer = reducer;
    }

    /// Solves `A x = b`.
    ///
    /// `x` is read as the initial guess when `use_initial_guess` is set, and written only when
    /// the returned report's termination is usable (converged, or stopped by a limit with the
    /// method's last iterate: for CG the A-norm-optimal point of the Krylov space, for GMRES the
    /// residual-minimising one). Invalid input is an `Err` and touches nothing.
    pub fn solve(
        &mut self,
        a: &mut dyn LinearOperator,
        m: &mut dyn Preconditioner,
        b: &[f64],
        x: &mut [f64],
        monitor: Option<&mut Monitor<'_>>,
    ) -> Result<KrylovReport, Error> {
        let start = Instant::now();
        let n = a.nrows();
        if a.ncols() != n {
            return Err(Error::dims(format!("the operator is {n} x {}; Krylov solvers need a square one", a.ncols())));
        }
        check_len(b.len(), n, "b", "the operator dimension")?;
        check_len(x.len(), n, "x", "the operator dimension")?;
        check_finite(b, "b")?;
        let opts = self.options.clone();
        if opts.use_initial_guess {
            check_finite(x, "x (initial guess)")?;
        }
        let reducer = Arc::clone(&self.reducer);
        let mut run = Run {
            space: VectorSpace::new(Par::current(), reducer.as_ref()),
            a,
            m,
            monitor,
            report: KrylovReport::default(),
            start,
            max_iterations: opts.max_iterations,
            max_seconds: opts.max_seconds,
            rtol: opts.rtol,
            atol: opts.atol,
            rtol_target: 0.0,
        };
        run.report.rhs_norm = run.space.norm(b);
        run.set_reference_norm(run.report.rhs_norm);

        self.work.reserve(n, &opts)?;
        if opts.method == KrylovMethod::GcroDr {
            self.recycle.reserve_basis(n, opts.restart.min(n))?;
        }
        let KrylovSolver { work: w, recycle, deflation, .. } = self;
        let mut stats = RecycleStats::default();
        w.x.resize(n, 0.0);
        if opts.use_initial_guess {
            w.x.copy_from_slice(x);
        } else {
            w.x.iter_mut().for_each(|v| *v = 0.0);
        }
        let zero_guess = !opts.use_initial_guess || x.iter().all(|&v| v == 0.0);
        let host_free = run.a.csr().is_some() && run.m.is_library_owned() && run.monitor.is_none();
        let par = run.space.par().clone();
        let mut method = || match opts.method {
            KrylovMethod::Cg => cg::solve(&mut run, w, b, zero_guess, None),
            KrylovMethod::Gmres | KrylovMethod::Fgmres => gmres::solve(
                &mut run,
                w,
                b,
                zero_guess,
                opts.restart,
                opts.side,
                opts.method == KrylovMethod::Fgmres,
                opts.reorthogonalization,
            ),
            KrylovMethod::GcroDr => gcrodr::solve(
                &mut run,
                w,
                b,
                zero_guess,
                opts.restart,
                opts.recycle_dim,
                opts.refresh_interval,
                opts.side,
                opts.reorthogonalization,
                recycle,
                &mut stats,
            ),
            KrylovMethod::RecycledCg => rcg::solve(&mut run, w, b, zero_guess, opts.restart, opts.recycle_dim, deflation, &mut stats),
        };
        let outcome = if host_free {
            // SAFETY: a CSR operator, a library preconditioner and no monitor: no host code runs.
            unsafe { par.install_host_free(method) }
        } else {
            method()
        };
        let mut termination = outcome.unwrap_or_else(|t| t);
        if termination.usable() {
            // Report the true residual of what is returned, whatever the method monitored.
            let mut r = std::mem::take(&mut w.r);
            r.resize(n, 0.0);
            match run.residual(b, &w.x, &mut r) {
                Ok(norm) => {
                    run.report.residual_norm = norm;
                    x.copy_from_slice(&w.x);
                }
                Err(t) => termination = t,
            }
            w.r = r;
        }
        if opts.method.recycles() && termination.converged() && self.drop_rule {
            let target = (opts.rtol * run.report.rhs_norm).max(opts.atol);
            let decades = (run.report.rhs_norm / target).log10();
            self.judge_recycling(&mut stats, run.report.iterations, decades);
        }
        run.report.recycle = stats;
        run.report.termination = termination;
        run.report.seconds = start.elapsed().as_secs_f64();
        Ok(run.report)
    }

    /// Drops a recycle space that stopped helping: a solve that started from one but needed
    /// at least the iterations of the last solve without one (per decade of residual
    /// reduction asked for, when the two were asked for different tolerances).
    fn judge_recycling(&mut self, stats: &mut RecycleStats, iterations: usize, decades: f64) {
        if stats.initial_dim == 0 {
            self.baseline_iterations = Some(iterations);
            self.baseline_decades = decades;
            return;
        }
        let Some(base) = self.baseline_iterations else { return };
        let comparable = decades.is_finite() && decades > 0.0 && self.baseline_decades.is_finite() && self.baseline_decades > 0.0;
        let no_better = if comparable && (decades - self.baseline_decades).abs() > 1e-9 {
            iterations as f64 / decades >= base as f64 / self.baseline_decades
        } else {
            iterations >= base
        };
        if no_better {
            stats.dropped = true;
            stats.final_dim = 0;
            self.recycle.clear();
            self.deflation.clear();
        }
    }
}

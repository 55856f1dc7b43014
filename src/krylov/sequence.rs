//! Solving a sequence of related systems `A_i x_i = b_i` with one solver, so that the
//! recycling methods carry their space from one system to the next, optionally in the SKR
//! order (neighbours in feature space solved one after the other).

use super::{skr, KrylovReport, KrylovSolver, Monitor};
use crate::error::Error;
use crate::linalg::{DenseMut, DenseRef, LinearOperator};
use crate::precond::Preconditioner;
use std::time::Instant;

/// The systems of a sequence: an operator and a preconditioner per system index.
pub trait SystemSource {
    /// Number of systems.
    fn count(&self) -> usize;
    /// Dimension of every system.
    fn dim(&self) -> usize;
    /// System `i`'s operator and preconditioner, built on demand (e.g. ILU(0) of the i-th
    /// matrix); called once per system, in solve order.
    fn system(&mut self, i: usize) -> Result<(&mut dyn LinearOperator, &mut dyn Preconditioner), Error>;
}

/// A sequence of matrices, each its own operator, solved without a preconditioner.
pub struct MatrixSequence<'a> {
    matrices: &'a [crate::linalg::CsrMatrix],
    current: Option<crate::linalg::CsrMatrix>,
    identity: crate::precond::Identity,
}

impl<'a> MatrixSequence<'a> {
    /// The sequence of `matrices` (at least one, all square of one size: checked at the solve).
    pub fn new(matrices: &'a [crate::linalg::CsrMatrix]) -> Self {
        MatrixSequence { matrices, current: None, identity: crate::precond::Identity }
    }
}

impl SystemSource for MatrixSequence<'_> {
    fn count(&self) -> usize {
        self.matrices.len()
    }
    fn dim(&self) -> usize {
        self.matrices.first().map_or(0, |a| a.nrows())
    }
    fn system(&mut self, i: usize) -> Result<(&mut dyn LinearOperator, &mut dyn Preconditioner), Error> {
        let a = &self.matrices[i];
        if a.nrows() != self.dim() || a.ncols() != self.dim() {
            return Err(Error::dims(format!("matrix {i} is {} x {}; the sequence is {n} x {n}", a.nrows(), a.ncols(), n = self.dim())));
        }
        // A clone per system: the solver needs `&mut`, the caller keeps its matrices.
        let a = self.current.insert(a.clone());
        Ok((a, &mut self.identity))
    }
}

/// The order in which a sequence is solved.
#[derive(Debug, Clone, Copy)]
pub enum SequenceOrder<'a> {
    /// `0, 1, ..., N - 1`.
    Natural,
    /// A permutation of `0..N` given by the host.
    Given(&'a [usize]),
    /// The SKR order of the feature columns (`d x N`), see [`skr::skr_order`].
    Skr(DenseRef<'a>),
}

/// What a sequence solve did.
#[derive(Debug, Clone, Default)]
pub struct SequenceReport {
    /// The order the systems were solved in.
    pub order: Vec<usize>,
    /// The report of each system, by system index (`NotStarted` for systems not reached).
    pub systems: Vec<KrylovReport>,
    /// The system whose solve failed hard (a negative termination) and stopped the sequence.
    pub failed: Option<usize>,
    /// Total iterations and operator applications over the systems solved.
    pub iterations: usize,
    /// See `iterations`.
    pub matvecs: usize,
    /// Wall-clock seconds of the whole sequence, ordering included.
    pub seconds: f64,
}

/// Checks that `order` is a permutation of `0..count`.
pub fn check_permutation(order: &[usize], count: usize) -> Result<(), Error> {
    if order.len() != count {
        return Err(Error::dims(format!("order has {} entries but there are {count} systems", order.len())));
    }
    let mut seen = vec![false; count];
    for (p, &i) in order.iter().enumerate() {
        if i >= count {
            return Err(Error::invalid(format!("order[{p}] = {i} is out of range; system indices are 0..{count}")));
        }
        if std::mem::replace(&mut seen[i], true) {
            return Err(Error::invalid(format!("order[{p}] = {i} repeats a system; order must be a permutation of 0..{count}")));
        }
    }
    Ok(())
}

impl KrylovSolver {
    /// Solves the systems of `source` with right-hand sides the columns of `b` and solutions
    /// the columns of `x` (both `n x N`), in `order`, keeping the recycle space from one system
    /// to the next (each new operator re-fits it first). `monitor` sees every iteration of
    /// every system.
    ///
    /// Every argument is validated before the first solve. Column `i` of `x` is written when
    /// system `i`'s solve returns a usable result (converged, or stopped by a limit); the
    /// sequence stops at the first system whose solve fails hard (see
    /// [`SequenceReport::failed`]), leaving the columns of that system and of the systems
    /// after it untouched.
    pub fn solve_sequence(
        &mut self,
        source: &mut dyn SystemSource,
        b: &DenseRef,
        x: &mut DenseMut,
        order: SequenceOrder,
        mut monitor: Option<&mut Monitor<'_>>,
    ) -> Result<SequenceReport, Error> {
        let start = Instant::now();
        let (count, n) = (source.count(), source.dim());
        for (what, rows, cols) in [("b", b.nrows(), b.ncols()), ("x", x.nrows(), x.ncols())] {
            if rows != n || cols != count {
                return Err(Error::dims(format!("{what} is {rows} x {cols}; it must be n x N = {n} x {count}")));
            }
        }
        for i in 0..count {
            crate::error::check_finite(b.col(i), &format!("b (column {i})"))?;
        }
        let order = match order {
            SequenceOrder::Natural => (0..count).collect(),
            SequenceOrder::Given(o) => {
                check_permutation(o, count)?;
                o.to_vec()
            }
            SequenceOrder::Skr(features) => {
                if features.ncols() != count {
                    return Err(Error::dims(format!("features have {} columns but there are {count} systems", features.ncols())));
                }
                skr::skr_order(&features)?
            }
        };
        let mut report = SequenceReport { systems: vec![KrylovReport::default(); count], ..Default::default() };
        for &i in &order {
            let (a, m) = source.system(i)?;
            self.operator_changed();
            let r = self.solve(a, m, b.col(i), x.col_mut(i), monitor.as_deref_mut())?;
            report.iterations += r.iterations;
            report.matvecs += r.matvecs;
            let usable = r.termination.usable();
            report.systems[i] = r;
            if !usable {
                report.failed = Some(i);
                break;
            }
        }
        report.order = order;
        report.seconds = start.elapsed().as_secs_f64();
        Ok(report)
    }
}

//! Learners that choose SOR's `omega` across a sequence of systems, and [`SorBandit`], which
//! chooses, solves and learns from the iteration count (Khodak et al. 2024).
//!
//! Every learner picks an arm (an index into a grid of `omega` values) from a distribution that
//! depends on what it has seen (and, for the contextual ones, on a scalar context per system),
//! draws with a seeded ChaCha8 generator, and learns from the cost of the solve (iterations;
//! the cap for a solve that did not converge). The whole state, generator position included,
//! saves to a versioned, checksummed buffer, so a restarted simulation continues exactly as if
//! it had not stopped.

mod baseline;
mod binned;
mod chebcb;
mod options;
mod tsallis;

pub use binned::Binned;
pub use chebcb::ChebCb;
pub use options::{SorBanditOptions, MAX_BINS, MAX_TERMS, OPTION_NAMES, STRUCTURAL_OPTIONS};
pub use tsallis::TsallisInf;

use super::solve::check_omega;
use super::{SorReport, SorSolver};
use crate::error::{check_finite, check_len, Error};
use crate::linalg::CsrMatrix;
use crate::persist::{Reader, Writer};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// Which learner chooses `omega`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LearnerKind {
    /// Tsallis-INF over the grid (non-contextual; converges to the best fixed omega).
    TsallisInf,
    /// ChebCB: contextual, per-arm Chebyshev regression of the cost on the context.
    ChebCb,
    /// Tsallis-INF per context bin.
    Binned,
    /// Always the single grid value (`num_arms = 1`).
    Fixed,
    /// Young's formula from a Jacobi spectral radius (`num_arms = 1`; the grid interval clamps).
    Young,
}

/// The numeric codes of the learners (the C enum `nks_sor_learner` matches).
const LEARNER_CODES: [(LearnerKind, u64, &str); 5] = [
    (LearnerKind::TsallisInf, 0, "Tsallis-INF"),
    (LearnerKind::ChebCb, 1, "ChebCB"),
    (LearnerKind::Binned, 2, "binned Tsallis-INF"),
    (LearnerKind::Fixed, 3, "fixed omega"),
    (LearnerKind::Young, 4, "Young's omega"),
];

impl LearnerKind {
    /// The learner's numeric code.
    pub fn code(self) -> u64 {
        LEARNER_CODES.iter().find(|e| e.0 == self).map(|e| e.1).expect("every learner has a code")
    }

    /// The learner for a numeric code (0 Tsallis-INF, 1 ChebCB, 2 binned, 3 fixed, 4 Young).
    pub fn from_code(code: i64) -> Result<Self, Error> {
        LEARNER_CODES.iter().find(|e| e.1 as i64 == code).map(|e| e.0).ok_or_else(|| {
            let list: Vec<String> = LEARNER_CODES.iter().map(|e| format!("{} ({})", e.1, e.2)).collect();
            Error::invalid(format!("learner = {code} is out of range; use {}", list.join(", ")))
        })
    }
}

/// The most arms of a grid.
pub const MAX_ARMS: usize = 100_000;

#[derive(Debug, Clone, PartialEq)]
enum Learner {
    Tsallis(TsallisInf),
    Cheb(ChebCb),
    Binned(Binned),
    /// Fixed or Young: nothing to learn.
    None,
}

/// Chooses `omega` for each system of a sequence, solves it by SOR or SSOR-PCG, and learns
/// from the iteration count.
///
/// ```
/// use nksolve::sor::{LearnerKind, SorBandit};
/// use std::sync::Arc;
/// let a = Arc::new(nksolve::problems::poisson2d(10));
/// let b = vec![1.0; a.nrows()];
/// let mut bandit = SorBandit::new(LearnerKind::TsallisInf, 20, 1.0, 1.95, 7).unwrap();
/// for _ in 0..5 {
///     let mut x = vec![0.0; a.nrows()];
///     let report = bandit.solve(&a, &b, &mut x, 0.0).unwrap();
///     assert!(report.termination.converged());
/// }
/// assert!((bandit.probabilities(0.0).unwrap().iter().sum::<f64>() - 1.0).abs() < 1e-12);
/// ```
pub struct SorBandit {
    kind: LearnerKind,
    grid: Vec<f64>,
    omega_min: f64,
    omega_max: f64,
    options: SorBanditOptions,
    learner: Learner,
    seed: u64,
    rng: ChaCha8Rng,
    rounds: u64,
    solver: SorSolver,
    last: SorReport,
}

/// What the learner was created with, readable by name through [`SorBandit::get_option`] and
/// refused by [`SorBandit::set_option`]: the learner code (`nks_sor_learner`), the number of arms
/// and the grid's interval.
pub const READ_ONLY_PROPERTIES: &[&str] = &["learner", "num_arms", "omega_min", "omega_max"];

const MAGIC: &[u8; 8] = b"NKSSORB\0";
/// Version 2: Tsallis-INF's cumulative losses use the reduced-variance estimator and ChebCB's
/// squared error is kept in raw units, so the statistics of a version-1 buffer mean something
/// else and it is refused.
const FORMAT_VERSION: u32 = 2;

/// `num_arms` values evenly spaced on `[lo, hi]`, checked.
fn grid(kind: LearnerKind, num_arms: usize, lo: f64, hi: f64) -> Result<Vec<f64>, Error> {
    if num_arms == 0 || num_arms > MAX_ARMS {
        return Err(Error::invalid(format!("num_arms = {num_arms} is out of range; it must be in 1..={MAX_ARMS}")));
    }
    for (name, v) in [("omega_min", lo), ("omega_max", hi)] {
        check_omega(v).map_err(|_| Error::invalid(format!("{name} = {v} is out of range; omega must be in (0, 2)")))?;
    }
    if matches!(kind, LearnerKind::Fixed | LearnerKind::Young) && num_arms != 1 {
        return Err(Error::invalid(format!("num_arms = {num_arms}; the fixed and Young learners take num_arms = 1")));
    }
    if kind == LearnerKind::Fixed && lo != hi {
        return Err(Error::invalid(format!(
            "omega_min = {lo} and omega_max = {hi} differ; the fixed learner plays omega_min and needs omega_max equal to it"
        )));
    }
    if lo > hi || (lo == hi && num_arms > 1) {
        return Err(Error::invalid(format!(
            "omega_min = {lo}, omega_max = {hi} with num_arms = {num_arms}: omega_min must be below omega_max \
             (equal only with one arm)"
        )));
    }
    if num_arms == 1 {
        return Ok(vec![lo]);
    }
    Ok((0..num_arms).map(|i| lo + (hi - lo) * i as f64 / (num_arms - 1) as f64).collect())
}

impl SorBandit {
    /// A learner of kind `kind` over `num_arms` values of `omega` evenly spaced on
    /// `[omega_min, omega_max]` (inside `(0, 2)`), drawing with a generator seeded by `seed`.
    /// The fixed learner needs `num_arms = 1` and `omega_min == omega_max`; Young's needs
    /// `num_arms = 1` and clamps its omega to `[omega_min, omega_max]`.
    pub fn new(kind: LearnerKind, num_arms: usize, omega_min: f64, omega_max: f64, seed: u64) -> Result<Self, Error> {
        let grid = grid(kind, num_arms, omega_min, omega_max)?;
        let options = SorBanditOptions::default();
        Ok(SorBandit {
            kind,
            learner: fresh_learner(kind, grid.len(), &options),
            grid,
            omega_min,
            omega_max,
            options,
            seed,
            rng: ChaCha8Rng::seed_from_u64(seed),
            rounds: 0,
            solver: SorSolver::default(),
            last: SorReport::not_started(),
        })
    }

    /// The learner kind.
    pub fn kind(&self) -> LearnerKind {
        self.kind
    }

    /// The `omega` of each arm.
    pub fn omegas(&self) -> &[f64] {
        &self.grid
    }

    /// Costs observed so far.
    pub fn rounds(&self) -> u64 {
        self.rounds
    }

    /// The options.
    pub fn options(&self) -> &SorBanditOptions {
        &self.options
    }

    /// The report of the last [`SorBandit::solve`].
    pub fn last_report(&self) -> &SorReport {
        &self.last
    }

    /// Sets an option by name (see [`SorBanditOptions::set`]). The options that shape the
    /// learner ([`STRUCTURAL_OPTIONS`]) are refused with [`Error::InvalidState`] once it has
    /// observed a cost.
    pub fn set_option(&mut self, name: &str, value: f64) -> Result<(), Error> {
        if READ_ONLY_PROPERTIES.contains(&name) {
            return Err(Error::InvalidState(format!(
                "\"{name}\" is fixed when the learner is created and can only be read; create a new handle"
            )));
        }
        let structural = STRUCTURAL_OPTIONS.contains(&name);
        if structural && self.rounds > 0 {
            return Err(Error::InvalidState(format!(
                "option \"{name}\" shapes the learner and can only change before the first observed cost \
                 ({} observed); create a new handle",
                self.rounds
            )));
        }
        let mut o = self.options.clone();
        o.set(name, value)?;
        self.options = o;
        if structural {
            self.learner = fresh_learner(self.kind, self.grid.len(), &self.options);
        }
        Ok(())
    }

    /// Reads an option by name, or one of the [`READ_ONLY_PROPERTIES`] fixed at creation (so a
    /// host holding a loaded learner can size its buffers).
    pub fn get_option(&self, name: &str) -> Result<f64, Error> {
        match name {
            "learner" => Ok(self.kind.code() as f64),
            "num_arms" => Ok(self.grid.len() as f64),
            "omega_min" => Ok(self.omega_min),
            "omega_max" => Ok(self.omega_max),
            _ => self.options.get(name),
        }
    }

    /// The distribution the next choice at `context` is drawn from (one entry per arm). The
    /// non-contextual learners ignore `context` (it must still be finite); the Young learner
    /// validates it as a spectral radius when `young_rho` is unset.
    pub fn probabilities(&self, context: f64) -> Result<Vec<f64>, Error> {
        if !context.is_finite() {
            return Err(Error::NonFinite(format!("context = {context} is not finite")));
        }
        let mut p = vec![0.0; self.grid.len()];
        match &self.learner {
            Learner::Tsallis(t) => t.probabilities(&mut p),
            Learner::Cheb(c) => c.probabilities(context, &mut p),
            Learner::Binned(b) => b.probabilities(context, &mut p),
            Learner::None => {
                self.omega_at(0, context)?;
                p[0] = 1.0;
            }
        }
        Ok(p)
    }

    /// The `omega` of `arm` at `context` (Young's formula for the Young learner).
    fn omega_at(&self, arm: usize, context: f64) -> Result<f64, Error> {
        match self.kind {
            LearnerKind::Young => baseline::young(self.options.young_rho, context, self.omega_min, self.omega_max),
            _ => Ok(self.grid[arm]),
        }
    }

    /// Draws an arm for a system with `context`; returns `(arm, omega)`. Advances the
    /// generator (one draw), nothing else.
    pub fn choose(&mut self, context: f64) -> Result<(usize, f64), Error> {
        let p = self.probabilities(context)?;
        let omega0 = self.omega_at(0, context)?;
        let u: f64 = self.rng.random();
        let mut acc = 0.0;
        let mut arm = p.iter().rposition(|&q| q > 0.0).unwrap_or(0);
        for (i, &q) in p.iter().enumerate() {
            acc += q;
            if u < acc {
                arm = i;
                break;
            }
        }
        let omega = if arm == 0 { omega0 } else { self.omega_at(arm, context)? };
        Ok((arm, omega))
    }

    /// Learns that `arm` cost `cost` (iterations, `>= 0`) on a system with `context`: for
    /// solves done elsewhere with the `omega` of `arm`.
    pub fn observe(&mut self, arm: usize, context: f64, cost: f64) -> Result<(), Error> {
        if arm >= self.grid.len() {
            return Err(Error::invalid(format!("arm = {arm} is out of range; it must be in 0..={}", self.grid.len() - 1)));
        }
        if !context.is_finite() {
            return Err(Error::NonFinite(format!("context = {context} is not finite")));
        }
        if !(cost.is_finite() && cost >= 0.0) {
            return Err(Error::invalid(format!("cost = {cost} is out of range; it must be finite and >= 0 (an iteration count)")));
        }
        match &mut self.learner {
            Learner::Tsallis(t) => t.update(arm, cost),
            Learner::Cheb(c) => c.update(arm, context, cost),
            Learner::Binned(b) => b.update(arm, context, cost),
            Learner::None => {}
        }
        self.rounds += 1;
        Ok(())
    }

    /// Chooses `omega` for `context`, solves `A x = b` with it (see [`SorSolver::solve`] for
    /// what `x` holds afterwards), and learns from the cost: the iteration count, or
    /// `max_iterations` for a solve that did not converge. Invalid input is an `Err` that
    /// changes nothing, the generator included.
    pub fn solve(&mut self, a: &Arc<CsrMatrix>, b: &[f64], x: &mut [f64], context: f64) -> Result<SorReport, Error> {
        let n = a.nrows();
        check_len(b.len(), n, "b", "the matrix dimension")?;
        check_len(x.len(), n, "x", "the matrix dimension")?;
        check_finite(b, "b")?;
        if self.options.solver.use_initial_guess {
            check_finite(x, "x (initial guess)")?;
        }
        self.probabilities(context)?;
        self.solver.prepare(a, self.options.solver.ordering)?;
        let (arm, omega) = self.choose(context)?;
        let mut report = self.solver.solve(a, b, x, omega, &self.options.solver)?;
        report.arm = arm;
        self.observe(arm, context, report.cost(self.options.solver.max_iterations))?;
        self.last = report.clone();
        Ok(report)
    }

    /// The learner's state as a versioned, checksummed byte buffer ([`crate::persist`]):
    /// kind, grid, options, generator seed and position, rounds, and the learner's statistics.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(MAGIC, FORMAT_VERSION);
        let pos = self.rng.get_word_pos();
        w.u64(self.kind.code()).u64(self.grid.len() as u64).f64s(&[self.omega_min, self.omega_max]);
        w.u64(self.seed).u64(pos as u64).u64((pos >> 64) as u64).u64(self.rounds);
        let values: Vec<f64> = OPTION_NAMES.iter().map(|n| self.options.get(n).expect("known name")).collect();
        w.f64s(&values);
        match &self.learner {
            Learner::Tsallis(t) => t.save(&mut w),
            Learner::Cheb(c) => c.save(&mut w),
            Learner::Binned(b) => b.save(&mut w),
            Learner::None => {}
        }
        w.finish()
    }

    /// Restores a learner saved by [`SorBandit::to_bytes`] (on any platform): the same
    /// probabilities and the same sequence of choices as the saved one would have made. A
    /// foreign, corrupted, truncated or other-version buffer is an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::open(bytes, MAGIC, FORMAT_VERSION, "SOR-bandit state")?;
        let kind = LearnerKind::from_code(r.u64()?.min(i64::MAX as u64) as i64)?;
        let arms = r.size()?;
        let range = r.f64s(2)?;
        let mut s = SorBandit::new(kind, arms, range[0], range[1], r.u64()?)?;
        let pos = r.u64()? as u128 | (r.u64()? as u128) << 64;
        s.rng.set_word_pos(pos);
        let rounds = r.u64()?;
        // Open the context interval first, so that the saved ends are accepted in any order.
        let mut o = SorBanditOptions { context_min: f64::MIN, context_max: f64::MAX, ..Default::default() };
        for (name, v) in OPTION_NAMES.iter().zip(r.f64s(OPTION_NAMES.len())?) {
            o.set(name, v).map_err(|e| Error::invalid(format!("SOR-bandit state rejected: {}", e.message())))?;
        }
        s.options = o;
        let o = &s.options;
        s.learner = match kind {
            LearnerKind::TsallisInf => Learner::Tsallis(TsallisInf::load(&mut r, arms)?),
            LearnerKind::ChebCb => Learner::Cheb(ChebCb::load(&mut r, arms, o.chebyshev_terms, o.context_min, o.context_max)?),
            LearnerKind::Binned => Learner::Binned(Binned::load(&mut r, arms, o.bins, o.context_min, o.context_max)?),
            LearnerKind::Fixed | LearnerKind::Young => Learner::None,
        };
        r.finish()?;
        s.rounds = rounds;
        Ok(s)
    }
}

fn fresh_learner(kind: LearnerKind, arms: usize, o: &SorBanditOptions) -> Learner {
    match kind {
        LearnerKind::TsallisInf => Learner::Tsallis(TsallisInf::new(arms)),
        LearnerKind::ChebCb => Learner::Cheb(ChebCb::new(arms, o.chebyshev_terms, o.context_min, o.context_max)),
        LearnerKind::Binned => Learner::Binned(Binned::new(arms, o.bins, o.context_min, o.context_max)),
        LearnerKind::Fixed | LearnerKind::Young => Learner::None,
    }
}

impl std::fmt::Debug for SorBandit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SorBandit")
            .field("kind", &self.kind)
            .field("omegas", &self.grid)
            .field("rounds", &self.rounds)
            .field("options", &self.options)
            .field("learner", &self.learner)
            .finish_non_exhaustive()
    }
}

//! Binned Tsallis-INF: the context interval is cut into equal bins and an independent
//! [`TsallisInf`] learns in each (the authors' `TsallisINFCB`).

use super::tsallis::TsallisInf;
use crate::error::Error;
use crate::persist::{Reader, Writer};

/// One Tsallis-INF learner per context bin.
#[derive(Debug, Clone, PartialEq)]
pub struct Binned {
    bins: Vec<TsallisInf>,
    lo: f64,
    hi: f64,
}

impl Binned {
    /// `bins` learners over `arms` arms for contexts in `[lo, hi]` (`lo < hi`).
    pub fn new(arms: usize, bins: usize, lo: f64, hi: f64) -> Self {
        Binned { bins: vec![TsallisInf::new(arms); bins], lo, hi }
    }

    /// The bin of `context` (the nearest bin centre; contexts outside `[lo, hi]` go to the
    /// first or last bin).
    pub fn bin(&self, context: f64) -> usize {
        let m = self.bins.len();
        let u = (context - self.lo) / (self.hi - self.lo) * m as f64;
        (u.floor().max(0.0) as usize).min(m - 1)
    }

    /// The distribution of the bin of `context`.
    pub fn probabilities(&self, context: f64, out: &mut [f64]) {
        self.bins[self.bin(context)].probabilities(out);
    }

    /// Learns from `cost` paid by `arm` at `context`.
    pub fn update(&mut self, arm: usize, context: f64, cost: f64) {
        let b = self.bin(context);
        self.bins[b].update(arm, cost);
    }

    /// Rounds observed over all bins.
    pub fn rounds(&self) -> u64 {
        self.bins.iter().map(TsallisInf::rounds).sum()
    }

    pub(crate) fn save(&self, w: &mut Writer) {
        self.bins.iter().for_each(|b| b.save(w));
    }

    pub(crate) fn load(r: &mut Reader, arms: usize, bins: usize, lo: f64, hi: f64) -> Result<Self, Error> {
        let bins = (0..bins).map(|_| TsallisInf::load(r, arms)).collect::<Result<_, _>>()?;
        Ok(Binned { bins, lo, hi })
    }
}

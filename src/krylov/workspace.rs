//! Vectors a Krylov solver reuses from one solve to the next, so repeated solves on the same
//! handle do not allocate.

use super::{KrylovMethod, KrylovOptions};
use crate::error::Error;

/// Scratch vectors of the Krylov methods (each method uses the ones it needs).
#[derive(Debug, Default, Clone)]
pub struct Workspace {
    /// The iterate (copied out only when the solve succeeds).
    pub(crate) x: Vec<f64>,
    pub(crate) r: Vec<f64>,
    pub(crate) p: Vec<f64>,
    pub(crate) q: Vec<f64>,
    pub(crate) z: Vec<f64>,
    /// GMRES: the Arnoldi basis `V`, `n x (m + 1)` column-major.
    pub(crate) basis: Vec<f64>,
    /// FGMRES: the preconditioned basis `Z`, `n x m` column-major.
    pub(crate) zbasis: Vec<f64>,
}

impl Workspace {
    /// Doubles held (allocated capacity).
    pub(crate) fn doubles(&self) -> usize {
        [&self.x, &self.r, &self.p, &self.q, &self.z, &self.basis, &self.zbasis].iter().map(|v| v.capacity()).sum()
    }

    /// Obtains every vector a solve of dimension `n` needs up front, so that a solve too large
    /// for memory fails cleanly before it starts instead of aborting the process midway.
    pub(crate) fn reserve(&mut self, n: usize, opts: &KrylovOptions) -> Result<(), Error> {
        let (method, restart) = (opts.method, opts.restart);
        let m = restart.min(n);
        let plan: [(&mut Vec<f64>, usize); 7] = [
            (&mut self.x, n),
            (&mut self.r, n),
            // The search direction of the CG family; the GMRES family has its basis.
            (&mut self.p, if matches!(method, KrylovMethod::Cg | KrylovMethod::RecycledCg) { n } else { 0 }),
            (&mut self.q, n),
            (&mut self.z, n),
            // GCRO-DR's basis is its recycle space's C buffer (RecycleSpace::reserve_basis).
            (&mut self.basis, match method {
                KrylovMethod::Cg | KrylovMethod::GcroDr => 0,
                KrylovMethod::RecycledCg => n.saturating_mul(m),
                _ => n.saturating_mul(m + 1),
            }),
            (&mut self.zbasis, match method {
                KrylovMethod::Fgmres => n.saturating_mul(m),
                _ => 0,
            }),
        ];
        for (v, len) in plan {
            if let Some(extra) = len.checked_sub(v.len()) {
                v.try_reserve_exact(extra).map_err(|_| {
                    Error::Allocation(format!(
                        "could not allocate {len} doubles of Krylov workspace for n = {n}, restart = {restart}; \
                         reduce restart or the problem size"
                    ))
                })?;
            }
        }
        Ok(())
    }
}

/// Makes `v` exactly `n` long (contents unspecified).
pub(crate) fn resize(v: &mut Vec<f64>, n: usize) {
    v.resize(n, 0.0);
}

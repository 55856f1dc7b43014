//! Vectors a Krylov solver reuses from one solve to the next, so repeated solves on the same
//! handle do not allocate.

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

/// Makes `v` exactly `n` long (contents unspecified).
pub(crate) fn resize(v: &mut Vec<f64>, n: usize) {
    v.resize(n, 0.0);
}

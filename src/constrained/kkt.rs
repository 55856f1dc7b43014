//! The Newton-KKT system `K d = rhs`, `K = [H + t I, J^T; J, 0]` at a primal-dual point, as a
//! matrix-free operator (three oracle products) or assembled from sparse rows, and the one
//! dispatch to the inner solvers.

use super::context::{Context, Stop};
use super::{gaussian_sketch, kaczmarz, KktSolver};
use crate::krylov::minres;
use crate::linalg::CsrMatrix;
use rand::rngs::StdRng;

/// What an inner solve reached.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InnerOutcome {
    /// Inner iterations (sketches, rows or MINRES iterations).
    pub iterations: usize,
    /// `||rhs - K d||_2` at the returned `d`.
    pub residual: f64,
}

/// The Newton-KKT matrix at `(x, lambda)` with Hessian shift `shift` and constraint
/// regularisation `dual_shift`: `[H + shift I, J^T; J, -dual_shift I]`.
pub(crate) struct Kkt<'p> {
    pub x: &'p [f64],
    pub lambda: &'p [f64],
    pub shift: f64,
    pub dual_shift: f64,
    scratch: Vec<f64>,
}

impl<'p> Kkt<'p> {
    pub fn new(x: &'p [f64], lambda: &'p [f64], shift: f64) -> Self {
        Kkt { x, lambda, shift, dual_shift: 0.0, scratch: vec![0.0; x.len()] }
    }

    pub fn n(&self) -> usize {
        self.x.len()
    }

    /// `out = K z`: one Hessian, one Jacobian and one transposed-Jacobian product.
    pub fn apply(&mut self, ctx: &mut Context, z: &[f64], out: &mut [f64]) -> Result<(), Stop> {
        let n = self.n();
        let (zx, zl) = z.split_at(n);
        let (ox, ol) = out.split_at_mut(n);
        ctx.hessian_vector(self.x, self.lambda, zx, ox)?;
        ctx.jacobian_transpose_vector(self.x, zl, &mut self.scratch)?;
        for ((o, s), zi) in ox.iter_mut().zip(&self.scratch).zip(zx) {
            *o += s + self.shift * zi;
        }
        ctx.jacobian_vector(self.x, zx, ol)?;
        if self.dual_shift != 0.0 {
            ol.iter_mut().zip(zl).for_each(|(o, z)| *o -= self.dual_shift * z);
        }
        Ok(())
    }

    /// `K` assembled from the problem's sparse Jacobian and Hessian rows (Kaczmarz needs row
    /// access). The caller has checked that both patterns exist.
    pub fn assemble(&self, ctx: &mut Context) -> Result<CsrMatrix, Stop> {
        let n = self.n();
        let (jp, hp) = {
            let p = ctx.problem();
            (p.jacobian_pattern().cloned(), p.hessian_pattern().cloned())
        };
        let (jp, hp) = (jp.expect("checked at validation"), hp.expect("checked at validation"));
        let mut jv = vec![0.0; jp.nnz()];
        let mut hv = vec![0.0; hp.nnz()];
        ctx.jacobian_values(self.x, &mut jv)?;
        ctx.hessian_values(self.x, self.lambda, &mut hv)?;
        let mut t = Vec::with_capacity(hp.nnz() + 2 * jp.nnz() + n);
        for i in 0..n {
            t.extend(hp.row(i).map(|(p, j)| (i, j, hv[p])));
            if self.shift != 0.0 {
                t.push((i, i, self.shift));
            }
        }
        for r in 0..jp.nrows {
            for (p, j) in jp.row(r) {
                t.push((n + r, j, jv[p]));
                t.push((j, n + r, jv[p]));
            }
        }
        if self.dual_shift != 0.0 {
            t.extend((0..jp.nrows).map(|r| (n + r, n + r, -self.dual_shift)));
        }
        let size = n + jp.nrows;
        Ok(CsrMatrix::from_triplets(size, size, &t).expect("values were checked finite and the patterns in range"))
    }
}

/// Improves `d` towards `K d = rhs` until `||rhs - K d|| <= tol` or `max_iterations`, by the
/// chosen inner solver. `assembled` caches Kaczmarz's matrix for this `K`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn solve(
    ctx: &mut Context,
    kkt: &mut Kkt,
    assembled: &mut Option<CsrMatrix>,
    rng: &mut StdRng,
    rhs: &[f64],
    d: &mut [f64],
    tol: f64,
    max_iterations: usize,
) -> Result<InnerOutcome, Stop> {
    match ctx.options.kkt_solver {
        KktSolver::GaussianSketch => {
            let block = ctx.options.sketch_block;
            gaussian_sketch::solve(&mut |z, out| kkt.apply(ctx, z, out), block, rng, rhs, d, tol, max_iterations)
        }
        KktSolver::Kaczmarz => {
            if assembled.is_none() {
                *assembled = Some(kkt.assemble(ctx)?);
            }
            Ok(kaczmarz::solve(assembled.as_ref().expect("just assembled"), rng, rhs, d, tol, max_iterations))
        }
        KktSolver::Minres => solve_minres(ctx, kkt, rhs, d, tol, max_iterations),
    }
}

/// MINRES with the host's preconditioner when there is one. MINRES tracks the residual in
/// the `M^{-1}` norm, so the true residual is checked at the end and the run continued from
/// where it stopped, with the tolerance scaled by the observed ratio, when it misses.
fn solve_minres(ctx: &mut Context, kkt: &mut Kkt, rhs: &[f64], d: &mut [f64], tol: f64, max_iterations: usize) -> Result<InnerOutcome, Stop> {
    let preconditioned = ctx.problem().has_preconditioner();
    let (x, lambda) = (kkt.x, kkt.lambda);
    let mut iterations = 0;
    let mut target = tol;
    let mut kd = vec![0.0; rhs.len()];
    loop {
        let ctx_cell = std::cell::RefCell::new(&mut *ctx);
        let mut apply = |z: &[f64], out: &mut [f64]| kkt.apply(&mut ctx_cell.borrow_mut(), z, out);
        let mut prec = |r: &[f64], z: &mut [f64]| ctx_cell.borrow_mut().precondition(x, lambda, r, z);
        let out = minres(&mut apply, preconditioned.then_some(&mut prec as &mut _), rhs, d, target, max_iterations - iterations)?;
        iterations += out.iterations;
        kkt.apply(ctx, d, &mut kd)?;
        let residual = residual_norm(rhs, &kd);
        let estimate = out.residual_estimate;
        if residual <= tol || iterations >= max_iterations || !out.converged || out.iterations == 0 {
            return Ok(InnerOutcome { iterations, residual });
        }
        target = (target * estimate.max(f64::MIN_POSITIVE) / residual).min(0.5 * target);
    }
}

/// `sqrt(sum (b - a)^2)`: the residual norm from `b` and `a = K d`.
pub(crate) fn residual_norm(b: &[f64], a: &[f64]) -> f64 {
    b.iter().zip(a).map(|(u, v)| (u - v) * (u - v)).sum::<f64>().sqrt()
}

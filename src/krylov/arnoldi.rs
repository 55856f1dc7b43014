//! The Arnoldi restart cycle shared by GMRES(m), FGMRES(m) and GCRO-DR(m, k).
//!
//! A cycle works on a basis buffer `W = [C | V]`: the first `k` columns hold a recycled space
//! `C` (none for GMRES), column `k` holds `r / ||r||`, and each step appends one Arnoldi vector,
//! orthogonalised against all of `W`. The coefficients against `C` and `V` land in one upper
//! Hessenberg matrix `G = [[D, B], [0, H]]`, so one Givens-rotation least-squares solve serves
//! both methods, and GCRO-DR with `k = 0` is GMRES(m) step for step.
//!
//! Orthogonalisation is classical Gram-Schmidt, one batched reduction per pass instead of one
//! per basis vector (what a distributed run needs), with an optional second pass (never, when
//! the DGKS criterion asks for it, or always).

use super::run::{Run, Step};
use super::{PreconditionerSide, Reorthogonalization, Termination};
use crate::linalg::kernels;

/// Re-orthogonalise when Gram-Schmidt removed more than this share of the vector's norm.
const DGKS: f64 = 0.7;

/// Where the preconditioner enters the Arnoldi recurrence.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mode {
    /// No preconditioner.
    None,
    /// `M^{-1} A`; the preconditioned residual is monitored.
    Left,
    /// `A M^{-1}` with a fixed `M`; `x` is updated through one application of `M^{-1}`.
    Right,
    /// `A M_j^{-1}` with `M_j` allowed to vary; the preconditioned vectors are stored.
    Flexible,
}

impl Mode {
    /// The mode for a preconditioner (identity or not), a method's flexibility and a side.
    pub fn new(identity: bool, flexible: bool, side: PreconditionerSide) -> Mode {
        match (identity, flexible, side) {
            (true, _, _) => Mode::None,
            (false, true, _) => Mode::Flexible,
            (false, false, PreconditionerSide::Left) => Mode::Left,
            (false, false, PreconditionerSide::Right) => Mode::Right,
        }
    }
}

/// `out = Op v`, the operator of the mode (`M^{-1} A`, `A M^{-1}` or `A`). `z` is scratch; in
/// flexible mode `z` receives `M_j^{-1} v` and must be kept by the caller.
pub(crate) fn apply_operator(run: &mut Run, mode: Mode, v: &[f64], out: &mut [f64], z: &mut [f64]) -> Step<()> {
    match mode {
        Mode::None => run.matvec(v, out),
        Mode::Left => {
            run.matvec(v, z)?;
            run.precond(z, out)
        }
        Mode::Right | Mode::Flexible => {
            run.precond(v, z)?;
            run.matvec(z, out)
        }
    }
}

/// The small least-squares problem `min ||g0 - G y||` for an upper Hessenberg `G`
/// (`(m + 1) x m`), kept triangular by Givens rotations as columns arrive. The unrotated
/// columns are kept too: GCRO-DR needs `G` itself for its harmonic Ritz vectors.
pub(crate) struct Hessenberg {
    m: usize,
    h: Vec<f64>,
    raw: Vec<f64>,
    cs: Vec<f64>,
    sn: Vec<f64>,
    g: Vec<f64>,
}

impl Hessenberg {
    pub fn new(m: usize) -> Self {
        Hessenberg {
            m,
            h: vec![0.0; (m + 1) * m],
            raw: vec![0.0; (m + 1) * m],
            cs: vec![0.0; m],
            sn: vec![0.0; m],
            g: vec![0.0; m + 1],
        }
    }

    /// Starts a cycle with right-hand side `g0` (length `<= m + 1`, the rest zero).
    pub fn reset(&mut self, g0: &[f64]) {
        self.g.iter_mut().for_each(|v| *v = 0.0);
        self.g[..g0.len()].copy_from_slice(g0);
        self.h.iter_mut().for_each(|v| *v = 0.0);
    }

    /// Column `j` (length `m + 1`) for filling before `rotate(j)`.
    pub fn col(&mut self, j: usize) -> &mut [f64] {
        let m1 = self.m + 1;
        &mut self.h[j * m1..(j + 1) * m1]
    }

    /// The unrotated matrix `G`, column-major `(m + 1) x m` (valid for the rotated columns).
    pub fn raw(&self) -> &[f64] {
        &self.raw
    }

    /// Triangularises column `j` (entries `0..=j+1` set); returns the new residual norm.
    pub fn rotate(&mut self, j: usize) -> f64 {
        let m1 = self.m + 1;
        self.raw[j * m1..(j + 1) * m1].copy_from_slice(&self.h[j * m1..(j + 1) * m1]);
        let col = &mut self.h[j * m1..(j + 1) * m1];
        for i in 0..j {
            let (a, b) = (col[i], col[i + 1]);
            col[i] = self.cs[i] * a + self.sn[i] * b;
            col[i + 1] = -self.sn[i] * a + self.cs[i] * b;
        }
        let (a, b) = (col[j], col[j + 1]);
        let d = a.hypot(b);
        let (c, s) = if d == 0.0 { (1.0, 0.0) } else { (a / d, b / d) };
        col[j] = d;
        col[j + 1] = 0.0;
        self.cs[j] = c;
        self.sn[j] = s;
        // The general rotation: GCRO-DR's right-hand side [C^T r; beta] is not zero below row j.
        let (gj, gj1) = (self.g[j], self.g[j + 1]);
        self.g[j] = c * gj + s * gj1;
        self.g[j + 1] = -s * gj + c * gj1;
        self.g[j + 1].abs()
    }

    /// Solves the `cols x cols` triangular system for the update coefficients.
    pub fn solve(&self, cols: usize) -> Vec<f64> {
        let m1 = self.m + 1;
        let mut y = self.g[..cols].to_vec();
        for i in (0..cols).rev() {
            for l in i + 1..cols {
                y[i] -= self.h[l * m1 + i] * y[l];
            }
            y[i] /= self.h[i * m1 + i];
        }
        y
    }
}

/// Scratch of one cycle.
pub(crate) struct CycleBuffers<'w> {
    /// `n x (m + 1)`: `[C | V]`, column `k` already holding `r / ||r||`.
    pub basis: &'w mut [f64],
    /// `n x m` (flexible mode only): `M_j^{-1} v_j` at column `j`.
    pub zbasis: &'w mut [f64],
    pub q: &'w mut [f64],
    pub z: &'w mut [f64],
}

/// Runs Arnoldi steps for columns `k..m` (the Hessenberg columns `0..k` and the right-hand side
/// are already set). Returns the number of columns of `G` built and the soft stop, if any.
pub(crate) fn cycle(
    run: &mut Run,
    buf: &mut CycleBuffers,
    hess: &mut Hessenberg,
    k: usize,
    m: usize,
    mode: Mode,
    reorth: Reorthogonalization,
) -> Step<(usize, Option<Termination>)> {
    let n = buf.q.len();
    let par = run.space.par().clone();
    let mut h2 = vec![0.0; m + 1];
    for j in 0..k {
        hess.rotate(j);
    }
    let mut cols = k;
    for j in k..m {
        let (done, rest) = buf.basis.split_at_mut((j + 1) * n);
        let vj = &done[j * n..];
        let zslot: &mut [f64] = if mode == Mode::Flexible { &mut buf.zbasis[(j - k) * n..(j - k + 1) * n] } else { buf.z };
        apply_operator(run, mode, vj, buf.q, zslot)?;
        let hj = &mut hess.col(j)[..j + 1];
        kernels::block_dot(&par, done, j + 1, buf.q, hj);
        run.space.reduce_slice(hj);
        let mut qq = run.space.reduce([kernels::block_axpy(&par, done, hj, -1.0, buf.q)])[0];
        let before = (qq + hj.iter().map(|v| v * v).sum::<f64>()).sqrt();
        let second_pass = match reorth {
            Reorthogonalization::Never => false,
            Reorthogonalization::IfNeeded => qq.sqrt() < DGKS * before,
            Reorthogonalization::Always => true,
        };
        if second_pass {
            let h2j = &mut h2[..j + 1];
            kernels::block_dot(&par, done, j + 1, buf.q, h2j);
            run.space.reduce_slice(h2j);
            qq = run.space.reduce([kernels::block_axpy(&par, done, h2j, -1.0, buf.q)])[0];
            let hj = &mut hess.col(j)[..j + 1];
            hj.iter_mut().zip(h2j.iter()).for_each(|(a, b)| *a += b);
        }
        let hnext = qq.sqrt();
        hess.col(j)[j + 1] = hnext;
        let res = hess.rotate(j);
        cols = j + 1;
        let stop = run.after_iteration(res)?;
        // A vanishing new direction means the Krylov space is invariant: x is exact in it.
        let invariant = hnext <= 1e-14 * before;
        if !invariant {
            // Written also after the last step: GCRO-DR's refresh uses all of W = [C | V_(m+1)].
            kernels::scale_into(&par, 1.0 / hnext, buf.q, &mut rest[..n]);
        }
        if stop.is_some() || invariant || j + 1 == m {
            return Ok((cols, stop));
        }
    }
    Ok((cols, None))
}

/// `r = b - A x` (or `M^{-1}(b - A x)` in left mode); returns its norm. `z` is scratch.
pub(crate) fn monitored_residual(
    run: &mut Run,
    b: &[f64],
    x: &[f64],
    r: &mut [f64],
    z: &mut [f64],
    zero_guess: bool,
    mode: Mode,
) -> Step<f64> {
    let norm = run.residual_or_rhs(b, x, r, zero_guess)?;
    if mode != Mode::Left {
        return Ok(norm);
    }
    run.precond(r, z)?;
    r.copy_from_slice(z);
    Ok(run.space.norm(r))
}

/// Ends a restart cycle: a soft stop of the cycle other than convergence ends the solve;
/// otherwise the true (monitored) residual is recomputed into `r`, which confirms convergence
/// or detects the iteration limit or a cycle that made no progress. `Ok(Err(beta))` means
/// "restart from `r`, of norm `beta`".
#[allow(clippy::too_many_arguments)]
pub(crate) fn end_cycle(
    run: &mut Run,
    stop: Option<Termination>,
    b: &[f64],
    x: &[f64],
    r: &mut [f64],
    z: &mut [f64],
    mode: Mode,
    beta: f64,
) -> Step<Result<Termination, f64>> {
    if let Some(t) = stop.filter(|t| !t.converged()) {
        return Ok(Ok(t));
    }
    let new_beta = monitored_residual(run, b, x, r, z, false, mode)?;
    run.report.residual_norm = new_beta;
    if let Some(t) = run.converged(new_beta) {
        return Ok(Ok(t));
    }
    if run.report.iterations >= run.max_iterations {
        return Ok(Ok(Termination::MaxIterations));
    }
    if new_beta >= beta * (1.0 - 1e-13) {
        return Ok(Ok(Termination::Stagnation));
    }
    Ok(Err(new_beta))
}

/// Left preconditioning monitors `M^{-1} r` against `rtol * ||M^{-1} b||`: set that reference.
pub(crate) fn set_left_reference(run: &mut Run, b: &[f64], z: &mut [f64], mode: Mode) -> Step<()> {
    if mode == Mode::Left {
        run.precond(b, z)?;
        let reference = run.space.norm(z);
        run.set_reference_norm(reference);
    }
    Ok(())
}

/// `x += (M^{-1}) sum_t B_t y_t` for terms `(B_t, y_t)` (the first `y_t.len()` columns of each
/// `n`-row block `B_t`); in flexible mode the single term is `(Z, y)` and no `M^{-1}` is applied.
/// `q`, `z` are scratch.
pub(crate) fn add_correction(
    run: &mut Run,
    mode: Mode,
    terms: &[(&[f64], &[f64])],
    x: &mut [f64],
    q: &mut [f64],
    z: &mut [f64],
) -> Step<()> {
    let par = run.space.par().clone();
    match mode {
        Mode::Right => {
            q.iter_mut().for_each(|t| *t = 0.0);
            for (basis, y) in terms {
                kernels::block_axpy(&par, basis, y, 1.0, q);
            }
            run.precond(q, z)?;
            kernels::axpy(&par, 1.0, z, x);
        }
        Mode::None | Mode::Left | Mode::Flexible => {
            for (basis, y) in terms {
                kernels::block_axpy(&par, basis, y, 1.0, x);
            }
        }
    }
    Ok(())
}

//! Restarted GMRES(m) and flexible GMRES(m) (Saad 1993), sharing one Arnoldi cycle.
//!
//! Orthogonalisation is classical Gram-Schmidt, one batched reduction per pass instead of one
//! per basis vector (what a distributed run needs), with an optional second pass (never, when
//! the DGKS criterion asks for it, or always).

use super::run::{Run, Step};
use super::workspace::{resize, Workspace};
use super::{PreconditionerSide, Reorthogonalization, Termination};
use crate::linalg::kernels;

/// Re-orthogonalise when Gram-Schmidt removed more than this share of `w`'s norm.
const DGKS: f64 = 0.7;

/// Where the preconditioner enters the Arnoldi recurrence.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    None,
    Left,
    Right,
    Flexible,
}

/// The small least-squares problem `min ||beta e1 - H y||`, kept triangular by Givens rotations.
struct Hessenberg {
    m: usize,
    h: Vec<f64>,
    cs: Vec<f64>,
    sn: Vec<f64>,
    g: Vec<f64>,
}

impl Hessenberg {
    fn new(m: usize) -> Self {
        Hessenberg { m, h: vec![0.0; (m + 1) * m], cs: vec![0.0; m], sn: vec![0.0; m], g: vec![0.0; m + 1] }
    }
    fn reset(&mut self, beta: f64) {
        self.g.iter_mut().for_each(|v| *v = 0.0);
        self.g[0] = beta;
    }
    fn col(&mut self, j: usize) -> &mut [f64] {
        let m1 = self.m + 1;
        &mut self.h[j * m1..(j + 1) * m1]
    }
    /// Triangularises column `j` (entries `0..=j+1` already set); returns the new residual norm.
    fn rotate(&mut self, j: usize) -> f64 {
        let (cs, sn) = (self.cs.clone(), self.sn.clone());
        let col = self.col(j);
        for i in 0..j {
            let (a, b) = (col[i], col[i + 1]);
            col[i] = cs[i] * a + sn[i] * b;
            col[i + 1] = -sn[i] * a + cs[i] * b;
        }
        let (a, b) = (col[j], col[j + 1]);
        let d = a.hypot(b);
        let (c, s) = if d == 0.0 { (1.0, 0.0) } else { (a / d, b / d) };
        col[j] = d;
        col[j + 1] = 0.0;
        self.cs[j] = c;
        self.sn[j] = s;
        let gj = self.g[j];
        self.g[j] = c * gj;
        self.g[j + 1] = -s * gj;
        self.g[j + 1].abs()
    }
    /// Solves the `k x k` triangular system for the update coefficients.
    fn solve(&self, k: usize) -> Vec<f64> {
        let m1 = self.m + 1;
        let mut y = self.g[..k].to_vec();
        for i in (0..k).rev() {
            for l in i + 1..k {
                y[i] -= self.h[l * m1 + i] * y[l];
            }
            y[i] /= self.h[i * m1 + i];
        }
        y
    }
}

/// Runs GMRES(m) (`flexible = false`) or FGMRES(m) from `w.x`.
pub(crate) fn solve(
    run: &mut Run,
    w: &mut Workspace,
    b: &[f64],
    zero_guess: bool,
    restart: usize,
    side: PreconditionerSide,
    flexible: bool,
    reorth: Reorthogonalization,
) -> Step<Termination> {
    let n = b.len();
    let m = restart.min(n);
    let mode = match (run.m.is_identity(), flexible, side) {
        (true, _, _) => Mode::None,
        (false, true, _) => Mode::Flexible,
        (false, false, PreconditionerSide::Left) => Mode::Left,
        (false, false, PreconditionerSide::Right) => Mode::Right,
    };
    let Workspace { x, r, q, z, basis, zbasis, .. } = w;
    for v in [&mut *r, &mut *q, &mut *z] {
        resize(v, n);
    }
    resize(basis, n * (m + 1));
    if mode == Mode::Flexible {
        resize(zbasis, n * m);
    }
    let par = run.space.par().clone();

    // Left preconditioning monitors M^{-1} r against rtol * ||M^{-1} b||.
    if mode == Mode::Left {
        run.precond(b, z)?;
        let reference = run.space.norm(z);
        run.set_reference_norm(reference);
    }
    let mut beta = monitored_residual(run, b, x, r, z, zero_guess, mode)?;
    run.report.initial_residual_norm = beta;
    run.report.residual_norm = beta;
    if let Some(t) = run.converged(beta) {
        return Ok(t);
    }
    let mut hess = Hessenberg::new(m);
    let mut h2 = vec![0.0; m + 1];
    loop {
        kernels::scale_into(&par, 1.0 / beta, r, &mut basis[..n]);
        hess.reset(beta);
        let mut k = 0;
        let mut stop = None;
        for j in 0..m {
            // q = (operator) v_j, in the form the mode asks for.
            let (done, rest) = basis.split_at_mut((j + 1) * n);
            let vj = &done[j * n..];
            match mode {
                Mode::None => run.matvec(vj, q)?,
                Mode::Left => {
                    run.matvec(vj, z)?;
                    run.precond(z, q)?;
                }
                Mode::Right => {
                    run.precond(vj, z)?;
                    run.matvec(z, q)?;
                }
                Mode::Flexible => {
                    let zj = &mut zbasis[j * n..(j + 1) * n];
                    run.precond(vj, zj)?;
                    run.matvec(zj, q)?;
                }
            }
            // Classical Gram-Schmidt, repeated once when it cancelled most of q (DGKS).
            let hj = &mut hess.col(j)[..j + 1];
            kernels::block_dot(&par, done, j + 1, q, hj);
            run.space.reduce_slice(hj);
            let mut qq = run.space.reduce([kernels::block_axpy(&par, done, hj, -1.0, q)])[0];
            let before = (qq + hj.iter().map(|v| v * v).sum::<f64>()).sqrt();
            let second_pass = match reorth {
                Reorthogonalization::Never => false,
                Reorthogonalization::IfNeeded => qq.sqrt() < DGKS * before,
                Reorthogonalization::Always => true,
            };
            if second_pass {
                let h2j = &mut h2[..j + 1];
                kernels::block_dot(&par, done, j + 1, q, h2j);
                run.space.reduce_slice(h2j);
                qq = run.space.reduce([kernels::block_axpy(&par, done, h2j, -1.0, q)])[0];
                let hj = &mut hess.col(j)[..j + 1];
                hj.iter_mut().zip(h2j.iter()).for_each(|(a, b)| *a += b);
            }
            let hnext = qq.sqrt();
            hess.col(j)[j + 1] = hnext;
            let res = hess.rotate(j);
            k = j + 1;
            stop = run.after_iteration(res)?;
            // A vanishing new direction means the Krylov space is invariant: x is exact in it.
            let invariant = hnext <= 1e-14 * before;
            if stop.is_some() || invariant || j + 1 == m {
                break;
            }
            kernels::scale_into(&par, 1.0 / hnext, q, &mut rest[..n]);
        }
        // x += (M^{-1}) V y, or Z y for the flexible variant.
        let y = hess.solve(k);
        match mode {
            Mode::Flexible => {
                kernels::block_axpy(&par, zbasis, &y, 1.0, x);
            }
            Mode::Right => {
                q.iter_mut().for_each(|v| *v = 0.0);
                kernels::block_axpy(&par, basis, &y, 1.0, q);
                run.precond(q, z)?;
                kernels::axpy(&par, 1.0, z, x);
            }
            Mode::None | Mode::Left => {
                kernels::block_axpy(&par, basis, &y, 1.0, x);
            }
        }
        if let Some(t) = stop.as_ref().filter(|t| !t.converged()) {
            return Ok(t.clone());
        }
        // Restart from the true (monitored) residual, which also confirms convergence.
        let new_beta = monitored_residual(run, b, x, r, z, false, mode)?;
        run.report.residual_norm = new_beta;
        if let Some(t) = run.converged(new_beta) {
            return Ok(t);
        }
        if run.report.iterations >= run.max_iterations {
            return Ok(Termination::MaxIterations);
        }
        if new_beta >= beta * (1.0 - 1e-13) {
            return Ok(Termination::Stagnation);
        }
        beta = new_beta;
    }
}

/// `r = b - A x` (or `M^{-1}(b - A x)` for left preconditioning); returns its norm. Uses `z` as
/// scratch.
fn monitored_residual(
    run: &mut Run,
    b: &[f64],
    x: &[f64],
    r: &mut [f64],
    z: &mut [f64],
    zero_guess: bool,
    mode: Mode,
) -> Step<f64> {
    let norm = if zero_guess {
        r.copy_from_slice(b);
        run.space.norm(r)
    } else {
        run.residual(b, x, r)?
    };
    if mode != Mode::Left {
        return Ok(norm);
    }
    run.precond(r, z)?;
    r.copy_from_slice(z);
    Ok(run.space.norm(r))
}

#[cfg(test)]
mod tests {
    use super::Hessenberg;

    #[test]
    fn givens_least_squares_matches_normal_equations() {
        // min || beta e1 - H y || for a 4 x 3 upper Hessenberg H, against the normal equations.
        let h = [[2.0, 1.0, 0.0, 0.0], [1.0, 3.0, 0.5, 0.0], [0.5, -1.0, 2.0, 0.25]];
        let beta = 1.5;
        let mut hs = Hessenberg::new(3);
        hs.reset(beta);
        let mut res = 0.0;
        for (j, col) in h.iter().enumerate() {
            hs.col(j)[..4].copy_from_slice(col);
            res = hs.rotate(j);
        }
        let y = hs.solve(3);
        // Residual of the solution, computed directly.
        let mut r = [beta, 0.0, 0.0, 0.0];
        for (j, col) in h.iter().enumerate() {
            for i in 0..4 {
                r[i] -= col[i] * y[j];
            }
        }
        let direct = r.iter().map(|v| v * v).sum::<f64>().sqrt();
        assert!((direct - res).abs() < 1e-14, "Givens residual {res} vs direct {direct}");
        // Optimality: H^T r = 0.
        for col in &h {
            let g: f64 = (0..4).map(|i| col[i] * r[i]).sum();
            assert!(g.abs() < 1e-14);
        }
    }
}

//! Restarted GMRES(m) and flexible GMRES(m) (Saad 1993): Arnoldi cycles (see [`super::arnoldi`])
//! restarted from the true residual.

use super::arnoldi::{self, CycleBuffers, Hessenberg, Mode};
use super::run::{Run, Step};
use super::workspace::{resize, Workspace};
use super::{PreconditionerSide, Reorthogonalization, Termination};
use crate::linalg::kernels;

/// Runs GMRES(m) (`flexible = false`) or FGMRES(m) from `w.x`.
#[allow(clippy::too_many_arguments)]
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
    let mode = Mode::new(run.m.is_identity(), flexible, side);
    let Workspace { x, r, q, z, basis, zbasis, .. } = w;
    for v in [&mut *r, &mut *q, &mut *z] {
        resize(v, n);
    }
    resize(basis, n * (m + 1));
    if mode == Mode::Flexible {
        resize(zbasis, n * m);
    }
    let par = run.space.par().clone();
    arnoldi::set_left_reference(run, b, z, mode)?;
    let mut beta = arnoldi::monitored_residual(run, b, x, r, z, zero_guess, mode)?;
    if let Some(t) = run.start_from(beta) {
        return Ok(t);
    }
    let mut hess = Hessenberg::new(m);
    loop {
        kernels::scale_into(&par, 1.0 / beta, r, &mut basis[..n]);
        hess.reset(&[beta]);
        let mut buf = CycleBuffers { basis, zbasis, q, z };
        let (cols, stop) = arnoldi::cycle(run, &mut buf, &mut hess, 0, m, mode, reorth)?;
        let y = hess.solve(cols);
        let solution_basis: &[f64] = if mode == Mode::Flexible { zbasis } else { basis };
        arnoldi::add_correction(run, mode, &[(solution_basis, &y)], x, q, z)?;
        match arnoldi::end_cycle(run, stop, b, x, r, z, mode, beta)? {
            Ok(t) => return Ok(t),
            Err(new_beta) => beta = new_beta,
        }
    }
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
        hs.reset(&[beta]);
        let mut res = 0.0;
        for (j, col) in h.iter().enumerate() {
            hs.col(j)[..4].copy_from_slice(col);
            res = hs.rotate(j);
        }
        let y = hs.solve(3);
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
        assert_eq!(&hs.raw()[..4], &h[0], "the unrotated G is kept");
    }
}

//! MINRES (Paige and Saunders 1975) for symmetric, possibly indefinite, systems `A x = b`
//! with an optional symmetric positive definite preconditioner `M`: the solver of saddle-point
//! (KKT) systems, where CG breaks down and GMRES would keep every basis vector.
//!
//! Written over closures so a caller's own error type (an oracle's stop) passes through
//! untouched. The recurrences follow Paige-Saunders / scipy's `minres`.

use crate::linalg::{kernels, Par};

/// What a MINRES run reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinresOutcome {
    /// Iterations (one product with `A` and one with `M^{-1}` each).
    pub iterations: usize,
    /// The recurrence's residual estimate `||b - A x||_{M^{-1}}` (the 2-norm without `M`).
    pub residual_estimate: f64,
    /// Whether the estimate reached the tolerance.
    pub converged: bool,
}

/// `y = A x` or `z = M^{-1} r`; an `Err` stops MINRES and is returned as is.
pub type Apply<'f, E> = dyn FnMut(&[f64], &mut [f64]) -> Result<(), E> + 'f;

/// Improves `x` towards `A x = b` until the residual estimate is `<= tol` (absolute) or
/// `max_iterations` iterations. `A` must be symmetric and `M` (when given) symmetric positive
/// definite; a non-positive `r^T M^{-1} r` stops the run (not converged).
pub fn minres<E>(
    apply: &mut Apply<E>,
    mut precondition: Option<&mut Apply<E>>,
    b: &[f64],
    x: &mut [f64],
    tol: f64,
    max_iterations: usize,
) -> Result<MinresOutcome, E> {
    let par = Par::current();
    let n = b.len();
    let dot = |u: &[f64], v: &[f64]| kernels::dot(&par, u, v);
    let mut r1 = vec![0.0; n];
    apply(x, &mut r1)?;
    r1.iter_mut().zip(b).for_each(|(r, bi)| *r = bi - *r);
    let mut y = vec![0.0; n];
    let mut prec = |r: &[f64], z: &mut [f64]| -> Result<(), E> {
        match precondition.as_mut() {
            Some(p) => p(r, z),
            None => {
                z.copy_from_slice(r);
                Ok(())
            }
        }
    };
    prec(&r1, &mut y)?;
    let beta1 = dot(&r1, &y);
    let mut outcome = MinresOutcome { iterations: 0, residual_estimate: beta1.max(0.0).sqrt(), converged: false };
    if !(beta1 > 0.0) || outcome.residual_estimate <= tol {
        outcome.converged = beta1 == 0.0 || outcome.residual_estimate <= tol;
        return Ok(outcome);
    }
    let beta1 = beta1.sqrt();
    let (mut oldb, mut beta, mut dbar, mut epsln, mut phibar) = (0.0, beta1, 0.0, 0.0, beta1);
    let (mut cs, mut sn) = (-1.0, 0.0);
    let mut r2 = r1.clone();
    let (mut v, mut w, mut w1, mut w2) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    while outcome.iterations < max_iterations {
        outcome.iterations += 1;
        let s = 1.0 / beta;
        v.iter_mut().zip(&y).for_each(|(vi, yi)| *vi = s * yi);
        apply(&v, &mut y)?;
        if outcome.iterations >= 2 {
            kernels::axpy(&par, -beta / oldb, &r1, &mut y);
        }
        let alfa = dot(&v, &y);
        kernels::axpy(&par, -alfa / beta, &r2, &mut y);
        std::mem::swap(&mut r1, &mut r2);
        r2.copy_from_slice(&y);
        prec(&r2, &mut y)?;
        oldb = beta;
        let b2 = dot(&r2, &y);
        if !(b2 >= 0.0) {
            break; // M is not positive definite on this vector
        }
        beta = b2.sqrt();
        let oldeps = epsln;
        let delta = cs * dbar + sn * alfa;
        let gbar = sn * dbar - cs * alfa;
        epsln = sn * beta;
        dbar = -cs * beta;
        let gamma = gbar.hypot(beta).max(f64::EPSILON);
        cs = gbar / gamma;
        sn = beta / gamma;
        let phi = cs * phibar;
        phibar *= sn;
        std::mem::swap(&mut w1, &mut w2);
        std::mem::swap(&mut w2, &mut w);
        // w = (v - oldeps w1 - delta w2) / gamma, with w1, w2 the two previous directions.
        for i in 0..n {
            w[i] = (v[i] - oldeps * w1[i] - delta * w2[i]) / gamma;
        }
        kernels::axpy(&par, phi, &w, x);
        outcome.residual_estimate = phibar;
        if phibar <= tol {
            outcome.converged = true;
            break;
        }
        if beta == 0.0 {
            break; // exact Krylov space exhausted
        }
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A symmetric indefinite saddle-point matrix, dense, column-major.
    fn saddle(n: usize, m: usize) -> Vec<f64> {
        let k = n + m;
        let mut a = vec![0.0; k * k];
        for i in 0..n {
            a[i + k * i] = 2.0 + i as f64;
            if i + 1 < n {
                a[i + 1 + k * i] = -1.0;
                a[i + k * (i + 1)] = -1.0;
            }
        }
        for r in 0..m {
            for j in 0..n {
                let v = ((r * 7 + j * 3) % 5) as f64 - 2.0 + if j == r { 4.0 } else { 0.0 };
                a[n + r + k * j] = v;
                a[j + k * (n + r)] = v;
            }
        }
        a
    }

    #[test]
    fn solves_a_saddle_point_system_to_the_dense_solution() {
        let (n, m) = (12, 4);
        let k = n + m;
        let a = saddle(n, m);
        let xs: Vec<f64> = (0..k).map(|i| (i as f64 * 0.37).sin()).collect();
        let b: Vec<f64> = (0..k).map(|i| (0..k).map(|j| a[i + k * j] * xs[j]).sum()).collect();
        let mut apply = |x: &[f64], y: &mut [f64]| -> Result<(), ()> {
            for i in 0..k {
                y[i] = (0..k).map(|j| a[i + k * j] * x[j]).sum();
            }
            Ok(())
        };
        let mut x = vec![0.0; k];
        let out = minres(&mut apply, None, &b, &mut x, 1e-12, 200).unwrap();
        assert!(out.converged, "{out:?}");
        let err = x.iter().zip(&xs).map(|(u, v)| (u - v).abs()).fold(0.0, f64::max);
        assert!(err < 1e-9, "max error {err}");
        // Exact arithmetic needs at most k iterations; allow rounding slack.
        assert!(out.iterations <= 2 * k, "{out:?}");
        // A diagonal SPD preconditioner gives the same solution.
        let diag: Vec<f64> = (0..k).map(|i| a[i + k * i].abs().max(1.0)).collect();
        let mut prec = |r: &[f64], z: &mut [f64]| -> Result<(), ()> {
            z.iter_mut().zip(r).zip(&diag).for_each(|((zi, ri), d)| *zi = ri / d);
            Ok(())
        };
        let mut x2 = vec![0.0; k];
        let out = minres(&mut apply, Some(&mut prec), &b, &mut x2, 1e-12, 200).unwrap();
        assert!(out.converged);
        let err = x2.iter().zip(&xs).map(|(u, v)| (u - v).abs()).fold(0.0, f64::max);
        assert!(err < 1e-9, "preconditioned max error {err}");
    }

    #[test]
    fn an_error_from_the_operator_is_returned_as_is() {
        let mut apply = |_: &[f64], _: &mut [f64]| -> Result<(), i32> { Err(7) };
        let mut x = vec![0.0; 3];
        assert_eq!(minres(&mut apply, None, &[1.0, 2.0, 3.0], &mut x, 1e-8, 10), Err(7));
    }
}

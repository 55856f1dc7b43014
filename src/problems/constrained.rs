//! Equality-constrained test problems `min f(x) s.t. c(x) = 0` from W. Hock and
//! K. Schittkowski, "Test examples for nonlinear programming codes", Lecture Notes in Economics
//! and Mathematical Systems 187 (1981), numbered as there, with their standard starting points,
//! published optimal values and (rounded) published solutions.
//!
//! Objective and constraints are written once over [`Scalar`], so gradients and constraint
//! Jacobians are exact by forward-mode dual numbers (`n` passes; these problems are small).
//! This is the test set of the equality-constrained solver (issue 8); the solver itself is
//! not built yet.

use super::nonlinear::{dense_jacobian, Dual, GenericResidual, Scalar};

/// Which problem.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Hs {
    P6,
    P7,
    P9,
    P26,
    P27,
    P28,
    P39,
    P40,
    P42,
    P46,
    P47,
    P48,
    P49,
    P50,
    P51,
    P52,
    P56,
    P61,
    P77,
    P78,
    P79,
}

/// One Hock-Schittkowski problem with equality constraints only.
#[derive(Clone, Debug)]
pub struct ConstrainedProblem {
    /// `"hs6"`, `"hs7"`, ...
    pub name: &'static str,
    /// Unknowns.
    pub n: usize,
    /// Equality constraints.
    pub m: usize,
    /// The standard starting point.
    pub x0: Vec<f64>,
    /// The published optimal value.
    pub f_star: f64,
    /// The published solution (to the digits Hock and Schittkowski print).
    pub x_star: Vec<f64>,
    kind: Hs,
}

fn sq<T: Scalar>(t: T) -> T {
    t * t
}

fn pow<T: Scalar>(t: T, k: u32) -> T {
    (1..k).fold(t, |acc, _| acc * t)
}

impl ConstrainedProblem {
    /// `f(x)` over any [`Scalar`].
    pub fn objective<T: Scalar>(&self, x: &[T]) -> T {
        let c = T::c;
        let one = c(1.0);
        match self.kind {
            Hs::P6 => sq(one - x[0]),
            Hs::P7 => (one + sq(x[0])).ln() - x[1],
            Hs::P9 => (c(std::f64::consts::PI / 12.0) * x[0]).sin() * (c(std::f64::consts::PI / 16.0) * x[1]).cos(),
            Hs::P26 => sq(x[0] - x[1]) + pow(x[1] - x[2], 4),
            Hs::P27 => c(0.01) * sq(x[0] - one) + sq(x[1] - sq(x[0])),
            Hs::P28 => sq(x[0] + x[1]) + sq(x[1] + x[2]),
            Hs::P39 => -x[0],
            Hs::P40 => -(x[0] * x[1] * x[2] * x[3]),
            Hs::P42 => sq(x[0] - one) + sq(x[1] - c(2.0)) + sq(x[2] - c(3.0)) + sq(x[3] - c(4.0)),
            Hs::P46 | Hs::P49 => sq(x[0] - x[1]) + sq(x[2] - one) + pow(x[3] - one, 4) + pow(x[4] - one, 6),
            Hs::P47 => sq(x[0] - x[1]) + pow(x[1] - x[2], 3) + pow(x[2] - x[3], 4) + pow(x[3] - x[4], 4),
            Hs::P48 => sq(x[0] - one) + sq(x[1] - x[2]) + sq(x[3] - x[4]),
            Hs::P50 => sq(x[0] - x[1]) + sq(x[1] - x[2]) + pow(x[2] - x[3], 4) + sq(x[3] - x[4]),
            Hs::P51 => sq(x[0] - x[1]) + sq(x[1] + x[2] - c(2.0)) + sq(x[3] - one) + sq(x[4] - one),
            Hs::P52 => sq(c(4.0) * x[0] - x[1]) + sq(x[1] + x[2] - c(2.0)) + sq(x[3] - one) + sq(x[4] - one),
            Hs::P56 => -(x[0] * x[1] * x[2]),
            Hs::P61 => {
                c(4.0) * sq(x[0]) + c(2.0) * sq(x[1]) + c(2.0) * sq(x[2]) - c(33.0) * x[0] + c(16.0) * x[1] - c(24.0) * x[2]
            }
            Hs::P77 => sq(x[0] - one) + sq(x[0] - x[1]) + sq(x[2] - one) + pow(x[3] - one, 4) + pow(x[4] - one, 6),
            Hs::P78 => x[0] * x[1] * x[2] * x[3] * x[4],
            Hs::P79 => sq(x[0] - one) + sq(x[0] - x[1]) + sq(x[1] - x[2]) + pow(x[2] - x[3], 4) + pow(x[3] - x[4], 4),
        }
    }

    /// `c(x)` (length `m`) over any [`Scalar`].
    pub fn constraints<T: Scalar>(&self, x: &[T], out: &mut [T]) {
        let c = T::c;
        let one = c(1.0);
        let s2 = 2f64.sqrt();
        match self.kind {
            Hs::P6 => out[0] = c(10.0) * (x[1] - sq(x[0])),
            Hs::P7 => out[0] = sq(one + sq(x[0])) + sq(x[1]) - c(4.0),
            Hs::P9 => out[0] = c(4.0) * x[0] - c(3.0) * x[1],
            Hs::P26 => out[0] = (one + sq(x[1])) * x[0] + pow(x[2], 4) - c(3.0),
            Hs::P27 => out[0] = x[0] + sq(x[2]) + one,
            Hs::P28 => out[0] = x[0] + c(2.0) * x[1] + c(3.0) * x[2] - one,
            Hs::P39 => {
                out[0] = x[1] - pow(x[0], 3) - sq(x[2]);
                out[1] = sq(x[0]) - x[1] - sq(x[3]);
            }
            Hs::P40 => {
                out[0] = pow(x[0], 3) + sq(x[1]) - one;
                out[1] = sq(x[0]) * x[3] - x[2];
                out[2] = sq(x[3]) - x[1];
            }
            Hs::P42 => {
                out[0] = x[0] - c(2.0);
                out[1] = sq(x[2]) + sq(x[3]) - c(2.0);
            }
            Hs::P46 => {
                out[0] = sq(x[0]) * x[3] + (x[3] - x[4]).sin() - one;
                out[1] = x[1] + pow(x[2], 4) * sq(x[3]) - c(2.0);
            }
            Hs::P47 => {
                out[0] = x[0] + sq(x[1]) + pow(x[2], 3) - c(3.0);
                out[1] = x[1] - sq(x[2]) + x[3] - one;
                out[2] = x[0] * x[4] - one;
            }
            Hs::P48 => {
                out[0] = x[0] + x[1] + x[2] + x[3] + x[4] - c(5.0);
                out[1] = x[2] - c(2.0) * (x[3] + x[4]) + c(3.0);
            }
            Hs::P49 => {
                out[0] = x[0] + x[1] + x[2] + c(4.0) * x[3] - c(7.0);
                out[1] = x[2] + c(5.0) * x[4] - c(6.0);
            }
            Hs::P50 => {
                out[0] = x[0] + c(2.0) * x[1] + c(3.0) * x[2] - c(6.0);
                out[1] = x[1] + c(2.0) * x[2] + c(3.0) * x[3] - c(6.0);
                out[2] = x[2] + c(2.0) * x[3] + c(3.0) * x[4] - c(6.0);
            }
            Hs::P51 | Hs::P52 => {
                out[0] = x[0] + c(3.0) * x[1] - c(if self.kind == Hs::P51 { 4.0 } else { 0.0 });
                out[1] = x[2] + x[3] - c(2.0) * x[4];
                out[2] = x[1] - x[4];
            }
            Hs::P56 => {
                let s = |t: T| sq(t.sin());
                out[0] = x[0] - c(4.2) * s(x[3]);
                out[1] = x[1] - c(4.2) * s(x[4]);
                out[2] = x[2] - c(4.2) * s(x[5]);
                out[3] = x[0] + c(2.0) * x[1] + c(2.0) * x[2] - c(7.2) * s(x[6]);
            }
            Hs::P61 => {
                out[0] = c(3.0) * x[0] - c(2.0) * sq(x[1]) - c(7.0);
                out[1] = c(4.0) * x[0] - sq(x[2]) - c(11.0);
            }
            Hs::P77 => {
                out[0] = sq(x[0]) * x[3] + (x[3] - x[4]).sin() - c(2.0 * s2);
                out[1] = x[1] + pow(x[2], 4) * sq(x[3]) - c(8.0 + s2);
            }
            Hs::P78 => {
                out[0] = x.iter().fold(c(0.0), |acc, &t| acc + sq(t)) - c(10.0);
                out[1] = x[1] * x[2] - c(5.0) * x[3] * x[4];
                out[2] = pow(x[0], 3) + pow(x[1], 3) + one;
            }
            Hs::P79 => {
                out[0] = x[0] + sq(x[1]) + pow(x[2], 3) - c(2.0 + 3.0 * s2);
                out[1] = x[1] - sq(x[2]) + x[3] + c(2.0 - 2.0 * s2);
                out[2] = x[0] * x[4] - c(2.0);
            }
        }
    }

    /// `f(x)`.
    pub fn value(&self, x: &[f64]) -> f64 {
        self.objective(x)
    }

    /// `grad f(x)` by `n` dual passes.
    pub fn gradient(&self, x: &[f64]) -> Vec<f64> {
        (0..x.len()).map(|j| self.objective(&seeded(x, j)).d).collect()
    }

    /// `c(x)`.
    pub fn constraint_values(&self, x: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.m];
        self.constraints(x, &mut out);
        out
    }

    /// The constraint Jacobian (`m x n`, column-major) by `n` dual passes.
    pub fn jacobian(&self, x: &[f64]) -> Vec<f64> {
        dense_jacobian(self, x)
    }
}

/// The constraints as a residual map, for the shared forward-mode Jacobian.
impl GenericResidual for ConstrainedProblem {
    fn len(&self, _n: usize) -> usize {
        self.m
    }
    fn eval<T: Scalar>(&self, x: &[T], c: &mut [T]) {
        self.constraints(x, c)
    }
}

/// `x` as dual numbers with derivative direction `e_j`.
fn seeded(x: &[f64], j: usize) -> Vec<Dual> {
    x.iter().enumerate().map(|(i, &v)| Dual { v, d: (i == j) as u8 as f64 }).collect()
}

fn problem(name: &'static str, kind: Hs, m: usize, x0: Vec<f64>, f_star: f64, x_star: Vec<f64>) -> ConstrainedProblem {
    ConstrainedProblem { name, n: x0.len(), m, x0, f_star, x_star, kind }
}

/// The equality-constrained Hock-Schittkowski problems of the set, with the published data.
pub fn hock_schittkowski_set() -> Vec<ConstrainedProblem> {
    let s2 = 2f64.sqrt();
    let a = (1.0f64 / 4.2).sqrt().asin();
    let b = (5.0f64 / 7.2).sqrt().asin();
    vec![
        problem("hs6", Hs::P6, 1, vec![-1.2, 1.0], 0.0, vec![1.0, 1.0]),
        problem("hs7", Hs::P7, 1, vec![2.0, 2.0], -3f64.sqrt(), vec![0.0, 3f64.sqrt()]),
        problem("hs9", Hs::P9, 1, vec![0.0, 0.0], -0.5, vec![-3.0, -4.0]),
        problem("hs26", Hs::P26, 1, vec![-2.6, 2.0, 2.0], 0.0, vec![1.0, 1.0, 1.0]),
        problem("hs27", Hs::P27, 1, vec![2.0, 2.0, 2.0], 0.04, vec![-1.0, 1.0, 0.0]),
        problem("hs28", Hs::P28, 1, vec![-4.0, 1.0, 1.0], 0.0, vec![0.5, -0.5, 0.5]),
        problem("hs39", Hs::P39, 2, vec![2.0; 4], -1.0, vec![1.0, 1.0, 0.0, 0.0]),
        problem(
            "hs40",
            Hs::P40,
            3,
            vec![0.8; 4],
            -0.25,
            vec![2f64.powf(-1.0 / 3.0), 2f64.powf(-0.5), 2f64.powf(-11.0 / 12.0), 2f64.powf(-0.25)],
        ),
        problem("hs42", Hs::P42, 2, vec![1.0; 4], 28.0 - 10.0 * s2, vec![2.0, 2.0, 0.6 * s2, 0.8 * s2]),
        problem("hs46", Hs::P46, 2, vec![0.5 * s2, 1.75, 0.5, 2.0, 2.0], 0.0, vec![1.0; 5]),
        problem("hs47", Hs::P47, 3, vec![2.0, s2, -1.0, 2.0 - s2, 0.5], 0.0, vec![1.0; 5]),
        problem("hs48", Hs::P48, 2, vec![3.0, 5.0, -3.0, 2.0, -2.0], 0.0, vec![1.0; 5]),
        problem("hs49", Hs::P49, 2, vec![10.0, 7.0, 2.0, -3.0, 0.8], 0.0, vec![1.0; 5]),
        problem("hs50", Hs::P50, 3, vec![35.0, -31.0, 11.0, 5.0, -5.0], 0.0, vec![1.0; 5]),
        problem("hs51", Hs::P51, 3, vec![2.5, 0.5, 2.0, -1.0, 0.5], 0.0, vec![1.0; 5]),
        problem(
            "hs52",
            Hs::P52,
            3,
            vec![2.0; 5],
            1859.0 / 349.0,
            [-33.0, 11.0, 180.0, -158.0, 11.0].iter().map(|v| v / 349.0).collect(),
        ),
        problem(
            "hs56",
            Hs::P56,
            4,
            vec![1.0, 1.0, 1.0, a, a, a, b],
            -3.456,
            vec![2.4, 1.2, 1.2, (2.4f64 / 4.2).sqrt().asin(), (1.2f64 / 4.2).sqrt().asin(), (1.2f64 / 4.2).sqrt().asin(), std::f64::consts::FRAC_PI_2],
        ),
        problem("hs61", Hs::P61, 2, vec![0.0; 3], -143.6461422, vec![5.326770157, -2.118998639, 3.210464239]),
        problem("hs77", Hs::P77, 2, vec![2.0; 5], 0.24150513, vec![1.166172, 1.182111, 1.380257, 1.506036, 0.6109203]),
        problem("hs78", Hs::P78, 3, vec![-2.0, 1.5, 2.0, -1.0, -1.0], -2.91970041, vec![-1.717142, 1.595708, 1.827248, -0.7636429, -0.7636435]),
        problem("hs79", Hs::P79, 3, vec![2.0; 5], 0.0787768209, vec![1.191127, 1.362603, 1.472818, 1.635017, 1.679081]),
    ]
}

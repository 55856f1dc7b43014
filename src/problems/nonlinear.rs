//! Nonlinear systems and least-squares problems written from their published formulas, as
//! [`NonlinearSystem`]s with exact Jacobian products.
//!
//! * [`Bratu`]: the 2D Bratu (solid-fuel ignition) problem `-Laplace(u) = lambda e^u` on the
//!   unit square, zero Dirichlet boundary, 5-point differences (PETSc's SNES tutorial ex5,
//!   whose starting guess it also uses). It has solutions for `lambda` below about 6.808.
//! * [`NonlinearDiffusion`]: one implicit-Euler step (or the steady state) of
//!   `u_t = div((1 + u^2) grad u) + s` on the unit square, zero Dirichlet boundary.
//! * [`MghProblem`]: the Moré-Garbow-Hillstrom problems (J. J. Moré, B. S. Garbow,
//!   K. E. Hillstrom, "Testing unconstrained optimization software", ACM TOMS 7 (1981)),
//!   numbered as there: the square systems of [`equation_set`] and the least-squares problems
//!   of [`least_squares_set`] with their published optimal sums of squares.
//!
//! Residuals are written once, generically over [`Scalar`]; evaluating them over [`Dual`]
//! numbers gives `J v` exactly in one pass (forward-mode differentiation), so no test depends
//! on hand-coded derivatives or on the finite differences under test. `J^T w` takes `n`
//! passes and is meant for the small least-squares problems.

use crate::error::OracleFailure;
use crate::linalg::{CsrMatrix, Par};
use crate::nonlinear::NonlinearSystem;
use crate::precond::{Preconditioner, Ssor};
use std::ops::{Add, Div, Mul, Neg, Sub};
use std::sync::Arc;

/// A number a residual can be computed over: `f64`, or a [`Dual`] carrying a directional
/// derivative.
pub trait Scalar: Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self> + Neg<Output = Self> {
    /// The constant `v`.
    fn c(v: f64) -> Self;
    /// The value part.
    fn value(self) -> f64;
    /// `e^self`.
    fn exp(self) -> Self;
    /// `sin(self)`.
    fn sin(self) -> Self;
    /// `cos(self)`.
    fn cos(self) -> Self;
    /// `sqrt(self)`.
    fn sqrt(self) -> Self;
    /// `atan(self)`.
    fn atan(self) -> Self;
    /// `ln(self)`.
    fn ln(self) -> Self;
}

impl Scalar for f64 {
    fn c(v: f64) -> Self {
        v
    }
    fn value(self) -> f64 {
        self
    }
    fn exp(self) -> Self {
        f64::exp(self)
    }
    fn sin(self) -> Self {
        f64::sin(self)
    }
    fn cos(self) -> Self {
        f64::cos(self)
    }
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
    fn atan(self) -> Self {
        f64::atan(self)
    }
    fn ln(self) -> Self {
        f64::ln(self)
    }
}

/// A dual number `v + d epsilon`, `epsilon^2 = 0`: arithmetic on it carries the derivative `d`
/// along a direction exactly.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dual {
    /// The value.
    pub v: f64,
    /// The directional derivative.
    pub d: f64,
}

impl Add for Dual {
    type Output = Dual;
    fn add(self, o: Dual) -> Dual {
        Dual { v: self.v + o.v, d: self.d + o.d }
    }
}
impl Sub for Dual {
    type Output = Dual;
    fn sub(self, o: Dual) -> Dual {
        Dual { v: self.v - o.v, d: self.d - o.d }
    }
}
impl Mul for Dual {
    type Output = Dual;
    fn mul(self, o: Dual) -> Dual {
        Dual { v: self.v * o.v, d: self.d * o.v + self.v * o.d }
    }
}
impl Div for Dual {
    type Output = Dual;
    fn div(self, o: Dual) -> Dual {
        Dual { v: self.v / o.v, d: (self.d * o.v - self.v * o.d) / (o.v * o.v) }
    }
}
impl Neg for Dual {
    type Output = Dual;
    fn neg(self) -> Dual {
        Dual { v: -self.v, d: -self.d }
    }
}

impl Scalar for Dual {
    fn c(v: f64) -> Self {
        Dual { v, d: 0.0 }
    }
    fn value(self) -> f64 {
        self.v
    }
    fn exp(self) -> Self {
        let e = self.v.exp();
        Dual { v: e, d: e * self.d }
    }
    fn sin(self) -> Self {
        Dual { v: self.v.sin(), d: self.v.cos() * self.d }
    }
    fn cos(self) -> Self {
        Dual { v: self.v.cos(), d: -self.v.sin() * self.d }
    }
    fn sqrt(self) -> Self {
        let s = self.v.sqrt();
        Dual { v: s, d: self.d / (2.0 * s) }
    }
    fn atan(self) -> Self {
        Dual { v: self.v.atan(), d: self.d / (1.0 + self.v * self.v) }
    }
    fn ln(self) -> Self {
        Dual { v: self.v.ln(), d: self.d / self.v }
    }
}

/// A hyper-dual number `v + e1 E1 + e2 E2 + e12 E1 E2` with `E1^2 = E2^2 = 0` and
/// `E1 E2 = E2 E1 != 0` (Fike and Alonso, AIAA 2011-886): evaluating a twice-differentiable
/// `g` at `x + E1 a + E2 b` gives `g(x)`, the directional derivatives `g'(x) a` and
/// `g'(x) b` in `e1` and `e2`, and the second derivative `a^T g''(x) b` in `e12`, all exact
/// (no step, no cancellation). With `a = e_i` and `b = v` one pass gives `(g'' v)_i`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HyperDual {
    /// The value.
    pub v: f64,
    /// The derivative along the first direction.
    pub e1: f64,
    /// The derivative along the second direction.
    pub e2: f64,
    /// The mixed second derivative along both directions.
    pub e12: f64,
}

impl HyperDual {
    /// `g(self)` for a scalar `g` with `g(v) = g0`, `g'(v) = g1`, `g''(v) = g2` (chain rule).
    fn chain(self, g0: f64, g1: f64, g2: f64) -> HyperDual {
        HyperDual { v: g0, e1: g1 * self.e1, e2: g1 * self.e2, e12: g1 * self.e12 + g2 * self.e1 * self.e2 }
    }
}

impl Add for HyperDual {
    type Output = HyperDual;
    fn add(self, o: HyperDual) -> HyperDual {
        HyperDual { v: self.v + o.v, e1: self.e1 + o.e1, e2: self.e2 + o.e2, e12: self.e12 + o.e12 }
    }
}
impl Sub for HyperDual {
    type Output = HyperDual;
    fn sub(self, o: HyperDual) -> HyperDual {
        HyperDual { v: self.v - o.v, e1: self.e1 - o.e1, e2: self.e2 - o.e2, e12: self.e12 - o.e12 }
    }
}
impl Mul for HyperDual {
    type Output = HyperDual;
    fn mul(self, o: HyperDual) -> HyperDual {
        HyperDual {
            v: self.v * o.v,
            e1: self.e1 * o.v + self.v * o.e1,
            e2: self.e2 * o.v + self.v * o.e2,
            e12: self.e12 * o.v + self.e1 * o.e2 + self.e2 * o.e1 + self.v * o.e12,
        }
    }
}
impl Div for HyperDual {
    type Output = HyperDual;
    fn div(self, o: HyperDual) -> HyperDual {
        let r = 1.0 / o.v;
        self * o.chain(r, -r * r, 2.0 * r * r * r)
    }
}
impl Neg for HyperDual {
    type Output = HyperDual;
    fn neg(self) -> HyperDual {
        HyperDual { v: -self.v, e1: -self.e1, e2: -self.e2, e12: -self.e12 }
    }
}

impl Scalar for HyperDual {
    fn c(v: f64) -> Self {
        HyperDual { v, e1: 0.0, e2: 0.0, e12: 0.0 }
    }
    fn value(self) -> f64 {
        self.v
    }
    fn exp(self) -> Self {
        let e = self.v.exp();
        self.chain(e, e, e)
    }
    fn sin(self) -> Self {
        let (s, c) = self.v.sin_cos();
        self.chain(s, c, -s)
    }
    fn cos(self) -> Self {
        let (s, c) = self.v.sin_cos();
        self.chain(c, -s, -c)
    }
    fn sqrt(self) -> Self {
        let s = self.v.sqrt();
        self.chain(s, 0.5 / s, -0.25 / (s * self.v))
    }
    fn atan(self) -> Self {
        let q = 1.0 / (1.0 + self.v * self.v);
        self.chain(self.v.atan(), q, -2.0 * self.v * q * q)
    }
    fn ln(self) -> Self {
        let r = 1.0 / self.v;
        self.chain(self.v.ln(), r, -r * r)
    }
}

/// A residual written once over any [`Scalar`].
pub trait GenericResidual {
    /// Residuals per unknowns count (`m`).
    fn len(&self, n: usize) -> usize;
    /// `f = F(x)`.
    fn eval<T: Scalar>(&self, x: &[T], f: &mut [T]);
}

/// `J(x) v` by one forward-mode pass.
pub fn jacobian_vector<R: GenericResidual>(r: &R, x: &[f64], v: &[f64], jv: &mut [f64]) {
    let xd: Vec<Dual> = x.iter().zip(v).map(|(&v, &d)| Dual { v, d }).collect();
    let mut fd = vec![Dual::c(0.0); jv.len()];
    r.eval(&xd, &mut fd);
    for (o, f) in jv.iter_mut().zip(&fd) {
        *o = f.d;
    }
}

/// `J(x)^T w` by `n` forward-mode passes (one per column of `J`).
pub fn jacobian_transpose_vector<R: GenericResidual>(r: &R, x: &[f64], w: &[f64], jtw: &mut [f64]) {
    let jac = dense_jacobian(r, x);
    for (j, out) in jtw.iter_mut().enumerate() {
        *out = jac[j * w.len()..(j + 1) * w.len()].iter().zip(w).map(|(a, b)| a * b).sum();
    }
}

/// The dense Jacobian `J(x)` (m x n, column-major), for reference solves on small problems.
pub fn dense_jacobian<R: GenericResidual>(r: &R, x: &[f64]) -> Vec<f64> {
    let (n, m) = (x.len(), r.len(x.len()));
    let mut jac = vec![0.0; m * n];
    let mut e = vec![0.0; n];
    for j in 0..n {
        e[j] = 1.0;
        jacobian_vector(r, x, &e, &mut jac[j * m..(j + 1) * m]);
        e[j] = 0.0;
    }
    jac
}

/// Index of interior node `(i, j)` of an `s x s` grid, `i` fastest.
fn node(s: usize, i: usize, j: usize) -> usize {
    i + s * j
}

/// The four neighbours of `(i, j)`, `None` where the neighbour is on the boundary.
fn neighbours(s: usize, i: usize, j: usize) -> [Option<usize>; 4] {
    [
        (i > 0).then(|| node(s, i - 1, j)),
        (i + 1 < s).then(|| node(s, i + 1, j)),
        (j > 0).then(|| node(s, i, j - 1)),
        (j + 1 < s).then(|| node(s, i, j + 1)),
    ]
}

/// The 2D Bratu problem on an `s x s` interior grid, `h = 1 / (s + 1)`, scaled by `h^2`:
/// `F(u)_p = 4 u_p - sum_{q ~ p} u_q - h^2 lambda e^{u_p}`.
///
/// By default only the residual is offered (Newton-Krylov then differences it);
/// [`Bratu::with_jacobian`] adds the exact `J v`, and
/// [`Bratu::with_laplacian_preconditioner`] adds an SSOR sweep of the Laplacian as the host's
/// preconditioner (standing in for a host's multigrid).
pub struct Bratu {
    /// Interior points per side.
    pub side: usize,
    /// The parameter `lambda`.
    pub lambda: f64,
    jacobian: bool,
    preconditioner: Option<Ssor>,
    par: Par,
}

impl GenericResidual for Bratu {
    fn len(&self, n: usize) -> usize {
        n
    }
    fn eval<T: Scalar>(&self, u: &[T], f: &mut [T]) {
        let s = self.side;
        let h2l = T::c(self.lambda / ((s + 1) * (s + 1)) as f64);
        let four = T::c(4.0);
        for j in 0..s {
            for i in 0..s {
                let p = node(s, i, j);
                let mut v = four * u[p] - h2l * u[p].exp();
                for q in neighbours(s, i, j).into_iter().flatten() {
                    v = v - u[q];
                }
                f[p] = v;
            }
        }
    }
}

impl Bratu {
    /// The problem on an `side x side` interior grid with parameter `lambda`.
    pub fn new(side: usize, lambda: f64) -> Self {
        Bratu { side, lambda, jacobian: false, preconditioner: None, par: Par::seq() }
    }

    /// Offers the exact Jacobian-vector product.
    pub fn with_jacobian(mut self) -> Self {
        self.jacobian = true;
        self
    }

    /// Offers one symmetric SOR sweep (`omega = 1.5`) of the 5-point Laplacian as the
    /// preconditioner.
    pub fn with_laplacian_preconditioner(mut self) -> Self {
        let laplacian = Arc::new(super::poisson2d(self.side));
        self.preconditioner = Some(Ssor::new(laplacian, 1.5).expect("the Laplacian has a positive diagonal"));
        self
    }

    /// Unknowns, `side^2`.
    pub fn n(&self) -> usize {
        self.side * self.side
    }

    /// PETSc ex5's starting guess `lambda / (lambda + 1) sqrt(d)`, `d` the distance to the
    /// boundary along the nearer axis.
    pub fn initial_guess(&self) -> Vec<f64> {
        let s = self.side;
        let h = 1.0 / (s + 1) as f64;
        let scale = self.lambda / (self.lambda + 1.0);
        let mut u = vec![0.0; s * s];
        for j in 0..s {
            for i in 0..s {
                let di = (i + 1).min(s - i) as f64 * h;
                let dj = (j + 1).min(s - j) as f64 * h;
                u[node(s, i, j)] = scale * di.min(dj).sqrt();
            }
        }
        u
    }

    /// The Jacobian at `u` as a CSR matrix (for reference solves).
    pub fn jacobian_matrix(&self, u: &[f64]) -> CsrMatrix {
        let s = self.side;
        let h2l = self.lambda / ((s + 1) * (s + 1)) as f64;
        let mut t = Vec::with_capacity(5 * s * s);
        for j in 0..s {
            for i in 0..s {
                let p = node(s, i, j);
                t.push((p, p, 4.0 - h2l * u[p].exp()));
                for q in neighbours(s, i, j).into_iter().flatten() {
                    t.push((p, q, -1.0));
                }
            }
        }
        CsrMatrix::from_triplets(s * s, s * s, &t).expect("valid triplets")
    }
}

impl NonlinearSystem for Bratu {
    fn residual(&mut self, x: &[f64], f: &mut [f64]) -> Result<(), OracleFailure> {
        self.eval(x, f);
        Ok(())
    }
    fn has_jacobian_vector(&self) -> bool {
        self.jacobian
    }
    fn jacobian_vector(&mut self, x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        jacobian_vector(self, x, v, jv);
        Ok(())
    }
    fn has_preconditioner(&self) -> bool {
        self.preconditioner.is_some()
    }
    fn precondition(&mut self, _x: &[f64], r: &[f64], z: &mut [f64]) -> Result<(), OracleFailure> {
        match self.preconditioner.as_mut() {
            Some(m) => m.apply(&self.par, r, z),
            None => {
                z.copy_from_slice(r);
                Ok(())
            }
        }
    }
}

/// One implicit-Euler step of `u_t = div(k(u) grad u) + s`, `k(u) = 1 + u^2`, on an `s x s`
/// interior grid of the unit square with zero Dirichlet boundary, scaled by `h^2`:
/// `F(u)_p = (h^2 / dt)(u_p - u_old_p) + sum_{q ~ p} k_pq (u_p - u_q) - h^2 s_p`,
/// `k_pq = (k(u_p) + k(u_q)) / 2` (boundary neighbours have `u_q = 0`). `dt = inf` gives the
/// steady state.
pub struct NonlinearDiffusion {
    /// Interior points per side.
    pub side: usize,
    /// The time step (`f64::INFINITY` for the steady problem).
    pub dt: f64,
    /// `u` at the previous time step.
    pub previous: Vec<f64>,
    /// `h^2 s`, the scaled source.
    pub load: Vec<f64>,
}

fn conductivity<T: Scalar>(u: T) -> T {
    T::c(1.0) + u * u
}

impl GenericResidual for NonlinearDiffusion {
    fn len(&self, n: usize) -> usize {
        n
    }
    fn eval<T: Scalar>(&self, u: &[T], f: &mut [T]) {
        let s = self.side;
        let h = 1.0 / (s + 1) as f64;
        let mass = if self.dt.is_finite() { h * h / self.dt } else { 0.0 };
        let zero = T::c(0.0);
        let k_boundary = conductivity(zero);
        for j in 0..s {
            for i in 0..s {
                let p = node(s, i, j);
                let kp = conductivity(u[p]);
                let mut v = T::c(mass) * (u[p] - T::c(self.previous[p])) - T::c(self.load[p]);
                for q in neighbours(s, i, j) {
                    let (uq, kq) = match q {
                        Some(q) => (u[q], conductivity(u[q])),
                        None => (zero, k_boundary),
                    };
                    v = v + T::c(0.5) * (kp + kq) * (u[p] - uq);
                }
                f[p] = v;
            }
        }
    }
}

impl NonlinearDiffusion {
    /// The time-dependent problem: source `s(x, y) = 50 sin(pi x) sin(pi y)`, `u_old = 0`.
    pub fn new(side: usize, dt: f64) -> Self {
        let h = 1.0 / (side + 1) as f64;
        let load = grid_values(side, |x, y| h * h * 50.0 * (std::f64::consts::PI * x).sin() * (std::f64::consts::PI * y).sin());
        NonlinearDiffusion { side, dt, previous: vec![0.0; side * side], load }
    }

    /// The steady problem whose discrete solution is exactly
    /// `u*(x, y) = 2 sin(pi x) sin(pi y)` (manufactured: the source is the discrete operator
    /// applied to `u*`). Returns the problem and `u*`.
    pub fn manufactured(side: usize) -> (Self, Vec<f64>) {
        let exact = grid_values(side, |x, y| 2.0 * (std::f64::consts::PI * x).sin() * (std::f64::consts::PI * y).sin());
        let mut problem = NonlinearDiffusion { side, dt: f64::INFINITY, previous: vec![0.0; side * side], load: vec![0.0; side * side] };
        let mut load = vec![0.0; side * side];
        problem.eval(&exact, &mut load);
        problem.load = load;
        (problem, exact)
    }
}

/// `f(x_i, y_j)` at the interior nodes.
fn grid_values(side: usize, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    let h = 1.0 / (side + 1) as f64;
    let mut v = vec![0.0; side * side];
    for j in 0..side {
        for i in 0..side {
            v[node(side, i, j)] = f((i + 1) as f64 * h, (j + 1) as f64 * h);
        }
    }
    v
}

impl NonlinearSystem for NonlinearDiffusion {
    fn residual(&mut self, x: &[f64], f: &mut [f64]) -> Result<(), OracleFailure> {
        self.eval(x, f);
        Ok(())
    }
    fn has_jacobian_vector(&self) -> bool {
        true
    }
    fn jacobian_vector(&mut self, x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        jacobian_vector(self, x, v, jv);
        Ok(())
    }
}

/// Which MGH problem.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mgh {
    Rosenbrock,
    FreudensteinRoth,
    HelicalValley,
    Bard,
    BoxThreeD,
    PowellSingular,
    KowalikOsborne,
    BrownDennis,
    OsborneOne,
    Trigonometric,
    DiscreteBoundaryValue,
    BroydenTridiagonal,
    BroydenBanded,
}

/// A Moré-Garbow-Hillstrom problem: `F: R^n -> R^m` with the standard start and the published
/// optimal sum of squares `f* = ||F(x*)||^2` (MGH's convention; the solvers minimise half of
/// it). Oracles: residual, exact `J v` and `J^T w`; they never fail.
#[derive(Clone, Debug)]
pub struct MghProblem {
    /// The problem's name.
    pub name: &'static str,
    /// Unknowns.
    pub n: usize,
    /// Residuals.
    pub m: usize,
    /// The standard starting point.
    pub x0: Vec<f64>,
    /// The published optimal sum of squares from the standard start (0 for a solvable system).
    pub f_star: f64,
    /// When the problem has also a zero-residual solution that a solver may reach instead of
    /// `f_star` (Freudenstein-Roth, trigonometric).
    pub zero_possible: bool,
    kind: Mgh,
}

const BARD_Y: [f64; 15] = [0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39];
const KOWALIK_Y: [f64; 11] = [0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246];
const KOWALIK_U: [f64; 11] = [4.0, 2.0, 1.0, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625];
const OSBORNE_Y: [f64; 33] = [
    0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784, 0.751, 0.718, 0.685, 0.658, 0.628, 0.603, 0.580, 0.558,
    0.538, 0.522, 0.506, 0.490, 0.478, 0.467, 0.457, 0.448, 0.438, 0.431, 0.424, 0.420, 0.414, 0.411, 0.406,
];

impl MghProblem {
    fn new(name: &'static str, kind: Mgh, m: usize, x0: Vec<f64>, f_star: f64, zero_possible: bool) -> Self {
        MghProblem { name, n: x0.len(), m, x0, f_star, zero_possible, kind }
    }
}

impl GenericResidual for MghProblem {
    fn len(&self, _n: usize) -> usize {
        self.m
    }
    fn eval<T: Scalar>(&self, x: &[T], f: &mut [T]) {
        let c = T::c;
        let n = x.len();
        match self.kind {
            Mgh::Rosenbrock => {
                f[0] = c(10.0) * (x[1] - x[0] * x[0]);
                f[1] = c(1.0) - x[0];
            }
            Mgh::FreudensteinRoth => {
                f[0] = c(-13.0) + x[0] + ((c(5.0) - x[1]) * x[1] - c(2.0)) * x[1];
                f[1] = c(-29.0) + x[0] + ((x[1] + c(1.0)) * x[1] - c(14.0)) * x[1];
            }
            Mgh::HelicalValley => {
                // theta = atan(x2 / x1) / (2 pi), + 1/2 for x1 < 0 (MGH 7).
                let half_turn = if x[0].value() < 0.0 { 0.5 } else { 0.0 };
                let theta = (x[1] / x[0]).atan() / c(2.0 * std::f64::consts::PI) + c(half_turn);
                f[0] = c(10.0) * (x[2] - c(10.0) * theta);
                f[1] = c(10.0) * ((x[0] * x[0] + x[1] * x[1]).sqrt() - c(1.0));
                f[2] = x[2];
            }
            Mgh::Bard => {
                for i in 0..15 {
                    let u = (i + 1) as f64;
                    let v = 16.0 - u;
                    let w = u.min(v);
                    f[i] = c(BARD_Y[i]) - (x[0] + c(u) / (c(v) * x[1] + c(w) * x[2]));
                }
            }
            Mgh::BoxThreeD => {
                for i in 0..self.m {
                    let t = 0.1 * (i + 1) as f64;
                    f[i] = (c(-t) * x[0]).exp() - (c(-t) * x[1]).exp() - x[2] * c((-t).exp() - (-10.0 * t).exp());
                }
            }
            Mgh::PowellSingular => {
                f[0] = x[0] + c(10.0) * x[1];
                f[1] = c(5f64.sqrt()) * (x[2] - x[3]);
                f[2] = (x[1] - c(2.0) * x[2]) * (x[1] - c(2.0) * x[2]);
                f[3] = c(10f64.sqrt()) * (x[0] - x[3]) * (x[0] - x[3]);
            }
            Mgh::KowalikOsborne => {
                for i in 0..11 {
                    let u = c(KOWALIK_U[i]);
                    f[i] = c(KOWALIK_Y[i]) - x[0] * (u * u + u * x[1]) / (u * u + u * x[2] + x[3]);
                }
            }
            Mgh::BrownDennis => {
                for i in 0..self.m {
                    let t = (i + 1) as f64 / 5.0;
                    let a = x[0] + c(t) * x[1] - c(t.exp());
                    let b = x[2] + x[3] * c(t.sin()) - c(t.cos());
                    f[i] = a * a + b * b;
                }
            }
            Mgh::OsborneOne => {
                for i in 0..33 {
                    let t = c(10.0 * i as f64);
                    f[i] = c(OSBORNE_Y[i]) - (x[0] + x[1] * (-t * x[3]).exp() + x[2] * (-t * x[4]).exp());
                }
            }
            Mgh::Trigonometric => {
                let mut sum_cos = c(0.0);
                for &xj in x {
                    sum_cos = sum_cos + xj.cos();
                }
                for i in 0..n {
                    f[i] = c(n as f64) - sum_cos + c((i + 1) as f64) * (c(1.0) - x[i].cos()) - x[i].sin();
                }
            }
            Mgh::DiscreteBoundaryValue => {
                let h = 1.0 / (n + 1) as f64;
                for i in 0..n {
                    let t = (i + 1) as f64 * h;
                    let left = if i > 0 { x[i - 1] } else { c(0.0) };
                    let right = if i + 1 < n { x[i + 1] } else { c(0.0) };
                    let cube = x[i] + c(t + 1.0);
                    f[i] = c(2.0) * x[i] - left - right + c(h * h / 2.0) * cube * cube * cube;
                }
            }
            Mgh::BroydenTridiagonal => {
                for i in 0..n {
                    let left = if i > 0 { x[i - 1] } else { c(0.0) };
                    let right = if i + 1 < n { x[i + 1] } else { c(0.0) };
                    f[i] = (c(3.0) - c(2.0) * x[i]) * x[i] - left - c(2.0) * right + c(1.0);
                }
            }
            Mgh::BroydenBanded => {
                // J_i = { j != i : max(1, i - 5) <= j <= min(n, i + 1) } (1-based).
                for i in 0..n {
                    let mut band = c(0.0);
                    for j in i.saturating_sub(5)..=(i + 1).min(n - 1) {
                        if j != i {
                            band = band + x[j] * (c(1.0) + x[j]);
                        }
                    }
                    f[i] = x[i] * (c(2.0) + c(5.0) * x[i] * x[i]) + c(1.0) - band;
                }
            }
        }
    }
}

impl NonlinearSystem for MghProblem {
    fn residual_len(&self, _n: usize) -> usize {
        self.m
    }
    fn residual(&mut self, x: &[f64], f: &mut [f64]) -> Result<(), OracleFailure> {
        self.eval(x, f);
        Ok(())
    }
    fn has_jacobian_vector(&self) -> bool {
        true
    }
    fn jacobian_vector(&mut self, x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        jacobian_vector(self, x, v, jv);
        Ok(())
    }
    fn has_jacobian_transpose_vector(&self) -> bool {
        true
    }
    fn jacobian_transpose_vector(&mut self, x: &[f64], w: &[f64], jtw: &mut [f64]) -> Result<(), OracleFailure> {
        jacobian_transpose_vector(self, x, w, jtw);
        Ok(())
    }
}

/// MGH 28, discrete boundary value: square, `x0_i = t_i (t_i - 1)`.
pub fn discrete_boundary_value(n: usize) -> MghProblem {
    let h = 1.0 / (n + 1) as f64;
    let x0 = (1..=n).map(|i| i as f64 * h * (i as f64 * h - 1.0)).collect();
    MghProblem::new("discrete_boundary_value", Mgh::DiscreteBoundaryValue, n, x0, 0.0, false)
}

/// MGH 30, Broyden tridiagonal: square, `x0 = -1`.
pub fn broyden_tridiagonal(n: usize) -> MghProblem {
    MghProblem::new("broyden_tridiagonal", Mgh::BroydenTridiagonal, n, vec![-1.0; n], 0.0, false)
}

/// MGH 31, Broyden banded (`ml = 5`, `mu = 1`): square, `x0 = -1`.
pub fn broyden_banded(n: usize) -> MghProblem {
    MghProblem::new("broyden_banded", Mgh::BroydenBanded, n, vec![-1.0; n], 0.0, false)
}

/// MGH 26, trigonometric: square, `x0 = 1/n`. MGH publish `f* = 0`; from the standard start
/// solvers may stop at a local minimiser with a positive sum of squares instead (2.79506e-5
/// for n = 10).
pub fn trigonometric(n: usize) -> MghProblem {
    let f_star = if n == 10 { 2.79506e-5 } else { 0.0 };
    MghProblem::new("trigonometric", Mgh::Trigonometric, n, vec![1.0 / n as f64; n], f_star, true)
}

/// The square MGH systems `F(x) = 0` (all with zero-residual solutions): discrete boundary
/// value, Broyden tridiagonal and Broyden banded of dimension `n`, plus Rosenbrock (2),
/// Powell singular (4) and helical valley (3).
pub fn equation_set(n: usize) -> Vec<MghProblem> {
    let small = least_squares_set();
    let pick = |name: &str| small.iter().find(|p| p.name == name).cloned().expect("in the least-squares set");
    vec![
        discrete_boundary_value(n),
        broyden_tridiagonal(n),
        broyden_banded(n),
        pick("rosenbrock"),
        pick("powell_singular"),
        pick("helical_valley"),
    ]
}

/// The MGH least-squares problems with their published optimal sums of squares: Rosenbrock
/// (1), Freudenstein-Roth (2; local minimum 48.9842, global 0), helical valley (7), Bard (8),
/// Box 3D (12), Powell singular (13), Kowalik-Osborne (15), Brown-Dennis (16), Osborne 1
/// (17), trigonometric n = 10 (26).
pub fn least_squares_set() -> Vec<MghProblem> {
    vec![
        MghProblem::new("rosenbrock", Mgh::Rosenbrock, 2, vec![-1.2, 1.0], 0.0, false),
        MghProblem::new("freudenstein_roth", Mgh::FreudensteinRoth, 2, vec![0.5, -2.0], 48.9842, true),
        MghProblem::new("helical_valley", Mgh::HelicalValley, 3, vec![-1.0, 0.0, 0.0], 0.0, false),
        MghProblem::new("bard", Mgh::Bard, 15, vec![1.0, 1.0, 1.0], 8.21487e-3, false),
        MghProblem::new("box_3d", Mgh::BoxThreeD, 10, vec![0.0, 10.0, 20.0], 0.0, false),
        MghProblem::new("powell_singular", Mgh::PowellSingular, 4, vec![3.0, -1.0, 0.0, 1.0], 0.0, false),
        MghProblem::new("kowalik_osborne", Mgh::KowalikOsborne, 11, vec![0.25, 0.39, 0.415, 0.39], 3.07505e-4, false),
        MghProblem::new("brown_dennis", Mgh::BrownDennis, 20, vec![25.0, 5.0, -5.0, -1.0], 85822.2, false),
        MghProblem::new("osborne_1", Mgh::OsborneOne, 33, vec![0.5, 1.5, -1.0, 0.01, 0.02], 5.46489e-5, false),
        trigonometric(10),
    ]
}

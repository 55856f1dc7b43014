//! The standard unconstrained-minimisation test set, written from the published formulas, as
//! [`Objective`]s with exact analytic gradients and Hessian-vector products.
//!
//! Sources:
//!
//! * MGH: J. J. Moré, B. S. Garbow, K. E. Hillstrom, "Testing unconstrained optimization
//!   software", ACM Trans. Math. Software 7 (1981) 17-41. Problem numbers below are theirs:
//!   extended Rosenbrock (21), extended Powell singular (22), Penalty I (23), variably
//!   dimensioned (25), trigonometric (26), Broyden tridiagonal (30), Chebyquad (35). The
//!   least-squares problems `F_i(x)` of MGH are minimised as `f = sum_i F_i(x)^2`.
//! * CUTEst (the SIF collection of Gould, Orban and Toint): ARWHEAD, and DIXMAANA..DIXMAANL,
//!   which are the problems of L. C. W. Dixon and Z. Maany, "A family of test problems with
//!   sparse Hessians for unconstrained optimization", TR 206, Numerical Optimization Centre,
//!   Hatfield Polytechnic, 1988 (SIF input by Ph. Toint).
//! * A deterministic L2-regularised logistic regression ([`logistic_regression`]), whose data is
//!   given by a closed formula so that other languages can rebuild it.
//!
//! Every problem computes its value, gradient and Hessian-vector product in closed form. The
//! value computed by [`Objective::value`] and by [`Objective::value_gradient`] is bit-for-bit the
//! same, and so are the gradients of [`Objective::gradient`] and [`Objective::value_gradient`].
//! Hessian-vector products cost `O(n)` and do not allocate, except for Chebyquad (dense,
//! `O(n^2)`, meant for `n <= 10`) and the logistic regression (`O(m d)`).
//!
//! [`standard_set`] is the set used by the solver tests.

use crate::linalg::kernels::lane_dot;
use crate::error::OracleFailure;
use crate::newton::Objective;

/// One test function: its dimension, standard starting point, published optimal value and,
/// when published, a minimiser. It implements [`Objective`] (the oracles never fail).
#[derive(Clone, Debug)]
pub struct TestFunction {
    /// The problem's name (`"extended_rosenbrock"`, `"dixmaanh"`, ...).
    pub name: String,
    /// The number of variables.
    pub n: usize,
    /// The standard starting point of the source.
    pub x0: Vec<f64>,
    /// The published optimal value (for the local minimiser that the source reports); NaN when
    /// none is published for this `n`.
    pub f_star: f64,
    /// A minimiser with `f(x_star) = f_star` exactly, when one is known in closed form.
    pub x_star: Option<Vec<f64>>,
    /// Whether the function is convex on all of `R^n`.
    pub convex: bool,
    kind: Kind,
    /// Work space (Chebyquad only), sized at construction.
    scratch: Vec<f64>,
}

/// The problem and its parameters.
#[derive(Clone, Debug)]
enum Kind {
    ExtendedRosenbrock,
    ExtendedPowell,
    BroydenTridiagonal,
    Trigonometric,
    PenaltyOne { a: f64 },
    VariablyDimensioned,
    Arwhead,
    Dixmaan { alpha: f64, beta: f64, gamma: f64, delta: f64, k: [i32; 4] },
    Chebyquad,
    Logistic { m: usize, d: usize, lambda: f64, data: Vec<f64>, labels: Vec<f64> },
}

impl TestFunction {
    fn new(name: &str, x0: Vec<f64>, f_star: f64, x_star: Option<Vec<f64>>, convex: bool, kind: Kind) -> Self {
        TestFunction { name: name.to_string(), n: x0.len(), x0, f_star, x_star, convex, kind, scratch: Vec::new() }
    }
}

/// MGH 21, the extended Rosenbrock function: `f = sum_{k < n/2} 100 (x_{2k+1} - x_{2k}^2)^2 +
/// (1 - x_{2k})^2` (0-based indices), `x0 = (-1.2, 1, -1.2, 1, ...)`, `f* = 0` at `x* = 1`.
///
/// # Panics
/// If `n` is zero or odd.
pub fn extended_rosenbrock(n: usize) -> TestFunction {
    assert!(n > 0 && n % 2 == 0, "extended_rosenbrock needs an even n > 0, got {n}");
    let x0 = (0..n).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect();
    TestFunction::new("extended_rosenbrock", x0, 0.0, Some(vec![1.0; n]), false, Kind::ExtendedRosenbrock)
}

/// MGH 22, the extended Powell singular function: for each block `(a, b, c, d)` of four
/// variables, `(a + 10 b)^2 + 5 (c - d)^2 + (b - 2 c)^4 + 10 (a - d)^4`. `x0 = (3, -1, 0, 1, ...)`,
/// `f* = 0` at `x* = 0`, where the Hessian is singular (rank `n/2`). Convex.
///
/// # Panics
/// If `n` is zero or not a multiple of 4.
pub fn extended_powell(n: usize) -> TestFunction {
    assert!(n > 0 && n % 4 == 0, "extended_powell needs n > 0, a multiple of 4, got {n}");
    let x0 = (0..n).map(|i| [3.0, -1.0, 0.0, 1.0][i % 4]).collect();
    TestFunction::new("extended_powell", x0, 0.0, Some(vec![0.0; n]), true, Kind::ExtendedPowell)
}

/// MGH 30, the Broyden tridiagonal function as `f = sum_i F_i^2`, `F_i = (3 - 2 x_i) x_i -
/// x_{i-1} - 2 x_{i+1} + 1` with `x_0 = x_{n+1} = 0` (1-based), `x0 = -1`, `f* = 0` (no
/// closed-form minimiser).
///
/// # Panics
/// If `n` is zero.
pub fn broyden_tridiagonal(n: usize) -> TestFunction {
    assert!(n > 0, "broyden_tridiagonal needs n > 0");
    TestFunction::new("broyden_tridiagonal", vec![-1.0; n], 0.0, None, false, Kind::BroydenTridiagonal)
}

/// MGH 26, the trigonometric function as `f = sum_i F_i^2`, `F_i = n - sum_j cos x_j +
/// i (1 - cos x_i) - sin x_i` (1-based `i`), `x0 = 1/n`, `f* = 0` (no closed-form minimiser).
///
/// # Panics
/// If `n` is zero.
pub fn trigonometric(n: usize) -> TestFunction {
    assert!(n > 0, "trigonometric needs n > 0");
    TestFunction::new("trigonometric", vec![1.0 / n as f64; n], 0.0, None, false, Kind::Trigonometric)
}

/// MGH 23, Penalty function I: `f = a sum_i (x_i - 1)^2 + (sum_i x_i^2 - 1/4)^2` with
/// `a = 1e-5`, `x0_j = j` (1-based).
///
/// `f_star` is the value MGH publish: `2.24997e-5` for `n = 4` and `7.08765e-5` for `n = 10`
/// (six significant digits, so only accurate to about `5e-6` relative), NaN for other `n`.
/// The minimiser has no closed form.
///
/// # Panics
/// If `n` is zero.
pub fn penalty_one(n: usize) -> TestFunction {
    assert!(n > 0, "penalty_one needs n > 0");
    let f_star = match n {
        4 => 2.24997e-5,
        10 => 7.08765e-5,
        _ => f64::NAN,
    };
    let x0 = (1..=n).map(|j| j as f64).collect();
    TestFunction::new("penalty_one", x0, f_star, None, false, Kind::PenaltyOne { a: 1e-5 })
}

/// MGH 25, the variably dimensioned function: `f = sum_i (x_i - 1)^2 + t^2 + t^4` with
/// `t = sum_j j (x_j - 1)` (1-based `j`), `x0_j = 1 - j/n`, `f* = 0` at `x* = 1`. Convex.
///
/// # Panics
/// If `n` is zero.
pub fn variably_dimensioned(n: usize) -> TestFunction {
    assert!(n > 0, "variably_dimensioned needs n > 0");
    let x0 = (1..=n).map(|j| 1.0 - j as f64 / n as f64).collect();
    TestFunction::new("variably_dimensioned", x0, 0.0, Some(vec![1.0; n]), true, Kind::VariablyDimensioned)
}

/// CUTEst ARWHEAD (arrowhead Hessian): `f = sum_{i < n} (-4 x_i + 3) + sum_{i < n} (x_i^2 +
/// x_n^2)^2` (1-based), `x0 = 1`, `f* = 0` at `x* = (1, ..., 1, 0)`. Convex.
///
/// # Panics
/// If `n < 2`.
pub fn arwhead(n: usize) -> TestFunction {
    assert!(n >= 2, "arwhead needs n >= 2, got {n}");
    let mut x_star = vec![1.0; n];
    x_star[n - 1] = 0.0;
    TestFunction::new("arwhead", vec![1.0; n], 0.0, Some(x_star), true, Kind::Arwhead)
}

/// The Dixon-Maany functions, CUTEst DIXMAANA..DIXMAANL (`letter` in `'A'..='L'`, either case),
/// `n = 3 m`:
///
/// ```text
/// f = 1 + sum_{i=1}^{n}    alpha (i/n)^K1 x_i^2
///       + sum_{i=1}^{n-1}  beta  (i/n)^K2 x_i^2 (x_{i+1} + x_{i+1}^2)^2
///       + sum_{i=1}^{2m}   gamma (i/n)^K3 x_i^2 x_{i+m}^4
///       + sum_{i=1}^{m}    delta (i/n)^K4 x_i x_{i+2m}
/// ```
///
/// `x0 = 2`, `f* = 1` at `x* = 0`. The parameters are those of the SIF files: `alpha = 1` for
/// all; `(beta, gamma, delta)` is `(0, 0.125, 0.125)` for A, E, I, `(0.0625, 0.0625, 0.0625)`
/// for B, F, J, `(0.125, 0.125, 0.125)` for C, G, K and `(0.26, 0.26, 0.26)` for D, H, L;
/// `(K1, K2, K3, K4)` is `(0, 0, 0, 0)` for A-D, `(1, 0, 0, 1)` for E-H and `(2, 0, 0, 2)` for
/// I-L.
///
/// # Panics
/// If `letter` is not in `A..=L` or `n` is zero or not a multiple of 3.
pub fn dixmaan(letter: char, n: usize) -> TestFunction {
    // Per-letter table as in the CUTEst SIF files DIXMAANA.SIF .. DIXMAANL.SIF (SIF input
    // Ph. Toint, Dec 1989, corrected by Ph. Shott, Jan 1995): "RE ALPHA/BETA/GAMMA/DELTA" and
    // "K-set 1/2/3" (IE K1..K4). Checked against DIXMAANA.SIF, DIXMAANE.SIF and DIXMAANI.SIF
    // of the MASTSIF collection (optimizers/mastsif-mirror) and the table of all sixteen
    // versions in the Julia ports (JuliaSmoothOptimizers/OptimizationProblems.jl,
    // dixmaan_efgh.jl; a CUTEst landscape collection with DIXMAANA1..DIXMAANP).
    let letter = letter.to_ascii_uppercase();
    assert!(('A'..='L').contains(&letter), "dixmaan letter must be in A..=L, got {letter:?}");
    assert!(n > 0 && n % 3 == 0, "dixmaan needs n > 0, a multiple of 3, got {n}");
    let idx = letter as usize - 'A' as usize;
    let (beta, gamma, delta) = [(0.0, 0.125, 0.125), (0.0625, 0.0625, 0.0625), (0.125, 0.125, 0.125), (0.26, 0.26, 0.26)][idx % 4];
    let k = [[0, 0, 0, 0], [1, 0, 0, 1], [2, 0, 0, 2]][idx / 4];
    let name = format!("dixmaan{}", letter.to_ascii_lowercase());
    TestFunction::new(&name, vec![2.0; n], 1.0, Some(vec![0.0; n]), false, Kind::Dixmaan { alpha: 1.0, beta, gamma, delta, k })
}

/// MGH 35, Chebyquad with `m = n` residuals: `F_i = (1/n) sum_j T_i(x_j) - int_0^1 T_i`, where
/// `T_i` is the Chebyshev polynomial shifted to `[0, 1]` and the integral is `0` for odd `i`
/// and `-1 / (i^2 - 1)` for even `i`; `f = sum_i F_i^2`, `x0_j = j / (n + 1)`.
///
/// `f_star` is MGH's published value: `0` for `n = 1..=7` and `n = 9`, `3.51687e-3` for
/// `n = 8`, `6.50395e-3` for `n = 10` (six significant digits), NaN otherwise. Dense, meant
/// for small `n`.
///
/// # Panics
/// If `n` is zero.
pub fn chebyquad(n: usize) -> TestFunction {
    assert!(n > 0, "chebyquad needs n > 0");
    let f_star = match n {
        1..=7 | 9 => 0.0,
        8 => 3.51687e-3,
        10 => 6.50395e-3,
        _ => f64::NAN,
    };
    let x0 = (1..=n).map(|j| j as f64 / (n + 1) as f64).collect();
    let mut f = TestFunction::new("chebyquad", x0, f_star, None, false, Kind::Chebyquad);
    f.scratch = vec![0.0; 2 * n];
    f
}

/// The features of the deterministic logistic regression: `X[i][j] = sin(0.37 (i+1) + 0.71 (j+1)
/// + 0.0013 (i+1) (j+1))`, evaluated left to right as written (row-major, `m x d`).
fn logistic_feature(i: usize, j: usize) -> f64 {
    let a = (i + 1) as f64;
    let b = (j + 1) as f64;
    (0.37 * a + 0.71 * b + 0.0013 * a * b).sin()
}

/// An L2-regularised logistic regression on deterministic data (no random numbers):
/// `f(w) = (1/m) sum_i log(1 + exp(-y_i x_i^T w)) + (lambda/2) ||w||^2`, `w` in `R^d`, with
///
/// * `X[i][j] = sin(0.37 (i+1) + 0.71 (j+1) + 0.0013 (i+1) (j+1))` for `i < m`, `j < d`
///   (in Python: `math.sin(0.37*(i+1) + 0.71*(j+1) + 0.0013*(i+1)*(j+1))`, which evaluates the
///   same operations in the same order, so the data is the same bit for bit with the same libm);
/// * `y_i = 1` if `cos(1.9 (i+1)) + 0.3 X[i][0] >= 0`, else `-1`.
///
/// `x0 = 0`. Convex (strictly, for `lambda > 0`). The optimal value is not known in closed
/// form, so `f_star` is NaN and `x_star` is `None`: the tests judge convergence by the gradient
/// norm. `log(1 + exp(t))` and the sigmoid are evaluated in overflow-free forms.
///
/// # Panics
/// If `m` or `d` is zero, or `lambda` is negative or not finite.
pub fn logistic_regression(m: usize, d: usize, lambda: f64) -> TestFunction {
    assert!(m > 0 && d > 0, "logistic_regression needs m, d > 0");
    assert!(lambda.is_finite() && lambda >= 0.0, "logistic_regression needs a finite lambda >= 0, got {lambda}");
    let mut data = Vec::with_capacity(m * d);
    for i in 0..m {
        for j in 0..d {
            data.push(logistic_feature(i, j));
        }
    }
    let labels = (0..m).map(|i| if (1.9 * (i + 1) as f64).cos() + 0.3 * data[i * d] >= 0.0 { 1.0 } else { -1.0 }).collect();
    TestFunction::new("logistic_regression", vec![0.0; d], f64::NAN, None, true, Kind::Logistic { m, d, lambda, data, labels })
}

/// The test set used by the solver tests: extended Rosenbrock, extended Powell and Broyden
/// tridiagonal with `n = 1000`, trigonometric `n = 100`, Penalty I `n = 10`, variably
/// dimensioned `n = 100`, ARWHEAD `n = 1000`, DIXMAANA..DIXMAANL `n = 300`, Chebyquad `n = 8`
/// and the logistic regression with `m = 500`, `d = 50`, `lambda = 1e-3` (23 functions).
pub fn standard_set() -> Vec<TestFunction> {
    let mut set = vec![
        extended_rosenbrock(1000),
        extended_powell(1000),
        broyden_tridiagonal(1000),
        trigonometric(100),
        penalty_one(10),
        variably_dimensioned(100),
        arwhead(1000),
    ];
    set.extend(('A'..='L').map(|c| dixmaan(c, 300)));
    set.push(chebyquad(8));
    set.push(logistic_regression(500, 50, 1e-3));
    set
}

/// `log(1 + exp(t))` without overflow or loss of precision for large `|t|`.
fn softplus(t: f64) -> f64 {
    t.max(0.0) + (-t.abs()).exp().ln_1p()
}

/// `1 / (1 + exp(-t))` without overflow.
fn sigmoid(t: f64) -> f64 {
    if t >= 0.0 {
        1.0 / (1.0 + (-t).exp())
    } else {
        let e = t.exp();
        e / (1.0 + e)
    }
}

/// `(i/n)^k` for the 1-based index `i`.
fn ratio_pow(i: usize, n: usize, k: i32) -> f64 {
    (i as f64 / n as f64).powi(k)
}

/// The Broyden tridiagonal residual `F_i` (0-based `i`; zero outside `0..n`).
fn broyden_residual(x: &[f64], i: isize) -> f64 {
    let n = x.len() as isize;
    if i < 0 || i >= n {
        return 0.0;
    }
    let i = i as usize;
    let prev = if i > 0 { x[i - 1] } else { 0.0 };
    let next = if i + 1 < x.len() { x[i + 1] } else { 0.0 };
    (3.0 - 2.0 * x[i]) * x[i] - prev - 2.0 * next + 1.0
}

/// `(J v)_i` for the Broyden tridiagonal residuals (0-based `i`; zero outside `0..n`).
fn broyden_jv(x: &[f64], v: &[f64], i: isize) -> f64 {
    let n = x.len() as isize;
    if i < 0 || i >= n {
        return 0.0;
    }
    let i = i as usize;
    let prev = if i > 0 { v[i - 1] } else { 0.0 };
    let next = if i + 1 < x.len() { v[i + 1] } else { 0.0 };
    (3.0 - 4.0 * x[i]) * v[i] - prev - 2.0 * next
}

/// Chebyshev values and first and second derivatives in `y = 2 x - 1`, by the three-term
/// recurrence: calls `each(i, T_i(y), T_i'(y), T_i''(y))` for `i = 1..=n`.
fn chebyshev(y: f64, n: usize, mut each: impl FnMut(usize, f64, f64, f64)) {
    let (mut t0, mut t1) = (1.0, y);
    let (mut u0, mut u1) = (0.0, 1.0);
    let (mut w0, mut w1) = (0.0, 0.0);
    for i in 1..=n {
        each(i, t1, u1, w1);
        let t2 = 2.0 * y * t1 - t0;
        let u2 = 2.0 * t1 + 2.0 * y * u1 - u0;
        let w2 = 4.0 * u1 + 2.0 * y * w1 - w0;
        (t0, t1) = (t1, t2);
        (u0, u1) = (u1, u2);
        (w0, w1) = (w1, w2);
    }
}

/// `int_0^1 T_i(2 x - 1) dx`: `0` for odd `i`, `-1 / (i^2 - 1)` for even `i`.
fn chebyshev_integral(i: usize) -> f64 {
    if i % 2 == 1 {
        0.0
    } else {
        -1.0 / ((i * i) as f64 - 1.0)
    }
}

impl TestFunction {
    /// The value, and the gradient into `g` when given. The value's arithmetic does not depend
    /// on whether `g` is given, so `value` and `value_gradient` agree bit for bit.
    fn eval(&mut self, x: &[f64], mut g: Option<&mut [f64]>) -> f64 {
        let n = self.n;
        debug_assert_eq!(x.len(), n);
        if let Some(g) = g.as_deref() {
            debug_assert_eq!(g.len(), n);
        }
        match &self.kind {
            Kind::ExtendedRosenbrock => {
                let mut f = 0.0;
                for k in (0..n).step_by(2) {
                    let (a, b) = (x[k], x[k + 1]);
                    let r1 = 10.0 * (b - a * a);
                    let r2 = 1.0 - a;
                    f += r1 * r1 + r2 * r2;
                    if let Some(g) = g.as_deref_mut() {
                        g[k] = -40.0 * a * r1 - 2.0 * r2;
                        g[k + 1] = 20.0 * r1;
                    }
                }
                f
            }
            Kind::ExtendedPowell => {
                let mut f = 0.0;
                for k in (0..n).step_by(4) {
                    let (a, b, c, d) = (x[k], x[k + 1], x[k + 2], x[k + 3]);
                    let r1 = a + 10.0 * b;
                    let cd = c - d;
                    let t = b - 2.0 * c;
                    let u = a - d;
                    let (t2, u2) = (t * t, u * u);
                    f += r1 * r1 + 5.0 * cd * cd + t2 * t2 + 10.0 * u2 * u2;
                    if let Some(g) = g.as_deref_mut() {
                        let (t3, u3) = (t2 * t, u2 * u);
                        g[k] = 2.0 * r1 + 40.0 * u3;
                        g[k + 1] = 20.0 * r1 + 4.0 * t3;
                        g[k + 2] = 10.0 * cd - 8.0 * t3;
                        g[k + 3] = -10.0 * cd - 40.0 * u3;
                    }
                }
                f
            }
            Kind::BroydenTridiagonal => {
                let mut f = 0.0;
                let mut prev = 0.0;
                let mut cur = broyden_residual(x, 0);
                for i in 0..n {
                    let next = broyden_residual(x, i as isize + 1);
                    f += cur * cur;
                    if let Some(g) = g.as_deref_mut() {
                        g[i] = 2.0 * ((3.0 - 4.0 * x[i]) * cur - next - 2.0 * prev);
                    }
                    (prev, cur) = (cur, next);
                }
                f
            }
            Kind::Trigonometric => {
                let s = n as f64 - x.iter().map(|t| t.cos()).sum::<f64>();
                let mut f = 0.0;
                let mut sum_r = 0.0;
                for i in 0..n {
                    let (si, ci) = x[i].sin_cos();
                    let r = s + (i + 1) as f64 * (1.0 - ci) - si;
                    f += r * r;
                    sum_r += r;
                    if let Some(g) = g.as_deref_mut() {
                        // Keep D_i F_i for now; the sin x_i sum F term needs all of F.
                        g[i] = ((i + 1) as f64 * si - ci) * r;
                    }
                }
                if let Some(g) = g {
                    for i in 0..n {
                        g[i] = 2.0 * (x[i].sin() * sum_r + g[i]);
                    }
                }
                f
            }
            Kind::PenaltyOne { a } => {
                let a = *a;
                let (mut s1, mut s2) = (0.0, 0.0);
                for &t in x {
                    s1 += (t - 1.0) * (t - 1.0);
                    s2 += t * t;
                }
                let q = s2 - 0.25;
                if let Some(g) = g {
                    for i in 0..n {
                        g[i] = 2.0 * a * (x[i] - 1.0) + 4.0 * q * x[i];
                    }
                }
                a * s1 + q * q
            }
            Kind::VariablyDimensioned => {
                let (mut s1, mut t) = (0.0, 0.0);
                for (j, &xj) in x.iter().enumerate() {
                    s1 += (xj - 1.0) * (xj - 1.0);
                    t += (j + 1) as f64 * (xj - 1.0);
                }
                let t2 = t * t;
                if let Some(g) = g {
                    let c = 2.0 * t + 4.0 * t2 * t;
                    for j in 0..n {
                        g[j] = 2.0 * (x[j] - 1.0) + c * (j + 1) as f64;
                    }
                }
                s1 + t2 + t2 * t2
            }
            Kind::Arwhead => {
                let xn = x[n - 1];
                let xn2 = xn * xn;
                let mut f = 0.0;
                let mut gn = 0.0;
                for i in 0..n - 1 {
                    let s = x[i] * x[i] + xn2;
                    f += -4.0 * x[i] + 3.0 + s * s;
                    if let Some(g) = g.as_deref_mut() {
                        g[i] = -4.0 + 4.0 * x[i] * s;
                        gn += 4.0 * xn * s;
                    }
                }
                if let Some(g) = g {
                    g[n - 1] = gn;
                }
                f
            }
            Kind::Dixmaan { alpha, beta, gamma, delta, k } => {
                let (alpha, beta, gamma, delta, k) = (*alpha, *beta, *gamma, *delta, *k);
                let m = n / 3;
                let (mut fa, mut fb, mut fc, mut fd) = (0.0, 0.0, 0.0, 0.0);
                for i in 0..n {
                    let w = alpha * ratio_pow(i + 1, n, k[0]);
                    fa += w * x[i] * x[i];
                    if let Some(g) = g.as_deref_mut() {
                        g[i] = 2.0 * w * x[i];
                    }
                }
                for i in 0..n - 1 {
                    let w = beta * ratio_pow(i + 1, n, k[1]);
                    let (xi, y) = (x[i], x[i + 1]);
                    let p = y + y * y;
                    fb += w * (xi * xi) * (p * p);
                    if let Some(g) = g.as_deref_mut() {
                        g[i] += 2.0 * w * xi * p * p;
                        g[i + 1] += 2.0 * w * xi * xi * p * (1.0 + 2.0 * y);
                    }
                }
                for i in 0..2 * m {
                    let w = gamma * ratio_pow(i + 1, n, k[2]);
                    let (xi, y) = (x[i], x[i + m]);
                    let y2 = y * y;
                    fc += w * (xi * xi) * (y2 * y2);
                    if let Some(g) = g.as_deref_mut() {
                        g[i] += 2.0 * w * xi * y2 * y2;
                        g[i + m] += 4.0 * w * xi * xi * y2 * y;
                    }
                }
                for i in 0..m {
                    let w = delta * ratio_pow(i + 1, n, k[3]);
                    fd += w * x[i] * x[i + 2 * m];
                    if let Some(g) = g.as_deref_mut() {
                        g[i] += w * x[i + 2 * m];
                        g[i + 2 * m] += w * x[i];
                    }
                }
                1.0 + fa + fb + fc + fd
            }
            Kind::Chebyquad => {
                let nf = n as f64;
                let sums = &mut self.scratch[..n];
                sums.fill(0.0);
                for &xj in x {
                    chebyshev(2.0 * xj - 1.0, n, |i, t, _, _| sums[i - 1] += t);
                }
                let mut f = 0.0;
                for (i, s) in sums.iter_mut().enumerate() {
                    let r = *s / nf - chebyshev_integral(i + 1);
                    *s = r;
                    f += r * r;
                }
                if let Some(g) = g {
                    let r = &self.scratch[..n];
                    for j in 0..n {
                        let mut acc = 0.0;
                        // d T_i(2x - 1) / dx = 2 T_i'(y).
                        chebyshev(2.0 * x[j] - 1.0, n, |i, _, u, _| acc += r[i - 1] * 2.0 * u);
                        g[j] = 2.0 * acc / nf;
                    }
                }
                f
            }
            Kind::Logistic { m, d, lambda, data, labels } => {
                let (m, d, lambda) = (*m, *d, *lambda);
                let mut loss = 0.0;
                if let Some(g) = g.as_deref_mut() {
                    g.fill(0.0);
                }
                for i in 0..m {
                    let row = &data[i * d..(i + 1) * d];
                    // Lane-split dots: a single running sum would be bound by the add latency.
                    let z = lane_dot(row, x);
                    let yz = labels[i] * z;
                    loss += softplus(-yz);
                    if let Some(g) = g.as_deref_mut() {
                        // d/dz log(1 + exp(-y z)) = -y sigmoid(-y z).
                        let c = -labels[i] * sigmoid(-yz);
                        for (gj, a) in g.iter_mut().zip(row) {
                            *gj += c * a;
                        }
                    }
                }
                let mf = m as f64;
                if let Some(g) = g {
                    for (gj, wj) in g.iter_mut().zip(x) {
                        *gj = *gj / mf + lambda * wj;
                    }
                }
                let w2: f64 = x.iter().map(|t| t * t).sum();
                loss / mf + 0.5 * lambda * w2
            }
        }
    }

    /// `hv = H(x) v`.
    fn hess_vec(&mut self, x: &[f64], v: &[f64], hv: &mut [f64]) {
        let n = self.n;
        debug_assert!(x.len() == n && v.len() == n && hv.len() == n);
        match &self.kind {
            Kind::ExtendedRosenbrock => {
                for k in (0..n).step_by(2) {
                    let (a, b) = (x[k], x[k + 1]);
                    let h11 = 1200.0 * a * a - 400.0 * b + 2.0;
                    let h12 = -400.0 * a;
                    hv[k] = h11 * v[k] + h12 * v[k + 1];
                    hv[k + 1] = h12 * v[k] + 200.0 * v[k + 1];
                }
            }
            Kind::ExtendedPowell => {
                for k in (0..n).step_by(4) {
                    let t = x[k + 1] - 2.0 * x[k + 2];
                    let u = x[k] - x[k + 3];
                    let (t2, u2) = (12.0 * t * t, 120.0 * u * u);
                    let (va, vb, vc, vd) = (v[k], v[k + 1], v[k + 2], v[k + 3]);
                    hv[k] = (2.0 + u2) * va + 20.0 * vb - u2 * vd;
                    hv[k + 1] = 20.0 * va + (200.0 + t2) * vb - 2.0 * t2 * vc;
                    hv[k + 2] = -2.0 * t2 * vb + (10.0 + 4.0 * t2) * vc - 10.0 * vd;
                    hv[k + 3] = -u2 * va - 10.0 * vc + (10.0 + u2) * vd;
                }
            }
            Kind::BroydenTridiagonal => {
                // H = 2 J^T J + 2 sum_i F_i grad^2 F_i, grad^2 F_i = -4 e_i e_i^T.
                let mut jv_prev = 0.0;
                let mut jv_cur = broyden_jv(x, v, 0);
                for i in 0..n {
                    let jv_next = broyden_jv(x, v, i as isize + 1);
                    let jtjv = (3.0 - 4.0 * x[i]) * jv_cur - jv_next - 2.0 * jv_prev;
                    hv[i] = 2.0 * jtjv - 8.0 * broyden_residual(x, i as isize) * v[i];
                    (jv_prev, jv_cur) = (jv_cur, jv_next);
                }
            }
            Kind::Trigonometric => {
                // J = 1 s^T + D, s_j = sin x_j, D_i = i sin x_i - cos x_i;
                // sum_i F_i grad^2 F_i = (sum F) diag(cos x) + diag(F_i (i cos x_i + sin x_i)).
                let s = n as f64 - x.iter().map(|t| t.cos()).sum::<f64>();
                let (mut sum_r, mut sv, mut dv) = (0.0, 0.0, 0.0);
                for i in 0..n {
                    let (si, ci) = x[i].sin_cos();
                    sum_r += s + (i + 1) as f64 * (1.0 - ci) - si;
                    sv += si * v[i];
                    dv += ((i + 1) as f64 * si - ci) * v[i];
                }
                // sum_i (J v)_i = n (s . v) + sum_i D_i v_i.
                let sum_jv = n as f64 * sv + dv;
                for i in 0..n {
                    let (si, ci) = x[i].sin_cos();
                    let ip = (i + 1) as f64;
                    let di = ip * si - ci;
                    let r = s + ip * (1.0 - ci) - si;
                    let jv = sv + di * v[i];
                    let jtjv = si * sum_jv + di * jv;
                    hv[i] = 2.0 * jtjv + 2.0 * (sum_r * ci + r * (ip * ci + si)) * v[i];
                }
            }
            Kind::PenaltyOne { a } => {
                let a = *a;
                let (mut s2, mut xv) = (0.0, 0.0);
                for i in 0..n {
                    s2 += x[i] * x[i];
                    xv += x[i] * v[i];
                }
                let c = 2.0 * a + 4.0 * (s2 - 0.25);
                for i in 0..n {
                    hv[i] = c * v[i] + 8.0 * xv * x[i];
                }
            }
            Kind::VariablyDimensioned => {
                let (mut t, mut jv) = (0.0, 0.0);
                for j in 0..n {
                    t += (j + 1) as f64 * (x[j] - 1.0);
                    jv += (j + 1) as f64 * v[j];
                }
                let c = (2.0 + 12.0 * t * t) * jv;
                for j in 0..n {
                    hv[j] = 2.0 * v[j] + c * (j + 1) as f64;
                }
            }
            Kind::Arwhead => {
                let xn = x[n - 1];
                let xn2 = xn * xn;
                let vn = v[n - 1];
                let mut hvn = 0.0;
                for i in 0..n - 1 {
                    let xi2 = x[i] * x[i];
                    let hin = 8.0 * x[i] * xn;
                    hv[i] = (12.0 * xi2 + 4.0 * xn2) * v[i] + hin * vn;
                    hvn += hin * v[i] + (4.0 * xi2 + 12.0 * xn2) * vn;
                }
                hv[n - 1] = hvn;
            }
            Kind::Dixmaan { alpha, beta, gamma, delta, k } => {
                let (alpha, beta, gamma, delta, k) = (*alpha, *beta, *gamma, *delta, *k);
                let m = n / 3;
                for i in 0..n {
                    hv[i] = 2.0 * alpha * ratio_pow(i + 1, n, k[0]) * v[i];
                }
                // Element Hessians as in the SIF element routines SQB, SQC and 2PR.
                for i in 0..n - 1 {
                    let w = beta * ratio_pow(i + 1, n, k[1]);
                    let (xi, y) = (x[i], x[i + 1]);
                    let p = y + y * y;
                    let dp = 1.0 + 2.0 * y;
                    let hxx = 2.0 * p * p;
                    let hxy = 4.0 * xi * dp * p;
                    let hyy = 4.0 * xi * xi * p + 2.0 * xi * xi * dp * dp;
                    hv[i] += w * (hxx * v[i] + hxy * v[i + 1]);
                    hv[i + 1] += w * (hxy * v[i] + hyy * v[i + 1]);
                }
                for i in 0..2 * m {
                    let w = gamma * ratio_pow(i + 1, n, k[2]);
                    let (xi, y) = (x[i], x[i + m]);
                    let y2 = y * y;
                    let hxx = 2.0 * y2 * y2;
                    let hxy = 8.0 * xi * y2 * y;
                    let hyy = 12.0 * xi * xi * y2;
                    hv[i] += w * (hxx * v[i] + hxy * v[i + m]);
                    hv[i + m] += w * (hxy * v[i] + hyy * v[i + m]);
                }
                for i in 0..m {
                    let w = delta * ratio_pow(i + 1, n, k[3]);
                    hv[i] += w * v[i + 2 * m];
                    hv[i + 2 * m] += w * v[i];
                }
            }
            Kind::Chebyquad => {
                // H = (2/n^2) J'^T J' + (2/n) sum_i F_i diag(T_i''(x_j)), J'_{ij} = dT_i(x_j)/dx.
                let nf = n as f64;
                let (r, jv) = self.scratch.split_at_mut(n);
                r.fill(0.0);
                jv.fill(0.0);
                for j in 0..n {
                    chebyshev(2.0 * x[j] - 1.0, n, |i, t, u, _| {
                        r[i - 1] += t;
                        jv[i - 1] += 2.0 * u * v[j];
                    });
                }
                for i in 0..n {
                    r[i] = r[i] / nf - chebyshev_integral(i + 1);
                    jv[i] /= nf;
                }
                for j in 0..n {
                    let (mut a, mut b) = (0.0, 0.0);
                    chebyshev(2.0 * x[j] - 1.0, n, |i, _, u, w| {
                        a += 2.0 * u * jv[i - 1];
                        b += r[i - 1] * 4.0 * w;
                    });
                    hv[j] = 2.0 * a / nf + 2.0 * b * v[j] / nf;
                }
            }
            Kind::Logistic { m, d, lambda, data, .. } => {
                // H = (1/m) X^T diag(s(z)) X + lambda I, s(z) = sigmoid(z) sigmoid(-z).
                let (m, d, lambda) = (*m, *d, *lambda);
                hv.fill(0.0);
                for i in 0..m {
                    let row = &data[i * d..(i + 1) * d];
                    let (z, u) = (lane_dot(row, x), lane_dot(row, v));
                    let e = (-z.abs()).exp();
                    let s = e / ((1.0 + e) * (1.0 + e));
                    let c = s * u;
                    for (h, a) in hv.iter_mut().zip(row) {
                        *h += c * a;
                    }
                }
                let mf = m as f64;
                for j in 0..d {
                    hv[j] = hv[j] / mf + lambda * v[j];
                }
            }
        }
    }
}

impl Objective for TestFunction {
    fn value(&mut self, x: &[f64]) -> Result<f64, OracleFailure> {
        Ok(self.eval(x, None))
    }

    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure> {
        self.eval(x, Some(g));
        Ok(())
    }

    fn hessian_vector(&mut self, x: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure> {
        self.hess_vec(x, v, hv);
        Ok(())
    }

    fn has_value_gradient(&self) -> bool {
        true
    }

    fn value_gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<f64, OracleFailure> {
        Ok(self.eval(x, Some(g)))
    }
}

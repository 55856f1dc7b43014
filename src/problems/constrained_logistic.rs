//! Constrained logistic regression, the large test problem of the equality-constrained solver:
//!
//! ```text
//! min_w (1/N) sum_i log(1 + exp(-y_i x_i^T w))   s.t.   A w = b,   ||w||^2 = 1,
//! ```
//!
//! `w` in `R^p`, `N` samples `x_i` with labels `y_i = +-1`, `A` a dense `k x p` matrix. The
//! constraints are ordered as the `k` linear rows `A w - b`, then `||w||^2 - 1`, so
//! `m = k + 1` and the multiplier of the sphere constraint is `lambda[k]`.
//!
//! The features are stored dense and row-major (`N x p`). Every oracle is matrix-free and
//! costs one pass over the features per product with `X` or `X^T` (rows in parallel for
//! `X v`, column blocks in parallel for `X^T u`; each output entry is summed in a fixed order,
//! so results do not depend on the number of threads). The margins `y_i x_i^T w` of the last
//! point are cached, so the objective, gradient and Hessian-vector products at one point share
//! one pass for them.

use super::normal;
use crate::constrained::{ConstrainedObjective, SparsePattern};
use crate::error::OracleFailure;
use crate::linalg::kernels::lane_dot;
use rand::{rngs::StdRng, Rng, SeedableRng};
use rayon::prelude::*;

/// Probability that [`ConstrainedLogistic::synthetic`] flips a label.
pub const LABEL_NOISE: f64 = 0.1;

/// Columns per parallel block of an `X^T u` product (the block of the output stays in L1).
const COLUMN_BLOCK: usize = 1024;

/// Matrix entries below which the products run on the calling thread.
const PARALLEL_MIN: usize = 1 << 16;

/// A constrained logistic regression (see the module documentation). It implements
/// [`ConstrainedObjective`] with the Jacobian as dense rows and no Hessian pattern (the
/// Hessian of the Lagrangian is only available as products). The oracles never fail.
#[derive(Clone, Debug)]
pub struct ConstrainedLogistic {
    samples: usize,
    p: usize,
    k: usize,
    /// Features, `samples x p`, row-major.
    x: Vec<f64>,
    /// Labels, `+-1`.
    y: Vec<f64>,
    /// Linear constraint matrix, `k x p`, row-major.
    a: Vec<f64>,
    b: Vec<f64>,
    w_feas: Vec<f64>,
    jac_pattern: SparsePattern,
    /// The point whose margins are in `margins` (valid when `cached`).
    cache_x: Vec<f64>,
    /// `y_i x_i^T w` at `cache_x`.
    margins: Vec<f64>,
    cached: bool,
    /// Length `samples` work space.
    work: Vec<f64>,
}

impl ConstrainedLogistic {
    /// A synthetic instance, reproducible for a given `seed`: features i.i.d. standard normal;
    /// labels `y_i = sign(x_i^T w_true)` for a random unit `w_true`, each flipped with
    /// probability [`LABEL_NOISE`]; `A` with i.i.d. standard normal entries and `b = A w_feas`
    /// for a random unit `w_feas`, so that `w_feas` is feasible.
    ///
    /// # Panics
    /// If `samples` or `features` is zero, or `linear_constraints + 1 > features` (more
    /// constraints than variables).
    pub fn synthetic(samples: usize, features: usize, linear_constraints: usize, seed: u64) -> Self {
        assert!(samples > 0 && features > 0, "ConstrainedLogistic::synthetic needs samples, features > 0");
        let mut rng = StdRng::seed_from_u64(seed);
        let w_true = random_unit(&mut rng, features);
        let x: Vec<f64> = (0..samples * features).map(|_| normal(&mut rng)).collect();
        let y = (0..samples)
            .map(|i| {
                let label = if lane_dot(&x[i * features..(i + 1) * features], &w_true) >= 0.0 { 1.0 } else { -1.0 };
                if rng.random::<f64>() < LABEL_NOISE {
                    -label
                } else {
                    label
                }
            })
            .collect();
        Self::assemble(x, y, features, linear_constraints, &mut rng)
    }

    /// An instance on the data of scikit-learn's `breast_cancer.csv` layout: a header line
    /// `"samples,features,name0,name1"`, then one line per sample with `features` values and a
    /// 0/1 target. Each feature is standardised to mean 0 and (population, `1/N`) standard
    /// deviation 1 (a constant column is only centred); `y = +1` for target 1 and `-1` for
    /// target 0. `A`, `b` and the feasible point are drawn from `seed` as in
    /// [`ConstrainedLogistic::synthetic`].
    ///
    /// # Panics
    /// If the text does not have this layout (the message names the line), or
    /// `linear_constraints + 1 > features`.
    pub fn from_csv(text: &str, linear_constraints: usize, seed: u64) -> Self {
        let (mut x, y, features) = parse_csv(text);
        standardise(&mut x, features);
        let mut rng = StdRng::seed_from_u64(seed);
        Self::assemble(x, y, features, linear_constraints, &mut rng)
    }

    /// Draws `A`, `w_feas` and `b = A w_feas` from `rng` and builds the instance.
    fn assemble(x: Vec<f64>, y: Vec<f64>, p: usize, k: usize, rng: &mut StdRng) -> Self {
        assert!(k < p, "ConstrainedLogistic: {k} linear constraints + the sphere need at most p = {p} variables");
        let samples = y.len();
        let a: Vec<f64> = (0..k * p).map(|_| normal(rng)).collect();
        let w_feas = random_unit(rng, p);
        let mut b = vec![0.0; k];
        times(&a, p, &w_feas, &mut b);
        let row_ptr = (0..=k + 1).map(|i| i * p).collect();
        let col_idx = (0..(k + 1) * p).map(|e| e % p).collect();
        let jac_pattern = SparsePattern::new(k + 1, p, row_ptr, col_idx, "constrained logistic Jacobian")
            .expect("dense rows are a valid pattern");
        ConstrainedLogistic {
            samples,
            p,
            k,
            x,
            y,
            a,
            b,
            w_feas,
            jac_pattern,
            cache_x: vec![0.0; p],
            margins: vec![0.0; samples],
            cached: false,
            work: vec![0.0; samples],
        }
    }

    /// The standard starting point, the same for every solver: the unit vector with all
    /// entries `1/sqrt(p)` (it satisfies the sphere constraint, not `A w = b`).
    pub fn start(&self) -> Vec<f64> {
        vec![1.0 / (self.p as f64).sqrt(); self.p]
    }

    /// The number of variables `n = p` (the number of features).
    pub fn n(&self) -> usize {
        self.p
    }

    /// The number of constraints `m = k + 1`.
    pub fn m(&self) -> usize {
        self.k + 1
    }

    /// The number of samples `N`.
    pub fn samples(&self) -> usize {
        self.samples
    }

    /// The features, `N x p`, row-major (standardised for [`ConstrainedLogistic::from_csv`]).
    pub fn features(&self) -> &[f64] {
        &self.x
    }

    /// The labels, each `+1` or `-1`.
    pub fn labels(&self) -> &[f64] {
        &self.y
    }

    /// The linear constraint matrix `A`, `k x p`, row-major.
    pub fn constraint_matrix(&self) -> &[f64] {
        &self.a
    }

    /// The right-hand side `b` of `A w = b`.
    pub fn constraint_rhs(&self) -> &[f64] {
        &self.b
    }

    /// The unit vector `w_feas` with `b = A w_feas`: a feasible point.
    pub fn feasible_point(&self) -> &[f64] {
        &self.w_feas
    }

    /// Makes `margins` hold `y_i x_i^T w` for `w`.
    fn refresh(&mut self, w: &[f64]) {
        if self.cached && self.cache_x.as_slice() == w {
            return;
        }
        times(&self.x, self.p, w, &mut self.margins);
        for (t, yi) in self.margins.iter_mut().zip(&self.y) {
            *t *= yi;
        }
        self.cache_x.copy_from_slice(w);
        self.cached = true;
    }
}

/// A unit vector with a uniformly random direction.
fn random_unit(rng: &mut StdRng, p: usize) -> Vec<f64> {
    let mut v: Vec<f64> = (0..p).map(|_| normal(rng)).collect();
    let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
    v.iter_mut().for_each(|a| *a /= norm);
    v
}

/// Splits a line into numbers; `what` names the line in a panic.
fn numbers(line: &str, what: &str) -> Vec<f64> {
    line.split(',')
        .map(|s| s.trim().parse::<f64>().unwrap_or_else(|_| panic!("{what}: `{}` is not a number", s.trim())))
        .collect()
}

/// Parses the scikit-learn CSV layout into (row-major features, labels, feature count).
fn parse_csv(text: &str) -> (Vec<f64>, Vec<f64>, usize) {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let header: Vec<&str> = lines.next().expect("from_csv: the text is empty").split(',').collect();
    let count = |i: usize| -> usize {
        header.get(i).and_then(|s| s.trim().parse().ok()).expect("from_csv: the header must start with `samples,features`")
    };
    let (samples, features) = (count(0), count(1));
    assert!(samples > 0 && features > 0, "from_csv: the header declares no data");
    let (mut x, mut y) = (Vec::with_capacity(samples * features), Vec::with_capacity(samples));
    for (i, line) in lines.enumerate() {
        let what = format!("from_csv: data line {}", i + 1);
        let row = numbers(line, &what);
        assert_eq!(row.len(), features + 1, "{what} has {} fields, expected {}", row.len(), features + 1);
        let target = row[features];
        assert!(target == 0.0 || target == 1.0, "{what}: the target is {target}, expected 0 or 1");
        x.extend_from_slice(&row[..features]);
        y.push(if target == 1.0 { 1.0 } else { -1.0 });
    }
    assert_eq!(y.len(), samples, "from_csv: the header declares {samples} samples, the text has {}", y.len());
    (x, y, features)
}

/// Standardises each column of the row-major `x` (`p` columns) to mean 0 and population
/// standard deviation 1; a constant column is only centred.
fn standardise(x: &mut [f64], p: usize) {
    let samples = (x.len() / p) as f64;
    for j in 0..p {
        let mean = x.iter().skip(j).step_by(p).sum::<f64>() / samples;
        let var = x.iter().skip(j).step_by(p).map(|v| (v - mean) * (v - mean)).sum::<f64>() / samples;
        let scale = if var > 0.0 { 1.0 / var.sqrt() } else { 1.0 };
        x.iter_mut().skip(j).step_by(p).for_each(|v| *v = (*v - mean) * scale);
    }
}

/// `out = M v` for the row-major `M` with `p` columns and `out.len()` rows (rows in parallel).
fn times(m: &[f64], p: usize, v: &[f64], out: &mut [f64]) {
    if m.len() < PARALLEL_MIN {
        out.iter_mut().zip(m.chunks_exact(p)).for_each(|(o, row)| *o = lane_dot(row, v));
    } else {
        let min_rows = (PARALLEL_MIN / p).max(1);
        out.par_iter_mut().zip(m.par_chunks_exact(p)).with_min_len(min_rows).for_each(|(o, row)| *o = lane_dot(row, v));
    }
}

/// `out = M^T u` for the row-major `M` with `out.len()` columns and `u.len()` rows (column
/// blocks in parallel, each reading its block of every row once).
fn times_transpose(m: &[f64], u: &[f64], out: &mut [f64]) {
    let p = out.len();
    let block = |(b, o): (usize, &mut [f64])| {
        let j0 = b * COLUMN_BLOCK;
        o.fill(0.0);
        for (i, &ui) in u.iter().enumerate() {
            let row = &m[i * p + j0..i * p + j0 + o.len()];
            o.iter_mut().zip(row).for_each(|(oj, mj)| *oj += ui * mj);
        }
    };
    if m.len() < PARALLEL_MIN {
        out.chunks_mut(COLUMN_BLOCK).enumerate().for_each(block);
    } else {
        out.par_chunks_mut(COLUMN_BLOCK).enumerate().for_each(block);
    }
}

/// `log(1 + exp(-t))` without overflow or cancellation.
fn logistic_loss(t: f64) -> f64 {
    if t > 0.0 {
        (-t).exp().ln_1p()
    } else {
        -t + t.exp().ln_1p()
    }
}

/// `sigma(-t) = 1 / (1 + exp(t))` without overflow.
fn sigmoid_neg(t: f64) -> f64 {
    if t >= 0.0 {
        let e = (-t).exp();
        e / (1.0 + e)
    } else {
        1.0 / (1.0 + t.exp())
    }
}

/// `sigma(t) (1 - sigma(t)) = e / (1 + e)^2` with `e = exp(-|t|)`.
fn sigmoid_curvature(t: f64) -> f64 {
    let e = (-t.abs()).exp();
    e / ((1.0 + e) * (1.0 + e))
}

impl ConstrainedObjective for ConstrainedLogistic {
    fn constraint_count(&self) -> usize {
        self.k + 1
    }

    fn objective(&mut self, x: &[f64]) -> Result<f64, OracleFailure> {
        self.refresh(x);
        Ok(self.margins.iter().map(|&t| logistic_loss(t)).sum::<f64>() / self.samples as f64)
    }

    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure> {
        self.refresh(x);
        let scale = 1.0 / self.samples as f64;
        for ((u, &t), yi) in self.work.iter_mut().zip(&self.margins).zip(&self.y) {
            *u = -yi * sigmoid_neg(t) * scale;
        }
        times_transpose(&self.x, &self.work, g);
        Ok(())
    }

    fn constraints(&mut self, x: &[f64], c: &mut [f64]) -> Result<(), OracleFailure> {
        let (lin, sphere) = c.split_at_mut(self.k);
        times(&self.a, self.p, x, lin);
        lin.iter_mut().zip(&self.b).for_each(|(ci, bi)| *ci -= bi);
        sphere[0] = lane_dot(x, x) - 1.0;
        Ok(())
    }

    fn jacobian_vector(&mut self, x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        let (lin, sphere) = jv.split_at_mut(self.k);
        times(&self.a, self.p, v, lin);
        sphere[0] = 2.0 * lane_dot(x, v);
        Ok(())
    }

    fn jacobian_transpose_vector(&mut self, x: &[f64], w: &[f64], jtw: &mut [f64]) -> Result<(), OracleFailure> {
        times_transpose(&self.a, &w[..self.k], jtw);
        let s = 2.0 * w[self.k];
        jtw.iter_mut().zip(x).for_each(|(o, xi)| *o += s * xi);
        Ok(())
    }

    /// `hv = (1/N) X^T D X v + 2 lambda[k] v`, `D = diag(sigma(t_i) (1 - sigma(t_i)))` at the
    /// margins `t_i` of `x` (the linear constraints have no curvature).
    fn lagrangian_hessian_vector(&mut self, x: &[f64], lambda: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure> {
        self.refresh(x);
        times(&self.x, self.p, v, &mut self.work);
        let scale = 1.0 / self.samples as f64;
        for (u, &t) in self.work.iter_mut().zip(&self.margins) {
            *u *= sigmoid_curvature(t) * scale;
        }
        times_transpose(&self.x, &self.work, hv);
        let s = 2.0 * lambda[self.k];
        hv.iter_mut().zip(v).for_each(|(o, vi)| *o += s * vi);
        Ok(())
    }

    /// Dense rows: `(k + 1) x p`, row `i` holding every column in order.
    fn jacobian_pattern(&self) -> Option<&SparsePattern> {
        Some(&self.jac_pattern)
    }

    /// `A` row by row, then `2 x^T`.
    fn jacobian_values(&mut self, x: &[f64], values: &mut [f64]) -> Result<(), OracleFailure> {
        let (lin, sphere) = values.split_at_mut(self.k * self.p);
        lin.copy_from_slice(&self.a);
        sphere.iter_mut().zip(x).for_each(|(o, xi)| *o = 2.0 * xi);
        Ok(())
    }
}

//! The Ipopt peer wrapper of the constrained benchmark (benches/common/ipopt.rs) on small
//! problems with closed-form solutions: the answer, the multipliers' sign, the Hessian scaling
//! by `obj_factor` (including `obj_factor = 0` in the restoration phase), limited-memory mode
//! and the dense-Jacobian fallback.
//!
//! Where Ipopt cannot be loaded the tests print why and pass, unless the environment variable
//! `CI` is set (CI installs coinor-libipopt-dev): then they fail.

#[path = "../benches/common/ipopt.rs"]
mod ipopt;

use ipopt::{Ipopt, IpoptSettings};
use nksolve::constrained::{ConstrainedObjective, SparsePattern};
use nksolve::OracleFailure;

fn ipopt_or_skip() -> Option<Ipopt> {
    match Ipopt::try_load() {
        Ok(i) => Some(i),
        Err(why) => {
            if std::env::var_os("CI").is_some() {
                panic!("CI is set but Ipopt cannot be loaded: {why}");
            }
            eprintln!("skipping: {why}");
            None
        }
    }
}

fn dense(nrows: usize, ncols: usize) -> SparsePattern {
    SparsePattern::new(nrows, ncols, (0..=nrows).map(|i| i * ncols).collect(), (0..nrows).flat_map(|_| 0..ncols).collect(), "dense").unwrap()
}

/// HS28: `min (x1 + x2)^2 + (x2 + x3)^2 s.t. x1 + 2 x2 + 3 x3 = 1`; `x* = (0.5, -0.5, 0.5)`,
/// `f* = 0`, `l* = 0`.
struct Hs28 {
    jac: Option<SparsePattern>,
    hess: SparsePattern,
}

impl ConstrainedObjective for Hs28 {
    fn constraint_count(&self) -> usize {
        1
    }
    fn objective(&mut self, x: &[f64]) -> Result<f64, OracleFailure> {
        Ok((x[0] + x[1]).powi(2) + (x[1] + x[2]).powi(2))
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure> {
        let (a, b) = (x[0] + x[1], x[1] + x[2]);
        g.copy_from_slice(&[2.0 * a, 2.0 * (a + b), 2.0 * b]);
        Ok(())
    }
    fn constraints(&mut self, x: &[f64], c: &mut [f64]) -> Result<(), OracleFailure> {
        c[0] = x[0] + 2.0 * x[1] + 3.0 * x[2] - 1.0;
        Ok(())
    }
    fn jacobian_vector(&mut self, _x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        jv[0] = v[0] + 2.0 * v[1] + 3.0 * v[2];
        Ok(())
    }
    fn jacobian_transpose_vector(&mut self, _x: &[f64], w: &[f64], jtw: &mut [f64]) -> Result<(), OracleFailure> {
        jtw.copy_from_slice(&[w[0], 2.0 * w[0], 3.0 * w[0]]);
        Ok(())
    }
    fn lagrangian_hessian_vector(&mut self, _x: &[f64], _l: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure> {
        hv.copy_from_slice(&[2.0 * (v[0] + v[1]), 2.0 * (v[0] + 2.0 * v[1] + v[2]), 2.0 * (v[1] + v[2])]);
        Ok(())
    }
    fn jacobian_pattern(&self) -> Option<&SparsePattern> {
        self.jac.as_ref()
    }
    fn jacobian_values(&mut self, _x: &[f64], values: &mut [f64]) -> Result<(), OracleFailure> {
        values.copy_from_slice(&[1.0, 2.0, 3.0]);
        Ok(())
    }
    fn hessian_pattern(&self) -> Option<&SparsePattern> {
        Some(&self.hess)
    }
    fn hessian_values(&mut self, _x: &[f64], _l: &[f64], values: &mut [f64]) -> Result<(), OracleFailure> {
        values.copy_from_slice(&[2.0, 2.0, 0.0, 2.0, 4.0, 2.0, 0.0, 2.0, 2.0]);
        Ok(())
    }
}

/// `min x1 + x2 s.t. x1^2 + x2^2 = 2`: `x* = (-1, -1)`, `f* = -2`, and with the Lagrangian
/// `f + l c`, `l* = 1/2` (`-1/2` under the other sign convention). The Hessian pattern lists
/// the upper triangle first, then the diagonal, to check the lower-triangle selection.
struct Circle {
    jac: SparsePattern,
    hess: SparsePattern,
}

impl Circle {
    fn new() -> Self {
        Circle {
            jac: dense(1, 2),
            // Row 0: columns 1, 0; row 1: columns 1, 0 (both triangles, unsorted).
            hess: SparsePattern::new(2, 2, vec![0, 2, 4], vec![1, 0, 1, 0], "hessian").unwrap(),
        }
    }
}

impl ConstrainedObjective for Circle {
    fn constraint_count(&self) -> usize {
        1
    }
    fn objective(&mut self, x: &[f64]) -> Result<f64, OracleFailure> {
        Ok(x[0] + x[1])
    }
    fn gradient(&mut self, _x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure> {
        g.fill(1.0);
        Ok(())
    }
    fn constraints(&mut self, x: &[f64], c: &mut [f64]) -> Result<(), OracleFailure> {
        c[0] = x[0] * x[0] + x[1] * x[1] - 2.0;
        Ok(())
    }
    fn jacobian_vector(&mut self, x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        jv[0] = 2.0 * (x[0] * v[0] + x[1] * v[1]);
        Ok(())
    }
    fn jacobian_transpose_vector(&mut self, x: &[f64], w: &[f64], jtw: &mut [f64]) -> Result<(), OracleFailure> {
        jtw.copy_from_slice(&[2.0 * x[0] * w[0], 2.0 * x[1] * w[0]]);
        Ok(())
    }
    fn lagrangian_hessian_vector(&mut self, _x: &[f64], l: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure> {
        hv.copy_from_slice(&[2.0 * l[0] * v[0], 2.0 * l[0] * v[1]]);
        Ok(())
    }
    fn jacobian_pattern(&self) -> Option<&SparsePattern> {
        Some(&self.jac)
    }
    fn jacobian_values(&mut self, x: &[f64], values: &mut [f64]) -> Result<(), OracleFailure> {
        values.copy_from_slice(&[2.0 * x[0], 2.0 * x[1]]);
        Ok(())
    }
    fn hessian_pattern(&self) -> Option<&SparsePattern> {
        Some(&self.hess)
    }
    fn hessian_values(&mut self, _x: &[f64], l: &[f64], values: &mut [f64]) -> Result<(), OracleFailure> {
        // (0,1) = 0, (0,0) = 2l, (1,1) = 2l, (1,0) = 0.
        values.copy_from_slice(&[0.0, 2.0 * l[0], 2.0 * l[0], 0.0]);
        Ok(())
    }
}

/// `min ||x||^2 + x^T a s.t. sum x = 1` in `R^n`, `a_i = i / n` (a curved objective and a
/// nonzero multiplier): `x* = (1 + sum a / 2)/n - a/2`, `l* = -2 x*_i - a_i`, the same for all `i`.
struct Simplex {
    n: usize,
    jac: SparsePattern,
    hess: SparsePattern,
}

impl Simplex {
    fn new(n: usize) -> Self {
        let diag = SparsePattern::new(n, n, (0..=n).collect(), (0..n).collect(), "diag").unwrap();
        Simplex { n, jac: dense(1, n), hess: diag }
    }
    fn a(&self, i: usize) -> f64 {
        i as f64 / self.n as f64
    }
    fn solution(&self) -> (Vec<f64>, f64, f64) {
        let n = self.n as f64;
        let sum_a: f64 = (0..self.n).map(|i| self.a(i)).sum();
        let x: Vec<f64> = (0..self.n).map(|i| (1.0 + sum_a / 2.0) / n - self.a(i) / 2.0).collect();
        let f = x.iter().enumerate().map(|(i, v)| v * v + v * self.a(i)).sum();
        let l = -2.0 * x[0] - self.a(0);
        (x, f, l)
    }
}

impl ConstrainedObjective for Simplex {
    fn constraint_count(&self) -> usize {
        1
    }
    fn objective(&mut self, x: &[f64]) -> Result<f64, OracleFailure> {
        Ok(x.iter().enumerate().map(|(i, v)| v * v + v * self.a(i)).sum())
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure> {
        for i in 0..self.n {
            g[i] = 2.0 * x[i] + self.a(i);
        }
        Ok(())
    }
    fn constraints(&mut self, x: &[f64], c: &mut [f64]) -> Result<(), OracleFailure> {
        c[0] = x.iter().sum::<f64>() - 1.0;
        Ok(())
    }
    fn jacobian_vector(&mut self, _x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        jv[0] = v.iter().sum();
        Ok(())
    }
    fn jacobian_transpose_vector(&mut self, _x: &[f64], w: &[f64], jtw: &mut [f64]) -> Result<(), OracleFailure> {
        jtw.fill(w[0]);
        Ok(())
    }
    fn lagrangian_hessian_vector(&mut self, _x: &[f64], _l: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure> {
        for (h, t) in hv.iter_mut().zip(v) {
            *h = 2.0 * t;
        }
        Ok(())
    }
    fn jacobian_pattern(&self) -> Option<&SparsePattern> {
        Some(&self.jac)
    }
    fn jacobian_values(&mut self, _x: &[f64], values: &mut [f64]) -> Result<(), OracleFailure> {
        values.fill(1.0);
        Ok(())
    }
    fn hessian_pattern(&self) -> Option<&SparsePattern> {
        Some(&self.hess)
    }
    fn hessian_values(&mut self, _x: &[f64], _l: &[f64], values: &mut [f64]) -> Result<(), OracleFailure> {
        values.fill(2.0);
        Ok(())
    }
}

/// Only the Hessian matters: `f = x0^2 + x0 x1` (Hessian `[[2, 1], [1, 0]]`), `c = x0^2 + x1^2`
/// (Hessian `2 I`), so `H(x, l) = [[2 + 2l, 1], [1, 2l]]`.
struct Mixed {
    hess: SparsePattern,
}

impl ConstrainedObjective for Mixed {
    fn constraint_count(&self) -> usize {
        1
    }
    fn objective(&mut self, x: &[f64]) -> Result<f64, OracleFailure> {
        Ok(x[0] * x[0] + x[0] * x[1])
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), OracleFailure> {
        g.copy_from_slice(&[2.0 * x[0] + x[1], x[0]]);
        Ok(())
    }
    fn constraints(&mut self, x: &[f64], c: &mut [f64]) -> Result<(), OracleFailure> {
        c[0] = x[0] * x[0] + x[1] * x[1];
        Ok(())
    }
    fn jacobian_vector(&mut self, x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        jv[0] = 2.0 * (x[0] * v[0] + x[1] * v[1]);
        Ok(())
    }
    fn jacobian_transpose_vector(&mut self, x: &[f64], w: &[f64], jtw: &mut [f64]) -> Result<(), OracleFailure> {
        jtw.copy_from_slice(&[2.0 * x[0] * w[0], 2.0 * x[1] * w[0]]);
        Ok(())
    }
    fn lagrangian_hessian_vector(&mut self, _x: &[f64], l: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), OracleFailure> {
        hv.copy_from_slice(&[(2.0 + 2.0 * l[0]) * v[0] + v[1], v[0] + 2.0 * l[0] * v[1]]);
        Ok(())
    }
    fn hessian_pattern(&self) -> Option<&SparsePattern> {
        Some(&self.hess)
    }
    fn hessian_values(&mut self, _x: &[f64], l: &[f64], values: &mut [f64]) -> Result<(), OracleFailure> {
        values.copy_from_slice(&[2.0 + 2.0 * l[0], 1.0, 1.0, 2.0 * l[0]]);
        Ok(())
    }
}

#[test]
fn hessian_callback_scales_by_obj_factor() {
    // Pure Rust (no Ipopt needed): what eval_h hands Ipopt is s grad^2 f + l grad^2 c, lower
    // triangle, for s = 1, 2.5 and 0 (restoration phase).
    let mut p = Mixed { hess: dense(2, 2) };
    for (s, l) in [(1.0, 0.7), (2.5, -0.3), (0.0, 0.7), (0.0, 0.0)] {
        let h = ipopt::callback_hessian(&mut p, &[0.3, -1.1], s, &[l]).unwrap();
        let want = [(0, 0, 2.0 * s + 2.0 * l), (1, 0, s), (1, 1, 2.0 * l)];
        assert_eq!(h.len(), 3, "lower triangle only: {h:?}");
        for (r, c, v) in want {
            let got = h.iter().find(|e| e.0 == r && e.1 == c).unwrap_or_else(|| panic!("({r},{c}) missing: {h:?}")).2;
            assert!((got - v).abs() <= 1e-14, "s = {s}, l = {l}: h({r},{c}) = {got}, expected {v}");
        }
    }
}

fn tight() -> IpoptSettings {
    IpoptSettings { tol: 1e-12, dual_inf_tol: Some(1e-12), constr_viol_tol: Some(1e-12), ..Default::default() }
}

fn assert_close(got: &[f64], want: &[f64], what: &str) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= 1e-8, "{what}[{i}] = {g}, expected {w}");
    }
}

#[test]
fn hs28_exact_hessian_matches_closed_form() {
    let Some(ipopt) = ipopt_or_skip() else { return };
    let mut p = Hs28 { jac: Some(dense(1, 3)), hess: dense(3, 3) };
    let mut x = vec![-4.0, 1.0, 1.0];
    let r = ipopt.solve(&mut p, &mut x, &tight()).unwrap();
    assert!(r.succeeded(), "status {} ({})", r.status, r.status_name);
    assert_close(&x, &[0.5, -0.5, 0.5], "x");
    assert_close(&r.multipliers, &[0.0], "lambda");
    assert!(r.objective.abs() <= 1e-8);
    assert!(r.meets(1e-8), "KKT {} / {}", r.stationarity, r.feasibility);
    assert!(r.iterations >= 1 && r.counts.hessian >= 1 && r.counts.jacobian >= 1 && r.counts.gradient >= 1);
    assert_eq!(r.counts.jacobian_products, 0);
    eprintln!("hs28 via {}: {} iterations, counts {:?}", ipopt.library, r.iterations, r.counts);
}

#[test]
fn hs28_dense_jacobian_fallback() {
    let Some(ipopt) = ipopt_or_skip() else { return };
    let mut p = Hs28 { jac: None, hess: dense(3, 3) };
    let mut x = vec![-4.0, 1.0, 1.0];
    let r = ipopt.solve(&mut p, &mut x, &tight()).unwrap();
    assert!(r.succeeded(), "status {}", r.status_name);
    assert_close(&x, &[0.5, -0.5, 0.5], "x");
    assert!(r.counts.jacobian_products >= 1 && r.counts.jacobian == 0);
}

#[test]
fn multiplier_sign_and_constraint_curvature() {
    let Some(ipopt) = ipopt_or_skip() else { return };
    let mut p = Circle::new();
    let mut x = vec![-2.0, 0.1];
    let r = ipopt.solve(&mut p, &mut x, &tight()).unwrap();
    assert!(r.succeeded(), "status {}", r.status_name);
    assert_close(&x, &[-1.0, -1.0], "x");
    // Ipopt's Lagrangian is f + g^T lambda, the trait's: lambda* = +1/2.
    assert_close(&r.multipliers, &[0.5], "lambda");
    assert!((r.objective + 2.0).abs() <= 1e-8);
    assert!(r.meets(1e-8), "KKT {} / {}", r.stationarity, r.feasibility);
}

#[test]
fn restoration_phase_start() {
    // start_with_resto: Ipopt begins in its restoration phase (Hessians with obj_factor = 0,
    // which Ipopt 3.11 short-cuts to zero while the multipliers are zero) and recovers.
    let Some(ipopt) = ipopt_or_skip() else { return };
    let mut p = Circle::new();
    let mut x = vec![-2.0, 0.1];
    let mut s = tight();
    s.str_options.push(("start_with_resto".into(), "yes".into()));
    let r = ipopt.solve(&mut p, &mut x, &s).unwrap();
    assert!(r.succeeded(), "status {}", r.status_name);
    assert!(r.restoration_iterations >= 1, "no restoration iteration counted");
    assert_close(&x, &[-1.0, -1.0], "x");
    assert_close(&r.multipliers, &[0.5], "lambda");
}

#[test]
fn simplex_exact_and_limited_memory() {
    let Some(ipopt) = ipopt_or_skip() else { return };
    for limited_memory in [false, true] {
        let mut p = Simplex::new(7);
        let (xs, fs, ls) = p.solution();
        let mut x = vec![0.3; 7];
        let mut s = tight();
        s.limited_memory = limited_memory;
        let r = ipopt.solve(&mut p, &mut x, &s).unwrap();
        assert!(r.succeeded(), "limited_memory = {limited_memory}: status {}", r.status_name);
        assert_close(&x, &xs, "x");
        assert_close(&r.multipliers, &[ls], "lambda");
        assert!((r.objective - fs).abs() <= 1e-8);
        if limited_memory {
            assert_eq!(r.counts.hessian, 0);
        }
    }
}

#[test]
fn kkt_2norm_settings_meet_the_target() {
    let Some(ipopt) = ipopt_or_skip() else { return };
    let mut p = Simplex::new(50);
    let mut x = vec![1.0; 50];
    let r = ipopt.solve(&mut p, &mut x, &IpoptSettings::kkt_2norm(1e-6, 50, 1)).unwrap();
    assert!(r.succeeded() && r.meets(1e-6), "{} {} {}", r.status_name, r.stationarity, r.feasibility);
}

#[test]
fn wall_clock_limit_stops_ipopt() {
    let Some(ipopt) = ipopt_or_skip() else { return };
    let mut p = Circle::new();
    let mut x = vec![-2.0, 0.1];
    let mut s = tight();
    s.max_seconds = Some(0.0);
    let r = ipopt.solve(&mut p, &mut x, &s).unwrap();
    assert!(r.timed_out && r.status == 5, "{}", r.status_name);
}

#[test]
fn banner_names_the_version() {
    let Some(ipopt) = ipopt_or_skip() else { return };
    let banner = ipopt.banner().expect("no banner");
    assert!(banner.contains("Ipopt version"), "{banner}");
    eprintln!("{banner} ({})", ipopt.library_path().unwrap_or_default());
}

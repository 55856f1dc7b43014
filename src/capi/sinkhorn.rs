//! `nks_sinkhorn`: entropic optimal transport by log-domain Sinkhorn or Sinkhorn-Newton-Sparse.

use super::ffi::{borrow_state, check_disjoint, check_disjoint_spans, free_handle, guard, null_error, try_ref, try_slice, try_slice_mut, try_str, write_handle, write_out};
use super::krylov::nks_termination;
use super::status::{nks_status, CError};
use crate::error::Error;
use crate::linalg::dense::{layout_len, DenseMut, DenseRef};
use crate::ot::{Cost, CostExponent, OtProblem, OtTermination, SinkhornOptions, SinkhornReport, SinkhornSolver};
use std::cell::{RefCell, RefMut};
use std::ffi::c_char;

/// The methods of option `"method"`.
#[repr(i32)]
pub enum nks_ot_method {
    /// Log-domain Sinkhorn (default).
    NKS_OT_SINKHORN = 0,
    /// Sinkhorn-Newton-Sparse: Sinkhorn warm-up, then Newton steps with a sparsified Hessian.
    NKS_OT_SNS = 1,
}

/// What the last `nks_sinkhorn_solve_*` did (read with `nks_sinkhorn_get_report`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct nks_sinkhorn_report {
    /// The status the solve returned (an `nks_status` value).
    pub status: i32,
    /// Why it stopped (an `nks_termination` value): `NKS_TERMINATION_CONVERGED_ATOL` (the
    /// marginal error reached `tol`), `NKS_TERMINATION_MAX_ITERATIONS`,
    /// `NKS_TERMINATION_TIME_LIMIT`, or `NKS_TERMINATION_NOT_STARTED` before any solve.
    pub termination: i32,
    /// The method that ran (an `nks_ot_method` value).
    pub method: i32,
    /// All iterations: `sinkhorn_iterations + newton_iterations`.
    pub iterations: usize,
    /// Sinkhorn iterations (one update of `f` and one of `g`): epsilon-scaling stages, the SNS
    /// warm-up and SNS fallbacks included.
    pub sinkhorn_iterations: usize,
    /// Newton iterations (SNS).
    pub newton_iterations: usize,
    /// Sinkhorn steps SNS took because a Newton step did not help.
    pub fallback_steps: usize,
    /// CG iterations over all Newton systems (SNS).
    pub cg_iterations: usize,
    /// Plan entries kept in the last sparsified Hessian, as a fraction of the `n m` entries.
    pub hessian_density: f64,
    /// `||P 1 - a||_1 + ||P^T 1 - b||_1` of the returned potentials.
    pub marginal_error: f64,
    /// `<C, P>`: the unregularised transport cost of the plan (W_p^p for a point-cloud cost).
    pub transport_cost: f64,
    /// `<C, P> + eps KL(P | a b^T)`: the entropic objective (equal to `<a, f> + <b, g>` at the
    /// optimum).
    pub regularized_cost: f64,
    /// The regularisation `eps` of the solve.
    pub eps: f64,
    /// Potential updates redone by an exact log-sum-exp because the fast one underflowed.
    pub exact_lines: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// The termination code and the status a solve that stopped this way returns.
fn outcome(t: OtTermination) -> (nks_termination, nks_status) {
    use nks_termination::*;
    match t {
        OtTermination::NotStarted => (NKS_TERMINATION_NOT_STARTED, nks_status::NKS_OK),
        OtTermination::Converged => (NKS_TERMINATION_CONVERGED_ATOL, nks_status::NKS_OK),
        OtTermination::MaxIterations => (NKS_TERMINATION_MAX_ITERATIONS, nks_status::NKS_MAX_ITERATIONS),
        OtTermination::TimeLimit => (NKS_TERMINATION_TIME_LIMIT, nks_status::NKS_TIME_LIMIT),
    }
}

fn to_c_report(r: &SinkhornReport) -> nks_sinkhorn_report {
    let (termination, status) = outcome(r.termination);
    nks_sinkhorn_report {
        status: status as i32,
        termination: termination as i32,
        method: r.method.code() as i32,
        iterations: r.iterations,
        sinkhorn_iterations: r.sinkhorn_iterations,
        newton_iterations: r.newton_iterations,
        fallback_steps: r.fallback_steps,
        cg_iterations: r.cg_iterations,
        hessian_density: r.hessian_density,
        marginal_error: r.marginal_error,
        transport_cost: r.transport_cost,
        regularized_cost: r.regularized_cost,
        eps: r.eps,
        exact_lines: r.exact_lines,
        seconds: r.seconds,
    }
}

/// An optimal-transport solver: options, and the last problem solved (its cost is kept so that
/// the plan can be read afterwards; a dense cost is kept as two copies, `16 n m` bytes, point
/// clouds as `8 (n + m) d` bytes). Use from one thread at a time.
pub struct nks_sinkhorn {
    solver: RefCell<SinkhornSolver>,
}

unsafe fn solver<'a>(h: *const nks_sinkhorn) -> Result<RefMut<'a, SinkhornSolver>, CError> {
    borrow_state(
        &try_ref(h, "h")?.solver,
        "the nks_sinkhorn handle is busy (used from two threads at once)",
    )
}

/// Creates a solver with the default options: log-domain Sinkhorn, `eps = 0.01`, stop at an L1
/// marginal error of `1e-9`, 100000 iterations, potentials started from zero.
#[no_mangle]
pub unsafe extern "C" fn nks_sinkhorn_new(out: *mut *mut nks_sinkhorn) -> nks_status {
    guard(|| {
        if out.is_null() {
            return Err(null_error("out"));
        }
        write_handle(out, nks_sinkhorn { solver: RefCell::new(SinkhornSolver::new(SinkhornOptions::default())) });
        Ok(nks_status::NKS_OK)
    })
}

/// Frees a solver and the problem it kept. `nks_sinkhorn_free(NULL)` does nothing.
#[no_mangle]
pub unsafe extern "C" fn nks_sinkhorn_free(h: *mut nks_sinkhorn) {
    let _ = guard(|| {
        free_handle(h);
        Ok(nks_status::NKS_OK)
    });
}

/// Sets an option by name:
/// `"eps"` > 0 (default 0.01): the regularisation, in the units of the cost;
/// `"tol"` in (0, 1) (default 1e-9): stop at `||P 1 - a||_1 + ||P^T 1 - b||_1 <= tol`;
/// `"max_iterations"` >= 1 (default 100000, all stages together);
/// `"method"` an `nks_ot_method` (default `NKS_OT_SINKHORN`);
/// `"check_interval"` >= 1 (default 1): iterations between marginal-error checks (a check is
/// O(n), from the row sums the update computes anyway);
/// `"eps_scaling"` 0 (off, default) or a factor in (0, 1): start at `eps = max |C|` and shrink by
/// the factor, each stage to an error of `max(tol, 1e-3)`, down to `eps`;
/// `"use_initial_guess"` 0 (default: potentials start at zero) / 1 (start from `f`, `g`);
/// `"newton_warmup"` >= 0 (default 20): Sinkhorn iterations before SNS's first Newton step;
/// `"hessian_density"` -1 (default, adaptive) or a fraction in (0, 1]: SNS keeps the largest
/// `max(1, round(density m))` entries of each row of the plan in the Hessian (`2 / m` is the
/// paper's O(n) pattern);
/// `"hessian_mass"` in (0, 1] (default `1 - 1e-9`): with density -1, SNS keeps in each row the
/// largest entries carrying this fraction of its mass (few at small `eps`, more where the plan is
/// not sparse; dropping more, e.g. 0.999, can cut the weak links the Newton step needs and make
/// convergence slow);
/// `"cg_max_iterations"` >= 1 (default 500) per Newton system;
/// `"max_seconds"` >= 0 (0 = no limit, default);
/// `"kernel_memory_mb"` >= 0 (default 1024): Sinkhorn stores the stabilised kernel (`8 n m`
/// bytes, freed when the solve returns) when it fits, and then iterates by matrix-vector
/// products; beyond it, or with 0, exponentials are computed on the fly (point clouds then
/// need only O((n + m) d) memory).
///
/// Errors: `NKS_ERR_NULL_POINTER`, `NKS_ERR_UNKNOWN_OPTION` (the message lists the names),
/// `NKS_ERR_INVALID_ARGUMENT` for a value out of range (the option keeps its value).
#[no_mangle]
pub unsafe extern "C" fn nks_sinkhorn_set_option(h: *mut nks_sinkhorn, name: *const c_char, value: f64) -> nks_status {
    guard(|| {
        let mut s = solver(h)?;
        s.options_mut().set(try_str(name, "name")?, value)?;
        Ok(nks_status::NKS_OK)
    })
}

/// Reads an option by name into `*value` (in the encoding `nks_sinkhorn_set_option` takes);
/// `*value` is written only on success.
#[no_mangle]
pub unsafe extern "C" fn nks_sinkhorn_get_option(h: *const nks_sinkhorn, name: *const c_char, value: *mut f64) -> nks_status {
    guard(|| {
        let s = solver(h)?;
        let v = s.options().get(try_str(name, "name")?)?;
        write_out(value, v, "value")?;
        Ok(nks_status::NKS_OK)
    })
}

/// Runs the solve on a validated problem and maps its outcome to a status.
unsafe fn run(h: *mut nks_sinkhorn, problem: impl FnOnce() -> Result<OtProblem, CError>, f: *mut f64, g: *mut f64, n: usize, m: usize) -> Result<nks_status, CError> {
    let mut s = solver(h)?;
    if f.is_null() {
        return Err(null_error("f"));
    }
    if g.is_null() {
        return Err(null_error("g"));
    }
    let problem = problem()?;
    let f = try_slice_mut(f, n, "f")?;
    check_disjoint(f, g, m, "f", "g")?;
    let g = try_slice_mut(g, m, "g")?;
    Ok(outcome(s.solve(problem, f, g)?.termination).1)
}

/// Solves the transport problem between the histograms `a` (length `n`) and `b` (length `m`)
/// with the dense cost `c`, `n x m` column-major with leading dimension `ldc >= n` (entry
/// `(i, j)` is `c[i + j * ldc]`). The cost is copied. `a` and `b` must be finite, non-negative,
/// not all zero and of equal total mass (relative 1e-9); zero weights are allowed.
///
/// On return `f` (length `n`) and `g` (length `m`) hold the dual potentials, with the plan
/// `P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps)`; with `"use_initial_guess" = 1` they are read
/// first as the starting point. Costs and counts are in the report; the plan is read with
/// `nks_sinkhorn_plan_dense` / `nks_sinkhorn_plan_sparse`.
///
/// Returns `NKS_OK` when converged, `NKS_MAX_ITERATIONS` or `NKS_TIME_LIMIT` with the last
/// potentials written (usable, not converged). Bad input (NULL, `ldc < n`, NaN / Inf costs,
/// negative or unequal weights, `f` and `g` overlapping) fails before any work and writes
/// nothing; the previous problem is kept.
#[no_mangle]
pub unsafe extern "C" fn nks_sinkhorn_solve_dense(
    h: *mut nks_sinkhorn,
    n: usize,
    m: usize,
    a: *const f64,
    b: *const f64,
    c: *const f64,
    ldc: usize,
    f: *mut f64,
    g: *mut f64,
) -> nks_status {
    guard(|| {
        run(
            h,
            || {
                let (a, b) = (try_slice(a, n, "a")?, try_slice(b, m, "b")?);
                let len = layout_len(n, m, ldc, "C")?;
                let cost = Cost::dense(DenseRef::new(try_slice(c, len, "C")?, n, m, ldc, "C")?)?;
                Ok(OtProblem::new(cost, a, b)?)
            },
            f,
            g,
            n,
            m,
        )
    })
}

/// Solves the transport problem between the point clouds `x` (`n` points) and `y` (`m` points)
/// in dimension `d`, weighted by `a` and `b`, with the cost `|x_i - y_j|^p` (`p` = 1 or 2,
/// Euclidean norm) computed on the fly: memory stays O((n + m) d), so large clouds need no
/// `n x m` matrix. `x` is `d x n` column-major with leading dimension `ldx >= d` (point `i`
/// is `x[i * ldx .. i * ldx + d]`: a C array of `n` points of `d` doubles, or a Fortran
/// `x(d, n)`), likewise `y`. Everything else is as `nks_sinkhorn_solve_dense`; for `p = 2`
/// the report's `transport_cost` is the entropic estimate of W_2^2.
#[no_mangle]
pub unsafe extern "C" fn nks_sinkhorn_solve_points(
    h: *mut nks_sinkhorn,
    n: usize,
    m: usize,
    d: usize,
    a: *const f64,
    b: *const f64,
    x: *const f64,
    ldx: usize,
    y: *const f64,
    ldy: usize,
    p: f64,
    f: *mut f64,
    g: *mut f64,
) -> nks_status {
    guard(|| {
        run(
            h,
            || {
                let (a, b) = (try_slice(a, n, "a")?, try_slice(b, m, "b")?);
                let p = CostExponent::from_p(p)?;
                let xs = DenseRef::new(try_slice(x, layout_len(d, n, ldx, "x")?, "x")?, d, n, ldx, "x")?;
                let ys = DenseRef::new(try_slice(y, layout_len(d, m, ldy, "y")?, "y")?, d, m, ldy, "y")?;
                Ok(OtProblem::new(Cost::points(xs, ys, p)?, a, b)?)
            },
            f,
            g,
            n,
            m,
        )
    })
}

/// Copies the report of the last solve into `*out`.
#[no_mangle]
pub unsafe extern "C" fn nks_sinkhorn_get_report(h: *const nks_sinkhorn, out: *mut nks_sinkhorn_report) -> nks_status {
    guard(|| {
        let s = solver(h)?;
        write_out(out, to_c_report(s.report()), "out")?;
        Ok(nks_status::NKS_OK)
    })
}

/// Writes the plan of the last solve, `n x m`, into `p` (column-major, leading dimension
/// `ldp >= n`). Errors: `NKS_ERR_INVALID_STATE` before any successful solve,
/// `NKS_ERR_DIMENSION_MISMATCH` when `n`, `m` are not the last problem's.
#[no_mangle]
pub unsafe extern "C" fn nks_sinkhorn_plan_dense(h: *const nks_sinkhorn, n: usize, m: usize, p: *mut f64, ldp: usize) -> nks_status {
    guard(|| {
        let s = solver(h)?;
        let (sn, sm) = s.dims()?;
        if (n, m) != (sn, sm) {
            return Err(Error::dims(format!("n x m = {n} x {m} but the last problem solved is {sn} x {sm}")).into());
        }
        let len = layout_len(n, m, ldp, "P")?;
        let mut out = DenseMut::new(try_slice_mut(p, len, "P")?, n, m, ldp, "P")?;
        s.plan_dense(&mut out)?;
        Ok(nks_status::NKS_OK)
    })
}

/// Counts the entries of the last solve's plan that are `>= threshold` (and nonzero), for
/// sizing the arrays of `nks_sinkhorn_plan_sparse`.
#[no_mangle]
pub unsafe extern "C" fn nks_sinkhorn_plan_nnz(h: *const nks_sinkhorn, threshold: f64, nnz: *mut usize) -> nks_status {
    guard(|| {
        let s = solver(h)?;
        if nnz.is_null() {
            return Err(null_error("nnz"));
        }
        let mut count = 0usize;
        s.for_each_plan_entry(threshold, |_, _, _| count += 1)?;
        write_out(nnz, count, "nnz")?;
        Ok(nks_status::NKS_OK)
    })
}

/// Writes the entries of the last solve's plan that are `>= threshold` as coordinates: row
/// `rows[k]`, column `cols[k]` (counted from `index_base`, 0 or 1) and value `values[k]`,
/// row-major order. `len` must equal the count `nks_sinkhorn_plan_nnz` gives for the same
/// threshold (`NKS_ERR_DIMENSION_MISMATCH` otherwise, nothing written).
#[no_mangle]
pub unsafe extern "C" fn nks_sinkhorn_plan_sparse(
    h: *const nks_sinkhorn,
    threshold: f64,
    index_base: i32,
    rows: *mut i64,
    cols: *mut i64,
    values: *mut f64,
    len: usize,
) -> nks_status {
    guard(|| {
        let s = solver(h)?;
        if index_base != 0 && index_base != 1 {
            return Err(Error::invalid(format!("index_base = {index_base} is out of range; use 0 (C) or 1 (Fortran, Julia)")).into());
        }
        let mut count = 0usize;
        s.for_each_plan_entry(threshold, |_, _, _| count += 1)?;
        if len != count {
            return Err(Error::dims(format!(
                "len = {len} but the plan has {count} entries >= {threshold}; size the arrays with nks_sinkhorn_plan_nnz"
            ))
            .into());
        }
        let (r, c, v) = (try_slice_mut(rows, len, "rows")?, try_slice_mut(cols, len, "cols")?, try_slice_mut(values, len, "values")?);
        // Three outputs of 8-byte elements: refuse any two that share memory.
        let spans = [(r.as_ptr() as *const f64, "rows"), (c.as_ptr() as *const f64, "cols"), (v.as_ptr() as *const f64, "values")];
        for (x, y) in [(0, 1), (0, 2), (1, 2)] {
            check_disjoint_spans(std::slice::from_raw_parts(spans[x].0, len), spans[y].0, len, spans[x].1, spans[y].1)?;
        }
        let mut k = 0;
        s.for_each_plan_entry(threshold, |i, j, p| {
            r[k] = i as i64 + index_base as i64;
            c[k] = j as i64 + index_base as i64;
            v[k] = p;
            k += 1;
        })?;
        Ok(nks_status::NKS_OK)
    })
}

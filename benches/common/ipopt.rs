//! Ipopt (the C interface `IpStdCInterface.h`) as a peer for the equality-constrained solver,
//! loaded at RUN time with `dlopen`, so that nothing fails to build or link where Ipopt is not
//! installed: [`Ipopt::load`] answers `None` there (with [`Ipopt::why_missing`] saying why).
//!
//! The problem is given as a [`ConstrainedObjective`]: `min f(x) s.t. c(x) = 0`, no bounds on
//! `x` (`x_L = -1e19`, `x_U = 1e19`, which Ipopt reads as infinite) and `g_L = g_U = 0`.
//!
//! - Jacobian: the triplets of `jacobian_pattern()` with the values of `jacobian_values()`; a
//!   problem without a Jacobian pattern gets a dense `m x n` Jacobian built from `m` products
//!   `J^T e_i` (counted as Jacobian products).
//! - Hessian of the Lagrangian: Ipopt asks for `h = s grad^2 f + sum_i l_i grad^2 c_i` (lower
//!   triangle), `s` = `obj_factor`, while the trait gives `H(x, l) = grad^2 f + sum_i l_i
//!   grad^2 c_i`, weight 1 on `f`. Since `H` is affine in `l`:
//!   * `s != 0`: `h = s H(x, l / s)` (one call), exact;
//!   * `s == 0` (Ipopt's restoration phase and derivative checks): `h = H(x, l) - H(x, 0)`
//!     (two calls), exact up to the cancellation of the `grad^2 f` terms.
//!
//!   The pattern stores both triangles; the entries with column <= row are passed. Without a
//!   Hessian pattern only `hessian_approximation = limited-memory` can be used ([`Ipopt::solve`]
//!   refuses an exact-Hessian run).
//! - Multipliers: Ipopt's Lagrangian is `f + g^T l` as the trait's (checked in
//!   tests/ipopt_harness.rs: `grad f + J^T l = 0` at Ipopt's answer), so its `mult_g` is the
//!   trait's `lambda` as is.
//! - Iterations: the largest `iter_count` the intermediate callback saw (Ipopt's own
//!   iteration count, restoration iterations included); oracle calls are counted by kind.
//! - The final KKT residuals `||grad f + J^T l||_2` and `||c||_2` are recomputed through the
//!   trait at Ipopt's point (these calls are not counted).
//!
//! Ipopt's termination test is `scaled NLP error <= tol` (infinity norms, the dual error
//! divided by `max(1, mean |l| / 100)`, on the gradient-scaled problem) AND the unscaled
//! `dual_inf <= dual_inf_tol`, `constr_viol <= constr_viol_tol` (infinity norms). To stop at a
//! 2-norm target `t` on the original problem, [`IpoptSettings::kkt_2norm`] sets `tol = t`,
//! `dual_inf_tol = t / sqrt(n)` and `constr_viol_tol = t / sqrt(m)`, which imply
//! `||grad f + J^T l||_2 <= t` and `||c||_2 <= t`.

#![allow(dead_code)]

use nksolve::constrained::ConstrainedObjective;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

type Index = c_int;
type Number = f64;
type Bool = c_int;
type IpoptProblem = *mut c_void;

type EvalF = unsafe extern "C" fn(Index, *mut Number, Bool, *mut Number, *mut c_void) -> Bool;
type EvalGradF = unsafe extern "C" fn(Index, *mut Number, Bool, *mut Number, *mut c_void) -> Bool;
type EvalG = unsafe extern "C" fn(Index, *mut Number, Bool, Index, *mut Number, *mut c_void) -> Bool;
type EvalJacG = unsafe extern "C" fn(Index, *mut Number, Bool, Index, Index, *mut Index, *mut Index, *mut Number, *mut c_void) -> Bool;
type EvalH = unsafe extern "C" fn(
    Index,
    *mut Number,
    Bool,
    Number,
    Index,
    *mut Number,
    Bool,
    Index,
    *mut Index,
    *mut Index,
    *mut Number,
    *mut c_void,
) -> Bool;
type IntermediateCb =
    unsafe extern "C" fn(Index, Index, Number, Number, Number, Number, Number, Number, Number, Number, Index, *mut c_void) -> Bool;

type CreateFn = unsafe extern "C" fn(
    Index,
    *mut Number,
    *mut Number,
    Index,
    *mut Number,
    *mut Number,
    Index,
    Index,
    Index,
    Option<EvalF>,
    Option<EvalG>,
    Option<EvalGradF>,
    Option<EvalJacG>,
    Option<EvalH>,
) -> IpoptProblem;
type FreeFn = unsafe extern "C" fn(IpoptProblem);
type AddStrFn = unsafe extern "C" fn(IpoptProblem, *mut c_char, *mut c_char) -> Bool;
type AddNumFn = unsafe extern "C" fn(IpoptProblem, *mut c_char, Number) -> Bool;
type AddIntFn = unsafe extern "C" fn(IpoptProblem, *mut c_char, c_int) -> Bool;
type SetIntermediateFn = unsafe extern "C" fn(IpoptProblem, Option<IntermediateCb>) -> Bool;
type SolveFn = unsafe extern "C" fn(
    IpoptProblem,
    *mut Number,
    *mut Number,
    *mut Number,
    *mut Number,
    *mut Number,
    *mut Number,
    *mut c_void,
) -> c_int;

/// The shared-library names tried, in order.
pub const LIBRARY_NAMES: [&str; 3] = ["libipopt.so.1", "libipopt.so.3", "libipopt.so"];

/// Ipopt's C interface, resolved from the shared library.
pub struct Ipopt {
    handle: *mut c_void,
    /// The library name that loaded.
    pub library: String,
    create: CreateFn,
    free: FreeFn,
    add_str: AddStrFn,
    add_num: AddNumFn,
    add_int: AddIntFn,
    set_intermediate: SetIntermediateFn,
    solve_fn: SolveFn,
}

fn dlerror_text() -> String {
    // SAFETY: dlerror returns NULL or a NUL-terminated string owned by libc.
    unsafe {
        let e = libc::dlerror();
        if e.is_null() {
            "unknown dlopen error".into()
        } else {
            CStr::from_ptr(e).to_string_lossy().into_owned()
        }
    }
}

impl Ipopt {
    /// Loads Ipopt, or `None` where no library of [`LIBRARY_NAMES`] loads or a symbol is missing.
    pub fn load() -> Option<Ipopt> {
        Self::try_load().ok()
    }

    /// Why [`Ipopt::load`] fails (`None` when it succeeds).
    pub fn why_missing() -> Option<String> {
        Self::try_load().err()
    }

    /// Loads Ipopt or says why not.
    pub fn try_load() -> Result<Ipopt, String> {
        let mut errors = Vec::new();
        for name in LIBRARY_NAMES {
            let cname = CString::new(name).unwrap();
            // SAFETY: a valid NUL-terminated name; the handle is closed in Drop.
            let handle = unsafe { libc::dlopen(cname.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
            if handle.is_null() {
                errors.push(dlerror_text());
                continue;
            }
            let sym = |s: &str| -> Result<*mut c_void, String> {
                let c = CString::new(s).unwrap();
                // SAFETY: handle is a live dlopen handle, c is NUL-terminated.
                let p = unsafe { libc::dlsym(handle, c.as_ptr()) };
                if p.is_null() {
                    Err(format!("{name}: symbol {s} missing"))
                } else {
                    Ok(p)
                }
            };
            let resolved = (|| {
                // SAFETY: the symbols have the C signatures of IpStdCInterface.h (Ipopt 3.x),
                // transcribed in the types above.
                unsafe {
                    Ok::<_, String>(Ipopt {
                        handle,
                        library: name.to_string(),
                        create: std::mem::transmute::<*mut c_void, CreateFn>(sym("CreateIpoptProblem")?),
                        free: std::mem::transmute::<*mut c_void, FreeFn>(sym("FreeIpoptProblem")?),
                        add_str: std::mem::transmute::<*mut c_void, AddStrFn>(sym("AddIpoptStrOption")?),
                        add_num: std::mem::transmute::<*mut c_void, AddNumFn>(sym("AddIpoptNumOption")?),
                        add_int: std::mem::transmute::<*mut c_void, AddIntFn>(sym("AddIpoptIntOption")?),
                        set_intermediate: std::mem::transmute::<*mut c_void, SetIntermediateFn>(sym("SetIntermediateCallback")?),
                        solve_fn: std::mem::transmute::<*mut c_void, SolveFn>(sym("IpoptSolve")?),
                    })
                }
            })();
            match resolved {
                Ok(ipopt) => return Ok(ipopt),
                Err(e) => {
                    errors.push(e);
                    // SAFETY: handle came from dlopen and nothing from it is kept.
                    unsafe { libc::dlclose(handle) };
                }
            }
        }
        Err(format!("Ipopt not loadable ({}); install coinor-libipopt-dev (Debian/Ubuntu)", errors.join("; ")))
    }
}

// No Drop: the library stays loaded for the life of the process (unloading Ipopt with its
// Fortran runtime and MUMPS is not worth the risk in a benchmark).

/// Ipopt 3.11 with sequential MUMPS is not thread-safe (MUMPS' MPI stub and Ipopt's static
/// state): concurrent solves crash. Every solve holds this lock.
static SOLVE_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Options of one Ipopt run.
#[derive(Debug, Clone)]
pub struct IpoptSettings {
    /// Ipopt's `tol` (scaled overall NLP error, infinity norm).
    pub tol: f64,
    /// `dual_inf_tol` (unscaled, infinity norm); `None`: Ipopt's default (1).
    pub dual_inf_tol: Option<f64>,
    /// `constr_viol_tol` (unscaled, infinity norm); `None`: Ipopt's default (1e-4).
    pub constr_viol_tol: Option<f64>,
    /// `hessian_approximation = limited-memory` (L-BFGS) instead of the exact Hessian.
    pub limited_memory: bool,
    /// `max_iter`.
    pub max_iterations: usize,
    /// Wall-clock limit: the intermediate callback stops Ipopt past it (status
    /// `User_Requested_Stop`).
    pub max_seconds: Option<f64>,
    /// `print_level` (0: silent).
    pub print_level: i32,
    /// Further options, `(name, value)`: numbers, integers and strings.
    pub num_options: Vec<(String, f64)>,
    pub int_options: Vec<(String, i32)>,
    pub str_options: Vec<(String, String)>,
}

impl Default for IpoptSettings {
    fn default() -> Self {
        IpoptSettings {
            tol: 1e-8,
            dual_inf_tol: None,
            constr_viol_tol: None,
            limited_memory: false,
            max_iterations: 3000,
            max_seconds: None,
            print_level: 0,
            num_options: Vec::new(),
            int_options: Vec::new(),
            str_options: Vec::new(),
        }
    }
}

impl IpoptSettings {
    /// Settings whose termination implies `||grad f + J^T l||_2 <= target` and `||c||_2 <=
    /// target` for `n` unknowns and `m` constraints (see the module notes).
    pub fn kkt_2norm(target: f64, n: usize, m: usize) -> Self {
        IpoptSettings {
            tol: target,
            dual_inf_tol: Some(target / (n.max(1) as f64).sqrt()),
            constr_viol_tol: Some(target / (m.max(1) as f64).sqrt()),
            ..Default::default()
        }
    }
}

/// Oracle calls Ipopt made, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct IpoptCounts {
    pub objective: usize,
    pub gradient: usize,
    pub constraints: usize,
    /// Jacobian value calls (`jacobian_values`, one per Ipopt `eval_jac_g` with values).
    pub jacobian: usize,
    /// Products `J^T w` (only without a Jacobian pattern: `m` per Jacobian).
    pub jacobian_products: usize,
    /// Hessian value calls (`hessian_values`; two per Ipopt call with `obj_factor = 0`).
    pub hessian: usize,
    /// Ipopt Hessian requests with `obj_factor = 0` (restoration phase), included above.
    pub hessian_without_objective: usize,
}

impl IpoptCounts {
    /// All oracle calls.
    pub fn total(&self) -> usize {
        self.objective + self.gradient + self.constraints + self.jacobian + self.jacobian_products + self.hessian
    }
}

/// The outcome of one Ipopt run.
#[derive(Debug, Clone)]
pub struct IpoptResult {
    /// Ipopt's `ApplicationReturnStatus`.
    pub status: i32,
    /// Its name.
    pub status_name: &'static str,
    /// Ipopt iterations (the last `iter_count` of the intermediate callback).
    pub iterations: usize,
    /// Of which in the restoration phase.
    pub restoration_iterations: usize,
    /// `f` at Ipopt's point (as Ipopt returns it).
    pub objective: f64,
    /// Ipopt's point.
    pub x: Vec<f64>,
    /// Ipopt's constraint multipliers (the trait's `lambda`, same sign).
    pub multipliers: Vec<f64>,
    /// Wall-clock seconds of `IpoptSolve` (problem creation and options excluded).
    pub seconds: f64,
    /// `||grad f + J^T l||_2` recomputed through the trait at Ipopt's point.
    pub stationarity: f64,
    /// `||c||_2` recomputed through the trait.
    pub feasibility: f64,
    /// Oracle calls during the solve.
    pub counts: IpoptCounts,
    /// Stopped by [`IpoptSettings::max_seconds`].
    pub timed_out: bool,
}

impl IpoptResult {
    /// Ipopt reported `Solve_Succeeded` or `Solved_To_Acceptable_Level`.
    pub fn succeeded(&self) -> bool {
        self.status == 0 || self.status == 1
    }

    /// Both recomputed residuals at or below `target` (with a relative slack of 1e-9).
    pub fn meets(&self, target: f64) -> bool {
        self.stationarity <= target * (1.0 + 1e-9) && self.feasibility <= target * (1.0 + 1e-9)
    }
}

/// The name of an `ApplicationReturnStatus`.
pub fn status_name(status: i32) -> &'static str {
    match status {
        0 => "Solve_Succeeded",
        1 => "Solved_To_Acceptable_Level",
        2 => "Infeasible_Problem_Detected",
        3 => "Search_Direction_Becomes_Too_Small",
        4 => "Diverging_Iterates",
        5 => "User_Requested_Stop",
        6 => "Feasible_Point_Found",
        -1 => "Maximum_Iterations_Exceeded",
        -2 => "Restoration_Failed",
        -3 => "Error_In_Step_Computation",
        -4 => "Maximum_CpuTime_Exceeded",
        -10 => "Not_Enough_Degrees_Of_Freedom",
        -11 => "Invalid_Problem_Definition",
        -12 => "Invalid_Option",
        -13 => "Invalid_Number_Detected",
        -100 => "Unrecoverable_Exception",
        -101 => "NonIpopt_Exception_Thrown",
        -102 => "Insufficient_Memory",
        -199 => "Internal_Error",
        _ => "unknown status",
    }
}

/// How the Jacobian is obtained.
enum JacobianSource {
    /// From the pattern: `(row, col)` per entry, in the pattern's value order.
    Pattern { rows: Vec<Index>, cols: Vec<Index> },
    /// Dense, row-major, from `m` transposed products.
    Dense,
}

/// What the callbacks see (behind `user_data`).
struct Context<'p> {
    problem: &'p mut dyn ConstrainedObjective,
    n: usize,
    m: usize,
    jacobian: JacobianSource,
    /// Hessian lower-triangle entries: their `(row, col)` and position in the full values.
    hess_rows: Vec<Index>,
    hess_cols: Vec<Index>,
    hess_pos: Vec<usize>,
    hess_full: Vec<f64>,
    hess_zero: Vec<f64>,
    scaled_lambda: Vec<f64>,
    zero_lambda: Vec<f64>,
    unit: Vec<f64>,
    row: Vec<f64>,
    counts: IpoptCounts,
    iterations: usize,
    restoration_iterations: usize,
    start: Instant,
    max_seconds: Option<f64>,
    timed_out: bool,
}

impl<'p> Context<'p> {
    /// The callbacks' state for `problem` with `n` unknowns; `Err` when the problem cannot be
    /// passed to Ipopt.
    fn new(problem: &'p mut dyn ConstrainedObjective, n: usize, limited_memory: bool, max_seconds: Option<f64>) -> Result<Self, String> {
        let m = problem.constraint_count();
        let jacobian = match problem.jacobian_pattern() {
            Some(p) => {
                if p.nrows != m || p.ncols != n {
                    return Err(format!("Jacobian pattern is {} x {}, expected {m} x {n}", p.nrows, p.ncols));
                }
                let mut rows = Vec::with_capacity(p.nnz());
                for i in 0..m {
                    rows.extend(std::iter::repeat(i as Index).take(p.row_ptr[i + 1] - p.row_ptr[i]));
                }
                JacobianSource::Pattern { rows, cols: p.col_idx.iter().map(|&j| j as Index).collect() }
            }
            None => JacobianSource::Dense,
        };
        let (mut hess_rows, mut hess_cols, mut hess_pos, mut full_nnz) = (Vec::new(), Vec::new(), Vec::new(), 0);
        if !limited_memory {
            let Some(p) = problem.hessian_pattern() else {
                return Err("exact Hessian requested but the problem gives no Hessian pattern; use limited_memory".into());
            };
            if p.nrows != n || p.ncols != n {
                return Err(format!("Hessian pattern is {} x {}, expected {n} x {n}", p.nrows, p.ncols));
            }
            full_nnz = p.nnz();
            for i in 0..n {
                for (pos, j) in p.row(i) {
                    if j <= i {
                        hess_rows.push(i as Index);
                        hess_cols.push(j as Index);
                        hess_pos.push(pos);
                    }
                }
            }
        }
        let cx = Context {
            problem,
            n,
            m,
            jacobian,
            hess_rows,
            hess_cols,
            hess_pos,
            hess_full: vec![0.0; full_nnz],
            hess_zero: vec![0.0; full_nnz],
            scaled_lambda: vec![0.0; m],
            zero_lambda: vec![0.0; m],
            unit: vec![0.0; m],
            row: vec![0.0; n],
            counts: IpoptCounts::default(),
            iterations: 0,
            restoration_iterations: 0,
            start: Instant::now(),
            max_seconds,
            timed_out: false,
        };
        if n > Index::MAX as usize || cx.jacobian_nnz() > Index::MAX as usize || cx.hess_rows.len() > Index::MAX as usize {
            return Err("problem too large for Ipopt's int indices".into());
        }
        Ok(cx)
    }

    fn jacobian_nnz(&self) -> usize {
        match &self.jacobian {
            JacobianSource::Pattern { rows, .. } => rows.len(),
            JacobianSource::Dense => self.n * self.m,
        }
    }
}

/// The lower-triangle Hessian `(row, col, value)` that Ipopt's `eval_h` callback hands over at
/// `(x, obj_factor, lambda)`, through that very callback (for tests of the `obj_factor`
/// handling; `obj_factor = 0` is rare in a real run).
pub fn callback_hessian(problem: &mut dyn ConstrainedObjective, x: &[f64], obj_factor: f64, lambda: &[f64]) -> Result<Vec<(usize, usize, f64)>, String> {
    let n = x.len();
    let m = problem.constraint_count();
    let mut cx = Context::new(problem, n, false, None)?;
    let nele = cx.hess_rows.len();
    let (mut rows, mut cols, mut values) = (vec![0 as Index; nele], vec![0 as Index; nele], vec![0.0; nele]);
    let (mut x, mut lambda) = (x.to_vec(), lambda.to_vec());
    let user = &mut cx as *mut Context as *mut c_void;
    // SAFETY: arrays of the advertised sizes; user points to a live Context.
    let ok = unsafe {
        let s = eval_h(n as Index, x.as_mut_ptr(), 1, obj_factor, m as Index, lambda.as_mut_ptr(), 1, nele as Index, rows.as_mut_ptr(), cols.as_mut_ptr(), std::ptr::null_mut(), user);
        s != 0
            && eval_h(n as Index, x.as_mut_ptr(), 1, obj_factor, m as Index, lambda.as_mut_ptr(), 1, nele as Index, std::ptr::null_mut(), std::ptr::null_mut(), values.as_mut_ptr(), user) != 0
    };
    if !ok {
        return Err("eval_h failed".into());
    }
    Ok((0..nele).map(|k| (rows[k] as usize, cols[k] as usize, values[k])).collect())
}

/// Runs `f` on the context, turning a panic or an oracle failure into `FALSE`.
unsafe fn with_context(user: *mut c_void, f: impl FnOnce(&mut Context) -> bool) -> Bool {
    // SAFETY: user_data is the &mut Context passed to IpoptSolve, alive for the solve; Ipopt
    // calls back on the calling thread, one call at a time.
    let cx = unsafe { &mut *(user as *mut Context) };
    match catch_unwind(AssertUnwindSafe(|| f(cx))) {
        Ok(true) => 1,
        _ => 0,
    }
}

unsafe fn slice<'a>(p: *mut Number, len: usize) -> &'a [f64] {
    // SAFETY: Ipopt passes arrays of the advertised length.
    unsafe { std::slice::from_raw_parts(p, len) }
}

unsafe fn slice_mut<'a>(p: *mut Number, len: usize) -> &'a mut [f64] {
    // SAFETY: as above.
    unsafe { std::slice::from_raw_parts_mut(p, len) }
}

unsafe extern "C" fn eval_f(n: Index, x: *mut Number, _new_x: Bool, obj: *mut Number, user: *mut c_void) -> Bool {
    unsafe {
        with_context(user, |cx| {
            cx.counts.objective += 1;
            match cx.problem.objective(slice(x, n as usize)) {
                Ok(v) if v.is_finite() => {
                    *obj = v;
                    true
                }
                _ => false,
            }
        })
    }
}

unsafe extern "C" fn eval_grad_f(n: Index, x: *mut Number, _new_x: Bool, g: *mut Number, user: *mut c_void) -> Bool {
    unsafe {
        with_context(user, |cx| {
            cx.counts.gradient += 1;
            let g = slice_mut(g, n as usize);
            cx.problem.gradient(slice(x, n as usize), g).is_ok() && g.iter().all(|v| v.is_finite())
        })
    }
}

unsafe extern "C" fn eval_g(n: Index, x: *mut Number, _new_x: Bool, m: Index, g: *mut Number, user: *mut c_void) -> Bool {
    unsafe {
        with_context(user, |cx| {
            cx.counts.constraints += 1;
            let g = slice_mut(g, m as usize);
            cx.problem.constraints(slice(x, n as usize), g).is_ok() && g.iter().all(|v| v.is_finite())
        })
    }
}

unsafe extern "C" fn eval_jac_g(
    n: Index,
    x: *mut Number,
    _new_x: Bool,
    _m: Index,
    nele: Index,
    i_row: *mut Index,
    j_col: *mut Index,
    values: *mut Number,
    user: *mut c_void,
) -> Bool {
    unsafe {
        with_context(user, |cx| {
            let nele = nele as usize;
            if values.is_null() {
                let (r, c) = (std::slice::from_raw_parts_mut(i_row, nele), std::slice::from_raw_parts_mut(j_col, nele));
                match &cx.jacobian {
                    JacobianSource::Pattern { rows, cols } => {
                        r.copy_from_slice(rows);
                        c.copy_from_slice(cols);
                    }
                    JacobianSource::Dense => {
                        for k in 0..nele {
                            r[k] = (k / cx.n) as Index;
                            c[k] = (k % cx.n) as Index;
                        }
                    }
                }
                return true;
            }
            let x = slice(x, n as usize);
            let v = slice_mut(values, nele);
            match cx.jacobian {
                JacobianSource::Pattern { .. } => {
                    cx.counts.jacobian += 1;
                    if cx.problem.jacobian_values(x, v).is_err() {
                        return false;
                    }
                }
                JacobianSource::Dense => {
                    for i in 0..cx.m {
                        cx.counts.jacobian_products += 1;
                        cx.unit.iter_mut().for_each(|u| *u = 0.0);
                        cx.unit[i] = 1.0;
                        if cx.problem.jacobian_transpose_vector(x, &cx.unit, &mut cx.row).is_err() {
                            return false;
                        }
                        v[i * cx.n..(i + 1) * cx.n].copy_from_slice(&cx.row);
                    }
                }
            }
            v.iter().all(|t| t.is_finite())
        })
    }
}

unsafe extern "C" fn eval_h(
    n: Index,
    x: *mut Number,
    _new_x: Bool,
    obj_factor: Number,
    m: Index,
    lambda: *mut Number,
    _new_lambda: Bool,
    nele: Index,
    i_row: *mut Index,
    j_col: *mut Index,
    values: *mut Number,
    user: *mut c_void,
) -> Bool {
    unsafe {
        with_context(user, |cx| {
            let nele = nele as usize;
            if values.is_null() {
                std::slice::from_raw_parts_mut(i_row, nele).copy_from_slice(&cx.hess_rows);
                std::slice::from_raw_parts_mut(j_col, nele).copy_from_slice(&cx.hess_cols);
                return true;
            }
            let x = slice(x, n as usize);
            let lambda = slice(lambda, m as usize);
            let v = slice_mut(values, nele);
            if obj_factor != 0.0 {
                // h = s H(x, l / s).
                for (s, l) in cx.scaled_lambda.iter_mut().zip(lambda) {
                    *s = l / obj_factor;
                }
                cx.counts.hessian += 1;
                if cx.problem.hessian_values(x, &cx.scaled_lambda, &mut cx.hess_full).is_err() {
                    return false;
                }
                for (t, &p) in v.iter_mut().zip(&cx.hess_pos) {
                    *t = obj_factor * cx.hess_full[p];
                }
            } else {
                // h = H(x, l) - H(x, 0): the constraint curvature alone.
                cx.counts.hessian += 2;
                cx.counts.hessian_without_objective += 1;
                if cx.problem.hessian_values(x, lambda, &mut cx.hess_full).is_err()
                    || cx.problem.hessian_values(x, &cx.zero_lambda, &mut cx.hess_zero).is_err()
                {
                    return false;
                }
                for (t, &p) in v.iter_mut().zip(&cx.hess_pos) {
                    *t = cx.hess_full[p] - cx.hess_zero[p];
                }
            }
            v.iter().all(|t| t.is_finite())
        })
    }
}

unsafe extern "C" fn intermediate(
    alg_mod: Index,
    iter_count: Index,
    _obj: Number,
    _inf_pr: Number,
    _inf_du: Number,
    _mu: Number,
    _d_norm: Number,
    _reg: Number,
    _alpha_du: Number,
    _alpha_pr: Number,
    _ls: Index,
    user: *mut c_void,
) -> Bool {
    unsafe {
        with_context(user, |cx| {
            let it = iter_count.max(0) as usize;
            if alg_mod == 1 && it > cx.iterations {
                cx.restoration_iterations += it - cx.iterations;
            }
            cx.iterations = cx.iterations.max(it);
            if let Some(limit) = cx.max_seconds {
                if cx.start.elapsed().as_secs_f64() > limit {
                    cx.timed_out = true;
                    return false;
                }
            }
            true
        })
    }
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|t| t * t).sum::<f64>().sqrt()
}

/// `(||grad f + J^T l||_2, ||c||_2)` at `(x, l)` through the trait (`NaN` where an oracle fails).
pub fn kkt_residuals(problem: &mut dyn ConstrainedObjective, x: &[f64], lambda: &[f64]) -> (f64, f64) {
    let (n, m) = (x.len(), lambda.len());
    let (mut g, mut jtl, mut c) = (vec![0.0; n], vec![0.0; n], vec![0.0; m]);
    let stat = match (problem.gradient(x, &mut g), problem.jacobian_transpose_vector(x, lambda, &mut jtl)) {
        (Ok(()), Ok(())) => norm(&g.iter().zip(&jtl).map(|(a, b)| a + b).collect::<Vec<_>>()),
        _ => f64::NAN,
    };
    let feas = match problem.constraints(x, &mut c) {
        Ok(()) => norm(&c),
        Err(_) => f64::NAN,
    };
    (stat, feas)
}

impl Ipopt {
    /// Solves `min f(x) s.t. c(x) = 0` from `x` (overwritten with Ipopt's point); `Err` when the
    /// problem cannot be passed (exact Hessian without a Hessian pattern, sizes beyond `int`)
    /// or Ipopt refuses to create it.
    pub fn solve(&self, problem: &mut dyn ConstrainedObjective, x: &mut [f64], settings: &IpoptSettings) -> Result<IpoptResult, String> {
        let _serial = SOLVE_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let n = x.len();
        let m = problem.constraint_count();
        let mut cx = Context::new(problem, n, settings.limited_memory, settings.max_seconds)?;
        let jac_nnz = cx.jacobian_nnz();
        let (mut xl, mut xu) = (vec![-1e19; n], vec![1e19; n]);
        let (mut gl, mut gu) = (vec![0.0; m], vec![0.0; m]);
        // SAFETY: arrays of the advertised sizes (copied by Ipopt); callbacks match the C types.
        let handle = unsafe {
            (self.create)(
                n as Index,
                xl.as_mut_ptr(),
                xu.as_mut_ptr(),
                m as Index,
                gl.as_mut_ptr(),
                gu.as_mut_ptr(),
                jac_nnz as Index,
                cx.hess_rows.len() as Index,
                0,
                Some(eval_f),
                Some(eval_g),
                Some(eval_grad_f),
                Some(eval_jac_g),
                Some(eval_h),
            )
        };
        if handle.is_null() {
            return Err("CreateIpoptProblem returned NULL".into());
        }
        struct Guard<'a>(&'a Ipopt, IpoptProblem);
        impl Drop for Guard<'_> {
            fn drop(&mut self) {
                // SAFETY: created above, freed once.
                unsafe { (self.0.free)(self.1) };
            }
        }
        let guard = Guard(self, handle);
        let mut nums: Vec<(String, f64)> = vec![("tol".into(), settings.tol)];
        if let Some(t) = settings.dual_inf_tol {
            nums.push(("dual_inf_tol".into(), t));
        }
        if let Some(t) = settings.constr_viol_tol {
            nums.push(("constr_viol_tol".into(), t));
        }
        nums.extend(settings.num_options.iter().cloned());
        let mut ints: Vec<(String, i32)> =
            vec![("print_level".into(), settings.print_level), ("max_iter".into(), settings.max_iterations.min(i32::MAX as usize) as i32)];
        ints.extend(settings.int_options.iter().cloned());
        let mut strs: Vec<(String, String)> = vec![("sb".into(), "yes".into())];
        if settings.limited_memory {
            strs.push(("hessian_approximation".into(), "limited-memory".into()));
        }
        strs.extend(settings.str_options.iter().cloned());
        let c = |s: &str| CString::new(s).unwrap();
        // SAFETY: live problem handle, NUL-terminated strings (Ipopt copies them).
        unsafe {
            for (k, v) in &nums {
                if (self.add_num)(handle, c(k).as_ptr() as *mut c_char, *v) == 0 {
                    return Err(format!("Ipopt refused option {k} = {v}"));
                }
            }
            for (k, v) in &ints {
                if (self.add_int)(handle, c(k).as_ptr() as *mut c_char, *v) == 0 {
                    return Err(format!("Ipopt refused option {k} = {v}"));
                }
            }
            for (k, v) in &strs {
                if (self.add_str)(handle, c(k).as_ptr() as *mut c_char, c(v).as_ptr() as *mut c_char) == 0 {
                    return Err(format!("Ipopt refused option {k} = {v}"));
                }
            }
            (self.set_intermediate)(handle, Some(intermediate));
        }
        let mut g = vec![0.0; m];
        let mut obj = f64::NAN;
        let mut mult_g = vec![0.0; m];
        let (mut zl, mut zu) = (vec![0.0; n], vec![0.0; n]);
        cx.start = Instant::now();
        // SAFETY: arrays of sizes n / m; cx outlives the call and is only touched by callbacks.
        let status = unsafe {
            (self.solve_fn)(
                handle,
                x.as_mut_ptr(),
                g.as_mut_ptr(),
                &mut obj,
                mult_g.as_mut_ptr(),
                zl.as_mut_ptr(),
                zu.as_mut_ptr(),
                &mut cx as *mut Context as *mut c_void,
            )
        };
        let seconds = cx.start.elapsed().as_secs_f64();
        drop(guard);
        let (stationarity, feasibility) = kkt_residuals(cx.problem, x, &mult_g);
        Ok(IpoptResult {
            status,
            status_name: status_name(status),
            iterations: cx.iterations,
            restoration_iterations: cx.restoration_iterations,
            objective: obj,
            x: x.to_vec(),
            multipliers: mult_g,
            seconds,
            stationarity,
            feasibility,
            counts: cx.counts,
            timed_out: cx.timed_out,
        })
    }
}

/// `min x0^2 + x1^2 s.t. x0 + x1 = 1`, for [`Ipopt::banner`].
struct Tiny {
    jac: nksolve::constrained::SparsePattern,
    hess: nksolve::constrained::SparsePattern,
}

impl ConstrainedObjective for Tiny {
    fn constraint_count(&self) -> usize {
        1
    }
    fn objective(&mut self, x: &[f64]) -> Result<f64, nksolve::OracleFailure> {
        Ok(x[0] * x[0] + x[1] * x[1])
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> Result<(), nksolve::OracleFailure> {
        g.copy_from_slice(&[2.0 * x[0], 2.0 * x[1]]);
        Ok(())
    }
    fn constraints(&mut self, x: &[f64], c: &mut [f64]) -> Result<(), nksolve::OracleFailure> {
        c[0] = x[0] + x[1] - 1.0;
        Ok(())
    }
    fn jacobian_vector(&mut self, _x: &[f64], v: &[f64], jv: &mut [f64]) -> Result<(), nksolve::OracleFailure> {
        jv[0] = v[0] + v[1];
        Ok(())
    }
    fn jacobian_transpose_vector(&mut self, _x: &[f64], w: &[f64], jtw: &mut [f64]) -> Result<(), nksolve::OracleFailure> {
        jtw.fill(w[0]);
        Ok(())
    }
    fn lagrangian_hessian_vector(&mut self, _x: &[f64], _l: &[f64], v: &[f64], hv: &mut [f64]) -> Result<(), nksolve::OracleFailure> {
        hv.copy_from_slice(&[2.0 * v[0], 2.0 * v[1]]);
        Ok(())
    }
    fn jacobian_pattern(&self) -> Option<&nksolve::constrained::SparsePattern> {
        Some(&self.jac)
    }
    fn jacobian_values(&mut self, _x: &[f64], values: &mut [f64]) -> Result<(), nksolve::OracleFailure> {
        values.fill(1.0);
        Ok(())
    }
    fn hessian_pattern(&self) -> Option<&nksolve::constrained::SparsePattern> {
        Some(&self.hess)
    }
    fn hessian_values(&mut self, _x: &[f64], _l: &[f64], values: &mut [f64]) -> Result<(), nksolve::OracleFailure> {
        values.fill(2.0);
        Ok(())
    }
}

impl Ipopt {
    /// Ipopt's own first output line ("This is Ipopt version 3.11.9, running with linear solver
    /// mumps."), from a tiny solve writing its log to a scratch file; `None` if that fails.
    pub fn banner(&self) -> Option<String> {
        use nksolve::constrained::SparsePattern;
        let mut tiny = Tiny {
            jac: SparsePattern::new(1, 2, vec![0, 2], vec![0, 1], "jac").ok()?,
            hess: SparsePattern::new(2, 2, vec![0, 1, 2], vec![0, 1], "hess").ok()?,
        };
        let path = std::env::temp_dir().join(format!("nks-ipopt-banner-{}.txt", std::process::id()));
        let mut s = IpoptSettings::default();
        s.str_options.push(("output_file".into(), path.to_string_lossy().into_owned()));
        s.int_options.push(("file_print_level".into(), 5));
        self.solve(&mut tiny, &mut [0.0, 0.0], &s).ok()?;
        let text = std::fs::read_to_string(&path).ok();
        let _ = std::fs::remove_file(&path);
        text?.lines().find(|l| l.contains("Ipopt version")).map(|l| l.trim().to_string())
    }

    /// The file the library was loaded from (symlinks resolved), when `dladdr` can tell.
    pub fn library_path(&self) -> Option<String> {
        // SAFETY: dladdr on a function pointer of the loaded library; info is plain data.
        unsafe {
            let mut info: libc::Dl_info = std::mem::zeroed();
            if libc::dladdr(self.solve_fn as *const c_void, &mut info) == 0 || info.dli_fname.is_null() {
                return None;
            }
            let p = CStr::from_ptr(info.dli_fname).to_string_lossy().into_owned();
            Some(std::fs::canonicalize(&p).map(|c| c.to_string_lossy().into_owned()).unwrap_or(p))
        }
    }
}

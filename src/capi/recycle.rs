//! Sequences of systems on an `nks_krylov` handle: the sequence solves, the SKR ordering, and
//! saving / loading what the handle recycles.

use super::bytes;
use super::csr::nks_csr;
use super::ffi::{check_disjoint_spans, guard, null_error, try_ref, try_slice, try_slice_mut};
use super::krylov::{build_preconditioner, core_monitor, nks_krylov, state, termination_status, to_c_report, KrylovState, PrecondChoice};
use super::status::{nks_status, CError};
use crate::error::{Error, OracleFailure};
use crate::krylov::{skr, SequenceOrder, SequenceReport, SystemSource};
use crate::linalg::dense::layout_len;
use crate::linalg::{CsrMatrix, DenseMut, DenseRef, LinearOperator, Par};
use crate::persist;
use crate::precond::Preconditioner;
use std::ffi::{c_char, c_int, c_void};
use std::sync::Arc;

/// Matrix-free operator of system `system` of a sequence: write `y = A_system x` for vectors of
/// length `n`. Return codes as for `nks_matvec_fn`.
pub type nks_indexed_matvec_fn = Option<
    unsafe extern "C" fn(system: usize, x: *const f64, y: *mut f64, n: usize, user_data: *mut c_void) -> c_int,
>;

/// The systems of a CSR sequence, with the handle's preconditioner choice built per matrix.
struct CsrSystems {
    ops: Vec<Arc<CsrMatrix>>,
    choice: PrecondChoice,
    current: Option<(Arc<CsrMatrix>, Box<dyn Preconditioner>)>,
}

impl SystemSource for CsrSystems {
    fn count(&self) -> usize {
        self.ops.len()
    }
    fn dim(&self) -> usize {
        self.ops[0].nrows()
    }
    fn system(&mut self, i: usize) -> Result<(&mut dyn LinearOperator, &mut dyn Preconditioner), Error> {
        let a = Arc::clone(&self.ops[i]);
        let m = build_preconditioner(self.choice, Some(&a), a.nrows())
            .map_err(|e| Error::InvalidState(format!("system {i}: {}", e.message())))?;
        let (a, m) = self.current.insert((a, m));
        Ok((a, m.as_mut()))
    }
}

/// System `system` of a callback sequence.
#[derive(Clone, Copy)]
struct IndexedCallback {
    f: unsafe extern "C" fn(usize, *const f64, *mut f64, usize, *mut c_void) -> c_int,
    user_data: *mut c_void,
    n: usize,
    system: usize,
}

impl LinearOperator for IndexedCallback {
    fn nrows(&self) -> usize {
        self.n
    }
    fn ncols(&self) -> usize {
        self.n
    }
    fn apply(&mut self, _par: &Par, x: &[f64], y: &mut [f64]) -> Result<(), OracleFailure> {
        // SAFETY: the host promised `f` accepts two arrays of length n and its user_data.
        match unsafe { (self.f)(self.system, x.as_ptr(), y.as_mut_ptr(), self.n, self.user_data) } {
            0 => Ok(()),
            code => Err(OracleFailure { code }),
        }
    }
}

struct CallbackSystems {
    op: IndexedCallback,
    count: usize,
    choice: PrecondChoice,
    current: Option<Box<dyn Preconditioner>>,
}

impl SystemSource for CallbackSystems {
    fn count(&self) -> usize {
        self.count
    }
    fn dim(&self) -> usize {
        self.op.n
    }
    fn system(&mut self, i: usize) -> Result<(&mut dyn LinearOperator, &mut dyn Preconditioner), Error> {
        self.op.system = i;
        let m = self.current.insert(build_preconditioner(self.choice, None, self.op.n)?);
        Ok((&mut self.op, m.as_mut()))
    }
}

fn check_count(count: usize) -> Result<(), CError> {
    if count == 0 {
        return Err(Error::invalid("count = 0; a sequence needs at least one system").into());
    }
    Ok(())
}

/// The column-major blocks and features of a sequence call, validated.
struct Blocks<'a> {
    b: DenseRef<'a>,
    x: DenseMut<'a>,
    features: Option<DenseRef<'a>>,
}

#[allow(clippy::too_many_arguments)]
unsafe fn blocks<'a>(
    n: usize,
    count: usize,
    b: *const f64,
    ldb: usize,
    x: *mut f64,
    ldx: usize,
    features: *const f64,
    num_features: usize,
    ldf: usize,
) -> Result<Blocks<'a>, CError> {
    let b_len = layout_len(n, count, ldb, "b")?;
    let x_len = layout_len(n, count, ldx, "x")?;
    let b = try_slice(b, b_len, "b")?;
    check_disjoint_spans(b, x, x_len, "b", "x")?;
    let features = if features.is_null() {
        None
    } else {
        if num_features == 0 {
            return Err(Error::invalid("num_features = 0 with non-NULL features; pass features = NULL for the natural order").into());
        }
        let f_len = layout_len(num_features, count, ldf, "features")?;
        let f = try_slice(features, f_len, "features")?;
        check_disjoint_spans(f, x, x_len, "features", "x")?;
        Some(DenseRef::new(f, num_features, count, ldf, "features")?)
    };
    let x = try_slice_mut(x, x_len, "x")?;
    Ok(Blocks { b: DenseRef::new(b, n, count, ldb, "b")?, x: DenseMut::new(x, n, count, ldx, "x")?, features })
}

/// Runs a sequence on the handle and turns its report into the call's outputs and status.
unsafe fn run_sequence(
    st: &mut KrylovState,
    source: &mut dyn SystemSource,
    mut blocks: Blocks,
    order_out: *mut usize,
    reports: *mut super::krylov::nks_krylov_report,
) -> Result<nks_status, CError> {
    let count = source.count();
    let order_out = if order_out.is_null() { None } else { Some(try_slice_mut(order_out, count, "order_out")?) };
    let reports = if reports.is_null() { None } else { Some(try_slice_mut(reports, count, "reports")?) };
    let order = match blocks.features {
        Some(f) => SequenceOrder::Skr(f),
        None => SequenceOrder::Natural,
    };
    let mut monitor = st.monitor.map(core_monitor);
    let mon = monitor.as_mut().map(|f| f as &mut crate::krylov::Monitor<'_>);
    let rep: SequenceReport = st.solver.solve_sequence(source, &blocks.b, &mut blocks.x, order, mon)?;
    if let Some(out) = order_out {
        out.copy_from_slice(&rep.order);
    }
    if let Some(out) = reports {
        for (o, r) in out.iter_mut().zip(&rep.systems) {
            *o = to_c_report(r);
        }
    }
    let solved: Vec<usize> = rep.order.iter().copied().filter(|&i| rep.systems[i].termination != crate::krylov::Termination::NotStarted).collect();
    if let Some(&last) = solved.last() {
        st.report = to_c_report(&rep.systems[last]);
    }
    if let Some(i) = rep.failed {
        let t = &rep.systems[i].termination;
        return Err(CError::new(termination_status(t), format!("system {i} of the sequence: {}", t.describe())));
    }
    // The first system (in solve order) that stopped at a limit sets the positive status.
    Ok(solved
        .iter()
        .map(|&i| termination_status(&rep.systems[i].termination))
        .find(|s| *s != nks_status::NKS_OK)
        .unwrap_or(nks_status::NKS_OK))
}

/// Solves the `count` systems `A_i x_i = b_i` given as CSR matrices, keeping the recycle space
/// of GCRO-DR / recycled CG from one system to the next (each new matrix re-fits it first).
///
/// - `ops`: `count` matrices of the same dimension `n` (the handle keeps none of them).
/// - `b`, `x`: column-major `n x count` blocks with leading dimensions `ldb`, `ldx >= n`; column
///   `i` belongs to system `i`. `x` holds initial guesses when `use_initial_guess` is set.
/// - `features` (may be NULL: solve in the natural order): column-major `num_features x count`
///   (`ldf >= num_features`), one feature vector per system (e.g. its coefficient field); the
///   systems are then solved in the SKR order (see `nks_skr_order`).
/// - `order_out` (may be NULL): receives the `count` system indices in solve order.
/// - `reports` (may be NULL): receives `count` reports, by system index.
///
/// The handle's method, options, preconditioner choice (Jacobi / ILU(0) are built for each
/// matrix) and monitor apply; its own operator is not used and not changed. Returns `NKS_OK`
/// when every system converged; a positive status when one stopped at a limit (the first in
/// solve order), its iterate written; a negative status when a system failed (message names
/// the system): the sequence stops there, earlier systems' columns of `x` hold their solutions,
/// that system's and later ones' are untouched, and `order_out` / `reports` are written
/// (`NKS_TERMINATION_NOT_STARTED` for systems not reached). Invalid arguments fail before any
/// solve and write nothing. `nks_krylov_get_report` then returns the last system's report.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn nks_krylov_solve_sequence(
    h: *mut nks_krylov,
    count: usize,
    ops: *const *const nks_csr,
    b: *const f64,
    ldb: usize,
    x: *mut f64,
    ldx: usize,
    features: *const f64,
    num_features: usize,
    ldf: usize,
    order_out: *mut usize,
    reports: *mut super::krylov::nks_krylov_report,
) -> nks_status {
    guard(|| {
        let mut st = state(h)?;
        check_count(count)?;
        let handles = try_slice(ops, count, "ops")?;
        let mut mats = Vec::with_capacity(count);
        for (i, &p) in handles.iter().enumerate() {
            mats.push(Arc::clone(&try_ref(p, &format!("ops[{i}]"))?.matrix));
        }
        let n = mats[0].nrows();
        for (i, a) in mats.iter().enumerate() {
            if a.nrows() != n || a.ncols() != n {
                return Err(Error::dims(format!(
                    "ops[{i}] is {} x {} but ops[0] is {n} x {n}; every system must be square of one size",
                    a.nrows(),
                    a.ncols()
                ))
                .into());
            }
        }
        let blocks = blocks(n, count, b, ldb, x, ldx, features, num_features, ldf)?;
        let mut source = CsrSystems { ops: mats, choice: st.choice, current: None };
        run_sequence(&mut st, &mut source, blocks, order_out, reports)
    })
}

/// As `nks_krylov_solve_sequence`, with the operators given by one callback that receives the
/// system index: `matvec(i, x, y, n, user_data)` writes `y = A_i x`. Preconditioning: none or
/// the handle's callback preconditioner (Jacobi / ILU(0) need matrices:
/// `NKS_ERR_INVALID_STATE`).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn nks_krylov_solve_sequence_callback(
    h: *mut nks_krylov,
    count: usize,
    n: usize,
    matvec: nks_indexed_matvec_fn,
    user_data: *mut c_void,
    b: *const f64,
    ldb: usize,
    x: *mut f64,
    ldx: usize,
    features: *const f64,
    num_features: usize,
    ldf: usize,
    order_out: *mut usize,
    reports: *mut super::krylov::nks_krylov_report,
) -> nks_status {
    guard(|| {
        let mut st = state(h)?;
        let f = matvec.ok_or_else(|| null_error("matvec"))?;
        check_count(count)?;
        crate::linalg::csr::check_dim(n, "n")?;
        let blocks = blocks(n, count, b, ldb, x, ldx, features, num_features, ldf)?;
        let op = IndexedCallback { f, user_data, n, system: 0 };
        let mut source = CallbackSystems { op, count, choice: st.choice, current: None };
        run_sequence(&mut st, &mut source, blocks, order_out, reports)
    })
}

/// The SKR solve order (Sorting Krylov Recycling) of `count` systems whose feature vectors are
/// the columns of `features` (column-major `num_features x count`, `ldf >= num_features`):
/// greedy nearest neighbour in Euclidean distance starting from system 0, with the systems
/// first partitioned along a Hilbert curve when `count > 1024`. Writes a permutation of
/// `0..count` to `order` (`count` entries), only on success. Deterministic.
#[no_mangle]
pub unsafe extern "C" fn nks_skr_order(
    count: usize,
    num_features: usize,
    features: *const f64,
    ldf: usize,
    order: *mut usize,
) -> nks_status {
    guard(|| {
        if count == 0 {
            return Err(Error::invalid("count = 0; there is nothing to order").into());
        }
        let len = layout_len(num_features, count, ldf, "features")?;
        let f = DenseRef::new(try_slice(features, len, "features")?, num_features, count, ldf, "features")?;
        let out = try_slice_mut(order, count, "order")?;
        out.copy_from_slice(&skr::skr_order(&f)?);
        Ok(nks_status::NKS_OK)
    })
}

/// Tells the handle that its operator changed although it was not set again (a matvec
/// callback whose matrix the host updated in place): the recycled space is re-fitted to the
/// operator at the next solve. Setting an operator or preconditioner does this already.
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_operator_changed(h: *mut nks_krylov) -> nks_status {
    guard(|| {
        state(h)?.solver.operator_changed();
        Ok(nks_status::NKS_OK)
    })
}

/// Forgets every recycled vector (the next solve starts from scratch).
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_clear_recycled(h: *mut nks_krylov) -> nks_status {
    guard(|| {
        state(h)?.solver.clear_recycle_space();
        Ok(nks_status::NKS_OK)
    })
}

/// Saves what the handle recycles (GCRO-DR's and recycled CG's spaces) into a new buffer:
/// `*buf` receives it and `*len` its length in bytes; free it with `nks_bytes_free(*buf, *len)`.
/// The format is versioned and checksummed (see `nks_krylov_load_recycled`); options and
/// operators are not part of it.
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_save_recycled(h: *const nks_krylov, buf: *mut *mut u8, len: *mut usize) -> nks_status {
    guard(|| {
        let st = state(h)?;
        bytes::give(st.solver.save_recycled(), buf, len)?;
        Ok(nks_status::NKS_OK)
    })
}

/// Restores a buffer written by `nks_krylov_save_recycled`, possibly by another process or
/// machine (the format is little-endian on every platform). The spaces are re-fitted to the
/// operator at the next solve. A foreign, truncated or corrupted buffer, or one of another
/// format version, is refused with `NKS_ERR_INVALID_ARGUMENT` and changes nothing.
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_load_recycled(h: *mut nks_krylov, buf: *const u8, len: usize) -> nks_status {
    guard(|| {
        let mut st = state(h)?;
        st.solver.load_recycled(try_slice(buf, len, "buf")?)?;
        Ok(nks_status::NKS_OK)
    })
}

/// As `nks_krylov_save_recycled`, to the file `path` (created or replaced). An I/O failure
/// returns `NKS_ERR_INVALID_ARGUMENT` with the path and the system's reason.
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_save_recycled_file(h: *const nks_krylov, path: *const c_char) -> nks_status {
    guard(|| {
        let st = state(h)?;
        persist::write_file(&bytes::path_arg(path)?, &st.solver.save_recycled())?;
        Ok(nks_status::NKS_OK)
    })
}

/// As `nks_krylov_load_recycled`, from the file `path`.
#[no_mangle]
pub unsafe extern "C" fn nks_krylov_load_recycled_file(h: *mut nks_krylov, path: *const c_char) -> nks_status {
    guard(|| {
        let mut st = state(h)?;
        let bytes = persist::read_file(&bytes::path_arg(path)?)?;
        st.solver.load_recycled(&bytes)?;
        Ok(nks_status::NKS_OK)
    })
}

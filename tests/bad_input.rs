//! Every exported function, fed bad input: NULL pointers, zero and huge sizes, NaN and
//! infinite values, mismatched lengths, out-of-range options and failing callbacks. Each call
//! must return a negative status with a non-empty message naming the problem, write nothing,
//! and never crash. The last test checks this file covers every export.

mod common;

use nksolve::capi::csr::*;
use nksolve::capi::krylov::*;
use nksolve::capi::krylov::{nks_krylov_method::*, nks_preconditioner::*};
use nksolve::capi::bytes::*;
use nksolve::capi::constrained::*;
use nksolve::capi::library::*;
use nksolve::capi::newton::*;
use nksolve::capi::nonlinear::*;
use nksolve::capi::recycle::*;
use nksolve::capi::sinkhorn::*;
use nksolve::capi::sor::*;
use nksolve::capi::status::nks_status::{self, *};
use nksolve::capi::status::*;
use std::ffi::{c_int, c_void, CStr};
use std::ptr::{null, null_mut};
use std::sync::atomic::{AtomicI32, Ordering};

fn last_error() -> String {
    unsafe { CStr::from_ptr(nks_last_error_message()) }.to_string_lossy().into_owned()
}

/// Asserts `got == want` (a failure) and that the message mentions `needle`.
#[track_caller]
fn fails(got: nks_status, want: nks_status, needle: &str) {
    assert_eq!(got, want, "status (message: {})", last_error());
    let m = last_error();
    assert!(!m.is_empty(), "empty message for {want:?}");
    assert!(m.contains(needle), "message {m:?} should mention {needle:?}");
}

/// A valid 3 x 3 tridiagonal matrix.
fn tridiag() -> *mut nks_csr {
    let (rp, ci, v) = ([0i64, 2, 5, 7], [0i64, 1, 0, 1, 2, 1, 2], [2.0, -1.0, -1.0, 2.0, -1.0, -1.0, 2.0]);
    let mut a = null_mut();
    assert_eq!(unsafe { nks_csr_new(3, 3, 7, rp.as_ptr(), ci.as_ptr(), v.as_ptr(), 0, &mut a) }, NKS_OK);
    a
}

fn krylov_with(a: *mut nks_csr) -> *mut nks_krylov {
    let mut h = null_mut();
    unsafe {
        assert_eq!(nks_krylov_new(&mut h), NKS_OK);
        assert_eq!(nks_krylov_set_operator_csr(h, a), NKS_OK);
    }
    h
}

unsafe extern "C" fn failing(_x: *const f64, _y: *mut f64, _n: usize, _ud: *mut c_void) -> c_int {
    -3
}
unsafe extern "C" fn recoverable(_x: *const f64, _y: *mut f64, _n: usize, _ud: *mut c_void) -> c_int {
    2
}
unsafe extern "C" fn nan_out(_x: *const f64, y: *mut f64, n: usize, _ud: *mut c_void) -> c_int {
    std::slice::from_raw_parts_mut(y, n).fill(f64::INFINITY);
    0
}
unsafe extern "C" fn identity(x: *const f64, y: *mut f64, n: usize, _ud: *mut c_void) -> c_int {
    std::ptr::copy_nonoverlapping(x, y, n);
    0
}
unsafe extern "C" fn stop(_r: *const nks_krylov_report, _ud: *mut c_void) -> c_int {
    1
}

/// What `nks_krylov_get_option` returned when called from inside the handle's own monitor.
static REENTRANT_GET: AtomicI32 = AtomicI32::new(0);
/// A monitor (user_data = its own handle) that reads an option of the solving handle, then stops.
unsafe extern "C" fn get_option_inside(_r: *const nks_krylov_report, ud: *mut c_void) -> c_int {
    let mut v = -7.0;
    let s = nks_krylov_get_option(ud as *const nks_krylov, c"rtol".as_ptr(), &mut v);
    REENTRANT_GET.store(if v == -7.0 { s as i32 } else { i32::MIN }, Ordering::SeqCst);
    1
}

#[test]
fn nks_csr_new_rejects_bad_arrays() {
    let (rp, ci, v) = ([0i64, 2, 5, 7], [0i64, 1, 0, 1, 2, 1, 2], [2.0, -1.0, -1.0, 2.0, -1.0, -1.0, 2.0]);
    let sentinel = 0x1 as *mut nks_csr;
    let mut out = sentinel;
    unsafe {
        fails(nks_csr_new(3, 3, 7, null(), ci.as_ptr(), v.as_ptr(), 0, &mut out), NKS_ERR_NULL_POINTER, "row_ptr");
        fails(nks_csr_new(3, 3, 7, rp.as_ptr(), null(), v.as_ptr(), 0, &mut out), NKS_ERR_NULL_POINTER, "col_idx");
        fails(nks_csr_new(3, 3, 7, rp.as_ptr(), ci.as_ptr(), null(), 0, &mut out), NKS_ERR_NULL_POINTER, "values");
        fails(nks_csr_new(3, 3, 7, rp.as_ptr(), ci.as_ptr(), v.as_ptr(), 0, null_mut()), NKS_ERR_NULL_POINTER, "out");
        fails(nks_csr_new(0, 3, 7, rp.as_ptr(), ci.as_ptr(), v.as_ptr(), 0, &mut out), NKS_ERR_INVALID_ARGUMENT, "nrows");
        fails(nks_csr_new(3, 0, 7, rp.as_ptr(), ci.as_ptr(), v.as_ptr(), 0, &mut out), NKS_ERR_INVALID_ARGUMENT, "ncols");
        fails(nks_csr_new(usize::MAX, 3, 7, rp.as_ptr(), ci.as_ptr(), v.as_ptr(), 0, &mut out), NKS_ERR_INVALID_ARGUMENT, "nrows");
        fails(nks_csr_new(3, usize::MAX, 7, rp.as_ptr(), ci.as_ptr(), v.as_ptr(), 0, &mut out), NKS_ERR_INVALID_ARGUMENT, "ncols");
        for base in [2, -1] {
            fails(nks_csr_new(3, 3, 7, rp.as_ptr(), ci.as_ptr(), v.as_ptr(), base, &mut out), NKS_ERR_INVALID_ARGUMENT, "index_base");
        }
        // Row pointers: first entry not the base, decreasing, a negative count.
        fails(nks_csr_new(3, 3, 7, [1i64, 2, 5, 7].as_ptr(), ci.as_ptr(), v.as_ptr(), 0, &mut out), NKS_ERR_INVALID_ARGUMENT, "row_ptr");
        fails(nks_csr_new(3, 3, 7, [0i64, 5, 2, 7].as_ptr(), ci.as_ptr(), v.as_ptr(), 0, &mut out), NKS_ERR_INVALID_ARGUMENT, "row 1");
        fails(nks_csr_new(3, 3, 7, [0i64, 0, 0, -4].as_ptr(), ci.as_ptr(), v.as_ptr(), 0, &mut out), NKS_ERR_INVALID_ARGUMENT, "nnz");
        // Columns out of range (above, and negative), named with their row, in the caller's base.
        fails(nks_csr_new(3, 3, 7, rp.as_ptr(), [0i64, 1, 0, 1, 3, 1, 2].as_ptr(), v.as_ptr(), 0, &mut out), NKS_ERR_INVALID_ARGUMENT, "row 1");
        fails(nks_csr_new(3, 3, 7, rp.as_ptr(), [0i64, 1, 0, 1, 2, -1, 2].as_ptr(), v.as_ptr(), 0, &mut out), NKS_ERR_INVALID_ARGUMENT, "row 2");
        let rp1 = [1i64, 3, 6, 8];
        fails(nks_csr_new(3, 3, 7, rp1.as_ptr(), [1i64, 2, 1, 2, 4, 2, 3].as_ptr(), v.as_ptr(), 1, &mut out), NKS_ERR_INVALID_ARGUMENT, "col_idx[5] = 4 in row 2");
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut vb = v;
            vb[3] = bad;
            fails(nks_csr_new(3, 3, 7, rp.as_ptr(), ci.as_ptr(), vb.as_ptr(), 0, &mut out), NKS_ERR_NON_FINITE, "row 1");
        }
        // nnz disagrees with row_ptr[nrows] - index_base (smaller and larger, both bases): refused,
        // naming both numbers, before col_idx and values are read. The short arrays below are
        // exactly nnz long, so reading what row_ptr declares would run past them.
        let (ci3, v3) = ([0i64, 1, 0], [2.0, -1.0, -1.0]);
        fails(nks_csr_new(3, 3, 3, rp.as_ptr(), ci3.as_ptr(), v3.as_ptr(), 0, &mut out), NKS_ERR_DIMENSION_MISMATCH, "row_ptr[nrows] - index_base = 7 but nnz = 3");
        fails(nks_csr_new(3, 3, 6, rp.as_ptr(), ci.as_ptr(), v.as_ptr(), 0, &mut out), NKS_ERR_DIMENSION_MISMATCH, "= 7 but nnz = 6");
        fails(nks_csr_new(3, 3, 0, rp.as_ptr(), null(), null(), 0, &mut out), NKS_ERR_DIMENSION_MISMATCH, "= 7 but nnz = 0");
        let (ci9, v9) = ([0i64, 1, 0, 1, 2, 1, 2, 0, 0], [2.0, -1.0, -1.0, 2.0, -1.0, -1.0, 2.0, 0.0, 0.0]);
        fails(nks_csr_new(3, 3, 9, rp.as_ptr(), ci9.as_ptr(), v9.as_ptr(), 0, &mut out), NKS_ERR_DIMENSION_MISMATCH, "row_ptr[nrows] - index_base = 7 but nnz = 9");
        fails(nks_csr_new(3, 3, 8, rp.as_ptr(), ci9.as_ptr(), v9.as_ptr(), 0, &mut out), NKS_ERR_DIMENSION_MISMATCH, "= 7 but nnz = 8");
        fails(nks_csr_new(3, 3, usize::MAX, rp.as_ptr(), ci.as_ptr(), v.as_ptr(), 0, &mut out), NKS_ERR_DIMENSION_MISMATCH, "nnz");
        fails(nks_csr_new(3, 3, 6, rp1.as_ptr(), [1i64, 2, 1, 2, 3, 2].as_ptr(), v.as_ptr(), 1, &mut out), NKS_ERR_DIMENSION_MISMATCH, "= 7 but nnz = 6");
        fails(nks_csr_new(3, 3, 9, rp1.as_ptr(), ci9.as_ptr(), v9.as_ptr(), 1, &mut out), NKS_ERR_DIMENSION_MISMATCH, "= 7 but nnz = 9");
        // The row_ptr checks still come first (one place: the core's nnz_from_row_ptr).
        fails(nks_csr_new(3, 3, 3, [1i64, 2, 5, 7].as_ptr(), ci3.as_ptr(), v3.as_ptr(), 0, &mut out), NKS_ERR_INVALID_ARGUMENT, "row_ptr");
        fails(nks_csr_new(3, 3, 7, [0i64, 0, 0, -4].as_ptr(), ci.as_ptr(), v.as_ptr(), 0, &mut out), NKS_ERR_INVALID_ARGUMENT, "nnz");
    }
    assert_eq!(out, sentinel, "nothing written on failure");
    // The matching count succeeds, also with index_base 1.
    let mut a = null_mut();
    unsafe {
        assert_eq!(nks_csr_new(3, 3, 7, [1i64, 3, 6, 8].as_ptr(), [1i64, 2, 1, 2, 3, 2, 3].as_ptr(), v.as_ptr(), 1, &mut a), NKS_OK);
        let mut z = 0usize;
        assert_eq!(nks_csr_get_size(a, null_mut(), null_mut(), &mut z), NKS_OK);
        assert_eq!(z, 7);
        nks_csr_free(a);
    }
}

#[test]
fn nks_csr_free_and_get_size_and_matvec_reject_bad_arguments() {
    let a = tridiag();
    let (mut r, mut c, mut z) = (0usize, 0usize, 0usize);
    let x = [1.0, 2.0, 3.0];
    let mut y = [9.0; 3];
    unsafe {
        nks_csr_free(null_mut());
        fails(nks_csr_get_size(null(), &mut r, &mut c, &mut z), NKS_ERR_NULL_POINTER, "A");
        assert_eq!(nks_csr_get_size(a, &mut r, null_mut(), &mut z), NKS_OK);
        assert_eq!((r, z), (3, 7));
        fails(nks_csr_matvec(null(), x.as_ptr(), 3, y.as_mut_ptr(), 3), NKS_ERR_NULL_POINTER, "A");
        fails(nks_csr_matvec(a, null(), 3, y.as_mut_ptr(), 3), NKS_ERR_NULL_POINTER, "x");
        fails(nks_csr_matvec(a, x.as_ptr(), 3, null_mut(), 3), NKS_ERR_NULL_POINTER, "y");
        fails(nks_csr_matvec(a, x.as_ptr(), 2, y.as_mut_ptr(), 3), NKS_ERR_DIMENSION_MISMATCH, "x");
        fails(nks_csr_matvec(a, x.as_ptr(), 3, y.as_mut_ptr(), 4), NKS_ERR_DIMENSION_MISMATCH, "y");
        fails(nks_csr_matvec(a, x.as_ptr(), usize::MAX, y.as_mut_ptr(), 3), NKS_ERR_DIMENSION_MISMATCH, "x");
        fails(nks_csr_matvec(a, [1.0, f64::NAN, 0.0].as_ptr(), 3, y.as_mut_ptr(), 3), NKS_ERR_NON_FINITE, "x[1]");
        fails(nks_csr_matvec(a, y.as_ptr(), 3, y.as_mut_ptr(), 3), NKS_ERR_INVALID_ARGUMENT, "overlap");
        assert_eq!(y, [9.0; 3], "y untouched by failed calls");
        assert_eq!(nks_csr_matvec(a, x.as_ptr(), 3, y.as_mut_ptr(), 3), NKS_OK);
        assert_eq!(y, [0.0, 0.0, 4.0]);
        nks_csr_free(a);
    }
}

#[test]
fn krylov_constructor_setters_and_options_reject_bad_values() {
    let a = tridiag();
    let h = krylov_with(a);
    unsafe {
        fails(nks_krylov_new(null_mut()), NKS_ERR_NULL_POINTER, "out");
        nks_krylov_free(null_mut());
        let nh: *mut nks_krylov = null_mut();
        fails(nks_krylov_set_method(nh, 0), NKS_ERR_NULL_POINTER, "h");
        fails(nks_krylov_set_rtol(nh, 1e-6), NKS_ERR_NULL_POINTER, "h");
        fails(nks_krylov_set_atol(nh, 0.0), NKS_ERR_NULL_POINTER, "h");
        fails(nks_krylov_set_max_iterations(nh, 10), NKS_ERR_NULL_POINTER, "h");
        fails(nks_krylov_set_restart(nh, 10), NKS_ERR_NULL_POINTER, "h");
        fails(nks_krylov_set_use_initial_guess(nh, 1), NKS_ERR_NULL_POINTER, "h");
        fails(nks_krylov_set_preconditioner_side(nh, 0), NKS_ERR_NULL_POINTER, "h");
        fails(nks_krylov_set_max_seconds(nh, 1.0), NKS_ERR_NULL_POINTER, "h");
        fails(nks_krylov_set_option(nh, c"rtol".as_ptr(), 1e-6), NKS_ERR_NULL_POINTER, "h");
        let mut got = -7.0;
        fails(nks_krylov_get_option(nh, c"rtol".as_ptr(), &mut got), NKS_ERR_NULL_POINTER, "h");
        fails(nks_krylov_set_operator_csr(nh, a), NKS_ERR_NULL_POINTER, "h");
        fails(nks_krylov_set_operator_callback(nh, 3, Some(identity), null_mut()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_krylov_set_preconditioner(nh, 0), NKS_ERR_NULL_POINTER, "h");
        fails(nks_krylov_set_preconditioner_callback(nh, Some(identity), null_mut()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_krylov_set_monitor(nh, None, null_mut()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_krylov_solve(nh, [1.0; 3].as_ptr(), [0.0; 3].as_mut_ptr(), 3), NKS_ERR_NULL_POINTER, "h");

        for m in [-1, 5, i32::MAX] {
            fails(nks_krylov_set_method(h, m), NKS_ERR_INVALID_ARGUMENT, "method");
        }
        for t in [-1e-3, 1.0, 2.0, f64::NAN, f64::INFINITY] {
            fails(nks_krylov_set_rtol(h, t), NKS_ERR_INVALID_ARGUMENT, "rtol");
        }
        for t in [-1.0, f64::NAN, f64::INFINITY] {
            fails(nks_krylov_set_atol(h, t), NKS_ERR_INVALID_ARGUMENT, "atol");
        }
        fails(nks_krylov_set_max_iterations(h, 0), NKS_ERR_INVALID_ARGUMENT, "max_iterations");
        for r in [0, 10_001, usize::MAX] {
            fails(nks_krylov_set_restart(h, r), NKS_ERR_INVALID_ARGUMENT, "restart");
        }
        for s in [-1, 2] {
            fails(nks_krylov_set_preconditioner_side(h, s), NKS_ERR_INVALID_ARGUMENT, "side");
        }
        for t in [0.0, -1.0, f64::NAN] {
            fails(nks_krylov_set_max_seconds(h, t), NKS_ERR_INVALID_ARGUMENT, "max_seconds");
        }
        fails(nks_krylov_set_preconditioner(h, 7), NKS_ERR_INVALID_ARGUMENT, "preconditioner");
        fails(nks_krylov_set_option(h, null(), 1.0), NKS_ERR_NULL_POINTER, "name");
        fails(nks_krylov_set_option(h, c"tolerance".as_ptr(), 1.0), NKS_ERR_UNKNOWN_OPTION, "rtol");
        fails(nks_krylov_set_option(h, c"restart".as_ptr(), 2.5), NKS_ERR_INVALID_ARGUMENT, "restart");
        fails(nks_krylov_set_option(h, c"method".as_ptr(), f64::NAN), NKS_ERR_INVALID_ARGUMENT, "method");
        fails(nks_krylov_set_option(h, c"reorthogonalization".as_ptr(), 3.0), NKS_ERR_INVALID_ARGUMENT, "reorthogonalization");
        fails(nks_krylov_set_option(h, [0xffu8, 0].as_ptr().cast(), 1.0), NKS_ERR_INVALID_ARGUMENT, "UTF-8");
        fails(nks_krylov_get_option(h, null(), &mut got), NKS_ERR_NULL_POINTER, "name");
        fails(nks_krylov_get_option(h, c"rtol".as_ptr(), null_mut()), NKS_ERR_NULL_POINTER, "value");
        for bad in [c"tolerance", c"", c"RTOL", c"rtol "] {
            fails(nks_krylov_get_option(h, bad.as_ptr(), &mut got), NKS_ERR_UNKNOWN_OPTION, "known options");
            for name in nksolve::krylov::OPTION_NAMES {
                assert!(last_error().contains(name), "the message lists {name}: {}", last_error());
            }
        }
        fails(nks_krylov_get_option(h, [0xffu8, 0].as_ptr().cast(), &mut got), NKS_ERR_INVALID_ARGUMENT, "UTF-8");
        assert_eq!(got, -7.0, "value untouched by failed nks_krylov_get_option calls");
        // The rejected values above changed no option.
        assert_eq!(nks_krylov_get_option(h, c"rtol".as_ptr(), &mut got), NKS_OK);
        assert_eq!(got, 1e-8);
        assert_eq!(nks_krylov_get_option(h, c"method".as_ptr(), &mut got), NKS_OK);
        assert_eq!(got, NKS_KRYLOV_GMRES as i32 as f64);
        fails(nks_krylov_set_operator_csr(h, null()), NKS_ERR_NULL_POINTER, "A");
        let mut rect = null_mut();
        assert_eq!(nks_csr_new(2, 3, 2, [0i64, 1, 2].as_ptr(), [0i64, 2].as_ptr(), [1.0, 1.0].as_ptr(), 0, &mut rect), NKS_OK);
        fails(nks_krylov_set_operator_csr(h, rect), NKS_ERR_DIMENSION_MISMATCH, "square");
        nks_csr_free(rect);
        fails(nks_krylov_set_operator_callback(h, 3, None, null_mut()), NKS_ERR_NULL_POINTER, "matvec");
        fails(nks_krylov_set_operator_callback(h, 0, Some(identity), null_mut()), NKS_ERR_INVALID_ARGUMENT, "n");
        fails(nks_krylov_set_operator_callback(h, usize::MAX, Some(identity), null_mut()), NKS_ERR_INVALID_ARGUMENT, "n");
        fails(nks_krylov_set_preconditioner_callback(h, None, null_mut()), NKS_ERR_NULL_POINTER, "apply");

        // The rejected values changed nothing: the handle still solves with its defaults.
        let (b, mut x) = ([1.0; 3], [0.0; 3]);
        assert_eq!(nks_krylov_solve(h, b.as_ptr(), x.as_mut_ptr(), 3), NKS_OK);
        assert!((x[1] - 2.0).abs() < 1e-10);
        nks_krylov_free(h);
        nks_csr_free(a);
    }
}

#[test]
fn krylov_solve_and_report_reject_bad_input_and_keep_x() {
    let a = tridiag();
    let h = krylov_with(a);
    let b = [1.0; 3];
    let mut x = [7.0; 3];
    let mut rep = std::mem::MaybeUninit::<nks_krylov_report>::uninit();
    unsafe {
        fails(nks_krylov_solve(h, null(), x.as_mut_ptr(), 3), NKS_ERR_NULL_POINTER, "b");
        fails(nks_krylov_solve(h, b.as_ptr(), null_mut(), 3), NKS_ERR_NULL_POINTER, "x");
        fails(nks_krylov_solve(h, b.as_ptr(), x.as_mut_ptr(), 2), NKS_ERR_DIMENSION_MISMATCH, "n = 2");
        fails(nks_krylov_solve(h, b.as_ptr(), x.as_mut_ptr(), 0), NKS_ERR_DIMENSION_MISMATCH, "n = 0");
        fails(nks_krylov_solve(h, b.as_ptr(), x.as_mut_ptr(), usize::MAX), NKS_ERR_INVALID_ARGUMENT, "b");
        fails(nks_krylov_solve(h, [1.0, f64::NAN, 1.0].as_ptr(), x.as_mut_ptr(), 3), NKS_ERR_NON_FINITE, "b[1]");
        fails(nks_krylov_solve(h, [1.0, 1.0, f64::INFINITY].as_ptr(), x.as_mut_ptr(), 3), NKS_ERR_NON_FINITE, "b[2]");
        fails(nks_krylov_solve(h, x.as_ptr(), x.as_mut_ptr(), 3), NKS_ERR_INVALID_ARGUMENT, "overlap");
        assert_eq!(nks_krylov_set_use_initial_guess(h, 1), NKS_OK);
        let mut x_nan = [0.0, f64::NAN, 0.0];
        fails(nks_krylov_solve(h, b.as_ptr(), x_nan.as_mut_ptr(), 3), NKS_ERR_NON_FINITE, "initial guess");
        assert!(x_nan[1].is_nan());

        // Failing callbacks: < 0 and > 0 both stop a linear solve (no step to shrink), code kept.
        for (f, code) in [(failing as unsafe extern "C" fn(_, _, _, _) -> _, -3), (recoverable, 2)] {
            assert_eq!(nks_krylov_set_operator_callback(h, 3, Some(f), null_mut()), NKS_OK);
            fails(nks_krylov_solve(h, b.as_ptr(), x.as_mut_ptr(), 3), NKS_ERR_CALLBACK, "matvec");
            assert_eq!(nks_krylov_get_report(h, rep.as_mut_ptr()), NKS_OK);
            assert_eq!(rep.assume_init().callback_code, code);
        }
        assert_eq!(nks_krylov_set_operator_callback(h, 3, Some(nan_out), null_mut()), NKS_OK);
        fails(nks_krylov_solve(h, b.as_ptr(), x.as_mut_ptr(), 3), NKS_ERR_NON_FINITE, "matvec");
        assert_eq!(nks_krylov_set_operator_callback(h, 3, Some(identity), null_mut()), NKS_OK);
        assert_eq!(nks_krylov_set_preconditioner_callback(h, Some(failing), null_mut()), NKS_OK);
        fails(nks_krylov_solve(h, b.as_ptr(), x.as_mut_ptr(), 3), NKS_ERR_CALLBACK, "preconditioner");
        assert_eq!(nks_krylov_set_preconditioner_callback(h, Some(nan_out), null_mut()), NKS_OK);
        fails(nks_krylov_solve(h, b.as_ptr(), x.as_mut_ptr(), 3), NKS_ERR_NON_FINITE, "preconditioner");
        assert_eq!(nks_krylov_set_preconditioner(h, NKS_PRECOND_ILU0 as i32), NKS_OK);
        fails(nks_krylov_solve(h, b.as_ptr(), x.as_mut_ptr(), 3), NKS_ERR_INVALID_STATE, "CSR");
        assert_eq!(nks_krylov_set_preconditioner(h, NKS_PRECOND_NONE as i32), NKS_OK);
        assert_eq!(nks_krylov_set_monitor(h, Some(stop), null_mut()), NKS_OK);
        fails(nks_krylov_solve(h, b.as_ptr(), x.as_mut_ptr(), 3), NKS_ERR_ABORTED, "monitor");
        // Reading an option from inside the handle's own callback: refused, value untouched.
        assert_eq!(nks_krylov_set_monitor(h, Some(get_option_inside), h.cast()), NKS_OK);
        fails(nks_krylov_solve(h, b.as_ptr(), x.as_mut_ptr(), 3), NKS_ERR_ABORTED, "monitor");
        assert_eq!(REENTRANT_GET.load(Ordering::SeqCst), NKS_ERR_INVALID_STATE as i32);
        assert_eq!(nks_krylov_set_monitor(h, None, null_mut()), NKS_OK);

        // Built-in preconditioners on matrices they cannot handle.
        let mut zero_diag = null_mut();
        assert_eq!(nks_csr_new(2, 2, 2, [0i64, 1, 2].as_ptr(), [1i64, 0].as_ptr(), [1.0, 1.0].as_ptr(), 0, &mut zero_diag), NKS_OK);
        assert_eq!(nks_krylov_set_operator_csr(h, zero_diag), NKS_OK);
        for (kind, needle) in [(NKS_PRECOND_JACOBI, "A[0,0]"), (NKS_PRECOND_ILU0, "row 0")] {
            assert_eq!(nks_krylov_set_preconditioner(h, kind as i32), NKS_OK);
            fails(nks_krylov_solve(h, [1.0, 1.0].as_ptr(), x.as_mut_ptr(), 2), NKS_ERR_INVALID_ARGUMENT, needle);
        }
        // CG on an indefinite matrix breaks down.
        let mut indef = null_mut();
        assert_eq!(nks_csr_new(2, 2, 2, [0i64, 1, 2].as_ptr(), [0i64, 1].as_ptr(), [1.0, -1.0].as_ptr(), 0, &mut indef), NKS_OK);
        assert_eq!(nks_krylov_set_operator_csr(h, indef), NKS_OK);
        assert_eq!(nks_krylov_set_preconditioner(h, NKS_PRECOND_NONE as i32), NKS_OK);
        assert_eq!(nks_krylov_set_method(h, NKS_KRYLOV_CG as i32), NKS_OK);
        assert_eq!(nks_krylov_set_use_initial_guess(h, 0), NKS_OK);
        fails(nks_krylov_solve(h, [0.0, 1.0].as_ptr(), x.as_mut_ptr(), 2), NKS_ERR_BREAKDOWN, "positive definite");
        assert_eq!(x, [7.0; 3], "x untouched by every failed solve");

        fails(nks_krylov_get_report(null(), rep.as_mut_ptr()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_krylov_get_report(h, null_mut()), NKS_ERR_NULL_POINTER, "out");
        nks_csr_free(zero_diag);
        nks_csr_free(indef);
        nks_krylov_free(h);
        nks_csr_free(a);
    }
}

unsafe extern "C" fn indexed_failing(i: usize, x: *const f64, y: *mut f64, n: usize, _ud: *mut c_void) -> c_int {
    if i == 1 {
        return -5;
    }
    identity(x, y, n, null_mut())
}

#[test]
fn sequence_skr_and_recycle_state_calls_reject_bad_input() {
    let a = tridiag();
    let h = krylov_with(a);
    let ops = [a as *const nks_csr; 3];
    let b = [1.0; 9];
    let mut x = [7.0; 9];
    let mut order = [99usize; 3];
    let f = [0.0, 1.0, 2.0];
    let none = null_mut::<nks_krylov_report>();
    unsafe {
        let seq = |h, count, ops: *const *const nks_csr, b: *const f64, ldb, x: *mut f64, ldx, f: *const f64, nf, ldf| {
            nks_krylov_solve_sequence(h, count, ops, b, ldb, x, ldx, f, nf, ldf, null_mut(), none)
        };
        fails(seq(null_mut(), 3, ops.as_ptr(), b.as_ptr(), 3, x.as_mut_ptr(), 3, null(), 0, 0), NKS_ERR_NULL_POINTER, "h");
        fails(seq(h, 0, ops.as_ptr(), b.as_ptr(), 3, x.as_mut_ptr(), 3, null(), 0, 0), NKS_ERR_INVALID_ARGUMENT, "count = 0");
        fails(seq(h, 3, null(), b.as_ptr(), 3, x.as_mut_ptr(), 3, null(), 0, 0), NKS_ERR_NULL_POINTER, "ops");
        let with_null = [a as *const nks_csr, null(), a];
        fails(seq(h, 3, with_null.as_ptr(), b.as_ptr(), 3, x.as_mut_ptr(), 3, null(), 0, 0), NKS_ERR_NULL_POINTER, "ops[1]");
        let mut rect = null_mut();
        assert_eq!(nks_csr_new(2, 3, 1, [0i64, 1, 1].as_ptr(), [0i64].as_ptr(), [1.0].as_ptr(), 0, &mut rect), NKS_OK);
        let mixed = [a as *const nks_csr, rect, a];
        fails(seq(h, 3, mixed.as_ptr(), b.as_ptr(), 3, x.as_mut_ptr(), 3, null(), 0, 0), NKS_ERR_DIMENSION_MISMATCH, "ops[1]");
        fails(seq(h, 3, ops.as_ptr(), b.as_ptr(), 2, x.as_mut_ptr(), 3, null(), 0, 0), NKS_ERR_INVALID_ARGUMENT, "ld = 2");
        fails(seq(h, 3, ops.as_ptr(), null(), 3, x.as_mut_ptr(), 3, null(), 0, 0), NKS_ERR_NULL_POINTER, "b");
        fails(seq(h, 3, ops.as_ptr(), b.as_ptr(), 3, null_mut(), 3, null(), 0, 0), NKS_ERR_NULL_POINTER, "x");
        fails(seq(h, 3, ops.as_ptr(), x.as_ptr(), 3, x.as_mut_ptr(), 3, null(), 0, 0), NKS_ERR_INVALID_ARGUMENT, "overlap");
        let mut b_nan = b;
        b_nan[7] = f64::NAN;
        fails(seq(h, 3, ops.as_ptr(), b_nan.as_ptr(), 3, x.as_mut_ptr(), 3, null(), 0, 0), NKS_ERR_NON_FINITE, "column 2");
        fails(seq(h, 3, ops.as_ptr(), b.as_ptr(), 3, x.as_mut_ptr(), 3, f.as_ptr(), 0, 1), NKS_ERR_INVALID_ARGUMENT, "num_features");
        fails(seq(h, 3, ops.as_ptr(), b.as_ptr(), 3, x.as_mut_ptr(), 3, [0.0, f64::NAN, 1.0].as_ptr(), 1, 1), NKS_ERR_NON_FINITE, "features");
        assert_eq!(x, [7.0; 9], "invalid sequences write nothing");

        // A failing system stops the sequence: earlier columns solved, later ones untouched.
        let mut reports = [std::mem::zeroed::<nks_krylov_report>(); 3];
        fails(
            nks_krylov_solve_sequence_callback(h, 3, 3, Some(indexed_failing), null_mut(), b.as_ptr(), 3, x.as_mut_ptr(), 3, null(), 0, 0, order.as_mut_ptr(), reports.as_mut_ptr()),
            NKS_ERR_CALLBACK,
            "system 1",
        );
        assert_eq!(order, [0, 1, 2]);
        assert!(x[..3].iter().all(|v| (v - 1.0).abs() < 1e-12), "system 0 (identity) solved: {x:?}");
        assert_eq!(&x[3..], &[7.0; 6], "systems 1 and 2 untouched");
        assert_eq!((reports[0].status, reports[1].callback_code, reports[2].termination), (0, -5, 0));
        fails(
            nks_krylov_solve_sequence_callback(h, 3, 3, None, null_mut(), b.as_ptr(), 3, x.as_mut_ptr(), 3, null(), 0, 0, null_mut(), none),
            NKS_ERR_NULL_POINTER,
            "matvec",
        );
        assert_eq!(nks_krylov_set_preconditioner(h, NKS_PRECOND_JACOBI as i32), NKS_OK);
        fails(
            nks_krylov_solve_sequence_callback(h, 3, 3, Some(indexed_failing), null_mut(), b.as_ptr(), 3, x.as_mut_ptr(), 3, null(), 0, 0, null_mut(), none),
            NKS_ERR_INVALID_STATE,
            "CSR",
        );
        assert_eq!(nks_krylov_set_preconditioner(h, NKS_PRECOND_NONE as i32), NKS_OK);

        // SKR order.
        fails(nks_skr_order(0, 1, f.as_ptr(), 1, order.as_mut_ptr()), NKS_ERR_INVALID_ARGUMENT, "count = 0");
        fails(nks_skr_order(3, 1, null(), 1, order.as_mut_ptr()), NKS_ERR_NULL_POINTER, "features");
        fails(nks_skr_order(3, 2, f.as_ptr(), 1, order.as_mut_ptr()), NKS_ERR_INVALID_ARGUMENT, "ld = 1");
        fails(nks_skr_order(3, 1, f.as_ptr(), 1, null_mut()), NKS_ERR_NULL_POINTER, "order");
        fails(nks_skr_order(3, 1, [0.0, f64::INFINITY, 1.0].as_ptr(), 1, order.as_mut_ptr()), NKS_ERR_NON_FINITE, "features");

        // Recycle state.
        fails(nks_krylov_operator_changed(null_mut()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_krylov_clear_recycled(null_mut()), NKS_ERR_NULL_POINTER, "h");
        let (mut buf, mut len) = (null_mut::<u8>(), 0usize);
        fails(nks_krylov_save_recycled(null(), &mut buf, &mut len), NKS_ERR_NULL_POINTER, "h");
        fails(nks_krylov_save_recycled(h, null_mut(), &mut len), NKS_ERR_NULL_POINTER, "buf");
        fails(nks_krylov_save_recycled(h, &mut buf, null_mut()), NKS_ERR_NULL_POINTER, "len");
        assert_eq!(nks_krylov_save_recycled(h, &mut buf, &mut len), NKS_OK);
        let mut bad = std::slice::from_raw_parts(buf, len).to_vec();
        bad[len - 1] ^= 1;
        fails(nks_krylov_load_recycled(h, bad.as_ptr(), len), NKS_ERR_INVALID_ARGUMENT, "checksum");
        fails(nks_krylov_load_recycled(h, buf, len - 1), NKS_ERR_INVALID_ARGUMENT, "recycle-space buffer");
        fails(nks_krylov_load_recycled(h, null(), len), NKS_ERR_NULL_POINTER, "buf");
        fails(nks_krylov_load_recycled(null_mut(), buf, len), NKS_ERR_NULL_POINTER, "h");
        nks_bytes_free(buf, len);
        nks_bytes_free(null_mut(), 0);
        fails(nks_krylov_save_recycled_file(h, null()), NKS_ERR_NULL_POINTER, "path");
        fails(nks_krylov_save_recycled_file(h, c"".as_ptr()), NKS_ERR_INVALID_ARGUMENT, "empty");
        fails(nks_krylov_save_recycled_file(h, c"/nonexistent-dir/x.bin".as_ptr()), NKS_ERR_INVALID_ARGUMENT, "/nonexistent-dir/x.bin");
        fails(nks_krylov_load_recycled_file(h, c"/nonexistent-dir/x.bin".as_ptr()), NKS_ERR_INVALID_ARGUMENT, "could not read");
        fails(nks_krylov_load_recycled_file(null_mut(), c"x".as_ptr()), NKS_ERR_NULL_POINTER, "h");
        nks_csr_free(rect);
        nks_krylov_free(h);
        nks_csr_free(a);
    }
}

#[test]
fn library_calls_reject_bad_values() {
    fails(nks_set_num_threads(4097), NKS_ERR_INVALID_ARGUMENT, "threads");
    fails(nks_set_num_threads(usize::MAX), NKS_ERR_INVALID_ARGUMENT, "threads");
    assert!(nks_get_num_threads() >= 1);
    let s = |v: i32| unsafe { CStr::from_ptr(nks_status_str(v)) }.to_string_lossy().into_owned();
    assert_eq!(s(12345), "unknown nks_status value");
    assert_eq!(s(i32::MIN), "unknown nks_status value");
    for st in ALL_STATUSES {
        assert!(s(st as i32).starts_with("NKS_"), "{st:?}");
    }
    assert!(!unsafe { CStr::from_ptr(nks_version_string()) }.to_bytes().is_empty());
    let minor: u32 = env!("CARGO_PKG_VERSION_MINOR").parse().unwrap();
    assert_eq!(nks_version() / 100 % 100, minor);
    // A message survives until the next failure on this thread, and is per thread.
    fails(nks_set_num_threads(5000), NKS_ERR_INVALID_ARGUMENT, "5000");
    let other = std::thread::spawn(last_error).join().unwrap();
    assert!(other.is_empty(), "other thread sees its own (empty) message, got {other:?}");
}

#[test]
fn sor_bandit_calls_reject_bad_input_and_write_nothing() {
    let a = tridiag();
    let sentinel = 0x1 as *mut nks_sor_bandit;
    let mut out = sentinel;
    unsafe {
        // Constructor: learner, arms, omega range, the fixed / Young rules.
        fails(nks_sor_bandit_new(0, 20, 1.0, 1.95, 1, null_mut()), NKS_ERR_NULL_POINTER, "out");
        fails(nks_sor_bandit_new(7, 20, 1.0, 1.95, 1, &mut out), NKS_ERR_INVALID_ARGUMENT, "learner = 7");
        fails(nks_sor_bandit_new(0, 0, 1.0, 1.95, 1, &mut out), NKS_ERR_INVALID_ARGUMENT, "num_arms");
        fails(nks_sor_bandit_new(0, usize::MAX, 1.0, 1.95, 1, &mut out), NKS_ERR_INVALID_ARGUMENT, "num_arms");
        for (lo, hi, needle) in [(0.0, 1.5, "omega_min"), (1.0, 2.0, "omega_max"), (f64::NAN, 1.5, "omega_min"), (1.5, 1.2, "below")] {
            fails(nks_sor_bandit_new(0, 20, lo, hi, 1, &mut out), NKS_ERR_INVALID_ARGUMENT, needle);
        }
        fails(nks_sor_bandit_new(3, 2, 1.5, 1.5, 1, &mut out), NKS_ERR_INVALID_ARGUMENT, "num_arms = 1");
        fails(nks_sor_bandit_new(3, 1, 1.5, 1.6, 1, &mut out), NKS_ERR_INVALID_ARGUMENT, "fixed");
        assert_eq!(out, sentinel, "nothing written on failure");
        nks_sor_bandit_free(null_mut());

        let mut h = null_mut();
        assert_eq!(nks_sor_bandit_new(0, 4, 1.0, 1.6, 9, &mut h), NKS_OK);
        let nh: *mut nks_sor_bandit = null_mut();
        let (b, mut x) = ([1.0; 3], [7.0; 3]);
        let mut v = -7.0;
        // NULL handles.
        fails(nks_sor_bandit_set_option(nh, c"tol".as_ptr(), 1e-6), NKS_ERR_NULL_POINTER, "h");
        fails(nks_sor_bandit_get_option(nh, c"tol".as_ptr(), &mut v), NKS_ERR_NULL_POINTER, "h");
        let (mut arm, mut omega) = (99usize, -1.0);
        fails(nks_sor_bandit_choose(nh, 0.0, &mut arm, &mut omega), NKS_ERR_NULL_POINTER, "h");
        fails(nks_sor_bandit_observe(nh, 0, 0.0, 10.0), NKS_ERR_NULL_POINTER, "h");
        fails(nks_sor_bandit_solve(nh, a, b.as_ptr(), x.as_mut_ptr(), 3, 0.0), NKS_ERR_NULL_POINTER, "h");
        let mut rep = std::mem::MaybeUninit::<nks_sor_report>::uninit();
        fails(nks_sor_bandit_get_report(nh, rep.as_mut_ptr()), NKS_ERR_NULL_POINTER, "h");
        let mut p = [-1.0; 4];
        fails(nks_sor_bandit_probabilities(nh, 0.0, p.as_mut_ptr(), 4), NKS_ERR_NULL_POINTER, "h");
        let (mut buf, mut len) = (null_mut::<u8>(), 0usize);
        fails(nks_sor_bandit_save(nh, &mut buf, &mut len), NKS_ERR_NULL_POINTER, "h");
        fails(nks_sor_bandit_save_file(nh, c"x.bin".as_ptr()), NKS_ERR_NULL_POINTER, "h");

        // Options.
        fails(nks_sor_bandit_set_option(h, null(), 1.0), NKS_ERR_NULL_POINTER, "name");
        fails(nks_sor_bandit_set_option(h, c"omega".as_ptr(), 1.0), NKS_ERR_UNKNOWN_OPTION, "known options");
        for name in nksolve::sor::bandit::OPTION_NAMES {
            assert!(last_error().contains(name), "the message lists {name}");
        }
        for (name, bad) in [(c"tol", 0.0), (c"tol", 1.0), (c"tol", f64::NAN), (c"max_iterations", 0.0), (c"method", 2.0),
                            (c"sweep", 3.0), (c"ordering", -1.0), (c"use_initial_guess", 0.5), (c"context_min", 1.0),
                            (c"context_max", f64::INFINITY), (c"bins", 0.0), (c"chebyshev_terms", 33.0), (c"young_rho", 1.0)] {
            fails(nks_sor_bandit_set_option(h, name.as_ptr(), bad), NKS_ERR_INVALID_ARGUMENT, name.to_str().unwrap());
        }
        fails(nks_sor_bandit_set_option(h, [0xffu8, 0].as_ptr().cast(), 1.0), NKS_ERR_INVALID_ARGUMENT, "UTF-8");
        fails(nks_sor_bandit_get_option(h, null(), &mut v), NKS_ERR_NULL_POINTER, "name");
        fails(nks_sor_bandit_get_option(h, c"tol".as_ptr(), null_mut()), NKS_ERR_NULL_POINTER, "value");
        fails(nks_sor_bandit_get_option(h, c"rtol".as_ptr(), &mut v), NKS_ERR_UNKNOWN_OPTION, "tol");
        assert_eq!(v, -7.0);
        assert_eq!(nks_sor_bandit_get_option(h, c"tol".as_ptr(), &mut v), NKS_OK);
        assert_eq!(v, 1e-8, "refused values changed nothing");
        // What the learner was created with is readable, never writable.
        for (name, want) in [(c"learner", 0.0), (c"num_arms", 4.0), (c"omega_min", 1.0), (c"omega_max", 1.6)] {
            assert_eq!(nks_sor_bandit_get_option(h, name.as_ptr(), &mut v), NKS_OK);
            assert_eq!(v, want, "{name:?}");
            fails(nks_sor_bandit_set_option(h, name.as_ptr(), 2.0), NKS_ERR_INVALID_STATE, "read");
        }

        // Choose, observe, probabilities.
        fails(nks_sor_bandit_choose(h, 0.0, null_mut(), &mut omega), NKS_ERR_NULL_POINTER, "arm");
        fails(nks_sor_bandit_choose(h, 0.0, &mut arm, null_mut()), NKS_ERR_NULL_POINTER, "omega");
        fails(nks_sor_bandit_choose(h, f64::NAN, &mut arm, &mut omega), NKS_ERR_NON_FINITE, "context");
        assert_eq!((arm, omega), (99, -1.0));
        fails(nks_sor_bandit_observe(h, 4, 0.0, 10.0), NKS_ERR_INVALID_ARGUMENT, "arm = 4");
        fails(nks_sor_bandit_observe(h, 0, 0.0, -1.0), NKS_ERR_INVALID_ARGUMENT, "cost");
        fails(nks_sor_bandit_observe(h, 0, 0.0, f64::INFINITY), NKS_ERR_INVALID_ARGUMENT, "cost");
        fails(nks_sor_bandit_observe(h, 0, f64::NAN, 1.0), NKS_ERR_NON_FINITE, "context");
        fails(nks_sor_bandit_probabilities(h, 0.0, null_mut(), 4), NKS_ERR_NULL_POINTER, "out");
        fails(nks_sor_bandit_probabilities(h, 0.0, p.as_mut_ptr(), 3), NKS_ERR_DIMENSION_MISMATCH, "num_arms = 4");
        fails(nks_sor_bandit_probabilities(h, f64::NAN, p.as_mut_ptr(), 4), NKS_ERR_NON_FINITE, "context");
        assert_eq!(p, [-1.0; 4]);

        // Solve: NULLs, sizes, NaN, overlap, a zero diagonal, a non-square matrix.
        fails(nks_sor_bandit_solve(h, null(), b.as_ptr(), x.as_mut_ptr(), 3, 0.0), NKS_ERR_NULL_POINTER, "A");
        fails(nks_sor_bandit_solve(h, a, null(), x.as_mut_ptr(), 3, 0.0), NKS_ERR_NULL_POINTER, "b");
        fails(nks_sor_bandit_solve(h, a, b.as_ptr(), null_mut(), 3, 0.0), NKS_ERR_NULL_POINTER, "x");
        fails(nks_sor_bandit_solve(h, a, b.as_ptr(), x.as_mut_ptr(), 2, 0.0), NKS_ERR_DIMENSION_MISMATCH, "n = 2");
        fails(nks_sor_bandit_solve(h, a, b.as_ptr(), x.as_mut_ptr(), usize::MAX, 0.0), NKS_ERR_DIMENSION_MISMATCH, "n = ");
        fails(nks_sor_bandit_solve(h, a, [1.0, f64::NAN, 1.0].as_ptr(), x.as_mut_ptr(), 3, 0.0), NKS_ERR_NON_FINITE, "b[1]");
        fails(nks_sor_bandit_solve(h, a, x.as_ptr(), x.as_mut_ptr(), 3, 0.0), NKS_ERR_INVALID_ARGUMENT, "overlap");
        fails(nks_sor_bandit_solve(h, a, b.as_ptr(), x.as_mut_ptr(), 3, f64::INFINITY), NKS_ERR_NON_FINITE, "context");
        let mut zero_diag = null_mut();
        assert_eq!(nks_csr_new(2, 2, 2, [0i64, 1, 2].as_ptr(), [1i64, 0].as_ptr(), [1.0, 1.0].as_ptr(), 0, &mut zero_diag), NKS_OK);
        fails(nks_sor_bandit_solve(h, zero_diag, b.as_ptr(), x.as_mut_ptr(), 2, 0.0), NKS_ERR_INVALID_ARGUMENT, "A[0,0]");
        let mut rect = null_mut();
        assert_eq!(nks_csr_new(2, 3, 2, [0i64, 1, 2].as_ptr(), [0i64, 2].as_ptr(), [1.0, 1.0].as_ptr(), 0, &mut rect), NKS_OK);
        fails(nks_sor_bandit_solve(h, rect, b.as_ptr(), x.as_mut_ptr(), 2, 0.0), NKS_ERR_DIMENSION_MISMATCH, "square");
        assert_eq!(nks_sor_bandit_set_option(h, c"use_initial_guess".as_ptr(), 1.0), NKS_OK);
        let mut x_nan = [0.0, f64::NAN, 0.0];
        fails(nks_sor_bandit_solve(h, a, b.as_ptr(), x_nan.as_mut_ptr(), 3, 0.0), NKS_ERR_NON_FINITE, "initial guess");
        assert_eq!(x, [7.0; 3], "x untouched by every failed solve");
        // None of the refused calls drew from the generator: the state is still the fresh one.
        let mut fresh = null_mut();
        assert_eq!(nks_sor_bandit_new(0, 4, 1.0, 1.6, 9, &mut fresh), NKS_OK);
        let (mut ch1, mut ch2) = ((0usize, 0.0), (0usize, 0.0));
        assert_eq!(nks_sor_bandit_choose(h, 0.0, &mut ch1.0, &mut ch1.1), NKS_OK);
        assert_eq!(nks_sor_bandit_choose(fresh, 0.0, &mut ch2.0, &mut ch2.1), NKS_OK);
        assert_eq!(ch1, ch2);
        // A structural option after learning.
        assert_eq!(nks_sor_bandit_set_option(h, c"use_initial_guess".as_ptr(), 0.0), NKS_OK);
        assert_eq!(nks_sor_bandit_solve(h, a, b.as_ptr(), x.as_mut_ptr(), 3, 0.0), NKS_OK);
        fails(nks_sor_bandit_set_option(h, c"bins".as_ptr(), 3.0), NKS_ERR_INVALID_STATE, "bins");
        fails(nks_sor_bandit_get_report(h, null_mut()), NKS_ERR_NULL_POINTER, "out");
        assert_eq!(nks_sor_bandit_get_report(h, rep.as_mut_ptr()), NKS_OK);
        assert!(rep.assume_init().iterations > 0);

        // Save / load: NULLs, damaged buffers, bad paths.
        fails(nks_sor_bandit_save(h, null_mut(), &mut len), NKS_ERR_NULL_POINTER, "buf");
        fails(nks_sor_bandit_save(h, &mut buf, null_mut()), NKS_ERR_NULL_POINTER, "len");
        assert_eq!(nks_sor_bandit_save(h, &mut buf, &mut len), NKS_OK);
        let mut copy = std::slice::from_raw_parts(buf, len).to_vec();
        let mut loaded = sentinel;
        fails(nks_sor_bandit_load(buf, len, null_mut()), NKS_ERR_NULL_POINTER, "out");
        fails(nks_sor_bandit_load(null(), 10, &mut loaded), NKS_ERR_NULL_POINTER, "buf");
        fails(nks_sor_bandit_load(buf, len - 1, &mut loaded), NKS_ERR_INVALID_ARGUMENT, "SOR-bandit state");
        copy[20] ^= 4;
        fails(nks_sor_bandit_load(copy.as_ptr(), len, &mut loaded), NKS_ERR_INVALID_ARGUMENT, "checksum");
        fails(nks_sor_bandit_load(b"garbage".as_ptr(), 7, &mut loaded), NKS_ERR_INVALID_ARGUMENT, "header");
        assert_eq!(loaded, sentinel);
        assert_eq!(nks_sor_bandit_load(buf, len, &mut loaded), NKS_OK);
        nks_bytes_free(buf, len);
        nks_bytes_free(null_mut(), 0);
        fails(nks_sor_bandit_save_file(h, null()), NKS_ERR_NULL_POINTER, "path");
        fails(nks_sor_bandit_save_file(h, c"".as_ptr()), NKS_ERR_INVALID_ARGUMENT, "empty");
        fails(nks_sor_bandit_save_file(h, c"/nonexistent-dir/x/state.bin".as_ptr()), NKS_ERR_INVALID_ARGUMENT, "/nonexistent-dir");
        let mut from_file = sentinel;
        fails(nks_sor_bandit_load_file(c"state.bin".as_ptr(), null_mut()), NKS_ERR_NULL_POINTER, "out");
        fails(nks_sor_bandit_load_file(null(), &mut from_file), NKS_ERR_NULL_POINTER, "path");
        fails(nks_sor_bandit_load_file(c"/nonexistent-dir/state.bin".as_ptr(), &mut from_file), NKS_ERR_INVALID_ARGUMENT, "could not read");
        assert_eq!(from_file, sentinel);
        let path = common::scratch("sor-bandit-file").join("state.bin");
        let cpath = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        assert_eq!(nks_sor_bandit_save_file(h, cpath.as_ptr()), NKS_OK);
        assert_eq!(nks_sor_bandit_load_file(cpath.as_ptr(), &mut from_file), NKS_OK);
        let (mut p1, mut p2) = ([0.0; 4], [0.0; 4]);
        assert_eq!(nks_sor_bandit_probabilities(loaded, 0.0, p1.as_mut_ptr(), 4), NKS_OK);
        assert_eq!(nks_sor_bandit_probabilities(from_file, 0.0, p2.as_mut_ptr(), 4), NKS_OK);
        assert_eq!(p1, p2);
        for handle in [h, fresh, loaded, from_file] {
            nks_sor_bandit_free(handle);
        }
        nks_csr_free(zero_diag);
        nks_csr_free(rect);
        nks_csr_free(a);
    }
}

#[test]
fn sinkhorn_calls_reject_bad_input_and_write_nothing() {
    unsafe {
        fails(nks_sinkhorn_new(null_mut()), NKS_ERR_NULL_POINTER, "out");
        nks_sinkhorn_free(null_mut());
        let mut h = null_mut();
        assert_eq!(nks_sinkhorn_new(&mut h), NKS_OK);
        let nh: *mut nks_sinkhorn = null_mut();
        // A 3 x 2 problem: points on a line, weights of equal mass.
        let (a, b) = ([0.2, 0.3, 0.5], [0.6, 0.4]);
        let c = [0.0, 1.0, 4.0, 1.0, 0.0, 1.0];
        let (x, y) = ([0.0, 1.0, 2.0], [1.0, 2.0]);
        let (mut f, mut g) = ([7.0; 3], [7.0; 2]);
        let mut v = 0.0;
        let mut rep = std::mem::MaybeUninit::<nks_sinkhorn_report>::uninit();
        let mut nnz = 99usize;
        let (mut ri, mut ci, mut pv) = ([0i64; 6], [0i64; 6], [0.0; 6]);
        let mut plan = [5.0; 6];

        fails(nks_sinkhorn_set_option(nh, c"eps".as_ptr(), 0.1), NKS_ERR_NULL_POINTER, "h");
        fails(nks_sinkhorn_get_option(nh, c"eps".as_ptr(), &mut v), NKS_ERR_NULL_POINTER, "h");
        fails(nks_sinkhorn_solve_dense(nh, 3, 2, a.as_ptr(), b.as_ptr(), c.as_ptr(), 3, f.as_mut_ptr(), g.as_mut_ptr()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_sinkhorn_get_report(nh, rep.as_mut_ptr()), NKS_ERR_NULL_POINTER, "h");

        fails(nks_sinkhorn_set_option(h, null(), 1.0), NKS_ERR_NULL_POINTER, "name");
        fails(nks_sinkhorn_set_option(h, c"epsilon".as_ptr(), 1.0), NKS_ERR_UNKNOWN_OPTION, "eps, tol");
        for (name, bad) in [(c"eps", 0.0), (c"eps", f64::NAN), (c"eps", f64::INFINITY), (c"tol", 0.0), (c"tol", 1.0), (c"method", 2.0), (c"max_iterations", 0.0), (c"eps_scaling", 1.0), (c"hessian_density", 0.0), (c"hessian_mass", 1.5), (c"use_initial_guess", 0.5), (c"max_seconds", -1.0)] {
            fails(nks_sinkhorn_set_option(h, name.as_ptr(), bad), NKS_ERR_INVALID_ARGUMENT, name.to_str().unwrap());
        }
        assert_eq!(nks_sinkhorn_get_option(h, c"eps".as_ptr(), &mut v), NKS_OK);
        assert_eq!(v, 0.01, "a refused value must leave the option unchanged");
        fails(nks_sinkhorn_get_option(h, c"eps".as_ptr(), null_mut()), NKS_ERR_NULL_POINTER, "value");
        fails(nks_sinkhorn_get_option(h, c"lambda".as_ptr(), &mut v), NKS_ERR_UNKNOWN_OPTION, "eps");

        // Plans before any solve.
        fails(nks_sinkhorn_plan_dense(h, 3, 2, plan.as_mut_ptr(), 3), NKS_ERR_INVALID_STATE, "solve");
        fails(nks_sinkhorn_plan_nnz(h, 0.0, &mut nnz), NKS_ERR_INVALID_STATE, "solve");
        fails(nks_sinkhorn_plan_sparse(h, 0.0, 0, ri.as_mut_ptr(), ci.as_mut_ptr(), pv.as_mut_ptr(), 6), NKS_ERR_INVALID_STATE, "solve");

        let dense = |a: &[f64], b: &[f64], c: &[f64], ldc: usize, f: &mut [f64; 3], g: &mut [f64; 2]| {
            nks_sinkhorn_solve_dense(h, 3, 2, a.as_ptr(), b.as_ptr(), c.as_ptr(), ldc, f.as_mut_ptr(), g.as_mut_ptr())
        };
        fails(nks_sinkhorn_solve_dense(h, 3, 2, null(), b.as_ptr(), c.as_ptr(), 3, f.as_mut_ptr(), g.as_mut_ptr()), NKS_ERR_NULL_POINTER, "a");
        fails(nks_sinkhorn_solve_dense(h, 3, 2, a.as_ptr(), b.as_ptr(), null(), 3, f.as_mut_ptr(), g.as_mut_ptr()), NKS_ERR_NULL_POINTER, "C");
        fails(nks_sinkhorn_solve_dense(h, 3, 2, a.as_ptr(), b.as_ptr(), c.as_ptr(), 3, null_mut(), g.as_mut_ptr()), NKS_ERR_NULL_POINTER, "f");
        fails(nks_sinkhorn_solve_dense(h, 3, 2, a.as_ptr(), b.as_ptr(), c.as_ptr(), 3, f.as_mut_ptr(), null_mut()), NKS_ERR_NULL_POINTER, "g");
        fails(dense(&a, &b, &c, 2, &mut f, &mut g), NKS_ERR_INVALID_ARGUMENT, "ld = 2");
        fails(dense(&[0.2, -0.3, 1.1], &b, &c, 3, &mut f, &mut g), NKS_ERR_INVALID_ARGUMENT, "a[1]");
        fails(dense(&a, &[0.6, f64::NAN], &c, 3, &mut f, &mut g), NKS_ERR_NON_FINITE, "b[1]");
        fails(dense(&a, &[0.6, 0.5], &c, 3, &mut f, &mut g), NKS_ERR_INVALID_ARGUMENT, "different masses");
        fails(dense(&[0.0; 3], &[0.0; 2], &c, 3, &mut f, &mut g), NKS_ERR_INVALID_ARGUMENT, "total mass 0");
        fails(dense(&a, &b, &[0.0, 1.0, f64::INFINITY, 1.0, 0.0, 1.0], 3, &mut f, &mut g), NKS_ERR_NON_FINITE, "C[2, 0]");
        fails(nks_sinkhorn_solve_dense(h, 0, 2, a.as_ptr(), b.as_ptr(), c.as_ptr(), 1, f.as_mut_ptr(), g.as_mut_ptr()), NKS_ERR_INVALID_ARGUMENT, "empty");
        let mut fg = [1.0; 5];
        let p = fg.as_mut_ptr();
        fails(nks_sinkhorn_solve_dense(h, 3, 2, a.as_ptr(), b.as_ptr(), c.as_ptr(), 3, p, p.add(2)), NKS_ERR_INVALID_ARGUMENT, "overlap");
        assert_eq!(nks_sinkhorn_set_option(h, c"use_initial_guess".as_ptr(), 1.0), NKS_OK);
        f[1] = f64::NAN;
        fails(dense(&a, &b, &c, 3, &mut f, &mut g), NKS_ERR_NON_FINITE, "initial guess");
        assert_eq!(nks_sinkhorn_set_option(h, c"use_initial_guess".as_ptr(), 0.0), NKS_OK);
        assert!(f[0] == 7.0 && f[1].is_nan() && g == [7.0; 2], "a refused solve must not write f or g");
        assert_eq!(fg, [1.0; 5]);

        let pts = |d: usize, x: &[f64], ldx: usize, y: &[f64], p: f64, f: &mut [f64; 3], g: &mut [f64; 2]| {
            nks_sinkhorn_solve_points(h, 3, 2, d, a.as_ptr(), b.as_ptr(), x.as_ptr(), ldx, y.as_ptr(), 1, p, f.as_mut_ptr(), g.as_mut_ptr())
        };
        fails(nks_sinkhorn_solve_points(nh, 3, 2, 1, a.as_ptr(), b.as_ptr(), x.as_ptr(), 1, y.as_ptr(), 1, 2.0, f.as_mut_ptr(), g.as_mut_ptr()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_sinkhorn_solve_points(h, 3, 2, 1, a.as_ptr(), b.as_ptr(), null(), 1, y.as_ptr(), 1, 2.0, f.as_mut_ptr(), g.as_mut_ptr()), NKS_ERR_NULL_POINTER, "x");
        fails(pts(1, &x, 1, &y, 3.0, &mut f, &mut g), NKS_ERR_INVALID_ARGUMENT, "p = 3");
        fails(pts(1, &x, 1, &y, f64::NAN, &mut f, &mut g), NKS_ERR_INVALID_ARGUMENT, "p = NaN");
        fails(pts(0, &x, 1, &y, 2.0, &mut f, &mut g), NKS_ERR_INVALID_ARGUMENT, "d = 0");
        fails(pts(1, &x, 0, &y, 2.0, &mut f, &mut g), NKS_ERR_INVALID_ARGUMENT, "ld = 0");
        fails(pts(1, &[0.0, f64::NAN, 2.0], 1, &y, 2.0, &mut f, &mut g), NKS_ERR_NON_FINITE, "point 1");
        assert!(f[0] == 7.0 && g == [7.0; 2]);

        // A valid solve, then the plan calls' own checks.
        f[1] = 0.0;
        assert_eq!(pts(1, &x, 1, &y, 2.0, &mut f, &mut g), NKS_OK);
        fails(nks_sinkhorn_get_report(h, null_mut()), NKS_ERR_NULL_POINTER, "out");
        fails(nks_sinkhorn_plan_dense(nh, 3, 2, plan.as_mut_ptr(), 3), NKS_ERR_NULL_POINTER, "h");
        fails(nks_sinkhorn_plan_dense(h, 2, 3, plan.as_mut_ptr(), 3), NKS_ERR_DIMENSION_MISMATCH, "3 x 2");
        fails(nks_sinkhorn_plan_dense(h, 3, 2, plan.as_mut_ptr(), 2), NKS_ERR_INVALID_ARGUMENT, "ld = 2");
        fails(nks_sinkhorn_plan_dense(h, 3, 2, null_mut(), 3), NKS_ERR_NULL_POINTER, "P");
        assert_eq!(plan, [5.0; 6]);
        fails(nks_sinkhorn_plan_nnz(nh, 0.0, &mut nnz), NKS_ERR_NULL_POINTER, "h");
        fails(nks_sinkhorn_plan_nnz(h, 0.0, null_mut()), NKS_ERR_NULL_POINTER, "nnz");
        fails(nks_sinkhorn_plan_nnz(h, -1.0, &mut nnz), NKS_ERR_INVALID_ARGUMENT, "threshold");
        fails(nks_sinkhorn_plan_nnz(h, f64::NAN, &mut nnz), NKS_ERR_INVALID_ARGUMENT, "threshold");
        assert_eq!(nnz, 99);
        assert_eq!(nks_sinkhorn_plan_nnz(h, 0.0, &mut nnz), NKS_OK);
        assert_eq!(nnz, 6);
        fails(nks_sinkhorn_plan_sparse(nh, 0.0, 0, ri.as_mut_ptr(), ci.as_mut_ptr(), pv.as_mut_ptr(), 6), NKS_ERR_NULL_POINTER, "h");
        fails(nks_sinkhorn_plan_sparse(h, 0.0, 2, ri.as_mut_ptr(), ci.as_mut_ptr(), pv.as_mut_ptr(), 6), NKS_ERR_INVALID_ARGUMENT, "index_base = 2");
        fails(nks_sinkhorn_plan_sparse(h, 0.0, 0, ri.as_mut_ptr(), ci.as_mut_ptr(), pv.as_mut_ptr(), 5), NKS_ERR_DIMENSION_MISMATCH, "nks_sinkhorn_plan_nnz");
        fails(nks_sinkhorn_plan_sparse(h, 0.0, 0, null_mut(), ci.as_mut_ptr(), pv.as_mut_ptr(), 6), NKS_ERR_NULL_POINTER, "rows");
        let shared = ri.as_mut_ptr();
        fails(nks_sinkhorn_plan_sparse(h, 0.0, 0, shared, shared, pv.as_mut_ptr(), 6), NKS_ERR_INVALID_ARGUMENT, "overlap");
        assert_eq!(pv, [0.0; 6]);
        assert_eq!(nks_sinkhorn_plan_sparse(h, 0.0, 1, ri.as_mut_ptr(), ci.as_mut_ptr(), pv.as_mut_ptr(), 6), NKS_OK);
        assert_eq!((ri, ci), ([1, 1, 2, 2, 3, 3], [1, 2, 1, 2, 1, 2]));
        assert_eq!(nks_sinkhorn_plan_dense(h, 3, 2, plan.as_mut_ptr(), 3), NKS_OK);
        assert_eq!(plan[0], pv[0]);
        assert_eq!(nks_sinkhorn_get_report(h, rep.as_mut_ptr()), NKS_OK);
        assert!(rep.assume_init().marginal_error <= 1e-9);
        let mut out = null_mut();
        assert_eq!(nks_sinkhorn_new(&mut out), NKS_OK);
        for handle in [h, out] {
            nks_sinkhorn_free(handle);
        }
    }
}

/// `f = sum (x_i - 1)^2`, with the behaviour chosen by `*user_data` (an `i32`): 0 normal,
/// `c != 0` the objective returns `c` at every point but the start, once.
unsafe extern "C" fn quad_value(x: *const f64, n: usize, f: *mut f64, ud: *mut c_void) -> c_int {
    let x = std::slice::from_raw_parts(x, n);
    let mode = &mut *(ud as *mut i32);
    if *mode != 0 && x.iter().any(|v| *v != 0.0) {
        let code = *mode;
        *mode = 0;
        return code;
    }
    *f = x.iter().map(|v| (v - 1.0) * (v - 1.0)).sum();
    0
}
unsafe extern "C" fn quad_gradient(x: *const f64, n: usize, g: *mut f64, _ud: *mut c_void) -> c_int {
    for i in 0..n {
        *g.add(i) = 2.0 * (*x.add(i) - 1.0);
    }
    0
}
unsafe extern "C" fn quad_hv(_x: *const f64, v: *const f64, n: usize, hv: *mut f64, _ud: *mut c_void) -> c_int {
    for i in 0..n {
        *hv.add(i) = 2.0 * *v.add(i);
    }
    0
}
unsafe extern "C" fn quad_nan_gradient(_x: *const f64, n: usize, g: *mut f64, _ud: *mut c_void) -> c_int {
    std::slice::from_raw_parts_mut(g, n).fill(f64::NAN);
    0
}
unsafe extern "C" fn stop_monitor(_r: *const nks_newton_report, _x: *const f64, _n: usize, _ud: *mut c_void) -> c_int {
    1
}

#[test]
fn newton_calls_reject_bad_input_and_write_nothing() {
    unsafe {
        fails(nks_newton_new(null_mut()), NKS_ERR_NULL_POINTER, "out");
        nks_newton_free(null_mut());
        let mut h = null_mut();
        assert_eq!(nks_newton_new(&mut h), NKS_OK);
        let nh: *mut nks_newton = null_mut();
        let mut mode = 0i32;
        // The oracles read the mode through user_data; it is set through the same pointer.
        let ud = &mut mode as *mut i32 as *mut c_void;
        let mut x = [0.0; 3];
        let mut v = 0.0;
        let mut rep = std::mem::MaybeUninit::<nks_newton_report>::uninit();
        fails(nks_newton_solve(h, 3, x.as_mut_ptr()), NKS_ERR_INVALID_STATE, "nks_newton_set_oracles");
        fails(nks_newton_get_point(h, 3, x.as_mut_ptr()), NKS_ERR_INVALID_STATE, "no solve");
        fails(nks_newton_set_oracles(nh, Some(quad_value), Some(quad_gradient), None, Some(quad_hv), ud), NKS_ERR_NULL_POINTER, "h");
        fails(nks_newton_set_oracles(h, Some(quad_value), Some(quad_gradient), None, None, ud), NKS_ERR_NULL_POINTER, "hessian_vector");
        fails(nks_newton_set_oracles(h, None, Some(quad_gradient), None, Some(quad_hv), ud), NKS_ERR_NULL_POINTER, "objective");
        fails(nks_newton_set_oracles(h, Some(quad_value), None, None, Some(quad_hv), ud), NKS_ERR_NULL_POINTER, "gradient");
        fails(nks_newton_set_preconditioner(nh, None, null_mut()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_newton_set_monitor(nh, None, null_mut()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_newton_set_option(nh, c"gatol".as_ptr(), 1.0), NKS_ERR_NULL_POINTER, "h");
        fails(nks_newton_set_option(h, null(), 1.0), NKS_ERR_NULL_POINTER, "name");
        fails(nks_newton_set_option(h, c"gtol".as_ptr(), 1.0), NKS_ERR_UNKNOWN_OPTION, "gatol");
        for (name, bad) in [(c"method", 9.0), (c"gatol", -1.0), (c"max_iterations", 0.5), (c"c2", 1e-9), (c"forcing_value", 1.0), (c"lazy_rank", 0.0), (c"gamma", f64::INFINITY)] {
            fails(nks_newton_set_option(h, name.as_ptr(), bad), NKS_ERR_INVALID_ARGUMENT, name.to_str().unwrap());
        }
        assert_eq!(nks_newton_get_option(h, c"gatol".as_ptr(), &mut v), NKS_OK);
        assert_eq!(v, 1e-8);
        fails(nks_newton_get_option(nh, c"gatol".as_ptr(), &mut v), NKS_ERR_NULL_POINTER, "h");
        fails(nks_newton_get_option(h, c"gatol".as_ptr(), null_mut()), NKS_ERR_NULL_POINTER, "value");
        fails(nks_newton_get_option(h, c"radius".as_ptr(), &mut v), NKS_ERR_UNKNOWN_OPTION, "initial_radius");
        assert_eq!(nks_newton_set_oracles(h, Some(quad_value), Some(quad_gradient), None, Some(quad_hv), ud), NKS_OK);
        fails(nks_newton_solve(nh, 3, x.as_mut_ptr()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_newton_solve(h, 0, x.as_mut_ptr()), NKS_ERR_INVALID_ARGUMENT, "n = 0");
        fails(nks_newton_solve(h, 3, null_mut()), NKS_ERR_NULL_POINTER, "x");
        let mut bad = [0.0, f64::NAN, 0.0];
        fails(nks_newton_solve(h, 3, bad.as_mut_ptr()), NKS_ERR_NON_FINITE, "x[1]");
        assert!(bad[1].is_nan() && bad[0] == 0.0);
        // A callback abort (< 0) at the first trial point: x untouched, the code reported.
        *(ud as *mut i32) = -7;
        fails(nks_newton_solve(h, 3, x.as_mut_ptr()), NKS_ERR_CALLBACK, "-7");
        assert_eq!(x, [0.0; 3]);
        assert_eq!(nks_newton_get_report(h, rep.as_mut_ptr()), NKS_OK);
        assert_eq!(rep.assume_init().callback_code, -7);
        let mut last = [9.0; 3];
        fails(nks_newton_get_point(h, 2, last.as_mut_ptr()), NKS_ERR_DIMENSION_MISMATCH, "n = 2");
        fails(nks_newton_get_point(nh, 3, last.as_mut_ptr()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_newton_get_point(h, 3, null_mut()), NKS_ERR_NULL_POINTER, "x");
        assert_eq!(nks_newton_get_point(h, 3, last.as_mut_ptr()), NKS_OK);
        assert_eq!(last, [0.0; 3]);
        // A recoverable failure (> 0) at the first trial point does not stop the solve.
        *(ud as *mut i32) = 4;
        assert_eq!(nks_newton_solve(h, 3, x.as_mut_ptr()), NKS_OK);
        assert_eq!(x, [1.0; 3]);
        assert_eq!(nks_newton_get_report(h, rep.as_mut_ptr()), NKS_OK);
        assert_eq!(rep.assume_init().failed_evaluations, 1);
        fails(nks_newton_get_report(nh, rep.as_mut_ptr()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_newton_get_report(h, null_mut()), NKS_ERR_NULL_POINTER, "out");
        // NaN from the oracles at the start cannot be shrunk away.
        x = [0.0; 3];
        assert_eq!(nks_newton_set_oracles(h, Some(quad_value), Some(quad_nan_gradient), None, Some(quad_hv), ud), NKS_OK);
        fails(nks_newton_solve(h, 3, x.as_mut_ptr()), NKS_ERR_NON_FINITE, "gradient");
        assert_eq!(x, [0.0; 3]);
        // The monitor stops the run: NKS_ERR_ABORTED, x untouched.
        assert_eq!(nks_newton_set_oracles(h, Some(quad_value), Some(quad_gradient), None, Some(quad_hv), ud), NKS_OK);
        assert_eq!(nks_newton_set_monitor(h, Some(stop_monitor), null_mut()), NKS_OK);
        fails(nks_newton_solve(h, 3, x.as_mut_ptr()), NKS_ERR_ABORTED, "monitor");
        assert_eq!(x, [0.0; 3]);
        assert_eq!(nks_newton_set_monitor(h, None, null_mut()), NKS_OK);
        assert_eq!(nks_newton_set_preconditioner(h, None, null_mut()), NKS_OK);
        nks_newton_free(h);
    }
}

/// `F_i(x) = x_i^3 - 1` (m = n); `*user_data` (an `i32`): 0 normal, `c != 0` the residual returns
/// `c` at every point but the start, once.
unsafe extern "C" fn cube_residual(x: *const f64, n: usize, f: *mut f64, m: usize, ud: *mut c_void) -> c_int {
    let x = std::slice::from_raw_parts(x, n);
    let mode = &mut *(ud as *mut i32);
    if *mode != 0 && x.iter().any(|v| *v != 2.0) {
        let code = *mode;
        *mode = 0;
        return code;
    }
    for i in 0..m {
        *f.add(i) = x[i] * x[i] * x[i] - 1.0;
    }
    0
}
unsafe extern "C" fn cube_jv(x: *const f64, v: *const f64, n: usize, jv: *mut f64, _m: usize, _ud: *mut c_void) -> c_int {
    for i in 0..n {
        *jv.add(i) = 3.0 * *x.add(i) * *x.add(i) * *v.add(i);
    }
    0
}
unsafe extern "C" fn cube_nan_residual(_x: *const f64, _n: usize, f: *mut f64, m: usize, _ud: *mut c_void) -> c_int {
    std::slice::from_raw_parts_mut(f, m).fill(f64::NAN);
    0
}
unsafe extern "C" fn stop_nonlinear_monitor(_r: *const nks_nonlinear_report, _x: *const f64, _n: usize, _ud: *mut c_void) -> c_int {
    1
}

#[test]
fn nonlinear_calls_reject_bad_input_and_write_nothing() {
    unsafe {
        fails(nks_nonlinear_new(null_mut()), NKS_ERR_NULL_POINTER, "out");
        nks_nonlinear_free(null_mut());
        let mut h = null_mut();
        assert_eq!(nks_nonlinear_new(&mut h), NKS_OK);
        let nh: *mut nks_nonlinear = null_mut();
        let mut mode = 0i32;
        let ud = &mut mode as *mut i32 as *mut c_void;
        let mut x = [2.0; 3];
        let mut v = 0.0;
        let mut rep = std::mem::MaybeUninit::<nks_nonlinear_report>::uninit();
        let mut step = std::mem::MaybeUninit::<nks_nonlinear_step>::uninit();
        fails(nks_nonlinear_solve(h, 3, x.as_mut_ptr()), NKS_ERR_INVALID_STATE, "nks_nonlinear_set_oracles");
        fails(nks_nonlinear_get_point(h, 3, x.as_mut_ptr()), NKS_ERR_INVALID_STATE, "no solve");
        fails(nks_nonlinear_set_oracles(nh, 0, Some(cube_residual), None, None, ud), NKS_ERR_NULL_POINTER, "h");
        fails(nks_nonlinear_set_oracles(h, 0, None, None, None, ud), NKS_ERR_NULL_POINTER, "residual");
        fails(nks_nonlinear_set_preconditioner(nh, None, null_mut()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_nonlinear_set_monitor(nh, None, null_mut()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_nonlinear_set_option(nh, c"fatol".as_ptr(), 1.0), NKS_ERR_NULL_POINTER, "h");
        fails(nks_nonlinear_set_option(h, null(), 1.0), NKS_ERR_NULL_POINTER, "name");
        fails(nks_nonlinear_set_option(h, c"ftol".as_ptr(), 1.0), NKS_ERR_UNKNOWN_OPTION, "fatol");
        for (name, bad) in [(c"fatol", -1.0), (c"method", 2.0), (c"krylov_method", 2.0), (c"lm_eta", 3.0), (c"restart", 1.0), (c"fd_error", 1.0)] {
            fails(nks_nonlinear_set_option(h, name.as_ptr(), bad), NKS_ERR_INVALID_ARGUMENT, name.to_str().unwrap());
        }
        assert_eq!(nks_nonlinear_get_option(h, c"restart".as_ptr(), &mut v), NKS_OK);
        assert_eq!(v, 30.0, "a refused value leaves the option as it was");
        fails(nks_nonlinear_get_option(nh, c"fatol".as_ptr(), &mut v), NKS_ERR_NULL_POINTER, "h");
        fails(nks_nonlinear_get_option(h, c"fatol".as_ptr(), null_mut()), NKS_ERR_NULL_POINTER, "value");
        fails(nks_nonlinear_get_option(h, c"atol".as_ptr(), &mut v), NKS_ERR_UNKNOWN_OPTION, "fatol");
        // Newton-Krylov needs m = n; Levenberg-Marquardt needs J^T w.
        assert_eq!(nks_nonlinear_set_oracles(h, 2, Some(cube_residual), None, None, ud), NKS_OK);
        fails(nks_nonlinear_solve(h, 3, x.as_mut_ptr()), NKS_ERR_DIMENSION_MISMATCH, "m = 2");
        assert_eq!(nks_nonlinear_set_option(h, c"method".as_ptr(), 1.0), NKS_OK);
        fails(nks_nonlinear_solve(h, 3, x.as_mut_ptr()), NKS_ERR_INVALID_ARGUMENT, "J^T w");
        assert_eq!(nks_nonlinear_set_option(h, c"method".as_ptr(), 0.0), NKS_OK);
        assert_eq!(x, [2.0; 3]);
        assert_eq!(nks_nonlinear_set_oracles(h, 0, Some(cube_residual), None, None, ud), NKS_OK);
        fails(nks_nonlinear_solve(nh, 3, x.as_mut_ptr()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_nonlinear_solve(h, 0, x.as_mut_ptr()), NKS_ERR_INVALID_ARGUMENT, "n = 0");
        fails(nks_nonlinear_solve(h, 3, null_mut()), NKS_ERR_NULL_POINTER, "x");
        let mut bad = [2.0, f64::INFINITY, 2.0];
        fails(nks_nonlinear_solve(h, 3, bad.as_mut_ptr()), NKS_ERR_NON_FINITE, "x[1]");
        // An abort (< 0) at the first trial point: NKS_ERR_CALLBACK naming the code, x untouched,
        // the last accepted point (the start) kept.
        *(ud as *mut i32) = -7;
        fails(nks_nonlinear_solve(h, 3, x.as_mut_ptr()), NKS_ERR_CALLBACK, "-7");
        assert_eq!(x, [2.0; 3]);
        assert_eq!(nks_nonlinear_get_report(h, rep.as_mut_ptr()), NKS_OK);
        assert_eq!(rep.assume_init().callback_code, -7);
        let mut last = [0.0; 3];
        fails(nks_nonlinear_get_point(h, 2, last.as_mut_ptr()), NKS_ERR_DIMENSION_MISMATCH, "n = 2");
        fails(nks_nonlinear_get_point(nh, 3, last.as_mut_ptr()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_nonlinear_get_point(h, 3, null_mut()), NKS_ERR_NULL_POINTER, "x");
        assert_eq!(nks_nonlinear_get_point(h, 3, last.as_mut_ptr()), NKS_OK);
        assert_eq!(last, [2.0; 3]);
        // A recoverable failure (> 0) at the first trial point only shortens the step (with the
        // J v callback the first point evaluated after the start is that trial point).
        assert_eq!(nks_nonlinear_set_oracles(h, 0, Some(cube_residual), Some(cube_jv), None, ud), NKS_OK);
        *(ud as *mut i32) = 4;
        assert_eq!(nks_nonlinear_solve(h, 3, x.as_mut_ptr()), NKS_OK);
        assert!(x.iter().all(|v| (v - 1.0).abs() <= 1e-7), "{x:?}");
        assert_eq!(nks_nonlinear_get_report(h, rep.as_mut_ptr()), NKS_OK);
        let r = rep.assume_init();
        assert_eq!(r.failed_evaluations, 1);
        fails(nks_nonlinear_get_report(nh, rep.as_mut_ptr()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_nonlinear_get_report(h, null_mut()), NKS_ERR_NULL_POINTER, "out");
        assert_eq!(nks_nonlinear_get_step(h, 0, step.as_mut_ptr()), NKS_OK);
        assert!(step.assume_init().step_length < 1.0, "the refused full step was shortened");
        fails(nks_nonlinear_get_step(h, r.steps, step.as_mut_ptr()), NKS_ERR_INVALID_ARGUMENT, "out of range");
        fails(nks_nonlinear_get_step(nh, 0, step.as_mut_ptr()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_nonlinear_get_step(h, 0, null_mut()), NKS_ERR_NULL_POINTER, "out");
        // NaN from the residual at the start cannot be stepped back from.
        x = [2.0; 3];
        assert_eq!(nks_nonlinear_set_oracles(h, 0, Some(cube_nan_residual), None, None, ud), NKS_OK);
        fails(nks_nonlinear_solve(h, 3, x.as_mut_ptr()), NKS_ERR_NON_FINITE, "residual");
        assert_eq!(x, [2.0; 3]);
        // The monitor stops the run: NKS_ERR_ABORTED, x untouched.
        assert_eq!(nks_nonlinear_set_oracles(h, 0, Some(cube_residual), None, None, ud), NKS_OK);
        assert_eq!(nks_nonlinear_set_monitor(h, Some(stop_nonlinear_monitor), null_mut()), NKS_OK);
        fails(nks_nonlinear_solve(h, 3, x.as_mut_ptr()), NKS_ERR_ABORTED, "monitor");
        assert_eq!(x, [2.0; 3]);
        assert_eq!(nks_nonlinear_set_monitor(h, None, null_mut()), NKS_OK);
        assert_eq!(nks_nonlinear_set_preconditioner(h, None, null_mut()), NKS_OK);
        fails(nks_nonlinear_clear_recycle_space(nh), NKS_ERR_NULL_POINTER, "h");
        assert_eq!(nks_nonlinear_clear_recycle_space(h), NKS_OK);
        nks_nonlinear_free(h);
    }
}


/// `min x0^2 + x1^2 s.t. x0 + x1 - 2 = 0` (solution `(1, 1)`). `*user_data` (an `i32`): 0
/// normal, `c != 0` the objective returns `c` at every point but the start `(3, 0)`, once.
unsafe extern "C" fn sq_objective(x: *const f64, _n: usize, f: *mut f64, ud: *mut c_void) -> c_int {
    let mode = &mut *(ud as *mut i32);
    if *mode != 0 && (*x.add(0), *x.add(1)) != (3.0, 0.0) {
        let code = *mode;
        *mode = 0;
        return code;
    }
    *f = *x.add(0) * *x.add(0) + *x.add(1) * *x.add(1);
    0
}
unsafe extern "C" fn sq_nan_objective(_x: *const f64, _n: usize, f: *mut f64, _ud: *mut c_void) -> c_int {
    *f = f64::NAN;
    0
}
unsafe extern "C" fn sq_gradient(x: *const f64, _n: usize, g: *mut f64, _ud: *mut c_void) -> c_int {
    *g.add(0) = 2.0 * *x.add(0);
    *g.add(1) = 2.0 * *x.add(1);
    0
}
unsafe extern "C" fn sum_constraint(x: *const f64, _n: usize, c: *mut f64, _m: usize, _ud: *mut c_void) -> c_int {
    *c = *x.add(0) + *x.add(1) - 2.0;
    0
}
unsafe extern "C" fn sum_jv(_x: *const f64, v: *const f64, _n: usize, jv: *mut f64, _m: usize, _ud: *mut c_void) -> c_int {
    *jv = *v.add(0) + *v.add(1);
    0
}
unsafe extern "C" fn sum_jtw(_x: *const f64, w: *const f64, _m: usize, jtw: *mut f64, _n: usize, _ud: *mut c_void) -> c_int {
    *jtw.add(0) = *w;
    *jtw.add(1) = *w;
    0
}
unsafe extern "C" fn sq_hv(_x: *const f64, _l: *const f64, v: *const f64, _n: usize, _m: usize, hv: *mut f64, _ud: *mut c_void) -> c_int {
    *hv.add(0) = 2.0 * *v.add(0);
    *hv.add(1) = 2.0 * *v.add(1);
    0
}
unsafe extern "C" fn failing_hv(_x: *const f64, _l: *const f64, _v: *const f64, _n: usize, _m: usize, _hv: *mut f64, _ud: *mut c_void) -> c_int {
    -7
}
unsafe extern "C" fn sum_jacobian_values(_x: *const f64, _n: usize, values: *mut f64, _nnz: usize, _ud: *mut c_void) -> c_int {
    *values.add(0) = 1.0;
    *values.add(1) = 1.0;
    0
}
unsafe extern "C" fn sq_hessian_values(_x: *const f64, _l: *const f64, _n: usize, _m: usize, values: *mut f64, _nnz: usize, _ud: *mut c_void) -> c_int {
    *values.add(0) = 2.0;
    *values.add(1) = 2.0;
    0
}
unsafe extern "C" fn stop_constrained_monitor(_r: *const nks_constrained_report, _x: *const f64, _n: usize, _l: *const f64, _m: usize, _ud: *mut c_void) -> c_int {
    1
}

#[test]
fn constrained_calls_reject_bad_input_and_write_nothing() {
    unsafe {
        fails(nks_constrained_new(null_mut()), NKS_ERR_NULL_POINTER, "out");
        nks_constrained_free(null_mut());
        let mut h = null_mut();
        assert_eq!(nks_constrained_new(&mut h), NKS_OK);
        let nh: *mut nks_constrained = null_mut();
        let mut mode = 0i32;
        let ud = &mut mode as *mut i32 as *mut c_void;
        let (mut x, mut l) = ([3.0, 0.0], [0.0]);
        let mut v = 0.0;
        let mut rep = std::mem::MaybeUninit::<nks_constrained_report>::uninit();
        let mut rec = std::mem::MaybeUninit::<nks_constrained_record>::uninit();
        let (jrp, jci, hrp, hci) = ([0i64, 2], [0i64, 1], [0i64, 1, 2], [0i64, 1]);
        fails(nks_constrained_solve(h, 2, x.as_mut_ptr(), 1, l.as_mut_ptr()), NKS_ERR_INVALID_STATE, "nks_constrained_set_oracles");
        fails(nks_constrained_get_point(h, 2, x.as_mut_ptr(), 1, l.as_mut_ptr()), NKS_ERR_INVALID_STATE, "no solve");
        fails(
            nks_constrained_set_sparse_rows(h, 2, jrp.as_ptr(), jci.as_ptr(), Some(sum_jacobian_values), hrp.as_ptr(), hci.as_ptr(), Some(sq_hessian_values), 0, ud),
            NKS_ERR_INVALID_STATE,
            "nks_constrained_set_oracles",
        );
        let oracles = |h, m, f: nks_constrained_objective_fn, hv: nks_constrained_hessian_vector_fn| {
            nks_constrained_set_oracles(h, m, f, Some(sq_gradient), Some(sum_constraint), Some(sum_jv), Some(sum_jtw), hv, ud)
        };
        fails(oracles(nh, 1, Some(sq_objective), Some(sq_hv)), NKS_ERR_NULL_POINTER, "h");
        fails(oracles(h, 1, None, Some(sq_hv)), NKS_ERR_NULL_POINTER, "objective");
        fails(oracles(h, 1, Some(sq_objective), None), NKS_ERR_NULL_POINTER, "hessian_vector");
        fails(nks_constrained_set_oracles(h, 1, Some(sq_objective), None, Some(sum_constraint), Some(sum_jv), Some(sum_jtw), Some(sq_hv), ud), NKS_ERR_NULL_POINTER, "gradient");
        fails(oracles(h, 0, Some(sq_objective), Some(sq_hv)), NKS_ERR_INVALID_ARGUMENT, "m = 0");
        fails(nks_constrained_set_preconditioner(nh, None, null_mut()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_constrained_set_monitor(nh, None, null_mut()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_constrained_set_option(nh, c"eta1".as_ptr(), 1.0), NKS_ERR_NULL_POINTER, "h");
        fails(nks_constrained_set_option(h, null(), 1.0), NKS_ERR_NULL_POINTER, "name");
        fails(nks_constrained_set_option(h, c"eta".as_ptr(), 1.0), NKS_ERR_UNKNOWN_OPTION, "eta1");
        for (name, bad) in [(c"eta1", 0.0), (c"armijo", 0.5), (c"kkt_solver", 3.0), (c"penalty_factor", 1.0), (c"stationarity_tol", f64::NAN)] {
            fails(nks_constrained_set_option(h, name.as_ptr(), bad), NKS_ERR_INVALID_ARGUMENT, name.to_str().unwrap());
        }
        assert_eq!(nks_constrained_get_option(h, c"eta2".as_ptr(), &mut v), NKS_OK);
        assert_eq!(v, 0.1, "a refused value leaves the option as it was");
        fails(nks_constrained_get_option(nh, c"eta2".as_ptr(), &mut v), NKS_ERR_NULL_POINTER, "h");
        fails(nks_constrained_get_option(h, c"eta2".as_ptr(), null_mut()), NKS_ERR_NULL_POINTER, "value");
        fails(nks_constrained_get_option(h, c"eta".as_ptr(), &mut v), NKS_ERR_UNKNOWN_OPTION, "eta2");

        assert_eq!(oracles(h, 1, Some(sq_objective), Some(sq_hv)), NKS_OK);
        // Sparse rows: malformed patterns are refused with the array named.
        let rows = |h, rp: &[i64], ci: &[i64], base: i32| {
            nks_constrained_set_sparse_rows(h, 2, rp.as_ptr(), ci.as_ptr(), Some(sum_jacobian_values), hrp.as_ptr(), hci.as_ptr(), Some(sq_hessian_values), base, ud)
        };
        fails(rows(nh, &jrp, &jci, 0), NKS_ERR_NULL_POINTER, "h");
        fails(rows(h, &jrp, &[0, 2], 0), NKS_ERR_INVALID_ARGUMENT, "jacobian_col_idx[1]");
        fails(rows(h, &[0, 2], &jci, 2), NKS_ERR_INVALID_ARGUMENT, "index_base");
        fails(rows(h, &[1, 2], &jci, 0), NKS_ERR_INVALID_ARGUMENT, "row_ptr");
        fails(rows(h, &jrp, &[0, 0], 0), NKS_ERR_INVALID_ARGUMENT, "twice");
        fails(
            nks_constrained_set_sparse_rows(h, 2, null(), jci.as_ptr(), Some(sum_jacobian_values), hrp.as_ptr(), hci.as_ptr(), Some(sq_hessian_values), 0, ud),
            NKS_ERR_NULL_POINTER,
            "jacobian_row_ptr",
        );
        fails(
            nks_constrained_set_sparse_rows(h, 2, jrp.as_ptr(), jci.as_ptr(), None, hrp.as_ptr(), hci.as_ptr(), Some(sq_hessian_values), 0, ud),
            NKS_ERR_NULL_POINTER,
            "jacobian_values",
        );
        fails(
            nks_constrained_set_sparse_rows(h, 0, jrp.as_ptr(), jci.as_ptr(), Some(sum_jacobian_values), hrp.as_ptr(), hci.as_ptr(), Some(sq_hessian_values), 0, ud),
            NKS_ERR_INVALID_ARGUMENT,
            "n = 0",
        );
        // Kaczmarz needs the rows.
        assert_eq!(nks_constrained_set_option(h, c"kkt_solver".as_ptr(), 1.0), NKS_OK);
        fails(nks_constrained_solve(h, 2, x.as_mut_ptr(), 1, l.as_mut_ptr()), NKS_ERR_INVALID_STATE, "sparse rows");
        assert_eq!(rows(h, &jrp, &jci, 0), NKS_OK);
        fails(nks_constrained_solve(h, 3, [3.0, 0.0, 0.0].as_mut_ptr(), 1, l.as_mut_ptr()), NKS_ERR_DIMENSION_MISMATCH, "sparse rows");
        assert_eq!(nks_constrained_solve(h, 2, x.as_mut_ptr(), 1, l.as_mut_ptr()), NKS_OK);
        assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] - 1.0).abs() < 1e-6 && (l[0] + 2.0).abs() < 1e-5, "{x:?} {l:?}");
        assert_eq!(nks_constrained_set_option(h, c"kkt_solver".as_ptr(), 0.0), NKS_OK);

        x = [3.0, 0.0];
        fails(nks_constrained_solve(nh, 2, x.as_mut_ptr(), 1, l.as_mut_ptr()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_constrained_solve(h, 0, x.as_mut_ptr(), 1, l.as_mut_ptr()), NKS_ERR_INVALID_ARGUMENT, "n = 0");
        fails(nks_constrained_solve(h, 2, null_mut(), 1, l.as_mut_ptr()), NKS_ERR_NULL_POINTER, "x");
        fails(nks_constrained_solve(h, 2, x.as_mut_ptr(), 1, null_mut()), NKS_ERR_NULL_POINTER, "lambda");
        fails(nks_constrained_solve(h, 2, x.as_mut_ptr(), 2, l.as_mut_ptr()), NKS_ERR_DIMENSION_MISMATCH, "m = 2");
        let mut both = [3.0, 0.0, 0.0];
        fails(nks_constrained_solve(h, 2, both.as_mut_ptr(), 1, both.as_mut_ptr().add(1)), NKS_ERR_INVALID_ARGUMENT, "overlap");
        let mut bad = [3.0, f64::NAN];
        fails(nks_constrained_solve(h, 2, bad.as_mut_ptr(), 1, l.as_mut_ptr()), NKS_ERR_NON_FINITE, "x[1]");
        // An abort from the Hessian product: NKS_ERR_CALLBACK, x untouched, the code reported.
        assert_eq!(oracles(h, 1, Some(sq_objective), Some(failing_hv)), NKS_OK);
        fails(nks_constrained_solve(h, 2, x.as_mut_ptr(), 1, l.as_mut_ptr()), NKS_ERR_CALLBACK, "-7");
        assert_eq!(x, [3.0, 0.0]);
        assert_eq!(nks_constrained_get_report(h, rep.as_mut_ptr()), NKS_OK);
        assert_eq!(rep.assume_init().callback_code, -7);
        let mut last = [0.0; 2];
        fails(nks_constrained_get_point(h, 3, last.as_mut_ptr(), 1, l.as_mut_ptr()), NKS_ERR_DIMENSION_MISMATCH, "n = 3");
        fails(nks_constrained_get_point(h, 2, last.as_mut_ptr(), 2, l.as_mut_ptr()), NKS_ERR_DIMENSION_MISMATCH, "m = 2");
        fails(nks_constrained_get_point(nh, 2, last.as_mut_ptr(), 1, l.as_mut_ptr()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_constrained_get_point(h, 2, null_mut(), 1, l.as_mut_ptr()), NKS_ERR_NULL_POINTER, "x");
        assert_eq!(nks_constrained_get_point(h, 2, last.as_mut_ptr(), 1, null_mut()), NKS_OK);
        assert_eq!(last, [3.0, 0.0]);
        // A recoverable failure (> 0) at the first trial point only shortens the step.
        assert_eq!(oracles(h, 1, Some(sq_objective), Some(sq_hv)), NKS_OK);
        *(ud as *mut i32) = 4;
        assert_eq!(nks_constrained_solve(h, 2, x.as_mut_ptr(), 1, l.as_mut_ptr()), NKS_OK);
        assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] - 1.0).abs() < 1e-6, "{x:?}");
        assert_eq!(nks_constrained_get_report(h, rep.as_mut_ptr()), NKS_OK);
        let r = rep.assume_init();
        assert_eq!(r.failed_evaluations, 1);
        fails(nks_constrained_get_report(nh, rep.as_mut_ptr()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_constrained_get_report(h, null_mut()), NKS_ERR_NULL_POINTER, "out");
        assert_eq!(nks_constrained_get_record(h, 0, rec.as_mut_ptr()), NKS_OK);
        assert!(rec.assume_init().step_length < 1.0, "the refused full step was shortened");
        fails(nks_constrained_get_record(h, r.records, rec.as_mut_ptr()), NKS_ERR_INVALID_ARGUMENT, "out of range");
        fails(nks_constrained_get_record(nh, 0, rec.as_mut_ptr()), NKS_ERR_NULL_POINTER, "h");
        fails(nks_constrained_get_record(h, 0, null_mut()), NKS_ERR_NULL_POINTER, "out");
        // NaN from the objective at the start cannot be stepped back from.
        x = [3.0, 0.0];
        assert_eq!(oracles(h, 1, Some(sq_nan_objective), Some(sq_hv)), NKS_OK);
        fails(nks_constrained_solve(h, 2, x.as_mut_ptr(), 1, l.as_mut_ptr()), NKS_ERR_NON_FINITE, "objective");
        assert_eq!(x, [3.0, 0.0]);
        // The monitor stops the run: NKS_ERR_ABORTED, x untouched.
        assert_eq!(oracles(h, 1, Some(sq_objective), Some(sq_hv)), NKS_OK);
        assert_eq!(nks_constrained_set_monitor(h, Some(stop_constrained_monitor), null_mut()), NKS_OK);
        fails(nks_constrained_solve(h, 2, x.as_mut_ptr(), 1, l.as_mut_ptr()), NKS_ERR_ABORTED, "monitor");
        assert_eq!(x, [3.0, 0.0]);
        assert_eq!(nks_constrained_set_monitor(h, None, null_mut()), NKS_OK);
        assert_eq!(nks_constrained_set_preconditioner(h, None, null_mut()), NKS_OK);
        nks_constrained_free(h);
    }
}


/// The functions exercised above; a new export without bad-input coverage fails here.
const COVERED: &[&str] = &[
    "nks_csr_new", "nks_csr_free", "nks_csr_get_size", "nks_csr_matvec",
    "nks_krylov_new", "nks_krylov_free", "nks_krylov_set_method", "nks_krylov_set_rtol",
    "nks_krylov_set_atol", "nks_krylov_set_max_iterations", "nks_krylov_set_restart",
    "nks_krylov_set_use_initial_guess", "nks_krylov_set_preconditioner_side",
    "nks_krylov_set_max_seconds", "nks_krylov_set_option", "nks_krylov_get_option",
    "nks_krylov_set_operator_csr",
    "nks_krylov_set_operator_callback", "nks_krylov_set_preconditioner",
    "nks_krylov_set_preconditioner_callback", "nks_krylov_set_monitor", "nks_krylov_solve",
    "nks_krylov_get_report", "nks_version", "nks_version_string", "nks_set_num_threads",
    "nks_get_num_threads", "nks_status_str", "nks_last_error_message",
    "nks_sor_bandit_new", "nks_sor_bandit_free", "nks_sor_bandit_set_option", "nks_sor_bandit_get_option",
    "nks_sor_bandit_choose", "nks_sor_bandit_observe", "nks_sor_bandit_solve", "nks_sor_bandit_get_report",
    "nks_sor_bandit_probabilities", "nks_sor_bandit_save", "nks_sor_bandit_load", "nks_sor_bandit_save_file",
    "nks_sor_bandit_load_file",
    "nks_krylov_solve_sequence", "nks_krylov_solve_sequence_callback", "nks_skr_order",
    "nks_krylov_operator_changed", "nks_krylov_clear_recycled", "nks_krylov_save_recycled",
    "nks_krylov_load_recycled", "nks_krylov_save_recycled_file", "nks_krylov_load_recycled_file",
    "nks_bytes_free",
    "nks_sinkhorn_new", "nks_sinkhorn_free", "nks_sinkhorn_set_option", "nks_sinkhorn_get_option",
    "nks_sinkhorn_solve_dense", "nks_sinkhorn_solve_points", "nks_sinkhorn_get_report",
    "nks_sinkhorn_plan_dense", "nks_sinkhorn_plan_nnz", "nks_sinkhorn_plan_sparse",
    "nks_newton_new", "nks_newton_free", "nks_newton_set_oracles", "nks_newton_set_preconditioner",
    "nks_newton_set_monitor", "nks_newton_set_option", "nks_newton_get_option", "nks_newton_solve",
    "nks_newton_get_report", "nks_newton_get_point",
    "nks_nonlinear_new", "nks_nonlinear_free", "nks_nonlinear_set_oracles", "nks_nonlinear_set_preconditioner",
    "nks_nonlinear_set_monitor", "nks_nonlinear_set_option", "nks_nonlinear_get_option", "nks_nonlinear_solve",
    "nks_nonlinear_get_report", "nks_nonlinear_get_step", "nks_nonlinear_get_point", "nks_nonlinear_clear_recycle_space",
    "nks_constrained_new", "nks_constrained_free", "nks_constrained_set_oracles", "nks_constrained_set_sparse_rows",
    "nks_constrained_set_preconditioner", "nks_constrained_set_monitor", "nks_constrained_set_option",
    "nks_constrained_get_option", "nks_constrained_solve", "nks_constrained_get_report", "nks_constrained_get_record",
    "nks_constrained_get_point",
];

#[test]
fn every_exported_function_is_covered() {
    let source = std::fs::read_to_string(common::root().join("tests/bad_input.rs")).unwrap();
    let body = &source[..source.find("const COVERED").unwrap()];
    for f in common::exported_functions() {
        assert!(COVERED.contains(&f.as_str()), "{f} has no bad-input test; add one above and to COVERED");
        assert!(body.contains(&format!("{f}(")), "{f} is listed in COVERED but never called");
    }
}

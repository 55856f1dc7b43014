//! `nks_krylov_get_option` through the C ABI: for every name of the option table, a value set
//! with `nks_krylov_set_option` (and with the typed setters) reads back exactly, in the same
//! encoding, and passing it back to `nks_krylov_set_option` is accepted and changes nothing.
//! The bad-input cases live in tests/bad_input.rs.

use nksolve::capi::krylov::*;
use nksolve::capi::status::nks_status::{self, *};
use nksolve::krylov::OPTION_NAMES;
use std::ffi::CString;
use std::ptr::null_mut;

fn get(h: *mut nks_krylov, name: &str) -> f64 {
    let c = CString::new(name).unwrap();
    let mut v = f64::NAN;
    assert_eq!(unsafe { nks_krylov_get_option(h, c.as_ptr(), &mut v) }, NKS_OK, "get {name}");
    v
}

fn set(h: *mut nks_krylov, name: &str, v: f64) -> nks_status {
    let c = CString::new(name).unwrap();
    unsafe { nks_krylov_set_option(h, c.as_ptr(), v) }
}

fn new_handle() -> *mut nks_krylov {
    let mut h = null_mut();
    assert_eq!(unsafe { nks_krylov_new(&mut h) }, NKS_OK);
    h
}

/// The documented defaults, in `nks_krylov_set_option`'s encoding.
const DEFAULTS: &[(&str, f64)] = &[
    ("method", 1.0),
    ("rtol", 1e-8),
    ("atol", 0.0),
    ("max_iterations", 10_000.0),
    ("restart", 30.0),
    ("use_initial_guess", 0.0),
    ("preconditioner_side", 1.0),
    ("max_seconds", f64::INFINITY),
    ("reorthogonalization", 0.0),
    ("recycle_dim", 10.0),
    ("refresh_interval", 3.0),
];

/// Values other than the defaults (every code of the enumerations).
const VALUES: &[(&str, &[f64])] = &[
    ("method", &[0.0, 2.0, 3.0, 4.0, 1.0]),
    ("rtol", &[0.0, 1e-12, 0.5]),
    ("atol", &[1e-300, 3.25, 0.0]),
    ("max_iterations", &[1.0, 123_456_789.0]),
    ("restart", &[1.0, 10_000.0]),
    ("use_initial_guess", &[1.0, 0.0]),
    ("preconditioner_side", &[0.0, 1.0]),
    ("max_seconds", &[1e-3, 86_400.0, f64::INFINITY]),
    ("reorthogonalization", &[1.0, 2.0, 0.0]),
    ("recycle_dim", &[0.0, 20.0, 10_000.0]),
    ("refresh_interval", &[1.0, 10_000.0, 3.0]),
];

#[test]
fn every_option_reads_back_what_was_set() {
    let names: Vec<&str> = VALUES.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, OPTION_NAMES, "VALUES must cover the option table, in its order");
    let h = new_handle();
    for &(name, default) in DEFAULTS {
        assert_eq!(get(h, name), default, "default of {name}");
    }
    for &(name, values) in VALUES {
        for &v in values {
            assert_eq!(set(h, name, v), NKS_OK, "set {name} = {v}");
            let got = get(h, name);
            assert_eq!(got, v, "{name}");
            // What get returns is accepted back and changes nothing, here or in another option.
            let before: Vec<f64> = OPTION_NAMES.iter().map(|n| get(h, n)).collect();
            assert_eq!(set(h, name, got), NKS_OK, "set {name} = get {name}");
            let after: Vec<f64> = OPTION_NAMES.iter().map(|n| get(h, n)).collect();
            assert_eq!(before, after, "{name}");
        }
    }
    unsafe { nks_krylov_free(h) };
}

#[test]
fn typed_setters_are_read_back_by_name() {
    let h = new_handle();
    unsafe {
        assert_eq!(nks_krylov_set_method(h, nks_krylov_method::NKS_KRYLOV_FGMRES as i32), NKS_OK);
        assert_eq!(nks_krylov_set_rtol(h, 2e-7), NKS_OK);
        assert_eq!(nks_krylov_set_atol(h, 1e-14), NKS_OK);
        assert_eq!(nks_krylov_set_max_iterations(h, 250), NKS_OK);
        assert_eq!(nks_krylov_set_restart(h, 45), NKS_OK);
        assert_eq!(nks_krylov_set_use_initial_guess(h, 7), NKS_OK); // any non-zero value is "on"
        assert_eq!(nks_krylov_set_preconditioner_side(h, nks_preconditioner_side::NKS_SIDE_LEFT as i32), NKS_OK);
        assert_eq!(nks_krylov_set_max_seconds(h, 12.5), NKS_OK);
    }
    let expected = [
        ("method", 2.0),
        ("rtol", 2e-7),
        ("atol", 1e-14),
        ("max_iterations", 250.0),
        ("restart", 45.0),
        ("use_initial_guess", 1.0),
        ("preconditioner_side", 0.0),
        ("max_seconds", 12.5),
        ("reorthogonalization", 0.0),
    ];
    for (name, v) in expected {
        assert_eq!(get(h, name), v, "{name}");
    }
    // A refused value leaves the option as it was.
    assert_eq!(set(h, "restart", 0.0), NKS_ERR_INVALID_ARGUMENT);
    assert_eq!(get(h, "restart"), 45.0);
    unsafe { nks_krylov_free(h) };
}

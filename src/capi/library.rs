//! Library-wide calls: version and threads.

use super::ffi::{guard, guard_or};
use super::status::nks_status;
use crate::linalg;
use std::ffi::c_char;

/// Version as `MAJOR * 10000 + MINOR * 100 + PATCH`; compare with `NKS_VERSION` from the header
/// to detect a header / library mismatch.
#[no_mangle]
pub extern "C" fn nks_version() -> u32 {
    VERSION
}

/// The version as a static string `"MAJOR.MINOR.PATCH"`. Never NULL.
#[no_mangle]
pub extern "C" fn nks_version_string() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

const fn parse(s: &str) -> u32 {
    let b = s.as_bytes();
    let mut i = 0;
    let mut v = 0;
    while i < b.len() {
        v = v * 10 + (b[i] - b'0') as u32;
        i += 1;
    }
    v
}

const VERSION: u32 = parse(env!("CARGO_PKG_VERSION_MAJOR")) * 10000
    + parse(env!("CARGO_PKG_VERSION_MINOR")) * 100
    + parse(env!("CARGO_PKG_VERSION_PATCH"));

/// Sets the number of threads of the library's parallel kernels (matrix-vector products and
/// vector updates on large vectors). `0` restores the default: the `NKS_NUM_THREADS`
/// environment variable if set, else the number of cores. `1` runs everything on the calling
/// thread. Callbacks always run on the thread that called the solve, whatever this setting.
///
/// Errors: `NKS_ERR_INVALID_ARGUMENT` when `threads > 4096`.
#[no_mangle]
pub extern "C" fn nks_set_num_threads(threads: usize) -> nks_status {
    guard(|| {
        linalg::set_num_threads(threads)?;
        Ok(nks_status::NKS_OK)
    })
}

/// The number of threads the parallel kernels use now.
#[no_mangle]
pub extern "C" fn nks_get_num_threads() -> usize {
    guard_or(1, linalg::num_threads)
}

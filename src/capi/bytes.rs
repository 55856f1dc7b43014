//! Saved states crossing the ABI (recycle spaces, learner states): the buffers the library
//! hands to the host, the one function that frees them, and the file-path argument.

use super::ffi::{guard, null_error, try_str};
use super::status::{nks_status, CError};
use crate::error::Error;
use std::ffi::c_char;
use std::path::PathBuf;

/// Hands `bytes` to the host as `*buf` / `*len`; a NULL `buf` or `len` fails and writes nothing.
///
/// # Safety
/// `buf` and `len` are NULL or writable.
pub(crate) unsafe fn give(bytes: Vec<u8>, buf: *mut *mut u8, len: *mut usize) -> Result<(), CError> {
    if buf.is_null() {
        return Err(null_error("buf"));
    }
    if len.is_null() {
        return Err(null_error("len"));
    }
    let boxed = bytes.into_boxed_slice();
    *len = boxed.len();
    *buf = Box::into_raw(boxed) as *mut u8;
    Ok(())
}

/// The non-empty UTF-8 file path `path`.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string.
pub(crate) unsafe fn path_arg(path: *const c_char) -> Result<PathBuf, CError> {
    let s = try_str(path, "path")?;
    if s.is_empty() {
        return Err(Error::invalid("path is empty").into());
    }
    Ok(PathBuf::from(s))
}

/// Frees a buffer the library returned with its length (from `nks_krylov_save_recycled` or `nks_sor_bandit_save`).
/// `nks_bytes_free(NULL, 0)` does nothing.
#[no_mangle]
pub unsafe extern "C" fn nks_bytes_free(buf: *mut u8, len: usize) {
    let _ = guard(|| {
        if !buf.is_null() {
            // SAFETY: `buf` and `len` came from a boxed slice this library leaked.
            drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(buf, len)));
        }
        Ok(nks_status::NKS_OK)
    });
}

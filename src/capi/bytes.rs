//! Buffers the library hands to the host (saved recycle spaces, saved learner states), and the
//! one function that frees them.

use super::ffi::guard;
use super::status::nks_status;

/// Hands `bytes` to the host as `*buf` / `*len` (both checked non-NULL by the caller).
///
/// # Safety
/// `buf` and `len` are writable.
pub(crate) unsafe fn give(bytes: Vec<u8>, buf: *mut *mut u8, len: *mut usize) {
    let boxed = bytes.into_boxed_slice();
    *len = boxed.len();
    *buf = Box::into_raw(boxed) as *mut u8;
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

//! The plumbing every export uses: one panic boundary, pointer and slice checks, and handle
//! boxing. An export is then: validate with these helpers, call the core, map the result.

use super::status::{nks_status, set_last_error, CError};
use crate::linalg::csr::MAX_DIM;
use crate::error::Error;
use std::any::Any;
use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// What a fallible export body returns.
pub type CResult = Result<nks_status, CError>;

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

/// Runs an export body: a returned error or a caught panic becomes a status code and this
/// thread's last error message. No panic ever crosses the ABI.
pub fn guard(body: impl FnOnce() -> CResult) -> nks_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => {
            set_last_error(&e.message);
            e.status
        }
        Err(payload) => {
            set_last_error(&format!(
                "internal error (a panic was caught at the nksolve API boundary): {}",
                panic_message(payload.as_ref())
            ));
            nks_status::NKS_ERR_INTERNAL
        }
    }
}

/// Runs an infallible export body; a caught panic yields `fallback`.
pub fn guard_or<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// The error for a NULL argument `name`.
pub fn null_error(name: &str) -> CError {
    CError::new(nks_status::NKS_ERR_NULL_POINTER, format!("argument `{name}` is NULL"))
}

/// Borrows the NUL-terminated UTF-8 string at `p` (an option name, a file path), or fails
/// naming `name`: NULL is `NKS_ERR_NULL_POINTER`, invalid UTF-8 `NKS_ERR_INVALID_ARGUMENT`.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives the borrow.
pub unsafe fn try_str<'a>(p: *const c_char, name: &str) -> Result<&'a str, CError> {
    if p.is_null() {
        return Err(null_error(name));
    }
    CStr::from_ptr(p).to_str().map_err(|_| Error::invalid(format!("{name} is not valid UTF-8")).into())
}

/// Borrows `*p`, or fails naming `name`.
///
/// # Safety
/// `p` is NULL or points to a live `T`.
pub unsafe fn try_ref<'a, T>(p: *const T, name: &str) -> Result<&'a T, CError> {
    p.as_ref().ok_or_else(|| null_error(name))
}

/// Mutably borrows `*p`, or fails naming `name`.
///
/// # Safety
/// `p` is NULL or points to a live `T` not borrowed elsewhere.
pub unsafe fn try_mut<'a, T>(p: *mut T, name: &str) -> Result<&'a mut T, CError> {
    p.as_mut().ok_or_else(|| null_error(name))
}

fn check_len(len: usize, name: &str) -> Result<(), CError> {
    if len > MAX_DIM {
        return Err(CError::new(
            nks_status::NKS_ERR_INVALID_ARGUMENT,
            format!("the length {len} given for `{name}` is out of range; it must be at most {MAX_DIM}"),
        ));
    }
    Ok(())
}

/// The array `p[0..len]`, or fails naming `name` (NULL with `len > 0`, or an absurd length).
///
/// # Safety
/// `p` is NULL or points to `len` readable elements.
pub unsafe fn try_slice<'a, T>(p: *const T, len: usize, name: &str) -> Result<&'a [T], CError> {
    check_len(len, name)?;
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(null_error(name));
    }
    Ok(std::slice::from_raw_parts(p, len))
}

/// The writable array `p[0..len]`, or fails naming `name`.
///
/// # Safety
/// `p` is NULL or points to `len` writable elements not aliased elsewhere.
pub unsafe fn try_slice_mut<'a, T>(p: *mut T, len: usize, name: &str) -> Result<&'a mut [T], CError> {
    check_len(len, name)?;
    if len == 0 {
        return Ok(&mut []);
    }
    if p.is_null() {
        return Err(null_error(name));
    }
    Ok(std::slice::from_raw_parts_mut(p, len))
}

/// Writes a new boxed handle to `*out` (the one way handles are created).
///
/// # Safety
/// `out` is NULL-checked by the caller.
pub unsafe fn write_handle<T>(out: *mut *mut T, value: T) {
    *out = Box::into_raw(Box::new(value));
}

/// Destroys a handle made by `write_handle`; NULL is a no-op.
///
/// # Safety
/// `p` is NULL or a handle from `write_handle` not yet freed.
pub unsafe fn free_handle<T>(p: *mut T) {
    if !p.is_null() {
        drop(Box::from_raw(p));
    }
}

/// Writes `value` to the output pointer `out` named `name`.
///
/// # Safety
/// `out` is NULL or writable.
pub unsafe fn write_out<T>(out: *mut T, value: T, name: &str) -> Result<(), CError> {
    if out.is_null() {
        return Err(null_error(name));
    }
    out.write(value);
    Ok(())
}

/// Refuses two arrays of `n` doubles that share memory (an input read while the output is
/// written would be undefined behaviour).
pub fn check_disjoint(a: &[f64], b: *const f64, n: usize, a_name: &str, b_name: &str) -> Result<(), CError> {
    check_disjoint_spans(a, b, n, a_name, b_name)
}

/// Refuses an array `a` and `b_len` doubles at `b` that share memory.
pub fn check_disjoint_spans(a: &[f64], b: *const f64, b_len: usize, a_name: &str, b_name: &str) -> Result<(), CError> {
    let (a0, b0) = (a.as_ptr() as usize, b as usize);
    let size = std::mem::size_of::<f64>();
    if !a.is_empty() && b_len > 0 && a0 < b0 + b_len * size && b0 < a0 + a.len() * size {
        return Err(CError::new(
            nks_status::NKS_ERR_INVALID_ARGUMENT,
            format!("`{a_name}` and `{b_name}` overlap in memory; pass distinct arrays"),
        ));
    }
    Ok(())
}

/// Copies a solver's last accepted point into the caller's `x` (length `n`): the rule of every
/// `*_get_point` (nothing before the first solve, `n` must be that solve's).
pub unsafe fn copy_last_point(last: &[f64], n: usize, x: *mut f64) -> Result<(), CError> {
    // Every solve that passes validation leaves its point; none has yet while it is empty.
    if last.is_empty() {
        return Err(CError::new(nks_status::NKS_ERR_INVALID_STATE, "no solve has run on this handle yet"));
    }
    if n != last.len() {
        return Err(crate::error::Error::dims(format!("n = {n} but the last solve had n = {}", last.len())).into());
    }
    try_slice_mut(x, n, "x")?.copy_from_slice(last);
    Ok(())
}

/// The status a finished solve returns: a failure (`status < 0`) becomes the error whose
/// message is `why`, so the host reads it from `nks_last_error_message`.
pub fn finish_solve(status: nks_status, why: impl FnOnce() -> String) -> CResult {
    if (status as i32) < 0 {
        return Err(CError::new(status, why()));
    }
    Ok(status)
}

/// Borrows a handle's state for one call; a state already borrowed (a call from inside the
/// handle's own callbacks, or from a second thread) is `NKS_ERR_INVALID_STATE` with `busy`.
pub fn borrow_state<'a, S>(cell: &'a std::cell::RefCell<S>, busy: &str) -> Result<std::cell::RefMut<'a, S>, CError> {
    cell.try_borrow_mut().map_err(|_| CError::new(nks_status::NKS_ERR_INVALID_STATE, busy))
}


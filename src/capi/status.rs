//! Status codes, their strings, and the thread-local detailed error message.

use crate::error::Error;
use std::cell::RefCell;
use std::ffi::{c_char, CString};

/// Result of every fallible `nks_*` call.
///
/// `NKS_OK` (0) is success. Negative values are failures of the call: outputs were not written.
/// Positive values mean the solve finished with a usable result that did not reach the requested
/// tolerance (the output holds the solver's last iterate; see each solver's docs).
/// Values are never renumbered or reused; new ones are appended.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum nks_status {
    /// Success.
    NKS_OK = 0,
    /// A required pointer argument was NULL.
    NKS_ERR_NULL_POINTER = -1,
    /// An argument is outside its valid range.
    NKS_ERR_INVALID_ARGUMENT = -2,
    /// Sizes of two arguments disagree.
    NKS_ERR_DIMENSION_MISMATCH = -3,
    /// An option name is not known.
    NKS_ERR_UNKNOWN_OPTION = -4,
    /// A user callback returned a non-zero code (kept in the solve's report).
    NKS_ERR_CALLBACK = -5,
    /// An input or a callback output is NaN or infinite.
    NKS_ERR_NON_FINITE = -6,
    /// The method cannot continue (e.g. CG on an indefinite operator).
    NKS_ERR_BREAKDOWN = -7,
    /// Memory could not be allocated.
    NKS_ERR_ALLOCATION = -8,
    /// A bug in nksolve (a caught panic); please report the message.
    NKS_ERR_INTERNAL = -9,
    /// The user stopped the solve (monitor callback).
    NKS_ERR_ABORTED = -10,
    /// The handle is not ready for this call (e.g. no operator set before a solve).
    NKS_ERR_INVALID_STATE = -11,
    /// Finished at the iteration limit; the result is usable but not converged.
    NKS_MAX_ITERATIONS = 1,
    /// Finished at the time limit; the result is usable but not converged.
    NKS_TIME_LIMIT = 2,
    /// Finished because the method stopped making progress; the result is usable.
    NKS_STAGNATION = 3,
}

use nks_status::*;

/// Every status value, for tests and bindings.
pub const ALL_STATUSES: [nks_status; 15] = [
    NKS_OK,
    NKS_ERR_NULL_POINTER,
    NKS_ERR_INVALID_ARGUMENT,
    NKS_ERR_DIMENSION_MISMATCH,
    NKS_ERR_UNKNOWN_OPTION,
    NKS_ERR_CALLBACK,
    NKS_ERR_NON_FINITE,
    NKS_ERR_BREAKDOWN,
    NKS_ERR_ALLOCATION,
    NKS_ERR_INTERNAL,
    NKS_ERR_ABORTED,
    NKS_ERR_INVALID_STATE,
    NKS_MAX_ITERATIONS,
    NKS_TIME_LIMIT,
    NKS_STAGNATION,
];

impl nks_status {
    /// The static, NUL-terminated name and meaning of a status.
    pub fn as_cstr(self) -> &'static [u8] {
        match self {
            NKS_OK => b"NKS_OK: success\0",
            NKS_ERR_NULL_POINTER => b"NKS_ERR_NULL_POINTER: a required pointer argument was NULL\0",
            NKS_ERR_INVALID_ARGUMENT => b"NKS_ERR_INVALID_ARGUMENT: an argument is out of range\0",
            NKS_ERR_DIMENSION_MISMATCH => b"NKS_ERR_DIMENSION_MISMATCH: argument sizes disagree\0",
            NKS_ERR_UNKNOWN_OPTION => b"NKS_ERR_UNKNOWN_OPTION: no option has that name\0",
            NKS_ERR_CALLBACK => b"NKS_ERR_CALLBACK: a user callback returned a failure code\0",
            NKS_ERR_NON_FINITE => b"NKS_ERR_NON_FINITE: a NaN or infinite value was met\0",
            NKS_ERR_BREAKDOWN => b"NKS_ERR_BREAKDOWN: the method cannot continue\0",
            NKS_ERR_ALLOCATION => b"NKS_ERR_ALLOCATION: out of memory\0",
            NKS_ERR_INTERNAL => b"NKS_ERR_INTERNAL: internal error in nksolve (please report)\0",
            NKS_ERR_ABORTED => b"NKS_ERR_ABORTED: stopped by the user\0",
            NKS_ERR_INVALID_STATE => b"NKS_ERR_INVALID_STATE: the handle is not ready for this call\0",
            NKS_MAX_ITERATIONS => b"NKS_MAX_ITERATIONS: iteration limit reached (result usable)\0",
            NKS_TIME_LIMIT => b"NKS_TIME_LIMIT: time limit reached (result usable)\0",
            NKS_STAGNATION => b"NKS_STAGNATION: no further progress (result usable)\0",
        }
    }

    /// The status for a raw value, if it is one.
    pub fn from_raw(v: i32) -> Option<Self> {
        ALL_STATUSES.iter().copied().find(|s| *s as i32 == v)
    }
}

/// A failed call: its status and the message stored for `nks_last_error_message`.
#[derive(Debug)]
pub struct CError {
    /// The status returned.
    pub status: nks_status,
    /// The detailed message.
    pub message: String,
}

impl CError {
    /// A failure with the given status and message.
    pub fn new(status: nks_status, message: impl Into<String>) -> Self {
        CError { status, message: message.into() }
    }
}

impl From<Error> for CError {
    fn from(e: Error) -> Self {
        let status = match &e {
            Error::InvalidArgument(_) => NKS_ERR_INVALID_ARGUMENT,
            Error::DimensionMismatch(_) => NKS_ERR_DIMENSION_MISMATCH,
            Error::NonFinite(_) => NKS_ERR_NON_FINITE,
            Error::UnknownOption(_) => NKS_ERR_UNKNOWN_OPTION,
            Error::Allocation(_) => NKS_ERR_ALLOCATION,
            Error::InvalidState(_) => NKS_ERR_INVALID_STATE,
        };
        CError { status, message: e.message().to_string() }
    }
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Stores `message` as this thread's last error (interior NULs are replaced).
pub fn set_last_error(message: &str) {
    let c = CString::new(message.replace('\0', " ")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = c);
}

/// Returns a static string naming `status` and what it means ("unknown status" for a value
/// that is not an `nks_status`). Never NULL.
#[no_mangle]
pub extern "C" fn nks_status_str(status: i32) -> *const c_char {
    match nks_status::from_raw(status) {
        Some(s) => s.as_cstr().as_ptr().cast(),
        None => b"unknown nks_status value\0".as_ptr().cast(),
    }
}

/// Returns the detailed message of the last failed `nks_*` call on the calling thread: which
/// argument, what was wrong, and the valid range. Empty if no call has failed on this thread.
///
/// The pointer stays valid until the next failing call on the same thread; copy the text to
/// keep it. Never NULL.
#[no_mangle]
pub extern "C" fn nks_last_error_message() -> *const c_char {
    LAST_ERROR.with(|e| e.borrow().as_ptr())
}

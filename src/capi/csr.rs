//! `nks_csr`: a validated sparse matrix handle.

use super::ffi::{check_disjoint, free_handle, guard, null_error, try_ref, try_slice, try_slice_mut, write_handle, write_out};
use super::status::nks_status;
use crate::error::{check_finite, check_len, Error};
use crate::linalg::csr::{check_dim, nnz_from_row_ptr};
use crate::linalg::{CsrMatrix, Par};
use std::sync::Arc;

/// An immutable sparse matrix in compressed-sparse-row form, owned by the library.
///
/// Solver handles that are given an `nks_csr` keep their own reference to it, so the caller may
/// free it with `nks_csr_free` at any time.
pub struct nks_csr {
    pub(crate) matrix: Arc<CsrMatrix>,
}

/// Creates a matrix from CSR arrays; the arrays are copied, so the caller keeps ownership.
///
/// - `nnz`: the number of stored entries, i.e. the length of `col_idx` and of `values`.
/// - `row_ptr`: `nrows + 1` entries, `row_ptr[0] == index_base`, non-decreasing, and
///   `row_ptr[nrows] - index_base == nnz`.
/// - `col_idx`, `values`: `nnz` entries each; no more than `nnz` entries are ever read, whatever
///   `row_ptr` says.
/// - `index_base`: 0 for C, 1 for Fortran and Julia arrays.
///
/// Columns within a row may be unsorted; duplicates in a row are summed.
/// Errors (nothing is written to `*out`): `NKS_ERR_NULL_POINTER`; `NKS_ERR_DIMENSION_MISMATCH`
/// when `row_ptr[nrows] - index_base != nnz` (checked before `col_idx` and `values` are read;
/// the message names both numbers); `NKS_ERR_INVALID_ARGUMENT` for `nrows`/`ncols` of 0, a bad
/// `index_base`, decreasing row pointers or a column index out of range (the message names the
/// row); `NKS_ERR_NON_FINITE` for a NaN or infinite value.
#[no_mangle]
pub unsafe extern "C" fn nks_csr_new(
    nrows: usize,
    ncols: usize,
    nnz: usize,
    row_ptr: *const i64,
    col_idx: *const i64,
    values: *const f64,
    index_base: i32,
    out: *mut *mut nks_csr,
) -> nks_status {
    guard(|| {
        if out.is_null() {
            return Err(null_error("out"));
        }
        check_dim(nrows, "nrows")?;
        check_dim(ncols, "ncols")?;
        let rp = try_slice(row_ptr, nrows + 1, "row_ptr")?;
        // The count row_ptr declares (validated in the core), compared with the caller's array
        // length before col_idx and values are touched: a wrong row_ptr never reads past them.
        let declared = nnz_from_row_ptr(rp, index_base as i64)?;
        if declared != nnz {
            return Err(Error::dims(format!(
                "row_ptr[nrows] - index_base = {declared} but nnz = {nnz}: the last row pointer must \
                 declare exactly the nnz entries of col_idx and values"
            ))
            .into());
        }
        let ci = try_slice(col_idx, nnz, "col_idx")?;
        let v = try_slice(values, nnz, "values")?;
        let m = CsrMatrix::from_raw_parts(nrows, ncols, rp, ci, v, index_base as i64)?;
        write_handle(out, nks_csr { matrix: Arc::new(m) });
        Ok(nks_status::NKS_OK)
    })
}

/// Frees a matrix. `nks_csr_free(NULL)` does nothing.
#[no_mangle]
pub unsafe extern "C" fn nks_csr_free(a: *mut nks_csr) {
    let _ = guard(|| {
        free_handle(a);
        Ok(nks_status::NKS_OK)
    });
}

/// Reads the dimensions and the number of stored entries (after duplicates were summed).
/// Any of `nrows`, `ncols`, `nnz` may be NULL if not wanted.
#[no_mangle]
pub unsafe extern "C" fn nks_csr_get_size(
    a: *const nks_csr,
    nrows: *mut usize,
    ncols: *mut usize,
    nnz: *mut usize,
) -> nks_status {
    guard(|| {
        let m = &try_ref(a, "A")?.matrix;
        for (p, v) in [(nrows, m.nrows()), (ncols, m.ncols()), (nnz, m.nnz())] {
            if !p.is_null() {
                write_out(p, v, "size")?;
            }
        }
        Ok(nks_status::NKS_OK)
    })
}

/// Computes `y = A x`, with `nx == ncols` and `ny == nrows`. `x` must be finite and must not
/// overlap `y`.
#[no_mangle]
pub unsafe extern "C" fn nks_csr_matvec(
    a: *const nks_csr,
    x: *const f64,
    nx: usize,
    y: *mut f64,
    ny: usize,
) -> nks_status {
    guard(|| {
        let m = &try_ref(a, "A")?.matrix;
        check_len(nx, m.ncols(), "x", "ncols(A)")?;
        check_len(ny, m.nrows(), "y", "nrows(A)")?;
        let x = try_slice(x, nx, "x")?;
        check_disjoint(x, y, nx.min(ny), "x", "y")?;
        check_finite(x, "x")?;
        let y = try_slice_mut(y, ny, "y")?;
        m.matvec(&Par::current(), x, y);
        Ok(nks_status::NKS_OK)
    })
}

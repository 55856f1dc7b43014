/*
 * Error paths of the C API, run under valgrind by tests/c_programs.rs: every failure must
 * return the right negative status with a message, leave outputs untouched, and leak nothing.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "nksolve.h"

static int passed = 0, failed = 0;

static void expect(int ok, const char *what) {
    if (ok) {
        ++passed;
    } else {
        ++failed;
        printf("FAIL: %s (last error: %s)\n", what, nks_last_error_message());
    }
}

static void expect_status(nks_status got, nks_status want, const char *what) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s: got %s, want %s", what, nks_status_str(got), nks_status_str(want));
    expect(got == want, buf);
    if (got < 0) expect(strlen(nks_last_error_message()) > 0, "failure leaves a message");
}

static int calls = 0;
static int failing_matvec(const double *x, double *y, size_t n, void *user_data) {
    size_t i;
    (void)user_data;
    if (++calls == 3) return -42;
    for (i = 0; i < n; ++i) y[i] = 2.0 * x[i] - (i > 0 ? x[i - 1] : 0.0) - (i + 1 < n ? x[i + 1] : 0.0);
    return 0;
}

static int nan_matvec(const double *x, double *y, size_t n, void *user_data) {
    size_t i;
    (void)x;
    (void)user_data;
    for (i = 0; i < n; ++i) y[i] = NAN;
    return 0;
}

static nks_krylov *reentrant_handle = NULL;
static nks_status reentrant_status = NKS_OK;
/* Calls back into the handle that is solving: must be refused, not alias its state. */
static int reentrant_monitor(const nks_krylov_report *r, void *user_data) {
    nks_krylov_report inner;
    (void)r;
    (void)user_data;
    reentrant_status = nks_krylov_get_report(reentrant_handle, &inner);
    return 1;
}

static int stop_at_two(const nks_krylov_report *r, void *user_data) {
    (void)user_data;
    return r->iterations >= 2;
}

int main(void) {
    /* 3 x 3 tridiagonal [2 -1 0; -1 2 -1; 0 -1 2]. */
    int64_t rp[] = {0, 2, 5, 7}, ci[] = {0, 1, 0, 1, 2, 1, 2}, bad_ci[] = {0, 1, 0, 1, 3, 1, 2};
    int64_t bad_rp[] = {0, 2, 1, 7};
    double v[] = {2, -1, -1, 2, -1, -1, 2}, nan_v[] = {2, -1, -1, NAN, -1, -1, 2};
    double b[] = {1, 1, 1}, x[] = {7, 7, 7}, nan_b[] = {1, NAN, 1};
    nks_csr *A = NULL, *untouched = (nks_csr *)&passed;
    nks_krylov *h = NULL;
    nks_krylov_report rep;
    size_t i;

    expect_status(nks_csr_new(3, 3, 7, rp, bad_ci, v, 0, &untouched), NKS_ERR_INVALID_ARGUMENT, "column out of range");
    expect(strstr(nks_last_error_message(), "row 1") != NULL, "message names the row");
    expect(untouched == (nks_csr *)&passed, "out untouched on failure");
    expect_status(nks_csr_new(3, 3, 7, bad_rp, ci, v, 0, &A), NKS_ERR_INVALID_ARGUMENT, "decreasing row_ptr");
    expect_status(nks_csr_new(3, 3, 7, rp, ci, nan_v, 0, &A), NKS_ERR_NON_FINITE, "NaN value");
    expect_status(nks_csr_new(3, 3, 7, rp, ci, v, 2, &A), NKS_ERR_INVALID_ARGUMENT, "index_base 2");
    expect_status(nks_csr_new(0, 3, 7, rp, ci, v, 0, &A), NKS_ERR_INVALID_ARGUMENT, "zero rows");
    expect_status(nks_csr_new((size_t)-1, 3, 7, rp, ci, v, 0, &A), NKS_ERR_INVALID_ARGUMENT, "huge nrows");
    expect_status(nks_csr_new(3, 3, 7, NULL, ci, v, 0, &A), NKS_ERR_NULL_POINTER, "NULL row_ptr");
    expect_status(nks_csr_new(3, 3, 7, rp, ci, v, 0, NULL), NKS_ERR_NULL_POINTER, "NULL out");
    /* nnz must equal row_ptr[nrows] - index_base, checked before col_idx/values are read. */
    expect_status(nks_csr_new(3, 3, 6, rp, ci, v, 0, &A), NKS_ERR_DIMENSION_MISMATCH, "nnz smaller than row_ptr declares");
    expect(strstr(nks_last_error_message(), "= 7 but nnz = 6") != NULL, "nnz message names both numbers");
    expect_status(nks_csr_new(3, 3, 8, rp, ci, v, 0, &A), NKS_ERR_DIMENSION_MISMATCH, "nnz larger than row_ptr declares");
    expect_status(nks_csr_new(3, 3, 7, rp, ci, v, 0, &A), NKS_OK, "valid matrix");

    expect_status(nks_krylov_new(&h), NKS_OK, "new");
    expect_status(nks_krylov_solve(h, b, x, 3), NKS_ERR_INVALID_STATE, "solve without operator");
    expect_status(nks_krylov_set_operator_csr(h, A), NKS_OK, "set operator");
    nks_csr_free(A);
    expect_status(nks_krylov_set_rtol(h, 1.5), NKS_ERR_INVALID_ARGUMENT, "rtol out of range");
    expect(strstr(nks_last_error_message(), "rtol") != NULL, "message names rtol");
    expect_status(nks_krylov_set_option(h, "no_such_option", 1.0), NKS_ERR_UNKNOWN_OPTION, "unknown option");
    {
        double got = -1.0;
        expect_status(nks_krylov_set_option(h, "restart", 12.0), NKS_OK, "set_option restart 12");
        expect_status(nks_krylov_get_option(h, "restart", &got), NKS_OK, "get_option restart");
        expect(got == 12.0, "get_option reads back restart = 12");
        expect_status(nks_krylov_get_option(h, "max_seconds", &got), NKS_OK, "get_option max_seconds");
        expect(isinf(got) && got > 0, "max_seconds is +inf by default");
        got = -1.0;
        expect_status(nks_krylov_get_option(h, "no_such_option", &got), NKS_ERR_UNKNOWN_OPTION, "get_option unknown");
        expect(strstr(nks_last_error_message(), "rtol") != NULL, "get_option message lists the names");
        expect_status(nks_krylov_get_option(h, "rtol", NULL), NKS_ERR_NULL_POINTER, "get_option NULL value");
        expect(got == -1.0, "value untouched on failure");
    }
    expect_status(nks_krylov_set_method(h, 7), NKS_ERR_INVALID_ARGUMENT, "bad method");
    expect_status(nks_krylov_solve(h, b, x, 4), NKS_ERR_DIMENSION_MISMATCH, "wrong n");
    expect_status(nks_krylov_solve(h, nan_b, x, 3), NKS_ERR_NON_FINITE, "NaN in b");
    expect_status(nks_krylov_solve(h, NULL, x, 3), NKS_ERR_NULL_POINTER, "NULL b");
    for (i = 0; i < 3; ++i) expect(x[i] == 7.0, "x untouched after failures");

    /* A converged solve: the exact answer of the tridiagonal system is (1.5, 2, 1.5). */
    expect_status(nks_krylov_set_method(h, NKS_KRYLOV_CG), NKS_OK, "CG");
    expect_status(nks_krylov_solve(h, b, x, 3), NKS_OK, "CG solve");
    expect(fabs(x[0] - 1.5) < 1e-12 && fabs(x[1] - 2.0) < 1e-12 && fabs(x[2] - 1.5) < 1e-12, "exact solution");

    /* A failing callback: status, kept code, x untouched. */
    for (i = 0; i < 3; ++i) x[i] = 7.0;
    expect_status(nks_krylov_set_method(h, NKS_KRYLOV_GMRES), NKS_OK, "GMRES");
    expect_status(nks_krylov_set_operator_callback(h, 3, failing_matvec, NULL), NKS_OK, "callback operator");
    expect_status(nks_krylov_set_use_initial_guess(h, 1), NKS_OK, "use x0");
    expect_status(nks_krylov_solve(h, b, x, 3), NKS_ERR_CALLBACK, "failing matvec");
    expect_status(nks_krylov_get_report(h, &rep), NKS_OK, "report");
    expect(rep.callback_code == -42 && rep.termination == NKS_TERMINATION_CALLBACK_FAILED, "code kept in report");
    for (i = 0; i < 3; ++i) expect(x[i] == 7.0, "x untouched after callback failure");
    expect_status(nks_krylov_set_preconditioner(h, NKS_PRECOND_JACOBI), NKS_OK, "Jacobi choice");
    expect_status(nks_krylov_solve(h, b, x, 3), NKS_ERR_INVALID_STATE, "Jacobi needs CSR");

    expect_status(nks_krylov_set_preconditioner(h, NKS_PRECOND_NONE), NKS_OK, "no preconditioner");
    expect_status(nks_krylov_set_operator_callback(h, 3, nan_matvec, NULL), NKS_OK, "NaN operator");
    expect_status(nks_krylov_solve(h, b, x, 3), NKS_ERR_NON_FINITE, "NaN from matvec");
    expect(strstr(nks_last_error_message(), "matvec") != NULL, "message names the matvec");

    /* The monitor stops the solve. */
    calls = -1000000;
    expect_status(nks_krylov_set_operator_callback(h, 3, failing_matvec, NULL), NKS_OK, "operator again");
    expect_status(nks_krylov_set_monitor(h, stop_at_two, NULL), NKS_OK, "monitor");
    expect_status(nks_krylov_set_rtol(h, 1e-15), NKS_OK, "tight rtol");
    expect_status(nks_krylov_solve(h, b, x, 3), NKS_ERR_ABORTED, "monitor stop");
    for (i = 0; i < 3; ++i) expect(x[i] == 7.0, "x untouched after abort");

    /* Re-entrant use from a callback is refused with INVALID_STATE; the report shows the abort. */
    reentrant_handle = h;
    expect_status(nks_krylov_set_monitor(h, reentrant_monitor, NULL), NKS_OK, "re-entrant monitor");
    expect_status(nks_krylov_solve(h, b, x, 3), NKS_ERR_ABORTED, "solve with re-entrant monitor");
    expect(reentrant_status == NKS_ERR_INVALID_STATE, "call from inside a callback is refused");
    expect_status(nks_krylov_get_report(h, &rep), NKS_OK, "report after");
    expect(rep.status == NKS_ERR_ABORTED && rep.termination == NKS_TERMINATION_MONITOR_STOP, "report of the aborted solve");

    /* A refused solve resets the report: it never shows a previous solve's numbers. */
    expect_status(nks_krylov_solve(h, b, b, 3), NKS_ERR_INVALID_ARGUMENT, "b and x overlap");
    expect_status(nks_krylov_get_report(h, &rep), NKS_OK, "report after refusal");
    expect(rep.status == NKS_ERR_INVALID_ARGUMENT && rep.iterations == 0
           && rep.termination == NKS_TERMINATION_NOT_STARTED, "report of the refused call");

    nks_krylov_free(h);
    nks_krylov_free(NULL);
    nks_csr_free(NULL);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}

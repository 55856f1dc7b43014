/*
 * 2D Poisson with nksolve from C: the same system solved three ways.
 *
 *   -Laplace(u) = 1 on the unit square, u = 0 on the boundary, 5-point stencil,
 *   32 x 32 interior points (n = 1024), stencil [-1 -1 4 -1 -1] (scaled by h^2).
 *
 *   cg          CSR operator, conjugate gradients, no preconditioner
 *   gmres_ilu0  CSR operator, GMRES(30) with the built-in ILU(0)
 *   cg_callback matrix-free operator (this file's own stencil) and a host Jacobi
 *               preconditioner, both as C callbacks
 *
 * Output: one line per solve, "NAME status=S iterations=K residual=R", then the CG
 * solution at the centre node, "center u=U". The C++, Fortran, Julia and Python examples
 * print the same lines for the same system.
 */
#include <stdio.h>
#include <stdlib.h>
#include "nksolve.h"

#define NX 32
#define N (NX * NX)

/* y = A x for the 5-point stencil, without forming A. */
static int stencil_matvec(const double *x, double *y, size_t n, void *user_data) {
    size_t i, j;
    (void)user_data;
    if (n != N) return -1;
    for (j = 0; j < NX; ++j) {
        for (i = 0; i < NX; ++i) {
            size_t p = i + NX * j;
            double v = 4.0 * x[p];
            if (i > 0) v -= x[p - 1];
            if (i + 1 < NX) v -= x[p + 1];
            if (j > 0) v -= x[p - NX];
            if (j + 1 < NX) v -= x[p + NX];
            y[p] = v;
        }
    }
    return 0;
}

/* z = D^{-1} r with D = 4 I. */
static int jacobi(const double *r, double *z, size_t n, void *user_data) {
    size_t i;
    (void)user_data;
    for (i = 0; i < n; ++i) z[i] = r[i] / 4.0;
    return 0;
}

/* Builds the 0-based CSR arrays of the stencil; returns the number of entries. */
static int64_t build_csr(int64_t *row_ptr, int64_t *col_idx, double *values) {
    int64_t nnz = 0;
    int i, j;
    for (j = 0; j < NX; ++j) {
        for (i = 0; i < NX; ++i) {
            int64_t p = i + NX * j;
            row_ptr[p] = nnz;
            if (j > 0)      { col_idx[nnz] = p - NX; values[nnz++] = -1.0; }
            if (i > 0)      { col_idx[nnz] = p - 1;  values[nnz++] = -1.0; }
            col_idx[nnz] = p; values[nnz++] = 4.0;
            if (i + 1 < NX) { col_idx[nnz] = p + 1;  values[nnz++] = -1.0; }
            if (j + 1 < NX) { col_idx[nnz] = p + NX; values[nnz++] = -1.0; }
        }
    }
    row_ptr[N] = nnz;
    return nnz;
}

static int check(nks_status s, const char *what) {
    if (s < 0) {
        fprintf(stderr, "%s failed: %s\n  %s\n", what, nks_status_str(s), nks_last_error_message());
        return 1;
    }
    return 0;
}

static int report(nks_krylov *h, const char *name, nks_status s) {
    nks_krylov_report r;
    if (check(nks_krylov_get_report(h, &r), "nks_krylov_get_report")) return 1;
    printf("%s status=%d iterations=%zu residual=%.6e\n", name, (int)s, r.iterations, r.residual_norm);
    return s != NKS_OK;
}

int main(void) {
    static int64_t row_ptr[N + 1], col_idx[5 * N];
    static double values[5 * N], b[N], x[N];
    nks_csr *A = NULL;
    nks_krylov *h = NULL;
    nks_status s;
    int failed = 0;
    size_t i, nnz;
    double center;

    if (nks_version() != NKS_VERSION) {
        fprintf(stderr, "header version %d does not match library %u\n", NKS_VERSION, nks_version());
        return 1;
    }
    nnz = (size_t)build_csr(row_ptr, col_idx, values);
    for (i = 0; i < N; ++i) b[i] = 1.0;
    if (check(nks_csr_new(N, N, nnz, row_ptr, col_idx, values, 0, &A), "nks_csr_new")) return 1;
    if (check(nks_krylov_new(&h), "nks_krylov_new")) return 1;
    nks_krylov_set_rtol(h, 1e-8);

    /* 1. CG on the CSR matrix. */
    nks_krylov_set_operator_csr(h, A);
    nks_csr_free(A); /* the solver keeps its own reference */
    nks_krylov_set_method(h, NKS_KRYLOV_CG);
    s = nks_krylov_solve(h, b, x, N);
    failed |= check(s, "CG solve") | report(h, "cg", s);
    center = x[NX / 2 + NX * (NX / 2)];

    /* 2. GMRES(30) with ILU(0). */
    nks_krylov_set_method(h, NKS_KRYLOV_GMRES);
    nks_krylov_set_restart(h, 30);
    nks_krylov_set_preconditioner(h, NKS_PRECOND_ILU0);
    s = nks_krylov_solve(h, b, x, N);
    failed |= check(s, "GMRES solve") | report(h, "gmres_ilu0", s);

    /* 3. CG, matrix-free, with a host preconditioner. */
    nks_krylov_set_method(h, NKS_KRYLOV_CG);
    nks_krylov_set_operator_callback(h, N, stencil_matvec, NULL);
    nks_krylov_set_preconditioner_callback(h, jacobi, NULL);
    s = nks_krylov_solve(h, b, x, N);
    failed |= check(s, "matrix-free CG solve") | report(h, "cg_callback", s);

    printf("center u=%.12e\n", center);
    nks_krylov_free(h);
    return failed;
}

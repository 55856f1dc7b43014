/*
 * Krylov recycling with nksolve from C: a sequence of eight convection-diffusion systems
 * solved with GMRES(30), then with GCRO-DR(30, 10) in the SKR order, then resumed from a
 * saved recycle space. Prints the same lines as the Rust reference
 * (examples/rust/recycling.rs) and the C++, Fortran, Julia and Python examples.
 *
 *   24 x 24 interior grid (n = 576), 5-point stencil with centre 4, south / north -1,
 *   west -1 - beta_s, east -1 + beta_s, where system s has beta_s = 0.1 + 0.05 P[s],
 *   P = [3, 7, 0, 5, 1, 6, 2, 4]; right-hand side 1, rtol 1e-8; SKR feature of system s: beta_s.
 *
 * Output:
 *   gmres status=S total_iterations=T
 *   gcrodr status=S total_iterations=T order=o0,...,o7      (0-based system indices)
 *   system_s iterations=K residual=R                         (s = 0..7, GCRO-DR reports)
 *   saved bytes=LEN                                          (nks_krylov_save_recycled)
 *   resumed iterations=K3 original=K2                        (system 0 on a handle that
 *                                                             loaded the saved space, and
 *                                                             on the original handle)
 *
 * Build (from the repository root, after `cargo build --release`):
 *   cc -std=c99 -Iinclude examples/c/recycling.c -Ltarget/release -lnksolve \
 *      -Wl,-rpath,$PWD/target/release -o recycling
 */
#include <stdio.h>
#include <stdlib.h>
#include "nksolve.h"

#define NX 24
#define N (NX * NX)
#define SYSTEMS 8
#define RESTART 30
#define RECYCLE_DIM 10
#define RTOL 1e-8

/* The permutation that scatters the convection strengths over the systems. */
static const int P[SYSTEMS] = {3, 7, 0, 5, 1, 6, 2, 4};

/* Convection strength of system s, also its SKR feature. */
static double beta(int s) { return 0.1 + 0.05 * P[s]; }

static int check(nks_status s, const char *what) {
    if (s < 0) {
        fprintf(stderr, "%s failed: %s\n  %s\n", what, nks_status_str(s), nks_last_error_message());
        return 1;
    }
    return 0;
}

/* Creates system s's matrix (0-based CSR, columns in increasing order) into *out. */
static nks_status new_system_matrix(int s, nks_csr **out) {
    static int64_t row_ptr[N + 1], col_idx[5 * N];
    static double values[5 * N];
    const double west = -1.0 - beta(s), east = -1.0 + beta(s);
    int64_t nnz = 0;
    int i, j;
    for (j = 0; j < NX; ++j) {
        for (i = 0; i < NX; ++i) {
            int64_t p = i + NX * j;
            row_ptr[p] = nnz;
            if (j > 0)      { col_idx[nnz] = p - NX; values[nnz++] = -1.0; }
            if (i > 0)      { col_idx[nnz] = p - 1;  values[nnz++] = west; }
            col_idx[nnz] = p; values[nnz++] = 4.0;
            if (i + 1 < NX) { col_idx[nnz] = p + 1;  values[nnz++] = east; }
            if (j + 1 < NX) { col_idx[nnz] = p + NX; values[nnz++] = -1.0; }
        }
    }
    row_ptr[N] = nnz;
    return nks_csr_new(N, N, (size_t)nnz, row_ptr, col_idx, values, 0, out);
}

/* Creates a handle with `method`, GMRES restart 30, rtol 1e-8 and 10 recycled vectors. */
static nks_status new_solver(int32_t method, nks_krylov **out) {
    nks_krylov *h = NULL;
    nks_status s = nks_krylov_new(&h);
    if (s == NKS_OK) s = nks_krylov_set_method(h, method);
    if (s == NKS_OK) s = nks_krylov_set_restart(h, RESTART);
    if (s == NKS_OK) s = nks_krylov_set_rtol(h, RTOL);
    if (s == NKS_OK) s = nks_krylov_set_option(h, "recycle_dim", RECYCLE_DIM);
    if (s != NKS_OK) {
        nks_krylov_free(h);
        return s;
    }
    *out = h;
    return NKS_OK;
}

/* Sum of the iterations of a sequence's reports. */
static size_t total_iterations(const nks_krylov_report *reports) {
    size_t s, total = 0;
    for (s = 0; s < SYSTEMS; ++s) total += reports[s].iterations;
    return total;
}

/* Solves system 0 (matrix a0, right-hand side b0) on h; writes the iterations to *iterations. */
static nks_status solve_first_system(nks_krylov *h, const nks_csr *a0, const double *b0, size_t *iterations) {
    static double x0[N];
    nks_krylov_report r;
    nks_status s = nks_krylov_set_operator_csr(h, a0);
    if (s == NKS_OK) s = nks_krylov_solve(h, b0, x0, N);
    if (s >= 0 && nks_krylov_get_report(h, &r) == NKS_OK) *iterations = r.iterations;
    return s;
}

int main(void) {
    static double b[N * SYSTEMS], x[N * SYSTEMS];
    nks_csr *mats[SYSTEMS] = {NULL};
    const nks_csr *ops[SYSTEMS];
    double features[SYSTEMS];
    size_t order[SYSTEMS];
    nks_krylov_report reports[SYSTEMS];
    nks_krylov *gmres = NULL, *gcrodr = NULL, *resumed = NULL;
    uint8_t *saved = NULL;
    size_t saved_len = 0, k_resumed = 0, k_original = 0, i;
    nks_status s;
    int failed = 0;

    if (nks_version() != NKS_VERSION) {
        fprintf(stderr, "header version %d does not match library %u\n", NKS_VERSION, nks_version());
        return 1;
    }
    for (i = 0; i < SYSTEMS; ++i) {
        if (check(new_system_matrix((int)i, &mats[i]), "nks_csr_new")) goto fail;
        ops[i] = mats[i];
        features[i] = beta((int)i);
    }
    for (i = 0; i < N * SYSTEMS; ++i) b[i] = 1.0;

    /* 1. GMRES(30): every system from scratch, in the natural order. */
    if (check(new_solver(NKS_KRYLOV_GMRES, &gmres), "creating the GMRES solver")) goto fail;
    s = nks_krylov_solve_sequence(gmres, SYSTEMS, ops, b, N, x, N, NULL, 0, 0, NULL, reports);
    if (check(s, "GMRES sequence")) goto fail;
    printf("gmres status=%d total_iterations=%zu\n", (int)s, total_iterations(reports));
    failed |= (s != NKS_OK);

    /* 2. GCRO-DR(30, 10) in the SKR order of the features (1 x 8 block, one beta per system). */
    if (check(new_solver(NKS_KRYLOV_GCRODR, &gcrodr), "creating the GCRO-DR solver")) goto fail;
    s = nks_krylov_solve_sequence(gcrodr, SYSTEMS, ops, b, N, x, N, features, 1, 1, order, reports);
    if (check(s, "GCRO-DR sequence")) goto fail;
    printf("gcrodr status=%d total_iterations=%zu order=", (int)s, total_iterations(reports));
    for (i = 0; i < SYSTEMS; ++i) printf(i == 0 ? "%zu" : ",%zu", order[i]);
    printf("\n");
    for (i = 0; i < SYSTEMS; ++i) {
        printf("system_%zu iterations=%zu residual=%.6e\n", i, reports[i].iterations, reports[i].residual_norm);
    }
    failed |= (s != NKS_OK);

    /* 3. Save the recycled space, load it into a fresh solver, and solve system 0 with both. */
    if (check(new_solver(NKS_KRYLOV_GCRODR, &resumed), "creating the resumed solver")) goto fail;
    if (check(nks_krylov_save_recycled(gcrodr, &saved, &saved_len), "nks_krylov_save_recycled")) goto fail;
    printf("saved bytes=%zu\n", saved_len);
    s = nks_krylov_load_recycled(resumed, saved, saved_len);
    nks_bytes_free(saved, saved_len);
    if (check(s, "nks_krylov_load_recycled")) goto fail;
    s = solve_first_system(resumed, mats[0], b, &k_resumed);
    if (check(s, "resumed solve")) goto fail;
    failed |= (s != NKS_OK);
    s = solve_first_system(gcrodr, mats[0], b, &k_original);
    if (check(s, "original solve")) goto fail;
    failed |= (s != NKS_OK);
    printf("resumed iterations=%zu original=%zu\n", k_resumed, k_original);
    goto cleanup;

fail:
    failed = 1;
cleanup:
    nks_krylov_free(resumed);
    nks_krylov_free(gcrodr);
    nks_krylov_free(gmres);
    for (i = 0; i < SYSTEMS; ++i) nks_csr_free(mats[i]);
    return failed;
}

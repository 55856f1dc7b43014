/*
 * Learning SOR's relaxation parameter across a sequence of systems, from C.
 *
 *   A_t = L + c_t I, L the 5-point Laplacian on a 10 x 10 grid (stencil [-1 -1 4 -1 -1]),
 *   c_t in [-0.1, 0.4] from a fixed pseudo-random sequence (the "context" of system t),
 *   b = 1, x0 = 0, tolerance 1e-8 on ||r|| / ||r0||.
 *
 * The ChebCB learner chooses omega from 20 values on [1, 1.95] for each system, given c_t,
 * and learns from the iteration count. Halfway through, the learner is saved to a byte buffer
 * and restored (what a restarted simulation does) and the solves continue on the copy.
 *
 * Output: "solve_T context=C omega=W iterations=K status=S" every 50 systems, then
 * "total iterations=K solves=T" and the learned distribution at c = -0.05 and c = 0.35,
 * "probabilities_low p=p0,p1,..." / "probabilities_high p=...".
 */
#include <stdio.h>
#include <stdlib.h>
#include "nksolve.h"

#define NX 10
#define N (NX * NX)
#define SYSTEMS 400
#define ARMS 20

/* The 0-based CSR arrays of L + c I; returns the number of entries. */
static size_t build_csr(double c, int64_t *row_ptr, int64_t *col_idx, double *values) {
    size_t nnz = 0;
    int i, j;
    for (j = 0; j < NX; ++j) {
        for (i = 0; i < NX; ++i) {
            int64_t p = i + NX * j;
            row_ptr[p] = (int64_t)nnz;
            if (j > 0)      { col_idx[nnz] = p - NX; values[nnz++] = -1.0; }
            if (i > 0)      { col_idx[nnz] = p - 1;  values[nnz++] = -1.0; }
            col_idx[nnz] = p; values[nnz++] = 4.0 + c;
            if (i + 1 < NX) { col_idx[nnz] = p + 1;  values[nnz++] = -1.0; }
            if (j + 1 < NX) { col_idx[nnz] = p + NX; values[nnz++] = -1.0; }
        }
    }
    row_ptr[N] = (int64_t)nnz;
    return nnz;
}

/* The context sequence: a 64-bit LCG mapped to [-0.1, 0.4]. */
static double next_context(uint64_t *state) {
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return -0.1 + 0.5 * (double)(*state >> 11) * (1.0 / 9007199254740992.0);
}

static int check(nks_status s, const char *what) {
    if (s < 0) {
        fprintf(stderr, "%s failed: %s\n  %s\n", what, nks_status_str(s), nks_last_error_message());
        return 1;
    }
    return 0;
}

static void print_probabilities(nks_sor_bandit *h, const char *name, double context) {
    double p[ARMS];
    int k;
    if (check(nks_sor_bandit_probabilities(h, context, p, ARMS), "nks_sor_bandit_probabilities")) return;
    printf("%s context=%.2f p=", name, context);
    for (k = 0; k < ARMS; ++k) printf("%s%.4f", k ? "," : "", p[k]);
    printf("\n");
}

int main(void) {
    static int64_t row_ptr[N + 1], col_idx[5 * N];
    static double values[5 * N], b[N], x[N];
    nks_sor_bandit *h = NULL, *restored = NULL;
    uint8_t *buf = NULL;
    size_t len = 0, i, total = 0;
    uint64_t lcg = 12345;
    int t, failed = 0;

    for (i = 0; i < N; ++i) b[i] = 1.0;
    if (check(nks_sor_bandit_new(NKS_SOR_CHEBCB, ARMS, 1.0, 1.95, 2024, &h), "nks_sor_bandit_new")) return 1;
    failed |= check(nks_sor_bandit_set_option(h, "context_min", -0.1), "context_min");
    failed |= check(nks_sor_bandit_set_option(h, "context_max", 0.4), "context_max");
    failed |= check(nks_sor_bandit_set_option(h, "tol", 1e-8), "tol");

    for (t = 0; t < SYSTEMS; ++t) {
        double c = next_context(&lcg);
        nks_csr *A = NULL;
        nks_sor_report r;
        nks_status s;
        size_t nnz = build_csr(c, row_ptr, col_idx, values);
        if (check(nks_csr_new(N, N, nnz, row_ptr, col_idx, values, 0, &A), "nks_csr_new")) return 1;
        s = nks_sor_bandit_solve(h, A, b, x, N, c);
        nks_csr_free(A);
        failed |= check(s, "nks_sor_bandit_solve") | (s != NKS_OK);
        nks_sor_bandit_get_report(h, &r);
        total += r.iterations;
        if (t % 50 == 0) {
            printf("solve_%d context=%.4f omega=%.4f iterations=%zu status=%d\n", t, c, r.omega, r.iterations, (int)s);
        }
        if (t == SYSTEMS / 2) {
            /* Save and restore, as a restarted simulation would; continue on the copy. */
            failed |= check(nks_sor_bandit_save(h, &buf, &len), "nks_sor_bandit_save");
            failed |= check(nks_sor_bandit_load(buf, len, &restored), "nks_sor_bandit_load");
            nks_bytes_free(buf, len);
            nks_sor_bandit_free(h);
            h = restored;
        }
    }
    printf("total iterations=%zu solves=%d\n", total, SYSTEMS);
    print_probabilities(h, "probabilities_low", -0.05);
    print_probabilities(h, "probabilities_high", 0.35);
    nks_sor_bandit_free(h);
    return failed;
}

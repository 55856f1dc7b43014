/*
 * Entropic optimal transport between two point clouds with nksolve from C: the 2-Wasserstein
 * distance W2 by log-domain Sinkhorn and by Sinkhorn-Newton-Sparse, from the clouds and from a
 * dense cost matrix, and the sparse plan. Prints the same lines as the Rust reference
 * (examples/rust/sinkhorn.rs) and the C++, Fortran, Julia and Python examples.
 *
 *   300 source points: the Halton points of bases (2, 3) in [0, 1]^2;
 *   200 target points: the Halton points of bases (5, 7), shifted by (0.3, 0);
 *   uniform weights, squared Euclidean cost (p = 2), eps = 0.01, stop at an L1 marginal error
 *   of 1e-9. (Halton points need no random generator, so every language builds the same clouds.)
 *
 * Output:
 *   sinkhorn iterations=K marginal_error=E cost=<C,P> w2=sqrt(<C,P>)
 *                              (log-domain Sinkhorn, costs computed on the fly)
 *   sns newton=K sinkhorn=K2 converged=0|1 w2=W
 *                              (Sinkhorn-Newton-Sparse on the same problem, same handle)
 *   dense iterations=K w2=W regularized=R
 *                              (the same problem from the dense 300 x 200 cost matrix)
 *   plan nnz=Z mass=M          (the plan's entries >= 1e-4 and the mass they carry)
 *
 * Build (from the repository root, after `cargo build --release`):
 *   cc -std=c99 -Iinclude examples/c/sinkhorn.c -Ltarget/release -lnksolve -lm \
 *      -Wl,-rpath,$PWD/target/release -o sinkhorn
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "nksolve.h"

#define N 300
#define M 200
#define D 2
#define THRESHOLD 1e-4

/* The i-th element (from 1) of the van der Corput sequence in `base`. */
static double halton(size_t i, size_t base) {
    double f = 1.0, r = 0.0;
    while (i > 0) {
        f /= (double)base;
        r += f * (double)(i % base);
        i /= base;
    }
    return r;
}

static int check(nks_status s, const char *what) {
    if (s < 0) {
        fprintf(stderr, "%s failed: %s\n  %s\n", what, nks_status_str(s), nks_last_error_message());
        return 1;
    }
    return 0;
}

/* A solve must also have converged (a positive status is a usable, unconverged result). */
static int check_solve(nks_status s, const char *what) {
    if (check(s, what)) return 1;
    if (s != NKS_OK) {
        fprintf(stderr, "%s did not converge: %s\n", what, nks_status_str(s));
        return 1;
    }
    return 0;
}

int main(void) {
    /* The clouds, D x N and D x M column-major (point i is x[D * i], x[D * i + 1]). */
    static double x[D * N], y[D * M], c[N * M];
    double a[N], b[M], f[N], g[M];
    nks_sinkhorn *h = NULL;
    nks_sinkhorn_report r;
    int64_t *rows = NULL, *cols = NULL;
    double *values = NULL, mass = 0.0;
    size_t i, j, nnz = 0;
    int failed = 0;

    for (i = 0; i < N; ++i) {
        x[D * i] = halton(i + 1, 2);
        x[D * i + 1] = halton(i + 1, 3);
        a[i] = 1.0 / N;
        f[i] = 0.0;
    }
    for (j = 0; j < M; ++j) {
        y[D * j] = halton(j + 1, 5) + 0.3;
        y[D * j + 1] = halton(j + 1, 7);
        b[j] = 1.0 / M;
        g[j] = 0.0;
    }

    if (check(nks_sinkhorn_new(&h), "nks_sinkhorn_new")) return 1;
    if (check(nks_sinkhorn_set_option(h, "eps", 0.01), "eps")
        || check(nks_sinkhorn_set_option(h, "tol", 1e-9), "tol")) {
        nks_sinkhorn_free(h);
        return 1;
    }

    /* Log-domain Sinkhorn on the clouds, |x_i - y_j|^2 computed on the fly. "use_initial_guess"
       is 0 (the default), so f and g are reset by every solve. */
    if (check_solve(nks_sinkhorn_solve_points(h, N, M, D, a, b, x, D, y, D, 2.0, f, g), "nks_sinkhorn_solve_points")
        || check(nks_sinkhorn_get_report(h, &r), "nks_sinkhorn_get_report")) {
        nks_sinkhorn_free(h);
        return 1;
    }
    printf("sinkhorn iterations=%zu marginal_error=%.1e cost=%.10f w2=%.10f\n", r.iterations, r.marginal_error,
           r.transport_cost, sqrt(r.transport_cost));

    /* Sinkhorn-Newton-Sparse on the same problem, with the same handle. */
    failed |= check(nks_sinkhorn_set_option(h, "method", NKS_OT_SNS), "method SNS");
    if (check_solve(nks_sinkhorn_solve_points(h, N, M, D, a, b, x, D, y, D, 2.0, f, g),
                    "nks_sinkhorn_solve_points (SNS)")
        || check(nks_sinkhorn_get_report(h, &r), "nks_sinkhorn_get_report")) {
        nks_sinkhorn_free(h);
        return 1;
    }
    printf("sns newton=%zu sinkhorn=%zu converged=%d w2=%.10f\n", r.newton_iterations, r.sinkhorn_iterations,
           r.termination == NKS_TERMINATION_CONVERGED_ATOL ? 1 : 0, sqrt(r.transport_cost));

    /* The same problem from the dense cost matrix, N x M column-major (ldc = N), by Sinkhorn. */
    for (j = 0; j < M; ++j) {
        for (i = 0; i < N; ++i) {
            const double dx = x[D * i] - y[D * j], dy = x[D * i + 1] - y[D * j + 1];
            c[j * N + i] = dx * dx + dy * dy;
        }
    }
    failed |= check(nks_sinkhorn_set_option(h, "method", NKS_OT_SINKHORN), "method Sinkhorn");
    if (check_solve(nks_sinkhorn_solve_dense(h, N, M, a, b, c, N, f, g), "nks_sinkhorn_solve_dense")
        || check(nks_sinkhorn_get_report(h, &r), "nks_sinkhorn_get_report")) {
        nks_sinkhorn_free(h);
        return 1;
    }
    printf("dense iterations=%zu w2=%.10f regularized=%.10f\n", r.iterations, sqrt(r.transport_cost),
           r.regularized_cost);

    /* The plan's entries >= 1e-4: count them, then read them as coordinates. */
    if (check(nks_sinkhorn_plan_nnz(h, THRESHOLD, &nnz), "nks_sinkhorn_plan_nnz")) {
        nks_sinkhorn_free(h);
        return 1;
    }
    rows = malloc((nnz ? nnz : 1) * sizeof *rows);
    cols = malloc((nnz ? nnz : 1) * sizeof *cols);
    values = malloc((nnz ? nnz : 1) * sizeof *values);
    if (rows == NULL || cols == NULL || values == NULL) {
        fprintf(stderr, "out of memory for %zu plan entries\n", nnz);
        failed = 1;
    } else if (!check(nks_sinkhorn_plan_sparse(h, THRESHOLD, 0, rows, cols, values, nnz), "nks_sinkhorn_plan_sparse")) {
        for (i = 0; i < nnz; ++i) mass += values[i];
        printf("plan nnz=%zu mass=%.6f\n", nnz, mass);
    } else {
        failed = 1;
    }
    free(rows);
    free(cols);
    free(values);
    nks_sinkhorn_free(h);
    return failed;
}

/*
 * Equality-constrained optimisation with callback oracles, from C: the adaptive inexact Newton
 * method with randomized sketching (AdaSketch-Newton) of nks_constrained. Prints the same lines
 * as the Rust reference (examples/rust/constrained.rs) and the C++, Fortran, Julia and Python
 * examples.
 *
 * 1. Hock-Schittkowski problem 6: min (1 - x1)^2 s.t. 10 (x2 - x1^2) = 0 from (-1.2, 1)
 *    (solution (1, 1), f* = 0), solved three ways: the default randomized Gaussian sketch
 *    (seed 0), randomized Kaczmarz on the sparse rows of the Jacobian and Hessian (given with
 *    nks_constrained_set_sparse_rows), and MINRES.
 * 2. A 1D optimal-control problem: min 1/2 ||y - y*||^2 + alpha/2 ||u||^2 subject to the
 *    discrete Poisson equation T y - h^2 u = 0 (T = tridiag(-1, 2, -1), N = 50 interior points
 *    of (0, 1), h = 1/51, y*_i = sin(pi t_i), alpha = 1e-6), x = [y; u], by MINRES with a host
 *    preconditioner: diag(I, alpha I, S) with S the diagonal of the Schur complement
 *    T T + h^4 / alpha I.
 *
 * The callbacks are what a host writes: C functions that get the problem's data through
 * `user_data`. An objective, gradient or constraint callback returns 0 on success, > 0 when it
 * cannot evaluate the point (the line search shortens its step) and < 0 to abort the solve.
 * Every oracle is computed in the same order in every language (sin from the C library), so the
 * counts agree exactly. (A compiler that fuses a * b + c into one rounding changes those bits:
 * keep it from doing so, as -std=c99 or -ffp-contract=off does, to reproduce the counts.)
 *
 * Output, one line per case (reals printed as Rust's {:.6e} and {:.8} print them):
 *   hs6_sketch / hs6_kaczmarz / hs6_minres status=S iterations=K inner=I merit=M
 *       penalty_updates=P f=F x1=X1 x2=X2
 *   control1d status=S iterations=K inner=I preconditioner_calls=C f=F max_misfit=E
 *     S is 0 when the solve converged (NKS_OK), 1 otherwise; K Newton iterations, I inner
 *     iterations (sketches, Kaczmarz rows or MINRES iterations) over all of them, M merit
 *     evaluations, P penalty updates, C preconditioner calls, F = f at the solution,
 *     E = max |y_i - y*_i|.
 *
 * Build (from the repository root, after `cargo build --release`):
 *   cc -std=c99 -Iinclude examples/c/constrained.c -Ltarget/release -lnksolve -lm \
 *      -Wl,-rpath,$PWD/target/release -o constrained
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nksolve.h"

#define N 50
#define ALPHA 1e-6
#define PI 3.14159265358979323846

/* ---- HS6 (n = 2, m = 1) ---------------------------------------------------------------- */

/* *f = (1 - x1)^2. */
static int hs6_objective(const double *x, size_t n, double *f, void *user_data) {
    (void)n;
    (void)user_data;
    *f = (1.0 - x[0]) * (1.0 - x[0]);
    return 0;
}

/* g = grad f = (-2 (1 - x1), 0). */
static int hs6_gradient(const double *x, size_t n, double *g, void *user_data) {
    (void)n;
    (void)user_data;
    g[0] = -2.0 * (1.0 - x[0]);
    g[1] = 0.0;
    return 0;
}

/* c = 10 (x2 - x1^2). */
static int hs6_constraints(const double *x, size_t n, double *c, size_t m, void *user_data) {
    (void)n;
    (void)m;
    (void)user_data;
    c[0] = 10.0 * (x[1] - x[0] * x[0]);
    return 0;
}

/* jv = J v, J = (-20 x1, 10). */
static int hs6_jacobian_vector(const double *x, const double *v, size_t n, double *jv, size_t m, void *user_data) {
    (void)n;
    (void)m;
    (void)user_data;
    jv[0] = -20.0 * x[0] * v[0] + 10.0 * v[1];
    return 0;
}

/* jtw = J^T w. */
static int hs6_jacobian_transpose(const double *x, const double *w, size_t m, double *jtw, size_t n,
                                  void *user_data) {
    (void)m;
    (void)n;
    (void)user_data;
    jtw[0] = -20.0 * x[0] * w[0];
    jtw[1] = 10.0 * w[0];
    return 0;
}

/* hv = (grad^2 f + lambda grad^2 c) v = diag(2 - 20 lambda, 0) v. */
static int hs6_hessian_vector(const double *x, const double *lambda, const double *v, size_t n, size_t m,
                              double *hv, void *user_data) {
    (void)x;
    (void)n;
    (void)m;
    (void)user_data;
    hv[0] = (2.0 - 20.0 * lambda[0]) * v[0];
    hv[1] = 0.0;
    return 0;
}

/* The values of the sparse Jacobian row (pattern: row 0 = columns 0, 1). */
static int hs6_jacobian_values(const double *x, size_t n, double *values, size_t nnz, void *user_data) {
    (void)n;
    (void)nnz;
    (void)user_data;
    values[0] = -20.0 * x[0];
    values[1] = 10.0;
    return 0;
}

/* The values of the sparse Hessian of the Lagrangian (pattern: both rows dense, 2 x 2). */
static int hs6_hessian_values(const double *x, const double *lambda, size_t n, size_t m, double *values, size_t nnz,
                              void *user_data) {
    (void)x;
    (void)n;
    (void)m;
    (void)nnz;
    (void)user_data;
    values[0] = 2.0 - 20.0 * lambda[0];
    values[1] = 0.0;
    values[2] = 0.0;
    values[3] = 0.0;
    return 0;
}

/* ---- The 1D control problem (n = 2N: x = [y; u], m = N) -------------------------------- */

/* The problem's data, passed to its callbacks as `user_data`. */
typedef struct {
    double target[N]; /* y*_i = sin(pi t_i) */
} control1d;

static double grid_h(void) { return 1.0 / (double)(N + 1); }

/* out = T v for T = tridiag(-1, 2, -1). */
static void tridiag(const double *v, double *out) {
    size_t i;
    for (i = 0; i < N; ++i) {
        const double left = i > 0 ? v[i - 1] : 0.0, right = i + 1 < N ? v[i + 1] : 0.0;
        out[i] = 2.0 * v[i] - left - right;
    }
}

/* *f = sum_i 1/2 (y_i - y*_i)^2 + alpha/2 u_i^2, summed in index order. */
static int control_objective(const double *x, size_t n, double *f, void *user_data) {
    const control1d *p = (const control1d *)user_data;
    double sum = 0.0;
    size_t i;
    (void)n;
    for (i = 0; i < N; ++i) {
        sum += 0.5 * (x[i] - p->target[i]) * (x[i] - p->target[i]) + 0.5 * ALPHA * x[N + i] * x[N + i];
    }
    *f = sum;
    return 0;
}

/* g = (y - y*, alpha u). */
static int control_gradient(const double *x, size_t n, double *g, void *user_data) {
    const control1d *p = (const control1d *)user_data;
    size_t i;
    (void)n;
    for (i = 0; i < N; ++i) {
        g[i] = x[i] - p->target[i];
        g[N + i] = ALPHA * x[N + i];
    }
    return 0;
}

/* jv = J v = T v_y - h^2 v_u (the constraints are linear: J does not depend on x). */
static int control_jacobian_vector(const double *x, const double *v, size_t n, double *jv, size_t m,
                                   void *user_data) {
    const double h = grid_h();
    size_t i;
    (void)x;
    (void)n;
    (void)m;
    (void)user_data;
    tridiag(v, jv);
    for (i = 0; i < N; ++i) jv[i] -= h * h * v[N + i];
    return 0;
}

/* c = J x (the same arithmetic as J v). */
static int control_constraints(const double *x, size_t n, double *c, size_t m, void *user_data) {
    return control_jacobian_vector(x, x, n, c, m, user_data);
}

/* jtw = J^T w = (T w, -h^2 w). */
static int control_jacobian_transpose(const double *x, const double *w, size_t m, double *jtw, size_t n,
                                      void *user_data) {
    const double h = grid_h();
    size_t i;
    (void)x;
    (void)m;
    (void)n;
    (void)user_data;
    tridiag(w, jtw);
    for (i = 0; i < N; ++i) jtw[N + i] = -h * h * w[i];
    return 0;
}

/* hv = diag(I, alpha I) v (the constraints are linear: no lambda term). */
static int control_hessian_vector(const double *x, const double *lambda, const double *v, size_t n, size_t m,
                                  double *hv, void *user_data) {
    size_t i;
    (void)x;
    (void)lambda;
    (void)n;
    (void)m;
    (void)user_data;
    for (i = 0; i < N; ++i) {
        hv[i] = v[i];
        hv[N + i] = ALPHA * v[N + i];
    }
    return 0;
}

/* z = M^{-1} r, M = diag(I, alpha I, S), S_ii = (T T)_ii + h^4 / alpha ((T T)_ii = 5 at the
   ends, 6 inside). r and z have n + m = 3N entries. */
static int control_precondition(const double *x, const double *lambda, const double *r, size_t n, size_t m,
                                double *z, void *user_data) {
    const double h = grid_h(), h4 = h * h * h * h;
    size_t i;
    (void)x;
    (void)lambda;
    (void)n;
    (void)m;
    (void)user_data;
    for (i = 0; i < N; ++i) {
        const double ends = (i == 0 || i + 1 == N) ? 5.0 : 6.0;
        z[i] = r[i];
        z[N + i] = r[N + i] / ALPHA;
        z[2 * N + i] = r[2 * N + i] / (ends + h4 / ALPHA);
    }
    return 0;
}

/* ---- Driver ------------------------------------------------------------------------------ */

static int check(nks_status s, const char *what) {
    if (s < 0) {
        fprintf(stderr, "%s failed: %s\n  %s\n", what, nks_status_str(s), nks_last_error_message());
        return 1;
    }
    return 0;
}

/* v formatted as Rust's {:.6e} formats it: printf's %.6e mantissa, then the exponent without
   '+' or zero padding ("1.388567e-14", "1.241060e-3", "2.500000e0"). */
static const char *rust_e6(double v, char *buf, size_t size) {
    char mantissa[64];
    char *e;
    snprintf(mantissa, sizeof mantissa, "%.6e", v);
    e = strchr(mantissa, 'e');
    if (e == NULL) { /* inf or nan: no exponent */
        snprintf(buf, size, "%s", mantissa);
        return buf;
    }
    *e = '\0';
    snprintf(buf, size, "%se%d", mantissa, atoi(e + 1));
    return buf;
}

/* HS6 from (-1.2, 1) with the inner solver `kkt_solver`; prints the case's line. Returns 0, or 1
   after printing why it failed or did not converge. */
static int hs6_line(const char *name, nks_kkt_solver kkt_solver) {
    /* J is 1 x 2 and the Hessian of the Lagrangian 2 x 2, both given as dense sparse rows
       (0-based CSR); only the Kaczmarz solver reads them. */
    static const int64_t jacobian_row_ptr[] = {0, 2}, jacobian_col_idx[] = {0, 1};
    static const int64_t hessian_row_ptr[] = {0, 2, 4}, hessian_col_idx[] = {0, 1, 0, 1};
    double x[2] = {-1.2, 1.0}, lambda[1] = {0.0};
    char f[80];
    nks_constrained *solver = NULL;
    nks_constrained_report r;
    nks_status s;

    if (check(nks_constrained_new(&solver), "nks_constrained_new")) return 1;
    if (check(nks_constrained_set_oracles(solver, 1, hs6_objective, hs6_gradient, hs6_constraints,
                                          hs6_jacobian_vector, hs6_jacobian_transpose, hs6_hessian_vector, NULL),
              "nks_constrained_set_oracles")
        || check(nks_constrained_set_sparse_rows(solver, 2, jacobian_row_ptr, jacobian_col_idx, hs6_jacobian_values,
                                                 hessian_row_ptr, hessian_col_idx, hs6_hessian_values, 0, NULL),
                 "nks_constrained_set_sparse_rows")
        || check(nks_constrained_set_option(solver, "kkt_solver", kkt_solver), "kkt_solver")) {
        nks_constrained_free(solver);
        return 1;
    }
    /* NKS_OK: the KKT tests passed, the solution is in x and lambda. A positive status (a limit,
       stagnation) leaves the last accepted point there; a negative one leaves them as they were. */
    s = nks_constrained_solve(solver, 2, x, 1, lambda);
    if (check(s, name) || check(nks_constrained_get_report(solver, &r), "nks_constrained_get_report")) {
        nks_constrained_free(solver);
        return 1;
    }
    nks_constrained_free(solver);

    printf("%s status=%d iterations=%zu inner=%zu merit=%zu penalty_updates=%zu f=%s x1=%.8f x2=%.8f\n", name,
           s == NKS_OK ? 0 : 1, r.iterations, r.inner_iterations, r.merit_evaluations, r.penalty_updates,
           rust_e6(r.objective, f, sizeof f), x[0], x[1]);
    if (s != NKS_OK) {
        fprintf(stderr, "%s did not converge: %s\n", name, nks_status_str(s));
        return 1;
    }
    return 0;
}

/* The control problem by preconditioned MINRES from x = 0; prints the case's line. */
static int control_line(void) {
    static control1d problem;
    static double x[2 * N], lambda[N];
    const double h = grid_h();
    double misfit = 0.0;
    char f[80], e[80];
    nks_constrained *solver = NULL;
    nks_constrained_report r;
    nks_status s;
    size_t i;

    for (i = 0; i < N; ++i) problem.target[i] = sin(PI * (double)(i + 1) * h);
    memset(x, 0, sizeof x);
    memset(lambda, 0, sizeof lambda);
    if (check(nks_constrained_new(&solver), "nks_constrained_new")) return 1;
    if (check(nks_constrained_set_oracles(solver, N, control_objective, control_gradient, control_constraints,
                                          control_jacobian_vector, control_jacobian_transpose, control_hessian_vector,
                                          &problem),
              "nks_constrained_set_oracles")
        || check(nks_constrained_set_preconditioner(solver, control_precondition, NULL),
                 "nks_constrained_set_preconditioner")
        || check(nks_constrained_set_option(solver, "kkt_solver", NKS_KKT_MINRES), "kkt_solver")) {
        nks_constrained_free(solver);
        return 1;
    }
    s = nks_constrained_solve(solver, 2 * N, x, N, lambda);
    if (check(s, "control1d") || check(nks_constrained_get_report(solver, &r), "nks_constrained_get_report")) {
        nks_constrained_free(solver);
        return 1;
    }
    nks_constrained_free(solver);

    for (i = 0; i < N; ++i) misfit = fmax(misfit, fabs(x[i] - problem.target[i]));
    printf("control1d status=%d iterations=%zu inner=%zu preconditioner_calls=%zu f=%s max_misfit=%s\n",
           s == NKS_OK ? 0 : 1, r.iterations, r.inner_iterations, r.preconditioner_calls,
           rust_e6(r.objective, f, sizeof f), rust_e6(misfit, e, sizeof e));
    if (s != NKS_OK) {
        fprintf(stderr, "control1d did not converge: %s\n", nks_status_str(s));
        return 1;
    }
    return 0;
}

int main(void) {
    int failed = 0;
    failed |= hs6_line("hs6_sketch", NKS_KKT_GAUSSIAN_SKETCH);
    failed |= hs6_line("hs6_kaczmarz", NKS_KKT_KACZMARZ);
    failed |= hs6_line("hs6_minres", NKS_KKT_MINRES);
    failed |= control_line();
    return failed;
}

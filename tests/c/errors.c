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

/* The nks_sinkhorn error paths, on a 2 x 3 problem: every refusal returns its status with a
   message, writes no output, and keeps the previous problem (its plan stays readable). */
static void sinkhorn_errors(void) {
    /* Cost (2 x 3, column-major, ldc = 2): C = [0 1 4; 1 0 1]; a = (0.5, 0.5), b = (0.25, 0.5, 0.25). */
    double a[] = {0.5, 0.5}, b[] = {0.25, 0.5, 0.25}, c[] = {0, 1, 1, 0, 4, 1};
    double neg_a[] = {0.75, -0.25}, nan_a[] = {0.5, NAN}, heavy_b[] = {0.25, 0.5, 0.5}, zero_a[] = {0, 0};
    double nan_c[] = {0, 1, 1, NAN, 4, 1};
    /* The same problem as 1D points: x = (0, 1), y = (0, 1, 2) gives |x - y|^2 = C. */
    double x[] = {0, 1}, y[] = {0, 1, 2}, inf_y[] = {0, INFINITY, 2};
    double f[] = {7, 7}, g[] = {7, 7, 7}, fg[5] = {0}, p[6], got = -1.0, value;
    int64_t rows[6], cols[6];
    double values[6];
    size_t nnz = 99, i;
    nks_sinkhorn *h = NULL;
    nks_sinkhorn_report rep;

    expect_status(nks_sinkhorn_new(NULL), NKS_ERR_NULL_POINTER, "sinkhorn: NULL out");
    expect_status(nks_sinkhorn_new(&h), NKS_OK, "sinkhorn: new");

    /* Options. */
    expect_status(nks_sinkhorn_set_option(h, "epsilon", 0.1), NKS_ERR_UNKNOWN_OPTION, "sinkhorn: unknown option");
    expect(strstr(nks_last_error_message(), "eps_scaling") != NULL, "sinkhorn: unknown option message lists the names");
    expect_status(nks_sinkhorn_get_option(h, "epsilon", &got), NKS_ERR_UNKNOWN_OPTION, "sinkhorn: get unknown option");
    expect(got == -1.0, "sinkhorn: value untouched on failure");
    expect_status(nks_sinkhorn_get_option(h, "eps", NULL), NKS_ERR_NULL_POINTER, "sinkhorn: get_option NULL value");
    expect_status(nks_sinkhorn_set_option(h, NULL, 0.1), NKS_ERR_NULL_POINTER, "sinkhorn: NULL option name");
    expect_status(nks_sinkhorn_set_option(NULL, "eps", 0.1), NKS_ERR_NULL_POINTER, "sinkhorn: NULL handle");
    expect_status(nks_sinkhorn_set_option(h, "eps", 0.0), NKS_ERR_INVALID_ARGUMENT, "sinkhorn: eps = 0");
    expect(strstr(nks_last_error_message(), "eps") != NULL, "sinkhorn: message names eps");
    expect_status(nks_sinkhorn_get_option(h, "eps", &got), NKS_OK, "sinkhorn: get eps");
    expect(got == 0.01, "sinkhorn: a refused value keeps the default eps 0.01");
    expect_status(nks_sinkhorn_set_option(h, "method", 2), NKS_ERR_INVALID_ARGUMENT, "sinkhorn: method 2");
    expect_status(nks_sinkhorn_set_option(h, "tol", 1.0), NKS_ERR_INVALID_ARGUMENT, "sinkhorn: tol 1");
    expect_status(nks_sinkhorn_set_option(h, "eps_scaling", 1.0), NKS_ERR_INVALID_ARGUMENT, "sinkhorn: eps_scaling 1");
    expect_status(nks_sinkhorn_set_option(h, "max_iterations", 2.5), NKS_ERR_INVALID_ARGUMENT,
                  "sinkhorn: max_iterations 2.5");
    expect_status(nks_sinkhorn_set_option(h, "method", NKS_OT_SNS), NKS_OK, "sinkhorn: method SNS");
    expect_status(nks_sinkhorn_get_option(h, "method", &got), NKS_OK, "sinkhorn: get method");
    expect(got == NKS_OT_SNS, "sinkhorn: get_option reads back method = SNS");
    expect_status(nks_sinkhorn_set_option(h, "method", NKS_OT_SINKHORN), NKS_OK, "sinkhorn: method Sinkhorn");

    /* Before any solve: no plan, a not-started report. */
    expect_status(nks_sinkhorn_get_report(h, &rep), NKS_OK, "sinkhorn: report before any solve");
    expect(rep.termination == NKS_TERMINATION_NOT_STARTED && rep.iterations == 0, "sinkhorn: report is not started");
    expect_status(nks_sinkhorn_plan_dense(h, 2, 3, p, 2), NKS_ERR_INVALID_STATE,
                  "sinkhorn: plan_dense before any solve");
    expect(strstr(nks_last_error_message(), "solve") != NULL, "sinkhorn: message says to solve first");
    expect_status(nks_sinkhorn_plan_nnz(h, 1e-3, &nnz), NKS_ERR_INVALID_STATE, "sinkhorn: plan_nnz before any solve");
    expect(nnz == 99, "sinkhorn: nnz untouched on failure");
    expect_status(nks_sinkhorn_plan_sparse(h, 1e-3, 0, rows, cols, values, 3), NKS_ERR_INVALID_STATE,
                  "sinkhorn: plan_sparse before any solve");

    /* Bad input, refused before any work: f and g stay untouched. */
    expect_status(nks_sinkhorn_solve_dense(h, 2, 3, neg_a, b, c, 2, f, g), NKS_ERR_INVALID_ARGUMENT,
                  "sinkhorn: negative weight");
    expect(strstr(nks_last_error_message(), "a[1]") != NULL, "sinkhorn: message names a[1]");
    expect_status(nks_sinkhorn_solve_dense(h, 2, 3, nan_a, b, c, 2, f, g), NKS_ERR_NON_FINITE, "sinkhorn: NaN weight");
    expect(strstr(nks_last_error_message(), "a[1]") != NULL, "sinkhorn: message names the NaN weight a[1]");
    expect_status(nks_sinkhorn_solve_dense(h, 2, 3, zero_a, b, c, 2, f, g), NKS_ERR_INVALID_ARGUMENT,
                  "sinkhorn: zero mass");
    expect_status(nks_sinkhorn_solve_dense(h, 2, 3, a, heavy_b, c, 2, f, g), NKS_ERR_INVALID_ARGUMENT,
                  "sinkhorn: unequal masses");
    expect(strstr(nks_last_error_message(), "masses") != NULL, "sinkhorn: message names the masses");
    expect_status(nks_sinkhorn_solve_dense(h, 2, 3, a, b, nan_c, 2, f, g), NKS_ERR_NON_FINITE, "sinkhorn: NaN cost");
    expect_status(nks_sinkhorn_solve_dense(h, 2, 3, a, b, c, 1, f, g), NKS_ERR_INVALID_ARGUMENT, "sinkhorn: ldc < n");
    expect(strstr(nks_last_error_message(), "ld = 1") != NULL, "sinkhorn: message names ldc");
    expect_status(nks_sinkhorn_solve_dense(h, 2, 3, a, b, NULL, 2, f, g), NKS_ERR_NULL_POINTER, "sinkhorn: NULL cost");
    expect_status(nks_sinkhorn_solve_dense(h, 2, 3, a, b, c, 2, NULL, g), NKS_ERR_NULL_POINTER, "sinkhorn: NULL f");
    expect_status(nks_sinkhorn_solve_dense(h, 0, 3, a, b, c, 2, f, g), NKS_ERR_INVALID_ARGUMENT, "sinkhorn: n = 0");
    expect_status(nks_sinkhorn_solve_dense(h, 2, 3, a, b, c, 2, fg, fg + 1), NKS_ERR_INVALID_ARGUMENT,
                  "sinkhorn: f and g overlap");
    expect(strstr(nks_last_error_message(), "overlap") != NULL, "sinkhorn: message says they overlap");
    expect_status(nks_sinkhorn_solve_points(h, 2, 3, 1, a, b, x, 1, y, 1, 3.0, f, g), NKS_ERR_INVALID_ARGUMENT,
                  "sinkhorn: p = 3");
    expect(strstr(nks_last_error_message(), "p = 3") != NULL, "sinkhorn: message names p");
    expect_status(nks_sinkhorn_solve_points(h, 2, 3, 0, a, b, x, 1, y, 1, 2.0, f, g), NKS_ERR_INVALID_ARGUMENT,
                  "sinkhorn: d = 0");
    expect_status(nks_sinkhorn_solve_points(h, 2, 3, 1, a, b, x, 1, inf_y, 1, 2.0, f, g), NKS_ERR_NON_FINITE,
                  "sinkhorn: infinite point");
    expect_status(nks_sinkhorn_solve_points(h, 2, 3, 2, a, b, x, 1, y, 2, 2.0, f, g), NKS_ERR_INVALID_ARGUMENT,
                  "sinkhorn: ldx < d");
    for (i = 0; i < 2; ++i) expect(f[i] == 7.0, "sinkhorn: f untouched after refusals");
    for (i = 0; i < 3; ++i) expect(g[i] == 7.0, "sinkhorn: g untouched after refusals");
    expect_status(nks_sinkhorn_plan_nnz(h, 1e-3, &nnz), NKS_ERR_INVALID_STATE,
                  "sinkhorn: still no plan after refusals");

    /* A converged solve, from the points: the plan's marginals are a and b. */
    expect_status(nks_sinkhorn_solve_points(h, 2, 3, 1, a, b, x, 1, y, 1, 2.0, f, g), NKS_OK, "sinkhorn: points solve");
    expect_status(nks_sinkhorn_get_report(h, &rep), NKS_OK, "sinkhorn: report");
    expect(rep.status == NKS_OK && rep.termination == NKS_TERMINATION_CONVERGED_ATOL && rep.method == NKS_OT_SINKHORN
           && rep.marginal_error <= 1e-9 && rep.iterations > 0, "sinkhorn: report of the converged solve");
    expect_status(nks_sinkhorn_plan_dense(h, 2, 3, p, 2), NKS_OK, "sinkhorn: plan_dense");
    expect(fabs(p[0] + p[2] + p[4] - a[0]) < 1e-9 && fabs(p[1] + p[3] + p[5] - a[1]) < 1e-9
           && fabs(p[0] + p[1] - b[0]) < 1e-9 && fabs(p[2] + p[3] - b[1]) < 1e-9 && fabs(p[4] + p[5] - b[2]) < 1e-9,
           "sinkhorn: the plan's marginals are a and b");

    /* Plan queries with bad arguments. */
    for (i = 0; i < 6; ++i) p[i] = -1.0;
    expect_status(nks_sinkhorn_plan_dense(h, 3, 2, p, 3), NKS_ERR_DIMENSION_MISMATCH, "sinkhorn: plan_dense 3 x 2");
    expect(strstr(nks_last_error_message(), "2 x 3") != NULL, "sinkhorn: message names the problem's size");
    expect_status(nks_sinkhorn_plan_dense(h, 2, 3, p, 1), NKS_ERR_INVALID_ARGUMENT, "sinkhorn: plan_dense ldp < n");
    expect_status(nks_sinkhorn_plan_dense(h, 2, 3, NULL, 2), NKS_ERR_NULL_POINTER, "sinkhorn: plan_dense NULL p");
    for (i = 0; i < 6; ++i) expect(p[i] == -1.0, "sinkhorn: p untouched after refusals");
    expect_status(nks_sinkhorn_plan_nnz(h, -1.0, &nnz), NKS_ERR_INVALID_ARGUMENT, "sinkhorn: negative threshold");
    expect_status(nks_sinkhorn_plan_nnz(h, 1e-3, NULL), NKS_ERR_NULL_POINTER, "sinkhorn: plan_nnz NULL nnz");
    expect_status(nks_sinkhorn_plan_nnz(h, 1e-3, &nnz), NKS_OK, "sinkhorn: plan_nnz");
    expect(nnz >= 3 && nnz <= 6, "sinkhorn: plan_nnz counts the entries >= 1e-3");
    for (i = 0; i < 6; ++i) { rows[i] = -7; cols[i] = -7; values[i] = -7.0; }
    expect_status(nks_sinkhorn_plan_sparse(h, 1e-3, 0, rows, cols, values, nnz - 1), NKS_ERR_DIMENSION_MISMATCH,
                  "sinkhorn: plan_sparse with len = nnz - 1");
    expect(strstr(nks_last_error_message(), "nks_sinkhorn_plan_nnz") != NULL, "sinkhorn: message points to plan_nnz");
    expect_status(nks_sinkhorn_plan_sparse(h, 1e-3, 2, rows, cols, values, nnz), NKS_ERR_INVALID_ARGUMENT,
                  "sinkhorn: plan_sparse index_base 2");
    expect_status(nks_sinkhorn_plan_sparse(h, 1e-3, 0, rows, rows, values, nnz), NKS_ERR_INVALID_ARGUMENT,
                  "sinkhorn: plan_sparse rows and cols overlap");
    expect_status(nks_sinkhorn_plan_sparse(h, 1e-3, 0, rows, cols, NULL, nnz), NKS_ERR_NULL_POINTER,
                  "sinkhorn: plan_sparse NULL values");
    for (i = 0; i < 6; ++i) expect(rows[i] == -7 && cols[i] == -7 && values[i] == -7.0,
                                   "sinkhorn: plan_sparse refusals write nothing");
    expect_status(nks_sinkhorn_plan_sparse(h, 1e-3, 1, rows, cols, values, nnz), NKS_OK,
                  "sinkhorn: plan_sparse 1-based");
    for (i = 0; i < nnz; ++i) {
        expect(rows[i] >= 1 && rows[i] <= 2 && cols[i] >= 1 && cols[i] <= 3 && values[i] >= 1e-3,
               "sinkhorn: 1-based coordinates in range, values above the threshold");
    }

    /* A refused solve keeps the previous problem, its report and its plan. */
    value = f[0];
    expect_status(nks_sinkhorn_solve_dense(h, 3, 2, b, a, c, 1, f, g), NKS_ERR_INVALID_ARGUMENT,
                  "sinkhorn: refused after a solve");
    expect(f[0] == value, "sinkhorn: f untouched by the refusal");
    expect_status(nks_sinkhorn_plan_dense(h, 2, 3, p, 2), NKS_OK, "sinkhorn: the previous plan is still readable");
    expect_status(nks_sinkhorn_get_report(h, &rep), NKS_OK, "sinkhorn: report after the refusal");
    expect(rep.termination == NKS_TERMINATION_CONVERGED_ATOL, "sinkhorn: the report is the previous solve's");

    /* The iteration limit: a positive status with usable potentials. */
    expect_status(nks_sinkhorn_set_option(h, "max_iterations", 1), NKS_OK, "sinkhorn: max_iterations 1");
    expect_status(nks_sinkhorn_set_option(h, "tol", 1e-15), NKS_OK, "sinkhorn: tol 1e-15");
    expect_status(nks_sinkhorn_solve_dense(h, 2, 3, a, b, c, 2, f, g), NKS_MAX_ITERATIONS, "sinkhorn: capped solve");
    expect_status(nks_sinkhorn_get_report(h, &rep), NKS_OK, "sinkhorn: report of the capped solve");
    expect(rep.status == NKS_MAX_ITERATIONS && rep.termination == NKS_TERMINATION_MAX_ITERATIONS && rep.iterations == 1,
           "sinkhorn: the capped solve's report");
    expect(isfinite(f[0]) && isfinite(f[1]) && isfinite(g[0]), "sinkhorn: the capped solve writes finite potentials");

    /* A non-finite initial guess is refused when it is used. */
    expect_status(nks_sinkhorn_set_option(h, "use_initial_guess", 1), NKS_OK, "sinkhorn: use_initial_guess");
    g[1] = NAN;
    f[0] = 3.0;
    expect_status(nks_sinkhorn_solve_dense(h, 2, 3, a, b, c, 2, f, g), NKS_ERR_NON_FINITE,
                  "sinkhorn: NaN initial guess");
    expect(f[0] == 3.0, "sinkhorn: f untouched after the NaN initial guess");

    nks_sinkhorn_free(h);
    nks_sinkhorn_free(NULL);
}

/* The nks_newton oracles of f(x) = sum_i (x_i - c_i)^2, c = (1, 2, 3), for the error paths: the
   objective can fail once with a chosen code, and can call back into its own handle. */
typedef struct {
    int calls;           /* objective calls so far */
    int fail_call;       /* the objective returns fail_code at this call (1-based); 0: never */
    int fail_code;
    nks_newton *reenter; /* when set, the objective calls nks_newton_get_report on it */
    nks_status reenter_status;
    int reenter_message; /* whether that refusal left a non-empty message */
} newton_problem;

static const double newton_c[3] = {1.0, 2.0, 3.0};

static int newton_value(const double *x, size_t n, double *f, void *user_data) {
    newton_problem *p = (newton_problem *)user_data;
    double sum = 0.0;
    size_t i;
    if (++p->calls == p->fail_call) return p->fail_code;
    if (p->reenter != NULL) {
        nks_newton_report inner;
        p->reenter_status = nks_newton_get_report(p->reenter, &inner);
        p->reenter_message = strlen(nks_last_error_message()) > 0;
    }
    for (i = 0; i < n; ++i) sum += (x[i] - newton_c[i]) * (x[i] - newton_c[i]);
    *f = sum;
    return 0;
}

static int newton_gradient(const double *x, size_t n, double *g, void *user_data) {
    size_t i;
    (void)user_data;
    for (i = 0; i < n; ++i) g[i] = 2.0 * (x[i] - newton_c[i]);
    return 0;
}

static int newton_hessian_vector(const double *x, const double *v, size_t n, double *hv, void *user_data) {
    size_t i;
    (void)x;
    (void)user_data;
    for (i = 0; i < n; ++i) hv[i] = 2.0 * v[i];
    return 0;
}

static int newton_precond(const double *x, const double *r, size_t n, double *z, void *user_data) {
    size_t i;
    (void)x;
    (void)user_data;
    for (i = 0; i < n; ++i) z[i] = 0.5 * r[i];
    return 0;
}

static int newton_stop(const nks_newton_report *r, const double *x, size_t n, void *user_data) {
    (void)r;
    (void)x;
    (void)n;
    (void)user_data;
    return 1;
}

static void newton_reset(double *x, newton_problem *p) {
    size_t i;
    for (i = 0; i < 3; ++i) x[i] = 0.5;
    p->calls = 0;
    p->fail_call = 0;
    p->fail_code = 0;
    p->reenter = NULL;
    p->reenter_status = NKS_OK;
    p->reenter_message = 0;
}

static int newton_is_solution(const double *x) {
    return fabs(x[0] - 1.0) < 1e-8 && fabs(x[1] - 2.0) < 1e-8 && fabs(x[2] - 3.0) < 1e-8;
}

/* The nks_newton error paths on a 3-variable quadratic: refusals return their status with a
   message and leave x untouched; callback failures and refusals behave as documented. */
static void newton_errors(void) {
    double x[3], nan_x[3] = {0.5, NAN, 0.5}, point[3], got = -1.0;
    newton_problem p;
    nks_newton *h = NULL;
    nks_newton_report rep;
    size_t i;

    newton_reset(x, &p);
    expect_status(nks_newton_new(NULL), NKS_ERR_NULL_POINTER, "newton: NULL out");
    expect_status(nks_newton_new(&h), NKS_OK, "newton: new");

    /* No oracles yet. */
    expect_status(nks_newton_solve(h, 3, x), NKS_ERR_INVALID_STATE, "newton: solve with no oracles");
    expect(strstr(nks_last_error_message(), "nks_newton_set_oracles") != NULL,
           "newton: message says to set the oracles");
    expect_status(nks_newton_get_point(h, 3, point), NKS_ERR_INVALID_STATE, "newton: get_point before any solve");

    /* Oracles. */
    expect_status(nks_newton_set_oracles(h, newton_value, newton_gradient, NULL, NULL, &p), NKS_ERR_NULL_POINTER,
                  "newton: NULL hessian_vector");
    expect(strstr(nks_last_error_message(), "hessian_vector") != NULL, "newton: message names hessian_vector");
    expect_status(nks_newton_set_oracles(h, NULL, newton_gradient, NULL, newton_hessian_vector, &p),
                  NKS_ERR_NULL_POINTER, "newton: no objective");
    expect_status(nks_newton_set_oracles(h, newton_value, NULL, NULL, newton_hessian_vector, &p),
                  NKS_ERR_NULL_POINTER, "newton: no gradient");
    expect_status(nks_newton_set_oracles(NULL, newton_value, newton_gradient, NULL, newton_hessian_vector, &p),
                  NKS_ERR_NULL_POINTER, "newton: set_oracles NULL handle");
    expect_status(nks_newton_solve(h, 3, x), NKS_ERR_INVALID_STATE, "newton: refused oracles are not set");
    expect_status(nks_newton_set_oracles(h, newton_value, newton_gradient, NULL, newton_hessian_vector, &p), NKS_OK,
                  "newton: set_oracles");

    /* Options. */
    expect_status(nks_newton_set_option(h, "no_such_option", 1.0), NKS_ERR_UNKNOWN_OPTION, "newton: unknown option");
    expect(strstr(nks_last_error_message(), "gatol") != NULL, "newton: unknown option message lists the names");
    expect_status(nks_newton_get_option(h, "no_such_option", &got), NKS_ERR_UNKNOWN_OPTION,
                  "newton: get unknown option");
    expect(got == -1.0, "newton: value untouched on failure");
    expect_status(nks_newton_get_option(h, "gatol", NULL), NKS_ERR_NULL_POINTER, "newton: get_option NULL value");
    expect_status(nks_newton_set_option(h, NULL, 1.0), NKS_ERR_NULL_POINTER, "newton: NULL option name");
    expect_status(nks_newton_set_option(h, "gatol", -1.0), NKS_ERR_INVALID_ARGUMENT, "newton: gatol -1");
    expect(strstr(nks_last_error_message(), "gatol") != NULL, "newton: message names gatol");
    expect_status(nks_newton_get_option(h, "gatol", &got), NKS_OK, "newton: get gatol");
    expect(got == 1e-8, "newton: a refused value keeps the default gatol 1e-8");
    expect_status(nks_newton_set_option(h, "method", 7), NKS_ERR_INVALID_ARGUMENT, "newton: method 7");
    expect_status(nks_newton_set_option(h, "max_iterations", 0), NKS_ERR_INVALID_ARGUMENT,
                  "newton: max_iterations 0");
    expect_status(nks_newton_set_option(h, "initial_radius", NAN), NKS_ERR_INVALID_ARGUMENT,
                  "newton: initial_radius NaN");
    expect_status(nks_newton_get_option(h, "method", &got), NKS_OK, "newton: get method");
    expect(got == NKS_NEWTON_TRUST_REGION, "newton: a refused method keeps the trust region");
    expect_status(nks_newton_set_option(h, "method", NKS_NEWTON_LINE_SEARCH), NKS_OK, "newton: method line search");
    expect_status(nks_newton_get_option(h, "method", &got), NKS_OK, "newton: get method");
    expect(got == NKS_NEWTON_LINE_SEARCH, "newton: get_option reads back the line search");
    expect_status(nks_newton_set_option(h, "method", NKS_NEWTON_TRUST_REGION), NKS_OK, "newton: method trust region");

    /* Bad x, refused before any oracle call. */
    expect_status(nks_newton_solve(h, 0, x), NKS_ERR_INVALID_ARGUMENT, "newton: n = 0");
    expect_status(nks_newton_solve(h, 3, NULL), NKS_ERR_NULL_POINTER, "newton: NULL x");
    expect_status(nks_newton_solve(h, 3, nan_x), NKS_ERR_NON_FINITE, "newton: NaN in x");
    expect(nan_x[0] == 0.5 && isnan(nan_x[1]) && nan_x[2] == 0.5, "newton: x untouched after the NaN refusal");
    expect(p.calls == 0, "newton: no oracle called by the refusals");
    for (i = 0; i < 3; ++i) expect(x[i] == 0.5, "newton: x untouched after refusals");
    expect_status(nks_newton_get_point(h, 3, point), NKS_ERR_INVALID_STATE, "newton: still no point after refusals");

    /* The objective aborts (-7) at the first trial point: x untouched, the start is the last
       accepted point. */
    newton_reset(x, &p);
    p.fail_call = 2; /* call 1 evaluates the start */
    p.fail_code = -7;
    expect_status(nks_newton_solve(h, 3, x), NKS_ERR_CALLBACK, "newton: objective returns -7");
    expect(strstr(nks_last_error_message(), "-7") != NULL, "newton: message has the code");
    expect_status(nks_newton_get_report(h, &rep), NKS_OK, "newton: report after the abort");
    expect(rep.callback_code == -7 && rep.status == NKS_ERR_CALLBACK
           && rep.termination == NKS_TERMINATION_CALLBACK_FAILED, "newton: the code is in the report");
    for (i = 0; i < 3; ++i) expect(x[i] == 0.5, "newton: x untouched after the callback abort");
    for (i = 0; i < 3; ++i) point[i] = -1.0;
    expect_status(nks_newton_get_point(h, 2, point), NKS_ERR_DIMENSION_MISMATCH, "newton: get_point with n = 2");
    expect(point[0] == -1.0, "newton: point untouched by the refusal");
    expect_status(nks_newton_get_point(h, 3, NULL), NKS_ERR_NULL_POINTER, "newton: get_point NULL x");
    expect_status(nks_newton_get_point(h, 3, point), NKS_OK, "newton: get_point after the abort");
    for (i = 0; i < 3; ++i) expect(point[i] == 0.5, "newton: the last accepted point is the start");

    /* The objective cannot evaluate (+1) the first trial point: the solver steps back and
       converges. */
    newton_reset(x, &p);
    p.fail_call = 2;
    p.fail_code = 1;
    expect_status(nks_newton_solve(h, 3, x), NKS_OK, "newton: objective returns +1 once");
    expect_status(nks_newton_get_report(h, &rep), NKS_OK, "newton: report after the refused point");
    expect(rep.failed_evaluations >= 1 && rep.callback_code == 0 && rep.gradient_norm <= 1e-8
           && (rep.termination == NKS_TERMINATION_CONVERGED_ATOL || rep.termination == NKS_TERMINATION_CONVERGED_RTOL),
           "newton: the refused point is counted and the solve converges");
    expect(newton_is_solution(x), "newton: the minimiser (1, 2, 3)");
    expect_status(nks_newton_get_point(h, 3, point), NKS_OK, "newton: get_point after the converged solve");
    expect(point[0] == x[0] && point[1] == x[1] && point[2] == x[2], "newton: get_point gives the minimiser");

    /* A preconditioner is called, and removed with NULL. */
    newton_reset(x, &p);
    expect_status(nks_newton_set_preconditioner(h, newton_precond, NULL), NKS_OK, "newton: preconditioner");
    expect_status(nks_newton_solve(h, 3, x), NKS_OK, "newton: preconditioned solve");
    expect_status(nks_newton_get_report(h, &rep), NKS_OK, "newton: report of the preconditioned solve");
    expect(rep.preconditioner_calls > 0 && newton_is_solution(x), "newton: the preconditioner was used");
    expect_status(nks_newton_set_preconditioner(h, NULL, NULL), NKS_OK, "newton: remove the preconditioner");

    /* The monitor stops the solve: x untouched. */
    newton_reset(x, &p);
    expect_status(nks_newton_set_monitor(h, newton_stop, NULL), NKS_OK, "newton: monitor");
    expect_status(nks_newton_solve(h, 3, x), NKS_ERR_ABORTED, "newton: monitor returns 1");
    for (i = 0; i < 3; ++i) expect(x[i] == 0.5, "newton: x untouched after the monitor stop");
    expect_status(nks_newton_get_report(h, &rep), NKS_OK, "newton: report after the monitor stop");
    expect(rep.status == NKS_ERR_ABORTED && rep.termination == NKS_TERMINATION_MONITOR_STOP,
           "newton: report of the monitor stop");
    expect_status(nks_newton_set_monitor(h, NULL, NULL), NKS_OK, "newton: remove the monitor");

    /* A call into the handle from inside its own callback is refused; the solve goes on. */
    newton_reset(x, &p);
    p.reenter = h;
    expect_status(nks_newton_solve(h, 3, x), NKS_OK, "newton: solve with a re-entrant objective");
    expect(p.reenter_status == NKS_ERR_INVALID_STATE, "newton: get_report from inside a callback is refused");
    expect(p.reenter_message, "newton: the re-entrant refusal leaves a message");
    expect(newton_is_solution(x), "newton: the re-entrant solve still converges");

    nks_newton_free(h);
    nks_newton_free(NULL);
}

/* The nks_nonlinear oracles of the square system F_i(x) = x_i + x_i^3 / 10 - c_i, c = (1, 2, 3)
   (its Jacobian diag(1 + 3 x_i^2 / 10) is symmetric, so J^T w = J w), for the error paths: the
   residual can fail once with a chosen code, the products can fail, and the residual can call
   back into its own handle (to read its report, or to free it). */
typedef struct {
    int calls;                  /* residual calls so far */
    int fail_call;              /* the residual returns fail_code at this call (1-based); 0: never */
    int fail_code;
    int product_code;           /* what the J v and J^T w callbacks return (0: success) */
    nks_nonlinear *reenter;     /* when set, the residual calls nks_nonlinear_get_report on it */
    nks_status reenter_status;
    int reenter_message;        /* whether that refusal left a non-empty message */
    nks_nonlinear *free_inside; /* when set, the residual calls nks_nonlinear_free on it */
    int free_refused;           /* whether that free left the "busy" message */
} nonlinear_problem;

static const double nonlinear_c[3] = {1.0, 2.0, 3.0};

static int nonlinear_residual(const double *x, size_t n, double *f, size_t m, void *user_data) {
    nonlinear_problem *p = (nonlinear_problem *)user_data;
    size_t i;
    (void)m;
    if (++p->calls == p->fail_call) return p->fail_code;
    if (p->reenter != NULL) {
        nks_nonlinear_report inner;
        p->reenter_status = nks_nonlinear_get_report(p->reenter, &inner);
        p->reenter_message = strlen(nks_last_error_message()) > 0;
    }
    if (p->free_inside != NULL) {
        /* Must free nothing: the handle is solving. valgrind reports any use after free. */
        nks_nonlinear_free(p->free_inside);
        p->free_refused = strstr(nks_last_error_message(), "busy") != NULL;
    }
    for (i = 0; i < n; ++i) f[i] = x[i] + 0.1 * x[i] * x[i] * x[i] - nonlinear_c[i];
    return 0;
}

static int nonlinear_jacobian_vector(const double *x, const double *v, size_t n, double *jv, size_t m,
                                     void *user_data) {
    const nonlinear_problem *p = (const nonlinear_problem *)user_data;
    size_t i;
    (void)m;
    if (p->product_code != 0) return p->product_code;
    for (i = 0; i < n; ++i) jv[i] = (1.0 + 0.3 * x[i] * x[i]) * v[i];
    return 0;
}

static int nonlinear_jacobian_transpose(const double *x, const double *w, size_t m, double *jtw, size_t n,
                                        void *user_data) {
    /* J is symmetric (diagonal): J^T w = J w. */
    return nonlinear_jacobian_vector(x, w, n, jtw, m, user_data);
}

/* The exact inverse of the diagonal Jacobian. */
static int nonlinear_precond(const double *x, const double *r, size_t n, double *z, void *user_data) {
    size_t i;
    (void)user_data;
    for (i = 0; i < n; ++i) z[i] = r[i] / (1.0 + 0.3 * x[i] * x[i]);
    return 0;
}

static int nonlinear_stop(const nks_nonlinear_report *r, const double *x, size_t n, void *user_data) {
    (void)r;
    (void)x;
    (void)n;
    (void)user_data;
    return 1;
}

static void nonlinear_reset(double *x, nonlinear_problem *p) {
    size_t i;
    for (i = 0; i < 3; ++i) x[i] = 0.5;
    memset(p, 0, sizeof *p);
    p->reenter_status = NKS_OK;
}

/* Whether |F_i(x)| <= 1e-7 for all i (the default tolerances stop at 1e-8 ||F(0.5)|| ~ 3e-8). */
static int nonlinear_is_solution(const double *x) {
    size_t i;
    for (i = 0; i < 3; ++i) {
        if (!(fabs(x[i] + 0.1 * x[i] * x[i] * x[i] - nonlinear_c[i]) <= 1e-7)) return 0;
    }
    return 1;
}

/* The nks_nonlinear option and argument refusals, before any solve. */
static void nonlinear_refusals(nks_nonlinear *h, nonlinear_problem *p, double *x) {
    double nan_x[3] = {0.5, NAN, 0.5}, point[3] = {-1.0, -1.0, -1.0}, got = -1.0;
    nks_nonlinear_report rep;
    nks_nonlinear_step step;
    size_t i;

    /* No oracles yet; no solve has run. */
    expect_status(nks_nonlinear_solve(h, 3, x), NKS_ERR_INVALID_STATE, "nonlinear: solve with no oracles");
    expect(strstr(nks_last_error_message(), "nks_nonlinear_set_oracles") != NULL,
           "nonlinear: message says to set the oracles");
    expect_status(nks_nonlinear_get_point(h, 3, point), NKS_ERR_INVALID_STATE, "nonlinear: get_point before any solve");
    expect(point[0] == -1.0, "nonlinear: point untouched before any solve");
    expect_status(nks_nonlinear_get_report(h, &rep), NKS_OK, "nonlinear: report before any solve");
    expect(rep.termination == NKS_TERMINATION_NOT_STARTED && rep.iterations == 0 && rep.steps == 0
           && rep.method == NKS_NONLINEAR_NEWTON_KRYLOV, "nonlinear: the report is not started");
    step.inner_iterations = 77;
    expect_status(nks_nonlinear_get_step(h, 0, &step), NKS_ERR_INVALID_ARGUMENT, "nonlinear: get_step before any solve");
    expect(strstr(nks_last_error_message(), "0 step records") != NULL, "nonlinear: message gives the count");
    expect(step.inner_iterations == 77, "nonlinear: step untouched by the refusal");

    /* NULL handles and outputs. */
    expect_status(nks_nonlinear_set_oracles(NULL, 0, nonlinear_residual, NULL, NULL, p), NKS_ERR_NULL_POINTER,
                  "nonlinear: set_oracles NULL handle");
    expect_status(nks_nonlinear_set_oracles(h, 0, NULL, nonlinear_jacobian_vector, NULL, p), NKS_ERR_NULL_POINTER,
                  "nonlinear: NULL residual");
    expect(strstr(nks_last_error_message(), "residual") != NULL, "nonlinear: message names the residual");
    expect_status(nks_nonlinear_solve(h, 3, x), NKS_ERR_INVALID_STATE, "nonlinear: refused oracles are not set");
    expect_status(nks_nonlinear_set_preconditioner(NULL, nonlinear_precond, NULL), NKS_ERR_NULL_POINTER,
                  "nonlinear: set_preconditioner NULL handle");
    expect_status(nks_nonlinear_set_monitor(NULL, nonlinear_stop, NULL), NKS_ERR_NULL_POINTER,
                  "nonlinear: set_monitor NULL handle");
    expect_status(nks_nonlinear_set_option(NULL, "fatol", 1e-9), NKS_ERR_NULL_POINTER, "nonlinear: set_option NULL handle");
    expect_status(nks_nonlinear_get_option(NULL, "fatol", &got), NKS_ERR_NULL_POINTER, "nonlinear: get_option NULL handle");
    expect_status(nks_nonlinear_solve(NULL, 3, x), NKS_ERR_NULL_POINTER, "nonlinear: solve NULL handle");
    expect_status(nks_nonlinear_get_report(NULL, &rep), NKS_ERR_NULL_POINTER, "nonlinear: get_report NULL handle");
    expect_status(nks_nonlinear_get_report(h, NULL), NKS_ERR_NULL_POINTER, "nonlinear: get_report NULL out");
    expect_status(nks_nonlinear_get_step(NULL, 0, &step), NKS_ERR_NULL_POINTER, "nonlinear: get_step NULL handle");
    expect_status(nks_nonlinear_get_point(NULL, 3, point), NKS_ERR_NULL_POINTER, "nonlinear: get_point NULL handle");
    expect_status(nks_nonlinear_clear_recycle_space(NULL), NKS_ERR_NULL_POINTER,
                  "nonlinear: clear_recycle_space NULL handle");

    /* Options: unknown names, out-of-range values (the option keeps its value), round trips. */
    expect_status(nks_nonlinear_set_option(h, "no_such_option", 1.0), NKS_ERR_UNKNOWN_OPTION,
                  "nonlinear: unknown option");
    expect(strstr(nks_last_error_message(), "fatol") != NULL, "nonlinear: unknown option message lists the names");
    expect_status(nks_nonlinear_get_option(h, "no_such_option", &got), NKS_ERR_UNKNOWN_OPTION,
                  "nonlinear: get unknown option");
    expect(got == -1.0, "nonlinear: value untouched on failure");
    expect_status(nks_nonlinear_get_option(h, "fatol", NULL), NKS_ERR_NULL_POINTER, "nonlinear: get_option NULL value");
    expect_status(nks_nonlinear_set_option(h, NULL, 1.0), NKS_ERR_NULL_POINTER, "nonlinear: NULL option name");
    expect_status(nks_nonlinear_set_option(h, "fatol", -1.0), NKS_ERR_INVALID_ARGUMENT, "nonlinear: fatol -1");
    expect(strstr(nks_last_error_message(), "fatol") != NULL, "nonlinear: message names fatol");
    expect_status(nks_nonlinear_get_option(h, "fatol", &got), NKS_OK, "nonlinear: get fatol");
    expect(got == 1e-10, "nonlinear: a refused value keeps the default fatol 1e-10");
    expect_status(nks_nonlinear_set_option(h, "method", 2), NKS_ERR_INVALID_ARGUMENT, "nonlinear: method 2");
    expect_status(nks_nonlinear_set_option(h, "krylov_method", 2), NKS_ERR_INVALID_ARGUMENT,
                  "nonlinear: krylov_method 2 (CG)");
    expect(strstr(nks_last_error_message(), "GCRO-DR") != NULL, "nonlinear: message gives the inner solvers");
    expect_status(nks_nonlinear_set_option(h, "restart", 1), NKS_ERR_INVALID_ARGUMENT, "nonlinear: restart 1");
    expect_status(nks_nonlinear_set_option(h, "max_iterations", 0), NKS_ERR_INVALID_ARGUMENT,
                  "nonlinear: max_iterations 0");
    expect_status(nks_nonlinear_set_option(h, "forcing_value", NAN), NKS_ERR_INVALID_ARGUMENT,
                  "nonlinear: forcing_value NaN");
    expect_status(nks_nonlinear_set_option(h, "lm_eta", 3.0), NKS_ERR_INVALID_ARGUMENT, "nonlinear: lm_eta 3");
    expect_status(nks_nonlinear_get_option(h, "method", &got), NKS_OK, "nonlinear: get method");
    expect(got == NKS_NONLINEAR_NEWTON_KRYLOV, "nonlinear: a refused method keeps Newton-Krylov");
    expect_status(nks_nonlinear_get_option(h, "krylov_method", &got), NKS_OK, "nonlinear: get krylov_method");
    expect(got == NKS_KRYLOV_GCRODR, "nonlinear: the default inner solver is GCRO-DR");
    expect_status(nks_nonlinear_set_option(h, "method", NKS_NONLINEAR_LEVENBERG_MARQUARDT), NKS_OK,
                  "nonlinear: method Levenberg-Marquardt");
    expect_status(nks_nonlinear_get_option(h, "method", &got), NKS_OK, "nonlinear: get method");
    expect(got == NKS_NONLINEAR_LEVENBERG_MARQUARDT, "nonlinear: get_option reads back Levenberg-Marquardt");
    expect_status(nks_nonlinear_set_option(h, "method", NKS_NONLINEAR_NEWTON_KRYLOV), NKS_OK,
                  "nonlinear: method Newton-Krylov");

    /* Bad x, refused before any callback. */
    expect_status(nks_nonlinear_set_oracles(h, 0, nonlinear_residual, NULL, NULL, p), NKS_OK,
                  "nonlinear: set_oracles residual only");
    expect_status(nks_nonlinear_solve(h, 0, x), NKS_ERR_INVALID_ARGUMENT, "nonlinear: n = 0");
    expect(strstr(nks_last_error_message(), "n = 0") != NULL, "nonlinear: message names n");
    expect_status(nks_nonlinear_solve(h, 3, NULL), NKS_ERR_NULL_POINTER, "nonlinear: NULL x");
    expect_status(nks_nonlinear_solve(h, 3, nan_x), NKS_ERR_NON_FINITE, "nonlinear: NaN in x");
    expect(nan_x[0] == 0.5 && isnan(nan_x[1]) && nan_x[2] == 0.5, "nonlinear: x untouched after the NaN refusal");

    /* Newton-Krylov needs a square system; Levenberg-Marquardt needs J^T w. */
    expect_status(nks_nonlinear_set_oracles(h, 5, nonlinear_residual, NULL, NULL, p), NKS_OK,
                  "nonlinear: set_oracles m = 5");
    expect_status(nks_nonlinear_solve(h, 3, x), NKS_ERR_DIMENSION_MISMATCH, "nonlinear: Newton-Krylov with m = 5, n = 3");
    expect(strstr(nks_last_error_message(), "m = 5") != NULL, "nonlinear: message names m");
    expect_status(nks_nonlinear_set_oracles(h, 0, nonlinear_residual, nonlinear_jacobian_vector, NULL, p), NKS_OK,
                  "nonlinear: set_oracles without J^T w");
    expect_status(nks_nonlinear_set_option(h, "method", NKS_NONLINEAR_LEVENBERG_MARQUARDT), NKS_OK,
                  "nonlinear: method Levenberg-Marquardt");
    expect_status(nks_nonlinear_solve(h, 3, x), NKS_ERR_INVALID_ARGUMENT,
                  "nonlinear: Levenberg-Marquardt without jacobian_transpose");
    expect(strstr(nks_last_error_message(), "J^T w") != NULL, "nonlinear: message names J^T w");
    expect_status(nks_nonlinear_set_option(h, "method", NKS_NONLINEAR_NEWTON_KRYLOV), NKS_OK,
                  "nonlinear: method Newton-Krylov");

    expect(p->calls == 0, "nonlinear: no callback called by the refusals");
    for (i = 0; i < 3; ++i) expect(x[i] == 0.5, "nonlinear: x untouched after refusals");
    expect_status(nks_nonlinear_get_point(h, 3, point), NKS_ERR_INVALID_STATE, "nonlinear: still no point after refusals");
}

/* The nks_nonlinear error paths on the 3-unknown system: refusals return their status with a
   message and leave x untouched; callback failures, the monitor and calls from inside the
   callbacks behave as documented. */
static void nonlinear_errors(void) {
    double x[3], point[3];
    nonlinear_problem p;
    nks_nonlinear *h = NULL;
    nks_nonlinear_report rep;
    nks_nonlinear_step step;
    size_t i;

    nonlinear_reset(x, &p);
    expect_status(nks_nonlinear_new(NULL), NKS_ERR_NULL_POINTER, "nonlinear: NULL out");
    expect_status(nks_nonlinear_new(&h), NKS_OK, "nonlinear: new");
    nonlinear_refusals(h, &p, x);
    expect_status(nks_nonlinear_set_oracles(h, 0, nonlinear_residual, NULL, NULL, &p), NKS_OK,
                  "nonlinear: set_oracles residual only");

    /* The residual aborts (-3) at its second call (the first finite-difference product): x
       untouched, the code in the report, the start is the last accepted point. */
    nonlinear_reset(x, &p);
    p.fail_call = 2; /* call 1 evaluates the start */
    p.fail_code = -3;
    expect_status(nks_nonlinear_solve(h, 3, x), NKS_ERR_CALLBACK, "nonlinear: residual returns -3");
    expect(strstr(nks_last_error_message(), "-3") != NULL, "nonlinear: message has the code");
    expect_status(nks_nonlinear_get_report(h, &rep), NKS_OK, "nonlinear: report after the abort");
    expect(rep.callback_code == -3 && rep.status == NKS_ERR_CALLBACK
           && rep.termination == NKS_TERMINATION_CALLBACK_FAILED, "nonlinear: the code -3 is in the report");
    for (i = 0; i < 3; ++i) expect(x[i] == 0.5, "nonlinear: x untouched after the callback abort");
    for (i = 0; i < 3; ++i) point[i] = -1.0;
    expect_status(nks_nonlinear_get_point(h, 2, point), NKS_ERR_DIMENSION_MISMATCH, "nonlinear: get_point with n = 2");
    expect(point[0] == -1.0, "nonlinear: point untouched by the refusal");
    expect_status(nks_nonlinear_get_point(h, 3, NULL), NKS_ERR_NULL_POINTER, "nonlinear: get_point NULL x");
    expect_status(nks_nonlinear_get_point(h, 3, point), NKS_OK, "nonlinear: get_point after the abort");
    for (i = 0; i < 3; ++i) expect(point[i] == 0.5, "nonlinear: the last accepted point is the start");

    /* The residual cannot evaluate (+1) the starting point: nothing to step back from. */
    nonlinear_reset(x, &p);
    p.fail_call = 1;
    p.fail_code = 1;
    expect_status(nks_nonlinear_solve(h, 3, x), NKS_ERR_CALLBACK, "nonlinear: residual returns +1 at the start");
    expect(strstr(nks_last_error_message(), "returned 1") != NULL, "nonlinear: message names the code");
    for (i = 0; i < 3; ++i) expect(x[i] == 0.5, "nonlinear: x untouched after the refused start");

    /* The residual cannot evaluate (+1) a finite-difference point once: the solver goes the
       other way and converges. The step records and the last point are then readable. */
    nonlinear_reset(x, &p);
    p.fail_call = 2;
    p.fail_code = 1;
    expect_status(nks_nonlinear_solve(h, 3, x), NKS_OK, "nonlinear: residual returns +1 once");
    expect_status(nks_nonlinear_get_report(h, &rep), NKS_OK, "nonlinear: report after the refused point");
    expect(rep.failed_evaluations >= 1 && rep.callback_code == 0 && rep.fd_products > 0
           && rep.jacobian_vector_calls == 0 && rep.steps == rep.iterations && rep.steps > 0
           && (rep.termination == NKS_TERMINATION_CONVERGED_ATOL || rep.termination == NKS_TERMINATION_CONVERGED_RTOL),
           "nonlinear: the refused point is counted and the solve converges");
    expect(nonlinear_is_solution(x), "nonlinear: F(x) = 0");
    expect_status(nks_nonlinear_get_point(h, 3, point), NKS_OK, "nonlinear: get_point after the converged solve");
    expect(point[0] == x[0] && point[1] == x[1] && point[2] == x[2], "nonlinear: get_point gives the solution");
    expect_status(nks_nonlinear_get_step(h, rep.steps - 1, &step), NKS_OK, "nonlinear: get_step of the last step");
    expect(step.inner_iterations > 0 && step.step_length > 0.0 && step.lm_parameter == 0.0,
           "nonlinear: the last step record");
    step.inner_iterations = 77;
    expect_status(nks_nonlinear_get_step(h, rep.steps, &step), NKS_ERR_INVALID_ARGUMENT,
                  "nonlinear: get_step with k = steps");
    expect(step.inner_iterations == 77, "nonlinear: step untouched by the refusal");
    expect_status(nks_nonlinear_get_step(h, 0, NULL), NKS_ERR_NULL_POINTER, "nonlinear: get_step NULL out");
    expect_status(nks_nonlinear_clear_recycle_space(h), NKS_OK, "nonlinear: clear_recycle_space");
    expect_status(nks_nonlinear_get_report(h, &rep), NKS_OK, "nonlinear: report after clear_recycle_space");
    expect(rep.recycled_vectors == 0, "nonlinear: clear_recycle_space leaves no recycled vectors");

    /* A J v callback that fails (+2, at an accepted point, where stepping back cannot help). */
    nonlinear_reset(x, &p);
    p.product_code = 2;
    expect_status(nks_nonlinear_set_oracles(h, 0, nonlinear_residual, nonlinear_jacobian_vector,
                                            nonlinear_jacobian_transpose, &p),
                  NKS_OK, "nonlinear: set_oracles with J v and J^T w");
    expect_status(nks_nonlinear_solve(h, 3, x), NKS_ERR_CALLBACK, "nonlinear: J v returns +2");
    expect_status(nks_nonlinear_get_report(h, &rep), NKS_OK, "nonlinear: report after the J v failure");
    expect(rep.callback_code == 2 && rep.jacobian_vector_calls == 1, "nonlinear: the J v code is in the report");
    for (i = 0; i < 3; ++i) expect(x[i] == 0.5, "nonlinear: x untouched after the J v failure");

    /* Levenberg-Marquardt with both products converges; its J^T w failing (-5) aborts. */
    nonlinear_reset(x, &p);
    expect_status(nks_nonlinear_set_option(h, "method", NKS_NONLINEAR_LEVENBERG_MARQUARDT), NKS_OK,
                  "nonlinear: method Levenberg-Marquardt");
    expect_status(nks_nonlinear_solve(h, 3, x), NKS_OK, "nonlinear: Levenberg-Marquardt solve");
    expect_status(nks_nonlinear_get_report(h, &rep), NKS_OK, "nonlinear: report of the Levenberg-Marquardt solve");
    expect(rep.method == NKS_NONLINEAR_LEVENBERG_MARQUARDT && rep.jacobian_transpose_calls > 0
           && nonlinear_is_solution(x), "nonlinear: Levenberg-Marquardt used J^T w and solved F(x) = 0");
    nonlinear_reset(x, &p);
    p.product_code = -5;
    expect_status(nks_nonlinear_solve(h, 3, x), NKS_ERR_CALLBACK, "nonlinear: J^T w returns -5");
    expect_status(nks_nonlinear_get_report(h, &rep), NKS_OK, "nonlinear: report after the J^T w failure");
    expect(rep.callback_code == -5, "nonlinear: the J^T w code is in the report");
    for (i = 0; i < 3; ++i) expect(x[i] == 0.5, "nonlinear: x untouched after the J^T w failure");
    expect_status(nks_nonlinear_set_option(h, "method", NKS_NONLINEAR_NEWTON_KRYLOV), NKS_OK,
                  "nonlinear: method Newton-Krylov");

    /* A preconditioner is called, and removed with NULL. */
    nonlinear_reset(x, &p);
    expect_status(nks_nonlinear_set_preconditioner(h, nonlinear_precond, NULL), NKS_OK, "nonlinear: preconditioner");
    expect_status(nks_nonlinear_solve(h, 3, x), NKS_OK, "nonlinear: preconditioned solve");
    expect_status(nks_nonlinear_get_report(h, &rep), NKS_OK, "nonlinear: report of the preconditioned solve");
    expect(rep.preconditioner_calls > 0 && nonlinear_is_solution(x), "nonlinear: the preconditioner was used");
    expect_status(nks_nonlinear_set_preconditioner(h, NULL, NULL), NKS_OK, "nonlinear: remove the preconditioner");

    /* The monitor stops the solve: x untouched. */
    nonlinear_reset(x, &p);
    expect_status(nks_nonlinear_set_monitor(h, nonlinear_stop, NULL), NKS_OK, "nonlinear: monitor");
    expect_status(nks_nonlinear_solve(h, 3, x), NKS_ERR_ABORTED, "nonlinear: monitor returns 1");
    for (i = 0; i < 3; ++i) expect(x[i] == 0.5, "nonlinear: x untouched after the monitor stop");
    expect_status(nks_nonlinear_get_report(h, &rep), NKS_OK, "nonlinear: report after the monitor stop");
    expect(rep.status == NKS_ERR_ABORTED && rep.termination == NKS_TERMINATION_MONITOR_STOP && rep.iterations == 1,
           "nonlinear: report of the monitor stop");
    expect_status(nks_nonlinear_set_monitor(h, NULL, NULL), NKS_OK, "nonlinear: remove the monitor");

    /* A call into the handle from inside its own callback is refused; the solve goes on. */
    nonlinear_reset(x, &p);
    p.reenter = h;
    expect_status(nks_nonlinear_solve(h, 3, x), NKS_OK, "nonlinear: solve with a re-entrant residual");
    expect(p.reenter_status == NKS_ERR_INVALID_STATE, "nonlinear: get_report from inside a callback is refused");
    expect(p.reenter_message, "nonlinear: the re-entrant refusal leaves a message");
    expect(nonlinear_is_solution(x), "nonlinear: the re-entrant solve still converges");

    /* Freeing the handle from inside its own callback frees nothing: the solve goes on and the
       handle stays usable (valgrind would report a use after free). A different message is
       left first, so that the "busy" one is known to come from the free. */
    nonlinear_reset(x, &p);
    expect_status(nks_nonlinear_set_option(h, "no_such_option", 1.0), NKS_ERR_UNKNOWN_OPTION,
                  "nonlinear: leave a message before the free");
    p.free_inside = h;
    expect_status(nks_nonlinear_solve(h, 3, x), NKS_OK, "nonlinear: solve with a residual that frees the handle");
    expect(p.free_refused, "nonlinear: nks_nonlinear_free from inside a callback is refused with a message");
    expect(nonlinear_is_solution(x), "nonlinear: the solve goes on after the refused free");
    expect_status(nks_nonlinear_get_report(h, &rep), NKS_OK, "nonlinear: the handle is usable after the refused free");
    expect(rep.status == NKS_OK && rep.iterations > 0, "nonlinear: the report of that solve");

    nks_nonlinear_free(h);
    nks_nonlinear_free(NULL);
}

/* The nks_constrained oracles of Hock-Schittkowski 6, min (1 - x1)^2 s.t. 10 (x2 - x1^2) = 0
   (solution (1, 1)), for the error paths: the objective and the gradient can fail once with a
   chosen code, the monitor records the point it sees and can stop the solve, and can call back
   into its own handle (to read its report, or to free it). */
typedef struct {
    int calls;                    /* oracle calls of any kind so far */
    int objective_calls;
    int objective_fail_call;      /* the objective returns objective_fail_code at this call; 0: never */
    int objective_fail_code;
    int gradient_calls;
    int gradient_fail_call;       /* the gradient returns gradient_fail_code at this call; 0: never */
    int gradient_fail_code;
    size_t stop_at;               /* the monitor stops the solve at this iteration; 0: never */
    size_t monitor_calls;
    double monitor_x[2];          /* the point the monitor saw last */
    double monitor_lambda[1];
    int monitor_lengths_ok;       /* whether the monitor always got n = 2, m = 1 */
    nks_constrained *reenter;     /* when set, the monitor calls nks_constrained_get_report on it */
    nks_status reenter_status;
    int reenter_message;
    nks_constrained *free_inside; /* when set, the monitor calls nks_constrained_free on it */
    int free_refused;
    int values_calls;             /* sparse-row value callback calls */
    int precond_calls;
} constrained_problem;

static int constrained_objective(const double *x, size_t n, double *f, void *user_data) {
    constrained_problem *p = (constrained_problem *)user_data;
    (void)n;
    ++p->calls;
    if (++p->objective_calls == p->objective_fail_call) return p->objective_fail_code;
    *f = (1.0 - x[0]) * (1.0 - x[0]);
    return 0;
}

static int constrained_gradient(const double *x, size_t n, double *g, void *user_data) {
    constrained_problem *p = (constrained_problem *)user_data;
    (void)n;
    ++p->calls;
    if (++p->gradient_calls == p->gradient_fail_call) return p->gradient_fail_code;
    g[0] = -2.0 * (1.0 - x[0]);
    g[1] = 0.0;
    return 0;
}

static int constrained_constraints(const double *x, size_t n, double *c, size_t m, void *user_data) {
    constrained_problem *p = (constrained_problem *)user_data;
    (void)n;
    (void)m;
    ++p->calls;
    c[0] = 10.0 * (x[1] - x[0] * x[0]);
    return 0;
}

static int constrained_jacobian_vector(const double *x, const double *v, size_t n, double *jv, size_t m,
                                       void *user_data) {
    constrained_problem *p = (constrained_problem *)user_data;
    (void)n;
    (void)m;
    ++p->calls;
    jv[0] = -20.0 * x[0] * v[0] + 10.0 * v[1];
    return 0;
}

static int constrained_jacobian_transpose(const double *x, const double *w, size_t m, double *jtw, size_t n,
                                          void *user_data) {
    constrained_problem *p = (constrained_problem *)user_data;
    (void)m;
    (void)n;
    ++p->calls;
    jtw[0] = -20.0 * x[0] * w[0];
    jtw[1] = 10.0 * w[0];
    return 0;
}

static int constrained_hessian_vector(const double *x, const double *lambda, const double *v, size_t n, size_t m,
                                      double *hv, void *user_data) {
    constrained_problem *p = (constrained_problem *)user_data;
    (void)x;
    (void)n;
    (void)m;
    ++p->calls;
    hv[0] = (2.0 - 20.0 * lambda[0]) * v[0];
    hv[1] = 0.0;
    return 0;
}

static int constrained_jacobian_values(const double *x, size_t n, double *values, size_t nnz, void *user_data) {
    constrained_problem *p = (constrained_problem *)user_data;
    (void)n;
    (void)nnz;
    ++p->values_calls;
    values[0] = -20.0 * x[0];
    values[1] = 10.0;
    return 0;
}

static int constrained_hessian_values(const double *x, const double *lambda, size_t n, size_t m, double *values,
                                      size_t nnz, void *user_data) {
    constrained_problem *p = (constrained_problem *)user_data;
    (void)x;
    (void)n;
    (void)m;
    (void)nnz;
    ++p->values_calls;
    values[0] = 2.0 - 20.0 * lambda[0];
    values[1] = values[2] = values[3] = 0.0;
    return 0;
}

/* An SPD preconditioner for MINRES: the identity, counted. */
static int constrained_precond(const double *x, const double *lambda, const double *r, size_t n, size_t m, double *z,
                               void *user_data) {
    constrained_problem *p = (constrained_problem *)user_data;
    size_t i;
    (void)x;
    (void)lambda;
    ++p->precond_calls;
    for (i = 0; i < n + m; ++i) z[i] = r[i];
    return 0;
}

static int constrained_monitor(const nks_constrained_report *r, const double *x, size_t n, const double *lambda,
                               size_t m, void *user_data) {
    constrained_problem *p = (constrained_problem *)user_data;
    ++p->monitor_calls;
    p->monitor_lengths_ok &= n == 2 && m == 1 && r->status == 0 && r->termination == NKS_TERMINATION_NOT_STARTED
                             && r->iterations == p->monitor_calls;
    p->monitor_x[0] = x[0];
    p->monitor_x[1] = x[1];
    p->monitor_lambda[0] = lambda[0];
    if (p->reenter != NULL) {
        nks_constrained_report inner;
        p->reenter_status = nks_constrained_get_report(p->reenter, &inner);
        p->reenter_message = strlen(nks_last_error_message()) > 0;
    }
    if (p->free_inside != NULL) {
        /* Must free nothing: the handle is solving. valgrind reports any use after free. */
        nks_constrained_free(p->free_inside);
        p->free_refused = strstr(nks_last_error_message(), "busy") != NULL;
    }
    return p->stop_at != 0 && r->iterations >= p->stop_at;
}

/* The 1 x 2 Jacobian and the 2 x 2 Hessian of HS6 as dense sparse rows (0-based). */
static const int64_t constrained_jrp[] = {0, 2}, constrained_jci[] = {0, 1};
static const int64_t constrained_hrp[] = {0, 2, 4}, constrained_hci[] = {0, 1, 0, 1};

static void constrained_reset(double *x, double *lambda, constrained_problem *p) {
    x[0] = -1.2;
    x[1] = 1.0;
    lambda[0] = 0.0;
    memset(p, 0, sizeof *p);
    p->reenter_status = NKS_OK;
    p->monitor_lengths_ok = 1;
}

static nks_status constrained_set_hs6(nks_constrained *h, constrained_problem *p) {
    return nks_constrained_set_oracles(h, 1, constrained_objective, constrained_gradient, constrained_constraints,
                                       constrained_jacobian_vector, constrained_jacobian_transpose,
                                       constrained_hessian_vector, p);
}

static nks_status constrained_set_rows(nks_constrained *h, constrained_problem *p) {
    return nks_constrained_set_sparse_rows(h, 2, constrained_jrp, constrained_jci, constrained_jacobian_values,
                                           constrained_hrp, constrained_hci, constrained_hessian_values, 0, p);
}

/* Whether x is the solution (1, 1) of HS6 to 1e-5 (the default KKT tolerances are 1e-6). */
static int constrained_is_solution(const double *x) {
    return fabs(x[0] - 1.0) <= 1e-5 && fabs(x[1] - 1.0) <= 1e-5;
}

/* The nks_constrained option and argument refusals, before any solve. */
static void constrained_refusals(nks_constrained *h, constrained_problem *p, double *x, double *lambda) {
    double nan_x[2] = {-1.2, NAN}, point[2] = {-7.0, -7.0}, mult[1] = {-7.0}, got = -1.0, both[3] = {-1.2, 1.0, 0.0};
    double l2[2] = {0.0, 0.0};
    int64_t bad_col[] = {0, 2}, decreasing[] = {0, 3, 2}, one_based_jrp[] = {1, 3}, one_based_jci[] = {1, 2};
    int64_t one_based_hrp[] = {1, 3, 5}, one_based_hci[] = {1, 2, 1, 2};
    nks_constrained_report rep;
    nks_constrained_record rec;

    /* No oracles yet; no solve has run. */
    expect_status(nks_constrained_solve(h, 2, x, 1, lambda), NKS_ERR_INVALID_STATE, "constrained: solve with no oracles");
    expect(strstr(nks_last_error_message(), "nks_constrained_set_oracles") != NULL,
           "constrained: message says to set the oracles");
    expect_status(constrained_set_rows(h, p), NKS_ERR_INVALID_STATE, "constrained: sparse rows before the oracles");
    expect(strstr(nks_last_error_message(), "nks_constrained_set_oracles") != NULL,
           "constrained: sparse-rows message says to set the oracles first");
    expect_status(nks_constrained_get_point(h, 2, point, 1, mult), NKS_ERR_INVALID_STATE,
                  "constrained: get_point before any solve");
    expect(point[0] == -7.0 && mult[0] == -7.0, "constrained: point untouched before any solve");
    expect_status(nks_constrained_get_report(h, &rep), NKS_OK, "constrained: report before any solve");
    expect(rep.termination == NKS_TERMINATION_NOT_STARTED && rep.iterations == 0 && rep.records == 0
           && rep.kkt_solver == NKS_KKT_GAUSSIAN_SKETCH, "constrained: the report is not started");
    rec.inner_iterations = 77;
    expect_status(nks_constrained_get_record(h, 0, &rec), NKS_ERR_INVALID_ARGUMENT,
                  "constrained: get_record before any solve");
    expect(strstr(nks_last_error_message(), "0 iteration records") != NULL, "constrained: message gives the count");
    expect(rec.inner_iterations == 77, "constrained: record untouched by the refusal");

    /* NULL handles, callbacks and outputs. */
    expect_status(nks_constrained_new(NULL), NKS_ERR_NULL_POINTER, "constrained: NULL out");
    expect_status(nks_constrained_set_oracles(NULL, 1, constrained_objective, constrained_gradient,
                                              constrained_constraints, constrained_jacobian_vector,
                                              constrained_jacobian_transpose, constrained_hessian_vector, p),
                  NKS_ERR_NULL_POINTER, "constrained: set_oracles NULL handle");
    expect_status(nks_constrained_set_oracles(h, 1, NULL, constrained_gradient, constrained_constraints,
                                              constrained_jacobian_vector, constrained_jacobian_transpose,
                                              constrained_hessian_vector, p),
                  NKS_ERR_NULL_POINTER, "constrained: NULL objective");
    expect(strstr(nks_last_error_message(), "objective") != NULL, "constrained: message names the objective");
    expect_status(nks_constrained_set_oracles(h, 1, constrained_objective, NULL, constrained_constraints,
                                              constrained_jacobian_vector, constrained_jacobian_transpose,
                                              constrained_hessian_vector, p),
                  NKS_ERR_NULL_POINTER, "constrained: NULL gradient");
    expect(strstr(nks_last_error_message(), "gradient") != NULL, "constrained: message names the gradient");
    expect_status(nks_constrained_set_oracles(h, 1, constrained_objective, constrained_gradient, NULL,
                                              constrained_jacobian_vector, constrained_jacobian_transpose,
                                              constrained_hessian_vector, p),
                  NKS_ERR_NULL_POINTER, "constrained: NULL constraints");
    expect(strstr(nks_last_error_message(), "constraints") != NULL, "constrained: message names the constraints");
    expect_status(nks_constrained_set_oracles(h, 1, constrained_objective, constrained_gradient,
                                              constrained_constraints, NULL, constrained_jacobian_transpose,
                                              constrained_hessian_vector, p),
                  NKS_ERR_NULL_POINTER, "constrained: NULL jacobian_vector");
    expect(strstr(nks_last_error_message(), "jacobian_vector") != NULL,
           "constrained: message names jacobian_vector");
    expect_status(nks_constrained_set_oracles(h, 1, constrained_objective, constrained_gradient,
                                              constrained_constraints, constrained_jacobian_vector, NULL,
                                              constrained_hessian_vector, p),
                  NKS_ERR_NULL_POINTER, "constrained: NULL jacobian_transpose");
    expect(strstr(nks_last_error_message(), "jacobian_transpose") != NULL,
           "constrained: message names jacobian_transpose");
    expect_status(nks_constrained_set_oracles(h, 1, constrained_objective, constrained_gradient,
                                              constrained_constraints, constrained_jacobian_vector,
                                              constrained_jacobian_transpose, NULL, p),
                  NKS_ERR_NULL_POINTER, "constrained: NULL hessian_vector");
    expect(strstr(nks_last_error_message(), "hessian_vector") != NULL, "constrained: message names hessian_vector");
    expect_status(nks_constrained_set_oracles(h, 0, constrained_objective, constrained_gradient,
                                              constrained_constraints, constrained_jacobian_vector,
                                              constrained_jacobian_transpose, constrained_hessian_vector, p),
                  NKS_ERR_INVALID_ARGUMENT, "constrained: m = 0");
    expect(strstr(nks_last_error_message(), "m = 0") != NULL, "constrained: message names m");
    expect_status(nks_constrained_solve(h, 2, x, 1, lambda), NKS_ERR_INVALID_STATE,
                  "constrained: refused oracles are not set");
    expect_status(nks_constrained_set_sparse_rows(NULL, 2, constrained_jrp, constrained_jci,
                                                  constrained_jacobian_values, constrained_hrp, constrained_hci,
                                                  constrained_hessian_values, 0, p),
                  NKS_ERR_NULL_POINTER, "constrained: set_sparse_rows NULL handle");
    expect_status(nks_constrained_set_preconditioner(NULL, constrained_precond, p), NKS_ERR_NULL_POINTER,
                  "constrained: set_preconditioner NULL handle");
    expect_status(nks_constrained_set_monitor(NULL, constrained_monitor, p), NKS_ERR_NULL_POINTER,
                  "constrained: set_monitor NULL handle");
    expect_status(nks_constrained_set_option(NULL, "eta1", 2.0), NKS_ERR_NULL_POINTER,
                  "constrained: set_option NULL handle");
    expect_status(nks_constrained_get_option(NULL, "eta1", &got), NKS_ERR_NULL_POINTER,
                  "constrained: get_option NULL handle");
    expect_status(nks_constrained_solve(NULL, 2, x, 1, lambda), NKS_ERR_NULL_POINTER, "constrained: solve NULL handle");
    expect_status(nks_constrained_get_report(NULL, &rep), NKS_ERR_NULL_POINTER, "constrained: get_report NULL handle");
    expect_status(nks_constrained_get_report(h, NULL), NKS_ERR_NULL_POINTER, "constrained: get_report NULL out");
    expect_status(nks_constrained_get_record(NULL, 0, &rec), NKS_ERR_NULL_POINTER, "constrained: get_record NULL handle");
    expect_status(nks_constrained_get_point(NULL, 2, point, 1, mult), NKS_ERR_NULL_POINTER,
                  "constrained: get_point NULL handle");

    /* Options: unknown names, out-of-range values (the option keeps its value), round trips. */
    expect_status(nks_constrained_set_option(h, "no_such_option", 1.0), NKS_ERR_UNKNOWN_OPTION,
                  "constrained: unknown option");
    expect(strstr(nks_last_error_message(), "kkt_solver") != NULL,
           "constrained: unknown option message lists the names");
    expect_status(nks_constrained_get_option(h, "no_such_option", &got), NKS_ERR_UNKNOWN_OPTION,
                  "constrained: get unknown option");
    expect(got == -1.0, "constrained: value untouched on failure");
    expect_status(nks_constrained_get_option(h, "eta1", NULL), NKS_ERR_NULL_POINTER,
                  "constrained: get_option NULL value");
    expect_status(nks_constrained_set_option(h, NULL, 1.0), NKS_ERR_NULL_POINTER, "constrained: NULL option name");
    expect_status(nks_constrained_set_option(h, "eta1", 0.0), NKS_ERR_INVALID_ARGUMENT, "constrained: eta1 = 0");
    expect(strstr(nks_last_error_message(), "eta1") != NULL, "constrained: message names eta1");
    expect_status(nks_constrained_get_option(h, "eta1", &got), NKS_OK, "constrained: get eta1");
    expect(got == 1.0, "constrained: a refused value keeps the default eta1 1");
    expect_status(nks_constrained_set_option(h, "kkt_solver", 3), NKS_ERR_INVALID_ARGUMENT,
                  "constrained: kkt_solver 3");
    expect_status(nks_constrained_get_option(h, "kkt_solver", &got), NKS_OK, "constrained: get kkt_solver");
    expect(got == NKS_KKT_GAUSSIAN_SKETCH, "constrained: a refused kkt_solver keeps the Gaussian sketch");
    expect_status(nks_constrained_set_option(h, "penalty_factor", 1.0), NKS_ERR_INVALID_ARGUMENT,
                  "constrained: penalty_factor 1");
    expect_status(nks_constrained_set_option(h, "armijo", 0.5), NKS_ERR_INVALID_ARGUMENT, "constrained: armijo 0.5");
    expect_status(nks_constrained_set_option(h, "accuracy", 1.0), NKS_ERR_INVALID_ARGUMENT, "constrained: accuracy 1");
    expect_status(nks_constrained_set_option(h, "max_iterations", 0), NKS_ERR_INVALID_ARGUMENT,
                  "constrained: max_iterations 0");
    expect_status(nks_constrained_set_option(h, "sketch_block", 257), NKS_ERR_INVALID_ARGUMENT,
                  "constrained: sketch_block 257");
    expect_status(nks_constrained_set_option(h, "stationarity_tol", NAN), NKS_ERR_INVALID_ARGUMENT,
                  "constrained: stationarity_tol NaN");
    expect_status(nks_constrained_get_option(h, "stationarity_tol", &got), NKS_OK, "constrained: get stationarity_tol");
    expect(got == 1e-6, "constrained: a refused value keeps the default stationarity_tol 1e-6");
    expect_status(nks_constrained_set_option(h, "kkt_solver", NKS_KKT_MINRES), NKS_OK, "constrained: kkt_solver MINRES");
    expect_status(nks_constrained_get_option(h, "kkt_solver", &got), NKS_OK, "constrained: get kkt_solver");
    expect(got == NKS_KKT_MINRES, "constrained: get_option reads back MINRES");

    /* Bad x, m and lambda, refused before any callback. */
    expect_status(constrained_set_hs6(h, p), NKS_OK, "constrained: set_oracles");
    expect_status(nks_constrained_solve(h, 0, x, 1, lambda), NKS_ERR_INVALID_ARGUMENT, "constrained: n = 0");
    expect(strstr(nks_last_error_message(), "n = 0") != NULL, "constrained: message names n");
    expect_status(nks_constrained_solve(h, 2, x, 2, l2), NKS_ERR_DIMENSION_MISMATCH, "constrained: m = 2 for m = 1");
    expect(strstr(nks_last_error_message(), "m = 2") != NULL, "constrained: message names m");
    expect_status(nks_constrained_solve(h, 2, NULL, 1, lambda), NKS_ERR_NULL_POINTER, "constrained: NULL x");
    expect_status(nks_constrained_solve(h, 2, x, 1, NULL), NKS_ERR_NULL_POINTER, "constrained: NULL lambda");
    expect_status(nks_constrained_solve(h, 2, nan_x, 1, lambda), NKS_ERR_NON_FINITE, "constrained: NaN in x");
    expect(nan_x[0] == -1.2 && isnan(nan_x[1]), "constrained: x untouched after the NaN refusal");
    expect_status(nks_constrained_solve(h, 2, both, 1, both + 1), NKS_ERR_INVALID_ARGUMENT,
                  "constrained: x and lambda overlap");
    expect(strstr(nks_last_error_message(), "overlap") != NULL, "constrained: message says they overlap");
    expect(both[0] == -1.2 && both[1] == 1.0 && both[2] == 0.0, "constrained: overlapping arrays untouched");

    /* Kaczmarz needs the sparse rows. */
    expect_status(nks_constrained_set_option(h, "kkt_solver", NKS_KKT_KACZMARZ), NKS_OK,
                  "constrained: kkt_solver Kaczmarz");
    expect_status(nks_constrained_solve(h, 2, x, 1, lambda), NKS_ERR_INVALID_STATE,
                  "constrained: Kaczmarz without sparse rows");
    expect(strstr(nks_last_error_message(), "sparse rows") != NULL, "constrained: message asks for the sparse rows");

    /* Malformed sparse patterns: each refusal names the array. */
    expect_status(nks_constrained_set_sparse_rows(h, 2, constrained_jrp, constrained_jci, NULL, constrained_hrp,
                                                  constrained_hci, constrained_hessian_values, 0, p),
                  NKS_ERR_NULL_POINTER, "constrained: NULL jacobian_values");
    expect(strstr(nks_last_error_message(), "jacobian_values") != NULL,
           "constrained: message names jacobian_values");
    expect_status(nks_constrained_set_sparse_rows(h, 2, constrained_jrp, constrained_jci,
                                                  constrained_jacobian_values, constrained_hrp, constrained_hci, NULL,
                                                  0, p),
                  NKS_ERR_NULL_POINTER, "constrained: NULL hessian_values");
    expect(strstr(nks_last_error_message(), "hessian_values") != NULL, "constrained: message names hessian_values");
    expect_status(nks_constrained_set_sparse_rows(h, 2, NULL, constrained_jci, constrained_jacobian_values,
                                                  constrained_hrp, constrained_hci, constrained_hessian_values, 0, p),
                  NKS_ERR_NULL_POINTER, "constrained: NULL jacobian_row_ptr");
    expect(strstr(nks_last_error_message(), "jacobian_row_ptr") != NULL,
           "constrained: message names jacobian_row_ptr");
    expect_status(nks_constrained_set_sparse_rows(h, 2, constrained_jrp, bad_col, constrained_jacobian_values,
                                                  constrained_hrp, constrained_hci, constrained_hessian_values, 0, p),
                  NKS_ERR_INVALID_ARGUMENT, "constrained: Jacobian column out of range");
    expect(strstr(nks_last_error_message(), "jacobian_col_idx[1] = 2") != NULL,
           "constrained: message names the entry jacobian_col_idx[1]");
    expect_status(nks_constrained_set_sparse_rows(h, 2, constrained_jrp, constrained_jci, constrained_jacobian_values,
                                                  decreasing, constrained_hci, constrained_hessian_values, 0, p),
                  NKS_ERR_INVALID_ARGUMENT, "constrained: decreasing Hessian row_ptr");
    expect(strstr(nks_last_error_message(), "hessian") != NULL && strstr(nks_last_error_message(), "decrease") != NULL,
           "constrained: message names the Hessian's row_ptr");
    expect_status(nks_constrained_set_sparse_rows(h, 2, constrained_jrp, constrained_jci, constrained_jacobian_values,
                                                  constrained_hrp, constrained_hci, constrained_hessian_values, 2, p),
                  NKS_ERR_INVALID_ARGUMENT, "constrained: index_base 2");
    expect(strstr(nks_last_error_message(), "index_base = 2") != NULL, "constrained: message names index_base");
    expect_status(nks_constrained_set_sparse_rows(h, 2, constrained_jrp, constrained_jci, constrained_jacobian_values,
                                                  constrained_hrp, constrained_hci, constrained_hessian_values, 1, p),
                  NKS_ERR_INVALID_ARGUMENT, "constrained: 0-based arrays given as index_base 1");
    expect_status(nks_constrained_set_sparse_rows(h, 0, constrained_jrp, constrained_jci, constrained_jacobian_values,
                                                  constrained_hrp, constrained_hci, constrained_hessian_values, 0, p),
                  NKS_ERR_INVALID_ARGUMENT, "constrained: sparse rows with n = 0");
    expect_status(nks_constrained_solve(h, 2, x, 1, lambda), NKS_ERR_INVALID_STATE,
                  "constrained: refused sparse rows are not set");
    /* The same pattern 1-based is accepted; given for n = 3 it does not fit a solve with n = 2. */
    expect_status(nks_constrained_set_sparse_rows(h, 2, one_based_jrp, one_based_jci, constrained_jacobian_values,
                                                  one_based_hrp, one_based_hci, constrained_hessian_values, 1, p),
                  NKS_OK, "constrained: 1-based sparse rows");
    {
        int64_t jrp3[] = {0, 2}, jci3[] = {0, 1}, hrp3[] = {0, 1, 2, 3}, hci3[] = {0, 1, 2};
        expect_status(nks_constrained_set_sparse_rows(h, 3, jrp3, jci3, constrained_jacobian_values, hrp3, hci3,
                                                      constrained_hessian_values, 0, p),
                      NKS_OK, "constrained: sparse rows for n = 3");
        expect_status(nks_constrained_solve(h, 2, x, 1, lambda), NKS_ERR_DIMENSION_MISMATCH,
                      "constrained: sparse rows for n = 3, solve with n = 2");
        expect(strstr(nks_last_error_message(), "n = 3") != NULL, "constrained: message names the rows' n");
    }
    /* set_oracles forgets the sparse rows: Kaczmarz is refused again. */
    expect_status(constrained_set_hs6(h, p), NKS_OK, "constrained: set_oracles again");
    expect_status(nks_constrained_solve(h, 2, x, 1, lambda), NKS_ERR_INVALID_STATE,
                  "constrained: set_oracles cleared the sparse rows");
    expect_status(nks_constrained_set_option(h, "kkt_solver", NKS_KKT_MINRES), NKS_OK, "constrained: back to MINRES");

    expect(p->calls == 0 && p->values_calls == 0, "constrained: no callback called by the refusals");
    expect(x[0] == -1.2 && x[1] == 1.0 && lambda[0] == 0.0, "constrained: x and lambda untouched after refusals");
    expect_status(nks_constrained_get_point(h, 2, point, 1, mult), NKS_ERR_INVALID_STATE,
                  "constrained: still no point after refusals");
}

/* The nks_constrained error paths on HS6: refusals return their status with a message and leave
   x and lambda untouched; callback failures, the monitor and calls from inside the callbacks
   behave as documented. MINRES (a few inner iterations per step) keeps this quick under
   valgrind. */
static void constrained_errors(void) {
    double x[2], lambda[1], point[2], mult[1];
    constrained_problem p;
    nks_constrained *h = NULL;
    nks_constrained_report rep;
    nks_constrained_record rec;

    constrained_reset(x, lambda, &p);
    expect_status(nks_constrained_new(&h), NKS_OK, "constrained: new");
    constrained_refusals(h, &p, x, lambda);

    /* A converged MINRES solve: the report, its records, the last point. */
    constrained_reset(x, lambda, &p);
    expect_status(nks_constrained_solve(h, 2, x, 1, lambda), NKS_OK, "constrained: MINRES solve");
    expect(constrained_is_solution(x), "constrained: MINRES finds (1, 1)");
    expect_status(nks_constrained_get_report(h, &rep), NKS_OK, "constrained: report of the MINRES solve");
    expect(rep.status == NKS_OK && rep.termination == NKS_TERMINATION_CONVERGED_KKT && rep.kkt_solver == NKS_KKT_MINRES
           && rep.iterations > 0 && rep.records == rep.iterations && rep.stationarity <= 1e-6 && rep.feasibility <= 1e-6
           && rep.objective_evaluations == rep.merit_evaluations && rep.failed_evaluations == 0
           && rep.preconditioner_calls == 0 && rep.matrix_evaluations == 0 && rep.callback_code == 0,
           "constrained: the report of the converged solve");
    expect_status(nks_constrained_get_record(h, rep.records - 1, &rec), NKS_OK, "constrained: get_record of the last");
    expect(rec.inner_iterations > 0 && rec.step_length > 0.0 && rec.eta1 > 0.0, "constrained: the last record");
    rec.inner_iterations = 77;
    expect_status(nks_constrained_get_record(h, rep.records, &rec), NKS_ERR_INVALID_ARGUMENT,
                  "constrained: get_record with k = records");
    expect(rec.inner_iterations == 77, "constrained: record untouched by the refusal");
    expect_status(nks_constrained_get_record(h, 0, NULL), NKS_ERR_NULL_POINTER, "constrained: get_record NULL out");
    point[0] = point[1] = mult[0] = -7.0;
    expect_status(nks_constrained_get_point(h, 3, point, 1, mult), NKS_ERR_DIMENSION_MISMATCH,
                  "constrained: get_point with n = 3");
    expect_status(nks_constrained_get_point(h, 2, point, 2, mult), NKS_ERR_DIMENSION_MISMATCH,
                  "constrained: get_point with m = 2");
    expect_status(nks_constrained_get_point(h, 2, NULL, 1, mult), NKS_ERR_NULL_POINTER, "constrained: get_point NULL x");
    expect_status(nks_constrained_get_point(h, 2, point, 1, mult), NKS_OK, "constrained: get_point");
    expect(point[0] == x[0] && point[1] == x[1] && mult[0] == lambda[0], "constrained: get_point gives the solution");
    expect_status(nks_constrained_get_point(h, 2, point, 0, NULL), NKS_OK, "constrained: get_point without lambda");

    /* The gradient aborts (-7) at its 6th call, after some accepted steps: NKS_ERR_CALLBACK, x
       and lambda untouched, the code in the report, get_point has the last accepted point (the
       one the monitor saw last). */
    constrained_reset(x, lambda, &p);
    p.gradient_fail_call = 6;
    p.gradient_fail_code = -7;
    expect_status(nks_constrained_set_monitor(h, constrained_monitor, &p), NKS_OK, "constrained: monitor");
    expect_status(nks_constrained_solve(h, 2, x, 1, lambda), NKS_ERR_CALLBACK, "constrained: gradient returns -7");
    expect(strstr(nks_last_error_message(), "-7") != NULL, "constrained: message has the code");
    expect_status(nks_constrained_get_report(h, &rep), NKS_OK, "constrained: report after the abort");
    expect(rep.callback_code == -7 && rep.status == NKS_ERR_CALLBACK
           && rep.termination == NKS_TERMINATION_CALLBACK_FAILED, "constrained: the code -7 is in the report");
    expect(x[0] == -1.2 && x[1] == 1.0 && lambda[0] == 0.0, "constrained: x and lambda untouched after the abort");
    expect(p.monitor_calls >= 1 && p.monitor_calls == rep.iterations, "constrained: steps were accepted before the abort");
    expect_status(nks_constrained_get_point(h, 2, point, 1, mult), NKS_OK, "constrained: get_point after the abort");
    expect(point[0] == p.monitor_x[0] && point[1] == p.monitor_x[1] && mult[0] == p.monitor_lambda[0]
           && point[0] != -1.2, "constrained: get_point gives the last accepted point");
    expect(p.monitor_lengths_ok, "constrained: the monitor got n, m and the running report");

    /* The objective cannot evaluate (+1) the first trial point only: the line search shortens
       the step and the solve converges. */
    constrained_reset(x, lambda, &p);
    p.objective_fail_call = 2; /* call 1 evaluates the start */
    p.objective_fail_code = 1;
    expect_status(nks_constrained_solve(h, 2, x, 1, lambda), NKS_OK, "constrained: objective returns +1 once");
    expect_status(nks_constrained_get_report(h, &rep), NKS_OK, "constrained: report after the refused point");
    expect(rep.failed_evaluations == 1 && rep.rejected_steps >= 1 && rep.callback_code == 0
           && rep.termination == NKS_TERMINATION_CONVERGED_KKT, "constrained: the refused point is counted");
    expect(constrained_is_solution(x), "constrained: the solve converges after the refused point");

    /* The objective cannot evaluate (+1) the start: nothing to step back from. */
    constrained_reset(x, lambda, &p);
    p.objective_fail_call = 1;
    p.objective_fail_code = 1;
    expect_status(nks_constrained_solve(h, 2, x, 1, lambda), NKS_ERR_CALLBACK,
                  "constrained: objective returns +1 at the start");
    expect(x[0] == -1.2 && x[1] == 1.0, "constrained: x untouched after the refused start");

    /* The monitor stops the solve at iteration 2: NKS_ERR_ABORTED, x untouched. */
    constrained_reset(x, lambda, &p);
    p.stop_at = 2;
    expect_status(nks_constrained_solve(h, 2, x, 1, lambda), NKS_ERR_ABORTED, "constrained: monitor returns 1");
    expect(x[0] == -1.2 && x[1] == 1.0 && lambda[0] == 0.0, "constrained: x untouched after the monitor stop");
    expect_status(nks_constrained_get_report(h, &rep), NKS_OK, "constrained: report after the monitor stop");
    expect(rep.status == NKS_ERR_ABORTED && rep.termination == NKS_TERMINATION_MONITOR_STOP && rep.iterations == 2,
           "constrained: report of the monitor stop");
    expect_status(nks_constrained_get_point(h, 2, point, 1, mult), NKS_OK, "constrained: get_point after the stop");
    expect(point[0] == p.monitor_x[0] && point[1] == p.monitor_x[1], "constrained: the point the monitor saw");

    /* Calls into the handle from inside its own monitor are refused; the solve goes on. A
       different message is left first, so that the "busy" one is known to come from the free. */
    constrained_reset(x, lambda, &p);
    expect_status(nks_constrained_set_option(h, "no_such_option", 1.0), NKS_ERR_UNKNOWN_OPTION,
                  "constrained: leave a message before the free");
    p.reenter = h;
    p.free_inside = h;
    expect_status(nks_constrained_solve(h, 2, x, 1, lambda), NKS_OK, "constrained: solve with a re-entrant monitor");
    expect(p.reenter_status == NKS_ERR_INVALID_STATE && p.reenter_message,
           "constrained: get_report from inside the monitor is refused with a message");
    expect(p.free_refused, "constrained: nks_constrained_free from inside the monitor is refused");
    expect(constrained_is_solution(x), "constrained: the re-entrant solve still converges");
    expect_status(nks_constrained_set_monitor(h, NULL, NULL), NKS_OK, "constrained: remove the monitor");

    /* The preconditioner is called by MINRES, and removed with NULL. */
    constrained_reset(x, lambda, &p);
    expect_status(nks_constrained_set_preconditioner(h, constrained_precond, &p), NKS_OK, "constrained: preconditioner");
    expect_status(nks_constrained_solve(h, 2, x, 1, lambda), NKS_OK, "constrained: preconditioned MINRES solve");
    expect_status(nks_constrained_get_report(h, &rep), NKS_OK, "constrained: report of the preconditioned solve");
    expect(rep.preconditioner_calls > 0 && (size_t)p.precond_calls == rep.preconditioner_calls
           && constrained_is_solution(x), "constrained: the preconditioner was used");
    expect_status(nks_constrained_set_preconditioner(h, NULL, NULL), NKS_OK, "constrained: remove the preconditioner");

    /* Kaczmarz with the sparse rows reads their values. */
    constrained_reset(x, lambda, &p);
    expect_status(constrained_set_rows(h, &p), NKS_OK, "constrained: sparse rows");
    expect_status(nks_constrained_set_option(h, "kkt_solver", NKS_KKT_KACZMARZ), NKS_OK,
                  "constrained: kkt_solver Kaczmarz");
    expect_status(nks_constrained_set_option(h, "max_iterations", 3), NKS_OK, "constrained: max_iterations 3");
    expect_status(nks_constrained_solve(h, 2, x, 1, lambda), NKS_MAX_ITERATIONS,
                  "constrained: Kaczmarz stops at the iteration limit");
    expect_status(nks_constrained_get_report(h, &rep), NKS_OK, "constrained: report of the Kaczmarz solve");
    expect(rep.kkt_solver == NKS_KKT_KACZMARZ && rep.matrix_evaluations > 0
           && (size_t)p.values_calls == rep.matrix_evaluations && rep.iterations == 3
           && rep.termination == NKS_TERMINATION_MAX_ITERATIONS, "constrained: Kaczmarz read the sparse rows");
    expect(x[0] != -1.2, "constrained: a positive status leaves the last accepted point in x");

    nks_constrained_free(h);
    nks_constrained_free(NULL);
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
    expect_status(nks_csr_new(3, 3, 6, rp, ci, v, 0, &A), NKS_ERR_DIMENSION_MISMATCH,
                  "nnz smaller than row_ptr declares");
    expect(strstr(nks_last_error_message(), "= 7 but nnz = 6") != NULL, "nnz message names both numbers");
    expect_status(nks_csr_new(3, 3, 8, rp, ci, v, 0, &A), NKS_ERR_DIMENSION_MISMATCH,
                  "nnz larger than row_ptr declares");
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

    sinkhorn_errors();
    newton_errors();
    nonlinear_errors();
    constrained_errors();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}

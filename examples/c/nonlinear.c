/*
 * Nonlinear systems with callback oracles, from C: Jacobian-free Newton-Krylov (with and
 * without Krylov recycling) and Levenberg-Marquardt. Prints the same lines as the Rust reference
 * (examples/rust/nonlinear.rs) and the C++, Fortran, Julia and Python examples.
 *
 * 1. Implicit time stepping of the 2D Bratu equation u_t = Laplace(u) + lambda e^u on the unit
 *    square (zero boundary, 32 x 32 interior grid, h = 1/33, lambda = 6): 8 implicit Euler
 *    steps of dt = 0.1 from u = 0. Each step solves, scaled by h^2,
 *      F(u)_p = (h^2/dt)(u_p - u_old_p) + 4 u_p - u_W - u_E - u_S - u_N - h^2 lambda e^{u_p} = 0
 *    by Jacobian-free Newton-Krylov: only the residual is given, J v is a finite difference.
 *    With GCRO-DR (the default inner solver) the recycle space carries from one Newton step and
 *    one time step to the next; the second line runs plain GMRES for comparison.
 * 2. The steady Bratu problem (no time derivative) on the same grid, with the exact J v
 *    callback.
 * 3. Levenberg-Marquardt fitting y = a e^{-b t} + c to 20 points t_i = i/4 made with
 *    (a, b, c) = (2.5, 1.3, 0.5), from (1, 1, 0), with the J v and J^T w callbacks.
 *
 * The callbacks are what a host writes: C functions that get the problem's data through
 * `user_data`. A residual callback returns 0 on success, > 0 when it cannot evaluate the point
 * (the solver shortens its step and retries) and < 0 to abort the solve. Every residual and
 * product is computed in the same order in every language (exp from the C library), so the
 * iteration counts agree exactly. (A compiler that fuses a * b + c into one rounding changes
 * those bits: keep it from doing so, as -std=c99 or -ffp-contract=off does, to reproduce the
 * counts.)
 *
 * Output, one line per case:
 *   bratu_time_gcrodr / bratu_time_gmres steps=8 converged_steps=C newton=K krylov=L
 *       residuals=R recycled=V umax=U
 *     C time steps converged, K Newton steps, L inner Krylov iterations and R residual calls
 *     (finite-difference products included) over all time steps, V recycled vectors kept after
 *     the last step, U = max u at t = 0.8.
 *   bratu_steady status=S newton=K krylov=L residuals=R jacobian_vectors=J umax=U
 *   lm_fit status=S iterations=K residuals=R jacobian_vectors=J jacobian_transposes=T
 *       params_within_1e-6=0|1
 *     S is 0 when the solve converged (NKS_OK), 1 otherwise; params_within_1e-6 says whether
 *     the fitted (a, b, c) are within 1e-6 of (2.5, 1.3, 0.5).
 *
 * Build (from the repository root, after `cargo build --release`):
 *   cc -std=c99 -Iinclude examples/c/nonlinear.c -Ltarget/release -lnksolve -lm \
 *      -Wl,-rpath,$PWD/target/release -o nonlinear
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "nksolve.h"

#define SIDE 32
#define N (SIDE * SIDE)
#define LAMBDA 6.0
#define DT 0.1
#define STEPS 8
#define POINTS 20

/* One implicit Euler step of Bratu, passed to its callbacks as `user_data`. */
typedef struct {
    double mass;        /* h^2 / dt; 0 for the steady problem */
    double previous[N]; /* u at the previous time step */
} bratu_step;

/* f = F(u). */
static int bratu_residual(const double *u, size_t n, double *f, size_t m, void *user_data) {
    const bratu_step *step = (const bratu_step *)user_data;
    const double h = 1.0 / (SIDE + 1), source = h * h * LAMBDA;
    size_t i, j;
    (void)n;
    (void)m;
    for (j = 0; j < SIDE; ++j) {
        for (i = 0; i < SIDE; ++i) {
            const size_t p = i + SIDE * j;
            const double west = i > 0 ? u[p - 1] : 0.0, east = i + 1 < SIDE ? u[p + 1] : 0.0;
            const double south = j > 0 ? u[p - SIDE] : 0.0, north = j + 1 < SIDE ? u[p + SIDE] : 0.0;
            f[p] = step->mass * (u[p] - step->previous[p]) + 4.0 * u[p] - west - east - south - north
                   - source * exp(u[p]);
        }
    }
    return 0;
}

/* jv = J(u) v, the exact product: J = mass I + (5-point Laplacian) - h^2 lambda diag(e^u). */
static int bratu_jacobian_vector(const double *u, const double *v, size_t n, double *jv, size_t m, void *user_data) {
    const bratu_step *step = (const bratu_step *)user_data;
    const double h = 1.0 / (SIDE + 1), source = h * h * LAMBDA;
    size_t i, j;
    (void)n;
    (void)m;
    for (j = 0; j < SIDE; ++j) {
        for (i = 0; i < SIDE; ++i) {
            const size_t p = i + SIDE * j;
            const double west = i > 0 ? v[p - 1] : 0.0, east = i + 1 < SIDE ? v[p + 1] : 0.0;
            const double south = j > 0 ? v[p - SIDE] : 0.0, north = j + 1 < SIDE ? v[p + SIDE] : 0.0;
            jv[p] = step->mass * v[p] + 4.0 * v[p] - west - east - south - north - source * exp(u[p]) * v[p];
        }
    }
    return 0;
}

/* The data of the exponential fit, passed to its callbacks as `user_data`. */
typedef struct {
    double t[POINTS];
    double y[POINTS];
} exponential_fit;

/* r_i = a e^{-b t_i} + c - y_i, x = (a, b, c). */
static int fit_residual(const double *x, size_t n, double *r, size_t m, void *user_data) {
    const exponential_fit *fit = (const exponential_fit *)user_data;
    size_t i;
    (void)n;
    for (i = 0; i < m; ++i) r[i] = x[0] * exp(-x[1] * fit->t[i]) + x[2] - fit->y[i];
    return 0;
}

/* jv = J(x) v, row i of J being (e_i, -a t_i e_i, 1) with e_i = e^{-b t_i}. */
static int fit_jacobian_vector(const double *x, const double *v, size_t n, double *jv, size_t m, void *user_data) {
    const exponential_fit *fit = (const exponential_fit *)user_data;
    size_t i;
    (void)n;
    for (i = 0; i < m; ++i) {
        const double e = exp(-x[1] * fit->t[i]);
        jv[i] = e * v[0] - x[0] * fit->t[i] * e * v[1] + v[2];
    }
    return 0;
}

/* jtw = J(x)^T w, summed over the rows in index order (as every language does). */
static int fit_jacobian_transpose(const double *x, const double *w, size_t m, double *jtw, size_t n, void *user_data) {
    const exponential_fit *fit = (const exponential_fit *)user_data;
    size_t i;
    (void)n;
    jtw[0] = jtw[1] = jtw[2] = 0.0;
    for (i = 0; i < m; ++i) {
        const double e = exp(-x[1] * fit->t[i]);
        jtw[0] += e * w[i];
        jtw[1] -= x[0] * fit->t[i] * e * w[i];
        jtw[2] += w[i];
    }
    return 0;
}

static int check(nks_status s, const char *what) {
    if (s < 0) {
        fprintf(stderr, "%s failed: %s\n  %s\n", what, nks_status_str(s), nks_last_error_message());
        return 1;
    }
    return 0;
}

static double max_of(const double *u, size_t n) {
    double m = -INFINITY;
    size_t i;
    for (i = 0; i < n; ++i) m = fmax(m, u[i]);
    return m;
}

/* The 8 implicit Euler steps of Bratu on one handle (so the recycle space carries from one
   step to the next) with the inner solver `krylov_method` (NKS_KRYLOV_GCRODR or
   NKS_KRYLOV_GMRES); prints the case's line. Returns 0, or 1 after printing why it failed. */
static int time_stepping(const char *name, nks_krylov_method krylov_method) {
    static double u[N];
    static bratu_step step;
    const double h = 1.0 / (SIDE + 1);
    size_t newton = 0, krylov = 0, residuals = 0, converged = 0, k;
    nks_nonlinear *solver = NULL;
    nks_nonlinear_report r;

    memset(u, 0, sizeof u);
    step.mass = h * h / DT;
    if (check(nks_nonlinear_new(&solver), "nks_nonlinear_new")) return 1;
    /* Only the residual: J v is a finite difference (no jacobian_vector), and Newton-Krylov
       needs no J^T w. m = 0: a square system. */
    if (check(nks_nonlinear_set_oracles(solver, 0, bratu_residual, NULL, NULL, &step), "nks_nonlinear_set_oracles")
        || check(nks_nonlinear_set_option(solver, "krylov_method", krylov_method), "krylov_method")) {
        nks_nonlinear_free(solver);
        return 1;
    }
    for (k = 0; k < STEPS; ++k) {
        nks_status s;
        memcpy(step.previous, u, sizeof u);
        /* NKS_OK: converged, u is the new time level. A positive status (a limit, stagnation)
           also leaves the last accepted point in u; a negative one leaves u as it was. */
        s = nks_nonlinear_solve(solver, N, u);
        if (check(s, name) || check(nks_nonlinear_get_report(solver, &r), "nks_nonlinear_get_report")) {
            nks_nonlinear_free(solver);
            return 1;
        }
        newton += r.iterations;
        krylov += r.inner_iterations;
        residuals += r.residual_evaluations;
        converged += s == NKS_OK;
    }
    nks_nonlinear_free(solver);

    /* r is the last step's report; its recycled_vectors is what the handle kept after it. */
    printf("%s steps=%d converged_steps=%zu newton=%zu krylov=%zu residuals=%zu recycled=%zu umax=%.10e\n", name,
           STEPS, converged, newton, krylov, residuals, r.recycled_vectors, max_of(u, N));
    return converged == STEPS ? 0 : 1;
}

/* The steady Bratu problem with the exact J v callback; prints the case's line. */
static int steady(void) {
    static double u[N];
    static bratu_step step; /* mass = 0: no time derivative; previous is not used */
    nks_nonlinear *solver = NULL;
    nks_nonlinear_report r;
    nks_status s;

    memset(u, 0, sizeof u);
    step.mass = 0.0;
    if (check(nks_nonlinear_new(&solver), "nks_nonlinear_new")) return 1;
    if (check(nks_nonlinear_set_oracles(solver, 0, bratu_residual, bratu_jacobian_vector, NULL, &step),
              "nks_nonlinear_set_oracles")) {
        nks_nonlinear_free(solver);
        return 1;
    }
    s = nks_nonlinear_solve(solver, N, u);
    if (check(s, "bratu_steady") || check(nks_nonlinear_get_report(solver, &r), "nks_nonlinear_get_report")) {
        nks_nonlinear_free(solver);
        return 1;
    }
    nks_nonlinear_free(solver);

    printf("bratu_steady status=%d newton=%zu krylov=%zu residuals=%zu jacobian_vectors=%zu umax=%.10e\n",
           s == NKS_OK ? 0 : 1, r.iterations, r.inner_iterations, r.residual_evaluations, r.jacobian_vector_calls,
           max_of(u, N));
    return s == NKS_OK ? 0 : 1;
}

/* Levenberg-Marquardt on the exponential fit (m = 20 residuals, n = 3 parameters); prints the
   case's line. */
static int lm_fit(void) {
    exponential_fit fit;
    double x[3] = {1.0, 1.0, 0.0}, error;
    nks_nonlinear *solver = NULL;
    nks_nonlinear_report r;
    nks_status s;
    size_t i;

    for (i = 0; i < POINTS; ++i) {
        fit.t[i] = (double)i / 4.0;
        fit.y[i] = 2.5 * exp(-1.3 * fit.t[i]) + 0.5;
    }
    if (check(nks_nonlinear_new(&solver), "nks_nonlinear_new")) return 1;
    /* Levenberg-Marquardt needs J^T w; J v is given too (the CGLS steps use both). */
    if (check(nks_nonlinear_set_oracles(solver, POINTS, fit_residual, fit_jacobian_vector, fit_jacobian_transpose,
                                        &fit),
              "nks_nonlinear_set_oracles")
        || check(nks_nonlinear_set_option(solver, "method", NKS_NONLINEAR_LEVENBERG_MARQUARDT), "method")) {
        nks_nonlinear_free(solver);
        return 1;
    }
    s = nks_nonlinear_solve(solver, 3, x);
    if (check(s, "lm_fit") || check(nks_nonlinear_get_report(solver, &r), "nks_nonlinear_get_report")) {
        nks_nonlinear_free(solver);
        return 1;
    }
    nks_nonlinear_free(solver);

    error = fmax(fmax(fabs(x[0] - 2.5), fabs(x[1] - 1.3)), fabs(x[2] - 0.5));
    printf("lm_fit status=%d iterations=%zu residuals=%zu jacobian_vectors=%zu jacobian_transposes=%zu "
           "params_within_1e-6=%d\n",
           s == NKS_OK ? 0 : 1, r.iterations, r.residual_evaluations, r.jacobian_vector_calls,
           r.jacobian_transpose_calls, error <= 1e-6);
    return s == NKS_OK ? 0 : 1;
}

int main(void) {
    int failed = 0;
    failed |= time_stepping("bratu_time_gcrodr", NKS_KRYLOV_GCRODR);
    failed |= time_stepping("bratu_time_gmres", NKS_KRYLOV_GMRES);
    failed |= steady();
    failed |= lm_fit();
    return failed;
}

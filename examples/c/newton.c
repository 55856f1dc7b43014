/*
 * Unconstrained minimisation with callback oracles, from C: the extended Rosenbrock function
 * minimised by trust-region Newton-CG, line-search Newton-CG and lazy-Hessian Newton. Prints the
 * same lines as the Rust reference (examples/rust/newton.rs) and the C++, Fortran, Julia and
 * Python examples.
 *
 *   f(x) = sum_k 100 (x[2k+1] - x[2k]^2)^2 + (1 - x[2k])^2,  k = 0 .. n/2 - 1,  n = 100000
 *   (Moré, Garbow, Hillstrom 1981, problem 21), from the standard start (-1.2, 1, -1.2, 1, ...);
 *   the minimum is f = 0 at x = (1, ..., 1).
 *
 * The three oracles below (value, gradient, Hessian-vector product, each O(n)) are what a host
 * writes: C functions that get the problem's data through `user_data`. A callback returns 0 on
 * success, > 0 when it cannot evaluate the point (the solver shrinks its step and retries) and
 * < 0 to abort the solve. f is summed in index order, so every language computes the same bits
 * and the iteration counts agree exactly. (A compiler that fuses a * b + c into one rounding
 * changes those bits: keep it from doing so, as -std=c99 or -ffp-contract=off does, to
 * reproduce the counts.)
 *
 * Output, one line per case:
 *   NAME status=S iterations=K values=V gradients=G hessian_vectors=H failed=F converged=0|1
 *        x_error_below_1e-6=0|1
 *   S is the nks_status of nks_newton_solve (0 = NKS_OK: converged); V and G count the
 *   objective and gradient calls, F the trial points a callback refused; converged says whether
 *   ||g|| <= 1e-8, x_error_below_1e-6 whether max |x_i - 1| <= 1e-6.
 *   trust_region, line_search, lazy: the three methods with the defaults and gatol = 1e-8;
 *   refusing: trust region with an objective that refuses (returns 1 for) points with
 *   x[1] < -1, and a first trust radius of 1000, so that a trial step lands there: the solver
 *   shrinks its radius, goes around, and still converges.
 *
 * Build (from the repository root, after `cargo build --release`):
 *   cc -std=c99 -Iinclude examples/c/newton.c -Ltarget/release -lnksolve -lm \
 *      -Wl,-rpath,$PWD/target/release -o newton
 */
#include <math.h>
#include <stdio.h>
#include "nksolve.h"

#define N 100000

/* The problem's data, passed to every oracle as `user_data`. */
typedef struct {
    /* The objective refuses (returns 1 for) points with x[1] < refuse_below, like a simulation
       that cannot run there; -INFINITY refuses nothing. */
    double refuse_below;
} rosenbrock;

/* *f = f(x). */
static int rosenbrock_value(const double *x, size_t n, double *f, void *user_data) {
    const rosenbrock *problem = (const rosenbrock *)user_data;
    double sum = 0.0;
    size_t k;
    if (x[1] < problem->refuse_below) return 1; /* cannot evaluate here: the solver steps back */
    for (k = 0; k < n; k += 2) {
        const double t = x[k + 1] - x[k] * x[k], u = 1.0 - x[k];
        sum += 100.0 * t * t + u * u;
    }
    *f = sum;
    return 0;
}

/* g = grad f(x). */
static int rosenbrock_gradient(const double *x, size_t n, double *g, void *user_data) {
    size_t k;
    (void)user_data;
    for (k = 0; k < n; k += 2) {
        const double t = x[k + 1] - x[k] * x[k];
        g[k] = -400.0 * x[k] * t - 2.0 * (1.0 - x[k]);
        g[k + 1] = 200.0 * t;
    }
    return 0;
}

/* hv = H(x) v: the Hessian is block diagonal with one 2 x 2 block per pair (x[2k], x[2k+1]). */
static int rosenbrock_hessian_vector(const double *x, const double *v, size_t n, double *hv, void *user_data) {
    size_t k;
    (void)user_data;
    for (k = 0; k < n; k += 2) {
        const double h11 = 1200.0 * x[k] * x[k] - 400.0 * x[k + 1] + 2.0, h12 = -400.0 * x[k];
        hv[k] = h11 * v[k] + h12 * v[k + 1];
        hv[k + 1] = h12 * v[k] + 200.0 * v[k + 1];
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

/* Minimises from the standard start with `method` (refusing points with x[1] < refuse_below;
   a finite refuse_below also sets the first trust radius to 1000) and prints the case's line.
   Returns 0, or 1 after printing why it failed. */
static int run_case(const char *name, nks_newton_method method, double refuse_below) {
    static double x[N];
    rosenbrock problem;
    nks_newton *h = NULL;
    nks_newton_report r;
    nks_status s;
    double error = 0.0;
    size_t i;

    problem.refuse_below = refuse_below;
    for (i = 0; i < N; ++i) x[i] = i % 2 == 0 ? -1.2 : 1.0;

    if (check(nks_newton_new(&h), "nks_newton_new")) return 1;
    if (check(nks_newton_set_oracles(h, rosenbrock_value, rosenbrock_gradient, NULL, rosenbrock_hessian_vector,
                                     &problem),
              "nks_newton_set_oracles")
        || check(nks_newton_set_option(h, "method", method), "method")
        || check(nks_newton_set_option(h, "gatol", 1e-8), "gatol")
        /* A first radius large enough for a trial step to land in the refused region. */
        || (isfinite(refuse_below) && check(nks_newton_set_option(h, "initial_radius", 1000.0), "initial_radius"))) {
        nks_newton_free(h);
        return 1;
    }

    /* NKS_OK: converged, the minimiser in x. A positive status (an iteration or time limit,
       stagnation) also leaves a usable point, the best found, in x; a negative one leaves x as
       it was (nks_newton_get_point then gives the last accepted point). */
    s = nks_newton_solve(h, N, x);
    if (check(s, name) || check(nks_newton_get_report(h, &r), "nks_newton_get_report")) {
        nks_newton_free(h);
        return 1;
    }
    nks_newton_free(h);

    for (i = 0; i < N; ++i) error = fmax(error, fabs(x[i] - 1.0));
    printf("%s status=%d iterations=%zu values=%zu gradients=%zu hessian_vectors=%zu failed=%zu converged=%d "
           "x_error_below_1e-6=%d\n",
           name, (int)s, r.iterations, r.value_calls + r.value_gradient_calls,
           r.gradient_calls + r.value_gradient_calls, r.hessian_vector_calls, r.failed_evaluations,
           r.gradient_norm <= 1e-8, error <= 1e-6);
    if (s != NKS_OK) {
        fprintf(stderr, "%s did not converge: %s\n", name, nks_status_str(s));
        return 1;
    }
    return 0;
}

int main(void) {
    int failed = 0;
    failed |= run_case("trust_region", NKS_NEWTON_TRUST_REGION, -INFINITY);
    failed |= run_case("line_search", NKS_NEWTON_LINE_SEARCH, -INFINITY);
    failed |= run_case("lazy", NKS_NEWTON_LAZY, -INFINITY);
    failed |= run_case("refusing", NKS_NEWTON_TRUST_REGION, -1.0);
    return failed;
}

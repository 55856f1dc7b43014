/**
 * Nonlinear systems with C++ oracles (bindings/cpp/nksolve.hpp): Jacobian-free Newton-Krylov
 * (with and without Krylov recycling) and Levenberg-Marquardt. Prints the same lines as the Rust
 * reference (examples/rust/nonlinear.rs) and examples/c/nonlinear.c.
 *
 * 1. Implicit time stepping of the 2D Bratu equation u_t = Laplace(u) + lambda e^u on the unit
 *    square (zero boundary, 32 x 32 interior grid, h = 1/33, lambda = 6): 8 implicit Euler
 *    steps of dt = 0.1 from u = 0. Each step solves, scaled by h^2,
 *      F(u)_p = (h^2/dt)(u_p - u_old_p) + 4 u_p - u_W - u_E - u_S - u_N - h^2 lambda e^{u_p} = 0
 *    by Jacobian-free Newton-Krylov: only the residual is given, J v is a finite difference.
 *    With GCRO-DR (the default inner solver) the recycle space carries from one Newton step and
 *    one time step to the next; the second line runs plain GMRES for comparison.
 * 2. The steady Bratu problem (no time derivative) on the same grid, with the exact J v
 *    callable.
 * 3. Levenberg-Marquardt fitting y = a e^{-b t} + c to 20 points t_i = i/4 made with
 *    (a, b, c) = (2.5, 1.3, 0.5), from (1, 1, 0), with the J v and J^T w callables.
 *
 * The oracles are lambdas. A residual that cannot evaluate a point throws nks::CannotEvaluate
 * (the solver steps back); any other exception stops the solve and comes out of
 * Nonlinear::solve. Every residual and product is computed in the same order in every language
 * (std::exp is the C library's exp), so the iteration counts agree exactly. (A compiler that
 * fuses a * b + c into one rounding changes those bits: keep it from doing so, as -std=c++17
 * or -ffp-contract=off does, to reproduce the counts.)
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
 *   g++ -std=c++17 -Iinclude -Ibindings/cpp examples/cpp/nonlinear.cpp \
 *       -Ltarget/release -lnksolve -Wl,-rpath,$PWD/target/release -o nonlinear
 */
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <limits>
#include <vector>

#include "nksolve.hpp"

namespace {

constexpr std::size_t SIDE = 32;
constexpr std::size_t N = SIDE * SIDE;
constexpr double LAMBDA = 6.0;
constexpr double DT = 0.1;
constexpr std::size_t STEPS = 8;

/// One implicit Euler step of Bratu (`mass = h^2 / dt`; 0 for the steady problem).
struct BratuStep {
    double mass = 0.0;
    std::vector<double> previous = std::vector<double>(N, 0.0);

    /// f = F(u).
    void residual(const double* u, double* f) const {
        const double h = 1.0 / static_cast<double>(SIDE + 1), source = h * h * LAMBDA;
        for (std::size_t j = 0; j < SIDE; ++j) {
            for (std::size_t i = 0; i < SIDE; ++i) {
                const std::size_t p = i + SIDE * j;
                const double west = i > 0 ? u[p - 1] : 0.0, east = i + 1 < SIDE ? u[p + 1] : 0.0;
                const double south = j > 0 ? u[p - SIDE] : 0.0, north = j + 1 < SIDE ? u[p + SIDE] : 0.0;
                f[p] = mass * (u[p] - previous[p]) + 4.0 * u[p] - west - east - south - north - source * std::exp(u[p]);
            }
        }
    }

    /// jv = J(u) v, the exact product: J = mass I + (5-point Laplacian) - h^2 lambda diag(e^u).
    void jacobian_vector(const double* u, const double* v, double* jv) const {
        const double h = 1.0 / static_cast<double>(SIDE + 1), source = h * h * LAMBDA;
        for (std::size_t j = 0; j < SIDE; ++j) {
            for (std::size_t i = 0; i < SIDE; ++i) {
                const std::size_t p = i + SIDE * j;
                const double west = i > 0 ? v[p - 1] : 0.0, east = i + 1 < SIDE ? v[p + 1] : 0.0;
                const double south = j > 0 ? v[p - SIDE] : 0.0, north = j + 1 < SIDE ? v[p + SIDE] : 0.0;
                jv[p] = mass * v[p] + 4.0 * v[p] - west - east - south - north - source * std::exp(u[p]) * v[p];
            }
        }
    }
};

double max_of(const std::vector<double>& u) {
    double m = -std::numeric_limits<double>::infinity();
    for (const double v : u) m = std::fmax(m, v);
    return m;
}

/// The 8 implicit Euler steps of Bratu on one solver (so the recycle space carries from one
/// step to the next) with the inner solver `krylov_method`; prints the case's line. Returns
/// whether every step converged.
bool time_stepping(const char* name, nks::Method krylov_method) {
    const double h = 1.0 / static_cast<double>(SIDE + 1);
    BratuStep step;
    step.mass = h * h / DT;
    nks::Nonlinear solver;
    // Only the residual: J v is a finite difference. m = 0: a square system.
    solver.set_oracles(0, [&step](const double* u, double* f, std::size_t, std::size_t) { step.residual(u, f); })
        .set_krylov_method(krylov_method);

    std::vector<double> u(N, 0.0);
    std::size_t newton = 0, krylov = 0, residuals = 0, converged = 0;
    nks::NonlinearReport r{};
    for (std::size_t k = 0; k < STEPS; ++k) {
        step.previous = u;
        // NKS_OK: converged, u is the new time level; a positive status (a limit, stagnation)
        // leaves the last accepted point in u; failures throw and leave u untouched.
        const nks_status status = solver.solve(u);
        r = solver.report();
        newton += r.iterations;
        krylov += r.inner_iterations;
        residuals += r.residual_evaluations;
        converged += status == NKS_OK ? 1 : 0;
    }
    // r is the last step's report; its recycled_vectors is what the solver kept after it.
    std::printf("%s steps=%zu converged_steps=%zu newton=%zu krylov=%zu residuals=%zu recycled=%zu umax=%.10e\n", name,
                STEPS, converged, newton, krylov, residuals, r.recycled_vectors, max_of(u));
    return converged == STEPS;
}

/// The steady Bratu problem with the exact J v callable; prints the case's line.
bool steady() {
    BratuStep step;  // mass = 0: no time derivative
    nks::Nonlinear solver;
    solver.set_oracles(
        0, [&step](const double* u, double* f, std::size_t, std::size_t) { step.residual(u, f); },
        [&step](const double* u, const double* v, double* jv, std::size_t, std::size_t) {
            step.jacobian_vector(u, v, jv);
        });
    std::vector<double> u(N, 0.0);
    const nks_status status = solver.solve(u);
    const nks::NonlinearReport r = solver.report();
    std::printf("bratu_steady status=%d newton=%zu krylov=%zu residuals=%zu jacobian_vectors=%zu umax=%.10e\n",
                status == NKS_OK ? 0 : 1, r.iterations, r.inner_iterations, r.residual_evaluations,
                r.jacobian_vector_calls, max_of(u));
    return status == NKS_OK;
}

/// Levenberg-Marquardt on the exponential fit (m = 20 residuals, n = 3 parameters); prints the
/// case's line.
bool lm_fit() {
    std::vector<double> t(20), y(20);
    for (std::size_t i = 0; i < t.size(); ++i) {
        t[i] = static_cast<double>(i) / 4.0;
        y[i] = 2.5 * std::exp(-1.3 * t[i]) + 0.5;
    }
    // r_i = a e^{-b t_i} + c - y_i, x = (a, b, c).
    auto residual = [&](const double* x, double* r, std::size_t, std::size_t m) {
        for (std::size_t i = 0; i < m; ++i) r[i] = x[0] * std::exp(-x[1] * t[i]) + x[2] - y[i];
    };
    // Row i of J is (e_i, -a t_i e_i, 1) with e_i = e^{-b t_i}.
    auto jacobian_vector = [&](const double* x, const double* v, double* jv, std::size_t, std::size_t m) {
        for (std::size_t i = 0; i < m; ++i) {
            const double e = std::exp(-x[1] * t[i]);
            jv[i] = e * v[0] - x[0] * t[i] * e * v[1] + v[2];
        }
    };
    // J^T w, summed over the rows in index order (as every language does).
    auto jacobian_transpose = [&](const double* x, const double* w, double* jtw, std::size_t, std::size_t m) {
        jtw[0] = jtw[1] = jtw[2] = 0.0;
        for (std::size_t i = 0; i < m; ++i) {
            const double e = std::exp(-x[1] * t[i]);
            jtw[0] += e * w[i];
            jtw[1] -= x[0] * t[i] * e * w[i];
            jtw[2] += w[i];
        }
    };

    nks::Nonlinear solver;
    solver.set_oracles(t.size(), residual, jacobian_vector, jacobian_transpose)
        .set_method(nks::NonlinearMethod::LevenbergMarquardt);
    std::vector<double> x{1.0, 1.0, 0.0};
    const nks_status status = solver.solve(x);
    const nks::NonlinearReport r = solver.report();
    const double error = std::fmax(std::fmax(std::fabs(x[0] - 2.5), std::fabs(x[1] - 1.3)), std::fabs(x[2] - 0.5));
    std::printf("lm_fit status=%d iterations=%zu residuals=%zu jacobian_vectors=%zu jacobian_transposes=%zu "
                "params_within_1e-6=%d\n",
                status == NKS_OK ? 0 : 1, r.iterations, r.residual_evaluations, r.jacobian_vector_calls,
                r.jacobian_transpose_calls, error <= 1e-6 ? 1 : 0);
    return status == NKS_OK;
}

}  // namespace

int main() {
    try {
        if (!nks::header_matches_library()) {
            std::fprintf(stderr, "header version %d does not match library %u\n", NKS_VERSION, nks::version());
            return 1;
        }
        bool all_converged = true;
        all_converged &= time_stepping("bratu_time_gcrodr", nks::Method::GCRODR);
        all_converged &= time_stepping("bratu_time_gmres", nks::Method::GMRES);
        all_converged &= steady();
        all_converged &= lm_fit();
        return all_converged ? 0 : 1;
    } catch (const nks::Error& e) {
        std::fprintf(stderr, "nksolve error (status %d): %s\n", static_cast<int>(e.status()), e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
    }
    return 1;
}

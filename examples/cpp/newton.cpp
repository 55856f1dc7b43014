/**
 * Unconstrained minimisation with C++ oracles (bindings/cpp/nksolve.hpp): the extended
 * Rosenbrock function minimised by trust-region Newton-CG, line-search Newton-CG and
 * lazy-Hessian Newton. Prints the same lines as the Rust reference (examples/rust/newton.rs)
 * and examples/c/newton.c.
 *
 *   f(x) = sum_k 100 (x[2k+1] - x[2k]^2)^2 + (1 - x[2k])^2,  k = 0 .. n/2 - 1,  n = 100000
 *   (Moré, Garbow, Hillstrom 1981, problem 21), from the standard start (-1.2, 1, -1.2, 1, ...);
 *   the minimum is f = 0 at x = (1, ..., 1).
 *
 * The oracles (value, gradient, Hessian-vector product, each O(n)) are lambdas. One that cannot
 * evaluate a point throws nks::CannotEvaluate (the solver steps back); any other exception
 * stops the solve and comes out of Newton::solve. f is summed in index order, so every language
 * computes the same bits and the iteration counts agree exactly. (A compiler that fuses
 * a * b + c into one rounding changes those bits: keep it from doing so, as -std=c++17 or
 * -ffp-contract=off does, to reproduce the counts.)
 *
 * Output, one line per case:
 *   NAME status=S iterations=K values=V gradients=G hessian_vectors=H failed=F converged=0|1
 *        x_error_below_1e-6=0|1
 *   S is the status Newton::solve returned (0 = NKS_OK: converged); V and G count the
 *   objective and gradient calls, F the trial points an oracle refused; converged says whether
 *   ||g|| <= 1e-8, x_error_below_1e-6 whether max |x_i - 1| <= 1e-6.
 *   trust_region, line_search, lazy: the three methods with the defaults and gatol = 1e-8;
 *   refusing: trust region with an objective that refuses points with x[1] < -1, and a first
 *   trust radius of 1000, so that a trial step lands there: the solver shrinks its radius,
 *   goes around, and still converges.
 *
 * Build (from the repository root, after `cargo build --release`):
 *   g++ -std=c++17 -Iinclude -Ibindings/cpp examples/cpp/newton.cpp \
 *       -Ltarget/release -lnksolve -Wl,-rpath,$PWD/target/release -o newton
 */
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <limits>
#include <vector>

#include "nksolve.hpp"

namespace {

constexpr std::size_t N = 100000;

/// Minimises from the standard start with `method`, refusing points with x[1] < refuse_below
/// (a finite refuse_below also sets the first trust radius to 1000), and prints the case's
/// line. Returns whether it converged.
bool run_case(const char* name, nks::NewtonMethod method, double refuse_below) {
    auto value = [refuse_below](const double* x, std::size_t n) {
        if (x[1] < refuse_below) throw nks::CannotEvaluate("x[1] is below the refused bound");
        double f = 0.0;
        for (std::size_t k = 0; k < n; k += 2) {
            const double t = x[k + 1] - x[k] * x[k], u = 1.0 - x[k];
            f += 100.0 * t * t + u * u;
        }
        return f;
    };
    auto gradient = [](const double* x, double* g, std::size_t n) {
        for (std::size_t k = 0; k < n; k += 2) {
            const double t = x[k + 1] - x[k] * x[k];
            g[k] = -400.0 * x[k] * t - 2.0 * (1.0 - x[k]);
            g[k + 1] = 200.0 * t;
        }
    };
    // The Hessian is block diagonal, one 2 x 2 block per pair (x[2k], x[2k+1]).
    auto hessian_vector = [](const double* x, const double* v, double* hv, std::size_t n) {
        for (std::size_t k = 0; k < n; k += 2) {
            const double h11 = 1200.0 * x[k] * x[k] - 400.0 * x[k + 1] + 2.0, h12 = -400.0 * x[k];
            hv[k] = h11 * v[k] + h12 * v[k + 1];
            hv[k + 1] = h12 * v[k] + 200.0 * v[k + 1];
        }
    };

    nks::Newton solver;
    solver.set_oracles(value, gradient, hessian_vector).set_method(method).set_gatol(1e-8);
    // A first radius large enough for a trial step to land in the refused region.
    if (std::isfinite(refuse_below)) solver.set_initial_radius(1000.0);

    std::vector<double> x(N);
    for (std::size_t i = 0; i < N; ++i) x[i] = i % 2 == 0 ? -1.2 : 1.0;
    // NKS_OK: converged, the minimiser in x; a positive status (a limit, stagnation) leaves the
    // best point found in x; failures throw and leave x untouched.
    const nks_status status = solver.solve(x);
    const nks::NewtonReport r = solver.report();

    double error = 0.0;
    for (const double xi : x) error = std::fmax(error, std::fabs(xi - 1.0));
    std::printf("%s status=%d iterations=%zu values=%zu gradients=%zu hessian_vectors=%zu failed=%zu converged=%d "
                "x_error_below_1e-6=%d\n",
                name, static_cast<int>(status), r.iterations, r.value_calls + r.value_gradient_calls,
                r.gradient_calls + r.value_gradient_calls, r.hessian_vector_calls, r.failed_evaluations,
                r.gradient_norm <= 1e-8 ? 1 : 0, error <= 1e-6 ? 1 : 0);
    return status == NKS_OK;
}

}  // namespace

int main() {
    try {
        if (!nks::header_matches_library()) {
            std::fprintf(stderr, "header version %d does not match library %u\n", NKS_VERSION, nks::version());
            return 1;
        }
        const double none = -std::numeric_limits<double>::infinity();
        bool all_converged = true;
        all_converged &= run_case("trust_region", nks::NewtonMethod::TrustRegion, none);
        all_converged &= run_case("line_search", nks::NewtonMethod::LineSearch, none);
        all_converged &= run_case("lazy", nks::NewtonMethod::Lazy, none);
        all_converged &= run_case("refusing", nks::NewtonMethod::TrustRegion, -1.0);
        return all_converged ? 0 : 1;
    } catch (const nks::Error& e) {
        std::fprintf(stderr, "nksolve error (status %d): %s\n", static_cast<int>(e.status()), e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
    }
    return 1;
}

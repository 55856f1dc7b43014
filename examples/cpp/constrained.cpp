/**
 * Equality-constrained optimisation with C++ oracles (bindings/cpp/nksolve.hpp): the adaptive
 * inexact Newton method with randomized sketching (AdaSketch-Newton) of nks::Constrained.
 * Prints the same lines as the Rust reference (examples/rust/constrained.rs) and
 * examples/c/constrained.c.
 *
 * 1. Hock-Schittkowski problem 6: min (1 - x1)^2 s.t. 10 (x2 - x1^2) = 0 from (-1.2, 1)
 *    (solution (1, 1), f* = 0), solved three ways: the default randomized Gaussian sketch
 *    (seed 0), randomized Kaczmarz on the sparse rows of the Jacobian and Hessian (given with
 *    Constrained::set_sparse_rows), and MINRES.
 * 2. A 1D optimal-control problem: min 1/2 ||y - y*||^2 + alpha/2 ||u||^2 subject to the
 *    discrete Poisson equation T y - h^2 u = 0 (T = tridiag(-1, 2, -1), N = 50 interior points
 *    of (0, 1), h = 1/51, y*_i = sin(pi t_i), alpha = 1e-6), x = [y; u], by MINRES with a host
 *    preconditioner: diag(I, alpha I, S) with S the diagonal of the Schur complement
 *    T T + h^4 / alpha I.
 *
 * The oracles are lambdas. An objective, gradient or constraint that cannot evaluate a point
 * throws nks::CannotEvaluate (the line search shortens its step); any other exception stops the
 * solve and comes out of Constrained::solve. Every oracle is computed in the same order in every
 * language (std::sin is the C library's sin), so the counts agree exactly. (A compiler that
 * fuses a * b + c into one rounding changes those bits: keep it from doing so, as -std=c++17 or
 * -ffp-contract=off does, to reproduce the counts.)
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
 *   g++ -std=c++17 -Iinclude -Ibindings/cpp examples/cpp/constrained.cpp \
 *       -Ltarget/release -lnksolve -Wl,-rpath,$PWD/target/release -o constrained
 */
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "nksolve.hpp"

namespace {

constexpr std::size_t N = 50;
constexpr double ALPHA = 1e-6;
constexpr double PI = 3.14159265358979323846;

/// `v` formatted as Rust's `{:.6e}` formats it: printf's `%.6e` mantissa, then the exponent
/// without '+' or zero padding ("1.388567e-14", "1.241060e-3", "2.500000e0").
std::string rust_e6(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6e", v);
    std::string s = buf;
    const std::size_t e = s.find('e');
    if (e == std::string::npos) return s;  // inf or nan: no exponent
    return s.substr(0, e) + "e" + std::to_string(std::atoi(s.c_str() + e + 1));
}

/// HS6 from (-1.2, 1) with the inner solver `kkt_solver`; prints the case's line. Returns
/// whether the solve converged.
bool hs6_line(const char* name, nks::KktSolver kkt_solver) {
    nks::Constrained solver;
    solver.set_oracles(
        1, [](const double* x, std::size_t) { return (1.0 - x[0]) * (1.0 - x[0]); },
        [](const double* x, double* g, std::size_t) {
            g[0] = -2.0 * (1.0 - x[0]);
            g[1] = 0.0;
        },
        [](const double* x, double* c, std::size_t, std::size_t) { c[0] = 10.0 * (x[1] - x[0] * x[0]); },
        [](const double* x, const double* v, double* jv, std::size_t, std::size_t) {
            jv[0] = -20.0 * x[0] * v[0] + 10.0 * v[1];
        },
        [](const double* x, const double* w, double* jtw, std::size_t, std::size_t) {
            jtw[0] = -20.0 * x[0] * w[0];
            jtw[1] = 10.0 * w[0];
        },
        [](const double*, const double* lambda, const double* v, double* hv, std::size_t, std::size_t) {
            hv[0] = (2.0 - 20.0 * lambda[0]) * v[0];
            hv[1] = 0.0;
        });
    // J is 1 x 2 and the Hessian of the Lagrangian 2 x 2, both given as dense sparse rows
    // (0-based CSR); only the Kaczmarz solver reads them.
    solver.set_sparse_rows(
        2, {0, 2}, {0, 1},
        [](const double* x, double* values, std::size_t, std::size_t) {
            values[0] = -20.0 * x[0];
            values[1] = 10.0;
        },
        {0, 2, 4}, {0, 1, 0, 1},
        [](const double*, const double* lambda, double* values, std::size_t, std::size_t, std::size_t) {
            values[0] = 2.0 - 20.0 * lambda[0];
            values[1] = 0.0;
            values[2] = 0.0;
            values[3] = 0.0;
        });
    solver.set_kkt_solver(kkt_solver);

    std::vector<double> x{-1.2, 1.0}, lambda{0.0};
    // NKS_OK: the KKT tests passed; a positive status (a limit, stagnation) leaves the last
    // accepted point in x and lambda; failures throw and leave them untouched.
    const nks_status status = solver.solve(x, lambda);
    const nks::ConstrainedReport r = solver.report();
    std::printf("%s status=%d iterations=%zu inner=%zu merit=%zu penalty_updates=%zu f=%s x1=%.8f x2=%.8f\n", name,
                status == NKS_OK ? 0 : 1, r.iterations, r.inner_iterations, r.merit_evaluations, r.penalty_updates,
                rust_e6(r.objective).c_str(), x[0], x[1]);
    return status == NKS_OK;
}

/// `out = T v` for `T = tridiag(-1, 2, -1)`.
void tridiag(const double* v, double* out) {
    for (std::size_t i = 0; i < N; ++i) {
        const double left = i > 0 ? v[i - 1] : 0.0, right = i + 1 < N ? v[i + 1] : 0.0;
        out[i] = 2.0 * v[i] - left - right;
    }
}

/// The control problem by preconditioned MINRES from x = 0; prints the case's line.
bool control_line() {
    const double h = 1.0 / static_cast<double>(N + 1);
    std::vector<double> target(N);
    for (std::size_t i = 0; i < N; ++i) target[i] = std::sin(PI * static_cast<double>(i + 1) * h);

    // jv = J v = T v_y - h^2 v_u (the constraints are linear: J does not depend on x).
    auto jacobian_vector = [h](const double*, const double* v, double* jv, std::size_t, std::size_t) {
        tridiag(v, jv);
        for (std::size_t i = 0; i < N; ++i) jv[i] -= h * h * v[N + i];
    };
    nks::Constrained solver;
    solver.set_oracles(
        N,
        // f = sum_i 1/2 (y_i - y*_i)^2 + alpha/2 u_i^2, summed in index order.
        [&target](const double* x, std::size_t) {
            double f = 0.0;
            for (std::size_t i = 0; i < N; ++i) {
                f += 0.5 * (x[i] - target[i]) * (x[i] - target[i]) + 0.5 * ALPHA * x[N + i] * x[N + i];
            }
            return f;
        },
        [&target](const double* x, double* g, std::size_t) {
            for (std::size_t i = 0; i < N; ++i) {
                g[i] = x[i] - target[i];
                g[N + i] = ALPHA * x[N + i];
            }
        },
        // c = J x (the same arithmetic as J v).
        [jacobian_vector](const double* x, double* c, std::size_t n, std::size_t m) { jacobian_vector(x, x, c, n, m); },
        jacobian_vector,
        // jtw = J^T w = (T w, -h^2 w).
        [h](const double*, const double* w, double* jtw, std::size_t, std::size_t) {
            tridiag(w, jtw);
            for (std::size_t i = 0; i < N; ++i) jtw[N + i] = -h * h * w[i];
        },
        // hv = diag(I, alpha I) v (the constraints are linear: no lambda term).
        [](const double*, const double*, const double* v, double* hv, std::size_t, std::size_t) {
            for (std::size_t i = 0; i < N; ++i) {
                hv[i] = v[i];
                hv[N + i] = ALPHA * v[N + i];
            }
        });
    // z = M^{-1} r, M = diag(I, alpha I, S), S_ii = (T T)_ii + h^4 / alpha ((T T)_ii = 5 at the
    // ends, 6 inside). r and z have n + m = 3N entries.
    solver.set_preconditioner([h](const double*, const double*, const double* r, double* z, std::size_t, std::size_t) {
        const double h4 = h * h * h * h;
        for (std::size_t i = 0; i < N; ++i) {
            const double ends = (i == 0 || i + 1 == N) ? 5.0 : 6.0;
            z[i] = r[i];
            z[N + i] = r[N + i] / ALPHA;
            z[2 * N + i] = r[2 * N + i] / (ends + h4 / ALPHA);
        }
    });
    solver.set_kkt_solver(nks::KktSolver::Minres);

    std::vector<double> x(2 * N, 0.0), lambda(N, 0.0);
    const nks_status status = solver.solve(x, lambda);
    const nks::ConstrainedReport r = solver.report();
    double misfit = 0.0;
    for (std::size_t i = 0; i < N; ++i) misfit = std::fmax(misfit, std::fabs(x[i] - target[i]));
    std::printf("control1d status=%d iterations=%zu inner=%zu preconditioner_calls=%zu f=%s max_misfit=%s\n",
                status == NKS_OK ? 0 : 1, r.iterations, r.inner_iterations, r.preconditioner_calls,
                rust_e6(r.objective).c_str(), rust_e6(misfit).c_str());
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
        all_converged &= hs6_line("hs6_sketch", nks::KktSolver::GaussianSketch);
        all_converged &= hs6_line("hs6_kaczmarz", nks::KktSolver::Kaczmarz);
        all_converged &= hs6_line("hs6_minres", nks::KktSolver::Minres);
        all_converged &= control_line();
        return all_converged ? 0 : 1;
    } catch (const nks::Error& e) {
        std::fprintf(stderr, "nksolve error (status %d): %s\n", static_cast<int>(e.status()), e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
    }
    return 1;
}

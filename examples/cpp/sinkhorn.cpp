/**
 * Entropic optimal transport between two point clouds, from C++ (bindings/cpp/nksolve.hpp):
 * the 2-Wasserstein distance W2 by log-domain Sinkhorn and by Sinkhorn-Newton-Sparse, from the
 * clouds and from a dense cost matrix, and the sparse plan. Prints the same lines as the Rust
 * reference (examples/rust/sinkhorn.rs) and examples/c/sinkhorn.c.
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
 *                              (Sinkhorn-Newton-Sparse on the same problem, same solver)
 *   dense iterations=K w2=W regularized=R
 *                              (the same problem from the dense 300 x 200 cost matrix)
 *   plan nnz=Z mass=M          (the plan's entries >= 1e-4 and the mass they carry)
 *
 * Build (from the repository root, after `cargo build --release`):
 *   g++ -std=c++17 -Iinclude -Ibindings/cpp examples/cpp/sinkhorn.cpp \
 *       -Ltarget/release -lnksolve -Wl,-rpath,$PWD/target/release -o sinkhorn
 */
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <vector>

#include "nksolve.hpp"

namespace {

constexpr std::size_t N = 300;
constexpr std::size_t M = 200;
constexpr std::size_t D = 2;

/// The `i`-th element (from 1) of the van der Corput sequence in `base`.
double halton(std::size_t i, std::size_t base) {
    double f = 1.0, r = 0.0;
    while (i > 0) {
        f /= static_cast<double>(base);
        r += f * static_cast<double>(i % base);
        i /= base;
    }
    return r;
}

}  // namespace

int main() {
    try {
        if (!nks::header_matches_library()) {
            std::fprintf(stderr, "header version %d does not match library %u\n", NKS_VERSION, nks::version());
            return 1;
        }
        // The clouds, D x N and D x M column-major: point i is x[D * i], x[D * i + 1].
        std::vector<double> x, y;
        for (std::size_t i = 0; i < N; ++i) x.insert(x.end(), {halton(i + 1, 2), halton(i + 1, 3)});
        for (std::size_t j = 0; j < M; ++j) y.insert(y.end(), {halton(j + 1, 5) + 0.3, halton(j + 1, 7)});
        const std::vector<double> a(N, 1.0 / N), b(M, 1.0 / M);
        // "use_initial_guess" is off (the default): every solve starts f and g from zero.
        std::vector<double> f(N), g(M);
        bool all_converged = true;

        nks::Sinkhorn solver;
        solver.set_eps(0.01).set_tol(1e-9);

        // Log-domain Sinkhorn on the clouds, |x_i - y_j|^2 computed on the fly.
        all_converged &= solver.solve_points(D, a, b, x, y, 2.0, f, g) == NKS_OK;
        nks::SinkhornReport r = solver.report();
        std::printf("sinkhorn iterations=%zu marginal_error=%.1e cost=%.10f w2=%.10f\n", r.iterations,
                    r.marginal_error, r.transport_cost, std::sqrt(r.transport_cost));

        // Sinkhorn-Newton-Sparse on the same problem, with the same solver.
        solver.set_method(nks::OtMethod::SNS);
        all_converged &= solver.solve_points(D, a, b, x, y, 2.0, f, g) == NKS_OK;
        r = solver.report();
        std::printf("sns newton=%zu sinkhorn=%zu converged=%d w2=%.10f\n", r.newton_iterations,
                    r.sinkhorn_iterations, nks::termination(r) == nks::Termination::ConvergedAtol ? 1 : 0,
                    std::sqrt(r.transport_cost));

        // The same problem from the dense cost matrix, N x M column-major, by Sinkhorn.
        std::vector<double> c(N * M);
        for (std::size_t j = 0; j < M; ++j) {
            for (std::size_t i = 0; i < N; ++i) {
                const double dx = x[D * i] - y[D * j], dy = x[D * i + 1] - y[D * j + 1];
                c[j * N + i] = dx * dx + dy * dy;
            }
        }
        solver.set_method(nks::OtMethod::Sinkhorn);
        all_converged &= solver.solve_dense(a, b, c, f, g) == NKS_OK;
        r = solver.report();
        std::printf("dense iterations=%zu w2=%.10f regularized=%.10f\n", r.iterations, std::sqrt(r.transport_cost),
                    r.regularized_cost);

        // The plan's entries >= 1e-4 and the mass they carry.
        const nks::SparsePlan plan = solver.plan_sparse(1e-4);
        double mass = 0.0;
        for (const double v : plan.values) mass += v;
        std::printf("plan nnz=%zu mass=%.6f\n", plan.size(), mass);
        return all_converged ? 0 : 1;
    } catch (const nks::Error& e) {
        std::fprintf(stderr, "nksolve error (status %d): %s\n", static_cast<int>(e.status()), e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
    }
    return 1;
}

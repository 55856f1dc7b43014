/**
 * 2D Poisson with nksolve from C++ (bindings/cpp/nksolve.hpp): the same system solved three
 * ways, printing the same lines as examples/c/poisson.c.
 *
 *   -Laplace(u) = 1 on the unit square, u = 0 on the boundary, 5-point stencil,
 *   32 x 32 interior points (n = 1024), stencil [-1 -1 4 -1 -1] (scaled by h^2).
 *
 *   cg          CSR operator, conjugate gradients, no preconditioner
 *   gmres_ilu0  CSR operator, GMRES(30) with the built-in ILU(0)
 *   cg_callback matrix-free operator (a lambda applying this file's stencil) and a host
 *               Jacobi preconditioner (a lambda), method CG
 *
 * Build (from the repository root, after `cargo build --release`):
 *   g++ -std=c++17 -Iinclude -Ibindings/cpp examples/cpp/poisson.cpp \
 *       -Ltarget/release -lnksolve -Wl,-rpath,$PWD/target/release -o poisson
 */
#include <cstdio>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <vector>

#include "nksolve.hpp"

namespace {

constexpr std::size_t NX = 32;
constexpr std::size_t N = NX * NX;

/// The 0-based CSR matrix of the stencil, rows in node order p = i + NX * j.
nks::Csr build_csr() {
    std::vector<std::int64_t> row_ptr, col_idx;
    std::vector<double> values;
    row_ptr.reserve(N + 1);
    for (std::size_t j = 0; j < NX; ++j) {
        for (std::size_t i = 0; i < NX; ++i) {
            const auto p = static_cast<std::int64_t>(i + NX * j);
            const auto nx = static_cast<std::int64_t>(NX);
            row_ptr.push_back(static_cast<std::int64_t>(col_idx.size()));
            auto add = [&](std::int64_t col, double v) {
                col_idx.push_back(col);
                values.push_back(v);
            };
            if (j > 0) add(p - nx, -1.0);
            if (i > 0) add(p - 1, -1.0);
            add(p, 4.0);
            if (i + 1 < NX) add(p + 1, -1.0);
            if (j + 1 < NX) add(p + nx, -1.0);
        }
    }
    row_ptr.push_back(static_cast<std::int64_t>(col_idx.size()));
    return nks::Csr(N, N, row_ptr, col_idx, values, 0);
}

/// Prints "NAME status=S iterations=K residual=R"; true when the solve converged.
bool print_report(const nks::Krylov& solver, const char* name, nks_status status) {
    const nks::Report r = solver.report();
    std::printf("%s status=%d iterations=%zu residual=%.6e\n", name, static_cast<int>(status), r.iterations,
                r.residual_norm);
    return status == NKS_OK;
}

}  // namespace

int main() {
    try {
        if (!nks::header_matches_library()) {
            std::fprintf(stderr, "header version %d does not match library %u\n", NKS_VERSION, nks::version());
            return 1;
        }
        const std::vector<double> b(N, 1.0);
        std::vector<double> x(N, 0.0);
        bool ok = true;

        nks::Krylov solver;
        solver.set_rtol(1e-8);

        // 1. CG on the CSR matrix (the solver keeps its own reference to it).
        solver.set_operator(build_csr()).set_method(nks::Method::CG);
        ok &= print_report(solver, "cg", solver.solve(b, x));
        const double center = x[NX / 2 + NX * (NX / 2)];

        // 2. GMRES(30) with the built-in ILU(0).
        solver.set_method(nks::Method::GMRES).set_restart(30).set_preconditioner(nks::Preconditioner::ILU0);
        ok &= print_report(solver, "gmres_ilu0", solver.solve(b, x));

        // 3. CG, matrix-free, with a host Jacobi preconditioner: both are C++ lambdas.
        solver.set_method(nks::Method::CG)
            .set_operator(N,
                          [](const double* u, double* y, std::size_t n) {
                              if (n != N) throw std::invalid_argument("stencil matvec: wrong vector length");
                              for (std::size_t j = 0; j < NX; ++j) {
                                  for (std::size_t i = 0; i < NX; ++i) {
                                      const std::size_t p = i + NX * j;
                                      double v = 4.0 * u[p];
                                      if (i > 0) v -= u[p - 1];
                                      if (i + 1 < NX) v -= u[p + 1];
                                      if (j > 0) v -= u[p - NX];
                                      if (j + 1 < NX) v -= u[p + NX];
                                      y[p] = v;
                                  }
                              }
                          })
            .set_preconditioner([](const double* r, double* z, std::size_t n) {
                for (std::size_t i = 0; i < n; ++i) z[i] = r[i] / 4.0;
            });
        ok &= print_report(solver, "cg_callback", solver.solve(b, x));

        std::printf("center u=%.12e\n", center);
        return ok ? 0 : 1;
    } catch (const nks::Error& e) {
        std::fprintf(stderr, "nksolve error (status %d): %s\n", static_cast<int>(e.status()), e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
    }
    return 1;
}

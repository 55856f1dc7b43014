/**
 * Krylov recycling with nksolve from C++ (bindings/cpp/nksolve.hpp): a sequence of eight
 * convection-diffusion systems solved with GMRES(30), then with GCRO-DR(30, 10) in the SKR
 * order, then resumed from a saved recycle space. Prints the same lines as the Rust reference
 * (examples/rust/recycling.rs) and examples/c/recycling.c.
 *
 *   24 x 24 interior grid (n = 576), 5-point stencil with centre 4, south / north -1,
 *   west -1 - beta_s, east -1 + beta_s, where system s has beta_s = 0.1 + 0.05 P[s],
 *   P = [3, 7, 0, 5, 1, 6, 2, 4]; right-hand side 1, rtol 1e-8; SKR feature of system s: beta_s.
 *
 * Build (from the repository root, after `cargo build --release`):
 *   g++ -std=c++17 -Iinclude -Ibindings/cpp examples/cpp/recycling.cpp \
 *       -Ltarget/release -lnksolve -Wl,-rpath,$PWD/target/release -o recycling
 */
#include <array>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <vector>

#include "nksolve.hpp"

namespace {

constexpr std::size_t NX = 24;
constexpr std::size_t N = NX * NX;
constexpr std::size_t SYSTEMS = 8;
/// The permutation that scatters the convection strengths over the systems.
constexpr std::array<int, SYSTEMS> P{3, 7, 0, 5, 1, 6, 2, 4};

/// Convection strength of system `s`, also its SKR feature.
double beta(std::size_t s) { return 0.1 + 0.05 * P[s]; }

/// System `s`'s matrix (0-based CSR, columns in increasing order).
nks::Csr system_matrix(std::size_t s) {
    std::vector<std::int64_t> row_ptr{0}, col_idx;
    std::vector<double> values;
    const auto nx = static_cast<std::int64_t>(NX);
    for (std::size_t j = 0; j < NX; ++j) {
        for (std::size_t i = 0; i < NX; ++i) {
            const auto p = static_cast<std::int64_t>(i + NX * j);
            auto add = [&](std::int64_t col, double v) {
                col_idx.push_back(col);
                values.push_back(v);
            };
            if (j > 0) add(p - nx, -1.0);
            if (i > 0) add(p - 1, -1.0 - beta(s));
            add(p, 4.0);
            if (i + 1 < NX) add(p + 1, -1.0 + beta(s));
            if (j + 1 < NX) add(p + nx, -1.0);
            row_ptr.push_back(static_cast<std::int64_t>(col_idx.size()));
        }
    }
    return nks::Csr(N, N, row_ptr, col_idx, values, 0);
}

/// A solver with `method`, restart 30, rtol 1e-8 and 10 recycled vectors.
nks::Krylov solver(nks::Method method) {
    nks::Krylov k;
    k.set_method(method).set_restart(30).set_rtol(1e-8).set_recycle_dim(10);
    return k;
}

/// Solves system 0 (`a0`, right-hand side `b0`) on `k`; returns the solve's report.
nks::Report solve_first_system(nks::Krylov& k, const nks::Csr& a0, const std::vector<double>& b0) {
    std::vector<double> x0(N, 0.0);
    k.set_operator(a0).solve(b0, x0);
    return k.report();
}

}  // namespace

int main() {
    try {
        if (!nks::header_matches_library()) {
            std::fprintf(stderr, "header version %d does not match library %u\n", NKS_VERSION, nks::version());
            return 1;
        }
        std::vector<nks::Csr> matrices;
        std::vector<double> features;
        for (std::size_t s = 0; s < SYSTEMS; ++s) {
            matrices.push_back(system_matrix(s));
            features.push_back(beta(s));
        }
        const std::vector<double> b(N * SYSTEMS, 1.0);
        std::vector<double> x(N * SYSTEMS, 0.0);

        // 1. GMRES(30): every system from scratch, in the natural order.
        nks::Krylov gmres = solver(nks::Method::GMRES);
        const nks::SequenceResult plain = gmres.solve_sequence(matrices, b, x);
        std::printf("gmres status=%d total_iterations=%zu\n", static_cast<int>(plain.status), plain.total_iterations());

        // 2. GCRO-DR(30, 10) in the SKR order of the features (one beta per system).
        nks::Krylov gcrodr = solver(nks::Method::GCRODR);
        const nks::SequenceResult recycled = gcrodr.solve_sequence(matrices, b, x, features);
        std::printf("gcrodr status=%d total_iterations=%zu order=", static_cast<int>(recycled.status),
                    recycled.total_iterations());
        for (std::size_t i = 0; i < SYSTEMS; ++i) std::printf(i == 0 ? "%zu" : ",%zu", recycled.order[i]);
        std::printf("\n");
        for (std::size_t s = 0; s < SYSTEMS; ++s) {
            const nks::Report& r = recycled.reports[s];
            std::printf("system_%zu iterations=%zu residual=%.6e\n", s, r.iterations, r.residual_norm);
        }

        // 3. Save the recycled space, load it into a fresh solver, and solve system 0 with both.
        const std::vector<std::uint8_t> saved = gcrodr.save_recycled();
        std::printf("saved bytes=%zu\n", saved.size());
        nks::Krylov resumed = solver(nks::Method::GCRODR);
        resumed.load_recycled(saved);
        const std::vector<double> b0(b.begin(), b.begin() + N);
        const nks::Report again_resumed = solve_first_system(resumed, matrices[0], b0);
        const nks::Report again_original = solve_first_system(gcrodr, matrices[0], b0);
        std::printf("resumed iterations=%zu original=%zu\n", again_resumed.iterations, again_original.iterations);
        const bool converged = plain.status == NKS_OK && recycled.status == NKS_OK &&
                               again_resumed.status == NKS_OK && again_original.status == NKS_OK;
        return converged ? 0 : 1;
    } catch (const nks::Error& e) {
        std::fprintf(stderr, "nksolve error (status %d): %s\n", static_cast<int>(e.status()), e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
    }
    return 1;
}

/**
 * Learning SOR's relaxation parameter across a sequence of systems, from C++
 * (bindings/cpp/nksolve.hpp). Prints the same lines as the Rust reference
 * (examples/rust/sor_bandit.rs) and examples/c/sor_bandit.c.
 *
 *   A_t = L + c_t I, L the 5-point Laplacian on a 10 x 10 grid (stencil [-1 -1 4 -1 -1]),
 *   c_t in [-0.1, 0.4] from a fixed pseudo-random sequence (the "context" of system t),
 *   b = 1, x0 = 0, tolerance 1e-8 on ||r|| / ||r0||, 400 systems.
 *
 * The ChebCB learner chooses omega from 20 values on [1, 1.95] for each system, given c_t,
 * and learns from the iteration count. Halfway through, the learner is saved to a byte buffer
 * and restored (what a restarted simulation does) and the solves continue on the copy.
 *
 * Output: "solve_T context=C omega=W iterations=K status=S" every 50 systems, then
 * "total iterations=K solves=T" and the learned distribution at c = -0.05 and c = 0.35,
 * "probabilities_low context=-0.05 p=p0,p1,..." / "probabilities_high context=0.35 p=...".
 *
 * Build (from the repository root, after `cargo build --release`):
 *   g++ -std=c++17 -Iinclude -Ibindings/cpp examples/cpp/sor_bandit.cpp \
 *       -Ltarget/release -lnksolve -Wl,-rpath,$PWD/target/release -o sor_bandit
 */
#include <cstdint>
#include <cstdio>
#include <exception>
#include <vector>

#include "nksolve.hpp"

namespace {

constexpr std::size_t NX = 10;
constexpr std::size_t N = NX * NX;
constexpr std::size_t SYSTEMS = 400;
constexpr std::size_t ARMS = 20;

/// `L + c I` as a 0-based CSR matrix, columns in increasing order.
nks::Csr shifted_laplacian(double c) {
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
            if (i > 0) add(p - 1, -1.0);
            add(p, 4.0 + c);
            if (i + 1 < NX) add(p + 1, -1.0);
            if (j + 1 < NX) add(p + nx, -1.0);
            row_ptr.push_back(static_cast<std::int64_t>(col_idx.size()));
        }
    }
    return nks::Csr(N, N, row_ptr, col_idx, values, 0);
}

/// The context sequence: a 64-bit LCG (wrapping unsigned arithmetic) mapped to [-0.1, 0.4].
double next_context(std::uint64_t& state) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return -0.1 + 0.5 * static_cast<double>(state >> 11) * (1.0 / 9007199254740992.0);
}

/// Prints the learned distribution at `context` as "NAME context=C p=p0,p1,...".
void print_probabilities(const nks::SorBandit& learner, const char* name, double context) {
    const std::vector<double> p = learner.probabilities(context);
    std::printf("%s context=%.2f p=", name, context);
    for (std::size_t k = 0; k < p.size(); ++k) std::printf(k == 0 ? "%.4f" : ",%.4f", p[k]);
    std::printf("\n");
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
        std::uint64_t lcg = 12345;
        std::size_t total = 0;
        bool all_converged = true;

        nks::SorBandit learner(nks::SorLearner::ChebCB, ARMS, 1.0, 1.95, 2024);
        learner.set_option("context_min", -0.1).set_option("context_max", 0.4).set_tol(1e-8);

        for (std::size_t t = 0; t < SYSTEMS; ++t) {
            const double c = next_context(lcg);
            const nks_status status = learner.solve(shifted_laplacian(c), b, x, c);
            const nks::SorReport r = learner.report();
            all_converged &= status == NKS_OK;
            total += r.iterations;
            if (t % 50 == 0) {
                std::printf("solve_%zu context=%.4f omega=%.4f iterations=%zu status=%d\n", t, c, r.omega,
                            r.iterations, static_cast<int>(status));
            }
            if (t == SYSTEMS / 2) {
                // Save and restore, as a restarted simulation would; continue on the copy.
                learner = nks::SorBandit::load(learner.save());
            }
        }
        std::printf("total iterations=%zu solves=%zu\n", total, SYSTEMS);
        print_probabilities(learner, "probabilities_low", -0.05);
        print_probabilities(learner, "probabilities_high", 0.35);
        return all_converged ? 0 : 1;
    } catch (const nks::Error& e) {
        std::fprintf(stderr, "nksolve error (status %d): %s\n", static_cast<int>(e.status()), e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
    }
    return 1;
}

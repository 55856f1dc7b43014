/**
 * The SOR-bandit wrappers of the C++ binding (bindings/cpp/nksolve.hpp): `nks::SorBandit`
 * (construction, options by name and typed, choose / observe, solve and its report,
 * probabilities, save / load to bytes and files, moves) and the errors of all of these.
 *
 * Run by tests/bindings_cpp.rs against the shared and the static library, with a scratch
 * folder as its only argument (for the saved files). Prints one line per check and a final
 * "N passed, M failed"; exits non-zero when any check fails.
 *
 * The test systems: `L + c I`, L the 5-point Laplacian on a 10 x 10 grid (n = 100), b = 1; the
 * learners use 20 omegas on [1, 1.95] unless a check says otherwise.
 */
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "check.hpp"
#include "nksolve.hpp"

namespace {

using nks_test::check;
using nks_test::expect_error;
using nks_test::run;

constexpr std::size_t NX = 10;
constexpr std::size_t N = NX * NX;
constexpr std::size_t ARMS = 20;
constexpr double OMEGA_MIN = 1.0;
constexpr double OMEGA_MAX = 1.95;
constexpr double TOL = 1e-8;

/// `L + c I` on the `NX x NX` grid, 0-based CSR with columns in increasing order.
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
    return nks::Csr(N, N, row_ptr, col_idx, values);
}

/// A ChebCB learner over 20 omegas on [1, 1.95] for contexts in [-0.1, 0.4], as the example's.
nks::SorBandit chebcb(std::uint64_t seed = 2024) {
    nks::SorBandit learner(nks::SorLearner::ChebCB, ARMS, OMEGA_MIN, OMEGA_MAX, seed);
    learner.set_option("context_min", -0.1).set_option("context_max", 0.4).set_tol(TOL);
    return learner;
}

/// Omega of arm `k` of the 20-arm grid.
double grid_omega(std::size_t k) { return OMEGA_MIN + (OMEGA_MAX - OMEGA_MIN) * static_cast<double>(k) / (ARMS - 1); }

/// `||b - A x||_2`, recomputed from the matrix.
double true_residual(const nks::Csr& a, const std::vector<double>& b, const std::vector<double>& x) {
    const std::vector<double> ax = a.matvec(x);
    double r2 = 0.0;
    for (std::size_t i = 0; i < b.size(); ++i) r2 += (b[i] - ax[i]) * (b[i] - ax[i]);
    return std::sqrt(r2);
}

/// `v` in scientific notation, for the check descriptions.
std::string sci(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3e", v);
    return buf;
}

/// Trains `learner` on `count` solves with contexts spread over [-0.1, 0.4].
void train(nks::SorBandit& learner, std::size_t count) {
    const std::vector<double> b(N, 1.0);
    std::vector<double> x(N, 0.0);
    for (std::size_t t = 0; t < count; ++t) {
        const double c = -0.1 + 0.5 * static_cast<double>((t * 7) % count) / static_cast<double>(count);
        learner.solve(shifted_laplacian(c), b, x, c);
    }
}

/// The arms `learner` chooses for `count` contexts (advancing its generator).
std::vector<std::size_t> choices(nks::SorBandit& learner, std::size_t count) {
    std::vector<std::size_t> arms;
    for (std::size_t t = 0; t < count; ++t) arms.push_back(learner.choose(0.05 * static_cast<double>(t % 8)).arm);
    return arms;
}

/// The bytes of the file `path`.
std::vector<std::uint8_t> file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Writes `bytes` to the file `path`.
void write_file(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// The report is the C struct, whose layout the other bindings copy: pin it on LP64 targets.
static_assert(sizeof(void*) != 8 || (offsetof(nks::SorReport, status) == 0 &&
                                     offsetof(nks::SorReport, termination) == 4 &&
                                     offsetof(nks::SorReport, arm) == 8 && offsetof(nks::SorReport, omega) == 16 &&
                                     offsetof(nks::SorReport, iterations) == 24 &&
                                     offsetof(nks::SorReport, cost) == 32 &&
                                     offsetof(nks::SorReport, initial_residual_norm) == 40 &&
                                     offsetof(nks::SorReport, residual_norm) == 48 &&
                                     offsetof(nks::SorReport, seconds) == 56 && sizeof(nks::SorReport) == 64),
              "nks_sor_report layout");

// (a) construction and options: defaults, by name and typed, and their errors.
void construction_and_options() {
    nks::SorBandit learner(nks::SorLearner::TsallisInf, ARMS, OMEGA_MIN, OMEGA_MAX, 7);
    check(learner.get_option("tol") == 1e-8 && learner.get_option("max_iterations") == 10000.0 &&
              learner.get_option("method") == 0.0 && learner.get_option("context_min") == 0.0 &&
              learner.get_option("context_max") == 1.0 && learner.get_option("young_rho") == -1.0,
          "(a) defaults: tol 1e-8, 10000 iterations, SOR, context [0, 1], young_rho -1");
    learner.set_tol(1e-6)
        .set_max_iterations(500)
        .set_method(nks::SorMethod::SSOR_PCG)
        .set_sweep(nks::SorSweep::Symmetric)
        .set_ordering(nks::SorOrdering::Multicolour)
        .set_use_initial_guess(true);
    check(learner.get_option("tol") == 1e-6 && learner.get_option("max_iterations") == 500.0 &&
              learner.get_option("method") == 1.0 && learner.get_option("sweep") == 2.0 &&
              learner.get_option("ordering") == 1.0 && learner.get_option("use_initial_guess") == 1.0,
          "(a) the typed setters write the options get_option reads");
    learner.set_option("bins", 8).set_option("chebyshev_terms", 4).set_option("young_rho", 0.5);
    check(learner.get_option("bins") == 8.0 && learner.get_option("chebyshev_terms") == 4.0 &&
              learner.get_option("young_rho") == 0.5,
          "(a) set_option / get_option round trip");

    expect_error("(a) an unknown option name", NKS_ERR_UNKNOWN_OPTION, "known options",
                 [&] { learner.set_option("omega", 1.5); }, "nks_sor_bandit_set_option");
    expect_error("(a) reading an unknown option", NKS_ERR_UNKNOWN_OPTION, "tol",
                 [&] { learner.get_option("no_such_option"); }, "nks_sor_bandit_get_option");
    expect_error("(a) tol = 1", NKS_ERR_INVALID_ARGUMENT, "tol", [&] { learner.set_tol(1.0); });
    check(learner.get_option("tol") == 1e-6, "(a) a refused value keeps the previous one");
    expect_error("(a) context_min above context_max", NKS_ERR_INVALID_ARGUMENT, "context_max",
                 [&] { learner.set_option("context_min", 2.0); });

    expect_error("(a) num_arms = 0", NKS_ERR_INVALID_ARGUMENT, "num_arms",
                 [] { nks::SorBandit(nks::SorLearner::TsallisInf, 0, 1.0, 1.9, 1); }, "nks_sor_bandit_new");
    expect_error("(a) omega_max = 2", NKS_ERR_INVALID_ARGUMENT, "omega",
                 [] { nks::SorBandit(nks::SorLearner::ChebCB, 5, 1.0, 2.0, 1); }, "nks_sor_bandit_new");
    expect_error("(a) a fixed learner with two arms", NKS_ERR_INVALID_ARGUMENT, "num_arms",
                 [] { nks::SorBandit(nks::SorLearner::Fixed, 2, 1.5, 1.5, 1); }, "nks_sor_bandit_new");
    expect_error("(a) an unknown learner", NKS_ERR_INVALID_ARGUMENT, "learner = 9",
                 [] { nks::SorBandit(static_cast<nks::SorLearner>(9), 3, 1.0, 1.5, 1); }, "nks_sor_bandit_new");

    // Structural options are frozen once the learner has observed a cost.
    nks::SorBandit contextual = chebcb();
    contextual.observe(3, 0.1, 40.0);
    expect_error("(a) context_min after an observation", NKS_ERR_INVALID_STATE, "context_min",
                 [&] { contextual.set_option("context_min", -0.2); });
    contextual.set_tol(1e-7);
    check(contextual.get_option("tol") == 1e-7, "(a) solver options still change after an observation");
}

// (b) choose / observe without the library's solver.
void choose_and_observe() {
    nks::SorBandit fixed(nks::SorLearner::Fixed, 1, 1.5, 1.5, 1);
    const nks::SorChoice c = fixed.choose(0.3);
    check(c.arm == 0 && c.omega == 1.5, "(b) a fixed learner with omega 1.5 chooses arm 0, omega 1.5");
    fixed.observe(c.arm, 0.3, 12.0);
    check(fixed.probabilities(0.3) == std::vector<double>{1.0}, "(b) the fixed learner's distribution is {1}");
    expect_error("(b) observing arm 1 of a one-arm learner", NKS_ERR_INVALID_ARGUMENT, "arm",
                 [&] { fixed.observe(1, 0.3, 12.0); }, "nks_sor_bandit_observe");

    nks::SorBandit young(nks::SorLearner::Young, 1, OMEGA_MIN, OMEGA_MAX, 1);
    const double rho = 0.9;
    const double expected = 2.0 / (1.0 + std::sqrt(1.0 - rho * rho));
    const nks::SorChoice y = young.choose(rho);
    check(y.arm == 0 && std::fabs(y.omega - expected) < 1e-12,
          "(b) Young with context rho = 0.9 chooses 2 / (1 + sqrt(1 - rho^2)) = " + std::to_string(y.omega));
    expect_error("(b) a Young context outside [0, 1)", NKS_ERR_INVALID_ARGUMENT, "Young",
                 [&] { young.choose(1.5); }, "nks_sor_bandit_choose");

    // A bandit: the choice is on the grid, and learning moves the distribution.
    nks::SorBandit bandit(nks::SorLearner::TsallisInf, ARMS, OMEGA_MIN, OMEGA_MAX, 11);
    const nks::SorChoice first = bandit.choose(0.0);
    check(first.arm < ARMS && std::fabs(first.omega - grid_omega(first.arm)) < 1e-12,
          "(b) Tsallis-INF chooses a grid point: arm " + std::to_string(first.arm) + ", omega " +
              std::to_string(first.omega));
    const std::vector<double> before = bandit.probabilities(0.0);
    for (int round = 0; round < 30; ++round) {
        const nks::SorChoice ch = bandit.choose(0.0);
        bandit.observe(ch.arm, 0.0, ch.arm == 12 ? 20.0 : 200.0);
    }
    const std::vector<double> after = bandit.probabilities(0.0);
    check(after[12] > before[12] && after[12] > 0.1,
          "(b) observe: the cheap arm's probability grows (" + std::to_string(before[12]) + " -> " +
              std::to_string(after[12]) + ")");
    expect_error("(b) a negative cost", NKS_ERR_INVALID_ARGUMENT, "cost",
                 [&] { bandit.observe(0, 0.0, -1.0); }, "nks_sor_bandit_observe");
    expect_error("(b) a NaN context", NKS_ERR_NON_FINITE, "context",
                 [&] { bandit.choose(NAN); }, "nks_sor_bandit_choose");

    nks::SorBandit twin_a(nks::SorLearner::TsallisInf, ARMS, OMEGA_MIN, OMEGA_MAX, 99);
    nks::SorBandit twin_b(nks::SorLearner::TsallisInf, ARMS, OMEGA_MIN, OMEGA_MAX, 99);
    check(choices(twin_a, 40) == choices(twin_b, 40), "(b) the same seed gives the same choices");
}

// (c) solve: the result against the true residual, the report, the capped and failed solves.
void solve() {
    nks::SorBandit learner = chebcb();
    const nks::Csr a = shifted_laplacian(0.1);
    const std::vector<double> b(N, 1.0);
    std::vector<double> x(N, 0.0);
    const nks_status status = learner.solve(a, b, x, 0.1);
    const nks::SorReport r = learner.report();
    const double residual = true_residual(a, b, x);
    const double b_norm = std::sqrt(static_cast<double>(N));
    check(status == NKS_OK && r.status == NKS_OK && nks::termination(r) == nks::Termination::ConvergedRtol,
          "(c) solve returns NKS_OK; the report says converged");
    check(residual < TOL * b_norm, "(c) the true residual ||b - A x|| = " + sci(residual) + " < tol ||b||");
    check(std::fabs(r.residual_norm - residual) <= 1e-6 * residual,
          "(c) the report's residual_norm " + sci(r.residual_norm) + " is the true one");
    check(std::fabs(r.initial_residual_norm - b_norm) < 1e-12 * b_norm, "(c) initial_residual_norm = ||b|| (x0 = 0)");
    check(r.iterations > 0 && r.cost == static_cast<double>(r.iterations) && r.arm < ARMS &&
              std::fabs(r.omega - grid_omega(r.arm)) < 1e-12 && r.seconds >= 0.0,
          "(c) the report: " + std::to_string(r.iterations) + " iterations = cost, arm " + std::to_string(r.arm) +
              ", omega " + std::to_string(r.omega));

    // The pointer overload and SSOR-PCG.
    learner.set_method(nks::SorMethod::SSOR_PCG);
    std::vector<double> y(N, 0.0);
    const nks_status pcg_status = learner.solve(a, b.data(), y.data(), N, 0.1);
    const std::size_t pcg_iterations = learner.report().iterations;
    check(pcg_status == NKS_OK && true_residual(a, b, y) < TOL * b_norm && pcg_iterations < r.iterations,
          "(c) SSOR-PCG through the pointer overload converges in fewer iterations than SOR (" +
              std::to_string(pcg_iterations) + ")");

    // Capped: a usable iterate and a positive status, not an exception.
    nks::SorBandit capped = chebcb();
    capped.set_max_iterations(3);
    std::fill(x.begin(), x.end(), 0.0);
    const nks_status capped_status = capped.solve(a, b, x, 0.1);
    const nks::SorReport rc = capped.report();
    check(capped_status == NKS_MAX_ITERATIONS && rc.iterations == 3 && rc.cost == 3.0 &&
              nks::termination(rc) == nks::Termination::MaxIterations,
          "(c) max_iterations 3: NKS_MAX_ITERATIONS returned, cost 3");
    const double capped_residual = true_residual(a, b, x);
    check(capped_residual < b_norm && std::fabs(capped_residual - rc.residual_norm) <= 1e-6 * capped_residual,
          "(c) the capped iterate is in x and its residual " + sci(capped_residual) + " is the report's");

    // Failures after choosing throw, and report() describes the failed solve.
    nks::SorBandit indefinite = chebcb();
    indefinite.set_method(nks::SorMethod::SSOR_PCG);
    const nks::Csr shifted = shifted_laplacian(-6.0);
    std::vector<double> untouched(N, 7.0);
    expect_error("(c) SSOR-PCG on an indefinite matrix", NKS_ERR_BREAKDOWN, "broke down",
                 [&] { indefinite.solve(shifted, b, untouched, -0.1); }, "nks_sor_bandit_solve");
    check(nks::termination(indefinite.report()) == nks::Termination::Breakdown &&
              indefinite.report().status == NKS_ERR_BREAKDOWN && untouched == std::vector<double>(N, 7.0),
          "(c) after the breakdown: x untouched, report() says Breakdown");

    // Bad input fails before any work.
    expect_error("(c) x shorter than b", NKS_ERR_DIMENSION_MISMATCH, "entries", [&] {
        std::vector<double> short_x(N - 1);
        learner.solve(a, b, short_x, 0.1);
    });
    expect_error("(c) n not the matrix's dimension", NKS_ERR_DIMENSION_MISMATCH, "n = 50",
                 [&] { learner.solve(a, b.data(), x.data(), 50, 0.1); }, "nks_sor_bandit_solve");
    expect_error("(c) a NaN context", NKS_ERR_NON_FINITE, "context",
                 [&] { learner.solve(a, b, x, NAN); }, "nks_sor_bandit_solve");
    const std::vector<std::int64_t> row_ptr{0, 1, 2}, col_idx{1, 0};
    const nks::Csr no_diagonal(2, 2, row_ptr, col_idx, std::vector<double>{1.0, 1.0});
    std::vector<double> x2(2, 0.0);
    expect_error("(c) a zero diagonal", NKS_ERR_INVALID_ARGUMENT, "diagonal",
                 [&] { learner.solve(no_diagonal, std::vector<double>(2, 1.0), x2, 0.1); }, "nks_sor_bandit_solve");
    nks::Csr moved = shifted_laplacian(0.0);
    const nks::Csr taken = std::move(moved);
    expect_error("(c) a moved-from matrix", NKS_ERR_NULL_POINTER, "moved", [&] { learner.solve(moved, b, x, 0.1); });
}

// (d) probabilities: a distribution over the arms; the length must be the number of arms.
void probabilities() {
    nks::SorBandit learner = chebcb();
    train(learner, 60);
    const std::vector<double> low = learner.probabilities(-0.05);
    const std::vector<double> high = learner.probabilities(0.35);
    double sum = 0.0;
    bool non_negative = true;
    for (double p : low) {
        sum += p;
        non_negative &= p >= 0.0;
    }
    check(low.size() == ARMS && non_negative && std::fabs(sum - 1.0) < 1e-9,
          "(d) probabilities at -0.05: 20 non-negative values summing to 1");
    check(low != high, "(d) ChebCB's distribution depends on the context");
    std::vector<double> raw(ARMS, -1.0);
    learner.probabilities(-0.05, raw.data(), raw.size());
    check(raw == low, "(d) the pointer overload writes the same distribution");

    std::vector<double> sentinel(ARMS - 1, -1.0);
    expect_error("(d) a length mismatch", NKS_ERR_DIMENSION_MISMATCH, "num_arms = 20",
                 [&] { learner.probabilities(0.1, sentinel.data(), sentinel.size()); }, "nks_sor_bandit_probabilities");
    check(sentinel == std::vector<double>(ARMS - 1, -1.0), "(d) a refused call writes nothing");
    check(learner.num_arms() == ARMS && learner.get_option("omega_max") == OMEGA_MAX, "(d) the read-only properties");
    expect_error("(d) num_arms is read-only", NKS_ERR_INVALID_STATE, "read",
                 [&] { learner.set_option("num_arms", 21); }, "nks_sor_bandit_set_option");
    expect_error("(d) an infinite context", NKS_ERR_NON_FINITE, "context", [&] { learner.probabilities(INFINITY); });
}

// (e) save / load to bytes and files: the copy continues as the original; bad input is refused.
void save_and_load(const std::string& scratch) {
    nks::SorBandit original = chebcb();
    train(original, 50);
    const std::vector<std::uint8_t> saved = original.save();
    check(!saved.empty() && original.save() == saved, "(e) save gives the same " + std::to_string(saved.size()) +
                                                          " bytes twice");

    nks::SorBandit loaded = nks::SorBandit::load(saved);
    check(loaded.save() == saved, "(e) a loaded learner saves the bytes it was loaded from");
    check(loaded.probabilities(-0.05) == original.probabilities(-0.05) &&
              loaded.probabilities(0.35) == original.probabilities(0.35),
          "(e) the loaded learner has the same probabilities");
    check(loaded.get_option("context_min") == -0.1 && loaded.get_option("tol") == TOL,
          "(e) the options travel with the learner");
    nks::SorBandit from_pointer = nks::SorBandit::load(saved.data(), saved.size());
    train(original, 20);
    train(loaded, 20);
    train(from_pointer, 20);
    check(loaded.save() == original.save() && from_pointer.save() == original.save() &&
              loaded.probabilities(0.2) == original.probabilities(0.2),
          "(e) after 20 more solves each, the copies and the original are still identical");
    check(choices(loaded, 30) == choices(original, 30), "(e) the copy makes the original's choices");

    // Refused buffers.
    std::vector<std::uint8_t> corrupted = saved;
    corrupted[corrupted.size() / 2] ^= 0x5a;
    expect_error("(e) a corrupted buffer", NKS_ERR_INVALID_ARGUMENT, "checksum",
                 [&] { nks::SorBandit::load(corrupted); }, "nks_sor_bandit_load");
    const std::vector<std::uint8_t> truncated(saved.begin(), saved.end() - 1);
    expect_error("(e) a truncated buffer", NKS_ERR_INVALID_ARGUMENT, "rejected",
                 [&] { nks::SorBandit::load(truncated); });
    expect_error("(e) a foreign buffer", NKS_ERR_INVALID_ARGUMENT, "header",
                 [&] { nks::SorBandit::load(std::vector<std::uint8_t>(64, 0x42)); });
    nks::Krylov krylov;
    expect_error("(e) a saved Krylov space", NKS_ERR_INVALID_ARGUMENT, "rejected",
                 [&] { nks::SorBandit::load(krylov.save_recycled()); });

    // Files.
    const std::string path = scratch + "/learner.nks";
    original.save_file(path);
    check(file_bytes(path) == original.save(), "(e) save_file writes save's bytes");
    nks::SorBandit from_file = nks::SorBandit::load_file(path);
    check(from_file.save() == original.save() &&
              from_file.probabilities(0.1) == original.probabilities(0.1),
          "(e) load_file resumes with the same state and probabilities");
    const std::string missing = scratch + "/no-such-dir/learner.nks";
    expect_error("(e) loading a missing file", NKS_ERR_INVALID_ARGUMENT, missing,
                 [&] { nks::SorBandit::load_file(missing); }, "nks_sor_bandit_load_file");
    expect_error("(e) saving into a missing folder", NKS_ERR_INVALID_ARGUMENT, missing,
                 [&] { original.save_file(missing); }, "nks_sor_bandit_save_file");
    const std::string bad = scratch + "/corrupted.nks";
    write_file(bad, corrupted);
    expect_error("(e) loading a corrupted file", NKS_ERR_INVALID_ARGUMENT, "checksum",
                 [&] { nks::SorBandit::load_file(bad); });
    expect_error("(e) an empty path", NKS_ERR_INVALID_ARGUMENT, "empty", [&] { nks::SorBandit::load_file(""); });
}

// (f) moves: the learner travels with the object; a moved-from one refuses to work.
void moves() {
    nks::SorBandit source = chebcb();
    train(source, 10);
    const std::vector<std::uint8_t> state = source.save();
    nks::SorBandit target = std::move(source);
    check(!source && target && target.save() == state, "(f) move construction takes the learner");
    expect_error("(f) a moved-from learner", NKS_ERR_NULL_POINTER, "nks::SorBandit", [&] { source.choose(0.0); });
    expect_error("(f) a moved-from learner's save", NKS_ERR_NULL_POINTER, "moved", [&] { source.save(); });

    nks::SorBandit other(nks::SorLearner::Fixed, 1, 1.2, 1.2, 3);
    other = std::move(target);
    check(!target && other.save() == state, "(f) move assignment frees the old learner and takes the new one");
    source = nks::SorBandit::load(state);
    check(source && source.save() == state, "(f) a moved-from learner can be assigned to");
    nks::SorBandit& self = other;
    other = std::move(self);
    check(other && other.save() == state, "(f) self-move-assignment keeps the learner");
    check(other.capi() != nullptr && nks_sor_bandit_get_option(other.capi(), "tol", nullptr) == NKS_ERR_NULL_POINTER,
          "(f) capi() gives the C handle");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s SCRATCH_FOLDER\n", argv[0]);
        return 2;
    }
    if (!nks_test::header_matches()) {
        return 2;
    }
    const std::string scratch = argv[1];
    run("construction_and_options", construction_and_options);
    run("choose_and_observe", choose_and_observe);
    run("solve", solve);
    run("probabilities", probabilities);
    run("save_and_load", [&] { save_and_load(scratch); });
    run("moves", moves);
    return nks_test::summary();
}

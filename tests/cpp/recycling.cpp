/**
 * The Krylov-recycling wrappers of the C++ binding (bindings/cpp/nksolve.hpp): sequence solves
 * with `nks::Csr` matrices and with an indexed C++ callable, `nks::skr_order`, saving and
 * loading the recycled space (buffer and file), `clear_recycled`, `operator_changed`, the
 * recycle fields of the report, and the errors of all of these.
 *
 * Run by tests/bindings_cpp.rs against the shared and the static library, with a scratch
 * folder as its only argument (for the saved files). Prints one line per check and a final
 * "N passed, M failed"; exits non-zero when any check fails.
 *
 * The test sequence: SYSTEMS convection-diffusion matrices on a 12 x 12 grid (n = 144),
 * 5-point stencil with centre 4, south / north -1, west -1 - beta_s, east -1 + beta_s,
 * beta = BETAS[s]; right-hand sides 1; GCRO-DR(12, 4), rtol 1e-8.
 */
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "check.hpp"
#include "nksolve.hpp"

namespace {

using nks_test::check;
using nks_test::expect_error;
using nks_test::run;

constexpr std::size_t NX = 12;
constexpr std::size_t N = NX * NX;
constexpr std::size_t SYSTEMS = 5;
constexpr double RTOL = 1e-8;
/// The convection strength of each system; also its SKR feature.
const std::vector<double> BETAS{0.30, 0.10, 0.45, 0.15, 0.35};

/// The convection-diffusion matrix with strength `beta` on an `nx x nx` grid.
nks::Csr convection_diffusion(double beta, std::size_t nx = NX) {
    std::vector<std::int64_t> row_ptr{0}, col_idx;
    std::vector<double> values;
    const auto stride = static_cast<std::int64_t>(nx);
    for (std::size_t j = 0; j < nx; ++j) {
        for (std::size_t i = 0; i < nx; ++i) {
            const auto p = static_cast<std::int64_t>(i + nx * j);
            auto add = [&](std::int64_t col, double v) {
                col_idx.push_back(col);
                values.push_back(v);
            };
            if (j > 0) add(p - stride, -1.0);
            if (i > 0) add(p - 1, -1.0 - beta);
            add(p, 4.0);
            if (i + 1 < nx) add(p + 1, -1.0 + beta);
            if (j + 1 < nx) add(p + stride, -1.0);
            row_ptr.push_back(static_cast<std::int64_t>(col_idx.size()));
        }
    }
    return nks::Csr(nx * nx, nx * nx, row_ptr, col_idx, values);
}

/// The test sequence's matrices.
std::vector<nks::Csr> sequence_matrices() {
    std::vector<nks::Csr> matrices;
    for (double beta : BETAS) matrices.push_back(convection_diffusion(beta));
    return matrices;
}

/// A solver with `method`, restart 12, rtol 1e-8 and 4 recycled vectors.
nks::Krylov solver(nks::Method method) {
    nks::Krylov k;
    k.set_method(method).set_restart(12).set_rtol(RTOL).set_recycle_dim(4);
    return k;
}

/// `||b_s - A_s x_s|| / ||b_s||` of column `s` of the blocks `b`, `x`.
double relative_residual(const nks::Csr& a, const std::vector<double>& b, const std::vector<double>& x,
                         std::size_t s) {
    const std::vector<double> xs(x.begin() + s * N, x.begin() + (s + 1) * N);
    const std::vector<double> ax = a.matvec(xs);
    double r2 = 0.0, b2 = 0.0;
    for (std::size_t i = 0; i < N; ++i) {
        r2 += (b[s * N + i] - ax[i]) * (b[s * N + i] - ax[i]);
        b2 += b[s * N + i] * b[s * N + i];
    }
    return std::sqrt(r2 / b2);
}

/// `v` in scientific notation, for the check descriptions.
std::string sci(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3e", v);
    return buf;
}

/// `v` as "a,b,c", for the check descriptions.
std::string joined(const std::vector<std::size_t>& v) {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return s;
}

/// The natural order 0, 1, ..., SYSTEMS - 1.
std::vector<std::size_t> natural_order() {
    std::vector<std::size_t> order(SYSTEMS);
    for (std::size_t i = 0; i < SYSTEMS; ++i) order[i] = i;
    return order;
}

/// The largest true relative residual of the systems (converged: at most rtol, 1% slack).
double worst_residual(const std::vector<nks::Csr>& matrices, const std::vector<double>& b,
                      const std::vector<double>& x) {
    double worst = 0.0;
    for (std::size_t s = 0; s < SYSTEMS; ++s) worst = std::fmax(worst, relative_residual(matrices[s], b, x, s));
    return worst;
}

/// Iterations of the GCRO-DR solve of system 0 on `k` (operator set to `a0`, b = 1).
std::size_t solve_first_system(nks::Krylov& k, const nks::Csr& a0) {
    const std::vector<double> b(N, 1.0);
    std::vector<double> x(N, 0.0);
    k.set_operator(a0).solve(b, x);
    return k.report().iterations;
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

// The report is the C struct, whose layout the other bindings copy: pin it on LP64 targets
// (x86_64, aarch64) so a change to it is noticed here too.
static_assert(sizeof(void*) != 8 || (offsetof(nks::Report, callback_code) == 64 &&
                                     offsetof(nks::Report, recycle_rebuilt) == 68 &&
                                     offsetof(nks::Report, recycle_initial_dim) == 72 &&
                                     offsetof(nks::Report, recycle_final_dim) == 80 &&
                                     offsetof(nks::Report, recycle_refreshes) == 88 &&
                                     offsetof(nks::Report, recycle_largest_angle) == 96 &&
                                     offsetof(nks::Report, recycle_projection_ratio) == 104 &&
                                     offsetof(nks::Report, recycle_dropped) == 112 && sizeof(nks::Report) == 120),
              "nks_krylov_report layout");

/// A user exception type, to prove the indexed matvec's own exception comes back.
struct SystemFailure : std::runtime_error {
    std::size_t system;
    explicit SystemFailure(std::size_t s) : std::runtime_error("system failed"), system(s) {}
};

// (a) sequences with Csr matrices and with an indexed callable: results, order, reports.
void sequences() {
    const std::vector<nks::Csr> matrices = sequence_matrices();
    const std::vector<double> b(N * SYSTEMS, 1.0);
    double worst = 0.0;

    // GMRES solves every system from scratch, in the natural order: as single solves do.
    std::vector<double> x(N * SYSTEMS, 0.0);
    nks::Krylov gmres = solver(nks::Method::GMRES);
    const nks::SequenceResult plain = gmres.solve_sequence(matrices, b, x);
    check(plain.status == NKS_OK, "(a) GMRES Csr sequence returns NKS_OK");
    check(plain.order == natural_order(), "(a) without features the order is natural: " + joined(plain.order));
    worst = worst_residual(matrices, b, x);
    check(worst <= RTOL * 1.01, "(a) GMRES sequence: true residuals <= rtol (worst " + sci(worst) + ")");
    bool same_as_single = plain.reports.size() == SYSTEMS;
    for (std::size_t s = 0; s < SYSTEMS && same_as_single; ++s) {
        nks::Krylov single = solver(nks::Method::GMRES);
        same_as_single = plain.reports[s].iterations == solve_first_system(single, matrices[s]) &&
                         nks::termination(plain.reports[s]) == nks::Termination::ConvergedRtol;
    }
    check(same_as_single, "(a) GMRES sequence: each system takes the iterations of a single solve");
    check(gmres.report().iterations == plain.reports[SYSTEMS - 1].iterations,
          "(a) report() after the sequence is the last system's");

    // GCRO-DR in the SKR order, with the matrices.
    x.assign(N * SYSTEMS, 0.0);
    nks::Krylov gcrodr = solver(nks::Method::GCRODR);
    const nks::SequenceResult recycled = gcrodr.solve_sequence(matrices, b, x, BETAS);
    const std::vector<std::size_t> skr = nks::skr_order(BETAS, 1);
    check(recycled.status == NKS_OK, "(a) GCRO-DR Csr sequence returns NKS_OK");
    check(recycled.order == skr, "(a) with features the order is nks::skr_order's: " + joined(recycled.order));
    worst = worst_residual(matrices, b, x);
    check(worst <= RTOL * 1.01, "(a) GCRO-DR sequence: true residuals <= rtol (worst " + sci(worst) + ")");
    check(recycled.total_iterations() < plain.total_iterations(),
          "(a) recycling saves iterations: " + std::to_string(recycled.total_iterations()) + " < " +
              std::to_string(plain.total_iterations()));
    const nks::Report& first = recycled.reports[recycled.order.front()];
    const nks::Report& last = recycled.reports[recycled.order.back()];
    check(first.recycle_initial_dim == 0 && first.recycle_rebuilt == 0 && first.recycle_final_dim == 4,
          "(a) report: the first system starts without a space and keeps recycle_dim = 4 vectors (kept " +
              std::to_string(first.recycle_final_dim) + ")");
    check(last.recycle_initial_dim == 4 && last.recycle_rebuilt == 1,
          "(a) report: a later system starts from the 4 re-fitted vectors");
    check(last.recycle_largest_angle >= 0.0 && last.recycle_largest_angle <= 1.5707963267948966 &&
              last.recycle_projection_ratio > 0.0 && last.recycle_projection_ratio <= 1.0 + 1e-12,
          "(a) report: angle " + sci(last.recycle_largest_angle) + " in [0, pi/2], projection ratio " +
              sci(last.recycle_projection_ratio) + " in (0, 1]");
    check(plain.reports[0].recycle_final_dim == 0 && plain.reports[0].recycle_dropped == 0,
          "(a) report: GMRES keeps no recycled space");

    // The same sequence through an indexed callable: same order, same iterations.
    std::vector<std::size_t> seen;
    const nks::IndexedMatvec apply = [&](std::size_t system, const double* u, double* y, std::size_t n) {
        if (seen.empty() || seen.back() != system) seen.push_back(system);
        matrices.at(system).matvec(u, n, y, n);
    };
    x.assign(N * SYSTEMS, 0.0);
    nks::Krylov by_callable = solver(nks::Method::GCRODR);
    const nks::SequenceResult called = by_callable.solve_sequence(SYSTEMS, N, apply, b, x, BETAS);
    check(called.status == NKS_OK && called.order == skr, "(a) callable sequence: NKS_OK in the SKR order");
    check(seen == skr, "(a) the callable is called for the systems in solve order: " + joined(seen));
    bool same_iterations = true;
    for (std::size_t s = 0; s < SYSTEMS; ++s) {
        same_iterations &= called.reports[s].iterations == recycled.reports[s].iterations;
    }
    check(same_iterations, "(a) callable sequence takes the Csr sequence's iterations per system");
    worst = worst_residual(matrices, b, x);
    check(worst <= RTOL * 1.01, "(a) callable sequence: true residuals <= rtol (worst " + sci(worst) + ")");

    // A positive status is returned in the result, not thrown; the sequence goes on.
    nks::Krylov limited = solver(nks::Method::GCRODR);
    limited.set_max_iterations(5);
    const nks::SequenceResult stopped = limited.solve_sequence(matrices, b, x, BETAS);
    bool all_limited = true;
    for (const nks::Report& r : stopped.reports) {
        all_limited &= nks::termination(r) == nks::Termination::MaxIterations && r.iterations == 5;
    }
    check(stopped.status == NKS_MAX_ITERATIONS && all_limited,
          "(a) max_iterations = 5: NKS_MAX_ITERATIONS returned, every system stopped after 5 iterations");

    // A monitor installed on the handle watches every system of a sequence.
    std::size_t monitored = 0;
    by_callable.set_monitor([&monitored](const nks::Report&) { return ++monitored > 0; });
    by_callable.clear_recycled();
    const nks::SequenceResult watched = by_callable.solve_sequence(SYSTEMS, N, apply, b, x);
    check(monitored == watched.total_iterations(), "(a) the monitor runs once per iteration of every system (" +
                                                       std::to_string(monitored) + " calls)");
}

// (b) errors of sequences: binding checks, library checks, a throwing callable.
void sequence_errors() {
    std::vector<nks::Csr> matrices = sequence_matrices();
    const std::vector<double> b(N * SYSTEMS, 1.0);
    std::vector<double> x(N * SYSTEMS, 0.0);
    nks::Krylov k = solver(nks::Method::GCRODR);

    std::vector<double> short_x(N * SYSTEMS - 1);
    expect_error("(b) x block too short", NKS_ERR_DIMENSION_MISMATCH, "x has 719",
                 [&] { k.solve_sequence(matrices, b, short_x); });
    expect_error("(b) features not one column per system", NKS_ERR_DIMENSION_MISMATCH, "features has 3",
                 [&] { k.solve_sequence(matrices, b, x, {1.0, 2.0, 3.0}); });
    expect_error("(b) NaN feature", NKS_ERR_NON_FINITE, "features",
                 [&] { k.solve_sequence(matrices, b, x, {0.1, 0.2, std::nan(""), 0.4, 0.5}); });
    expect_error("(b) empty sequence", NKS_ERR_INVALID_ARGUMENT, "count = 0", [&] {
        std::vector<double> none;
        k.solve_sequence(std::vector<nks::Csr>(), none, none);
    });
    {
        std::vector<nks::Csr> mixed = sequence_matrices();
        mixed[2] = convection_diffusion(0.2, NX - 1);
        expect_error("(b) matrices of different sizes", NKS_ERR_DIMENSION_MISMATCH, "ops[2]",
                     [&] { k.solve_sequence(mixed, b, x); });
        nks::Csr taken = std::move(mixed[1]);
        expect_error("(b) a moved-from Csr in the sequence", NKS_ERR_NULL_POINTER, "moved",
                     [&] { k.solve_sequence(mixed, b, x); });
    }
    expect_error("(b) empty indexed matvec", NKS_ERR_NULL_POINTER, "matvec",
                 [&] { k.solve_sequence(SYSTEMS, N, nks::IndexedMatvec(), b, x); });
    const nks::IndexedMatvec apply = [&](std::size_t system, const double* u, double* y, std::size_t n) {
        matrices[system].matvec(u, n, y, n);
    };
    k.set_preconditioner(nks::Preconditioner::Jacobi);
    expect_error("(b) built-in Jacobi with an indexed callable", NKS_ERR_INVALID_STATE, "",
                 [&] { k.solve_sequence(SYSTEMS, N, apply, b, x); });
    k.set_preconditioner(nks::Preconditioner::None);

    // The callable throws on the second system in solve order: its own exception comes back.
    const std::vector<std::size_t> order = nks::skr_order(BETAS, 1);
    const double sentinel = -7.0;
    x.assign(N * SYSTEMS, sentinel);
    bool caught = false;
    try {
        k.solve_sequence(SYSTEMS, N,
                         [&](std::size_t system, const double* u, double* y, std::size_t n) {
                             if (system == order[1]) throw SystemFailure(system);
                             matrices[system].matvec(u, n, y, n);
                         },
                         b, x, BETAS);
    } catch (const SystemFailure& e) {
        caught = e.system == order[1];
    }
    check(caught, "(b) a throwing indexed matvec: solve_sequence rethrows its SystemFailure");
    const double worst = relative_residual(matrices[order[0]], b, x, order[0]);
    check(worst <= RTOL * 1.01, "(b) the system solved before the failure holds its solution (" + sci(worst) + ")");
    bool untouched = true;
    for (std::size_t i = 1; i < SYSTEMS; ++i) {
        for (std::size_t p = 0; p < N; ++p) untouched &= x[order[i] * N + p] == sentinel;
    }
    check(untouched, "(b) the failed system's column and later ones are untouched");
    const nks::Report r = k.report();
    check(nks::termination(r) == nks::Termination::CallbackFailed && r.callback_code == -1,
          "(b) report() is the failed system's: CallbackFailed, callback_code -1");

    // The handle works again after the failure.
    x.assign(N * SYSTEMS, 0.0);
    check(k.solve_sequence(SYSTEMS, N, apply, b, x, BETAS).status == NKS_OK,
          "(b) the next sequence on the handle converges");
}

// (c) nks::skr_order: greedy nearest neighbour from system 0; errors.
void ordering() {
    check(nks::skr_order({0.3, 0.1, 0.2, 0.0}, 1) == std::vector<std::size_t>({0, 2, 1, 3}),
          "(c) skr_order of 0.3, 0.1, 0.2, 0.0 is 0,2,1,3");
    // Two features per system, column-major: (0,0), (5,5), (1,0), (4,5).
    check(nks::skr_order({0, 0, 5, 5, 1, 0, 4, 5}, 2) == std::vector<std::size_t>({0, 2, 3, 1}),
          "(c) skr_order with 2 features per system is 0,2,3,1");
    check(nks::skr_order({1.0}, 1) == std::vector<std::size_t>({0}), "(c) one system: order 0");
    expect_error("(c) num_features = 0", NKS_ERR_INVALID_ARGUMENT, "num_features", [] { nks::skr_order({1.0}, 0); });
    expect_error("(c) features not a multiple of num_features", NKS_ERR_DIMENSION_MISMATCH, "not a multiple",
                 [] { nks::skr_order({1.0, 2.0, 3.0}, 2); });
    expect_error("(c) no features", NKS_ERR_INVALID_ARGUMENT, "count = 0", [] { nks::skr_order({}, 1); });
    expect_error("(c) infinite feature", NKS_ERR_NON_FINITE, "features", [] { nks::skr_order({1.0, INFINITY}, 1); });
    try {
        nks::skr_order({}, 1);
    } catch (const nks::Error& e) {
        check(e.where() == "nks_skr_order", "(c) the library's error names nks_skr_order");
    }
}

// (d) saving and loading the recycled space: buffer and file; corrupted input is refused.
void save_and_load(const std::string& scratch) {
    const std::vector<nks::Csr> matrices = sequence_matrices();
    const std::vector<double> b(N * SYSTEMS, 1.0);
    std::vector<double> x(N * SYSTEMS, 0.0);
    nks::Krylov original = solver(nks::Method::GCRODR);
    original.solve_sequence(matrices, b, x, BETAS);

    const std::vector<std::uint8_t> saved = original.save_recycled();
    const std::size_t empty_size = solver(nks::Method::GCRODR).save_recycled().size();
    check(saved.size() > empty_size + 4 * N * sizeof(double),
          "(d) the saved space holds the 4 vectors: " + std::to_string(saved.size()) + " bytes (empty: " +
              std::to_string(empty_size) + ")");
    check(original.save_recycled() == saved, "(d) saving twice gives the same bytes");

    nks::Krylov resumed = solver(nks::Method::GCRODR);
    resumed.load_recycled(saved);
    check(resumed.save_recycled() == saved, "(d) a loaded solver saves the bytes it loaded");
    nks::Krylov fresh = solver(nks::Method::GCRODR);
    const std::size_t k_fresh = solve_first_system(fresh, matrices[0]);
    const std::size_t k_resumed = solve_first_system(resumed, matrices[0]);
    const std::size_t k_original = solve_first_system(original, matrices[0]);
    check(k_resumed == k_original && k_resumed < k_fresh,
          "(d) the loaded space resumes exactly: " + std::to_string(k_resumed) + " == " + std::to_string(k_original) +
              " iterations, fewer than " + std::to_string(k_fresh) + " from scratch");

    // Refused buffers leave the solver as it was.
    nks::Krylov target = solver(nks::Method::GCRODR);
    target.load_recycled(saved.data(), saved.size());  // the pointer overload
    std::vector<std::uint8_t> corrupted = saved;
    corrupted[corrupted.size() / 2] ^= 0x5a;
    expect_error("(d) a corrupted buffer", NKS_ERR_INVALID_ARGUMENT, "checksum",
                 [&] { target.load_recycled(corrupted); });
    const std::vector<std::uint8_t> truncated(saved.begin(), saved.end() - 1);
    expect_error("(d) a truncated buffer", NKS_ERR_INVALID_ARGUMENT, "rejected",
                 [&] { target.load_recycled(truncated); });
    const std::vector<std::uint8_t> foreign(64, 0x42);
    expect_error("(d) a foreign buffer", NKS_ERR_INVALID_ARGUMENT, "header", [&] { target.load_recycled(foreign); });
    expect_error("(d) an empty buffer", NKS_ERR_INVALID_ARGUMENT, "rejected",
                 [&] { target.load_recycled(std::vector<std::uint8_t>()); });
    try {
        target.load_recycled(corrupted);
    } catch (const nks::Error& e) {
        check(e.where() == "nks_krylov_load_recycled", "(d) the error names nks_krylov_load_recycled");
    }
    check(target.save_recycled() == saved, "(d) refused buffers change nothing");

    // Files.
    const std::string path = scratch + "/space.nks";
    original.save_recycled_file(path);
    check(file_bytes(path) == original.save_recycled(), "(d) save_recycled_file writes save_recycled's bytes");
    nks::Krylov from_file = solver(nks::Method::GCRODR);
    from_file.load_recycled_file(path);
    check(from_file.save_recycled() == original.save_recycled(), "(d) load_recycled_file restores the space");
    const std::string missing = scratch + "/no-such-dir/space.nks";
    expect_error("(d) loading a missing file", NKS_ERR_INVALID_ARGUMENT, missing,
                 [&] { from_file.load_recycled_file(missing); });
    expect_error("(d) saving into a missing folder", NKS_ERR_INVALID_ARGUMENT, missing,
                 [&] { original.save_recycled_file(missing); });
    const std::string bad = scratch + "/corrupted.nks";
    write_file(bad, corrupted);
    expect_error("(d) loading a corrupted file", NKS_ERR_INVALID_ARGUMENT, "checksum",
                 [&] { from_file.load_recycled_file(bad); });
    expect_error("(d) an empty path", NKS_ERR_INVALID_ARGUMENT, "empty", [&] { from_file.load_recycled_file(""); });
}

// (e) clear_recycled, operator_changed, and the typed recycle options.
void space_control() {
    const std::vector<nks::Csr> matrices = sequence_matrices();
    const std::vector<double> b(N * SYSTEMS, 1.0);
    std::vector<double> x(N * SYSTEMS, 0.0);
    nks::Krylov k = solver(nks::Method::GCRODR);
    k.solve_sequence(matrices, b, x);
    const std::vector<std::uint8_t> empty = solver(nks::Method::GCRODR).save_recycled();
    check(k.save_recycled() != empty, "(e) after a sequence the solver holds a space");
    k.clear_recycled();
    check(k.save_recycled() == empty, "(e) clear_recycled: the solver saves as a new one");
    nks::Krylov fresh = solver(nks::Method::GCRODR);
    check(solve_first_system(k, matrices[0]) == solve_first_system(fresh, matrices[0]) &&
              k.report().recycle_initial_dim == 0,
          "(e) clear_recycled: the next solve starts from scratch");

    // A callable operator whose matrix the host changes in place.
    std::size_t current = 0;
    k.set_operator(N, [&](const double* u, double* y, std::size_t n) { matrices[current].matvec(u, n, y, n); });
    const std::vector<double> b0(N, 1.0);
    std::vector<double> x0(N, 0.0);
    k.solve(b0, x0);
    k.solve(b0, x0);
    check(k.report().recycle_rebuilt == 0 && k.report().recycle_initial_dim == 4,
          "(e) a second solve on the same operator reuses the space as it is");
    current = 3;
    k.operator_changed().solve(b0, x0);
    const nks::Report r = k.report();
    check(r.recycle_rebuilt == 1 && r.recycle_initial_dim == 4 && r.matvecs > r.iterations,
          "(e) operator_changed: the next solve re-fits the space first (rebuilt = " +
              std::to_string(r.recycle_rebuilt) + ")");
    const std::vector<double> ax = matrices[3].matvec(x0);
    double r2 = 0.0;
    for (std::size_t i = 0; i < N; ++i) r2 += (1.0 - ax[i]) * (1.0 - ax[i]);
    // ||b|| = sqrt(N): the relative residual is below rtol.
    check(std::sqrt(r2 / N) <= RTOL * 1.01, "(e) operator_changed: the solve converges on the new matrix");

    k.set_recycle_dim(7).set_refresh_interval(2);
    check(k.get_option("recycle_dim") == 7.0 && k.get_option("refresh_interval") == 2.0,
          "(e) set_recycle_dim(7) / set_refresh_interval(2) read back through get_option");
    expect_error("(e) refresh_interval = 0", NKS_ERR_INVALID_ARGUMENT, "refresh_interval",
                 [&] { k.set_refresh_interval(0); });
    expect_error("(e) recycle_dim = 10001", NKS_ERR_INVALID_ARGUMENT, "recycle_dim", [&] { k.set_recycle_dim(10001); });
    nks::Krylov moved_from = std::move(k);
    expect_error("(e) a moved-from solver", NKS_ERR_NULL_POINTER, "moved", [&] { k.save_recycled(); });
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
    run("sequences", sequences);
    run("sequence_errors", sequence_errors);
    run("ordering", ordering);
    run("save_and_load", [&] { save_and_load(scratch); });
    run("space_control", space_control);
    return nks_test::summary();
}

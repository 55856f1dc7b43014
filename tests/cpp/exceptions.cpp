/**
 * Error and exception behaviour of the C++ binding (bindings/cpp/nksolve.hpp).
 *
 * Run by tests/bindings_cpp.rs against the shared and the static library. Prints one line per
 * check and a final "N passed, M failed"; exits non-zero when any check fails.
 *
 * The test system is the 1D Laplacian tridiag(-1, 2, -1) of size 10 with the exact solution
 * x*_i = i + 1 (b = A x*), applied by a C++ lambda or stored as an nks::Csr.
 */
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
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

constexpr std::size_t N = 10;

/// y = tridiag(-1, 2, -1) x.
void laplace1d(const double* x, double* y, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        double v = 2.0 * x[i];
        if (i > 0) v -= x[i - 1];
        if (i + 1 < n) v -= x[i + 1];
        y[i] = v;
    }
}

std::vector<double> exact() {
    std::vector<double> x(N);
    for (std::size_t i = 0; i < N; ++i) x[i] = static_cast<double>(i + 1);
    return x;
}

std::vector<double> rhs() {
    const std::vector<double> xs = exact();
    std::vector<double> b(N);
    laplace1d(xs.data(), b.data(), N);
    return b;
}

double max_error(const std::vector<double>& x) {
    const std::vector<double> xs = exact();
    double e = 0.0;
    for (std::size_t i = 0; i < N; ++i) e = std::fmax(e, std::fabs(x[i] - xs[i]));
    return e;
}

/// `v` in scientific notation, for the check descriptions.
std::string sci(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3e", v);
    return buf;
}

bool untouched(const std::vector<double>& x, double sentinel) {
    for (double v : x)
        if (v != sentinel) return false;
    return true;
}

/// A user exception type that is not an nks::Error; carries data to prove it is the same object.
struct MatvecFailure : std::runtime_error {
    int call;
    explicit MatvecFailure(int c) : std::runtime_error("matvec failed"), call(c) {}
};

/// A thrown type that does not even derive from std::exception.
struct NotAnException {
    int code;
};

// (a) a callback's exception is rethrown by solve with its original type.
void callback_exceptions() {
    const std::vector<double> b = rhs();
    nks::Krylov k;
    k.set_method(nks::Method::CG).set_rtol(1e-12);

    int calls = 0;
    k.set_operator(N, [&calls](const double* x, double* y, std::size_t n) {
        if (++calls == 3) throw MatvecFailure(calls);
        laplace1d(x, y, n);
    });
    std::vector<double> x(N, 42.0);
    bool caught = false;
    try {
        k.solve(b, x);
    } catch (const MatvecFailure& e) {
        caught = true;
        check(e.call == 3, "(a) matvec: the rethrown MatvecFailure is the one thrown at call 3");
    } catch (const nks::Error& e) {
        check(false, std::string("(a) matvec: got nks::Error instead of MatvecFailure: ") + e.what());
    }
    check(caught, "(a) matvec: solve rethrows the lambda's own exception type");
    check(calls == 3, "(a) matvec: no call after the throwing one (calls = " + std::to_string(calls) + ")");
    check(untouched(x, 42.0), "(a) matvec: x untouched by the failed solve");
    const nks::Report r = k.report();
    check(r.status == NKS_ERR_CALLBACK, "(a) report.status == NKS_ERR_CALLBACK");
    check(nks::termination(r) == nks::Termination::CallbackFailed, "(a) report.termination == CallbackFailed");
    check(r.callback_code == -1, "(a) report.callback_code == -1");

    // The same handle works again: the stored exception does not leak into the next solve.
    k.set_operator(N, laplace1d);
    const nks_status s = k.solve(b, x);
    check(s == NKS_OK && max_error(x) < 1e-8, "(a) next solve on the same handle converges (error " +
                                                   sci(max_error(x)) + ")");

    // A preconditioner that throws something that is not a std::exception.
    k.set_preconditioner([](const double*, double*, std::size_t) { throw NotAnException{7}; });
    caught = false;
    try {
        k.solve(b, x);
    } catch (const NotAnException& e) {
        caught = e.code == 7;
    }
    check(caught, "(a) preconditioner: a non-std exception is rethrown as itself");
    check(k.report().status == NKS_ERR_CALLBACK, "(a) preconditioner: report.status == NKS_ERR_CALLBACK");
}

// (b) a monitor returning false aborts with NKS_ERR_ABORTED; a throwing monitor is rethrown.
void monitor_stop() {
    const std::vector<double> b = rhs();
    nks::Krylov k;
    k.set_method(nks::Method::CG).set_rtol(1e-12).set_operator(N, laplace1d);

    std::size_t calls = 0;
    std::size_t last_iteration = 0;
    k.set_monitor([&](const nks::Report& r) {
        ++calls;
        last_iteration = r.iterations;
        return r.iterations < 3;
    });
    std::vector<double> x(N, -1.0);
    bool caught = false;
    try {
        k.solve(b, x);
    } catch (const nks::Error& e) {
        caught = true;
        check(e.status() == NKS_ERR_ABORTED, "(b) monitor false: nks::Error status == NKS_ERR_ABORTED (got " +
                                                 std::to_string(static_cast<int>(e.status())) + ")");
        check(e.where() == "nks_krylov_solve", "(b) monitor false: error names nks_krylov_solve");
        check(std::string(e.what()).find("NKS_ERR_ABORTED") != std::string::npos,
              std::string("(b) what() names the status: ") + e.what());
    }
    check(caught, "(b) monitor false: solve throws nks::Error");
    check(last_iteration == 3, "(b) monitor saw iteration 3 last (saw " + std::to_string(last_iteration) + ")");
    const nks::Report r = k.report();
    check(nks::termination(r) == nks::Termination::MonitorStop, "(b) report.termination == MonitorStop");
    check(r.iterations == 3, "(b) report.iterations == 3 (got " + std::to_string(r.iterations) + ")");
    check(untouched(x, -1.0), "(b) x untouched by the aborted solve");

    // A monitor that throws: its exception comes back, not an nks::Error.
    k.set_monitor([](const nks::Report& running) -> bool {
        if (running.iterations >= 2) throw std::out_of_range("monitor gave up");
        return true;
    });
    caught = false;
    try {
        k.solve(b, x);
    } catch (const std::out_of_range& e) {
        caught = std::strcmp(e.what(), "monitor gave up") == 0;
    }
    check(caught, "(b) a throwing monitor's std::out_of_range is rethrown");

    // Removing the monitor: the solve converges; it needs at most N iterations in exact arithmetic.
    k.clear_monitor();
    const nks_status s = k.solve(b, x);
    check(s == NKS_OK && max_error(x) < 1e-8, "(b) without the monitor the solve converges");
    check(k.report().iterations <= N + 2, "(b) CG on n = 10 takes <= 12 iterations (took " +
                                              std::to_string(k.report().iterations) + ")");

    // A positive status is returned, not thrown.
    k.set_max_iterations(2);
    const nks_status limited = k.solve(b, x);
    check(limited == NKS_MAX_ITERATIONS, "(b) max_iterations = 2 returns NKS_MAX_ITERATIONS");
    check(nks::termination(k.report()) == nks::Termination::MaxIterations && k.report().iterations == 2,
          "(b) report says MaxIterations after 2 iterations");
}

// (c) bad arguments become nks::Error with the library's status and message.
void bad_arguments() {
    nks::Krylov k;
    expect_error("(c) rtol = 2", NKS_ERR_INVALID_ARGUMENT, "rtol", [&] { k.set_rtol(2.0); });
    try {
        k.set_rtol(2.0);
    } catch (const nks::Error& e) {
        check(e.where() == "nks_krylov_set_rtol", "(c) rtol = 2: error names nks_krylov_set_rtol");
    }
    expect_error("(c) set_option(\"rtoll\")", NKS_ERR_UNKNOWN_OPTION, "rtoll", [&] { k.set_option("rtoll", 1e-6); });
    // get_option reads back what the setters stored, in set_option's encoding.
    k.set_restart(17).set_method(nks::Method::FGMRES).set_rtol(1e-5);
    check(k.get_option("restart") == 17.0, "(c) get_option(\"restart\") == 17 after set_restart(17)");
    check(k.get_option("method") == static_cast<double>(NKS_KRYLOV_FGMRES), "(c) get_option(\"method\") == 2 (FGMRES)");
    check(k.get_option("rtol") == 1e-5, "(c) get_option(\"rtol\") == 1e-5");
    check(std::isinf(k.get_option("max_seconds")), "(c) get_option(\"max_seconds\") is +inf by default");
    k.set_option("reorthogonalization", 1.0);
    check(k.get_option("reorthogonalization") == 1.0, "(c) get_option reads back set_option(\"reorthogonalization\", 1)");
    expect_error("(c) get_option(\"rtoll\")", NKS_ERR_UNKNOWN_OPTION, "max_iterations", [&] { k.get_option("rtoll"); });
    try {
        k.get_option("rtoll");
    } catch (const nks::Error& e) {
        check(e.where() == "nks_krylov_get_option", "(c) get_option error names nks_krylov_get_option");
    }
    k.set_method(nks::Method::GMRES).set_restart(30).set_rtol(1e-8);
    expect_error("(c) restart = 0", NKS_ERR_INVALID_ARGUMENT, "restart", [&] { k.set_restart(0); });
    expect_error("(c) method 7", NKS_ERR_INVALID_ARGUMENT, "7", [&] { k.set_method(static_cast<nks::Method>(7)); });
    expect_error("(c) empty matvec", NKS_ERR_NULL_POINTER, "matvec", [&] { k.set_operator(N, nks::Matvec()); });
    std::vector<double> b(N, 1.0), x(N, 0.0);
    expect_error("(c) solve without an operator", NKS_ERR_INVALID_STATE, "operator", [&] { k.solve(b, x); });
    k.set_operator(N, laplace1d);
    std::vector<double> short_x(N - 1);
    expect_error("(c) x shorter than b", NKS_ERR_DIMENSION_MISMATCH, "x has 9", [&] { k.solve(b, short_x); });
    std::vector<double> b5(5, 1.0), x5(5);
    expect_error("(c) n differs from the operator", NKS_ERR_DIMENSION_MISMATCH, "10", [&] { k.solve(b5, x5); });
    b[4] = std::nan("");
    expect_error("(c) NaN in b", NKS_ERR_NON_FINITE, "b", [&] { k.solve(b, x); });
    expect_error("(c) ILU(0) on a matvec operator", NKS_ERR_INVALID_STATE, "CSR", [&] {
        k.set_preconditioner(nks::Preconditioner::ILU0);
        b.assign(N, 1.0);
        k.solve(b, x);
    });

    // CSR input checks: the binding's length checks and the library's content checks.
    const std::vector<std::int64_t> rp{0, 1, 2}, ci{0, 1}, bad_ci{0, 5};
    const std::vector<double> v{2.0, 3.0};
    expect_error("(c) Csr row_ptr too short", NKS_ERR_DIMENSION_MISMATCH, "row_ptr",
                 [&] { nks::Csr(3, 3, rp, ci, v); });
    expect_error("(c) Csr values too short", NKS_ERR_DIMENSION_MISMATCH, "values",
                 [&] { nks::Csr(2, 2, rp, ci, std::vector<double>{2.0}); });
    expect_error("(c) Csr column out of range", NKS_ERR_INVALID_ARGUMENT, "row", [&] { nks::Csr(2, 2, rp, bad_ci, v); });
    expect_error("(c) Csr col_idx and values of different lengths", NKS_ERR_DIMENSION_MISMATCH, "values has 1",
                 [&] { nks::Csr(2, 2, rp, std::vector<std::int64_t>{0, 1}, std::vector<double>{2.0}); });
    expect_error("(c) Csr arrays longer than row_ptr declares", NKS_ERR_DIMENSION_MISMATCH, "col_idx has 3",
                 [&] { nks::Csr(2, 2, rp, std::vector<std::int64_t>{0, 1, 1}, std::vector<double>{2.0, 3.0, 0.0}); });
    // The raw-pointer constructor passes nnz to the library, which checks it against row_ptr.
    expect_error("(c) raw Csr with nnz smaller than row_ptr declares", NKS_ERR_DIMENSION_MISMATCH, "= 2 but nnz = 1",
                 [&] { nks::Csr(2, 2, 1, rp.data(), ci.data(), v.data()); });
    expect_error("(c) raw Csr with nnz larger than row_ptr declares", NKS_ERR_DIMENSION_MISMATCH, "= 2 but nnz = 3",
                 [&] { nks::Csr(2, 2, 3, rp.data(), ci.data(), v.data()); });
    {
        const nks::Csr raw(2, 2, 2, rp.data(), ci.data(), v.data(), 0);
        check(raw.nnz() == 2, "(c) raw-pointer Csr with the matching nnz = 2");
    }

    // A valid Csr: sizes and product.
    const nks::Csr a(2, 2, rp, ci, v);
    check(a.nrows() == 2 && a.ncols() == 2 && a.nnz() == 2, "(c) Csr sizes 2 x 2 with 2 entries");
    const std::vector<double> y = a.matvec({1.0, -1.0});
    check(y.size() == 2 && y[0] == 2.0 && y[1] == -3.0, "(c) Csr matvec diag(2, 3) * (1, -1) = (2, -3)");
    expect_error("(c) Csr matvec with a wrong x length", NKS_ERR_DIMENSION_MISMATCH, "", [&] { a.matvec({1.0}); });
}

// (d) moving a Krylov object keeps its callbacks working.
void moves() {
    const std::vector<double> b = rhs();
    int matvecs = 0;
    int preconds = 0;
    std::vector<nks::Krylov> solvers;
    {
        nks::Krylov original;
        original.set_method(nks::Method::CG).set_rtol(1e-12);
        original.set_operator(N, [&matvecs](const double* x, double* y, std::size_t n) {
            ++matvecs;
            laplace1d(x, y, n);
        });
        original.set_preconditioner([&preconds](const double* r, double* z, std::size_t n) {
            ++preconds;
            for (std::size_t i = 0; i < n; ++i) z[i] = r[i] / 2.0;
        });
        nks::Krylov moved(std::move(original));  // move construction
        check(!original && static_cast<bool>(moved), "(d) move construction empties the source");
        std::vector<double> x(N, 0.0);
        expect_error("(d) the moved-from solver throws", NKS_ERR_NULL_POINTER, "moved", [&] { original.solve(b, x); });
        nks::Krylov assigned;
        assigned = std::move(moved);  // move assignment over a live handle
        solvers.push_back(std::move(assigned));
        for (int i = 0; i < 8; ++i) solvers.emplace_back();  // reallocations move the elements again
    }  // every intermediate object is destroyed here

    nks::Krylov& k = solvers.front();
    std::vector<double> x(N, 0.0);
    const nks_status s = k.solve(b, x);
    const nks::Report r = k.report();
    check(s == NKS_OK, "(d) the moved-to solver converges");
    check(max_error(x) < 1e-8, "(d) solution matches x* = i + 1 (max error " + sci(max_error(x)) + ")");
    check(matvecs > 0 && static_cast<std::size_t>(matvecs) == r.matvecs,
          "(d) the lambda's matvec count " + std::to_string(matvecs) + " == report.matvecs " +
              std::to_string(r.matvecs));
    check(preconds > 0 && static_cast<std::size_t>(preconds) == r.precond_applies,
          "(d) the lambda's preconditioner count " + std::to_string(preconds) + " == report.precond_applies " +
              std::to_string(r.precond_applies));
    check(r.rhs_norm == 11.0, "(d) report.rhs_norm == ||b|| == 11 (got " + sci(r.rhs_norm) + ")");
    check(r.residual_norm <= 1e-12 * 11.0 * 1.01,
          "(d) true residual " + sci(r.residual_norm) + " <= rtol * ||b||");

    // Moving a Csr, then using it as the operator of a moved solver.
    std::vector<std::int64_t> rp{0}, ci;
    std::vector<double> v;
    for (std::size_t i = 0; i < N; ++i) {
        const auto p = static_cast<std::int64_t>(i);
        if (i > 0) ci.push_back(p - 1), v.push_back(-1.0);
        ci.push_back(p), v.push_back(2.0);
        if (i + 1 < N) ci.push_back(p + 1), v.push_back(-1.0);
        rp.push_back(static_cast<std::int64_t>(ci.size()));
    }
    nks::Csr a(N, N, rp, ci, v);
    nks::Csr a2 = std::move(a);
    check(!a && a2.nnz() == 3 * N - 2, "(d) a moved Csr keeps its 28 entries");
    nks::Krylov k2 = std::move(solvers.back());
    k2.set_method(nks::Method::GMRES).set_rtol(1e-12).set_operator(a2).set_preconditioner(nks::Preconditioner::ILU0);
    x.assign(N, 0.0);
    check(k2.solve(b, x) == NKS_OK && max_error(x) < 1e-8, "(d) GMRES + ILU(0) on the moved Csr solves exactly");
    check(k2.report().iterations == 1, "(d) ILU(0) of a tridiagonal matrix is exact: 1 iteration (took " +
                                           std::to_string(k2.report().iterations) + ")");
}

}  // namespace

int main() {
    if (!nks_test::header_matches()) {
        return 2;
    }
    run("callback_exceptions", callback_exceptions);
    run("monitor_stop", monitor_stop);
    run("bad_arguments", bad_arguments);
    run("moves", moves);
    return nks_test::summary();
}

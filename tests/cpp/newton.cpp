/**
 * The unconstrained-minimisation wrapper of the C++ binding (bindings/cpp/nksolve.hpp):
 * `nks::Newton` (construction and options by name and typed, oracles as separate and combined
 * callables, preconditioner, monitor, the report, the last point, moves) and the exception
 * path of its oracles.
 *
 * Run by tests/bindings_cpp.rs against the shared and the static library. Prints one line per
 * check and a final "N passed, M failed"; exits non-zero when any check fails.
 *
 * The test problem is the quadratic f(x) = 0.5 x^T A x - b^T x with A = tridiag(-1, 4, -1)
 * (symmetric positive definite, eigenvalues in (2, 6)), n = 100, whose minimiser A^{-1} b is
 * computed here by a direct tridiagonal (Thomas) solve.
 */
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
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

constexpr std::size_t N = 100;

/// y = A x, A = tridiag(-1, 4, -1).
void apply_a(const double* x, double* y, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        double v = 4.0 * x[i];
        if (i > 0) v -= x[i - 1];
        if (i + 1 < n) v -= x[i + 1];
        y[i] = v;
    }
}

/// The right-hand side b_i = 1 + (i mod 3) - 0.5 sin(i).
std::vector<double> rhs() {
    std::vector<double> b(N);
    for (std::size_t i = 0; i < N; ++i) b[i] = 1.0 + static_cast<double>(i % 3) - 0.5 * std::sin(static_cast<double>(i));
    return b;
}

/// A^{-1} b by the Thomas algorithm (A is diagonally dominant: no pivoting needed).
std::vector<double> direct_solve(const std::vector<double>& b) {
    const std::size_t n = b.size();
    std::vector<double> c(n), d(n), x(n);
    c[0] = -1.0 / 4.0;
    d[0] = b[0] / 4.0;
    for (std::size_t i = 1; i < n; ++i) {
        const double m = 4.0 + c[i - 1];  // 4 - (-1) c[i-1] with the sub-diagonal -1
        c[i] = -1.0 / m;
        d[i] = (b[i] + d[i - 1]) / m;
    }
    x[n - 1] = d[n - 1];
    for (std::size_t i = n - 1; i-- > 0;) x[i] = d[i] - c[i] * x[i + 1];
    return x;
}

/// The quadratic's oracles, counting their calls.
struct Quadratic {
    std::vector<double> b = rhs();
    std::size_t values = 0, gradients = 0, products = 0;

    double value(const double* x, std::size_t n) {
        ++values;
        std::vector<double> ax(n);
        apply_a(x, ax.data(), n);
        double f = 0.0;
        for (std::size_t i = 0; i < n; ++i) f += 0.5 * x[i] * ax[i] - b[i] * x[i];
        return f;
    }

    void gradient(const double* x, double* g, std::size_t n) {
        ++gradients;
        apply_a(x, g, n);
        for (std::size_t i = 0; i < n; ++i) g[i] -= b[i];
    }

    void hessian_vector(const double* v, double* hv, std::size_t n) {
        ++products;
        apply_a(v, hv, n);
    }

    /// Installs the three separate oracles on `solver`, capturing this object.
    void install(nks::Newton& solver) {
        solver.set_oracles([this](const double* x, std::size_t n) { return value(x, n); },
                           [this](const double* x, double* g, std::size_t n) { gradient(x, g, n); },
                           [this](const double*, const double* v, double* hv, std::size_t n) {
                               hessian_vector(v, hv, n);
                           });
    }
};

double max_diff(const std::vector<double>& x, const std::vector<double>& y) {
    double e = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) e = std::fmax(e, std::fabs(x[i] - y[i]));
    return e;
}

/// `v` in scientific notation, for the check descriptions.
std::string sci(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3e", v);
    return buf;
}

/// An exception type of the host's own, to check that the very object comes back.
struct OracleFailure : std::runtime_error {
    int code;
    explicit OracleFailure(int c) : std::runtime_error("oracle failure " + std::to_string(c)), code(c) {}
};

// The report is the C struct, whose layout the other bindings copy: pin it on LP64 targets.
static_assert(sizeof(void*) != 8 || (offsetof(nks::NewtonReport, status) == 0 &&
                                     offsetof(nks::NewtonReport, termination) == 4 &&
                                     offsetof(nks::NewtonReport, method) == 8 &&
                                     offsetof(nks::NewtonReport, iterations) == 16 &&
                                     offsetof(nks::NewtonReport, accepted_steps) == 24 &&
                                     offsetof(nks::NewtonReport, value_calls) == 32 &&
                                     offsetof(nks::NewtonReport, gradient_calls) == 40 &&
                                     offsetof(nks::NewtonReport, value_gradient_calls) == 48 &&
                                     offsetof(nks::NewtonReport, hessian_vector_calls) == 56 &&
                                     offsetof(nks::NewtonReport, preconditioner_calls) == 64 &&
                                     offsetof(nks::NewtonReport, cg_iterations) == 72 &&
                                     offsetof(nks::NewtonReport, hessian_refreshes) == 80 &&
                                     offsetof(nks::NewtonReport, rejected_steps) == 88 &&
                                     offsetof(nks::NewtonReport, failed_evaluations) == 96 &&
                                     offsetof(nks::NewtonReport, callback_code) == 104 &&
                                     offsetof(nks::NewtonReport, initial_value) == 112 &&
                                     offsetof(nks::NewtonReport, value) == 120 &&
                                     offsetof(nks::NewtonReport, initial_gradient_norm) == 128 &&
                                     offsetof(nks::NewtonReport, gradient_norm) == 136 &&
                                     offsetof(nks::NewtonReport, step_norm) == 144 &&
                                     offsetof(nks::NewtonReport, parameter) == 152 &&
                                     offsetof(nks::NewtonReport, seconds) == 160 &&
                                     sizeof(nks::NewtonReport) == 168),
              "nks_newton_report layout");

// (a) construction and options: defaults, by name and typed, and their errors.
void construction_and_options() {
    nks::Newton solver;
    check(solver.get_option("method") == 0.0 && solver.get_option("gatol") == 1e-8 &&
              solver.get_option("grtol") == 0.0 && solver.get_option("max_iterations") == 1000.0 &&
              solver.get_option("initial_radius") == 1.0,
          "(a) defaults: trust region, gatol 1e-8, grtol 0, 1000 iterations, radius 1");
    const nks::NewtonReport r = solver.report();
    check(nks::termination(r) == nks::Termination::NotStarted && r.iterations == 0,
          "(a) the report before any solve is not started");
    solver.set_method(nks::NewtonMethod::LineSearch)
        .set_gatol(1e-10)
        .set_grtol(1e-12)
        .set_max_iterations(50)
        .set_initial_radius(2.5);
    check(solver.get_option("method") == 1.0 && solver.get_option("gatol") == 1e-10 &&
              solver.get_option("grtol") == 1e-12 && solver.get_option("max_iterations") == 50.0 &&
              solver.get_option("initial_radius") == 2.5,
          "(a) the typed setters write the options get_option reads");
    solver.set_option("lazy_period", 3).set_option("c1", 1e-3).set_option("line_search", 1);
    check(solver.get_option("lazy_period") == 3.0 && solver.get_option("c1") == 1e-3 &&
              solver.get_option("line_search") == 1.0,
          "(a) set_option / get_option round trip");

    expect_error("(a) an unknown option name", NKS_ERR_UNKNOWN_OPTION, "gatol",
                 [&] { solver.set_option("tolerance", 0.1); }, "nks_newton_set_option");
    expect_error("(a) reading an unknown option", NKS_ERR_UNKNOWN_OPTION, "gatol",
                 [&] { solver.get_option("tolerance"); }, "nks_newton_get_option");
    expect_error("(a) gatol = -1", NKS_ERR_INVALID_ARGUMENT, "gatol", [&] { solver.set_gatol(-1.0); },
                 "nks_newton_set_option");
    check(solver.get_option("gatol") == 1e-10, "(a) a refused value keeps the previous one");
    expect_error("(a) method 9", NKS_ERR_INVALID_ARGUMENT, "method",
                 [&] { solver.set_method(static_cast<nks::NewtonMethod>(9)); });
    expect_error("(a) max_iterations 0", NKS_ERR_INVALID_ARGUMENT, "max_iterations",
                 [&] { solver.set_max_iterations(0); });
    expect_error("(a) initial_radius 0", NKS_ERR_INVALID_ARGUMENT, "initial_radius",
                 [&] { solver.set_initial_radius(0.0); });
    check(solver.get_option("method") == 1.0 && solver.get_option("max_iterations") == 50.0,
          "(a) refused values keep method and max_iterations");
}

// (b) convergence: the minimiser of the quadratic is A^{-1} b, for every method and with the
// oracles given in each way.
void convergence() {
    const std::vector<double> exact = direct_solve(rhs());
    {
        std::vector<double> ax(N);
        apply_a(exact.data(), ax.data(), N);
        check(max_diff(ax, rhs()) < 1e-12, "(b) the direct solve satisfies A x = b");
    }
    const std::pair<nks::NewtonMethod, const char*> methods[] = {
        {nks::NewtonMethod::TrustRegion, "trust region"},
        {nks::NewtonMethod::LineSearch, "line search"},
        {nks::NewtonMethod::Lazy, "lazy Hessian"},
    };
    for (const auto& [method, name] : methods) {
        Quadratic q;
        nks::Newton solver;
        q.install(solver);
        solver.set_method(method).set_gatol(1e-10);
        std::vector<double> x(N, 0.0);
        const nks_status s = solver.solve(x);
        const nks::NewtonReport r = solver.report();
        check(s == NKS_OK && r.status == NKS_OK && nks::method(r) == method && r.gradient_norm <= 1e-10 &&
                  nks::termination(r) == nks::Termination::ConvergedAtol,
              std::string("(b) ") + name + ": converged in " + std::to_string(r.iterations) + " iterations");
        check(max_diff(x, exact) <= 1e-8, std::string("(b) ") + name + ": x = A^{-1} b to " + sci(max_diff(x, exact)));
        check(r.value_calls == q.values && r.gradient_calls == q.gradients && r.hessian_vector_calls == q.products &&
                  r.value_gradient_calls == 0,
              std::string("(b) ") + name + ": the report counts the oracle calls");
        const double f_exact = q.value(exact.data(), N);
        check(std::fabs(r.value - f_exact) <= 1e-12 * std::fabs(f_exact) && r.initial_value == 0.0,
              std::string("(b) ") + name + ": the report's f is the minimum, from f(0) = 0");
        check(solver.point() == x, std::string("(b) ") + name + ": point() is the returned minimiser");
    }

    // One callable for the value and the gradient, and a Jacobi preconditioner (diag A = 4).
    {
        Quadratic q;
        std::size_t combined = 0, preconditioned = 0;
        nks::Newton solver;
        solver.set_oracles(
            [&](const double* x, double* g, std::size_t n) {
                ++combined;
                q.gradient(x, g, n);
                return q.value(x, n);
            },
            [&](const double*, const double* v, double* hv, std::size_t n) { q.hessian_vector(v, hv, n); });
        solver.set_preconditioner([&](const double*, const double* r, double* z, std::size_t n) {
            ++preconditioned;
            for (std::size_t i = 0; i < n; ++i) z[i] = r[i] / 4.0;
        });
        solver.set_gatol(1e-10);
        std::vector<double> x(N, 1.0);
        const nks_status s = solver.solve(x.data(), x.size());
        const nks::NewtonReport r = solver.report();
        check(s == NKS_OK && max_diff(x, exact) <= 1e-8,
              "(b) combined value-gradient + preconditioner: x = A^{-1} b to " + sci(max_diff(x, exact)));
        check(r.value_calls + r.gradient_calls + r.value_gradient_calls == combined && r.value_gradient_calls > 0 &&
                  r.preconditioner_calls == preconditioned && preconditioned > 0,
              "(b) the report counts the combined and preconditioner calls");
        solver.clear_preconditioner();
        preconditioned = 0;
        x.assign(N, 1.0);
        solver.solve(x);
        check(preconditioned == 0 && solver.report().preconditioner_calls == 0 && max_diff(x, exact) <= 1e-8,
              "(b) clear_preconditioner removes it");
    }

    // The iteration limit: a positive status with a usable point, never thrown.
    {
        Quadratic q;
        nks::Newton solver;
        q.install(solver);
        solver.set_max_iterations(1).set_initial_radius(1e-3);
        std::vector<double> x(N, 0.0);
        const nks_status s = solver.solve(x);
        const nks::NewtonReport r = solver.report();
        check(s == NKS_MAX_ITERATIONS && r.status == NKS_MAX_ITERATIONS &&
                  nks::termination(r) == nks::Termination::MaxIterations && r.value < 0.0 && x != std::vector<double>(N, 0.0),
              "(b) max_iterations 1 returns NKS_MAX_ITERATIONS with a better point in x");
    }

    // The monitor sees every iteration, with the running report and the current point.
    {
        Quadratic q;
        nks::Newton solver;
        q.install(solver);
        std::size_t calls = 0;
        bool consistent = true;
        solver.set_monitor([&](const nks::NewtonReport& r, const double* x, std::size_t n) {
            ++calls;
            consistent &= n == N && r.status == 0 && nks::termination(r) == nks::Termination::NotStarted &&
                          r.iterations == calls && std::isfinite(x[0]);
            return true;
        });
        std::vector<double> x(N, 0.0);
        solver.solve(x);
        check(calls > 0 && calls == solver.report().iterations && consistent,
              "(b) the monitor runs once per iteration with the running report (" + std::to_string(calls) + ")");
    }
}

// (c) the exception path: an exception thrown by an oracle reaches the caller, x untouched;
// nks::CannotEvaluate only refuses its point; the monitor stops the solve.
void exceptions() {
    const std::vector<double> start(N, 0.5), exact = direct_solve(rhs());
    Quadratic q;
    nks::Newton solver;
    solver.set_gatol(1e-10);

    // Each oracle in turn throws the host's own exception at its k-th call.
    for (const char* which : {"value", "gradient", "hessian_vector", "preconditioner", "monitor"}) {
        const std::string w = which;
        std::size_t calls = 0;
        auto maybe_throw = [&](const char* oracle) {
            if (w == oracle && ++calls == 2) throw OracleFailure(42);
        };
        solver.set_oracles(
            [&](const double* x, std::size_t n) {
                maybe_throw("value");
                return q.value(x, n);
            },
            [&](const double* x, double* g, std::size_t n) {
                maybe_throw("gradient");
                q.gradient(x, g, n);
            },
            [&](const double*, const double* v, double* hv, std::size_t n) {
                maybe_throw("hessian_vector");
                q.hessian_vector(v, hv, n);
            });
        solver.set_preconditioner([&](const double*, const double* r, double* z, std::size_t n) {
            maybe_throw("preconditioner");
            for (std::size_t i = 0; i < n; ++i) z[i] = r[i] / 4.0;
        });
        solver.set_monitor([&](const nks::NewtonReport&, const double*, std::size_t) {
            maybe_throw("monitor");
            return true;
        });
        std::vector<double> x = start;
        bool caught = false;
        try {
            solver.solve(x);
        } catch (const OracleFailure& e) {
            caught = e.code == 42;
        } catch (...) {
        }
        check(caught, "(c) an exception thrown by the " + w + " callable reaches the caller with its type");
        check(x == start, "(c) x is untouched after the " + w + " callable threw");
        const nks::NewtonReport r = solver.report();
        // An oracle's exception is code -1 (NKS_ERR_CALLBACK); the monitor's stops the solve.
        const bool recorded = w == "monitor" ? r.status == NKS_ERR_ABORTED
                                             : r.status == NKS_ERR_CALLBACK && r.callback_code == -1;
        check(recorded, "(c) the report records the stop after the " + w + " callable threw (status " +
                            std::to_string(r.status) + ", code " + std::to_string(r.callback_code) + ")");
        const std::vector<double> last = solver.point();
        check(last.size() == N, "(c) point() gives the last accepted point after the " + w + " callable threw");
    }
    solver.clear_preconditioner().clear_monitor();

    // The handle still works after the exceptions: the stored exception was cleared.
    q.install(solver);
    std::vector<double> x = start;
    check(solver.solve(x) == NKS_OK && max_diff(x, exact) <= 1e-8, "(c) the next solve after the exceptions converges");

    // nks::CannotEvaluate at the first trial point: the solver steps back and converges.
    {
        std::size_t calls = 0;
        solver.set_oracles(
            [&](const double* y, std::size_t n) {
                if (++calls == 2) throw nks::CannotEvaluate();
                return q.value(y, n);
            },
            [&](const double* y, double* g, std::size_t n) { q.gradient(y, g, n); },
            [&](const double*, const double* v, double* hv, std::size_t n) { q.hessian_vector(v, hv, n); });
        x = start;
        const nks_status s = solver.solve(x);
        const nks::NewtonReport r = solver.report();
        check(s == NKS_OK && r.failed_evaluations >= 1 && r.callback_code == 0 && max_diff(x, exact) <= 1e-8,
              "(c) nks::CannotEvaluate refuses the point; the solve still converges (" +
                  std::to_string(r.failed_evaluations) + " refused)");
    }
    // A non-finite value refuses the point too.
    {
        std::size_t calls = 0;
        solver.set_oracles(
            [&](const double* y, std::size_t n) {
                return ++calls == 2 ? std::numeric_limits<double>::quiet_NaN() : q.value(y, n);
            },
            [&](const double* y, double* g, std::size_t n) { q.gradient(y, g, n); },
            [&](const double*, const double* v, double* hv, std::size_t n) { q.hessian_vector(v, hv, n); });
        x = start;
        check(solver.solve(x) == NKS_OK && solver.report().failed_evaluations >= 1 && max_diff(x, exact) <= 1e-8,
              "(c) a NaN value refuses the point; the solve still converges");
    }
    // nks::CannotEvaluate at the start cannot be recovered from: NKS_ERR_CALLBACK, x untouched.
    solver.set_oracles([](const double*, std::size_t) -> double { throw nks::CannotEvaluate(); },
                       [&](const double* y, double* g, std::size_t n) { q.gradient(y, g, n); },
                       [&](const double*, const double* v, double* hv, std::size_t n) { q.hessian_vector(v, hv, n); });
    x = start;
    expect_error("(c) nks::CannotEvaluate at the start", NKS_ERR_CALLBACK, "", [&] { solver.solve(x); },
                 "nks_newton_solve");
    check(x == start && solver.report().callback_code > 0, "(c) x untouched, the positive code in the report");

    // The monitor returning false: NKS_ERR_ABORTED, x untouched, point() has the progress.
    q.install(solver);
    solver.set_monitor([](const nks::NewtonReport& r, const double*, std::size_t) { return r.iterations < 2; });
    x = start;
    expect_error("(c) the monitor returns false", NKS_ERR_ABORTED, "", [&] { solver.solve(x); }, "nks_newton_solve");
    check(x == start, "(c) x untouched after the monitor stop");
    check(solver.point() != start && nks::termination(solver.report()) == nks::Termination::MonitorStop,
          "(c) point() has the accepted steps, the report the monitor stop");

    // Calling into the handle from inside its own callable: the library refuses, and that
    // nks::Error, thrown inside the callable, comes out of solve.
    solver.set_monitor([&](const nks::NewtonReport&, const double*, std::size_t) {
        solver.report();
        return true;
    });
    x = start;
    expect_error("(c) report() from inside the monitor", NKS_ERR_INVALID_STATE, "busy", [&] { solver.solve(x); },
                 "nks_newton_get_report");
    check(x == start, "(c) x untouched after the re-entrant call");
    solver.clear_monitor();
    check(solver.solve(x) == NKS_OK && max_diff(x, exact) <= 1e-8, "(c) the handle works after the re-entrant call");
}

// (d) errors of the binding's calls.
void errors() {
    nks::Newton solver;
    std::vector<double> x(N, 0.5);
    const std::vector<double> start = x;
    expect_error("(d) solve with no oracles", NKS_ERR_INVALID_STATE, "nks_newton_set_oracles",
                 [&] { solver.solve(x); }, "nks_newton_solve");
    expect_error("(d) point() before any solve", NKS_ERR_INVALID_STATE, "solve", [&] { solver.point(); },
                 "nks_newton_get_point");
    Quadratic q;
    expect_error("(d) an empty hessian_vector", NKS_ERR_NULL_POINTER, "hessian_vector",
                 [&] {
                     solver.set_oracles([&](const double* y, std::size_t n) { return q.value(y, n); },
                                        [&](const double* y, double* g, std::size_t n) { q.gradient(y, g, n); },
                                        nks::NewtonHessianVector());
                 },
                 "nks_newton_set_oracles");
    expect_error("(d) no value and no value_gradient", NKS_ERR_NULL_POINTER, "objective",
                 [&] {
                     solver.set_oracles(nks::NewtonValue(),
                                        [&](const double* y, double* g, std::size_t n) { q.gradient(y, g, n); },
                                        [&](const double*, const double* v, double* hv, std::size_t n) {
                                            q.hessian_vector(v, hv, n);
                                        });
                 });
    expect_error("(d) refused oracles leave none set", NKS_ERR_INVALID_STATE, "", [&] { solver.solve(x); });
    q.install(solver);
    std::vector<double> empty;
    expect_error("(d) an empty x", NKS_ERR_INVALID_ARGUMENT, "n = 0", [&] { solver.solve(empty); }, "nks_newton_solve");
    x[3] = std::numeric_limits<double>::quiet_NaN();
    expect_error("(d) a NaN in x", NKS_ERR_NON_FINITE, "", [&] { solver.solve(x); }, "nks_newton_solve");
    check(x[0] == 0.5 && std::isnan(x[3]) && q.values == 0, "(d) x untouched, no oracle called");
    expect_error("(d) point() after refusals only", NKS_ERR_INVALID_STATE, "", [&] { solver.point(); });
    x[3] = 0.5;
    check(solver.solve(x) == NKS_OK, "(d) a valid solve");
    std::vector<double> small(N / 2, 0.0);
    expect_error("(d) point() into the wrong length", NKS_ERR_DIMENSION_MISMATCH, "",
                 [&] { solver.point(small.data(), small.size()); }, "nks_newton_get_point");
    std::vector<double> bad(7, std::numeric_limits<double>::infinity());
    expect_error("(d) an infinite x", NKS_ERR_NON_FINITE, "", [&] { solver.solve(bad); });
    check(solver.point() == x, "(d) a refused solve keeps the previous solve's point");
}

// (e) moves: the minimiser and its callables travel with the object; a moved-from one refuses.
void moves() {
    const std::vector<double> exact = direct_solve(rhs());
    Quadratic q;
    nks::Newton source;
    q.install(source);
    source.set_gatol(1e-10);
    nks::Newton target(std::move(source));
    std::vector<double> x(N, 0.0);
    check(!source && target && target.get_option("gatol") == 1e-10 && target.solve(x) == NKS_OK &&
              max_diff(x, exact) <= 1e-8 && q.values > 0,
          "(e) move construction takes the minimiser, its options and its oracles");
    expect_error("(e) a moved-from minimiser", NKS_ERR_NULL_POINTER, "nks::Newton", [&] { source.solve(x); });
    expect_error("(e) a moved-from minimiser's report", NKS_ERR_NULL_POINTER, "moved", [&] { source.report(); });
    expect_error("(e) a moved-from minimiser's point", NKS_ERR_NULL_POINTER, "moved", [&] { source.point(); });

    nks::Newton other;
    other = std::move(target);
    check(!target && other.point() == x, "(e) move assignment frees the old minimiser and takes the new one");
    source = nks::Newton();
    expect_error("(e) a fresh minimiser assigned to a moved-from one has no oracles", NKS_ERR_INVALID_STATE, "",
                 [&] { source.solve(x); });
    nks::Newton& self = other;
    other = std::move(self);
    std::vector<double> y(N, 1.0);
    check(other && other.solve(y) == NKS_OK && max_diff(y, exact) <= 1e-8,
          "(e) self-move-assignment keeps the minimiser and its oracles");
    double gatol = 0.0;
    check(other.capi() != nullptr && nks_newton_get_option(other.capi(), "gatol", &gatol) == NKS_OK && gatol == 1e-10,
          "(e) capi() gives the C handle");
}

}  // namespace

int main() {
    if (!nks_test::header_matches()) {
        return 2;
    }
    run("construction_and_options", construction_and_options);
    run("convergence", convergence);
    run("exceptions", exceptions);
    run("errors", errors);
    run("moves", moves);
    return nks_test::summary();
}

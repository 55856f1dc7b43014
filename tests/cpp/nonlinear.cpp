/**
 * The nonlinear-systems wrapper of the C++ binding (bindings/cpp/nksolve.hpp): `nks::Nonlinear`
 * (construction and options by name and typed, the residual alone or with J v, J^T w, a
 * preconditioner and a monitor, Newton-Krylov with GCRO-DR or GMRES, Levenberg-Marquardt, the
 * report, the step records, the last point, the recycle space, moves) and the exception path
 * of its oracles.
 *
 * Run by tests/bindings_cpp.rs against the shared and the static library. Prints one line per
 * check and a final "N passed, M failed"; exits non-zero when any check fails.
 *
 * The test problem is F(x) = A x + x^3 / 10 - b with A = tridiag(-1, d, -1), n = 100, and
 * b = A x* + x*^3 / 10 made from x*_i = 1/2 + sin(i) / 2, so that x* is the solution (unique:
 * F is the gradient of a strictly convex function). Its Jacobian A + diag(3 x^2 / 10) is
 * symmetric positive definite. d = 4 (well conditioned: few inner iterations) except for the
 * recycling checks, which take d = 2 (condition number ~ 4000: inner solves long enough for
 * GCRO-DR to restart and keep a recycle space). The least-squares variant appends the
 * consistent rows x_{10k} - x*_{10k}, k = 0..9 (m = 110), whose minimiser is x* too.
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
/// Residuals of the least-squares variant: the N equations and N / 10 extra rows.
constexpr std::size_t M = N + N / 10;

/// y = A x, A = tridiag(-1, diagonal, -1).
void apply_a(const double* x, double* y, std::size_t n, double diagonal) {
    for (std::size_t i = 0; i < n; ++i) {
        double v = diagonal * x[i];
        if (i > 0) v -= x[i - 1];
        if (i + 1 < n) v -= x[i + 1];
        y[i] = v;
    }
}

/// The solution x*_i = 1/2 + sin(i) / 2.
std::vector<double> solution() {
    std::vector<double> x(N);
    for (std::size_t i = 0; i < N; ++i) x[i] = 0.5 + 0.5 * std::sin(static_cast<double>(i));
    return x;
}

/// The test system's oracles, counting their calls.
struct System {
    /// The diagonal d of A.
    double diagonal;
    std::vector<double> exact = solution();
    std::vector<double> b;
    std::size_t residuals = 0, products = 0, transposes = 0, preconditioners = 0;

    /// The system with A = tridiag(-1, diagonal, -1); b is made so that x* solves it.
    explicit System(double d = 4.0) : diagonal(d), b(N) {
        apply_a(exact.data(), b.data(), N, diagonal);
        for (std::size_t i = 0; i < N; ++i) b[i] += 0.1 * exact[i] * exact[i] * exact[i];
    }

    /// f = F(x); for m > n also the extra rows of the least-squares variant.
    void residual(const double* x, double* f, std::size_t n, std::size_t m) {
        ++residuals;
        apply_a(x, f, n, diagonal);
        for (std::size_t i = 0; i < n; ++i) f[i] += 0.1 * x[i] * x[i] * x[i] - b[i];
        for (std::size_t k = 0; n + k < m; ++k) f[n + k] = x[10 * k] - exact[10 * k];
    }

    /// jv = J(x) v.
    void jacobian_vector(const double* x, const double* v, double* jv, std::size_t n, std::size_t m) {
        ++products;
        apply_a(v, jv, n, diagonal);
        for (std::size_t i = 0; i < n; ++i) jv[i] += 0.3 * x[i] * x[i] * v[i];
        for (std::size_t k = 0; n + k < m; ++k) jv[n + k] = v[10 * k];
    }

    /// jtw = J(x)^T w (the square block is symmetric).
    void jacobian_transpose(const double* x, const double* w, double* jtw, std::size_t n, std::size_t m) {
        ++transposes;
        apply_a(w, jtw, n, diagonal);
        for (std::size_t i = 0; i < n; ++i) jtw[i] += 0.3 * x[i] * x[i] * w[i];
        for (std::size_t k = 0; n + k < m; ++k) jtw[10 * k] += w[n + k];
    }

    /// z = D(x)^{-1} r, D the diagonal of the Jacobian.
    void precondition(const double* x, const double* r, double* z, std::size_t n) {
        ++preconditioners;
        for (std::size_t i = 0; i < n; ++i) z[i] = r[i] / (diagonal + 0.3 * x[i] * x[i]);
    }

    /// Installs the residual alone (finite-difference J v) on `solver`, capturing this object.
    void install_residual(nks::Nonlinear& solver) {
        solver.set_oracles(0, [this](const double* x, double* f, std::size_t n, std::size_t m) { residual(x, f, n, m); });
    }

    /// Installs every oracle, for `m` residuals (0: the square system), capturing this object.
    void install_all(nks::Nonlinear& solver, std::size_t m = 0) {
        solver.set_oracles(
            m, [this](const double* x, double* f, std::size_t n, std::size_t mm) { residual(x, f, n, mm); },
            [this](const double* x, const double* v, double* jv, std::size_t n, std::size_t mm) {
                jacobian_vector(x, v, jv, n, mm);
            },
            [this](const double* x, const double* w, double* jtw, std::size_t n, std::size_t mm) {
                jacobian_transpose(x, w, jtw, n, mm);
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

// The report and step record are the C structs, whose layout the other bindings copy: pin them
// on LP64 targets.
static_assert(sizeof(void*) != 8 || (offsetof(nks::NonlinearReport, status) == 0 &&
                                     offsetof(nks::NonlinearReport, termination) == 4 &&
                                     offsetof(nks::NonlinearReport, method) == 8 &&
                                     offsetof(nks::NonlinearReport, iterations) == 16 &&
                                     offsetof(nks::NonlinearReport, residual_evaluations) == 24 &&
                                     offsetof(nks::NonlinearReport, fd_products) == 32 &&
                                     offsetof(nks::NonlinearReport, jacobian_vector_calls) == 40 &&
                                     offsetof(nks::NonlinearReport, jacobian_transpose_calls) == 48 &&
                                     offsetof(nks::NonlinearReport, preconditioner_calls) == 56 &&
                                     offsetof(nks::NonlinearReport, inner_iterations) == 64 &&
                                     offsetof(nks::NonlinearReport, rejected_steps) == 72 &&
                                     offsetof(nks::NonlinearReport, failed_evaluations) == 80 &&
                                     offsetof(nks::NonlinearReport, steps) == 88 &&
                                     offsetof(nks::NonlinearReport, recycled_vectors) == 96 &&
                                     offsetof(nks::NonlinearReport, callback_code) == 104 &&
                                     offsetof(nks::NonlinearReport, initial_residual_norm) == 112 &&
                                     offsetof(nks::NonlinearReport, residual_norm) == 120 &&
                                     offsetof(nks::NonlinearReport, gradient_norm) == 128 &&
                                     offsetof(nks::NonlinearReport, step_norm) == 136 &&
                                     offsetof(nks::NonlinearReport, seconds) == 144 &&
                                     sizeof(nks::NonlinearReport) == 152),
              "nks_nonlinear_report layout");
static_assert(sizeof(void*) != 8 || (offsetof(nks::NonlinearStep, residual_norm) == 0 &&
                                     offsetof(nks::NonlinearStep, forcing) == 8 &&
                                     offsetof(nks::NonlinearStep, linear_residual) == 16 &&
                                     offsetof(nks::NonlinearStep, inner_iterations) == 24 &&
                                     offsetof(nks::NonlinearStep, jacobian_products) == 32 &&
                                     offsetof(nks::NonlinearStep, recycled_vectors) == 40 &&
                                     offsetof(nks::NonlinearStep, step_length) == 48 &&
                                     offsetof(nks::NonlinearStep, lm_parameter) == 56 &&
                                     sizeof(nks::NonlinearStep) == 64),
              "nks_nonlinear_step layout");

// (a) construction and options: defaults, by name and typed, and their errors.
void construction_and_options() {
    nks::Nonlinear solver;
    check(solver.get_option("method") == 0.0 && solver.get_option("fatol") == 1e-10 &&
              solver.get_option("frtol") == 1e-8 && solver.get_option("gatol") == 1e-10 &&
              solver.get_option("max_iterations") == 100.0 && solver.get_option("krylov_method") == 3.0 &&
              solver.get_option("restart") == 30.0 && solver.get_option("recycle_dim") == 10.0 &&
              solver.get_option("keep_recycle_space") == 1.0,
          "(a) defaults: Newton-Krylov, fatol 1e-10, frtol 1e-8, gatol 1e-10, 100 steps, GCRO-DR(30, 10), kept");
    const nks::NonlinearReport r = solver.report();
    check(nks::termination(r) == nks::Termination::NotStarted && r.iterations == 0 && r.steps == 0 &&
              nks::method(r) == nks::NonlinearMethod::NewtonKrylov,
          "(a) the report before any solve is not started");
    check(solver.steps().empty(), "(a) no step records before any solve");
    solver.set_method(nks::NonlinearMethod::LevenbergMarquardt)
        .set_fatol(1e-12)
        .set_frtol(1e-11)
        .set_max_iterations(50)
        .set_krylov_method(nks::Method::GMRES)
        .set_keep_recycle_space(false);
    check(solver.get_option("method") == 1.0 && solver.get_option("fatol") == 1e-12 &&
              solver.get_option("frtol") == 1e-11 && solver.get_option("max_iterations") == 50.0 &&
              solver.get_option("krylov_method") == 1.0 && solver.get_option("keep_recycle_space") == 0.0,
          "(a) the typed setters write the options get_option reads");
    solver.set_option("lm_xi", 0.5).set_option("c1", 1e-3).set_option("restart", 20).set_option("forcing", 2);
    check(solver.get_option("lm_xi") == 0.5 && solver.get_option("c1") == 1e-3 && solver.get_option("restart") == 20.0 &&
              solver.get_option("forcing") == 2.0,
          "(a) set_option / get_option round trip");

    expect_error("(a) an unknown option name is named in the message", NKS_ERR_UNKNOWN_OPTION, "\"tolerance\"",
                 [&] { solver.set_option("tolerance", 0.1); }, "nks_nonlinear_set_option");
    expect_error("(a) the unknown-option message lists the names", NKS_ERR_UNKNOWN_OPTION, "fatol",
                 [&] { solver.set_option("tolerance", 0.1); });
    expect_error("(a) reading an unknown option", NKS_ERR_UNKNOWN_OPTION, "tolerance",
                 [&] { solver.get_option("tolerance"); }, "nks_nonlinear_get_option");
    expect_error("(a) fatol = -1", NKS_ERR_INVALID_ARGUMENT, "fatol", [&] { solver.set_fatol(-1.0); },
                 "nks_nonlinear_set_option");
    check(solver.get_option("fatol") == 1e-12, "(a) a refused value keeps the previous one");
    expect_error("(a) method 2", NKS_ERR_INVALID_ARGUMENT, "method",
                 [&] { solver.set_method(static_cast<nks::NonlinearMethod>(2)); });
    expect_error("(a) max_iterations 0", NKS_ERR_INVALID_ARGUMENT, "max_iterations",
                 [&] { solver.set_max_iterations(0); });
    expect_error("(a) CG as the inner solver", NKS_ERR_INVALID_ARGUMENT, "krylov_method",
                 [&] { solver.set_krylov_method(nks::Method::CG); });
    expect_error("(a) lm_eta 3", NKS_ERR_INVALID_ARGUMENT, "lm_eta", [&] { solver.set_option("lm_eta", 3.0); });
    check(solver.get_option("method") == 1.0 && solver.get_option("max_iterations") == 50.0 &&
              solver.get_option("krylov_method") == 1.0 && solver.get_option("lm_eta") == 1.0,
          "(a) refused values keep method, max_iterations, krylov_method and lm_eta");
}

// (b) convergence: Newton-Krylov with finite differences, with J v, with a preconditioner;
// recycling across solves; Levenberg-Marquardt; the iteration cap and the monitor.
void convergence() {
    const std::vector<double> exact = solution();

    // The residual alone: finite-difference J v.
    {
        System sys;
        nks::Nonlinear solver;
        sys.install_residual(solver);
        solver.set_frtol(1e-12);
        std::vector<double> x(N, 0.0);
        const nks_status s = solver.solve(x);
        const nks::NonlinearReport r = solver.report();
        check(s == NKS_OK && r.status == NKS_OK && nks::method(r) == nks::NonlinearMethod::NewtonKrylov &&
                  (nks::termination(r) == nks::Termination::ConvergedRtol ||
                   nks::termination(r) == nks::Termination::ConvergedAtol),
              "(b) finite differences: converged in " + std::to_string(r.iterations) + " Newton steps");
        check(max_diff(x, exact) <= 1e-9, "(b) finite differences: x = x* to " + sci(max_diff(x, exact)));
        check(r.residual_evaluations == sys.residuals && r.fd_products > 0 && r.jacobian_vector_calls == 0 &&
                  sys.products == 0,
              "(b) finite differences: the report counts the residual calls and the products");
        check(r.residual_norm <= std::fmax(1e-10, 1e-12 * r.initial_residual_norm) && std::isnan(r.gradient_norm),
              "(b) finite differences: ||F|| <= max(fatol, frtol ||F0||); no ||J^T F|| for Newton-Krylov");
        const std::vector<nks::NonlinearStep> steps = solver.steps();
        bool sane = steps.size() == r.iterations && r.steps == r.iterations;
        std::size_t inner = 0;
        for (const nks::NonlinearStep& st : steps) {
            inner += st.inner_iterations;
            sane &= st.step_length > 0.0 && st.step_length <= 1.0 && st.forcing > 0.0 && st.forcing < 1.0 &&
                    st.lm_parameter == 0.0 && st.inner_iterations > 0;
        }
        check(sane && inner == r.inner_iterations && steps[0].residual_norm == r.initial_residual_norm,
              "(b) steps(): one record per Newton step, adding up to the report's inner iterations");
        check(solver.point() == x, "(b) point() is the returned solution");
    }

    // The exact J v and a Jacobi preconditioner.
    {
        System sys;
        nks::Nonlinear solver;
        sys.install_all(solver);
        solver.set_preconditioner([&](const double* x, const double* r, double* z, std::size_t n) {
            sys.precondition(x, r, z, n);
        });
        solver.set_frtol(1e-12);
        std::vector<double> x(N, 0.0);
        const nks_status s = solver.solve(x);
        const nks::NonlinearReport r = solver.report();
        check(s == NKS_OK && max_diff(x, exact) <= 1e-9,
              "(b) J v + preconditioner: x = x* to " + sci(max_diff(x, exact)));
        check(r.jacobian_vector_calls == sys.products && sys.products > 0 && r.fd_products == 0 &&
                  r.preconditioner_calls == sys.preconditioners && sys.preconditioners > 0 &&
                  r.residual_evaluations == sys.residuals && r.jacobian_transpose_calls == 0,
              "(b) J v + preconditioner: the report counts the callback calls");
        solver.clear_preconditioner();
        sys.preconditioners = 0;
        x.assign(N, 0.0);
        solver.solve(x);
        check(sys.preconditioners == 0 && solver.report().preconditioner_calls == 0 && max_diff(x, exact) <= 1e-9,
              "(b) clear_preconditioner removes it");
    }

    // GCRO-DR keeps its recycle space from one solve to the next; GMRES keeps none. (The
    // harder system, whose inner solves restart.)
    {
        System sys(2.0);
        nks::Nonlinear solver;
        sys.install_residual(solver);
        solver.set_frtol(1e-12);
        std::vector<double> x(N, 0.0);
        solver.solve(x);
        const std::size_t kept = solver.report().recycled_vectors;
        x.assign(N, 0.0);
        solver.solve(x);
        check(kept > 0 && solver.steps().at(0).recycled_vectors == kept,
              "(b) GCRO-DR: the next solve starts with the " + std::to_string(kept) + " recycled vectors");
        solver.clear_recycle_space();
        check(solver.report().recycled_vectors == 0, "(b) clear_recycle_space forgets them");
        x.assign(N, 0.0);
        solver.solve(x);
        check(solver.steps().at(0).recycled_vectors == 0, "(b) the solve after clear_recycle_space starts empty");
        solver.set_keep_recycle_space(false);
        x.assign(N, 0.0);
        solver.solve(x);
        check(solver.steps().at(0).recycled_vectors == 0 && solver.report().recycled_vectors > 0,
              "(b) keep_recycle_space off: each solve starts empty, and still recycles within it");
        solver.set_krylov_method(nks::Method::GMRES).clear_recycle_space();
        x.assign(N, 0.0);
        check(solver.solve(x) == NKS_OK && solver.report().recycled_vectors == 0 && max_diff(x, exact) <= 1e-5,
              "(b) GMRES: converges and keeps no recycle space");
    }

    // Levenberg-Marquardt on the consistent least-squares variant (m = 110).
    {
        System sys;
        nks::Nonlinear solver;
        sys.install_all(solver, M);
        solver.set_method(nks::NonlinearMethod::LevenbergMarquardt).set_frtol(1e-12);
        std::vector<double> x(N, 0.0);
        const nks_status s = solver.solve(x);
        const nks::NonlinearReport r = solver.report();
        check(s == NKS_OK && nks::method(r) == nks::NonlinearMethod::LevenbergMarquardt && max_diff(x, exact) <= 1e-8,
              "(b) Levenberg-Marquardt, m = 110: x = x* to " + sci(max_diff(x, exact)) + " in " +
                  std::to_string(r.iterations) + " steps");
        check(r.jacobian_transpose_calls == sys.transposes && sys.transposes > 0 &&
                  r.jacobian_vector_calls == sys.products && r.residual_evaluations == sys.residuals &&
                  std::isfinite(r.gradient_norm),
              "(b) Levenberg-Marquardt: the report counts the calls and has ||J^T F||");
        bool mu = true;
        for (const nks::NonlinearStep& st : solver.steps()) mu &= st.lm_parameter > 0.0;
        check(mu && !solver.steps().empty(), "(b) Levenberg-Marquardt: every step record has its mu > 0");
    }

    // The iteration limit: a positive status with a usable point, never thrown.
    {
        System sys;
        nks::Nonlinear solver;
        sys.install_residual(solver);
        solver.set_max_iterations(1);
        std::vector<double> x(N, 0.0);
        const nks_status s = solver.solve(x);
        const nks::NonlinearReport r = solver.report();
        check(s == NKS_MAX_ITERATIONS && r.status == NKS_MAX_ITERATIONS &&
                  nks::termination(r) == nks::Termination::MaxIterations && r.residual_norm < r.initial_residual_norm &&
                  x != std::vector<double>(N, 0.0),
              "(b) max_iterations 1 returns NKS_MAX_ITERATIONS with a better point in x");
    }

    // The monitor sees every step, with the running report and the current point.
    {
        System sys;
        nks::Nonlinear solver;
        sys.install_residual(solver);
        std::size_t calls = 0;
        bool consistent = true;
        solver.set_monitor([&](const nks::NonlinearReport& r, const double* x, std::size_t n) {
            ++calls;
            consistent &= n == N && r.status == 0 && nks::termination(r) == nks::Termination::NotStarted &&
                          r.iterations == calls && std::isfinite(x[0]);
            return true;
        });
        std::vector<double> x(N, 0.0);
        solver.solve(x);
        check(calls > 0 && calls == solver.report().iterations && consistent,
              "(b) the monitor runs once per step with the running report (" + std::to_string(calls) + ")");
    }
}

// (c) the exception path: an exception thrown by an oracle reaches the caller, x untouched;
// nks::CannotEvaluate from the residual only refuses its point; the monitor stops the solve.
void exceptions() {
    const std::vector<double> start(N, 0.5), exact = solution();
    System sys;
    nks::Nonlinear solver;

    // Each callable in turn throws the host's own exception at its second call.
    for (const char* which : {"residual", "jacobian_vector", "jacobian_transpose", "preconditioner", "monitor"}) {
        const std::string w = which;
        std::size_t calls = 0;
        auto maybe_throw = [&](const char* oracle) {
            if (w == oracle && ++calls == 2) throw OracleFailure(42);
        };
        solver.set_oracles(
            w == "jacobian_transpose" ? M : 0,
            [&](const double* x, double* f, std::size_t n, std::size_t m) {
                maybe_throw("residual");
                sys.residual(x, f, n, m);
            },
            [&](const double* x, const double* v, double* jv, std::size_t n, std::size_t m) {
                maybe_throw("jacobian_vector");
                sys.jacobian_vector(x, v, jv, n, m);
            },
            [&](const double* x, const double* v, double* jtw, std::size_t n, std::size_t m) {
                maybe_throw("jacobian_transpose");
                sys.jacobian_transpose(x, v, jtw, n, m);
            });
        solver.set_preconditioner([&](const double* x, const double* r, double* z, std::size_t n) {
            maybe_throw("preconditioner");
            sys.precondition(x, r, z, n);
        });
        solver.set_monitor([&](const nks::NonlinearReport&, const double*, std::size_t) {
            maybe_throw("monitor");
            return true;
        });
        // J^T w is used by Levenberg-Marquardt only.
        solver.set_method(w == "jacobian_transpose" ? nks::NonlinearMethod::LevenbergMarquardt
                                                    : nks::NonlinearMethod::NewtonKrylov);
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
        const nks::NonlinearReport r = solver.report();
        // A callable's exception is code -1 (NKS_ERR_CALLBACK); the monitor's stops the solve.
        const bool recorded = w == "monitor" ? r.status == NKS_ERR_ABORTED
                                             : r.status == NKS_ERR_CALLBACK && r.callback_code == -1;
        check(recorded, "(c) the report records the stop after the " + w + " callable threw (status " +
                            std::to_string(r.status) + ", code " + std::to_string(r.callback_code) + ")");
        check(solver.point().size() == N, "(c) point() gives the last accepted point after the " + w + " callable threw");
    }
    solver.clear_preconditioner().clear_monitor().set_method(nks::NonlinearMethod::NewtonKrylov);

    // The handle still works after the exceptions: the stored exception was cleared.
    sys.install_all(solver);
    std::vector<double> x = start;
    check(solver.solve(x) == NKS_OK && max_diff(x, exact) <= 1e-6, "(c) the next solve after the exceptions converges");

    // nks::CannotEvaluate at the first trial point (J v is given, so the residual's second call
    // is the line search's): the step is shortened and the solve converges.
    {
        std::size_t calls = 0;
        solver.set_oracles(
            0,
            [&](const double* y, double* f, std::size_t n, std::size_t m) {
                if (++calls == 2) throw nks::CannotEvaluate();
                sys.residual(y, f, n, m);
            },
            [&](const double* y, const double* v, double* jv, std::size_t n, std::size_t m) {
                sys.jacobian_vector(y, v, jv, n, m);
            });
        x = start;
        const nks_status s = solver.solve(x);
        const nks::NonlinearReport r = solver.report();
        check(s == NKS_OK && r.failed_evaluations >= 1 && r.callback_code == 0 && max_diff(x, exact) <= 1e-6,
              "(c) nks::CannotEvaluate refuses the trial point; the solve still converges (" +
                  std::to_string(r.failed_evaluations) + " refused)");
    }
    // A NaN in F refuses the point too; with finite differences the product goes the other way.
    {
        std::size_t calls = 0;
        solver.set_oracles(0, [&](const double* y, double* f, std::size_t n, std::size_t m) {
            sys.residual(y, f, n, m);
            if (++calls == 2) f[0] = std::numeric_limits<double>::quiet_NaN();
        });
        x = start;
        check(solver.solve(x) == NKS_OK && solver.report().failed_evaluations >= 1 && max_diff(x, exact) <= 1e-6,
              "(c) a NaN residual refuses the point; the solve still converges");
    }
    // nks::CannotEvaluate at the start cannot be recovered from: NKS_ERR_CALLBACK, x untouched.
    solver.set_oracles(0, [](const double*, double*, std::size_t, std::size_t) { throw nks::CannotEvaluate(); });
    x = start;
    expect_error("(c) nks::CannotEvaluate at the start", NKS_ERR_CALLBACK, "returned 1",
                 [&] { solver.solve(x); }, "nks_nonlinear_solve");
    check(x == start && solver.point() == start, "(c) x untouched; point() is the start");
    // nks::CannotEvaluate from J v (called at accepted points only): NKS_ERR_CALLBACK, code 1.
    solver.set_oracles(
        0, [&](const double* y, double* f, std::size_t n, std::size_t m) { sys.residual(y, f, n, m); },
        [](const double*, const double*, double*, std::size_t, std::size_t) { throw nks::CannotEvaluate(); });
    x = start;
    expect_error("(c) nks::CannotEvaluate from J v", NKS_ERR_CALLBACK, "", [&] { solver.solve(x); },
                 "nks_nonlinear_solve");
    check(x == start && solver.report().callback_code == 1, "(c) x untouched, code 1 in the report");

    // The monitor returning false: NKS_ERR_ABORTED, x untouched, point() has the progress.
    sys.install_residual(solver);
    solver.set_monitor([](const nks::NonlinearReport& r, const double*, std::size_t) { return r.iterations < 2; });
    x = start;
    expect_error("(c) the monitor returns false", NKS_ERR_ABORTED, "", [&] { solver.solve(x); }, "nks_nonlinear_solve");
    check(x == start, "(c) x untouched after the monitor stop");
    check(solver.point() != start && nks::termination(solver.report()) == nks::Termination::MonitorStop &&
              solver.report().iterations == 2,
          "(c) point() has the accepted steps, the report the monitor stop");

    // Calling into the handle from inside its own callable: the library refuses, and that
    // nks::Error, thrown inside the callable, comes out of solve.
    solver.set_monitor([&](const nks::NonlinearReport&, const double*, std::size_t) {
        solver.report();
        return true;
    });
    x = start;
    expect_error("(c) report() from inside the monitor", NKS_ERR_INVALID_STATE, "busy", [&] { solver.solve(x); },
                 "nks_nonlinear_get_report");
    check(x == start, "(c) x untouched after the re-entrant call");
    solver.clear_monitor();
    check(solver.solve(x) == NKS_OK && max_diff(x, exact) <= 1e-6, "(c) the handle works after the re-entrant call");
}

// (d) errors of the binding's calls.
void errors() {
    nks::Nonlinear solver;
    std::vector<double> x(N, 0.5);
    expect_error("(d) solve with no oracles", NKS_ERR_INVALID_STATE, "nks_nonlinear_set_oracles",
                 [&] { solver.solve(x); }, "nks_nonlinear_solve");
    expect_error("(d) point() before any solve", NKS_ERR_INVALID_STATE, "solve", [&] { solver.point(); },
                 "nks_nonlinear_get_point");
    expect_error("(d) step(0) before any solve", NKS_ERR_INVALID_ARGUMENT, "0 step records",
                 [&] { solver.step(0); }, "nks_nonlinear_get_step");
    System sys;
    expect_error("(d) an empty residual", NKS_ERR_NULL_POINTER, "residual",
                 [&] { solver.set_oracles(0, nks::NonlinearResidual()); }, "nks_nonlinear_set_oracles");
    expect_error("(d) refused oracles leave none set", NKS_ERR_INVALID_STATE, "", [&] { solver.solve(x); });
    sys.install_residual(solver);
    std::vector<double> empty;
    expect_error("(d) an empty x", NKS_ERR_INVALID_ARGUMENT, "n = 0", [&] { solver.solve(empty); },
                 "nks_nonlinear_solve");
    x[3] = std::numeric_limits<double>::quiet_NaN();
    expect_error("(d) a NaN in x", NKS_ERR_NON_FINITE, "", [&] { solver.solve(x); }, "nks_nonlinear_solve");
    check(x[0] == 0.5 && std::isnan(x[3]) && sys.residuals == 0, "(d) x untouched, no callable called");
    x[3] = 0.5;
    solver.set_oracles(5, [&](const double* y, double* f, std::size_t n, std::size_t m) { sys.residual(y, f, n, m); });
    expect_error("(d) Newton-Krylov with m = 5 residuals for n = 100", NKS_ERR_DIMENSION_MISMATCH, "m = 5",
                 [&] { solver.solve(x); }, "nks_nonlinear_solve");
    sys.install_residual(solver);
    solver.set_method(nks::NonlinearMethod::LevenbergMarquardt);
    expect_error("(d) Levenberg-Marquardt without J^T w", NKS_ERR_INVALID_ARGUMENT, "J^T w", [&] { solver.solve(x); },
                 "nks_nonlinear_solve");
    check(sys.residuals == 0, "(d) no callable called by the refusals");
    expect_error("(d) point() after refusals only", NKS_ERR_INVALID_STATE, "", [&] { solver.point(); });
    solver.set_method(nks::NonlinearMethod::NewtonKrylov);
    check(solver.solve(x) == NKS_OK, "(d) a valid solve");
    std::vector<double> small(N / 2, 0.0);
    expect_error("(d) point() into the wrong length", NKS_ERR_DIMENSION_MISMATCH, "",
                 [&] { solver.point(small.data(), small.size()); }, "nks_nonlinear_get_point");
    const std::size_t steps = solver.report().steps;
    expect_error("(d) step(k) with k = the number of steps", NKS_ERR_INVALID_ARGUMENT, std::to_string(steps),
                 [&] { solver.step(steps); }, "nks_nonlinear_get_step");
    std::vector<double> bad(7, std::numeric_limits<double>::infinity());
    expect_error("(d) an infinite x", NKS_ERR_NON_FINITE, "", [&] { solver.solve(bad); });
    check(solver.point() == x && solver.steps().size() == steps,
          "(d) a refused solve keeps the previous solve's point and step records");
}

// (e) moves: the solver and its callables travel with the object; a moved-from one refuses.
void moves() {
    const std::vector<double> exact = solution();
    System sys;
    nks::Nonlinear source;
    sys.install_residual(source);
    source.set_frtol(1e-12);
    nks::Nonlinear target(std::move(source));
    std::vector<double> x(N, 0.0);
    check(!source && target && target.get_option("frtol") == 1e-12 && target.solve(x) == NKS_OK &&
              max_diff(x, exact) <= 1e-9 && sys.residuals > 0,
          "(e) move construction takes the solver, its options and its oracles");
    expect_error("(e) a moved-from solver", NKS_ERR_NULL_POINTER, "nks::Nonlinear", [&] { source.solve(x); });
    expect_error("(e) a moved-from solver's report", NKS_ERR_NULL_POINTER, "moved", [&] { source.report(); });
    expect_error("(e) a moved-from solver's point", NKS_ERR_NULL_POINTER, "moved", [&] { source.point(); });
    expect_error("(e) a moved-from solver's steps", NKS_ERR_NULL_POINTER, "moved", [&] { source.steps(); });
    expect_error("(e) a moved-from solver's clear_recycle_space", NKS_ERR_NULL_POINTER, "moved",
                 [&] { source.clear_recycle_space(); });

    nks::Nonlinear other;
    other = std::move(target);
    check(!target && other.point() == x, "(e) move assignment frees the old solver and takes the new one");
    source = nks::Nonlinear();
    expect_error("(e) a fresh solver assigned to a moved-from one has no oracles", NKS_ERR_INVALID_STATE, "",
                 [&] { source.solve(x); });
    nks::Nonlinear& self = other;
    other = std::move(self);
    std::vector<double> y(N, 1.0);
    check(other && other.solve(y) == NKS_OK && max_diff(y, exact) <= 1e-9,
          "(e) self-move-assignment keeps the solver and its oracles");
    double frtol = 0.0;
    check(other.capi() != nullptr && nks_nonlinear_get_option(other.capi(), "frtol", &frtol) == NKS_OK && frtol == 1e-12,
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

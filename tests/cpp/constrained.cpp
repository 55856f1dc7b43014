/**
 * The equality-constrained wrapper of the C++ binding (bindings/cpp/nksolve.hpp):
 * `nks::Constrained` (construction and options by name and typed, the six oracles, the sparse
 * rows, a preconditioner and a monitor, the Gaussian-sketch, Kaczmarz and MINRES inner solvers,
 * the report, the iteration records, the last point and its multipliers, moves) and the
 * exception path of its oracles.
 *
 * Run by tests/bindings_cpp.rs against the shared and the static library. Prints one line per
 * check and a final "N passed, M failed"; exits non-zero when any check fails.
 *
 * The test problem projects a onto a circle of the hyperplane sum(x) = 0 (n = 12, m = 2):
 *   min 1/2 ||x - a||^2  s.t.  c_1 = ||x||^2 - r^2 = 0,  c_2 = sum_i x_i = 0,
 * with a_i = sin(i + 1) minus its mean (so sum(a) = 0) and r = 1/2. The solution is
 * x* = r a / ||a|| with multipliers lambda* = ((||a|| / r - 1) / 2, 0): grad_x L = x - a +
 * 2 lambda_1 x + lambda_2 e vanishes there. The Hessian of the Lagrangian is (1 + 2 lambda_1) I
 * and the Jacobian has the rows 2 x^T and e^T (full rank away from multiples of e).
 */
#include <cmath>
#include <cstddef>
#include <cstdint>
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

constexpr std::size_t N = 12;
constexpr std::size_t M = 2;
constexpr double RADIUS = 0.5;

/// a_i = sin(i + 1) minus the mean.
std::vector<double> target() {
    std::vector<double> a(N);
    double mean = 0.0;
    for (std::size_t i = 0; i < N; ++i) mean += (a[i] = std::sin(static_cast<double>(i + 1))) / static_cast<double>(N);
    for (double& v : a) v -= mean;
    return a;
}

double norm(const std::vector<double>& v) {
    double s = 0.0;
    for (const double x : v) s += x * x;
    return std::sqrt(s);
}

/// The solution x* = r a / ||a||.
std::vector<double> solution() {
    std::vector<double> a = target();
    const double scale = RADIUS / norm(a);
    for (double& v : a) v *= scale;
    return a;
}

/// The multipliers lambda* = ((||a|| / r - 1) / 2, 0).
std::vector<double> solution_multipliers() { return {(norm(target()) / RADIUS - 1.0) / 2.0, 0.0}; }

/// The starting point x0_i = 0.1 + 0.3 cos(i): off the circle and off the hyperplane.
std::vector<double> start_point() {
    std::vector<double> x(N);
    for (std::size_t i = 0; i < N; ++i) x[i] = 0.1 + 0.3 * std::cos(static_cast<double>(i));
    return x;
}

/// The test problem's oracles, counting their calls.
struct Problem {
    std::vector<double> a = target();
    std::size_t objectives = 0, gradients = 0, constraint_calls = 0, products = 0, transposes = 0, hessians = 0,
                values = 0, preconditioners = 0;

    double objective(const double* x, std::size_t n) {
        ++objectives;
        double f = 0.0;
        for (std::size_t i = 0; i < n; ++i) f += 0.5 * (x[i] - a[i]) * (x[i] - a[i]);
        return f;
    }
    void gradient(const double* x, double* g, std::size_t n) {
        ++gradients;
        for (std::size_t i = 0; i < n; ++i) g[i] = x[i] - a[i];
    }
    void constraints(const double* x, double* c, std::size_t n, std::size_t) {
        ++constraint_calls;
        c[0] = -RADIUS * RADIUS;
        c[1] = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            c[0] += x[i] * x[i];
            c[1] += x[i];
        }
    }
    /// jv = (2 x^T v, e^T v).
    void jacobian_vector(const double* x, const double* v, double* jv, std::size_t n, std::size_t) {
        ++products;
        jv[0] = jv[1] = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            jv[0] += 2.0 * x[i] * v[i];
            jv[1] += v[i];
        }
    }
    /// jtw = 2 x w_1 + e w_2.
    void jacobian_transpose(const double* x, const double* w, double* jtw, std::size_t n, std::size_t) {
        ++transposes;
        for (std::size_t i = 0; i < n; ++i) jtw[i] = 2.0 * x[i] * w[0] + w[1];
    }
    /// hv = (1 + 2 lambda_1) v.
    void hessian_vector(const double*, const double* lambda, const double* v, double* hv, std::size_t n, std::size_t) {
        ++hessians;
        for (std::size_t i = 0; i < n; ++i) hv[i] = (1.0 + 2.0 * lambda[0]) * v[i];
    }
    /// The Jacobian's two dense rows: 2 x^T, then e^T.
    void jacobian_values(const double* x, double* v, std::size_t n, std::size_t nnz) {
        ++values;
        if (nnz != 2 * n) throw std::logic_error("the Jacobian has 2 n entries");
        for (std::size_t i = 0; i < n; ++i) {
            v[i] = 2.0 * x[i];
            v[n + i] = 1.0;
        }
    }
    /// The Hessian's diagonal.
    void hessian_values(const double*, const double* lambda, double* v, std::size_t n, std::size_t, std::size_t nnz) {
        ++values;
        if (nnz != n) throw std::logic_error("the Hessian has n entries");
        for (std::size_t i = 0; i < n; ++i) v[i] = 1.0 + 2.0 * lambda[0];
    }
    /// z = diag(I, 1 / (4 ||x||^2), 1 / n) r: the Hessian's identity part and the diagonal of
    /// J J^T.
    void precondition(const double* x, const double*, const double* r, double* z, std::size_t n, std::size_t) {
        ++preconditioners;
        double xx = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            z[i] = r[i];
            xx += x[i] * x[i];
        }
        z[n] = r[n] / (4.0 * xx);
        z[n + 1] = r[n + 1] / static_cast<double>(n);
    }

    /// Installs the six oracles on `solver`, capturing this object.
    void install(nks::Constrained& solver) {
        solver.set_oracles(
            M, [this](const double* x, std::size_t n) { return objective(x, n); },
            [this](const double* x, double* g, std::size_t n) { gradient(x, g, n); },
            [this](const double* x, double* c, std::size_t n, std::size_t m) { constraints(x, c, n, m); },
            [this](const double* x, const double* v, double* jv, std::size_t n, std::size_t m) {
                jacobian_vector(x, v, jv, n, m);
            },
            [this](const double* x, const double* w, double* jtw, std::size_t n, std::size_t m) {
                jacobian_transpose(x, w, jtw, n, m);
            },
            [this](const double* x, const double* l, const double* v, double* hv, std::size_t n, std::size_t m) {
                hessian_vector(x, l, v, hv, n, m);
            });
    }

    /// Installs the sparse rows (0-based, or 1-based when `index_base` is 1), capturing this
    /// object.
    void install_rows(nks::Constrained& solver, std::int32_t index_base = 0) {
        std::vector<std::int64_t> jrp{0, static_cast<std::int64_t>(N), static_cast<std::int64_t>(2 * N)}, jci, hrp, hci;
        for (std::size_t r = 0; r < M; ++r) {
            for (std::size_t i = 0; i < N; ++i) jci.push_back(static_cast<std::int64_t>(i));
        }
        for (std::size_t i = 0; i <= N; ++i) hrp.push_back(static_cast<std::int64_t>(i));
        for (std::size_t i = 0; i < N; ++i) hci.push_back(static_cast<std::int64_t>(i));
        for (auto* v : {&jrp, &jci, &hrp, &hci}) {
            for (std::int64_t& e : *v) e += index_base;
        }
        solver.set_sparse_rows(
            N, jrp, jci,
            [this](const double* x, double* v, std::size_t n, std::size_t nnz) { jacobian_values(x, v, n, nnz); }, hrp,
            hci,
            [this](const double* x, const double* l, double* v, std::size_t n, std::size_t m, std::size_t nnz) {
                hessian_values(x, l, v, n, m, nnz);
            },
            index_base);
    }

    /// Installs the preconditioner, capturing this object.
    void install_preconditioner(nks::Constrained& solver) {
        solver.set_preconditioner(
            [this](const double* x, const double* l, const double* r, double* z, std::size_t n, std::size_t m) {
                precondition(x, l, r, z, n, m);
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

// The report and the record are the C structs, whose layout the other bindings copy: pin them
// on LP64 targets.
static_assert(sizeof(void*) != 8 || (offsetof(nks::ConstrainedReport, status) == 0 &&
                                     offsetof(nks::ConstrainedReport, termination) == 4 &&
                                     offsetof(nks::ConstrainedReport, kkt_solver) == 8 &&
                                     offsetof(nks::ConstrainedReport, iterations) == 16 &&
                                     offsetof(nks::ConstrainedReport, inner_iterations) == 24 &&
                                     offsetof(nks::ConstrainedReport, merit_evaluations) == 32 &&
                                     offsetof(nks::ConstrainedReport, penalty_updates) == 40 &&
                                     offsetof(nks::ConstrainedReport, regularized_steps) == 48 &&
                                     offsetof(nks::ConstrainedReport, rejected_steps) == 56 &&
                                     offsetof(nks::ConstrainedReport, failed_evaluations) == 64 &&
                                     offsetof(nks::ConstrainedReport, objective_evaluations) == 72 &&
                                     offsetof(nks::ConstrainedReport, gradient_evaluations) == 80 &&
                                     offsetof(nks::ConstrainedReport, constraint_evaluations) == 88 &&
                                     offsetof(nks::ConstrainedReport, jacobian_products) == 96 &&
                                     offsetof(nks::ConstrainedReport, jacobian_transpose_products) == 104 &&
                                     offsetof(nks::ConstrainedReport, hessian_products) == 112 &&
                                     offsetof(nks::ConstrainedReport, matrix_evaluations) == 120 &&
                                     offsetof(nks::ConstrainedReport, preconditioner_calls) == 128 &&
                                     offsetof(nks::ConstrainedReport, records) == 136 &&
                                     offsetof(nks::ConstrainedReport, callback_code) == 144 &&
                                     offsetof(nks::ConstrainedReport, objective) == 152 &&
                                     offsetof(nks::ConstrainedReport, stationarity) == 160 &&
                                     offsetof(nks::ConstrainedReport, feasibility) == 168 &&
                                     offsetof(nks::ConstrainedReport, initial_stationarity) == 176 &&
                                     offsetof(nks::ConstrainedReport, initial_feasibility) == 184 &&
                                     offsetof(nks::ConstrainedReport, eta1) == 192 &&
                                     offsetof(nks::ConstrainedReport, eta2) == 200 &&
                                     offsetof(nks::ConstrainedReport, seconds) == 208 &&
                                     sizeof(nks::ConstrainedReport) == 216),
              "nks_constrained_report layout");
static_assert(sizeof(void*) != 8 || (offsetof(nks::ConstrainedRecord, stationarity) == 0 &&
                                     offsetof(nks::ConstrainedRecord, feasibility) == 8 &&
                                     offsetof(nks::ConstrainedRecord, merit) == 16 &&
                                     offsetof(nks::ConstrainedRecord, inner_iterations) == 24 &&
                                     offsetof(nks::ConstrainedRecord, inner_residual) == 32 &&
                                     offsetof(nks::ConstrainedRecord, eta1) == 40 &&
                                     offsetof(nks::ConstrainedRecord, eta2) == 48 &&
                                     offsetof(nks::ConstrainedRecord, regularization) == 56 &&
                                     offsetof(nks::ConstrainedRecord, step_length) == 64 &&
                                     sizeof(nks::ConstrainedRecord) == 72),
              "nks_constrained_record layout");

// (a) construction and options: defaults, by name and typed, and their errors.
void construction_and_options() {
    nks::Constrained solver;
    check(solver.get_option("kkt_solver") == 0.0 && solver.get_option("stationarity_tol") == 1e-6 &&
              solver.get_option("feasibility_tol") == 1e-6 && solver.get_option("max_iterations") == 1000.0 &&
              solver.get_option("eta1") == 1.0 && solver.get_option("eta2") == 0.1 &&
              solver.get_option("penalty_factor") == 1.5 && solver.get_option("armijo") == 0.1 &&
              solver.get_option("accuracy") == 0.1 && solver.get_option("sharpen") == 1.0 &&
              solver.get_option("seed") == 0.0 && solver.get_option("multiplier_start") == 0.0 &&
              solver.get_option("record_history") == 1.0,
          "(a) defaults: Gaussian sketch, tolerances 1e-6, 1000 iterations, eta1 1, eta2 0.1, rho 1.5, seed 0");
    const nks::ConstrainedReport r = solver.report();
    check(nks::termination(r) == nks::Termination::NotStarted && r.iterations == 0 && r.records == 0 &&
              nks::kkt_solver(r) == nks::KktSolver::GaussianSketch,
          "(a) the report before any solve is not started");
    check(solver.records().empty(), "(a) no iteration records before any solve");
    solver.set_kkt_solver(nks::KktSolver::Minres)
        .set_stationarity_tol(1e-9)
        .set_feasibility_tol(1e-10)
        .set_max_iterations(50)
        .set_seed(7);
    check(solver.get_option("kkt_solver") == 2.0 && solver.get_option("stationarity_tol") == 1e-9 &&
              solver.get_option("feasibility_tol") == 1e-10 && solver.get_option("max_iterations") == 50.0 &&
              solver.get_option("seed") == 7.0,
          "(a) the typed setters write the options get_option reads");
    solver.set_option("eta2", 0.5).set_option("sketch_block", 4).set_option("armijo", 1e-4).set_option("sharpen", 0);
    check(solver.get_option("eta2") == 0.5 && solver.get_option("sketch_block") == 4.0 &&
              solver.get_option("armijo") == 1e-4 && solver.get_option("sharpen") == 0.0,
          "(a) set_option / get_option round trip");

    expect_error("(a) an unknown option name is named in the message", NKS_ERR_UNKNOWN_OPTION, "\"tolerance\"",
                 [&] { solver.set_option("tolerance", 0.1); }, "nks_constrained_set_option");
    expect_error("(a) the unknown-option message lists the names", NKS_ERR_UNKNOWN_OPTION, "kkt_solver",
                 [&] { solver.set_option("tolerance", 0.1); });
    expect_error("(a) reading an unknown option", NKS_ERR_UNKNOWN_OPTION, "tolerance",
                 [&] { solver.get_option("tolerance"); }, "nks_constrained_get_option");
    expect_error("(a) stationarity_tol = 0", NKS_ERR_INVALID_ARGUMENT, "stationarity_tol",
                 [&] { solver.set_stationarity_tol(0.0); }, "nks_constrained_set_option");
    check(solver.get_option("stationarity_tol") == 1e-9, "(a) a refused value keeps the previous one");
    expect_error("(a) kkt_solver 3", NKS_ERR_INVALID_ARGUMENT, "kkt_solver",
                 [&] { solver.set_kkt_solver(static_cast<nks::KktSolver>(3)); });
    check(solver.get_option("kkt_solver") == 2.0, "(a) a refused kkt_solver keeps MINRES");
    expect_error("(a) max_iterations 0", NKS_ERR_INVALID_ARGUMENT, "max_iterations",
                 [&] { solver.set_max_iterations(0); });
    expect_error("(a) penalty_factor 1", NKS_ERR_INVALID_ARGUMENT, "penalty_factor",
                 [&] { solver.set_option("penalty_factor", 1.0); });
    expect_error("(a) armijo 0.5", NKS_ERR_INVALID_ARGUMENT, "armijo", [&] { solver.set_option("armijo", 0.5); });
    expect_error("(a) sketch_block 257", NKS_ERR_INVALID_ARGUMENT, "sketch_block",
                 [&] { solver.set_option("sketch_block", 257); });
    expect_error("(a) eta1 NaN", NKS_ERR_INVALID_ARGUMENT, "eta1",
                 [&] { solver.set_option("eta1", std::numeric_limits<double>::quiet_NaN()); });
    check(solver.get_option("eta1") == 1.0, "(a) a refused eta1 keeps the default");
}

// (b) convergence with each inner solver, checked against the known solution; the report's
// counts, the records, the iteration limit, the monitor, the given starting multipliers.
void convergence() {
    const std::vector<double> exact = solution(), exact_lambda = solution_multipliers();

    struct Case {
        const char* name;
        nks::KktSolver solver;
        bool rows;
        bool preconditioner;
    };
    for (const Case& c : {Case{"Gaussian sketch", nks::KktSolver::GaussianSketch, false, false},
                          Case{"Kaczmarz", nks::KktSolver::Kaczmarz, true, false},
                          Case{"MINRES", nks::KktSolver::Minres, false, false},
                          Case{"preconditioned MINRES", nks::KktSolver::Minres, false, true}}) {
        const std::string name = c.name;
        Problem p;
        nks::Constrained solver;
        p.install(solver);
        if (c.rows) p.install_rows(solver);
        if (c.preconditioner) p.install_preconditioner(solver);
        solver.set_kkt_solver(c.solver);
        std::vector<double> x = start_point(), lambda(M, 0.0);
        const nks_status s = solver.solve(x, lambda);
        const nks::ConstrainedReport r = solver.report();
        check(s == NKS_OK && nks::termination(r) == nks::Termination::ConvergedKkt && nks::kkt_solver(r) == c.solver &&
                  max_diff(x, exact) <= 1e-6 && max_diff(lambda, exact_lambda) <= 1e-6,
              "(b) " + name + ": x = x* to " + sci(max_diff(x, exact)) + ", lambda = lambda* to " +
                  sci(max_diff(lambda, exact_lambda)) + " in " + std::to_string(r.iterations) + " iterations");
        check(r.objective_evaluations == p.objectives && r.gradient_evaluations == p.gradients &&
                  r.constraint_evaluations == p.constraint_calls && r.jacobian_products == p.products &&
                  r.jacobian_transpose_products == p.transposes && r.hessian_products == p.hessians &&
                  r.matrix_evaluations == p.values && r.preconditioner_calls == p.preconditioners &&
                  r.merit_evaluations == p.objectives,
              "(b) " + name + ": the report counts every callable's calls");
        check((p.values > 0) == c.rows && (p.preconditioners > 0) == c.preconditioner && r.inner_iterations > 0 &&
                  r.stationarity <= 1e-6 && r.feasibility <= 1e-6 && r.initial_feasibility > r.feasibility,
              "(b) " + name + ": the sparse rows and the preconditioner are used exactly when given");
        const std::vector<nks::ConstrainedRecord> records = solver.records();
        bool sane = records.size() == r.iterations && !records.empty();
        std::size_t inner = 0;
        for (const nks::ConstrainedRecord& rec : records) {
            sane &= rec.step_length > 0.0 && rec.step_length <= 1.0 && rec.eta1 > 0.0 && rec.eta2 > 0.0 &&
                    std::isfinite(rec.merit);
            inner += rec.inner_iterations;
        }
        check(sane && inner == r.inner_iterations && records[0].feasibility == r.initial_feasibility,
              "(b) " + name + ": one record per iteration, their inner iterations sum to the report's");
        check(solver.point() == x && solver.multipliers() == lambda,
              "(b) " + name + ": point() and multipliers() give the solution");
    }

    // The sparse rows given 1-based work the same.
    {
        Problem p;
        nks::Constrained solver;
        p.install(solver);
        p.install_rows(solver, 1);
        solver.set_kkt_solver(nks::KktSolver::Kaczmarz);
        std::vector<double> x = start_point(), lambda(M, 0.0);
        check(solver.solve(x, lambda) == NKS_OK && max_diff(x, exact) <= 1e-6 && p.values > 0,
              "(b) Kaczmarz with 1-based sparse rows converges");
    }

    // The iteration limit: a positive status with a usable point, never thrown.
    {
        Problem p;
        nks::Constrained solver;
        p.install(solver);
        solver.set_kkt_solver(nks::KktSolver::Minres).set_max_iterations(1);
        std::vector<double> x = start_point(), lambda(M, 0.0);
        const nks_status s = solver.solve(x, lambda);
        const nks::ConstrainedReport r = solver.report();
        check(s == NKS_MAX_ITERATIONS && r.status == NKS_MAX_ITERATIONS &&
                  nks::termination(r) == nks::Termination::MaxIterations && r.iterations == 1 && x != start_point() &&
                  solver.point() == x,
              "(b) max_iterations 1 returns NKS_MAX_ITERATIONS with the accepted point in x");
    }

    // The monitor sees every iteration, with the running report and the current point.
    {
        Problem p;
        nks::Constrained solver;
        p.install(solver);
        solver.set_kkt_solver(nks::KktSolver::Minres);
        std::size_t calls = 0;
        bool consistent = true;
        std::vector<double> seen_x, seen_lambda;
        solver.set_monitor([&](const nks::ConstrainedReport& r, const double* x, std::size_t n, const double* l,
                               std::size_t m) {
            ++calls;
            consistent &= n == N && m == M && r.status == 0 && nks::termination(r) == nks::Termination::NotStarted &&
                          r.iterations == calls;
            seen_x.assign(x, x + n);
            seen_lambda.assign(l, l + m);
            return true;
        });
        std::vector<double> x = start_point(), lambda(M, 0.0);
        solver.solve(x, lambda);
        check(calls > 0 && calls == solver.report().iterations && consistent && seen_x == x && seen_lambda == lambda,
              "(b) the monitor runs once per iteration with the running report and the point (" +
                  std::to_string(calls) + ")");
    }

    // multiplier_start 1: the lambda passed in is the start; from the solution, no iteration.
    {
        Problem p;
        nks::Constrained solver;
        p.install(solver);
        solver.set_kkt_solver(nks::KktSolver::Minres).set_option("multiplier_start", 1);
        std::vector<double> x = exact, lambda = exact_lambda;
        check(solver.solve(x, lambda) == NKS_OK && solver.report().iterations == 0 && p.hessians == 0,
              "(b) multiplier_start 1 from the solution: converged with no iteration");
        std::vector<double> far(M, 1e3);
        x = start_point();
        lambda = far;
        check(solver.solve(x, lambda) == NKS_OK && max_diff(lambda, exact_lambda) <= 1e-6,
              "(b) multiplier_start 1 from far multipliers still converges");
    }
}

// (c) the exception path: an exception thrown by a callable reaches the caller, x and lambda
// untouched; nks::CannotEvaluate at a trial point only refuses it; the monitor stops the solve.
void exceptions() {
    const std::vector<double> start = start_point(), exact = solution();
    const std::vector<double> zero(M, 0.0);
    Problem p;
    nks::Constrained solver;

    // Each callable in turn throws the host's own exception at its second call.
    for (const char* which : {"objective", "gradient", "constraints", "jacobian_vector", "jacobian_transpose",
                              "hessian_vector", "jacobian_values", "hessian_values", "preconditioner", "monitor"}) {
        const std::string w = which;
        std::size_t calls = 0;
        auto maybe_throw = [&](const char* oracle) {
            if (w == oracle && ++calls == 2) throw OracleFailure(42);
        };
        solver.set_oracles(
            M,
            [&](const double* x, std::size_t n) {
                maybe_throw("objective");
                return p.objective(x, n);
            },
            [&](const double* x, double* g, std::size_t n) {
                maybe_throw("gradient");
                p.gradient(x, g, n);
            },
            [&](const double* x, double* c, std::size_t n, std::size_t m) {
                maybe_throw("constraints");
                p.constraints(x, c, n, m);
            },
            [&](const double* x, const double* v, double* jv, std::size_t n, std::size_t m) {
                maybe_throw("jacobian_vector");
                p.jacobian_vector(x, v, jv, n, m);
            },
            [&](const double* x, const double* v, double* jtw, std::size_t n, std::size_t m) {
                maybe_throw("jacobian_transpose");
                p.jacobian_transpose(x, v, jtw, n, m);
            },
            [&](const double* x, const double* l, const double* v, double* hv, std::size_t n, std::size_t m) {
                maybe_throw("hessian_vector");
                p.hessian_vector(x, l, v, hv, n, m);
            });
        const bool rows = w == "jacobian_values" || w == "hessian_values";
        if (rows) {
            std::vector<std::int64_t> jrp{0, static_cast<std::int64_t>(N), static_cast<std::int64_t>(2 * N)}, jci, hrp,
                hci;
            for (std::size_t k = 0; k < 2 * N; ++k) jci.push_back(static_cast<std::int64_t>(k % N));
            for (std::size_t i = 0; i <= N; ++i) hrp.push_back(static_cast<std::int64_t>(i));
            for (std::size_t i = 0; i < N; ++i) hci.push_back(static_cast<std::int64_t>(i));
            solver.set_sparse_rows(
                N, jrp, jci,
                [&](const double* x, double* v, std::size_t n, std::size_t nnz) {
                    maybe_throw("jacobian_values");
                    p.jacobian_values(x, v, n, nnz);
                },
                hrp, hci,
                [&](const double* x, const double* l, double* v, std::size_t n, std::size_t m, std::size_t nnz) {
                    maybe_throw("hessian_values");
                    p.hessian_values(x, l, v, n, m, nnz);
                });
        }
        solver.set_preconditioner(
            [&](const double* x, const double* l, const double* r, double* z, std::size_t n, std::size_t m) {
                maybe_throw("preconditioner");
                p.precondition(x, l, r, z, n, m);
            });
        solver.set_monitor([&](const nks::ConstrainedReport&, const double*, std::size_t, const double*, std::size_t) {
            maybe_throw("monitor");
            return true;
        });
        // The sparse values are read by Kaczmarz only, the preconditioner by MINRES only.
        solver.set_kkt_solver(rows ? nks::KktSolver::Kaczmarz : nks::KktSolver::Minres);
        std::vector<double> x = start, lambda = zero;
        bool caught = false;
        try {
            solver.solve(x, lambda);
        } catch (const OracleFailure& e) {
            caught = e.code == 42;
        } catch (...) {
        }
        check(caught, "(c) an exception thrown by the " + w + " callable reaches the caller with its type");
        check(x == start && lambda == zero, "(c) x and lambda are untouched after the " + w + " callable threw");
        const nks::ConstrainedReport r = solver.report();
        // A callable's exception is code -1 (NKS_ERR_CALLBACK); the monitor's stops the solve.
        const bool recorded = w == "monitor" ? r.status == NKS_ERR_ABORTED
                                             : r.status == NKS_ERR_CALLBACK && r.callback_code == -1;
        check(recorded, "(c) the report records the stop after the " + w + " callable threw (status " +
                            std::to_string(r.status) + ", code " + std::to_string(r.callback_code) + ")");
        check(solver.point().size() == N && solver.multipliers().size() == M,
              "(c) point() and multipliers() give the last accepted point after the " + w + " callable threw");
    }
    solver.clear_preconditioner().clear_monitor().set_kkt_solver(nks::KktSolver::Minres);

    // The handle still works after the exceptions: the stored exception was cleared.
    p.install(solver);
    std::vector<double> x = start, lambda = zero;
    check(solver.solve(x, lambda) == NKS_OK && max_diff(x, exact) <= 1e-6,
          "(c) the next solve after the exceptions converges");

    // nks::CannotEvaluate at the first trial point (the objective's second call): the step is
    // shortened and the solve converges.
    {
        std::size_t calls = 0;
        solver.set_oracles(
            M,
            [&](const double* y, std::size_t n) {
                if (++calls == 2) throw nks::CannotEvaluate();
                return p.objective(y, n);
            },
            [&](const double* y, double* g, std::size_t n) { p.gradient(y, g, n); },
            [&](const double* y, double* c, std::size_t n, std::size_t m) { p.constraints(y, c, n, m); },
            [&](const double* y, const double* v, double* jv, std::size_t n, std::size_t m) {
                p.jacobian_vector(y, v, jv, n, m);
            },
            [&](const double* y, const double* w, double* jtw, std::size_t n, std::size_t m) {
                p.jacobian_transpose(y, w, jtw, n, m);
            },
            [&](const double* y, const double* l, const double* v, double* hv, std::size_t n, std::size_t m) {
                p.hessian_vector(y, l, v, hv, n, m);
            });
        x = start;
        lambda = zero;
        const nks_status s = solver.solve(x, lambda);
        const nks::ConstrainedReport r = solver.report();
        check(s == NKS_OK && r.failed_evaluations == 1 && r.rejected_steps >= 1 && r.callback_code == 0 &&
                  max_diff(x, exact) <= 1e-6,
              "(c) nks::CannotEvaluate refuses the trial point; the solve still converges");
    }
    // A NaN objective refuses the point too.
    {
        std::size_t calls = 0;
        solver.set_oracles(
            M,
            [&](const double* y, std::size_t n) {
                const double f = p.objective(y, n);
                return ++calls == 2 ? std::numeric_limits<double>::quiet_NaN() : f;
            },
            [&](const double* y, double* g, std::size_t n) { p.gradient(y, g, n); },
            [&](const double* y, double* c, std::size_t n, std::size_t m) { p.constraints(y, c, n, m); },
            [&](const double* y, const double* v, double* jv, std::size_t n, std::size_t m) {
                p.jacobian_vector(y, v, jv, n, m);
            },
            [&](const double* y, const double* w, double* jtw, std::size_t n, std::size_t m) {
                p.jacobian_transpose(y, w, jtw, n, m);
            },
            [&](const double* y, const double* l, const double* v, double* hv, std::size_t n, std::size_t m) {
                p.hessian_vector(y, l, v, hv, n, m);
            });
        x = start;
        lambda = zero;
        check(solver.solve(x, lambda) == NKS_OK && solver.report().failed_evaluations == 1 &&
                  max_diff(x, exact) <= 1e-6,
              "(c) a NaN objective refuses the point; the solve still converges");
    }
    // nks::CannotEvaluate at the start cannot be recovered from: NKS_ERR_CALLBACK, x untouched.
    auto oracles_with = [&](nks::ConstrainedObjective objective, nks::ConstrainedJacobianVector jv) {
        solver.set_oracles(
            M, std::move(objective), [&](const double* y, double* g, std::size_t n) { p.gradient(y, g, n); },
            [&](const double* y, double* c, std::size_t n, std::size_t m) { p.constraints(y, c, n, m); },
            std::move(jv),
            [&](const double* y, const double* w, double* jtw, std::size_t n, std::size_t m) {
                p.jacobian_transpose(y, w, jtw, n, m);
            },
            [&](const double* y, const double* l, const double* v, double* hv, std::size_t n, std::size_t m) {
                p.hessian_vector(y, l, v, hv, n, m);
            });
    };
    auto good_jv = [&](const double* y, const double* v, double* jv, std::size_t n, std::size_t m) {
        p.jacobian_vector(y, v, jv, n, m);
    };
    oracles_with([](const double*, std::size_t) -> double { throw nks::CannotEvaluate(); }, good_jv);
    x = start;
    lambda = zero;
    expect_error("(c) nks::CannotEvaluate at the start", NKS_ERR_CALLBACK, "returned 1",
                 [&] { solver.solve(x, lambda); }, "nks_constrained_solve");
    check(x == start && lambda == zero && solver.point() == start, "(c) x and lambda untouched; point() is the start");
    // nks::CannotEvaluate from J v (called at accepted points only): NKS_ERR_CALLBACK, code 1.
    oracles_with([&](const double* y, std::size_t n) { return p.objective(y, n); },
                 [](const double*, const double*, double*, std::size_t, std::size_t) { throw nks::CannotEvaluate(); });
    x = start;
    expect_error("(c) nks::CannotEvaluate from J v", NKS_ERR_CALLBACK, "", [&] { solver.solve(x, lambda); },
                 "nks_constrained_solve");
    check(x == start && solver.report().callback_code == 1, "(c) x untouched, code 1 in the report");

    // The monitor returning false: NKS_ERR_ABORTED, x untouched, point() has the progress.
    p.install(solver);
    solver.set_monitor([](const nks::ConstrainedReport& r, const double*, std::size_t, const double*, std::size_t) {
        return r.iterations < 2;
    });
    x = start;
    expect_error("(c) the monitor returns false", NKS_ERR_ABORTED, "", [&] { solver.solve(x, lambda); },
                 "nks_constrained_solve");
    check(x == start && lambda == zero, "(c) x and lambda untouched after the monitor stop");
    check(solver.point() != start && nks::termination(solver.report()) == nks::Termination::MonitorStop &&
              solver.report().iterations == 2,
          "(c) point() has the accepted steps, the report the monitor stop");

    // Calling into the handle from inside its own callable: the library refuses, and that
    // nks::Error, thrown inside the callable, comes out of solve.
    solver.set_monitor([&](const nks::ConstrainedReport&, const double*, std::size_t, const double*, std::size_t) {
        solver.report();
        return true;
    });
    x = start;
    expect_error("(c) report() from inside the monitor", NKS_ERR_INVALID_STATE, "busy",
                 [&] { solver.solve(x, lambda); }, "nks_constrained_get_report");
    check(x == start, "(c) x untouched after the re-entrant call");
    solver.clear_monitor();
    check(solver.solve(x, lambda) == NKS_OK && max_diff(x, exact) <= 1e-6,
          "(c) the handle works after the re-entrant call");
}

// (d) errors of the binding's calls.
void errors() {
    nks::Constrained solver;
    std::vector<double> x = start_point(), lambda(M, 0.0);
    expect_error("(d) solve with no oracles", NKS_ERR_INVALID_STATE, "nks_constrained_set_oracles",
                 [&] { solver.solve(x, lambda); }, "nks_constrained_solve");
    expect_error("(d) point() before any solve", NKS_ERR_INVALID_STATE, "solve", [&] { solver.point(); },
                 "nks_constrained_get_point");
    expect_error("(d) record(0) before any solve", NKS_ERR_INVALID_ARGUMENT, "0 iteration records",
                 [&] { solver.record(0); }, "nks_constrained_get_record");
    Problem p;
    expect_error("(d) sparse rows before the oracles", NKS_ERR_INVALID_STATE, "nks_constrained_set_oracles",
                 [&] { p.install_rows(solver); }, "nks_constrained_set_sparse_rows");
    auto objective = [&](const double* y, std::size_t n) { return p.objective(y, n); };
    auto gradient = [&](const double* y, double* g, std::size_t n) { p.gradient(y, g, n); };
    auto constraints = [&](const double* y, double* c, std::size_t n, std::size_t m) { p.constraints(y, c, n, m); };
    auto jv = [&](const double* y, const double* v, double* out, std::size_t n, std::size_t m) {
        p.jacobian_vector(y, v, out, n, m);
    };
    auto jtw = [&](const double* y, const double* w, double* out, std::size_t n, std::size_t m) {
        p.jacobian_transpose(y, w, out, n, m);
    };
    auto hv = [&](const double* y, const double* l, const double* v, double* out, std::size_t n, std::size_t m) {
        p.hessian_vector(y, l, v, out, n, m);
    };
    expect_error("(d) an empty objective", NKS_ERR_NULL_POINTER, "objective", [&] {
        solver.set_oracles(M, nks::ConstrainedObjective(), gradient, constraints, jv, jtw, hv);
    }, "nks_constrained_set_oracles");
    expect_error("(d) an empty constraints callable", NKS_ERR_NULL_POINTER, "constraints", [&] {
        solver.set_oracles(M, objective, gradient, nks::ConstrainedConstraints(), jv, jtw, hv);
    });
    expect_error("(d) an empty hessian_vector", NKS_ERR_NULL_POINTER, "hessian_vector", [&] {
        solver.set_oracles(M, objective, gradient, constraints, jv, jtw, nks::ConstrainedHessianVector());
    });
    expect_error("(d) m = 0", NKS_ERR_INVALID_ARGUMENT, "m = 0",
                 [&] { solver.set_oracles(0, objective, gradient, constraints, jv, jtw, hv); },
                 "nks_constrained_set_oracles");
    expect_error("(d) refused oracles leave none set", NKS_ERR_INVALID_STATE, "", [&] { solver.solve(x, lambda); });
    solver.set_oracles(M, objective, gradient, constraints, jv, jtw, hv);
    std::vector<double> empty;
    expect_error("(d) an empty x", NKS_ERR_INVALID_ARGUMENT, "n = 0", [&] { solver.solve(empty, lambda); },
                 "nks_constrained_solve");
    std::vector<double> three(3, 0.0);
    expect_error("(d) lambda of length 3 for m = 2", NKS_ERR_DIMENSION_MISMATCH, "m = 3",
                 [&] { solver.solve(x, three); }, "nks_constrained_solve");
    x[3] = std::numeric_limits<double>::quiet_NaN();
    expect_error("(d) a NaN in x", NKS_ERR_NON_FINITE, "", [&] { solver.solve(x, lambda); }, "nks_constrained_solve");
    check(std::isnan(x[3]) && x[0] == start_point()[0] && p.objectives == 0, "(d) x untouched, no callable called");
    x = start_point();
    std::vector<double> both(N + M, 0.5);
    expect_error("(d) x and lambda overlap", NKS_ERR_INVALID_ARGUMENT, "overlap",
                 [&] { solver.solve(both.data(), N, both.data() + N - 1, M); }, "nks_constrained_solve");
    solver.set_kkt_solver(nks::KktSolver::Kaczmarz);
    expect_error("(d) Kaczmarz without sparse rows", NKS_ERR_INVALID_STATE, "sparse rows",
                 [&] { solver.solve(x, lambda); }, "nks_constrained_solve");

    // Sparse rows: the binding checks the lengths, the library the entries.
    auto jac_values = [&](const double* y, double* v, std::size_t n, std::size_t nnz) {
        p.jacobian_values(y, v, n, nnz);
    };
    auto hess_values = [&](const double* y, const double* l, double* v, std::size_t n, std::size_t m,
                           std::size_t nnz) { p.hessian_values(y, l, v, n, m, nnz); };
    std::vector<std::int64_t> jrp{0, static_cast<std::int64_t>(N), static_cast<std::int64_t>(2 * N)}, jci, hrp, hci;
    for (std::size_t k = 0; k < 2 * N; ++k) jci.push_back(static_cast<std::int64_t>(k % N));
    for (std::size_t i = 0; i <= N; ++i) hrp.push_back(static_cast<std::int64_t>(i));
    for (std::size_t i = 0; i < N; ++i) hci.push_back(static_cast<std::int64_t>(i));
    std::vector<std::int64_t> short_jrp{0, static_cast<std::int64_t>(N)};
    expect_error("(d) a Jacobian row_ptr of m entries", NKS_ERR_DIMENSION_MISMATCH, "jacobian_row_ptr",
                 [&] { solver.set_sparse_rows(N, short_jrp, jci, jac_values, hrp, hci, hess_values); });
    std::vector<std::int64_t> short_hci(hci.begin(), hci.end() - 1);
    expect_error("(d) too few Hessian column indices", NKS_ERR_DIMENSION_MISMATCH, "hessian_col_idx",
                 [&] { solver.set_sparse_rows(N, jrp, jci, jac_values, hrp, short_hci, hess_values); });
    std::vector<std::int64_t> bad_jci = jci;
    bad_jci[5] = static_cast<std::int64_t>(N);
    expect_error("(d) a Jacobian column out of range", NKS_ERR_INVALID_ARGUMENT, "jacobian_col_idx[5]",
                 [&] { solver.set_sparse_rows(N, jrp, bad_jci, jac_values, hrp, hci, hess_values); },
                 "nks_constrained_set_sparse_rows");
    std::vector<std::int64_t> decreasing = hrp;
    decreasing[3] = 1;
    expect_error("(d) a decreasing Hessian row_ptr", NKS_ERR_INVALID_ARGUMENT, "hessian",
                 [&] { solver.set_sparse_rows(N, jrp, jci, jac_values, decreasing, hci, hess_values); });
    expect_error("(d) index_base 2", NKS_ERR_INVALID_ARGUMENT, "index_base = 2",
                 [&] { solver.set_sparse_rows(N, jrp, jci, jac_values, hrp, hci, hess_values, 2); });
    expect_error("(d) an empty jacobian_values", NKS_ERR_NULL_POINTER, "jacobian_values", [&] {
        solver.set_sparse_rows(N, jrp, jci, nks::ConstrainedJacobianValues(), hrp, hci, hess_values);
    });
    expect_error("(d) refused sparse rows are not set", NKS_ERR_INVALID_STATE, "sparse rows",
                 [&] { solver.solve(x, lambda); });
    check(p.objectives == 0 && p.values == 0, "(d) no callable called by the refusals");
    expect_error("(d) point() after refusals only", NKS_ERR_INVALID_STATE, "", [&] { solver.point(); });

    solver.set_sparse_rows(N, jrp, jci, jac_values, hrp, hci, hess_values);
    check(solver.solve(x, lambda) == NKS_OK, "(d) a valid Kaczmarz solve");
    std::vector<double> small(N / 2, 0.0);
    expect_error("(d) point() into the wrong length", NKS_ERR_DIMENSION_MISMATCH, "",
                 [&] { solver.point(small.data(), small.size()); }, "nks_constrained_get_point");
    std::vector<double> point(N), wrong(M + 1);
    expect_error("(d) multipliers into the wrong length", NKS_ERR_DIMENSION_MISMATCH, "m = 3",
                 [&] { solver.point(point.data(), N, wrong.data(), wrong.size()); }, "nks_constrained_get_point");
    const std::size_t records = solver.report().records;
    expect_error("(d) record(k) with k = the number of records", NKS_ERR_INVALID_ARGUMENT, std::to_string(records),
                 [&] { solver.record(records); }, "nks_constrained_get_record");
    std::vector<double> bad(N, std::numeric_limits<double>::infinity());
    expect_error("(d) an infinite x", NKS_ERR_NON_FINITE, "", [&] { solver.solve(bad, lambda); });
    check(solver.point() == x && solver.multipliers() == lambda && solver.records().size() == records,
          "(d) a refused solve keeps the previous solve's point, multipliers and records");
    // set_oracles forgets the sparse rows.
    solver.set_oracles(M, objective, gradient, constraints, jv, jtw, hv);
    expect_error("(d) set_oracles forgets the sparse rows", NKS_ERR_INVALID_STATE, "sparse rows",
                 [&] { solver.solve(x, lambda); });
}

// (e) moves: the solver and its callables travel with the object; a moved-from one refuses.
void moves() {
    const std::vector<double> exact = solution();
    Problem p;
    nks::Constrained source;
    p.install(source);
    source.set_kkt_solver(nks::KktSolver::Minres).set_stationarity_tol(1e-9);
    nks::Constrained target(std::move(source));
    std::vector<double> x = start_point(), lambda(M, 0.0);
    check(!source && target && target.get_option("stationarity_tol") == 1e-9 && target.solve(x, lambda) == NKS_OK &&
              max_diff(x, exact) <= 1e-8 && p.objectives > 0,
          "(e) move construction takes the solver, its options and its oracles");
    expect_error("(e) a moved-from solver", NKS_ERR_NULL_POINTER, "nks::Constrained",
                 [&] { source.solve(x, lambda); });
    expect_error("(e) a moved-from solver's report", NKS_ERR_NULL_POINTER, "moved", [&] { source.report(); });
    expect_error("(e) a moved-from solver's point", NKS_ERR_NULL_POINTER, "moved", [&] { source.point(); });
    expect_error("(e) a moved-from solver's multipliers", NKS_ERR_NULL_POINTER, "moved",
                 [&] { source.multipliers(); });
    expect_error("(e) a moved-from solver's records", NKS_ERR_NULL_POINTER, "moved", [&] { source.records(); });
    expect_error("(e) a moved-from solver's set_option", NKS_ERR_NULL_POINTER, "moved",
                 [&] { source.set_option("eta1", 2.0); });

    nks::Constrained other;
    other = std::move(target);
    check(!target && other.point() == x && other.multipliers() == lambda,
          "(e) move assignment frees the old solver and takes the new one");
    source = nks::Constrained();
    expect_error("(e) a fresh solver assigned to a moved-from one has no oracles", NKS_ERR_INVALID_STATE, "",
                 [&] { source.solve(x, lambda); });
    nks::Constrained& self = other;
    other = std::move(self);
    std::vector<double> y = start_point(), l(M, 0.0);
    check(other && other.solve(y, l) == NKS_OK && max_diff(y, exact) <= 1e-8,
          "(e) self-move-assignment keeps the solver and its oracles");
    double tol = 0.0;
    check(other.capi() != nullptr && nks_constrained_get_option(other.capi(), "stationarity_tol", &tol) == NKS_OK &&
              tol == 1e-9,
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

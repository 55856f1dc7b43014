/**
 * The entropic optimal-transport wrapper of the C++ binding (bindings/cpp/nksolve.hpp):
 * `nks::Sinkhorn` (construction and options by name and typed, solves from point clouds and
 * dense costs through the vector and the pointer + leading-dimension overloads, the report,
 * the dense and sparse plans, moves) and the errors of all of these.
 *
 * Run by tests/bindings_cpp.rs against the shared and the static library. Prints one line per
 * check and a final "N passed, M failed"; exits non-zero when any check fails.
 *
 * The results are checked against facts computed here, independently of the library: the
 * plan's marginals are the histograms, `sum P .* C` is the reported transport cost, the plan is
 * `a_i b_j exp((f_i + g_j - C_ij) / eps)` of the returned potentials, and in 1D, where optimal
 * transport has a closed form (the monotone matching of the quantile functions), the entropic
 * cost at a small eps approaches the exact W_2^2 and W_1.
 */
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "check.hpp"
#include "nksolve.hpp"

namespace {

using nks_test::check;
using nks_test::expect_error;
using nks_test::run;

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

/// `v` in scientific notation, for the check descriptions.
std::string sci(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3e", v);
    return buf;
}

/// `|u - v| / |v|`.
double rel(double u, double v) { return std::fabs(u - v) / std::fabs(v); }

/// A 2D test problem: `n` source points (Halton 2, 3) and `m` target points (Halton 5, 7,
/// shifted by (0.25, 0.1)), non-uniform weights of total mass 1 each, and the dense squared
/// Euclidean cost (n x m column-major).
struct Problem {
    std::size_t n, m;
    std::vector<double> x, y, a, b, c;

    Problem(std::size_t n_, std::size_t m_) : n(n_), m(m_), x(2 * n_), y(2 * m_), a(n_), b(m_), c(n_ * m_) {
        double sa = 0.0, sb = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            x[2 * i] = halton(i + 1, 2);
            x[2 * i + 1] = halton(i + 1, 3);
            a[i] = 1.0 + static_cast<double>(i % 3);
            sa += a[i];
        }
        for (std::size_t j = 0; j < m; ++j) {
            y[2 * j] = halton(j + 1, 5) + 0.25;
            y[2 * j + 1] = halton(j + 1, 7) + 0.1;
            b[j] = 2.0 + static_cast<double>(j % 2);
            sb += b[j];
        }
        for (double& v : a) v /= sa;
        for (double& v : b) v /= sb;
        for (std::size_t j = 0; j < m; ++j) {
            for (std::size_t i = 0; i < n; ++i) {
                const double dx = x[2 * i] - y[2 * j], dy = x[2 * i + 1] - y[2 * j + 1];
                c[i + j * n] = dx * dx + dy * dy;
            }
        }
    }
};

/// The largest `|row sum - a_i|` and `|column sum - b_j|` of the `n x m` column-major plan `p`.
double marginal_gap(const std::vector<double>& p, const std::vector<double>& a, const std::vector<double>& b) {
    const std::size_t n = a.size(), m = b.size();
    double worst = 0.0;
    std::vector<double> rows(n, 0.0);
    for (std::size_t j = 0; j < m; ++j) {
        double col = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            col += p[i + j * n];
            rows[i] += p[i + j * n];
        }
        worst = std::max(worst, std::fabs(col - b[j]));
    }
    for (std::size_t i = 0; i < n; ++i) worst = std::max(worst, std::fabs(rows[i] - a[i]));
    return worst;
}

/// `sum P .* C`.
double dot(const std::vector<double>& p, const std::vector<double>& c) {
    double s = 0.0;
    for (std::size_t k = 0; k < p.size(); ++k) s += p[k] * c[k];
    return s;
}

/// The exact 1D optimal-transport cost `int_0^1 |F^-1(t) - G^-1(t)|^p dt` between two clouds
/// with uniform weights: the quantile functions are step functions, so the integral is a sum
/// over the merged breakpoints `k / n` and `l / m`.
double exact_1d(std::vector<double> x, std::vector<double> y, double p) {
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    const double n = static_cast<double>(x.size()), m = static_cast<double>(y.size());
    std::size_t k = 0, l = 0;
    double t = 0.0, total = 0.0;
    while (k < x.size() && l < y.size()) {
        const double next = std::min(static_cast<double>(k + 1) / n, static_cast<double>(l + 1) / m);
        total += (next - t) * std::pow(std::fabs(x[k] - y[l]), p);
        t = next;
        if (static_cast<double>(k + 1) / n <= next) ++k;
        if (static_cast<double>(l + 1) / m <= next) ++l;
    }
    return total;
}

// The report is the C struct, whose layout the other bindings copy: pin it on LP64 targets.
static_assert(sizeof(void*) != 8 || (offsetof(nks::SinkhornReport, status) == 0 &&
                                     offsetof(nks::SinkhornReport, termination) == 4 &&
                                     offsetof(nks::SinkhornReport, method) == 8 &&
                                     offsetof(nks::SinkhornReport, iterations) == 16 &&
                                     offsetof(nks::SinkhornReport, sinkhorn_iterations) == 24 &&
                                     offsetof(nks::SinkhornReport, newton_iterations) == 32 &&
                                     offsetof(nks::SinkhornReport, fallback_steps) == 40 &&
                                     offsetof(nks::SinkhornReport, cg_iterations) == 48 &&
                                     offsetof(nks::SinkhornReport, hessian_density) == 56 &&
                                     offsetof(nks::SinkhornReport, marginal_error) == 64 &&
                                     offsetof(nks::SinkhornReport, transport_cost) == 72 &&
                                     offsetof(nks::SinkhornReport, regularized_cost) == 80 &&
                                     offsetof(nks::SinkhornReport, eps) == 88 &&
                                     offsetof(nks::SinkhornReport, exact_lines) == 96 &&
                                     offsetof(nks::SinkhornReport, seconds) == 104 &&
                                     sizeof(nks::SinkhornReport) == 112),
              "nks_sinkhorn_report layout");

// (a) construction and options: defaults, by name and typed, and their errors.
void construction_and_options() {
    nks::Sinkhorn solver;
    check(solver.get_option("eps") == 0.01 && solver.get_option("tol") == 1e-9 &&
              solver.get_option("max_iterations") == 100000.0 && solver.get_option("method") == 0.0 &&
              solver.get_option("eps_scaling") == 0.0 && solver.get_option("use_initial_guess") == 0.0 &&
              solver.get_option("check_interval") == 1.0 && solver.get_option("hessian_density") == -1.0,
          "(a) defaults: eps 0.01, tol 1e-9, 100000 iterations, Sinkhorn, no scaling, from zero");
    const nks::SinkhornReport r = solver.report();
    check(nks::termination(r) == nks::Termination::NotStarted && r.iterations == 0,
          "(a) the report before any solve is not started");
    solver.set_eps(0.05)
        .set_tol(1e-7)
        .set_max_iterations(500)
        .set_method(nks::OtMethod::SNS)
        .set_eps_scaling(0.5)
        .set_use_initial_guess(true);
    check(solver.get_option("eps") == 0.05 && solver.get_option("tol") == 1e-7 &&
              solver.get_option("max_iterations") == 500.0 && solver.get_option("method") == 1.0 &&
              solver.get_option("eps_scaling") == 0.5 && solver.get_option("use_initial_guess") == 1.0,
          "(a) the typed setters write the options get_option reads");
    solver.set_option("newton_warmup", 5).set_option("hessian_mass", 0.99).set_option("cg_max_iterations", 50);
    check(solver.get_option("newton_warmup") == 5.0 && solver.get_option("hessian_mass") == 0.99 &&
              solver.get_option("cg_max_iterations") == 50.0,
          "(a) set_option / get_option round trip");

    expect_error("(a) an unknown option name", NKS_ERR_UNKNOWN_OPTION, "eps_scaling",
                 [&] { solver.set_option("epsilon", 0.1); }, "nks_sinkhorn_set_option");
    expect_error("(a) reading an unknown option", NKS_ERR_UNKNOWN_OPTION, "hessian_mass",
                 [&] { solver.get_option("lambda"); }, "nks_sinkhorn_get_option");
    expect_error("(a) eps = 0", NKS_ERR_INVALID_ARGUMENT, "eps", [&] { solver.set_eps(0.0); },
                 "nks_sinkhorn_set_option");
    check(solver.get_option("eps") == 0.05, "(a) a refused value keeps the previous one");
    expect_error("(a) tol = 1", NKS_ERR_INVALID_ARGUMENT, "tol", [&] { solver.set_tol(1.0); });
    expect_error("(a) method 2", NKS_ERR_INVALID_ARGUMENT, "method",
                 [&] { solver.set_method(static_cast<nks::OtMethod>(2)); });
    expect_error("(a) eps_scaling 1", NKS_ERR_INVALID_ARGUMENT, "eps_scaling", [&] { solver.set_eps_scaling(1.0); });
    expect_error("(a) max_iterations 0", NKS_ERR_INVALID_ARGUMENT, "max_iterations",
                 [&] { solver.set_max_iterations(0); });
    check(solver.get_option("method") == 1.0 && solver.get_option("max_iterations") == 500.0,
          "(a) refused values keep method and max_iterations");
}

// (b) solves and plans, checked against facts computed here.
void solves_and_plans() {
    const Problem pb(40, 30);
    const double eps = 0.02;
    nks::Sinkhorn solver;
    solver.set_eps(eps);
    std::vector<double> f(pb.n, 5.0), g(pb.m, 5.0);
    const nks_status s = solver.solve_points(2, pb.a, pb.b, pb.x, pb.y, 2.0, f, g);
    const nks::SinkhornReport r = solver.report();
    check(s == NKS_OK && r.status == NKS_OK && nks::termination(r) == nks::Termination::ConvergedAtol &&
              nks::method(r) == nks::OtMethod::Sinkhorn && r.marginal_error <= 1e-9 && r.eps == eps &&
              r.iterations > 0 && r.iterations == r.sinkhorn_iterations,
          "(b) the point-cloud solve converges in " + std::to_string(r.iterations) + " iterations, error " +
              sci(r.marginal_error));

    const std::vector<double> p = solver.plan_dense();
    check(p.size() == pb.n * pb.m, "(b) plan_dense() is n x m");
    const double gap = marginal_gap(p, pb.a, pb.b);
    check(gap <= 1e-8, "(b) the plan's row sums are a and its column sums b (largest gap " + sci(gap) + ")");
    const double pc = dot(p, pb.c);
    check(rel(pc, r.transport_cost) <= 1e-12,
          "(b) sum P .* C = " + sci(pc) + " is the reported transport cost " + sci(r.transport_cost));
    double kl = 0.0, worst_formula = 0.0;
    for (std::size_t j = 0; j < pb.m; ++j) {
        for (std::size_t i = 0; i < pb.n; ++i) {
            const double pij = p[i + j * pb.n], ab = pb.a[i] * pb.b[j];
            const double formula = ab * std::exp((f[i] + g[j] - pb.c[i + j * pb.n]) / eps);
            worst_formula = std::max(worst_formula, std::fabs(pij - formula) / std::max(formula, 1e-300));
            if (pij > 0.0) kl += pij * std::log(pij / ab) - pij + ab;
        }
    }
    check(worst_formula <= 1e-10, "(b) the plan is a_i b_j exp((f_i + g_j - C_ij) / eps) of the returned potentials (" +
                                      sci(worst_formula) + " relative)");
    check(rel(pc + eps * kl, r.regularized_cost) <= 1e-9,
          "(b) the regularized cost is <C, P> + eps KL(P | a b^T) = " + sci(pc + eps * kl));
    double dual = 0.0;
    for (std::size_t i = 0; i < pb.n; ++i) dual += pb.a[i] * f[i];
    for (std::size_t j = 0; j < pb.m; ++j) dual += pb.b[j] * g[j];
    check(rel(dual, r.regularized_cost) <= 1e-7, "(b) at the optimum <a, f> + <b, g> = " + sci(dual) +
                                                     " is the regularized cost " + sci(r.regularized_cost));

    // The sparse plan is the dense plan's entries >= the threshold, row-major.
    const double threshold = 1e-4;
    const nks::SparsePlan sp = solver.plan_sparse(threshold);
    std::size_t expected_nnz = 0;
    for (double v : p) expected_nnz += v >= threshold ? 1 : 0;
    bool same = sp.size() == expected_nnz && sp.rows.size() == sp.size() && sp.cols.size() == sp.size() &&
                solver.plan_nnz(threshold) == sp.size();
    for (std::size_t k = 0; same && k < sp.size(); ++k) {
        const auto i = static_cast<std::size_t>(sp.rows[k]), j = static_cast<std::size_t>(sp.cols[k]);
        same = i < pb.n && j < pb.m && sp.values[k] == p[i + j * pb.n] &&
               (k == 0 || sp.rows[k - 1] < sp.rows[k] || (sp.rows[k - 1] == sp.rows[k] && sp.cols[k - 1] < sp.cols[k]));
    }
    check(same && expected_nnz > 0 && expected_nnz < pb.n * pb.m,
          "(b) plan_sparse(1e-4) gives the " + std::to_string(expected_nnz) + " dense entries >= 1e-4, row-major");
    const nks::SparsePlan one = solver.plan_sparse(threshold, 1);
    bool shifted = one.size() == sp.size();
    for (std::size_t k = 0; shifted && k < sp.size(); ++k) {
        shifted = one.rows[k] == sp.rows[k] + 1 && one.cols[k] == sp.cols[k] + 1 && one.values[k] == sp.values[k];
    }
    check(shifted, "(b) plan_sparse with index_base 1 shifts the indices by one");
    check(solver.plan_sparse(0.0).size() <= pb.n * pb.m && solver.plan_sparse(1.0).size() == 0,
          "(b) thresholds 0 and 1 give at most n m and no entries");

    // Pointer + leading-dimension overloads: the same problem, padded, gives the same numbers.
    const std::size_t ldc = pb.n + 3, ldp = pb.n + 2, ld = 3;
    std::vector<double> cpad(ldc * pb.m, -1.0), xpad(ld * pb.n, 99.0), ypad(ld * pb.m, -99.0);
    for (std::size_t j = 0; j < pb.m; ++j) {
        for (std::size_t i = 0; i < pb.n; ++i) cpad[i + j * ldc] = pb.c[i + j * pb.n];
    }
    for (std::size_t i = 0; i < pb.n; ++i) std::copy(&pb.x[2 * i], &pb.x[2 * i] + 2, &xpad[ld * i]);
    for (std::size_t j = 0; j < pb.m; ++j) std::copy(&pb.y[2 * j], &pb.y[2 * j] + 2, &ypad[ld * j]);
    std::vector<double> f2(pb.n), g2(pb.m), ppad(ldp * pb.m, -7.0);
    check(solver.solve_dense(pb.n, pb.m, pb.a.data(), pb.b.data(), cpad.data(), ldc, f2.data(), g2.data()) == NKS_OK,
          "(b) the dense solve with ldc = n + 3 converges");
    const nks::SinkhornReport rd = solver.report();
    solver.plan_dense(pb.n, pb.m, ppad.data(), ldp);
    double worst_plan = 0.0;
    bool padding_kept = true;
    for (std::size_t j = 0; j < pb.m; ++j) {
        for (std::size_t i = 0; i < ldp; ++i) {
            if (i < pb.n) {
                worst_plan = std::max(worst_plan, std::fabs(ppad[i + j * ldp] - p[i + j * pb.n]));
            } else {
                padding_kept &= ppad[i + j * ldp] == -7.0;
            }
        }
    }
    check(rel(rd.transport_cost, r.transport_cost) <= 1e-12 && rd.iterations == r.iterations && worst_plan <= 1e-14,
          "(b) the dense cost gives the point-cloud solve's cost, iterations and plan (plan gap " + sci(worst_plan) +
              ")");
    check(padding_kept, "(b) plan_dense with ldp = n + 2 leaves the padding rows alone");
    std::vector<double> f3(pb.n), g3(pb.m);
    check(solver.solve_points(pb.n, pb.m, 2, pb.a.data(), pb.b.data(), xpad.data(), ld, ypad.data(), ld, 2.0,
                              f3.data(), g3.data()) == NKS_OK &&
              solver.report().transport_cost == r.transport_cost && f3 == f && g3 == g,
          "(b) solve_points with ldx = ldy = 3 gives the same potentials and cost");

    // Sinkhorn-Newton-Sparse reaches the same optimum in fewer iterations.
    solver.set_method(nks::OtMethod::SNS);
    std::vector<double> fs(pb.n), gs(pb.m);
    const nks_status ss = solver.solve_points(2, pb.a, pb.b, pb.x, pb.y, 2.0, fs, gs);
    const nks::SinkhornReport rs = solver.report();
    check(ss == NKS_OK && nks::method(rs) == nks::OtMethod::SNS && rs.newton_iterations > 0 &&
              rs.iterations < r.iterations && rel(rs.transport_cost, r.transport_cost) <= 1e-7 &&
              marginal_gap(solver.plan_dense(), pb.a, pb.b) <= 1e-8,
          "(b) SNS converges in " + std::to_string(rs.newton_iterations) + " Newton + " +
              std::to_string(rs.sinkhorn_iterations) + " Sinkhorn iterations to the same cost and marginals");

    // A warm start from the converged potentials needs (almost) no iterations.
    solver.set_method(nks::OtMethod::Sinkhorn).set_use_initial_guess(true);
    solver.solve_points(2, pb.a, pb.b, pb.x, pb.y, 2.0, f, g);
    check(solver.report().iterations <= 2, "(b) a warm start from the solution takes " +
                                               std::to_string(solver.report().iterations) + " iterations");

    // The iteration limit: a positive status, returned (not thrown), with usable potentials.
    solver.set_use_initial_guess(false).set_max_iterations(3);
    const nks_status capped = solver.solve_points(2, pb.a, pb.b, pb.x, pb.y, 2.0, f, g);
    const nks::SinkhornReport rc = solver.report();
    check(capped == NKS_MAX_ITERATIONS && rc.status == NKS_MAX_ITERATIONS &&
              nks::termination(rc) == nks::Termination::MaxIterations && rc.iterations == 3 &&
              rc.marginal_error > 1e-9 && std::isfinite(f[0]) && std::isfinite(g[0]),
          "(b) max_iterations 3 returns NKS_MAX_ITERATIONS with finite potentials");
}

// (c) errors: the status, the library's message and the failing C function; nothing written.
void errors() {
    const Problem pb(4, 3);
    nks::Sinkhorn solver;
    std::vector<double> f(pb.n, 7.0), g(pb.m, 7.0);

    expect_error("(c) plan_dense() before any solve", NKS_ERR_INVALID_STATE, "solve",
                 [&] { solver.plan_dense(); }, "nks_sinkhorn_plan_dense");
    expect_error("(c) plan_sparse before any solve", NKS_ERR_INVALID_STATE, "solve",
                 [&] { solver.plan_sparse(1e-3); }, "nks_sinkhorn_plan_nnz");

    std::vector<double> bad = pb.a;
    bad[2] = -0.1;
    expect_error("(c) a negative weight", NKS_ERR_INVALID_ARGUMENT, "a[2]",
                 [&] { solver.solve_dense(bad, pb.b, pb.c, f, g); }, "nks_sinkhorn_solve_dense");
    bad[2] = NAN;
    expect_error("(c) a NaN weight", NKS_ERR_NON_FINITE, "a[2]",
                 [&] { solver.solve_points(2, bad, pb.b, pb.x, pb.y, 2.0, f, g); }, "nks_sinkhorn_solve_points");
    std::vector<double> heavy = pb.b;
    heavy[0] += 0.5;
    expect_error("(c) unequal masses", NKS_ERR_INVALID_ARGUMENT, "masses",
                 [&] { solver.solve_dense(pb.a, heavy, pb.c, f, g); }, "nks_sinkhorn_solve_dense");
    std::vector<double> nan_c = pb.c;
    nan_c[5] = NAN;
    expect_error("(c) a NaN cost", NKS_ERR_NON_FINITE, "C", [&] { solver.solve_dense(pb.a, pb.b, nan_c, f, g); },
                 "nks_sinkhorn_solve_dense");
    std::vector<double> inf_x = pb.x;
    inf_x[3] = INFINITY;
    expect_error("(c) an infinite coordinate", NKS_ERR_NON_FINITE, "x",
                 [&] { solver.solve_points(2, pb.a, pb.b, inf_x, pb.y, 2.0, f, g); });
    expect_error("(c) p = 3", NKS_ERR_INVALID_ARGUMENT, "p = 3",
                 [&] { solver.solve_points(2, pb.a, pb.b, pb.x, pb.y, 3.0, f, g); }, "nks_sinkhorn_solve_points");
    expect_error("(c) ldc < n", NKS_ERR_INVALID_ARGUMENT, "ld = 3",
                 [&] { solver.solve_dense(pb.n, pb.m, pb.a.data(), pb.b.data(), pb.c.data(), 3, f.data(), g.data()); },
                 "nks_sinkhorn_solve_dense");
    expect_error("(c) a NULL cost", NKS_ERR_NULL_POINTER, "C",
                 [&] { solver.solve_dense(pb.n, pb.m, pb.a.data(), pb.b.data(), nullptr, pb.n, f.data(), g.data()); });
    std::vector<double> fg(pb.n + pb.m);
    expect_error("(c) overlapping f and g", NKS_ERR_INVALID_ARGUMENT, "overlap", [&] {
        solver.solve_dense(pb.n, pb.m, pb.a.data(), pb.b.data(), pb.c.data(), pb.n, fg.data(), fg.data() + 1);
    });
    // Checked by the binding before calling the library.
    std::vector<double> short_f(pb.n - 1);
    expect_error("(c) f shorter than a", NKS_ERR_DIMENSION_MISMATCH, "f has 3",
                 [&] { solver.solve_dense(pb.a, pb.b, pb.c, short_f, g); }, "");
    expect_error("(c) c of the wrong size", NKS_ERR_DIMENSION_MISMATCH, "c has 11", [&] {
        solver.solve_dense(pb.a, pb.b, std::vector<double>(pb.c.begin(), pb.c.end() - 1), f, g);
    });
    expect_error("(c) x of the wrong size", NKS_ERR_DIMENSION_MISMATCH, "x has 8",
                 [&] { solver.solve_points(3, pb.a, pb.b, pb.x, pb.y, 2.0, f, g); });
    expect_error("(c) d = 0", NKS_ERR_INVALID_ARGUMENT, "d = 0",
                 [&] { solver.solve_points(0, pb.a, pb.b, pb.x, pb.y, 2.0, f, g); });
    std::vector<double> none;
    expect_error("(c) an empty histogram", NKS_ERR_INVALID_ARGUMENT, "empty",
                 [&] { solver.solve_dense(none, pb.b, none, none, g); });
    check(f == std::vector<double>(pb.n, 7.0) && g == std::vector<double>(pb.m, 7.0),
          "(c) f and g untouched by the refused solves");
    expect_error("(c) still no plan after refused solves", NKS_ERR_INVALID_STATE, "solve",
                 [&] { solver.plan_nnz(1e-3); }, "nks_sinkhorn_plan_nnz");

    // After a solve: plan queries with bad arguments; a refused solve keeps the last problem.
    solver.solve_dense(pb.a, pb.b, pb.c, f, g);
    const std::vector<double> plan = solver.plan_dense();
    std::vector<double> out(pb.n * pb.m, -1.0);
    expect_error("(c) plan_dense with the wrong size", NKS_ERR_DIMENSION_MISMATCH, "4 x 3",
                 [&] { solver.plan_dense(pb.m, pb.n, out.data(), pb.m); }, "nks_sinkhorn_plan_dense");
    expect_error("(c) plan_dense with ldp < n", NKS_ERR_INVALID_ARGUMENT, "ld",
                 [&] { solver.plan_dense(pb.n, pb.m, out.data(), pb.n - 1); });
    check(out == std::vector<double>(pb.n * pb.m, -1.0), "(c) refused plan_dense calls write nothing");
    expect_error("(c) a negative threshold", NKS_ERR_INVALID_ARGUMENT, "threshold",
                 [&] { solver.plan_sparse(-1e-3); }, "nks_sinkhorn_plan_nnz");
    expect_error("(c) index_base 2", NKS_ERR_INVALID_ARGUMENT, "index_base",
                 [&] { solver.plan_sparse(1e-3, 2); }, "nks_sinkhorn_plan_sparse");
    const std::vector<double> kept_f = f;
    expect_error("(c) a refused solve after a solve", NKS_ERR_INVALID_ARGUMENT, "masses",
                 [&] { solver.solve_dense(pb.a, heavy, pb.c, f, g); });
    check(f == kept_f && solver.plan_dense() == plan &&
              nks::termination(solver.report()) == nks::Termination::ConvergedAtol,
          "(c) a refused solve keeps the potentials, the last plan and its report");
    solver.set_use_initial_guess(true);
    g[1] = NAN;
    expect_error("(c) a NaN initial guess", NKS_ERR_NON_FINITE, "g",
                 [&] { solver.solve_dense(pb.a, pb.b, pb.c, f, g); });
    check(f == kept_f, "(c) f untouched by the NaN initial guess");

    // what() carries the function, the status and the message.
    try {
        solver.set_option("epsilon", 1.0);
        check(false, "(c) what(): no exception");
    } catch (const nks::Error& e) {
        const std::string w = e.what();
        check(w.find("nks_sinkhorn_set_option") == 0 && w.find("NKS_ERR_UNKNOWN_OPTION") != std::string::npos &&
                  w.find("epsilon") != std::string::npos,
              "(c) what() reads \"" + w.substr(0, 80) + "...\"");
    }
}

// (d) 1D closed form: at small eps the entropic cost approaches the exact transport cost of the
// monotone (sorted) matching, for p = 2 (W_2^2) and p = 1 (W_1).
void one_dimensional_closed_form() {
    // Spread over [0, 2] and [0.3, 3.3] so that the cost of moving mass off the monotone matching
    // (~ 2 dx dy for neighbours dx, dy apart) is well above eps.
    const std::size_t n = 30, m = 20;
    std::vector<double> x(n), y(m);
    for (std::size_t i = 0; i < n; ++i) x[i] = 2.0 * halton(i + 1, 2);
    for (std::size_t j = 0; j < m; ++j) y[j] = 0.3 + 3.0 * halton(j + 1, 3) * halton(j + 1, 3);
    const std::vector<double> a(n, 1.0 / n), b(m, 1.0 / m);
    std::vector<double> f(n), g(m);
    for (const double p : {2.0, 1.0}) {
        const double exact = exact_1d(x, y, p);
        nks::Sinkhorn solver;
        // For p = 2, plain Sinkhorn at eps 1e-3 still has a marginal error of 1e-5 after 1e5
        // iterations here (as a textbook log-domain Sinkhorn in numpy does); SNS converges in a
        // few hundred. p = 1 runs the default Sinkhorn.
        solver.set_eps(1e-3).set_eps_scaling(0.5).set_method(p == 2.0 ? nks::OtMethod::SNS : nks::OtMethod::Sinkhorn);
        const nks_status s = solver.solve_points(1, a, b, x, y, p, f, g);
        const nks::SinkhornReport r = solver.report();
        const std::string label = p == 2.0 ? "W_2^2" : "W_1";
        check(s == NKS_OK && rel(r.transport_cost, exact) <= 1e-3,
              "(d) 1D, p = " + std::to_string(static_cast<int>(p)) + ": eps 1e-3 gives " + sci(r.transport_cost) +
                  ", the sorted matching's " + label + " is " + sci(exact) + " (" +
                  sci(rel(r.transport_cost, exact)) + " relative)");
        check(r.transport_cost >= exact * (1.0 - 1e-12),
              "(d) 1D, p = " + std::to_string(static_cast<int>(p)) +
                  ": the entropic plan costs no less than the optimum");
        check(marginal_gap(solver.plan_dense(), a, b) <= 1e-8,
              "(d) 1D, p = " + std::to_string(static_cast<int>(p)) + ": the plan's marginals are a and b");
    }
    // Equal sizes and weights: the optimal plan is the sorted matching itself, and at small eps
    // the largest entry of each row sits on the matched point.
    std::vector<double> u(n), v(n);
    for (std::size_t i = 0; i < n; ++i) {
        u[i] = 2.0 * halton(i + 1, 3);
        v[i] = 0.5 + 2.0 * halton(i + 1, 5);
    }
    const std::vector<double> w(n, 1.0 / n);
    std::vector<double> fu(n), gv(n);
    nks::Sinkhorn solver;
    solver.set_eps(1e-4).set_eps_scaling(0.5).set_method(nks::OtMethod::SNS);
    const nks_status su = solver.solve_points(1, w, w, u, v, 2.0, fu, gv);
    check(su == NKS_OK, "(d) 1D, n = m, eps 1e-4: converged in " + std::to_string(solver.report().iterations) +
                            " iterations");
    const nks::SparsePlan sp = solver.plan_sparse(0.5 / n);
    std::vector<std::size_t> iu(n), iv(n);
    for (std::size_t i = 0; i < n; ++i) iu[i] = iv[i] = i;
    std::sort(iu.begin(), iu.end(), [&](std::size_t p, std::size_t q) { return u[p] < u[q]; });
    std::sort(iv.begin(), iv.end(), [&](std::size_t p, std::size_t q) { return v[p] < v[q]; });
    std::vector<std::size_t> match(n);
    for (std::size_t k = 0; k < n; ++k) match[iu[k]] = iv[k];
    bool matched = sp.size() == n;
    for (std::size_t k = 0; matched && k < sp.size(); ++k) {
        matched = match[static_cast<std::size_t>(sp.rows[k])] == static_cast<std::size_t>(sp.cols[k]);
    }
    check(matched, "(d) 1D, n = m, eps 1e-4: the plan's entries >= 1/(2n) are the sorted matching (" +
                       std::to_string(sp.size()) + " entries)");
    check(rel(solver.report().transport_cost, exact_1d(u, v, 2.0)) <= 1e-6,
          "(d) 1D, n = m: the cost is the sorted matching's to 1e-6 (" +
              sci(rel(solver.report().transport_cost, exact_1d(u, v, 2.0))) + " relative)");
}

// (e) moves: the solver and its last problem travel with the object; a moved-from one refuses.
void moves() {
    const Problem pb(5, 4);
    nks::Sinkhorn source;
    std::vector<double> f(pb.n), g(pb.m);
    source.set_eps(0.05).solve_dense(pb.a, pb.b, pb.c, f, g);
    const std::vector<double> plan = source.plan_dense();
    nks::Sinkhorn target = std::move(source);
    check(!source && target && target.plan_dense() == plan && target.get_option("eps") == 0.05,
          "(e) move construction takes the solver, its options and its last problem");
    expect_error("(e) a moved-from solver", NKS_ERR_NULL_POINTER, "nks::Sinkhorn",
                 [&] { source.solve_dense(pb.a, pb.b, pb.c, f, g); });
    expect_error("(e) a moved-from solver's plan", NKS_ERR_NULL_POINTER, "moved", [&] { source.plan_dense(); });
    expect_error("(e) a moved-from solver's report", NKS_ERR_NULL_POINTER, "moved", [&] { source.report(); });

    nks::Sinkhorn other;
    other = std::move(target);
    check(!target && other.plan_dense() == plan, "(e) move assignment frees the old solver and takes the new one");
    source = nks::Sinkhorn();
    expect_error("(e) a fresh solver assigned to a moved-from one has no plan", NKS_ERR_INVALID_STATE, "solve",
                 [&] { source.plan_dense(); });
    nks::Sinkhorn& self = other;
    other = std::move(self);
    check(other && other.plan_dense() == plan, "(e) self-move-assignment keeps the solver");
    double eps = 0.0;
    check(other.capi() != nullptr && nks_sinkhorn_get_option(other.capi(), "eps", &eps) == NKS_OK && eps == 0.05,
          "(e) capi() gives the C handle");
}

}  // namespace

int main() {
    if (!nks_test::header_matches()) {
        return 2;
    }
    run("construction_and_options", construction_and_options);
    run("solves_and_plans", solves_and_plans);
    run("errors", errors);
    run("one_dimensional_closed_form", one_dimensional_closed_form);
    run("moves", moves);
    return nks_test::summary();
}

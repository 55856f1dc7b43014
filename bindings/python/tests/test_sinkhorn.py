"""Tests of the Python binding's entropic optimal transport (nksolve.Sinkhorn) that need nothing
but numpy: options, layouts of the cost and of the point clouds, the plan (dense and sparse),
warm starts, iteration caps, and the statuses and messages of bad input. The comparison with
an independent implementation (POT) is in test_sinkhorn_pot.py.

Run from the repository root:  python3 -m pytest -q bindings/python/tests
"""

import dataclasses
import math
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import nksolve  # noqa: E402
from nksolve import NKSolveError, OtMethod, Status, Termination  # noqa: E402


def clouds(seed, n=40, m=30, d=2):
    """Random weights (positive, normalised) and points (one per row) of two clouds."""
    rng = np.random.default_rng(seed)
    x, y = rng.random((n, d)), rng.random((m, d)) + 0.2
    a, b = rng.random(n) + 0.1, rng.random(m) + 0.1
    return a / a.sum(), b / b.sum(), x, y


def sq_dist(x, y):
    """|x_i - y_j|^2 as an (n, m) C-ordered array, coordinate by coordinate."""
    return sum((x[:, None, k] - y[None, :, k]) ** 2 for k in range(x.shape[1]))


def marginal_error(P, a, b):
    return np.abs(P.sum(axis=1) - a).sum() + np.abs(P.sum(axis=0) - b).sum()


# ---------------------------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------------------------

DEFAULTS = {
    "eps": 0.01, "tol": 1e-9, "max_iterations": 100000, "method": 0, "check_interval": 1,
    "eps_scaling": 0.0, "use_initial_guess": 0, "newton_warmup": 20, "hessian_density": -1.0,
    "hessian_mass": 1.0 - 1e-9, "cg_max_iterations": 500, "max_seconds": 0.0,
    "kernel_memory_mb": 1024.0,
}


def test_sinkhorn_defaults_and_round_trip():
    sk = nksolve.Sinkhorn()
    for name, value in DEFAULTS.items():
        assert sk.get_option(name) == value, name
        sk.set_option(name, sk.get_option(name))
    assert {name: sk.get_option(name) for name in DEFAULTS} == DEFAULTS
    assert sk.method == OtMethod.SINKHORN and sk.eps == 0.01
    assert sk.shape is None


def test_sinkhorn_options_by_keyword_and_name():
    sk = nksolve.Sinkhorn("sns", eps=0.2, tol=1e-11, newton_warmup=5, use_initial_guess=True)
    assert sk.method == OtMethod.SNS and sk.get_option("method") == 1.0
    assert sk.get_option("eps") == 0.2 and sk.get_option("tol") == 1e-11
    assert sk.get_option("newton_warmup") == 5.0 and sk.get_option("use_initial_guess") == 1.0
    sk.set_option("method", OtMethod.SINKHORN)
    assert sk.method == OtMethod.SINKHORN
    sk.set_option("method", "SNS")
    assert sk.method == OtMethod.SNS
    sk.set_option("method", 0)
    assert sk.method == OtMethod.SINKHORN
    assert nksolve.Sinkhorn(method=OtMethod.SNS).method == OtMethod.SNS
    assert "sinkhorn" in repr(nksolve.Sinkhorn())


def test_sinkhorn_unknown_option_and_bad_values():
    sk = nksolve.Sinkhorn()
    with pytest.raises(NKSolveError) as info:
        sk.set_option("epsilon", 0.1)
    assert info.value.status == Status.UNKNOWN_OPTION
    assert info.value.function == "nks_sinkhorn_set_option"
    assert "eps_scaling" in info.value.message and "hessian_mass" in info.value.message
    with pytest.raises(NKSolveError) as info:
        sk.get_option("epsilon")
    assert info.value.status == Status.UNKNOWN_OPTION
    with pytest.raises(NKSolveError) as info:
        nksolve.Sinkhorn(epsilon=0.1)
    assert info.value.status == Status.UNKNOWN_OPTION
    for name, value in [("eps", 0.0), ("eps", -1.0), ("eps", math.nan), ("tol", 1.0), ("method", 2),
                        ("eps_scaling", 1.0), ("hessian_density", 0.0), ("max_iterations", 0),
                        ("check_interval", 1.5), ("use_initial_guess", 2), ("max_seconds", -1.0)]:
        before = sk.get_option(name)
        with pytest.raises(NKSolveError) as info:
            sk.set_option(name, value)
        assert info.value.status == Status.INVALID_ARGUMENT, (name, value)
        assert name in info.value.message
        assert sk.get_option(name) == before  # the option keeps its value
    with pytest.raises(NKSolveError) as info:
        sk.set_option("method", "newton")
    assert info.value.status == Status.INVALID_ARGUMENT and "'sns'" in info.value.message
    with pytest.raises(NKSolveError) as info:
        sk.set_option("eps", "0.1")
    assert info.value.status == Status.INVALID_ARGUMENT


# ---------------------------------------------------------------------------------------------
# Solutions, reports and the plan
# ---------------------------------------------------------------------------------------------


def test_sinkhorn_two_points_plan_is_diagonal():
    sk = nksolve.Sinkhorn()
    C = np.array([[0.0, 1.0], [1.0, 0.0]])
    f, g = sk.solve_dense([0.5, 0.5], [0.5, 0.5], C)
    r = sk.report
    assert r.status == Status.OK and r.converged and r.termination == Termination.CONVERGED_ATOL
    assert r.method == OtMethod.SINKHORN and r.eps == 0.01
    assert r.transport_cost < 1e-40
    P = sk.plan_dense()
    assert np.allclose(P, [[0.5, 0.0], [0.0, 0.5]], atol=1e-12)
    assert f.shape == (2,) and g.shape == (2,)


@pytest.mark.parametrize("method", ["sinkhorn", "sns"])
def test_sinkhorn_report_plan_and_potentials_agree(method):
    a, b, x, y = clouds(3)
    C = sq_dist(x, y)
    eps = 0.05
    sk = nksolve.Sinkhorn(method, eps=eps, tol=1e-11, newton_warmup=3)
    f, g = sk.solve_dense(a, b, C)
    r = sk.report
    assert r.status == Status.OK and r.converged and r.method == OtMethod[method.upper()]
    assert r.iterations == r.sinkhorn_iterations + r.newton_iterations
    if method == "sns":
        assert r.newton_iterations > 0 and r.cg_iterations > 0 and 0 < r.hessian_density <= 1
    else:
        assert r.newton_iterations == 0 and r.cg_iterations == 0
    assert sk.shape == (40, 30)
    P = sk.plan_dense()
    assert P.shape == (40, 30) and P.dtype == np.float64
    # The plan is a_i b_j exp((f_i + g_j - C_ij) / eps).
    Q = np.outer(a, b) * np.exp((f[:, None] + g[None, :] - C) / eps)
    assert np.abs(P - Q).max() <= 1e-12 * P.max()
    assert marginal_error(P, a, b) <= 1e-11 + 1e-15
    assert math.isclose(marginal_error(P, a, b), r.marginal_error, rel_tol=1e-3, abs_tol=1e-15)
    assert math.isclose((C * P).sum(), r.transport_cost, rel_tol=1e-12)
    # At the optimum the entropic objective equals the dual value <a, f> + <b, g>.
    assert math.isclose(r.regularized_cost, a @ f + b @ g, rel_tol=1e-9)
    d = dataclasses.asdict(r)
    assert d["transport_cost"] == r.transport_cost and d["status"] == Status.OK


def test_sinkhorn_cost_layouts_give_identical_results():
    a, b, x, y = clouds(4)
    C = sq_dist(x, y)                                     # C order: copied to Fortran order
    sk = nksolve.Sinkhorn(eps=0.1)
    ref = sk.solve_dense(a, b, C)
    F = np.asfortranarray(C)                              # passed as it is, ld = n
    assert nksolve._column_major(F, "C", "test")[0] is F
    big = np.zeros((45, 33), order="F")
    big[2:42, 1:31] = C
    view = big[2:42, 1:31]                                # passed as it is, ld = 45
    t, ld = nksolve._column_major(view, "C", "test")
    assert t is view and ld == 45
    T = np.ascontiguousarray(C.T).T                       # the transpose of a C array: ld = n
    assert nksolve._column_major(T, "C", "test")[0] is T
    strided = np.asfortranarray(np.repeat(C, 2, axis=0))[::2]   # other strides: copied
    for cost in (F, view, T, strided, C.tolist()):
        f, g = sk.solve_dense(a, b, cost)
        assert np.array_equal(f, ref[0]) and np.array_equal(g, ref[1])
    assert np.array_equal(big[2:42, 1:31], C)            # the cost is never written


def test_sinkhorn_point_layouts_and_dense_agree():
    a, b, x, y = clouds(5, d=3)
    sk = nksolve.Sinkhorn(eps=0.1, tol=1e-12)
    f, g = sk.solve_points(a, b, x, y)                    # C-contiguous (n, d): no copy, ld = d
    t, d, ld = nksolve._points(x, "x", "test")
    assert np.shares_memory(t, x) and d == 3 and ld == 3
    cost = sk.report.transport_cost
    fd, gd = sk.solve_dense(a, b, sq_dist(x, y))
    assert np.allclose(f, fd, rtol=0, atol=1e-10) and np.allclose(g, gd, rtol=0, atol=1e-10)
    assert math.isclose(sk.report.transport_cost, cost, rel_tol=1e-10)
    # A view with adjacent coordinates passes with its leading dimension; others are copied.
    X = np.zeros((40, 5))
    X[:, 1:4] = x
    Y = np.asfortranarray(y)
    t, d, ld = nksolve._points(X[:, 1:4], "x", "test")
    assert np.shares_memory(t, X) and d == 3 and ld == 5
    f2, g2 = sk.solve_points(a, b, X[:, 1:4], Y)
    assert np.array_equal(f2, f) and np.array_equal(g2, g)
    # d = 1 from 1-D arrays, and p = 1.
    f1, g1 = sk.solve_points(a, b, x[:, 0], y[:, 0], p=1)
    f1d, g1d = sk.solve_dense(a, b, np.abs(x[:, 0, None] - y[None, :, 0]))
    assert np.allclose(f1, f1d, rtol=0, atol=1e-10) and np.allclose(g1, g1d, rtol=0, atol=1e-10)


def test_sinkhorn_plan_sparse_matches_dense():
    a, b, x, y = clouds(6)
    sk = nksolve.Sinkhorn(eps=0.02)
    sk.solve_points(a, b, x, y)
    P = sk.plan_dense()
    rows, cols, values = sk.plan_sparse()
    assert rows.dtype == np.int64 and cols.dtype == np.int64 and values.dtype == np.float64
    nz = np.count_nonzero(P)
    assert values.size == nz == sk.plan_nnz()
    dense = np.zeros_like(P)
    dense[rows, cols] = values
    assert np.array_equal(dense, P)
    threshold = 1e-3
    rows, cols, values = sk.plan_sparse(threshold)
    keep = P >= threshold
    assert values.size == keep.sum() == sk.plan_nnz(threshold) and 0 < values.size < nz
    assert rows.min() >= 0 and rows.max() < 40 and cols.min() >= 0 and cols.max() < 30  # 0-based
    assert np.array_equal(values, P[rows, cols]) and np.all(values >= threshold)
    order = rows * 30 + cols
    assert np.all(np.diff(order) > 0)                     # row-major order
    assert sk.plan_sparse(10.0)[2].size == 0
    with pytest.raises(NKSolveError) as info:
        sk.plan_sparse(-1.0)
    assert info.value.status == Status.INVALID_ARGUMENT and "threshold" in info.value.message


def test_sinkhorn_plan_dense_into_out():
    a, b, x, y = clouds(7)
    sk = nksolve.Sinkhorn(eps=0.05)
    sk.solve_points(a, b, x, y)
    P = sk.plan_dense()
    big = np.full((42, 31), -1.0, order="F")
    out = sk.plan_dense(big[1:41, :30])
    assert np.shares_memory(out, big) and np.array_equal(big[1:41, :30], P)
    assert np.all(big[0] == -1.0) and np.all(big[41] == -1.0) and np.all(big[:, 30] == -1.0)
    with pytest.raises(NKSolveError) as info:
        sk.plan_dense(np.zeros((30, 40), order="F"))
    assert info.value.status == Status.DIMENSION_MISMATCH
    with pytest.raises(TypeError):
        sk.plan_dense(np.zeros((40, 30)))                 # C order: the library writes columns


def test_sinkhorn_plan_before_any_solve():
    sk = nksolve.Sinkhorn()
    r = sk.report
    assert r.termination == Termination.NOT_STARTED and r.status == Status.OK and not r.converged
    for call in (sk.plan_dense, sk.plan_sparse, sk.plan_nnz):
        with pytest.raises(NKSolveError) as info:
            call()
        assert info.value.status == Status.INVALID_STATE
        assert "solve" in info.value.message


def test_sinkhorn_warm_start():
    a, b, x, y = clouds(8)
    sk = nksolve.Sinkhorn(eps=0.05, tol=1e-10)
    f, g = sk.solve_points(a, b, x, y)
    cold = sk.report.iterations
    with pytest.raises(NKSolveError) as info:
        sk.solve_points(a, b, x, y, f0=f, g0=g)
    assert info.value.status == Status.INVALID_ARGUMENT and "use_initial_guess" in info.value.message
    sk.set_option("use_initial_guess", True)
    with pytest.raises(NKSolveError) as info:
        sk.solve_points(a, b, x, y)
    assert info.value.status == Status.INVALID_ARGUMENT
    with pytest.raises(NKSolveError) as info:
        sk.solve_points(a, b, x, y, f0=f, g0=g[:-1])
    assert info.value.status == Status.DIMENSION_MISMATCH
    f0, g0 = f.copy(), g.copy()
    f2, g2 = sk.solve_points(a, b, x, y, f0=f, g0=g)
    assert np.array_equal(f, f0) and np.array_equal(g, g0)  # the guesses are not modified
    assert sk.report.converged and sk.report.iterations <= 1 < cold
    assert np.allclose(f2, f, atol=1e-9) and np.allclose(g2, g, atol=1e-9)
    with pytest.raises(NKSolveError) as info:
        sk.solve_points(a, b, x, y, f0=np.full(40, np.nan), g0=g)
    assert info.value.status == Status.NON_FINITE


def test_sinkhorn_iteration_cap_returns_the_last_potentials():
    a, b, x, y = clouds(9)
    sk = nksolve.Sinkhorn(eps=0.01, tol=1e-12, max_iterations=7)
    f, g = sk.solve_points(a, b, x, y)                    # does not raise
    r = sk.report
    assert r.status == Status.MAX_ITERATIONS and r.termination == Termination.MAX_ITERATIONS
    assert not r.converged and r.iterations == 7 and r.marginal_error > 1e-12
    assert np.all(np.isfinite(f)) and np.all(np.isfinite(g)) and np.any(f != 0)
    assert sk.plan_dense().shape == (40, 30)              # the plan of a capped solve is readable


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


def test_sinkhorn_bad_input_raises_and_keeps_the_last_problem():
    a, b, x, y = clouds(10)
    C = sq_dist(x, y)
    sk = nksolve.Sinkhorn(eps=0.1)
    sk.solve_dense(a, b, C)
    report, plan = sk.report, sk.plan_dense()

    def raises(status, call, *words):
        with pytest.raises(NKSolveError) as info:
            call()
        assert info.value.status == status, (info.value.status, info.value.message)
        for w in words:
            assert w in info.value.message, (w, info.value.message)
        return info.value

    negative = a.copy()
    negative[3], negative[4] = -0.01, negative[4] + 0.01
    e = raises(Status.INVALID_ARGUMENT, lambda: sk.solve_dense(negative, b, C), "a[3]", "negative")
    assert e.function == "nks_sinkhorn_solve_dense"
    raises(Status.INVALID_ARGUMENT, lambda: sk.solve_points(a, -b, x, y), "negative")
    raises(Status.INVALID_ARGUMENT, lambda: sk.solve_dense(a, 2 * b, C), "different masses")
    raises(Status.INVALID_ARGUMENT, lambda: sk.solve_points(a * 1.001, b, x, y), "different masses")
    raises(Status.INVALID_ARGUMENT, lambda: sk.solve_dense(np.zeros(40), np.zeros(30), C), "mass 0")
    bad = C.copy()
    bad[5, 7] = np.nan
    raises(Status.NON_FINITE, lambda: sk.solve_dense(a, b, bad))
    bad[5, 7] = np.inf
    raises(Status.NON_FINITE, lambda: sk.solve_dense(a, b, bad))
    xnan = x.copy()
    xnan[2, 1] = np.nan
    raises(Status.NON_FINITE, lambda: sk.solve_points(a, b, xnan, y))
    nan_a = a.copy()
    nan_a[0] = np.nan
    raises(Status.NON_FINITE, lambda: sk.solve_dense(nan_a, b, C), "a[0]")
    # Shapes.
    raises(Status.DIMENSION_MISMATCH, lambda: sk.solve_dense(a, b, C.T), "(40, 30)")
    raises(Status.DIMENSION_MISMATCH, lambda: sk.solve_dense(a[:-1], b, C))
    raises(Status.DIMENSION_MISMATCH, lambda: sk.solve_dense(a, b, C.ravel()))
    raises(Status.DIMENSION_MISMATCH, lambda: sk.solve_dense(a.reshape(4, 10), b, C), "one-dimensional")
    raises(Status.DIMENSION_MISMATCH, lambda: sk.solve_points(a, b, x, y[:, :1]), "dimension")
    raises(Status.DIMENSION_MISMATCH, lambda: sk.solve_points(a, b, x[:-1], y), "rows")
    raises(Status.DIMENSION_MISMATCH, lambda: sk.solve_points(a, b, x, y[:-1]), "rows")
    raises(Status.DIMENSION_MISMATCH, lambda: sk.solve_points(a, b, x[None], y), "(count, d)")
    raises(Status.INVALID_ARGUMENT, lambda: sk.solve_points(a, b, x, y, p=3), "p = 3")
    raises(Status.INVALID_ARGUMENT, lambda: sk.solve_points(a, b, x, y, p="2"))
    raises(Status.INVALID_ARGUMENT, lambda: sk.solve_points(a, b, np.zeros((40, 0)), np.zeros((30, 0))), "d = 0")
    # Nothing changed: the report, the kept problem and its plan are the first solve's.
    assert sk.report == report and sk.shape == (40, 30)
    assert np.array_equal(sk.plan_dense(), plan)


def test_sinkhorn_closed_handle():
    sk = nksolve.Sinkhorn()
    with sk:
        pass
    assert "closed" in repr(sk)
    with pytest.raises(ValueError):
        sk.solve_dense([1.0], [1.0], [[0.0]])
    with pytest.raises(ValueError):
        sk.get_option("eps")
    sk.close()  # idempotent

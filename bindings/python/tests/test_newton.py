"""Tests of the Python binding's unconstrained minimisation (nksolve.Newton): every method on the
extended Rosenbrock function and on convex quadratics (against numpy.linalg.solve), the
comparison with scipy.optimize.minimize(method="trust-ncg"), the oracle conventions (views,
NaN, CannotEvaluate, exceptions), the callback, limits, options and their messages.

Run from the repository root:  python3 -m pytest -q bindings/python/tests
"""

import dataclasses
import gc
import math
import os
import sys
import traceback

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import nksolve  # noqa: E402
from nksolve import CannotEvaluate, NewtonMethod, NKSolveError, Status, Termination  # noqa: E402

METHODS = list(NewtonMethod)


# ---------------------------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------------------------


class Rosenbrock:
    """Extended Rosenbrock (More, Garbow, Hillstrom problem 21), counting the oracle calls."""

    def __init__(self):
        self.calls = {"fun": 0, "jac": 0, "hessp": 0, "fun_and_jac": 0}

    @staticmethod
    def start(n):
        x = np.ones(n)
        x[0::2] = -1.2
        return x

    def fun(self, x):
        self.calls["fun"] += 1
        xo, xe = x[0::2], x[1::2]
        t, u = xe - xo * xo, 1.0 - xo
        return float(np.sum(100.0 * t * t + u * u))

    def jac(self, x):
        self.calls["jac"] += 1
        xo, xe = x[0::2], x[1::2]
        t = xe - xo * xo
        g = np.empty_like(x)
        g[0::2] = -400.0 * xo * t - 2.0 * (1.0 - xo)
        g[1::2] = 200.0 * t
        return g

    def hessp(self, x, v):
        self.calls["hessp"] += 1
        xo, xe, vo, ve = x[0::2], x[1::2], v[0::2], v[1::2]
        h11 = 1200.0 * xo * xo - 400.0 * xe + 2.0
        h12 = -400.0 * xo
        hv = np.empty_like(x)
        hv[0::2] = h11 * vo + h12 * ve
        hv[1::2] = h12 * vo + 200.0 * ve
        return hv

    def fun_and_jac(self, x):
        self.calls["fun_and_jac"] += 1
        self.calls["fun"] -= 1
        self.calls["jac"] -= 1
        return self.fun(x), self.jac(x)


class Quadratic:
    """f(x) = x^T A x / 2 - b^T x with A symmetric positive definite (condition ~ cond)."""

    def __init__(self, n=60, cond=1e3, seed=0):
        rng = np.random.default_rng(seed)
        Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        self.A = (Q * np.geomspace(1.0, cond, n)) @ Q.T
        self.A = (self.A + self.A.T) / 2
        self.b = rng.standard_normal(n)
        self.n = n

    def fun(self, x):
        return 0.5 * x @ (self.A @ x) - self.b @ x

    def jac(self, x):
        return self.A @ x - self.b

    def hessp(self, x, v):
        return self.A @ v

    def solution(self):
        return np.linalg.solve(self.A, self.b)


def rosenbrock_x0(n=1000):
    return Rosenbrock.start(n)


# ---------------------------------------------------------------------------------------------
# Every method
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.name.lower())
def test_newton_rosenbrock_every_method(method):
    p = Rosenbrock()
    x0 = rosenbrock_x0()
    nt = nksolve.Newton(method, gatol=1e-8)
    x, r = nt.minimize(x0, p.fun, p.jac, p.hessp)
    calls = dict(p.calls)
    assert r.status == Status.OK and r.converged and r.termination == Termination.CONVERGED_ATOL
    assert r.method == method and nt.method == method
    assert r.gradient_norm <= 1e-8 and np.abs(x - 1.0).max() <= 1e-6
    assert r.value <= 1e-12 and math.isclose(r.initial_value, p.fun(x0), rel_tol=1e-14)
    assert math.isclose(r.initial_gradient_norm, np.linalg.norm(p.jac(x0)), rel_tol=1e-12)
    # The report counts what the oracles saw.
    assert r.value_calls == calls["fun"] and r.gradient_calls == calls["jac"]
    assert r.hessian_vector_calls == calls["hessp"] > 0 and r.value_gradient_calls == 0
    assert 0 < r.accepted_steps <= r.iterations and r.failed_evaluations == 0
    assert r.preconditioner_calls == 0 and r.callback_code == 0 and r.seconds >= 0
    if method == NewtonMethod.LAZY:
        assert 0 < r.hessian_refreshes < r.iterations
    assert np.array_equal(nt.point(), x)
    assert np.array_equal(x0, rosenbrock_x0())  # x0 is not modified


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.name.lower())
@pytest.mark.parametrize("seed", [0, 1])
def test_newton_convex_quadratic_every_method(method, seed):
    q = Quadratic(seed=seed)
    xs = q.solution()
    x, r = nksolve.Newton(method, gatol=1e-10).minimize(np.zeros(q.n), q.fun, q.jac, q.hessp)
    assert r.converged and r.status == Status.OK
    assert np.abs(x - xs).max() <= 1e-8 * max(1.0, np.abs(xs).max())
    assert r.gradient_norm <= 1e-10


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.name.lower())
def test_newton_combined_oracle_only(method):
    p = Rosenbrock()
    x, r = nksolve.Newton(method).minimize(rosenbrock_x0(200), None, None, p.hessp, fun_and_jac=p.fun_and_jac)
    assert r.converged and np.abs(x - 1.0).max() <= 1e-6
    assert r.value_gradient_calls == p.calls["fun_and_jac"] > 0
    assert r.value_calls == 0 and r.gradient_calls == 0


# ---------------------------------------------------------------------------------------------
# Against scipy
# ---------------------------------------------------------------------------------------------


def test_newton_against_scipy_trust_ncg_rosenbrock():
    so = pytest.importorskip("scipy.optimize")
    p, x0 = Rosenbrock(), rosenbrock_x0()
    ref = so.minimize(p.fun, x0, jac=p.jac, hessp=p.hessp, method="trust-ncg", options={"gtol": 1e-8})
    assert ref.success, ref.message
    x, r = nksolve.Newton("trust_region", gatol=1e-8).minimize(x0, p.fun, p.jac, p.hessp)
    assert r.converged
    assert np.abs(x - ref.x).max() <= 1e-6
    ours = r.gradient_calls + r.value_gradient_calls + r.hessian_vector_calls
    assert ours <= ref.njev + ref.nhev, (ours, ref.njev, ref.nhev)


def test_newton_against_scipy_trust_ncg_quadratic():
    so = pytest.importorskip("scipy.optimize")
    q = Quadratic(n=200, cond=1e2, seed=3)
    x0 = np.zeros(q.n)
    # scipy's trust-ncg stops with "A bad approximation caused failure to predict improvement"
    # before gtol = 1e-8 here (its ratio test drowns in the rounding of f); 1e-6 it reaches.
    ref = so.minimize(q.fun, x0, jac=q.jac, hessp=q.hessp, method="trust-ncg", options={"gtol": 1e-6})
    assert ref.success, ref.message
    x, r = nksolve.Newton("trust_region", gatol=1e-8).minimize(x0, q.fun, q.jac, q.hessp)
    assert r.converged
    assert np.abs(x - ref.x).max() <= 1e-6
    assert np.abs(x - q.solution()).max() <= 1e-8 * max(1.0, np.abs(q.solution()).max())


# ---------------------------------------------------------------------------------------------
# Oracle conventions
# ---------------------------------------------------------------------------------------------


def test_newton_callbacks_get_read_only_views_not_copies():
    p = Rosenbrock()
    seen = []

    def check(a):
        assert isinstance(a, np.ndarray) and a.dtype == np.float64 and a.ndim == 1
        assert not a.flags.owndata and not a.flags.writeable
        with pytest.raises(ValueError):
            a[0] = 0.0
        seen.append(a.__array_interface__["data"][0])

    def fun(x):
        check(x)
        return p.fun(x)

    def hessp(x, v):
        check(x)
        check(v)
        return p.hessp(x, v)

    x0 = rosenbrock_x0(100)
    x, r = nksolve.Newton().minimize(x0, fun, p.jac, hessp)
    assert r.converged and len(seen) > 0
    # Views of the library's vectors, never of the caller's arrays.
    lo, hi = x0.ctypes.data, x0.ctypes.data + x0.nbytes
    assert not any(lo <= a < hi for a in seen)


def test_newton_oracles_may_return_lists_and_numpy_scalars():
    q = Quadratic(n=5)
    x, r = nksolve.Newton().minimize(
        [0.0] * 5, lambda x: np.float64(q.fun(x)), lambda x: q.jac(x).tolist(), lambda x, v: list(q.hessp(x, v)))
    assert r.converged and np.allclose(x, q.solution(), atol=1e-10)


@pytest.mark.parametrize("where", ["fun", "jac", "hessp", "fun_and_jac", "preconditioner"])
def test_newton_exception_in_an_oracle_propagates(where):
    p = Rosenbrock()

    class Boom(RuntimeError):
        pass

    def failing(f, after):
        count = [0]

        def oracle(*args):
            count[0] += 1
            if count[0] > after:
                raise Boom(f"{where} failed at call {count[0]}")
            return f(*args)

        return oracle

    fun, jac, hessp, fj, pc = p.fun, p.jac, p.hessp, None, None
    if where == "fun":
        fun = failing(fun, 3)
    elif where == "jac":
        jac = failing(jac, 3)
    elif where == "hessp":
        hessp = failing(hessp, 3)
    elif where == "fun_and_jac":
        fun, jac, fj = None, None, failing(p.fun_and_jac, 3)
    else:
        pc = failing(lambda x, r: r, 3)
    x0 = rosenbrock_x0(50)
    copy = x0.copy()
    nt = nksolve.Newton()
    with pytest.raises(Boom) as info:
        nt.minimize(x0, fun, jac, hessp, fun_and_jac=fj, preconditioner=pc)
    assert "call 4" in str(info.value)
    # The original traceback: its last frame is the line that raised, in the oracle.
    last = traceback.extract_tb(info.value.__traceback__)[-1]
    assert last.name == "oracle" and "raise Boom" in last.line
    assert isinstance(info.value.__context__, NKSolveError)
    assert info.value.__context__.status == Status.CALLBACK
    assert np.array_equal(x0, copy)
    r = nt.report
    assert r.status == Status.CALLBACK and r.termination == Termination.CALLBACK_FAILED
    assert r.callback_code == -1 and not r.converged
    # The last accepted point survives the failed solve.
    pt = nt.point()
    assert pt.shape == x0.shape and np.all(np.isfinite(pt)) and p.fun(pt) <= p.fun(x0)
    # The handle is usable again, and nothing is left over from the failure.
    x, r = nt.minimize(x0, p.fun, p.jac, p.hessp)
    assert r.converged


def test_newton_bad_oracle_results_raise():
    q = Quadratic(n=4)
    nt = nksolve.Newton()
    with pytest.raises(ValueError, match=r"jac callback returned an array of shape \(3,\)"):
        nt.minimize(np.zeros(4), q.fun, lambda x: q.jac(x)[:3], q.hessp)
    with pytest.raises(TypeError, match="hessp callback returned None"):
        nt.minimize(np.zeros(4), q.fun, q.jac, lambda x, v: None)
    with pytest.raises(ValueError, match="must return a scalar"):
        nt.minimize(np.zeros(4), lambda x: np.ones(2), q.jac, q.hessp)
    with pytest.raises(TypeError, match=r"pair \(f, g\)"):
        nt.minimize(np.zeros(4), None, None, q.hessp, fun_and_jac=lambda x: 1.0)
    with pytest.raises(TypeError, match="must be callable"):
        nt.minimize(np.zeros(4), q.fun, q.jac, "hessp")
    with pytest.raises(NKSolveError) as info:
        nt.minimize(np.zeros(4), q.fun, q.jac, None)
    assert info.value.status == Status.NULL_POINTER and "hessp" in info.value.message
    with pytest.raises(NKSolveError) as info:
        nt.minimize(np.zeros(4), None, q.jac, q.hessp)
    assert info.value.status == Status.NULL_POINTER and "fun" in info.value.message


def test_newton_cannot_evaluate_at_the_first_trial_point_still_converges():
    p = Rosenbrock()
    calls = [0]

    def fun(x):
        calls[0] += 1
        if calls[0] == 2:  # call 1 is the start, call 2 the first trial point
            raise CannotEvaluate("not here")
        return p.fun(x)

    x, r = nksolve.Newton().minimize(rosenbrock_x0(), fun, p.jac, p.hessp)
    assert r.converged and r.failed_evaluations >= 1
    assert np.abs(x - 1.0).max() <= 1e-6


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.name.lower())
def test_newton_nan_at_trial_points_still_converges(method):
    p = Rosenbrock()
    nans = [0]

    def fun(x):  # NaN (no exception) where x_1 < -1: "cannot evaluate here"
        if x[1] < -1.0:
            nans[0] += 1
            return math.nan
        return p.fun(x)

    x, r = nksolve.Newton(method, initial_radius=1000.0, regularization=1e-3, gamma=1e3).minimize(
        rosenbrock_x0(100), fun, p.jac, p.hessp)
    assert r.converged and np.abs(x - 1.0).max() <= 1e-6
    assert r.failed_evaluations == nans[0]
    if method != NewtonMethod.DAMPED:  # AICN's first steps are short enough to stay clear
        assert nans[0] > 0


def test_newton_refused_region_is_avoided_like_the_example():
    p = Rosenbrock()

    def fun(x):
        if x[1] < -1.0:
            raise CannotEvaluate
        return p.fun(x)

    x, r = nksolve.Newton(initial_radius=1000.0).minimize(rosenbrock_x0(), fun, p.jac, p.hessp)
    assert r.converged and r.failed_evaluations >= 1 and np.abs(x - 1.0).max() <= 1e-6


def test_newton_failure_at_the_starting_point_raises():
    q = Quadratic(n=3)

    def refuse(x):
        raise CannotEvaluate("outside the domain")

    nt = nksolve.Newton()
    with pytest.raises(NKSolveError) as info:
        nt.minimize(np.zeros(3), refuse, q.jac, q.hessp)
    assert info.value.status == Status.CALLBACK
    assert isinstance(info.value.__cause__, CannotEvaluate)
    assert nt.report.callback_code == 1 and nt.report.termination == Termination.CALLBACK_FAILED
    with pytest.raises(NKSolveError) as info:
        nt.minimize(np.zeros(3), lambda x: math.nan, q.jac, q.hessp)
    assert info.value.status == Status.NON_FINITE and "start" in info.value.message
    with pytest.raises(NKSolveError) as info:
        nt.minimize(np.array([0.0, math.inf, 0.0]), q.fun, q.jac, q.hessp)
    assert info.value.status == Status.NON_FINITE
    with pytest.raises(NKSolveError) as info:
        nt.minimize(np.zeros(0), q.fun, q.jac, q.hessp)
    assert info.value.status == Status.INVALID_ARGUMENT


@pytest.mark.parametrize("method", [m for m in METHODS if m != NewtonMethod.LAZY], ids=lambda m: m.name.lower())
def test_newton_preconditioner(method):
    # A tridiagonal SPD Hessian with a badly scaled diagonal (1 .. 1e4): Jacobi fixes it.
    rng = np.random.default_rng(5)
    n = 400
    d = np.geomspace(1.0, 1e4, n)
    rng.shuffle(d)
    off = 0.1 * np.ones(n - 1)

    def hessp(x, v):
        hv = d * v
        hv[:-1] += off * v[1:]
        hv[1:] += off * v[:-1]
        return hv

    b = rng.standard_normal(n)
    A = np.diag(d) + np.diag(off, 1) + np.diag(off, -1)
    xs = np.linalg.solve(A, b)

    def fun(x):
        return 0.5 * x @ hessp(x, x) - b @ x

    def jac(x):
        return hessp(x, x) - b

    _, plain = nksolve.Newton(method).minimize(np.zeros(n), fun, jac, hessp)
    seen = []

    def jacobi(x, r):
        seen.append(not r.flags.writeable and not x.flags.writeable)
        return r / d

    x, r = nksolve.Newton(method).minimize(np.zeros(n), fun, jac, hessp, preconditioner=jacobi)
    assert plain.converged and r.converged and plain.preconditioner_calls == 0
    assert r.preconditioner_calls == len(seen) > 0 and all(seen)
    assert 10 * r.cg_iterations < plain.cg_iterations
    assert np.abs(x - xs).max() <= 1e-8 * np.abs(xs).max()


# ---------------------------------------------------------------------------------------------
# The callback (monitor)
# ---------------------------------------------------------------------------------------------


def test_newton_callback_sees_every_iteration():
    p = Rosenbrock()
    reports, points = [], []

    def callback(x, report):
        assert not x.flags.writeable
        reports.append(report)
        points.append(x.copy())
        return None

    x, r = nksolve.Newton().minimize(rosenbrock_x0(100), p.fun, p.jac, p.hessp, callback=callback)
    assert r.converged and len(reports) == r.iterations
    assert all(rep.termination == Termination.NOT_STARTED and rep.status == Status.OK for rep in reports)
    assert [rep.iterations for rep in reports] == list(range(1, r.iterations + 1))
    assert np.array_equal(points[-1], x)


def test_newton_callback_returning_true_stops_with_aborted():
    p = Rosenbrock()
    points = []

    def callback(x, report):
        points.append(x.copy())
        return report.iterations >= 5

    x0 = rosenbrock_x0(100)
    nt = nksolve.Newton()
    with pytest.raises(NKSolveError) as info:
        nt.minimize(x0, p.fun, p.jac, p.hessp, callback=callback)
    assert info.value.status == Status.ABORTED and info.value.function == "nks_newton_solve"
    assert len(points) == 5
    r = nt.report
    assert r.status == Status.ABORTED and r.termination == Termination.MONITOR_STOP and r.iterations == 5
    assert np.array_equal(nt.point(), points[-1])  # the last accepted point is not lost
    assert np.array_equal(x0, rosenbrock_x0(100))


def test_newton_callback_exception_propagates():
    p = Rosenbrock()

    def callback(x, report):
        raise KeyError("from the callback")

    with pytest.raises(KeyError, match="from the callback") as info:
        nksolve.Newton().minimize(rosenbrock_x0(10), p.fun, p.jac, p.hessp, callback=callback)
    assert info.value.__context__.status == Status.ABORTED


def test_newton_keyboard_interrupt_propagates():
    p = Rosenbrock()

    def hessp(x, v):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        nksolve.Newton().minimize(rosenbrock_x0(10), p.fun, p.jac, hessp)


def test_newton_reentrant_use_from_an_oracle_is_refused():
    p = Rosenbrock()
    nt = nksolve.Newton()

    def fun(x):
        gc.collect()  # the trampolines of the solve in progress must stay alive
        nt.minimize(np.array(x), p.fun, p.jac, p.hessp)
        return p.fun(x)

    with pytest.raises(NKSolveError) as info:
        nt.minimize(rosenbrock_x0(10), fun, p.jac, p.hessp)
    assert info.value.status == Status.INVALID_STATE and "busy" in info.value.message
    x, r = nt.minimize(rosenbrock_x0(10), p.fun, p.jac, p.hessp)
    assert r.converged


def test_newton_trampolines_survive_garbage_collection():
    q = Quadratic(n=30, cond=1e2)

    def jac(x):
        gc.collect()
        return q.jac(x)

    nt = nksolve.Newton("line_search")
    x, r = nt.minimize(np.zeros(q.n), lambda x: q.fun(x), jac, lambda x, v: q.hessp(x, v),
                       callback=lambda x, rep: gc.collect() and False)
    assert r.converged and np.allclose(x, q.solution(), atol=1e-8)


# ---------------------------------------------------------------------------------------------
# Limits and other terminations
# ---------------------------------------------------------------------------------------------


def test_newton_limits_return_normally():
    p = Rosenbrock()
    nt = nksolve.Newton(max_iterations=3)
    x, r = nt.minimize(rosenbrock_x0(100), p.fun, p.jac, p.hessp)  # does not raise
    assert r.status == Status.MAX_ITERATIONS and r.termination == Termination.MAX_ITERATIONS
    assert not r.converged and r.iterations == 3 and np.array_equal(nt.point(), x)
    assert p.fun(x) == r.value < r.initial_value
    nt = nksolve.Newton(max_evaluations=20)
    x, r = nt.minimize(rosenbrock_x0(100), p.fun, p.jac, p.hessp)
    assert r.status == Status.MAX_ITERATIONS and r.termination == Termination.MAX_EVALUATIONS
    assert not r.converged


def test_newton_step_and_function_tolerances():
    p = Rosenbrock()
    x, r = nksolve.Newton(gatol=0.0, xtol=1e-4).minimize(rosenbrock_x0(100), p.fun, p.jac, p.hessp)
    assert r.converged and r.termination == Termination.CONVERGED_STEP and r.status == Status.OK
    x, r = nksolve.Newton(gatol=0.0, ftol=1e-6).minimize(rosenbrock_x0(100), p.fun, p.jac, p.hessp)
    assert r.converged and r.termination == Termination.CONVERGED_FTOL and r.status == Status.OK
    x, r = nksolve.Newton(gatol=0.0, grtol=1e-3).minimize(rosenbrock_x0(100), p.fun, p.jac, p.hessp)
    assert r.converged and r.termination == Termination.CONVERGED_RTOL
    assert r.gradient_norm <= 1e-3 * r.initial_gradient_norm


def test_newton_report_and_point_before_any_solve():
    nt = nksolve.Newton()
    r = nt.report
    assert r.termination == Termination.NOT_STARTED and r.status == Status.OK and not r.converged
    assert r.method == NewtonMethod.TRUST_REGION
    with pytest.raises(NKSolveError) as info:
        nt.point()
    assert info.value.status == Status.INVALID_STATE and "solve" in info.value.message
    d = dataclasses.asdict(r)
    assert d["termination"] == Termination.NOT_STARTED and "hessian_vector_calls" in d


def test_newton_refused_solve_keeps_the_previous_point():
    q = Quadratic(n=6)
    nt = nksolve.Newton()
    x, r = nt.minimize(np.zeros(6), q.fun, q.jac, q.hessp)
    with pytest.raises(NKSolveError) as info:
        nt.minimize(np.full(3, math.nan), q.fun, q.jac, q.hessp)
    assert info.value.status == Status.NON_FINITE
    assert np.array_equal(nt.point(), x) and nt.report == r


# ---------------------------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------------------------

DEFAULTS = {
    "method": 0, "gatol": 1e-8, "grtol": 0.0, "xtol": 0.0, "ftol": 0.0, "max_iterations": 1000,
    "max_evaluations": 0, "max_seconds": 0.0, "forcing": 0, "forcing_value": 0.1, "forcing_min": 1e-10,
    "cg_max_iterations": 0, "initial_radius": 1.0, "max_radius": 1e10, "line_search": 0, "c1": 1e-4,
    "c2": 0.9, "lazy_period": 5, "lazy_rank": 20, "lazy_regularization": 1, "regularization": 1.0,
    "lipschitz": 0.0, "gamma": 1.0,
}

OTHER_VALUES = {
    "method": 3, "gatol": 1e-6, "grtol": 1e-3, "xtol": 1e-9, "ftol": 1e-12, "max_iterations": 7,
    "max_evaluations": 100, "max_seconds": 2.5, "forcing": 2, "forcing_value": 0.25, "forcing_min": 1e-6,
    "cg_max_iterations": 50, "initial_radius": 3.0, "max_radius": 1e3, "line_search": 1, "c1": 1e-3,
    "c2": 0.5, "lazy_period": 2, "lazy_rank": 7, "lazy_regularization": 0, "regularization": 4.0,
    "lipschitz": 2.0, "gamma": 0.5,
}


def test_newton_option_defaults_and_round_trip():
    nt = nksolve.Newton()
    for name, value in DEFAULTS.items():
        assert nt.get_option(name) == value, name
        nt.set_option(name, nt.get_option(name))
    assert {name: nt.get_option(name) for name in DEFAULTS} == DEFAULTS
    for name, value in OTHER_VALUES.items():
        nt.set_option(name, value)
        assert nt.get_option(name) == value, name
    assert {name: nt.get_option(name) for name in OTHER_VALUES} == OTHER_VALUES
    again = nksolve.Newton(**OTHER_VALUES)  # keyword options, in order (c1 before c2)
    assert {name: again.get_option(name) for name in OTHER_VALUES} == OTHER_VALUES


def test_newton_method_by_name_enum_and_code():
    for m in NewtonMethod:
        assert nksolve.Newton(m.name.lower()).method == m
        assert nksolve.Newton(m).method == m
        assert nksolve.Newton(method=int(m)).method == m
    nt = nksolve.Newton()
    nt.set_option("method", "LAZY")
    assert nt.method == NewtonMethod.LAZY and nt.get_option("method") == 2.0
    assert "lazy" in repr(nt)
    with pytest.raises(NKSolveError) as info:
        nt.set_option("method", "newton")
    assert info.value.status == Status.INVALID_ARGUMENT and "'trust_region'" in info.value.message
    with pytest.raises(NKSolveError) as info:
        nt.set_option("method", 5)
    assert info.value.status == Status.INVALID_ARGUMENT and "method" in info.value.message
    assert nt.method == NewtonMethod.LAZY


def test_newton_unknown_option_and_bad_values():
    nt = nksolve.Newton()
    with pytest.raises(NKSolveError) as info:
        nt.set_option("tolerance", 1e-6)
    assert info.value.status == Status.UNKNOWN_OPTION and info.value.function == "nks_newton_set_option"
    assert "tolerance" in info.value.message
    assert "gatol" in info.value.message and "lazy_regularization" in info.value.message
    with pytest.raises(NKSolveError) as info:
        nt.get_option("tolerance")
    assert info.value.status == Status.UNKNOWN_OPTION and "tolerance" in info.value.message
    with pytest.raises(NKSolveError) as info:
        nksolve.Newton(gtol=1e-6)
    assert info.value.status == Status.UNKNOWN_OPTION and "gtol" in info.value.message
    for name, value in [("gatol", -1.0), ("gatol", math.nan), ("grtol", math.inf), ("max_iterations", 0),
                        ("max_iterations", 2.5), ("max_evaluations", -1), ("forcing", 3),
                        ("forcing_value", 1.0), ("forcing_min", 0.0), ("initial_radius", 0.0),
                        ("max_radius", -1.0), ("line_search", 2), ("c1", 0.5), ("c2", 1e-5),
                        ("lazy_period", 0), ("lazy_rank", 1001), ("lazy_regularization", 2),
                        ("regularization", 0.0), ("lipschitz", -1.0), ("gamma", 0.0), ("max_seconds", -1.0)]:
        before = nt.get_option(name)
        with pytest.raises(NKSolveError) as info:
            nt.set_option(name, value)
        assert info.value.status == Status.INVALID_ARGUMENT, (name, value)
        assert name in info.value.message, (name, info.value.message)
        assert nt.get_option(name) == before  # the option keeps its value
    with pytest.raises(NKSolveError) as info:
        nt.set_option("gatol", "1e-6")
    assert info.value.status == Status.INVALID_ARGUMENT and "gatol" in info.value.message
    with pytest.raises(NKSolveError) as info:
        nksolve.Newton(initial_radius=-2.0)
    assert info.value.status == Status.INVALID_ARGUMENT and "initial_radius" in info.value.message


def test_newton_close():
    nt = nksolve.Newton()
    nt.close()
    nt.close()
    assert "closed" in repr(nt)
    with pytest.raises(ValueError):
        nt.get_option("gatol")
    q = Quadratic(n=3)
    with nksolve.Newton() as nt2:
        x, r = nt2.minimize(np.zeros(3), q.fun, q.jac, q.hessp)
        assert r.converged
    with pytest.raises(ValueError):
        nt2.minimize(np.zeros(3), q.fun, q.jac, q.hessp)

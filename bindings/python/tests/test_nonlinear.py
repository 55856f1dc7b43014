"""Tests of the Python binding's nonlinear solvers (nksolve.Nonlinear): Jacobian-free
Newton-Krylov on the 2D Bratu problem against an independent sparse Newton iteration (exact
Jacobian, scipy.sparse.linalg.spsolve) and scipy.optimize.newton_krylov; Levenberg-Marquardt on
More-Garbow-Hillstrom least-squares problems against scipy.optimize.least_squares(method="lm")
and the published optimal sums of squares; the callback conventions (exceptions,
CannotEvaluate, NaN, the monitor, views), options and their messages, and time stepping with the
recycle space carried from one solve to the next.

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
import scipy.optimize
import scipy.sparse as sp
import scipy.sparse.linalg as spla

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import nksolve  # noqa: E402
from nksolve import CannotEvaluate, NKSolveError, NonlinearMethod, Status, Termination  # noqa: E402

# ---------------------------------------------------------------------------------------------
# Bratu: F(u) = mass (u - u_old) + 4u - sum(neighbours) - h^2 lambda e^u on an n x n interior
# grid, zero boundary, h = 1/(n+1) (the 5-point Laplacian scaled by h^2).
# ---------------------------------------------------------------------------------------------


def laplacian(side):
    """The 5-point matrix (4 on the diagonal, -1 for each neighbour), node p = i + side j."""
    t = sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(side, side))
    eye = sp.identity(side)
    return (sp.kron(eye, t) + sp.kron(t, eye)).tocsr()


class Bratu:
    def __init__(self, side=24, lam=6.0, mass=0.0):
        self.side, self.lam, self.mass = side, lam, mass
        self.h = 1.0 / (side + 1)
        self.source = self.h * self.h * lam
        self.A = laplacian(side)
        self.previous = np.zeros(side * side)
        self.calls = {"residual": 0, "jacobian_vector": 0, "preconditioner": 0}

    @property
    def n(self):
        return self.side * self.side

    def residual(self, u):
        self.calls["residual"] += 1
        return self.mass * (u - self.previous) + self.A @ u - self.source * np.exp(u)

    def jacobian_vector(self, u, v):
        self.calls["jacobian_vector"] += 1
        return self.mass * v + self.A @ v - self.source * np.exp(u) * v

    def jacobian(self, u):
        return (self.A + sp.diags(self.mass - self.source * np.exp(u))).tocsc()


def bratu_sparse_newton(p, tol=1e-13, max_iterations=50):
    """The independent reference: plain Newton with the exact sparse Jacobian and a direct
    solve (scipy.sparse.linalg.spsolve), to ||F|| < tol."""
    u = np.zeros(p.n)
    for _ in range(max_iterations):
        f = p.mass * (u - p.previous) + p.A @ u - p.source * np.exp(u)
        if np.linalg.norm(f) < tol:
            return u
        u = u - spla.spsolve(p.jacobian(u), f)
    raise AssertionError(f"the reference Newton iteration did not reach ||F|| < {tol}")


@pytest.fixture(scope="module")
def bratu_reference():
    return bratu_sparse_newton(Bratu())


def test_newton_krylov_bratu_matches_sparse_newton_and_scipy(bratu_reference):
    p = Bratu()
    nl = nksolve.Nonlinear(fatol=1e-12, frtol=0.0)
    assert nl.method == NonlinearMethod.NEWTON_KRYLOV
    x0 = np.zeros(p.n)
    u, r = nl.solve(x0, p.residual)  # J v by finite differences
    assert r.converged and r.status == Status.OK and r.termination == Termination.CONVERGED_ATOL
    assert np.array_equal(x0, np.zeros(p.n))  # x0 is never modified
    assert r.residual_norm <= 1e-12 and np.linalg.norm(p.residual(u)) <= 1e-12
    assert np.abs(u - bratu_reference).max() <= 1e-8
    # The lower-branch solution of lambda = 6: positive, largest at the centre.
    assert 0.5 < u.max() < 1.0 and u.min() > 0.0
    # The counters match what the Python oracles saw.
    assert r.residual_evaluations == p.calls["residual"] - 1
    assert r.fd_products > 0 and r.jacobian_vector_calls == 0 and r.inner_iterations > 0
    assert math.isnan(r.gradient_norm) and r.method == NonlinearMethod.NEWTON_KRYLOV

    # scipy's own Jacobian-free Newton-Krylov reaches the same solution.
    u_scipy = scipy.optimize.newton_krylov(lambda v: p.mass * (v - p.previous) + p.A @ v - p.source * np.exp(v),
                                           np.zeros(p.n), f_tol=1e-12)
    assert np.abs(u - u_scipy).max() <= 1e-8


def test_newton_krylov_bratu_exact_jacobian_vector(bratu_reference):
    p = Bratu()
    u, r = nksolve.Nonlinear(fatol=1e-12, frtol=0.0).solve(np.zeros(p.n), p.residual, p.jacobian_vector)
    assert r.converged and np.abs(u - bratu_reference).max() <= 1e-8
    assert r.fd_products == 0 and r.jacobian_vector_calls == p.calls["jacobian_vector"] > 0
    # Newton with exact products converges quadratically: a handful of steps.
    assert r.iterations <= 8


def test_newton_krylov_bratu_with_a_preconditioner(bratu_reference):
    p = Bratu()
    lu = spla.splu(p.A.tocsc())  # the Laplacian part of the Jacobian

    def preconditioner(u, r):
        p.calls["preconditioner"] += 1
        assert not u.flags.writeable and not r.flags.writeable
        return lu.solve(np.array(r))

    plain = nksolve.Nonlinear(fatol=1e-12, frtol=0.0).solve(np.zeros(p.n), p.residual)[1]
    u, r = nksolve.Nonlinear(fatol=1e-12, frtol=0.0).solve(np.zeros(p.n), p.residual, preconditioner=preconditioner)
    assert r.converged and np.abs(u - bratu_reference).max() <= 1e-8
    assert r.preconditioner_calls == p.calls["preconditioner"] > 0
    assert 3 * r.inner_iterations < plain.inner_iterations


def test_step_records():
    p = Bratu(side=16)
    nl = nksolve.Nonlinear()
    assert nl.steps() == []  # before any solve
    u, r = nl.solve(np.zeros(p.n), p.residual)
    steps = nl.steps()
    assert len(steps) == r.steps == r.iterations > 0
    assert all(isinstance(s, nksolve.NonlinearStep) for s in steps)
    assert steps[0].residual_norm == r.initial_residual_norm
    assert sum(s.inner_iterations for s in steps) == r.inner_iterations
    assert all(s.lm_parameter == 0.0 and 0.0 < s.step_length <= 1.0 for s in steps)
    assert all(0.0 < s.forcing < 1.0 and s.linear_residual <= s.forcing * (1 + 1e-12) for s in steps)
    # ||F|| decreases from step to step (backtracking on ||F||).
    norms = [s.residual_norm for s in steps] + [r.residual_norm]
    assert all(b < a for a, b in zip(norms, norms[1:]))
    assert dataclasses.asdict(steps[0])["inner_iterations"] == steps[0].inner_iterations


# ---------------------------------------------------------------------------------------------
# Levenberg-Marquardt on More-Garbow-Hillstrom least-squares problems (numpy residuals and
# analytic Jacobians; formulas and data as in src/problems/nonlinear.rs)
# ---------------------------------------------------------------------------------------------

BARD_Y = np.array([0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39])
KOWALIK_Y = np.array([0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246])
KOWALIK_U = np.array([4.0, 2.0, 1.0, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625])
OSBORNE_Y = np.array([
    0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784, 0.751, 0.718, 0.685, 0.658, 0.628, 0.603,
    0.580, 0.558, 0.538, 0.522, 0.506, 0.490, 0.478, 0.467, 0.457, 0.448, 0.438, 0.431, 0.424, 0.420, 0.414, 0.411,
    0.406,
])


def bard(x):
    u = np.arange(1.0, 16.0)
    v = 16.0 - u
    w = np.minimum(u, v)
    d = v * x[1] + w * x[2]
    f = BARD_Y - (x[0] + u / d)
    J = np.column_stack([-np.ones(15), u * v / d**2, u * w / d**2])
    return f, J


def kowalik_osborne(x):
    u = KOWALIK_U
    num = u * u + u * x[1]
    den = u * u + u * x[2] + x[3]
    f = KOWALIK_Y - x[0] * num / den
    J = np.column_stack([-num / den, -x[0] * u / den, x[0] * num * u / den**2, x[0] * num / den**2])
    return f, J


def box_3d(x):
    t = 0.1 * np.arange(1.0, 11.0)
    c = np.exp(-t) - np.exp(-10.0 * t)
    f = np.exp(-t * x[0]) - np.exp(-t * x[1]) - x[2] * c
    J = np.column_stack([-t * np.exp(-t * x[0]), t * np.exp(-t * x[1]), -c])
    return f, J


def osborne_1(x):
    t = 10.0 * np.arange(33.0)
    e3, e4 = np.exp(-t * x[3]), np.exp(-t * x[4])
    f = OSBORNE_Y - (x[0] + x[1] * e3 + x[2] * e4)
    J = np.column_stack([-np.ones(33), -e3, -e4, x[1] * t * e3, x[2] * t * e4])
    return f, J


# name: (function, standard start, published optimal sum of squares ||F(x*)||^2)
MGH = {
    "bard": (bard, [1.0, 1.0, 1.0], 8.21487e-3),
    "kowalik_osborne": (kowalik_osborne, [0.25, 0.39, 0.415, 0.39], 3.07505e-4),
    "box_3d": (box_3d, [0.0, 10.0, 20.0], 0.0),
    "osborne_1": (osborne_1, [0.5, 1.5, -1.0, 0.01, 0.02], 5.46489e-5),
}


class LeastSquares:
    """The oracles of one MGH problem, counting calls."""

    def __init__(self, fj):
        self.fj = fj
        self.calls = {"residual": 0, "jacobian_vector": 0, "jacobian_transpose": 0}

    def residual(self, x):
        self.calls["residual"] += 1
        return self.fj(x)[0]

    def jacobian_vector(self, x, v):
        self.calls["jacobian_vector"] += 1
        return self.fj(x)[1] @ v

    def jacobian_transpose(self, x, w):
        self.calls["jacobian_transpose"] += 1
        return self.fj(x)[1].T @ w


@pytest.mark.parametrize("name", list(MGH))
def test_mgh_jacobians_are_right(name):
    """The analytic Jacobians of this file against central differences (so that the comparison
    below tests the solvers, not a typo)."""
    fj, x0, _ = MGH[name]
    x = np.array(x0) + 0.1 * np.arange(1, len(x0) + 1)
    J = fj(x)[1]
    for k in range(len(x)):
        e = np.zeros(len(x))
        e[k] = 1e-6 * max(1.0, abs(x[k]))
        fd = (fj(x + e)[0] - fj(x - e)[0]) / (2 * e[k])
        assert np.allclose(J[:, k], fd, rtol=1e-6, atol=1e-8), (name, k)


@pytest.mark.parametrize("name", list(MGH))
def test_levenberg_marquardt_matches_scipy_least_squares(name):
    fj, x0, f_star = MGH[name]
    m = fj(np.array(x0))[0].size
    p = LeastSquares(fj)
    # ||J^T F|| <= 1e-9, or no decrease above rounding, stops at the nonzero-residual minima.
    lm = nksolve.Nonlinear("levenberg_marquardt", fatol=1e-12, frtol=0.0, gatol=1e-9, max_iterations=1000)
    x, r = lm.solve(x0, p.residual, p.jacobian_vector, p.jacobian_transpose, m=m)
    assert r.converged, r
    # A zero-residual problem may also stop as stationary (||J^T F|| <= gatol comes first);
    # the values below decide.
    stops = {Termination.CONVERGED_ATOL, Termination.CONVERGED_STATIONARY} if f_star == 0.0 else {Termination.CONVERGED_STATIONARY}
    assert r.termination in stops
    assert r.method == NonlinearMethod.LEVENBERG_MARQUARDT
    value = float(np.sum(fj(x)[0] ** 2))
    assert r.residual_norm == pytest.approx(math.sqrt(value), rel=1e-12, abs=1e-300)
    assert r.gradient_norm == pytest.approx(np.linalg.norm(fj(x)[1].T @ fj(x)[0]), rel=1e-6, abs=1e-14)

    ref = scipy.optimize.least_squares(lambda z: fj(z)[0], np.array(x0), jac=lambda z: fj(z)[1], method="lm",
                                       xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=10000)
    ref_value = float(np.sum(ref.fun ** 2))
    if f_star == 0.0:
        assert value <= 1e-20 and ref_value <= 1e-20
    else:
        assert value == pytest.approx(ref_value, rel=1e-6)
        # The published values have 6 significant digits.
        assert value == pytest.approx(f_star, rel=1e-5)
        # The same minimiser (these minima are isolated).
        assert np.allclose(x, ref.x, rtol=1e-4, atol=1e-6)
    # The counters match what the Python oracles saw; the steps carry the LM parameter.
    assert r.residual_evaluations == p.calls["residual"]
    assert r.jacobian_vector_calls == p.calls["jacobian_vector"]
    assert r.jacobian_transpose_calls == p.calls["jacobian_transpose"] > 0
    steps = lm.steps()
    assert len(steps) == r.steps and all(s.lm_parameter > 0.0 for s in steps)
    assert sum(1 for s in steps if s.step_length == 0.0) == r.rejected_steps


def test_levenberg_marquardt_exponential_fit_like_the_example():
    t = np.arange(20) / 4.0
    y = 2.5 * np.exp(-1.3 * t) + 0.5

    def fj(x):
        e = np.exp(-x[1] * t)
        return x[0] * e + x[2] - y, np.column_stack([e, -x[0] * t * e, np.ones_like(t)])

    p = LeastSquares(fj)
    x, r = nksolve.Nonlinear(NonlinearMethod.LEVENBERG_MARQUARDT).solve(
        [1.0, 1.0, 0.0], p.residual, p.jacobian_vector, p.jacobian_transpose, m=20)
    assert r.converged and np.allclose(x, [2.5, 1.3, 0.5], atol=1e-6)


def test_levenberg_marquardt_on_a_square_system():
    """m = None means m = n: Levenberg-Marquardt solves a square system too."""
    p = Bratu(side=8)
    nl = nksolve.Nonlinear("levenberg_marquardt", fatol=1e-12, frtol=0.0)
    u, r = nl.solve(np.zeros(p.n), p.residual, p.jacobian_vector, lambda u, w: p.jacobian(u).T @ w)
    assert r.converged and np.abs(u - bratu_sparse_newton(Bratu(side=8))).max() <= 1e-8


# ---------------------------------------------------------------------------------------------
# Input errors
# ---------------------------------------------------------------------------------------------


def test_levenberg_marquardt_without_the_transposed_product_raises():
    p = LeastSquares(bard)
    lm = nksolve.Nonlinear("levenberg_marquardt")
    with pytest.raises(NKSolveError) as info:
        lm.solve([1.0, 1.0, 1.0], p.residual, p.jacobian_vector, m=15)
    assert info.value.status == Status.INVALID_ARGUMENT and info.value.function == "nks_nonlinear_solve"
    assert "J^T w" in info.value.message
    assert p.calls["residual"] == 0  # refused before evaluating anything
    with pytest.raises(NKSolveError) as info:
        lm.point()
    assert info.value.status == Status.INVALID_STATE


def test_newton_krylov_with_m_other_than_n_raises():
    p = LeastSquares(bard)
    nl = nksolve.Nonlinear()
    with pytest.raises(NKSolveError) as info:
        nl.solve([1.0, 1.0, 1.0], p.residual, p.jacobian_vector, p.jacobian_transpose, m=15)
    assert info.value.status == Status.DIMENSION_MISMATCH
    assert "m = 15" in info.value.message and "n = 3" in info.value.message
    assert p.calls["residual"] == 0


def test_bad_inputs_raise():
    p = Bratu(side=4)
    nl = nksolve.Nonlinear()
    with pytest.raises(NKSolveError) as info:
        nl.solve(np.zeros(p.n), None)
    assert info.value.status == Status.NULL_POINTER and "residual" in info.value.message
    with pytest.raises(TypeError, match="must be callable"):
        nl.solve(np.zeros(p.n), p.residual, "jv")
    with pytest.raises(NKSolveError) as info:
        nl.solve([], p.residual)
    assert info.value.status == Status.INVALID_ARGUMENT
    with pytest.raises(NKSolveError) as info:
        nl.solve(np.zeros(p.n), p.residual, m=0)
    assert info.value.status == Status.INVALID_ARGUMENT and "m = 0" in info.value.message
    with pytest.raises(NKSolveError) as info:
        nl.solve(np.zeros(p.n), p.residual, m=-1)
    assert info.value.status == Status.INVALID_ARGUMENT
    x0 = np.zeros(p.n)
    x0[3] = np.nan
    with pytest.raises(NKSolveError) as info:
        nl.solve(x0, p.residual)
    assert info.value.status == Status.NON_FINITE
    with pytest.raises(NKSolveError) as info:
        nl.solve(np.zeros((2, 2)), p.residual)
    assert info.value.status == Status.DIMENSION_MISMATCH
    # A residual of the wrong length: the error says so, and hints at m=.
    with pytest.raises(ValueError, match=r"shape \(15,\); expected \(3,\).*m="):
        nl.solve([1.0, 1.0, 1.0], lambda x: bard(x)[0])
    with pytest.raises(TypeError, match="residual callback returned None"):
        nl.solve(np.zeros(p.n), lambda x: None)
    with pytest.raises(ValueError, match=r"jacobian_vector callback returned an array of shape \(3,\)"):
        nl.solve(np.zeros(p.n), p.residual, lambda u, v: v[:3])
    # Nothing of that broke the handle.
    u, r = nl.solve(np.zeros(p.n), p.residual)
    assert r.converged


# ---------------------------------------------------------------------------------------------
# Callbacks: exceptions, CannotEvaluate, NaN, the monitor
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["residual", "jacobian_vector", "jacobian_transpose", "preconditioner", "monitor"])
def test_exception_in_a_callback_propagates(where):
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

    if where == "jacobian_transpose":
        p = LeastSquares(osborne_1)
        method, x0, m = "levenberg_marquardt", np.array([0.5, 1.5, -1.0, 0.01, 0.02]), 33
        res, jv, jt, pc, mon = p.residual, p.jacobian_vector, failing(p.jacobian_transpose, 3), None, None
    else:
        p = Bratu(side=12)
        method, x0, m = "newton_krylov", np.zeros(p.n), None
        res, jv, jt, pc, mon = p.residual, p.jacobian_vector, None, None, None
        if where == "residual":
            res = failing(res, 3)
        elif where == "jacobian_vector":
            jv = failing(jv, 10)
        elif where == "preconditioner":
            pc = failing(lambda u, r: r, 10)
        else:
            mon = failing(lambda x, report: False, 1)
    nl = nksolve.Nonlinear(method)
    copy = x0.copy()
    with pytest.raises(Boom) as info:
        nl.solve(x0, res, jv, jt, preconditioner=pc, monitor=mon, m=m)
    assert "failed at call" in str(info.value)
    # The original traceback: its last frame is the line that raised, in the oracle.
    last = traceback.extract_tb(info.value.__traceback__)[-1]
    assert last.name == "oracle" and "raise Boom" in last.line
    assert isinstance(info.value.__context__, NKSolveError)
    expected = Status.ABORTED if where == "monitor" else Status.CALLBACK
    assert info.value.__context__.status == expected
    assert np.array_equal(x0, copy)
    r = nl.report
    assert r.status == expected and not r.converged
    if where == "monitor":
        assert r.termination == Termination.MONITOR_STOP
    else:
        assert r.termination == Termination.CALLBACK_FAILED and r.callback_code == -1
    # The last accepted point survives the failed solve.
    pt = nl.point()
    assert pt.shape == x0.shape and np.all(np.isfinite(pt))
    # The handle is usable again, and nothing is left over from the failure.
    if where == "jacobian_transpose":
        nl.set_option("gatol", 1e-9)
        nl.set_option("max_iterations", 1000)
        x, r = nl.solve(x0, p.residual, p.jacobian_vector, p.jacobian_transpose, m=m)
    else:
        x, r = nl.solve(x0, p.residual, p.jacobian_vector)
    assert r.converged


def test_keyboard_interrupt_propagates():
    p = Bratu(side=6)

    def residual(u):
        if p.calls["residual"] > 3:
            raise KeyboardInterrupt
        return p.residual(u)

    with pytest.raises(KeyboardInterrupt):
        nksolve.Nonlinear().solve(np.zeros(p.n), residual)


class Arctan:
    """F(x)_i = atan(x_i - c_i), solution x = c. From c + 1.5 the full Newton step
    x - (1 + (x - c)^2) atan(x - c) lands at c - 1.694: past the point where the residual refuses
    to evaluate (|x - c| > bound), so the solver must shorten it."""

    def __init__(self, n=10, bound=1.6, refuse_with="raise"):
        self.c = np.linspace(-1.0, 1.0, n)
        self.bound, self.refuse_with = bound, refuse_with
        self.refused = 0

    def residual(self, x):
        if np.max(np.abs(x - self.c)) > self.bound:
            self.refused += 1
            if self.refuse_with == "raise":
                raise CannotEvaluate(f"|x - c| = {np.max(np.abs(x - self.c))} > {self.bound}")
            return np.full(x.size, np.nan)
        return np.arctan(x - self.c)

    def jacobian_vector(self, x, v):
        return v / (1.0 + (x - self.c) ** 2)


@pytest.mark.parametrize("refuse_with", ["raise", "nan"])
@pytest.mark.parametrize("exact", [False, True], ids=["fd", "exact_jv"])
def test_cannot_evaluate_at_trial_points_is_recovered(refuse_with, exact):
    p = Arctan(refuse_with=refuse_with)
    x0 = p.c + 1.5
    # Without the refusal the full step really lands in the refused region.
    assert np.max(np.abs(x0 - (1 + 1.5**2) * np.arctan(1.5) - p.c)) > p.bound
    nl = nksolve.Nonlinear(fatol=1e-12, frtol=0.0)
    x, r = nl.solve(x0, p.residual, p.jacobian_vector if exact else None)
    assert r.converged and np.abs(x - p.c).max() <= 1e-10
    assert p.refused >= 1 and r.failed_evaluations == p.refused
    assert nl.steps()[0].step_length < 1.0  # the first step was shortened


def test_cannot_evaluate_at_the_start_raises_with_the_cause():
    p = Arctan()
    nl = nksolve.Nonlinear()
    with pytest.raises(NKSolveError) as info:
        nl.solve(p.c + 2.0, p.residual)
    assert info.value.status == Status.CALLBACK and "returned 1" in info.value.message
    assert isinstance(info.value.__cause__, CannotEvaluate)
    assert nl.report.termination == Termination.CALLBACK_FAILED
    assert np.array_equal(nl.point(), p.c + 2.0)


def test_cannot_evaluate_in_the_jacobian_product_stops_with_callback():
    p = Arctan()

    def jacobian_vector(x, v):
        raise CannotEvaluate("no J v here")

    nl = nksolve.Nonlinear()
    with pytest.raises(NKSolveError) as info:
        nl.solve(p.c + 0.5, p.residual, jacobian_vector)
    assert info.value.status == Status.CALLBACK
    assert isinstance(info.value.__cause__, CannotEvaluate)
    assert nl.report.callback_code == 1


def test_monitor_sees_every_step_and_can_stop():
    p = Bratu(side=12)
    reports, points = [], []

    def monitor(x, report):
        assert not x.flags.writeable
        reports.append(report)
        points.append(x.copy())
        return None

    nl = nksolve.Nonlinear()
    u, r = nl.solve(np.zeros(p.n), p.residual, monitor=monitor)
    assert r.converged and len(reports) == r.iterations
    assert all(rep.termination == Termination.NOT_STARTED and rep.status == Status.OK for rep in reports)
    assert [rep.iterations for rep in reports] == list(range(1, r.iterations + 1))
    assert np.array_equal(points[-1], u)

    points.clear()

    def stop(x, report):
        points.append(x.copy())
        return report.iterations >= 2

    with pytest.raises(NKSolveError) as info:
        nl.solve(np.zeros(p.n), p.residual, monitor=stop)
    assert info.value.status == Status.ABORTED and info.value.function == "nks_nonlinear_solve"
    r = nl.report
    assert r.status == Status.ABORTED and r.termination == Termination.MONITOR_STOP and r.iterations == 2
    assert len(points) == 2 and np.array_equal(nl.point(), points[-1])


def test_callbacks_get_read_only_views_not_copies():
    p = Bratu(side=6)
    seen = []

    def residual(u):
        assert not u.flags.writeable and not u.flags.owndata
        with pytest.raises(ValueError):
            u[0] = 1.0
        seen.append(u)  # a view: valid only during the call
        return list(p.residual(u))  # a list is accepted

    u, r = nksolve.Nonlinear().solve(np.zeros(p.n), residual)
    assert r.converged and len(seen) == r.residual_evaluations


def test_reentrant_use_from_a_callback_is_refused():
    p = Bratu(side=6)
    nl = nksolve.Nonlinear()

    def residual(u):
        gc.collect()  # the trampolines of the solve in progress must stay alive
        nl.solve(np.array(u), p.residual)
        return p.residual(u)

    with pytest.raises(NKSolveError) as info:
        nl.solve(np.zeros(p.n), residual)
    assert info.value.status == Status.INVALID_STATE and "busy" in info.value.message
    u, r = nl.solve(np.zeros(p.n), p.residual)
    assert r.converged


def test_limits_return_normally():
    p = Bratu()
    nl = nksolve.Nonlinear(max_iterations=2)
    u, r = nl.solve(np.zeros(p.n), p.residual)
    assert r.status == Status.MAX_ITERATIONS and r.termination == Termination.MAX_ITERATIONS
    assert not r.converged and r.iterations == 2 and np.array_equal(u, nl.point())
    nl = nksolve.Nonlinear(max_evaluations=5)
    u, r = nl.solve(np.zeros(p.n), p.residual)
    assert r.status == Status.MAX_ITERATIONS and r.termination == Termination.MAX_EVALUATIONS


# ---------------------------------------------------------------------------------------------
# Time stepping: one object, the recycle space carried from one solve to the next
# ---------------------------------------------------------------------------------------------


def time_stepping(nl, side=24, steps=6, dt=0.1):
    p = Bratu(side=side)
    p.mass = p.h * p.h / dt
    u = np.zeros(p.n)
    records, reports = [], []
    for _ in range(steps):
        p.previous = u.copy()
        u, r = nl.solve(u, p.residual)
        assert r.converged
        reports.append(r)
        records.append(nl.steps())
    return u, reports, records


def test_time_stepping_recycles_across_solves():
    nl = nksolve.Nonlinear()
    assert nl.get_option("krylov_method") == 3 and nl.get_option("keep_recycle_space") == 1
    u, reports, records = time_stepping(nl)
    assert records[0][0].recycled_vectors == 0  # nothing to recycle yet
    for later in records[1:]:
        assert later[0].recycled_vectors > 0  # the first Newton step starts from the last solve's space
        assert all(s.recycled_vectors > 0 for s in later)
    assert reports[-1].recycled_vectors == nl.get_option("recycle_dim")

    gmres = nksolve.Nonlinear(krylov_method=1)
    u_gmres, gmres_reports, gmres_records = time_stepping(gmres)
    assert all(s.recycled_vectors == 0 for steps in gmres_records for s in steps)
    assert gmres_reports[-1].recycled_vectors == 0
    krylov = sum(r.inner_iterations for r in reports)
    krylov_gmres = sum(r.inner_iterations for r in gmres_reports)
    assert krylov < krylov_gmres
    assert sum(r.inner_iterations for r in reports[1:]) < sum(r.inner_iterations for r in gmres_reports[1:])
    # Both reach the same state.
    assert np.abs(u - u_gmres).max() <= 1e-7

    # clear_recycle_space forgets it: the next solve starts without.
    nl.clear_recycle_space()
    assert nl.report.recycled_vectors == 0
    p = Bratu(side=24)
    nl.solve(np.zeros(p.n), p.residual)
    assert nl.steps()[0].recycled_vectors == 0


def test_keep_recycle_space_off_starts_every_solve_afresh():
    nl = nksolve.Nonlinear(keep_recycle_space=False)
    _, _, records = time_stepping(nl, steps=3)
    assert all(steps[0].recycled_vectors == 0 for steps in records)
    assert nl.get_option("keep_recycle_space") == 0


# ---------------------------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------------------------

DEFAULTS = {
    "method": 0.0, "fatol": 1e-10, "frtol": 1e-8, "gatol": 1e-10, "xtol": 0.0, "max_iterations": 100.0,
    "max_evaluations": 0.0, "max_seconds": 0.0, "forcing": 0.0, "forcing_value": 0.1, "forcing_min": 1e-10,
    "c1": 1e-4, "line_search": 0.0, "krylov_method": 3.0, "restart": 30.0, "recycle_dim": 10.0,
    "keep_recycle_space": 1.0, "inner_max_iterations": 1000.0, "fd_error": math.sqrt(np.finfo(float).eps),
    "lm_xi": 1.0, "lm_omega": 0.0, "lm_eta": 1.0,
}
OTHER_VALUES = {
    "method": 1.0, "fatol": 1e-6, "frtol": 1e-3, "gatol": 1e-7, "xtol": 1e-9, "max_iterations": 7.0,
    "max_evaluations": 100.0, "max_seconds": 2.5, "forcing": 2.0, "forcing_value": 0.25, "forcing_min": 1e-6,
    "c1": 1e-3, "line_search": 1.0, "krylov_method": 1.0, "restart": 20.0, "recycle_dim": 5.0,
    "keep_recycle_space": 0.0, "inner_max_iterations": 50.0, "fd_error": 1e-7, "lm_xi": 2.0, "lm_omega": 0.5,
    "lm_eta": 2.0,
}


def test_option_defaults_and_round_trip():
    nl = nksolve.Nonlinear()
    for name, value in DEFAULTS.items():
        assert nl.get_option(name) == value, name
        nl.set_option(name, nl.get_option(name))
    assert {name: nl.get_option(name) for name in DEFAULTS} == DEFAULTS
    for name, value in OTHER_VALUES.items():
        nl.set_option(name, value)
        assert nl.get_option(name) == value, name
    assert {name: nl.get_option(name) for name in OTHER_VALUES} == OTHER_VALUES
    again = nksolve.Nonlinear(**OTHER_VALUES)
    assert {name: again.get_option(name) for name in OTHER_VALUES} == OTHER_VALUES


def test_method_by_name_enum_and_code():
    for m in NonlinearMethod:
        assert nksolve.Nonlinear(m.name.lower()).method == m
        assert nksolve.Nonlinear(m).method == m
        assert nksolve.Nonlinear(method=int(m)).method == m
    nl = nksolve.Nonlinear()
    nl.set_option("method", "Levenberg_Marquardt")
    assert nl.method == NonlinearMethod.LEVENBERG_MARQUARDT and nl.get_option("method") == 1.0
    assert "levenberg_marquardt" in repr(nl)
    with pytest.raises(NKSolveError) as info:
        nl.set_option("method", "newton")
    assert info.value.status == Status.INVALID_ARGUMENT and "'newton_krylov'" in info.value.message
    with pytest.raises(NKSolveError) as info:
        nl.set_option("method", 2)
    assert info.value.status == Status.INVALID_ARGUMENT and "method" in info.value.message
    assert nl.method == NonlinearMethod.LEVENBERG_MARQUARDT


def test_unknown_option_and_bad_values():
    nl = nksolve.Nonlinear()
    with pytest.raises(NKSolveError) as info:
        nl.set_option("tolerance", 1e-6)
    assert info.value.status == Status.UNKNOWN_OPTION and info.value.function == "nks_nonlinear_set_option"
    assert "tolerance" in info.value.message
    assert "fatol" in info.value.message and "keep_recycle_space" in info.value.message
    with pytest.raises(NKSolveError) as info:
        nl.get_option("tolerance")
    assert info.value.status == Status.UNKNOWN_OPTION and "tolerance" in info.value.message
    with pytest.raises(NKSolveError) as info:
        nksolve.Nonlinear(ftol=1e-6)
    assert info.value.status == Status.UNKNOWN_OPTION and "ftol" in info.value.message
    for name, value in [("fatol", -1.0), ("frtol", math.nan), ("gatol", math.inf), ("xtol", -1e-9),
                        ("max_iterations", 0), ("max_iterations", 2.5), ("max_evaluations", -1),
                        ("max_seconds", -1.0), ("forcing", 3), ("forcing_value", 1.0), ("forcing_min", 0.0),
                        ("c1", 0.5), ("line_search", 2), ("krylov_method", 2), ("restart", 1),
                        ("recycle_dim", -1), ("keep_recycle_space", 2), ("inner_max_iterations", 0),
                        ("fd_error", 1.0), ("lm_xi", 0.0), ("lm_omega", -1.0), ("lm_eta", 2.5)]:
        before = nl.get_option(name)
        with pytest.raises(NKSolveError) as info:
            nl.set_option(name, value)
        assert info.value.status == Status.INVALID_ARGUMENT, (name, value)
        assert name in info.value.message, (name, info.value.message)
        assert nl.get_option(name) == before  # the option keeps its value
    with pytest.raises(NKSolveError) as info:
        nl.set_option("fatol", "1e-6")
    assert info.value.status == Status.INVALID_ARGUMENT and "fatol" in info.value.message
    with pytest.raises(NKSolveError) as info:
        nksolve.Nonlinear(restart=1)
    assert info.value.status == Status.INVALID_ARGUMENT and "restart" in info.value.message


def test_report_and_point_before_any_solve_and_close():
    nl = nksolve.Nonlinear()
    r = nl.report
    assert r.termination == Termination.NOT_STARTED and r.iterations == 0 and not r.converged
    with pytest.raises(NKSolveError) as info:
        nl.point()
    assert info.value.status == Status.INVALID_STATE
    nl.clear_recycle_space()  # harmless with nothing to clear
    nl.close()
    nl.close()
    assert "closed" in repr(nl)
    with pytest.raises(ValueError):
        nl.get_option("fatol")
    p = Bratu(side=4)
    with nksolve.Nonlinear() as nl2:
        u, r = nl2.solve(np.zeros(p.n), p.residual)
        assert r.converged
    with pytest.raises(ValueError):
        nl2.solve(np.zeros(p.n), p.residual)

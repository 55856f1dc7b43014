"""Tests of the Python binding's equality-constrained solver (nksolve.Constrained,
AdaSketch-Newton) against independent references: random equality-constrained QPs against
numpy.linalg.solve of their KKT system, for each inner solver (Gaussian sketch, Kaczmarz on the
sparse rows, MINRES); Hock-Schittkowski problems (written here in Python from the collection's
formulas, from its standard starts) against scipy.optimize.minimize(method="trust-constr") and
the published optimal values; the oracle conventions (exceptions, CannotEvaluate, NaN at trial
points, the monitor, read-only views), options and their messages, the report's counters and
KKT history, and determinism of the randomized inner solvers.

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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import nksolve  # noqa: E402
from nksolve import CannotEvaluate, ConstrainedRecord, KktSolver, NKSolveError, Status, Termination  # noqa: E402

SOLVERS = [KktSolver.GAUSSIAN_SKETCH, KktSolver.KACZMARZ, KktSolver.MINRES]
SOLVER_IDS = [s.name.lower() for s in SOLVERS]


def dense_pattern(rows, cols):
    """The CSR pattern of a dense rows x cols matrix (values in row-major order)."""
    return np.arange(0, rows * cols + 1, cols), np.tile(np.arange(cols), rows)


class Problem:
    """``min f(x) s.t. c(x) = 0`` from dense derivatives: ``jac(x)`` (m x n) and the Hessian of
    the Lagrangian ``hess(x, lam)`` (n x n). The product oracles reuse the matrices while the
    solver stays at one point (the inner solvers call them many times there), and every oracle
    call is counted."""

    def __init__(self, n, m, f, grad, c, jac, hess):
        self.n, self.m = n, m
        self._f, self._grad, self._c, self._jac, self._hess = f, grad, c, jac, hess
        self.calls = dict.fromkeys(["objective", "gradient", "constraints", "jacobian_vector",
                                    "jacobian_transpose", "hessian_vector", "jacobian_values",
                                    "hessian_values", "preconditioner"], 0)
        self._j = (None, None)
        self._h = (None, None)

    def J(self, x):
        key = x.tobytes()
        if self._j[0] != key:
            self._j = (key, np.asarray(self._jac(x), dtype=float).reshape(self.m, self.n))
        return self._j[1]

    def H(self, x, lam):
        key = x.tobytes() + lam.tobytes()
        if self._h[0] != key:
            self._h = (key, np.asarray(self._hess(x, lam), dtype=float).reshape(self.n, self.n))
        return self._h[1]

    # The oracles, as nksolve.Constrained calls them.
    def objective(self, x):
        self.calls["objective"] += 1
        return self._f(x)

    def gradient(self, x):
        self.calls["gradient"] += 1
        return self._grad(x)

    def constraints(self, x):
        self.calls["constraints"] += 1
        return self._c(x)

    def jacobian_vector(self, x, v):
        self.calls["jacobian_vector"] += 1
        return self.J(x) @ v

    def jacobian_transpose(self, x, w):
        self.calls["jacobian_transpose"] += 1
        return self.J(x).T @ w

    def hessian_vector(self, x, lam, v):
        self.calls["hessian_vector"] += 1
        return self.H(x, lam) @ v

    def jacobian_values(self, x):
        self.calls["jacobian_values"] += 1
        return self.J(x).ravel()

    def hessian_values(self, x, lam):
        self.calls["hessian_values"] += 1
        return self.H(x, lam).ravel()

    def oracles(self):
        return (self.objective, self.gradient, self.constraints, self.jacobian_vector, self.jacobian_transpose,
                self.hessian_vector)

    def solver(self, sparse_rows=True, **kwargs):
        """An nksolve.Constrained for this problem (with dense sparse rows unless told not to)."""
        if sparse_rows:
            kwargs.update(jacobian_pattern=dense_pattern(self.m, self.n), jacobian_values=self.jacobian_values,
                          hessian_pattern=dense_pattern(self.n, self.n), hessian_values=self.hessian_values)
        return nksolve.Constrained(self.m, *self.oracles(), **kwargs)


# ---------------------------------------------------------------------------------------------
# (a) Equality-constrained QPs against numpy.linalg.solve of the KKT system
# ---------------------------------------------------------------------------------------------


def random_qp(seed, n=30, m=8):
    """min 1/2 x^T Q x + q^T x s.t. A x = b with a random SPD Q, and its KKT solution."""
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((n, n))
    Q = M @ M.T / n + np.eye(n)
    q = rng.standard_normal(n)
    A = rng.standard_normal((m, n))
    b = rng.standard_normal(m)
    K = np.block([[Q, A.T], [A, np.zeros((m, m))]])
    solution = np.linalg.solve(K, np.concatenate([-q, b]))
    p = Problem(n, m, lambda x: 0.5 * x @ Q @ x + q @ x, lambda x: Q @ x + q, lambda x: A @ x - b,
                lambda x: A, lambda x, lam: Q)
    return p, solution[:n], solution[n:]


@pytest.mark.parametrize("kkt_solver", SOLVERS, ids=SOLVER_IDS)
def test_qp_matches_the_kkt_solution(kkt_solver):
    p, x_ref, lam_ref = random_qp(seed=20240)
    con = p.solver(kkt_solver=kkt_solver, stationarity_tol=1e-8, feasibility_tol=1e-8)
    assert con.kkt_solver == kkt_solver and con.m == p.m
    x, lam = np.zeros(p.n), np.zeros(p.m)
    r = con.solve(x, lam)
    assert r.converged and r.status == Status.OK and r.termination == Termination.CONVERGED_KKT
    assert r.kkt_solver == kkt_solver
    assert np.abs(x - x_ref).max() <= 1e-6 * max(1.0, np.abs(x_ref).max())
    assert np.abs(lam - lam_ref).max() <= 1e-6 * max(1.0, np.abs(lam_ref).max())
    assert r.stationarity <= 1e-8 and r.feasibility <= 1e-8
    # The reported point is the returned one.
    assert r.objective == pytest.approx(0.5 * x @ (p.H(x, lam) @ x) + p.gradient(np.zeros(p.n)) @ x, rel=1e-12)
    x2, lam2 = con.get_point()
    assert np.array_equal(x2, x) and np.array_equal(lam2, lam)
    # Each inner solver did the work it should.
    if kkt_solver == KktSolver.KACZMARZ:
        assert r.matrix_evaluations > 0 and r.preconditioner_calls == 0
    else:
        assert r.matrix_evaluations == 0
    # Newton on a QP: a handful of inexact steps.
    assert r.iterations <= 10


def test_qp_with_scipy_sparse_patterns_and_one_based_pairs():
    p, x_ref, _ = random_qp(seed=7, n=12, m=3)
    J = sp.csr_matrix(np.ones((p.m, p.n)))
    H = sp.csr_matrix(np.ones((p.n, p.n)))
    con = nksolve.Constrained(p.m, *p.oracles(), jacobian_pattern=J, jacobian_values=p.jacobian_values,
                              hessian_pattern=H, hessian_values=p.hessian_values, kkt_solver="kaczmarz",
                              stationarity_tol=1e-8, feasibility_tol=1e-8)
    x = np.zeros(p.n)
    assert con.solve(x).converged and np.abs(x - x_ref).max() <= 1e-6
    # The same rows, 1-based.
    jr, jc = dense_pattern(p.m, p.n)
    hr, hc = dense_pattern(p.n, p.n)
    con.set_sparse_rows((jr + 1, jc + 1), p.jacobian_values, (hr + 1, hc + 1), p.hessian_values, index_base=1)
    x = np.zeros(p.n)
    assert con.solve(x).converged and np.abs(x - x_ref).max() <= 1e-6


def test_minres_with_a_preconditioner():
    p, x_ref, lam_ref = random_qp(seed=11)
    A = p.J(np.zeros(p.n))
    Q = p.H(np.zeros(p.n), np.zeros(p.m))
    d = np.diag(Q)
    schur = np.diag(A @ np.diag(1.0 / d) @ A.T)

    def preconditioner(x, lam, r):
        p.calls["preconditioner"] += 1
        assert r.shape == (p.n + p.m,) and not r.flags.writeable
        return np.concatenate((r[:p.n] / d, r[p.n:] / schur))

    con = p.solver(sparse_rows=False, kkt_solver="minres", preconditioner=preconditioner, stationarity_tol=1e-8,
                   feasibility_tol=1e-8)
    x, lam = np.zeros(p.n), np.zeros(p.m)
    r = con.solve(x, lam)
    assert r.converged and np.abs(x - x_ref).max() <= 1e-6 and np.abs(lam - lam_ref).max() <= 1e-6
    assert r.preconditioner_calls == p.calls["preconditioner"] > 0
    # Removed again: no more calls.
    con.set_preconditioner(None)
    before = p.calls["preconditioner"]
    x = np.zeros(p.n)
    assert con.solve(x).converged and p.calls["preconditioner"] == before and con.report.preconditioner_calls == 0


# ---------------------------------------------------------------------------------------------
# (b) Hock-Schittkowski problems against scipy's trust-constr and the published optima
# ---------------------------------------------------------------------------------------------


def others(x, skip):
    """The product of the entries of x except those at the indices in skip."""
    return float(np.prod([x[k] for k in range(x.size) if k not in skip]))


def product_hessian(x, scale):
    """scale * the Hessian of prod(x): entry (i, j) is the product of the others, 0 on the diagonal."""
    n = x.size
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i != j:
                H[i, j] = scale * others(x, (i, j))
    return H


def hs6():
    """HS6: min (1 - x1)^2 s.t. 10 (x2 - x1^2) = 0; f* = 0 at (1, 1)."""
    return dict(
        n=2, m=1, x0=[-1.2, 1.0], fstar=0.0, xstar=[1.0, 1.0],
        f=lambda x: (1 - x[0]) ** 2,
        grad=lambda x: np.array([-2 * (1 - x[0]), 0.0]),
        c=lambda x: np.array([10 * (x[1] - x[0] ** 2)]),
        jac=lambda x: np.array([[-20 * x[0], 10.0]]),
        hf=lambda x: np.array([[2.0, 0], [0, 0]]),
        hc=lambda x: [np.array([[-20.0, 0], [0, 0]])],
    )


def hs7():
    """HS7: min log(1 + x1^2) - x2 s.t. (1 + x1^2)^2 + x2^2 - 4 = 0; f* = -sqrt(3) at (0, sqrt(3))."""
    return dict(
        n=2, m=1, x0=[2.0, 2.0], fstar=-math.sqrt(3.0), xstar=[0.0, math.sqrt(3.0)],
        f=lambda x: math.log(1 + x[0] ** 2) - x[1],
        grad=lambda x: np.array([2 * x[0] / (1 + x[0] ** 2), -1.0]),
        c=lambda x: np.array([(1 + x[0] ** 2) ** 2 + x[1] ** 2 - 4]),
        jac=lambda x: np.array([[4 * x[0] * (1 + x[0] ** 2), 2 * x[1]]]),
        hf=lambda x: np.array([[2 * (1 - x[0] ** 2) / (1 + x[0] ** 2) ** 2, 0], [0, 0.0]]),
        hc=lambda x: [np.array([[4 + 12 * x[0] ** 2, 0], [0, 2.0]])],
    )


def hs39():
    """HS39: min -x1 s.t. x2 - x1^3 - x3^2 = 0, x1^2 - x2 - x4^2 = 0; f* = -1 at (1, 1, 0, 0)."""
    def hc(x):
        h1 = np.zeros((4, 4))
        h1[0, 0], h1[2, 2] = -6 * x[0], -2.0
        h2 = np.zeros((4, 4))
        h2[0, 0], h2[3, 3] = 2.0, -2.0
        return [h1, h2]

    return dict(
        n=4, m=2, x0=[2.0, 2.0, 2.0, 2.0], fstar=-1.0, xstar=[1.0, 1.0, 0.0, 0.0],
        f=lambda x: -x[0],
        grad=lambda x: np.array([-1.0, 0, 0, 0]),
        c=lambda x: np.array([x[1] - x[0] ** 3 - x[2] ** 2, x[0] ** 2 - x[1] - x[3] ** 2]),
        jac=lambda x: np.array([[-3 * x[0] ** 2, 1, -2 * x[2], 0], [2 * x[0], -1, 0, -2 * x[3]]]),
        hf=lambda x: np.zeros((4, 4)),
        hc=hc,
    )


def hs40():
    """HS40: min -x1 x2 x3 x4 s.t. x1^3 + x2^2 = 1, x1^2 x4 = x3, x4^2 = x2; f* = -0.25 at
    (2^(-1/3), 2^(-1/2), 2^(-11/12), 2^(-1/4))."""
    def hc(x):
        h1 = np.diag([6 * x[0], 2.0, 0, 0])
        h2 = np.zeros((4, 4))
        h2[0, 0] = 2 * x[3]
        h2[0, 3] = h2[3, 0] = 2 * x[0]
        h3 = np.zeros((4, 4))
        h3[3, 3] = 2.0
        return [h1, h2, h3]

    return dict(
        n=4, m=3, x0=[0.8, 0.8, 0.8, 0.8], fstar=-0.25,
        xstar=[2 ** (-1 / 3), 2 ** (-1 / 2), 2 ** (-11 / 12), 2 ** (-1 / 4)],
        f=lambda x: -x[0] * x[1] * x[2] * x[3],
        grad=lambda x: -np.array([others(x, (i,)) for i in range(4)]),
        c=lambda x: np.array([x[0] ** 3 + x[1] ** 2 - 1, x[0] ** 2 * x[3] - x[2], x[3] ** 2 - x[1]]),
        jac=lambda x: np.array([[3 * x[0] ** 2, 2 * x[1], 0, 0], [2 * x[0] * x[3], 0, -1, x[0] ** 2],
                                [0, -1, 0, 2 * x[3]]]),
        hf=lambda x: product_hessian(x, -1.0),
        hc=hc,
    )


def hs48():
    """HS48: min (x1 - 1)^2 + (x2 - x3)^2 + (x4 - x5)^2 s.t. x1 + ... + x5 = 5,
    x3 - 2 (x4 + x5) = -3; f* = 0 at (1, 1, 1, 1, 1)."""
    A = np.array([[1, 1, 1, 1, 1], [0, 0, 1, -2, -2.0]])
    b = np.array([5.0, -3.0])
    Q = 2 * np.array([[1, 0, 0, 0, 0], [0, 1, -1, 0, 0], [0, -1, 1, 0, 0], [0, 0, 0, 1, -1], [0, 0, 0, -1, 1.0]])
    return dict(
        n=5, m=2, x0=[3.0, 5.0, -3.0, 2.0, -2.0], fstar=0.0, xstar=[1.0] * 5,
        f=lambda x: (x[0] - 1) ** 2 + (x[1] - x[2]) ** 2 + (x[3] - x[4]) ** 2,
        grad=lambda x: Q @ x - np.array([2.0, 0, 0, 0, 0]),
        c=lambda x: A @ x - b,
        jac=lambda x: A,
        hf=lambda x: Q,
        hc=lambda x: [np.zeros((5, 5)), np.zeros((5, 5))],
    )


def hs78():
    """HS78: min x1 x2 x3 x4 x5 s.t. sum x_i^2 = 10, x2 x3 = 5 x4 x5, x1^3 + x2^3 = -1;
    f* = -2.91970041 at (-1.717143, 1.595709, 1.827247, -0.7636413, -0.7636450)."""
    def hc(x):
        h2 = np.zeros((5, 5))
        h2[1, 2] = h2[2, 1] = 1.0
        h2[3, 4] = h2[4, 3] = -5.0
        return [2 * np.eye(5), h2, np.diag([6 * x[0], 6 * x[1], 0, 0, 0])]

    return dict(
        n=5, m=3, x0=[-2.0, 1.5, 2.0, -1.0, -1.0], fstar=-2.91970041,
        xstar=[-1.717143, 1.595709, 1.827247, -0.7636413, -0.7636450],
        f=lambda x: float(np.prod(x)),
        grad=lambda x: np.array([others(x, (i,)) for i in range(5)]),
        c=lambda x: np.array([x @ x - 10, x[1] * x[2] - 5 * x[3] * x[4], x[0] ** 3 + x[1] ** 3 + 1]),
        jac=lambda x: np.array([2 * x, [0, x[2], x[1], -5 * x[4], -5 * x[3]], [3 * x[0] ** 2, 3 * x[1] ** 2, 0, 0, 0]]),
        hf=lambda x: product_hessian(x, 1.0),
        hc=hc,
    )


HS = {"hs6": hs6, "hs7": hs7, "hs39": hs39, "hs40": hs40, "hs48": hs48, "hs78": hs78}


def hs_problem(name):
    d = HS[name]()
    hess = lambda x, lam: d["hf"](x) + sum(l * h for l, h in zip(lam, d["hc"](x)))  # noqa: E731
    p = Problem(d["n"], d["m"], d["f"], d["grad"], d["c"], d["jac"], hess)
    return p, d


_SCIPY = {}


def scipy_reference(name):
    """scipy.optimize.minimize(method="trust-constr") with the exact derivatives, from the
    standard start (cached per problem)."""
    if name not in _SCIPY:
        _, d = hs_problem(name)
        constraint = scipy.optimize.NonlinearConstraint(
            d["c"], 0.0, 0.0, jac=d["jac"], hess=lambda x, v: sum(vi * h for vi, h in zip(v, d["hc"](x))))
        res = scipy.optimize.minimize(d["f"], np.array(d["x0"]), jac=d["grad"], hess=d["hf"], method="trust-constr",
                                      constraints=[constraint],
                                      options={"gtol": 1e-12, "xtol": 1e-14, "maxiter": 5000})
        assert res.status in (1, 2), res.message
        assert np.abs(d["c"](res.x)).max() <= 1e-8
        _SCIPY[name] = res
    return _SCIPY[name]


def close(value, reference, fstar=None):
    """``value`` agrees with ``reference`` to 1e-6 relative to the published optimal value
    ``fstar`` (``reference`` itself by default); to 1e-10 absolute where that is 0."""
    scale = reference if fstar is None else fstar
    return abs(value - reference) <= (1e-6 * abs(scale) if scale != 0 else 1e-10)


@pytest.mark.parametrize("kkt_solver", SOLVERS, ids=SOLVER_IDS)
@pytest.mark.parametrize("name", list(HS))
def test_hock_schittkowski_against_scipy_and_the_published_optimum(name, kkt_solver):
    p, d = hs_problem(name)
    con = p.solver(kkt_solver=kkt_solver, stationarity_tol=1e-8, feasibility_tol=1e-8)
    x, lam = np.array(d["x0"]), np.zeros(p.m)
    r = con.solve(x, lam)
    assert r.converged, (name, r)
    assert r.stationarity <= 1e-8 and r.feasibility <= 1e-8
    f = d["f"](x)
    assert f == r.objective
    ref = scipy_reference(name)
    # The published optimal value, and scipy's.
    assert close(f, d["fstar"]), (name, f, d["fstar"])
    assert close(ref.fun, d["fstar"]), (name, ref.fun, d["fstar"])
    assert close(f, ref.fun, d["fstar"]), (name, f, ref.fun)
    # The same local solution (the published point is given to about 6 digits).
    assert np.abs(x - ref.x).max() <= 1e-5
    assert np.abs(x - np.array(d["xstar"])).max() <= 1e-5
    # And the multipliers make the Lagrangian stationary.
    assert np.linalg.norm(d["grad"](x) + d["jac"](x).T @ lam) <= 2e-8


# ---------------------------------------------------------------------------------------------
# (c) Oracle semantics: exceptions, NaN and CannotEvaluate, the monitor, options, arguments
# ---------------------------------------------------------------------------------------------


class Boom(Exception):
    pass


def failing(f, after):
    """f, but raising Boom from its call number after + 1 on."""
    count = [0]

    def oracle(*args):
        count[0] += 1
        if count[0] > after:
            raise Boom(f"failed at call {count[0]}")
        return f(*args)

    return oracle


ORACLES = ["objective", "gradient", "constraints", "jacobian_vector", "jacobian_transpose", "hessian_vector",
           "jacobian_values", "hessian_values", "preconditioner", "monitor"]


@pytest.mark.parametrize("where", ORACLES)
def test_an_exception_in_a_callback_propagates_and_leaves_x_untouched(where):
    p, d = hs_problem("hs78")
    oracles = dict(zip(["objective", "gradient", "constraints", "jacobian_vector", "jacobian_transpose",
                        "hessian_vector"], p.oracles()))
    extra = {}
    kkt_solver = "minres"
    jacobian_values, hessian_values = p.jacobian_values, p.hessian_values
    if where in oracles:
        oracles[where] = failing(oracles[where], 3)
    elif where == "jacobian_values":
        jacobian_values, kkt_solver = failing(jacobian_values, 1), "kaczmarz"
    elif where == "hessian_values":
        hessian_values, kkt_solver = failing(hessian_values, 1), "kaczmarz"
    elif where == "preconditioner":
        extra["preconditioner"] = failing(lambda x, lam, r: r, 5)
    else:
        extra["monitor"] = failing(lambda x, lam, report: False, 1)
    con = nksolve.Constrained(p.m, *oracles.values(), jacobian_pattern=dense_pattern(p.m, p.n),
                              jacobian_values=jacobian_values, hessian_pattern=dense_pattern(p.n, p.n),
                              hessian_values=hessian_values, kkt_solver=kkt_solver, **extra)
    x0 = np.array(d["x0"])
    x, lam = x0.copy(), np.full(p.m, 7.0)
    with pytest.raises(Boom) as info:
        con.solve(x, lam)
    assert "failed at call" in str(info.value)
    # The original traceback: its last frame is the line that raised, in the oracle.
    last = traceback.extract_tb(info.value.__traceback__)[-1]
    assert last.name == "oracle" and "raise Boom" in last.line
    assert isinstance(info.value.__context__, NKSolveError)
    expected = Status.ABORTED if where == "monitor" else Status.CALLBACK
    assert info.value.__context__.status == expected
    assert info.value.__context__.function == "nks_constrained_solve"
    # x and lam are untouched.
    assert np.array_equal(x, x0) and np.array_equal(lam, np.full(p.m, 7.0))
    r = con.report
    assert r.status == expected and not r.converged
    if where == "monitor":
        assert r.termination == Termination.MONITOR_STOP
    else:
        assert r.termination == Termination.CALLBACK_FAILED and r.callback_code == -1
    # The last accepted point survives the failed solve.
    xp, lp = con.get_point()
    assert xp.shape == (p.n,) and lp.shape == (p.m,) and np.all(np.isfinite(xp)) and np.all(np.isfinite(lp))
    # The handle is usable again, and nothing is left over from the failure.
    con.set_oracles(p.m, *p.oracles())
    con.set_monitor(None)
    con.set_preconditioner(None)
    con.set_option("kkt_solver", "minres")
    assert con.solve(x, lam).converged and close(d["f"](x), d["fstar"])


def test_keyboard_interrupt_propagates():
    p, d = hs_problem("hs40")

    def objective(x):
        if p.calls["objective"] > 3:
            raise KeyboardInterrupt
        return p.objective(x)

    con = nksolve.Constrained(p.m, objective, *p.oracles()[1:])
    x = np.array(d["x0"])
    with pytest.raises(KeyboardInterrupt):
        con.solve(x)
    assert np.array_equal(x, d["x0"])


def test_nan_objective_at_a_trial_point_only_still_converges():
    p, d = hs_problem("hs7")
    calls = [0]

    def objective(x):
        calls[0] += 1
        return math.nan if calls[0] == 2 else p.objective(x)  # call 1 is the start, call 2 a trial point

    con = nksolve.Constrained(p.m, objective, *p.oracles()[1:], kkt_solver="minres")
    x = np.array(d["x0"])
    r = con.solve(x)
    assert r.converged and close(d["f"](x), d["fstar"])
    assert r.failed_evaluations == 1 and r.rejected_steps >= 1
    assert con.records()[0].step_length < 1.0  # the first step was shortened
    assert r.objective_evaluations == calls[0] == r.merit_evaluations


@pytest.mark.parametrize("refuse_with", ["raise", "nan", "inf"])
def test_unevaluable_region_is_avoided_by_the_line_search(refuse_with):
    # HS7 from (2, 2): the first Newton step lands beyond x1 < -0.5, which the objective refuses.
    p, d = hs_problem("hs7")
    refused = [0]

    def objective(x):
        if x[0] < -0.5:
            refused[0] += 1
            if refuse_with == "raise":
                raise CannotEvaluate(f"x1 = {x[0]} < -0.5")
            return math.nan if refuse_with == "nan" else math.inf
        return p.objective(x)

    con = nksolve.Constrained(p.m, objective, *p.oracles()[1:], kkt_solver="minres")
    x = np.array(d["x0"])
    r = con.solve(x)
    assert r.converged and close(d["f"](x), d["fstar"])
    assert refused[0] >= 1 and r.failed_evaluations == refused[0]


def test_cannot_evaluate_at_the_start_raises_with_the_cause():
    p, d = hs_problem("hs7")

    def objective(x):
        raise CannotEvaluate("not here")

    con = nksolve.Constrained(p.m, objective, *p.oracles()[1:])
    x = np.array(d["x0"])
    with pytest.raises(NKSolveError) as info:
        con.solve(x)
    assert info.value.status == Status.CALLBACK and "returned 1" in info.value.message
    assert isinstance(info.value.__cause__, CannotEvaluate)
    assert con.report.termination == Termination.CALLBACK_FAILED and con.report.callback_code == 1
    assert np.array_equal(x, d["x0"]) and np.array_equal(con.get_point()[0], d["x0"])


def test_nan_at_the_start_raises_non_finite():
    p, d = hs_problem("hs7")
    con = nksolve.Constrained(p.m, lambda x: math.nan, *p.oracles()[1:])
    with pytest.raises(NKSolveError) as info:
        con.solve(np.array(d["x0"]))
    assert info.value.status == Status.NON_FINITE and "starting point" in info.value.message
    assert con.report.termination == Termination.NON_FINITE


def test_cannot_evaluate_in_a_product_stops_with_callback():
    p, d = hs_problem("hs7")

    def hessian_vector(x, lam, v):
        raise CannotEvaluate("no H v here")

    con = nksolve.Constrained(p.m, *p.oracles()[:5], hessian_vector)
    x = np.array(d["x0"])
    with pytest.raises(NKSolveError) as info:
        con.solve(x)
    assert info.value.status == Status.CALLBACK and isinstance(info.value.__cause__, CannotEvaluate)
    assert con.report.callback_code == 1 and np.array_equal(x, d["x0"])


def test_monitor_sees_every_iteration_and_can_stop():
    p, d = hs_problem("hs40")
    reports, points = [], []

    def monitor(x, lam, report):
        assert not x.flags.writeable and not lam.flags.writeable
        assert x.shape == (p.n,) and lam.shape == (p.m,)
        reports.append(report)
        points.append((x.copy(), lam.copy()))
        return None

    con = p.solver(kkt_solver="minres", monitor=monitor)
    x, lam = np.array(d["x0"]), np.zeros(p.m)
    r = con.solve(x, lam)
    assert r.converged and len(reports) == r.iterations
    assert all(rep.termination == Termination.NOT_STARTED and rep.status == Status.OK for rep in reports)
    assert [rep.iterations for rep in reports] == list(range(1, r.iterations + 1))
    assert np.array_equal(points[-1][0], x) and np.array_equal(points[-1][1], lam)
    assert reports[-1].stationarity == r.stationarity and reports[-1].feasibility == r.feasibility

    points.clear()

    def stop(x, lam, report):
        points.append((x.copy(), lam.copy()))
        return report.iterations >= 2

    con.set_monitor(stop)
    x, lam = np.array(d["x0"]), np.zeros(p.m)
    with pytest.raises(NKSolveError) as info:
        con.solve(x, lam)
    assert info.value.status == Status.ABORTED and info.value.function == "nks_constrained_solve"
    assert "monitor" in info.value.message
    r = con.report
    assert r.status == Status.ABORTED and r.termination == Termination.MONITOR_STOP and r.iterations == 2
    assert np.array_equal(x, d["x0"]) and np.array_equal(lam, np.zeros(p.m))  # untouched
    xp, lp = con.get_point()
    assert len(points) == 2 and np.array_equal(xp, points[-1][0]) and np.array_equal(lp, points[-1][1])


def test_callbacks_get_read_only_views_and_lists_are_accepted():
    p, d = hs_problem("hs6")
    seen = []

    def objective(x):
        assert not x.flags.writeable and not x.flags.owndata and x.dtype == np.float64
        with pytest.raises(ValueError):
            x[0] = 1.0
        seen.append(x)
        return p.objective(x)

    def jacobian_transpose(x, w):
        assert not w.flags.writeable and w.shape == (p.m,)
        return list(p.jacobian_transpose(x, w))  # a list is accepted

    con = nksolve.Constrained(p.m, objective, p.gradient, p.constraints, p.jacobian_vector, jacobian_transpose,
                              p.hessian_vector, kkt_solver="minres")
    r = con.solve(np.array(d["x0"]))
    assert r.converged and len(seen) == r.objective_evaluations


@pytest.mark.parametrize("bad", ["none", "short", "string"])
def test_a_bad_oracle_result_is_a_clear_error(bad):
    p, d = hs_problem("hs6")
    results = {"none": None, "short": np.zeros(1), "string": "abc"}

    def gradient(x):
        return results[bad]

    con = nksolve.Constrained(p.m, p.objective, gradient, *p.oracles()[2:])
    with pytest.raises((TypeError, ValueError)) as info:
        con.solve(np.array(d["x0"]))
    assert "gradient" in str(info.value) or bad == "string"
    assert isinstance(info.value.__context__, NKSolveError)


def test_reentrant_use_from_a_callback_is_refused():
    p, d = hs_problem("hs6")
    con = None

    def objective(x):
        gc.collect()  # the trampolines of the solve in progress must stay alive
        con.solve(np.array(x))
        return p.objective(x)

    con = nksolve.Constrained(p.m, objective, *p.oracles()[1:], kkt_solver="minres")
    with pytest.raises(NKSolveError) as info:
        con.solve(np.array(d["x0"]))
    assert info.value.status == Status.INVALID_STATE and "busy" in info.value.message
    # Setting a callback from inside one is refused too, and keeps the old one alive.
    con2 = None

    def monitor(x, lam, report):
        con2.set_monitor(lambda *a: False)

    con2 = nksolve.Constrained(p.m, *p.oracles(), kkt_solver="minres", monitor=monitor)
    with pytest.raises(NKSolveError) as info:
        con2.solve(np.array(d["x0"]))
    assert info.value.status == Status.INVALID_STATE
    gc.collect()
    con.set_oracles(p.m, *p.oracles())
    assert con.solve(np.array(d["x0"])).converged


DEFAULTS = {
    "kkt_solver": 0.0, "stationarity_tol": 1e-6, "feasibility_tol": 1e-6, "max_iterations": 1000.0,
    "max_inner_iterations": 100000.0, "max_merit_evaluations": 0.0, "max_seconds": 0.0, "eta1": 1.0, "eta2": 0.1,
    "penalty_factor": 1.5, "armijo": 0.1, "accuracy": 0.1, "accuracy_min": 1e-10, "sharpen": 1.0,
    "sketch_block": 1.0, "seed": 0.0, "regularization": 1e-4, "curvature_tol": 1e-8, "multiplier_start": 0.0,
    "record_history": 1.0,
}
OTHER_VALUES = {
    "kkt_solver": 2.0, "stationarity_tol": 1e-8, "feasibility_tol": 1e-7, "max_iterations": 50.0,
    "max_inner_iterations": 500.0, "max_merit_evaluations": 200.0, "max_seconds": 3.5, "eta1": 2.0, "eta2": 0.5,
    "penalty_factor": 2.0, "armijo": 0.25, "accuracy": 0.3, "accuracy_min": 1e-8, "sharpen": 0.0,
    "sketch_block": 4.0, "seed": 12345.0, "regularization": 1e-3, "curvature_tol": 0.0, "multiplier_start": 1.0,
    "record_history": 0.0,
}


def hs6_solver(**kwargs):
    p, _ = hs_problem("hs6")
    return nksolve.Constrained(p.m, *p.oracles(), **kwargs)


def test_option_defaults_and_round_trip():
    con = hs6_solver()
    for name, value in DEFAULTS.items():
        assert con.get_option(name) == value, name
        con.set_option(name, con.get_option(name))
    assert {name: con.get_option(name) for name in DEFAULTS} == DEFAULTS
    for name, value in OTHER_VALUES.items():
        con.set_option(name, value)
        assert con.get_option(name) == value, name
    again = hs6_solver(**OTHER_VALUES)
    assert {name: again.get_option(name) for name in OTHER_VALUES} == OTHER_VALUES
    # Booleans count as 0 / 1.
    con.set_option("sharpen", True)
    assert con.get_option("sharpen") == 1.0


def test_kkt_solver_by_name_enum_and_code():
    for k in KktSolver:
        assert hs6_solver(kkt_solver=k.name.lower()).kkt_solver == k
        assert hs6_solver(kkt_solver=k).kkt_solver == k
        assert hs6_solver(kkt_solver=int(k)).kkt_solver == k
    con = hs6_solver()
    con.set_option("kkt_solver", "MINRES")
    assert con.kkt_solver == KktSolver.MINRES and "kkt_solver=minres" in repr(con)
    with pytest.raises(NKSolveError) as info:
        con.set_option("kkt_solver", "cg")
    assert info.value.status == Status.INVALID_ARGUMENT and "'gaussian_sketch'" in info.value.message
    with pytest.raises(NKSolveError) as info:
        con.set_option("kkt_solver", 3)
    assert info.value.status == Status.INVALID_ARGUMENT and "kkt_solver" in info.value.message
    assert con.kkt_solver == KktSolver.MINRES


def test_unknown_option_and_bad_values_raise_with_the_library_message():
    con = hs6_solver()
    with pytest.raises(NKSolveError) as info:
        con.set_option("tolerance", 1e-6)
    assert info.value.status == Status.UNKNOWN_OPTION and info.value.function == "nks_constrained_set_option"
    assert 'no constrained-solver option is named "tolerance"' in info.value.message
    assert "stationarity_tol" in info.value.message and "record_history" in info.value.message
    with pytest.raises(NKSolveError) as info:
        con.get_option("tolerance")
    assert info.value.status == Status.UNKNOWN_OPTION and "tolerance" in info.value.message
    with pytest.raises(NKSolveError) as info:
        hs6_solver(gtol=1e-6)
    assert info.value.status == Status.UNKNOWN_OPTION and "gtol" in info.value.message
    for name, value in [("stationarity_tol", 0.0), ("feasibility_tol", -1.0), ("eta1", math.nan),
                        ("eta2", math.inf), ("regularization", 0.0), ("max_seconds", -1.0), ("curvature_tol", -1e-9),
                        ("max_iterations", 0), ("max_iterations", 2.5), ("max_inner_iterations", 0),
                        ("max_merit_evaluations", -1), ("penalty_factor", 1.0), ("penalty_factor", 101.0),
                        ("armijo", 0.5), ("accuracy", 1.0), ("accuracy_min", 0.0), ("sharpen", 2),
                        ("sketch_block", 0), ("sketch_block", 257), ("seed", -1), ("multiplier_start", 2),
                        ("record_history", 0.5)]:
        before = con.get_option(name)
        with pytest.raises(NKSolveError) as info:
            con.set_option(name, value)
        assert info.value.status == Status.INVALID_ARGUMENT, (name, value)
        assert name in info.value.message, (name, info.value.message)
        assert con.get_option(name) == before  # the option keeps its value
    with pytest.raises(NKSolveError) as info:
        con.set_option("armijo", 0.7)
    assert info.value.message == "armijo = 0.7 is out of range; it must be in (0, 0.5)"
    with pytest.raises(NKSolveError) as info:
        con.set_option("eta1", "1")
    assert info.value.status == Status.INVALID_ARGUMENT and "eta1" in info.value.message


def test_wrong_lengths_and_bad_arrays_raise():
    p, d = hs_problem("hs40")
    con = p.solver()
    x = np.array(d["x0"])
    with pytest.raises(NKSolveError) as info:
        con.solve(x, np.zeros(p.m + 1))
    assert info.value.status == Status.DIMENSION_MISMATCH
    assert info.value.message == "m = 4 but the oracles were set for m = 3 constraints; they must be equal"
    with pytest.raises(NKSolveError) as info:
        con.solve(x, np.zeros(p.m - 1))
    assert info.value.status == Status.DIMENSION_MISMATCH and "m = 2" in info.value.message
    # The sparse rows were given for n = 4.
    with pytest.raises(NKSolveError) as info:
        con.solve(np.zeros(5), np.zeros(p.m))
    assert info.value.status == Status.DIMENSION_MISMATCH and "n = 5" in info.value.message
    assert np.array_equal(x, d["x0"])
    # Not finite.
    with pytest.raises(NKSolveError) as info:
        con.solve(np.array([0.8, math.nan, 0.8, 0.8]))
    assert info.value.status == Status.NON_FINITE and "x" in info.value.message
    con.set_option("multiplier_start", 1)
    with pytest.raises(NKSolveError) as info:
        con.solve(x, np.array([0.0, math.inf, 0.0]))
    assert info.value.status == Status.NON_FINITE and "lambda" in info.value.message
    # x and lam are updated in place, so they must be writable contiguous float64 arrays.
    for bad in ([0.8, 0.8, 0.8, 0.8], np.array([1, 1, 1, 1]), np.zeros(8)[::2], np.zeros((2, 2))):
        with pytest.raises((TypeError, NKSolveError)):
            con.solve(bad, np.zeros(p.m))
    frozen = np.array(d["x0"])
    frozen.flags.writeable = False
    with pytest.raises(TypeError, match="writable"):
        con.solve(frozen)
    with pytest.raises(TypeError):
        con.solve(x, [0.0, 0.0, 0.0])
    both = np.zeros(6)
    with pytest.raises(NKSolveError) as info:
        con.solve(both[:4], both[3:])
    assert info.value.status == Status.INVALID_ARGUMENT and "overlap" in info.value.message
    with pytest.raises(NKSolveError) as info:
        con.solve(np.zeros(0), np.zeros(p.m))
    assert info.value.status == Status.INVALID_ARGUMENT


def test_constructor_errors():
    p, _ = hs_problem("hs6")
    with pytest.raises(NKSolveError) as info:
        nksolve.Constrained(0, *p.oracles())
    assert info.value.status == Status.INVALID_ARGUMENT and "m = 0" in info.value.message
    oracles = list(p.oracles())
    oracles[4] = None
    with pytest.raises(NKSolveError) as info:
        nksolve.Constrained(1, *oracles)
    assert info.value.status == Status.NULL_POINTER and "jacobian_transpose" in info.value.message
    oracles[4] = 3.0
    with pytest.raises(TypeError):
        nksolve.Constrained(1, *oracles)
    with pytest.raises(NKSolveError) as info:
        nksolve.Constrained(1, *p.oracles(), jacobian_pattern=dense_pattern(1, 2))
    assert info.value.status == Status.NULL_POINTER


def test_kaczmarz_needs_the_sparse_rows_and_bad_patterns_are_named():
    p, d = hs_problem("hs40")
    con = p.solver(sparse_rows=False, kkt_solver="kaczmarz")
    with pytest.raises(NKSolveError) as info:
        con.solve(np.array(d["x0"]))
    assert info.value.status == Status.INVALID_STATE and "sparse rows" in info.value.message
    jr, jc = dense_pattern(p.m, p.n)
    hr, hc = dense_pattern(p.n, p.n)
    bad_col = jc.copy()
    bad_col[3] = 9
    with pytest.raises(NKSolveError) as info:
        con.set_sparse_rows((jr, bad_col), p.jacobian_values, (hr, hc), p.hessian_values)
    assert info.value.status == Status.INVALID_ARGUMENT
    assert info.value.message == "jacobian_col_idx[3] = 9 is outside 0..4"
    twice = hc.copy()
    twice[1] = 0
    with pytest.raises(NKSolveError) as info:
        con.set_sparse_rows((jr, jc), p.jacobian_values, (hr, twice), p.hessian_values)
    assert info.value.status == Status.INVALID_ARGUMENT and "row 0 lists a column twice" in info.value.message
    with pytest.raises(NKSolveError) as info:
        con.set_sparse_rows((jr[:-1], jc), p.jacobian_values, (hr, hc), p.hessian_values)
    assert info.value.status == Status.DIMENSION_MISMATCH and "jacobian_row_ptr" in info.value.message
    with pytest.raises(NKSolveError) as info:
        con.set_sparse_rows((jr, jc[:-1]), p.jacobian_values, (hr, hc), p.hessian_values)
    assert info.value.status == Status.DIMENSION_MISMATCH and "jacobian_col_idx" in info.value.message
    with pytest.raises(TypeError):
        con.set_sparse_rows((jr, jc.astype(float)), p.jacobian_values, (hr, hc), p.hessian_values)
    # Values of the wrong length are the callback's error, re-raised.
    con.set_sparse_rows((jr, jc), lambda x: np.zeros(3), (hr, hc), p.hessian_values)
    with pytest.raises(ValueError, match="jacobian_values"):
        con.solve(np.array(d["x0"]))
    # Given properly, Kaczmarz runs.
    con.set_sparse_rows((jr, jc), p.jacobian_values, (hr, hc), p.hessian_values)
    assert con.solve(np.array(d["x0"])).converged
    # New oracles clear the rows (their m may differ).
    con.set_oracles(p.m, *p.oracles())
    with pytest.raises(NKSolveError) as info:
        con.solve(np.array(d["x0"]))
    assert info.value.status == Status.INVALID_STATE


def test_multiplier_start_given_uses_lam():
    p, d = hs_problem("hs40")
    con = p.solver(kkt_solver="minres", stationarity_tol=1e-8, feasibility_tol=1e-8)
    x, lam = np.array(d["x0"]), np.zeros(p.m)
    assert con.solve(x, lam).converged
    # From the solution and its multipliers, "given" starts converged: no iteration at all.
    con.set_option("multiplier_start", 1)
    x2, lam2 = x.copy(), lam.copy()
    r = con.solve(x2, lam2)
    assert r.converged and r.iterations == 0 and r.initial_stationarity <= 1e-8
    assert np.array_equal(x2, x) and np.array_equal(lam2, lam)
    # From the solution with zero multipliers, the start is not stationary.
    r = con.solve(x.copy(), np.zeros(p.m))
    assert r.initial_stationarity > 1e-3 and r.converged


def test_limits_return_normally():
    p, d = hs_problem("hs78")
    con = p.solver(kkt_solver="minres", max_iterations=2)
    x, lam = np.array(d["x0"]), np.zeros(p.m)
    r = con.solve(x, lam)
    assert r.status == Status.MAX_ITERATIONS and r.termination == Termination.MAX_ITERATIONS
    assert not r.converged and r.iterations == 2
    xp, lp = con.get_point()
    assert np.array_equal(x, xp) and np.array_equal(lam, lp) and not np.array_equal(x, d["x0"])
    con = p.solver(kkt_solver="minres", max_merit_evaluations=2)
    r = con.solve(np.array(d["x0"]))
    assert r.status == Status.MAX_ITERATIONS and r.termination == Termination.MAX_EVALUATIONS


def test_report_records_and_point_before_any_solve_and_close():
    con = hs6_solver()
    r = con.report
    assert r.termination == Termination.NOT_STARTED and r.iterations == 0 and not r.converged
    assert con.records() == []
    with pytest.raises(NKSolveError) as info:
        con.get_point()
    assert info.value.status == Status.INVALID_STATE and "no solve" in info.value.message
    # A solve refused before starting leaves no point either.
    with pytest.raises(NKSolveError):
        con.solve(np.array([math.nan, 1.0]))
    with pytest.raises(NKSolveError) as info:
        con.get_point()
    assert info.value.status == Status.INVALID_STATE
    con.close()
    con.close()
    assert "closed" in repr(con)
    with pytest.raises(ValueError):
        con.get_option("seed")
    p, d = hs_problem("hs6")
    with nksolve.Constrained(p.m, *p.oracles(), kkt_solver="minres") as con2:
        assert con2.solve(np.array(d["x0"])).converged
    with pytest.raises(ValueError):
        con2.solve(np.array(d["x0"]))


# ---------------------------------------------------------------------------------------------
# (d) The report's counters and the KKT history
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kkt_solver", SOLVERS, ids=SOLVER_IDS)
@pytest.mark.parametrize("name", ["qp", "hs40", "hs78"])
def test_counters_match_the_oracle_calls_and_the_history(name, kkt_solver):
    if name == "qp":
        p, _, _ = random_qp(seed=3, n=12, m=4)
        x0 = np.zeros(p.n)
    else:
        p, d = hs_problem(name)
        x0 = np.array(d["x0"])
    con = p.solver(kkt_solver=kkt_solver)
    x = x0.copy()
    r = con.solve(x)
    assert r.converged
    c = p.calls
    assert r.merit_evaluations == r.objective_evaluations == c["objective"]
    assert r.gradient_evaluations == c["gradient"] and r.constraint_evaluations == c["constraints"]
    # Every merit evaluation of a point that could be evaluated calls all four.
    assert r.gradient_evaluations == r.constraint_evaluations == r.merit_evaluations
    assert r.jacobian_products == c["jacobian_vector"]
    assert r.jacobian_transpose_products == c["jacobian_transpose"] >= r.merit_evaluations
    assert r.hessian_products == c["hessian_vector"]
    assert r.matrix_evaluations == c["jacobian_values"] + c["hessian_values"]
    assert (r.matrix_evaluations > 0) == (kkt_solver == KktSolver.KACZMARZ)
    assert r.failed_evaluations == 0 and r.callback_code == 0
    # Records: one per iteration.
    records = con.records()
    assert r.records == r.iterations == len(records) >= 1
    assert all(isinstance(k, ConstrainedRecord) for k in records)
    assert sum(k.inner_iterations for k in records) == r.inner_iterations
    assert all(0.0 < k.step_length <= 1.0 and k.eta1 > 0 and k.eta2 > 0 for k in records)
    assert all(k.inner_residual < 1.0 for k in records)
    # The history starts at the initial KKT residual, decreases to below the tolerance at the
    # end (the final point, in the report), and with it the merit.
    kkt = [math.hypot(k.stationarity, k.feasibility) for k in records] + [math.hypot(r.stationarity, r.feasibility)]
    assert records[0].stationarity == r.initial_stationarity and records[0].feasibility == r.initial_feasibility
    assert kkt[-1] < kkt[0] and kkt[-1] < min(kkt[:-1])
    assert r.stationarity <= 1e-6 and r.feasibility <= 1e-6
    if name == "qp":
        assert all(b < a for a, b in zip(kkt, kkt[1:])), kkt  # strictly, on a convex QP
    # The monitor's reports agree with the records and the final report.
    assert dataclasses.asdict(r)["iterations"] == r.iterations
    # With record_history off, nothing is recorded, but the solve is the same.
    con.set_option("record_history", 0)
    x2 = x0.copy()
    r2 = con.solve(x2)
    assert r2.records == 0 and con.records() == [] and r2.iterations == r.iterations
    assert np.array_equal(x2, x)


def test_penalties_and_regularization_are_reported():
    p, d = hs_problem("hs40")
    con = p.solver(kkt_solver="minres")
    r = con.solve(np.array(d["x0"]))
    records = con.records()
    assert r.eta1 == records[-1].eta1 and r.eta2 == records[-1].eta2
    assert r.regularized_steps == sum(k.regularization > 0 for k in records)
    # Each penalty update multiplies eta1 by rho^2 = 2.25 (from 1).
    assert r.eta1 == pytest.approx(2.25 ** r.penalty_updates)


# ---------------------------------------------------------------------------------------------
# (e) Determinism of the randomized inner solvers
# ---------------------------------------------------------------------------------------------


def iterates(p, x0, **options):
    path = []

    def monitor(x, lam, report):
        path.append((x.copy(), lam.copy()))

    con = p.solver(monitor=monitor, **options)
    x, lam = x0.copy(), np.zeros(p.m)
    r = con.solve(x, lam)
    return r, x, lam, path


@pytest.mark.parametrize("kkt_solver", [KktSolver.GAUSSIAN_SKETCH, KktSolver.KACZMARZ], ids=["gaussian_sketch", "kaczmarz"])
def test_same_seed_same_iterates_other_seed_still_converges(kkt_solver):
    p, d = hs_problem("hs78")
    x0 = np.array(d["x0"])
    r1, x1, l1, path1 = iterates(p, x0, kkt_solver=kkt_solver, seed=5)
    r2, x2, l2, path2 = iterates(p, x0, kkt_solver=kkt_solver, seed=5)
    assert r1.converged and r2.converged
    assert len(path1) == len(path2) == r1.iterations
    for (a, la), (b, lb) in zip(path1, path2):
        assert np.array_equal(a, b) and np.array_equal(la, lb)  # bit for bit
    assert np.array_equal(x1, x2) and np.array_equal(l1, l2)
    same = lambda r: (r.iterations, r.inner_iterations, r.merit_evaluations, r.hessian_products)  # noqa: E731
    assert same(r1) == same(r2)

    r3, x3, l3, path3 = iterates(p, x0, kkt_solver=kkt_solver, seed=987654321)
    assert r3.converged and close(float(np.prod(x3)), d["fstar"])
    assert np.abs(x3 - x1).max() <= 1e-5
    # Another seed draws other sketches: the inner iterations and the iterates differ.
    assert r3.inner_iterations != r1.inner_iterations or not np.array_equal(path3[0][0], path1[0][0])

    # The seed is per handle, and re-solving on one handle repeats the run.
    con = p.solver(kkt_solver=kkt_solver, seed=5)
    xa, xb = x0.copy(), x0.copy()
    con.solve(xa)
    con.solve(xb)
    assert np.array_equal(xa, x1) and np.array_equal(xb, x1)


def test_sketch_block_converges_with_fewer_iterations():
    p, x_ref, _ = random_qp(seed=99, n=20, m=5)
    r1 = p.solver(sparse_rows=False).solve(np.zeros(p.n))
    x = np.zeros(p.n)
    r8 = p.solver(sparse_rows=False, sketch_block=8).solve(x)
    assert r1.converged and r8.converged and np.abs(x - x_ref).max() <= 1e-5
    assert r8.inner_iterations < r1.inner_iterations

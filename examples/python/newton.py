#!/usr/bin/env python3
"""Unconstrained minimisation with callback oracles, from Python. Prints the same lines as the
Rust reference (examples/rust/newton.rs) and the examples in the other languages.

Problem: the extended Rosenbrock function (More, Garbow, Hillstrom 1981, problem 21) with
n = 100000, f(x) = sum_k 100 (x_{2k+1} - x_{2k}^2)^2 + (1 - x_{2k})^2, from the standard start
(-1.2, 1, -1.2, 1, ...); the minimum is f = 0 at x = 1. The oracles below are vectorised numpy,
each O(n), computing every entry with the operations of the Rust example in the same order, and
f is summed in index order (np.cumsum is sequential; np.sum is pairwise and would round
differently), so the iteration counts agree exactly with the other languages'.

Output, one line per method (trust-region Newton-CG, line-search Newton-CG, lazy-Hessian
Newton): the status, iterations, oracle calls by kind, whether ||g|| <= 1e-8, and the distance
of x from the minimiser. A last line shows the oracle-failure semantics: an objective that
refuses (raises nksolve.CannotEvaluate for) points with x_1 < -1 (a trial step lands there)
still converges: the solver shrinks its trust region and goes around.

Run from the repository root: python3 examples/python/newton.py
(the library is found through NKSOLVE_LIBRARY or the repository's target/release folder).
"""

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bindings", "python"))

import nksolve  # noqa: E402

N = 100_000


class Rosenbrock:
    """Extended Rosenbrock; the objective cannot be evaluated where x_1 < refuse_below, like a
    simulation that cannot run there."""

    def __init__(self, refuse_below):
        self.refuse_below = refuse_below

    def fun(self, x):
        if x[1] < self.refuse_below:
            raise nksolve.CannotEvaluate(f"x_1 = {x[1]} < {self.refuse_below}")
        xo, xe = x[0::2], x[1::2]
        t, u = xe - xo * xo, 1.0 - xo
        terms = 100.0 * t * t + u * u
        return np.cumsum(terms)[-1]  # index order, as the Rust loop sums

    def jac(self, x):
        xo, xe = x[0::2], x[1::2]
        t = xe - xo * xo
        g = np.empty_like(x)
        g[0::2] = -400.0 * xo * t - 2.0 * (1.0 - xo)
        g[1::2] = 200.0 * t
        return g

    def hessp(self, x, v):
        xo, xe = x[0::2], x[1::2]
        vo, ve = v[0::2], v[1::2]
        h11 = 1200.0 * xo * xo - 400.0 * xe + 2.0
        h12 = -400.0 * xo
        hv = np.empty_like(x)
        hv[0::2] = h11 * vo + h12 * ve
        hv[1::2] = h12 * vo + 200.0 * ve
        return hv


def start():
    x = np.ones(N)
    x[0::2] = -1.2
    return x


def main():
    cases = [
        ("trust_region", nksolve.NewtonMethod.TRUST_REGION, -math.inf),
        ("line_search", nksolve.NewtonMethod.LINE_SEARCH, -math.inf),
        ("lazy", nksolve.NewtonMethod.LAZY, -math.inf),
        ("refusing", nksolve.NewtonMethod.TRUST_REGION, -1.0),
    ]
    failed = False
    for name, method, refuse_below in cases:
        newton = nksolve.Newton(method, gatol=1e-8)
        if math.isfinite(refuse_below):
            # A first radius large enough for a trial step to land in the refused region.
            newton.set_option("initial_radius", 1000.0)
        f = Rosenbrock(refuse_below)
        x, r = newton.minimize(start(), f.fun, f.jac, f.hessp)
        error = float(np.max(np.abs(x - 1.0)))
        failed |= not r.converged
        print(
            f"{name} status={0 if r.converged else 1} iterations={r.iterations} "
            f"values={r.value_calls + r.value_gradient_calls} "
            f"gradients={r.gradient_calls + r.value_gradient_calls} "
            f"hessian_vectors={r.hessian_vector_calls} failed={r.failed_evaluations} "
            f"converged={int(r.gradient_norm <= 1e-8)} x_error_below_1e-6={int(error <= 1e-6)}"
        )
        newton.close()
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except nksolve.NKSolveError as e:
        print(f"nksolve failed: {e}", file=sys.stderr)
        sys.exit(1)

#!/usr/bin/env python3
"""Equality-constrained optimisation with callback oracles, from Python. Prints the same lines as
the Rust reference (examples/rust/constrained.rs) and the examples in the other languages.

1. Hock-Schittkowski problem 6: min (1 - x1)^2 s.t. 10 (x2 - x1^2) = 0 from (-1.2, 1)
   (solution (1, 1), f* = 0), solved three ways: the default randomized Gaussian sketch (seed 0),
   randomized Kaczmarz on the sparse rows of the Jacobian and Hessian, and MINRES.
2. A 1D optimal-control problem: min 1/2 ||y - y*||^2 + alpha/2 ||u||^2 subject to the discrete
   Poisson equation T y - h^2 u = 0 (T = tridiag(-1, 2, -1), N = 50 interior points of (0, 1),
   h = 1/51, y*_i = sin(pi t_i), alpha = 1e-6) by MINRES with a host preconditioner:
   diag(I, alpha I, S) with S the diagonal of the Schur complement T T + h^4 / alpha I.

The oracles compute with the operations of the Rust example in the same order, so the counts
agree exactly with the other languages': the HS6 oracles in Python floats; the control problem's
vectors with numpy, each entry the same sequence of IEEE operations, left to right; its objective
summed in index order (a loop, not numpy's pairwise sum); the target with math.sin (the C
library's sin, as Rust calls it; numpy's SIMD sin may differ in the last bit).

Run from the repository root: python3 examples/python/constrained.py
(the library is found through NKSOLVE_LIBRARY or the repository's target/release folder).
"""

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bindings", "python"))

import nksolve  # noqa: E402

# ---------------------------------------------------------------------------------------------
# HS6 with its (dense) sparse rows: J is 1 x 2, the Hessian of the Lagrangian 2 x 2.
# ---------------------------------------------------------------------------------------------

HS6_JACOBIAN_PATTERN = ([0, 2], [0, 1])
HS6_HESSIAN_PATTERN = ([0, 2, 4], [0, 1, 0, 1])


def hs6_objective(x):
    x1 = float(x[0])
    return (1.0 - x1) * (1.0 - x1)


def hs6_gradient(x):
    return [-2.0 * (1.0 - float(x[0])), 0.0]


def hs6_constraints(x):
    x1, x2 = float(x[0]), float(x[1])
    return [10.0 * (x2 - x1 * x1)]


def hs6_jacobian_vector(x, v):
    return [-20.0 * float(x[0]) * float(v[0]) + 10.0 * float(v[1])]


def hs6_jacobian_transpose(x, w):
    w0 = float(w[0])
    return [-20.0 * float(x[0]) * w0, 10.0 * w0]


def hs6_hessian_vector(x, lam, v):
    return [(2.0 - 20.0 * float(lam[0])) * float(v[0]), 0.0]


def hs6_jacobian_values(x):
    return [-20.0 * float(x[0]), 10.0]


def hs6_hessian_values(x, lam):
    return [2.0 - 20.0 * float(lam[0]), 0.0, 0.0, 0.0]


# ---------------------------------------------------------------------------------------------
# The 1D control problem: x = [y; u], constraints T y - h^2 u = 0.
# ---------------------------------------------------------------------------------------------

N = 50
ALPHA = 1e-6
H = 1.0 / (N + 1)


def tridiag(v):
    """T v for T = tridiag(-1, 2, -1): (2 v_i - v_{i-1}) - v_{i+1}, zero outside."""
    left = np.zeros(N)
    right = np.zeros(N)
    left[1:] = v[:-1]
    right[:-1] = v[1:]
    return 2.0 * v - left - right


class Control1d:
    def __init__(self):
        self.target = np.array([math.sin(math.pi * i * H) for i in range(1, N + 1)])

    def objective(self, x):
        f = 0.0
        for i in range(N):  # index order, as the Rust loop sums
            d = float(x[i]) - float(self.target[i])
            u = float(x[N + i])
            f += 0.5 * d * d + 0.5 * ALPHA * u * u
        return f

    def gradient(self, x):
        return np.concatenate((x[:N] - self.target, ALPHA * x[N:]))

    def constraints(self, x):
        return self.jacobian_vector(x, x)

    def jacobian_vector(self, x, v):
        return tridiag(v[:N]) - H * H * v[N:]

    def jacobian_transpose(self, x, w):
        return np.concatenate((tridiag(w), -H * H * w))

    def hessian_vector(self, x, lam, v):
        return np.concatenate((v[:N], ALPHA * v[N:]))

    def preconditioner(self, x, lam, r):
        h4 = H * H * H * H
        ends = np.full(N, 6.0)
        ends[0] = ends[-1] = 5.0
        return np.concatenate((r[:N], r[N:2 * N] / ALPHA, r[2 * N:] / (ends + h4 / ALPHA)))


def sci(value, digits):
    """``value`` in scientific notation as Rust's ``{:.De}`` writes it (``1.241060e-3``)."""
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def hs6_line(name, kkt_solver):
    with nksolve.Constrained(
        1, hs6_objective, hs6_gradient, hs6_constraints, hs6_jacobian_vector, hs6_jacobian_transpose,
        hs6_hessian_vector, jacobian_pattern=HS6_JACOBIAN_PATTERN, jacobian_values=hs6_jacobian_values,
        hessian_pattern=HS6_HESSIAN_PATTERN, hessian_values=hs6_hessian_values, kkt_solver=kkt_solver,
    ) as solver:
        x, lam = np.array([-1.2, 1.0]), np.zeros(1)
        r = solver.solve(x, lam)
    print(
        f"{name} status={0 if r.converged else 1} iterations={r.iterations} inner={r.inner_iterations} "
        f"merit={r.merit_evaluations} penalty_updates={r.penalty_updates} f={sci(r.objective, 6)} "
        f"x1={x[0]:.8f} x2={x[1]:.8f}"
    )
    return r.converged


def main():
    ok = hs6_line("hs6_sketch", "gaussian_sketch")
    ok &= hs6_line("hs6_kaczmarz", "kaczmarz")
    ok &= hs6_line("hs6_minres", "minres")

    p = Control1d()
    with nksolve.Constrained(N, p.objective, p.gradient, p.constraints, p.jacobian_vector, p.jacobian_transpose,
                             p.hessian_vector, preconditioner=p.preconditioner, kkt_solver="minres") as solver:
        x, lam = np.zeros(2 * N), np.zeros(N)
        r = solver.solve(x, lam)
    ok &= r.converged
    misfit = float(np.max(np.abs(x[:N] - p.target)))
    print(
        f"control1d status={0 if r.converged else 1} iterations={r.iterations} inner={r.inner_iterations} "
        f"preconditioner_calls={r.preconditioner_calls} f={sci(r.objective, 6)} max_misfit={sci(misfit, 6)}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except nksolve.NKSolveError as e:
        print(f"nksolve failed: {e}", file=sys.stderr)
        sys.exit(1)

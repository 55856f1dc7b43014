#!/usr/bin/env python3
"""Nonlinear systems with callback oracles, from Python. Prints the same lines as the Rust
reference (examples/rust/nonlinear.rs) and the examples in the other languages.

1. Implicit time stepping of the 2D Bratu equation u_t = Laplace(u) + lambda e^u on the unit
   square (zero boundary, 32 x 32 interior grid, h = 1/33, lambda = 6), 8 implicit Euler steps of
   dt = 0.1 from u = 0. Each step solves, scaled by h^2,
   F(u)_p = (h^2/dt)(u_p - u_old_p) + 4 u_p - u_W - u_E - u_S - u_N - h^2 lambda e^{u_p} = 0
   by Jacobian-free Newton-Krylov (only the residual is given; J v is a finite difference). All
   steps run on one nksolve.Nonlinear object, so with GCRO-DR the recycle space carries from one
   Newton step and one time step to the next; the second line runs plain GMRES for comparison.
2. The steady Bratu problem on the same grid with the exact J v callback.
3. Levenberg-Marquardt fitting y = a e^{-b t} + c to 20 points t_i = i/4 made with
   (a, b, c) = (2.5, 1.3, 0.5), from (1, 1, 0), with J v and J^T w callbacks.

The residuals are computed with the operations of the Rust example in the same order, so the
iteration counts agree exactly with the other languages': the stencil is vectorised numpy (each
entry is the same sequence of IEEE operations, left to right), but e^u is math.exp per entry
(the C library's exp, as Rust and C call it; numpy's SIMD exp may differ in the last bit, which
finite-difference Jacobian products amplify), and J^T w is summed in index order.

Run from the repository root: python3 examples/python/nonlinear.py
(the library is found through NKSOLVE_LIBRARY or the repository's target/release folder).
"""

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bindings", "python"))

import nksolve  # noqa: E402

SIDE = 32
LAMBDA = 6.0
DT = 0.1
STEPS = 8
H = 1.0 / (SIDE + 1)


def exp_each(u):
    """e^u entry by entry with the C library's exp (math.exp)."""
    return np.fromiter(map(math.exp, u), dtype=np.float64, count=u.size)


def neighbours(u):
    """(west, east, south, north) of every node p = i + SIDE j, 0 outside the grid."""
    g = u.reshape(SIDE, SIDE)  # g[j, i]
    west, east, south, north = (np.zeros((SIDE, SIDE)) for _ in range(4))
    west[:, 1:] = g[:, :-1]
    east[:, :-1] = g[:, 1:]
    south[1:, :] = g[:-1, :]
    north[:-1, :] = g[1:, :]
    return west.ravel(), east.ravel(), south.ravel(), north.ravel()


class BratuStep:
    """One implicit Euler step of Bratu (mass = h^2 / dt; 0 for the steady problem)."""

    def __init__(self, mass):
        self.mass = mass
        self.previous = np.zeros(SIDE * SIDE)

    def residual(self, u):
        source = H * H * LAMBDA
        west, east, south, north = neighbours(u)
        return self.mass * (u - self.previous) + 4.0 * u - west - east - south - north - source * exp_each(u)

    def jacobian_vector(self, u, v):
        source = H * H * LAMBDA
        west, east, south, north = neighbours(v)
        return self.mass * v + 4.0 * v - west - east - south - north - source * exp_each(u) * v


class ExponentialFit:
    """r_i = a e^{-b t_i} + c - y_i."""

    def __init__(self):
        self.t = [i / 4.0 for i in range(20)]
        self.y = [2.5 * math.exp(-1.3 * t) + 0.5 for t in self.t]

    def residual(self, x):
        a, b, c = float(x[0]), float(x[1]), float(x[2])
        return [a * math.exp(-b * t) + c - y for t, y in zip(self.t, self.y)]

    def jacobian_vector(self, x, v):
        a, b = float(x[0]), float(x[1])
        v0, v1, v2 = float(v[0]), float(v[1]), float(v[2])
        out = []
        for t in self.t:
            e = math.exp(-b * t)
            out.append(e * v0 - a * t * e * v1 + v2)
        return out

    def jacobian_transpose(self, x, w):
        a, b = float(x[0]), float(x[1])
        j0 = j1 = j2 = 0.0
        for t, wi in zip(self.t, w):  # index order, as the Rust loop sums
            e = math.exp(-b * t)
            wi = float(wi)
            j0 += e * wi
            j1 -= a * t * e * wi
            j2 += wi
        return [j0, j1, j2]


def sci(value, digits):
    """``value`` in scientific notation as Rust's ``{:.De}`` writes it (``7.9e-1``)."""
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def time_stepping(name, krylov_method):
    solver = nksolve.Nonlinear(krylov_method=krylov_method)  # one object: the recycle space carries
    u = np.zeros(SIDE * SIDE)
    step = BratuStep(H * H / DT)
    newton = krylov = residuals = converged = 0
    for _ in range(STEPS):
        step.previous = u.copy()
        u, r = solver.solve(u, step.residual)
        newton += r.iterations
        krylov += r.inner_iterations
        residuals += r.residual_evaluations
        converged += int(r.converged)
    print(
        f"{name} steps={STEPS} converged_steps={converged} newton={newton} krylov={krylov} "
        f"residuals={residuals} recycled={solver.report.recycled_vectors} umax={sci(float(np.max(u)), 10)}"
    )
    solver.close()
    return converged == STEPS


def main():
    ok = time_stepping("bratu_time_gcrodr", 3)
    ok &= time_stepping("bratu_time_gmres", 1)

    steady = BratuStep(0.0)
    with nksolve.Nonlinear() as solver:
        u, r = solver.solve(np.zeros(SIDE * SIDE), steady.residual, steady.jacobian_vector)
    ok &= r.converged
    print(
        f"bratu_steady status={0 if r.converged else 1} newton={r.iterations} krylov={r.inner_iterations} "
        f"residuals={r.residual_evaluations} jacobian_vectors={r.jacobian_vector_calls} umax={sci(float(np.max(u)), 10)}"
    )

    fit = ExponentialFit()
    with nksolve.Nonlinear("levenberg_marquardt") as solver:
        x, r = solver.solve([1.0, 1.0, 0.0], fit.residual, fit.jacobian_vector, fit.jacobian_transpose, m=len(fit.t))
    ok &= r.converged
    error = max(abs(x[0] - 2.5), abs(x[1] - 1.3), abs(x[2] - 0.5))
    print(
        f"lm_fit status={0 if r.converged else 1} iterations={r.iterations} residuals={r.residual_evaluations} "
        f"jacobian_vectors={r.jacobian_vector_calls} jacobian_transposes={r.jacobian_transpose_calls} "
        f"params_within_1e-6={int(error <= 1e-6)}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except nksolve.NKSolveError as e:
        print(f"nksolve failed: {e}", file=sys.stderr)
        sys.exit(1)

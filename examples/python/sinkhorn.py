#!/usr/bin/env python3
"""Entropic optimal transport between two point clouds, from Python. Prints the same lines as
the Rust reference (examples/rust/sinkhorn.rs) and the examples in the other languages.

Problem: 300 source points at the Halton points of bases (2, 3) in [0, 1]^2, 200 target points
at the Halton points of bases (5, 7) shifted by (0.3, 0), uniform weights, squared Euclidean
cost, eps = 0.01, stop at an L1 marginal error of 1e-9. (Halton points need no random
generator, so every language builds the same clouds.)

Output:
  sinkhorn iterations=K marginal_error=E cost=C w2=W   log-domain Sinkhorn on the point clouds
                                                       (costs computed on the fly), w2 = sqrt(<C, P>)
  sns newton=K sinkhorn=K converged=0|1 w2=W           Sinkhorn-Newton-Sparse on the same problem
  dense iterations=K w2=W regularized=R                the same problem from a dense cost matrix
  plan nnz=K mass=M                                    the plan's entries >= 1e-4 and their mass

Run from the repository root: python3 examples/python/sinkhorn.py
(the library is found through NKSOLVE_LIBRARY or the repository's target/release folder).
"""

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bindings", "python"))

import nksolve  # noqa: E402

N = 300
M = 200


def halton(i, base):
    """The i-th element (from 1) of the van der Corput sequence in base."""
    f, r = 1.0, 0.0
    while i > 0:
        f /= base
        r += f * (i % base)
        i //= base
    return r


def clouds():
    """The two clouds, one point per row: x of shape (N, 2), y of shape (M, 2) (C order, the
    C API's column-major 2 x n with leading dimension 2, passed without a copy)."""
    x = np.array([[halton(i + 1, 2), halton(i + 1, 3)] for i in range(N)])
    y = np.array([[halton(j + 1, 5) + 0.3, halton(j + 1, 7)] for j in range(M)])
    return x, y


def sci(value, digits):
    """``value`` in scientific notation as Rust's ``{:.De}`` writes it (``9.9e-10``, ``1.0e-5``)."""
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def main():
    x, y = clouds()
    a, b = np.full(N, 1.0 / N), np.full(M, 1.0 / M)
    sk = nksolve.Sinkhorn(eps=0.01, tol=1e-9)
    failed = False

    sk.solve_points(a, b, x, y, p=2)
    r = sk.report
    failed |= not r.converged
    print(f"sinkhorn iterations={r.iterations} marginal_error={sci(r.marginal_error, 1)} "
          f"cost={r.transport_cost:.10f} w2={math.sqrt(r.transport_cost):.10f}")

    sk.set_option("method", "sns")
    sk.solve_points(a, b, x, y, p=2)
    r = sk.report
    failed |= not r.converged
    print(f"sns newton={r.newton_iterations} sinkhorn={r.sinkhorn_iterations} converged={int(r.converged)} "
          f"w2={math.sqrt(r.transport_cost):.10f}")

    # The dense cost |x_i - y_j|^2, an (N, M) matrix in Fortran order (passed without a copy).
    C = np.asfortranarray((x[:, None, 0] - y[None, :, 0]) ** 2 + (x[:, None, 1] - y[None, :, 1]) ** 2)
    sk.set_option("method", "sinkhorn")
    sk.solve_dense(a, b, C)
    r = sk.report
    failed |= not r.converged
    print(f"dense iterations={r.iterations} w2={math.sqrt(r.transport_cost):.10f} regularized={r.regularized_cost:.10f}")

    rows, cols, values = sk.plan_sparse(1e-4)
    mass = 0.0
    for v in values.tolist():  # in the library's (row-major) order, as the Rust example sums
        mass += v
    print(f"plan nnz={values.size} mass={mass:.6f}")
    sk.close()
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except nksolve.NKSolveError as e:
        print(f"nksolve failed: {e}", file=sys.stderr)
        sys.exit(1)

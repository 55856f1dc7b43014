#!/usr/bin/env python3
"""2D Poisson with nksolve from Python: the same system solved three ways.

  -Laplace(u) = 1 on the unit square, u = 0 on the boundary, 5-point stencil,
  32 x 32 interior points (n = 1024), stencil [-1 -1 4 -1 -1] (scaled by h^2),
  node p = i + 32 j.

  cg          CSR operator (arrays built with numpy), conjugate gradients, no preconditioner
  gmres_ilu0  CSR operator, GMRES(30) with the built-in ILU(0)
  cg_callback matrix-free operator (this file's own stencil, a Python function) and a Python
              Jacobi preconditioner, both called back by the library

Output: one line per solve, "NAME status=S iterations=K residual=R", then the CG solution at
the centre node, "center u=U" -- the same lines as examples/c/poisson.c.

Run from the repository root: python3 examples/python/poisson.py
(the library is found through NKSOLVE_LIBRARY or the repository's target/release folder).
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bindings", "python"))

import nksolve  # noqa: E402

NX = 32
N = NX * NX


def build_csr():
    """0-based CSR arrays of the stencil, columns sorted within each row."""
    j, i = np.divmod(np.arange(N), NX)  # p = i + NX * j
    p = np.arange(N)
    # Per node, the five candidate neighbours in column order and whether each exists.
    cols = np.stack([p - NX, p - 1, p, p + 1, p + NX], axis=1)
    vals = np.tile([-1.0, -1.0, 4.0, -1.0, -1.0], (N, 1))
    keep = np.stack([j > 0, i > 0, np.ones(N, bool), i + 1 < NX, j + 1 < NX], axis=1)
    row_ptr = np.zeros(N + 1, dtype=np.int64)
    row_ptr[1:] = np.cumsum(keep.sum(axis=1))
    return row_ptr, cols[keep].astype(np.int64), vals[keep]


def stencil_matvec(x):
    """y = A x for the 5-point stencil, without forming A."""
    u = x.reshape(NX, NX)  # u[j, i] = x[i + NX * j]
    y = 4.0 * u
    y[:, 1:] -= u[:, :-1]
    y[:, :-1] -= u[:, 1:]
    y[1:, :] -= u[:-1, :]
    y[:-1, :] -= u[1:, :]
    return y.ravel()


def jacobi(r):
    """z = D^-1 r with D = 4 I."""
    return r / 4.0


def report(name, rep):
    print(f"{name} status={int(rep.status)} iterations={rep.iterations} residual={rep.residual_norm:.6e}")
    return rep.status != nksolve.Status.OK


def main():
    b = np.ones(N)
    failed = False
    with nksolve.CSR(*build_csr(), shape=(N, N)) as A, nksolve.Krylov(rtol=1e-8) as solver:
        # 1. CG on the CSR matrix (the solver keeps its own reference to A).
        solver.set_operator(A)
        solver.set_method("cg")
        x, rep = solver.solve(b)
        failed |= report("cg", rep)
        center = x[NX // 2 + NX * (NX // 2)]

        # 2. GMRES(30) with ILU(0).
        solver.set_method("gmres")
        solver.set_restart(30)
        solver.set_preconditioner("ilu0")
        x, rep = solver.solve(b)
        failed |= report("gmres_ilu0", rep)

        # 3. CG, matrix-free, with a host preconditioner.
        solver.set_method("cg")
        solver.set_operator(n=N, matvec=stencil_matvec)
        solver.set_preconditioner(jacobi)
        x, rep = solver.solve(b)
        failed |= report("cg_callback", rep)

    print(f"center u={center:.12e}")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except nksolve.NKSolveError as e:
        print(f"nksolve failed: {e}", file=sys.stderr)
        sys.exit(1)

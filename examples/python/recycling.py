#!/usr/bin/env python3
"""Krylov recycling with nksolve from Python: a sequence of eight convection-diffusion systems
solved with GMRES(30), then with GCRO-DR(30, 10) in the SKR order, then resumed from a saved
recycle space. Prints the same lines as the Rust reference (examples/rust/recycling.rs) and the
C, C++, Fortran and Julia examples.

  24 x 24 interior grid (n = 576), 5-point stencil with centre 4, south / north -1,
  west -1 - beta_s, east -1 + beta_s, where system s has beta_s = 0.1 + 0.05 P[s],
  P = [3, 7, 0, 5, 1, 6, 2, 4]; right-hand side 1, rtol 1e-8; SKR feature of system s: beta_s.

Output:
  gmres status=S total_iterations=T
  gcrodr status=S total_iterations=T order=o0,...,o7      (0-based system indices)
  system_s iterations=K residual=R                         (s = 0..7, GCRO-DR reports)
  saved bytes=LEN                                          (Krylov.save_recycled)
  resumed iterations=K3 original=K2                        (system 0 on a solver that loaded
                                                            the saved space, and on the
                                                            original solver)

Run from the repository root: python3 examples/python/recycling.py
(the library is found through NKSOLVE_LIBRARY or the repository's target/release folder).
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bindings", "python"))

import nksolve  # noqa: E402

NX = 24
N = NX * NX
SYSTEMS = 8
P = [3, 7, 0, 5, 1, 6, 2, 4]  # scatters the convection strengths over the systems


def beta(s):
    """Convection strength of system s, also its SKR feature."""
    return 0.1 + 0.05 * P[s]


def system_matrix(s):
    """System s's matrix as an nksolve.CSR (0-based arrays, columns sorted within each row)."""
    j, i = np.divmod(np.arange(N), NX)  # node p = i + NX * j
    p = np.arange(N)
    # Per node, the five candidate neighbours in column order and whether each exists.
    cols = np.stack([p - NX, p - 1, p, p + 1, p + NX], axis=1)
    vals = np.tile([-1.0, -1.0 - beta(s), 4.0, -1.0 + beta(s), -1.0], (N, 1))
    keep = np.stack([j > 0, i > 0, np.ones(N, bool), i + 1 < NX, j + 1 < NX], axis=1)
    row_ptr = np.zeros(N + 1, dtype=np.int64)
    row_ptr[1:] = np.cumsum(keep.sum(axis=1))
    return nksolve.CSR(row_ptr, cols[keep], vals[keep], shape=(N, N))


def new_solver(method):
    """A solver with `method`, restart 30, rtol 1e-8 and 10 recycled vectors."""
    return nksolve.Krylov(method, rtol=1e-8, restart=30, recycle_dim=10)


def sequence_status(order, reports):
    """What nks_krylov_solve_sequence returned: the first non-OK status in solve order, else 0."""
    return next((int(reports[i].status) for i in order if reports[i].status != nksolve.Status.OK), 0)


def solve_first_system(solver, A0, b0):
    """Solves system 0 on `solver`; returns the iterations."""
    solver.set_operator(A0)  # a new operator: the recycled space is re-fitted first
    _, rep = solver.solve(b0)
    return rep.iterations


def main():
    matrices = [system_matrix(s) for s in range(SYSTEMS)]
    B = np.ones((N, SYSTEMS), order="F")  # one column per system
    features = np.array([beta(s) for s in range(SYSTEMS)])  # 1 x 8: one feature per system

    # 1. GMRES(30): every system from scratch, in the natural order.
    gmres = new_solver("gmres")
    _, order, reports = gmres.solve_sequence(matrices, B)
    status = sequence_status(order, reports)
    print(f"gmres status={status} total_iterations={sum(r.iterations for r in reports)}")
    failed = status != 0

    # 2. GCRO-DR(30, 10) in the SKR order of the features.
    gcrodr = new_solver("gcrodr")
    _, order, reports = gcrodr.solve_sequence(matrices, B, features=features)
    status = sequence_status(order, reports)
    total = sum(r.iterations for r in reports)
    print(f"gcrodr status={status} total_iterations={total} order={','.join(str(i) for i in order)}")
    for s, r in enumerate(reports):
        print(f"system_{s} iterations={r.iterations} residual={r.residual_norm:.6e}")
    failed |= status != 0

    # 3. Save the recycled space, load it into a fresh solver, and solve system 0 with both.
    saved = gcrodr.save_recycled()
    print(f"saved bytes={len(saved)}")
    resumed = new_solver("gcrodr")
    resumed.load_recycled(saved)
    k_resumed = solve_first_system(resumed, matrices[0], B[:, 0])
    k_original = solve_first_system(gcrodr, matrices[0], B[:, 0])
    print(f"resumed iterations={k_resumed} original={k_original}")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except nksolve.NKSolveError as e:
        print(f"nksolve failed: {e}", file=sys.stderr)
        sys.exit(1)

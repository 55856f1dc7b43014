#!/usr/bin/env python3
"""Learning SOR's relaxation parameter across a sequence of systems, from Python. Prints the
same lines as the Rust reference (examples/rust/sor_bandit.rs) and the C, C++, Fortran and
Julia examples.

  A_t = L + c_t I, L the 5-point Laplacian on a 10 x 10 grid (stencil [-1 -1 4 -1 -1]),
  c_t in [-0.1, 0.4] from a fixed pseudo-random sequence (the "context" of system t),
  b = 1, x0 = 0, tolerance 1e-8 on ||r|| / ||r0||, 400 systems.

The ChebCB learner chooses omega from 20 values on [1, 1.95] for each system, given c_t, and
learns from the iteration count. Halfway through, the learner is saved to bytes and restored
(what a restarted simulation does) and the solves continue on the copy.

Output:
  solve_T context=C omega=W iterations=K status=S     (every 50 systems)
  total iterations=K solves=T
  probabilities_low context=-0.05 p=p0,p1,...          (the learned distribution at c = -0.05)
  probabilities_high context=0.35 p=...                (and at c = 0.35)

Run from the repository root: python3 examples/python/sor_bandit.py
(the library is found through NKSOLVE_LIBRARY or the repository's target/release folder).
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bindings", "python"))

import nksolve  # noqa: E402

NX = 10
N = NX * NX
SYSTEMS = 400
ARMS = 20
UINT64_MASK = 2**64 - 1


def shifted_laplacian(c):
    """L + c I as an nksolve.CSR (0-based arrays, columns in increasing order)."""
    j, i = np.divmod(np.arange(N), NX)  # node p = i + NX * j
    p = np.arange(N)
    # Per node, the five candidate neighbours in column order (south, west, centre, east,
    # north) and whether each exists.
    cols = np.stack([p - NX, p - 1, p, p + 1, p + NX], axis=1)
    vals = np.tile([-1.0, -1.0, 4.0 + c, -1.0, -1.0], (N, 1))
    keep = np.stack([j > 0, i > 0, np.ones(N, bool), i + 1 < NX, j + 1 < NX], axis=1)
    row_ptr = np.zeros(N + 1, dtype=np.int64)
    row_ptr[1:] = np.cumsum(keep.sum(axis=1))
    return nksolve.CSR(row_ptr, cols[keep], vals[keep], shape=(N, N))


class Contexts:
    """The context sequence: a 64-bit LCG (arithmetic mod 2^64) mapped to [-0.1, 0.4]."""

    def __init__(self, seed):
        self.state = seed

    def next(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & UINT64_MASK
        return -0.1 + 0.5 * float(self.state >> 11) * (1.0 / 9007199254740992.0)


def print_probabilities(bandit, name, context):
    p = bandit.probabilities(context)
    print(f"{name} context={context:.2f} p={','.join(f'{v:.4f}' for v in p)}")


def main():
    b = np.ones(N)
    contexts = Contexts(12345)
    bandit = nksolve.SorBandit("chebcb", ARMS, 1.0, 1.95, seed=2024, context_min=-0.1, context_max=0.4, tol=1e-8)
    total = 0
    failed = False
    for t in range(SYSTEMS):
        c = contexts.next()
        with shifted_laplacian(c) as A:
            _, report = bandit.solve(A, b, c)  # starts from zero (option use_initial_guess = 0)
        total += report.iterations
        failed |= not report.converged
        if t % 50 == 0:
            print(f"solve_{t} context={c:.4f} omega={report.omega:.4f} iterations={report.iterations} status={int(report.status)}")
        if t == SYSTEMS // 2:
            # Save and restore, as a restarted simulation would; continue on the copy.
            restored = nksolve.SorBandit.load(bandit.save())
            bandit.close()
            bandit = restored
    print(f"total iterations={total} solves={SYSTEMS}")
    print_probabilities(bandit, "probabilities_low", -0.05)
    print_probabilities(bandit, "probabilities_high", 0.35)
    bandit.close()
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except nksolve.NKSolveError as e:
        print(f"nksolve failed: {e}", file=sys.stderr)
        sys.exit(1)

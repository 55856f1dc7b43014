#!/usr/bin/env python3
"""scipy side of the `krylov_recycling` benchmark: GCROT(m, k) with its `CU` recycling over a
sequence of systems (benches/krylov_recycling.rs runs it as a subprocess).

Usage: python3 benches/scipy_gcrotmk.py SYSTEMS_FILE [--m 40] [--k 20]

SYSTEMS_FILE is the format of benches/petsc_krylov.py. The systems are solved in file order
with scipy.sparse.linalg.gcrotmk(A, b, rtol=1e-8, atol=0, m, k, CU=cu, discard_C=True): `cu`
is carried from one system to the next, and discard_C makes scipy recompute C = A U for each
new matrix (scipy's documented way to recycle across different matrices). The CSR matrices
are built before timing; each gcrotmk call is timed. Operator applications are counted through
a LinearOperator wrapper (the wrapper's Python overhead is part of scipy's time).

Output: one JSON object {"scipy_version", "seconds", "matvecs", "relres": [...], "info": [...]}.
Exit status 1 if a solve did not converge.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import scipy
import scipy.sparse as sp
import scipy.sparse.linalg as spla

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from petsc_krylov import read_systems  # noqa: E402  (the one reader of the file format)

RTOL = 1e-8


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("systems_file")
    ap.add_argument("--m", type=int, default=40)
    ap.add_argument("--k", type=int, default=20)
    args = ap.parse_args()
    systems = read_systems(args.systems_file)
    cu = []
    total, matvecs, relres, info = 0.0, 0, [], []
    for row_ptr, col_idx, values, b in systems:
        n = len(b)
        a = sp.csr_matrix((values, col_idx, row_ptr), shape=(n, n))
        count = [0]

        def mv(v, a=a, count=count):
            count[0] += 1
            return a @ v

        op = spla.LinearOperator((n, n), matvec=mv, dtype=np.float64)
        t0 = time.perf_counter()
        x, code = spla.gcrotmk(op, b, rtol=RTOL, atol=0.0, maxiter=5000, m=args.m, k=args.k, CU=cu, discard_C=True)
        total += time.perf_counter() - t0
        matvecs += count[0]
        relres.append(float(np.linalg.norm(b - a @ x) / np.linalg.norm(b)))
        info.append(int(code))
    print(json.dumps({"scipy_version": scipy.__version__, "seconds": total, "matvecs": matvecs, "relres": relres, "info": info}))
    bad = [i for i, c in enumerate(info) if c != 0]
    if bad:
        print(f"scipy_gcrotmk.py: systems {bad} did not converge", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

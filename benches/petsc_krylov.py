#!/usr/bin/python3
"""PETSc side of the `krylov_basic` and `krylov_recycling` benchmarks (run as a subprocess).

Usage (Debian's python3 with python3-petsc4py; PETSC_DIR must name the installed PETSc):

    PETSC_DIR=/usr/lib/petscdir/petsc3.18/x86_64-linux-gnu-real \\
        /usr/bin/python3 benches/petsc_krylov.py SYSTEMS_FILE [--repeats N] [--max-it K]
    PETSC_DIR=... /usr/bin/python3 benches/petsc_krylov.py --selftest

SYSTEMS_FILE (written by the Rust bench, little-endian): int64 count; then per system:
int64 n, int64 nnz, int64 row_ptr[n+1] (0-based), int64 col_idx[nnz], float64 values[nnz],
float64 b[n].

For every system a sequential AIJ matrix is built from the CSR arrays, then for CG and
GMRES(40): PC none, rtol 1e-8, atol 1e-50 (i.e. none), max_it 10000, zero initial guess. The
KSP is set up before timing; only ksp.solve(b, x) is timed (time.perf_counter); MatMult calls
are counted with PETSc's own event log. With
--repeats N the whole pass over the systems is repeated N times and the fastest pass is
reported, as the Rust side does.

Output: ONE JSON object on stdout:
    {"petsc_version": "3.18.5", "repeats": N, "systems": K,
     "cg":      {"seconds": total, "matvecs": total, "iterations": [...], "relres": [...], "reasons": [...]},
     "gmres40": {...}}
where relres = ||b - A x|| / ||b|| computed with the assembled matrix, and reasons are PETSc's
KSPConvergedReason codes (> 0: converged). Exit status 1 if any solve did not converge.
--selftest builds small Poisson systems itself, round-trips them through the file format, and
also checks the result (converged, relres <= rtol).
"""

import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np

RTOL = 1e-8
ATOL = 1e-50
MAX_IT = 10000
RESTART = 40
METHODS = (("cg", "cg", None), ("gmres40", "gmres", RESTART))


def _petsc():
    if not os.environ.get("PETSC_DIR"):
        sys.exit("petsc_krylov.py: set PETSC_DIR (e.g. /usr/lib/petscdir/petsc3.18/x86_64-linux-gnu-real)")
    import petsc4py

    petsc4py.init([sys.argv[0]])  # no command-line options reach PETSc
    from petsc4py import PETSc

    return PETSc


def read_systems(path):
    """The systems in SYSTEMS_FILE as a list of (row_ptr, col_idx, values, b)."""
    data = open(path, "rb").read()
    pos = 0

    def take(dtype, count):
        nonlocal pos
        size = np.dtype(dtype).itemsize * count
        if pos + size > len(data):
            sys.exit(f"petsc_krylov.py: {path} is truncated at byte {pos} (wanted {size} more)")
        a = np.frombuffer(data, dtype=dtype, count=count, offset=pos)
        pos += size
        return a

    (count,) = take("<i8", 1)
    systems = []
    for k in range(int(count)):
        n, nnz = (int(v) for v in take("<i8", 2))
        row_ptr = take("<i8", n + 1)
        col_idx = take("<i8", nnz)
        values = take("<f8", nnz)
        b = take("<f8", n)
        if row_ptr[0] != 0 or row_ptr[-1] != nnz:
            sys.exit(f"petsc_krylov.py: system {k}: row_ptr[0] = {row_ptr[0]}, row_ptr[n] = {row_ptr[-1]}, nnz = {nnz}")
        systems.append((row_ptr, col_idx, values, b))
    if pos != len(data):
        sys.exit(f"petsc_krylov.py: {len(data) - pos} trailing bytes in {path}")
    return systems


def write_systems(path, systems):
    """Writes systems in the SYSTEMS_FILE format (used by --selftest)."""
    with open(path, "wb") as f:
        f.write(np.array([len(systems)], "<i8").tobytes())
        for row_ptr, col_idx, values, b in systems:
            f.write(np.array([len(b), len(values)], "<i8").tobytes())
            f.write(np.asarray(row_ptr, "<i8").tobytes())
            f.write(np.asarray(col_idx, "<i8").tobytes())
            f.write(np.asarray(values, "<f8").tobytes())
            f.write(np.asarray(b, "<f8").tobytes())


def poisson2d(nx):
    """0-based CSR arrays of the 5-point Laplacian (4 on the diagonal, -1 to the neighbours), b = 1."""
    row_ptr, col_idx, values = [0], [], []
    for j in range(nx):
        for i in range(nx):
            p = i + nx * j
            for q, ok, v in ((p - nx, j > 0, -1.0), (p - 1, i > 0, -1.0), (p, True, 4.0),
                             (p + 1, i + 1 < nx, -1.0), (p + nx, j + 1 < nx, -1.0)):
                if ok:
                    col_idx.append(q)
                    values.append(v)
            row_ptr.append(len(col_idx))
    n = nx * nx
    return np.array(row_ptr, np.int64), np.array(col_idx, np.int64), np.array(values), np.ones(n)


def run(PETSc, systems, repeats, max_it=MAX_IT, methods=METHODS):
    """Solves every system with every method; returns the JSON-ready result."""
    comm = PETSc.COMM_SELF
    itype = PETSc.IntType
    mats = []
    for row_ptr, col_idx, values, b in systems:
        n = len(b)
        if len(values) > np.iinfo(itype).max:
            sys.exit(f"petsc_krylov.py: nnz = {len(values)} does not fit PETSc's {np.dtype(itype)} indices")
        A = PETSc.Mat().createAIJ(
            size=(n, n),
            csr=(row_ptr.astype(itype), col_idx.astype(itype), np.ascontiguousarray(values, dtype=PETSc.ScalarType)),
            comm=comm,
        )
        A.assemble()
        bv = A.createVecLeft()
        bv.setArray(np.ascontiguousarray(b, dtype=PETSc.ScalarType))
        mats.append((A, bv))

    v = PETSc.Sys.getVersion()
    result = {"petsc_version": ".".join(map(str, v)), "repeats": repeats, "systems": len(systems)}
    for key, ksp_type, restart in methods:
        solvers = []
        for A, bv in mats:
            ksp = PETSc.KSP().create(comm=comm)
            ksp.setOperators(A)
            ksp.setType(ksp_type)
            if restart is not None:
                ksp.setGMRESRestart(restart)
            ksp.getPC().setType("none")
            ksp.setTolerances(rtol=RTOL, atol=ATOL, max_it=max_it)
            ksp.setInitialGuessNonzero(False)
            ksp.setUp()
            solvers.append((ksp, A, bv, A.createVecRight()))
        best = None
        mult = PETSc.Log.Event("MatMult")
        for _ in range(repeats):
            total, its, relres, reasons, matvecs = 0.0, [], [], [], 0
            for ksp, A, bv, x in solvers:
                x.set(0.0)
                before = mult.getPerfInfo()["count"]
                t0 = time.perf_counter()
                ksp.solve(bv, x)
                total += time.perf_counter() - t0
                matvecs += int(mult.getPerfInfo()["count"] - before)
                r = A.createVecLeft()
                A.mult(x, r)
                r.aypx(-1.0, bv)  # r = b - A x
                its.append(int(ksp.getIterationNumber()))
                relres.append(float(r.norm() / bv.norm()))
                reasons.append(int(ksp.getConvergedReason()))
            if best is None or total < best["seconds"]:
                best = {"seconds": total, "matvecs": matvecs, "iterations": its, "relres": relres, "reasons": reasons}
        for ksp, *_ in solvers:
            ksp.destroy()
        result[key] = best
    for A, bv in mats:
        A.destroy()
        bv.destroy()
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("systems_file", nargs="?", help="binary systems file written by benches/krylov_basic.rs")
    ap.add_argument("--repeats", type=int, default=1, help="passes over the systems; the fastest is reported")
    ap.add_argument("--methods", default="cg,gmres40", help="comma-separated subset of cg, gmres40")
    ap.add_argument("--max-it", type=int, default=MAX_IT, help="iteration limit per solve")
    ap.add_argument("--selftest", action="store_true", help="solve generated Poisson systems and check the results")
    args = ap.parse_args()
    if args.repeats < 1:
        ap.error("--repeats must be >= 1")
    if args.selftest == (args.systems_file is not None):
        ap.error("give either SYSTEMS_FILE or --selftest")
    PETSc = _petsc()
    PETSc.Log.begin()

    if args.selftest:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "poisson.bin")
            originals = [poisson2d(32), poisson2d(16)]
            write_systems(path, originals)
            systems = read_systems(path)
            for got, want in zip(systems, originals):
                assert all(np.array_equal(g, w) for g, w in zip(got, want)), "file format round trip"
    else:
        systems = read_systems(args.systems_file)

    wanted = args.methods.split(",")
    unknown = set(wanted) - {m[0] for m in METHODS}
    if unknown:
        ap.error(f"unknown methods {sorted(unknown)}; known: cg, gmres40")
    methods = [m for m in METHODS if m[0] in wanted]
    result = run(PETSc, systems, args.repeats, args.max_it, methods)
    print(json.dumps(result))
    ok = True
    for key, _, _ in methods:
        for k, (reason, rel) in enumerate(zip(result[key]["reasons"], result[key]["relres"])):
            if reason <= 0 or (args.selftest and rel > RTOL * 1.01):
                print(f"petsc_krylov.py: {key} system {k}: reason {reason}, relres {rel:.3e}", file=sys.stderr)
                ok = False
    if args.selftest and ok:
        print(f"selftest ok: cg iterations {result['cg']['iterations']}, gmres40 iterations "
              f"{result['gmres40']['iterations']}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

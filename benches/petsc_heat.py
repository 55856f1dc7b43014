#!/usr/bin/python3
"""PETSc side of the heat-equation setting of the `sor_bandit` benchmark (run as a subprocess).

Usage (Debian's python3 with python3-petsc4py; PETSC_DIR must name the installed PETSc):

    PETSC_DIR=/usr/lib/petscdir/petsc3.18/x86_64-linux-gnu-real \\
        /usr/bin/python3 benches/petsc_heat.py HEAT_FILE [--methods cg,cg_sor]

HEAT_FILE (written by benches/sor_bandit.rs, little-endian): int64 nx, int64 steps; float64 dt,
float64 s[steps], float64 f[nx*nx], float64 u0[nx*nx]. Unknown i + nx*j is grid point
(i+1, j+1) h, h = 1/(nx+1).

The script rebuilds the sequence itself: P = h^2 times the 5-point -Laplace (4 on the diagonal,
-1 to the neighbours, homogeneous Dirichlet), and for step k

    A_k = I + (s_k / 2) P,    b_k = (I - (s_k / 2) P) u_k + dt f,    A_k u_{k+1} = b_k

(Crank-Nicolson for u_t = kappa Laplace(u) + f with s_k = dt kappa_k / h^2). Each method marches
the whole sequence from u0, warm-starting every solve from the previous step's solution:

    cg      KSPCG, PC none
    cg_sor  KSPCG, PCSOR with omega = 1 (PETSc's default local symmetric sweep: SSOR-PCG)

Both stop at ||b - A x|| <= 1e-8 ||b - A x0||: unpreconditioned residual norm, relative to the
initial residual (KSPConvergedDefaultSetUIRNorm through -ksp_converged_use_initial_residual_norm),
atol 0, max_it 100000, as nksolve's SSOR-PCG. The matrix values and the right-hand side are
updated outside the clock; only ksp.solve (which includes the PC set-up for the new matrix) is
timed (time.perf_counter; time.thread_time for the CPU seconds). One process, one thread.

Output: ONE JSON object on stdout:
    {"petsc_version": "3.18.5", "nx": nx, "steps": K,
     "cg":     {"seconds": total, "cpu": total, "iterations": total, "norm": ||u_K||_2, "max_relres": r},
     "cg_sor": {...}}
where max_relres is the largest ||b - A x|| / ||b - A x0|| over the steps, checked with the
assembled matrix on the first, the middle and the last step (outside the clock). Exit status 1 if a
solve did not converge. With NKS_PETSC_VIEW set, each KSP is printed (ksp.view) on stderr.
"""

import argparse
import json
import os
import sys
import time

import numpy as np

RTOL = 1e-8
MAX_IT = 100000
METHODS = {"cg": "none", "cg_sor": "sor"}


def _petsc():
    if not os.environ.get("PETSC_DIR"):
        sys.exit("petsc_heat.py: set PETSC_DIR (e.g. /usr/lib/petscdir/petsc3.18/x86_64-linux-gnu-real)")
    import petsc4py

    petsc4py.init([sys.argv[0]])  # no command-line options reach PETSc
    from petsc4py import PETSc

    return PETSc


def read_heat(path):
    data = open(path, "rb").read()
    nx, steps = (int(v) for v in np.frombuffer(data, "<i8", 2))
    n = nx * nx
    want = 16 + 8 * (1 + steps + 2 * n)
    if len(data) != want:
        sys.exit(f"petsc_heat.py: {path} has {len(data)} bytes; nx = {nx}, steps = {steps} need {want}")
    rest = np.frombuffer(data, "<f8", offset=16)
    dt, s, f, u0 = rest[0], rest[1 : 1 + steps], rest[1 + steps : 1 + steps + n], rest[1 + steps + n :]
    return nx, float(dt), s.copy(), f.copy(), u0.copy()


def poisson2d(nx):
    """0-based CSR arrays of P (4 on the diagonal, -1 to the neighbours) and the diagonal positions."""
    row_ptr, col_idx, values, diag = [0], [], [], []
    for j in range(nx):
        for i in range(nx):
            p = i + nx * j
            for q, ok, v in ((p - nx, j > 0, -1.0), (p - 1, i > 0, -1.0), (p, True, 4.0),
                             (p + 1, i + 1 < nx, -1.0), (p + nx, j + 1 < nx, -1.0)):
                if ok:
                    if q == p:
                        diag.append(len(col_idx))
                    col_idx.append(q)
                    values.append(v)
            row_ptr.append(len(col_idx))
    return np.array(row_ptr), np.array(col_idx), np.array(values), np.array(diag)


def march(PETSc, method, nx, dt, s, f, u0):
    comm = PETSc.COMM_SELF
    itype, stype = PETSc.IntType, PETSc.ScalarType
    n = nx * nx
    row_ptr, col_idx, pvals, diag = poisson2d(nx)
    rp, ci = row_ptr.astype(itype), col_idx.astype(itype)
    P = PETSc.Mat().createAIJ(size=(n, n), csr=(rp, ci, pvals.astype(stype)), comm=comm)
    P.assemble()
    A = PETSc.Mat().createAIJ(size=(n, n), csr=(rp, ci, pvals.astype(stype)), comm=comm)
    A.assemble()

    # petsc4py 3.18 has no setters for these: they go through the options database, under a
    # prefix of this KSP's own, and are removed again after setFromOptions has read them.
    prefix = f"heat_{method}_"
    settings = {"ksp_converged_use_initial_residual_norm": "true"}
    if METHODS[method] == "sor":
        settings.update({"pc_sor_omega": "1.0", "pc_sor_local_symmetric": "true", "pc_sor_its": "1", "pc_sor_lits": "1"})
    opts = PETSc.Options()
    for key, value in settings.items():
        opts[prefix + key] = value
    ksp = PETSc.KSP().create(comm=comm)
    ksp.setOptionsPrefix(prefix)
    ksp.setType("cg")
    ksp.getPC().setType(METHODS[method])
    ksp.setNormType(PETSc.KSP.NormType.UNPRECONDITIONED)
    ksp.setTolerances(rtol=RTOL, atol=0.0, max_it=MAX_IT)
    ksp.setInitialGuessNonzero(True)
    ksp.setFromOptions()
    for key in settings:
        del opts[prefix + key]
    if os.environ.get("NKS_PETSC_VIEW"):
        ksp.setOperators(A)
        ksp.view(PETSc.Viewer.STDERR(comm))

    u, b, pu, r = A.createVecRight(), A.createVecLeft(), A.createVecLeft(), A.createVecLeft()
    u.setArray(u0)
    fdt = dt * f
    total, cpu, its, max_relres = 0.0, 0.0, 0, 0.0
    check = {0, len(s) // 2, len(s) - 1}
    for k, sk in enumerate(s):
        vals = 0.5 * sk * pvals
        vals[diag] += 1.0
        A.setValuesCSR(rp, ci, vals.astype(stype))
        A.assemble()
        P.mult(u, pu)
        b.setArray(u.getArray(readonly=True) - 0.5 * sk * pu.getArray(readonly=True) + fdt)
        if k in check:
            A.mult(u, r)
            r.aypx(-1.0, b)
            r0 = r.norm()
        ksp.setOperators(A)
        t0, c0 = time.perf_counter(), time.thread_time()
        ksp.solve(b, u)
        total += time.perf_counter() - t0
        cpu += time.thread_time() - c0
        its += ksp.getIterationNumber()
        if ksp.getConvergedReason() <= 0:
            print(f"petsc_heat.py: {method} step {k}: reason {ksp.getConvergedReason()}", file=sys.stderr)
            return None
        if k in check:
            A.mult(u, r)
            r.aypx(-1.0, b)
            max_relres = max(max_relres, r.norm() / r0)
    result = {"seconds": total, "cpu": cpu, "iterations": int(its), "norm": float(u.norm()), "max_relres": float(max_relres)}
    for o in (ksp, A, P, u, b, pu, r):
        o.destroy()
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("heat_file", help="binary file written by benches/sor_bandit.rs")
    ap.add_argument("--methods", default="cg,cg_sor", help="comma-separated subset of cg, cg_sor")
    args = ap.parse_args()
    wanted = args.methods.split(",")
    unknown = set(wanted) - set(METHODS)
    if unknown:
        ap.error(f"unknown methods {sorted(unknown)}; known: {', '.join(METHODS)}")
    PETSc = _petsc()
    nx, dt, s, f, u0 = read_heat(args.heat_file)
    v = PETSc.Sys.getVersion()
    result = {"petsc_version": ".".join(map(str, v)), "nx": nx, "steps": len(s)}
    ok = True
    for method in wanted:
        r = march(PETSc, method, nx, dt, s, f, u0)
        if r is None:
            ok = False
            continue
        result[method] = r
    print(json.dumps(result))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

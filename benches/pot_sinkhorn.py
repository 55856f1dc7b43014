"""Peers of `cargo bench --bench sinkhorn`: POT and RegOT on the problem the bench wrote.

Usage: pot_sinkhorn.py FILE EPS TOL BUDGET_SECONDS SINKHORN_ITERATIONS

FILE holds (little-endian) n, m, d as int64, then x (n x d, row-major) and y (m x d) as float64.
The cost is squared Euclidean (ot.dist), weights uniform. Prints one JSON object per line:
{"name", "iterations", "seconds", "l1_error", "cost", "extrapolated", "note"}.

Each peer stops on its own criterion with threshold TOL (POT: the L2 norm of the column marginal
error, checked every 10 iterations; RegOT: its marginal error); the L1 marginal error of the
plan it returns is computed here. A Sinkhorn-type peer (POT's log-domain Sinkhorn, RegOT's BCD,
which is Sinkhorn) whose first 20 iterations show that it would run longer than BUDGET_SECONDS is
not run to the end: its time per iteration is extrapolated to SINKHORN_ITERATIONS, the count
nksolve's Sinkhorn needed on the same problem (the same iteration in another arithmetic); such
rows say "extrapolated": true. Newton-type peers are capped at the iterations that fit the budget.
"""
import json
import sys
import time
import warnings

import numpy as np


def main():
    path, eps, tol, budget = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    sinkhorn_iterations = int(sys.argv[5])
    raw = open(path, "rb").read()
    n, m, d = np.frombuffer(raw[:24], dtype="<i8")
    x = np.frombuffer(raw[24:24 + 8 * n * d], dtype="<f8").reshape(n, d)
    y = np.frombuffer(raw[24 + 8 * n * d:], dtype="<f8").reshape(m, d)
    import ot

    M = ot.dist(x, y)
    a, b = np.full(n, 1.0 / n), np.full(m, 1.0 / m)

    def l1(P):
        if P is None or not np.all(np.isfinite(P)):
            return float("nan")
        return float(np.abs(P.sum(1) - a).sum() + np.abs(P.sum(0) - b).sum())

    def emit(name, iterations, seconds, P, extrapolated=False, note=""):
        cost = float((P * M).sum()) if P is not None and np.all(np.isfinite(P)) else float("nan")
        print(json.dumps({"name": name, "iterations": int(iterations), "seconds": seconds, "l1_error": l1(P),
                          "cost": cost, "extrapolated": extrapolated, "note": note}), flush=True)

    # POT plain (kernel-domain) Sinkhorn: fast, but exp(-C/eps) underflows at small eps.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        P, log = ot.sinkhorn(a, b, M, eps, method="sinkhorn", stopThr=tol, numItermax=1_000_000, log=True)
        plain_seconds = time.perf_counter() - t
    plain_iterations = int(log["niter"])
    note = "" if np.all(np.isfinite(P)) and l1(P) < 1e-3 else "underflow: no usable plan"
    emit("POT sinkhorn", plain_iterations, plain_seconds, P, note=note)

    def budgeted(name, run, per_iteration_probe):
        """Runs `run()`; extrapolates when the probe says the full run exceeds the budget."""
        t = time.perf_counter()
        per_iteration_probe()
        probe_seconds, probe_iterations = time.perf_counter() - t, PROBE
        per_iteration = probe_seconds / probe_iterations
        full = sinkhorn_iterations
        if per_iteration * full > budget:
            emit(name, full, per_iteration * full, None, extrapolated=True,
                 note=f"{probe_iterations} iterations took {probe_seconds:.2f} s")
            return
        t = time.perf_counter()
        iterations, P = run()
        emit(name, iterations, time.perf_counter() - t, P)

    PROBE = 20
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        def pot_log():
            P, log = ot.sinkhorn(a, b, M, eps, method="sinkhorn_log", stopThr=tol, numItermax=1_000_000, log=True)
            return int(log["niter"]), P

        budgeted("POT sinkhorn_log", pot_log,
                 lambda: ot.sinkhorn(a, b, M, eps, method="sinkhorn_log", stopThr=0.0, numItermax=PROBE))

    try:
        import regot
    except ImportError:
        print(json.dumps({"name": "RegOT", "note": "regot not installed"}))
        return
    Mf = np.asfortranarray(M)

    def bcd():
        r = regot.sinkhorn_bcd(Mf, a, b, eps, tol=tol, max_iter=1_000_000)
        return r.niter, r.plan

    budgeted("RegOT sinkhorn_bcd", bcd, lambda: regot.sinkhorn_bcd(Mf, a, b, eps, tol=0.0, max_iter=PROBE))
    for fname, label in [("sinkhorn_ssns", "RegOT sinkhorn_ssns"), ("sinkhorn_sparse_newton", "RegOT sinkhorn_sparse_newton")]:
        f = getattr(regot, fname)
        t = time.perf_counter()
        probe = f(Mf, a, b, eps, tol=0.0, max_iter=5)
        per_iteration = (time.perf_counter() - t) / 5
        # Newton-type peers need far fewer iterations than Sinkhorn: cap them by the budget only.
        cap = max(5, int(budget / max(per_iteration, 1e-9)))
        t = time.perf_counter()
        r = f(Mf, a, b, eps, tol=tol, max_iter=cap)
        seconds = time.perf_counter() - t
        converged = r.niter < cap
        emit(label, r.niter, seconds, r.plan, note="" if converged else f"stopped by the {budget:.0f} s budget (not converged)")


if __name__ == "__main__":
    main()

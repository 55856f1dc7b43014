"""Tests of the nksolve Python binding against scipy's direct solver and the C API's contracts.

Run from the repository root:  python3 -m pytest -q bindings/python/tests
(set NKSOLVE_LIBRARY to pick a library file; otherwise the repository's target/release is used).
"""

import ctypes
import math
import os
import re
import sys

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import nksolve  # noqa: E402
from nksolve import NKSolveError, Status, Termination  # noqa: E402


# ---------------------------------------------------------------------------------------------
# Test problems
# ---------------------------------------------------------------------------------------------


def poisson2d(nx):
    """5-point Laplacian (stencil 4, -1), n = nx^2, symmetric positive definite."""
    T = sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(nx, nx))
    I = sp.identity(nx)
    return (sp.kron(I, T) + sp.kron(T, I)).tocsr()


def convection_diffusion(nx, velocity=(20.0, 10.0)):
    """-div(k grad u) + v . grad u on the unit square, upwind convection, Dirichlet boundary.

    The diffusion coefficient varies from 1 to 100 across the domain, so the diagonal varies and
    Jacobi is a real preconditioner (with a constant diagonal it would be a mere rescaling).
    Nonsymmetric, an M-matrix.
    """
    h = 1.0 / (nx + 1)
    j, i = np.divmod(np.arange(nx * nx), nx)  # node p = i + nx * j
    xs, ys = (i + 1) * h, (j + 1) * h
    k = 1.0 + 99.0 * (np.sin(np.pi * xs) * np.sin(np.pi * ys)) ** 2
    vx, vy = velocity
    rows, cols, vals = [np.arange(nx * nx)], [np.arange(nx * nx)], [4 * k / h**2 + (abs(vx) + abs(vy)) / h]
    for di, dj, v in ((-1, 0, vx), (1, 0, -vx), (0, -1, vy), (0, 1, -vy)):
        ok = (i + di >= 0) & (i + di < nx) & (j + dj >= 0) & (j + dj < nx)
        rows.append(np.flatnonzero(ok))
        cols.append((i + di + nx * (j + dj))[ok])
        vals.append((-k / h**2 - max(v, 0.0) / h)[ok])
    n = nx * nx
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))


@pytest.fixture(scope="module")
def poisson():
    return poisson2d(20)


@pytest.fixture(scope="module")
def convdiff():
    A = convection_diffusion(24)
    assert abs(A - A.T).max() > 1.0, "the convection-diffusion matrix must be nonsymmetric"
    return A


def rhs(n):
    return np.sin(np.arange(1, n + 1)) + 1.5


def relerr(x, ref):
    return np.linalg.norm(x - ref) / np.linalg.norm(ref)


# ---------------------------------------------------------------------------------------------
# Solutions
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, problem",
    [("cg", "poisson"), ("gmres", "poisson"), ("fgmres", "poisson"), ("gmres", "convdiff"), ("fgmres", "convdiff")],
)
def test_solution_matches_spsolve(method, problem, request):
    A = request.getfixturevalue(problem)
    b = rhs(A.shape[0])
    solver = nksolve.Krylov(method, rtol=1e-12, restart=50)
    solver.set_operator(A)
    x, report = solver.solve(b)
    assert report.status == Status.OK and report.converged
    assert report.termination == Termination.CONVERGED_RTOL
    assert relerr(x, spla.spsolve(A.tocsc(), b)) < 1e-8


@pytest.mark.parametrize("precond", ["jacobi", "ilu0"])
@pytest.mark.parametrize("side", ["left", "right"])
def test_preconditioned_gmres_matches_spsolve(convdiff, precond, side):
    b = rhs(convdiff.shape[0])
    solver = nksolve.Krylov("gmres", rtol=1e-12, preconditioner_side=side)
    solver.set_operator(nksolve.CSR.from_scipy(convdiff))
    solver.set_preconditioner(precond)
    x, report = solver.solve(b)
    assert report.converged
    assert relerr(x, spla.spsolve(convdiff.tocsc(), b)) < 1e-8


def test_matrix_free_fgmres_with_python_preconditioner(convdiff):
    b = rhs(convdiff.shape[0])
    d = convdiff.diagonal()
    calls = {"matvec": 0, "precond": 0}

    def matvec(x):
        calls["matvec"] += 1
        assert not x.flags.writeable  # the library's input vector is a read-only view
        return convdiff @ x

    def precond(r):
        calls["precond"] += 1
        return r / d

    solver = nksolve.Krylov("fgmres", rtol=1e-12, restart=40)
    solver.set_operator(n=convdiff.shape[0], matvec=matvec)
    solver.set_preconditioner(precond)
    x, report = solver.solve(b)
    assert report.converged
    assert relerr(x, spla.spsolve(convdiff.tocsc(), b)) < 1e-8
    assert report.matvecs == calls["matvec"] and report.precond_applies == calls["precond"] > 0


def test_linear_operator_is_used_matrix_free(poisson):
    b = rhs(poisson.shape[0])
    solver = nksolve.Krylov("cg", rtol=1e-12)
    solver.set_operator(spla.aslinearoperator(poisson))
    x, report = solver.solve(b)
    assert relerr(x, spla.spsolve(poisson.tocsc(), b)) < 1e-8


def test_ilu0_and_jacobi_reduce_iterations(convdiff):
    b = rhs(convdiff.shape[0])
    iterations = {}
    for precond in ("none", "jacobi", "ilu0"):
        solver = nksolve.Krylov("gmres", rtol=1e-10, restart=30)
        solver.set_operator(convdiff)
        solver.set_preconditioner(precond)
        _, report = solver.solve(b)
        assert report.converged, precond
        iterations[precond] = report.iterations
    assert iterations["ilu0"] < iterations["jacobi"] < iterations["none"], iterations
    assert iterations["ilu0"] * 4 < iterations["none"], iterations


def test_warm_start_from_the_solution_needs_no_iterations(poisson):
    b = rhs(poisson.shape[0])
    solver = nksolve.Krylov("cg", rtol=1e-10)
    solver.set_operator(poisson)
    x, first = solver.solve(b)
    x2, second = solver.solve(b, x0=x)
    assert first.iterations > 10
    assert second.iterations == 0 and second.converged
    np.testing.assert_array_equal(x2, x)


def test_iteration_limit_returns_the_last_iterate(poisson):
    b = rhs(poisson.shape[0])
    solver = nksolve.Krylov("gmres", max_iterations=5)
    solver.set_operator(poisson)
    x, report = solver.solve(b)
    assert report.status == Status.MAX_ITERATIONS and not report.converged
    assert report.termination == Termination.MAX_ITERATIONS and report.iterations == 5
    assert np.linalg.norm(b - poisson @ x) == pytest.approx(report.residual_norm, rel=1e-10)
    # GMRES minimises the residual over the Krylov space: the iterate beats x = 0 ...
    assert report.residual_norm < 0.9 * np.linalg.norm(b)
    # ... and five more iterations from it do better still.
    _, more = solver.solve(b, x0=x)
    assert more.residual_norm < report.residual_norm


# ---------------------------------------------------------------------------------------------
# Callbacks: exceptions and the monitor
# ---------------------------------------------------------------------------------------------


def test_matvec_exception_is_reraised_and_x0_untouched(poisson):
    n = poisson.shape[0]
    calls = []

    def bad_matvec(x):
        calls.append(1)
        if len(calls) == 3:
            raise ValueError("stencil blew up")
        return poisson @ x

    solver = nksolve.Krylov("cg")
    solver.set_operator(n=n, matvec=bad_matvec)
    x0 = np.full(n, 0.25)
    before = x0.copy()
    with pytest.raises(ValueError, match="stencil blew up") as info:
        solver.solve(rhs(n), x0=x0)
    np.testing.assert_array_equal(x0, before)
    context = info.value.__context__
    assert isinstance(context, NKSolveError) and context.status == Status.CALLBACK
    report = solver.report
    assert report.termination == Termination.CALLBACK_FAILED and report.callback_code == -1
    assert len(calls) == 3
    # The handle is usable afterwards.
    solver.set_operator(poisson)
    _, report = solver.solve(rhs(n))
    assert report.converged


def test_preconditioner_exception_is_reraised(poisson):
    def precond(r):
        raise KeyError("no such block")

    solver = nksolve.Krylov("gmres")
    solver.set_operator(poisson)
    solver.set_preconditioner(precond)
    with pytest.raises(KeyError, match="no such block"):
        solver.solve(rhs(poisson.shape[0]))


def test_keyboard_interrupt_in_a_callback_stops_the_solve(poisson):
    def matvec(x):
        raise KeyboardInterrupt

    solver = nksolve.Krylov("cg")
    solver.set_operator(n=poisson.shape[0], matvec=matvec)
    with pytest.raises(KeyboardInterrupt):
        solver.solve(rhs(poisson.shape[0]))


def test_callbacks_stay_alive_while_installed(poisson):
    import gc

    solver = nksolve.Krylov("cg", rtol=1e-10)
    solver.set_operator(n=poisson.shape[0], matvec=lambda x: poisson @ x)
    solver.set_preconditioner(lambda r: r / 4.0)
    solver.set_monitor(lambda r: True)
    gc.collect()  # only the solver references the lambdas and their C trampolines now
    x, report = solver.solve(rhs(poisson.shape[0]))
    assert report.converged and report.precond_applies > 0
    assert np.linalg.norm(rhs(poisson.shape[0]) - poisson @ x) == pytest.approx(report.residual_norm, rel=1e-8)


def test_callback_returning_a_wrong_shape_is_an_error(poisson):
    solver = nksolve.Krylov("cg")
    solver.set_operator(n=poisson.shape[0], matvec=lambda x: x[:-1])
    with pytest.raises(ValueError, match=r"shape \(399,\); expected \(400,\)"):
        solver.solve(rhs(poisson.shape[0]))


def test_monitor_returning_false_aborts(poisson):
    seen = []

    def monitor(report):
        seen.append(report)
        return report.iterations < 3

    solver = nksolve.Krylov("cg")
    solver.set_operator(poisson)
    solver.set_monitor(monitor)
    with pytest.raises(NKSolveError) as info:
        solver.solve(rhs(poisson.shape[0]))
    assert info.value.status == Status.ABORTED
    assert "monitor" in info.value.message
    assert [r.iterations for r in seen] == [1, 2, 3]
    assert solver.report.termination == Termination.MONITOR_STOP and solver.report.iterations == 3
    # Removing the monitor makes the handle solve normally again.
    solver.set_monitor(None)
    _, report = solver.solve(rhs(poisson.shape[0]))
    assert report.converged


def test_monitor_sees_the_residual_history(poisson):
    history = []
    solver = nksolve.Krylov("gmres", rtol=1e-10)
    solver.set_operator(poisson)
    solver.set_monitor(lambda r: history.append(r.residual_norm))  # None continues
    _, report = solver.solve(rhs(poisson.shape[0]))
    assert report.converged and len(history) == report.iterations
    # GMRES minimises the residual: the monitored norms never increase.
    assert all(b <= a * (1 + 1e-12) for a, b in zip(history, history[1:]))
    assert history[-1] <= 1e-10 * report.rhs_norm


def test_monitor_exception_is_reraised(poisson):
    def monitor(report):
        raise RuntimeError("checkpoint failed")

    solver = nksolve.Krylov("cg")
    solver.set_operator(poisson)
    solver.set_monitor(monitor)
    with pytest.raises(RuntimeError, match="checkpoint failed") as info:
        solver.solve(rhs(poisson.shape[0]))
    assert isinstance(info.value.__context__, NKSolveError)
    assert info.value.__context__.status == Status.ABORTED


# ---------------------------------------------------------------------------------------------
# Bad input: the status and a message naming the argument
# ---------------------------------------------------------------------------------------------


def test_nan_in_b_is_non_finite(poisson):
    solver = nksolve.Krylov("cg")
    solver.set_operator(poisson)
    b = rhs(poisson.shape[0])
    b[7] = np.nan
    with pytest.raises(NKSolveError) as info:
        solver.solve(b)
    assert info.value.status == Status.NON_FINITE
    assert "b[7]" in info.value.message


def test_wrong_length_is_dimension_mismatch(poisson):
    solver = nksolve.Krylov("cg")
    solver.set_operator(poisson)
    with pytest.raises(NKSolveError) as info:
        solver.solve(np.ones(399))
    assert info.value.status == Status.DIMENSION_MISMATCH
    assert "n = 399" in info.value.message and "400" in info.value.message
    with pytest.raises(NKSolveError) as info:
        solver.solve(np.ones(400), x0=np.zeros(3))
    assert info.value.status == Status.DIMENSION_MISMATCH and "x0" in info.value.message


def test_rtol_out_of_range_is_invalid_argument():
    with pytest.raises(NKSolveError) as info:
        nksolve.Krylov(rtol=2)
    assert info.value.status == Status.INVALID_ARGUMENT
    assert "rtol" in info.value.message and "[0, 1)" in info.value.message
    solver = nksolve.Krylov()
    with pytest.raises(NKSolveError) as info:
        solver.set_rtol(2.0)
    assert info.value.status == Status.INVALID_ARGUMENT and "rtol = 2" in info.value.message
    with pytest.raises(NKSolveError) as info:
        solver.set_max_iterations(-1)  # never wrapped around to a huge size_t
    assert info.value.status == Status.INVALID_ARGUMENT and "max_iterations" in info.value.message


def test_unknown_option_name():
    solver = nksolve.Krylov()
    with pytest.raises(NKSolveError) as info:
        solver.set_option("tolerance", 1e-6)
    assert info.value.status == Status.UNKNOWN_OPTION
    assert '"tolerance"' in info.value.message and "rtol" in info.value.message
    with pytest.raises(NKSolveError) as info:
        nksolve.Krylov(tolerance=1e-6)
    assert info.value.status == Status.UNKNOWN_OPTION
    # Known names work through the same path.
    solver.set_option("restart", 12)
    solver.set_option("method", "cg")


def test_csr_column_out_of_range_names_the_row():
    # Row 2 of a 3 x 3 matrix refers to column 3.
    with pytest.raises(NKSolveError) as info:
        nksolve.CSR([0, 1, 2, 4], [0, 1, 2, 3], [1.0, 1.0, 1.0, 1.0], shape=(3, 3))
    assert info.value.status == Status.INVALID_ARGUMENT
    assert re.search(r"\brow 2\b", info.value.message), info.value.message
    assert "nks_csr_new" in str(info.value)


def test_csr_short_arrays_are_rejected_before_the_library_reads_them():
    with pytest.raises(NKSolveError) as info:
        nksolve.CSR([0, 1, 2], [0], [1.0], shape=(2, 2))
    assert info.value.status == Status.DIMENSION_MISMATCH and "col_idx" in info.value.message
    with pytest.raises(NKSolveError) as info:
        nksolve.CSR([0, 1], [0], [1.0], shape=(2, 2))
    assert info.value.status == Status.DIMENSION_MISMATCH and "row_ptr" in info.value.message


def test_csr_passes_the_array_length_as_nnz():
    # col_idx and values must be equally long; arrays longer than row_ptr declares are refused.
    with pytest.raises(NKSolveError) as info:
        nksolve.CSR([0, 1, 2], [0, 1], [1.0], shape=(2, 2))
    assert info.value.status == Status.DIMENSION_MISMATCH and "values has 1" in info.value.message
    with pytest.raises(NKSolveError) as info:
        nksolve.CSR([0, 1, 2], [0, 1, 1], [1.0, 2.0, 0.0], shape=(2, 2))
    assert info.value.status == Status.DIMENSION_MISMATCH and "col_idx has 3" in info.value.message
    # The C function itself compares nnz with row_ptr[nrows] - index_base, before reading the
    # arrays (here: nnz smaller and larger than the 2 entries row_ptr declares).
    from nksolve import _lib

    rp = np.array([1, 2, 3], dtype=np.int64)
    ci = np.array([1, 2, 2], dtype=np.int64)
    va = np.array([1.0, 2.0, 0.0])
    for nnz in (1, 3):
        h = _lib.nks_csr_p()
        status = _lib.nks_csr_new(
            2, 2, nnz, rp.ctypes.data_as(_lib.c_int64_p), ci.ctypes.data_as(_lib.c_int64_p),
            va.ctypes.data_as(_lib.c_double_p), 1, ctypes.byref(h),
        )
        assert status == Status.DIMENSION_MISMATCH and not h
        message = _lib.nks_last_error_message().decode()
        assert f"row_ptr[nrows] - index_base = 2 but nnz = {nnz}" in message, message
    A = nksolve.CSR(rp, ci[:2], va[:2], shape=(2, 2), index_base=1)
    assert A.nnz == 2
    np.testing.assert_array_equal(A @ np.array([1.0, 1.0]), [1.0, 2.0])


def test_get_option_reads_back_every_option():
    solver = nksolve.Krylov()
    assert solver.get_option("rtol") == 1e-8
    assert solver.get_option("method") == 1.0  # GMRES, the default
    assert solver.get_option("max_seconds") == math.inf
    assert solver.get_option("use_initial_guess") is None  # kept by the binding
    values = {
        "method": 2,
        "rtol": 1e-6,
        "atol": 1e-12,
        "max_iterations": 77,
        "restart": 12,
        "use_initial_guess": True,
        "preconditioner_side": 0,
        "max_seconds": 30.5,
        "reorthogonalization": 1,
    }
    for name, value in values.items():
        solver.set_option(name, value)
        got = solver.get_option(name)
        assert got == value, (name, got)
        solver.set_option(name, got)  # what get_option returns is accepted back unchanged
        assert solver.get_option(name) == value
    solver.set_method("cg")
    assert solver.get_option("method") == 0.0
    solver.set_max_seconds(math.inf)
    assert solver.get_option("max_seconds") == math.inf


def test_get_option_unknown_name():
    solver = nksolve.Krylov()
    with pytest.raises(NKSolveError) as info:
        solver.get_option("tolerance")
    assert info.value.status == Status.UNKNOWN_OPTION
    assert '"tolerance"' in info.value.message and "reorthogonalization" in info.value.message
    assert "nks_krylov_get_option" in str(info.value)
    solver.close()
    with pytest.raises(ValueError):
        solver.get_option("rtol")


def test_no_operator_is_invalid_state():
    with pytest.raises(NKSolveError) as info:
        nksolve.Krylov().solve(np.ones(3))
    assert info.value.status == Status.INVALID_STATE and "operator" in info.value.message


def test_builtin_preconditioner_needs_csr():
    solver = nksolve.Krylov()
    solver.set_operator(n=4, matvec=lambda x: 2 * x)
    solver.set_preconditioner("ilu0")
    with pytest.raises(NKSolveError) as info:
        solver.solve(np.ones(4))
    assert info.value.status == Status.INVALID_STATE and "CSR" in info.value.message


# ---------------------------------------------------------------------------------------------
# Reports, matrices, library functions
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method, precond", [("cg", "none"), ("gmres", "ilu0"), ("fgmres", "jacobi")])
def test_report_fields_are_consistent(convdiff, poisson, method, precond):
    A = poisson if method == "cg" else convdiff
    b = rhs(A.shape[0])
    solver = nksolve.Krylov(method, rtol=1e-9)
    solver.set_operator(A)
    solver.set_preconditioner(precond)
    x, report = solver.solve(b)
    assert report == solver.report
    assert report.status == Status.OK and report.callback_code == 0
    assert report.iterations > 0 and report.matvecs >= report.iterations
    assert (report.precond_applies > 0) == (precond != "none")
    assert report.rhs_norm == pytest.approx(np.linalg.norm(b), rel=1e-12)
    assert report.residual_norm == pytest.approx(np.linalg.norm(b - A @ x), rel=1e-8)
    assert report.residual_norm <= 1e-9 * report.rhs_norm * 1.01
    assert report.seconds > 0
    with pytest.raises(Exception):
        report.iterations = 0  # frozen


def test_csr_from_arrays_and_scipy_agree(convdiff):
    C = convdiff.tocsr()
    one_based = nksolve.CSR(C.indptr + 1, C.indices + 1, C.data, shape=C.shape, index_base=1)
    from_scipy = nksolve.CSR.from_scipy(convdiff.tocoo())
    x = rhs(C.shape[0])
    for M in (one_based, from_scipy):
        assert M.shape == C.shape and M.nnz == C.nnz
        np.testing.assert_allclose(M @ x, C @ x, rtol=1e-14, atol=0)
    np.testing.assert_allclose(from_scipy.matvec(x), C @ x, rtol=1e-14, atol=0)


def test_csr_duplicates_are_summed_and_lifetime():
    with nksolve.CSR([0, 3, 4], [1, 0, 1, 1], [1.0, 2.0, 3.0, 5.0], shape=(2, 2)) as A:
        assert A.nnz == 3
        np.testing.assert_array_equal(A @ np.array([1.0, 10.0]), [42.0, 50.0])
        solver = nksolve.Krylov("gmres")
        solver.set_operator(A)
    with pytest.raises(ValueError, match="closed"):
        A.nnz
    # The solver kept its own reference to the matrix.
    x, report = solver.solve([42.0, 50.0])
    np.testing.assert_allclose(x, [1.0, 10.0], rtol=1e-10)


def test_version_and_threads():
    assert re.fullmatch(r"\d+\.\d+\.\d+", nksolve.version())
    assert nksolve.__version__ == nksolve.version()
    before = nksolve.get_num_threads()
    try:
        nksolve.set_num_threads(1)
        assert nksolve.get_num_threads() == 1
        with pytest.raises(NKSolveError) as info:
            nksolve.set_num_threads(100000)
        assert info.value.status == Status.INVALID_ARGUMENT
    finally:
        nksolve.set_num_threads(0)
    assert nksolve.get_num_threads() == before or before >= 1


# ---------------------------------------------------------------------------------------------
# Sequences of systems and recycled subspaces
# ---------------------------------------------------------------------------------------------


def convection_sequence(nx=16, betas=(0.25, 0.1, 0.4, 0.15, 0.3)):
    """Convection-diffusion systems of the recycling example's family: centre 4, south / north
    -1, west -1 - beta, east -1 + beta; one matrix per beta."""
    T = lambda beta: sp.diags([-1.0 - beta, 0.0, -1.0 + beta], [-1, 0, 1], shape=(nx, nx))  # noqa: E731
    S = sp.diags([-1.0, -1.0], [-1, 1], shape=(nx, nx))
    I = sp.identity(nx)
    return [(sp.kron(I, T(b)) + sp.kron(S, I) + 4.0 * sp.identity(nx * nx)).tocsr() for b in betas], np.array(betas)


@pytest.fixture(scope="module")
def sequence():
    return convection_sequence()


def sequence_rhs(n, count):
    return np.stack([rhs(n) * (1 + 0.1 * k) for k in range(count)], axis=1)


@pytest.mark.parametrize("layout", ["F", "C", "view"])
@pytest.mark.parametrize("method", ["gmres", "gcrodr"])
def test_sequence_matches_spsolve_per_system(sequence, method, layout):
    mats, betas = sequence
    n, count = mats[0].shape[0], len(mats)
    B = sequence_rhs(n, count)
    if layout == "F":
        B = np.asfortranarray(B)
    elif layout == "C":
        B = np.ascontiguousarray(B)
    else:  # every other column of a wider Fortran block: column-major with ld = n, stride 2n
        wide = np.zeros((n, 2 * count), order="F")
        wide[:, ::2] = B
        B = wide[:, ::2]
    solver = nksolve.Krylov(method, rtol=1e-11, restart=30, recycle_dim=8)
    X, order, reports = solver.solve_sequence([nksolve.CSR.from_scipy(A) for A in mats], B, features=betas)
    assert X.shape == (n, count) and X.flags.f_contiguous
    assert sorted(order) == list(range(count)) and order[0] == 0
    np.testing.assert_array_equal(order, nksolve.skr_order(betas))
    assert len(reports) == count
    for i, (A, r) in enumerate(zip(mats, reports)):
        assert r.converged, (i, r)
        assert relerr(X[:, i], spla.spsolve(A.tocsc(), B[:, i])) < 1e-8, i
        assert r.residual_norm == pytest.approx(np.linalg.norm(B[:, i] - A @ X[:, i]), rel=1e-6, abs=1e-14)
    assert solver.report == reports[order[-1]]  # the handle's report is the last-solved system's


def test_sequence_recycling_fields_and_fewer_iterations(sequence):
    mats, betas = sequence
    n, count = mats[0].shape[0], len(mats)
    B = sequence_rhs(n, count)
    _, _, plain = nksolve.Krylov("gmres", rtol=1e-10, restart=20).solve_sequence(mats, B)
    _, order, recycled = nksolve.Krylov("gcrodr", rtol=1e-10, restart=20, recycle_dim=8).solve_sequence(mats, B, features=betas)
    assert all(r.recycle_initial_dim == 0 and not r.recycle_rebuilt and r.recycle_final_dim == 0 for r in plain)
    first, later = recycled[order[0]], [recycled[i] for i in order[1:]]
    assert first.recycle_initial_dim == 0 and first.recycle_final_dim == 8
    assert later[0].recycle_initial_dim == 8 and later[0].recycle_rebuilt
    # A space is re-fitted exactly when there is one (it may be dropped when it stops helping).
    assert all(r.recycle_rebuilt == (r.recycle_initial_dim > 0) for r in later)
    assert all(0.0 <= r.recycle_largest_angle <= math.pi / 2 for r in later)
    assert sum(r.iterations for r in recycled) < sum(r.iterations for r in plain)


def test_sequence_with_a_callable_operator(sequence):
    mats, _ = sequence
    n, count = mats[0].shape[0], len(mats)
    B = sequence_rhs(n, count)
    seen = set()

    def matvec(i, x):
        assert not x.flags.writeable
        seen.add(i)
        return mats[i] @ x

    solver = nksolve.Krylov("gcrodr", rtol=1e-11, recycle_dim=6)
    X, order, reports = solver.solve_sequence(matvec, B)
    np.testing.assert_array_equal(order, np.arange(count))  # no features: natural order
    assert seen == set(range(count))
    for i, A in enumerate(mats):
        assert reports[i].converged and relerr(X[:, i], spla.spsolve(A.tocsc(), B[:, i])) < 1e-8


def test_sequence_callback_exception_is_reraised(sequence):
    mats, _ = sequence
    n = mats[0].shape[0]

    def matvec(i, x):
        if i == 2:
            raise ArithmeticError("system 2 is broken")
        return mats[i] @ x

    with pytest.raises(ArithmeticError, match="system 2 is broken") as info:
        nksolve.Krylov("gcrodr").solve_sequence(matvec, sequence_rhs(n, 4))
    assert isinstance(info.value.__context__, NKSolveError)
    assert info.value.__context__.status == Status.CALLBACK


def test_sequence_initial_guesses(sequence):
    mats, _ = sequence
    B = sequence_rhs(mats[0].shape[0], len(mats))
    solver = nksolve.Krylov("gmres", rtol=1e-10)
    X, _, _ = solver.solve_sequence(mats, B)
    X2, _, reports = solver.solve_sequence(mats, B, X0=X)
    assert all(r.iterations == 0 and r.converged for r in reports)
    np.testing.assert_array_equal(X2, X)


def test_sequence_bad_arguments(sequence):
    mats, _ = sequence
    n = mats[0].shape[0]
    solver = nksolve.Krylov("gcrodr")
    with pytest.raises(NKSolveError) as info:
        solver.solve_sequence(mats, np.ones((n, len(mats) - 1)))
    assert info.value.status == Status.DIMENSION_MISMATCH and "operators" in info.value.message
    with pytest.raises(NKSolveError) as info:
        solver.solve_sequence(mats, np.ones((n, len(mats))), features=np.ones(3))
    assert info.value.status == Status.DIMENSION_MISMATCH and "features" in info.value.message
    with pytest.raises(NKSolveError) as info:
        solver.solve_sequence(mats, np.ones(n))
    assert info.value.status == Status.DIMENSION_MISMATCH and "two-dimensional" in info.value.message
    with pytest.raises(NKSolveError) as info:  # the library sees only ldb: the binding compares
        solver.solve_sequence(mats, np.ones((n + 1, len(mats))))
    assert info.value.status == Status.DIMENSION_MISMATCH and "operators[0] is 256 x 256" in info.value.message
    with pytest.raises(TypeError, match=r"operators\[1\]"):
        solver.solve_sequence([mats[0], "not a matrix"], np.ones((n, 2)))


def test_skr_order_is_a_greedy_nearest_neighbour_permutation():
    np.testing.assert_array_equal(nksolve.skr_order([0.0, 10.0, 1.0, 9.0, 2.0]), [0, 2, 4, 3, 1])
    rng = np.random.default_rng(7)
    F = rng.standard_normal((3, 200))  # 3 features, 200 systems
    order = nksolve.skr_order(F)
    assert order.dtype == np.intp and order[0] == 0
    assert sorted(order) == list(range(200))
    np.testing.assert_array_equal(order, nksolve.skr_order(np.asfortranarray(F)))  # C or F order
    np.testing.assert_array_equal(order, nksolve.skr_order(F.T.copy().T))


def test_saved_space_reproduces_the_iteration_counts(sequence, tmp_path):
    mats, betas = sequence
    n = mats[0].shape[0]
    B = sequence_rhs(n, len(mats))
    original = nksolve.Krylov("gcrodr", rtol=1e-10, restart=20, recycle_dim=8)
    original.solve_sequence(mats, B, features=betas)
    blob = original.save_recycled()
    assert isinstance(blob, bytes) and len(blob) > 8 * n * 8
    path = tmp_path / "space.nks"
    original.save_recycled_file(path)
    assert path.read_bytes() == blob

    def iterations(solver):
        solver.set_operator(mats[0])
        _, r = solver.solve(B[:, 0])
        assert r.converged
        return r.iterations, r.recycle_initial_dim

    from_bytes = nksolve.Krylov("gcrodr", rtol=1e-10, restart=20, recycle_dim=8)
    from_bytes.load_recycled(bytearray(blob))
    from_file = nksolve.Krylov("gcrodr", rtol=1e-10, restart=20, recycle_dim=8)
    from_file.load_recycled_file(str(path))
    fresh = nksolve.Krylov("gcrodr", rtol=1e-10, restart=20, recycle_dim=8)
    want = iterations(original)
    assert want[1] == 8
    assert iterations(from_bytes) == want and iterations(from_file) == want
    assert iterations(fresh)[0] > want[0]


def test_corrupted_or_missing_saved_space_raises(sequence, tmp_path):
    mats, _ = sequence
    solver = nksolve.Krylov("gcrodr", recycle_dim=4)
    solver.solve_sequence(mats[:2], sequence_rhs(mats[0].shape[0], 2))
    blob = bytearray(solver.save_recycled())
    target = nksolve.Krylov("gcrodr", recycle_dim=4)
    flipped = bytearray(blob)
    flipped[len(flipped) // 2] ^= 0xFF
    for bad in (bytes(flipped), bytes(blob[:-9]), b"not a recycle space", b""):
        with pytest.raises(NKSolveError) as info:
            target.load_recycled(bad)
        assert info.value.status == Status.INVALID_ARGUMENT and info.value.message
        assert "nks_krylov_load_recycled" in str(info.value)
    # A refused buffer changed nothing: the target still starts from scratch.
    target.set_operator(mats[0])
    _, r = target.solve(rhs(mats[0].shape[0]))
    assert r.recycle_initial_dim == 0
    missing = tmp_path / "no" / "such.nks"
    with pytest.raises(NKSolveError) as info:
        target.load_recycled_file(missing)
    assert info.value.status == Status.INVALID_ARGUMENT and str(missing) in info.value.message
    with pytest.raises(NKSolveError) as info:
        solver.save_recycled_file(missing)
    assert info.value.status == Status.INVALID_ARGUMENT and str(missing) in info.value.message


def test_clear_recycled_and_operator_changed(sequence):
    mats, _ = sequence
    n = mats[0].shape[0]
    current = {"A": mats[0]}
    solver = nksolve.Krylov("gcrodr", rtol=1e-10, recycle_dim=6)
    solver.set_operator(n=n, matvec=lambda x: current["A"] @ x)
    b = rhs(n)
    _, first = solver.solve(b)
    _, again = solver.solve(b)
    assert first.recycle_initial_dim == 0 and again.recycle_initial_dim == 6 and not again.recycle_rebuilt
    current["A"] = mats[1]  # the matrix behind the callback changed in place
    solver.operator_changed()
    _, changed = solver.solve(b)
    assert changed.recycle_rebuilt and changed.converged
    solver.clear_recycled()
    _, cleared = solver.solve(b)
    assert cleared.recycle_initial_dim == 0 and not cleared.recycle_rebuilt


def test_report_struct_matches_the_c_layout():
    from nksolve import _lib

    R = _lib.nks_krylov_report
    if ctypes.sizeof(ctypes.c_size_t) == 8 and ctypes.alignment(ctypes.c_double) == 8:
        offsets = {name: getattr(R, name).offset for name, _ in R._fields_}
        assert offsets["callback_code"] == 64 and offsets["recycle_rebuilt"] == 68
        assert offsets["recycle_initial_dim"] == 72 and offsets["recycle_dropped"] == 112
        assert ctypes.sizeof(R) == 120
    assert [f for f, _ in R._fields_][-7:] == [
        "recycle_rebuilt", "recycle_initial_dim", "recycle_final_dim", "recycle_refreshes",
        "recycle_largest_angle", "recycle_projection_ratio", "recycle_dropped",
    ]
    assert set(nksolve.KrylovReport.__dataclass_fields__) == {f for f, _ in R._fields_}


def test_recycling_options_round_trip():
    solver = nksolve.Krylov("recycled_cg", recycle_dim=5, refresh_interval=2)
    assert solver.get_option("method") == 4.0
    assert solver.get_option("recycle_dim") == 5.0 and solver.get_option("refresh_interval") == 2.0
    with pytest.raises(NKSolveError) as info:
        solver.set_option("refresh_interval", 0)
    assert info.value.status == Status.INVALID_ARGUMENT and "refresh_interval" in info.value.message


# ---------------------------------------------------------------------------------------------
# SOR with a learned omega (SorBandit)
# ---------------------------------------------------------------------------------------------


def shifted_poisson(nx, shift):
    """The 5-point Laplacian plus ``shift`` on the diagonal: SPD for shift > -the smallest
    eigenvalue."""
    return (poisson2d(nx) + shift * sp.identity(nx * nx)).tocsr()


def new_chebcb(seed=11):
    return nksolve.SorBandit("chebcb", 8, 1.0, 1.9, seed=seed, context_min=0.0, context_max=1.0, tol=1e-10)


def test_sor_solution_matches_spsolve():
    A = shifted_poisson(12, 0.3)
    b = rhs(A.shape[0])
    bandit = new_chebcb()
    for method in (0, 1):  # SOR, then SSOR-PCG
        bandit.set_option("method", method)
        x, report = bandit.solve(A, b, context=0.3)
        assert report.status == Status.OK and report.converged
        assert report.termination == Termination.CONVERGED_RTOL
        assert relerr(x, spla.spsolve(A.tocsc(), b)) < 1e-8
        # The report's residual is the true one, recomputed here.
        true_residual = np.linalg.norm(b - A @ x)
        assert math.isclose(report.residual_norm, true_residual, rel_tol=1e-6, abs_tol=1e-13)
        assert true_residual < 1e-10 * report.initial_residual_norm * 1.01
        assert math.isclose(report.initial_residual_norm, np.linalg.norm(b), rel_tol=1e-12)
        assert 0 <= report.arm < bandit.num_arms
        assert report.omega == pytest.approx(1.0 + 0.9 * report.arm / 7)
        assert report.cost == report.iterations > 0 and report.seconds >= 0


def test_sor_accepts_csr_and_initial_guess():
    A = shifted_poisson(10, 0.1)
    b = rhs(A.shape[0])
    bandit = new_chebcb()
    x, first = bandit.solve(nksolve.CSR.from_scipy(A), b, 0.1)
    with pytest.raises(NKSolveError) as info:
        bandit.solve(A, b, 0.1, x0=x)  # would be ignored: start from zero is the default
    assert info.value.status == Status.INVALID_ARGUMENT and "use_initial_guess" in info.value.message
    bandit.set_option("use_initial_guess", 1)
    with pytest.raises(NKSolveError) as info:
        bandit.solve(A, b, 0.1)
    assert info.value.status == Status.INVALID_ARGUMENT and "x0" in info.value.message
    x0 = 0.5 * x
    x2, warm = bandit.solve(A, b, 0.1, x0=x0)
    np.testing.assert_array_equal(x0, 0.5 * x)  # never modified
    # The solve started from x0: its initial residual is b - A x0, about half of b's.
    assert math.isclose(warm.initial_residual_norm, np.linalg.norm(b - A @ x0), rel_tol=1e-10)
    assert warm.initial_residual_norm < 0.6 * first.initial_residual_norm
    assert warm.converged and relerr(x2, x) < 1e-8


def test_sor_iteration_cap_returns_the_last_iterate():
    A = shifted_poisson(12, 0.0)
    b = rhs(A.shape[0])
    bandit = nksolve.SorBandit("fixed", 1, 1.2, 1.2, max_iterations=3)
    x, report = bandit.solve(A, b, 0.0)
    assert report.status == Status.MAX_ITERATIONS and not report.converged
    assert report.termination == Termination.MAX_ITERATIONS and report.iterations == 3 and report.cost == 3
    assert math.isclose(report.residual_norm, np.linalg.norm(b - A @ x), rel_tol=1e-6)
    assert report.residual_norm < report.initial_residual_norm


@pytest.mark.parametrize("method, status", [(0, Status.NON_FINITE), (1, Status.BREAKDOWN)])
def test_sor_divergence_raises_and_keeps_the_report(method, status):
    A = sp.csr_matrix(np.array([[1.0, 3.0], [3.0, 1.0]]))  # symmetric indefinite
    bandit = nksolve.SorBandit("fixed", 1, 1.5, 1.5, method=method, max_iterations=500)
    with pytest.raises(NKSolveError) as info:
        bandit.solve(A, np.ones(2), 0.0)
    assert info.value.status == status and info.value.message
    report = bandit.report  # the solve ran: its report is there, with the capped cost learned
    assert report.status == status and not report.converged
    assert report.omega == 1.5 and report.cost == 500


def test_sor_bad_input_changes_nothing():
    A = shifted_poisson(6, 0.2)
    bandit = new_chebcb()
    before = bandit.probabilities(0.5)
    with pytest.raises(NKSolveError) as info:
        bandit.solve(A, np.ones(35), 0.2)
    assert info.value.status == Status.DIMENSION_MISMATCH and "n = 35" in info.value.message
    b = np.ones(36)
    b[4] = np.nan
    with pytest.raises(NKSolveError) as info:
        bandit.solve(A, b, 0.2)
    assert info.value.status == Status.NON_FINITE and "nks_sor_bandit_solve" in str(info.value)
    with pytest.raises(NKSolveError) as info:
        bandit.solve(A, np.ones(36), math.nan)
    assert info.value.status == Status.NON_FINITE
    assert bandit.report.termination == Termination.NOT_STARTED  # no solve ran
    np.testing.assert_array_equal(bandit.probabilities(0.5), before)
    with pytest.raises(TypeError):
        bandit.solve(A.toarray(), np.ones(36), 0.2)


def test_sor_unknown_option_and_bad_values():
    bandit = new_chebcb()
    with pytest.raises(NKSolveError) as info:
        bandit.set_option("tolerance", 1e-6)
    assert info.value.status == Status.UNKNOWN_OPTION
    assert "tolerance" in info.value.message and "max_iterations" in info.value.message
    assert "nks_sor_bandit_set_option" in str(info.value)
    with pytest.raises(NKSolveError) as info:
        bandit.get_option("tolerance")
    assert info.value.status == Status.UNKNOWN_OPTION and "nks_sor_bandit_get_option" in str(info.value)
    with pytest.raises(NKSolveError) as info:
        nksolve.SorBandit("tsallis_inf", 4, 1.0, 1.5, tolerance=1e-6)
    assert info.value.status == Status.UNKNOWN_OPTION
    with pytest.raises(NKSolveError) as info:
        bandit.set_option("tol", 2.0)
    assert info.value.status == Status.INVALID_ARGUMENT and "tol" in info.value.message
    assert bandit.get_option("tol") == 1e-10  # kept its value
    with pytest.raises(NKSolveError) as info:
        nksolve.SorBandit("chebcb", 4, 1.0, 2.5)
    assert info.value.status == Status.INVALID_ARGUMENT and "nks_sor_bandit_new" in str(info.value)
    with pytest.raises(NKSolveError) as info:
        nksolve.SorBandit("sor", 4, 1.0, 1.5)
    assert info.value.status == Status.INVALID_ARGUMENT and "'chebcb'" in info.value.message
    with pytest.raises(NKSolveError) as info:
        nksolve.SorBandit(nksolve.SorLearner.FIXED, 3, 1.5, 1.5)  # fixed: one arm only
    assert info.value.status == Status.INVALID_ARGUMENT and "num_arms" in info.value.message
    with pytest.raises(NKSolveError) as info:
        nksolve.SorBandit("chebcb", 4, 1.0, 1.5, seed=-1)
    assert info.value.status == Status.INVALID_ARGUMENT and "seed" in info.value.message


def test_sor_options_round_trip():
    bandit = nksolve.SorBandit(nksolve.SorLearner.BINNED, 5, 1.0, 1.8)
    assert bandit.get_option("tol") == 1e-8 and bandit.get_option("max_iterations") == 10000
    values = {"tol": 1e-6, "max_iterations": 50, "method": 1, "sweep": 2, "ordering": 1, "use_initial_guess": 1,
              "context_min": -1.0, "context_max": 2.0, "bins": 7, "chebyshev_terms": 4, "young_rho": 0.5}
    for name, value in values.items():
        bandit.set_option(name, value)
        assert bandit.get_option(name) == value, name
        bandit.set_option(name, bandit.get_option(name))
        assert bandit.get_option(name) == value, name
    bandit.observe(0, 0.5, 10.0)
    with pytest.raises(NKSolveError) as info:
        bandit.set_option("bins", 3)  # the learner has observed a cost
    assert info.value.status == Status.INVALID_STATE
    # What the learner was created with reads back, and cannot be set.
    assert bandit.learner == nksolve.SorLearner.BINNED and bandit.num_arms == 5
    assert (bandit.omega_min, bandit.omega_max) == (1.0, 1.8)
    with pytest.raises(NKSolveError) as info:
        bandit.set_option("num_arms", 6)
    assert info.value.status == Status.INVALID_STATE and "num_arms" in info.value.message


def test_sor_probabilities_length_mismatch():
    bandit = new_chebcb()
    p = bandit.probabilities(0.5)
    assert p.shape == (8,) and math.isclose(p.sum(), 1.0, rel_tol=1e-12)
    out = np.full(5, -1.0)
    with pytest.raises(NKSolveError) as info:
        bandit.probabilities(0.5, out=out)
    assert info.value.status == Status.DIMENSION_MISMATCH
    assert "len = 5" in info.value.message and "num_arms = 8" in info.value.message
    assert np.all(out == -1.0)  # written only on success
    out = np.empty(8)
    assert bandit.probabilities(0.5, out=out) is out
    np.testing.assert_array_equal(out, p)
    with pytest.raises(NKSolveError) as info:
        bandit.probabilities(math.inf)
    assert info.value.status == Status.NON_FINITE
    with pytest.raises(TypeError):
        bandit.probabilities(0.5, out=np.empty(8, dtype=np.float32))


def test_sor_fixed_learner_choose_observe_round_trip():
    bandit = nksolve.SorBandit("fixed", 1, 1.5, 1.5, seed=3)
    assert bandit.num_arms == 1
    for context in (-3.0, 0.0, 7.5):
        assert bandit.choose(context) == (0, 1.5)
    bandit.observe(0, 0.2, 42.0)
    np.testing.assert_array_equal(bandit.probabilities(0.2), [1.0])
    with pytest.raises(NKSolveError) as info:
        bandit.observe(1, 0.2, 42.0)
    assert info.value.status == Status.INVALID_ARGUMENT and "arm" in info.value.message
    with pytest.raises(NKSolveError) as info:
        bandit.observe(0, 0.2, -1.0)
    assert info.value.status == Status.INVALID_ARGUMENT and "cost" in info.value.message
    with pytest.raises(NKSolveError) as info:
        bandit.observe(-1, 0.2, 1.0)  # never wrapped around to a huge size_t
    assert info.value.status == Status.INVALID_ARGUMENT


def test_sor_choose_and_observe_learn_like_solve():
    # Costs reported through observe teach the learner as solves do: the cheap arm wins.
    bandit = nksolve.SorBandit("tsallis_inf", 4, 1.0, 1.6, seed=5)
    for _ in range(300):
        arm, omega = bandit.choose(0.0)
        assert omega == pytest.approx(1.0 + 0.2 * arm)
        bandit.observe(arm, 0.0, 10.0 if arm == 2 else 100.0)
    p = bandit.probabilities(0.0)
    assert p.argmax() == 2 and p[2] > 0.8


def test_sor_young_learner_uses_the_context():
    bandit = nksolve.SorBandit("young", 1, 1.0, 1.99)
    _, omega = bandit.choose(0.6)
    assert omega == pytest.approx(2 / (1 + math.sqrt(1 - 0.36)))
    with pytest.raises(NKSolveError) as info:
        bandit.choose(1.5)  # a spectral radius must be in [0, 1)
    assert info.value.status == Status.INVALID_ARGUMENT


def test_sor_saved_learner_resumes_exactly(tmp_path):
    A = shifted_poisson(8, 0.2)
    b = rhs(A.shape[0])
    original = new_chebcb(seed=99)
    for t in range(12):
        original.solve(A, b, context=(t % 5) / 5)
    blob = original.save()
    assert isinstance(blob, bytes) and blob
    path = tmp_path / "bandit.nks"
    original.save_file(path)
    assert path.read_bytes() == blob
    from_bytes = nksolve.SorBandit.load(bytearray(blob))
    from_file = nksolve.SorBandit.load_file(str(path))
    for copy in (from_bytes, from_file):
        assert copy.num_arms == original.num_arms == 8 and copy.learner == nksolve.SorLearner.CHEBCB
        assert (copy.omega_min, copy.omega_max) == (1.0, 1.9)
        assert copy.get_option("tol") == 1e-10 and copy.get_option("context_min") == 0.0
        for context in (0.1, 0.6):
            np.testing.assert_array_equal(copy.probabilities(context), original.probabilities(context))
    # The copies make the choices the original makes next.
    want = [original.choose(0.3) for _ in range(5)]
    assert [from_bytes.choose(0.3) for _ in range(5)] == want
    assert [from_file.choose(0.3) for _ in range(5)] == want
    one_arm = nksolve.SorBandit.load(nksolve.SorBandit("fixed", 1, 1.2, 1.2).save())
    assert one_arm.num_arms == 1 and one_arm.choose(0.0) == (0, 1.2)


def test_sor_corrupted_or_missing_saved_learner_raises(tmp_path):
    blob = new_chebcb().save()
    flipped = bytearray(blob)
    flipped[len(flipped) // 2] ^= 0xFF
    for bad in (bytes(flipped), blob[:-5], b"not a learner", b""):
        with pytest.raises(NKSolveError) as info:
            nksolve.SorBandit.load(bad)
        assert info.value.status == Status.INVALID_ARGUMENT and info.value.message
        assert "nks_sor_bandit_load" in str(info.value)
    with pytest.raises(TypeError):
        nksolve.SorBandit.load(12)
    missing = tmp_path / "no" / "such.nks"
    with pytest.raises(NKSolveError) as info:
        nksolve.SorBandit.load_file(missing)
    assert info.value.status == Status.INVALID_ARGUMENT and str(missing) in info.value.message
    with pytest.raises(NKSolveError) as info:
        new_chebcb().save_file(missing)
    assert info.value.status == Status.INVALID_ARGUMENT and str(missing) in info.value.message


def test_sor_handle_lifetime():
    with new_chebcb() as bandit:
        assert "num_arms=8" in repr(bandit)
    assert "closed" in repr(bandit)
    with pytest.raises(ValueError):
        bandit.choose(0.5)
    bandit.close()  # idempotent


def test_sor_report_struct_matches_the_c_layout():
    from nksolve import _lib

    R = _lib.nks_sor_report
    if ctypes.sizeof(ctypes.c_size_t) == 8 and ctypes.alignment(ctypes.c_double) == 8:
        offsets = {name: getattr(R, name).offset for name, _ in R._fields_}
        assert offsets == {"status": 0, "termination": 4, "arm": 8, "omega": 16, "iterations": 24, "cost": 32,
                           "initial_residual_norm": 40, "residual_norm": 48, "seconds": 56}
        assert ctypes.sizeof(R) == 64
    assert list(nksolve.SorReport.__dataclass_fields__) == [f for f, _ in R._fields_]
    assert [int(v) for v in nksolve.SorLearner] == [0, 1, 2, 3, 4]

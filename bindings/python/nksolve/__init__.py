"""Python binding of nksolve: Krylov solvers (CG, GMRES(m), FGMRES(m), and the recycling
GCRO-DR(m, k) and recycled CG) on sparse matrices or matrix-free operators, single systems or
sequences of systems, SOR whose relaxation parameter is learned across a sequence of systems,
and entropic optimal transport (log-domain Sinkhorn, Sinkhorn-Newton-Sparse), through the
library's C ABI (ctypes + numpy, no compiled extension).

Quick start::

    import numpy as np, scipy.sparse as sp
    import nksolve

    A = sp.diags([-1, 2, -1], [-1, 0, 1], shape=(100, 100))
    solver = nksolve.Krylov(method="cg", rtol=1e-10)
    solver.set_operator(A)                 # scipy matrix, nksolve.CSR, or n=..., matvec=...
    x, report = solver.solve(np.ones(100))
    assert report.converged

Sequences of related systems (GCRO-DR keeps a recycled subspace from one system to the next)::

    solver = nksolve.Krylov("gcrodr", rtol=1e-8, restart=30, recycle_dim=10)
    X, order, reports = solver.solve_sequence([A0, A1, A2], B, features=betas)
    blob = solver.save_recycled()          # bytes; load_recycled(blob) on another handle

SOR with omega learned per system from a context (here the shift c of ``A = L + c I``)::

    bandit = nksolve.SorBandit("chebcb", 20, 1.0, 1.95, seed=7, context_min=0.0, context_max=1.0)
    for c in shifts:
        x, report = bandit.solve(L + c * I, b, context=c)   # report.omega, report.iterations
    state = bandit.save()                  # bytes; nksolve.SorBandit.load(state) resumes

Entropic optimal transport between two point clouds (one point per row) or from a cost matrix::

    sk = nksolve.Sinkhorn(eps=0.01, tol=1e-9)          # method="sns" for Sinkhorn-Newton-Sparse
    f, g = sk.solve_points(a, b, x, y, p=2)            # x: (n, d), y: (m, d); cost |x_i - y_j|^2
    sk.report.transport_cost                           # <C, P>; also regularized_cost, iterations
    P = sk.plan_dense()                                # (n, m); sk.plan_sparse(1e-6): rows, cols, values
    f, g = sk.solve_dense(a, b, C)                     # C: (n, m), Fortran order passes without copy

Unconstrained minimisation with Newton-type methods and Python oracles (scipy's conventions)::

    nt = nksolve.Newton(method="trust_region", gatol=1e-8)   # or "line_search", "lazy", ...
    x, report = nt.minimize(x0, fun, jac, hessp)              # hessp(x, v) -> H(x) @ v
    report.converged, report.iterations, report.hessian_vector_calls

Nonlinear systems F(x) = 0 (Jacobian-free Newton-Krylov; the recycle space carries from one solve
to the next, e.g. over time steps) and least squares (Levenberg-Marquardt)::

    nl = nksolve.Nonlinear()                                  # Newton-Krylov, GCRO-DR inner solves
    x, report = nl.solve(x0, residual)                        # J v by finite differences
    nl.steps()                                                # per-step forcing, recycled vectors, ...
    lm = nksolve.Nonlinear("levenberg_marquardt")
    x, report = lm.solve(x0, residual, jacobian_vector, jacobian_transpose, m=len(data))

Equality-constrained optimisation min f(x) s.t. c(x) = 0 (AdaSketch-Newton: inexact Newton-KKT
steps by randomized sketching, Kaczmarz on sparse rows, or MINRES)::

    con = nksolve.Constrained(m, f, grad, c, jv, jtw, hlv)   # hlv(x, lam, v): Hessian of L times v
    x, lam = np.array(x0, dtype=float), np.zeros(m)
    report = con.solve(x, lam)                                # x, lam updated in place
    report.converged, [k.stationarity for k in con.records()]

Conventions
-----------
* Indices are 0-based, as in the C API: system indices of sequences, SOR-bandit arms, the rows
  and columns of :meth:`Sinkhorn.plan_sparse`.
* Failures of a call raise :class:`NKSolveError`, carrying the library's :class:`Status` and its
  detailed message (which argument, what was wrong, the valid range).
* A solve that finishes without reaching the tolerance (iteration or time limit, stagnation) does
  NOT raise: it returns the solver's last iterate with ``report.status`` > 0 and
  ``report.converged == False``. Check ``report.converged``.
* Python callbacks (matvec, preconditioner, monitor; the oracles of :meth:`Newton.minimize`,
  :meth:`Nonlinear.solve` and :class:`Constrained`) run on the thread that called
  :meth:`Krylov.solve` (:meth:`Newton.minimize`, :meth:`Nonlinear.solve`,
  :meth:`Constrained.solve`). An exception
  raised inside one stops the solve and is re-raised by :meth:`Krylov.solve` itself (its ``__context__`` is the library's :class:`NKSolveError`);
  nothing is ever propagated through the C library.
* The shared library is found through the ``NKSOLVE_LIBRARY`` environment variable if set, else
  in the repository's ``target/release`` and ``target/release/deps``, else by
  ``ctypes.util.find_library("nksolve")``.
"""

from __future__ import annotations

import ctypes
import enum
import numbers
import os
from dataclasses import dataclass
from typing import Callable, Optional, Tuple, Union

import numpy as np

from . import _lib

__all__ = [
    "NKSolveError",
    "Status",
    "Method",
    "Preconditioner",
    "PreconditionerSide",
    "Termination",
    "CSR",
    "Krylov",
    "KrylovReport",
    "skr_order",
    "SorLearner",
    "SorBandit",
    "SorReport",
    "OtMethod",
    "Sinkhorn",
    "SinkhornReport",
    "NewtonMethod",
    "Newton",
    "NewtonReport",
    "CannotEvaluate",
    "NonlinearMethod",
    "Nonlinear",
    "NonlinearReport",
    "NonlinearStep",
    "KktSolver",
    "Constrained",
    "ConstrainedReport",
    "ConstrainedRecord",
    "set_num_threads",
    "get_num_threads",
    "version",
    "library_path",
    "__version__",
]

# ---------------------------------------------------------------------------------------------
# Enumerations (values identical to include/nksolve.h)
# ---------------------------------------------------------------------------------------------


class Status(enum.IntEnum):
    """Result of every nksolve call (``nks_status``).

    ``OK`` is success; negative values are failures of the call (outputs not written);
    positive values mean a solve finished with a usable result that did not converge.
    """

    OK = 0  #: Success.
    NULL_POINTER = -1  #: A required pointer argument was NULL.
    INVALID_ARGUMENT = -2  #: An argument is outside its valid range.
    DIMENSION_MISMATCH = -3  #: Sizes of two arguments disagree.
    UNKNOWN_OPTION = -4  #: An option name is not known.
    CALLBACK = -5  #: A user callback failed (raised, in Python).
    NON_FINITE = -6  #: An input or a callback output is NaN or infinite.
    BREAKDOWN = -7  #: The method cannot continue (e.g. CG on an indefinite operator).
    ALLOCATION = -8  #: Memory could not be allocated.
    INTERNAL = -9  #: A bug in nksolve (a caught panic); please report the message.
    ABORTED = -10  #: The user stopped the solve (monitor callback).
    INVALID_STATE = -11  #: The handle is not ready for this call (e.g. no operator set).
    MAX_ITERATIONS = 1  #: Finished at the iteration limit; result usable but not converged.
    TIME_LIMIT = 2  #: Finished at the time limit; result usable but not converged.
    STAGNATION = 3  #: Finished because the method stopped making progress; result usable.


class Method(enum.IntEnum):
    """Krylov methods (``nks_krylov_method``)."""

    CG = 0  #: Conjugate gradients, for symmetric positive definite A and preconditioner.
    GMRES = 1  #: Restarted GMRES(m), any nonsingular A (the library default).
    FGMRES = 2  #: Flexible GMRES(m): the preconditioner may vary; right side only.
    GCRODR = 3  #: GCRO-DR(m, k): recycles ``recycle_dim`` vectors across cycles and solves.
    RECYCLED_CG = 4  #: Recycled (deflated) CG for sequences of SPD systems.


class Preconditioner(enum.IntEnum):
    """Built-in preconditioners (``nks_preconditioner``); both need a CSR operator."""

    NONE = 0  #: No preconditioning (the default).
    JACOBI = 1  #: M = diag(A); needs a nonzero diagonal.
    ILU0 = 2  #: Incomplete LU without fill; needs stored diagonal entries.


class PreconditionerSide(enum.IntEnum):
    """Preconditioner side for GMRES (``nks_preconditioner_side``)."""

    LEFT = 0  #: M^-1 A x = M^-1 b: the preconditioned residual is monitored.
    RIGHT = 1  #: A M^-1 u = b: the true residual is monitored (the default).


class Termination(enum.IntEnum):
    """Why a solve stopped (``nks_termination``)."""

    NOT_STARTED = 0  #: No solve has run on this handle (or the solve is still running).
    CONVERGED_RTOL = 1  #: ||r|| <= rtol * ||b||.
    CONVERGED_ATOL = 2  #: ||r|| <= atol.
    MAX_ITERATIONS = 3  #: The iteration limit was reached.
    TIME_LIMIT = 4  #: The time limit was reached.
    STAGNATION = 5  #: A GMRES restart cycle made no progress.
    MONITOR_STOP = 6  #: The monitor asked to stop.
    CALLBACK_FAILED = 7  #: A matvec or preconditioner callback failed (see callback_code).
    NON_FINITE = 8  #: A NaN or infinity appeared.
    BREAKDOWN = 9  #: The method broke down (e.g. CG on an indefinite operator).
    CONVERGED_STEP = 10  #: Newton: an accepted step was below ``xtol``.
    CONVERGED_FTOL = 11  #: Newton: an accepted step changed ``f`` by less than ``ftol``.
    #: Newton, Nonlinear: the evaluation limit ``max_evaluations`` was reached (status
    #: ``MAX_ITERATIONS``).
    MAX_EVALUATIONS = 12
    #: Nonlinear (Levenberg-Marquardt): a stationary point of ``||F||^2`` (``||J^T F|| <= gatol``).
    CONVERGED_STATIONARY = 13
    #: Constrained: the KKT tests passed (``||grad_x L|| <= stationarity_tol`` and
    #: ``||c|| <= feasibility_tol``).
    CONVERGED_KKT = 14


def _enum_or_int(cls, value):
    try:
        return cls(value)
    except ValueError:  # a value added by a newer library: keep the number
        return int(value)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


class NKSolveError(Exception):
    """A failed nksolve call.

    Attributes:
        status: the :class:`Status` the library returned (a plain ``int`` for a value unknown to
            this binding).
        message: the library's detailed message (``nks_last_error_message()``): which argument,
            what was wrong, the valid range.
        function: the C function (or binding method) that failed.
    """

    def __init__(self, status, message: str, function: Optional[str] = None):
        self.status = _enum_or_int(Status, status)
        self.message = message
        self.function = function
        super().__init__(status, message, function)

    def __str__(self) -> str:
        name = self.status.name if isinstance(self.status, Status) else f"status {self.status}"
        where = f"{self.function}: " if self.function else ""
        return f"{where}{name} ({int(self.status)}): {self.message}"


def _last_message() -> str:
    return _lib.nks_last_error_message().decode("utf-8", errors="replace")


def _check(status: int, function: str) -> int:
    """Raises :class:`NKSolveError` for a negative status; returns the status otherwise."""
    if status < 0:
        raise NKSolveError(status, _last_message() or _lib.nks_status_str(status).decode(), function)
    return status


def _fail(status: Status, message: str, function: str):
    """An error detected by the binding itself, reported like a library error."""
    raise NKSolveError(status, message, function)


def _size(value, name: str, function: str) -> int:
    """A non-negative integer for a ``size_t`` argument (ctypes would wrap negatives around)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        _fail(Status.INVALID_ARGUMENT, f"{name} = {value!r} must be a non-negative integer", function)
    value = int(value)
    if value < 0 or value >= 2**63:
        _fail(Status.INVALID_ARGUMENT, f"{name} = {value} must be a non-negative integer", function)
    return value


def _vector(a, name: str, function: str) -> np.ndarray:
    """``a`` as a contiguous 1-D float64 array (a copy only if needed)."""
    try:
        v = np.ascontiguousarray(a, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{function}: {name} must be convertible to a float64 vector ({e})") from None
    if v.ndim != 1:
        _fail(Status.DIMENSION_MISMATCH, f"{name} must be one-dimensional; it has shape {v.shape}", function)
    return v


def _dptr(a: np.ndarray):
    return a.ctypes.data_as(_lib.c_double_p)


def _column_major(a, name: str, function: str) -> Tuple[np.ndarray, int]:
    """``a`` as a 2-D float64 array the C API can read column-major, and its leading dimension.

    A Fortran-ordered array, or any view whose rows are adjacent in memory (``strides[0] == 8``,
    e.g. ``B[:, 2:5]`` of a Fortran array or ``C.T`` of a C-ordered one), is passed as it is,
    with ``ld = strides[1] / 8``; anything else (C order, other strides, other dtypes) is copied
    into a new Fortran-ordered array first.
    """
    try:
        m = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{function}: {name} must be convertible to a float64 matrix ({e})") from None
    if m.ndim != 2:
        _fail(Status.DIMENSION_MISMATCH, f"{name} must be two-dimensional (one column per system); it has shape {m.shape}", function)
    rows, cols = m.shape
    item = m.itemsize
    rows_adjacent = rows <= 1 or m.strides[0] == item
    columns_apart = cols <= 1 or (m.strides[1] % item == 0 and m.strides[1] >= item * rows)
    if rows_adjacent and columns_apart and m.flags.aligned:
        ld = m.strides[1] // item if cols > 1 else rows
        return m, max(ld, rows, 1)
    m = np.asfortranarray(m)
    return m, max(rows, 1)


def _features(features, count: int, function: str) -> Tuple[Optional[np.ndarray], int, int]:
    """SKR features as ``(array or None, num_features, ldf)`` for the C API: ``None``, a 1-D
    array (one feature per system) or a ``num_features x count`` matrix (one column per system)."""
    if features is None:
        return None, 0, 0
    f = np.asarray(features, dtype=np.float64)
    if f.ndim == 1:
        f = f.reshape(1, -1)
    f, ldf = _column_major(f, "features", function)
    if f.shape[1] != count:
        _fail(Status.DIMENSION_MISMATCH, f"features has {f.shape[1]} columns but there are {count} systems", function)
    return f, f.shape[0], ldf


def _size_t_array(count: int) -> np.ndarray:
    """A new array the C API can fill as ``size_t[count]``."""
    return np.zeros(count, dtype=np.dtype(f"u{ctypes.sizeof(ctypes.c_size_t)}"))


def _size_t_ptr(a: np.ndarray):
    return a.ctypes.data_as(_lib.c_size_t_p)


# ---------------------------------------------------------------------------------------------
# Library-wide functions
# ---------------------------------------------------------------------------------------------


def version() -> str:
    """The version of the loaded library as ``"MAJOR.MINOR.PATCH"`` (``nks_version_string``)."""
    return _lib.nks_version_string().decode()


#: The version of the loaded library (same as :func:`version`).
__version__ = version()

#: The file the shared library was loaded from.
library_path: str = _lib.path


def set_num_threads(threads: int) -> None:
    """Sets the number of threads of the library's parallel kernels (``nks_set_num_threads``).

    ``0`` restores the default (``NKS_NUM_THREADS`` if set, else the number of cores); ``1`` runs
    everything on the calling thread. Python callbacks always run on the thread that calls
    :meth:`Krylov.solve`, whatever this setting.
    """
    _check(_lib.nks_set_num_threads(_size(threads, "threads", "nks_set_num_threads")), "nks_set_num_threads")


def get_num_threads() -> int:
    """The number of threads the library's parallel kernels use now (``nks_get_num_threads``)."""
    return int(_lib.nks_get_num_threads())


def skr_order(features) -> np.ndarray:
    """The SKR solve order (Sorting Krylov Recycling) of a sequence of systems (``nks_skr_order``).

    ``features`` holds one feature vector per system: a 1-D array (one number per system) or a
    ``num_features x count`` matrix with one COLUMN per system (the layout of
    :meth:`Krylov.solve_sequence`'s ``features``; C or Fortran order). The order is greedy
    nearest neighbour in Euclidean distance starting from system 0 (systems first partitioned
    along a Hilbert curve when there are more than 1024). Deterministic.

    Returns:
        The 0-based system indices in solve order, a permutation of ``range(count)``
        (``numpy.intp`` array).
    """
    fn = "nks_skr_order"
    f = np.asarray(features, dtype=np.float64)
    count = f.shape[-1] if f.ndim in (1, 2) else 0
    f, num_features, ldf = _features(f, count, fn)
    order = _size_t_array(count)
    _check(_lib.nks_skr_order(count, num_features, _dptr(f), ldf, _size_t_ptr(order)), fn)
    return order.astype(np.intp)


# ---------------------------------------------------------------------------------------------
# CSR matrices
# ---------------------------------------------------------------------------------------------


class _Handle:
    """Ownership of one library handle: freed by :meth:`close`, by ``with``, or when collected."""

    #: Name of the C function that frees this kind of handle.
    _free_fn = ""
    _h = None

    def _handle(self):
        if self._h is None:
            raise ValueError(f"this nksolve.{type(self).__name__} has been closed")
        return self._h

    def _after_close(self) -> None:
        """Drops what the handle kept alive (overridden where there is something)."""

    def close(self) -> None:
        """Frees the handle now; later use raises ``ValueError``. Idempotent."""
        h, self._h = self._h, None
        if h is not None:
            getattr(_lib, self._free_fn)(h)
        self._after_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may already be gone
            pass


class CSR(_Handle):
    """An immutable sparse matrix owned by the library (``nks_csr``).

    Build it from CSR arrays or with :meth:`from_scipy`. The arrays are copied, so they may be
    changed or freed afterwards. Columns within a row may be unsorted; duplicates are summed.
    The matrix is freed by :meth:`close`, by leaving a ``with`` block, or when garbage
    collected. A solver given the matrix keeps its own reference, so closing it early is safe.

    Args:
        row_ptr: ``nrows + 1`` row offsets, ``row_ptr[0] == index_base``.
        col_idx: column indices (``row_ptr[-1] - index_base`` of them); their number is
            passed to the library as ``nnz``.
        values: the entries, same length as ``col_idx``.
        shape: ``(nrows, ncols)``.
        index_base: 0 for C-style indices, 1 for Fortran/Julia-style.

    Raises:
        NKSolveError: ``INVALID_ARGUMENT`` for an index out of range (the message names the
            row), a bad ``index_base`` or decreasing row pointers; ``DIMENSION_MISMATCH`` for
            array lengths that disagree with ``shape`` or ``row_ptr``; ``NON_FINITE`` for NaN or
            infinite values.
    """

    _free_fn = "nks_csr_free"

    def __init__(self, row_ptr, col_idx, values, shape: Tuple[int, int], index_base: int = 0):
        fn = "nks_csr_new"
        self._h = None
        try:
            nrows, ncols = shape
        except (TypeError, ValueError):
            raise TypeError(f"{fn}: shape must be a pair (nrows, ncols), got {shape!r}") from None
        nrows = _size(nrows, "nrows", fn)
        ncols = _size(ncols, "ncols", fn)
        rp = np.ascontiguousarray(row_ptr, dtype=np.int64).ravel()
        ci = np.ascontiguousarray(col_idx, dtype=np.int64).ravel()
        va = np.ascontiguousarray(values, dtype=np.float64).ravel()
        # The C function reads nrows + 1 row pointers and row_ptr[nrows] - index_base entries:
        # check the lengths here so a short array is an error and never a read past its end.
        if rp.size != nrows + 1:
            _fail(Status.DIMENSION_MISMATCH, f"row_ptr has {rp.size} entries; nrows = {nrows} needs {nrows + 1}", fn)
        if ci.size != va.size:
            _fail(Status.DIMENSION_MISMATCH, f"col_idx has {ci.size} entries but values has {va.size}", fn)
        nnz = int(rp[-1]) - int(index_base)
        if nnz >= 0 and ci.size != nnz:
            _fail(
                Status.DIMENSION_MISMATCH,
                f"row_ptr[nrows] - index_base = {nnz} entries, but col_idx has {ci.size} and values has {va.size}",
                fn,
            )
        h = _lib.nks_csr_p()
        # nnz is the real length of col_idx and values: the library never reads past it.
        _check(
            _lib.nks_csr_new(
                nrows, ncols, ci.size, rp.ctypes.data_as(_lib.c_int64_p), ci.ctypes.data_as(_lib.c_int64_p),
                _dptr(va), int(index_base), ctypes.byref(h),
            ),
            fn,
        )
        self._h = h

    @classmethod
    def from_scipy(cls, A) -> "CSR":
        """Copies any ``scipy.sparse`` matrix or array (converted to CSR, int64 indices, float64
        values; duplicates summed)."""
        import scipy.sparse as sp

        if not sp.issparse(A):
            raise TypeError(f"CSR.from_scipy: expected a scipy.sparse matrix, got {type(A).__name__}")
        C = A.tocsr()
        if np.iscomplexobj(C.data):
            raise TypeError("CSR.from_scipy: complex matrices are not supported (nksolve is real, float64)")
        return cls(C.indptr.astype(np.int64), C.indices.astype(np.int64), C.data.astype(np.float64), C.shape, 0)

    def _size(self):
        r, c, z = ctypes.c_size_t(), ctypes.c_size_t(), ctypes.c_size_t()
        _check(_lib.nks_csr_get_size(self._handle(), ctypes.byref(r), ctypes.byref(c), ctypes.byref(z)), "nks_csr_get_size")
        return r.value, c.value, z.value

    @property
    def shape(self) -> Tuple[int, int]:
        """``(nrows, ncols)``."""
        r, c, _ = self._size()
        return (r, c)

    @property
    def nnz(self) -> int:
        """The number of stored entries (after duplicates were summed)."""
        return self._size()[2]

    def matvec(self, x) -> np.ndarray:
        """Returns ``y = A x`` (a new array) computed by the library; ``x`` must be finite."""
        fn = "nks_csr_matvec"
        h = self._handle()
        nrows, ncols, _ = self._size()
        xv = _vector(x, "x", fn)
        y = np.empty(nrows, dtype=np.float64)
        _check(_lib.nks_csr_matvec(h, _dptr(xv), xv.size, _dptr(y), nrows), fn)
        return y

    def __matmul__(self, x) -> np.ndarray:
        """``A @ x`` is :meth:`matvec`."""
        return self.matvec(x)

    def __repr__(self) -> str:
        if self._h is None:
            return "<nksolve.CSR (closed)>"
        r, c, z = self._size()
        return f"<nksolve.CSR {r}x{c}, nnz={z}>"


# ---------------------------------------------------------------------------------------------
# Krylov solver
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KrylovReport:
    """What a Krylov solve did (mirror of ``nks_krylov_report``).

    During a solve (in a monitor), ``residual_norm`` is the monitored residual of the current
    iteration; after it, the true ``||b - A x||`` of the returned ``x``. In a monitor only the
    counters, norms and ``seconds`` are meaningful: ``termination`` is ``NOT_STARTED`` and
    ``status`` is not final (the library 0.1 reports ``INTERNAL`` there).
    """

    status: Status  #: The status the solve returned.
    termination: Termination  #: Why it stopped.
    iterations: int  #: Krylov iterations.
    matvecs: int  #: Operator applications, residual recomputations included.
    precond_applies: int  #: Preconditioner applications.
    rhs_norm: float  #: ``||b||_2``.
    initial_residual_norm: float  #: The monitored residual norm at the start.
    residual_norm: float  #: See the class docs.
    seconds: float  #: Wall-clock seconds.
    callback_code: int  #: The code a failing callback returned (0 if none failed).
    # Recycling (GCRO-DR, recycled CG; zero / False for the other methods):
    #: The kept space was re-fitted to a new operator before this solve (``recycle_initial_dim``
    #: extra matvecs).
    recycle_rebuilt: bool = False
    recycle_initial_dim: int = 0  #: Dimension of the recycled space this solve started from.
    recycle_final_dim: int = 0  #: Dimension of the space kept for the next solve.
    recycle_refreshes: int = 0  #: Refreshes of the space from this solve's Krylov data.
    #: GCRO-DR: largest principal angle (radians, ``[0, pi/2]``) between the space before and
    #: after the re-fit to a new operator.
    recycle_largest_angle: float = 0.0
    #: ``||r after projection onto the recycled space|| / ||r0||`` (1: the space did not help).
    recycle_projection_ratio: float = 0.0
    #: The space was dropped after this solve (it stopped helping, or was degenerate).
    recycle_dropped: bool = False

    @property
    def converged(self) -> bool:
        """``True`` when the solve reached ``rtol`` or ``atol``."""
        return self.termination in (Termination.CONVERGED_RTOL, Termination.CONVERGED_ATOL)

    @classmethod
    def _from_c(cls, r: _lib.nks_krylov_report) -> "KrylovReport":
        return cls(
            status=_enum_or_int(Status, r.status),
            termination=_enum_or_int(Termination, r.termination),
            iterations=int(r.iterations),
            matvecs=int(r.matvecs),
            precond_applies=int(r.precond_applies),
            rhs_norm=float(r.rhs_norm),
            initial_residual_norm=float(r.initial_residual_norm),
            residual_norm=float(r.residual_norm),
            seconds=float(r.seconds),
            callback_code=int(r.callback_code),
            recycle_rebuilt=bool(r.recycle_rebuilt),
            recycle_initial_dim=int(r.recycle_initial_dim),
            recycle_final_dim=int(r.recycle_final_dim),
            recycle_refreshes=int(r.recycle_refreshes),
            recycle_largest_angle=float(r.recycle_largest_angle),
            recycle_projection_ratio=float(r.recycle_projection_ratio),
            recycle_dropped=bool(r.recycle_dropped),
        )


class _ErrorSlot:
    """Holds the first exception raised by a callback during one solve (shared by the handle
    and its trampolines, so the trampolines need no reference to the handle)."""

    __slots__ = ("exc",)

    def __init__(self):
        self.exc = None

    def store(self, exc: BaseException) -> None:
        if self.exc is None:
            self.exc = exc

    def take(self):
        exc, self.exc = self.exc, None
        return exc


def _apply_into(kind: str, f: Callable, leading_args: tuple, inp, out, n: int) -> None:
    """``out = f(*leading_args, in)`` for library vectors ``in`` and ``out`` of length ``n``.

    ``in`` is wrapped without copying and marked read-only; ``f``'s result is checked and copied
    into ``out``."""
    x = np.ctypeslib.as_array(inp, shape=(n,))
    x.flags.writeable = False
    y = f(*leading_args, x)
    if y is None:
        raise TypeError(f"the {kind} callback returned None; it must return the result vector of length {n}")
    y = np.asarray(y, dtype=np.float64)
    if y.shape != (n,):
        raise ValueError(f"the {kind} callback returned an array of shape {y.shape}; expected ({n},)")
    np.ctypeslib.as_array(out, shape=(n,))[:] = y


def _vector_trampoline(kind: str, f: Callable, slot: _ErrorSlot):
    """A C ``int (*)(const double *in, double *out, size_t n, void *)`` calling ``out = f(in)``
    (see :func:`_apply_into`).

    Any exception (KeyboardInterrupt included) is stored in ``slot`` and the solve is stopped
    with -1, so nothing propagates into the library.
    """
    cfunc_type = _lib.nks_matvec_fn if kind == "matvec" else _lib.nks_precond_fn

    def trampoline(inp, out, n, _user_data):
        try:
            _apply_into(kind, f, (), inp, out, n)
            return 0
        except BaseException as e:  # noqa: BLE001 -- nothing may cross into the library
            slot.store(e)
            return -1

    return cfunc_type(trampoline)


def _indexed_matvec_trampoline(f: Callable, slot: _ErrorSlot):
    """A C ``nks_indexed_matvec_fn`` calling ``y = f(system, x)`` (``system`` 0-based), with the
    conventions and error handling of :func:`_vector_trampoline`."""

    def trampoline(system, inp, out, n, _user_data):
        try:
            _apply_into("sequence matvec", f, (int(system),), inp, out, n)
            return 0
        except BaseException as e:  # noqa: BLE001 -- nothing may cross into the library
            slot.store(e)
            return -1

    return _lib.nks_indexed_matvec_fn(trampoline)


def _monitor_trampoline(f: Callable, slot: _ErrorSlot):
    def trampoline(report_ptr, _user_data):
        try:
            keep_going = f(KrylovReport._from_c(report_ptr.contents))
            return 0 if (keep_going is None or keep_going) else 1
        except BaseException as e:  # noqa: BLE001
            slot.store(e)
            return -1

    return _lib.nks_krylov_monitor_fn(trampoline)


_METHODS = {"cg": Method.CG, "gmres": Method.GMRES, "fgmres": Method.FGMRES, "gcrodr": Method.GCRODR,
            "recycled_cg": Method.RECYCLED_CG}
_PRECONDITIONERS = {"none": Preconditioner.NONE, "jacobi": Preconditioner.JACOBI, "ilu0": Preconditioner.ILU0}
_SIDES = {"left": PreconditionerSide.LEFT, "right": PreconditionerSide.RIGHT}


def _choice(value, table: dict, enum_cls, name: str, function: str) -> int:
    if isinstance(value, str):
        key = value.lower()
        if key not in table:
            _fail(Status.INVALID_ARGUMENT, f"{name} = {value!r}; use one of {', '.join(map(repr, table))}", function)
        return int(table[key])
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)  # the library range-checks numeric codes
    _fail(Status.INVALID_ARGUMENT, f"{name} = {value!r}; use one of {', '.join(map(repr, table))} or a {enum_cls.__name__}", function)


class _csr_list:
    """``with _csr_list(operators, count, fn) as matrices``: the operators of a sequence as
    :class:`CSR` handles; the ones converted from ``scipy.sparse`` here are freed on exit."""

    def __init__(self, operators, count: int, function: str):
        try:
            items = list(operators)
        except TypeError:
            raise TypeError(f"{function}: operators must be a sequence of matrices or a callable f(i, x)") from None
        if len(items) != count:
            _fail(Status.DIMENSION_MISMATCH, f"{len(items)} operators but B has {count} columns (one per system)", function)
        self.matrices, self._owned = [], []
        for i, A in enumerate(items):
            C, converted = _as_csr(A)
            if C is not None:
                self.matrices.append(C)
                if converted:
                    self._owned.append(C)
            else:
                self.close()
                raise TypeError(f"{function}: operators[{i}] is a {type(A).__name__}; use an nksolve.CSR or a "
                                "scipy.sparse matrix, or pass a callable f(i, x) for matrix-free systems")

    def close(self) -> None:
        for C in self._owned:
            C.close()
        self._owned = []

    def __enter__(self) -> list:
        return self.matrices

    def __exit__(self, *exc) -> None:
        self.close()


def _path_arg(path, function: str) -> bytes:
    """A file system path (``str``, ``bytes`` or ``os.PathLike``) as the C string the library
    reads."""
    try:
        raw = os.fsencode(path)
    except TypeError:
        raise TypeError(f"{function}: path must be a str, bytes or os.PathLike, got {type(path).__name__}") from None
    if b"\0" in raw:
        _fail(Status.INVALID_ARGUMENT, f"path {path!r} contains a NUL character", function)
    return raw


def _library_bytes(function: str, call: Callable) -> bytes:
    """The buffer a C function hands out through ``uint8_t **buf, size_t *len`` as ``bytes``.

    ``call(buf, len)`` runs the C function with the two out-pointers and returns its status; the
    library's buffer is copied and freed with ``nks_bytes_free``.
    """
    buf, length = _lib.c_uint8_p(), ctypes.c_size_t(0)
    _check(call(ctypes.byref(buf), ctypes.byref(length)), function)
    try:
        return ctypes.string_at(buf, length.value) if length.value else b""
    finally:
        _lib.nks_bytes_free(buf, length.value)


def _byte_array(data, function: str) -> np.ndarray:
    """A bytes-like object as a ``uint8`` array the C API can read (no copy for ``bytes``,
    ``bytearray`` or ``memoryview``)."""
    try:
        return np.frombuffer(data, dtype=np.uint8)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{function}: data must be a bytes-like object ({e})") from None


def _as_csr(A):
    """``A`` as ``(CSR, converted)``: an :class:`CSR` as it is, a ``scipy.sparse`` matrix
    copied into a new CSR (``converted`` is then ``True`` and the caller closes it), anything
    else ``(None, False)``."""
    if isinstance(A, CSR):
        return A, False
    if hasattr(A, "tocsr"):
        return CSR.from_scipy(A), True
    return None, False


class Krylov(_Handle):
    """A Krylov solver (``nks_krylov``): options, operator, preconditioner, monitor, reusable
    workspace and the report of the last solve. Use one handle from one thread at a time.

    Args:
        method: ``"cg"``, ``"gmres"`` (default), ``"fgmres"``, ``"gcrodr"`` or
            ``"recycled_cg"`` (or a :class:`Method`). The recycling methods keep
            ``recycle_dim`` vectors (an option, default 10) across solves on this handle; see
            :meth:`solve_sequence` and :meth:`save_recycled`.
        rtol: relative tolerance in ``[0, 1)``; stop when ``||r|| <= max(rtol ||b||, atol)``.
        atol: absolute tolerance, ``>= 0``.
        max_iterations: iteration limit, ``>= 1``.
        restart: GMRES/FGMRES restart length m, ``1..=10000``.
        use_initial_guess: ``None`` (default): :meth:`solve` starts from ``x0`` when one is
            given, else from zero. ``True``: ``x0`` is required. ``False``: always start from
            zero; passing ``x0`` is an error.
        preconditioner_side: ``"left"`` or ``"right"`` (default), for GMRES.
        max_seconds: wall-clock limit (``> 0``); ``None``: no limit.
        **options: further options passed by name to :meth:`set_option` (an unknown name
            raises ``NKSolveError`` with status ``UNKNOWN_OPTION``).

    Unset options keep the library defaults: GMRES(30), rtol 1e-8, atol 0, 10000 iterations.
    """

    _free_fn = "nks_krylov_free"

    def __init__(
        self,
        method: Union[str, Method, None] = None,
        *,
        rtol: Optional[float] = None,
        atol: Optional[float] = None,
        max_iterations: Optional[int] = None,
        restart: Optional[int] = None,
        use_initial_guess: Optional[bool] = None,
        preconditioner_side: Union[str, PreconditionerSide, None] = None,
        max_seconds: Optional[float] = None,
        **options: float,
    ):
        self._h = None
        self._slot = _ErrorSlot()
        # The CFUNCTYPE objects the library holds pointers to; kept alive while installed.
        self._matvec_cb = None
        self._precond_cb = None
        self._monitor_cb = None
        self._n = None
        self._use_initial_guess = None
        h = _lib.nks_krylov_p()
        _check(_lib.nks_krylov_new(ctypes.byref(h)), "nks_krylov_new")
        self._h = h
        if method is not None:
            self.set_method(method)
        if rtol is not None:
            self.set_rtol(rtol)
        if atol is not None:
            self.set_atol(atol)
        if max_iterations is not None:
            self.set_max_iterations(max_iterations)
        if restart is not None:
            self.set_restart(restart)
        self.set_use_initial_guess(use_initial_guess)
        if preconditioner_side is not None:
            self.set_preconditioner_side(preconditioner_side)
        if max_seconds is not None:
            self.set_max_seconds(max_seconds)
        for name, value in options.items():
            self.set_option(name, value)

    # -- lifecycle -----------------------------------------------------------------------------

    def _after_close(self) -> None:
        # The callbacks were kept alive for the library; the freed handle no longer calls them.
        self._matvec_cb = self._precond_cb = self._monitor_cb = None

    # -- options -------------------------------------------------------------------------------

    def set_method(self, method: Union[str, Method, int]) -> None:
        """Selects the method: ``"cg"``, ``"gmres"``, ``"fgmres"``, ``"gcrodr"``,
        ``"recycled_cg"`` or a :class:`Method`."""
        fn = "nks_krylov_set_method"
        _check(_lib.nks_krylov_set_method(self._handle(), _choice(method, _METHODS, Method, "method", fn)), fn)

    def set_rtol(self, rtol: float) -> None:
        """Relative tolerance in ``[0, 1)`` (default 1e-8)."""
        _check(_lib.nks_krylov_set_rtol(self._handle(), float(rtol)), "nks_krylov_set_rtol")

    def set_atol(self, atol: float) -> None:
        """Absolute tolerance, ``>= 0`` (default 0)."""
        _check(_lib.nks_krylov_set_atol(self._handle(), float(atol)), "nks_krylov_set_atol")

    def set_max_iterations(self, max_iterations: int) -> None:
        """Iteration limit, ``>= 1`` (default 10000); reaching it gives ``Status.MAX_ITERATIONS``."""
        fn = "nks_krylov_set_max_iterations"
        _check(_lib.nks_krylov_set_max_iterations(self._handle(), _size(max_iterations, "max_iterations", fn)), fn)

    def set_restart(self, restart: int) -> None:
        """GMRES/FGMRES restart length m, ``1..=10000`` (default 30)."""
        fn = "nks_krylov_set_restart"
        _check(_lib.nks_krylov_set_restart(self._handle(), _size(restart, "restart", fn)), fn)

    def set_use_initial_guess(self, use_initial_guess: Optional[bool]) -> None:
        """How :meth:`solve` treats ``x0``: ``None`` uses it when given (else starts from zero),
        ``True`` requires it, ``False`` always starts from zero and rejects it."""
        if use_initial_guess not in (None, True, False):
            _fail(Status.INVALID_ARGUMENT, f"use_initial_guess = {use_initial_guess!r}; use None, True or False",
                  "nks_krylov_set_use_initial_guess")
        self._handle()
        self._use_initial_guess = use_initial_guess

    def set_preconditioner_side(self, side: Union[str, PreconditionerSide, int]) -> None:
        """GMRES preconditioner side: ``"left"`` or ``"right"`` (default). FGMRES is always
        right-preconditioned; CG ignores this."""
        fn = "nks_krylov_set_preconditioner_side"
        _check(_lib.nks_krylov_set_preconditioner_side(self._handle(), _choice(side, _SIDES, PreconditionerSide, "preconditioner_side", fn)), fn)

    def set_max_seconds(self, max_seconds: float) -> None:
        """Wall-clock limit in seconds, ``> 0``; reaching it gives ``Status.TIME_LIMIT``.
        ``math.inf`` removes a limit set earlier."""
        _check(_lib.nks_krylov_set_max_seconds(self._handle(), float(max_seconds)), "nks_krylov_set_max_seconds")

    def set_option(self, name: str, value: float) -> None:
        """Sets an option by name, as read from an input file (``nks_krylov_set_option``):
        ``"method"``, ``"rtol"``, ``"atol"``, ``"max_iterations"``, ``"restart"``,
        ``"use_initial_guess"`` (0/1), ``"preconditioner_side"`` (0/1), ``"max_seconds"``,
        ``"reorthogonalization"`` (0 never, 1 if needed, 2 always), ``"recycle_dim"`` (vectors
        kept by GCRO-DR and recycled CG, 0..=10000, default 10), ``"refresh_interval"`` (GCRO-DR
        refreshes its space from every n-th full cycle, 1..=10000, default 3). ``method``,
        ``preconditioner_side`` and ``use_initial_guess`` also accept the strings and values of
        the typed setters. An unknown name raises ``NKSolveError`` with status
        ``UNKNOWN_OPTION`` and the list of known names."""
        fn = "nks_krylov_set_option"
        if name == "method" and isinstance(value, (str, Method)):
            return self.set_method(value)
        if name == "preconditioner_side" and isinstance(value, (str, PreconditionerSide)):
            return self.set_preconditioner_side(value)
        if name == "use_initial_guess":
            # The binding decides per solve whether x0 is used (see solve); validate like the library.
            if value is None or isinstance(value, bool):
                return self.set_use_initial_guess(value)
            if value in (0, 1):
                return self.set_use_initial_guess(bool(value))
        if isinstance(value, str):
            _fail(Status.INVALID_ARGUMENT, f"option {name!r}: value {value!r} must be a number", fn)
        _check(_lib.nks_krylov_set_option(self._handle(), str(name).encode("utf-8"), float(value)), fn)

    def get_option(self, name: str):
        """Reads an option by name (``nks_krylov_get_option``): any name :meth:`set_option`
        accepts, as a float in the library's numeric encoding (``"method"`` 0 = CG, 1 = GMRES,
        2 = FGMRES, 3 = GCRO-DR, 4 = recycled CG; ``"preconditioner_side"`` 0 = left, 1 = right; ``"reorthogonalization"``
        0/1/2; ``"max_seconds"`` is ``math.inf`` without a limit), so
        ``set_option(name, get_option(name))`` changes nothing.

        ``"use_initial_guess"`` is kept by this binding, not the library (see :meth:`solve`), and
        reads back as set: ``None``, ``True`` or ``False``. An unknown name raises
        ``NKSolveError`` with status ``UNKNOWN_OPTION`` and the list of known names."""
        fn = "nks_krylov_get_option"
        h = self._handle()
        if name == "use_initial_guess":
            return self._use_initial_guess
        value = ctypes.c_double()
        _check(_lib.nks_krylov_get_option(h, str(name).encode("utf-8"), ctypes.byref(value)), fn)
        return value.value

    # -- operator, preconditioner, monitor -----------------------------------------------------

    def set_operator(self, A=None, *, n: Optional[int] = None, matvec: Optional[Callable] = None) -> None:
        """Sets the operator.

        * ``set_operator(A)`` with an :class:`CSR` (the solver keeps its own reference) or any
          ``scipy.sparse`` matrix (copied into a CSR), or any object with ``shape`` and a
          ``matvec`` method such as a ``scipy.sparse.linalg.LinearOperator`` (used matrix-free).
        * ``set_operator(n=n, matvec=f)``: matrix-free; ``f(x)`` must RETURN ``A @ x`` as an
          array of length ``n``. ``x`` is a read-only view of the library's vector, valid only
          during the call (copy it to keep it). The result is copied into the library's vector.
          An exception raised by ``f`` stops the solve and is re-raised by :meth:`solve`.

        Built-in preconditioners (Jacobi, ILU(0)) need a CSR operator.
        """
        h = self._handle()
        if A is None:
            if n is None or matvec is None:
                raise TypeError("Krylov.set_operator: give a matrix A, or both n=... and matvec=...")
            if not callable(matvec):
                raise TypeError(f"Krylov.set_operator: matvec must be callable, got {type(matvec).__name__}")
            fn = "nks_krylov_set_operator_callback"
            n = _size(n, "n", fn)
            cb = _vector_trampoline("matvec", matvec, self._slot)
            _check(_lib.nks_krylov_set_operator_callback(h, n, cb, None), fn)
            self._matvec_cb, self._n = cb, n
            return
        if n is not None or matvec is not None:
            raise TypeError("Krylov.set_operator: give either a matrix A or n=... and matvec=..., not both")
        if isinstance(A, CSR):
            _check(_lib.nks_krylov_set_operator_csr(h, A._handle()), "nks_krylov_set_operator_csr")
            self._matvec_cb, self._n = None, A.shape[0]
            return
        if hasattr(A, "tocsr"):  # scipy.sparse
            with CSR.from_scipy(A) as C:
                return self.set_operator(C)
        if hasattr(A, "matvec") and hasattr(A, "shape"):
            rows, cols = A.shape
            if rows != cols:
                _fail(Status.DIMENSION_MISMATCH, f"A is {rows} x {cols}; Krylov solvers need a square operator",
                      "nks_krylov_set_operator_callback")
            return self.set_operator(n=rows, matvec=A.matvec)
        raise TypeError(
            f"Krylov.set_operator: cannot use a {type(A).__name__}; pass an nksolve.CSR, a scipy.sparse "
            "matrix, a LinearOperator, or n=... and matvec=..."
        )

    def set_preconditioner(self, preconditioner: Union[str, Preconditioner, int, Callable, None]) -> None:
        """Sets the preconditioner.

        * ``"none"``, ``"jacobi"``, ``"ilu0"`` (or a :class:`Preconditioner`; ``None`` means
          ``"none"``): built-in, built from the CSR operator at the next solve.
        * a callable ``M(r)`` that RETURNS ``z = M^-1 r`` (same conventions as a matvec callback).
          For CG it must be symmetric positive definite; for FGMRES it may vary between calls.
        """
        h = self._handle()
        if preconditioner is None:
            preconditioner = Preconditioner.NONE
        if callable(preconditioner) and not isinstance(preconditioner, (str, numbers.Integral)):
            fn = "nks_krylov_set_preconditioner_callback"
            cb = _vector_trampoline("preconditioner", preconditioner, self._slot)
            _check(_lib.nks_krylov_set_preconditioner_callback(h, cb, None), fn)
            self._precond_cb = cb
            return
        fn = "nks_krylov_set_preconditioner"
        _check(_lib.nks_krylov_set_preconditioner(h, _choice(preconditioner, _PRECONDITIONERS, Preconditioner, "preconditioner", fn)), fn)
        self._precond_cb = None

    def set_monitor(self, monitor: Optional[Callable[[KrylovReport], Optional[bool]]]) -> None:
        """Installs ``monitor(report)``, called once per iteration with the running
        :class:`KrylovReport`. Return ``False`` (or any false value other than ``None``) to stop:
        the solve then raises ``NKSolveError`` with status ``ABORTED``. ``True`` or ``None``
        continue. An exception raised by the monitor stops the solve and is re-raised.
        ``set_monitor(None)`` removes it."""
        h = self._handle()
        if monitor is None:
            _check(_lib.nks_krylov_set_monitor(h, _lib.nks_krylov_monitor_fn(), None), "nks_krylov_set_monitor")
            self._monitor_cb = None
            return
        if not callable(monitor):
            raise TypeError(f"Krylov.set_monitor: monitor must be callable or None, got {type(monitor).__name__}")
        cb = _monitor_trampoline(monitor, self._slot)
        _check(_lib.nks_krylov_set_monitor(h, cb, None), "nks_krylov_set_monitor")
        self._monitor_cb = cb

    # -- solving -------------------------------------------------------------------------------

    def solve(self, b, x0=None) -> Tuple[np.ndarray, KrylovReport]:
        """Solves ``A x = b`` and returns ``(x, report)``; ``x`` is a new array, ``x0`` and
        ``b`` are never modified.

        The start is ``x0`` when given (see ``use_initial_guess``), else zero. On convergence
        ``report.status == Status.OK``. If the solve stops at the iteration or time limit or
        stagnates, ``x`` is the solver's last iterate and ``report.status`` is
        ``MAX_ITERATIONS`` / ``TIME_LIMIT`` / ``STAGNATION`` (no exception; check
        ``report.converged``).

        Raises:
            NKSolveError: the call failed (bad input such as a length mismatch or NaN in ``b``,
                breakdown, the monitor asked to stop: ``ABORTED``, ...).
            Exception: whatever a Python callback raised, re-raised as is; its ``__context__``
                is the library's ``NKSolveError`` (status ``CALLBACK`` or ``ABORTED``).
        """
        fn = "nks_krylov_solve"
        h = self._handle()
        bv = _vector(b, "b", fn)
        if x0 is None:
            if self._use_initial_guess:
                _fail(Status.INVALID_ARGUMENT, "use_initial_guess is True but no x0 was given", fn)
            x = np.zeros(bv.size, dtype=np.float64)
        else:
            if self._use_initial_guess is False:
                _fail(Status.INVALID_ARGUMENT, "x0 was given but use_initial_guess is False (the solve starts from zero)", fn)
            x = np.array(_vector(x0, "x0", fn), dtype=np.float64, copy=True)
            if x.size != bv.size:
                _fail(Status.DIMENSION_MISMATCH, f"x0 has length {x.size} but b has length {bv.size}", fn)
        _check(_lib.nks_krylov_set_use_initial_guess(h, int(x0 is not None)), "nks_krylov_set_use_initial_guess")
        self._call_with_callbacks(fn, lambda: _lib.nks_krylov_solve(h, _dptr(bv), _dptr(x), bv.size))
        return x, self.report

    def _call_with_callbacks(self, fn: str, call: Callable[[], int]) -> int:
        """Runs a C call that may run this handle's Python callbacks and returns its status.

        A negative status raises :class:`NKSolveError`; an exception a callback raised during the
        call is re-raised instead, with the library error as its ``__context__``.
        """
        self._slot.take()  # nothing left over from an earlier, interrupted call
        status = call()
        pending = self._slot.take()
        if status < 0:
            error = NKSolveError(status, _last_message(), fn)
            if pending is not None:
                try:
                    raise error
                except NKSolveError:
                    raise pending  # __context__ is the library error
            raise error
        if pending is not None:  # cannot happen with a conforming library; never swallow it
            raise pending
        return status

    def solve_sequence(self, operators, B, features=None, X0=None) -> Tuple[np.ndarray, np.ndarray, list]:
        """Solves the systems ``A_i x_i = B[:, i]``, ``i = 0 .. count-1``, one after the other on
        this handle (``nks_krylov_solve_sequence`` / ``nks_krylov_solve_sequence_callback``).

        With GCRO-DR (``"gcrodr"``) or recycled CG (``"recycled_cg"``) the recycled subspace is
        carried from one system to the next (re-fitted to each new operator first), and stays on
        the handle afterwards (see :meth:`save_recycled`). Other methods solve each system from
        scratch. The handle's method, options, built-in preconditioner (Jacobi / ILU(0), built
        for each matrix) or Python preconditioner, and monitor apply; its own operator (from
        :meth:`set_operator`) is neither used nor changed.

        Args:
            operators: either a sequence of ``count`` matrices (:class:`CSR` or ``scipy.sparse``,
                all ``n x n``), or a callable ``f(i, x)`` that RETURNS ``A_i @ x`` for the 0-based
                system index ``i`` (same conventions as a matvec of :meth:`set_operator`;
                built-in preconditioners then raise ``INVALID_STATE``).
            B: the right-hand sides, an ``n x count`` array, one COLUMN per system. C or Fortran
                order, or a column-major view (e.g. ``M[:, 3:7]``), is fine: the binding hands
                the library a column-major block and its leading dimension, copying only when
                ``B`` is not column-major already.
            features: ``None`` to solve in the natural order 0, 1, ...; else one feature vector
                per system (a 1-D array of ``count`` numbers, or a ``num_features x count``
                matrix with one column per system), and the systems are solved in the SKR order
                of :func:`skr_order`.
            X0: initial guesses (``n x count``), used as :meth:`solve` uses ``x0`` (see
                ``use_initial_guess``); ``None``: start every system from zero.

        Returns:
            ``(X, order, reports)``: ``X`` the ``n x count`` solutions (a new Fortran-ordered
            array, column ``i`` for system ``i``), ``order`` the 0-based system indices in the
            order they were solved (``numpy.intp`` array), and ``reports`` a list of ``count``
            :class:`KrylovReport`, indexed by system. A system that stopped at a limit does not
            raise: its column holds the last iterate and its report ``status > 0`` (check
            ``report.converged``); the library's overall status is the first such status in
            solve order. :attr:`report` is then the last-solved system's report.

        Raises:
            NKSolveError: invalid arguments (nothing solved), or a system failed (the library
                stops the sequence there; the message names the system).
            Exception: whatever a Python callback raised, re-raised as is (as in :meth:`solve`).
        """
        h = self._handle()
        callback = callable(operators)
        fn = "nks_krylov_solve_sequence_callback" if callback else "nks_krylov_solve_sequence"
        b, ldb = _column_major(B, "B", fn)
        n, count = b.shape
        f, num_features, ldf = _features(features, count, fn)
        fptr = _dptr(f) if f is not None else None
        if X0 is None:
            if self._use_initial_guess:
                _fail(Status.INVALID_ARGUMENT, "use_initial_guess is True but no X0 was given", fn)
            x = np.zeros((n, count), dtype=np.float64, order="F")
        else:
            if self._use_initial_guess is False:
                _fail(Status.INVALID_ARGUMENT, "X0 was given but use_initial_guess is False (the solves start from zero)", fn)
            x = np.array(X0, dtype=np.float64, order="F", copy=True)
            if x.shape != (n, count):
                _fail(Status.DIMENSION_MISMATCH, f"X0 has shape {x.shape} but B has shape {(n, count)}", fn)
        ldx = max(n, 1)
        order = _size_t_array(count)
        reports = (_lib.nks_krylov_report * count)()
        _check(_lib.nks_krylov_set_use_initial_guess(h, int(X0 is not None)), "nks_krylov_set_use_initial_guess")
        if callback:
            cb = _indexed_matvec_trampoline(operators, self._slot)  # alive for the call: a local
            self._call_with_callbacks(fn, lambda: _lib.nks_krylov_solve_sequence_callback(
                h, count, n, cb, None, _dptr(b), ldb, _dptr(x), ldx, fptr, num_features, ldf,
                _size_t_ptr(order), reports))
        else:
            with _csr_list(operators, count, fn) as matrices:
                # The library sees only ldb, not B's row count: compare here.
                for i, m in enumerate(matrices):
                    if m.shape != (n, n):
                        _fail(Status.DIMENSION_MISMATCH, f"operators[{i}] is {m.shape[0]} x {m.shape[1]} but B has {n} rows", fn)
                handles = (_lib.nks_csr_p * count)(*(m._handle().value for m in matrices))
                self._call_with_callbacks(fn, lambda: _lib.nks_krylov_solve_sequence(
                    h, count, handles, _dptr(b), ldb, _dptr(x), ldx, fptr, num_features, ldf,
                    _size_t_ptr(order), reports))
        return x, order.astype(np.intp), [KrylovReport._from_c(r) for r in reports]

    # -- recycled subspaces --------------------------------------------------------------------

    def operator_changed(self) -> None:
        """Tells the handle that its operator changed although it was not set again (a matvec
        callback whose matrix was updated in place): the recycled space is re-fitted to the
        operator at the next solve (``nks_krylov_operator_changed``). :meth:`set_operator` and
        :meth:`set_preconditioner` do this already."""
        _check(_lib.nks_krylov_operator_changed(self._handle()), "nks_krylov_operator_changed")

    def clear_recycled(self) -> None:
        """Forgets every recycled vector: the next solve starts from scratch
        (``nks_krylov_clear_recycled``)."""
        _check(_lib.nks_krylov_clear_recycled(self._handle()), "nks_krylov_clear_recycled")

    def save_recycled(self) -> bytes:
        """What the handle recycles (GCRO-DR's and recycled CG's spaces) as ``bytes``
        (``nks_krylov_save_recycled``): a versioned, checksummed, little-endian format that
        :meth:`load_recycled` accepts in another handle, process or machine. Options and
        operators are not part of it."""
        h = self._handle()
        return _library_bytes("nks_krylov_save_recycled", lambda buf, length: _lib.nks_krylov_save_recycled(h, buf, length))

    def load_recycled(self, data) -> None:
        """Restores a space saved by :meth:`save_recycled` (any bytes-like object); it is
        re-fitted to the operator at the next solve (``nks_krylov_load_recycled``).

        Raises:
            NKSolveError: ``INVALID_ARGUMENT`` for a foreign, truncated or corrupted buffer, or
                one of another format version (the message says which); the handle is then
                unchanged.
        """
        fn = "nks_krylov_load_recycled"
        raw = _byte_array(data, fn)
        _check(_lib.nks_krylov_load_recycled(self._handle(), raw.ctypes.data_as(_lib.c_uint8_p), raw.size), fn)

    def save_recycled_file(self, path) -> None:
        """As :meth:`save_recycled`, into the file ``path`` (created or replaced;
        ``nks_krylov_save_recycled_file``). An I/O failure raises ``NKSolveError``
        (``INVALID_ARGUMENT``) with the path and the system's reason."""
        fn = "nks_krylov_save_recycled_file"
        _check(_lib.nks_krylov_save_recycled_file(self._handle(), _path_arg(path, fn)), fn)

    def load_recycled_file(self, path) -> None:
        """As :meth:`load_recycled`, from the file ``path`` (``nks_krylov_load_recycled_file``)."""
        fn = "nks_krylov_load_recycled_file"
        _check(_lib.nks_krylov_load_recycled_file(self._handle(), _path_arg(path, fn)), fn)

    @property
    def report(self) -> KrylovReport:
        """The report of the last solve that started on this handle (``nks_krylov_get_report``).

        A solve rejected before starting (e.g. a length mismatch or NaN in ``b``) leaves the
        previous report in place."""
        r = _lib.nks_krylov_report()
        _check(_lib.nks_krylov_get_report(self._handle(), ctypes.byref(r)), "nks_krylov_get_report")
        return KrylovReport._from_c(r)

    def __repr__(self) -> str:
        return "<nksolve.Krylov (closed)>" if self._h is None else f"<nksolve.Krylov n={self._n}>"


# ---------------------------------------------------------------------------------------------
# SOR with a learned relaxation parameter
# ---------------------------------------------------------------------------------------------


class SorLearner(enum.IntEnum):
    """The learners of :class:`SorBandit` (``nks_sor_learner``); the constructor also takes
    their names in lower case (``"tsallis_inf"``, ``"chebcb"``, ``"binned"``, ``"fixed"``,
    ``"young"``)."""

    #: Tsallis-INF (alpha = 1/2) over the omega grid: total iterations approach those of the
    #: best fixed omega in hindsight. Ignores the context.
    TSALLIS_INF = 0
    #: ChebCB: contextual; regresses each arm's cost on Chebyshev features of the context
    #: (options ``context_min``, ``context_max``, ``chebyshev_terms``); approaches the best
    #: omega per context.
    CHEBCB = 1
    #: Tsallis-INF per context bin (options ``context_min``, ``context_max``, ``bins``).
    BINNED = 2
    #: Always ``omega_min`` (``num_arms = 1``, ``omega_max == omega_min``).
    FIXED = 3
    #: Young's ``2 / (1 + sqrt(1 - rho^2))`` clamped to ``[omega_min, omega_max]``
    #: (``num_arms = 1``); ``rho`` is option ``young_rho``, or the context of each solve when
    #: that is -1 (the default).
    YOUNG = 4


_SOR_LEARNERS = {learner.name.lower(): learner for learner in SorLearner}


@dataclass(frozen=True)
class SorReport:
    """What the last :meth:`SorBandit.solve` did (mirror of ``nks_sor_report``)."""

    status: Status  #: The status the solve returned.
    #: Why it stopped: ``CONVERGED_RTOL``, ``MAX_ITERATIONS``, ``NON_FINITE`` (SOR diverged),
    #: ``BREAKDOWN`` (SSOR-PCG on a non-SPD matrix); ``NOT_STARTED`` before the first solve.
    termination: Termination
    arm: int  #: The arm chosen: its 0-based index into the omega grid (as :meth:`SorBandit.choose` gives it).
    omega: float  #: The omega used.
    iterations: int  #: Iterations (SOR sweeps or CG iterations).
    cost: float  #: The cost the learner was given: ``iterations``, or ``max_iterations`` when not converged.
    initial_residual_norm: float  #: ``||b - A x0||``.
    residual_norm: float  #: ``||b - A x||`` of the returned iterate.
    seconds: float  #: Wall-clock seconds of the solve.

    @property
    def converged(self) -> bool:
        """``True`` when the solve reached the tolerance."""
        return self.termination in (Termination.CONVERGED_RTOL, Termination.CONVERGED_ATOL)

    @classmethod
    def _from_c(cls, r: _lib.nks_sor_report) -> "SorReport":
        return cls(
            status=_enum_or_int(Status, r.status),
            termination=_enum_or_int(Termination, r.termination),
            arm=int(r.arm),
            omega=float(r.omega),
            iterations=int(r.iterations),
            cost=float(r.cost),
            initial_residual_norm=float(r.initial_residual_norm),
            residual_norm=float(r.residual_norm),
            seconds=float(r.seconds),
        )


def _seed(seed, function: str) -> int:
    """A seed for a ``uint64_t`` argument (ctypes would wrap negatives and large values around)."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= int(seed) < 2**64:
        _fail(Status.INVALID_ARGUMENT, f"seed = {seed!r} must be an integer in [0, 2**64)", function)
    return int(seed)


class SorBandit(_Handle):
    """SOR (or SSOR-preconditioned CG) whose relaxation parameter omega is learned across a
    sequence of systems (``nks_sor_bandit``). Use one handle from one thread at a time.

    The learner chooses one of ``num_arms`` omegas evenly spaced on ``[omega_min, omega_max]``
    for each system, given the system's *context* (a number describing it, such as a shift or a
    time step), and learns from the iteration count. :meth:`solve` chooses, solves and learns
    in one call; :meth:`choose` and :meth:`observe` serve solves done elsewhere. Arms are
    0-based indices into the omega grid everywhere in this class, as in the C API.

    Args:
        learner: a :class:`SorLearner` or its name: ``"tsallis_inf"``, ``"chebcb"``,
            ``"binned"``, ``"fixed"``, ``"young"``.
        num_arms: the number of omegas, ``1..=100000`` (1 for ``"fixed"`` and ``"young"``).
        omega_min, omega_max: the grid's ends, inside ``(0, 2)`` (the paper: 20 arms on
            ``[1, 1.95]``; ``"fixed"`` needs ``omega_max == omega_min``).
        seed: seeds the learner's random generator (same seed, same choices), ``[0, 2**64)``.
        **options: options set by name with :meth:`set_option`, in the order given (e.g.
            ``context_min=-0.1, context_max=0.4, tol=1e-8``).

    Raises:
        NKSolveError: ``INVALID_ARGUMENT`` for an unknown learner, a bad grid, or a bad option
            value; ``UNKNOWN_OPTION`` for an unknown option name.
    """

    _free_fn = "nks_sor_bandit_free"

    def __init__(
        self,
        learner: Union[str, SorLearner, int],
        num_arms: int,
        omega_min: float,
        omega_max: float,
        *,
        seed: int = 0,
        **options: float,
    ):
        fn = "nks_sor_bandit_new"
        self._h = None
        code = _choice(learner, _SOR_LEARNERS, SorLearner, "learner", fn)
        arms = _size(num_arms, "num_arms", fn)
        h = _lib.nks_sor_bandit_p()
        _check(_lib.nks_sor_bandit_new(code, arms, float(omega_min), float(omega_max), _seed(seed, fn), ctypes.byref(h)), fn)
        self._h = h
        for name, value in options.items():
            self.set_option(name, value)

    @classmethod
    def _adopt(cls, h) -> "SorBandit":
        """A new object owning the handle ``h`` that ``nks_sor_bandit_load*`` created."""
        self = cls.__new__(cls)
        self._h = h
        return self

    # -- what the learner was created with -------------------------------------------------------

    @property
    def learner(self) -> SorLearner:
        """The kind of learner (read-only option ``"learner"``)."""
        return _enum_or_int(SorLearner, int(self.get_option("learner")))

    @property
    def num_arms(self) -> int:
        """The number of omegas of the grid, the length of :meth:`probabilities` (read-only
        option ``"num_arms"``)."""
        return int(self.get_option("num_arms"))

    @property
    def omega_min(self) -> float:
        """The grid's lower end (read-only option ``"omega_min"``); arm ``k`` of ``n`` has omega
        ``omega_min + k (omega_max - omega_min) / (n - 1)``."""
        return self.get_option("omega_min")

    @property
    def omega_max(self) -> float:
        """The grid's upper end (read-only option ``"omega_max"``)."""
        return self.get_option("omega_max")

    # -- options -------------------------------------------------------------------------------

    def set_option(self, name: str, value: float) -> None:
        """Sets an option by name (``nks_sor_bandit_set_option``): ``"tol"`` in ``(0, 1)``
        (default 1e-8; stop at ``||b - A x|| < tol ||b - A x0||``), ``"max_iterations"``
        ``>= 1`` (default 10000; a solve reaching it costs the cap), ``"method"`` (0 SOR, the
        default; 1 SSOR-preconditioned CG for SPD matrices), ``"sweep"`` (0 forward, 1 backward,
        2 symmetric; SOR only), ``"ordering"`` (0 natural, 1 multicolour), ``"use_initial_guess"``
        (0: start from zero, the default; 1: from ``x0``, see :meth:`solve`), ``"context_min"``,
        ``"context_max"`` (default 0, 1: the context interval of ChebCB and the binned learner),
        ``"bins"`` (1..=10000, default 5), ``"chebyshev_terms"`` (1..=32, default 6),
        ``"young_rho"`` ([0, 1), or -1: the context).

        Raises:
            NKSolveError: ``UNKNOWN_OPTION`` (the message lists the names), ``INVALID_ARGUMENT``
                for a value out of range (the option keeps its value), ``INVALID_STATE`` for
                ``context_min``, ``context_max``, ``bins``, ``chebyshev_terms`` once the learner
                has observed a cost, and for the read-only options of :meth:`get_option`.
        """
        fn = "nks_sor_bandit_set_option"
        if isinstance(value, str):
            _fail(Status.INVALID_ARGUMENT, f"option {name!r}: value {value!r} must be a number", fn)
        _check(_lib.nks_sor_bandit_set_option(self._handle(), str(name).encode("utf-8"), float(value)), fn)

    def get_option(self, name: str) -> float:
        """Reads an option by name (``nks_sor_bandit_get_option``), as a float in the encoding
        :meth:`set_option` takes, so ``set_option(name, get_option(name))`` changes nothing; or
        one of the read-only options fixed at creation: ``"learner"`` (a :class:`SorLearner`
        code), ``"num_arms"``, ``"omega_min"``, ``"omega_max"`` (also the properties of the
        same names). An unknown name raises ``NKSolveError`` with status ``UNKNOWN_OPTION``."""
        fn = "nks_sor_bandit_get_option"
        value = ctypes.c_double()
        _check(_lib.nks_sor_bandit_get_option(self._handle(), str(name).encode("utf-8"), ctypes.byref(value)), fn)
        return value.value

    # -- learning --------------------------------------------------------------------------------

    def choose(self, context: float) -> Tuple[int, float]:
        """Draws an arm for a system with ``context``, for a solve done elsewhere
        (``nks_sor_bandit_choose``): returns ``(arm, omega)``, ``arm`` 0-based. Report the
        solve's iteration count with :meth:`observe`. Advances the random generator.

        Raises:
            NKSolveError: ``NON_FINITE`` (context), ``INVALID_ARGUMENT`` (a Young context
                outside ``[0, 1)``).
        """
        fn = "nks_sor_bandit_choose"
        arm, omega = ctypes.c_size_t(), ctypes.c_double()
        _check(_lib.nks_sor_bandit_choose(self._handle(), float(context), ctypes.byref(arm), ctypes.byref(omega)), fn)
        return arm.value, omega.value

    def observe(self, arm: int, context: float, cost: float) -> None:
        """Learns that ``arm`` (0-based, as :meth:`choose` gave it) cost ``cost`` iterations
        (``>= 0``; pass the cap for a solve that did not converge) on a system with ``context``
        (``nks_sor_bandit_observe``).

        Raises:
            NKSolveError: ``INVALID_ARGUMENT`` (``arm >= num_arms``, a negative or non-finite
                cost), ``NON_FINITE`` (context).
        """
        fn = "nks_sor_bandit_observe"
        _check(_lib.nks_sor_bandit_observe(self._handle(), _size(arm, "arm", fn), float(context), float(cost)), fn)

    def probabilities(self, context: float, out: Optional[np.ndarray] = None) -> np.ndarray:
        """The distribution the next choice at ``context`` is drawn from, one entry per arm
        (``nks_sor_bandit_probabilities``); non-contextual learners ignore ``context``.

        Args:
            out: a contiguous, writeable ``float64`` array of length :attr:`num_arms` to write
                into; ``None``: a new array.

        Raises:
            NKSolveError: ``DIMENSION_MISMATCH`` when ``out`` has another length,
                ``NON_FINITE`` (context); ``out`` is written only on success.
        """
        fn = "nks_sor_bandit_probabilities"
        h = self._handle()
        if out is None:
            out = np.empty(self.num_arms, dtype=np.float64)
        elif not (isinstance(out, np.ndarray) and out.dtype == np.float64 and out.ndim == 1
                  and out.flags.c_contiguous and out.flags.writeable):
            raise TypeError(f"{fn}: out must be a contiguous, writeable one-dimensional float64 numpy array")
        _check(_lib.nks_sor_bandit_probabilities(h, float(context), _dptr(out), out.size), fn)
        return out

    # -- solving ---------------------------------------------------------------------------------

    def solve(self, A, b, context: float, x0=None) -> Tuple[np.ndarray, SorReport]:
        """Chooses omega for ``context``, solves ``A x = b`` by SOR or SSOR-PCG, and learns from
        the iteration count (``nks_sor_bandit_solve``). Returns ``(x, report)``; ``x`` is a new
        array, ``b`` and ``x0`` are never modified.

        ``A`` is an :class:`CSR` or a ``scipy.sparse`` matrix (copied for the call), square with
        a nonzero diagonal. The solve starts from ``x0`` when option ``use_initial_guess`` is 1
        (then ``x0`` is required), else from zero (then passing ``x0`` is an error, as it would
        be ignored). A solve that stops at ``max_iterations`` does NOT raise: ``x`` is the last
        iterate and ``report.status`` is ``MAX_ITERATIONS`` (check ``report.converged``).

        Raises:
            NKSolveError: ``NON_FINITE`` when SOR diverged, ``BREAKDOWN`` when SSOR-PCG met a
                non-SPD matrix (the learner still learned the capped cost; :attr:`report` tells
                the omega); bad input (a length mismatch, NaN in ``b``, a zero diagonal, a
                non-finite context), which changes nothing, the generator included.
        """
        fn = "nks_sor_bandit_solve"
        h = self._handle()
        bv = _vector(b, "b", fn)
        start_from_x0 = self.get_option("use_initial_guess") == 1.0
        if x0 is None:
            if start_from_x0:
                _fail(Status.INVALID_ARGUMENT, "option use_initial_guess is 1 but no x0 was given", fn)
            x = np.zeros(bv.size, dtype=np.float64)
        else:
            if not start_from_x0:
                _fail(Status.INVALID_ARGUMENT, "x0 was given but option use_initial_guess is 0 (the solve starts from zero)", fn)
            x = np.array(_vector(x0, "x0", fn), dtype=np.float64, copy=True)
            if x.size != bv.size:
                _fail(Status.DIMENSION_MISMATCH, f"x0 has length {x.size} but b has length {bv.size}", fn)
        matrix, converted = _as_csr(A)
        if matrix is None:
            raise TypeError(f"SorBandit.solve: A is a {type(A).__name__}; use an nksolve.CSR or a scipy.sparse matrix")
        try:
            _check(_lib.nks_sor_bandit_solve(h, matrix._handle(), _dptr(bv), _dptr(x), bv.size, float(context)), fn)
        finally:
            if converted:
                matrix.close()
        return x, self.report

    @property
    def report(self) -> SorReport:
        """The report of the last :meth:`solve` that ran (converged, capped, diverged or broken
        down; ``nks_sor_bandit_get_report``). A solve refused for bad input leaves the previous
        report in place."""
        r = _lib.nks_sor_report()
        _check(_lib.nks_sor_bandit_get_report(self._handle(), ctypes.byref(r)), "nks_sor_bandit_get_report")
        return SorReport._from_c(r)

    # -- saving and loading ----------------------------------------------------------------------

    def save(self) -> bytes:
        """The learner (kind, grid, options, statistics, generator position) as ``bytes``
        (``nks_sor_bandit_save``): a versioned, checksummed format, the same on every platform,
        that :meth:`load` turns into a learner making the same choices this one would make
        next."""
        h = self._handle()
        return _library_bytes("nks_sor_bandit_save", lambda buf, length: _lib.nks_sor_bandit_save(h, buf, length))

    @classmethod
    def load(cls, data) -> "SorBandit":
        """A new learner from what :meth:`save` wrote (any bytes-like object;
        ``nks_sor_bandit_load``), possibly in another process or on another machine.

        Raises:
            NKSolveError: ``INVALID_ARGUMENT`` for a foreign, truncated or corrupted buffer, or
                one of another format version (the message says which).
        """
        fn = "nks_sor_bandit_load"
        raw = _byte_array(data, fn)
        h = _lib.nks_sor_bandit_p()
        _check(_lib.nks_sor_bandit_load(raw.ctypes.data_as(_lib.c_uint8_p), raw.size, ctypes.byref(h)), fn)
        return cls._adopt(h)

    def save_file(self, path) -> None:
        """As :meth:`save`, into the file ``path`` (created or replaced;
        ``nks_sor_bandit_save_file``). An I/O failure raises ``NKSolveError``
        (``INVALID_ARGUMENT``) with the path and the system's reason."""
        fn = "nks_sor_bandit_save_file"
        _check(_lib.nks_sor_bandit_save_file(self._handle(), _path_arg(path, fn)), fn)

    @classmethod
    def load_file(cls, path) -> "SorBandit":
        """As :meth:`load`, from the file ``path`` (``nks_sor_bandit_load_file``)."""
        fn = "nks_sor_bandit_load_file"
        h = _lib.nks_sor_bandit_p()
        _check(_lib.nks_sor_bandit_load_file(_path_arg(path, fn), ctypes.byref(h)), fn)
        return cls._adopt(h)

    def __repr__(self) -> str:
        return "<nksolve.SorBandit (closed)>" if self._h is None else f"<nksolve.SorBandit num_arms={self.num_arms}>"


# ---------------------------------------------------------------------------------------------
# Entropic optimal transport
# ---------------------------------------------------------------------------------------------


class OtMethod(enum.IntEnum):
    """The methods of :class:`Sinkhorn` (``nks_ot_method``); option ``method`` also takes their
    names in lower case (``"sinkhorn"``, ``"sns"``)."""

    #: Log-domain Sinkhorn (the default).
    SINKHORN = 0
    #: Sinkhorn-Newton-Sparse: Sinkhorn warm-up (option ``newton_warmup``), then Newton steps
    #: with a sparsified Hessian.
    SNS = 1


_OT_METHODS = {"sinkhorn": OtMethod.SINKHORN, "sns": OtMethod.SNS}


@dataclass(frozen=True)
class SinkhornReport:
    """What the last :meth:`Sinkhorn.solve_dense` / :meth:`Sinkhorn.solve_points` did (mirror
    of ``nks_sinkhorn_report``; :func:`dataclasses.asdict` turns it into a ``dict``)."""

    status: Status  #: The status the solve returned (``OK``, ``MAX_ITERATIONS``, ``TIME_LIMIT``).
    #: Why it stopped: ``CONVERGED_ATOL`` (the marginal error reached ``tol``),
    #: ``MAX_ITERATIONS``, ``TIME_LIMIT``; ``NOT_STARTED`` before the first solve.
    termination: Termination
    method: OtMethod  #: The method that ran.
    iterations: int  #: All iterations: ``sinkhorn_iterations + newton_iterations``.
    #: Sinkhorn iterations (one update of ``f`` and one of ``g``): epsilon-scaling stages, the
    #: SNS warm-up and SNS fallbacks included.
    sinkhorn_iterations: int
    newton_iterations: int  #: Newton iterations (SNS).
    fallback_steps: int  #: Sinkhorn steps SNS took because a Newton step did not help.
    cg_iterations: int  #: CG iterations over all Newton systems (SNS).
    #: Plan entries kept in the last sparsified Hessian, as a fraction of the ``n m`` entries.
    hessian_density: float
    marginal_error: float  #: ``||P 1 - a||_1 + ||P^T 1 - b||_1`` of the returned potentials.
    #: ``<C, P>``: the unregularised transport cost of the plan (W_p^p for a point-cloud cost).
    transport_cost: float
    #: ``<C, P> + eps KL(P | a b^T)``: the entropic objective (``<a, f> + <b, g>`` at the optimum).
    regularized_cost: float
    eps: float  #: The regularisation ``eps`` of the solve.
    exact_lines: int  #: Potential updates redone by an exact log-sum-exp because the fast one underflowed.
    seconds: float  #: Wall-clock seconds.

    @property
    def converged(self) -> bool:
        """``True`` when the marginal error reached ``tol``."""
        return self.termination == Termination.CONVERGED_ATOL

    @classmethod
    def _from_c(cls, r: _lib.nks_sinkhorn_report) -> "SinkhornReport":
        return cls(
            status=_enum_or_int(Status, r.status),
            termination=_enum_or_int(Termination, r.termination),
            method=_enum_or_int(OtMethod, r.method),
            iterations=int(r.iterations),
            sinkhorn_iterations=int(r.sinkhorn_iterations),
            newton_iterations=int(r.newton_iterations),
            fallback_steps=int(r.fallback_steps),
            cg_iterations=int(r.cg_iterations),
            hessian_density=float(r.hessian_density),
            marginal_error=float(r.marginal_error),
            transport_cost=float(r.transport_cost),
            regularized_cost=float(r.regularized_cost),
            eps=float(r.eps),
            exact_lines=int(r.exact_lines),
            seconds=float(r.seconds),
        )


def _points(x, name: str, function: str) -> Tuple[np.ndarray, int, int]:
    """A point cloud of shape ``(count, d)`` (one point per ROW; a 1-D array is ``d = 1``) as
    ``(array, d, ld)`` for the C API, which reads it as the column-major ``d x count`` matrix
    ``x.T`` with leading dimension ``ld``.

    A C-contiguous array, or any view whose coordinates are adjacent in memory
    (``strides[1] == 8``, e.g. ``X[:, :2]`` of a C-ordered ``X``), is passed as it is with
    ``ld = strides[0] / 8``; anything else is copied into a new C-ordered array first.
    """
    try:
        p = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{function}: {name} must be convertible to a float64 array of points ({e})") from None
    if p.ndim == 1:
        p = p.reshape(-1, 1)
    if p.ndim != 2:
        _fail(Status.DIMENSION_MISMATCH, f"{name} must be a (count, d) array, one point per row; it has shape {p.shape}", function)
    t, ld = _column_major(p.T, name, function)
    return t, p.shape[1], ld


class Sinkhorn(_Handle):
    """Entropic optimal transport by log-domain Sinkhorn or Sinkhorn-Newton-Sparse
    (``nks_sinkhorn``). Use one handle from one thread at a time.

    A solve computes the dual potentials ``f`` (length ``n``) and ``g`` (length ``m``) of

        ``min_P <C, P> + eps KL(P | a b^T)`` subject to ``P 1 = a``, ``P^T 1 = b``,

    whose solution is ``P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps)``, from a dense cost
    (:meth:`solve_dense`) or from two point clouds with ``C_ij = |x_i - y_j|^p``
    (:meth:`solve_points`, computed on the fly without an ``n x m`` matrix). The handle keeps
    the last problem, so that :meth:`plan_dense` and :meth:`plan_sparse` can read its plan.

    Args:
        method: ``"sinkhorn"`` (default) or ``"sns"`` (or an :class:`OtMethod`).
        **options: options set by name with :meth:`set_option`, in the order given (e.g.
            ``eps=0.01, tol=1e-9, eps_scaling=0.5``).

    Raises:
        NKSolveError: ``INVALID_ARGUMENT`` for a bad option value, ``UNKNOWN_OPTION`` for an
            unknown option name.
    """

    _free_fn = "nks_sinkhorn_free"

    def __init__(self, method: Union[str, OtMethod, int, None] = None, **options):
        self._h = None
        self._dims = None  # (n, m) of the last problem solved, for plan_dense
        h = _lib.nks_sinkhorn_p()
        _check(_lib.nks_sinkhorn_new(ctypes.byref(h)), "nks_sinkhorn_new")
        self._h = h
        if method is not None:
            self.set_option("method", method)
        for name, value in options.items():
            self.set_option(name, value)

    # -- options -------------------------------------------------------------------------------

    def set_option(self, name: str, value) -> None:
        """Sets an option by name (``nks_sinkhorn_set_option``): ``"eps"`` ``> 0`` (default
        0.01, in the units of the cost), ``"tol"`` in ``(0, 1)`` (default 1e-9; stop at
        ``||P 1 - a||_1 + ||P^T 1 - b||_1 <= tol``), ``"max_iterations"`` ``>= 1`` (default
        100000, all stages together), ``"method"`` (``"sinkhorn"``, ``"sns"``, an
        :class:`OtMethod` or its code), ``"check_interval"`` ``>= 1`` (default 1),
        ``"eps_scaling"`` (0: off, the default; a factor in ``(0, 1)``: start at
        ``eps = max |C|`` and shrink by it down to ``eps``), ``"use_initial_guess"`` (0 / 1 or
        ``False`` / ``True``: start from ``f0``, ``g0``, see :meth:`solve_dense`),
        ``"newton_warmup"`` ``>= 0`` (default 20), ``"hessian_density"`` (-1: adaptive, the
        default; or a fraction in ``(0, 1]``), ``"hessian_mass"`` in ``(0, 1]`` (default
        ``1 - 1e-9``), ``"cg_max_iterations"`` ``>= 1`` (default 500), ``"max_seconds"`` ``>= 0``
        (0: no limit, the default), ``"kernel_memory_mb"`` ``>= 0`` (default 1024: memory for
        the stored kernel; 0: exponentials on the fly).

        Raises:
            NKSolveError: ``UNKNOWN_OPTION`` (the message lists the names), ``INVALID_ARGUMENT``
                for a value out of range (the option keeps its value).
        """
        fn = "nks_sinkhorn_set_option"
        if name == "method" and isinstance(value, (str, OtMethod)):
            value = _choice(value, _OT_METHODS, OtMethod, "method", fn)
        if isinstance(value, str):
            _fail(Status.INVALID_ARGUMENT, f"option {name!r}: value {value!r} must be a number", fn)
        _check(_lib.nks_sinkhorn_set_option(self._handle(), str(name).encode("utf-8"), float(value)), fn)

    def get_option(self, name: str) -> float:
        """Reads an option by name (``nks_sinkhorn_get_option``), as a float in the encoding
        :meth:`set_option` takes (``"method"``: 0 Sinkhorn, 1 SNS), so
        ``set_option(name, get_option(name))`` changes nothing. An unknown name raises
        ``NKSolveError`` with status ``UNKNOWN_OPTION``."""
        fn = "nks_sinkhorn_get_option"
        value = ctypes.c_double()
        _check(_lib.nks_sinkhorn_get_option(self._handle(), str(name).encode("utf-8"), ctypes.byref(value)), fn)
        return value.value

    @property
    def method(self):
        """The method of the next solve (option ``"method"``), an :class:`OtMethod`."""
        return _enum_or_int(OtMethod, int(self.get_option("method")))

    @property
    def eps(self) -> float:
        """The regularisation of the next solve (option ``"eps"``)."""
        return self.get_option("eps")

    # -- solving ---------------------------------------------------------------------------------

    def _potentials(self, n: int, m: int, f0, g0, function: str) -> Tuple[np.ndarray, np.ndarray]:
        """New arrays for ``f`` and ``g``: copies of ``f0``, ``g0`` when option
        ``use_initial_guess`` is 1 (then both are required), else zeros (then giving them is an
        error, as they would be ignored)."""
        start_from_guess = self.get_option("use_initial_guess") == 1.0
        if f0 is None and g0 is None:
            if start_from_guess:
                _fail(Status.INVALID_ARGUMENT, "option use_initial_guess is 1 but no f0, g0 were given", function)
            return np.zeros(n, dtype=np.float64), np.zeros(m, dtype=np.float64)
        if not start_from_guess:
            _fail(Status.INVALID_ARGUMENT, "f0 / g0 were given but option use_initial_guess is 0 (the solve starts from zero)", function)
        if f0 is None or g0 is None:
            _fail(Status.INVALID_ARGUMENT, "give both f0 and g0 (or neither)", function)
        f = np.array(_vector(f0, "f0", function), dtype=np.float64, copy=True)
        g = np.array(_vector(g0, "g0", function), dtype=np.float64, copy=True)
        if f.size != n:
            _fail(Status.DIMENSION_MISMATCH, f"f0 has length {f.size} but a has length {n}", function)
        if g.size != m:
            _fail(Status.DIMENSION_MISMATCH, f"g0 has length {g.size} but b has length {m}", function)
        return f, g

    def _solved(self, status: int, n: int, m: int, function: str) -> None:
        _check(status, function)
        self._dims = (n, m)

    def solve_dense(self, a, b, C, f0=None, g0=None) -> Tuple[np.ndarray, np.ndarray]:
        """Solves the transport problem between the histograms ``a`` (length ``n``) and ``b``
        (length ``m``) with the dense cost ``C`` of shape ``(n, m)`` (``nks_sinkhorn_solve_dense``).

        ``C`` may be in any order: a Fortran-ordered array, or a view whose rows are adjacent
        in memory (e.g. ``F[:, 2:7]`` of a Fortran array, or ``D.T`` of a C-ordered ``D``), is
        passed without a copy with its leading dimension; anything else (a C-ordered array,
        other strides or dtypes) is copied to Fortran order first. The library copies the cost
        (it keeps it for :meth:`plan_dense`), so ``C`` may be changed afterwards.

        ``a`` and ``b`` must be finite, non-negative, not all zero and of equal total mass
        (relative 1e-9). The solve starts from ``f0``, ``g0`` when option
        ``use_initial_guess`` is 1 (then both are required), else from zero (then passing them
        is an error, as they would be ignored).

        Returns:
            ``(f, g)``, new arrays holding the dual potentials, with the plan
            ``P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps)``; costs and counts are in
            :attr:`report`. A solve that stops at ``max_iterations`` or ``max_seconds`` does
            NOT raise: ``(f, g)`` are the last potentials and ``report.status`` is
            ``MAX_ITERATIONS`` / ``TIME_LIMIT`` (check ``report.converged``).

        Raises:
            NKSolveError: ``DIMENSION_MISMATCH`` (``C`` is not ``len(a) x len(b)``),
                ``INVALID_ARGUMENT`` (negative or all-zero weights, unequal masses),
                ``NON_FINITE`` (NaN / infinite weights or costs); nothing is solved and the
                previous problem is kept.
        """
        fn = "nks_sinkhorn_solve_dense"
        h = self._handle()
        av, bv = _vector(a, "a", fn), _vector(b, "b", fn)
        n, m = av.size, bv.size
        if np.ndim(C) != 2:
            _fail(Status.DIMENSION_MISMATCH, f"C must be a ({n}, {m}) matrix; it has shape {np.shape(C)}", fn)
        c, ldc = _column_major(C, "C", fn)
        if c.shape != (n, m):
            _fail(Status.DIMENSION_MISMATCH, f"C has shape {c.shape} but a and b have lengths {n} and {m}: C must be ({n}, {m})", fn)
        f, g = self._potentials(n, m, f0, g0, fn)
        status = _lib.nks_sinkhorn_solve_dense(h, n, m, _dptr(av), _dptr(bv), _dptr(c), ldc, _dptr(f), _dptr(g))
        self._solved(status, n, m, fn)
        return f, g

    def solve_points(self, a, b, x, y, p: float = 2, f0=None, g0=None) -> Tuple[np.ndarray, np.ndarray]:
        """Solves the transport problem between the point clouds ``x`` (shape ``(n, d)``, one
        point per row) and ``y`` (shape ``(m, d)``) weighted by ``a`` and ``b``, with the cost
        ``C_ij = |x_i - y_j|^p`` (``p`` = 1 or 2, Euclidean norm) computed on the fly
        (``nks_sinkhorn_solve_points``): memory stays O((n + m) d).

        A C-contiguous ``(n, d)`` array is the C API's column-major ``d x n`` matrix with
        leading dimension ``d`` and is passed without a copy (so is any view whose coordinates
        are adjacent in memory, e.g. ``X[:, :2]``); anything else is copied first. A 1-D array
        is a cloud of ``d = 1`` points. For ``p = 2`` the report's ``transport_cost`` is the
        entropic estimate of W_2^2. Everything else is as :meth:`solve_dense`.

        Raises:
            NKSolveError: as :meth:`solve_dense`; ``DIMENSION_MISMATCH`` also when ``x`` and
                ``y`` differ in dimension or have other counts than ``a`` and ``b``,
                ``INVALID_ARGUMENT`` for ``p`` other than 1 or 2.
        """
        fn = "nks_sinkhorn_solve_points"
        h = self._handle()
        av, bv = _vector(a, "a", fn), _vector(b, "b", fn)
        n, m = av.size, bv.size
        xs, d, ldx = _points(x, "x", fn)
        ys, dy, ldy = _points(y, "y", fn)
        if xs.shape[1] != n:
            _fail(Status.DIMENSION_MISMATCH, f"x has {xs.shape[1]} points (rows) but a has length {n}", fn)
        if ys.shape[1] != m:
            _fail(Status.DIMENSION_MISMATCH, f"y has {ys.shape[1]} points (rows) but b has length {m}", fn)
        if dy != d:
            _fail(Status.DIMENSION_MISMATCH, f"x has dimension {d} but y has dimension {dy}; they must be equal", fn)
        if isinstance(p, (str, bytes)) or isinstance(p, bool):
            _fail(Status.INVALID_ARGUMENT, f"p = {p!r} must be the number 1 or 2", fn)
        f, g = self._potentials(n, m, f0, g0, fn)
        status = _lib.nks_sinkhorn_solve_points(
            h, n, m, d, _dptr(av), _dptr(bv), _dptr(xs), ldx, _dptr(ys), ldy, float(p), _dptr(f), _dptr(g))
        self._solved(status, n, m, fn)
        return f, g

    @property
    def report(self) -> SinkhornReport:
        """The report of the last solve that ran (converged or stopped at a limit;
        ``nks_sinkhorn_get_report``). A solve refused for bad input leaves the previous report
        in place."""
        r = _lib.nks_sinkhorn_report()
        _check(_lib.nks_sinkhorn_get_report(self._handle(), ctypes.byref(r)), "nks_sinkhorn_get_report")
        return SinkhornReport._from_c(r)

    # -- the plan --------------------------------------------------------------------------------

    @property
    def shape(self) -> Optional[Tuple[int, int]]:
        """``(n, m)`` of the last problem solved (the shape of :meth:`plan_dense`), or ``None``
        before any solve."""
        self._handle()
        return self._dims

    def plan_dense(self, out: Optional[np.ndarray] = None) -> np.ndarray:
        """The plan of the last solve, ``P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps)``, as an
        ``(n, m)`` array (``nks_sinkhorn_plan_dense``).

        Args:
            out: a writeable ``float64`` array of shape ``(n, m)`` to write into, Fortran-ordered
                or a view with adjacent rows (e.g. ``F[:, 1:4]`` of a Fortran array);
                ``None``: a new Fortran-ordered array.

        Raises:
            NKSolveError: ``INVALID_STATE`` before any successful solve; ``DIMENSION_MISMATCH``
                when ``out`` has another shape.
        """
        fn = "nks_sinkhorn_plan_dense"
        h = self._handle()
        if self._dims is None:
            # The library says why (no problem solved yet).
            probe = np.zeros(1, dtype=np.float64)
            _check(_lib.nks_sinkhorn_plan_dense(h, 0, 0, _dptr(probe), 1), fn)
            _fail(Status.INVALID_STATE, "no problem has been solved yet; call solve_dense or solve_points first", fn)
        n, m = self._dims
        if out is None:
            out = np.empty((n, m), dtype=np.float64, order="F")
        elif not isinstance(out, np.ndarray) or out.dtype != np.float64 or not out.flags.writeable:
            raise TypeError(f"{fn}: out must be a writeable float64 numpy array")
        if out.shape != (n, m):
            _fail(Status.DIMENSION_MISMATCH, f"out has shape {out.shape} but the plan is ({n}, {m})", fn)
        target, ldp = _column_major(out, "out", fn)
        if target is not out:
            raise TypeError(f"{fn}: out must be column-major (Fortran order, or a view with adjacent rows)")
        _check(_lib.nks_sinkhorn_plan_dense(h, n, m, _dptr(out), ldp), fn)
        return out

    def plan_nnz(self, threshold: float = 0.0) -> int:
        """The number of entries of the last solve's plan that are ``>= threshold`` and
        nonzero (``nks_sinkhorn_plan_nnz``)."""
        fn = "nks_sinkhorn_plan_nnz"
        count = ctypes.c_size_t()
        _check(_lib.nks_sinkhorn_plan_nnz(self._handle(), float(threshold), ctypes.byref(count)), fn)
        return count.value

    def plan_sparse(self, threshold: float = 0.0) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The entries of the last solve's plan that are ``>= threshold`` and nonzero, as
        coordinates (``nks_sinkhorn_plan_nnz`` + ``nks_sinkhorn_plan_sparse``).

        Returns:
            ``(rows, cols, values)``: 0-based ``int64`` row and column indices and the
            ``float64`` values, in row-major order (``scipy.sparse.coo_matrix((values, (rows,
            cols)), shape=sinkhorn.shape)`` builds the sparse plan).

        Raises:
            NKSolveError: ``INVALID_STATE`` before any successful solve, ``INVALID_ARGUMENT``
                for a negative or non-finite threshold.
        """
        fn = "nks_sinkhorn_plan_sparse"
        h = self._handle()
        threshold = float(threshold)
        nnz = self.plan_nnz(threshold)
        rows = np.empty(nnz, dtype=np.int64)
        cols = np.empty(nnz, dtype=np.int64)
        values = np.empty(nnz, dtype=np.float64)
        _check(_lib.nks_sinkhorn_plan_sparse(
            h, threshold, 0, rows.ctypes.data_as(_lib.c_int64_p), cols.ctypes.data_as(_lib.c_int64_p),
            _dptr(values), nnz), fn)
        return rows, cols, values

    def __repr__(self) -> str:
        if self._h is None:
            return "<nksolve.Sinkhorn (closed)>"
        method = self.method
        name = method.name.lower() if isinstance(method, OtMethod) else method
        return f"<nksolve.Sinkhorn method={name} eps={self.eps:g}>"


# ---------------------------------------------------------------------------------------------
# Unconstrained minimisation (Newton-type methods with Python oracles)
# ---------------------------------------------------------------------------------------------


class NewtonMethod(enum.IntEnum):
    """The methods of :class:`Newton` (``nks_newton_method``); option ``method`` also takes
    their names in lower case (``"trust_region"``, ``"line_search"``, ``"lazy"``, ``"damped"``,
    ``"gradient_regularized"``)."""

    #: Trust-region Newton-CG (Steihaug-Toint truncated CG), the default.
    TRUST_REGION = 0
    #: Line-search Newton-CG (Eisenstat-Walker forcing; Armijo or strong Wolfe, option
    #: ``line_search``).
    LINE_SEARCH = 1
    #: Lazy-Hessian Newton: the Hessian is sampled every ``lazy_period`` steps (``lazy_rank``
    #: Lanczos vectors) and reused; cubic or gradient regularisation.
    LAZY = 2
    #: Damped Newton with the AICN step size (for convex ``f``; option ``lipschitz``).
    DAMPED = 3
    #: Gradient-regularised Newton (Gradient-Normalized Smoothness; option ``gamma``).
    GRADIENT_REGULARIZED = 4


_NEWTON_METHODS = {m.name.lower(): m for m in NewtonMethod}


class CannotEvaluate(Exception):
    """Raise inside an oracle of :meth:`Newton.minimize` (``fun``, ``jac``, ``fun_and_jac``,
    ``hessp``, ``preconditioner``), of :meth:`Nonlinear.solve` (``residual``; see there for
    the others) or of :class:`Constrained` (see there) to say "this point cannot be evaluated" (outside the domain, a simulation that
    does not run there).

    The solver then rejects the trial point and shrinks its step or trust radius, as it does
    for a NaN or infinite result (returning ``nan`` is equivalent for ``fun``), and counts it
    in ``report.failed_evaluations``. At the starting point nothing can be shrunk: the solve
    raises :class:`NKSolveError` with status ``CALLBACK`` (``report.callback_code == 1``),
    whose ``__cause__`` is this exception. In ``hessp`` it stops the inner CG early; in
    ``preconditioner`` that CG iteration runs unpreconditioned. Any OTHER exception stops the
    solve and is re-raised by :meth:`Newton.minimize`.
    """


@dataclass(frozen=True)
class NewtonReport:
    """What a :meth:`Newton.minimize` did (mirror of ``nks_newton_report``;
    :func:`dataclasses.asdict` turns it into a ``dict``).

    Passed to the ``callback`` of :meth:`Newton.minimize` after every iteration too; there
    ``status`` is ``OK`` and ``termination`` is ``NOT_STARTED``, and the counters, ``value``
    and ``gradient_norm`` are those of the running solve.
    """

    status: Status  #: The status the solve returned.
    #: Why it stopped: ``CONVERGED_ATOL`` (``||g|| <= gatol``), ``CONVERGED_RTOL``
    #: (``||g|| <= grtol ||g0||``), ``CONVERGED_STEP`` (``xtol``), ``CONVERGED_FTOL``
    #: (``ftol``), ``MAX_ITERATIONS``, ``MAX_EVALUATIONS``, ``TIME_LIMIT``, ``STAGNATION``,
    #: ``MONITOR_STOP``, ``CALLBACK_FAILED`` or ``NON_FINITE``; ``NOT_STARTED`` before the
    #: first solve.
    termination: Termination
    method: NewtonMethod  #: The method that ran.
    iterations: int  #: Outer iterations, rejected trial steps included.
    accepted_steps: int  #: Accepted steps.
    value_calls: int  #: ``fun`` calls.
    gradient_calls: int  #: ``jac`` calls.
    value_gradient_calls: int  #: ``fun_and_jac`` calls.
    hessian_vector_calls: int  #: ``hessp`` calls.
    preconditioner_calls: int  #: ``preconditioner`` calls.
    cg_iterations: int  #: Inner CG / Lanczos iterations over all steps.
    hessian_refreshes: int  #: Lazy Hessian: times the Hessian was sampled.
    rejected_steps: int  #: Trial points rejected (ratio, decrease test, line-search backtracks).
    #: Trial points an oracle could not evaluate (:class:`CannotEvaluate`, NaN or infinity),
    #: which made the solver shrink its step.
    failed_evaluations: int
    callback_code: int  #: The code of the oracle that stopped the solve (0 if none; -1: it raised).
    initial_value: float  #: ``f`` at the start.
    value: float  #: ``f`` at the returned point.
    initial_gradient_norm: float  #: ``||g||`` at the start.
    gradient_norm: float  #: ``||g||`` at the returned point.
    step_norm: float  #: Length of the last accepted step.
    #: The method's adaptive parameter at the end: trust radius, lazy ``M``, AICN ``L`` or ``gamma``.
    parameter: float
    seconds: float  #: Wall-clock seconds.

    @property
    def converged(self) -> bool:
        """``True`` when a tolerance test passed (``gatol``, ``grtol``, ``xtol`` or ``ftol``)."""
        return self.termination in (Termination.CONVERGED_ATOL, Termination.CONVERGED_RTOL,
                                    Termination.CONVERGED_STEP, Termination.CONVERGED_FTOL)

    @classmethod
    def _from_c(cls, r: _lib.nks_newton_report) -> "NewtonReport":
        return cls(
            status=_enum_or_int(Status, r.status),
            termination=_enum_or_int(Termination, r.termination),
            method=_enum_or_int(NewtonMethod, r.method),
            iterations=int(r.iterations),
            accepted_steps=int(r.accepted_steps),
            value_calls=int(r.value_calls),
            gradient_calls=int(r.gradient_calls),
            value_gradient_calls=int(r.value_gradient_calls),
            hessian_vector_calls=int(r.hessian_vector_calls),
            preconditioner_calls=int(r.preconditioner_calls),
            cg_iterations=int(r.cg_iterations),
            hessian_refreshes=int(r.hessian_refreshes),
            rejected_steps=int(r.rejected_steps),
            failed_evaluations=int(r.failed_evaluations),
            callback_code=int(r.callback_code),
            initial_value=float(r.initial_value),
            value=float(r.value),
            initial_gradient_norm=float(r.initial_gradient_norm),
            gradient_norm=float(r.gradient_norm),
            step_norm=float(r.step_norm),
            parameter=float(r.parameter),
            seconds=float(r.seconds),
        )


class _NewtonSlot(_ErrorSlot):
    """The first exception an oracle raised during one solve, and the last
    :class:`CannotEvaluate` (the cause of a failure at the starting point)."""

    __slots__ = ("refused",)

    def __init__(self):
        super().__init__()
        self.refused = None


def _view(ptr, n: int) -> np.ndarray:
    """A read-only numpy view (no copy) of the library's vector ``ptr[0:n]``, valid only during
    the callback."""
    a = np.ctypeslib.as_array(ptr, shape=(n,))
    a.flags.writeable = False
    return a


def _scalar(kind: str, value) -> float:
    """An oracle's value as a float (NaN and infinity pass: the solver treats them as "cannot
    evaluate")."""
    if value is None:
        raise TypeError(f"the {kind} callback returned None; it must return f(x) as a float")
    v = np.asarray(value, dtype=np.float64)
    if v.size != 1:
        raise ValueError(f"the {kind} callback returned an array of shape {v.shape}; it must return a scalar")
    return float(v.reshape(()))


def _store(kind: str, value, out, n: int) -> None:
    """Copies an oracle's vector result into the library's output ``out[0:n]``."""
    if value is None:
        raise TypeError(f"the {kind} callback returned None; it must return a vector of length {n}")
    y = np.asarray(value, dtype=np.float64)
    if y.shape != (n,):
        raise ValueError(f"the {kind} callback returned an array of shape {y.shape}; expected ({n},)")
    np.ctypeslib.as_array(out, shape=(n,))[:] = y


def _guarded(cfunc_type, body: Callable, slot: _NewtonSlot):
    """``cfunc_type(body)`` returning 0 when ``body`` returns, 1 when it raises
    :class:`CannotEvaluate`, and -1 (the exception kept in ``slot``, re-raised after the solve)
    for any other exception, KeyboardInterrupt included: nothing propagates into the library."""

    def trampoline(*args):
        try:
            body(*args)
            return 0
        except CannotEvaluate as e:
            slot.refused = e
            return 1
        except BaseException as e:  # noqa: BLE001 -- nothing may cross into the library
            slot.store(e)
            return -1

    return cfunc_type(trampoline)


def _newton_trampolines(fun, jac, hessp, fun_and_jac, preconditioner, slot: _NewtonSlot):
    """The C callbacks of one :meth:`Newton.minimize`: ``(objective, gradient,
    objective_gradient, hessian_vector, preconditioner)``, NULL where the Python one is None."""

    def objective(x, n, f, _ud):
        f[0] = _scalar("fun", fun(_view(x, n)))

    def gradient(x, n, g, _ud):
        _store("jac", jac(_view(x, n)), g, n)

    def objective_gradient(x, n, f, g, _ud):
        result = fun_and_jac(_view(x, n))
        try:
            value, grad = result
        except (TypeError, ValueError):
            raise TypeError("the fun_and_jac callback must return a pair (f, g)") from None
        # The value is written only once the gradient is known good.
        value = _scalar("fun_and_jac", value)
        _store("fun_and_jac", grad, g, n)
        f[0] = value

    def hessian_vector(x, v, n, hv, _ud):
        _store("hessp", hessp(_view(x, n), _view(v, n)), hv, n)

    def precondition(x, r, n, z, _ud):
        _store("preconditioner", preconditioner(_view(x, n), _view(r, n)), z, n)

    def make(cfunc_type, python, body):
        return _guarded(cfunc_type, body, slot) if python is not None else cfunc_type()

    return (
        make(_lib.nks_newton_objective_fn, fun, objective),
        make(_lib.nks_newton_gradient_fn, jac, gradient),
        make(_lib.nks_newton_objective_gradient_fn, fun_and_jac, objective_gradient),
        make(_lib.nks_newton_hessian_vector_fn, hessp, hessian_vector),
        make(_lib.nks_newton_precond_fn, preconditioner, precondition),
    )


def _newton_monitor_trampoline(callback: Callable, slot: _NewtonSlot):
    """A C ``nks_newton_monitor_fn`` calling ``callback(x, report)``: a true result stops the
    solve (``ABORTED``); an exception stops it and is re-raised after the solve."""

    def trampoline(report_ptr, x, n, _ud):
        try:
            return 1 if callback(_view(x, n), NewtonReport._from_c(report_ptr.contents)) else 0
        except BaseException as e:  # noqa: BLE001 -- CannotEvaluate included: it means nothing here
            slot.store(e)
            return -1

    return _lib.nks_newton_monitor_fn(trampoline)


class Newton(_Handle):
    """Unconstrained minimisation of a smooth ``f: R^n -> R`` by Newton-type methods that need
    only Hessian-vector products (``nks_newton``). Use one handle from one thread at a time.

    The oracles follow :func:`scipy.optimize.minimize`: ``fun(x) -> float``,
    ``jac(x) -> array``, ``hessp(x, v) -> array`` (``H(x) @ v``); see :meth:`minimize`.

    Args:
        method: ``"trust_region"`` (default), ``"line_search"``, ``"lazy"``, ``"damped"``,
            ``"gradient_regularized"`` (or a :class:`NewtonMethod` or its code).
        **options: options set by name with :meth:`set_option`, in the order given (e.g.
            ``gatol=1e-10, max_iterations=200, initial_radius=10``).

    Raises:
        NKSolveError: ``UNKNOWN_OPTION`` for an unknown option name (the message lists the
            names), ``INVALID_ARGUMENT`` for a bad value (the message names the option and its
            range).
    """

    _free_fn = "nks_newton_free"

    def __init__(self, method: Union[str, NewtonMethod, int, None] = None, **options):
        self._h = None
        self._slot = _NewtonSlot()
        # The CFUNCTYPE objects the library holds pointers to, kept alive until replaced by the
        # next minimize (the library never calls them outside a solve, but keeps the pointers).
        self._callbacks = {}
        self._point_n = None  # n of the last solve that started (for point())
        h = _lib.nks_newton_p()
        _check(_lib.nks_newton_new(ctypes.byref(h)), "nks_newton_new")
        self._h = h
        if method is not None:
            self.set_option("method", method)
        for name, value in options.items():
            self.set_option(name, value)

    def _after_close(self) -> None:
        self._callbacks = {}

    # -- options -------------------------------------------------------------------------------

    def set_option(self, name: str, value) -> None:
        """Sets an option by name (``nks_newton_set_option``):

        * ``"method"``: a :class:`NewtonMethod`, its name or code (default trust region);
        * ``"gatol"`` ``>= 0`` (default 1e-8): stop at ``||g|| <= gatol``; ``"grtol"`` ``>= 0``
          (default 0 = off): stop at ``||g|| <= grtol ||g0||``; ``"xtol"`` ``>= 0`` (0 = off):
          stop when an accepted step is ``<= xtol max(1, ||x||)``; ``"ftol"`` ``>= 0`` (0 =
          off): stop when an accepted step changes ``f`` by ``<= ftol max(1, |f|)``;
        * ``"max_iterations"`` ``>= 1`` (default 1000); ``"max_evaluations"`` ``>= 0`` (oracle
          calls of all kinds; 0 = no limit); ``"max_seconds"`` ``>= 0`` (0 = no limit);
        * inner CG: ``"forcing"`` (0 Eisenstat-Walker, the default; 1 ``min(0.5, sqrt ||g||)``;
          2 fixed ``"forcing_value"`` in ``(0, 1)``, default 0.1), ``"forcing_min"`` in
          ``(0, 1)`` (default 1e-10), ``"cg_max_iterations"`` ``>= 0`` (0: ``n``, at most 10000);
        * trust region: ``"initial_radius"`` ``> 0`` (default 1), ``"max_radius"`` ``> 0``
          (default 1e10);
        * line search: ``"line_search"`` (0 Armijo, the default; 1 strong Wolfe), ``"c1"`` in
          ``(0, 0.5)`` (default 1e-4), ``"c2"`` in ``(c1, 1)`` (default 0.9);
        * lazy Hessian: ``"lazy_period"`` ``>= 1`` (default 5), ``"lazy_rank"`` ``1..=1000``
          (default 20), ``"lazy_regularization"`` (0 gradient, for convex ``f``; 1 cubic, the
          default), ``"regularization"`` ``> 0`` (initial ``M``, default 1);
        * damped: ``"lipschitz"`` ``>= 0`` (AICN's ``L``; 0, the default: found by backtracking);
        * gradient-regularised: ``"gamma"`` ``> 0`` (default 1).

        Booleans count as 0 / 1.

        Raises:
            NKSolveError: ``UNKNOWN_OPTION`` (the message lists the names), ``INVALID_ARGUMENT``
                for a value out of range (the message names the option; the option keeps its
                value).
        """
        fn = "nks_newton_set_option"
        if name == "method" and isinstance(value, (str, NewtonMethod)):
            value = _choice(value, _NEWTON_METHODS, NewtonMethod, "method", fn)
        if isinstance(value, (str, bytes)) or value is None:
            _fail(Status.INVALID_ARGUMENT, f"option {name!r}: value {value!r} must be a number", fn)
        try:
            number = float(value)
        except (TypeError, ValueError):
            _fail(Status.INVALID_ARGUMENT, f"option {name!r}: value {value!r} must be a number", fn)
        _check(_lib.nks_newton_set_option(self._handle(), str(name).encode("utf-8"), number), fn)

    def get_option(self, name: str) -> float:
        """Reads an option by name (``nks_newton_get_option``), as a float in the encoding
        :meth:`set_option` takes (``"method"``: a :class:`NewtonMethod` code), so
        ``set_option(name, get_option(name))`` changes nothing. An unknown name raises
        ``NKSolveError`` with status ``UNKNOWN_OPTION``."""
        fn = "nks_newton_get_option"
        value = ctypes.c_double()
        _check(_lib.nks_newton_get_option(self._handle(), str(name).encode("utf-8"), ctypes.byref(value)), fn)
        return value.value

    @property
    def method(self):
        """The method of the next solve (option ``"method"``), a :class:`NewtonMethod`."""
        return _enum_or_int(NewtonMethod, int(self.get_option("method")))

    # -- solving ---------------------------------------------------------------------------------

    def minimize(
        self,
        x0,
        fun: Optional[Callable],
        jac: Optional[Callable],
        hessp: Callable,
        *,
        fun_and_jac: Optional[Callable] = None,
        preconditioner: Optional[Callable] = None,
        callback: Optional[Callable] = None,
    ) -> Tuple[np.ndarray, NewtonReport]:
        """Minimises ``f`` from ``x0`` (``nks_newton_solve``) and returns ``(x, report)``;
        ``x`` is a new array, ``x0`` is never modified.

        Args:
            x0: the start, a vector of length ``n >= 1`` with finite entries.
            fun: ``fun(x)`` returns ``f(x)`` (a float). May be ``None`` when ``fun_and_jac`` is
                given.
            jac: ``jac(x)`` returns the gradient, a vector of length ``n``. May be ``None`` when
                ``fun_and_jac`` is given.
            hessp: ``hessp(x, v)`` returns ``H(x) @ v``, the Hessian at ``x`` times ``v``
                (scipy's ``hessp``). Required.
            fun_and_jac: ``fun_and_jac(x)`` returns ``(f(x), gradient)`` in one call; when
                given, the solver uses it for every evaluation that needs the value (so
                ``fun`` is then not needed) and ``jac``, if given, where only a gradient is
                missing.
            preconditioner: ``preconditioner(x, r)`` returns ``M(x)^-1 r`` for a symmetric
                positive definite ``M(x)`` approximating the Hessian at ``x``; used by the inner
                CG (the trust region is then measured in ``M``'s norm).
            callback: ``callback(x, report)`` after every iteration, with the current point and
                the running :class:`NewtonReport`; return ``True`` to stop the solve, which
                then raises ``NKSolveError`` with status ``ABORTED`` (:meth:`point` gives the
                last accepted point). ``None`` / ``False`` continue.

        Every array a callback receives (``x``, ``v``, ``r``) is a read-only numpy view of the
        library's memory, not a copy, valid only during that call: copy it to keep it. The
        results are checked (type and length) and copied into the library's arrays. Returning
        ``nan`` (or infinity) from an oracle, or raising :class:`CannotEvaluate`, says "cannot
        evaluate at this point": the solver shrinks its step and goes on. Any other exception
        stops the solve and is re-raised here, with its original traceback (its
        ``__context__`` is the library's ``NKSolveError``, status ``CALLBACK`` or ``ABORTED``).

        Returns:
            ``(x, report)``. On convergence ``report.status == Status.OK``. A solve that stops
            at ``max_iterations`` / ``max_evaluations`` (``MAX_ITERATIONS``), ``max_seconds``
            (``TIME_LIMIT``) or without an acceptable step (``STAGNATION``) does NOT raise:
            ``x`` is the last accepted point, the lowest ``f`` found (check
            ``report.converged``).

        Raises:
            NKSolveError: bad input (``x0`` not finite: ``NON_FINITE``; empty:
                ``INVALID_ARGUMENT``; a missing oracle: ``NULL_POINTER``), ``CALLBACK`` (an
                oracle failed at the starting point, e.g. :class:`CannotEvaluate` there),
                ``NON_FINITE`` (NaN / infinity from the oracles at the starting point),
                ``ABORTED`` (``callback`` returned ``True``).
            Exception: whatever an oracle or the callback raised, re-raised as is.
        """
        fn = "nks_newton_solve"
        h = self._handle()
        x = np.array(_vector(x0, "x0", fn), dtype=np.float64, copy=True)
        n = x.size
        for name, f in (("fun", fun), ("jac", jac), ("hessp", hessp), ("fun_and_jac", fun_and_jac),
                        ("preconditioner", preconditioner), ("callback", callback)):
            if f is not None and not callable(f):
                raise TypeError(f"Newton.minimize: {name} must be callable or None, got {type(f).__name__}")
        if hessp is None:
            _fail(Status.NULL_POINTER, "hessp is required: hessp(x, v) must return H(x) @ v", fn)
        if fun is None and fun_and_jac is None:
            _fail(Status.NULL_POINTER, "give fun (or fun_and_jac): the solver needs f(x)", fn)
        if jac is None and fun_and_jac is None:
            _fail(Status.NULL_POINTER, "give jac (or fun_and_jac): the solver needs the gradient", fn)
        if n == 0:
            _fail(Status.INVALID_ARGUMENT, "x0 is empty (n = 0); the problem needs at least one variable", fn)
        slot = self._slot
        objective, gradient, objective_gradient, hessian_vector, precond = _newton_trampolines(
            fun, jac, hessp, fun_and_jac, preconditioner, slot)
        monitor = _newton_monitor_trampoline(callback, slot) if callback is not None else _lib.nks_newton_monitor_fn()
        # Each is kept on the handle once the library holds it (and not before: a call refused
        # because the handle is busy must not drop the callbacks of the solve in progress).
        _check(_lib.nks_newton_set_oracles(h, objective, gradient, objective_gradient, hessian_vector, None),
               "nks_newton_set_oracles")
        self._callbacks["oracles"] = (objective, gradient, objective_gradient, hessian_vector)
        _check(_lib.nks_newton_set_preconditioner(h, precond, None), "nks_newton_set_preconditioner")
        self._callbacks["preconditioner"] = precond
        _check(_lib.nks_newton_set_monitor(h, monitor, None), "nks_newton_set_monitor")
        self._callbacks["monitor"] = monitor

        finite = bool(np.isfinite(x).all())
        slot.take()  # nothing left over from an earlier, interrupted call
        slot.refused = None
        status = _lib.nks_newton_solve(h, n, _dptr(x))
        pending, refused = slot.take(), slot.refused
        slot.refused = None
        # A solve that started records its last point (nks_newton_get_point); one refused
        # before starting (NaN in x0, a busy handle) leaves the previous solve's.
        not_started = (Status.INVALID_STATE, Status.INVALID_ARGUMENT, Status.NULL_POINTER, Status.INTERNAL)
        if status not in not_started and not (status == Status.NON_FINITE and not finite):
            self._point_n = n
        if status < 0:
            error = NKSolveError(status, _last_message(), fn)
            if pending is not None:
                try:
                    raise error
                except NKSolveError:
                    raise pending  # the original traceback; __context__ is the library error
            if refused is not None and status == Status.CALLBACK:
                raise error from refused
            raise error
        if pending is not None:  # cannot happen with a conforming library; never swallow it
            raise pending
        return x, self.report

    @property
    def report(self) -> NewtonReport:
        """The report of the last solve that started on this handle (``nks_newton_get_report``;
        ``termination`` is ``NOT_STARTED`` before any). A solve refused before starting (``x0``
        not finite) leaves the previous report in place."""
        r = _lib.nks_newton_report()
        _check(_lib.nks_newton_get_report(self._handle(), ctypes.byref(r)), "nks_newton_get_report")
        return NewtonReport._from_c(r)

    def point(self) -> np.ndarray:
        """The last accepted point of the last solve that started (``nks_newton_get_point``), a
        new array: the result of a solve that raised (``callback`` stopped it, an oracle
        raised or failed) and so returned nothing; the returned ``x`` otherwise.

        Raises:
            NKSolveError: ``INVALID_STATE`` before any solve.
        """
        fn = "nks_newton_get_point"
        h = self._handle()
        if self._point_n is None:
            # The library says why (no solve yet).
            probe = np.zeros(1, dtype=np.float64)
            _check(_lib.nks_newton_get_point(h, 0, _dptr(probe)), fn)
            _fail(Status.INVALID_STATE, "no solve has run on this handle yet", fn)
        x = np.empty(self._point_n, dtype=np.float64)
        _check(_lib.nks_newton_get_point(h, x.size, _dptr(x)), fn)
        return x

    def __repr__(self) -> str:
        if self._h is None:
            return "<nksolve.Newton (closed)>"
        method = self.method
        name = method.name.lower() if isinstance(method, NewtonMethod) else method
        return f"<nksolve.Newton method={name}>"


# ---------------------------------------------------------------------------------------------
# Nonlinear systems and least squares (Newton-Krylov, Levenberg-Marquardt with Python oracles)
# ---------------------------------------------------------------------------------------------


class NonlinearMethod(enum.IntEnum):
    """The methods of :class:`Nonlinear` (``nks_nonlinear_method``); option ``method`` also
    takes their names in lower case (``"newton_krylov"``, ``"levenberg_marquardt"``)."""

    #: Jacobian-free Newton-Krylov for square systems ``F(x) = 0`` (the default): inexact Newton
    #: steps by GCRO-DR (or GMRES) with Eisenstat-Walker forcing and backtracking on ``||F||``;
    #: ``J v`` by finite differences unless ``jacobian_vector`` is given.
    NEWTON_KRYLOV = 0
    #: Levenberg-Marquardt for least squares ``min ||F(x)||^2 / 2`` (``F: R^n -> R^m``), steps
    #: by CGLS; needs ``jacobian_transpose``.
    LEVENBERG_MARQUARDT = 1


_NONLINEAR_METHODS = {m.name.lower(): m for m in NonlinearMethod}


@dataclass(frozen=True)
class NonlinearReport:
    """What a :meth:`Nonlinear.solve` did (mirror of ``nks_nonlinear_report``;
    :func:`dataclasses.asdict` turns it into a ``dict``).

    Passed to the ``monitor`` of :meth:`Nonlinear.solve` after every step too; there ``status``
    is ``OK`` and ``termination`` is ``NOT_STARTED``, and the counters and norms are those of
    the running solve.
    """

    status: Status  #: The status the solve returned.
    #: Why it stopped: ``CONVERGED_ATOL`` (``||F|| <= fatol``), ``CONVERGED_RTOL``
    #: (``||F|| <= frtol ||F0||``), ``CONVERGED_STATIONARY`` (Levenberg-Marquardt:
    #: ``||J^T F|| <= gatol``), ``CONVERGED_STEP`` (``xtol``), ``MAX_ITERATIONS``,
    #: ``MAX_EVALUATIONS``, ``TIME_LIMIT``, ``STAGNATION``, ``MONITOR_STOP``,
    #: ``CALLBACK_FAILED`` or ``NON_FINITE``; ``NOT_STARTED`` before the first solve.
    termination: Termination
    method: NonlinearMethod  #: The method that ran.
    iterations: int  #: Steps taken (rejected Levenberg-Marquardt steps included).
    #: ``residual`` calls, those of finite-difference products and line searches included.
    residual_evaluations: int
    fd_products: int  #: Jacobian-vector products done by finite differences (one residual call each).
    jacobian_vector_calls: int  #: ``jacobian_vector`` calls.
    jacobian_transpose_calls: int  #: ``jacobian_transpose`` calls.
    preconditioner_calls: int  #: ``preconditioner`` calls.
    inner_iterations: int  #: Inner Krylov (GMRES / GCRO-DR) or CGLS iterations over all steps.
    rejected_steps: int  #: Trial points rejected (backtracks, rejected Levenberg-Marquardt steps).
    #: Trial points the residual could not evaluate (:class:`CannotEvaluate`, NaN or infinity).
    failed_evaluations: int
    steps: int  #: Step records kept (:meth:`Nonlinear.steps`).
    recycled_vectors: int  #: Recycled vectors kept for the next solve (GCRO-DR).
    callback_code: int  #: The code of the callback that stopped the solve (0 if none; -1: it raised).
    initial_residual_norm: float  #: ``||F||`` at the start.
    residual_norm: float  #: ``||F||`` at the returned point.
    gradient_norm: float  #: ``||J^T F||`` at the returned point (Levenberg-Marquardt; NaN for Newton-Krylov).
    step_norm: float  #: Length of the last accepted step.
    seconds: float  #: Wall-clock seconds.

    @property
    def converged(self) -> bool:
        """``True`` when a tolerance test passed (``fatol``, ``frtol``, ``gatol`` or ``xtol``)."""
        return self.termination in (Termination.CONVERGED_ATOL, Termination.CONVERGED_RTOL,
                                    Termination.CONVERGED_STATIONARY, Termination.CONVERGED_STEP)

    @classmethod
    def _from_c(cls, r: _lib.nks_nonlinear_report) -> "NonlinearReport":
        return cls(
            status=_enum_or_int(Status, r.status),
            termination=_enum_or_int(Termination, r.termination),
            method=_enum_or_int(NonlinearMethod, r.method),
            iterations=int(r.iterations),
            residual_evaluations=int(r.residual_evaluations),
            fd_products=int(r.fd_products),
            jacobian_vector_calls=int(r.jacobian_vector_calls),
            jacobian_transpose_calls=int(r.jacobian_transpose_calls),
            preconditioner_calls=int(r.preconditioner_calls),
            inner_iterations=int(r.inner_iterations),
            rejected_steps=int(r.rejected_steps),
            failed_evaluations=int(r.failed_evaluations),
            steps=int(r.steps),
            recycled_vectors=int(r.recycled_vectors),
            callback_code=int(r.callback_code),
            initial_residual_norm=float(r.initial_residual_norm),
            residual_norm=float(r.residual_norm),
            gradient_norm=float(r.gradient_norm),
            step_norm=float(r.step_norm),
            seconds=float(r.seconds),
        )


@dataclass(frozen=True)
class NonlinearStep:
    """One step of a :meth:`Nonlinear.solve` (mirror of ``nks_nonlinear_step``): how inexact
    its linear solve was and what recycling did."""

    residual_norm: float  #: ``||F||`` at the start of the step.
    forcing: float  #: The forcing term the inner solve was asked for (relative residual).
    linear_residual: float  #: The relative residual the inner solve reached.
    inner_iterations: int  #: Inner Krylov / CGLS iterations.
    jacobian_products: int  #: Jacobian applications of the inner solve (the recycle space's re-fit included).
    recycled_vectors: int  #: Recycled vectors the inner solve started with.
    step_length: float  #: Step length taken (1: full step; 0: a rejected Levenberg-Marquardt step).
    lm_parameter: float  #: Levenberg-Marquardt parameter ``mu`` of the step (0 for Newton-Krylov).

    @classmethod
    def _from_c(cls, s: _lib.nks_nonlinear_step) -> "NonlinearStep":
        return cls(
            residual_norm=float(s.residual_norm),
            forcing=float(s.forcing),
            linear_residual=float(s.linear_residual),
            inner_iterations=int(s.inner_iterations),
            jacobian_products=int(s.jacobian_products),
            recycled_vectors=int(s.recycled_vectors),
            step_length=float(s.step_length),
            lm_parameter=float(s.lm_parameter),
        )


def _nonlinear_trampolines(residual, jacobian_vector, jacobian_transpose, preconditioner, square: bool,
                           slot: _NewtonSlot):
    """The C callbacks of one :meth:`Nonlinear.solve`: ``(residual, jacobian_vector,
    jacobian_transpose, preconditioner)``, NULL where the Python one is None."""

    def residual_body(x, n, f, m, _ud):
        value = residual(_view(x, n))
        if value is None:
            raise TypeError(f"the residual callback returned None; it must return F(x), a vector of length {m}")
        y = np.asarray(value, dtype=np.float64)
        if y.shape != (m,):
            hint = " (pass m= to Nonlinear.solve when the residual count differs from n)" if square else ""
            raise ValueError(f"the residual callback returned an array of shape {y.shape}; expected ({m},){hint}")
        np.ctypeslib.as_array(f, shape=(m,))[:] = y

    def jacobian_vector_body(x, v, n, jv, m, _ud):
        _store("jacobian_vector", jacobian_vector(_view(x, n), _view(v, n)), jv, m)

    def jacobian_transpose_body(x, w, m, jtw, n, _ud):
        _store("jacobian_transpose", jacobian_transpose(_view(x, n), _view(w, m)), jtw, n)

    def precondition_body(x, r, n, z, _ud):
        _store("preconditioner", preconditioner(_view(x, n), _view(r, n)), z, n)

    def make(cfunc_type, python, body):
        return _guarded(cfunc_type, body, slot) if python is not None else cfunc_type()

    return (
        make(_lib.nks_nonlinear_residual_fn, residual, residual_body),
        make(_lib.nks_nonlinear_jacobian_vector_fn, jacobian_vector, jacobian_vector_body),
        make(_lib.nks_nonlinear_jacobian_transpose_fn, jacobian_transpose, jacobian_transpose_body),
        make(_lib.nks_nonlinear_precond_fn, preconditioner, precondition_body),
    )


def _nonlinear_monitor_trampoline(monitor: Callable, slot: _NewtonSlot):
    """A C ``nks_nonlinear_monitor_fn`` calling ``monitor(x, report)``: a true result stops the
    solve (``ABORTED``); an exception stops it and is re-raised after the solve."""

    def trampoline(report_ptr, x, n, _ud):
        try:
            return 1 if monitor(_view(x, n), NonlinearReport._from_c(report_ptr.contents)) else 0
        except BaseException as e:  # noqa: BLE001 -- CannotEvaluate included: it means nothing here
            slot.store(e)
            return -1

    return _lib.nks_nonlinear_monitor_fn(trampoline)


class Nonlinear(_Handle):
    """Nonlinear systems ``F(x) = 0`` by Jacobian-free Newton-Krylov, and nonlinear least squares
    ``min ||F(x)||^2 / 2`` by Levenberg-Marquardt, with Python oracles (``nks_nonlinear``). Use
    one handle from one thread at a time.

    The handle keeps the Krylov recycle space (GCRO-DR) from one :meth:`solve` to the next, so
    a sequence of related systems (the implicit steps of a time integration) reuses it: solve
    them all on the same object. :meth:`clear_recycle_space` forgets it before an unrelated
    problem (or set ``keep_recycle_space=0``).

    Args:
        method: ``"newton_krylov"`` (default) or ``"levenberg_marquardt"`` (or a
            :class:`NonlinearMethod` or its code).
        **options: options set by name with :meth:`set_option`, in the order given (e.g.
            ``fatol=1e-12, max_iterations=50, krylov_method=1``).

    Raises:
        NKSolveError: ``UNKNOWN_OPTION`` for an unknown option name (the message lists the
            names), ``INVALID_ARGUMENT`` for a bad value (the message names the option and its
            range).
    """

    _free_fn = "nks_nonlinear_free"

    def __init__(self, method: Union[str, NonlinearMethod, int, None] = None, **options):
        self._h = None
        self._slot = _NewtonSlot()
        # The CFUNCTYPE objects the library holds pointers to, kept alive until replaced by the
        # next solve (the library never calls them outside a solve, but keeps the pointers).
        self._callbacks = {}
        self._point_n = None  # n of the last solve that started (for point())
        h = _lib.nks_nonlinear_p()
        _check(_lib.nks_nonlinear_new(ctypes.byref(h)), "nks_nonlinear_new")
        self._h = h
        if method is not None:
            self.set_option("method", method)
        for name, value in options.items():
            self.set_option(name, value)

    def _after_close(self) -> None:
        self._callbacks = {}

    # -- options -------------------------------------------------------------------------------

    def set_option(self, name: str, value) -> None:
        """Sets an option by name (``nks_nonlinear_set_option``):

        * ``"method"``: a :class:`NonlinearMethod`, its name or code (default Newton-Krylov);
        * ``"fatol"`` ``>= 0`` (default 1e-10): stop at ``||F|| <= fatol``; ``"frtol"`` ``>= 0``
          (default 1e-8): stop at ``||F|| <= frtol ||F0||``; ``"gatol"`` ``>= 0`` (default
          1e-10): Levenberg-Marquardt stops at ``||J^T F|| <= gatol``; ``"xtol"`` ``>= 0``
          (default 0 = off): stop when an accepted step is ``<= xtol max(1, ||x||)``;
        * ``"max_iterations"`` ``>= 1`` (default 100); ``"max_evaluations"`` ``>= 0`` (residual
          calls; 0 = no limit); ``"max_seconds"`` ``>= 0`` (0 = no limit);
        * inner solve: ``"forcing"`` (0 Eisenstat-Walker, the default; 1 ``min(0.5, sqrt
          ||F||)``; 2 fixed ``"forcing_value"`` in ``(0, 1)``, default 0.1), ``"forcing_min"``
          in ``(0, 1)`` (default 1e-10), ``"krylov_method"`` (1 GMRES; 3 GCRO-DR, the default),
          ``"restart"`` ``>= 2`` (default 30), ``"recycle_dim"`` ``>= 0`` (default 10),
          ``"keep_recycle_space"`` (0 / 1, default 1: carried from one solve to the next),
          ``"inner_max_iterations"`` ``>= 1`` (default 1000);
        * line search: ``"line_search"`` (0 backtracking, the default; 1 full steps), ``"c1"``
          in ``(0, 0.5)`` (default 1e-4);
        * ``"fd_error"`` in ``(0, 1)`` (default ``sqrt(eps)``): the finite-difference increment
          is ``h = fd_error sqrt(1 + ||x||) / ||v||``;
        * Levenberg-Marquardt: ``"lm_xi"`` ``> 0`` (default 1), ``"lm_omega"`` ``>= 0``
          (default 0), ``"lm_eta"`` in ``(0, 2]`` (default 1): the parameter
          ``mu = xi ||F||^eta + omega ||J^T F||^eta``.

        Booleans count as 0 / 1.

        Raises:
            NKSolveError: ``UNKNOWN_OPTION`` (the message lists the names), ``INVALID_ARGUMENT``
                for a value out of range (the message names the option; the option keeps its
                value).
        """
        fn = "nks_nonlinear_set_option"
        if name == "method" and isinstance(value, (str, NonlinearMethod)):
            value = _choice(value, _NONLINEAR_METHODS, NonlinearMethod, "method", fn)
        if isinstance(value, (str, bytes)) or value is None:
            _fail(Status.INVALID_ARGUMENT, f"option {name!r}: value {value!r} must be a number", fn)
        try:
            number = float(value)
        except (TypeError, ValueError):
            _fail(Status.INVALID_ARGUMENT, f"option {name!r}: value {value!r} must be a number", fn)
        _check(_lib.nks_nonlinear_set_option(self._handle(), str(name).encode("utf-8"), number), fn)

    def get_option(self, name: str) -> float:
        """Reads an option by name (``nks_nonlinear_get_option``), as a float in the encoding
        :meth:`set_option` takes (``"method"``: a :class:`NonlinearMethod` code), so
        ``set_option(name, get_option(name))`` changes nothing. An unknown name raises
        ``NKSolveError`` with status ``UNKNOWN_OPTION``."""
        fn = "nks_nonlinear_get_option"
        value = ctypes.c_double()
        _check(_lib.nks_nonlinear_get_option(self._handle(), str(name).encode("utf-8"), ctypes.byref(value)), fn)
        return value.value

    @property
    def method(self):
        """The method of the next solve (option ``"method"``), a :class:`NonlinearMethod`."""
        return _enum_or_int(NonlinearMethod, int(self.get_option("method")))

    # -- solving ---------------------------------------------------------------------------------

    def solve(
        self,
        x0,
        residual: Callable,
        jacobian_vector: Optional[Callable] = None,
        jacobian_transpose: Optional[Callable] = None,
        *,
        preconditioner: Optional[Callable] = None,
        monitor: Optional[Callable] = None,
        m: Optional[int] = None,
    ) -> Tuple[np.ndarray, NonlinearReport]:
        """Solves ``F(x) = 0`` (Newton-Krylov) or minimises ``||F(x)||^2 / 2``
        (Levenberg-Marquardt) from ``x0`` (``nks_nonlinear_solve``) and returns ``(x, report)``;
        ``x`` is a new array, ``x0`` is never modified. The recycle space of the previous solve
        on this object is reused (see the class documentation).

        Args:
            x0: the start, a vector of length ``n >= 1`` with finite entries.
            residual: ``residual(x)`` returns ``F(x)``, a vector of length ``m``. Required.
            jacobian_vector: ``jacobian_vector(x, v)`` returns ``J(x) @ v`` (length ``m``). When
                ``None``, Newton-Krylov uses the finite difference ``(F(x + h v) - F(x)) / h``
                (one ``residual`` call each); Levenberg-Marquardt needs it.
            jacobian_transpose: ``jacobian_transpose(x, w)`` returns ``J(x).T @ w`` (length
                ``n``). Required by Levenberg-Marquardt; unused by Newton-Krylov.
            preconditioner: ``preconditioner(x, r)`` returns ``M(x)^-1 r`` for an approximation
                ``M(x)`` of the Jacobian at the Newton iterate ``x`` (right preconditioning of
                the Newton-Krylov inner solve).
            monitor: ``monitor(x, report)`` after every step, with the current point and the
                running :class:`NonlinearReport`; return ``True`` to stop the solve, which then
                raises ``NKSolveError`` with status ``ABORTED`` (:meth:`point` gives the last
                accepted point). ``None`` / ``False`` continue.
            m: the number of residuals; ``None`` (the default) means ``m = n``, a square system,
                which Newton-Krylov needs.

        Every array a callback receives (``x``, ``v``, ``w``, ``r``) is a read-only numpy view
        of the library's memory, not a copy, valid only during that call: copy it to keep it.
        The results are checked (type and length) and copied into the library's arrays.
        Returning NaN or infinity from ``residual``, or raising :class:`CannotEvaluate` there,
        says "cannot evaluate at this point": the solver shortens its step and goes on (counted
        in ``report.failed_evaluations``). The other oracles are called at accepted points
        only, where nothing can be shortened: :class:`CannotEvaluate` there stops the solve
        with ``NKSolveError`` status ``CALLBACK`` (its ``__cause__`` is the exception). Any
        other exception in any callback stops the solve and is re-raised here, with its
        original traceback (its ``__context__`` is the library's ``NKSolveError``, status
        ``CALLBACK`` or ``ABORTED``).

        Returns:
            ``(x, report)``. On convergence ``report.status == Status.OK``. A solve that stops
            at ``max_iterations`` / ``max_evaluations`` (``MAX_ITERATIONS``), ``max_seconds``
            (``TIME_LIMIT``) or without an acceptable step (``STAGNATION``) does NOT raise:
            ``x`` is the last accepted point (check ``report.converged``).

        Raises:
            NKSolveError: bad input (``x0`` not finite: ``NON_FINITE``; empty or ``m < 1``:
                ``INVALID_ARGUMENT``; no ``residual``: ``NULL_POINTER``; Newton-Krylov with
                ``m != n``: ``DIMENSION_MISMATCH``; Levenberg-Marquardt without
                ``jacobian_transpose``: ``INVALID_ARGUMENT``), ``NON_FINITE`` (NaN / infinity
                from the residual at ``x0``), ``CALLBACK`` (a callback failed where no step can
                be shortened, e.g. :class:`CannotEvaluate` at ``x0``, then the ``__cause__``),
                ``ABORTED`` (``monitor`` returned ``True``).
            Exception: whatever a callback raised, re-raised as is.
        """
        fn = "nks_nonlinear_solve"
        h = self._handle()
        x = np.array(_vector(x0, "x0", fn), dtype=np.float64, copy=True)
        n = x.size
        for name, f in (("residual", residual), ("jacobian_vector", jacobian_vector),
                        ("jacobian_transpose", jacobian_transpose), ("preconditioner", preconditioner),
                        ("monitor", monitor)):
            if f is not None and not callable(f):
                raise TypeError(f"Nonlinear.solve: {name} must be callable or None, got {type(f).__name__}")
        if residual is None:
            _fail(Status.NULL_POINTER, "residual is required: residual(x) must return F(x)", fn)
        if n == 0:
            _fail(Status.INVALID_ARGUMENT, "x0 is empty (n = 0); the problem needs at least one unknown", fn)
        if m is None:
            m_arg = 0  # the C API's "m = n"
        else:
            m_arg = _size(m, "m", fn)
            if m_arg == 0:
                _fail(Status.INVALID_ARGUMENT, "m = 0 residuals is out of range; there must be at least one "
                      "(None means m = n)", fn)
        slot = self._slot
        res, jvp, jtp, precond = _nonlinear_trampolines(
            residual, jacobian_vector, jacobian_transpose, preconditioner, m is None, slot)
        mon = _nonlinear_monitor_trampoline(monitor, slot) if monitor is not None else _lib.nks_nonlinear_monitor_fn()
        # Each is kept on the handle once the library holds it (and not before: a call refused
        # because the handle is busy must not drop the callbacks of the solve in progress).
        _check(_lib.nks_nonlinear_set_oracles(h, m_arg, res, jvp, jtp, None), "nks_nonlinear_set_oracles")
        self._callbacks["oracles"] = (res, jvp, jtp)
        _check(_lib.nks_nonlinear_set_preconditioner(h, precond, None), "nks_nonlinear_set_preconditioner")
        self._callbacks["preconditioner"] = precond
        _check(_lib.nks_nonlinear_set_monitor(h, mon, None), "nks_nonlinear_set_monitor")
        self._callbacks["monitor"] = mon

        finite = bool(np.isfinite(x).all())
        slot.take()  # nothing left over from an earlier, interrupted call
        slot.refused = None
        status = _lib.nks_nonlinear_solve(h, n, _dptr(x))
        pending, refused = slot.take(), slot.refused
        slot.refused = None
        # A solve that started records its last point (nks_nonlinear_get_point); one refused
        # before starting (bad input, a busy handle) leaves the previous solve's.
        not_started = (Status.INVALID_STATE, Status.INVALID_ARGUMENT, Status.NULL_POINTER, Status.INTERNAL,
                       Status.DIMENSION_MISMATCH)
        if status not in not_started and not (status == Status.NON_FINITE and not finite):
            self._point_n = n
        if status < 0:
            error = NKSolveError(status, _last_message(), fn)
            if pending is not None:
                try:
                    raise error
                except NKSolveError:
                    raise pending  # the original traceback; __context__ is the library error
            if refused is not None and status in (Status.CALLBACK, Status.NON_FINITE):
                raise error from refused
            raise error
        if pending is not None:  # cannot happen with a conforming library; never swallow it
            raise pending
        return x, self.report

    @property
    def report(self) -> NonlinearReport:
        """The report of the last solve that started on this handle (``nks_nonlinear_get_report``;
        ``termination`` is ``NOT_STARTED`` before any). ``recycled_vectors`` is the size of the
        recycle space the handle holds now."""
        r = _lib.nks_nonlinear_report()
        _check(_lib.nks_nonlinear_get_report(self._handle(), ctypes.byref(r)), "nks_nonlinear_get_report")
        return NonlinearReport._from_c(r)

    def steps(self) -> list:
        """The per-step records of the last solve that started (``nks_nonlinear_get_step``), a
        list of :class:`NonlinearStep` (empty before any solve)."""
        h = self._handle()
        count = self.report.steps
        out = []
        s = _lib.nks_nonlinear_step()
        for k in range(count):
            _check(_lib.nks_nonlinear_get_step(h, k, ctypes.byref(s)), "nks_nonlinear_get_step")
            out.append(NonlinearStep._from_c(s))
        return out

    def point(self) -> np.ndarray:
        """The last accepted point of the last solve that started (``nks_nonlinear_get_point``),
        a new array: the result of a solve that raised (``monitor`` stopped it, a callback
        raised or failed) and so returned nothing; the returned ``x`` otherwise.

        Raises:
            NKSolveError: ``INVALID_STATE`` before any solve.
        """
        fn = "nks_nonlinear_get_point"
        h = self._handle()
        if self._point_n is None:
            # The library says why (no solve yet).
            probe = np.zeros(1, dtype=np.float64)
            _check(_lib.nks_nonlinear_get_point(h, 0, _dptr(probe)), fn)
            _fail(Status.INVALID_STATE, "no solve has run on this handle yet", fn)
        x = np.empty(self._point_n, dtype=np.float64)
        _check(_lib.nks_nonlinear_get_point(h, x.size, _dptr(x)), fn)
        return x

    def clear_recycle_space(self) -> None:
        """Forgets the recycle space carried from the previous solves
        (``nks_nonlinear_clear_recycle_space``), before a solve of an unrelated problem."""
        _check(_lib.nks_nonlinear_clear_recycle_space(self._handle()), "nks_nonlinear_clear_recycle_space")

    def __repr__(self) -> str:
        if self._h is None:
            return "<nksolve.Nonlinear (closed)>"
        method = self.method
        name = method.name.lower() if isinstance(method, NonlinearMethod) else method
        return f"<nksolve.Nonlinear method={name}>"


# ---------------------------------------------------------------------------------------------
# Equality-constrained optimisation (AdaSketch-Newton with Python oracles)
# ---------------------------------------------------------------------------------------------


class KktSolver(enum.IntEnum):
    """The inner solvers of :class:`Constrained` (``nks_kkt_solver``, option ``kkt_solver``);
    the option also takes their names in lower case (``"gaussian_sketch"``, ``"kaczmarz"``,
    ``"minres"``)."""

    #: Randomized Gaussian sketch-and-project on the KKT system, matrix-free (the default).
    GAUSSIAN_SKETCH = 0
    #: Randomized Kaczmarz on the rows of the KKT matrix; needs the sparse rows
    #: (:meth:`Constrained.set_sparse_rows`).
    KACZMARZ = 1
    #: MINRES, preconditioned by :meth:`Constrained.set_preconditioner` when set.
    MINRES = 2


_KKT_SOLVERS = {k.name.lower(): k for k in KktSolver}


@dataclass(frozen=True)
class ConstrainedReport:
    """What a :meth:`Constrained.solve` did (mirror of ``nks_constrained_report``;
    :func:`dataclasses.asdict` turns it into a ``dict``).

    Passed to the ``monitor`` after every iteration too; there ``status`` is ``OK`` and
    ``termination`` is ``NOT_STARTED``, and the counters and norms are those of the running solve.
    """

    status: Status  #: The status the solve returned.
    #: Why it stopped: ``CONVERGED_KKT``, ``MAX_ITERATIONS``, ``MAX_EVALUATIONS``, ``TIME_LIMIT``,
    #: ``STAGNATION``, ``MONITOR_STOP``, ``CALLBACK_FAILED`` or ``NON_FINITE``; ``NOT_STARTED``
    #: before the first solve.
    termination: Termination
    kkt_solver: KktSolver  #: The inner solver that ran.
    iterations: int  #: Newton iterations.
    inner_iterations: int  #: Inner iterations over all Newton steps (sketches, Kaczmarz rows, MINRES iterations).
    merit_evaluations: int  #: Merit evaluations (each one ``objective``, ``constraints``, ``gradient`` and ``J^T lambda`` call).
    #: Penalty updates (``eta1 *= rho^2``, ``eta2 /= rho``) because a direction was not a descent
    #: direction of the merit.
    penalty_updates: int
    regularized_steps: int  #: Newton steps solved with a Hessian shift.
    rejected_steps: int  #: Line-search trial points rejected.
    #: Trial points an oracle could not evaluate (:class:`CannotEvaluate`, NaN or infinity).
    failed_evaluations: int
    objective_evaluations: int  #: ``objective`` calls.
    gradient_evaluations: int  #: ``gradient`` calls.
    constraint_evaluations: int  #: ``constraints`` calls.
    jacobian_products: int  #: ``jacobian_vector`` calls.
    jacobian_transpose_products: int  #: ``jacobian_transpose`` calls.
    hessian_products: int  #: ``hessian_vector`` calls.
    matrix_evaluations: int  #: ``jacobian_values`` / ``hessian_values`` calls (Kaczmarz).
    preconditioner_calls: int  #: ``preconditioner`` calls (MINRES).
    records: int  #: Iteration records kept (:meth:`Constrained.records`).
    callback_code: int  #: The code of the oracle that stopped the solve (0 if none; -1: it raised).
    objective: float  #: ``f`` at the returned point.
    stationarity: float  #: ``||grad_x L||_2`` at the returned point.
    feasibility: float  #: ``||c||_2`` at the returned point.
    initial_stationarity: float  #: ``||grad_x L||_2`` at the start (with the starting multipliers).
    initial_feasibility: float  #: ``||c||_2`` at the start.
    eta1: float  #: The final penalty ``eta1``.
    eta2: float  #: The final penalty ``eta2``.
    seconds: float  #: Wall-clock seconds.

    @property
    def converged(self) -> bool:
        """``True`` when the KKT tests passed (``stationarity <= stationarity_tol`` and
        ``feasibility <= feasibility_tol``)."""
        return self.termination == Termination.CONVERGED_KKT

    @classmethod
    def _from_c(cls, r: _lib.nks_constrained_report) -> "ConstrainedReport":
        return cls(
            status=_enum_or_int(Status, r.status),
            termination=_enum_or_int(Termination, r.termination),
            kkt_solver=_enum_or_int(KktSolver, r.kkt_solver),
            iterations=int(r.iterations),
            inner_iterations=int(r.inner_iterations),
            merit_evaluations=int(r.merit_evaluations),
            penalty_updates=int(r.penalty_updates),
            regularized_steps=int(r.regularized_steps),
            rejected_steps=int(r.rejected_steps),
            failed_evaluations=int(r.failed_evaluations),
            objective_evaluations=int(r.objective_evaluations),
            gradient_evaluations=int(r.gradient_evaluations),
            constraint_evaluations=int(r.constraint_evaluations),
            jacobian_products=int(r.jacobian_products),
            jacobian_transpose_products=int(r.jacobian_transpose_products),
            hessian_products=int(r.hessian_products),
            matrix_evaluations=int(r.matrix_evaluations),
            preconditioner_calls=int(r.preconditioner_calls),
            records=int(r.records),
            callback_code=int(r.callback_code),
            objective=float(r.objective),
            stationarity=float(r.stationarity),
            feasibility=float(r.feasibility),
            initial_stationarity=float(r.initial_stationarity),
            initial_feasibility=float(r.initial_feasibility),
            eta1=float(r.eta1),
            eta2=float(r.eta2),
            seconds=float(r.seconds),
        )


@dataclass(frozen=True)
class ConstrainedRecord:
    """One Newton iteration of a :meth:`Constrained.solve` (mirror of ``nks_constrained_record``):
    the KKT residual history and how the step was made."""

    stationarity: float  #: ``||grad_x L||_2`` at the start of the iteration.
    feasibility: float  #: ``||c||_2`` at the start of the iteration.
    merit: float  #: The merit at the start of the iteration, with the penalties the step was accepted with.
    inner_iterations: int  #: Inner iterations of the step.
    inner_residual: float  #: Relative residual ``||K d + rhs|| / ||rhs||`` the inner solve reached.
    eta1: float  #: Penalty ``eta1`` of the step.
    eta2: float  #: Penalty ``eta2`` of the step.
    regularization: float  #: Hessian shift of the step (0 = none).
    step_length: float  #: Step length taken.

    @classmethod
    def _from_c(cls, k: _lib.nks_constrained_record) -> "ConstrainedRecord":
        return cls(
            stationarity=float(k.stationarity),
            feasibility=float(k.feasibility),
            merit=float(k.merit),
            inner_iterations=int(k.inner_iterations),
            inner_residual=float(k.inner_residual),
            eta1=float(k.eta1),
            eta2=float(k.eta2),
            regularization=float(k.regularization),
            step_length=float(k.step_length),
        )


class _AddressViews:
    """Numpy views (no copies) of the library's vectors, by address and length, for the
    ``nks_constrained`` callbacks (whose ``double *`` arguments arrive as ``c_void_p`` ints).

    The randomized inner solvers call the oracles hundreds of thousands of times with the same
    few buffers, so the views are made once per ``(address, length)`` and reused (at most
    :attr:`LIMIT` of each kind are kept; the cache is emptied at the start of every solve). A
    view handed to an oracle is read-only and valid only during that call, as everywhere in this
    binding: the library may reuse or free the memory afterwards.
    """

    __slots__ = ("read", "write")
    LIMIT = 256

    def __init__(self):
        self.read = {}
        self.write = {}

    def clear(self) -> None:
        self.read.clear()
        self.write.clear()

    @classmethod
    def _make(cls, cache: dict, address: int, n: int, writeable: bool) -> np.ndarray:
        if len(cache) >= cls.LIMIT:
            cache.clear()
        a = np.frombuffer((ctypes.c_double * n).from_address(address), dtype=np.float64)
        if not writeable:
            a.flags.writeable = False
        cache[(address, n)] = a
        return a

    def view(self, address: int, n: int) -> np.ndarray:
        """The read-only view of the ``n`` doubles at ``address``."""
        a = self.read.get((address, n))
        return a if a is not None else self._make(self.read, address, n, False)

    def store(self, kind: str, value, address: int, n: int) -> None:
        """Copies an oracle's vector result into the library's output of ``n`` doubles at
        ``address``, after checking it (as :func:`_store` does)."""
        if value is None:
            raise TypeError(f"the {kind} callback returned None; it must return a vector of length {n}")
        y = np.asarray(value, dtype=np.float64)
        if y.shape != (n,):
            raise ValueError(f"the {kind} callback returned an array of shape {y.shape}; expected ({n},)")
        out = self.write.get((address, n))
        if out is None:
            out = self._make(self.write, address, n, True)
        out[...] = y


def _constrained_oracles(objective, gradient, constraints, jacobian_vector, jacobian_transpose, hessian_vector,
                         slot: _NewtonSlot, views: _AddressViews):
    """The C callbacks of :meth:`Constrained.set_oracles`: ``(objective, gradient, constraints,
    jacobian_vector, jacobian_transpose, hessian_vector)``."""
    view, store = views.view, views.store

    def objective_body(x, n, f, _ud):
        ctypes.c_double.from_address(f).value = _scalar("objective", objective(view(x, n)))

    def gradient_body(x, n, g, _ud):
        store("gradient", gradient(view(x, n)), g, n)

    def constraints_body(x, n, c, m, _ud):
        store("constraints", constraints(view(x, n)), c, m)

    def jacobian_vector_body(x, v, n, jv, m, _ud):
        store("jacobian_vector", jacobian_vector(view(x, n), view(v, n)), jv, m)

    def jacobian_transpose_body(x, w, m, jtw, n, _ud):
        store("jacobian_transpose", jacobian_transpose(view(x, n), view(w, m)), jtw, n)

    def hessian_vector_body(x, lam, v, n, m, hv, _ud):
        store("hessian_vector", hessian_vector(view(x, n), view(lam, m), view(v, n)), hv, n)

    return (
        _guarded(_lib.nks_constrained_objective_fn, objective_body, slot),
        _guarded(_lib.nks_constrained_gradient_fn, gradient_body, slot),
        _guarded(_lib.nks_constrained_constraints_fn, constraints_body, slot),
        _guarded(_lib.nks_constrained_jacobian_vector_fn, jacobian_vector_body, slot),
        _guarded(_lib.nks_constrained_jacobian_transpose_fn, jacobian_transpose_body, slot),
        _guarded(_lib.nks_constrained_hessian_vector_fn, hessian_vector_body, slot),
    )


def _pattern(pattern, nrows: int, ncols: int, index_base: int, what: str, function: str) -> Tuple[np.ndarray, np.ndarray]:
    """A sparsity pattern as ``(row_ptr, col_idx)`` int64 arrays the C API can read: a pair of
    integer vectors (CSR, ``index_base``-based) or a scipy.sparse matrix (its CSR
    ``indptr`` / ``indices``, 0-based). Only the lengths are checked here, so the library never
    reads past an array; the library checks the contents (and names the entry at fault)."""
    if hasattr(pattern, "tocsr") and hasattr(pattern, "shape"):
        if index_base != 0:
            _fail(Status.INVALID_ARGUMENT, f"{what}: a scipy.sparse pattern is 0-based; pass index_base=0", function)
        if tuple(pattern.shape) != (nrows, ncols):
            _fail(Status.DIMENSION_MISMATCH, f"{what} has shape {tuple(pattern.shape)}; expected ({nrows}, {ncols})",
                  function)
        csr = pattern.tocsr()
        row_ptr, col_idx = csr.indptr, csr.indices
    else:
        try:
            row_ptr, col_idx = pattern
        except (TypeError, ValueError):
            raise TypeError(f"{function}: {what} must be a pair (row_ptr, col_idx) or a scipy.sparse matrix") from None
    arrays = []
    for name, a in ((f"{what}_row_ptr", row_ptr), (f"{what}_col_idx", col_idx)):
        try:
            v = np.asarray(a)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{function}: {name} must be a vector of integers ({e})") from None
        if v.size == 0 and v.ndim == 1:
            v = v.astype(np.int64)
        if v.ndim != 1 or not np.issubdtype(v.dtype, np.integer):
            raise TypeError(f"{function}: {name} must be a one-dimensional array of integers, got dtype {v.dtype} "
                            f"and shape {v.shape}")
        arrays.append(np.ascontiguousarray(v, dtype=np.int64))
    row_ptr, col_idx = arrays
    if row_ptr.size != nrows + 1:
        _fail(Status.DIMENSION_MISMATCH,
              f"{what}_row_ptr has length {row_ptr.size}; it must be nrows + 1 = {nrows + 1}", function)
    nnz = int(row_ptr[-1]) - index_base
    if nnz < 0 or col_idx.size != nnz:
        _fail(Status.DIMENSION_MISMATCH,
              f"{what}_col_idx has length {col_idx.size} but {what}_row_ptr ends at {int(row_ptr[-1])} "
              f"(= {max(nnz, 0)} entries with index_base = {index_base})", function)
    return row_ptr, col_idx


def _i64ptr(a: np.ndarray):
    return a.ctypes.data_as(_lib.c_int64_p)


def _in_place(a, name: str, function: str) -> np.ndarray:
    """``a`` itself, checked to be a vector the library may read and overwrite: a writable,
    C-contiguous, one-dimensional numpy float64 array."""
    if not isinstance(a, np.ndarray) or a.dtype != np.float64:
        raise TypeError(f"{function}: {name} must be a numpy float64 array (it is updated in place), got "
                        f"{type(a).__name__}{' of dtype ' + str(a.dtype) if isinstance(a, np.ndarray) else ''}; "
                        f"pass e.g. np.array({name}, dtype=float)")
    if a.ndim != 1:
        _fail(Status.DIMENSION_MISMATCH, f"{name} must be one-dimensional; it has shape {a.shape}", function)
    if not a.flags.c_contiguous or not a.flags.writeable or not a.flags.aligned:
        raise TypeError(f"{function}: {name} must be a writable, contiguous array (it is updated in place); "
                        f"pass a copy, e.g. {name}.copy()")
    return a


class Constrained(_Handle):
    """Equality-constrained optimisation ``min f(x) s.t. c(x) = 0`` (``x`` in ``R^n``,
    ``c: R^n -> R^m``) by the adaptive inexact Newton method with randomized sketching
    (AdaSketch-Newton, ``nks_constrained``), with Python oracles. Use one object from one
    thread at a time.

    Each Newton step solves the KKT system ``[H J^T; J 0] (dx, dlambda) = -(grad_x L, c)``
    inexactly (randomized Gaussian sketch-and-project by default; randomized Kaczmarz on the
    sparse rows; or MINRES, optionally preconditioned) and takes a line search on the exact
    augmented Lagrangian ``f + lambda^T c + eta1/2 ||c||^2 + eta2/2 ||grad_x L||^2``.

    Every oracle receives read-only numpy views (not copies, valid only during the call) and
    returns a float (``objective``) or a vector (anything ``numpy.asarray`` turns into one of the
    right length, a list included):

    * ``objective(x)`` -> ``f(x)``;
    * ``gradient(x)`` -> ``grad f(x)`` (length ``n``);
    * ``constraints(x)`` -> ``c(x)`` (length ``m``);
    * ``jacobian_vector(x, v)`` -> ``J(x) @ v`` (length ``m``);
    * ``jacobian_transpose(x, w)`` -> ``J(x).T @ w`` (length ``n``);
    * ``hessian_vector(x, lam, v)`` -> ``(grad^2 f(x) + sum_i lam_i grad^2 c_i(x)) @ v``
      (length ``n``).

    ``objective``, ``constraints``, ``gradient`` and ``jacobian_transpose`` are also called at
    line-search trial points: returning NaN or infinity there, or raising
    :class:`CannotEvaluate`, says "cannot evaluate at this point", and the step is shortened
    (counted in ``report.failed_evaluations``). The other oracles are called at accepted points
    only, where nothing can be shortened: :class:`CannotEvaluate` there stops the solve with
    ``NKSolveError`` status ``CALLBACK`` (whose ``__cause__`` is the exception). Any other
    exception in any oracle, the preconditioner or the monitor stops the solve and is re-raised
    by :meth:`solve` with its original traceback (its ``__context__`` is the library's
    ``NKSolveError``), with ``x`` and ``lam`` untouched.

    Args:
        m: the number of constraints, ``>= 1``.
        objective, gradient, constraints, jacobian_vector, jacobian_transpose, hessian_vector:
            the oracles above, all required.
        jacobian_pattern, jacobian_values, hessian_pattern, hessian_values, index_base: the
            sparse rows (see :meth:`set_sparse_rows`), needed by the Kaczmarz solver; all four
            or none.
        preconditioner: see :meth:`set_preconditioner`.
        monitor: see :meth:`set_monitor`.
        kkt_solver: ``"gaussian_sketch"`` (default), ``"kaczmarz"``, ``"minres"`` (or a
            :class:`KktSolver` or its code).
        **options: options set by name with :meth:`set_option`, in the order given (e.g.
            ``stationarity_tol=1e-8, seed=3``).

    Raises:
        NKSolveError: ``INVALID_ARGUMENT`` for ``m = 0``, a bad sparse pattern or option value;
            ``NULL_POINTER`` for a missing oracle; ``UNKNOWN_OPTION`` for an unknown option name
            (the message lists the names).

    Example::

        con = nksolve.Constrained(1, f, g, c, jv, jtw, hv)      # m = 1 constraint
        x, lam = np.array([-1.2, 1.0]), np.zeros(1)
        report = con.solve(x, lam)                               # x, lam hold the solution
        report.converged, report.iterations, [k.stationarity for k in con.records()]
    """

    _free_fn = "nks_constrained_free"

    def __init__(
        self,
        m: int,
        objective: Callable,
        gradient: Callable,
        constraints: Callable,
        jacobian_vector: Callable,
        jacobian_transpose: Callable,
        hessian_vector: Callable,
        *,
        jacobian_pattern=None,
        jacobian_values: Optional[Callable] = None,
        hessian_pattern=None,
        hessian_values: Optional[Callable] = None,
        index_base: int = 0,
        preconditioner: Optional[Callable] = None,
        monitor: Optional[Callable] = None,
        kkt_solver: Union[str, KktSolver, int, None] = None,
        **options,
    ):
        self._h = None
        self._slot = _NewtonSlot()
        self._views = _AddressViews()
        # The CFUNCTYPE objects the library holds pointers to, kept alive as long as it does.
        self._callbacks = {}
        self._m = None
        self._point = None  # (n, m) of the last solve that started (for get_point())
        h = _lib.nks_constrained_p()
        _check(_lib.nks_constrained_new(ctypes.byref(h)), "nks_constrained_new")
        self._h = h
        self.set_oracles(m, objective, gradient, constraints, jacobian_vector, jacobian_transpose, hessian_vector)
        sparse = (jacobian_pattern, jacobian_values, hessian_pattern, hessian_values)
        if any(s is not None for s in sparse):
            if any(s is None for s in sparse):
                _fail(Status.NULL_POINTER, "the sparse rows need all four of jacobian_pattern, jacobian_values, "
                      "hessian_pattern and hessian_values", "nks_constrained_set_sparse_rows")
            self.set_sparse_rows(jacobian_pattern, jacobian_values, hessian_pattern, hessian_values, index_base)
        if preconditioner is not None:
            self.set_preconditioner(preconditioner)
        if monitor is not None:
            self.set_monitor(monitor)
        if kkt_solver is not None:
            self.set_option("kkt_solver", kkt_solver)
        for name, value in options.items():
            self.set_option(name, value)

    def _after_close(self) -> None:
        self._callbacks = {}

    @staticmethod
    def _callable(f, name: str, function: str, required: bool = True) -> None:
        if f is None:
            if required:
                _fail(Status.NULL_POINTER, f"{name} is required", function)
            return
        if not callable(f):
            raise TypeError(f"Constrained: {name} must be callable, got {type(f).__name__}")

    # -- oracles -------------------------------------------------------------------------------

    def set_oracles(self, m: int, objective: Callable, gradient: Callable, constraints: Callable,
                    jacobian_vector: Callable, jacobian_transpose: Callable, hessian_vector: Callable) -> None:
        """Replaces the oracles and ``m`` (``nks_constrained_set_oracles``; see the class
        documentation for their signatures). Clears the sparse rows set earlier (their ``m``
        may differ); the preconditioner, monitor and options stay.

        Raises:
            NKSolveError: ``NULL_POINTER`` naming a missing oracle, ``INVALID_ARGUMENT`` for
                ``m = 0``.
        """
        fn = "nks_constrained_set_oracles"
        h = self._handle()
        m = _size(m, "m", fn)
        oracles = (("objective", objective), ("gradient", gradient), ("constraints", constraints),
                   ("jacobian_vector", jacobian_vector), ("jacobian_transpose", jacobian_transpose),
                   ("hessian_vector", hessian_vector))
        for name, f in oracles:
            self._callable(f, name, fn)
        cfuncs = _constrained_oracles(objective, gradient, constraints, jacobian_vector, jacobian_transpose,
                                      hessian_vector, self._slot, self._views)
        _check(_lib.nks_constrained_set_oracles(h, m, *cfuncs, None), fn)
        # Kept once the library holds them (a call refused because the handle is busy must not
        # drop the callbacks of the solve in progress).
        self._callbacks["oracles"] = cfuncs
        self._callbacks.pop("sparse_rows", None)
        self._m = m

    @property
    def m(self) -> int:
        """The number of constraints the oracles were set for."""
        return self._m

    def set_sparse_rows(self, jacobian_pattern, jacobian_values: Callable, hessian_pattern,
                        hessian_values: Callable, index_base: int = 0) -> None:
        """Gives the Jacobian (``m x n``) and the Hessian of the Lagrangian (``n x n``, BOTH
        triangles) as sparse rows (``nks_constrained_set_sparse_rows``): fixed patterns and
        callbacks that return their values. This enables the Kaczmarz KKT solver
        (``kkt_solver="kaczmarz"``); ``n`` is the Hessian pattern's size.

        Args:
            jacobian_pattern: ``(row_ptr, col_idx)`` (CSR, ``m + 1`` row starts, each row's
                columns once, in any order) or a scipy.sparse matrix of shape ``(m, n)`` (its
                ``tocsr()`` pattern).
            jacobian_values: ``jacobian_values(x)`` returns the Jacobian's values at ``x`` in the
                order of the pattern's ``col_idx`` (length ``nnz``).
            hessian_pattern: likewise, ``n x n``.
            hessian_values: ``hessian_values(x, lam)`` returns the values of
                ``grad^2 f(x) + sum_i lam_i grad^2 c_i(x)`` in the pattern's order.
            index_base: 0 or 1, for ``(row_ptr, col_idx)`` pairs.

        Both value callbacks are called at accepted points only: any failure stops the solve.

        Raises:
            NKSolveError: ``INVALID_ARGUMENT`` for a malformed pattern (the library's message
                names the array and the entry), ``DIMENSION_MISMATCH`` for arrays of the wrong
                length.
        """
        fn = "nks_constrained_set_sparse_rows"
        h = self._handle()
        self._callable(jacobian_values, "jacobian_values", fn)
        self._callable(hessian_values, "hessian_values", fn)
        if isinstance(index_base, bool) or index_base not in (0, 1):
            _fail(Status.INVALID_ARGUMENT, f"index_base = {index_base!r} must be 0 or 1", fn)
        if hasattr(hessian_pattern, "tocsr") and hasattr(hessian_pattern, "shape"):
            n = int(hessian_pattern.shape[0])
        else:
            try:
                n = len(hessian_pattern[0]) - 1
            except (TypeError, IndexError, KeyError):
                raise TypeError(f"{fn}: hessian_pattern must be a pair (row_ptr, col_idx) or a scipy.sparse matrix") \
                    from None
        if n < 1:
            _fail(Status.INVALID_ARGUMENT, "hessian_pattern has no rows; n must be at least 1", fn)
        m = self._m
        jrp, jci = _pattern(jacobian_pattern, m, n, index_base, "jacobian", fn)
        hrp, hci = _pattern(hessian_pattern, n, n, index_base, "hessian", fn)

        view, store = self._views.view, self._views.store

        def jacobian_values_body(x, n_, values, nnz, _ud):
            store("jacobian_values", jacobian_values(view(x, n_)), values, nnz)

        def hessian_values_body(x, lam, n_, m_, values, nnz, _ud):
            store("hessian_values", hessian_values(view(x, n_), view(lam, m_)), values, nnz)

        jv = _guarded(_lib.nks_constrained_jacobian_values_fn, jacobian_values_body, self._slot)
        hv = _guarded(_lib.nks_constrained_hessian_values_fn, hessian_values_body, self._slot)
        _check(_lib.nks_constrained_set_sparse_rows(h, n, _i64ptr(jrp), _i64ptr(jci), jv, _i64ptr(hrp), _i64ptr(hci),
                                                    hv, index_base, None), fn)
        self._callbacks["sparse_rows"] = (jv, hv)

    def set_preconditioner(self, preconditioner: Optional[Callable]) -> None:
        """Sets (or with ``None`` removes) the MINRES preconditioner
        (``nks_constrained_set_preconditioner``): ``preconditioner(x, lam, r)`` returns
        ``M^-1 r`` (length ``n + m``) for a symmetric positive definite ``M`` approximating the
        magnitude of the KKT matrix ``[H J^T; J 0]`` at ``(x, lam)``, e.g.
        ``diag(H~, J H~^-1 J^T)``. Used by ``kkt_solver="minres"`` only; any failure stops the
        solve."""
        fn = "nks_constrained_set_preconditioner"
        h = self._handle()
        self._callable(preconditioner, "preconditioner", fn, required=False)
        if preconditioner is None:
            cfunc = _lib.nks_constrained_precond_fn()
        else:
            view, store = self._views.view, self._views.store

            def body(x, lam, r, n, m, z, _ud):
                store("preconditioner", preconditioner(view(x, n), view(lam, m), view(r, n + m)), z, n + m)

            cfunc = _guarded(_lib.nks_constrained_precond_fn, body, self._slot)
        _check(_lib.nks_constrained_set_preconditioner(h, cfunc, None), fn)
        self._callbacks["preconditioner"] = cfunc

    def set_monitor(self, monitor: Optional[Callable]) -> None:
        """Sets (or with ``None`` removes) the per-iteration monitor
        (``nks_constrained_set_monitor``): ``monitor(x, lam, report)`` after every Newton
        iteration, with the current point and multipliers (read-only views) and the running
        :class:`ConstrainedReport`. Return ``True`` to stop the solve, which then raises
        ``NKSolveError`` with status ``ABORTED`` (:meth:`get_point` gives the last accepted
        point); ``None`` / ``False`` continue. An exception stops the solve and is re-raised by
        :meth:`solve`."""
        fn = "nks_constrained_set_monitor"
        h = self._handle()
        self._callable(monitor, "monitor", fn, required=False)
        if monitor is None:
            cfunc = _lib.nks_constrained_monitor_fn()
        else:
            slot, view = self._slot, self._views.view

            def trampoline(report_ptr, x, n, lam, m, _ud):
                try:
                    report = ConstrainedReport._from_c(report_ptr.contents)
                    return 1 if monitor(view(x, n), view(lam, m), report) else 0
                except BaseException as e:  # noqa: BLE001 -- CannotEvaluate included: it means nothing here
                    slot.store(e)
                    return -1

            cfunc = _lib.nks_constrained_monitor_fn(trampoline)
        _check(_lib.nks_constrained_set_monitor(h, cfunc, None), fn)
        self._callbacks["monitor"] = cfunc

    # -- options -------------------------------------------------------------------------------

    def set_option(self, name: str, value) -> None:
        """Sets an option by name (``nks_constrained_set_option``):

        * ``"kkt_solver"``: a :class:`KktSolver`, its name or code (default Gaussian sketch);
        * ``"stationarity_tol"`` ``> 0`` (default 1e-6) and ``"feasibility_tol"`` ``> 0``
          (default 1e-6): stop at ``||grad_x L|| <= stationarity_tol`` and
          ``||c|| <= feasibility_tol``;
        * ``"max_iterations"`` ``>= 1`` (default 1000); ``"max_inner_iterations"`` ``>= 1`` (per
          Newton step, default 100000); ``"max_merit_evaluations"`` ``>= 0`` (0 = no limit);
          ``"max_seconds"`` ``>= 0`` (0 = no limit);
        * ``"eta1"`` ``> 0`` (default 1), ``"eta2"`` ``> 0`` (default 0.1): the merit's
          penalties; ``"penalty_factor"`` in ``(1, 100]`` (default 1.5); ``"armijo"`` in
          ``(0, 0.5)`` (default 0.1);
        * ``"accuracy"`` in ``(0, 1)`` (default 0.1), ``"accuracy_min"`` in ``(0, 1)`` (default
          1e-10): the inner solve stops at ``||K d + rhs|| <= theta delta ||rhs||``;
          ``"sharpen"`` 0 / 1 (default 1: ``theta = min(1, ||rhs||^(1/2))``);
        * ``"sketch_block"`` 1..256 (default 1); ``"seed"`` ``>= 0`` (default 0);
        * ``"regularization"`` ``> 0`` (default 1e-4: the first Hessian shift),
          ``"curvature_tol"`` ``>= 0`` (default 1e-8; 0 = never shift);
        * ``"multiplier_start"`` 0 (least squares, the default) / 1 (the ``lam`` passed to
          :meth:`solve`); ``"record_history"`` 0 / 1 (default 1).

        Booleans count as 0 / 1.

        Raises:
            NKSolveError: ``UNKNOWN_OPTION`` (the message lists the names), ``INVALID_ARGUMENT``
                for a value out of range (the message names the option; the option keeps its
                value).
        """
        fn = "nks_constrained_set_option"
        if name == "kkt_solver" and isinstance(value, (str, KktSolver)):
            value = _choice(value, _KKT_SOLVERS, KktSolver, "kkt_solver", fn)
        if isinstance(value, (str, bytes)) or value is None:
            _fail(Status.INVALID_ARGUMENT, f"option {name!r}: value {value!r} must be a number", fn)
        try:
            number = float(value)
        except (TypeError, ValueError):
            _fail(Status.INVALID_ARGUMENT, f"option {name!r}: value {value!r} must be a number", fn)
        _check(_lib.nks_constrained_set_option(self._handle(), str(name).encode("utf-8"), number), fn)

    def get_option(self, name: str) -> float:
        """Reads an option by name (``nks_constrained_get_option``), as a float in the encoding
        :meth:`set_option` takes (``"kkt_solver"``: a :class:`KktSolver` code), so
        ``set_option(name, get_option(name))`` changes nothing. An unknown name raises
        ``NKSolveError`` with status ``UNKNOWN_OPTION``."""
        fn = "nks_constrained_get_option"
        value = ctypes.c_double()
        _check(_lib.nks_constrained_get_option(self._handle(), str(name).encode("utf-8"), ctypes.byref(value)), fn)
        return value.value

    @property
    def kkt_solver(self):
        """The inner solver of the next solve (option ``"kkt_solver"``), a :class:`KktSolver`."""
        return _enum_or_int(KktSolver, int(self.get_option("kkt_solver")))

    # -- solving ---------------------------------------------------------------------------------

    def solve(self, x, lam=None) -> ConstrainedReport:
        """Minimises ``f(x)`` subject to ``c(x) = 0`` (``nks_constrained_solve``), starting from
        ``x``, and returns the :class:`ConstrainedReport`.

        Args:
            x: the start, a writable contiguous numpy float64 vector of length ``n >= 1`` with
                finite entries; overwritten with the solution.
            lam: a writable contiguous numpy float64 vector of length ``m``; overwritten with
                the multipliers (``grad f + J^T lam = 0`` at the solution). Read as the starting
                multipliers when option ``multiplier_start`` is 1 (otherwise they start as the
                least-squares estimate). ``None``: a scratch vector (:meth:`get_point` gives the
                multipliers).

        ``x`` and ``lam`` are written only when the solve returns normally: on convergence
        (``report.status == Status.OK``), and at ``max_iterations`` / ``max_merit_evaluations``
        (``MAX_ITERATIONS``), ``max_seconds`` (``TIME_LIMIT``) or without an acceptable step
        (``STAGNATION``), which do NOT raise (check ``report.converged``). A solve that raises
        leaves both untouched; :meth:`get_point` then gives the last accepted point.

        Raises:
            NKSolveError: bad input (``x`` or, with ``multiplier_start`` 1, ``lam`` not finite:
                ``NON_FINITE``; ``x`` empty: ``INVALID_ARGUMENT``; ``lam`` not of length ``m``:
                ``DIMENSION_MISMATCH``; Kaczmarz without sparse rows: ``INVALID_STATE``),
                ``NON_FINITE`` (NaN / infinity from the oracles at the start), ``CALLBACK`` (an
                oracle failed where no step can be shortened, e.g. :class:`CannotEvaluate` at
                the start, then the ``__cause__``), ``ABORTED`` (the monitor returned ``True``).
            TypeError: ``x`` or ``lam`` is not a writable contiguous float64 numpy array.
            Exception: whatever a callback raised, re-raised as is.
        """
        fn = "nks_constrained_solve"
        h = self._handle()
        x = _in_place(x, "x", fn)
        if lam is None:
            lam = np.zeros(self._m, dtype=np.float64)
        else:
            lam = _in_place(lam, "lam", fn)
        n, m = x.size, lam.size
        if n == 0:
            _fail(Status.INVALID_ARGUMENT, "x is empty (n = 0); the problem needs at least one unknown", fn)
        given = self.get_option("multiplier_start") == 1.0
        finite = bool(np.isfinite(x).all()) and (not given or bool(np.isfinite(lam).all()))
        slot = self._slot
        slot.take()  # nothing left over from an earlier, interrupted call
        slot.refused = None
        self._views.clear()
        status = _lib.nks_constrained_solve(h, n, _dptr(x), m, _dptr(lam))
        pending, refused = slot.take(), slot.refused
        slot.refused = None
        # A solve that started records its last point (nks_constrained_get_point); one refused
        # before starting (bad input, a busy handle) leaves the previous solve's.
        not_started = (Status.INVALID_STATE, Status.INVALID_ARGUMENT, Status.NULL_POINTER, Status.INTERNAL,
                       Status.DIMENSION_MISMATCH)
        if status not in not_started and not (status == Status.NON_FINITE and not finite):
            self._point = (n, m)
        if status < 0:
            error = NKSolveError(status, _last_message(), fn)
            if pending is not None:
                try:
                    raise error
                except NKSolveError:
                    raise pending  # the original traceback; __context__ is the library error
            if refused is not None and status in (Status.CALLBACK, Status.NON_FINITE):
                raise error from refused
            raise error
        if pending is not None:  # cannot happen with a conforming library; never swallow it
            raise pending
        return self.report

    @property
    def report(self) -> ConstrainedReport:
        """The report of the last solve that started on this object
        (``nks_constrained_get_report``; ``termination`` is ``NOT_STARTED`` before any)."""
        r = _lib.nks_constrained_report()
        _check(_lib.nks_constrained_get_report(self._handle(), ctypes.byref(r)), "nks_constrained_get_report")
        return ConstrainedReport._from_c(r)

    def records(self) -> list:
        """The iteration records of the last solve that started (``nks_constrained_get_record``),
        a list of :class:`ConstrainedRecord`, one per Newton iteration: the KKT residual
        history (empty before any solve, or with ``record_history=0``)."""
        h = self._handle()
        count = self.report.records
        out = []
        k = _lib.nks_constrained_record()
        for i in range(count):
            _check(_lib.nks_constrained_get_record(h, i, ctypes.byref(k)), "nks_constrained_get_record")
            out.append(ConstrainedRecord._from_c(k))
        return out

    def get_point(self) -> Tuple[np.ndarray, np.ndarray]:
        """The last accepted point of the last solve that started and its multipliers
        (``nks_constrained_get_point``), as new arrays ``(x, lam)``: the result of a solve that
        raised (the monitor stopped it, a callback raised or failed) and so left the caller's
        arrays untouched; the solution otherwise.

        Raises:
            NKSolveError: ``INVALID_STATE`` before any solve.
        """
        fn = "nks_constrained_get_point"
        h = self._handle()
        if self._point is None:
            # The library says why (no solve yet).
            probe = np.zeros(1, dtype=np.float64)
            _check(_lib.nks_constrained_get_point(h, 0, _dptr(probe), 0, None), fn)
            _fail(Status.INVALID_STATE, "no solve has run on this handle yet", fn)
        n, m = self._point
        x = np.empty(n, dtype=np.float64)
        lam = np.empty(m, dtype=np.float64)
        _check(_lib.nks_constrained_get_point(h, n, _dptr(x), m, _dptr(lam)), fn)
        return x, lam

    def __repr__(self) -> str:
        if self._h is None:
            return "<nksolve.Constrained (closed)>"
        solver = self.kkt_solver
        name = solver.name.lower() if isinstance(solver, KktSolver) else solver
        return f"<nksolve.Constrained m={self._m} kkt_solver={name}>"

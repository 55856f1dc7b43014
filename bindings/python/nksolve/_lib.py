"""Raw ctypes layer of the nksolve Python binding: library loading and one declaration per
function of ``include/nksolve.h``.

Nothing here is public API; :mod:`nksolve` wraps it. Keep this file in step with the header:
every exported function is declared below with its exact argument and result types, so a
wrong call fails in ctypes instead of corrupting memory.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    c_char_p,
    c_double,
    c_int,
    c_int32,
    c_int64,
    c_size_t,
    c_uint8,
    c_uint32,
    c_uint64,
    c_void_p,
)

#: The library version this binding was written against, as ``(MAJOR, MINOR)``. The loaded
#: library must have the same MAJOR (and, while MAJOR is 0, the same MINOR), mirroring the
#: ``NKS_VERSION`` check a C program does against its header.
BOUND_VERSION = (0, 1)

_HERE = os.path.dirname(os.path.abspath(__file__))
_REPO = os.path.normpath(os.path.join(_HERE, "..", "..", ".."))

if sys.platform == "darwin":
    _SONAME = "libnksolve.dylib"
elif os.name == "nt":
    _SONAME = "nksolve.dll"
else:
    _SONAME = "libnksolve.so"


def _candidates():
    """Where the shared library is looked for, in order, as ``(description, path)`` pairs."""
    env = os.environ.get("NKSOLVE_LIBRARY")
    if env:
        # An explicit choice is never silently replaced by another copy.
        return [("NKSOLVE_LIBRARY", env)]
    found = [
        ("repository build", os.path.join(_REPO, "target", "release", _SONAME)),
        ("repository test build", os.path.join(_REPO, "target", "release", "deps", _SONAME)),
    ]
    system = ctypes.util.find_library("nksolve")
    if system:
        found.append(("system search (ctypes.util.find_library)", system))
    return found


def _load():
    tried = []
    for what, path in _candidates():
        # find_library returns a bare soname that dlopen resolves itself; other entries are files.
        if os.sep in path and not os.path.exists(path):
            tried.append(f"{what}: {path} (no such file)")
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append(f"{what}: {path} ({e})")
    if not os.environ.get("NKSOLVE_LIBRARY"):
        tried.append("system search (ctypes.util.find_library): nothing found")
    raise ImportError(
        "nksolve: cannot load the shared library " + _SONAME + ". Tried:\n  "
        + "\n  ".join(tried)
        + "\nBuild it with `cargo build --release` in the repository, or point the "
        "NKSOLVE_LIBRARY environment variable at the library file."
    )


lib, path = _load()

# ---------------------------------------------------------------------------------------------
# Types of include/nksolve.h
# ---------------------------------------------------------------------------------------------

nks_status = c_int32
nks_csr_p = c_void_p  # opaque `nks_csr *`
nks_krylov_p = c_void_p  # opaque `nks_krylov *`
nks_sor_bandit_p = c_void_p  # opaque `nks_sor_bandit *`
nks_sinkhorn_p = c_void_p  # opaque `nks_sinkhorn *`
nks_newton_p = c_void_p  # opaque `nks_newton *`
nks_nonlinear_p = c_void_p  # opaque `nks_nonlinear *`
nks_constrained_p = c_void_p  # opaque `nks_constrained *`
c_double_p = POINTER(c_double)
c_int64_p = POINTER(c_int64)
c_size_t_p = POINTER(c_size_t)
c_uint8_p = POINTER(c_uint8)


class nks_krylov_report(Structure):
    """Mirror of the C struct ``nks_krylov_report`` (same field order and types; ctypes applies
    the C alignment rules, so on x86_64 ``recycle_rebuilt`` is at offset 76, ``recycle_dropped``
    at 120 and the size is 128)."""

    _fields_ = [
        ("status", c_int32),
        ("termination", c_int32),
        ("iterations", c_size_t),
        ("matvecs", c_size_t),
        ("precond_applies", c_size_t),
        ("rhs_norm", c_double),
        ("initial_residual_norm", c_double),
        ("residual_norm", c_double),
        ("seconds", c_double),
        ("callback_code", c_int32),
        ("recycle_rebuilt", c_int32),
        ("recycle_initial_dim", c_size_t),
        ("recycle_final_dim", c_size_t),
        ("recycle_refreshes", c_size_t),
        ("recycle_largest_angle", c_double),
        ("recycle_projection_ratio", c_double),
        ("recycle_dropped", c_int32),
    ]


class nks_sor_report(Structure):
    """Mirror of the C struct ``nks_sor_report`` (same field order and types; on x86_64
    ``arm`` is at offset 8, ``seconds`` at 56 and the size is 64)."""

    _fields_ = [
        ("status", c_int32),
        ("termination", c_int32),
        ("arm", c_size_t),
        ("omega", c_double),
        ("iterations", c_size_t),
        ("cost", c_double),
        ("initial_residual_norm", c_double),
        ("residual_norm", c_double),
        ("seconds", c_double),
    ]


class nks_sinkhorn_report(Structure):
    """Mirror of the C struct ``nks_sinkhorn_report`` (same field order and types; on x86_64
    ``iterations`` is at offset 16 after four bytes of padding, ``seconds`` at 104 and the size
    is 112)."""

    _fields_ = [
        ("status", c_int32),
        ("termination", c_int32),
        ("method", c_int32),
        ("iterations", c_size_t),
        ("sinkhorn_iterations", c_size_t),
        ("newton_iterations", c_size_t),
        ("fallback_steps", c_size_t),
        ("cg_iterations", c_size_t),
        ("hessian_density", c_double),
        ("marginal_error", c_double),
        ("transport_cost", c_double),
        ("regularized_cost", c_double),
        ("eps", c_double),
        ("exact_lines", c_size_t),
        ("seconds", c_double),
    ]


class nks_newton_report(Structure):
    """Mirror of the C struct ``nks_newton_report`` (same field order and types; on x86_64
    ``iterations`` is at offset 16 after four bytes of padding, ``callback_code`` at 104,
    ``initial_value`` at 112, ``seconds`` at 160 and the size is 168)."""

    _fields_ = [
        ("status", c_int32),
        ("termination", c_int32),
        ("method", c_int32),
        ("iterations", c_size_t),
        ("accepted_steps", c_size_t),
        ("value_calls", c_size_t),
        ("gradient_calls", c_size_t),
        ("value_gradient_calls", c_size_t),
        ("hessian_vector_calls", c_size_t),
        ("preconditioner_calls", c_size_t),
        ("cg_iterations", c_size_t),
        ("hessian_refreshes", c_size_t),
        ("rejected_steps", c_size_t),
        ("failed_evaluations", c_size_t),
        ("callback_code", c_int32),
        ("initial_value", c_double),
        ("value", c_double),
        ("initial_gradient_norm", c_double),
        ("gradient_norm", c_double),
        ("step_norm", c_double),
        ("parameter", c_double),
        ("seconds", c_double),
    ]


class nks_nonlinear_report(Structure):
    """Mirror of the C struct ``nks_nonlinear_report`` (same field order and types; on x86_64
    ``iterations`` is at offset 16 after four bytes of padding, ``callback_code`` at 104,
    ``initial_residual_norm`` at 112, ``seconds`` at 144 and the size is 152)."""

    _fields_ = [
        ("status", c_int32),
        ("termination", c_int32),
        ("method", c_int32),
        ("iterations", c_size_t),
        ("residual_evaluations", c_size_t),
        ("fd_products", c_size_t),
        ("jacobian_vector_calls", c_size_t),
        ("jacobian_transpose_calls", c_size_t),
        ("preconditioner_calls", c_size_t),
        ("inner_iterations", c_size_t),
        ("rejected_steps", c_size_t),
        ("failed_evaluations", c_size_t),
        ("steps", c_size_t),
        ("recycled_vectors", c_size_t),
        ("callback_code", c_int32),
        ("initial_residual_norm", c_double),
        ("residual_norm", c_double),
        ("gradient_norm", c_double),
        ("step_norm", c_double),
        ("seconds", c_double),
    ]


class nks_nonlinear_step(Structure):
    """Mirror of the C struct ``nks_nonlinear_step`` (on x86_64 the size is 64)."""

    _fields_ = [
        ("residual_norm", c_double),
        ("forcing", c_double),
        ("linear_residual", c_double),
        ("inner_iterations", c_size_t),
        ("jacobian_products", c_size_t),
        ("recycled_vectors", c_size_t),
        ("step_length", c_double),
        ("lm_parameter", c_double),
    ]


class nks_constrained_report(Structure):
    """Mirror of the C struct ``nks_constrained_report`` (same field order and types; on x86_64
    ``iterations`` is at offset 16 after four bytes of padding, ``callback_code`` at 144,
    ``objective`` at 152, ``seconds`` at 208 and the size is 216)."""

    _fields_ = [
        ("status", c_int32),
        ("termination", c_int32),
        ("kkt_solver", c_int32),
        ("iterations", c_size_t),
        ("inner_iterations", c_size_t),
        ("merit_evaluations", c_size_t),
        ("penalty_updates", c_size_t),
        ("regularized_steps", c_size_t),
        ("rejected_steps", c_size_t),
        ("failed_evaluations", c_size_t),
        ("objective_evaluations", c_size_t),
        ("gradient_evaluations", c_size_t),
        ("constraint_evaluations", c_size_t),
        ("jacobian_products", c_size_t),
        ("jacobian_transpose_products", c_size_t),
        ("hessian_products", c_size_t),
        ("matrix_evaluations", c_size_t),
        ("preconditioner_calls", c_size_t),
        ("records", c_size_t),
        ("callback_code", c_int32),
        ("objective", c_double),
        ("stationarity", c_double),
        ("feasibility", c_double),
        ("initial_stationarity", c_double),
        ("initial_feasibility", c_double),
        ("eta1", c_double),
        ("eta2", c_double),
        ("seconds", c_double),
    ]


class nks_constrained_record(Structure):
    """Mirror of the C struct ``nks_constrained_record`` (on x86_64 ``inner_iterations`` is at
    offset 24 and the size is 72)."""

    _fields_ = [
        ("stationarity", c_double),
        ("feasibility", c_double),
        ("merit", c_double),
        ("inner_iterations", c_size_t),
        ("inner_residual", c_double),
        ("eta1", c_double),
        ("eta2", c_double),
        ("regularization", c_double),
        ("step_length", c_double),
    ]


#: ``int (*)(const double *x, double *y, size_t n, void *user_data)``
nks_matvec_fn = CFUNCTYPE(c_int, c_double_p, c_double_p, c_size_t, c_void_p)
#: ``int (*)(const double *r, double *z, size_t n, void *user_data)``
nks_precond_fn = CFUNCTYPE(c_int, c_double_p, c_double_p, c_size_t, c_void_p)
#: ``int (*)(const nks_krylov_report *report, void *user_data)``
nks_krylov_monitor_fn = CFUNCTYPE(c_int, POINTER(nks_krylov_report), c_void_p)
#: ``int (*)(size_t system, const double *x, double *y, size_t n, void *user_data)``
nks_indexed_matvec_fn = CFUNCTYPE(c_int, c_size_t, c_double_p, c_double_p, c_size_t, c_void_p)

#: ``int (*)(const double *x, size_t n, double *f, void *user_data)``
nks_newton_objective_fn = CFUNCTYPE(c_int, c_double_p, c_size_t, c_double_p, c_void_p)
#: ``int (*)(const double *x, size_t n, double *g, void *user_data)``
nks_newton_gradient_fn = CFUNCTYPE(c_int, c_double_p, c_size_t, c_double_p, c_void_p)
#: ``int (*)(const double *x, size_t n, double *f, double *g, void *user_data)``
nks_newton_objective_gradient_fn = CFUNCTYPE(c_int, c_double_p, c_size_t, c_double_p, c_double_p, c_void_p)
#: ``int (*)(const double *x, const double *v, size_t n, double *hv, void *user_data)``
nks_newton_hessian_vector_fn = CFUNCTYPE(c_int, c_double_p, c_double_p, c_size_t, c_double_p, c_void_p)
#: ``int (*)(const double *x, const double *r, size_t n, double *z, void *user_data)``
nks_newton_precond_fn = CFUNCTYPE(c_int, c_double_p, c_double_p, c_size_t, c_double_p, c_void_p)
#: ``int (*)(const nks_newton_report *report, const double *x, size_t n, void *user_data)``
nks_newton_monitor_fn = CFUNCTYPE(c_int, POINTER(nks_newton_report), c_double_p, c_size_t, c_void_p)

#: ``int (*)(const double *x, size_t n, double *f, size_t m, void *user_data)``
nks_nonlinear_residual_fn = CFUNCTYPE(c_int, c_double_p, c_size_t, c_double_p, c_size_t, c_void_p)
#: ``int (*)(const double *x, const double *v, size_t n, double *jv, size_t m, void *user_data)``
nks_nonlinear_jacobian_vector_fn = CFUNCTYPE(c_int, c_double_p, c_double_p, c_size_t, c_double_p, c_size_t, c_void_p)
#: ``int (*)(const double *x, const double *w, size_t m, double *jtw, size_t n, void *user_data)``
nks_nonlinear_jacobian_transpose_fn = CFUNCTYPE(c_int, c_double_p, c_double_p, c_size_t, c_double_p, c_size_t, c_void_p)
#: ``int (*)(const double *x, const double *r, size_t n, double *z, void *user_data)``
nks_nonlinear_precond_fn = CFUNCTYPE(c_int, c_double_p, c_double_p, c_size_t, c_double_p, c_void_p)
#: ``int (*)(const nks_nonlinear_report *report, const double *x, size_t n, void *user_data)``
nks_nonlinear_monitor_fn = CFUNCTYPE(c_int, POINTER(nks_nonlinear_report), c_double_p, c_size_t, c_void_p)

# The nks_constrained callbacks take their `double *` arguments as c_void_p (the same ABI):
# ctypes then hands the trampoline the address as an int instead of building an LP_c_double
# object per argument, and the trampoline wraps it in a numpy view itself. These oracles are
# called hundreds of thousands of times by the randomized inner solvers, so this matters.
_dp = c_void_p

#: ``int (*)(const double *x, size_t n, double *f, void *user_data)``
nks_constrained_objective_fn = CFUNCTYPE(c_int, _dp, c_size_t, _dp, c_void_p)
#: ``int (*)(const double *x, size_t n, double *g, void *user_data)``
nks_constrained_gradient_fn = CFUNCTYPE(c_int, _dp, c_size_t, _dp, c_void_p)
#: ``int (*)(const double *x, size_t n, double *c, size_t m, void *user_data)``
nks_constrained_constraints_fn = CFUNCTYPE(c_int, _dp, c_size_t, _dp, c_size_t, c_void_p)
#: ``int (*)(const double *x, const double *v, size_t n, double *jv, size_t m, void *user_data)``
nks_constrained_jacobian_vector_fn = CFUNCTYPE(c_int, _dp, _dp, c_size_t, _dp, c_size_t, c_void_p)
#: ``int (*)(const double *x, const double *w, size_t m, double *jtw, size_t n, void *user_data)``
nks_constrained_jacobian_transpose_fn = CFUNCTYPE(c_int, _dp, _dp, c_size_t, _dp, c_size_t, c_void_p)
#: ``int (*)(const double *x, const double *lambda, const double *v, size_t n, size_t m, double *hv,
#: void *user_data)``
nks_constrained_hessian_vector_fn = CFUNCTYPE(c_int, _dp, _dp, _dp, c_size_t, c_size_t, _dp, c_void_p)
#: ``int (*)(const double *x, size_t n, double *values, size_t nnz, void *user_data)``
nks_constrained_jacobian_values_fn = CFUNCTYPE(c_int, _dp, c_size_t, _dp, c_size_t, c_void_p)
#: ``int (*)(const double *x, const double *lambda, size_t n, size_t m, double *values, size_t nnz,
#: void *user_data)``
nks_constrained_hessian_values_fn = CFUNCTYPE(c_int, _dp, _dp, c_size_t, c_size_t, _dp, c_size_t, c_void_p)
#: ``int (*)(const double *x, const double *lambda, const double *r, size_t n, size_t m, double *z,
#: void *user_data)``
nks_constrained_precond_fn = CFUNCTYPE(c_int, _dp, _dp, _dp, c_size_t, c_size_t, _dp, c_void_p)
#: ``int (*)(const nks_constrained_report *report, const double *x, size_t n, const double *lambda,
#: size_t m, void *user_data)``
nks_constrained_monitor_fn = CFUNCTYPE(c_int, POINTER(nks_constrained_report), _dp, c_size_t, _dp, c_size_t, c_void_p)

def _declare(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


# nks_csr
nks_csr_new = _declare(
    "nks_csr_new", nks_status,
    c_size_t, c_size_t, c_size_t, c_int64_p, c_int64_p, c_double_p, c_int32, POINTER(nks_csr_p),
)
nks_csr_free = _declare("nks_csr_free", None, nks_csr_p)
nks_csr_get_size = _declare(
    "nks_csr_get_size", nks_status, nks_csr_p, POINTER(c_size_t), POINTER(c_size_t), POINTER(c_size_t)
)
nks_csr_matvec = _declare(
    "nks_csr_matvec", nks_status, nks_csr_p, c_double_p, c_size_t, c_double_p, c_size_t
)

# nks_krylov
nks_krylov_new = _declare("nks_krylov_new", nks_status, POINTER(nks_krylov_p))
nks_krylov_free = _declare("nks_krylov_free", None, nks_krylov_p)
nks_krylov_set_method = _declare("nks_krylov_set_method", nks_status, nks_krylov_p, c_int32)
nks_krylov_set_rtol = _declare("nks_krylov_set_rtol", nks_status, nks_krylov_p, c_double)
nks_krylov_set_atol = _declare("nks_krylov_set_atol", nks_status, nks_krylov_p, c_double)
nks_krylov_set_max_iterations = _declare(
    "nks_krylov_set_max_iterations", nks_status, nks_krylov_p, c_size_t
)
nks_krylov_set_restart = _declare("nks_krylov_set_restart", nks_status, nks_krylov_p, c_size_t)
nks_krylov_set_use_initial_guess = _declare(
    "nks_krylov_set_use_initial_guess", nks_status, nks_krylov_p, c_int32
)
nks_krylov_set_preconditioner_side = _declare(
    "nks_krylov_set_preconditioner_side", nks_status, nks_krylov_p, c_int32
)
nks_krylov_set_max_seconds = _declare("nks_krylov_set_max_seconds", nks_status, nks_krylov_p, c_double)
nks_krylov_set_option = _declare(
    "nks_krylov_set_option", nks_status, nks_krylov_p, c_char_p, c_double
)
nks_krylov_get_option = _declare(
    "nks_krylov_get_option", nks_status, nks_krylov_p, c_char_p, POINTER(c_double)
)
nks_krylov_set_operator_csr = _declare(
    "nks_krylov_set_operator_csr", nks_status, nks_krylov_p, nks_csr_p
)
nks_krylov_set_operator_callback = _declare(
    "nks_krylov_set_operator_callback", nks_status, nks_krylov_p, c_size_t, nks_matvec_fn, c_void_p
)
nks_krylov_set_preconditioner = _declare(
    "nks_krylov_set_preconditioner", nks_status, nks_krylov_p, c_int32
)
nks_krylov_set_preconditioner_callback = _declare(
    "nks_krylov_set_preconditioner_callback", nks_status, nks_krylov_p, nks_precond_fn, c_void_p
)
nks_krylov_set_monitor = _declare(
    "nks_krylov_set_monitor", nks_status, nks_krylov_p, nks_krylov_monitor_fn, c_void_p
)
nks_krylov_solve = _declare(
    "nks_krylov_solve", nks_status, nks_krylov_p, c_double_p, c_double_p, c_size_t
)
nks_krylov_get_report = _declare(
    "nks_krylov_get_report", nks_status, nks_krylov_p, POINTER(nks_krylov_report)
)

# sequences and recycling
nks_krylov_solve_sequence = _declare(
    "nks_krylov_solve_sequence", nks_status,
    nks_krylov_p, c_size_t, POINTER(nks_csr_p), c_double_p, c_size_t, c_double_p, c_size_t,
    c_double_p, c_size_t, c_size_t, c_size_t_p, POINTER(nks_krylov_report),
)
nks_krylov_solve_sequence_callback = _declare(
    "nks_krylov_solve_sequence_callback", nks_status,
    nks_krylov_p, c_size_t, c_size_t, nks_indexed_matvec_fn, c_void_p, c_double_p, c_size_t,
    c_double_p, c_size_t, c_double_p, c_size_t, c_size_t, c_size_t_p, POINTER(nks_krylov_report),
)
nks_skr_order = _declare(
    "nks_skr_order", nks_status, c_size_t, c_size_t, c_double_p, c_size_t, c_size_t_p
)
nks_krylov_operator_changed = _declare("nks_krylov_operator_changed", nks_status, nks_krylov_p)
nks_krylov_clear_recycled = _declare("nks_krylov_clear_recycled", nks_status, nks_krylov_p)
nks_krylov_save_recycled = _declare(
    "nks_krylov_save_recycled", nks_status, nks_krylov_p, POINTER(c_uint8_p), c_size_t_p
)
nks_krylov_load_recycled = _declare(
    "nks_krylov_load_recycled", nks_status, nks_krylov_p, c_uint8_p, c_size_t
)
nks_krylov_save_recycled_file = _declare(
    "nks_krylov_save_recycled_file", nks_status, nks_krylov_p, c_char_p
)
nks_krylov_load_recycled_file = _declare(
    "nks_krylov_load_recycled_file", nks_status, nks_krylov_p, c_char_p
)
nks_bytes_free = _declare("nks_bytes_free", None, c_uint8_p, c_size_t)

# nks_sor_bandit
nks_sor_bandit_new = _declare(
    "nks_sor_bandit_new", nks_status,
    c_int32, c_size_t, c_double, c_double, c_uint64, POINTER(nks_sor_bandit_p),
)
nks_sor_bandit_free = _declare("nks_sor_bandit_free", None, nks_sor_bandit_p)
nks_sor_bandit_set_option = _declare(
    "nks_sor_bandit_set_option", nks_status, nks_sor_bandit_p, c_char_p, c_double
)
nks_sor_bandit_get_option = _declare(
    "nks_sor_bandit_get_option", nks_status, nks_sor_bandit_p, c_char_p, POINTER(c_double)
)
nks_sor_bandit_choose = _declare(
    "nks_sor_bandit_choose", nks_status, nks_sor_bandit_p, c_double, c_size_t_p, POINTER(c_double)
)
nks_sor_bandit_observe = _declare(
    "nks_sor_bandit_observe", nks_status, nks_sor_bandit_p, c_size_t, c_double, c_double
)
nks_sor_bandit_solve = _declare(
    "nks_sor_bandit_solve", nks_status,
    nks_sor_bandit_p, nks_csr_p, c_double_p, c_double_p, c_size_t, c_double,
)
nks_sor_bandit_get_report = _declare(
    "nks_sor_bandit_get_report", nks_status, nks_sor_bandit_p, POINTER(nks_sor_report)
)
nks_sor_bandit_probabilities = _declare(
    "nks_sor_bandit_probabilities", nks_status, nks_sor_bandit_p, c_double, c_double_p, c_size_t
)
nks_sor_bandit_save = _declare(
    "nks_sor_bandit_save", nks_status, nks_sor_bandit_p, POINTER(c_uint8_p), c_size_t_p
)
nks_sor_bandit_load = _declare(
    "nks_sor_bandit_load", nks_status, c_uint8_p, c_size_t, POINTER(nks_sor_bandit_p)
)
nks_sor_bandit_save_file = _declare(
    "nks_sor_bandit_save_file", nks_status, nks_sor_bandit_p, c_char_p
)
nks_sor_bandit_load_file = _declare(
    "nks_sor_bandit_load_file", nks_status, c_char_p, POINTER(nks_sor_bandit_p)
)

# nks_sinkhorn
nks_sinkhorn_new = _declare("nks_sinkhorn_new", nks_status, POINTER(nks_sinkhorn_p))
nks_sinkhorn_free = _declare("nks_sinkhorn_free", None, nks_sinkhorn_p)
nks_sinkhorn_set_option = _declare(
    "nks_sinkhorn_set_option", nks_status, nks_sinkhorn_p, c_char_p, c_double
)
nks_sinkhorn_get_option = _declare(
    "nks_sinkhorn_get_option", nks_status, nks_sinkhorn_p, c_char_p, POINTER(c_double)
)
nks_sinkhorn_solve_dense = _declare(
    "nks_sinkhorn_solve_dense", nks_status,
    nks_sinkhorn_p, c_size_t, c_size_t, c_double_p, c_double_p, c_double_p, c_size_t, c_double_p, c_double_p,
)
nks_sinkhorn_solve_points = _declare(
    "nks_sinkhorn_solve_points", nks_status,
    nks_sinkhorn_p, c_size_t, c_size_t, c_size_t, c_double_p, c_double_p, c_double_p, c_size_t,
    c_double_p, c_size_t, c_double, c_double_p, c_double_p,
)
nks_sinkhorn_get_report = _declare(
    "nks_sinkhorn_get_report", nks_status, nks_sinkhorn_p, POINTER(nks_sinkhorn_report)
)
nks_sinkhorn_plan_dense = _declare(
    "nks_sinkhorn_plan_dense", nks_status, nks_sinkhorn_p, c_size_t, c_size_t, c_double_p, c_size_t
)
nks_sinkhorn_plan_nnz = _declare(
    "nks_sinkhorn_plan_nnz", nks_status, nks_sinkhorn_p, c_double, c_size_t_p
)
nks_sinkhorn_plan_sparse = _declare(
    "nks_sinkhorn_plan_sparse", nks_status,
    nks_sinkhorn_p, c_double, c_int32, c_int64_p, c_int64_p, c_double_p, c_size_t,
)

# nks_newton
nks_newton_new = _declare("nks_newton_new", nks_status, POINTER(nks_newton_p))
nks_newton_free = _declare("nks_newton_free", None, nks_newton_p)
nks_newton_set_oracles = _declare(
    "nks_newton_set_oracles", nks_status,
    nks_newton_p, nks_newton_objective_fn, nks_newton_gradient_fn, nks_newton_objective_gradient_fn, nks_newton_hessian_vector_fn, c_void_p,
)
nks_newton_set_preconditioner = _declare(
    "nks_newton_set_preconditioner", nks_status, nks_newton_p, nks_newton_precond_fn, c_void_p
)
nks_newton_set_monitor = _declare(
    "nks_newton_set_monitor", nks_status, nks_newton_p, nks_newton_monitor_fn, c_void_p
)
nks_newton_set_option = _declare(
    "nks_newton_set_option", nks_status, nks_newton_p, c_char_p, c_double
)
nks_newton_get_option = _declare(
    "nks_newton_get_option", nks_status, nks_newton_p, c_char_p, POINTER(c_double)
)
nks_newton_solve = _declare("nks_newton_solve", nks_status, nks_newton_p, c_size_t, c_double_p)
nks_newton_get_report = _declare(
    "nks_newton_get_report", nks_status, nks_newton_p, POINTER(nks_newton_report)
)
nks_newton_get_point = _declare(
    "nks_newton_get_point", nks_status, nks_newton_p, c_size_t, c_double_p
)

# nks_nonlinear
nks_nonlinear_new = _declare("nks_nonlinear_new", nks_status, POINTER(nks_nonlinear_p))
nks_nonlinear_free = _declare("nks_nonlinear_free", None, nks_nonlinear_p)
nks_nonlinear_set_oracles = _declare(
    "nks_nonlinear_set_oracles", nks_status,
    nks_nonlinear_p, c_size_t, nks_nonlinear_residual_fn, nks_nonlinear_jacobian_vector_fn,
    nks_nonlinear_jacobian_transpose_fn, c_void_p,
)
nks_nonlinear_set_preconditioner = _declare(
    "nks_nonlinear_set_preconditioner", nks_status, nks_nonlinear_p, nks_nonlinear_precond_fn, c_void_p
)
nks_nonlinear_set_monitor = _declare(
    "nks_nonlinear_set_monitor", nks_status, nks_nonlinear_p, nks_nonlinear_monitor_fn, c_void_p
)
nks_nonlinear_set_option = _declare(
    "nks_nonlinear_set_option", nks_status, nks_nonlinear_p, c_char_p, c_double
)
nks_nonlinear_get_option = _declare(
    "nks_nonlinear_get_option", nks_status, nks_nonlinear_p, c_char_p, POINTER(c_double)
)
nks_nonlinear_solve = _declare("nks_nonlinear_solve", nks_status, nks_nonlinear_p, c_size_t, c_double_p)
nks_nonlinear_get_report = _declare(
    "nks_nonlinear_get_report", nks_status, nks_nonlinear_p, POINTER(nks_nonlinear_report)
)
nks_nonlinear_get_step = _declare(
    "nks_nonlinear_get_step", nks_status, nks_nonlinear_p, c_size_t, POINTER(nks_nonlinear_step)
)
nks_nonlinear_get_point = _declare(
    "nks_nonlinear_get_point", nks_status, nks_nonlinear_p, c_size_t, c_double_p
)
nks_nonlinear_clear_recycle_space = _declare(
    "nks_nonlinear_clear_recycle_space", nks_status, nks_nonlinear_p
)

# nks_constrained
nks_constrained_new = _declare("nks_constrained_new", nks_status, POINTER(nks_constrained_p))
nks_constrained_free = _declare("nks_constrained_free", None, nks_constrained_p)
nks_constrained_set_oracles = _declare(
    "nks_constrained_set_oracles", nks_status,
    nks_constrained_p, c_size_t, nks_constrained_objective_fn, nks_constrained_gradient_fn,
    nks_constrained_constraints_fn, nks_constrained_jacobian_vector_fn, nks_constrained_jacobian_transpose_fn,
    nks_constrained_hessian_vector_fn, c_void_p,
)
nks_constrained_set_sparse_rows = _declare(
    "nks_constrained_set_sparse_rows", nks_status,
    nks_constrained_p, c_size_t, c_int64_p, c_int64_p, nks_constrained_jacobian_values_fn,
    c_int64_p, c_int64_p, nks_constrained_hessian_values_fn, c_int32, c_void_p,
)
nks_constrained_set_preconditioner = _declare(
    "nks_constrained_set_preconditioner", nks_status, nks_constrained_p, nks_constrained_precond_fn, c_void_p
)
nks_constrained_set_monitor = _declare(
    "nks_constrained_set_monitor", nks_status, nks_constrained_p, nks_constrained_monitor_fn, c_void_p
)
nks_constrained_set_option = _declare(
    "nks_constrained_set_option", nks_status, nks_constrained_p, c_char_p, c_double
)
nks_constrained_get_option = _declare(
    "nks_constrained_get_option", nks_status, nks_constrained_p, c_char_p, POINTER(c_double)
)
nks_constrained_solve = _declare(
    "nks_constrained_solve", nks_status, nks_constrained_p, c_size_t, c_double_p, c_size_t, c_double_p
)
nks_constrained_get_report = _declare(
    "nks_constrained_get_report", nks_status, nks_constrained_p, POINTER(nks_constrained_report)
)
nks_constrained_get_record = _declare(
    "nks_constrained_get_record", nks_status, nks_constrained_p, c_size_t, POINTER(nks_constrained_record)
)
nks_constrained_get_point = _declare(
    "nks_constrained_get_point", nks_status, nks_constrained_p, c_size_t, c_double_p, c_size_t, c_double_p
)

# library-wide
nks_version = _declare("nks_version", c_uint32)
nks_version_string = _declare("nks_version_string", c_char_p)
nks_set_num_threads = _declare("nks_set_num_threads", nks_status, c_size_t)
nks_get_num_threads = _declare("nks_get_num_threads", c_size_t)
nks_status_str = _declare("nks_status_str", c_char_p, c_int32)
nks_last_error_message = _declare("nks_last_error_message", c_char_p)


def _check_version():
    v = int(nks_version())
    major, minor = v // 10000, (v // 100) % 100
    want_major, want_minor = BOUND_VERSION
    if major != want_major or (major == 0 and minor != want_minor):
        raise ImportError(
            f"nksolve: the library at {path} is version {nks_version_string().decode()}, but this "
            f"Python binding was written for {want_major}.{want_minor}.x; use the binding shipped "
            "with that library"
        )


_check_version()

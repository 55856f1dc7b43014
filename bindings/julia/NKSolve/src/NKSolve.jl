"""
    NKSolve

Julia interface to nksolve, a library of Krylov solvers (CG, GMRES(m), FGMRES(m), and the
recycling GCRO-DR(m, k) and recycled CG for sequences of systems), of SOR whose relaxation
parameter is learned across a sequence of systems, of entropic optimal transport (log-domain
Sinkhorn, Sinkhorn-Newton-Sparse), of unconstrained minimisation by matrix-free Newton
methods with callback oracles, of nonlinear systems (Jacobian-free Newton-Krylov with
recycling) and least squares (Levenberg-Marquardt) with callback oracles, and of
equality-constrained minimisation (AdaSketch-Newton: inexact Newton steps on the KKT system by
randomized sketching, Kaczmarz or MINRES) with callback oracles, with a stable C ABI
(`include/nksolve.h`). Modelled on
NLopt.jl: every C function is reached through one literal `ccall` on
[`libnksolve`](@ref); handles live in mutable structs with finalizers;
Julia callbacks are reached through non-closure `@cfunction` trampolines that recover the
solver from `user_data`, so nothing is copied and no Julia exception ever crosses into the
library (it is stored, the solve is stopped, and [`solve!`](@ref) rethrows it).

```julia
using NKSolve
A = CSR(rowptr, colval, nzval)            # 1-based CSR arrays, as in Julia
s = KrylovSolver(method = :cg, rtol = 1e-8)
set_operator!(s, A)
set_preconditioner!(s, :jacobi)
status = solve!(s, x, b)                  # 0: converged; > 0: usable, not converged
r = report(s)                             # r.iterations, r.residual_norm, ...

g = KrylovSolver(method = :gcrodr, rtol = 1e-8, recycle_dim = 10)
status, order, reports = solve_sequence!(g, X, [A0, A1, A2], B; features = betas)
bytes = save_recycled(g)                  # load_recycled!(other, bytes) resumes from it

h = SorBandit(:chebcb, 20, 1.0, 1.95; seed = 7, context_min = 0.0, context_max = 1.0)
status = solve!(h, x, A, b, c)            # omega chosen for the context c, then learned from
r = report(h)                             # r.omega, r.arm, r.iterations, ...
h2 = load_bandit(save_bandit(h))          # makes the choices h would make next

ot = Sinkhorn(method = :sinkhorn, eps = 0.01, tol = 1e-9)   # or method = :sns
status = solve_points!(ot, a, b, x, y, 2, f, g)   # x: d × n, y: d × m (columns are points)
report(ot).transport_cost                 # ⟨C, P⟩; P = plan_dense(ot), or plan_sparse(ot, 1e-6)

opt = Newton(method = :trust_region, gatol = 1e-8)       # or :line_search, :lazy, ...
set_oracles!(opt, x -> f(x), (g, x) -> grad!(g, x), (hv, x, v) -> hessvec!(hv, x, v))
status = solve!(opt, x)                   # x: the start, then the minimiser
report(opt).iterations                    # also value_calls, gradient_norm, ...

nl = Nonlinear()                          # Newton-Krylov with GCRO-DR recycling
set_oracles!(nl, (f, u) -> residual!(f, u, u_old))   # J v by finite differences
for t in 1:nsteps                         # implicit time steps: one solver, so the recycle
    u_old .= u                            # space carries from each step to the next
    status = solve!(nl, u)
end

cs = Constrained(kkt_solver = :minres)    # min f(x) s.t. c(x) = 0; or :gaussian_sketch, :kaczmarz
set_oracles!(cs, m; objective = f, gradient = grad!, constraints = c!, jacobian_vector = jv!,
             jacobian_transpose = jtw!, hessian_vector = hv!)
status = solve!(cs, x, λ)                 # x: the start, then the solution; λ: the multipliers
```

Indices are 1-based everywhere in this package, as in Julia: CSR arrays, the solve order of
[`solve_sequence!`](@ref) and [`skr_order`](@ref), the system index a sequence callback
receives, `reports[i]` for system `i` (column `i` of `B`), the arms of a
[`SorBandit`](@ref) (arm `k` is the `k`-th omega of its grid, `probabilities(h, c)[k]`), the
rows and columns of [`plan_sparse`](@ref), the step records of a nonlinear solve
(`steps(h)[k]` for step `k`), the iteration records of a constrained solve (`records(h)[k]`)
and the sparse rows of [`set_sparse_rows!`](@ref). The C API's 0-based system indices, arms and
step numbers are converted (subtract 1 to print them as C does).

The library is `ENV["NKSOLVE_LIBRARY"]` when that is set (a full path), else `libnksolve`
found by the dynamic loader (`LD_LIBRARY_PATH`, `Libdl.DL_LOAD_PATH`, system folders).
"""
module NKSolve

using Libdl

export CSR, KrylovSolver, KrylovReport, NKSolveError,
       set_operator!, set_preconditioner!, set_monitor!, solve!, report,
       set_method!, set_rtol!, set_atol!, set_max_iterations!, set_restart!,
       set_use_initial_guess!, set_preconditioner_side!, set_max_seconds!, set_option!, get_option,
       matvec!, free!, converged,
       solve_sequence!, skr_order, operator_changed!, clear_recycled!,
       save_recycled, load_recycled!, save_recycled_file, load_recycled_file!,
       SorBandit, SorReport, choose!, observe!, probabilities, probabilities!,
       save_bandit, load_bandit, save_bandit_file, load_bandit_file,
       Sinkhorn, SinkhornReport, solve_points!, solve_dense!, plan_dense, plan_dense!, plan_sparse,
       Newton, NewtonReport, CannotEvaluate, set_oracles!, last_point, last_point!,
       Nonlinear, NonlinearReport, NonlinearStep, steps, clear_recycle_space!,
       Constrained, ConstrainedReport, ConstrainedRecord, set_sparse_rows!, records, last_multipliers

"""
    NKSolve.libnksolve

The shared library that every `ccall` of this package uses: the value of
`ENV["NKSOLVE_LIBRARY"]` when that variable is set (normally a full path such as
`/opt/nksolve/lib/libnksolve.so`), else `"libnksolve"`, which the dynamic loader resolves.

It is a constant, fixed when the package is (pre)compiled. If `NKSOLVE_LIBRARY` changes after
that, loading the package fails with a message saying how to recompile it.
"""
const libnksolve = get(ENV, "NKSOLVE_LIBRARY", "libnksolve")

# ---------------------------------------------------------------------------------------------
# Constants mirroring include/nksolve.h
# ---------------------------------------------------------------------------------------------

"""Major version of `include/nksolve.h` this binding was written for."""
const NKS_VERSION_MAJOR = 0
"""Minor version of `include/nksolve.h` this binding was written for."""
const NKS_VERSION_MINOR = 1
"""Patch version of `include/nksolve.h` this binding was written for."""
const NKS_VERSION_PATCH = 0
"""`MAJOR * 10000 + MINOR * 100 + PATCH` of the header this binding was written for."""
const NKS_VERSION = NKS_VERSION_MAJOR * 10000 + NKS_VERSION_MINOR * 100 + NKS_VERSION_PATCH

# nks_status: 0 success, < 0 the call failed, > 0 finished with a usable, unconverged result.
"""`nks_status`: success."""
const NKS_OK = Int32(0)
"""`nks_status`: a required pointer argument was NULL (e.g. a handle used after [`free!`](@ref))."""
const NKS_ERR_NULL_POINTER = Int32(-1)
"""`nks_status`: an argument is outside its valid range."""
const NKS_ERR_INVALID_ARGUMENT = Int32(-2)
"""`nks_status`: sizes of two arguments disagree."""
const NKS_ERR_DIMENSION_MISMATCH = Int32(-3)
"""`nks_status`: an option name is not known."""
const NKS_ERR_UNKNOWN_OPTION = Int32(-4)
"""`nks_status`: a user callback failed (in Julia: threw; the exception is rethrown)."""
const NKS_ERR_CALLBACK = Int32(-5)
"""`nks_status`: an input or a callback output is NaN or infinite."""
const NKS_ERR_NON_FINITE = Int32(-6)
"""`nks_status`: the method cannot continue (e.g. CG on an indefinite operator)."""
const NKS_ERR_BREAKDOWN = Int32(-7)
"""`nks_status`: memory could not be allocated."""
const NKS_ERR_ALLOCATION = Int32(-8)
"""`nks_status`: a bug in nksolve (a caught panic); please report the message."""
const NKS_ERR_INTERNAL = Int32(-9)
"""`nks_status`: the monitor asked to stop; [`solve!`](@ref) returns it instead of throwing."""
const NKS_ERR_ABORTED = Int32(-10)
"""`nks_status`: the handle is not ready for this call (e.g. no operator set)."""
const NKS_ERR_INVALID_STATE = Int32(-11)
"""`nks_status`: finished at the iteration limit; `x` holds a usable, unconverged result."""
const NKS_MAX_ITERATIONS = Int32(1)
"""`nks_status`: finished at the time limit; `x` holds a usable, unconverged result."""
const NKS_TIME_LIMIT = Int32(2)
"""`nks_status`: the method stopped making progress; `x` holds a usable result."""
const NKS_STAGNATION = Int32(3)

# nks_termination: why a solve stopped (KrylovReport.termination).
"""`nks_termination`: no solve has run on this handle."""
const NKS_TERMINATION_NOT_STARTED = Int32(0)
"""`nks_termination`: `‖r‖ ≤ rtol ‖b‖`."""
const NKS_TERMINATION_CONVERGED_RTOL = Int32(1)
"""`nks_termination`: `‖r‖ ≤ atol`."""
const NKS_TERMINATION_CONVERGED_ATOL = Int32(2)
"""`nks_termination`: the iteration limit was reached."""
const NKS_TERMINATION_MAX_ITERATIONS = Int32(3)
"""`nks_termination`: the time limit was reached."""
const NKS_TERMINATION_TIME_LIMIT = Int32(4)
"""`nks_termination`: a GMRES restart cycle made no progress."""
const NKS_TERMINATION_STAGNATION = Int32(5)
"""`nks_termination`: the monitor asked to stop."""
const NKS_TERMINATION_MONITOR_STOP = Int32(6)
"""`nks_termination`: a matvec or preconditioner callback failed (see `callback_code`)."""
const NKS_TERMINATION_CALLBACK_FAILED = Int32(7)
"""`nks_termination`: a NaN or infinity appeared."""
const NKS_TERMINATION_NON_FINITE = Int32(8)
"""`nks_termination`: the method broke down."""
const NKS_TERMINATION_BREAKDOWN = Int32(9)
"""`nks_termination`: Newton: an accepted step was below `"xtol"`."""
const NKS_TERMINATION_CONVERGED_STEP = Int32(10)
"""`nks_termination`: Newton: an accepted step changed `f` by less than `"ftol"`."""
const NKS_TERMINATION_CONVERGED_FTOL = Int32(11)
"""`nks_termination`: Newton: the oracle-call limit `"max_evaluations"` was reached (status
`NKS_MAX_ITERATIONS`)."""
const NKS_TERMINATION_MAX_EVALUATIONS = Int32(12)
"""`nks_termination`: Levenberg-Marquardt: a stationary point of `‖F‖²` (`‖Jᵀ F‖ ≤ "gatol"`)."""
const NKS_TERMINATION_CONVERGED_STATIONARY = Int32(13)
"""`nks_termination`: constrained: `‖∇ₓL‖ ≤ "stationarity_tol"` and `‖c‖ ≤ "feasibility_tol"`."""
const NKS_TERMINATION_CONVERGED_KKT = Int32(14)

"""`nks_krylov_method`: conjugate gradients (`:cg`)."""
const NKS_KRYLOV_CG = Int32(0)
"""`nks_krylov_method`: restarted GMRES(m) (`:gmres`, the default)."""
const NKS_KRYLOV_GMRES = Int32(1)
"""`nks_krylov_method`: flexible GMRES(m) (`:fgmres`)."""
const NKS_KRYLOV_FGMRES = Int32(2)
"""`nks_krylov_method`: GCRO-DR(m, k) with subspace recycling across solves (`:gcrodr`)."""
const NKS_KRYLOV_GCRODR = Int32(3)
"""`nks_krylov_method`: recycled (deflated) CG across solves (`:recycled_cg`)."""
const NKS_KRYLOV_RECYCLED_CG = Int32(4)
"""`nks_preconditioner`: none (`:none`, the default)."""
const NKS_PRECOND_NONE = Int32(0)
"""`nks_preconditioner`: Jacobi, `M = diag(A)` (`:jacobi`)."""
const NKS_PRECOND_JACOBI = Int32(1)
"""`nks_preconditioner`: ILU(0) (`:ilu0`)."""
const NKS_PRECOND_ILU0 = Int32(2)
"""`nks_preconditioner_side`: left (`:left`)."""
const NKS_SIDE_LEFT = Int32(0)
"""`nks_preconditioner_side`: right (`:right`, the default)."""
const NKS_SIDE_RIGHT = Int32(1)

"""`nks_sor_learner`: Tsallis-INF over the omega grid (`:tsallis_inf`); ignores the context."""
const NKS_SOR_TSALLIS_INF = Int32(0)
"""`nks_sor_learner`: ChebCB (`:chebcb`): regresses each arm's cost on Chebyshev features of the
context (options `"context_min"`, `"context_max"`, `"chebyshev_terms"`)."""
const NKS_SOR_CHEBCB = Int32(1)
"""`nks_sor_learner`: Tsallis-INF per context bin (`:binned`; options `"context_min"`,
`"context_max"`, `"bins"`)."""
const NKS_SOR_BINNED = Int32(2)
"""`nks_sor_learner`: always `omega_min` (`:fixed`; one arm, `omega_max == omega_min`)."""
const NKS_SOR_FIXED = Int32(3)
"""`nks_sor_learner`: Young's `2 / (1 + sqrt(1 - rho^2))` clamped to `[omega_min, omega_max]`
(`:young`; one arm); `rho` is option `"young_rho"`, or the context when that is -1."""
const NKS_SOR_YOUNG = Int32(4)

"""`nks_ot_method`: log-domain Sinkhorn (`:sinkhorn`, the default)."""
const NKS_OT_SINKHORN = Int32(0)
"""`nks_ot_method`: Sinkhorn-Newton-Sparse (`:sns`): Sinkhorn warm-up, then Newton steps with a
sparsified Hessian."""
const NKS_OT_SNS = Int32(1)

"""`nks_newton_method`: trust-region Newton-CG (Steihaug-Toint; `:trust_region`, the default)."""
const NKS_NEWTON_TRUST_REGION = Int32(0)
"""`nks_newton_method`: line-search Newton-CG (Eisenstat-Walker forcing; Armijo or strong Wolfe;
`:line_search`)."""
const NKS_NEWTON_LINE_SEARCH = Int32(1)
"""`nks_newton_method`: lazy-Hessian Newton (`:lazy`): Hessian sampled every `"lazy_period"`
steps, cubic or gradient regularisation."""
const NKS_NEWTON_LAZY = Int32(2)
"""`nks_newton_method`: damped Newton with the AICN step size (`:damped`; convex `f`)."""
const NKS_NEWTON_DAMPED = Int32(3)
"""`nks_newton_method`: gradient-regularised Newton (`:gradient_regularized`)."""
const NKS_NEWTON_GRADIENT_REGULARIZED = Int32(4)
"""`nks_nonlinear_method`: Jacobian-free Newton-Krylov for square systems (`:newton_krylov`, the
default)."""
const NKS_NONLINEAR_NEWTON_KRYLOV = Int32(0)
"""`nks_nonlinear_method`: Levenberg-Marquardt for least squares (`:levenberg_marquardt`; needs
the `Jᵀ w` oracle)."""
const NKS_NONLINEAR_LEVENBERG_MARQUARDT = Int32(1)
"""`nks_kkt_solver`: randomized Gaussian sketch-and-project, matrix-free (`:gaussian_sketch`, the
default)."""
const NKS_KKT_GAUSSIAN_SKETCH = Int32(0)
"""`nks_kkt_solver`: randomized Kaczmarz on the KKT rows (`:kaczmarz`; needs
[`set_sparse_rows!`](@ref))."""
const NKS_KKT_KACZMARZ = Int32(1)
"""`nks_kkt_solver`: MINRES (`:minres`), preconditioned by [`set_preconditioner!`](@ref) when set."""
const NKS_KKT_MINRES = Int32(2)

# The enums above by Julia symbol.
const _METHODS = (cg = NKS_KRYLOV_CG, gmres = NKS_KRYLOV_GMRES, fgmres = NKS_KRYLOV_FGMRES,
                  gcrodr = NKS_KRYLOV_GCRODR, recycled_cg = NKS_KRYLOV_RECYCLED_CG)
const _PRECONDITIONERS = (none = NKS_PRECOND_NONE, jacobi = NKS_PRECOND_JACOBI, ilu0 = NKS_PRECOND_ILU0)
const _SIDES = (left = NKS_SIDE_LEFT, right = NKS_SIDE_RIGHT)
const _SOR_LEARNERS = (tsallis_inf = NKS_SOR_TSALLIS_INF, chebcb = NKS_SOR_CHEBCB, binned = NKS_SOR_BINNED,
                       fixed = NKS_SOR_FIXED, young = NKS_SOR_YOUNG)
const _OT_METHODS = (sinkhorn = NKS_OT_SINKHORN, sns = NKS_OT_SNS)
const _NEWTON_METHODS = (trust_region = NKS_NEWTON_TRUST_REGION, line_search = NKS_NEWTON_LINE_SEARCH,
                         lazy = NKS_NEWTON_LAZY, damped = NKS_NEWTON_DAMPED,
                         gradient_regularized = NKS_NEWTON_GRADIENT_REGULARIZED)
const _NONLINEAR_METHODS = (newton_krylov = NKS_NONLINEAR_NEWTON_KRYLOV,
                            levenberg_marquardt = NKS_NONLINEAR_LEVENBERG_MARQUARDT)
const _KKT_SOLVERS = (gaussian_sketch = NKS_KKT_GAUSSIAN_SKETCH, kaczmarz = NKS_KKT_KACZMARZ, minres = NKS_KKT_MINRES)

function _lookup(table::NamedTuple, key::Symbol, what::String)
    haskey(table, key) && return table[key]
    valid = join((":" * String(k) for k in keys(table)), ", ", " or ")
    throw(ArgumentError("unknown $what :$key; use $valid"))
end

# ---------------------------------------------------------------------------------------------
# Errors and library-wide functions
# ---------------------------------------------------------------------------------------------

"""
    NKSolveError(status, func, message) <: Exception

A failed nksolve call: `status` is the negative `nks_status` it returned (compare with
`NKSolve.NKS_ERR_*`), `func` the C function that failed, and `message` the library's detailed
explanation from `nks_last_error_message()` (which argument, what was wrong, the valid range).
"""
struct NKSolveError <: Exception
    status::Int32
    func::String
    message::String
end

function Base.showerror(io::IO, e::NKSolveError)
    print(io, "NKSolveError: ", e.func, " returned ", e.status, " (", status_string(e.status), ")")
    isempty(e.message) || print(io, "\n  ", e.message)
end

"""
    NKSolve.last_error_message() -> String

The detailed message of the last failed nksolve call on the calling thread (empty if none).
Every failure of this package already carries it in [`NKSolveError`](@ref).
"""
last_error_message() = unsafe_string(ccall((:nks_last_error_message, libnksolve), Cstring, ()))

"""
    NKSolve.status_string(status::Integer) -> String

The library's name and meaning of an `nks_status` value, e.g.
`"NKS_MAX_ITERATIONS: iteration limit reached (result usable)"`.
"""
status_string(status::Integer) =
    unsafe_string(ccall((:nks_status_str, libnksolve), Cstring, (Int32,), status))

# Throws for a negative status. The message is read first, before anything else can run on
# this thread and replace it (nks_last_error_message is thread-local).
@inline function _check(status::Int32, func::String)
    status < 0 && throw(NKSolveError(status, func, last_error_message()))
    return status
end

"""
    NKSolve.version() -> VersionNumber

The version of the loaded library (`nks_version()`), e.g. `v"0.1.0"`.
"""
function version()
    v = ccall((:nks_version, libnksolve), UInt32, ())
    return VersionNumber(v ÷ 10000, (v ÷ 100) % 100, v % 100)
end

"""
    NKSolve.version_string() -> String

The version of the loaded library as the library spells it (`nks_version_string()`).
"""
version_string() = unsafe_string(ccall((:nks_version_string, libnksolve), Cstring, ()))

"""
    NKSolve.set_num_threads(n::Integer)

Sets the number of threads of the library's own parallel kernels (matrix-vector products,
vector updates); `0` restores the default (`NKS_NUM_THREADS` or the number of cores). Julia
callbacks always run on the thread that called [`solve!`](@ref), whatever this setting.
"""
function set_num_threads(n::Integer)
    n >= 0 || throw(ArgumentError("number of threads must be >= 0, got $n"))
    _check(ccall((:nks_set_num_threads, libnksolve), Int32, (Csize_t,), n), "nks_set_num_threads")
    return nothing
end

"""
    NKSolve.get_num_threads() -> Int

The number of threads the library's parallel kernels use now.
"""
get_num_threads() = Int(ccall((:nks_get_num_threads, libnksolve), Csize_t, ()))

# Arrays passed to the library: exactly-typed Vectors go through as they are (no copy).
_dense(::Type{T}, v::Vector{T}) where {T} = v
_dense(::Type{T}, v::AbstractVector) where {T} = Vector{T}(v)

# The bytes [first, last) that a non-empty strided array with non-negative strides spans.
function _byte_span(a::StridedArray{Float64})
    start = UInt(pointer(a))
    last_offset = sum((size(a, d) - 1) * stride(a, d) for d in 1:ndims(a))
    return start, start + sizeof(Float64) * (last_offset + 1)
end

# true when the memory spans of two strided arrays (unit-stride vectors, column-major
# matrices) overlap
function _overlaps(a::StridedArray{Float64}, b::StridedArray{Float64})
    (isempty(a) || isempty(b)) && return false
    (a0, a1), (b0, b1) = _byte_span(a), _byte_span(b)
    return a0 < b1 && b0 < a1
end

# true when the C API can read `M` as a column-major block: unit stride down a column, columns
# at least a column's length apart (a Matrix, or a view such as `view(M, :, 2:5)`)
_is_column_major(M::StridedMatrix) =
    stride(M, 1) == 1 && (size(M, 2) <= 1 || stride(M, 2) >= size(M, 1))

# The leading dimension (`ld`) of a column-major block
_leading_dimension(M::StridedMatrix) = max(size(M, 2) <= 1 ? size(M, 1) : stride(M, 2), 1)

# `M` as a column-major Float64 block and its leading dimension: `M` itself when possible,
# else a copy
function _column_major(M::AbstractMatrix{<:Real})
    C = M isa StridedMatrix{Float64} && _is_column_major(M) ? M : Matrix{Float64}(M)
    return C, _leading_dimension(C)
end

function _unit_stride(v::StridedVector, name::String)
    stride(v, 1) == 1 || throw(ArgumentError("$name must be contiguous (stride 1), got stride $(stride(v, 1))"))
    return v
end

function _nonnegative(n::Integer, name::String)
    n >= 0 || throw(ArgumentError("$name must be >= 0, got $n"))
    return n
end

# ---------------------------------------------------------------------------------------------
# CSR matrices
# ---------------------------------------------------------------------------------------------

"""
    CSR(nrows, ncols, rowptr, colval, nzval)
    CSR(rowptr, colval, nzval; ncols = length(rowptr) - 1)

A sparse matrix in compressed-sparse-row form, owned by the library (`nks_csr`).

The arrays are 1-based, as Julia's own: row `i` holds the entries `rowptr[i]:rowptr[i+1]-1` of
`colval` (column indices in `1:ncols`) and `nzval`; `rowptr[1] == 1`. They are passed to the
library as they are, with `index_base = 1` (no 0-based copy is made); `Vector{Int64}` /
`Vector{Float64}` arguments are not copied on the Julia side either, other vector types are
converted first. The library keeps its own copy, so the arrays may be reused at once.
Columns within a row may be unsorted; duplicates are summed.

With `SparseArrays` loaded, `CSR(A::SparseMatrixCSC)` converts a Julia sparse matrix.

The handle is freed by the garbage collector or at once by [`free!`](@ref). A
[`KrylovSolver`](@ref) given the matrix keeps its own reference, so the matrix may be freed
after [`set_operator!`](@ref).

`colval` and `nzval` must have the same length, `nnz`, which is passed to the library as the
number of stored entries; it must equal `rowptr[end] - 1` (pass `view(colval, 1:nnz)` of a
larger work array). Throws [`NKSolveError`](@ref) for invalid input (the message names the
offending row; `NKS_ERR_DIMENSION_MISMATCH` when the arrays are longer than `rowptr` says) and
`DimensionMismatch` when `colval` and `nzval` differ in length or are shorter than `rowptr`
says.
"""
mutable struct CSR
    ptr::Ptr{Cvoid}

    function CSR(nrows::Integer, ncols::Integer, rowptr::AbstractVector{<:Integer},
                 colval::AbstractVector{<:Integer}, nzval::AbstractVector{<:Real})
        _nonnegative(nrows, "nrows")
        _nonnegative(ncols, "ncols")
        rp = _dense(Int64, rowptr)
        cv = _dense(Int64, colval)
        nz = _dense(Float64, nzval)
        length(rp) == nrows + 1 ||
            throw(DimensionMismatch("rowptr has $(length(rp)) entries; a CSR matrix with $nrows rows needs $(nrows + 1)"))
        length(cv) == length(nz) ||
            throw(DimensionMismatch("colval has $(length(cv)) entries but nzval has $(length(nz)); they must be equally long"))
        # The library checks that rowptr[end] - 1 equals the length passed as nnz before reading
        # colval and nzval; short arrays are reported here already, with Julia's names.
        declared = rp[end] - 1
        declared <= length(cv) ||
            throw(DimensionMismatch("rowptr[end] - 1 = $declared stored entries, but colval has $(length(cv)) and nzval $(length(nz))"))
        out = Ref{Ptr{Cvoid}}(C_NULL)
        status = ccall((:nks_csr_new, libnksolve), Int32,
                       (Csize_t, Csize_t, Csize_t, Ptr{Int64}, Ptr{Int64}, Ptr{Cdouble}, Int32, Ref{Ptr{Cvoid}}),
                       nrows, ncols, length(cv), rp, cv, nz, Int32(1), out)
        _check(status, "nks_csr_new")
        return finalizer(free!, new(out[]))
    end
end

CSR(rowptr::AbstractVector{<:Integer}, colval::AbstractVector{<:Integer}, nzval::AbstractVector{<:Real};
    ncols::Integer = length(rowptr) - 1) = CSR(length(rowptr) - 1, ncols, rowptr, colval, nzval)

# Passing a CSR to ccall passes its handle (and keeps the CSR alive during the call).
Base.unsafe_convert(::Type{Ptr{Cvoid}}, A::CSR) = A.ptr

"""
    free!(A::CSR)
    free!(s::KrylovSolver)
    free!(h::SorBandit)
    free!(s::Sinkhorn)
    free!(h::Newton)
    free!(h::Nonlinear)
    free!(h::Constrained)

Frees the library handle now instead of waiting for the garbage collector. Calling it twice is
harmless; using the object afterwards throws an [`NKSolveError`](@ref)
(`NKS_ERR_NULL_POINTER`).
"""
function free!(A::CSR)
    if A.ptr != C_NULL
        ccall((:nks_csr_free, libnksolve), Cvoid, (Ptr{Cvoid},), A.ptr)
        A.ptr = C_NULL
    end
    return nothing
end

function _csr_size(A::CSR)
    nrows, ncols, nnz = Ref{Csize_t}(0), Ref{Csize_t}(0), Ref{Csize_t}(0)
    status = ccall((:nks_csr_get_size, libnksolve), Int32,
                   (Ptr{Cvoid}, Ref{Csize_t}, Ref{Csize_t}, Ref{Csize_t}), A, nrows, ncols, nnz)
    _check(status, "nks_csr_get_size")
    return Int(nrows[]), Int(ncols[]), Int(nnz[])
end

"""
    size(A::CSR) -> (nrows, ncols)
    size(A::CSR, d)

The dimensions of the matrix.
"""
Base.size(A::CSR) = _csr_size(A)[1:2]
Base.size(A::CSR, d::Integer) = d <= 2 ? size(A)[d] : 1

"""
    NKSolve.nnz(A::CSR) -> Int

The number of stored entries, after duplicates were summed. (With `SparseArrays` loaded,
`SparseArrays.nnz` works on a `CSR` too.)
"""
nnz(A::CSR) = _csr_size(A)[3]

"""
    matvec!(y, A::CSR, x) -> y

Computes `y = A x` with the library's (parallel) CSR product. `x` (length `ncols`, finite) and
`y` (length `nrows`) are contiguous `Float64` vectors that must not overlap.
"""
function matvec!(y::StridedVector{Float64}, A::CSR, x::StridedVector{Float64})
    _unit_stride(y, "y")
    _unit_stride(x, "x")
    _overlaps(x, y) && throw(ArgumentError("x and y must not share memory"))
    status = ccall((:nks_csr_matvec, libnksolve), Int32,
                   (Ptr{Cvoid}, Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Csize_t),
                   A, x, length(x), y, length(y))
    _check(status, "nks_csr_matvec")
    return y
end

"""
    A * x

The product of a [`CSR`](@ref) matrix and a vector, as a new `Vector{Float64}`.
"""
function Base.:*(A::CSR, x::AbstractVector{<:Real})
    y = Vector{Float64}(undef, size(A, 1))
    xx = x isa StridedVector{Float64} && stride(x, 1) == 1 ? x : Vector{Float64}(x)
    return matvec!(y, A, xx)
end

function Base.show(io::IO, A::CSR)
    if A.ptr == C_NULL
        print(io, "NKSolve.CSR(freed)")
    else
        m, n, k = _csr_size(A)
        print(io, "NKSolve.CSR($m×$n, $k stored entries)")
    end
end

# ---------------------------------------------------------------------------------------------
# Krylov solver
# ---------------------------------------------------------------------------------------------

"""
    KrylovReport

What a Krylov solve did: an `isbits` mirror of the C struct `nks_krylov_report`, field for
field. Read it with [`report`](@ref) after a solve; a monitor (see [`set_monitor!`](@ref))
receives one per iteration.

- `status::Int32`: the status the solve returned (`NKSolve.NKS_OK`, `NKS_MAX_ITERATIONS`, ...).
- `termination::Int32`: why it stopped (`NKSolve.NKS_TERMINATION_*`).
- `iterations::Csize_t`: Krylov iterations.
- `matvecs::Csize_t`: operator applications, residual recomputations included.
- `precond_applies::Csize_t`: preconditioner applications.
- `rhs_norm::Cdouble`: `‖b‖₂`.
- `initial_residual_norm::Cdouble`: the monitored residual norm at the start.
- `residual_norm::Cdouble`: after the solve, the true `‖b - A x‖₂` of the returned `x`; in a
  monitor, the monitored residual of the current iteration.
- `seconds::Cdouble`: wall-clock seconds.
- `callback_code::Int32`: the code a failing callback returned (0 if none failed).

Recycling (GCRO-DR, recycled CG; zero for the other methods):

- `recycle_rebuilt::Int32`: 1 if the kept space was re-fitted to a new operator before this
  solve (`recycle_initial_dim` extra operator applications), else 0.
- `recycle_initial_dim::Csize_t`: dimension of the recycled space this solve started from.
- `recycle_final_dim::Csize_t`: dimension of the space kept for the next solve.
- `recycle_refreshes::Csize_t`: refreshes of the space from this solve's Krylov data.
- `recycle_largest_angle::Cdouble`: GCRO-DR: largest principal angle (radians, `[0, π/2]`)
  between the space before and after the re-fit to a new operator.
- `recycle_projection_ratio::Cdouble`: `‖r after projection onto the recycled space‖ / ‖r₀‖`
  (1: the space did not help).
- `recycle_dropped::Int32`: 1 if the space was dropped after this solve (it stopped helping,
  or was degenerate for the operator).
"""
struct KrylovReport
    status::Int32
    termination::Int32
    iterations::Csize_t
    matvecs::Csize_t
    precond_applies::Csize_t
    rhs_norm::Cdouble
    initial_residual_norm::Cdouble
    residual_norm::Cdouble
    seconds::Cdouble
    callback_code::Int32
    recycle_rebuilt::Int32
    recycle_initial_dim::Csize_t
    recycle_final_dim::Csize_t
    recycle_refreshes::Csize_t
    recycle_largest_angle::Cdouble
    recycle_projection_ratio::Cdouble
    recycle_dropped::Int32
end

"""
    KrylovSolver(; method, rtol, atol, max_iterations, restart, use_initial_guess,
                   preconditioner_side, max_seconds, preconditioner, recycle_dim,
                   refresh_interval)

A Krylov solver (`nks_krylov`): options, operator, preconditioner, monitor, reusable workspace
and the report of the last solve. Keywords left out keep the library defaults: GMRES(30),
`rtol = 1e-8`, `atol = 0`, 10000 iterations, zero initial guess, no preconditioner.

- `method`: `:cg`, `:gmres`, `:fgmres`, `:gcrodr` or `:recycled_cg` ([`set_method!`](@ref)).
- `rtol`, `atol`, `max_iterations`, `restart`, `max_seconds`: see the `set_*!` functions.
- `use_initial_guess::Bool`: start from the `x` given to [`solve!`](@ref) instead of zero.
- `preconditioner_side`: `:left` or `:right` (GMRES only).
- `preconditioner`: `:none`, `:jacobi`, `:ilu0`, or a Julia function `f!(z, r)`.
- `recycle_dim`, `refresh_interval`: the options of the same names ([`set_option!`](@ref)):
  vectors kept by GCRO-DR and recycled CG (default 10), and how often GCRO-DR refreshes them.

Then give it an operator with [`set_operator!`](@ref) and call [`solve!`](@ref). The handle is
freed by the garbage collector or at once by [`free!`](@ref). Use one solver from one task at a
time.
"""
mutable struct KrylovSolver
    ptr::Ptr{Cvoid}
    matvec::Any      # f!(y, x) of a matrix-free operator, or nothing
    sequence_matvec::Any  # f!(y, x, i) of the running solve_sequence!, or nothing
    precond::Any     # f!(z, r) of a host preconditioner, or nothing
    monitor::Any     # f(report) -> Bool, or nothing
    exception::Any   # what a callback threw during the current solve, or nothing
    solving::Bool    # inside solve!: the handle must not be used from the callbacks

    function KrylovSolver(; method = nothing, rtol = nothing, atol = nothing,
                          max_iterations = nothing, restart = nothing, use_initial_guess = nothing,
                          preconditioner_side = nothing, max_seconds = nothing,
                          preconditioner = nothing, recycle_dim = nothing, refresh_interval = nothing)
        out = Ref{Ptr{Cvoid}}(C_NULL)
        _check(ccall((:nks_krylov_new, libnksolve), Int32, (Ref{Ptr{Cvoid}},), out), "nks_krylov_new")
        s = finalizer(free!, new(out[], nothing, nothing, nothing, nothing, nothing, false))
        method === nothing || set_method!(s, method)
        rtol === nothing || set_rtol!(s, rtol)
        atol === nothing || set_atol!(s, atol)
        max_iterations === nothing || set_max_iterations!(s, max_iterations)
        restart === nothing || set_restart!(s, restart)
        use_initial_guess === nothing || set_use_initial_guess!(s, use_initial_guess)
        preconditioner_side === nothing || set_preconditioner_side!(s, preconditioner_side)
        max_seconds === nothing || set_max_seconds!(s, max_seconds)
        preconditioner === nothing || set_preconditioner!(s, preconditioner)
        recycle_dim === nothing || set_option!(s, "recycle_dim", recycle_dim)
        refresh_interval === nothing || set_option!(s, "refresh_interval", refresh_interval)
        return s
    end
end

# Passing a KrylovSolver to ccall passes its handle and keeps the solver (and with it the Julia
# callbacks that user_data reaches) alive until the call returns. The library must not be
# re-entered on a handle that is solving (its own callbacks calling a setter or solve! on it).
function Base.unsafe_convert(::Type{Ptr{Cvoid}}, s::KrylovSolver)
    s.solving && _busy()
    return s.ptr
end

@noinline _busy() = throw(ArgumentError("this KrylovSolver is inside solve!: its callbacks cannot use it"))

function free!(s::KrylovSolver)
    s.solving && _busy()
    if s.ptr != C_NULL
        ccall((:nks_krylov_free, libnksolve), Cvoid, (Ptr{Cvoid},), s.ptr)
        s.ptr = C_NULL
    end
    return nothing
end

Base.show(io::IO, s::KrylovSolver) =
    print(io, s.ptr == C_NULL ? "NKSolve.KrylovSolver(freed)" : "NKSolve.KrylovSolver()")

"""
    set_method!(s::KrylovSolver, method::Symbol)

`:cg` (symmetric positive definite operator and preconditioner), `:gmres` (restarted GMRES(m),
the default), `:fgmres` (flexible GMRES: the preconditioner may change between applications),
`:gcrodr` (GCRO-DR(m, k): GMRES with deflated restarting that keeps `k = "recycle_dim"`
vectors across cycles and across solves on this handle) or `:recycled_cg` (CG deflated by `k`
Ritz vectors kept across solves, for sequences of symmetric positive definite systems).
"""
function set_method!(s::KrylovSolver, method::Symbol)
    code = _lookup(_METHODS, method, "Krylov method")
    _check(ccall((:nks_krylov_set_method, libnksolve), Int32, (Ptr{Cvoid}, Int32), s, code),
           "nks_krylov_set_method")
    return s
end

"""
    set_rtol!(s::KrylovSolver, rtol::Real)

Relative tolerance: stop when `‖r‖ ≤ max(rtol ‖b‖, atol)`. Range `[0, 1)`; default `1e-8`.
"""
function set_rtol!(s::KrylovSolver, rtol::Real)
    _check(ccall((:nks_krylov_set_rtol, libnksolve), Int32, (Ptr{Cvoid}, Cdouble), s, rtol),
           "nks_krylov_set_rtol")
    return s
end

"""
    set_atol!(s::KrylovSolver, atol::Real)

Absolute tolerance. Range `[0, ∞)`; default `0`.
"""
function set_atol!(s::KrylovSolver, atol::Real)
    _check(ccall((:nks_krylov_set_atol, libnksolve), Int32, (Ptr{Cvoid}, Cdouble), s, atol),
           "nks_krylov_set_atol")
    return s
end

"""
    set_max_iterations!(s::KrylovSolver, n::Integer)

Iteration limit, `≥ 1`; default 10000. Reaching it makes [`solve!`](@ref) return
`NKSolve.NKS_MAX_ITERATIONS` with the last iterate in `x`.
"""
function set_max_iterations!(s::KrylovSolver, n::Integer)
    _nonnegative(n, "max_iterations")
    _check(ccall((:nks_krylov_set_max_iterations, libnksolve), Int32, (Ptr{Cvoid}, Csize_t), s, n),
           "nks_krylov_set_max_iterations")
    return s
end

"""
    set_restart!(s::KrylovSolver, m::Integer)

GMRES/FGMRES restart length, `1:10000`; default 30. Memory: `m + 1` vectors (FGMRES `2m + 1`).
"""
function set_restart!(s::KrylovSolver, m::Integer)
    _nonnegative(m, "restart")
    _check(ccall((:nks_krylov_set_restart, libnksolve), Int32, (Ptr{Cvoid}, Csize_t), s, m),
           "nks_krylov_set_restart")
    return s
end

"""
    set_use_initial_guess!(s::KrylovSolver, flag::Bool)

`true`: start from the `x` passed to [`solve!`](@ref) (it must be finite); `false` (default):
start from zero and ignore the contents of `x`.
"""
function set_use_initial_guess!(s::KrylovSolver, flag::Bool)
    _check(ccall((:nks_krylov_set_use_initial_guess, libnksolve), Int32, (Ptr{Cvoid}, Int32), s, Int32(flag)),
           "nks_krylov_set_use_initial_guess")
    return s
end

"""
    set_preconditioner_side!(s::KrylovSolver, side::Symbol)

GMRES preconditioner side: `:right` (default; the true residual is monitored) or `:left`.
FGMRES is always right-preconditioned; CG ignores this.
"""
function set_preconditioner_side!(s::KrylovSolver, side::Symbol)
    code = _lookup(_SIDES, side, "preconditioner side")
    _check(ccall((:nks_krylov_set_preconditioner_side, libnksolve), Int32, (Ptr{Cvoid}, Int32), s, code),
           "nks_krylov_set_preconditioner_side")
    return s
end

"""
    set_max_seconds!(s::KrylovSolver, seconds::Real)

Wall-clock limit, `> 0` (default: none). Reaching it makes [`solve!`](@ref) return
`NKSolve.NKS_TIME_LIMIT` with the last iterate in `x`.
"""
function set_max_seconds!(s::KrylovSolver, seconds::Real)
    _check(ccall((:nks_krylov_set_max_seconds, libnksolve), Int32, (Ptr{Cvoid}, Cdouble), s, seconds),
           "nks_krylov_set_max_seconds")
    return s
end

"""
    set_option!(s::KrylovSolver, name::AbstractString, value::Real)

Sets an option by name, for options read from input files: `"method"` (0 CG, 1 GMRES,
2 FGMRES, 3 GCRO-DR, 4 recycled CG), `"rtol"`, `"atol"`, `"max_iterations"`, `"restart"`,
`"use_initial_guess"` (0/1), `"preconditioner_side"` (0 left, 1 right), `"max_seconds"`,
`"reorthogonalization"` (0 never, 1 if needed, 2 always), `"recycle_dim"` (vectors kept by
GCRO-DR and recycled CG, `0:10000`, default 10), `"refresh_interval"` (GCRO-DR refreshes its
space from every n-th full cycle, `1:10000`, default 3). An unknown name throws an
[`NKSolveError`](@ref) listing the known ones.
"""
function set_option!(s::KrylovSolver, name::AbstractString, value::Real)
    _check(ccall((:nks_krylov_set_option, libnksolve), Int32, (Ptr{Cvoid}, Cstring, Cdouble), s, String(name), value),
           "nks_krylov_set_option")
    return s
end

"""
    get_option(s::KrylovSolver, name::AbstractString) -> Float64

Reads an option by name: any name [`set_option!`](@ref) accepts, in the same numeric encoding
(`"max_seconds"` is `Inf` without a limit), so `set_option!(s, name, get_option(s, name))`
changes nothing. An unknown name throws an [`NKSolveError`](@ref) listing the known ones.
"""
function get_option(s::KrylovSolver, name::AbstractString)
    value = Ref{Cdouble}(NaN)
    _check(ccall((:nks_krylov_get_option, libnksolve), Int32, (Ptr{Cvoid}, Cstring, Ref{Cdouble}),
                 s, String(name), value),
           "nks_krylov_get_option")
    return value[]
end

# ----- callbacks -----------------------------------------------------------------------------
#
# The library calls these trampolines (plain, non-closure @cfunctions) with user_data = the
# KrylovSolver itself (pointer_from_objref). The solver is alive whenever the library can call
# them: callbacks only run inside nks_krylov_solve, to which solve! passes the solver, and the
# solver's finalizer frees the handle, so the handle never outlives the object user_data names.
# Arrays are wrapped, not copied. Everything the user function throws is caught and stored in
# the solver; the trampoline returns -1 and solve! rethrows after the C call has returned, so no
# Julia exception unwinds through the library.

function _store_exception!(s::KrylovSolver, e)
    s.exception === nothing && (s.exception = e)
    return Cint(-1)
end

function _matvec_trampoline(x::Ptr{Cdouble}, y::Ptr{Cdouble}, n::Csize_t, user_data::Ptr{Cvoid})::Cint
    s = unsafe_pointer_to_objref(user_data)::KrylovSolver
    try
        len = Int(n)
        s.matvec(unsafe_wrap(Array, y, len), unsafe_wrap(Array, x, len))
        return Cint(0)
    catch e
        return _store_exception!(s, e)
    end
end

function _precond_trampoline(r::Ptr{Cdouble}, z::Ptr{Cdouble}, n::Csize_t, user_data::Ptr{Cvoid})::Cint
    s = unsafe_pointer_to_objref(user_data)::KrylovSolver
    try
        len = Int(n)
        s.precond(unsafe_wrap(Array, z, len), unsafe_wrap(Array, r, len))
        return Cint(0)
    catch e
        return _store_exception!(s, e)
    end
end

function _monitor_trampoline(running::Ptr{KrylovReport}, user_data::Ptr{Cvoid})::Cint
    s = unsafe_pointer_to_objref(user_data)::KrylovSolver
    try
        keep_going = s.monitor(unsafe_load(running))
        keep_going isa Bool ||
            throw(ArgumentError("a monitor must return true (continue) or false (stop), got $(repr(keep_going))"))
        return keep_going ? Cint(0) : Cint(1)
    catch e
        return _store_exception!(s, e)
    end
end

function _indexed_matvec_trampoline(system::Csize_t, x::Ptr{Cdouble}, y::Ptr{Cdouble}, n::Csize_t,
                                    user_data::Ptr{Cvoid})::Cint
    s = unsafe_pointer_to_objref(user_data)::KrylovSolver
    try
        len = Int(n)
        s.sequence_matvec(unsafe_wrap(Array, y, len), unsafe_wrap(Array, x, len), Int(system) + 1)
        return Cint(0)
    catch e
        return _store_exception!(s, e)
    end
end

"""
    set_operator!(s::KrylovSolver, A::CSR)
    set_operator!(s::KrylovSolver, n::Integer, f!)

Sets the operator `A` of the system `A x = b`, replacing any previous one.

- `A::CSR`: the solver keeps its own reference to the matrix (it may be freed afterwards);
  built-in preconditioners (`:jacobi`, `:ilu0`) are built from it at the next solve.
- `n, f!`: matrix-free, dimension `n`; `f!(y, x)` must overwrite `y` with `A x` (both are
  `Vector{Float64}` views of library memory, valid only during the call: do not keep them, and
  do not modify `x`). It runs on the thread that calls [`solve!`](@ref). If it throws, the
  solve stops and `solve!` rethrows the exception.
"""
function set_operator!(s::KrylovSolver, A::CSR)
    _check(ccall((:nks_krylov_set_operator_csr, libnksolve), Int32, (Ptr{Cvoid}, Ptr{Cvoid}), s, A),
           "nks_krylov_set_operator_csr")
    s.matvec = nothing
    return s
end

function set_operator!(s::KrylovSolver, n::Integer, f!)
    _nonnegative(n, "n")
    trampoline = @cfunction(_matvec_trampoline, Cint, (Ptr{Cdouble}, Ptr{Cdouble}, Csize_t, Ptr{Cvoid}))
    status = ccall((:nks_krylov_set_operator_callback, libnksolve), Int32,
                   (Ptr{Cvoid}, Csize_t, Ptr{Cvoid}, Ptr{Cvoid}),
                   s, n, trampoline, pointer_from_objref(s))
    _check(status, "nks_krylov_set_operator_callback")
    s.matvec = f!   # only now: on failure the handle keeps its previous operator
    return s
end

"""
    set_preconditioner!(s::KrylovSolver, kind::Symbol)
    set_preconditioner!(s::KrylovSolver, f!)

Sets the preconditioner `M`, replacing any previous one.

- `kind`: `:none` (the default), `:jacobi` (`M = diag(A)`) or `:ilu0` (incomplete LU without
  fill); built from the CSR operator at the next solve (they need [`set_operator!`](@ref) with
  a [`CSR`](@ref)). `nothing` means `:none`.
- `f!`: a Julia function `f!(z, r)` that overwrites `z` with `M⁻¹ r` (same rules as the
  matrix-free operator of [`set_operator!`](@ref)). For `:cg`, `M` must be symmetric positive
  definite; for `:fgmres` it may change between calls.
"""
function set_preconditioner!(s::KrylovSolver, kind::Symbol)
    code = _lookup(_PRECONDITIONERS, kind, "preconditioner")
    _check(ccall((:nks_krylov_set_preconditioner, libnksolve), Int32, (Ptr{Cvoid}, Int32), s, code),
           "nks_krylov_set_preconditioner")
    s.precond = nothing
    return s
end

set_preconditioner!(s::KrylovSolver, ::Nothing) = set_preconditioner!(s, :none)

function set_preconditioner!(s::KrylovSolver, f!)
    f! isa Union{AbstractString, Number} &&
        throw(ArgumentError("preconditioner must be :none, :jacobi, :ilu0 or a function f!(z, r), got $(repr(f!))"))
    trampoline = @cfunction(_precond_trampoline, Cint, (Ptr{Cdouble}, Ptr{Cdouble}, Csize_t, Ptr{Cvoid}))
    status = ccall((:nks_krylov_set_preconditioner_callback, libnksolve), Int32,
                   (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}),
                   s, trampoline, pointer_from_objref(s))
    _check(status, "nks_krylov_set_preconditioner_callback")
    s.precond = f!
    return s
end

"""
    set_monitor!(s::KrylovSolver, f)
    set_monitor!(s::KrylovSolver, nothing)

Installs a monitor called once per iteration as `f(report::KrylovReport)` (its
`residual_norm` is the monitored residual of the current iteration). `f` returns `true` to
continue or `false` to stop: [`solve!`](@ref) then throws an [`NKSolveError`](@ref) with
status `NKSolve.NKS_ERR_ABORTED` and leaves `x` untouched (as the C++ and Python bindings do). If `f` throws, `solve!` rethrows. `nothing` removes the monitor.
"""
function set_monitor!(s::KrylovSolver, f)
    trampoline = @cfunction(_monitor_trampoline, Cint, (Ptr{KrylovReport}, Ptr{Cvoid}))
    status = ccall((:nks_krylov_set_monitor, libnksolve), Int32, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}),
                   s, trampoline, pointer_from_objref(s))
    _check(status, "nks_krylov_set_monitor")
    s.monitor = f
    return s
end

function set_monitor!(s::KrylovSolver, ::Nothing)
    status = ccall((:nks_krylov_set_monitor, libnksolve), Int32, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}),
                   s, C_NULL, C_NULL)
    _check(status, "nks_krylov_set_monitor")
    s.monitor = nothing
    return s
end

"""
    solve!(s::KrylovSolver, x, b) -> status::Int32

Solves `A x = b`, writing the solution into `x` (a contiguous `Vector{Float64}` or unit-stride
view, not overlapping `b`; with [`set_use_initial_guess!`](@ref) on it is also the initial
guess). Returns

- `NKSolve.NKS_OK` (0): converged;
- `NKSolve.NKS_MAX_ITERATIONS`, `NKS_TIME_LIMIT`, `NKS_STAGNATION` (> 0): finished without
  converging; `x` holds the last iterate (for CG the A-norm-optimal point of the Krylov space,
  for GMRES the residual-minimising one);
Any failure (status < 0, including `NKSolve.NKS_ERR_ABORTED` when the monitor returned
`false`) throws an [`NKSolveError`](@ref) with the status and the library's message,
`x` untouched. If a Julia callback (operator, preconditioner, monitor) threw, the solve is
stopped and that exception is rethrown here. Details are in [`report`](@ref)`(s)`.

The callbacks run inside the library's solve and must not use `s` itself (its setters,
`report`, `solve!`, `free!`): that throws an `ArgumentError`, which `solve!` rethrows. Other
solvers and matrices may be used from them.
"""
function solve!(s::KrylovSolver, x::StridedVector{Float64}, b::AbstractVector{<:Real})
    n = length(b)
    length(x) == n || throw(DimensionMismatch("length(x) = $(length(x)) but length(b) = $n"))
    _unit_stride(x, "x")
    bb = b isa StridedVector{Float64} && stride(b, 1) == 1 ? b : Vector{Float64}(b)
    _overlaps(x, bb) && throw(ArgumentError("x and b must not share memory"))
    return _guarded_solve(s, "nks_krylov_solve") do
        # s.ptr is passed as it is (unsafe_convert refuses a solving handle); GC.@preserve keeps
        # s, and with it the callbacks that user_data reaches, alive during the call.
        GC.@preserve s x bb ccall((:nks_krylov_solve, libnksolve), Int32,
                                  (Ptr{Cvoid}, Ptr{Cdouble}, Ptr{Cdouble}, Csize_t),
                                  s.ptr, bb, x, n)
    end
end

# Runs `call()`, a C call that may run the Julia callbacks of `s`, with `s` marked as solving
# (its callbacks cannot use it). Rethrows what a callback threw; throws an NKSolveError for a
# negative status; else returns the status.
function _guarded_solve(call, s::KrylovSolver, func::String)
    s.solving && _busy()
    s.exception = nothing
    s.solving = true
    status = try
        call()::Int32
    finally
        s.solving = false
    end
    message = status < 0 ? last_error_message() : ""   # read before anything else runs
    e = s.exception
    if e !== nothing
        s.exception = nothing
        throw(e)
    end
    status < 0 && throw(NKSolveError(status, func, message))
    return status
end

"""
    report(s::KrylovSolver) -> KrylovReport

The report of the last solve on `s` (iterations, operator and preconditioner applications,
residual norms, seconds, termination reason): see [`KrylovReport`](@ref). Every solve that
starts updates it, including failed ones.
"""
function report(s::KrylovSolver)
    out = Ref{KrylovReport}()
    _check(ccall((:nks_krylov_get_report, libnksolve), Int32, (Ptr{Cvoid}, Ref{KrylovReport}), s, out),
           "nks_krylov_get_report")
    return out[]
end

# ---------------------------------------------------------------------------------------------
# Sequences of systems and recycled subspaces
# ---------------------------------------------------------------------------------------------

# SKR features as the C API takes them: (column-major block or NULL, num_features, ldf). A
# vector holds one feature per system; a matrix one column per system.
_sequence_features(::Nothing, count::Integer) = (Ptr{Cdouble}(C_NULL), 0, 0)

function _sequence_features(features::AbstractVecOrMat{<:Real}, count::Integer)
    F = features isa AbstractVector ? reshape(features, 1, :) : features
    size(F, 2) == count ||
        throw(DimensionMismatch("features has $(size(F, 2)) columns (one per system) but there are $count systems"))
    block, ldf = _column_major(F)
    return block, size(block, 1), ldf
end

# The C API's 0-based system indices as Julia's 1-based ones.
_one_based(order::Vector{Csize_t}) = Int[Int(i) + 1 for i in order]

"""
    skr_order(features) -> Vector{Int}

The SKR solve order (Sorting Krylov Recycling) of a sequence of systems (`nks_skr_order`):
greedy nearest neighbour in Euclidean distance starting from system 1, with the systems first
partitioned along a Hilbert curve when there are more than 1024. Deterministic.

`features` holds one feature vector per system: a vector (one number per system) or a
`num_features × count` matrix with one COLUMN per system. Returns a permutation of
`1:count` (1-based system indices, as everywhere in this package; the C function returns
the same order 0-based).
"""
function skr_order(features::AbstractVecOrMat{<:Real})
    count = size(features, ndims(features))
    block, num_features, ldf = _sequence_features(features, count)
    order = Vector{Csize_t}(undef, count)
    status = ccall((:nks_skr_order, libnksolve), Int32, (Csize_t, Csize_t, Ptr{Cdouble}, Csize_t, Ptr{Csize_t}),
                   count, num_features, block, ldf, order)
    _check(status, "nks_skr_order")
    return _one_based(order)
end

"""
    solve_sequence!(s::KrylovSolver, X, operators::AbstractVector{<:CSR}, B; features = nothing)
    solve_sequence!(s::KrylovSolver, X, f!, B; features = nothing)
        -> (status, order, reports)

Solves the systems `A_i X[:, i] = B[:, i]`, `i = 1:count`, one after the other on `s`
(`nks_krylov_solve_sequence` / `nks_krylov_solve_sequence_callback`). With `:gcrodr` or
`:recycled_cg` the recycled subspace is carried from one system to the next (re-fitted to each
new operator first) and stays on `s` afterwards (see [`save_recycled`](@ref)); other methods
solve each system from scratch. The options, preconditioner (`:jacobi` / `:ilu0` are built for
each matrix; they need the CSR form) and monitor of `s` apply; its own operator is neither used
nor changed.

- `operators`: `count` square [`CSR`](@ref) matrices of dimension `n = size(B, 1)`; or `f!`, a
  function `f!(y, x, i)` that overwrites `y` with `A_i x` for the 1-based system index `i`
  (same rules as the matrix-free operator of [`set_operator!`](@ref)).
- `B`: `n × count` right-hand sides, one column per system; any `AbstractMatrix` (a
  column-major one, such as a `Matrix` or `view(M, :, 2:5)`, is passed without copying).
- `X`: `n × count` output (a `Matrix{Float64}` or column-major view, not overlapping `B`),
  column `i` for system `i`; it holds initial guesses when [`set_use_initial_guess!`](@ref) is
  on.
- `features`: `nothing` (solve in the natural order `1:count`), or one feature vector per
  system (a vector, or a `num_features × count` matrix, one column per system): the systems are
  then solved in the SKR order of [`skr_order`](@ref).

Returns `status` (`NKSolve.NKS_OK` when every system converged; else the positive status of
the first system in solve order that stopped at a limit, its iterate written), `order` (the
1-based system indices in solve order: the C API's 0-based ones plus 1) and `reports` (a
`Vector{KrylovReport}`, `reports[i]` for system `i`). A failure (status < 0, e.g. a system that
broke down: the message names it) throws an [`NKSolveError`](@ref); a Julia callback that threw
is rethrown. [`report`](@ref)`(s)` afterwards is the last-solved system's report.
"""
function solve_sequence!(s::KrylovSolver, X::StridedMatrix{Float64}, operators::AbstractVector{<:CSR},
                         B::AbstractMatrix{<:Real}; features = nothing)
    n, count = size(B)
    length(operators) == count ||
        throw(DimensionMismatch("$(length(operators)) operators but B has $count columns (one per system)"))
    # The C API sees only the leading dimension of B, not its row count: compare here.
    for (i, A) in enumerate(operators)
        size(A) == (n, n) || throw(DimensionMismatch("operators[$i] is $(size(A, 1))×$(size(A, 2)) but B has $n rows"))
    end
    handles = Ptr{Cvoid}[A.ptr for A in operators]
    return _solve_sequence(s, X, B, features, "nks_krylov_solve_sequence") do b, ldb, x, ldx, f, nf, ldf, order, reports
        # The CSR objects must outlive the call: their finalizers free the handles passed.
        GC.@preserve s operators ccall((:nks_krylov_solve_sequence, libnksolve), Int32,
                                       (Ptr{Cvoid}, Csize_t, Ptr{Ptr{Cvoid}}, Ptr{Cdouble}, Csize_t, Ptr{Cdouble},
                                        Csize_t, Ptr{Cdouble}, Csize_t, Csize_t, Ptr{Csize_t}, Ptr{KrylovReport}),
                                       s.ptr, count, handles, b, ldb, x, ldx, f, nf, ldf, order, reports)
    end
end

function solve_sequence!(s::KrylovSolver, X::StridedMatrix{Float64}, f!, B::AbstractMatrix{<:Real};
                         features = nothing)
    f! isa AbstractVector &&
        throw(ArgumentError("operators must be a vector of NKSolve.CSR matrices or a function f!(y, x, i), got a $(typeof(f!))"))
    n, count = size(B)
    trampoline = @cfunction(_indexed_matvec_trampoline, Cint, (Csize_t, Ptr{Cdouble}, Ptr{Cdouble}, Csize_t, Ptr{Cvoid}))
    s.solving && _busy()
    s.sequence_matvec = f!
    try
        return _solve_sequence(s, X, B, features, "nks_krylov_solve_sequence_callback") do b, ldb, x, ldx, f, nf, ldf, order, reports
            GC.@preserve s ccall((:nks_krylov_solve_sequence_callback, libnksolve), Int32,
                                 (Ptr{Cvoid}, Csize_t, Csize_t, Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cdouble}, Csize_t,
                                  Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Csize_t, Csize_t, Ptr{Csize_t}, Ptr{KrylovReport}),
                                 s.ptr, count, n, trampoline, pointer_from_objref(s), b, ldb, x, ldx, f, nf, ldf,
                                 order, reports)
        end
    finally
        s.sequence_matvec = nothing
    end
end

# Shared by both solve_sequence! methods: checks X and B, lays out B and the features as the C
# API reads them, runs `call(b, ldb, x, ldx, features, num_features, ldf, order, reports)`
# as a guarded solve, and returns (status, 1-based order, reports).
function _solve_sequence(call, s::KrylovSolver, X::StridedMatrix{Float64}, B::AbstractMatrix{<:Real},
                         features, func::String)
    n, count = size(B)
    size(X) == (n, count) || throw(DimensionMismatch("size(X) = $(size(X)) but size(B) = $((n, count))"))
    _is_column_major(X) ||
        throw(ArgumentError("X must be column-major (a Matrix or a view with unit stride down its columns), got strides $(strides(X))"))
    b, ldb = _column_major(B)
    _overlaps(X, b) && throw(ArgumentError("X and B must not share memory"))
    f, num_features, ldf = _sequence_features(features, count)
    order = Vector{Csize_t}(undef, count)
    reports = Vector{KrylovReport}(undef, count)
    status = _guarded_solve(s, func) do
        GC.@preserve X b f call(b, ldb, X, _leading_dimension(X), f, num_features, ldf, order, reports)
    end
    return status, _one_based(order), reports
end

"""
    operator_changed!(s::KrylovSolver)

Tells `s` that its operator changed although it was not set again (a matrix-free `f!` whose
matrix was updated in place): the recycled space is re-fitted to the operator at the next
solve (`nks_krylov_operator_changed`). [`set_operator!`](@ref) and
[`set_preconditioner!`](@ref) do this already.
"""
function operator_changed!(s::KrylovSolver)
    _check(ccall((:nks_krylov_operator_changed, libnksolve), Int32, (Ptr{Cvoid},), s), "nks_krylov_operator_changed")
    return s
end

"""
    clear_recycled!(s::KrylovSolver)

Forgets every recycled vector of `s`: the next solve starts from scratch
(`nks_krylov_clear_recycled`).
"""
function clear_recycled!(s::KrylovSolver)
    _check(ccall((:nks_krylov_clear_recycled, libnksolve), Int32, (Ptr{Cvoid},), s), "nks_krylov_clear_recycled")
    return s
end

"""
    save_recycled(s::KrylovSolver) -> Vector{UInt8}

What `s` recycles (GCRO-DR's and recycled CG's spaces) as bytes (`nks_krylov_save_recycled`):
a versioned, checksummed, little-endian format that [`load_recycled!`](@ref) accepts in
another solver, process or machine. Options and operators are not part of it.
"""
save_recycled(s::KrylovSolver) =
    _library_bytes("nks_krylov_save_recycled") do buf, len
        ccall((:nks_krylov_save_recycled, libnksolve), Int32, (Ptr{Cvoid}, Ref{Ptr{UInt8}}, Ref{Csize_t}),
              s, buf, len)
    end

# Runs `call(buf, len)`, a ccall of a C function that hands out a library buffer through
# `uint8_t **buf, size_t *len`, and returns a copy of the buffer, which is then freed.
function _library_bytes(call, func::String)
    buf = Ref{Ptr{UInt8}}(C_NULL)
    len = Ref{Csize_t}(0)
    _check(call(buf, len), func)
    try
        return len[] == 0 ? UInt8[] : copy(unsafe_wrap(Array, buf[], Int(len[])))
    finally
        ccall((:nks_bytes_free, libnksolve), Cvoid, (Ptr{UInt8}, Csize_t), buf[], len[])
    end
end

"""
    load_recycled!(s::KrylovSolver, bytes::AbstractVector{UInt8})

Restores a space written by [`save_recycled`](@ref); it is re-fitted to the operator at the
next solve (`nks_krylov_load_recycled`). A foreign, truncated or corrupted buffer, or one of
another format version, throws an [`NKSolveError`](@ref) (`NKSolve.NKS_ERR_INVALID_ARGUMENT`,
with the library's reason) and leaves `s` unchanged.
"""
function load_recycled!(s::KrylovSolver, bytes::AbstractVector{UInt8})
    data = _dense(UInt8, bytes)
    _check(ccall((:nks_krylov_load_recycled, libnksolve), Int32, (Ptr{Cvoid}, Ptr{UInt8}, Csize_t),
                 s, data, length(data)),
           "nks_krylov_load_recycled")
    return s
end

"""
    save_recycled_file(s::KrylovSolver, path::AbstractString)

As [`save_recycled`](@ref), into the file `path` (created or replaced;
`nks_krylov_save_recycled_file`). An I/O failure throws an [`NKSolveError`](@ref)
(`NKSolve.NKS_ERR_INVALID_ARGUMENT`) naming the path and the system's reason.
"""
function save_recycled_file(s::KrylovSolver, path::AbstractString)
    _check(ccall((:nks_krylov_save_recycled_file, libnksolve), Int32, (Ptr{Cvoid}, Cstring), s, String(path)),
           "nks_krylov_save_recycled_file")
    return nothing
end

"""
    load_recycled_file!(s::KrylovSolver, path::AbstractString)

As [`load_recycled!`](@ref), from the file `path` (`nks_krylov_load_recycled_file`).
"""
function load_recycled_file!(s::KrylovSolver, path::AbstractString)
    _check(ccall((:nks_krylov_load_recycled_file, libnksolve), Int32, (Ptr{Cvoid}, Cstring), s, String(path)),
           "nks_krylov_load_recycled_file")
    return s
end

# ---------------------------------------------------------------------------------------------
# SOR with a learned relaxation parameter
# ---------------------------------------------------------------------------------------------

"""
    SorReport

What the last [`solve!`](@ref) of a [`SorBandit`](@ref) did: an `isbits` mirror of the C struct
`nks_sor_report`, field for field. Read it with [`report`](@ref)`(h)`, which makes `arm`
1-based.

- `status::Int32`: the status the solve returned (`NKSolve.NKS_OK`, `NKS_MAX_ITERATIONS`, or
  `NKS_ERR_NON_FINITE` / `NKS_ERR_BREAKDOWN` for a solve that diverged / broke down).
- `termination::Int32`: why it stopped (`NKSolve.NKS_TERMINATION_*`: converged, iteration
  limit, non-finite (SOR diverged), breakdown (SSOR-PCG on a non-SPD matrix));
  `NKS_TERMINATION_NOT_STARTED` before the first solve.
- `arm::Csize_t`: the arm chosen, as [`report`](@ref) returns it: 1-based (the `arm`-th omega
  of the grid, as [`choose!`](@ref) numbers arms); 0 before the first solve. (The C struct
  holds the 0-based index; `report` adds 1.)
- `omega::Cdouble`: the omega used.
- `iterations::Csize_t`: iterations (SOR sweeps or CG iterations).
- `cost::Cdouble`: the cost the learner was given: `iterations`, or `max_iterations` when not
  converged.
- `initial_residual_norm::Cdouble`: `‖b - A x₀‖₂`.
- `residual_norm::Cdouble`: `‖b - A x‖₂` of the returned iterate.
- `seconds::Cdouble`: wall-clock seconds of the solve.
"""
struct SorReport
    status::Int32
    termination::Int32
    arm::Csize_t
    omega::Cdouble
    iterations::Csize_t
    cost::Cdouble
    initial_residual_norm::Cdouble
    residual_norm::Cdouble
    seconds::Cdouble
end

"""
    converged(r::KrylovReport) -> Bool
    converged(r::SorReport) -> Bool

Whether the solve met its tolerance (`rtol` or `atol`; a SOR bandit's `"tol"`).
"""
converged(r::Union{KrylovReport, SorReport}) =
    r.termination == NKS_TERMINATION_CONVERGED_RTOL || r.termination == NKS_TERMINATION_CONVERGED_ATOL

# Marks the inner constructor that takes ownership of a handle the library created.
struct _OwnHandle end

"""
    SorBandit(learner, num_arms, omega_min, omega_max; seed = 0, options...)

SOR (or SSOR-preconditioned CG) whose relaxation parameter omega is learned across a sequence
of systems (`nks_sor_bandit`). For each system the learner chooses one of `num_arms` omegas
evenly spaced on `[omega_min, omega_max]`, given the system's *context* (a number describing
it, such as a shift or a time step), and learns from the iteration count: [`solve!`](@ref)
chooses, solves and learns in one call; [`choose!`](@ref) and [`observe!`](@ref) serve solves
done elsewhere.

- `learner`: `:tsallis_inf`, `:chebcb`, `:binned`, `:fixed` or `:young` (or an
  `NKSolve.NKS_SOR_*` code).
- `num_arms`: `1:100000` (1 for `:fixed` and `:young`); `omega_min`, `omega_max` inside
  `(0, 2)` (the paper: 20 arms on `[1, 1.95]`; `:fixed` needs `omega_max == omega_min`).
- `seed`: seeds the learner's random generator (same seed, same choices), `0:typemax(UInt64)`.
- `options...`: options set with [`set_option!`](@ref) in the order given, e.g.
  `context_min = -0.1, context_max = 0.4, tol = 1e-8`.

Arms are 1-based (see [`choose!`](@ref)). Throws an [`NKSolveError`](@ref)
(`NKS_ERR_INVALID_ARGUMENT`) for a bad grid or option value, `NKS_ERR_UNKNOWN_OPTION` for an
unknown option name, and an `ArgumentError` for an unknown learner symbol. The handle is freed
by the garbage collector or at once by [`free!`](@ref). Use one learner from one task at a time.
"""
mutable struct SorBandit
    ptr::Ptr{Cvoid}

    SorBandit(::_OwnHandle, ptr::Ptr{Cvoid}) = finalizer(free!, new(ptr))
end

function SorBandit(learner::Union{Symbol, Integer}, num_arms::Integer, omega_min::Real, omega_max::Real;
                   seed::Integer = 0, options...)
    _nonnegative(num_arms, "num_arms")
    0 <= seed <= typemax(UInt64) || throw(ArgumentError("seed must be in 0:typemax(UInt64), got $seed"))
    code = learner isa Symbol ? _lookup(_SOR_LEARNERS, learner, "SOR learner") : Int32(learner)
    h = _created_bandit("nks_sor_bandit_new") do out
        ccall((:nks_sor_bandit_new, libnksolve), Int32, (Int32, Csize_t, Cdouble, Cdouble, UInt64, Ref{Ptr{Cvoid}}),
              code, num_arms, omega_min, omega_max, UInt64(seed), out)
    end
    for (name, value) in options
        set_option!(h, String(name), value)
    end
    return h
end

# Runs `create(out)`, a ccall of a C function that creates a learner into `out`, and returns a
# SorBandit owning it.
function _created_bandit(create, func::String)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    _check(create(out), func)
    return SorBandit(_OwnHandle(), out[])
end

# Passing a SorBandit to ccall passes its handle (and keeps the learner alive during the call).
Base.unsafe_convert(::Type{Ptr{Cvoid}}, h::SorBandit) = h.ptr

function free!(h::SorBandit)
    if h.ptr != C_NULL
        ccall((:nks_sor_bandit_free, libnksolve), Cvoid, (Ptr{Cvoid},), h.ptr)
        h.ptr = C_NULL
    end
    return nothing
end

Base.show(io::IO, h::SorBandit) =
    print(io, h.ptr == C_NULL ? "NKSolve.SorBandit(freed)" : "NKSolve.SorBandit($(num_arms(h)) arms)")

"""
    set_option!(h::SorBandit, name::AbstractString, value::Real)

Sets an option of a learner by name (`nks_sor_bandit_set_option`): `"tol"` in `(0, 1)`
(default `1e-8`; stop at `‖b - A x‖ < tol ‖b - A x₀‖`), `"max_iterations"` `≥ 1` (default
10000; a solve reaching it costs the cap), `"method"` (0 SOR, the default; 1 SSOR-preconditioned
CG for SPD matrices), `"sweep"` (0 forward, 1 backward, 2 symmetric; SOR only), `"ordering"`
(0 natural, 1 multicolour), `"use_initial_guess"` (0: start from zero, the default; 1: from the
`x` given to [`solve!`](@ref)), `"context_min"`, `"context_max"` (default 0, 1: the context
interval of ChebCB and the binned learner), `"bins"` (`1:10000`, default 5),
`"chebyshev_terms"` (`1:32`, default 6), `"young_rho"` (`[0, 1)`, or -1: the context).

Throws an [`NKSolveError`](@ref): `NKS_ERR_UNKNOWN_OPTION` (the message lists the names),
`NKS_ERR_INVALID_ARGUMENT` for a value out of range (the option keeps its value),
`NKS_ERR_INVALID_STATE` for `"context_min"`, `"context_max"`, `"bins"`, `"chebyshev_terms"`
once the learner has observed a cost, and for the read-only options of [`get_option`](@ref).
"""
function set_option!(h::SorBandit, name::AbstractString, value::Real)
    _check(ccall((:nks_sor_bandit_set_option, libnksolve), Int32, (Ptr{Cvoid}, Cstring, Cdouble), h, String(name), value),
           "nks_sor_bandit_set_option")
    return h
end

"""
    get_option(h::SorBandit, name::AbstractString) -> Float64

Reads an option of a learner by name (`nks_sor_bandit_get_option`): any name
[`set_option!`](@ref) accepts, in the same encoding, or one of the read-only options fixed at
creation: `"learner"` (an `NKSolve.NKS_SOR_*` code), `"num_arms"`, `"omega_min"`,
`"omega_max"`. An unknown name throws an [`NKSolveError`](@ref) listing the known ones.
"""
function get_option(h::SorBandit, name::AbstractString)
    value = Ref{Cdouble}(NaN)
    _check(ccall((:nks_sor_bandit_get_option, libnksolve), Int32, (Ptr{Cvoid}, Cstring, Ref{Cdouble}),
                 h, String(name), value),
           "nks_sor_bandit_get_option")
    return value[]
end

"""
    NKSolve.num_arms(h::SorBandit) -> Int

The number of omegas of the learner's grid: the length of [`probabilities`](@ref) (read-only
option `"num_arms"`).
"""
num_arms(h::SorBandit) = Int(get_option(h, "num_arms"))

"""
    choose!(h::SorBandit, context::Real) -> (arm::Int, omega::Float64)

Draws an arm for a system with `context`, for a solve done elsewhere
(`nks_sor_bandit_choose`): `arm` is 1-based (the `arm`-th omega of the grid; the C API's index
plus 1) and `omega` its omega. Report the solve's iteration count with [`observe!`](@ref).
Advances the random generator. Throws an [`NKSolveError`](@ref) for a non-finite context
(`NKS_ERR_NON_FINITE`) or a Young context outside `[0, 1)` (`NKS_ERR_INVALID_ARGUMENT`).
"""
function choose!(h::SorBandit, context::Real)
    arm = Ref{Csize_t}(0)
    omega = Ref{Cdouble}(NaN)
    _check(ccall((:nks_sor_bandit_choose, libnksolve), Int32, (Ptr{Cvoid}, Cdouble, Ref{Csize_t}, Ref{Cdouble}),
                 h, context, arm, omega),
           "nks_sor_bandit_choose")
    return Int(arm[]) + 1, omega[]
end

"""
    observe!(h::SorBandit, arm::Integer, context::Real, cost::Real) -> h

Learns that `arm` (1-based, as [`choose!`](@ref) gave it) cost `cost` iterations (`≥ 0`; pass
the cap for a solve that did not converge) on a system with `context`
(`nks_sor_bandit_observe`). Throws an `ArgumentError` for `arm < 1` and an
[`NKSolveError`](@ref) for `arm > num_arms` (the library's message counts arms from 0:
"arm = k" there is arm `k + 1` here), a negative or non-finite cost, or a non-finite context.
"""
function observe!(h::SorBandit, arm::Integer, context::Real, cost::Real)
    arm >= 1 || throw(ArgumentError("arm = $arm; arms are numbered from 1 to num_arms"))
    _check(ccall((:nks_sor_bandit_observe, libnksolve), Int32, (Ptr{Cvoid}, Csize_t, Cdouble, Cdouble),
                 h, arm - 1, context, cost),
           "nks_sor_bandit_observe")
    return h
end

"""
    solve!(h::SorBandit, x, A::CSR, b, context::Real) -> status::Int32

Chooses omega for `context`, solves `A x = b` by SOR or SSOR-PCG and learns from the iteration
count (`nks_sor_bandit_solve`). `A` is square with a nonzero diagonal; `x` (a contiguous
`Vector{Float64}` or unit-stride view, not overlapping `b`) receives the solution, and is the
initial guess only when option `"use_initial_guess"` is 1. Returns

- `NKSolve.NKS_OK` (0): converged;
- `NKSolve.NKS_MAX_ITERATIONS`: stopped at `"max_iterations"`; `x` holds the last iterate.

Throws an [`NKSolveError`](@ref) with `NKS_ERR_NON_FINITE` when SOR diverged or
`NKS_ERR_BREAKDOWN` when SSOR-PCG met a non-SPD matrix (`x` untouched; the learner still
learned the capped cost, and [`report`](@ref)`(h)` tells the omega), and for bad input (a
dimension mismatch, NaN in `b`, a zero diagonal, a non-finite context), which changes nothing,
the generator included.
"""
function solve!(h::SorBandit, x::StridedVector{Float64}, A::CSR, b::AbstractVector{<:Real}, context::Real)
    n = length(b)
    length(x) == n || throw(DimensionMismatch("length(x) = $(length(x)) but length(b) = $n"))
    _unit_stride(x, "x")
    bb = b isa StridedVector{Float64} && stride(b, 1) == 1 ? b : Vector{Float64}(b)
    _overlaps(x, bb) && throw(ArgumentError("x and b must not share memory"))
    status = ccall((:nks_sor_bandit_solve, libnksolve), Int32,
                   (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cdouble}, Ptr{Cdouble}, Csize_t, Cdouble),
                   h, A, bb, x, n, context)
    return _check(status, "nks_sor_bandit_solve")
end

"""
    report(h::SorBandit) -> SorReport

The report of the last [`solve!`](@ref) on `h` that ran (converged, capped, diverged or broken
down; `nks_sor_bandit_get_report`), with `arm` 1-based: see [`SorReport`](@ref). A solve
refused for bad input leaves the previous report in place.
"""
function report(h::SorBandit)
    out = Ref{SorReport}()
    _check(ccall((:nks_sor_bandit_get_report, libnksolve), Int32, (Ptr{Cvoid}, Ref{SorReport}), h, out),
           "nks_sor_bandit_get_report")
    r = out[]
    r.termination == NKS_TERMINATION_NOT_STARTED && return r
    return SorReport(r.status, r.termination, r.arm + 1, r.omega, r.iterations, r.cost,
                     r.initial_residual_norm, r.residual_norm, r.seconds)
end

"""
    probabilities!(p, h::SorBandit, context::Real) -> p
    probabilities(h::SorBandit, context::Real) -> Vector{Float64}

The distribution the next choice at `context` is drawn from (`nks_sor_bandit_probabilities`):
`p[k]` for arm `k`, `length(p) ==` [`NKSolve.num_arms`](@ref)`(h)` (1 for the fixed and Young
learners). Non-contextual learners ignore `context`. `probabilities!` writes into `p` (a
contiguous `Vector{Float64}` or unit-stride view) only on success; another length throws an
[`NKSolveError`](@ref) (`NKS_ERR_DIMENSION_MISMATCH`), as does a non-finite context
(`NKS_ERR_NON_FINITE`).
"""
function probabilities!(p::StridedVector{Float64}, h::SorBandit, context::Real)
    _unit_stride(p, "p")
    _check(ccall((:nks_sor_bandit_probabilities, libnksolve), Int32, (Ptr{Cvoid}, Cdouble, Ptr{Cdouble}, Csize_t),
                 h, context, p, length(p)),
           "nks_sor_bandit_probabilities")
    return p
end

probabilities(h::SorBandit, context::Real) = probabilities!(Vector{Float64}(undef, num_arms(h)), h, context)

"""
    save_bandit(h::SorBandit) -> Vector{UInt8}

The learner (kind, grid, options, statistics, generator position) as bytes
(`nks_sor_bandit_save`): a versioned, checksummed format, the same on every platform, that
[`load_bandit`](@ref) turns into a learner making the same choices `h` would make next.
"""
save_bandit(h::SorBandit) =
    _library_bytes("nks_sor_bandit_save") do buf, len
        ccall((:nks_sor_bandit_save, libnksolve), Int32, (Ptr{Cvoid}, Ref{Ptr{UInt8}}, Ref{Csize_t}), h, buf, len)
    end

"""
    load_bandit(bytes::AbstractVector{UInt8}) -> SorBandit

A new learner from bytes written by [`save_bandit`](@ref), possibly by another process,
language or machine (`nks_sor_bandit_load`). A foreign, truncated or corrupted buffer, or one of
another format version, throws an [`NKSolveError`](@ref) (`NKSolve.NKS_ERR_INVALID_ARGUMENT`,
with the library's reason).
"""
function load_bandit(bytes::AbstractVector{UInt8})
    data = _dense(UInt8, bytes)
    return _created_bandit("nks_sor_bandit_load") do out
        ccall((:nks_sor_bandit_load, libnksolve), Int32, (Ptr{UInt8}, Csize_t, Ref{Ptr{Cvoid}}), data, length(data), out)
    end
end

"""
    save_bandit_file(h::SorBandit, path::AbstractString)

As [`save_bandit`](@ref), into the file `path` (created or replaced;
`nks_sor_bandit_save_file`). An I/O failure throws an [`NKSolveError`](@ref)
(`NKSolve.NKS_ERR_INVALID_ARGUMENT`) naming the path and the system's reason.
"""
function save_bandit_file(h::SorBandit, path::AbstractString)
    _check(ccall((:nks_sor_bandit_save_file, libnksolve), Int32, (Ptr{Cvoid}, Cstring), h, String(path)),
           "nks_sor_bandit_save_file")
    return nothing
end

"""
    load_bandit_file(path::AbstractString) -> SorBandit

As [`load_bandit`](@ref), from the file `path` (`nks_sor_bandit_load_file`).
"""
load_bandit_file(path::AbstractString) =
    _created_bandit("nks_sor_bandit_load_file") do out
        ccall((:nks_sor_bandit_load_file, libnksolve), Int32, (Cstring, Ref{Ptr{Cvoid}}), String(path), out)
    end

# ---------------------------------------------------------------------------------------------
# Entropic optimal transport
# ---------------------------------------------------------------------------------------------

"""
    SinkhornReport

What the last [`solve_points!`](@ref) / [`solve_dense!`](@ref) of a [`Sinkhorn`](@ref) did: an
`isbits` mirror of the C struct `nks_sinkhorn_report`, field for field. Read it with
[`report`](@ref)`(s)`.

- `status::Int32`: the status the solve returned (`NKSolve.NKS_OK`, `NKS_MAX_ITERATIONS`,
  `NKS_TIME_LIMIT`).
- `termination::Int32`: why it stopped: `NKSolve.NKS_TERMINATION_CONVERGED_ATOL` (the marginal
  error reached `"tol"`), `NKS_TERMINATION_MAX_ITERATIONS`, `NKS_TERMINATION_TIME_LIMIT`, or
  `NKS_TERMINATION_NOT_STARTED` before any solve.
- `method::Int32`: the method that ran (`NKSolve.NKS_OT_SINKHORN` or `NKS_OT_SNS`).
- `iterations::Csize_t`: all iterations, `sinkhorn_iterations + newton_iterations`.
- `sinkhorn_iterations::Csize_t`: Sinkhorn iterations (one update of `f` and one of `g`):
  epsilon-scaling stages, the SNS warm-up and SNS fallbacks included.
- `newton_iterations::Csize_t`: Newton iterations (SNS).
- `fallback_steps::Csize_t`: Sinkhorn steps SNS took because a Newton step did not help.
- `cg_iterations::Csize_t`: CG iterations over all Newton systems (SNS).
- `hessian_density::Cdouble`: plan entries kept in the last sparsified Hessian, as a fraction of
  the `n m` entries.
- `marginal_error::Cdouble`: `‖P 1 - a‖₁ + ‖Pᵀ 1 - b‖₁` of the returned potentials.
- `transport_cost::Cdouble`: `⟨C, P⟩`, the unregularised transport cost of the plan (W_p^p for
  a point-cloud cost).
- `regularized_cost::Cdouble`: `⟨C, P⟩ + eps KL(P | a bᵀ)`, the entropic objective (equal to
  `⟨a, f⟩ + ⟨b, g⟩` at the optimum).
- `eps::Cdouble`: the regularisation of the solve.
- `exact_lines::Csize_t`: potential updates redone by an exact log-sum-exp because the fast
  one underflowed.
- `seconds::Cdouble`: wall-clock seconds.
"""
struct SinkhornReport
    status::Int32
    termination::Int32
    method::Int32
    iterations::Csize_t
    sinkhorn_iterations::Csize_t
    newton_iterations::Csize_t
    fallback_steps::Csize_t
    cg_iterations::Csize_t
    hessian_density::Cdouble
    marginal_error::Cdouble
    transport_cost::Cdouble
    regularized_cost::Cdouble
    eps::Cdouble
    exact_lines::Csize_t
    seconds::Cdouble
end

"""
    converged(r::SinkhornReport) -> Bool

Whether the solve's marginal error reached `"tol"`.
"""
converged(r::SinkhornReport) = r.termination == NKS_TERMINATION_CONVERGED_ATOL

"""
    Sinkhorn(; method = :sinkhorn, options...)

Entropic optimal transport by log-domain Sinkhorn or Sinkhorn-Newton-Sparse (`nks_sinkhorn`).
A solve computes the dual potentials `f` (length `n`) and `g` (length `m`) of

    min_P ⟨C, P⟩ + eps KL(P | a bᵀ)   subject to   P 1 = a,  Pᵀ 1 = b,

whose solution is `P[i, j] = a[i] b[j] exp((f[i] + g[j] - C[i, j]) / eps)`, from a dense cost
([`solve_dense!`](@ref)) or from two point clouds with `C[i, j] = ‖x[:, i] - y[:, j]‖^p`
([`solve_points!`](@ref), computed on the fly without an `n × m` matrix). The solver keeps the
last problem, so that [`plan_dense`](@ref) and [`plan_sparse`](@ref) can read its plan.

- `method`: `:sinkhorn` (the default) or `:sns` (or an `NKSolve.NKS_OT_*` code).
- `options...`: options set with [`set_option!`](@ref) in the order given, e.g.
  `eps = 0.01, tol = 1e-9, eps_scaling = 0.5`.

Throws an [`NKSolveError`](@ref) (`NKS_ERR_INVALID_ARGUMENT`) for a bad option value,
`NKS_ERR_UNKNOWN_OPTION` for an unknown option name, and an `ArgumentError` for an unknown
method symbol. The handle is freed by the garbage collector or at once by [`free!`](@ref).
Use one solver from one task at a time.
"""
mutable struct Sinkhorn
    ptr::Ptr{Cvoid}
    n::Int  # source points of the last problem solved (0 before any solve)
    m::Int  # target points of the last problem solved

    function Sinkhorn(; method::Union{Symbol, Integer, Nothing} = nothing, options...)
        out = Ref{Ptr{Cvoid}}(C_NULL)
        _check(ccall((:nks_sinkhorn_new, libnksolve), Int32, (Ref{Ptr{Cvoid}},), out), "nks_sinkhorn_new")
        s = finalizer(free!, new(out[], 0, 0))
        method === nothing || set_option!(s, "method", method)
        for (name, value) in options
            set_option!(s, String(name), value)
        end
        return s
    end
end

# Passing a Sinkhorn to ccall passes its handle (and keeps the solver alive during the call).
Base.unsafe_convert(::Type{Ptr{Cvoid}}, s::Sinkhorn) = s.ptr

function free!(s::Sinkhorn)
    if s.ptr != C_NULL
        ccall((:nks_sinkhorn_free, libnksolve), Cvoid, (Ptr{Cvoid},), s.ptr)
        s.ptr = C_NULL
    end
    return nothing
end

Base.show(io::IO, s::Sinkhorn) =
    print(io, s.ptr == C_NULL ? "NKSolve.Sinkhorn(freed)" :
              "NKSolve.Sinkhorn(method = $(get_option(s, "method") == NKS_OT_SNS ? ":sns" : ":sinkhorn"), eps = $(get_option(s, "eps")))")

"""
    set_option!(s::Sinkhorn, name::AbstractString, value::Real)
    set_option!(s::Sinkhorn, "method", method::Symbol)

Sets an option of an optimal-transport solver by name (`nks_sinkhorn_set_option`): `"eps"`
`> 0` (default 0.01, in the units of the cost), `"tol"` in `(0, 1)` (default `1e-9`; stop at
`‖P 1 - a‖₁ + ‖Pᵀ 1 - b‖₁ ≤ tol`), `"max_iterations"` `≥ 1` (default 100000, all stages
together), `"method"` (`:sinkhorn` / `:sns`, or `NKSolve.NKS_OT_SINKHORN` /
`NKSolve.NKS_OT_SNS`), `"check_interval"` `≥ 1` (default 1), `"eps_scaling"` (0: off, the
default; a factor in `(0, 1)`: start at `eps = max |C|` and shrink by it down to `eps`),
`"use_initial_guess"` (0: potentials start at zero, the default; 1: from the `f`, `g` given to
the solve), `"newton_warmup"` `≥ 0` (default 20), `"hessian_density"` (-1: adaptive, the
default; or a fraction in `(0, 1]`), `"hessian_mass"` in `(0, 1]` (default `1 - 1e-9`),
`"cg_max_iterations"` `≥ 1` (default 500), `"max_seconds"` `≥ 0` (0: no limit, the default),
`"kernel_memory_mb"` `≥ 0` (default 1024: memory for the stored kernel; 0 = on the fly).

Throws an [`NKSolveError`](@ref): `NKS_ERR_UNKNOWN_OPTION` (the message lists the names),
`NKS_ERR_INVALID_ARGUMENT` for a value out of range (the option keeps its value).
"""
function set_option!(s::Sinkhorn, name::AbstractString, value::Real)
    _check(ccall((:nks_sinkhorn_set_option, libnksolve), Int32, (Ptr{Cvoid}, Cstring, Cdouble), s, String(name), value),
           "nks_sinkhorn_set_option")
    return s
end

function set_option!(s::Sinkhorn, name::AbstractString, value::Symbol)
    name == "method" || throw(ArgumentError("option \"$name\" takes a number, got :$value"))
    return set_option!(s, name, _lookup(_OT_METHODS, value, "optimal-transport method"))
end

"""
    get_option(s::Sinkhorn, name::AbstractString) -> Float64

Reads an option of an optimal-transport solver by name (`nks_sinkhorn_get_option`), in the
encoding [`set_option!`](@ref) takes (`"method"`: 0 Sinkhorn, 1 SNS). An unknown name throws an
[`NKSolveError`](@ref) listing the known ones.
"""
function get_option(s::Sinkhorn, name::AbstractString)
    value = Ref{Cdouble}(NaN)
    _check(ccall((:nks_sinkhorn_get_option, libnksolve), Int32, (Ptr{Cvoid}, Cstring, Ref{Cdouble}),
                 s, String(name), value),
           "nks_sinkhorn_get_option")
    return value[]
end

# The histograms as contiguous Float64 vectors and the potentials checked against them.
function _ot_vectors(a::AbstractVector{<:Real}, b::AbstractVector{<:Real},
                     f::StridedVector{Float64}, g::StridedVector{Float64})
    aa = a isa StridedVector{Float64} && stride(a, 1) == 1 ? a : Vector{Float64}(a)
    bb = b isa StridedVector{Float64} && stride(b, 1) == 1 ? b : Vector{Float64}(b)
    length(f) == length(aa) || throw(DimensionMismatch("length(f) = $(length(f)) but length(a) = $(length(aa))"))
    length(g) == length(bb) || throw(DimensionMismatch("length(g) = $(length(g)) but length(b) = $(length(bb))"))
    _unit_stride(f, "f")
    _unit_stride(g, "g")
    return aa, bb
end

# Records the size of the problem a solve kept (a solve that failed keeps the previous one).
function _solved!(s::Sinkhorn, status::Int32, func::String, n::Integer, m::Integer)
    _check(status, func)
    s.n, s.m = n, m
    return status
end

"""
    solve_points!(s::Sinkhorn, a, b, x, y, p, f, g) -> status::Int32

Solves the transport problem between the point clouds `x` (`d × n`: point `i` is column
`x[:, i]`) and `y` (`d × m`) weighted by `a` (length `n`) and `b` (length `m`), with the cost
`‖x[:, i] - y[:, j]‖^p` (`p` = 1 or 2, Euclidean norm) computed on the fly
(`nks_sinkhorn_solve_points`): memory stays O((n + m) d). A `Matrix{Float64}` (or a view with
unit stride down its columns, such as `view(X, 1:2, :)`) is the C API's column-major layout
and passes without a copy; other matrices are copied first. A vector is a cloud of `d = 1`
points.

`a` and `b` must be finite, non-negative, not all zero and of equal total mass (relative
1e-9). `f` (length `n`) and `g` (length `m`), contiguous `Float64` vectors, receive the dual
potentials, with the plan `P[i, j] = a[i] b[j] exp((f[i] + g[j] - C[i, j]) / eps)`; with option
`"use_initial_guess" = 1` they are read first as the starting point. For `p = 2` the report's
`transport_cost` is the entropic estimate of W₂². Returns

- `NKSolve.NKS_OK` (0): converged;
- `NKSolve.NKS_MAX_ITERATIONS` / `NKS_TIME_LIMIT`: stopped at a limit; `f`, `g` hold the last
  potentials (usable, not converged).

Throws an [`NKSolveError`](@ref) for bad input (`NKS_ERR_INVALID_ARGUMENT`: negative or
all-zero weights, unequal masses, `p` not 1 or 2; `NKS_ERR_NON_FINITE`: NaN or infinite
weights or coordinates), which writes nothing and keeps the previous problem, and a
`DimensionMismatch` when the sizes of `a`, `b`, `x`, `y`, `f`, `g` disagree.
"""
function solve_points!(s::Sinkhorn, a::AbstractVector{<:Real}, b::AbstractVector{<:Real},
                       x::AbstractMatrix{<:Real}, y::AbstractMatrix{<:Real}, p::Real,
                       f::StridedVector{Float64}, g::StridedVector{Float64})
    aa, bb = _ot_vectors(a, b, f, g)
    n, m = length(aa), length(bb)
    size(x, 2) == n || throw(DimensionMismatch("x has $(size(x, 2)) points (columns) but length(a) = $n"))
    size(y, 2) == m || throw(DimensionMismatch("y has $(size(y, 2)) points (columns) but length(b) = $m"))
    size(x, 1) == size(y, 1) ||
        throw(DimensionMismatch("x has dimension $(size(x, 1)) but y has dimension $(size(y, 1)); they must be equal"))
    X, ldx = _column_major(x)
    Y, ldy = _column_major(y)
    status = ccall((:nks_sinkhorn_solve_points, libnksolve), Int32,
                   (Ptr{Cvoid}, Csize_t, Csize_t, Csize_t, Ptr{Cdouble}, Ptr{Cdouble}, Ptr{Cdouble}, Csize_t,
                    Ptr{Cdouble}, Csize_t, Cdouble, Ptr{Cdouble}, Ptr{Cdouble}),
                   s, n, m, size(X, 1), aa, bb, X, ldx, Y, ldy, p, f, g)
    return _solved!(s, status, "nks_sinkhorn_solve_points", n, m)
end

solve_points!(s::Sinkhorn, a::AbstractVector{<:Real}, b::AbstractVector{<:Real}, x::AbstractVector{<:Real},
              y::AbstractVector{<:Real}, p::Real, f::StridedVector{Float64}, g::StridedVector{Float64}) =
    solve_points!(s, a, b, reshape(x, 1, :), reshape(y, 1, :), p, f, g)

"""
    solve_dense!(s::Sinkhorn, a, b, C, f, g) -> status::Int32

Solves the transport problem between the histograms `a` (length `n`) and `b` (length `m`) with
the dense cost `C` (`n × m`; `nks_sinkhorn_solve_dense`). A `Matrix{Float64}` or a view with
unit stride down its columns (e.g. `view(B, 2:41, :)`) passes without a copy, with its leading
dimension; other matrices are copied first. The library copies the cost (it keeps it for the
plan). Everything else is as [`solve_points!`](@ref); a NaN or infinite cost throws an
[`NKSolveError`](@ref) (`NKS_ERR_NON_FINITE`).
"""
function solve_dense!(s::Sinkhorn, a::AbstractVector{<:Real}, b::AbstractVector{<:Real}, C::AbstractMatrix{<:Real},
                      f::StridedVector{Float64}, g::StridedVector{Float64})
    aa, bb = _ot_vectors(a, b, f, g)
    n, m = length(aa), length(bb)
    size(C) == (n, m) || throw(DimensionMismatch("size(C) = $(size(C)) but length(a), length(b) = ($n, $m)"))
    CC, ldc = _column_major(C)
    status = ccall((:nks_sinkhorn_solve_dense, libnksolve), Int32,
                   (Ptr{Cvoid}, Csize_t, Csize_t, Ptr{Cdouble}, Ptr{Cdouble}, Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Ptr{Cdouble}),
                   s, n, m, aa, bb, CC, ldc, f, g)
    return _solved!(s, status, "nks_sinkhorn_solve_dense", n, m)
end

"""
    report(s::Sinkhorn) -> SinkhornReport

The report of the last solve on `s` that ran (converged or stopped at a limit;
`nks_sinkhorn_get_report`): see [`SinkhornReport`](@ref). A solve refused for bad input leaves
the previous report in place.
"""
function report(s::Sinkhorn)
    out = Ref{SinkhornReport}()
    _check(ccall((:nks_sinkhorn_get_report, libnksolve), Int32, (Ptr{Cvoid}, Ref{SinkhornReport}), s, out),
           "nks_sinkhorn_get_report")
    return out[]
end

"""
    plan_dense!(P, s::Sinkhorn) -> P
    plan_dense(s::Sinkhorn) -> Matrix{Float64}

The plan of the last solve, `P[i, j] = a[i] b[j] exp((f[i] + g[j] - C[i, j]) / eps)`, an
`n × m` matrix (`nks_sinkhorn_plan_dense`). `plan_dense!` writes into `P`, a `Matrix{Float64}`
or a view with unit stride down its columns. Throws an [`NKSolveError`](@ref):
`NKS_ERR_INVALID_STATE` before any successful solve, `NKS_ERR_DIMENSION_MISMATCH` when `P` is
not `n × m`.
"""
function plan_dense!(P::StridedMatrix{Float64}, s::Sinkhorn)
    _is_column_major(P) || throw(ArgumentError("P must have unit stride down its columns (a Matrix or a column-major view)"))
    _check(ccall((:nks_sinkhorn_plan_dense, libnksolve), Int32, (Ptr{Cvoid}, Csize_t, Csize_t, Ptr{Cdouble}, Csize_t),
                 s, size(P, 1), size(P, 2), P, _leading_dimension(P)),
           "nks_sinkhorn_plan_dense")
    return P
end

plan_dense(s::Sinkhorn) = plan_dense!(Matrix{Float64}(undef, s.n, s.m), s)

"""
    NKSolve.plan_nnz(s::Sinkhorn, threshold::Real = 0.0) -> Int

The number of entries of the last solve's plan that are `≥ threshold` and nonzero
(`nks_sinkhorn_plan_nnz`).
"""
function plan_nnz(s::Sinkhorn, threshold::Real = 0.0)
    nnz = Ref{Csize_t}(0)
    _check(ccall((:nks_sinkhorn_plan_nnz, libnksolve), Int32, (Ptr{Cvoid}, Cdouble, Ref{Csize_t}), s, threshold, nnz),
           "nks_sinkhorn_plan_nnz")
    return Int(nnz[])
end

"""
    plan_sparse(s::Sinkhorn, threshold::Real = 0.0) -> (rows, cols, values)

The entries of the last solve's plan that are `≥ threshold` and nonzero, as coordinates
(`nks_sinkhorn_plan_sparse`): 1-based `Vector{Int64}` row and column indices and the
`Vector{Float64}` values, in row-major order (with `SparseArrays`,
`sparse(rows, cols, values, n, m)` builds the sparse plan). Throws an [`NKSolveError`](@ref):
`NKS_ERR_INVALID_STATE` before any successful solve, `NKS_ERR_INVALID_ARGUMENT` for a negative
or non-finite threshold.
"""
function plan_sparse(s::Sinkhorn, threshold::Real = 0.0)
    nnz = plan_nnz(s, threshold)
    rows = Vector{Int64}(undef, nnz)
    cols = Vector{Int64}(undef, nnz)
    values = Vector{Float64}(undef, nnz)
    _check(ccall((:nks_sinkhorn_plan_sparse, libnksolve), Int32,
                 (Ptr{Cvoid}, Cdouble, Int32, Ptr{Int64}, Ptr{Int64}, Ptr{Cdouble}, Csize_t),
                 s, threshold, Int32(1), rows, cols, values, nnz),
           "nks_sinkhorn_plan_sparse")
    return rows, cols, values
end

# ---------------------------------------------------------------------------------------------
# Unconstrained minimisation
# ---------------------------------------------------------------------------------------------

"""
    NewtonReport

What the last [`solve!`](@ref) of a [`Newton`](@ref) minimiser did: an `isbits` mirror of the C
struct `nks_newton_report`, field for field. Read it with [`report`](@ref)`(h)`; a monitor
receives the running report after every iteration (then `status` is 0 and `termination` is
`NKS_TERMINATION_NOT_STARTED`).

- `status::Int32`: the status the solve returned.
- `termination::Int32`: why it stopped: `NKSolve.NKS_TERMINATION_CONVERGED_ATOL`
  (`‖g‖ ≤ gatol`), `_CONVERGED_RTOL` (`‖g‖ ≤ grtol ‖g₀‖`), `_CONVERGED_STEP`, `_CONVERGED_FTOL`,
  `_MAX_ITERATIONS`, `_MAX_EVALUATIONS`, `_TIME_LIMIT`, `_STAGNATION`, `_MONITOR_STOP`,
  `_CALLBACK_FAILED` or `_NON_FINITE`; `NKS_TERMINATION_NOT_STARTED` before any solve.
- `method::Int32`: the method that ran (`NKSolve.NKS_NEWTON_*`).
- `iterations::Csize_t`: outer iterations, rejected trial steps included.
- `accepted_steps::Csize_t`: accepted steps.
- `value_calls`, `gradient_calls`, `value_gradient_calls`, `hessian_vector_calls`,
  `preconditioner_calls` (all `Csize_t`): calls of each oracle.
- `cg_iterations::Csize_t`: inner CG / Lanczos iterations over all steps.
- `hessian_refreshes::Csize_t`: lazy Hessian: times the Hessian was sampled.
- `rejected_steps::Csize_t`: trial points rejected (ratio, decrease test, backtracks).
- `failed_evaluations::Csize_t`: trial points an oracle could not evaluate
  ([`CannotEvaluate`](@ref), NaN or Inf), which made the solver shrink its step.
- `callback_code::Int32`: the code of the oracle that stopped the solve (0 if none; -1 for a
  Julia exception, which [`solve!`](@ref) rethrows).
- `initial_value`, `value::Cdouble`: `f` at the start and at the returned point.
- `initial_gradient_norm`, `gradient_norm::Cdouble`: `‖g‖` at the start and at the returned
  point.
- `step_norm::Cdouble`: length of the last accepted step.
- `parameter::Cdouble`: the method's adaptive parameter at the end (trust radius, lazy `M`,
  AICN `L` or `gamma`).
- `seconds::Cdouble`: wall-clock seconds.
"""
struct NewtonReport
    status::Int32
    termination::Int32
    method::Int32
    iterations::Csize_t
    accepted_steps::Csize_t
    value_calls::Csize_t
    gradient_calls::Csize_t
    value_gradient_calls::Csize_t
    hessian_vector_calls::Csize_t
    preconditioner_calls::Csize_t
    cg_iterations::Csize_t
    hessian_refreshes::Csize_t
    rejected_steps::Csize_t
    failed_evaluations::Csize_t
    callback_code::Int32
    initial_value::Cdouble
    value::Cdouble
    initial_gradient_norm::Cdouble
    gradient_norm::Cdouble
    step_norm::Cdouble
    parameter::Cdouble
    seconds::Cdouble
end

"""
    converged(r::NewtonReport) -> Bool

Whether a tolerance test passed (`"gatol"`, `"grtol"`, `"xtol"` or `"ftol"`).
"""
converged(r::NewtonReport) =
    r.termination == NKS_TERMINATION_CONVERGED_ATOL || r.termination == NKS_TERMINATION_CONVERGED_RTOL ||
    r.termination == NKS_TERMINATION_CONVERGED_STEP || r.termination == NKS_TERMINATION_CONVERGED_FTOL

"""
    CannotEvaluate(code::Integer = 1) <: Exception

Thrown by an oracle of a [`Newton`](@ref) minimiser that cannot evaluate the point it was
given (outside the domain of `f`, a simulation that fails there): the oracle returns `code`
(`> 0`) to the library, which counts a failed evaluation and shrinks its step instead of
stopping, as it does for a NaN or Inf result. At the starting point it stops the solve
([`solve!`](@ref) throws an [`NKSolveError`](@ref) with status `NKS_ERR_CALLBACK`, the code in
the report's `callback_code`). Any other exception an oracle throws stops the solve and is
rethrown by `solve!`.
"""
struct CannotEvaluate <: Exception
    code::Int32

    function CannotEvaluate(code::Integer = 1)
        0 < code <= typemax(Int32) || throw(ArgumentError("CannotEvaluate needs a code in 1:typemax(Int32), got $code"))
        return new(Int32(code))
    end
end

"""
    Newton(; method = :trust_region, options...)

An unconstrained minimiser (`nks_newton`): matrix-free Newton methods for `min f(x)` that see
`f` only through Julia functions (the *oracles*, set with [`set_oracles!`](@ref)): its value,
its gradient and products of its Hessian with vectors, plus optionally a preconditioner of the
inner CG ([`set_preconditioner!`](@ref)) and a monitor ([`set_monitor!`](@ref)).
[`solve!`](@ref)`(h, x)` then minimises from `x`.

- `method`: `:trust_region` (Newton-CG, Steihaug-Toint; the default), `:line_search`
  (Newton-CG with Armijo or strong Wolfe), `:lazy` (the Hessian sampled every `"lazy_period"`
  steps), `:damped` (AICN step size; convex `f`) or `:gradient_regularized` (or an
  `NKSolve.NKS_NEWTON_*` code).
- `options...`: options set with [`set_option!`](@ref) in the order given, e.g.
  `gatol = 1e-8, max_iterations = 200, initial_radius = 10.0`.

Defaults: stop at `‖g‖ ≤ 1e-8`, 1000 iterations. Throws an [`NKSolveError`](@ref) for a bad
option value or name, and an `ArgumentError` for an unknown method symbol. The handle is freed
by the garbage collector or at once by [`free!`](@ref). Use one minimiser from one task at a
time; the oracles run on the task that calls `solve!` and must not use the minimiser itself.
"""
mutable struct Newton
    ptr::Ptr{Cvoid}
    n::Int              # length of x of the last solve that started (0 before any)
    value::Any          # f(x) -> Real, or nothing
    gradient::Any       # gradient!(g, x), or nothing
    hessvec::Any        # hessvec!(hv, x, v)
    value_gradient::Any # value_gradient!(g, x) -> f, or nothing
    precond::Any        # precond!(z, x, r), or nothing
    monitor::Any        # monitor(report::NewtonReport, x) -> Bool, or nothing
    exception::Any      # what an oracle threw during the current solve, or nothing
    solving::Bool       # inside solve!: the oracles must not use the handle

    function Newton(; method::Union{Symbol, Integer, Nothing} = nothing, options...)
        out = Ref{Ptr{Cvoid}}(C_NULL)
        _check(ccall((:nks_newton_new, libnksolve), Int32, (Ref{Ptr{Cvoid}},), out), "nks_newton_new")
        h = finalizer(free!, new(out[], 0, nothing, nothing, nothing, nothing, nothing, nothing, nothing, false))
        method === nothing || set_option!(h, "method", method)
        for (name, value) in options
            set_option!(h, String(name), value)
        end
        return h
    end
end

# Passing a Newton to ccall passes its handle and keeps the minimiser (and with it the Julia
# oracles that user_data reaches) alive until the call returns. The oracles must not re-enter
# the library on the handle that is solving (freeing it there would free memory in use).
function Base.unsafe_convert(::Type{Ptr{Cvoid}}, h::Newton)
    h.solving && _newton_busy()
    return h.ptr
end

@noinline _newton_busy() = throw(ArgumentError("this Newton minimiser is inside solve!: its oracles cannot use it"))

function free!(h::Newton)
    h.solving && _newton_busy()
    if h.ptr != C_NULL
        ccall((:nks_newton_free, libnksolve), Cvoid, (Ptr{Cvoid},), h.ptr)
        h.ptr = C_NULL
    end
    return nothing
end

Base.show(io::IO, h::Newton) =
    print(io, h.ptr == C_NULL ? "NKSolve.Newton(freed)" :
              "NKSolve.Newton(method = :$(keys(_NEWTON_METHODS)[Int(get_option(h, "method")) + 1]))")

"""
    set_option!(h::Newton, name::AbstractString, value::Real)
    set_option!(h::Newton, "method", method::Symbol)

Sets an option of a minimiser by name (`nks_newton_set_option`): `"method"` (`:trust_region`,
`:line_search`, `:lazy`, `:damped`, `:gradient_regularized`, or an `NKSolve.NKS_NEWTON_*` code);
`"gatol"` `≥ 0` (default `1e-8`: stop at `‖g‖ ≤ gatol`); `"grtol"` `≥ 0` (default 0 = off:
`‖g‖ ≤ grtol ‖g₀‖`); `"xtol"` `≥ 0` (0 = off: stop when an accepted step is
`≤ xtol max(1, ‖x‖)`); `"ftol"` `≥ 0` (0 = off: stop when an accepted step changes `f` by
`≤ ftol max(1, |f|)`); `"max_iterations"` `≥ 1` (default 1000); `"max_evaluations"` `≥ 0` (all
oracle calls; 0 = no limit); `"max_seconds"` `≥ 0` (0 = no limit); `"forcing"` (0
Eisenstat-Walker, the default; 1 `min(0.5, √‖g‖)`; 2 fixed `"forcing_value"`),
`"forcing_value"` in `(0, 1)` (default 0.1), `"forcing_min"` in `(0, 1)` (default `1e-10`);
`"cg_max_iterations"` `≥ 0` (0: `n`, at most 10000); trust region: `"initial_radius"` `> 0`
(default 1), `"max_radius"` `> 0` (default `1e10`); line search: `"line_search"` (0 Armijo
backtracking, the default; 1 strong Wolfe), `"c1"` in `(0, 0.5)` (default `1e-4`), `"c2"` in
`(c1, 1)` (default 0.9); lazy Hessian: `"lazy_period"` `≥ 1` (default 5), `"lazy_rank"` in
`1:1000` (default 20), `"lazy_regularization"` (0 gradient, 1 cubic, the default),
`"regularization"` `> 0` (default 1); damped: `"lipschitz"` `≥ 0` (0: found by backtracking);
gradient-regularised: `"gamma"` `> 0` (default 1).

Throws an [`NKSolveError`](@ref): `NKS_ERR_UNKNOWN_OPTION` (the message lists the names),
`NKS_ERR_INVALID_ARGUMENT` for a value out of range (the option keeps its value).
"""
function set_option!(h::Newton, name::AbstractString, value::Real)
    _check(ccall((:nks_newton_set_option, libnksolve), Int32, (Ptr{Cvoid}, Cstring, Cdouble), h, String(name), value),
           "nks_newton_set_option")
    return h
end

function set_option!(h::Newton, name::AbstractString, value::Symbol)
    name == "method" || throw(ArgumentError("option \"$name\" takes a number, got :$value"))
    return set_option!(h, name, _lookup(_NEWTON_METHODS, value, "Newton method"))
end

"""
    get_option(h::Newton, name::AbstractString) -> Float64

Reads an option of a minimiser by name (`nks_newton_get_option`), in the encoding
[`set_option!`](@ref) takes (`"method"`: an `NKSolve.NKS_NEWTON_*` code). An unknown name throws
an [`NKSolveError`](@ref) listing the known ones.
"""
function get_option(h::Newton, name::AbstractString)
    value = Ref{Cdouble}(NaN)
    _check(ccall((:nks_newton_get_option, libnksolve), Int32, (Ptr{Cvoid}, Cstring, Ref{Cdouble}),
                 h, String(name), value),
           "nks_newton_get_option")
    return value[]
end

# ----- oracles -------------------------------------------------------------------------------
#
# As for KrylovSolver: plain, non-closure @cfunction trampolines, called with user_data = the
# Newton object itself (pointer_from_objref), which is alive whenever the library can call them
# (only inside nks_newton_solve, to which solve! passes the object under GC.@preserve; the
# finalizer frees the handle, so the handle never outlives the object). Arrays are wrapped, not
# copied. CannotEvaluate becomes its positive code (the library shrinks its step); anything
# else an oracle throws is stored, the trampoline returns -1 (the solve stops) and solve!
# rethrows it after the C call has returned: no Julia exception unwinds through the library.

function _oracle_failure!(h::Newton, e)
    e isa CannotEvaluate && return Cint(e.code)
    h.exception === nothing && (h.exception = e)
    return Cint(-1)
end

function _newton_value_trampoline(x::Ptr{Cdouble}, n::Csize_t, f::Ptr{Cdouble}, user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Newton
    try
        unsafe_store!(f, Float64(h.value(unsafe_wrap(Array, x, Int(n)))))
        return Cint(0)
    catch e
        return _oracle_failure!(h, e)
    end
end

function _newton_gradient_trampoline(x::Ptr{Cdouble}, n::Csize_t, g::Ptr{Cdouble}, user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Newton
    try
        len = Int(n)
        h.gradient(unsafe_wrap(Array, g, len), unsafe_wrap(Array, x, len))
        return Cint(0)
    catch e
        return _oracle_failure!(h, e)
    end
end

function _newton_value_gradient_trampoline(x::Ptr{Cdouble}, n::Csize_t, f::Ptr{Cdouble}, g::Ptr{Cdouble},
                                           user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Newton
    try
        len = Int(n)
        unsafe_store!(f, Float64(h.value_gradient(unsafe_wrap(Array, g, len), unsafe_wrap(Array, x, len))))
        return Cint(0)
    catch e
        return _oracle_failure!(h, e)
    end
end

function _newton_hessvec_trampoline(x::Ptr{Cdouble}, v::Ptr{Cdouble}, n::Csize_t, hv::Ptr{Cdouble},
                                    user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Newton
    try
        len = Int(n)
        h.hessvec(unsafe_wrap(Array, hv, len), unsafe_wrap(Array, x, len), unsafe_wrap(Array, v, len))
        return Cint(0)
    catch e
        return _oracle_failure!(h, e)
    end
end

function _newton_precond_trampoline(x::Ptr{Cdouble}, r::Ptr{Cdouble}, n::Csize_t, z::Ptr{Cdouble},
                                    user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Newton
    try
        len = Int(n)
        h.precond(unsafe_wrap(Array, z, len), unsafe_wrap(Array, x, len), unsafe_wrap(Array, r, len))
        return Cint(0)
    catch e
        return _oracle_failure!(h, e)
    end
end

function _newton_monitor_trampoline(running::Ptr{NewtonReport}, x::Ptr{Cdouble}, n::Csize_t,
                                    user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Newton
    try
        keep_going = h.monitor(unsafe_load(running), unsafe_wrap(Array, x, Int(n)))
        keep_going isa Bool ||
            throw(ArgumentError("a monitor must return true (continue) or false (stop), got $(repr(keep_going))"))
        return keep_going ? Cint(0) : Cint(1)
    catch e
        e isa CannotEvaluate && (e = ArgumentError("a monitor cannot throw CannotEvaluate; return false to stop"))
        return _oracle_failure!(h, e)
    end
end

"""
    set_oracles!(h::Newton, value, gradient!, hessvec!; value_gradient = nothing)

Sets the oracles of `f`, replacing the previous ones (`nks_newton_set_oracles`):

- `value(x) -> Real`: `f(x)`;
- `gradient!(g, x)`: overwrites `g` with `∇f(x)`;
- `hessvec!(hv, x, v)`: overwrites `hv` with `∇²f(x) v` (required);
- `value_gradient = fg!`, `fg!(g, x) -> f`: both at once, used wherever both are needed at one
  point (and for each alone when `value` or `gradient!` is `nothing`).

`x`, `v` and the outputs are `Vector{Float64}` views of library memory, valid only during the
call: do not keep them, and do not modify `x` or `v`. An oracle that cannot evaluate `x` throws
[`CannotEvaluate`](@ref)`()` (or returns / writes NaN or Inf): the solver shrinks its step. Any
other exception stops the solve and [`solve!`](@ref) rethrows it. Throws an
[`NKSolveError`](@ref) (`NKS_ERR_NULL_POINTER`, naming it) when `hessvec!`, or both `value` and
`value_gradient`, or both `gradient!` and `value_gradient`, are `nothing`; the previous oracles
then stay.
"""
function set_oracles!(h::Newton, value, gradient!, hessvec!; value_gradient = nothing)
    f = value === nothing ? C_NULL :
        @cfunction(_newton_value_trampoline, Cint, (Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Ptr{Cvoid}))
    g = gradient! === nothing ? C_NULL :
        @cfunction(_newton_gradient_trampoline, Cint, (Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Ptr{Cvoid}))
    fg = value_gradient === nothing ? C_NULL :
         @cfunction(_newton_value_gradient_trampoline, Cint, (Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Ptr{Cdouble}, Ptr{Cvoid}))
    hv = hessvec! === nothing ? C_NULL :
         @cfunction(_newton_hessvec_trampoline, Cint, (Ptr{Cdouble}, Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Ptr{Cvoid}))
    status = ccall((:nks_newton_set_oracles, libnksolve), Int32,
                   (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}),
                   h, f, g, fg, hv, pointer_from_objref(h))
    _check(status, "nks_newton_set_oracles")
    # only now: on failure the handle keeps its previous oracles
    h.value, h.gradient, h.hessvec, h.value_gradient = value, gradient!, hessvec!, value_gradient
    return h
end

"""
    set_preconditioner!(h::Newton, precond!)
    set_preconditioner!(h::Newton, nothing)

Sets the preconditioner of the inner CG (`nks_newton_set_preconditioner`):
`precond!(z, x, r)` overwrites `z` with `M(x)⁻¹ r` for a symmetric positive definite `M(x)`
approximating the Hessian at `x` (the trust region is then measured in its norm). Same rules
as the oracles of [`set_oracles!`](@ref) ([`CannotEvaluate`](@ref): that CG iteration runs
unpreconditioned). `nothing` removes it.
"""
function set_preconditioner!(h::Newton, precond!)
    trampoline = @cfunction(_newton_precond_trampoline, Cint, (Ptr{Cdouble}, Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Ptr{Cvoid}))
    status = ccall((:nks_newton_set_preconditioner, libnksolve), Int32, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}),
                   h, trampoline, pointer_from_objref(h))
    _check(status, "nks_newton_set_preconditioner")
    h.precond = precond!
    return h
end

function set_preconditioner!(h::Newton, ::Nothing)
    _check(ccall((:nks_newton_set_preconditioner, libnksolve), Int32, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}),
                 h, C_NULL, C_NULL),
           "nks_newton_set_preconditioner")
    h.precond = nothing
    return h
end

"""
    set_monitor!(h::Newton, monitor)
    set_monitor!(h::Newton, nothing)

Installs a monitor called after every iteration as `monitor(report::NewtonReport, x)` with the
running report and the current point (`nks_newton_set_monitor`; `x` as in the oracles). It
returns `true` to continue or `false` to stop: [`solve!`](@ref) then throws an
[`NKSolveError`](@ref) with status `NKSolve.NKS_ERR_ABORTED`, `x` untouched, and
[`last_point`](@ref)`(h)` holds the point reached. If it throws, `solve!` rethrows. `nothing`
removes the monitor.
"""
function set_monitor!(h::Newton, monitor)
    trampoline = @cfunction(_newton_monitor_trampoline, Cint, (Ptr{NewtonReport}, Ptr{Cdouble}, Csize_t, Ptr{Cvoid}))
    status = ccall((:nks_newton_set_monitor, libnksolve), Int32, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}),
                   h, trampoline, pointer_from_objref(h))
    _check(status, "nks_newton_set_monitor")
    h.monitor = monitor
    return h
end

function set_monitor!(h::Newton, ::Nothing)
    _check(ccall((:nks_newton_set_monitor, libnksolve), Int32, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}), h, C_NULL, C_NULL),
           "nks_newton_set_monitor")
    h.monitor = nothing
    return h
end

"""
    solve!(h::Newton, x) -> status::Int32

Minimises `f` from `x` (a contiguous `Vector{Float64}` or unit-stride view, `length(x) ≥ 1`;
`nks_newton_solve`); the oracles get `x`'s length. Returns

- `NKSolve.NKS_OK` (0): a tolerance test passed; `x` holds the minimiser;
- `NKSolve.NKS_MAX_ITERATIONS` (iteration or oracle-call limit), `NKS_TIME_LIMIT`,
  `NKS_STAGNATION` (no acceptable step) (> 0): `x` holds the last accepted point, the lowest `f`
  found.

Any failure throws, with `x` untouched: the exception an oracle or the monitor threw, or an
[`NKSolveError`](@ref) with the status and the library's message (`NKS_ERR_CALLBACK`: an oracle
threw [`CannotEvaluate`](@ref) at the starting point; `NKS_ERR_NON_FINITE`: NaN or Inf in `x`
or from the oracles at the start; `NKS_ERR_ABORTED`: the monitor returned `false`;
`NKS_ERR_INVALID_STATE`: no oracles). After a solve that started, [`last_point`](@ref)`(h)`
gives the last accepted point, so an aborted run loses nothing. Details are in
[`report`](@ref)`(h)`.
"""
function solve!(h::Newton, x::StridedVector{Float64})
    _unit_stride(x, "x")
    h.solving && _newton_busy()
    n = length(x)
    h.exception = nothing
    h.solving = true
    status = try
        # h.ptr is passed as it is (unsafe_convert refuses a solving handle); GC.@preserve keeps h,
        # and with it the oracles that user_data reaches, alive during the call.
        GC.@preserve h x ccall((:nks_newton_solve, libnksolve), Int32, (Ptr{Cvoid}, Csize_t, Ptr{Cdouble}),
                               h.ptr, n, x)
    finally
        h.solving = false
    end
    message = status < 0 ? last_error_message() : ""   # read before anything else runs
    # Whether the solve started (and so replaced the last point): all but the refusals of the
    # input, which evaluate nothing (x is untouched on failure, so its NaN / Inf is still there).
    refused = status == NKS_ERR_NULL_POINTER || status == NKS_ERR_INVALID_ARGUMENT ||
              status == NKS_ERR_INVALID_STATE || (status == NKS_ERR_NON_FINITE && !all(isfinite, x))
    refused || (h.n = n)
    e = h.exception
    if e !== nothing
        h.exception = nothing
        throw(e)
    end
    status < 0 && throw(NKSolveError(status, "nks_newton_solve", message))
    return status
end

"""
    report(h::Newton) -> NewtonReport

The report of the last solve on `h` that started (`nks_newton_get_report`): see
[`NewtonReport`](@ref). A solve refused for its input leaves the previous report in place.
"""
function report(h::Newton)
    out = Ref{NewtonReport}()
    _check(ccall((:nks_newton_get_report, libnksolve), Int32, (Ptr{Cvoid}, Ref{NewtonReport}), h, out),
           "nks_newton_get_report")
    return out[]
end

"""
    last_point!(x, h::Newton) -> x
    last_point(h::Newton) -> Vector{Float64}

The last accepted point of the last solve that started (`nks_newton_get_point`): the result of
a solve that failed or was aborted and left its own `x` untouched. `last_point!` writes into
`x` (contiguous, of the solve's length). Throws an [`NKSolveError`](@ref):
`NKS_ERR_INVALID_STATE` before any solve, `NKS_ERR_DIMENSION_MISMATCH` when `length(x)` is not
the last solve's.
"""
function last_point!(x::StridedVector{Float64}, h::Newton)
    _unit_stride(x, "x")
    _check(ccall((:nks_newton_get_point, libnksolve), Int32, (Ptr{Cvoid}, Csize_t, Ptr{Cdouble}), h, length(x), x),
           "nks_newton_get_point")
    return x
end

last_point(h::Newton) = last_point!(Vector{Float64}(undef, h.n), h)

# ---------------------------------------------------------------------------------------------
# Nonlinear systems and least squares
# ---------------------------------------------------------------------------------------------

"""
    NonlinearReport

What the last [`solve!`](@ref) of a [`Nonlinear`](@ref) solver did: an `isbits` mirror of the
C struct `nks_nonlinear_report`, field for field. Read it with [`report`](@ref)`(h)`; a monitor
receives the running report after every step (then `status` is 0 and `termination` is
`NKS_TERMINATION_NOT_STARTED`).

- `status::Int32`: the status the solve returned.
- `termination::Int32`: why it stopped: `NKSolve.NKS_TERMINATION_CONVERGED_ATOL`
  (`‖F‖ ≤ fatol`), `_CONVERGED_RTOL` (`‖F‖ ≤ frtol ‖F₀‖`), `_CONVERGED_STATIONARY`
  (Levenberg-Marquardt: `‖Jᵀ F‖ ≤ gatol`), `_CONVERGED_STEP`, `_MAX_ITERATIONS`,
  `_MAX_EVALUATIONS`, `_TIME_LIMIT`, `_STAGNATION`, `_MONITOR_STOP`, `_CALLBACK_FAILED` or
  `_NON_FINITE`; `NKS_TERMINATION_NOT_STARTED` before any solve.
- `method::Int32`: the method that ran (`NKSolve.NKS_NONLINEAR_*`).
- `iterations::Csize_t`: steps taken (rejected Levenberg-Marquardt steps included).
- `residual_evaluations::Csize_t`: residual calls, those of finite-difference products and line
  searches included.
- `fd_products::Csize_t`: Jacobian-vector products done by finite differences.
- `jacobian_vector_calls`, `jacobian_transpose_calls`, `preconditioner_calls` (all `Csize_t`):
  calls of each oracle.
- `inner_iterations::Csize_t`: inner Krylov (GMRES / GCRO-DR) or CGLS iterations over all steps.
- `rejected_steps::Csize_t`: trial points rejected (line-search backtracks, rejected
  Levenberg-Marquardt steps).
- `failed_evaluations::Csize_t`: trial points the residual could not evaluate
  ([`CannotEvaluate`](@ref), NaN or Inf).
- `steps::Csize_t`: step records kept (read them with [`steps`](@ref)).
- `recycled_vectors::Csize_t`: recycled vectors kept for the next solve (GCRO-DR).
- `callback_code::Int32`: the code of the oracle that stopped the solve (0 if none; -1 for a
  Julia exception, which [`solve!`](@ref) rethrows).
- `initial_residual_norm`, `residual_norm::Cdouble`: `‖F‖` at the start and at the returned
  point.
- `gradient_norm::Cdouble`: `‖Jᵀ F‖` at the returned point (Levenberg-Marquardt; NaN for
  Newton-Krylov).
- `step_norm::Cdouble`: length of the last accepted step.
- `seconds::Cdouble`: wall-clock seconds.
"""
struct NonlinearReport
    status::Int32
    termination::Int32
    method::Int32
    iterations::Csize_t
    residual_evaluations::Csize_t
    fd_products::Csize_t
    jacobian_vector_calls::Csize_t
    jacobian_transpose_calls::Csize_t
    preconditioner_calls::Csize_t
    inner_iterations::Csize_t
    rejected_steps::Csize_t
    failed_evaluations::Csize_t
    steps::Csize_t
    recycled_vectors::Csize_t
    callback_code::Int32
    initial_residual_norm::Cdouble
    residual_norm::Cdouble
    gradient_norm::Cdouble
    step_norm::Cdouble
    seconds::Cdouble
end

"""
    NonlinearStep

One step of the last [`solve!`](@ref) of a [`Nonlinear`](@ref) solver (an `isbits` mirror of
the C struct `nks_nonlinear_step`; read them with [`steps`](@ref)): how inexact its linear
solve was and what recycling did.

- `residual_norm::Cdouble`: `‖F‖` at the start of the step.
- `forcing::Cdouble`: the relative residual the inner solve was asked for.
- `linear_residual::Cdouble`: the relative residual the inner solve reached.
- `inner_iterations::Csize_t`: inner Krylov / CGLS iterations.
- `jacobian_products::Csize_t`: Jacobian applications of the inner solve (the recycle space's
  re-fit included).
- `recycled_vectors::Csize_t`: recycled vectors the inner solve started with.
- `step_length::Cdouble`: step length taken (1: a full step; 0: a rejected
  Levenberg-Marquardt step).
- `lm_parameter::Cdouble`: the Levenberg-Marquardt parameter `μ` of the step (0 for
  Newton-Krylov).
"""
struct NonlinearStep
    residual_norm::Cdouble
    forcing::Cdouble
    linear_residual::Cdouble
    inner_iterations::Csize_t
    jacobian_products::Csize_t
    recycled_vectors::Csize_t
    step_length::Cdouble
    lm_parameter::Cdouble
end

"""
    converged(r::NonlinearReport) -> Bool

Whether a tolerance test passed (`"fatol"`, `"frtol"`, `"gatol"` or `"xtol"`).
"""
converged(r::NonlinearReport) =
    r.termination == NKS_TERMINATION_CONVERGED_ATOL || r.termination == NKS_TERMINATION_CONVERGED_RTOL ||
    r.termination == NKS_TERMINATION_CONVERGED_STATIONARY || r.termination == NKS_TERMINATION_CONVERGED_STEP

"""
    Nonlinear(; method = :newton_krylov, options...)

A solver of nonlinear systems `F(x) = 0` and least-squares problems `min ‖F(x)‖² / 2`
(`nks_nonlinear`) that sees `F` only through Julia functions (the *oracles*, set with
[`set_oracles!`](@ref)): the residual, and optionally products of the Jacobian and of its
transpose with vectors, plus optionally a preconditioner of the inner Krylov solve
([`set_preconditioner!`](@ref)) and a monitor ([`set_monitor!`](@ref)).
[`solve!`](@ref)`(h, x)` then solves from `x`.

- `method`: `:newton_krylov` (Jacobian-free Newton-Krylov for square systems: inexact Newton
  steps from GMRES or GCRO-DR, Eisenstat-Walker forcing, backtracking; the default) or
  `:levenberg_marquardt` (least squares; needs the `Jᵀ w` oracle) (or an
  `NKSolve.NKS_NONLINEAR_*` code).
- `options...`: options set with [`set_option!`](@ref) in the order given, e.g.
  `krylov_method = :gmres, frtol = 1e-10`.

Defaults: GCRO-DR(30, 10) as the inner solver, its recycle space carried from one Newton step
and one `solve!` to the next (so a time-stepping loop keeps one solver for all its steps; see
[`clear_recycle_space!`](@ref)); stop at `‖F‖ ≤ max(1e-10, 1e-8 ‖F₀‖)`, 100 steps. Throws an
[`NKSolveError`](@ref) for a bad option value or name, and an `ArgumentError` for an unknown
method symbol. The handle is freed by the garbage collector or at once by [`free!`](@ref). Use
one solver from one task at a time; the oracles run on the task that calls `solve!` and must
not use the solver itself.
"""
mutable struct Nonlinear
    ptr::Ptr{Cvoid}
    n::Int                  # length of x of the last solve that started (0 before any)
    residual::Any           # residual!(f, x), or nothing
    jacobian_vector::Any    # jacobian_vector!(jv, x, v), or nothing
    jacobian_transpose::Any # jacobian_transpose!(jtw, x, w), or nothing
    precond::Any            # precond!(z, x, r), or nothing
    monitor::Any            # monitor(report::NonlinearReport, x) -> Bool, or nothing
    exception::Any          # what an oracle threw during the current solve, or nothing
    solving::Bool           # inside solve!: the oracles must not use the handle

    function Nonlinear(; method::Union{Symbol, Integer, Nothing} = nothing, options...)
        out = Ref{Ptr{Cvoid}}(C_NULL)
        _check(ccall((:nks_nonlinear_new, libnksolve), Int32, (Ref{Ptr{Cvoid}},), out), "nks_nonlinear_new")
        h = finalizer(free!, new(out[], 0, nothing, nothing, nothing, nothing, nothing, nothing, false))
        method === nothing || set_option!(h, "method", method)
        for (name, value) in options
            set_option!(h, String(name), value)
        end
        return h
    end
end

# As for Newton: passing a Nonlinear to ccall passes its handle and keeps the solver (and the
# Julia oracles that user_data reaches) alive; a handle that is solving is refused.
function Base.unsafe_convert(::Type{Ptr{Cvoid}}, h::Nonlinear)
    h.solving && _nonlinear_busy()
    return h.ptr
end

@noinline _nonlinear_busy() = throw(ArgumentError("this Nonlinear solver is inside solve!: its oracles cannot use it"))

function free!(h::Nonlinear)
    h.solving && _nonlinear_busy()
    if h.ptr != C_NULL
        ccall((:nks_nonlinear_free, libnksolve), Cvoid, (Ptr{Cvoid},), h.ptr)
        h.ptr = C_NULL
    end
    return nothing
end

Base.show(io::IO, h::Nonlinear) =
    print(io, h.ptr == C_NULL ? "NKSolve.Nonlinear(freed)" :
              "NKSolve.Nonlinear(method = :$(keys(_NONLINEAR_METHODS)[Int(get_option(h, "method")) + 1]))")

"""
    set_option!(h::Nonlinear, name::AbstractString, value::Real)
    set_option!(h::Nonlinear, "method", method::Symbol)
    set_option!(h::Nonlinear, "krylov_method", method::Symbol)

Sets an option of a nonlinear solver by name (`nks_nonlinear_set_option`): `"method"`
(`:newton_krylov`, `:levenberg_marquardt`, or an `NKSolve.NKS_NONLINEAR_*` code); `"fatol"`
`≥ 0` (default `1e-10`: stop at `‖F‖ ≤ fatol`); `"frtol"` `≥ 0` (default `1e-8`:
`‖F‖ ≤ frtol ‖F₀‖`); `"gatol"` `≥ 0` (default `1e-10`: Levenberg-Marquardt stops at
`‖Jᵀ F‖ ≤ gatol`); `"xtol"` `≥ 0` (0 = off: stop when an accepted step is
`≤ xtol max(1, ‖x‖)`); `"max_iterations"` `≥ 1` (default 100); `"max_evaluations"` `≥ 0`
(residual calls; 0 = no limit); `"max_seconds"` `≥ 0` (0 = no limit); `"forcing"` (0
Eisenstat-Walker, the default; 1 `min(0.5, √‖F‖)`; 2 fixed `"forcing_value"`),
`"forcing_value"` in `(0, 1)` (default 0.1), `"forcing_min"` in `(0, 1)` (default `1e-10`);
`"c1"` in `(0, 0.5)` (default `1e-4`); `"line_search"` (0 backtracking, the default; 1 full
steps); `"krylov_method"` (`:gmres` or `:gcrodr`, the default, or their
`NKSolve.NKS_KRYLOV_*` codes); `"restart"` `≥ 2` (default 30); `"recycle_dim"` `≥ 0` (default
10); `"keep_recycle_space"` (1, the default: carried from one solve to the next; 0);
`"inner_max_iterations"` `≥ 1` (default 1000); `"fd_error"` in `(0, 1)` (default `√eps`);
`"lm_xi"` `> 0` (default 1), `"lm_omega"` `≥ 0` (default 0), `"lm_eta"` in `(0, 2]` (default
1): the Levenberg-Marquardt parameter `μ = ξ ‖F‖^η + ω ‖Jᵀ F‖^η`.

Throws an [`NKSolveError`](@ref): `NKS_ERR_UNKNOWN_OPTION` (the message lists the names),
`NKS_ERR_INVALID_ARGUMENT` for a value out of range (the option keeps its value).
"""
function set_option!(h::Nonlinear, name::AbstractString, value::Real)
    _check(ccall((:nks_nonlinear_set_option, libnksolve), Int32, (Ptr{Cvoid}, Cstring, Cdouble), h, String(name), value),
           "nks_nonlinear_set_option")
    return h
end

function set_option!(h::Nonlinear, name::AbstractString, value::Symbol)
    name == "method" && return set_option!(h, name, _lookup(_NONLINEAR_METHODS, value, "nonlinear method"))
    name == "krylov_method" && return set_option!(h, name, _lookup(_METHODS, value, "Krylov method"))
    throw(ArgumentError("option \"$name\" takes a number, got :$value"))
end

"""
    get_option(h::Nonlinear, name::AbstractString) -> Float64

Reads an option of a nonlinear solver by name (`nks_nonlinear_get_option`), in the encoding
[`set_option!`](@ref) takes (`"method"`: an `NKSolve.NKS_NONLINEAR_*` code; `"krylov_method"`:
an `NKSolve.NKS_KRYLOV_*` code). An unknown name throws an [`NKSolveError`](@ref) listing the
known ones.
"""
function get_option(h::Nonlinear, name::AbstractString)
    value = Ref{Cdouble}(NaN)
    _check(ccall((:nks_nonlinear_get_option, libnksolve), Int32, (Ptr{Cvoid}, Cstring, Ref{Cdouble}),
                 h, String(name), value),
           "nks_nonlinear_get_option")
    return value[]
end

# ----- oracles -------------------------------------------------------------------------------
#
# As for Newton: plain, non-closure @cfunction trampolines called with user_data = the
# Nonlinear object itself, alive whenever the library can call them (only inside
# nks_nonlinear_solve, to which solve! passes the object under GC.@preserve). Arrays are
# wrapped, not copied. CannotEvaluate becomes its positive code (for the residual the library
# shortens its step; for the other oracles any non-zero code stops the solve); anything else
# an oracle throws is stored, the trampoline returns -1 and solve! rethrows it.

function _oracle_failure!(h::Nonlinear, e)
    e isa CannotEvaluate && return Cint(e.code)
    h.exception === nothing && (h.exception = e)
    return Cint(-1)
end

function _nonlinear_residual_trampoline(x::Ptr{Cdouble}, n::Csize_t, f::Ptr{Cdouble}, m::Csize_t,
                                        user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Nonlinear
    try
        h.residual(unsafe_wrap(Array, f, Int(m)), unsafe_wrap(Array, x, Int(n)))
        return Cint(0)
    catch e
        return _oracle_failure!(h, e)
    end
end

function _nonlinear_jacvec_trampoline(x::Ptr{Cdouble}, v::Ptr{Cdouble}, n::Csize_t, jv::Ptr{Cdouble}, m::Csize_t,
                                      user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Nonlinear
    try
        len = Int(n)
        h.jacobian_vector(unsafe_wrap(Array, jv, Int(m)), unsafe_wrap(Array, x, len), unsafe_wrap(Array, v, len))
        return Cint(0)
    catch e
        return _oracle_failure!(h, e)
    end
end

# The C argument order of J^T w: (x, w, m, jtw, n, user_data).
function _nonlinear_jactvec_trampoline(x::Ptr{Cdouble}, w::Ptr{Cdouble}, m::Csize_t, jtw::Ptr{Cdouble}, n::Csize_t,
                                       user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Nonlinear
    try
        len = Int(n)
        h.jacobian_transpose(unsafe_wrap(Array, jtw, len), unsafe_wrap(Array, x, len), unsafe_wrap(Array, w, Int(m)))
        return Cint(0)
    catch e
        return _oracle_failure!(h, e)
    end
end

function _nonlinear_precond_trampoline(x::Ptr{Cdouble}, r::Ptr{Cdouble}, n::Csize_t, z::Ptr{Cdouble},
                                       user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Nonlinear
    try
        len = Int(n)
        h.precond(unsafe_wrap(Array, z, len), unsafe_wrap(Array, x, len), unsafe_wrap(Array, r, len))
        return Cint(0)
    catch e
        return _oracle_failure!(h, e)
    end
end

function _nonlinear_monitor_trampoline(running::Ptr{NonlinearReport}, x::Ptr{Cdouble}, n::Csize_t,
                                       user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Nonlinear
    try
        keep_going = h.monitor(unsafe_load(running), unsafe_wrap(Array, x, Int(n)))
        keep_going isa Bool ||
            throw(ArgumentError("a monitor must return true (continue) or false (stop), got $(repr(keep_going))"))
        return keep_going ? Cint(0) : Cint(1)
    catch e
        e isa CannotEvaluate && (e = ArgumentError("a monitor cannot throw CannotEvaluate; return false to stop"))
        return _oracle_failure!(h, e)
    end
end

"""
    set_oracles!(h::Nonlinear, residual!; jacobian_vector = nothing, jacobian_transpose = nothing, m = 0)

Sets the oracles of `F`, replacing the previous ones (`nks_nonlinear_set_oracles`):

- `residual!(f, x)`: overwrites `f` (length `m`) with `F(x)` (`x` of length `n`) (required);
- `jacobian_vector = jv!`, `jv!(jv, x, v)`: overwrites `jv` with `J(x) v` (without it
  Newton-Krylov uses the finite difference `(F(x + h v) - F(x)) / h`);
- `jacobian_transpose = jtw!`, `jtw!(jtw, x, w)`: overwrites `jtw` with `J(x)ᵀ w` (needed by
  Levenberg-Marquardt);
- `m`: the number of residuals (0, the default: `m = n`, a square system, which Newton-Krylov
  needs).

`x`, `v`, `w` and the outputs are `Vector{Float64}` views of library memory, valid only during
the call: do not keep them, and do not modify `x`, `v` or `w`. A residual that cannot evaluate
`x` throws [`CannotEvaluate`](@ref)`()` (or writes NaN or Inf): the solver shortens its step.
The product oracles run at accepted points only, where that cannot help: `CannotEvaluate` from
them stops the solve (`NKS_ERR_CALLBACK`, its code in the report). Any other exception stops
the solve and [`solve!`](@ref) rethrows it. Throws an [`NKSolveError`](@ref)
(`NKS_ERR_NULL_POINTER`) when `residual!` is `nothing`, and an `ArgumentError` for `m < 0`; the
previous oracles then stay.
"""
function set_oracles!(h::Nonlinear, residual!; jacobian_vector = nothing, jacobian_transpose = nothing, m::Integer = 0)
    _nonnegative(m, "m")
    f = residual! === nothing ? C_NULL :
        @cfunction(_nonlinear_residual_trampoline, Cint, (Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Csize_t, Ptr{Cvoid}))
    jv = jacobian_vector === nothing ? C_NULL :
         @cfunction(_nonlinear_jacvec_trampoline, Cint, (Ptr{Cdouble}, Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Csize_t, Ptr{Cvoid}))
    jtw = jacobian_transpose === nothing ? C_NULL :
          @cfunction(_nonlinear_jactvec_trampoline, Cint, (Ptr{Cdouble}, Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Csize_t, Ptr{Cvoid}))
    status = ccall((:nks_nonlinear_set_oracles, libnksolve), Int32,
                   (Ptr{Cvoid}, Csize_t, Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}),
                   h, m, f, jv, jtw, pointer_from_objref(h))
    _check(status, "nks_nonlinear_set_oracles")
    # only now: on failure the handle keeps its previous oracles
    h.residual, h.jacobian_vector, h.jacobian_transpose = residual!, jacobian_vector, jacobian_transpose
    return h
end

"""
    set_preconditioner!(h::Nonlinear, precond!)
    set_preconditioner!(h::Nonlinear, nothing)

Sets the right preconditioner of the Newton-Krylov inner solve
(`nks_nonlinear_set_preconditioner`): `precond!(z, x, r)` overwrites `z` with `M(x)⁻¹ r` for an
approximation `M(x)` of the Jacobian at the Newton iterate `x`. Same rules as the product
oracles of [`set_oracles!`](@ref). `nothing` removes it.
"""
function set_preconditioner!(h::Nonlinear, precond!)
    trampoline = @cfunction(_nonlinear_precond_trampoline, Cint, (Ptr{Cdouble}, Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Ptr{Cvoid}))
    status = ccall((:nks_nonlinear_set_preconditioner, libnksolve), Int32, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}),
                   h, trampoline, pointer_from_objref(h))
    _check(status, "nks_nonlinear_set_preconditioner")
    h.precond = precond!
    return h
end

function set_preconditioner!(h::Nonlinear, ::Nothing)
    _check(ccall((:nks_nonlinear_set_preconditioner, libnksolve), Int32, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}),
                 h, C_NULL, C_NULL),
           "nks_nonlinear_set_preconditioner")
    h.precond = nothing
    return h
end

"""
    set_monitor!(h::Nonlinear, monitor)
    set_monitor!(h::Nonlinear, nothing)

Installs a monitor called after every step as `monitor(report::NonlinearReport, x)` with the
running report and the current point (`nks_nonlinear_set_monitor`; `x` as in the oracles). It
returns `true` to continue or `false` to stop: [`solve!`](@ref) then throws an
[`NKSolveError`](@ref) with status `NKSolve.NKS_ERR_ABORTED`, `x` untouched, and
[`last_point`](@ref)`(h)` holds the point reached. If it throws, `solve!` rethrows. `nothing`
removes the monitor.
"""
function set_monitor!(h::Nonlinear, monitor)
    trampoline = @cfunction(_nonlinear_monitor_trampoline, Cint, (Ptr{NonlinearReport}, Ptr{Cdouble}, Csize_t, Ptr{Cvoid}))
    status = ccall((:nks_nonlinear_set_monitor, libnksolve), Int32, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}),
                   h, trampoline, pointer_from_objref(h))
    _check(status, "nks_nonlinear_set_monitor")
    h.monitor = monitor
    return h
end

function set_monitor!(h::Nonlinear, ::Nothing)
    _check(ccall((:nks_nonlinear_set_monitor, libnksolve), Int32, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}), h, C_NULL, C_NULL),
           "nks_nonlinear_set_monitor")
    h.monitor = nothing
    return h
end

"""
    solve!(h::Nonlinear, x) -> status::Int32

Solves `F(x) = 0` (Newton-Krylov) or minimises `‖F(x)‖² / 2` (Levenberg-Marquardt) from `x` (a
contiguous `Vector{Float64}` or unit-stride view, `length(x) ≥ 1`; `nks_nonlinear_solve`); the
oracles get `x`'s length. The recycle space of the last solve carries into this one (see
[`clear_recycle_space!`](@ref)). Returns

- `NKSolve.NKS_OK` (0): a tolerance test passed; `x` holds the solution;
- `NKSolve.NKS_MAX_ITERATIONS` (step or evaluation limit), `NKS_TIME_LIMIT`, `NKS_STAGNATION`
  (no acceptable step) (> 0): `x` holds the last accepted point.

Any failure throws, with `x` untouched: the exception an oracle or the monitor threw, or an
[`NKSolveError`](@ref) with the status and the library's message (`NKS_ERR_CALLBACK`: a product
oracle or the preconditioner threw [`CannotEvaluate`](@ref); `NKS_ERR_NON_FINITE`: NaN or Inf
in `x`, or a residual that cannot be evaluated at the start; `NKS_ERR_ABORTED`: the monitor
returned `false`; `NKS_ERR_DIMENSION_MISMATCH`: Newton-Krylov with `m ≠ n`;
`NKS_ERR_INVALID_ARGUMENT`: Levenberg-Marquardt without `Jᵀ w`; `NKS_ERR_INVALID_STATE`: no
oracles). After a solve that started, [`last_point`](@ref)`(h)` gives the last accepted point,
so an aborted run loses nothing. Details are in [`report`](@ref)`(h)` and [`steps`](@ref)`(h)`.
"""
function solve!(h::Nonlinear, x::StridedVector{Float64})
    _unit_stride(x, "x")
    h.solving && _nonlinear_busy()
    n = length(x)
    h.exception = nothing
    h.solving = true
    status = try
        # h.ptr is passed as it is (unsafe_convert refuses a solving handle); GC.@preserve keeps h,
        # and with it the oracles that user_data reaches, alive during the call.
        GC.@preserve h x ccall((:nks_nonlinear_solve, libnksolve), Int32, (Ptr{Cvoid}, Csize_t, Ptr{Cdouble}),
                               h.ptr, n, x)
    finally
        h.solving = false
    end
    message = status < 0 ? last_error_message() : ""   # read before anything else runs
    # Whether the solve started (and so replaced the last point): all but the refusals of the
    # input, which evaluate nothing (x is untouched on failure, so its NaN / Inf is still there).
    refused = status == NKS_ERR_NULL_POINTER || status == NKS_ERR_INVALID_ARGUMENT ||
              status == NKS_ERR_INVALID_STATE || status == NKS_ERR_DIMENSION_MISMATCH ||
              (status == NKS_ERR_NON_FINITE && !all(isfinite, x))
    refused || (h.n = n)
    e = h.exception
    if e !== nothing
        h.exception = nothing
        throw(e)
    end
    status < 0 && throw(NKSolveError(status, "nks_nonlinear_solve", message))
    return status
end

"""
    report(h::Nonlinear) -> NonlinearReport

The report of the last solve on `h` that started (`nks_nonlinear_get_report`): see
[`NonlinearReport`](@ref). A solve refused for its input leaves the previous report in place.
"""
function report(h::Nonlinear)
    out = Ref{NonlinearReport}()
    _check(ccall((:nks_nonlinear_get_report, libnksolve), Int32, (Ptr{Cvoid}, Ref{NonlinearReport}), h, out),
           "nks_nonlinear_get_report")
    return out[]
end

"""
    steps(h::Nonlinear) -> Vector{NonlinearStep}

The step records of the last solve on `h` that started (`nks_nonlinear_get_step`), `steps(h)[k]`
for step `k`: see [`NonlinearStep`](@ref). Empty before any solve.
"""
function steps(h::Nonlinear)
    count = Int(report(h).steps)
    records = Vector{NonlinearStep}(undef, count)
    out = Ref{NonlinearStep}()
    for k in 1:count
        _check(ccall((:nks_nonlinear_get_step, libnksolve), Int32, (Ptr{Cvoid}, Csize_t, Ref{NonlinearStep}),
                     h, k - 1, out),
               "nks_nonlinear_get_step")
        records[k] = out[]
    end
    return records
end

"""
    last_point!(x, h::Nonlinear) -> x
    last_point(h::Nonlinear) -> Vector{Float64}

The last accepted point of the last solve that started (`nks_nonlinear_get_point`): the result
of a solve that failed or was aborted and left its own `x` untouched. `last_point!` writes into
`x` (contiguous, of the solve's length). Throws an [`NKSolveError`](@ref):
`NKS_ERR_INVALID_STATE` before any solve, `NKS_ERR_DIMENSION_MISMATCH` when `length(x)` is not
the last solve's.
"""
function last_point!(x::StridedVector{Float64}, h::Nonlinear)
    _unit_stride(x, "x")
    _check(ccall((:nks_nonlinear_get_point, libnksolve), Int32, (Ptr{Cvoid}, Csize_t, Ptr{Cdouble}), h, length(x), x),
           "nks_nonlinear_get_point")
    return x
end

last_point(h::Nonlinear) = last_point!(Vector{Float64}(undef, h.n), h)

"""
    clear_recycle_space!(h::Nonlinear) -> h

Forgets the recycle space (`nks_nonlinear_clear_recycle_space`), before solving an unrelated
problem with the same solver; by default it carries from one [`solve!`](@ref) to the next.
"""
function clear_recycle_space!(h::Nonlinear)
    _check(ccall((:nks_nonlinear_clear_recycle_space, libnksolve), Int32, (Ptr{Cvoid},), h),
           "nks_nonlinear_clear_recycle_space")
    return h
end

# ---------------------------------------------------------------------------------------------
# Equality-constrained minimisation
# ---------------------------------------------------------------------------------------------

"""
    ConstrainedReport

What the last [`solve!`](@ref) of a [`Constrained`](@ref) solver did: an `isbits` mirror of the
C struct `nks_constrained_report`, field for field. Read it with [`report`](@ref)`(h)`; a
monitor receives the running report after every iteration (then `status` is 0 and
`termination` is `NKS_TERMINATION_NOT_STARTED`).

- `status::Int32`: the status the solve returned.
- `termination::Int32`: why it stopped: `NKSolve.NKS_TERMINATION_CONVERGED_KKT`
  (`‖∇ₓL‖ ≤ stationarity_tol` and `‖c‖ ≤ feasibility_tol`), `_MAX_ITERATIONS`,
  `_MAX_EVALUATIONS`, `_TIME_LIMIT`, `_STAGNATION`, `_MONITOR_STOP`, `_CALLBACK_FAILED` or
  `_NON_FINITE`; `NKS_TERMINATION_NOT_STARTED` before any solve.
- `kkt_solver::Int32`: the inner solver that ran (`NKSolve.NKS_KKT_*`).
- `iterations::Csize_t`: Newton iterations.
- `inner_iterations::Csize_t`: inner iterations over all Newton steps (sketches, Kaczmarz rows
  or MINRES iterations).
- `merit_evaluations::Csize_t`: merit evaluations (each one `f`, `c`, `∇f` and `Jᵀ λ` call).
- `penalty_updates::Csize_t`: penalty updates (`η₁ *= ρ²`, `η₂ /= ρ`) because a direction was
  not a descent direction of the merit.
- `regularized_steps::Csize_t`: Newton steps solved with a Hessian shift.
- `rejected_steps::Csize_t`: line-search trial points rejected.
- `failed_evaluations::Csize_t`: trial points an oracle could not evaluate
  ([`CannotEvaluate`](@ref), NaN or Inf).
- `objective_evaluations`, `gradient_evaluations`, `constraint_evaluations`,
  `jacobian_products`, `jacobian_transpose_products`, `hessian_products` (all `Csize_t`): calls
  of each oracle; `matrix_evaluations::Csize_t`: calls of the sparse Jacobian and Hessian value
  functions (Kaczmarz); `preconditioner_calls::Csize_t`: preconditioner calls (MINRES).
- `records::Csize_t`: iteration records kept (read them with [`records`](@ref)).
- `callback_code::Int32`: the code of the oracle that stopped the solve (0 if none; -1 for a
  Julia exception, which [`solve!`](@ref) rethrows).
- `objective::Cdouble`: `f` at the returned point.
- `stationarity`, `feasibility::Cdouble`: `‖∇ₓL‖₂` and `‖c‖₂` at the returned point.
- `initial_stationarity`, `initial_feasibility::Cdouble`: the same at the start (with the
  starting multipliers).
- `eta1`, `eta2::Cdouble`: the final penalties of the merit.
- `seconds::Cdouble`: wall-clock seconds.
"""
struct ConstrainedReport
    status::Int32
    termination::Int32
    kkt_solver::Int32
    iterations::Csize_t
    inner_iterations::Csize_t
    merit_evaluations::Csize_t
    penalty_updates::Csize_t
    regularized_steps::Csize_t
    rejected_steps::Csize_t
    failed_evaluations::Csize_t
    objective_evaluations::Csize_t
    gradient_evaluations::Csize_t
    constraint_evaluations::Csize_t
    jacobian_products::Csize_t
    jacobian_transpose_products::Csize_t
    hessian_products::Csize_t
    matrix_evaluations::Csize_t
    preconditioner_calls::Csize_t
    records::Csize_t
    callback_code::Int32
    objective::Cdouble
    stationarity::Cdouble
    feasibility::Cdouble
    initial_stationarity::Cdouble
    initial_feasibility::Cdouble
    eta1::Cdouble
    eta2::Cdouble
    seconds::Cdouble
end

"""
    ConstrainedRecord

One Newton iteration of the last [`solve!`](@ref) of a [`Constrained`](@ref) solver (an `isbits`
mirror of the C struct `nks_constrained_record`; read them with [`records`](@ref)): the KKT
residual history and how the step was made.

- `stationarity`, `feasibility::Cdouble`: `‖∇ₓL‖₂` and `‖c‖₂` at the start of the iteration.
- `merit::Cdouble`: the merit at the start of the iteration, with the penalties the step was
  accepted with.
- `inner_iterations::Csize_t`: inner iterations of the step.
- `inner_residual::Cdouble`: the relative residual `‖K d + rhs‖ / ‖rhs‖` the inner solve reached.
- `eta1`, `eta2::Cdouble`: the penalties of the step.
- `regularization::Cdouble`: the Hessian shift of the step (0: none).
- `step_length::Cdouble`: the step length taken.
"""
struct ConstrainedRecord
    stationarity::Cdouble
    feasibility::Cdouble
    merit::Cdouble
    inner_iterations::Csize_t
    inner_residual::Cdouble
    eta1::Cdouble
    eta2::Cdouble
    regularization::Cdouble
    step_length::Cdouble
end

"""
    converged(r::ConstrainedReport) -> Bool

Whether the KKT tests passed (`"stationarity_tol"` and `"feasibility_tol"`).
"""
converged(r::ConstrainedReport) = r.termination == NKS_TERMINATION_CONVERGED_KKT

"""
    Constrained(; kkt_solver = :gaussian_sketch, options...)

An equality-constrained solver (`nks_constrained`): `min f(x)` subject to `c(x) = 0` by the
adaptive inexact Newton method with randomized sketching (AdaSketch-Newton), seeing the problem
only through Julia functions (the *oracles*, set with [`set_oracles!`](@ref)): `f`, `∇f`, `c`,
products of the Jacobian `J` and of `Jᵀ` with vectors and of the Hessian of the Lagrangian with
vectors, plus optionally the sparse rows of `J` and of the Hessian
([`set_sparse_rows!`](@ref), needed by Kaczmarz), a preconditioner of MINRES
([`set_preconditioner!`](@ref)) and a monitor ([`set_monitor!`](@ref)).
[`solve!`](@ref)`(h, x, λ)` then solves from `x`.

- `kkt_solver`: the inner solver of the KKT systems: `:gaussian_sketch` (randomized Gaussian
  sketch-and-project, matrix-free; the default), `:kaczmarz` (randomized Kaczmarz on the KKT
  rows) or `:minres` (or an `NKSolve.NKS_KKT_*` code).
- `options...`: options set with [`set_option!`](@ref) in the order given, e.g.
  `stationarity_tol = 1e-8, seed = 3`.

Defaults: the penalties `η₁ = 1`, `η₂ = 0.1`, `ρ = 1.5`, Armijo `β = 0.1`, inner accuracy
`δ = 0.1` sharpened as `min(1, ‖KKT‖^(1/2))`; stop at `‖∇ₓL‖ ≤ 1e-6` and `‖c‖ ≤ 1e-6`, 1000
iterations. Throws an [`NKSolveError`](@ref) for a bad option value or name, and an
`ArgumentError` for an unknown solver symbol. The handle is freed by the garbage collector or
at once by [`free!`](@ref). Use one solver from one task at a time; the oracles run on the task
that calls `solve!` and must not use the solver itself.
"""
mutable struct Constrained
    ptr::Ptr{Cvoid}
    n::Int                   # length of x of the last solve that started (0 before any)
    m::Int                   # number of constraints of the oracles set (0 before any)
    last_m::Int              # length of λ of the last solve that started (0 before any)
    objective::Any           # objective(x) -> Real, or nothing
    gradient::Any            # gradient!(g, x), or nothing
    constraints::Any         # constraints!(c, x), or nothing
    jacobian_vector::Any     # jacobian_vector!(jv, x, v), or nothing
    jacobian_transpose::Any  # jacobian_transpose!(jtw, x, w), or nothing
    hessian_vector::Any      # hessian_vector!(hv, x, λ, v), or nothing
    jacobian_values::Any     # jacobian_values!(values, x), or nothing
    hessian_values::Any      # hessian_values!(values, x, λ), or nothing
    precond::Any             # precond!(z, x, λ, r), or nothing
    monitor::Any             # monitor(report::ConstrainedReport, x, λ) -> Bool, or nothing
    exception::Any           # what an oracle threw during the current solve, or nothing
    solving::Bool            # inside solve!: the oracles must not use the handle

    function Constrained(; kkt_solver::Union{Symbol, Integer, Nothing} = nothing, options...)
        out = Ref{Ptr{Cvoid}}(C_NULL)
        _check(ccall((:nks_constrained_new, libnksolve), Int32, (Ref{Ptr{Cvoid}},), out), "nks_constrained_new")
        h = finalizer(free!, new(out[], 0, 0, 0, nothing, nothing, nothing, nothing, nothing, nothing, nothing,
                                 nothing, nothing, nothing, nothing, false))
        kkt_solver === nothing || set_option!(h, "kkt_solver", kkt_solver)
        for (name, value) in options
            set_option!(h, String(name), value)
        end
        return h
    end
end

# As for Newton: passing a Constrained to ccall passes its handle and keeps the solver (and the
# Julia oracles that user_data reaches) alive; a handle that is solving is refused.
function Base.unsafe_convert(::Type{Ptr{Cvoid}}, h::Constrained)
    h.solving && _constrained_busy()
    return h.ptr
end

@noinline _constrained_busy() = throw(ArgumentError("this Constrained solver is inside solve!: its oracles cannot use it"))

function free!(h::Constrained)
    h.solving && _constrained_busy()
    if h.ptr != C_NULL
        ccall((:nks_constrained_free, libnksolve), Cvoid, (Ptr{Cvoid},), h.ptr)
        h.ptr = C_NULL
    end
    return nothing
end

Base.show(io::IO, h::Constrained) =
    print(io, h.ptr == C_NULL ? "NKSolve.Constrained(freed)" :
              "NKSolve.Constrained(kkt_solver = :$(keys(_KKT_SOLVERS)[Int(get_option(h, "kkt_solver")) + 1]))")

"""
    set_option!(h::Constrained, name::AbstractString, value::Real)
    set_option!(h::Constrained, "kkt_solver", solver::Symbol)

Sets an option of a constrained solver by name (`nks_constrained_set_option`): `"kkt_solver"`
(`:gaussian_sketch`, `:kaczmarz`, `:minres`, or an `NKSolve.NKS_KKT_*` code);
`"stationarity_tol"` `> 0` and `"feasibility_tol"` `> 0` (default `1e-6`: stop at
`‖∇ₓL‖₂ ≤ stationarity_tol` and `‖c‖₂ ≤ feasibility_tol`); `"max_iterations"` `≥ 1` (default
1000); `"max_inner_iterations"` `≥ 1` (per Newton step, default 100000);
`"max_merit_evaluations"` `≥ 0` (0 = no limit); `"max_seconds"` `≥ 0` (0 = no limit); `"eta1"`
`> 0` (default 1), `"eta2"` `> 0` (default 0.1): the merit's penalties; `"penalty_factor"` in
`(1, 100]` (default 1.5); `"armijo"` in `(0, 0.5)` (default 0.1); `"accuracy"` in `(0, 1)`
(default 0.1) and `"accuracy_min"` in `(0, 1)` (default `1e-10`): the inner solve stops at
`‖K d + rhs‖ ≤ θ δ ‖rhs‖`; `"sharpen"` 0 / 1 (default 1: `θ = min(1, ‖rhs‖^(1/2))`);
`"sketch_block"` `1:256` (default 1); `"seed"` `≥ 0` (default 0); `"regularization"` `> 0`
(default `1e-4`: the first Hessian shift) and `"curvature_tol"` `≥ 0` (default `1e-8`; 0 =
never shift); `"multiplier_start"` (0 least squares, the default; 1 the `λ` passed to
[`solve!`](@ref)); `"record_history"` 0 / 1 (default 1).

Throws an [`NKSolveError`](@ref): `NKS_ERR_UNKNOWN_OPTION` (the message lists the names),
`NKS_ERR_INVALID_ARGUMENT` for a value out of range (the option keeps its value).
"""
function set_option!(h::Constrained, name::AbstractString, value::Real)
    _check(ccall((:nks_constrained_set_option, libnksolve), Int32, (Ptr{Cvoid}, Cstring, Cdouble),
                 h, String(name), value),
           "nks_constrained_set_option")
    return h
end

function set_option!(h::Constrained, name::AbstractString, value::Symbol)
    name == "kkt_solver" || throw(ArgumentError("option \"$name\" takes a number, got :$value"))
    return set_option!(h, name, _lookup(_KKT_SOLVERS, value, "KKT solver"))
end

"""
    get_option(h::Constrained, name::AbstractString) -> Float64

Reads an option of a constrained solver by name (`nks_constrained_get_option`), in the encoding
[`set_option!`](@ref) takes (`"kkt_solver"`: an `NKSolve.NKS_KKT_*` code). An unknown name throws
an [`NKSolveError`](@ref) listing the known ones.
"""
function get_option(h::Constrained, name::AbstractString)
    value = Ref{Cdouble}(NaN)
    _check(ccall((:nks_constrained_get_option, libnksolve), Int32, (Ptr{Cvoid}, Cstring, Ref{Cdouble}),
                 h, String(name), value),
           "nks_constrained_get_option")
    return value[]
end

# ----- oracles -------------------------------------------------------------------------------
#
# As for Newton: plain, non-closure @cfunction trampolines called with user_data = the
# Constrained object itself, alive whenever the library can call them (only inside
# nks_constrained_solve, to which solve! passes the object under GC.@preserve). Arrays are
# wrapped, not copied. CannotEvaluate becomes its positive code (for f, ∇f, c and Jᵀ w at a
# trial point the line search shortens its step; for the other oracles any non-zero code stops
# the solve); anything else an oracle throws is stored, the trampoline returns -1 and solve!
# rethrows it.

function _oracle_failure!(h::Constrained, e)
    e isa CannotEvaluate && return Cint(e.code)
    h.exception === nothing && (h.exception = e)
    return Cint(-1)
end

function _constrained_objective_trampoline(x::Ptr{Cdouble}, n::Csize_t, f::Ptr{Cdouble}, user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Constrained
    try
        unsafe_store!(f, Float64(h.objective(unsafe_wrap(Array, x, Int(n)))))
        return Cint(0)
    catch e
        return _oracle_failure!(h, e)
    end
end

function _constrained_gradient_trampoline(x::Ptr{Cdouble}, n::Csize_t, g::Ptr{Cdouble}, user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Constrained
    try
        len = Int(n)
        h.gradient(unsafe_wrap(Array, g, len), unsafe_wrap(Array, x, len))
        return Cint(0)
    catch e
        return _oracle_failure!(h, e)
    end
end

function _constrained_constraints_trampoline(x::Ptr{Cdouble}, n::Csize_t, c::Ptr{Cdouble}, m::Csize_t,
                                             user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Constrained
    try
        h.constraints(unsafe_wrap(Array, c, Int(m)), unsafe_wrap(Array, x, Int(n)))
        return Cint(0)
    catch e
        return _oracle_failure!(h, e)
    end
end

function _constrained_jacvec_trampoline(x::Ptr{Cdouble}, v::Ptr{Cdouble}, n::Csize_t, jv::Ptr{Cdouble}, m::Csize_t,
                                        user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Constrained
    try
        len = Int(n)
        h.jacobian_vector(unsafe_wrap(Array, jv, Int(m)), unsafe_wrap(Array, x, len), unsafe_wrap(Array, v, len))
        return Cint(0)
    catch e
        return _oracle_failure!(h, e)
    end
end

# The C argument order of J^T w: (x, w, m, jtw, n, user_data).
function _constrained_jactvec_trampoline(x::Ptr{Cdouble}, w::Ptr{Cdouble}, m::Csize_t, jtw::Ptr{Cdouble}, n::Csize_t,
                                         user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Constrained
    try
        len = Int(n)
        h.jacobian_transpose(unsafe_wrap(Array, jtw, len), unsafe_wrap(Array, x, len), unsafe_wrap(Array, w, Int(m)))
        return Cint(0)
    catch e
        return _oracle_failure!(h, e)
    end
end

# (x, lambda, v, n, m, hv, user_data)
function _constrained_hessvec_trampoline(x::Ptr{Cdouble}, lambda::Ptr{Cdouble}, v::Ptr{Cdouble}, n::Csize_t,
                                         m::Csize_t, hv::Ptr{Cdouble}, user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Constrained
    try
        len = Int(n)
        h.hessian_vector(unsafe_wrap(Array, hv, len), unsafe_wrap(Array, x, len), unsafe_wrap(Array, lambda, Int(m)),
                         unsafe_wrap(Array, v, len))
        return Cint(0)
    catch e
        return _oracle_failure!(h, e)
    end
end

function _constrained_jacobian_values_trampoline(x::Ptr{Cdouble}, n::Csize_t, values::Ptr{Cdouble}, nnz::Csize_t,
                                                 user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Constrained
    try
        h.jacobian_values(unsafe_wrap(Array, values, Int(nnz)), unsafe_wrap(Array, x, Int(n)))
        return Cint(0)
    catch e
        return _oracle_failure!(h, e)
    end
end

# (x, lambda, n, m, values, nnz, user_data)
function _constrained_hessian_values_trampoline(x::Ptr{Cdouble}, lambda::Ptr{Cdouble}, n::Csize_t, m::Csize_t,
                                                values::Ptr{Cdouble}, nnz::Csize_t, user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Constrained
    try
        h.hessian_values(unsafe_wrap(Array, values, Int(nnz)), unsafe_wrap(Array, x, Int(n)),
                         unsafe_wrap(Array, lambda, Int(m)))
        return Cint(0)
    catch e
        return _oracle_failure!(h, e)
    end
end

# (x, lambda, r, n, m, z, user_data); r and z have n + m entries.
function _constrained_precond_trampoline(x::Ptr{Cdouble}, lambda::Ptr{Cdouble}, r::Ptr{Cdouble}, n::Csize_t,
                                         m::Csize_t, z::Ptr{Cdouble}, user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Constrained
    try
        len, mlen = Int(n), Int(m)
        h.precond(unsafe_wrap(Array, z, len + mlen), unsafe_wrap(Array, x, len), unsafe_wrap(Array, lambda, mlen),
                  unsafe_wrap(Array, r, len + mlen))
        return Cint(0)
    catch e
        return _oracle_failure!(h, e)
    end
end

function _constrained_monitor_trampoline(running::Ptr{ConstrainedReport}, x::Ptr{Cdouble}, n::Csize_t,
                                         lambda::Ptr{Cdouble}, m::Csize_t, user_data::Ptr{Cvoid})::Cint
    h = unsafe_pointer_to_objref(user_data)::Constrained
    try
        keep_going = h.monitor(unsafe_load(running), unsafe_wrap(Array, x, Int(n)), unsafe_wrap(Array, lambda, Int(m)))
        keep_going isa Bool ||
            throw(ArgumentError("a monitor must return true (continue) or false (stop), got $(repr(keep_going))"))
        return keep_going ? Cint(0) : Cint(1)
    catch e
        e isa CannotEvaluate && (e = ArgumentError("a monitor cannot throw CannotEvaluate; return false to stop"))
        return _oracle_failure!(h, e)
    end
end

"""
    set_oracles!(h::Constrained, m; objective, gradient, constraints, jacobian_vector,
                 jacobian_transpose, hessian_vector)

Sets the `m ≥ 1` constraints and the oracles of `min f(x) s.t. c(x) = 0`, replacing the
previous ones (`nks_constrained_set_oracles`; sparse rows set earlier are cleared). Every oracle
is required:

- `objective = f`, `f(x) -> Real`: `f(x)`;
- `gradient = g!`, `g!(g, x)`: overwrites `g` with `∇f(x)`;
- `constraints = c!`, `c!(c, x)`: overwrites `c` (length `m`) with `c(x)`;
- `jacobian_vector = jv!`, `jv!(jv, x, v)`: overwrites `jv` (length `m`) with `J(x) v`;
- `jacobian_transpose = jtw!`, `jtw!(jtw, x, w)`: overwrites `jtw` with `J(x)ᵀ w` (`w` of
  length `m`);
- `hessian_vector = hv!`, `hv!(hv, x, λ, v)`: overwrites `hv` with
  `(∇²f(x) + Σᵢ λᵢ ∇²cᵢ(x)) v`.

`x`, `v`, `w`, `λ` and the outputs are `Vector{Float64}` views of library memory, valid only
during the call: do not keep them, and do not modify the inputs. `f`, `∇f`, `c` and `Jᵀ w` are
also evaluated at trial points: one that cannot be evaluated there throws
[`CannotEvaluate`](@ref)`()` (or gives NaN or Inf) and the line search shortens its step. The
other oracles run at accepted points only, where that cannot help: `CannotEvaluate` from them
stops the solve (`NKS_ERR_CALLBACK`, its code in the report). Any other exception stops the
solve and [`solve!`](@ref) rethrows it. Throws an [`NKSolveError`](@ref)
(`NKS_ERR_NULL_POINTER`, naming it) when an oracle is `nothing` or left out, and an
`ArgumentError` for `m < 1`; the previous oracles then stay.
"""
function set_oracles!(h::Constrained, m::Integer; objective = nothing, gradient = nothing, constraints = nothing,
                      jacobian_vector = nothing, jacobian_transpose = nothing, hessian_vector = nothing)
    m >= 1 || throw(ArgumentError("m must be >= 1 (the number of constraints), got $m; use Newton for unconstrained problems"))
    f = objective === nothing ? C_NULL :
        @cfunction(_constrained_objective_trampoline, Cint, (Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Ptr{Cvoid}))
    g = gradient === nothing ? C_NULL :
        @cfunction(_constrained_gradient_trampoline, Cint, (Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Ptr{Cvoid}))
    c = constraints === nothing ? C_NULL :
        @cfunction(_constrained_constraints_trampoline, Cint, (Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Csize_t, Ptr{Cvoid}))
    jv = jacobian_vector === nothing ? C_NULL :
         @cfunction(_constrained_jacvec_trampoline, Cint,
                    (Ptr{Cdouble}, Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Csize_t, Ptr{Cvoid}))
    jtw = jacobian_transpose === nothing ? C_NULL :
          @cfunction(_constrained_jactvec_trampoline, Cint,
                     (Ptr{Cdouble}, Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Csize_t, Ptr{Cvoid}))
    hv = hessian_vector === nothing ? C_NULL :
         @cfunction(_constrained_hessvec_trampoline, Cint,
                    (Ptr{Cdouble}, Ptr{Cdouble}, Ptr{Cdouble}, Csize_t, Csize_t, Ptr{Cdouble}, Ptr{Cvoid}))
    status = ccall((:nks_constrained_set_oracles, libnksolve), Int32,
                   (Ptr{Cvoid}, Csize_t, Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}),
                   h, m, f, g, c, jv, jtw, hv, pointer_from_objref(h))
    _check(status, "nks_constrained_set_oracles")
    # only now: on failure the handle keeps its previous oracles
    h.m = Int(m)
    h.objective, h.gradient, h.constraints = objective, gradient, constraints
    h.jacobian_vector, h.jacobian_transpose, h.hessian_vector = jacobian_vector, jacobian_transpose, hessian_vector
    h.jacobian_values = h.hessian_values = nothing
    return h
end

"""
    set_sparse_rows!(h::Constrained, jacobian_rowptr, jacobian_colval, jacobian_values!,
                     hessian_rowptr, hessian_colval, hessian_values!)

Gives the Jacobian (`m × n`) and the Hessian of the Lagrangian (`n × n`, BOTH triangles) as
sparse rows (`nks_constrained_set_sparse_rows`), which enables the Kaczmarz inner solver
(`kkt_solver = :kaczmarz`): fixed 1-based CSR patterns, as for [`CSR`](@ref) (row `i` holds the
column indices `colval[rowptr[i]:rowptr[i+1]-1]`; copied by the library), and functions that
fill their values in pattern order:

- `jacobian_values!(values, x)`: the entries of `J(x)`;
- `hessian_values!(values, x, λ)`: the entries of `∇²f(x) + Σᵢ λᵢ ∇²cᵢ(x)`.

`n` is `length(hessian_rowptr) - 1`. Call after [`set_oracles!`](@ref) (else an
[`NKSolveError`](@ref) with `NKS_ERR_INVALID_STATE`). Throws `DimensionMismatch` when
`jacobian_rowptr` does not have `m + 1` entries or a `colval` is not as long as its row
pointers say, and an [`NKSolveError`](@ref) (`NKS_ERR_INVALID_ARGUMENT`, naming the array and
the entry) for a malformed pattern. The value functions follow the rules of the product oracles
of `set_oracles!`.
"""
function set_sparse_rows!(h::Constrained, jacobian_rowptr::AbstractVector{<:Integer},
                          jacobian_colval::AbstractVector{<:Integer}, jacobian_values!,
                          hessian_rowptr::AbstractVector{<:Integer}, hessian_colval::AbstractVector{<:Integer},
                          hessian_values!)
    jrp, jcv = _dense(Int64, jacobian_rowptr), _dense(Int64, jacobian_colval)
    hrp, hcv = _dense(Int64, hessian_rowptr), _dense(Int64, hessian_colval)
    # The library reads m + 1 and n + 1 row pointers and as many column indices as they declare:
    # the lengths are checked here (once oracles are set; before, the library refuses the call
    # without reading anything).
    if h.m > 0
        length(jrp) == h.m + 1 ||
            throw(DimensionMismatch("jacobian_rowptr has $(length(jrp)) entries; m + 1 = $(h.m + 1) are needed (m = $(h.m) constraints)"))
        length(hrp) >= 2 ||
            throw(DimensionMismatch("hessian_rowptr has $(length(hrp)) entries; n + 1 >= 2 are needed (n unknowns)"))
        for (name, rp, cv) in (("jacobian", jrp, jcv), ("hessian", hrp, hcv))
            declared = rp[end] - 1
            declared < 0 || declared == length(cv) ||
                throw(DimensionMismatch("$(name)_rowptr[end] - 1 = $declared entries, but $(name)_colval has $(length(cv))"))
        end
    end
    jvals = @cfunction(_constrained_jacobian_values_trampoline, Cint,
                       (Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Csize_t, Ptr{Cvoid}))
    hvals = @cfunction(_constrained_hessian_values_trampoline, Cint,
                       (Ptr{Cdouble}, Ptr{Cdouble}, Csize_t, Csize_t, Ptr{Cdouble}, Csize_t, Ptr{Cvoid}))
    status = ccall((:nks_constrained_set_sparse_rows, libnksolve), Int32,
                   (Ptr{Cvoid}, Csize_t, Ptr{Int64}, Ptr{Int64}, Ptr{Cvoid}, Ptr{Int64}, Ptr{Int64}, Ptr{Cvoid}, Int32,
                    Ptr{Cvoid}),
                   h, max(length(hrp) - 1, 0), jrp, jcv, jvals, hrp, hcv, hvals, Int32(1), pointer_from_objref(h))
    _check(status, "nks_constrained_set_sparse_rows")
    h.jacobian_values, h.hessian_values = jacobian_values!, hessian_values!
    return h
end

"""
    set_preconditioner!(h::Constrained, precond!)
    set_preconditioner!(h::Constrained, nothing)

Sets the preconditioner of the MINRES inner solver (`nks_constrained_set_preconditioner`):
`precond!(z, x, λ, r)` overwrites `z` with `M⁻¹ r` (`r`, `z` of length `n + m`) for a symmetric
positive definite `M` approximating the magnitude of the KKT matrix `[H Jᵀ; J 0]` at `(x, λ)`,
e.g. `diag(H̃, J H̃⁻¹ Jᵀ)`. Same rules as the product oracles of [`set_oracles!`](@ref).
`nothing` removes it.
"""
function set_preconditioner!(h::Constrained, precond!)
    trampoline = @cfunction(_constrained_precond_trampoline, Cint,
                            (Ptr{Cdouble}, Ptr{Cdouble}, Ptr{Cdouble}, Csize_t, Csize_t, Ptr{Cdouble}, Ptr{Cvoid}))
    status = ccall((:nks_constrained_set_preconditioner, libnksolve), Int32, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}),
                   h, trampoline, pointer_from_objref(h))
    _check(status, "nks_constrained_set_preconditioner")
    h.precond = precond!
    return h
end

function set_preconditioner!(h::Constrained, ::Nothing)
    _check(ccall((:nks_constrained_set_preconditioner, libnksolve), Int32, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}),
                 h, C_NULL, C_NULL),
           "nks_constrained_set_preconditioner")
    h.precond = nothing
    return h
end

"""
    set_monitor!(h::Constrained, monitor)
    set_monitor!(h::Constrained, nothing)

Installs a monitor called after every iteration as `monitor(report::ConstrainedReport, x, λ)`
with the running report, the current point and its multipliers (`nks_constrained_set_monitor`;
`x` and `λ` as in the oracles). It returns `true` to continue or `false` to stop:
[`solve!`](@ref) then throws an [`NKSolveError`](@ref) with status `NKSolve.NKS_ERR_ABORTED`,
`x` and `λ` untouched, and [`last_point`](@ref)`(h)` / [`last_multipliers`](@ref)`(h)` hold the
point reached. If it throws, `solve!` rethrows. `nothing` removes the monitor.
"""
function set_monitor!(h::Constrained, monitor)
    trampoline = @cfunction(_constrained_monitor_trampoline, Cint,
                            (Ptr{ConstrainedReport}, Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Csize_t, Ptr{Cvoid}))
    status = ccall((:nks_constrained_set_monitor, libnksolve), Int32, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}),
                   h, trampoline, pointer_from_objref(h))
    _check(status, "nks_constrained_set_monitor")
    h.monitor = monitor
    return h
end

function set_monitor!(h::Constrained, ::Nothing)
    _check(ccall((:nks_constrained_set_monitor, libnksolve), Int32, (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}),
                 h, C_NULL, C_NULL),
           "nks_constrained_set_monitor")
    h.monitor = nothing
    return h
end

"""
    solve!(h::Constrained, x, λ) -> status::Int32

Minimises `f` subject to `c(x) = 0` from `x` (`nks_constrained_solve`); `λ` (length `m`, the `m`
of [`set_oracles!`](@ref)) receives the multipliers, and is read as the starting multipliers
when the option `"multiplier_start"` is 1. Both are contiguous `Vector{Float64}`s or
unit-stride views, `length(x) ≥ 1`; the oracles get their lengths. Returns

- `NKSolve.NKS_OK` (0): the KKT tests passed; `x` and `λ` hold the solution;
- `NKSolve.NKS_MAX_ITERATIONS` (iteration or evaluation limit), `NKS_TIME_LIMIT`,
  `NKS_STAGNATION` (no acceptable step) (> 0): they hold the last accepted point.

Any failure throws, with `x` and `λ` untouched: the exception an oracle or the monitor threw, or
an [`NKSolveError`](@ref) with the status and the library's message (`NKS_ERR_CALLBACK`: an
oracle threw [`CannotEvaluate`](@ref) where no step can be shortened; `NKS_ERR_NON_FINITE`: NaN
or Inf in `x` or `λ`, or from the oracles at the start; `NKS_ERR_ABORTED`: the monitor returned
`false`; `NKS_ERR_DIMENSION_MISMATCH`: `length(λ) ≠ m`, or sparse rows given for another `n`;
`NKS_ERR_INVALID_ARGUMENT`: `x` and `λ` overlap; `NKS_ERR_INVALID_STATE`: no oracles, or
Kaczmarz without sparse rows). After a solve that started, [`last_point`](@ref)`(h)` and
[`last_multipliers`](@ref)`(h)` give the last accepted point, so an aborted run loses nothing.
Details are in [`report`](@ref)`(h)` and [`records`](@ref)`(h)`.
"""
function solve!(h::Constrained, x::StridedVector{Float64}, lambda::StridedVector{Float64})
    _unit_stride(x, "x")
    _unit_stride(lambda, "λ")
    h.solving && _constrained_busy()
    n, m = length(x), length(lambda)
    h.exception = nothing
    h.solving = true
    status = try
        # h.ptr is passed as it is (unsafe_convert refuses a solving handle); GC.@preserve keeps h,
        # and with it the oracles that user_data reaches, alive during the call.
        GC.@preserve h x lambda ccall((:nks_constrained_solve, libnksolve), Int32,
                                      (Ptr{Cvoid}, Csize_t, Ptr{Cdouble}, Csize_t, Ptr{Cdouble}),
                                      h.ptr, n, x, m, lambda)
    finally
        h.solving = false
    end
    message = status < 0 ? last_error_message() : ""   # read before anything else runs
    # Whether the solve started (and so replaced the last point): all but the refusals of the
    # input, which evaluate nothing (x and λ are untouched on failure, so a NaN / Inf is still
    # there).
    refused = status == NKS_ERR_NULL_POINTER || status == NKS_ERR_INVALID_ARGUMENT ||
              status == NKS_ERR_INVALID_STATE || status == NKS_ERR_DIMENSION_MISMATCH ||
              (status == NKS_ERR_NON_FINITE && !(all(isfinite, x) && all(isfinite, lambda)))
    if !refused
        h.n = n
        h.last_m = m
    end
    e = h.exception
    if e !== nothing
        h.exception = nothing
        throw(e)
    end
    status < 0 && throw(NKSolveError(status, "nks_constrained_solve", message))
    return status
end

"""
    report(h::Constrained) -> ConstrainedReport

The report of the last solve on `h` that started (`nks_constrained_get_report`): see
[`ConstrainedReport`](@ref). A solve refused for its input leaves the previous report in place.
"""
function report(h::Constrained)
    out = Ref{ConstrainedReport}()
    _check(ccall((:nks_constrained_get_report, libnksolve), Int32, (Ptr{Cvoid}, Ref{ConstrainedReport}), h, out),
           "nks_constrained_get_report")
    return out[]
end

"""
    records(h::Constrained) -> Vector{ConstrainedRecord}

The iteration records of the last solve on `h` that started (`nks_constrained_get_record`),
`records(h)[k]` for Newton iteration `k`: the KKT residual history, see
[`ConstrainedRecord`](@ref). Empty before any solve (and with `"record_history"` 0).
"""
function records(h::Constrained)
    count = Int(report(h).records)
    out = Vector{ConstrainedRecord}(undef, count)
    record = Ref{ConstrainedRecord}()
    for k in 1:count
        _check(ccall((:nks_constrained_get_record, libnksolve), Int32, (Ptr{Cvoid}, Csize_t, Ref{ConstrainedRecord}),
                     h, k - 1, record),
               "nks_constrained_get_record")
        out[k] = record[]
    end
    return out
end

"""
    last_point!(x, h::Constrained, λ = nothing) -> x
    last_point(h::Constrained) -> Vector{Float64}
    last_multipliers(h::Constrained) -> Vector{Float64}

The last accepted point of the last solve that started, and its multipliers
(`nks_constrained_get_point`): the result of a solve that failed or was aborted and left its own
`x` and `λ` untouched. `last_point!` writes the point into `x` and, unless `λ` is `nothing`, the
multipliers into `λ` (contiguous, of the solve's lengths). Throws an [`NKSolveError`](@ref):
`NKS_ERR_INVALID_STATE` before any solve, `NKS_ERR_DIMENSION_MISMATCH` when a length is not the
last solve's.
"""
function last_point!(x::StridedVector{Float64}, h::Constrained, lambda::Union{StridedVector{Float64}, Nothing} = nothing)
    _unit_stride(x, "x")
    if lambda === nothing
        _check(ccall((:nks_constrained_get_point, libnksolve), Int32,
                     (Ptr{Cvoid}, Csize_t, Ptr{Cdouble}, Csize_t, Ptr{Cdouble}), h, length(x), x, 0, C_NULL),
               "nks_constrained_get_point")
    else
        _unit_stride(lambda, "λ")
        # The library writes x before it checks λ's length: both go through buffers, so that
        # a failed call writes nothing.
        xb, lb = Vector{Float64}(undef, length(x)), Vector{Float64}(undef, length(lambda))
        _check(ccall((:nks_constrained_get_point, libnksolve), Int32,
                     (Ptr{Cvoid}, Csize_t, Ptr{Cdouble}, Csize_t, Ptr{Cdouble}), h, length(xb), xb, length(lb), lb),
               "nks_constrained_get_point")
        copyto!(x, xb)
        copyto!(lambda, lb)
    end
    return x
end

last_point(h::Constrained) = last_point!(Vector{Float64}(undef, h.n), h)

function last_multipliers(h::Constrained)
    lambda = Vector{Float64}(undef, h.last_m)
    last_point!(Vector{Float64}(undef, h.n), h, lambda)
    return lambda
end

# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------

function __init__()
    configured = get(ENV, "NKSOLVE_LIBRARY", "libnksolve")
    if configured != libnksolve
        error("NKSolve was precompiled with the library \"$libnksolve\" but NKSOLVE_LIBRARY is now ",
              "\"$configured\". Recompile it: remove the NKSolve folder under ",
              "`joinpath(DEPOT_PATH[1], \"compiled\")`, or start Julia with --compiled-modules=no.")
    end
    if Libdl.dlopen_e(libnksolve) == C_NULL
        error("NKSolve cannot load the nksolve library \"$libnksolve\". Set ENV[\"NKSOLVE_LIBRARY\"] ",
              "to the full path of libnksolve.$(Libdl.dlext) before loading NKSolve, or put its ",
              "folder on the dynamic loader's search path (LD_LIBRARY_PATH / DYLD_LIBRARY_PATH / PATH).")
    end
    lib = version()
    if lib.major != NKS_VERSION_MAJOR || (lib.major == 0 && lib.minor != NKS_VERSION_MINOR) ||
       lib < VersionNumber(NKS_VERSION_MAJOR, NKS_VERSION_MINOR, NKS_VERSION_PATCH)
        error("NKSolve was written for nksolve $NKS_VERSION_MAJOR.$NKS_VERSION_MINOR.$NKS_VERSION_PATCH ",
              "but \"$libnksolve\" is version $lib; use a matching library.")
    end
    return nothing
end

end # module NKSolve

# 2D Poisson with nksolve from Julia: the same system solved three ways.
#
#   -Laplace(u) = 1 on the unit square, u = 0 on the boundary, 5-point stencil,
#   32 x 32 interior points (n = 1024), stencil [-1 -1 4 -1 -1] (scaled by h^2).
#
#   cg          CSR operator (1-based arrays, index_base = 1), conjugate gradients
#   gmres_ilu0  CSR operator, GMRES(30) with the built-in ILU(0)
#   cg_callback matrix-free operator (this file's own stencil) and a host Jacobi
#               preconditioner, both Julia functions
#
# Output: one line per solve, "NAME status=S iterations=K residual=R", then the CG solution at
# the centre node, "center u=U" (the same lines as examples/c/poisson.c).
#
# Run (from the repository root, after `cargo build --release`):
#   NKSOLVE_LIBRARY=$PWD/target/release/libnksolve.so JULIA_LOAD_PATH="$PWD/bindings/julia:" \
#       julia examples/julia/poisson.jl

using NKSolve
using Printf

const NX = 32
const N = NX * NX

# Node (i, j), 0-based as in the C example, is entry p = i + NX*j + 1 of a Julia vector.

"y = A x for the 5-point stencil, without forming A."
function stencil_matvec!(y::AbstractVector{Float64}, x::AbstractVector{Float64})
    length(x) == N || throw(DimensionMismatch("stencil_matvec! expects vectors of length $N, got $(length(x))"))
    @inbounds for j in 0:NX-1, i in 0:NX-1
        p = i + NX * j + 1
        v = 4.0 * x[p]
        i > 0 && (v -= x[p-1])
        i + 1 < NX && (v -= x[p+1])
        j > 0 && (v -= x[p-NX])
        j + 1 < NX && (v -= x[p+NX])
        y[p] = v
    end
    return nothing
end

"z = D⁻¹ r with D = 4 I."
function jacobi!(z::AbstractVector{Float64}, r::AbstractVector{Float64})
    @inbounds for k in eachindex(z, r)
        z[k] = r[k] / 4.0
    end
    return nothing
end

"The 1-based CSR arrays (rowptr, colval, nzval) of the stencil, entries of a row in column order."
function build_csr()
    rowptr = Vector{Int64}(undef, N + 1)
    colval = Int64[]
    nzval = Float64[]
    sizehint!(colval, 5N)
    sizehint!(nzval, 5N)
    for j in 0:NX-1, i in 0:NX-1
        p = i + NX * j + 1
        rowptr[p] = length(colval) + 1
        j > 0 && (push!(colval, p - NX); push!(nzval, -1.0))
        i > 0 && (push!(colval, p - 1); push!(nzval, -1.0))
        push!(colval, p); push!(nzval, 4.0)
        i + 1 < NX && (push!(colval, p + 1); push!(nzval, -1.0))
        j + 1 < NX && (push!(colval, p + NX); push!(nzval, -1.0))
    end
    rowptr[N+1] = length(colval) + 1
    return rowptr, colval, nzval
end

"Prints the solve's line; returns true when it did not converge."
function print_report(s::KrylovSolver, name::String, status::Integer)
    r = report(s)
    @printf("%s status=%d iterations=%d residual=%.6e\n", name, status, r.iterations, r.residual_norm)
    return status != NKSolve.NKS_OK
end

function main()
    rowptr, colval, nzval = build_csr()
    b = ones(N)
    x = zeros(N)
    failed = false

    A = CSR(rowptr, colval, nzval)                # N × N, 1-based arrays passed as they are
    s = KrylovSolver(rtol = 1e-8)

    # 1. CG on the CSR matrix.
    set_operator!(s, A)
    free!(A)                                      # the solver keeps its own reference
    set_method!(s, :cg)
    status = solve!(s, x, b)
    failed |= print_report(s, "cg", status)
    center = x[NX ÷ 2 + NX * (NX ÷ 2) + 1]       # node i = j = 16 (0-based 528)

    # 2. GMRES(30) with ILU(0).
    set_method!(s, :gmres)
    set_restart!(s, 30)
    set_preconditioner!(s, :ilu0)
    status = solve!(s, x, b)
    failed |= print_report(s, "gmres_ilu0", status)

    # 3. CG, matrix-free, with a host preconditioner.
    set_method!(s, :cg)
    set_operator!(s, N, stencil_matvec!)
    set_preconditioner!(s, jacobi!)
    status = solve!(s, x, b)
    failed |= print_report(s, "cg_callback", status)

    @printf("center u=%.12e\n", center)
    free!(s)
    return failed ? 1 : 0
end

exit(main())

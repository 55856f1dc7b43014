# Krylov recycling with nksolve from Julia: a sequence of eight convection-diffusion systems
# solved with GMRES(30), then with GCRO-DR(30, 10) in the SKR order, then resumed from a saved
# recycle space. Prints the same lines as the Rust reference (examples/rust/recycling.rs) and
# the C, C++, Fortran and Python examples.
#
#   24 x 24 interior grid (n = 576), 5-point stencil with centre 4, south / north -1,
#   west -1 - beta_s, east -1 + beta_s, where system s has beta_s = 0.1 + 0.05 P[s],
#   P = [3, 7, 0, 5, 1, 6, 2, 4]; right-hand side 1, rtol 1e-8; SKR feature of system s: beta_s.
#
# Output:
#   gmres status=S total_iterations=T
#   gcrodr status=S total_iterations=T order=o0,...,o7      (0-based system indices, as in C)
#   system_s iterations=K residual=R                         (s = 0..7, GCRO-DR reports)
#   saved bytes=LEN                                          (save_recycled)
#   resumed iterations=K3 original=K2                        (system 0 on a solver that loaded
#                                                             the saved space, and on the
#                                                             original solver)
#
# NKSolve numbers systems from 1 (system s of the output is entry s + 1 of its vectors and
# column s + 1 of B); this file subtracts 1 where it prints them, so all languages print the
# same lines.
#
# Run (from the repository root, after `cargo build --release`):
#   NKSOLVE_LIBRARY=$PWD/target/release/libnksolve.so JULIA_LOAD_PATH="$PWD/bindings/julia:" \
#       julia examples/julia/recycling.jl

using NKSolve
using Printf

const NX = 24
const N = NX * NX
const SYSTEMS = 8
"The permutation that scatters the convection strengths over the systems (0-based systems)."
const P = (3, 7, 0, 5, 1, 6, 2, 4)

"Convection strength of system s (0-based, as in the output), also its SKR feature."
beta(s::Integer) = 0.1 + 0.05 * P[s+1]

"System s's matrix (0-based s) as an NKSolve.CSR: 1-based arrays, entries of a row in column order."
function system_matrix(s::Integer)
    west, east = -1.0 - beta(s), -1.0 + beta(s)
    rowptr = Vector{Int64}(undef, N + 1)
    colval = Int64[]
    nzval = Float64[]
    sizehint!(colval, 5N)
    sizehint!(nzval, 5N)
    for j in 0:NX-1, i in 0:NX-1
        p = i + NX * j + 1
        rowptr[p] = length(colval) + 1
        j > 0 && (push!(colval, p - NX); push!(nzval, -1.0))
        i > 0 && (push!(colval, p - 1); push!(nzval, west))
        push!(colval, p); push!(nzval, 4.0)
        i + 1 < NX && (push!(colval, p + 1); push!(nzval, east))
        j + 1 < NX && (push!(colval, p + NX); push!(nzval, -1.0))
    end
    rowptr[N+1] = length(colval) + 1
    return CSR(rowptr, colval, nzval)
end

"A solver with `method`, restart 30, rtol 1e-8 and 10 recycled vectors."
new_solver(method::Symbol) = KrylovSolver(method = method, rtol = 1e-8, restart = 30, recycle_dim = 10)

"Sum of the iterations of a sequence's reports."
total_iterations(reports::Vector{KrylovReport}) = sum(Int(r.iterations) for r in reports)

"Solves system 0 (matrix A0, right-hand side b0) on `s`; returns the iterations."
function solve_first_system(s::KrylovSolver, A0::CSR, b0::AbstractVector{Float64})
    set_operator!(s, A0)          # a new operator: the recycled space is re-fitted first
    x = zeros(N)
    solve!(s, x, b0)
    return Int(report(s).iterations)
end

function main()
    matrices = [system_matrix(s) for s in 0:SYSTEMS-1]
    B = ones(N, SYSTEMS)                          # one column per system
    X = zeros(N, SYSTEMS)
    features = [beta(s) for s in 0:SYSTEMS-1]     # one feature per system
    failed = false

    # 1. GMRES(30): every system from scratch, in the natural order.
    gmres = new_solver(:gmres)
    status, _, reports = solve_sequence!(gmres, X, matrices, B)
    @printf("gmres status=%d total_iterations=%d\n", status, total_iterations(reports))
    failed |= status != NKSolve.NKS_OK

    # 2. GCRO-DR(30, 10) in the SKR order of the features.
    gcrodr = new_solver(:gcrodr)
    status, order, reports = solve_sequence!(gcrodr, X, matrices, B; features = features)
    @printf("gcrodr status=%d total_iterations=%d order=%s\n", status, total_iterations(reports),
            join(order .- 1, ","))              # 1-based in Julia, printed 0-based
    for (k, r) in enumerate(reports)
        @printf("system_%d iterations=%d residual=%.6e\n", k - 1, r.iterations, r.residual_norm)
    end
    failed |= status != NKSolve.NKS_OK

    # 3. Save the recycled space, load it into a fresh solver, and solve system 0 with both.
    saved = save_recycled(gcrodr)
    @printf("saved bytes=%d\n", length(saved))
    resumed = new_solver(:gcrodr)
    load_recycled!(resumed, saved)
    b0 = view(B, :, 1)
    k_resumed = solve_first_system(resumed, matrices[1], b0)
    k_original = solve_first_system(gcrodr, matrices[1], b0)
    @printf("resumed iterations=%d original=%d\n", k_resumed, k_original)

    foreach(free!, (resumed, gcrodr, gmres))
    foreach(free!, matrices)
    return failed ? 1 : 0
end

exit(main())

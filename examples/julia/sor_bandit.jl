# Learning SOR's relaxation parameter across a sequence of systems, from Julia. Prints the same
# lines as the Rust reference (examples/rust/sor_bandit.rs) and the C, C++, Fortran and Python
# examples.
#
#   A_t = L + c_t I, L the 5-point Laplacian on a 10 x 10 grid (stencil [-1 -1 4 -1 -1]),
#   c_t in [-0.1, 0.4] from a fixed pseudo-random sequence (the "context" of system t),
#   b = 1, x0 = 0, tolerance 1e-8 on ||r|| / ||r0||, 400 systems.
#
# The ChebCB learner chooses omega from 20 values on [1, 1.95] for each system, given c_t, and
# learns from the iteration count. Halfway through, the learner is saved to bytes and restored
# (what a restarted simulation does) and the solves continue on the copy.
#
# Output:
#   solve_T context=C omega=W iterations=K status=S     (every 50 systems, T from 0)
#   total iterations=K solves=T
#   probabilities_low context=-0.05 p=p1,p2,...          (the learned distribution at c = -0.05)
#   probabilities_high context=0.35 p=...                (and at c = 0.35)
#
# Run (from the repository root, after `cargo build --release`):
#   NKSOLVE_LIBRARY=$PWD/target/release/libnksolve.so JULIA_LOAD_PATH="$PWD/bindings/julia:" \
#       julia examples/julia/sor_bandit.jl

using NKSolve
using Printf

const NX = 10
const N = NX * NX
const SYSTEMS = 400
const ARMS = 20

"L + c I as an NKSolve.CSR: 1-based arrays, the entries of a row in column order (south, west,
centre, east, north)."
function shifted_laplacian(c::Float64)
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
        push!(colval, p); push!(nzval, 4.0 + c)
        i + 1 < NX && (push!(colval, p + 1); push!(nzval, -1.0))
        j + 1 < NX && (push!(colval, p + NX); push!(nzval, -1.0))
    end
    rowptr[N+1] = length(colval) + 1
    return CSR(rowptr, colval, nzval)
end

"The context sequence: a 64-bit LCG (UInt64 arithmetic wraps around mod 2^64, as in C)."
mutable struct ContextSequence
    state::UInt64
end

"The next context of `g`, in [-0.1, 0.4]."
function next_context!(g::ContextSequence)
    g.state = g.state * UInt64(6364136223846793005) + UInt64(1442695040888963407)
    return -0.1 + 0.5 * Float64(g.state >> 11) * (1.0 / 9007199254740992.0)
end

"Prints the distribution `h` draws its next choice at `context` from."
function print_probabilities(h::SorBandit, name::String, context::Float64)
    p = probabilities(h, context)
    @printf("%s context=%.2f p=%s\n", name, context, join((@sprintf("%.4f", v) for v in p), ","))
end

function main()
    b = ones(N)
    x = zeros(N)                     # reused; the solves start from zero (use_initial_guess = 0)
    contexts = ContextSequence(12345)
    h = SorBandit(:chebcb, ARMS, 1.0, 1.95; seed = 2024, context_min = -0.1, context_max = 0.4, tol = 1e-8)
    total = 0
    failed = false
    for t in 0:SYSTEMS-1
        c = next_context!(contexts)
        A = shifted_laplacian(c)
        status = solve!(h, x, A, b, c)
        free!(A)
        r = report(h)
        total += Int(r.iterations)
        failed |= status != NKSolve.NKS_OK
        if t % 50 == 0
            @printf("solve_%d context=%.4f omega=%.4f iterations=%d status=%d\n", t, c, r.omega, r.iterations, status)
        end
        if t == SYSTEMS ÷ 2
            # Save and restore, as a restarted simulation would; continue on the copy.
            restored = load_bandit(save_bandit(h))
            free!(h)
            h = restored
        end
    end
    @printf("total iterations=%d solves=%d\n", total, SYSTEMS)
    print_probabilities(h, "probabilities_low", -0.05)
    print_probabilities(h, "probabilities_high", 0.35)
    free!(h)
    return failed ? 1 : 0
end

exit(main())

# Entropic optimal transport between two point clouds, from Julia. Prints the same lines as the
# Rust reference (examples/rust/sinkhorn.rs) and the examples in the other languages.
#
# Problem: 300 source points at the Halton points of bases (2, 3) in [0, 1]^2, 200 target
# points at the Halton points of bases (5, 7) shifted by (0.3, 0), uniform weights, squared
# Euclidean cost, eps = 0.01, stop at an L1 marginal error of 1e-9. (Halton points need no
# random generator, so every language builds the same clouds.)
#
# Output:
#   sinkhorn iterations=K marginal_error=E cost=C w2=W   log-domain Sinkhorn on the point clouds
#                                                        (costs computed on the fly), w2 = sqrt(<C, P>)
#   sns newton=K sinkhorn=K converged=0|1 w2=W           Sinkhorn-Newton-Sparse on the same problem
#   dense iterations=K w2=W regularized=R                the same problem from a dense cost matrix
#   plan nnz=K mass=M                                    the plan's entries >= 1e-4 and their mass
#
# Run (from the repository root, after `cargo build --release`):
#   NKSOLVE_LIBRARY=$PWD/target/release/libnksolve.so JULIA_LOAD_PATH="$PWD/bindings/julia:" \
#       julia examples/julia/sinkhorn.jl

using NKSolve
using Printf

const N = 300
const M = 200

"The `i`-th element (from 1) of the van der Corput sequence in `base`."
function halton(i::Int, base::Int)
    f, r = 1.0, 0.0
    while i > 0
        f /= base
        r += f * (i % base)
        i ÷= base
    end
    return r
end

"The two clouds as `2 × n` matrices, one point per column (the C API's layout: no copy)."
function clouds()
    x = Matrix{Float64}(undef, 2, N)
    y = Matrix{Float64}(undef, 2, M)
    for i in 1:N
        x[1, i], x[2, i] = halton(i, 2), halton(i, 3)
    end
    for j in 1:M
        y[1, j], y[2, j] = halton(j, 5) + 0.3, halton(j, 7)
    end
    return x, y
end

"`v` in scientific notation as Rust's `{:.1e}` writes it (`9.9e-10`, `1.0e-5`)."
function sci(v::Float64)
    mantissa, exponent = split(@sprintf("%.1e", v), 'e')
    return string(mantissa, "e", parse(Int, exponent))
end

function main()
    x, y = clouds()
    a, b = fill(1.0 / N, N), fill(1.0 / M, M)
    f, g = zeros(N), zeros(M)
    s = Sinkhorn(method = :sinkhorn, eps = 0.01, tol = 1e-9)
    failed = false

    status = solve_points!(s, a, b, x, y, 2, f, g)
    r = report(s)
    failed |= status != NKSolve.NKS_OK
    @printf("sinkhorn iterations=%d marginal_error=%s cost=%.10f w2=%.10f\n",
            r.iterations, sci(r.marginal_error), r.transport_cost, sqrt(r.transport_cost))

    set_option!(s, "method", :sns)
    status = solve_points!(s, a, b, x, y, 2, f, g)
    r = report(s)
    failed |= status != NKSolve.NKS_OK
    @printf("sns newton=%d sinkhorn=%d converged=%d w2=%.10f\n",
            r.newton_iterations, r.sinkhorn_iterations, Int(converged(r)), sqrt(r.transport_cost))

    # The dense cost |x_i - y_j|^2, an N × M Matrix (column-major: passed without a copy).
    C = Matrix{Float64}(undef, N, M)
    for j in 1:M, i in 1:N
        C[i, j] = (x[1, i] - y[1, j])^2 + (x[2, i] - y[2, j])^2
    end
    set_option!(s, "method", :sinkhorn)
    status = solve_dense!(s, a, b, C, f, g)
    r = report(s)
    failed |= status != NKSolve.NKS_OK
    @printf("dense iterations=%d w2=%.10f regularized=%.10f\n", r.iterations, sqrt(r.transport_cost), r.regularized_cost)

    rows, cols, values = plan_sparse(s, 1e-4)      # 1-based rows and columns
    mass = 0.0
    for v in values                                 # in the library's (row-major) order
        mass += v
    end
    @printf("plan nnz=%d mass=%.6f\n", length(values), mass)
    free!(s)
    return failed ? 1 : 0
end

exit(main())

# Equality-constrained optimisation with callback oracles, from Julia. Prints the same lines as
# the Rust reference (examples/rust/constrained.rs) and the examples in the other languages.
#
# 1. Hock-Schittkowski problem 6: min (1 - x₁)² s.t. 10 (x₂ - x₁²) = 0 from (-1.2, 1) (solution
#    (1, 1), f* = 0), solved three ways: the default randomized Gaussian sketch (seed 0),
#    randomized Kaczmarz on the sparse rows of the Jacobian and the Hessian (1-based CSR patterns
#    and functions that fill their values), and MINRES.
# 2. A 1D optimal-control problem: min ½ ‖y - y*‖² + α/2 ‖u‖² subject to the discrete Poisson
#    equation T y - h² u = 0 (T = tridiag(-1, 2, -1), N = 50 interior points of (0, 1),
#    h = 1/51, y*ᵢ = sin(π tᵢ), α = 1e-6) by MINRES with a host preconditioner:
#    diag(I, α I, S) with S the diagonal of the Schur complement T T + h⁴/α I.
#
# The oracles are plain Julia functions; the control problem's reach its target through a
# closure, and the binding's trampolines call them on views of the library's vectors, without
# copies. (They compute with the operations of the Rust reference in the same order, sums are
# plain loops, not `sum`, which adds pairwise, and sin is the C library's, not Julia's own,
# which may round differently in the last bit: the iteration counts then agree with the other
# languages. A code of your own would simply call `sin`.)
#
# Output:
#   hs6_SOLVER status=S iterations=I inner=K merit=M penalty_updates=P f=F x1=X1 x2=X2
#   control1d status=S iterations=I inner=K preconditioner_calls=C f=F max_misfit=E
# (status: 0 converged, 1 not; inner: inner iterations over all Newton steps (sketches,
# Kaczmarz rows or MINRES iterations); merit: merit evaluations; max_misfit: max |yᵢ - y*ᵢ|.)
#
# Run (from the repository root, after `cargo build --release`):
#   NKSOLVE_LIBRARY=$PWD/target/release/libnksolve.so JULIA_LOAD_PATH="$PWD/bindings/julia:" \
#       julia examples/julia/constrained.jl

using NKSolve
using Printf

# The C math library, whose sin the Rust reference and the compiled examples (C, C++, Fortran)
# call: glibc's on Linux.
const LIBM = Sys.isapple() ? "libSystem.dylib" : "libm.so.6"
"sin(x) as the C library computes it (see the notes at the top)."
c_sin(x::Float64) = ccall((:sin, LIBM), Cdouble, (Cdouble,), x)

# ----- HS6 -----------------------------------------------------------------------------------

hs6_objective(x) = (1.0 - x[1]) * (1.0 - x[1])

function hs6_gradient!(g, x)
    g[1] = -2.0 * (1.0 - x[1])
    g[2] = 0.0
    return nothing
end

hs6_constraints!(c, x) = (c[1] = 10.0 * (x[2] - x[1] * x[1]); nothing)
hs6_jacobian_vector!(jv, x, v) = (jv[1] = -20.0 * x[1] * v[1] + 10.0 * v[2]; nothing)

function hs6_jacobian_transpose!(jtw, x, w)
    jtw[1] = -20.0 * x[1] * w[1]
    jtw[2] = 10.0 * w[1]
    return nothing
end

"`hv = (∇²f + λ ∇²c) v = diag(2 - 20 λ, 0) v` (independent of x)."
function hs6_hessian_vector!(hv, x, lambda, v)
    hv[1] = (2.0 - 20.0 * lambda[1]) * v[1]
    hv[2] = 0.0
    return nothing
end

"The values of J = [-20 x₁, 10], in the order of its pattern."
function hs6_jacobian_values!(values, x)
    values[1] = -20.0 * x[1]
    values[2] = 10.0
    return nothing
end

"The values of the Hessian of the Lagrangian (dense 2 × 2 pattern, both triangles, by rows)."
function hs6_hessian_values!(values, x, lambda)
    values[1] = 2.0 - 20.0 * lambda[1]
    values[2] = 0.0
    values[3] = 0.0
    values[4] = 0.0
    return nothing
end

"`v` as Rust's `{:.6e}` writes it (`1.388567e-14`)."
function sci(v::Float64)
    mantissa, exponent = split(@sprintf("%.6e", v), 'e')
    return string(mantissa, "e", parse(Int, exponent))
end

"HS6 from (-1.2, 1) with the inner solver `kkt_solver`; returns whether it converged."
function hs6_line(name::String, kkt_solver::Symbol)
    solver = Constrained(kkt_solver = kkt_solver)
    set_oracles!(solver, 1; objective = hs6_objective, gradient = hs6_gradient!, constraints = hs6_constraints!,
                 jacobian_vector = hs6_jacobian_vector!, jacobian_transpose = hs6_jacobian_transpose!,
                 hessian_vector = hs6_hessian_vector!)
    # The sparse rows, 1-based: J is 1 × 2, the Hessian of the Lagrangian 2 × 2 (both dense).
    set_sparse_rows!(solver, [1, 3], [1, 2], hs6_jacobian_values!, [1, 3, 5], [1, 2, 1, 2], hs6_hessian_values!)
    x, lambda = [-1.2, 1.0], [0.0]
    status = solve!(solver, x, lambda)
    r = report(solver)
    @printf("%s status=%d iterations=%d inner=%d merit=%d penalty_updates=%d f=%s x1=%.8f x2=%.8f\n",
            name, status == NKSolve.NKS_OK ? 0 : 1, r.iterations, r.inner_iterations, r.merit_evaluations,
            r.penalty_updates, sci(r.objective), x[1], x[2])
    free!(solver)
    return status == NKSolve.NKS_OK
end

# ----- The control problem: x = [y; u], constraints T y - h² u = 0 ----------------------------

const N = 50
const ALPHA = 1e-6
const H = 1.0 / (N + 1)

"`out = T v` for `T = tridiag(-1, 2, -1)` (`v`, `out` of length N)."
function tridiag!(out, v)
    for i in 1:N
        left = i > 1 ? v[i-1] : 0.0
        right = i < N ? v[i+1] : 0.0
        out[i] = 2.0 * v[i] - left - right
    end
    return nothing
end

"`jv = J v = T v_y - h² v_u`."
function poisson_product!(jv, v)
    tridiag!(jv, view(v, 1:N))
    for i in 1:N
        jv[i] -= H * H * v[N+i]
    end
    return nothing
end

"The control problem from x = 0 by MINRES with the host's preconditioner."
function control1d()
    target = [c_sin(Float64(π) * i * H) for i in 1:N]
    function objective(x)
        f = 0.0
        for i in 1:N
            f += 0.5 * (x[i] - target[i]) * (x[i] - target[i]) + 0.5 * ALPHA * x[N+i] * x[N+i]
        end
        return f
    end
    function gradient!(g, x)
        for i in 1:N
            g[i] = x[i] - target[i]
            g[N+i] = ALPHA * x[N+i]
        end
        return nothing
    end
    function jacobian_transpose!(jtw, x, w)
        tridiag!(view(jtw, 1:N), w)
        for i in 1:N
            jtw[N+i] = -H * H * w[i]
        end
        return nothing
    end
    function hessian_vector!(hv, x, lambda, v)
        for i in 1:N
            hv[i] = v[i]
            hv[N+i] = ALPHA * v[N+i]
        end
        return nothing
    end
    # diag(I, α I, S)⁻¹ r, S = diag(T T) + h⁴/α (T T has 5 on its first and last diagonal
    # entries, 6 elsewhere).
    function precondition!(z, x, lambda, r)
        h4 = H * H * H * H
        for i in 1:N
            z[i] = r[i]
            z[N+i] = r[N+i] / ALPHA
            ends = i == 1 || i == N ? 5.0 : 6.0
            z[2N+i] = r[2N+i] / (ends + h4 / ALPHA)
        end
        return nothing
    end
    solver = Constrained(kkt_solver = :minres)
    set_oracles!(solver, N; objective = objective, gradient = gradient!,
                 constraints = (c, x) -> poisson_product!(c, x),           # linear: c(x) = J x
                 jacobian_vector = (jv, x, v) -> poisson_product!(jv, v),
                 jacobian_transpose = jacobian_transpose!, hessian_vector = hessian_vector!)
    set_preconditioner!(solver, precondition!)
    x, lambda = zeros(2N), zeros(N)
    status = solve!(solver, x, lambda)
    r = report(solver)
    misfit = 0.0
    for i in 1:N
        misfit = max(misfit, abs(x[i] - target[i]))
    end
    @printf("control1d status=%d iterations=%d inner=%d preconditioner_calls=%d f=%s max_misfit=%s\n",
            status == NKSolve.NKS_OK ? 0 : 1, r.iterations, r.inner_iterations, r.preconditioner_calls,
            sci(r.objective), sci(misfit))
    free!(solver)
    return status == NKSolve.NKS_OK
end

function main()
    ok = hs6_line("hs6_sketch", :gaussian_sketch)
    ok &= hs6_line("hs6_kaczmarz", :kaczmarz)
    ok &= hs6_line("hs6_minres", :minres)
    ok &= control1d()
    return ok ? 0 : 1
end

exit(main())

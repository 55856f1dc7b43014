# Nonlinear systems with callback oracles, from Julia. Prints the same lines as the Rust
# reference (examples/rust/nonlinear.rs) and the examples in the other languages.
#
# 1. Implicit time stepping of the 2D Bratu equation u_t = Δu + λ e^u on the unit square (zero
#    boundary, 32 × 32 interior grid, h = 1/33, λ = 6): 8 implicit Euler steps of dt = 0.1 from
#    u = 0. Each step solves, scaled by h²,
#      F(u)_p = (h²/dt)(u_p - u_old_p) + 4 u_p - u_W - u_E - u_S - u_N - h² λ e^(u_p) = 0
#    by Jacobian-free Newton-Krylov: only the residual is given, and J v is a finite
#    difference. One solver lives through the whole loop, so with GCRO-DR (the default inner
#    solver) the recycle space carries from one Newton step, and one time step, to the next;
#    the second line runs plain GMRES for comparison.
# 2. The steady Bratu problem on the same grid with the exact J v oracle.
# 3. Levenberg-Marquardt fitting y = a e^(-b t) + c to 20 points t_i = (i - 1)/4 made with
#    (a, b, c) = (2.5, 1.3, 0.5), from (1, 1, 0), with the J v and Jᵀ w oracles.
#
# The oracles are plain Julia functions that reach the problem's own data (the previous time
# level and the mass coefficient h²/dt) through closures; the binding's trampolines call them
# on views of the library's vectors, without copies. (Residuals are computed with the
# operations of the Rust reference in the same order, sums are plain loops, not `sum`, which
# adds pairwise, and e^x is the C library's `exp`, not Julia's own, which rounds differently
# in the last bit for about 1% of arguments: the iteration counts then agree with the other
# languages. A code of your own would simply call `exp`.)
#
# Output:
#   bratu_time_METHOD steps=8 converged_steps=C newton=N krylov=K residuals=R recycled=V umax=U
#   bratu_steady status=S newton=N krylov=K residuals=R jacobian_vectors=J umax=U
#   lm_fit status=S iterations=I residuals=R jacobian_vectors=J jacobian_transposes=T
#          params_within_1e-6=0|1
# (newton: Newton steps over all time steps; krylov: inner GMRES / GCRO-DR iterations;
# residuals: residual evaluations, finite-difference products included; recycled: vectors kept
# for the next solve; umax: max of u at the end; status: what solve! returned, 0 = converged.)
#
# Run (from the repository root, after `cargo build --release`):
#   NKSOLVE_LIBRARY=$PWD/target/release/libnksolve.so JULIA_LOAD_PATH="$PWD/bindings/julia:" \
#       julia examples/julia/nonlinear.jl

using NKSolve
using Printf

const SIDE = 32          # interior points per direction; unknown p = i + SIDE (j - 1)
const N = SIDE * SIDE
const LAMBDA = 6.0
const DT = 0.1
const TIME_STEPS = 8

# The C math library, whose exp the Rust reference and the compiled examples (C, C++, Fortran)
# call: glibc's on Linux.
const LIBM = Sys.isapple() ? "libSystem.dylib" : "libm.so.6"
"e^x as the C library computes it (see the notes at the top)."
c_exp(x::Float64) = ccall((:exp, LIBM), Cdouble, (Cdouble,), x)

"One implicit Euler step of Bratu: the mass coefficient h²/dt (0: steady) and the previous level."
struct BratuStep
    mass::Float64
    u_old::Vector{Float64}
end

"`f = F(u)` of the step (zero Dirichlet values outside the grid)."
function bratu_residual!(f::Vector{Float64}, u::Vector{Float64}, step::BratuStep)
    h = 1.0 / (SIDE + 1)
    source = h * h * LAMBDA
    for j in 1:SIDE, i in 1:SIDE
        p = i + SIDE * (j - 1)
        west = i > 1 ? u[p-1] : 0.0
        east = i < SIDE ? u[p+1] : 0.0
        south = j > 1 ? u[p-SIDE] : 0.0
        north = j < SIDE ? u[p+SIDE] : 0.0
        f[p] = step.mass * (u[p] - step.u_old[p]) + 4.0 * u[p] - west - east - south - north - source * c_exp(u[p])
    end
    return nothing
end

"`jv = J(u) v`, the exact product the finite difference approximates."
function bratu_jacobian_vector!(jv::Vector{Float64}, u::Vector{Float64}, v::Vector{Float64}, step::BratuStep)
    h = 1.0 / (SIDE + 1)
    source = h * h * LAMBDA
    for j in 1:SIDE, i in 1:SIDE
        p = i + SIDE * (j - 1)
        west = i > 1 ? v[p-1] : 0.0
        east = i < SIDE ? v[p+1] : 0.0
        south = j > 1 ? v[p-SIDE] : 0.0
        north = j < SIDE ? v[p+SIDE] : 0.0
        jv[p] = step.mass * v[p] + 4.0 * v[p] - west - east - south - north - source * c_exp(u[p]) * v[p]
    end
    return nothing
end

"`v` as Rust's `{:.10e}` writes it (`7.9047578040e-1`)."
function sci(v::Float64)
    mantissa, exponent = split(@sprintf("%.10e", v), 'e')
    return string(mantissa, "e", parse(Int, exponent))
end

"8 implicit Euler steps from u = 0 with one solver for the whole run; returns whether all converged."
function time_stepping(name::String, krylov_method::Symbol)
    h = 1.0 / (SIDE + 1)
    solver = Nonlinear(krylov_method = krylov_method)
    u = zeros(N)
    step = BratuStep(h * h / DT, copy(u))
    set_oracles!(solver, (f, v) -> bratu_residual!(f, v, step))    # J v by finite differences
    newton = krylov = residuals = converged_steps = 0
    for _ in 1:TIME_STEPS
        step.u_old .= u
        solve!(solver, u)                 # u: the previous level as the first guess, then the new one
        r = report(solver)
        newton += Int(r.iterations)
        krylov += Int(r.inner_iterations)
        residuals += Int(r.residual_evaluations)
        converged_steps += converged(r)
    end
    @printf("%s steps=%d converged_steps=%d newton=%d krylov=%d residuals=%d recycled=%d umax=%s\n",
            name, TIME_STEPS, converged_steps, newton, krylov, residuals, report(solver).recycled_vectors,
            sci(maximum(u)))
    free!(solver)
    return converged_steps == TIME_STEPS
end

"The steady problem from u = 0 with the exact J v oracle."
function steady_bratu()
    steady = BratuStep(0.0, zeros(N))
    solver = Nonlinear()
    set_oracles!(solver, (f, u) -> bratu_residual!(f, u, steady);
                 jacobian_vector = (jv, u, v) -> bratu_jacobian_vector!(jv, u, v, steady))
    u = zeros(N)
    status = solve!(solver, u)
    r = report(solver)
    @printf("bratu_steady status=%d newton=%d krylov=%d residuals=%d jacobian_vectors=%d umax=%s\n",
            status, r.iterations, r.inner_iterations, r.residual_evaluations, r.jacobian_vector_calls, sci(maximum(u)))
    free!(solver)
    return status == NKSolve.NKS_OK
end

"Levenberg-Marquardt on r_i = a e^(-b t_i) + c - y_i (m = 20 residuals, n = 3 parameters)."
function exponential_fit()
    t = [(i - 1) / 4.0 for i in 1:20]
    y = [2.5 * c_exp(-1.3 * ti) + 0.5 for ti in t]
    function residual!(r, x)
        for i in eachindex(t)
            r[i] = x[1] * c_exp(-x[2] * t[i]) + x[3] - y[i]
        end
    end
    function jacobian_vector!(jv, x, v)
        for i in eachindex(t)
            e = c_exp(-x[2] * t[i])
            jv[i] = e * v[1] - x[1] * t[i] * e * v[2] + v[3]
        end
    end
    function jacobian_transpose!(jtw, x, w)
        jtw .= 0.0
        for i in eachindex(t)                       # summed in index order
            e = c_exp(-x[2] * t[i])
            jtw[1] += e * w[i]
            jtw[2] -= x[1] * t[i] * e * w[i]
            jtw[3] += w[i]
        end
    end
    solver = Nonlinear(method = :levenberg_marquardt)
    set_oracles!(solver, residual!; jacobian_vector = jacobian_vector!, jacobian_transpose = jacobian_transpose!,
                 m = length(t))
    x = [1.0, 1.0, 0.0]
    status = solve!(solver, x)
    r = report(solver)
    x_error = max(abs(x[1] - 2.5), abs(x[2] - 1.3), abs(x[3] - 0.5))
    @printf("lm_fit status=%d iterations=%d residuals=%d jacobian_vectors=%d jacobian_transposes=%d params_within_1e-6=%d\n",
            status, r.iterations, r.residual_evaluations, r.jacobian_vector_calls, r.jacobian_transpose_calls,
            Int(x_error <= 1e-6))
    free!(solver)
    return status == NKSolve.NKS_OK
end

function main()
    ok = time_stepping("bratu_time_gcrodr", :gcrodr)
    ok &= time_stepping("bratu_time_gmres", :gmres)
    ok &= steady_bratu()
    ok &= exponential_fit()
    return ok ? 0 : 1
end

exit(main())

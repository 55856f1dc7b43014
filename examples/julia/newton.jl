# Unconstrained minimisation with callback oracles, from Julia. Prints the same lines as the Rust
# reference (examples/rust/newton.rs) and the examples in the other languages.
#
# Problem: the extended Rosenbrock function (Moré, Garbow, Hillstrom 1981, problem 21) with
# n = 100000, f(x) = sum over odd k of 100 (x[k+1] - x[k]^2)^2 + (1 - x[k])^2, from the standard
# start (-1.2, 1, -1.2, 1, ...); the minimum is f = 0 at x = 1. The oracles are plain Julia
# functions (the value, the gradient and the Hessian-vector product, each O(n)) that reach the
# problem's own data through closures; the binding's trampolines call them on views of the
# library's vectors, without copies. (f is summed in index order with a plain loop, not `sum`,
# which adds pairwise: every language then computes the same bits and the iteration counts agree
# exactly.)
#
# Output, one line per method (trust-region Newton-CG, line-search Newton-CG, lazy-Hessian
# Newton), then a last line for the oracle-failure semantics:
#   NAME status=S iterations=K values=V gradients=G hessian_vectors=H failed=F converged=0|1
#        x_error_below_1e-6=0|1
# (status: what solve! returned, 0 = converged; failed: trial points the objective refused;
# converged: ‖g‖ ≤ 1e-8). In the last case ("refusing") the objective cannot evaluate points with
# x[2] < -1 (it throws CannotEvaluate(), which the library sees as code 1) and the first trust
# radius is 1000 so that a trial step lands there: the solver shrinks its trust region and goes
# around.
#
# Run (from the repository root, after `cargo build --release`):
#   NKSOLVE_LIBRARY=$PWD/target/release/libnksolve.so JULIA_LOAD_PATH="$PWD/bindings/julia:" \
#       julia examples/julia/newton.jl

using NKSolve
using Printf

const N = 100_000

"The host's problem: extended Rosenbrock, whose objective refuses points with `x[2] < refuse_below`."
struct Rosenbrock
    refuse_below::Float64
end

function value(p::Rosenbrock, x::Vector{Float64})
    # like a simulation that cannot run there: the solver shrinks its step and retries
    x[2] < p.refuse_below && throw(CannotEvaluate())
    f = 0.0
    for k in 1:2:length(x)
        t, u = x[k+1] - x[k] * x[k], 1.0 - x[k]
        f += (100.0 * t) * t + u * u
    end
    return f
end

function gradient!(g::Vector{Float64}, x::Vector{Float64})
    for k in 1:2:length(x)
        t = x[k+1] - x[k] * x[k]
        g[k] = (-400.0 * x[k]) * t - 2.0 * (1.0 - x[k])
        g[k+1] = 200.0 * t
    end
    return nothing
end

function hessvec!(hv::Vector{Float64}, x::Vector{Float64}, v::Vector{Float64})
    for k in 1:2:length(x)
        h11 = ((1200.0 * x[k]) * x[k] - 400.0 * x[k+1]) + 2.0
        h12 = -400.0 * x[k]
        hv[k] = h11 * v[k] + h12 * v[k+1]
        hv[k+1] = h12 * v[k] + 200.0 * v[k+1]
    end
    return nothing
end

function main()
    failed = false
    cases = (("trust_region", :trust_region, -Inf), ("line_search", :line_search, -Inf),
             ("lazy", :lazy, -Inf), ("refusing", :trust_region, -1.0))
    for (name, method, refuse_below) in cases
        problem = Rosenbrock(refuse_below)
        h = Newton(method = method, gatol = 1e-8)
        # A first radius large enough for a trial step to land in the refused region.
        isfinite(refuse_below) && set_option!(h, "initial_radius", 1000.0)
        set_oracles!(h, x -> value(problem, x), gradient!, hessvec!)
        x = [isodd(i) ? -1.2 : 1.0 for i in 1:N]
        status = solve!(h, x)
        r = report(h)
        failed |= status != NKSolve.NKS_OK
        x_error = 0.0                               # max |x_i - 1|
        for xi in x
            x_error = max(x_error, abs(xi - 1.0))
        end
        @printf("%s status=%d iterations=%d values=%d gradients=%d hessian_vectors=%d failed=%d converged=%d x_error_below_1e-6=%d\n",
                name, status, r.iterations, r.value_calls + r.value_gradient_calls,
                r.gradient_calls + r.value_gradient_calls, r.hessian_vector_calls, r.failed_evaluations,
                Int(r.gradient_norm <= 1e-8), Int(x_error <= 1e-6))
        free!(h)
    end
    return failed ? 1 : 0
end

exit(main())

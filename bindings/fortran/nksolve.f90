!> Fortran 2008 binding of nksolve (include/nksolve.h), shipped as source.
!>
!> Two layers, in the style of grimme-lab/nlopt-f:
!>
!> * the raw layer: one `bind(c)` interface per C function, named exactly as in the header
!>   (`nks_csr_new`, `nks_krylov_solve`, ...), the named constants of every status and enum
!>   value, and `type(nks_krylov_report)`, `type(nks_sor_report)`,
!>   `type(nks_sinkhorn_report)`, `type(nks_newton_report)`, `type(nks_nonlinear_report)`,
!>   `type(nks_nonlinear_step)`, `type(nks_constrained_report)` and
!>   `type(nks_constrained_record)`, laid out exactly as the C structs;
!> * the friendly layer: `type(nks_csr_t)`, `type(nks_krylov_t)`, `type(nks_sor_bandit_t)`
!>   (SOR with a learned omega), `type(nks_sinkhorn_t)` (entropic optimal transport),
!>   `type(nks_newton_t)` (unconstrained minimisation), `type(nks_nonlinear_t)` (nonlinear
!>   systems by Newton-Krylov, least squares by Levenberg-Marquardt) and
!>   `type(nks_constrained_t)` (equality-constrained minimisation by AdaSketch-Newton), derived
!>   types with type-bound procedures and `final` destructors. For the Krylov solver, ordinary
!>   Fortran procedures serve as the matrix-free operator (also the per-system operator of a
!>   sequence), the preconditioner and the monitor; one `bind(c)` trampoline per callback kind
!>   calls them.
!>   The oracles of the minimiser, of the nonlinear solver and of the constrained solver are
!>   `bind(c)` functions of the host (interfaces `nks_newton_objective_fn`,
!>   `nks_nonlinear_residual_fn`, `nks_constrained_objective_fn`, ...) that the library
!>   calls directly with a `type(c_ptr)` user_data.
!>
!> Numbering. The friendly layer counts from 1 where C counts from 0: the systems of a Krylov
!> sequence, the arms (omega grid indices) of a SOR bandit, the rows and columns of a
!> transport plan's entries, the step records of a nonlinear solve and the iteration records of a
!> constrained solve; the sparse rows of a constrained problem default to `index_base` 1. The raw
!> layer passes C's 0-based values through unchanged.
!>
!> Errors. Every friendly call that can fail takes an optional `stat` argument
!> (`integer(c_int32_t)`, an `NKS_*` status). With `stat` present the status is returned and the
!> program goes on; without it a failure prints the status and the library's message to
!> `error_unit` and stops the program with `error stop`, as `allocate` does without `stat=`.
!> `solve`, the `solve_sequence*` calls and the transport solves (`solve_points`,
!> `solve_dense`) always return their status instead (a minimiser's, a nonlinear solver's and a
!> constrained solver's `solve` too). After a
!> failed call, `obj%last_error()` returns the library's detailed message (which argument, what
!> was wrong, the valid range), copied at the time of the failure so later calls cannot
!> overwrite it.
!>
!> Callbacks. A callback must never execute `stop`, `error stop` or anything else that leaves
!> it other than by returning: report failure by setting its `ierr` argument (an oracle of
!> `nks_newton_t`, `nks_nonlinear_t` or `nks_constrained_t`: its result) to a non-zero value
!> instead (the solve then returns `NKS_ERR_CALLBACK` and keeps the code in the report's
!> `callback_code`). Callbacks run on the thread that called the solve.
!>
!> Copying. `nks_csr_t`, `nks_krylov_t`, `nks_sor_bandit_t`, `nks_sinkhorn_t`, `nks_newton_t`,
!> `nks_nonlinear_t` and `nks_constrained_t` own a library handle; they cannot be copied by
!> assignment (a copy would free the handle twice). Assigning one that holds a handle stops the
!> program with a message; pass the objects by reference instead (or hand one over with
!> `move_alloc` when they are allocatable).
!>
!> Build: compile this file with your code (`gfortran -c nksolve.f90`) and link with
!> `-lnksolve`. Main-program variables are never finalized (Fortran saves them), so call
!> `free` there, or declare the objects inside a procedure or `block`.
module nksolve
  use, intrinsic :: iso_c_binding, only: c_ptr, c_funptr, c_null_ptr, c_null_funptr, c_null_char, &
    c_char, c_int, c_int8_t, c_int32_t, c_int64_t, c_size_t, c_double, c_associated, c_f_pointer, c_loc, c_funloc
  use, intrinsic :: iso_fortran_env, only: error_unit, int8, int32, int64
  use, intrinsic :: ieee_arithmetic, only: ieee_value, ieee_quiet_nan
  implicit none
  private

  ! ---------------------------------------------------------------------------------------------
  ! Named constants (values of include/nksolve.h; a test checks they agree)
  ! ---------------------------------------------------------------------------------------------

  !> Major version of the header this module mirrors.
  integer(c_int32_t), parameter, public :: NKS_VERSION_MAJOR = 0_c_int32_t
  !> Minor version of the header this module mirrors.
  integer(c_int32_t), parameter, public :: NKS_VERSION_MINOR = 1_c_int32_t
  !> Patch version of the header this module mirrors.
  integer(c_int32_t), parameter, public :: NKS_VERSION_PATCH = 0_c_int32_t
  !> The C header's `NKS_VERSION` macro, `MAJOR * 10000 + MINOR * 100 + PATCH` (renamed: Fortran
  !> names are case-insensitive, so `NKS_VERSION` would clash with the function `nks_version`).
  !> Compare with `nks_version()` to detect a module / library mismatch.
  integer(c_int32_t), parameter, public :: NKS_HEADER_VERSION = &
    NKS_VERSION_MAJOR * 10000_c_int32_t + NKS_VERSION_MINOR * 100_c_int32_t + NKS_VERSION_PATCH

  ! nks_status: 0 success, < 0 failure of the call, > 0 finished with a usable, unconverged result.
  !> Success.
  integer(c_int32_t), parameter, public :: NKS_OK = 0_c_int32_t
  !> A required pointer argument was NULL (also: an object used before `create` or after `free`).
  integer(c_int32_t), parameter, public :: NKS_ERR_NULL_POINTER = -1_c_int32_t
  !> An argument is outside its valid range.
  integer(c_int32_t), parameter, public :: NKS_ERR_INVALID_ARGUMENT = -2_c_int32_t
  !> Sizes of two arguments disagree.
  integer(c_int32_t), parameter, public :: NKS_ERR_DIMENSION_MISMATCH = -3_c_int32_t
  !> An option name is not known.
  integer(c_int32_t), parameter, public :: NKS_ERR_UNKNOWN_OPTION = -4_c_int32_t
  !> A user callback returned a non-zero code (kept in the report's `callback_code`).
  integer(c_int32_t), parameter, public :: NKS_ERR_CALLBACK = -5_c_int32_t
  !> An input or a callback output is NaN or infinite.
  integer(c_int32_t), parameter, public :: NKS_ERR_NON_FINITE = -6_c_int32_t
  !> The method cannot continue (e.g. CG on an indefinite operator).
  integer(c_int32_t), parameter, public :: NKS_ERR_BREAKDOWN = -7_c_int32_t
  !> Memory could not be allocated.
  integer(c_int32_t), parameter, public :: NKS_ERR_ALLOCATION = -8_c_int32_t
  !> A bug in nksolve (a caught panic); please report the message.
  integer(c_int32_t), parameter, public :: NKS_ERR_INTERNAL = -9_c_int32_t
  !> The user stopped the solve (monitor callback).
  integer(c_int32_t), parameter, public :: NKS_ERR_ABORTED = -10_c_int32_t
  !> The handle is not ready for this call (e.g. no operator set before a solve).
  integer(c_int32_t), parameter, public :: NKS_ERR_INVALID_STATE = -11_c_int32_t
  !> Finished at the iteration limit; the result is usable but not converged.
  integer(c_int32_t), parameter, public :: NKS_MAX_ITERATIONS = 1_c_int32_t
  !> Finished at the time limit; the result is usable but not converged.
  integer(c_int32_t), parameter, public :: NKS_TIME_LIMIT = 2_c_int32_t
  !> Finished because the method stopped making progress; the result is usable.
  integer(c_int32_t), parameter, public :: NKS_STAGNATION = 3_c_int32_t

  ! nks_krylov_method
  !> Conjugate gradients, for symmetric positive definite `A` and preconditioner.
  integer(c_int32_t), parameter, public :: NKS_KRYLOV_CG = 0_c_int32_t
  !> Restarted GMRES(m), any nonsingular `A` (the default).
  integer(c_int32_t), parameter, public :: NKS_KRYLOV_GMRES = 1_c_int32_t
  !> Flexible GMRES(m): the preconditioner may vary between applications; right side only.
  integer(c_int32_t), parameter, public :: NKS_KRYLOV_FGMRES = 2_c_int32_t
  !> GCRO-DR(m, k): recycles `recycle_dim` vectors across cycles and solves.
  integer(c_int32_t), parameter, public :: NKS_KRYLOV_GCRODR = 3_c_int32_t
  !> Recycled (deflated) CG for sequences of SPD systems.
  integer(c_int32_t), parameter, public :: NKS_KRYLOV_RECYCLED_CG = 4_c_int32_t

  ! nks_preconditioner
  !> No preconditioning (the default).
  integer(c_int32_t), parameter, public :: NKS_PRECOND_NONE = 0_c_int32_t
  !> Jacobi: `M = diag(A)`. Needs a CSR operator with a nonzero diagonal.
  integer(c_int32_t), parameter, public :: NKS_PRECOND_JACOBI = 1_c_int32_t
  !> ILU(0): incomplete LU without fill. Needs a CSR operator with stored diagonal entries.
  integer(c_int32_t), parameter, public :: NKS_PRECOND_ILU0 = 2_c_int32_t

  ! nks_preconditioner_side
  !> `M^{-1} A x = M^{-1} b`: the preconditioned residual is monitored.
  integer(c_int32_t), parameter, public :: NKS_SIDE_LEFT = 0_c_int32_t
  !> `A M^{-1} u = b`: the true residual is monitored (the default).
  integer(c_int32_t), parameter, public :: NKS_SIDE_RIGHT = 1_c_int32_t

  ! nks_termination
  !> No solve has run on this handle.
  integer(c_int32_t), parameter, public :: NKS_TERMINATION_NOT_STARTED = 0_c_int32_t
  !> `||r|| <= rtol * ||b||`.
  integer(c_int32_t), parameter, public :: NKS_TERMINATION_CONVERGED_RTOL = 1_c_int32_t
  !> `||r|| <= atol`.
  integer(c_int32_t), parameter, public :: NKS_TERMINATION_CONVERGED_ATOL = 2_c_int32_t
  !> The iteration limit was reached.
  integer(c_int32_t), parameter, public :: NKS_TERMINATION_MAX_ITERATIONS = 3_c_int32_t
  !> The time limit was reached.
  integer(c_int32_t), parameter, public :: NKS_TERMINATION_TIME_LIMIT = 4_c_int32_t
  !> A GMRES restart cycle made no progress.
  integer(c_int32_t), parameter, public :: NKS_TERMINATION_STAGNATION = 5_c_int32_t
  !> The monitor callback asked to stop.
  integer(c_int32_t), parameter, public :: NKS_TERMINATION_MONITOR_STOP = 6_c_int32_t
  !> A matvec or preconditioner callback returned non-zero (see `callback_code`).
  integer(c_int32_t), parameter, public :: NKS_TERMINATION_CALLBACK_FAILED = 7_c_int32_t
  !> A NaN or infinity appeared.
  integer(c_int32_t), parameter, public :: NKS_TERMINATION_NON_FINITE = 8_c_int32_t
  !> The method broke down (e.g. CG on an indefinite operator).
  integer(c_int32_t), parameter, public :: NKS_TERMINATION_BREAKDOWN = 9_c_int32_t
  !> Newton: an accepted step was below `xtol`.
  integer(c_int32_t), parameter, public :: NKS_TERMINATION_CONVERGED_STEP = 10_c_int32_t
  !> Newton: an accepted step changed `f` by less than `ftol`.
  integer(c_int32_t), parameter, public :: NKS_TERMINATION_CONVERGED_FTOL = 11_c_int32_t
  !> Newton: the oracle-call limit `max_evaluations` was reached (status `NKS_MAX_ITERATIONS`).
  integer(c_int32_t), parameter, public :: NKS_TERMINATION_MAX_EVALUATIONS = 12_c_int32_t
  !> Levenberg-Marquardt: a stationary point of `||F||^2` (`||J^T F|| <= gatol`).
  integer(c_int32_t), parameter, public :: NKS_TERMINATION_CONVERGED_STATIONARY = 13_c_int32_t
  !> Constrained: `||grad_x L|| <= stationarity_tol` and `||c|| <= feasibility_tol`.
  integer(c_int32_t), parameter, public :: NKS_TERMINATION_CONVERGED_KKT = 14_c_int32_t

  ! nks_sor_learner
  !> Tsallis-INF (alpha = 1/2) over the omega grid: total iterations approach those of the best
  !> fixed omega in hindsight. Ignores the context.
  integer(c_int32_t), parameter, public :: NKS_SOR_TSALLIS_INF = 0_c_int32_t
  !> ChebCB: contextual; regresses each arm's cost on Chebyshev features of the context (options
  !> `"context_min"`, `"context_max"`, `"chebyshev_terms"`); approaches the best omega per context.
  integer(c_int32_t), parameter, public :: NKS_SOR_CHEBCB = 1_c_int32_t
  !> Tsallis-INF per context bin (options `"context_min"`, `"context_max"`, `"bins"`).
  integer(c_int32_t), parameter, public :: NKS_SOR_BINNED = 2_c_int32_t
  !> Always `omega_min` (`num_arms = 1`, `omega_max == omega_min`).
  integer(c_int32_t), parameter, public :: NKS_SOR_FIXED = 3_c_int32_t
  !> Young's `2 / (1 + sqrt(1 - rho^2))` clamped to `[omega_min, omega_max]` (`num_arms = 1`);
  !> `rho` is option `"young_rho"`, or the context of each solve when that is -1 (default).
  integer(c_int32_t), parameter, public :: NKS_SOR_YOUNG = 4_c_int32_t

  ! nks_ot_method (option "method" of an nks_sinkhorn)
  !> Log-domain Sinkhorn (default).
  integer(c_int32_t), parameter, public :: NKS_OT_SINKHORN = 0_c_int32_t
  !> Sinkhorn-Newton-Sparse: Sinkhorn warm-up, then Newton steps with a sparsified Hessian.
  integer(c_int32_t), parameter, public :: NKS_OT_SNS = 1_c_int32_t

  ! nks_newton_method (option "method" of an nks_newton)
  !> Trust-region Newton-CG (Steihaug-Toint), the default.
  integer(c_int32_t), parameter, public :: NKS_NEWTON_TRUST_REGION = 0_c_int32_t
  !> Line-search Newton-CG (Eisenstat-Walker forcing; Armijo or strong Wolfe).
  integer(c_int32_t), parameter, public :: NKS_NEWTON_LINE_SEARCH = 1_c_int32_t
  !> Lazy-Hessian Newton: Hessian sampled every `"lazy_period"` steps, cubic or gradient
  !> regularisation.
  integer(c_int32_t), parameter, public :: NKS_NEWTON_LAZY = 2_c_int32_t
  !> Damped Newton with the AICN step size (convex `f`).
  integer(c_int32_t), parameter, public :: NKS_NEWTON_DAMPED = 3_c_int32_t
  !> Gradient-regularised Newton (Gradient-Normalized Smoothness).
  integer(c_int32_t), parameter, public :: NKS_NEWTON_GRADIENT_REGULARIZED = 4_c_int32_t

  ! nks_nonlinear_method (option "method" of an nks_nonlinear)
  !> Jacobian-free Newton-Krylov for square systems `F(x) = 0` (the default).
  integer(c_int32_t), parameter, public :: NKS_NONLINEAR_NEWTON_KRYLOV = 0_c_int32_t
  !> Levenberg-Marquardt for least squares `min ||F(x)||^2 / 2` (needs the `J^T w` oracle).
  integer(c_int32_t), parameter, public :: NKS_NONLINEAR_LEVENBERG_MARQUARDT = 1_c_int32_t

  ! nks_kkt_solver (option "kkt_solver" of an nks_constrained)
  !> Randomized Gaussian sketch-and-project, matrix-free (the default).
  integer(c_int32_t), parameter, public :: NKS_KKT_GAUSSIAN_SKETCH = 0_c_int32_t
  !> Randomized Kaczmarz on the KKT rows (needs `set_sparse_rows`).
  integer(c_int32_t), parameter, public :: NKS_KKT_KACZMARZ = 1_c_int32_t
  !> MINRES, preconditioned by `set_preconditioner` when set.
  integer(c_int32_t), parameter, public :: NKS_KKT_MINRES = 2_c_int32_t

  ! ---------------------------------------------------------------------------------------------
  ! The report struct (C layout)
  ! ---------------------------------------------------------------------------------------------

  !> What a Krylov solve did (C `nks_krylov_report`, same layout). Read it with
  !> `solver%get_report(report)` after a solve; a monitor receives the running report during
  !> one (then `residual_norm` is the monitored residual of the current iteration; after the
  !> solve it is the true `||b - A x||` of the returned `x`).
  type, bind(c), public :: nks_krylov_report
    !> The status the solve returned (an `NKS_*` status value).
    integer(c_int32_t) :: status = 0_c_int32_t
    !> Why it stopped (an `NKS_TERMINATION_*` value).
    integer(c_int32_t) :: termination = 0_c_int32_t
    !> Krylov iterations.
    integer(c_size_t) :: iterations = 0_c_size_t
    !> Operator applications, residual recomputations included.
    integer(c_size_t) :: matvecs = 0_c_size_t
    !> Preconditioner applications.
    integer(c_size_t) :: precond_applies = 0_c_size_t
    !> `||b||_2`.
    real(c_double) :: rhs_norm = 0.0_c_double
    !> The monitored residual norm at the start.
    real(c_double) :: initial_residual_norm = 0.0_c_double
    !> See the type's description.
    real(c_double) :: residual_norm = 0.0_c_double
    !> Wall-clock seconds.
    real(c_double) :: seconds = 0.0_c_double
    !> The code a failing callback returned (0 if none failed).
    integer(c_int32_t) :: callback_code = 0_c_int32_t
    !> Recycling (GCRO-DR, recycled CG; zero for the other methods): 1 if the kept space was
    !> re-fitted to a new operator before this solve (`recycle_initial_dim` matvecs), else 0.
    integer(c_int32_t) :: recycle_rebuilt = 0_c_int32_t
    !> Dimension of the recycled space this solve started from (0: none).
    integer(c_size_t) :: recycle_initial_dim = 0_c_size_t
    !> Dimension of the space kept for the next solve.
    integer(c_size_t) :: recycle_final_dim = 0_c_size_t
    !> Refreshes of the space from this solve's Krylov data.
    integer(c_size_t) :: recycle_refreshes = 0_c_size_t
    !> GCRO-DR: largest principal angle (radians, `[0, pi/2]`) between the space before and
    !> after the re-fit to a new operator: how far the operator change moved it.
    real(c_double) :: recycle_largest_angle = 0.0_c_double
    !> `||r after projection onto the recycled space|| / ||r0||` (1: the space did not help).
    real(c_double) :: recycle_projection_ratio = 0.0_c_double
    !> 1 if the space was dropped after this solve because it stopped helping (it needed at
    !> least the iterations of the last solve without one) or was degenerate for the operator.
    integer(c_int32_t) :: recycle_dropped = 0_c_int32_t
  end type nks_krylov_report

  !> What the last SOR-bandit solve did (C `nks_sor_report`, same layout). Read it with
  !> `learner%get_report(report)` after `learner%solve`.
  type, bind(c), public :: nks_sor_report
    !> The status the solve returned (an `NKS_*` status value).
    integer(c_int32_t) :: status = 0_c_int32_t
    !> Why it stopped (an `NKS_TERMINATION_*` value: converged, iteration limit, non-finite (SOR
    !> diverged), breakdown (SSOR-PCG on a non-SPD matrix)).
    integer(c_int32_t) :: termination = 0_c_int32_t
    !> The arm chosen: its index into the omega grid. 1-based (omega number `arm` of the grid,
    !> as `choose` and `observe` count; 0 before the first solve) when filled by
    !> `nks_sor_bandit_t%get_report`; 0-based, as in C, when filled by the raw
    !> `nks_sor_bandit_get_report`.
    integer(c_size_t) :: arm = 0_c_size_t
    !> The omega used.
    real(c_double) :: omega = 0.0_c_double
    !> Iterations (SOR sweeps or CG iterations).
    integer(c_size_t) :: iterations = 0_c_size_t
    !> The cost the learner was given: `iterations`, or `max_iterations` when not converged.
    real(c_double) :: cost = 0.0_c_double
    !> `||b - A x_0||`.
    real(c_double) :: initial_residual_norm = 0.0_c_double
    !> `||b - A x||` of the returned iterate.
    real(c_double) :: residual_norm = 0.0_c_double
    !> Wall-clock seconds of the solve.
    real(c_double) :: seconds = 0.0_c_double
  end type nks_sor_report

  !> What the last optimal-transport solve did (C `nks_sinkhorn_report`, same layout). Read it
  !> with `solver%get_report(report)` after `solver%solve_points` or `solver%solve_dense`.
  type, bind(c), public :: nks_sinkhorn_report
    !> The status the solve returned (an `NKS_*` status value).
    integer(c_int32_t) :: status = 0_c_int32_t
    !> Why it stopped (an `NKS_TERMINATION_*` value): `NKS_TERMINATION_CONVERGED_ATOL` (the
    !> marginal error reached `tol`), `NKS_TERMINATION_MAX_ITERATIONS`,
    !> `NKS_TERMINATION_TIME_LIMIT`, or `NKS_TERMINATION_NOT_STARTED` before any solve.
    integer(c_int32_t) :: termination = 0_c_int32_t
    !> The method that ran (an `NKS_OT_*` value).
    integer(c_int32_t) :: method = 0_c_int32_t
    !> All iterations: `sinkhorn_iterations + newton_iterations`.
    integer(c_size_t) :: iterations = 0_c_size_t
    !> Sinkhorn iterations (one update of `f` and one of `g`): epsilon-scaling stages, the SNS
    !> warm-up and SNS fallbacks included.
    integer(c_size_t) :: sinkhorn_iterations = 0_c_size_t
    !> Newton iterations (SNS).
    integer(c_size_t) :: newton_iterations = 0_c_size_t
    !> Sinkhorn steps SNS took because a Newton step did not help.
    integer(c_size_t) :: fallback_steps = 0_c_size_t
    !> CG iterations over all Newton systems (SNS).
    integer(c_size_t) :: cg_iterations = 0_c_size_t
    !> Plan entries kept in the last sparsified Hessian, as a fraction of the `n m` entries.
    real(c_double) :: hessian_density = 0.0_c_double
    !> `||P 1 - a||_1 + ||P^T 1 - b||_1` of the returned potentials.
    real(c_double) :: marginal_error = 0.0_c_double
    !> `<C, P>`: the unregularised transport cost of the plan (W_p^p for a point-cloud cost).
    real(c_double) :: transport_cost = 0.0_c_double
    !> `<C, P> + eps KL(P | a b^T)`: the entropic objective (equal to `<a, f> + <b, g>` at the
    !> optimum).
    real(c_double) :: regularized_cost = 0.0_c_double
    !> The regularisation `eps` of the solve.
    real(c_double) :: eps = 0.0_c_double
    !> Potential updates redone by an exact log-sum-exp because the fast one underflowed.
    integer(c_size_t) :: exact_lines = 0_c_size_t
    !> Wall-clock seconds.
    real(c_double) :: seconds = 0.0_c_double
  end type nks_sinkhorn_report

  !> What the last minimisation did (C `nks_newton_report`, same layout). Read it with
  !> `opt%get_report(report)` after `opt%solve`; a monitor receives the running report after
  !> every iteration (then `status` is 0 and `termination` is `NKS_TERMINATION_NOT_STARTED`).
  type, bind(c), public :: nks_newton_report
    !> The status the solve returned (an `NKS_*` status value).
    integer(c_int32_t) :: status = 0_c_int32_t
    !> Why it stopped (an `NKS_TERMINATION_*` value): `NKS_TERMINATION_CONVERGED_ATOL`
    !> (`||g|| <= gatol`), `_CONVERGED_RTOL` (`||g|| <= grtol ||g0||`), `_CONVERGED_STEP`,
    !> `_CONVERGED_FTOL`, `_MAX_ITERATIONS`, `_MAX_EVALUATIONS`, `_TIME_LIMIT`, `_STAGNATION`,
    !> `_MONITOR_STOP`, `_CALLBACK_FAILED` or `_NON_FINITE`.
    integer(c_int32_t) :: termination = 0_c_int32_t
    !> The method that ran (an `NKS_NEWTON_*` value).
    integer(c_int32_t) :: method = 0_c_int32_t
    !> Outer iterations, rejected trial steps included.
    integer(c_size_t) :: iterations = 0_c_size_t
    !> Accepted steps.
    integer(c_size_t) :: accepted_steps = 0_c_size_t
    !> Objective callback calls.
    integer(c_size_t) :: value_calls = 0_c_size_t
    !> Gradient callback calls.
    integer(c_size_t) :: gradient_calls = 0_c_size_t
    !> Combined objective + gradient callback calls.
    integer(c_size_t) :: value_gradient_calls = 0_c_size_t
    !> Hessian-vector product calls.
    integer(c_size_t) :: hessian_vector_calls = 0_c_size_t
    !> Preconditioner calls.
    integer(c_size_t) :: preconditioner_calls = 0_c_size_t
    !> Inner CG / Lanczos iterations over all steps.
    integer(c_size_t) :: cg_iterations = 0_c_size_t
    !> Lazy Hessian: times the Hessian was sampled.
    integer(c_size_t) :: hessian_refreshes = 0_c_size_t
    !> Trial points rejected (ratio, decrease test, line-search backtracks).
    integer(c_size_t) :: rejected_steps = 0_c_size_t
    !> Trial points a callback could not evaluate (code `> 0`, NaN or Inf), which made the
    !> solver shrink its step.
    integer(c_size_t) :: failed_evaluations = 0_c_size_t
    !> The code of the callback that stopped the solve (0 if none).
    integer(c_int32_t) :: callback_code = 0_c_int32_t
    !> `f` at the start.
    real(c_double) :: initial_value = 0.0_c_double
    !> `f` at the returned point.
    real(c_double) :: value = 0.0_c_double
    !> `||g||` at the start.
    real(c_double) :: initial_gradient_norm = 0.0_c_double
    !> `||g||` at the returned point.
    real(c_double) :: gradient_norm = 0.0_c_double
    !> Length of the last accepted step.
    real(c_double) :: step_norm = 0.0_c_double
    !> The method's adaptive parameter at the end: trust radius, lazy `M`, AICN `L` or `gamma`.
    real(c_double) :: parameter = 0.0_c_double
    !> Wall-clock seconds.
    real(c_double) :: seconds = 0.0_c_double
  end type nks_newton_report

  !> What the last nonlinear solve did (C `nks_nonlinear_report`, same layout). Read it with
  !> `nl%get_report(report)` after `nl%solve`; a monitor receives the running report after every
  !> step (then `status` is 0 and `termination` is `NKS_TERMINATION_NOT_STARTED`).
  type, bind(c), public :: nks_nonlinear_report
    !> The status the solve returned (an `NKS_*` status value).
    integer(c_int32_t) :: status = 0_c_int32_t
    !> Why it stopped (an `NKS_TERMINATION_*` value): `NKS_TERMINATION_CONVERGED_ATOL`
    !> (`||F|| <= fatol`), `_CONVERGED_RTOL` (`||F|| <= frtol ||F0||`), `_CONVERGED_STATIONARY`
    !> (Levenberg-Marquardt: `||J^T F|| <= gatol`), `_CONVERGED_STEP`, `_MAX_ITERATIONS`,
    !> `_MAX_EVALUATIONS`, `_TIME_LIMIT`, `_STAGNATION`, `_MONITOR_STOP`, `_CALLBACK_FAILED` or
    !> `_NON_FINITE`.
    integer(c_int32_t) :: termination = 0_c_int32_t
    !> The method that ran (an `NKS_NONLINEAR_*` value).
    integer(c_int32_t) :: method = 0_c_int32_t
    !> Steps taken (rejected Levenberg-Marquardt steps included).
    integer(c_size_t) :: iterations = 0_c_size_t
    !> Residual oracle calls, those of finite-difference products and line searches included.
    integer(c_size_t) :: residual_evaluations = 0_c_size_t
    !> Jacobian-vector products done by finite differences (one residual call each).
    integer(c_size_t) :: fd_products = 0_c_size_t
    !> Jacobian-vector oracle calls.
    integer(c_size_t) :: jacobian_vector_calls = 0_c_size_t
    !> Transposed-Jacobian-vector oracle calls.
    integer(c_size_t) :: jacobian_transpose_calls = 0_c_size_t
    !> Preconditioner calls.
    integer(c_size_t) :: preconditioner_calls = 0_c_size_t
    !> Inner Krylov (GMRES / GCRO-DR) or CGLS iterations over all steps.
    integer(c_size_t) :: inner_iterations = 0_c_size_t
    !> Trial points rejected (line-search backtracks, rejected Levenberg-Marquardt steps).
    integer(c_size_t) :: rejected_steps = 0_c_size_t
    !> Trial points an oracle could not evaluate (code `> 0`, NaN or Inf).
    integer(c_size_t) :: failed_evaluations = 0_c_size_t
    !> Step records kept (read them with `nl%get_step`).
    integer(c_size_t) :: steps = 0_c_size_t
    !> Recycled vectors kept for the next solve (GCRO-DR).
    integer(c_size_t) :: recycled_vectors = 0_c_size_t
    !> The code of the oracle that stopped the solve (0 if none).
    integer(c_int32_t) :: callback_code = 0_c_int32_t
    !> `||F||` at the start.
    real(c_double) :: initial_residual_norm = 0.0_c_double
    !> `||F||` at the returned point.
    real(c_double) :: residual_norm = 0.0_c_double
    !> `||J^T F||` at the returned point (Levenberg-Marquardt; NaN for Newton-Krylov).
    real(c_double) :: gradient_norm = 0.0_c_double
    !> Length of the last accepted step.
    real(c_double) :: step_norm = 0.0_c_double
    !> Wall-clock seconds.
    real(c_double) :: seconds = 0.0_c_double
  end type nks_nonlinear_report

  !> One step of the last nonlinear solve (C `nks_nonlinear_step`, same layout; read it with
  !> `nl%get_step(k, step)`): how inexact its linear solve was and what recycling did.
  type, bind(c), public :: nks_nonlinear_step
    !> `||F||` at the start of the step.
    real(c_double) :: residual_norm = 0.0_c_double
    !> The forcing term the inner solve was asked for (relative residual).
    real(c_double) :: forcing = 0.0_c_double
    !> The relative residual the inner solve reached.
    real(c_double) :: linear_residual = 0.0_c_double
    !> Inner Krylov / CGLS iterations.
    integer(c_size_t) :: inner_iterations = 0_c_size_t
    !> Jacobian applications of the inner solve (the recycle space's re-fit included).
    integer(c_size_t) :: jacobian_products = 0_c_size_t
    !> Recycled vectors the inner solve started with.
    integer(c_size_t) :: recycled_vectors = 0_c_size_t
    !> Step length taken (1 = full step; 0 = a rejected Levenberg-Marquardt step).
    real(c_double) :: step_length = 0.0_c_double
    !> Levenberg-Marquardt parameter `mu` of the step (0 for Newton-Krylov).
    real(c_double) :: lm_parameter = 0.0_c_double
  end type nks_nonlinear_step

  !> What the last equality-constrained solve did (C `nks_constrained_report`, same layout).
  !> Read it with `cs%get_report(report)` after `cs%solve`; a monitor receives the running
  !> report after every iteration (then `status` is 0 and `termination` is
  !> `NKS_TERMINATION_NOT_STARTED`).
  type, bind(c), public :: nks_constrained_report
    !> The status the solve returned (an `NKS_*` status value).
    integer(c_int32_t) :: status = 0_c_int32_t
    !> Why it stopped (an `NKS_TERMINATION_*` value): `NKS_TERMINATION_CONVERGED_KKT`,
    !> `_MAX_ITERATIONS`, `_MAX_EVALUATIONS`, `_TIME_LIMIT`, `_STAGNATION`, `_MONITOR_STOP`,
    !> `_CALLBACK_FAILED` or `_NON_FINITE`.
    integer(c_int32_t) :: termination = 0_c_int32_t
    !> The inner solver that ran (an `NKS_KKT_*` value).
    integer(c_int32_t) :: kkt_solver = 0_c_int32_t
    !> Newton iterations.
    integer(c_size_t) :: iterations = 0_c_size_t
    !> Inner iterations over all Newton steps (sketches, Kaczmarz rows or MINRES iterations).
    integer(c_size_t) :: inner_iterations = 0_c_size_t
    !> Merit evaluations (each one `f`, `c`, `grad f` and `J^T lambda` call).
    integer(c_size_t) :: merit_evaluations = 0_c_size_t
    !> Penalty updates (`eta1 *= rho^2, eta2 /= rho`) because a direction was not a descent
    !> direction of the merit.
    integer(c_size_t) :: penalty_updates = 0_c_size_t
    !> Newton steps solved with a Hessian shift.
    integer(c_size_t) :: regularized_steps = 0_c_size_t
    !> Line-search trial points rejected.
    integer(c_size_t) :: rejected_steps = 0_c_size_t
    !> Trial points a callback could not evaluate (code `> 0`, NaN or Inf).
    integer(c_size_t) :: failed_evaluations = 0_c_size_t
    !> Objective callback calls.
    integer(c_size_t) :: objective_evaluations = 0_c_size_t
    !> Gradient callback calls.
    integer(c_size_t) :: gradient_evaluations = 0_c_size_t
    !> Constraint callback calls.
    integer(c_size_t) :: constraint_evaluations = 0_c_size_t
    !> `J v` callback calls.
    integer(c_size_t) :: jacobian_products = 0_c_size_t
    !> `J^T w` callback calls.
    integer(c_size_t) :: jacobian_transpose_products = 0_c_size_t
    !> Hessian-of-the-Lagrangian-vector callback calls.
    integer(c_size_t) :: hessian_products = 0_c_size_t
    !> Sparse Jacobian / Hessian value callback calls (Kaczmarz).
    integer(c_size_t) :: matrix_evaluations = 0_c_size_t
    !> Preconditioner callback calls (MINRES).
    integer(c_size_t) :: preconditioner_calls = 0_c_size_t
    !> Iteration records kept (read them with `cs%get_record`).
    integer(c_size_t) :: records = 0_c_size_t
    !> The code of the callback that stopped the solve (0 if none).
    integer(c_int32_t) :: callback_code = 0_c_int32_t
    !> `f` at the returned point.
    real(c_double) :: objective = 0.0_c_double
    !> `||grad_x L||_2` at the returned point.
    real(c_double) :: stationarity = 0.0_c_double
    !> `||c||_2` at the returned point.
    real(c_double) :: feasibility = 0.0_c_double
    !> `||grad_x L||_2` at the start (with the starting multipliers).
    real(c_double) :: initial_stationarity = 0.0_c_double
    !> `||c||_2` at the start.
    real(c_double) :: initial_feasibility = 0.0_c_double
    !> The final penalty `eta1`.
    real(c_double) :: eta1 = 0.0_c_double
    !> The final penalty `eta2`.
    real(c_double) :: eta2 = 0.0_c_double
    !> Wall-clock seconds.
    real(c_double) :: seconds = 0.0_c_double
  end type nks_constrained_report

  !> One Newton iteration of the last equality-constrained solve (C `nks_constrained_record`,
  !> same layout; read it with `cs%get_record(k, record)`): the KKT residual history and how
  !> the step was made.
  type, bind(c), public :: nks_constrained_record
    !> `||grad_x L||_2` at the start of the iteration.
    real(c_double) :: stationarity = 0.0_c_double
    !> `||c||_2` at the start of the iteration.
    real(c_double) :: feasibility = 0.0_c_double
    !> The merit at the start of the iteration, with the penalties the step was accepted with.
    real(c_double) :: merit = 0.0_c_double
    !> Inner iterations of the step.
    integer(c_size_t) :: inner_iterations = 0_c_size_t
    !> Relative residual `||K d + rhs|| / ||rhs||` the inner solve reached.
    real(c_double) :: inner_residual = 0.0_c_double
    !> Penalty `eta1` of the step.
    real(c_double) :: eta1 = 0.0_c_double
    !> Penalty `eta2` of the step.
    real(c_double) :: eta2 = 0.0_c_double
    !> Hessian shift of the step (0 = none).
    real(c_double) :: regularization = 0.0_c_double
    !> Step length taken.
    real(c_double) :: step_length = 0.0_c_double
  end type nks_constrained_record

  ! ---------------------------------------------------------------------------------------------
  ! Raw C interfaces: one per function of include/nksolve.h, same names and arguments
  ! ---------------------------------------------------------------------------------------------

  public :: nks_csr_new, nks_csr_free, nks_csr_get_size, nks_csr_matvec
  public :: nks_krylov_new, nks_krylov_free, nks_krylov_set_method, nks_krylov_set_rtol, &
    nks_krylov_set_atol, nks_krylov_set_max_iterations, nks_krylov_set_restart, &
    nks_krylov_set_use_initial_guess, nks_krylov_set_preconditioner_side, &
    nks_krylov_set_max_seconds, nks_krylov_set_option, nks_krylov_get_option, &
    nks_krylov_set_operator_csr, &
    nks_krylov_set_operator_callback, nks_krylov_set_preconditioner, &
    nks_krylov_set_preconditioner_callback, nks_krylov_set_monitor, nks_krylov_solve, &
    nks_krylov_get_report
  public :: nks_krylov_solve_sequence, nks_krylov_solve_sequence_callback, nks_skr_order, &
    nks_krylov_operator_changed, nks_krylov_clear_recycled, nks_krylov_save_recycled, &
    nks_krylov_load_recycled, nks_krylov_save_recycled_file, nks_krylov_load_recycled_file, &
    nks_bytes_free
  public :: nks_version, nks_version_string, nks_set_num_threads, nks_get_num_threads, &
    nks_status_str, nks_last_error_message
  public :: nks_sor_bandit_new, nks_sor_bandit_free, nks_sor_bandit_set_option, nks_sor_bandit_get_option, &
    nks_sor_bandit_choose, nks_sor_bandit_observe, nks_sor_bandit_solve, nks_sor_bandit_get_report, &
    nks_sor_bandit_probabilities, nks_sor_bandit_save, nks_sor_bandit_load, nks_sor_bandit_save_file, &
    nks_sor_bandit_load_file
  public :: nks_sinkhorn_new, nks_sinkhorn_free, nks_sinkhorn_set_option, nks_sinkhorn_get_option, &
    nks_sinkhorn_solve_dense, nks_sinkhorn_solve_points, nks_sinkhorn_get_report, nks_sinkhorn_plan_dense, &
    nks_sinkhorn_plan_nnz, nks_sinkhorn_plan_sparse
  public :: nks_newton_new, nks_newton_free, nks_newton_set_oracles, nks_newton_set_preconditioner, &
    nks_newton_set_monitor, nks_newton_set_option, nks_newton_get_option, nks_newton_solve, &
    nks_newton_get_report, nks_newton_get_point
  public :: nks_nonlinear_new, nks_nonlinear_free, nks_nonlinear_set_oracles, nks_nonlinear_set_preconditioner, &
    nks_nonlinear_set_monitor, nks_nonlinear_set_option, nks_nonlinear_get_option, nks_nonlinear_solve, &
    nks_nonlinear_get_report, nks_nonlinear_get_step, nks_nonlinear_get_point, nks_nonlinear_clear_recycle_space
  public :: nks_constrained_new, nks_constrained_free, nks_constrained_set_oracles, nks_constrained_set_sparse_rows, &
    nks_constrained_set_preconditioner, nks_constrained_set_monitor, nks_constrained_set_option, &
    nks_constrained_get_option, nks_constrained_solve, nks_constrained_get_report, nks_constrained_get_record, &
    nks_constrained_get_point

  interface
    !> C `nks_csr_new`: creates a matrix from CSR arrays (copied by the library). `nnz` is the
    !> length of `col_idx` and `values` and must equal `row_ptr(nrows + 1) - index_base`.
    !> `index_base` is 1 for Fortran arrays. `out` is written only on success.
    function nks_csr_new(nrows, ncols, nnz, row_ptr, col_idx, values, index_base, out) &
        bind(c, name="nks_csr_new") result(status)
      import :: c_size_t, c_int64_t, c_double, c_int32_t, c_ptr
      integer(c_size_t), value :: nrows
      integer(c_size_t), value :: ncols
      integer(c_size_t), value :: nnz
      integer(c_int64_t), intent(in) :: row_ptr(*)
      integer(c_int64_t), intent(in) :: col_idx(*)
      real(c_double), intent(in) :: values(*)
      integer(c_int32_t), value :: index_base
      type(c_ptr), intent(inout) :: out
      integer(c_int32_t) :: status
    end function nks_csr_new

    !> C `nks_csr_free`: frees a matrix; `c_null_ptr` does nothing.
    subroutine nks_csr_free(a) bind(c, name="nks_csr_free")
      import :: c_ptr
      type(c_ptr), value :: a
    end subroutine nks_csr_free

    !> C `nks_csr_get_size`: dimensions and stored entries. Each output is the `c_loc` of an
    !> `integer(c_size_t)` target, or `c_null_ptr` if not wanted.
    function nks_csr_get_size(a, nrows, ncols, nnz) bind(c, name="nks_csr_get_size") result(status)
      import :: c_ptr, c_int32_t
      type(c_ptr), value :: a
      type(c_ptr), value :: nrows
      type(c_ptr), value :: ncols
      type(c_ptr), value :: nnz
      integer(c_int32_t) :: status
    end function nks_csr_get_size

    !> C `nks_csr_matvec`: `y = A x` with `nx == ncols`, `ny == nrows`.
    function nks_csr_matvec(a, x, nx, y, ny) bind(c, name="nks_csr_matvec") result(status)
      import :: c_ptr, c_double, c_size_t, c_int32_t
      type(c_ptr), value :: a
      real(c_double), intent(in) :: x(*)
      integer(c_size_t), value :: nx
      real(c_double), intent(inout) :: y(*)
      integer(c_size_t), value :: ny
      integer(c_int32_t) :: status
    end function nks_csr_matvec

    !> C `nks_krylov_new`: a solver with default options (GMRES(30), rtol 1e-8).
    function nks_krylov_new(out) bind(c, name="nks_krylov_new") result(status)
      import :: c_ptr, c_int32_t
      type(c_ptr), intent(inout) :: out
      integer(c_int32_t) :: status
    end function nks_krylov_new

    !> C `nks_krylov_free`: frees a solver; `c_null_ptr` does nothing.
    subroutine nks_krylov_free(h) bind(c, name="nks_krylov_free")
      import :: c_ptr
      type(c_ptr), value :: h
    end subroutine nks_krylov_free

    !> C `nks_krylov_set_method`: an `NKS_KRYLOV_*` value.
    function nks_krylov_set_method(h, method) bind(c, name="nks_krylov_set_method") result(status)
      import :: c_ptr, c_int32_t
      type(c_ptr), value :: h
      integer(c_int32_t), value :: method
      integer(c_int32_t) :: status
    end function nks_krylov_set_method

    !> C `nks_krylov_set_rtol`: relative tolerance in `[0, 1)`.
    function nks_krylov_set_rtol(h, rtol) bind(c, name="nks_krylov_set_rtol") result(status)
      import :: c_ptr, c_double, c_int32_t
      type(c_ptr), value :: h
      real(c_double), value :: rtol
      integer(c_int32_t) :: status
    end function nks_krylov_set_rtol

    !> C `nks_krylov_set_atol`: absolute tolerance in `[0, inf)`.
    function nks_krylov_set_atol(h, atol) bind(c, name="nks_krylov_set_atol") result(status)
      import :: c_ptr, c_double, c_int32_t
      type(c_ptr), value :: h
      real(c_double), value :: atol
      integer(c_int32_t) :: status
    end function nks_krylov_set_atol

    !> C `nks_krylov_set_max_iterations`: iteration limit `>= 1`.
    function nks_krylov_set_max_iterations(h, max_iterations) &
        bind(c, name="nks_krylov_set_max_iterations") result(status)
      import :: c_ptr, c_size_t, c_int32_t
      type(c_ptr), value :: h
      integer(c_size_t), value :: max_iterations
      integer(c_int32_t) :: status
    end function nks_krylov_set_max_iterations

    !> C `nks_krylov_set_restart`: GMRES/FGMRES restart length in `1..10000`.
    function nks_krylov_set_restart(h, restart) bind(c, name="nks_krylov_set_restart") result(status)
      import :: c_ptr, c_size_t, c_int32_t
      type(c_ptr), value :: h
      integer(c_size_t), value :: restart
      integer(c_int32_t) :: status
    end function nks_krylov_set_restart

    !> C `nks_krylov_set_use_initial_guess`: non-zero starts from the `x` given to the solve.
    function nks_krylov_set_use_initial_guess(h, use_initial_guess) &
        bind(c, name="nks_krylov_set_use_initial_guess") result(status)
      import :: c_ptr, c_int32_t
      type(c_ptr), value :: h
      integer(c_int32_t), value :: use_initial_guess
      integer(c_int32_t) :: status
    end function nks_krylov_set_use_initial_guess

    !> C `nks_krylov_set_preconditioner_side`: an `NKS_SIDE_*` value (GMRES only).
    function nks_krylov_set_preconditioner_side(h, side) &
        bind(c, name="nks_krylov_set_preconditioner_side") result(status)
      import :: c_ptr, c_int32_t
      type(c_ptr), value :: h
      integer(c_int32_t), value :: side
      integer(c_int32_t) :: status
    end function nks_krylov_set_preconditioner_side

    !> C `nks_krylov_set_max_seconds`: wall-clock limit `> 0`.
    function nks_krylov_set_max_seconds(h, max_seconds) &
        bind(c, name="nks_krylov_set_max_seconds") result(status)
      import :: c_ptr, c_double, c_int32_t
      type(c_ptr), value :: h
      real(c_double), value :: max_seconds
      integer(c_int32_t) :: status
    end function nks_krylov_set_max_seconds

    !> C `nks_krylov_set_option`: an option by name; `name` must end with `c_null_char`.
    function nks_krylov_set_option(h, name, value) bind(c, name="nks_krylov_set_option") result(status)
      import :: c_ptr, c_char, c_double, c_int32_t
      type(c_ptr), value :: h
      character(kind=c_char), intent(in) :: name(*)
      real(c_double), value :: value
      integer(c_int32_t) :: status
    end function nks_krylov_set_option

    !> C `nks_krylov_get_option`: reads an option by name (same names and encoding as
    !> `nks_krylov_set_option`) into `value`, written only on success; `name` must end with
    !> `c_null_char`.
    function nks_krylov_get_option(h, name, value) bind(c, name="nks_krylov_get_option") result(status)
      import :: c_ptr, c_char, c_double, c_int32_t
      type(c_ptr), value :: h
      character(kind=c_char), intent(in) :: name(*)
      real(c_double), intent(inout) :: value
      integer(c_int32_t) :: status
    end function nks_krylov_get_option

    !> C `nks_krylov_set_operator_csr`: a square CSR matrix as the operator (the solver keeps
    !> its own reference).
    function nks_krylov_set_operator_csr(h, a) bind(c, name="nks_krylov_set_operator_csr") result(status)
      import :: c_ptr, c_int32_t
      type(c_ptr), value :: h
      type(c_ptr), value :: a
      integer(c_int32_t) :: status
    end function nks_krylov_set_operator_csr

    !> C `nks_krylov_set_operator_callback`: `matvec` is the `c_funloc` of a `bind(c)` function
    !> `integer(c_int) f(x, y, n, user_data)`; `user_data` must stay valid while it is in use.
    function nks_krylov_set_operator_callback(h, n, matvec, user_data) &
        bind(c, name="nks_krylov_set_operator_callback") result(status)
      import :: c_ptr, c_size_t, c_funptr, c_int32_t
      type(c_ptr), value :: h
      integer(c_size_t), value :: n
      type(c_funptr), value :: matvec
      type(c_ptr), value :: user_data
      integer(c_int32_t) :: status
    end function nks_krylov_set_operator_callback

    !> C `nks_krylov_set_preconditioner`: an `NKS_PRECOND_*` value.
    function nks_krylov_set_preconditioner(h, kind) bind(c, name="nks_krylov_set_preconditioner") result(status)
      import :: c_ptr, c_int32_t
      type(c_ptr), value :: h
      integer(c_int32_t), value :: kind
      integer(c_int32_t) :: status
    end function nks_krylov_set_preconditioner

    !> C `nks_krylov_set_preconditioner_callback`: `apply(r, z, n, user_data)` writes
    !> `z = M^{-1} r`.
    function nks_krylov_set_preconditioner_callback(h, apply, user_data) &
        bind(c, name="nks_krylov_set_preconditioner_callback") result(status)
      import :: c_ptr, c_funptr, c_int32_t
      type(c_ptr), value :: h
      type(c_funptr), value :: apply
      type(c_ptr), value :: user_data
      integer(c_int32_t) :: status
    end function nks_krylov_set_preconditioner_callback

    !> C `nks_krylov_set_monitor`: `monitor(report, user_data)` once per iteration;
    !> `c_null_funptr` removes it.
    function nks_krylov_set_monitor(h, monitor, user_data) bind(c, name="nks_krylov_set_monitor") result(status)
      import :: c_ptr, c_funptr, c_int32_t
      type(c_ptr), value :: h
      type(c_funptr), value :: monitor
      type(c_ptr), value :: user_data
      integer(c_int32_t) :: status
    end function nks_krylov_set_monitor

    !> C `nks_krylov_solve`: solves `A x = b` with vectors of length `n`.
    function nks_krylov_solve(h, b, x, n) bind(c, name="nks_krylov_solve") result(status)
      import :: c_ptr, c_double, c_size_t, c_int32_t
      type(c_ptr), value :: h
      real(c_double), intent(in) :: b(*)
      real(c_double), intent(inout) :: x(*)
      integer(c_size_t), value :: n
      integer(c_int32_t) :: status
    end function nks_krylov_solve

    !> C `nks_krylov_get_report`: copies the report of the last solve into `out`.
    function nks_krylov_get_report(h, out) bind(c, name="nks_krylov_get_report") result(status)
      import :: c_ptr, c_int32_t, nks_krylov_report
      type(c_ptr), value :: h
      type(nks_krylov_report), intent(inout) :: out
      integer(c_int32_t) :: status
    end function nks_krylov_get_report

    !> C `nks_krylov_solve_sequence`: solves the `count` systems `A_i x_i = b_i` with the CSR
    !> handles `ops(1:count)`, keeping the GCRO-DR / recycled-CG space from one system to the
    !> next. `b`, `x`: column-major `n x count` blocks (leading dimensions `ldb`, `ldx >= n`),
    !> column `i + 1` belongs to system `i`. The optional arguments are `c_loc`s or
    !> `c_null_ptr`: `features` (`num_features x count` reals, `ldf >= num_features`; null:
    !> natural order, else SKR order), `order_out` (`count` `integer(c_size_t)`: the 0-based
    !> system indices in solve order), `reports` (`count` `nks_krylov_report`s, by system).
    function nks_krylov_solve_sequence(h, count, ops, b, ldb, x, ldx, features, num_features, ldf, &
                                       order_out, reports) bind(c, name="nks_krylov_solve_sequence") result(status)
      import :: c_ptr, c_size_t, c_double, c_int32_t
      type(c_ptr), value :: h
      integer(c_size_t), value :: count
      type(c_ptr), intent(in) :: ops(*)
      real(c_double), intent(in) :: b(*)
      integer(c_size_t), value :: ldb
      real(c_double), intent(inout) :: x(*)
      integer(c_size_t), value :: ldx
      type(c_ptr), value :: features
      integer(c_size_t), value :: num_features
      integer(c_size_t), value :: ldf
      type(c_ptr), value :: order_out
      type(c_ptr), value :: reports
      integer(c_int32_t) :: status
    end function nks_krylov_solve_sequence

    !> C `nks_krylov_solve_sequence_callback`: as `nks_krylov_solve_sequence`, the operators
    !> given by the `c_funloc` of one `bind(c)` function
    !> `integer(c_int) f(system, x, y, n, user_data)` (`system`: the 0-based system index,
    !> `integer(c_size_t), value`) that writes `y = A_system x`.
    function nks_krylov_solve_sequence_callback(h, count, n, matvec, user_data, b, ldb, x, ldx, features, &
                                                num_features, ldf, order_out, reports) &
        bind(c, name="nks_krylov_solve_sequence_callback") result(status)
      import :: c_ptr, c_funptr, c_size_t, c_double, c_int32_t
      type(c_ptr), value :: h
      integer(c_size_t), value :: count
      integer(c_size_t), value :: n
      type(c_funptr), value :: matvec
      type(c_ptr), value :: user_data
      real(c_double), intent(in) :: b(*)
      integer(c_size_t), value :: ldb
      real(c_double), intent(inout) :: x(*)
      integer(c_size_t), value :: ldx
      type(c_ptr), value :: features
      integer(c_size_t), value :: num_features
      integer(c_size_t), value :: ldf
      type(c_ptr), value :: order_out
      type(c_ptr), value :: reports
      integer(c_int32_t) :: status
    end function nks_krylov_solve_sequence_callback

    !> C `nks_skr_order`: the SKR solve order of `count` systems whose feature vectors are the
    !> columns of `features` (`num_features x count`, `ldf >= num_features`); writes the 0-based
    !> system indices in solve order to `order(1:count)`, only on success.
    function nks_skr_order(count, num_features, features, ldf, order) bind(c, name="nks_skr_order") result(status)
      import :: c_size_t, c_double, c_int32_t
      integer(c_size_t), value :: count
      integer(c_size_t), value :: num_features
      real(c_double), intent(in) :: features(*)
      integer(c_size_t), value :: ldf
      integer(c_size_t), intent(inout) :: order(*)
      integer(c_int32_t) :: status
    end function nks_skr_order

    !> C `nks_krylov_operator_changed`: the operator changed in place (a matvec whose matrix the
    !> host updated); the recycled space is re-fitted at the next solve.
    function nks_krylov_operator_changed(h) bind(c, name="nks_krylov_operator_changed") result(status)
      import :: c_ptr, c_int32_t
      type(c_ptr), value :: h
      integer(c_int32_t) :: status
    end function nks_krylov_operator_changed

    !> C `nks_krylov_clear_recycled`: forgets every recycled vector.
    function nks_krylov_clear_recycled(h) bind(c, name="nks_krylov_clear_recycled") result(status)
      import :: c_ptr, c_int32_t
      type(c_ptr), value :: h
      integer(c_int32_t) :: status
    end function nks_krylov_clear_recycled

    !> C `nks_krylov_save_recycled`: `buf` receives a new library buffer of `len` bytes holding
    !> the recycled spaces; free it with `nks_bytes_free(buf, len)`.
    function nks_krylov_save_recycled(h, buf, len) bind(c, name="nks_krylov_save_recycled") result(status)
      import :: c_ptr, c_size_t, c_int32_t
      type(c_ptr), value :: h
      type(c_ptr), intent(inout) :: buf
      integer(c_size_t), intent(inout) :: len
      integer(c_int32_t) :: status
    end function nks_krylov_save_recycled

    !> C `nks_krylov_load_recycled`: restores `len` bytes written by `nks_krylov_save_recycled`;
    !> a foreign, truncated or corrupted buffer is refused with `NKS_ERR_INVALID_ARGUMENT`.
    function nks_krylov_load_recycled(h, buf, len) bind(c, name="nks_krylov_load_recycled") result(status)
      import :: c_ptr, c_int8_t, c_size_t, c_int32_t
      type(c_ptr), value :: h
      integer(c_int8_t), intent(in) :: buf(*)
      integer(c_size_t), value :: len
      integer(c_int32_t) :: status
    end function nks_krylov_load_recycled

    !> C `nks_krylov_save_recycled_file`: as `nks_krylov_save_recycled`, to the file `path`
    !> (created or replaced); `path` must end with `c_null_char`.
    function nks_krylov_save_recycled_file(h, path) bind(c, name="nks_krylov_save_recycled_file") result(status)
      import :: c_ptr, c_char, c_int32_t
      type(c_ptr), value :: h
      character(kind=c_char), intent(in) :: path(*)
      integer(c_int32_t) :: status
    end function nks_krylov_save_recycled_file

    !> C `nks_krylov_load_recycled_file`: as `nks_krylov_load_recycled`, from the file `path`;
    !> `path` must end with `c_null_char`.
    function nks_krylov_load_recycled_file(h, path) bind(c, name="nks_krylov_load_recycled_file") result(status)
      import :: c_ptr, c_char, c_int32_t
      type(c_ptr), value :: h
      character(kind=c_char), intent(in) :: path(*)
      integer(c_int32_t) :: status
    end function nks_krylov_load_recycled_file

    !> C `nks_bytes_free`: frees a buffer the library returned, with its length; `c_null_ptr`
    !> with length 0 does nothing.
    subroutine nks_bytes_free(buf, len) bind(c, name="nks_bytes_free")
      import :: c_ptr, c_size_t
      type(c_ptr), value :: buf
      integer(c_size_t), value :: len
    end subroutine nks_bytes_free

    !> C `nks_sor_bandit_new`: a learner of kind `learner` (an `NKS_SOR_*` value) over `num_arms`
    !> omegas evenly spaced on `[omega_min, omega_max]` (inside `(0, 2)`), drawing with a
    !> generator seeded by `seed`. `seed` is C's `uint64_t`: seeds from 2^63 on are passed as
    !> their two's-complement value `seed - 2^64`. `out` is written only on success.
    function nks_sor_bandit_new(learner, num_arms, omega_min, omega_max, seed, out) &
        bind(c, name="nks_sor_bandit_new") result(status)
      import :: c_int32_t, c_size_t, c_double, c_int64_t, c_ptr
      integer(c_int32_t), value :: learner
      integer(c_size_t), value :: num_arms
      real(c_double), value :: omega_min
      real(c_double), value :: omega_max
      integer(c_int64_t), value :: seed
      type(c_ptr), intent(inout) :: out
      integer(c_int32_t) :: status
    end function nks_sor_bandit_new

    !> C `nks_sor_bandit_free`: frees a learner; `c_null_ptr` does nothing.
    subroutine nks_sor_bandit_free(h) bind(c, name="nks_sor_bandit_free")
      import :: c_ptr
      type(c_ptr), value :: h
    end subroutine nks_sor_bandit_free

    !> C `nks_sor_bandit_set_option`: an option by name (`"tol"`, `"max_iterations"`,
    !> `"method"`, `"sweep"`, `"ordering"`, `"use_initial_guess"`, `"context_min"`,
    !> `"context_max"`, `"bins"`, `"chebyshev_terms"`, `"young_rho"`); `name` must end with
    !> `c_null_char`.
    function nks_sor_bandit_set_option(h, name, value) bind(c, name="nks_sor_bandit_set_option") result(status)
      import :: c_ptr, c_char, c_double, c_int32_t
      type(c_ptr), value :: h
      character(kind=c_char), intent(in) :: name(*)
      real(c_double), value :: value
      integer(c_int32_t) :: status
    end function nks_sor_bandit_set_option

    !> C `nks_sor_bandit_get_option`: reads an option by name (same names and encoding as
    !> `nks_sor_bandit_set_option`) into `value`, written only on success; `name` must end with
    !> `c_null_char`.
    function nks_sor_bandit_get_option(h, name, value) bind(c, name="nks_sor_bandit_get_option") result(status)
      import :: c_ptr, c_char, c_double, c_int32_t
      type(c_ptr), value :: h
      character(kind=c_char), intent(in) :: name(*)
      real(c_double), intent(inout) :: value
      integer(c_int32_t) :: status
    end function nks_sor_bandit_get_option

    !> C `nks_sor_bandit_choose`: draws an arm for a system with `context`, for a solve done
    !> elsewhere: `arm` receives its 0-based index into the omega grid, `omega` its omega.
    function nks_sor_bandit_choose(h, context, arm, omega) bind(c, name="nks_sor_bandit_choose") result(status)
      import :: c_ptr, c_double, c_size_t, c_int32_t
      type(c_ptr), value :: h
      real(c_double), value :: context
      integer(c_size_t), intent(inout) :: arm
      real(c_double), intent(inout) :: omega
      integer(c_int32_t) :: status
    end function nks_sor_bandit_choose

    !> C `nks_sor_bandit_observe`: learns that the 0-based `arm` cost `cost` iterations on a
    !> system with `context`.
    function nks_sor_bandit_observe(h, arm, context, cost) bind(c, name="nks_sor_bandit_observe") result(status)
      import :: c_ptr, c_size_t, c_double, c_int32_t
      type(c_ptr), value :: h
      integer(c_size_t), value :: arm
      real(c_double), value :: context
      real(c_double), value :: cost
      integer(c_int32_t) :: status
    end function nks_sor_bandit_observe

    !> C `nks_sor_bandit_solve`: chooses omega for `context`, solves `A x = b` (the CSR handle
    !> `a`, vectors of length `n`) by SOR or SSOR-PCG and learns from the iteration count.
    function nks_sor_bandit_solve(h, a, b, x, n, context) bind(c, name="nks_sor_bandit_solve") result(status)
      import :: c_ptr, c_double, c_size_t, c_int32_t
      type(c_ptr), value :: h
      type(c_ptr), value :: a
      real(c_double), intent(in) :: b(*)
      real(c_double), intent(inout) :: x(*)
      integer(c_size_t), value :: n
      real(c_double), value :: context
      integer(c_int32_t) :: status
    end function nks_sor_bandit_solve

    !> C `nks_sor_bandit_get_report`: copies the report of the last solve into `out` (its `arm`
    !> 0-based).
    function nks_sor_bandit_get_report(h, out) bind(c, name="nks_sor_bandit_get_report") result(status)
      import :: c_ptr, c_int32_t, nks_sor_report
      type(c_ptr), value :: h
      type(nks_sor_report), intent(inout) :: out
      integer(c_int32_t) :: status
    end function nks_sor_bandit_get_report

    !> C `nks_sor_bandit_probabilities`: the distribution the next choice at `context` is drawn
    !> from, into `out(1:len)`, `len == num_arms`; written only on success.
    function nks_sor_bandit_probabilities(h, context, out, len) bind(c, name="nks_sor_bandit_probabilities") &
        result(status)
      import :: c_ptr, c_double, c_size_t, c_int32_t
      type(c_ptr), value :: h
      real(c_double), value :: context
      real(c_double), intent(inout) :: out(*)
      integer(c_size_t), value :: len
      integer(c_int32_t) :: status
    end function nks_sor_bandit_probabilities

    !> C `nks_sor_bandit_save`: `buf` receives a new library buffer of `len` bytes holding the
    !> learner; free it with `nks_bytes_free(buf, len)`.
    function nks_sor_bandit_save(h, buf, len) bind(c, name="nks_sor_bandit_save") result(status)
      import :: c_ptr, c_size_t, c_int32_t
      type(c_ptr), value :: h
      type(c_ptr), intent(inout) :: buf
      integer(c_size_t), intent(inout) :: len
      integer(c_int32_t) :: status
    end function nks_sor_bandit_save

    !> C `nks_sor_bandit_load`: creates a learner from `len` bytes written by
    !> `nks_sor_bandit_save`; a foreign, truncated or corrupted buffer is refused with
    !> `NKS_ERR_INVALID_ARGUMENT`. `out` is written only on success.
    function nks_sor_bandit_load(buf, len, out) bind(c, name="nks_sor_bandit_load") result(status)
      import :: c_int8_t, c_size_t, c_ptr, c_int32_t
      integer(c_int8_t), intent(in) :: buf(*)
      integer(c_size_t), value :: len
      type(c_ptr), intent(inout) :: out
      integer(c_int32_t) :: status
    end function nks_sor_bandit_load

    !> C `nks_sor_bandit_save_file`: as `nks_sor_bandit_save`, to the file `path` (created or
    !> replaced); `path` must end with `c_null_char`.
    function nks_sor_bandit_save_file(h, path) bind(c, name="nks_sor_bandit_save_file") result(status)
      import :: c_ptr, c_char, c_int32_t
      type(c_ptr), value :: h
      character(kind=c_char), intent(in) :: path(*)
      integer(c_int32_t) :: status
    end function nks_sor_bandit_save_file

    !> C `nks_sor_bandit_load_file`: as `nks_sor_bandit_load`, from the file `path`; `path` must
    !> end with `c_null_char`.
    function nks_sor_bandit_load_file(path, out) bind(c, name="nks_sor_bandit_load_file") result(status)
      import :: c_char, c_ptr, c_int32_t
      character(kind=c_char), intent(in) :: path(*)
      type(c_ptr), intent(inout) :: out
      integer(c_int32_t) :: status
    end function nks_sor_bandit_load_file

    !> C `nks_sinkhorn_new`: an optimal-transport solver with the default options (log-domain
    !> Sinkhorn, `eps = 0.01`, `tol = 1e-9` on the L1 marginal error, 100000 iterations,
    !> potentials started from zero). `out` is written only on success.
    function nks_sinkhorn_new(out) bind(c, name="nks_sinkhorn_new") result(status)
      import :: c_ptr, c_int32_t
      type(c_ptr), intent(inout) :: out
      integer(c_int32_t) :: status
    end function nks_sinkhorn_new

    !> C `nks_sinkhorn_free`: frees a solver and the problem it kept; `c_null_ptr` does nothing.
    subroutine nks_sinkhorn_free(h) bind(c, name="nks_sinkhorn_free")
      import :: c_ptr
      type(c_ptr), value :: h
    end subroutine nks_sinkhorn_free

    !> C `nks_sinkhorn_set_option`: an option by name (`"eps"`, `"tol"`, `"max_iterations"`,
    !> `"method"` (an `NKS_OT_*` value), `"check_interval"`, `"eps_scaling"`,
    !> `"use_initial_guess"`, `"newton_warmup"`, `"hessian_density"`, `"hessian_mass"`,
    !> `"cg_max_iterations"`, `"max_seconds"`, `"kernel_memory_mb"`); `name` must end with
    !> `c_null_char`.
    function nks_sinkhorn_set_option(h, name, value) bind(c, name="nks_sinkhorn_set_option") result(status)
      import :: c_ptr, c_char, c_double, c_int32_t
      type(c_ptr), value :: h
      character(kind=c_char), intent(in) :: name(*)
      real(c_double), value :: value
      integer(c_int32_t) :: status
    end function nks_sinkhorn_set_option

    !> C `nks_sinkhorn_get_option`: reads an option by name (same names and encoding as
    !> `nks_sinkhorn_set_option`) into `value`, written only on success; `name` must end with
    !> `c_null_char`.
    function nks_sinkhorn_get_option(h, name, value) bind(c, name="nks_sinkhorn_get_option") result(status)
      import :: c_ptr, c_char, c_double, c_int32_t
      type(c_ptr), value :: h
      character(kind=c_char), intent(in) :: name(*)
      real(c_double), intent(inout) :: value
      integer(c_int32_t) :: status
    end function nks_sinkhorn_get_option

    !> C `nks_sinkhorn_solve_dense`: transport between the histograms `a(1:n)` and `b(1:m)` with
    !> the dense cost `c`, `n x m` column-major with leading dimension `ldc >= n` (a Fortran
    !> `c(ldc, m)`; copied). `f(1:n)`, `g(1:m)` receive the dual potentials (read first with
    !> option `"use_initial_guess"` 1). `NKS_OK` when converged, `NKS_MAX_ITERATIONS` or
    !> `NKS_TIME_LIMIT` with usable potentials; bad input writes nothing.
    function nks_sinkhorn_solve_dense(h, n, m, a, b, c, ldc, f, g) bind(c, name="nks_sinkhorn_solve_dense") &
        result(status)
      import :: c_ptr, c_size_t, c_double, c_int32_t
      type(c_ptr), value :: h
      integer(c_size_t), value :: n
      integer(c_size_t), value :: m
      real(c_double), intent(in) :: a(*)
      real(c_double), intent(in) :: b(*)
      real(c_double), intent(in) :: c(*)
      integer(c_size_t), value :: ldc
      real(c_double), intent(inout) :: f(*)
      real(c_double), intent(inout) :: g(*)
      integer(c_int32_t) :: status
    end function nks_sinkhorn_solve_dense

    !> C `nks_sinkhorn_solve_points`: transport between the point clouds `x` (`n` points) and
    !> `y` (`m` points) in dimension `d`, weighted by `a(1:n)` and `b(1:m)`, with the cost
    !> `|x_i - y_j|^p` (`p` = 1 or 2) computed on the fly. `x` is a Fortran `x(ldx, n)`,
    !> `ldx >= d` (point `i` is `x(1:d, i)`), likewise `y`. Otherwise as
    !> `nks_sinkhorn_solve_dense`.
    function nks_sinkhorn_solve_points(h, n, m, d, a, b, x, ldx, y, ldy, p, f, g) &
        bind(c, name="nks_sinkhorn_solve_points") result(status)
      import :: c_ptr, c_size_t, c_double, c_int32_t
      type(c_ptr), value :: h
      integer(c_size_t), value :: n
      integer(c_size_t), value :: m
      integer(c_size_t), value :: d
      real(c_double), intent(in) :: a(*)
      real(c_double), intent(in) :: b(*)
      real(c_double), intent(in) :: x(*)
      integer(c_size_t), value :: ldx
      real(c_double), intent(in) :: y(*)
      integer(c_size_t), value :: ldy
      real(c_double), value :: p
      real(c_double), intent(inout) :: f(*)
      real(c_double), intent(inout) :: g(*)
      integer(c_int32_t) :: status
    end function nks_sinkhorn_solve_points

    !> C `nks_sinkhorn_get_report`: copies the report of the last solve into `out`.
    function nks_sinkhorn_get_report(h, out) bind(c, name="nks_sinkhorn_get_report") result(status)
      import :: c_ptr, c_int32_t, nks_sinkhorn_report
      type(c_ptr), value :: h
      type(nks_sinkhorn_report), intent(inout) :: out
      integer(c_int32_t) :: status
    end function nks_sinkhorn_get_report

    !> C `nks_sinkhorn_plan_dense`: the plan of the last solve, `n x m`, into a Fortran
    !> `p(ldp, m)`, `ldp >= n`. `NKS_ERR_INVALID_STATE` before any successful solve,
    !> `NKS_ERR_DIMENSION_MISMATCH` when `n`, `m` are not the last problem's.
    function nks_sinkhorn_plan_dense(h, n, m, p, ldp) bind(c, name="nks_sinkhorn_plan_dense") result(status)
      import :: c_ptr, c_size_t, c_double, c_int32_t
      type(c_ptr), value :: h
      integer(c_size_t), value :: n
      integer(c_size_t), value :: m
      real(c_double), intent(inout) :: p(*)
      integer(c_size_t), value :: ldp
      integer(c_int32_t) :: status
    end function nks_sinkhorn_plan_dense

    !> C `nks_sinkhorn_plan_nnz`: counts the entries of the last solve's plan that are
    !> `>= threshold` (and nonzero), for sizing the arrays of `nks_sinkhorn_plan_sparse`.
    function nks_sinkhorn_plan_nnz(h, threshold, nnz) bind(c, name="nks_sinkhorn_plan_nnz") result(status)
      import :: c_ptr, c_double, c_size_t, c_int32_t
      type(c_ptr), value :: h
      real(c_double), value :: threshold
      integer(c_size_t), intent(inout) :: nnz
      integer(c_int32_t) :: status
    end function nks_sinkhorn_plan_nnz

    !> C `nks_sinkhorn_plan_sparse`: the entries of the last solve's plan that are
    !> `>= threshold`, in row-major order: row `rows(k)`, column `cols(k)` (counted from
    !> `index_base`: 1 for Fortran) and value `values(k)`, `k = 1..len`; `len` must be the
    !> count `nks_sinkhorn_plan_nnz` gives for the same threshold.
    function nks_sinkhorn_plan_sparse(h, threshold, index_base, rows, cols, values, len) &
        bind(c, name="nks_sinkhorn_plan_sparse") result(status)
      import :: c_ptr, c_double, c_int32_t, c_int64_t, c_size_t
      type(c_ptr), value :: h
      real(c_double), value :: threshold
      integer(c_int32_t), value :: index_base
      integer(c_int64_t), intent(inout) :: rows(*)
      integer(c_int64_t), intent(inout) :: cols(*)
      real(c_double), intent(inout) :: values(*)
      integer(c_size_t), value :: len
      integer(c_int32_t) :: status
    end function nks_sinkhorn_plan_sparse

    !> C `nks_newton_new`: a minimiser with the default options (trust-region Newton-CG, stop
    !> at `||g|| <= 1e-8`, 1000 iterations). `out` is written only on success. Set the oracles
    !> with `nks_newton_set_oracles` before solving.
    function nks_newton_new(out) bind(c, name="nks_newton_new") result(status)
      import :: c_ptr, c_int32_t
      type(c_ptr), intent(inout) :: out
      integer(c_int32_t) :: status
    end function nks_newton_new

    !> C `nks_newton_free`: frees a minimiser; `c_null_ptr` does nothing.
    subroutine nks_newton_free(h) bind(c, name="nks_newton_free")
      import :: c_ptr
      type(c_ptr), value :: h
    end subroutine nks_newton_free

    !> C `nks_newton_set_oracles`: the `c_funloc`s of `bind(c)` functions with the interfaces
    !> `nks_newton_objective_fn`, `nks_newton_gradient_fn`, `nks_newton_objective_gradient_fn` and
    !> `nks_newton_hessian_vector_fn` (`c_null_funptr` for one left out), all called with `user_data`.
    !> `hessian_vector` is required, and the objective and the gradient come from their own
    !> functions or from `objective_gradient`; else `NKS_ERR_NULL_POINTER` naming what is missing.
    function nks_newton_set_oracles(h, objective, gradient, objective_gradient, hessian_vector, user_data) &
        bind(c, name="nks_newton_set_oracles") result(status)
      import :: c_ptr, c_funptr, c_int32_t
      type(c_ptr), value :: h
      type(c_funptr), value :: objective
      type(c_funptr), value :: gradient
      type(c_funptr), value :: objective_gradient
      type(c_funptr), value :: hessian_vector
      type(c_ptr), value :: user_data
      integer(c_int32_t) :: status
    end function nks_newton_set_oracles

    !> C `nks_newton_set_preconditioner`: the `c_funloc` of a `bind(c)` function with the
    !> interface `nks_newton_precond_fn` (`z = M(x)^{-1} r`), called with its own `user_data`;
    !> `c_null_funptr` removes it.
    function nks_newton_set_preconditioner(h, preconditioner, user_data) &
        bind(c, name="nks_newton_set_preconditioner") result(status)
      import :: c_ptr, c_funptr, c_int32_t
      type(c_ptr), value :: h
      type(c_funptr), value :: preconditioner
      type(c_ptr), value :: user_data
      integer(c_int32_t) :: status
    end function nks_newton_set_preconditioner

    !> C `nks_newton_set_monitor`: the `c_funloc` of a `bind(c)` function with the interface
    !> `nks_newton_monitor_fn`, called after every iteration; `c_null_funptr` removes it.
    function nks_newton_set_monitor(h, monitor, user_data) bind(c, name="nks_newton_set_monitor") result(status)
      import :: c_ptr, c_funptr, c_int32_t
      type(c_ptr), value :: h
      type(c_funptr), value :: monitor
      type(c_ptr), value :: user_data
      integer(c_int32_t) :: status
    end function nks_newton_set_monitor

    !> C `nks_newton_set_option`: an option by name (`"method"` (an `NKS_NEWTON_*` value),
    !> `"gatol"`, `"grtol"`, `"xtol"`, `"ftol"`, `"max_iterations"`, `"max_evaluations"`,
    !> `"max_seconds"`, `"forcing"`, `"forcing_value"`, `"forcing_min"`, `"cg_max_iterations"`,
    !> `"initial_radius"`, `"max_radius"`, `"line_search"`, `"c1"`, `"c2"`, `"lazy_period"`,
    !> `"lazy_rank"`, `"lazy_regularization"`, `"regularization"`, `"lipschitz"`, `"gamma"`);
    !> `name` must end with `c_null_char`.
    function nks_newton_set_option(h, name, value) bind(c, name="nks_newton_set_option") result(status)
      import :: c_ptr, c_char, c_double, c_int32_t
      type(c_ptr), value :: h
      character(kind=c_char), intent(in) :: name(*)
      real(c_double), value :: value
      integer(c_int32_t) :: status
    end function nks_newton_set_option

    !> C `nks_newton_get_option`: reads an option by name (same names and encoding as
    !> `nks_newton_set_option`) into `value`, written only on success; `name` must end with
    !> `c_null_char`.
    function nks_newton_get_option(h, name, value) bind(c, name="nks_newton_get_option") result(status)
      import :: c_ptr, c_char, c_double, c_int32_t
      type(c_ptr), value :: h
      character(kind=c_char), intent(in) :: name(*)
      real(c_double), intent(inout) :: value
      integer(c_int32_t) :: status
    end function nks_newton_get_option

    !> C `nks_newton_solve`: minimises `f` from `x(1:n)`, `n >= 1`. `NKS_OK` when a tolerance
    !> test passed, with the minimiser in `x`; `NKS_MAX_ITERATIONS`, `NKS_TIME_LIMIT` or
    !> `NKS_STAGNATION` with the last accepted point in `x`; failures (`NKS_ERR_CALLBACK`,
    !> `NKS_ERR_NON_FINITE`, `NKS_ERR_ABORTED`, `NKS_ERR_INVALID_STATE` without oracles) leave
    !> `x` untouched.
    function nks_newton_solve(h, n, x) bind(c, name="nks_newton_solve") result(status)
      import :: c_ptr, c_size_t, c_double, c_int32_t
      type(c_ptr), value :: h
      integer(c_size_t), value :: n
      real(c_double), intent(inout) :: x(*)
      integer(c_int32_t) :: status
    end function nks_newton_solve

    !> C `nks_newton_get_report`: copies the report of the last solve into `out`.
    function nks_newton_get_report(h, out) bind(c, name="nks_newton_get_report") result(status)
      import :: c_ptr, c_int32_t, nks_newton_report
      type(c_ptr), value :: h
      type(nks_newton_report), intent(inout) :: out
      integer(c_int32_t) :: status
    end function nks_newton_get_report

    !> C `nks_newton_get_point`: the last accepted point of the last solve into `x(1:n)` (the
    !> result after a solve that failed and left the caller's array untouched).
    !> `NKS_ERR_INVALID_STATE` before any solve, `NKS_ERR_DIMENSION_MISMATCH` when `n` is not
    !> the last solve's.
    function nks_newton_get_point(h, n, x) bind(c, name="nks_newton_get_point") result(status)
      import :: c_ptr, c_size_t, c_double, c_int32_t
      type(c_ptr), value :: h
      integer(c_size_t), value :: n
      real(c_double), intent(inout) :: x(*)
      integer(c_int32_t) :: status
    end function nks_newton_get_point

    !> C `nks_nonlinear_new`: a nonlinear solver with the default options (Newton-Krylov with
    !> GCRO-DR(30, 10) recycling, finite-difference `J v`, Eisenstat-Walker forcing,
    !> backtracking; stop at `||F|| <= max(1e-10, 1e-8 ||F0||)`, 100 steps). `out` is written
    !> only on success. Set the oracles with `nks_nonlinear_set_oracles` before solving.
    function nks_nonlinear_new(out) bind(c, name="nks_nonlinear_new") result(status)
      import :: c_ptr, c_int32_t
      type(c_ptr), intent(inout) :: out
      integer(c_int32_t) :: status
    end function nks_nonlinear_new

    !> C `nks_nonlinear_free`: frees a nonlinear solver; `c_null_ptr` does nothing.
    subroutine nks_nonlinear_free(h) bind(c, name="nks_nonlinear_free")
      import :: c_ptr
      type(c_ptr), value :: h
    end subroutine nks_nonlinear_free

    !> C `nks_nonlinear_set_oracles`: the `c_funloc`s of `bind(c)` functions with the interfaces
    !> `nks_nonlinear_residual_fn` (required, else `NKS_ERR_NULL_POINTER`),
    !> `nks_nonlinear_jacobian_vector_fn` and `nks_nonlinear_jacobian_transpose_fn`
    !> (`c_null_funptr` for one left out), all called with `user_data`. `m` is the number of
    !> residuals (0: `m = n`, a square system, which Newton-Krylov needs). Without `J v`
    !> Newton-Krylov uses a finite difference; Levenberg-Marquardt needs `J^T w`.
    function nks_nonlinear_set_oracles(h, m, residual, jacobian_vector, jacobian_transpose, user_data) &
        bind(c, name="nks_nonlinear_set_oracles") result(status)
      import :: c_ptr, c_funptr, c_size_t, c_int32_t
      type(c_ptr), value :: h
      integer(c_size_t), value :: m
      type(c_funptr), value :: residual
      type(c_funptr), value :: jacobian_vector
      type(c_funptr), value :: jacobian_transpose
      type(c_ptr), value :: user_data
      integer(c_int32_t) :: status
    end function nks_nonlinear_set_oracles

    !> C `nks_nonlinear_set_preconditioner`: the `c_funloc` of a `bind(c)` function with the
    !> interface `nks_nonlinear_precond_fn` (right preconditioning of the Newton-Krylov inner
    !> solve, `z = M(x)^{-1} r`), called with its own `user_data`; `c_null_funptr` removes it.
    function nks_nonlinear_set_preconditioner(h, preconditioner, user_data) &
        bind(c, name="nks_nonlinear_set_preconditioner") result(status)
      import :: c_ptr, c_funptr, c_int32_t
      type(c_ptr), value :: h
      type(c_funptr), value :: preconditioner
      type(c_ptr), value :: user_data
      integer(c_int32_t) :: status
    end function nks_nonlinear_set_preconditioner

    !> C `nks_nonlinear_set_monitor`: the `c_funloc` of a `bind(c)` function with the interface
    !> `nks_nonlinear_monitor_fn`, called after every step; `c_null_funptr` removes it.
    function nks_nonlinear_set_monitor(h, monitor, user_data) bind(c, name="nks_nonlinear_set_monitor") result(status)
      import :: c_ptr, c_funptr, c_int32_t
      type(c_ptr), value :: h
      type(c_funptr), value :: monitor
      type(c_ptr), value :: user_data
      integer(c_int32_t) :: status
    end function nks_nonlinear_set_monitor

    !> C `nks_nonlinear_set_option`: an option by name (`"method"` (an `NKS_NONLINEAR_*` value),
    !> `"fatol"`, `"frtol"`, `"gatol"`, `"xtol"`, `"max_iterations"`, `"max_evaluations"`,
    !> `"max_seconds"`, `"forcing"`, `"forcing_value"`, `"forcing_min"`, `"c1"`, `"line_search"`,
    !> `"krylov_method"` (`NKS_KRYLOV_GMRES` or `NKS_KRYLOV_GCRODR`), `"restart"`,
    !> `"recycle_dim"`, `"keep_recycle_space"`, `"inner_max_iterations"`, `"fd_error"`,
    !> `"lm_xi"`, `"lm_omega"`, `"lm_eta"`); `name` must end with `c_null_char`.
    function nks_nonlinear_set_option(h, name, value) bind(c, name="nks_nonlinear_set_option") result(status)
      import :: c_ptr, c_char, c_double, c_int32_t
      type(c_ptr), value :: h
      character(kind=c_char), intent(in) :: name(*)
      real(c_double), value :: value
      integer(c_int32_t) :: status
    end function nks_nonlinear_set_option

    !> C `nks_nonlinear_get_option`: reads an option by name (same names and encoding as
    !> `nks_nonlinear_set_option`) into `value`, written only on success; `name` must end with
    !> `c_null_char`.
    function nks_nonlinear_get_option(h, name, value) bind(c, name="nks_nonlinear_get_option") result(status)
      import :: c_ptr, c_char, c_double, c_int32_t
      type(c_ptr), value :: h
      character(kind=c_char), intent(in) :: name(*)
      real(c_double), intent(inout) :: value
      integer(c_int32_t) :: status
    end function nks_nonlinear_get_option

    !> C `nks_nonlinear_solve`: solves `F(x) = 0` (Newton-Krylov) or minimises `||F(x)||^2 / 2`
    !> (Levenberg-Marquardt) from `x(1:n)`, `n >= 1`. `NKS_OK` when a tolerance test passed;
    !> `NKS_MAX_ITERATIONS`, `NKS_TIME_LIMIT` or `NKS_STAGNATION` with the last accepted point in
    !> `x`; failures (`NKS_ERR_CALLBACK`, `NKS_ERR_NON_FINITE`, `NKS_ERR_ABORTED`,
    !> `NKS_ERR_DIMENSION_MISMATCH` for Newton-Krylov with `m /= n`, `NKS_ERR_INVALID_ARGUMENT`
    !> for Levenberg-Marquardt without `J^T w`, `NKS_ERR_INVALID_STATE` without oracles) leave
    !> `x` untouched. The recycle space carries into the next solve.
    function nks_nonlinear_solve(h, n, x) bind(c, name="nks_nonlinear_solve") result(status)
      import :: c_ptr, c_size_t, c_double, c_int32_t
      type(c_ptr), value :: h
      integer(c_size_t), value :: n
      real(c_double), intent(inout) :: x(*)
      integer(c_int32_t) :: status
    end function nks_nonlinear_solve

    !> C `nks_nonlinear_get_report`: copies the report of the last solve into `out`.
    function nks_nonlinear_get_report(h, out) bind(c, name="nks_nonlinear_get_report") result(status)
      import :: c_ptr, c_int32_t, nks_nonlinear_report
      type(c_ptr), value :: h
      type(nks_nonlinear_report), intent(inout) :: out
      integer(c_int32_t) :: status
    end function nks_nonlinear_get_report

    !> C `nks_nonlinear_get_step`: copies step record `k` (0-based, `k < report%steps`) of the
    !> last solve into `out`; `NKS_ERR_INVALID_ARGUMENT` when `k` is out of range.
    function nks_nonlinear_get_step(h, k, out) bind(c, name="nks_nonlinear_get_step") result(status)
      import :: c_ptr, c_size_t, c_int32_t, nks_nonlinear_step
      type(c_ptr), value :: h
      integer(c_size_t), value :: k
      type(nks_nonlinear_step), intent(inout) :: out
      integer(c_int32_t) :: status
    end function nks_nonlinear_get_step

    !> C `nks_nonlinear_get_point`: the last accepted point of the last solve into `x(1:n)` (the
    !> result after a solve that failed and left the caller's array untouched).
    !> `NKS_ERR_INVALID_STATE` before any solve, `NKS_ERR_DIMENSION_MISMATCH` when `n` is not
    !> the last solve's.
    function nks_nonlinear_get_point(h, n, x) bind(c, name="nks_nonlinear_get_point") result(status)
      import :: c_ptr, c_size_t, c_double, c_int32_t
      type(c_ptr), value :: h
      integer(c_size_t), value :: n
      real(c_double), intent(inout) :: x(*)
      integer(c_int32_t) :: status
    end function nks_nonlinear_get_point

    !> C `nks_nonlinear_clear_recycle_space`: forgets the recycle space (before a solve of an
    !> unrelated problem on the same handle).
    function nks_nonlinear_clear_recycle_space(h) bind(c, name="nks_nonlinear_clear_recycle_space") result(status)
      import :: c_ptr, c_int32_t
      type(c_ptr), value :: h
      integer(c_int32_t) :: status
    end function nks_nonlinear_clear_recycle_space

    !> C `nks_constrained_new`: an equality-constrained solver with the default options
    !> (Gaussian sketch, `eta1 = 1`, `eta2 = 0.1`, `rho = 1.5`, Armijo `beta = 0.1`, accuracy
    !> `delta = 0.1` sharpened as `min(1, ||KKT||^(1/2))`; stop at `||grad_x L|| <= 1e-6` and
    !> `||c|| <= 1e-6`, 1000 iterations). `out` is written only on success. Set the oracles with
    !> `nks_constrained_set_oracles` before solving.
    function nks_constrained_new(out) bind(c, name="nks_constrained_new") result(status)
      import :: c_ptr, c_int32_t
      type(c_ptr), intent(inout) :: out
      integer(c_int32_t) :: status
    end function nks_constrained_new

    !> C `nks_constrained_free`: frees a constrained solver; `c_null_ptr` does nothing.
    subroutine nks_constrained_free(h) bind(c, name="nks_constrained_free")
      import :: c_ptr
      type(c_ptr), value :: h
    end subroutine nks_constrained_free

    !> C `nks_constrained_set_oracles`: the oracles of `min f(x) s.t. c(x) = 0` with `m >= 1`
    !> constraints, the `c_funloc`s of `bind(c)` functions with the interfaces
    !> `nks_constrained_objective_fn`, `nks_constrained_gradient_fn`,
    !> `nks_constrained_constraints_fn`, `nks_constrained_jacobian_vector_fn`,
    !> `nks_constrained_jacobian_transpose_fn` and `nks_constrained_hessian_vector_fn`, all
    !> required (`NKS_ERR_NULL_POINTER` naming a `c_null_funptr`) and all called with
    !> `user_data`; `NKS_ERR_INVALID_ARGUMENT` for `m = 0`. Clears sparse rows set earlier.
    function nks_constrained_set_oracles(h, m, objective, gradient, constraints, jacobian_vector, &
        jacobian_transpose, hessian_vector, user_data) bind(c, name="nks_constrained_set_oracles") result(status)
      import :: c_ptr, c_funptr, c_size_t, c_int32_t
      type(c_ptr), value :: h
      integer(c_size_t), value :: m
      type(c_funptr), value :: objective
      type(c_funptr), value :: gradient
      type(c_funptr), value :: constraints
      type(c_funptr), value :: jacobian_vector
      type(c_funptr), value :: jacobian_transpose
      type(c_funptr), value :: hessian_vector
      type(c_ptr), value :: user_data
      integer(c_int32_t) :: status
    end function nks_constrained_set_oracles

    !> C `nks_constrained_set_sparse_rows`: the Jacobian (`m x n`) and the Hessian of the
    !> Lagrangian (`n x n`, both triangles) as fixed CSR patterns (copied; `index_base` 1 for
    !> Fortran arrays, 0 for C's) and the `c_funloc`s of `bind(c)` functions with the interfaces
    !> `nks_constrained_jacobian_values_fn` and `nks_constrained_hessian_values_fn` that fill their
    !> values, called with `user_data`. Enables the Kaczmarz inner solver. The library reads
    !> `m + 1` and `n + 1` row pointers and as many column indices as they declare. Call after
    !> `nks_constrained_set_oracles` (else `NKS_ERR_INVALID_STATE`); `NKS_ERR_INVALID_ARGUMENT`
    !> for a malformed pattern (the message names the array and the entry).
    function nks_constrained_set_sparse_rows(h, n, jacobian_row_ptr, jacobian_col_idx, jacobian_values, &
        hessian_row_ptr, hessian_col_idx, hessian_values, index_base, user_data) &
        bind(c, name="nks_constrained_set_sparse_rows") result(status)
      import :: c_ptr, c_funptr, c_size_t, c_int64_t, c_int32_t
      type(c_ptr), value :: h
      integer(c_size_t), value :: n
      integer(c_int64_t), intent(in) :: jacobian_row_ptr(*)
      integer(c_int64_t), intent(in) :: jacobian_col_idx(*)
      type(c_funptr), value :: jacobian_values
      integer(c_int64_t), intent(in) :: hessian_row_ptr(*)
      integer(c_int64_t), intent(in) :: hessian_col_idx(*)
      type(c_funptr), value :: hessian_values
      integer(c_int32_t), value :: index_base
      type(c_ptr), value :: user_data
      integer(c_int32_t) :: status
    end function nks_constrained_set_sparse_rows

    !> C `nks_constrained_set_preconditioner`: the `c_funloc` of a `bind(c)` function with the
    !> interface `nks_constrained_precond_fn` (the SPD preconditioner of the MINRES inner solve,
    !> `z = M^{-1} r` of length `n + m`), called with its own `user_data`; `c_null_funptr`
    !> removes it.
    function nks_constrained_set_preconditioner(h, preconditioner, user_data) &
        bind(c, name="nks_constrained_set_preconditioner") result(status)
      import :: c_ptr, c_funptr, c_int32_t
      type(c_ptr), value :: h
      type(c_funptr), value :: preconditioner
      type(c_ptr), value :: user_data
      integer(c_int32_t) :: status
    end function nks_constrained_set_preconditioner

    !> C `nks_constrained_set_monitor`: the `c_funloc` of a `bind(c)` function with the
    !> interface `nks_constrained_monitor_fn`, called after every iteration; `c_null_funptr`
    !> removes it.
    function nks_constrained_set_monitor(h, monitor, user_data) bind(c, name="nks_constrained_set_monitor") &
        result(status)
      import :: c_ptr, c_funptr, c_int32_t
      type(c_ptr), value :: h
      type(c_funptr), value :: monitor
      type(c_ptr), value :: user_data
      integer(c_int32_t) :: status
    end function nks_constrained_set_monitor

    !> C `nks_constrained_set_option`: an option by name (`"kkt_solver"` (an `NKS_KKT_*` value),
    !> `"stationarity_tol"`, `"feasibility_tol"`, `"max_iterations"`, `"max_inner_iterations"`,
    !> `"max_merit_evaluations"`, `"max_seconds"`, `"eta1"`, `"eta2"`, `"penalty_factor"`,
    !> `"armijo"`, `"accuracy"`, `"accuracy_min"`, `"sharpen"`, `"sketch_block"`, `"seed"`,
    !> `"regularization"`, `"curvature_tol"`, `"multiplier_start"`, `"record_history"`); `name`
    !> must end with `c_null_char`.
    function nks_constrained_set_option(h, name, value) bind(c, name="nks_constrained_set_option") result(status)
      import :: c_ptr, c_char, c_double, c_int32_t
      type(c_ptr), value :: h
      character(kind=c_char), intent(in) :: name(*)
      real(c_double), value :: value
      integer(c_int32_t) :: status
    end function nks_constrained_set_option

    !> C `nks_constrained_get_option`: reads an option by name (same names and encoding as
    !> `nks_constrained_set_option`) into `value`, written only on success; `name` must end with
    !> `c_null_char`.
    function nks_constrained_get_option(h, name, value) bind(c, name="nks_constrained_get_option") result(status)
      import :: c_ptr, c_char, c_double, c_int32_t
      type(c_ptr), value :: h
      character(kind=c_char), intent(in) :: name(*)
      real(c_double), intent(inout) :: value
      integer(c_int32_t) :: status
    end function nks_constrained_get_option

    !> C `nks_constrained_solve`: minimises `f(x)` subject to `c(x) = 0` from `x(1:n)`, `n >= 1`;
    !> `lambda(1:m)` (`m` of `nks_constrained_set_oracles`) receives the multipliers (read as the
    !> start with `"multiplier_start"` 1). `NKS_OK` when the KKT tests passed; `NKS_MAX_ITERATIONS`,
    !> `NKS_TIME_LIMIT` or `NKS_STAGNATION` with the last accepted point in `x` and `lambda`;
    !> failures (`NKS_ERR_CALLBACK`, `NKS_ERR_NON_FINITE`, `NKS_ERR_ABORTED`,
    !> `NKS_ERR_DIMENSION_MISMATCH`, `NKS_ERR_INVALID_STATE` without oracles or for Kaczmarz
    !> without sparse rows) leave both untouched.
    function nks_constrained_solve(h, n, x, m, lambda) bind(c, name="nks_constrained_solve") result(status)
      import :: c_ptr, c_size_t, c_double, c_int32_t
      type(c_ptr), value :: h
      integer(c_size_t), value :: n
      real(c_double), intent(inout) :: x(*)
      integer(c_size_t), value :: m
      real(c_double), intent(inout) :: lambda(*)
      integer(c_int32_t) :: status
    end function nks_constrained_solve

    !> C `nks_constrained_get_report`: copies the report of the last solve into `out`.
    function nks_constrained_get_report(h, out) bind(c, name="nks_constrained_get_report") result(status)
      import :: c_ptr, c_int32_t, nks_constrained_report
      type(c_ptr), value :: h
      type(nks_constrained_report), intent(inout) :: out
      integer(c_int32_t) :: status
    end function nks_constrained_get_report

    !> C `nks_constrained_get_record`: copies iteration record `k` (0-based,
    !> `k < report%records`) of the last solve into `out`; `NKS_ERR_INVALID_ARGUMENT` when `k`
    !> is out of range.
    function nks_constrained_get_record(h, k, out) bind(c, name="nks_constrained_get_record") result(status)
      import :: c_ptr, c_size_t, c_int32_t, nks_constrained_record
      type(c_ptr), value :: h
      integer(c_size_t), value :: k
      type(nks_constrained_record), intent(inout) :: out
      integer(c_int32_t) :: status
    end function nks_constrained_get_record

    !> C `nks_constrained_get_point`: the last accepted point of the last solve that started into
    !> `x(1:n)` and its multipliers into the `m` doubles at `lambda` (`c_loc` of an array, or
    !> `c_null_ptr` for none). `NKS_ERR_INVALID_STATE` before any solve,
    !> `NKS_ERR_DIMENSION_MISMATCH` when `n` or `m` is not the last solve's.
    function nks_constrained_get_point(h, n, x, m, lambda) bind(c, name="nks_constrained_get_point") result(status)
      import :: c_ptr, c_size_t, c_double, c_int32_t
      type(c_ptr), value :: h
      integer(c_size_t), value :: n
      real(c_double), intent(inout) :: x(*)
      integer(c_size_t), value :: m
      type(c_ptr), value :: lambda
      integer(c_int32_t) :: status
    end function nks_constrained_get_point

    !> C `nks_version`: `MAJOR * 10000 + MINOR * 100 + PATCH` (a `uint32_t`; fits easily).
    function nks_version() bind(c, name="nks_version") result(version)
      import :: c_int32_t
      integer(c_int32_t) :: version
    end function nks_version

    !> C `nks_version_string`: static NUL-terminated `"MAJOR.MINOR.PATCH"`
    !> (see `nks_version_text` for a Fortran string).
    function nks_version_string() bind(c, name="nks_version_string") result(str)
      import :: c_ptr
      type(c_ptr) :: str
    end function nks_version_string

    !> C `nks_set_num_threads`: threads of the library's parallel kernels (0: default).
    function nks_set_num_threads(threads) bind(c, name="nks_set_num_threads") result(status)
      import :: c_size_t, c_int32_t
      integer(c_size_t), value :: threads
      integer(c_int32_t) :: status
    end function nks_set_num_threads

    !> C `nks_get_num_threads`: threads the parallel kernels use now.
    function nks_get_num_threads() bind(c, name="nks_get_num_threads") result(threads)
      import :: c_size_t
      integer(c_size_t) :: threads
    end function nks_get_num_threads

    !> C `nks_status_str`: static NUL-terminated name and meaning of a status
    !> (see `nks_status_text` for a Fortran string).
    function nks_status_str(status) bind(c, name="nks_status_str") result(str)
      import :: c_int32_t, c_ptr
      integer(c_int32_t), value :: status
      type(c_ptr) :: str
    end function nks_status_str

    !> C `nks_last_error_message`: the calling thread's last failure message, NUL-terminated
    !> (see `nks_last_error` for a Fortran string).
    function nks_last_error_message() bind(c, name="nks_last_error_message") result(str)
      import :: c_ptr
      type(c_ptr) :: str
    end function nks_last_error_message
  end interface

  !> libc `strlen`, to copy the library's NUL-terminated strings.
  interface
    function c_strlen(s) bind(c, name="strlen") result(n)
      import :: c_ptr, c_size_t
      type(c_ptr), value :: s
      integer(c_size_t) :: n
    end function c_strlen
  end interface

  ! ---------------------------------------------------------------------------------------------
  ! Interfaces of the user's Fortran callbacks
  ! ---------------------------------------------------------------------------------------------

  public :: nks_matvec_proc, nks_matvec_ctx_proc, nks_precond_proc, nks_precond_ctx_proc, &
    nks_monitor_proc, nks_monitor_ctx_proc, nks_indexed_matvec_proc, nks_indexed_matvec_ctx_proc

  abstract interface
    !> Matrix-free operator: write `y = A x` (`size(x) == size(y) ==` the operator's dimension).
    !> `ierr` arrives as 0; set it non-zero to stop the solve with `NKS_ERR_CALLBACK` (the value
    !> is kept in the report's `callback_code`; use a negative value for "abort").
    subroutine nks_matvec_proc(x, y, ierr)
      import :: c_double, c_int
      real(c_double), intent(in) :: x(:)
      real(c_double), intent(out) :: y(:)
      integer(c_int), intent(inout) :: ierr
    end subroutine nks_matvec_proc

    !> As `nks_matvec_proc`, with the context object given to `set_operator_ctx` (the caller's
    !> own object, not a copy: use `select type` to reach it).
    subroutine nks_matvec_ctx_proc(x, y, ierr, ctx)
      import :: c_double, c_int
      real(c_double), intent(in) :: x(:)
      real(c_double), intent(out) :: y(:)
      integer(c_int), intent(inout) :: ierr
      class(*), intent(inout) :: ctx
    end subroutine nks_matvec_ctx_proc

    !> Preconditioner: write `z = M^{-1} r`. `ierr` as for `nks_matvec_proc`.
    subroutine nks_precond_proc(r, z, ierr)
      import :: c_double, c_int
      real(c_double), intent(in) :: r(:)
      real(c_double), intent(out) :: z(:)
      integer(c_int), intent(inout) :: ierr
    end subroutine nks_precond_proc

    !> As `nks_precond_proc`, with the context object given to `set_preconditioner_ctx`.
    subroutine nks_precond_ctx_proc(r, z, ierr, ctx)
      import :: c_double, c_int
      real(c_double), intent(in) :: r(:)
      real(c_double), intent(out) :: z(:)
      integer(c_int), intent(inout) :: ierr
      class(*), intent(inout) :: ctx
    end subroutine nks_precond_ctx_proc

    !> Monitor, called once per iteration with the running report. `ierr` arrives as 0; set it
    !> non-zero to stop the solve, which then returns `NKS_ERR_ABORTED` and leaves `x` untouched.
    subroutine nks_monitor_proc(report, ierr)
      import :: nks_krylov_report, c_int
      type(nks_krylov_report), intent(in) :: report
      integer(c_int), intent(inout) :: ierr
    end subroutine nks_monitor_proc

    !> As `nks_monitor_proc`, with the context object given to `set_monitor_ctx`.
    subroutine nks_monitor_ctx_proc(report, ierr, ctx)
      import :: nks_krylov_report, c_int
      type(nks_krylov_report), intent(in) :: report
      integer(c_int), intent(inout) :: ierr
      class(*), intent(inout) :: ctx
    end subroutine nks_monitor_ctx_proc

    !> Operator of one system of a sequence (`solve_sequence_proc`): write `y = A_system x`,
    !> where `system` is the 1-based index of the system, i.e. of its column in `b` and `x`.
    !> `ierr` as for `nks_matvec_proc`.
    subroutine nks_indexed_matvec_proc(system, x, y, ierr)
      import :: c_double, c_int
      integer, intent(in) :: system
      real(c_double), intent(in) :: x(:)
      real(c_double), intent(out) :: y(:)
      integer(c_int), intent(inout) :: ierr
    end subroutine nks_indexed_matvec_proc

    !> As `nks_indexed_matvec_proc`, with the context object given to `solve_sequence_ctx`.
    subroutine nks_indexed_matvec_ctx_proc(system, x, y, ierr, ctx)
      import :: c_double, c_int
      integer, intent(in) :: system
      real(c_double), intent(in) :: x(:)
      real(c_double), intent(out) :: y(:)
      integer(c_int), intent(inout) :: ierr
      class(*), intent(inout) :: ctx
    end subroutine nks_indexed_matvec_ctx_proc
  end interface

  ! ---------------------------------------------------------------------------------------------
  ! Interfaces of the oracles of nks_newton_t: `bind(c)` functions the library calls directly
  ! ---------------------------------------------------------------------------------------------

  public :: nks_newton_objective_fn, nks_newton_gradient_fn, nks_newton_objective_gradient_fn, nks_newton_hessian_vector_fn, &
    nks_newton_precond_fn, nks_newton_monitor_fn

  !> The oracles of a minimiser are `bind(c)` functions written to these interfaces (the C
  !> typedefs of the same names), passed to `nks_newton_t%set_oracles` and friends, which hand
  !> their `c_funloc` to the library: no Fortran layer runs between the library and them. Each
  !> gets the `user_data` given with it (`c_loc` of the caller's own object, which must have the
  !> `target` attribute and stay alive during the solve; `c_f_pointer` turns it back into a
  !> Fortran pointer) and returns an `integer(c_int)` code: 0 on success, `> 0` when `x` cannot
  !> be evaluated (the solver shrinks its step and retries; a NaN or Inf result counts the same),
  !> `< 0` to abort the solve (`NKS_ERR_CALLBACK`, the code kept in the report's
  !> `callback_code`). A callback must return: never `stop` inside one.
  abstract interface
    !> Objective: `f = f(x)`.
    function nks_newton_objective_fn(x, n, f, user_data) bind(c) result(code)
      import :: c_size_t, c_double, c_ptr, c_int
      integer(c_size_t), value :: n
      real(c_double), intent(in) :: x(n)
      real(c_double), intent(out) :: f
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_newton_objective_fn

    !> Gradient: `g = grad f(x)`.
    function nks_newton_gradient_fn(x, n, g, user_data) bind(c) result(code)
      import :: c_size_t, c_double, c_ptr, c_int
      integer(c_size_t), value :: n
      real(c_double), intent(in) :: x(n)
      real(c_double), intent(out) :: g(n)
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_newton_gradient_fn

    !> Objective and gradient at once: `f = f(x)`, `g = grad f(x)`.
    function nks_newton_objective_gradient_fn(x, n, f, g, user_data) bind(c) result(code)
      import :: c_size_t, c_double, c_ptr, c_int
      integer(c_size_t), value :: n
      real(c_double), intent(in) :: x(n)
      real(c_double), intent(out) :: f
      real(c_double), intent(out) :: g(n)
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_newton_objective_gradient_fn

    !> Hessian-vector product: `hv = H(x) v` (`> 0`: the inner solve stops early and uses what
    !> it has).
    function nks_newton_hessian_vector_fn(x, v, n, hv, user_data) bind(c) result(code)
      import :: c_size_t, c_double, c_ptr, c_int
      integer(c_size_t), value :: n
      real(c_double), intent(in) :: x(n)
      real(c_double), intent(in) :: v(n)
      real(c_double), intent(out) :: hv(n)
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_newton_hessian_vector_fn

    !> Preconditioner of the inner CG: `z = M(x)^{-1} r`, `M(x)` symmetric positive definite
    !> (`> 0`: that CG iteration runs unpreconditioned).
    function nks_newton_precond_fn(x, r, n, z, user_data) bind(c) result(code)
      import :: c_size_t, c_double, c_ptr, c_int
      integer(c_size_t), value :: n
      real(c_double), intent(in) :: x(n)
      real(c_double), intent(in) :: r(n)
      real(c_double), intent(out) :: z(n)
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_newton_precond_fn

    !> Monitor, called after every iteration with the running report and the current point:
    !> return 0 to continue; any other value stops the solve with `NKS_ERR_ABORTED` (`x` of the
    !> solve untouched; `get_point` has the last accepted point).
    function nks_newton_monitor_fn(report, x, n, user_data) bind(c) result(code)
      import :: nks_newton_report, c_size_t, c_double, c_ptr, c_int
      type(nks_newton_report), intent(in) :: report
      integer(c_size_t), value :: n
      real(c_double), intent(in) :: x(n)
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_newton_monitor_fn
  end interface

  ! ---------------------------------------------------------------------------------------------
  ! Interfaces of the oracles of nks_nonlinear_t: `bind(c)` functions the library calls directly
  ! ---------------------------------------------------------------------------------------------

  public :: nks_nonlinear_residual_fn, nks_nonlinear_jacobian_vector_fn, nks_nonlinear_jacobian_transpose_fn, &
    nks_nonlinear_precond_fn, nks_nonlinear_monitor_fn

  !> The oracles of a nonlinear solver are `bind(c)` functions written to these interfaces (the
  !> C typedefs of the same names), passed to `nks_nonlinear_t%set_oracles` and friends, which
  !> hand their `c_funloc` to the library, as for `nks_newton_t`: `user_data` is `c_loc` of the
  !> caller's own object (`target`, alive during the solve), and the result is an
  !> `integer(c_int)` code. `x` has `n` entries and `F(x)` has `m` (`m = n` for a square system).
  abstract interface
    !> Residual: `f = F(x)`. 0 on success, `> 0` when `x` cannot be evaluated (the solver
    !> shortens its step and retries; NaN or Inf in `f` counts the same), `< 0` to abort the
    !> solve (`NKS_ERR_CALLBACK`, the code kept in the report's `callback_code`).
    function nks_nonlinear_residual_fn(x, n, f, m, user_data) bind(c) result(code)
      import :: c_size_t, c_double, c_ptr, c_int
      integer(c_size_t), value :: n
      real(c_double), intent(in) :: x(n)
      integer(c_size_t), value :: m
      real(c_double), intent(out) :: f(m)
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_nonlinear_residual_fn

    !> Jacobian-vector product: `jv = J(x) v`. Called at accepted points only, so any non-zero
    !> code stops the solve (`NKS_ERR_CALLBACK`).
    function nks_nonlinear_jacobian_vector_fn(x, v, n, jv, m, user_data) bind(c) result(code)
      import :: c_size_t, c_double, c_ptr, c_int
      integer(c_size_t), value :: n
      real(c_double), intent(in) :: x(n)
      real(c_double), intent(in) :: v(n)
      integer(c_size_t), value :: m
      real(c_double), intent(out) :: jv(m)
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_nonlinear_jacobian_vector_fn

    !> Transposed Jacobian-vector product: `jtw = J(x)^T w` (note the order: `w` and its length
    !> `m` first). Any non-zero code stops the solve.
    function nks_nonlinear_jacobian_transpose_fn(x, w, m, jtw, n, user_data) bind(c) result(code)
      import :: c_size_t, c_double, c_ptr, c_int
      integer(c_size_t), value :: m
      integer(c_size_t), value :: n
      real(c_double), intent(in) :: x(n)
      real(c_double), intent(in) :: w(m)
      real(c_double), intent(out) :: jtw(n)
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_nonlinear_jacobian_transpose_fn

    !> Preconditioner of the Newton-Krylov inner solve (right preconditioning): `z = M(x)^{-1} r`
    !> for an approximation `M(x)` of the Jacobian at the Newton iterate `x`. Any non-zero code
    !> stops the solve.
    function nks_nonlinear_precond_fn(x, r, n, z, user_data) bind(c) result(code)
      import :: c_size_t, c_double, c_ptr, c_int
      integer(c_size_t), value :: n
      real(c_double), intent(in) :: x(n)
      real(c_double), intent(in) :: r(n)
      real(c_double), intent(out) :: z(n)
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_nonlinear_precond_fn

    !> Monitor, called after every step with the running report and the current point: return
    !> 0 to continue; any other value stops the solve with `NKS_ERR_ABORTED` (`x` of the solve
    !> untouched; `get_point` has the last accepted point).
    function nks_nonlinear_monitor_fn(report, x, n, user_data) bind(c) result(code)
      import :: nks_nonlinear_report, c_size_t, c_double, c_ptr, c_int
      type(nks_nonlinear_report), intent(in) :: report
      integer(c_size_t), value :: n
      real(c_double), intent(in) :: x(n)
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_nonlinear_monitor_fn
  end interface

  ! ---------------------------------------------------------------------------------------------
  ! Interfaces of the oracles of nks_constrained_t: `bind(c)` functions the library calls directly
  ! ---------------------------------------------------------------------------------------------

  public :: nks_constrained_objective_fn, nks_constrained_gradient_fn, nks_constrained_constraints_fn, &
    nks_constrained_jacobian_vector_fn, nks_constrained_jacobian_transpose_fn, nks_constrained_hessian_vector_fn, &
    nks_constrained_jacobian_values_fn, nks_constrained_hessian_values_fn, nks_constrained_precond_fn, &
    nks_constrained_monitor_fn

  !> The oracles of an equality-constrained solver are `bind(c)` functions written to these
  !> interfaces (the C typedefs of the same names), passed to `nks_constrained_t%set_oracles` and
  !> friends, which hand their `c_funloc` to the library, as for `nks_newton_t`: `user_data` is
  !> `c_loc` of the caller's own object (`target`, alive during the solve), and the result is an
  !> `integer(c_int)` code. `x` has `n` entries, `c(x)` and the multipliers `lambda` have `m`.
  abstract interface
    !> Objective: `f = f(x)`. 0 on success, `> 0` when `x` cannot be evaluated (the line search
    !> shortens its step; NaN or Inf counts the same), `< 0` to abort the solve
    !> (`NKS_ERR_CALLBACK`, the code kept in the report's `callback_code`).
    function nks_constrained_objective_fn(x, n, f, user_data) bind(c) result(code)
      import :: c_size_t, c_double, c_ptr, c_int
      integer(c_size_t), value :: n
      real(c_double), intent(in) :: x(n)
      real(c_double), intent(out) :: f
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_constrained_objective_fn

    !> Gradient: `g = grad f(x)`. Codes as for the objective.
    function nks_constrained_gradient_fn(x, n, g, user_data) bind(c) result(code)
      import :: c_size_t, c_double, c_ptr, c_int
      integer(c_size_t), value :: n
      real(c_double), intent(in) :: x(n)
      real(c_double), intent(out) :: g(n)
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_constrained_gradient_fn

    !> Constraints: `c = c(x)`. Codes as for the objective.
    function nks_constrained_constraints_fn(x, n, c, m, user_data) bind(c) result(code)
      import :: c_size_t, c_double, c_ptr, c_int
      integer(c_size_t), value :: n
      real(c_double), intent(in) :: x(n)
      integer(c_size_t), value :: m
      real(c_double), intent(out) :: c(m)
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_constrained_constraints_fn

    !> Jacobian-vector product: `jv = J(x) v`. Called at accepted points only: any non-zero code
    !> stops the solve (`NKS_ERR_CALLBACK`).
    function nks_constrained_jacobian_vector_fn(x, v, n, jv, m, user_data) bind(c) result(code)
      import :: c_size_t, c_double, c_ptr, c_int
      integer(c_size_t), value :: n
      real(c_double), intent(in) :: x(n)
      real(c_double), intent(in) :: v(n)
      integer(c_size_t), value :: m
      real(c_double), intent(out) :: jv(m)
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_constrained_jacobian_vector_fn

    !> Transposed Jacobian-vector product: `jtw = J(x)^T w` (note the order: `w` and its length
    !> `m` first). Also called at trial points (for `grad_x L`), where `> 0` shortens the step.
    function nks_constrained_jacobian_transpose_fn(x, w, m, jtw, n, user_data) bind(c) result(code)
      import :: c_size_t, c_double, c_ptr, c_int
      integer(c_size_t), value :: m
      integer(c_size_t), value :: n
      real(c_double), intent(in) :: x(n)
      real(c_double), intent(in) :: w(m)
      real(c_double), intent(out) :: jtw(n)
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_constrained_jacobian_transpose_fn

    !> Hessian of the Lagrangian times a vector:
    !> `hv = (grad^2 f(x) + sum_i lambda(i) grad^2 c_i(x)) v`. Any non-zero code stops the solve.
    function nks_constrained_hessian_vector_fn(x, lambda, v, n, m, hv, user_data) bind(c) result(code)
      import :: c_size_t, c_double, c_ptr, c_int
      integer(c_size_t), value :: n
      integer(c_size_t), value :: m
      real(c_double), intent(in) :: x(n)
      real(c_double), intent(in) :: lambda(m)
      real(c_double), intent(in) :: v(n)
      real(c_double), intent(out) :: hv(n)
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_constrained_hessian_vector_fn

    !> Sparse Jacobian values at `x`, in the order of the pattern given to `set_sparse_rows`
    !> (`values` of length `nnz`). Any non-zero code stops the solve.
    function nks_constrained_jacobian_values_fn(x, n, values, nnz, user_data) bind(c) result(code)
      import :: c_size_t, c_double, c_ptr, c_int
      integer(c_size_t), value :: n
      real(c_double), intent(in) :: x(n)
      integer(c_size_t), value :: nnz
      real(c_double), intent(out) :: values(nnz)
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_constrained_jacobian_values_fn

    !> Sparse Hessian-of-the-Lagrangian values at `(x, lambda)` (both triangles), in the order of
    !> the pattern given to `set_sparse_rows`. Any non-zero code stops the solve.
    function nks_constrained_hessian_values_fn(x, lambda, n, m, values, nnz, user_data) bind(c) result(code)
      import :: c_size_t, c_double, c_ptr, c_int
      integer(c_size_t), value :: n
      integer(c_size_t), value :: m
      real(c_double), intent(in) :: x(n)
      real(c_double), intent(in) :: lambda(m)
      integer(c_size_t), value :: nnz
      real(c_double), intent(out) :: values(nnz)
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_constrained_hessian_values_fn

    !> MINRES preconditioner: `z = M^{-1} r` (`r`, `z` of length `n + m`) for a symmetric
    !> positive definite `M` approximating the magnitude of the KKT matrix `[H J^T; J 0]` at
    !> `(x, lambda)`, e.g. `diag(H~, J H~^{-1} J^T)`. Any non-zero code stops the solve.
    function nks_constrained_precond_fn(x, lambda, r, n, m, z, user_data) bind(c) result(code)
      import :: c_size_t, c_double, c_ptr, c_int
      integer(c_size_t), value :: n
      integer(c_size_t), value :: m
      real(c_double), intent(in) :: x(n)
      real(c_double), intent(in) :: lambda(m)
      real(c_double), intent(in) :: r(n + m)
      real(c_double), intent(out) :: z(n + m)
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_constrained_precond_fn

    !> Monitor, called after every iteration with the running report, the current point and its
    !> multipliers: return 0 to continue; any other value stops the solve with `NKS_ERR_ABORTED`
    !> (`x` and `lambda` of the solve untouched; `get_point` has the last accepted point).
    function nks_constrained_monitor_fn(report, x, n, lambda, m, user_data) bind(c) result(code)
      import :: nks_constrained_report, c_size_t, c_double, c_ptr, c_int
      type(nks_constrained_report), intent(in) :: report
      integer(c_size_t), value :: n
      integer(c_size_t), value :: m
      real(c_double), intent(in) :: x(n)
      real(c_double), intent(in) :: lambda(m)
      type(c_ptr), value :: user_data
      integer(c_int) :: code
    end function nks_constrained_monitor_fn
  end interface

  ! Heap-allocated holders passed to the library as `user_data` (`c_loc` of the holder). The
  ! solver object owns them and frees one only after the library stopped using it (the callback
  ! was replaced or removed, or the handle was freed).

  !> The user's operator procedure and optional context.
  type :: matvec_holder
    procedure(nks_matvec_proc), pointer, nopass :: proc => null()
    procedure(nks_matvec_ctx_proc), pointer, nopass :: proc_ctx => null()
    class(*), pointer :: ctx => null()
  end type matvec_holder

  !> The user's preconditioner procedure and optional context.
  type :: precond_holder
    procedure(nks_precond_proc), pointer, nopass :: proc => null()
    procedure(nks_precond_ctx_proc), pointer, nopass :: proc_ctx => null()
    class(*), pointer :: ctx => null()
  end type precond_holder

  !> The user's monitor procedure and optional context.
  type :: monitor_holder
    procedure(nks_monitor_proc), pointer, nopass :: proc => null()
    procedure(nks_monitor_ctx_proc), pointer, nopass :: proc_ctx => null()
    class(*), pointer :: ctx => null()
  end type monitor_holder

  !> The user's sequence operator procedure and optional context (lives for one sequence call).
  type :: indexed_matvec_holder
    procedure(nks_indexed_matvec_proc), pointer, nopass :: proc => null()
    procedure(nks_indexed_matvec_ctx_proc), pointer, nopass :: proc_ctx => null()
    class(*), pointer :: ctx => null()
  end type indexed_matvec_holder

  !> The library-side copies of a sequence call's optional arrays, and the `c_loc`s (or
  !> `c_null_ptr`s) passed for them. Declared `target` by the caller.
  type :: sequence_buffers
    !> The feature block (absent: not allocated, natural order).
    real(c_double), allocatable :: features(:, :)
    !> The library's 0-based solve order (requested: allocated).
    integer(c_size_t), allocatable :: order(:)
    !> The per-system reports (requested: allocated).
    type(nks_krylov_report), allocatable :: reports(:)
    !> Rows of the feature block (0 without features).
    integer(c_size_t) :: num_features = 0_c_size_t
    !> `c_loc(features)` or `c_null_ptr`.
    type(c_ptr) :: features_ptr = c_null_ptr
    !> `c_loc(order)` or `c_null_ptr`.
    type(c_ptr) :: order_ptr = c_null_ptr
    !> `c_loc(reports)` or `c_null_ptr`.
    type(c_ptr) :: reports_ptr = c_null_ptr
  end type sequence_buffers

  ! ---------------------------------------------------------------------------------------------
  ! Friendly types
  ! ---------------------------------------------------------------------------------------------

  !> An immutable sparse matrix, owned by the library (`nks_csr`). Create it from CSR arrays
  !> with `create`; it is freed by `free` or when the object is finalized. Solvers keep their
  !> own reference, so it may be freed right after `set_operator_csr`. Not copyable.
  type, public :: nks_csr_t
    private
    !> The library handle (`c_null_ptr` before `create` and after `free`).
    type(c_ptr) :: handle = c_null_ptr
    !> The message of the last failed call on this object.
    character(len=:), allocatable :: errmsg
  contains
    procedure, private :: csr_create_i32
    procedure, private :: csr_create_i64
    !> `call A%create(nrows, ncols, row_ptr, col_idx, values [, index_base] [, stat])`:
    !> builds the matrix from CSR arrays of kind `c_int64_t`, passed to the library without a
    !> copy in Fortran (the library copies them). `index_base` defaults to 1 (Fortran arrays:
    !> `row_ptr(1) == 1`, column indices `1..ncols`). `nrows`/`ncols` may be default or 64-bit
    !> integers. Frees any matrix the object held before. Errors: `NKS_ERR_INVALID_ARGUMENT`
    !> (a column index out of range, decreasing row pointers; the message names the row),
    !> `NKS_ERR_NON_FINITE`, `NKS_ERR_DIMENSION_MISMATCH` (`col_idx` and `values` must both have
    !> exactly the `row_ptr(nrows + 1) - index_base` entries the row pointers declare; pass a
    !> section such as `col_idx(:nnz)` of a larger work array).
    generic :: create => csr_create_i32, csr_create_i64
    !> `call A%matvec(x, y [, stat])`: `y = A x`, `size(x) == ncols`, `size(y) == nrows`.
    procedure :: matvec => csr_matvec
    !> `call A%get_size([nrows] [, ncols] [, nnz] [, stat])`: dimensions and stored entries
    !> (after duplicates were summed), as `integer(c_size_t)`.
    procedure :: get_size => csr_get_size
    !> `A%is_created()`: whether the object holds a matrix.
    procedure :: is_created => csr_is_created
    !> `A%c_handle()`: the `nks_csr *` for the raw interface (still owned by this object).
    procedure :: c_handle => csr_c_handle
    !> `A%last_error()`: the message of the last failed call on this object ('' if none).
    procedure :: last_error => csr_last_error
    !> `call A%free()`: frees the matrix; safe to call again or on an object never created.
    procedure :: free => csr_free
    procedure, private :: csr_assign
    !> Assignment is only allowed between objects holding no matrix (see the module notes).
    generic :: assignment(=) => csr_assign
    !> Frees the matrix when the object goes out of scope or is deallocated.
    final :: csr_final
  end type nks_csr_t

  !> A Krylov solver (`nks_krylov`): CG, GMRES(m), FGMRES(m), GCRO-DR(m, k) or recycled CG on a
  !> CSR matrix or a Fortran matvec procedure, with a built-in or Fortran preconditioner and an
  !> optional monitor; also solves sequences of systems, recycling a Krylov subspace from one
  !> to the next, and saves / loads that subspace. `call s%create()` first; freed by `free` or
  !> when finalized. Not copyable.
  !>
  !> Sequences use Fortran numbering: system `i` is column `i` of `b` and `x`, the `i`-th
  !> operator, and the index passed to a sequence operator procedure; `order` holds these
  !> 1-based indices. (The C API and the library's messages count systems from 0: "system i"
  !> in a message is column `i + 1`.)
  type, public :: nks_krylov_t
    private
    !> The library handle (`c_null_ptr` before `create` and after `free`).
    type(c_ptr) :: handle = c_null_ptr
    !> The operator callback in use (null unless a Fortran matvec is the operator).
    type(matvec_holder), pointer :: op_cb => null()
    !> The preconditioner callback in use (null unless a Fortran preconditioner is set).
    type(precond_holder), pointer :: pc_cb => null()
    !> The monitor in use (null if none).
    type(monitor_holder), pointer :: mon_cb => null()
    !> The message of the last failed call on this object.
    character(len=:), allocatable :: errmsg
  contains
    !> `call s%create([stat])`: a solver with default options (GMRES(30), rtol 1e-8, atol 0,
    !> 10000 iterations, zero initial guess, no preconditioner). Frees any solver held before.
    procedure :: create => krylov_create
    !> `call s%set_method(method [, stat])`: `NKS_KRYLOV_CG`, `NKS_KRYLOV_GMRES`,
    !> `NKS_KRYLOV_FGMRES`, `NKS_KRYLOV_GCRODR` or `NKS_KRYLOV_RECYCLED_CG`.
    procedure :: set_method => krylov_set_method
    !> `call s%set_rtol(rtol [, stat])`: stop when `||r|| <= max(rtol ||b||, atol)`; `[0, 1)`.
    procedure :: set_rtol => krylov_set_rtol
    !> `call s%set_atol(atol [, stat])`: absolute tolerance, `[0, inf)`.
    procedure :: set_atol => krylov_set_atol
    !> `call s%set_max_iterations(n [, stat])`: iteration limit `>= 1` (then `NKS_MAX_ITERATIONS`).
    procedure :: set_max_iterations => krylov_set_max_iterations
    !> `call s%set_restart(m [, stat])`: GMRES/FGMRES restart length, `1..10000`.
    procedure :: set_restart => krylov_set_restart
    !> `call s%set_use_initial_guess(flag [, stat])`: `.true.` starts from the `x` given to
    !> `solve`; `.false.` (default) starts from zero.
    procedure :: set_use_initial_guess => krylov_set_use_initial_guess
    !> `call s%set_preconditioner_side(side [, stat])`: `NKS_SIDE_LEFT` or `NKS_SIDE_RIGHT`.
    procedure :: set_preconditioner_side => krylov_set_preconditioner_side
    !> `call s%set_max_seconds(t [, stat])`: wall-clock limit `> 0` (then `NKS_TIME_LIMIT`).
    procedure :: set_max_seconds => krylov_set_max_seconds
    !> `call s%set_option(name, value [, stat])`: an option by name, for input files
    !> (`"method"`, `"rtol"`, `"atol"`, `"max_iterations"`, `"restart"`,
    !> `"use_initial_guess"`, `"preconditioner_side"`, `"max_seconds"`, `"reorthogonalization"`,
    !> `"recycle_dim"`: vectors GCRO-DR and recycled CG keep, `"refresh_interval"`: GCRO-DR
    !> refreshes its space every that many cycles).
    procedure :: set_option => krylov_set_option
    !> `value = s%get_option(name [, stat])`: reads an option by name, as a `real(c_double)` in
    !> the encoding `set_option` takes (`"max_seconds"` is +Infinity without a limit). On a
    !> failure (e.g. `NKS_ERR_UNKNOWN_OPTION`) the result is a quiet NaN.
    procedure :: get_option => krylov_get_option
    !> `call s%set_operator_csr(A [, stat])`: the square matrix `A` as the operator. The
    !> solver keeps its own reference, so `A` may be freed afterwards.
    procedure :: set_operator_csr => krylov_set_operator_csr
    procedure, private :: krylov_set_operator_i32
    procedure, private :: krylov_set_operator_i64
    !> `call s%set_operator(n, matvec [, stat])`: a Fortran procedure (`nks_matvec_proc`) as
    !> the operator of dimension `n`. The procedure must stay callable (a module procedure,
    !> or an internal procedure whose host is still active) while the solver uses it.
    generic :: set_operator => krylov_set_operator_i32, krylov_set_operator_i64
    procedure, private :: krylov_set_operator_ctx_i32
    procedure, private :: krylov_set_operator_ctx_i64
    !> `call s%set_operator_ctx(n, matvec, ctx [, stat])`: as `set_operator`, with a context
    !> passed to every call (`nks_matvec_ctx_proc`). `ctx` is referenced, not copied: give it
    !> the `target` (or `pointer`) attribute and keep it alive while the solver uses it.
    generic :: set_operator_ctx => krylov_set_operator_ctx_i32, krylov_set_operator_ctx_i64
    !> `call s%set_preconditioner(kind [, stat])`: `NKS_PRECOND_NONE`, `NKS_PRECOND_JACOBI` or
    !> `NKS_PRECOND_ILU0` (the last two need a CSR operator). Replaces a Fortran preconditioner.
    procedure :: set_preconditioner => krylov_set_preconditioner
    !> `call s%set_preconditioner_proc(apply [, stat])`: a Fortran procedure
    !> (`nks_precond_proc`) as the preconditioner `z = M^{-1} r`.
    procedure :: set_preconditioner_proc => krylov_set_preconditioner_proc
    !> `call s%set_preconditioner_ctx(apply, ctx [, stat])`: as `set_preconditioner_proc`, with
    !> a context (`nks_precond_ctx_proc`; `ctx` referenced as in `set_operator_ctx`).
    procedure :: set_preconditioner_ctx => krylov_set_preconditioner_ctx
    !> `call s%set_monitor(monitor [, stat])`: a Fortran procedure (`nks_monitor_proc`) called
    !> once per iteration; it may stop the solve.
    procedure :: set_monitor => krylov_set_monitor
    !> `call s%set_monitor_ctx(monitor, ctx [, stat])`: as `set_monitor`, with a context.
    procedure :: set_monitor_ctx => krylov_set_monitor_ctx
    !> `call s%clear_monitor([stat])`: removes the monitor.
    procedure :: clear_monitor => krylov_clear_monitor
    !> `status = s%solve(b, x)`: solves `A x = b`. Returns `NKS_OK` when converged;
    !> `NKS_MAX_ITERATIONS` / `NKS_TIME_LIMIT` / `NKS_STAGNATION` with the last iterate in `x`;
    !> a negative status on failure, with `x` untouched and the reason in `s%last_error()`.
    !> Never stops the program. `x` is the initial guess when `set_use_initial_guess(.true.)`.
    procedure :: solve => krylov_solve
    !> `call s%get_report(report [, stat])`: the report of the last solve.
    procedure :: get_report => krylov_get_report
    procedure, private :: krylov_solve_sequence_csr
    procedure, private :: krylov_solve_sequence_handles
    !> `status = s%solve_sequence(ops, b, x [, features] [, order] [, reports])`: solves the
    !> systems `A_i x(:, i) = b(:, i)`, `i = 1..size(ops)`, with the CSR matrices `ops(i)`
    !> (an array of `nks_csr_t`, or of their `c_handle()`s), keeping the recycled space of
    !> GCRO-DR / recycled CG from one system to the next. `b` and `x` are `n x size(ops)`.
    !> `features(:, i)` (optional, `size(features, 2) == size(ops)`): system `i`'s feature
    !> vector; with it the systems are solved in the SKR order, else in order 1, 2, ...
    !> `order` (optional, `size(ops)` entries) receives the 1-based system indices in solve
    !> order; `reports(i)` (optional) receives system `i`'s report (neither is meaningful
    !> after a call refused for its arguments). The handle's method, options, preconditioner choice and
    !> monitor apply; its own operator is neither used nor changed. Returns `NKS_OK` when all
    !> converged; a positive status when one stopped at a limit; a negative status when a
    !> system failed: the sequence stops there, earlier columns of `x` hold their solutions,
    !> `order` and `reports` are written (`NKS_TERMINATION_NOT_STARTED` for systems not
    !> reached) and `s%last_error()` names the system. Never stops the program.
    generic :: solve_sequence => krylov_solve_sequence_csr, krylov_solve_sequence_handles
    !> `status = s%solve_sequence_proc(matvec, b, x [, features] [, order] [, reports])`: as
    !> `solve_sequence`, the operators given by one Fortran procedure
    !> (`nks_indexed_matvec_proc`) that receives the 1-based system index; `n = size(b, 1)`.
    !> Preconditioning: none or a Fortran preconditioner (Jacobi / ILU(0) need matrices).
    procedure :: solve_sequence_proc => krylov_solve_sequence_proc
    !> `status = s%solve_sequence_ctx(matvec, ctx, b, x [, features] [, order] [, reports])`:
    !> as `solve_sequence_proc`, with a context (`nks_indexed_matvec_ctx_proc`; `ctx` is the
    !> caller's own object, used during the call only).
    procedure :: solve_sequence_ctx => krylov_solve_sequence_ctx
    !> `call s%operator_changed([stat])`: the operator changed although it was not set again
    !> (a matvec procedure whose matrix was updated in place); the recycled space is re-fitted
    !> at the next solve. Setting an operator or preconditioner does this already.
    procedure :: operator_changed => krylov_operator_changed
    !> `call s%clear_recycled([stat])`: forgets every recycled vector.
    procedure :: clear_recycled => krylov_clear_recycled
    !> `call s%save_recycled(bytes [, stat])`: what the solver recycles (GCRO-DR's and
    !> recycled CG's spaces) into the allocatable `integer(int8)` array `bytes`, in the
    !> library's versioned, checksummed, little-endian format (options and operators are not
    !> part of it). Zero-size on failure.
    procedure :: save_recycled => krylov_save_recycled
    !> `call s%load_recycled(bytes [, stat])`: restores what `save_recycled` wrote (possibly
    !> in another process); re-fitted to the operator at the next solve. A foreign, truncated
    !> or corrupted array fails with `NKS_ERR_INVALID_ARGUMENT` and changes nothing.
    procedure :: load_recycled => krylov_load_recycled
    !> `call s%save_recycled_file(path [, stat])`: as `save_recycled`, into the file `path`
    !> (created or replaced; trailing blanks ignored). I/O failures: `NKS_ERR_INVALID_ARGUMENT`.
    procedure :: save_recycled_file => krylov_save_recycled_file
    !> `call s%load_recycled_file(path [, stat])`: as `load_recycled`, from the file `path`.
    procedure :: load_recycled_file => krylov_load_recycled_file
    !> `s%is_created()`: whether the object holds a solver.
    procedure :: is_created => krylov_is_created
    !> `s%c_handle()`: the `nks_krylov *` for the raw interface (still owned by this object;
    !> do not install callbacks through it that replace the ones this object set).
    procedure :: c_handle => krylov_c_handle
    !> `s%last_error()`: the message of the last failed call on this object ('' if none).
    procedure :: last_error => krylov_last_error
    !> `call s%free()`: frees the solver and its callback holders; safe to call again or on an
    !> object never created.
    procedure :: free => krylov_free
    procedure, private :: krylov_assign
    !> Assignment is only allowed between objects holding no solver (see the module notes).
    generic :: assignment(=) => krylov_assign
    !> Frees the solver when the object goes out of scope or is deallocated.
    final :: krylov_final
  end type nks_krylov_t

  !> A SOR-bandit learner (`nks_sor_bandit`): learns SOR's relaxation parameter omega across a
  !> sequence of systems. It holds a grid of `num_arms` omegas, a learner (`NKS_SOR_*`) that
  !> chooses one per system (given the system's context, a real such as a shift or a time
  !> step), the solver options (SOR or SSOR-PCG, tolerance, ...) and the solver's workspace.
  !> `solve` chooses, solves and learns in one call; `choose` / `observe` serve solves done
  !> elsewhere. `call h%create(...)` or `call h%load(...)` first; freed by `free` or when
  !> finalized. Not copyable.
  !>
  !> Arms use Fortran numbering: arm `i` is the `i`-th omega of the grid, `i = 1..num_arms`,
  !> in `choose`, `observe`, `probabilities` (`p(i)`) and the report of `get_report`. (The C
  !> API and the library's messages count arms from 0: "arm = i" in a message is arm `i + 1`.)
  type, public :: nks_sor_bandit_t
    private
    !> The library handle (`c_null_ptr` before `create` / `load` and after `free`).
    type(c_ptr) :: handle = c_null_ptr
    !> The message of the last failed call on this object.
    character(len=:), allocatable :: errmsg
  contains
    procedure, private :: sor_create_i32
    procedure, private :: sor_create_i64
    !> `call h%create(learner, num_arms, omega_min, omega_max, seed [, stat])`: a learner of kind
    !> `learner` (`NKS_SOR_TSALLIS_INF`, `NKS_SOR_CHEBCB`, `NKS_SOR_BINNED`, `NKS_SOR_FIXED`,
    !> `NKS_SOR_YOUNG`) over `num_arms` omegas evenly spaced on `[omega_min, omega_max]`
    !> (inside `(0, 2)`; the paper: 20 arms on [1, 1.95]), drawing with a generator seeded by
    !> `seed` (same seed, same choices; a default or 64-bit integer, taken as C's `uint64_t`
    !> bit pattern). Defaults: SOR (forward sweep, natural order), tol 1e-8 on
    !> `||r|| / ||r0||`, 10000 iterations, zero initial guess, context interval [0, 1].
    !> On success it replaces (and frees) any learner held before; on failure the object is
    !> unchanged. Errors: `NKS_ERR_INVALID_ARGUMENT` (unknown learner, `num_arms` outside
    !> `1..100000`, an omega outside `(0, 2)`, `omega_min > omega_max`, fixed / Young with
    !> `num_arms /= 1`).
    generic :: create => sor_create_i32, sor_create_i64
    !> `call h%set_option(name, value [, stat])`: an option by name: `"tol"` (0, 1),
    !> `"max_iterations"` >= 1 (a solve reaching it costs the cap), `"method"` (0 SOR,
    !> 1 SSOR-PCG), `"sweep"` (0 forward, 1 backward, 2 symmetric), `"ordering"` (0 natural,
    !> 1 multicolour), `"use_initial_guess"` (0 start from zero, 1 from `x`), `"context_min"`,
    !> `"context_max"`, `"bins"`, `"chebyshev_terms"` (the last four only before the learner
    !> observed a cost, else `NKS_ERR_INVALID_STATE`), `"young_rho"` ([0, 1), or -1: the
    !> context). `NKS_ERR_UNKNOWN_OPTION` lists the names.
    procedure :: set_option => sor_set_option
    !> `value = h%get_option(name [, stat])`: reads an option by name in the encoding
    !> `set_option` takes; a quiet NaN on failure (e.g. `NKS_ERR_UNKNOWN_OPTION`).
    procedure :: get_option => sor_get_option
    !> `call h%choose(context, arm, omega [, stat])`: draws an arm for a system with `context`
    !> (ignored by Tsallis-INF and fixed) for a solve done elsewhere: `arm` (1-based) and its
    !> `omega`. Report the solve's iteration count with `observe`. Advances the generator.
    procedure :: choose => sor_choose
    !> `call h%observe(arm, context, cost [, stat])`: learns that arm `arm` (1-based, as
    !> `choose` gave it) cost `cost` iterations (`>= 0`; pass the cap for a solve that did not
    !> converge) on a system with `context`.
    procedure :: observe => sor_observe
    !> `status = h%solve(A, b, x, context)`: chooses omega for `context`, solves `A x = b`
    !> (`A` an `nks_csr_t`, square with a nonzero diagonal) by SOR or SSOR-PCG, and learns
    !> from the iteration count. Returns `NKS_OK` when converged; `NKS_MAX_ITERATIONS` with the
    !> last iterate in `x`; `NKS_ERR_NON_FINITE` (SOR diverged) or `NKS_ERR_BREAKDOWN`
    !> (SSOR-PCG on a non-SPD matrix) with `x` untouched and the capped cost learned; another
    !> negative status for bad input, which changes nothing. Never stops the program; the
    !> reason of a failure is in `h%last_error()`. `x` is the initial guess only with option
    !> `"use_initial_guess"` 1.
    procedure :: solve => sor_solve
    !> `call h%get_report(report [, stat])`: the report (`nks_sor_report`) of the last solve
    !> that ran, its `arm` 1-based (0 before the first solve).
    procedure :: get_report => sor_get_report
    !> `call h%probabilities(context, p [, stat])`: the distribution the next choice at
    !> `context` is drawn from: `p(i)` for arm `i`. `size(p)` must be `num_arms` (1 for the
    !> fixed and Young learners), else `NKS_ERR_DIMENSION_MISMATCH`; `p` is written only on
    !> success.
    procedure :: probabilities => sor_probabilities
    !> `call h%save(bytes [, stat])`: the learner (kind, grid, options, statistics, generator
    !> position) into the allocatable `integer(int8)` array `bytes`, in the library's
    !> versioned, checksummed, platform-independent format. Zero-size on failure.
    procedure :: save => sor_save
    !> `call h%load(bytes [, stat])`: makes the object hold the learner `save` wrote (possibly
    !> in another process), which makes the choices the saved one would have made next. On
    !> success any learner held before is freed; a foreign, truncated or corrupted array fails
    !> with `NKS_ERR_INVALID_ARGUMENT` and leaves the object as it was.
    procedure :: load => sor_load
    !> `call h%save_file(path [, stat])`: as `save`, into the file `path` (created or replaced;
    !> trailing blanks ignored). I/O failures: `NKS_ERR_INVALID_ARGUMENT` naming the path.
    procedure :: save_file => sor_save_file
    !> `call h%load_file(path [, stat])`: as `load`, from the file `path`.
    procedure :: load_file => sor_load_file
    !> `h%is_created()`: whether the object holds a learner.
    procedure :: is_created => sor_is_created
    !> `h%c_handle()`: the `nks_sor_bandit *` for the raw interface (still owned by this object).
    procedure :: c_handle => sor_c_handle
    !> `h%last_error()`: the message of the last failed call on this object ('' if none).
    procedure :: last_error => sor_last_error
    !> `call h%free()`: frees the learner; safe to call again or on an object never created.
    procedure :: free => sor_free
    procedure, private :: sor_assign
    !> Assignment is only allowed between objects holding no learner (see the module notes).
    generic :: assignment(=) => sor_assign
    !> Frees the learner when the object goes out of scope or is deallocated.
    final :: sor_final
  end type nks_sor_bandit_t

  !> An optimal-transport solver (`nks_sinkhorn`): entropic optimal transport between two
  !> weighted point clouds (`solve_points`, the cost `|x_i - y_j|^p` computed on the fly) or two
  !> histograms with a dense cost matrix (`solve_dense`), by log-domain Sinkhorn or
  !> Sinkhorn-Newton-Sparse (option `"method"`, `NKS_OT_SINKHORN` / `NKS_OT_SNS`). It holds the
  !> options and the last problem solved, so that the plan can be read afterwards
  !> (`plan_dense`, `plan_sparse`): a dense cost is kept as two copies (`16 n m` bytes), point
  !> clouds as `8 (n + m) d` bytes. `call ot%create()` first; freed by `free` or when
  !> finalized. Not copyable.
  !>
  !> The plan of potentials `f`, `g` is `P(i, j) = a(i) b(j) exp((f(i) + g(j) - C(i, j)) / eps)`.
  !> Plan entries use Fortran numbering: rows `1..n` (source points), columns `1..m` (targets).
  type, public :: nks_sinkhorn_t
    private
    !> The library handle (`c_null_ptr` before `create` and after `free`).
    type(c_ptr) :: handle = c_null_ptr
    !> The message of the last failed call on this object.
    character(len=:), allocatable :: errmsg
  contains
    !> `call ot%create([stat])`: a solver with the default options: log-domain Sinkhorn,
    !> `eps = 0.01`, stop at an L1 marginal error of `1e-9`, 100000 iterations, potentials
    !> started from zero. On success it replaces (and frees) any solver held before.
    procedure :: create => sinkhorn_create
    !> `call ot%set_option(name, value [, stat])`: an option by name: `"eps"` > 0 (the
    !> regularisation, in the units of the cost), `"tol"` in (0, 1) (stop at
    !> `||P 1 - a||_1 + ||P^T 1 - b||_1 <= tol`), `"max_iterations"` >= 1 (all stages
    !> together), `"method"` (`NKS_OT_SINKHORN`, `NKS_OT_SNS`), `"check_interval"` >= 1,
    !> `"eps_scaling"` (0 off, or a factor in (0, 1)), `"use_initial_guess"` (0: potentials
    !> start at zero, 1: from `f`, `g`), `"newton_warmup"` >= 0, `"hessian_density"` (-1
    !> adaptive, or a fraction in (0, 1]), `"hessian_mass"` in (0, 1], `"cg_max_iterations"`
    !> >= 1, `"max_seconds"` >= 0 (0: no limit), `"kernel_memory_mb"` >= 0 (default 1024: the
    !> stored kernel's memory budget). `NKS_ERR_UNKNOWN_OPTION` lists the names;
    !> `NKS_ERR_INVALID_ARGUMENT` for a value out of range (the option keeps its value).
    procedure :: set_option => sinkhorn_set_option
    !> `value = ot%get_option(name [, stat])`: reads an option by name in the encoding
    !> `set_option` takes; a quiet NaN on failure (e.g. `NKS_ERR_UNKNOWN_OPTION`).
    procedure :: get_option => sinkhorn_get_option
    !> `status = ot%solve_points(a, b, x, y, p, f, g)`: transport between the point clouds
    !> `x(d, n)` (point `i` is `x(:, i)`) and `y(d, m)` weighted by `a(n)` and `b(m)`, with the
    !> cost `|x(:, i) - y(:, j)|^p`, `p` = 1 or 2 (Euclidean norm), computed on the fly
    !> (memory O((n + m) d), no `n x m` matrix). The weights must be finite, non-negative, not
    !> all zero and of equal total mass (relative 1e-9). `f(n)` and `g(m)` receive the dual
    !> potentials (read first as the starting point with `"use_initial_guess"` 1). Contiguous
    !> `x`, `y` reach the library without a copy (leading dimension `size(x, 1)`). Returns
    !> `NKS_OK` when converged; `NKS_MAX_ITERATIONS` or `NKS_TIME_LIMIT` with the last (usable,
    !> unconverged) potentials; a negative status for bad input, which writes nothing and keeps
    !> the previous problem. Never stops the program; the reason of a failure is in
    !> `ot%last_error()`. For `p = 2` the report's `transport_cost` estimates W_2^2.
    procedure :: solve_points => sinkhorn_solve_points
    !> `status = ot%solve_dense(a, b, c, f, g)`: as `solve_points`, with the dense cost
    !> `c(n, m)` (`c(i, j)` the cost of moving source `i` to target `j`; copied, finite).
    procedure :: solve_dense => sinkhorn_solve_dense
    !> `call ot%get_report(report [, stat])`: the report (`nks_sinkhorn_report`) of the last
    !> solve (termination `NKS_TERMINATION_NOT_STARTED` before any).
    procedure :: get_report => sinkhorn_get_report
    !> `call ot%plan_dense(p [, stat])`: the plan of the last solve into `p(n, m)`;
    !> `NKS_ERR_INVALID_STATE` before any successful solve, `NKS_ERR_DIMENSION_MISMATCH` when
    !> `shape(p)` is not the last problem's `[n, m]`. `p` is written only on success.
    procedure :: plan_dense => sinkhorn_plan_dense
    !> `nnz = ot%plan_nnz(threshold [, stat])`: how many entries of the last solve's plan are
    !> `>= threshold` (and nonzero), an `integer(c_size_t)`; -1 on failure.
    procedure :: plan_nnz => sinkhorn_plan_nnz
    procedure, private :: sinkhorn_plan_sparse_i32
    procedure, private :: sinkhorn_plan_sparse_i64
    !> `call ot%plan_sparse(threshold, rows, cols, values [, stat])`: the entries of the last
    !> solve's plan that are `>= threshold` as coordinates, in row-major order: entry `k` is
    !> `P(rows(k), cols(k)) = values(k)`, rows and columns counted from 1. `rows`, `cols`
    !> (allocatable, default or 64-bit integers) and `values` (allocatable) are allocated to
    !> the count `plan_nnz` gives; zero-size on failure.
    generic :: plan_sparse => sinkhorn_plan_sparse_i32, sinkhorn_plan_sparse_i64
    !> `ot%is_created()`: whether the object holds a solver.
    procedure :: is_created => sinkhorn_is_created
    !> `ot%c_handle()`: the `nks_sinkhorn *` for the raw interface (still owned by this object).
    procedure :: c_handle => sinkhorn_c_handle
    !> `ot%last_error()`: the message of the last failed call on this object ('' if none).
    procedure :: last_error => sinkhorn_last_error
    !> `call ot%free()`: frees the solver; safe to call again or on an object never created.
    procedure :: free => sinkhorn_free
    procedure, private :: sinkhorn_assign
    !> Assignment is only allowed between objects holding no solver (see the module notes).
    generic :: assignment(=) => sinkhorn_assign
    !> Frees the solver when the object goes out of scope or is deallocated.
    final :: sinkhorn_final
  end type nks_sinkhorn_t

  !> An unconstrained minimiser (`nks_newton`): matrix-free Newton methods for `min f(x)` that
  !> see `f` only through oracles the host writes, `bind(c)` functions with the interfaces
  !> `nks_newton_objective_fn`, `nks_newton_gradient_fn` (or together `nks_newton_objective_gradient_fn`) and
  !> `nks_newton_hessian_vector_fn`, plus optionally a preconditioner of the inner CG
  !> (`nks_newton_precond_fn`) and a monitor (`nks_newton_monitor_fn`). The library calls them
  !> directly with the `user_data` given with them: pass `c_loc(obj)` of your own problem object
  !> (declared `target`, alive during the solve) and turn it back with `c_f_pointer`.
  !> Methods (option `"method"`): `NKS_NEWTON_TRUST_REGION` (default), `NKS_NEWTON_LINE_SEARCH`,
  !> `NKS_NEWTON_LAZY`, `NKS_NEWTON_DAMPED`, `NKS_NEWTON_GRADIENT_REGULARIZED`.
  !> `call opt%create()` first; freed by `free` or when finalized. Not copyable. The oracles must
  !> not use the object itself (its calls then fail with `NKS_ERR_INVALID_STATE`), and must
  !> never free it.
  type, public :: nks_newton_t
    private
    !> The library handle (`c_null_ptr` before `create` and after `free`).
    type(c_ptr) :: handle = c_null_ptr
    !> The message of the last failed call on this object.
    character(len=:), allocatable :: errmsg
  contains
    !> `call opt%create([stat])`: a minimiser with the default options: trust-region Newton-CG,
    !> stop at `||g|| <= 1e-8`, 1000 iterations, no oracles. On success it replaces (and frees)
    !> any minimiser held before.
    procedure :: create => newton_create
    !> `call opt%set_oracles([objective] [, gradient] [, hessian_vector] [, user_data]
    !> [, objective_gradient] [, stat])`: the oracles (`bind(c)` functions, see the type's
    !> description), all called with `user_data` (default `c_null_ptr`) on the thread that calls
    !> `solve`. `hessian_vector` is required; the value and the gradient come from `objective`
    !> and `gradient`, or from `objective_gradient` (used wherever both are needed at one point,
    !> and for each alone when its own oracle is left out). Missing oracles:
    !> `NKS_ERR_NULL_POINTER` naming them, and the oracles set before stay.
    procedure :: set_oracles => newton_set_oracles
    !> `call opt%set_preconditioner(apply [, user_data] [, stat])`: a preconditioner of the
    !> inner CG (`nks_newton_precond_fn`, `z = M(x)^{-1} r`, `M(x)` symmetric positive definite),
    !> called with its own `user_data`. The trust region is then measured in its norm.
    procedure :: set_preconditioner => newton_set_preconditioner
    !> `call opt%clear_preconditioner([stat])`: removes the preconditioner.
    procedure :: clear_preconditioner => newton_clear_preconditioner
    !> `call opt%set_monitor(monitor [, user_data] [, stat])`: a function
    !> (`nks_newton_monitor_fn`) called after every iteration with the running report and the
    !> current point; a non-zero return stops the solve with `NKS_ERR_ABORTED`.
    procedure :: set_monitor => newton_set_monitor
    !> `call opt%clear_monitor([stat])`: removes the monitor.
    procedure :: clear_monitor => newton_clear_monitor
    !> `call opt%set_option(name, value [, stat])`: an option by name: `"method"` (an
    !> `NKS_NEWTON_*` value), `"gatol"` >= 0 (default 1e-8: stop at `||g|| <= gatol`), `"grtol"`
    !> >= 0 (0 = off: `||g|| <= grtol ||g0||`), `"xtol"`, `"ftol"` >= 0 (0 = off),
    !> `"max_iterations"` >= 1 (default 1000), `"max_evaluations"` >= 0 (all oracle calls; 0 =
    !> no limit), `"max_seconds"` >= 0 (0 = no limit), `"forcing"` (0 Eisenstat-Walker, 1
    !> `min(0.5, sqrt ||g||)`, 2 fixed `"forcing_value"`), `"forcing_value"`, `"forcing_min"`,
    !> `"cg_max_iterations"` (0: `n`, at most 10000), `"initial_radius"`, `"max_radius"` (trust
    !> region), `"line_search"` (0 Armijo, 1 strong Wolfe), `"c1"`, `"c2"` (line search),
    !> `"lazy_period"`, `"lazy_rank"`, `"lazy_regularization"`, `"regularization"` (lazy
    !> Hessian), `"lipschitz"` (damped), `"gamma"` (gradient-regularised).
    !> `NKS_ERR_UNKNOWN_OPTION` lists the names; `NKS_ERR_INVALID_ARGUMENT` for a value out of
    !> range (the option keeps its value).
    procedure :: set_option => newton_set_option
    !> `value = opt%get_option(name [, stat])`: reads an option by name in the encoding
    !> `set_option` takes; a quiet NaN on failure (e.g. `NKS_ERR_UNKNOWN_OPTION`).
    procedure :: get_option => newton_get_option
    !> `status = opt%solve(x)`: minimises `f` from `x` (`size(x) >= 1`). Returns `NKS_OK` when a
    !> tolerance test passed, with the minimiser in `x`; `NKS_MAX_ITERATIONS` (iteration or
    !> oracle-call limit), `NKS_TIME_LIMIT` or `NKS_STAGNATION` with the last accepted point in
    !> `x`; a negative status on failure, with `x` untouched and the reason in
    !> `opt%last_error()`: `NKS_ERR_CALLBACK` (an oracle returned `< 0`, or `> 0` at the start;
    !> the code is in the report), `NKS_ERR_NON_FINITE`, `NKS_ERR_ABORTED` (the monitor),
    !> `NKS_ERR_INVALID_STATE` (no oracles). Never stops the program. A contiguous `x` reaches
    !> the library (and the oracles) without a copy.
    procedure :: solve => newton_solve
    !> `call opt%get_report(report [, stat])`: the report (`nks_newton_report`) of the last solve
    !> (termination `NKS_TERMINATION_NOT_STARTED` before any).
    procedure :: get_report => newton_get_report
    !> `call opt%get_point(x [, stat])`: the last accepted point of the last solve that started
    !> (what a failed or aborted solve reached) into `x`; `NKS_ERR_INVALID_STATE` before any,
    !> `NKS_ERR_DIMENSION_MISMATCH` when `size(x)` is not the last solve's `n`. `x` is written
    !> only on success.
    procedure :: get_point => newton_get_point
    !> `opt%is_created()`: whether the object holds a minimiser.
    procedure :: is_created => newton_is_created
    !> `opt%c_handle()`: the `nks_newton *` for the raw interface (still owned by this object).
    procedure :: c_handle => newton_c_handle
    !> `opt%last_error()`: the message of the last failed call on this object ('' if none).
    procedure :: last_error => newton_last_error
    !> `call opt%free()`: frees the minimiser; safe to call again or on an object never created.
    procedure :: free => newton_free
    procedure, private :: newton_assign
    !> Assignment is only allowed between objects holding no minimiser (see the module notes).
    generic :: assignment(=) => newton_assign
    !> Frees the minimiser when the object goes out of scope or is deallocated.
    final :: newton_final
  end type nks_newton_t

  !> A nonlinear solver (`nks_nonlinear`): Jacobian-free Newton-Krylov for square systems
  !> `F(x) = 0` and Levenberg-Marquardt for least squares `min ||F(x)||^2 / 2`, seeing `F` only
  !> through oracles the host writes, `bind(c)` functions with the interfaces
  !> `nks_nonlinear_residual_fn` (required), `nks_nonlinear_jacobian_vector_fn` (optional:
  !> Newton-Krylov uses a finite difference without it) and `nks_nonlinear_jacobian_transpose_fn`
  !> (Levenberg-Marquardt), plus optionally a preconditioner of the inner solve
  !> (`nks_nonlinear_precond_fn`) and a monitor (`nks_nonlinear_monitor_fn`). The library calls
  !> them directly with the `user_data` given with them: pass `c_loc(obj)` of your own problem
  !> object (declared `target`, alive during the solve) and turn it back with `c_f_pointer`.
  !> With GCRO-DR (the default inner solver) the recycle space carries from one Newton step to
  !> the next and from one `solve` to the next: a time-stepping code keeps one object for all
  !> its steps. `call nl%create()` first; freed by `free` or when finalized. Not copyable. The
  !> oracles must not use the object itself (its calls then fail with `NKS_ERR_INVALID_STATE`),
  !> and must never free it.
  type, public :: nks_nonlinear_t
    private
    !> The library handle (`c_null_ptr` before `create` and after `free`).
    type(c_ptr) :: handle = c_null_ptr
    !> The message of the last failed call on this object.
    character(len=:), allocatable :: errmsg
  contains
    !> `call nl%create([stat])`: a solver with the default options: Newton-Krylov with
    !> GCRO-DR(30, 10) recycling, finite-difference `J v`, Eisenstat-Walker forcing,
    !> backtracking, stop at `||F|| <= max(1e-10, 1e-8 ||F0||)`, 100 steps, no oracles. On
    !> success it replaces (and frees) any solver held before.
    procedure :: create => nonlinear_create
    !> `call nl%set_oracles([residual] [, jacobian_vector] [, jacobian_transpose] [, user_data]
    !> [, m] [, stat])`: the oracles (`bind(c)` functions, see the type's description), all
    !> called with `user_data` (default `c_null_ptr`) on the thread that calls `solve`. `m` is
    !> the number of residuals (default 0: `m = n`, a square system, which Newton-Krylov needs).
    !> Without `residual`: `NKS_ERR_NULL_POINTER`, and the oracles set before stay.
    procedure :: set_oracles => nonlinear_set_oracles
    !> `call nl%set_preconditioner(apply [, user_data] [, stat])`: a right preconditioner of the
    !> Newton-Krylov inner solve (`nks_nonlinear_precond_fn`, `z = M(x)^{-1} r`), called with
    !> its own `user_data`.
    procedure :: set_preconditioner => nonlinear_set_preconditioner
    !> `call nl%clear_preconditioner([stat])`: removes the preconditioner.
    procedure :: clear_preconditioner => nonlinear_clear_preconditioner
    !> `call nl%set_monitor(monitor [, user_data] [, stat])`: a function
    !> (`nks_nonlinear_monitor_fn`) called after every step with the running report and the
    !> current point; a non-zero return stops the solve with `NKS_ERR_ABORTED`.
    procedure :: set_monitor => nonlinear_set_monitor
    !> `call nl%clear_monitor([stat])`: removes the monitor.
    procedure :: clear_monitor => nonlinear_clear_monitor
    !> `call nl%set_option(name, value [, stat])`: an option by name: `"method"` (an
    !> `NKS_NONLINEAR_*` value), `"fatol"` >= 0 (default 1e-10: stop at `||F|| <= fatol`),
    !> `"frtol"` >= 0 (default 1e-8: `||F|| <= frtol ||F0||`), `"gatol"` >= 0 (default 1e-10:
    !> Levenberg-Marquardt stops at `||J^T F|| <= gatol`), `"xtol"` >= 0 (0 = off),
    !> `"max_iterations"` >= 1 (default 100), `"max_evaluations"` >= 0 (residual calls; 0 = no
    !> limit), `"max_seconds"` >= 0 (0 = no limit), `"forcing"` (0 Eisenstat-Walker, 1
    !> `min(0.5, sqrt ||F||)`, 2 fixed `"forcing_value"`), `"forcing_value"`, `"forcing_min"`,
    !> `"c1"`, `"line_search"` (0 backtracking, 1 full steps), `"krylov_method"`
    !> (`NKS_KRYLOV_GMRES` or `NKS_KRYLOV_GCRODR`, the default), `"restart"` >= 2 (default 30),
    !> `"recycle_dim"` >= 0 (default 10), `"keep_recycle_space"` (1, the default: carried from
    !> one solve to the next; 0), `"inner_max_iterations"`, `"fd_error"`, `"lm_xi"`,
    !> `"lm_omega"`, `"lm_eta"` (the Levenberg-Marquardt parameter
    !> `mu = xi ||F||^eta + omega ||J^T F||^eta`). `NKS_ERR_UNKNOWN_OPTION` lists the names;
    !> `NKS_ERR_INVALID_ARGUMENT` for a value out of range (the option keeps its value).
    procedure :: set_option => nonlinear_set_option
    !> `value = nl%get_option(name [, stat])`: reads an option by name in the encoding
    !> `set_option` takes; a quiet NaN on failure (e.g. `NKS_ERR_UNKNOWN_OPTION`).
    procedure :: get_option => nonlinear_get_option
    !> `status = nl%solve(x)`: solves `F(x) = 0` (Newton-Krylov) or minimises `||F(x)||^2 / 2`
    !> (Levenberg-Marquardt) from `x` (`size(x) >= 1`). Returns `NKS_OK` when a tolerance test
    !> passed, with the solution in `x`; `NKS_MAX_ITERATIONS` (step or evaluation limit),
    !> `NKS_TIME_LIMIT` or `NKS_STAGNATION` with the last accepted point in `x`; a negative
    !> status on failure, with `x` untouched and the reason in `nl%last_error()`:
    !> `NKS_ERR_CALLBACK` (an oracle returned `< 0`, or failed where no step can be shortened;
    !> the code is in the report), `NKS_ERR_NON_FINITE`, `NKS_ERR_ABORTED` (the monitor),
    !> `NKS_ERR_DIMENSION_MISMATCH` (Newton-Krylov with `m /= n`), `NKS_ERR_INVALID_ARGUMENT`
    !> (Levenberg-Marquardt without `J^T w`), `NKS_ERR_INVALID_STATE` (no oracles). Never stops
    !> the program. A contiguous `x` reaches the library (and the oracles) without a copy.
    procedure :: solve => nonlinear_solve
    !> `call nl%get_report(report [, stat])`: the report (`nks_nonlinear_report`) of the last
    !> solve (termination `NKS_TERMINATION_NOT_STARTED` before any).
    procedure :: get_report => nonlinear_get_report
    !> `call nl%get_step(k, step [, stat])`: step record `k` (1-based, `k <= report%steps`) of
    !> the last solve; `NKS_ERR_INVALID_ARGUMENT` when `k` is out of range.
    procedure :: get_step => nonlinear_get_step
    !> `call nl%get_point(x [, stat])`: the last accepted point of the last solve that started
    !> (what a failed or aborted solve reached) into `x`; `NKS_ERR_INVALID_STATE` before any,
    !> `NKS_ERR_DIMENSION_MISMATCH` when `size(x)` is not the last solve's `n`. `x` is written
    !> only on success.
    procedure :: get_point => nonlinear_get_point
    !> `call nl%clear_recycle_space([stat])`: forgets the recycle space (before solving an
    !> unrelated problem with the same object).
    procedure :: clear_recycle_space => nonlinear_clear_recycle_space
    !> `nl%is_created()`: whether the object holds a solver.
    procedure :: is_created => nonlinear_is_created
    !> `nl%c_handle()`: the `nks_nonlinear *` for the raw interface (still owned by this object).
    procedure :: c_handle => nonlinear_c_handle
    !> `nl%last_error()`: the message of the last failed call on this object ('' if none).
    procedure :: last_error => nonlinear_last_error
    !> `call nl%free()`: frees the solver; safe to call again or on an object never created.
    procedure :: free => nonlinear_free
    procedure, private :: nonlinear_assign
    !> Assignment is only allowed between objects holding no solver (see the module notes).
    generic :: assignment(=) => nonlinear_assign
    !> Frees the solver when the object goes out of scope or is deallocated.
    final :: nonlinear_final
  end type nks_nonlinear_t

  !> An equality-constrained solver (`nks_constrained`): `min f(x) s.t. c(x) = 0` by the adaptive
  !> inexact Newton method with randomized sketching (AdaSketch-Newton), seeing the problem only
  !> through oracles the host writes, `bind(c)` functions with the interfaces
  !> `nks_constrained_objective_fn`, `nks_constrained_gradient_fn`,
  !> `nks_constrained_constraints_fn`, `nks_constrained_jacobian_vector_fn`,
  !> `nks_constrained_jacobian_transpose_fn` and `nks_constrained_hessian_vector_fn` (all
  !> required), plus optionally the sparse rows of the Jacobian and the Hessian
  !> (`nks_constrained_jacobian_values_fn`, `nks_constrained_hessian_values_fn`; needed by the
  !> Kaczmarz inner solver), a preconditioner of the MINRES inner solver
  !> (`nks_constrained_precond_fn`) and a monitor (`nks_constrained_monitor_fn`). The library
  !> calls them directly with the `user_data` given with them: pass `c_loc(obj)` of your own
  !> problem object (declared `target`, alive during the solve) and turn it back with
  !> `c_f_pointer`. Inner solvers (option `"kkt_solver"`): `NKS_KKT_GAUSSIAN_SKETCH` (default),
  !> `NKS_KKT_KACZMARZ`, `NKS_KKT_MINRES`. `call cs%create()` first; freed by `free` or when
  !> finalized. Not copyable. The oracles must not use the object itself (its calls then fail
  !> with `NKS_ERR_INVALID_STATE`), and must never free it.
  type, public :: nks_constrained_t
    private
    !> The library handle (`c_null_ptr` before `create` and after `free`).
    type(c_ptr) :: handle = c_null_ptr
    !> The number of constraints of the oracles set (0 before `set_oracles`): the length of the
    !> Jacobian's row pointers that `set_sparse_rows` checks before the library reads them.
    integer(c_size_t) :: m = 0_c_size_t
    !> The message of the last failed call on this object.
    character(len=:), allocatable :: errmsg
  contains
    !> `call cs%create([stat])`: a solver with the default options: Gaussian sketch, the
    !> penalties `eta1 = 1`, `eta2 = 0.1`, `rho = 1.5`, Armijo `beta = 0.1`, inner accuracy
    !> `delta = 0.1` sharpened as `min(1, ||KKT||^(1/2))`, stop at `||grad_x L|| <= 1e-6` and
    !> `||c|| <= 1e-6`, 1000 iterations, no oracles. On success it replaces (and frees) any solver
    !> held before.
    procedure :: create => constrained_create
    !> `call cs%set_oracles(m, [objective] [, gradient] [, constraints] [, jacobian_vector]
    !> [, jacobian_transpose] [, hessian_vector] [, user_data] [, stat])`: `m >= 1` constraints
    !> and the oracles (`bind(c)` functions, see the type's description), all called with
    !> `user_data` (default `c_null_ptr`) on the thread that calls `solve`. Every oracle is
    !> required: one left out gives `NKS_ERR_NULL_POINTER` naming it, `m < 1`
    !> `NKS_ERR_INVALID_ARGUMENT`, and the oracles set before stay. Clears sparse rows set
    !> earlier.
    procedure :: set_oracles => constrained_set_oracles
    !> `call cs%set_sparse_rows(jacobian_row_ptr, jacobian_col_idx, jacobian_values,
    !> hessian_row_ptr, hessian_col_idx, hessian_values [, user_data] [, index_base] [, stat])`:
    !> the Jacobian (`m x n`) and the Hessian of the Lagrangian (`n x n`, both triangles) as fixed
    !> CSR patterns of kind `c_int64_t` (copied by the library; `index_base` defaults to 1, Fortran
    !> numbering) and the functions that fill their values in pattern order
    !> (`nks_constrained_jacobian_values_fn`, `nks_constrained_hessian_values_fn`), called with
    !> `user_data`. `n` is `size(hessian_row_ptr) - 1`; `jacobian_row_ptr` must have `m + 1`
    !> entries and each `col_idx` exactly the entries its row pointers declare
    !> (`NKS_ERR_DIMENSION_MISMATCH`). Enables the Kaczmarz inner solver. Call after
    !> `set_oracles` (else `NKS_ERR_INVALID_STATE`); `NKS_ERR_INVALID_ARGUMENT` for a malformed
    !> pattern (the message names the array and the entry).
    procedure :: set_sparse_rows => constrained_set_sparse_rows
    !> `call cs%set_preconditioner(apply [, user_data] [, stat])`: the SPD preconditioner of the
    !> MINRES inner solver (`nks_constrained_precond_fn`, `z = M^{-1} r` of length `n + m`),
    !> called with its own `user_data`.
    procedure :: set_preconditioner => constrained_set_preconditioner
    !> `call cs%clear_preconditioner([stat])`: removes the preconditioner.
    procedure :: clear_preconditioner => constrained_clear_preconditioner
    !> `call cs%set_monitor(monitor [, user_data] [, stat])`: a function
    !> (`nks_constrained_monitor_fn`) called after every iteration with the running report, the
    !> current point and its multipliers; a non-zero return stops the solve with
    !> `NKS_ERR_ABORTED`.
    procedure :: set_monitor => constrained_set_monitor
    !> `call cs%clear_monitor([stat])`: removes the monitor.
    procedure :: clear_monitor => constrained_clear_monitor
    !> `call cs%set_option(name, value [, stat])`: an option by name: `"kkt_solver"` (an
    !> `NKS_KKT_*` value); `"stationarity_tol"` > 0 and `"feasibility_tol"` > 0 (default 1e-6:
    !> stop at `||grad_x L|| <= stationarity_tol` and `||c|| <= feasibility_tol`);
    !> `"max_iterations"` >= 1 (default 1000); `"max_inner_iterations"` >= 1 (per Newton step,
    !> default 100000); `"max_merit_evaluations"` >= 0 (0 = no limit); `"max_seconds"` >= 0
    !> (0 = no limit); `"eta1"` > 0 (default 1), `"eta2"` > 0 (default 0.1): the merit's
    !> penalties; `"penalty_factor"` in (1, 100] (default 1.5); `"armijo"` in (0, 0.5) (default
    !> 0.1); `"accuracy"` in (0, 1) (default 0.1) and `"accuracy_min"` in (0, 1) (default 1e-10);
    !> `"sharpen"` 0 / 1 (default 1); `"sketch_block"` 1..256 (default 1); `"seed"` >= 0 (default
    !> 0); `"regularization"` > 0 (default 1e-4) and `"curvature_tol"` >= 0 (default 1e-8);
    !> `"multiplier_start"` 0 least squares (default) / 1 the `lambda` passed to `solve`;
    !> `"record_history"` 0 / 1 (default 1). `NKS_ERR_UNKNOWN_OPTION` lists the names;
    !> `NKS_ERR_INVALID_ARGUMENT` for a value out of range (the option keeps its value).
    procedure :: set_option => constrained_set_option
    !> `value = cs%get_option(name [, stat])`: reads an option by name in the encoding
    !> `set_option` takes; a quiet NaN on failure (e.g. `NKS_ERR_UNKNOWN_OPTION`).
    procedure :: get_option => constrained_get_option
    !> `status = cs%solve(x, lambda)`: minimises `f` subject to `c(x) = 0` from `x`
    !> (`size(x) >= 1`); `lambda` (`size(lambda)` = the `m` of `set_oracles`) receives the
    !> multipliers (read as the start with `"multiplier_start"` 1). Returns `NKS_OK` when the KKT
    !> tests passed, with the solution in `x` and `lambda`; `NKS_MAX_ITERATIONS` (iteration or
    !> evaluation limit), `NKS_TIME_LIMIT` or `NKS_STAGNATION` with the last accepted point in
    !> them; a negative status on failure, with both untouched and the reason in
    !> `cs%last_error()`: `NKS_ERR_CALLBACK` (an oracle returned `< 0`, or failed where no step
    !> can be shortened; the code is in the report), `NKS_ERR_NON_FINITE`, `NKS_ERR_ABORTED` (the
    !> monitor), `NKS_ERR_DIMENSION_MISMATCH` (`size(lambda)` is not `m`, or the sparse rows were
    !> given for another `n`), `NKS_ERR_INVALID_STATE` (no oracles; Kaczmarz without sparse rows).
    !> Never stops the program. Contiguous `x` and `lambda` reach the library (and the oracles)
    !> without a copy.
    procedure :: solve => constrained_solve
    !> `call cs%get_report(report [, stat])`: the report (`nks_constrained_report`) of the last
    !> solve (termination `NKS_TERMINATION_NOT_STARTED` before any).
    procedure :: get_report => constrained_get_report
    !> `call cs%get_record(k, record [, stat])`: iteration record `k` (1-based,
    !> `k <= report%records`) of the last solve, the KKT residual history;
    !> `NKS_ERR_INVALID_ARGUMENT` when `k` is out of range.
    procedure :: get_record => constrained_get_record
    !> `call cs%get_point(x [, lambda] [, stat])`: the last accepted point of the last solve that
    !> started (what a failed or aborted solve reached) into `x`, and its multipliers into
    !> `lambda`; `NKS_ERR_INVALID_STATE` before any, `NKS_ERR_DIMENSION_MISMATCH` when `size(x)`
    !> or `size(lambda)` is not the last solve's. `x` and `lambda` are written only on success.
    procedure :: get_point => constrained_get_point
    !> `cs%is_created()`: whether the object holds a solver.
    procedure :: is_created => constrained_is_created
    !> `cs%c_handle()`: the `nks_constrained *` for the raw interface (still owned by this object).
    procedure :: c_handle => constrained_c_handle
    !> `cs%last_error()`: the message of the last failed call on this object ('' if none).
    procedure :: last_error => constrained_last_error
    !> `call cs%free()`: frees the solver; safe to call again or on an object never created.
    procedure :: free => constrained_free
    procedure, private :: constrained_assign
    !> Assignment is only allowed between objects holding no solver (see the module notes).
    generic :: assignment(=) => constrained_assign
    !> Frees the solver when the object goes out of scope or is deallocated.
    final :: constrained_final
  end type nks_constrained_t

  public :: nks_last_error, nks_status_text, nks_version_text, nks_skr_solve_order

contains

  ! ---------------------------------------------------------------------------------------------
  ! Module-level helpers
  ! ---------------------------------------------------------------------------------------------

  !> Copies a NUL-terminated C string into a Fortran string ('' for a null pointer).
  function c_to_f_string(p) result(s)
    type(c_ptr), intent(in) :: p
    character(len=:), allocatable :: s
    character(kind=c_char), pointer :: chars(:)
    integer(c_size_t) :: n, i
    if (.not. c_associated(p)) then
      s = ''
      return
    end if
    n = c_strlen(p)
    call c_f_pointer(p, chars, [n])
    allocate (character(len=n) :: s)
    do i = 1, n
      s(i:i) = chars(i)
    end do
  end function c_to_f_string

  !> The detailed message of the last failed `nks_*` call on the calling thread ('' if none),
  !> as a Fortran string. The friendly types keep their own copy (`obj%last_error()`).
  function nks_last_error() result(msg)
    character(len=:), allocatable :: msg
    msg = c_to_f_string(nks_last_error_message())
  end function nks_last_error

  !> The name and meaning of a status, e.g. `"NKS_ERR_CALLBACK: a user callback ..."`.
  function nks_status_text(status) result(text)
    integer(c_int32_t), intent(in) :: status
    character(len=:), allocatable :: text
    text = c_to_f_string(nks_status_str(status))
  end function nks_status_text

  !> The library's version as `"MAJOR.MINOR.PATCH"`.
  function nks_version_text() result(text)
    character(len=:), allocatable :: text
    text = c_to_f_string(nks_version_string())
  end function nks_version_text

  !> The SKR solve order (Sorting Krylov Recycling) of the systems whose feature vectors are the
  !> columns of `features` (`num_features x count`): greedy nearest neighbour in Euclidean
  !> distance starting from system 1 (Hilbert-curve partitions first when count > 1024).
  !> Returns the 1-based system indices in solve order, the order `solve_sequence` uses with
  !> these features; a zero-size array on failure (e.g. no columns; the library's message is
  !> then in `nks_last_error()`). Failure handling through `stat` as for the type-bound calls.
  function nks_skr_solve_order(features, stat) result(order)
    real(c_double), intent(in) :: features(:, :)
    integer(c_int32_t), intent(out), optional :: stat
    integer, allocatable :: order(:)
    integer(c_size_t), allocatable :: order_c(:)
    character(len=:), allocatable :: errmsg
    integer(c_int32_t) :: s
    allocate (order_c(size(features, 2)))
    s = nks_skr_order(size(features, 2, kind=c_size_t), size(features, 1, kind=c_size_t), features, &
                      size(features, 1, kind=c_size_t), order_c)
    if (s == NKS_OK) then
      order = int(order_c) + 1
    else
      allocate (order(0))
    end if
    call finish(s, errmsg, 'nks_skr_solve_order', stat)
  end function nks_skr_solve_order

  !> An integer as text, without blanks.
  function int_text(i) result(s)
    integer(int64), intent(in) :: i
    character(len=:), allocatable :: s
    character(len=24) :: buf
    write (buf, '(i0)') i
    s = trim(buf)
  end function int_text

  !> A shape as text, e.g. "576 x 8".
  function shape_text(extents) result(s)
    integer(int64), intent(in) :: extents(:)
    character(len=:), allocatable :: s
    integer :: i
    s = int_text(extents(1))
    do i = 2, size(extents)
      s = s//' x '//int_text(extents(i))
    end do
  end function shape_text

  !> Returns `status` through `stat` when present; otherwise stops the program on a failure,
  !> printing what failed, the status and `errmsg`.
  subroutine deliver(status, errmsg, what, stat)
    integer(c_int32_t), intent(in) :: status
    character(len=*), intent(in) :: errmsg
    character(len=*), intent(in) :: what
    integer(c_int32_t), intent(out), optional :: stat
    if (present(stat)) then
      stat = status
    else if (status < 0) then
      write (error_unit, '(a)') 'nksolve: '//what//' failed with '//nks_status_text(status)
      write (error_unit, '(a)') '  '//errmsg
      error stop 'nksolve: unhandled error (pass stat= to handle it)'
    end if
  end subroutine deliver

  !> Finishes a call into the library: on failure copies the library's message into `errmsg`,
  !> then delivers the status.
  subroutine finish(status, errmsg, what, stat)
    integer(c_int32_t), intent(in) :: status
    character(len=:), allocatable, intent(inout) :: errmsg
    character(len=*), intent(in) :: what
    integer(c_int32_t), intent(out), optional :: stat
    if (status < 0) errmsg = c_to_f_string(nks_last_error_message())
    if (.not. allocated(errmsg)) errmsg = ''
    call deliver(status, errmsg, what, stat)
  end subroutine finish

  !> Fails a call in the Fortran layer (before the library is reached) with `status` and `msg`.
  subroutine fail(status, msg, errmsg, what, stat)
    integer(c_int32_t), intent(in) :: status
    character(len=*), intent(in) :: msg
    character(len=:), allocatable, intent(inout) :: errmsg
    character(len=*), intent(in) :: what
    integer(c_int32_t), intent(out), optional :: stat
    errmsg = msg
    call deliver(status, errmsg, what, stat)
  end subroutine fail

  !> `errmsg`, or '' when it was never set.
  function message_or_empty(errmsg) result(msg)
    character(len=:), allocatable, intent(in) :: errmsg
    character(len=:), allocatable :: msg
    if (allocated(errmsg)) then
      msg = errmsg
    else
      msg = ''
    end if
  end function message_or_empty

  !> Stops the program when an assignment would copy a library handle (`holding`): the copy
  !> would be freed twice. `type_name` and `thing` name the type and what its handle is.
  subroutine refuse_handle_copy(holding, type_name, thing)
    logical, intent(in) :: holding
    character(len=*), intent(in) :: type_name, thing
    if (.not. holding) return
    write (error_unit, '(a)') 'nksolve: an '//type_name//' holding '//thing//' cannot be copied or '// &
      'overwritten by assignment (it would be freed twice); pass it by reference'
    error stop 'nksolve: assignment of an object holding a library handle'
  end subroutine refuse_handle_copy

  !> Copies the buffer of `len` bytes a save call that returned `status` gave (`buf`) into
  !> `bytes` and frees it; `bytes` is zero-size when the call failed.
  subroutine take_library_bytes(status, buf, len, bytes)
    integer(c_int32_t), intent(in) :: status
    type(c_ptr), intent(in) :: buf
    integer(c_size_t), intent(in) :: len
    integer(int8), allocatable, intent(out) :: bytes(:)
    integer(int8), pointer :: library_bytes(:)
    if (status == NKS_OK .and. c_associated(buf)) then
      call c_f_pointer(buf, library_bytes, [len])
      allocate (bytes(len))
      bytes(:) = library_bytes
      call nks_bytes_free(buf, len)
    else
      allocate (bytes(0))
    end if
  end subroutine take_library_bytes

  ! ---------------------------------------------------------------------------------------------
  ! Trampolines: the only procedures the library calls
  ! ---------------------------------------------------------------------------------------------

  !> `nks_matvec_fn`: calls the user's operator procedure held in `user_data`.
  function matvec_trampoline(x, y, n, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(out) :: y(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(matvec_holder), pointer :: h
    call c_f_pointer(user_data, h)
    code = 0
    if (associated(h%proc_ctx)) then
      call h%proc_ctx(x, y, code, h%ctx)
    else
      call h%proc(x, y, code)
    end if
  end function matvec_trampoline

  !> `nks_precond_fn`: calls the user's preconditioner procedure held in `user_data`.
  function precond_trampoline(r, z, n, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: r(n)
    real(c_double), intent(out) :: z(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(precond_holder), pointer :: h
    call c_f_pointer(user_data, h)
    code = 0
    if (associated(h%proc_ctx)) then
      call h%proc_ctx(r, z, code, h%ctx)
    else
      call h%proc(r, z, code)
    end if
  end function precond_trampoline

  !> `nks_krylov_monitor_fn`: calls the user's monitor procedure held in `user_data`.
  function monitor_trampoline(report, user_data) bind(c) result(code)
    type(nks_krylov_report), intent(in) :: report
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(monitor_holder), pointer :: h
    call c_f_pointer(user_data, h)
    code = 0
    if (associated(h%proc_ctx)) then
      call h%proc_ctx(report, code, h%ctx)
    else
      call h%proc(report, code)
    end if
  end function monitor_trampoline

  !> `nks_indexed_matvec_fn`: calls the user's sequence operator held in `user_data` with the
  !> 1-based system index.
  function indexed_matvec_trampoline(system, x, y, n, user_data) bind(c) result(code)
    integer(c_size_t), value :: system
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(out) :: y(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(indexed_matvec_holder), pointer :: h
    call c_f_pointer(user_data, h)
    code = 0
    if (associated(h%proc_ctx)) then
      call h%proc_ctx(int(system) + 1, x, y, code, h%ctx)
    else
      call h%proc(int(system) + 1, x, y, code)
    end if
  end function indexed_matvec_trampoline

  ! ---------------------------------------------------------------------------------------------
  ! nks_csr_t
  ! ---------------------------------------------------------------------------------------------

  !> `create` with default-kind `nrows`, `ncols`.
  subroutine csr_create_i32(self, nrows, ncols, row_ptr, col_idx, values, index_base, stat)
    class(nks_csr_t), intent(inout) :: self
    integer(int32), intent(in) :: nrows, ncols
    integer(c_int64_t), intent(in) :: row_ptr(:), col_idx(:)
    real(c_double), intent(in) :: values(:)
    integer, intent(in), optional :: index_base
    integer(c_int32_t), intent(out), optional :: stat
    call csr_create_i64(self, int(nrows, int64), int(ncols, int64), row_ptr, col_idx, values, index_base, stat)
  end subroutine csr_create_i32

  !> `create` with 64-bit `nrows`, `ncols`.
  subroutine csr_create_i64(self, nrows, ncols, row_ptr, col_idx, values, index_base, stat)
    class(nks_csr_t), intent(inout) :: self
    integer(int64), intent(in) :: nrows, ncols
    integer(c_int64_t), intent(in) :: row_ptr(:), col_idx(:)
    real(c_double), intent(in) :: values(:)
    integer, intent(in), optional :: index_base
    integer(c_int32_t), intent(out), optional :: stat
    character(len=*), parameter :: what = 'nks_csr_t%create'
    integer(int64) :: base, nnz
    type(c_ptr) :: out
    integer(c_int32_t) :: s
    call self%free()
    base = 1
    if (present(index_base)) base = index_base
    if (base /= 0 .and. base /= 1) then
      call fail(NKS_ERR_INVALID_ARGUMENT, 'index_base = '//int_text(base)// &
                ' is invalid; use 1 for Fortran arrays or 0 for C arrays', self%errmsg, what, stat)
      return
    end if
    if (nrows < 1 .or. ncols < 1) then
      call fail(NKS_ERR_INVALID_ARGUMENT, 'the matrix is '//int_text(nrows)//' x '//int_text(ncols)// &
                '; nrows and ncols must be at least 1', self%errmsg, what, stat)
      return
    end if
    ! The library reads nrows + 1 row pointers: check here that row_ptr is that long. It checks
    ! itself that row_ptr(nrows + 1) - index_base equals the nnz passed (size(col_idx)), before
    ! reading col_idx and values; short arrays are still reported here with their lengths.
    if (size(row_ptr, kind=int64) < nrows + 1) then
      call fail(NKS_ERR_DIMENSION_MISMATCH, 'row_ptr has '//int_text(size(row_ptr, kind=int64))// &
                ' entries; nrows + 1 = '//int_text(nrows + 1)//' are needed', self%errmsg, what, stat)
      return
    end if
    nnz = row_ptr(nrows + 1) - base
    if (nnz > size(col_idx, kind=int64) .or. nnz > size(values, kind=int64)) then
      call fail(NKS_ERR_DIMENSION_MISMATCH, 'row_ptr(nrows + 1) = '//int_text(row_ptr(nrows + 1))// &
                ' declares '//int_text(nnz)//' entries but col_idx has '//int_text(size(col_idx, kind=int64))// &
                ' and values has '//int_text(size(values, kind=int64)), self%errmsg, what, stat)
      return
    end if
    if (size(col_idx, kind=int64) /= size(values, kind=int64)) then
      call fail(NKS_ERR_DIMENSION_MISMATCH, 'col_idx has '//int_text(size(col_idx, kind=int64))// &
                ' entries but values has '//int_text(size(values, kind=int64))// &
                '; they must have the same length', self%errmsg, what, stat)
      return
    end if
    out = c_null_ptr
    s = nks_csr_new(int(nrows, c_size_t), int(ncols, c_size_t), size(col_idx, kind=c_size_t), row_ptr, &
                    col_idx, values, int(base, c_int32_t), out)
    if (s == NKS_OK) self%handle = out
    call finish(s, self%errmsg, what, stat)
  end subroutine csr_create_i64

  !> `y = A x`.
  subroutine csr_matvec(self, x, y, stat)
    class(nks_csr_t), intent(inout) :: self
    real(c_double), intent(in) :: x(:)
    real(c_double), intent(inout) :: y(:)
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_csr_matvec(self%handle, x, size(x, kind=c_size_t), y, size(y, kind=c_size_t)), &
                self%errmsg, 'nks_csr_t%matvec', stat)
  end subroutine csr_matvec

  !> Dimensions and stored entries.
  subroutine csr_get_size(self, nrows, ncols, nnz, stat)
    class(nks_csr_t), intent(inout) :: self
    integer(c_size_t), intent(out), optional :: nrows, ncols, nnz
    integer(c_int32_t), intent(out), optional :: stat
    integer(c_size_t), target :: r, c, z
    integer(c_int32_t) :: s
    s = nks_csr_get_size(self%handle, c_loc(r), c_loc(c), c_loc(z))
    if (s == NKS_OK) then
      if (present(nrows)) nrows = r
      if (present(ncols)) ncols = c
      if (present(nnz)) nnz = z
    end if
    call finish(s, self%errmsg, 'nks_csr_t%get_size', stat)
  end subroutine csr_get_size

  !> Whether the object holds a matrix.
  logical function csr_is_created(self)
    class(nks_csr_t), intent(in) :: self
    csr_is_created = c_associated(self%handle)
  end function csr_is_created

  !> The raw handle.
  function csr_c_handle(self) result(h)
    class(nks_csr_t), intent(in) :: self
    type(c_ptr) :: h
    h = self%handle
  end function csr_c_handle

  !> The message of the last failed call on this object.
  function csr_last_error(self) result(msg)
    class(nks_csr_t), intent(in) :: self
    character(len=:), allocatable :: msg
    msg = message_or_empty(self%errmsg)
  end function csr_last_error

  !> Frees the matrix (idempotent).
  subroutine csr_free(self)
    class(nks_csr_t), intent(inout) :: self
    call nks_csr_free(self%handle)
    self%handle = c_null_ptr
  end subroutine csr_free

  !> Assignment: allowed only when neither side holds a matrix.
  subroutine csr_assign(lhs, rhs)
    class(nks_csr_t), intent(inout) :: lhs
    class(nks_csr_t), intent(in) :: rhs
    call refuse_handle_copy(c_associated(lhs%handle) .or. c_associated(rhs%handle), 'nks_csr_t', 'a matrix')
    if (allocated(rhs%errmsg)) lhs%errmsg = rhs%errmsg
  end subroutine csr_assign

  !> Finalizer.
  impure elemental subroutine csr_final(self)
    type(nks_csr_t), intent(inout) :: self
    call nks_csr_free(self%handle)
    self%handle = c_null_ptr
  end subroutine csr_final

  ! ---------------------------------------------------------------------------------------------
  ! nks_krylov_t
  ! ---------------------------------------------------------------------------------------------

  !> Creates the solver.
  subroutine krylov_create(self, stat)
    class(nks_krylov_t), intent(inout) :: self
    integer(c_int32_t), intent(out), optional :: stat
    type(c_ptr) :: out
    integer(c_int32_t) :: s
    call self%free()
    out = c_null_ptr
    s = nks_krylov_new(out)
    if (s == NKS_OK) self%handle = out
    call finish(s, self%errmsg, 'nks_krylov_t%create', stat)
  end subroutine krylov_create

  !> Selects the method.
  subroutine krylov_set_method(self, method, stat)
    class(nks_krylov_t), intent(inout) :: self
    integer(c_int32_t), intent(in) :: method
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_krylov_set_method(self%handle, method), self%errmsg, 'nks_krylov_t%set_method', stat)
  end subroutine krylov_set_method

  !> Relative tolerance.
  subroutine krylov_set_rtol(self, rtol, stat)
    class(nks_krylov_t), intent(inout) :: self
    real(c_double), intent(in) :: rtol
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_krylov_set_rtol(self%handle, rtol), self%errmsg, 'nks_krylov_t%set_rtol', stat)
  end subroutine krylov_set_rtol

  !> Absolute tolerance.
  subroutine krylov_set_atol(self, atol, stat)
    class(nks_krylov_t), intent(inout) :: self
    real(c_double), intent(in) :: atol
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_krylov_set_atol(self%handle, atol), self%errmsg, 'nks_krylov_t%set_atol', stat)
  end subroutine krylov_set_atol

  !> Iteration limit.
  subroutine krylov_set_max_iterations(self, max_iterations, stat)
    class(nks_krylov_t), intent(inout) :: self
    integer, intent(in) :: max_iterations
    integer(c_int32_t), intent(out), optional :: stat
    character(len=*), parameter :: what = 'nks_krylov_t%set_max_iterations'
    if (max_iterations < 1) then
      call fail(NKS_ERR_INVALID_ARGUMENT, 'max_iterations = '//int_text(int(max_iterations, int64))// &
                ' is out of range; it must be at least 1', self%errmsg, what, stat)
      return
    end if
    call finish(nks_krylov_set_max_iterations(self%handle, int(max_iterations, c_size_t)), self%errmsg, what, stat)
  end subroutine krylov_set_max_iterations

  !> GMRES restart length.
  subroutine krylov_set_restart(self, restart, stat)
    class(nks_krylov_t), intent(inout) :: self
    integer, intent(in) :: restart
    integer(c_int32_t), intent(out), optional :: stat
    character(len=*), parameter :: what = 'nks_krylov_t%set_restart'
    if (restart < 1) then
      call fail(NKS_ERR_INVALID_ARGUMENT, 'restart = '//int_text(int(restart, int64))// &
                ' is out of range; it must be in 1..10000', self%errmsg, what, stat)
      return
    end if
    call finish(nks_krylov_set_restart(self%handle, int(restart, c_size_t)), self%errmsg, what, stat)
  end subroutine krylov_set_restart

  !> Whether `solve` starts from the given `x`.
  subroutine krylov_set_use_initial_guess(self, use_initial_guess, stat)
    class(nks_krylov_t), intent(inout) :: self
    logical, intent(in) :: use_initial_guess
    integer(c_int32_t), intent(out), optional :: stat
    integer(c_int32_t) :: flag
    flag = 0
    if (use_initial_guess) flag = 1
    call finish(nks_krylov_set_use_initial_guess(self%handle, flag), self%errmsg, &
                'nks_krylov_t%set_use_initial_guess', stat)
  end subroutine krylov_set_use_initial_guess

  !> GMRES preconditioner side.
  subroutine krylov_set_preconditioner_side(self, side, stat)
    class(nks_krylov_t), intent(inout) :: self
    integer(c_int32_t), intent(in) :: side
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_krylov_set_preconditioner_side(self%handle, side), self%errmsg, &
                'nks_krylov_t%set_preconditioner_side', stat)
  end subroutine krylov_set_preconditioner_side

  !> Wall-clock limit.
  subroutine krylov_set_max_seconds(self, max_seconds, stat)
    class(nks_krylov_t), intent(inout) :: self
    real(c_double), intent(in) :: max_seconds
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_krylov_set_max_seconds(self%handle, max_seconds), self%errmsg, &
                'nks_krylov_t%set_max_seconds', stat)
  end subroutine krylov_set_max_seconds

  !> An option by name (trailing blanks of `name` are ignored).
  subroutine krylov_set_option(self, name, value, stat)
    class(nks_krylov_t), intent(inout) :: self
    character(len=*), intent(in) :: name
    real(c_double), intent(in) :: value
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_krylov_set_option(self%handle, trim(name)//c_null_char, value), self%errmsg, &
                'nks_krylov_t%set_option("'//trim(name)//'")', stat)
  end subroutine krylov_set_option

  !> An option by name (trailing blanks of `name` are ignored); a quiet NaN on failure.
  function krylov_get_option(self, name, stat) result(value)
    class(nks_krylov_t), intent(inout) :: self
    character(len=*), intent(in) :: name
    integer(c_int32_t), intent(out), optional :: stat
    real(c_double) :: value
    real(c_double) :: got
    integer(c_int32_t) :: s
    value = ieee_value(1.0_c_double, ieee_quiet_nan)
    got = value
    s = nks_krylov_get_option(self%handle, trim(name)//c_null_char, got)
    if (s == NKS_OK) value = got
    call finish(s, self%errmsg, 'nks_krylov_t%get_option("'//trim(name)//'")', stat)
  end function krylov_get_option

  !> A CSR matrix as the operator; drops a Fortran operator set before.
  subroutine krylov_set_operator_csr(self, a, stat)
    class(nks_krylov_t), intent(inout) :: self
    class(nks_csr_t), intent(in) :: a
    integer(c_int32_t), intent(out), optional :: stat
    integer(c_int32_t) :: s
    s = nks_krylov_set_operator_csr(self%handle, a%handle)
    if (s == NKS_OK .and. associated(self%op_cb)) deallocate (self%op_cb)
    call finish(s, self%errmsg, 'nks_krylov_t%set_operator_csr', stat)
  end subroutine krylov_set_operator_csr

  !> Installs `h` as the operator callback of dimension `n`; on success it replaces (and frees)
  !> the previous holder, on failure it is freed and the previous one stays.
  subroutine install_operator(self, n, h, stat)
    class(nks_krylov_t), intent(inout) :: self
    integer(int64), intent(in) :: n
    type(matvec_holder), pointer, intent(inout) :: h
    integer(c_int32_t), intent(out), optional :: stat
    character(len=*), parameter :: what = 'nks_krylov_t%set_operator'
    integer(c_int32_t) :: s
    if (n < 1) then
      deallocate (h)
      call fail(NKS_ERR_INVALID_ARGUMENT, 'n = '//int_text(n)//' is out of range; the operator '// &
                'dimension must be at least 1', self%errmsg, what, stat)
      return
    end if
    s = nks_krylov_set_operator_callback(self%handle, int(n, c_size_t), c_funloc(matvec_trampoline), c_loc(h))
    if (s == NKS_OK) then
      if (associated(self%op_cb)) deallocate (self%op_cb)
      self%op_cb => h
    else
      deallocate (h)
    end if
    call finish(s, self%errmsg, what, stat)
  end subroutine install_operator

  !> `set_operator` with a default-kind `n`.
  subroutine krylov_set_operator_i32(self, n, matvec, stat)
    class(nks_krylov_t), intent(inout) :: self
    integer(int32), intent(in) :: n
    procedure(nks_matvec_proc) :: matvec
    integer(c_int32_t), intent(out), optional :: stat
    call krylov_set_operator_i64(self, int(n, int64), matvec, stat)
  end subroutine krylov_set_operator_i32

  !> `set_operator` with a 64-bit `n`.
  subroutine krylov_set_operator_i64(self, n, matvec, stat)
    class(nks_krylov_t), intent(inout) :: self
    integer(int64), intent(in) :: n
    procedure(nks_matvec_proc) :: matvec
    integer(c_int32_t), intent(out), optional :: stat
    type(matvec_holder), pointer :: h
    allocate (h)
    h%proc => matvec
    call install_operator(self, n, h, stat)
  end subroutine krylov_set_operator_i64

  !> `set_operator_ctx` with a default-kind `n`.
  subroutine krylov_set_operator_ctx_i32(self, n, matvec, ctx, stat)
    class(nks_krylov_t), intent(inout) :: self
    integer(int32), intent(in) :: n
    procedure(nks_matvec_ctx_proc) :: matvec
    class(*), intent(inout), target :: ctx
    integer(c_int32_t), intent(out), optional :: stat
    call krylov_set_operator_ctx_i64(self, int(n, int64), matvec, ctx, stat)
  end subroutine krylov_set_operator_ctx_i32

  !> `set_operator_ctx` with a 64-bit `n`.
  subroutine krylov_set_operator_ctx_i64(self, n, matvec, ctx, stat)
    class(nks_krylov_t), intent(inout) :: self
    integer(int64), intent(in) :: n
    procedure(nks_matvec_ctx_proc) :: matvec
    class(*), intent(inout), target :: ctx
    integer(c_int32_t), intent(out), optional :: stat
    type(matvec_holder), pointer :: h
    allocate (h)
    h%proc_ctx => matvec
    h%ctx => ctx
    call install_operator(self, n, h, stat)
  end subroutine krylov_set_operator_ctx_i64

  !> A built-in preconditioner; drops a Fortran preconditioner set before.
  subroutine krylov_set_preconditioner(self, kind, stat)
    class(nks_krylov_t), intent(inout) :: self
    integer(c_int32_t), intent(in) :: kind
    integer(c_int32_t), intent(out), optional :: stat
    integer(c_int32_t) :: s
    s = nks_krylov_set_preconditioner(self%handle, kind)
    if (s == NKS_OK .and. associated(self%pc_cb)) deallocate (self%pc_cb)
    call finish(s, self%errmsg, 'nks_krylov_t%set_preconditioner', stat)
  end subroutine krylov_set_preconditioner

  !> Installs `h` as the preconditioner callback (ownership as in `install_operator`).
  subroutine install_preconditioner(self, h, stat)
    class(nks_krylov_t), intent(inout) :: self
    type(precond_holder), pointer, intent(inout) :: h
    integer(c_int32_t), intent(out), optional :: stat
    integer(c_int32_t) :: s
    s = nks_krylov_set_preconditioner_callback(self%handle, c_funloc(precond_trampoline), c_loc(h))
    if (s == NKS_OK) then
      if (associated(self%pc_cb)) deallocate (self%pc_cb)
      self%pc_cb => h
    else
      deallocate (h)
    end if
    call finish(s, self%errmsg, 'nks_krylov_t%set_preconditioner_proc', stat)
  end subroutine install_preconditioner

  !> A Fortran preconditioner.
  subroutine krylov_set_preconditioner_proc(self, apply, stat)
    class(nks_krylov_t), intent(inout) :: self
    procedure(nks_precond_proc) :: apply
    integer(c_int32_t), intent(out), optional :: stat
    type(precond_holder), pointer :: h
    allocate (h)
    h%proc => apply
    call install_preconditioner(self, h, stat)
  end subroutine krylov_set_preconditioner_proc

  !> A Fortran preconditioner with a context.
  subroutine krylov_set_preconditioner_ctx(self, apply, ctx, stat)
    class(nks_krylov_t), intent(inout) :: self
    procedure(nks_precond_ctx_proc) :: apply
    class(*), intent(inout), target :: ctx
    integer(c_int32_t), intent(out), optional :: stat
    type(precond_holder), pointer :: h
    allocate (h)
    h%proc_ctx => apply
    h%ctx => ctx
    call install_preconditioner(self, h, stat)
  end subroutine krylov_set_preconditioner_ctx

  !> Installs `h` as the monitor (ownership as in `install_operator`).
  subroutine install_monitor(self, h, stat)
    class(nks_krylov_t), intent(inout) :: self
    type(monitor_holder), pointer, intent(inout) :: h
    integer(c_int32_t), intent(out), optional :: stat
    integer(c_int32_t) :: s
    s = nks_krylov_set_monitor(self%handle, c_funloc(monitor_trampoline), c_loc(h))
    if (s == NKS_OK) then
      if (associated(self%mon_cb)) deallocate (self%mon_cb)
      self%mon_cb => h
    else
      deallocate (h)
    end if
    call finish(s, self%errmsg, 'nks_krylov_t%set_monitor', stat)
  end subroutine install_monitor

  !> A Fortran monitor.
  subroutine krylov_set_monitor(self, monitor, stat)
    class(nks_krylov_t), intent(inout) :: self
    procedure(nks_monitor_proc) :: monitor
    integer(c_int32_t), intent(out), optional :: stat
    type(monitor_holder), pointer :: h
    allocate (h)
    h%proc => monitor
    call install_monitor(self, h, stat)
  end subroutine krylov_set_monitor

  !> A Fortran monitor with a context.
  subroutine krylov_set_monitor_ctx(self, monitor, ctx, stat)
    class(nks_krylov_t), intent(inout) :: self
    procedure(nks_monitor_ctx_proc) :: monitor
    class(*), intent(inout), target :: ctx
    integer(c_int32_t), intent(out), optional :: stat
    type(monitor_holder), pointer :: h
    allocate (h)
    h%proc_ctx => monitor
    h%ctx => ctx
    call install_monitor(self, h, stat)
  end subroutine krylov_set_monitor_ctx

  !> Removes the monitor.
  subroutine krylov_clear_monitor(self, stat)
    class(nks_krylov_t), intent(inout) :: self
    integer(c_int32_t), intent(out), optional :: stat
    integer(c_int32_t) :: s
    s = nks_krylov_set_monitor(self%handle, c_null_funptr, c_null_ptr)
    if (s == NKS_OK .and. associated(self%mon_cb)) deallocate (self%mon_cb)
    call finish(s, self%errmsg, 'nks_krylov_t%clear_monitor', stat)
  end subroutine krylov_clear_monitor

  !> Solves `A x = b`; returns the status (never stops the program).
  function krylov_solve(self, b, x) result(status)
    class(nks_krylov_t), intent(inout) :: self
    real(c_double), intent(in) :: b(:)
    real(c_double), intent(inout) :: x(:)
    integer(c_int32_t) :: status
    character(len=*), parameter :: what = 'nks_krylov_t%solve'
    integer(c_int32_t) :: s
    if (size(b) /= size(x)) then
      call fail(NKS_ERR_DIMENSION_MISMATCH, 'b has '//int_text(size(b, kind=int64))//' entries but x has '// &
                int_text(size(x, kind=int64))//'; both must have the operator''s dimension', &
                self%errmsg, what, status)
      return
    end if
    s = nks_krylov_solve(self%handle, b, x, size(b, kind=c_size_t))
    call finish(s, self%errmsg, what, status)
  end function krylov_solve

  !> The report of the last solve.
  subroutine krylov_get_report(self, report, stat)
    class(nks_krylov_t), intent(inout) :: self
    type(nks_krylov_report), intent(out) :: report
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_krylov_get_report(self%handle, report), self%errmsg, 'nks_krylov_t%get_report', stat)
  end subroutine krylov_get_report

  !> Checks the Fortran arrays of a sequence call of `count` systems (`b`, `x` of one shape with
  !> `count` columns; `features`, `order`, `reports` with `count` columns / entries) and
  !> prepares `buf`: a copy of `features` and room for the library's order and reports, with
  !> their `c_loc`s. `.false.` (with `status` and the message set) when a check fails.
  logical function sequence_setup(self, what, count, b, x, features, order, reports, buf, status) result(ok)
    class(nks_krylov_t), intent(inout) :: self
    character(len=*), intent(in) :: what
    integer(int64), intent(in) :: count
    real(c_double), intent(in) :: b(:, :)
    real(c_double), intent(in) :: x(:, :)
    real(c_double), intent(in), optional :: features(:, :)
    integer, intent(in), optional :: order(:)
    type(nks_krylov_report), intent(in), optional :: reports(:)
    type(sequence_buffers), intent(inout), target :: buf
    integer(c_int32_t), intent(out) :: status
    character(len=:), allocatable :: problem
    integer(c_int32_t) :: code
    code = NKS_ERR_DIMENSION_MISMATCH
    if (count < 1) then
      code = NKS_ERR_INVALID_ARGUMENT
      problem = 'the sequence has no systems; it needs at least one'
    else if (size(b, 2, kind=int64) /= count) then
      problem = 'b has '//int_text(size(b, 2, kind=int64))//' columns for '//int_text(count)//' systems'
    else if (any(shape(x, kind=int64) /= shape(b, kind=int64))) then
      problem = 'x is '//shape_text(shape(x, kind=int64))//' but b is '//shape_text(shape(b, kind=int64))// &
                '; both must be n x (number of systems)'
    else if (present(features)) then
      if (size(features, 2, kind=int64) /= count) &
        problem = 'features has '//int_text(size(features, 2, kind=int64))//' columns for '//int_text(count)// &
                  ' systems; it needs one column per system'
    end if
    if (.not. allocated(problem) .and. present(order)) then
      if (size(order, kind=int64) /= count) &
        problem = 'order has '//int_text(size(order, kind=int64))//' entries for '//int_text(count)//' systems'
    end if
    if (.not. allocated(problem) .and. present(reports)) then
      if (size(reports, kind=int64) /= count) &
        problem = 'reports has '//int_text(size(reports, kind=int64))//' entries for '//int_text(count)//' systems'
    end if
    ok = .not. allocated(problem)
    if (.not. ok) then
      call fail(code, problem, self%errmsg, what, status)
      return
    end if
    if (present(features)) then
      if (size(features) > 0) then
        buf%features = features
        buf%num_features = size(features, 1, kind=c_size_t)
        buf%features_ptr = c_loc(buf%features)
      end if
    end if
    if (present(order)) then
      allocate (buf%order(count), source=-1_c_size_t)
      buf%order_ptr = c_loc(buf%order)
    end if
    if (present(reports)) then
      allocate (buf%reports(count))
      buf%reports_ptr = c_loc(buf%reports)
    end if
  end function sequence_setup

  !> Finishes a sequence call that returned `s`: copies the library's order (made 1-based;
  !> 0 where the library wrote nothing) and reports out of `buf`, keeps the message (noting the
  !> library's 0-based system numbers when it names one), returns the status.
  subroutine sequence_finish(self, what, s, buf, order, reports, status)
    class(nks_krylov_t), intent(inout) :: self
    character(len=*), intent(in) :: what
    integer(c_int32_t), intent(in) :: s
    type(sequence_buffers), intent(in) :: buf
    integer, intent(out), optional :: order(:)
    type(nks_krylov_report), intent(out), optional :: reports(:)
    integer(c_int32_t), intent(out) :: status
    if (present(order)) order = int(buf%order) + 1
    if (present(reports)) reports = buf%reports
    call finish(s, self%errmsg, what, status)
    if (s < 0 .and. index(self%errmsg, 'system ') > 0) &
      self%errmsg = self%errmsg//' (systems counted from 0: system i is column i + 1)'
  end subroutine sequence_finish

  !> `solve_sequence` with the matrices as `nks_csr_t` objects.
  function krylov_solve_sequence_csr(self, ops, b, x, features, order, reports) result(status)
    class(nks_krylov_t), intent(inout) :: self
    type(nks_csr_t), intent(in) :: ops(:)
    real(c_double), intent(in) :: b(:, :)
    real(c_double), intent(inout) :: x(:, :)
    real(c_double), intent(in), optional :: features(:, :)
    integer, intent(out), optional :: order(:)
    type(nks_krylov_report), intent(out), optional :: reports(:)
    integer(c_int32_t) :: status
    type(c_ptr), allocatable :: handles(:)
    integer :: i
    allocate (handles(size(ops)))
    do i = 1, size(ops)
      handles(i) = ops(i)%handle
    end do
    status = krylov_solve_sequence_handles(self, handles, b, x, features, order, reports)
  end function krylov_solve_sequence_csr

  !> `solve_sequence` with the matrices as raw `nks_csr *` handles.
  function krylov_solve_sequence_handles(self, ops, b, x, features, order, reports) result(status)
    class(nks_krylov_t), intent(inout) :: self
    type(c_ptr), intent(in) :: ops(:)
    real(c_double), intent(in) :: b(:, :)
    real(c_double), intent(inout) :: x(:, :)
    real(c_double), intent(in), optional :: features(:, :)
    integer, intent(out), optional :: order(:)
    type(nks_krylov_report), intent(out), optional :: reports(:)
    integer(c_int32_t) :: status
    character(len=*), parameter :: what = 'nks_krylov_t%solve_sequence'
    type(sequence_buffers), target :: buf
    integer(c_size_t), target :: n
    integer(c_int32_t) :: s
    if (.not. sequence_setup(self, what, size(ops, kind=int64), b, x, features, order, reports, buf, status)) return
    ! The library reads the first n rows of b and x, with n from the matrices: make sure that is
    ! all of them (it reports a null or mismatched handle itself).
    if (nks_csr_get_size(ops(1), c_loc(n), c_null_ptr, c_null_ptr) == NKS_OK) then
      if (n /= size(b, 1, kind=c_size_t)) then
        call fail(NKS_ERR_DIMENSION_MISMATCH, 'b and x have '//int_text(size(b, 1, kind=int64))// &
                  ' rows but the matrices are '//int_text(int(n, int64))//' x '//int_text(int(n, int64)), &
                  self%errmsg, what, status)
        return
      end if
    end if
    s = nks_krylov_solve_sequence(self%handle, size(ops, kind=c_size_t), ops, b, size(b, 1, kind=c_size_t), x, &
                                  size(x, 1, kind=c_size_t), buf%features_ptr, buf%num_features, buf%num_features, &
                                  buf%order_ptr, buf%reports_ptr)
    call sequence_finish(self, what, s, buf, order, reports, status)
  end function krylov_solve_sequence_handles

  !> The sequence solve through `h`'s Fortran operator, shared by `solve_sequence_proc` and
  !> `solve_sequence_ctx`; `h` lives for this call only.
  function solve_sequence_with(self, what, h, b, x, features, order, reports) result(status)
    class(nks_krylov_t), intent(inout) :: self
    character(len=*), intent(in) :: what
    type(indexed_matvec_holder), intent(in), target :: h
    real(c_double), intent(in) :: b(:, :)
    real(c_double), intent(inout) :: x(:, :)
    real(c_double), intent(in), optional :: features(:, :)
    integer, intent(out), optional :: order(:)
    type(nks_krylov_report), intent(out), optional :: reports(:)
    integer(c_int32_t) :: status
    type(sequence_buffers), target :: buf
    integer(c_int32_t) :: s
    if (.not. sequence_setup(self, what, size(b, 2, kind=int64), b, x, features, order, reports, buf, status)) return
    s = nks_krylov_solve_sequence_callback(self%handle, size(b, 2, kind=c_size_t), size(b, 1, kind=c_size_t), &
                                           c_funloc(indexed_matvec_trampoline), c_loc(h), b, &
                                           size(b, 1, kind=c_size_t), x, size(x, 1, kind=c_size_t), &
                                           buf%features_ptr, buf%num_features, buf%num_features, buf%order_ptr, &
                                           buf%reports_ptr)
    call sequence_finish(self, what, s, buf, order, reports, status)
  end function solve_sequence_with

  !> `solve_sequence_proc`: a Fortran procedure as the operators.
  function krylov_solve_sequence_proc(self, matvec, b, x, features, order, reports) result(status)
    class(nks_krylov_t), intent(inout) :: self
    procedure(nks_indexed_matvec_proc) :: matvec
    real(c_double), intent(in) :: b(:, :)
    real(c_double), intent(inout) :: x(:, :)
    real(c_double), intent(in), optional :: features(:, :)
    integer, intent(out), optional :: order(:)
    type(nks_krylov_report), intent(out), optional :: reports(:)
    integer(c_int32_t) :: status
    type(indexed_matvec_holder), target :: h
    h%proc => matvec
    status = solve_sequence_with(self, 'nks_krylov_t%solve_sequence_proc', h, b, x, features, order, reports)
  end function krylov_solve_sequence_proc

  !> `solve_sequence_ctx`: a Fortran procedure with a context as the operators.
  function krylov_solve_sequence_ctx(self, matvec, ctx, b, x, features, order, reports) result(status)
    class(nks_krylov_t), intent(inout) :: self
    procedure(nks_indexed_matvec_ctx_proc) :: matvec
    class(*), intent(inout), target :: ctx
    real(c_double), intent(in) :: b(:, :)
    real(c_double), intent(inout) :: x(:, :)
    real(c_double), intent(in), optional :: features(:, :)
    integer, intent(out), optional :: order(:)
    type(nks_krylov_report), intent(out), optional :: reports(:)
    integer(c_int32_t) :: status
    type(indexed_matvec_holder), target :: h
    h%proc_ctx => matvec
    h%ctx => ctx
    status = solve_sequence_with(self, 'nks_krylov_t%solve_sequence_ctx', h, b, x, features, order, reports)
  end function krylov_solve_sequence_ctx

  !> The operator changed in place.
  subroutine krylov_operator_changed(self, stat)
    class(nks_krylov_t), intent(inout) :: self
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_krylov_operator_changed(self%handle), self%errmsg, 'nks_krylov_t%operator_changed', stat)
  end subroutine krylov_operator_changed

  !> Forgets the recycled vectors.
  subroutine krylov_clear_recycled(self, stat)
    class(nks_krylov_t), intent(inout) :: self
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_krylov_clear_recycled(self%handle), self%errmsg, 'nks_krylov_t%clear_recycled', stat)
  end subroutine krylov_clear_recycled

  !> The recycled state as bytes: copies the library's buffer, then frees it.
  subroutine krylov_save_recycled(self, bytes, stat)
    class(nks_krylov_t), intent(inout) :: self
    integer(int8), allocatable, intent(out) :: bytes(:)
    integer(c_int32_t), intent(out), optional :: stat
    type(c_ptr) :: buf
    integer(c_size_t) :: len
    integer(c_int32_t) :: s
    buf = c_null_ptr
    len = 0
    s = nks_krylov_save_recycled(self%handle, buf, len)
    call take_library_bytes(s, buf, len, bytes)
    call finish(s, self%errmsg, 'nks_krylov_t%save_recycled', stat)
  end subroutine krylov_save_recycled

  !> Restores the recycled state from bytes.
  subroutine krylov_load_recycled(self, bytes, stat)
    class(nks_krylov_t), intent(inout) :: self
    integer(int8), intent(in) :: bytes(:)
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_krylov_load_recycled(self%handle, bytes, size(bytes, kind=c_size_t)), self%errmsg, &
                'nks_krylov_t%load_recycled', stat)
  end subroutine krylov_load_recycled

  !> Saves the recycled state to a file.
  subroutine krylov_save_recycled_file(self, path, stat)
    class(nks_krylov_t), intent(inout) :: self
    character(len=*), intent(in) :: path
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_krylov_save_recycled_file(self%handle, trim(path)//c_null_char), self%errmsg, &
                'nks_krylov_t%save_recycled_file("'//trim(path)//'")', stat)
  end subroutine krylov_save_recycled_file

  !> Loads the recycled state from a file.
  subroutine krylov_load_recycled_file(self, path, stat)
    class(nks_krylov_t), intent(inout) :: self
    character(len=*), intent(in) :: path
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_krylov_load_recycled_file(self%handle, trim(path)//c_null_char), self%errmsg, &
                'nks_krylov_t%load_recycled_file("'//trim(path)//'")', stat)
  end subroutine krylov_load_recycled_file

  !> Whether the object holds a solver.
  logical function krylov_is_created(self)
    class(nks_krylov_t), intent(in) :: self
    krylov_is_created = c_associated(self%handle)
  end function krylov_is_created

  !> The raw handle.
  function krylov_c_handle(self) result(h)
    class(nks_krylov_t), intent(in) :: self
    type(c_ptr) :: h
    h = self%handle
  end function krylov_c_handle

  !> The message of the last failed call on this object.
  function krylov_last_error(self) result(msg)
    class(nks_krylov_t), intent(in) :: self
    character(len=:), allocatable :: msg
    msg = message_or_empty(self%errmsg)
  end function krylov_last_error

  !> Frees the handle first (so the library can no longer call back), then the holders.
  subroutine release_krylov(self)
    class(nks_krylov_t), intent(inout) :: self
    call nks_krylov_free(self%handle)
    self%handle = c_null_ptr
    if (associated(self%op_cb)) deallocate (self%op_cb)
    if (associated(self%pc_cb)) deallocate (self%pc_cb)
    if (associated(self%mon_cb)) deallocate (self%mon_cb)
  end subroutine release_krylov

  !> Frees the solver (idempotent).
  subroutine krylov_free(self)
    class(nks_krylov_t), intent(inout) :: self
    call release_krylov(self)
  end subroutine krylov_free

  !> Assignment: allowed only when neither side holds a solver.
  subroutine krylov_assign(lhs, rhs)
    class(nks_krylov_t), intent(inout) :: lhs
    class(nks_krylov_t), intent(in) :: rhs
    call refuse_handle_copy(c_associated(lhs%handle) .or. c_associated(rhs%handle), 'nks_krylov_t', 'a solver')
    if (allocated(rhs%errmsg)) lhs%errmsg = rhs%errmsg
  end subroutine krylov_assign

  !> Finalizer.
  impure elemental subroutine krylov_final(self)
    type(nks_krylov_t), intent(inout) :: self
    call release_krylov(self)
  end subroutine krylov_final

  ! ---------------------------------------------------------------------------------------------
  ! nks_sor_bandit_t
  ! ---------------------------------------------------------------------------------------------

  !> Finishes a call that creates a library learner (`create`, `load`, `load_file`): on success
  !> the object frees the learner it held and takes `created`; on failure it is unchanged.
  subroutine sor_adopt(self, status, created, what, stat)
    class(nks_sor_bandit_t), intent(inout) :: self
    integer(c_int32_t), intent(in) :: status
    type(c_ptr), intent(in) :: created
    character(len=*), intent(in) :: what
    integer(c_int32_t), intent(out), optional :: stat
    if (status == NKS_OK) then
      call nks_sor_bandit_free(self%handle)
      self%handle = created
    end if
    call finish(status, self%errmsg, what, stat)
  end subroutine sor_adopt

  !> `create` with a default-kind `seed`.
  subroutine sor_create_i32(self, learner, num_arms, omega_min, omega_max, seed, stat)
    class(nks_sor_bandit_t), intent(inout) :: self
    integer(c_int32_t), intent(in) :: learner
    integer, intent(in) :: num_arms
    real(c_double), intent(in) :: omega_min, omega_max
    integer(int32), intent(in) :: seed
    integer(c_int32_t), intent(out), optional :: stat
    call sor_create_i64(self, learner, num_arms, omega_min, omega_max, int(seed, int64), stat)
  end subroutine sor_create_i32

  !> `create` with a 64-bit `seed`.
  subroutine sor_create_i64(self, learner, num_arms, omega_min, omega_max, seed, stat)
    class(nks_sor_bandit_t), intent(inout) :: self
    integer(c_int32_t), intent(in) :: learner
    integer, intent(in) :: num_arms
    real(c_double), intent(in) :: omega_min, omega_max
    integer(int64), intent(in) :: seed
    integer(c_int32_t), intent(out), optional :: stat
    character(len=*), parameter :: what = 'nks_sor_bandit_t%create'
    type(c_ptr) :: out
    if (num_arms < 1) then
      call fail(NKS_ERR_INVALID_ARGUMENT, 'num_arms = '//int_text(int(num_arms, int64))// &
                ' is out of range; it must be in 1..=100000', self%errmsg, what, stat)
      return
    end if
    out = c_null_ptr
    call sor_adopt(self, nks_sor_bandit_new(learner, int(num_arms, c_size_t), omega_min, omega_max, &
                                            int(seed, c_int64_t), out), out, what, stat)
  end subroutine sor_create_i64

  !> An option by name (trailing blanks of `name` are ignored).
  subroutine sor_set_option(self, name, value, stat)
    class(nks_sor_bandit_t), intent(inout) :: self
    character(len=*), intent(in) :: name
    real(c_double), intent(in) :: value
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_sor_bandit_set_option(self%handle, trim(name)//c_null_char, value), self%errmsg, &
                'nks_sor_bandit_t%set_option("'//trim(name)//'")', stat)
  end subroutine sor_set_option

  !> An option by name (trailing blanks of `name` are ignored); a quiet NaN on failure.
  function sor_get_option(self, name, stat) result(value)
    class(nks_sor_bandit_t), intent(inout) :: self
    character(len=*), intent(in) :: name
    integer(c_int32_t), intent(out), optional :: stat
    real(c_double) :: value
    real(c_double) :: got
    integer(c_int32_t) :: s
    value = ieee_value(1.0_c_double, ieee_quiet_nan)
    got = value
    s = nks_sor_bandit_get_option(self%handle, trim(name)//c_null_char, got)
    if (s == NKS_OK) value = got
    call finish(s, self%errmsg, 'nks_sor_bandit_t%get_option("'//trim(name)//'")', stat)
  end function sor_get_option

  !> Draws a 1-based arm and its omega (0 and a quiet NaN on failure).
  subroutine sor_choose(self, context, arm, omega, stat)
    class(nks_sor_bandit_t), intent(inout) :: self
    real(c_double), intent(in) :: context
    integer, intent(out) :: arm
    real(c_double), intent(out) :: omega
    integer(c_int32_t), intent(out), optional :: stat
    integer(c_size_t) :: arm_from_zero
    real(c_double) :: chosen
    integer(c_int32_t) :: s
    arm = 0
    omega = ieee_value(1.0_c_double, ieee_quiet_nan)
    arm_from_zero = 0
    chosen = omega
    s = nks_sor_bandit_choose(self%handle, context, arm_from_zero, chosen)
    if (s == NKS_OK) then
      arm = int(arm_from_zero) + 1
      omega = chosen
    end if
    call finish(s, self%errmsg, 'nks_sor_bandit_t%choose', stat)
  end subroutine sor_choose

  !> Learns the cost of the 1-based `arm`.
  subroutine sor_observe(self, arm, context, cost, stat)
    class(nks_sor_bandit_t), intent(inout) :: self
    integer, intent(in) :: arm
    real(c_double), intent(in) :: context, cost
    integer(c_int32_t), intent(out), optional :: stat
    character(len=*), parameter :: what = 'nks_sor_bandit_t%observe'
    integer(c_int32_t) :: s
    if (arm < 1) then
      call fail(NKS_ERR_INVALID_ARGUMENT, 'arm = '//int_text(int(arm, int64))// &
                ' is out of range; arms are numbered from 1 to num_arms', self%errmsg, what, stat)
      return
    end if
    s = nks_sor_bandit_observe(self%handle, int(arm - 1, c_size_t), context, cost)
    if (s < 0) then
      self%errmsg = c_to_f_string(nks_last_error_message())
      if (index(self%errmsg, 'arm = ') > 0) &
        self%errmsg = self%errmsg//' (arms counted from 0: arm i is Fortran arm i + 1)'
    end if
    call deliver(s, message_or_empty(self%errmsg), what, stat)
  end subroutine sor_observe

  !> Chooses, solves `A x = b` and learns; returns the status (never stops the program).
  function sor_solve(self, a, b, x, context) result(status)
    class(nks_sor_bandit_t), intent(inout) :: self
    class(nks_csr_t), intent(in) :: a
    real(c_double), intent(in) :: b(:)
    real(c_double), intent(inout) :: x(:)
    real(c_double), intent(in) :: context
    integer(c_int32_t) :: status
    character(len=*), parameter :: what = 'nks_sor_bandit_t%solve'
    if (size(b) /= size(x)) then
      call fail(NKS_ERR_DIMENSION_MISMATCH, 'b has '//int_text(size(b, kind=int64))//' entries but x has '// &
                int_text(size(x, kind=int64))//'; both must have the matrix''s dimension', &
                self%errmsg, what, status)
      return
    end if
    call finish(nks_sor_bandit_solve(self%handle, a%handle, b, x, size(b, kind=c_size_t), context), &
                self%errmsg, what, status)
  end function sor_solve

  !> The report of the last solve, its arm made 1-based.
  subroutine sor_get_report(self, report, stat)
    class(nks_sor_bandit_t), intent(inout) :: self
    type(nks_sor_report), intent(out) :: report
    integer(c_int32_t), intent(out), optional :: stat
    integer(c_int32_t) :: s
    s = nks_sor_bandit_get_report(self%handle, report)
    if (s == NKS_OK .and. report%termination /= NKS_TERMINATION_NOT_STARTED) report%arm = report%arm + 1
    call finish(s, self%errmsg, 'nks_sor_bandit_t%get_report', stat)
  end subroutine sor_get_report

  !> The distribution of the next choice at `context`, `size(p) == num_arms`.
  subroutine sor_probabilities(self, context, p, stat)
    class(nks_sor_bandit_t), intent(inout) :: self
    real(c_double), intent(in) :: context
    real(c_double), intent(inout) :: p(:)
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_sor_bandit_probabilities(self%handle, context, p, size(p, kind=c_size_t)), self%errmsg, &
                'nks_sor_bandit_t%probabilities', stat)
  end subroutine sor_probabilities

  !> The learner as bytes: copies the library's buffer, then frees it.
  subroutine sor_save(self, bytes, stat)
    class(nks_sor_bandit_t), intent(inout) :: self
    integer(int8), allocatable, intent(out) :: bytes(:)
    integer(c_int32_t), intent(out), optional :: stat
    type(c_ptr) :: buf
    integer(c_size_t) :: len
    integer(c_int32_t) :: s
    buf = c_null_ptr
    len = 0
    s = nks_sor_bandit_save(self%handle, buf, len)
    call take_library_bytes(s, buf, len, bytes)
    call finish(s, self%errmsg, 'nks_sor_bandit_t%save', stat)
  end subroutine sor_save

  !> Holds the learner loaded from bytes.
  subroutine sor_load(self, bytes, stat)
    class(nks_sor_bandit_t), intent(inout) :: self
    integer(int8), intent(in) :: bytes(:)
    integer(c_int32_t), intent(out), optional :: stat
    type(c_ptr) :: out
    out = c_null_ptr
    call sor_adopt(self, nks_sor_bandit_load(bytes, size(bytes, kind=c_size_t), out), out, &
                   'nks_sor_bandit_t%load', stat)
  end subroutine sor_load

  !> Saves the learner to a file.
  subroutine sor_save_file(self, path, stat)
    class(nks_sor_bandit_t), intent(inout) :: self
    character(len=*), intent(in) :: path
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_sor_bandit_save_file(self%handle, trim(path)//c_null_char), self%errmsg, &
                'nks_sor_bandit_t%save_file("'//trim(path)//'")', stat)
  end subroutine sor_save_file

  !> Holds the learner loaded from a file.
  subroutine sor_load_file(self, path, stat)
    class(nks_sor_bandit_t), intent(inout) :: self
    character(len=*), intent(in) :: path
    integer(c_int32_t), intent(out), optional :: stat
    type(c_ptr) :: out
    out = c_null_ptr
    call sor_adopt(self, nks_sor_bandit_load_file(trim(path)//c_null_char, out), out, &
                   'nks_sor_bandit_t%load_file("'//trim(path)//'")', stat)
  end subroutine sor_load_file

  !> Whether the object holds a learner.
  logical function sor_is_created(self)
    class(nks_sor_bandit_t), intent(in) :: self
    sor_is_created = c_associated(self%handle)
  end function sor_is_created

  !> The raw handle.
  function sor_c_handle(self) result(h)
    class(nks_sor_bandit_t), intent(in) :: self
    type(c_ptr) :: h
    h = self%handle
  end function sor_c_handle

  !> The message of the last failed call on this object.
  function sor_last_error(self) result(msg)
    class(nks_sor_bandit_t), intent(in) :: self
    character(len=:), allocatable :: msg
    msg = message_or_empty(self%errmsg)
  end function sor_last_error

  !> Frees the learner (idempotent).
  subroutine sor_free(self)
    class(nks_sor_bandit_t), intent(inout) :: self
    call nks_sor_bandit_free(self%handle)
    self%handle = c_null_ptr
  end subroutine sor_free

  !> Assignment: allowed only when neither side holds a learner.
  subroutine sor_assign(lhs, rhs)
    class(nks_sor_bandit_t), intent(inout) :: lhs
    class(nks_sor_bandit_t), intent(in) :: rhs
    call refuse_handle_copy(c_associated(lhs%handle) .or. c_associated(rhs%handle), 'nks_sor_bandit_t', 'a learner')
    if (allocated(rhs%errmsg)) lhs%errmsg = rhs%errmsg
  end subroutine sor_assign

  !> Finalizer.
  impure elemental subroutine sor_final(self)
    type(nks_sor_bandit_t), intent(inout) :: self
    call nks_sor_bandit_free(self%handle)
    self%handle = c_null_ptr
  end subroutine sor_final

  ! ---------------------------------------------------------------------------------------------
  ! nks_sinkhorn_t
  ! ---------------------------------------------------------------------------------------------

  !> A solver with the default options; replaces the one held only on success.
  subroutine sinkhorn_create(self, stat)
    class(nks_sinkhorn_t), intent(inout) :: self
    integer(c_int32_t), intent(out), optional :: stat
    type(c_ptr) :: out
    integer(c_int32_t) :: s
    out = c_null_ptr
    s = nks_sinkhorn_new(out)
    if (s == NKS_OK) then
      call nks_sinkhorn_free(self%handle)
      self%handle = out
    end if
    call finish(s, self%errmsg, 'nks_sinkhorn_t%create', stat)
  end subroutine sinkhorn_create

  !> An option by name (trailing blanks of `name` are ignored).
  subroutine sinkhorn_set_option(self, name, value, stat)
    class(nks_sinkhorn_t), intent(inout) :: self
    character(len=*), intent(in) :: name
    real(c_double), intent(in) :: value
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_sinkhorn_set_option(self%handle, trim(name)//c_null_char, value), self%errmsg, &
                'nks_sinkhorn_t%set_option("'//trim(name)//'")', stat)
  end subroutine sinkhorn_set_option

  !> An option by name (trailing blanks of `name` are ignored); a quiet NaN on failure.
  function sinkhorn_get_option(self, name, stat) result(value)
    class(nks_sinkhorn_t), intent(inout) :: self
    character(len=*), intent(in) :: name
    integer(c_int32_t), intent(out), optional :: stat
    real(c_double) :: value
    real(c_double) :: got
    integer(c_int32_t) :: s
    value = ieee_value(1.0_c_double, ieee_quiet_nan)
    got = value
    s = nks_sinkhorn_get_option(self%handle, trim(name)//c_null_char, got)
    if (s == NKS_OK) value = got
    call finish(s, self%errmsg, 'nks_sinkhorn_t%get_option("'//trim(name)//'")', stat)
  end function sinkhorn_get_option

  !> What is wrong with the weights `a`, `b` and the potentials `f`, `g` of a transport problem
  !> of `n` sources (`sources` says where `n` comes from, e.g. "x has 3 points (columns)") and
  !> `m` targets; '' when their sizes fit.
  function marginals_problem(n, m, sources, targets, a, b, f, g) result(problem)
    integer(int64), intent(in) :: n, m
    character(len=*), intent(in) :: sources, targets
    real(c_double), intent(in) :: a(:), b(:), f(:), g(:)
    character(len=:), allocatable :: problem
    if (size(a, kind=int64) /= n) then
      problem = 'a has '//int_text(size(a, kind=int64))//' weights but '//sources// &
                '; a needs one weight per source'
    else if (size(b, kind=int64) /= m) then
      problem = 'b has '//int_text(size(b, kind=int64))//' weights but '//targets// &
                '; b needs one weight per target'
    else if (size(f, kind=int64) /= n) then
      problem = 'f has '//int_text(size(f, kind=int64))//' entries but '//sources// &
                '; f needs one potential per source'
    else if (size(g, kind=int64) /= m) then
      problem = 'g has '//int_text(size(g, kind=int64))//' entries but '//targets// &
                '; g needs one potential per target'
    else
      problem = ''
    end if
  end function marginals_problem

  !> Transport between the point clouds `x(d, n)` and `y(d, m)`; returns the status (never
  !> stops the program).
  function sinkhorn_solve_points(self, a, b, x, y, p, f, g) result(status)
    class(nks_sinkhorn_t), intent(inout) :: self
    real(c_double), intent(in) :: a(:), b(:)
    real(c_double), intent(in) :: x(:, :), y(:, :)
    real(c_double), intent(in) :: p
    real(c_double), intent(inout) :: f(:), g(:)
    integer(c_int32_t) :: status
    character(len=*), parameter :: what = 'nks_sinkhorn_t%solve_points'
    character(len=:), allocatable :: problem
    if (size(y, 1) /= size(x, 1)) then
      problem = 'x is '//shape_text(shape(x, kind=int64))//' but y is '//shape_text(shape(y, kind=int64))// &
                '; both must be d x (number of points), one point per column'
    else
      problem = marginals_problem(size(x, 2, kind=int64), size(y, 2, kind=int64), &
                                  'x has '//int_text(size(x, 2, kind=int64))//' points (columns)', &
                                  'y has '//int_text(size(y, 2, kind=int64))//' points (columns)', a, b, f, g)
    end if
    if (len(problem) > 0) then
      call fail(NKS_ERR_DIMENSION_MISMATCH, problem, self%errmsg, what, status)
      return
    end if
    call finish(nks_sinkhorn_solve_points(self%handle, size(x, 2, kind=c_size_t), size(y, 2, kind=c_size_t), &
                                          size(x, 1, kind=c_size_t), a, b, x, size(x, 1, kind=c_size_t), y, &
                                          size(y, 1, kind=c_size_t), p, f, g), self%errmsg, what, status)
  end function sinkhorn_solve_points

  !> Transport with the dense cost `c(n, m)`; returns the status (never stops the program).
  function sinkhorn_solve_dense(self, a, b, c, f, g) result(status)
    class(nks_sinkhorn_t), intent(inout) :: self
    real(c_double), intent(in) :: a(:), b(:)
    real(c_double), intent(in) :: c(:, :)
    real(c_double), intent(inout) :: f(:), g(:)
    integer(c_int32_t) :: status
    character(len=*), parameter :: what = 'nks_sinkhorn_t%solve_dense'
    character(len=:), allocatable :: problem
    problem = marginals_problem(size(c, 1, kind=int64), size(c, 2, kind=int64), &
                                'c has '//int_text(size(c, 1, kind=int64))//' rows', &
                                'c has '//int_text(size(c, 2, kind=int64))//' columns', a, b, f, g)
    if (len(problem) > 0) then
      call fail(NKS_ERR_DIMENSION_MISMATCH, problem, self%errmsg, what, status)
      return
    end if
    call finish(nks_sinkhorn_solve_dense(self%handle, size(c, 1, kind=c_size_t), size(c, 2, kind=c_size_t), a, b, &
                                         c, size(c, 1, kind=c_size_t), f, g), self%errmsg, what, status)
  end function sinkhorn_solve_dense

  !> The report of the last solve.
  subroutine sinkhorn_get_report(self, report, stat)
    class(nks_sinkhorn_t), intent(inout) :: self
    type(nks_sinkhorn_report), intent(out) :: report
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_sinkhorn_get_report(self%handle, report), self%errmsg, 'nks_sinkhorn_t%get_report', stat)
  end subroutine sinkhorn_get_report

  !> The plan of the last solve into `p(n, m)`.
  subroutine sinkhorn_plan_dense(self, p, stat)
    class(nks_sinkhorn_t), intent(inout) :: self
    real(c_double), intent(inout) :: p(:, :)
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_sinkhorn_plan_dense(self%handle, size(p, 1, kind=c_size_t), size(p, 2, kind=c_size_t), p, &
                                        size(p, 1, kind=c_size_t)), self%errmsg, 'nks_sinkhorn_t%plan_dense', stat)
  end subroutine sinkhorn_plan_dense

  !> How many plan entries are `>= threshold`; -1 on failure.
  function sinkhorn_plan_nnz(self, threshold, stat) result(nnz)
    class(nks_sinkhorn_t), intent(inout) :: self
    real(c_double), intent(in) :: threshold
    integer(c_int32_t), intent(out), optional :: stat
    integer(c_size_t) :: nnz
    integer(c_size_t) :: count
    integer(c_int32_t) :: s
    nnz = -1
    count = 0
    s = nks_sinkhorn_plan_nnz(self%handle, threshold, count)
    if (s == NKS_OK) nnz = count
    call finish(s, self%errmsg, 'nks_sinkhorn_t%plan_nnz', stat)
  end function sinkhorn_plan_nnz

  !> The plan entries `>= threshold` with 64-bit, 1-based rows and columns.
  subroutine sinkhorn_plan_sparse_i64(self, threshold, rows, cols, values, stat)
    class(nks_sinkhorn_t), intent(inout) :: self
    real(c_double), intent(in) :: threshold
    integer(int64), allocatable, intent(out) :: rows(:), cols(:)
    real(c_double), allocatable, intent(out) :: values(:)
    integer(c_int32_t), intent(out), optional :: stat
    character(len=*), parameter :: what = 'nks_sinkhorn_t%plan_sparse'
    integer(c_size_t) :: nnz
    integer(c_int32_t) :: s
    integer :: alloc_stat
    nnz = 0
    s = nks_sinkhorn_plan_nnz(self%handle, threshold, nnz)
    if (s == NKS_OK) then
      allocate (rows(nnz), cols(nnz), values(nnz), stat=alloc_stat)
      if (alloc_stat /= 0) then
        if (allocated(rows)) deallocate (rows)
        if (allocated(cols)) deallocate (cols)
        if (allocated(values)) deallocate (values)
        allocate (rows(0), cols(0), values(0))
        call fail(NKS_ERR_ALLOCATION, 'could not allocate the '//int_text(int(nnz, int64))// &
                  ' plan entries >= the threshold', self%errmsg, what, stat)
        return
      end if
      s = nks_sinkhorn_plan_sparse(self%handle, threshold, 1_c_int32_t, rows, cols, values, nnz)
      if (s /= NKS_OK) deallocate (rows, cols, values)
    end if
    if (.not. allocated(rows)) allocate (rows(0), cols(0), values(0))
    call finish(s, self%errmsg, what, stat)
  end subroutine sinkhorn_plan_sparse_i64

  !> The plan entries `>= threshold` with default-kind, 1-based rows and columns.
  subroutine sinkhorn_plan_sparse_i32(self, threshold, rows, cols, values, stat)
    class(nks_sinkhorn_t), intent(inout) :: self
    real(c_double), intent(in) :: threshold
    integer(int32), allocatable, intent(out) :: rows(:), cols(:)
    real(c_double), allocatable, intent(out) :: values(:)
    integer(c_int32_t), intent(out), optional :: stat
    character(len=*), parameter :: what = 'nks_sinkhorn_t%plan_sparse'
    integer(int64), allocatable :: rows64(:), cols64(:)
    integer(c_int32_t) :: s
    call sinkhorn_plan_sparse_i64(self, threshold, rows64, cols64, values, s)
    if (s == NKS_OK .and. size(rows64) > 0) then
      if (max(maxval(rows64), maxval(cols64)) > int(huge(0_int32), int64)) then
        deallocate (values)
        allocate (rows(0), cols(0), values(0))
        call fail(NKS_ERR_INVALID_ARGUMENT, 'the plan has rows or columns beyond huge(0_int32); '// &
                  'pass integer(int64) arrays as rows and cols', self%errmsg, what, stat)
        return
      end if
    end if
    allocate (rows(size(rows64)), cols(size(cols64)))
    rows(:) = int(rows64, int32)
    cols(:) = int(cols64, int32)
    call deliver(s, message_or_empty(self%errmsg), what, stat)
  end subroutine sinkhorn_plan_sparse_i32

  !> Whether the object holds a solver.
  logical function sinkhorn_is_created(self)
    class(nks_sinkhorn_t), intent(in) :: self
    sinkhorn_is_created = c_associated(self%handle)
  end function sinkhorn_is_created

  !> The raw handle.
  function sinkhorn_c_handle(self) result(h)
    class(nks_sinkhorn_t), intent(in) :: self
    type(c_ptr) :: h
    h = self%handle
  end function sinkhorn_c_handle

  !> The message of the last failed call on this object.
  function sinkhorn_last_error(self) result(msg)
    class(nks_sinkhorn_t), intent(in) :: self
    character(len=:), allocatable :: msg
    msg = message_or_empty(self%errmsg)
  end function sinkhorn_last_error

  !> Frees the solver (idempotent).
  subroutine sinkhorn_free(self)
    class(nks_sinkhorn_t), intent(inout) :: self
    call nks_sinkhorn_free(self%handle)
    self%handle = c_null_ptr
  end subroutine sinkhorn_free

  !> Assignment: allowed only when neither side holds a solver.
  subroutine sinkhorn_assign(lhs, rhs)
    class(nks_sinkhorn_t), intent(inout) :: lhs
    class(nks_sinkhorn_t), intent(in) :: rhs
    call refuse_handle_copy(c_associated(lhs%handle) .or. c_associated(rhs%handle), 'nks_sinkhorn_t', 'a solver')
    if (allocated(rhs%errmsg)) lhs%errmsg = rhs%errmsg
  end subroutine sinkhorn_assign

  !> Finalizer.
  impure elemental subroutine sinkhorn_final(self)
    type(nks_sinkhorn_t), intent(inout) :: self
    call nks_sinkhorn_free(self%handle)
    self%handle = c_null_ptr
  end subroutine sinkhorn_final

  ! ---------------------------------------------------------------------------------------------
  ! nks_newton_t
  ! ---------------------------------------------------------------------------------------------

  !> A minimiser with the default options; replaces the one held only on success.
  subroutine newton_create(self, stat)
    class(nks_newton_t), intent(inout) :: self
    integer(c_int32_t), intent(out), optional :: stat
    type(c_ptr) :: out
    integer(c_int32_t) :: s
    out = c_null_ptr
    s = nks_newton_new(out)
    if (s == NKS_OK) then
      call nks_newton_free(self%handle)
      self%handle = out
    end if
    call finish(s, self%errmsg, 'nks_newton_t%create', stat)
  end subroutine newton_create

  !> The oracles; each one left out is passed as NULL (the library names what is missing).
  subroutine newton_set_oracles(self, objective, gradient, hessian_vector, user_data, objective_gradient, stat)
    class(nks_newton_t), intent(inout) :: self
    procedure(nks_newton_objective_fn), optional :: objective
    procedure(nks_newton_gradient_fn), optional :: gradient
    procedure(nks_newton_hessian_vector_fn), optional :: hessian_vector
    type(c_ptr), intent(in), optional :: user_data
    procedure(nks_newton_objective_gradient_fn), optional :: objective_gradient
    integer(c_int32_t), intent(out), optional :: stat
    type(c_funptr) :: f, g, fg, hv
    type(c_ptr) :: data
    f = c_null_funptr
    g = c_null_funptr
    fg = c_null_funptr
    hv = c_null_funptr
    data = c_null_ptr
    if (present(objective)) f = c_funloc(objective)
    if (present(gradient)) g = c_funloc(gradient)
    if (present(objective_gradient)) fg = c_funloc(objective_gradient)
    if (present(hessian_vector)) hv = c_funloc(hessian_vector)
    if (present(user_data)) data = user_data
    call finish(nks_newton_set_oracles(self%handle, f, g, fg, hv, data), self%errmsg, 'nks_newton_t%set_oracles', stat)
  end subroutine newton_set_oracles

  !> The preconditioner of the inner CG.
  subroutine newton_set_preconditioner(self, apply, user_data, stat)
    class(nks_newton_t), intent(inout) :: self
    procedure(nks_newton_precond_fn) :: apply
    type(c_ptr), intent(in), optional :: user_data
    integer(c_int32_t), intent(out), optional :: stat
    type(c_ptr) :: data
    data = c_null_ptr
    if (present(user_data)) data = user_data
    call finish(nks_newton_set_preconditioner(self%handle, c_funloc(apply), data), self%errmsg, &
                'nks_newton_t%set_preconditioner', stat)
  end subroutine newton_set_preconditioner

  !> Removes the preconditioner.
  subroutine newton_clear_preconditioner(self, stat)
    class(nks_newton_t), intent(inout) :: self
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_newton_set_preconditioner(self%handle, c_null_funptr, c_null_ptr), self%errmsg, &
                'nks_newton_t%clear_preconditioner', stat)
  end subroutine newton_clear_preconditioner

  !> The per-iteration monitor.
  subroutine newton_set_monitor(self, monitor, user_data, stat)
    class(nks_newton_t), intent(inout) :: self
    procedure(nks_newton_monitor_fn) :: monitor
    type(c_ptr), intent(in), optional :: user_data
    integer(c_int32_t), intent(out), optional :: stat
    type(c_ptr) :: data
    data = c_null_ptr
    if (present(user_data)) data = user_data
    call finish(nks_newton_set_monitor(self%handle, c_funloc(monitor), data), self%errmsg, &
                'nks_newton_t%set_monitor', stat)
  end subroutine newton_set_monitor

  !> Removes the monitor.
  subroutine newton_clear_monitor(self, stat)
    class(nks_newton_t), intent(inout) :: self
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_newton_set_monitor(self%handle, c_null_funptr, c_null_ptr), self%errmsg, &
                'nks_newton_t%clear_monitor', stat)
  end subroutine newton_clear_monitor

  !> An option by name (trailing blanks of `name` are ignored).
  subroutine newton_set_option(self, name, value, stat)
    class(nks_newton_t), intent(inout) :: self
    character(len=*), intent(in) :: name
    real(c_double), intent(in) :: value
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_newton_set_option(self%handle, trim(name)//c_null_char, value), self%errmsg, &
                'nks_newton_t%set_option("'//trim(name)//'")', stat)
  end subroutine newton_set_option

  !> An option by name (trailing blanks of `name` are ignored); a quiet NaN on failure.
  function newton_get_option(self, name, stat) result(value)
    class(nks_newton_t), intent(inout) :: self
    character(len=*), intent(in) :: name
    integer(c_int32_t), intent(out), optional :: stat
    real(c_double) :: value
    real(c_double) :: got
    integer(c_int32_t) :: s
    value = ieee_value(1.0_c_double, ieee_quiet_nan)
    got = value
    s = nks_newton_get_option(self%handle, trim(name)//c_null_char, got)
    if (s == NKS_OK) value = got
    call finish(s, self%errmsg, 'nks_newton_t%get_option("'//trim(name)//'")', stat)
  end function newton_get_option

  !> Minimises from `x`; returns the status (never stops the program).
  function newton_solve(self, x) result(status)
    class(nks_newton_t), intent(inout) :: self
    real(c_double), intent(inout) :: x(:)
    integer(c_int32_t) :: status
    call finish(nks_newton_solve(self%handle, size(x, kind=c_size_t), x), self%errmsg, 'nks_newton_t%solve', status)
  end function newton_solve

  !> The report of the last solve.
  subroutine newton_get_report(self, report, stat)
    class(nks_newton_t), intent(inout) :: self
    type(nks_newton_report), intent(out) :: report
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_newton_get_report(self%handle, report), self%errmsg, 'nks_newton_t%get_report', stat)
  end subroutine newton_get_report

  !> The last accepted point of the last solve into `x`.
  subroutine newton_get_point(self, x, stat)
    class(nks_newton_t), intent(inout) :: self
    real(c_double), intent(inout) :: x(:)
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_newton_get_point(self%handle, size(x, kind=c_size_t), x), self%errmsg, &
                'nks_newton_t%get_point', stat)
  end subroutine newton_get_point

  !> Whether the object holds a minimiser.
  logical function newton_is_created(self)
    class(nks_newton_t), intent(in) :: self
    newton_is_created = c_associated(self%handle)
  end function newton_is_created

  !> The raw handle.
  function newton_c_handle(self) result(h)
    class(nks_newton_t), intent(in) :: self
    type(c_ptr) :: h
    h = self%handle
  end function newton_c_handle

  !> The message of the last failed call on this object.
  function newton_last_error(self) result(msg)
    class(nks_newton_t), intent(in) :: self
    character(len=:), allocatable :: msg
    msg = message_or_empty(self%errmsg)
  end function newton_last_error

  !> Frees the minimiser (idempotent).
  subroutine newton_free(self)
    class(nks_newton_t), intent(inout) :: self
    call nks_newton_free(self%handle)
    self%handle = c_null_ptr
  end subroutine newton_free

  !> Assignment: allowed only when neither side holds a minimiser.
  subroutine newton_assign(lhs, rhs)
    class(nks_newton_t), intent(inout) :: lhs
    class(nks_newton_t), intent(in) :: rhs
    call refuse_handle_copy(c_associated(lhs%handle) .or. c_associated(rhs%handle), 'nks_newton_t', 'a minimiser')
    if (allocated(rhs%errmsg)) lhs%errmsg = rhs%errmsg
  end subroutine newton_assign

  !> Finalizer.
  impure elemental subroutine newton_final(self)
    type(nks_newton_t), intent(inout) :: self
    call nks_newton_free(self%handle)
    self%handle = c_null_ptr
  end subroutine newton_final

  ! ---------------------------------------------------------------------------------------------
  ! nks_nonlinear_t
  ! ---------------------------------------------------------------------------------------------

  !> A nonlinear solver with the default options; replaces the one held only on success.
  subroutine nonlinear_create(self, stat)
    class(nks_nonlinear_t), intent(inout) :: self
    integer(c_int32_t), intent(out), optional :: stat
    type(c_ptr) :: out
    integer(c_int32_t) :: s
    out = c_null_ptr
    s = nks_nonlinear_new(out)
    if (s == NKS_OK) then
      call nks_nonlinear_free(self%handle)
      self%handle = out
    end if
    call finish(s, self%errmsg, 'nks_nonlinear_t%create', stat)
  end subroutine nonlinear_create

  !> The oracles; each one left out is passed as NULL (the library refuses a missing residual).
  subroutine nonlinear_set_oracles(self, residual, jacobian_vector, jacobian_transpose, user_data, m, stat)
    class(nks_nonlinear_t), intent(inout) :: self
    procedure(nks_nonlinear_residual_fn), optional :: residual
    procedure(nks_nonlinear_jacobian_vector_fn), optional :: jacobian_vector
    procedure(nks_nonlinear_jacobian_transpose_fn), optional :: jacobian_transpose
    type(c_ptr), intent(in), optional :: user_data
    integer, intent(in), optional :: m
    integer(c_int32_t), intent(out), optional :: stat
    type(c_funptr) :: f, jv, jtw
    type(c_ptr) :: data
    integer(c_size_t) :: rows
    f = c_null_funptr
    jv = c_null_funptr
    jtw = c_null_funptr
    data = c_null_ptr
    rows = 0_c_size_t
    if (present(m)) then
      ! A negative count would reach C as a huge size_t.
      if (m < 0) then
        call fail(NKS_ERR_INVALID_ARGUMENT, 'm = '//int_text(int(m, int64))//' is out of range; '// &
                  'the number of residuals is >= 0 (0: m = n)', self%errmsg, 'nks_nonlinear_t%set_oracles', stat)
        return
      end if
      rows = int(m, c_size_t)
    end if
    if (present(residual)) f = c_funloc(residual)
    if (present(jacobian_vector)) jv = c_funloc(jacobian_vector)
    if (present(jacobian_transpose)) jtw = c_funloc(jacobian_transpose)
    if (present(user_data)) data = user_data
    call finish(nks_nonlinear_set_oracles(self%handle, rows, f, jv, jtw, data), self%errmsg, &
                'nks_nonlinear_t%set_oracles', stat)
  end subroutine nonlinear_set_oracles

  !> The preconditioner of the Newton-Krylov inner solve.
  subroutine nonlinear_set_preconditioner(self, apply, user_data, stat)
    class(nks_nonlinear_t), intent(inout) :: self
    procedure(nks_nonlinear_precond_fn) :: apply
    type(c_ptr), intent(in), optional :: user_data
    integer(c_int32_t), intent(out), optional :: stat
    type(c_ptr) :: data
    data = c_null_ptr
    if (present(user_data)) data = user_data
    call finish(nks_nonlinear_set_preconditioner(self%handle, c_funloc(apply), data), self%errmsg, &
                'nks_nonlinear_t%set_preconditioner', stat)
  end subroutine nonlinear_set_preconditioner

  !> Removes the preconditioner.
  subroutine nonlinear_clear_preconditioner(self, stat)
    class(nks_nonlinear_t), intent(inout) :: self
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_nonlinear_set_preconditioner(self%handle, c_null_funptr, c_null_ptr), self%errmsg, &
                'nks_nonlinear_t%clear_preconditioner', stat)
  end subroutine nonlinear_clear_preconditioner

  !> The per-step monitor.
  subroutine nonlinear_set_monitor(self, monitor, user_data, stat)
    class(nks_nonlinear_t), intent(inout) :: self
    procedure(nks_nonlinear_monitor_fn) :: monitor
    type(c_ptr), intent(in), optional :: user_data
    integer(c_int32_t), intent(out), optional :: stat
    type(c_ptr) :: data
    data = c_null_ptr
    if (present(user_data)) data = user_data
    call finish(nks_nonlinear_set_monitor(self%handle, c_funloc(monitor), data), self%errmsg, &
                'nks_nonlinear_t%set_monitor', stat)
  end subroutine nonlinear_set_monitor

  !> Removes the monitor.
  subroutine nonlinear_clear_monitor(self, stat)
    class(nks_nonlinear_t), intent(inout) :: self
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_nonlinear_set_monitor(self%handle, c_null_funptr, c_null_ptr), self%errmsg, &
                'nks_nonlinear_t%clear_monitor', stat)
  end subroutine nonlinear_clear_monitor

  !> An option by name (trailing blanks of `name` are ignored).
  subroutine nonlinear_set_option(self, name, value, stat)
    class(nks_nonlinear_t), intent(inout) :: self
    character(len=*), intent(in) :: name
    real(c_double), intent(in) :: value
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_nonlinear_set_option(self%handle, trim(name)//c_null_char, value), self%errmsg, &
                'nks_nonlinear_t%set_option("'//trim(name)//'")', stat)
  end subroutine nonlinear_set_option

  !> An option by name (trailing blanks of `name` are ignored); a quiet NaN on failure.
  function nonlinear_get_option(self, name, stat) result(value)
    class(nks_nonlinear_t), intent(inout) :: self
    character(len=*), intent(in) :: name
    integer(c_int32_t), intent(out), optional :: stat
    real(c_double) :: value
    real(c_double) :: got
    integer(c_int32_t) :: s
    value = ieee_value(1.0_c_double, ieee_quiet_nan)
    got = value
    s = nks_nonlinear_get_option(self%handle, trim(name)//c_null_char, got)
    if (s == NKS_OK) value = got
    call finish(s, self%errmsg, 'nks_nonlinear_t%get_option("'//trim(name)//'")', stat)
  end function nonlinear_get_option

  !> Solves from `x`; returns the status (never stops the program).
  function nonlinear_solve(self, x) result(status)
    class(nks_nonlinear_t), intent(inout) :: self
    real(c_double), intent(inout) :: x(:)
    integer(c_int32_t) :: status
    call finish(nks_nonlinear_solve(self%handle, size(x, kind=c_size_t), x), self%errmsg, &
                'nks_nonlinear_t%solve', status)
  end function nonlinear_solve

  !> The report of the last solve.
  subroutine nonlinear_get_report(self, report, stat)
    class(nks_nonlinear_t), intent(inout) :: self
    type(nks_nonlinear_report), intent(out) :: report
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_nonlinear_get_report(self%handle, report), self%errmsg, 'nks_nonlinear_t%get_report', stat)
  end subroutine nonlinear_get_report

  !> Step record `k` (1-based) of the last solve.
  subroutine nonlinear_get_step(self, k, step, stat)
    class(nks_nonlinear_t), intent(inout) :: self
    integer, intent(in) :: k
    type(nks_nonlinear_step), intent(out) :: step
    integer(c_int32_t), intent(out), optional :: stat
    ! k - 1 < 0 would reach C as a huge size_t and a message about that number.
    if (k < 1) then
      call fail(NKS_ERR_INVALID_ARGUMENT, 'k = '//int_text(int(k, int64))//' is out of range; '// &
                'step records are numbered from 1', self%errmsg, 'nks_nonlinear_t%get_step', stat)
      return
    end if
    call finish(nks_nonlinear_get_step(self%handle, int(k - 1, c_size_t), step), self%errmsg, &
                'nks_nonlinear_t%get_step', stat)
  end subroutine nonlinear_get_step

  !> The last accepted point of the last solve into `x`.
  subroutine nonlinear_get_point(self, x, stat)
    class(nks_nonlinear_t), intent(inout) :: self
    real(c_double), intent(inout) :: x(:)
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_nonlinear_get_point(self%handle, size(x, kind=c_size_t), x), self%errmsg, &
                'nks_nonlinear_t%get_point', stat)
  end subroutine nonlinear_get_point

  !> Forgets the recycle space.
  subroutine nonlinear_clear_recycle_space(self, stat)
    class(nks_nonlinear_t), intent(inout) :: self
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_nonlinear_clear_recycle_space(self%handle), self%errmsg, &
                'nks_nonlinear_t%clear_recycle_space', stat)
  end subroutine nonlinear_clear_recycle_space

  !> Whether the object holds a solver.
  logical function nonlinear_is_created(self)
    class(nks_nonlinear_t), intent(in) :: self
    nonlinear_is_created = c_associated(self%handle)
  end function nonlinear_is_created

  !> The raw handle.
  function nonlinear_c_handle(self) result(h)
    class(nks_nonlinear_t), intent(in) :: self
    type(c_ptr) :: h
    h = self%handle
  end function nonlinear_c_handle

  !> The message of the last failed call on this object.
  function nonlinear_last_error(self) result(msg)
    class(nks_nonlinear_t), intent(in) :: self
    character(len=:), allocatable :: msg
    msg = message_or_empty(self%errmsg)
  end function nonlinear_last_error

  !> Frees the solver (idempotent).
  subroutine nonlinear_free(self)
    class(nks_nonlinear_t), intent(inout) :: self
    call nks_nonlinear_free(self%handle)
    self%handle = c_null_ptr
  end subroutine nonlinear_free

  !> Assignment: allowed only when neither side holds a solver.
  subroutine nonlinear_assign(lhs, rhs)
    class(nks_nonlinear_t), intent(inout) :: lhs
    class(nks_nonlinear_t), intent(in) :: rhs
    call refuse_handle_copy(c_associated(lhs%handle) .or. c_associated(rhs%handle), 'nks_nonlinear_t', &
                            'a nonlinear solver')
    if (allocated(rhs%errmsg)) lhs%errmsg = rhs%errmsg
  end subroutine nonlinear_assign

  !> Finalizer.
  impure elemental subroutine nonlinear_final(self)
    type(nks_nonlinear_t), intent(inout) :: self
    call nks_nonlinear_free(self%handle)
    self%handle = c_null_ptr
  end subroutine nonlinear_final

  ! ---------------------------------------------------------------------------------------------
  ! nks_constrained_t
  ! ---------------------------------------------------------------------------------------------

  !> A constrained solver with the default options; replaces the one held only on success.
  subroutine constrained_create(self, stat)
    class(nks_constrained_t), intent(inout) :: self
    integer(c_int32_t), intent(out), optional :: stat
    type(c_ptr) :: out
    integer(c_int32_t) :: s
    out = c_null_ptr
    s = nks_constrained_new(out)
    if (s == NKS_OK) then
      call nks_constrained_free(self%handle)
      self%handle = out
      self%m = 0_c_size_t
    end if
    call finish(s, self%errmsg, 'nks_constrained_t%create', stat)
  end subroutine constrained_create

  !> The oracles; each one left out is passed as NULL (the library names what is missing).
  subroutine constrained_set_oracles(self, m, objective, gradient, constraints, jacobian_vector, jacobian_transpose, &
                                     hessian_vector, user_data, stat)
    class(nks_constrained_t), intent(inout) :: self
    integer, intent(in) :: m
    procedure(nks_constrained_objective_fn), optional :: objective
    procedure(nks_constrained_gradient_fn), optional :: gradient
    procedure(nks_constrained_constraints_fn), optional :: constraints
    procedure(nks_constrained_jacobian_vector_fn), optional :: jacobian_vector
    procedure(nks_constrained_jacobian_transpose_fn), optional :: jacobian_transpose
    procedure(nks_constrained_hessian_vector_fn), optional :: hessian_vector
    type(c_ptr), intent(in), optional :: user_data
    integer(c_int32_t), intent(out), optional :: stat
    type(c_funptr) :: f, g, c, jv, jtw, hv
    type(c_ptr) :: data
    integer(c_int32_t) :: s
    ! A negative count would reach C as a huge size_t.
    if (m < 1) then
      call fail(NKS_ERR_INVALID_ARGUMENT, 'm = '//int_text(int(m, int64))//' is out of range; '// &
                'there must be at least one constraint (use nks_newton_t for unconstrained problems)', &
                self%errmsg, 'nks_constrained_t%set_oracles', stat)
      return
    end if
    f = c_null_funptr
    g = c_null_funptr
    c = c_null_funptr
    jv = c_null_funptr
    jtw = c_null_funptr
    hv = c_null_funptr
    data = c_null_ptr
    if (present(objective)) f = c_funloc(objective)
    if (present(gradient)) g = c_funloc(gradient)
    if (present(constraints)) c = c_funloc(constraints)
    if (present(jacobian_vector)) jv = c_funloc(jacobian_vector)
    if (present(jacobian_transpose)) jtw = c_funloc(jacobian_transpose)
    if (present(hessian_vector)) hv = c_funloc(hessian_vector)
    if (present(user_data)) data = user_data
    s = nks_constrained_set_oracles(self%handle, int(m, c_size_t), f, g, c, jv, jtw, hv, data)
    if (s == NKS_OK) self%m = int(m, c_size_t)
    call finish(s, self%errmsg, 'nks_constrained_t%set_oracles', stat)
  end subroutine constrained_set_oracles

  !> The sparse rows of the Jacobian and the Hessian of the Lagrangian. The lengths the library
  !> will read are checked here first: it reads `m + 1` and `n + 1` row pointers and as many
  !> column indices as they declare.
  subroutine constrained_set_sparse_rows(self, jacobian_row_ptr, jacobian_col_idx, jacobian_values, hessian_row_ptr, &
                                         hessian_col_idx, hessian_values, user_data, index_base, stat)
    class(nks_constrained_t), intent(inout) :: self
    integer(c_int64_t), intent(in) :: jacobian_row_ptr(:), jacobian_col_idx(:)
    procedure(nks_constrained_jacobian_values_fn) :: jacobian_values
    integer(c_int64_t), intent(in) :: hessian_row_ptr(:), hessian_col_idx(:)
    procedure(nks_constrained_hessian_values_fn) :: hessian_values
    type(c_ptr), intent(in), optional :: user_data
    integer, intent(in), optional :: index_base
    integer(c_int32_t), intent(out), optional :: stat
    character(len=*), parameter :: what = 'nks_constrained_t%set_sparse_rows'
    type(c_ptr) :: data
    integer(int64) :: base, nnz
    base = 1
    if (present(index_base)) base = index_base
    if (base /= 0 .and. base /= 1) then
      call fail(NKS_ERR_INVALID_ARGUMENT, 'index_base = '//int_text(base)// &
                ' is invalid; use 1 for Fortran arrays or 0 for C arrays', self%errmsg, what, stat)
      return
    end if
    data = c_null_ptr
    if (present(user_data)) data = user_data
    ! Without a handle or oracles the library refuses the call before it reads any array.
    if (c_associated(self%handle) .and. self%m > 0) then
      if (size(jacobian_row_ptr, kind=int64) /= int(self%m, int64) + 1) then
        call fail(NKS_ERR_DIMENSION_MISMATCH, 'jacobian_row_ptr has '//int_text(size(jacobian_row_ptr, kind=int64))// &
                  ' entries; m + 1 = '//int_text(int(self%m, int64) + 1)//' are needed (m = '// &
                  int_text(int(self%m, int64))//' constraints)', self%errmsg, what, stat)
        return
      end if
      if (size(hessian_row_ptr) < 2) then
        call fail(NKS_ERR_DIMENSION_MISMATCH, 'hessian_row_ptr has '//int_text(size(hessian_row_ptr, kind=int64))// &
                  ' entries; n + 1 >= 2 are needed (n unknowns)', self%errmsg, what, stat)
        return
      end if
      ! A negative count is the library's to report (its message names the row pointer).
      nnz = jacobian_row_ptr(size(jacobian_row_ptr)) - base
      if (nnz >= 0 .and. nnz /= size(jacobian_col_idx, kind=int64)) then
        call fail(NKS_ERR_DIMENSION_MISMATCH, 'jacobian_row_ptr declares '//int_text(nnz)// &
                  ' entries but jacobian_col_idx has '//int_text(size(jacobian_col_idx, kind=int64)), &
                  self%errmsg, what, stat)
        return
      end if
      nnz = hessian_row_ptr(size(hessian_row_ptr)) - base
      if (nnz >= 0 .and. nnz /= size(hessian_col_idx, kind=int64)) then
        call fail(NKS_ERR_DIMENSION_MISMATCH, 'hessian_row_ptr declares '//int_text(nnz)// &
                  ' entries but hessian_col_idx has '//int_text(size(hessian_col_idx, kind=int64)), &
                  self%errmsg, what, stat)
        return
      end if
    end if
    call finish(nks_constrained_set_sparse_rows(self%handle, int(max(size(hessian_row_ptr) - 1, 0), c_size_t), &
                                                jacobian_row_ptr, jacobian_col_idx, c_funloc(jacobian_values), &
                                                hessian_row_ptr, hessian_col_idx, c_funloc(hessian_values), &
                                                int(base, c_int32_t), data), self%errmsg, what, stat)
  end subroutine constrained_set_sparse_rows

  !> The preconditioner of the MINRES inner solver.
  subroutine constrained_set_preconditioner(self, apply, user_data, stat)
    class(nks_constrained_t), intent(inout) :: self
    procedure(nks_constrained_precond_fn) :: apply
    type(c_ptr), intent(in), optional :: user_data
    integer(c_int32_t), intent(out), optional :: stat
    type(c_ptr) :: data
    data = c_null_ptr
    if (present(user_data)) data = user_data
    call finish(nks_constrained_set_preconditioner(self%handle, c_funloc(apply), data), self%errmsg, &
                'nks_constrained_t%set_preconditioner', stat)
  end subroutine constrained_set_preconditioner

  !> Removes the preconditioner.
  subroutine constrained_clear_preconditioner(self, stat)
    class(nks_constrained_t), intent(inout) :: self
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_constrained_set_preconditioner(self%handle, c_null_funptr, c_null_ptr), self%errmsg, &
                'nks_constrained_t%clear_preconditioner', stat)
  end subroutine constrained_clear_preconditioner

  !> The per-iteration monitor.
  subroutine constrained_set_monitor(self, monitor, user_data, stat)
    class(nks_constrained_t), intent(inout) :: self
    procedure(nks_constrained_monitor_fn) :: monitor
    type(c_ptr), intent(in), optional :: user_data
    integer(c_int32_t), intent(out), optional :: stat
    type(c_ptr) :: data
    data = c_null_ptr
    if (present(user_data)) data = user_data
    call finish(nks_constrained_set_monitor(self%handle, c_funloc(monitor), data), self%errmsg, &
                'nks_constrained_t%set_monitor', stat)
  end subroutine constrained_set_monitor

  !> Removes the monitor.
  subroutine constrained_clear_monitor(self, stat)
    class(nks_constrained_t), intent(inout) :: self
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_constrained_set_monitor(self%handle, c_null_funptr, c_null_ptr), self%errmsg, &
                'nks_constrained_t%clear_monitor', stat)
  end subroutine constrained_clear_monitor

  !> An option by name (trailing blanks of `name` are ignored).
  subroutine constrained_set_option(self, name, value, stat)
    class(nks_constrained_t), intent(inout) :: self
    character(len=*), intent(in) :: name
    real(c_double), intent(in) :: value
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_constrained_set_option(self%handle, trim(name)//c_null_char, value), self%errmsg, &
                'nks_constrained_t%set_option("'//trim(name)//'")', stat)
  end subroutine constrained_set_option

  !> An option by name (trailing blanks of `name` are ignored); a quiet NaN on failure.
  function constrained_get_option(self, name, stat) result(value)
    class(nks_constrained_t), intent(inout) :: self
    character(len=*), intent(in) :: name
    integer(c_int32_t), intent(out), optional :: stat
    real(c_double) :: value
    real(c_double) :: got
    integer(c_int32_t) :: s
    value = ieee_value(1.0_c_double, ieee_quiet_nan)
    got = value
    s = nks_constrained_get_option(self%handle, trim(name)//c_null_char, got)
    if (s == NKS_OK) value = got
    call finish(s, self%errmsg, 'nks_constrained_t%get_option("'//trim(name)//'")', stat)
  end function constrained_get_option

  !> Solves from `x` and `lambda`; returns the status (never stops the program).
  function constrained_solve(self, x, lambda) result(status)
    class(nks_constrained_t), intent(inout) :: self
    real(c_double), intent(inout) :: x(:)
    real(c_double), intent(inout) :: lambda(:)
    integer(c_int32_t) :: status
    call finish(nks_constrained_solve(self%handle, size(x, kind=c_size_t), x, size(lambda, kind=c_size_t), lambda), &
                self%errmsg, 'nks_constrained_t%solve', status)
  end function constrained_solve

  !> The report of the last solve.
  subroutine constrained_get_report(self, report, stat)
    class(nks_constrained_t), intent(inout) :: self
    type(nks_constrained_report), intent(out) :: report
    integer(c_int32_t), intent(out), optional :: stat
    call finish(nks_constrained_get_report(self%handle, report), self%errmsg, 'nks_constrained_t%get_report', stat)
  end subroutine constrained_get_report

  !> Iteration record `k` (1-based) of the last solve.
  subroutine constrained_get_record(self, k, record, stat)
    class(nks_constrained_t), intent(inout) :: self
    integer, intent(in) :: k
    type(nks_constrained_record), intent(out) :: record
    integer(c_int32_t), intent(out), optional :: stat
    ! k - 1 < 0 would reach C as a huge size_t and a message about that number.
    if (k < 1) then
      call fail(NKS_ERR_INVALID_ARGUMENT, 'k = '//int_text(int(k, int64))//' is out of range; '// &
                'iteration records are numbered from 1', self%errmsg, 'nks_constrained_t%get_record', stat)
      return
    end if
    call finish(nks_constrained_get_record(self%handle, int(k - 1, c_size_t), record), self%errmsg, &
                'nks_constrained_t%get_record', stat)
  end subroutine constrained_get_record

  !> The last accepted point and multipliers of the last solve, written only on success (the
  !> library writes `x` before it checks the length of `lambda`, so both go through buffers).
  subroutine constrained_get_point(self, x, lambda, stat)
    class(nks_constrained_t), intent(inout) :: self
    real(c_double), intent(inout) :: x(:)
    real(c_double), intent(inout), optional :: lambda(:)
    integer(c_int32_t), intent(out), optional :: stat
    real(c_double), allocatable :: x_buf(:)
    real(c_double), allocatable, target :: lambda_buf(:)
    integer(c_int32_t) :: s
    allocate (x_buf(max(size(x), 1)))
    if (present(lambda)) then
      allocate (lambda_buf(max(size(lambda), 1)))
      s = nks_constrained_get_point(self%handle, size(x, kind=c_size_t), x_buf, size(lambda, kind=c_size_t), &
                                    c_loc(lambda_buf))
      if (s == NKS_OK) lambda(:) = lambda_buf(:size(lambda))
    else
      s = nks_constrained_get_point(self%handle, size(x, kind=c_size_t), x_buf, 0_c_size_t, c_null_ptr)
    end if
    if (s == NKS_OK) x(:) = x_buf(:size(x))
    call finish(s, self%errmsg, 'nks_constrained_t%get_point', stat)
  end subroutine constrained_get_point

  !> Whether the object holds a solver.
  logical function constrained_is_created(self)
    class(nks_constrained_t), intent(in) :: self
    constrained_is_created = c_associated(self%handle)
  end function constrained_is_created

  !> The raw handle.
  function constrained_c_handle(self) result(h)
    class(nks_constrained_t), intent(in) :: self
    type(c_ptr) :: h
    h = self%handle
  end function constrained_c_handle

  !> The message of the last failed call on this object.
  function constrained_last_error(self) result(msg)
    class(nks_constrained_t), intent(in) :: self
    character(len=:), allocatable :: msg
    msg = message_or_empty(self%errmsg)
  end function constrained_last_error

  !> Frees the solver (idempotent).
  subroutine constrained_free(self)
    class(nks_constrained_t), intent(inout) :: self
    call nks_constrained_free(self%handle)
    self%handle = c_null_ptr
    self%m = 0_c_size_t
  end subroutine constrained_free

  !> Assignment: allowed only when neither side holds a solver.
  subroutine constrained_assign(lhs, rhs)
    class(nks_constrained_t), intent(inout) :: lhs
    class(nks_constrained_t), intent(in) :: rhs
    call refuse_handle_copy(c_associated(lhs%handle) .or. c_associated(rhs%handle), 'nks_constrained_t', &
                            'a constrained solver')
    if (allocated(rhs%errmsg)) lhs%errmsg = rhs%errmsg
  end subroutine constrained_assign

  !> Finalizer.
  impure elemental subroutine constrained_final(self)
    type(nks_constrained_t), intent(inout) :: self
    call nks_constrained_free(self%handle)
    self%handle = c_null_ptr
  end subroutine constrained_final

end module nksolve

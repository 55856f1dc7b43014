!> Error paths of the Fortran binding (bindings/fortran/nksolve.f90), run by
!> tests/bindings_fortran.rs:
!>   (a) a failing matvec / preconditioner / monitor procedure stops the solve with
!>       NKS_ERR_CALLBACK / NKS_ERR_ABORTED, the report keeps the callback's code and `x` is
!>       untouched; a context object is the caller's own (not a copy);
!>   (b) a CSR with an out-of-range column index fails with NKS_ERR_INVALID_ARGUMENT and a
!>       message naming the (1-based) row; arrays shorter than the row pointers declare are
!>       caught in Fortran before the library reads them;
!>   (c) freeing objects twice, freeing NULL, finalizing objects never created, and calls on
!>       freed objects are safe;
!>   (d) Krylov recycling: sequence solves (CSR objects, raw handles, an indexed Fortran
!>       operator) give true residuals below the tolerance and the single solves' answers, in
!>       the SKR order of `nks_skr_solve_order`, with 1-based system indices everywhere; a
!>       failing system stops the sequence with its reports written; the recycled space saved
!>       to an array or a file loads back exactly, and a corrupted, truncated or empty array
!>       or a missing file is refused with NKS_ERR_INVALID_ARGUMENT and the library's message.
!>   (e) the SOR bandit: unknown option names, a probabilities length mismatch, a corrupted,
!>       truncated or empty array and a missing file are refused with the library's message
!>       (a refused load keeps the learner held); a fixed learner with omega 1.5 chooses 1.5
!>       (arm 1: arms are 1-based in `choose`, `observe` and the report, the 0-based raw report
!>       agrees); solves are checked against the recomputed true residual; a learner saved to
!>       an array or a file loads back to the same bytes, probabilities and next choice.
!>   (f) the Newton minimiser (`nks_newton_t`, oracles as `bind(c)` functions reaching the
!>       caller's object through `user_data` = `c_loc`): calls before `create` and after `free`
!>       fail with NKS_ERR_NULL_POINTER; unknown option names and values out of range are
!>       refused with the library's message; a solve without oracles is NKS_ERR_INVALID_STATE
!>       and missing oracles NKS_ERR_NULL_POINTER naming them; a small extended Rosenbrock
!>       problem converges, with the report's oracle counts equal to the caller's own;
!>       `get_point` before any solve / of another length fails; an objective returning -3
!>       (or 1 at the start) stops the solve with NKS_ERR_CALLBACK and the code, `x` untouched
!>       and the last accepted point kept for `get_point`; a monitor stops it with
!>       NKS_ERR_ABORTED (and cannot use the handle from inside: NKS_ERR_INVALID_STATE); the
!>       combined oracle, a preconditioner and the iteration / evaluation limits report what
!>       they did.
!>   (g) the nonlinear solver (`nks_nonlinear_t`, oracles as `bind(c)` functions reaching the
!>       caller's object through `user_data`): calls before `create` and after `free` fail with
!>       NKS_ERR_NULL_POINTER; unknown option names and values out of range are refused with the
!>       library's message, keeping the option; a solve without oracles is
!>       NKS_ERR_INVALID_STATE and a missing residual NKS_ERR_NULL_POINTER; Newton-Krylov with
!>       m /= n is NKS_ERR_DIMENSION_MISMATCH and Levenberg-Marquardt without J^T w
!>       NKS_ERR_INVALID_ARGUMENT, `x` untouched; a small tridiagonal system converges (finite
!>       differences or the exact J v), with the report's counts equal to the caller's own and
!>       1-based step records that add up to it; the recycle space carries into the next solve
!>       until cleared; a residual returning -3 (or 1 at the start) stops the solve with
!>       NKS_ERR_CALLBACK and the code, `x` untouched and the last accepted point kept for
!>       `get_point`, while 1 at a trial point only shortens the step; a monitor stops it with
!>       NKS_ERR_ABORTED (and cannot use the handle from inside: NKS_ERR_INVALID_STATE); a
!>       preconditioner, Levenberg-Marquardt (square and overdetermined) and the iteration limit
!>       report what they did.
!> It also prints the layouts of `type(nks_krylov_report)` ("layout size=... field=offset"),
!> `type(nks_sor_report)` ("sor_layout ..."), `type(nks_newton_report)` ("newton_layout ..."),
!> `type(nks_nonlinear_report)` ("nonlinear_layout ...") and `type(nks_nonlinear_step)`
!> ("nonlinear_step_layout ...") for the Rust test to compare with the C structs, and ends with
!> "N passed, M failed"; any failure ends with `error stop`.
module errors_support
  use, intrinsic :: iso_c_binding, only: c_double, c_int, c_int32_t, c_size_t, c_ptr, c_null_ptr, c_f_pointer
  use nksolve, only: nks_newton_report, nks_newton_get_report, nks_nonlinear_report, nks_nonlinear_get_report
  implicit none
  private
  public :: m, laplace1d, counter_t, counting_matvec, failing_matvec, failing_precond, &
    stopping_monitor, fail_code, laplace_proc, num_systems, system_feature, sequence_apply, &
    sequence_csr, system_counter_t, counting_sequence_matvec, spd_sequence_matvec, shifted_laplace_csr
  public :: newton_problem_t, nt_value, nt_gradient, nt_value_gradient, nt_hessian_vector, nt_precond, &
    nt_monitor
  public :: nonlinear_problem_t, nl_residual, nl_jacobian_vector, nl_jacobian_transpose, nl_precond, nl_monitor

  !> Size of the 1D test problem.
  integer, parameter :: m = 20
  !> Code `failing_matvec` returns on its 3rd call (set by the test).
  integer(c_int) :: fail_code = 0
  !> Calls of `failing_matvec` so far.
  integer :: plain_calls = 0

  !> Context object: counts calls, fails on call `fail_at` with `code`, records iterations.
  type :: counter_t
    integer :: calls = 0
    integer :: fail_at = -1
    integer(c_int) :: code = 0
    integer :: last_iteration = -1
    logical :: increasing = .true.
  end type counter_t

  !> Systems of the test sequence.
  integer, parameter :: num_systems = 4
  !> Feature (and convection strength) of each system; SKR order from system 1: 1, 4, 2, 3.
  real(c_double), parameter :: system_feature(num_systems) = &
    [0.30_c_double, 0.10_c_double, 0.45_c_double, 0.22_c_double]

  !> The caller's object behind the `user_data` of the Newton test oracles (extended
  !> Rosenbrock): its own counts of the oracle calls, the objective call that fails with
  !> `fail_code` (-1: none), the iteration at which the monitor stops the solve (-1: never), what
  !> the monitor saw, and the handle the monitor tries to use from inside the solve.
  type :: newton_problem_t
    integer :: value_calls = 0
    integer :: gradient_calls = 0
    integer :: value_gradient_calls = 0
    integer :: hessian_vector_calls = 0
    integer :: precond_calls = 0
    integer :: fail_at = -1
    integer(c_int) :: fail_code = 0
    integer :: monitor_calls = 0
    integer :: stop_at = -1
    integer(c_size_t) :: last_iteration = 0
    logical :: increasing = .true.
    integer(c_size_t) :: monitor_n = 0
    type(c_ptr) :: handle = c_null_ptr
    integer(c_int32_t) :: reentry_status = 0
  end type newton_problem_t

  !> The caller's object behind the `user_data` of the nonlinear test oracles (the tridiagonal
  !> system F(x)_i = 2 x_i - x_(i-1) - x_(i+1) + 0.1 x_i^3 - 1, zero outside 1..n; residuals
  !> past n are 0): its own counts of the oracle calls, the residual call that fails with
  !> `fail_code` (-1: none), the step at which the monitor stops the solve (-1: never), what the
  !> monitor saw, and the handle the monitor tries to use from inside the solve.
  type :: nonlinear_problem_t
    integer :: residual_calls = 0
    integer :: jacobian_vector_calls = 0
    integer :: jacobian_transpose_calls = 0
    integer :: precond_calls = 0
    integer :: fail_at = -1
    integer(c_int) :: fail_code = 0
    integer :: monitor_calls = 0
    integer :: stop_at = -1
    integer(c_size_t) :: last_iteration = 0
    logical :: increasing = .true.
    integer(c_size_t) :: monitor_n = 0
    type(c_ptr) :: handle = c_null_ptr
    integer(c_int32_t) :: reentry_status = 0
  end type nonlinear_problem_t

  !> Context of a sequence operator: operator applications per system (1-based), and the
  !> system whose first application fails with `code` (0: none).
  type :: system_counter_t
    integer :: calls(num_systems) = 0
    integer :: fail_system = 0
    integer(c_int) :: code = 0
  end type system_counter_t

contains

  !> y = tridiag(-1, 2, -1) x.
  subroutine laplace1d(x, y)
    real(c_double), intent(in) :: x(:)
    real(c_double), intent(out) :: y(:)
    integer :: k
    k = size(x)
    y = 2.0_c_double*x
    y(2:k) = y(2:k) - x(1:k - 1)
    y(1:k - 1) = y(1:k - 1) - x(2:k)
  end subroutine laplace1d

  !> `nks_matvec_ctx_proc` counting its calls in the caller's `counter_t`.
  subroutine counting_matvec(x, y, ierr, ctx)
    real(c_double), intent(in) :: x(:)
    real(c_double), intent(out) :: y(:)
    integer(c_int), intent(inout) :: ierr
    class(*), intent(inout) :: ctx
    call laplace1d(x, y)
    select type (ctx)
    type is (counter_t)
      ctx%calls = ctx%calls + 1
      if (ctx%calls == ctx%fail_at) ierr = ctx%code
    class default
      ierr = -99
    end select
  end subroutine counting_matvec

  !> `nks_matvec_proc` returning `fail_code` on its 3rd call.
  subroutine failing_matvec(x, y, ierr)
    real(c_double), intent(in) :: x(:)
    real(c_double), intent(out) :: y(:)
    integer(c_int), intent(inout) :: ierr
    call laplace1d(x, y)
    plain_calls = plain_calls + 1
    if (plain_calls == 3) ierr = fail_code
  end subroutine failing_matvec

  !> `nks_precond_proc` that always fails with -3.
  subroutine failing_precond(r, z, ierr)
    real(c_double), intent(in) :: r(:)
    real(c_double), intent(out) :: z(:)
    integer(c_int), intent(inout) :: ierr
    z = r
    ierr = -3
  end subroutine failing_precond

  !> `nks_monitor_ctx_proc`: records the iterations it sees, stops at iteration 4.
  subroutine stopping_monitor(report, ierr, ctx)
    use nksolve, only: nks_krylov_report
    type(nks_krylov_report), intent(in) :: report
    integer(c_int), intent(inout) :: ierr
    class(*), intent(inout) :: ctx
    select type (ctx)
    type is (counter_t)
      ctx%calls = ctx%calls + 1
      if (int(report%iterations) <= ctx%last_iteration) ctx%increasing = .false.
      ctx%last_iteration = int(report%iterations)
      if (report%iterations >= 4) ierr = 1
    class default
      ierr = -99
    end select
  end subroutine stopping_monitor

  !> y = A_s x for system `s` of the sequence: tridiag(-1 - f, 2 + f, -1 + f), f = feature(s).
  subroutine sequence_apply(s, x, y)
    integer, intent(in) :: s
    real(c_double), intent(in) :: x(:)
    real(c_double), intent(out) :: y(:)
    real(c_double) :: f
    integer :: k
    k = size(x)
    f = system_feature(s)
    y = (2.0_c_double + f)*x
    y(2:k) = y(2:k) + (-1.0_c_double - f)*x(1:k - 1)
    y(1:k - 1) = y(1:k - 1) + (-1.0_c_double + f)*x(2:k)
  end subroutine sequence_apply

  !> The 1-based CSR arrays of system `s` of the sequence (size m).
  subroutine sequence_csr(s, row_ptr, col_idx, values)
    use, intrinsic :: iso_c_binding, only: c_int64_t
    integer, intent(in) :: s
    integer(c_int64_t), intent(out) :: row_ptr(m + 1)
    integer(c_int64_t), allocatable, intent(out) :: col_idx(:)
    real(c_double), allocatable, intent(out) :: values(:)
    real(c_double) :: f
    integer :: i
    f = system_feature(s)
    allocate (col_idx(0), values(0))
    do i = 1, m
      row_ptr(i) = size(col_idx) + 1
      if (i > 1) call push(i - 1, -1.0_c_double - f)
      call push(i, 2.0_c_double + f)
      if (i < m) call push(i + 1, -1.0_c_double + f)
    end do
    row_ptr(m + 1) = size(col_idx) + 1
  contains
    subroutine push(col, v)
      integer, intent(in) :: col
      real(c_double), intent(in) :: v
      col_idx = [col_idx, int(col, c_int64_t)]
      values = [values, v]
    end subroutine push
  end subroutine sequence_csr

  !> `nks_indexed_matvec_ctx_proc`: system `system`'s operator, counted per system in the
  !> caller's `system_counter_t`.
  subroutine counting_sequence_matvec(system, x, y, ierr, ctx)
    integer, intent(in) :: system
    real(c_double), intent(in) :: x(:)
    real(c_double), intent(out) :: y(:)
    integer(c_int), intent(inout) :: ierr
    class(*), intent(inout) :: ctx
    call sequence_apply(system, x, y)
    select type (ctx)
    type is (system_counter_t)
      ctx%calls(system) = ctx%calls(system) + 1
      if (system == ctx%fail_system) ierr = ctx%code
    class default
      ierr = -99
    end select
  end subroutine counting_sequence_matvec

  !> `nks_indexed_matvec_proc`: the SPD systems tridiag(-1, 2, -1) + feature(system) I.
  subroutine spd_sequence_matvec(system, x, y, ierr)
    integer, intent(in) :: system
    real(c_double), intent(in) :: x(:)
    real(c_double), intent(out) :: y(:)
    integer(c_int), intent(inout) :: ierr
    call laplace1d(x, y)
    y = y + system_feature(system)*x
    ierr = 0
  end subroutine spd_sequence_matvec

  !> An `nks_matvec_proc` that never fails.
  subroutine laplace_proc(x, y, ierr)
    real(c_double), intent(in) :: x(:)
    real(c_double), intent(out) :: y(:)
    integer(c_int), intent(inout) :: ierr
    call laplace1d(x, y)
    ierr = 0
  end subroutine laplace_proc

  !> The 1-based CSR matrix tridiag(-1, 2 + shift, -1) of size m, into `a`.
  subroutine shifted_laplace_csr(a, shift)
    use, intrinsic :: iso_c_binding, only: c_int64_t
    use nksolve, only: nks_csr_t
    type(nks_csr_t), intent(inout) :: a
    real(c_double), intent(in) :: shift
    integer(c_int64_t) :: row_ptr(m + 1), col_idx(3*m)
    real(c_double) :: values(3*m)
    integer :: i, k
    k = 0
    do i = 1, m
      row_ptr(i) = k + 1
      if (i > 1) call put(i - 1, -1.0_c_double)
      call put(i, 2.0_c_double + shift)
      if (i < m) call put(i + 1, -1.0_c_double)
    end do
    row_ptr(m + 1) = k + 1
    call a%create(m, m, row_ptr, col_idx(:k), values(:k))
  contains
    subroutine put(col, v)
      integer, intent(in) :: col
      real(c_double), intent(in) :: v
      k = k + 1
      col_idx(k) = col
      values(k) = v
    end subroutine put
  end subroutine shifted_laplace_csr

  !> Extended Rosenbrock f(x) into `f`; counts the call; returns `fail_code` on call `fail_at`.
  function nt_value(x, n, f, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(out) :: f
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(newton_problem_t), pointer :: p
    integer(c_size_t) :: k
    call c_f_pointer(user_data, p)
    p%value_calls = p%value_calls + 1
    f = 0.0_c_double
    code = 0
    if (p%value_calls == p%fail_at) then
      code = p%fail_code
      return
    end if
    do k = 1, n, 2
      f = f + 100.0_c_double*(x(k + 1) - x(k)**2)**2 + (1.0_c_double - x(k))**2
    end do
  end function nt_value

  !> The gradient of extended Rosenbrock; counts the call.
  function nt_gradient(x, n, g, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(out) :: g(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(newton_problem_t), pointer :: p
    integer(c_size_t) :: k
    call c_f_pointer(user_data, p)
    p%gradient_calls = p%gradient_calls + 1
    do k = 1, n, 2
      g(k) = -400.0_c_double*x(k)*(x(k + 1) - x(k)**2) - 2.0_c_double*(1.0_c_double - x(k))
      g(k + 1) = 200.0_c_double*(x(k + 1) - x(k)**2)
    end do
    code = 0
  end function nt_gradient

  !> Value and gradient at once (the combined oracle); counts the call.
  function nt_value_gradient(x, n, f, g, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(out) :: f
    real(c_double), intent(out) :: g(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(newton_problem_t), pointer :: p
    integer(c_size_t) :: k
    call c_f_pointer(user_data, p)
    p%value_gradient_calls = p%value_gradient_calls + 1
    f = 0.0_c_double
    do k = 1, n, 2
      f = f + 100.0_c_double*(x(k + 1) - x(k)**2)**2 + (1.0_c_double - x(k))**2
      g(k) = -400.0_c_double*x(k)*(x(k + 1) - x(k)**2) - 2.0_c_double*(1.0_c_double - x(k))
      g(k + 1) = 200.0_c_double*(x(k + 1) - x(k)**2)
    end do
    code = 0
  end function nt_value_gradient

  !> The Hessian-vector product of extended Rosenbrock; counts the call.
  function nt_hessian_vector(x, v, n, hv, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: v(n)
    real(c_double), intent(out) :: hv(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(newton_problem_t), pointer :: p
    integer(c_size_t) :: k
    call c_f_pointer(user_data, p)
    p%hessian_vector_calls = p%hessian_vector_calls + 1
    do k = 1, n, 2
      hv(k) = (1200.0_c_double*x(k)**2 - 400.0_c_double*x(k + 1) + 2.0_c_double)*v(k) - 400.0_c_double*x(k)*v(k + 1)
      hv(k + 1) = -400.0_c_double*x(k)*v(k) + 200.0_c_double*v(k + 1)
    end do
    code = 0
  end function nt_hessian_vector

  !> A positive diagonal preconditioner (|H(x)_kk| + 1); counts the call.
  function nt_precond(x, r, n, z, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: r(n)
    real(c_double), intent(out) :: z(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(newton_problem_t), pointer :: p
    integer(c_size_t) :: k
    call c_f_pointer(user_data, p)
    p%precond_calls = p%precond_calls + 1
    do k = 1, n, 2
      z(k) = r(k)/(abs(1200.0_c_double*x(k)**2 - 400.0_c_double*x(k + 1) + 2.0_c_double) + 1.0_c_double)
      z(k + 1) = r(k + 1)/201.0_c_double
    end do
    code = 0
  end function nt_precond

  !> Records the iterations and the point's length it sees, tries to read the report of the
  !> handle that is solving (refused), and stops the solve at iteration `stop_at`.
  function nt_monitor(report, x, n, user_data) bind(c) result(code)
    type(nks_newton_report), intent(in) :: report
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(newton_problem_t), pointer :: p
    type(nks_newton_report) :: inner
    call c_f_pointer(user_data, p)
    p%monitor_calls = p%monitor_calls + 1
    p%increasing = p%increasing .and. report%iterations > p%last_iteration .and. report%status == 0
    p%last_iteration = report%iterations
    p%monitor_n = n
    if (size(x) /= int(n)) p%increasing = .false.
    p%reentry_status = nks_newton_get_report(p%handle, inner)
    code = 0
    if (int(report%iterations) == p%stop_at) code = 1
  end function nt_monitor


  !> The tridiagonal test system F(x) (residuals past n are 0); counts the call; returns
  !> `fail_code` on call `fail_at`.
  function nl_residual(x, n, f, m, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    integer(c_size_t), value :: m
    real(c_double), intent(out) :: f(m)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(nonlinear_problem_t), pointer :: p
    call c_f_pointer(user_data, p)
    p%residual_calls = p%residual_calls + 1
    f = 0.0_c_double
    code = 0
    if (p%residual_calls == p%fail_at) then
      code = p%fail_code
      return
    end if
    f(1:n) = 2.0_c_double*x + 0.1_c_double*x**3 - 1.0_c_double
    f(2:n) = f(2:n) - x(1:n - 1)
    f(1:n - 1) = f(1:n - 1) - x(2:n)
  end function nl_residual

  !> J(x) v of the test system; counts the call.
  function nl_jacobian_vector(x, v, n, jv, m, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: v(n)
    integer(c_size_t), value :: m
    real(c_double), intent(out) :: jv(m)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(nonlinear_problem_t), pointer :: p
    call c_f_pointer(user_data, p)
    p%jacobian_vector_calls = p%jacobian_vector_calls + 1
    jv = 0.0_c_double
    call tridiagonal_product(x, v, jv(1:n))
    code = 0
  end function nl_jacobian_vector

  !> J(x)^T w of the test system (J is symmetric on its first n rows); counts the call.
  function nl_jacobian_transpose(x, w, m, jtw, n, user_data) bind(c) result(code)
    integer(c_size_t), value :: m
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: w(m)
    real(c_double), intent(out) :: jtw(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(nonlinear_problem_t), pointer :: p
    call c_f_pointer(user_data, p)
    p%jacobian_transpose_calls = p%jacobian_transpose_calls + 1
    call tridiagonal_product(x, w(1:n), jtw)
    code = 0
  end function nl_jacobian_transpose

  !> y = J(x) v for J = tridiag(-1, 2 + 0.3 x_i^2, -1).
  subroutine tridiagonal_product(x, v, y)
    real(c_double), intent(in) :: x(:), v(:)
    real(c_double), intent(out) :: y(:)
    integer :: n
    n = size(x)
    y = (2.0_c_double + 0.3_c_double*x**2)*v
    y(2:n) = y(2:n) - v(1:n - 1)
    y(1:n - 1) = y(1:n - 1) - v(2:n)
  end subroutine tridiagonal_product

  !> The Jacobi preconditioner of the test system: z_i = r_i / (2 + 0.3 x_i^2); counts the call.
  function nl_precond(x, r, n, z, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: r(n)
    real(c_double), intent(out) :: z(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(nonlinear_problem_t), pointer :: p
    call c_f_pointer(user_data, p)
    p%precond_calls = p%precond_calls + 1
    z = r/(2.0_c_double + 0.3_c_double*x**2)
    code = 0
  end function nl_precond

  !> Records the steps and the point's length it sees, tries to read the report of the handle
  !> that is solving (refused), and stops the solve at step `stop_at`.
  function nl_monitor(report, x, n, user_data) bind(c) result(code)
    type(nks_nonlinear_report), intent(in) :: report
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(nonlinear_problem_t), pointer :: p
    type(nks_nonlinear_report) :: inner
    call c_f_pointer(user_data, p)
    p%monitor_calls = p%monitor_calls + 1
    p%increasing = p%increasing .and. report%iterations > p%last_iteration .and. report%status == 0
    p%last_iteration = report%iterations
    p%monitor_n = n
    if (size(x) /= int(n)) p%increasing = .false.
    p%reentry_status = nks_nonlinear_get_report(p%handle, inner)
    code = 0
    if (int(report%iterations) == p%stop_at) code = 1
  end function nl_monitor

end module errors_support

program errors
  use, intrinsic :: iso_c_binding
  use, intrinsic :: iso_fortran_env, only: int8, int64
  use nksolve
  use errors_support
  implicit none

  integer :: passed = 0, failed = 0

  call print_layout()
  call test_version_and_strings()
  call test_callbacks()
  call test_csr_errors()
  call test_options()
  call test_free_twice()
  call test_finalization()
  call test_sequences()
  call test_recycled_state()
  call test_sor_bandit()
  call test_newton()
  call test_nonlinear()

  write (*, '(i0,a,i0,a)') passed, ' passed, ', failed, ' failed'
  if (failed > 0) error stop 1

contains

  !> Records one check.
  subroutine check(ok, what)
    logical, intent(in) :: ok
    character(len=*), intent(in) :: what
    if (ok) then
      passed = passed + 1
    else
      failed = failed + 1
      write (*, '(a)') 'FAILED: '//what
    end if
  end subroutine check

  !> Exact equality of two reals (`==` on reals is refused by -Werror=compare-reals).
  elemental logical function same(a, b)
    real(c_double), intent(in) :: a, b
    same = abs(a - b) <= 0.0_c_double
  end function same

  !> Byte offset of `field` from `base`.
  integer(c_intptr_t) function offset(base, field)
    type(c_ptr), intent(in) :: base, field
    offset = transfer(field, 0_c_intptr_t) - transfer(base, 0_c_intptr_t)
  end function offset

  !> Prints the size and field offsets of `nks_krylov_report` ("layout ..."), `nks_sor_report`
  !> ("sor_layout ..."), `nks_newton_report` ("newton_layout ..."), `nks_nonlinear_report`
  !> ("nonlinear_layout ...") and `nks_nonlinear_step` ("nonlinear_step_layout ...").
  subroutine print_layout()
    type(nks_krylov_report), target :: r
    type(nks_sor_report), target :: sor
    type(nks_newton_report), target :: nr
    type(nks_nonlinear_report), target :: lr
    type(nks_nonlinear_step), target :: ls
    type(c_ptr) :: b
    b = c_loc(r)
    write (*, '(a,18(a,i0))') 'layout', ' size=', c_sizeof(r), &
      ' status=', offset(b, c_loc(r%status)), ' termination=', offset(b, c_loc(r%termination)), &
      ' iterations=', offset(b, c_loc(r%iterations)), ' matvecs=', offset(b, c_loc(r%matvecs)), &
      ' precond_applies=', offset(b, c_loc(r%precond_applies)), ' rhs_norm=', offset(b, c_loc(r%rhs_norm)), &
      ' initial_residual_norm=', offset(b, c_loc(r%initial_residual_norm)), &
      ' residual_norm=', offset(b, c_loc(r%residual_norm)), ' seconds=', offset(b, c_loc(r%seconds)), &
      ' callback_code=', offset(b, c_loc(r%callback_code)), &
      ' recycle_rebuilt=', offset(b, c_loc(r%recycle_rebuilt)), &
      ' recycle_initial_dim=', offset(b, c_loc(r%recycle_initial_dim)), &
      ' recycle_final_dim=', offset(b, c_loc(r%recycle_final_dim)), &
      ' recycle_refreshes=', offset(b, c_loc(r%recycle_refreshes)), &
      ' recycle_largest_angle=', offset(b, c_loc(r%recycle_largest_angle)), &
      ' recycle_projection_ratio=', offset(b, c_loc(r%recycle_projection_ratio)), &
      ' recycle_dropped=', offset(b, c_loc(r%recycle_dropped))
    b = c_loc(sor)
    write (*, '(a,10(a,i0))') 'sor_layout', ' size=', c_sizeof(sor), &
      ' status=', offset(b, c_loc(sor%status)), ' termination=', offset(b, c_loc(sor%termination)), &
      ' arm=', offset(b, c_loc(sor%arm)), ' omega=', offset(b, c_loc(sor%omega)), &
      ' iterations=', offset(b, c_loc(sor%iterations)), ' cost=', offset(b, c_loc(sor%cost)), &
      ' initial_residual_norm=', offset(b, c_loc(sor%initial_residual_norm)), &
      ' residual_norm=', offset(b, c_loc(sor%residual_norm)), ' seconds=', offset(b, c_loc(sor%seconds))
    b = c_loc(nr)
    write (*, '(a,23(a,i0))') 'newton_layout', ' size=', c_sizeof(nr), &
      ' status=', offset(b, c_loc(nr%status)), ' termination=', offset(b, c_loc(nr%termination)), &
      ' method=', offset(b, c_loc(nr%method)), ' iterations=', offset(b, c_loc(nr%iterations)), &
      ' accepted_steps=', offset(b, c_loc(nr%accepted_steps)), ' value_calls=', offset(b, c_loc(nr%value_calls)), &
      ' gradient_calls=', offset(b, c_loc(nr%gradient_calls)), &
      ' value_gradient_calls=', offset(b, c_loc(nr%value_gradient_calls)), &
      ' hessian_vector_calls=', offset(b, c_loc(nr%hessian_vector_calls)), &
      ' preconditioner_calls=', offset(b, c_loc(nr%preconditioner_calls)), &
      ' cg_iterations=', offset(b, c_loc(nr%cg_iterations)), &
      ' hessian_refreshes=', offset(b, c_loc(nr%hessian_refreshes)), &
      ' rejected_steps=', offset(b, c_loc(nr%rejected_steps)), &
      ' failed_evaluations=', offset(b, c_loc(nr%failed_evaluations)), &
      ' callback_code=', offset(b, c_loc(nr%callback_code)), ' initial_value=', offset(b, c_loc(nr%initial_value)), &
      ' value=', offset(b, c_loc(nr%value)), &
      ' initial_gradient_norm=', offset(b, c_loc(nr%initial_gradient_norm)), &
      ' gradient_norm=', offset(b, c_loc(nr%gradient_norm)), ' step_norm=', offset(b, c_loc(nr%step_norm)), &
      ' parameter=', offset(b, c_loc(nr%parameter)), ' seconds=', offset(b, c_loc(nr%seconds))
    b = c_loc(lr)
    write (*, '(a,21(a,i0))') 'nonlinear_layout', ' size=', c_sizeof(lr), &
      ' status=', offset(b, c_loc(lr%status)), ' termination=', offset(b, c_loc(lr%termination)), &
      ' method=', offset(b, c_loc(lr%method)), ' iterations=', offset(b, c_loc(lr%iterations)), &
      ' residual_evaluations=', offset(b, c_loc(lr%residual_evaluations)), &
      ' fd_products=', offset(b, c_loc(lr%fd_products)), &
      ' jacobian_vector_calls=', offset(b, c_loc(lr%jacobian_vector_calls)), &
      ' jacobian_transpose_calls=', offset(b, c_loc(lr%jacobian_transpose_calls)), &
      ' preconditioner_calls=', offset(b, c_loc(lr%preconditioner_calls)), &
      ' inner_iterations=', offset(b, c_loc(lr%inner_iterations)), &
      ' rejected_steps=', offset(b, c_loc(lr%rejected_steps)), &
      ' failed_evaluations=', offset(b, c_loc(lr%failed_evaluations)), ' steps=', offset(b, c_loc(lr%steps)), &
      ' recycled_vectors=', offset(b, c_loc(lr%recycled_vectors)), &
      ' callback_code=', offset(b, c_loc(lr%callback_code)), &
      ' initial_residual_norm=', offset(b, c_loc(lr%initial_residual_norm)), &
      ' residual_norm=', offset(b, c_loc(lr%residual_norm)), ' gradient_norm=', offset(b, c_loc(lr%gradient_norm)), &
      ' step_norm=', offset(b, c_loc(lr%step_norm)), ' seconds=', offset(b, c_loc(lr%seconds))
    b = c_loc(ls)
    write (*, '(a,9(a,i0))') 'nonlinear_step_layout', ' size=', c_sizeof(ls), &
      ' residual_norm=', offset(b, c_loc(ls%residual_norm)), ' forcing=', offset(b, c_loc(ls%forcing)), &
      ' linear_residual=', offset(b, c_loc(ls%linear_residual)), &
      ' inner_iterations=', offset(b, c_loc(ls%inner_iterations)), &
      ' jacobian_products=', offset(b, c_loc(ls%jacobian_products)), &
      ' recycled_vectors=', offset(b, c_loc(ls%recycled_vectors)), &
      ' step_length=', offset(b, c_loc(ls%step_length)), ' lm_parameter=', offset(b, c_loc(ls%lm_parameter))
  end subroutine print_layout

  subroutine test_version_and_strings()
    character(len=32) :: expected
    call check(nks_version() == NKS_HEADER_VERSION, 'nks_version() == NKS_HEADER_VERSION')
    write (expected, '(i0,a,i0,a,i0)') NKS_VERSION_MAJOR, '.', NKS_VERSION_MINOR, '.', NKS_VERSION_PATCH
    call check(nks_version_text() == trim(expected), 'version string '//nks_version_text()//' == '//trim(expected))
    call check(index(nks_status_text(NKS_ERR_CALLBACK), 'NKS_ERR_CALLBACK') == 1, &
               'status text names NKS_ERR_CALLBACK: '//nks_status_text(NKS_ERR_CALLBACK))
    call check(index(nks_status_text(NKS_MAX_ITERATIONS), 'NKS_MAX_ITERATIONS') == 1, 'status text of NKS_MAX_ITERATIONS')
    call check(nks_get_num_threads() >= 1_c_size_t, 'nks_get_num_threads() >= 1')
    call check(nks_set_num_threads(5000_c_size_t) == NKS_ERR_INVALID_ARGUMENT, 'nks_set_num_threads(5000) is rejected')
    call check(index(nks_last_error(), '4096') > 0, 'thread message names the limit: '//nks_last_error())
  end subroutine test_version_and_strings

  !> (a) callback failures, with real numbers on the successful solves around them.
  subroutine test_callbacks()
    type(nks_krylov_t) :: solver
    type(counter_t), target :: counter, mon
    type(nks_krylov_report) :: rep
    real(c_double) :: b(m), x(m), exact(m), ax(m)
    integer(c_int32_t) :: s
    integer :: i

    b = 1.0_c_double
    do i = 1, m
      exact(i) = real(i, c_double)*real(m + 1 - i, c_double)/2.0_c_double
    end do
    call solver%create()
    call solver%set_method(NKS_KRYLOV_CG)
    call solver%set_rtol(1.0e-10_c_double)

    ! A context operator that succeeds: the solution is right and the caller's own counter
    ! saw every operator application the report counts.
    call solver%set_operator_ctx(m, counting_matvec, counter)
    x = 0.0_c_double
    s = solver%solve(b, x)
    call solver%get_report(rep)
    call check(s == NKS_OK, 'context matvec: CG converges')
    call check(maxval(abs(x - exact)) < 1.0e-7_c_double*maxval(exact), 'context matvec: CG solves tridiag(-1,2,-1) u = 1')
    call laplace1d(x, ax)
    call check(abs(rep%residual_norm - norm2(b - ax)) <= 1.0e-12_c_double + 1.0e-6_c_double*rep%residual_norm, &
               'report residual_norm is the true residual')
    call check(rep%iterations >= 1 .and. rep%iterations <= m, 'CG on a 20 x 20 SPD system takes 1..20 iterations')
    call check(counter%calls == int(rep%matvecs), 'ctx is the caller''s object: calls == report%matvecs')
    call check(abs(rep%rhs_norm - sqrt(real(m, c_double))) < 1.0e-12_c_double, 'report rhs_norm = sqrt(20)')
    call check(rep%termination == NKS_TERMINATION_CONVERGED_RTOL .and. rep%callback_code == 0, 'termination rtol, code 0')

    ! The same operator failing on its 3rd call with -7.
    counter%calls = 0
    counter%fail_at = 3
    counter%code = -7
    x = 42.0_c_double
    s = solver%solve(b, x)
    call solver%get_report(rep)
    call check(s == NKS_ERR_CALLBACK, 'failing matvec: solve returns NKS_ERR_CALLBACK')
    call check(rep%status == NKS_ERR_CALLBACK, 'failing matvec: report status')
    call check(rep%callback_code == -7, 'failing matvec: report keeps callback_code -7')
    call check(rep%termination == NKS_TERMINATION_CALLBACK_FAILED, 'failing matvec: termination CALLBACK_FAILED')
    call check(counter%calls == 3, 'failing matvec: no call after the failing one')
    call check(all(abs(x - 42.0_c_double) < tiny(1.0_c_double)), 'failing matvec: x untouched')
    call check(len(solver%last_error()) > 0, 'failing matvec: message kept: '//solver%last_error())

    ! A plain (context-free) operator failing with a positive code: any non-zero stops.
    fail_code = 5
    call solver%set_operator(m, failing_matvec)
    x = 42.0_c_double
    s = solver%solve(b, x)
    call solver%get_report(rep)
    call check(s == NKS_ERR_CALLBACK .and. rep%callback_code == 5, 'plain matvec failing with +5: NKS_ERR_CALLBACK, code 5')
    call check(all(abs(x - 42.0_c_double) < tiny(1.0_c_double)), 'plain failing matvec: x untouched')

    ! A failing preconditioner.
    call solver%set_operator_ctx(m, counting_matvec, counter)
    counter%fail_at = -1
    call solver%set_preconditioner_proc(failing_precond)
    s = solver%solve(b, x)
    call solver%get_report(rep)
    call check(s == NKS_ERR_CALLBACK .and. rep%callback_code == -3, 'failing preconditioner: NKS_ERR_CALLBACK, code -3')

    ! Back to no preconditioner; a monitor with a context stops at iteration 4.
    call solver%set_preconditioner(NKS_PRECOND_NONE)
    call solver%set_monitor_ctx(stopping_monitor, mon)
    x = 42.0_c_double
    s = solver%solve(b, x)
    call solver%get_report(rep)
    call check(s == NKS_ERR_ABORTED, 'monitor stop: NKS_ERR_ABORTED')
    call check(rep%termination == NKS_TERMINATION_MONITOR_STOP, 'monitor stop: termination MONITOR_STOP')
    call check(mon%last_iteration == 4 .and. mon%increasing, 'monitor saw iterations increasing up to 4')
    call check(all(abs(x - 42.0_c_double) < tiny(1.0_c_double)), 'monitor stop: x untouched')

    ! Removing the monitor: the solve converges again, the monitor is no longer called.
    mon%calls = 0
    call solver%clear_monitor()
    x = 0.0_c_double
    s = solver%solve(b, x)
    call check(s == NKS_OK .and. mon%calls == 0, 'cleared monitor: converges, monitor not called')
    call check(maxval(abs(x - exact)) < 1.0e-7_c_double*maxval(exact), 'after the failures the solve is right again')

    ! A wrong right-hand side length is caught before the library sees it.
    s = solver%solve(b(1:m - 1), x)
    call check(s == NKS_ERR_DIMENSION_MISMATCH, 'size(b) /= size(x): NKS_ERR_DIMENSION_MISMATCH')
    call check(index(solver%last_error(), 'b has 19 entries') > 0, 'size message: '//solver%last_error())
    ! Both shorter than the operator: the library reports it.
    s = solver%solve(b(1:m - 1), x(1:m - 1))
    call check(s == NKS_ERR_DIMENSION_MISMATCH, 'n /= operator dimension: NKS_ERR_DIMENSION_MISMATCH')
    call check(index(solver%last_error(), '20') > 0, 'library message names the dimension: '//solver%last_error())

    ! Solving with no operator.
    call solver%create()
    s = solver%solve(b, x)
    call check(s == NKS_ERR_INVALID_STATE, 'no operator: NKS_ERR_INVALID_STATE')
    call solver%free()
  end subroutine test_callbacks

  !> (b) CSR creation errors and a matrix that works.
  subroutine test_csr_errors()
    type(nks_csr_t) :: a
    integer(c_int64_t) :: row_ptr(4), col_idx(7)
    real(c_double) :: values(7), y(3)
    integer(c_size_t) :: nr, nc, nz
    integer(c_int32_t) :: s

    ! 3 x 3, 1-based: row 1 = (1,1) 2, (1,2) -1; row 2 = (2,1) -1, (2,2) 2, (2,5!) -1; row 3 ...
    row_ptr = [1_c_int64_t, 3_c_int64_t, 6_c_int64_t, 8_c_int64_t]
    col_idx = [1_c_int64_t, 2_c_int64_t, 1_c_int64_t, 2_c_int64_t, 5_c_int64_t, 2_c_int64_t, 3_c_int64_t]
    values = [2.0_c_double, -1.0_c_double, -1.0_c_double, 2.0_c_double, -1.0_c_double, -1.0_c_double, 2.0_c_double]
    call a%create(3, 3, row_ptr, col_idx, values, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'column 5 of 3: NKS_ERR_INVALID_ARGUMENT')
    call check(index(a%last_error(), 'row 2') > 0, 'message names row 2: '//a%last_error())
    call check(.not. a%is_created(), 'failed create leaves no matrix')

    ! A NaN value.
    col_idx(5) = 3
    values(4) = ieee_nan()
    call a%create(3, 3, row_ptr, col_idx, values, stat=s)
    call check(s == NKS_ERR_NON_FINITE .and. index(a%last_error(), 'row 2') > 0, 'NaN: NKS_ERR_NON_FINITE naming row 2')
    values(4) = 2.0_c_double

    ! Arrays shorter than row_ptr declares: caught in Fortran, before the library reads them.
    call a%create(3, 3, row_ptr, col_idx(1:6), values, stat=s)
    call check(s == NKS_ERR_DIMENSION_MISMATCH, 'col_idx too short: NKS_ERR_DIMENSION_MISMATCH')
    call check(index(a%last_error(), 'col_idx has 6') > 0, 'short col_idx message: '//a%last_error())
    call a%create(3, 3, row_ptr(1:3), col_idx, values, stat=s)
    call check(s == NKS_ERR_DIMENSION_MISMATCH, 'row_ptr too short: NKS_ERR_DIMENSION_MISMATCH')
    ! Arrays longer than row_ptr declares: create passes size(col_idx) as nnz, the library refuses.
    call a%create(3, 3, row_ptr, [col_idx, 1_c_int64_t], [values, 0.0_c_double], stat=s)
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. index(a%last_error(), '= 7 but nnz = 8') > 0, &
               'arrays longer than row_ptr declares: NKS_ERR_DIMENSION_MISMATCH: '//a%last_error())
    call check(.not. a%is_created(), 'no matrix after the nnz mismatch')
    call a%create(3, 3, row_ptr, [col_idx, 1_c_int64_t], values, stat=s)
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. index(a%last_error(), 'col_idx has 8') > 0, &
               'col_idx longer than values: NKS_ERR_DIMENSION_MISMATCH: '//a%last_error())
    ! The raw interface with nnz smaller and larger than row_ptr(4) - 1 = 7: out stays null.
    block
      type(c_ptr) :: out
      out = c_null_ptr
      s = nks_csr_new(3_c_size_t, 3_c_size_t, 6_c_size_t, row_ptr, col_idx, values, 1_c_int32_t, out)
      call check(s == NKS_ERR_DIMENSION_MISMATCH .and. .not. c_associated(out), 'raw nks_csr_new with nnz = 6 < 7')
      call check(index(nks_last_error(), 'row_ptr[nrows] - index_base = 7 but nnz = 6') > 0, &
                 'nnz message names both numbers: '//nks_last_error())
      s = nks_csr_new(3_c_size_t, 3_c_size_t, 8_c_size_t, row_ptr, [col_idx, 1_c_int64_t], [values, 0.0_c_double], &
                      1_c_int32_t, out)
      call check(s == NKS_ERR_DIMENSION_MISMATCH .and. .not. c_associated(out), 'raw nks_csr_new with nnz = 8 > 7')
    end block
    call a%create(3, 3, row_ptr, col_idx, values, index_base=2, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'index_base = 2: NKS_ERR_INVALID_ARGUMENT')
    call a%create(0, 3, row_ptr, col_idx, values, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'nrows = 0: NKS_ERR_INVALID_ARGUMENT')
    ! Decreasing row pointers (the library names the row).
    row_ptr(3) = 2
    call a%create(3, 3, row_ptr, col_idx, values, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. index(a%last_error(), 'row 2') > 0, &
               'decreasing row_ptr: NKS_ERR_INVALID_ARGUMENT naming row 2: '//a%last_error())
    row_ptr(3) = 6

    ! The valid matrix tridiag(-1, 2, -1), 64-bit sizes, with a duplicate (2,2) split 1.5 + 0.5.
    ! Row 2 lists its columns unsorted: (2,2) 1.5, (2,3) -1, (2,1) -1, (2,2) 0.5.
    call a%create(3_c_int64_t, 3_c_int64_t, [1_c_int64_t, 3_c_int64_t, 7_c_int64_t, 9_c_int64_t], &
                  [1_c_int64_t, 2_c_int64_t, 2_c_int64_t, 3_c_int64_t, 1_c_int64_t, 2_c_int64_t, 2_c_int64_t, 3_c_int64_t], &
                  [2.0_c_double, -1.0_c_double, 1.5_c_double, -1.0_c_double, -1.0_c_double, 0.5_c_double, &
                   -1.0_c_double, 2.0_c_double], stat=s)
    call check(s == NKS_OK .and. a%is_created(), 'valid 1-based matrix is created')
    call a%get_size(nr, nc, nz)
    call check(nr == 3 .and. nc == 3 .and. nz == 7, 'get_size: 3 x 3, 7 entries after summing the duplicate')
    call a%matvec([1.0_c_double, 2.0_c_double, 3.0_c_double], y)
    call check(maxval(abs(y - [0.0_c_double, 0.0_c_double, 4.0_c_double])) < 1.0e-15_c_double, 'A [1,2,3] = [0,0,4]')
    call a%matvec([1.0_c_double, 2.0_c_double], y, stat=s)
    call check(s == NKS_ERR_DIMENSION_MISMATCH, 'matvec with size(x) /= ncols: NKS_ERR_DIMENSION_MISMATCH')
    call check(len(a%last_error()) > 0, 'matvec size message: '//a%last_error())
    call a%free()
  end subroutine test_csr_errors

  !> Option setters: ranges, names, and a CSR operator with a built-in preconditioner.
  subroutine test_options()
    type(nks_krylov_t) :: solver
    integer(c_int32_t) :: s
    call solver%create()
    call solver%set_rtol(1.5_c_double, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'rtol = 1.5: NKS_ERR_INVALID_ARGUMENT')
    call check(index(solver%last_error(), 'rtol') > 0, 'rtol message: '//solver%last_error())
    call solver%set_option('restart', 20.0_c_double, stat=s)
    call check(s == NKS_OK, 'set_option("restart", 20)')
    call solver%set_option('no_such_option', 1.0_c_double, stat=s)
    call check(s == NKS_ERR_UNKNOWN_OPTION, 'unknown option: NKS_ERR_UNKNOWN_OPTION')
    call check(index(solver%last_error(), 'max_iterations') > 0, 'unknown-option message lists names: '//solver%last_error())
    ! get_option reads back what set_option and the typed setters stored.
    call check(same(solver%get_option('restart'), 20.0_c_double), 'get_option("restart") == 20 after set_option')
    call solver%set_method(NKS_KRYLOV_CG)
    call check(same(solver%get_option('method'), real(NKS_KRYLOV_CG, c_double)), 'get_option("method") == NKS_KRYLOV_CG')
    block
      use, intrinsic :: ieee_arithmetic, only: ieee_is_nan, ieee_is_finite
      real(c_double) :: v
      v = solver%get_option('rtol  ', stat=s)
      call check(s == NKS_OK .and. same(v, 1.0e-8_c_double), 'get_option("rtol") == 1e-8 (the default), trailing blanks ignored')
      v = solver%get_option('max_seconds')
      call check(.not. ieee_is_finite(v) .and. v > 0.0_c_double, 'get_option("max_seconds") is +Infinity by default')
      v = solver%get_option('no_such_option', stat=s)
      call check(s == NKS_ERR_UNKNOWN_OPTION .and. ieee_is_nan(v), 'get_option of an unknown name: NKS_ERR_UNKNOWN_OPTION, NaN')
      call check(index(solver%last_error(), 'reorthogonalization') > 0, 'get_option message lists names: '//solver%last_error())
      v = -1.0_c_double
      s = nks_krylov_get_option(solver%c_handle(), 'atol'//c_null_char, v)
      call check(s == NKS_OK .and. same(v, 0.0_c_double), 'raw nks_krylov_get_option("atol") == 0')
    end block
    call solver%set_method(7_c_int32_t, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'method 7: NKS_ERR_INVALID_ARGUMENT')
    call solver%set_restart(0, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'restart 0: NKS_ERR_INVALID_ARGUMENT')
    call solver%set_max_iterations(0, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'max_iterations 0: NKS_ERR_INVALID_ARGUMENT')
    call solver%set_max_seconds(-1.0_c_double, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'max_seconds -1: NKS_ERR_INVALID_ARGUMENT')
    call solver%set_preconditioner_side(NKS_SIDE_LEFT, stat=s)
    call check(s == NKS_OK, 'side left')
    call solver%set_preconditioner(NKS_PRECOND_ILU0 + 5_c_int32_t, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'preconditioner 7: NKS_ERR_INVALID_ARGUMENT')
    call solver%set_operator(0, failing_matvec, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'operator dimension 0: NKS_ERR_INVALID_ARGUMENT')
    ! Jacobi with a matrix-free operator: the library refuses at the solve.
    call solver%set_operator(m, laplace_proc)
    call solver%set_preconditioner(NKS_PRECOND_JACOBI)
    call solver%set_use_initial_guess(.true.)
    call solver%set_max_iterations(3)
    call solver%set_atol(0.0_c_double)
    block
      real(c_double) :: b(m), x(m)
      b = 1.0_c_double
      x = 0.0_c_double
      s = solver%solve(b, x)
      call check(s == NKS_ERR_INVALID_STATE, 'Jacobi with a matvec procedure: NKS_ERR_INVALID_STATE')
      call check(index(solver%last_error(), 'CSR') > 0, 'message says Jacobi needs CSR: '//solver%last_error())
      ! GMRES without preconditioner, 3 iterations: a usable, unconverged result.
      call solver%set_preconditioner(NKS_PRECOND_NONE)
      call solver%set_method(NKS_KRYLOV_GMRES)
      s = solver%solve(b, x)
      call check(s == NKS_MAX_ITERATIONS, 'iteration limit 3: NKS_MAX_ITERATIONS')
      call check(maxval(abs(x)) > 0.0_c_double, 'NKS_MAX_ITERATIONS leaves the last iterate in x')
    end block
  end subroutine test_options

  !> (c) Freeing twice and NULL, and calls on freed or never-created objects.
  subroutine test_free_twice()
    type(nks_csr_t) :: a, never
    type(nks_krylov_t) :: solver, never_solver
    type(nks_krylov_report) :: rep
    type(counter_t), target :: ctr
    real(c_double) :: b(2), x(2)
    integer(c_int32_t) :: s

    call nks_csr_free(c_null_ptr)
    call nks_krylov_free(c_null_ptr)
    call check(.true., 'nks_csr_free(NULL) and nks_krylov_free(NULL) return')

    call a%create(2, 2, [1_c_int64_t, 2_c_int64_t, 3_c_int64_t], [1_c_int64_t, 2_c_int64_t], &
                  [1.0_c_double, 1.0_c_double])
    call solver%create()
    call solver%set_operator_csr(a)
    call solver%set_operator(2, laplace_proc)
    call solver%set_preconditioner_proc(failing_precond)
    call solver%set_monitor_ctx(stopping_monitor, ctr)
    call a%free()
    call a%free()
    call check(.not. a%is_created(), 'nks_csr_t freed twice')
    call solver%free()
    call solver%free()
    call check(.not. solver%is_created(), 'nks_krylov_t with callbacks freed twice')
    call never%free()
    call never_solver%free()
    call check(.true., 'free on objects never created')

    b = 1.0_c_double
    x = 0.0_c_double
    s = solver%solve(b, x)
    call check(s == NKS_ERR_NULL_POINTER, 'solve after free: NKS_ERR_NULL_POINTER')
    call solver%get_report(rep, stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'get_report after free: NKS_ERR_NULL_POINTER')
    call solver%set_rtol(1.0e-6_c_double, stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'setter after free: NKS_ERR_NULL_POINTER')
    call a%matvec(b, x, stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'matvec after free: NKS_ERR_NULL_POINTER')

    ! Re-creating a freed object works, and create on a live object replaces it.
    call solver%create()
    call solver%create()
    call check(solver%is_created(), 'create twice')
  end subroutine test_free_twice

  !> (c) Objects finalized at the end of a block and of a procedure, arrays of objects, and
  !> assignment of empty objects.
  subroutine test_finalization()
    integer :: round
    type(nks_krylov_t) :: empty1, empty2
    do round = 1, 50
      call scoped_objects()
      block
        type(nks_krylov_t) :: solvers(3)
        type(nks_csr_t) :: matrices(2)
        call solvers(1)%create()
        call solvers(2)%create()
        call solvers(2)%set_operator(m, laplace_proc)
        call matrices(1)%create(1, 1, [1_c_int64_t, 2_c_int64_t], [1_c_int64_t], [3.0_c_double])
      end block
    end do
    empty1 = empty2
    call check(.not. empty1%is_created(), 'assigning empty objects is allowed')
    call check(.true., '50 rounds of scope-end finalization')
  end subroutine test_finalization

  !> Creates objects and returns without freeing them (finalization frees them).
  subroutine scoped_objects()
    type(nks_krylov_t) :: solver
    type(nks_csr_t) :: a
    type(counter_t), target :: ctr
    call a%create(1, 1, [1_c_int64_t, 2_c_int64_t], [1_c_int64_t], [2.0_c_double])
    call solver%create()
    call solver%set_operator_csr(a)
    call solver%set_monitor_ctx(stopping_monitor, ctr)
  end subroutine scoped_objects

  !> Configures `solver` for the sequence tests: `method`, restart 8, 4 recycled vectors,
  !> rtol 1e-10.
  subroutine sequence_solver(solver, method)
    type(nks_krylov_t), intent(inout) :: solver
    integer(c_int32_t), intent(in) :: method
    call solver%create()
    call solver%set_method(method)
    call solver%set_restart(8)
    call solver%set_option('recycle_dim', 4.0_c_double)
    call solver%set_rtol(1.0e-10_c_double)
  end subroutine sequence_solver

  !> The sequence's matrices as CSR objects.
  subroutine sequence_matrices(mats)
    type(nks_csr_t), intent(inout) :: mats(:)
    integer(c_int64_t) :: row_ptr(m + 1)
    integer(c_int64_t), allocatable :: col_idx(:)
    real(c_double), allocatable :: values(:)
    integer :: i
    do i = 1, size(mats)
      call sequence_csr(i, row_ptr, col_idx, values)
      call mats(i)%create(m, m, row_ptr, col_idx, values)
    end do
  end subroutine sequence_matrices

  !> Largest true residual ||b - A_s x(:, s)|| / ||b|| over the systems of the sequence.
  real(c_double) function worst_relative_residual(b, x) result(worst)
    real(c_double), intent(in) :: b(:, :), x(:, :)
    real(c_double) :: ax(size(b, 1))
    integer :: i
    worst = 0.0_c_double
    do i = 1, size(b, 2)
      call sequence_apply(i, x(:, i), ax)
      worst = max(worst, norm2(b(:, i) - ax)/norm2(b(:, i)))
    end do
  end function worst_relative_residual

  !> (d) Sequence solves: the three operator forms, the SKR order, the reports, the errors.
  subroutine test_sequences()
    type(nks_krylov_t) :: solver, single
    type(nks_csr_t) :: mats(num_systems)
    type(nks_krylov_report) :: reports(num_systems), csr_reports(num_systems), rep
    type(system_counter_t), target :: counter
    real(c_double) :: b(m, num_systems), x(m, num_systems), x_csr(m, num_systems), x_raw(m, num_systems)
    real(c_double) :: features(1, num_systems), x1(m)
    integer :: order(num_systems), csr_order(num_systems), i
    integer(c_size_t) :: raw_order(num_systems)
    type(c_ptr) :: handles(num_systems)
    integer(c_int32_t) :: s

    do i = 1, num_systems
      b(:, i) = real(i, c_double)
      features(1, i) = system_feature(i)
    end do
    call sequence_matrices(mats)

    ! The SKR order, 1-based from the friendly layer and 0-based from the raw one.
    call check(all(nks_skr_solve_order(features) == [1, 4, 2, 3]), 'nks_skr_solve_order: nearest neighbours 1, 4, 2, 3')
    s = nks_skr_order(int(num_systems, c_size_t), 1_c_size_t, features, 1_c_size_t, raw_order)
    call check(s == NKS_OK .and. all(raw_order == [0, 3, 1, 2]), 'raw nks_skr_order gives the 0-based order 0, 3, 1, 2')
    call check(size(nks_skr_solve_order(features(:, 1:0), stat=s)) == 0 .and. s == NKS_ERR_INVALID_ARGUMENT, &
               'nks_skr_solve_order of no systems: NKS_ERR_INVALID_ARGUMENT, empty order')
    call check(index(nks_last_error(), 'count = 0') > 0, 'no-systems message: '//nks_last_error())

    ! GCRO-DR through an indexed Fortran operator with a context, in the SKR order.
    call sequence_solver(solver, NKS_KRYLOV_GCRODR)
    x = 0.0_c_double
    s = solver%solve_sequence_ctx(counting_sequence_matvec, counter, b, x, features=features, order=order, &
                                  reports=reports)
    call check(s == NKS_OK, 'GCRO-DR sequence through a Fortran operator converges: '//solver%last_error())
    call check(all(order == [1, 4, 2, 3]), 'sequence order is nks_skr_solve_order''s, 1-based')
    call check(worst_relative_residual(b, x) <= 1.0e-10_c_double*1.01_c_double, 'true residuals of every system <= rtol')
    call check(all(counter%calls == int(reports%matvecs)), &
               'the operator receives 1-based system indices: its calls per system == reports(:)%matvecs')
    call check(all(reports%status == NKS_OK .and. reports%termination == NKS_TERMINATION_CONVERGED_RTOL), &
               'every report: status 0, converged')
    call check(reports(1)%recycle_initial_dim == 0 .and. reports(1)%recycle_rebuilt == 0, &
               'the first system solved starts without a recycled space')
    call check(all(reports(2:)%recycle_initial_dim == 4 .and. reports(2:)%recycle_rebuilt == 1), &
               'later systems start from the 4 re-fitted recycled vectors')
    call check(all(reports%recycle_final_dim <= 4), 'recycle_final_dim <= recycle_dim')
    call check(all(reports%recycle_largest_angle >= 0.0_c_double .and. &
                   reports%recycle_largest_angle <= 2.0_c_double*atan(1.0_c_double) + 1.0e-12_c_double), &
               'recycle_largest_angle in [0, pi/2]')
    call check(all(reports(2:)%recycle_projection_ratio > 0.0_c_double .and. &
                   reports(2:)%recycle_projection_ratio <= 1.0_c_double + 1.0e-12_c_double), &
               'recycle_projection_ratio in (0, 1]')
    call solver%get_report(rep)
    call check(rep%iterations == reports(3)%iterations .and. same(rep%residual_norm, reports(3)%residual_norm), &
               'get_report after the sequence: the last system solved (3)')

    ! Each column agrees with a single GMRES solve of its system.
    call single%create()
    call single%set_rtol(1.0e-12_c_double)
    do i = 1, num_systems
      call single%set_operator_csr(mats(i))
      x1 = 0.0_c_double
      s = single%solve(b(:, i), x1)
      call check(s == NKS_OK .and. maxval(abs(x1 - x(:, i))) <= 1.0e-7_c_double*maxval(abs(x1)), &
                 'sequence column agrees with a single solve')
    end do

    ! CSR objects and raw handles: the same solve, so bitwise the same answers; natural order.
    call solver%clear_recycled()
    x_csr = 0.0_c_double
    s = solver%solve_sequence(mats, b, x_csr, order=csr_order, reports=csr_reports)
    call check(s == NKS_OK .and. all(csr_order == [1, 2, 3, 4]), 'CSR sequence without features: natural order 1..4')
    call check(worst_relative_residual(b, x_csr) <= 1.0e-10_c_double*1.01_c_double, 'CSR sequence: true residuals <= rtol')
    call solver%clear_recycled()
    do i = 1, num_systems
      handles(i) = mats(i)%c_handle()
    end do
    x_raw = 0.0_c_double
    s = solver%solve_sequence(handles, b, x_raw, reports=reports)
    call check(s == NKS_OK .and. all(abs(x_raw - x_csr) <= 0.0_c_double) .and. &
               all(reports%iterations == csr_reports%iterations), 'raw handles give the CSR objects'' answers exactly')
    ! GMRES through the same call, no optional outputs.
    call solver%set_method(NKS_KRYLOV_GMRES)
    x_raw = 0.0_c_double
    s = solver%solve_sequence(mats, b, x_raw)
    call check(s == NKS_OK .and. worst_relative_residual(b, x_raw) <= 1.0e-10_c_double*1.01_c_double, &
               'GMRES sequence without optional outputs')
    ! Recycled CG on SPD systems through a plain procedure.
    call solver%set_method(NKS_KRYLOV_RECYCLED_CG)
    x = 0.0_c_double
    s = solver%solve_sequence_proc(spd_sequence_matvec, b, x, features=features, reports=reports)
    call check(s == NKS_OK .and. all(reports%termination == NKS_TERMINATION_CONVERGED_RTOL), 'recycled CG sequence converges')
    call laplace1d(x(:, 3), x1)
    call check(norm2(b(:, 3) - x1 - system_feature(3)*x(:, 3)) <= 1.0e-10_c_double*1.01_c_double*norm2(b(:, 3)), &
               'recycled CG: true residual of system 3 <= rtol')

    ! A system failing: the sequence stops there, reports written, later columns untouched.
    call solver%set_method(NKS_KRYLOV_GCRODR)
    counter%calls = 0
    counter%fail_system = 3
    counter%code = -4
    x = 42.0_c_double
    s = solver%solve_sequence_ctx(counting_sequence_matvec, counter, b, x, order=order, reports=reports)
    call check(s == NKS_ERR_CALLBACK, 'failing system 3: NKS_ERR_CALLBACK')
    call check(index(solver%last_error(), 'system 2') > 0 .and. index(solver%last_error(), 'column i + 1') > 0, &
               'failure message names the system (0-based, explained): '//solver%last_error())
    call check(all(order == [1, 2, 3, 4]), 'order written after a failure')
    call check(reports(3)%status == NKS_ERR_CALLBACK .and. reports(3)%callback_code == -4, &
               'failed system''s report keeps the callback code')
    call check(reports(4)%termination == NKS_TERMINATION_NOT_STARTED .and. counter%calls(4) == 0, &
               'system after the failure: not started, operator never called')
    call check(all(abs(x(:, 3:4) - 42.0_c_double) <= 0.0_c_double) .and. all(abs(x(:, 1:2) - 42.0_c_double) > 0.0_c_double), &
               'columns 1-2 solved, 3-4 untouched')

    ! Arguments the Fortran layer refuses before the library reads them.
    counter%fail_system = 0
    s = solver%solve_sequence_ctx(counting_sequence_matvec, counter, b, x, order=order(1:3))
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. index(solver%last_error(), 'order has 3 entries for 4') > 0, &
               'short order: NKS_ERR_DIMENSION_MISMATCH: '//solver%last_error())
    s = solver%solve_sequence(mats, b, x, reports=reports(1:2))
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. index(solver%last_error(), 'reports has 2') > 0, &
               'short reports: NKS_ERR_DIMENSION_MISMATCH: '//solver%last_error())
    s = solver%solve_sequence(mats, b, x, features=features(:, 1:3))
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. index(solver%last_error(), 'features has 3 columns') > 0, &
               'features of 3 systems: NKS_ERR_DIMENSION_MISMATCH: '//solver%last_error())
    s = solver%solve_sequence(mats(1:3), b, x)
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. index(solver%last_error(), 'b has 4 columns for 3') > 0, &
               '3 matrices, 4 columns: NKS_ERR_DIMENSION_MISMATCH: '//solver%last_error())
    s = solver%solve_sequence(mats, b, x(:, 1:3))
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. index(solver%last_error(), 'x is 20 x 3 but b is 20 x 4') > 0, &
               'x of another shape: NKS_ERR_DIMENSION_MISMATCH: '//solver%last_error())
    s = solver%solve_sequence(mats, b(1:m - 1, :), x(1:m - 1, :))
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. index(solver%last_error(), 'matrices are 20 x 20') > 0, &
               '19 rows for 20 x 20 matrices: NKS_ERR_DIMENSION_MISMATCH: '//solver%last_error())
    s = solver%solve_sequence(mats(1:0), b(:, 1:0), x(:, 1:0))
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'no systems: NKS_ERR_INVALID_ARGUMENT: '//solver%last_error())
    ! ... and ones the library refuses.
    handles(3) = c_null_ptr
    s = solver%solve_sequence(handles, b, x)
    call check(s == NKS_ERR_NULL_POINTER .and. index(solver%last_error(), 'ops[2]') > 0, &
               'a null handle: NKS_ERR_NULL_POINTER naming ops[2]: '//solver%last_error())
    call solver%set_preconditioner(NKS_PRECOND_JACOBI)
    s = solver%solve_sequence_proc(spd_sequence_matvec, b, x)
    call check(s == NKS_ERR_INVALID_STATE, 'Jacobi with a sequence operator procedure: NKS_ERR_INVALID_STATE: '// &
               solver%last_error())
    call solver%set_preconditioner(NKS_PRECOND_JACOBI)
    x = 0.0_c_double
    s = solver%solve_sequence(mats, b, x)
    call check(s == NKS_OK .and. worst_relative_residual(b, x) <= 1.0e-10_c_double*1.01_c_double, &
               'Jacobi built for each CSR matrix of a sequence')

    ! The recycling options.
    call solver%set_option('refresh_interval', 2.0_c_double)
    call check(same(solver%get_option('refresh_interval'), 2.0_c_double) .and. &
               same(solver%get_option('recycle_dim'), 4.0_c_double), 'refresh_interval and recycle_dim read back')
    call solver%set_option('refresh_interval', 0.0_c_double, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. index(solver%last_error(), 'refresh_interval') > 0, &
               'refresh_interval 0: NKS_ERR_INVALID_ARGUMENT: '//solver%last_error())

    ! Calls on a freed solver.
    call solver%free()
    s = solver%solve_sequence(mats, b, x)
    call check(s == NKS_ERR_NULL_POINTER, 'solve_sequence after free: NKS_ERR_NULL_POINTER')
    call solver%operator_changed(stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'operator_changed after free: NKS_ERR_NULL_POINTER')
    call solver%clear_recycled(stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'clear_recycled after free: NKS_ERR_NULL_POINTER')
  end subroutine test_sequences

  !> (d) Saving and loading the recycled space: arrays, files, refused inputs, and the
  !> operator_changed / clear_recycled calls.
  subroutine test_recycled_state()
    type(nks_krylov_t) :: original, resumed, fresh
    type(nks_csr_t) :: mats(num_systems)
    type(nks_krylov_report) :: rep
    real(c_double) :: b(m, num_systems), x(m, num_systems), x1(m)
    integer(int8), allocatable :: saved(:), damaged(:), again(:), empty(:)
    integer(c_int32_t) :: s
    integer :: mid, resumed_iterations
    type(c_ptr) :: raw_buf
    integer(c_size_t) :: raw_len

    b = 1.0_c_double
    call sequence_matrices(mats)
    call sequence_solver(original, NKS_KRYLOV_GCRODR)
    x = 0.0_c_double
    s = original%solve_sequence(mats, b, x)
    call check(s == NKS_OK, 'sequence before saving converges')

    call original%save_recycled(saved)
    call check(size(saved) > 0, 'save_recycled gives bytes')
    ! The raw call returns the same bytes in a library buffer, freed with nks_bytes_free.
    raw_buf = c_null_ptr
    raw_len = 0
    s = nks_krylov_save_recycled(original%c_handle(), raw_buf, raw_len)
    call check(s == NKS_OK .and. raw_len == size(saved, kind=c_size_t) .and. c_associated(raw_buf), &
               'raw nks_krylov_save_recycled: same length')
    call nks_bytes_free(raw_buf, raw_len)
    call nks_bytes_free(c_null_ptr, 0_c_size_t)

    ! Loading into a new solver resumes exactly where the original is.
    call sequence_solver(resumed, NKS_KRYLOV_GCRODR)
    call resumed%load_recycled(saved, stat=s)
    call check(s == NKS_OK, 'load_recycled of saved bytes')
    call resumed%save_recycled(again)
    call check(size(again) == size(saved), 'a loaded state saves to as many bytes')
    call check(all(again == saved), 'a loaded state saves back to the same bytes')
    call resumed%set_operator_csr(mats(2))
    x1 = 0.0_c_double
    s = resumed%solve(b(:, 2), x1)
    call resumed%get_report(rep)
    resumed_iterations = int(rep%iterations)
    call check(s == NKS_OK .and. rep%recycle_initial_dim == 4 .and. rep%recycle_rebuilt == 1, &
               'resumed solve starts from the loaded space, re-fitted')
    call original%set_operator_csr(mats(2))
    x1 = 0.0_c_double
    s = original%solve(b(:, 2), x1)
    call original%get_report(rep)
    call check(s == NKS_OK .and. int(rep%iterations) == resumed_iterations, 'resumed and original take the same iterations')

    ! A damaged, truncated or empty array is refused and changes nothing.
    call fresh%create()
    call fresh%load_recycled(saved)
    mid = size(saved)/2
    damaged = saved
    damaged(mid) = not(damaged(mid))
    call fresh%load_recycled(damaged, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'corrupted bytes: NKS_ERR_INVALID_ARGUMENT')
    call check(index(fresh%last_error(), 'checksum') > 0, 'corrupted bytes message: '//fresh%last_error())
    call fresh%load_recycled(saved(1:size(saved) - 1), stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. len(fresh%last_error()) > 0, &
               'truncated bytes: NKS_ERR_INVALID_ARGUMENT: '//fresh%last_error())
    allocate (empty(0))
    call fresh%load_recycled(empty, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. len(fresh%last_error()) > 0, &
               'no bytes: NKS_ERR_INVALID_ARGUMENT: '//fresh%last_error())
    call fresh%save_recycled(again)
    call check(size(again) == size(saved), 'refused loads leave the loaded state')
    call check(all(again == saved), 'refused loads leave the loaded bytes')

    ! Through a file.
    call original%save_recycled_file('recycled_state.nks  ', stat=s)
    call check(s == NKS_OK, 'save_recycled_file (trailing blanks ignored)')
    call fresh%clear_recycled()
    call fresh%load_recycled_file('recycled_state.nks', stat=s)
    call check(s == NKS_OK, 'load_recycled_file')
    call fresh%save_recycled(again)
    call original%save_recycled(saved)
    call check(size(again) == size(saved), 'file round trip: same length')
    call check(all(again == saved), 'file round trip: same bytes')
    call fresh%load_recycled_file('no_such_dir/recycled_state.nks', stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. index(fresh%last_error(), 'no_such_dir/recycled_state.nks') > 0, &
               'missing file: NKS_ERR_INVALID_ARGUMENT naming the path: '//fresh%last_error())
    call fresh%save_recycled_file('no_such_dir/recycled_state.nks', stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'unwritable file: NKS_ERR_INVALID_ARGUMENT: '//fresh%last_error())

    ! operator_changed re-fits the space to the same operator; clear_recycled drops it.
    call original%operator_changed()
    x1 = 0.0_c_double
    s = original%solve(b(:, 2), x1)
    call original%get_report(rep)
    call check(s == NKS_OK .and. rep%recycle_rebuilt == 1, 'after operator_changed the space is re-fitted')
    x1 = 0.0_c_double
    s = original%solve(b(:, 2), x1)
    call original%get_report(rep)
    call check(s == NKS_OK .and. rep%recycle_rebuilt == 0, 'the same operator again: no re-fit')
    call original%clear_recycled()
    x1 = 0.0_c_double
    s = original%solve(b(:, 2), x1)
    call original%get_report(rep)
    call check(s == NKS_OK .and. rep%recycle_initial_dim == 0, 'after clear_recycled the solve starts without a space')

    ! Calls on a freed solver.
    call fresh%free()
    call fresh%save_recycled(again, stat=s)
    call check(s == NKS_ERR_NULL_POINTER .and. size(again) == 0, 'save_recycled after free: NKS_ERR_NULL_POINTER, no bytes')
    call fresh%load_recycled(saved, stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'load_recycled after free: NKS_ERR_NULL_POINTER')
    call fresh%load_recycled_file('recycled_state.nks', stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'load_recycled_file after free: NKS_ERR_NULL_POINTER')
  end subroutine test_recycled_state

  !> (e) The SOR bandit: refused arguments with the library's messages, choose / observe with
  !> 1-based arms, solves checked against the true residual, save / load through arrays and
  !> files resuming with the same distribution, and calls on freed objects.
  subroutine test_sor_bandit()
    use, intrinsic :: ieee_arithmetic, only: ieee_is_nan
    type(nks_sor_bandit_t) :: fixed, learner, resumed, from_file
    type(nks_csr_t) :: a
    type(nks_sor_report) :: rep, raw_rep
    real(c_double) :: b(m), x(m), ax(m), p(20), p_short(19), p_one(1), omega, omega2, v, context
    integer(int8), allocatable :: saved(:), again(:), damaged(:), empty(:)
    integer(c_int32_t) :: s
    integer :: arm, arm2, t
    type(c_ptr) :: raw_buf
    integer(c_size_t) :: raw_len

    ! Creation: the Fortran layer refuses num_arms < 1, the library the rest, with messages.
    call learner%create(NKS_SOR_CHEBCB, 0, 1.0_c_double, 1.95_c_double, 1, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. index(learner%last_error(), 'num_arms = 0') > 0, &
               'num_arms 0: NKS_ERR_INVALID_ARGUMENT: '//learner%last_error())
    call learner%create(9_c_int32_t, 20, 1.0_c_double, 1.95_c_double, 1, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. len(learner%last_error()) > 0, &
               'learner 9: NKS_ERR_INVALID_ARGUMENT: '//learner%last_error())
    call learner%create(NKS_SOR_TSALLIS_INF, 20, 1.0_c_double, 2.5_c_double, 1, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. len(learner%last_error()) > 0, &
               'omega_max 2.5: NKS_ERR_INVALID_ARGUMENT: '//learner%last_error())
    call learner%create(NKS_SOR_FIXED, 2, 1.5_c_double, 1.5_c_double, 1, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. index(learner%last_error(), 'num_arms') > 0, &
               'fixed with 2 arms: NKS_ERR_INVALID_ARGUMENT: '//learner%last_error())
    call check(.not. learner%is_created(), 'failed creates leave no learner')

    ! A fixed learner with omega 1.5 chooses 1.5, arm 1 of 1; observe takes 1-based arms.
    call fixed%create(NKS_SOR_FIXED, 1, 1.5_c_double, 1.5_c_double, 7_int64)
    call fixed%choose(0.2_c_double, arm, omega)
    call check(arm == 1 .and. same(omega, 1.5_c_double), 'fixed learner chooses arm 1, omega 1.5')
    call fixed%observe(arm, 0.2_c_double, 12.0_c_double, stat=s)
    call check(s == NKS_OK, 'observe the chosen arm')
    call fixed%probabilities(0.2_c_double, p_one)
    call check(same(p_one(1), 1.0_c_double), 'fixed learner: probability 1 for its one arm')
    call fixed%observe(2, 0.2_c_double, 12.0_c_double, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. index(fixed%last_error(), 'arm = 1') > 0 .and. &
               index(fixed%last_error(), 'Fortran arm i + 1') > 0, &
               'observe arm 2 of 1: NKS_ERR_INVALID_ARGUMENT, 0-based message explained: '//fixed%last_error())
    call fixed%observe(0, 0.2_c_double, 12.0_c_double, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. index(fixed%last_error(), 'from 1') > 0, &
               'observe arm 0: NKS_ERR_INVALID_ARGUMENT: '//fixed%last_error())
    call fixed%observe(1, 0.2_c_double, -1.0_c_double, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. len(fixed%last_error()) > 0, &
               'negative cost: NKS_ERR_INVALID_ARGUMENT: '//fixed%last_error())
    call fixed%choose(ieee_nan(), arm, omega, stat=s)
    call check(s == NKS_ERR_NON_FINITE .and. arm == 0 .and. ieee_is_nan(omega), &
               'NaN context: NKS_ERR_NON_FINITE, arm 0, omega NaN: '//fixed%last_error())

    ! Options: read back, range and name errors with the library's messages.
    call fixed%set_option('max_iterations', 5000.0_c_double)
    call check(same(fixed%get_option('max_iterations'), 5000.0_c_double), 'get_option("max_iterations") after set_option')
    call check(same(fixed%get_option('tol  '), 1.0e-8_c_double), 'get_option("tol") is 1e-8 by default, trailing blanks ignored')
    call fixed%set_option('no_such_option', 1.0_c_double, stat=s)
    call check(s == NKS_ERR_UNKNOWN_OPTION .and. index(fixed%last_error(), 'no_such_option') > 0 .and. &
               index(fixed%last_error(), 'chebyshev_terms') > 0, &
               'unknown option: NKS_ERR_UNKNOWN_OPTION listing the names: '//fixed%last_error())
    v = fixed%get_option('no_such_option', stat=s)
    call check(s == NKS_ERR_UNKNOWN_OPTION .and. ieee_is_nan(v), 'get_option of an unknown name: NKS_ERR_UNKNOWN_OPTION, NaN')
    call fixed%set_option('tol', 1.5_c_double, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. index(fixed%last_error(), 'tol') > 0 .and. &
               same(fixed%get_option('tol'), 1.0e-8_c_double), 'tol 1.5: NKS_ERR_INVALID_ARGUMENT, tol kept: '//fixed%last_error())

    ! Solves with the fixed omega: the report's residual is the true residual, below tol.
    call shifted_laplace_csr(a, 0.5_c_double)
    call fixed%get_report(rep)
    call check(rep%termination == NKS_TERMINATION_NOT_STARTED .and. rep%arm == 0, 'report before any solve: not started, arm 0')
    b = 1.0_c_double
    x = 42.0_c_double
    s = fixed%solve(a, b, x, 0.2_c_double)
    call fixed%get_report(rep)
    call a%matvec(x, ax)
    call check(s == NKS_OK .and. rep%status == NKS_OK .and. rep%termination == NKS_TERMINATION_CONVERGED_RTOL, &
               'SOR with omega 1.5 converges')
    call check(rep%arm == 1 .and. same(rep%omega, 1.5_c_double), 'report: arm 1 (1-based), omega 1.5')
    call check(rep%iterations >= 1 .and. same(rep%cost, real(rep%iterations, c_double)), 'report: cost = iterations')
    call check(abs(rep%initial_residual_norm - norm2(b)) <= 1.0e-12_c_double*norm2(b), &
               'zero initial guess by default: initial residual = ||b||')
    call check(abs(rep%residual_norm - norm2(b - ax)) <= 1.0e-12_c_double + 1.0e-6_c_double*rep%residual_norm, &
               'report residual_norm is the true residual ||b - A x||')
    call check(norm2(b - ax) < 1.0e-8_c_double*norm2(b), 'true residual below tol * ||r0||')
    s = nks_sor_bandit_get_report(fixed%c_handle(), raw_rep)
    call check(s == NKS_OK .and. raw_rep%arm == 0 .and. raw_rep%iterations == rep%iterations, &
               'raw nks_sor_bandit_get_report: the same report, arm 0-based')
    call fixed%set_option('max_iterations', 3.0_c_double)
    x = 0.0_c_double
    s = fixed%solve(a, b, x, 0.2_c_double)
    call fixed%get_report(rep)
    call check(s == NKS_MAX_ITERATIONS .and. rep%iterations == 3 .and. same(rep%cost, 3.0_c_double) .and. &
               maxval(abs(x)) > 0.0_c_double, 'iteration cap 3: NKS_MAX_ITERATIONS, cost 3, last iterate in x')
    s = fixed%solve(a, b(1:m - 1), x, 0.2_c_double)
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. index(fixed%last_error(), 'b has 19 entries') > 0, &
               'size(b) /= size(x): NKS_ERR_DIMENSION_MISMATCH: '//fixed%last_error())
    s = fixed%solve(a, b(1:m - 1), x(1:m - 1), 0.2_c_double)
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. index(fixed%last_error(), 'dimension 20') > 0, &
               'n /= matrix dimension: NKS_ERR_DIMENSION_MISMATCH: '//fixed%last_error())

    ! A ChebCB learner: solves at varying contexts, each converged with a true residual below tol.
    call learner%create(NKS_SOR_CHEBCB, 20, 1.0_c_double, 1.95_c_double, 2024_int64)
    call learner%set_option('context_min', 0.0_c_double)
    call learner%set_option('context_max', 1.0_c_double)
    do t = 1, 12
      context = real(mod(t, 4), c_double)/4.0_c_double
      call shifted_laplace_csr(a, context)
      x = 0.0_c_double
      s = learner%solve(a, b, x, context)
      call learner%get_report(rep)
      call a%matvec(x, ax)
      call check(s == NKS_OK .and. rep%arm >= 1 .and. rep%arm <= 20 .and. norm2(b - ax) < 1.0e-8_c_double*norm2(b), &
                 'ChebCB solve converges, arm in 1..20, true residual below tol')
    end do
    call learner%choose(0.3_c_double, arm, omega)
    call learner%observe(arm, 0.3_c_double, 40.0_c_double)
    call learner%set_option('chebyshev_terms', 4.0_c_double, stat=s)
    call check(s == NKS_ERR_INVALID_STATE, 'chebyshev_terms after observing: NKS_ERR_INVALID_STATE: '//learner%last_error())

    ! probabilities: a length mismatch is refused with the library's message, p untouched.
    p_short = -1.0_c_double
    call learner%probabilities(0.3_c_double, p_short, stat=s)
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. index(learner%last_error(), 'num_arms = 20') > 0 .and. &
               all(same(p_short, -1.0_c_double)), &
               'probabilities into 19 values: NKS_ERR_DIMENSION_MISMATCH, untouched: '//learner%last_error())
    call learner%probabilities(0.3_c_double, p)
    call check(abs(sum(p) - 1.0_c_double) < 1.0e-9_c_double .and. all(p >= 0.0_c_double), &
               'probabilities: a distribution over the 20 arms')

    ! Save to an array and load into a new object: the same distributions and next choices.
    call learner%save(saved)
    call check(size(saved) > 0, 'save gives bytes')
    raw_buf = c_null_ptr
    raw_len = 0
    s = nks_sor_bandit_save(learner%c_handle(), raw_buf, raw_len)
    call check(s == NKS_OK .and. raw_len == size(saved, kind=c_size_t), 'raw nks_sor_bandit_save: same length')
    call nks_bytes_free(raw_buf, raw_len)
    call resumed%load(saved, stat=s)
    call check(s == NKS_OK .and. resumed%is_created(), 'load of saved bytes')
    call resumed%save(again)
    call check(size(again) == size(saved), 'a loaded learner saves to as many bytes')
    call check(all(again == saved), 'a loaded learner saves back to the same bytes')
    call check(same_distributions(learner, resumed), 'loaded learner: the same probabilities at 3 contexts')
    call learner%choose(0.7_c_double, arm, omega)
    call resumed%choose(0.7_c_double, arm2, omega2)
    call check(arm == arm2 .and. same(omega, omega2), 'loaded learner: the same next choice')
    call learner%observe(arm, 0.7_c_double, 30.0_c_double)
    call resumed%observe(arm2, 0.7_c_double, 30.0_c_double)
    call check(same_distributions(learner, resumed), 'loaded learner: the same probabilities after observing')

    ! A corrupted, truncated or empty array is refused with the library's message and leaves
    ! the object as it was.
    damaged = saved
    damaged(size(saved)/2) = not(damaged(size(saved)/2))
    call resumed%load(damaged, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. index(resumed%last_error(), 'checksum') > 0, &
               'corrupted bytes: NKS_ERR_INVALID_ARGUMENT, checksum message: '//resumed%last_error())
    call check(resumed%is_created() .and. same_distributions(learner, resumed), &
               'a refused load keeps the learner held')
    call resumed%load(saved(1:size(saved) - 1), stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. len(resumed%last_error()) > 0, &
               'truncated bytes: NKS_ERR_INVALID_ARGUMENT: '//resumed%last_error())
    allocate (empty(0))
    call from_file%load(empty, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. .not. from_file%is_created(), &
               'no bytes: NKS_ERR_INVALID_ARGUMENT, nothing created: '//from_file%last_error())
    block
      type(c_ptr) :: out
      out = c_null_ptr
      s = nks_sor_bandit_load(damaged, size(damaged, kind=c_size_t), out)
      call check(s == NKS_ERR_INVALID_ARGUMENT .and. .not. c_associated(out) .and. index(nks_last_error(), 'checksum') > 0, &
                 'raw nks_sor_bandit_load of corrupted bytes: out stays null')
    end block

    ! Through a file.
    call learner%save_file('sor_bandit_state.nks  ', stat=s)
    call check(s == NKS_OK, 'save_file (trailing blanks ignored)')
    call from_file%load_file('sor_bandit_state.nks', stat=s)
    call check(s == NKS_OK .and. same_distributions(learner, from_file), 'load_file: the same probabilities')
    call from_file%save(again)
    call learner%save(saved)
    call check(size(again) == size(saved), 'file round trip: same length')
    call check(all(again == saved), 'file round trip: same bytes')
    call from_file%load_file('no_such_dir/sor_bandit_state.nks', stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. index(from_file%last_error(), 'no_such_dir/sor_bandit_state.nks') > 0 &
               .and. from_file%is_created(), 'missing file: NKS_ERR_INVALID_ARGUMENT naming the path, learner kept: '// &
               from_file%last_error())
    call learner%save_file('no_such_dir/sor_bandit_state.nks', stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'unwritable file: NKS_ERR_INVALID_ARGUMENT: '//learner%last_error())

    ! Freed objects: every call fails with NKS_ERR_NULL_POINTER; freeing again is safe.
    call learner%free()
    call learner%free()
    call nks_sor_bandit_free(c_null_ptr)
    s = learner%solve(a, b, x, 0.2_c_double)
    call check(s == NKS_ERR_NULL_POINTER, 'solve after free: NKS_ERR_NULL_POINTER')
    call learner%choose(0.2_c_double, arm, omega, stat=s)
    call check(s == NKS_ERR_NULL_POINTER .and. arm == 0, 'choose after free: NKS_ERR_NULL_POINTER')
    call learner%probabilities(0.2_c_double, p, stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'probabilities after free: NKS_ERR_NULL_POINTER')
    call learner%save(again, stat=s)
    call check(s == NKS_ERR_NULL_POINTER .and. size(again) == 0, 'save after free: NKS_ERR_NULL_POINTER, no bytes')
    call learner%get_report(rep, stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'get_report after free: NKS_ERR_NULL_POINTER')
    call learner%set_option('tol', 1.0e-6_c_double, stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'set_option after free: NKS_ERR_NULL_POINTER')
    call a%free()
  end subroutine test_sor_bandit

  !> Whether two learners give bitwise the same probabilities at contexts 0.1, 0.5 and 0.9.
  logical function same_distributions(one, other)
    type(nks_sor_bandit_t), intent(inout) :: one, other
    real(c_double) :: p(20), q(20)
    integer :: k
    same_distributions = .true.
    do k = 1, 3
      call one%probabilities(0.1_c_double + 0.4_c_double*real(k - 1, c_double), p)
      call other%probabilities(0.1_c_double + 0.4_c_double*real(k - 1, c_double), q)
      same_distributions = same_distributions .and. all(same(p, q))
    end do
  end function same_distributions


  !> (f) The Newton minimiser: error paths, oracle failures, the monitor, the combined oracle, a
  !> preconditioner and the limits, on extended Rosenbrock with n = 6 from (-1.2, 1, ...).
  subroutine test_newton()
    use, intrinsic :: ieee_arithmetic, only: ieee_is_nan, ieee_is_finite
    integer, parameter :: n = 6
    type(nks_newton_t) :: opt, empty, other
    type(nks_newton_report) :: r
    type(newton_problem_t), target :: prob
    real(c_double) :: x(n), start(n), y(n), short(n - 1), last(n)
    integer(c_int32_t) :: s
    integer :: i

    do i = 1, n
      start(i) = merge(-1.2_c_double, 1.0_c_double, mod(i, 2) == 1)
    end do

    ! Before create: every call fails with NKS_ERR_NULL_POINTER and writes nothing.
    call check(.not. opt%is_created(), 'newton: a new object holds no minimiser')
    call opt%set_option('gatol', 1.0e-6_c_double, stat=s)
    call check(s == NKS_ERR_NULL_POINTER .and. len(opt%last_error()) > 0, &
               'newton: set_option before create: NKS_ERR_NULL_POINTER')
    x = start
    s = opt%solve(x)
    call check(s == NKS_ERR_NULL_POINTER .and. all(same(x, start)), &
               'newton: solve before create: NKS_ERR_NULL_POINTER, x untouched')
    call opt%get_report(r, stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'newton: get_report before create: NKS_ERR_NULL_POINTER')
    call opt%set_oracles(nt_value, nt_gradient, nt_hessian_vector, c_loc(prob), stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'newton: set_oracles before create: NKS_ERR_NULL_POINTER')

    ! Options.
    call opt%create()
    call check(opt%is_created(), 'newton: create')
    call check(same(opt%get_option('gatol'), 1.0e-8_c_double), 'newton: default gatol 1e-8')
    call check(same(opt%get_option('max_iterations'), 1000.0_c_double), 'newton: default max_iterations 1000')
    call check(same(opt%get_option('method'), real(NKS_NEWTON_TRUST_REGION, c_double)), &
               'newton: default method trust region')
    call opt%set_option('tolerance', 1.0e-6_c_double, stat=s)
    call check(s == NKS_ERR_UNKNOWN_OPTION, 'newton: unknown option: NKS_ERR_UNKNOWN_OPTION')
    call check(index(opt%last_error(), 'gatol') > 0 .and. index(opt%last_error(), 'lazy_period') > 0, &
               'newton: unknown option: the message lists the names: '//opt%last_error())
    call check(ieee_is_nan(opt%get_option('tolerance', stat=s)) .and. s == NKS_ERR_UNKNOWN_OPTION, &
               'newton: get_option of an unknown name: NaN and NKS_ERR_UNKNOWN_OPTION')
    call opt%set_option('gatol', -1.0_c_double, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. same(opt%get_option('gatol'), 1.0e-8_c_double), &
               'newton: gatol = -1: NKS_ERR_INVALID_ARGUMENT, the option keeps its value')
    call opt%set_option('method', 9.0_c_double, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'newton: method = 9: NKS_ERR_INVALID_ARGUMENT')

    ! Before any solve: the report says so, there is no point, and there are no oracles.
    call opt%get_report(r)
    call check(r%termination == NKS_TERMINATION_NOT_STARTED, 'newton: report before any solve: not started')
    y = 7.0_c_double
    call opt%get_point(y, stat=s)
    call check(s == NKS_ERR_INVALID_STATE .and. all(same(y, 7.0_c_double)), &
               'newton: get_point before any solve: NKS_ERR_INVALID_STATE, y untouched')
    x = start
    s = opt%solve(x)
    call check(s == NKS_ERR_INVALID_STATE .and. all(same(x, start)), &
               'newton: solve without oracles: NKS_ERR_INVALID_STATE, x untouched')
    call check(index(opt%last_error(), 'nks_newton_set_oracles') > 0, &
               'newton: no oracles: the message says what to call: '// &
               opt%last_error())

    ! Missing oracles are named (friendly and raw layers).
    call opt%set_oracles(nt_value, nt_gradient, user_data=c_loc(prob), stat=s)
    call check(s == NKS_ERR_NULL_POINTER .and. index(opt%last_error(), 'hessian_vector') > 0, &
               'newton: no hessian_vector: NKS_ERR_NULL_POINTER naming it: '//opt%last_error())
    call opt%set_oracles(objective=nt_value, hessian_vector=nt_hessian_vector, user_data=c_loc(prob), stat=s)
    call check(s == NKS_ERR_NULL_POINTER .and. index(opt%last_error(), 'gradient') > 0, &
               'newton: no gradient: NKS_ERR_NULL_POINTER naming it: '//opt%last_error())
    s = nks_newton_set_oracles(opt%c_handle(), c_null_funptr, c_funloc(nt_gradient), c_null_funptr, &
                               c_funloc(nt_hessian_vector), c_loc(prob))
    call check(s == NKS_ERR_NULL_POINTER .and. index(nks_last_error(), 'objective') > 0, &
               'newton: raw set_oracles without an objective: NKS_ERR_NULL_POINTER naming it')
    x = start
    s = opt%solve(x)
    call check(s == NKS_ERR_INVALID_STATE, 'newton: refused set_oracles calls set nothing')

    ! A solve that converges; the report counts what the caller's own object counted.
    call opt%set_oracles(nt_value, nt_gradient, nt_hessian_vector, c_loc(prob))
    x = start
    s = opt%solve(x)
    call opt%get_report(r)
    call check(s == NKS_OK .and. r%status == NKS_OK, 'newton: extended Rosenbrock converges')
    call check(r%termination == NKS_TERMINATION_CONVERGED_ATOL .and. r%gradient_norm <= 1.0e-8_c_double, &
               'newton: converged by gatol')
    call check(maxval(abs(x - 1.0_c_double)) <= 1.0e-6_c_double, 'newton: x is the minimiser (1, ..., 1)')
    call check(r%method == NKS_NEWTON_TRUST_REGION .and. r%callback_code == 0, &
               'newton: report method, no callback code')
    call check(abs(r%initial_value - 72.6_c_double) <= 1.0e-12_c_double, &
               'newton: report initial_value = f(start) = 72.6')
    call check(r%value <= 1.0e-14_c_double .and. r%initial_gradient_norm > r%gradient_norm, &
               'newton: report value, norms')
    call check(int(r%value_calls) == prob%value_calls .and. int(r%gradient_calls) == prob%gradient_calls .and. &
               int(r%hessian_vector_calls) == prob%hessian_vector_calls .and. r%value_gradient_calls == 0, &
               'newton: the report counts the calls the caller''s object saw (user_data is its c_loc)')
    call check(r%accepted_steps >= 1 .and. r%accepted_steps <= r%iterations .and. r%cg_iterations >= 1, &
               'newton: accepted steps <= iterations, CG iterations')
    y = 0.0_c_double
    call opt%get_point(y)
    call check(all(same(y, x)), 'newton: get_point after a solve: the returned x')
    short = 7.0_c_double
    call opt%get_point(short, stat=s)
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. all(same(short, 7.0_c_double)), &
               'newton: get_point of n - 1 entries: NKS_ERR_DIMENSION_MISMATCH, untouched')
    call check(index(opt%last_error(), '5') > 0 .and. index(opt%last_error(), '6') > 0, &
               'newton: the n mismatch message names both lengths: '//opt%last_error())

    ! An objective aborting with -3 on its 5th call: NKS_ERR_CALLBACK, the code, x untouched;
    ! the last accepted point stays readable.
    prob = newton_problem_t(fail_at=5, fail_code=-3_c_int)
    x = start
    s = opt%solve(x)
    call opt%get_report(r)
    call check(s == NKS_ERR_CALLBACK .and. r%status == NKS_ERR_CALLBACK, &
               'newton: objective returning -3: NKS_ERR_CALLBACK')
    call check(r%callback_code == -3 .and. r%termination == NKS_TERMINATION_CALLBACK_FAILED, &
               'newton: objective returning -3: callback_code -3, termination CALLBACK_FAILED')
    call check(all(same(x, start)), 'newton: objective returning -3: x untouched')
    call check(prob%value_calls == 5, 'newton: no objective call after the failing one')
    call check(index(opt%last_error(), '-3') > 0, 'newton: the message names the code: '//opt%last_error())
    last = 0.0_c_double
    call opt%get_point(last, stat=s)
    call check(s == NKS_OK .and. all(ieee_is_finite(last)), &
               'newton: get_point after the abort: the last accepted point')
    ! ... and refusing (code 1) the starting point is an error too.
    prob = newton_problem_t(fail_at=1, fail_code=1_c_int)
    s = opt%solve(x)
    call opt%get_report(r)
    call check(s == NKS_ERR_CALLBACK .and. r%callback_code == 1 .and. all(same(x, start)), &
               'newton: objective refusing the start: NKS_ERR_CALLBACK, code 1, x untouched')
    ! A refused trial point (code 1 later on) is not: the solver shrinks its step.
    prob = newton_problem_t(fail_at=4, fail_code=1_c_int)
    s = opt%solve(x)
    call opt%get_report(r)
    call check(s == NKS_OK .and. r%failed_evaluations == 1, &
               'newton: one refused trial point: converges, failed_evaluations 1')

    ! A NaN in x and n = 0 are refused before any oracle runs.
    prob = newton_problem_t()
    x = start
    x(3) = ieee_nan()
    s = opt%solve(x)
    call check(s == NKS_ERR_NON_FINITE .and. prob%value_calls == 0, &
               'newton: NaN in x: NKS_ERR_NON_FINITE, no oracle call')
    s = opt%solve(x(1:0))
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'newton: n = 0: NKS_ERR_INVALID_ARGUMENT')

    ! A monitor that stops at iteration 3; from inside, the handle refuses to be used.
    prob = newton_problem_t(stop_at=3)
    prob%handle = opt%c_handle()
    call opt%set_monitor(nt_monitor, c_loc(prob))
    x = start
    s = opt%solve(x)
    call opt%get_report(r)
    call check(s == NKS_ERR_ABORTED .and. r%termination == NKS_TERMINATION_MONITOR_STOP, &
               'newton: monitor stop: NKS_ERR_ABORTED, termination MONITOR_STOP')
    call check(prob%monitor_calls == 3 .and. prob%last_iteration == 3 .and. prob%increasing, &
               'newton: the monitor saw iterations 1, 2, 3 with status 0')
    call check(prob%monitor_n == n, 'newton: the monitor receives the point (n entries)')
    call check(prob%reentry_status == NKS_ERR_INVALID_STATE, &
               'newton: the handle used from its monitor: NKS_ERR_INVALID_STATE')
    call check(all(same(x, start)), 'newton: monitor stop: x untouched')
    call opt%get_point(last)
    call check(.not. all(same(last, start)), 'newton: monitor stop: get_point has the point reached')
    call opt%clear_monitor()
    prob = newton_problem_t()
    s = opt%solve(x)
    call check(s == NKS_OK .and. prob%monitor_calls == 0, 'newton: cleared monitor: converges, monitor not called')

    ! The combined oracle alone.
    call opt%set_oracles(hessian_vector=nt_hessian_vector, objective_gradient=nt_value_gradient, user_data=c_loc(prob))
    prob = newton_problem_t()
    x = start
    s = opt%solve(x)
    call opt%get_report(r)
    call check(s == NKS_OK .and. maxval(abs(x - 1.0_c_double)) <= 1.0e-6_c_double, 'newton: combined oracle: converges')
    call check(r%value_calls == 0 .and. r%gradient_calls == 0 .and. r%value_gradient_calls > 0 .and. &
               int(r%value_gradient_calls) == prob%value_gradient_calls .and. prob%value_calls == 0, &
               'newton: combined oracle: only value_gradient calls')

    ! A preconditioner with its own user_data; removing it.
    call opt%set_oracles(nt_value, nt_gradient, nt_hessian_vector, c_loc(prob))
    call opt%set_preconditioner(nt_precond, c_loc(prob))
    prob = newton_problem_t()
    x = start
    s = opt%solve(x)
    call opt%get_report(r)
    call check(s == NKS_OK .and. r%preconditioner_calls > 0 .and. int(r%preconditioner_calls) == prob%precond_calls, &
               'newton: preconditioner: converges, preconditioner_calls = the caller''s count')
    call opt%clear_preconditioner()
    x = start
    s = opt%solve(x)
    call opt%get_report(r)
    call check(s == NKS_OK .and. r%preconditioner_calls == 0, 'newton: cleared preconditioner: not called')

    ! Line search, then the iteration and evaluation limits: usable, unconverged results.
    call opt%set_option('method', real(NKS_NEWTON_LINE_SEARCH, c_double))
    x = start
    s = opt%solve(x)
    call opt%get_report(r)
    call check(s == NKS_OK .and. r%method == NKS_NEWTON_LINE_SEARCH, &
               'newton: line search converges, the report says so')
    call opt%set_option('max_iterations', 2.0_c_double)
    x = start
    s = opt%solve(x)
    call opt%get_report(r)
    call check(s == NKS_MAX_ITERATIONS .and. r%termination == NKS_TERMINATION_MAX_ITERATIONS .and. r%iterations == 2, &
               'newton: max_iterations 2: NKS_MAX_ITERATIONS after 2 iterations')
    call check(.not. all(same(x, start)) .and. all(ieee_is_finite(x)), &
               'newton: max_iterations: x holds the point reached')
    call opt%set_option('max_iterations', 1000.0_c_double)
    call opt%set_option('max_evaluations', 5.0_c_double)
    x = start
    s = opt%solve(x)
    call opt%get_report(r)
    call check(s == NKS_MAX_ITERATIONS .and. r%termination == NKS_TERMINATION_MAX_EVALUATIONS, &
               'newton: max_evaluations 5: NKS_MAX_ITERATIONS, termination MAX_EVALUATIONS')

    ! Copying and freeing.
    other = empty
    call check(.not. other%is_created(), 'newton: assigning an object that holds no minimiser')
    call nks_newton_free(c_null_ptr)
    call opt%free()
    call opt%free()
    call check(.not. opt%is_created(), 'newton: free twice')
    s = opt%solve(x)
    call check(s == NKS_ERR_NULL_POINTER, 'newton: solve after free: NKS_ERR_NULL_POINTER')
    call opt%get_point(y, stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'newton: get_point after free: NKS_ERR_NULL_POINTER')
    call empty%free()
  end subroutine test_newton

  !> (g) The nonlinear solver: error paths, oracle failures, step records, recycling, the
  !> monitor, a preconditioner, Levenberg-Marquardt and the iteration limit, on the tridiagonal
  !> system of `nl_residual` with n = 40 from x = 0.
  subroutine test_nonlinear()
    use, intrinsic :: ieee_arithmetic, only: ieee_is_nan, ieee_is_finite
    integer, parameter :: n = 40
    type(nks_nonlinear_t) :: nl, empty, other
    type(nks_nonlinear_report) :: r, first
    type(nks_nonlinear_step) :: step
    type(nonlinear_problem_t), target :: prob
    real(c_double) :: x(n), start(n), y(n), short(n - 1), last(n), f(n)
    integer(c_size_t) :: inner
    integer(c_int32_t) :: s
    integer :: k

    start = 0.0_c_double

    ! Before create: every call fails with NKS_ERR_NULL_POINTER and writes nothing.
    call check(.not. nl%is_created(), 'nonlinear: a new object holds no solver')
    call nl%set_option('fatol', 1.0e-6_c_double, stat=s)
    call check(s == NKS_ERR_NULL_POINTER .and. len(nl%last_error()) > 0, &
               'nonlinear: set_option before create: NKS_ERR_NULL_POINTER')
    x = start
    s = nl%solve(x)
    call check(s == NKS_ERR_NULL_POINTER .and. all(same(x, start)), &
               'nonlinear: solve before create: NKS_ERR_NULL_POINTER, x untouched')
    call nl%get_report(r, stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'nonlinear: get_report before create: NKS_ERR_NULL_POINTER')
    call nl%set_oracles(nl_residual, user_data=c_loc(prob), stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'nonlinear: set_oracles before create: NKS_ERR_NULL_POINTER')
    call nl%clear_recycle_space(stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'nonlinear: clear_recycle_space before create: NKS_ERR_NULL_POINTER')

    ! Options.
    call nl%create()
    call check(nl%is_created(), 'nonlinear: create')
    call check(same(nl%get_option('fatol'), 1.0e-10_c_double), 'nonlinear: default fatol 1e-10')
    call check(same(nl%get_option('frtol'), 1.0e-8_c_double), 'nonlinear: default frtol 1e-8')
    call check(same(nl%get_option('max_iterations'), 100.0_c_double), 'nonlinear: default max_iterations 100')
    call check(same(nl%get_option('method'), real(NKS_NONLINEAR_NEWTON_KRYLOV, c_double)), &
               'nonlinear: default method Newton-Krylov')
    call check(same(nl%get_option('krylov_method'), real(NKS_KRYLOV_GCRODR, c_double)), &
               'nonlinear: default inner solver GCRO-DR')
    call nl%set_option('tolerance', 1.0e-6_c_double, stat=s)
    call check(s == NKS_ERR_UNKNOWN_OPTION, 'nonlinear: unknown option: NKS_ERR_UNKNOWN_OPTION')
    call check(index(nl%last_error(), 'fatol') > 0 .and. index(nl%last_error(), 'krylov_method') > 0, &
               'nonlinear: unknown option: the message lists the names: '//nl%last_error())
    call check(ieee_is_nan(nl%get_option('tolerance', stat=s)) .and. s == NKS_ERR_UNKNOWN_OPTION, &
               'nonlinear: get_option of an unknown name: NaN and NKS_ERR_UNKNOWN_OPTION')
    call nl%set_option('frtol', -1.0_c_double, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. same(nl%get_option('frtol'), 1.0e-8_c_double), &
               'nonlinear: frtol = -1: NKS_ERR_INVALID_ARGUMENT, the option keeps its value')
    call check(len(nl%last_error()) > 0, 'nonlinear: frtol = -1: a message')
    call nl%set_option('krylov_method', real(NKS_KRYLOV_CG, c_double), stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. &
               same(nl%get_option('krylov_method'), real(NKS_KRYLOV_GCRODR, c_double)), &
               'nonlinear: krylov_method = CG: NKS_ERR_INVALID_ARGUMENT, the option keeps its value')
    call nl%set_option('method', 2.0_c_double, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'nonlinear: method = 2: NKS_ERR_INVALID_ARGUMENT')

    ! Before any solve: the report says so, there is no point or step, and there are no oracles.
    call nl%get_report(r)
    call check(r%termination == NKS_TERMINATION_NOT_STARTED .and. r%steps == 0, &
               'nonlinear: report before any solve: not started, no steps')
    y = 7.0_c_double
    call nl%get_point(y, stat=s)
    call check(s == NKS_ERR_INVALID_STATE .and. all(same(y, 7.0_c_double)), &
               'nonlinear: get_point before any solve: NKS_ERR_INVALID_STATE, y untouched')
    call nl%get_step(1, step, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'nonlinear: get_step before any solve: NKS_ERR_INVALID_ARGUMENT')
    x = start
    s = nl%solve(x)
    call check(s == NKS_ERR_INVALID_STATE .and. all(same(x, start)), &
               'nonlinear: solve before set_oracles: NKS_ERR_INVALID_STATE, x untouched')
    call check(index(nl%last_error(), 'nks_nonlinear_set_oracles') > 0, &
               'nonlinear: no oracles: the message says what to call: '//nl%last_error())

    ! A missing residual (friendly and raw layers) and a negative m are refused and set nothing.
    call nl%set_oracles(jacobian_vector=nl_jacobian_vector, user_data=c_loc(prob), stat=s)
    call check(s == NKS_ERR_NULL_POINTER .and. index(nl%last_error(), 'residual') > 0, &
               'nonlinear: no residual: NKS_ERR_NULL_POINTER naming it: '//nl%last_error())
    s = nks_nonlinear_set_oracles(nl%c_handle(), 0_c_size_t, c_null_funptr, c_funloc(nl_jacobian_vector), &
                                  c_null_funptr, c_loc(prob))
    call check(s == NKS_ERR_NULL_POINTER .and. index(nks_last_error(), 'residual') > 0, &
               'nonlinear: raw set_oracles with a NULL residual: NKS_ERR_NULL_POINTER naming it')
    call nl%set_oracles(nl_residual, user_data=c_loc(prob), m=-1, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. index(nl%last_error(), 'm = -1') > 0, &
               'nonlinear: m = -1: NKS_ERR_INVALID_ARGUMENT in Fortran: '//nl%last_error())
    x = start
    s = nl%solve(x)
    call check(s == NKS_ERR_INVALID_STATE, 'nonlinear: refused set_oracles calls set nothing')

    ! Newton-Krylov needs a square system: m = n + 1 is refused before any oracle runs.
    call nl%set_oracles(nl_residual, user_data=c_loc(prob), m=n + 1)
    prob = nonlinear_problem_t()
    x = start
    s = nl%solve(x)
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. all(same(x, start)), &
               'nonlinear: Newton-Krylov with m /= n: NKS_ERR_DIMENSION_MISMATCH, x untouched')
    call check(index(nl%last_error(), '41') > 0 .and. index(nl%last_error(), '40') > 0, &
               'nonlinear: the m /= n message names both lengths: '//nl%last_error())

    ! A solve that converges with finite-difference products; the report counts what the
    ! caller's own object counted, and the step records add up to it. (GCRO-DR(10, 4): the
    ! default 30 iterations per cycle are more than this system needs to give a recycle space.)
    call nl%set_option('restart', 10.0_c_double)
    call nl%set_option('recycle_dim', 4.0_c_double)
    call nl%set_oracles(nl_residual, user_data=c_loc(prob))
    prob = nonlinear_problem_t()
    x = start
    s = nl%solve(x)
    call nl%get_report(r)
    first = r
    call check(s == NKS_OK .and. r%status == NKS_OK, 'nonlinear: the tridiagonal system converges')
    call check(r%termination == NKS_TERMINATION_CONVERGED_ATOL .or. r%termination == NKS_TERMINATION_CONVERGED_RTOL, &
               'nonlinear: converged by fatol or frtol')
    prob%residual_calls = 0
    f = 1.0_c_double
    s = nl_residual(x, int(n, c_size_t), f, int(n, c_size_t), c_loc(prob))
    call check(maxval(abs(f)) <= 1.0e-7_c_double .and. r%residual_norm <= 1.0e-8_c_double*r%initial_residual_norm, &
               'nonlinear: F(x) = 0 at the returned x')
    call check(r%method == NKS_NONLINEAR_NEWTON_KRYLOV .and. r%callback_code == 0, &
               'nonlinear: report method, no callback code')
    call check(abs(r%initial_residual_norm - sqrt(real(n, c_double))) <= 1.0e-12_c_double, &
               'nonlinear: report initial_residual_norm = ||F(0)|| = sqrt(n)')
    call check(r%fd_products > 0 .and. r%jacobian_vector_calls == 0 .and. r%jacobian_transpose_calls == 0, &
               'nonlinear: no J v oracle: finite-difference products only')
    call check(ieee_is_nan(r%gradient_norm), 'nonlinear: gradient_norm is NaN for Newton-Krylov')
    call check(r%residual_evaluations >= r%fd_products + r%iterations, &
               'nonlinear: residual evaluations include the finite-difference products')
    call check(r%steps == r%iterations .and. r%iterations >= 1, 'nonlinear: one step record per step')
    call check(r%recycled_vectors == 4, 'nonlinear: GCRO-DR keeps a recycle space of recycle_dim vectors')
    inner = 0
    do k = 1, int(r%steps)
      call nl%get_step(k, step)
      inner = inner + step%inner_iterations
      call check(step%forcing > 0.0_c_double .and. step%forcing < 1.0_c_double .and. &
                 step%linear_residual <= step%forcing*1.000001_c_double .and. step%step_length > 0.0_c_double, &
                 'nonlinear: step records: forcing in (0, 1), reached, a step taken')
    end do
    call check(inner == r%inner_iterations, 'nonlinear: the steps'' inner iterations add up to the report''s')
    call nl%get_step(1, step)
    call check(same(step%residual_norm, r%initial_residual_norm) .and. step%recycled_vectors == 0 .and. &
               same(step%lm_parameter, 0.0_c_double), &
               'nonlinear: step 1 starts at ||F0||, with no recycled vectors, mu = 0')
    call nl%get_step(int(r%steps) + 1, step, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. index(nl%last_error(), 'step records') > 0, &
               'nonlinear: get_step past the last: NKS_ERR_INVALID_ARGUMENT with the count: '//nl%last_error())
    call nl%get_step(0, step, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. index(nl%last_error(), 'from 1') > 0, &
               'nonlinear: get_step(0): NKS_ERR_INVALID_ARGUMENT (1-based): '//nl%last_error())
    y = 0.0_c_double
    call nl%get_point(y)
    call check(all(same(y, x)), 'nonlinear: get_point after a solve: the returned x')
    short = 7.0_c_double
    call nl%get_point(short, stat=s)
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. all(same(short, 7.0_c_double)), &
               'nonlinear: get_point of n - 1 entries: NKS_ERR_DIMENSION_MISMATCH, untouched')

    ! The recycle space carries into the next solve, until cleared.
    x = start
    s = nl%solve(x)
    call nl%get_step(1, step)
    call nl%get_report(r)
    call check(s == NKS_OK .and. step%recycled_vectors == 4 .and. r%inner_iterations < first%inner_iterations, &
               'nonlinear: the next solve starts with the 4 recycled vectors and needs fewer inner iterations')
    call nl%clear_recycle_space()
    call nl%get_report(r)
    call check(r%recycled_vectors == 0, 'nonlinear: clear_recycle_space: no recycled vectors')
    x = start
    s = nl%solve(x)
    call nl%get_step(1, step)
    call nl%get_report(r)
    call check(s == NKS_OK .and. step%recycled_vectors == 0 .and. r%inner_iterations == first%inner_iterations, &
               'nonlinear: after clear_recycle_space the solve starts afresh, as the first did')

    ! The exact J v oracle replaces the finite differences.
    call nl%set_oracles(nl_residual, nl_jacobian_vector, user_data=c_loc(prob))
    call nl%clear_recycle_space()
    prob = nonlinear_problem_t()
    x = start
    s = nl%solve(x)
    call nl%get_report(r)
    call check(s == NKS_OK .and. r%fd_products == 0 .and. r%jacobian_vector_calls > 0, &
               'nonlinear: exact J v: converges without finite differences')
    call check(int(r%jacobian_vector_calls) == prob%jacobian_vector_calls .and. &
               int(r%residual_evaluations) == prob%residual_calls, &
               'nonlinear: the report counts the calls the caller''s object saw (user_data is its c_loc)')

    ! A residual aborting with -3 on its 8th call (after a few accepted steps): NKS_ERR_CALLBACK,
    ! the code, x untouched; the last accepted point stays readable.
    prob = nonlinear_problem_t(fail_at=8, fail_code=-3_c_int)
    x = start
    s = nl%solve(x)
    call nl%get_report(r)
    call check(s == NKS_ERR_CALLBACK .and. r%status == NKS_ERR_CALLBACK, &
               'nonlinear: residual returning -3: NKS_ERR_CALLBACK')
    call check(r%callback_code == -3 .and. r%termination == NKS_TERMINATION_CALLBACK_FAILED, &
               'nonlinear: residual returning -3: callback_code -3, termination CALLBACK_FAILED')
    call check(all(same(x, start)), 'nonlinear: residual returning -3: x untouched')
    call check(prob%residual_calls == 8 .and. r%iterations >= 1, &
               'nonlinear: steps were accepted, and no residual call came after the failing one')
    call check(index(nl%last_error(), '-3') > 0, 'nonlinear: the message names the code: '//nl%last_error())
    last = 7.0_c_double
    call nl%get_point(last, stat=s)
    call check(s == NKS_OK .and. all(ieee_is_finite(last)) .and. .not. all(same(last, start)), &
               'nonlinear: get_point after the abort: the last accepted point')
    ! ... refusing (code 1) the starting point is an error too (nothing to step back from):
    ! NKS_ERR_CALLBACK, the message naming the code ...
    prob = nonlinear_problem_t(fail_at=1, fail_code=1_c_int)
    s = nl%solve(x)
    call check(s == NKS_ERR_CALLBACK .and. all(same(x, start)) .and. index(nl%last_error(), 'returned 1') > 0, &
               'nonlinear: residual refusing the start: NKS_ERR_CALLBACK naming code 1, x untouched: '// &
               nl%last_error())
    ! ... but a refused trial point (code 1 at the first trial point) only shortens the step.
    prob = nonlinear_problem_t(fail_at=2, fail_code=1_c_int)
    s = nl%solve(x)
    call nl%get_report(r)
    call check(s == NKS_OK .and. r%failed_evaluations == 1, &
               'nonlinear: one refused trial point: converges, failed_evaluations 1')

    ! A NaN in x and n = 0 are refused before any oracle runs.
    prob = nonlinear_problem_t()
    x = start
    x(3) = ieee_nan()
    s = nl%solve(x)
    call check(s == NKS_ERR_NON_FINITE .and. prob%residual_calls == 0, &
               'nonlinear: NaN in x: NKS_ERR_NON_FINITE, no oracle call')
    s = nl%solve(x(1:0))
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'nonlinear: n = 0: NKS_ERR_INVALID_ARGUMENT')

    ! A monitor that stops at step 2; from inside, the handle refuses to be used.
    prob = nonlinear_problem_t(stop_at=2)
    prob%handle = nl%c_handle()
    call nl%set_monitor(nl_monitor, c_loc(prob))
    x = start
    s = nl%solve(x)
    call nl%get_report(r)
    call check(s == NKS_ERR_ABORTED .and. r%termination == NKS_TERMINATION_MONITOR_STOP, &
               'nonlinear: monitor stop: NKS_ERR_ABORTED, termination MONITOR_STOP')
    call check(prob%monitor_calls == 2 .and. prob%last_iteration == 2 .and. prob%increasing, &
               'nonlinear: the monitor saw steps 1, 2 with status 0')
    call check(prob%monitor_n == n, 'nonlinear: the monitor receives the point (n entries)')
    call check(prob%reentry_status == NKS_ERR_INVALID_STATE, &
               'nonlinear: the handle used from its monitor: NKS_ERR_INVALID_STATE')
    call check(all(same(x, start)), 'nonlinear: monitor stop: x untouched')
    call nl%get_point(last)
    call check(.not. all(same(last, start)), 'nonlinear: monitor stop: get_point has the point reached')
    call nl%clear_monitor()
    prob = nonlinear_problem_t()
    s = nl%solve(x)
    call check(s == NKS_OK .and. prob%monitor_calls == 0, 'nonlinear: cleared monitor: converges, monitor not called')

    ! A preconditioner with its own user_data; removing it.
    call nl%set_preconditioner(nl_precond, c_loc(prob))
    prob = nonlinear_problem_t()
    x = start
    s = nl%solve(x)
    call nl%get_report(r)
    call check(s == NKS_OK .and. r%preconditioner_calls > 0 .and. int(r%preconditioner_calls) == prob%precond_calls, &
               'nonlinear: preconditioner: converges, preconditioner_calls = the caller''s count')
    call nl%clear_preconditioner()
    x = start
    s = nl%solve(x)
    call nl%get_report(r)
    call check(s == NKS_OK .and. r%preconditioner_calls == 0, 'nonlinear: cleared preconditioner: not called')

    ! The iteration limit: a usable, unconverged result.
    call nl%set_option('max_iterations', 1.0_c_double)
    x = start
    s = nl%solve(x)
    call nl%get_report(r)
    call check(s == NKS_MAX_ITERATIONS .and. r%termination == NKS_TERMINATION_MAX_ITERATIONS .and. r%iterations == 1, &
               'nonlinear: max_iterations 1: NKS_MAX_ITERATIONS after 1 step')
    call check(.not. all(same(x, start)) .and. all(ieee_is_finite(x)), &
               'nonlinear: max_iterations: x holds the point reached')
    call nl%set_option('max_iterations', 100.0_c_double)

    ! Levenberg-Marquardt: refused without J^T w; square and overdetermined (m = n + 2, the two
    ! extra residuals 0) systems converge.
    call nl%set_option('method', real(NKS_NONLINEAR_LEVENBERG_MARQUARDT, c_double))
    x = start
    s = nl%solve(x)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. all(same(x, start)), &
               'nonlinear: Levenberg-Marquardt without J^T w: NKS_ERR_INVALID_ARGUMENT, x untouched')
    call nl%set_oracles(nl_residual, nl_jacobian_vector, nl_jacobian_transpose, c_loc(prob))
    prob = nonlinear_problem_t()
    s = nl%solve(x)
    call nl%get_report(r)
    call check(s == NKS_OK .and. r%method == NKS_NONLINEAR_LEVENBERG_MARQUARDT, &
               'nonlinear: Levenberg-Marquardt converges, the report says so')
    call check(r%jacobian_transpose_calls > 0 .and. int(r%jacobian_transpose_calls) == prob%jacobian_transpose_calls, &
               'nonlinear: Levenberg-Marquardt: J^T w calls = the caller''s count')
    call check(ieee_is_finite(r%gradient_norm) .and. r%steps >= 1, &
               'nonlinear: Levenberg-Marquardt: a gradient norm and step records')
    call nl%get_step(1, step)
    call check(step%lm_parameter > 0.0_c_double, 'nonlinear: Levenberg-Marquardt: step 1 has mu > 0')
    y = x
    call nl%set_oracles(nl_residual, nl_jacobian_vector, nl_jacobian_transpose, c_loc(prob), m=n + 2)
    x = start
    s = nl%solve(x)
    call check(s == NKS_OK .and. maxval(abs(x - y)) <= 1.0e-6_c_double, &
               'nonlinear: Levenberg-Marquardt with m = n + 2: the same solution')

    ! Copying and freeing.
    other = empty
    call check(.not. other%is_created(), 'nonlinear: assigning an object that holds no solver')
    call nks_nonlinear_free(c_null_ptr)
    call nl%free()
    call nl%free()
    call check(.not. nl%is_created(), 'nonlinear: free twice')
    s = nl%solve(x)
    call check(s == NKS_ERR_NULL_POINTER, 'nonlinear: solve after free: NKS_ERR_NULL_POINTER')
    call nl%get_point(y, stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'nonlinear: get_point after free: NKS_ERR_NULL_POINTER')
    call empty%free()
  end subroutine test_nonlinear

  !> A quiet NaN.
  function ieee_nan() result(v)
    use, intrinsic :: ieee_arithmetic, only: ieee_value, ieee_quiet_nan
    real(c_double) :: v
    v = ieee_value(1.0_c_double, ieee_quiet_nan)
  end function ieee_nan

end program errors

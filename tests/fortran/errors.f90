!> Error paths of the Fortran binding (bindings/fortran/nksolve.f90), run by
!> tests/bindings_fortran.rs:
!>   (a) a failing matvec / preconditioner / monitor procedure stops the solve with
!>       NKS_ERR_CALLBACK / NKS_ERR_ABORTED, the report keeps the callback's code and `x` is
!>       untouched; a context object is the caller's own (not a copy);
!>   (b) a CSR with an out-of-range column index fails with NKS_ERR_INVALID_ARGUMENT and a
!>       message naming the (1-based) row; arrays shorter than the row pointers declare are
!>       caught in Fortran before the library reads them;
!>   (c) freeing objects twice, freeing NULL, finalizing objects never created, and calls on
!>       freed objects are safe.
!> It also prints the layout of `type(nks_krylov_report)` ("layout size=... field=offset")
!> for the Rust test to compare with the C struct, and ends with "N passed, M failed";
!> any failure ends with `error stop`.
module errors_support
  use, intrinsic :: iso_c_binding, only: c_double, c_int
  implicit none
  private
  public :: m, laplace1d, counter_t, counting_matvec, failing_matvec, failing_precond, &
    stopping_monitor, fail_code, laplace_proc

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

  !> An `nks_matvec_proc` that never fails.
  subroutine laplace_proc(x, y, ierr)
    real(c_double), intent(in) :: x(:)
    real(c_double), intent(out) :: y(:)
    integer(c_int), intent(inout) :: ierr
    call laplace1d(x, y)
    ierr = 0
  end subroutine laplace_proc

end module errors_support

program errors
  use, intrinsic :: iso_c_binding
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
  logical function same(a, b)
    real(c_double), intent(in) :: a, b
    same = abs(a - b) <= 0.0_c_double
  end function same

  !> Byte offset of `field` from `base`.
  integer(c_intptr_t) function offset(base, field)
    type(c_ptr), intent(in) :: base, field
    offset = transfer(field, 0_c_intptr_t) - transfer(base, 0_c_intptr_t)
  end function offset

  !> Prints the size and field offsets of `nks_krylov_report`.
  subroutine print_layout()
    type(nks_krylov_report), target :: r
    type(c_ptr) :: b
    b = c_loc(r)
    write (*, '(a,11(a,i0))') 'layout', ' size=', c_sizeof(r), &
      ' status=', offset(b, c_loc(r%status)), ' termination=', offset(b, c_loc(r%termination)), &
      ' iterations=', offset(b, c_loc(r%iterations)), ' matvecs=', offset(b, c_loc(r%matvecs)), &
      ' precond_applies=', offset(b, c_loc(r%precond_applies)), ' rhs_norm=', offset(b, c_loc(r%rhs_norm)), &
      ' initial_residual_norm=', offset(b, c_loc(r%initial_residual_norm)), &
      ' residual_norm=', offset(b, c_loc(r%residual_norm)), ' seconds=', offset(b, c_loc(r%seconds)), &
      ' callback_code=', offset(b, c_loc(r%callback_code))
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

  !> A quiet NaN.
  function ieee_nan() result(v)
    use, intrinsic :: ieee_arithmetic, only: ieee_value, ieee_quiet_nan
    real(c_double) :: v
    v = ieee_value(1.0_c_double, ieee_quiet_nan)
  end function ieee_nan

end program errors

!> Unconstrained minimisation with callback oracles from Fortran. Prints the same lines as the
!> Rust reference (examples/rust/newton.rs) and the examples in the other languages.
!>
!> Problem: the extended Rosenbrock function (More, Garbow, Hillstrom 1981, problem 21) with
!> n = 100000,
!>   f(x) = sum over odd k of b (x(k+1) - x(k)^2)^2 + (a - x(k))^2,   a = 1, b = 100,
!> from the standard start (-1.2, 1, -1.2, 1, ...); the minimum is f = 0 at x = 1. The oracles
!> are what a host writes: `bind(c)` functions for the value, the gradient and the
!> Hessian-vector product, each O(n), that the library calls directly. They reach the host's
!> own data (here `type(rosenbrock_t)`: the constants a, b and where the objective refuses to
!> evaluate) through `user_data`: the program passes `c_loc(problem)` and each oracle turns it
!> back into a Fortran pointer with `c_f_pointer`. (f is summed in index order with the
!> operations of the Rust reference, so every language computes the same bits and the iteration
!> counts agree exactly.)
!>
!> Output, one line per method (trust-region Newton-CG, line-search Newton-CG, lazy-Hessian
!> Newton), then a last line for the oracle-failure semantics:
!>   NAME status=S iterations=K values=V gradients=G hessian_vectors=H failed=F converged=0|1
!>        x_error_below_1e-6=0|1
!> (status: what `solve` returned, 0 = converged; values / gradients: objective / gradient
!> evaluations; failed: trial points the objective refused; converged: ||g|| <= 1e-8). In the
!> last case ("refusing") the objective returns 1 (cannot evaluate) where x(2) < -1, and the
!> first trust radius is 1000 so that a trial step lands there: the solver shrinks its trust
!> region and goes around.
!>
!> Build: gfortran bindings/fortran/nksolve.f90 examples/fortran/newton.f90 -lnksolve
module newton_rosenbrock
  use, intrinsic :: iso_c_binding, only: c_double, c_int, c_size_t, c_ptr, c_f_pointer
  implicit none
  private
  public :: rosenbrock_t, rosenbrock_value, rosenbrock_gradient, rosenbrock_hessian_vector

  !> The host's data of the problem, given to the oracles as `user_data`.
  type :: rosenbrock_t
    !> `a` of (a - x(k))^2 (the minimum is at x = 1 for a = 1).
    real(c_double) :: a = 1.0_c_double
    !> `b` of b (x(k+1) - x(k)^2)^2, the weight of the curved valley.
    real(c_double) :: b = 100.0_c_double
    !> The objective refuses (returns 1 for) points with x(2) below this (-huge: never).
    real(c_double) :: refuse_below = -huge(1.0_c_double)
  end type rosenbrock_t

contains

  !> `nks_newton_objective_fn`: f(x), summed in index order.
  function rosenbrock_value(x, n, f, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(out) :: f
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(rosenbrock_t), pointer :: p
    real(c_double) :: t, u
    integer(c_size_t) :: k
    call c_f_pointer(user_data, p)
    f = 0.0_c_double
    if (x(2) < p%refuse_below) then
      code = 1 ! like a simulation that cannot run there: the solver shrinks its step
      return
    end if
    do k = 1, n, 2
      t = x(k + 1) - x(k)*x(k)
      u = p%a - x(k)
      f = f + (p%b*t*t + u*u)
    end do
    code = 0
  end function rosenbrock_value

  !> `nks_newton_gradient_fn`: g = grad f(x).
  function rosenbrock_gradient(x, n, g, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(out) :: g(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(rosenbrock_t), pointer :: p
    real(c_double) :: t
    integer(c_size_t) :: k
    call c_f_pointer(user_data, p)
    do k = 1, n, 2
      t = x(k + 1) - x(k)*x(k)
      g(k) = (-4.0_c_double*p%b)*x(k)*t - 2.0_c_double*(p%a - x(k))
      g(k + 1) = (2.0_c_double*p%b)*t
    end do
    code = 0
  end function rosenbrock_gradient

  !> `nks_newton_hessian_vector_fn`: hv = H(x) v, with the 2 x 2 blocks of the Hessian.
  function rosenbrock_hessian_vector(x, v, n, hv, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: v(n)
    real(c_double), intent(out) :: hv(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(rosenbrock_t), pointer :: p
    real(c_double) :: h11, h12
    integer(c_size_t) :: k
    call c_f_pointer(user_data, p)
    do k = 1, n, 2
      h11 = (12.0_c_double*p%b)*x(k)*x(k) - (4.0_c_double*p%b)*x(k + 1) + 2.0_c_double
      h12 = (-4.0_c_double*p%b)*x(k)
      hv(k) = h11*v(k) + h12*v(k + 1)
      hv(k + 1) = h12*v(k) + (2.0_c_double*p%b)*v(k + 1)
    end do
    code = 0
  end function rosenbrock_hessian_vector

end module newton_rosenbrock

program newton
  use, intrinsic :: iso_c_binding, only: c_double, c_int32_t, c_loc
  use, intrinsic :: iso_fortran_env, only: error_unit
  use nksolve
  use newton_rosenbrock
  implicit none

  !> Variables.
  integer, parameter :: n = 100000

  if (nks_version() /= NKS_HEADER_VERSION) then
    write (error_unit, '(a,i0,a,i0)') 'module version ', NKS_HEADER_VERSION, &
      ' does not match library ', nks_version()
    error stop 1
  end if
  call run_case('trust_region', NKS_NEWTON_TRUST_REGION, .false.)
  call run_case('line_search', NKS_NEWTON_LINE_SEARCH, .false.)
  call run_case('lazy', NKS_NEWTON_LAZY, .false.)
  call run_case('refusing', NKS_NEWTON_TRUST_REGION, .true.)

contains

  !> One minimisation from the standard start with `method`; with `refusing` the objective
  !> refuses x(2) < -1 and the first trust radius is 1000. The minimiser and the problem live in
  !> this procedure (the minimiser is finalized when it returns). Without stat= a failing call
  !> stops the program with the library's message.
  subroutine run_case(name, method, refusing)
    character(len=*), intent(in) :: name
    integer(c_int32_t), intent(in) :: method
    logical, intent(in) :: refusing
    type(nks_newton_t) :: opt
    type(nks_newton_report) :: r
    ! The host's own data: `target`, so that its address can be given as user_data, and alive
    ! during the solve.
    type(rosenbrock_t), target :: problem
    real(c_double), allocatable :: x(:)
    real(c_double) :: error
    integer(c_int32_t) :: status
    integer :: i

    allocate (x(n))
    do i = 1, n
      x(i) = merge(-1.2_c_double, 1.0_c_double, mod(i, 2) == 1)
    end do

    call opt%create()
    call opt%set_option('method', real(method, c_double))
    call opt%set_option('gatol', 1.0e-8_c_double)
    if (refusing) then
      problem%refuse_below = -1.0_c_double
      ! A first radius large enough for a trial step to land in the refused region.
      call opt%set_option('initial_radius', 1000.0_c_double)
    end if
    call opt%set_oracles(rosenbrock_value, rosenbrock_gradient, rosenbrock_hessian_vector, c_loc(problem))

    ! x is contiguous: the library and the oracles work on it without a copy.
    status = opt%solve(x)
    if (status < 0) then
      write (error_unit, '(a)') name//': solve failed: '//nks_status_text(status)
      write (error_unit, '(a)') '  '//opt%last_error()
      error stop 1
    end if
    call opt%get_report(r)
    error = 0.0_c_double
    do i = 1, n
      error = max(error, abs(x(i) - 1.0_c_double))
    end do
    write (*, '(a,7(a,i0),2a)') name, ' status=', status, ' iterations=', r%iterations, &
      ' values=', r%value_calls + r%value_gradient_calls, &
      ' gradients=', r%gradient_calls + r%value_gradient_calls, &
      ' hessian_vectors=', r%hessian_vector_calls, ' failed=', r%failed_evaluations, &
      ' converged=', merge(1, 0, r%gradient_norm <= 1.0e-8_c_double), &
      ' x_error_below_1e-6=', merge('1', '0', error <= 1.0e-6_c_double)
  end subroutine run_case

end program newton

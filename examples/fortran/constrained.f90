!> Equality-constrained optimisation with callback oracles from Fortran. Prints the same lines as
!> the Rust reference (examples/rust/constrained.rs) and the examples in the other languages.
!>
!> 1. Hock-Schittkowski problem 6: min (1 - x1)^2 s.t. 10 (x2 - x1^2) = 0 from (-1.2, 1)
!>    (solution (1, 1), f* = 0), solved three ways: the default randomized Gaussian sketch
!>    (seed 0), randomized Kaczmarz on the sparse rows of the Jacobian and the Hessian (given as
!>    1-based CSR patterns and functions that fill their values), and MINRES.
!> 2. A 1D optimal-control problem: min 1/2 ||y - y*||^2 + alpha/2 ||u||^2 subject to the
!>    discrete Poisson equation T y - h^2 u = 0 (T = tridiag(-1, 2, -1), N = 50 interior points
!>    of (0, 1), h = 1/51, y*_i = sin(pi t_i), alpha = 1e-6) by MINRES with a host
!>    preconditioner: diag(I, alpha I, S) with S the diagonal of the Schur complement
!>    T T + h^4 / alpha I.
!>
!> The oracles are what a host writes: `bind(c)` functions that the library calls directly,
!> reaching the host's own data (here the control problem's target y* and, for both problems,
!> the host's own count of the calls of each oracle, which the program compares with the
!> library's report) through `user_data`: the program passes `c_loc` of its object and each
!> oracle turns it back into a Fortran pointer with `c_f_pointer`. (The oracles compute with the
!> operations of the Rust reference in the same order, so every language computes the same bits
!> and the iteration counts agree exactly.)
!>
!> Output:
!>   hs6_SOLVER status=S iterations=I inner=K merit=M penalty_updates=P f=F x1=X1 x2=X2
!>   control1d status=S iterations=I inner=K preconditioner_calls=C f=F max_misfit=E
!> (status: 0 converged, 1 not; inner: inner iterations over all Newton steps (sketches,
!> Kaczmarz rows or MINRES iterations); merit: merit evaluations; max_misfit: max |y_i - y*_i|.)
!>
!> Build: gfortran bindings/fortran/nksolve.f90 examples/fortran/constrained.f90 -lnksolve
module constrained_oracles
  use, intrinsic :: iso_c_binding, only: c_double, c_int, c_size_t, c_ptr, c_f_pointer
  implicit none
  private
  public :: oracle_calls_t, hs6_objective, hs6_gradient, hs6_constraints, hs6_jacobian_vector, &
    hs6_jacobian_transpose, hs6_hessian_vector, hs6_jacobian_values, hs6_hessian_values
  public :: grid, alpha, h, pi, control_t, control_objective, control_gradient, control_constraints, &
    control_jacobian_vector, control_jacobian_transpose, control_hessian_vector, control_preconditioner

  !> The host's own count of the calls of each oracle.
  type :: oracle_calls_t
    integer(c_size_t) :: objective = 0
    integer(c_size_t) :: gradient = 0
    integer(c_size_t) :: constraints = 0
    integer(c_size_t) :: jacobian_products = 0
    integer(c_size_t) :: jacobian_transpose_products = 0
    integer(c_size_t) :: hessian_products = 0
    !> Sparse Jacobian and Hessian value calls.
    integer(c_size_t) :: matrix_evaluations = 0
    integer(c_size_t) :: preconditioner = 0
  end type oracle_calls_t

  !> Interior grid points of the control problem (x = [y; u], 2 grid unknowns, grid constraints).
  integer, parameter :: grid = 50
  !> The control cost.
  real(c_double), parameter :: alpha = 1.0e-6_c_double
  !> The mesh width 1 / (grid + 1).
  real(c_double), parameter :: h = 1.0_c_double/real(grid + 1, c_double)
  !> pi, rounded to the nearest double (Rust's `std::f64::consts::PI`).
  real(c_double), parameter :: pi = 3.141592653589793238462643383279502884_c_double

  !> The control problem's data, given to its oracles as `user_data`.
  type :: control_t
    !> The target state y*_i = sin(pi i h).
    real(c_double) :: target(grid)
    type(oracle_calls_t) :: calls
  end type control_t

contains

  ! ----- HS6: user_data is the host's call count (type(oracle_calls_t)) ------------------------

  !> `nks_constrained_objective_fn`: f = (1 - x1)^2.
  function hs6_objective(x, n, f, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(out) :: f
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(oracle_calls_t), pointer :: calls
    call c_f_pointer(user_data, calls)
    calls%objective = calls%objective + 1
    f = (1.0_c_double - x(1))*(1.0_c_double - x(1))
    code = 0
  end function hs6_objective

  !> `nks_constrained_gradient_fn`: g = grad f(x).
  function hs6_gradient(x, n, g, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(out) :: g(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(oracle_calls_t), pointer :: calls
    call c_f_pointer(user_data, calls)
    calls%gradient = calls%gradient + 1
    g(1) = -2.0_c_double*(1.0_c_double - x(1))
    g(2) = 0.0_c_double
    code = 0
  end function hs6_gradient

  !> `nks_constrained_constraints_fn`: c = 10 (x2 - x1^2).
  function hs6_constraints(x, n, c, m, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    integer(c_size_t), value :: m
    real(c_double), intent(out) :: c(m)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(oracle_calls_t), pointer :: calls
    call c_f_pointer(user_data, calls)
    calls%constraints = calls%constraints + 1
    c(1) = 10.0_c_double*(x(2) - x(1)*x(1))
    code = 0
  end function hs6_constraints

  !> `nks_constrained_jacobian_vector_fn`: jv = J(x) v, J = [-20 x1, 10].
  function hs6_jacobian_vector(x, v, n, jv, m, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: v(n)
    integer(c_size_t), value :: m
    real(c_double), intent(out) :: jv(m)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(oracle_calls_t), pointer :: calls
    call c_f_pointer(user_data, calls)
    calls%jacobian_products = calls%jacobian_products + 1
    jv(1) = (-20.0_c_double)*x(1)*v(1) + 10.0_c_double*v(2)
    code = 0
  end function hs6_jacobian_vector

  !> `nks_constrained_jacobian_transpose_fn`: jtw = J(x)^T w.
  function hs6_jacobian_transpose(x, w, m, jtw, n, user_data) bind(c) result(code)
    integer(c_size_t), value :: m
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: w(m)
    real(c_double), intent(out) :: jtw(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(oracle_calls_t), pointer :: calls
    call c_f_pointer(user_data, calls)
    calls%jacobian_transpose_products = calls%jacobian_transpose_products + 1
    jtw(1) = (-20.0_c_double)*x(1)*w(1)
    jtw(2) = 10.0_c_double*w(1)
    code = 0
  end function hs6_jacobian_transpose

  !> `nks_constrained_hessian_vector_fn`: hv = (grad^2 f + lambda grad^2 c) v
  !> = diag(2 - 20 lambda, 0) v.
  function hs6_hessian_vector(x, lambda, v, n, m, hv, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    integer(c_size_t), value :: m
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: lambda(m)
    real(c_double), intent(in) :: v(n)
    real(c_double), intent(out) :: hv(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(oracle_calls_t), pointer :: calls
    ! HS6's Hessian does not depend on x. (Fortran has no attribute for an argument left unused
    ! on purpose; this empty block uses it, for the -Wunused-dummy-argument of the test builds.)
    associate (not_needed => x)
    end associate
    call c_f_pointer(user_data, calls)
    calls%hessian_products = calls%hessian_products + 1
    hv(1) = (2.0_c_double - 20.0_c_double*lambda(1))*v(1)
    hv(2) = 0.0_c_double
    code = 0
  end function hs6_hessian_vector

  !> `nks_constrained_jacobian_values_fn`: the values of J in the order of its pattern (row 1:
  !> columns 1, 2).
  function hs6_jacobian_values(x, n, values, nnz, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    integer(c_size_t), value :: nnz
    real(c_double), intent(out) :: values(nnz)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(oracle_calls_t), pointer :: calls
    call c_f_pointer(user_data, calls)
    calls%matrix_evaluations = calls%matrix_evaluations + 1
    values(1) = (-20.0_c_double)*x(1)
    values(2) = 10.0_c_double
    code = 0
  end function hs6_jacobian_values

  !> `nks_constrained_hessian_values_fn`: the values of the Hessian of the Lagrangian (both
  !> triangles, dense 2 x 2 pattern, row by row).
  function hs6_hessian_values(x, lambda, n, m, values, nnz, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    integer(c_size_t), value :: m
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: lambda(m)
    integer(c_size_t), value :: nnz
    real(c_double), intent(out) :: values(nnz)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(oracle_calls_t), pointer :: calls
    associate (not_needed => x) ! (as in hs6_hessian_vector)
    end associate
    call c_f_pointer(user_data, calls)
    calls%matrix_evaluations = calls%matrix_evaluations + 1
    values(1) = 2.0_c_double - 20.0_c_double*lambda(1)
    values(2) = 0.0_c_double
    values(3) = 0.0_c_double
    values(4) = 0.0_c_double
    code = 0
  end function hs6_hessian_values

  ! ----- The control problem: user_data is its type(control_t); x = [y; u] ----------------------

  !> out = T v for T = tridiag(-1, 2, -1).
  subroutine tridiag(v, out)
    real(c_double), intent(in) :: v(:)
    real(c_double), intent(out) :: out(:)
    real(c_double) :: left, right
    integer :: i, west, east
    do i = 1, grid
      ! Zero outside the grid.
      west = i - 1
      east = i + 1
      left = 0.0_c_double
      right = 0.0_c_double
      if (west >= 1) left = v(west)
      if (east <= grid) right = v(east)
      out(i) = 2.0_c_double*v(i) - left - right
    end do
  end subroutine tridiag

  !> jv = J v = T v_y - h^2 v_u (the constraints are linear: c(x) = J x).
  subroutine poisson_product(v, jv)
    real(c_double), intent(in) :: v(:)
    real(c_double), intent(out) :: jv(:)
    integer :: i
    call tridiag(v(1:grid), jv)
    do i = 1, grid
      jv(i) = jv(i) - h*h*v(grid + i)
    end do
  end subroutine poisson_product

  !> `nks_constrained_objective_fn`: f = 1/2 ||y - y*||^2 + alpha/2 ||u||^2, summed in index order.
  function control_objective(x, n, f, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(out) :: f
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(control_t), pointer :: p
    integer :: i
    call c_f_pointer(user_data, p)
    p%calls%objective = p%calls%objective + 1
    f = 0.0_c_double
    do i = 1, grid
      f = f + (0.5_c_double*(x(i) - p%target(i))*(x(i) - p%target(i)) + 0.5_c_double*alpha*x(grid + i)*x(grid + i))
    end do
    code = 0
  end function control_objective

  !> `nks_constrained_gradient_fn`: g = [y - y*; alpha u].
  function control_gradient(x, n, g, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(out) :: g(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(control_t), pointer :: p
    integer :: i
    call c_f_pointer(user_data, p)
    p%calls%gradient = p%calls%gradient + 1
    do i = 1, grid
      g(i) = x(i) - p%target(i)
      g(grid + i) = alpha*x(grid + i)
    end do
    code = 0
  end function control_gradient

  !> `nks_constrained_constraints_fn`: c = T y - h^2 u.
  function control_constraints(x, n, c, m, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    integer(c_size_t), value :: m
    real(c_double), intent(out) :: c(m)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(control_t), pointer :: p
    call c_f_pointer(user_data, p)
    p%calls%constraints = p%calls%constraints + 1
    call poisson_product(x, c)
    code = 0
  end function control_constraints

  !> `nks_constrained_jacobian_vector_fn`: jv = T v_y - h^2 v_u.
  function control_jacobian_vector(x, v, n, jv, m, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: v(n)
    integer(c_size_t), value :: m
    real(c_double), intent(out) :: jv(m)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(control_t), pointer :: p
    ! The constraints are linear: J does not depend on x (see hs6_hessian_vector for the block).
    associate (not_needed => x)
    end associate
    call c_f_pointer(user_data, p)
    p%calls%jacobian_products = p%calls%jacobian_products + 1
    call poisson_product(v, jv)
    code = 0
  end function control_jacobian_vector

  !> `nks_constrained_jacobian_transpose_fn`: jtw = [T w; -h^2 w].
  function control_jacobian_transpose(x, w, m, jtw, n, user_data) bind(c) result(code)
    integer(c_size_t), value :: m
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: w(m)
    real(c_double), intent(out) :: jtw(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(control_t), pointer :: p
    integer :: i
    associate (not_needed => x)
    end associate
    call c_f_pointer(user_data, p)
    p%calls%jacobian_transpose_products = p%calls%jacobian_transpose_products + 1
    call tridiag(w, jtw(1:grid))
    do i = 1, grid
      jtw(grid + i) = -h*h*w(i)
    end do
    code = 0
  end function control_jacobian_transpose

  !> `nks_constrained_hessian_vector_fn`: hv = diag(I, alpha I) v (the constraints are linear, so
  !> the multipliers do not enter).
  function control_hessian_vector(x, lambda, v, n, m, hv, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    integer(c_size_t), value :: m
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: lambda(m)
    real(c_double), intent(in) :: v(n)
    real(c_double), intent(out) :: hv(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(control_t), pointer :: p
    integer :: i
    associate (not_needed => x, not_needed_either => lambda)
    end associate
    call c_f_pointer(user_data, p)
    p%calls%hessian_products = p%calls%hessian_products + 1
    do i = 1, grid
      hv(i) = v(i)
      hv(grid + i) = alpha*v(grid + i)
    end do
    code = 0
  end function control_hessian_vector

  !> `nks_constrained_precond_fn`: z = diag(I, alpha I, S)^{-1} r, S = diag(T T) + h^4 / alpha
  !> (T T has 5 on its first and last diagonal entries, 6 elsewhere).
  function control_preconditioner(x, lambda, r, n, m, z, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    integer(c_size_t), value :: m
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: lambda(m)
    real(c_double), intent(in) :: r(n + m)
    real(c_double), intent(out) :: z(n + m)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(control_t), pointer :: p
    real(c_double) :: h4, ends
    integer :: i
    associate (not_needed => x, not_needed_either => lambda)
    end associate
    call c_f_pointer(user_data, p)
    p%calls%preconditioner = p%calls%preconditioner + 1
    h4 = h*h*h*h
    do i = 1, grid
      z(i) = r(i)
      z(grid + i) = r(grid + i)/alpha
      ends = 6.0_c_double
      if (i == 1 .or. i == grid) ends = 5.0_c_double
      z(2*grid + i) = r(2*grid + i)/(ends + h4/alpha)
    end do
    code = 0
  end function control_preconditioner

end module constrained_oracles

program constrained
  use, intrinsic :: iso_c_binding, only: c_double, c_int32_t, c_int64_t, c_size_t, c_loc
  use, intrinsic :: iso_fortran_env, only: error_unit
  use nksolve
  use constrained_oracles
  implicit none

  if (nks_version() /= NKS_HEADER_VERSION) then
    write (error_unit, '(a,i0,a,i0)') 'module version ', NKS_HEADER_VERSION, &
      ' does not match library ', nks_version()
    error stop 1
  end if
  call hs6_line('hs6_sketch', NKS_KKT_GAUSSIAN_SKETCH)
  call hs6_line('hs6_kaczmarz', NKS_KKT_KACZMARZ)
  call hs6_line('hs6_minres', NKS_KKT_MINRES)
  call control1d()

contains

  !> HS6 from (-1.2, 1) with the inner solver `kkt_solver` on a fresh solver. The solver and the
  !> host's data live in this procedure (the solver is finalized when it returns). Without stat=
  !> a failing call stops the program with the library's message.
  subroutine hs6_line(name, kkt_solver)
    character(len=*), intent(in) :: name
    integer(c_int32_t), intent(in) :: kkt_solver
    ! The sparse rows, numbered from 1: J is 1 x 2, the Hessian of the Lagrangian 2 x 2 (both
    ! dense).
    integer(c_int64_t), parameter :: jacobian_row_ptr(2) = [1_c_int64_t, 3_c_int64_t]
    integer(c_int64_t), parameter :: jacobian_col_idx(2) = [1_c_int64_t, 2_c_int64_t]
    integer(c_int64_t), parameter :: hessian_row_ptr(3) = [1_c_int64_t, 3_c_int64_t, 5_c_int64_t]
    integer(c_int64_t), parameter :: hessian_col_idx(4) = [1_c_int64_t, 2_c_int64_t, 1_c_int64_t, 2_c_int64_t]
    type(nks_constrained_t) :: solver
    type(nks_constrained_report) :: r
    ! The host's data: `target`, so that its address can be given as user_data.
    type(oracle_calls_t), target :: calls
    real(c_double) :: x(2), lambda(1)
    integer(c_int32_t) :: status

    call solver%create()
    call solver%set_option('kkt_solver', real(kkt_solver, c_double))
    call solver%set_oracles(1, hs6_objective, hs6_gradient, hs6_constraints, hs6_jacobian_vector, &
                            hs6_jacobian_transpose, hs6_hessian_vector, c_loc(calls))
    call solver%set_sparse_rows(jacobian_row_ptr, jacobian_col_idx, hs6_jacobian_values, &
                                hessian_row_ptr, hessian_col_idx, hs6_hessian_values, c_loc(calls))
    x = [-1.2_c_double, 1.0_c_double]
    lambda = 0.0_c_double
    status = solver%solve(x, lambda)
    call check(name, status, solver)
    call solver%get_report(r)
    call check_counts(name, calls, r)
    write (*, '(a)') name//' status='//merge('0', '1', status == NKS_OK)//' iterations='//int_text(r%iterations)// &
      ' inner='//int_text(r%inner_iterations)//' merit='//int_text(r%merit_evaluations)// &
      ' penalty_updates='//int_text(r%penalty_updates)//' f='//scientific(r%objective, 6)// &
      ' x1='//fixed(x(1), 8)//' x2='//fixed(x(2), 8)
  end subroutine hs6_line

  !> The control problem from x = 0 by MINRES with the host's preconditioner.
  subroutine control1d()
    type(nks_constrained_t) :: solver
    type(nks_constrained_report) :: r
    type(control_t), target :: problem
    real(c_double) :: x(2*grid), lambda(grid)
    integer(c_int32_t) :: status
    integer :: i

    do i = 1, grid
      problem%target(i) = sin(pi*real(i, c_double)*h)
    end do
    call solver%create()
    call solver%set_option('kkt_solver', real(NKS_KKT_MINRES, c_double))
    call solver%set_oracles(grid, control_objective, control_gradient, control_constraints, control_jacobian_vector, &
                            control_jacobian_transpose, control_hessian_vector, c_loc(problem))
    call solver%set_preconditioner(control_preconditioner, c_loc(problem))
    x = 0.0_c_double
    lambda = 0.0_c_double
    status = solver%solve(x, lambda)
    call check('control1d', status, solver)
    call solver%get_report(r)
    call check_counts('control1d', problem%calls, r)
    write (*, '(a)') 'control1d status='//merge('0', '1', status == NKS_OK)//' iterations='//int_text(r%iterations)// &
      ' inner='//int_text(r%inner_iterations)//' preconditioner_calls='//int_text(r%preconditioner_calls)// &
      ' f='//scientific(r%objective, 6)//' max_misfit='//scientific(maxval(abs(x(1:grid) - problem%target)), 6)
  end subroutine control1d

  !> Stops the program with the library's message when a solve failed (`solve` never stops).
  subroutine check(name, status, solver)
    character(len=*), intent(in) :: name
    integer(c_int32_t), intent(in) :: status
    type(nks_constrained_t), intent(in) :: solver
    if (status < 0) then
      write (error_unit, '(a)') name//': solve failed: '//nks_status_text(status)
      write (error_unit, '(a)') '  '//solver%last_error()
      error stop 1
    end if
  end subroutine check

  !> Stops the program when the report's oracle counts differ from the host's own.
  subroutine check_counts(name, calls, r)
    character(len=*), intent(in) :: name
    type(oracle_calls_t), intent(in) :: calls
    type(nks_constrained_report), intent(in) :: r
    if (calls%objective /= r%objective_evaluations .or. calls%gradient /= r%gradient_evaluations .or. &
        calls%constraints /= r%constraint_evaluations .or. calls%jacobian_products /= r%jacobian_products .or. &
        calls%jacobian_transpose_products /= r%jacobian_transpose_products .or. &
        calls%hessian_products /= r%hessian_products .or. calls%matrix_evaluations /= r%matrix_evaluations .or. &
        calls%preconditioner /= r%preconditioner_calls) then
      write (error_unit, '(a)') name//': the report''s oracle counts differ from the calls the host counted'
      error stop 1
    end if
  end subroutine check_counts

  !> An integer as text, without blanks.
  function int_text(v) result(text)
    integer(c_size_t), intent(in) :: v
    character(len=:), allocatable :: text
    character(len=24) :: buf
    write (buf, '(i0)') v
    text = trim(buf)
  end function int_text

  !> `v` with `digits` digits after the point, as Rust's "{:.8}" writes it (leading zero
  !> included).
  function fixed(v, digits) result(text)
    real(c_double), intent(in) :: v
    integer, intent(in) :: digits
    character(len=:), allocatable :: text
    character(len=40) :: buf
    character(len=16) :: form
    write (form, '(a,i0,a)') '(f40.', digits, ')'
    write (buf, form) v
    text = trim(adjustl(buf))
  end function fixed

  !> `v` in scientific notation with `digits` digits after the point, as Rust's "{:.6e}" writes
  !> it: "1.388567e-14" (no plus sign, no leading zeros in the exponent).
  function scientific(v, digits) result(text)
    real(c_double), intent(in) :: v
    integer, intent(in) :: digits
    character(len=:), allocatable :: text
    character(len=40) :: buf
    character(len=16) :: form
    integer :: e, exponent
    write (form, '(a,i0,a)') '(es40.', digits, 'e4)'
    write (buf, form) v
    buf = adjustl(buf)
    e = index(buf, 'E')
    read (buf(e + 1:), *) exponent
    write (form, '(i0)') exponent
    text = buf(:e - 1)//'e'//trim(form)
  end function scientific

end program constrained

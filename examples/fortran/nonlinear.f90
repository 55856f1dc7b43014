!> Nonlinear systems with callback oracles from Fortran: a PDE code's time-stepping loop. Prints
!> the same lines as the Rust reference (examples/rust/nonlinear.rs) and the examples in the
!> other languages.
!>
!> 1. Implicit time stepping of the 2D Bratu equation u_t = Laplace(u) + lambda e^u on the unit
!>    square (zero boundary, 32 x 32 interior grid, h = 1/33, lambda = 6): 8 implicit Euler steps
!>    of dt = 0.1 from u = 0. Each step solves, scaled by h^2,
!>      F(u)_p = (h^2/dt) (u_p - u_old_p) + 4 u_p - u_W - u_E - u_S - u_N - h^2 lambda e^(u_p) = 0
!>    by Jacobian-free Newton-Krylov: the host gives only the residual, and J v is a finite
!>    difference. One solver object lives through the whole loop, so with GCRO-DR (the default
!>    inner solver) the recycle space carries from one Newton step, and one time step, to the
!>    next; the second line runs plain GMRES for comparison.
!> 2. The steady Bratu problem on the same grid (mass 0) with the exact J v oracle.
!> 3. Levenberg-Marquardt fitting y = a e^(-b t) + c to 20 points t_i = (i - 1)/4 made with
!>    (a, b, c) = (2.5, 1.3, 0.5), from (1, 1, 0), with the J v and J^T w oracles.
!>
!> The oracles are what a host writes: `bind(c)` functions that the library calls directly,
!> reaching the host's own data (here `type(bratu_step_t)`: the previous time level u_old and the
!> mass coefficient h^2/dt) through `user_data`: the program passes `c_loc(step)` and each oracle
!> turns it back into a Fortran pointer with `c_f_pointer`. (Residuals are computed with the
!> operations of the Rust reference in the same order, so every language computes the same bits
!> and the iteration counts agree exactly.)
!>
!> Output:
!>   bratu_time_METHOD steps=8 converged_steps=C newton=N krylov=K residuals=R recycled=V umax=U
!>   bratu_steady status=S newton=N krylov=K residuals=R jacobian_vectors=J umax=U
!>   lm_fit status=S iterations=I residuals=R jacobian_vectors=J jacobian_transposes=T
!>          params_within_1e-6=0|1
!> (newton: Newton steps over all time steps; krylov: inner GMRES / GCRO-DR iterations;
!> residuals: residual evaluations, finite-difference products included; recycled: vectors kept
!> for the next solve; umax: max of u at the end; status: what `solve` returned, 0 = converged.)
!>
!> Build: gfortran bindings/fortran/nksolve.f90 examples/fortran/nonlinear.f90 -lnksolve
module bratu_oracles
  use, intrinsic :: iso_c_binding, only: c_double, c_int, c_size_t, c_ptr, c_f_pointer
  implicit none
  private
  public :: side, lambda, bratu_step_t, bratu_residual, bratu_jacobian_vector
  public :: exponential_fit_t, fit_residual, fit_jacobian_vector, fit_jacobian_transpose

  !> Interior grid points per direction (n = side^2 unknowns, numbered p = i + side (j - 1)).
  integer, parameter :: side = 32
  !> The Bratu parameter (below the fold at about 6.81, so a solution exists).
  real(c_double), parameter :: lambda = 6.0_c_double

  !> One implicit Euler step, given to the oracles as `user_data`.
  type :: bratu_step_t
    !> h^2 / dt (0 for the steady problem).
    real(c_double) :: mass = 0.0_c_double
    !> u at the previous time level.
    real(c_double), allocatable :: u_old(:)
  end type bratu_step_t

  !> The data of the least-squares fit: r_i = a e^(-b t_i) + c - y_i.
  type :: exponential_fit_t
    real(c_double) :: t(20)
    real(c_double) :: y(20)
  end type exponential_fit_t

contains

  !> `nks_nonlinear_residual_fn`: F(u) of the time step (or of the steady problem).
  function bratu_residual(u, n, f, m, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: u(n)
    integer(c_size_t), value :: m
    real(c_double), intent(out) :: f(m)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(bratu_step_t), pointer :: step
    real(c_double) :: h, source, west, east, south, north
    integer :: i, j, p
    call c_f_pointer(user_data, step)
    h = 1.0_c_double/real(side + 1, c_double)
    source = h*h*lambda
    do j = 1, side
      do i = 1, side
        p = i + side*(j - 1)
        ! Zero Dirichlet values outside the grid.
        west = 0.0_c_double
        east = 0.0_c_double
        south = 0.0_c_double
        north = 0.0_c_double
        if (i > 1) west = u(p - 1)
        if (i < side) east = u(p + 1)
        if (j > 1) south = u(p - side)
        if (j < side) north = u(p + side)
        f(p) = step%mass*(u(p) - step%u_old(p)) + 4.0_c_double*u(p) - west - east - south - north - source*exp(u(p))
      end do
    end do
    code = 0
  end function bratu_residual

  !> `nks_nonlinear_jacobian_vector_fn`: jv = J(u) v, the exact product the finite difference
  !> approximates.
  function bratu_jacobian_vector(u, v, n, jv, m, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: u(n)
    real(c_double), intent(in) :: v(n)
    integer(c_size_t), value :: m
    real(c_double), intent(out) :: jv(m)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(bratu_step_t), pointer :: step
    real(c_double) :: h, source, west, east, south, north
    integer :: i, j, p
    call c_f_pointer(user_data, step)
    h = 1.0_c_double/real(side + 1, c_double)
    source = h*h*lambda
    do j = 1, side
      do i = 1, side
        p = i + side*(j - 1)
        west = 0.0_c_double
        east = 0.0_c_double
        south = 0.0_c_double
        north = 0.0_c_double
        if (i > 1) west = v(p - 1)
        if (i < side) east = v(p + 1)
        if (j > 1) south = v(p - side)
        if (j < side) north = v(p + side)
        jv(p) = step%mass*v(p) + 4.0_c_double*v(p) - west - east - south - north - source*exp(u(p))*v(p)
      end do
    end do
    code = 0
  end function bratu_jacobian_vector

  !> `nks_nonlinear_residual_fn` of the fit: r_i = a e^(-b t_i) + c - y_i (m = 20, n = 3).
  function fit_residual(x, n, r, m, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    integer(c_size_t), value :: m
    real(c_double), intent(out) :: r(m)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(exponential_fit_t), pointer :: fit
    integer(c_size_t) :: i
    call c_f_pointer(user_data, fit)
    do i = 1, m
      r(i) = x(1)*exp(-x(2)*fit%t(i)) + x(3) - fit%y(i)
    end do
    code = 0
  end function fit_residual

  !> `nks_nonlinear_jacobian_vector_fn` of the fit: jv = J(x) v.
  function fit_jacobian_vector(x, v, n, jv, m, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: v(n)
    integer(c_size_t), value :: m
    real(c_double), intent(out) :: jv(m)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(exponential_fit_t), pointer :: fit
    real(c_double) :: e
    integer(c_size_t) :: i
    call c_f_pointer(user_data, fit)
    do i = 1, m
      e = exp(-x(2)*fit%t(i))
      jv(i) = e*v(1) - x(1)*fit%t(i)*e*v(2) + v(3)
    end do
    code = 0
  end function fit_jacobian_vector

  !> `nks_nonlinear_jacobian_transpose_fn` of the fit: jtw = J(x)^T w, summed in index order.
  function fit_jacobian_transpose(x, w, m, jtw, n, user_data) bind(c) result(code)
    integer(c_size_t), value :: m
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: w(m)
    real(c_double), intent(out) :: jtw(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(exponential_fit_t), pointer :: fit
    real(c_double) :: e
    integer(c_size_t) :: i
    call c_f_pointer(user_data, fit)
    jtw = 0.0_c_double
    do i = 1, m
      e = exp(-x(2)*fit%t(i))
      jtw(1) = jtw(1) + e*w(i)
      jtw(2) = jtw(2) - x(1)*fit%t(i)*e*w(i)
      jtw(3) = jtw(3) + w(i)
    end do
    code = 0
  end function fit_jacobian_transpose

end module bratu_oracles

program nonlinear
  use, intrinsic :: iso_c_binding, only: c_double, c_int32_t, c_size_t, c_loc
  use, intrinsic :: iso_fortran_env, only: error_unit
  use nksolve
  use bratu_oracles
  implicit none

  !> Unknowns of the Bratu problems.
  integer, parameter :: n = side*side
  !> Time step and number of implicit Euler steps.
  real(c_double), parameter :: dt = 0.1_c_double
  integer, parameter :: time_steps = 8

  if (nks_version() /= NKS_HEADER_VERSION) then
    write (error_unit, '(a,i0,a,i0)') 'module version ', NKS_HEADER_VERSION, &
      ' does not match library ', nks_version()
    error stop 1
  end if
  call time_stepping('bratu_time_gcrodr', NKS_KRYLOV_GCRODR)
  call time_stepping('bratu_time_gmres', NKS_KRYLOV_GMRES)
  call steady_bratu()
  call exponential_fit()

contains

  !> 8 implicit Euler steps from u = 0 with one solver for the whole run (its recycle space, with
  !> GCRO-DR, goes from each step to the next), the inner solver `krylov_method`. The solver and
  !> the problem live in this procedure (the solver is finalized when it returns). Without stat=
  !> a failing call stops the program with the library's message.
  subroutine time_stepping(name, krylov_method)
    character(len=*), intent(in) :: name
    integer(c_int32_t), intent(in) :: krylov_method
    type(nks_nonlinear_t) :: solver
    type(nks_nonlinear_report) :: r
    ! The host's own data: `target`, so that its address can be given as user_data, and alive
    ! during every solve.
    type(bratu_step_t), target :: step
    real(c_double), allocatable :: u(:)
    real(c_double) :: h
    integer(c_size_t) :: newton, krylov, residuals
    integer(c_int32_t) :: status
    integer :: k, converged

    h = 1.0_c_double/real(side + 1, c_double)
    allocate (u(n))
    u = 0.0_c_double
    step%mass = h*h/dt
    step%u_old = u

    call solver%create()
    call solver%set_option('krylov_method', real(krylov_method, c_double))
    ! Only the residual: J v is a finite difference.
    call solver%set_oracles(bratu_residual, user_data=c_loc(step))

    newton = 0
    krylov = 0
    residuals = 0
    converged = 0
    do k = 1, time_steps
      step%u_old = u
      ! u (the previous level as the first guess) is contiguous: no copy on the way in or out.
      status = solver%solve(u)
      call check(name, status, solver)
      call solver%get_report(r)
      newton = newton + r%iterations
      krylov = krylov + r%inner_iterations
      residuals = residuals + r%residual_evaluations
      if (status == NKS_OK) converged = converged + 1
    end do
    write (*, '(a,6(a,i0),2a)') name, ' steps=', time_steps, ' converged_steps=', converged, &
      ' newton=', newton, ' krylov=', krylov, ' residuals=', residuals, ' recycled=', r%recycled_vectors, &
      ' umax=', scientific(maxval(u), 10)
  end subroutine time_stepping

  !> The steady problem (mass 0) from u = 0 with the exact J v oracle on a fresh solver.
  subroutine steady_bratu()
    type(nks_nonlinear_t) :: solver
    type(nks_nonlinear_report) :: r
    type(bratu_step_t), target :: steady
    real(c_double), allocatable :: u(:)
    integer(c_int32_t) :: status

    allocate (u(n))
    u = 0.0_c_double
    steady%mass = 0.0_c_double
    steady%u_old = u
    call solver%create()
    call solver%set_oracles(bratu_residual, bratu_jacobian_vector, user_data=c_loc(steady))
    status = solver%solve(u)
    call check('bratu_steady', status, solver)
    call solver%get_report(r)
    write (*, '(a,5(a,i0),2a)') 'bratu_steady', ' status=', status, ' newton=', r%iterations, &
      ' krylov=', r%inner_iterations, ' residuals=', r%residual_evaluations, &
      ' jacobian_vectors=', r%jacobian_vector_calls, ' umax=', scientific(maxval(u), 10)
  end subroutine steady_bratu

  !> Levenberg-Marquardt on the exponential fit (m = 20 residuals, n = 3 parameters).
  subroutine exponential_fit()
    type(nks_nonlinear_t) :: solver
    type(nks_nonlinear_report) :: r
    type(exponential_fit_t), target :: fit
    real(c_double) :: x(3), error
    integer(c_int32_t) :: status
    integer :: i

    do i = 1, size(fit%t)
      fit%t(i) = real(i - 1, c_double)/4.0_c_double
      fit%y(i) = 2.5_c_double*exp(-1.3_c_double*fit%t(i)) + 0.5_c_double
    end do
    x = [1.0_c_double, 1.0_c_double, 0.0_c_double]
    call solver%create()
    call solver%set_option('method', real(NKS_NONLINEAR_LEVENBERG_MARQUARDT, c_double))
    call solver%set_oracles(fit_residual, fit_jacobian_vector, fit_jacobian_transpose, c_loc(fit), m=size(fit%t))
    status = solver%solve(x)
    call check('lm_fit', status, solver)
    call solver%get_report(r)
    error = max(abs(x(1) - 2.5_c_double), abs(x(2) - 1.3_c_double), abs(x(3) - 0.5_c_double))
    write (*, '(a,5(a,i0),2a)') 'lm_fit', ' status=', status, ' iterations=', r%iterations, &
      ' residuals=', r%residual_evaluations, ' jacobian_vectors=', r%jacobian_vector_calls, &
      ' jacobian_transposes=', r%jacobian_transpose_calls, &
      ' params_within_1e-6=', merge('1', '0', error <= 1.0e-6_c_double)
  end subroutine exponential_fit

  !> Stops the program with the library's message when a solve failed (`solve` never stops).
  subroutine check(name, status, solver)
    character(len=*), intent(in) :: name
    integer(c_int32_t), intent(in) :: status
    type(nks_nonlinear_t), intent(in) :: solver
    if (status < 0) then
      write (error_unit, '(a)') name//': solve failed: '//nks_status_text(status)
      write (error_unit, '(a)') '  '//solver%last_error()
      error stop 1
    end if
  end subroutine check

  !> `v` in scientific notation with `digits` digits after the point, as Rust's "{:.10e}" writes
  !> it: "7.9047578040e-1" (no plus sign, no leading zeros in the exponent).
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

end program nonlinear

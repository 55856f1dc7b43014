!> Entropic optimal transport between two point clouds with nksolve from Fortran: the
!> 2-Wasserstein distance W2 by log-domain Sinkhorn and by Sinkhorn-Newton-Sparse, from the
!> clouds and from a dense cost matrix, and the sparse plan. Prints the same lines as the Rust
!> reference (examples/rust/sinkhorn.rs) and the C example.
!>
!>   300 source points: the Halton points of bases (2, 3) in [0, 1]^2;
!>   200 target points: the Halton points of bases (5, 7), shifted by (0.3, 0);
!>   uniform weights, squared Euclidean cost (p = 2), eps = 0.01, stop at an L1 marginal error
!>   of 1e-9. (Halton points need no random generator, so every language builds the same clouds.)
!>
!> Output:
!>   sinkhorn iterations=K marginal_error=E cost=<C,P> w2=sqrt(<C,P>)
!>                              (log-domain Sinkhorn, costs computed on the fly)
!>   sns newton=K sinkhorn=K2 converged=0|1 w2=W
!>                              (Sinkhorn-Newton-Sparse on the same problem, same solver)
!>   dense iterations=K w2=W regularized=R
!>                              (the same problem from the dense 300 x 200 cost matrix)
!>   plan nnz=Z mass=M          (the plan's entries >= 1e-4 and the mass they carry)
!>
!> Build: gfortran bindings/fortran/nksolve.f90 examples/fortran/sinkhorn.f90 -lnksolve
program sinkhorn
  use, intrinsic :: iso_c_binding, only: c_double, c_int32_t, c_size_t
  use, intrinsic :: iso_fortran_env, only: error_unit
  use nksolve
  implicit none

  !> Source points.
  integer, parameter :: n = 300
  !> Target points.
  integer, parameter :: m = 200
  !> Dimension.
  integer, parameter :: d = 2
  !> Plan entries from this value on are read back.
  real(c_double), parameter :: threshold = 1.0e-4_c_double

  if (nks_version() /= NKS_HEADER_VERSION) then
    write (error_unit, '(a,i0,a,i0)') 'module version ', NKS_HEADER_VERSION, &
      ' does not match library ', nks_version()
    error stop 1
  end if
  call run()

contains

  !> The solves; the solver lives in this procedure and is finalized when it returns. Without
  !> stat= a failing call stops the program with the library's message.
  subroutine run()
    type(nks_sinkhorn_t) :: ot
    type(nks_sinkhorn_report) :: r
    ! The clouds as d x n and d x m arrays: point i is the column x(:, i), which is the layout the
    ! library reads, so they are passed without a copy (leading dimension d).
    real(c_double) :: x(d, n), y(d, m), a(n), b(m), f(n), g(m)
    real(c_double), allocatable :: c(:, :), values(:)
    integer, allocatable :: rows(:), cols(:)
    integer(c_size_t) :: nnz
    real(c_double) :: mass
    integer :: i, j, k

    do i = 1, n
      x(:, i) = [halton(i, 2), halton(i, 3)]
    end do
    do j = 1, m
      y(:, j) = [halton(j, 5) + 0.3_c_double, halton(j, 7)]
    end do
    a = 1.0_c_double/real(n, c_double)
    b = 1.0_c_double/real(m, c_double)
    f = 0.0_c_double
    g = 0.0_c_double

    call ot%create()
    call ot%set_option('eps', 0.01_c_double)
    call ot%set_option('tol', 1.0e-9_c_double)

    ! Log-domain Sinkhorn on the clouds, |x_i - y_j|^2 computed on the fly. "use_initial_guess"
    ! is 0 (the default), so f and g are reset by every solve.
    call check_solve(ot%solve_points(a, b, x, y, 2.0_c_double, f, g), ot, 'solve_points')
    call ot%get_report(r)
    write (*, '(a)') 'sinkhorn iterations='//int_text(r%iterations)//' marginal_error='// &
      scientific(r%marginal_error, 1)//' cost='//fixed(r%transport_cost, 10)//' w2='// &
      fixed(sqrt(r%transport_cost), 10)

    ! Sinkhorn-Newton-Sparse on the same problem, with the same solver.
    call ot%set_option('method', real(NKS_OT_SNS, c_double))
    call check_solve(ot%solve_points(a, b, x, y, 2.0_c_double, f, g), ot, 'solve_points (SNS)')
    call ot%get_report(r)
    write (*, '(a)') 'sns newton='//int_text(r%newton_iterations)//' sinkhorn='// &
      int_text(r%sinkhorn_iterations)//' converged='// &
      merge('1', '0', r%termination == NKS_TERMINATION_CONVERGED_ATOL)//' w2='//fixed(sqrt(r%transport_cost), 10)

    ! The same problem from the dense cost matrix c(n, m), by Sinkhorn.
    allocate (c(n, m))
    do j = 1, m
      do i = 1, n
        c(i, j) = (x(1, i) - y(1, j))**2 + (x(2, i) - y(2, j))**2
      end do
    end do
    call ot%set_option('method', real(NKS_OT_SINKHORN, c_double))
    call check_solve(ot%solve_dense(a, b, c, f, g), ot, 'solve_dense')
    call ot%get_report(r)
    write (*, '(a)') 'dense iterations='//int_text(r%iterations)//' w2='//fixed(sqrt(r%transport_cost), 10)// &
      ' regularized='//fixed(r%regularized_cost, 10)

    ! The plan's entries >= 1e-4: how many, then the entries (rows and columns from 1).
    nnz = ot%plan_nnz(threshold)
    call ot%plan_sparse(threshold, rows, cols, values)
    if (size(values, kind=c_size_t) /= nnz) then
      write (error_unit, '(a)') 'plan_sparse returned another count than plan_nnz'
      error stop 1
    end if
    if (nnz > 0) then
      if (minval(rows) < 1 .or. maxval(rows) > n .or. minval(cols) < 1 .or. maxval(cols) > m) then
        write (error_unit, '(a)') 'plan entries outside 1..n x 1..m'
        error stop 1
      end if
    end if
    mass = 0.0_c_double
    do k = 1, size(values)
      mass = mass + values(k)
    end do
    write (*, '(a)') 'plan nnz='//int_text(nnz)//' mass='//fixed(mass, 6)
    call ot%free()
  end subroutine run

  !> The `i`-th element (from 1) of the van der Corput sequence in `base`, with the operations
  !> of the Rust reference in the same order, so the points are the same to the last bit.
  function halton(index, base) result(r)
    integer, intent(in) :: index, base
    real(c_double) :: r
    real(c_double) :: f
    integer :: i
    i = index
    f = 1.0_c_double
    r = 0.0_c_double
    do while (i > 0)
      f = f/real(base, c_double)
      r = r + f*real(mod(i, base), c_double)
      i = i/base
    end do
  end function halton

  !> Stops the program unless a solve converged (a positive status is a usable but unconverged
  !> result, a negative one a failure).
  subroutine check_solve(status, ot, what)
    integer(c_int32_t), intent(in) :: status
    type(nks_sinkhorn_t), intent(in) :: ot
    character(len=*), intent(in) :: what
    if (status == NKS_OK) return
    write (error_unit, '(a)') what//' failed: '//nks_status_text(status)
    write (error_unit, '(a)') '  '//ot%last_error()
    error stop 1
  end subroutine check_solve

  !> A non-negative count as text, without blanks.
  function int_text(v) result(text)
    integer(c_size_t), intent(in) :: v
    character(len=:), allocatable :: text
    character(len=24) :: buf
    write (buf, '(i0)') v
    text = trim(buf)
  end function int_text

  !> `v` with `digits` digits after the point, as C's "%.*f" writes it (leading zero included).
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

  !> `v` in scientific notation with `digits` digits after the point, as Rust's "{:.1e}" writes
  !> it: "8.5e-10" (no plus sign, no leading zeros in the exponent).
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

end program sinkhorn

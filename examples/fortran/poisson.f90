!> 2D Poisson with nksolve from Fortran: the same system solved three ways.
!>
!>   -Laplace(u) = 1 on the unit square, u = 0 on the boundary, 5-point stencil,
!>   32 x 32 interior points (n = 1024), stencil [-1 -1 4 -1 -1] (scaled by h^2).
!>
!>   cg          CSR operator (1-based arrays, index_base = 1), conjugate gradients
!>   gmres_ilu0  CSR operator, GMRES(30) with the built-in ILU(0)
!>   cg_callback matrix-free operator (this file's own stencil) and a Jacobi
!>               preconditioner, both ordinary Fortran procedures
!>
!> Output: one line per solve, "NAME status=S iterations=K residual=R", then the CG
!> solution at the centre node, "center u=U" (the same lines as examples/c/poisson.c).
!>
!> Build: gfortran bindings/fortran/nksolve.f90 examples/fortran/poisson.f90 -lnksolve
module poisson_problem
  use, intrinsic :: iso_c_binding, only: c_double, c_int, c_int64_t
  implicit none
  private
  public :: nx, n, stencil_matvec, jacobi, build_csr

  !> Interior points per direction.
  integer, parameter :: nx = 32
  !> Unknowns; node (i, j), 0-based, is entry p = 1 + i + nx*j of a vector.
  integer, parameter :: n = nx*nx

contains

  !> y = A x for the 5-point stencil, without forming A (an `nks_matvec_proc`).
  subroutine stencil_matvec(x, y, ierr)
    real(c_double), intent(in) :: x(:)
    real(c_double), intent(out) :: y(:)
    integer(c_int), intent(inout) :: ierr
    integer :: i, j, p
    if (size(x) /= n) then
      ierr = -1
      return
    end if
    do j = 0, nx - 1
      do i = 0, nx - 1
        p = 1 + i + nx*j
        y(p) = 4.0_c_double*x(p)
        if (i > 0) y(p) = y(p) - x(p - 1)
        if (i + 1 < nx) y(p) = y(p) - x(p + 1)
        if (j > 0) y(p) = y(p) - x(p - nx)
        if (j + 1 < nx) y(p) = y(p) - x(p + nx)
      end do
    end do
    ierr = 0
  end subroutine stencil_matvec

  !> z = D^{-1} r with D = 4 I (an `nks_precond_proc`).
  subroutine jacobi(r, z, ierr)
    real(c_double), intent(in) :: r(:)
    real(c_double), intent(out) :: z(:)
    integer(c_int), intent(inout) :: ierr
    z = r/4.0_c_double
    ierr = 0
  end subroutine jacobi

  !> The 1-based CSR arrays of the stencil (row_ptr(1) = 1, columns 1..n).
  subroutine build_csr(row_ptr, col_idx, values)
    integer(c_int64_t), intent(out) :: row_ptr(:), col_idx(:)
    real(c_double), intent(out) :: values(:)
    integer(c_int64_t) :: k, p
    integer :: i, j
    k = 1
    do j = 0, nx - 1
      do i = 0, nx - 1
        p = 1 + i + nx*j
        row_ptr(p) = k
        if (j > 0) call push(p - nx, -1.0_c_double)
        if (i > 0) call push(p - 1, -1.0_c_double)
        call push(p, 4.0_c_double)
        if (i + 1 < nx) call push(p + 1, -1.0_c_double)
        if (j + 1 < nx) call push(p + nx, -1.0_c_double)
      end do
    end do
    row_ptr(n + 1) = k
  contains
    subroutine push(col, v)
      integer(c_int64_t), intent(in) :: col
      real(c_double), intent(in) :: v
      col_idx(k) = col
      values(k) = v
      k = k + 1
    end subroutine push
  end subroutine build_csr

end module poisson_problem

program poisson
  use, intrinsic :: iso_c_binding, only: c_double, c_int32_t, c_int64_t
  use, intrinsic :: iso_fortran_env, only: error_unit
  use nksolve
  use poisson_problem, only: nx, n, stencil_matvec, jacobi, build_csr
  implicit none

  if (nks_version() /= NKS_HEADER_VERSION) then
    write (error_unit, '(a,i0,a,i0)') 'module version ', NKS_HEADER_VERSION, &
      ' does not match library ', nks_version()
    error stop 1
  end if
  call run()

contains

  !> The three solves; objects live in this procedure and are finalized when it returns.
  subroutine run()
    integer(c_int64_t) :: row_ptr(n + 1), col_idx(5*n), nnz
    real(c_double) :: values(5*n), b(n), x(n), center
    type(nks_csr_t) :: a
    type(nks_krylov_t) :: solver
    integer(c_int32_t) :: s
    logical :: failed

    failed = .false.
    call build_csr(row_ptr, col_idx, values)
    b = 1.0_c_double
    x = 0.0_c_double
    ! Without stat= a failing setup call stops the program with the library's message.
    ! col_idx and values are work arrays of 5 n entries; pass the row_ptr(n + 1) - 1 in use.
    nnz = row_ptr(n + 1) - 1
    call a%create(n, n, row_ptr, col_idx(:nnz), values(:nnz), index_base=1)
    call solver%create()
    call solver%set_rtol(1.0e-8_c_double)

    ! 1. CG on the CSR matrix.
    call solver%set_operator_csr(a)
    call a%free() ! the solver keeps its own reference
    call solver%set_method(NKS_KRYLOV_CG)
    s = solver%solve(b, x)
    call report(solver, 'cg', s, failed)
    center = x(1 + nx/2 + nx*(nx/2))

    ! 2. GMRES(30) with ILU(0).
    call solver%set_method(NKS_KRYLOV_GMRES)
    call solver%set_restart(30)
    call solver%set_preconditioner(NKS_PRECOND_ILU0)
    s = solver%solve(b, x)
    call report(solver, 'gmres_ilu0', s, failed)

    ! 3. CG, matrix-free, with a Fortran preconditioner.
    call solver%set_method(NKS_KRYLOV_CG)
    call solver%set_operator(n, stencil_matvec)
    call solver%set_preconditioner_proc(jacobi)
    s = solver%solve(b, x)
    call report(solver, 'cg_callback', s, failed)

    write (*, '(a,a)') 'center u=', trim(adjustl(real_text(center, 12)))
    call solver%free()
    if (failed) error stop 1
  end subroutine run

  !> Prints "NAME status=S iterations=K residual=R"; flags a status other than NKS_OK.
  subroutine report(solver, name, s, failed)
    type(nks_krylov_t), intent(inout) :: solver
    character(len=*), intent(in) :: name
    integer(c_int32_t), intent(in) :: s
    logical, intent(inout) :: failed
    type(nks_krylov_report) :: r
    if (s < 0) then
      write (error_unit, '(a)') name//' failed: '//nks_status_text(s)
      write (error_unit, '(a)') '  '//solver%last_error()
    end if
    call solver%get_report(r)
    write (*, '(a,a,i0,a,i0,a,a)') name, ' status=', s, ' iterations=', r%iterations, &
      ' residual=', real_text(r%residual_norm, 6)
    if (s /= NKS_OK) failed = .true.
  end subroutine report

  !> `v` in scientific notation with `digits` digits after the point, without blanks.
  function real_text(v, digits) result(text)
    real(c_double), intent(in) :: v
    integer, intent(in) :: digits
    character(len=:), allocatable :: text
    character(len=40) :: buf
    character(len=16) :: fmt
    integer :: e
    e = 2 ! two exponent digits as in C's %e, three where needed (|v| < 1e-99 or >= 1e100)
    if (abs(v) > 0.0_c_double .and. (abs(v) < 1.0e-99_c_double .or. abs(v) >= 1.0e100_c_double)) e = 3
    write (fmt, '(a,i0,a,i0,a,i0,a)') '(es', digits + 10, '.', digits, 'e', e, ')'
    write (buf, fmt) v
    text = trim(adjustl(buf))
  end function real_text

end program poisson

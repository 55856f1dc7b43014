!> Krylov recycling with nksolve from Fortran: a sequence of eight convection-diffusion systems
!> solved with GMRES(30), then with GCRO-DR(30, 10) in the SKR order, then resumed from a saved
!> recycle space. Prints the same lines as the Rust reference (examples/rust/recycling.rs).
!>
!>   24 x 24 interior grid (n = 576), 5-point stencil with centre 4, south / north -1,
!>   west -1 - beta_s, east -1 + beta_s, where system s (0-based) has beta_s = 0.1 + 0.05 P(s),
!>   P = [3, 7, 0, 5, 1, 6, 2, 4]; right-hand side 1, rtol 1e-8; SKR feature of system s: beta_s.
!>
!> The matrices are built from 1-based CSR arrays (index_base = 1). The binding numbers the
!> systems from 1 (column i of b and x); the output prints them from 0, as every language's
!> example does: "order=" lists `order(k) - 1` and "system_S" is column S + 1.
!>
!> Build: gfortran bindings/fortran/nksolve.f90 examples/fortran/recycling.f90 -lnksolve
module recycling_problem
  use, intrinsic :: iso_c_binding, only: c_double, c_int64_t
  implicit none
  private
  public :: nx, n, systems, beta, build_csr

  !> Interior points per direction.
  integer, parameter :: nx = 24
  !> Unknowns; node (i, j), 0-based, is entry p = 1 + i + nx*j of a vector.
  integer, parameter :: n = nx*nx
  !> Systems in the sequence.
  integer, parameter :: systems = 8
  !> The permutation that spreads the convection strengths over the systems.
  integer, parameter :: strength_rank(systems) = [3, 7, 0, 5, 1, 6, 2, 4]

contains

  !> Convection strength of system `s` (1-based: column s of b and x).
  pure real(c_double) function beta(s)
    integer, intent(in) :: s
    beta = 0.1_c_double + 0.05_c_double*real(strength_rank(s), c_double)
  end function beta

  !> The 1-based CSR arrays of system `s` (row_ptr(1) = 1, columns 1..n in increasing order).
  subroutine build_csr(s, row_ptr, col_idx, values)
    integer, intent(in) :: s
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
        if (i > 0) call push(p - 1, -1.0_c_double - beta(s))
        call push(p, 4.0_c_double)
        if (i + 1 < nx) call push(p + 1, -1.0_c_double + beta(s))
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

end module recycling_problem

program recycling
  use, intrinsic :: iso_c_binding, only: c_double, c_int32_t, c_int64_t
  use, intrinsic :: iso_fortran_env, only: error_unit, int8
  use nksolve
  use recycling_problem, only: n, systems, beta, build_csr
  implicit none

  if (nks_version() /= NKS_HEADER_VERSION) then
    write (error_unit, '(a,i0,a,i0)') 'module version ', NKS_HEADER_VERSION, &
      ' does not match library ', nks_version()
    error stop 1
  end if
  call run()

contains

  !> The three parts; objects live in this procedure and are finalized when it returns.
  subroutine run()
    type(nks_csr_t) :: mats(systems)
    type(nks_krylov_t) :: gmres, gcrodr, resumed
    type(nks_krylov_report) :: reports(systems)
    real(c_double) :: b(n, systems), x(n, systems), features(1, systems)
    integer(int8), allocatable :: saved(:)
    integer :: order(systems), s, resumed_iterations, original_iterations
    integer(c_int32_t) :: status

    call build_matrices(mats)
    b = 1.0_c_double
    x = 0.0_c_double
    do s = 1, systems
      features(1, s) = beta(s)
    end do

    ! 1. GMRES(30), natural order: every system starts from scratch.
    call configure(gmres, NKS_KRYLOV_GMRES)
    status = gmres%solve_sequence(mats, b, x, reports=reports)
    call check(gmres, 'gmres', status)
    write (*, '(a,i0,a,i0)') 'gmres status=', status, ' total_iterations=', sum(reports%iterations)

    ! 2. GCRO-DR(30, 10) in the SKR order of the features: the space is recycled.
    call configure(gcrodr, NKS_KRYLOV_GCRODR)
    status = gcrodr%solve_sequence(mats, b, x, features=features, order=order, reports=reports)
    call check(gcrodr, 'gcrodr', status)
    write (*, '(a,i0,a,i0,a,a)') 'gcrodr status=', status, ' total_iterations=', sum(reports%iterations), &
      ' order=', order_text(order - 1)
    do s = 1, systems
      write (*, '(a,i0,a,i0,a,a)') 'system_', s - 1, ' iterations=', reports(s)%iterations, &
        ' residual=', real_text(reports(s)%residual_norm)
    end do

    ! 3. Save the recycled space, load it into a new solver, and solve system 0 with both.
    call gcrodr%save_recycled(saved)
    write (*, '(a,i0)') 'saved bytes=', size(saved)
    call configure(resumed, NKS_KRYLOV_GCRODR)
    call resumed%load_recycled(saved)
    deallocate (saved)
    resumed_iterations = iterations_on_first_system(resumed, mats, b)
    original_iterations = iterations_on_first_system(gcrodr, mats, b)
    write (*, '(a,i0,a,i0)') 'resumed iterations=', resumed_iterations, ' original=', original_iterations
  end subroutine run

  !> Creates the eight matrices. Without stat= a failing call stops the program with the
  !> library's message.
  subroutine build_matrices(mats)
    type(nks_csr_t), intent(inout) :: mats(:)
    integer(c_int64_t) :: row_ptr(n + 1), col_idx(5*n), nnz
    real(c_double) :: values(5*n)
    integer :: s
    do s = 1, size(mats)
      call build_csr(s, row_ptr, col_idx, values)
      nnz = row_ptr(n + 1) - 1 ! col_idx and values are work arrays of 5 n entries
      call mats(s)%create(n, n, row_ptr, col_idx(:nnz), values(:nnz), index_base=1)
    end do
  end subroutine build_matrices

  !> Creates `solver` with `method`, restart 30, rtol 1e-8 and 10 recycled vectors.
  subroutine configure(solver, method)
    type(nks_krylov_t), intent(inout) :: solver
    integer(c_int32_t), intent(in) :: method
    call solver%create()
    call solver%set_method(method)
    call solver%set_restart(30)
    call solver%set_rtol(1.0e-8_c_double)
    call solver%set_option('recycle_dim', 10.0_c_double)
  end subroutine configure

  !> Iterations of `solver` on system 0 (column 1) from a zero initial guess.
  integer function iterations_on_first_system(solver, mats, b) result(iterations)
    type(nks_krylov_t), intent(inout) :: solver
    type(nks_csr_t), intent(in) :: mats(:)
    real(c_double), intent(in) :: b(:, :)
    type(nks_krylov_report) :: r
    real(c_double) :: x0(size(b, 1))
    integer(c_int32_t) :: status
    x0 = 0.0_c_double
    call solver%set_operator_csr(mats(1))
    status = solver%solve(b(:, 1), x0)
    call check(solver, 'resumed', status)
    call solver%get_report(r)
    iterations = int(r%iterations)
  end function iterations_on_first_system

  !> Stops the program when a solve did not converge, with the library's message.
  subroutine check(solver, name, status)
    type(nks_krylov_t), intent(in) :: solver
    character(len=*), intent(in) :: name
    integer(c_int32_t), intent(in) :: status
    if (status == NKS_OK) return
    write (error_unit, '(a)') name//' failed: '//nks_status_text(status)
    write (error_unit, '(a)') '  '//solver%last_error()
    error stop 1
  end subroutine check

  !> The indices `values` joined by commas, e.g. "0,6,4".
  function order_text(values) result(text)
    integer, intent(in) :: values(:)
    character(len=:), allocatable :: text
    character(len=12) :: buf
    integer :: k
    text = ''
    do k = 1, size(values)
      write (buf, '(i0)') values(k)
      if (k > 1) text = text//','
      text = text//trim(buf)
    end do
  end function order_text

  !> `v` as Rust's `{:.6e}` writes it: six digits after the point, exponent without sign or
  !> padding unless negative (e.g. "1.995285e-7").
  function real_text(v) result(text)
    real(c_double), intent(in) :: v
    character(len=:), allocatable :: text
    character(len=32) :: buf
    integer :: e_at, exponent
    write (buf, '(es16.6e3)') v
    buf = adjustl(buf)
    e_at = index(buf, 'E')
    read (buf(e_at + 1:), *) exponent
    write (buf(e_at:), '(a,i0)') 'e', exponent
    text = trim(buf)
  end function real_text

end program recycling

!> Learning SOR's relaxation parameter across a sequence of systems, from Fortran. Prints the
!> same lines as the Rust reference (examples/rust/sor_bandit.rs) and the C example.
!>
!>   A_t = L + c_t I, L the 5-point Laplacian on a 10 x 10 grid (stencil [-1 -1 4 -1 -1]),
!>   c_t in [-0.1, 0.4] from a 64-bit LCG (the "context" of system t), b = 1, x0 = 0,
!>   tolerance 1e-8 on ||r|| / ||r0||, 400 systems.
!>
!> The ChebCB learner chooses omega from 20 values on [1, 1.95] for each system, given c_t, and
!> learns from the iteration count. Halfway through, the learner is saved to bytes and restored
!> (what a restarted simulation does) and the solves continue on the copy.
!>
!> Output: "solve_T context=C omega=W iterations=K status=S" every 50 systems (T from 0, as in
!> every language's example), then "total iterations=K solves=T" and the learned distribution
!> at c = -0.05 and c = 0.35 ("probabilities_low context=-0.05 p=p1,p2,...", one value per arm).
!>
!> Build: gfortran bindings/fortran/nksolve.f90 examples/fortran/sor_bandit.f90 -lnksolve
module sor_bandit_problem
  use, intrinsic :: iso_c_binding, only: c_double, c_int64_t
  use, intrinsic :: iso_fortran_env, only: int64
  implicit none
  private
  public :: nx, n, build_csr, context_sequence_t

  !> Grid points per direction.
  integer, parameter :: nx = 10
  !> Unknowns; node (i, j), 0-based, is entry p = 1 + i + nx*j of a vector.
  integer, parameter :: n = nx*nx

  !> Bits per limb of the LCG's 64-bit state.
  integer, parameter :: limb_bits = 16
  !> Limbs of the state, least significant first.
  integer, parameter :: num_limbs = 64/limb_bits
  !> Bit positions of the limbs.
  integer, parameter :: limb_shift(0:num_limbs - 1) = [0, 16, 32, 48]
  !> The LCG's multiplier 6364136223846793005, as limbs (it is below 2^63, so an int64).
  integer(int64), parameter :: multiplier(0:num_limbs - 1) = ibits(6364136223846793005_int64, limb_shift, limb_bits)
  !> The LCG's increment 1442695040888963407, as limbs.
  integer(int64), parameter :: increment(0:num_limbs - 1) = ibits(1442695040888963407_int64, limb_shift, limb_bits)

  !> The context sequence: the 64-bit LCG `state = state * 6364136223846793005 +
  !> 1442695040888963407 (mod 2^64)` mapped to [-0.1, 0.4] by `c = -0.1 + 0.5 (state >> 11) 2^-53`.
  !> Fortran has no unsigned wrap-around (signed overflow is not allowed), so the state is kept
  !> as four 16-bit limbs in `int64`s: every partial product and sum stays below 2^35.
  type :: context_sequence_t
    private
    !> The state, least significant limb first; each in [0, 2^16).
    integer(int64) :: limbs(0:num_limbs - 1) = 0
  contains
    !> `call seq%seed(s)`: starts from the state `s >= 0`.
    procedure :: seed => context_sequence_seed
    !> `c = seq%next()`: advances the LCG and returns the next context.
    procedure :: next => context_sequence_next
  end type context_sequence_t

contains

  !> Starts the sequence from the state `s` (non-negative).
  subroutine context_sequence_seed(self, s)
    class(context_sequence_t), intent(inout) :: self
    integer(int64), intent(in) :: s
    self%limbs = ibits(s, limb_shift, limb_bits)
  end subroutine context_sequence_seed

  !> One LCG step by schoolbook multiplication on the limbs, modulo 2^64; the context of the
  !> new state.
  function context_sequence_next(self) result(c)
    class(context_sequence_t), intent(inout) :: self
    real(c_double) :: c
    integer(int64) :: product(0:num_limbs - 1), column, carry, top_53_bits
    integer :: k, i
    carry = 0
    do k = 0, num_limbs - 1
      column = carry + increment(k)
      do i = 0, k
        column = column + self%limbs(i)*multiplier(k - i)
      end do
      product(k) = ibits(column, 0, limb_bits)
      carry = shiftr(column, limb_bits)
    end do
    self%limbs = product ! the carry out of the top limb is the part above 2^64
    ! state >> 11, exactly (below 2^53, so exact as a double too).
    top_53_bits = 0
    do k = num_limbs - 1, 1, -1
      top_53_bits = top_53_bits + shiftl(self%limbs(k), limb_shift(k) - 11)
    end do
    top_53_bits = top_53_bits + shiftr(self%limbs(0), 11)
    c = -0.1_c_double + 0.5_c_double*real(top_53_bits, c_double)*(1.0_c_double/9007199254740992.0_c_double)
  end function context_sequence_next

  !> The 1-based CSR arrays of `L + c I` (row_ptr(1) = 1; in each row the columns ascend:
  !> south, west, centre, east, north).
  subroutine build_csr(c, row_ptr, col_idx, values)
    real(c_double), intent(in) :: c
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
        call push(p, 4.0_c_double + c)
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

end module sor_bandit_problem

program sor_bandit
  use, intrinsic :: iso_c_binding, only: c_double, c_int32_t, c_int64_t, c_size_t
  use, intrinsic :: iso_fortran_env, only: error_unit, int8, int64
  use nksolve
  use sor_bandit_problem, only: n, build_csr, context_sequence_t
  implicit none

  !> Systems in the sequence.
  integer, parameter :: systems = 400
  !> Omegas on the grid.
  integer, parameter :: arms = 20

  if (nks_version() /= NKS_HEADER_VERSION) then
    write (error_unit, '(a,i0,a,i0)') 'module version ', NKS_HEADER_VERSION, &
      ' does not match library ', nks_version()
    error stop 1
  end if
  call run()

contains

  !> The sequence; objects live in this procedure and are finalized when it returns. Without
  !> stat= a failing call stops the program with the library's message.
  subroutine run()
    type(nks_sor_bandit_t), allocatable :: learner, restored
    type(nks_csr_t) :: a
    type(nks_sor_report) :: report
    type(context_sequence_t) :: contexts
    integer(c_int64_t) :: row_ptr(n + 1), col_idx(5*n), nnz
    real(c_double) :: values(5*n), b(n), x(n), c
    integer(int8), allocatable :: saved(:)
    integer(c_size_t) :: total
    integer(c_int32_t) :: status
    integer :: t

    b = 1.0_c_double
    x = 0.0_c_double ! reused across solves; ignored with the default use_initial_guess = 0
    total = 0
    call contexts%seed(12345_int64)
    allocate (learner)
    call learner%create(NKS_SOR_CHEBCB, arms, 1.0_c_double, 1.95_c_double, 2024)
    call learner%set_option('context_min', -0.1_c_double)
    call learner%set_option('context_max', 0.4_c_double)
    call learner%set_option('tol', 1.0e-8_c_double)

    do t = 0, systems - 1
      c = contexts%next()
      call build_csr(c, row_ptr, col_idx, values)
      nnz = row_ptr(n + 1) - 1 ! col_idx and values are work arrays of 5 n entries
      call a%create(n, n, row_ptr, col_idx(:nnz), values(:nnz), index_base=1)
      status = learner%solve(a, b, x, c)
      if (status /= NKS_OK) then
        write (error_unit, '(a)') 'solve failed: '//nks_status_text(status)
        write (error_unit, '(a)') '  '//learner%last_error()
        error stop 1
      end if
      call learner%get_report(report)
      total = total + report%iterations
      if (mod(t, 50) == 0) then
        write (*, '(a,i0,a,a,a,a,a,i0,a,i0)') 'solve_', t, ' context=', fixed(c, 4), ' omega=', &
          fixed(report%omega, 4), ' iterations=', report%iterations, ' status=', status
      end if
      if (t == systems/2) then
        ! Save and restore, as a restarted simulation would; continue on the copy.
        call learner%save(saved)
        allocate (restored)
        call restored%load(saved)
        deallocate (saved)
        call learner%free()
        call move_alloc(restored, learner)
      end if
    end do
    call a%free()
    write (*, '(a,i0,a,i0)') 'total iterations=', total, ' solves=', systems
    call print_probabilities(learner, 'probabilities_low', -0.05_c_double)
    call print_probabilities(learner, 'probabilities_high', 0.35_c_double)
  end subroutine run

  !> Prints "NAME context=C p=p1,p2,..." with the learned distribution at `context`.
  subroutine print_probabilities(learner, name, context)
    type(nks_sor_bandit_t), intent(inout) :: learner
    character(len=*), intent(in) :: name
    real(c_double), intent(in) :: context
    real(c_double) :: p(arms)
    character(len=:), allocatable :: line
    integer :: k
    call learner%probabilities(context, p)
    line = name//' context='//fixed(context, 2)//' p='
    do k = 1, arms
      if (k > 1) line = line//','
      line = line//fixed(p(k), 4)
    end do
    write (*, '(a)') line
  end subroutine print_probabilities

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

end program sor_bandit

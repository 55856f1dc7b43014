/**
 * @file nksolve.hpp
 * @brief Header-only C++17 binding of the nksolve C API (`nksolve.h`).
 *
 * The binding adds RAII, exceptions and `std::function` callbacks on top of the C ABI and
 * nothing else: it is plain inline C++ compiled into *your* program, so the Rust library never
 * needs a C++ runtime. Link exactly as for C (`-lnksolve`, or `libnksolve.a` followed by
 * `-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc`).
 *
 * Conventions:
 * - Every failing C call (negative `nks_status`) becomes an `nks::Error` carrying the status and
 *   the library's detailed message (`nks_last_error_message()`).
 * - Positive statuses ("finished, result usable, not converged": `NKS_MAX_ITERATIONS`,
 *   `NKS_TIME_LIMIT`, `NKS_STAGNATION`) are returned by `Krylov::solve`, `SorBandit::solve` and
 *   `Sinkhorn::solve_dense` / `Sinkhorn::solve_points`, `Newton::solve`, `Nonlinear::solve`,
 *   `Constrained::solve` (and in `SequenceResult::status` by `Krylov::solve_sequence`), never
 *   thrown.
 * - Handles (`Csr`, `Krylov`, `SorBandit`, `Sinkhorn`, `Newton`, `Nonlinear`, `Constrained`) are
 *   move-only; a moved-from object throws `nks::Error` with `NKS_ERR_NULL_POINTER` when used,
 *   and may be destroyed or assigned to.
 * - C++ callbacks (matvec, indexed matvec, preconditioner, monitor, Newton, Nonlinear and
 *   Constrained oracles) never let an exception reach the library: the exception is caught, the
 *   solve is stopped, and `Krylov::solve` / `Krylov::solve_sequence` / `Newton::solve` /
 *   `Nonlinear::solve` / `Constrained::solve` rethrow the very same exception object (its
 *   original type) once the library has returned. (A Newton oracle, a Nonlinear residual or a
 *   Constrained objective, gradient, constraint or `J^T w` callable throwing
 *   `nks::CannotEvaluate` only refuses its point: the solver steps back.)
 * - Sequences of systems (`Krylov::solve_sequence`) take and return 0-based system indices;
 *   the SOR bandit's arms (`SorChoice::arm`, `SorReport::arm`, `SorBandit::observe`) are
 *   0-based indices into its omega grid, as in the C API. Dense matrices (a Sinkhorn cost, a
 *   transport plan) are column-major with a leading dimension, as in the C API; the indices of
 *   `Sinkhorn::plan_sparse` are 0-based unless 1 is asked for.
 *
 * Minimal use:
 * @code
 *   nks::Csr A(n, n, row_ptr, col_idx, values, 0);
 *   nks::Krylov solver;
 *   solver.set_method(nks::Method::CG).set_rtol(1e-8).set_operator(A);
 *   std::vector<double> x(n);
 *   nks_status s = solver.solve(b, x);    // >= 0; throws nks::Error on failure
 *   std::printf("%zu iterations\n", solver.report().iterations);
 * @endcode
 */
#ifndef NKSOLVE_HPP
#define NKSOLVE_HPP

#include "nksolve.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

/// The C++ binding of nksolve. Everything lives in this namespace; the C names stay global.
namespace nks {

// ---------------------------------------------------------------------------------------------
// Enumerations
// ---------------------------------------------------------------------------------------------

/// Krylov methods; mirrors `nks_krylov_method`.
enum class Method : std::int32_t {
    /// Conjugate gradients, for a symmetric positive definite operator and preconditioner.
    CG = NKS_KRYLOV_CG,
    /// Restarted GMRES(m), any nonsingular operator (the library's default).
    GMRES = NKS_KRYLOV_GMRES,
    /// Flexible GMRES(m): the preconditioner may change between applications; right side only.
    FGMRES = NKS_KRYLOV_FGMRES,
    /// GCRO-DR(m, k): recycles `recycle_dim` vectors across cycles and solves.
    GCRODR = NKS_KRYLOV_GCRODR,
    /// Recycled (deflated) CG for sequences of SPD systems.
    RECYCLED_CG = NKS_KRYLOV_RECYCLED_CG,
};

/// Built-in preconditioners; mirrors `nks_preconditioner`. Jacobi and ILU(0) need a CSR operator.
enum class Preconditioner : std::int32_t {
    /// No preconditioning (the default).
    None = NKS_PRECOND_NONE,
    /// Jacobi, `M = diag(A)`.
    Jacobi = NKS_PRECOND_JACOBI,
    /// Incomplete LU without fill-in.
    ILU0 = NKS_PRECOND_ILU0,
};

/// Preconditioner side for GMRES; mirrors `nks_preconditioner_side`.
enum class Side : std::int32_t {
    /// `M^{-1} A x = M^{-1} b`: the preconditioned residual is monitored.
    Left = NKS_SIDE_LEFT,
    /// `A M^{-1} u = b`: the true residual is monitored (the default).
    Right = NKS_SIDE_RIGHT,
};

/// Why a solve stopped; mirrors `nks_termination` (compare with `Report::termination` through
/// `nks::termination(report)`).
enum class Termination : std::int32_t {
    /// No solve has run on this handle.
    NotStarted = NKS_TERMINATION_NOT_STARTED,
    /// `||r|| <= rtol * ||b||`.
    ConvergedRtol = NKS_TERMINATION_CONVERGED_RTOL,
    /// `||r|| <= atol`.
    ConvergedAtol = NKS_TERMINATION_CONVERGED_ATOL,
    /// The iteration limit was reached.
    MaxIterations = NKS_TERMINATION_MAX_ITERATIONS,
    /// The time limit was reached.
    TimeLimit = NKS_TERMINATION_TIME_LIMIT,
    /// A GMRES restart cycle made no progress.
    Stagnation = NKS_TERMINATION_STAGNATION,
    /// The monitor asked to stop (returned false, or threw).
    MonitorStop = NKS_TERMINATION_MONITOR_STOP,
    /// A matvec or preconditioner callback failed (threw, in C++); see `Report::callback_code`.
    CallbackFailed = NKS_TERMINATION_CALLBACK_FAILED,
    /// A NaN or infinity appeared.
    NonFinite = NKS_TERMINATION_NON_FINITE,
    /// The method broke down (e.g. CG on an indefinite operator).
    Breakdown = NKS_TERMINATION_BREAKDOWN,
    /// Newton, Nonlinear: an accepted step was at most `xtol max(1, ||x||)`.
    ConvergedStep = NKS_TERMINATION_CONVERGED_STEP,
    /// Newton: an accepted step changed `f` by at most `ftol max(1, |f|)`.
    ConvergedFtol = NKS_TERMINATION_CONVERGED_FTOL,
    /// Newton, Nonlinear: the limit on oracle (Nonlinear: residual) calls was reached.
    MaxEvaluations = NKS_TERMINATION_MAX_EVALUATIONS,
    /// Nonlinear, Levenberg-Marquardt: a stationary point of `||F||^2 / 2`, whose residual
    /// need not be zero (`||J^T F|| <= gatol`, or too small for any decrease above rounding).
    ConvergedStationary = NKS_TERMINATION_CONVERGED_STATIONARY,
    /// Constrained: `||grad_x L|| <= stationarity_tol` and `||c|| <= feasibility_tol`.
    ConvergedKkt = NKS_TERMINATION_CONVERGED_KKT,
};

/// What a Krylov solve did (iterations, operator and preconditioner applications, norms,
/// seconds, termination, and for GCRO-DR / recycled CG the recycle statistics
/// `recycle_rebuilt`, `recycle_initial_dim`, `recycle_final_dim`, `recycle_refreshes`,
/// `recycle_largest_angle`, `recycle_projection_ratio`, `recycle_dropped`); the C struct
/// `nks_krylov_report` itself.
using Report = nks_krylov_report;

/// The termination reason of a report as a scoped enum.
inline Termination termination(const Report& r) noexcept { return static_cast<Termination>(r.termination); }

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/**
 * A failed nksolve call: the negative `nks_status` and the library's detailed message.
 *
 * `what()` reads `"<C function>: <status name and meaning>: <detailed message>"`, e.g.
 * `"nks_krylov_set_rtol: NKS_ERR_INVALID_ARGUMENT: an argument is out of range: rtol = 2 ..."`.
 */
class Error : public std::runtime_error {
public:
    /// An error with `status`, the detailed `message`, and the name of the failing C function
    /// (`where`, may be empty).
    Error(nks_status status, std::string message, std::string where = std::string())
        : std::runtime_error(format(status, message, where)),
          status_(status),
          message_(std::move(message)),
          where_(std::move(where)) {}

    /// The status code of the failure (negative; e.g. `NKS_ERR_INVALID_ARGUMENT`).
    nks_status status() const noexcept { return status_; }

    /// The library's detailed message (`nks_last_error_message()` at the time of the failure):
    /// which argument, what was wrong, the valid range.
    const std::string& message() const noexcept { return message_; }

    /// The C function that failed (e.g. `"nks_krylov_solve"`), or empty when the binding itself
    /// detected the problem before calling the library.
    const std::string& where() const noexcept { return where_; }

private:
    static std::string format(nks_status status, const std::string& message, const std::string& where) {
        std::string s;
        if (!where.empty()) s += where + ": ";
        s += nks_status_str(static_cast<std::int32_t>(status));
        if (!message.empty()) s += ": " + message;
        return s;
    }

    nks_status status_;
    std::string message_;
    std::string where_;
};

namespace detail {

/// Throws `nks::Error` for a negative status (with this thread's last library message), and
/// returns any other status unchanged.
inline nks_status check(nks_status status, const char* where) {
    if (static_cast<std::int32_t>(status) < 0) throw Error(status, nks_last_error_message(), where);
    return status;
}

/// The error raised when a moved-from handle is used.
[[noreturn]] inline void moved_from(const char* type) {
    throw Error(NKS_ERR_NULL_POINTER, std::string("this ") + type + " has been moved from; it holds no handle");
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Library-wide functions
// ---------------------------------------------------------------------------------------------

/// The library's version as `MAJOR * 10000 + MINOR * 100 + PATCH` (compare with `NKS_VERSION`).
inline std::uint32_t version() noexcept { return nks_version(); }

/// The library's version as `"MAJOR.MINOR.PATCH"`.
inline std::string version_string() { return nks_version_string(); }

/// True when the library that is linked is the one this header was written for.
inline bool header_matches_library() noexcept { return nks_version() == static_cast<std::uint32_t>(NKS_VERSION); }

/// A static description of a status code (`nks_status_str`), e.g. `"NKS_OK: success"`.
inline std::string status_str(nks_status status) { return nks_status_str(static_cast<std::int32_t>(status)); }

/// Sets the number of threads of the library's parallel kernels; 0 restores the default
/// (`NKS_NUM_THREADS`, else the number of cores). Callbacks always run on the calling thread.
inline void set_num_threads(std::size_t threads) { detail::check(nks_set_num_threads(threads), "nks_set_num_threads"); }

/// The number of threads the library's parallel kernels use now.
inline std::size_t num_threads() noexcept { return nks_get_num_threads(); }

/**
 * The SKR solve order (Sorting Krylov Recycling) of a sequence of systems (`nks_skr_order`):
 * `features` holds one feature vector of `num_features` values per system, column-major (the
 * features of system `i` are `features[i * num_features ...]`), so there are
 * `features.size() / num_features` systems. Greedy nearest neighbour in Euclidean distance
 * starting from system 0 (systems first partitioned along a Hilbert curve beyond 1024 of them);
 * deterministic. This is the order `Krylov::solve_sequence` uses when given the same features.
 * @returns a permutation of the 0-based system indices, in solve order.
 * @throws nks::Error with `NKS_ERR_INVALID_ARGUMENT` for `num_features == 0` or no features,
 *         `NKS_ERR_DIMENSION_MISMATCH` when `features.size()` is not a multiple of
 *         `num_features`, `NKS_ERR_NON_FINITE` for a NaN or infinite feature.
 */
inline std::vector<std::size_t> skr_order(const std::vector<double>& features, std::size_t num_features) {
    if (num_features == 0) throw Error(NKS_ERR_INVALID_ARGUMENT, "num_features = 0; each system needs a feature");
    if (features.size() % num_features != 0) {
        throw Error(NKS_ERR_DIMENSION_MISMATCH, "features has " + std::to_string(features.size()) +
                                                    " values, not a multiple of num_features = " +
                                                    std::to_string(num_features));
    }
    const std::size_t count = features.size() / num_features;
    std::vector<std::size_t> order(count);
    detail::check(nks_skr_order(count, num_features, features.data(), num_features, order.data()), "nks_skr_order");
    return order;
}

// ---------------------------------------------------------------------------------------------
// Csr
// ---------------------------------------------------------------------------------------------

/**
 * An immutable sparse matrix in compressed-sparse-row form, owned by the library (RAII over
 * `nks_csr`). The arrays passed to the constructors are copied. Move-only.
 *
 * A solver given this matrix (`Krylov::set_operator(const Csr&)`) keeps its own reference, so
 * the `Csr` may be destroyed right after.
 */
class Csr {
public:
    /**
     * Creates an `nrows x ncols` matrix from raw CSR arrays (`nks_csr_new`).
     *
     * `nnz` is the length of `col_idx` and of `values`; `row_ptr` has `nrows + 1` entries with
     * `row_ptr[0] == index_base` and `row_ptr[nrows] - index_base == nnz` (the library checks this
     * before reading `col_idx` and `values`). `index_base` is 0 for C/C++ arrays, 1 for
     * Fortran-style ones. Unsorted columns are accepted; duplicates in a row are summed.
     * @throws nks::Error on invalid input (`NKS_ERR_DIMENSION_MISMATCH` when `nnz` disagrees
     *         with `row_ptr`; `NKS_ERR_INVALID_ARGUMENT` with the offending row named).
     */
    Csr(std::size_t nrows, std::size_t ncols, std::size_t nnz, const std::int64_t* row_ptr,
        const std::int64_t* col_idx, const double* values, std::int32_t index_base = 0) {
        detail::check(nks_csr_new(nrows, ncols, nnz, row_ptr, col_idx, values, index_base, &ptr_), "nks_csr_new");
    }

    /**
     * Creates an `nrows x ncols` matrix from CSR vectors. Same rules as the raw-pointer
     * constructor, with `nnz = col_idx.size()`; in addition the vector lengths are checked:
     * `row_ptr.size() == nrows + 1`, and `col_idx.size() == values.size() == row_ptr[nrows] -
     * index_base`.
     * @throws nks::Error (`NKS_ERR_DIMENSION_MISMATCH` for inconsistent lengths).
     */
    Csr(std::size_t nrows, std::size_t ncols, const std::vector<std::int64_t>& row_ptr,
        const std::vector<std::int64_t>& col_idx, const std::vector<double>& values, std::int32_t index_base = 0) {
        if (row_ptr.size() != nrows + 1) {
            throw Error(NKS_ERR_DIMENSION_MISMATCH, "row_ptr has " + std::to_string(row_ptr.size()) +
                                                        " entries; nrows + 1 = " + std::to_string(nrows + 1) +
                                                        " are needed");
        }
        if (col_idx.size() != values.size()) {
            throw Error(NKS_ERR_DIMENSION_MISMATCH, "col_idx has " + std::to_string(col_idx.size()) +
                                                        " and values has " + std::to_string(values.size()) +
                                                        " entries; they must be equally long");
        }
        const std::int64_t nnz = row_ptr.back() - index_base;
        if (nnz >= 0) {  // a negative count is left to the library, which names the bad row pointer
            const auto expected = static_cast<std::uint64_t>(nnz);
            if (col_idx.size() != expected) {
                throw Error(NKS_ERR_DIMENSION_MISMATCH,
                            "col_idx has " + std::to_string(col_idx.size()) + " and values has " +
                                std::to_string(values.size()) + " entries; row_ptr[nrows] - index_base = " +
                                std::to_string(nnz) + " are needed");
            }
        }
        detail::check(nks_csr_new(nrows, ncols, col_idx.size(), row_ptr.data(), col_idx.data(), values.data(),
                                  index_base, &ptr_),
                      "nks_csr_new");
    }

    /// Frees the matrix (`nks_csr_free`); solvers that use it keep their own reference.
    ~Csr() { nks_csr_free(ptr_); }

    Csr(const Csr&) = delete;             ///< Not copyable: the library owns the storage.
    Csr& operator=(const Csr&) = delete;  ///< Not copyable: the library owns the storage.

    /// Takes over `other`'s matrix; `other` is left empty.
    Csr(Csr&& other) noexcept : ptr_(std::exchange(other.ptr_, nullptr)) {}

    /// Frees this matrix and takes over `other`'s; `other` is left empty.
    Csr& operator=(Csr&& other) noexcept {
        if (this != &other) {
            nks_csr_free(ptr_);
            ptr_ = std::exchange(other.ptr_, nullptr);
        }
        return *this;
    }

    /// Number of rows.
    std::size_t nrows() const { return size().rows; }

    /// Number of columns.
    std::size_t ncols() const { return size().cols; }

    /// Number of stored entries (after duplicates were summed).
    std::size_t nnz() const { return size().nnz; }

    /// `y = A x` into caller storage, `nx == ncols()`, `ny == nrows()` (`nks_csr_matvec`).
    /// @throws nks::Error on a size mismatch or a non-finite `x`.
    void matvec(const double* x, std::size_t nx, double* y, std::size_t ny) const {
        detail::check(nks_csr_matvec(get(), x, nx, y, ny), "nks_csr_matvec");
    }

    /// Returns `A x` (`x.size()` must equal `ncols()`).
    /// @throws nks::Error on a size mismatch or a non-finite `x`.
    std::vector<double> matvec(const std::vector<double>& x) const {
        std::vector<double> y(nrows());
        matvec(x.data(), x.size(), y.data(), y.size());
        return y;
    }

    /// The C handle, still owned by this object (for calls the binding does not wrap).
    const nks_csr* capi() const noexcept { return ptr_; }

    /// False for a moved-from matrix.
    explicit operator bool() const noexcept { return ptr_ != nullptr; }

private:
    struct Size {
        std::size_t rows, cols, nnz;
    };

    const nks_csr* get() const {
        if (ptr_ == nullptr) detail::moved_from("nks::Csr");
        return ptr_;
    }

    Size size() const {
        Size s{0, 0, 0};
        detail::check(nks_csr_get_size(get(), &s.rows, &s.cols, &s.nnz), "nks_csr_get_size");
        return s;
    }

    nks_csr* ptr_ = nullptr;
};

// ---------------------------------------------------------------------------------------------
// Krylov
// ---------------------------------------------------------------------------------------------

/// Matrix-free operator: write `y = A x`, vectors of length `n`. Throw to stop the solve.
using Matvec = std::function<void(const double* x, double* y, std::size_t n)>;

/// Preconditioner: write `z = M^{-1} r`, vectors of length `n`. Throw to stop the solve.
using PreconditionerApply = std::function<void(const double* r, double* z, std::size_t n)>;

/// Monitor, called once per iteration with the running report: return true to continue,
/// false to stop the solve (which then throws `nks::Error` with `NKS_ERR_ABORTED`).
using Monitor = std::function<bool(const Report& report)>;

/// Matrix-free operators of a sequence of systems: write `y = A_system x` (`system` is the
/// 0-based index of the system being solved), vectors of length `n`. Throw to stop the sequence.
using IndexedMatvec = std::function<void(std::size_t system, const double* x, double* y, std::size_t n)>;

/// What `Krylov::solve_sequence` did.
struct SequenceResult {
    /// `NKS_OK` when every system converged, else the positive status (`NKS_MAX_ITERATIONS`,
    /// `NKS_TIME_LIMIT`, `NKS_STAGNATION`) of the first system, in solve order, that stopped at
    /// a limit (its last iterate is in `x`).
    nks_status status = NKS_OK;
    /// The 0-based system indices in the order they were solved (the SKR order when features
    /// were given, else `0, 1, ..., count - 1`).
    std::vector<std::size_t> order;
    /// One report per system, by system index (not by solve order).
    std::vector<Report> reports;

    /// The sum of the iterations of all systems.
    std::size_t total_iterations() const noexcept {
        std::size_t total = 0;
        for (const Report& r : reports) total += r.iterations;
        return total;
    }
};

namespace detail {

/**
 * The C++ callbacks of one `Krylov` handle and the exception the first failing one threw.
 *
 * Heap-allocated and owned by the `Krylov` object, so its address (the `user_data` given to the
 * library) stays the same when the `Krylov` object is moved.
 */
struct KrylovCallbacks {
    /// The operator given to `Krylov::set_operator(n, matvec)` (empty for a CSR operator).
    Matvec matvec{};
    /// The preconditioner given to `Krylov::set_preconditioner(apply)` (empty for a built-in one).
    PreconditionerApply precond{};
    /// The monitor given to `Krylov::set_monitor` (empty when none is installed).
    Monitor monitor{};
    /// The exception a callback threw during the current solve (rethrown after it returns).
    std::exception_ptr error{};

    /// Trampoline for `nks_matvec_fn`; never lets an exception out.
    static int matvec_trampoline(const double* x, double* y, std::size_t n, void* user_data) noexcept {
        auto* self = static_cast<KrylovCallbacks*>(user_data);
        return self->call([&] { self->matvec(x, y, n); });
    }

    /// Trampoline for `nks_precond_fn`; never lets an exception out.
    static int precond_trampoline(const double* r, double* z, std::size_t n, void* user_data) noexcept {
        auto* self = static_cast<KrylovCallbacks*>(user_data);
        return self->call([&] { self->precond(r, z, n); });
    }

    /// Trampoline for `nks_krylov_monitor_fn`: 0 to continue, 1 to stop. Never lets an
    /// exception out.
    static int monitor_trampoline(const nks_krylov_report* report, void* user_data) noexcept {
        auto* self = static_cast<KrylovCallbacks*>(user_data);
        bool keep_going = false;
        const int rc = self->call([&] { keep_going = self->monitor(*report); });
        return (rc == 0 && keep_going) ? 0 : 1;
    }

    /// Runs `f`; an exception is stored (the first one wins) and turned into -1.
    template <class F>
    int call(F&& f) noexcept {
        if (error) return -1;  // a callback already failed in this solve: stop at once
        try {
            f();
            return 0;
        } catch (...) {
            error = std::current_exception();
            return -1;
        }
    }

    /// To be called right after a solve returned `status` from the C function `where`:
    /// rethrows the exception a callback threw during it (clearing it), else throws
    /// `nks::Error` for a negative status, else returns `status`.
    nks_status finish(nks_status status, const char* where) {
        if (error) {
            std::exception_ptr e = std::move(error);
            error = nullptr;
            std::rethrow_exception(e);
        }
        return check(status, where);
    }
};

/// The `user_data` of one `Krylov::solve_sequence` call with an indexed matvec: the callable
/// and the handle's callbacks, whose `error` slot records an exception it throws.
struct IndexedMatvecCall {
    /// The host's operators.
    const IndexedMatvec& matvec;
    /// The handle's callbacks (the error slot shared with the preconditioner and monitor).
    KrylovCallbacks& callbacks;

    /// Trampoline for `nks_indexed_matvec_fn`; never lets an exception out.
    static int trampoline(std::size_t system, const double* x, double* y, std::size_t n, void* user_data) noexcept {
        auto* self = static_cast<IndexedMatvecCall*>(user_data);
        return self->callbacks.call([&] { self->matvec(system, x, y, n); });
    }
};

/// Owns a byte buffer the library allocated; frees it with `nks_bytes_free`.
class LibraryBytes {
public:
    /// An empty owner, to be filled through `data_out()` / `len_out()`.
    LibraryBytes() = default;
    ~LibraryBytes() { nks_bytes_free(data_, len_); }
    LibraryBytes(const LibraryBytes&) = delete;             ///< Owns the buffer alone.
    LibraryBytes& operator=(const LibraryBytes&) = delete;  ///< Owns the buffer alone.

    /// Where the library writes the buffer's address.
    std::uint8_t** data_out() noexcept { return &data_; }
    /// Where the library writes the buffer's length.
    std::size_t* len_out() noexcept { return &len_; }
    /// A copy of the bytes.
    std::vector<std::uint8_t> to_vector() const { return std::vector<std::uint8_t>(data_, data_ + len_); }

private:
    std::uint8_t* data_ = nullptr;
    std::size_t len_ = 0;
};

}  // namespace detail

/**
 * A Krylov solver (CG, GMRES(m), FGMRES(m), GCRO-DR(m, k), recycled CG): RAII over
 * `nks_krylov`. Move-only.
 *
 * Holds the options, the operator (a `Csr` or a C++ callable), the preconditioner (built-in or
 * a C++ callable), an optional monitor, reusable workspace, the space GCRO-DR / recycled CG
 * recycle from one solve to the next (see `solve_sequence`, `save_recycled`), and the report
 * of the last solve.
 * The callables are stored in this object and live as long as it does; moving the object keeps
 * them working. Setters return `*this` for chaining and throw `nks::Error` on invalid input,
 * leaving the previous setting in place. Use one object from one thread at a time, and do not
 * call its methods from inside its own callbacks (the C API does not support re-entering a
 * handle while it is solving).
 */
class Krylov {
public:
    /// A solver with the library's defaults: GMRES(30), `rtol = 1e-8`, `atol = 0`, 10000
    /// iterations, zero initial guess, no preconditioner, no operator yet (`nks_krylov_new`).
    Krylov() : callbacks_(std::make_unique<detail::KrylovCallbacks>()) {
        detail::check(nks_krylov_new(&ptr_), "nks_krylov_new");
    }

    /// Frees the solver (`nks_krylov_free`), then its callbacks.
    ~Krylov() { nks_krylov_free(ptr_); }

    Krylov(const Krylov&) = delete;             ///< Not copyable: the library owns the state.
    Krylov& operator=(const Krylov&) = delete;  ///< Not copyable: the library owns the state.

    /// Takes over `other`'s solver and callbacks; `other` is left empty.
    Krylov(Krylov&& other) noexcept
        : ptr_(std::exchange(other.ptr_, nullptr)), callbacks_(std::move(other.callbacks_)) {}

    /// Frees this solver and takes over `other`'s solver and callbacks; `other` is left empty.
    Krylov& operator=(Krylov&& other) noexcept {
        if (this != &other) {
            nks_krylov_free(ptr_);
            ptr_ = std::exchange(other.ptr_, nullptr);
            callbacks_ = std::move(other.callbacks_);
        }
        return *this;
    }

    /// Selects the method (`nks_krylov_set_method`).
    Krylov& set_method(Method method) {
        detail::check(nks_krylov_set_method(get(), static_cast<std::int32_t>(method)), "nks_krylov_set_method");
        return *this;
    }

    /// Relative tolerance: stop when `||r|| <= max(rtol * ||b||, atol)`; range `[0, 1)`,
    /// default 1e-8 (`nks_krylov_set_rtol`).
    Krylov& set_rtol(double rtol) {
        detail::check(nks_krylov_set_rtol(get(), rtol), "nks_krylov_set_rtol");
        return *this;
    }

    /// Absolute tolerance; range `[0, inf)`, default 0 (`nks_krylov_set_atol`).
    Krylov& set_atol(double atol) {
        detail::check(nks_krylov_set_atol(get(), atol), "nks_krylov_set_atol");
        return *this;
    }

    /// Iteration limit, `>= 1`, default 10000; reaching it makes `solve` return
    /// `NKS_MAX_ITERATIONS` (`nks_krylov_set_max_iterations`).
    Krylov& set_max_iterations(std::size_t max_iterations) {
        detail::check(nks_krylov_set_max_iterations(get(), max_iterations), "nks_krylov_set_max_iterations");
        return *this;
    }

    /// GMRES/FGMRES restart length, `1..=10000`, default 30 (`nks_krylov_set_restart`).
    Krylov& set_restart(std::size_t restart) {
        detail::check(nks_krylov_set_restart(get(), restart), "nks_krylov_set_restart");
        return *this;
    }

    /// true: start from the `x` passed to `solve` (it must be finite); false (default): start
    /// from zero and ignore the contents of `x` (`nks_krylov_set_use_initial_guess`).
    Krylov& set_use_initial_guess(bool use) {
        detail::check(nks_krylov_set_use_initial_guess(get(), use ? 1 : 0), "nks_krylov_set_use_initial_guess");
        return *this;
    }

    /// GMRES preconditioner side, default right; FGMRES is always right-preconditioned, CG
    /// ignores it (`nks_krylov_set_preconditioner_side`).
    Krylov& set_preconditioner_side(Side side) {
        detail::check(nks_krylov_set_preconditioner_side(get(), static_cast<std::int32_t>(side)),
                      "nks_krylov_set_preconditioner_side");
        return *this;
    }

    /// Wall-clock limit in seconds, `> 0` (default: none); reaching it makes `solve` return
    /// `NKS_TIME_LIMIT` (`nks_krylov_set_max_seconds`).
    Krylov& set_max_seconds(double max_seconds) {
        detail::check(nks_krylov_set_max_seconds(get(), max_seconds), "nks_krylov_set_max_seconds");
        return *this;
    }

    /// Sets an option by name, for options read from input files: `"method"` (0..=4, see
    /// `Method`), `"rtol"`, `"atol"`, `"max_iterations"`, `"restart"`, `"use_initial_guess"`
    /// (0/1), `"preconditioner_side"` (0/1), `"max_seconds"`, `"reorthogonalization"` (0/1/2),
    /// `"recycle_dim"`, `"refresh_interval"` (`nks_krylov_set_option`).
    /// @throws nks::Error with `NKS_ERR_UNKNOWN_OPTION` (listing the known names) or
    ///         `NKS_ERR_INVALID_ARGUMENT`.
    Krylov& set_option(const std::string& name, double value) {
        detail::check(nks_krylov_set_option(get(), name.c_str(), value), "nks_krylov_set_option");
        return *this;
    }

    /// Vectors GCRO-DR and recycled CG keep across cycles and solves, `0..=10000`, default 10
    /// (GCRO-DR uses at most `restart - 1`); ignored by the other methods (option
    /// `"recycle_dim"`).
    Krylov& set_recycle_dim(std::size_t recycle_dim) {
        return set_option("recycle_dim", static_cast<double>(recycle_dim));
    }

    /// GCRO-DR refreshes its recycled space from every `refresh_interval`-th full restart cycle,
    /// `1..=10000`, default 3 (1 is the original algorithm) (option `"refresh_interval"`).
    Krylov& set_refresh_interval(std::size_t refresh_interval) {
        return set_option("refresh_interval", static_cast<double>(refresh_interval));
    }

    /// Reads an option by name: any name `set_option` accepts, in the same numeric encoding
    /// (`"max_seconds"` is `+inf` without a limit), so `set_option(name, get_option(name))`
    /// changes nothing (`nks_krylov_get_option`).
    /// @throws nks::Error with `NKS_ERR_UNKNOWN_OPTION` (listing the known names).
    double get_option(const std::string& name) const {
        double value = 0.0;
        detail::check(nks_krylov_get_option(get(), name.c_str(), &value), "nks_krylov_get_option");
        return value;
    }

    /// Uses the square matrix `a` as the operator. The solver keeps its own reference, so `a`
    /// may be destroyed afterwards (`nks_krylov_set_operator_csr`).
    Krylov& set_operator(const Csr& a) {
        if (!a) detail::moved_from("nks::Csr");
        detail::check(nks_krylov_set_operator_csr(get(), a.capi()), "nks_krylov_set_operator_csr");
        callbacks_->matvec = nullptr;  // no longer called: release what it captured
        return *this;
    }

    /**
     * Uses a matrix-free operator of dimension `n`: `matvec(x, y, n)` writes `y = A x`
     * (`nks_krylov_set_operator_callback`). It runs on the thread that calls `solve`; if it
     * throws, the solve stops and `solve` rethrows that exception. The callable is stored in
     * this object. Built-in Jacobi/ILU(0) need a CSR operator; pass a preconditioner callable.
     * @throws nks::Error for an empty `matvec` or `n == 0`.
     */
    Krylov& set_operator(std::size_t n, Matvec matvec) {
        nks_krylov* h = get();
        detail::check(nks_krylov_set_operator_callback(
                          h, n, matvec ? &detail::KrylovCallbacks::matvec_trampoline : nullptr, callbacks_.get()),
                      "nks_krylov_set_operator_callback");
        callbacks_->matvec.swap(matvec);
        return *this;
    }

    /// Selects a built-in preconditioner, replacing a callable one; Jacobi and ILU(0) are built
    /// from the CSR operator at the next solve (`nks_krylov_set_preconditioner`).
    Krylov& set_preconditioner(Preconditioner kind) {
        detail::check(nks_krylov_set_preconditioner(get(), static_cast<std::int32_t>(kind)),
                      "nks_krylov_set_preconditioner");
        callbacks_->precond = nullptr;  // replaced by the built-in one: release what it captured
        return *this;
    }

    /**
     * Uses a host preconditioner: `apply(r, z, n)` writes `z = M^{-1} r`
     * (`nks_krylov_set_preconditioner_callback`). For CG it must be symmetric positive definite;
     * for FGMRES it may vary between calls. If it throws, `solve` rethrows that exception.
     * @throws nks::Error for an empty `apply`.
     */
    Krylov& set_preconditioner(PreconditionerApply apply) {
        nks_krylov* h = get();
        detail::check(nks_krylov_set_preconditioner_callback(
                          h, apply ? &detail::KrylovCallbacks::precond_trampoline : nullptr, callbacks_.get()),
                      "nks_krylov_set_preconditioner_callback");
        callbacks_->precond.swap(apply);
        return *this;
    }

    /**
     * Installs a monitor called once per iteration with the running report (there
     * `residual_norm` is the monitored residual of the current iteration). Returning false
     * stops the solve: `solve` throws `nks::Error` with `NKS_ERR_ABORTED` and `x` is untouched.
     * If the monitor throws, `solve` rethrows that exception. An empty `monitor` removes it
     * (`nks_krylov_set_monitor`).
     */
    Krylov& set_monitor(Monitor monitor) {
        nks_krylov* h = get();
        detail::check(nks_krylov_set_monitor(h, monitor ? &detail::KrylovCallbacks::monitor_trampoline : nullptr,
                                             callbacks_.get()),
                      "nks_krylov_set_monitor");
        callbacks_->monitor.swap(monitor);
        return *this;
    }

    /// Removes the monitor.
    Krylov& clear_monitor() { return set_monitor(Monitor()); }

    /**
     * Solves `A x = b` for vectors of length `n`, the operator's dimension (`nks_krylov_solve`).
     *
     * `x` is the initial guess when `set_use_initial_guess(true)`, else its contents are
     * ignored.
     * @returns `NKS_OK` when converged, or a positive status (`NKS_MAX_ITERATIONS`,
     *          `NKS_TIME_LIMIT`, `NKS_STAGNATION`) with the last iterate in `x`.
     * @throws the exception a C++ callback threw (same type, same object), or nks::Error for any
     *         other failure (e.g. `NKS_ERR_ABORTED` when the monitor returned false,
     *         `NKS_ERR_BREAKDOWN`, `NKS_ERR_DIMENSION_MISMATCH`). On a throw, `x` is untouched;
     *         `report()` still describes the failed solve when it started.
     */
    nks_status solve(const double* b, double* x, std::size_t n) {
        nks_krylov* h = get();
        callbacks_->error = nullptr;
        return callbacks_->finish(nks_krylov_solve(h, b, x, n), "nks_krylov_solve");
    }

    /**
     * Solves `A x = b` (see the pointer overload). `x.size()` must equal `b.size()`.
     * @throws nks::Error with `NKS_ERR_DIMENSION_MISMATCH` when the sizes differ.
     */
    nks_status solve(const std::vector<double>& b, std::vector<double>& x) {
        if (x.size() != b.size()) {
            throw Error(NKS_ERR_DIMENSION_MISMATCH, "x has " + std::to_string(x.size()) + " entries but b has " +
                                                        std::to_string(b.size()));
        }
        return solve(b.data(), x.data(), b.size());
    }

    /**
     * Solves the systems `ops[i] x_i = b_i`, `i = 0 .. ops.size() - 1`, on this handle
     * (`nks_krylov_solve_sequence`): GCRO-DR and recycled CG carry their recycled space from
     * one system to the next (re-fitted to each new matrix); the other methods solve each
     * system from scratch. The handle's method, options, preconditioner choice (Jacobi /
     * ILU(0) are built for each matrix) and monitor apply; its own operator is neither used nor
     * changed, and no matrix is kept.
     *
     * `b` and `x` are column-major `n x count` blocks (`count = ops.size()`, `n` the matrices'
     * dimension): column `i`, `b[i * n .. (i + 1) * n)`, belongs to system `i`. `x` holds
     * initial guesses when `set_use_initial_guess(true)`. `features` (optional) holds one
     * feature vector per system, column-major like `b` (`features.size() / count` values each,
     * e.g. each system's coefficients): the systems are then solved in the SKR order (see
     * `nks::skr_order`); empty: in the natural order.
     * @returns the status, the solve order and the per-system reports.
     * @throws the exception a C++ callback (preconditioner, monitor) threw, or nks::Error: for
     *         invalid arguments before any solve (`NKS_ERR_DIMENSION_MISMATCH` for sizes that
     *         disagree), or when a system fails (the message names it): then the columns of the
     *         systems solved before it hold their solutions, its own and later ones are
     *         untouched, and `report()` describes the failed system.
     */
    SequenceResult solve_sequence(const std::vector<Csr>& ops, const std::vector<double>& b, std::vector<double>& x,
                                  const std::vector<double>& features = {}) {
        std::vector<const nks_csr*> handles;
        handles.reserve(ops.size());
        for (const Csr& a : ops) {
            if (!a) detail::moved_from("nks::Csr");
            handles.push_back(a.capi());
        }
        const std::size_t n = ops.empty() ? 0 : ops.front().nrows();
        return run_sequence(ops.size(), n, b, x, features, "nks_krylov_solve_sequence",
                            [&](nks_krylov* h, const double* f, std::size_t num_features, std::size_t* order,
                                Report* reports) {
                                return nks_krylov_solve_sequence(h, handles.size(), handles.data(), b.data(), n,
                                                                 x.data(), n, f, num_features, num_features, order,
                                                                 reports);
                            });
    }

    /**
     * Solves a sequence of `count` systems of dimension `n` whose operators are applied by one
     * callable, `matvec(system, x, y, n)` writing `y = A_system x`
     * (`nks_krylov_solve_sequence_callback`); see the `Csr` overload for `b`, `x`, `features`,
     * the result and the errors. Preconditioning: none or the handle's callable one (built-in
     * Jacobi / ILU(0) need matrices: `NKS_ERR_INVALID_STATE`). If `matvec` throws, the sequence
     * stops and this rethrows that exception. `matvec` is only used during this call.
     * @throws nks::Error for an empty `matvec` (`NKS_ERR_NULL_POINTER`), and as the `Csr`
     *         overload.
     */
    SequenceResult solve_sequence(std::size_t count, std::size_t n, const IndexedMatvec& matvec,
                                  const std::vector<double>& b, std::vector<double>& x,
                                  const std::vector<double>& features = {}) {
        detail::IndexedMatvecCall call{matvec, *callbacks_};
        const nks_indexed_matvec_fn trampoline = matvec ? &detail::IndexedMatvecCall::trampoline : nullptr;
        return run_sequence(count, n, b, x, features, "nks_krylov_solve_sequence_callback",
                            [&](nks_krylov* h, const double* f, std::size_t num_features, std::size_t* order,
                                Report* reports) {
                                return nks_krylov_solve_sequence_callback(h, count, n, trampoline, &call, b.data(), n,
                                                                          x.data(), n, f, num_features, num_features,
                                                                          order, reports);
                            });
    }

    /// Tells the solver that its operator changed although it was not set again (a callable
    /// whose matrix the host updated in place): the recycled space is re-fitted to the operator
    /// at the next solve. Setting an operator or preconditioner does this already
    /// (`nks_krylov_operator_changed`).
    Krylov& operator_changed() {
        detail::check(nks_krylov_operator_changed(get()), "nks_krylov_operator_changed");
        return *this;
    }

    /// Forgets every recycled vector: the next solve starts from scratch
    /// (`nks_krylov_clear_recycled`).
    Krylov& clear_recycled() {
        detail::check(nks_krylov_clear_recycled(get()), "nks_krylov_clear_recycled");
        return *this;
    }

    /// What the solver recycles (GCRO-DR's and recycled CG's spaces; not the options nor the
    /// operator) in a versioned, checksummed, little-endian format that `load_recycled` reads
    /// back, in this or another process (`nks_krylov_save_recycled`).
    std::vector<std::uint8_t> save_recycled() const {
        detail::LibraryBytes bytes;
        detail::check(nks_krylov_save_recycled(get(), bytes.data_out(), bytes.len_out()), "nks_krylov_save_recycled");
        return bytes.to_vector();
    }

    /// Restores the `len` bytes at `data`, written by `save_recycled`; the spaces are re-fitted
    /// to the operator at the next solve (`nks_krylov_load_recycled`).
    /// @throws nks::Error with `NKS_ERR_INVALID_ARGUMENT` for a foreign, truncated or corrupted
    ///         buffer or one of another format version; the solver is then unchanged.
    Krylov& load_recycled(const std::uint8_t* data, std::size_t len) {
        detail::check(nks_krylov_load_recycled(get(), data, len), "nks_krylov_load_recycled");
        return *this;
    }

    /// Restores `bytes`, written by `save_recycled` (see the pointer overload).
    Krylov& load_recycled(const std::vector<std::uint8_t>& bytes) { return load_recycled(bytes.data(), bytes.size()); }

    /// As `save_recycled`, into the file `path`, created or replaced
    /// (`nks_krylov_save_recycled_file`).
    /// @throws nks::Error with `NKS_ERR_INVALID_ARGUMENT` naming the path and the system's
    ///         reason when the file cannot be written.
    void save_recycled_file(const std::string& path) const {
        detail::check(nks_krylov_save_recycled_file(get(), path.c_str()), "nks_krylov_save_recycled_file");
    }

    /// As `load_recycled`, from the file `path` (`nks_krylov_load_recycled_file`).
    /// @throws nks::Error with `NKS_ERR_INVALID_ARGUMENT` for a file that cannot be read or
    ///         does not hold a valid saved space; the solver is then unchanged.
    Krylov& load_recycled_file(const std::string& path) {
        detail::check(nks_krylov_load_recycled_file(get(), path.c_str()), "nks_krylov_load_recycled_file");
        return *this;
    }

    /// The report of the last solve that started (`nks_krylov_get_report`); after
    /// `solve_sequence`, that of the last system it started.
    Report report() const {
        Report r{};
        detail::check(nks_krylov_get_report(get(), &r), "nks_krylov_get_report");
        return r;
    }

    /// The C handle, still owned by this object (for calls the binding does not wrap).
    nks_krylov* capi() const noexcept { return ptr_; }

    /// False for a moved-from solver.
    explicit operator bool() const noexcept { return ptr_ != nullptr; }

private:
    nks_krylov* get() const {
        if (ptr_ == nullptr) detail::moved_from("nks::Krylov");
        return ptr_;
    }

    /**
     * The part both `solve_sequence` overloads share: checks that `b` and `x` are `n x count`
     * and that `features` splits into `count` columns, then calls
     * `call_c(handle, features_or_null, num_features, order_out, reports_out)` (which calls
     * the C sequence function `where`) and turns its status into the result, a rethrown
     * callback exception, or an `nks::Error`.
     */
    template <class CallC>
    SequenceResult run_sequence(std::size_t count, std::size_t n, const std::vector<double>& b,
                                std::vector<double>& x, const std::vector<double>& features, const char* where,
                                CallC&& call_c) {
        nks_krylov* h = get();
        // count == 0 or n == 0 is left to the library, which explains the valid range.
        if (b.size() != n * count || x.size() != n * count) {
            throw Error(NKS_ERR_DIMENSION_MISMATCH, "b has " + std::to_string(b.size()) + " and x has " +
                                                        std::to_string(x.size()) + " entries; n x count = " +
                                                        std::to_string(n) + " x " + std::to_string(count) +
                                                        " are needed");
        }
        std::size_t num_features = 0;
        if (!features.empty() && count > 0) {
            if (features.size() % count != 0) {
                throw Error(NKS_ERR_DIMENSION_MISMATCH, "features has " + std::to_string(features.size()) +
                                                            " values, not the same number for each of the " +
                                                            std::to_string(count) + " systems");
            }
            num_features = features.size() / count;
        }
        SequenceResult result;
        result.order.resize(count);
        result.reports.resize(count);
        callbacks_->error = nullptr;
        const nks_status status = call_c(h, features.empty() ? nullptr : features.data(), num_features,
                                         result.order.data(), result.reports.data());
        result.status = callbacks_->finish(status, where);
        return result;
    }

    nks_krylov* ptr_ = nullptr;
    std::unique_ptr<detail::KrylovCallbacks> callbacks_;
};

// ---------------------------------------------------------------------------------------------
// SOR bandit
// ---------------------------------------------------------------------------------------------

/// The learners of a `SorBandit`; mirrors `nks_sor_learner`.
enum class SorLearner : std::int32_t {
    /// Tsallis-INF (alpha = 1/2) over the omega grid: total iterations approach those of the best
    /// fixed omega in hindsight. Ignores the context.
    TsallisInf = NKS_SOR_TSALLIS_INF,
    /// ChebCB: contextual; regresses each arm's cost on Chebyshev features of the context
    /// (options `"context_min"`, `"context_max"`, `"chebyshev_terms"`); approaches the best omega
    /// per context.
    ChebCB = NKS_SOR_CHEBCB,
    /// Tsallis-INF per context bin (options `"context_min"`, `"context_max"`, `"bins"`).
    Binned = NKS_SOR_BINNED,
    /// Always `omega_min` (`num_arms = 1`, `omega_max == omega_min`).
    Fixed = NKS_SOR_FIXED,
    /// Young's `2 / (1 + sqrt(1 - rho^2))` clamped to `[omega_min, omega_max]` (`num_arms = 1`);
    /// `rho` is option `"young_rho"`, or the context of each solve when that is -1 (default).
    Young = NKS_SOR_YOUNG,
};

/// The solver of `SorBandit::solve` (option `"method"`; the C API names it by number only).
enum class SorMethod : std::int32_t {
    /// SOR sweeps (the default).
    SOR = 0,
    /// Conjugate gradients preconditioned by SSOR with the same omega (SPD matrices).
    SSOR_PCG = 1,
};

/// The direction of the SOR sweeps (option `"sweep"`; SOR only).
enum class SorSweep : std::int32_t {
    /// Rows in increasing order (the default).
    Forward = 0,
    /// Rows in decreasing order.
    Backward = 1,
    /// A forward then a backward sweep (SSOR).
    Symmetric = 2,
};

/// The order in which the sweeps visit the unknowns (option `"ordering"`).
enum class SorOrdering : std::int32_t {
    /// The matrix's own order (the default).
    Natural = 0,
    /// Multicolour (red-black on 5-point grids): the colours sweep in parallel. A different
    /// ordering, hence a different iteration count.
    Multicolour = 1,
};

/// What the last `SorBandit::solve` did (status, termination, arm, omega, iterations, the cost
/// the learner was given, initial and final residual norms, seconds); the C struct
/// `nks_sor_report` itself. Its `arm` is a 0-based index into the omega grid.
using SorReport = nks_sor_report;

/// The termination reason of a SOR-bandit report as a scoped enum.
inline Termination termination(const SorReport& r) noexcept { return static_cast<Termination>(r.termination); }

/// An arm drawn by `SorBandit::choose`: its 0-based index into the omega grid and its omega.
struct SorChoice {
    /// The arm's index into the omega grid (pass it back to `SorBandit::observe`).
    std::size_t arm = 0;
    /// The arm's relaxation parameter.
    double omega = 0.0;
};

/**
 * A learner of SOR's relaxation parameter omega across a sequence of systems: RAII over
 * `nks_sor_bandit`. Move-only.
 *
 * Holds the learner (its statistics over a grid of `num_arms` omegas and its random
 * generator), the solver options and workspace, and the report of the last solve. Either let it
 * solve (`solve`: choose omega for the system's context, run SOR or SSOR-PCG, learn from the
 * iteration count), or solve elsewhere and drive it with `choose` / `observe`. `save` / `load`
 * (and the file variants) carry the whole learner across processes: a loaded learner makes the
 * choices the saved one would have made next. Setters return `*this` for chaining and throw
 * `nks::Error` on invalid input, leaving the previous value in place. Use one object from one
 * thread at a time.
 */
class SorBandit {
public:
    /**
     * A learner of kind `learner` over `num_arms` omegas evenly spaced on
     * `[omega_min, omega_max]` (inside `(0, 2)`; the paper: 20 arms on [1, 1.95]), drawing with a
     * generator seeded by `seed`: same seed, same choices (`nks_sor_bandit_new`).
     *
     * Defaults: SOR, forward sweep, natural ordering, tol 1e-8 on `||r|| / ||r0||`, 10000
     * iterations, zero initial guess, context interval [0, 1].
     * @throws nks::Error with `NKS_ERR_INVALID_ARGUMENT` for `num_arms` outside `1..=100000`, an
     *         omega outside `(0, 2)`, `omega_min > omega_max` (or equal with several arms), and
     *         for the fixed / Young learners `num_arms != 1` (fixed: also
     *         `omega_max != omega_min`).
     */
    SorBandit(SorLearner learner, std::size_t num_arms, double omega_min, double omega_max, std::uint64_t seed) {
        detail::check(nks_sor_bandit_new(static_cast<std::int32_t>(learner), num_arms, omega_min, omega_max, seed,
                                         &ptr_),
                      "nks_sor_bandit_new");
    }

    /// A learner restored from the `len` bytes at `data`, written by `save` in this or another
    /// process or machine (`nks_sor_bandit_load`).
    /// @throws nks::Error with `NKS_ERR_INVALID_ARGUMENT` for a foreign, truncated, corrupted or
    ///         other-version buffer.
    static SorBandit load(const std::uint8_t* data, std::size_t len) {
        nks_sor_bandit* h = nullptr;
        detail::check(nks_sor_bandit_load(data, len, &h), "nks_sor_bandit_load");
        return SorBandit(h);
    }

    /// A learner restored from `bytes`, written by `save` (see the pointer overload).
    static SorBandit load(const std::vector<std::uint8_t>& bytes) { return load(bytes.data(), bytes.size()); }

    /// A learner restored from the file `path`, written by `save_file` (`nks_sor_bandit_load_file`).
    /// @throws nks::Error with `NKS_ERR_INVALID_ARGUMENT` for a file that cannot be read (the
    ///         message names the path and the system's reason) or does not hold a valid learner.
    static SorBandit load_file(const std::string& path) {
        nks_sor_bandit* h = nullptr;
        detail::check(nks_sor_bandit_load_file(path.c_str(), &h), "nks_sor_bandit_load_file");
        return SorBandit(h);
    }

    /// Frees the learner (`nks_sor_bandit_free`).
    ~SorBandit() { nks_sor_bandit_free(ptr_); }

    SorBandit(const SorBandit&) = delete;             ///< Not copyable: save and load to copy.
    SorBandit& operator=(const SorBandit&) = delete;  ///< Not copyable: save and load to copy.

    /// Takes over `other`'s learner; `other` is left empty.
    SorBandit(SorBandit&& other) noexcept : ptr_(std::exchange(other.ptr_, nullptr)) {}

    /// Frees this learner and takes over `other`'s; `other` is left empty.
    SorBandit& operator=(SorBandit&& other) noexcept {
        if (this != &other) {
            nks_sor_bandit_free(ptr_);
            ptr_ = std::exchange(other.ptr_, nullptr);
        }
        return *this;
    }

    /**
     * Sets an option by name (`nks_sor_bandit_set_option`): `"tol"` (0, 1), `"max_iterations"`
     * (>= 1), `"method"` (see `SorMethod`), `"sweep"` (see `SorSweep`), `"ordering"` (see
     * `SorOrdering`), `"use_initial_guess"` (0/1), `"context_min"`, `"context_max"`, `"bins"`
     * (1..=10000), `"chebyshev_terms"` (1..=32), `"young_rho"` ([0, 1), or -1 = the context).
     * @throws nks::Error with `NKS_ERR_UNKNOWN_OPTION` (the message lists the names),
     *         `NKS_ERR_INVALID_ARGUMENT` for a value out of range, or `NKS_ERR_INVALID_STATE`
     *         for `"context_min"`, `"context_max"`, `"bins"`, `"chebyshev_terms"` once the
     *         learner has observed a cost.
     */
    SorBandit& set_option(const std::string& name, double value) {
        detail::check(nks_sor_bandit_set_option(get(), name.c_str(), value), "nks_sor_bandit_set_option");
        return *this;
    }

    /// Reads an option by name, in the encoding `set_option` takes, or a read-only property
    /// fixed at creation (`"learner"`, `"num_arms"`, `"omega_min"`, `"omega_max"`)
    /// (`nks_sor_bandit_get_option`).
    /// @throws nks::Error with `NKS_ERR_UNKNOWN_OPTION` (the message lists the names).
    double get_option(const std::string& name) const {
        double value = 0.0;
        detail::check(nks_sor_bandit_get_option(get(), name.c_str(), &value), "nks_sor_bandit_get_option");
        return value;
    }

    /// The number of arms (omega values) of the learner, also of one made by `load`.
    std::size_t num_arms() const { return static_cast<std::size_t>(get_option("num_arms")); }

    /// Stop when `||b - A x|| < tol ||b - A x0||`; range (0, 1), default 1e-8 (option `"tol"`).
    SorBandit& set_tol(double tol) { return set_option("tol", tol); }

    /// Iteration limit, >= 1, default 10000; a solve reaching it returns `NKS_MAX_ITERATIONS`
    /// and costs the cap (option `"max_iterations"`).
    SorBandit& set_max_iterations(std::size_t max_iterations) {
        return set_option("max_iterations", static_cast<double>(max_iterations));
    }

    /// SOR (default) or SSOR-preconditioned CG with the chosen omega (option `"method"`).
    SorBandit& set_method(SorMethod method) { return set_option("method", static_cast<double>(method)); }

    /// The SOR sweep direction, default forward (option `"sweep"`).
    SorBandit& set_sweep(SorSweep sweep) { return set_option("sweep", static_cast<double>(sweep)); }

    /// The order of the unknowns in the sweeps, default natural (option `"ordering"`).
    SorBandit& set_ordering(SorOrdering ordering) { return set_option("ordering", static_cast<double>(ordering)); }

    /// true: start from the `x` passed to `solve` (it must be finite); false (default): start
    /// from zero and ignore the contents of `x` (option `"use_initial_guess"`).
    SorBandit& set_use_initial_guess(bool use) { return set_option("use_initial_guess", use ? 1.0 : 0.0); }

    /**
     * Draws an arm for a system with `context`, for a solve done elsewhere
     * (`nks_sor_bandit_choose`); report its iteration count with `observe`. The context is
     * ignored by Tsallis-INF and the fixed learner, and is Young's rho when `"young_rho"` is -1.
     * Advances the random generator.
     * @throws nks::Error with `NKS_ERR_NON_FINITE` for a NaN or infinite context,
     *         `NKS_ERR_INVALID_ARGUMENT` for a Young context outside [0, 1).
     */
    SorChoice choose(double context) {
        SorChoice choice;
        detail::check(nks_sor_bandit_choose(get(), context, &choice.arm, &choice.omega), "nks_sor_bandit_choose");
        return choice;
    }

    /// Learns that the 0-based `arm` cost `cost` iterations (>= 0; pass the cap for a solve
    /// that did not converge) on a system with `context` (`nks_sor_bandit_observe`).
    /// @throws nks::Error with `NKS_ERR_INVALID_ARGUMENT` for `arm >= num_arms` or a negative
    ///         or non-finite cost, `NKS_ERR_NON_FINITE` for a NaN or infinite context.
    SorBandit& observe(std::size_t arm, double context, double cost) {
        detail::check(nks_sor_bandit_observe(get(), arm, context, cost), "nks_sor_bandit_observe");
        return *this;
    }

    /**
     * Chooses omega for `context`, solves `a x = b` (vectors of length `n`, `a` square with a
     * nonzero diagonal) by SOR or SSOR-PCG, and learns from the iteration count
     * (`nks_sor_bandit_solve`); `report()` then gives the omega, iterations and residuals.
     * `x` is the initial guess when `set_use_initial_guess(true)`, else its contents are ignored.
     * @returns `NKS_OK` when converged, or `NKS_MAX_ITERATIONS` with the last iterate in `x`.
     * @throws nks::Error with `NKS_ERR_NON_FINITE` when SOR diverged or `NKS_ERR_BREAKDOWN` when
     *         SSOR-PCG met a non-SPD matrix (`x` untouched; the learner learned the capped cost
     *         and `report()` describes the solve); for bad input (`NKS_ERR_DIMENSION_MISMATCH`
     *         for `n`, NaN in `b`, overlapping `b` and `x`, a zero diagonal, a non-finite
     *         context) before any work, changing nothing, the generator included.
     */
    nks_status solve(const Csr& a, const double* b, double* x, std::size_t n, double context) {
        if (!a) detail::moved_from("nks::Csr");
        return detail::check(nks_sor_bandit_solve(get(), a.capi(), b, x, n, context), "nks_sor_bandit_solve");
    }

    /**
     * Solves `a x = b` with omega chosen for `context` (see the pointer overload).
     * `x.size()` must equal `b.size()`.
     * @throws nks::Error with `NKS_ERR_DIMENSION_MISMATCH` when the sizes differ, and as the
     *         pointer overload.
     */
    nks_status solve(const Csr& a, const std::vector<double>& b, std::vector<double>& x, double context) {
        if (x.size() != b.size()) {
            throw Error(NKS_ERR_DIMENSION_MISMATCH, "x has " + std::to_string(x.size()) + " entries but b has " +
                                                        std::to_string(b.size()));
        }
        return solve(a, b.data(), x.data(), b.size(), context);
    }

    /// The report of the last `solve` that ran: converged, capped, or failed after choosing
    /// (diverged or broken down) (`nks_sor_bandit_get_report`).
    SorReport report() const {
        SorReport r{};
        detail::check(nks_sor_bandit_get_report(get(), &r), "nks_sor_bandit_get_report");
        return r;
    }

    /**
     * Writes the distribution the next choice at `context` is drawn from into `out[0 .. len)`,
     * `len == num_arms` (1 for the fixed and Young learners); non-contextual learners ignore
     * `context` (`nks_sor_bandit_probabilities`). `out` is written only on success.
     * @throws nks::Error with `NKS_ERR_DIMENSION_MISMATCH` when `len` is not the number of arms
     *         (the message names it), `NKS_ERR_NON_FINITE` for a NaN or infinite context.
     */
    void probabilities(double context, double* out, std::size_t len) const {
        detail::check(nks_sor_bandit_probabilities(get(), context, out, len), "nks_sor_bandit_probabilities");
    }

    /// The distribution the next choice at `context` is drawn from, one entry per arm (see the
    /// pointer overload).
    std::vector<double> probabilities(double context) const {
        std::vector<double> p(num_arms());
        probabilities(context, p.data(), p.size());
        return p;
    }

    /// The whole learner (kind, grid, options, statistics, generator position) in a versioned,
    /// checksummed, platform-independent format that `load` reads back (`nks_sor_bandit_save`).
    std::vector<std::uint8_t> save() const {
        detail::LibraryBytes bytes;
        detail::check(nks_sor_bandit_save(get(), bytes.data_out(), bytes.len_out()), "nks_sor_bandit_save");
        return bytes.to_vector();
    }

    /// As `save`, into the file `path`, created or replaced (`nks_sor_bandit_save_file`).
    /// @throws nks::Error with `NKS_ERR_INVALID_ARGUMENT` naming the path and the system's
    ///         reason when the file cannot be written.
    void save_file(const std::string& path) const {
        detail::check(nks_sor_bandit_save_file(get(), path.c_str()), "nks_sor_bandit_save_file");
    }

    /// The C handle, still owned by this object (for calls the binding does not wrap).
    nks_sor_bandit* capi() const noexcept { return ptr_; }

    /// False for a moved-from learner.
    explicit operator bool() const noexcept { return ptr_ != nullptr; }

private:
    /// Takes ownership of a handle the library created (`load`, `load_file`).
    explicit SorBandit(nks_sor_bandit* adopted) noexcept : ptr_(adopted) {}

    nks_sor_bandit* get() const {
        if (ptr_ == nullptr) detail::moved_from("nks::SorBandit");
        return ptr_;
    }

    nks_sor_bandit* ptr_ = nullptr;
};

// ---------------------------------------------------------------------------------------------
// Sinkhorn: entropic optimal transport
// ---------------------------------------------------------------------------------------------

/// The algorithm of `Sinkhorn` (option `"method"`); mirrors `nks_ot_method`.
enum class OtMethod : std::int32_t {
    /// Log-domain Sinkhorn (the default).
    Sinkhorn = NKS_OT_SINKHORN,
    /// Sinkhorn-Newton-Sparse: a Sinkhorn warm-up, then Newton steps with a sparsified Hessian.
    SNS = NKS_OT_SNS,
};

/// What the last `Sinkhorn::solve_points` / `Sinkhorn::solve_dense` did (status, termination,
/// method, Sinkhorn / Newton / fallback / CG iteration counts, Hessian density, marginal error,
/// `transport_cost = <C, P>`, `regularized_cost`, eps, exact lines, seconds); the C struct
/// `nks_sinkhorn_report` itself.
using SinkhornReport = nks_sinkhorn_report;

/// The termination reason of a Sinkhorn report as a scoped enum (`Termination::ConvergedAtol`
/// when the marginal error reached `tol`).
inline Termination termination(const SinkhornReport& r) noexcept { return static_cast<Termination>(r.termination); }

/// The method that produced a Sinkhorn report.
inline OtMethod method(const SinkhornReport& r) noexcept { return static_cast<OtMethod>(r.method); }

/// The entries of a transport plan at or above a threshold, in coordinate form, row-major order
/// (`Sinkhorn::plan_sparse`): entry `k` is `P(rows[k], cols[k]) = values[k]`, the indices counted
/// from the `index_base` asked for (0 or 1).
struct SparsePlan {
    /// Row (source point) of each entry.
    std::vector<std::int64_t> rows;
    /// Column (target point) of each entry.
    std::vector<std::int64_t> cols;
    /// Value of each entry (mass moved from the source to the target point).
    std::vector<double> values;

    /// The number of entries.
    std::size_t size() const noexcept { return values.size(); }
};

/**
 * An entropic optimal-transport solver: RAII over `nks_sinkhorn`. Move-only.
 *
 * Solves `min <C, P> + eps KL(P | a b^T)` subject to `P 1 = a`, `P^T 1 = b` by log-domain
 * Sinkhorn or Sinkhorn-Newton-Sparse, for a dense cost matrix (`solve_dense`) or for the cost
 * `|x_i - y_j|^p` (p = 1 or 2) between two point clouds computed on the fly (`solve_points`;
 * with p = 2, `report().transport_cost` is the entropic estimate of W_2^2). The solve writes
 * the dual potentials `f`, `g`; the plan `P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps)` of the
 * last solve is read with `plan_dense` / `plan_sparse` (the object keeps that problem: a dense
 * cost as `16 n m` bytes, point clouds as `8 (n + m) d` bytes). Setters return `*this` for
 * chaining and throw `nks::Error` on invalid input, leaving the previous value in place. Use one
 * object from one thread at a time.
 */
class Sinkhorn {
public:
    /// A solver with the defaults: log-domain Sinkhorn, `eps = 0.01`, stop at an L1 marginal
    /// error of `1e-9`, 100000 iterations, potentials started from zero (`nks_sinkhorn_new`).
    Sinkhorn() { detail::check(nks_sinkhorn_new(&ptr_), "nks_sinkhorn_new"); }

    /// Frees the solver and the problem it kept (`nks_sinkhorn_free`).
    ~Sinkhorn() { nks_sinkhorn_free(ptr_); }

    Sinkhorn(const Sinkhorn&) = delete;             ///< Not copyable: the library owns the state.
    Sinkhorn& operator=(const Sinkhorn&) = delete;  ///< Not copyable: the library owns the state.

    /// Takes over `other`'s solver and last problem; `other` is left empty.
    Sinkhorn(Sinkhorn&& other) noexcept
        : ptr_(std::exchange(other.ptr_, nullptr)), n_(std::exchange(other.n_, 0)), m_(std::exchange(other.m_, 0)) {}

    /// Frees this solver and takes over `other`'s; `other` is left empty.
    Sinkhorn& operator=(Sinkhorn&& other) noexcept {
        if (this != &other) {
            nks_sinkhorn_free(ptr_);
            ptr_ = std::exchange(other.ptr_, nullptr);
            n_ = std::exchange(other.n_, 0);
            m_ = std::exchange(other.m_, 0);
        }
        return *this;
    }

    /**
     * Sets an option by name (`nks_sinkhorn_set_option`): `"eps"` (> 0, default 0.01),
     * `"tol"` ((0, 1), default 1e-9, on `||P 1 - a||_1 + ||P^T 1 - b||_1`), `"max_iterations"`
     * (>= 1, default 100000), `"method"` (see `OtMethod`), `"check_interval"` (>= 1),
     * `"eps_scaling"` (0 = off, or a factor in (0, 1)), `"use_initial_guess"` (0/1),
     * `"newton_warmup"` (>= 0), `"hessian_density"` (-1 = adaptive, or (0, 1]),
     * `"hessian_mass"` ((0, 1]), `"cg_max_iterations"` (>= 1), `"max_seconds"` (0 = no limit),
     * `"kernel_memory_mb"` (>= 0, default 1024; 0 = exponentials on the fly).
     * @throws nks::Error with `NKS_ERR_UNKNOWN_OPTION` (the message lists the names) or
     *         `NKS_ERR_INVALID_ARGUMENT` for a value out of range (the option keeps its value).
     */
    Sinkhorn& set_option(const std::string& name, double value) {
        detail::check(nks_sinkhorn_set_option(get(), name.c_str(), value), "nks_sinkhorn_set_option");
        return *this;
    }

    /// Reads an option by name, in the encoding `set_option` takes (`nks_sinkhorn_get_option`).
    /// @throws nks::Error with `NKS_ERR_UNKNOWN_OPTION` (the message lists the names).
    double get_option(const std::string& name) const {
        double value = 0.0;
        detail::check(nks_sinkhorn_get_option(get(), name.c_str(), &value), "nks_sinkhorn_get_option");
        return value;
    }

    /// The regularisation, > 0 and finite, default 0.01, in the units of the cost (option `"eps"`).
    Sinkhorn& set_eps(double eps) { return set_option("eps", eps); }

    /// Stop at `||P 1 - a||_1 + ||P^T 1 - b||_1 <= tol`; range (0, 1), default 1e-9 (option `"tol"`).
    Sinkhorn& set_tol(double tol) { return set_option("tol", tol); }

    /// Iteration limit over all stages, >= 1, default 100000; a solve reaching it returns
    /// `NKS_MAX_ITERATIONS` with the last potentials (option `"max_iterations"`).
    Sinkhorn& set_max_iterations(std::size_t max_iterations) {
        return set_option("max_iterations", static_cast<double>(max_iterations));
    }

    /// Log-domain Sinkhorn (default) or Sinkhorn-Newton-Sparse (option `"method"`).
    Sinkhorn& set_method(OtMethod method) { return set_option("method", static_cast<double>(method)); }

    /// Epsilon scaling: 0 (off, default) or a factor in (0, 1): start at `eps = max |C|` and
    /// shrink by the factor down to `eps` (option `"eps_scaling"`).
    Sinkhorn& set_eps_scaling(double factor) { return set_option("eps_scaling", factor); }

    /// true: start from the `f`, `g` passed to the solve (they must be finite); false (default):
    /// start from zero and ignore their contents (option `"use_initial_guess"`).
    Sinkhorn& set_use_initial_guess(bool use) { return set_option("use_initial_guess", use ? 1.0 : 0.0); }

    /**
     * Solves the problem between the histograms `a` (length `n`) and `b` (length `m`) with the
     * dense cost `c`, `n x m` column-major with leading dimension `ldc >= n` (entry `(i, j)` is
     * `c[i + j * ldc]`; the cost is copied), writing the potentials to `f` (length `n`) and `g`
     * (length `m`) (`nks_sinkhorn_solve_dense`). `a` and `b` must be finite, non-negative, not
     * all zero and of equal total mass (relative 1e-9).
     * @returns `NKS_OK` when converged, `NKS_MAX_ITERATIONS` or `NKS_TIME_LIMIT` with the last
     *          potentials written (usable, not converged).
     * @throws nks::Error for bad input (`NKS_ERR_INVALID_ARGUMENT` for a negative weight, unequal
     *         masses, `ldc < n`, overlapping `f` and `g`; `NKS_ERR_NON_FINITE` for a NaN or
     *         infinite cost or weight), before any work: `f`, `g` and the last problem are kept.
     */
    nks_status solve_dense(std::size_t n, std::size_t m, const double* a, const double* b, const double* c,
                           std::size_t ldc, double* f, double* g) {
        const nks_status status =
            detail::check(nks_sinkhorn_solve_dense(get(), n, m, a, b, c, ldc, f, g), "nks_sinkhorn_solve_dense");
        solved(n, m);
        return status;
    }

    /**
     * Solves the problem between `a` and `b` with the dense cost `c`, `a.size() x b.size()`
     * column-major (`c[i + j * a.size()]`), writing the potentials to `f` and `g` (see the
     * pointer overload). `f.size()` must equal `a.size()` and `g.size()` equal `b.size()`.
     * @throws nks::Error with `NKS_ERR_DIMENSION_MISMATCH` when the sizes disagree,
     *         `NKS_ERR_INVALID_ARGUMENT` for an empty histogram, and as the pointer overload.
     */
    nks_status solve_dense(const std::vector<double>& a, const std::vector<double>& b, const std::vector<double>& c,
                           std::vector<double>& f, std::vector<double>& g) {
        check_sizes(a, b, f, g);
        if (c.size() != a.size() * b.size()) {
            throw Error(NKS_ERR_DIMENSION_MISMATCH,
                        "c has " + std::to_string(c.size()) + " entries but a.size() x b.size() = " +
                            std::to_string(a.size()) + " x " + std::to_string(b.size()) + " are needed");
        }
        return solve_dense(a.size(), b.size(), a.data(), b.data(), c.data(), a.size(), f.data(), g.data());
    }

    /**
     * Solves the problem between the point clouds `x` (`n` points) and `y` (`m` points) in
     * dimension `d`, weighted by `a` and `b`, with the cost `|x_i - y_j|^p` (`p` = 1 or 2,
     * Euclidean norm) computed on the fly: memory stays O((n + m) d)
     * (`nks_sinkhorn_solve_points`). Point `i` is `x[i * ldx .. i * ldx + d]` (`ldx >= d`),
     * likewise `y`. Potentials, statuses and errors as `solve_dense`, plus
     * `NKS_ERR_INVALID_ARGUMENT` for `p` other than 1 or 2 or `d = 0`, and
     * `NKS_ERR_NON_FINITE` for a NaN or infinite coordinate.
     */
    nks_status solve_points(std::size_t n, std::size_t m, std::size_t d, const double* a, const double* b,
                            const double* x, std::size_t ldx, const double* y, std::size_t ldy, double p, double* f,
                            double* g) {
        const nks_status status = detail::check(
            nks_sinkhorn_solve_points(get(), n, m, d, a, b, x, ldx, y, ldy, p, f, g), "nks_sinkhorn_solve_points");
        solved(n, m);
        return status;
    }

    /**
     * Solves the problem between the point clouds `x` (`a.size()` points of `d` coordinates,
     * point `i` at `x[i * d .. i * d + d]`) and `y` (`b.size()` points), weighted by `a` and `b`,
     * with the cost `|x_i - y_j|^p` (see the pointer overload). `x.size()` must equal
     * `d * a.size()`, `y.size()` equal `d * b.size()`, `f.size()` equal `a.size()` and
     * `g.size()` equal `b.size()`.
     * @throws nks::Error with `NKS_ERR_DIMENSION_MISMATCH` when the sizes disagree,
     *         `NKS_ERR_INVALID_ARGUMENT` for `d = 0` or an empty histogram, and as the pointer
     *         overload.
     */
    nks_status solve_points(std::size_t d, const std::vector<double>& a, const std::vector<double>& b,
                            const std::vector<double>& x, const std::vector<double>& y, double p,
                            std::vector<double>& f, std::vector<double>& g) {
        if (d == 0) throw Error(NKS_ERR_INVALID_ARGUMENT, "d = 0; points need at least one coordinate");
        check_sizes(a, b, f, g);
        if (x.size() != d * a.size() || y.size() != d * b.size()) {
            throw Error(NKS_ERR_DIMENSION_MISMATCH,
                        "x has " + std::to_string(x.size()) + " and y has " + std::to_string(y.size()) +
                            " coordinates; d x a.size() = " + std::to_string(d * a.size()) +
                            " and d x b.size() = " + std::to_string(d * b.size()) + " are needed");
        }
        return solve_points(a.size(), b.size(), d, a.data(), b.data(), x.data(), d, y.data(), d, p, f.data(),
                            g.data());
    }

    /// The report of the last solve (`nks_sinkhorn_get_report`); a refused solve leaves the
    /// previous one's.
    SinkhornReport report() const {
        SinkhornReport r{};
        detail::check(nks_sinkhorn_get_report(get(), &r), "nks_sinkhorn_get_report");
        return r;
    }

    /**
     * Writes the plan of the last solve, `n x m`, into `p` (column-major, leading dimension
     * `ldp >= n`) (`nks_sinkhorn_plan_dense`).
     * @throws nks::Error with `NKS_ERR_INVALID_STATE` before any solve,
     *         `NKS_ERR_DIMENSION_MISMATCH` when `n`, `m` are not the last problem's.
     */
    void plan_dense(std::size_t n, std::size_t m, double* p, std::size_t ldp) const {
        detail::check(nks_sinkhorn_plan_dense(get(), n, m, p, ldp), "nks_sinkhorn_plan_dense");
    }

    /// The plan of the last solve, `n x m` column-major (entry `(i, j)` at `[i + j * n]`), for
    /// the `n`, `m` of the last solve made through this object (`nks_sinkhorn_plan_dense`).
    /// @throws nks::Error with `NKS_ERR_INVALID_STATE` before any solve.
    std::vector<double> plan_dense() const {
        std::vector<double> p(n_ * m_);
        plan_dense(n_, m_, p.empty() ? nullptr : p.data(), n_ > 0 ? n_ : 1);
        return p;
    }

    /// The number of entries of the last solve's plan that are `>= threshold` (and nonzero)
    /// (`nks_sinkhorn_plan_nnz`).
    /// @throws nks::Error with `NKS_ERR_INVALID_STATE` before any solve,
    ///         `NKS_ERR_INVALID_ARGUMENT` for a negative or non-finite threshold.
    std::size_t plan_nnz(double threshold) const {
        std::size_t nnz = 0;
        detail::check(nks_sinkhorn_plan_nnz(get(), threshold, &nnz), "nks_sinkhorn_plan_nnz");
        return nnz;
    }

    /**
     * The entries of the last solve's plan that are `>= threshold` (and nonzero), row-major, with
     * indices counted from `index_base` (0, or 1 for Fortran-style indices)
     * (`nks_sinkhorn_plan_nnz`, then `nks_sinkhorn_plan_sparse`).
     * @throws nks::Error with `NKS_ERR_INVALID_STATE` before any solve,
     *         `NKS_ERR_INVALID_ARGUMENT` for a negative or non-finite threshold or an
     *         `index_base` other than 0 and 1.
     */
    SparsePlan plan_sparse(double threshold, std::int32_t index_base = 0) const {
        const std::size_t nnz = plan_nnz(threshold);
        SparsePlan plan;
        plan.rows.resize(nnz);
        plan.cols.resize(nnz);
        plan.values.resize(nnz);
        detail::check(nks_sinkhorn_plan_sparse(get(), threshold, index_base, plan.rows.data(), plan.cols.data(),
                                               plan.values.data(), nnz),
                      "nks_sinkhorn_plan_sparse");
        return plan;
    }

    /// The C handle, still owned by this object (for calls the binding does not wrap; a solve
    /// made through it is not seen by `plan_dense()`, which uses the sizes of this object's
    /// last solve).
    nks_sinkhorn* capi() const noexcept { return ptr_; }

    /// False for a moved-from solver.
    explicit operator bool() const noexcept { return ptr_ != nullptr; }

private:
    nks_sinkhorn* get() const {
        if (ptr_ == nullptr) detail::moved_from("nks::Sinkhorn");
        return ptr_;
    }

    /// Records the sizes of the problem the library now keeps (a solve that did not throw).
    void solved(std::size_t n, std::size_t m) noexcept {
        n_ = n;
        m_ = m;
    }

    /// The checks shared by the vector overloads of the solves.
    static void check_sizes(const std::vector<double>& a, const std::vector<double>& b, const std::vector<double>& f,
                            const std::vector<double>& g) {
        if (a.empty() || b.empty()) {
            throw Error(NKS_ERR_INVALID_ARGUMENT, std::string(a.empty() ? "a" : "b") +
                                                      " is empty; a histogram needs at least one point");
        }
        if (f.size() != a.size() || g.size() != b.size()) {
            throw Error(NKS_ERR_DIMENSION_MISMATCH,
                        "f has " + std::to_string(f.size()) + " and g has " + std::to_string(g.size()) +
                            " entries but a has " + std::to_string(a.size()) + " and b has " +
                            std::to_string(b.size()) + "; the potentials need one entry per point");
        }
    }

    nks_sinkhorn* ptr_ = nullptr;
    /// `n`, `m` of the last problem solved through this object (0 before any).
    std::size_t n_ = 0;
    std::size_t m_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Newton: unconstrained minimisation with callback oracles
// ---------------------------------------------------------------------------------------------

/// The algorithm of `Newton` (option `"method"`); mirrors `nks_newton_method`.
enum class NewtonMethod : std::int32_t {
    /// Trust-region Newton-CG (Steihaug-Toint), the default.
    TrustRegion = NKS_NEWTON_TRUST_REGION,
    /// Line-search Newton-CG (Eisenstat-Walker forcing; Armijo or strong Wolfe).
    LineSearch = NKS_NEWTON_LINE_SEARCH,
    /// Lazy-Hessian Newton: the Hessian sampled every `"lazy_period"` steps, cubic or gradient
    /// regularisation.
    Lazy = NKS_NEWTON_LAZY,
    /// Damped Newton with the AICN step size (convex `f`).
    Damped = NKS_NEWTON_DAMPED,
    /// Gradient-regularised Newton.
    GradientRegularized = NKS_NEWTON_GRADIENT_REGULARIZED,
};

/// What the last `Newton::solve` did (status, termination, method, iterations, accepted and
/// rejected steps, oracle calls by kind, CG iterations, failed evaluations, the callback code,
/// initial and final `f` and `||g||`, last step length, the method's adaptive parameter,
/// seconds); the C struct `nks_newton_report` itself. The monitor gets the running one.
using NewtonReport = nks_newton_report;

/// The termination reason of a Newton report as a scoped enum (`ConvergedAtol`: `||g|| <=
/// gatol`; `ConvergedRtol`, `ConvergedStep`, `ConvergedFtol`: the other tolerance tests).
inline Termination termination(const NewtonReport& r) noexcept { return static_cast<Termination>(r.termination); }

/// The method that produced a Newton report.
inline NewtonMethod method(const NewtonReport& r) noexcept { return static_cast<NewtonMethod>(r.method); }

/**
 * Thrown by a `Newton` oracle (objective, gradient, Hessian-vector product, preconditioner) that
 * cannot evaluate the point it was given (outside the model's domain, a simulation that failed
 * there). It is not an error: the library is told so (a positive callback code) and shrinks its
 * step and tries again (a refused Hessian-vector product ends that inner solve early, a
 * refused preconditioner application runs that CG iteration unpreconditioned). Thrown at the
 * starting point, the solve fails with `NKS_ERR_CALLBACK`. Returning a NaN or infinite value
 * from the objective means the same. Any other exception stops the solve and is rethrown.
 *
 * A `Nonlinear` residual throws it the same way (the solver shortens its step, or takes the
 * finite difference the other way); thrown at the starting point, the solve fails with
 * `NKS_ERR_CALLBACK`. The `Nonlinear` products and preconditioner run at accepted points
 * only, where stepping back cannot help: thrown there, it stops the solve with
 * `NKS_ERR_CALLBACK` (positive code in the report).
 *
 * A `Constrained` objective, gradient, constraint or `J^T w` callable throws it the same way at a
 * trial point (the line search shortens its step); thrown at the starting point, the solve fails
 * with `NKS_ERR_CALLBACK`. The `Constrained` `J v`, Hessian-vector, sparse-value and
 * preconditioner callables run at accepted points only: thrown there, it stops the solve with
 * `NKS_ERR_CALLBACK` (positive code in the report).
 */
class CannotEvaluate : public std::runtime_error {
public:
    /// With an optional explanation (for the host's own logs; the library does not see it).
    explicit CannotEvaluate(const std::string& why = "the point cannot be evaluated") : std::runtime_error(why) {}
};

/// Objective: return `f(x)`, `x` of length `n`. Throw `nks::CannotEvaluate` (or return NaN /
/// infinity) where `f` cannot be evaluated; any other exception stops the solve.
using NewtonValue = std::function<double(const double* x, std::size_t n)>;

/// Gradient: write `g = grad f(x)` (length `n`). Exceptions as for `NewtonValue`.
using NewtonGradient = std::function<void(const double* x, double* g, std::size_t n)>;

/// Objective and gradient at once: write `g = grad f(x)` and return `f(x)`. Exceptions as for
/// `NewtonValue`.
using NewtonValueGradient = std::function<double(const double* x, double* g, std::size_t n)>;

/// Hessian-vector product: write `hv = H(x) v` (length `n`). Exceptions as for `NewtonValue`.
using NewtonHessianVector = std::function<void(const double* x, const double* v, double* hv, std::size_t n)>;

/// Preconditioner of the inner CG: write `z = M(x)^{-1} r` for a symmetric positive definite
/// `M(x)` approximating the Hessian at `x`. Exceptions as for `NewtonValue`.
using NewtonPreconditioner = std::function<void(const double* x, const double* r, double* z, std::size_t n)>;

/// Monitor, called after every iteration with the running report (its `status` is 0 and its
/// termination `NotStarted`) and the current point (length `n`): return true to continue,
/// false to stop the solve (which then throws `nks::Error` with `NKS_ERR_ABORTED`).
using NewtonMonitor = std::function<bool(const NewtonReport& report, const double* x, std::size_t n)>;

namespace detail {

/**
 * The exception plumbing of the oracles of one handle (`Newton`, `Nonlinear`, `Constrained`):
 * runs each callable without letting an exception out, keeps the first exception one threw
 * during a solve, and rethrows it once the library has returned.
 */
struct OracleCalls {
    /// The exception an oracle threw during the current solve (rethrown after it returns).
    std::exception_ptr error{};

    /// Runs `f`: 0 on success, 1 for `nks::CannotEvaluate` (the library steps back), -1 for any
    /// other exception, which is stored (the first one wins) and stops the solve.
    template <class F>
    int call(F&& f) noexcept {
        if (error) return -1;  // an oracle already failed in this solve: stop at once
        try {
            f();
            return 0;
        } catch (const CannotEvaluate&) {
            return 1;
        } catch (...) {
            error = std::current_exception();
            return -1;
        }
    }

    /// To be called right after a solve returned `status`: rethrows the exception an oracle
    /// threw during it (clearing it), else throws `nks::Error` for a negative status, else
    /// returns `status`.
    nks_status finish(nks_status status, const char* where) {
        if (error) {
            std::exception_ptr e = std::move(error);
            error = nullptr;
            std::rethrow_exception(e);
        }
        return check(status, where);
    }
};

/**
 * The C++ oracles of one `Newton` handle and the exception the first failing one threw.
 *
 * Heap-allocated and owned by the `Newton` object, so its address (the `user_data` given to
 * the library) stays the same when the `Newton` object is moved.
 */
struct NewtonCallbacks : OracleCalls {
    NewtonValue value{};
    NewtonGradient gradient{};
    NewtonValueGradient value_gradient{};
    NewtonHessianVector hessian_vector{};
    NewtonPreconditioner precond{};
    NewtonMonitor monitor{};

    /// Trampoline for `nks_newton_objective_fn`; never lets an exception out.
    static int value_trampoline(const double* x, std::size_t n, double* f, void* user_data) noexcept {
        auto* self = static_cast<NewtonCallbacks*>(user_data);
        return self->call([&] { *f = self->value(x, n); });
    }

    /// Trampoline for `nks_newton_gradient_fn`; never lets an exception out.
    static int gradient_trampoline(const double* x, std::size_t n, double* g, void* user_data) noexcept {
        auto* self = static_cast<NewtonCallbacks*>(user_data);
        return self->call([&] { self->gradient(x, g, n); });
    }

    /// Trampoline for `nks_newton_objective_gradient_fn`; never lets an exception out.
    static int value_gradient_trampoline(const double* x, std::size_t n, double* f, double* g,
                                         void* user_data) noexcept {
        auto* self = static_cast<NewtonCallbacks*>(user_data);
        return self->call([&] { *f = self->value_gradient(x, g, n); });
    }

    /// Trampoline for `nks_newton_hessian_vector_fn`; never lets an exception out.
    static int hessian_vector_trampoline(const double* x, const double* v, std::size_t n, double* hv,
                                         void* user_data) noexcept {
        auto* self = static_cast<NewtonCallbacks*>(user_data);
        return self->call([&] { self->hessian_vector(x, v, hv, n); });
    }

    /// Trampoline for `nks_newton_precond_fn`; never lets an exception out.
    static int precond_trampoline(const double* x, const double* r, std::size_t n, double* z,
                                  void* user_data) noexcept {
        auto* self = static_cast<NewtonCallbacks*>(user_data);
        return self->call([&] { self->precond(x, r, z, n); });
    }

    /// Trampoline for `nks_newton_monitor_fn`: 0 to continue, 1 to stop. Never lets an
    /// exception out.
    static int monitor_trampoline(const nks_newton_report* report, const double* x, std::size_t n,
                                  void* user_data) noexcept {
        auto* self = static_cast<NewtonCallbacks*>(user_data);
        bool keep_going = false;
        const int rc = self->call([&] { keep_going = self->monitor(*report, x, n); });
        return (rc == 0 && keep_going) ? 0 : 1;
    }
};

}  // namespace detail

/**
 * An unconstrained minimiser with C++ oracles (trust-region or line-search Newton-CG,
 * lazy-Hessian, damped or gradient-regularised Newton): RAII over `nks_newton`. Move-only.
 *
 * Minimises a smooth `f` given by callables: its value and gradient (separately, or one
 * callable for both) and Hessian-vector products, optionally a preconditioner of the inner CG
 * and a monitor. An oracle that cannot evaluate a point throws `nks::CannotEvaluate` (the
 * solver steps back); any other exception stops the solve and `solve` rethrows it, the very
 * same object, once the library has returned, leaving `x` untouched. The callables are stored
 * in this object and live as long as it does; moving the object keeps them working. Setters
 * return `*this` for chaining and throw `nks::Error` on invalid input, leaving the previous
 * setting in place. Use one object from one thread at a time (the oracles run on the thread
 * that calls `solve`), and do not call its methods from inside its own callables: the library
 * refuses with `NKS_ERR_INVALID_STATE`, which, thrown inside a callable, stops the solve.
 *
 * @code
 *   nks::Newton solver;
 *   solver.set_oracles(f, grad, hess_vec).set_gatol(1e-8);
 *   std::vector<double> x = start;
 *   solver.solve(x);                           // NKS_OK: the minimiser is in x
 *   std::printf("%zu iterations\n", solver.report().iterations);
 * @endcode
 */
class Newton {
public:
    /// A minimiser with the defaults: trust-region Newton-CG, stop at `||g|| <= 1e-8`, 1000
    /// iterations; set the oracles before solving (`nks_newton_new`).
    Newton() : callbacks_(std::make_unique<detail::NewtonCallbacks>()) {
        detail::check(nks_newton_new(&ptr_), "nks_newton_new");
    }

    /// Frees the minimiser (`nks_newton_free`), then its callables.
    ~Newton() { nks_newton_free(ptr_); }

    Newton(const Newton&) = delete;             ///< Not copyable: the library owns the state.
    Newton& operator=(const Newton&) = delete;  ///< Not copyable: the library owns the state.

    /// Takes over `other`'s minimiser and callables; `other` is left empty.
    Newton(Newton&& other) noexcept
        : ptr_(std::exchange(other.ptr_, nullptr)),
          callbacks_(std::move(other.callbacks_)),
          n_(std::exchange(other.n_, 0)) {}

    /// Frees this minimiser and takes over `other`'s; `other` is left empty.
    Newton& operator=(Newton&& other) noexcept {
        if (this != &other) {
            nks_newton_free(ptr_);
            ptr_ = std::exchange(other.ptr_, nullptr);
            callbacks_ = std::move(other.callbacks_);
            n_ = std::exchange(other.n_, 0);
        }
        return *this;
    }

    /**
     * Sets the oracles (`nks_newton_set_oracles`): `value(x, n)` returns `f(x)`,
     * `gradient(x, g, n)` writes `grad f(x)`, `hessian_vector(x, v, hv, n)` writes `H(x) v`;
     * `value_gradient(x, g, n)` (optional) does both of the first two at once and is then used
     * wherever both are needed at one point. `value` or `gradient` may be empty when
     * `value_gradient` is given. They replace the previous oracles.
     * @throws nks::Error with `NKS_ERR_NULL_POINTER` naming what is missing (an empty
     *         `hessian_vector`, or neither `value` nor `value_gradient`, ...).
     */
    Newton& set_oracles(NewtonValue value, NewtonGradient gradient, NewtonHessianVector hessian_vector,
                        NewtonValueGradient value_gradient = NewtonValueGradient()) {
        using CB = detail::NewtonCallbacks;
        detail::check(nks_newton_set_oracles(get(), value ? &CB::value_trampoline : nullptr,
                                             gradient ? &CB::gradient_trampoline : nullptr,
                                             value_gradient ? &CB::value_gradient_trampoline : nullptr,
                                             hessian_vector ? &CB::hessian_vector_trampoline : nullptr,
                                             callbacks_.get()),
                      "nks_newton_set_oracles");
        callbacks_->value.swap(value);
        callbacks_->gradient.swap(gradient);
        callbacks_->value_gradient.swap(value_gradient);
        callbacks_->hessian_vector.swap(hessian_vector);
        return *this;
    }

    /// Sets the oracles from one callable for the value and gradient, `value_gradient(x, g, n)`
    /// writing `grad f(x)` and returning `f(x)`, and the Hessian-vector product (see the
    /// four-callable overload).
    Newton& set_oracles(NewtonValueGradient value_gradient, NewtonHessianVector hessian_vector) {
        return set_oracles(NewtonValue(), NewtonGradient(), std::move(hessian_vector), std::move(value_gradient));
    }

    /// Sets the preconditioner of the inner CG, `apply(x, r, z, n)` writing `z = M(x)^{-1} r`
    /// for a symmetric positive definite `M(x)`; an empty `apply` removes it
    /// (`nks_newton_set_preconditioner`). The trust region is then measured in `M`'s norm.
    Newton& set_preconditioner(NewtonPreconditioner apply) {
        detail::check(nks_newton_set_preconditioner(
                          get(), apply ? &detail::NewtonCallbacks::precond_trampoline : nullptr, callbacks_.get()),
                      "nks_newton_set_preconditioner");
        callbacks_->precond.swap(apply);
        return *this;
    }

    /// Removes the preconditioner.
    Newton& clear_preconditioner() { return set_preconditioner(NewtonPreconditioner()); }

    /// Installs a monitor called after every iteration with the running report and the current
    /// point; returning false stops the solve (`solve` throws `nks::Error` with
    /// `NKS_ERR_ABORTED`; `point()` has the last accepted point). An empty `monitor` removes it
    /// (`nks_newton_set_monitor`).
    Newton& set_monitor(NewtonMonitor monitor) {
        detail::check(nks_newton_set_monitor(
                          get(), monitor ? &detail::NewtonCallbacks::monitor_trampoline : nullptr, callbacks_.get()),
                      "nks_newton_set_monitor");
        callbacks_->monitor.swap(monitor);
        return *this;
    }

    /// Removes the monitor.
    Newton& clear_monitor() { return set_monitor(NewtonMonitor()); }

    /**
     * Sets an option by name (`nks_newton_set_option`): `"method"` (see `NewtonMethod`),
     * `"gatol"` (>= 0, default 1e-8), `"grtol"`, `"xtol"`, `"ftol"` (>= 0, default 0 = off),
     * `"max_iterations"` (>= 1, default 1000), `"max_evaluations"`, `"max_seconds"` (0 = no
     * limit), `"forcing"`, `"forcing_value"`, `"forcing_min"`, `"cg_max_iterations"`,
     * `"initial_radius"`, `"max_radius"` (trust region), `"line_search"`, `"c1"`, `"c2"` (line
     * search), `"lazy_period"`, `"lazy_rank"`, `"lazy_regularization"`, `"regularization"`
     * (lazy Hessian), `"lipschitz"` (damped), `"gamma"` (gradient-regularised); see `nksolve.h`
     * for the ranges.
     * @throws nks::Error with `NKS_ERR_UNKNOWN_OPTION` (the message lists the names) or
     *         `NKS_ERR_INVALID_ARGUMENT` for a value out of range (the option keeps its value).
     */
    Newton& set_option(const std::string& name, double value) {
        detail::check(nks_newton_set_option(get(), name.c_str(), value), "nks_newton_set_option");
        return *this;
    }

    /// Reads an option by name, in the encoding `set_option` takes (`nks_newton_get_option`).
    /// @throws nks::Error with `NKS_ERR_UNKNOWN_OPTION` (the message lists the names).
    double get_option(const std::string& name) const {
        double value = 0.0;
        detail::check(nks_newton_get_option(get(), name.c_str(), &value), "nks_newton_get_option");
        return value;
    }

    /// The method, default trust region (option `"method"`).
    Newton& set_method(NewtonMethod method) { return set_option("method", static_cast<double>(method)); }

    /// Stop at `||g|| <= gatol`; >= 0, default 1e-8 (option `"gatol"`).
    Newton& set_gatol(double gatol) { return set_option("gatol", gatol); }

    /// Stop at `||g|| <= grtol ||g0||`; >= 0, default 0 = off (option `"grtol"`).
    Newton& set_grtol(double grtol) { return set_option("grtol", grtol); }

    /// Iteration limit (rejected trial steps included), >= 1, default 1000; reaching it makes
    /// `solve` return `NKS_MAX_ITERATIONS` with the best point found (option `"max_iterations"`).
    Newton& set_max_iterations(std::size_t max_iterations) {
        return set_option("max_iterations", static_cast<double>(max_iterations));
    }

    /// The first trust radius, > 0, default 1 (option `"initial_radius"`).
    Newton& set_initial_radius(double radius) { return set_option("initial_radius", radius); }

    /**
     * Minimises `f` from `x` (length `n >= 1`) (`nks_newton_solve`).
     * @returns `NKS_OK` when a tolerance test passed, with the minimiser in `x`;
     *          `NKS_MAX_ITERATIONS`, `NKS_TIME_LIMIT` or `NKS_STAGNATION` with the best point
     *          found in `x` (usable, not converged).
     * @throws the exception an oracle or the monitor threw (same type, same object), or
     *         nks::Error: `NKS_ERR_INVALID_STATE` (no oracles), `NKS_ERR_INVALID_ARGUMENT`
     *         (`n = 0`), `NKS_ERR_NON_FINITE` (NaN / infinity in `x`, or from the oracles at
     *         the start), `NKS_ERR_CALLBACK` (`nks::CannotEvaluate` at the start),
     *         `NKS_ERR_ABORTED` (the monitor returned false). On a throw, `x` is untouched;
     *         once the solve started, `point()` gives the last accepted point and `report()`
     *         describes the failed solve.
     */
    nks_status solve(double* x, std::size_t n) {
        nks_newton* h = get();
        // The library keeps the last point of a solve that started; a refused one keeps the
        // previous solve's. Tell them apart to know the length of point().
        bool finite = x != nullptr;
        for (std::size_t i = 0; finite && i < n; ++i) finite = std::isfinite(x[i]);
        callbacks_->error = nullptr;
        const nks_status status = nks_newton_solve(h, n, x);
        const auto s = static_cast<std::int32_t>(status);
        if (n > 0 && finite && (s >= 0 || status == NKS_ERR_CALLBACK || status == NKS_ERR_NON_FINITE ||
                                status == NKS_ERR_ABORTED)) {
            n_ = n;
        }
        return callbacks_->finish(status, "nks_newton_solve");
    }

    /// Minimises `f` from `x` (see the pointer overload).
    nks_status solve(std::vector<double>& x) { return solve(x.data(), x.size()); }

    /// The report of the last solve (`nks_newton_get_report`).
    NewtonReport report() const {
        NewtonReport r{};
        detail::check(nks_newton_get_report(get(), &r), "nks_newton_get_report");
        return r;
    }

    /// Writes the last accepted point of the last solve that started into `x` (length `n`):
    /// the result when a failed solve left the caller's array untouched
    /// (`nks_newton_get_point`).
    /// @throws nks::Error with `NKS_ERR_INVALID_STATE` before any solve,
    ///         `NKS_ERR_DIMENSION_MISMATCH` when `n` is not the last solve's.
    void point(double* x, std::size_t n) const {
        detail::check(nks_newton_get_point(get(), n, x), "nks_newton_get_point");
    }

    /// The last accepted point of the last solve made through this object that started (see
    /// the pointer overload).
    /// @throws nks::Error with `NKS_ERR_INVALID_STATE` before any solve.
    std::vector<double> point() const {
        std::vector<double> x(n_);
        point(x.empty() ? nullptr : x.data(), n_);
        return x;
    }

    /// The C handle, still owned by this object (for calls the binding does not wrap; a solve
    /// made through it is not seen by `point()`, which uses the length of this object's last
    /// solve).
    nks_newton* capi() const noexcept { return ptr_; }

    /// False for a moved-from minimiser.
    explicit operator bool() const noexcept { return ptr_ != nullptr; }

private:
    nks_newton* get() const {
        if (ptr_ == nullptr) detail::moved_from("nks::Newton");
        return ptr_;
    }

    nks_newton* ptr_ = nullptr;
    std::unique_ptr<detail::NewtonCallbacks> callbacks_;
    /// `n` of the last solve made through this object that started (0 before any).
    std::size_t n_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Nonlinear: nonlinear systems and least squares with callback oracles
// ---------------------------------------------------------------------------------------------

/// The algorithm of `Nonlinear` (option `"method"`); mirrors `nks_nonlinear_method`.
enum class NonlinearMethod : std::int32_t {
    /// Jacobian-free Newton-Krylov for square systems `F(x) = 0` (the default): inexact Newton
    /// steps from GMRES or GCRO-DR, Eisenstat-Walker forcing, backtracking on `||F||`.
    NewtonKrylov = NKS_NONLINEAR_NEWTON_KRYLOV,
    /// Levenberg-Marquardt for `min ||F(x)||^2 / 2`, `F: R^n -> R^m` (needs `J^T w`).
    LevenbergMarquardt = NKS_NONLINEAR_LEVENBERG_MARQUARDT,
};

/// What the last `Nonlinear::solve` did (status, termination, method, steps, residual calls,
/// finite-difference and callback products, preconditioner calls, inner iterations, rejected
/// and failed points, step records, recycled vectors, the callback code, initial and final
/// `||F||`, `||J^T F||`, last step length, seconds); the C struct `nks_nonlinear_report`
/// itself. The monitor gets the running one.
using NonlinearReport = nks_nonlinear_report;

/// One step of the last `Nonlinear::solve` (`||F||` at its start, the forcing term asked for
/// and the relative residual reached, inner iterations, Jacobian products, recycled vectors it
/// started with, step length, Levenberg-Marquardt parameter); the C struct
/// `nks_nonlinear_step` itself.
using NonlinearStep = nks_nonlinear_step;

/// The termination reason of a Nonlinear report as a scoped enum (`ConvergedAtol`: `||F|| <=
/// fatol`; `ConvergedRtol`: `||F|| <= frtol ||F0||`; `ConvergedStationary`: `||J^T F|| <=
/// gatol`; `ConvergedStep`: the step test).
inline Termination termination(const NonlinearReport& r) noexcept { return static_cast<Termination>(r.termination); }

/// The method that produced a Nonlinear report.
inline NonlinearMethod method(const NonlinearReport& r) noexcept { return static_cast<NonlinearMethod>(r.method); }

/// Residual: write `f = F(x)` (`x` of length `n`, `f` of length `m`; `m = n` for a square
/// system). Throw `nks::CannotEvaluate` (or write a NaN / infinity) where `F` cannot be
/// evaluated; any other exception stops the solve.
using NonlinearResidual = std::function<void(const double* x, double* f, std::size_t n, std::size_t m)>;

/// Jacobian-vector product: write `jv = J(x) v` (`v` of length `n`, `jv` of length `m`). Called
/// at accepted points only: any exception, `nks::CannotEvaluate` included, stops the solve.
using NonlinearJacobianVector =
    std::function<void(const double* x, const double* v, double* jv, std::size_t n, std::size_t m)>;

/// Transposed Jacobian-vector product: write `jtw = J(x)^T w` (`w` of length `m`, `jtw` of
/// length `n`). Exceptions as for `NonlinearJacobianVector`.
using NonlinearJacobianTranspose =
    std::function<void(const double* x, const double* w, double* jtw, std::size_t n, std::size_t m)>;

/// Preconditioner of the Newton-Krylov inner solve (right preconditioning): write
/// `z = M(x)^{-1} r` (length `n`) for an approximation `M(x)` of the Jacobian at the Newton
/// iterate `x`. Exceptions as for `NonlinearJacobianVector`.
using NonlinearPreconditioner = std::function<void(const double* x, const double* r, double* z, std::size_t n)>;

/// Monitor, called after every step with the running report (its `status` is 0 and its
/// termination `NotStarted`) and the current point (length `n`): return true to continue,
/// false to stop the solve (which then throws `nks::Error` with `NKS_ERR_ABORTED`).
using NonlinearMonitor = std::function<bool(const NonlinearReport& report, const double* x, std::size_t n)>;

namespace detail {

/**
 * The C++ oracles of one `Nonlinear` handle and the exception the first failing one threw.
 *
 * Heap-allocated and owned by the `Nonlinear` object, so its address (the `user_data` given to
 * the library) stays the same when the `Nonlinear` object is moved.
 */
struct NonlinearCallbacks : OracleCalls {
    NonlinearResidual residual{};
    NonlinearJacobianVector jacobian_vector{};
    NonlinearJacobianTranspose jacobian_transpose{};
    NonlinearPreconditioner precond{};
    NonlinearMonitor monitor{};

    /// Trampoline for `nks_nonlinear_residual_fn`; never lets an exception out.
    static int residual_trampoline(const double* x, std::size_t n, double* f, std::size_t m, void* user_data) noexcept {
        auto* self = static_cast<NonlinearCallbacks*>(user_data);
        return self->call([&] { self->residual(x, f, n, m); });
    }

    /// Trampoline for `nks_nonlinear_jacobian_vector_fn`; never lets an exception out.
    static int jacobian_vector_trampoline(const double* x, const double* v, std::size_t n, double* jv, std::size_t m,
                                          void* user_data) noexcept {
        auto* self = static_cast<NonlinearCallbacks*>(user_data);
        return self->call([&] { self->jacobian_vector(x, v, jv, n, m); });
    }

    /// Trampoline for `nks_nonlinear_jacobian_transpose_fn` (note its argument order: `w` and
    /// `m` first); never lets an exception out.
    static int jacobian_transpose_trampoline(const double* x, const double* w, std::size_t m, double* jtw,
                                             std::size_t n, void* user_data) noexcept {
        auto* self = static_cast<NonlinearCallbacks*>(user_data);
        return self->call([&] { self->jacobian_transpose(x, w, jtw, n, m); });
    }

    /// Trampoline for `nks_nonlinear_precond_fn`; never lets an exception out.
    static int precond_trampoline(const double* x, const double* r, std::size_t n, double* z,
                                  void* user_data) noexcept {
        auto* self = static_cast<NonlinearCallbacks*>(user_data);
        return self->call([&] { self->precond(x, r, z, n); });
    }

    /// Trampoline for `nks_nonlinear_monitor_fn`: 0 to continue, 1 to stop. Never lets an
    /// exception out.
    static int monitor_trampoline(const nks_nonlinear_report* report, const double* x, std::size_t n,
                                  void* user_data) noexcept {
        auto* self = static_cast<NonlinearCallbacks*>(user_data);
        bool keep_going = false;
        const int rc = self->call([&] { keep_going = self->monitor(*report, x, n); });
        return (rc == 0 && keep_going) ? 0 : 1;
    }
};

}  // namespace detail

/**
 * A solver of nonlinear systems `F(x) = 0` (Jacobian-free Newton-Krylov, with GCRO-DR recycling
 * across Newton steps and solves) and nonlinear least squares `min ||F(x)||^2 / 2`
 * (Levenberg-Marquardt) with C++ oracles: RAII over `nks_nonlinear`. Move-only.
 *
 * `F` is given by a callable; `J v` (else a finite difference), `J^T w` (Levenberg-Marquardt
 * needs it), a preconditioner of the inner solve and a monitor are optional. A residual that
 * cannot evaluate a point throws `nks::CannotEvaluate` (the solver steps back); any other
 * exception stops the solve and `solve` rethrows it, the very same object, once the library
 * has returned, leaving `x` untouched. The recycle space stays in the handle from one solve to
 * the next (time steps, continuation) unless `"keep_recycle_space"` is 0 or
 * `clear_recycle_space` forgets it. The callables are stored in this object and live as long
 * as it does; moving the object keeps them working. Setters return `*this` for chaining and
 * throw `nks::Error` on invalid input, leaving the previous setting in place. Use one object
 * from one thread at a time (the oracles run on the thread that calls `solve`), and do not
 * call its methods from inside its own callables: the library refuses with
 * `NKS_ERR_INVALID_STATE`, which, thrown inside a callable, stops the solve.
 *
 * @code
 *   nks::Nonlinear solver;
 *   solver.set_oracles(0, residual);          // square system, J v by finite differences
 *   std::vector<double> x = start;
 *   solver.solve(x);                          // NKS_OK: F(x) = 0 to the tolerances
 *   std::printf("%zu Newton steps\n", solver.report().iterations);
 * @endcode
 */
class Nonlinear {
public:
    /// A solver with the defaults: Newton-Krylov with GCRO-DR(30, 10), finite-difference `J v`,
    /// stop at `||F|| <= max(1e-10, 1e-8 ||F0||)`, 100 steps; set the oracles before solving
    /// (`nks_nonlinear_new`).
    Nonlinear() : callbacks_(std::make_unique<detail::NonlinearCallbacks>()) {
        detail::check(nks_nonlinear_new(&ptr_), "nks_nonlinear_new");
    }

    /// Frees the solver (`nks_nonlinear_free`), then its callables.
    ~Nonlinear() { nks_nonlinear_free(ptr_); }

    Nonlinear(const Nonlinear&) = delete;             ///< Not copyable: the library owns the state.
    Nonlinear& operator=(const Nonlinear&) = delete;  ///< Not copyable: the library owns the state.

    /// Takes over `other`'s solver and callables; `other` is left empty.
    Nonlinear(Nonlinear&& other) noexcept
        : ptr_(std::exchange(other.ptr_, nullptr)),
          callbacks_(std::move(other.callbacks_)),
          n_(std::exchange(other.n_, 0)) {}

    /// Frees this solver and takes over `other`'s; `other` is left empty.
    Nonlinear& operator=(Nonlinear&& other) noexcept {
        if (this != &other) {
            nks_nonlinear_free(ptr_);
            ptr_ = std::exchange(other.ptr_, nullptr);
            callbacks_ = std::move(other.callbacks_);
            n_ = std::exchange(other.n_, 0);
        }
        return *this;
    }

    /**
     * Sets the oracles (`nks_nonlinear_set_oracles`): `m` residuals (0 means `m = n`, a square
     * system, which Newton-Krylov needs), `residual(x, f, n, m)` writing `F(x)`, and optionally
     * `jacobian_vector(x, v, jv, n, m)` writing `J(x) v` (empty: Newton-Krylov takes the finite
     * difference `(F(x + h v) - F(x)) / h`) and `jacobian_transpose(x, w, jtw, n, m)` writing
     * `J(x)^T w` (needed by Levenberg-Marquardt). They replace the previous oracles.
     * @throws nks::Error with `NKS_ERR_NULL_POINTER` for an empty `residual`.
     */
    Nonlinear& set_oracles(std::size_t m, NonlinearResidual residual,
                           NonlinearJacobianVector jacobian_vector = NonlinearJacobianVector(),
                           NonlinearJacobianTranspose jacobian_transpose = NonlinearJacobianTranspose()) {
        using CB = detail::NonlinearCallbacks;
        detail::check(nks_nonlinear_set_oracles(get(), m, residual ? &CB::residual_trampoline : nullptr,
                                                jacobian_vector ? &CB::jacobian_vector_trampoline : nullptr,
                                                jacobian_transpose ? &CB::jacobian_transpose_trampoline : nullptr,
                                                callbacks_.get()),
                      "nks_nonlinear_set_oracles");
        callbacks_->residual.swap(residual);
        callbacks_->jacobian_vector.swap(jacobian_vector);
        callbacks_->jacobian_transpose.swap(jacobian_transpose);
        return *this;
    }

    /// Sets the preconditioner of the Newton-Krylov inner solve (right preconditioning),
    /// `apply(x, r, z, n)` writing `z = M(x)^{-1} r`; an empty `apply` removes it
    /// (`nks_nonlinear_set_preconditioner`).
    Nonlinear& set_preconditioner(NonlinearPreconditioner apply) {
        detail::check(nks_nonlinear_set_preconditioner(
                          get(), apply ? &detail::NonlinearCallbacks::precond_trampoline : nullptr, callbacks_.get()),
                      "nks_nonlinear_set_preconditioner");
        callbacks_->precond.swap(apply);
        return *this;
    }

    /// Removes the preconditioner.
    Nonlinear& clear_preconditioner() { return set_preconditioner(NonlinearPreconditioner()); }

    /// Installs a monitor called after every step with the running report and the current
    /// point; returning false stops the solve (`solve` throws `nks::Error` with
    /// `NKS_ERR_ABORTED`; `point()` has the last accepted point). An empty `monitor` removes it
    /// (`nks_nonlinear_set_monitor`).
    Nonlinear& set_monitor(NonlinearMonitor monitor) {
        detail::check(nks_nonlinear_set_monitor(
                          get(), monitor ? &detail::NonlinearCallbacks::monitor_trampoline : nullptr, callbacks_.get()),
                      "nks_nonlinear_set_monitor");
        callbacks_->monitor.swap(monitor);
        return *this;
    }

    /// Removes the monitor.
    Nonlinear& clear_monitor() { return set_monitor(NonlinearMonitor()); }

    /**
     * Sets an option by name (`nks_nonlinear_set_option`): `"method"` (see `NonlinearMethod`),
     * `"fatol"` (>= 0, default 1e-10), `"frtol"` (>= 0, default 1e-8), `"gatol"` (>= 0, default
     * 1e-10, Levenberg-Marquardt), `"xtol"` (>= 0, default 0 = off), `"max_iterations"` (>= 1,
     * default 100), `"max_evaluations"`, `"max_seconds"` (0 = no limit), `"forcing"`,
     * `"forcing_value"`, `"forcing_min"`, `"c1"`, `"line_search"`, `"krylov_method"` (1 GMRES,
     * 3 GCRO-DR), `"restart"`, `"recycle_dim"`, `"keep_recycle_space"`,
     * `"inner_max_iterations"`, `"fd_error"`, `"lm_xi"`, `"lm_omega"`, `"lm_eta"`; see
     * `nksolve.h` for the ranges.
     * @throws nks::Error with `NKS_ERR_UNKNOWN_OPTION` (the message lists the names) or
     *         `NKS_ERR_INVALID_ARGUMENT` for a value out of range (the message names the
     *         option, which keeps its value).
     */
    Nonlinear& set_option(const std::string& name, double value) {
        detail::check(nks_nonlinear_set_option(get(), name.c_str(), value), "nks_nonlinear_set_option");
        return *this;
    }

    /// Reads an option by name, in the encoding `set_option` takes (`nks_nonlinear_get_option`).
    /// @throws nks::Error with `NKS_ERR_UNKNOWN_OPTION` (the message lists the names).
    double get_option(const std::string& name) const {
        double value = 0.0;
        detail::check(nks_nonlinear_get_option(get(), name.c_str(), &value), "nks_nonlinear_get_option");
        return value;
    }

    /// The method, default Newton-Krylov (option `"method"`).
    Nonlinear& set_method(NonlinearMethod method) { return set_option("method", static_cast<double>(method)); }

    /// Stop at `||F|| <= fatol`; >= 0, default 1e-10 (option `"fatol"`).
    Nonlinear& set_fatol(double fatol) { return set_option("fatol", fatol); }

    /// Stop at `||F|| <= frtol ||F0||`; >= 0, default 1e-8 (option `"frtol"`).
    Nonlinear& set_frtol(double frtol) { return set_option("frtol", frtol); }

    /// Step limit (rejected Levenberg-Marquardt steps included), >= 1, default 100; reaching it
    /// makes `solve` return `NKS_MAX_ITERATIONS` with the last accepted point (option
    /// `"max_iterations"`).
    Nonlinear& set_max_iterations(std::size_t max_iterations) {
        return set_option("max_iterations", static_cast<double>(max_iterations));
    }

    /// The Newton-Krylov inner solver, `Method::GCRODR` (the default, recycling) or
    /// `Method::GMRES` (option `"krylov_method"`; other methods are refused).
    Nonlinear& set_krylov_method(Method method) { return set_option("krylov_method", static_cast<double>(method)); }

    /// Whether the recycle space carries from one solve to the next, default true (option
    /// `"keep_recycle_space"`).
    Nonlinear& set_keep_recycle_space(bool keep) { return set_option("keep_recycle_space", keep ? 1.0 : 0.0); }

    /**
     * Solves `F(x) = 0` (Newton-Krylov) or minimises `||F(x)||^2 / 2` (Levenberg-Marquardt)
     * from `x` (length `n >= 1`) (`nks_nonlinear_solve`).
     * @returns `NKS_OK` when a tolerance test passed, with the solution in `x`;
     *          `NKS_MAX_ITERATIONS`, `NKS_TIME_LIMIT` or `NKS_STAGNATION` with the last
     *          accepted point in `x` (usable, not converged).
     * @throws the exception an oracle or the monitor threw (same type, same object), or
     *         nks::Error: `NKS_ERR_INVALID_STATE` (no oracles), `NKS_ERR_INVALID_ARGUMENT`
     *         (`n = 0`; Levenberg-Marquardt without `jacobian_transpose`),
     *         `NKS_ERR_DIMENSION_MISMATCH` (Newton-Krylov with `m != n`), `NKS_ERR_NON_FINITE`
     *         (NaN / infinity in `x`; `F` cannot be evaluated at `x`), `NKS_ERR_CALLBACK`
     *         (`nks::CannotEvaluate` from a product or the preconditioner),
     *         `NKS_ERR_ABORTED` (the monitor returned false). On a throw, `x` is untouched;
     *         once the solve started, `point()` gives the last accepted point and `report()`
     *         describes the failed solve.
     */
    nks_status solve(double* x, std::size_t n) {
        nks_nonlinear* h = get();
        // The library keeps the last point of a solve that started; a refused one keeps the
        // previous solve's. Tell them apart to know the length of point().
        bool finite = x != nullptr;
        for (std::size_t i = 0; finite && i < n; ++i) finite = std::isfinite(x[i]);
        callbacks_->error = nullptr;
        const nks_status status = nks_nonlinear_solve(h, n, x);
        const auto s = static_cast<std::int32_t>(status);
        if (n > 0 && finite && (s >= 0 || status == NKS_ERR_CALLBACK || status == NKS_ERR_NON_FINITE ||
                                status == NKS_ERR_ABORTED)) {
            n_ = n;
        }
        return callbacks_->finish(status, "nks_nonlinear_solve");
    }

    /// Solves from `x` (see the pointer overload).
    nks_status solve(std::vector<double>& x) { return solve(x.data(), x.size()); }

    /// The report of the last solve (`nks_nonlinear_get_report`).
    NonlinearReport report() const {
        NonlinearReport r{};
        detail::check(nks_nonlinear_get_report(get(), &r), "nks_nonlinear_get_report");
        return r;
    }

    /// Step record `k` (0-based) of the last solve (`nks_nonlinear_get_step`).
    /// @throws nks::Error with `NKS_ERR_INVALID_ARGUMENT` when `k >= report().steps`.
    NonlinearStep step(std::size_t k) const {
        NonlinearStep s{};
        detail::check(nks_nonlinear_get_step(get(), k, &s), "nks_nonlinear_get_step");
        return s;
    }

    /// All step records of the last solve, in order (empty before any solve).
    std::vector<NonlinearStep> steps() const {
        std::vector<NonlinearStep> out(report().steps);
        for (std::size_t k = 0; k < out.size(); ++k) out[k] = step(k);
        return out;
    }

    /// Writes the last accepted point of the last solve that started into `x` (length `n`):
    /// the result when a failed solve left the caller's array untouched
    /// (`nks_nonlinear_get_point`).
    /// @throws nks::Error with `NKS_ERR_INVALID_STATE` before any solve,
    ///         `NKS_ERR_DIMENSION_MISMATCH` when `n` is not the last solve's.
    void point(double* x, std::size_t n) const {
        detail::check(nks_nonlinear_get_point(get(), n, x), "nks_nonlinear_get_point");
    }

    /// The last accepted point of the last solve made through this object that started (see
    /// the pointer overload).
    /// @throws nks::Error with `NKS_ERR_INVALID_STATE` before any solve.
    std::vector<double> point() const {
        std::vector<double> x(n_);
        point(x.empty() ? nullptr : x.data(), n_);
        return x;
    }

    /// Forgets the recycle space, before a solve of an unrelated problem
    /// (`nks_nonlinear_clear_recycle_space`).
    Nonlinear& clear_recycle_space() {
        detail::check(nks_nonlinear_clear_recycle_space(get()), "nks_nonlinear_clear_recycle_space");
        return *this;
    }

    /// The C handle, still owned by this object (for calls the binding does not wrap; a solve
    /// made through it is not seen by `point()`, which uses the length of this object's last
    /// solve).
    nks_nonlinear* capi() const noexcept { return ptr_; }

    /// False for a moved-from solver.
    explicit operator bool() const noexcept { return ptr_ != nullptr; }

private:
    nks_nonlinear* get() const {
        if (ptr_ == nullptr) detail::moved_from("nks::Nonlinear");
        return ptr_;
    }

    nks_nonlinear* ptr_ = nullptr;
    std::unique_ptr<detail::NonlinearCallbacks> callbacks_;
    /// `n` of the last solve made through this object that started (0 before any).
    std::size_t n_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Constrained: equality-constrained optimisation with callback oracles
// ---------------------------------------------------------------------------------------------

/// The inner solver of `Constrained` (option `"kkt_solver"`); mirrors `nks_kkt_solver`.
enum class KktSolver : std::int32_t {
    /// Randomized Gaussian sketch-and-project, matrix-free (the default).
    GaussianSketch = NKS_KKT_GAUSSIAN_SKETCH,
    /// Randomized Kaczmarz on the KKT rows (needs `Constrained::set_sparse_rows`).
    Kaczmarz = NKS_KKT_KACZMARZ,
    /// MINRES, preconditioned by `Constrained::set_preconditioner` when set.
    Minres = NKS_KKT_MINRES,
};

/// What the last `Constrained::solve` did (status, termination, inner solver, Newton and inner
/// iterations, merit evaluations, penalty updates, regularized steps, rejected and failed trial
/// points, oracle calls by kind, records, the callback code, `f`, `||grad_x L||` and `||c||` at
/// the end and the start, the final penalties `eta1`, `eta2`, seconds); the C struct
/// `nks_constrained_report` itself. The monitor gets the running one.
using ConstrainedReport = nks_constrained_report;

/// One Newton iteration of the last `Constrained::solve` (`||grad_x L||`, `||c||` and the merit
/// at its start, inner iterations and the relative inner residual reached, the penalties, the
/// Hessian shift, the step length); the C struct `nks_constrained_record` itself.
using ConstrainedRecord = nks_constrained_record;

/// The termination reason of a Constrained report as a scoped enum (`ConvergedKkt`: both KKT
/// tests passed).
inline Termination termination(const ConstrainedReport& r) noexcept { return static_cast<Termination>(r.termination); }

/// The inner solver that produced a Constrained report.
inline KktSolver kkt_solver(const ConstrainedReport& r) noexcept { return static_cast<KktSolver>(r.kkt_solver); }

/// Objective: return `f(x)`, `x` of length `n`. Throw `nks::CannotEvaluate` (or return NaN /
/// infinity) where `f` cannot be evaluated: the line search shortens its step; any other
/// exception stops the solve.
using ConstrainedObjective = std::function<double(const double* x, std::size_t n)>;

/// Gradient: write `g = grad f(x)` (length `n`). Exceptions as for `ConstrainedObjective`.
using ConstrainedGradient = std::function<void(const double* x, double* g, std::size_t n)>;

/// Constraints: write `c = c(x)` (length `m`). Exceptions as for `ConstrainedObjective`.
using ConstrainedConstraints = std::function<void(const double* x, double* c, std::size_t n, std::size_t m)>;

/// Jacobian-vector product: write `jv = J(x) v` (`v` of length `n`, `jv` of length `m`). Called
/// at accepted points only: any exception, `nks::CannotEvaluate` included, stops the solve.
using ConstrainedJacobianVector =
    std::function<void(const double* x, const double* v, double* jv, std::size_t n, std::size_t m)>;

/// Transposed Jacobian-vector product: write `jtw = J(x)^T w` (`w` of length `m`, `jtw` of
/// length `n`). Also called at trial points (for `grad_x L`), where `nks::CannotEvaluate`
/// shortens the step; any other exception stops the solve.
using ConstrainedJacobianTranspose =
    std::function<void(const double* x, const double* w, double* jtw, std::size_t n, std::size_t m)>;

/// Hessian of the Lagrangian times a vector: write
/// `hv = (grad^2 f(x) + sum_i lambda_i grad^2 c_i(x)) v` (`x`, `v`, `hv` of length `n`, `lambda`
/// of length `m`). Exceptions as for `ConstrainedJacobianVector`.
using ConstrainedHessianVector = std::function<void(const double* x, const double* lambda, const double* v,
                                                    double* hv, std::size_t n, std::size_t m)>;

/// Sparse Jacobian values at `x`, in the order of the pattern given to
/// `Constrained::set_sparse_rows` (`values` of length `nnz`). Exceptions as for
/// `ConstrainedJacobianVector`.
using ConstrainedJacobianValues =
    std::function<void(const double* x, double* values, std::size_t n, std::size_t nnz)>;

/// Sparse Hessian-of-the-Lagrangian values at `(x, lambda)` (both triangles), in the order of
/// the pattern given to `Constrained::set_sparse_rows`. Exceptions as for
/// `ConstrainedJacobianVector`.
using ConstrainedHessianValues = std::function<void(const double* x, const double* lambda, double* values,
                                                    std::size_t n, std::size_t m, std::size_t nnz)>;

/// MINRES preconditioner: write `z = M^{-1} r` (`r`, `z` of length `n + m`) for a symmetric
/// positive definite `M` approximating the magnitude of the KKT matrix `[H J^T; J 0]` at
/// `(x, lambda)`. Exceptions as for `ConstrainedJacobianVector`.
using ConstrainedPreconditioner = std::function<void(const double* x, const double* lambda, const double* r,
                                                     double* z, std::size_t n, std::size_t m)>;

/// Monitor, called after every iteration with the running report (its `status` is 0 and its
/// termination `NotStarted`) and the current `x` (length `n`) and `lambda` (length `m`): return
/// true to continue, false to stop the solve (which then throws `nks::Error` with
/// `NKS_ERR_ABORTED`).
using ConstrainedMonitor = std::function<bool(const ConstrainedReport& report, const double* x, std::size_t n,
                                              const double* lambda, std::size_t m)>;

namespace detail {

/**
 * The C++ oracles of one `Constrained` handle and the exception the first failing one threw.
 *
 * Heap-allocated and owned by the `Constrained` object, so its address (the `user_data` given
 * to the library) stays the same when the `Constrained` object is moved.
 */
struct ConstrainedCallbacks : OracleCalls {
    ConstrainedObjective objective{};
    ConstrainedGradient gradient{};
    ConstrainedConstraints constraints{};
    ConstrainedJacobianVector jacobian_vector{};
    ConstrainedJacobianTranspose jacobian_transpose{};
    ConstrainedHessianVector hessian_vector{};
    ConstrainedJacobianValues jacobian_values{};
    ConstrainedHessianValues hessian_values{};
    ConstrainedPreconditioner precond{};
    ConstrainedMonitor monitor{};

    /// Trampoline for `nks_constrained_objective_fn`; never lets an exception out.
    static int objective_trampoline(const double* x, std::size_t n, double* f, void* user_data) noexcept {
        auto* self = static_cast<ConstrainedCallbacks*>(user_data);
        return self->call([&] { *f = self->objective(x, n); });
    }

    /// Trampoline for `nks_constrained_gradient_fn`; never lets an exception out.
    static int gradient_trampoline(const double* x, std::size_t n, double* g, void* user_data) noexcept {
        auto* self = static_cast<ConstrainedCallbacks*>(user_data);
        return self->call([&] { self->gradient(x, g, n); });
    }

    /// Trampoline for `nks_constrained_constraints_fn`; never lets an exception out.
    static int constraints_trampoline(const double* x, std::size_t n, double* c, std::size_t m,
                                      void* user_data) noexcept {
        auto* self = static_cast<ConstrainedCallbacks*>(user_data);
        return self->call([&] { self->constraints(x, c, n, m); });
    }

    /// Trampoline for `nks_constrained_jacobian_vector_fn`; never lets an exception out.
    static int jacobian_vector_trampoline(const double* x, const double* v, std::size_t n, double* jv, std::size_t m,
                                          void* user_data) noexcept {
        auto* self = static_cast<ConstrainedCallbacks*>(user_data);
        return self->call([&] { self->jacobian_vector(x, v, jv, n, m); });
    }

    /// Trampoline for `nks_constrained_jacobian_transpose_fn` (note its argument order: `w` and
    /// `m` first); never lets an exception out.
    static int jacobian_transpose_trampoline(const double* x, const double* w, std::size_t m, double* jtw,
                                             std::size_t n, void* user_data) noexcept {
        auto* self = static_cast<ConstrainedCallbacks*>(user_data);
        return self->call([&] { self->jacobian_transpose(x, w, jtw, n, m); });
    }

    /// Trampoline for `nks_constrained_hessian_vector_fn`; never lets an exception out.
    static int hessian_vector_trampoline(const double* x, const double* lambda, const double* v, std::size_t n,
                                         std::size_t m, double* hv, void* user_data) noexcept {
        auto* self = static_cast<ConstrainedCallbacks*>(user_data);
        return self->call([&] { self->hessian_vector(x, lambda, v, hv, n, m); });
    }

    /// Trampoline for `nks_constrained_jacobian_values_fn`; never lets an exception out.
    static int jacobian_values_trampoline(const double* x, std::size_t n, double* values, std::size_t nnz,
                                          void* user_data) noexcept {
        auto* self = static_cast<ConstrainedCallbacks*>(user_data);
        return self->call([&] { self->jacobian_values(x, values, n, nnz); });
    }

    /// Trampoline for `nks_constrained_hessian_values_fn`; never lets an exception out.
    static int hessian_values_trampoline(const double* x, const double* lambda, std::size_t n, std::size_t m,
                                         double* values, std::size_t nnz, void* user_data) noexcept {
        auto* self = static_cast<ConstrainedCallbacks*>(user_data);
        return self->call([&] { self->hessian_values(x, lambda, values, n, m, nnz); });
    }

    /// Trampoline for `nks_constrained_precond_fn`; never lets an exception out.
    static int precond_trampoline(const double* x, const double* lambda, const double* r, std::size_t n,
                                  std::size_t m, double* z, void* user_data) noexcept {
        auto* self = static_cast<ConstrainedCallbacks*>(user_data);
        return self->call([&] { self->precond(x, lambda, r, z, n, m); });
    }

    /// Trampoline for `nks_constrained_monitor_fn`: 0 to continue, 1 to stop. Never lets an
    /// exception out.
    static int monitor_trampoline(const nks_constrained_report* report, const double* x, std::size_t n,
                                  const double* lambda, std::size_t m, void* user_data) noexcept {
        auto* self = static_cast<ConstrainedCallbacks*>(user_data);
        bool keep_going = false;
        const int rc = self->call([&] { keep_going = self->monitor(*report, x, n, lambda, m); });
        return (rc == 0 && keep_going) ? 0 : 1;
    }
};

/// Checks the lengths of one CSR pattern given as vectors (`what` names it in the message):
/// `nrows + 1` row pointers and `row_ptr[nrows] - index_base` column indices. A negative
/// count, or an `index_base` other than 0 and 1, is left to the library, which refuses it
/// before reading the column indices and names what is wrong.
inline void check_pattern_lengths(const char* what, std::size_t nrows, const std::vector<std::int64_t>& row_ptr,
                                  const std::vector<std::int64_t>& col_idx, std::int32_t index_base) {
    if (row_ptr.size() != nrows + 1) {
        throw Error(NKS_ERR_DIMENSION_MISMATCH, std::string(what) + "_row_ptr has " + std::to_string(row_ptr.size()) +
                                                    " entries; " + std::to_string(nrows + 1) + " are needed");
    }
    const std::int64_t nnz = row_ptr.back() - index_base;
    if ((index_base == 0 || index_base == 1) && nnz >= 0 && col_idx.size() != static_cast<std::uint64_t>(nnz)) {
        throw Error(NKS_ERR_DIMENSION_MISMATCH, std::string(what) + "_col_idx has " + std::to_string(col_idx.size()) +
                                                    " entries; " + what + "_row_ptr declares " + std::to_string(nnz));
    }
}

}  // namespace detail

/**
 * An equality-constrained minimiser `min f(x) s.t. c(x) = 0` with C++ oracles: the adaptive
 * inexact Newton method with randomized sketching (AdaSketch-Newton), the Newton-KKT systems
 * solved by a randomized Gaussian sketch (matrix-free, the default), randomized Kaczmarz on
 * sparse rows, or MINRES with an optional preconditioner. RAII over `nks_constrained`.
 * Move-only.
 *
 * `f`, `grad f`, `c`, `J v`, `J^T w` and the Hessian of the Lagrangian times a vector are given
 * by callables; the sparse rows of `J` and of the Hessian (Kaczmarz), a preconditioner (MINRES)
 * and a monitor are optional. An objective, gradient, constraint or `J^T w` callable that
 * cannot evaluate a trial point throws `nks::CannotEvaluate` (the line search shortens its
 * step); any other exception stops the solve and `solve` rethrows it, the very same object,
 * once the library has returned, leaving `x` and `lambda` untouched. The callables are stored
 * in this object and live as long as it does; moving the object keeps them working. Setters
 * return `*this` for chaining and throw `nks::Error` on invalid input, leaving the previous
 * setting in place. Use one object from one thread at a time (the oracles run on the thread
 * that calls `solve`), and do not call its methods from inside its own callables: the library
 * refuses with `NKS_ERR_INVALID_STATE`, which, thrown inside a callable, stops the solve.
 *
 * @code
 *   nks::Constrained solver;
 *   solver.set_oracles(m, f, grad, c, jac_vec, jac_t_vec, hess_vec)
 *         .set_kkt_solver(nks::KktSolver::Minres);
 *   std::vector<double> x = start, lambda(m);
 *   solver.solve(x, lambda);                 // NKS_OK: the KKT point is in x and lambda
 *   std::printf("%zu iterations\n", solver.report().iterations);
 * @endcode
 */
class Constrained {
public:
    /// A minimiser with the defaults: Gaussian sketch (seed 0), `eta1 = 1`, `eta2 = 0.1`,
    /// stop at `||grad_x L|| <= 1e-6` and `||c|| <= 1e-6`, 1000 iterations; set the oracles
    /// before solving (`nks_constrained_new`).
    Constrained() : callbacks_(std::make_unique<detail::ConstrainedCallbacks>()) {
        detail::check(nks_constrained_new(&ptr_), "nks_constrained_new");
    }

    /// Frees the minimiser (`nks_constrained_free`), then its callables.
    ~Constrained() { nks_constrained_free(ptr_); }

    Constrained(const Constrained&) = delete;             ///< Not copyable: the library owns the state.
    Constrained& operator=(const Constrained&) = delete;  ///< Not copyable: the library owns the state.

    /// Takes over `other`'s minimiser and callables; `other` is left empty.
    Constrained(Constrained&& other) noexcept
        : ptr_(std::exchange(other.ptr_, nullptr)),
          callbacks_(std::move(other.callbacks_)),
          constraints_(std::exchange(other.constraints_, 0)),
          n_(std::exchange(other.n_, 0)),
          m_(std::exchange(other.m_, 0)) {}

    /// Frees this minimiser and takes over `other`'s; `other` is left empty.
    Constrained& operator=(Constrained&& other) noexcept {
        if (this != &other) {
            nks_constrained_free(ptr_);
            ptr_ = std::exchange(other.ptr_, nullptr);
            callbacks_ = std::move(other.callbacks_);
            constraints_ = std::exchange(other.constraints_, 0);
            n_ = std::exchange(other.n_, 0);
            m_ = std::exchange(other.m_, 0);
        }
        return *this;
    }

    /**
     * Sets the oracles of `m >= 1` constraints (`nks_constrained_set_oracles`):
     * `objective(x, n)` returns `f(x)`, `gradient(x, g, n)` writes `grad f(x)`,
     * `constraints(x, c, n, m)` writes `c(x)`, `jacobian_vector(x, v, jv, n, m)` writes
     * `J(x) v`, `jacobian_transpose(x, w, jtw, n, m)` writes `J(x)^T w`, and
     * `hessian_vector(x, lambda, v, hv, n, m)` writes the Hessian of the Lagrangian times `v`.
     * All are required. They replace the previous oracles and forget the sparse rows.
     * @throws nks::Error with `NKS_ERR_NULL_POINTER` naming an empty callable, or
     *         `NKS_ERR_INVALID_ARGUMENT` for `m = 0`.
     */
    Constrained& set_oracles(std::size_t m, ConstrainedObjective objective, ConstrainedGradient gradient,
                             ConstrainedConstraints constraints, ConstrainedJacobianVector jacobian_vector,
                             ConstrainedJacobianTranspose jacobian_transpose,
                             ConstrainedHessianVector hessian_vector) {
        using CB = detail::ConstrainedCallbacks;
        detail::check(nks_constrained_set_oracles(get(), m, objective ? &CB::objective_trampoline : nullptr,
                                                  gradient ? &CB::gradient_trampoline : nullptr,
                                                  constraints ? &CB::constraints_trampoline : nullptr,
                                                  jacobian_vector ? &CB::jacobian_vector_trampoline : nullptr,
                                                  jacobian_transpose ? &CB::jacobian_transpose_trampoline : nullptr,
                                                  hessian_vector ? &CB::hessian_vector_trampoline : nullptr,
                                                  callbacks_.get()),
                      "nks_constrained_set_oracles");
        callbacks_->objective.swap(objective);
        callbacks_->gradient.swap(gradient);
        callbacks_->constraints.swap(constraints);
        callbacks_->jacobian_vector.swap(jacobian_vector);
        callbacks_->jacobian_transpose.swap(jacobian_transpose);
        callbacks_->hessian_vector.swap(hessian_vector);
        constraints_ = m;
        return *this;
    }

    /**
     * Gives the Jacobian (`m x n`) and the Hessian of the Lagrangian (`n x n`, BOTH triangles) as
     * sparse rows: CSR patterns (copied; `index_base` 0 or 1) and callables that fill their
     * values, `jacobian_values(x, values, n, nnz)` and
     * `hessian_values(x, lambda, values, n, m, nnz)`, in the patterns' order
     * (`nks_constrained_set_sparse_rows`). This enables `KktSolver::Kaczmarz`. Call after
     * `set_oracles`. The vector lengths are checked: `m + 1` and `n + 1` row pointers, and as
     * many column indices as the last row pointer declares.
     * @throws nks::Error with `NKS_ERR_INVALID_STATE` before the oracles,
     *         `NKS_ERR_DIMENSION_MISMATCH` for inconsistent lengths, `NKS_ERR_NULL_POINTER` for
     *         an empty callable, `NKS_ERR_INVALID_ARGUMENT` for a malformed pattern (the message
     *         names the array and the entry).
     */
    Constrained& set_sparse_rows(std::size_t n, const std::vector<std::int64_t>& jacobian_row_ptr,
                                 const std::vector<std::int64_t>& jacobian_col_idx,
                                 ConstrainedJacobianValues jacobian_values,
                                 const std::vector<std::int64_t>& hessian_row_ptr,
                                 const std::vector<std::int64_t>& hessian_col_idx,
                                 ConstrainedHessianValues hessian_values, std::int32_t index_base = 0) {
        nks_constrained* h = get();
        if (constraints_ > 0) {  // with no oracles the library refuses before reading the arrays
            detail::check_pattern_lengths("jacobian", constraints_, jacobian_row_ptr, jacobian_col_idx, index_base);
            if (n > 0) detail::check_pattern_lengths("hessian", n, hessian_row_ptr, hessian_col_idx, index_base);
        }
        using CB = detail::ConstrainedCallbacks;
        detail::check(nks_constrained_set_sparse_rows(
                          h, n, jacobian_row_ptr.data(), jacobian_col_idx.data(),
                          jacobian_values ? &CB::jacobian_values_trampoline : nullptr, hessian_row_ptr.data(),
                          hessian_col_idx.data(), hessian_values ? &CB::hessian_values_trampoline : nullptr,
                          index_base, callbacks_.get()),
                      "nks_constrained_set_sparse_rows");
        callbacks_->jacobian_values.swap(jacobian_values);
        callbacks_->hessian_values.swap(hessian_values);
        return *this;
    }

    /// Sets the SPD preconditioner of the MINRES inner solver, `apply(x, lambda, r, z, n, m)`
    /// writing `z = M^{-1} r` (length `n + m`); an empty `apply` removes it
    /// (`nks_constrained_set_preconditioner`).
    Constrained& set_preconditioner(ConstrainedPreconditioner apply) {
        detail::check(nks_constrained_set_preconditioner(
                          get(), apply ? &detail::ConstrainedCallbacks::precond_trampoline : nullptr, callbacks_.get()),
                      "nks_constrained_set_preconditioner");
        callbacks_->precond.swap(apply);
        return *this;
    }

    /// Removes the preconditioner.
    Constrained& clear_preconditioner() { return set_preconditioner(ConstrainedPreconditioner()); }

    /// Installs a monitor called after every iteration with the running report and the current
    /// `x` and `lambda`; returning false stops the solve (`solve` throws `nks::Error` with
    /// `NKS_ERR_ABORTED`; `point()` and `multipliers()` have the last accepted point). An empty
    /// `monitor` removes it (`nks_constrained_set_monitor`).
    Constrained& set_monitor(ConstrainedMonitor monitor) {
        detail::check(nks_constrained_set_monitor(
                          get(), monitor ? &detail::ConstrainedCallbacks::monitor_trampoline : nullptr,
                          callbacks_.get()),
                      "nks_constrained_set_monitor");
        callbacks_->monitor.swap(monitor);
        return *this;
    }

    /// Removes the monitor.
    Constrained& clear_monitor() { return set_monitor(ConstrainedMonitor()); }

    /**
     * Sets an option by name (`nks_constrained_set_option`): `"kkt_solver"` (see `KktSolver`),
     * `"stationarity_tol"`, `"feasibility_tol"` (> 0, default 1e-6), `"max_iterations"` (>= 1,
     * default 1000), `"max_inner_iterations"`, `"max_merit_evaluations"`, `"max_seconds"` (0 = no
     * limit), `"eta1"`, `"eta2"`, `"penalty_factor"`, `"armijo"`, `"accuracy"`,
     * `"accuracy_min"`, `"sharpen"`, `"sketch_block"`, `"seed"`, `"regularization"`,
     * `"curvature_tol"`, `"multiplier_start"`, `"record_history"`; see `nksolve.h` for the
     * ranges.
     * @throws nks::Error with `NKS_ERR_UNKNOWN_OPTION` (the message lists the names) or
     *         `NKS_ERR_INVALID_ARGUMENT` for a value out of range (the message names the
     *         option, which keeps its value).
     */
    Constrained& set_option(const std::string& name, double value) {
        detail::check(nks_constrained_set_option(get(), name.c_str(), value), "nks_constrained_set_option");
        return *this;
    }

    /// Reads an option by name, in the encoding `set_option` takes
    /// (`nks_constrained_get_option`).
    /// @throws nks::Error with `NKS_ERR_UNKNOWN_OPTION` (the message lists the names).
    double get_option(const std::string& name) const {
        double value = 0.0;
        detail::check(nks_constrained_get_option(get(), name.c_str(), &value), "nks_constrained_get_option");
        return value;
    }

    /// The inner solver, default the Gaussian sketch (option `"kkt_solver"`).
    Constrained& set_kkt_solver(KktSolver solver) { return set_option("kkt_solver", static_cast<double>(solver)); }

    /// Stop when `||grad_x L|| <= stationarity_tol` (and the feasibility test passes); > 0,
    /// default 1e-6 (option `"stationarity_tol"`).
    Constrained& set_stationarity_tol(double tol) { return set_option("stationarity_tol", tol); }

    /// Stop when `||c|| <= feasibility_tol` (and the stationarity test passes); > 0, default
    /// 1e-6 (option `"feasibility_tol"`).
    Constrained& set_feasibility_tol(double tol) { return set_option("feasibility_tol", tol); }

    /// Iteration limit, >= 1, default 1000; reaching it makes `solve` return
    /// `NKS_MAX_ITERATIONS` with the last accepted point (option `"max_iterations"`).
    Constrained& set_max_iterations(std::size_t max_iterations) {
        return set_option("max_iterations", static_cast<double>(max_iterations));
    }

    /// The seed of the randomized inner solvers, default 0 (option `"seed"`).
    Constrained& set_seed(std::uint64_t seed) { return set_option("seed", static_cast<double>(seed)); }

    /**
     * Minimises `f(x)` subject to `c(x) = 0` from `x` (length `n >= 1`); `lambda` (length `m`,
     * the `m` of `set_oracles`) receives the multipliers, and is read as the starting
     * multipliers when `"multiplier_start"` is 1 (`nks_constrained_solve`).
     * @returns `NKS_OK` when the KKT tests passed, with the solution in `x` and `lambda`;
     *          `NKS_MAX_ITERATIONS`, `NKS_TIME_LIMIT` or `NKS_STAGNATION` with the last
     *          accepted point in them (usable, not converged).
     * @throws the exception an oracle or the monitor threw (same type, same object), or
     *         nks::Error: `NKS_ERR_INVALID_STATE` (no oracles; Kaczmarz without sparse rows),
     *         `NKS_ERR_INVALID_ARGUMENT` (`n = 0`; `x` and `lambda` overlap),
     *         `NKS_ERR_DIMENSION_MISMATCH` (`m` is not the oracles' `m`, or the sparse rows
     *         were given for another `n`), `NKS_ERR_NON_FINITE` (NaN / infinity in `x`, or from
     *         the oracles at the start), `NKS_ERR_CALLBACK` (`nks::CannotEvaluate` at the start
     *         or from a callable run at accepted points only), `NKS_ERR_ABORTED` (the monitor
     *         returned false). On a throw, `x` and `lambda` are untouched; once the solve
     *         started, `point()` and `multipliers()` give the last accepted point and
     *         `report()` describes the failed solve.
     */
    nks_status solve(double* x, std::size_t n, double* lambda, std::size_t m) {
        nks_constrained* h = get();
        // The library keeps the last point of a solve that started; a refused one keeps the
        // previous solve's. Tell them apart to know the lengths of point() and multipliers().
        bool finite = x != nullptr && lambda != nullptr;
        for (std::size_t i = 0; finite && i < n; ++i) finite = std::isfinite(x[i]);
        if (finite && get_option("multiplier_start") == 1.0) {
            for (std::size_t i = 0; finite && i < m; ++i) finite = std::isfinite(lambda[i]);
        }
        callbacks_->error = nullptr;
        const nks_status status = nks_constrained_solve(h, n, x, m, lambda);
        const auto s = static_cast<std::int32_t>(status);
        if (n > 0 && m > 0 && finite && (s >= 0 || status == NKS_ERR_CALLBACK || status == NKS_ERR_NON_FINITE ||
                                         status == NKS_ERR_ABORTED)) {
            n_ = n;
            m_ = m;
        }
        return callbacks_->finish(status, "nks_constrained_solve");
    }

    /// Solves from `x` with the multipliers in `lambda` (see the pointer overload).
    nks_status solve(std::vector<double>& x, std::vector<double>& lambda) {
        return solve(x.data(), x.size(), lambda.data(), lambda.size());
    }

    /// The report of the last solve (`nks_constrained_get_report`).
    ConstrainedReport report() const {
        ConstrainedReport r{};
        detail::check(nks_constrained_get_report(get(), &r), "nks_constrained_get_report");
        return r;
    }

    /// Iteration record `k` (0-based) of the last solve (`nks_constrained_get_record`).
    /// @throws nks::Error with `NKS_ERR_INVALID_ARGUMENT` when `k >= report().records`.
    ConstrainedRecord record(std::size_t k) const {
        ConstrainedRecord r{};
        detail::check(nks_constrained_get_record(get(), k, &r), "nks_constrained_get_record");
        return r;
    }

    /// All iteration records of the last solve, in order (empty before any solve).
    std::vector<ConstrainedRecord> records() const {
        std::vector<ConstrainedRecord> out(report().records);
        for (std::size_t k = 0; k < out.size(); ++k) out[k] = record(k);
        return out;
    }

    /// Writes the last accepted point of the last solve that started into `x` (length `n`) and
    /// its multipliers into `lambda` (length `m`; may be null): the result when a failed solve
    /// left the caller's arrays untouched (`nks_constrained_get_point`).
    /// @throws nks::Error with `NKS_ERR_INVALID_STATE` before any solve,
    ///         `NKS_ERR_DIMENSION_MISMATCH` when `n` or `m` is not the last solve's.
    void point(double* x, std::size_t n, double* lambda = nullptr, std::size_t m = 0) const {
        detail::check(nks_constrained_get_point(get(), n, x, m, lambda), "nks_constrained_get_point");
    }

    /// The last accepted `x` of the last solve made through this object that started (see the
    /// pointer overload).
    /// @throws nks::Error with `NKS_ERR_INVALID_STATE` before any solve.
    std::vector<double> point() const {
        std::vector<double> x(n_);
        point(x.empty() ? nullptr : x.data(), n_);
        return x;
    }

    /// The multipliers belonging to `point()`.
    /// @throws nks::Error with `NKS_ERR_INVALID_STATE` before any solve.
    std::vector<double> multipliers() const {
        std::vector<double> x(n_), lambda(m_);
        point(x.empty() ? nullptr : x.data(), n_, lambda.empty() ? nullptr : lambda.data(), m_);
        return lambda;
    }

    /// The C handle, still owned by this object (for calls the binding does not wrap; a solve
    /// made through it is not seen by `point()`, which uses the lengths of this object's last
    /// solve).
    nks_constrained* capi() const noexcept { return ptr_; }

    /// False for a moved-from minimiser.
    explicit operator bool() const noexcept { return ptr_ != nullptr; }

private:
    nks_constrained* get() const {
        if (ptr_ == nullptr) detail::moved_from("nks::Constrained");
        return ptr_;
    }

    nks_constrained* ptr_ = nullptr;
    std::unique_ptr<detail::ConstrainedCallbacks> callbacks_;
    /// `m` of the current oracles (0 before any).
    std::size_t constraints_ = 0;
    /// `n` and `m` of the last solve made through this object that started (0 before any).
    std::size_t n_ = 0;
    std::size_t m_ = 0;
};

}  // namespace nks

#endif  // NKSOLVE_HPP

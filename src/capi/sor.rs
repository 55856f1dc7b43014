//! `nks_sor_bandit`: SOR / SSOR-PCG whose `omega` is learned across a sequence of systems.

use super::bytes;
use super::csr::nks_csr;
use super::ffi::{borrow_state, check_disjoint, finish_solve, free_handle, guard, null_error, try_ref, try_slice, try_slice_mut, try_str, write_handle, write_out};
use super::krylov::{termination_code, termination_status};
use super::status::{nks_status, CError};
use crate::error::Error;
use crate::sor::{LearnerKind, SorBandit, SorReport};
use std::cell::{RefCell, RefMut};
use std::ffi::c_char;

/// The learners of `nks_sor_bandit_new`.
#[repr(i32)]
pub enum nks_sor_learner {
    /// Tsallis-INF (alpha = 1/2) over the omega grid: total iterations approach those of the
    /// best fixed omega in hindsight. Ignores the context.
    NKS_SOR_TSALLIS_INF = 0,
    /// ChebCB: contextual; regresses each arm's cost on Chebyshev features of the context
    /// (options `"context_min"`, `"context_max"`, `"chebyshev_terms"`); approaches the best
    /// omega per context.
    NKS_SOR_CHEBCB = 1,
    /// Tsallis-INF per context bin (options `"context_min"`, `"context_max"`, `"bins"`).
    NKS_SOR_BINNED = 2,
    /// Always `omega_min` (`num_arms = 1`, `omega_max == omega_min`).
    NKS_SOR_FIXED = 3,
    /// Young's `2 / (1 + sqrt(1 - rho^2))` clamped to `[omega_min, omega_max]` (`num_arms = 1`);
    /// `rho` is option `"young_rho"`, or the context of each solve when that is -1 (default).
    NKS_SOR_YOUNG = 4,
}

/// The report of the last `nks_sor_bandit_solve`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct nks_sor_report {
    /// The status the solve returned (an `nks_status` value).
    pub status: i32,
    /// Why it stopped (an `nks_termination` value: converged, iteration limit, non-finite
    /// (SOR diverged), breakdown (SSOR-PCG on a non-SPD matrix)).
    pub termination: i32,
    /// The arm chosen (index into the omega grid).
    pub arm: usize,
    /// The omega used.
    pub omega: f64,
    /// Iterations (SOR sweeps or CG iterations).
    pub iterations: usize,
    /// The cost the learner was given: `iterations`, or `max_iterations` when not converged.
    pub cost: f64,
    /// `||b - A x_0||`.
    pub initial_residual_norm: f64,
    /// `||b - A x||` of the returned iterate.
    pub residual_norm: f64,
    /// Wall-clock seconds of the solve.
    pub seconds: f64,
}

/// A SOR-bandit handle: the learner, its options and random generator, and the solver's
/// workspace. Use from one thread at a time.
pub struct nks_sor_bandit {
    state: RefCell<State>,
}

struct State {
    bandit: SorBandit,
    report: nks_sor_report,
}

fn to_c_report(r: &SorReport, max_iterations: usize) -> nks_sor_report {
    nks_sor_report {
        status: termination_status(&r.termination) as i32,
        termination: termination_code(&r.termination) as i32,
        arm: r.arm,
        omega: r.omega,
        iterations: r.iterations,
        cost: if matches!(r.termination, crate::krylov::Termination::NotStarted) { 0.0 } else { r.cost(max_iterations) },
        initial_residual_norm: r.initial_residual_norm,
        residual_norm: r.residual_norm,
        seconds: r.seconds,
    }
}

/// The handle's state, or `NKS_ERR_INVALID_STATE` while another call on it is running.
unsafe fn state<'a>(h: *const nks_sor_bandit) -> Result<RefMut<'a, State>, CError> {
    borrow_state(
        &try_ref(h, "h")?.state,
        "the nks_sor_bandit handle is busy (used from two threads at once)",
    )
}

unsafe fn wrap(out: *mut *mut nks_sor_bandit, bandit: SorBandit) {
    let report = to_c_report(&SorReport::not_started(), 0);
    write_handle(out, nks_sor_bandit { state: RefCell::new(State { bandit, report }) });
}

/// Creates a learner: `learner` an `nks_sor_learner` value, `num_arms` values of omega evenly
/// spaced on `[omega_min, omega_max]` (inside `(0, 2)`; the paper: 20 arms on [1, 1.95]),
/// drawing with a generator seeded by `seed` (same seed, same choices).
///
/// Defaults: SOR (forward sweep, natural order), tol 1e-8 on `||r|| / ||r0||`, 10000
/// iterations, zero initial guess, context interval [0, 1]; change them with
/// `nks_sor_bandit_set_option`.
///
/// Errors (nothing written to `*out`): `NKS_ERR_NULL_POINTER`; `NKS_ERR_INVALID_ARGUMENT` for an
/// unknown learner, `num_arms` outside `1..=100000`, an omega outside `(0, 2)`,
/// `omega_min > omega_max` (or equal with several arms), and for the fixed / Young learners
/// `num_arms != 1` (fixed: also `omega_max != omega_min`).
#[no_mangle]
pub unsafe extern "C" fn nks_sor_bandit_new(
    learner: i32,
    num_arms: usize,
    omega_min: f64,
    omega_max: f64,
    seed: u64,
    out: *mut *mut nks_sor_bandit,
) -> nks_status {
    guard(|| {
        if out.is_null() {
            return Err(null_error("out"));
        }
        let bandit = SorBandit::new(LearnerKind::from_code(learner as i64)?, num_arms, omega_min, omega_max, seed)?;
        wrap(out, bandit);
        Ok(nks_status::NKS_OK)
    })
}

/// Frees a learner. `nks_sor_bandit_free(NULL)` does nothing.
#[no_mangle]
pub unsafe extern "C" fn nks_sor_bandit_free(h: *mut nks_sor_bandit) {
    let _ = guard(|| {
        free_handle(h);
        Ok(nks_status::NKS_OK)
    });
}

/// Sets an option by name:
/// `"tol"` (0, 1), default 1e-8: stop at `||b - A x|| < tol ||b - A x0||`;
/// `"max_iterations"` >= 1, default 10000: a solve reaching it costs the cap;
/// `"method"` 0 = SOR (default), 1 = SSOR-preconditioned CG (SPD matrices) with the same omega;
/// `"sweep"` 0 = forward (default), 1 = backward, 2 = symmetric (SOR only);
/// `"ordering"` 0 = natural (default), 1 = multicolour (red-black on 5-point grids: colours
/// sweep in parallel; a different ordering, so a different iteration count);
/// `"use_initial_guess"` 0 (default: start from zero) / 1 (start from `x`);
/// `"context_min"`, `"context_max"` (default 0, 1): the context interval of ChebCB and the binned
/// learner (contexts outside it count as its ends); `"bins"` (1..=10000, default 5);
/// `"chebyshev_terms"` (1..=32, default 6); `"young_rho"` ([0, 1), or -1 = the context).
///
/// Errors: `NKS_ERR_NULL_POINTER`; `NKS_ERR_UNKNOWN_OPTION` (the message lists the names);
/// `NKS_ERR_INVALID_ARGUMENT` for a value out of range (the option keeps its value);
/// `NKS_ERR_INVALID_STATE` for `"context_min"`, `"context_max"`, `"bins"`,
/// `"chebyshev_terms"` once the learner has observed a cost, and for the read-only properties
/// (see `nks_sor_bandit_get_option`).
#[no_mangle]
pub unsafe extern "C" fn nks_sor_bandit_set_option(h: *mut nks_sor_bandit, name: *const c_char, value: f64) -> nks_status {
    guard(|| {
        let mut st = state(h)?;
        st.bandit.set_option(try_str(name, "name")?, value)?;
        Ok(nks_status::NKS_OK)
    })
}

/// Reads an option by name into `*value`, in the encoding `nks_sor_bandit_set_option` takes,
/// or one of the read-only properties fixed at creation: `"learner"` (the `nks_sor_learner`
/// code), `"num_arms"` (the length `nks_sor_bandit_probabilities` needs), `"omega_min"`,
/// `"omega_max"` (so a host holding a loaded learner can size its buffers).
/// `*value` is written only on success.
#[no_mangle]
pub unsafe extern "C" fn nks_sor_bandit_get_option(h: *const nks_sor_bandit, name: *const c_char, value: *mut f64) -> nks_status {
    guard(|| {
        let st = state(h)?;
        let v = st.bandit.get_option(try_str(name, "name")?)?;
        write_out(value, v, "value")?;
        Ok(nks_status::NKS_OK)
    })
}

/// Draws an arm for a system with `context` (ignored by Tsallis-INF and fixed; Young's rho when
/// `"young_rho"` is -1), for a solve done elsewhere: `*arm` receives its index, `*omega` its
/// omega. Report the solve's iteration count with `nks_sor_bandit_observe`. Advances the
/// random generator. Errors: `NKS_ERR_NULL_POINTER`, `NKS_ERR_NON_FINITE` (context),
/// `NKS_ERR_INVALID_ARGUMENT` (a Young context outside [0, 1)).
#[no_mangle]
pub unsafe extern "C" fn nks_sor_bandit_choose(h: *mut nks_sor_bandit, context: f64, arm: *mut usize, omega: *mut f64) -> nks_status {
    guard(|| {
        let mut st = state(h)?;
        if arm.is_null() {
            return Err(null_error("arm"));
        }
        if omega.is_null() {
            return Err(null_error("omega"));
        }
        let (a, w) = st.bandit.choose(context)?;
        write_out(arm, a, "arm")?;
        write_out(omega, w, "omega")?;
        Ok(nks_status::NKS_OK)
    })
}

/// Learns that `arm` cost `cost` iterations (`>= 0`; pass the cap for a solve that did not
/// converge) on a system with `context`. Errors: `NKS_ERR_NULL_POINTER`,
/// `NKS_ERR_INVALID_ARGUMENT` (`arm >= num_arms`, negative or non-finite cost),
/// `NKS_ERR_NON_FINITE` (context).
#[no_mangle]
pub unsafe extern "C" fn nks_sor_bandit_observe(h: *mut nks_sor_bandit, arm: usize, context: f64, cost: f64) -> nks_status {
    guard(|| {
        state(h)?.bandit.observe(arm, context, cost)?;
        Ok(nks_status::NKS_OK)
    })
}

/// Chooses omega for `context`, solves `A x = b` (vectors of length `n`, `A` square with a
/// nonzero diagonal) by SOR or SSOR-PCG, and learns from the iteration count. The report
/// (`nks_sor_bandit_get_report`) gives the omega, iterations and residual.
///
/// Returns `NKS_OK` when converged; `NKS_MAX_ITERATIONS` with the last iterate in `x` at the
/// cap; `NKS_ERR_NON_FINITE` when SOR diverged and `NKS_ERR_BREAKDOWN` when SSOR-PCG met a
/// non-SPD matrix (`x` untouched; the learner still learns the capped cost). Bad input (NULL,
/// `n` mismatch, NaN in `b`, overlapping `b` and `x`, a zero diagonal, a non-finite context)
/// fails before any work and changes nothing, the generator included.
#[no_mangle]
pub unsafe extern "C" fn nks_sor_bandit_solve(
    h: *mut nks_sor_bandit,
    a: *const nks_csr,
    b: *const f64,
    x: *mut f64,
    n: usize,
    context: f64,
) -> nks_status {
    guard(|| {
        let mut st = state(h)?;
        let m = &try_ref(a, "A")?.matrix;
        if m.nrows() != m.ncols() {
            return Err(Error::dims(format!("A is {} x {}; SOR needs a square matrix", m.nrows(), m.ncols())).into());
        }
        if n != m.nrows() {
            return Err(Error::dims(format!("n = {n} but A has dimension {}", m.nrows())).into());
        }
        let b = try_slice(b, n, "b")?;
        check_disjoint(b, x, n, "b", "x")?;
        let x = try_slice_mut(x, n, "x")?;
        let report = st.bandit.solve(m, b, x, context)?;
        st.report = to_c_report(&report, st.bandit.options().solver.max_iterations);
        finish_solve(termination_status(&report.termination), || report.termination.describe())
    })
}

/// Copies the report of the last `nks_sor_bandit_solve` that ran (converged, capped, or
/// failed after choosing: diverged or broken down) into `*out`.
#[no_mangle]
pub unsafe extern "C" fn nks_sor_bandit_get_report(h: *const nks_sor_bandit, out: *mut nks_sor_report) -> nks_status {
    guard(|| {
        let st = state(h)?;
        write_out(out, st.report, "out")?;
        Ok(nks_status::NKS_OK)
    })
}

/// Writes the distribution the next choice at `context` is drawn from into `out[0..len]`,
/// `len == num_arms` (1 for the fixed and Young learners). Non-contextual learners ignore
/// `context`. Errors: `NKS_ERR_NULL_POINTER`, `NKS_ERR_DIMENSION_MISMATCH` (`len`),
/// `NKS_ERR_NON_FINITE` (context); `out` is written only on success.
#[no_mangle]
pub unsafe extern "C" fn nks_sor_bandit_probabilities(h: *const nks_sor_bandit, context: f64, out: *mut f64, len: usize) -> nks_status {
    guard(|| {
        let st = state(h)?;
        let arms = st.bandit.omegas().len();
        if len != arms {
            return Err(Error::dims(format!("len = {len} but the learner has num_arms = {arms}")).into());
        }
        let p = st.bandit.probabilities(context)?;
        try_slice_mut(out, len, "out")?.copy_from_slice(&p);
        Ok(nks_status::NKS_OK)
    })
}

/// Saves the learner (kind, grid, options, statistics, generator position) into a new buffer:
/// `*buf` receives it and `*len` its length; free it with `nks_bytes_free(*buf, *len)`. The
/// format is versioned, checksummed and the same on every platform.
#[no_mangle]
pub unsafe extern "C" fn nks_sor_bandit_save(h: *const nks_sor_bandit, buf: *mut *mut u8, len: *mut usize) -> nks_status {
    guard(|| {
        let st = state(h)?;
        bytes::give(st.bandit.to_bytes(), buf, len)?;
        Ok(nks_status::NKS_OK)
    })
}

/// Creates a learner from a buffer written by `nks_sor_bandit_save` (possibly by another
/// process or machine); it makes the same choices the saved one would have made next. A
/// foreign, truncated, corrupted or other-version buffer returns `NKS_ERR_INVALID_ARGUMENT`
/// and writes nothing.
#[no_mangle]
pub unsafe extern "C" fn nks_sor_bandit_load(buf: *const u8, len: usize, out: *mut *mut nks_sor_bandit) -> nks_status {
    guard(|| {
        if out.is_null() {
            return Err(null_error("out"));
        }
        let bandit = SorBandit::from_bytes(try_slice(buf, len, "buf")?)?;
        wrap(out, bandit);
        Ok(nks_status::NKS_OK)
    })
}

/// As `nks_sor_bandit_save`, to the file `path` (created or replaced). An I/O failure returns
/// `NKS_ERR_INVALID_ARGUMENT` with the path and the system's reason.
#[no_mangle]
pub unsafe extern "C" fn nks_sor_bandit_save_file(h: *const nks_sor_bandit, path: *const c_char) -> nks_status {
    guard(|| {
        let st = state(h)?;
        crate::persist::write_file(&bytes::path_arg(path)?, &st.bandit.to_bytes())?;
        Ok(nks_status::NKS_OK)
    })
}

/// As `nks_sor_bandit_load`, from the file `path`.
#[no_mangle]
pub unsafe extern "C" fn nks_sor_bandit_load_file(path: *const c_char, out: *mut *mut nks_sor_bandit) -> nks_status {
    guard(|| {
        if out.is_null() {
            return Err(null_error("out"));
        }
        let bytes = crate::persist::read_file(&bytes::path_arg(path)?)?;
        wrap(out, SorBandit::from_bytes(&bytes)?);
        Ok(nks_status::NKS_OK)
    })
}

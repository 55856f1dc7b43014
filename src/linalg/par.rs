//! Library-owned parallelism: one rayon pool for the data-parallel kernels, and the chunked
//! execution primitive that every parallel kernel goes through.
//!
//! Two rules hold everywhere:
//! * user callbacks never run inside the pool (they always run on the thread that called the
//!   solve), only library kernels do;
//! * reductions are summed per fixed-size chunk and the chunk sums are added in chunk order, so a
//!   result is bit-for-bit the same whatever the number of threads.

use crate::error::Error;
use rayon::prelude::*;
use rayon::ThreadPool;
use std::marker::PhantomData;
use std::ops::Range;
use std::sync::{Arc, RwLock};

/// Elements per chunk of a vector kernel. Fixed (not derived from the thread count) so that
/// reductions do not depend on how many threads run them.
pub const CHUNK: usize = 2048;

/// The environment variable read when no thread count was set explicitly.
pub const THREADS_ENV: &str = "NKS_NUM_THREADS";

/// The largest thread count accepted by [`set_num_threads`].
pub const MAX_THREADS: usize = 4096;

struct PoolState {
    pool: Option<Arc<ThreadPool>>,
}

static POOL: RwLock<Option<PoolState>> = RwLock::new(None);

fn build_state(threads: usize) -> Result<PoolState, Error> {
    let pool = if threads > 1 {
        let p = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("nksolve-{i}"))
            .build()
            .map_err(|e| Error::invalid(format!("could not start {threads} worker threads: {e}")))?;
        Some(Arc::new(p))
    } else {
        None
    };
    Ok(PoolState { pool })
}

fn default_threads() -> usize {
    if let Ok(s) = std::env::var(THREADS_ENV) {
        if let Ok(n) = s.trim().parse::<usize>() {
            if (1..=MAX_THREADS).contains(&n) {
                return n;
            }
        }
    }
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// Sets the number of threads used by the library's parallel kernels.
///
/// `0` restores the default: `NKS_NUM_THREADS` if set to a valid count, else the number of
/// available cores. `1` runs every kernel on the calling thread.
pub fn set_num_threads(threads: usize) -> Result<(), Error> {
    if threads > MAX_THREADS {
        return Err(Error::invalid(format!(
            "threads = {threads} is out of range; use 0 (default) or 1..={MAX_THREADS}"
        )));
    }
    let n = if threads == 0 { default_threads() } else { threads };
    let state = build_state(n)?;
    *POOL.write().unwrap_or_else(|e| e.into_inner()) = Some(state);
    Ok(())
}

/// The number of threads the parallel kernels currently use.
pub fn num_threads() -> usize {
    Par::current().threads()
}

/// Where a kernel runs: on the calling thread, or in the library pool.
#[derive(Clone, Default)]
pub struct Par {
    pool: Option<Arc<ThreadPool>>,
}

impl Par {
    /// Sequential execution on the calling thread.
    pub fn seq() -> Self {
        Par { pool: None }
    }

    /// The library pool as configured now (initialised from the defaults on first use).
    pub fn current() -> Self {
        if let Some(s) = POOL.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
            return Par { pool: s.pool.clone() };
        }
        let mut guard = POOL.write().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            // A pool that cannot start falls back to sequential execution rather than failing
            // a solve that would run correctly on one thread.
            *guard = Some(build_state(default_threads()).unwrap_or(PoolState { pool: None }));
        }
        Par { pool: guard.as_ref().and_then(|s| s.pool.clone()) }
    }

    /// Number of threads this `Par` runs kernels on.
    pub fn threads(&self) -> usize {
        self.pool.as_ref().map_or(1, |p| p.current_num_threads())
    }

    /// Runs `f` on a pool thread while the caller waits, so that the kernels inside `f` fork
    /// from within the pool (a cheap work-stealing split) instead of paying a cross-thread
    /// hand-off per kernel. Sequential `Par`s just call `f`.
    ///
    /// # Safety
    /// `f` must not call host code (callbacks must run on the thread that called the library)
    /// and must not depend on the calling thread's thread-locals. Data it borrows is safe to use
    /// from the pool thread because the caller is blocked until `f` returns.
    pub unsafe fn install_host_free<R>(&self, f: impl FnOnce() -> R) -> R {
        struct AssertSend<T>(T);
        // SAFETY: see the function's contract; the caller is blocked while the value is away.
        unsafe impl<T> Send for AssertSend<T> {}
        match &self.pool {
            Some(pool) => {
                let job = AssertSend(f);
                let out = pool.install(move || {
                    let job = job;
                    AssertSend((job.0)())
                });
                out.0
            }
            None => f(),
        }
    }

    /// Runs `f(block, partial)` for every block in `0..nblocks`, where `partial` is a zeroed
    /// slice of length `k` private to the block, and adds the block partials into `out` in block
    /// order. Blocks run in parallel when the pool has more than one thread.
    pub fn for_blocks<F>(&self, nblocks: usize, k: usize, out: &mut [f64], f: F)
    where
        F: Fn(usize, &mut [f64]) + Sync + Send,
    {
        debug_assert_eq!(out.len(), k);
        out.iter_mut().for_each(|o| *o = 0.0);
        match &self.pool {
            Some(pool) if nblocks > 1 => {
                let mut partials = vec![0.0; nblocks * k.max(1)];
                pool.install(|| {
                    partials
                        .par_chunks_mut(k.max(1))
                        .enumerate()
                        .for_each(|(b, part)| f(b, &mut part[..k]));
                });
                for part in partials.chunks(k.max(1)) {
                    for (o, p) in out.iter_mut().zip(part) {
                        *o += *p;
                    }
                }
            }
            _ => {
                let mut part = vec![0.0; k];
                for b in 0..nblocks {
                    part.iter_mut().for_each(|p| *p = 0.0);
                    f(b, &mut part);
                    for (o, p) in out.iter_mut().zip(&part) {
                        *o += *p;
                    }
                }
            }
        }
    }

    /// [`Par::for_blocks`] over the fixed element chunks of a vector of length `n`, with `K`
    /// reduction values returned.
    pub fn chunk_sums<const K: usize, F>(&self, n: usize, f: F) -> [f64; K]
    where
        F: Fn(Range<usize>) -> [f64; K] + Sync + Send,
    {
        let mut out = [0.0; K];
        let nblocks = n.div_ceil(CHUNK);
        self.for_blocks(nblocks, K, &mut out, |b, part| {
            let r = f(chunk_range(b, n));
            part.copy_from_slice(&r);
        });
        out
    }
}

/// The element range of chunk `b` of a vector of length `n`.
pub fn chunk_range(b: usize, n: usize) -> Range<usize> {
    b * CHUNK..((b + 1) * CHUNK).min(n)
}

/// A mutable slice that parallel blocks may split into DISJOINT sub-slices.
///
/// This is the one place the kernels step outside the borrow checker: `for_blocks` hands each
/// block a distinct index, and every kernel maps distinct block indices to non-overlapping
/// ranges, so no two threads ever hold the same element.
#[derive(Clone, Copy)]
pub struct SharedMut<'a> {
    ptr: *mut f64,
    len: usize,
    _marker: PhantomData<&'a mut [f64]>,
}

// SAFETY: access is only through `range`, whose callers guarantee disjointness (see above).
unsafe impl Send for SharedMut<'_> {}
unsafe impl Sync for SharedMut<'_> {}

impl<'a> SharedMut<'a> {
    /// Wraps a slice for disjoint parallel writes.
    pub fn new(s: &'a mut [f64]) -> Self {
        SharedMut { ptr: s.as_mut_ptr(), len: s.len(), _marker: PhantomData }
    }

    /// The sub-slice `r`.
    ///
    /// # Safety
    /// No two live sub-slices obtained from the same `SharedMut` may overlap.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn range(&self, r: Range<usize>) -> &'a mut [f64] {
        assert!(r.start <= r.end && r.end <= self.len, "SharedMut range out of bounds");
        std::slice::from_raw_parts_mut(self.ptr.add(r.start), r.end - r.start)
    }
}

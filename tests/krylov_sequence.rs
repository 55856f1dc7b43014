//! The C sequence API (`nks_krylov_solve_sequence`, `nks_skr_order`, saving and loading the
//! recycled state) against independent references: true residuals, the same systems solved one
//! by one on a handle, and the core SKR ordering.

use nksolve::capi::bytes::nks_bytes_free;
use nksolve::capi::csr::*;
use nksolve::capi::krylov::nks_krylov_method::*;
use nksolve::capi::krylov::*;
use nksolve::capi::recycle::*;
use nksolve::capi::status::nks_status::*;
use nksolve::linalg::{CsrMatrix, DenseRef, Par};
use nksolve::problems;
use std::ffi::{c_int, c_void};
use std::ptr::{null, null_mut};

const NX: usize = 24;
const COUNT: usize = 6;

/// A Darcy sequence, its coefficient fields (the SKR features) and its C handles.
struct Sequence {
    mats: Vec<CsrMatrix>,
    features: Vec<f64>,
    handles: Vec<*mut nks_csr>,
}

impl Sequence {
    fn new() -> Self {
        let n = NX * NX;
        let mut features = Vec::with_capacity(n * COUNT);
        let mut mats = Vec::new();
        for s in 0..COUNT as u64 {
            let field = problems::threshold_coefficient(&problems::gaussian_random_field(NX, 2.5, 7.0, 24, s));
            features.extend_from_slice(&field);
            mats.push(problems::darcy2d(NX, &field));
        }
        let handles = mats.iter().map(to_handle).collect();
        Sequence { mats, features, handles }
    }
    fn ops(&self) -> Vec<*const nks_csr> {
        self.handles.iter().map(|&h| h as *const nks_csr).collect()
    }
}

impl Drop for Sequence {
    fn drop(&mut self) {
        self.handles.iter().for_each(|&h| unsafe { nks_csr_free(h) });
    }
}

fn to_handle(a: &CsrMatrix) -> *mut nks_csr {
    let rp: Vec<i64> = a.row_ptr().iter().map(|&v| v as i64).collect();
    let ci: Vec<i64> = a.col_idx().iter().map(|&v| v as i64).collect();
    let mut h = null_mut();
    let s = unsafe { nks_csr_new(a.nrows(), a.ncols(), a.nnz(), rp.as_ptr(), ci.as_ptr(), a.values().as_ptr(), 0, &mut h) };
    assert_eq!(s, NKS_OK);
    h
}

fn handle(method: nks_krylov_method) -> *mut nks_krylov {
    let mut h = null_mut();
    unsafe {
        assert_eq!(nks_krylov_new(&mut h), NKS_OK);
        assert_eq!(nks_krylov_set_method(h, method as i32), NKS_OK);
        assert_eq!(nks_krylov_set_restart(h, 40), NKS_OK);
        assert_eq!(nks_krylov_set_option(h, c"recycle_dim".as_ptr(), 10.0), NKS_OK);
    }
    h
}

fn relative_residual(a: &CsrMatrix, b: &[f64], x: &[f64]) -> f64 {
    let mut ax = vec![0.0; b.len()];
    a.matvec(&Par::seq(), x, &mut ax);
    let r: f64 = b.iter().zip(&ax).map(|(p, q)| (p - q).powi(2)).sum();
    (r / b.iter().map(|v| v * v).sum::<f64>()).sqrt()
}

/// Solves the sequence with `nks_krylov_solve_sequence`; returns x, order, reports.
fn solve_sequence(h: *mut nks_krylov, seq: &Sequence, sort: bool) -> (Vec<f64>, Vec<usize>, Vec<nks_krylov_report>) {
    let n = NX * NX;
    let b = vec![1.0; n * COUNT];
    let mut x = vec![0.0; n * COUNT];
    let mut order = vec![0usize; COUNT];
    let mut reports = vec![unsafe { std::mem::zeroed::<nks_krylov_report>() }; COUNT];
    let (f, nf) = if sort { (seq.features.as_ptr(), n) } else { (null(), 0) };
    let ops = seq.ops();
    let s = unsafe {
        nks_krylov_solve_sequence(h, COUNT, ops.as_ptr(), b.as_ptr(), n, x.as_mut_ptr(), n, f, nf, n, order.as_mut_ptr(), reports.as_mut_ptr())
    };
    assert_eq!(s, NKS_OK);
    for i in 0..COUNT {
        let res = relative_residual(&seq.mats[i], &b[i * n..(i + 1) * n], &x[i * n..(i + 1) * n]);
        assert!(res <= 1.01e-8, "system {i}: true relative residual {res}");
        assert!((reports[i].residual_norm - res * (n as f64).sqrt()).abs() <= 1e-6 * reports[i].residual_norm.max(1e-300));
    }
    (x, order, reports)
}

#[test]
fn sequence_call_equals_solving_one_by_one_on_a_handle() {
    let seq = Sequence::new();
    let n = NX * NX;
    for method in [NKS_KRYLOV_GCRODR, NKS_KRYLOV_RECYCLED_CG] {
        let (xs, order, reports) = solve_sequence(handle(method), &seq, false);
        assert_eq!(order, (0..COUNT).collect::<Vec<_>>());
        // The same systems, one nks_krylov_solve each, on a fresh handle.
        let h = handle(method);
        let b = vec![1.0; n];
        for i in 0..COUNT {
            let mut x = vec![0.0; n];
            let mut rep = unsafe { std::mem::zeroed::<nks_krylov_report>() };
            unsafe {
                assert_eq!(nks_krylov_set_operator_csr(h, seq.handles[i]), NKS_OK);
                assert_eq!(nks_krylov_solve(h, b.as_ptr(), x.as_mut_ptr(), n), NKS_OK);
                assert_eq!(nks_krylov_get_report(h, &mut rep), NKS_OK);
            }
            assert_eq!(rep.iterations, reports[i].iterations, "system {i}");
            assert_eq!(x, xs[i * n..(i + 1) * n], "system {i}: identical arithmetic");
            assert_eq!(rep.recycle_initial_dim, if i == 0 { 0 } else { 10 });
            assert_eq!(rep.recycle_rebuilt, i32::from(i > 0), "every new matrix re-fits the space");
        }
        let later: usize = reports[1..].iter().map(|r| r.iterations).sum();
        assert!(later < (COUNT - 1) * reports[0].iterations, "recycling pays off: {later} vs {}", reports[0].iterations);
    }
}

#[test]
fn sorted_sequence_follows_the_skr_order() {
    let seq = Sequence::new();
    let n = NX * NX;
    let mut order = vec![0usize; COUNT];
    assert_eq!(unsafe { nks_skr_order(COUNT, n, seq.features.as_ptr(), n, order.as_mut_ptr()) }, NKS_OK);
    let core = nksolve::krylov::skr::skr_order(&DenseRef::new(&seq.features, n, COUNT, n, "f").unwrap()).unwrap();
    assert_eq!(order, core);
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(sorted, (0..COUNT).collect::<Vec<_>>(), "a permutation");
    let (_, used, reports) = solve_sequence(handle(NKS_KRYLOV_GCRODR), &seq, true);
    assert_eq!(used, order);
    assert_eq!(reports[order[0]].recycle_initial_dim, 0, "the first system solved starts empty");
}

unsafe extern "C" fn darcy_matvec(i: usize, x: *const f64, y: *mut f64, n: usize, ud: *mut c_void) -> c_int {
    let mats = &*(ud as *const Vec<CsrMatrix>);
    mats[i].matvec(&Par::seq(), std::slice::from_raw_parts(x, n), std::slice::from_raw_parts_mut(y, n));
    0
}

#[test]
fn callback_sequence_matches_the_csr_sequence() {
    let seq = Sequence::new();
    let n = NX * NX;
    let (xs, _, reports) = solve_sequence(handle(NKS_KRYLOV_GCRODR), &seq, false);
    let b = vec![1.0; n * COUNT];
    let mut x = vec![0.0; n * COUNT];
    let mut creps = vec![unsafe { std::mem::zeroed::<nks_krylov_report>() }; COUNT];
    let ud = &seq.mats as *const Vec<CsrMatrix> as *mut c_void;
    let s = unsafe {
        nks_krylov_solve_sequence_callback(handle(NKS_KRYLOV_GCRODR), COUNT, n, Some(darcy_matvec), ud, b.as_ptr(), n, x.as_mut_ptr(), n, null(), 0, 0, null_mut(), creps.as_mut_ptr())
    };
    assert_eq!(s, NKS_OK);
    for i in 0..COUNT {
        assert_eq!(creps[i].iterations, reports[i].iterations, "system {i}");
        let diff = x[i * n..(i + 1) * n].iter().zip(&xs[i * n..(i + 1) * n]).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(diff < 1e-9, "system {i}: {diff}");
    }
}

#[test]
fn saved_state_reproduces_the_iteration_counts_through_buffer_and_file() {
    let seq = Sequence::new();
    let n = NX * NX;
    let b = vec![1.0; n];
    let solve = |h: *mut nks_krylov, i: usize| -> usize {
        let mut x = vec![0.0; n];
        let mut rep = unsafe { std::mem::zeroed::<nks_krylov_report>() };
        unsafe {
            assert_eq!(nks_krylov_set_operator_csr(h, seq.handles[i]), NKS_OK);
            assert_eq!(nks_krylov_solve(h, b.as_ptr(), x.as_mut_ptr(), n), NKS_OK);
            assert_eq!(nks_krylov_get_report(h, &mut rep), NKS_OK);
        }
        rep.iterations
    };
    for method in [NKS_KRYLOV_GCRODR, NKS_KRYLOV_RECYCLED_CG] {
        let h = handle(method);
        solve(h, 0);
        solve(h, 1);
        let (mut buf, mut len) = (null_mut::<u8>(), 0usize);
        let path = std::env::temp_dir().join(format!("nks-seq-{}-{}.bin", std::process::id(), method as i32));
        let cpath = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        unsafe {
            assert_eq!(nks_krylov_save_recycled(h, &mut buf, &mut len), NKS_OK);
            assert_eq!(nks_krylov_save_recycled_file(h, cpath.as_ptr()), NKS_OK);
        }
        let (from_buf, from_file) = (handle(method), handle(method));
        unsafe {
            assert_eq!(nks_krylov_load_recycled(from_buf, buf, len), NKS_OK);
            assert_eq!(nks_krylov_load_recycled_file(from_file, cpath.as_ptr()), NKS_OK);
            nks_bytes_free(buf, len);
        }
        std::fs::remove_file(&path).unwrap();
        for i in 2..COUNT {
            let want = solve(h, i);
            assert_eq!(solve(from_buf, i), want, "system {i} after loading the buffer");
            assert_eq!(solve(from_file, i), want, "system {i} after loading the file");
        }
        // Clearing forgets the space: the next solve starts from scratch.
        let fresh = handle(method);
        unsafe { assert_eq!(nks_krylov_clear_recycled(h), NKS_OK) };
        assert_eq!(solve(h, 3), solve(fresh, 3));
        unsafe { assert_eq!(nks_krylov_operator_changed(h), NKS_OK) };
    }
}

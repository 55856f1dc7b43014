//! The log-sum-exp kernels every Sinkhorn and Newton pass runs over a line of the cost matrix.
//!
//! A pass evaluates `exp((shift + h_j - c_j) / eps)` for every entry of a row (or column) of the
//! cost: n * m exponentials per half iteration, which is all the arithmetic the method does. So
//! the exponential here is a branch-free polynomial that the compiler vectorises (libm's `exp`
//! is a scalar call per element), and on x86-64 with AVX2 the lines run through a copy of the
//! same code compiled for AVX2 and FMA, chosen once at run time. The FMA copy rounds once per
//! multiply-add, so results may differ in the last bits between machines with and without FMA;
//! on one machine they are bit-identical whatever the number of threads.

/// Below this argument `exp` returns 0 (the true value is below the smallest normal double).
const EXP_FLUSH: f64 = -708.0;
/// Arguments are clamped here so that no intermediate overflows (`exp(709) ~ 8.2e307`).
const EXP_CLAMP: f64 = 709.0;
/// Lanes of the accumulators: independent partial sums let the sum vectorise, and fixing their
/// number (instead of following the vector width) keeps the result machine-independent.
const LANES: usize = 16;

/// `a * b + c`, fused into one rounding when `FUSED` (only instantiated where FMA exists).
#[inline(always)]
fn madd<const FUSED: bool>(a: f64, b: f64, c: f64) -> f64 {
    if FUSED {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}

/// `exp(x)` to within 3 ulp for `x` in `[-708, 709]`, 0 below (and for `-inf`), `exp(709)`
/// above (callers keep arguments below 709). Arguments must not be NaN.
#[inline(always)]
pub fn exp<const FUSED: bool>(x: f64) -> f64 {
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
    // 1.5 * 2^52: adding it rounds to an integer held in the low mantissa bits.
    const SHIFTER: f64 = 6_755_399_441_055_744.0;
    // Taylor coefficients of degree 12: truncation below 2e-16 relative on |r| <= ln(2) / 2.
    const C: [f64; 13] = [
        1.0,
        1.0,
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
    ];
    // min / max rather than clamp: no assertion, so the loop vectorises.
    let xc = x.max(EXP_FLUSH).min(EXP_CLAMP);
    let t = madd::<FUSED>(xc, LOG2E, SHIFTER);
    let k = t - SHIFTER;
    let r = madd::<FUSED>(-k, LN2_LO, madd::<FUSED>(-k, LN2_HI, xc));
    // Estrin's scheme: a dependency chain of 5 steps instead of Horner's 12.
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let pair = |i: usize| madd::<FUSED>(C[i + 1], r, C[i]);
    let s0 = madd::<FUSED>(pair(2), r2, pair(0));
    let s1 = madd::<FUSED>(pair(6), r2, pair(4));
    let s2 = madd::<FUSED>(pair(10), r2, pair(8));
    let p = madd::<FUSED>(madd::<FUSED>(C[12], r4, s2), r8, madd::<FUSED>(s1, r4, s0));
    // 2^k by adding k to the exponent field; k's low bits sit in t's mantissa.
    let y = f64::from_bits(p.to_bits().wrapping_add(t.to_bits() << 52));
    if x < EXP_FLUSH {
        0.0
    } else {
        y
    }
}

#[inline(always)]
fn sum_exp_body<const FUSED: bool>(h: &[f64], c: &[f64], shift: f64, inv_eps: f64) -> f64 {
    let n = h.len().min(c.len());
    let (h, c) = (&h[..n], &c[..n]);
    let mut acc = [0.0f64; LANES];
    let mut hc = h.chunks_exact(LANES);
    let mut cc = c.chunks_exact(LANES);
    for (hs, cs) in (&mut hc).zip(&mut cc) {
        for l in 0..LANES {
            acc[l] += exp::<FUSED>((shift + hs[l] - cs[l]) * inv_eps);
        }
    }
    for (l, (hv, cv)) in hc.remainder().iter().zip(cc.remainder()).enumerate() {
        acc[l] += exp::<FUSED>((shift + hv - cv) * inv_eps);
    }
    let mut s = 0.0;
    for v in acc {
        s += v;
    }
    s
}

#[inline(always)]
fn exp_into_body<const FUSED: bool>(h: &[f64], c: &[f64], shift: f64, inv_eps: f64, out: &mut [f64]) -> f64 {
    let mut acc = [0.0f64; LANES];
    let n = out.len();
    let (h, c) = (&h[..n], &c[..n]);
    let mut oc = out.chunks_exact_mut(LANES);
    let mut hc = h.chunks_exact(LANES);
    let mut cc = c.chunks_exact(LANES);
    for ((os, hs), cs) in (&mut oc).zip(&mut hc).zip(&mut cc) {
        for l in 0..LANES {
            let e = exp::<FUSED>((shift + hs[l] - cs[l]) * inv_eps);
            os[l] = e;
            acc[l] += e;
        }
    }
    for (l, ((o, hv), cv)) in oc.into_remainder().iter_mut().zip(hc.remainder()).zip(cc.remainder()).enumerate() {
        let e = exp::<FUSED>((shift + hv - cv) * inv_eps);
        *o = e;
        acc[l] += e;
    }
    let mut s = 0.0;
    for v in acc {
        s += v;
    }
    s
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn sum_exp(h: &[f64], c: &[f64], shift: f64, inv_eps: f64) -> f64 {
        super::sum_exp_body::<true>(h, c, shift, inv_eps)
    }
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn exp_into(h: &[f64], c: &[f64], shift: f64, inv_eps: f64, out: &mut [f64]) -> f64 {
        super::exp_into_body::<true>(h, c, shift, inv_eps, out)
    }
}

#[cfg(target_arch = "x86_64")]
fn has_avx2_fma() -> bool {
    use std::sync::OnceLock;
    static AVX2: OnceLock<bool> = OnceLock::new();
    *AVX2.get_or_init(|| std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma"))
}

/// `sum_j exp((shift + h[j] - c[j]) * inv_eps)` over `j < h.len()` (`c` at least as long).
pub fn sum_exp(h: &[f64], c: &[f64], shift: f64, inv_eps: f64) -> f64 {
    assert!(c.len() >= h.len());
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU supports AVX2 and FMA (checked above).
        return unsafe { avx2::sum_exp(h, c, shift, inv_eps) };
    }
    sum_exp_body::<false>(h, c, shift, inv_eps)
}

/// Writes `out[j] = exp((shift + h[j] - c[j]) * inv_eps)` and returns their sum (same order as
/// [`sum_exp`], so the same value).
pub fn exp_into(h: &[f64], c: &[f64], shift: f64, inv_eps: f64, out: &mut [f64]) -> f64 {
    assert!(h.len() >= out.len() && c.len() >= out.len());
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU supports AVX2 and FMA (checked above).
        return unsafe { avx2::exp_into(h, c, shift, inv_eps, out) };
    }
    exp_into_body::<false>(h, c, shift, inv_eps, out)
}

/// `max_j (h[j] - c[j])` (`-inf` for an empty line): the exact shift of a log-sum-exp.
pub fn max_diff(h: &[f64], c: &[f64]) -> f64 {
    h.iter().zip(c).fold(f64::NEG_INFINITY, |m, (hv, cv)| m.max(hv - cv))
}

/// The exact `log sum_j exp((h[j] - c[j]) * inv_eps)`, shifted by its maximum so that nothing
/// under- or overflows (`-inf` when every `h[j]` is `-inf`).
pub fn log_sum_exp(h: &[f64], c: &[f64], inv_eps: f64) -> f64 {
    let m = max_diff(h, c);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m * inv_eps + sum_exp(h, c, -m, inv_eps).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_matches_libm_to_three_ulp_over_the_range() {
        let mut worst = 0.0f64;
        let mut x: f64 = -708.0;
        while x < 709.0 {
            let b = x.exp();
            for a in [exp::<false>(x), exp::<true>(x)] {
                worst = worst.max(((a - b) / b).abs());
            }
            x += 0.0137;
        }
        assert!(worst < 6.7e-16, "worst relative error {worst}");
        assert_eq!(exp::<false>(-709.5), 0.0);
        assert_eq!(exp::<false>(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp::<false>(0.0), 1.0);
    }

    #[test]
    fn kernels_agree_with_a_scalar_sum() {
        let h: Vec<f64> = (0..37).map(|j| (j as f64 * 0.37).sin()).collect();
        let c: Vec<f64> = (0..37).map(|j| (j as f64 * 0.11).cos().abs()).collect();
        let direct: f64 = h.iter().zip(&c).map(|(a, b)| ((0.2 + a - b) * 20.0).exp()).sum();
        let s = sum_exp(&h, &c, 0.2, 20.0);
        assert!((s - direct).abs() < 1e-14 * direct);
        let mut out = vec![0.0; 37];
        assert_eq!(exp_into(&h, &c, 0.2, 20.0, &mut out), s);
        let lse = log_sum_exp(&h, &c, 1e4);
        let m = max_diff(&h, &c) * 1e4;
        assert!((lse - m) >= 0.0 && (lse - m) < 37f64.ln());
    }
}

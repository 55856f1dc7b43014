//! The learners against known answers: a synthetic cost table with a known best arm, a
//! context-dependent cost with a known best arm per context, real SOR solves on the Poisson
//! problem (where Young's omega is the known optimum), and save / load resuming exactly.

use nksolve::sor::{young_omega, LearnerKind, SorBandit};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Arc;

/// The synthetic cost of arm `i` of 20: best arm 13, costs 100..~500 with +-10% noise.
fn table_cost(arm: usize, rng: &mut StdRng) -> f64 {
    let base = 100.0 + 20.0 * (arm as f64 - 13.0).powi(2);
    (base * (0.9 + 0.2 * rng.random::<f64>())).round()
}

/// Runs `rounds` choose / observe rounds with costs `cost(arm, context)`, contexts uniform on
/// [0, 1].
fn play(l: &mut SorBandit, rounds: usize, seed: u64, cost: impl Fn(usize, f64, &mut StdRng) -> f64) {
    let mut rng = StdRng::seed_from_u64(seed);
    for _ in 0..rounds {
        let c: f64 = rng.random();
        let (arm, _) = l.choose(c).unwrap();
        let y = cost(arm, c, &mut rng);
        l.observe(arm, c, y).unwrap();
    }
}

#[test]
fn tsallis_inf_and_binned_concentrate_on_the_best_arm_of_a_cost_table() {
    // The binned learner runs one Tsallis-INF per bin (5 by default), so it gets more rounds.
    // With the reduced-variance estimator 2000 rounds (binned: 12 500) suffice; over 20 seeds
    // the smallest p(best) was 0.92 (0.90), where the plain importance-weighted estimator
    // needed 3000 (25 000) rounds for 0.81 (0.87).
    for (kind, rounds) in [(LearnerKind::TsallisInf, 2000), (LearnerKind::Binned, 12_500)] {
        let mut l = SorBandit::new(kind, 20, 1.0, 1.95, 11).unwrap();
        play(&mut l, rounds, 5, |arm, _, rng| table_cost(arm, rng));
        for c in [0.1, 0.5, 0.9] {
            let p = l.probabilities(c).unwrap();
            assert!(p[13] > 0.8, "{kind:?} at context {c}: p(best) = {} ({p:?})", p[13]);
        }
    }
}

#[test]
fn chebcb_learns_a_context_dependent_best_arm() {
    // Best omega 1.2 + 0.6 c: arm round((0.2 + 0.6 c) / 0.05); cost quadratic around it.
    let best = |c: f64| ((0.2 + 0.6 * c) / 0.05_f64).round() as usize;
    let cost = |arm: usize, c: f64, rng: &mut StdRng| {
        let w = 1.0 + 0.05 * arm as f64;
        (100.0 + 4000.0 * (w - 1.2 - 0.6 * c).powi(2)) * (0.95 + 0.1 * rng.random::<f64>())
    };
    let mut l = SorBandit::new(LearnerKind::ChebCb, 20, 1.0, 1.95, 3).unwrap();
    play(&mut l, 3000, 9, cost);
    for c in [0.1, 0.5, 0.9] {
        let p = l.probabilities(c).unwrap();
        let top = (0..20).fold(0, |b, i| if p[i] > p[b] { i } else { b });
        assert!(top.abs_diff(best(c)) <= 1 && p[top] > 0.5, "context {c}: top arm {top} (p {}) vs best {}", p[top], best(c));
    }
    // A non-contextual learner cannot do this: its favourite is the same at every context.
    let mut t = SorBandit::new(LearnerKind::TsallisInf, 20, 1.0, 1.95, 3).unwrap();
    play(&mut t, 3000, 9, cost);
    assert_eq!(t.probabilities(0.1).unwrap(), t.probabilities(0.9).unwrap());
}

#[test]
fn tsallis_inf_on_real_poisson_solves_moves_towards_youngs_omega() {
    let nx = 12;
    let a = Arc::new(nksolve::problems::poisson2d(nx));
    let wopt = young_omega((std::f64::consts::PI / (nx as f64 + 1.0)).cos());
    let mut l = SorBandit::new(LearnerKind::TsallisInf, 20, 1.0, 1.95, 1).unwrap();
    let mut rng = StdRng::seed_from_u64(2);
    for _ in 0..600 {
        let b: Vec<f64> = (0..a.nrows()).map(|_| rng.random::<f64>() - 0.5).collect();
        let mut x = vec![0.0; a.nrows()];
        assert!(l.solve(&a, &b, &mut x, 0.0).unwrap().termination.converged());
    }
    let p = l.probabilities(0.0).unwrap();
    let mean: f64 = l.omegas().iter().zip(&p).map(|(w, q)| w * q).sum();
    assert!((mean - wopt).abs() < 0.1, "mean chosen omega {mean} vs Young's {wopt}");
}

#[test]
fn young_and_fixed_learners_play_their_formula() {
    let mut y = SorBandit::new(LearnerKind::Young, 1, 1.0, 1.99, 0).unwrap();
    assert_eq!(y.choose(0.6).unwrap(), (0, young_omega(0.6)));
    y.set_option("young_rho", 0.0).unwrap();
    assert_eq!(y.choose(5.0).unwrap(), (0, 1.0), "young_rho overrides the context, clamped to omega_min");
    let mut f = SorBandit::new(LearnerKind::Fixed, 1, 1.7, 1.7, 0).unwrap();
    assert_eq!(f.choose(0.0).unwrap(), (0, 1.7));
    assert_eq!(f.probabilities(0.0).unwrap(), vec![1.0]);
    assert!(SorBandit::new(LearnerKind::Fixed, 2, 1.0, 1.7, 0).is_err());
    assert!(SorBandit::new(LearnerKind::Fixed, 1, 1.0, 1.7, 0).is_err());
    assert!(SorBandit::new(LearnerKind::TsallisInf, 20, 1.0, 2.0, 0).is_err());
}

#[test]
fn a_saved_learner_resumes_with_the_same_probabilities_and_choices() {
    let a = Arc::new(nksolve::problems::poisson2d(8));
    for kind in [LearnerKind::TsallisInf, LearnerKind::ChebCb, LearnerKind::Binned, LearnerKind::Fixed, LearnerKind::Young] {
        let arms = if matches!(kind, LearnerKind::Fixed | LearnerKind::Young) { 1 } else { 20 };
        let hi = if kind == LearnerKind::Fixed { 1.0 } else { 1.95 };
        let mut l = SorBandit::new(kind, arms, 1.0, hi, 42).unwrap();
        l.set_option("context_min", 0.1).unwrap();
        l.set_option("tol", 1e-6).unwrap();
        let mut rng = StdRng::seed_from_u64(7);
        let step = |l: &mut SorBandit, rng: &mut StdRng| {
            let c = 0.1 + 0.8 * rng.random::<f64>();
            let b: Vec<f64> = (0..a.nrows()).map(|_| rng.random::<f64>()).collect();
            let mut x = vec![0.0; a.nrows()];
            let r = l.solve(&a, &b, &mut x, c).unwrap();
            (r.arm, r.omega.to_bits(), r.iterations, l.probabilities(c).unwrap())
        };
        for _ in 0..150 {
            step(&mut l, &mut rng);
        }
        let bytes = l.to_bytes();
        let mut resumed = SorBandit::from_bytes(&bytes).unwrap();
        assert_eq!(resumed.to_bytes(), bytes, "{kind:?}: save(load(s)) == s");
        assert_eq!(resumed.rounds(), 150);
        assert_eq!(resumed.get_option("tol").unwrap(), 1e-6);
        for c in [0.0, 0.3, 0.95] {
            assert_eq!(resumed.probabilities(c).unwrap(), l.probabilities(c).unwrap(), "{kind:?}");
        }
        let mut rng2 = rng.clone();
        for round in 0..60 {
            assert_eq!(step(&mut l, &mut rng), step(&mut resumed, &mut rng2), "{kind:?}: round {round} after the reload");
        }
        // Damaged buffers are refused.
        let mut bad = bytes.clone();
        bad[30] ^= 1;
        assert!(SorBandit::from_bytes(&bad).unwrap_err().message().contains("checksum"));
        assert!(SorBandit::from_bytes(&bytes[..bytes.len() - 3]).is_err());
        assert!(SorBandit::from_bytes(b"NKSRCY\0\0 not a learner state at all").is_err());
        // A buffer of the previous format (version 1: other learner statistics) is refused by
        // name, even with a valid checksum.
        let mut old = bytes[..bytes.len() - 8].to_vec();
        old[8..12].copy_from_slice(&1u32.to_le_bytes());
        let sum = old.iter().fold(0xcbf29ce484222325u64, |h, &b| (h ^ b as u64).wrapping_mul(0x100000001b3));
        old.extend_from_slice(&sum.to_le_bytes());
        let e = SorBandit::from_bytes(&old).unwrap_err().message().to_string();
        assert!(e.contains("format version 1; this library reads version 2"), "{kind:?}: {e}");
    }
}

#[test]
fn structural_options_are_frozen_once_the_learner_has_learned() {
    let mut l = SorBandit::new(LearnerKind::ChebCb, 5, 1.0, 1.9, 0).unwrap();
    l.set_option("chebyshev_terms", 4.0).unwrap();
    l.observe(2, 0.5, 30.0).unwrap();
    let e = l.set_option("chebyshev_terms", 5.0).unwrap_err();
    assert!(matches!(e, nksolve::Error::InvalidState(_)), "{e:?}");
    l.set_option("tol", 1e-6).unwrap();
    assert!(l.observe(5, 0.5, 1.0).is_err() && l.observe(0, f64::NAN, 1.0).is_err() && l.observe(0, 0.5, -1.0).is_err());
}

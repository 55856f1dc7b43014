//! Random samples for the sketching solvers and the model problems, from `rand` alone.

use rand::Rng;

/// A standard normal sample by Box-Muller (keeps the dependency list to `rand`).
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

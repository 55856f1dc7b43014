//! The SKR ordering (Wang et al. 2024, "Accelerating data generation for neural operators via
//! Krylov subspace recycling"): sort a sequence of systems so that neighbours are similar,
//! then solve them in that order with the recycle space carried along.
//!
//! Greedy nearest neighbour on the systems' feature vectors, starting from system 0: O(N^2 d).
//! For more than [`PARTITION_SIZE`] systems, the systems are first ordered along a Hilbert
//! curve in the plane of two fixed random projections of the features, cut into consecutive
//! parts of that size, and sorted greedily within each part (O(N d + N * PARTITION_SIZE * d)).

use crate::error::Error;
use crate::linalg::DenseRef;
use rand::{rngs::StdRng, Rng, SeedableRng};

/// Largest part sorted by the quadratic greedy pass.
pub const PARTITION_SIZE: usize = 1024;

fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Greedy nearest-neighbour order of `ids`, starting from `ids[0]`.
fn greedy(features: &DenseRef, ids: &[usize]) -> Vec<usize> {
    let mut left: Vec<usize> = ids[1..].to_vec();
    let mut order = Vec::with_capacity(ids.len());
    let mut current = ids[0];
    order.push(current);
    while !left.is_empty() {
        let fc = features.col(current);
        // Ties go to the lower system index, so the order is reproducible.
        let (pos, _) = left
            .iter()
            .enumerate()
            .map(|(p, &j)| (p, (dist2(fc, features.col(j)), j)))
            .min_by(|a, b| a.1 .0.total_cmp(&b.1 .0).then(a.1 .1.cmp(&b.1 .1)))
            .unwrap();
        current = left.remove(pos);
        order.push(current);
    }
    order
}

/// Position of `(x, y)` on the Hilbert curve of a `2^bits x 2^bits` grid (the classic xy2d).
fn hilbert_index(bits: u32, mut x: u64, mut y: u64) -> u64 {
    let n = 1u64 << bits;
    let mut d = 0u64;
    let mut s = n / 2;
    while s > 0 {
        let rx = u64::from(x & s > 0);
        let ry = u64::from(y & s > 0);
        d += s * s * ((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                x = n - 1 - x;
                y = n - 1 - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s /= 2;
    }
    d
}

/// The SKR solve order of the systems whose features are the columns of `features`
/// (`d x N`): a permutation of `0..N` starting with system 0.
pub fn skr_order(features: &DenseRef) -> Result<Vec<usize>, Error> {
    let count = features.ncols();
    if count == 0 {
        return Ok(Vec::new());
    }
    if features.nrows() == 0 {
        return Err(Error::invalid("features have 0 rows; each system needs at least one feature"));
    }
    for j in 0..count {
        crate::error::check_finite(features.col(j), &format!("features (column {j})"))?;
    }
    let all: Vec<usize> = (0..count).collect();
    if count <= PARTITION_SIZE {
        return Ok(greedy(features, &all));
    }
    // Two fixed random directions: a reproducible 2D embedding of the features.
    let d = features.nrows();
    let mut rng = StdRng::seed_from_u64(0x5c4);
    let dirs: Vec<f64> = (0..2 * d).map(|_| rng.random::<f64>() - 0.5).collect();
    let pts: Vec<(f64, f64)> = (0..count)
        .map(|j| {
            let f = features.col(j);
            (f.iter().zip(&dirs[..d]).map(|(a, b)| a * b).sum(), f.iter().zip(&dirs[d..]).map(|(a, b)| a * b).sum())
        })
        .collect();
    let (mut lo, mut hi) = ((f64::INFINITY, f64::INFINITY), (f64::NEG_INFINITY, f64::NEG_INFINITY));
    for &(a, b) in &pts {
        lo = (lo.0.min(a), lo.1.min(b));
        hi = (hi.0.max(a), hi.1.max(b));
    }
    let bits = 16;
    let scale = |v: f64, l: f64, h: f64| if h > l { (((v - l) / (h - l)) * 65535.0) as u64 } else { 0 };
    let mut keyed: Vec<(u64, usize)> = pts
        .iter()
        .enumerate()
        .map(|(j, &(a, b))| (hilbert_index(bits, scale(a, lo.0, hi.0), scale(b, lo.1, hi.1)), j))
        .collect();
    // System 0 leads, as in the small case; the rest follow the curve.
    keyed.sort_by_key(|&(h, j)| (j != 0, h, j));
    let along: Vec<usize> = keyed.into_iter().map(|(_, j)| j).collect();
    Ok(along.chunks(PARTITION_SIZE).flat_map(|part| greedy(features, part)).collect())
}

/// Sum of feature distances between consecutive systems of `order` (what SKR shortens).
pub fn path_length(features: &DenseRef, order: &[usize]) -> f64 {
    order.windows(2).map(|w| dist2(features.col(w[0]), features.col(w[1])).sqrt()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_order_follows_points_on_a_line() {
        // Points at positions 0, 5, 1, 4, 2, 3 on a line: the greedy tour from 0 is sorted.
        let f = [0.0, 5.0, 1.0, 4.0, 2.0, 3.0];
        let view = DenseRef::new(&f, 1, 6, 1, "features").unwrap();
        assert_eq!(skr_order(&view).unwrap(), vec![0, 2, 4, 5, 3, 1]);
        assert!(path_length(&view, &[0, 2, 4, 5, 3, 1]) < path_length(&view, &[0, 1, 2, 3, 4, 5]));
    }

    #[test]
    fn partitioned_order_is_a_permutation_and_shortens_the_path() {
        let n = 3000;
        let mut rng = StdRng::seed_from_u64(7);
        let f: Vec<f64> = (0..3 * n).map(|_| rng.random::<f64>()).collect();
        let view = DenseRef::new(&f, 3, n, 3, "features").unwrap();
        let order = skr_order(&view).unwrap();
        let mut seen = order.clone();
        seen.sort();
        assert_eq!(seen, (0..n).collect::<Vec<_>>());
        assert_eq!(order[0], 0);
        let natural: Vec<usize> = (0..n).collect();
        assert!(path_length(&view, &order) < 0.25 * path_length(&view, &natural));
    }

    #[test]
    fn hilbert_curve_visits_every_cell_once() {
        let mut seen = vec![false; 16];
        for x in 0..4 {
            for y in 0..4 {
                let d = hilbert_index(2, x, y) as usize;
                assert!(!seen[d]);
                seen[d] = true;
            }
        }
        assert!(seen.iter().all(|&s| s));
    }
}

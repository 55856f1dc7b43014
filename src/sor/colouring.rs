//! Greedy colouring of a matrix graph, for the multicolour SOR ordering.
//!
//! Rows `i` and `j` are adjacent when `a_ij` or `a_ji` is stored (the symmetrised pattern), so
//! rows of one colour never read each other's unknowns and can be updated in parallel.

use crate::linalg::CsrMatrix;

/// A colouring: `colour[i]` for every row and the number of colours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Colouring {
    /// The colour of each row, `0..count`.
    pub colour: Vec<usize>,
    /// The number of colours.
    pub count: usize,
}

/// Colours the rows greedily in natural order: each row takes the smallest colour none of its
/// already coloured neighbours has. On a 5-point grid in lexicographic order this is the
/// red-black colouring (2 colours). `a` must be square.
pub fn greedy(a: &CsrMatrix) -> Colouring {
    let n = a.nrows();
    let (rp, ci) = (a.row_ptr(), a.col_idx());
    // The transpose pattern, so that neighbours through a_ji are seen too.
    let mut t_ptr = vec![0usize; n + 1];
    for &c in ci {
        t_ptr[c + 1] += 1;
    }
    for i in 0..n {
        t_ptr[i + 1] += t_ptr[i];
    }
    let mut t_idx = vec![0usize; ci.len()];
    let mut next = t_ptr.clone();
    for i in 0..n {
        for &c in &ci[rp[i]..rp[i + 1]] {
            t_idx[next[c]] = i;
            next[c] += 1;
        }
    }
    let mut colour = vec![usize::MAX; n];
    // stamp[c] == i + 1 marks colour c as taken by a neighbour of row i.
    let mut stamp: Vec<usize> = Vec::new();
    let mut count = 0;
    for i in 0..n {
        let neighbours = ci[rp[i]..rp[i + 1]].iter().chain(&t_idx[t_ptr[i]..t_ptr[i + 1]]);
        for &j in neighbours {
            let c = colour[j];
            if j != i && c != usize::MAX {
                stamp[c] = i + 1;
            }
        }
        let c = (0..count).find(|&c| stamp[c] != i + 1).unwrap_or(count);
        if c == count {
            count += 1;
            stamp.push(0);
        }
        colour[i] = c;
    }
    Colouring { colour, count }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_point_grid_is_red_black_and_proper() {
        let a = crate::problems::poisson2d(7);
        let c = greedy(&a);
        assert_eq!(c.count, 2);
        for i in 0..a.nrows() {
            for &j in &a.col_idx()[a.row_ptr()[i]..a.row_ptr()[i + 1]] {
                assert!(i == j || c.colour[i] != c.colour[j]);
            }
        }
    }

    #[test]
    fn nonsymmetric_patterns_use_both_directions() {
        // a_01 stored, a_10 not: rows 0 and 1 still need different colours.
        let a = CsrMatrix::from_triplets(3, 3, &[(0, 0, 1.0), (0, 1, 1.0), (1, 1, 1.0), (2, 2, 1.0)]).unwrap();
        let c = greedy(&a);
        assert_ne!(c.colour[0], c.colour[1]);
        assert_eq!(c.colour[2], 0);
    }
}

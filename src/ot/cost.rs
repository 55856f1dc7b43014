//! The cost matrix of a transport problem, read one line (row or column) at a time: stored
//! dense, or computed on the fly from two point clouds so that memory stays O((n + m) d).

use crate::error::Error;
use crate::linalg::dense::DenseRef;

/// The ground cost `|x - y|^p` between two points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostExponent {
    /// `p = 1`: the Euclidean distance (Wasserstein-1).
    One,
    /// `p = 2`: the squared Euclidean distance (Wasserstein-2 squared).
    Two,
}

impl CostExponent {
    /// The exponent for `p` (1 or 2).
    pub fn from_p(p: f64) -> Result<Self, Error> {
        if p == 1.0 {
            Ok(CostExponent::One)
        } else if p == 2.0 {
            Ok(CostExponent::Two)
        } else {
            Err(Error::invalid(format!("p = {p} is not supported; the cost exponent must be 1 or 2")))
        }
    }
    /// The exponent as a number.
    pub fn p(self) -> f64 {
        match self {
            CostExponent::One => 1.0,
            CostExponent::Two => 2.0,
        }
    }
}

/// `n x m` costs: a dense matrix kept in both orientations (so that rows and columns are both
/// contiguous), or two point clouds.
#[derive(Debug, Clone)]
pub enum Cost {
    /// A dense matrix: `rows` row-major, `cols` column-major, both `n * m`.
    Dense {
        /// Rows of the cost (source points).
        n: usize,
        /// Columns of the cost (target points).
        m: usize,
        /// Row-major copy.
        rows: Vec<f64>,
        /// Column-major copy.
        cols: Vec<f64>,
    },
    /// Point clouds stored coordinate by coordinate (`x[k * n + i]` is coordinate `k` of point
    /// `i`), so a line of costs is a vectorised loop over the other cloud.
    Points {
        /// Source points.
        n: usize,
        /// Target points.
        m: usize,
        /// Dimension.
        d: usize,
        /// The exponent of the cost.
        p: CostExponent,
        /// Source coordinates, `d * n`.
        x: Vec<f64>,
        /// Target coordinates, `d * m`.
        y: Vec<f64>,
    },
}

/// Which potential a pass updates: `f` (rows, source side) or `g` (columns, target side).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Rows `i < n`: the costs `C[i, ..]`.
    Rows,
    /// Columns `j < m`: the costs `C[.., j]`.
    Cols,
}

impl Side {
    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::Rows => Side::Cols,
            Side::Cols => Side::Rows,
        }
    }
}

impl Cost {
    /// Copies a dense `n x m` cost (column-major with leading dimension `ld`), refusing
    /// non-finite entries.
    pub fn dense(c: DenseRef<'_>) -> Result<Self, Error> {
        let (n, m) = (c.nrows(), c.ncols());
        let mut cols = Vec::new();
        cols.try_reserve_exact(n * m).map_err(|_| alloc_error(n, m))?;
        let mut rows = Vec::new();
        rows.try_reserve_exact(n * m).map_err(|_| alloc_error(n, m))?;
        for j in 0..m {
            let col = c.col(j);
            if let Some(i) = col.iter().position(|v| !v.is_finite()) {
                return Err(Error::NonFinite(format!(
                    "C[{i}, {j}] = {} (0-based) is not finite; every cost must be a finite number",
                    col[i]
                )));
            }
            cols.extend_from_slice(col);
        }
        rows.resize(n * m, 0.0);
        for j in 0..m {
            for i in 0..n {
                rows[i * m + j] = cols[j * n + i];
            }
        }
        Ok(Cost::Dense { n, m, rows, cols })
    }

    /// Copies two point clouds, `x` (`n` points) and `y` (`m` points) in dimension `d`, each
    /// column-major `d x n` with leading dimension `ldx` / `ldy` (point `i` is column `i`, so
    /// a Fortran `x(d, n)` or a C array of `n` structs of `d` doubles passes as it is).
    pub fn points(x: DenseRef<'_>, y: DenseRef<'_>, p: CostExponent) -> Result<Self, Error> {
        let d = x.nrows();
        if y.nrows() != d {
            return Err(Error::dims(format!("x has dimension {d} but y has dimension {}; they must be equal", y.nrows())));
        }
        if d == 0 {
            return Err(Error::invalid("d = 0; points need at least one coordinate"));
        }
        let soa = |c: &DenseRef<'_>, name: &str| -> Result<Vec<f64>, Error> {
            let n = c.ncols();
            let mut out = vec![0.0; d * n];
            for i in 0..n {
                for (k, &v) in c.col(i).iter().enumerate() {
                    if !v.is_finite() {
                        return Err(Error::NonFinite(format!(
                            "coordinate {k} of point {i} (0-based) of {name} is {v}; coordinates must be finite"
                        )));
                    }
                    out[k * n + i] = v;
                }
            }
            Ok(out)
        };
        Ok(Cost::Points { n: x.ncols(), m: y.ncols(), d, p, x: soa(&x, "x")?, y: soa(&y, "y")? })
    }

    /// Number of source points (rows).
    pub fn n(&self) -> usize {
        match self {
            Cost::Dense { n, .. } | Cost::Points { n, .. } => *n,
        }
    }

    /// Number of target points (columns).
    pub fn m(&self) -> usize {
        match self {
            Cost::Dense { m, .. } | Cost::Points { m, .. } => *m,
        }
    }

    /// Length of a line of `side` (the size of the other side).
    pub fn line_len(&self, side: Side) -> usize {
        match side {
            Side::Rows => self.m(),
            Side::Cols => self.n(),
        }
    }

    /// Number of lines of `side`.
    pub fn lines(&self, side: Side) -> usize {
        self.line_len(side.other())
    }

    /// The scratch [`Self::line`] needs for lines of `side`: empty for a stored cost, a line's
    /// length for point clouds.
    pub fn line_buffer(&self, side: Side) -> Vec<f64> {
        match self {
            Cost::Dense { .. } => Vec::new(),
            Cost::Points { .. } => vec![0.0; self.line_len(side)],
        }
    }

    /// Line `k` of `side`: `C[k, ..]` for rows, `C[.., k]` for columns. Dense costs return a
    /// slice of the stored matrix; point clouds compute the line into `buf` (of length at least
    /// the line's) and return it.
    pub fn line<'a>(&'a self, side: Side, k: usize, buf: &'a mut [f64]) -> &'a [f64] {
        match self {
            Cost::Dense { n, m, rows, cols } => match side {
                Side::Rows => &rows[k * m..(k + 1) * m],
                Side::Cols => &cols[k * n..(k + 1) * n],
            },
            Cost::Points { n, m, d, p, x, y } => {
                let (here, here_n, there, len) = match side {
                    Side::Rows => (x, *n, y, *m),
                    Side::Cols => (y, *m, x, *n),
                };
                let out = &mut buf[..len];
                out.iter_mut().for_each(|v| *v = 0.0);
                for c in 0..*d {
                    let xk = here[c * here_n + k];
                    for (o, yv) in out.iter_mut().zip(&there[c * len..(c + 1) * len]) {
                        let t = xk - yv;
                        *o += t * t;
                    }
                }
                if *p == CostExponent::One {
                    out.iter_mut().for_each(|v| *v = v.sqrt());
                }
                out
            }
        }
    }

    /// The single entry `C[i, j]`.
    pub fn entry(&self, i: usize, j: usize) -> f64 {
        match self {
            Cost::Dense { m, rows, .. } => rows[i * m + j],
            Cost::Points { n, m, d, p, x, y } => {
                let s: f64 = (0..*d).map(|c| (x[c * n + i] - y[c * m + j]).powi(2)).sum();
                match p {
                    CostExponent::One => s.sqrt(),
                    CostExponent::Two => s,
                }
            }
        }
    }

    /// Bytes the cost holds (what the solver keeps between a solve and the plan queries).
    pub fn bytes(&self) -> usize {
        8 * match self {
            Cost::Dense { rows, cols, .. } => rows.len() + cols.len(),
            Cost::Points { x, y, .. } => x.len() + y.len(),
        }
    }
}

fn alloc_error(n: usize, m: usize) -> Error {
    Error::Allocation(format!(
        "could not allocate two copies of the {n} x {m} cost ({} MB); pass point clouds to compute costs on the fly",
        16 * n * m / 1_000_000
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_and_point_lines_agree() {
        let x = [0.0, 0.0, 1.0, 0.0, 0.0, 2.0];
        let y = [1.0, 1.0, 3.0, 0.0];
        let pts = Cost::points(DenseRef::new(&x, 2, 3, 2, "x").unwrap(), DenseRef::new(&y, 2, 2, 2, "y").unwrap(), CostExponent::Two).unwrap();
        let mut c = vec![0.0; 6];
        for i in 0..3 {
            for j in 0..2 {
                c[j * 3 + i] = pts.entry(i, j);
            }
        }
        assert_eq!(c, vec![2.0, 1.0, 2.0, 9.0, 4.0, 13.0]);
        let dense = Cost::dense(DenseRef::new(&c, 3, 2, 3, "C").unwrap()).unwrap();
        let mut buf = vec![0.0; 3];
        for side in [Side::Rows, Side::Cols] {
            for k in 0..dense.lines(side) {
                let a = dense.line(side, k, &mut buf).to_vec();
                assert_eq!(pts.line(side, k, &mut buf), &a[..]);
            }
        }
    }
}

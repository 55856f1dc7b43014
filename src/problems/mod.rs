//! Model problems used by the demo, the tests, the examples and the benchmarks: the 2D
//! Poisson and convection-diffusion matrices and the Darcy-flow systems of the neural-operator
//! papers (coefficient from a thresholded Gaussian random field).

use crate::linalg::CsrMatrix;
use rand::{rngs::StdRng, SeedableRng};

pub mod constrained;
pub mod constrained_logistic;
pub mod minimization;
pub mod nonlinear;
pub mod pde_control;

/// Index of grid point `(i, j)` of an `nx x nx` interior grid (row-major, `i` fastest).
fn node(nx: usize, i: usize, j: usize) -> usize {
    i + nx * j
}

/// The 5-point finite-difference operator `-div(a grad u)` on the unit square with zero
/// Dirichlet boundary, `nx x nx` interior points, `h = 1 / (nx + 1)`, scaled by `h^2`
/// (so the constant-coefficient stencil is `[-1, -1, 4, -1, -1]`).
///
/// `face(p, q)` gives the coefficient on the face between nodes `p` and `q` (`q = None` for a
/// boundary face).
fn five_point(nx: usize, mut face: impl FnMut(usize, Option<usize>) -> f64, mut extra: impl FnMut(usize, &mut Vec<(usize, usize, f64)>)) -> CsrMatrix {
    let mut t = Vec::with_capacity(5 * nx * nx);
    for j in 0..nx {
        for i in 0..nx {
            let p = node(nx, i, j);
            let nbrs = [
                (i > 0).then(|| node(nx, i - 1, j)),
                (i + 1 < nx).then(|| node(nx, i + 1, j)),
                (j > 0).then(|| node(nx, i, j - 1)),
                (j + 1 < nx).then(|| node(nx, i, j + 1)),
            ];
            let mut diag = 0.0;
            for q in nbrs {
                let c = face(p, q);
                diag += c;
                if let Some(q) = q {
                    t.push((p, q, -c));
                }
            }
            t.push((p, p, diag));
            extra(p, &mut t);
        }
    }
    CsrMatrix::from_triplets(nx * nx, nx * nx, &t).expect("model problem is well-formed")
}

/// The 2D Poisson matrix (5-point Laplacian, Dirichlet), `nx^2` unknowns, SPD.
///
/// Its eigenvalues are `4 - 2 cos(k pi h) - 2 cos(l pi h)`, `h = 1 / (nx + 1)`.
pub fn poisson2d(nx: usize) -> CsrMatrix {
    five_point(nx, |_, _| 1.0, |_, _| {})
}

/// The 2D convection-diffusion matrix `-Laplace(u) + w . grad(u)` with `w = (peclet, peclet)`,
/// central differences, scaled by `h^2`: nonsymmetric.
pub fn convection_diffusion2d(nx: usize, peclet: f64) -> CsrMatrix {
    let h = 1.0 / (nx as f64 + 1.0);
    let c = 0.5 * peclet * h;
    let base = poisson2d(nx);
    let mut t: Vec<(usize, usize, f64)> = Vec::with_capacity(base.nnz() + 4 * nx * nx);
    for i in 0..base.nrows() {
        for p in base.row_ptr()[i]..base.row_ptr()[i + 1] {
            t.push((i, base.col_idx()[p], base.values()[p]));
        }
    }
    for j in 0..nx {
        for i in 0..nx {
            let p = node(nx, i, j);
            if i + 1 < nx {
                t.push((p, node(nx, i + 1, j), c));
            }
            if i > 0 {
                t.push((p, node(nx, i - 1, j), -c));
            }
            if j + 1 < nx {
                t.push((p, node(nx, i, j + 1), c));
            }
            if j > 0 {
                t.push((p, node(nx, i, j - 1), -c));
            }
        }
    }
    CsrMatrix::from_triplets(nx * nx, nx * nx, &t).expect("model problem is well-formed")
}

/// The Darcy-flow matrix `-div(a grad u)`, `a` given at the `nx x nx` interior nodes
/// (`a[i + nx * j]`, positive), face coefficients by harmonic mean, boundary faces taking the
/// node's own value. SPD.
pub fn darcy2d(nx: usize, a: &[f64]) -> CsrMatrix {
    assert_eq!(a.len(), nx * nx, "darcy2d: coefficient length must be nx^2");
    five_point(
        nx,
        |p, q| match q {
            Some(q) => 2.0 * a[p] * a[q] / (a[p] + a[q]),
            None => a[p],
        },
        |_, _| {},
    )
}

/// A standard normal sample (the one sampler of the crate).
fn normal(rng: &mut StdRng) -> f64 {
    crate::linalg::random::standard_normal(rng)
}

/// A Gaussian random field on the `nx x nx` interior nodes with covariance
/// `(-Laplace + tau^2)^(-alpha)` (Neumann cosine basis, the neural-operator papers' sampler),
/// truncated to `modes x modes` modes. Reproducible for a given `seed`.
pub fn gaussian_random_field(nx: usize, alpha: f64, tau: f64, modes: usize, seed: u64) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    let pi = std::f64::consts::PI;
    let mut coef = vec![0.0; modes * modes];
    for k2 in 0..modes {
        for k1 in 0..modes {
            if k1 + k2 == 0 {
                continue;
            }
            let lam = tau.powf(2.0 * alpha - 2.0) * (pi * pi * ((k1 * k1 + k2 * k2) as f64) + tau * tau).powf(-alpha);
            coef[k1 + modes * k2] = lam.sqrt() * normal(&mut rng);
        }
    }
    let h = 1.0 / (nx as f64 + 1.0);
    let cosines: Vec<f64> = (0..nx)
        .flat_map(|i| (0..modes).map(move |k| (pi * k as f64 * (i as f64 + 1.0) * h).cos()))
        .collect();
    // Separable synthesis: first along k1, then along k2.
    let mut partial = vec![0.0; nx * modes];
    for i in 0..nx {
        for k2 in 0..modes {
            partial[i + nx * k2] = (0..modes).map(|k1| coef[k1 + modes * k2] * cosines[i * modes + k1]).sum();
        }
    }
    let mut u = vec![0.0; nx * nx];
    for j in 0..nx {
        for i in 0..nx {
            u[node(nx, i, j)] = (0..modes).map(|k2| partial[i + nx * k2] * cosines[j * modes + k2]).sum();
        }
    }
    u
}

/// The Darcy coefficient of the FNO / SKR data sets: 12 where the field is >= 0, 3 elsewhere.
pub fn threshold_coefficient(field: &[f64]) -> Vec<f64> {
    field.iter().map(|&v| if v >= 0.0 { 12.0 } else { 3.0 }).collect()
}

/// System `seed` of a Darcy sequence: the matrix for a thresholded GRF coefficient
/// (alpha = 2, tau = 3, as the FNO data sets), right-hand side 1 (returned separately by
/// the caller as needed).
pub fn darcy_system(nx: usize, seed: u64) -> CsrMatrix {
    darcy_system_with_field(nx, 2.0, 3.0, seed)
}

/// System `seed` of a Darcy sequence whose coefficient thresholds a GRF with covariance
/// `(-Laplace + tau^2)^(-alpha)` (the SKR paper uses alpha = 2.5, tau = 7).
pub fn darcy_system_with_field(nx: usize, alpha: f64, tau: f64, seed: u64) -> CsrMatrix {
    let field = gaussian_random_field(nx, alpha, tau, 32.min(nx), seed);
    darcy2d(nx, &threshold_coefficient(&field))
}

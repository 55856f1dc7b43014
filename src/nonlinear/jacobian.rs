//! The Jacobian at a Newton iterate as a [`LinearOperator`], and the host's preconditioner as
//! a [`Preconditioner`], so that the library's own GMRES / GCRO-DR solve the Newton systems.
//! Both share the solve's context (the counters and the oracles) through a `RefCell`.

use super::context::Context;
use crate::error::OracleFailure;
use crate::linalg::{LinearOperator, Par};
use crate::precond::Preconditioner;
use std::cell::RefCell;

/// `J(x)`, applied by the host's product or by finite differences.
pub(crate) struct JacobianOperator<'c, 'm, 'a> {
    pub ctx: &'c RefCell<&'m mut Context<'a>>,
    pub x: &'c [f64],
    pub fx: &'c [f64],
    pub xnorm: f64,
}

impl LinearOperator for JacobianOperator<'_, '_, '_> {
    fn nrows(&self) -> usize {
        self.fx.len()
    }
    fn ncols(&self) -> usize {
        self.x.len()
    }
    fn apply(&mut self, _par: &Par, v: &[f64], jv: &mut [f64]) -> Result<(), OracleFailure> {
        self.ctx.borrow_mut().jacobian_vector(self.x, self.fx, self.xnorm, v, jv)
    }
}

/// `M(x)^{-1}`, the host's preconditioner at the Newton iterate `x`.
pub(crate) struct HostPreconditioner<'c, 'm, 'a> {
    pub ctx: &'c RefCell<&'m mut Context<'a>>,
    pub x: &'c [f64],
}

impl Preconditioner for HostPreconditioner<'_, '_, '_> {
    fn apply(&mut self, _par: &Par, r: &[f64], z: &mut [f64]) -> Result<(), OracleFailure> {
        self.ctx.borrow_mut().precondition(self.x, r, z)
    }
}

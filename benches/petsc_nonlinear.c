/* PETSc side of the `nonlinear` benchmark (benches/nonlinear.rs compiles and runs it).

   Build (the bench does this into target/nks-bench; Debian's libpetsc-real3.18-dev):

       mpicc -O3 benches/petsc_nonlinear.c -o petsc_nonlinear \
           -I$PETSC_DIR/include -L$PETSC_DIR/lib -Wl,-rpath,$PETSC_DIR/lib -lpetsc_real -lm

   Usage (one process, one thread: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1):

       petsc_nonlinear bratu SIDE LAMBDA [PETSc options]
       petsc_nonlinear diffusion SIDE DT STEPS [PETSc options]

   Problems (the formulas of src/problems/nonlinear.rs, operation for operation, so the
   residual values are the same doubles as nksolve's): unknown i + SIDE*j is interior node
   (i+1, j+1) h, h = 1/(SIDE+1), zero Dirichlet boundary.
     bratu      F_p = 4 u_p - h^2 lambda e^{u_p} - sum_{q ~ p} u_q, from PETSc ex5's guess
                u_p = lambda/(lambda+1) sqrt(min(di, dj)), di = min(i+1, SIDE-i) h.
     diffusion  STEPS implicit-Euler steps of u_t = div((1+u^2) grad u) + s from u = 0,
                F_p = (h^2/dt)(u_p - uold_p) - h^2 s_p + sum_q (k_p + k_q)/2 (u_p - u_q),
                k(u) = 1 + u^2, s = 50 sin(pi x) sin(pi y); each step starts from, and uses as
                uold, the previous step's solution. ONE SNES object for all steps.

   Solver: SNES newtonls with -snes_mf (finite-difference Jacobian products, MFFD's default
   'wp' increment), KSP GMRES(30), PC none, line search bt, -snes_rtol 1e-8 -snes_atol 1e-10
   -snes_stol 0 -snes_max_it 100 -ksp_max_it 10000 (set here unless the command line gives them; options
   after the arguments, e.g. -snes_ksp_ew, add to or override these). -snes_max_funcs is
   raised to 1e9: PETSc's default of 10000 residual evaluations counts the matrix-free products
   and would stop the fixed-tolerance runs early (nksolve has no such limit by default), and
   -snes_max_linear_solve_fail to 1e9: PETSc 3.18's GMRES ends an inner solve with
   KSP_DIVERGED_BREAKDOWN when, at a restart, the residual of its recursion differs from the
   recomputed one (finite-difference noise in the matrix-free products does this near the
   solution), and SNES would then stop after the first such solve; with the option it takes the
   partial step, as nksolve does when an inner solve stops short. Such solves are counted
   ("linear_failures").

   Timing: SNESSetFromOptions and SNESSetUp run before the clock; only SNESSolve is timed
   (PetscTime). A run shorter than 0.5 s is repeated (fresh SNES each time) until 2 s have been
   spent or 20 runs, and the fastest is reported; the counts are those of the first run.

   Output: ONE JSON line on stdout:
     {"petsc_version", "problem", "n", "ew", "newton_iterations", "function_evals",
      "callback_evals", "linear_iterations", "linear_failures", "seconds", "fnorm0", "fnorm", "max_step_fnorm",
      "reason", "converged"}
   function_evals: SNESGetNumberFunctionEvals (summed over steps); callback_evals: calls of
   the residual callback counted here (matrix-free products included; should equal the former);
   linear_iterations: SNESGetLinearSolveIterations (summed); fnorm0 / fnorm: ||F||_2 at the start
   and at the returned point of the (last) solve, recomputed after the clock; max_step_fnorm: the
   largest final ||F||_2 over the steps; reason: the worst SNESConvergedReason over the steps.
   Exit status 1 if a solve did not converge. */

#include <math.h>
#include <petscsnes.h>
#include <string.h>

static const char *const DEFAULTS[][2] = {
  {"-snes_type", "newtonls"},       {"-snes_mf", NULL},           {"-ksp_type", "gmres"},    {"-ksp_gmres_restart", "30"},
  {"-pc_type", "none"},             {"-snes_linesearch_type", "bt"}, {"-snes_rtol", "1e-8"}, {"-snes_atol", "1e-10"},
  {"-snes_stol", "0"},              {"-snes_max_it", "100"},      {"-snes_max_funcs", "1000000000"}, {"-ksp_max_it", "10000"},
  {"-snes_max_linear_solve_fail", "1000000000"},
};

typedef struct {
  PetscInt side;
  int diffusion;
  PetscReal lambda, dt;
  const PetscScalar *previous; /* uold (diffusion) */
  PetscScalar *load;           /* h^2 s (diffusion) */
  long long evals;
} Problem;

static PetscErrorCode Residual(SNES snes, Vec X, Vec F, void *ctx) {
  Problem *pb = (Problem *)ctx;
  const PetscScalar *u;
  PetscScalar *f;
  const PetscInt s = pb->side;
  (void)snes;
  PetscFunctionBeginUser;
  pb->evals++;
  PetscCall(VecGetArrayRead(X, &u));
  PetscCall(VecGetArray(F, &f));
  if (!pb->diffusion) {
    const double h2l = pb->lambda / (double)((s + 1) * (s + 1));
    for (PetscInt j = 0; j < s; j++) {
      for (PetscInt i = 0; i < s; i++) {
        const PetscInt p = i + s * j;
        double v = 4.0 * u[p] - h2l * exp(u[p]);
        if (i > 0) v = v - u[p - 1];
        if (i + 1 < s) v = v - u[p + 1];
        if (j > 0) v = v - u[p - s];
        if (j + 1 < s) v = v - u[p + s];
        f[p] = v;
      }
    }
  } else {
    const double h = 1.0 / (double)(s + 1);
    const double mass = isfinite(pb->dt) ? h * h / pb->dt : 0.0;
    const double *uold = pb->previous;
    for (PetscInt j = 0; j < s; j++) {
      for (PetscInt i = 0; i < s; i++) {
        const PetscInt p = i + s * j;
        const double up = u[p], kp = 1.0 + up * up;
        double v = mass * (up - uold[p]) - pb->load[p];
        const int has[4] = {i > 0, i + 1 < s, j > 0, j + 1 < s};
        const PetscInt q[4] = {p - 1, p + 1, p - s, p + s};
        for (int k = 0; k < 4; k++) {
          double uq = 0.0, kq = 1.0; /* boundary: u = 0, k(0) = 1 + 0 * 0 */
          if (has[k]) {
            uq = u[q[k]];
            kq = 1.0 + uq * uq;
          }
          v = v + 0.5 * (kp + kq) * (up - uq);
        }
        f[p] = v;
      }
    }
  }
  PetscCall(VecRestoreArrayRead(X, &u));
  PetscCall(VecRestoreArray(F, &f));
  PetscFunctionReturn(0);
}

static void InitialGuess(const Problem *pb, PetscScalar *u) {
  const PetscInt s = pb->side;
  if (pb->diffusion) {
    for (PetscInt p = 0; p < s * s; p++) u[p] = 0.0;
    return;
  }
  const double h = 1.0 / (double)(s + 1);
  const double scale = pb->lambda / (pb->lambda + 1.0);
  for (PetscInt j = 0; j < s; j++) {
    for (PetscInt i = 0; i < s; i++) {
      const double di = (double)PetscMin(i + 1, s - i) * h;
      const double dj = (double)PetscMin(j + 1, s - j) * h;
      u[i + s * j] = scale * sqrt(PetscMin(di, dj));
    }
  }
}

typedef struct {
  PetscInt newton, funcs, linear, linear_failures;
  long long callback;
  double seconds, fnorm0, fnorm, max_step_fnorm;
  SNESConvergedReason reason;
} Result;

static PetscErrorCode Norm(Problem *pb, Vec u, Vec f, double *norm) {
  long long keep = pb->evals;
  PetscFunctionBeginUser;
  PetscCall(Residual(NULL, u, f, pb));
  PetscCall(VecNorm(f, NORM_2, norm));
  pb->evals = keep;
  PetscFunctionReturn(0);
}

/* One full run (the Bratu solve, or all the time steps) with a fresh SNES. */
static PetscErrorCode RunOnce(Problem *pb, PetscInt steps, Result *r) {
  const PetscInt n = pb->side * pb->side;
  Vec u, f, uold, work;
  SNES snes;
  PetscScalar *a;
  PetscFunctionBeginUser;
  PetscCall(VecCreateSeq(PETSC_COMM_SELF, n, &u));
  PetscCall(VecDuplicate(u, &f));
  PetscCall(VecDuplicate(u, &uold));
  PetscCall(VecDuplicate(u, &work));
  PetscCall(VecGetArray(u, &a));
  InitialGuess(pb, a);
  PetscCall(VecRestoreArray(u, &a));
  PetscCall(VecCopy(u, uold));
  PetscCall(VecGetArrayRead(uold, &pb->previous));

  PetscCall(SNESCreate(PETSC_COMM_SELF, &snes));
  PetscCall(SNESSetFunction(snes, f, Residual, pb));
  PetscCall(SNESSetFromOptions(snes));
  PetscCall(SNESSetSolution(snes, u));
  PetscCall(SNESSetUp(snes));

  memset(r, 0, sizeof *r);
  r->reason = SNES_CONVERGED_FNORM_ABS;
  pb->evals = 0;
  PetscCall(Norm(pb, u, work, &r->fnorm0));
  for (PetscInt step = 0; step < steps; step++) {
    PetscInt its, nf, lits, lfail;
    SNESConvergedReason reason;
    PetscLogDouble t0, t1;
    double fn;
    PetscCall(PetscTime(&t0));
    PetscCall(SNESSolve(snes, NULL, u));
    PetscCall(PetscTime(&t1));
    r->seconds += t1 - t0;
    PetscCall(SNESGetIterationNumber(snes, &its));
    PetscCall(SNESGetNumberFunctionEvals(snes, &nf));
    PetscCall(SNESGetLinearSolveIterations(snes, &lits));
    PetscCall(SNESGetConvergedReason(snes, &reason));
    PetscCall(SNESGetLinearSolveFailures(snes, &lfail));
    r->linear_failures += lfail;
    r->newton += its;
    r->funcs += nf;
    r->linear += lits;
    if (reason <= 0 && r->reason > 0) r->reason = reason;
    PetscCall(Norm(pb, u, work, &fn));
    r->fnorm = fn;
    r->max_step_fnorm = PetscMax(r->max_step_fnorm, fn);
    /* The next step's uold is this step's solution (outside the clock). */
    PetscCall(VecRestoreArrayRead(uold, &pb->previous));
    PetscCall(VecCopy(u, uold));
    PetscCall(VecGetArrayRead(uold, &pb->previous));
  }
  r->callback = pb->evals;
  PetscCall(VecRestoreArrayRead(uold, &pb->previous));
  PetscCall(SNESDestroy(&snes));
  PetscCall(VecDestroy(&u));
  PetscCall(VecDestroy(&f));
  PetscCall(VecDestroy(&uold));
  PetscCall(VecDestroy(&work));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv) {
  Problem pb;
  PetscInt steps = 1;
  Result first, r;
  double best, spent;
  int runs = 1;
  char version[256];
  PetscBool ew = PETSC_FALSE;

  if (argc < 4 || (strcmp(argv[1], "bratu") && strcmp(argv[1], "diffusion")) || (!strcmp(argv[1], "diffusion") && argc < 5)) {
    fprintf(stderr, "usage: %s bratu SIDE LAMBDA | diffusion SIDE DT STEPS  [PETSc options]\n", argv[0]);
    return 2;
  }
  memset(&pb, 0, sizeof pb);
  pb.diffusion = !strcmp(argv[1], "diffusion");
  pb.side = atoi(argv[2]);
  if (pb.diffusion) {
    pb.dt = atof(argv[3]);
    steps = atoi(argv[4]);
  } else {
    pb.lambda = atof(argv[3]);
  }
  if (pb.side < 1 || steps < 1) {
    fprintf(stderr, "SIDE and STEPS must be positive\n");
    return 2;
  }

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  /* The fixed options, unless the command line gives them. */
  for (size_t k = 0; k < sizeof DEFAULTS / sizeof DEFAULTS[0]; k++) {
    PetscBool given;
    PetscCall(PetscOptionsHasName(NULL, NULL, DEFAULTS[k][0], &given));
    if (!given) PetscCall(PetscOptionsSetValue(NULL, DEFAULTS[k][0], DEFAULTS[k][1]));
  }
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-snes_ksp_ew", &ew, NULL));
  PetscCall(PetscGetVersion(version, sizeof version));
  for (size_t k = strlen(version); k > 0 && version[k - 1] == ' '; k--) version[k - 1] = 0;

  if (pb.diffusion) {
    const PetscInt s = pb.side;
    const double h = 1.0 / (double)(s + 1);
    PetscCall(PetscMalloc1(s * s, &pb.load));
    for (PetscInt j = 0; j < s; j++)
      for (PetscInt i = 0; i < s; i++) {
        const double x = (double)(i + 1) * h, y = (double)(j + 1) * h;
        pb.load[i + s * j] = h * h * 50.0 * sin(M_PI * x) * sin(M_PI * y);
      }
  }

  PetscCall(RunOnce(&pb, steps, &first));
  best = spent = first.seconds;
  while (runs < 20 && spent < 2.0 && first.seconds < 0.5) {
    PetscCall(RunOnce(&pb, steps, &r));
    best = PetscMin(best, r.seconds);
    spent += r.seconds;
    runs++;
  }

  printf("{\"petsc_version\": \"%s\", \"problem\": \"%s\", \"n\": %d, \"steps\": %d, \"ew\": %s, \"runs\": %d, "
         "\"newton_iterations\": %d, \"function_evals\": %d, \"callback_evals\": %lld, \"linear_iterations\": %d, \"linear_failures\": %d, "
         "\"seconds\": %.6f, \"fnorm0\": %.6e, \"fnorm\": %.6e, \"max_step_fnorm\": %.6e, \"reason\": %d, \"converged\": %s}\n",
         version, argv[1], (int)(pb.side * pb.side), (int)steps, ew ? "true" : "false", runs, (int)first.newton, (int)first.funcs, first.callback,
         (int)first.linear, (int)first.linear_failures, best, first.fnorm0, first.fnorm, first.max_step_fnorm, (int)first.reason, first.reason > 0 ? "true" : "false");
  PetscCall(PetscFree(pb.load));
  PetscCall(PetscFinalize());
  return first.reason > 0 ? 0 : 1;
}

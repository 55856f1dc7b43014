//! The Julia binding (`bindings/julia/NKSolve`) and its examples (`examples/julia/poisson.jl`,
//! `examples/julia/recycling.jl`, `examples/julia/sor_bandit.jl`, `examples/julia/sinkhorn.jl`,
//! `examples/julia/newton.jl`, `examples/julia/nonlinear.jl`, `examples/julia/constrained.jl`).
//!
//! Julia cannot be installed on the build machines, so the binding is checked statically:
//! `tests/julia_ccall_check.py` parses every `.jl` file with tree-sitter-julia and checks each
//! `ccall`, `@cfunction`, `NKS_*` constant and struct mirror (`KrylovReport` of
//! `nks_krylov_report`, `SorReport` of `nks_sor_report`, `SinkhornReport` of
//! `nks_sinkhorn_report`, `NewtonReport` of `nks_newton_report`, `NonlinearReport` of
//! `nks_nonlinear_report`, `NonlinearStep` of `nks_nonlinear_step`, `ConstrainedReport` of
//! `nks_constrained_report`, `ConstrainedRecord` of `nks_constrained_record`) against
//! `include/nksolve.h`. Where `julia` is on PATH, the examples and the binding's error paths
//! (sequences, saved recycle spaces, the SOR bandit, optimal transport, the Newton minimiser, the
//! nonlinear solver and the constrained solver included) also run against the freshly built
//! library.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn under_ci() -> bool {
    std::env::var("CI").map(|v| v == "true").unwrap_or(false)
}

/// `true` when python3 can import tree_sitter and tree_sitter_julia. When it cannot: FAILS under
/// `CI=true` (the CI script installs them), elsewhere prints why the test skips.
fn have_tree_sitter_julia() -> bool {
    let why = match Command::new("python3").args(["-c", "import tree_sitter, tree_sitter_julia"]).output() {
        Ok(o) if o.status.success() => return true,
        Ok(o) => String::from_utf8_lossy(&o.stderr).trim().to_string(),
        Err(e) => format!("python3 cannot be started: {e}"),
    };
    if under_ci() {
        panic!(
            "the static check of the Julia binding needs python3 with the PyPI packages tree_sitter and \
             tree_sitter_julia under CI=true, and they are missing ({why}); .ci/run must install them"
        );
    }
    eprintln!("SKIP: python3 with tree_sitter and tree_sitter_julia is needed for the static check of the Julia binding ({why})");
    false
}

fn checker() -> PathBuf {
    common::root().join("tests").join("julia_ccall_check.py")
}

/// Runs the checker on `paths` (all of the binding and examples when empty).
fn run_checker(paths: &[&Path]) -> Output {
    let root = common::root();
    let mut cmd = Command::new("python3");
    cmd.arg(checker()).arg("--root").arg(&root).args(paths);
    cmd.output().unwrap_or_else(|e| panic!("could not start {cmd:?}: {e}"))
}

/// The `nks_*` functions `include/nksolve.h` declares, counted without the checker's parser: a
/// prototype is a top-level line (not a comment, preprocessor line or typedef) naming `nks_x(`.
fn header_function_count() -> usize {
    let header = std::fs::read_to_string(common::root().join("include").join("nksolve.h")).unwrap();
    header
        .lines()
        .filter(|l| {
            !l.starts_with(|c: char| c.is_whitespace() || c == '*' || c == '/' || c == '#' || c == '}')
                && !l.starts_with("typedef")
                && l.contains("nks_")
                && l.contains('(')
        })
        .count()
}

/// The structs `include/nksolve.h` declares (`typedef struct { ... } nks_x;`), counted without
/// the checker's parser: each ends with a top-level line `} nks_x;`.
fn header_struct_count() -> usize {
    let header = std::fs::read_to_string(common::root().join("include").join("nksolve.h")).unwrap();
    header.lines().filter(|l| l.starts_with("} nks_") && l.ends_with(';')).count()
}

#[test]
fn julia_binding_matches_the_header_statically() {
    if !have_tree_sitter_julia() {
        return;
    }
    // The real binding: every ccall agrees with the header and every function is wrapped.
    let out = run_checker(&[]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "julia_ccall_check.py found problems:\n{stdout}\n{stderr}");
    let summary = stdout.lines().last().unwrap_or("");
    assert!(summary.starts_with("julia ccall check: "), "unexpected checker output:\n{stdout}");
    assert!(summary.contains(" 0 problems"), "{summary}");
    let n = header_function_count();
    assert!(n >= 28, "only {n} prototypes found in include/nksolve.h");
    assert!(
        summary.contains(&format!(" {n}/{n} header functions")),
        "the binding must wrap all {n} functions of include/nksolve.h: {summary}"
    );
    let structs = header_struct_count();
    assert!(structs >= 2, "only {structs} structs found in include/nksolve.h");
    assert!(
        summary.contains(&format!(" {structs}/{structs} structs")),
        "every struct of include/nksolve.h must have an exact Julia mirror: {summary}"
    );
    assert!(
        summary.contains(" 25 cfunctions"),
        "matvec, preconditioner, monitor and indexed (sequence) matvec trampolines of the Krylov solver, \
         value, gradient, value-gradient, Hessian-vector, preconditioner and monitor trampolines of the Newton \
         minimiser, residual, Jacobian-vector, transposed-Jacobian-vector, preconditioner and monitor \
         trampolines of the nonlinear solver, and objective, gradient, constraints, Jacobian-vector, \
         transposed-Jacobian-vector, Hessian-vector, Jacobian-values, Hessian-values, preconditioner and \
         monitor trampolines of the constrained solver expected: {summary}"
    );
    println!("{summary}");

    // The checker itself: each seeded mistake in a copy of the binding must be reported.
    let source = common::root().join("bindings/julia/NKSolve/src/NKSolve.jl");
    let original = std::fs::read_to_string(&source).unwrap();
    let dir = common::scratch("julia_ccall_check_mutants");
    let mutants: &[(&str, &str, &str, &str)] = &[
        (
            "an argument type dropped",
            "(Ptr{Cvoid}, Cdouble), s, rtol)",
            "(Ptr{Cvoid},), s, rtol)",
            "nks_krylov_set_rtol: 1 argument types but the C prototype has 2 parameters",
        ),
        (
            "a wrong argument type",
            "(Csize_t, Csize_t, Csize_t, Ptr{Int64}, Ptr{Int64},",
            "(Csize_t, Csize_t, Csize_t, Ptr{Int32}, Ptr{Int64},",
            "nks_csr_new: argument 4 (row_ptr) is Ptr{Int32}",
        ),
        (
            "a wrong return type",
            "(:nks_get_num_threads, libnksolve), Csize_t,",
            "(:nks_get_num_threads, libnksolve), Cint,",
            "nks_get_num_threads: return type Cint does not match C size_t",
        ),
        (
            "a 1-tuple without its trailing comma",
            "(Ref{Ptr{Cvoid}},), out)",
            "(Ref{Ptr{Cvoid}}), out)",
            "nks_krylov_new: argument types '(Ref{Ptr{Cvoid}})' are not a tuple",
        ),
        (
            "a function left unwrapped",
            "(:nks_version_string, libnksolve)",
            "(:nks_version_strin, libnksolve)",
            "nks_version_string is declared in include/nksolve.h but no ccall wraps it",
        ),
        (
            "report fields swapped",
            "    matvecs::Csize_t\n    precond_applies::Csize_t\n",
            "    precond_applies::Csize_t\n    matvecs::Csize_t\n",
            "KrylovReport fields (status, termination, iterations, precond_applies, matvecs",
        ),
        (
            "SOR report fields swapped",
            "    arm::Csize_t\n    omega::Cdouble\n",
            "    omega::Cdouble\n    arm::Csize_t\n",
            "SorReport fields (status, termination, omega, arm, iterations",
        ),
        (
            "a SOR report field of the wrong width",
            "    arm::Csize_t\n",
            "    arm::Int32\n",
            "SorReport.arm is Int32 but nks_sor_report.arm is size_t",
        ),
        (
            "a wrong SOR argument type",
            "(Int32, Csize_t, Cdouble, Cdouble, UInt64, Ref{Ptr{Cvoid}})",
            "(Int32, Csize_t, Cdouble, Cdouble, Int64, Ref{Ptr{Cvoid}})",
            "nks_sor_bandit_new: argument 5 (seed) is Int64",
        ),
        (
            "a learner code off",
            "const NKS_SOR_YOUNG = Int32(4)",
            "const NKS_SOR_YOUNG = Int32(3)",
            "NKS_SOR_YOUNG = 3 but include/nksolve.h has 4",
        ),
        (
            "Sinkhorn report fields swapped",
            "    marginal_error::Cdouble\n    transport_cost::Cdouble\n",
            "    transport_cost::Cdouble\n    marginal_error::Cdouble\n",
            "SinkhornReport fields (status, termination, method, iterations, sinkhorn_iterations, newton_iterations, \
             fallback_steps, cg_iterations, hessian_density, transport_cost, marginal_error",
        ),
        (
            "a Sinkhorn report field of the wrong width",
            "    sinkhorn_iterations::Csize_t\n",
            "    sinkhorn_iterations::Int32\n",
            "SinkhornReport.sinkhorn_iterations is Int32 but nks_sinkhorn_report.sinkhorn_iterations is size_t",
        ),
        (
            "a wrong plan index type",
            "(Ptr{Cvoid}, Cdouble, Int32, Ptr{Int64}, Ptr{Int64}, Ptr{Cdouble}, Csize_t)",
            "(Ptr{Cvoid}, Cdouble, Int32, Ptr{Int32}, Ptr{Int64}, Ptr{Cdouble}, Csize_t)",
            "nks_sinkhorn_plan_sparse: argument 4 (rows) is Ptr{Int32}",
        ),
        (
            "a point-cloud argument dropped",
            "Ptr{Cdouble}, Csize_t, Cdouble, Ptr{Cdouble}, Ptr{Cdouble}),",
            "Ptr{Cdouble}, Cdouble, Ptr{Cdouble}, Ptr{Cdouble}),",
            "nks_sinkhorn_solve_points: 12 argument types but the C prototype has 13 parameters",
        ),
        (
            "an OT method code off",
            "const NKS_OT_SNS = Int32(1)",
            "const NKS_OT_SNS = Int32(2)",
            "NKS_OT_SNS = 2 but include/nksolve.h has 1",
        ),
        (
            "Newton report fields swapped",
            "    value_calls::Csize_t\n    gradient_calls::Csize_t\n",
            "    gradient_calls::Csize_t\n    value_calls::Csize_t\n",
            "NewtonReport fields (status, termination, method, iterations, accepted_steps, gradient_calls, value_calls",
        ),
        (
            "a Newton report field of the wrong width",
            "    callback_code::Int32\n    initial_value::Cdouble\n",
            "    callback_code::Csize_t\n    initial_value::Cdouble\n",
            "NewtonReport.callback_code is Csize_t but nks_newton_report.callback_code is int32_t",
        ),
        (
            "a Newton solve argument dropped",
            "(Ptr{Cvoid}, Csize_t, Ptr{Cdouble}),\n                               h.ptr, n, x)",
            "(Ptr{Cvoid}, Ptr{Cdouble}),\n                               h.ptr, n, x)",
            "nks_newton_solve: 2 argument types but the C prototype has 3 parameters",
        ),
        (
            "a Newton method code off",
            "const NKS_NEWTON_LAZY = Int32(2)",
            "const NKS_NEWTON_LAZY = Int32(3)",
            "NKS_NEWTON_LAZY = 3 but include/nksolve.h has 2",
        ),
        (
            "a Newton termination code off",
            "const NKS_TERMINATION_MAX_EVALUATIONS = Int32(12)",
            "const NKS_TERMINATION_MAX_EVALUATIONS = Int32(11)",
            "NKS_TERMINATION_MAX_EVALUATIONS = 11 but include/nksolve.h has 12",
        ),
        (
            "a Hessian-vector trampoline with the preconditioner's argument order",
            "@cfunction(_newton_hessvec_trampoline, Cint, (Ptr{Cdouble}, Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Ptr{Cvoid}))",
            "@cfunction(_newton_hessvec_trampoline, Cint, (Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Ptr{Cdouble}, Ptr{Cvoid}))",
            "no method of _newton_hessvec_trampoline takes these arguments",
        ),
        (
            "Nonlinear report fields swapped",
            "    fd_products::Csize_t\n    jacobian_vector_calls::Csize_t\n",
            "    jacobian_vector_calls::Csize_t\n    fd_products::Csize_t\n",
            "NonlinearReport fields (status, termination, method, iterations, residual_evaluations, \
             jacobian_vector_calls, fd_products",
        ),
        (
            "a nonlinear step field of the wrong width",
            "    recycled_vectors::Csize_t\n    step_length::Cdouble\n",
            "    recycled_vectors::Int32\n    step_length::Cdouble\n",
            "NonlinearStep.recycled_vectors is Int32 but nks_nonlinear_step.recycled_vectors is size_t",
        ),
        (
            "the residual count dropped from set_oracles",
            "(Ptr{Cvoid}, Csize_t, Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}),\n                   h, m, f, jv, jtw,",
            "(Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}),\n                   h, m, f, jv, jtw,",
            "nks_nonlinear_set_oracles: 5 argument types but the C prototype has 6 parameters",
        ),
        (
            "a nonlinear method code off",
            "const NKS_NONLINEAR_LEVENBERG_MARQUARDT = Int32(1)",
            "const NKS_NONLINEAR_LEVENBERG_MARQUARDT = Int32(2)",
            "NKS_NONLINEAR_LEVENBERG_MARQUARDT = 2 but include/nksolve.h has 1",
        ),
        (
            "a J^T w trampoline with a length of the wrong type",
            "function _nonlinear_jactvec_trampoline(x::Ptr{Cdouble}, w::Ptr{Cdouble}, m::Csize_t, jtw::Ptr{Cdouble}, n::Csize_t,",
            "function _nonlinear_jactvec_trampoline(x::Ptr{Cdouble}, w::Ptr{Cdouble}, m::Csize_t, jtw::Ptr{Cdouble}, n::Cint,",
            "no method of _nonlinear_jactvec_trampoline takes these arguments",
        ),
        (
            "Constrained report fields swapped",
            "    jacobian_products::Csize_t\n    jacobian_transpose_products::Csize_t\n",
            "    jacobian_transpose_products::Csize_t\n    jacobian_products::Csize_t\n",
            "ConstrainedReport fields (status, termination, kkt_solver, iterations, inner_iterations, \
             merit_evaluations, penalty_updates, regularized_steps, rejected_steps, failed_evaluations, \
             objective_evaluations, gradient_evaluations, constraint_evaluations, jacobian_transpose_products, \
             jacobian_products",
        ),
        (
            "a constrained record field of the wrong width",
            "    inner_iterations::Csize_t\n    inner_residual::Cdouble\n",
            "    inner_iterations::Int32\n    inner_residual::Cdouble\n",
            "ConstrainedRecord.inner_iterations is Int32 but nks_constrained_record.inner_iterations is size_t",
        ),
        (
            "the multipliers' length dropped from the constrained solve",
            "(Ptr{Cvoid}, Csize_t, Ptr{Cdouble}, Csize_t, Ptr{Cdouble}),\n                                      h.ptr, n, x, m, lambda)",
            "(Ptr{Cvoid}, Csize_t, Ptr{Cdouble}, Ptr{Cdouble}),\n                                      h.ptr, n, x, m, lambda)",
            "nks_constrained_solve: 4 argument types but the C prototype has 5 parameters",
        ),
        (
            "the index base dropped from set_sparse_rows",
            "Ptr{Int64}, Ptr{Int64}, Ptr{Cvoid}, Int32,\n                    Ptr{Cvoid}),",
            "Ptr{Int64}, Ptr{Int64}, Ptr{Cvoid},\n                    Ptr{Cvoid}),",
            "nks_constrained_set_sparse_rows: 9 argument types but the C prototype has 10 parameters",
        ),
        (
            "sparse-row indices of the wrong width",
            "(Ptr{Cvoid}, Csize_t, Ptr{Int64}, Ptr{Int64}, Ptr{Cvoid},",
            "(Ptr{Cvoid}, Csize_t, Ptr{Int32}, Ptr{Int64}, Ptr{Cvoid},",
            "nks_constrained_set_sparse_rows: argument 3 (jacobian_row_ptr) is Ptr{Int32}",
        ),
        (
            "a KKT solver code off",
            "const NKS_KKT_MINRES = Int32(2)",
            "const NKS_KKT_MINRES = Int32(3)",
            "NKS_KKT_MINRES = 3 but include/nksolve.h has 2",
        ),
        (
            "the KKT termination code off",
            "const NKS_TERMINATION_CONVERGED_KKT = Int32(14)",
            "const NKS_TERMINATION_CONVERGED_KKT = Int32(13)",
            "NKS_TERMINATION_CONVERGED_KKT = 13 but include/nksolve.h has 14",
        ),
        (
            "a Hessian-of-the-Lagrangian trampoline with a length of the wrong type",
            "v::Ptr{Cdouble}, n::Csize_t,\n                                         m::Csize_t, hv::Ptr{Cdouble},",
            "v::Ptr{Cdouble}, n::Csize_t,\n                                         m::Cint, hv::Ptr{Cdouble},",
            "no method of _constrained_hessvec_trampoline takes these arguments",
        ),
        (
            "a constrained monitor without the multipliers",
            "(Ptr{ConstrainedReport}, Ptr{Cdouble}, Csize_t, Ptr{Cdouble}, Csize_t, Ptr{Cvoid}))",
            "(Ptr{ConstrainedReport}, Ptr{Cdouble}, Csize_t, Ptr{Cvoid}))",
            "matches no callback typedef of the header",
        ),
        (
            "an enum value off",
            "const NKS_ERR_ABORTED = Int32(-10)",
            "const NKS_ERR_ABORTED = Int32(-11)",
            "NKS_ERR_ABORTED = -11 but include/nksolve.h has -10",
        ),
        (
            "a trampoline signature off",
            "@cfunction(_precond_trampoline, Cint, (Ptr{Cdouble}, Ptr{Cdouble}, Csize_t, Ptr{Cvoid}))",
            "@cfunction(_precond_trampoline, Cint, (Ptr{Cdouble}, Ptr{Cdouble}, Cint, Ptr{Cvoid}))",
            "matches no callback typedef of the header",
        ),
    ];
    for (i, (what, from, to, expected)) in mutants.iter().enumerate() {
        assert!(original.contains(from), "mutant `{what}`: `{from}` no longer occurs in NKSolve.jl; update this test");
        let file = dir.join(format!("mutant{i}.jl"));
        std::fs::write(&file, original.replacen(from, to, 1)).unwrap();
        let out = run_checker(&[&file]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "mutant `{what}`: the checker should fail:\n{stdout}");
        assert!(stdout.contains(expected), "mutant `{what}`: expected `{expected}` in:\n{stdout}");
    }

    // The C library's exp that the nonlinear example calls (to compute the Rust reference's bits)
    // is checked against its C prototype too.
    let example = std::fs::read_to_string(common::root().join("examples/julia/nonlinear.jl")).unwrap();
    let from = "ccall((:exp, LIBM), Cdouble, (Cdouble,), x)";
    assert!(example.contains(from), "`{from}` no longer occurs in examples/julia/nonlinear.jl; update this test");
    let file = dir.join("mutant_libm.jl");
    std::fs::write(&file, example.replacen(from, "ccall((:exp, LIBM), Cdouble, (Cfloat,), x)", 1)).unwrap();
    let out = run_checker(&[&file]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "a C exp taking a Cfloat: the checker should fail:\n{stdout}");
    assert!(stdout.contains("exp: argument 1 is Cfloat but C has double"), "a C exp taking a Cfloat:\n{stdout}");

    // ... and so is the C library's sin of the constrained example.
    let example = std::fs::read_to_string(common::root().join("examples/julia/constrained.jl")).unwrap();
    let from = "ccall((:sin, LIBM), Cdouble, (Cdouble,), x)";
    assert!(example.contains(from), "`{from}` no longer occurs in examples/julia/constrained.jl; update this test");
    let file = dir.join("mutant_libm_sin.jl");
    std::fs::write(&file, example.replacen(from, "ccall((:sin, LIBM), Cfloat, (Cdouble,), x)", 1)).unwrap();
    let out = run_checker(&[&file]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "a C sin returning a Cfloat: the checker should fail:\n{stdout}");
    assert!(stdout.contains("sin: return type Cfloat does not match C double"), "a C sin returning a Cfloat:\n{stdout}");
}

/// `julia`, with the binding on its load path and the fresh library, or `None` (SKIP).
fn julia(depot_name: &str) -> Option<Command> {
    let found = Command::new("sh").args(["-c", "command -v julia"]).output().map(|o| o.status.success()).unwrap_or(false);
    if !found {
        // Julia cannot be installed on these machines, so this is not an error even under CI.
        eprintln!(
            "SKIP: julia is not on PATH (not installable on these machines); the binding is checked \
             statically by julia_ccall_check.py"
        );
        return None;
    }
    let root = common::root();
    let depot = common::scratch(depot_name); // fresh precompile caches: NKSOLVE_LIBRARY is baked in
    let mut cmd = Command::new("julia");
    cmd.current_dir(&root)
        .args(["--startup-file=no", "--history-file=no"])
        // the trailing ':' keeps Julia's default load and depot paths (stdlib) after ours
        .env("JULIA_LOAD_PATH", format!("{}:", root.join("bindings").join("julia").display()))
        .env("JULIA_DEPOT_PATH", format!("{}:", depot.display()))
        .env("NKSOLVE_LIBRARY", common::lib_dir().join("libnksolve.so"));
    Some(cmd)
}

#[test]
fn julia_poisson_example_matches_the_rust_core() {
    let Some(mut cmd) = julia("julia_poisson_depot") else { return };
    cmd.arg(common::root().join("examples").join("julia").join("poisson.jl"));
    let out = common::run_ok(&mut cmd);
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    common::check_poisson_output("Julia", &stdout);
}

#[test]
fn julia_recycling_example_matches_the_rust_core() {
    let Some(mut cmd) = julia("julia_recycling_depot") else { return };
    cmd.arg(common::root().join("examples").join("julia").join("recycling.jl"));
    let out = common::run_ok(&mut cmd);
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    common::check_recycling_output("Julia", &stdout);
}

#[test]
fn julia_sor_bandit_example_matches_the_rust_core() {
    let Some(mut cmd) = julia("julia_sor_bandit_depot") else { return };
    cmd.arg(common::root().join("examples").join("julia").join("sor_bandit.jl"));
    let out = common::run_ok(&mut cmd);
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    common::check_sor_bandit_output("Julia", &stdout);
}

#[test]
fn julia_sinkhorn_example_matches_the_rust_core() {
    let Some(mut cmd) = julia("julia_sinkhorn_depot") else { return };
    cmd.arg(common::root().join("examples").join("julia").join("sinkhorn.jl"));
    let out = common::run_ok(&mut cmd);
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    common::check_sinkhorn_output("Julia", &stdout);
}

#[test]
fn julia_newton_example_matches_the_rust_core() {
    let Some(mut cmd) = julia("julia_newton_depot") else { return };
    cmd.arg(common::root().join("examples").join("julia").join("newton.jl"));
    let out = common::run_ok(&mut cmd);
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    common::check_newton_output("Julia", &stdout);
}

#[test]
fn julia_nonlinear_example_matches_the_rust_core() {
    let Some(mut cmd) = julia("julia_nonlinear_depot") else { return };
    cmd.arg(common::root().join("examples").join("julia").join("nonlinear.jl"));
    let out = common::run_ok(&mut cmd);
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    common::check_nonlinear_output("Julia", &stdout);
}

#[test]
fn julia_constrained_example_matches_the_rust_core() {
    let Some(mut cmd) = julia("julia_constrained_depot") else { return };
    cmd.arg(common::root().join("examples").join("julia").join("constrained.jl"));
    let out = common::run_ok(&mut cmd);
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    common::check_constrained_output("Julia", &stdout);
}

/// The binding's failure paths, run where Julia exists: library errors carry status and message,
/// exceptions thrown by Julia callbacks come back out of `solve!`, a monitor can stop a solve;
/// and the sequence / recycling wrappers: results against single solves, 1-based orders, saved
/// spaces that resume exactly, corrupted buffers refused with the library's message; and the SOR
/// bandit: a solve checked by its true residual, errors with the library's message, 1-based arms
/// through choose! / observe!, saved learners (bytes and file) that resume exactly; and optimal
/// transport: the plan against the potentials and the marginals, dense and point-cloud modes and
/// their layouts, 1-based sparse plans, warm starts, iteration caps, bad input; and the Newton
/// minimiser: the report layout, options, oracle counts, Julia exceptions and `CannotEvaluate`
/// from the oracles, the monitor (stopping, misbehaving, re-entering), the combined oracle, a
/// preconditioner, the methods and limits, `last_point` after an aborted solve; and the nonlinear
/// solver: the report and step layouts, options (symbols for the method and the inner solver),
/// the refusals (no oracles, no residual, `m ≠ n` for Newton-Krylov, Levenberg-Marquardt without
/// `Jᵀ w`), counts and step records, the recycle space carried between solves until cleared,
/// Julia exceptions and `CannotEvaluate` from the oracles, the monitor, a preconditioner, the
/// iteration limit, and Levenberg-Marquardt on square and overdetermined systems; and the
/// constrained solver: the report and record layouts, options (symbols for the inner solver), the
/// refusals (no oracles, a missing oracle, `m < 1`, sparse rows before the oracles or of the wrong
/// lengths or malformed, Kaczmarz without sparse rows, `λ` of the wrong length, overlapping `x`
/// and `λ`), each inner solver (Kaczmarz on 1-based sparse rows) with the oracle counts and
/// records, `last_point` / `last_multipliers`, Julia exceptions and `CannotEvaluate` from the
/// oracles, the monitor, a preconditioner, the iteration limit and bad input.
const ERROR_PATHS_JL: &str = r#"
using NKSolve, Test

struct Boom <: Exception end

const n = 50
"1D Laplacian (2 on the diagonal, -1 beside it): the exact solution of A x = 1 is x_i = i (n + 1 - i) / 2."
function lap!(y, x)
    for i in 1:n
        v = 2.0 * x[i]
        i > 1 && (v -= x[i-1])
        i < n && (v -= x[i+1])
        y[i] = v
    end
    return nothing
end

@testset "NKSolve binding" begin
    b = ones(n)

    err = try
        CSR(2, 2, [1, 2, 3], [1, 5], [1.0, 1.0])
        nothing
    catch e
        e
    end
    @test err isa NKSolveError
    @test err.status == NKSolve.NKS_ERR_INVALID_ARGUMENT
    @test occursin("out of range", err.message)

    # colval/nzval longer than rowptr declares: their length goes to the library as nnz, which
    # refuses it naming both counts; shorter or unequal arrays are caught in Julia.
    err = try CSR([1, 3, 5], [1, 2, 1, 2, 1], [2.0, -1.0, -1.0, 2.0, 0.0]); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_DIMENSION_MISMATCH
    @test occursin("= 4 but nnz = 5", err.message)
    @test_throws DimensionMismatch CSR([1, 3, 5], [1, 2, 1], [2.0, -1.0, -1.0])
    @test_throws DimensionMismatch CSR([1, 3, 5], [1, 2, 1, 2], [2.0, -1.0, -1.0])

    A = CSR([1, 3, 5], [1, 2, 1, 2], [2.0, -1.0, -1.0, 2.0])
    @test size(A) == (2, 2)
    @test NKSolve.nnz(A) == 4
    @test A * [1.0, 1.0] == [1.0, 1.0]

    s = KrylovSolver(method = :cg, rtol = 1e-10)
    set_operator!(s, n, lap!)
    x = zeros(n)
    @test solve!(s, x, b) == NKSolve.NKS_OK
    @test report(s).iterations == 25
    @test converged(report(s))
    @test isapprox(x, [i * (n + 1 - i) / 2 for i in 1:n]; rtol = 1e-8)

    set_operator!(s, n, (y, x) -> throw(Boom()))
    x = fill(7.0, n)
    @test_throws Boom solve!(s, x, b)
    @test all(==(7.0), x)
    @test report(s).termination == NKSolve.NKS_TERMINATION_CALLBACK_FAILED

    set_operator!(s, n, lap!)
    seen = Int[]
    set_monitor!(s, r -> (push!(seen, Int(r.iterations)); r.iterations < 3))
    err = try solve!(s, x, b); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_ABORTED
    @test seen == [1, 2, 3]
    @test all(==(7.0), x)
    set_monitor!(s, r -> error("monitor failed"))
    @test_throws ErrorException solve!(s, x, b)
    set_monitor!(s, nothing)

    set_operator!(s, n, (y, x) -> (report(s); lap!(y, x)))
    @test_throws ArgumentError solve!(s, x, b)
    set_operator!(s, n, lap!)

    set_max_iterations!(s, 5)
    @test solve!(s, x, b) == NKSolve.NKS_MAX_ITERATIONS
    @test report(s).iterations == 5

    @test_throws NKSolveError set_option!(s, "bogus", 1.0)
    # get_option reads back what the setters stored, in set_option!'s encoding.
    @test get_option(s, "max_iterations") == 5.0
    @test get_option(s, "method") == 0.0            # :cg, from the constructor
    @test get_option(s, "rtol") == 1e-10
    @test get_option(s, "max_seconds") == Inf
    set_option!(s, "reorthogonalization", 2)
    @test get_option(s, "reorthogonalization") == 2.0
    err = try get_option(s, "bogus"); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_UNKNOWN_OPTION
    @test occursin("max_iterations", err.message)
    @test_throws ArgumentError set_method!(s, :bicgstab)
    free!(s)
    @test_throws NKSolveError set_rtol!(s, 1e-6)
end

# 1-based CSR arrays of the n × n matrix tridiag(-1, d, -1 + c) (nonsymmetric for c != 0).
function tridiag(d, c)
    rowptr, colval, nzval = Int64[1], Int64[], Float64[]
    for i in 1:n
        i > 1 && (push!(colval, i - 1); push!(nzval, -1.0))
        push!(colval, i); push!(nzval, d)
        i < n && (push!(colval, i + 1); push!(nzval, -1.0 + c))
        push!(rowptr, length(colval) + 1)
    end
    return CSR(rowptr, colval, nzval)
end

norm2(v) = sqrt(sum(abs2, v))

@testset "NKSolve sequences and recycling" begin
    @test sizeof(KrylovReport) == 120
    shifts = [0.3, 0.05, 0.42, 0.2]            # SKR: 0.3 -> 0.2 -> 0.05 -> 0.42
    mats = [tridiag(2.0 + d, 0.2) for d in shifts]
    B = hcat([fill(Float64(k), n) for k in 1:4]...)
    new_gcrodr() = KrylovSolver(method = :gcrodr, rtol = 1e-10, restart = 10, recycle_dim = 4)

    @test skr_order(shifts) == [1, 4, 2, 3]     # 1-based
    @test skr_order(reshape(shifts, 1, :)) == [1, 4, 2, 3]

    s = new_gcrodr()
    X = zeros(n, 4)
    status, order, reports = solve_sequence!(s, X, mats, B; features = shifts)
    @test status == NKSolve.NKS_OK
    @test order == [1, 4, 2, 3]
    @test length(reports) == 4 && all(converged, reports)
    @test reports[1].recycle_initial_dim == 0 && reports[1].recycle_final_dim == 4
    @test reports[order[2]].recycle_initial_dim == 4 && reports[order[2]].recycle_rebuilt == 1
    @test all((r.recycle_rebuilt == 1) == (r.recycle_initial_dim > 0) for r in reports)
    single = KrylovSolver(method = :gmres, rtol = 1e-12, restart = 50)
    for i in 1:4
        @test norm2(mats[i] * X[:, i] .- B[:, i]) <= 1e-10 * norm2(B[:, i]) * 1.01
        set_operator!(single, mats[i])
        x = zeros(n)
        solve!(single, x, B[:, i])
        @test isapprox(X[:, i], x; rtol = 1e-8)
    end

    # Matrix-free: f!(y, x, i) with the 1-based system index; natural order without features.
    seen = Int[]
    X2 = zeros(n, 4)
    status, order2, _ = solve_sequence!(new_gcrodr(), X2, (y, x, i) -> (push!(seen, i); matvec!(y, mats[i], x)), B)
    @test status == NKSolve.NKS_OK && order2 == [1, 2, 3, 4]
    @test sort(unique(seen)) == [1, 2, 3, 4]
    @test isapprox(X2, X; rtol = 1e-8)
    @test_throws Boom solve_sequence!(new_gcrodr(), X2, (y, x, i) -> throw(Boom()), B)
    @test_throws DimensionMismatch solve_sequence!(s, zeros(n, 3), mats, B)
    @test_throws DimensionMismatch solve_sequence!(s, X, mats[1:3], B)
    @test_throws DimensionMismatch solve_sequence!(s, X, mats, B; features = shifts[1:3])
    @test_throws ArgumentError solve_sequence!(s, X, Any[mats...], B)

    # A saved space resumes exactly, from bytes and from a file.
    bytes = save_recycled(s)
    @test bytes isa Vector{UInt8} && !isempty(bytes)
    path = joinpath(mktempdir(), "space.nks")
    save_recycled_file(s, path)
    @test read(path) == bytes
    from_bytes = load_recycled!(new_gcrodr(), bytes)
    from_file = load_recycled_file!(new_gcrodr(), path)
    first_system_iterations(t) = (set_operator!(t, mats[1]); solve!(t, zeros(n), B[:, 1]); Int(report(t).iterations))
    k = first_system_iterations(s)
    @test first_system_iterations(from_bytes) == k
    @test first_system_iterations(from_file) == k
    @test first_system_iterations(new_gcrodr()) > k

    # Corrupted or foreign buffers are refused with the library's reason; nothing changes.
    corrupted = copy(bytes)
    corrupted[end ÷ 2] ⊻= 0xff
    fresh = new_gcrodr()
    for bad in (corrupted, bytes[1:end-9], UInt8[1, 2, 3])
        err = try load_recycled!(fresh, bad); nothing catch e; e end
        @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_ARGUMENT
        @test err.func == "nks_krylov_load_recycled" && !isempty(err.message)
    end
    set_operator!(fresh, mats[1])
    solve!(fresh, zeros(n), B[:, 1])
    @test report(fresh).recycle_initial_dim == 0
    err = try load_recycled_file!(fresh, joinpath(mktempdir(), "missing.nks")); nothing catch e; e end
    @test err isa NKSolveError && occursin("missing.nks", err.message)

    # clear_recycled! forgets the space; operator_changed! re-fits it at the next solve.
    clear_recycled!(s)
    set_operator!(s, mats[2])
    solve!(s, zeros(n), B[:, 2])
    @test report(s).recycle_initial_dim == 0
    operator_changed!(s)
    solve!(s, zeros(n), B[:, 2])
    @test report(s).recycle_rebuilt == 1 && converged(report(s))
end

@testset "NKSolve SOR bandit" begin
    @test sizeof(SorReport) == 64
    @test fieldoffset(SorReport, 3) == 8 && fieldoffset(SorReport, 9) == 56   # arm, seconds
    A = tridiag(2.5, 0.0)                       # symmetric, diagonally dominant
    b = ones(n)
    h = SorBandit(:chebcb, 8, 1.0, 1.9; seed = 11, context_min = 0.0, context_max = 1.0, tol = 1e-10)
    @test NKSolve.num_arms(h) == 8 && get_option(h, "learner") == NKSolve.NKS_SOR_CHEBCB
    @test report(h).termination == NKSolve.NKS_TERMINATION_NOT_STARTED && report(h).arm == 0

    # A solve, checked by recomputing its true residual; arms are 1-based.
    x = zeros(n)
    @test solve!(h, x, A, b, 0.5) == NKSolve.NKS_OK
    r = report(h)
    @test converged(r) && 1 <= r.arm <= 8 && r.cost == r.iterations > 0
    @test r.omega ≈ 1.0 + 0.9 * (Int(r.arm) - 1) / 7
    @test norm2(b .- A * x) <= 1e-10 * r.initial_residual_norm * 1.01
    @test isapprox(r.residual_norm, norm2(b .- A * x); rtol = 1e-6)
    set_option!(h, "method", 1)                 # SSOR-PCG
    x2 = zeros(n)
    @test solve!(h, x2, A, b, 0.5) == NKSolve.NKS_OK
    @test isapprox(x2, x; rtol = 1e-8)
    set_option!(h, "method", 0)

    # Errors carry the library's status and message.
    err = try set_option!(h, "tolerance", 1e-6); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_UNKNOWN_OPTION
    @test err.func == "nks_sor_bandit_set_option" && occursin("max_iterations", err.message)
    p5 = fill(-1.0, 5)
    err = try probabilities!(p5, h, 0.5); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_DIMENSION_MISMATCH
    @test occursin("num_arms = 8", err.message) && all(==(-1.0), p5)
    err = try solve!(h, zeros(n - 1), A, ones(n - 1), 0.5); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_DIMENSION_MISMATCH
    @test_throws DimensionMismatch solve!(h, zeros(n), A, ones(n - 1), 0.5)
    @test_throws ArgumentError SorBandit(:sor, 4, 1.0, 1.5)
    err = try SorBandit(:fixed, 3, 1.5, 1.5); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_ARGUMENT

    # choose! / observe! round trip: a fixed learner always chooses its omega, as arm 1.
    f = SorBandit(:fixed, 1, 1.5, 1.5)
    @test choose!(f, 0.3) == (1, 1.5)
    @test observe!(f, 1, 0.3, 10.0) === f
    @test probabilities(f, 0.3) == [1.0]
    err = try observe!(f, 2, 0.3, 10.0); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_ARGUMENT
    @test_throws ArgumentError observe!(f, 0, 0.3, 10.0)

    # Saved learners resume exactly, from bytes and from a file.
    p = probabilities(h, 0.25)
    @test length(p) == 8 && isapprox(sum(p), 1.0; rtol = 1e-12)
    bytes = save_bandit(h)
    @test bytes isa Vector{UInt8} && !isempty(bytes)
    path = joinpath(mktempdir(), "bandit.nks")
    save_bandit_file(h, path)
    @test read(path) == bytes
    restored = (load_bandit(bytes), load_bandit_file(path))
    for g in restored
        @test NKSolve.num_arms(g) == 8 && get_option(g, "tol") == 1e-10
        @test probabilities(g, 0.25) == p
    end
    want = [choose!(h, 0.4) for _ in 1:5]
    for g in restored
        @test [choose!(g, 0.4) for _ in 1:5] == want
    end

    # Corrupted or foreign buffers are refused with the library's reason.
    corrupted = copy(bytes)
    corrupted[end ÷ 2] ⊻= 0xff
    for bad in (corrupted, bytes[1:end-5], UInt8[1, 2, 3])
        err = try load_bandit(bad); nothing catch e; e end
        @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_ARGUMENT
        @test err.func == "nks_sor_bandit_load" && !isempty(err.message)
    end
    err = try load_bandit_file(joinpath(mktempdir(), "missing.nks")); nothing catch e; e end
    @test err isa NKSolveError && occursin("missing.nks", err.message)
    free!(h)
    @test_throws NKSolveError choose!(h, 0.5)
end

@testset "NKSolve Sinkhorn" begin
    @test sizeof(SinkhornReport) == 112
    @test fieldoffset(SinkhornReport, 4) == 16 && fieldoffset(SinkhornReport, 15) == 104   # iterations, seconds
    nx, ny = 40, 30
    # Deterministic clouds (d = 2, one point per column) and positive weights of mass 1.
    x = [0.5 + 0.5 * sin(1.3 * i + 0.7 * k) for k in 1:2, i in 1:nx]
    y = [0.7 + 0.5 * cos(0.9 * j + 1.1 * k) for k in 1:2, j in 1:ny]
    a = [1.0 + 0.5 * sin(i) for i in 1:nx]; a ./= sum(a)
    b = [1.0 + 0.5 * cos(j) for j in 1:ny]; b ./= sum(b)
    C = [sum((x[:, i] .- y[:, j]) .^ 2) for i in 1:nx, j in 1:ny]
    reg = 0.05

    s = Sinkhorn(eps = reg, tol = 1e-11)
    @test get_option(s, "method") == NKSolve.NKS_OT_SINKHORN && get_option(s, "eps") == reg
    @test report(s).termination == NKSolve.NKS_TERMINATION_NOT_STARTED
    err = try plan_dense(s); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_STATE
    f, g = zeros(nx), zeros(ny)
    @test solve_dense!(s, a, b, C, f, g) == NKSolve.NKS_OK
    r = report(s)
    @test converged(r) && r.method == NKSolve.NKS_OT_SINKHORN && r.iterations == r.sinkhorn_iterations
    P = plan_dense(s)
    @test size(P) == (nx, ny)
    Q = [a[i] * b[j] * exp((f[i] + g[j] - C[i, j]) / reg) for i in 1:nx, j in 1:ny]
    @test maximum(abs.(P .- Q)) <= 1e-12 * maximum(P)
    @test sum(abs.(vec(sum(P; dims = 2)) .- a)) + sum(abs.(vec(sum(P; dims = 1)) .- b)) <= 1e-11 * 1.001
    @test isapprox(r.transport_cost, sum(C .* P); rtol = 1e-12)
    @test isapprox(r.regularized_cost, sum(a .* f) + sum(b .* g); rtol = 1e-9)

    # Point clouds (p = 2) agree with the dense cost; a column-major view passes as it is.
    fp, gp = zeros(nx), zeros(ny)
    @test solve_points!(s, a, b, x, y, 2, fp, gp) == NKSolve.NKS_OK
    @test isapprox(report(s).transport_cost, r.transport_cost; rtol = 1e-10)
    @test maximum(abs.(plan_dense(s) .- P)) <= 1e-10 * maximum(P)
    X = zeros(3, nx); X[2:3, :] .= x
    fv, gv = zeros(nx), zeros(ny)
    solve_points!(s, a, b, view(X, 2:3, :), y, 2, fv, gv)
    @test fv == fp && gv == gp
    big = zeros(nx + 5, ny); big[3:nx+2, :] .= C
    solve_dense!(s, a, b, view(big, 3:nx+2, :), fv, gv)
    @test fv == f && gv == g
    solve_dense!(s, a, b, transpose(permutedims(C)), fv, gv)     # not strided: copied
    @test fv == f && gv == g

    # SNS, sparse plans with 1-based indices, plan_dense! into a view.
    set_option!(s, "method", :sns)
    set_option!(s, "newton_warmup", 3)
    @test solve_points!(s, a, b, x, y, 2, fp, gp) == NKSolve.NKS_OK
    rs = report(s)
    @test rs.method == NKSolve.NKS_OT_SNS && rs.newton_iterations > 0
    @test isapprox(rs.transport_cost, r.transport_cost; rtol = 1e-8)
    Ps = plan_dense(s)
    rows, cols, vals = plan_sparse(s, 1e-3)
    @test length(vals) == count(>=(1e-3), Ps) == NKSolve.plan_nnz(s, 1e-3)
    @test minimum(rows) >= 1 && maximum(rows) <= nx && minimum(cols) >= 1 && maximum(cols) <= ny
    @test all(Ps[rows[k], cols[k]] == vals[k] for k in eachindex(vals))
    W = fill(-1.0, nx + 2, ny)
    plan_dense!(view(W, 2:nx+1, :), s)
    @test W[2:nx+1, :] == Ps && all(==(-1.0), W[1, :]) && all(==(-1.0), W[nx+2, :])
    err = try plan_dense!(zeros(ny, nx), s); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_DIMENSION_MISMATCH
    err = try plan_sparse(s, -1.0); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_ARGUMENT

    # p = 1 and d = 1 from vectors; warm starts; an iteration cap returns the last potentials.
    set_option!(s, "method", :sinkhorn)
    f1, g1 = zeros(nx), zeros(ny)
    @test solve_points!(s, a, b, x[1, :], y[1, :], 1, f1, g1) == NKSolve.NKS_OK
    c1 = report(s).transport_cost
    solve_dense!(s, a, b, [abs(x[1, i] - y[1, j]) for i in 1:nx, j in 1:ny], f1, g1)
    @test isapprox(report(s).transport_cost, c1; rtol = 1e-10)
    solve_dense!(s, a, b, C, f, g)
    set_option!(s, "use_initial_guess", 1)
    @test solve_dense!(s, a, b, C, f, g) == NKSolve.NKS_OK && report(s).iterations <= 1
    set_option!(s, "use_initial_guess", 0)
    set_option!(s, "max_iterations", 5)
    @test solve_dense!(s, a, b, C, f, g) == NKSolve.NKS_MAX_ITERATIONS
    @test !converged(report(s)) && report(s).iterations == 5
    set_option!(s, "max_iterations", 100000)

    # Bad input: the library's status and message, nothing solved, the last problem kept.
    solve_dense!(s, a, b, C, f, g)
    kept = report(s)
    neg = copy(a); neg[1] = -neg[1]
    err = try solve_dense!(s, neg, b, C, f, g); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_ARGUMENT && occursin("negative", err.message)
    @test err.func == "nks_sinkhorn_solve_dense"
    err = try solve_dense!(s, a, 2 .* b, C, f, g); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_ARGUMENT && occursin("masses", err.message)
    bad = copy(C); bad[2, 3] = NaN
    err = try solve_dense!(s, a, b, bad, f, g); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_NON_FINITE
    err = try solve_points!(s, a, b, x, y, 3, f, g); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_ARGUMENT
    @test_throws DimensionMismatch solve_dense!(s, a, b, permutedims(C), f, g)
    @test_throws DimensionMismatch solve_points!(s, a, b, x, vcat(y, y), 2, f, g)
    @test_throws DimensionMismatch solve_points!(s, a, b, x, y, 2, zeros(nx - 1), g)
    @test report(s) == kept && size(plan_dense(s)) == (nx, ny)
    err = try set_option!(s, "epsilon", 0.1); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_UNKNOWN_OPTION && occursin("eps_scaling", err.message)
    @test_throws ArgumentError set_option!(s, "method", :newton)
    @test_throws ArgumentError Sinkhorn(method = :newton)
    free!(s)
    @test_throws NKSolveError get_option(s, "eps")
end

@testset "NKSolve Newton" begin
    @test sizeof(NewtonReport) == 168
    @test fieldoffset(NewtonReport, 4) == 16 && fieldoffset(NewtonReport, 15) == 104   # iterations, callback_code
    @test fieldoffset(NewtonReport, 16) == 112 && fieldoffset(NewtonReport, 22) == 160  # initial_value, seconds
    nn = 6
    start = [isodd(i) ? -1.2 : 1.0 for i in 1:nn]          # extended Rosenbrock, f(start) = 72.6
    calls = Dict(:value => 0, :gradient => 0, :hessvec => 0)
    function rosen(x)
        calls[:value] += 1
        f = 0.0
        for k in 1:2:length(x)
            f += 100.0 * (x[k+1] - x[k]^2)^2 + (1.0 - x[k])^2
        end
        return f
    end
    function rosen_grad!(g, x)
        calls[:gradient] += 1
        for k in 1:2:length(x)
            g[k] = -400.0 * x[k] * (x[k+1] - x[k]^2) - 2.0 * (1.0 - x[k])
            g[k+1] = 200.0 * (x[k+1] - x[k]^2)
        end
        return nothing
    end
    function rosen_hv!(hv, x, v)
        calls[:hessvec] += 1
        for k in 1:2:length(x)
            hv[k] = (1200.0 * x[k]^2 - 400.0 * x[k+1] + 2.0) * v[k] - 400.0 * x[k] * v[k+1]
            hv[k+1] = -400.0 * x[k] * v[k] + 200.0 * v[k+1]
        end
        return nothing
    end

    # Options, and what a minimiser without oracles or solves refuses.
    h = Newton()
    @test get_option(h, "gatol") == 1e-8 && get_option(h, "method") == NKSolve.NKS_NEWTON_TRUST_REGION
    @test report(h).termination == NKSolve.NKS_TERMINATION_NOT_STARTED
    x = copy(start)
    err = try solve!(h, x); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_STATE && x == start
    @test err.func == "nks_newton_solve" && occursin("nks_newton_set_oracles", err.message)
    err = try last_point(h); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_STATE
    err = try set_option!(h, "tolerance", 1e-6); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_UNKNOWN_OPTION && occursin("gatol", err.message)
    err = try set_option!(h, "gatol", -1.0); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_ARGUMENT && get_option(h, "gatol") == 1e-8
    @test_throws ArgumentError set_option!(h, "method", :bfgs)
    @test_throws ArgumentError Newton(method = :bfgs)
    @test get_option(Newton(method = :lazy, lazy_period = 3), "lazy_period") == 3.0
    err = try set_oracles!(h, rosen, rosen_grad!, nothing); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_NULL_POINTER && occursin("hessian_vector", err.message)

    # A solve that converges; the report counts the calls the oracles saw.
    set_oracles!(h, rosen, rosen_grad!, rosen_hv!)
    @test solve!(h, x) == NKSolve.NKS_OK
    r = report(h)
    @test converged(r) && r.termination == NKSolve.NKS_TERMINATION_CONVERGED_ATOL && r.gradient_norm <= 1e-8
    @test maximum(abs.(x .- 1.0)) <= 1e-6 && isapprox(r.initial_value, 72.6; rtol = 1e-14)
    @test r.value_calls == calls[:value] && r.gradient_calls == calls[:gradient] && r.hessian_vector_calls == calls[:hessvec]
    @test r.value_gradient_calls == 0 && r.method == NKSolve.NKS_NEWTON_TRUST_REGION
    @test last_point(h) == x
    err = try last_point!(zeros(nn - 1), h); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_DIMENSION_MISMATCH

    # A Julia exception in an oracle: the trampoline returns -1, solve! rethrows it, x untouched,
    # and the last accepted point stays readable.
    k = Ref(0)
    set_oracles!(h, y -> (k[] += 1; k[] == 3 && throw(Boom()); rosen(y)), rosen_grad!, rosen_hv!)
    x = copy(start)
    @test_throws Boom solve!(h, x)
    @test x == start
    r = report(h)
    @test r.termination == NKSolve.NKS_TERMINATION_CALLBACK_FAILED && r.callback_code == -1 && k[] == 3
    @test length(last_point(h)) == nn && all(isfinite, last_point(h))
    set_oracles!(h, rosen, rosen_grad!, rosen_hv!)
    @test solve!(h, copy(start)) == NKSolve.NKS_OK         # the exception is not kept
    set_oracles!(h, rosen, (g, y) -> error("gradient failed"), rosen_hv!)
    @test_throws ErrorException solve!(h, x)

    # CannotEvaluate: at the start it stops the solve with its code; later the step shrinks.
    set_oracles!(h, y -> throw(CannotEvaluate(2)), rosen_grad!, rosen_hv!)
    err = try solve!(h, x); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_CALLBACK && report(h).callback_code == 2
    @test x == start
    @test_throws ArgumentError CannotEvaluate(0)
    k[] = 0
    set_oracles!(h, y -> (k[] += 1; k[] == 4 && throw(CannotEvaluate()); rosen(y)), rosen_grad!, rosen_hv!)
    @test solve!(h, x) == NKSolve.NKS_OK && report(h).failed_evaluations == 1

    # The monitor: sees the running report and the point; false stops the solve; it cannot use h.
    set_oracles!(h, rosen, rosen_grad!, rosen_hv!)
    seen = Int[]
    set_monitor!(h, (rep, y) -> (push!(seen, Int(rep.iterations)); length(y) == nn && rep.iterations < 3))
    x = copy(start)
    err = try solve!(h, x); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_ABORTED
    @test seen == [1, 2, 3] && x == start
    @test report(h).termination == NKSolve.NKS_TERMINATION_MONITOR_STOP && last_point(h) != start
    set_monitor!(h, (rep, y) -> (report(h); true))
    @test_throws ArgumentError solve!(h, x)
    set_monitor!(h, (rep, y) -> error("monitor failed"))
    @test_throws ErrorException solve!(h, x)
    set_monitor!(h, (rep, y) -> 1)
    @test_throws ArgumentError solve!(h, x)
    set_monitor!(h, nothing)

    # The combined oracle alone.
    set_oracles!(h, nothing, nothing, rosen_hv!; value_gradient = (g, y) -> (rosen_grad!(g, y); rosen(y)))
    x = copy(start)
    @test solve!(h, x) == NKSolve.NKS_OK && maximum(abs.(x .- 1.0)) <= 1e-6
    r = report(h)
    @test r.value_calls == 0 && r.gradient_calls == 0 && r.value_gradient_calls > 0

    # A preconditioner, then none.
    set_oracles!(h, rosen, rosen_grad!, rosen_hv!)
    npc = Ref(0)
    set_preconditioner!(h, (z, y, r) -> begin
        npc[] += 1
        for i in 1:2:length(y)
            z[i] = r[i] / (abs(1200.0 * y[i]^2 - 400.0 * y[i+1] + 2.0) + 1.0)
            z[i+1] = r[i+1] / 201.0
        end
    end)
    x = copy(start)
    @test solve!(h, x) == NKSolve.NKS_OK
    @test report(h).preconditioner_calls == npc[] > 0
    set_preconditioner!(h, nothing)
    @test solve!(h, copy(start)) == NKSolve.NKS_OK && report(h).preconditioner_calls == 0

    # The other methods; the iteration and evaluation limits; bad input.
    for method in (:line_search, :lazy)
        set_option!(h, "method", method)
        x = copy(start)
        @test solve!(h, x) == NKSolve.NKS_OK && maximum(abs.(x .- 1.0)) <= 1e-6
        @test report(h).method == NKSolve.NKS_NEWTON_LINE_SEARCH + (method == :lazy)
    end
    set_option!(h, "method", :trust_region)
    set_option!(h, "max_iterations", 2)
    x = copy(start)
    @test solve!(h, x) == NKSolve.NKS_MAX_ITERATIONS && report(h).iterations == 2 && x != start
    set_option!(h, "max_iterations", 1000)
    set_option!(h, "max_evaluations", 5)
    @test solve!(h, copy(start)) == NKSolve.NKS_MAX_ITERATIONS
    @test report(h).termination == NKSolve.NKS_TERMINATION_MAX_EVALUATIONS && !converged(report(h))
    set_option!(h, "max_evaluations", 0)
    bad = copy(start); bad[3] = NaN
    err = try solve!(h, bad); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_NON_FINITE
    @test length(last_point(h)) == nn                     # a refused solve keeps the last point
    err = try solve!(h, Float64[]); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_ARGUMENT
    @test_throws ArgumentError solve!(h, view(zeros(2nn), 1:2:2nn))
    free!(h)
    free!(h)
    @test_throws NKSolveError get_option(h, "gatol")
end

@testset "NKSolve Nonlinear" begin
    @test sizeof(NonlinearReport) == 152 && sizeof(NonlinearStep) == 64
    @test fieldoffset(NonlinearReport, 4) == 16 && fieldoffset(NonlinearReport, 15) == 104   # iterations, callback_code
    @test fieldoffset(NonlinearReport, 16) == 112 && fieldoffset(NonlinearReport, 20) == 144  # initial_residual_norm, seconds
    @test fieldoffset(NonlinearStep, 4) == 24 && fieldoffset(NonlinearStep, 8) == 56          # inner_iterations, lm_parameter
    nn = 40
    start = zeros(nn)
    calls = Dict(:residual => 0, :jv => 0, :jtw => 0)
    # F(x)_i = 2 x_i - x_(i-1) - x_(i+1) + 0.1 x_i^3 - 1 (zero outside 1:n); residuals past n are 0.
    function tri!(f, x)
        calls[:residual] += 1
        n = length(x)
        fill!(f, 0.0)
        for i in 1:n
            f[i] = 2.0 * x[i] + 0.1 * x[i]^3 - 1.0 - (i > 1 ? x[i-1] : 0.0) - (i < n ? x[i+1] : 0.0)
        end
        return nothing
    end
    # y = J(x) v for J = tridiag(-1, 2 + 0.3 x_i^2, -1) (symmetric, so also J^T), first n entries.
    function tri_product!(y, x, v)
        n = length(x)
        for i in 1:n
            y[i] = (2.0 + 0.3 * x[i]^2) * v[i] - (i > 1 ? v[i-1] : 0.0) - (i < n ? v[i+1] : 0.0)
        end
        return nothing
    end
    tri_jv!(jv, x, v) = (calls[:jv] += 1; fill!(jv, 0.0); tri_product!(jv, x, v))
    tri_jtw!(jtw, x, w) = (calls[:jtw] += 1; tri_product!(jtw, x, w))

    # Options, and what a solver without oracles or solves refuses.
    h = Nonlinear()
    @test get_option(h, "fatol") == 1e-10 && get_option(h, "frtol") == 1e-8
    @test get_option(h, "method") == NKSolve.NKS_NONLINEAR_NEWTON_KRYLOV
    @test get_option(h, "krylov_method") == NKSolve.NKS_KRYLOV_GCRODR
    @test report(h).termination == NKSolve.NKS_TERMINATION_NOT_STARTED && isempty(steps(h))
    x = copy(start)
    err = try solve!(h, x); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_STATE && x == start
    @test err.func == "nks_nonlinear_solve" && occursin("nks_nonlinear_set_oracles", err.message)
    err = try last_point(h); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_STATE
    err = try set_option!(h, "tolerance", 1e-6); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_UNKNOWN_OPTION && occursin("krylov_method", err.message)
    err = try set_option!(h, "frtol", -1.0); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_ARGUMENT && get_option(h, "frtol") == 1e-8
    err = try set_option!(h, "krylov_method", :cg); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_ARGUMENT
    @test_throws ArgumentError set_option!(h, "method", :newton)
    @test_throws ArgumentError set_option!(h, "restart", :gmres)
    @test_throws ArgumentError Nonlinear(method = :bfgs)
    lm = Nonlinear(method = :levenberg_marquardt, krylov_method = :gmres)
    @test get_option(lm, "method") == NKSolve.NKS_NONLINEAR_LEVENBERG_MARQUARDT
    @test get_option(lm, "krylov_method") == NKSolve.NKS_KRYLOV_GMRES
    err = try set_oracles!(h, nothing; jacobian_vector = tri_jv!); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_NULL_POINTER && occursin("residual", err.message)
    @test_throws ArgumentError set_oracles!(h, tri!; m = -1)
    @test_throws NKSolveError solve!(h, x)                # the refused calls set nothing

    # Newton-Krylov needs a square system: m = n + 1 is refused before any oracle runs.
    set_oracles!(h, tri!; m = nn + 1)
    calls[:residual] = 0
    err = try solve!(h, x); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_DIMENSION_MISMATCH
    @test calls[:residual] == 0 && x == start

    # A solve that converges with finite-difference products; the counts and the step records.
    # (GCRO-DR(10, 4): this small system converges within the default 30-iteration cycle.)
    set_option!(h, "restart", 10)
    set_option!(h, "recycle_dim", 4)
    set_oracles!(h, tri!)
    @test solve!(h, x) == NKSolve.NKS_OK
    r = report(h)
    @test converged(r) && r.method == NKSolve.NKS_NONLINEAR_NEWTON_KRYLOV && r.callback_code == 0
    @test r.residual_evaluations == calls[:residual] && r.fd_products > 0 && r.jacobian_vector_calls == 0
    @test isapprox(r.initial_residual_norm, sqrt(nn); rtol = 1e-14) && isnan(r.gradient_norm)
    f = zeros(nn)
    tri!(f, x)
    @test maximum(abs.(f)) <= 1e-7
    st = steps(h)
    @test length(st) == r.steps == r.iterations && sum(s.inner_iterations for s in st) == r.inner_iterations
    @test st[1].residual_norm == r.initial_residual_norm && st[1].recycled_vectors == 0 && st[1].lm_parameter == 0.0
    @test all(0.0 < s.forcing < 1.0 && s.step_length > 0.0 for s in st)
    @test r.recycled_vectors == 4
    @test last_point(h) == x
    err = try last_point!(zeros(nn - 1), h); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_DIMENSION_MISMATCH

    # The recycle space carries into the next solve, until cleared.
    first_inner = r.inner_iterations
    @test solve!(h, copy(start)) == NKSolve.NKS_OK && steps(h)[1].recycled_vectors == 4
    @test report(h).inner_iterations < first_inner
    clear_recycle_space!(h)
    @test report(h).recycled_vectors == 0
    @test solve!(h, copy(start)) == NKSolve.NKS_OK && report(h).inner_iterations == first_inner

    # The exact J v replaces the finite differences.
    set_oracles!(h, tri!; jacobian_vector = tri_jv!)
    clear_recycle_space!(h)
    calls[:jv] = 0
    @test solve!(h, copy(start)) == NKSolve.NKS_OK
    @test report(h).fd_products == 0 && report(h).jacobian_vector_calls == calls[:jv] > 0

    # A Julia exception in the residual on its 8th call (after a few accepted steps): solve!
    # rethrows it, x untouched, and the last accepted point stays readable.
    k = Ref(0)
    set_oracles!(h, (f, y) -> (k[] += 1; k[] == 8 && throw(Boom()); tri!(f, y)); jacobian_vector = tri_jv!)
    x = copy(start)
    @test_throws Boom solve!(h, x)
    @test x == start && k[] == 8
    r = report(h)
    @test r.termination == NKSolve.NKS_TERMINATION_CALLBACK_FAILED && r.callback_code == -1 && r.iterations >= 1
    @test last_point(h) != start && all(isfinite, last_point(h))

    # CannotEvaluate: at the start the solve stops (NKS_ERR_NON_FINITE, as for a NaN residual
    # there); at a trial point the step shortens; from J v (an accepted point) it stops the solve
    # with its code.
    set_oracles!(h, (f, y) -> throw(CannotEvaluate(2)); jacobian_vector = tri_jv!)
    err = try solve!(h, x); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_NON_FINITE && occursin("returned 2", err.message)
    @test x == start
    k[] = 0
    set_oracles!(h, (f, y) -> (k[] += 1; k[] == 2 && throw(CannotEvaluate()); tri!(f, y)); jacobian_vector = tri_jv!)
    @test solve!(h, x) == NKSolve.NKS_OK && report(h).failed_evaluations == 1
    set_oracles!(h, tri!; jacobian_vector = (jv, y, v) -> throw(CannotEvaluate(3)))
    err = try solve!(h, copy(start)); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_CALLBACK && report(h).callback_code == 3

    # The monitor: sees the running report and the point; false stops the solve; it cannot use h.
    set_oracles!(h, tri!; jacobian_vector = tri_jv!)
    seen = Int[]
    set_monitor!(h, (rep, y) -> (push!(seen, Int(rep.iterations)); length(y) == nn && rep.status == 0 && rep.iterations < 2))
    x = copy(start)
    err = try solve!(h, x); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_ABORTED
    @test seen == [1, 2] && x == start
    @test report(h).termination == NKSolve.NKS_TERMINATION_MONITOR_STOP && last_point(h) != start
    set_monitor!(h, (rep, y) -> (report(h); true))
    @test_throws ArgumentError solve!(h, x)
    set_monitor!(h, (rep, y) -> 1)
    @test_throws ArgumentError solve!(h, x)
    set_monitor!(h, nothing)

    # A preconditioner (Jacobi), then none.
    npc = Ref(0)
    set_preconditioner!(h, (z, y, r) -> (npc[] += 1; z .= r ./ (2.0 .+ 0.3 .* y .^ 2); nothing))
    @test solve!(h, copy(start)) == NKSolve.NKS_OK && report(h).preconditioner_calls == npc[] > 0
    set_preconditioner!(h, nothing)
    @test solve!(h, copy(start)) == NKSolve.NKS_OK && report(h).preconditioner_calls == 0

    # The iteration limit: a usable, unconverged result.
    set_option!(h, "max_iterations", 1)
    x = copy(start)
    @test solve!(h, x) == NKSolve.NKS_MAX_ITERATIONS && report(h).iterations == 1 && x != start
    @test report(h).termination == NKSolve.NKS_TERMINATION_MAX_ITERATIONS && !converged(report(h))
    set_option!(h, "max_iterations", 100)

    # Levenberg-Marquardt: refused without J^T w; square and overdetermined (m = n + 2, the two
    # extra residuals 0) systems converge to the same point.
    set_option!(h, "method", :levenberg_marquardt)
    err = try solve!(h, copy(start)); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_ARGUMENT && occursin("J^T w", err.message)
    set_oracles!(h, tri!; jacobian_vector = tri_jv!, jacobian_transpose = tri_jtw!)
    calls[:jtw] = 0
    x = copy(start)
    @test solve!(h, x) == NKSolve.NKS_OK
    r = report(h)
    @test converged(r) && r.method == NKSolve.NKS_NONLINEAR_LEVENBERG_MARQUARDT
    @test r.jacobian_transpose_calls == calls[:jtw] > 0 && isfinite(r.gradient_norm) && steps(h)[1].lm_parameter > 0.0
    set_oracles!(h, tri!; jacobian_vector = tri_jv!, jacobian_transpose = tri_jtw!, m = nn + 2)
    y = copy(start)
    @test solve!(h, y) == NKSolve.NKS_OK && maximum(abs.(y .- x)) <= 1e-6

    # Bad input.
    bad = copy(start)
    bad[3] = NaN
    err = try solve!(h, bad); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_NON_FINITE
    @test length(last_point(h)) == nn                     # a refused solve keeps the last point
    err = try solve!(h, Float64[]); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_ARGUMENT
    @test_throws ArgumentError solve!(h, view(zeros(2nn), 1:2:2nn))
    free!(h)
    free!(h)
    @test_throws NKSolveError get_option(h, "fatol")
end

@testset "NKSolve Constrained" begin
    @test sizeof(ConstrainedReport) == 216 && sizeof(ConstrainedRecord) == 72
    @test fieldoffset(ConstrainedReport, 4) == 16 && fieldoffset(ConstrainedReport, 20) == 144   # iterations, callback_code
    @test fieldoffset(ConstrainedReport, 21) == 152 && fieldoffset(ConstrainedReport, 28) == 208  # objective, seconds
    @test fieldoffset(ConstrainedRecord, 4) == 24 && fieldoffset(ConstrainedRecord, 9) == 64      # inner_iterations, step_length
    # HS6: min (1 - x1)^2 s.t. 10 (x2 - x1^2) = 0, solution (1, 1); every oracle counts its calls.
    start = [-1.2, 1.0]
    calls = Dict(:f => 0, :g => 0, :c => 0, :jv => 0, :jtw => 0, :hv => 0, :values => 0, :pc => 0)
    function reset_calls!()
        for k in keys(calls)
            calls[k] = 0
        end
    end
    hs6_f(x) = (calls[:f] += 1; (1.0 - x[1])^2)
    hs6_g!(g, x) = (calls[:g] += 1; g[1] = -2.0 * (1.0 - x[1]); g[2] = 0.0; nothing)
    hs6_c!(c, x) = (calls[:c] += 1; c[1] = 10.0 * (x[2] - x[1]^2); nothing)
    hs6_jv!(jv, x, v) = (calls[:jv] += 1; jv[1] = -20.0 * x[1] * v[1] + 10.0 * v[2]; nothing)
    hs6_jtw!(jtw, x, w) = (calls[:jtw] += 1; jtw[1] = -20.0 * x[1] * w[1]; jtw[2] = 10.0 * w[1]; nothing)
    hs6_hv!(hv, x, l, v) = (calls[:hv] += 1; hv[1] = (2.0 - 20.0 * l[1]) * v[1]; hv[2] = 0.0; nothing)
    hs6_jvals!(vals, x) = (calls[:values] += 1; vals[1] = -20.0 * x[1]; vals[2] = 10.0; nothing)
    hs6_hvals!(vals, x, l) = (calls[:values] += 1; vals .= (2.0 - 20.0 * l[1], 0.0, 0.0, 0.0); nothing)
    hs6_pc!(z, x, l, r) = (calls[:pc] += 1; z[1] = r[1] / (abs(2.0 - 20.0 * l[1]) + 1.0); z[2] = r[2];
                           z[3] = r[3] / ((400.0 * x[1]^2 + 100.0) / 4.0 + 1.0); nothing)
    oracles = (objective = hs6_f, gradient = hs6_g!, constraints = hs6_c!, jacobian_vector = hs6_jv!,
               jacobian_transpose = hs6_jtw!, hessian_vector = hs6_hv!)
    counts_agree(r) = r.objective_evaluations == calls[:f] && r.gradient_evaluations == calls[:g] &&
                      r.constraint_evaluations == calls[:c] && r.jacobian_products == calls[:jv] &&
                      r.jacobian_transpose_products == calls[:jtw] && r.hessian_products == calls[:hv] &&
                      r.matrix_evaluations == calls[:values] && r.preconditioner_calls == calls[:pc]
    jrp, jcv, hrp, hcv = [1, 3], [1, 2], [1, 3, 5], [1, 2, 1, 2]

    # Options, and what a solver without oracles or solves refuses.
    h = Constrained()
    @test get_option(h, "kkt_solver") == NKSolve.NKS_KKT_GAUSSIAN_SKETCH
    @test get_option(h, "stationarity_tol") == 1e-6 && get_option(h, "max_iterations") == 1000
    @test report(h).termination == NKSolve.NKS_TERMINATION_NOT_STARTED && isempty(records(h))
    x, lambda = copy(start), [7.0]
    err = try solve!(h, x, lambda); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_STATE && x == start && lambda == [7.0]
    @test err.func == "nks_constrained_solve" && occursin("nks_constrained_set_oracles", err.message)
    err = try last_point(h); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_STATE
    err = try set_option!(h, "tolerance", 1e-6); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_UNKNOWN_OPTION && occursin("kkt_solver", err.message)
    err = try set_option!(h, "kkt_solver", 3); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_ARGUMENT && get_option(h, "kkt_solver") == 0
    @test_throws ArgumentError set_option!(h, "kkt_solver", :qr)
    @test_throws ArgumentError set_option!(h, "seed", :minres)
    @test_throws ArgumentError Constrained(kkt_solver = :qr)
    other = Constrained(kkt_solver = :minres, seed = 3)
    @test get_option(other, "kkt_solver") == NKSolve.NKS_KKT_MINRES && get_option(other, "seed") == 3
    free!(other)
    err = try set_sparse_rows!(h, jrp, jcv, hs6_jvals!, hrp, hcv, hs6_hvals!); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_STATE   # before the oracles

    # The oracles: every one is required, and m >= 1; refused calls set nothing.
    err = try set_oracles!(h, 1; oracles..., gradient = nothing); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_NULL_POINTER && occursin("gradient", err.message)
    @test_throws ArgumentError set_oracles!(h, 0; oracles...)
    @test_throws NKSolveError solve!(h, x, lambda)
    set_oracles!(h, 1; oracles...)

    # Kaczmarz needs the sparse rows; rows of the wrong lengths are caught before the library
    # reads them, a malformed pattern is refused by the library.
    set_option!(h, "kkt_solver", :kaczmarz)
    err = try solve!(h, x, lambda); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_STATE && x == start
    @test_throws DimensionMismatch set_sparse_rows!(h, [1, 2, 3], jcv, hs6_jvals!, hrp, hcv, hs6_hvals!)
    @test_throws DimensionMismatch set_sparse_rows!(h, jrp, jcv, hs6_jvals!, hrp, [1, 2, 1], hs6_hvals!)
    @test_throws DimensionMismatch set_sparse_rows!(h, jrp, jcv, hs6_jvals!, [1], hcv, hs6_hvals!)
    err = try set_sparse_rows!(h, jrp, jcv, hs6_jvals!, hrp, [1, 2, 1, 3], hs6_hvals!); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_ARGUMENT && occursin("hessian_col_idx", err.message)
    @test_throws NKSolveError solve!(h, x, lambda)
    set_sparse_rows!(h, jrp, jcv, hs6_jvals!, hrp, hcv, hs6_hvals!)

    # Kaczmarz: converges; the counts are the oracles' own; records; the last point.
    err = try solve!(h, x, [0.0, 0.0]); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_DIMENSION_MISMATCH && x == start
    buffer = [-1.2, 1.0, 0.0]
    err = try solve!(h, view(buffer, 1:2), view(buffer, 2:2)); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_ARGUMENT && occursin("overlap", err.message)
    reset_calls!()
    lambda = [0.0]
    @test solve!(h, x, lambda) == NKSolve.NKS_OK
    r = report(h)
    @test converged(r) && r.kkt_solver == NKSolve.NKS_KKT_KACZMARZ && r.callback_code == 0
    @test maximum(abs.(x .- 1.0)) <= 1e-6 && r.objective <= 1e-12 && r.stationarity <= 1e-6 && r.feasibility <= 1e-6
    @test counts_agree(r) && r.matrix_evaluations > 0
    rec = records(h)
    @test length(rec) == r.records == r.iterations > 0
    @test rec[1].feasibility == r.initial_feasibility && all(k.step_length > 0.0 for k in rec)
    @test sum(k.inner_iterations for k in rec) == r.inner_iterations
    @test last_point(h) == x && last_multipliers(h) == lambda
    xk, lk = fill(-5.0, 2), fill(-5.0, 2)
    err = try last_point!(xk, h, lk); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_DIMENSION_MISMATCH && xk == fill(-5.0, 2)
    err = try last_point!(zeros(3), h); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_DIMENSION_MISMATCH

    # The Gaussian sketch and MINRES, with and without a preconditioner.
    for solver in (:gaussian_sketch, :minres)
        set_option!(h, "kkt_solver", solver)
        reset_calls!()
        y = copy(start)
        @test solve!(h, y, lambda) == NKSolve.NKS_OK && maximum(abs.(y .- 1.0)) <= 1e-6
        @test counts_agree(report(h)) && report(h).matrix_evaluations == 0 && report(h).preconditioner_calls == 0
    end
    set_preconditioner!(h, hs6_pc!)
    reset_calls!()
    @test solve!(h, copy(start), lambda) == NKSolve.NKS_OK && report(h).preconditioner_calls == calls[:pc] > 0
    set_preconditioner!(h, nothing)
    @test solve!(h, copy(start), lambda) == NKSolve.NKS_OK && report(h).preconditioner_calls == 0

    # The monitor: sees the running report, x and λ; false stops the solve; it cannot use h.
    seen = Int[]
    set_monitor!(h, (rep, y, l) -> (push!(seen, Int(rep.iterations));
                                    length(y) == 2 && length(l) == 1 && rep.status == 0 && rep.iterations < 2))
    x, lambda = copy(start), [7.0]
    err = try solve!(h, x, lambda); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_ABORTED
    @test seen == [1, 2] && x == start && lambda == [7.0]
    @test report(h).termination == NKSolve.NKS_TERMINATION_MONITOR_STOP && last_point(h) != start
    @test length(last_multipliers(h)) == 1
    set_monitor!(h, (rep, y, l) -> (report(h); true))
    @test_throws ArgumentError solve!(h, x, lambda)
    set_monitor!(h, (rep, y, l) -> 1)
    @test_throws ArgumentError solve!(h, x, lambda)
    set_monitor!(h, nothing)

    # A Julia exception in the objective on its 3rd call: solve! rethrows it, x untouched.
    k = Ref(0)
    set_oracles!(h, 1; oracles..., objective = y -> (k[] += 1; k[] == 3 && throw(Boom()); hs6_f(y)))
    @test_throws Boom solve!(h, x, lambda)
    r = report(h)
    @test x == start && r.termination == NKSolve.NKS_TERMINATION_CALLBACK_FAILED && r.callback_code == -1
    # CannotEvaluate: at the start the solve stops with its code; at a trial point the step
    # shortens; from J v (an accepted point) it stops the solve with its code.
    set_oracles!(h, 1; oracles..., objective = y -> throw(CannotEvaluate(2)))
    err = try solve!(h, x, lambda); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_CALLBACK && report(h).callback_code == 2 && x == start
    k[] = 0
    set_oracles!(h, 1; oracles..., objective = y -> (k[] += 1; k[] == 3 && throw(CannotEvaluate()); hs6_f(y)))
    @test solve!(h, x, lambda) == NKSolve.NKS_OK && report(h).failed_evaluations == 1
    set_oracles!(h, 1; oracles..., jacobian_vector = (jv, y, v) -> throw(CannotEvaluate(3)))
    err = try solve!(h, copy(start), lambda); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_CALLBACK && report(h).callback_code == 3

    # The iteration limit: a usable, unconverged result.
    set_oracles!(h, 1; oracles...)
    set_option!(h, "max_iterations", 1)
    x = copy(start)
    @test solve!(h, x, lambda) == NKSolve.NKS_MAX_ITERATIONS && report(h).iterations == 1 && x != start
    @test report(h).termination == NKSolve.NKS_TERMINATION_MAX_ITERATIONS && !converged(report(h))
    set_option!(h, "max_iterations", 1000)

    # Bad input.
    bad = copy(start)
    bad[1] = NaN
    err = try solve!(h, bad, lambda); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_NON_FINITE
    @test length(last_point(h)) == 2                      # a refused solve keeps the last point
    err = try solve!(h, Float64[], lambda); nothing catch e; e end
    @test err isa NKSolveError && err.status == NKSolve.NKS_ERR_INVALID_ARGUMENT
    @test_throws ArgumentError solve!(h, view(zeros(4), 1:2:4), lambda)
    free!(h)
    free!(h)
    @test_throws NKSolveError get_option(h, "seed")
end
"#;

#[test]
fn julia_binding_error_paths() {
    let Some(mut cmd) = julia("julia_error_paths_depot") else { return };
    let script = common::scratch("julia_error_paths").join("error_paths.jl");
    std::fs::write(&script, ERROR_PATHS_JL).unwrap();
    cmd.arg(&script);
    let out = common::run_ok(&mut cmd);
    print!("{}", String::from_utf8_lossy(&out.stdout));
}

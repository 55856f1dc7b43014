//! The Fortran binding (`bindings/fortran/nksolve.f90`): it mirrors every function, constant and
//! struct of `include/nksolve.h` (its report types, `nks_krylov_report`, `nks_sor_report`,
//! `nks_sinkhorn_report`, `nks_newton_report`, `nks_nonlinear_report`, `nks_nonlinear_step`,
//! `nks_constrained_report` and `nks_constrained_record`, have the C fields in order and the C
//! layout), the Poisson, recycling, SOR-bandit, Sinkhorn, Newton, nonlinear (Bratu time
//! stepping) and constrained (HS6 by three inner solvers, 1D optimal control) examples print the
//! Rust core's numbers linked against both the shared and the static library (the Poisson one
//! also checks which library each build loads), and the error-path programs
//! (`tests/fortran/errors.f90`, recycling, SOR-bandit, Newton-minimiser and nonlinear-solver
//! wrappers included, [`SINKHORN_CHECKS`] for the optimal-transport solver and
//! [`CONSTRAINED_CHECKS`] for the constrained solver) pass.
//!
//! Needs `gfortran` (skipped with a message when missing, a failure under `CI=true`).

mod common;

use common::Link;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Flags for every compilation: standard Fortran 2008, all warnings as errors, run-time checks
/// (bounds, pointers) so a binding bug shows up as a failure rather than as silent corruption.
/// No warning is exempted from `-Werror`.
const FFLAGS: &[&str] = &["-std=f2008", "-Wall", "-Wextra", "-Werror", "-fcheck=all", "-g"];

/// Compiles the module once into `dir` (object and `.mod` file, `-J dir`).
fn compile_module(dir: &Path) -> PathBuf {
    let obj = dir.join("nksolve.o");
    common::run_ok(
        Command::new("gfortran")
            .args(FFLAGS)
            .arg("-J")
            .arg(dir)
            .arg("-c")
            .arg(common::root().join("bindings/fortran/nksolve.f90"))
            .arg("-o")
            .arg(&obj),
    );
    obj
}

/// Compiles `source` (relative to the repository root) with the module object and links it.
fn build(dir: &Path, module_obj: &Path, source: &str, exe: &str, link: Link) -> PathBuf {
    let out = dir.join(exe);
    let mut cmd = Command::new("gfortran");
    cmd.args(FFLAGS).arg("-J").arg(dir).arg(common::root().join(source)).arg(module_obj).arg("-o").arg(&out);
    cmd.args(link.args());
    common::run_ok(&mut cmd);
    out
}

/// Runs a built program in `dir` and returns its standard output.
fn run(dir: &Path, exe: &Path) -> String {
    let out = common::run_ok(Command::new(exe).current_dir(dir));
    String::from_utf8(out.stdout).unwrap()
}

fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn fortran_module_mirrors_the_header() {
    let header = std::fs::read_to_string(common::root().join("include/nksolve.h")).unwrap();
    let module = std::fs::read_to_string(common::root().join("bindings/fortran/nksolve.f90")).unwrap();

    // Every exported function has a bind(c) interface under its C name.
    let mut functions = Vec::new();
    for l in header.lines() {
        let declares = !l.starts_with([' ', '#', '/', '*', 't']) && l.contains(" nks_") && l.contains('(')
            || l.starts_with("const char *nks_");
        if declares {
            let before_paren = &l[..l.find('(').unwrap()];
            let name = before_paren.rsplit([' ', '*']).next().unwrap();
            assert!(name.starts_with("nks_"), "could not read a function name from {l}");
            functions.push(name.to_string());
        }
    }
    assert!(functions.len() >= 62, "found only {} functions in the header", functions.len());
    for f in &functions {
        assert!(
            module.contains(&format!("bind(c, name=\"{f}\")")),
            "bindings/fortran/nksolve.f90 has no bind(c) interface for {f}"
        );
    }

    // Every enum value and version macro has a named constant with the same value.
    let mut constants = 0;
    for l in header.lines() {
        let t = l.trim();
        let (name, value) = if let Some(rest) = t.strip_prefix("#define NKS_VERSION_") {
            let mut w = rest.split_whitespace();
            (format!("NKS_VERSION_{}", w.next().unwrap()), w.next().unwrap().to_string())
        } else if let Some((name, value)) = t.strip_suffix(',').and_then(|e| e.split_once(" = ")) {
            if !name.starts_with("NKS_") {
                continue;
            }
            (name.to_string(), value.to_string())
        } else {
            continue;
        };
        let value: i32 = value.parse().unwrap_or_else(|_| panic!("value of {name} in the header: {value}"));
        let decl = format!(":: {name} = {value}_c_int32_t");
        assert!(module.contains(&decl), "bindings/fortran/nksolve.f90 lacks `{decl}` (from the header)");
        constants += 1;
    }
    assert!(constants >= 15 + 3 + 3 + 2 + 10 + 5 + 3 + 2, "found only {constants} constants in the header");

    // Every C struct has a bind(c) type of the same name with the same fields, in order, of the
    // matching kinds (the layout test below checks the offsets the compiler gives them).
    let structs = header_structs(&header);
    assert!(structs.len() >= 3, "found only {} structs in the header", structs.len());
    for (name, c_fields) in &structs {
        let start = format!("type, bind(c), public :: {name}\n");
        let body = module
            .split_once(start.as_str())
            .and_then(|(_, rest)| rest.split_once(&format!("end type {name}\n")))
            .unwrap_or_else(|| panic!("bindings/fortran/nksolve.f90 has no `{}`", start.trim_end()))
            .0;
        let fortran_fields: Vec<(String, String)> = body
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with('!') && l.contains(" :: "))
            .map(|l| {
                let (kind, rest) = l.split_once(" :: ").unwrap();
                (kind.to_string(), rest.split([' ', '=']).next().unwrap().to_string())
            })
            .collect();
        let expected: Vec<(String, String)> = c_fields
            .iter()
            .map(|(c_type, field)| {
                let kind = match c_type.as_str() {
                    "int32_t" => "integer(c_int32_t)",
                    "size_t" => "integer(c_size_t)",
                    "double" => "real(c_double)",
                    other => panic!("{name}.{field}: no Fortran kind known for C type {other}"),
                };
                (kind.to_string(), field.clone())
            })
            .collect();
        assert_eq!(fortran_fields, expected, "type({name}) differs from the C struct's fields");
    }
}

/// The `typedef struct { ... } name;` definitions of the header: each name with its fields
/// (C type, field name) in order.
fn header_structs(header: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut structs = Vec::new();
    let mut fields: Option<Vec<(String, String)>> = None;
    for l in header.lines() {
        if l.starts_with("typedef struct {") {
            fields = Some(Vec::new());
        } else if let (Some(name), Some(f)) = (l.strip_prefix("} ").and_then(|r| r.strip_suffix(';')), fields.as_mut()) {
            structs.push((name.to_string(), std::mem::take(f)));
            fields = None;
        } else if let Some(f) = fields.as_mut() {
            let t = l.trim();
            if t.starts_with(['/', '*']) {
                continue; // documentation
            }
            if let Some(decl) = t.strip_suffix(';') {
                let (c_type, field) = decl.rsplit_once(' ').unwrap_or_else(|| panic!("cannot read the field `{t}`"));
                f.push((c_type.to_string(), field.to_string()));
            }
        }
    }
    structs
}

/// Checks the `line` the error-path program printed ("NAME size=... field=offset ...") against
/// the C struct's `expected` size and field offsets.
fn check_layout(out: &str, line: &str, expected: &[(&str, usize)]) {
    let printed: BTreeMap<String, usize> = common::parse_lines(out)
        .remove(line)
        .unwrap_or_else(|| panic!("no {line} line:\n{out}"))
        .into_iter()
        .map(|(k, v)| (k, v.parse().unwrap()))
        .collect();
    let expected: BTreeMap<String, usize> = expected.iter().map(|&(k, v)| (k.to_string(), v)).collect();
    assert_eq!(printed, expected, "the Fortran type's layout (`{line}` line) differs from the C struct");
}

/// Checks the last line of a test program's output, "N passed, 0 failed", with at least
/// `at_least` checks passed.
fn check_summary(out: &str, program: &str, at_least: usize) {
    let summary = out.lines().find(|l| l.ends_with(" failed")).unwrap_or_else(|| panic!("no summary line:\n{out}"));
    let (passed, rest) = summary.split_once(" passed, ").unwrap_or_else(|| panic!("bad summary `{summary}`"));
    assert_eq!(rest, "0 failed", "{program}:\n{out}");
    let passed: usize = passed.parse().unwrap();
    assert!(passed >= at_least, "{program} ran only {passed} checks:\n{out}");
}

/// Builds the example `source` against the shared and the static library in the scratch folder
/// `scratch`, checks that only the shared build refers to libnksolve.so, checks each output with
/// `check_output(label, stdout)` and that both print the same. Returns the scratch folder (the
/// programs are `STEM_shared` and `STEM_static` there).
fn check_example_with_both_links(scratch: &str, source: &str, check_output: fn(&str, &str)) -> PathBuf {
    let dir = common::scratch(scratch);
    let module_obj = compile_module(&dir);
    let stem = Path::new(source).file_stem().unwrap().to_str().unwrap();
    let mut outputs = Vec::new();
    for link in Link::BOTH {
        let label = link.label();
        let exe = build(&dir, &module_obj, source, &format!("{stem}_{label}"), link);
        let refers_to_so = contains_bytes(&std::fs::read(&exe).unwrap(), b"libnksolve.so");
        assert_eq!(refers_to_so, link == Link::Shared, "{label} {stem} build: refers to libnksolve.so = {refers_to_so}");
        let out = run(&dir, &exe);
        check_output(&format!("Fortran ({label})"), &out);
        outputs.push(out);
    }
    assert_eq!(outputs[0], outputs[1], "{source}: shared and static builds print different results");
    dir
}

#[test]
fn fortran_example_and_error_paths() {
    if !common::require_tool("gfortran", "the Fortran binding") {
        return;
    }
    let dir = common::scratch("fortran");
    let module_obj = compile_module(&dir);

    // The Poisson example against the shared library...
    let shared = build(&dir, &module_obj, "examples/fortran/poisson.f90", "poisson_shared", Link::Shared);
    let out = run(&dir, &shared);
    common::check_poisson_output("Fortran (shared)", &out);
    assert!(contains_bytes(&std::fs::read(&shared).unwrap(), b"libnksolve.so"), "poisson_shared does not load libnksolve.so");

    // ... and against the static library: no rpath, no libnksolve.so needed.
    let stat = build(&dir, &module_obj, "examples/fortran/poisson.f90", "poisson_static", Link::Static);
    assert!(
        !contains_bytes(&std::fs::read(&stat).unwrap(), b"libnksolve.so"),
        "poisson_static still refers to libnksolve.so"
    );
    let out_static = run(&dir, &stat);
    common::check_poisson_output("Fortran (static)", &out_static);
    assert_eq!(out, out_static, "shared and static builds print different results");

    // The error paths.
    let errors = build(&dir, &module_obj, "tests/fortran/errors.f90", "errors", Link::Shared);
    let out = run(&dir, &errors);
    check_summary(&out, "tests/fortran/errors.f90", 350);

    // type(nks_krylov_report), type(nks_sor_report), type(nks_newton_report),
    // type(nks_nonlinear_report) and type(nks_nonlinear_step) have the C structs' sizes and
    // offsets.
    use nksolve::capi::krylov::nks_krylov_report as R;
    use nksolve::capi::newton::nks_newton_report as N;
    use nksolve::capi::nonlinear::nks_nonlinear_report as L;
    use nksolve::capi::nonlinear::nks_nonlinear_step as LS;
    use nksolve::capi::sor::nks_sor_report as S;
    use std::mem::{offset_of, size_of};
    check_layout(&out, "layout", &[
        ("size", size_of::<R>()),
        ("status", offset_of!(R, status)),
        ("termination", offset_of!(R, termination)),
        ("iterations", offset_of!(R, iterations)),
        ("matvecs", offset_of!(R, matvecs)),
        ("precond_applies", offset_of!(R, precond_applies)),
        ("rhs_norm", offset_of!(R, rhs_norm)),
        ("initial_residual_norm", offset_of!(R, initial_residual_norm)),
        ("residual_norm", offset_of!(R, residual_norm)),
        ("seconds", offset_of!(R, seconds)),
        ("callback_code", offset_of!(R, callback_code)),
        ("recycle_rebuilt", offset_of!(R, recycle_rebuilt)),
        ("recycle_initial_dim", offset_of!(R, recycle_initial_dim)),
        ("recycle_final_dim", offset_of!(R, recycle_final_dim)),
        ("recycle_refreshes", offset_of!(R, recycle_refreshes)),
        ("recycle_largest_angle", offset_of!(R, recycle_largest_angle)),
        ("recycle_projection_ratio", offset_of!(R, recycle_projection_ratio)),
        ("recycle_dropped", offset_of!(R, recycle_dropped)),
    ]);
    check_layout(&out, "sor_layout", &[
        ("size", size_of::<S>()),
        ("status", offset_of!(S, status)),
        ("termination", offset_of!(S, termination)),
        ("arm", offset_of!(S, arm)),
        ("omega", offset_of!(S, omega)),
        ("iterations", offset_of!(S, iterations)),
        ("cost", offset_of!(S, cost)),
        ("initial_residual_norm", offset_of!(S, initial_residual_norm)),
        ("residual_norm", offset_of!(S, residual_norm)),
        ("seconds", offset_of!(S, seconds)),
    ]);
    check_layout(&out, "newton_layout", &[
        ("size", size_of::<N>()),
        ("status", offset_of!(N, status)),
        ("termination", offset_of!(N, termination)),
        ("method", offset_of!(N, method)),
        ("iterations", offset_of!(N, iterations)),
        ("accepted_steps", offset_of!(N, accepted_steps)),
        ("value_calls", offset_of!(N, value_calls)),
        ("gradient_calls", offset_of!(N, gradient_calls)),
        ("value_gradient_calls", offset_of!(N, value_gradient_calls)),
        ("hessian_vector_calls", offset_of!(N, hessian_vector_calls)),
        ("preconditioner_calls", offset_of!(N, preconditioner_calls)),
        ("cg_iterations", offset_of!(N, cg_iterations)),
        ("hessian_refreshes", offset_of!(N, hessian_refreshes)),
        ("rejected_steps", offset_of!(N, rejected_steps)),
        ("failed_evaluations", offset_of!(N, failed_evaluations)),
        ("callback_code", offset_of!(N, callback_code)),
        ("initial_value", offset_of!(N, initial_value)),
        ("value", offset_of!(N, value)),
        ("initial_gradient_norm", offset_of!(N, initial_gradient_norm)),
        ("gradient_norm", offset_of!(N, gradient_norm)),
        ("step_norm", offset_of!(N, step_norm)),
        ("parameter", offset_of!(N, parameter)),
        ("seconds", offset_of!(N, seconds)),
    ]);
    check_layout(&out, "nonlinear_layout", &[
        ("size", size_of::<L>()),
        ("status", offset_of!(L, status)),
        ("termination", offset_of!(L, termination)),
        ("method", offset_of!(L, method)),
        ("iterations", offset_of!(L, iterations)),
        ("residual_evaluations", offset_of!(L, residual_evaluations)),
        ("fd_products", offset_of!(L, fd_products)),
        ("jacobian_vector_calls", offset_of!(L, jacobian_vector_calls)),
        ("jacobian_transpose_calls", offset_of!(L, jacobian_transpose_calls)),
        ("preconditioner_calls", offset_of!(L, preconditioner_calls)),
        ("inner_iterations", offset_of!(L, inner_iterations)),
        ("rejected_steps", offset_of!(L, rejected_steps)),
        ("failed_evaluations", offset_of!(L, failed_evaluations)),
        ("steps", offset_of!(L, steps)),
        ("recycled_vectors", offset_of!(L, recycled_vectors)),
        ("callback_code", offset_of!(L, callback_code)),
        ("initial_residual_norm", offset_of!(L, initial_residual_norm)),
        ("residual_norm", offset_of!(L, residual_norm)),
        ("gradient_norm", offset_of!(L, gradient_norm)),
        ("step_norm", offset_of!(L, step_norm)),
        ("seconds", offset_of!(L, seconds)),
    ]);
    check_layout(&out, "nonlinear_step_layout", &[
        ("size", size_of::<LS>()),
        ("residual_norm", offset_of!(LS, residual_norm)),
        ("forcing", offset_of!(LS, forcing)),
        ("linear_residual", offset_of!(LS, linear_residual)),
        ("inner_iterations", offset_of!(LS, inner_iterations)),
        ("jacobian_products", offset_of!(LS, jacobian_products)),
        ("recycled_vectors", offset_of!(LS, recycled_vectors)),
        ("step_length", offset_of!(LS, step_length)),
        ("lm_parameter", offset_of!(LS, lm_parameter)),
    ]);
}

#[test]
fn fortran_recycling_example() {
    if !common::require_tool("gfortran", "the Fortran binding") {
        return;
    }
    check_example_with_both_links("fortran_recycling", "examples/fortran/recycling.f90", common::check_recycling_output);
}

/// The SOR-bandit example (its LCG done exactly on 16-bit limbs) prints the Rust core's contexts,
/// omegas, iterations and learned distributions, linked either way.
#[test]
fn fortran_sor_bandit_example() {
    if !common::require_tool("gfortran", "the Fortran binding") {
        return;
    }
    check_example_with_both_links("fortran_sor_bandit", "examples/fortran/sor_bandit.f90", common::check_sor_bandit_output);
}

/// The optimal-transport example (Halton clouds, so there is no generator to port) prints the
/// Rust core's iteration counts, costs and plan, linked either way. Its clouds and cost matrix
/// reach the library without a copy: `-fcheck=all` reports every array temporary on standard
/// error, and there is none.
#[test]
fn fortran_sinkhorn_example() {
    if !common::require_tool("gfortran", "the Fortran binding") {
        return;
    }
    let dir = check_example_with_both_links("fortran_sinkhorn", "examples/fortran/sinkhorn.f90", common::check_sinkhorn_output);
    let out = common::run_ok(Command::new(dir.join("sinkhorn_shared")).current_dir(&dir));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("array temporary"), "examples/fortran/sinkhorn.f90 copies an array:\n{stderr}");
}

/// The Newton example (extended Rosenbrock, n = 100000, oracles as `bind(c)` functions reaching
/// the host's data through `user_data`) prints the Rust reference's lines, the same iteration and
/// oracle counts, linked either way. Its point reaches the library and the oracles without a copy
/// (`-fcheck=all` reports every array temporary on standard error, and there is none).
#[test]
fn fortran_newton_example() {
    if !common::require_tool("gfortran", "the Fortran binding") {
        return;
    }
    let dir = check_example_with_both_links("fortran_newton", "examples/fortran/newton.f90", common::check_newton_output);
    let out = common::run_ok(Command::new(dir.join("newton_shared")).current_dir(&dir));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("array temporary"), "examples/fortran/newton.f90 copies an array:\n{stderr}");
}

/// The nonlinear example (the issue's showcase: a time-stepping loop over the 2D Bratu problem,
/// one `nks_nonlinear_t` carrying its GCRO-DR recycle space from one implicit Euler step to the
/// next, oracles as `bind(c)` functions reaching the host's `u_old` and mass through
/// `user_data`; then GMRES, the steady problem with the exact `J v`, and a Levenberg-Marquardt
/// fit) prints the Rust reference's lines, the same Newton, Krylov and oracle counts, linked
/// either way. Its unknowns reach the library and the oracles without a copy (`-fcheck=all`
/// reports every array temporary on standard error, and there is none).
#[test]
fn fortran_nonlinear_example() {
    if !common::require_tool("gfortran", "the Fortran binding") {
        return;
    }
    let dir = check_example_with_both_links("fortran_nonlinear", "examples/fortran/nonlinear.f90", common::check_nonlinear_output);
    let out = common::run_ok(Command::new(dir.join("nonlinear_shared")).current_dir(&dir));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("array temporary"), "examples/fortran/nonlinear.f90 copies an array:\n{stderr}");
}

/// The constrained example (Hock-Schittkowski 6 by the Gaussian sketch, Kaczmarz on 1-based sparse
/// rows and MINRES; a 1D optimal-control problem by MINRES with the host's preconditioner; oracles
/// as `bind(c)` functions reaching the host's target and call counts through `user_data`) prints
/// the Rust reference's lines, the same iteration, inner-iteration, merit and preconditioner
/// counts, linked either way. Its unknowns and multipliers reach the library and the oracles
/// without a copy (`-fcheck=all` reports every array temporary on standard error, and there is
/// none).
#[test]
fn fortran_constrained_example() {
    if !common::require_tool("gfortran", "the Fortran binding") {
        return;
    }
    let dir = check_example_with_both_links("fortran_constrained", "examples/fortran/constrained.f90", common::check_constrained_output);
    let out = common::run_ok(Command::new(dir.join("constrained_shared")).current_dir(&dir));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("array temporary"), "examples/fortran/constrained.f90 copies an array:\n{stderr}");
}

/// `type(nks_constrained_report)` and `type(nks_constrained_record)` have the C structs' sizes
/// and offsets, and the error paths, sparse rows, records, monitor and oracle failures of
/// `nks_constrained_t` behave as documented ([`CONSTRAINED_CHECKS`]).
#[test]
fn fortran_constrained_layout_and_error_paths() {
    if !common::require_tool("gfortran", "the Fortran binding") {
        return;
    }
    let dir = common::scratch("fortran_constrained_checks");
    let module_obj = compile_module(&dir);
    let source = dir.join("constrained_checks.f90");
    std::fs::write(&source, CONSTRAINED_CHECKS).unwrap();
    let exe = build(&dir, &module_obj, source.to_str().unwrap(), "constrained_checks", Link::Shared);
    let out = run(&dir, &exe);
    check_summary(&out, "the nks_constrained_t checks", 60);

    use nksolve::capi::constrained::nks_constrained_record as K;
    use nksolve::capi::constrained::nks_constrained_report as C;
    use std::mem::{offset_of, size_of};
    check_layout(&out, "constrained_layout", &[
        ("size", size_of::<C>()),
        ("status", offset_of!(C, status)),
        ("termination", offset_of!(C, termination)),
        ("kkt_solver", offset_of!(C, kkt_solver)),
        ("iterations", offset_of!(C, iterations)),
        ("inner_iterations", offset_of!(C, inner_iterations)),
        ("merit_evaluations", offset_of!(C, merit_evaluations)),
        ("penalty_updates", offset_of!(C, penalty_updates)),
        ("regularized_steps", offset_of!(C, regularized_steps)),
        ("rejected_steps", offset_of!(C, rejected_steps)),
        ("failed_evaluations", offset_of!(C, failed_evaluations)),
        ("objective_evaluations", offset_of!(C, objective_evaluations)),
        ("gradient_evaluations", offset_of!(C, gradient_evaluations)),
        ("constraint_evaluations", offset_of!(C, constraint_evaluations)),
        ("jacobian_products", offset_of!(C, jacobian_products)),
        ("jacobian_transpose_products", offset_of!(C, jacobian_transpose_products)),
        ("hessian_products", offset_of!(C, hessian_products)),
        ("matrix_evaluations", offset_of!(C, matrix_evaluations)),
        ("preconditioner_calls", offset_of!(C, preconditioner_calls)),
        ("records", offset_of!(C, records)),
        ("callback_code", offset_of!(C, callback_code)),
        ("objective", offset_of!(C, objective)),
        ("stationarity", offset_of!(C, stationarity)),
        ("feasibility", offset_of!(C, feasibility)),
        ("initial_stationarity", offset_of!(C, initial_stationarity)),
        ("initial_feasibility", offset_of!(C, initial_feasibility)),
        ("eta1", offset_of!(C, eta1)),
        ("eta2", offset_of!(C, eta2)),
        ("seconds", offset_of!(C, seconds)),
    ]);
    check_layout(&out, "constrained_record_layout", &[
        ("size", size_of::<K>()),
        ("stationarity", offset_of!(K, stationarity)),
        ("feasibility", offset_of!(K, feasibility)),
        ("merit", offset_of!(K, merit)),
        ("inner_iterations", offset_of!(K, inner_iterations)),
        ("inner_residual", offset_of!(K, inner_residual)),
        ("eta1", offset_of!(K, eta1)),
        ("eta2", offset_of!(K, eta2)),
        ("regularization", offset_of!(K, regularization)),
        ("step_length", offset_of!(K, step_length)),
    ]);
}

/// `type(nks_sinkhorn_report)` has the C struct's size and offsets, and the error paths and plan
/// accessors of `nks_sinkhorn_t` behave as documented ([`SINKHORN_CHECKS`]).
#[test]
fn fortran_sinkhorn_layout_and_error_paths() {
    if !common::require_tool("gfortran", "the Fortran binding") {
        return;
    }
    let dir = common::scratch("fortran_sinkhorn_checks");
    let module_obj = compile_module(&dir);
    let source = dir.join("sinkhorn_checks.f90");
    std::fs::write(&source, SINKHORN_CHECKS).unwrap();
    let exe = build(&dir, &module_obj, source.to_str().unwrap(), "sinkhorn_checks", Link::Shared);
    let out = run(&dir, &exe);
    check_summary(&out, "the nks_sinkhorn_t checks", 70);

    use nksolve::capi::sinkhorn::nks_sinkhorn_report as R;
    use std::mem::{offset_of, size_of};
    check_layout(&out, "sinkhorn_layout", &[
        ("size", size_of::<R>()),
        ("status", offset_of!(R, status)),
        ("termination", offset_of!(R, termination)),
        ("method", offset_of!(R, method)),
        ("iterations", offset_of!(R, iterations)),
        ("sinkhorn_iterations", offset_of!(R, sinkhorn_iterations)),
        ("newton_iterations", offset_of!(R, newton_iterations)),
        ("fallback_steps", offset_of!(R, fallback_steps)),
        ("cg_iterations", offset_of!(R, cg_iterations)),
        ("hessian_density", offset_of!(R, hessian_density)),
        ("marginal_error", offset_of!(R, marginal_error)),
        ("transport_cost", offset_of!(R, transport_cost)),
        ("regularized_cost", offset_of!(R, regularized_cost)),
        ("eps", offset_of!(R, eps)),
        ("exact_lines", offset_of!(R, exact_lines)),
        ("seconds", offset_of!(R, seconds)),
    ]);
}

/// The checks of `nks_sinkhorn_t`, a Fortran program written into the test's scratch folder.
const SINKHORN_CHECKS: &str = r#"!> Layout and error paths of the Fortran binding's optimal-transport solver, `nks_sinkhorn_t`
!> (written out and run by tests/bindings_fortran.rs):
!>   (a) prints the layout of `type(nks_sinkhorn_report)` ("sinkhorn_layout size=...
!>       field=offset ...") for the Rust test to compare with the C struct;
!>   (b) calls before `create` and after `free` fail with NKS_ERR_NULL_POINTER; unknown option
!>       names and values out of range are refused with the library's message, keeping the
!>       option; the plan before any solve is NKS_ERR_INVALID_STATE;
!>   (c) size mismatches of weights, potentials, clouds and the plan are caught in Fortran
!>       before the library reads anything; a refused solve writes nothing and keeps the
!>       previous problem;
!>   (d) a 3 x 2 problem: the dense plan has the weights as marginals and the potentials'
!>       closed form; the sparse plan has 1-based rows and columns in row-major order (default
!>       and 64-bit integers); the point-cloud cost matches the dense one; sections that are
!>       not contiguous give the contiguous arrays' results; SNS, the iteration limit and a
!>       warm start report what they did.
!> Ends with "N passed, M failed"; any failure ends with `error stop`.
program sinkhorn_checks
  use, intrinsic :: iso_c_binding, only: c_double, c_int32_t, c_size_t, c_ptr, c_loc, c_sizeof, c_intptr_t
  use, intrinsic :: iso_fortran_env, only: int64
  use, intrinsic :: ieee_arithmetic, only: ieee_is_nan, ieee_is_finite
  use nksolve
  implicit none

  integer :: passed = 0, failed = 0

  call print_layout()
  call run()
  write (*, '(i0,a,i0,a)') passed, ' passed, ', failed, ' failed'
  if (failed > 0) error stop 1

contains

  subroutine run()
    type(nks_sinkhorn_t) :: ot, empty, other
    type(nks_sinkhorn_report) :: r, r_points
    real(c_double) :: a(3), b(2), c(3, 2), x(2, 3), y(2, 2), x_wide(3, 3), bad_y(1, 2), bad_a(3)
    real(c_double) :: f(3), g(2), f_points(3), g_points(2), f_long(4), fg_rows(2, 3), p(3, 2), p_wrong(2, 3)
    real(c_double), allocatable :: values(:), values64(:)
    integer, allocatable :: rows(:), cols(:)
    integer(int64), allocatable :: rows64(:), cols64(:)
    integer(c_int32_t) :: s
    integer :: i, j, k

    a = [0.2_c_double, 0.3_c_double, 0.5_c_double]
    b = [0.6_c_double, 0.4_c_double]
    x = reshape([0.0_c_double, 0.0_c_double, 1.0_c_double, 0.0_c_double, 0.0_c_double, 1.0_c_double], [2, 3])
    y = reshape([0.5_c_double, 0.5_c_double, 1.0_c_double, 1.0_c_double], [2, 2])
    do j = 1, 2
      do i = 1, 3
        c(i, j) = (x(1, i) - y(1, j))**2 + (x(2, i) - y(2, j))**2
      end do
    end do

    ! (b) Before create.
    call check(.not. ot%is_created(), 'a new object holds no solver')
    call ot%set_option('eps', 0.1_c_double, stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'set_option before create: NKS_ERR_NULL_POINTER')
    call check(len(ot%last_error()) > 0, 'set_option before create: a message')
    f = 7.0_c_double
    g = 7.0_c_double
    s = ot%solve_dense(a, b, c, f, g)
    call check(s == NKS_ERR_NULL_POINTER, 'solve_dense before create: NKS_ERR_NULL_POINTER')
    call check(all(same(f, 7.0_c_double)) .and. all(same(g, 7.0_c_double)), 'solve_dense before create: f, g untouched')
    call ot%get_report(r, stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'get_report before create: NKS_ERR_NULL_POINTER')

    ! Options.
    call ot%create()
    call check(ot%is_created(), 'create')
    call check(same(ot%get_option('eps'), 0.01_c_double), 'default eps 0.01')
    call check(same(ot%get_option('tol'), 1.0e-9_c_double), 'default tol 1e-9')
    call check(same(ot%get_option('method'), real(NKS_OT_SINKHORN, c_double)), 'default method Sinkhorn')
    call ot%set_option('epsilon', 0.1_c_double, stat=s)
    call check(s == NKS_ERR_UNKNOWN_OPTION, 'unknown option: NKS_ERR_UNKNOWN_OPTION')
    call check(index(ot%last_error(), 'hessian_density') > 0, 'unknown option: the message lists the names')
    call check(ieee_is_nan(ot%get_option('epsilon', stat=s)) .and. s == NKS_ERR_UNKNOWN_OPTION, &
               'get_option of an unknown name: NaN and NKS_ERR_UNKNOWN_OPTION')
    call ot%set_option('eps', -1.0_c_double, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'eps = -1: NKS_ERR_INVALID_ARGUMENT')
    call check(same(ot%get_option('eps'), 0.01_c_double), 'a refused eps keeps the option')
    call ot%set_option('method', 2.0_c_double, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'method = 2: NKS_ERR_INVALID_ARGUMENT')
    call ot%set_option('eps', 0.1_c_double)
    call ot%set_option('tol', 1.0e-11_c_double)
    call check(same(ot%get_option('eps'), 0.1_c_double), 'eps set to 0.1')

    ! The plan and the report before any solve.
    call ot%get_report(r)
    call check(r%termination == NKS_TERMINATION_NOT_STARTED, 'report before any solve: not started')
    call check(ot%plan_nnz(0.0_c_double, stat=s) == -1 .and. s == NKS_ERR_INVALID_STATE, &
               'plan_nnz before any solve: -1 and NKS_ERR_INVALID_STATE')
    call ot%plan_sparse(0.0_c_double, rows, cols, values, stat=s)
    call check(s == NKS_ERR_INVALID_STATE .and. size(rows) == 0 .and. size(cols) == 0 .and. size(values) == 0, &
               'plan_sparse before any solve: NKS_ERR_INVALID_STATE and zero-size arrays')
    p = -1.0_c_double
    call ot%plan_dense(p, stat=s)
    call check(s == NKS_ERR_INVALID_STATE .and. all(same(p, -1.0_c_double)), &
               'plan_dense before any solve: NKS_ERR_INVALID_STATE, p untouched')

    ! (c) Size mismatches, caught before the library reads anything.
    s = ot%solve_dense(a(1:2), b, c, f, g)
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. index(ot%last_error(), 'a has 2 weights but c has 3 rows') > 0, &
               'solve_dense, a too short: NKS_ERR_DIMENSION_MISMATCH naming a and c')
    s = ot%solve_dense(a, b, c, f_long, g)
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. index(ot%last_error(), 'f has 4 entries') > 0, &
               'solve_dense, f too long: NKS_ERR_DIMENSION_MISMATCH naming f')
    s = ot%solve_dense(a, b, c(:, 1:1), f, g)
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. index(ot%last_error(), 'b has 2 weights but c has 1 columns') > 0, &
               'solve_dense, c too narrow: NKS_ERR_DIMENSION_MISMATCH naming b and c')
    bad_y = 0.0_c_double
    s = ot%solve_points(a, b, x, bad_y, 2.0_c_double, f, g)
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. index(ot%last_error(), 'x is 2 x 3 but y is 1 x 2') > 0, &
               'solve_points, clouds of two dimensions: NKS_ERR_DIMENSION_MISMATCH')
    s = ot%solve_points(a, b(1:1), x, y, 2.0_c_double, f, g)
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. index(ot%last_error(), 'y has 2 points') > 0, &
               'solve_points, b too short: NKS_ERR_DIMENSION_MISMATCH')
    s = ot%solve_points(a, b, x, y, 2.0_c_double, f, g(1:1))
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. index(ot%last_error(), 'g has 1 entries') > 0, &
               'solve_points, g too short: NKS_ERR_DIMENSION_MISMATCH')
    ! ... and what the library refuses.
    bad_a = [0.2_c_double, -0.3_c_double, 1.1_c_double]
    s = ot%solve_dense(bad_a, b, c, f, g)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. len(ot%last_error()) > 0, &
               'a negative weight: NKS_ERR_INVALID_ARGUMENT with a message')
    s = ot%solve_points(a, b, x, y, 3.0_c_double, f, g)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'p = 3: NKS_ERR_INVALID_ARGUMENT')
    call check(all(same(f, 7.0_c_double)) .and. all(same(g, 7.0_c_double)), 'refused solves leave f, g untouched')

    ! (d) The dense problem.
    s = ot%solve_dense(a, b, c, f, g)
    call check(s == NKS_OK, 'solve_dense converges')
    call ot%get_report(r)
    call check(r%status == NKS_OK .and. r%termination == NKS_TERMINATION_CONVERGED_ATOL, &
               'report: status NKS_OK, converged')
    call check(r%method == NKS_OT_SINKHORN .and. r%newton_iterations == 0, 'report: Sinkhorn, no Newton steps')
    call check(r%iterations > 0 .and. r%iterations == r%sinkhorn_iterations + r%newton_iterations, &
               'report: iterations = sinkhorn_iterations + newton_iterations')
    call check(r%marginal_error <= 1.0e-11_c_double .and. same(r%eps, 0.1_c_double), 'report: marginal error, eps')
    call check(r%transport_cost > 0.0_c_double .and. r%regularized_cost > 0.0_c_double, 'report: costs')
    call ot%plan_dense(p)
    call check(all(abs(sum(p, 2) - a) <= 1.0e-10_c_double) .and. all(abs(sum(p, 1) - b) <= 1.0e-10_c_double), &
               'plan_dense: the marginals are a and b')
    do j = 1, 2
      do i = 1, 3
        call check(abs(p(i, j) - a(i)*b(j)*exp((f(i) + g(j) - c(i, j))/0.1_c_double)) <= 1.0e-12_c_double*p(i, j), &
                   'plan_dense: P(i, j) = a(i) b(j) exp((f(i) + g(j) - C(i, j)) / eps)')
      end do
    end do
    call check(abs(sum(p*c) - r%transport_cost) <= 1.0e-12_c_double, 'report: transport_cost = <C, P>')
    call ot%plan_dense(p_wrong, stat=s)
    call check(s == NKS_ERR_DIMENSION_MISMATCH, 'plan_dense into a 2 x 3 array: NKS_ERR_DIMENSION_MISMATCH')
    call check(ot%plan_nnz(0.0_c_double) == 6, 'plan_nnz(0): all 6 entries')
    call ot%plan_sparse(0.0_c_double, rows, cols, values)
    call check(size(rows) == 6 .and. size(cols) == 6 .and. size(values) == 6, 'plan_sparse(0): 6 entries')
    call check(all(rows == [1, 1, 2, 2, 3, 3]) .and. all(cols == [1, 2, 1, 2, 1, 2]), &
               'plan_sparse: 1-based rows and columns, row-major order')
    call check(all([(abs(values(k) - p(rows(k), cols(k))) <= 1.0e-15_c_double*p(rows(k), cols(k)), k = 1, 6)]), &
               'plan_sparse: the values of plan_dense')
    call ot%plan_sparse(0.0_c_double, rows64, cols64, values64)
    call check(all(rows64 == rows) .and. all(cols64 == cols) .and. all(same(values64, values)), &
               'plan_sparse with 64-bit rows and columns: the same entries')
    call ot%plan_sparse(2.0_c_double, rows, cols, values, stat=s)
    call check(s == NKS_OK .and. size(rows) == 0 .and. size(values) == 0 .and. ot%plan_nnz(2.0_c_double) == 0, &
               'plan_sparse above every entry: no entries')
    call ot%plan_sparse(maxval(p), rows, cols, values)
    call check(size(values) == 1 .and. same(values(1), maxval(p)), 'plan_sparse at the largest entry: one entry')
    call check(rows(1) == maxloc(maxval(p, 2), 1) .and. cols(1) == maxloc(maxval(p, 1), 1), &
               'plan_sparse at the largest entry: its row and column')
    ! A refused solve keeps the previous problem.
    s = ot%solve_dense(bad_a, b, c, f, g)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. ot%plan_nnz(0.0_c_double) == 6, 'a refused solve keeps the plan')

    ! The same problem as point clouds.
    s = ot%solve_points(a, b, x, y, 2.0_c_double, f_points, g_points)
    call check(s == NKS_OK, 'solve_points converges')
    call ot%get_report(r_points)
    call check(abs(r_points%transport_cost - r%transport_cost) <= 1.0e-12_c_double, &
               'solve_points with p = 2: the dense cost''s transport cost')
    call check(all(abs(f_points - f) <= 1.0e-12_c_double) .and. all(abs(g_points - g) <= 1.0e-12_c_double), &
               'solve_points with p = 2: the dense cost''s potentials')
    ! Sections that are not contiguous: x as rows 1:2 of a 3 x 3 array, f as a row of a 2 x 3.
    x_wide(1:2, :) = x
    x_wide(3, :) = 100.0_c_double
    fg_rows = 0.0_c_double
    s = ot%solve_points(a, b, x_wide(1:2, :), y, 2.0_c_double, fg_rows(2, :), g)
    call ot%get_report(r)
    call check(s == NKS_OK .and. same(r%transport_cost, r_points%transport_cost), &
               'solve_points on a strided section of the clouds: the same result')
    call check(all(same(fg_rows(2, :), f_points)) .and. all(same(fg_rows(1, :), 0.0_c_double)), &
               'solve_points into a strided section of f: written back in place')

    ! SNS.
    call ot%set_option('method', real(NKS_OT_SNS, c_double))
    s = ot%solve_points(a, b, x, y, 2.0_c_double, f, g)
    call ot%get_report(r)
    call check(s == NKS_OK .and. r%method == NKS_OT_SNS, 'SNS converges, the report says SNS')
    call check(abs(r%transport_cost - r_points%transport_cost) <= 1.0e-9_c_double, 'SNS: the same transport cost')
    call check(r%iterations == r%sinkhorn_iterations + r%newton_iterations, 'SNS: iterations add up')

    ! The iteration limit: a usable, unconverged result.
    call ot%set_option('method', real(NKS_OT_SINKHORN, c_double))
    call ot%set_option('max_iterations', 1.0_c_double)
    f = 7.0_c_double
    s = ot%solve_dense(a, b, c, f, g)
    call ot%get_report(r)
    call check(s == NKS_MAX_ITERATIONS .and. r%status == NKS_MAX_ITERATIONS, 'max_iterations 1: NKS_MAX_ITERATIONS')
    call check(r%termination == NKS_TERMINATION_MAX_ITERATIONS .and. r%iterations == 1, &
               'max_iterations 1: one iteration, terminated by the limit')
    call check(all(ieee_is_finite(f)) .and. all(ieee_is_finite(g)) .and. .not. all(same(f, 7.0_c_double)), &
               'max_iterations 1: potentials written')

    ! A warm start from converged potentials.
    call ot%set_option('max_iterations', 1000.0_c_double)
    f = f_points
    g = g_points
    call ot%set_option('use_initial_guess', 1.0_c_double)
    s = ot%solve_points(a, b, x, y, 2.0_c_double, f, g)
    call ot%get_report(r)
    call check(s == NKS_OK .and. r%iterations <= 2, 'a warm start from converged potentials converges at once')

    ! Copying and freeing.
    other = empty
    call check(.not. other%is_created(), 'assigning an object that holds no solver')
    call ot%create()
    call check(same(ot%get_option('eps'), 0.01_c_double), 'create again: a fresh solver with the defaults')
    call ot%free()
    call ot%free()
    call check(.not. ot%is_created(), 'free twice')
    call ot%get_report(r, stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'get_report after free: NKS_ERR_NULL_POINTER')
    call empty%free()
  end subroutine run

  subroutine check(ok, what)
    logical, intent(in) :: ok
    character(len=*), intent(in) :: what
    if (ok) then
      passed = passed + 1
    else
      failed = failed + 1
      write (*, '(a)') 'FAILED: '//what
    end if
  end subroutine check

  !> Exact equality of two reals (`==` on reals is refused by -Werror=compare-reals).
  elemental logical function same(a, b)
    real(c_double), intent(in) :: a, b
    same = abs(a - b) <= 0.0_c_double
  end function same

  !> Byte offset of `field` from `base`.
  integer(c_intptr_t) function offset(base, field)
    type(c_ptr), intent(in) :: base, field
    offset = transfer(field, 0_c_intptr_t) - transfer(base, 0_c_intptr_t)
  end function offset

  !> Prints the size and field offsets of `nks_sinkhorn_report` ("sinkhorn_layout ...").
  subroutine print_layout()
    type(nks_sinkhorn_report), target :: r
    type(c_ptr) :: b
    b = c_loc(r)
    write (*, '(a,16(a,i0))') 'sinkhorn_layout', ' size=', c_sizeof(r), &
      ' status=', offset(b, c_loc(r%status)), ' termination=', offset(b, c_loc(r%termination)), &
      ' method=', offset(b, c_loc(r%method)), ' iterations=', offset(b, c_loc(r%iterations)), &
      ' sinkhorn_iterations=', offset(b, c_loc(r%sinkhorn_iterations)), &
      ' newton_iterations=', offset(b, c_loc(r%newton_iterations)), &
      ' fallback_steps=', offset(b, c_loc(r%fallback_steps)), ' cg_iterations=', offset(b, c_loc(r%cg_iterations)), &
      ' hessian_density=', offset(b, c_loc(r%hessian_density)), &
      ' marginal_error=', offset(b, c_loc(r%marginal_error)), &
      ' transport_cost=', offset(b, c_loc(r%transport_cost)), &
      ' regularized_cost=', offset(b, c_loc(r%regularized_cost)), ' eps=', offset(b, c_loc(r%eps)), &
      ' exact_lines=', offset(b, c_loc(r%exact_lines)), ' seconds=', offset(b, c_loc(r%seconds))
  end subroutine print_layout

end program sinkhorn_checks
"#;

/// The checks of `nks_constrained_t`, a Fortran program written into the test's scratch folder.
const CONSTRAINED_CHECKS: &str = r#"!> Layout and error paths of the Fortran binding's equality-constrained solver,
!> `nks_constrained_t` (written out and run by tests/bindings_fortran.rs):
!>   (a) prints the layouts of `type(nks_constrained_report)` and `type(nks_constrained_record)`
!>       ("constrained_layout size=... field=offset ...", "constrained_record_layout ...") for
!>       the Rust test to compare with the C structs;
!>   (b) calls before `create` and after `free` fail with NKS_ERR_NULL_POINTER; unknown option
!>       names and values out of range are refused with the library's message, keeping the
!>       option; a solve without oracles, sparse rows before the oracles and Kaczmarz without
!>       sparse rows are NKS_ERR_INVALID_STATE; a missing oracle is named;
!>   (c) sparse rows of the wrong lengths are caught in Fortran before the library reads them;
!>       a malformed pattern is refused by the library, naming the array; 0- and 1-based patterns
!>       give the same solve;
!>   (d) HS6 (min (1 - x1)^2 s.t. 10 (x2 - x1^2) = 0) by each inner solver: the report's oracle
!>       counts are the calls the oracles counted, the 1-based iteration records, the last point
!>       and its multipliers (written only on success), a preconditioner, the monitor (stopping,
!>       re-entering), oracle failures, the iteration limit and bad input.
!> Ends with "N passed, M failed"; any failure ends with `error stop`.
module hs6_checks
  use, intrinsic :: iso_c_binding, only: c_double, c_int, c_int32_t, c_size_t, c_ptr, c_null_ptr, c_f_pointer
  use nksolve
  implicit none
  private
  public :: hs6_t, hs6_objective, hs6_gradient, hs6_constraints, hs6_jacobian_vector, hs6_jacobian_transpose, &
    hs6_hessian_vector, hs6_jacobian_values, hs6_hessian_values, hs6_preconditioner, hs6_monitor

  !> The host's data: its own call counts, failures to inject and what the monitor saw.
  type :: hs6_t
    integer(c_size_t) :: objective_calls = 0, gradient_calls = 0, constraint_calls = 0, jv_calls = 0, jtw_calls = 0
    integer(c_size_t) :: hv_calls = 0, matrix_calls = 0, precond_calls = 0, monitor_calls = 0
    !> The objective returns `fail_code` on call `fail_at` (0: never).
    integer(c_size_t) :: fail_at = 0
    integer(c_int) :: fail_code = 0
    !> The Jacobian-vector product returns `fail_code` on call `fail_jv_at` (0: never).
    integer(c_size_t) :: fail_jv_at = 0
    !> The monitor stops the solve at this iteration (0: never).
    integer(c_size_t) :: stop_at = 0
    !> What the monitor saw: iterations increasing, statuses 0, the lengths of x and lambda.
    logical :: monitor_ok = .true.
    integer(c_size_t) :: last_iteration = 0
    !> The handle that is solving, for the monitor's re-entry, and the status that got.
    type(c_ptr) :: handle = c_null_ptr
    integer(c_int32_t) :: reentry_status = 0
  end type hs6_t

contains

  function hs6_objective(x, n, f, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(out) :: f
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(hs6_t), pointer :: p
    call c_f_pointer(user_data, p)
    p%objective_calls = p%objective_calls + 1
    f = (1.0_c_double - x(1))**2
    code = 0
    if (p%objective_calls == p%fail_at) code = p%fail_code
  end function hs6_objective

  function hs6_gradient(x, n, g, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(out) :: g(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(hs6_t), pointer :: p
    call c_f_pointer(user_data, p)
    p%gradient_calls = p%gradient_calls + 1
    g = [-2.0_c_double*(1.0_c_double - x(1)), 0.0_c_double]
    code = 0
  end function hs6_gradient

  function hs6_constraints(x, n, c, m, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    integer(c_size_t), value :: m
    real(c_double), intent(out) :: c(m)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(hs6_t), pointer :: p
    call c_f_pointer(user_data, p)
    p%constraint_calls = p%constraint_calls + 1
    c(1) = 10.0_c_double*(x(2) - x(1)**2)
    code = 0
  end function hs6_constraints

  function hs6_jacobian_vector(x, v, n, jv, m, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: v(n)
    integer(c_size_t), value :: m
    real(c_double), intent(out) :: jv(m)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(hs6_t), pointer :: p
    call c_f_pointer(user_data, p)
    p%jv_calls = p%jv_calls + 1
    jv(1) = -20.0_c_double*x(1)*v(1) + 10.0_c_double*v(2)
    code = 0
    if (p%jv_calls == p%fail_jv_at) code = p%fail_code
  end function hs6_jacobian_vector

  function hs6_jacobian_transpose(x, w, m, jtw, n, user_data) bind(c) result(code)
    integer(c_size_t), value :: m
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: w(m)
    real(c_double), intent(out) :: jtw(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(hs6_t), pointer :: p
    call c_f_pointer(user_data, p)
    p%jtw_calls = p%jtw_calls + 1
    jtw = [-20.0_c_double*x(1)*w(1), 10.0_c_double*w(1)]
    code = 0
  end function hs6_jacobian_transpose

  function hs6_hessian_vector(x, lambda, v, n, m, hv, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    integer(c_size_t), value :: m
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: lambda(m)
    real(c_double), intent(in) :: v(n)
    real(c_double), intent(out) :: hv(n)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(hs6_t), pointer :: p
    call c_f_pointer(user_data, p)
    p%hv_calls = p%hv_calls + 1
    hv = [(2.0_c_double - 20.0_c_double*lambda(1))*v(1), 0.0_c_double*x(2)]
    code = 0
  end function hs6_hessian_vector

  function hs6_jacobian_values(x, n, values, nnz, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    real(c_double), intent(in) :: x(n)
    integer(c_size_t), value :: nnz
    real(c_double), intent(out) :: values(nnz)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(hs6_t), pointer :: p
    call c_f_pointer(user_data, p)
    p%matrix_calls = p%matrix_calls + 1
    values = [-20.0_c_double*x(1), 10.0_c_double]
    code = 0
  end function hs6_jacobian_values

  function hs6_hessian_values(x, lambda, n, m, values, nnz, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    integer(c_size_t), value :: m
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: lambda(m)
    integer(c_size_t), value :: nnz
    real(c_double), intent(out) :: values(nnz)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(hs6_t), pointer :: p
    call c_f_pointer(user_data, p)
    p%matrix_calls = p%matrix_calls + 1
    values = [2.0_c_double - 20.0_c_double*lambda(1), 0.0_c_double, 0.0_c_double, 0.0_c_double*x(1)]
    code = 0
  end function hs6_hessian_values

  !> diag(|H| + 1, J J^T / 4 + 1)^{-1}: symmetric positive definite.
  function hs6_preconditioner(x, lambda, r, n, m, z, user_data) bind(c) result(code)
    integer(c_size_t), value :: n
    integer(c_size_t), value :: m
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: lambda(m)
    real(c_double), intent(in) :: r(n + m)
    real(c_double), intent(out) :: z(n + m)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(hs6_t), pointer :: p
    call c_f_pointer(user_data, p)
    p%precond_calls = p%precond_calls + 1
    z(1) = r(1)/(abs(2.0_c_double - 20.0_c_double*lambda(1)) + 1.0_c_double)
    z(2) = r(2)
    z(3) = r(3)/((400.0_c_double*x(1)**2 + 100.0_c_double)/4.0_c_double + 1.0_c_double)
    code = 0
  end function hs6_preconditioner

  !> Records what it sees, tries to read the report of the handle that is solving (refused), and
  !> stops the solve at iteration `stop_at`.
  function hs6_monitor(report, x, n, lambda, m, user_data) bind(c) result(code)
    type(nks_constrained_report), intent(in) :: report
    integer(c_size_t), value :: n
    integer(c_size_t), value :: m
    real(c_double), intent(in) :: x(n)
    real(c_double), intent(in) :: lambda(m)
    type(c_ptr), value :: user_data
    integer(c_int) :: code
    type(hs6_t), pointer :: p
    type(nks_constrained_report) :: inner
    call c_f_pointer(user_data, p)
    p%monitor_calls = p%monitor_calls + 1
    p%monitor_ok = p%monitor_ok .and. report%iterations > p%last_iteration .and. report%status == 0 .and. &
                   report%termination == NKS_TERMINATION_NOT_STARTED .and. size(x) == 2 .and. size(lambda) == 1
    p%last_iteration = report%iterations
    p%reentry_status = nks_constrained_get_report(p%handle, inner)
    code = 0
    if (report%iterations == p%stop_at) code = 1
  end function hs6_monitor

end module hs6_checks

program constrained_checks
  use, intrinsic :: iso_c_binding, only: c_double, c_int32_t, c_int64_t, c_size_t, c_ptr, c_loc, c_sizeof, &
    c_intptr_t
  use, intrinsic :: ieee_arithmetic, only: ieee_is_nan, ieee_value, ieee_quiet_nan
  use nksolve
  use hs6_checks
  implicit none

  integer :: passed = 0, failed = 0

  call print_layouts()
  call run()
  write (*, '(i0,a,i0,a)') passed, ' passed, ', failed, ' failed'
  if (failed > 0) error stop 1

contains

  subroutine run()
    integer(c_int64_t), parameter :: jrp(2) = [1_c_int64_t, 3_c_int64_t], jci(2) = [1_c_int64_t, 2_c_int64_t]
    integer(c_int64_t), parameter :: hrp(3) = [1_c_int64_t, 3_c_int64_t, 5_c_int64_t]
    integer(c_int64_t), parameter :: hci(4) = [1_c_int64_t, 2_c_int64_t, 1_c_int64_t, 2_c_int64_t]
    type(nks_constrained_t) :: cs, empty, other
    type(nks_constrained_report) :: r
    type(nks_constrained_record) :: rec
    type(hs6_t), target :: p
    real(c_double) :: x(2), lambda(1), start(2), x_k(2), lambda_k(1), x_last(2), lambda_last(1), lambda_long(2)
    real(c_double) :: x_long(3)
    integer(c_int32_t) :: s
    integer :: k

    start = [-1.2_c_double, 1.0_c_double]

    ! (b) Before create.
    call check(.not. cs%is_created(), 'a new object holds no solver')
    call cs%set_option('seed', 1.0_c_double, stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'set_option before create: NKS_ERR_NULL_POINTER')
    call check(len(cs%last_error()) > 0, 'set_option before create: a message')
    x = start
    lambda = 7.0_c_double
    s = cs%solve(x, lambda)
    call check(s == NKS_ERR_NULL_POINTER .and. all(same(x, start)) .and. same(lambda(1), 7.0_c_double), &
               'solve before create: NKS_ERR_NULL_POINTER, x and lambda untouched')
    call cs%get_report(r, stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'get_report before create: NKS_ERR_NULL_POINTER')

    ! Options.
    call cs%create()
    call check(cs%is_created(), 'create')
    call check(same(cs%get_option('kkt_solver'), real(NKS_KKT_GAUSSIAN_SKETCH, c_double)), 'default kkt_solver: sketch')
    call check(same(cs%get_option('stationarity_tol'), 1.0e-6_c_double), 'default stationarity_tol 1e-6')
    call check(same(cs%get_option('max_iterations'), 1000.0_c_double), 'default max_iterations 1000')
    call cs%set_option('tolerance', 1.0_c_double, stat=s)
    call check(s == NKS_ERR_UNKNOWN_OPTION .and. index(cs%last_error(), 'kkt_solver') > 0, &
               'unknown option: NKS_ERR_UNKNOWN_OPTION listing the names')
    call check(ieee_is_nan(cs%get_option('tolerance', stat=s)) .and. s == NKS_ERR_UNKNOWN_OPTION, &
               'get_option of an unknown name: NaN and NKS_ERR_UNKNOWN_OPTION')
    call cs%set_option('kkt_solver', 3.0_c_double, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. same(cs%get_option('kkt_solver'), 0.0_c_double), &
               'kkt_solver = 3: NKS_ERR_INVALID_ARGUMENT, the option kept')

    ! Before any oracles and any solve.
    call cs%get_report(r)
    call check(r%termination == NKS_TERMINATION_NOT_STARTED .and. r%records == 0, 'report before any solve: not started')
    call cs%get_point(x_k, lambda_k, stat=s)
    call check(s == NKS_ERR_INVALID_STATE, 'get_point before any solve: NKS_ERR_INVALID_STATE')
    call cs%get_record(1, rec, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'get_record before any solve: NKS_ERR_INVALID_ARGUMENT')
    call cs%get_record(0, rec, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. index(cs%last_error(), 'numbered from 1') > 0, &
               'get_record(0): NKS_ERR_INVALID_ARGUMENT, records count from 1')
    s = cs%solve(x, lambda)
    call check(s == NKS_ERR_INVALID_STATE .and. index(cs%last_error(), 'nks_constrained_set_oracles') > 0, &
               'solve without oracles: NKS_ERR_INVALID_STATE naming set_oracles')
    call cs%set_sparse_rows(jrp, jci, hs6_jacobian_values, hrp, hci, hs6_hessian_values, c_loc(p), stat=s)
    call check(s == NKS_ERR_INVALID_STATE, 'sparse rows before the oracles: NKS_ERR_INVALID_STATE')

    ! The oracles: every one is required, and m >= 1.
    call cs%set_oracles(1, hs6_objective, constraints=hs6_constraints, jacobian_vector=hs6_jacobian_vector, &
                        jacobian_transpose=hs6_jacobian_transpose, hessian_vector=hs6_hessian_vector, &
                        user_data=c_loc(p), stat=s)
    call check(s == NKS_ERR_NULL_POINTER .and. index(cs%last_error(), 'gradient') > 0, &
               'set_oracles without the gradient: NKS_ERR_NULL_POINTER naming it')
    call cs%set_oracles(0, hs6_objective, hs6_gradient, hs6_constraints, hs6_jacobian_vector, &
                        hs6_jacobian_transpose, hs6_hessian_vector, c_loc(p), stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'm = 0: NKS_ERR_INVALID_ARGUMENT')
    s = cs%solve(x, lambda)
    call check(s == NKS_ERR_INVALID_STATE, 'the refused set_oracles calls set nothing')
    call cs%set_oracles(1, hs6_objective, hs6_gradient, hs6_constraints, hs6_jacobian_vector, &
                        hs6_jacobian_transpose, hs6_hessian_vector, c_loc(p))

    ! Kaczmarz needs the sparse rows.
    call cs%set_option('kkt_solver', real(NKS_KKT_KACZMARZ, c_double))
    s = cs%solve(x, lambda)
    call check(s == NKS_ERR_INVALID_STATE .and. all(same(x, start)), 'Kaczmarz without sparse rows: NKS_ERR_INVALID_STATE')

    ! (c) Sparse rows of the wrong lengths, caught before the library reads them ...
    call cs%set_sparse_rows([1_c_int64_t, 2_c_int64_t, 3_c_int64_t], jci, hs6_jacobian_values, hrp, hci, &
                            hs6_hessian_values, c_loc(p), stat=s)
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. index(cs%last_error(), 'm + 1 = 2') > 0, &
               'jacobian_row_ptr of 3 entries for m = 1: NKS_ERR_DIMENSION_MISMATCH')
    call cs%set_sparse_rows(jrp, jci, hs6_jacobian_values, hrp, hci(1:3), hs6_hessian_values, c_loc(p), stat=s)
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. index(cs%last_error(), 'hessian_col_idx has 3') > 0, &
               'hessian_col_idx too short: NKS_ERR_DIMENSION_MISMATCH')
    call cs%set_sparse_rows(jrp, jci, hs6_jacobian_values, hrp(1:1), hci, hs6_hessian_values, c_loc(p), stat=s)
    call check(s == NKS_ERR_DIMENSION_MISMATCH, 'hessian_row_ptr of 1 entry: NKS_ERR_DIMENSION_MISMATCH')
    call cs%set_sparse_rows(jrp, jci, hs6_jacobian_values, hrp, hci, hs6_hessian_values, c_loc(p), index_base=2, &
                            stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'index_base = 2: NKS_ERR_INVALID_ARGUMENT')
    ! ... and a malformed pattern, refused by the library.
    call cs%set_sparse_rows(jrp, jci, hs6_jacobian_values, hrp, [1_c_int64_t, 2_c_int64_t, 1_c_int64_t, 3_c_int64_t], &
                            hs6_hessian_values, c_loc(p), stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT .and. index(cs%last_error(), 'hessian_col_idx') > 0, &
               'a column index out of range: NKS_ERR_INVALID_ARGUMENT naming hessian_col_idx')
    s = cs%solve(x, lambda)
    call check(s == NKS_ERR_INVALID_STATE, 'refused sparse rows set nothing')

    ! (d) Kaczmarz on 1-based sparse rows: converges, and the counts are the oracles' own.
    call cs%set_sparse_rows(jrp, jci, hs6_jacobian_values, hrp, hci, hs6_hessian_values, c_loc(p))
    lambda_long = 0.0_c_double
    s = cs%solve(x, lambda_long)
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. all(same(x, start)), &
               'two multipliers for one constraint: NKS_ERR_DIMENSION_MISMATCH, x untouched')
    x_long = 0.0_c_double
    s = cs%solve(x_long, lambda)
    call check(s == NKS_ERR_DIMENSION_MISMATCH, 'sparse rows for n = 2, a solve with n = 3: NKS_ERR_DIMENSION_MISMATCH')
    p = hs6_t()
    x = start
    lambda = 0.0_c_double
    s = cs%solve(x, lambda)
    call cs%get_report(r)
    call check(s == NKS_OK .and. r%status == NKS_OK .and. r%termination == NKS_TERMINATION_CONVERGED_KKT, &
               'Kaczmarz: converged (NKS_TERMINATION_CONVERGED_KKT)')
    call check(r%kkt_solver == NKS_KKT_KACZMARZ .and. r%callback_code == 0, 'Kaczmarz: the report says Kaczmarz')
    call check(maxval(abs(x - 1.0_c_double)) <= 1.0e-6_c_double .and. r%objective <= 1.0e-12_c_double, &
               'Kaczmarz: x = (1, 1), f = 0')
    call check(r%stationarity <= 1.0e-6_c_double .and. r%feasibility <= 1.0e-6_c_double .and. &
               r%initial_feasibility > 1.0_c_double, 'Kaczmarz: the KKT residuals')
    call check(counts_agree(p, r) .and. r%matrix_evaluations > 0, 'Kaczmarz: the report counts the oracles'' calls')
    call check(r%records == r%iterations .and. r%iterations > 0, 'Kaczmarz: one record per iteration')
    call cs%get_record(1, rec)
    call check(same(rec%feasibility, r%initial_feasibility) .and. rec%inner_iterations > 0 .and. &
               rec%step_length > 0.0_c_double, 'record 1: the start of the first iteration')
    call cs%get_record(int(r%records), rec)
    call check(rec%step_length > 0.0_c_double .and. rec%eta1 > 0.0_c_double, 'the last record')
    call cs%get_record(int(r%records) + 1, rec, stat=s)
    call check(s == NKS_ERR_INVALID_ARGUMENT, 'a record past the last: NKS_ERR_INVALID_ARGUMENT')
    call cs%get_point(x_k, lambda_k)
    call check(all(same(x_k, x)) .and. all(same(lambda_k, lambda)), 'get_point: the solution and its multipliers')
    call cs%get_point(x_k)
    call check(all(same(x_k, x)), 'get_point without lambda')
    x_k = -5.0_c_double
    lambda_long = -5.0_c_double
    call cs%get_point(x_k, lambda_long, stat=s)
    call check(s == NKS_ERR_DIMENSION_MISMATCH .and. all(same(x_k, -5.0_c_double)) .and. &
               all(same(lambda_long, -5.0_c_double)), 'get_point with two multipliers: NKS_ERR_DIMENSION_MISMATCH, untouched')
    call cs%get_point(x_long, stat=s)
    call check(s == NKS_ERR_DIMENSION_MISMATCH, 'get_point into 3 entries: NKS_ERR_DIMENSION_MISMATCH')

    ! The same rows numbered from 0 give the same solve.
    x_last = x
    x = start
    call cs%set_sparse_rows(jrp - 1, jci - 1, hs6_jacobian_values, hrp - 1, hci - 1, hs6_hessian_values, c_loc(p), &
                            index_base=0)
    s = cs%solve(x, lambda)
    call check(s == NKS_OK .and. all(same(x, x_last)), '0-based sparse rows: the same solve')

    ! The Gaussian sketch and MINRES, with and without a preconditioner.
    do k = 0, 2, 2
      call cs%set_option('kkt_solver', real(k, c_double))
      p = hs6_t()
      x = start
      s = cs%solve(x, lambda)
      call cs%get_report(r)
      call check(s == NKS_OK .and. r%kkt_solver == k .and. maxval(abs(x - 1.0_c_double)) <= 1.0e-6_c_double, &
                 'the sketch and MINRES converge')
      call check(counts_agree(p, r) .and. r%matrix_evaluations == 0 .and. r%preconditioner_calls == 0, &
                 'the sketch and MINRES: the counts, no matrix values, no preconditioner')
    end do
    call cs%set_preconditioner(hs6_preconditioner, c_loc(p))
    p = hs6_t()
    x = start
    s = cs%solve(x, lambda)
    call cs%get_report(r)
    call check(s == NKS_OK .and. r%preconditioner_calls > 0 .and. counts_agree(p, r), &
               'MINRES with a preconditioner: converges, counts its calls')
    call cs%clear_preconditioner()
    x = start
    s = cs%solve(x, lambda)
    call cs%get_report(r)
    call check(s == NKS_OK .and. r%preconditioner_calls == 0, 'the preconditioner removed')

    ! The monitor: sees the running report, x and lambda; cannot use the handle; stops the solve.
    p = hs6_t()
    p%handle = cs%c_handle()
    p%stop_at = 2
    call cs%set_monitor(hs6_monitor, c_loc(p))
    x = start
    lambda = 7.0_c_double
    s = cs%solve(x, lambda)
    call cs%get_report(r)
    call check(s == NKS_ERR_ABORTED .and. r%termination == NKS_TERMINATION_MONITOR_STOP, &
               'the monitor stops the solve: NKS_ERR_ABORTED')
    call check(p%monitor_calls == 2 .and. p%monitor_ok, 'the monitor saw iterations 1 and 2, the running report')
    call check(p%reentry_status == NKS_ERR_INVALID_STATE, 'the monitor cannot use the handle that is solving')
    call check(all(same(x, start)) .and. same(lambda(1), 7.0_c_double), 'an aborted solve leaves x and lambda untouched')
    call cs%get_point(x_last, lambda_last)
    call check(.not. all(same(x_last, start)), 'get_point after an aborted solve: the point reached')
    call cs%clear_monitor()

    ! Oracle failures: < 0 stops the solve with its code; > 0 at the start too, at a trial point
    ! it shortens the step.
    p = hs6_t()
    p%fail_at = 3
    p%fail_code = -7
    x = start
    s = cs%solve(x, lambda)
    call cs%get_report(r)
    call check(s == NKS_ERR_CALLBACK .and. r%callback_code == -7 .and. &
               r%termination == NKS_TERMINATION_CALLBACK_FAILED .and. all(same(x, start)), &
               'an objective returning -7: NKS_ERR_CALLBACK with its code, x untouched')
    p = hs6_t()
    p%fail_at = 1
    p%fail_code = 2
    s = cs%solve(x, lambda)
    call cs%get_report(r)
    call check(s == NKS_ERR_CALLBACK .and. r%callback_code == 2 .and. all(same(x, start)), &
               'an objective that cannot evaluate the start (code 2): NKS_ERR_CALLBACK, x untouched')

    p = hs6_t()
    p%fail_at = 3
    p%fail_code = 1
    x = start
    s = cs%solve(x, lambda)
    call cs%get_report(r)
    call check(s == NKS_OK .and. r%failed_evaluations == 1 .and. maxval(abs(x - 1.0_c_double)) <= 1.0e-6_c_double, &
               'an objective that cannot evaluate a trial point (code 1): the step shortens, the solve converges')

    p = hs6_t()
    p%fail_jv_at = 2
    p%fail_code = 3
    x = start
    s = cs%solve(x, lambda)
    call cs%get_report(r)
    call check(s == NKS_ERR_CALLBACK .and. r%callback_code == 3 .and. all(same(x, start)), &
               'J v returning 3 (at an accepted point): NKS_ERR_CALLBACK with its code')

    ! The iteration limit: a usable, unconverged result.
    p = hs6_t()
    call cs%set_option('max_iterations', 1.0_c_double)
    x = start
    s = cs%solve(x, lambda)
    call cs%get_report(r)
    call check(s == NKS_MAX_ITERATIONS .and. r%termination == NKS_TERMINATION_MAX_ITERATIONS .and. &
               r%iterations == 1 .and. .not. all(same(x, start)), 'max_iterations 1: NKS_MAX_ITERATIONS, x moved')
    call cs%set_option('max_iterations', 1000.0_c_double)

    ! Bad input.
    x = [ieee_value(1.0_c_double, ieee_quiet_nan), 1.0_c_double]
    s = cs%solve(x, lambda)
    call check(s == NKS_ERR_NON_FINITE, 'NaN in x: NKS_ERR_NON_FINITE')

    ! Copying and freeing.
    other = empty
    call check(.not. other%is_created(), 'assigning an object that holds no solver')
    call cs%create()
    call check(same(cs%get_option('kkt_solver'), 0.0_c_double), 'create again: a fresh solver with the defaults')
    s = cs%solve(x, lambda)
    call check(s == NKS_ERR_INVALID_STATE, 'create again: no oracles')
    call cs%free()
    call cs%free()
    call check(.not. cs%is_created(), 'free twice')
    call cs%get_report(r, stat=s)
    call check(s == NKS_ERR_NULL_POINTER, 'get_report after free: NKS_ERR_NULL_POINTER')
    call empty%free()
  end subroutine run

  !> Whether the report's oracle counts are the calls the oracles counted.
  logical function counts_agree(p, r)
    type(hs6_t), intent(in) :: p
    type(nks_constrained_report), intent(in) :: r
    counts_agree = p%objective_calls == r%objective_evaluations .and. p%gradient_calls == r%gradient_evaluations .and. &
                   p%constraint_calls == r%constraint_evaluations .and. p%jv_calls == r%jacobian_products .and. &
                   p%jtw_calls == r%jacobian_transpose_products .and. p%hv_calls == r%hessian_products .and. &
                   p%matrix_calls == r%matrix_evaluations .and. p%precond_calls == r%preconditioner_calls
  end function counts_agree

  subroutine check(ok, what)
    logical, intent(in) :: ok
    character(len=*), intent(in) :: what
    if (ok) then
      passed = passed + 1
    else
      failed = failed + 1
      write (*, '(a)') 'FAILED: '//what
    end if
  end subroutine check

  !> Exact equality of two reals (`==` on reals is refused by -Werror=compare-reals).
  elemental logical function same(a, b)
    real(c_double), intent(in) :: a, b
    same = abs(a - b) <= 0.0_c_double
  end function same

  !> Byte offset of `field` from `base`.
  integer(c_intptr_t) function offset(base, field)
    type(c_ptr), intent(in) :: base, field
    offset = transfer(field, 0_c_intptr_t) - transfer(base, 0_c_intptr_t)
  end function offset

  !> Prints the sizes and field offsets of `nks_constrained_report` ("constrained_layout ...")
  !> and `nks_constrained_record` ("constrained_record_layout ...").
  subroutine print_layouts()
    type(nks_constrained_report), target :: r
    type(nks_constrained_record), target :: k
    type(c_ptr) :: b
    b = c_loc(r)
    write (*, '(a,29(a,i0))') 'constrained_layout', ' size=', c_sizeof(r), &
      ' status=', offset(b, c_loc(r%status)), ' termination=', offset(b, c_loc(r%termination)), &
      ' kkt_solver=', offset(b, c_loc(r%kkt_solver)), ' iterations=', offset(b, c_loc(r%iterations)), &
      ' inner_iterations=', offset(b, c_loc(r%inner_iterations)), &
      ' merit_evaluations=', offset(b, c_loc(r%merit_evaluations)), &
      ' penalty_updates=', offset(b, c_loc(r%penalty_updates)), &
      ' regularized_steps=', offset(b, c_loc(r%regularized_steps)), &
      ' rejected_steps=', offset(b, c_loc(r%rejected_steps)), &
      ' failed_evaluations=', offset(b, c_loc(r%failed_evaluations)), &
      ' objective_evaluations=', offset(b, c_loc(r%objective_evaluations)), &
      ' gradient_evaluations=', offset(b, c_loc(r%gradient_evaluations)), &
      ' constraint_evaluations=', offset(b, c_loc(r%constraint_evaluations)), &
      ' jacobian_products=', offset(b, c_loc(r%jacobian_products)), &
      ' jacobian_transpose_products=', offset(b, c_loc(r%jacobian_transpose_products)), &
      ' hessian_products=', offset(b, c_loc(r%hessian_products)), &
      ' matrix_evaluations=', offset(b, c_loc(r%matrix_evaluations)), &
      ' preconditioner_calls=', offset(b, c_loc(r%preconditioner_calls)), ' records=', offset(b, c_loc(r%records)), &
      ' callback_code=', offset(b, c_loc(r%callback_code)), ' objective=', offset(b, c_loc(r%objective)), &
      ' stationarity=', offset(b, c_loc(r%stationarity)), ' feasibility=', offset(b, c_loc(r%feasibility)), &
      ' initial_stationarity=', offset(b, c_loc(r%initial_stationarity)), &
      ' initial_feasibility=', offset(b, c_loc(r%initial_feasibility)), ' eta1=', offset(b, c_loc(r%eta1)), &
      ' eta2=', offset(b, c_loc(r%eta2)), ' seconds=', offset(b, c_loc(r%seconds))
    b = c_loc(k)
    write (*, '(a,10(a,i0))') 'constrained_record_layout', ' size=', c_sizeof(k), &
      ' stationarity=', offset(b, c_loc(k%stationarity)), ' feasibility=', offset(b, c_loc(k%feasibility)), &
      ' merit=', offset(b, c_loc(k%merit)), ' inner_iterations=', offset(b, c_loc(k%inner_iterations)), &
      ' inner_residual=', offset(b, c_loc(k%inner_residual)), ' eta1=', offset(b, c_loc(k%eta1)), &
      ' eta2=', offset(b, c_loc(k%eta2)), ' regularization=', offset(b, c_loc(k%regularization)), &
      ' step_length=', offset(b, c_loc(k%step_length))
  end subroutine print_layouts

end program constrained_checks
"#;

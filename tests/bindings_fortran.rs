//! The Fortran binding (`bindings/fortran/nksolve.f90`): it mirrors every function, constant and
//! struct of `include/nksolve.h` (its report types, `nks_krylov_report` and `nks_sor_report`,
//! have the C fields in order and the C layout), the Poisson, recycling and SOR-bandit examples
//! print the Rust core's numbers linked against both the shared and the static library (the
//! Poisson one also checks which library each build loads), and the error-path program
//! (`tests/fortran/errors.f90`, recycling and SOR-bandit wrappers included) passes.
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
    assert!(functions.len() >= 52, "found only {} functions in the header", functions.len());
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
    assert!(constants >= 15 + 3 + 3 + 2 + 10 + 5 + 3, "found only {constants} constants in the header");

    // Every C struct has a bind(c) type of the same name with the same fields, in order, of the
    // matching kinds (the layout test below checks the offsets the compiler gives them).
    let structs = header_structs(&header);
    assert!(structs.len() >= 2, "found only {} structs in the header", structs.len());
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

/// Builds the example `source` against the shared and the static library in the scratch folder
/// `scratch`, checks that only the shared build refers to libnksolve.so, checks each output with
/// `check_output(label, stdout)` and that both print the same.
fn check_example_with_both_links(scratch: &str, source: &str, check_output: fn(&str, &str)) {
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
    let summary = out.lines().find(|l| l.ends_with(" failed")).unwrap_or_else(|| panic!("no summary line:\n{out}"));
    let (passed, rest) = summary.split_once(" passed, ").unwrap_or_else(|| panic!("bad summary `{summary}`"));
    assert_eq!(rest, "0 failed", "tests/fortran/errors.f90:\n{out}");
    let passed: usize = passed.parse().unwrap();
    assert!(passed >= 150, "tests/fortran/errors.f90 ran only {passed} checks:\n{out}");

    // type(nks_krylov_report) and type(nks_sor_report) have the C structs' sizes and offsets.
    use nksolve::capi::krylov::nks_krylov_report as R;
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

//! The Fortran binding (`bindings/fortran/nksolve.f90`): it mirrors every function and constant
//! of `include/nksolve.h`, its report type has the C layout, the Poisson and recycling examples
//! print the Rust core's numbers linked against both the shared and the static library, and the
//! error-path program (`tests/fortran/errors.f90`, recycling wrappers included) passes.
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
    assert!(functions.len() >= 28, "found only {} functions in the header", functions.len());
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
    assert!(constants >= 15 + 3 + 3 + 2 + 10 + 3, "found only {constants} constants in the header");
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

    // type(nks_krylov_report) has the C struct's size and field offsets.
    let layout: BTreeMap<String, usize> = common::parse_lines(&out)
        .remove("layout")
        .unwrap_or_else(|| panic!("no layout line:\n{out}"))
        .into_iter()
        .map(|(k, v)| (k, v.parse().unwrap()))
        .collect();
    use nksolve::capi::krylov::nks_krylov_report as R;
    use std::mem::{offset_of, size_of};
    let expected: BTreeMap<String, usize> = [
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
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(layout, expected, "type(nks_krylov_report) layout differs from the C struct");
}

#[test]
fn fortran_recycling_example() {
    if !common::require_tool("gfortran", "the Fortran binding") {
        return;
    }
    let dir = common::scratch("fortran_recycling");
    let module_obj = compile_module(&dir);
    let mut outputs = Vec::new();
    for link in Link::BOTH {
        let label = link.label();
        let exe = build(&dir, &module_obj, "examples/fortran/recycling.f90", &format!("recycling_{label}"), link);
        let refers_to_so = contains_bytes(&std::fs::read(&exe).unwrap(), b"libnksolve.so");
        assert_eq!(refers_to_so, link == Link::Shared, "{label} recycling build: refers to libnksolve.so = {refers_to_so}");
        let out = run(&dir, &exe);
        common::check_recycling_output(&format!("Fortran ({label})"), &out);
        outputs.push(out);
    }
    assert_eq!(outputs[0], outputs[1], "shared and static builds print different results");
}

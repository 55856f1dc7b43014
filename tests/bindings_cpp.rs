//! The C++ binding (`bindings/cpp/nksolve.hpp`): its examples and its tests, compiled with
//! `g++ -std=c++17 -Wall -Wextra -Werror -pedantic` and linked once against the shared and once
//! against the static library.
//!
//! - `examples/cpp/poisson.cpp` must print the same solves as the Rust core (same iteration
//!   counts, residuals below the tolerance, same centre value).
//! - `examples/cpp/recycling.cpp` must print the lines of the Rust recycling example.
//! - `tests/cpp/exceptions.cpp` checks that callback exceptions come back with their own type,
//!   that a monitor returning false gives `NKS_ERR_ABORTED`, that bad arguments give
//!   `nks::Error` with the library's status and message, and that moved solvers keep their
//!   callbacks; it must exit 0 with "N passed, 0 failed".
//! - `tests/cpp/recycling.cpp` checks the recycling wrappers: sequence solves (matrices and an
//!   indexed callable), SKR order, save / load of the recycled space (buffer and file),
//!   `clear_recycled`, `operator_changed`, the report's recycle fields, and their errors.
//! - `examples/cpp/sor_bandit.cpp` must print the lines of the Rust SOR-bandit example.
//! - `tests/cpp/sor_bandit.cpp` checks `nks::SorBandit`: construction and options (by name and
//!   typed), choose / observe (a fixed learner, Young, Tsallis-INF), solves checked against the
//!   recomputed true residual (converged, capped, broken down, refused), probabilities and their
//!   length check, save / load to bytes and files (resuming with the same probabilities and
//!   choices; corrupted input refused with the library's message), and moves.
//! - `examples/cpp/sinkhorn.cpp` must print the lines of the Rust Sinkhorn example.
//! - `tests/cpp/sinkhorn.cpp` checks `nks::Sinkhorn`: options (by name and typed), point-cloud
//!   and dense solves through the vector and pointer + leading-dimension overloads checked
//!   against facts computed there (the plan's marginals, `sum P .* C` = the reported transport
//!   cost, the plan from the potentials, the sparse plan = the dense plan's large entries), SNS,
//!   the iteration cap, the errors of all of these with the library's status and message, the
//!   1D closed form (the sorted matching's W_2^2 and W_1), and moves.
//! - `examples/cpp/newton.cpp` must print the lines of the Rust Newton example (exact counts).
//! - `tests/cpp/newton.cpp` checks `nks::Newton`: options (by name and typed), convergence on a
//!   tridiagonal quadratic for three methods, with separate and combined oracles and a
//!   preconditioner, checked against a direct solve to 1e-8, the iteration cap and the monitor;
//!   the exception path (an exception thrown by any oracle or the monitor reaches the caller
//!   with its type, `x` untouched; `nks::CannotEvaluate` only refuses its point; re-entrant
//!   calls), the errors with the library's status and message, and moves.
//! - `examples/cpp/nonlinear.cpp` must print the lines of the Rust nonlinear-systems example
//!   (exact counts).
//! - `tests/cpp/nonlinear.cpp` checks `nks::Nonlinear`: options (by name and typed, the
//!   refusals naming the option), Newton-Krylov with finite-difference and exact `J v` and a
//!   preconditioner, the GCRO-DR recycle space across solves (kept, cleared, not kept, GMRES),
//!   Levenberg-Marquardt on a least-squares system, each checked against the known solution,
//!   the report's counts and the step records, the iteration cap and the monitor; the
//!   exception path (an exception thrown by any callable reaches the caller with its type, `x`
//!   untouched; `nks::CannotEvaluate` at a trial point is recovered, at the start or from a
//!   product it is an error; re-entrant calls), the errors with the library's status and
//!   message, and moves.
//! - `examples/cpp/constrained.cpp` must print the lines of the Rust constrained-optimisation
//!   example (exact counts, and the same text).
//! - `tests/cpp/constrained.cpp` checks `nks::Constrained`: options (by name and typed, the
//!   refusals naming the option), convergence with the Gaussian sketch, Kaczmarz on sparse rows
//!   (0- and 1-based) and MINRES with and without a preconditioner, each checked against the
//!   known solution and multipliers, the report's counts and the iteration records, the
//!   iteration cap, the monitor and given starting multipliers; the exception path (an
//!   exception thrown by any callable reaches the caller with its type, `x` and `lambda`
//!   untouched; `nks::CannotEvaluate` or a NaN at a trial point is recovered, at the start or
//!   from `J v` it is an error; re-entrant calls), the errors with the library's status and
//!   message (sparse-row lengths and entries included), and moves.

mod common;

use common::Link;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Warnings are errors: the header must stay clean for users who build with them.
const CXXFLAGS: &[&str] = &["-std=c++17", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic"];

/// Compiles `source` (relative to the repository root) into `dir`, linked as `link` says, and
/// checks the executable depends on `libnksolve.so` exactly when linked against it.
fn compile(source: &str, dir: &Path, link: Link) -> PathBuf {
    let root = common::root();
    let stem = Path::new(source).file_stem().unwrap().to_str().unwrap();
    let exe = dir.join(format!("{stem}-{}", link.label()));
    let mut cmd = Command::new("g++");
    cmd.current_dir(&root).args(CXXFLAGS).args(["-Iinclude", "-Ibindings/cpp", source, "-o"]).arg(&exe);
    cmd.args(link.args());
    common::run_ok(&mut cmd);
    let bytes = std::fs::read(&exe).unwrap();
    let needs_so = bytes.windows(b"libnksolve.so".len()).any(|w| w == b"libnksolve.so");
    match link {
        Link::Shared => assert!(needs_so, "{}: not dynamically linked against libnksolve.so", exe.display()),
        Link::Static => assert!(!needs_so, "{}: refers to libnksolve.so despite static linking", exe.display()),
    }
    exe
}

/// Runs `exe` with `args` (it must exit 0) and returns its standard output.
fn run(exe: &Path, args: &[&Path]) -> String {
    let out = common::run_ok(Command::new(exe).args(args));
    String::from_utf8(out.stdout).unwrap()
}

/// Checks the output of a C++ check program (one `ok` / `FAIL` line per check, then
/// "N passed, M failed"): no failure, every section of `sections` (e.g. "(a)") has a passing
/// check, and at least `min_checks` checks ran.
fn check_summary(program: &str, link: Link, stdout: &str, sections: &[&str], min_checks: usize) {
    let label = format!("C++ {program} ({})", link.label());
    let failures: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert!(failures.is_empty(), "{label}: failed checks:\n{}", failures.join("\n"));
    let summary = stdout.lines().last().unwrap_or_default();
    let (passed, rest) = summary.split_once(" passed, ").unwrap_or_else(|| panic!("{label}: no summary line in:\n{stdout}"));
    let passed: usize = passed.parse().unwrap();
    assert_eq!(rest, "0 failed", "{label}: {summary}");
    for part in sections {
        assert!(stdout.lines().any(|l| l.starts_with("ok") && l.contains(part)), "{label}: no passing {part} checks:\n{stdout}");
    }
    assert!(passed >= min_checks, "{label}: only {passed} checks ran:\n{stdout}");
}

#[test]
fn cpp_poisson_example_matches_the_rust_core() {
    if !common::require_tool("g++", "the C++ binding") {
        return;
    }
    let dir = common::scratch("cpp/poisson");
    for link in Link::BOTH {
        let stdout = run(&compile("examples/cpp/poisson.cpp", &dir, link), &[]);
        common::check_poisson_output(&format!("C++ ({})", link.label()), &stdout);
        assert_eq!(stdout.lines().count(), 4, "C++ ({}): exactly the four result lines expected:\n{stdout}", link.label());
    }
}

#[test]
fn cpp_exceptions_and_moves() {
    if !common::require_tool("g++", "the C++ binding") {
        return;
    }
    let dir = common::scratch("cpp/exceptions");
    for link in Link::BOTH {
        let stdout = run(&compile("tests/cpp/exceptions.cpp", &dir, link), &[]);
        // (a) callback exceptions, (b) monitor stop, (c) bad arguments, (d) moves.
        check_summary("exceptions", link, &stdout, &["(a)", "(b)", "(c)", "(d)"], 50);
    }
}

#[test]
fn cpp_recycling_example_matches_the_rust_core() {
    if !common::require_tool("g++", "the C++ binding") {
        return;
    }
    let dir = common::scratch("cpp/recycling-example");
    for link in Link::BOTH {
        let stdout = run(&compile("examples/cpp/recycling.cpp", &dir, link), &[]);
        common::check_recycling_output(&format!("C++ ({})", link.label()), &stdout);
        assert_eq!(stdout.lines().count(), 12, "C++ ({}): exactly the twelve result lines expected:\n{stdout}", link.label());
    }
}

#[test]
fn cpp_recycling_wrappers() {
    if !common::require_tool("g++", "the C++ binding") {
        return;
    }
    let dir = common::scratch("cpp/recycling");
    for link in Link::BOTH {
        let files = dir.join(format!("files-{}", link.label()));
        std::fs::create_dir_all(&files).unwrap();
        let stdout = run(&compile("tests/cpp/recycling.cpp", &dir, link), &[&files]);
        // (a) sequences, (b) their errors, (c) SKR order, (d) save / load, (e) clear, operator_changed, options.
        check_summary("recycling", link, &stdout, &["(a)", "(b)", "(c)", "(d)", "(e)"], 60);
    }
}

#[test]
fn cpp_sor_bandit_example_matches_the_rust_core() {
    if !common::require_tool("g++", "the C++ binding") {
        return;
    }
    let dir = common::scratch("cpp/sor-bandit-example");
    for link in Link::BOTH {
        let stdout = run(&compile("examples/cpp/sor_bandit.cpp", &dir, link), &[]);
        common::check_sor_bandit_output(&format!("C++ ({})", link.label()), &stdout);
        assert_eq!(stdout.lines().count(), 11, "C++ ({}): exactly the eleven result lines expected:\n{stdout}", link.label());
    }
}

#[test]
fn cpp_sor_bandit_wrappers() {
    if !common::require_tool("g++", "the C++ binding") {
        return;
    }
    let dir = common::scratch("cpp/sor-bandit");
    for link in Link::BOTH {
        let files = dir.join(format!("files-{}", link.label()));
        std::fs::create_dir_all(&files).unwrap();
        let stdout = run(&compile("tests/cpp/sor_bandit.cpp", &dir, link), &[&files]);
        // (a) construction and options, (b) choose / observe, (c) solve, (d) probabilities, (e) save / load, (f) moves.
        check_summary("sor_bandit", link, &stdout, &["(a)", "(b)", "(c)", "(d)", "(e)", "(f)"], 60);
    }
}

#[test]
fn cpp_sinkhorn_example_matches_the_rust_core() {
    if !common::require_tool("g++", "the C++ binding") {
        return;
    }
    let dir = common::scratch("cpp/sinkhorn-example");
    for link in Link::BOTH {
        let stdout = run(&compile("examples/cpp/sinkhorn.cpp", &dir, link), &[]);
        common::check_sinkhorn_output(&format!("C++ ({})", link.label()), &stdout);
        assert_eq!(stdout.lines().count(), 4, "C++ ({}): exactly the four result lines expected:\n{stdout}", link.label());
    }
}

#[test]
fn cpp_sinkhorn_wrappers() {
    if !common::require_tool("g++", "the C++ binding") {
        return;
    }
    let dir = common::scratch("cpp/sinkhorn");
    for link in Link::BOTH {
        let stdout = run(&compile("tests/cpp/sinkhorn.cpp", &dir, link), &[]);
        // (a) construction and options, (b) solves and plans, (c) errors, (d) 1D closed form, (e) moves.
        check_summary("sinkhorn", link, &stdout, &["(a)", "(b)", "(c)", "(d)", "(e)"], 60);
    }
}

#[test]
fn cpp_newton_example_matches_the_rust_core() {
    if !common::require_tool("g++", "the C++ binding") {
        return;
    }
    let dir = common::scratch("cpp/newton-example");
    for link in Link::BOTH {
        let stdout = run(&compile("examples/cpp/newton.cpp", &dir, link), &[]);
        common::check_newton_output(&format!("C++ ({})", link.label()), &stdout);
        assert_eq!(stdout.lines().count(), 4, "C++ ({}): exactly the four result lines expected:\n{stdout}", link.label());
    }
}

#[test]
fn cpp_newton_wrappers() {
    if !common::require_tool("g++", "the C++ binding") {
        return;
    }
    let dir = common::scratch("cpp/newton");
    for link in Link::BOTH {
        let stdout = run(&compile("tests/cpp/newton.cpp", &dir, link), &[]);
        // (a) construction and options, (b) convergence, (c) exceptions, (d) errors, (e) moves.
        check_summary("newton", link, &stdout, &["(a)", "(b)", "(c)", "(d)", "(e)"], 60);
    }
}

#[test]
fn cpp_nonlinear_example_matches_the_rust_core() {
    if !common::require_tool("g++", "the C++ binding") {
        return;
    }
    let dir = common::scratch("cpp/nonlinear-example");
    for link in Link::BOTH {
        let stdout = run(&compile("examples/cpp/nonlinear.cpp", &dir, link), &[]);
        common::check_nonlinear_output(&format!("C++ ({})", link.label()), &stdout);
        assert_eq!(stdout.lines().count(), 4, "C++ ({}): exactly the four result lines expected:\n{stdout}", link.label());
    }
}

#[test]
fn cpp_nonlinear_wrappers() {
    if !common::require_tool("g++", "the C++ binding") {
        return;
    }
    let dir = common::scratch("cpp/nonlinear");
    for link in Link::BOTH {
        let stdout = run(&compile("tests/cpp/nonlinear.cpp", &dir, link), &[]);
        // (a) construction and options, (b) convergence, (c) exceptions, (d) errors, (e) moves.
        check_summary("nonlinear", link, &stdout, &["(a)", "(b)", "(c)", "(d)", "(e)"], 80);
    }
}

#[test]
fn cpp_constrained_example_matches_the_rust_core() {
    if !common::require_tool("g++", "the C++ binding") {
        return;
    }
    let dir = common::scratch("cpp/constrained-example");
    let reference = common::constrained_example::run();
    for link in Link::BOTH {
        let stdout = run(&compile("examples/cpp/constrained.cpp", &dir, link), &[]);
        common::check_constrained_output(&format!("C++ ({})", link.label()), &stdout);
        assert_eq!(stdout.lines().count(), 4, "C++ ({}): exactly the four result lines expected:\n{stdout}", link.label());
        // The same text, not just the same numbers: the reals are printed as Rust prints them.
        assert_eq!(stdout, reference, "C++ ({}): the lines differ from the Rust reference's", link.label());
    }
}

#[test]
fn cpp_constrained_wrappers() {
    if !common::require_tool("g++", "the C++ binding") {
        return;
    }
    let dir = common::scratch("cpp/constrained");
    for link in Link::BOTH {
        let stdout = run(&compile("tests/cpp/constrained.cpp", &dir, link), &[]);
        // (a) construction and options, (b) convergence, (c) exceptions, (d) errors, (e) moves.
        check_summary("constrained", link, &stdout, &["(a)", "(b)", "(c)", "(d)", "(e)"], 120);
    }
}

//! The C examples (poisson, recycling, sor_bandit, sinkhorn, newton, nonlinear, constrained) and
//! the C error-path program, compiled as strict C99 against the freshly built shared AND static
//! library, run, checked, and run again under valgrind memcheck.

mod common;

use common::Link;

use std::path::{Path, PathBuf};
use std::process::Command;

const CFLAGS: &[&str] = &["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"];

/// Compiles `source` twice (shared, static); returns the two executables.
fn build(source: &str, name: &str) -> [PathBuf; 2] {
    let root = common::root();
    let dir = common::scratch(&format!("c-{name}"));
    Link::BOTH.map(|link| {
        let exe = dir.join(format!("{name}-{}", link.label()));
        common::run_ok(
            Command::new("cc").args(CFLAGS).arg(format!("-I{}", root.join("include").display())).arg(root.join(source))
                .arg("-o").arg(&exe).args(link.args()).arg("-lm"),
        );
        exe
    })
}

fn stdout_of(exe: &Path) -> String {
    String::from_utf8(common::run_ok(&mut Command::new(exe)).stdout).unwrap()
}

/// Runs `exe` under valgrind memcheck: no errors, no definite / indirect / possible leaks.
fn valgrind_clean(exe: &Path) -> String {
    let out = common::run_ok(Command::new("valgrind").args([
        "--error-exitcode=99",
        "--leak-check=full",
        "--show-leak-kinds=definite,indirect,possible",
        "--errors-for-leak-kinds=definite,indirect,possible",
        "--quiet",
    ]).arg(format!("--suppressions={}", common::root().join("tests/valgrind.supp").display())).arg(exe));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("ERROR SUMMARY") || stderr.contains("ERROR SUMMARY: 0 errors"), "valgrind:\n{stderr}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn c_example_solves_poisson_with_shared_and_static_library() {
    if !common::require_tool("cc", "compiling the C examples") {
        return;
    }
    for exe in build("examples/c/poisson.c", "poisson") {
        common::check_poisson_output(&format!("C ({})", exe.display()), &stdout_of(&exe));
    }
}

#[test]
fn c_sor_bandit_example_matches_the_rust_core() {
    if !common::require_tool("cc", "compiling the C examples") {
        return;
    }
    for exe in build("examples/c/sor_bandit.c", "sor_bandit") {
        common::check_sor_bandit_output(&format!("C ({})", exe.display()), &stdout_of(&exe));
    }
}

#[test]
fn c_sinkhorn_example_matches_the_rust_core() {
    if !common::require_tool("cc", "compiling the C examples") {
        return;
    }
    for exe in build("examples/c/sinkhorn.c", "sinkhorn") {
        let out = stdout_of(&exe);
        common::check_sinkhorn_output(&format!("C ({})", exe.display()), &out);
        assert_eq!(out.lines().count(), 4, "C ({}): exactly the four result lines expected:\n{out}", exe.display());
    }
}

#[test]
fn c_newton_example_matches_the_rust_core() {
    if !common::require_tool("cc", "compiling the C examples") {
        return;
    }
    for exe in build("examples/c/newton.c", "newton") {
        let out = stdout_of(&exe);
        common::check_newton_output(&format!("C ({})", exe.display()), &out);
        assert_eq!(out.lines().count(), 4, "C ({}): exactly the four result lines expected:\n{out}", exe.display());
    }
}

#[test]
fn c_nonlinear_example_matches_the_rust_core() {
    if !common::require_tool("cc", "compiling the C examples") {
        return;
    }
    for exe in build("examples/c/nonlinear.c", "nonlinear") {
        let out = stdout_of(&exe);
        common::check_nonlinear_output(&format!("C ({})", exe.display()), &out);
        assert_eq!(out.lines().count(), 4, "C ({}): exactly the four result lines expected:\n{out}", exe.display());
    }
}

#[test]
fn c_constrained_example_matches_the_rust_core() {
    if !common::require_tool("cc", "compiling the C examples") {
        return;
    }
    for exe in build("examples/c/constrained.c", "constrained") {
        let out = stdout_of(&exe);
        common::check_constrained_output(&format!("C ({})", exe.display()), &out);
        assert_eq!(out.lines().count(), 4, "C ({}): exactly the four result lines expected:\n{out}", exe.display());
        // The same text, not just the same numbers: the reals are printed as Rust prints them.
        assert_eq!(out, common::constrained_example::run(), "C ({}): the lines differ from the Rust reference's", exe.display());
    }
}

#[test]
fn c_example_recycles_krylov_spaces_with_shared_and_static_library() {
    if !common::require_tool("cc", "compiling the C examples") {
        return;
    }
    for exe in build("examples/c/recycling.c", "recycling") {
        common::check_recycling_output(&format!("C ({})", exe.display()), &stdout_of(&exe));
    }
}

#[test]
fn c_error_paths_return_the_documented_statuses() {
    if !common::require_tool("cc", "compiling the C tests") {
        return;
    }
    for exe in build("tests/c/errors.c", "errors") {
        let out = stdout_of(&exe);
        assert!(out.trim_end().ends_with(" 0 failed"), "{out}");
    }
}

#[test]
fn c_programs_are_valgrind_clean() {
    if !common::require_tool("cc", "compiling the C tests") || !common::require_tool("valgrind", "the memcheck run") {
        return;
    }
    let programs = [
        ("examples/c/poisson.c", "poisson"),
        ("examples/c/recycling.c", "recycling"),
        ("examples/c/sor_bandit.c", "sor_bandit"),
        // The Sinkhorn example (a few million exponentials, minutes under memcheck) is left
        // out: errors.c drives every nks_sinkhorn_* call, solves and plans included, on small
        // problems.
        // The Newton example runs at full size (n = 1e5, about 15 s under memcheck), so the
        // reference's exact counts are checked under valgrind too.
        ("examples/c/newton.c", "newton"),
        // The nonlinear example runs at full size too (a 32 x 32 grid, about 10 s under
        // memcheck), so its exact counts are checked under valgrind as well.
        ("examples/c/nonlinear.c", "nonlinear"),
        // The constrained example runs at full size too (HS6 three ways and the 1D control
        // problem, about 5 s under memcheck), so its exact counts are checked under valgrind.
        ("examples/c/constrained.c", "constrained"),
        ("tests/c/errors.c", "errors"),
    ];
    for (source, name) in programs {
        for exe in build(source, &format!("{name}-vg")) {
            let out = valgrind_clean(&exe);
            match name {
                "poisson" => common::check_poisson_output("C under valgrind", &out),
                "recycling" => common::check_recycling_output("C under valgrind", &out),
                "sor_bandit" => common::check_sor_bandit_output("C under valgrind", &out),
                "newton" => common::check_newton_output("C under valgrind", &out),
                "nonlinear" => common::check_nonlinear_output("C under valgrind", &out),
                "constrained" => common::check_constrained_output("C under valgrind", &out),
                _ => assert!(out.trim_end().ends_with(" 0 failed"), "{out}"),
            }
        }
    }
}

#[test]
fn nks_num_threads_environment_variable_sets_the_default() {
    if !common::require_tool("cc", "compiling the C tests") {
        return;
    }
    let [exe, _] = build("tests/c/threads.c", "threads");
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    for (env, expected) in [(Some("3"), 3), (Some("1"), 1), (Some("not-a-number"), cores), (Some("0"), cores), (None, cores)] {
        let mut cmd = Command::new(&exe);
        match env {
            Some(v) => cmd.env("NKS_NUM_THREADS", v),
            None => cmd.env_remove("NKS_NUM_THREADS"),
        };
        let out = String::from_utf8(common::run_ok(&mut cmd).stdout).unwrap();
        let line = &common::parse_lines(&out)["threads"];
        assert_eq!(line["start"], expected.to_string(), "NKS_NUM_THREADS={env:?}");
        assert_eq!(line["one"], "1");
        assert_eq!(line["restored"], expected.to_string(), "set_num_threads(0) restores the default");
    }
}

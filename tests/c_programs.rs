//! The C example and the C error-path program, compiled as strict C99 against the freshly
//! built shared AND static library, run, checked, and run again under valgrind memcheck.

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

/// What `examples/c/sor_bandit.c` must print, computed with the Rust core on the same
/// sequence: the total iteration count.
fn expected_sor_bandit_total() -> usize {
    use nksolve::sor::{LearnerKind, SorBandit};
    let base = nksolve::problems::poisson2d(10);
    let mut lcg: u64 = 12345;
    let mut h = SorBandit::new(LearnerKind::ChebCb, 20, 1.0, 1.95, 2024).unwrap();
    h.set_option("context_min", -0.1).unwrap();
    h.set_option("context_max", 0.4).unwrap();
    let b = vec![1.0; 100];
    let mut total = 0;
    for t in 0..400 {
        lcg = lcg.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let c = -0.1 + 0.5 * (lcg >> 11) as f64 * (1.0 / 9007199254740992.0);
        let mut trip = Vec::new();
        for i in 0..100 {
            for p in base.row_ptr()[i]..base.row_ptr()[i + 1] {
                let j = base.col_idx()[p];
                trip.push((i, j, base.values()[p] + if i == j { c } else { 0.0 }));
            }
        }
        let a = std::sync::Arc::new(nksolve::linalg::CsrMatrix::from_triplets(100, 100, &trip).unwrap());
        let mut x = vec![0.0; 100];
        total += h.solve(&a, &b, &mut x, c).unwrap().iterations;
        if t == 200 {
            h = SorBandit::from_bytes(&h.to_bytes()).unwrap();
        }
    }
    total
}

/// Checks the SOR-bandit example's output: every solve converged, the total matches the Rust
/// core, and the printed distributions are distributions.
fn check_sor_bandit_output(what: &str, stdout: &str) {
    let got = common::parse_lines(stdout);
    let solves: Vec<_> = got.iter().filter(|(k, _)| k.starts_with("solve_")).collect();
    assert_eq!(solves.len(), 8, "{what}: {stdout}");
    assert!(solves.iter().all(|(_, l)| l["status"] == "0"), "{what}: {stdout}");
    let total: usize = got["total"]["iterations"].parse().unwrap();
    assert_eq!(total, expected_sor_bandit_total(), "{what}: total iterations differ from the Rust core");
    for name in ["probabilities_low", "probabilities_high"] {
        let p: Vec<f64> = got[name]["p"].split(',').map(|v| v.parse().unwrap()).collect();
        assert_eq!(p.len(), 20);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-3, "{what} {name}: {p:?}");
    }
}

#[test]
fn c_sor_bandit_example_matches_the_rust_core() {
    if !common::require_tool("cc", "compiling the C examples") {
        return;
    }
    for exe in build("examples/c/sor_bandit.c", "sor_bandit") {
        check_sor_bandit_output(&format!("C ({})", exe.display()), &stdout_of(&exe));
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
    for (source, name) in [("examples/c/poisson.c", "poisson"), ("tests/c/errors.c", "errors"), ("examples/c/sor_bandit.c", "sor_bandit")] {
        for exe in build(source, &format!("{name}-vg")) {
            let out = valgrind_clean(&exe);
            if name == "poisson" {
                common::check_poisson_output("C under valgrind", &out);
            } else if name == "sor_bandit" {
                check_sor_bandit_output("C under valgrind", &out);
            } else {
                assert!(out.trim_end().ends_with(" 0 failed"), "{out}");
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

//! The Python binding (`bindings/python/nksolve`, ctypes + numpy) against the freshly built
//! `libnksolve.so`: the Poisson, recycling, SOR-bandit, Sinkhorn, Newton, nonlinear and
//! constrained-optimisation examples must print the Rust core's numbers, and the binding's
//! pytest suite (solutions against scipy's direct solver, error statuses and messages, callbacks
//! that raise, the monitor, report consistency, sequences and saved recycle spaces; SOR-bandit
//! solves, choose / observe, probabilities and saved learners; Sinkhorn / SNS plans and costs
//! against POT, the independent reference; Newton minimisation with Python oracles against
//! numpy.linalg.solve and scipy's trust-ncg; Newton-Krylov on Bratu against a sparse Newton
//! iteration and scipy's newton_krylov, Levenberg-Marquardt on MGH least-squares problems against
//! scipy's least_squares;
//! equality-constrained AdaSketch-Newton on random QPs against numpy.linalg.solve of the KKT
//! system and on Hock-Schittkowski problems against scipy's trust-constr / SLSQP and the published
//! optima) must pass.
//!
//! Needs `python3` (or `$NKS_PYTHON`) with numpy, scipy and pytest. Without them the test is
//! skipped with a printed reason, except under `CI=true`, where it fails. POT (module `ot`) is
//! needed only by the Sinkhorn-against-POT tests: without it those skip (with the reason), except
//! under `CI=true`, where they fail.

mod common;

use std::path::PathBuf;
use std::process::Command;

/// The Python interpreter to use: `$NKS_PYTHON`, else `python3` from PATH.
fn python() -> String {
    std::env::var("NKS_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

/// `true` when `python -c "import <modules>"` works; otherwise prints why the tests needing them
/// (`what`) are skipped, or, under `CI=true`, fails.
fn have_modules(py: &str, modules: &str, what: &str) -> bool {
    match Command::new(py).args(["-c", &format!("import {modules}")]).output() {
        Ok(o) if o.status.success() => true,
        other => {
            let why = match other {
                // The last line of the traceback: "ModuleNotFoundError: No module named 'scipy'".
                Ok(o) => String::from_utf8_lossy(&o.stderr).lines().last().unwrap_or("").trim().to_string(),
                Err(e) => e.to_string(),
            };
            if std::env::var("CI").map(|v| v == "true").unwrap_or(false) {
                panic!("`{py}` lacks one of {modules}, required under CI=true for {what}: {why}");
            }
            eprintln!("SKIP: `{py}` lacks one of {modules} ({why}), so {what} is not tested here (it fails under CI=true)");
            false
        }
    }
}

/// `true` when the interpreter and the modules the binding's tests need are present; otherwise
/// skips (prints why) or, under `CI=true`, fails.
fn require_python() -> bool {
    let py = python();
    common::require_tool(&py, "the Python binding") && have_modules(&py, "numpy, scipy, pytest", "the Python binding")
}

/// A Python command in the repository root that loads the library of this test build.
fn python_cmd() -> Command {
    let lib: PathBuf = common::lib_dir().join("libnksolve.so");
    assert!(lib.exists(), "{} not built", lib.display());
    let mut cmd = Command::new(python());
    cmd.current_dir(common::root())
        .env("NKSOLVE_LIBRARY", &lib)
        // Keep the working tree clean: no __pycache__ next to the sources.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("PYTHONPATH");
    cmd
}

/// Runs `examples/python/<name>.py` and returns (and echoes) what it printed.
fn run_example(name: &str) -> String {
    let out = common::run_ok(python_cmd().arg(format!("examples/python/{name}.py")));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    print!("{stdout}");
    stdout
}

#[test]
fn python_poisson_example_prints_the_core_numbers() {
    if !require_python() {
        return;
    }
    common::check_poisson_output("Python", &run_example("poisson"));
}

#[test]
fn python_recycling_example_prints_the_core_numbers() {
    if !require_python() {
        return;
    }
    common::check_recycling_output("Python", &run_example("recycling"));
}

#[test]
fn python_sor_bandit_example_prints_the_core_numbers() {
    if !require_python() {
        return;
    }
    common::check_sor_bandit_output("Python", &run_example("sor_bandit"));
}

#[test]
fn python_sinkhorn_example_prints_the_core_numbers() {
    if !require_python() {
        return;
    }
    common::check_sinkhorn_output("Python", &run_example("sinkhorn"));
}

#[test]
fn python_newton_example_prints_the_core_numbers() {
    if !require_python() {
        return;
    }
    common::check_newton_output("Python", &run_example("newton"));
}

#[test]
fn python_nonlinear_example_prints_the_core_numbers() {
    if !require_python() {
        return;
    }
    common::check_nonlinear_output("Python", &run_example("nonlinear"));
}

#[test]
fn python_constrained_example_prints_the_core_numbers() {
    if !require_python() {
        return;
    }
    common::check_constrained_output("Python", &run_example("constrained"));
}

/// `true` when the interpreter can import POT (`ot`, `pip install pot`), the reference of the
/// Sinkhorn tests. Without it those tests skip (pytest prints why), and this says so here too;
/// under `CI=true` it fails, as the pytest module itself does.
fn have_pot() -> bool {
    have_modules(&python(), "ot", "the Sinkhorn binding against POT")
}

#[test]
fn python_binding_test_suite_passes() {
    if !require_python() {
        return;
    }
    have_pot();
    // No cache provider: pytest would otherwise write .pytest_cache into the repository.
    let out = common::run_ok(python_cmd().args(["-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "bindings/python/tests"]));
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    // pytest exits 5 when it collects nothing; also make sure it really ran the suite.
    let summary = stdout.lines().rev().find(|l| l.contains(" passed")).unwrap_or_else(|| panic!("no pytest summary:\n{stdout}"));
    let passed: usize = summary.split_whitespace().zip(summary.split_whitespace().skip(1)).find(|(_, w)| w.starts_with("passed")).and_then(|(n, _)| n.parse().ok()).unwrap_or(0);
    assert!(passed >= 60, "expected the full suite (>= 60 tests) to pass, got: {summary}");
    assert!(!summary.contains("failed") && !summary.contains("error"), "{summary}");
}

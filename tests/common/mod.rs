//! Shared plumbing of the integration tests that build and run programs in other languages.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The folder holding the freshly built `libnksolve.so` and `libnksolve.a` of this test build.
///
/// `cargo test` builds the cdylib and staticlib next to the test binaries (`deps/`); a plain
/// `cargo build` puts them one level up. The newest copy wins.
pub fn lib_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    let candidates = [target.join(profile).join("deps"), target.join(profile)];
    let mtime = |d: &Path| std::fs::metadata(d.join("libnksolve.so")).and_then(|m| m.modified()).ok();
    let dir = candidates
        .iter()
        .filter(|d| mtime(d).is_some() && d.join("libnksolve.a").exists())
        .max_by_key(|d| mtime(d))
        .cloned()
        .expect("libnksolve.so / libnksolve.a not built; run `cargo test --release`");
    // Programs linked with -lnksolve record the soname (libnksolve.so.MAJOR.MINOR for 0.x, set
    // by build.rs); give the build tree the link an install creates.
    let soname = dir.join(format!("libnksolve.so.{}.{}", env!("CARGO_PKG_VERSION_MAJOR"), env!("CARGO_PKG_VERSION_MINOR")));
    if std::fs::symlink_metadata(&soname).is_err() {
        let _ = std::os::unix::fs::symlink("libnksolve.so", &soname);
    }
    dir
}

/// How a test program links nksolve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// Against `libnksolve.so`, found at run time through an rpath to [`lib_dir`].
    Shared,
    /// Against `libnksolve.a` and the system libraries the Rust runtime needs.
    Static,
}

/// The system libraries a program linking the static library needs after `libnksolve.a`
/// (what `rustc --print native-static-libs` reports; also `Libs.private` of nksolve.pc).
pub const STATIC_SYSTEM_LIBS: &[&str] = &["-lgcc_s", "-lutil", "-lrt", "-lpthread", "-lm", "-ldl", "-lc"];

impl Link {
    /// Both ways, shared first.
    pub const BOTH: [Link; 2] = [Link::Shared, Link::Static];

    /// `"shared"` or `"static"`, for names and messages.
    pub fn label(self) -> &'static str {
        match self {
            Link::Shared => "shared",
            Link::Static => "static",
        }
    }

    /// The linker arguments that link nksolve this way (they go after the sources).
    pub fn args(self) -> Vec<String> {
        let lib = lib_dir();
        match self {
            Link::Shared => vec![format!("-L{}", lib.display()), "-lnksolve".into(), format!("-Wl,-rpath,{}", lib.display())],
            Link::Static => std::iter::once(lib.join("libnksolve.a").display().to_string())
                .chain(STATIC_SYSTEM_LIBS.iter().map(|s| s.to_string()))
                .collect(),
        }
    }
}

/// A fresh scratch folder for one test.
pub fn scratch(name: &str) -> PathBuf {
    let d = root().join("target").join("nks-tests").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `true` when `tool` is on PATH. When it is not: under `CI=true` the test FAILS (CI must
/// install it), elsewhere it prints why it skips and returns `false`.
pub fn require_tool(tool: &str, why: &str) -> bool {
    let found = Command::new("sh").arg("-c").arg(format!("command -v {tool}")).output().map(|o| o.status.success()).unwrap_or(false);
    if found {
        return true;
    }
    if std::env::var("CI").map(|v| v == "true").unwrap_or(false) {
        panic!("`{tool}` is required under CI=true ({why}) but is not installed; .ci/run must install it");
    }
    eprintln!("SKIP: `{tool}` is not on PATH, so {why} is not tested here (it fails under CI=true)");
    false
}

/// Runs `cmd`, failing the test with its output when it does not succeed.
///
/// `cargo test` puts `target/<profile>` on `LD_LIBRARY_PATH`, which overrides the test
/// programs' rpath to [`lib_dir`]; that folder may hold an older `libnksolve.so` from a plain
/// `cargo build` or `cargo run`, so the variable is dropped unless the test sets it itself.
pub fn run_ok(cmd: &mut Command) -> Output {
    if !cmd.get_envs().any(|(k, _)| k == "LD_LIBRARY_PATH") {
        cmd.env_remove("LD_LIBRARY_PATH");
    }
    let out = cmd.output().unwrap_or_else(|e| panic!("could not start {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed with {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Parses the example output format: one line per solve, `NAME key=value key=value ...`.
pub fn parse_lines(stdout: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut m = BTreeMap::new();
    for line in stdout.lines() {
        let mut words = line.split_whitespace();
        let Some(name) = words.next() else { continue };
        let kv: BTreeMap<String, String> = words
            .filter_map(|w| w.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
            .collect();
        if !kv.is_empty() {
            m.insert(name.to_string(), kv);
        }
    }
    m
}

/// What every language's `poisson` example must print, computed here with the Rust core on the
/// same problem (2D Poisson, nx = 32, b = 1, rtol = 1e-8):
/// `(name, iterations)` for `cg`, `gmres_ilu0`, `cg_callback`, and the CG solution at the
/// centre node (i = j = 16, 0-based index 528).
pub fn expected_poisson() -> (Vec<(&'static str, usize)>, f64) {
    use nksolve::krylov::{KrylovMethod, KrylovOptions, KrylovSolver};
    use nksolve::precond::{Identity, Ilu0, Jacobi};
    let a = nksolve::problems::poisson2d(32);
    let b = vec![1.0; a.nrows()];
    let solve = |method, m: &mut dyn nksolve::precond::Preconditioner| {
        let mut o = KrylovOptions::default();
        o.set_method(method).set_rtol(1e-8).unwrap().set_restart(30).unwrap();
        let mut x = vec![0.0; a.nrows()];
        let r = KrylovSolver::new(o).solve(&mut a.clone(), m, &b, &mut x, None).unwrap();
        assert!(r.termination.converged());
        (r.iterations, x)
    };
    let (cg, x) = solve(KrylovMethod::Cg, &mut Identity);
    let (gm, _) = solve(KrylovMethod::Gmres, &mut Ilu0::new(&a).unwrap());
    let (cgj, _) = solve(KrylovMethod::Cg, &mut Jacobi::new(&a).unwrap());
    (vec![("cg", cg), ("gmres_ilu0", gm), ("cg_callback", cgj)], x[528])
}

/// Checks a `poisson` example's output against [`expected_poisson`]: same iteration counts,
/// status 0, true residual below the tolerance, same centre value to 1e-8 relative.
pub fn check_poisson_output(lang: &str, stdout: &str) {
    let got = parse_lines(stdout);
    let (expected, centre) = expected_poisson();
    for (name, iters) in expected {
        let line = got.get(name).unwrap_or_else(|| panic!("{lang}: no `{name}` line in output:\n{stdout}"));
        assert_eq!(line["status"], "0", "{lang} {name}: status");
        assert_eq!(line["iterations"].parse::<usize>().unwrap(), iters, "{lang} {name}: iterations differ from the Rust core");
        let res: f64 = line["residual"].parse().unwrap();
        assert!(res <= 1e-8 * 32.0 * 1.01, "{lang} {name}: true residual {res} above rtol * ||b||");
    }
    let u: f64 = got.get("center").and_then(|l| l.get("u")).unwrap_or_else(|| panic!("{lang}: no `center u=` line")).parse().unwrap();
    assert!(((u - centre) / centre).abs() < 1e-8, "{lang}: centre value {u} vs {centre}");
}

/// Names of every `extern "C"` function defined in src/capi (what the library exports).
pub fn exported_functions() -> Vec<String> {
    let dir = root().join("src/capi");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for l in text.lines() {
            if let Some(rest) = l.split("extern \"C\" fn ").nth(1) {
                names.push(rest.split('(').next().unwrap().to_string());
            }
        }
    }
    names.sort();
    names
}

/// The Rust recycling example, the reference of every language's.
#[allow(dead_code)]
#[path = "../../examples/rust/recycling.rs"]
pub mod recycling_example;

/// Checks a `recycling` example's output against the Rust example's (the reference: the core
/// on the same sequence): same statuses, total iterations, SKR order, per-system iterations,
/// saved-state size, and resumed = original iterations; true residuals below rtol * ||b||.
#[allow(dead_code)]
pub fn check_recycling_output(lang: &str, stdout: &str) {
    let reference = recycling_example::run();
    let (want, got) = (parse_lines(&reference), parse_lines(stdout));
    let line = |name: &str| got.get(name).unwrap_or_else(|| panic!("{lang}: no `{name}` line in output:\n{stdout}"));
    for (name, keys) in [
        ("gmres", &["status", "total_iterations"][..]),
        ("gcrodr", &["status", "total_iterations", "order"][..]),
        ("saved", &["bytes"][..]),
        ("resumed", &["iterations", "original"][..]),
    ] {
        for &k in keys {
            assert_eq!(line(name).get(k), want[name].get(k), "{lang} `{name}` {k} differs from the Rust core's");
        }
    }
    for s in 0..8 {
        let name = format!("system_{s}");
        assert_eq!(line(&name)["iterations"], want[&name]["iterations"], "{lang} {name}: iterations");
        let res: f64 = line(&name)["residual"].parse().unwrap();
        assert!(res <= 1e-8 * 24.0 * 1.01, "{lang} {name}: true residual {res} above rtol * ||b||");
    }
    assert_eq!(line("resumed")["iterations"], line("resumed")["original"], "{lang}: loading the saved space must resume exactly");
    let total = |name: &str| line(name)["total_iterations"].parse::<usize>().unwrap();
    assert!(2 * total("gcrodr") < total("gmres"), "{lang}: recycling must at least halve the iterations");
}

/// The Rust SOR-bandit example, the reference of every language's.
#[allow(dead_code)]
#[path = "../../examples/rust/sor_bandit.rs"]
pub mod sor_bandit_example;

/// Checks a `sor_bandit` example's output against the Rust example's (the core on the same
/// sequence): the same sampled solves (context, omega, iterations, all converged), the same total
/// iteration count, and the same learned distributions, which must be distributions.
#[allow(dead_code)]
pub fn check_sor_bandit_output(lang: &str, stdout: &str) {
    let reference = sor_bandit_example::run();
    let (want, got) = (parse_lines(&reference), parse_lines(stdout));
    let line = |name: &str| got.get(name).unwrap_or_else(|| panic!("{lang}: no `{name}` line in output:\n{stdout}"));
    let solves: Vec<&String> = want.keys().filter(|k| k.starts_with("solve_")).collect();
    assert_eq!(solves.len(), 8);
    for name in solves {
        assert_eq!(line(name)["status"], "0", "{lang} {name}: not converged");
        for k in ["context", "omega", "iterations"] {
            assert_eq!(line(name).get(k), want[name].get(k), "{lang} `{name}` {k} differs from the Rust core's");
        }
    }
    assert_eq!(line("total").get("iterations"), want["total"].get("iterations"), "{lang}: total iterations differ from the Rust core's");
    for name in ["probabilities_low", "probabilities_high"] {
        let parse = |s: &str| s.split(',').map(|v| v.parse::<f64>().unwrap()).collect::<Vec<f64>>();
        let (p, q) = (parse(&line(name)["p"]), parse(&want[name]["p"]));
        assert_eq!(p.len(), 20, "{lang} {name}: {p:?}");
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 2e-3, "{lang} {name}: {p:?} does not sum to 1");
        assert!(p.iter().zip(&q).all(|(a, b)| (a - b).abs() <= 1e-4), "{lang} {name}: {p:?} differs from the Rust core's {q:?}");
    }
}

/// The Rust Sinkhorn example, the reference of every language's.
#[allow(dead_code)]
#[path = "../../examples/rust/sinkhorn.rs"]
pub mod sinkhorn_example;

/// Checks a `sinkhorn` example's output against the Rust example's (the core on the same
/// clouds): every line present with the same iteration counts and entry count, and the same
/// costs to 1e-9 relative (the printed digits of the same computation; the slack covers a host
/// that builds the Halton points with a different rounding).
#[allow(dead_code)]
pub fn check_sinkhorn_output(lang: &str, stdout: &str) {
    check_against_reference(lang, &sinkhorn_example::run(), 4, stdout);
}

#[allow(dead_code)]
#[path = "../../examples/rust/newton.rs"]
pub mod newton_example;

#[allow(dead_code)]
#[path = "../../examples/rust/nonlinear.rs"]
pub mod nonlinear_example;

/// Checks that an example in `lang` printed the nonlinear-systems reference's lines.
#[allow(dead_code)]
pub fn check_nonlinear_output(lang: &str, stdout: &str) {
    check_against_reference(lang, &nonlinear_example::run(), 4, stdout);
}

/// Checks that an example in `lang` printed the Newton reference's lines.
#[allow(dead_code)]
pub fn check_newton_output(lang: &str, stdout: &str) {
    check_against_reference(lang, &newton_example::run(), 4, stdout);
}

/// Checks `stdout` against the Rust reference example's output `reference` (`lines` lines of
/// `name key=value ...`): counts must agree exactly, reals to 1e-9 relative.
#[allow(dead_code)]
pub fn check_against_reference(lang: &str, reference: &str, lines: usize, stdout: &str) {
    let (want, got) = (parse_lines(reference), parse_lines(stdout));
    assert_eq!(want.len(), lines, "the reference prints {lines} lines:\n{reference}");
    for (name, fields) in &want {
        let line = got.get(name).unwrap_or_else(|| panic!("{lang}: no `{name}` line in output:\n{stdout}"));
        for (k, v) in fields {
            let g = line.get(k).unwrap_or_else(|| panic!("{lang}: `{name}` has no `{k}=` field:\n{stdout}"));
            match (v.parse::<usize>(), v.parse::<f64>()) {
                (Ok(_), _) => assert_eq!(g, v, "{lang} `{name}` {k} differs from the Rust core's"),
                (_, Ok(x)) => {
                    let y: f64 = g.parse().unwrap_or_else(|_| panic!("{lang} `{name}` {k}={g} is not a number"));
                    assert!((x - y).abs() <= 1e-9 * x.abs().max(1e-300), "{lang} `{name}` {k}={g} differs from the Rust core's {v}");
                }
                _ => assert_eq!(g, v, "{lang} `{name}` {k}"),
            }
        }
    }
}

#[allow(dead_code)]
#[path = "../../examples/rust/constrained.rs"]
pub mod constrained_example;

/// Checks that an example in `lang` printed the constrained-optimisation reference's lines.
#[allow(dead_code)]
pub fn check_constrained_output(lang: &str, stdout: &str) {
    check_against_reference(lang, &constrained_example::run(), 4, stdout);
}

//! What the benchmarks share: the systems file the Python peers read, running a peer script,
//! and reading numbers out of its JSON (a few fields; not worth a JSON dependency).

#![allow(dead_code)]

use nksolve::linalg::CsrMatrix;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Debian's PETSc, for petsc4py under /usr/bin/python3.
pub const PETSC_DIR: &str = "/usr/lib/petscdir/petsc3.18/x86_64-linux-gnu-real";

/// Where benchmarks write their scratch files.
pub fn scratch_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/nks-bench");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes the systems in the format benches/petsc_krylov.py reads (little-endian): count, then
/// per system n, nnz, row_ptr[n+1], col_idx[nnz] as i64, values[nnz], b[n] as f64 (b = 1).
pub fn write_systems(path: &Path, systems: &[&CsrMatrix]) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let ints = |f: &mut std::io::BufWriter<std::fs::File>, v: &mut dyn Iterator<Item = usize>| {
        v.for_each(|t| f.write_all(&(t as i64).to_le_bytes()).unwrap())
    };
    ints(&mut f, &mut std::iter::once(systems.len()));
    for a in systems {
        ints(&mut f, &mut [a.nrows(), a.nnz()].into_iter());
        ints(&mut f, &mut a.row_ptr().iter().copied());
        ints(&mut f, &mut a.col_idx().iter().copied());
        for v in a.values().iter().chain(std::iter::repeat_n(&1.0, a.nrows())) {
            f.write_all(&v.to_le_bytes()).unwrap();
        }
    }
}

/// Runs `python script args...` single-threaded; its stdout, or `None` (with the reason on
/// stderr) when the interpreter or a package is missing or the script fails.
pub fn run_peer(python: &str, script: &str, args: &[String]) -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches").join(script);
    let out = Command::new(python)
        .arg(path)
        .args(args)
        .env("PETSC_DIR", PETSC_DIR)
        .env("OMP_NUM_THREADS", "1")
        .env("OPENBLAS_NUM_THREADS", "1")
        .output()
        .map_err(|e| eprintln!("{script}: could not start {python}: {e}"))
        .ok()?;
    if !out.status.success() {
        eprintln!("{script} failed:\n{}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The text after `"key":` in `json` (from `from` on).
fn after<'a>(json: &'a str, key: &str) -> Option<&'a str> {
    let at = json.find(&format!("\"{key}\""))? + key.len() + 2;
    Some(json[at..].trim_start_matches([':', ' ']))
}

/// The number stored under `key` inside the object `section` (or at top level for `""`).
pub fn json_number(json: &str, section: &str, key: &str) -> Option<f64> {
    let scope = if section.is_empty() { json } else { after(json, section)? };
    after(scope, key)?.split([',', '}']).next()?.trim().parse().ok()
}

/// The array of numbers stored under `key` inside the object `section`.
pub fn json_numbers(json: &str, section: &str, key: &str) -> Option<Vec<f64>> {
    let scope = if section.is_empty() { json } else { after(json, section)? };
    let text = after(scope, key)?;
    Some(text[1..text.find(']')?].split(',').filter_map(|v| v.trim().parse().ok()).collect())
}

//! The committed header is exactly what cbindgen generates from the sources, and its version
//! macros agree with Cargo.toml and with `nks_version()`.

mod common;

use std::path::Path;

#[test]
fn committed_header_matches_generated() {
    let generated = std::fs::read_to_string(Path::new(env!("OUT_DIR")).join("nksolve.h")).unwrap();
    let committed = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("include/nksolve.h")).unwrap();
    assert!(
        generated == committed,
        "include/nksolve.h is stale: regenerate it with `NKS_REGENERATE_HEADER=1 cargo build --release` and commit it"
    );
}

#[test]
fn version_macros_match_cargo_and_runtime() {
    let header = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("include/nksolve.h")).unwrap();
    let macro_value = |name: &str| -> u32 {
        let line = header.lines().find(|l| l.starts_with(&format!("#define {name} "))).expect(name);
        line.split_whitespace().nth(2).unwrap().parse().unwrap()
    };
    let major: u32 = env!("CARGO_PKG_VERSION_MAJOR").parse().unwrap();
    let minor: u32 = env!("CARGO_PKG_VERSION_MINOR").parse().unwrap();
    let patch: u32 = env!("CARGO_PKG_VERSION_PATCH").parse().unwrap();
    assert_eq!((macro_value("NKS_VERSION_MAJOR"), macro_value("NKS_VERSION_MINOR"), macro_value("NKS_VERSION_PATCH")), (major, minor, patch));
    assert_eq!(nksolve::capi::library::nks_version(), major * 10000 + minor * 100 + patch);
    let s = unsafe { std::ffi::CStr::from_ptr(nksolve::capi::library::nks_version_string()) };
    assert_eq!(s.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}

#[test]
fn every_exported_item_is_documented_and_prefixed() {
    let header = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("include/nksolve.h")).unwrap();
    let lines: Vec<&str> = header.lines().collect();
    let mut functions = 0;
    for (i, l) in lines.iter().enumerate() {
        let declares_function = !l.starts_with([' ', '#', '/', '*', 't']) && l.contains(" nks_") && l.contains('(')
            || l.starts_with("const char *nks_");
        let declares_callback = l.starts_with("typedef int (*");
        if declares_function || declares_callback {
            functions += declares_function as usize;
            let previous = lines[..i].iter().rev().find(|p| !p.trim().is_empty()).unwrap();
            assert!(previous.trim_end().ends_with("*/"), "exported item without a doc comment: {l}");
        }
        if let Some(rest) = l.strip_prefix("#define ") {
            let name = rest.split_whitespace().next().unwrap();
            assert!(name.starts_with("NKS"), "macro without the NKS prefix: {name}");
        }
        if let Some(name) = l.strip_prefix("} ").and_then(|r| r.strip_suffix(';')) {
            assert!(name.starts_with("nks_"), "struct typedef without the nks_ prefix: {name}");
        }
        if let Some(rest) = l.trim_start().strip_prefix("typedef ").filter(|r| r.ends_with(';')) {
            let name = rest.trim_end_matches(';').rsplit([' ', '*', '(', ')']).find(|w| !w.is_empty()).unwrap();
            assert!(name.starts_with("nks_") || rest.contains("(*nks_"), "typedef without the nks_ prefix: {l}");
        }
    }
    let exported = common::exported_functions();
    assert_eq!(functions, exported.len(), "header declarations vs #[no_mangle] functions in src/capi");
    for f in &exported {
        assert!(header.contains(&format!(" {f}(")) || header.contains(&format!("*{f}(")), "{f} missing from the header");
    }
}


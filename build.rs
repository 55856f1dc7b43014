//! Generates the C header with cbindgen into OUT_DIR (always) and into include/nksolve.h
//! (when NKS_REGENERATE_HEADER is set). The committed header is checked against the OUT_DIR
//! copy by tests/header.rs, so an exported change without a regenerated header fails CI.

use std::env;
use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=NKS_REGENERATE_HEADER");

    let version = |k: &str| env::var(k).unwrap();
    // The shared library's soname: 0.x releases may break the ABI between minor versions.
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        let (maj, min) = (version("CARGO_PKG_VERSION_MAJOR"), version("CARGO_PKG_VERSION_MINOR"));
        let so = if maj == "0" { format!("0.{min}") } else { maj };
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libnksolve.so.{so}");
    }
    let (major, minor, patch) = (
        version("CARGO_PKG_VERSION_MAJOR"),
        version("CARGO_PKG_VERSION_MINOR"),
        version("CARGO_PKG_VERSION_PATCH"),
    );
    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml");
    config.after_includes = Some(format!(
        "\n/** Version of this header; compare with nks_version() at run time. */\n\
         #define NKS_VERSION_MAJOR {major}\n#define NKS_VERSION_MINOR {minor}\n#define NKS_VERSION_PATCH {patch}\n\
         /** MAJOR * 10000 + MINOR * 100 + PATCH, as returned by nks_version(). */\n\
         #define NKS_VERSION (NKS_VERSION_MAJOR * 10000 + NKS_VERSION_MINOR * 100 + NKS_VERSION_PATCH)\n"
    ));
    let bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen failed to generate include/nksolve.h");
    let generated = out_dir.join("nksolve.h");
    bindings.write_to_file(&generated);
    if env::var_os("NKS_REGENERATE_HEADER").is_some() {
        bindings.write_to_file(crate_dir.join("include").join("nksolve.h"));
    }
}

//! The documented install command puts everything under a prefix, and C programs build
//! against the installed copy through pkg-config and through CMake's find_package(nksolve).

mod common;

use std::path::Path;
use std::process::Command;

fn install(prefix: &Path) {
    common::run_ok(
        Command::new("sh")
            .arg(common::root().join("packaging/install.sh"))
            .arg("--prefix")
            .arg(prefix)
            .arg("--lib-dir")
            .arg(common::lib_dir()),
    );
}

#[test]
fn install_puts_libraries_headers_and_package_files_under_the_prefix() {
    let prefix = common::scratch("install-layout").join("prefix");
    install(&prefix);
    for f in [
        "lib/libnksolve.so", "lib/libnksolve.so.0.1", "lib/libnksolve.a", "include/nksolve.h", "include/nksolve.hpp",
        "lib/pkgconfig/nksolve.pc", "lib/cmake/nksolve/nksolveConfig.cmake", "lib/cmake/nksolve/nksolveConfigVersion.cmake",
        "share/nksolve/fortran/nksolve.f90", "share/nksolve/python/nksolve/__init__.py", "share/nksolve/julia/NKSolve/src/NKSolve.jl",
    ] {
        assert!(prefix.join(f).exists(), "{f} not installed");
    }
    if common::require_tool("objdump", "the soname check") {
        let out = common::run_ok(Command::new("objdump").arg("-p").arg(prefix.join("lib/libnksolve.so")));
        assert!(String::from_utf8_lossy(&out.stdout).contains("SONAME               libnksolve.so.0.1"));
    }
}

#[test]
fn c_program_builds_against_the_install_with_pkg_config() {
    if !common::require_tool("pkg-config", "building against the install with pkg-config") || !common::require_tool("cc", "compiling C") {
        return;
    }
    let dir = common::scratch("install-pkgconfig");
    let prefix = dir.join("prefix");
    install(&prefix);
    let pc_path = prefix.join("lib/pkgconfig");
    let flags = common::run_ok(Command::new("pkg-config").args(["--cflags", "--libs", "nksolve"]).env("PKG_CONFIG_PATH", &pc_path));
    let flags = String::from_utf8(flags.stdout).unwrap();
    let exe = dir.join("poisson");
    common::run_ok(
        Command::new("cc").args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"]).arg(common::root().join("examples/c/poisson.c"))
            .arg("-o").arg(&exe).args(flags.split_whitespace()),
    );
    let out = common::run_ok(Command::new(&exe).env("LD_LIBRARY_PATH", prefix.join("lib")));
    common::check_poisson_output("C via pkg-config", &String::from_utf8(out.stdout).unwrap());
}

#[test]
fn c_program_builds_against_the_install_with_cmake_find_package() {
    if !common::require_tool("cmake", "building against the install with CMake") {
        return;
    }
    let dir = common::scratch("install-cmake");
    let prefix = dir.join("prefix");
    install(&prefix);
    let build = dir.join("build");
    common::run_ok(
        Command::new("cmake").arg("-S").arg(common::root().join("tests/cmake")).arg("-B").arg(&build)
            .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display()))
            .arg(format!("-DEXAMPLE={}", common::root().join("examples/c/poisson.c").display())),
    );
    common::run_ok(Command::new("cmake").arg("--build").arg(&build));
    for exe in ["poisson_shared", "poisson_static"] {
        let out = common::run_ok(&mut Command::new(build.join(exe)));
        common::check_poisson_output(&format!("C via CMake ({exe})"), &String::from_utf8(out.stdout).unwrap());
    }
}

#!/bin/sh
# Installs nksolve under a prefix: shared and static library, C header, C++ header, Fortran
# module source, pkg-config file, CMake package config, and the Python / Julia bindings.
#
#   sh packaging/install.sh --prefix /usr/local            # builds with cargo, then installs
#   sh packaging/install.sh --prefix DIR --lib-dir DIR     # installs an existing build
#
# Then: pkg-config --cflags --libs nksolve   or, in CMake, find_package(nksolve) and link
# nksolve::nksolve (shared) or nksolve::nksolve_static.
set -eu

prefix=""
libdir_in=""
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="$2"; shift 2 ;;
        --prefix=*) prefix="${1#--prefix=}"; shift ;;
        --lib-dir) libdir_in="$2"; shift 2 ;;
        --lib-dir=*) libdir_in="${1#--lib-dir=}"; shift ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown argument '$1' (use --prefix DIR [--lib-dir DIR])" >&2; exit 2 ;;
    esac
done
[ -n "$prefix" ] || { echo "install.sh: --prefix DIR is required" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -n 1)
major=${version%%.*}
rest=${version#*.}
minor=${rest%%.*}
# 0.x releases may break the ABI between minor versions, so the soname carries the minor too.
if [ "$major" = "0" ]; then soversion="0.$minor"; else soversion="$major"; fi

if [ -z "$libdir_in" ]; then
    (cd "$root" && cargo build --release)
    libdir_in="$root/target/release"
fi
for f in libnksolve.so libnksolve.a; do
    [ -f "$libdir_in/$f" ] || { echo "install.sh: $libdir_in/$f not found; build first (cargo build --release)" >&2; exit 1; }
done

mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
lib="$prefix/lib"
mkdir -p "$lib/pkgconfig" "$lib/cmake/nksolve" "$prefix/include" "$prefix/share/nksolve/fortran" \
         "$prefix/share/nksolve/python" "$prefix/share/nksolve/julia"

install -m 755 "$libdir_in/libnksolve.so" "$lib/libnksolve.so.$version"
ln -sf "libnksolve.so.$version" "$lib/libnksolve.so.$soversion"
ln -sf "libnksolve.so.$soversion" "$lib/libnksolve.so"
install -m 644 "$libdir_in/libnksolve.a" "$lib/libnksolve.a"
install -m 644 "$root/include/nksolve.h" "$root/bindings/cpp/nksolve.hpp" "$prefix/include/"
install -m 644 "$root/bindings/fortran/nksolve.f90" "$prefix/share/nksolve/fortran/"
cp -R "$root/bindings/python/nksolve" "$prefix/share/nksolve/python/"
cp -R "$root/bindings/julia/NKSolve" "$prefix/share/nksolve/julia/"

subst() {
    sed -e "s|@PREFIX@|$prefix|g" -e "s|@VERSION@|$version|g" -e "s|@SOVERSION@|$soversion|g" "$1" > "$2"
}
subst "$root/packaging/nksolve.pc.in" "$lib/pkgconfig/nksolve.pc"
subst "$root/packaging/nksolveConfig.cmake.in" "$lib/cmake/nksolve/nksolveConfig.cmake"
subst "$root/packaging/nksolveConfigVersion.cmake.in" "$lib/cmake/nksolve/nksolveConfigVersion.cmake"
echo "installed nksolve $version under $prefix"

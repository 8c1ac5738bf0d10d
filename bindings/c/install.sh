#!/usr/bin/env bash
# Installs the jixiao C library: lib/libjixiao.{so,a}, include/jixiao.h and
# lib/pkgconfig/jixiao.pc under PREFIX (default /usr/local).
#
#   bindings/c/install.sh /opt/jixiao
#   PKG_CONFIG_PATH=/opt/jixiao/lib/pkgconfig gcc app.c $(pkg-config --cflags --libs jixiao)
#
# Builds the release library first unless JIXIAO_LIB_DIR names a directory that already has
# it (the test suite installs its debug build that way).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
prefix="${1:-/usr/local}"
libdir="${JIXIAO_LIB_DIR:-}"
if [ -z "$libdir" ]; then
  (cd "$root" && cargo build --release --locked -p jixiao-c)
  libdir="${CARGO_TARGET_DIR:-$root/target}/release"
fi
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)"

install -d "$prefix/lib/pkgconfig" "$prefix/include"
install -m 644 "$here/include/jixiao.h" "$prefix/include/jixiao.h"
install -m 755 "$libdir/libjixiao.so" "$prefix/lib/libjixiao.so"
install -m 644 "$libdir/libjixiao.a" "$prefix/lib/libjixiao.a"
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" "$here/jixiao.pc.in" >"$prefix/lib/pkgconfig/jixiao.pc"
echo "installed jixiao $version under $prefix"

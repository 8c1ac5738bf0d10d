#!/usr/bin/env bash
# Installs the jixiao C library under PREFIX (default /usr/local): lib/libjixiao.so.X.Y.Z with
# its SONAME and development symlinks, lib/libjixiao.a, include/jixiao.h with the JSON
# Schemas of the scorecard and error JSON, and lib/pkgconfig/jixiao.pc.
#
#   bindings/c/install.sh /opt/jixiao
#   PKG_CONFIG_PATH=/opt/jixiao/lib/pkgconfig gcc app.c $(pkg-config --cflags --libs jixiao)
#
# Builds the release library first (bindings/c/build.sh) unless JIXIAO_C_DIST names a
# directory that build.sh made (the test suite installs its debug build that way).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
prefix="${1:-/usr/local}"
dist="${JIXIAO_C_DIST:-}"
[ -n "$dist" ] || dist="$(bash "$here/build.sh")"
version="$(sed -n 's/^Version: //p' "$dist/lib/pkgconfig/jixiao.pc")"

install -d "$prefix/lib/pkgconfig" "$prefix/include"
install -m 644 "$dist"/include/* "$prefix/include/"
install -m 755 "$dist/lib/libjixiao.so.$version" "$prefix/lib/"
# The SONAME link and the development link, as build.sh made them.
for link in "$dist"/lib/libjixiao.so "$dist"/lib/libjixiao.so.*; do
  [ -L "$link" ] && ln -sfn "$(readlink "$link")" "$prefix/lib/$(basename "$link")"
done
install -m 644 "$dist/lib/libjixiao.a" "$prefix/lib/"
bash "$here/write-pc.sh" "$prefix" "$version" "$prefix/lib/pkgconfig/jixiao.pc"
echo "installed jixiao $version under $prefix"

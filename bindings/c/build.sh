#!/usr/bin/env bash
# Builds the C library and lays it out as it installs, under target/c/<profile>/ (or
# JIXIAO_C_OUT):
#   include/jixiao.h, include/jixiao-scorecard.schema.json, include/jixiao-error.schema.json
#   lib/libjixiao.so.0.1.0, lib/libjixiao.so.0.1 → (the SONAME), lib/libjixiao.so →
#   lib/libjixiao.a
#   lib/pkgconfig/jixiao.pc (relocatable: found through ${pcfiledir})
# Link against it:  gcc app.c $(PKG_CONFIG_PATH=target/c/release/lib/pkgconfig pkg-config --cflags --libs jixiao)
# Statically:       gcc app.c -Itarget/c/release/include target/c/release/lib/libjixiao.a -lm
#   bash bindings/c/build.sh                 # release
#   JIXIAO_PROFILE=debug bash bindings/c/build.sh
#   JIXIAO_TARGET=aarch64-unknown-linux-gnu bash bindings/c/build.sh   # cross (see scripts/cross)
# JIXIAO_CARGO replaces `cargo build` (scripts/cross: `cargo +nightly zigbuild -Z build-std`).
# A target without shared libraries (musl, statically linked) gets the archive only.
set -euo pipefail
cd "$(dirname "$0")/../.."
profile="${JIXIAO_PROFILE:-release}"
triple="${JIXIAO_TARGET:-}"
target="${CARGO_TARGET_DIR:-$PWD/target}"
args=(-q --locked -p jixiao-c)
[ "$profile" = release ] && args+=(--release)
built="$target"
if [ -n "$triple" ]; then
  args+=(--target "$triple")
  # cargo-zigbuild's glibc suffix (loongarch64-unknown-linux-gnu.2.36) is no folder name.
  built="$target/${triple%.[0-9]*.[0-9]*}"
fi
# shellcheck disable=SC2086 # JIXIAO_CARGO is a command line
${JIXIAO_CARGO:-cargo build} "${args[@]}"
built="$built/$profile"

version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
major="${version%%.*}"
minor="$(echo "$version" | cut -d. -f2)"
if [ "$major" = 0 ]; then soname="libjixiao.so.0.$minor"; else soname="libjixiao.so.$major"; fi
out="${JIXIAO_C_OUT:-$target/c/${triple:+${triple%.[0-9]*.[0-9]*}/}$profile}"
rm -rf "$out"
mkdir -p "$out/include" "$out/lib/pkgconfig"
cp bindings/c/include/jixiao.h bindings/c/include/jixiao-scorecard.schema.json \
  bindings/c/include/jixiao-error.schema.json "$out/include/"
if [ -f "$built/libjixiao.so" ]; then
  cp "$built/libjixiao.so" "$out/lib/libjixiao.so.$version"
  ln -s "libjixiao.so.$version" "$out/lib/$soname"
  ln -s "$soname" "$out/lib/libjixiao.so"
fi
cp "$built/libjixiao.a" "$out/lib/libjixiao.a"
bash bindings/c/write-pc.sh '${pcfiledir}/../..' "$version" "$out/lib/pkgconfig/jixiao.pc"
echo "$out"

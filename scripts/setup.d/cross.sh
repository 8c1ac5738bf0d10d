#!/usr/bin/env bash
# Extras for the cross-build suite (scripts/test.d/70-cross.sh, scripts/cross): ARM64 and
# LoongArch64 Linux (鲲鹏/飞腾, 龙芯) builds of libjixiao and the CLI, run under qemu-user.
#  - ARM64: Rust's aarch64-unknown-linux-gnu standard library (rustup), Debian's cross gcc
#    and its glibc (for linking, and for qemu to load dynamic programs).
#  - LoongArch64: the registries' stable Rust has no LoongArch standard library
#    (rust-std for loongarch64-* is "available = false" in the channel manifest), so a pinned
#    nightly with rust-src builds it from source (-Z build-std); zig from PyPI (ziglang) is
#    the C compiler and linker, with its own musl and glibc stubs for LoongArch, driven by
#    cargo-zigbuild from crates.io.
#  - qemu-user from Debian (qemu-aarch64, qemu-loongarch64), 8.1 or later: Rust and zig emit
#    LoongArch's LSX vector instructions, which qemu 7.2 (bookworm's own) does not know, so
#    on bookworm it comes from bookworm-backports (deb.debian.org, like every package here).
# Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
NIGHTLY=nightly-2026-10-30
ZIGLANG_VERSION=0.14.1
ZIGBUILD_VERSION=0.24.1
# shellcheck source=scripts/lib/apt.sh
. scripts/lib/apt.sh
apt_install_missing gcc-aarch64-linux-gnu libc6-dev-arm64-cross
qemu_version() { qemu-loongarch64 --version 2>/dev/null | sed -n 's/.*version \([0-9]*\)\..*/\1/p'; }
if [ "$(qemu_version || true)" = "" ] || [ "$(qemu_version)" -lt 9 ]; then
  # shellcheck disable=SC1091
  if [ "$(. /etc/os-release && echo "${VERSION_CODENAME:-}")" = bookworm ]; then
    list=/etc/apt/sources.list.d/jixiao-backports.list
    sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    [ -f "$list" ] || echo "deb http://deb.debian.org/debian bookworm-backports main" | $sudo tee "$list" >/dev/null
    apt_install -t bookworm-backports qemu-user
  else
    apt_install qemu-user
  fi
fi
echo "qemu-user $(qemu_version)"

rustup target list --installed | grep -qx aarch64-unknown-linux-gnu || rustup target add aarch64-unknown-linux-gnu
if rustup toolchain list | grep -q "^$NIGHTLY"; then
  echo "$NIGHTLY present"
else
  rustup toolchain install --profile minimal --component rust-src "$NIGHTLY"
fi

zig=target/cross/zig
if [ -x "$zig/bin/python" ] && "$zig/bin/python" -m ziglang version 2>/dev/null | grep -q "^$ZIGLANG_VERSION"; then
  echo "zig $ZIGLANG_VERSION present"
else
  rm -rf "$zig"
  python3 -m venv "$zig"
  "$zig/bin/pip" install -q --disable-pip-version-check "ziglang==$ZIGLANG_VERSION"
fi
if command -v cargo-zigbuild >/dev/null && cargo-zigbuild --version | grep -q "$ZIGBUILD_VERSION"; then
  echo "cargo-zigbuild $ZIGBUILD_VERSION present"
else
  cargo install --locked --quiet cargo-zigbuild --version "$ZIGBUILD_VERSION"
fi

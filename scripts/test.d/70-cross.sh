#!/usr/bin/env bash
# 信创 CPUs: libjixiao and the jixiao CLI cross-built for ARM64 (鲲鹏, 飞腾) and LoongArch64
# (龙芯) Linux, and run under qemu-user against every shared vector (tests/vectors/):
#  - a static C program over each target's libjixiao.a must print the expected scorecard byte
#    for byte (bindings/c/tests/vector.c);
#  - on ARM64 also a program linked to the shared library through its jixiao.pc (the SONAME
#    resolved by qemu's loader from Debian's arm64 glibc), and the CLI's `jixiao score`.
# LoongArch builds for musl (static, runnable here) and for glibc 2.36 (what 统信 UOS and
# 麒麟 ship; built and checked to be LoongArch ELF, but not run: no LoongArch glibc is in the
# registries this project may use). Debug builds, to keep the suite short; `scripts/cross`
# makes the release artifacts. Toolchains: scripts/setup.d/cross.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
step() { printf '\n--> %s\n' "$*"; }
NIGHTLY=nightly-2026-10-30
target="${CARGO_TARGET_DIR:-$PWD/target}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
vectors() { python3 -c 'import json
for v in json.load(open("tests/vectors/manifest.json"))["vectors"]: print(v["name"], v["rulebook_json"], v["submission"], v["expected"])'; }

# Runs the static vector program (and optionally more) on every vector under qemu.
run_vectors() { # label qemu program
  local label="$1" qemu="$2" program="$3" n=0
  while read -r name rulebook submission expected; do
    "$qemu" "$program" "$rulebook" "$submission" "$expected" || { echo "$label: $name differs" >&2; exit 1; }
    n=$((n + 1))
  done < <(vectors)
  echo "$label: $n vectors byte for byte"
}

step "ARM64: libjixiao and the CLI (aarch64-unknown-linux-gnu)"
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
arm="$(JIXIAO_PROFILE=debug JIXIAO_TARGET=aarch64-unknown-linux-gnu bash bindings/c/build.sh)"
cargo build -q --locked -p jixiao-cli --target aarch64-unknown-linux-gnu
readelf -h "$arm/lib/libjixiao.so.0.1.0" | grep -q 'AArch64'
aarch64-linux-gnu-gcc -std=c11 -Wall -Werror -static -I"$arm/include" bindings/c/tests/vector.c \
  "$arm/lib/libjixiao.a" -lm -o "$work/vector-arm64" 2> >(grep -v -e 'statically linked applications requires' -e 'in function' >&2)
run_vectors "ARM64 static" qemu-aarch64 "$work/vector-arm64"
# shellcheck disable=SC2046 # pkg-config prints several flags on purpose
aarch64-linux-gnu-gcc -std=c11 -Wall -Werror bindings/c/tests/vector.c \
  $(PKG_CONFIG_PATH="$arm/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR= pkg-config --cflags --libs jixiao) -o "$work/vector-arm64-shared"
QEMU_LD_PREFIX=/usr/aarch64-linux-gnu run_vectors "ARM64 shared" qemu-aarch64 "$work/vector-arm64-shared"
python3 - "$target/aarch64-unknown-linux-gnu/debug/jixiao" <<'PY'
import json, subprocess, sys
n = 0
for v in json.load(open("tests/vectors/manifest.json"))["vectors"]:
    run = subprocess.run(["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu", sys.argv[1], "score",
                          v["rulebook_json"], v["submission"], "--format", "json"], capture_output=True, text=True)
    got = json.loads(run.stdout)
    want = json.load(open(v["expected"]))
    assert got == want, v["name"]
    n += 1
print(f"ARM64 CLI: jixiao score on {n} vectors as expected")
PY

step "LoongArch64: libjixiao and the CLI (nightly -Z build-std, zig as linker)"
export PATH="$PWD/target/cross/zig/bin:$PATH"   # python3 -m ziglang, for cargo-zigbuild
zigbuild() { cargo "+$NIGHTLY" zigbuild -q --locked -Z build-std -p jixiao-c -p jixiao-cli "$@"; }
zigbuild --target loongarch64-unknown-linux-musl
loong="$target/loongarch64-unknown-linux-musl/debug"
readelf -h "$loong/jixiao" | grep -q 'LoongArch'
# (-lunwind: zig's libunwind, which Rust's panics need and musl has not)
python3 -m ziglang cc -target loongarch64-linux-musl -static -std=c11 -Wall -Werror -Ibindings/c/include \
  bindings/c/tests/vector.c "$loong/libjixiao.a" -lunwind -o "$work/vector-loong64"
run_vectors "LoongArch64 static (musl)" qemu-loongarch64 "$work/vector-loong64"
python3 - "$loong/jixiao" <<'PY'
import json, subprocess, sys
n = 0
for v in json.load(open("tests/vectors/manifest.json"))["vectors"]:
    run = subprocess.run(["qemu-loongarch64", sys.argv[1], "score", v["rulebook_json"], v["submission"],
                          "--format", "json"], capture_output=True, text=True)
    assert json.loads(run.stdout) == json.load(open(v["expected"])), v["name"]
    n += 1
print(f"LoongArch64 CLI (musl): jixiao score on {n} vectors as expected")
PY
zigbuild --target loongarch64-unknown-linux-gnu.2.36
gnu="$target/loongarch64-unknown-linux-gnu/debug"
for f in "$gnu/libjixiao.so" "$gnu/jixiao"; do
  readelf -h "$f" | grep -q 'LoongArch' || { echo "$f is not LoongArch" >&2; exit 1; }
done
readelf -d "$gnu/libjixiao.so" | grep -q 'SONAME.*libjixiao.so.0'
echo "LoongArch64 glibc: libjixiao.so and jixiao built (not run: no LoongArch glibc to run them with)"
echo "cross suite passed"

#!/usr/bin/env bash
# Java's per-call overhead against C on the same library (release build), the same rulebook
# and submission, in one run: BENCHMARKS.md "Java".
#   bash bindings/java/bench/overhead.sh [CALLS]
set -euo pipefail
cd "$(dirname "$0")/../../.."
calls="${1:-20000}"
target="${CARGO_TARGET_DIR:-$PWD/target}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
bash bindings/java/build.sh >/dev/null
dist="$(bash bindings/c/build.sh)"
# shellcheck disable=SC2046 # pkg-config prints several flags on purpose
gcc -O2 bindings/java/bench/overhead.c $(PKG_CONFIG_PATH="$dist/lib/pkgconfig" pkg-config --cflags --libs jixiao) \
  -o "$work/overhead"
javac -cp "$target/java/jixiao.jar" -d "$work" bindings/java/bench/Overhead.java
for case in "demo rules/demo/rulebook.toml rules/demo/submissions/average.json" \
            "gov-it-post rules/gov-it-post/rulebook.toml rules/gov-it-post/examples/average.json"; do
  set -- $case
  c="$("$work/overhead" "$2" "$3" "$calls")"
  read -r raw typed < <(java -cp "$target/java/jixiao.jar:/usr/share/java/jna.jar:$work" Overhead "$2" "$3" "$calls")
  awk -v n="$1" -v c="$c" -v r="$raw" -v t="$typed" 'BEGIN {
    printf "%-12s C %6.2f µs/call   Java %6.2f µs (+%.2f)   Java reading total %6.2f µs (+%.2f)\n", n, c, r, r - c, t, t - c }'
done

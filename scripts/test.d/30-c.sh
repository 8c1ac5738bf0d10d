#!/usr/bin/env bash
# C ABI and batch suite:
#  1. the committed header is what cbindgen generates from the sources (cbindgen --verify);
#  2. the C test program and the C example, compiled with gcc -Werror against the committed
#     header, run under valgrind with zero errors and zero definite, indirect or possible
#     leaks;
#  3. the example links statically too, and through the installed pkg-config file;
#  4. the Java/JNA example prints the same total as `jixiao score`.
# (The batch CLI's tests with real files are Rust tests: cargo test -p jixiao-cli.)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n--> %s\n' "$*"; }
target="${CARGO_TARGET_DIR:-$PWD/target}"
lib="$target/debug"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

step "build libjixiao and the CLI"
cargo build --locked -p jixiao-c -p jixiao-cli

step "header is current (cbindgen --verify)"
if ! cbindgen --quiet --config bindings/c/cbindgen.toml --crate jixiao-c \
  --output bindings/c/include/jixiao.h --verify; then
  echo "bindings/c/include/jixiao.h is out of date; regenerate with:" >&2
  echo "  cbindgen --config bindings/c/cbindgen.toml --crate jixiao-c --output bindings/c/include/jixiao.h" >&2
  exit 1
fi

CFLAGS=(-std=c11 -Wall -Wextra -Werror -Ibindings/c/include)
step "gcc: C test program and example against the committed header"
gcc "${CFLAGS[@]}" bindings/c/tests/test_jixiao.c -L"$lib" -ljixiao -lpthread -Wl,-rpath,"$lib" -o "$work/test_jixiao"
gcc "${CFLAGS[@]}" bindings/c/examples/score.c -L"$lib" -ljixiao -Wl,-rpath,"$lib" -o "$work/score"

# "possibly lost" counts too: what the library keeps must go with the last engine (one
# suppression: the thread-local storage of rayon's global pool threads, see the file).
VALGRIND=(valgrind --quiet --error-exitcode=1 --leak-check=full
  --errors-for-leak-kinds=definite,indirect,possible --show-leak-kinds=definite,indirect,possible
  --suppressions=bindings/c/tests/valgrind.supp)
step "valgrind: C test program"
"${VALGRIND[@]}" "$work/test_jixiao"
step "valgrind: C example"
"${VALGRIND[@]}" "$work/score" rules/demo/rulebook.toml rules/demo/submissions/average.json >"$work/example.out"
head -4 "$work/example.out"

step "static link and pkg-config"
gcc "${CFLAGS[@]}" bindings/c/examples/score.c "$lib/libjixiao.a" -lpthread -ldl -lm -lrt -lutil -o "$work/score-static"
"$work/score-static" rules/demo/rulebook.toml rules/demo/submissions/strong.json | sed -n 2p
JIXIAO_LIB_DIR="$lib" bash bindings/c/install.sh "$work/prefix" >/dev/null
# shellcheck disable=SC2046 # pkg-config prints several flags on purpose
gcc "${CFLAGS[@]}" bindings/c/examples/score.c $(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --cflags --libs jixiao) \
  -Wl,-rpath,"$work/prefix/lib" -o "$work/score-pc"
"$work/score-pc" rules/demo/rulebook.toml rules/demo/submissions/strong.json | sed -n 2p

step "Java (JNA) example prints the CLI's total"
jna=/usr/share/java/jna.jar
javac -cp "$jna" -d "$work/java" bindings/c/examples/java/Score.java
# Every rule pack's example projects (rules/*/submissions or rules/*/examples).
for rulebook in rules/*/rulebook.toml; do
  pack="$(dirname "$rulebook")"
  for sub in "$pack"/submissions/*.json "$pack"/examples/*.json; do
    [ -f "$sub" ] || continue
    java_line="$(java -cp "$jna:$work/java" -Djna.library.path="$lib" Score "$rulebook" "$sub" | head -1)"
    java_total="${java_line#total=}"
    java_total="${java_total%% *}"
    # `score` exits 3 for an incomplete project; its JSON is still the scorecard.
    cli_total="$("$target/debug/jixiao" score "$rulebook" "$sub" --format json || true)"
    cli_total="$(printf '%s' "$cli_total" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')"
    if [ "$java_total" != "$cli_total" ]; then
      echo "Java total $java_total differs from CLI total $cli_total for $sub" >&2
      exit 1
    fi
    echo "$sub: Java $java_line, CLI total=$cli_total"
  done
done

echo "C suite passed"

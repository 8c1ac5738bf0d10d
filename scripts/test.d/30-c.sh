#!/usr/bin/env bash
# C ABI and batch suite:
#  1. the committed header is what cbindgen generates from the sources (cbindgen --verify);
#  2. the C test program and the C example, compiled with gcc -Werror against the committed
#     header, run under valgrind with zero errors and zero definite, indirect or possible
#     leaks;
#  3. the library as bindings/c/build.sh lays it out: SONAME and versioned names, a
#     program linked through the built jixiao.pc starts with no LD_LIBRARY_PATH, one
#     static link line (-lm only) makes a fully static program, and install.sh installs it
#     all under a prefix whose pkg-config line works the same;
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

step "build libjixiao (laid out as it installs) and the CLI"
cargo build --locked -p jixiao-c -p jixiao-cli
dist="$(JIXIAO_PROFILE=debug bash bindings/c/build.sh)"

step "header is current (cbindgen --verify)"
if ! cbindgen --quiet --config bindings/c/cbindgen.toml --crate jixiao-c \
  --output bindings/c/include/jixiao.h --verify; then
  echo "bindings/c/include/jixiao.h is out of date; regenerate with:" >&2
  echo "  cbindgen --config bindings/c/cbindgen.toml --crate jixiao-c --output bindings/c/include/jixiao.h" >&2
  exit 1
fi

CFLAGS=(-std=c11 -Wall -Wextra -Werror -Ibindings/c/include)
step "gcc: C test program and example against the committed header"
# shellcheck disable=SC2046 # pkg-config prints several flags on purpose
pc() { PKG_CONFIG_PATH="$1" pkg-config "${@:2}" jixiao; }
gcc "${CFLAGS[@]}" bindings/c/tests/test_jixiao.c $(pc "$dist/lib/pkgconfig" --cflags --libs) -lpthread -o "$work/test_jixiao"
gcc "${CFLAGS[@]}" bindings/c/examples/score.c $(pc "$dist/lib/pkgconfig" --cflags --libs) -o "$work/score"
# The program records the SONAME and finds the library through the run path jixiao.pc gave.
readelf -d "$work/score" | grep -q 'NEEDED.*\[libjixiao\.so\.0\.[0-9]*\]' || { readelf -d "$work/score"; exit 1; }
(unset LD_LIBRARY_PATH; "$work/score" rules/demo/rulebook.toml rules/demo/submissions/strong.json | sed -n 2p)

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

step "one static link line: the archive and -lm, a fully static program"
# (glibc warns that getpwuid_r and getaddrinfo, which Rust's standard library carries, need
# its shared libraries at run time; jixiao never calls them.)
gcc -static "${CFLAGS[@]}" bindings/c/examples/score.c $(pc "$dist/lib/pkgconfig" --cflags) \
  "$dist/lib/libjixiao.a" $(pc "$dist/lib/pkgconfig" --static --libs-only-l | sed 's/-ljixiao//') \
  -o "$work/score-static" 2> >(grep -v -e 'statically linked applications requires' -e 'in function' >&2)
file "$work/score-static" | grep -q 'statically linked' || { file "$work/score-static"; exit 1; }
[ "$(pc "$dist/lib/pkgconfig" --static --libs-only-l | xargs)" = "-ljixiao -lm" ]
# The static program scores every shared vector as its expected scorecard says.
python3 - "$work/score-static" <<'PY'
import json, subprocess, sys
for v in json.load(open("tests/vectors/manifest.json"))["vectors"]:
    out = subprocess.run([sys.argv[1], v["rulebook"], v["submission"]], capture_output=True, text=True).stdout
    total = next(l.split(": ")[1] for l in out.splitlines() if l.startswith("total: "))
    want = json.load(open(v["expected"]))["total"]
    assert float(total) == want, (v["name"], total, want)
print("static program: every vector's total as expected")
PY

step "install.sh under a prefix, and its pkg-config line"
JIXIAO_C_DIST="$dist" bash bindings/c/install.sh "$work/prefix" >/dev/null
ls -l "$work/prefix/lib" | grep -q 'libjixiao.so.0.[0-9]* -> libjixiao.so.0.[0-9]*.[0-9]*'
gcc "${CFLAGS[@]}" bindings/c/examples/score.c $(pc "$work/prefix/lib/pkgconfig" --cflags --libs) -o "$work/score-pc"
(unset LD_LIBRARY_PATH; "$work/score-pc" rules/demo/rulebook.toml rules/demo/submissions/strong.json | sed -n 2p)

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

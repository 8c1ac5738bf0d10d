#!/usr/bin/env bash
# The Java library (bindings/java): built into one jar with the JDK's tools (the native
# library inside it), then JUnit 5 (Debian's console launcher) runs its tests with the jar
# as users put it on their class path, under LC_ALL=C so that Java's default encoding is
# ASCII: scores must not change (the issue's 73.56 → 59.46).
set -euo pipefail
cd "$(dirname "$0")/../.."
step() { printf '\n--> %s\n' "$*"; }
target="${CARGO_TARGET_DIR:-$PWD/target}"
jna=/usr/share/java/jna.jar
junit=/usr/share/java/junit-platform-console-standalone.jar
[ -f "$junit" ] || { echo "35-java.sh: $junit not found; run scripts/setup" >&2; exit 1; }

step "the jar (debug library inside)"
JIXIAO_PROFILE=debug bash bindings/java/build.sh

step "JUnit 5 under LC_ALL=C"
rm -rf "$target/java/test-classes"
javac --release 17 -encoding UTF-8 -Xlint:all -Werror -cp "$target/java/jixiao.jar:$jna:$junit" \
  -d "$target/java/test-classes" $(find bindings/java/src/test/java -name '*.java' | sort)
LC_ALL=C LANG=C timeout 600 java -Djixiao.root="$PWD" -jar "$junit" \
  --class-path "$target/java/jixiao.jar:$jna:$target/java/test-classes" \
  --select-package org.jixiao --fail-if-no-tests --disable-banner --details=summary
echo "Java suite passed"

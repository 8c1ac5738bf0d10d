#!/usr/bin/env bash
# Builds the Java library (bindings/java) into target/java/jixiao.jar with the JDK's own
# tools: the classes, compiled against Debian's JNA, and the native library for this machine
# bundled under JNA's platform folder (linux-x86-64/libjixiao.so), from which the jar loads it.
#   bash bindings/java/build.sh            # release library
#   JIXIAO_PROFILE=debug bash bindings/java/build.sh
# More platforms: JIXIAO_EXTRA_LIBS="linux-aarch64=/path/to/libjixiao.so ..." adds their
# libraries to the same jar.
set -euo pipefail
cd "$(dirname "$0")/../.."
profile="${JIXIAO_PROFILE:-release}"
target="${CARGO_TARGET_DIR:-$PWD/target}"
jna=/usr/share/java/jna.jar
[ -f "$jna" ] || { echo "build.sh: $jna not found (apt install libjna-java; scripts/setup does)" >&2; exit 1; }

if [ "$profile" = release ]; then cargo build -q --locked --release -p jixiao-c; else cargo build -q --locked -p jixiao-c; fi

out="$target/java"
rm -rf "$out/classes"
mkdir -p "$out/classes/linux-x86-64"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
javac --release 17 -encoding UTF-8 -Xlint:all -Werror -cp "$jna" -d "$out/classes" \
  $(find bindings/java/src/main/java -name '*.java' | sort)
cp "$target/$profile/libjixiao.so" "$out/classes/linux-x86-64/libjixiao.so"
for extra in ${JIXIAO_EXTRA_LIBS:-}; do
  mkdir -p "$out/classes/${extra%%=*}"
  cp "${extra#*=}" "$out/classes/${extra%%=*}/libjixiao.so"
done
cat > "$out/MANIFEST.MF" <<MF
Automatic-Module-Name: org.jixiao
Implementation-Title: jixiao
Implementation-Version: $version
MF
rm -f "$out/jixiao.jar"
jar --create --file "$out/jixiao.jar" --manifest "$out/MANIFEST.MF" -C "$out/classes" .
echo "$out/jixiao.jar"

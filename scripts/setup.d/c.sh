#!/usr/bin/env bash
# Extras for the C ABI suite (scripts/test.d/30-c.sh): a C compiler and libc headers for
# gcc, which the shared setup assumes. valgrind, pkg-config, the JDK, libjna-java and
# cbindgen come from scripts/setup itself. Idempotent.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
for p in gcc libc6-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "gcc and libc6-dev present"
fi

#!/usr/bin/env bash
# Extras for the Java suite (scripts/test.d/35-java.sh): JUnit 5 (its console launcher runs
# the tests), from Debian. The JDK and JNA come from scripts/setup itself. Idempotent.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
for p in junit5 default-jdk-headless libjna-java; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "junit5, the JDK and JNA present"
fi

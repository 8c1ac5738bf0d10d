#!/usr/bin/env bash
# Extras for the Java suite (scripts/test.d/35-java.sh): JUnit 5 (its console launcher runs
# the tests), from Debian. The JDK and JNA come from scripts/setup itself. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=scripts/lib/apt.sh
. scripts/lib/apt.sh
apt_install_missing junit5 default-jdk-headless libjna-java

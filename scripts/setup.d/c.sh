#!/usr/bin/env bash
# Extras for the C ABI suite (scripts/test.d/30-c.sh): a C compiler and libc headers for
# gcc, which the shared setup assumes. valgrind, pkg-config, the JDK, libjna-java and
# cbindgen come from scripts/setup itself. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=scripts/lib/apt.sh
. scripts/lib/apt.sh
apt_install_missing gcc libc6-dev

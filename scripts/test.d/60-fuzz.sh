#!/usr/bin/env bash
# A short run of every fuzz target (scripts/fuzz), so the targets never rot: they build
# against today's code, and their seeds from rules/ and tests/ pass. Long runs are
# `scripts/fuzz SECONDS` (BENCHMARKS.md keeps the minutes fuzzed so far).
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/fuzz "${JIXIAO_FUZZ_SMOKE_SECONDS:-10}"

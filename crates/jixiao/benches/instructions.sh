#!/usr/bin/env bash
# Instructions per evaluation, counted by callgrind: immune to the load of a shared machine,
# so it is what we compare optimizations by (wall-clock figures come from criterion).
#
#   crates/jixiao/benches/instructions.sh bench40
#   crates/jixiao/benches/instructions.sh rules/gov-it-post/rulebook.toml rules/gov-it-post/examples/average.json
#
# Runs the profiling loop (`examples/profile_eval.rs`) for 1 and for 1,001 evaluations and
# prints the difference / 1,000, so loading, compiling and start-up cancel out. Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")/../../.."
cargo build --release --quiet -p jixiao --example profile_eval
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/examples/profile_eval"
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" 2>&1 \
    | awk '/refs:/ { gsub(",", "", $NF); print $NF }'
}
one=$(count "$@" 1)
many=$(count "$@" 1001)
echo "$(( (many - one) / 1000 )) instructions per evaluation; load + compile + 1 evaluation: $one ($*)"

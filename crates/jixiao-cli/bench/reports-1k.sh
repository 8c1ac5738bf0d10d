#!/usr/bin/env bash
# Report benchmark (not a test): `jixiao batch --reports` over 1,000 synthetic gov-it-post
# projects with the release binary, beside the same batch without reports, so the difference
# is what the reports cost: wall and CPU time per report, peak RSS, the files' total size.
#
#   crates/jixiao-cli/bench/reports-1k.sh [ROWS]     # default 1000
#
# Needs /usr/bin/time (GNU time) and python3. Files go to ${BENCH_DIR:-/tmp/jixiao-bench}.
set -euo pipefail
cd "$(dirname "$0")/../../.."
rows="${1:-1000}"
rules=rules/gov-it-post
dir="${BENCH_DIR:-/tmp/jixiao-bench}"
mkdir -p "$dir"
cargo build --release --locked -p jixiao-cli
jixiao="${CARGO_TARGET_DIR:-$PWD/target}/release/jixiao"
input="$dir/projects-$rows.csv"
if [ ! -s "$input" ]; then
  echo "generating $rows projects ($rules) → $input"
  python3 crates/jixiao-cli/bench/gen_projects.py "$rules" "$rows" "$input"
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
# run LABEL ARGS…: one batch under GNU time; prints wall and CPU seconds and peak RSS.
run() {
  local label="$1"
  shift
  local log="$dir/time-reports-$label.txt"
  set +e
  /usr/bin/time -v "$jixiao" batch "$rules/rulebook.toml" "$input" -o "$dir/results-$label.csv" --quiet "$@" 2>"$log"
  set -e
  local wall user sys rss
  wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}')
  user=$(grep "User time" "$log" | awk '{print $NF}')
  sys=$(grep "System time" "$log" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
  python3 - "$label" "$wall" "$user" "$sys" "$rss" "$rows" <<'PY'
import sys
label, wall, user, sys_, rss, rows = sys.argv[1:]
secs = sum(float(x) * 60**i for i, x in enumerate(reversed(wall.split(":"))))
cpu = float(user) + float(sys_)
rows = int(rows)
print(f"{label:>12}: wall {secs:.2f} s, cpu {cpu:.2f} s ({cpu * 1000 / rows:.2f} ms cpu per project), peak RSS {int(rss) // 1024} MB")
PY
}
run plain
for format in docx html; do
  out="$dir/reports-$format"
  rm -rf "$out"
  run "$format" --reports "$out" --report-format "$format"
  echo "              $(find "$out" -type f | wc -l) files, $(du -sh "$out" | cut -f1) in $out"
done

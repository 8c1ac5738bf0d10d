#!/usr/bin/env bash
# Batch benchmark (not a test): score 1,000,000 synthetic projects from CSV to CSV with the
# release binary; report wall time, projects/s and peak RSS, at 100k and 1M rows to show
# memory stays flat.
#
#   crates/jixiao-cli/bench/batch-1m.sh [RULEBOOK_DIR]   # default rules/gov-it-post, else rules/demo
#
# Needs /usr/bin/time (GNU time) and python3. Files go to ${BENCH_DIR:-/tmp/jixiao-bench}.
set -euo pipefail
cd "$(dirname "$0")/../../.."
rules="${1:-}"
if [ -z "$rules" ]; then
  if [ -f rules/gov-it-post/rulebook.toml ]; then rules=rules/gov-it-post; else rules=rules/demo; fi
fi
dir="${BENCH_DIR:-/tmp/jixiao-bench}"
mkdir -p "$dir"
cargo build --release --locked -p jixiao-cli
export JIXIAO="${CARGO_TARGET_DIR:-$PWD/target}/release/jixiao"

for rows in 100000 1000000; do
  input="$dir/projects-$rows.csv"
  if [ ! -s "$input" ]; then
    echo "generating $rows projects ($rules) → $input"
    python3 crates/jixiao-cli/bench/gen_projects.py "$rules" "$rows" "$input"
  fi
done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for rows in 100000 1000000; do
  input="$dir/projects-$rows.csv"
  output="$dir/results-$rows.csv"
  log="$dir/time-$rows.txt"
  load=$(cut -d' ' -f1 /proc/loadavg)
  set +e
  /usr/bin/time -v "$JIXIAO" batch "$rules/rulebook.toml" "$input" -o "$output" --quiet 2>"$log"
  status=$?
  set -e
  wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
  user=$(grep "User time" "$log" | awk '{print $NF}')
  sys=$(grep "System time" "$log" | awk '{print $NF}')
  secs=$(python3 -c "p='$wall'.split(':'); print(sum(float(x)*60**i for i,x in enumerate(reversed(p))))")
  # CPU time is what other processes on the machine inflate least: compare runs by it.
  echo "rows=$rows exit=$status wall=${secs}s projects/s=$(python3 -c "print(round($rows/$secs))") cpu=${user}+${sys}s ($(python3 -c "print(round(($user+$sys)*1e6/$rows, 1))") µs/project) peak_rss=$((rss / 1024))MB load_before=$load input=$(du -h "$input" | cut -f1) output=$(du -h "$output" | cut -f1)"
  grep -E "评分完成|失败" "$log" | tail -1
done

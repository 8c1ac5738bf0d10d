#!/usr/bin/env bash
# Screenshots of the reports as another reader renders them: for every shipped pack, its
# weak example's report (DOCX, converted to PDF by LibreOffice) — the first page, and the
# first page of the 评分表 — and the summary of the gov-it-post examples, as PNGs in
# crates/jixiao-report/tests/screenshots/. Look at them after changing the report.
#
#   crates/jixiao-report/tests/screenshots.sh
#
# Needs LibreOffice and poppler-utils (scripts/setup installs both) and target/debug/jixiao.
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=crates/jixiao-report/tests/screenshots
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build -q -p jixiao-cli --locked
jixiao=target/debug/jixiao
for pack in rules/*/; do
  name="$(basename "$pack")"
  example=""
  for f in "$pack"/examples/weak.json "$pack"/submissions/weak.json; do
    if [ -f "$f" ]; then example="$f"; fi
  done
  [ -n "$example" ] || continue
  "$jixiao" report "$pack/rulebook.toml" "$example" -o "$work/$name.docx" || [ $? -eq 3 ]
done
# The summary of gov-it-post's examples, through the batch's JSON Lines input.
for f in rules/gov-it-post/examples/*.json; do python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), ensure_ascii=False))' "$f"; done > "$work/projects.jsonl"
"$jixiao" batch rules/gov-it-post/rulebook.toml "$work/projects.jsonl" -o "$work/results.jsonl" --reports "$work/batch" --quiet || true
cp "$work/batch/评价结果汇总.docx" "$work/summary.docx"
HOME="$work" soffice --headless --convert-to pdf --outdir "$work" "$work"/*.docx > /dev/null
rm -f "$out"/*.png
for pdf in "$work"/*.pdf; do
  name="$(basename "$pdf" .pdf)"
  pdftoppm -r 50 -png -f 1 -l 1 "$pdf" "$work/$name-first"
  mv "$work/$name-first"-*1.png "$out/$name-1.png"
  # The page where the 评分表 begins.
  page="$(for p in $(seq 1 "$(pdfinfo "$pdf" | awk '/^Pages/ {print $2}')"); do
    pdftotext -f "$p" -l "$p" "$pdf" - | grep -q '评分表\|scoring table' && { echo "$p"; break; }; done || true)"
  if [ -n "$page" ] && [ "$page" != 1 ]; then
    pdftoppm -r 50 -png -f "$page" -l "$page" "$pdf" "$work/$name-table"
    mv "$work/$name-table"-*.png "$out/$name-scoring-table.png"
  fi
done
ls -la "$out"

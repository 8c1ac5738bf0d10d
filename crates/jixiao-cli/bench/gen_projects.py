#!/usr/bin/env python3
"""Synthetic projects for the batch benchmark, as a finance back office exports them: a CSV
whose columns are the rulebook inputs' Chinese labels (plus 项目编号, 项目名称), values typed as
people type them ("2,104.8", "良、良、中", 是/否, dates).

    gen_projects.py RULEBOOK_DIR ROWS OUT.csv

Rows vary the rulebook's example submissions (RULEBOOK_DIR/examples or /submissions): every
number is scaled by a random factor within its declared range, grades and choices are drawn
at random, and about 1 row in 200 has a missing value. Deterministic (seeded).
"""
import csv
import glob
import json
import os
import random
import subprocess
import sys

rulebook_dir, rows, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
jixiao = os.environ.get("JIXIAO", "target/release/jixiao")
spec = json.loads(subprocess.check_output([jixiao, "export", os.path.join(rulebook_dir, "rulebook.toml")]))
inputs = spec["inputs"]
examples = []
for pattern in ("examples/*.json", "submissions/*.json"):
    for path in sorted(glob.glob(os.path.join(rulebook_dir, pattern))):
        if "missing" in os.path.basename(path):
            continue  # an example with inputs left out on purpose: not a typical row
        with open(path, encoding="utf-8") as f:
            examples.append(json.load(f)["values"])
rng = random.Random(20241125)
GRADES = ["优", "良", "中", "差"]


def value(inp, base):
    kind = inp["type"]
    if kind == "grade":
        return "、".join(rng.choice(GRADES) for _ in range(3))
    if kind == "choice":
        return rng.choice(inp["choices"])
    if kind == "bool":
        return "是" if rng.random() < 0.8 else "否"
    if base is None:
        return ""
    if kind in ("number", "integer", "percent"):
        x = float(str(base).replace(",", "").rstrip("%")) * rng.uniform(0.7, 1.15)
        lo, hi = inp.get("min"), inp.get("max")
        if lo is not None:
            x = max(x, lo)
        if hi is not None:
            x = min(x, hi)
        if kind == "integer":
            return str(int(round(x)))
        return f"{x:,.2f}" if kind == "number" and x > 1000 else f"{x:.2f}"
    return base if isinstance(base, str) else json.dumps(base, ensure_ascii=False)


# A pool of distinct rows, cycled with fresh project ids: generating a million rows one by
# one in Python would take longer than scoring them.
POOL = 5000
pool = []
for i in range(POOL):
    base = rng.choice(examples)
    row = []
    for inp in inputs:
        b = base.get(inp["id"])
        row.append("" if rng.random() < 0.0002 else value(inp, b))
    pool.append(row)

with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["项目编号", "项目名称"] + [i["label"] for i in inputs])
    for n in range(rows):
        w.writerow([f"ZW-{n:07d}", f"政务信息化项目 {n}"] + pool[n % POOL])

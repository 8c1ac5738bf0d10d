"""Python against the CLI on the same 100,000 gov-it-post projects (issue 17's target: within
1.5x of `jixiao batch`). Run after `bash scripts/test.d/40-python.sh` (which installs the
release wheel into target/python/venv) and `cargo build --release -p jixiao-cli`:

    target/python/venv/bin/python bindings/python/bench/throughput.py [ROWS]

1. evaluate_many: the rulebook's example submissions, cycled to ROWS, as dicts (trace off),
   against `jixiao batch` on the same submissions as JSON Lines (CSV result). Timed until the
   list of scorecards is returned; freeing them afterwards is timed apart. evaluate_iter: the
   same submissions streamed, each scorecard's total read and the scorecard dropped, as a
   batch of more projects than memory holds scorecards would be run.
2. score_frame: a CSV of ROWS projects as a back office exports it (gen_projects.py), read by
   pandas as text, against `jixiao batch` on that CSV. Reading the file is timed apart.
Each is the best of 5 runs; CPU threads: the machine's (2 here)."""

import glob
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import pandas as pd

import jixiao

ROOT = pathlib.Path(__file__).resolve().parents[3]
CLI = ROOT / "target/release/jixiao"
RULES = ROOT / "rules/gov-it-post"
ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


def best(fn, runs=5):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
        del result
    return min(times)


def freeing(fn) -> float:
    result = fn()
    t0 = time.perf_counter()
    del result
    return time.perf_counter() - t0


def cli(inp: pathlib.Path, out: pathlib.Path) -> "subprocess.CompletedProcess[bytes]":
    return subprocess.run([str(CLI), "batch", str(RULES / "rulebook.toml"), str(inp), "-o", str(out), "-q"], check=False)


engine = jixiao.Engine.from_path(RULES / "rulebook.toml")
examples = [json.loads(pathlib.Path(p).read_text(encoding="utf-8")) for p in sorted(glob.glob(str(RULES / "examples/*.json")))]
subs = [examples[i % len(examples)] for i in range(ROWS)]

with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    jsonl = tmp / "subs.jsonl"
    jsonl.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in subs), encoding="utf-8")
    t_cli_jsonl = best(lambda: cli(jsonl, tmp / "out1.csv"))
    t_many = best(lambda: engine.evaluate_many(subs))
    t_free = freeing(lambda: engine.evaluate_many(subs))
    print(f"evaluate_many  {ROWS} dicts: {t_many:.2f} s ({ROWS / t_many:,.0f}/s; freeing the scorecards {t_free:.2f} s apart); jixiao batch on the same JSON Lines: {t_cli_jsonl:.2f} s; ratio {t_many / t_cli_jsonl:.2f}x")
    t_iter = best(lambda: sum(card.total for card in engine.evaluate_iter(subs)))
    print(f"evaluate_iter  {ROWS} dicts, each scorecard's total read and the scorecard dropped: {t_iter:.2f} s ({ROWS / t_iter:,.0f}/s); ratio {t_iter / t_cli_jsonl:.2f}x")

    csv = tmp / "projects.csv"
    env = {**os.environ, "JIXIAO": str(CLI)}
    subprocess.run([sys.executable, str(ROOT / "crates/jixiao-cli/bench/gen_projects.py"), str(RULES), str(ROWS), str(csv)], check=True, env=env)
    t_cli_csv = best(lambda: cli(csv, tmp / "out2.csv"))
    t0 = time.perf_counter()
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    t_read = time.perf_counter() - t0
    typed = pd.read_csv(csv)
    t_frame = best(lambda: engine.score_frame(frame))
    t_typed = best(lambda: engine.score_frame(typed))
    print(f"score_frame    {ROWS} rows: {t_frame:.2f} s ({ROWS / t_frame:,.0f}/s; pandas read_csv {t_read:.2f} s apart); jixiao batch on the CSV: {t_cli_csv:.2f} s; ratio {t_frame / t_cli_csv:.2f}x")
    print(f"score_frame    the same CSV read by pandas with its own types: {t_typed:.2f} s; ratio {t_typed / t_cli_csv:.2f}x")

"""score_frame: a pandas frame of projects scored with the batch's column mapping (one
implementation, crates/jixiao-batch), row for row as `jixiao batch` scores the same file."""

import csv
import io
import math
import os
import pathlib
import subprocess
import tempfile

import pandas as pd
import pytest

import jixiao

ROOT = pathlib.Path(__file__).resolve().parents[3]
CLI = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug" / "jixiao"
DEMO = ROOT / "rules/demo/rulebook.toml"


def batch(path: pathlib.Path, *extra: str) -> list[list[str]]:
    """`jixiao batch` natively: the CSV result's rows, header first."""
    assert CLI.exists(), f"{CLI} not built (cargo build -p jixiao-cli)"
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "out.csv"
        run = subprocess.run([str(CLI), "batch", str(DEMO), str(path), "-o", str(out), "-q", *extra], capture_output=True)
        assert run.returncode in (0, 1, 3), run.stderr.decode()
        return list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))


def number(text: str) -> "float | None":
    return None if text in ("", "不适用") else float(text)


@pytest.mark.parametrize("name", ["demo-bom.csv", "demo-libreoffice.csv"])
def test_a_frame_scores_as_jixiao_batch_scores_its_file(name: str) -> None:
    path = ROOT / "tests/batch" / name
    # As a finance team reads it: every cell as text.
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    engine = jixiao.Engine.from_path(DEMO)
    result = engine.score_frame(frame)
    native = batch(path)
    assert list(result.columns) == native[0]
    assert len(result) == len(native) - 1
    for (_, row), want in zip(result.iterrows(), native[1:]):
        assert row["项目编号"] == (want[1] or None)
        assert row["状态"] == want[3]
        got = row["总分"]
        assert (None if got is None or (isinstance(got, float) and math.isnan(got)) else got) == number(want[4])
        assert row["问题"] == want[-2]


def test_numbers_dates_and_a_mapping() -> None:
    engine = jixiao.Engine.from_path(DEMO)
    frame = pd.read_csv(ROOT / "tests/batch/demo-bom.csv", encoding="utf-8-sig")  # numbers as numbers
    frame = frame.rename(columns={"实际到位资金": "资金到位额"})
    plain = engine.score_frame(frame)
    mapped = engine.score_frame(frame, mapping={"资金到位额": "funds_arrived"})
    native = batch(ROOT / "tests/batch/demo-bom.csv")
    assert [number(r[4]) for r in native[1:]] == list(mapped["总分"])
    assert list(plain["总分"]) != list(mapped["总分"])
    english = engine.score_frame(frame, mapping={"资金到位额": "funds_arrived"}, lang="en")
    assert list(english.columns[:6]) == ["row", "project_id", "project_name", "status", "total", "grade"]
    with pytest.raises(jixiao.JixiaoError) as e:
        engine.score_frame(pd.DataFrame({"总分": [1]}))
    assert e.value.kind == "table" and e.value.code == "unknown_input"


def test_a_polars_frame_gives_a_polars_frame() -> None:
    import polars as pl

    path = ROOT / "tests/batch/demo-bom.csv"
    frame = pl.read_csv(path, infer_schema=False)
    result = jixiao.Engine.from_path(DEMO).score_frame(frame)
    assert type(result).__module__.startswith("polars")
    native = batch(path)
    assert result.columns == native[0]
    assert result["总分"].to_list() == [number(r[4]) for r in native[1:]]

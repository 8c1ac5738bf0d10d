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
    # A column that names nothing is ignored with a warning, and so is a required input
    # left without a column; nothing is dropped silently.
    with pytest.warns(UserWarning) as said:
        plain = engine.score_frame(frame)
    assert [str(w.message) for w in said] == [
        "列“资金到位额”不对应任何数据项或指标，已忽略",
        "没有以下必填数据项的列，相关指标将不评分：实际到位资金（funds_arrived）",
    ]
    # Where the name is close to an input's, the warning says which and how to map it.
    with pytest.warns(UserWarning, match=r'是否指“实际到位资金”（funds_arrived）？可传 mapping=\{"实际到位资": "funds_arrived"\}'):
        engine.score_frame(frame.rename(columns={"资金到位额": "实际到位资"}))
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


def test_typed_columns_read_as_a_spreadsheet_s_cells() -> None:
    """A frame's typed columns are read as a spreadsheet's cells are (numbers as numbers, NaN
    and NA as blank, dates as dates): the same scores as the frame read as text."""
    engine = jixiao.Engine.from_path(DEMO)
    path = ROOT / "tests/batch/demo-bom.csv"
    text = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    text.loc[2, "active_users"] = ""
    as_text = engine.score_frame(text)
    assert as_text.loc[2, "状态"] == "不完整"
    typed = pd.read_csv(path, encoding="utf-8-sig", parse_dates=["计划上线日期", "实际上线日期"])
    typed.loc[2, "active_users"] = float("nan")
    kinds = {dtype.kind for dtype in typed.dtypes}
    assert {"i", "f", "M"} <= kinds and typed["备注:O3.1"].isna().any(), typed.dtypes
    pd.testing.assert_frame_equal(engine.score_frame(typed), as_text)
    # pandas' nullable types: <NA> is a blank cell, as NaN is.
    nullable = typed.convert_dtypes()
    assert str(nullable["active_users"].dtype) == "Int64"
    pd.testing.assert_frame_equal(engine.score_frame(nullable), as_text)
    # Dates as Python objects (a column of datetime.date) read as dates too.
    as_objects = typed.assign(计划上线日期=typed["计划上线日期"].dt.date.astype(object))
    pd.testing.assert_frame_equal(engine.score_frame(as_objects), as_text)

    import polars as pl

    typed_polars = pl.read_csv(path, try_parse_dates=True).with_columns(
        pl.when(pl.int_range(pl.len()) == 2).then(None).otherwise(pl.col("active_users")).alias("active_users")
    )
    assert typed_polars["active_users"].dtype.is_integer() and typed_polars["计划上线日期"].dtype == pl.Date
    got = engine.score_frame(typed_polars)
    assert got["总分"].to_list() == [None if math.isnan(x) else x for x in as_text["总分"]]
    assert got["问题"].to_list() == list(as_text["问题"])

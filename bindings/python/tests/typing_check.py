"""Checked by `mypy --strict` against the package's stubs (py.typed): the API as users call it."""

from collections.abc import Iterator
from typing import Optional

import jixiao

engine: jixiao.Engine = jixiao.Engine.from_path("rules/demo/rulebook.toml")
card: jixiao.Scorecard = engine.evaluate({"values": {"budget_requested": 100}}, lang="en")
total: float = card.total
grade: Optional[str] = card.grade
leaves: list[jixiao.Indicator] = [i for i in card.indicators if i.leaf]
scores: list[Optional[float]] = [i.score for i in leaves]
cards: list[jixiao.Scorecard] = engine.evaluate_many(['{"values": {}}'], threads=2)
streamed: Iterator[jixiao.Scorecard] = engine.evaluate_iter(iter([{"values": {}}]), lang="en")
totals: list[float] = [c.total for c in streamed]
try:
    jixiao.Engine("")
except jixiao.RulebookError as e:
    codes: list[str] = [str(p["code"]) for p in e.problems]

"""jixiao (绩效): score public-spending projects by a rulebook (指标体系).

The same engine as the ``jixiao`` CLI, the WebAssembly package and the C library: a
scorecard's ``to_json()`` is byte for byte what they print.

    >>> import jixiao
    >>> engine = jixiao.Engine.from_path("rules/gov-it-post/rulebook.toml")
    >>> card = engine.evaluate({"values": {"funds_spent": "98,694.55"}})
    >>> card.total, card.grade
"""

from ._jixiao import (
    Engine,
    Indicator,
    JixiaoError,
    ReadError,
    RulebookError,
    Scorecard,
    SubmissionError,
    engine_version,
)

__all__ = [
    "Engine",
    "Indicator",
    "JixiaoError",
    "ReadError",
    "RulebookError",
    "Scorecard",
    "SubmissionError",
    "engine_version",
]

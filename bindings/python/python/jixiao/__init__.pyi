from collections.abc import Iterable, Iterator, Mapping
from os import PathLike
from typing import Any, Literal, Optional, Union

Lang = Literal["zh", "zh-CN", "en"]
SubmissionLike = Union[str, Mapping[str, Any]]

class JixiaoError(Exception):
    """Any error of the engine, its fields as the core serializes them."""

    kind: str
    code: str
    message: str
    problems: list[dict[str, Any]]

class RulebookError(JixiaoError):
    rulebook: str

class SubmissionError(JixiaoError): ...
class ReadError(JixiaoError): ...

class Indicator:
    id: str
    parent: Optional[str]
    level: int
    leaf: bool
    label: str
    points: float
    score: Optional[float]
    status: Literal["scored", "unscored", "partial", "not_applicable", "error"]
    explanation: Optional[str]
    findings: list[str]
    missing: list[str]

class Scorecard:
    @property
    def total(self) -> float: ...
    @property
    def grade(self) -> Optional[str]: ...
    @property
    def complete(self) -> bool: ...
    @property
    def problems(self) -> list[dict[str, Any]]: ...
    @property
    def indicators(self) -> list[Indicator]: ...
    @property
    def findings(self) -> list[str]: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

class Engine:
    def __init__(self, text: str) -> None: ...
    @staticmethod
    def from_path(path: Union[str, PathLike[str]]) -> Engine: ...
    def evaluate(self, submission: SubmissionLike, *, lang: Lang = "zh", trace: bool = True) -> Scorecard: ...
    def evaluate_many(
        self,
        submissions: Iterable[SubmissionLike],
        *,
        threads: Optional[int] = None,
        lang: Lang = "zh",
        trace: bool = False,
    ) -> list[Scorecard]: ...
    def evaluate_iter(
        self,
        submissions: Iterable[SubmissionLike],
        *,
        threads: Optional[int] = None,
        lang: Lang = "zh",
        trace: bool = False,
    ) -> Iterator[Scorecard]:
        """As `evaluate_many`, one scorecard at a time in input order, scored ahead of the
        caller: for more projects than memory holds scorecards. An input that is no submission
        raises its error after the scorecards of the inputs before it."""
    def score_frame(
        self,
        frame: Any,
        *,
        mapping: Optional[Mapping[str, str]] = None,
        lang: Lang = "zh",
    ) -> Any:
        """A pandas or polars frame of projects scored as `jixiao batch` scores a spreadsheet's
        rows (typed cells read as cells; None, NaN, NA and NaT blank); returns a frame of the
        same library with the batch result's columns. Columns that name nothing, and required
        inputs without a column, are each a `UserWarning`."""
    @property
    def id(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def hash(self) -> str: ...
    @property
    def title(self) -> str: ...

def engine_version() -> str: ...

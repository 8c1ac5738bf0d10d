"""The Python package against the shared vectors (tests/vectors/): every scorecard's JSON is
byte for byte the native engine's, and the package's errors are its exception classes."""

import json
import pathlib
import threading

import pytest

import jixiao

ROOT = pathlib.Path(__file__).resolve().parents[3]
MANIFEST = json.loads((ROOT / "tests/vectors/manifest.json").read_text(encoding="utf-8"))
VECTORS = MANIFEST["vectors"]


def read(rel: str) -> str:
    return (ROOT / rel).read_text(encoding="utf-8")


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_every_vector_scores_byte_for_byte_as_native(vector: dict) -> None:
    engine = jixiao.Engine(read(vector["rulebook_json"]))
    expected = read(vector["expected"]).strip()
    # The submission as a dict, as Python code holds it, and as JSON text.
    submission = json.loads(read(vector["submission"]))
    assert engine.evaluate(submission).to_json() == expected
    assert engine.evaluate(read(vector["submission"])).to_json() == expected


def test_from_path_reads_script_files_and_the_card_has_typed_fields() -> None:
    engine = jixiao.Engine.from_path(ROOT / "rules/demo/rulebook.toml")
    assert engine.id == "demo" and engine.hash.startswith("sha256:")
    card = engine.evaluate(json.loads(read("rules/demo/submissions/average.json")))
    assert (card.total, card.grade, card.complete) == (79.22, "中", True)
    assert card.to_dict()["total"] == 79.22
    assert card.problems == []
    assert repr(card) == "<jixiao.Scorecard total=79.22 grade=中>"
    # Typed indicators, as the JSON has them.
    as_json = card.to_dict()["indicators"]
    assert [i.id for i in card.indicators] == [i["id"] for i in as_json]
    for typed, raw in zip(card.indicators, as_json):
        assert typed.score == raw.get("score") and typed.status == raw["status"]
        assert typed.points == raw["points"] and typed.leaf == raw["leaf"]
        assert typed.findings == [f["message"] for f in raw.get("findings", [])]
    assert card.findings == [f for i in card.indicators for f in i.findings] and card.findings


def test_evaluate_many_keeps_order_and_matches_one_by_one() -> None:
    engine = jixiao.Engine.from_path(ROOT / "rules/demo/rulebook.toml")
    subs = [json.loads(read(f"rules/demo/submissions/{n}.json")) for n in ("strong", "average", "weak")]
    many = engine.evaluate_many(subs * 20, threads=2, trace=True)
    assert [c.to_json() for c in many] == [engine.evaluate(s).to_json() for s in subs] * 20


def test_evaluate_iter_yields_in_order_as_evaluate_many_and_reads_ahead_only_so_far() -> None:
    engine = jixiao.Engine.from_path(ROOT / "rules/demo/rulebook.toml")
    subs = [json.loads(read(f"rules/demo/submissions/{n}.json")) for n in ("strong", "average", "weak")]
    many = [c.to_json() for c in engine.evaluate_many(subs * 1500, trace=True)]
    it = engine.evaluate_iter(subs * 1500, threads=2, trace=True)
    assert iter(it) is it
    assert [c.to_json() for c in it] == many  # 4,500: several chunks
    with pytest.raises(StopIteration):
        next(it)
    # A lazy source of a million is read a few chunks ahead of the caller, not to its end.
    read_so_far = 0

    def source():
        nonlocal read_so_far
        for i in range(1_000_000):
            read_so_far += 1
            yield subs[i % 3]

    stream = engine.evaluate_iter(source())
    first = [next(stream).total for _ in range(10)]
    assert first == [c.total for c in engine.evaluate_many(subs * 4)][:10]
    assert 10 < read_so_far <= 512 * 6, read_so_far
    del stream  # stops the scoring


def test_evaluate_iter_raises_a_bad_input_after_the_scorecards_before_it() -> None:
    engine = jixiao.Engine.from_path(ROOT / "rules/demo/rulebook.toml")
    sub = json.loads(read("rules/demo/submissions/weak.json"))
    it = engine.evaluate_iter([sub] * 1000 + [[]] + [sub] * 5)
    got = []
    with pytest.raises(jixiao.SubmissionError) as e:
        for card in it:
            got.append(card)
    assert len(got) == 1000 and e.value.code == "submission_syntax"
    assert list(it) == []
    with pytest.raises(TypeError):
        engine.evaluate_iter(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="lang"):
        engine.evaluate_iter([], lang="fr")  # type: ignore[arg-type]


def test_threads_share_one_engine() -> None:
    engine = jixiao.Engine.from_path(ROOT / "rules/demo/rulebook.toml")
    sub = json.loads(read("rules/demo/submissions/weak.json"))
    want = engine.evaluate(sub).to_json()
    got: list[str] = []
    workers = [threading.Thread(target=lambda: got.append(engine.evaluate(sub).to_json())) for _ in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert got == [want] * 8


def test_errors_are_exception_classes_with_the_core_fields() -> None:
    with pytest.raises(jixiao.RulebookError) as e:
        jixiao.Engine('id = "x"\n')
    assert isinstance(e.value, jixiao.JixiaoError)
    assert e.value.kind == "rulebook" and e.value.problems
    assert all("code" in p and "message" in p for p in e.value.problems)

    engine = jixiao.Engine.from_path(ROOT / "rules/demo/rulebook.toml")
    with pytest.raises(jixiao.SubmissionError) as s:
        engine.evaluate('{"values": {}, "oops": 1}')
    assert s.value.kind == "submission" and s.value.code == "submission_syntax"
    with pytest.raises(ValueError, match="JSON"):
        engine.evaluate({"values": {"budget_requested": float("nan")}})
    with pytest.raises(ValueError, match="lang"):
        engine.evaluate({"values": {}}, lang="fr")
    with pytest.raises(jixiao.ReadError):
        jixiao.Engine.from_path(ROOT / "no/such/rulebook.toml")
    # A bad value is no exception: it is a problem on the scorecard, named.
    card = engine.evaluate({"values": {"budget_requested": "abc"}})
    assert [p["input"] for p in card.problems] == ["budget_requested"]


def test_dicts_are_read_as_their_json_would_be() -> None:
    """A dict is converted value by value (no JSON text in between), as `json.dumps` would
    write it: tuples as lists, numpy's and Decimal's numbers as numbers; what has no JSON form
    is refused with where it sits."""
    import decimal

    import numpy as np

    engine = jixiao.Engine.from_path(ROOT / "rules/gov-it-post/rulebook.toml")
    sub = json.loads(read("rules/gov-it-post/examples/average.json"))
    want = engine.evaluate(json.dumps(sub, ensure_ascii=False)).to_json()
    assert engine.evaluate(sub).to_json() == want
    other = dict(sub, values=dict(sub["values"]))
    values = other["values"]
    values["basis_grade"] = tuple(values["basis_grade"])
    values["funds_arrived"] = np.int64(values["funds_arrived"])
    values["availability"] = decimal.Decimal(str(values["availability"]))
    values["satisfaction_rate"] = np.float32(86.5)
    values["functions_used"] = 2**70  # past 64 bits: read as its JSON text would be
    mirror = dict(sub, values=dict(sub["values"], satisfaction_rate=86.5, functions_used=2**70))
    assert engine.evaluate(other).to_json() == engine.evaluate(json.dumps(mirror, ensure_ascii=False)).to_json()

    for bad, where in [
        ({"values": {"funds_spent": float("inf")}}, "values.funds_spent"),
        ({"values": {"basis_grade": ["良", float("nan")]}}, "values.basis_grade.1"),
        ({"values": {"funds_spent": object()}}, "values.funds_spent"),
        ({"values": {1: 2}}, "values"),
    ]:
        with pytest.raises(ValueError, match="JSON") as e:
            engine.evaluate(bad)
        assert where in str(e.value), str(e.value)
    looped: list[object] = []
    looped.append(looped)
    with pytest.raises(ValueError, match="128"):
        engine.evaluate({"values": {"funds_spent": looped}})
    # What is no submission object at all is the core's SubmissionError, as its text is.
    for not_an_object in ([], None, 3):
        with pytest.raises(jixiao.SubmissionError) as s:
            engine.evaluate_many([sub, not_an_object])
        assert s.value.code == "submission_syntax"
    with pytest.raises(jixiao.SubmissionError, match="valeus"):
        engine.evaluate({"valeus": {}})

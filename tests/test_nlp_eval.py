"""The evaluation helpers and `stairbot eval`: exact JSON shape, bad lines, missing files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.eval_cmd import run_eval
from nlp import CATEGORIES, analyze
from nlp.analyzer import default_analyzer
from nlp.corpus import Record
from nlp.evaluation import errors, evaluate, format_report

RECORDS = [
    Record("t1", "三楼的灯坏了", "complaint", False, None),
    Record("t2", "收到", "other", False, None),
    Record("t3", "703厨房着火了 快来人", "complaint", True, "703"),
    Record("t4", "物业电话多少？", "question", False, None),
]


def test_evaluate_shape() -> None:
    result = evaluate(RECORDS, default_analyzer())
    assert set(result) == {"n", "accuracy", "macro_f1", "labels", "confusion", "urgent", "room"}
    assert result["n"] == 4
    assert set(result["labels"]) == set(CATEGORIES)
    for scores in result["labels"].values():
        assert set(scores) == {"precision", "recall", "f1", "support"}
    assert set(result["confusion"]) == set(CATEGORIES)
    assert set(result["urgent"]) == {"precision", "recall", "f1"}
    assert set(result["room"]) == {"accuracy"}


def test_format_report_lists_misclassified() -> None:
    wrong = Record("t9", "收到", "need", False, "101")
    text = format_report(evaluate([wrong], default_analyzer()), errors([wrong], [analyze("收到")]))
    assert "need->other" in text and "room 101->None" in text and "t9" in text


def test_run_eval_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "c.jsonl"
    lines = [json.dumps(_as_dict(r), ensure_ascii=False) for r in RECORDS]
    corpus.write_text("\n".join(lines) + "\nnot json\n", encoding="utf-8")
    assert run_eval(str(corpus), as_json=True) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["n"] == 4
    assert "line 5" in err and len(err.strip().splitlines()) == 1


def test_run_eval_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_eval("/nonexistent/corpus.jsonl", as_json=False) == 2
    assert "cannot read" in capsys.readouterr().err


def _as_dict(r: Record) -> dict:
    return {"id": r.id, "text": r.text, "label": r.label, "urgent": r.urgent, "room": r.room}

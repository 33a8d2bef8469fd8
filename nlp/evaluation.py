"""Scoring an analyzer on labelled records: pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from .analysis import CATEGORIES, Analysis
from .corpus import Record


class _Analyzes(Protocol):
    def analyze(self, text: str) -> Analysis: ...


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return round(p, 4), round(r, 4), round(f, 4)


def score(records: Sequence[Record], predictions: Sequence[Analysis]) -> dict:
    """The `stairbot eval --json` object for gold records and their predictions."""
    confusion = {t: dict.fromkeys(CATEGORIES, 0) for t in CATEGORIES}
    urgent = [0, 0, 0]  # tp, fp, fn
    rooms_right = 0
    for rec, pred in zip(records, predictions, strict=True):
        confusion[rec.label][pred.category] += 1
        if pred.urgent and rec.urgent:
            urgent[0] += 1
        elif pred.urgent:
            urgent[1] += 1
        elif rec.urgent:
            urgent[2] += 1
        rooms_right += pred.room == rec.room
    labels = {}
    for c in CATEGORIES:
        tp = confusion[c][c]
        fp = sum(confusion[t][c] for t in CATEGORIES) - tp
        fn = sum(confusion[c].values()) - tp
        p, r, f = _prf(tp, fp, fn)
        labels[c] = {"precision": p, "recall": r, "f1": f, "support": tp + fn}
    n = len(records)
    up, ur, uf = _prf(*urgent)
    return {
        "n": n,
        "accuracy": round(sum(confusion[c][c] for c in CATEGORIES) / n, 4) if n else 0.0,
        "macro_f1": round(sum(v["f1"] for v in labels.values()) / len(CATEGORIES), 4),
        "labels": labels,
        "confusion": confusion,
        "urgent": {"precision": up, "recall": ur, "f1": uf},
        "room": {"accuracy": round(rooms_right / n, 4) if n else 0.0},
    }


def evaluate(records: Iterable[Record], analyzer: _Analyzes) -> dict:
    """Run `analyzer` over `records` and score it (see `score`)."""
    recs = list(records)
    return score(recs, [analyzer.analyze(r.text) for r in recs])


def errors(records: Sequence[Record], predictions: Sequence[Analysis]) -> list[tuple[Record, Analysis]]:
    """Records whose category, urgency or room was predicted wrong."""
    out = []
    for rec, pred in zip(records, predictions, strict=True):
        if (pred.category, pred.urgent, pred.room) != (rec.label, rec.urgent, rec.room):
            out.append((rec, pred))
    return out


def format_report(result: dict, misclassified: Sequence[tuple[Record, Analysis]] = ()) -> str:
    """The text form of an evaluation: per-label scores, confusion, urgency, rooms, errors."""
    head = f"n={result['n']}  accuracy={result['accuracy']:.3f}"
    lines = [f"{head}  macro-F1={result['macro_f1']:.3f}", ""]
    lines.append(f"{'label':<10}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}")
    for c, v in result["labels"].items():
        lines.append(f"{c:<10}{v['precision']:>7.3f}{v['recall']:>7.3f}{v['f1']:>7.3f}{v['support']:>6}")
    lines += ["", "confusion (rows: true, columns: predicted)"]
    lines.append(" " * 10 + "".join(f"{c[:9]:>10}" for c in CATEGORIES))
    for t, row in result["confusion"].items():
        lines.append(f"{t:<10}" + "".join(f"{row[c]:>10}" for c in CATEGORIES))
    u = result["urgent"]
    lines += [
        "",
        f"urgent    P={u['precision']:.3f}  R={u['recall']:.3f}  F1={u['f1']:.3f}",
        f"room      accuracy={result['room']['accuracy']:.3f}",
    ]
    if misclassified:
        lines += ["", f"misclassified ({len(misclassified)})"]
        for rec, pred in misclassified:
            wrong = []
            if pred.category != rec.label:
                wrong.append(f"{rec.label}->{pred.category}")
            if pred.urgent != rec.urgent:
                wrong.append(f"urgent {rec.urgent}->{pred.urgent}")
            if pred.room != rec.room:
                wrong.append(f"room {rec.room}->{pred.room}")
            lines.append(f"  {rec.id}  {'; '.join(wrong)}  {rec.text}")
    return "\n".join(lines)

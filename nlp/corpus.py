"""Reading labelled corpora (JSON Lines, format in corpus/LABELS.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .analysis import CATEGORIES

TRAINING_FILES = (
    "dev.jsonl",
    "train_extra.jsonl",
    "holdout.jsonl",
    "blind.jsonl",
    "blind2.jsonl",
    "blind3.jsonl",
    "blind4.jsonl",
    "blindB.jsonl",
    "blindC.jsonl",
    "trainT1.jsonl",
    "trainT2.jsonl",
)
# Written from LABELS.md alone by writers who saw none of our code or data, and scored once
# before anything was changed for them (figures in the README): blindB (m-ids, older voices and
# dialect words) and blindC (n-ids, young voices and slang) were then studied and trained on;
# blindA (k-ids, everyday voices) is never trained or tuned on: the held-out figure.
HELD_OUT_FILE = "blindA.jsonl"
# blind.jsonl was written before any tuning; its first half (b0001-b0125) was then used for
# tuning and training, the rest is never trained or tuned on: the honest unseen figure.
BLIND_TUNED_UP_TO = 125
# blind2.jsonl (c-ids) was written and scored once before the rules were touched; its first
# 40% (c0001-c0134) was then used for tuning, the remaining 60% never.
BLIND2_TUNED_UP_TO = 134
# blind3.jsonl (e-ids), likewise: scored once first; e0001-e0104 (40%) tuned on, e0105- never.
BLIND3_TUNED_UP_TO = 104
# blind4.jsonl (f-ids), likewise: scored once first; f0001-f0094 (40%) tuned on, f0095- never.
BLIND4_TUNED_UP_TO = 94
# blind5.jsonl (g-ids): written and scored once before the rules were touched, never tuned or
# trained on (not in TRAINING_FILES). Before any change: urgent P=0.792 R=0.633, macro-F1 0.813;
# after the round that followed: P=0.879 R=0.850, macro-F1 0.848. Its misses were then listed,
# so it is now seen: a later round needs a fresh set for an honest figure.


@dataclass(frozen=True, slots=True)
class Record:
    id: str
    text: str
    label: str
    urgent: bool
    room: str | None


class CorpusError(ValueError):
    """One line of a corpus that is not a valid record; `line` is 1-based."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def parse_record(raw: str, line: int) -> Record:
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CorpusError(line, f"invalid JSON ({exc.msg})") from None
    if not isinstance(obj, dict):
        raise CorpusError(line, "not a JSON object")
    text, label = obj.get("text"), obj.get("label")
    if not isinstance(text, str):
        raise CorpusError(line, "missing or non-string 'text'")
    if label not in CATEGORIES:
        raise CorpusError(line, f"'label' must be one of {', '.join(CATEGORIES)}")
    room = obj.get("room")
    if room is not None and not isinstance(room, str):
        room = str(room)
    return Record(str(obj.get("id", line)), text, label, bool(obj.get("urgent", False)), room)


def iter_records(lines: Iterator[str] | list[str]) -> Iterator[Record | CorpusError]:
    """Records of a JSONL stream, yielding a CorpusError in place of each bad line."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            yield parse_record(raw, number)
        except CorpusError as err:
            yield err


def load_records(path: str | Path) -> list[Record]:
    """All valid records of one JSONL file (bad lines are skipped)."""
    with open(path, encoding="utf-8") as fh:
        return [r for r in iter_records(fh) if isinstance(r, Record)]


def is_untouched(rec: Record) -> bool:
    """A blind-set record kept out of all tuning and training."""
    if not rec.id[1:].isdigit():
        return False
    if rec.id.startswith("b"):
        return int(rec.id[1:]) > BLIND_TUNED_UP_TO
    if rec.id.startswith("e"):
        return int(rec.id[1:]) > BLIND3_TUNED_UP_TO
    if rec.id.startswith("f"):
        return int(rec.id[1:]) > BLIND4_TUNED_UP_TO
    if rec.id.startswith("g"):
        return True
    return rec.id.startswith("c") and int(rec.id[1:]) > BLIND2_TUNED_UP_TO


def untouched_records(name: str = "blind.jsonl") -> list[Record]:
    """The untouched part of a blind set (see BLIND_TUNED_UP_TO, BLIND2_TUNED_UP_TO, BLIND3_...)."""
    source = resources.files(__package__) / "data" / name
    if not source.is_file():
        return []
    lines = source.read_text(encoding="utf-8").splitlines()
    return [r for r in iter_records(lines) if isinstance(r, Record) and is_untouched(r)]


def training_records() -> list[Record]:
    """The shipped training set: dev.jsonl, our own extra and holdout messages, and the
    tuning parts of both blind sets (never their untouched parts)."""
    out: list[Record] = []
    data = resources.files(__package__) / "data"
    for name in TRAINING_FILES:
        source = data / name
        if source.is_file():
            lines = source.read_text(encoding="utf-8").splitlines()
            out.extend(r for r in iter_records(lines) if isinstance(r, Record) and not is_untouched(r))
    return out

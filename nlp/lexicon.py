"""The weighted cue lexicon (nlp/data/lexicon.json) and matching it against text."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .normalize import normalize

LEXICON_PATH = Path(__file__).parent / "data" / "lexicon.json"
SCORED = ("need", "complaint", "question", "other", "urgent")
# Weight given to a word a community adds in config.yaml: a clear, not overwhelming, cue.
EXTRA_WEIGHT = 3.0


@dataclass(frozen=True, slots=True)
class Lexicon:
    cues: Mapping[str, tuple[tuple[str, float], ...]]  # category -> (cue, weight), longest first
    phrases: Mapping[str, tuple[str, ...]]  # rule name -> normalised phrases

    def hits(self, category: str, text: str) -> list[tuple[str, float]]:
        """Cues of `category` found in `text`; a cue inside a longer hit is not counted again."""
        found: list[tuple[str, float]] = []
        for cue, weight in self.cues[category]:
            if cue in text and not any(cue in longer for longer, _ in found):
                found.append((cue, weight))
        return found

    def has(self, rule: str, text: str) -> str | None:
        """The first phrase of list `rule` that occurs in `text`, if any."""
        for phrase in self.phrases[rule]:
            if phrase in text:
                return phrase
        return None


def load_lexicon(
    extra: Mapping[str, Sequence[str]] | None = None, path: Path = LEXICON_PATH
) -> Lexicon:
    raw = json.loads(path.read_text(encoding="utf-8"))
    weights: dict[str, dict[str, float]] = {}
    for category in SCORED:
        table = weights.setdefault(category, {})
        for cue, weight in raw.get(category, {}).items():
            table[normalize(cue)] = float(weight)
    for category, words in (extra or {}).items():
        if category not in weights:
            raise ValueError(f"unknown lexicon category {category!r}; expected one of {SCORED}")
        for word in words:
            if normalize(word):
                weights[category][normalize(word)] = EXTRA_WEIGHT
    cues = {
        c: tuple(sorted(((k, w) for k, w in t.items() if k), key=lambda kw: -len(kw[0])))
        for c, t in weights.items()
    }
    phrases = {
        name: tuple(p for p in (normalize(x) for x in items) if p)
        for name, items in raw.get("rules", {}).items()
        if not name.startswith("_")
    }
    return Lexicon(cues=cues, phrases=phrases)

"""The weighted cue lexicon (nlp/data/lexicon.json) and matching it against text."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .normalize import normalize

LEXICON_PATH = Path(__file__).parent / "data" / "lexicon.json"
SCORED = ("need", "complaint", "question", "other", "urgent")
# Weight given to a word a community adds in config.yaml: a clear, not overwhelming, cue.
EXTRA_WEIGHT = 3.0


Hits = dict[str, list[tuple[str, float]]]


@dataclass(frozen=True, slots=True)
class Lexicon:
    cues: Mapping[str, tuple[tuple[str, float], ...]]  # category -> (cue, weight), longest first
    phrases: Mapping[str, tuple[str, ...]]  # rule name -> normalised phrases
    # First one or two characters -> (cue, category, weight): one pass over the text finds
    # every cue, far cheaper than testing each of ~1000 cues with `in`.
    index: Mapping[str, tuple[tuple[str, str, float], ...]]
    # Rule name -> one alternation of its phrases: a single C-speed search rules out the
    # common case (no phrase at all) before `has` looks for the first phrase in list order.
    finders: Mapping[str, re.Pattern[str]] = field(default_factory=dict)

    def hits_all(self, text: str) -> Hits:
        """Cues per category found in `text`; a cue inside a longer hit of the same
        category is not counted again, and each cue counts once."""
        found: dict[str, dict[str, float]] = {c: {} for c in self.cues}
        index = self.index
        get = index.get
        for i, ch in enumerate(text):
            single = get(ch)
            if single is not None:
                for cue, category, weight in single:
                    found[category][cue] = weight
            longer = get(text[i : i + 2])
            if longer is not None:
                for cue, category, weight in longer:
                    if text.startswith(cue, i):
                        found[category][cue] = weight
        out: Hits = {}
        for category, cues in found.items():
            if len(cues) > 1:
                out[category] = [(c, w) for c, w in cues.items() if not any(c != o and c in o for o in cues)]
            else:
                out[category] = list(cues.items())
        return out

    def hits(self, category: str, text: str) -> list[tuple[str, float]]:
        """Cues of one category found in `text` (see `hits_all`)."""
        return self.hits_all(text)[category]

    def has(self, rule: str, text: str) -> str | None:
        """The first phrase of list `rule` that occurs in `text`, if any."""
        finder = self.finders.get(rule)
        if finder is not None and finder.search(text) is None:
            return None
        for phrase in self.phrases[rule]:
            if phrase in text:
                return phrase
        return None


def load_lexicon(extra: Mapping[str, Sequence[str]] | None = None, path: Path = LEXICON_PATH) -> Lexicon:
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
    index: dict[str, list[tuple[str, str, float]]] = {}
    for category, pairs in cues.items():
        for cue, weight in pairs:
            index.setdefault(cue[:2], []).append((cue, category, weight))
    frozen = {ch: tuple(items) for ch, items in index.items()}
    finders = {
        name: re.compile("|".join(map(re.escape, sorted(items, key=len, reverse=True))))
        for name, items in phrases.items()
        if items
    }
    return Lexicon(cues=cues, phrases=phrases, index=frozen, finders=finders)

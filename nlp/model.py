"""A small multinomial naive Bayes classifier, pure Python, saved as JSON."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import add
from pathlib import Path

from .analysis import CATEGORIES
from .features import compact_text, features
from .normalize import normalize
from .segment import tokenize

MODEL_PATH = Path(__file__).parent / "data" / "model.json"
ALPHA = 0.5  # additive smoothing; small data, many rare features


@dataclass(slots=True)
class NaiveBayes:
    priors: dict[str, float]  # log P(c)
    loglik: dict[str, dict[str, float]]  # feature -> {c: log P(f|c)}
    unseen: dict[str, float]  # log P(unseen feature | c)
    _rows: dict[str, tuple[float, ...]] = field(default_factory=dict, repr=False)
    # The same rows split by feature kind and keyed without the "w:"/"3:" prefix, so that
    # `scores_text` looks up slices of the text without building prefixed strings.
    _words: dict[str, tuple[float, ...]] = field(default_factory=dict, repr=False)
    _grams: dict[str, tuple[float, ...]] = field(default_factory=dict, repr=False)
    _trigrams: dict[str, tuple[float, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # Rows as tuples in CATEGORIES order: the hot loop then needs no dict per class.
        # Rows are shared: the saved model holds ~1k distinct rows for ~33k features (values are
        # rounded), so the rows a message touches stay in the CPU cache. Equal tuples of the same
        # floats: the sums are unchanged.
        shared: dict[tuple[float, ...], tuple[float, ...]] = {}
        self._rows = {
            f: shared.setdefault(row, row)
            for f, row in ((f, tuple(row[c] for c in CATEGORIES)) for f, row in self.loglik.items())
        }
        for f, row in self._rows.items():
            if f.startswith("w:"):
                self._words[f[2:]] = row
            elif f.startswith("3:"):
                self._trigrams[f[2:]] = row
            else:  # bigrams, and "p:?" (never a slice of the compact text: "?" is not a word char)
                self._grams[f] = row

    def scores(self, feats: Iterable[str]) -> dict[str, float]:
        """Per-class log-probability, averaged per feature so long posts don't dominate."""
        rows = [row for row in map(self._rows.get, feats) if row is not None]
        if not rows:  # features unseen everywhere: no evidence either way
            return dict.fromkeys(CATEGORIES, 0.0)
        n = len(rows)
        return {c: s / n for c, s in zip(CATEGORIES, map(sum, zip(*rows, strict=True)), strict=True)}

    def scores_text(self, text: str, words: list[str]) -> dict[str, float]:
        """`scores(features(text, words))`, without building the feature strings."""
        return dict(zip(CATEGORIES, self.mean_loglik(text, words), strict=True))

    def mean_loglik(self, text: str, words: list[str]) -> tuple[float, ...]:
        """The values of `scores_text`, in CATEGORIES order.

        Rows are gathered in the order `features` lists them (words, "p:?", bigrams, trigrams),
        so the sums, and the scores, are the same floats as `scores(features(...))`."""
        # filter(None, map(get, ...)) keeps the found rows (non-empty tuples) in order, in C.
        rows = list(filter(None, map(self._words.get, words)))  # model words are all alnum
        if "?" in text:
            row = self._grams.get("p:?")
            if row is not None:
                rows.append(row)
        compact = compact_text(text)
        bigrams = list(map(add, compact, compact[1:]))
        rows += filter(None, map(self._grams.get, bigrams))
        rows += filter(None, map(self._trigrams.get, map(add, bigrams, compact[2:])))
        if not rows:  # features unseen everywhere: no evidence either way
            return (0.0,) * len(CATEGORIES)
        n = len(rows)
        return tuple([s / n for s in map(sum, zip(*rows, strict=True))])

    def predict(self, text: str) -> str:
        clean = normalize(text)
        s = self.scores(features(clean, tokenize(clean)))
        return max(CATEGORIES, key=s.__getitem__)

    def to_json(self) -> dict:
        return {
            "kind": "multinomial-nb",
            "priors": self.priors,
            "unseen": self.unseen,
            "loglik": {f: [round(row[c], 4) for c in CATEGORIES] for f, row in self.loglik.items()},
        }

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def from_json(cls, obj: dict) -> NaiveBayes:
        loglik = {f: dict(zip(CATEGORIES, v, strict=True)) for f, v in obj["loglik"].items()}
        return cls(priors=obj["priors"], loglik=loglik, unseen=obj["unseen"])

    @classmethod
    def load(cls, path: str | Path = MODEL_PATH) -> NaiveBayes:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def train_model(records: Iterable[tuple[str, str]]) -> NaiveBayes:
    """Fit the classifier on (text, category) pairs; categories outside CATEGORIES are skipped."""
    counts = {c: Counter() for c in CATEGORIES}
    docs = Counter()
    for text, label in records:
        if label not in counts:
            continue
        clean = normalize(text)
        counts[label].update(set(features(clean, tokenize(clean))))
        docs[label] += 1
    vocab = set().union(*counts.values())
    total_docs = sum(docs.values()) or 1
    priors = {c: math.log((docs[c] + 1) / (total_docs + len(CATEGORIES))) for c in CATEGORIES}
    denom = {c: sum(counts[c].values()) + ALPHA * (len(vocab) + 1) for c in CATEGORIES}
    unseen = {c: math.log(ALPHA / denom[c]) for c in CATEGORIES}
    loglik = {f: {c: math.log((counts[c][f] + ALPHA) / denom[c]) for c in CATEGORIES} for f in vocab}
    return NaiveBayes(priors=priors, loglik=loglik, unseen=unseen)

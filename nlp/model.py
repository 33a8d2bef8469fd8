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
# A feature seen in one message only is mostly that message's noise: dropping it shrinks the
# model by half and changes held-out scores by nothing measurable.
MIN_DOCS = 2
# The urgency opinion is a mean over the message's features shrunk toward 0 by this many
# pseudo-features, so that two words of a short message cannot carry it alone.
URGENT_SHRINK = 6.0

# One training example: text, category, and whether it is urgent (None: not known, as for a
# captain's correction, which says nothing about urgency).
Example = tuple[str, str] | tuple[str, str, bool | None]


@dataclass(slots=True)
class NaiveBayes:
    priors: dict[str, float]  # log P(c)
    loglik: dict[str, dict[str, float]]  # feature -> {c: log P(f|c)}
    unseen: dict[str, float]  # log P(unseen feature | c)
    # feature -> log of how much likelier it is in an urgent message than in another one
    urgent: dict[str, float] = field(default_factory=dict)
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
        # The urgent log-ratio rides in a fifth column, so one pass sums both.
        shared: dict[tuple[float, ...], tuple[float, ...]] = {}
        urgent = self.urgent
        self._rows = {
            f: shared.setdefault(row, row)
            for f, row in (
                (f, (*(row[c] for c in CATEGORIES), urgent.get(f, 0.0))) for f, row in self.loglik.items()
            )
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
        return {c: s / n for c, s in zip(CATEGORIES, map(sum, zip(*rows, strict=True)), strict=False)}

    def scores_text(self, text: str, words: list[str]) -> dict[str, float]:
        """`scores(features(text, words))`, without building the feature strings."""
        return dict(zip(CATEGORIES, self.evidence(text, words)[0], strict=True))

    def evidence(self, text: str, words: list[str]) -> tuple[tuple[float, ...], float]:
        """The values of `scores_text` in CATEGORIES order, and the urgency opinion: the
        features' urgent log-ratios summed over (their number + URGENT_SHRINK).

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
            return (0.0,) * len(CATEGORIES), 0.0
        n = len(rows)
        *means, urgent = map(sum, zip(*rows, strict=True))
        return tuple([s / n for s in means]), urgent / (n + URGENT_SHRINK)

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
            "urgent": {f: round(r, 3) for f, r in self.urgent.items()},
        }

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def from_json(cls, obj: dict) -> NaiveBayes:
        loglik = {f: dict(zip(CATEGORIES, v, strict=True)) for f, v in obj["loglik"].items()}
        return cls(priors=obj["priors"], loglik=loglik, unseen=obj["unseen"], urgent=obj.get("urgent", {}))

    @classmethod
    def load(cls, path: str | Path = MODEL_PATH) -> NaiveBayes:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def train_model(records: Iterable[Example]) -> NaiveBayes:
    """Fit the classifier on (text, category[, urgent]) examples; categories outside CATEGORIES
    are skipped, and only examples whose urgency is known teach the urgency opinion."""
    counts = {c: Counter() for c in CATEGORIES}
    docs = Counter()
    by_urgency = {True: Counter(), False: Counter()}
    urgency_docs = Counter()
    seen = Counter()
    for text, label, *rest in records:
        if label not in counts:
            continue
        clean = normalize(text)
        feats = set(features(clean, tokenize(clean)))
        counts[label].update(feats)
        seen.update(feats)
        docs[label] += 1
        if rest and rest[0] is not None:
            by_urgency[bool(rest[0])].update(feats)
            urgency_docs[bool(rest[0])] += 1
    vocab = {f for f, n in seen.items() if n >= MIN_DOCS}
    total_docs = sum(docs.values()) or 1
    priors = {c: math.log((docs[c] + 1) / (total_docs + len(CATEGORIES))) for c in CATEGORIES}
    sizes = {c: sum(n for f, n in counts[c].items() if f in vocab) for c in CATEGORIES}
    denom = {c: sizes[c] + ALPHA * (len(vocab) + 1) for c in CATEGORIES}
    unseen = {c: math.log(ALPHA / denom[c]) for c in CATEGORIES}
    loglik = {f: {c: math.log((counts[c][f] + ALPHA) / denom[c]) for c in CATEGORIES} for f in vocab}
    urgent: dict[str, float] = {}
    if urgency_docs[True] and urgency_docs[False]:
        yes, no = by_urgency[True], by_urgency[False]
        d_yes, d_no = urgency_docs[True] + 2 * ALPHA, urgency_docs[False] + 2 * ALPHA
        for f in vocab:
            ratio = math.log((yes[f] + ALPHA) / d_yes) - math.log((no[f] + ALPHA) / d_no)
            if ratio > 0:  # only evidence for danger: the rules, not the model, call it off
                urgent[f] = ratio
    return NaiveBayes(priors=priors, loglik=loglik, unseen=unseen, urgent=urgent)

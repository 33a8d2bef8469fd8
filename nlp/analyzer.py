"""The Analyzer: normalise, segment, score (lexicon, rules, model), decide urgency and room."""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from .analysis import CATEGORIES, Analysis
from .lexicon import Hits, Lexicon, load_lexicon
from .model import MODEL_PATH, NaiveBayes
from .normalize import normalize
from .rooms import extract_room
from .rules import A_NOT_A, RESOLVING, rule_adjustments
from .segment import ensure_jieba, tokenize
from .urgency import Urgency, urgency

# How much the statistical model counts next to the lexicon; chosen by cross-validation.
MODEL_WEIGHT = 1.0
# Weight of complaint cue words when a rule says the matter is resolved or announced.
RESOLVED_DISCOUNT = 0.5
# Softmax temperature turning scores into a confidence.
TEMPERATURE = 1.5


class Analyzer:
    def __init__(
        self,
        *,
        extra_lexicon: Mapping[str, Sequence[str]] | None = None,
        extra_words: Sequence[str] = (),
        model_path: str | Path | None = None,
        guess_threshold: float = 0.55,
        model: NaiveBayes | None = None,
        model_weight: float = MODEL_WEIGHT,
        learned_urgency: bool = True,
    ) -> None:
        words = list(extra_words) + [w for ws in (extra_lexicon or {}).values() for w in ws]
        ensure_jieba(words)
        self.lexicon: Lexicon = load_lexicon(extra_lexicon)
        if model is None:
            path = Path(model_path) if model_path is not None else MODEL_PATH
            model = NaiveBayes.load(path) if path.is_file() else None
        self.model = model
        self.model_weight = model_weight if model is not None else 0.0
        self.guess_threshold = guess_threshold
        self.learned_urgency = learned_urgency

    def scores(self, clean: str, urg: Urgency, hits: Hits) -> tuple[dict[str, float], dict[str, list[str]]]:
        """Combined score per category for normalised text, and the cues behind each."""
        totals = self._totals(clean, urg, hits, self._evidence(clean)[0])
        cues = {c: [w for w, _ in hits[c]] for c in CATEGORIES}
        return dict(zip(CATEGORIES, totals, strict=True)), cues

    def _evidence(self, clean: str) -> tuple[tuple[float, ...] | None, float]:
        """The model's per-category scores (None without a model) and its urgency opinion."""
        if self.model is None or not clean:
            return None, 0.0
        return self.model.evidence(clean, tokenize(clean))

    def _totals(self, clean: str, urg: Urgency, hits: Hits, nb: tuple[float, ...] | None) -> list[float]:
        """Combined scores in CATEGORIES order: rules, then lexicon cues, then the model."""
        adj, fired = rule_adjustments(self.lexicon, clean, urg)
        # Fault words in a message that says the fault is fixed, being handled or announced
        # ("漏水 楼上已经来修过了", "停电检修 电梯暂停") describe that matter, not a new report.
        discount = RESOLVED_DISCOUNT if RESOLVING.intersection(fired) else 1.0
        totals = []
        for c in CATEGORIES:
            cue_sum = sum([w for _, w in hits[c]])
            totals.append(adj[c] + (cue_sum * discount if c == "complaint" else cue_sum))
        if self.model_weight and nb is not None:
            top = max(nb)
            weight = self.model_weight
            totals = [t + weight * (s - top) for t, s in zip(totals, nb, strict=True)]
        return totals

    def analyze(self, text: str) -> Analysis:
        clean = normalize(text)
        # "管不管", "停不停水" ask; their "不管"/"不停" must not count as complaint cues.
        hits = self.lexicon.hits_all(A_NOT_A.sub(r"是否\1", clean) if "不" in clean else clean)
        nb, learned = self._evidence(clean)
        urg = urgency(self.lexicon, clean, hits, learned if self.learned_urgency else 0.0)
        totals = self._totals(clean, urg, hits, nb)
        top = max(totals)
        best = totals.index(top)  # the first of equal scores, as max(CATEGORIES, key=...) did
        exps = [math.exp((t - top) / TEMPERATURE) for t in totals]
        confidence = exps[best] / sum(exps)
        category = CATEGORIES[best]
        cues = [w for w, _ in hits[category]]
        if urg.urgent:
            cues += urg.cues
        return Analysis(
            category=category,
            confidence=round(confidence, 4),
            urgent=urg.urgent,
            room=extract_room(clean),
            matched=tuple(dict.fromkeys(cues)),
            guess=confidence < self.guess_threshold,
        )


_default: Analyzer | None = None
_default_lock = threading.Lock()


def default_analyzer() -> Analyzer:
    global _default
    with _default_lock:
        if _default is None:
            _default = Analyzer()
        return _default


def analyze(text: str) -> Analysis:
    """Analyse one message with the packaged lexicon and model."""
    return default_analyzer().analyze(text)

"""The typed result of reading one message; the only thing nlp/ hands upward."""

from __future__ import annotations

from dataclasses import dataclass, field

CATEGORIES: tuple[str, ...] = ("need", "complaint", "question", "other")


@dataclass(frozen=True, slots=True)
class Analysis:
    category: str  # one of CATEGORIES
    confidence: float  # 0..1, how sure the classifier is of `category`
    urgent: bool
    room: str | None  # room number named in the message, digits only
    matched: tuple[str, ...] = field(default=())  # lexicon words that drove the decision
    guess: bool = False  # confidence below the configured threshold: route, but say so

    @property
    def actionable(self) -> bool:
        return self.category != "other"

"""Urgency: danger to people or property now, unless the context says it is over or hypothetical."""

from __future__ import annotations

from dataclasses import dataclass

from .lexicon import Hits, Lexicon

URGENT_THRESHOLD = 3.0
# Staff's urgent notices are terse; one danger cue is enough there.
NOTICE_THRESHOLD = 1.5
VULNERABLE_BONUS = 1.5


@dataclass(frozen=True, slots=True)
class Urgency:
    urgent: bool
    cues: tuple[str, ...]
    # What is in danger: "hazard" (fire, gas, water, power, lift) or "person" (fallen, lost...).
    kind: str | None


def urgency(lexicon: Lexicon, text: str, hits_all: Hits | None = None) -> Urgency:
    """Urgency of normalised `text` (pass `hits_all` if the lexicon was already matched)."""
    hits = (hits_all or lexicon.hits_all(text))["urgent"]
    score = sum(w for _, w in hits)
    cues = tuple(c for c, _ in hits)
    notice = lexicon.has("urgent_notice", text) is not None
    person = lexicon.has("person_danger", text)
    if person and lexicon.has("vulnerable", text):
        score += VULNERABLE_BONUS  # a lost child or a fallen elder needs help now
    if score < (NOTICE_THRESHOLD if notice else URGENT_THRESHOLD):
        return Urgency(False, cues, None)
    # Over, a drill, a past event or a false alarm: not urgent (an urgent notice still is).
    if not notice and lexicon.has("urgent_cancel", text):
        return Urgency(False, cues, None)
    if lexicon.has("hazard", text):
        kind = "hazard"
    elif person:
        kind = "person"
    else:
        kind = None
    return Urgency(True, cues, kind)

"""Urgency: danger to people or property now, unless the context says it is over or hypothetical."""

from __future__ import annotations

from dataclasses import dataclass

from .lexicon import Lexicon

URGENT_THRESHOLD = 3.0
# Staff's urgent notices are terse; one danger cue is enough there.
NOTICE_THRESHOLD = 1.5


@dataclass(frozen=True, slots=True)
class Urgency:
    urgent: bool
    cues: tuple[str, ...]
    # What is in danger: "hazard" (fire, gas, water, power, lift) or "person" (fallen, lost...).
    kind: str | None


def urgency(lexicon: Lexicon, text: str) -> Urgency:
    """Urgency of normalised `text`."""
    hits = lexicon.hits("urgent", text)
    score = sum(w for _, w in hits)
    cues = tuple(c for c, _ in hits)
    notice = lexicon.has("urgent_notice", text) is not None
    if score < (NOTICE_THRESHOLD if notice else URGENT_THRESHOLD):
        return Urgency(False, cues, None)
    # Over, a drill, a past event or a false alarm: not urgent (an urgent notice still is).
    if not notice and lexicon.has("urgent_cancel", text):
        return Urgency(False, cues, None)
    if lexicon.has("hazard", text):
        kind = "hazard"
    elif lexicon.has("person_danger", text):
        kind = "person"
    else:
        kind = None
    return Urgency(True, cues, kind)

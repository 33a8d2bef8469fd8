"""Urgency: danger to people or property now, unless the context says it is over or hypothetical."""

from __future__ import annotations

from .lexicon import Lexicon

URGENT_THRESHOLD = 3.0


def urgency(lexicon: Lexicon, text: str) -> tuple[bool, list[str]]:
    """(urgent, danger cues found) for normalised `text`."""
    hits = lexicon.hits("urgent", text)
    score = sum(w for _, w in hits)
    cues = [c for c, _ in hits]
    if score < URGENT_THRESHOLD:
        return False, cues
    # An urgent notice from staff is still urgent, even though it is a notice.
    if lexicon.has("urgent_notice", text):
        return True, cues
    # Over, a drill, a past event, a hypothetical or a safety tip: not urgent.
    if lexicon.has("urgent_cancel", text):
        return False, cues
    return True, cues

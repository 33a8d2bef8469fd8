"""Features for the statistical model: jieba words plus character bigrams."""

from __future__ import annotations

import re

_NON_WORD = re.compile(r"[\W_]+")


def features(text: str, words: list[str]) -> list[str]:
    """Words (prefixed "w:") and char bigrams of the punctuation-free text (bare)."""
    out = ["w:" + w for w in words if w.isalnum()]
    if "?" in text:
        out.append("p:?")
    compact = _NON_WORD.sub("", text)
    out.extend(compact[i : i + 2] for i in range(len(compact) - 1))
    return out

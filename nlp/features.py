"""Features for the statistical model: jieba words plus character bigrams."""

from __future__ import annotations

import re

_PUNCT = re.compile(r"[\s\W_]+")


def features(text: str, words: list[str]) -> list[str]:
    """Words (prefixed "w:") and char bigrams of the punctuation-free text ("c:")."""
    out = ["w:" + w for w in words if not _PUNCT.fullmatch(w)]
    if "?" in text:
        out.append("p:?")
    compact = _PUNCT.sub("", text)
    out.extend("c:" + compact[i : i + 2] for i in range(len(compact) - 1))
    return out

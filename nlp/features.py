"""Features for the statistical model: jieba words plus character bigrams and trigrams.

Character n-grams keep working on typos, homophones and dialect words jieba splits badly."""

from __future__ import annotations

import re

_NON_WORD = re.compile(r"[\W_]+")


def compact_text(text: str) -> str:
    """`text` without punctuation, spaces and underscores: the string the n-grams are cut from."""
    return _NON_WORD.sub("", text)


def features(text: str, words: list[str]) -> list[str]:
    """Words (prefixed "w:"), char bigrams (bare) and trigrams ("3:") of the punctuation-free text."""
    out = ["w:" + w for w in words if w.isalnum()]
    if "?" in text:
        out.append("p:?")
    compact = compact_text(text)
    out.extend(compact[i : i + 2] for i in range(len(compact) - 1))
    out.extend("3:" + compact[i : i + 3] for i in range(len(compact) - 2))
    return out

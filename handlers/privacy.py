"""Masking personal numbers before anything leaves the ledger (digests, exports, pings, logs)."""

from __future__ import annotations

import re

# Mainland mobiles (with optional +86 / spaces / dashes), ID-card numbers, landlines.
_ID_CARD = re.compile(r"(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?!\d)")
_MOBILE = re.compile(r"(?<!\d)((?:\+?86[\s-]?)?1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}[\s-]?)(\d{3,4})(\d{4})(?!\d)")


def mask(text: str) -> str:
    text = _ID_CARD.sub(lambda m: f"{m.group(1)}********{m.group(3)}", text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


def summary(text: str, limit: int = 30) -> str:
    """A short, masked one-line form of a message for pings and digests."""
    one = " ".join(mask(text).split())
    return one if len(one) <= limit else one[: limit - 1] + "…"

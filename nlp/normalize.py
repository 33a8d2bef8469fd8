"""Text normalisation: one canonical form before any matching or counting."""

from __future__ import annotations

import re
import unicodedata

# Zero-width and BOM characters carry no meaning but break substring matching.
_ZERO_WIDTH = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")
# "@name" followed by a (possibly U+2005) space, or at the very end of the message.
_MENTION = re.compile(r"@[^\s@]{1,24}(?:\s+|$)")
# WeChat sticker codes such as [抱拳] or [图片] are not words of the message.
_STICKER = re.compile(r"\[[\u4e00-\u9fffA-Za-z]{1,4}\]")
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff"
    "\ufe00-\ufe0f\U000e0000-\U000e007f\u3030\u303d\u3297\u3299]"
)
_REPEAT_PUNCT = re.compile(r"([!?,.。、~…;:·\-=*#~])\1+")
_SPACES = re.compile(r"\s+")


def _once(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _ZERO_WIDTH.sub("", text)
    text = _MENTION.sub(" ", text)
    text = _STICKER.sub(" ", text)
    text = _EMOJI.sub(" ", text)
    text = _REPEAT_PUNCT.sub(r"\1", text)
    text = _SPACES.sub(" ", text).strip()
    return text.lower()


# Fast path. Most messages are CJK, ASCII and full-width ASCII forms ("，", "？", "１") only.
# For those NFKC is this per-character table (the full-width forms are compatibility characters
# of ASCII, nothing composes), and the other steps have nothing to do unless the text has an
# @ or [ (mention, sticker), a doubled punctuation mark or stray spaces.
_SIMPLE = re.compile("[\u4e00-\u9fff\x20-\x7e\uff01-\uff5e\u3000。、【】《》“”‘’「」]*")
_WIDTH = {c: unicodedata.normalize("NFKC", chr(c)) for c in (*range(0xFF01, 0xFF5F), 0x3000)}
_NEEDS_WORK = re.compile(r"[@\[]|  |^ | $|([!?,.。、~…;:·\-=*#~])\1")


def _quick(text: str) -> str | None:
    """`normalize(text)` when the text is simple (see above), else None."""
    if _SIMPLE.fullmatch(text) is None:
        return None
    text = text.translate(_WIDTH)
    if _NEEDS_WORK.search(text) is not None:
        return None
    return text.lower()


def normalize(text: str) -> str:
    """Full/half width, zero-width chars, @mentions, emoji, repeated punctuation, spaces.

    Applied to a fixed point (bounded) so that normalize(normalize(x)) == normalize(x):
    removing one piece can bring two others together (e.g. "@@a b").
    """
    quick = _quick(text)
    if quick is not None:
        return quick
    return _normalize_slowly(text)


def _normalize_slowly(text: str) -> str:
    prev = None
    for _ in range(6):
        if text == prev:
            break
        prev, text = text, _once(text)
    return text

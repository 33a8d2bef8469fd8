"""Property tests: nlp never raises and always answers in its documented shape."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from nlp import CATEGORIES, analyze, extract_room, normalize

# Mostly chat-like text: CJK, digits, punctuation, emoji, mention spaces; plus any unicode.
_CHAT_ALPHABET = st.sampled_from(
    list("楼道灯坏了漏水电梯请问吗谢谢收到着火煤气我是的单元室号楼层元块")
    + list("0123456789-@ ?!？！【】[]，。")
    + ["\u2005", "\u200b", "\ufeff", "😂", "👍", "１", "Ａ"]
)
chat_text = st.text(alphabet=_CHAT_ALPHABET, max_size=60)
any_text = st.text(max_size=80)
texts = st.one_of(chat_text, any_text)


@settings(max_examples=1000, deadline=None)
@given(texts)
def test_normalize_never_raises_and_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert isinstance(once, str)
    assert normalize(once) == once


@settings(max_examples=1500, deadline=None)
@given(texts)
def test_analyze_never_raises_and_answers_validly(text: str) -> None:
    result = analyze(text)
    assert result.category in CATEGORIES
    assert 0.0 <= result.confidence <= 1.0
    assert isinstance(result.urgent, bool)
    assert result.room is None or re.fullmatch(r"\d{3,4}", result.room)


@settings(max_examples=1500, deadline=None)
@given(texts)
def test_extract_room_returns_digits_or_none(text: str) -> None:
    room = extract_room(text)
    assert room is None or (room.isdigit() and room.isascii() and 3 <= len(room) <= 4)

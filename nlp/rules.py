"""Rules that adjust the lexicon scores: notices, cancellations, acks, question form, priority."""

from __future__ import annotations

import re

from .lexicon import Lexicon

_ONLY_PUNCT = re.compile(r"^[\s?.!,。、~…]*$")
_QUESTION_END = re.compile(r"(?:吗|么|呢|不|没|没有|啊|呀|吧)?\s*[?]\s*$|吗\s*$|吗\?")


def is_notice(lexicon: Lexicon, text: str) -> bool:
    """Captains' and staff notices: 【通知】, 【温馨提示】, forwarded articles, etc."""
    head = text[:8]
    prefixes = lexicon.phrases["notice_prefix"]
    return any(head.startswith(p) or (len(p) > 2 and p in head) for p in prefixes)


def is_question_form(lexicon: Lexicon, text: str) -> bool:
    return bool(_QUESTION_END.search(text)) or lexicon.has("question_opening", text) is not None


def rule_adjustments(lexicon: Lexicon, text: str) -> tuple[dict[str, float], list[str]]:
    """Score offsets per category and the names of the rules that fired."""
    adj = {"need": 0.0, "complaint": 0.0, "question": 0.0, "other": 0.5}
    fired: list[str] = []
    if _ONLY_PUNCT.match(text):
        if "?" in text:
            adj["question"] += 5  # a bare "？" asks something
        else:
            adj["other"] += 5
        fired.append("empty")
        return adj, fired
    if is_notice(lexicon, text):
        adj["other"] += 8
        fired.append("notice")
    if lexicon.has("greeting_only", text) and len(text) <= 8:
        adj["other"] += 6
        fired.append("greeting")
    if lexicon.has("cancel", text):
        adj["other"] += 4
        fired.append("cancel")
    if is_question_form(lexicon, text):
        adj["question"] += 2
        fired.append("question-form")
    if lexicon.has("demand", text):
        adj["complaint"] += 1.5
        fired.append("demand")
    return adj, fired

"""Room numbers: the digits of the flat a message names, never phones, codes or prices."""

from __future__ import annotations

import re

# A 3-4 digit number standing alone (not part of a longer digit/letter run).
_CANDIDATE = re.compile(r"(?<![0-9a-z.:·])(?:([0-9]{1,2})\s?[-—]\s?)?([0-9]{3,4})(?![0-9a-z]|[:.][0-9])")
# Units after the number that make it a quantity, a floor, a time or a year.
_BAD_AFTER = re.compile(
    r"\s?(?:年|层|元|块|斤|米|度|岁|分|点|个|次|号(?:位|车位|楼)|路|克|毫|ml|g|%|w|万|多|人|秒|号线|公里|平)"
)
# Words just before the number that make it a code, phone, price or parking space.
_BAD_BEFORE = re.compile(
    r"(?:码|尾号|电话|手机|热线|号码|车位|位|价|¥|￥|rmb|单号|编号|验证|密码|工号|拨打|call|花了)\s?$"
)
_PHONE_GROUP = re.compile(r"[0-9]{3,}[\s-]$")
_JOINED = re.compile(r"[-—0-9a-z]")
# Raw text may carry full-width digits; `normalize` would fix them, but callers may skip it.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９－", "0123456789-")
# Rooms read out in Chinese numerals ("四零二", "一五零一", "十二零三", voice input "十 五 零 二"):
# a run with a 零 in it (units 01-09 and 10 always have one), converted to digits in place.
_CN_DIGIT = {"零": "0", "〇": "0", "一": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5",
             "六": "6", "七": "7", "八": "8", "九": "9"}
_N = "一二三四五六七八九零〇"
_CN_RUN = re.compile(
    rf"(?<![{_N}两十百千万几第])((?:十 ?)?[{_N}](?: ?[{_N}]){{1,3}})(?![{_N}十百千万])"
)
# Building-unit-room "7-1-1103": the last group is the room (a pickup code such as 5-2-1038 is
# not a plausible room, and a code word before it rules it out anyway).
_BUR = re.compile(r"(?<![0-9a-z.:-])[0-9]{1,2}-[0-9]{1,2}-([0-9]{3,4})(?![0-9a-z-])")
_EMERGENCY = frozenset({"110", "119", "120", "122", "12345", "12315"})


def _plausible(number: str) -> bool:
    """Room numbers are floor (1-39) followed by a unit (01-12)."""
    floor, unit = int(number[:-2]), int(number[-2:])
    return 1 <= floor <= 39 and 1 <= unit <= 12


def _cn_numerals(text: str) -> str:
    """Chinese-numeral room numbers in `text` replaced by digits (same text otherwise)."""

    def convert(m: re.Match[str]) -> str:
        run = m.group(1)
        body = run.replace(" ", "")
        if "零" not in body and "〇" not in body:
            return run
        if body.startswith("十"):
            body = ("1" if len(body) == 4 else "") + body[1:] if len(body) in (3, 4) else body
        digits = "".join(_CN_DIGIT.get(ch, ch) for ch in body)
        if not digits.isdigit() or len(digits) not in (3, 4) or not _plausible(digits):
            return run
        return digits

    return _CN_RUN.sub(convert, text)


# Every way a room is written needs a digit (ASCII or full-width) or a 零/〇.
_ANY_DIGIT = re.compile("[0-9０-９零〇]")


def extract_room(text: str) -> str | None:
    """The first room number in already-normalised or raw text, as digits, or None."""
    if _ANY_DIGIT.search(text) is None:
        return None  # most messages: no number at all
    lowered = text.translate(_FULL_WIDTH).lower()
    if "零" in lowered or "〇" in lowered:
        lowered = _cn_numerals(lowered)
    if "-" in lowered:
        for match in _BUR.finditer(lowered):
            number = match.group(1)
            before = lowered[max(0, match.start() - 4) : match.start()]
            if _plausible(number) and not _BAD_BEFORE.search(before):
                return number
    for match in _CANDIDATE.finditer(lowered):
        building, number = match.group(1), match.group(2)
        start = match.start()
        before = lowered[max(0, start - 4) : start]  # short window: only adjacent words
        if number in _EMERGENCY or not _plausible(number):
            continue
        if _BAD_BEFORE.search(before) or _BAD_AFTER.match(lowered, match.end()):
            continue
        if start > 0 and _JOINED.match(lowered[start - 1]):
            continue  # part of a longer code such as 5-2-1038 or b2-117
        if building is None and _PHONE_GROUP.search(lowered, 0, start):
            continue  # a later group of a phone number such as 8836 2210
        return number
    return None

"""Room numbers: the digits of the flat a message names, never phones, codes or prices."""

from __future__ import annotations

import re

# A 3-4 digit number standing alone (not part of a longer digit/letter run).
_CANDIDATE = re.compile(r"(?<![0-9a-z.:])(?:([0-9]{1,2})\s?[-—]\s?)?([0-9]{3,4})(?![0-9a-z]|[:.][0-9])")
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
_EMERGENCY = frozenset({"110", "119", "120", "122", "12345", "12315"})


def _plausible(number: str) -> bool:
    """Room numbers are floor (1-39) followed by a unit (01-12)."""
    floor, unit = int(number[:-2]), int(number[-2:])
    return 1 <= floor <= 39 and 1 <= unit <= 12


def extract_room(text: str) -> str | None:
    """The first room number in already-normalised or raw text, as digits, or None."""
    lowered = text.translate(_FULL_WIDTH).lower()
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

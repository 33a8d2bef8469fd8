"""Rules that adjust the lexicon scores: notices, cancellations, acks, question form, priority."""

from __future__ import annotations

import re

from .lexicon import Lexicon
from .urgency import Urgency

_ONLY_PUNCT = re.compile(r"^[\s?.!,。、~…]*$")
_QUESTION_END = re.compile(r"(?:吗|么|呢|不|没|没有|啊|呀|吧)?\s*[?]\s*$|吗\s*$|吗\?")
# "是不是坏了?" asks; it does not report (LABELS.md: "plainly just asking").
_TENTATIVE = re.compile(r"是不是|会不会|是否|有没有坏")
# "A还是B" offers alternatives: an information question.
_ALTERNATIVE = re.compile(r"还是.{1,12}(?:[?吗呢啊]|$)")
# "三天了", "一个多月了": a fault that has lasted is a complaint about service.
_DURATION = re.compile(r"(?:好几|[一二两三四五六七八九十几半\d]+多?)(?:天|个月|个礼拜|个星期|周|次|回)了")
# Thanks for help already given ("谢谢王姐帮我拿的菜") is not a new request.
_THANKS_FOR_HELP = re.compile(r"(?:谢谢|感谢|多谢).{0,12}帮")
# "有没有邻居能…", "有没有会修的师傅": asking for a helper is a need.
_HELPER = re.compile(
    r"有没有.{0,5}(?:(?:邻居|人|志愿者|小伙子).{0,6}(?:能|会|可以|帮|有|借|愿意)|师傅|医生|电工)"
)
# "停不停水", "去不去": an A-not-A question ("能不能" is usually a request, so left out).
_A_NOT_A = re.compile(r"([^能可])不\1")
_JUST_KNOW = re.compile(r"知道|听说")
# "1502的快递我帮拿上去了": reporting help already given.
_HELP_GIVEN = re.compile(r"我(?:已经)?帮.{0,10}了")


def is_notice(lexicon: Lexicon, text: str) -> bool:
    """Captains' and staff notices: 【通知】, 【温馨提示】, forwarded articles, etc."""
    head = text[:8]
    prefixes = lexicon.phrases["notice_prefix"]
    return any(head.startswith(p) or (len(p) > 2 and p in head) for p in prefixes)


def is_question_form(lexicon: Lexicon, text: str) -> bool:
    return bool(_QUESTION_END.search(text)) or lexicon.has("question_opening", text) is not None


def rule_adjustments(lexicon: Lexicon, text: str, urgency: Urgency) -> tuple[dict[str, float], list[str]]:
    """Score offsets per category and the names of the rules that fired."""
    adj = {"need": 0.0, "complaint": 0.0, "question": 0.0, "other": 0.5}
    fired: list[str] = []

    def fire(name: str, category: str, amount: float) -> None:
        adj[category] += amount
        fired.append(name)

    if _ONLY_PUNCT.match(text):
        # A bare "？" asks something; nothing or only dots says nothing.
        fire("empty", "question" if "?" in text else "other", 5)
        return adj, fired
    notice = is_notice(lexicon, text)
    if notice:
        fire("notice", "other", 8)
    if lexicon.has("greeting_only", text) and len(text) <= 8:
        fire("greeting", "other", 6)
    if lexicon.has("cancel", text):
        fire("cancel", "other", 4)
    if _THANKS_FOR_HELP.search(text):
        fire("thanks-for-help", "other", 3)
    if _HELP_GIVEN.search(text):
        fire("help-given", "other", 3)
    if is_question_form(lexicon, text):
        fire("question-form", "question", 2)
    demand = lexicon.has("demand", text)
    if demand:
        fire("demand", "complaint", 1.5)
    tentative = _TENTATIVE.search(text)
    # "又不亮了, 是不是没修好" reports first; "是不是又坏了?" only asks.
    if tentative and not demand and "又" not in text[: tentative.start()]:
        fire("tentative", "question", 3)
    alternative = _ALTERNATIVE.search(text)
    if alternative:
        fire("alternative", "question", 2.5)
    # LABELS.md priority: a fault stated as fact, then "什么时候修?", is a complaint.
    asking = tentative or alternative or lexicon.has("question_opening", text)
    if lexicon.has("fault", text) and not asking:
        fire("stated-fault", "complaint", 3)
    if _A_NOT_A.search(text):
        fire("a-not-a", "question", 2)
    if _DURATION.search(text):
        fire("duration", "complaint", 2)
    if _HELPER.search(text) and not _JUST_KNOW.search(text):
        fire("helper", "need", 2.5)
    if urgency.urgent and not notice:
        # LABELS.md settled cases: hazards are complaints, people in danger are needs.
        if urgency.kind == "hazard":
            fire("urgent-hazard", "complaint", 3)
        elif urgency.kind == "person":
            fire("urgent-person", "need", 4)
    return adj, fired

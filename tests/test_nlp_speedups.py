"""The speed-ups in nlp/ give exactly what the plain code gives: gated regexes, the segmenter."""

from __future__ import annotations

import re
from pathlib import Path

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp import rules, segment, tokenize, urgency
from nlp.corpus import load_records
from nlp.normalize import normalize
from nlp.prefilter import GatedPattern, compile_gated, first_chars

GATED = [p for m in (rules, urgency) for p in vars(m).values() if isinstance(p, GatedPattern)]
# Text made of the characters the rule patterns are written in, so that they often match.
_ALPHABET = sorted({ch for p in GATED for ch in p.pattern if ord(ch) > 0x2E80} | set("?!。 12"))
rule_text = st.text(alphabet=st.sampled_from(_ALPHABET), max_size=30)


def test_rule_patterns_are_gated() -> None:
    assert len(GATED) >= 15


@pytest.mark.parametrize(
    ("pattern", "chars"),
    [
        (r"(?:着|起)火|火(?:苗|光)", set("着起火")),
        (r"(?<!没)烧着了|^蹲", set("烧蹲")),
        (r"(?:自来)?水.{0,8}黄", set("自水")),
        (r"a*b", set("ab")),
        (r"a*", None),  # may match empty
        (r".烧", None),
        (r"\d岁", None),
    ],
)
def test_first_chars(pattern: str, chars: set[str] | None) -> None:
    got = first_chars(re.compile(pattern))
    assert (None if got is None else set(got)) == chars


@settings(max_examples=400, deadline=None)
@given(rule_text, st.integers(min_value=0, max_value=5))
def test_gated_search_is_plain_search(text: str, pos: int) -> None:
    for p in GATED:
        a, b = p.plain.search(text, pos), p.search(text, pos)
        assert (a and (a.span(), a.group(0))) == (b and (b.span(), b.group(0)))
        assert [m.span() for m in p.plain.finditer(text)] == [m.span() for m in p.finditer(text)]
        assert p.plain.findall(text) == p.findall(text)


def test_gated_search_on_corpus() -> None:
    data = Path(rules.__file__).parent / "data"
    texts = [normalize(r.text) for f in sorted(data.glob("*.jsonl")) for r in load_records(f)]
    for p in GATED:
        for text in texts:
            a, b = p.plain.search(text), p.search(text)
            assert (a and a.span()) == (b and b.span()), (p.pattern, text)


def test_compile_gated_falls_back_when_unbounded() -> None:
    assert isinstance(compile_gated(r"\s*\?"), re.Pattern)
    assert isinstance(compile_gated(r"(a)b"), re.Pattern)  # groups: findall would differ


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("楼道灯坏了漏水电梯物业请问吗ab12 -.?")), max_size=40))
def test_tokenize_is_jieba_without_hmm(text: str) -> None:
    segment.ensure_jieba()
    assert tokenize(text) == [w for w in jieba.lcut(text, HMM=False) if not w.isspace()]


_NORM_ALPHABET = [*"楼道灯坏了漏水?？!！,，。、 　@＠[［]】【aAＡ1１-~…·", "\u200b", "😂", "\u2005", "\t"]


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from(_NORM_ALPHABET), max_size=30))
def test_normalize_fast_path_is_the_slow_path(text: str) -> None:
    from nlp.normalize import _normalize_slowly, _quick

    quick = _quick(text)
    assert quick is None or quick == _normalize_slowly(text)

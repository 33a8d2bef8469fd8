"""The model's urgency opinion: learned from labelled urgency, one more detector next to the
rules, never firing without a word of danger and never past a cancellation."""

from __future__ import annotations

from nlp.analyzer import Analyzer
from nlp.model import NaiveBayes, train_model

# A burning smell with a red glow flickering behind a window: no rule names that danger, and
# the burning smell alone is only a weak signal. The examples teach the model that it is one.
URGENT = [
    "601窗户里一股焦味 红光一闪一闪的",
    "楼上焦味越来越重 窗户里红光一闪一闪",
    "对门一股焦味 屋里红光一闪一闪 没人开门",
    "焦味从窗户里出来 红光一闪一闪 怎么办",
]
CALM = [
    "楼道灯坏了 麻烦物业看一下",
    "谁家装修 电钻声太吵了",
    "请问明天几点停水",
    "谢谢楼长",
    "有人顺路帮我带瓶酱油吗",
    "楼下垃圾好几天没收了",
    "快递放门口就行 谢谢",
    "窗户一闪一闪的灯 谁会修",
]


def _model() -> NaiveBayes:
    examples = [(t, "complaint", True) for t in URGENT]
    examples += [(t, c, False) for t, c in zip(CALM, ["complaint", "complaint", "question", "other",
                                                      "need", "complaint", "other", "need"], strict=True)]
    return train_model(examples * 2)  # twice: every feature is seen in more than one message


def test_the_model_catches_a_danger_the_rules_do_not_know() -> None:
    text = "隔壁窗户焦味很重 红光一闪一闪"
    assert Analyzer(model=_model()).analyze(text).urgent is True
    assert Analyzer(model=_model(), learned_urgency=False).analyze(text).urgent is False


def test_no_word_of_danger_no_learned_alarm() -> None:
    # Shares the learned words but names no danger: a flickering light is not an emergency.
    assert Analyzer(model=_model()).analyze("窗户里红光一闪一闪 一闪一闪").urgent is False


def test_a_cancellation_still_calls_it_off() -> None:
    analysis = Analyzer(model=_model()).analyze("隔壁窗户焦味很重 红光一闪一闪 已经没事了")
    assert analysis.urgent is False


def test_corrections_without_urgency_teach_categories_only() -> None:
    # A captain's correction carries no urgency: it must not count as a calm example.
    with_corrections = train_model(
        [(t, "complaint", True) for t in URGENT] * 2
        + [(t, "complaint", False) for t in CALM] * 2
        + [(t, "need", None) for t in URGENT] * 5
    )
    without = train_model([(t, "complaint", True) for t in URGENT] * 2 + [(t, "complaint", False) for t in CALM] * 2)
    assert with_corrections.urgent == without.urgent
    assert with_corrections.loglik != without.loglik


def test_the_opinion_survives_saving(tmp_path) -> None:
    path = tmp_path / "model.json"
    _model().save(path)
    assert Analyzer(model_path=path).analyze("隔壁窗户焦味很重 红光一闪一闪").urgent is True

"""Published circumstance phrases that differ from the regime's in form only, against the real
regime: each names its circumstance, and text that is not a lawful ground still names none."""

from __future__ import annotations

from datetime import date
from itertools import combinations
from typing import Any

import pytest

from tests.model.test_verdict import C1, C2, C4, C5, C6
from watchdog.mirror.generator import NOT_LAWFUL
from watchdog.model import ListingFacts, circumstance_of, load_regime, verdict
from watchdog.model.phrases import normalise_phrase, phrase_index, split_phrases
from watchdog.model.schema import ListRegime

ABILITY = "有履行能力而拒不履行生效法律文书确定义务"
FORCE = "以伪造证据、暴力、威胁等方法妨碍、抗拒执行"

# The renderings a reviewer found with no lawful circumstance (each a form of the statutory
# wording), and the phrase the regime lists for the same circumstance.
VARIANTS = [
    ("有履行能力而拒不履行生效法律文书确定的义务", ABILITY, C1),       # 的 inside
    ("被执行人有履行能力而拒不履行生效法律文书确定义务", ABILITY, C1),  # the subject in front
    ("失信被执行人有履行能力而拒不履行生效法律文书确定的义务。", ABILITY, C1),
    ("其他被执行人有履行能力而拒不履行生效法律文书确定的义务", ABILITY, C1),
    ("以暴力、威胁方法妨碍、抗拒执行", FORCE, C2),                   # the words of 2017 Art. 2
    ("被执行人以暴力、威胁方法妨碍、抗拒执行的", FORCE, C2),
    ("违反财产报告制度的。", "违反财产报告制度", C4),
    ("被执行人违反限制消费令的", "违反限制消费令", C5),
    ("失信被执行人无正当理由拒不履行执行和解协议", "无正当理由拒不履行执行和解协议", C6),
]

# Text that is no lawful ground, some of it close to one: it must name no circumstance.
NOT_GROUNDS = [
    "其他", "其它", "欠款不还", "欠钱不还", "", " ", "的", "。", "、", "被执行人", "失信被执行人",
    "其他被执行人", "被执行人的", "有履行能力", "拒不履行", "拒不履行生效法律文书确定的义务",
    # The 2013 preamble: the condition all six items sat under, not an item itself.
    "被执行人具有履行能力而不履行生效法律文书确定的义务",
    "以欺诈方法妨碍、抗拒执行",          # a means the rule does not list
    "以暴力、欺诈方法妨碍、抗拒执行",
    "以暴力抗拒执行",                    # not the wording's frame (以…方法…)
    "以隐匿方法规避执行",                # circumstance (3)'s nested list is not cut up
    "违反财产报告", "违反限制消费", "拒不履行执行和解协议",
    *NOT_LAWFUL,                         # what the demo mirror publishes as unlawful grounds
]


@pytest.fixture(scope="module")
def regime() -> ListRegime:
    return load_regime("cn_court_dishonest_list")


def person(**overrides: Any) -> ListingFacts:
    base: dict[str, Any] = dict(party_type="person", circumstances=["违反财产报告制度"],
                                publish_date=date(2018, 6, 1), age=40, id_mask="masked")
    return ListingFacts(**(base | overrides))


@pytest.mark.parametrize(("variant", "canonical", "expected"), VARIANTS)
def test_each_variant_names_its_circumstance(regime: ListRegime, variant: str, canonical: str,
                                             expected: str) -> None:
    assert circumstance_of(regime, variant) == expected
    v = verdict(regime, person(circumstances=[variant]), date(2021, 1, 1))
    assert v.grounds == [expected] and v.has_lawful_ground and v.unmatched_phrases == []
    # Nothing else in the verdict depends on the spelling: the term, the deadlines, the
    # citations are those of the phrase the regime lists.
    same = verdict(regime, person(circumstances=[canonical]), date(2021, 1, 1))
    assert v == same


def test_a_comma_inside_a_phrase_still_splits_it(regime: ListRegime) -> None:
    # ， is a separator even where a writer meant 、: the halves are no grounds, and the field
    # is reported as published rather than guessed at.
    v = verdict(regime, person(circumstances=["以 暴力，威胁 方法妨碍、抗拒执行"]), date(2021, 1, 1))
    assert v.grounds == [] and v.unmatched_phrases == ["以 暴力", "威胁 方法妨碍、抗拒执行"]


@pytest.mark.parametrize("separator", ["；", ";", "，", ",", "\n", "\r\n", "﹔", "﹐"])
def test_two_grounds_joined_in_one_field(regime: ListRegime, separator: str) -> None:
    joined = separator.join(["以暴力、威胁方法妨碍、抗拒执行",
                             "被执行人有履行能力而拒不履行生效法律文书确定的义务"])
    v = verdict(regime, person(circumstances=[joined]), date(2021, 1, 1))
    assert v.grounds == [C1, C2] and v.unmatched_phrases == []
    assert not v.fixed_term  # resting on item 1 at all: no term, as for the listed phrases


@pytest.mark.parametrize("text", NOT_GROUNDS)
def test_text_that_is_no_ground_names_none(regime: ListRegime, text: str) -> None:
    assert circumstance_of(regime, text) is None
    v = verdict(regime, person(circumstances=[text]), date(2021, 1, 1))
    assert v.grounds == [] and not v.has_lawful_ground
    assert v.unmatched_phrases == ([text.strip()] if text.strip() else [])


def test_a_non_ground_beside_a_variant_is_still_reported(regime: ListRegime) -> None:
    v = verdict(regime, person(circumstances=["欠款不还；以暴力、威胁方法妨碍、抗拒执行"]),
                date(2021, 1, 1))
    assert v.grounds == [C2] and v.unmatched_phrases == ["欠款不还"]


@pytest.mark.parametrize("size", [1, 2, 3])
def test_any_of_the_listed_means_names_circumstance_2(regime: ListRegime, size: int) -> None:
    for means in combinations(["伪造证据", "暴力", "威胁"], size):
        for etc in ("等", ""):
            phrase = f"以{'、'.join(means)}{etc}方法妨碍、抗拒执行"
            assert circumstance_of(regime, phrase) == C2, phrase


def test_every_listed_phrase_and_wording_keeps_its_circumstance(regime: ListRegime) -> None:
    # No key is shared between two circumstances, so none was dropped as ambiguous.
    for c in regime.circumstances:
        for text in (*c.phrases, *(w.text_zh for w in c.wordings)):
            assert circumstance_of(regime, text) == c.id, text


def test_a_key_two_circumstances_share_names_neither() -> None:
    index = phrase_index([("c1_a", "甲乙"), ("c2_b", "其他甲乙的"), ("c2_b", "丙")])
    assert index == {"丙": "c2_b"}


@pytest.mark.parametrize(("text", "key"), [
    ("有履行能力而拒不履行生效法律文书确定的义务。", ABILITY),
    ("失信被执行人　有履行能力而拒不履行生效法律文书确定义务的", ABILITY),
    ("其它被执行人，", ""),
    (FORCE + "的", "以伪造证据暴力威胁等方法妨碍抗拒执行"),
    ("违反限制高消费令（的）", "违反限制高消费令"),
])
def test_normalise_phrase(text: str, key: str) -> None:
    assert normalise_phrase(text) == key


def test_split_phrases_never_splits_on_the_enumeration_comma() -> None:
    assert split_phrases([FORCE + "；违反财产报告制度;", "其它规避执行\r\n违反限制消费令"]) == [
        FORCE, "违反财产报告制度", "其它规避执行", "违反限制消费令"]

"""How the court parser splits disruptTypeName, and what the model reads from the parts: variants
of the statutory wording and several grounds in one field, beside the shared samples."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from watchdog.model import load_regime, verdict
from watchdog.model.phrases import SEPARATORS, split_phrases
from watchdog.parsers import common
from watchdog.parsers.common import split_circumstances
from watchdog.parsers.court_dishonest import parse_bytes, parse_record
from watchdog.parsers.court_dishonest_drafts import to_draft
from watchdog.privacy import Keyer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "court_dishonest"
KEYER = Keyer(b"test-secret-for-court-dishonest!")
REGIME = load_regime("cn_court_dishonest_list")
C1 = "c1_ability_but_refuses"
C2 = "c2_obstruct_by_forgery_violence_threat"
C3 = "c3_evade_by_sham_litigation_or_asset_transfer"
C4 = "c4_violate_asset_reporting"
C5 = "c5_violate_spending_restriction"
RECORD = {"iname": "上海某某有限公司", "caseCode": "(2020)沪0101执2号", "partyTypeName": "581",
          "courtName": "上海市黄浦区人民法院", "publishDate": "2020年03月02日"}


def _grounds(disrupt: str) -> tuple[list[str], list[str], list[str]]:
    """The parsed phrases, the grounds the model finds in them and the phrases it cannot read."""
    facts = parse_record({**RECORD, "disruptTypeName": disrupt}, KEYER, fmt="detail").facts
    v = verdict(REGIME, facts, date(2021, 1, 1))
    return facts.circumstances, v.grounds, v.unmatched_phrases


@pytest.mark.parametrize(("disrupt", "phrases", "grounds"), [
    ("有履行能力而拒不履行生效法律文书确定的义务",
     ["有履行能力而拒不履行生效法律文书确定的义务"], [C1]),
    ("被执行人有履行能力而拒不履行生效法律文书确定义务",
     ["被执行人有履行能力而拒不履行生效法律文书确定义务"], [C1]),
    ("以暴力、威胁方法妨碍、抗拒执行", ["以暴力、威胁方法妨碍、抗拒执行"], [C2]),
    ("违反财产报告制度；违反限制消费令", ["违反财产报告制度", "违反限制消费令"], [C4, C5]),
    ("以暴力、威胁方法妨碍、抗拒执行;其它规避执行",
     ["以暴力、威胁方法妨碍、抗拒执行", "其它规避执行"], [C2, C3]),
    ("被执行人有履行能力而拒不履行生效法律文书确定的义务，违反财产报告制度。",
     ["被执行人有履行能力而拒不履行生效法律文书确定的义务", "违反财产报告制度。"], [C1, C4]),
])
def test_variants_parse_to_their_phrases_and_grounds(disrupt: str, phrases: list[str],
                                                    grounds: list[str]) -> None:
    # Each part is kept as published; the model reads the ground from it.
    assert _grounds(disrupt) == (phrases, grounds, [])


def test_the_stored_facet_names_the_grounds_of_a_variant() -> None:
    # The facet dashboards filter on is read through the same matcher as the verdict.
    listing = parse_record({**RECORD, "disruptTypeName": "以暴力、威胁方法妨碍、抗拒执行；"
                            "被执行人有履行能力而拒不履行生效法律文书确定的义务"}, KEYER, fmt="detail")
    assert to_draft(listing).facets["circumstances"] == "c1,c2"
    unlawful = parse_record({**RECORD, "disruptTypeName": "其他"}, KEYER, fmt="detail")
    assert to_draft(unlawful).facets["circumstances"] == "none"


@pytest.mark.parametrize("disrupt", ["其他", "欠款不还", "被执行人", "以欺诈方法妨碍、抗拒执行"])
def test_text_that_is_no_ground_is_kept_and_unmatched(disrupt: str) -> None:
    assert _grounds(disrupt) == ([disrupt], [], [disrupt])


def test_nothing_published_is_no_conduct_and_no_ground() -> None:
    for empty in ("", "暂无"):
        facts = parse_record({**RECORD, "disruptTypeName": empty}, KEYER, fmt="detail").facts
        assert facts.circumstances == [] and "conduct" not in facts.fields_present
        assert not verdict(REGIME, facts, date(2021, 1, 1)).has_lawful_ground


def test_parser_and_model_split_on_the_same_characters() -> None:
    assert common._CIRCUMSTANCE_SPLIT.pattern == SEPARATORS.pattern
    text = "以伪造证据、暴力、威胁等方法妨碍、抗拒执行的；违反财产报告制度,其它规避执行﹔违反限制消费令\r\n"
    assert split_circumstances(text) == split_phrases([text]) == [
        "以伪造证据、暴力、威胁等方法妨碍、抗拒执行的", "违反财产报告制度", "其它规避执行", "违反限制消费令"]


# The shared samples (and the synthetic files beside them) parse to the phrases and grounds
# they gave before matching was loosened.
SAMPLES = {
    "disDetail_person_2014.json": [(["其他有履行能力而拒不履行生效法律文书确定义务"], [C1])],
    "disDetail_unit_2014.json": [(["其它规避执行"], [C3])],
    "disDetail_unit_2017_crlf_in_duty.json": [(["违反财产报告制度"], [C4])],
    "disDetail_variants_2017_2019.json": [(["有履行能力而拒不履行生效法律文书确定义务的"], [C1]),
                                          (["违反财产报告制度"], [C4])],
    "synthetic_baidu_6899.json": [(["违反财产报告制度", "违反限制消费令"], [C4, C5]),
                                  (["有履行能力而拒不履行生效法律文书确定义务"], [C1])],
    "synthetic_detail_list.json": [(["以伪造证据、暴力、威胁等方法妨碍、抗拒执行的", "违反财产报告制度"],
                                    [C2, C4])],
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_samples_parse_as_before(name: str) -> None:
    _, listings, _ = parse_bytes((FIXTURES / name).read_bytes(), KEYER)
    got = []
    for item in listings:
        v = verdict(REGIME, item.facts, date(2021, 1, 1))
        assert v.unmatched_phrases == []
        got.append((item.facts.circumstances, v.grounds))
    assert got == SAMPLES[name]


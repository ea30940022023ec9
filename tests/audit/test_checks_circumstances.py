"""no_lawful_circumstance on renderings of the statutory wording: none for a lawful ground however
it is spelt or joined, still raised (HIGH) for text that is no ground, and every other check
judges a variant as it judges the phrase the regime lists."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from watchdog.audit.checks import CHECKS, CheckContext, FindingDraft, run_checks
from watchdog.model import ListingFacts, load_regime, verdict

REGIME = load_regime("cn_court_dishonest_list")
PERSON_FIELDS = list(REGIME.published_fields.required_for("person"))
ABILITY = "有履行能力而拒不履行生效法律文书确定义务"
FORCE = "以伪造证据、暴力、威胁等方法妨碍、抗拒执行"

# (variant as a reviewer found it published, the phrase the regime lists for it)
VARIANTS = [
    ("有履行能力而拒不履行生效法律文书确定的义务", ABILITY),
    ("被执行人有履行能力而拒不履行生效法律文书确定义务", ABILITY),
    ("以暴力、威胁方法妨碍、抗拒执行", FORCE),
    ("以暴力、威胁方法妨碍、抗拒执行；违反财产报告制度", f"{FORCE},违反财产报告制度"),
    ("违反财产报告制度;被执行人有履行能力而拒不履行生效法律文书确定的义务",
     f"违反财产报告制度,{ABILITY}"),
]


def facts(**changes: Any) -> ListingFacts:
    """A person listed on 1 March 2019 with everything published."""
    base: dict[str, Any] = {
        "party_type": "person", "case_code": "(2019)京0101执123号",
        "circumstances": ["违反财产报告制度"], "publish_date": date(2019, 3, 1),
        "reg_date": date(2019, 1, 10), "age": 40, "birth_year": 1979, "sex": "M",
        "province": "北京", "court": "北京市东城区人民法院", "performance": "全部未履行",
        "id_mask": "masked", "fields_present": PERSON_FIELDS, "name_key": "k" * 64,
    }
    return ListingFacts(**(base | changes))


def findings(f: ListingFacts, as_of: date) -> dict[str, FindingDraft]:
    ctx = CheckContext(regime=REGIME, as_of=as_of)
    return {c.id: draft for c, draft in run_checks(verdict(REGIME, f, as_of), f, ctx)}


@pytest.mark.parametrize(("variant", "listed"), VARIANTS)
def test_a_variant_of_a_lawful_ground_raises_no_finding(variant: str, listed: str) -> None:
    assert "no_lawful_circumstance" not in findings(facts(circumstances=[variant]), date(2020, 6, 1))


@pytest.mark.parametrize(("variant", "listed"), VARIANTS)
@pytest.mark.parametrize("as_of", [date(2020, 6, 1), date(2021, 3, 5), date(2025, 3, 7)])
def test_every_check_judges_a_variant_as_the_listed_phrase(variant: str, listed: str,
                                                          as_of: date) -> None:
    # Same checks, same summaries and details (terms, deadlines), whatever the spelling.
    assert findings(facts(circumstances=[variant]), as_of) == \
        findings(facts(circumstances=[listed]), as_of)


@pytest.mark.parametrize("text", ["其他", "欠款不还", "被执行人", "以欺诈方法妨碍、抗拒执行",
                                  "具有履行能力而不履行生效法律文书确定的义务"])
def test_text_that_is_no_ground_still_raises_the_finding(text: str) -> None:
    draft = findings(facts(circumstances=[text]), date(2020, 6, 1)).get("no_lawful_circumstance")
    assert draft is not None and "matches none of the six" in draft.summary
    assert draft.detail == {"unmatched_phrases": [text]}
    assert (draft.citation, draft.evidence) == ("spc_2017_provisions_clt", "verified")
    assert CHECKS["no_lawful_circumstance"].severity == "high"


@pytest.mark.parametrize("published", [[], [""], ["；"], [" , "]])
def test_nothing_published_still_raises_the_finding(published: list[str]) -> None:
    draft = findings(facts(circumstances=published), date(2020, 6, 1)).get("no_lawful_circumstance")
    assert draft is not None and draft.summary.startswith("No reason for listing was published")
    assert draft.detail == {"unmatched_phrases": []}


def test_a_non_ground_joined_to_a_variant_is_not_a_finding() -> None:
    # One lawful ground is enough, as for the phrases the regime lists.
    assert "no_lawful_circumstance" not in findings(
        facts(circumstances=["欠款不还；以暴力、威胁方法妨碍、抗拒执行"]), date(2020, 6, 1))

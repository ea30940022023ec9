"""Hand-worked verdicts on court-list entries, against the real regime file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from watchdog.model import ListingFacts, circumstance_of, load_citations, load_regime, verdict
from watchdog.model.schema import ListRegime

REPO = Path(__file__).resolve().parents[2]
# The shared samples of samples/zxgk_shixin_transcribed/, copied byte for byte (see SOURCE.txt).
SAMPLE_DIR = REPO / "tests" / "fixtures" / "court_dishonest"

C1 = "c1_ability_but_refuses"
C2 = "c2_obstruct_by_forgery_violence_threat"
C3 = "c3_evade_by_sham_litigation_or_asset_transfer"
C4 = "c4_violate_asset_reporting"
C5 = "c5_violate_spending_restriction"
C6 = "c6_refuse_settlement_agreement"
PERSON_FIELDS = ["name", "sex", "age", "id_number", "obligation", "performance", "conduct",
                 "basis_issuer", "basis_doc_no", "case_no", "filing_date", "court"]


@pytest.fixture(scope="module")
def regime() -> ListRegime:
    return load_regime("cn_court_dishonest_list")


def person(**overrides: Any) -> ListingFacts:
    base: dict[str, Any] = dict(party_type="person", circumstances=["违反财产报告制度"],
                                publish_date=date(2017, 11, 26), age=40, id_mask="masked",
                                fields_present=PERSON_FIELDS)
    return ListingFacts(**(base | overrides))


# Phrases as the portal published them (disruptTypeName), from the transcribed samples and the
# public code cited as zxgk_published_phrases_code.
@pytest.mark.parametrize(("phrase", "expected"), [
    ("其他有履行能力而拒不履行生效法律文书确定义务", C1),          # disDetail_person_2014.json
    ("有履行能力而拒不履行生效法律文书确定义务的", C1),            # disDetail_variants_2017_2019.json
    ("有履行能力而拒不履行生效法律文书确定义务", C1),
    ("以伪造证据、暴力、威胁等方法妨碍、抗拒执行", C2),
    ("以伪造证据、暴力、威胁等方法妨碍、抗拒执行的", C2),
    ("其它规避执行", C3),                                          # disDetail_unit_2014.json
    ("其他规避执行", C3),
    ("以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行", C3),
    ("违反财产报告制度", C4),                                      # disDetail_unit_2017_crlf_in_duty.json
    ("违反限制高消费令", C5),
    ("违反限制消费令的", C5),
    ("被执行人无正当理由拒不履行执行和解协议", C6),
    ("无正当理由拒不履行执行和解协议的", C6),
])
def test_each_circumstance_is_recognised(regime: ListRegime, phrase: str, expected: str) -> None:
    assert circumstance_of(regime, phrase) == expected
    v = verdict(regime, person(circumstances=[phrase]), date(2018, 1, 1))
    assert v.grounds == [expected]
    assert v.has_lawful_ground and v.unmatched_phrases == []
    assert f"grounds.{expected}" in v.citations


@pytest.mark.parametrize("variant", [
    "违反财产报告制度；", " 违反财产报告制度 ", "违反财产报告制度　的", "其它违反财产报告制度",
])
def test_width_whitespace_punctuation_and_prefixes_are_ignored(regime: ListRegime,
                                                               variant: str) -> None:
    assert circumstance_of(regime, variant) == C4


def test_punctuation_inside_and_after_the_phrase(regime: ListRegime) -> None:
    assert circumstance_of(regime, "以伪造证据、暴力、威胁等方法妨碍、抗拒执行。") == C2
    assert circumstance_of(regime, "以伪造证据 暴力 威胁等方法妨碍 抗拒执行") == C2
    assert circumstance_of(regime, "拒不还钱") is None


def test_phrases_in_the_transcribed_samples(regime: ListRegime) -> None:
    expected = {
        "disDetail_person_2014.json": [[C1]],
        "disDetail_unit_2014.json": [[C3]],
        "disDetail_unit_2017_crlf_in_duty.json": [[C4]],
        "disDetail_variants_2017_2019.json": [[C1], [C4]],
    }
    for name, grounds in expected.items():
        data = json.loads((SAMPLE_DIR / name).read_text(encoding="utf-8"))
        records = data if isinstance(data, list) else [data]
        got = [verdict(regime, person(circumstances=[r["disruptTypeName"]]), date(2020, 1, 1)).grounds
               for r in records]
        assert got == grounds, name


@pytest.mark.parametrize("joined", [
    "其它规避执行,违反财产报告制度,其他有履行能力而拒不履行生效法律文书确定义务",
    "其它规避执行，违反财产报告制度，其他有履行能力而拒不履行生效法律文书确定义务",
])
def test_several_circumstances_joined_by_commas(regime: ListRegime, joined: str) -> None:
    v = verdict(regime, person(circumstances=[joined]), date(2020, 1, 1))
    assert v.grounds == [C1, C3, C4]  # regime order, not published order


def test_unknown_phrase_gives_no_lawful_ground(regime: ListRegime) -> None:
    v = verdict(regime, person(circumstances=["拒不还钱"]), date(2020, 1, 1))
    assert v.grounds == [] and not v.has_lawful_ground
    assert v.unmatched_phrases == ["拒不还钱"]
    assert v.term_end is None
    none = verdict(regime, person(circumstances=[]), date(2020, 1, 1))
    assert not none.has_lawful_ground and none.unmatched_phrases == []


def test_one_unknown_phrase_beside_a_known_one(regime: ListRegime) -> None:
    v = verdict(regime, person(circumstances=["违反财产报告制度,拒不还钱"]), date(2020, 1, 1))
    assert v.grounds == [C4] and v.has_lawful_ground and v.unmatched_phrases == ["拒不还钱"]


def test_term_of_an_asset_reporting_listing(regime: ListRegime) -> None:
    facts = ListingFacts(party_type="company", circumstances=["违反财产报告制度"],
                         publish_date=date(2017, 11, 26))
    v = verdict(regime, facts, date(2020, 1, 1))
    assert v.term_end == date(2019, 11, 26)
    assert v.term_end_max == date(2022, 11, 26)
    assert v.past_term and not v.past_max_term
    assert v.term_removal_deadline == date(2019, 11, 29)  # Tuesday + 3 working days
    assert not verdict(regime, facts, date(2019, 11, 26)).past_term
    assert verdict(regime, facts, date(2022, 11, 27)).past_max_term
    assert v.citations["term_end"].evidence == "verified"  # Art. 2, read in a court's copy


def test_ability_but_refuses_has_no_term(regime: ListRegime) -> None:
    phrase = "有履行能力而拒不履行生效法律文书确定义务"
    for phrases in ([phrase], [f"{phrase},违反财产报告制度"]):
        v = verdict(regime, person(circumstances=phrases), date(2030, 1, 1))
        assert (v.term_end, v.term_end_max, v.past_term, v.past_max_term) == (None, None, False, False)


def test_no_term_without_publish_date(regime: ListRegime) -> None:
    assert verdict(regime, person(publish_date=None), date(2030, 1, 1)).term_end is None


def test_listing_before_2017_gets_the_term_with_a_note(regime: ListRegime) -> None:
    v = verdict(regime, person(circumstances=["其它规避执行"], publish_date=date(2014, 12, 11)),
                date(2020, 1, 1))
    assert v.term_end == date(2016, 12, 11) and v.past_term
    assert any("our reading" in n for n in v.notes)


def test_article_numbering_follows_the_publish_date(regime: ListRegime) -> None:
    phrase = "有履行能力而拒不履行生效法律文书确定义务"
    old = verdict(regime, person(circumstances=[phrase], publish_date=date(2017, 4, 30)),
                  date(2020, 1, 1))
    new = verdict(regime, person(circumstances=[phrase], publish_date=date(2017, 5, 1)),
                  date(2020, 1, 1))
    assert old.ground_articles == {C1: "2013 Provisions Art. 1(6)"}
    assert new.ground_articles == {C1: "2017 Provisions Art. 1(1)"}
    assert old.grounds == new.grounds == [C1]
    assert old.citations[f"grounds.{C1}"].source == "bank_quiz_2013_provisions_code"


def test_minor_is_excluded(regime: ListRegime) -> None:
    assert verdict(regime, person(age=17), date(2020, 1, 1)).exclusions == ["minor"]
    assert verdict(regime, person(age=18), date(2020, 1, 1)).exclusions == []
    # Born 2001, published 2017: at most 16.
    assert verdict(regime, person(age=None, birth_year=2001), date(2020, 1, 1)).exclusions == ["minor"]
    # Born 1999, published 2017: 17 or 18, the masked ID cannot tell.
    v = verdict(regime, person(age=None, birth_year=1999), date(2020, 1, 1))
    assert v.exclusions == [] and v.possible_exclusions == ["minor"]
    assert v.citations["exclusions.minor"].evidence == "secondary"


def test_company_age_zero_is_not_a_minor(regime: ListRegime) -> None:
    facts = ListingFacts(party_type="company", circumstances=["违反财产报告制度"], age=0,
                         publish_date=date(2017, 11, 26))
    assert verdict(regime, facts, date(2020, 1, 1)).exclusions == []
    assert verdict(regime, person(age=0), date(2020, 1, 1)).exclusions == []


def test_legal_representative_excluded_only_from_2020(regime: ListRegime) -> None:
    later = person(publish_date=date(2021, 3, 1))
    earlier = person(publish_date=date(2019, 3, 1))
    assert verdict(regime, later, date(2022, 1, 1),
                   is_legal_rep_of_listed_company=True).exclusions == ["legal_rep_of_defaulting_company"]
    assert verdict(regime, later, date(2022, 1, 1)).exclusions == []
    v = verdict(regime, earlier, date(2022, 1, 1), is_legal_rep_of_listed_company=True)
    assert v.exclusions == [] and any("predates" in n for n in v.notes)


def test_campus_loans_are_reported_as_unchecked(regime: ListRegime) -> None:
    assert verdict(regime, person(publish_date=date(2021, 3, 1)),
                   date(2022, 1, 1)).unchecked_exclusions == ["campus_loan_students"]
    assert verdict(regime, person(), date(2022, 1, 1)).unchecked_exclusions == []


ABILITY = ["有履行能力而拒不履行生效法律文书确定义务"]  # no term: Art. 10's grounds apply


def test_removal_deadline_counts_working_days(regime: ListRegime) -> None:
    facts = person(circumstances=ABILITY, performed_date=date(2026, 11, 20))  # a Friday
    v = verdict(regime, facts, date(2026, 11, 25))
    assert v.removal_deadline == date(2026, 11, 25)  # the Wednesday after
    assert not v.overdue_removal
    assert verdict(regime, facts, date(2026, 11, 26)).overdue_removal
    assert verdict(regime, person(), date(2026, 11, 26)).removal_deadline is None
    assert v.removal_deadline_basis == "official calendar"
    assert verdict(regime, person(), date(2026, 11, 26)).removal_deadline_basis is None


def test_removal_deadline_over_national_day(regime: ListRegime) -> None:
    # Performed Fri 27 Sep 2024: Sun 29 Sep (make-up working day), Mon 30 Sep, then 1-7 October
    # off, Tue 8 October. Counting weekdays only gave 2 October and flagged this on the 3rd.
    facts = person(circumstances=ABILITY, performed_date=date(2024, 9, 27))
    v = verdict(regime, facts, date(2024, 10, 3))
    assert (v.removal_deadline, v.removal_deadline_basis) == (date(2024, 10, 8), "official calendar")
    assert not v.overdue_removal
    assert not verdict(regime, facts, date(2024, 10, 8)).overdue_removal
    assert verdict(regime, facts, date(2024, 10, 9)).overdue_removal


def test_performance_does_not_oblige_deleting_a_listing_with_a_term(regime: ListRegime) -> None:
    # Art. 10 para. 2: its grounds do not apply to a listing with a term (here asset reporting,
    # two years); it must go when the term ends, and the court may delete it earlier (Art. 2).
    v = verdict(regime, person(performed_date=date(2018, 3, 2)), date(2019, 1, 1))
    assert v.term_end == date(2019, 11, 26)
    assert (v.removal_deadline, v.removal_deadline_basis, v.overdue_removal) == (None, None, False)
    assert any("has a term" in n for n in v.notes)
    # The same performance on a listing without a term: three working days.
    ability = verdict(regime, person(circumstances=ABILITY, performed_date=date(2018, 3, 2)),
                      date(2019, 1, 1))
    assert ability.term_end is None and ability.removal_deadline == date(2018, 3, 7)
    assert ability.overdue_removal
    # With no lawful ground there is no term either: the deletion grounds apply.
    none = verdict(regime, person(circumstances=["不明情形"], performed_date=date(2018, 3, 2)),
                   date(2019, 1, 1))
    assert none.removal_deadline == date(2018, 3, 7)


def test_article_3_bars_listing_for_ability_but_refusal_only(regime: ListRegime) -> None:
    late = date(2019, 3, 1)
    ability = person(circumstances=ABILITY, publish_date=date(2018, 5, 2))
    v = verdict(regime, ability, late, asserted_exclusions=["adequate_security"])
    assert v.exclusions == ["adequate_security"]
    assert v.citations["exclusions.adequate_security"].evidence == "secondary"
    # A company too: Art. 3 speaks of any debtor.
    company = ListingFacts(party_type="company", circumstances=ABILITY, publish_date=date(2018, 5, 2))
    assert verdict(regime, company, late,
                   asserted_exclusions=["seized_property_covers_debt"]).exclusions == [
        "seized_property_covers_debt"]
    # A listing that also rests on asset reporting keeps that ground: not excluded, and said why.
    both = person(circumstances=[f"{ABILITY[0]},违反财产报告制度"], publish_date=date(2018, 5, 2))
    v = verdict(regime, both, late, asserted_exclusions=["adequate_security"])
    assert v.exclusions == [] and any("also rests on c4_violate_asset_reporting" in n
                                      for n in v.notes)
    # Not asserted: nothing; before the 2017 rules: not in force.
    assert verdict(regime, ability, late).exclusions == []
    old = person(circumstances=ABILITY, publish_date=date(2016, 5, 2))
    assert verdict(regime, old, late, asserted_exclusions=["adequate_security"]).exclusions == []


def test_term_removal_deadline_and_its_basis(regime: ListRegime) -> None:
    # Term ends Sun 29 Sep 2024 (a make-up working day; the end day itself never counts):
    # Mon 30 Sep, Tue 8 Oct, Wed 9 Oct.
    v = verdict(regime, person(publish_date=date(2022, 9, 29)), date(2025, 1, 1))
    assert v.term_end == date(2024, 9, 29)
    assert (v.term_removal_deadline, v.term_removal_deadline_basis) == (
        date(2024, 10, 9), "official calendar")
    # A term ending in a year without holiday data: Fri 5 Mar 2027 + 3 weekdays.
    later = verdict(regime, person(publish_date=date(2025, 3, 5)), date(2025, 4, 1))
    assert (later.term_removal_deadline, later.term_removal_deadline_basis) == (
        date(2027, 3, 10), "weekdays only (no holiday data for 2027)")


def test_missing_fields(regime: ListRegime) -> None:
    v = verdict(regime, person(fields_present=[f for f in PERSON_FIELDS if f != "id_number"]),
                date(2020, 1, 1))
    assert v.missing_fields == ["id_number"]
    company = ListingFacts(party_type="company", circumstances=["违反财产报告制度"],
                           fields_present=["name", "org_code", "case_no", "court"])
    assert verdict(regime, company, date(2020, 1, 1)).missing_fields == [
        "legal_rep", "obligation", "performance", "conduct", "basis_issuer", "basis_doc_no",
        "filing_date"]


def test_id_mask(regime: ListRegime) -> None:
    assert verdict(regime, person(id_mask="masked"), date(2020, 1, 1)).id_mask_ok
    for status in ("unmasked", "malformed", "missing"):
        assert not verdict(regime, person(id_mask=status), date(2020, 1, 1)).id_mask_ok
    company = ListingFacts(party_type="company", id_mask="unmasked")
    assert verdict(regime, company, date(2020, 1, 1)).id_mask_ok


def test_sanctions_in_force_at_as_of(regime: ListRegime) -> None:
    facts = person(publish_date=date(2014, 12, 7))
    assert verdict(regime, facts, date(2015, 1, 1)).sanctions == []
    mid = verdict(regime, facts, date(2015, 8, 1)).sanctions
    assert len(mid) == 9 and all(s.startswith("hc_") for s in mid)
    late = verdict(regime, facts, date(2016, 2, 1)).sanctions
    assert len(late) == 17 and "jpm2016_7_unknown" in late
    assert verdict(regime, facts, date(2014, 1, 1)).sanctions == []  # not yet published


def test_every_conclusion_cites_a_known_source(regime: ListRegime) -> None:
    citations = load_citations()
    v = verdict(regime, person(age=17, performed_date=date(2026, 11, 20),
                               circumstances=["违反财产报告制度,其它规避执行"]), date(2026, 12, 1))
    for key in ("term_end", "term_end_max", "removal_deadline", "missing_fields", "id_mask_ok",
                "exclusions.minor", f"grounds.{C3}", f"grounds.{C4}", "has_lawful_ground"):
        assert key in v.citations, key
    assert all(ref.source in citations for ref in v.citations.values())
    assert v.regime_version == regime.version

"""The real regime and citations load; broken regime files fail with file, path and reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from watchdog.model import RegimeError, load_citations, load_regime
from watchdog.model.facts import STATUTORY_FIELDS
from watchdog.model.schema import Evidence, Sourced

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "regimes"
REGIME_ID = "cn_court_dishonest_list"


def _sourced(node: object, path: str = "") -> list[tuple[str, Sourced]]:
    """Every Sourced rule inside a model, with its path."""
    found: list[tuple[str, Sourced]] = []
    if isinstance(node, Sourced):
        found.append((path, node))
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            found += _sourced(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, tuple | list):
        for i, item in enumerate(node):
            found += _sourced(item, f"{path}[{i}]")
    elif isinstance(node, dict):
        for key, item in node.items():
            found += _sourced(item, f"{path}.{key}")
    return found


def test_citations_load_and_each_has_a_locator() -> None:
    citations = load_citations()
    assert "spc_2017_provisions_clt" in citations
    for cid, citation in citations.items():
        assert citation.url or citation.seed or citation.code_index_files or \
            (citation.scorewatch_note and citation.publisher == "Scorewatch"), cid


def test_real_regime_loads_by_id_and_by_path() -> None:
    by_id = load_regime(REGIME_ID)
    by_path = load_regime(REPO / "data" / "regimes" / f"{REGIME_ID}.yaml")
    assert by_id == by_path
    assert by_id.kind == "list"
    assert by_id.title.zh == "失信被执行人名单"
    assert [c.id for c in by_id.circumstances] == [
        "c1_ability_but_refuses",
        "c2_obstruct_by_forgery_violence_threat",
        "c3_evade_by_sham_litigation_or_asset_transfer",
        "c4_violate_asset_reporting",
        "c5_violate_spending_restriction",
        "c6_refuse_settlement_agreement",
    ]


def test_every_rule_cites_an_existing_citation_with_a_grade() -> None:
    regime = load_regime(REGIME_ID)
    citations = load_citations()
    rules = _sourced(regime)
    assert len(rules) > 40
    for path, rule in rules:
        assert rule.source in citations, path
        assert isinstance(rule.evidence, Evidence), path
        for extra in rule.see_also:
            assert extra in citations, path
    for c in regime.circumstances:
        assert c.phrases_source in citations


def test_regime_content_matches_the_research() -> None:
    regime = load_regime(REGIME_ID)
    c1 = regime.circumstance("c1_ability_but_refuses")
    by_instrument = {w.instrument: w for w in c1.wordings}
    # 2013 lists "ability but refuses" last, as the catch-all.
    assert by_instrument["spc_2013_provisions"].item == 6
    assert by_instrument["spc_2013_provisions"].text_zh.startswith("其他")
    assert by_instrument["spc_2017_provisions"].item == 1
    assert regime.term.years == 2 and regime.term.no_fixed_term == ("c1_ability_but_refuses",)
    assert (regime.term.extension.years_min, regime.term.extension.years_max) == (1, 3)
    assert regime.removal.working_days == 3
    article_3 = {"adequate_security", "seized_property_covers_debt", "later_in_enforcement_order",
                 "not_ability_but_refusal"}
    assert {e.id for e in regime.exclusions} == {
        "minor", "legal_rep_of_defaulting_company", "campus_loan_students", *article_3}
    # Art. 3 bars listing for ability-but-refusal only, whoever the debtor is.
    assert {e.id for e in regime.exclusions
            if e.grounds == ("c1_ability_but_refuses",) and e.party_type == "any"} == article_3
    # Art. 10: seven grounds for listings without a term; the end of the term for the others.
    without = [t.id for t in regime.removal.triggers if t.listings == "without_term"]
    assert len(without) == 7 and without[0] == "full_performance"
    assert [t.id for t in regime.removal.triggers if t.listings == "with_term"] == ["term_expiry"]
    fix = regime.correction
    assert fix is not None and (fix.article, fix.grounds_article, len(fix.grounds)) == (12, 11, 3)
    assert (fix.review_days, fix.correct_working_days, fix.reconsideration_days,
            fix.reconsideration_decision_days, fix.listing_stays_during_reconsideration) == (
        15, 3, 10, 15, True)
    hc, mou = regime.sanctions
    assert len(hc.items) == 9 and str(hc.valid_from) == "2015-07-22"
    assert "G字头" in hc.items[8].label.zh
    assert (str(mou.signed), mou.bodies, mou.measures, len(mou.items)) == ("2016-01-21", 44, 55, 8)
    assert [i.known for i in mou.items].count(False) == 1
    fields = regime.published_fields
    assert set(fields.person + fields.company + fields.common) <= set(STATUTORY_FIELDS)
    assert regime.id_mask.masked_positions == (11, 14)


def test_a_minimal_regime_loads_from_another_directory() -> None:
    assert load_regime("minimal_list", FIXTURES).id == "minimal_list"


@pytest.mark.parametrize(
    ("name", "path", "reason"),
    [
        ("broken_evidence", "circumstances[2].evidence",
         "value is not one of verified, secondary, memory, disputed, low"),
        ("broken_citation", "removal.triggers[0].source", "unknown citation id 'no_such_citation'"),
        ("broken_missing_field", "term.years", "required field is missing"),
        ("broken_term_reference", "term.applies_to[1]", "unknown circumstance 'c9_ninth'"),
        ("broken_yaml", "line 7, column 8", "invalid YAML"),
        ("broken_duplicate_key", "line 8, column 1", "duplicate key 'summary'"),
    ],
)
def test_broken_file_names_file_path_and_reason(name: str, path: str, reason: str) -> None:
    with pytest.raises(RegimeError) as caught:
        load_regime(FIXTURES / f"{name}.yaml")
    err = caught.value
    message = str(err)
    assert "\n" not in message
    assert message.startswith(f"tests/fixtures/regimes/{name}.yaml: {path}: ")
    assert reason in message
    assert (err.file, err.path) == (f"tests/fixtures/regimes/{name}.yaml", path)


def test_unknown_regime_id_and_unknown_kind(tmp_path: Path) -> None:
    with pytest.raises(RegimeError, match=r"no_such_regime\.yaml: \(file\): file not found"):
        load_regime("no_such_regime")
    other = tmp_path / "other.yaml"
    other.write_text("id: x\nkind: tally\n", encoding="utf-8")
    with pytest.raises(RegimeError, match=r"other\.yaml: kind: value 'tally' is not one of list, weighted_score, points_ledger, as_described"):
        load_regime(other)
    listed = tmp_path / "listed.yaml"
    listed.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(RegimeError, match=r"listed\.yaml: \(root\): expected a mapping"):
        load_regime(listed)


def test_broken_citations_file(tmp_path: Path) -> None:
    bad = tmp_path / "citations.yaml"
    bad.write_text("good_one:\n  title: T\n  url: http://example.org\n  publisher: P\n"
                   "no_locator:\n  title: T\n  publisher: P\n", encoding="utf-8")
    with pytest.raises(RegimeError, match=r"citations\.yaml: no_locator: a citation needs a url"):
        load_citations(bad)
    with pytest.raises(RegimeError, match=r"citations\.yaml: no_locator: "):
        load_regime(FIXTURES / "minimal_list.yaml", citations=bad)


def test_custom_citation_mapping_is_checked() -> None:
    citations = load_citations()
    del citations["zxgk_portal_fields_code"]
    with pytest.raises(RegimeError, match=r"id_mask\.source: unknown citation id"):
        load_regime(FIXTURES / "minimal_list.yaml", citations=citations)


@pytest.mark.parametrize(("old", "new", "path", "reason"), [
    ("item: 2, text_zh: 乙,", "item: 2, text_zh: 乙, valid_from: 2020-01-01, valid_to: 2019-01-01,",
     "circumstances[1].wordings[0].valid_to", "valid_to is before valid_from"),
    ("phrases: [丙]", "phrases: [丙, 其他乙的]",
     "circumstances[2].phrases[1]", "phrase also belongs to c2_second"),
    ("  years: 2\n", "  years: 2\n  yeers: 3\n", "term.yeers", "unknown field"),
    ('mask: "****"', 'mask: "***"', "id_mask.mask", "mask length differs"),
    ("common: [case_no, court]", "common: [case_no, courts]", "published_fields.common[1]",
     "value is not one of name, sex"),
])
def test_more_broken_variants(tmp_path: Path, old: str, new: str, path: str, reason: str) -> None:
    text = (FIXTURES / "minimal_list.yaml").read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "variant.yaml"
    broken.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(RegimeError) as caught:
        load_regime(broken)
    assert caught.value.path == path
    assert reason in caught.value.reason


def test_a_scorewatch_note_needs_no_locator(tmp_path: Path) -> None:
    own = tmp_path / "citations.yaml"
    own.write_text("ours:\n  title: T\n  publisher: Scorewatch\n  scorewatch_note: true\n", encoding="utf-8")
    assert load_citations(own)["ours"].scorewatch_note
    other = tmp_path / "other.yaml"
    other.write_text("theirs:\n  title: T\n  publisher: P\n  scorewatch_note: false\n", encoding="utf-8")
    with pytest.raises(RegimeError, match=r"theirs: a citation needs a url, a seed file, code_index_files or "
                                          r"scorewatch_note"):
        load_citations(other)
    # Only Scorewatch's own notes go without a locator.
    borrowed = tmp_path / "borrowed.yaml"
    borrowed.write_text("theirs:\n  title: T\n  publisher: P\n  scorewatch_note: true\n", encoding="utf-8")
    with pytest.raises(RegimeError, match=r"theirs: scorewatch_note is for Scorewatch's own notes "
                                          r"\(publisher: Scorewatch\)"):
        load_citations(borrowed)

"""Every regime file loads, cites existing citations with a grade, and says what it does not know;
a broken scoring regime fails with file, path and reason on one line."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import BaseModel

from watchdog.model.loader import RegimeError, load_citations, load_regime
from watchdog.model.schema import Evidence, ListRegime, Sourced
from watchdog.model.scoring_schema import DescribedRegime, LedgerRegime, WeightedRegime

REPO = Path(__file__).resolve().parents[2]
REGIMES = REPO / "data" / "regimes"
KINDS = {
    "zhima": WeightedRegime, "fico": WeightedRegime, "tencent": WeightedRegime,
    "rongcheng": LedgerRegime, "weihai": LedgerRegime, "xiamen_bailu": LedgerRegime,
    "fuzhou_moli": LedgerRegime, "cn_tax_credit": LedgerRegime,
    "sesame_2015_described": DescribedRegime, "cn_court_dishonest_list": ListRegime,
}


def _sourced(node: object, path: str = "") -> list[tuple[str, Sourced]]:
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


def test_every_regime_file_is_listed_and_loads_as_its_kind() -> None:
    assert {p.stem for p in REGIMES.glob("*.yaml")} == set(KINDS)
    for rid, kind in KINDS.items():
        loaded = load_regime(rid)
        assert isinstance(loaded, kind), rid
        assert loaded.id == rid


@pytest.mark.parametrize("rid", sorted(set(KINDS) - {"cn_court_dishonest_list"}))
def test_every_number_cites_an_existing_citation_with_a_grade(rid: str) -> None:
    regime = load_regime(rid)
    citations = load_citations()
    rules = _sourced(regime)
    assert rules, rid
    for path, rule in rules:
        assert rule.source in citations, f"{rid}: {path}"
        assert isinstance(rule.evidence, Evidence), f"{rid}: {path}"
        assert all(extra in citations for extra in rule.see_also), f"{rid}: {path}"
    for i, unknown in enumerate(regime.unknowns):
        # A gap cites the source that documents it, with a grade, like any rule.
        assert unknown.source in citations, f"{rid}: unknowns[{i}]"
        assert isinstance(unknown.evidence, Evidence), f"{rid}: unknowns[{i}]"
        assert all(extra in citations for extra in unknown.see_also), f"{rid}: unknowns[{i}]"
    assert regime.unknowns, f"{rid} should say what the sources do not tell"


def test_issue_conventions_hold() -> None:
    fico, zhima, rongcheng = load_regime("fico"), load_regime("zhima"), load_regime("rongcheng")
    assert isinstance(fico, WeightedRegime) and isinstance(zhima, WeightedRegime)
    assert [d.id for d in fico.dimensions] == [
        "payment_history", "amounts_owed", "length_of_history", "credit_mix", "new_credit"]
    assert [d.id for d in zhima.dimensions] == [
        "credit_history", "behaviour_preference", "fulfilment_capacity", "identity_traits", "connections"]
    assert (fico.range.min, fico.range.max, zhima.range.min, zhima.range.max) == (300, 850, 350, 950)
    assert list(fico.weight_variants[0].weights.values()) == [Decimal(w) for w in ("0.35", "0.3", "0.15", "0.1", "0.1")]
    assert [v.id for v in zhima.weight_variants] == ["variant_a", "variant_b"]
    assert all(v.evidence == "disputed" for v in zhima.weight_variants)
    assert any(c.id == "political_posts_count" and c.responses[0].stance == "denies" for c in zhima.claims)
    assert isinstance(rongcheng, LedgerRegime) and rongcheng.start is not None
    points = {r.id: (r.points, r.direct_grade) for r in rongcheng.rules}
    assert points["bank_arrears_month"] == (-10, None)
    assert points["sued_found_in_breach"] == (-50, None)
    assert points["damaging_public_utility_equipment"] == (-100, None)
    assert points["traffic_ticket"] == (-5, None)
    assert points["heroic_act"] == (30, None)
    assert points["drunk_driving"] == (None, "C")
    assert [b.id for b in rongcheng.bands] == ["AAA", "AA", "A", "B", "C", "D"]
    assert rongcheng.start.points == 1000


# Words that say a person cannot choose the thing: an input described this way must not be one the
# counterfactual may change.
UNPLANNABLE = ("not something anyone can plan", "not something a person can", "cannot be planned",
               "only time ")


@pytest.mark.parametrize("rid", sorted(set(KINDS) - {"cn_court_dishonest_list"}))
def test_nothing_described_as_unplannable_is_marked_actionable(rid: str) -> None:
    regime = load_regime(rid)
    items = [*getattr(regime, "rules", ()), *getattr(regime, "dimensions", ()), *getattr(regime, "signals", ())]
    for item in items:
        words = f"{item.note or ''} {getattr(item, 'how', None) or ''}".lower()
        if any(w in words for w in UNPLANNABLE):
            assert not item.actionable, f"{rid}: {item.id} is actionable but its text says: {words.strip()}"


def test_xiamen_per_offence_points_are_our_choice_and_the_maximum_is_sourced() -> None:
    xiamen = load_regime("xiamen_bailu")
    assert isinstance(xiamen, LedgerRegime)
    offence = xiamen.rule("legal_offence")
    assert offence is not None and (offence.points, offence.points_range) == (-150, (-150, 0))
    # Nesta says offences cost "as much as 150": the -150 a time is Scorewatch's reading of that.
    assert (offence.source, offence.evidence) == ("scorewatch_modelling_choices", "low")
    assert "nesta_citizen_scoring" in offence.see_also
    assert "as much as 150" in (offence.note or "") and "verified" in (offence.note or "")


def test_the_modelling_choices_citation_points_at_no_file() -> None:
    choices = load_citations()["scorewatch_modelling_choices"]
    assert choices.seed is None and choices.url is None and choices.scorewatch_note


def test_every_scoring_regime_states_its_simplification_where_it_computes() -> None:
    for rid, kind in KINDS.items():
        if kind is not ListRegime:
            assert load_regime(rid).simplification, rid


# (file, text to replace, replacement, path in the error, reason)
BROKEN = [
    ("fico", "payment_history: 0.35,", "payment_history: 0.45,", "weight_variants[0].weights",
     "weights add up to 1.10, not 1"),
    ("fico", "payment_history: 0.35,", "payment_history: 0.35, income: 0,", "weight_variants[0].weights",
     "weights must name exactly the dimensions"),
    ("fico", "{id: fair, label: {en: Fair}, min: 580", "{id: fair, label: {en: Fair}, min: 581", "bands[3].min",
     "band 'fair' must start at 580, right after band 'poor'"),
    ("zhima", "evidence: disputed\n    note: Unofficial; from a low-quality consumer page.",
     "evidence: guessed\n    note: Unofficial; from a low-quality consumer page.", "weight_variants[0].evidence",
     "value is not one of verified, secondary, memory, disputed, low"),
    ("zhima", "requires: [no_bad_record_5y]", "requires: [clean_record]", "perks[3].requires[0]",
     "unknown condition 'clean_record'"),
    ("rongcheng", "source: lkyspp_2019_rongcheng", "source: lkyspp_2020", "start.source",
     "unknown citation id 'lkyspp_2020'"),
    ("rongcheng", "direct_grade: C,", "direct_grade: AA,", "rules[17].direct_grade",
     "band 'AA' does not allow direct grading"),
    ("rongcheng", "points: -5, points_range: [-50, -5]", "points: -60, points_range: [-50, -5]",
     "rules[9].points_range", "points_range must contain points"),
    ("rongcheng", "heroic_act, label: {en: A heroic act}, sector: reward, points: 30, actionable: false",
     "heroic_act, label: {en: A heroic act}, sector: reward, points: 30, actionable: true",
     "rules[16].realistic_max_count", "an actionable rule needs realistic_max_count"),
    ("rongcheng", "  - {id: traffic_ticket,", "  - {id: bank_arrears_month,", "rules[15].id",
     "duplicate id 'bank_arrears_month'"),
    ("sesame_2015_described", "alpha: {value: 0.3,", "alpha: {value: 1.0,", "network.alpha.value",
     "less than 1"),
    ("weihai", "start: {points: 1000,", "start: {points: 1000.5,", "start.points",
     "input should be a valid integer"),
    ("cn_tax_credit", "forbids: [listed_dishonesty]", "forbids: [listed]", "bands[1].forbids[0]",
     "unknown condition 'listed'"),
    ("xiamen_bailu", "kind: points_ledger", "kind: points_table", "kind",
     "value 'points_table' is not one of list, weighted_score, points_ledger, as_described"),
    # An unknown cites the source that documents the gap, with its grade.
    ("fico", "    source: fico_bands_wiki\n", "", "unknowns[1].source", "required field is missing"),
    ("tencent", "    evidence: secondary\n    see_also: [fintechnexus_tencent_credit]\n",
     "    see_also: [fintechnexus_tencent_credit]\n", "unknowns[1].evidence", "required field is missing"),
    # A ledger with a documented range cannot also say it has none.
    ("xiamen_bailu", "rules:\n", "no_bounds: {text: {en: None}, source: nesta_citizen_scoring, evidence: verified}\n"
     "rules:\n", "no_bounds", "no_bounds contradicts the documented range"),
]


@pytest.mark.parametrize(("rid", "old", "new", "path", "reason"), BROKEN)
def test_broken_scoring_regime_names_file_path_and_reason(tmp_path: Path, rid: str, old: str, new: str,
                                                          path: str, reason: str) -> None:
    text = (REGIMES / f"{rid}.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    broken = tmp_path / f"{rid}.yaml"
    broken.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(RegimeError) as caught:
        load_regime(broken)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{broken.as_posix()}: {path}: "), message
    assert reason in caught.value.reason, message


@pytest.mark.parametrize("rid", ["rongcheng", "weihai"])
def test_a_ledger_without_a_documented_range_must_say_so(tmp_path: Path, rid: str) -> None:
    # No floor is documented for either: the file says so rather than inventing one, and a file
    # that drops the statement no longer loads.
    regime = load_regime(rid)
    assert isinstance(regime, LedgerRegime) and regime.range is None and regime.no_bounds is not None
    assert "No floor or ceiling is documented" in regime.no_bounds.text.en
    assert "ledger's arithmetic" in regime.no_bounds.text.en
    text = (REGIMES / f"{rid}.yaml").read_text(encoding="utf-8")
    block = re.search(r"^no_bounds:\n(?:  .*\n)+", text, flags=re.MULTILINE)
    assert block is not None
    broken = tmp_path / f"{rid}.yaml"
    broken.write_text(text.replace(block.group(0), ""), encoding="utf-8")
    with pytest.raises(RegimeError) as caught:
        load_regime(broken)
    assert str(caught.value) == (f"{broken.as_posix()}: no_bounds: a ledger without a documented range "
                                 "must say so in no_bounds")


def test_a_claim_is_attributed_to_whoever_made_it_or_to_no_one_named() -> None:
    # Nesta answers "a low city score brings punishments" (incentives only); it never made the
    # claim, and the research names no one who did, so the claim says so.
    citations = load_citations()
    xiamen = load_regime("xiamen_bailu")
    assert isinstance(xiamen, LedgerRegime)
    claim = next(c for c in xiamen.claims if c.id == "bailu_punishes")
    assert claim.source != "nesta_citizen_scoring"
    assert citations[claim.source].no_named_source and citations[claim.source].scorewatch_note
    assert [r.source for r in claim.responses] == ["nesta_citizen_scoring"]
    # Nowhere is a claim put in the mouth of a source that, answering it, denies it.
    for rid in set(KINDS) - {"cn_court_dishonest_list"}:
        for c in getattr(load_regime(rid), "claims", ()):
            assert c.source not in {r.source for r in c.responses if r.stance == "denies"}, (rid, c.id)


def test_the_reported_connections_weight_is_graded_as_its_low_quality_source() -> None:
    # The 5% comes only from consumer pages (domain.md 1.2, [L]), never from China Daily.
    described = load_regime("sesame_2015_described")
    assert isinstance(described, DescribedRegime) and described.network is not None
    weight = [r for r in described.network.responses if "5%" in r.text.en]
    assert [(r.source, r.evidence) for r in weight] == [("zhima_weights_variant_a_nchuafeng", "low")]
    verified = [r for r in described.network.responses if r.evidence == "verified"]
    assert verified and not any("weight" in r.text.en for r in verified)

"""What the self-check shows for one person: each regime's result, why, and what would change it.

`scoring_card` runs `score` and `counterfactual` for one scoring regime and turns the result into
plain words, a waterfall figure and citations. Where a regime has several weight sets the card
leads with the range and the band range, names each weight set's score, and says which set the
rule-by-rule table and the waterfall add up for. `court_card` runs `listing_exit` for the court
list and adds the material for a letter. Everything here is computed in memory for one response
and kept nowhere.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from dashboards.views import model_charts
from dashboards.views.check_forms import PERFORMANCE, STANDINGS
from dashboards.views.model_data import citation
from watchdog.model.counterfactual import Change, Counterfactual, counterfactual, listing_exit
from watchdog.model.facts import ListingFacts
from watchdog.model.listing_exit import SHOULD_NOT_BE_LISTED
from watchdog.model.network import suggest_contacts
from watchdog.model.schema import ListRegime
from watchdog.model.score import BandInfo, GateOutcome, ScoreResult, score, span_text
from watchdog.model.scoring_schema import DescribedRegime, ScoringRegime, WeightedRegime
from watchdog.model.workdays import OFFICIAL_BASIS, holiday_data_years


def scoring_card(regime: ScoringRegime, person: dict[str, Any]) -> dict[str, Any]:
    result = score(regime, person)
    move = counterfactual(regime, person)
    rows = [_row(c) for c in result.contributions]
    steps = [{"label": r["label"], "value": r["number"], "hover": r["hover"]} for r in rows]
    perk_labels = {g.id: g.label.en for g in (*regime.perks, *regime.restrictions)}
    span = _range(regime, result)
    # The weight set the rows add up for, named wherever the rows or the waterfall are shown.
    shown_for = _reading_labels(regime).get(result.shown_for or "", result.shown_for)
    under = f" under {_lower_first(shown_for)}" if shown_for else ""
    return {
        "id": regime.id, "title": regime.title.en, "kind": regime.kind,
        "claims": isinstance(regime, DescribedRegime), "version": result.regime_version,
        "score": result.score, "band": _band(result.band),
        "direct": {"rule": result.direct_grade.rule, "band": result.direct_grade.band,
                   "source": citation(result.direct_grade.source),
                   "evidence": str(result.direct_grade.evidence)} if result.direct_grade else None,
        "range": span,
        "several": result.several_weight_sets, "shown_for": shown_for, "shown_for_id": result.shown_for,
        "weights_unknown": isinstance(regime, WeightedRegime) and regime.weights_unknown,
        # What leads the card: the range and the band range where weight sets disagree.
        "headline": {"score": span_text(result.range.low, result.range.high)
                     if result.several_weight_sets else str(result.score),
                     "bands": _band_span(span) if result.several_weight_sets else None},
        "rows": rows,
        "figure": model_charts.waterfall(f"How your score adds up{under}", steps,
                                         result.score, f"your score{under}"),
        "perks": [_gate(g) for g in result.perks],
        "restrictions": [_gate(g) for g in result.restrictions],
        "move": {"reachable": move.reachable, "reason": move.reason,
                 "every": _every(regime, result, move),
                 "target": _band(regime.band(move.target_band)) if move.target_band else None,
                 "changes": [_change(c) for c in move.changes],
                 "score_after": move.score_after,
                 "band_after": _band(regime.band(move.band_after)) if move.band_after else None,
                 "perks_gained": [perk_labels.get(p, p) for p in move.perks_gained],
                 # Granted after the changes under some weight sets (or recorded amounts) only.
                 "perks_depending": [perk_labels.get(p, p) for p in move.perks_depending],
                 "restrictions_lifted": [perk_labels.get(p, p) for p in move.restrictions_lifted]},
        "notes": result.notes,
        "simplification": " ".join((result.simplification or "").split()) or None,
        "network": _network(regime, person, result) if isinstance(regime, DescribedRegime) else None,
    }


def _band(band: BandInfo | Any | None) -> dict[str, Any] | None:
    if band is None:
        return None
    label = band.label if isinstance(band.label, str) else band.label.en
    same = band.id.replace("_", " ").lower() == label.lower()
    return {"id": band.id, "name": label if same else f"{band.id} ({label})",
            "source": citation(band.source), "evidence": str(band.evidence)}


def _reading_labels(regime: ScoringRegime) -> dict[str, str]:
    """What each entry of a result's `range.by_variant` is, in words."""
    labels: dict[str, str] = {"low": "every recorded amount at its most severe",
                              "high": "every recorded amount at its least severe",
                              "as_described": "as described"}
    if isinstance(regime, WeightedRegime):
        labels |= {v.id: v.label.en for v in regime.weight_variants}
        labels |= {f"only_{d.id}": f"all weight on {d.label.en.split(' (')[0].lower()}"
                   for d in regime.dimensions}
    return labels


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _range(regime: ScoringRegime, result: ScoreResult) -> dict[str, Any]:
    labels = _reading_labels(regime)
    names = {b.id: _band(b)["name"] for b in regime.bands}  # type: ignore[index]
    ends = (result.range.low_band, result.range.high_band)

    def name(band_id: str | None) -> str:
        return names.get(band_id, "no documented band") if band_id else "no documented band"

    return {"low": result.range.low, "high": result.range.high, "text": span_text(result.range.low, result.range.high),
            "low_band": result.range.low_band, "high_band": result.range.high_band,
            "band_names": [name(b) for b in ends],
            "variants": [{"id": k, "label": labels.get(k, k), "score": v, "band": name(result.range.bands.get(k))}
                         for k, v in result.range.by_variant.items()]}


def _band_span(span: dict[str, Any]) -> str:
    low, high = span["band_names"]
    return low if low == high else f"{low} to {high}"


def _every(regime: ScoringRegime, result: ScoreResult, move: Counterfactual) -> dict[str, Any] | None:
    """Where several weight sets (or recorded amounts) are possible, the target is reached under
    every one: say so, with the score under the harshest, not only the shown set's."""
    after = move.range_after
    if not move.reachable or after is None or (after.low == after.high and not result.several_weight_sets):
        return None
    if result.several_weight_sets:
        words = ("under any weighting" if isinstance(regime, WeightedRegime) and regime.weights_unknown
                 else "under every reported weight set")
        return {"words": words, "harshest": after.low, "what": "under the harshest"}
    return {"words": "whatever the recorded amounts", "harshest": after.low, "what": "with the most severe"}


def _row(c: Any) -> dict[str, Any]:
    cite = citation(c.source)
    detail = None
    if c.kind == "dimension" and c.count is not None:
        detail = f"standing {_standing(c.count)} × weight {c.per_unit}"
    elif c.at_least is not None and c.once is not None:
        # A threshold counts once: "11 hours a day; 10 hours a day or more: -30", never 11 × -30.
        reached = "" if c.count >= c.at_least else ", below the threshold"
        detail = (f"{_plain(c.count)} {c.unit}{reached}; {_plain(c.at_least)} {c.unit} or more: "
                  f"{_signed(c.once, False)}")
    elif c.kind in ("event", "signal") and c.count is not None and c.per_unit is not None:
        detail = f"{_plain(c.count)} × {_signed(c.per_unit, False)}"
    hover = f"{cite['title'][:70]} · {c.evidence}" if cite else (
        "arithmetic" if c.kind in ("rounding", "clamp") else "your answer")
    return {"label": c.label, "number": float(c.value), "value": _signed(c.value, c.kind == "start"),
            "detail": detail, "source": cite, "evidence": str(c.evidence) if c.evidence else None,
            "note": c.note, "kind": c.kind, "hover": hover}


def _signed(value: Decimal, start: bool) -> str:
    text = _plain(value)
    return text if start or value <= 0 else f"+{text}"   # 0 is "0", never "+0" or "-0"


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))


def _standing(value: Decimal) -> str:
    for word, number in STANDINGS.values():
        if number == value:
            return f"{word} ({value})"
    return f"{value} on the 0–1 scale"


def _gate(g: GateOutcome) -> dict[str, Any]:
    # depends_on ("the weight set", ...) marks an applies of None that the range decides, as
    # against one that is undocumented or waits on a fact not given.
    return {"label": g.label, "applies": g.applies, "reason": g.reason, "announced": g.announced,
            "source": citation(g.source), "evidence": str(g.evidence), "note": g.note,
            "depends_on": g.depends_on}


def _change(c: Change) -> dict[str, Any]:
    kind = c.input.split(".", 1)[0]
    if kind == "dimensions":
        text = f"from {_standing(c.before or Decimal(0))} to {_standing(c.after or Decimal(0))}"
    elif kind == "events":
        text = f"from {c.before} to {c.after} times"
    elif kind == "contacts":
        text = f"drop this contact (score {c.before})"
    else:
        text = f"from {c.before} to {c.after}"
    return {"label": c.label, "text": text, "how": c.how, "source": citation(c.source),
            "evidence": str(c.evidence) if c.evidence else None}


def _network(regime: DescribedRegime, person: dict[str, Any], result: ScoreResult) -> dict[str, Any]:
    contacts = [(str(c["id"]), Decimal(str(c["score"]))) for c in person.get("contacts", [])]
    # Each pull is what the score would lose (or gain) without that contact: the same effect the
    # way up counts on when it says which contacts to drop.
    pulls = [{"id": p.id, "label": f"Contact {p.id} (score {_plain(p.score)})",
              "pull": _signed(p.pull.quantize(Decimal("0.01")), False), "number": float(p.pull)}
             for p in result.pulls]
    effect = next((r.value for r in result.contributions if r.kind == "network"), None)
    own = sum((r.value for r in result.contributions if r.kind not in ("network", "rounding")), Decimal(0))
    alpha = regime.network.alpha.value if regime.network else Decimal(0)
    candidates = [(f"a new contact scoring {b.min} ({b.label.en.lower()})", Decimal(b.min))
                  for b in regime.bands if b.min is not None]
    suggestions = [{"label": s.id, "gain": f"+{s.gain.quantize(Decimal('0.1'))}"}
                   for s in suggest_contacts(own, contacts, candidates, alpha, limit=3)]
    return {"own": _signed(own, True), "alpha": str(alpha), "pulls": pulls, "suggestions": suggestions,
            "effect": _signed(effect, False) if effect is not None else None,
            "source": citation(regime.network.source) if regime.network else None,
            "evidence": str(regime.network.evidence) if regime.network else None}


# -- the court list ------------------------------------------------------------------------------
def court_card(regime: ListRegime, court: dict[str, Any], today: date) -> dict[str, Any]:
    """The court list's card from the self-check's answers."""
    chosen = regime.circumstance(court["circumstance"])
    facts = ListingFacts(party_type="person", circumstances=[chosen.phrases[0]],
                         publish_date=court["published"], performance=PERFORMANCE[court["performance"]][1],
                         performed_date=court["performed_on"], court=court["court"], age=court["age"])
    return {**listing_card(regime, facts, today, legal_rep=court["legal_rep"],
                           asserted=court.get("asserted", ())),
            "circumstance": chosen.label.en, "circumstance_zh": chosen.label.zh}


def listing_card(regime: ListRegime, facts: ListingFacts, today: date, *, legal_rep: bool = False,
                 asserted: Any = ()) -> dict[str, Any]:
    """How one listing ends and the grounds to contest it, from its facts (typed into the
    self-check, or as the list published them): the card `check_court.html` shows."""
    found = listing_exit(regime, facts, today, is_legal_rep_of_listed_company=legal_rep,
                         asserted_exclusions=asserted)
    v = found.verdict
    zh = {t.id: t.text.zh for t in regime.removal.triggers}
    zh |= {f"excluded:{e.id}": e.label.zh for e in regime.exclusions}
    ground = next((g for g in regime.correction.grounds if g.id == SHOULD_NOT_BE_LISTED), None) \
        if regime.correction is not None else None
    if ground is not None:
        zh["performed_before_listing"] = ground.zh
    if regime.term.early_removal is not None:
        zh["early_removal"] = regime.term.early_removal.zh
    routes = [{"id": r.id, "kind": r.kind, "text": r.text, "zh": zh.get(r.id), "applies": r.applies,
               "deadline": r.deadline, "deadline_basis": r.deadline_basis, "note": r.note,
               "source": citation(r.source),
               "evidence": str(r.evidence), "basis": _basis(regime, r.id, r.source, facts.publish_date)}
              for r in found.routes]
    items = {i.id: (g.title.en, i.label.en) for g in regime.sanctions for i in g.items}
    sanctions: dict[str, list[str]] = {}
    for sid in v.sanctions:
        group, label = items[sid]
        sanctions.setdefault(group, []).append(label)
    return {
        "circumstance": "; ".join(facts.circumstances) or "none given", "circumstance_zh": None,
        "grounds": [{"label": regime.circumstance(g).label.en, "article": v.ground_articles[g]} for g in v.grounds],
        "published": facts.publish_date, "court": facts.court, "case_code": facts.case_code,
        "as_of": today,
        "term_end": v.term_end, "term_end_max": v.term_end_max, "past_term": v.past_term,
        "term_removal_deadline": v.term_removal_deadline, "removal_deadline": v.removal_deadline,
        "removal_deadline_basis": v.removal_deadline_basis,
        "overdue": v.overdue_removal, "working_days": regime.removal.working_days,
        "calendar_years": holiday_data_years(), "official_basis": OFFICIAL_BASIS,
        "no_term": regime.term.no_fixed_term_means.en if v.term_end is None and regime.term.no_fixed_term_means
        else None,
        "exclusions": v.exclusions, "sanctions": sanctions, "routes": routes, "notes": v.notes,
        # "Should not have been listed" goes first: it asks for more than a late deletion.
        "letter": {"firm": sorted((r for r in routes if r["applies"] is True),
                                  key=lambda r: r["id"] != "performed_before_listing"),
                   "possible": [r for r in routes if r["applies"] is None]},
        "version": v.regime_version,
        "correction": _correction(regime),
    }


def _correction(regime: ListRegime) -> dict[str, Any] | None:
    """How to ask the court to correct a listing (Arts. 11-12), for the page and the letter."""
    rule = regime.correction
    if rule is None:
        return None
    short = regime.instrument(rule.instrument).short
    return {"article": f"{short} Art. {rule.article}", "grounds_article": f"{short} Art. {rule.grounds_article}",
            "grounds": [g.en for g in rule.grounds], "review_days": rule.review_days,
            "correct_working_days": rule.correct_working_days,
            "reconsideration_days": rule.reconsideration_days,
            "reconsideration_decision_days": rule.reconsideration_decision_days,
            "stays": rule.listing_stays_during_reconsideration, "source": citation(rule.source),
            "evidence": str(rule.evidence)}


def _basis(regime: ListRegime, route_id: str, source: str, published: date | None = None) -> str | None:
    """The article a route rests on, where the regime records one; else its source's title."""
    if route_id == "performed_before_listing" and regime.correction is not None:
        # Art. 1 (only debtors who have not performed are listed) read with Art. 11's ground.
        short = regime.instrument(regime.correction.instrument).short
        preamble = next((p for p in regime.preambles if published and p.in_force(published)), None)
        if preamble is not None and preamble.instrument == regime.correction.instrument:
            return f"{short} Art. {preamble.article} and Art. {regime.correction.grounds_article}"
        first = f"{regime.instrument(preamble.instrument).short} Art. {preamble.article}; " if preamble else ""
        return f"{first}{short} Art. {regime.correction.grounds_article}"
    if route_id.startswith("excluded:"):
        exclusion = next((e for e in regime.exclusions if e.id == route_id.split(":", 1)[1]), None)
        if exclusion is not None and exclusion.instrument and exclusion.article:
            item = f"({exclusion.item})" if exclusion.item else ""
            return f"{regime.instrument(exclusion.instrument).short} Art. {exclusion.article}{item}"
    rule = None
    if route_id in {t.id for t in regime.removal.triggers} or route_id == "removal_overdue":
        rule = regime.removal
    elif route_id in ("early_removal", "past_longest_term"):
        rule = regime.term
    if rule is not None:
        return f"{regime.instrument(rule.instrument).short} Art. {rule.article}"
    return (citation(source) or {}).get("title")


def summary(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per regime for the side-by-side table at the top of the results."""
    out = []
    for card in cards:
        move = card["move"]
        if move["reachable"] and move["target"]:
            n = len(move["changes"])
            step = f"{n} change{' reaches' if n == 1 else 's reach'} {move['target']['name']}"
        else:
            step = move["reason"]
        band = card["band"]["name"] if card["band"] else "no documented band"
        ends = card["range"]["band_names"]
        if ends[0] != ends[1]:  # the weight sets disagree: the band is a range too
            band = f"{ends[0]} to {ends[1]}"
        # Where weight sets disagree the range is the score: no one set's figure leads.
        out.append({"id": card["id"], "title": card["title"], "score": card["headline"]["score"],
                    "band": band,
                    "range": card["range"]["text"],
                    "perks": sum(1 for g in card["perks"] if g["applies"]),
                    "restrictions": sum(1 for g in card["restrictions"] if g["applies"]),
                    "next": step, "claims": card["claims"]})
    return out

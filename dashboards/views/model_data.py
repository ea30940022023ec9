"""The reference model as the pages see it: every regime file loaded once, its sourced items
listed with their citations and evidence grades, and the claimed-versus-documented rows.

Nothing here reads the store: the regimes and citations are files under `data/`, and the
self-check relies on that. A regime file that fails to load is reported by its one-line error
instead of taking the pages down.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from watchdog.model.loader import DATA_DIR, RegimeError, load_citations, load_regime
from watchdog.model.schema import Citation, ListRegime, Sourced, sourced_items
from watchdog.model.scoring_schema import (
    Band,
    DescribedRegime,
    DescribedSignal,
    Gate,
    LedgerRegime,
    LedgerRule,
    Regime,
    ScoreRange,
    ScoringRegime,
    Unknown,
    WeightedRegime,
    WeightVariant,
)

GRADES = ("verified", "secondary", "memory", "disputed", "low")
KIND_WORDS = {
    "weighted_score": "weighted score",
    "points_ledger": "points ledger",
    "as_described": "as described by the press (claims)",
    "list": "list",
}
CLAIMED, DOCUMENTED = "sesame_2015_described", "zhima"


@dataclass(frozen=True)
class Catalogue:
    regimes: dict[str, Regime]
    citations: dict[str, Citation]
    errors: list[str]   # one line per regime file that could not be loaded

    def scoring(self) -> dict[str, ScoringRegime]:
        return {k: r for k, r in self.regimes.items() if not isinstance(r, ListRegime)}


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """Every regime in `data/regimes/`, loaded once per process (the files are data, not state)."""
    citations = load_citations()
    regimes: dict[str, Regime] = {}
    errors: list[str] = []
    for path in sorted((DATA_DIR / "regimes").glob("*.yaml")):
        try:
            regime = load_regime(path, citations=citations)
        except RegimeError as exc:
            errors.append(str(exc))
            continue
        regimes[regime.id] = regime
    return Catalogue(regimes, citations, errors)


def citation(cid: str | None) -> dict[str, Any] | None:
    """A citation id resolved to what a reader needs: title, link (http only), publisher, date."""
    if not cid:
        return None
    found = catalogue().citations.get(cid)
    if found is None:
        return {"id": cid, "title": cid, "url": None, "publisher": None, "date": None,
                "where": None}
    url = found.url if found.url and found.url.startswith(("https://", "http://")) else None
    return {"id": cid, "title": found.title, "url": url, "publisher": found.publisher,
            "date": found.date, "where": _where(found)}


SEEDS = "seeds/"   # seed files: copies of outside sources, kept in the shared seeds directory
OWN_CHOICE = "Scorewatch's own modelling choice"
NO_NAMED_SOURCE = "Scorewatch's note: no source named"


def _where(found: Citation) -> str | None:
    """Where to read a citation that has no link: a seed file, public code, or Scorewatch itself.

    The `seed` field also holds paths of Scorewatch's own (a regimes folder, a module), so only a
    path under `seeds/` is called a seed file.
    """
    if found.no_named_source and _own_choice(found):
        return NO_NAMED_SOURCE   # not a modelling choice: a statement that nobody can be named
    if _own_choice(found):
        return OWN_CHOICE
    if found.seed and found.seed.startswith(SEEDS):
        return f"seed file {found.seed}"
    if found.seed:
        return f"Scorewatch's own files, {found.seed}"
    if found.code_index_files:
        return "public code, index file " + ", ".join(str(i) for i in found.code_index_files)
    return None


def _own_choice(found: Citation) -> bool:
    """A number Scorewatch chose: a Scorewatch note (by that flag, where the schema has it, or by
    publisher) that points at nothing outside Scorewatch, at most at the regime files where the
    numbers are written. So it holds with or without a `seed` entry."""
    ours = getattr(found, "scorewatch_note", False) or found.publisher == "Scorewatch"
    if not ours or found.url or found.code_index_files:
        return False
    return not found.seed or (DATA_DIR.parent / found.seed).resolve() == (DATA_DIR / "regimes").resolve()


def evidence_mix(regime: Regime) -> dict[str, int]:
    counts = Counter(str(item.evidence) for _, item in sourced_items(regime))
    return {grade: counts[grade] for grade in GRADES if counts[grade]}


def cited_ids(regime: Regime) -> list[str]:
    """Every citation a regime's page shows: its rules', and its unknowns' (which are not rules,
    so `sourced_items` leaves them out, but cite the source of each gap all the same)."""
    seen: dict[str, None] = {}
    for _, item in (*sourced_items(regime), *_unknowns(regime)):
        for cid in (item.source, *item.see_also):
            seen.setdefault(cid, None)
    return list(seen)


def _unknowns(regime: Regime) -> list[tuple[str, Unknown]]:
    return [(f"unknowns[{i}]", u) for i, u in enumerate(getattr(regime, "unknowns", ()))]


def range_text(regime: Regime) -> str:
    if isinstance(regime, ListRegime):
        return "listed or not"
    if regime.range is not None:
        return f"{regime.range.min}–{regime.range.max}"
    if isinstance(regime, LedgerRegime) and regime.start is not None:
        return f"starts at {regime.start.points}, no documented bounds"
    return "not documented"


def summary_row(regime: Regime) -> dict[str, Any]:
    """One line of the `/model` table."""
    scoring = not isinstance(regime, ListRegime)
    return {
        "regime_id": regime.id, "title": regime.title.en, "kind": regime.kind,
        "kind_words": KIND_WORDS[regime.kind], "jurisdiction": regime.jurisdiction,
        "operator": getattr(regime, "operator", None), "version": regime.version,
        "range": range_text(regime),
        "bands": [b.id for b in regime.bands] if scoring else [],
        "evidence_mix": evidence_mix(regime),
        "unknowns": len(regime.unknowns) if scoring else 0,
        "simplification": _words(getattr(regime, "simplification", None)),
    }


def _words(text: str | None) -> str | None:
    return " ".join((text or "").split()) or None


# -- the rows of one regime, flattened for the CSV twin ---------------------------------------
def _label(item: Sourced) -> str | None:
    for name in ("label", "title", "text"):
        value = getattr(item, name, None)
        if isinstance(value, BaseModel) and hasattr(value, "en"):
            return str(value.en)
    return getattr(item, "text_en", None) or None


def _value(item: Sourced) -> str | None:
    if isinstance(item, Band):
        return band_span(item)
    if isinstance(item, Gate):
        return gate_condition(item)
    if isinstance(item, LedgerRule):
        return rule_points(item)
    if isinstance(item, WeightVariant):
        return ", ".join(f"{k} {v}" for k, v in item.weights.items())
    if isinstance(item, DescribedSignal):
        return signal_effect(item)
    if isinstance(item, ScoreRange):
        return f"{item.min}–{item.max}"
    for name in ("points", "value", "min", "working_days", "years"):
        value = getattr(item, name, None)
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return str(value)
    return None


def regime_rows(regime: Regime) -> list[dict[str, Any]]:
    rows = []
    for path, item in sourced_items(regime):
        cite = citation(item.source) or {}
        rows.append({
            "section": path.split(".")[0].split("[")[0] or "regime", "path": path or "(regime)",
            "id": getattr(item, "id", None) if isinstance(getattr(item, "id", None), str) else None,
            "label": _label(item), "value": _value(item), "source": item.source,
            "evidence": str(item.evidence), "citation_title": cite.get("title"),
            "citation_url": cite.get("url"), "citation_date": cite.get("date"),
            "see_also": list(item.see_also), "note": _words(item.note)})
    for path, unknown in _unknowns(regime):
        cite = citation(unknown.source) or {}
        rows.append({
            "section": "unknowns", "path": path, "id": None, "label": unknown.topic, "value": None,
            "source": unknown.source, "evidence": str(unknown.evidence),
            "citation_title": cite.get("title"), "citation_url": cite.get("url"),
            "citation_date": cite.get("date"), "see_also": list(unknown.see_also),
            "note": _words(unknown.text)})
    return rows


def band_span(band: Band) -> str:
    if band.min is None:
        return f"{band.max} or less"
    if band.max is None:
        return f"{band.min} or more"
    return f"{band.min}–{band.max}"


def gate_condition(gate: Gate) -> str:
    parts = []
    if gate.min_score is not None:
        parts.append(f"{gate.min_score} or more")
    if gate.max_score is not None:
        parts.append(f"{gate.max_score} or less")
    if gate.bands:
        parts.append("grades " + ", ".join(gate.bands))
    if gate.requires:
        parts.append("and " + ", ".join(gate.requires))
    return "; ".join(parts) if gate.documented else "threshold not documented"


def signal_effect(signal: DescribedSignal) -> str:
    """What a described signal does to the score in the model, in the words every page uses.

    A signal with `at_least` counts once, when the value reaches it (as `score` and the simulator
    apply it), not once per unit: -30 at 10 hours of gaming a day, whether 10 or 16.
    """
    points = f"{signal.points.per_unit:+} points"
    if signal.at_least is not None:
        return f"{points} once, at {signal.at_least} {signal.unit} or more"
    return f"{points} each ({signal.unit})"


def rule_points(rule: LedgerRule) -> str:
    parts = []
    if rule.points is not None:
        parts.append(f"{rule.points:+} {rule.unit}")
    if rule.points_range is not None:
        parts.append(f"(from {rule.points_range[0]} to {rule.points_range[1]})")
    if rule.direct_grade is not None:
        parts.append(f"straight to grade {rule.direct_grade}")
    return " ".join(parts)


# -- claimed versus documented -----------------------------------------------------------------
def _responses(item: Any) -> list[dict[str, Any]]:
    return [{"stance": r.stance, "text": r.text.en, "source": r.source,
             "evidence": str(r.evidence), "see_also": list(r.see_also)}
            for r in getattr(item, "responses", ())]


def claims_matrix() -> list[dict[str, Any]]:
    """What the 2015 press said about Sesame Credit against what the company and documents say."""
    regimes = catalogue().regimes
    claimed, documented = regimes.get(CLAIMED), regimes.get(DOCUMENTED)
    rows: list[dict[str, Any]] = []
    if isinstance(claimed, DescribedRegime):
        for s in claimed.signals:
            rows.append({"topic": s.label.en, "claim": s.claim.en, "said_in": CLAIMED, "source": s.source,
                         "evidence": str(s.evidence), "see_also": list(s.see_also),
                         "responses": _responses(s),
                         "modelled_as": f"{signal_effect(s)} (our choice, graded {s.points.evidence})"})
        if claimed.network is not None:
            n = claimed.network
            rows.append({"topic": "Contacts' scores", "claim": n.claim.en, "said_in": CLAIMED,
                         "source": n.source, "evidence": str(n.evidence), "see_also": list(n.see_also),
                         "responses": _responses(n),
                         "modelled_as": f"weight {n.alpha.value} on contacts' mean (our choice, "
                                        f"graded {n.alpha.evidence})"})
    for regime_id, regime in ((CLAIMED, claimed), (DOCUMENTED, documented)):
        if regime is None or isinstance(regime, ListRegime):
            continue
        for c in regime.claims:
            rows.append({"topic": c.id.replace("_", " "), "claim": c.text.en, "said_in": regime_id,
                         "source": c.source, "evidence": str(c.evidence), "see_also": list(c.see_also),
                         "responses": _responses(c), "modelled_as": "not an input of the model"})
    return rows


def tiers_comparison() -> dict[str, list[dict[str, Any]]]:
    """The tiers the press said gate things, beside the thresholds that are documented."""
    regimes = catalogue().regimes
    out: dict[str, list[dict[str, Any]]] = {"claimed": [], "documented": []}
    for key, rid in (("claimed", CLAIMED), ("documented", DOCUMENTED)):
        regime = regimes.get(rid)
        if regime is None or isinstance(regime, ListRegime):
            continue
        for kind, gates in (("perk", regime.perks), ("restriction", regime.restrictions)):
            out[key] += [{"kind": kind, "label": g.label.en, "condition": gate_condition(g),
                          "announced": g.announced, "source": g.source, "evidence": str(g.evidence),
                          "note": g.note} for g in gates]
    return out


def dimensions_of(regime: WeightedRegime) -> list[str]:
    return [d.id for d in regime.dimensions]

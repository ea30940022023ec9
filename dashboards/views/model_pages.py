"""The model explorer: every regime on one page, and each regime's rules with their sources.

`/model` lists every regime (kind, range, evidence mix) and sets what the 2015 press said about
Sesame Credit against what the company and the documents say. `/model/<regime>` shows one
regime's rules, weights and variants, bands, thresholds, citations, evidence grades, versions,
where it simplifies and what is unknown. Both have `.json` and `.csv` twins; the JSON of a
regime carries the whole regime document as loaded and validated.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort

from dashboards.views import model_data
from dashboards.views._common import allow_params
from dashboards.views._twins import Table, twin_routes
from dashboards.views.findings import EVIDENCE_GRADES

bp = Blueprint("model_pages", __name__)

SUMMARY_COLUMNS = ["regime_id", "title", "kind", "jurisdiction", "operator", "version", "range",
                   "bands", "evidence_mix", "unknowns", "simplification"]
ROW_COLUMNS = ["section", "path", "id", "label", "value", "source", "evidence",
               "citation_title", "citation_url", "citation_date", "see_also", "note"]


def regimes() -> Table:
    allow_params()
    cat = model_data.catalogue()
    rows = [model_data.summary_row(r) for r in cat.regimes.values()]
    matrix = model_data.claims_matrix()
    tiers = model_data.tiers_comparison()
    used = {cid for row in matrix for cid in
            (row["source"], *row["see_also"], *(r["source"] for r in row["responses"]))}
    used |= {g["source"] for side in tiers.values() for g in side}
    return Table(
        name="model", template="model.html", columns=SUMMARY_COLUMNS, rows=rows,
        meta={"claimed_regime": model_data.CLAIMED, "documented_regime": model_data.DOCUMENTED,
              "claims_matrix": matrix, "tiers": tiers, "load_errors": cat.errors,
              "evidence_grades": EVIDENCE_GRADES},
        context={"citations": {cid: model_data.citation(cid) for cid in sorted(used)},
                 "grades": model_data.GRADES})


def regime(regime_id: str) -> Table:
    allow_params()
    found = model_data.catalogue().regimes.get(regime_id)
    if found is None:
        known = ", ".join(model_data.catalogue().regimes)
        abort(404, f"no regime with id {regime_id[:60]!r}; known regimes: {known}")
    cited = model_data.cited_ids(found)
    citations = {cid: model_data.citation(cid) for cid in cited}
    return Table(
        name=f"model-{found.id}", template="model_regime.html", columns=ROW_COLUMNS,
        rows=model_data.regime_rows(found),
        meta={"regime_id": found.id, "version": found.version, "kind": found.kind,
              "evidence_mix": model_data.evidence_mix(found), "evidence_grades": EVIDENCE_GRADES,
              "citations": citations, "regime": found.model_dump(mode="json")},
        context={"r": found, "kind_words": model_data.KIND_WORDS[found.kind],
                 "helpers": _helpers()})


def _helpers() -> dict[str, Any]:
    return {"band_span": model_data.band_span, "gate_condition": model_data.gate_condition,
            "rule_points": model_data.rule_points}


twin_routes(bp, "/model", regimes)
twin_routes(bp, "/model/<regime_id>", regime)

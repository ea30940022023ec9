"""Findings of the current audit run, each with its rule, citation, evidence grade and the
archived artifact it rests on; rates per check and per province carry Wilson intervals.

A finding about a person names no place and no listing (see `watchdog.audit.public_findings`).
A company's finding links to its own record in the archived response (`evidence_url`, see
`evidence`); a person's has none, only the artifact's hashes.
Under a place filter only findings about companies are listed and counted; the persons' are
given as one suppressed number, `person_findings`, with the reason beside it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import Blueprint, current_app

from dashboards import charts
from dashboards.views._cache import cached
from dashboards.views._common import (
    allow_params,
    engine,
    k_threshold,
    page_info,
    paging,
    rate_text,
    values,
)
from dashboards.views._twins import Table, twin_routes
from dashboards.views.evidence import evidence_url
from watchdog.audit.public_findings import public_finding
from watchdog.store import queries
from watchdog.store import queries_findings as pf
from watchdog.store.queries_lists import list_counts

bp = Blueprint("findings", __name__)

COLUMNS = ["finding_id", "check_id", "severity", "rule", "citation", "evidence", "summary",
           "province", "court", "party_type", "company_name", "case_code", "observation_id",
           "artifact_sha256", "regime_id", "regime_version"]
# The twins' columns: the export's findings table has COLUMNS (tests compare the two), and a
# link into this site is the site's own addition.
TWIN_COLUMNS = [*COLUMNS, "evidence_url"]
EVIDENCE_GRADES = {
    "verified": "read in the primary source",
    "secondary": "from a reliable secondary source",
    "memory": "from memory of the source; not yet re-read",
    "disputed": "sources disagree",
    "low": "weakly supported",
}


def findings() -> Table:
    allow_params("check", "severity", "province", "page", "per_page")
    eng = engine()
    checks = values("check", cached(queries.vocabulary, eng, "check"))
    severities = values("severity", cached(queries.vocabulary, eng, "severity"))
    provinces = values("province", cached(queries.vocabulary, eng, "finding_province"))
    page, per_page = paging()
    run = queries.current_audit_run(eng)
    rows: list[dict[str, Any]] = []
    total = 0
    by_check: list[dict[str, Any]] = []
    person_findings: dict[str, Any] | None = None
    rates: list[dict[str, Any]] = []
    if run is not None:
        found, total = pf.findings(eng, run["id"], checks=checks, severities=severities,
                                   provinces=provinces, page=page, size=per_page)
        rows = [_with_evidence(public_finding(row)) for row in found]
        k = k_threshold()
        grid = cached(pf.person_grid, eng, run["id"], k)
        if provinces:
            person_findings = {"count": grid.count(checks, severities, provinces),
                               "why": pf.PLACE_FILTER_NOTE.format(k=k)}
        rates = _rates_by_province(checks, grid, run["id"])
        # A rate only over the court-list listings the audit checked; a check of another
        # source (a penalty's publicity period, a perk threshold) is counted, not rated.
        by_check = [{**row, "rate": rate_text(min(row["listings"], run["checked"]),
                                              run["checked"])
                     if run["checked"] and row["court_list"] else None}
                    for row in cached(queries.findings_by_check, eng, run["id"])]
    return Table(
        name="findings", template="findings.html", columns=TWIN_COLUMNS, rows=rows,
        meta={"audit_run": _run_meta(run),
              "filters": {"check": list(checks), "severity": list(severities),
                          "province": list(provinces)},
              "findings": page_info(page, per_page, total), "by_check": by_check,
              "person_findings": person_findings,
              "rates_by_province": rates},
        context={"citations": citations(), "evidence_grades": EVIDENCE_GRADES,
                 "figures": {"chart-checks": charts.findings_by_check(by_check)}
                 if by_check else {}})


def _with_evidence(row: dict[str, Any]) -> dict[str, Any]:
    row["evidence_url"] = evidence_url(row)
    row.pop("record_source", None)
    return row


def _run_meta(run: dict[str, Any] | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {key: run[key] for key in ("id", "as_of", "finished_at", "checked", "findings",
                                      "flagged", "flagged_all")}


def _rates_by_province(checks: tuple[str, ...], grid: pf.PersonGrid,
                      run_id: int) -> list[dict[str, Any]]:
    """Share of listings with a finding per province (one check if exactly one is chosen),
    held back where the persons' count under it is (`queries_findings.rates_held_back`)."""
    from watchdog.audit.stats import rates_by

    check = checks[0] if len(checks) == 1 else None
    rows = cached(rates_by, current_app.config["DATABASE_URL"], "province", check,
                  k_threshold())
    persons = cached(pf.rate_persons, engine(), run_id, check)
    out = pf.rates_held_back([row.as_dict() for row in rows], grid, persons, check)
    # The persons per province as /lists?status=listed and the overview show them.
    current = cached(list_counts, engine(), queries.ListFilter(status=("listed",)),
                     k_threshold())
    out = pf.rates_beside_counts(out, current["facets"]["province"])
    for item in out:
        if not item["suppressed"] and item["n"]:
            item["text"] = rate_text(item["findings"] or 0, item["n"])
    return out


@lru_cache(maxsize=1)
def citations() -> dict[str, dict[str, str | None]]:
    """Citation id -> title and link, from data/citations.yaml; empty if it cannot be read."""
    try:
        from watchdog.model.loader import load_citations

        loaded = load_citations()
    except Exception as exc:  # a broken citations file must not take the findings page down
        current_app.logger.warning("citations unavailable: %s", exc)
        return {}
    return {key: {"title": c.title, "publisher": c.publisher,
                  "url": c.url if c.url and c.url.startswith(("https://", "http://")) else None}
            for key, c in loaded.items()}


twin_routes(bp, "/findings", findings)

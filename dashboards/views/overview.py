"""The overview: headline numbers, four charts, and the current audit in one sentence.

The headline counts listings still on the list, and so do the listing charts beside it: a
chart that also counted removed listings put 20,087 persons by province next to a headline of
19,541 currently listed, and more "no lawful circumstance" listings than the audit, which
checks current listings, had findings. Removed listings are a headline number of their own;
by month, province or circumstance they are one click away on /lists (`?status=removed`),
whose chart and twins count them, rather than a second series drawn beside current ones.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from dashboards import charts
from dashboards.views._cache import cached
from dashboards.views._common import allow_params, engine, k_threshold, rate_text
from dashboards.views._twins import Table, twin_routes
from watchdog.store import queries
from watchdog.store.queries_lists import headline, list_counts

bp = Blueprint("overview", __name__)

# What each listing chart counts, in its title (on /lists the filters decide; here, always the
# listings still on the list).
CURRENT = queries.ListFilter(status=("listed",))
CURRENT_WHAT = "Current listings"
CHART_TITLES = {f"chart-{by}": charts.listing_title(by, CURRENT_WHAT)
                for by in ("month", "province", "circumstance")}


def headline_rows(head: dict[str, Any], run: dict[str, Any] | None) -> list[dict[str, Any]]:
    rows = [
        ("persons_listed", "Listings of persons, currently listed", head["persons_listed"]),
        ("persons_removed", "Listings of persons, removed since first seen",
         head["persons_removed"]),
        ("companies_listed", "Listings of companies, currently listed", head["companies_listed"]),
        ("companies_removed", "Listings of companies, removed since first seen",
         head["companies_removed"]),
        ("provinces", "Provinces with current listings", head["provinces"]),
        ("courts", "Enforcing courts with current listings", head["courts"]),
        ("first_month", "Earliest month of publication of a current listing",
         head["first_month"]),
        ("last_month", "Latest month of publication of a current listing", head["last_month"]),
    ]
    if run is not None:
        rows += [("audit_checked", "Court-list listings checked by the current audit",
                  run["checked"]),
                 ("audit_flagged", "Court-list listings with at least one finding", run["flagged"]),
                 ("audit_flagged_all", "Records of any source with at least one finding",
                  run["flagged_all"]),
                 ("audit_findings", "Findings in the current audit (every source)",
                  run["findings"])]
    return [{"measure": m, "description": d, "value": v} for m, d, v in rows]


def overview() -> Table:
    allow_params()
    eng, k = engine(), k_threshold()
    # The persons as /lists.json shows them: the same cached counts, held back alike.
    head = headline(cached(queries.headline_facts, eng),
                    cached(list_counts, eng, queries.ListFilter(), k))
    run = queries.current_audit_run(eng)
    by_check = cached(queries.findings_by_check, eng, run["id"]) if run else []
    # Current listings, as the headline counts them and as the audit checked them; as
    # /lists?status=listed shows them, so neither page tells what the other holds back.
    current = cached(list_counts, eng, CURRENT, k)
    series = {"by_month": current["by_month"], "by_province": current["facets"]["province"],
              "by_circumstance": current["facets"]["circumstance"]}
    figures = {
        "chart-month": charts.listings_by_month(series["by_month"], CURRENT_WHAT),
        "chart-province": charts.listings_by_province(series["by_province"], CURRENT_WHAT),
        "chart-circumstance": charts.listings_by_circumstance(series["by_circumstance"],
                                                              CURRENT_WHAT),
    }
    if by_check:
        figures["chart-checks"] = charts.findings_by_check(by_check)
    audit_sentence = None
    if run and run["checked"]:
        audit_sentence = rate_text(min(run["flagged"], run["checked"]), run["checked"])
    return Table(
        name="overview", template="overview.html",
        columns=["measure", "description", "value"], rows=headline_rows(head, run),
        # The series the charts draw and the findings per check: the JSON twin carries every
        # figure the page shows (person counts suppressed as on the page).
        meta={"headline": head, "audit_run": _run_meta(run), "series": series,
              "series_filter": CURRENT.as_query(), "by_check": by_check},
        context={"figures": figures, "audit_sentence": audit_sentence,
                 "chart_titles": CHART_TITLES})


def _run_meta(run: dict[str, Any] | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {key: run[key] for key in ("id", "as_of", "started_at", "finished_at", "checked",
                                      "findings", "flagged", "flagged_all")}


twin_routes(bp, "/", overview, stem="/index")

"""The court list, faceted. Persons appear only as counts; companies may be named.

`/lists` narrows the list by the facets in the query string (values of one facet are OR-ed,
different facets AND-ed) and pages through the companies; `/lists/persons` counts persons by
province against one other facet, with small cells suppressed.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from dashboards import charts
from dashboards.views._cache import cached
from dashboards.views._common import (
    allow_params,
    engine,
    k_threshold,
    list_filter,
    one_value,
    page_info,
    paging,
)
from dashboards.views._twins import Table, twin_routes
from watchdog.store import queries
from watchdog.store.queries_lists import FACETS, list_counts, marginals, person_table

bp = Blueprint("lists", __name__)

FACET_TITLES = {"province": "Province", "circumstance": "Circumstance (2017 Art. 1)",
                "performance": "Performance", "party_type": "Party", "status": "Status"}
COMPANY_COLUMNS = ["observation_id", "company_name", "credit_code", "case_code", "province",
                   "court", "circumstances", "performance", "publish_date", "status",
                   "first_seen", "last_seen", "artifact_sha256"]


def listings() -> Table:
    allow_params(*FACETS, "page", "per_page")
    eng, k = engine(), k_threshold()
    filt = list_filter()
    page, per_page = paging()
    rows, total = queries.company_listings(eng, filt, page, per_page)
    # The total, the facets and the months are suppressed as one: their rows add up.
    counts = cached(list_counts, eng, filt, k)
    by_month = counts["by_month"]
    return Table(
        name="lists", template="lists.html", columns=COMPANY_COLUMNS, rows=rows,
        meta={"source_id": queries.LIST_SOURCE, "filters": filt.as_query(),
              "totals": counts["totals"], "facets": counts["facets"],
              "companies": page_info(page, per_page, total),
              # What the month chart draws, so the JSON carries every figure the page shows.
              "series": {"by_month": by_month}},
        context={"facet_titles": FACET_TITLES, "circumstance_labels": queries.CIRCUMSTANCES,
                 "figures": {"chart-month": charts.listings_by_month(by_month)}})


def persons() -> Table:
    allow_params("by", *FACETS)
    eng, k = engine(), k_threshold()
    by = one_value("by", queries.PERSON_BREAKDOWNS, "circumstance")
    filt = list_filter()
    # Its totals are /lists' counts under the same filter, held back as /lists holds them.
    fixed = marginals(cached(list_counts, eng, filt, k), by, filt)
    table = cached(person_table, eng, by, filt, k, fixed)
    keys = [_key(col["value"]) for col in table["columns"]]
    rows: list[dict[str, Any]] = [
        {"province": row["province"], **dict(zip(keys, row["cells"], strict=True)),
         "total": row["total"]} for row in table["rows"]]
    return Table(
        name=f"persons-by-province-and-{by}", template="persons.html",
        columns=["province", *keys, "total"], rows=rows,
        meta={"source_id": queries.LIST_SOURCE, "by": by, "filters": filt.as_query(),
              "suppression_k": k,
              # Too few persons to break down by province without giving a count away.
              "provinces_held_back": bool(table.get("provinces_held_back")),
              "column_labels": {key: col["label"]
                                for key, col in zip(keys, table["columns"], strict=True)}},
        context={"breakdowns": queries.PERSON_BREAKDOWNS})


def _key(value: str | None) -> str:
    return "not_recorded" if value is None else str(value)


twin_routes(bp, "/lists", listings)
twin_routes(bp, "/lists/persons", persons)

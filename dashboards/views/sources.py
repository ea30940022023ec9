"""Every source with its crawls: how each ended, what it counted, and why it was not complete.

A blocked or partial crawl is shown as prominently as a complete one: it is why the data may be
older than the schedule suggests, and it never marked anything as removed.
"""

from __future__ import annotations

from flask import Blueprint

from dashboards.views._common import (
    allow_params,
    engine,
    page_info,
    paging,
    site_state,
    values,
)
from dashboards.views._twins import Table, twin_routes
from watchdog.store import queries

bp = Blueprint("sources", __name__)

COLUMNS = ["crawl_id", "source_id", "mode", "status", "reason", "origin", "started_at",
           "finished_at", "read", "added", "changed", "unchanged", "rejected", "removed",
           "requests", "unknown_fields", "errors", "list_published"]


def sources() -> Table:
    allow_params("source", "page", "per_page")
    known = site_state()["sources"]
    chosen = values("source", [s["source_id"] for s in known])
    page, per_page = paging()
    rows, total = queries.crawls(engine(), page, per_page, chosen)
    if chosen:
        known = [s for s in known if s["source_id"] in chosen]
    return Table(name="crawls", template="sources.html", columns=COLUMNS, rows=rows,
                 meta={"sources": known, "filters": {"source": list(chosen)},
                       "crawls": page_info(page, per_page, total)},
                 context={"crawls_by_source": {s["source_id"]: [r for r in rows
                                                                if r["source_id"] == s["source_id"]]
                                               for s in known}})


twin_routes(bp, "/sources", sources)

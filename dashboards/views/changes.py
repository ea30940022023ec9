"""What changed between crawls, per source: additions, changes, removals and relistings.

Removals come only from complete crawls (a blocked or partial crawl never removes anything),
so every "removed" here was absent from a crawl that read the whole list. Only a crawl that
ends complete changes a stored listing (`watchdog/store/staging.py`): a partial, blocked or
failed crawl adds the listings it found new and nothing else. Those additions are in the
store, and the next complete crawl sees them as already there, so by default every crawl's
history is shown, each crawl labelled with its status: hiding the others hid additions that no
complete crawl reports (960 of a layout-changed day-2 crawl). `status=complete` narrows it to
complete crawls, and `crawl=N` shows that crawl whatever its status. `watchdog export` holds
the same rows.

A person's row names no province or court (`queries_history.public_change`): counted per
place, such rows would give back the small cells the aggregate pages suppress.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from dashboards.views._common import (
    allow_params,
    engine,
    page_info,
    paging,
    positive_int,
    site_state,
    values,
)
from dashboards.views._twins import Table, twin_routes
from watchdog.store import queries_history as history
from watchdog.store.writer import FINAL_STATUSES

bp = Blueprint("changes", __name__)

COLUMNS = ["change_id", "crawl_id", "crawl_status", "at", "kind", "source_id", "party_type", "company_name",
           "company_code", "case_code", "province", "court", "changed_fields",
           "field_changes", "observation_id", "artifact_sha256"]


def changes() -> Table:
    allow_params("source", "crawl", "kind", "status", "page", "per_page")
    sources = values("source", [s["source_id"] for s in site_state()["sources"]])
    kinds = values("kind", history.CHANGE_KINDS)
    crawl_id = _crawl_param()
    # No status asked for: every crawl's, as in the store's history (see the docstring).
    statuses = values("status", FINAL_STATUSES + ("running",))
    page, per_page = paging()
    eng = engine()
    rows, total = history.changes(eng, crawl_id=crawl_id, kinds=kinds, page=page,
                                  size=per_page, source_ids=sources, statuses=statuses)
    summary = history.change_summary(eng, sources, statuses)
    return Table(name="changes", template="changes.html", columns=COLUMNS, rows=rows,
                 meta={"by_crawl": summary, "changes": page_info(page, per_page, total),
                       "statuses_shown": list(statuses) or ["any"],
                       "crawls_not_shown": history.hidden_crawls(eng, sources, statuses),
                       "filters": {"source": list(sources), "kind": list(kinds),
                                   "status": list(statuses),
                                   "crawl": [crawl_id] if crawl_id is not None else []}})


def _crawl_param() -> int | None:
    if request.args.get("crawl") is None:
        return None
    # A crawl id is a database integer: the same checks as any page number (ASCII digits,
    # within 64 bits), so "²" or a 20-digit number is a 400, not a 500.
    return positive_int("crawl", 1, 2**63 - 1)


def changed_fields_text(row: dict[str, Any]) -> str:
    return ", ".join(row.get("changed_fields") or []) or "—"


twin_routes(bp, "/changes", changes)

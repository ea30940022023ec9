"""What changed between crawls, per source: additions, changes, removals and relistings.

Removals come only from complete crawls (a blocked or partial crawl never removes anything),
so every "removed" here was absent from a crawl that read the whole list. By default only
complete crawls' changes are shown: a partial or blocked crawl's records are real, but a
layout change or a half-read list makes them a poor picture of what changed (`status` shows
them on request, and `crawl=N` shows that crawl whatever its status).

A person's row names no province or court (`queries_history.public_change`): counted per
place, such rows would give back the small cells the aggregate pages suppress.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request

from dashboards.views._common import allow_params, engine, page_info, paging, site_state, values
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
    asked = values("status", FINAL_STATUSES + ("running",))
    # A crawl asked for by number is shown whatever its status.
    statuses = asked or (() if crawl_id is not None else ("complete",))
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
                                   "status": list(asked),
                                   "crawl": [crawl_id] if crawl_id is not None else []}})


def _crawl_param() -> int | None:
    raw = request.args.get("crawl")
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) < 1:
        abort(400, "crawl must be a positive whole number (a crawl id from /sources)")
    return int(raw)


def changed_fields_text(row: dict[str, Any]) -> str:
    return ", ".join(row.get("changed_fields") or []) or "—"


twin_routes(bp, "/changes", changes)

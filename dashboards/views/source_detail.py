"""One source: how fresh it is, its run history, the artifacts it left as evidence (with their
hashes), how well each field was filled crawl by crawl, and which unknown fields appeared."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app

from dashboards.views._common import allow_params, engine, page_info, paging, site_state
from dashboards.views._twins import Table, twin_routes
from watchdog.jobs_runs import recent_runs
from watchdog.store import queries
from watchdog.store import queries_history as history

bp = Blueprint("source_detail", __name__)

# crawl_list_published: the date the list says it was published, as the crawl that fetched the
# artifact recorded it, so the CSV twin (artifact rows) carries it too.
COLUMNS = ["sha256", "original_sha256", "redacted", "url", "fetched_at", "http_status", "size",
           "crawl_id", "crawl_list_published"]


def source_detail(source_id: str) -> Table:
    allow_params("page", "per_page")
    known = {s["source_id"]: s for s in site_state()["sources"]}
    if source_id not in known:
        abort(404, f"no source {source_id!r}; see /sources for the list")
    page, per_page = paging()
    eng = engine()
    artifacts, total = history.recent_artifacts(eng, source_id, page, per_page)
    source = known[source_id]
    last = source.get("last_complete")
    age_days = None
    if last is not None:
        last_aware = last if last.tzinfo else last.replace(tzinfo=UTC)
        age_days = round((datetime.now(UTC) - last_aware).total_seconds() / 86400, 1)
    crawls, _ = queries.crawls(eng, 1, 20, (source_id,))
    job_runs = [run.as_dict() for run in recent_runs(current_app.config["DATABASE_URL"], 20,
                                                       job_id=f"crawl:{source_id}")]
    return Table(name=f"{source_id}-artifacts", template="source_detail.html", columns=COLUMNS,
                 rows=artifacts,
                 meta={"source": source, "days_since_complete_crawl": age_days,
                       "crawls": crawls, "job_runs": job_runs, "fill_rates": history.fill_rates(eng, source_id),
                       "artifacts": page_info(page, per_page, total)})


twin_routes(bp, "/sources/<source_id>", source_detail)

"""What a job run does, and its record in `jobrun`: claiming a run without overlapping,
crawling in a fresh process and auditing, finishing the record, and reading the history back
for `watchdog jobs list`, the admin page and the sources page.

A run is claimed by inserting its `running` row and, in the same transaction, looking for
another `running` row of the same job younger than `RUNNING_TIMEOUT`. On SQLite the insert takes
the write lock first, and on PostgreSQL a transaction-scoped advisory lock on the job id
serialises the claim, so two processes (the scheduler in `watchdog serve` and a `watchdog jobs
run` by hand) can never both start the same job. A `running` row older than the timeout is a
run whose process died: it is closed as `failed` so it cannot block the job for ever.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from watchdog.config import REPO_ROOT
from watchdog.store.db import get_engine
from watchdog.store.tables import Crawl, JobRun

log = logging.getLogger(__name__)

# A live crawl of the full court list at the polite rate takes more than a day.
CRAWL_TIMEOUT = timedelta(hours=72)
RUNNING_TIMEOUT = CRAWL_TIMEOUT + timedelta(hours=8)  # a running row older than this is dead
STATUSES = ("running", "complete", "partial", "blocked", "failed", "skipped")
# Worst last: a job ends with the worst thing that happened in any of its steps.
_RANK = {"complete": 0, "skipped": 1, "partial": 2, "blocked": 3, "failed": 4}
MAX_DETAIL = 4000
# What our spiders write when a page could not be had (scrapers/spiders/base.py, court_dishonest).
TRANSIENT = re.compile(r"request failed: |HTTP 5\d\d\b|body cut off at ")
_audit_lock = threading.Lock()  # audits in one process run one after another, not side by side
_children: set[subprocess.Popen[str]] = set()
_children_lock = threading.Lock()


def now_utc() -> datetime:
    return datetime.now(UTC)


def worst(*statuses: str) -> str:
    return max(statuses, key=lambda s: _RANK.get(s, len(_RANK)))


@dataclass(frozen=True)
class RunSummary:
    """One `jobrun` row, as the CLI prints it and the admin page shows it."""

    run_id: int
    job_id: str
    status: str
    detail: str
    started_at: datetime
    finished_at: datetime | None

    def line(self) -> str:
        # "job audit, run 2": a job's run, told apart from the audit run its detail names.
        return f"job {self.job_id}, run {self.run_id} {self.status}: {self.detail or '-'}"

    def as_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "job_id": self.job_id, "status": self.status,
                "detail": self.detail, "started_at": self.started_at,
                "finished_at": self.finished_at}


def _summary(row: Any) -> RunSummary:
    return RunSummary(int(row.id), row.job_id, row.status, row.detail or "", row.started_at,
                      row.finished_at)


def _clip(detail: str) -> str:
    return detail if len(detail) <= MAX_DETAIL else detail[:MAX_DETAIL - 1] + "…"


def _lock_job(conn: Connection, job_id: str) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                     {"key": f"scorewatch.job:{job_id}"})


def claim(database_url: str, job_id: str) -> tuple[int, RunSummary | None]:
    """Start a run of `job_id`: (run id, None), or (run id, the `skipped` summary) when another
    run of the same job is still going."""
    runs = JobRun.__table__
    started = now_utc()
    cutoff = started - RUNNING_TIMEOUT
    with get_engine(database_url).begin() as conn:
        _lock_job(conn, job_id)
        run_id = int(conn.execute(insert(runs).values(
            job_id=job_id, started_at=started, status="running")).inserted_primary_key[0])
        conn.execute(update(runs).where(
            runs.c.job_id == job_id, runs.c.status == "running", runs.c.id != run_id,
            runs.c.started_at < cutoff).values(
            status="failed", finished_at=started,
            detail=f"abandoned: no end recorded within {RUNNING_TIMEOUT} (the process died?)"))
        other = conn.execute(select(runs.c.id, runs.c.started_at).where(
            runs.c.job_id == job_id, runs.c.status == "running", runs.c.id != run_id)
            .order_by(runs.c.id).limit(1)).first()
        if other is None:
            return run_id, None
        detail = (f"skipped: already running (run {other.id}, started "
                  f"{other.started_at:%Y-%m-%d %H:%M:%S} UTC)")
        conn.execute(update(runs).where(runs.c.id == run_id).values(
            status="skipped", finished_at=started, detail=detail))
    return run_id, RunSummary(run_id, job_id, "skipped", detail, started, started)


def finish(database_url: str, run_id: int, status: str, detail: str) -> RunSummary:
    if status not in STATUSES or status == "running":
        raise ValueError(f"not a final job status: {status!r}")
    runs = JobRun.__table__
    with get_engine(database_url).begin() as conn:
        conn.execute(update(runs).where(runs.c.id == run_id).values(
            status=status, finished_at=now_utc(), detail=_clip(detail)))
        row = conn.execute(select(runs).where(runs.c.id == run_id)).one()
    return _summary(row)


def append_detail(database_url: str, run_id: int, note: str) -> None:
    """Add a note (such as the retry it scheduled) to a finished run."""
    runs = JobRun.__table__
    with get_engine(database_url).begin() as conn:
        old = conn.execute(select(runs.c.detail).where(runs.c.id == run_id)).scalar_one()
        conn.execute(update(runs).where(runs.c.id == run_id).values(
            detail=_clip(f"{old}; {note}" if old else note)))


def record(database_url: str, job_id: str, status: str, detail: str) -> RunSummary:
    """A run that never started (missed, or refused by the scheduler), recorded as such."""
    at = now_utc()
    runs = JobRun.__table__
    with get_engine(database_url).begin() as conn:
        run_id = int(conn.execute(insert(runs).values(
            job_id=job_id, started_at=at, finished_at=at, status=status,
            detail=_clip(detail))).inserted_primary_key[0])
    return RunSummary(run_id, job_id, status, detail, at, at)


def latest_runs(database_url: str) -> dict[str, RunSummary]:
    """The newest run of every job that has one."""
    runs = JobRun.__table__
    newest = select(func.max(runs.c.id)).group_by(runs.c.job_id).scalar_subquery()
    with get_engine(database_url).connect() as conn:
        rows = conn.execute(select(runs).where(runs.c.id.in_(newest))).all()
    return {row.job_id: _summary(row) for row in rows}


def recent_runs(database_url: str, limit: int = 50, job_id: str | None = None) -> list[RunSummary]:
    runs = JobRun.__table__
    query = select(runs).order_by(runs.c.id.desc()).limit(limit)
    if job_id is not None:
        query = query.where(runs.c.job_id == job_id)
    with get_engine(database_url).connect() as conn:
        return [_summary(row) for row in conn.execute(query).all()]


def last_crawl_id(database_url: str, source_id: str) -> int:
    crawls = Crawl.__table__
    with get_engine(database_url).connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(crawls.c.id), 0)).where(
            crawls.c.source_id == source_id)).scalar_one())


def crawl_after(database_url: str, source_id: str, after_id: int) -> dict[str, Any] | None:
    """The crawl a job's subprocess recorded: the newest crawl of the source after `after_id`."""
    crawls = Crawl.__table__
    with get_engine(database_url).connect() as conn:
        row = conn.execute(select(crawls).where(
            crawls.c.source_id == source_id, crawls.c.mode == "crawl", crawls.c.id > after_id)
            .order_by(crawls.c.id.desc()).limit(1)).first()
    return dict(row._mapping) if row is not None else None


# -- what a run does ----------------------------------------------------------------------
def crawl_command(source_id: str, mirror_url: str | None, expect_min: int | None) -> list[str]:
    args = [sys.executable, "-m", "watchdog", "crawl", source_id, "--no-progress"]
    if mirror_url:
        args += ["--mirror", mirror_url]
    if expect_min is not None:
        args += ["--expect-min", str(expect_min)]
    return args


def run_crawl_process(source_id: str, database_url: str, mirror_url: str | None,
                      expect_min: int | None) -> tuple[int, str, str]:
    """`python -m watchdog crawl SOURCE` on the same database: (exit code, stdout, stderr)."""
    env = {**os.environ, "WATCHDOG_DATABASE_URL": database_url}
    proc = subprocess.Popen(crawl_command(source_id, mirror_url, expect_min), env=env,
                            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    with _children_lock:
        _children.add(proc)
    try:
        out, err = proc.communicate(timeout=CRAWL_TIMEOUT.total_seconds())
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        err += f"\nerror: the crawl took longer than {CRAWL_TIMEOUT} and was stopped"
    finally:
        with _children_lock:
            _children.discard(proc)
    return proc.returncode, out, err


def stop_crawls(grace: float = 20.0) -> int:
    """Stop the crawls this process started (a server shutting down must not wait for a
    day-long crawl). SIGTERM first, so Scrapy closes the spider and the crawl is recorded as not
    complete; SIGKILL after `grace` seconds. Returns how many were running."""
    with _children_lock:
        procs = list(_children)
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
    return len(procs)


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def transient(crawl: dict[str, Any]) -> bool:
    """Whether a partial crawl stopped on something that may pass: a request that failed (no
    connection, a timeout), a server error, a body cut off. A retry is worth it then; not for a
    changed layout or unknown fields, which come back the same until the parser is changed."""
    texts = [crawl.get("reason") or "", *(str(e) for e in crawl.get("errors") or [])]
    return any(TRANSIENT.search(t) for t in texts)


def crawl_then_audit(source_id: str, database_url: str, mirror_url: str | None,
                     expect_min: int | None) -> tuple[str, str, bool]:
    """Crawl in a fresh process, then audit when the crawl completed or changed anything:
    (job status, detail with the crawl's counts and errors and the audit's summary, whether
    a partial crawl stopped on a transient fault and is worth retrying)."""
    before = last_crawl_id(database_url, source_id)
    code, out, err = run_crawl_process(source_id, database_url, mirror_url, expect_min)
    crawl = crawl_after(database_url, source_id, before)
    if crawl is None or crawl["status"] == "running":
        what = _last_line(err) or _last_line(out) or "no output"
        return "failed", f"crawl process exited {code} without finishing a crawl: {what}", False
    status = crawl["status"]
    if code != 0 and status == "complete":
        status = "failed"  # the process died after recording; do not trust the rest of it
    detail = (f"crawl {crawl['id']} {crawl['status']}: read {crawl['read']}, added "
              f"{crawl['added']}, changed {crawl['changed']}, unchanged {crawl['unchanged']}, "
              f"rejected {crawl['rejected']}, removed {crawl['removed']}")
    reason = crawl.get("reason") or ""
    if reason:
        detail += f" ({reason})"
    # The crawl's reason is usually its first error again; show only what it adds.
    errors = [str(e) for e in crawl.get("errors") or [] if not reason or reason not in str(e)]
    if errors:
        more = f" (+{len(errors) - 2} more)" if len(errors) > 2 else ""
        detail += "; errors: " + " | ".join(errors[:2]) + more
    retry = status == "partial" and transient(crawl)
    changed = crawl["added"] + crawl["changed"] + crawl["removed"] > 0
    if status == "complete" or changed:
        audit_status, audit_detail = audit_step(database_url)
        return worst(status, audit_status), f"{detail}; {audit_detail}", retry
    return status, f"{detail}; no audit (nothing changed)", retry


def audit_step(database_url: str) -> tuple[str, str]:
    """Audit the whole store: (job status, the audit's summary line)."""
    from watchdog.audit.runner import run_audit

    with _audit_lock:
        try:
            summary = run_audit(database_url)
        except SQLAlchemyError as exc:  # the class only: the message can carry row values
            log.exception("audit failed")
            return "failed", f"audit failed: database: {type(exc).__name__}"
        except Exception as exc:  # the crawl's record stays; the audit failure is part of it
            log.exception("audit failed")
            return "failed", f"audit failed: {type(exc).__name__}: {exc}".splitlines()[0]
    return ("complete" if summary.status == "complete" else "failed"), str(summary)

"""Scheduled jobs: one crawl per source manifest, each followed by an audit.

APScheduler 3 keeps the jobs in the project's own database (table `apscheduler_jobs`), so a
restart picks up where the last process stopped and runs a missed job once (coalesced) if it is
still within `MISFIRE_GRACE`. Run the scheduler in one process only (`watchdog serve`, without
the reloader): the job store has no locking of its own. `jobs_runs.claim` stops a job from
overlapping itself across processes anyway, and records the refused run as `skipped`.

A crawl runs `python -m watchdog crawl SOURCE` in a fresh process (Twisted's reactor cannot be
restarted); its exit code and the `crawl` row it wrote say how it ended. A failed or blocked run, or a
partial one that stopped on a transient fault (`jobs_runs.transient`), that the scheduler
started is retried after 5, 15 and 45 minutes (a one-off job
`retry:crawl:SOURCE`), and each retry is a run of its own in the record.

Jobs are stored with a short key for their database rather than its URL, so no database
password ends up pickled in the job table; `build_scheduler` registers the key in this process.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import threading
from datetime import timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from sqlalchemy.exc import SQLAlchemyError

from watchdog import jobs_runs
from watchdog.jobs_runs import RunSummary, now_utc
from watchdog.sources import list_sources, load_manifest
from watchdog.store.db import get_engine

log = logging.getLogger(__name__)

JOBSTORE_TABLE = "apscheduler_jobs"
AUDIT_JOB = "audit"
CRAWL_PREFIX = "crawl:"
RETRY_PREFIX = "retry:"
RETRY_DELAYS = (timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=45))
MISFIRE_GRACE = timedelta(hours=12)  # a weekly crawl missed by a short outage still runs
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1,
                "misfire_grace_time": int(MISFIRE_GRACE.total_seconds())}

_registry: dict[str, WatchdogScheduler] = {}
_registry_lock = threading.Lock()


def store_key(database_url: str) -> str:
    return hashlib.sha256(database_url.encode("utf-8")).hexdigest()[:16]


class WatchdogScheduler(BackgroundScheduler):
    """A `BackgroundScheduler` that knows its database and leaves the registry on shutdown."""

    def __init__(self, database_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.database_url = database_url
        self.store = store_key(database_url)

    def shutdown(self, wait: bool = True) -> None:
        """`wait=False` also stops the crawls in progress; their runs end as not complete."""
        with _registry_lock:
            if _registry.get(self.store) is self:
                del _registry[self.store]
        super().shutdown(wait=wait)
        if not wait:
            jobs_runs.stop_crawls()


def scheduler_for(database_url: str) -> WatchdogScheduler | None:
    """The running scheduler of this process for that database, if any (admin run-now uses it
    so a failed run is retried)."""
    with _registry_lock:
        sched = _registry.get(store_key(database_url))
    return sched if sched is not None and sched.running else None


def build_scheduler(database_url: str) -> WatchdogScheduler:
    """A scheduler over the project's database, not started. Start it, then `sync_jobs`."""
    store = SQLAlchemyJobStore(engine=get_engine(database_url), tablename=JOBSTORE_TABLE)
    sched = WatchdogScheduler(database_url, jobstores={"default": store},
                              executors={"default": ThreadPoolExecutor(4)},
                              job_defaults=dict(JOB_DEFAULTS), timezone="UTC")
    sched.add_listener(functools.partial(_record_refused, database_url),
                       EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
    with _registry_lock:
        _registry[sched.store] = sched
    return sched


def _our_job(apscheduler_id: str) -> str:
    return apscheduler_id.removeprefix(RETRY_PREFIX)


def _record_refused(database_url: str, event: JobEvent) -> None:
    """The scheduler dropped a run (still running, or missed while down): keep that visible."""
    why = ("skipped: already running (the scheduler allows one at a time)"
           if event.code == EVENT_JOB_MAX_INSTANCES else
           "skipped: missed (the scheduler was not running within the grace time)")
    try:
        jobs_runs.record(database_url, _our_job(event.job_id), "skipped", why)
    except Exception:  # a listener must not take the scheduler thread down
        log.exception("could not record a skipped run of %s", event.job_id)


def crawl_trigger(source_id: str) -> tuple[CronTrigger, str]:
    """The manifest's `schedule` as a trigger, and as text for people."""
    manifest = load_manifest(source_id)
    cron, zone = manifest.schedule.cron, manifest.schedule.timezone
    try:
        return crontab_trigger(cron, zone), f"{cron} ({zone})"
    except (ValueError, KeyError) as exc:
        raise ValueError(f"{source_id}: schedule {cron!r} ({zone}) is not usable: {exc}") from exc


def crontab_trigger(expr: str, timezone: str) -> CronTrigger:
    """A standard five-field crontab line, read as cron reads it.

    Not `CronTrigger.from_crontab`: APScheduler 3 counts weekday 0 as Monday where cron means
    Sunday, so "0 3 * * 1" would crawl on Tuesdays. Cron also runs when *either* day field
    matches if both are set, APScheduler only when both do; that case is refused.
    """
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields (minute hour day month weekday), got {len(fields)}")
    minute, hour, day, month, weekday = fields
    if day != "*" and weekday != "*":
        raise ValueError("both day-of-month and day-of-week are set; cron would run on either")
    return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                       day_of_week=_crontab_days(weekday), timezone=timezone)


_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # cron numbering; 7 is Sunday too


def _crontab_days(field: str) -> str:
    """A crontab weekday field as the day names APScheduler reads without ambiguity."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for part in field.lower().split(","):
        span, slash, step_text = part.partition("/")
        step = int(step_text) if slash else 1
        if step < 1:
            raise ValueError(f"bad weekday step in {part!r}")
        if span == "*":
            first, last = 0, 6
        else:
            start, dash, end = span.partition("-")
            first = _day_number(start)
            last = _day_number(end) if dash else (6 if slash else first)
        if first > last:
            raise ValueError(f"weekday range {span!r} runs backwards")
        days.update(d % 7 for d in range(first, last + 1, step))
    return ",".join(_DAYS[d] for d in sorted(days))


def _day_number(token: str) -> int:
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token)
    if token[:3] in _DAYS and len(token) == 3:
        return _DAYS.index(token)
    raise ValueError(f"unknown weekday {token!r}")


def schedule_job(sched: WatchdogScheduler, job_id: str, trigger: Any, *, apscheduler_id: str
                 | None = None, attempt: int = 0, mirror_url: str | None = None,
                 expect_min: int | None = None) -> None:
    """Add or replace one job whose runs call `run_job(job_id)` through `fire`."""
    sched.add_job(fire, trigger, id=apscheduler_id or job_id, name=job_id,
                  kwargs={"job_id": job_id, "store": sched.store, "attempt": attempt,
                          "mirror_url": mirror_url, "expect_min": expect_min},
                  replace_existing=True, **JOB_DEFAULTS)


def sync_jobs(sched: WatchdogScheduler, *, mirror_url: str | None = None) -> list[str]:
    """One `crawl:SOURCE` job per manifest (added or replaced); jobs of sources whose manifest
    is gone are removed. The scheduler must be started (paused is fine)."""
    wanted = {}
    for sid in list_sources():
        wanted[CRAWL_PREFIX + sid] = crawl_trigger(sid)[0]
    for job in sched.get_jobs():
        if _our_job(job.id).startswith(CRAWL_PREFIX) and _our_job(job.id) not in wanted:
            sched.remove_job(job.id)
    for job_id, trigger in wanted.items():
        schedule_job(sched, job_id, trigger, mirror_url=mirror_url)
    return sorted(wanted)


def start_scheduler_for_serve(database_url: str,
                              mirror_url: str | None = None) -> BackgroundScheduler | None:
    """Start the scheduler for `watchdog serve`; None when the database has no schema yet."""
    from sqlalchemy import inspect

    existing = scheduler_for(database_url)
    if existing is not None:
        return existing
    if not inspect(get_engine(database_url)).has_table("jobrun"):
        log.warning("scheduler not started: the database has no schema (run `watchdog init`)")
        return None
    sched = build_scheduler(database_url)
    sched.start(paused=True)  # sync before anything fires, so a stale job cannot run once
    try:
        sync_jobs(sched, mirror_url=mirror_url)
    except BaseException:
        sched.shutdown(wait=False)
        raise
    sched.resume()
    return sched


def known_jobs() -> list[str]:
    return [CRAWL_PREFIX + sid for sid in list_sources()] + [AUDIT_JOB]


def fire(job_id: str, store: str, attempt: int = 0, mirror_url: str | None = None,
         expect_min: int | None = None) -> None:
    """What the scheduler calls (by its import path, which is what the job store keeps)."""
    with _registry_lock:
        sched = _registry.get(store)
    if sched is None:
        log.error("job %s: no scheduler for its database in this process; not run", job_id)
        return
    try:
        run_job(job_id, database_url=sched.database_url, mirror_url=mirror_url,
                expect_min=expect_min, attempt=attempt, scheduler=sched)
    except ValueError as exc:  # the manifest went away since the job was stored
        log.error("job %s not run: %s", job_id, exc)


def run_job(job_id: str, *, database_url: str, mirror_url: str | None = None,
            expect_min: int | None = None, attempt: int = 0,
            scheduler: WatchdogScheduler | None = None) -> RunSummary:
    """Run one job now in this thread and record it. With a running `scheduler`, a failed or
    blocked run, or a partial one stopped by a transient fault (no connection, a server error,
    a body cut off), schedules its retry there."""
    if job_id not in known_jobs():
        raise ValueError(f"unknown job {job_id!r} (known: {', '.join(known_jobs())})")
    run_id, skipped = jobs_runs.claim(database_url, job_id)
    if skipped is not None:
        return skipped
    prefix = f"retry {attempt} of {len(RETRY_DELAYS)}: " if attempt else ""
    transient = False
    try:
        if job_id == AUDIT_JOB:
            status, detail = jobs_runs.audit_step(database_url)
        else:
            status, detail, transient = jobs_runs.crawl_then_audit(
                job_id.removeprefix(CRAWL_PREFIX), database_url, mirror_url, expect_min)
    except SQLAlchemyError as exc:  # the class only: a driver message can name the server
        log.exception("job %s failed", job_id)
        status, detail = "failed", f"error: database: {type(exc).__name__}"
    except Exception as exc:  # recorded, never lost in a scheduler thread
        log.exception("job %s failed", job_id)
        status, detail = "failed", f"error: {type(exc).__name__}: {exc}".splitlines()[0]
    summary = jobs_runs.finish(database_url, run_id, status, prefix + detail)
    if scheduler is not None and scheduler.running and job_id != AUDIT_JOB:
        retry = status in ("failed", "blocked") or transient
        note = _after_run(scheduler, job_id, retry, attempt, mirror_url, expect_min)
        if note:
            jobs_runs.append_detail(database_url, run_id, note)
            summary = dataclasses.replace(summary, detail=f"{summary.detail}; {note}")
    return summary


def _after_run(sched: WatchdogScheduler, job_id: str, retry: bool, attempt: int,
               mirror_url: str | None, expect_min: int | None) -> str | None:
    retry_id = RETRY_PREFIX + job_id
    if not retry:
        if sched.get_job(retry_id) is not None:
            sched.remove_job(retry_id)
        return None
    if attempt >= len(RETRY_DELAYS):
        return f"no retry left ({len(RETRY_DELAYS)} used)"
    at = now_utc() + RETRY_DELAYS[attempt]
    schedule_job(sched, job_id, DateTrigger(run_date=at, timezone="UTC"),
                 apscheduler_id=retry_id, attempt=attempt + 1, mirror_url=mirror_url,
                 expect_min=expect_min)
    return f"retry {attempt + 1} of {len(RETRY_DELAYS)} at {at:%Y-%m-%d %H:%M:%S} UTC"


def list_jobs(database_url: str) -> list[dict[str, Any]]:
    """Every job with its schedule, next run (from the job store when the scheduler has stored
    it, else computed from the manifest), pending retry and last run."""
    stored = _stored_jobs(database_url)
    last = jobs_runs.latest_runs(database_url)
    now = now_utc()
    rows = []
    for sid in list_sources():
        job_id = CRAWL_PREFIX + sid
        trigger, schedule = crawl_trigger(sid)
        job, retry = stored.get(job_id), stored.get(RETRY_PREFIX + job_id)
        rows.append({
            "id": job_id, "source_id": sid, "schedule": schedule, "stored": job is not None,
            "next_run": job.next_run_time if job else trigger.get_next_fire_time(None, now),
            "retry_at": retry.next_run_time if retry else None,
            "retry_attempt": retry.kwargs.get("attempt") if retry else None,
            "last_run": last.get(job_id)})
    rows.append({"id": AUDIT_JOB, "source_id": None, "schedule": "after each crawl",
                 "stored": False, "next_run": None, "retry_at": None, "retry_attempt": None,
                 "last_run": last.get(AUDIT_JOB)})
    return rows


def _stored_jobs(database_url: str) -> dict[str, Any]:
    """The job store read directly: `watchdog jobs list` must not start a scheduler."""
    store = SQLAlchemyJobStore(engine=get_engine(database_url), tablename=JOBSTORE_TABLE)
    # Not `store.shutdown()`: that disposes the engine this process shares with everything else.
    store.start(BackgroundScheduler(timezone="UTC"), "default")
    return {job.id: job for job in store.get_all_jobs()}

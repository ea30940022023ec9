"""The scheduler: one job per manifest, a scheduled job fires and leaves its record, runs never
overlap (and the refused one is recorded), a failed or blocked run is retried with backoff, and
the job store outlives the scheduler. On SQLite, and on PostgreSQL when a server is there."""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import insert, select

from tests.conftest import running_mirror
from watchdog import jobs, jobs_runs
from watchdog.config import ensure_secret, get_settings
from watchdog.sources import list_sources, load_manifest, sources_dir
from watchdog.store.db import get_engine, migrate
from watchdog.store.tables import JobRun
from watchdog.store.writer import CrawlRecorder, register_source

JOB = "crawl:court_dishonest"
N = 200


@pytest.fixture
def store(cli_env: dict[str, str], database_url: str) -> str:
    """What `watchdog init` makes: the secret, the schema, the registered sources."""
    ensure_secret(get_settings())
    migrate(database_url)
    for sid in list_sources():
        register_source(database_url, load_manifest(sid).model_dump())
    return database_url


@pytest.fixture
def scheduler(store: str) -> Iterator[jobs.WatchdogScheduler]:
    sched = jobs.build_scheduler(store)
    sched.start(paused=True)
    yield sched
    if sched.running:
        sched.shutdown(wait=True)


@pytest.fixture(scope="module")
def small_mirror() -> Iterator[object]:
    with running_mirror(N) as server:
        yield server


def fake_crawl(status: str = "complete", seconds: float = 0.0,
               started: threading.Event | None = None) -> Callable[..., tuple[int, str, str]]:
    """Stands in for the crawl subprocess: records a crawl that ends with `status`."""

    def crawl(source_id: str, database_url: str, mirror_url: str | None,
              expect_min: int | None) -> tuple[int, str, str]:
        if started is not None:
            started.set()
        time.sleep(seconds)
        recorder = CrawlRecorder(database_url, Path("/nonexistent"), source_id, origin="fake")
        outcome = recorder.finish(covers_whole_source=True,
                                  status=None if status == "complete" else status,
                                  reason=None if status == "complete" else f"fake {status}")
        code = 0 if status == "complete" else 1
        return code, outcome.summary_line() + "\n", "" if code == 0 else f"error: {status}\n"

    return crawl


def runs(url: str, job_id: str = JOB) -> list[jobs_runs.RunSummary]:
    return list(reversed(jobs_runs.recent_runs(url, limit=100, job_id=job_id)))


def wait_for(predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the scheduler")
        time.sleep(0.1)


def finished_runs(url: str, n: int, job_id: str = JOB) -> Callable[[], bool]:
    return lambda: sum(r.status != "running" for r in runs(url, job_id)) >= n


def test_one_job_per_manifest_and_gone_manifests_lose_their_job(
        scheduler, tmp_path, monkeypatch):
    manifests = tmp_path / "sources"
    shutil.copytree(sources_dir(), manifests)
    other = yaml.safe_load((manifests / "court_dishonest.yaml").read_text(encoding="utf-8"))
    other.update(id="other_list", schedule={"cron": "30 4 * * *", "timezone": "Asia/Shanghai"})
    (manifests / "other_list.yaml").write_text(yaml.safe_dump(other, allow_unicode=True),
                                               encoding="utf-8")
    monkeypatch.setattr("watchdog.sources.sources_dir", lambda: manifests)
    expected = {f"crawl:{sid}" for sid in list_sources()}
    assert "crawl:other_list" in expected and len(expected) >= 2

    assert set(jobs.sync_jobs(scheduler)) == expected
    stored = {job.id: job for job in scheduler.get_jobs()}
    assert set(stored) == expected
    trigger = stored["crawl:other_list"].trigger
    assert isinstance(trigger, CronTrigger) and str(trigger.timezone) == "Asia/Shanghai"
    assert "hour='4'" in str(trigger) and "minute='30'" in str(trigger)
    job = stored[JOB]
    assert (job.coalesce, job.max_instances, job.func_ref) == (True, 1, "watchdog.jobs:fire")
    assert store_url_not_in(job.kwargs, scheduler.database_url)

    (manifests / "other_list.yaml").unlink()
    jobs.sync_jobs(scheduler)  # again: replaced, not duplicated, and the gone one removed
    assert {job.id for job in scheduler.get_jobs()} == expected - {"crawl:other_list"}


def store_url_not_in(kwargs: dict, url: str) -> bool:
    return url not in repr(kwargs) and kwargs["store"] == jobs.store_key(url)


def test_a_scheduled_crawl_fires_and_records_its_run(scheduler, small_mirror):
    url = scheduler.database_url
    at = datetime.now(UTC) + timedelta(seconds=1)
    jobs.schedule_job(scheduler, JOB, DateTrigger(run_date=at), mirror_url=small_mirror.url,
                      expect_min=N)
    scheduler.resume()
    wait_for(finished_runs(url, 1), timeout=120)
    (run,) = runs(url)
    assert run.status == "complete", run.detail
    assert run.started_at >= at - timedelta(seconds=0.5) and run.finished_at >= run.started_at
    assert f"complete: read {N}, added {N}, changed 0, unchanged 0, rejected 0" in run.detail
    assert "audit run" in run.detail and "listings checked" in run.detail
    listed = {row["id"]: row for row in jobs.list_jobs(url)}
    assert listed[JOB]["last_run"].run_id == run.run_id
    # The one-off job is gone once it ran; the weekly time comes from the manifest until synced.
    assert not listed[JOB]["stored"] and listed[JOB]["next_run"].weekday() == 0


def test_two_starts_at_once_run_once_and_the_other_is_recorded_skipped(scheduler, monkeypatch):
    url = scheduler.database_url
    monkeypatch.setattr(jobs_runs, "run_crawl_process", fake_crawl(seconds=3))
    at = datetime.now(UTC) + timedelta(seconds=1)
    # The weekly job and its retry come due at the same moment: two scheduler jobs, one job.
    jobs.schedule_job(scheduler, JOB, DateTrigger(run_date=at))
    jobs.schedule_job(scheduler, JOB, DateTrigger(run_date=at), apscheduler_id="retry:" + JOB,
                      attempt=1)
    scheduler.resume()
    wait_for(finished_runs(url, 2))
    statuses = sorted(r.status for r in runs(url))
    assert statuses == ["complete", "skipped"]
    skipped = next(r for r in runs(url) if r.status == "skipped")
    assert skipped.detail.startswith("skipped: already running (run ")


def test_the_scheduler_refuses_a_second_instance_and_records_it(scheduler, monkeypatch):
    url = scheduler.database_url
    monkeypatch.setattr(jobs_runs, "run_crawl_process", fake_crawl(seconds=2.5))
    jobs.schedule_job(scheduler, JOB, IntervalTrigger(seconds=1))
    scheduler.resume()
    # Two complete runs at least, so that "never side by side" compares a pair.
    wait_for(lambda: any("one at a time" in r.detail for r in runs(url))
             and sum(r.status == "complete" for r in runs(url)) >= 2)
    scheduler.shutdown(wait=True)
    done = [r for r in runs(url) if r.status == "complete"]
    assert len(done) >= 2, [r.status for r in runs(url)]
    for first, second in zip(done, done[1:], strict=False):
        assert second.started_at >= first.finished_at  # never side by side


def test_runs_started_by_hand_at_once_do_not_overlap(store, monkeypatch):
    started = threading.Event()
    monkeypatch.setattr(jobs_runs, "run_crawl_process", fake_crawl(seconds=3, started=started))
    results: list[jobs_runs.RunSummary] = []
    first = threading.Thread(target=lambda: results.append(jobs.run_job(JOB, database_url=store)))
    first.start()
    assert started.wait(30)
    results.append(jobs.run_job(JOB, database_url=store))
    first.join(30)
    assert sorted(r.status for r in results) == ["complete", "skipped"]
    assert [r.status for r in runs(store)] == ["complete", "skipped"]


def test_a_run_whose_process_died_does_not_block_the_job(store, monkeypatch):
    monkeypatch.setattr(jobs_runs, "run_crawl_process", fake_crawl())
    long_ago = datetime.now(UTC) - jobs_runs.RUNNING_TIMEOUT - timedelta(hours=1)
    with get_engine(store).begin() as conn:
        conn.execute(insert(JobRun.__table__).values(job_id=JOB, started_at=long_ago,
                                                      status="running"))
    assert jobs.run_job(JOB, database_url=store).status == "complete"
    dead = runs(store)[0]
    assert dead.status == "failed" and dead.detail.startswith("abandoned")


def test_a_blocked_run_is_retried_after_5_15_45_minutes_then_given_up(scheduler, monkeypatch):
    url = scheduler.database_url
    monkeypatch.setattr(jobs_runs, "run_crawl_process", fake_crawl("blocked"))
    retry_id = "retry:" + JOB
    for attempt, minutes in enumerate((5, 15, 45)):
        before = datetime.now(UTC)
        summary = jobs.run_job(JOB, database_url=url, attempt=attempt, scheduler=scheduler)
        assert summary.status == "blocked"
        assert f"retry {attempt + 1} of 3 at" in summary.detail
        retry = scheduler.get_job(retry_id)
        assert retry.kwargs["attempt"] == attempt + 1 and retry.kwargs["job_id"] == JOB
        delay = retry.next_run_time - before
        assert timedelta(minutes=minutes) <= delay < timedelta(minutes=minutes, seconds=30)
        assert runs(url)[-1].detail == summary.detail  # the plan is in the record too
    last = jobs.run_job(JOB, database_url=url, attempt=3, scheduler=scheduler)
    assert last.detail.startswith("retry 3 of 3: ") and "no retry left" in last.detail

    # A retry that comes due runs as a retry, and a complete run clears what is pending.
    monkeypatch.setattr(jobs_runs, "run_crawl_process", fake_crawl("complete"))
    jobs.schedule_job(scheduler, JOB, DateTrigger(run_date=datetime.now(UTC)),
                      apscheduler_id=retry_id, attempt=2)
    scheduler.resume()
    wait_for(lambda: runs(url)[-1].status == "complete")
    assert runs(url)[-1].detail.startswith("retry 2 of 3: crawl ")
    assert scheduler.get_job(retry_id) is None


def partial_crawl(reason: str) -> Callable[..., tuple[int, str, str]]:
    """A crawl that a page error made partial, with this reason."""

    def crawl(source_id: str, database_url: str, mirror_url: str | None,
              expect_min: int | None) -> tuple[int, str, str]:
        recorder = CrawlRecorder(database_url, Path("/nonexistent"), source_id, origin="fake")
        recorder.degrade("partial", reason)
        outcome = recorder.finish(covers_whole_source=True)
        return 1, outcome.summary_line() + "\n", "error: partial\n"

    return crawl


@pytest.mark.parametrize(("reason", "retried"), [
    ("request failed: Connection was refused by other side: 111: Connection refused.", True),
    ("HTTP 500 at http://127.0.0.1:9/x", True),
    ("HTTP 503 after retries at http://127.0.0.1:9/x", True),
    ("body cut off at http://127.0.0.1:9/x: the last row ends mid-row", True),
    ("unknown field(s) reported: newColumn", False),
    ("unreadable page at http://127.0.0.1:9/x: unknown layout", False),
])
def test_a_partial_run_is_retried_only_when_it_stopped_on_a_transient_fault(
        scheduler, monkeypatch, reason, retried):
    url = scheduler.database_url
    monkeypatch.setattr(jobs_runs, "run_crawl_process", fake_crawl("blocked"))
    jobs.run_job(JOB, database_url=url, scheduler=scheduler)
    assert scheduler.get_job("retry:" + JOB) is not None  # the blocked run's retry is pending
    monkeypatch.setattr(jobs_runs, "run_crawl_process", partial_crawl(reason))
    summary = jobs.run_job(JOB, database_url=url, attempt=1, scheduler=scheduler)
    assert summary.status == "partial"
    retry = scheduler.get_job("retry:" + JOB)
    if retried:
        assert "retry 2 of 3 at" in summary.detail and retry.kwargs["attempt"] == 2
    else:  # the site answered: a retry would meet the same page, so none is left pending
        assert "retry" not in summary.detail.removeprefix("retry 1 of 3: ") and retry is None


def test_a_failed_crawl_process_is_recorded_as_failed(store, monkeypatch):
    monkeypatch.setattr(jobs_runs, "run_crawl_process",
                        lambda *a: (1, "", "error: no secret at /x: run `watchdog init` first\n"))
    summary = jobs.run_job(JOB, database_url=store)
    assert summary.status == "failed"
    assert "exited 1 without finishing a crawl: error: no secret" in summary.detail


def test_the_job_store_outlives_the_scheduler(store, monkeypatch):
    monkeypatch.setattr(jobs_runs, "run_crawl_process", fake_crawl())
    first = jobs.build_scheduler(store)
    first.start(paused=True)
    jobs.sync_jobs(first)
    weekly = first.get_job(JOB).next_run_time
    jobs.schedule_job(first, JOB, DateTrigger(run_date=datetime.now(UTC) + timedelta(seconds=2)),
                      apscheduler_id="retry:" + JOB, attempt=1)
    first.shutdown()

    listed = {row["id"]: row for row in jobs.list_jobs(store)}  # read without a scheduler
    assert listed[JOB]["stored"] and listed[JOB]["next_run"] == weekly
    assert listed[JOB]["retry_attempt"] == 1

    second = jobs.build_scheduler(store)  # no sync_jobs: everything comes from the store
    second.start()
    try:
        assert second.get_job(JOB).next_run_time == weekly
        wait_for(finished_runs(store, 1))
        assert runs(store)[-1].detail.startswith("retry 1 of 3: crawl ")
    finally:
        second.shutdown()
    with get_engine(store).connect() as conn:
        assert conn.execute(select(JobRun.__table__.c.status)).scalars().all() == ["complete"]


def test_start_scheduler_for_serve_syncs_and_is_idempotent(store):
    sched = jobs.start_scheduler_for_serve(store)
    try:
        assert sched is not None and sched.running
        assert {job.id for job in sched.get_jobs()} == {f"crawl:{s}" for s in list_sources()}
        assert jobs.start_scheduler_for_serve(store) is sched
        assert jobs.scheduler_for(store) is sched
    finally:
        sched.shutdown()
    assert jobs.scheduler_for(store) is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_scheduler_on_a_database_without_schema(database_url):
    assert jobs.start_scheduler_for_serve(database_url) is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_unknown_job_is_refused(store):
    with pytest.raises(ValueError, match="unknown job 'crawl:nope'"):
        jobs.run_job("crawl:nope", database_url=store)


@pytest.mark.parametrize(("expr", "days"), [
    ("0 3 * * 1", "mon"), ("0 3 * * 0", "sun"), ("0 3 * * 7", "sun"),
    ("0 3 * * 1-5", "mon,tue,wed,thu,fri"), ("0 3 * * */2", "sun,tue,thu,sat"),
    ("0 3 * * 5-7", "sun,fri,sat"), ("0 3 * * MON", "mon"), ("0 3 * * *", "*")])
def test_crontab_weekdays_mean_what_cron_means(expr, days):
    assert str(jobs.crontab_trigger(expr, "UTC").fields[4]) == days
    monday = jobs.crontab_trigger("0 3 * * 1", "UTC").get_next_fire_time(
        None, datetime(2026, 11, 21, tzinfo=UTC))
    assert monday == datetime(2026, 11, 23, 3, tzinfo=UTC)


@pytest.mark.parametrize("expr", ["0 3 1 * 1", "0 3 * * 8", "0 3 * * 5-1", "* * *",
                                  "0 3 * * funday", "61 3 * * *"])
def test_unusable_crontabs_are_refused(expr):
    with pytest.raises(ValueError):
        jobs.crontab_trigger(expr, "UTC")


def test_stopping_the_scheduler_without_waiting_stops_the_crawl(scheduler, monkeypatch):
    url = scheduler.database_url
    monkeypatch.setattr(jobs_runs, "crawl_command",
                        lambda *a: [sys.executable, "-c", "import time; time.sleep(120)"])
    jobs.schedule_job(scheduler, JOB, DateTrigger(run_date=datetime.now(UTC)))
    scheduler.resume()
    wait_for(lambda: bool(jobs_runs._children))
    scheduler.shutdown(wait=False)
    # The stand-in crawl sleeps 120 s: a run that ends within this timeout was stopped, not
    # waited for (wait_for raises when it does not end in time).
    wait_for(finished_runs(url, 1), timeout=30)
    (run,) = runs(url)
    assert run.status == "failed" and "crawl process exited -15" in run.detail

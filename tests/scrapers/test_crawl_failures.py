"""Each mirror failure switch: the crawl is recorded as blocked or partial with its reason, the
earlier complete crawl's data is intact, and nothing is marked removed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import run_cli
from watchdog.mirror.generator import generate
from watchdog.store.db import get_engine
from watchdog.store.tables import Crawl, Observation


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHDOG_")}
    env.update(WATCHDOG_HOME=str(home),
               WATCHDOG_DATABASE_URL=f"sqlite:///{home / 'scorewatch.sqlite'}")
    return env


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory, mirror_server) -> Path:
    """A home with one complete day-1 crawl of the mirror."""
    home = tmp_path_factory.mktemp("baseline") / "home"
    env = _env(home)
    assert run_cli(env, "init").returncode == 0
    mirror_server.state.day, mirror_server.state.failure = 1, None
    done = run_cli(env, "crawl", "court_dishonest", "--mirror", mirror_server.url, "--no-progress")
    assert done.returncode == 0, done.stderr
    return home


def _snapshot(url: str) -> tuple[int, int, set[str]]:
    with get_engine(url).connect() as conn:
        listed = conn.execute(select(func.count()).select_from(Observation)
                              .where(Observation.status == "listed")).scalar_one()
        removed = conn.execute(select(func.count()).select_from(Observation)
                               .where(Observation.status == "removed")).scalar_one()
        hashes = set(conn.execute(select(Observation.content_sha256)).scalars())
    return listed, removed, hashes


@pytest.mark.parametrize(("failure", "status", "words"), [
    ("block412", "blocked", "412"),
    ("captcha", "blocked", "captcha"),
    ("http500", "partial", "HTTP 500"),
    ("truncated", "partial", "unreadable"),
    ("layout", "partial", "newRiskLevel"),
])
def test_failure_switch_keeps_earlier_data(baseline, tmp_path, mirror, failure, status, words):
    home = tmp_path / "home"
    shutil.copytree(baseline, home)
    env = _env(home)
    url = env["WATCHDOG_DATABASE_URL"]
    before = _snapshot(url)
    assert before[0] == len(generate(1)) and before[1] == 0

    mirror.state.day = 2  # a day on which a complete crawl *would* remove listings
    mirror.state.failure = failure
    result = run_cli(env, "crawl", "court_dishonest", "--mirror", mirror.url, "--no-progress")

    assert result.returncode != 0
    error_lines = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert len(error_lines) == 1 and status in error_lines[0]
    with get_engine(url).connect() as conn:
        crawl = conn.execute(select(Crawl).order_by(Crawl.id.desc()).limit(1)).one()
    assert crawl.status == status
    assert words.lower() in (crawl.reason + " ".join(crawl.errors)).lower()
    listed, removed, _ = _snapshot(url)
    assert removed == 0, "a crawl that did not complete marked listings as removed"
    assert listed >= before[0]
    if failure == "layout":
        assert "newRiskLevel" in crawl.unknown_fields


def test_store_write_failure_fails_the_crawl_and_removes_nothing(baseline, tmp_path, mirror):
    """A batch the store refuses (here a trigger, as a full disk or a lock timeout would) must
    not leave a crawl that looks complete: the listings in that batch were not seen to be
    updated, and a complete crawl would mark them removed."""
    home = tmp_path / "home"
    shutil.copytree(baseline, home)
    env = _env(home)
    url = env["WATCHDOG_DATABASE_URL"]
    listed_before, _, hashes_before = _snapshot(url)
    with get_engine(url).begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse_new BEFORE INSERT ON observation "
            "BEGIN SELECT RAISE(ABORT, 'the store refused the write'); END")
    mirror.state.day, mirror.state.failure = 2, None  # day 2 adds listings: inserts fail
    result = run_cli(env, "crawl", "court_dishonest", "--mirror", mirror.url, "--no-progress")

    assert result.returncode != 0
    with get_engine(url).connect() as conn:
        crawl = conn.execute(select(Crawl).order_by(Crawl.id.desc()).limit(1)).one()
    assert crawl.status == "failed"
    assert "writing to the store failed" in crawl.reason
    assert "the store refused the write" in crawl.reason
    listed, removed, hashes = _snapshot(url)
    assert removed == 0, "a crawl whose writes failed marked listings as removed"
    assert listed == listed_before and hashes >= hashes_before

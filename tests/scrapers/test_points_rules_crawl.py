"""Crawling points_rules from the mirror through the CLI: complete crawls on both days record
the drift as changes, and each failure switch leaves a blocked or partial crawl with its reason,
earlier data intact and nothing marked removed. Skips until the pipeline writes drafts."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from tests.conftest import run_cli
from tests.scrapers.test_tax_a_list_crawl import (
    crawl_home,
    env_for,
    failure_crawl,
    last_crawl,
    snapshot,
)
from watchdog.mirror.sources import points_rules as page
from watchdog.store.db import get_engine
from watchdog.store.tables import Crawl, Observation, ObservationChange


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, mirror_server):
    return crawl_home(tmp_path_factory, mirror_server, "points_rules")


def test_complete_crawl_then_day2_changes(baseline, tmp_path, mirror):
    assert last_crawl(baseline).status == "complete"
    assert snapshot(baseline, "points_rules")[0] == 19
    home = tmp_path / "home"
    shutil.copytree(baseline, home)
    mirror.state.day = 2
    done = run_cli(env_for(home), "crawl", "points_rules", "--mirror", mirror.url, "--no-progress")
    assert done.returncode == 0, done.stderr
    with get_engine(env_for(home)["WATCHDOG_DATABASE_URL"]).connect() as conn:
        kinds = conn.execute(
            select(Observation.record_key, ObservationChange.kind)
            .join(Observation, Observation.id == ObservationChange.observation_id)
            .where(ObservationChange.crawl_id == last_crawl(home).id)).all()
    changed = {key for key, kind in kinds if kind == "changed"}
    assert "rongcheng:en:bank_arrears_month" in changed
    assert sum(1 for _, kind in kinds if kind == "added") == 1


@pytest.mark.parametrize(("failure", "status", "words"), [
    ("block412", "blocked", "412"),
    ("captcha", "blocked", "403"),
    ("http500", "partial", "HTTP 500"),
    ("truncated", "partial", "truncated"),
    ("layout", "partial", page.NEW_COLUMN),
])
def test_failure_switch_keeps_earlier_data(baseline, tmp_path, mirror, failure, status, words):
    # From page 1, as `watchdog mirror --fail` does by default: a one-document source fails too.
    failure_crawl(baseline, tmp_path, mirror, "points_rules", failure, status, words,
                  fail_from_page=1)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_import_chinese_table(cli_env, database_url):
    from tests.parsers.test_points_rules import FIX

    assert run_cli(cli_env, "init").returncode == 0
    done = run_cli(cli_env, "import", "points_rules", str(FIX / "rongcheng_zh.html"), "--no-progress")
    with get_engine(database_url).connect() as conn:
        status, reason, read = conn.execute(
            select(Crawl.status, Crawl.reason, Crawl.read).order_by(Crawl.id.desc()).limit(1)).one()
    # The extra 依据 column is reported, so the import is partial, with every row read.
    assert status == "partial" and "依据" in reason and read == 10, done.stderr

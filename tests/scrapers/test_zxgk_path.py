"""The zxgk way in (rolling lists, then one detail request per listing) reads the same listings
as the Baidu way in: the same record keys, so crawling one after the other changes nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import run_cli, running_mirror

SUMMARY = re.compile(r"court_dishonest: read (\d+), added (\d+), changed (\d+), "
                     r"unchanged (\d+), rejected (\d+)")
N = 600


@pytest.fixture(scope="module")
def small_mirror():
    with running_mirror(N) as server:
        yield server


def _summary(result) -> tuple[int, ...]:
    assert result.returncode == 0, result.stderr
    return tuple(int(g) for g in SUMMARY.fullmatch(result.stdout.strip().splitlines()[-1]).groups())


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_zxgk_details_and_baidu_pages_agree(cli_env, small_mirror):
    assert run_cli(cli_env, "init").returncode == 0
    common = ("--mirror", small_mirror.url, "--expect-min", str(N), "--no-progress")
    assert _summary(run_cli(cli_env, "crawl", "court_dishonest", "--path", "zxgk", *common)) \
        == (N, N, 0, 0, 0)
    assert _summary(run_cli(cli_env, "crawl", "court_dishonest", "--path", "baidu", *common)) \
        == (N, 0, 0, N, 0)
    # LOG_LEVEL is WARNING: no line per request or item (a detail URL names its case).
    log = Path(cli_env["WATCHDOG_HOME"]) / "logs" / "watchdog.log"
    text = log.read_text(encoding="utf-8") if log.exists() else ""
    assert "Crawled (" not in text and "Scraped from" not in text and "disDetailNew" not in text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_vanished_detail_page_is_not_a_delisting(cli_env, small_mirror):
    assert run_cli(cli_env, "init").returncode == 0
    common = ("--mirror", small_mirror.url, "--expect-min", str(N), "--no-progress")
    _summary(run_cli(cli_env, "crawl", "court_dishonest", "--path", "zxgk", *common))
    small_mirror.state.failure = "captcha"  # details answer {} (captcha expired)
    try:
        blocked = run_cli(cli_env, "crawl", "court_dishonest", "--path", "zxgk", *common)
    finally:
        small_mirror.state.failure = None
    assert blocked.returncode != 0 and "blocked" in blocked.stderr and "captcha" in blocked.stderr


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("failure", ["http500", "truncated"])
def test_a_failed_detail_page_is_reported_without_its_case(cli_env, small_mirror, failure):
    """A detail URL carries the listing's case number and record id: the crawl's reason and
    errors (shown on /sources and exported) and its log keep the path, not the query."""
    from sqlalchemy import select

    from watchdog.store.db import get_engine
    from watchdog.store.tables import Crawl

    assert run_cli(cli_env, "init").returncode == 0
    common = ("--mirror", small_mirror.url, "--no-progress")
    small_mirror.state.update(failure=failure, fail_from_page=1)
    try:
        result = run_cli(cli_env, "crawl", "court_dishonest", "--path", "zxgk", *common)
    finally:
        small_mirror.state.update(failure=None)
    assert result.returncode != 0
    with get_engine(cli_env["WATCHDOG_DATABASE_URL"]).connect() as conn:
        reason, errors = conn.execute(select(Crawl.reason, Crawl.errors)).one()
    said = " ".join([reason or "", *errors, result.stdout, result.stderr])
    assert "disDetailNew?(query withheld" in said  # the failed page is still named
    assert "caseCode=" not in said and "id=" not in said
    log = Path(cli_env["WATCHDOG_HOME"]) / "logs" / "watchdog.log"
    assert "caseCode=" not in (log.read_text(encoding="utf-8") if log.exists() else "")

"""Crawling perk_signals from the mirror through the CLI: a complete crawl of every partner
page, bylines kept out of the store and the archive, and each failure switch leaving a blocked
or partial crawl with earlier data intact. Skips until the pipeline writes drafts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.scrapers.test_tax_a_list_crawl import (
    crawl_home,
    failure_crawl,
    home_texts,
    last_crawl,
    snapshot,
)
from watchdog.mirror.sources import perk_signals as pages

BYLINES = ("韩晓梅", "周子涵", "邹文静", "Lin Zhao")


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, mirror_server):
    return crawl_home(tmp_path_factory, mirror_server, "perk_signals")


def test_complete_crawl_and_no_byline_kept(baseline):
    crawl = last_crawl(baseline)
    assert crawl.status == "complete" and crawl.requests == 4
    assert snapshot(baseline, "perk_signals")[0] == 7
    text = home_texts(baseline)
    assert not any(name in text for name in BYLINES)


@pytest.mark.parametrize(("failure", "status", "words"), [
    ("block412", "blocked", "412"),
    ("captcha", "blocked", "captcha"),
    ("http500", "partial", "HTTP 500"),
    ("truncated", "partial", "truncated"),
    ("layout", "partial", pages.NEW_LABEL[0]),
])
def test_failure_switch_keeps_earlier_data(baseline, tmp_path, mirror, failure, status, words):
    failure_crawl(baseline, tmp_path, mirror, "perk_signals", failure, status, words)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_import_partner_page(cli_env, database_url):
    from tests.parsers.test_perk_signals import FIX

    assert run_cli(cli_env, "init").returncode == 0
    done = run_cli(cli_env, "import", "perk_signals", str(FIX / "strict_and_english.html"),
                   "--no-progress")
    assert done.returncode == 0, done.stderr
    text = home_texts(Path(cli_env["WATCHDOG_HOME"]))
    assert "王晓东" not in text

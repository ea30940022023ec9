"""Crawling the gsxt mirror: notices, the directory and every listed company's page; each
failure switch stops or degrades the crawl with its reason; through the CLI, an incomplete
crawl keeps the earlier data, and no synthetic person reaches the store or the archive."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.scrapers.test_credit_china_crawl import (
    baseline_home,
    failure_keeps_earlier_data,
    home_env,
    snapshot,
    spider_run,
    stored_text,
)
from watchdog.mirror.sources.gsxt_data import companies


def test_spider_walks_notices_directory_and_company_pages(mirror):
    out = spider_run("gsxt", mirror)
    assert not out["blocked"] and not out["errors"] and not out["unknown"]
    listed = len([c for c in companies(1) if c.current() is not None])
    assert out["kinds"]["registration"] == out["kinds"]["abnormal_directory"] == listed
    assert {"notice", "abnormal", "serious", "penalty", "inspection"} <= set(out["kinds"])


@pytest.mark.parametrize(("failure", "field", "words"), [
    ("captcha", "blocked", "geetest"), ("block412", "blocked", "412"),
    ("http500", "errors", "HTTP 500"), ("truncated", "errors", "cut off"),
])
def test_spider_reports_each_failure(mirror, failure, field, words):
    out = spider_run("gsxt", mirror, failure)
    assert out[field] and all(words in reason for reason in out[field])
    assert out["kinds"].get("abnormal_directory") == 10  # the first directory page came through


def test_notices_api_block_is_a_block(mirror):
    # From the first page on: the notices API answers with 加速乐's HTTP 521 cookie script.
    out = spider_run("gsxt", mirror, "captcha", fail_from_page=0)
    # Whichever page answers first stops the crawl; a 521 must never read as a server error.
    assert out["blocked"] and not out["errors"]
    assert all("HTTP 521" in b or "geetest" in b for b in out["blocked"])


def test_spider_sees_a_changed_layout(mirror):
    out = spider_run("gsxt", mirror, "layout")
    assert {"公示状态", "label:信用等级"} <= set(out["unknown"])


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, mirror_server) -> Path:
    return baseline_home(tmp_path_factory, mirror_server, "gsxt")


@pytest.mark.parametrize(("failure", "status", "words"), [
    ("block412", "blocked", "412"), ("captcha", "blocked", "geetest"),
    ("http500", "partial", "HTTP 500"), ("truncated", "partial", "cut off"),
    ("layout", "partial", "公示状态"),
])
def test_failure_switch_keeps_earlier_data(baseline, tmp_path, mirror, failure, status, words):
    crawl = failure_keeps_earlier_data(baseline, tmp_path, mirror, "gsxt", failure, status, words)
    if failure == "layout":
        assert "公示状态" in crawl.unknown_fields


def test_day_two_and_no_person_is_stored(baseline, tmp_path, mirror):
    from watchdog.mirror.sources.gsxt_data import truth_names

    home = tmp_path / "home"
    shutil.copytree(baseline, home)
    env = home_env(home)
    before = snapshot(env["WATCHDOG_DATABASE_URL"], "gsxt")
    mirror.state.update(day=2, failure=None)
    done = run_cli(env, "crawl", "gsxt", "--mirror", mirror.url, "--no-progress")
    mirror.state.update(day=1)
    assert done.returncode == 0, done.stderr
    after = snapshot(env["WATCHDOG_DATABASE_URL"], "gsxt")
    assert after[0] > before[0] and after[1] == 0  # escalations and new listings, none gone
    text = stored_text(home)
    assert not [n for n in truth_names(1) | truth_names(2) if n in text]

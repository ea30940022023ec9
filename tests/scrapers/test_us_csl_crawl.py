"""Crawling the `us_csl` mirror through the CLI (helpers in test_ofac_sdn_crawl): a complete
crawl stores the Entity List companies and no person's name; each failure switch leaves the
crawl blocked or partial, the earlier data intact and nothing removed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.scrapers.test_ofac_sdn_crawl import (
    FAILURES,
    FIXTURES,
    SAMPLES,
    baseline_home,
    check_failure,
    check_import,
    home_env,
    last_crawl,
    stored_text,
)
from watchdog.mirror.sources.ofac_sdn_shared import court_pool, synthetic_persons
from watchdog.store.db import get_engine
from watchdog.store.tables import Subject


@pytest.mark.parametrize("relpath", ["trade_gov_csl/csl.csv", "fixtures:us_csl/csl_small.json"])
def test_import_real_formats(tmp_path, relpath: str) -> None:
    path = (FIXTURES / relpath[9:]) if relpath.startswith("fixtures:") else SAMPLES / relpath
    assert check_import(tmp_path, "us_csl", path, ("Gunther Migeotte", "HALVORSEN", "KOVALENKO")) >= 3


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory, mirror_server) -> Path:
    return baseline_home(tmp_path_factory, mirror_server, "us_csl")


def test_complete_crawl_keeps_companies_and_no_person(baseline) -> None:
    env = home_env(baseline)
    assert last_crawl(env).status == "complete"
    with get_engine(env["WATCHDOG_DATABASE_URL"]).connect() as conn:
        names = set(conn.execute(select(Subject.name)).scalars())
    assert {c["english"] for c in court_pool()[3:9]} <= names
    text = stored_text(env, baseline)
    for family, given in synthetic_persons("us_csl", 4):
        assert family not in text and given not in text


@pytest.mark.parametrize(("failure", "status", "words"), FAILURES)
def test_failure_switch_keeps_earlier_data(baseline, tmp_path, mirror, failure, status, words):
    # From page 1, as `watchdog mirror --fail` does by default: a one-document source fails too.
    check_failure(baseline, tmp_path, mirror, "us_csl", failure, status, words, 1)


def test_layout_change_is_partial_and_named(baseline, tmp_path, mirror) -> None:
    row = check_failure(baseline, tmp_path, mirror, "us_csl", "layout", "partial",
                        "layout changed: unknown field(s)", 0)
    assert "risk_score" in row.unknown_fields

"""Crawling the `worldbank_debarred` mirror through the CLI (helpers in test_ofac_sdn_crawl):
the page, then the API it names; a complete crawl stores the firms and no person's name; each
failure switch on the API leaves the crawl blocked or partial and the earlier data intact."""

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


@pytest.mark.parametrize("relpath", ["worldbank_debarred/world_bank_listing_of_ineligible_firms_and_individuals.xlsx",
                                     "fixtures:worldbank_debarred/wb_api.json"])
def test_import_real_formats(tmp_path, relpath: str) -> None:
    path = (FIXTURES / relpath[9:]) if relpath.startswith("fixtures:") else SAMPLES / relpath
    assert check_import(tmp_path, "worldbank_debarred", path, ("RUFAT MAJIDOV", "ABERNATHY", "MARQUETTI")) >= 3


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory, mirror_server) -> Path:
    return baseline_home(tmp_path_factory, mirror_server, "worldbank_debarred")


def test_complete_crawl_keeps_firms_and_no_person(baseline) -> None:
    env = home_env(baseline)
    assert last_crawl(env).status == "complete"
    with get_engine(env["WATCHDOG_DATABASE_URL"]).connect() as conn:
        keys = set(conn.execute(select(Subject.key)).scalars())
    assert {f"uscc:{c['uscc']}" for c in court_pool()[6:12]} <= keys
    text = stored_text(env, baseline)
    for family, given in synthetic_persons("worldbank_debarred", 4):
        assert family not in text and given.upper() not in text


@pytest.mark.parametrize(("failure", "status", "words"),
                         [f if f[0] != "captcha" else ("captcha", "blocked", "403")
                          for f in FAILURES])
def test_failure_switch_keeps_earlier_data(baseline, tmp_path, mirror, failure, status, words):
    check_failure(baseline, tmp_path, mirror, "worldbank_debarred", failure, status, words, 1)


def test_layout_change_is_partial_and_named(baseline, tmp_path, mirror) -> None:
    row = check_failure(baseline, tmp_path, mirror, "worldbank_debarred", "layout", "partial",
                        "layout changed: unknown field(s)", 1)
    assert "RISK_RATING" in row.unknown_fields

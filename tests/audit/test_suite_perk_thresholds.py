"""suite_perk_thresholds: partner pages' Zhima thresholds against the `zhima` regime and against
themselves between crawls, on pages that should and should not raise each finding."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.audit.test_suite_points_table import run, store
from tests.conftest import REPO
from watchdog.audit import suite_perk_thresholds as suite
from watchdog.audit.runner import suites
from watchdog.ingest import draft_rows
from watchdog.mirror.sources import perk_signals as mirror
from watchdog.parsers import perk_signals as parser
from watchdog.parsers.base import Draft
from watchdog.privacy import Keyer
from watchdog.sources import load_manifest
from watchdog.store.db import migrate
from watchdog.store.writer import CrawlRecorder, register_source

KEYER = Keyer(b"test-secret-for-perk-audit-00000")
FIX = REPO / "tests" / "fixtures" / "perk_signals"


def pages(day: int, only: tuple[str, ...] | None = None) -> list[list[Draft]]:
    return [parser.parse_bytes(mirror.page_body(c, day, False), KEYER).drafts
            for c in mirror.pages() if only is None or c["id"] in only]


def page(html: str) -> list[Draft]:
    body = f"<html><head><title>t</title></head><body>{html}</body></html>".encode()
    return parser.parse_bytes(body, KEYER).drafts


@pytest.fixture
def url(database_url: str) -> str:
    migrate(database_url)
    return database_url


def test_suite_is_discovered():
    assert "perk_thresholds" in dict(suites())


def test_matching_pages_raise_nothing(url, tmp_path):
    store(url, tmp_path, "perk_signals", pages(1, ("alitrip_visa", "suzhou_bike", "car_rental")))
    counts, rows = run(url, suite)
    assert counts == dict.fromkeys(suite.SEVERITY, 0) and rows == []


def test_day1_difference_and_unmodelled_perk(url, tmp_path):
    store(url, tmp_path, "perk_signals", pages(1))
    counts, rows = run(url, suite)
    assert counts == {"perk_threshold_differs": 1, "perk_not_in_model": 1,
                      "perk_threshold_changed": 0}
    differs = next(r for r in rows if r.check_id == "perk_threshold_differs")
    assert differs.rule == "perks.hotel_no_deposit"
    assert differs.citation == "sboyo_zhima_deposits" and differs.evidence == "low"
    assert "600" in differs.summary and "550" in differs.summary
    assert differs.detail["published"]["min_score"] == 600 and differs.detail["model"]["min_score"] == 550
    other = next(r for r in rows if r.check_id == "perk_not_in_model")
    assert "共享充电宝免押金" in other.summary and other.severity == "low"


def test_day2_change(url, tmp_path):
    store(url, tmp_path, "perk_signals", pages(1))
    store(url, tmp_path, "perk_signals", pages(2))
    counts, rows = run(url, suite)
    assert counts == {"perk_threshold_differs": 2, "perk_not_in_model": 1,
                      "perk_threshold_changed": 1}
    changed = next(r for r in rows if r.check_id == "perk_threshold_changed")
    assert changed.rule == "perks.domestic_car_rental_no_deposit"
    assert "from 650 to 600" in changed.summary
    assert changed.detail["fields"]["min_score"] == [650, 600]
    rental = [r for r in rows if r.rule == "perks.domestic_car_rental_no_deposit"
              and r.check_id == "perk_threshold_differs"]
    assert len(rental) == 1 and "model records 650" in rental[0].summary


def test_strict_comparison_and_missing_condition(url, tmp_path):
    strict = page("<p>合作方：阿里旅行</p><p>芝麻信用分高于700分的用户申请新加坡签证免资产证明。</p>")
    no_condition = page("<p>Suzhou public bicycles: a Sesame Credit score of 600 or above "
                        "is enough to borrow a bike without a deposit.</p>")
    store(url, tmp_path, "perk_signals", [strict, no_condition])
    counts, rows = run(url, suite)
    assert counts["perk_threshold_differs"] == 2
    by_rule = {r.rule: r for r in rows}
    assert "above 700" in by_rule["perks.singapore_visa_alitrip"].summary
    assert "model records 700" in by_rule["perks.singapore_visa_alitrip"].summary
    suzhou = by_rule["perks.suzhou_public_bike_no_deposit"]
    assert "no_bad_record_5y" in suzhou.summary


def test_perk_dropped_from_a_page(url, tmp_path):
    store(url, tmp_path, "perk_signals", pages(1))
    store(url, tmp_path, "perk_signals", pages(1, ("alitrip_visa", "suzhou_bike", "deposits")))
    counts, rows = run(url, suite)
    assert counts["perk_threshold_changed"] == 1
    gone = next(r for r in rows if r.check_id == "perk_threshold_changed")
    assert gone.detail["change"] == "removed" and "no longer states" in gone.summary


def imported(url: str, artifacts, drafts: list[Draft]) -> None:
    """One `watchdog import` of a saved page: part of the source, so it never removes anything."""
    register_source(url, load_manifest("perk_signals").model_dump())
    rec = CrawlRecorder(url, artifacts, "perk_signals", mode="import", origin="file:page.html")
    rec.write_batch(draft_rows(rec, drafts), None)
    rec.finish(covers_whole_source=False)


def fixture(name: str) -> list[Draft]:
    return parser.parse_bytes((FIX / name).read_bytes(), KEYER, name=name).drafts


def legacy(drafts: list[Draft]) -> list[Draft]:
    """The drafts as the parser keyed them before records were per page (`perk:partner`)."""
    return [replace(d, record_key=d.record_key.split("@", 1)[0]) for d in drafts]


def test_two_pages_on_one_perk_do_not_change_each_other(url, tmp_path):
    """The reviewer's case: site A's page (550), site B's (650), site A's again."""
    for name in ("site_a_rental.html", "site_b_rental.html", "site_a_rental.html"):
        imported(url, tmp_path, fixture(name))
    counts, rows = run(url, suite)
    assert counts["perk_threshold_changed"] == 0
    # Each page is compared with the model on its own: A's 550 differs, B's 650 does not.
    (differs,) = [r for r in rows if r.check_id == "perk_threshold_differs"]
    assert "550" in differs.summary and "甲网站" in differs.summary
    assert differs.detail["published"]["page"] == "甲网站 / 芝麻信用免押金租车"


def test_a_page_changing_is_still_a_change(url, tmp_path):
    site_a = fixture("site_a_rental.html")
    imported(url, tmp_path, site_a)
    imported(url, tmp_path, fixture("site_b_rental.html"))
    moved = [replace(d, payload={**d.payload, "threshold": 600, "min_score": 600}) for d in site_a]
    imported(url, tmp_path, moved)
    counts, rows = run(url, suite)
    (changed,) = [r for r in rows if r.check_id == "perk_threshold_changed"]
    assert "from 550 to 600" in changed.summary and "甲网站" in changed.summary


def test_records_from_before_pages_were_keyed(url, tmp_path):
    """Old `perk:partner` records: the first crawl under per-page keys replaces them (the store
    marks them removed and adds the new ones), which is no change of any page; their history,
    which mixed pages, is not reported."""
    store(url, tmp_path, "perk_signals", [legacy(d) for d in pages(1)])
    store(url, tmp_path, "perk_signals", [legacy(d) for d in pages(2)])  # car rental 650 -> 600
    store(url, tmp_path, "perk_signals", pages(2))
    counts, _ = run(url, suite)
    assert counts == {"perk_threshold_differs": 2, "perk_not_in_model": 1,
                      "perk_threshold_changed": 0}
    # Later changes of a page are reported as before.
    store(url, tmp_path, "perk_signals", pages(1))
    counts, rows = run(url, suite)
    assert counts["perk_threshold_changed"] == 1
    assert "from 600 to 650" in next(r.summary for r in rows if r.check_id == "perk_threshold_changed")


def test_an_old_imported_record_is_not_compared_twice(url, tmp_path):
    """An import never removes, so an old per-perk record stays listed beside the per-page one
    that re-read the page: only the per-page one is compared with the model."""
    imported(url, tmp_path, legacy(fixture("site_a_rental.html")))
    imported(url, tmp_path, fixture("site_a_rental.html"))
    counts, _ = run(url, suite)
    assert counts["perk_threshold_differs"] == 1
    # An old record no per-page record has re-read is still evidence, and still compared.
    imported(url, tmp_path, legacy(page("<p>芝麻分600分以上可免押金入住酒店。</p>")))
    counts, _ = run(url, suite)
    assert counts["perk_threshold_differs"] == 2


def test_half_deposit_range_is_a_perk_the_model_lacks(url, tmp_path):
    imported(url, tmp_path, fixture("half_deposit.html"))
    counts, rows = run(url, suite)
    assert counts == {"perk_threshold_differs": 0, "perk_not_in_model": 1,
                      "perk_threshold_changed": 0}
    (row,) = rows
    assert "600 and below 700" in row.summary and "half the deposit" in row.summary
    assert row.detail["published"]["max_score"] == 699


def test_a_range_that_narrows_is_a_change(url, tmp_path):
    body = "<p>来源：丙网站</p><p>芝麻分600分以上、{}分以下可享半额押金租车。</p>"
    store(url, tmp_path, "perk_signals", [page(body.format(700))])
    store(url, tmp_path, "perk_signals", [page(body.format(650))])
    counts, rows = run(url, suite)
    (changed,) = [r for r in rows if r.check_id == "perk_threshold_changed"]
    assert "from 600-699 to 600-649" in changed.summary

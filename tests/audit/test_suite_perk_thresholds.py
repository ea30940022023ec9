"""suite_perk_thresholds: partner pages' Zhima thresholds against the `zhima` regime and against
themselves between crawls, on pages that should and should not raise each finding."""

from __future__ import annotations

import pytest

from tests.audit.test_suite_points_table import run, store
from watchdog.audit import suite_perk_thresholds as suite
from watchdog.audit.runner import suites
from watchdog.mirror.sources import perk_signals as mirror
from watchdog.parsers import perk_signals as parser
from watchdog.parsers.base import Draft
from watchdog.privacy import Keyer
from watchdog.store.db import migrate

KEYER = Keyer(b"test-secret-for-perk-audit-00000")


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

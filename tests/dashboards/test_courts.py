"""/courts: listings and finding rates per enforcing court, small groups suppressed."""

from __future__ import annotations

import csv
import io


def test_courts_page_and_twins_agree(client):
    page = client.get("/courts")
    assert page.status_code == 200 and "北京第一法院" in page.get_data(as_text=True)
    rows = client.get("/courts.json").get_json()["rows"]
    by_court = {r["court"]: r for r in rows}
    # 20 persons in Beijing's first court; 3 in Tibet's, shown only as "<10".
    assert by_court["北京第一法院"]["persons"] == 20
    assert by_court["西藏第一法院"]["persons"] == "<10"
    assert by_court["西藏第一法院"]["rate_suppressed"] is True
    assert by_court["西藏第一法院"]["rate"] is None
    table = list(csv.DictReader(io.StringIO(client.get("/courts.csv").get_data().decode("utf-8-sig"))))
    assert {r["court"] for r in table} == set(by_court)


def test_a_court_with_enough_listings_has_a_rate_with_its_interval(client):
    rows = {r["court"]: r for r in client.get("/courts.json").get_json()["rows"]}
    beijing = rows["北京第一法院"]
    assert beijing["rate_suppressed"] is False and beijing["audited"] >= 10
    assert beijing["rate_low"] <= beijing["rate"] <= beijing["rate_high"]


def test_courts_facets_filter_and_reject_unknown_values(client):
    rows = client.get("/courts.json?province=河南").get_json()["rows"]
    assert rows and all(r["court"].startswith("河南") for r in rows)
    assert client.get("/courts?province=nowhere").status_code == 400
    assert client.get("/courts?colour=red").status_code == 400


def test_counts_are_of_current_listings_like_the_rates_beside_them(client):
    body = client.get("/courts.json").get_json()
    assert body["filters"]["status"] == ["listed"]
    rated = [r for r in body["rows"] if r["audited"] is not None]
    assert rated and all(isinstance(r["persons"], int) for r in rated)
    # The audited listings of a court are exactly the persons and companies counted beside them.
    assert all(r["persons"] + r["companies"] == r["audited"] for r in rated)
    # Two Henan persons were removed by the second crawl: counted only when asked for.
    every = client.get("/courts.json?status=listed&status=removed").get_json()["rows"]
    removed = client.get("/courts.json?status=removed").get_json()["rows"]
    assert {r["court"] for r in removed} == {"河南第一法院"} and removed[0]["persons"] == "<10"
    assert len(every) >= len(body["rows"])


def test_a_filter_that_narrows_listings_shows_no_rate_beside_its_counts(client):
    narrowed = client.get("/courts.json?party_type=company").get_json()
    assert narrowed["rates_apply"] is False
    assert all(r["rate"] is None and r["audited"] is None for r in narrowed["rows"])
    assert 'id="rates-off"' in client.get("/courts?status=removed").get_data(as_text=True)
    # A province narrows the courts, not their listings: the rates stay.
    by_place = client.get("/courts.json?province=北京").get_json()
    assert by_place["rates_apply"] is True
    assert any(r["rate"] is not None for r in by_place["rows"])

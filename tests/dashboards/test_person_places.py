"""A privacy reviewer's attacks on /changes and /findings, which must fail: a person's row names
no province or court, so rows cannot be counted per place; under a place filter findings about
persons are neither listed nor counted in the page's total, and their number is suppressed in
such a way that no two answers can be subtracted to find a small cell. Companies keep their
province, court and case number.

The fixture (tests/dashboards/conftest.py): persons' courts are "<province>第一法院", companies'
"<province>中级法院"; two Henan persons are removed by the second crawl; 3 listed Henan persons
have no lawful circumstance and 7 have fully performed (both findings), so each is a small cell.
"""

from __future__ import annotations

import csv
import io
import itertools

import pytest

from watchdog.audit.checks import CHECKS
from watchdog.audit.public_findings import PERSON_SUMMARY_KEPT

PERSON_COURTS = ("北京第一法院", "河南第一法院", "西藏第一法院")


def _persons(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["party_type"] != "company"]


def test_removed_persons_cannot_be_counted_per_court(client):
    removed = client.get("/changes.json?source=court_dishonest&kind=removed").get_json()
    persons = _persons(removed["rows"])
    assert len(persons) == 2  # the two removed Henan persons: fewer than 10
    assert {(r["province"], r["court"]) for r in persons} == {(None, None)}
    assert not any(key in ("province", "court", "gist_unit") and value is not None
                   for r in persons for key, value in r["field_changes"].items())
    for twin in ("/changes?kind=removed", "/changes.csv?kind=removed", "/changes.json"):
        text = client.get(twin).get_data(as_text=True)
        assert not [court for court in PERSON_COURTS if court in text], twin
    table = list(csv.DictReader(io.StringIO(
        client.get("/changes.csv?per_page=1000").get_data().decode("utf-8-sig"))))
    assert table and all(r["province"] == r["court"] == "" for r in table
                         if r["party_type"] == "person")


def assert_companies_keep_place_and_case(rows: list[dict], count: int) -> None:
    companies = [r for r in rows if r["party_type"] == "company"]
    assert len(companies) == count
    for row in companies:
        assert row["province"] and row["court"] == f"{row['province']}中级法院"
        assert row["case_code"] and row["company_name"] and row["observation_id"]


def test_companies_keep_their_place_and_case_on_changes(client):
    assert_companies_keep_place_and_case(
        client.get("/changes.json?per_page=1000").get_json()["rows"], 9)


def test_person_findings_name_no_place_listing_or_date(client, store):
    body = client.get("/findings.json?per_page=1000").get_json()
    persons = _persons(body["rows"])
    assert len(persons) == 10  # 3 + 7, listed without a place filter as before
    for row in persons:
        assert row["province"] is None and row["court"] is None
        assert row["observation_id"] is None and row["case_code"] is None
        assert row["rule"] and row["citation"] and row["evidence"] and row["severity"]
        assert row["artifact_sha256"] == store.artifact_sha
    summaries = {r["check_id"]: r["summary"] for r in persons}
    # That check's summaries name the dates of performance and of the removal deadline.
    assert summaries["performed_not_removed"] == CHECKS["performed_not_removed"].description
    # This one's name neither a date nor a place, so the audit's own sentence stays.
    assert summaries["no_lawful_circumstance"] == "Listed with none of the six lawful circumstances."
    html = client.get("/findings").get_data(as_text=True)
    assert not [court for court in PERSON_COURTS if court in html]
    assert "not shown for a person" in html


def test_company_findings_keep_place_case_and_listing(client):
    assert_companies_keep_place_and_case(
        client.get("/findings.json?per_page=1000").get_json()["rows"], 4)


def test_a_place_filter_lists_companies_only_and_suppresses_persons(client):
    body = client.get("/findings.json?check=no_lawful_circumstance&province=河南").get_json()
    assert [r["party_type"] for r in body["rows"]] == ["company"]
    # The total counts the company alone: before, it was 4, and 4 - 1 gave Henan's 3 persons.
    assert body["findings"]["total"] == 1
    assert body["person_findings"]["count"] == "<10"
    assert "person" in body["person_findings"]["why"]
    html = client.get("/findings?check=no_lawful_circumstance&province=河南").get_data(
        as_text=True)
    assert 'id="person-findings"' in html and "&lt;10" in html
    assert "河南中级法院" in html and "河南第一法院" not in html
    csv_text = client.get("/findings.csv?check=no_lawful_circumstance&province=河南").get_data(
        ).decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(csv_text)))) == 1
    assert client.get("/findings.json").get_json()["person_findings"] is None


@pytest.mark.parametrize("check", ["no_lawful_circumstance", "performed_not_removed"])
def test_person_counts_per_place_cannot_be_subtracted(client, check):
    everything = client.get(f"/findings.json?check={check}&per_page=1000").get_json()
    public_total = len(_persons(everything["rows"]))  # the unfiltered page lists them all
    assert 0 < public_total < 10
    # Every place the filter accepts: those of the findings about companies.
    rows = client.get("/findings.json?per_page=1000").get_json()["rows"]
    known = sorted({r["province"] for r in rows if r["province"]})
    assert known == ["北京", "广东", "河南"]

    def count(provinces: tuple[str, ...]) -> int | str:
        query = "&".join(f"province={p}" for p in provinces)
        body = client.get(f"/findings.json?check={check}&{query}").get_json()
        companies = sum(1 for r in everything["rows"] if r["party_type"] == "company"
                        and r["province"] in provinces)
        assert body["findings"]["total"] == companies == len(body["rows"])
        return body["person_findings"]["count"]

    single = {p: count((p,)) for p in known}
    assert single["河南"] == "<10"
    # Every exact answer a reader can get, and the public total: no small cell follows.
    exact = {p: n for p, n in single.items() if isinstance(n, int)}
    # A rate's numerator less the province's companies (all still listed here) is its persons.
    for rate in everything["rates_by_province"]:
        if not rate["suppressed"] and rate["group"] in single:
            companies = sum(1 for r in everything["rows"] if r["party_type"] == "company"
                            and r["province"] == rate["group"])
            exact[rate["group"]] = rate["findings"] - companies
    assert len(single) - len(exact) >= 2, (single, exact)  # a lone unknown is the total less the rest
    assert public_total - sum(exact.values()) >= 0
    for pair in itertools.combinations(known, 2):
        shown = count(pair)
        if any(not isinstance(single[p], int) for p in pair):
            assert not isinstance(shown, int), (pair, shown)
        else:
            assert shown == sum(single[p] for p in pair)


def test_rates_by_province_do_not_tell_the_persons_held_back(client):
    """A rate's numerator less the companies listed under a place filter is the persons: here
    Henan's 10 would be all of the 3 + 7 persons with a finding, and Beijing's 0 would show the
    zeros held back beside them to be zeros."""
    for query in ("", "?check=no_lawful_circumstance", "?check=performed_not_removed"):
        rates = {r["group"]: r for r in client.get(f"/findings.json{query}").get_json()[
            "rates_by_province"]}
        assert rates["河南"]["suppressed"] and rates["河南"]["findings"] is None, query
        assert rates["北京"]["suppressed"] and rates["北京"]["persons_held_back"], query
    assert "it would tell how many persons have a finding" in client.get("/findings").get_data(
        as_text=True)


def test_kept_summaries_are_of_checks_that_exist():
    # A renamed check would drop out of the kept set and fall back to its description: safe,
    # but the kept set should say what it means.
    assert PERSON_SUMMARY_KEPT <= set(CHECKS)
    assert not {"performed_not_removed", "past_legal_term", "past_maximum_term"} & PERSON_SUMMARY_KEPT

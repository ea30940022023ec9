"""What /changes and the export show of a change: companies named with their case numbers;
a person as "a person", without case number or keyed hash, and with only coarse values."""

from __future__ import annotations

from pathlib import Path

from watchdog.store import queries_history as history
from watchdog.store.db import get_engine, migrate
from watchdog.store.writer import CrawlRecorder, ListingRow, register_source

PERSON_CASE = "(2021)豫0101执777号"
PERSON_GIST = "(2020)豫0101民初4242号"
COMPANY_CASE = "(2021)京0101执888号"
PERSON_COURTS = ("郑州第一法院", "上海第二法院")


def _rows(day: int) -> list[ListingRow]:
    person = ListingRow(
        record_key=f"{PERSON_CASE}|pk", subject={"key": "pk", "kind": "person"},
        payload={"case_code": PERSON_CASE, "gist_id": PERSON_GIST, "name_key": f"k{day}",
                 "duty": f"pay {1000 * day} yuan", "performance": ("全部未履行", "部分未履行")[day],
                 "age": 40 + day, "court": PERSON_COURTS[day], "gist_unit": PERSON_COURTS[day],
                 "province": ("河南", "上海")[day], "publish_date": f"2021-0{1 + day}-15"},
        facets={"party_type": "person", "province": "河南", "court": PERSON_COURTS[0]})
    company = ListingRow(
        record_key=f"{COMPANY_CASE}|ck", subject={"key": "ck", "kind": "company",
                                                 "name": "测试科技有限公司", "code": "91110000MA00000001"},
        payload={"case_code": COMPANY_CASE, "gist_id": f"(2020)京0101民初{day}号",
                 "legal_rep_key": f"r{day}", "performance": "全部未履行"},
        facets={"party_type": "company", "province": "北京", "court": "北京中级法院"})
    return [person, company]


def _store(url: str, artifacts: Path) -> None:
    migrate(url)
    register_source(url, {"id": "court_dishonest", "title": "t", "publisher": "p"})
    for day in (0, 1):
        rec = CrawlRecorder(url, artifacts, "court_dishonest")
        sha = rec.archive(stored=b"{}", original_sha256="0" * 64, redacted=False,
                          url="http://x", http_status=200, content_type="application/json",
                          size=2)
        rec.write_batch(_rows(day), sha)
        rec.finish(covers_whole_source=True)


def test_a_change_to_a_person_shows_coarse_values_and_no_case_number(database_url, tmp_path):
    _store(database_url, tmp_path / "artifacts")
    rows, total = history.changes(get_engine(database_url), crawl_id=None, kinds=("changed",),
                                  page=1, size=10)
    assert total == 2
    person = next(r for r in rows if r["party_type"] == "person")
    assert person["case_code"] is None and person["company_name"] is None
    assert person["changed_fields"] == [  # the key is not named
        "age", "court", "duty", "gist_unit", "performance", "province", "publish_date"]
    assert person["field_changes"]["performance"] == ["全部未履行", "部分未履行"]
    assert person["field_changes"]["publish_date"] == ["2021-01-15", "2021-02-15"]
    assert person["field_changes"]["duty"] is None and person["field_changes"]["age"] is None
    text = repr(person)
    assert PERSON_CASE not in text and PERSON_GIST not in text and "pay 1000" not in text


def test_a_change_to_a_company_is_named_with_its_case_and_values(database_url, tmp_path):
    _store(database_url, tmp_path / "artifacts")
    rows, _ = history.changes(get_engine(database_url), crawl_id=None, kinds=("changed",),
                              page=1, size=10)
    company = next(r for r in rows if r["party_type"] == "company")
    assert (company["company_name"], company["case_code"]) == ("测试科技有限公司", COMPANY_CASE)
    assert company["changed_fields"] == ["gist_id"]  # legal_rep_key: a keyed hash, not shown
    assert company["field_changes"]["gist_id"] == ["(2020)京0101民初0号", "(2020)京0101民初1号"]


def test_a_change_to_a_person_names_no_place(database_url, tmp_path):
    """A place beside a date narrows a listing to one person, and rows counted per court would
    give back the small cells /courts suppresses: a person's row has neither, not even as a
    changed value."""
    _store(database_url, tmp_path / "artifacts")
    assert not {"province", "court", "gist_unit"} & history.PERSON_VALUES_SHOWN
    rows, _ = history.changes(get_engine(database_url), crawl_id=None, kinds=(), page=1, size=10)
    persons = [r for r in rows if r["party_type"] == "person"]
    assert {r["kind"] for r in persons} == {"added", "changed"}
    for person in persons:
        assert person["province"] is None and person["court"] is None
        assert "is_person" not in person
    changed = next(r for r in persons if r["kind"] == "changed")
    assert [changed["field_changes"][f] for f in ("court", "gist_unit", "province")] == [None] * 3
    text = repr(persons)
    assert not [p for p in (*PERSON_COURTS, "河南", "上海") if p in text]
    company = next(r for r in rows if r["party_type"] == "company" and r["kind"] == "added")
    assert (company["province"], company["court"]) == ("北京", "北京中级法院")

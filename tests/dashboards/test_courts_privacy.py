"""/courts must not give away how many persons have a finding at a court.

A court's `with_finding` counts listings of persons and of companies; /findings lists every
company's finding with its court. The first less the second is the court's persons with a
finding, so where that is 1 to 9 the court's finding count and rate are held back.

The store: the fixture's, with ten Beijing persons (none with a finding) moved to 广东中级法院,
where one of the four companies has a finding, and two of the ten given a finding. Its
persons with a finding: 2. 北京第一法院 keeps ten persons and none has a finding (0); 河南第一法院
has ten persons with a finding (the threshold): both show their rate as before.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import insert, select, update

from dashboards import create_app
from tests.dashboards.conftest import build_store
from watchdog.store.db import get_engine
from watchdog.store.tables import AuditRun, Finding, Observation

MIXED = "广东中级法院"


def move_persons(url: str, court: str, *, province: str | None = None,
                 with_finding: int = 2) -> None:
    """Ten Beijing persons (no finding in the fixture) moved to `court` (and `province`), the
    first `with_finding` of them given a finding of the current run there."""
    obs, fnd, run = Observation.__table__, Finding.__table__, AuditRun.__table__
    moved = [f"p{n}" for n in range(10)]
    place = province or "北京"
    with get_engine(url).begin() as conn:
        conn.execute(update(obs).where(obs.c.record_key.in_(moved))
                     .values(court=court, province=place))
        current = conn.execute(select(run.c.id).where(run.c.status == "complete")
                               .order_by(run.c.id.desc()).limit(1)).scalar_one()
        template = dict(conn.execute(select(fnd).where(fnd.c.audit_run_id == current,
                                                       fnd.c.check_id == "no_lawful_circumstance")
                                     .limit(1)).mappings().one())
        template.pop("id")
        for oid, sid in conn.execute(select(obs.c.id, obs.c.subject_id)
                                     .where(obs.c.record_key.in_(moved[:with_finding]))):
            conn.execute(insert(fnd).values({**template, "observation_id": oid,
                                             "subject_id": sid, "province": place,
                                             "court": court}))


@pytest.fixture(scope="module")
def mixed_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    store = build_store(tmp_path_factory.mktemp("courts-privacy"))
    # Moved with their province, so 北京 keeps no held-back court (see the last test).
    move_persons(store.url, MIXED, province="广东")
    app = create_app(store.url, store.artifacts_dir, TESTING=True)
    with app.test_client() as client:
        yield client


def _courts(client: FlaskClient) -> dict[str | None, dict]:
    return {r["court"]: r for r in client.get("/courts.json").get_json()["rows"]}


def _company_findings_at(client: FlaskClient, court: str) -> int:
    rows = client.get("/findings.json?per_page=1000").get_json()["rows"]
    listings = {r["observation_id"] for r in rows
                if r["court"] == court and r["party_type"] == "company"}
    return len(listings)


def test_a_court_with_few_persons_with_a_finding_holds_back_its_count_and_rate(mixed_client):
    row = _courts(mixed_client)[MIXED]
    companies = _company_findings_at(mixed_client, MIXED)
    assert companies == 1  # listed by name, with its court, on /findings
    # Shown, with_finding (3) less the company's finding would be the 2 persons.
    assert row["with_finding"] is None and row["audited"] is None
    assert row["rate"] is None and row["rate_low"] is None and row["rate_high"] is None
    assert row["rate_suppressed"] is True and row["persons_held_back"] is True
    assert row["persons"] == 10 and row["companies"] == 4  # the listing counts stay


def test_the_csv_and_the_page_hold_it_back_too_and_say_why(mixed_client):
    table = {r["court"]: r for r in csv.DictReader(io.StringIO(
        mixed_client.get("/courts.csv").get_data().decode("utf-8-sig")))}
    row = table[MIXED]
    assert row["with_finding"] == row["rate"] == row["audited"] == ""
    assert row["persons_held_back"] in ("True", "true", "1")
    page = mixed_client.get("/courts").get_data(as_text=True)
    assert "held back: it would tell how many persons have a finding" in page
    assert "the findings page lists" in page and "each company" in page


def test_courts_with_no_or_enough_persons_with_a_finding_keep_their_rate(mixed_client):
    courts = _courts(mixed_client)
    henan = courts["河南第一法院"]  # ten persons with a finding: not a small cell
    assert henan["persons_held_back"] is False and henan["rate_suppressed"] is False
    assert henan["with_finding"] == 10 and henan["audited"] == 14


def test_a_rate_goes_where_its_n_would_give_back_a_held_back_persons_count(mixed_client):
    """北京第一法院's ten persons are held back as "≥10" (so Tibet's small count cannot be had by
    subtraction); its audited n, beside its 0 companies, would be exactly that count."""
    beijing = _courts(mixed_client)["北京第一法院"]
    assert beijing["persons"] == "≥10" and beijing["companies"] == 0
    assert beijing["count_held_back"] is True and beijing["persons_held_back"] is False
    assert beijing["audited"] is None and beijing["rate"] is None
    assert "it would give back the persons' count" in mixed_client.get("/courts").get_data(
        as_text=True)


def test_the_fixture_store_still_shows_its_rates(client):
    rows = {r["court"]: r for r in client.get("/courts.json").get_json()["rows"]}
    assert rows["北京第一法院"]["rate_suppressed"] is False
    assert not any(r["persons_held_back"] for r in rows.values())
    # 河南第一法院's persons are the cell held back beside Tibet's: its n would give them back.
    assert rows["河南第一法院"]["persons"] == "≥10" and rows["河南第一法院"]["count_held_back"]


def test_a_second_court_of_the_province_is_held_back_with_a_lone_one(tmp_path):
    """北京 with two courts: 北京第二法院 has 2 persons with a finding (held back); were 北京第一法院
    shown, 北京's count on /findings less its count would give the 2 back, so it goes too."""
    store = build_store(tmp_path)
    move_persons(store.url, "北京第二法院")
    client = create_app(store.url, store.artifacts_dir, TESTING=True).test_client()
    courts = _courts(client)
    assert courts["北京第二法院"]["persons_held_back"] is True
    first = courts["北京第一法院"]  # 0 persons with a finding, but 北京's only other shown court
    assert first["persons_held_back"] is True and first["with_finding"] is None
    assert first["persons"] in (10, "≥10")  # its listing counts stay
    henan = courts["河南第一法院"]  # no held-back court in 河南: not held back for findings
    assert henan["persons_held_back"] is False
    # But /lists?status=listed holds 河南 back beside 西藏's "<10" (37 persons, 北京 20), and
    # 河南第一法院 holds all of 河南's: shown as 14, it gave 西藏's 3 back. So its persons
    # are held back as 河南 is, and its rate with them.
    assert henan["persons"] == "≥10" and henan["count_held_back"] is True

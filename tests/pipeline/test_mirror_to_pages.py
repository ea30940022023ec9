"""End to end: mirror -> crawl -> audit -> pages, on SQLite and on PostgreSQL.

Counts are checked against what the mirror's generator says it published, so a crawl that
drops, doubles or mislabels listings fails here.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests.conftest import run_cli
from watchdog.mirror.generator import generate
from watchdog.store.db import get_engine
from watchdog.store.tables import Crawl, Finding, Observation, ObservationChange

SUMMARY = re.compile(r"court_dishonest: read (\d+), added (\d+), changed (\d+), "
                     r"unchanged (\d+), rejected (\d+)")
PAYLOAD_FIELDS = ("performance", "performedPart", "unperformPart", "duty", "disruptTypeName")


def _summary(stdout: str) -> tuple[int, ...]:
    match = SUMMARY.fullmatch(stdout.strip().splitlines()[-1])
    assert match, f"last line is not the summary: {stdout[-300:]!r}"
    return tuple(int(g) for g in match.groups())


def _count(url: str, stmt: object) -> int:
    with get_engine(url).connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def _expected_delta() -> tuple[int, int, int]:
    day1 = {r["id"]: r for r in generate(1)}
    day2 = {r["id"]: r for r in generate(2)}
    added = len(day2.keys() - day1.keys())
    removed = len(day1.keys() - day2.keys())
    changed = sum(1 for i in day1.keys() & day2.keys()
                  if any(day1[i].get(f) != day2[i].get(f) for f in PAYLOAD_FIELDS))
    return added, removed, changed


def test_crawl_twice_then_day_two_then_audit_and_pages(cli_env, database_url, mirror):
    assert run_cli(cli_env, "init").returncode == 0
    n1 = len(generate(1))

    first = run_cli(cli_env, "crawl", "court_dishonest", "--mirror", mirror.url, "--no-progress")
    assert first.returncode == 0, first.stderr
    assert _summary(first.stdout) == (n1, n1, 0, 0, 0)

    # Same data again: every listing unchanged, not one new observation or change row.
    changes_before = _count(database_url, select(func.count()).select_from(ObservationChange))
    again = run_cli(cli_env, "crawl", "court_dishonest", "--mirror", mirror.url, "--no-progress")
    assert again.returncode == 0, again.stderr
    assert _summary(again.stdout) == (n1, 0, 0, n1, 0)
    assert _count(database_url, select(func.count()).select_from(Observation)) == n1
    assert _count(database_url, select(func.count()).select_from(ObservationChange)) == changes_before

    mirror.state.day = 2
    second = run_cli(cli_env, "crawl", "court_dishonest", "--mirror", mirror.url, "--no-progress")
    assert second.returncode == 0, second.stderr
    added, removed, changed = _expected_delta()
    read, got_added, got_changed, _, rejected = _summary(second.stdout)
    assert (read, got_added, got_changed, rejected) == (len(generate(2)), added, changed, 0)
    assert _count(database_url, select(Crawl.removed).order_by(Crawl.id.desc()).limit(1)) == removed
    assert _count(database_url, select(func.count()).select_from(Observation).where(
        Observation.status == "removed")) == removed

    audit = run_cli(cli_env, "audit")
    assert audit.returncode == 0, audit.stderr
    with get_engine(database_url).connect() as conn:
        by_check = dict(conn.execute(select(Finding.check_id, func.count())
                                     .group_by(Finding.check_id)).all())
    for check in ("no_lawful_circumstance", "past_legal_term", "performed_not_removed",
                  "minor_listed", "id_not_masked", "statutory_fields_missing"):
        assert by_check.get(check, 0) > 0, f"the audit found nothing for {check}: {by_check}"

    from dashboards import create_app
    from watchdog.config import get_settings

    app = create_app(database_url=database_url, artifacts_dir=get_settings().artifacts_dir)
    client = app.test_client()
    for path in ("/", "/lists", "/courts", "/findings", "/sources", "/methodology", "/healthz"):
        assert client.get(path).status_code == 200, path
    rows = client.get("/findings.json?per_page=50").get_json()["rows"]
    assert rows
    for row in rows:
        assert row["rule"] and row["citation"] and re.fullmatch(r"[0-9a-f]{64}", row["artifact_sha256"])
        meta = client.get(f"/artifacts/{row['artifact_sha256']}.json")
        assert meta.status_code == 200 and meta.get_json()["rows"][0]["sha256"] == row["artifact_sha256"]
        # Court-list pages name persons: their bytes are for administrators, not the public.
        raw = client.get(f"/artifacts/{row['artifact_sha256']}.raw")
        assert raw.status_code == (403 if meta.get_json()["rows"][0]["redacted"] else 200)

"""suite_points_table: the published Rongcheng table against the `rongcheng` regime and against
itself between crawls, on tables that should and should not raise each finding."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from watchdog.audit import suite_points_table as suite
from watchdog.audit.runner import suites
from watchdog.ingest import draft_rows
from watchdog.mirror.sources import points_rules as mirror
from watchdog.parsers import points_rules as parser
from watchdog.parsers.base import Draft
from watchdog.privacy import Keyer
from watchdog.sources import load_manifest
from watchdog.store.db import get_engine, migrate
from watchdog.store.tables import AuditRun, Finding, RegimeVersion
from watchdog.store.writer import CrawlRecorder, register_source

KEYER = Keyer(b"test-secret-for-points-audit-000")


def today() -> date:
    """The UTC day now. Read after the crawls are stored (never at import), so a run that starts
    before UTC midnight and stores its crawls after it still audits the day they were seen on;
    the recorder stamps sightings and removals with the clock, so the audit day follows it."""
    return datetime.now(UTC).date()


def store(url: str, artifacts: Path, source_id: str, pages: list[list[Draft]]) -> None:
    """One complete crawl of `source_id` writing these parsed pages (as the pipeline will)."""
    register_source(url, load_manifest(source_id).model_dump())
    rec = CrawlRecorder(url, artifacts, source_id)
    for drafts in pages:
        rec.write_batch(draft_rows(rec, drafts), None)
    rec.finish(covers_whole_source=True)


def run(url: str, module: Any, as_of: date | None = None) -> tuple[dict[str, int], list[Any]]:
    """Audit as of `as_of`, by default the UTC day at the call (after what was stored)."""
    as_of = today() if as_of is None else as_of
    engine = get_engine(url)
    with engine.begin() as conn:
        run_id = conn.execute(insert(AuditRun.__table__).values(
            started_at=datetime.now(UTC), status="running",
            as_of=datetime.now(UTC))).inserted_primary_key[0]
    counts = module.audit(engine, run_id=run_id, as_of=as_of)
    with engine.connect() as conn:
        rows = conn.execute(select(Finding).where(Finding.audit_run_id == run_id)).all()
    return counts, rows


def table(day: int, drop: str | None = None) -> list[Draft]:
    drafts = parser.parse_bytes(mirror.page_body(day, False), KEYER).drafts
    if drop:
        # A table without this rule: as if the row were not published.
        drafts = [d for d in drafts if d.payload.get("rule_id") != drop]
        for d in drafts:
            if d.payload["kind"] == "table":
                d.payload["rule_ids"] = [r for r in d.payload["rule_ids"] if r != drop]
    return drafts


@pytest.fixture
def url(database_url: str) -> str:
    migrate(database_url)
    return database_url


def test_suite_is_discovered():
    assert "points_table" in dict(suites())


def test_table_matching_the_regime_raises_nothing(url, tmp_path):
    store(url, tmp_path, "points_rules", [table(1)])
    counts, rows = run(url, suite)
    assert counts == dict.fromkeys(suite.SEVERITY, 0) and rows == []


def test_drift_and_added_rule(url, tmp_path):
    store(url, tmp_path, "points_rules", [table(1)])
    store(url, tmp_path, "points_rules", [table(2)])
    counts, rows = run(url, suite)
    assert counts == {"points_value_differs": 1, "points_rule_not_in_model": 1,
                      "points_rule_not_published": 0, "points_table_changed": 2}
    by_check = {}
    for r in rows:
        by_check.setdefault(r.check_id, []).append(r)
    (differs,) = by_check["points_value_differs"]
    assert differs.rule == "rules.bank_arrears_month"
    assert differs.citation == "clt_rongcheng_assessment_standards" and differs.evidence == "verified"
    assert "-15 points" in differs.summary and "-10 points" in differs.summary
    assert differs.detail["published"]["points"] == -15 and differs.detail["model"]["points"] == -10
    (extra,) = by_check["points_rule_not_in_model"]
    assert "blood donation" in extra.summary and extra.severity == "low"
    changed = sorted(r.summary for r in by_check["points_table_changed"])
    assert any("changed from -10 points to -15 points" in s for s in changed)
    assert any("appeared" in s and "blood donation" in s for s in changed)
    with get_engine(url).connect() as conn:
        version = conn.execute(select(RegimeVersion).where(
            RegimeVersion.id == differs.regime_version_id)).one()
    assert version.regime_id == "rongcheng"


def test_changes_after_the_audit_day_are_not_reported(url, tmp_path):
    store(url, tmp_path, "points_rules", [table(1)])
    store(url, tmp_path, "points_rules", [table(2)])
    counts, _ = run(url, suite, as_of=today() - timedelta(days=2))
    assert counts["points_table_changed"] == 0
    assert counts["points_value_differs"] == 1  # what is published now still differs


def test_rule_missing_from_the_table_and_removed_between_crawls(url, tmp_path):
    store(url, tmp_path, "points_rules", [table(1)])
    store(url, tmp_path, "points_rules", [table(1, drop="heroic_act")])
    counts, rows = run(url, suite)
    assert counts["points_rule_not_published"] == 1
    assert counts["points_table_changed"] == 1
    missing = next(r for r in rows if r.check_id == "points_rule_not_published")
    assert missing.rule == "rules.heroic_act" and "heroic act" in missing.summary.lower()
    assert missing.citation == "fp_2018_rongcheng_via_essay" and missing.evidence == "secondary"
    gone = next(r for r in rows if r.check_id == "points_table_changed")
    assert "disappeared" in gone.summary and gone.detail["change"] == "removed"


def test_show_values():
    assert suite.show(-10, None, None) == "-10 points"
    assert suite.show(None, [-50, -5], None) == "-50 to -5 points"
    assert suite.show(None, None, "C") == "straight to grade C"
    assert suite.show(30, None, None) == "+30 points"


def test_a_table_seen_for_the_first_time_later_has_not_changed(url, tmp_path):
    """A second published table (another language) first crawled after the first table: its
    rules were found, not added to a table that existed before."""
    from dataclasses import replace

    first = table(1)
    other = [replace(d, record_key=d.record_key.replace(suite._table_of(d.record_key),
                                                        "rongcheng:other", 1))
             for d in table(1)]
    assert {suite._table_of(d.record_key) for d in other} == {"rongcheng:other"}
    store(url, tmp_path, "points_rules", [first])
    store(url, tmp_path, "points_rules", [first, other])
    counts, _ = run(url, suite)
    assert counts["points_table_changed"] == 0
    # The same table changing on a later crawl is still a change.
    store(url, tmp_path, "points_rules", [first, [d for d in other if d.payload.get("rule_id") != "heroic_act"]])
    counts, _ = run(url, suite)
    assert counts["points_table_changed"] == 1


def test_a_table_with_translated_headers_is_the_same_table(url, tmp_path):
    """The English table with Chinese headers (a mirror of the translation) stored beside the
    English one must not double every finding."""
    from tests.parsers.test_points_rules import chinese_headed

    store(url, tmp_path, "points_rules", [table(1)])
    store(url, tmp_path, "points_rules", [table(2), parser.parse_bytes(chinese_headed(2), KEYER).drafts])
    counts, _ = run(url, suite)
    assert counts == {"points_value_differs": 1, "points_rule_not_in_model": 1,
                      "points_rule_not_published": 0, "points_table_changed": 2}

"""The audit's headline share and per-check rates are over court-list listings only: a finding
about another source's record (a Credit China penalty past its publicity period) is counted as
such, never as one of the court-list listings the audit checked."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, insert, select

from dashboards import create_app
from tests.dashboards.conftest import CREDIT_MANIFEST, build_store
from watchdog.store.db import get_engine
from watchdog.store.tables import AuditRun, Finding, Observation
from watchdog.store.writer import CrawlRecorder, ListingRow


def _store_with_a_credit_china_finding(root: Path) -> tuple[str, Path]:
    store = build_store(root)
    recorder = CrawlRecorder(store.url, store.artifacts_dir, CREDIT_MANIFEST["id"], mode="import")
    recorder.write_batch([ListingRow(
        record_key="penalty-1", subject={"key": "uscc:91110000MA00000001", "kind": "company",
                                         "name": "北京示例科技有限公司", "code": "91110000MA00000001"},
        payload={"record_type": "penalty"}, facets={"party_type": "company"})], store.artifact_sha)
    recorder.finish(covers_whole_source=False)
    obs, runs = Observation.__table__, AuditRun.__table__
    with get_engine(store.url).begin() as conn:
        oid, sid = conn.execute(select(obs.c.id, obs.c.subject_id)
                                .where(obs.c.source_id == CREDIT_MANIFEST["id"])).one()
        current = conn.execute(select(func.max(runs.c.id)).where(runs.c.status == "complete")).scalar()
        template = conn.execute(select(Finding.__table__).where(
            Finding.__table__.c.audit_run_id == current).limit(1)).mappings().one()
        conn.execute(insert(Finding.__table__).values(
            {**{k: v for k, v in template.items() if k != "id"}, "observation_id": oid,
             "subject_id": sid, "check_id": "penalty_past_publicity_period",
             "rule": "publicity_period", "province": None, "court": None}))
    return store.url, store.artifacts_dir


def test_other_sources_findings_are_counted_apart_from_the_court_list_share(tmp_path):
    url, artifacts = _store_with_a_credit_china_finding(tmp_path)
    app = create_app(url, artifacts, TESTING=True)
    with app.test_client() as client:
        run = client.get("/index.json").get_json()["audit_run"]
        with get_engine(url).connect() as conn:
            court = conn.execute(
                select(func.count(func.distinct(Finding.__table__.c.observation_id)))
                .select_from(Finding.__table__.join(
                    Observation.__table__,
                    Observation.__table__.c.id == Finding.__table__.c.observation_id))
                .where(Finding.__table__.c.audit_run_id == run["id"],
                       Observation.__table__.c.source_id == "court_dishonest")).scalar()
        assert run["flagged"] == court and run["flagged_all"] == court + 1
        html = client.get("/").get_data(as_text=True)
        assert "Records of the other sources with a finding: 1." in html
        by_check = {r["check_id"]: r for r in client.get("/findings.json").get_json()["by_check"]}
        assert by_check["penalty_past_publicity_period"]["rate"] is None
        assert by_check["penalty_past_publicity_period"]["court_list"] is False
        assert by_check["no_lawful_circumstance"]["rate"] is not None


def test_a_province_rate_goes_where_the_lists_hold_its_persons_count_back(client, monkeypatch):
    """/lists shows 河南's current persons as "≥10" (beside Tibet's "<10"); a rate over 河南's
    current listings would carry n = persons + the 2 companies /lists shows exactly."""
    from watchdog.store import queries_findings as pf

    def shown_rates(rows, grid, persons, check):  # as if no person-with-finding rule applied
        return [{**row, "suppressed": False, "n": 16, "findings": 10, "rate": 0.6, "low": 0.4,
                 "high": 0.8} for row in rows]

    monkeypatch.setattr(pf, "rates_held_back", shown_rates)
    rates = {r["group"]: r for r in client.get("/findings.json").get_json()["rates_by_province"]}
    assert rates["河南"]["suppressed"] is True and rates["河南"]["n"] is None
    assert rates["北京"]["suppressed"] is False and rates["北京"]["n"] == 16  # 20 shown exactly

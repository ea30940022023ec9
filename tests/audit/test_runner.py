"""The audit runner on a small store built with the real writer, on SQLite and PostgreSQL.

Three complete crawls see the list on 10 January, 1 March and 3 June 2024. Between the first two
one listing disappears and another becomes fully performed without a stated date.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from watchdog.audit import runner
from watchdog.audit.checks import CHECKS
from watchdog.audit.runner import run_audit
from watchdog.model import ListingFacts, load_citations
from watchdog.model.loader import DATA_DIR
from watchdog.store.artifacts import sha256_hex
from watchdog.store.db import get_engine, migrate
from watchdog.store.tables import AuditRun, Finding, Observation, RegimeVersion
from watchdog.store.writer import CrawlRecorder, ListingRow, register_source

REGIME_FILE = DATA_DIR / "regimes" / "cn_court_dishonest_list.yaml"
MANIFEST = {"id": "court_dishonest", "title": "List of dishonest judgment debtors",
            "publisher": "Supreme People's Court"}
PERSON_FIELDS = ["name", "sex", "age", "id_number", "obligation", "performance", "conduct",
                 "basis_issuer", "basis_doc_no", "case_no", "filing_date", "court"]
COMPANY_FIELDS = ["name", "org_code", "legal_rep", *PERSON_FIELDS[4:]]
REFUSES = "有履行能力而拒不履行生效法律文书确定义务"  # no fixed term
ASSETS = "违反财产报告制度"  # a 2-year term
SEEN = [datetime(2024, 1, 10, 8, tzinfo=UTC), datetime(2024, 3, 1, 8, tzinfo=UTC),
        datetime(2024, 6, 3, 8, tzinfo=UTC)]
LAST_SEEN = date(2024, 6, 3)


def person(key: str, **changes: Any) -> ListingFacts:
    base: dict[str, Any] = {
        "party_type": "person", "case_code": f"(2023)京0101执{len(key)}{key}号",
        "circumstances": [REFUSES], "publish_date": date(2023, 1, 5), "age": 40,
        "birth_year": 1983, "province": "北京", "court": "北京市东城区人民法院",
        "performance": "全部未履行", "id_mask": "masked", "fields_present": PERSON_FIELDS,
        "name_key": f"name-{key}"}
    return ListingFacts(**{**base, **changes})


def company(key: str, **changes: Any) -> ListingFacts:
    base: dict[str, Any] = {"party_type": "company", "age": None, "birth_year": None,
                            "name_key": None, "id_mask": "missing",
                            "fields_present": COMPANY_FIELDS, "province": "广东",
                            "court": "广州市中级人民法院"}
    return person(key, **{**base, **changes})


REP_CASE = "(2021)京01执9号"
LISTINGS: dict[str, ListingFacts] = {
    "clean": person("clean"),
    "no_ground": person("no_ground", circumstances=[]),
    "old_assets": person("old_assets", circumstances=[ASSETS], publish_date=date(2019, 3, 1)),
    "minor": person("minor", age=17, birth_year=2006),
    "company": company("company", case_code=REP_CASE, legal_rep_key="rep-key"),
    "rep": person("rep", case_code=REP_CASE, name_key="rep-key", publish_date=date(2021, 6, 1)),
    "namesake": person("namesake", name_key="rep-key", publish_date=date(2021, 6, 1)),
    "performed_dated": person("performed_dated", performance="全部履行",
                              performed_date=date(2023, 5, 5)),
    "always_performed": person("always_performed", performance="全部履行"),
    "late_performer": person("late_performer"),
    "unmasked": person("unmasked", id_mask="unmasked"),
    "gone": person("gone", circumstances=[]),
}
EXPECTED = {
    "clean": set(), "company": set(), "namesake": set(),
    "no_ground": {"no_lawful_circumstance"},
    "old_assets": {"past_legal_term", "past_maximum_term"},
    "minor": {"minor_listed"},
    "rep": {"legal_rep_listed"},
    "performed_dated": {"performed_not_removed"},
    "always_performed": {"performed_not_removed"},
    "late_performer": {"performed_not_removed"},
    "unmasked": {"id_not_masked"},
}


def listing_row(key: str, facts: ListingFacts) -> ListingRow:
    return ListingRow(
        record_key=key,
        subject={"key": f"subject-{key}", "kind": facts.party_type, "name": None, "code": None,
                 "province": facts.province, "birth_year": facts.birth_year, "sex": None,
                 "age_band": None},
        payload=facts.model_dump(mode="json"),
        facets={"party_type": facts.party_type, "province": facts.province,
                "court": facts.court, "circumstances": "x", "performance": facts.performance,
                "publish_month": None})


def crawl(url: str, root: Path, rows: list[ListingRow], seen: datetime, page: bytes) -> str:
    recorder = CrawlRecorder(url, root / "artifacts", "court_dishonest")
    sha = recorder.archive(stored=page, original_sha256=sha256_hex(page), redacted=False,
                           url="http://127.0.0.1/shixin/search", http_status=200,
                           content_type="application/json", size=len(page))
    recorder.write_batch(rows, sha, seen_at=seen)
    recorder.finish(covers_whole_source=True)
    return sha


def build_store(url: str, root: Path) -> None:
    migrate(url)
    register_source(url, MANIFEST)
    rows = [listing_row(k, f) for k, f in LISTINGS.items()]
    crawl(url, root, rows, SEEN[0], b'{"page": 1}')
    performed = person("late_performer", performance="全部履行")
    later = [listing_row(r.record_key, performed) if r.record_key == "late_performer" else r
             for r in rows if r.record_key != "gone"]
    crawl(url, root, later, SEEN[1], b'{"page": 2}')
    crawl(url, root, later, SEEN[2], b'{"page": 3}')


def findings_of(url: str, run_id: int) -> list[dict[str, Any]]:
    fnd, obs = Finding.__table__, Observation.__table__
    with get_engine(url).connect() as conn:
        rows = conn.execute(
            select(fnd, obs.c.record_key, obs.c.artifact_sha256.label("obs_artifact"),
                   obs.c.subject_id.label("obs_subject"), obs.c.province.label("obs_province"))
            .join(obs, obs.c.id == fnd.c.observation_id)
            .where(fnd.c.audit_run_id == run_id).order_by(fnd.c.id)).mappings().all()
    return [dict(r) for r in rows]


def by_listing(findings: list[dict[str, Any]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {key: set() for key in EXPECTED}
    for f in findings:
        out[f["record_key"]].add(f["check_id"])
    return out


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> str:
    build_store(database_url, tmp_path)
    return database_url


def test_audit_records_findings_with_their_evidence(store):
    summary = run_audit(store, as_of=LAST_SEEN)
    assert (summary.status, summary.checked, summary.skipped) == ("complete", 11, 0)
    findings = findings_of(store, summary.run_id)
    assert by_listing(findings) == EXPECTED
    assert summary.findings == len(findings) == sum(len(v) for v in EXPECTED.values())
    assert summary.by_check == {c: sum(c in v for v in EXPECTED.values())
                                for c in set().union(*EXPECTED.values())}

    text = REGIME_FILE.read_text(encoding="utf-8")
    with get_engine(store).connect() as conn:
        # Other sources' suites pin their own rule sets too; this test is about the court list.
        version = conn.execute(select(RegimeVersion.__table__).where(
            RegimeVersion.regime_id == "cn_court_dishonest_list")).mappings().one()
        run = conn.execute(select(AuditRun.__table__).where(
            AuditRun.__table__.c.id == summary.run_id)).mappings().one()
    assert version["content_sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert (version["regime_id"], version["document"]) == ("cn_court_dishonest_list", text)
    assert (run["status"], run["checked"], run["findings"]) == ("complete", 11, len(findings))
    assert run["as_of"].date() == LAST_SEEN and run["finished_at"] is not None

    citations = load_citations()
    for f in findings:
        check = CHECKS[f["check_id"]]
        assert (f["rule"], f["severity"]) == (check.rule, check.severity)
        assert f["citation"] in citations
        assert f["evidence"] in ("verified", "secondary", "memory", "disputed", "low")
        assert f["regime_version_id"] == version["id"] == summary.regime_version_id
        assert f["artifact_sha256"] == f["obs_artifact"] and len(f["artifact_sha256"]) == 64
        assert (f["subject_id"], f["province"]) == (f["obs_subject"], f["obs_province"])
        assert "name-" not in f["summary"] and "rep-key" not in f["summary"]


def test_undated_performance_counts_from_the_first_crawl_that_saw_it(store):
    summary = run_audit(store, as_of=LAST_SEEN)
    detail = {f["record_key"]: f["detail"] for f in findings_of(store, summary.run_id)
              if f["check_id"] == "performed_not_removed"}
    assert detail["performed_dated"]["performed_date_basis"] == "record"
    assert detail["always_performed"]["performed_date"] == "2024-01-10"
    assert detail["late_performer"]["performed_date"] == "2024-03-01"
    assert detail["late_performer"]["performed_date_basis"] == "first_seen_performed"


def test_rerun_makes_a_new_run_with_the_same_findings(store):
    first = run_audit(store, as_of=LAST_SEEN)
    second = run_audit(store, as_of=LAST_SEEN)
    assert second.run_id != first.run_id
    assert second.findings == first.findings
    assert second.regime_version_id == first.regime_version_id
    with get_engine(store).connect() as conn:
        assert conn.execute(select(func.count()).select_from(RegimeVersion).where(
            RegimeVersion.regime_id == "cn_court_dishonest_list")).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(Finding)).scalar_one() == 2 * first.findings


def test_a_changed_regime_file_is_a_new_version(store, tmp_path):
    edited = tmp_path / "cn_court_dishonest_list.yaml"
    edited.write_text(REGIME_FILE.read_text(encoding="utf-8") + "\n# a reviewer's note\n",
                      encoding="utf-8")
    base = run_audit(store, as_of=LAST_SEEN)
    other = run_audit(store, as_of=LAST_SEEN, regime_path=edited)
    assert other.regime_version_id != base.regime_version_id
    assert {f["regime_version_id"] for f in findings_of(store, other.run_id)} == {
        other.regime_version_id}


@pytest.mark.parametrize("as_of,expected", [
    (date(2020, 6, 1), set()),
    (date(2022, 1, 1), {"past_legal_term"}),
    (LAST_SEEN, {"past_legal_term", "past_maximum_term"}),
])
def test_as_of_decides_past_term(store, as_of, expected):
    summary = run_audit(store, as_of=as_of)
    assert by_listing(findings_of(store, summary.run_id))["old_assets"] == expected


def test_as_of_after_the_last_sighting_is_judged_on_the_last_sighting(store):
    """We only know a listing was there when a crawl saw it, so later dates change nothing."""
    seen = run_audit(store, as_of=LAST_SEEN)
    later = run_audit(store, as_of=date(2030, 1, 1))
    assert by_listing(findings_of(store, later.run_id)) == by_listing(findings_of(store, seen.run_id))
    assert {f["detail"].get("seen_listed_on") for f in findings_of(store, later.run_id)} <= {
        None, "2024-06-03"}


def test_a_failing_run_is_marked_failed(store, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("model exploded")

    monkeypatch.setattr(runner, "verdict", broken)
    with pytest.raises(RuntimeError, match="model exploded"):
        run_audit(store, as_of=LAST_SEEN)
    with get_engine(store).connect() as conn:
        status = conn.execute(select(AuditRun.status)).scalars().all()
    assert status == ["failed"]


def test_unreadable_payloads_are_skipped_and_counted(store):
    obs = Observation.__table__
    with get_engine(store).begin() as conn:
        template = dict(conn.execute(select(obs).where(obs.c.status == "listed").limit(1))
                        .mappings().one())
        template.pop("id")
        conn.execute(insert(obs).values(**{**template, "record_key": "broken",
                                           "payload": {"party_type": "alien", "age": "old"}}))
    progress: list[int] = []
    summary = run_audit(store, as_of=LAST_SEEN, progress=progress.append)
    assert (summary.checked, summary.skipped, summary.status) == (11, 1, "complete")
    assert "party_type: literal_error" in summary.problems[0]
    assert "alien" not in " ".join(summary.problems)  # values are never echoed
    assert progress == [12]  # every listing read, including the one skipped
    assert "1 unreadable listings skipped" in str(summary)


def test_24000_listings_are_all_audited(sqlite_url, tmp_path):
    # How fast: bench/audit.py prints the rate; a test asserts only what is checked.
    migrate(sqlite_url)
    register_source(sqlite_url, MANIFEST)
    keys = list(LISTINGS)
    rows = [listing_row(f"{keys[i % len(keys)]}-{i}",
                        LISTINGS[keys[i % len(keys)]].model_copy(update={
                            "case_code": f"(2023)京01执{i}号"}))
            for i in range(24_000)]
    recorder = CrawlRecorder(sqlite_url, tmp_path / "artifacts", "court_dishonest")
    for start in range(0, len(rows), 6000):
        recorder.write_batch(rows[start:start + 6000], None, seen_at=SEEN[2])
    recorder.finish(covers_whole_source=True)
    summary = run_audit(sqlite_url, as_of=LAST_SEEN)
    assert (summary.checked, summary.skipped, summary.status) == (24_000, 0, "complete")


def test_the_default_day_is_beijings(tmp_path, monkeypatch):
    """Terms and working-day deadlines run on Beijing dates: at 20:00 UTC it is tomorrow there."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    migrate(url)

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):  # 2026-03-01 20:00 UTC is 2026-03-02 04:00 in Beijing
            return datetime(2026, 3, 1, 20, 0, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr(runner, "datetime", Clock)
    assert run_audit(url).as_of == date(2026, 3, 2)

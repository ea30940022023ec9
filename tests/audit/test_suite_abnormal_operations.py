"""The abnormal-operations list and its escalation: companies that must and must not trigger the
two checks, on a store built with the real writer (SQLite, and PostgreSQL when available)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert, select

from watchdog.audit import suite_abnormal_operations as suite
from watchdog.audit.runner import suites
from watchdog.ingest import draft_rows
from watchdog.model import load_citations
from watchdog.parsers import gsxt
from watchdog.parsers.base import Draft, subject
from watchdog.privacy import Keyer
from watchdog.store.artifacts import sha256_hex
from watchdog.store.db import get_engine, migrate
from watchdog.store.tables import AuditRun, Finding, Observation, RegimeVersion
from watchdog.store.writer import CrawlRecorder, register_source

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "gsxt"
THREE_YEARS = "被列入经营异常名录届满3年仍未履行相关义务"


def rec(company: str, kind: str, listed: str, n: int = 0, **more: object) -> Draft:
    payload = {"record_type": kind, "listed_date": listed, **more}
    return Draft(record_key=f"{kind}:{company}:{listed}:{n}", payload=payload,
                 subject=subject(f"name:{company}", "company", name=company))


def notice(company: str, day: str, kind: str = "serious", action: str = "listed") -> Draft:
    return Draft(record_key=f"notice:{company}:{day}", subject=subject(f"name:{company}", "company"),
                 payload={"record_type": "notice", "list_kind": kind, "action": action,
                          "notice_date": day, "title": f"列入严重违法失信企业名单的公告 {THREE_YEARS}"})


# company -> (records, checks expected)
CASES: dict[str, tuple[list[Draft], set[str]]] = {
    "long_listed": ([rec("long_listed", "abnormal", "2020-01-01")], {"abnormal_not_escalated"}),
    "on_time": ([rec("on_time", "abnormal", "2020-01-01"),
                 rec("on_time", "serious", "2023-01-10", list_reason=THREE_YEARS)], set()),
    "early": ([rec("early", "abnormal", "2022-01-01"),
               rec("early", "serious", "2023-06-01", list_reason=THREE_YEARS)],
              {"abnormal_escalated_early"}),
    "recent": ([rec("recent", "abnormal", "2023-01-01")], set()),
    "removed_late": ([rec("removed_late", "abnormal", "2015-01-01", removed_date="2019-06-01")],
                     {"abnormal_not_escalated"}),
    "removed_in_time": ([rec("removed_in_time", "abnormal", "2015-01-01", removed_date="2016-06-01"),
                         rec("removed_in_time", "abnormal", "2023-03-01", n=1)], set()),
    "by_notice": ([rec("by_notice", "abnormal", "2019-01-01"), notice("by_notice", "2022-02-01")], set()),
    # The same listing in the directory and on the company page counts once.
    "twice": ([rec("twice", "abnormal", "2019-05-05"), rec("twice", "abnormal_directory", "2019-05-05")],
              {"abnormal_not_escalated"}),
    # The court list on Credit China is a serious list, but not this one.
    "court_only": ([rec("court_only", "abnormal", "2019-05-05"),
                    rec("court_only", "serious", "2020-01-01", table="credit_zgf_fr_sxbzxr_jb")],
                   {"abnormal_not_escalated"}),
    # Put on the serious list early for another reason: not an escalation, no finding.
    "other_reason": ([rec("other_reason", "abnormal", "2023-01-01"),
                      rec("other_reason", "serious", "2023-05-01", list_reason="提交虚假材料取得登记")], set()),
}
ON_CREDIT_CHINA = {"serious:court_only:2020-01-01:0"}  # every other record is gsxt's


def test_suite_is_found_by_the_runner():
    assert ("abnormal_operations", suite.audit) in suites()


def test_citations_exist():
    assert {r["citation"] for r in suite.RULES.values()} <= set(load_citations())
    assert {r["see_also"] for r in suite.RULES.values()} <= set(load_citations())


def test_anniversary_of_a_leap_day():
    assert suite.add_years(date(2020, 2, 29), 3) == date(2023, 2, 28)


def write(url: str, root: Path, source: str, drafts: list[Draft], seen: datetime) -> None:
    recorder = CrawlRecorder(url, root / "artifacts", source)
    page = f"{source} {seen}".encode()
    sha = recorder.archive(stored=page, original_sha256=sha256_hex(page), redacted=False,
                           url="http://127.0.0.1/page", http_status=200, content_type="text/html",
                           size=len(page))
    recorder.write_batch(draft_rows(recorder, drafts), sha, seen_at=seen)
    recorder.finish(covers_whole_source=True)


def run(url: str, as_of: date) -> tuple[int, dict[str, int]]:
    engine = get_engine(url)
    with engine.begin() as conn:
        run_id = int(conn.execute(insert(AuditRun.__table__).values(
            started_at=datetime.now(UTC), status="running",
            as_of=datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC))).inserted_primary_key[0])
    return run_id, suite.audit(engine, run_id=run_id, as_of=as_of)


def test_cases_on_a_store(database_url, tmp_path):
    migrate(database_url)
    for source in ("gsxt", "credit_china"):
        register_source(database_url, {"id": source, "title": source, "publisher": "x"})
    seen = datetime(2024, 6, 1, 8, tzinfo=UTC)
    every = [d for drafts, _ in CASES.values() for d in drafts]
    write(database_url, tmp_path, "gsxt", [d for d in every if d.record_key not in ON_CREDIT_CHINA], seen)
    write(database_url, tmp_path, "credit_china", [d for d in every if d.record_key in ON_CREDIT_CHINA], seen)
    run_id, counts = run(database_url, date(2024, 7, 1))
    engine = get_engine(database_url)
    with engine.connect() as conn:
        fnd = Finding.__table__
        rows = conn.execute(select(fnd, Observation.record_key, Observation.subject_id.label("sid"))
                            .join(Observation, Observation.id == fnd.c.observation_id)
                            .where(fnd.c.audit_run_id == run_id)).all()
        regime = conn.execute(select(RegimeVersion.regime_id)).scalars().all()
    got: dict[str, set[str]] = {company: set() for company in CASES}
    for row in rows:
        got[row.record_key.split(":")[1]].add(row.check_id)
        assert row.subject_id == row.sid and row.artifact_sha256
        assert row.evidence == "secondary" and row.regime_version_id
    assert got == {company: expected for company, (_, expected) in CASES.items()}
    assert counts == {"abnormal_not_escalated": 4, "abnormal_escalated_early": 1}
    assert regime == ["cn_abnormal_operations"]
    early = next(r for r in rows if r.check_id == "abnormal_escalated_early")
    assert early.severity == "high" and early.detail["three_years_on"] == "2025-01-01"
    assert "2023-06-01" in early.summary and "2022-01-01" in early.summary
    late = next(r for r in rows if r.record_key.startswith("abnormal:removed_late"))
    assert "until its removal on 2019-06-01" in late.summary
    # Judged as of the last crawl that saw the listing, not the (later) audit date.
    still = next(r for r in rows if r.record_key.startswith("abnormal:long_listed"))
    assert still.detail["seen_on"] == "2024-06-01" and still.detail["still_listed"] is True


def test_fixture_page_escalated_on_time(database_url, tmp_path):
    migrate(database_url)
    register_source(database_url, {"id": "gsxt", "title": "gsxt", "publisher": "x"})
    keyer = Keyer(b"k")
    drafts = [*gsxt.parse_bytes((FIX / "synthetic_company_page_lists.html").read_bytes(), keyer).drafts,
              *gsxt.parse_bytes((FIX / "synthetic_notices_serious.json").read_bytes(), keyer).drafts]
    write(database_url, tmp_path, "gsxt", drafts, datetime(2026, 1, 1, tzinfo=UTC))
    # Listed 2022-07-01, escalated 2025-07-10 (page row and notice): on time, one listing.
    assert run(database_url, date(2026, 1, 1))[1] == {}


def test_one_company_as_two_subjects(database_url, tmp_path):
    """gsxt keys a company by its code, Credit China only by its name or its organisation code:
    the matcher joins them, and the check reads them as one company."""
    from tests.store.test_company_matches import make_org, make_uscc

    migrate(database_url)
    for source in ("gsxt", "credit_china"):
        register_source(database_url, {"id": source, "title": source, "publisher": "x"})
    seen = datetime(2024, 6, 1, 8, tzinfo=UTC)

    def coded(company: str, kind: str, listed: str, org8: str, **more: object) -> Draft:
        uscc = make_uscc("310115", org8)
        return Draft(record_key=f"{kind}:{company}:{listed}:0", payload={
            "record_type": kind, "listed_date": listed, **more},
            subject=subject(f"uscc:{uscc}", "company", name=company, code=uscc))

    def by_org(company: str, kind: str, listed: str, org8: str, **more: object) -> Draft:
        org = make_org(org8)
        return Draft(record_key=f"{kind}:{company}:{listed}:0", payload={
            "record_type": kind, "listed_date": listed, **more},
            subject=subject(f"org:{org}", "company", name=company, code=org))

    serious = {"list": "严重违法失信企业名单", "list_reason": THREE_YEARS}
    gsxt_rows = [coded("上海名称相同贸易有限公司", "abnormal", "2019-01-01", "55011111"),
                 coded("上海代码相同贸易有限公司", "abnormal", "2022-01-01", "55022222"),
                 coded("上海只凭名称贸易有限公司", "abnormal", "2022-01-01", "55033333")]
    cc_rows = [
        # Escalated on time, but shown under its name only: not "never escalated".
        rec("上海名称相同贸易有限公司", "serious", "2022-02-01", **serious),
        # Escalated early, joined by its organisation code: flagged.
        by_org("上海代码相同贸易有限公司", "serious", "2023-06-01", "55022222", **serious),
        # Escalated early, but joined by name only: not enough to flag.
        rec("上海只凭名称贸易有限公司", "serious", "2023-06-01", **serious)]
    write(database_url, tmp_path, "gsxt", gsxt_rows, seen)
    write(database_url, tmp_path, "credit_china", cc_rows, seen)
    run_id, counts = run(database_url, date(2024, 7, 1))
    with get_engine(database_url).connect() as conn:
        found = conn.execute(select(Finding.check_id, Observation.record_key)
                             .join(Observation, Observation.id == Finding.observation_id)
                             .where(Finding.audit_run_id == run_id)).all()
    assert sorted(found) == [("abnormal_escalated_early", "serious:上海代码相同贸易有限公司:2023-06-01:0")]
    assert counts == {"abnormal_escalated_early": 1}


def test_listings_removed_since(database_url, tmp_path):
    """A complete crawl that no longer finds a listing marks it removed; it is judged up to the
    last day a crawl saw it, and a serious listing removed since still counts as the escalation."""
    migrate(database_url)
    register_source(database_url, {"id": "gsxt", "title": "gsxt", "publisher": "x"})
    overdue = rec("overdue_then_gone", "abnormal_directory", "2019-01-01")
    in_time = rec("gone_in_time", "abnormal_directory", "2022-01-01")
    escalated = [rec("escalated_then_cleared", "abnormal", "2019-01-01"),
                 rec("escalated_then_cleared", "serious", "2022-02-01", list_reason=THREE_YEARS)]
    first = [overdue, in_time, *escalated]
    write(database_url, tmp_path, "gsxt", first, datetime(2024, 6, 1, 8, tzinfo=UTC))
    # The next complete crawl: the two directory entries and the serious listing are gone.
    write(database_url, tmp_path, "gsxt", escalated[:1], datetime(2024, 9, 1, 8, tzinfo=UTC))
    run_id, counts = run(database_url, date(2026, 1, 1))
    with get_engine(database_url).connect() as conn:
        rows = conn.execute(select(Finding.__table__, Observation.record_key, Observation.status)
                            .join(Observation, Observation.id == Finding.observation_id)
                            .where(Finding.audit_run_id == run_id)).all()
    assert counts == {"abnormal_not_escalated": 1}
    [row] = rows
    assert row.record_key == overdue.record_key and row.status == "removed"
    # On the list from 2019-01-01 to 2024-06-01 at least: more than 3 years, never escalated.
    assert row.detail["seen_on"] == "2024-06-01" and row.detail["on_list_for"] == "5 years 5 months"
    assert row.detail["still_listed"] is False and row.detail["removed_seen_on"] >= "2024-09-01"
    assert "last day a crawl saw it there, 2024-06-01; it has since been removed" in row.summary
    assert "still there" not in row.summary

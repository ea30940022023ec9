"""The cross-list check on a store built with the real writer, on SQLite and PostgreSQL: which
A-level taxpayers it flags (blacklisted at home, listed abroad) and which it must leave alone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import insert, select

from tests.store.test_company_matches import PERSON_SENTINEL, build_company_store
from watchdog.audit import suite_cross_lists as suite
from watchdog.audit.runner import suites
from watchdog.ingest import draft_rows
from watchdog.model import load_citations
from watchdog.parsers import gsxt, tax_a_list
from watchdog.parsers.base import Draft
from watchdog.privacy import Keyer
from watchdog.store.artifacts import sha256_hex
from watchdog.store.db import get_engine, migrate
from watchdog.store.tables import AuditRun, Finding, Observation, RegimeVersion, Subject
from watchdog.store.writer import CrawlRecorder, register_source

AS_OF = date(2026, 11, 20)
FIX = Path(__file__).resolve().parents[1] / "fixtures"


def run_suite(url: str) -> tuple[dict[str, int], list[dict[str, Any]]]:
    engine = get_engine(url)
    with engine.begin() as conn:
        run_id = conn.execute(insert(AuditRun.__table__).values(
            started_at=datetime.now(UTC), status="running",
            as_of=datetime(2026, 11, 20, tzinfo=UTC))).inserted_primary_key[0]
    counts = suite.audit(engine, run_id=run_id, as_of=AS_OF)
    find, obs, subj = Finding.__table__, Observation.__table__, Subject.__table__
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(
            select(find, subj.c.name.label("company"), obs.c.source_id)
            .select_from(find.join(subj, subj.c.id == find.c.subject_id)
                         .join(obs, obs.c.id == find.c.observation_id))
            .where(find.c.audit_run_id == run_id)).mappings()]
    return counts, rows


@pytest.fixture
def findings(database_url: str, tmp_path: Path) -> tuple[dict[str, int], list[dict[str, Any]]]:
    build_company_store(database_url, tmp_path)
    return run_suite(database_url)


def by_company(rows: list[dict[str, Any]], check: str) -> dict[str, dict[str, Any]]:
    return {r["company"]: r for r in rows if r["check_id"] == check}


def test_blacklisted_at_home(findings: tuple[dict[str, int], list[dict[str, Any]]]) -> None:
    counts, rows = findings
    home = by_company(rows, "red_list_while_blacklisted")
    assert set(home) == {"北京华为数字技术有限公司", "北京华为数字技术有限公司上海分公司",
                         "景德镇市伟雁水暖器材物资有限公司", "上海严重违法示例有限公司"}
    assert counts["red_list_while_blacklisted"] == 4
    court = home["北京华为数字技术有限公司"]
    assert court["severity"] == "medium" and court["source_id"] == "tax_a_list"
    assert "blacklisting began before the 2024 A-level list was due" in court["summary"]
    joined = court["detail"]["blacklisted"][0]["joined"]
    assert joined["method"] == "masked_uscc+name" and joined["match_id"]
    assert court["detail"]["blacklisted"][0]["artifact_sha256"]
    old = home["景德镇市伟雁水暖器材物资有限公司"]
    assert old["detail"]["blacklisted"][0]["joined"]["method"] == "org_code"
    assert old["detail"]["a_level_year"] == 2018
    serious = home["上海严重违法示例有限公司"]
    assert serious["detail"]["blacklisted"][0]["joined"] == {"how": "same subject"}
    branch = home["北京华为数字技术有限公司上海分公司"]
    assert branch["severity"] == "low" and "joined by name only" in branch["summary"]
    assert "its parent company or a branch office of it was on" in branch["summary"]


def test_listed_abroad(findings: tuple[dict[str, int], list[dict[str, Any]]]) -> None:
    counts, rows = findings
    abroad = by_company(rows, "red_list_while_listed_abroad")
    assert set(abroad) == {"华为技术有限公司", "新疆北朋土木工程检测咨询有限公司"}
    assert counts["red_list_while_listed_abroad"] == 2
    huawei = abroad["华为技术有限公司"]
    assert huawei["severity"] == "low" and "No Chinese rule we know of bars this" in huawei["summary"]
    assert huawei["detail"]["blacklisted"][0]["source_id"] == "ofac_sdn"
    assert huawei["detail"]["blacklisted"][0]["joined"]["method"] == "chinese_name_from_foreign_list"
    wb = abroad["新疆北朋土木工程检测咨询有限公司"]
    assert wb["detail"]["blacklisted"][0]["joined"]["method"] == "uscc"
    assert "joined by name only" not in wb["summary"]


def test_what_must_not_trigger(findings: tuple[dict[str, int], list[dict[str, Any]]]) -> None:
    _, rows = findings
    flagged = {r["company"] for r in rows}
    assert "上海经营异常示例有限公司" not in flagged   # abnormal operations is not a blacklist
    assert "南京迟到贸易有限公司" not in flagged       # A-level 2018, blacklisted only in 2024
    assert "北京华为数码技术有限公司" not in flagged   # a similar name, another company
    assert all(r["source_id"] == "tax_a_list" for r in rows)  # findings sit on the red listing


def test_findings_cite_known_rules_and_pin_the_regime(
        findings: tuple[dict[str, int], list[dict[str, Any]]], database_url: str) -> None:
    _, rows = findings
    known = load_citations()
    for rule in suite.RULES.values():
        assert rule["citation"] in known and rule["see_also"] in known
    regime = RegimeVersion.__table__
    with get_engine(database_url).connect() as conn:
        versions = conn.execute(select(regime.c.id, regime.c.version)
                                .where(regime.c.regime_id == suite.REGIME.id)).all()
    assert len(versions) == 1 and versions[0].version == suite.REGIME.version
    assert {r["regime_version_id"] for r in rows} == {versions[0].id}
    for r in rows:
        assert r["citation"] == suite.RULES[r["check_id"]]["citation"]
        assert PERSON_SENTINEL not in r["summary"] and PERSON_SENTINEL not in str(r["detail"])


def test_runner_finds_the_suite() -> None:
    assert "cross_lists" in [name for name, _ in suites()]


@pytest.mark.parametrize(("payload", "red"), [
    ({"grade": "A"}, True), ({"grade": "A级"}, True), ({}, True), ({"grade": "B"}, False),
])
def test_only_grade_a_is_a_red_listing(payload: dict[str, Any], red: bool) -> None:
    assert suite.is_red("tax_a_list", payload) is red


@pytest.mark.parametrize(("payload", "black"), [
    ({"list": "严重违法失信企业名单"}, True), ({"type": "严重失信主体名单"}, True),
    ({"list": "经营异常名录"}, False), ({"type": "重点关注"}, False), ({}, False),
])
def test_which_home_lists_are_blacklists(payload: dict[str, Any], black: bool) -> None:
    assert suite.is_home_black("gsxt", payload) is black


def test_pages_of_one_give_the_same_findings(database_url: str, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    build_company_store(database_url, tmp_path)
    whole, _ = run_suite(database_url)
    monkeypatch.setattr(suite, "CHUNK", 1)
    paged, _ = run_suite(database_url)
    assert paged == whole and sum(whole.values()) == 6


def test_registry_dates_bound_a_blacklisting() -> None:
    # The registry's serious-violation list publishes when a company went on and came off it.
    row = SimpleNamespace(payload={"list": "严重违法失信企业名单", "listed_date": "2019-05-06",
                                   "removed_date": "2022-05-09"},
                          first_seen=datetime(2026, 1, 2, tzinfo=UTC), status="listed",
                          removed_at=None)
    assert suite.black_window(row, AS_OF) == (date(2019, 5, 6), date(2022, 5, 9))
    # A-level grade for 2023 holds from April 2024: after the company came off the list.
    red_start, red_end, _ = suite.red_window(SimpleNamespace(payload={"year": "2023"}), AS_OF)
    black_start, black_end = suite.black_window(row, AS_OF)
    assert not (black_start <= red_end and red_start <= black_end)
    # Without published dates: from the day we first saw it until now.
    bare = SimpleNamespace(payload={"list": "严重违法失信企业名单"},
                           first_seen=datetime(2026, 1, 2, tzinfo=UTC), status="listed",
                           removed_at=None)
    assert suite.black_window(bare, AS_OF) == (date(2026, 1, 2), AS_OF)


# -- the registry's own records, read through its parser ------------------------------------------

@pytest.mark.parametrize(("payload", "black"), [
    # Notices are stored under list "公告": what they announce is in list_kind and action.
    ({"record_type": "notice", "list": "公告", "list_kind": "serious", "action": "listed",
      "title": "关于将甲公司列入严重违法失信企业名单的公告"}, True),
    ({"record_type": "notice", "list": "公告", "list_kind": "serious", "action": "removed",
      "title": "关于将甲公司移出严重违法失信企业名单的公告"}, False),
    ({"record_type": "notice", "list": "公告", "list_kind": "serious", "action": "revoked",
      "title": "关于撤销将甲公司列入严重违法失信企业名单决定的公告"}, False),
    ({"record_type": "notice", "list": "公告", "list_kind": "abnormal", "action": "listed",
      "title": "关于将甲公司列入经营异常名录的公告"}, False),
    ({"record_type": "serious", "list": "严重违法失信企业名单", "listed_date": "2025-07-10"}, True),
    ({"record_type": "abnormal", "list": "经营异常名录", "list_reason": "严重违法"}, False),
    ({"record_type": "abnormal_directory", "list": "经营异常名录"}, False),
    ({"record_type": "penalty", "list": "行政处罚", "violation_type": "严重违法"}, False),
    ({"record_type": "registration", "list": "登记信息", "status": "吊销"}, False),
])
def test_every_registry_record_type(payload: dict[str, Any], black: bool) -> None:
    assert suite.is_home_black("gsxt", payload) is black


def test_a_removal_notice_ends_a_listing_but_is_none() -> None:
    off = {"record_type": "notice", "list_kind": "serious", "action": "removed",
           "notice_date": "2025-06-01"}
    assert suite.removal_notice("gsxt", off) == date(2025, 6, 1)
    assert suite.removal_notice("gsxt", {**off, "list_kind": "abnormal"}) is None
    assert suite.removal_notice("gsxt", {**off, "action": "listed"}) is None
    # A notice that has left the notices board still stands until a removal notice.
    listed = SimpleNamespace(payload={"record_type": "notice", "list_kind": "serious",
                                      "action": "listed", "notice_date": "2024-03-01"},
                             first_seen=datetime(2024, 3, 2, tzinfo=UTC), status="removed",
                             removed_at=datetime(2024, 4, 1, tzinfo=UTC))
    assert suite.black_window(listed, AS_OF) == (date(2024, 3, 1), AS_OF)
    # Only a removal after the listing ends it.
    assert suite.black_window(listed, AS_OF, [date(2023, 1, 1), date(2025, 6, 1)]) == (
        date(2024, 3, 1), date(2025, 6, 1))


def _write(url: str, root: Path, source: str, drafts: list[Draft]) -> None:
    recorder = CrawlRecorder(url, root / "artifacts", source)
    page = f"{source} fixtures".encode()
    sha = recorder.archive(stored=page, original_sha256=sha256_hex(page), redacted=False,
                           url=f"http://127.0.0.1/{source}", http_status=200,
                           content_type="application/json", size=len(page))
    recorder.write_batch(draft_rows(recorder, drafts), sha, seen_at=datetime(2026, 11, 2, tzinfo=UTC))
    recorder.finish(covers_whole_source=True)


def test_registry_notices_and_pages_on_a_store(database_url: str, tmp_path: Path) -> None:
    """Fixtures: synthetic_notices_serious_in_and_out.json (gsxt notices: a listing in 2026, a
    listing in 2024 with its removal in 2025, a removal alone, an abnormal-operations listing),
    the company page and serious notice of 北京云栖 (one listing shown twice, 2025-07-10), and
    synthetic_a_list_red_and_black.csv (the A-level lists those companies are on)."""
    migrate(database_url)
    for source in ("gsxt", "tax_a_list"):
        register_source(database_url, {"id": source, "title": source, "publisher": "test"})
    keyer = Keyer(b"k")
    notices = [*(FIX / "gsxt" / f for f in ("synthetic_notices_serious_in_and_out.json",
                                            "synthetic_notices_serious.json",
                                            "synthetic_company_page_lists.html"))]
    _write(database_url, tmp_path, "gsxt",
           [d for f in notices for d in gsxt.parse_bytes(f.read_bytes(), keyer).drafts])
    red = FIX / "tax_a_list" / "synthetic_a_list_red_and_black.csv"
    _write(database_url, tmp_path, "tax_a_list",
           tax_a_list.parse_bytes(red.read_bytes(), keyer, name=red.name).drafts)
    counts, rows = run_suite(database_url)
    found = {(r["company"], r["detail"]["a_level_year"]): r for r in rows}
    assert set(found) == {("武汉示例金鼎建筑工程有限公司", 2025), ("杭州示例复原科技有限公司", 2023),
                          ("北京云栖示例科技有限公司", 2024)}
    assert counts == {"red_list_while_blacklisted": 3}
    # A-level for 2025 counts from 2026-04-01; the notice of 2026-07-18 lists it while it is.
    wuhan = found[("武汉示例金鼎建筑工程有限公司", 2025)]["detail"]["blacklisted"]
    assert [(b["record_type"], b["from"]) for b in wuhan] == [("notice", "2026-07-18")]
    # Listed 2024-03-01, removed by notice 2025-06-01: overlaps A-level 2023, not 2025.
    hangzhou = found[("杭州示例复原科技有限公司", 2023)]
    assert [(b["from"], b["until"]) for b in hangzhou["detail"]["blacklisted"]] == [
        ("2024-03-01", "2025-06-01")]
    assert "began before the 2023 A-level list was due" in hangzhou["summary"]
    # One listing shown as a page row and as a notice is one entry: the row.
    beijing = found[("北京云栖示例科技有限公司", 2024)]
    assert [b["record_type"] for b in beijing["detail"]["blacklisted"]] == ["serious"]
    assert "(1 entry, the first from 2025-07-10)" in beijing["summary"]

"""Penalties shown past their publicity period: the rule table on its own, then the suite on a
store built with the real writer (SQLite, and PostgreSQL when a server is there)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from watchdog.audit import suite_penalty_publicity as suite
from watchdog.audit.runner import suites
from watchdog.ingest import draft_rows
from watchdog.model import load_citations
from watchdog.parsers import credit_china
from watchdog.parsers.base import Draft, subject
from watchdog.privacy import Keyer
from watchdog.store.artifacts import sha256_hex
from watchdog.store.db import get_engine, migrate
from watchdog.store.tables import AuditRun, Finding, Observation, RegimeVersion
from watchdog.store.writer import CrawlRecorder, register_source

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "credit_china"


def pen(decided: str, category: str = "罚款", content: str = "罚款人民币20000元", **more: str) -> dict:
    return {"record_type": "penalty", "decision_date": decided, "category": category,
            "content": content, **more}


def test_suite_is_found_by_the_runner():
    assert ("penalty_publicity", suite.audit) in suites()


def test_citations_exist():
    known = load_citations()
    assert {c for era in suite.PERIODS.values() for _, c, _ in era.values()} <= set(known)


@pytest.mark.parametrize(("payload", "seen", "rule"), [
    (pen("2019-07-13"), date(2020, 7, 14), "publicity.pre_2025.general"),
    (pen("2019-07-13"), date(2020, 7, 13), None),
    (pen("2022-01-10", "吊销许可证", "吊销食品经营许可证"), date(2025, 1, 11), "publicity.pre_2025.serious"),
    (pen("2022-01-10", "吊销许可证", "吊销食品经营许可证"), date(2024, 12, 31), None),
    (pen("2025-07-01", "警告", "警告", decision_name="当场处罚决定书（简易程序）"), date(2025, 10, 2),
     "publicity.2025.minor"),
    (pen("2025-07-01", "警告", "警告", decision_name="当场处罚决定书（简易程序）"), date(2025, 10, 1), None),
    # A warning that does not say it was decided on the spot may be general: a year is allowed.
    (pen("2025-07-01", "警告", "警告"), date(2025, 11, 1), None),
    # Before the reform there was no minor class: the simplified procedure is general.
    (pen("2024-01-05", "警告", "警告（简易程序）"), date(2024, 6, 1), None),
    (pen("2025-06-21", "警告", "简易程序"), date(2025, 10, 1), None),
    (pen("2025-06-22", "警告", "简易程序"), date(2025, 10, 1), "publicity.2025.minor"),
    ({"record_type": "penalty", "decision_no": "x"}, date(2030, 1, 1), None),
    # One decision, several penalties: the heaviest sets the period (revoking a licence: 3 years).
    (pen("2020-01-10", "罚款", "罚款5万元，撤销行政许可"), date(2021, 6, 1), None),
    (pen("2020-01-10", "罚款", "罚款5万元，撤销行政许可"), date(2023, 1, 11), "publicity.pre_2025.serious"),
    (pen("2020-01-10", "其他", "五年内禁止从事食品生产经营管理工作"), date(2021, 6, 1), None),
    (pen("2025-08-01", "罚款", "罚款10万元，法定代表人五年内禁止从事食品生产经营管理工作"),
     date(2026, 9, 1), None),
    # Refused in its clause, a revocation is not imposed: a fine of 2000 yuan is general.
    (pen("2022-01-10", "罚款", "不予吊销营业执照，罚款2000元"), date(2023, 12, 10), "publicity.pre_2025.general"),
    (pen("2025-07-01", "罚款", "不予吊销营业执照，罚款2000元"), date(2026, 7, 2), "publicity.2025.general"),
    # Cancelling an earlier decision is not revoking a licence.
    (pen("2022-01-10", "罚款", "撤销原行政处罚决定，罚款2000元"), date(2023, 1, 11), "publicity.pre_2025.general"),
    # Suspending a licence is general (the 2025 rules' own example).
    (pen("2025-07-01", "暂扣许可证", "暂扣食品经营许可证三个月"), date(2026, 7, 2), "publicity.2025.general"),
])
def test_rule_table(payload, seen, rule):
    found = suite.judge(payload, seen)
    assert (found and found["rule"]) == rule


@pytest.mark.parametrize("content", [
    "吊销营业执照", "吊销食品经营许可证", "撤销行政许可", "撤销其医疗器械注册证", "撤销登记",
    "撤销建筑业企业资质", "责令关闭", "限制开展生产经营活动", "责令停产停业", "责令停业整顿",
    "限制从业", "禁止从业", "五年内禁止从事食品生产经营管理工作", "终身不得从事食品生产经营管理工作",
    "十年内不得担任公司董事", "降低资质等级", "罚款（较大数额罚款）", "没收较大数额违法所得",
    "行政拘留十日",
])
def test_wordings_of_serious_penalties(content):
    for era in suite.PERIODS:
        assert suite.penalty_class({"content": content}, era)[:2] == ("serious", False), (content, era)


@pytest.mark.parametrize("content", [
    "罚款2000元", "警告", "通报批评", "没收违法所得3000元", "暂扣许可证三个月",
    "不予吊销营业执照，罚款2000元", "免予责令停产停业；罚款5000元", "依法不予撤销行政许可，警告",
    "不予吊销营业执照、罚款2000元", "不予吊销营业执照并处罚款2000元",
])
def test_wordings_of_general_penalties(content):
    for era in suite.PERIODS:
        assert suite.penalty_class({"content": content}, era)[:2] == ("general", False), (content, era)


def test_unknown_class_assumes_the_longest_period_and_says_so():
    found = suite.judge({"record_type": "penalty", "decision_date": "2020-03-01"}, date(2023, 3, 2))
    assert found["detail"]["class_assumed"] is True and found["detail"]["class"] == "serious"
    assert "longest period was assumed" in found["summary"]
    assert suite.judge({"record_type": "penalty", "decision_date": "2020-03-01"}, date(2023, 3, 1)) is None


def test_an_earlier_stated_end_of_publicity_wins():
    payload = pen("2026-01-05", "罚款", "罚款2000元", publicity_end="2026-07-05")
    assert suite.judge(payload, date(2026, 7, 5)) is None
    found = suite.judge(payload, date(2026, 7, 6))
    assert found["detail"]["basis"] == "stated" and "the record itself states (2026-07-05)" in found["summary"]


def test_a_later_stated_end_does_not_extend_the_legal_maximum():
    # A general penalty of 2020 may be shown for a year, whatever end the page states.
    payload = pen("2020-03-01", publicity_end="2026-03-01")
    found = suite.judge(payload, date(2024, 5, 1))
    assert found["rule"] == "publicity.pre_2025.general" and found["detail"]["basis"] == "class"
    assert found["detail"]["publicity_end"] == "2021-03-01"
    assert found["detail"]["stated_publicity_end"] == "2026-03-01"
    assert "The page states a later end of publicity (2026-03-01)" in found["summary"]
    assert suite.judge(payload, date(2021, 3, 1)) is None
    minor = pen("2026-01-05", "警告", "警告（简易程序）", publicity_end="2027-01-05")
    assert suite.judge(minor, date(2026, 4, 5)) is None
    assert suite.judge(minor, date(2026, 12, 1))["rule"] == "publicity.2025.minor"


def test_add_months_keeps_to_the_month():
    assert suite.add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert suite.add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert suite.add_months(date(2022, 2, 28), 36) == date(2025, 2, 28)


# -- on a store -----------------------------------------------------------------------------------

def draft(key: str, payload: dict) -> Draft:
    return Draft(record_key=f"penalty:{key}", payload=payload,
                 subject=subject(f"uscc:{key}", "company", name=f"公司{key}"))


def write(url: str, root: Path, drafts: list[Draft], seen: datetime) -> str:
    recorder = CrawlRecorder(url, root / "artifacts", "credit_china")
    page = str(seen).encode()
    sha = recorder.archive(stored=page, original_sha256=sha256_hex(page), redacted=False,
                           url="http://127.0.0.1/private-api/typeSourceSearch", http_status=200,
                           content_type="application/json", size=len(page))
    recorder.write_batch(draft_rows(recorder, drafts), sha, seen_at=seen)
    recorder.finish(covers_whole_source=True)
    return sha


def run(url: str, as_of: date) -> tuple[int, dict[str, int]]:
    engine = get_engine(url)
    with engine.begin() as conn:
        run_id = int(conn.execute(insert(AuditRun.__table__).values(
            started_at=datetime.now(UTC), status="running",
            as_of=datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC))).inserted_primary_key[0])
    return run_id, suite.audit(engine, run_id=run_id, as_of=as_of)


def test_suite_on_a_store(database_url, tmp_path):
    migrate(database_url)
    register_source(database_url, {"id": "credit_china", "title": "Credit China", "publisher": "NDRC"})
    fixture = credit_china.parse_bytes((FIX / "synthetic_typeSourceSearch_penalties.json").read_bytes(),
                                       Keyer(b"k")).drafts
    drafts = [*fixture, draft("gone", pen("2015-01-01")), draft("fresh", pen("2026-05-01")),
              # Taken down before its year was out: no finding.
              draft("gone_in_time", pen("2026-01-15")),
              draft("licence", {"record_type": "licence", "decision_date": "2010-01-01"})]
    first = write(database_url, tmp_path, drafts, datetime(2026, 6, 1, 8, tzinfo=UTC))
    # The next complete crawl no longer sees "gone" nor "gone_in_time": they are removed, and
    # judged up to the last day a crawl saw them shown.
    write(database_url, tmp_path, [d for d in drafts if "gone" not in d.record_key],
                datetime(2026, 7, 1, 8, tzinfo=UTC))
    # Judged as of the last crawl that saw them, whatever the audit date.
    run_id, counts = run(database_url, date(2030, 1, 1))
    assert counts == {suite.CHECK_ID: 3}
    engine = get_engine(database_url)
    with engine.connect() as conn:
        found = {}
        for f in conn.execute(select(Finding).where(Finding.audit_run_id == run_id)):
            o = conn.execute(select(Observation).where(Observation.id == f.observation_id)).one()
            found[o.record_key] = (f, o)
        gone, gone_obs = found.pop("penalty:gone")
        minor, _ = found.pop("penalty:uscc:91320322MA1MXXD10P:苏徐市监简罚(2026)3号")
        [(f, obs)] = found.values()
        regime = conn.execute(select(RegimeVersion).where(RegimeVersion.id == f.regime_version_id)).one()
    # Shown past its year until the last crawl that saw it, then taken down: still a finding.
    assert gone_obs.status == "removed" and gone.detail["seen_on"] == "2026-06-01"
    assert gone.detail["still_shown"] is False and gone.detail["removed_seen_on"]
    assert "It has since been taken down" in gone.summary and "2015-01-01" in gone.summary
    assert f.detail["still_shown"] is True and "taken down" not in f.summary
    # The fixture's simplified-procedure warning states a year of publicity; the rules allow 3
    # months, so being shown 6 months after is a finding whatever the page states.
    assert minor.rule == "publicity.2025.minor" and minor.detail["publicity_end"] == "2026-04-05"
    assert "The page states a later end of publicity (2027-01-05)" in minor.summary
    assert obs.record_key.endswith("苏徐市监罚(2019)88号") and obs.subject_id == f.subject_id
    # The evidence is the page the penalty was first read from (unchanged since).
    assert f.artifact_sha256 == obs.artifact_sha256 == first and f.severity == "medium" and f.court is None
    assert f.rule == "publicity.pre_2025.general" and f.evidence == "verified"
    assert f.citation == "penalty_publicity_2019_guizhou" and f.detail["seen_on"] == "2026-07-01"
    assert "2019-07-13" in f.summary and "1 year" in f.summary
    assert regime.regime_id == "cn_penalty_publicity" and "gov_2025_22" in regime.document
    # A later run pins the same regime version.
    run_id2, _ = run(database_url, date(2030, 1, 1))
    with engine.connect() as conn:
        ids = set(conn.execute(select(Finding.regime_version_id)).scalars())
    assert ids == {f.regime_version_id} and run_id2 != run_id

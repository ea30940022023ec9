"""Company matching over a store built with the real writer, on SQLite and PostgreSQL: the
expected matches and no others, idempotent runs, retraction kept as history, persons never read.

`build_company_store` is shared with the company pages' and the cross-list check's tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from stdnum.cn import uscc as uscc_std

from watchdog.companies_store import run_matching
from watchdog.parsers.base import company_key
from watchdog.store.artifacts import sha256_hex
from watchdog.store.company_tables import CompanyMatch
from watchdog.store.db import get_engine, migrate
from watchdog.store.tables import Subject
from watchdog.store.writer import CrawlRecorder, ListingRow, register_source

SOURCES = {
    "court_dishonest": "List of dishonest judgment debtors", "tax_a_list": "A-level taxpayers",
    "gsxt": "Enterprise credit publicity system", "ofac_sdn": "OFAC SDN list",
    "us_csl": "Consolidated Screening List", "worldbank_debarred": "World Bank debarred firms",
}
PERSON_SENTINEL = "SENTINEL_PERSON_华为数字"  # a person's name that must never be read or shown
SEEN = datetime(2026, 11, 2, 8, tzinfo=UTC)


def make_org(org8: str) -> str:
    """A valid 9-character organisation code (GB 11714)."""
    chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    total = sum(chars.index(c) * w for c, w in zip(org8, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    return org8 + {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))


def make_uscc(region: str, org8: str) -> str:
    """A valid 18-character code for an enterprise in `region` (GB 32100 + GB 11714)."""
    code17 = "91" + region + make_org(org8)
    return code17 + uscc_std.calc_check_digit(code17)


HUAWEI_DIGITAL = make_uscc("110108", "60003734")   # 北京华为数字技术有限公司
HUAWEI_DIGITAL_LOOKALIKE = make_uscc("110108", "70001234")  # 北京华为数码技术有限公司
HUAWEI_TECH = make_uscc("440300", "19224963")      # 华为技术有限公司
SERIOUS = make_uscc("310115", "55012345")           # on the serious-violation list
ABNORMAL = make_uscc("310115", "55067890")          # only on the abnormal-operations list
LATE = make_uscc("320102", "13579246")              # A-level 2018, blacklisted only in 2024
WB_CODE = "91650104766801418W"                     # given by the World Bank's firm info
OLD_ORG = "550875725"                               # a court listing of 2019 by org code


def masked(code: str) -> str:
    return f"{code[:10]}****{code[14:]}"


@dataclass(frozen=True)
class CompanyStore:
    url: str
    artifacts_dir: Path
    shas: dict[str, str]


def company(key: str, name: str | None, code: str | None = None) -> dict[str, Any]:
    return {"key": key, "kind": "company", "name": name, "code": code, "province": None,
            "birth_year": None, "sex": None, "age_band": None}


def row(record_key: str, subject: dict[str, Any], payload: dict[str, Any]) -> ListingRow:
    party = subject["kind"]
    return ListingRow(record_key=record_key, subject=subject, payload=payload,
                      facets={"party_type": party, "province": "北京"})


def court(n: int, subject: dict[str, Any], published: str) -> ListingRow:
    return row(f"(2025)京0108执{n}号|{subject['key']}", subject, {
        "party_type": subject["kind"], "case_code": f"(2025)京0108执{n}号",
        "publish_date": published, "court": "北京市海淀区人民法院", "performance": "全部未履行"})


def tax(code: str, name: str, year: int) -> ListingRow:
    key = company_key(uscc=code, org_code=code if len(code) == 9 else None, name=name)
    return row(f"{year}|{code}", company(key, name, code if len(code) == 18 else None),
               {"taxpayer_number": code, "name": name, "year": year, "grade": "A"})


def foreign(record: str, name: str, payload: dict[str, Any], kind: str = "company") -> ListingRow:
    subject = (company(company_key(name=name), name) if kind == "company"
               else {**company(f"person-{record}", None), "kind": "person"})
    return row(record, subject, {"names": [name] if kind == "company" else [], **payload})


def store_rows(variant: str = "base") -> dict[str, list[ListingRow]]:
    person = {**company("person-key-1", PERSON_SENTINEL), "kind": "person"}
    wb_ids = [WB_CODE] if variant == "base" else []
    wb_info = "(新疆北朋土木工程检测咨询有限公司)" if variant == "base" else ""
    return {
        "court_dishonest": [
            court(1, company(f"uscc:{masked(HUAWEI_DIGITAL)}", "北京华为数字技术有限公司",
                             masked(HUAWEI_DIGITAL)), "2025-03-01"),
            court(2, company(f"org:{OLD_ORG}", "景德镇市伟雁水暖器材物资有限公司", OLD_ORG),
                  "2019-06-01"),
            court(3, company(f"uscc:{masked(LATE)}", "南京迟到贸易有限公司", LATE), "2024-01-01"),
            court(4, person, "2025-03-01"),
        ],
        "tax_a_list": [
            tax(HUAWEI_DIGITAL, "北京华为数字技术有限公司", 2024),
            tax("310115" + make_org("55000001"), "北京华为数字技术有限公司上海分公司", 2024),
            tax(HUAWEI_DIGITAL_LOOKALIKE, "北京华为数码技术有限公司", 2024),
            tax(HUAWEI_TECH, "华为技术有限公司", 2024),
            tax("360206" + OLD_ORG, "景德镇市伟雁水暖器材物资有限公司", 2018),
            tax(SERIOUS, "上海严重违法示例有限公司", 2024),
            tax(ABNORMAL, "上海经营异常示例有限公司", 2024),
            tax(LATE, "南京迟到贸易有限公司", 2018),
            tax(WB_CODE, "新疆北朋土木工程检测咨询有限公司", 2024),
        ],
        "gsxt": [
            row("sv1", company(f"uscc:{SERIOUS}", "上海严重违法示例有限公司", SERIOUS),
                {"list": "严重违法失信企业名单", "listed_on": "2025-06-01", "reason": "三年未年报"}),
            row("ab1", company(f"uscc:{ABNORMAL}", "上海经营异常示例有限公司", ABNORMAL),
                {"list": "经营异常名录", "listed_on": "2025-06-01"}),
        ],
        "ofac_sdn": [
            foreign("36000", "HUAWEI TECHNOLOGIES CO., LTD.", {
                "list_name": "SDN", "programs": ["IRAN-EO13846"], "country": "China",
                "listed_on": "2019-05-16",
                "names": ["HUAWEI TECHNOLOGIES CO., LTD.", "华为技术有限公司"]}),
            foreign("36001", "HUAWEI TECHNOLOGIES INVESTMENT CO., LTD.", {
                "list_name": "SDN", "programs": ["IRAN-EO13846"], "listed_on": "2019-05-16"}),
            foreign("36002", "person", {"list_name": "SDN", "programs": ["SDGT"]}, kind="person"),
        ],
        "us_csl": [
            foreign("el-1", "Huawei Technologies Co. Ltd", {
                "list_name": "Entity List (EL) - Bureau of Industry and Security",
                "programs": ["EAR"], "listed_on": "2019-05-16"}),
            foreign("el-13", "China Electronics Technology Group Corporation 13th Research Institute",
                    {"list_name": "Entity List (EL)", "listed_on": "2018-08-01"}),
            foreign("el-14", "China Electronics Technology Group Corporation 14th Research Institute",
                    {"list_name": "Entity List (EL)", "listed_on": "2018-08-01"}),
        ],
        "worldbank_debarred": [
            foreign("wb-647", "XINJIANG BEIPENG CIVIL ENGINEERING TESTING CONSULTING CO., LTD.", {
                "list_name": "World Bank debarred firms", "grounds": ["Fraudulent practice"],
                "listed_on": "2024-09-01", "end_date": "2027-09-01", "identifiers": wb_ids,
                "additional_info": wb_info}),
        ],
    }


def build_company_store(url: str, root: Path, variant: str = "base") -> CompanyStore:
    migrate(url)
    shas: dict[str, str] = {}
    for source_id, title in SOURCES.items():
        register_source(url, {"id": source_id, "title": title, "publisher": "test"})
    for source_id, rows in store_rows(variant).items():
        recorder = CrawlRecorder(url, root / "artifacts", source_id,
                                 origin=f"http://127.0.0.1:8765/{source_id}")
        body = json.dumps({"source": source_id, "variant": variant}).encode()
        shas[source_id] = recorder.archive(
            stored=body, original_sha256=sha256_hex(body), redacted=False,
            url=f"http://127.0.0.1:8765/{source_id}/list", http_status=200,
            content_type="application/json", size=len(body))
        recorder.write_batch(rows, shas[source_id], seen_at=SEEN)
        recorder.finish(covers_whole_source=True)
    return CompanyStore(url, root / "artifacts", shas)


def open_rows(url: str) -> int:
    table = CompanyMatch.__table__
    with get_engine(url).connect() as conn:
        return len(conn.execute(select(table.c.id).where(table.c.retracted_at.is_(None))).all())


def active_matches(url: str) -> dict[frozenset[str], tuple[str, float, str]]:
    """{subject names or keys} -> (method, score, reason) of the matches not retracted (two
    records of one name count once: the branch is joined to its parent's court and tax record)."""
    subj, match = Subject.__table__, CompanyMatch.__table__
    with get_engine(url).connect() as conn:
        names = {i: name or key for i, key, name in conn.execute(
            select(subj.c.id, subj.c.key, subj.c.name))}
        rows = conn.execute(select(match).where(match.c.retracted_at.is_(None))).mappings().all()
    return {frozenset((names[r["subject_a"]], names[r["subject_b"]])):
            (r["method"], r["score"], r["reason"]) for r in rows}


def pair(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


EXPECTED = {
    pair("北京华为数字技术有限公司", "北京华为数字技术有限公司"): "masked_uscc+name",
    pair("北京华为数字技术有限公司上海分公司", "北京华为数字技术有限公司"): "name_branch",
    pair("景德镇市伟雁水暖器材物资有限公司", "景德镇市伟雁水暖器材物资有限公司"): "org_code",
    pair("南京迟到贸易有限公司", "南京迟到贸易有限公司"): "uscc",
    pair("华为技术有限公司", "HUAWEI TECHNOLOGIES CO., LTD."): "chinese_name_from_foreign_list",
    pair("HUAWEI TECHNOLOGIES CO., LTD.", "Huawei Technologies Co. Ltd"): "name_exact",
    pair("新疆北朋土木工程检测咨询有限公司",
         "XINJIANG BEIPENG CIVIL ENGINEERING TESTING CONSULTING CO., LTD."): "uscc",
}


@pytest.fixture
def company_store(database_url: str, tmp_path: Path) -> CompanyStore:
    return build_company_store(database_url, tmp_path)


def test_expected_matches_and_no_others(company_store: CompanyStore) -> None:
    summary = run_matching(company_store.url)
    found = active_matches(company_store.url)
    methods = {p: m for p, (m, _, _) in found.items()}
    for expected, method in EXPECTED.items():
        assert methods.get(expected) == method, (expected, methods.get(expected))
    others = {p: m for p, m in methods.items() if p not in EXPECTED}
    assert set(others.values()) <= {"name_branch"}, others
    assert summary.active == summary.added == open_rows(company_store.url) == len(found) + 1
    flat = {name for p in found for name in p}
    assert "北京华为数码技术有限公司" not in flat  # a one-character difference is another company
    assert "HUAWEI TECHNOLOGIES INVESTMENT CO., LTD." not in flat
    assert not any("Research Institute" in name for name in flat)  # 13th is not 14th
    assert not any("person" in name or PERSON_SENTINEL in name for name in flat)


def test_reasons_name_the_evidence(company_store: CompanyStore) -> None:
    run_matching(company_store.url)
    found = active_matches(company_store.url)
    method, score, reason = found[pair("南京迟到贸易有限公司", "南京迟到贸易有限公司")]
    assert score == 1.0 and LATE in reason and "published code" in reason
    _, _, reason = found[pair("景德镇市伟雁水暖器材物资有限公司", "景德镇市伟雁水暖器材物资有限公司")]
    assert f"inside taxpayer number 360206{OLD_ORG}" in reason
    _, _, reason = found[pair("北京华为数字技术有限公司上海分公司", "北京华为数字技术有限公司")]
    assert "branch" in reason and "上海分公司" in reason
    _, _, reason = found[pair("华为技术有限公司", "HUAWEI TECHNOLOGIES CO., LTD.")]
    assert "foreign list ofac_sdn" in reason


def test_rerun_adds_nothing(company_store: CompanyStore) -> None:
    first = run_matching(company_store.url)
    second = run_matching(company_store.url)
    assert first.added > 0
    assert (second.added, second.retracted, second.unchanged) == (0, 0, first.added)
    with get_engine(company_store.url).connect() as conn:
        assert len(conn.execute(select(CompanyMatch.__table__)).all()) == first.added


def test_refresh_runs_matching_only_when_the_store_moved(company_store: CompanyStore,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import watchdog.companies_store as cs

    engine = get_engine(company_store.url)
    calls: list[int] = []
    real = cs.match_engine
    monkeypatch.setattr(cs, "match_engine", lambda e: calls.append(1) or real(e))
    cs.refresh_matches(engine)
    cs.refresh_matches(engine)  # a second audit suite in the same run
    assert len(calls) == 1
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(CompanyMatch.__table__)).scalar_one()
    recorder = CrawlRecorder(company_store.url, company_store.artifacts_dir, "gsxt")
    recorder.write_batch([row("new:1", company("name:新来的有限公司", "新来的有限公司"), {})],
                         company_store.shas["gsxt"])
    recorder.finish(covers_whole_source=False)
    cs.refresh_matches(engine)
    assert len(calls) == 2


def test_a_match_that_no_longer_holds_is_retracted_and_kept(company_store: CompanyStore,
                                                            tmp_path: Path) -> None:
    run_matching(company_store.url)
    wb = pair("新疆北朋土木工程检测咨询有限公司",
              "XINJIANG BEIPENG CIVIL ENGINEERING TESTING CONSULTING CO., LTD.")
    # The World Bank drops the code and the Chinese name: nothing joins the two any more.
    build_company_store(company_store.url, tmp_path / "again", variant="no_code")
    summary = run_matching(company_store.url)
    assert summary.retracted == 1 and summary.added == 0
    assert wb not in active_matches(company_store.url)
    table = CompanyMatch.__table__
    with get_engine(company_store.url).connect() as conn:
        history = conn.execute(select(table).where(table.c.retracted_at.is_not(None))).all()
    assert len(history) == 1 and history[0].method == "uscc"
    # The code comes back: a new row, the retracted one stays as history.
    build_company_store(company_store.url, tmp_path / "third")
    summary = run_matching(company_store.url)
    assert summary.added == 1 and wb in active_matches(company_store.url)
    with get_engine(company_store.url).connect() as conn:
        assert len(conn.execute(select(table)).all()) == open_rows(company_store.url) + 1


def test_one_open_row_per_pair(company_store: CompanyStore) -> None:
    run_matching(company_store.url)
    table = CompanyMatch.__table__
    with get_engine(company_store.url).connect() as conn:
        first = conn.execute(select(table).limit(1)).mappings().one()
    duplicate = {k: v for k, v in first.items() if k != "id"}
    with pytest.raises(IntegrityError), get_engine(company_store.url).begin() as conn:
        conn.execute(insert(table).values(**duplicate))


def test_persons_are_never_matched(company_store: CompanyStore) -> None:
    run_matching(company_store.url)
    subj, match = Subject.__table__, CompanyMatch.__table__
    with get_engine(company_store.url).connect() as conn:
        persons = {i for i, in conn.execute(select(subj.c.id).where(subj.c.kind == "person"))}
        joined = {i for r in conn.execute(select(match.c.subject_a, match.c.subject_b)) for i in r}
    assert persons and not persons & joined


def test_match_command(company_store: CompanyStore, monkeypatch: pytest.MonkeyPatch,
                       tmp_path: Path) -> None:
    from click.testing import CliRunner

    from watchdog.commands.match_commands import match_command

    monkeypatch.setenv("WATCHDOG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("WATCHDOG_DATABASE_URL", company_store.url)
    first = CliRunner().invoke(match_command, [])
    assert first.exit_code == 0, first.output
    assert "company matching" in first.output and "8 added" in first.output
    again = CliRunner().invoke(match_command, [])
    assert "0 added, 8 unchanged, 0 retracted" in again.output
    monkeypatch.setenv("WATCHDOG_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite'}")
    broken = CliRunner().invoke(match_command, [])
    assert broken.exit_code == 1 and broken.output.startswith("error:")

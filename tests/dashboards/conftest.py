"""A small store built once per session through the real writer, and a Flask app over it.

The numbers are chosen so the privacy rules have something to bite on: Tibet has 3 listed
persons (a small cell), Henan 16 (held back as "≥10" so Tibet's 3 cannot be found by
subtraction), Beijing 20. One person subject carries a sentinel name and ID that must never
appear on any page, although a correct parser would never have stored them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select

from dashboards import create_app
from watchdog.store.artifacts import sha256_hex
from watchdog.store.db import get_engine, migrate
from watchdog.store.tables import AuditRun, Finding, Observation, RegimeVersion
from watchdog.store.writer import CrawlRecorder, ListingRow, register_source

SENTINEL_NAME = "SENTINEL_PERSON_NAME_张三丰"
SENTINEL_ID = "SENTINEL_ID_11010119900101"
MIRROR_ORIGIN = "http://127.0.0.1:8765/shixin/"
COURT_MANIFEST = {"id": "court_dishonest", "title": "List of dishonest judgment debtors",
                  "publisher": "Supreme People's Court", "official": True}
CREDIT_MANIFEST = {"id": "credit_china", "title": "Credit China records",
                   "publisher": "National Development and Reform Commission", "official": True}
STORED = (b'{"result":[{"caseCode":"(2023)\xe4\xba\xac0101\xe6\x89\xa71\xe5\x8f\xb7",'
          b'"iname":"[redacted]","duty":"pay 10000 yuan"}]}')
ORIGINAL = STORED.replace(b"[redacted]", b"someone")


@dataclass(frozen=True)
class Store:
    url: str
    artifacts_dir: Path
    artifact_sha: str
    original_sha: str


def _person(n: int, province: str, circumstances: str, performance: str) -> ListingRow:
    sentinel = n == 0
    return ListingRow(
        record_key=f"p{n}",
        subject={"key": f"person-key-{n}", "kind": "person",
                 "name": SENTINEL_NAME if sentinel else None,
                 "code": SENTINEL_ID if sentinel else None, "province": province,
                 "birth_year": 1970 + n % 30, "sex": "MF"[n % 2],
                 "age_band": ("30-39", "40-49", "50-59")[n % 3]},
        payload={"case_code": f"(2023)豫0101执{n}号", "publish_date": f"2023-0{1 + n % 4}-15",
                 "gist_unit": "某某人民法院", "duty": "pay [redacted] 5000 yuan"},
        facets={"party_type": "person", "province": province, "court": f"{province}第一法院",
                "circumstances": circumstances, "performance": performance,
                "publish_month": f"2023-0{1 + n % 4}"})


def _company(n: int, province: str, circumstances: str, performance: str) -> ListingRow:
    return ListingRow(
        record_key=f"c{n}",
        subject={"key": f"company-key-{n}", "kind": "company",
                 "name": f"{province}测试科技有限公司{n}", "code": f"91110000MA0000{n:04d}",
                 "province": province, "birth_year": None, "sex": None, "age_band": None},
        payload={"case_code": f"(2023)京0101执{100 + n}号", "publish_date": "2023-05-10",
                 "gist_unit": "某某仲裁委员会"},
        facets={"party_type": "company", "province": province, "court": f"{province}中级法院",
                "circumstances": circumstances, "performance": performance,
                "publish_month": f"2023-0{5 + n % 2}"})


def listing_rows() -> list[ListingRow]:
    """39 persons (2 of them removed later) and 9 companies in four provinces."""
    n = itertools.count()
    rows = [_person(next(n), "北京", c, p) for c, p, _ in zip(
        itertools.cycle(["c1", "c1,c4", "c1", "c5"]),
        itertools.cycle(["全部未履行", "部分未履行"]), range(20), strict=False)]
    rows += [_person(next(n), "河南", c, p) for c, p, _ in zip(
        itertools.cycle(["c1", "c3", "none", "c1,c2"]),
        itertools.cycle(["全部未履行", "全部履行"]), range(16), strict=False)]
    rows += [_person(next(n), "西藏", "c2", "全部未履行") for _ in range(3)]
    m = itertools.count()
    rows += [_company(next(m), prov, circ, perf) for prov, circ, perf in [
        ("北京", "c1", "全部未履行"), ("北京", "c4", "部分未履行"), ("北京", "none", "全部履行"),
        ("广东", "c1", "全部未履行"), ("广东", "c1,c6", "全部未履行"), ("广东", "c3", "部分未履行"),
        ("广东", "c1", "全部履行"), ("河南", "c5", "全部未履行"), ("河南", "none", "全部未履行")]]
    return rows


def build_store(root: Path, *, origin: str = MIRROR_ORIGIN, audit: bool = True,
                url: str | None = None) -> Store:
    """The fixture store under `root` (SQLite unless `url` names another empty database)."""
    url = url or f"sqlite:///{root / 'store.sqlite'}"
    artifacts_dir = root / "artifacts"
    migrate(url)
    register_source(url, COURT_MANIFEST)
    register_source(url, CREDIT_MANIFEST)
    rows = listing_rows()
    first = CrawlRecorder(url, artifacts_dir, "court_dishonest", origin=origin)
    sha = first.archive(stored=STORED, original_sha256=sha256_hex(ORIGINAL), redacted=True,
                        url=origin + "search?page=1", http_status=200,
                        content_type="application/json; charset=utf-8", size=len(ORIGINAL))
    first.write_batch(rows, sha)
    first.finish(covers_whole_source=True)
    # Two Henan persons are gone from the second complete crawl: they become "removed".
    second = CrawlRecorder(url, artifacts_dir, "court_dishonest", origin=origin)
    second.write_batch([r for r in rows if r.record_key not in ("p34", "p35")], sha)
    second.finish(covers_whole_source=True)
    blocked = CrawlRecorder(url, artifacts_dir, "court_dishonest", origin=origin)
    blocked.note_unknown_fields(["newField"])
    blocked.finish(covers_whole_source=True, status="blocked", reason="HTTP 412 captcha page")
    if audit:
        _audit(url, sha)
    return Store(url, artifacts_dir, sha, sha256_hex(ORIGINAL))


# check id, which listings it flags, severity, rule, citation id, evidence grade, summary
CHECKS = [
    ("no_lawful_circumstance", lambda circ, perf: circ == "none", "high",
     "listing_circumstances", "spc_2017_provisions_clt", "verified",
     "Listed with none of the six lawful circumstances."),
    # A citation id that data/citations.yaml does not know: the page must still show the id.
    ("performed_not_removed", lambda circ, perf: perf == "全部履行", "medium",
     "removal_sla_working_days", "no_such_citation_id", "memory",
     "Fully performed but still listed."),
]


def _audit(url: str, sha: str) -> None:
    """Three runs: an old complete one, the current complete one, and one still running."""
    now = datetime.now(UTC)
    obs = Observation.__table__
    with get_engine(url).begin() as conn:
        regime = conn.execute(insert(RegimeVersion.__table__).values(
            regime_id="court_dishonest_list", version="2017.1", content_sha256="0" * 64,
            loaded_at=now, document="id: court_dishonest_list")).inserted_primary_key[0]
        old, current, running = (conn.execute(insert(AuditRun.__table__).values(
            started_at=now, finished_at=None if status == "running" else now, status=status,
            checked=46, findings=0, as_of=now)).inserted_primary_key[0]
            for status in ("complete", "complete", "running"))
        listings = conn.execute(select(obs.c.id, obs.c.subject_id, obs.c.province, obs.c.court,
                                       obs.c.circumstances, obs.c.performance)
                                .where(obs.c.status == "listed").order_by(obs.c.id)).all()
        found = [{"observation_id": oid, "subject_id": sid, "regime_version_id": regime,
                  "artifact_sha256": sha, "province": prov, "court": court, "detail": {},
                  "audit_run_id": current, "check_id": check, "severity": severity,
                  "rule": rule, "citation": citation, "evidence": evidence, "summary": summary}
                 for oid, sid, prov, court, circ, perf in listings
                 for check, flags, severity, rule, citation, evidence, summary in CHECKS
                 if flags(circ, perf)]
        found.append({**found[0], "audit_run_id": old, "check_id": "old_check"})
        found.append({**found[0], "audit_run_id": running, "check_id": "running_check"})
        conn.execute(insert(Finding.__table__), found)


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return build_store(tmp_path_factory.mktemp("store"))


@pytest.fixture(scope="session")
def app(store: Store) -> Flask:
    return create_app(store.url, store.artifacts_dir, TESTING=True, SIMULATE_RATE_LIMIT=10_000)


@pytest.fixture()
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as client:
        yield client

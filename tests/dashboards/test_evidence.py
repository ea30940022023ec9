"""`/artifacts/<sha>/record/<observation_id>`: a company's own record out of an archived
court-list response, over a store filled by the real importer with the mirror's generated
records (a JSON list, a JSON Lines file and a Baidu page). It shows the record and the hashes,
refuses persons, other artifacts, other sources and tampered files, and never shows a name of a
natural person the page held; /findings links each company finding to it."""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from dashboards import create_app
from tests.dashboards.test_pages import Tags
from watchdog.audit.runner import run_audit
from watchdog.evidence_record import UnsafeExcerpt, excerpt
from watchdog.importer import import_file
from watchdog.ingest import listing_row
from watchdog.mirror.formats import baidu_body
from watchdog.mirror.generator import default_config, generate, truth
from watchdog.parsers.court_dishonest import parse_record
from watchdog.privacy import Keyer, redact_record_json
from watchdog.sources import load_manifest
from watchdog.store.artifacts import artifact_relpath, sha256_hex
from watchdog.store.db import get_engine, migrate
from watchdog.store.queries import OBS, SUBJ
from watchdog.store.writer import CrawlRecorder, ListingRow, register_source

SECRET = b"evidence-excerpt-test-secret"
CONFIG = default_config().with_(listing_count=240)
FILES = {"a.json": slice(0, 120), "b.jsonl": slice(120, 200), "c.json": slice(200, 240)}


@dataclass(frozen=True)
class MirrorStore:
    url: str
    artifacts: Path
    shas: dict[str, str]  # file name -> artifact
    records: list[dict[str, Any]]
    truth: dict[str, dict[str, Any]]


def _import(url: str, root: Path, name: str, body: bytes) -> str:
    manifest = load_manifest("court_dishonest")
    (root / name).write_bytes(body)
    outcome = import_file(manifest, root / name, database_url=url,
                          artifacts_dir=root / "artifacts", keyer=Keyer(SECRET))
    assert outcome.status == "complete", outcome
    with get_engine(url).connect() as conn:
        return conn.execute(select(OBS.c.artifact_sha256).order_by(OBS.c.id.desc())).scalar()


def _new_store(root: Path) -> str:
    url = f"sqlite:///{root / 'store.sqlite'}"
    migrate(url)
    register_source(url, load_manifest("court_dishonest").model_dump())
    return url


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> MirrorStore:
    root = tmp_path_factory.mktemp("evidence")
    url = _new_store(root)
    records = generate(1, CONFIG)
    bodies = {
        "a.json": json.dumps(records[FILES["a.json"]], ensure_ascii=False).encode(),
        "b.jsonl": "".join(json.dumps(r, ensure_ascii=False) + "\n"
                           for r in records[FILES["b.jsonl"]]).encode(),
        "c.json": baidu_body(records[FILES["c.json"]], 0, 40, base_url="http://127.0.0.1:8765/b",
                             day_date=CONFIG.day_dates[1]),
    }
    shas = {name: _import(url, root, name, body) for name, body in bodies.items()}
    run_audit(url, as_of=CONFIG.day_dates[1])
    return MirrorStore(url, root / "artifacts", shas, records, truth(1, CONFIG))


@pytest.fixture()
def mclient(mirror: MirrorStore) -> FlaskClient:
    return create_app(mirror.url, mirror.artifacts, TESTING=True).test_client()


def _listings(url: str) -> list[dict[str, Any]]:
    stmt = (select(OBS.c.id, OBS.c.artifact_sha256, SUBJ.c.kind, SUBJ.c.name)
            .select_from(OBS.join(SUBJ, SUBJ.c.id == OBS.c.subject_id)).order_by(OBS.c.id))
    with get_engine(url).connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def _private(mirror: MirrorStore) -> set[str]:
    """Every natural person's name and ID number the generated pages held."""
    out: set[str] = set()
    for meta in mirror.truth.values():
        out.update(meta["person_names"])
        if meta["party"] == "person":
            out.update(filter(None, (meta["full_id"], meta["cardNum"])))
    return out


def test_a_company_findings_excerpt_shows_its_record_and_the_hashes(mclient, mirror):
    rows = mclient.get("/findings.json?per_page=1000").get_json()["rows"]
    companies = [r for r in rows if r["party_type"] == "company"]
    assert companies and {r["artifact_sha256"] for r in companies} >= {
        mirror.shas["a.json"], mirror.shas["b.jsonl"]}
    for row in companies:
        body = mclient.get(row["evidence_url"] + ".json").get_json()
        shown = body["rows"][0]
        assert shown["observation_id"] == row["observation_id"]
        assert shown["artifact_sha256"] == row["artifact_sha256"]
        assert shown["original_sha256"] and shown["original_sha256"] != shown["artifact_sha256"]
        assert body["record"]["iname"] == row["company_name"] == shown["company_name"]
        assert body["record"]["caseCode"].replace("（", "(").replace("）", ")") == row["case_code"]
        # The legal representative is a person: withheld, token and all.
        assert body["withheld"]["businessEntity"].startswith("[withheld")
        assert "[person:" not in json.dumps(body, ensure_ascii=False)
        assert json.loads(shown["record_json"]) == body["record"]
        html = mclient.get(row["evidence_url"]).get_data(as_text=True)
        for text in (shown["artifact_sha256"], shown["original_sha256"], shown["url"],
                     row["company_name"], 'id="record"', "sha256sum", shown["position"]):
            assert text in html, text
    lines = mclient.get(next(r["evidence_url"] for r in companies
                             if r["artifact_sha256"] == mirror.shas["b.jsonl"]) + ".json")
    assert lines.get_json()["rows"][0]["position"].startswith("non-blank line ")


def test_the_position_points_at_the_record_in_the_original_file(mclient, mirror):
    """A reader holding the original page finds the company's record where the excerpt says."""
    for listing in (r for r in _listings(mirror.url) if r["kind"] == "company"):
        name = next(n for n, sha in mirror.shas.items() if sha == listing["artifact_sha256"])
        row = mclient.get(f"/artifacts/{listing['artifact_sha256']}/record/{listing['id']}.json"
                          ).get_json()["rows"][0]
        original = mirror.records[FILES[name]]
        # JSON list and Baidu page: one record per position; JSON Lines: one line per record.
        at = original[(row["line"] or row["record_number"]) - 1]
        assert at["iname"] == listing["name"] and row["record_number"] >= 1
        assert (row["line"] is not None) == (name == "b.jsonl")


def test_no_person_named_on_a_page_appears_in_any_excerpt(mclient, mirror):
    private = _private(mirror)
    companies = [r for r in _listings(mirror.url) if r["kind"] == "company"]
    # Every file and format, and companies whose code the stored copy turned into "[id]".
    assert {r["artifact_sha256"] for r in companies} == set(mirror.shas.values())
    redacted_code = 0
    for listing in companies:
        path = f"/artifacts/{listing['artifact_sha256']}/record/{listing['id']}"
        for suffix in ("", ".json", ".csv"):
            response = mclient.get(path + suffix)
            assert response.status_code == 200, (path, response.get_data(as_text=True)[:300])
            text = response.get_data(as_text=True)
            leaked = [p for p in private if p in text]
            assert not leaked, (path + suffix, len(leaked))
        redacted_code += mclient.get(path + ".json").get_json()["record"]["cardNum"] == "[id]"
    assert redacted_code


def test_a_persons_listing_is_refused(mclient, mirror):
    private = _private(mirror)
    persons = [r for r in _listings(mirror.url) if r["kind"] == "person"]
    for listing in persons[:20]:
        for suffix in ("", ".json", ".csv"):
            response = mclient.get(f"/artifacts/{listing['artifact_sha256']}/record/"
                                   f"{listing['id']}{suffix}")
            assert response.status_code == 403
            text = response.get_data(as_text=True)
            assert "natural person" in text and not [p for p in private if p in text]


def test_a_listing_not_on_that_artifact_is_refused(mclient, mirror):
    company = next(r for r in _listings(mirror.url)
                   if r["kind"] == "company" and r["artifact_sha256"] == mirror.shas["a.json"])
    other = mirror.shas["b.jsonl"]
    response = mclient.get(f"/artifacts/{other}/record/{company['id']}.json")
    assert response.status_code == 404 and "does not rest on" in response.get_json()["message"]
    assert mclient.get(f"/artifacts/{'0' * 64}/record/{company['id']}").status_code == 404
    assert mclient.get(f"/artifacts/{other}/record/999999").status_code == 404
    assert mclient.get(f"/artifacts/{'Z' * 64}/record/{company['id']}").status_code == 400
    assert mclient.get(f"/artifacts/{other}/record/{company['id']}?x=1").status_code == 400


def test_findings_twins_carry_evidence_url_for_companies_only(mclient, mirror, client):
    for twin in (mclient, client):  # the mirror store and the fixture store of conftest
        rows = twin.get("/findings.json?per_page=1000").get_json()["rows"]
        assert {r["party_type"] for r in rows} == {"company", "person"}
        for row in rows:
            if row["party_type"] == "company":
                assert row["evidence_url"] == (f"/artifacts/{row['artifact_sha256']}/record/"
                                               f"{row['observation_id']}")
            else:
                assert row["evidence_url"] is None
        table = list(csv.DictReader(io.StringIO(
            twin.get("/findings.csv?per_page=1000").get_data(as_text=True).lstrip("\ufeff"))))
        assert len(table) == len(rows)
        for line in table:
            assert bool(line["evidence_url"]) == (line["party_type"] == "company")
        html = twin.get("/findings?per_page=1000").get_data(as_text=True)
        for row in rows:
            if row["evidence_url"]:
                assert f'class="evidence" href="{row["evidence_url"]}"' in html
        assert html.count('class="evidence"') == sum(1 for r in rows if r["evidence_url"])
        api = twin.get("/api/v1/findings?per_page=1000").get_json()["rows"]
        assert [r["evidence_url"] for r in api] == [r["evidence_url"] for r in rows]


def test_the_excerpt_page_loads_nothing_from_outside(mclient, mirror):
    company = next(r for r in _listings(mirror.url) if r["kind"] == "company")
    path = f"/artifacts/{company['artifact_sha256']}/record/{company['id']}"
    response = mclient.get(path)
    assert response.status_code == 200 and response.mimetype == "text/html"
    csp = response.headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'self'; script-src 'self';") and "unsafe-eval" not in csp
    assert csp == mclient.get("/findings").headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    parser = Tags()
    parser.feed(response.get_data(as_text=True))
    assert parser.loads and parser.inline_scripts == 0
    assert all(url.startswith("/") and not url.startswith("//") for url in parser.loads)


# -- a small store of its own, for what must not happen to the shared one ---------------------
def _small(tmp_path: Path) -> tuple[str, Path, str, int, list[dict[str, Any]]]:
    url = _new_store(tmp_path)
    records = generate(1, CONFIG)
    company = next(r for r in records if r["partyTypeName"] == "581")
    person = next(r for r in records if r["partyTypeName"] == "580")
    sha = _import(url, tmp_path, "small.json",
                  json.dumps([person, company], ensure_ascii=False).encode())
    oid = next(r["id"] for r in _listings(url) if r["kind"] == "company")
    return url, tmp_path / "artifacts", sha, oid, [person, company]


def test_a_tampered_artifact_is_refused(tmp_path):
    url, artifacts, sha, oid, _ = _small(tmp_path)
    client = create_app(url, artifacts, TESTING=True).test_client()
    assert client.get(f"/artifacts/{sha}/record/{oid}").status_code == 200
    path = artifacts / artifact_relpath(sha)
    altered = gzip.decompress(path.read_bytes()).replace("全部".encode(), "部分".encode(), 1)
    path.write_bytes(gzip.compress(altered))
    response = client.get(f"/artifacts/{sha}/record/{oid}.json")
    assert response.status_code == 500
    assert "does not match its hash" in response.get_json()["message"]


def _crafted(tmp_path: Path, stored_record: dict[str, Any], original: dict[str, Any],
             source: str = "court_dishonest") -> tuple[FlaskClient, str, int]:
    """A store whose archived copy holds `stored_record` for the listing parsed from
    `original` (as if the stored copy had been redacted badly)."""
    url = _new_store(tmp_path)
    if source != "court_dishonest":
        register_source(url, {"id": source, "title": source, "publisher": "x", "official": True})
    parsed = parse_record(original, Keyer(SECRET), fmt="detail")
    row = listing_row(parsed, load_manifest("court_dishonest").regime or "")
    if source != "court_dishonest":
        row = ListingRow(record_key=row.record_key, subject=row.subject, payload=row.payload,
                         facets={"party_type": "company"})
    recorder = CrawlRecorder(url, tmp_path / "artifacts", source, mode="import",
                             origin="file:crafted.json")
    stored = json.dumps([stored_record], ensure_ascii=False).encode()
    sha = recorder.archive(stored=stored, original_sha256=sha256_hex(b"original"), redacted=True,
                           url="file:crafted.json", http_status=200,
                           content_type="application/json", size=len(stored))
    recorder.write_batch([row], sha)
    recorder.finish(covers_whole_source=False)
    oid = _listings(url)[0]["id"]
    return create_app(url, tmp_path / "artifacts", TESTING=True).test_client(), sha, oid


def _company_record() -> dict[str, Any]:
    return next(r for r in generate(1, CONFIG) if r["partyTypeName"] == "581")


@pytest.mark.parametrize("field, value", [
    ("businessEntity", "王小明"),  # the legal representative in clear
    ("gistUnit", "申请执行人王小明"),  # a shown field that still names a party
    ("courtName", "身份证110101199003077777"),  # an ID number
])
def test_an_excerpt_that_would_still_name_a_person_is_refused(tmp_path, caplog, field, value):
    original = _company_record()
    stored = redact_record_json(original, Keyer(SECRET))  # as archived, then spoilt
    client, sha, oid = _crafted(tmp_path, {**stored, field: value}, original)
    with caplog.at_level(logging.ERROR):
        response = client.get(f"/artifacts/{sha}/record/{oid}.json")
    assert response.status_code == 500
    message = response.get_json()["message"]
    assert field in message and value not in message and "王小明" not in message
    assert "record excerpt refused" in caplog.text
    assert value not in caplog.text and "王小明" not in caplog.text


def test_other_sources_say_they_have_no_excerpt(tmp_path):
    original = _company_record()
    client, sha, oid = _crafted(tmp_path, original, original, source="credit_china")
    response = client.get(f"/artifacts/{sha}/record/{oid}.json")
    assert response.status_code == 404 and "court list" in response.get_json()["message"]


def test_what_an_excerpt_keeps_and_withholds():
    token = "[person:p:0123456789abcdef]"
    record = {"iname": "某某科技有限公司", "caseCode": "(2020)京0101执1号", "partyTypeName": "581",
              "cardNum": "911101010000000001", "businessEntity": token,
              "duty": f"支付原告{token}货款1000元", "performedPart": "1000元",
              "unperformPart": "已于2021年01月02日全部履行", "newField": "张三",
              "title": f"{token}的公司", "age": 0}
    shown, withheld = excerpt(record)
    assert shown["iname"] == record["iname"] and shown["cardNum"] == record["cardNum"]
    assert shown["performedPart"] == "1000元" and shown["unperformPart"] == record["unperformPart"]
    assert set(withheld) == {"businessEntity", "duty", "newField", "title"}
    assert token not in json.dumps(shown) and "张三" not in json.dumps(shown, ensure_ascii=False)
    with pytest.raises(UnsafeExcerpt):
        excerpt({**record, "partyTypeName": "580", "sexy": "男"})  # a person's record
    with pytest.raises(UnsafeExcerpt):
        excerpt({**record, "cardNum": "11010119900307777X"})  # a resident ID as the "code"

"""`watchdog export`: each format is written and readable, holds as many rows as the store and
the same rows as the dashboards' twins, names companies, names no person (not by name, ID
number, keyed hash or case number), suppresses small person counts, and says what it is.

One store per database (SQLite, and PostgreSQL when a server is up) is built once for the
module: 600 synthetic court-list records from the mirror's generator imported as JSON Lines,
the court list's shared samples (real, already sanitised names and masked IDs), a small OFAC
file with an entity, an individual and a vessel, then an audit. Imports are not mirror crawls,
so this store is not labelled synthetic; `test_export_synthetic.py` crawls the mirror.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select, text

from tests.conftest import REPO, run_cli, store_url
from tests.pipeline.test_privacy_end_to_end import _ORG, SAMPLE_IDS, SAMPLE_NAMES, _leaks
from watchdog.export import ExportError, run_export
from watchdog.export_spec import csv_value, spreadsheet_safe
from watchdog.mirror.generator import generate, load_config, truth
from watchdog.store.db import get_engine
from watchdog.store.tables import Observation, Subject

FIX = REPO / "tests" / "fixtures"
COURT_SAMPLES = ["disDetail_person_2014.json", "disDetail_unit_2014.json",
                 "disDetail_unit_2017_crlf_in_duty.json", "disDetail_variants_2017_2019.json",
                 "synthetic_baidu_6899.json"]
# Natural persons in synthetic_baidu_6899.json (listed, plaintiff, legal representative) and the
# individual in the OFAC file.
MORE_NAMES = {"赵某某", "钱某某", "孙某某", "周某某"}
OFAC_PERSONS = ("LOGAN MOREY", "KHOROSHEV", "VESTERGAARD", "QUILLFEATHER")
N = 600
FORMATS = ("csv", "json", "sqlite")


@dataclass
class Store:
    env: dict[str, str]
    url: str
    home: Path
    root: Path
    forbidden: set[str]
    generated: Path  # the JSON Lines file imported (it names every generated person)


def _forbidden(cfg: object) -> set[str]:
    """Names and ID numbers of every person in the generated day (as the privacy test does)."""
    day, records = truth(1, cfg), generate(1, cfg)
    public = " ".join(" ".join(str(r.get(k, "")) for k in ("courtName", "gistUnit", "areaName"))
                      + " " + str(r.get("areaName", "")) + str(r.get("courtName", ""))
                      + (" " + r["iname"] if day[str(r["id"])]["party"] == "company" else "")
                      for r in records)
    public += " ".join(m[0] for r in records for m in _ORG.finditer(r.get("duty") or ""))
    names, ids = set(SAMPLE_NAMES) | MORE_NAMES, set(SAMPLE_IDS)
    for meta in day.values():
        names.update(meta.get("person_names") or [])
        if meta["party"] == "person":
            ids.update(x for x in (meta.get("cardNum"), meta.get("full_id")) if x)
    return {n for n in names if n and n not in public} | ids


def _ok(result) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres",
                                                                marks=pytest.mark.postgres)])
def store(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"export-{request.param}")
    with store_url(request.param, root) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHDOG_")}
        env.update(WATCHDOG_HOME=str(root / "home"), WATCHDOG_DATABASE_URL=url)
        cfg = load_config().with_(listing_count=N)
        generated = root / "generated.jsonl"
        with generated.open("w", encoding="utf-8") as out:
            for record in generate(1, cfg):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        _ok(run_cli(env, "init"))
        _ok(run_cli(env, "import", "court_dishonest", str(generated), "--no-progress"))
        for name in COURT_SAMPLES:
            _ok(run_cli(env, "import", "court_dishonest", str(FIX / "court_dishonest" / name),
                        "--no-progress"))
        _ok(run_cli(env, "import", "ofac_sdn", str(FIX / "ofac_sdn" / "sdn_small.xml"),
                    "--no-progress"))
        _ok(run_cli(env, "audit", "--no-progress"))
        yield Store(env, url, root / "home", root, _forbidden(cfg), generated)


@pytest.fixture(scope="module")
def exports(store):
    """Each format written once through the CLI: {format: path}."""
    paths = {"csv": store.root / "out" / "csv", "json": store.root / "out" / "export.json",
             "sqlite": store.root / "out" / "export.sqlite"}
    for fmt, path in paths.items():
        line = _ok(run_cli(store.env, "export", "--format", fmt, str(path), "--no-progress"))
        assert line.startswith(f"export {fmt}: 19 tables"), line
    return paths


# -- reading the three formats back -----------------------------------------------------------
def read_csv(directory: Path) -> dict[str, list[dict[str, str]]]:
    package = json.loads((directory / "metadata.json").read_text(encoding="utf-8"))
    tables = {}
    for resource in package["resources"]:
        with (directory / resource["path"]).open(encoding="utf-8", newline="") as f:
            tables[resource["path"][:-4]] = list(csv.DictReader(f))
    return tables


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def read_sqlite(path: Path) -> dict[str, list[dict]]:
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    try:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: [dict(r) for r in db.execute(f'SELECT * FROM "{n}"')] for n in names}
    finally:
        db.close()


def all_bytes(exports: dict[str, Path]) -> dict[str, bytes]:
    blobs = {str(p): p.read_bytes() for p in exports["csv"].iterdir()}
    blobs[str(exports["json"])] = exports["json"].read_bytes()
    blobs[str(exports["sqlite"])] = exports["sqlite"].read_bytes()
    meta = exports["sqlite"].with_name("export.metadata.yml")
    blobs[str(meta)] = meta.read_bytes()
    return blobs


def scalar(store: Store, sql: str) -> int:
    with get_engine(store.url).connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


# -- tests ------------------------------------------------------------------------------------
def test_every_format_is_written_readable_and_agrees(exports):
    from_csv, from_json = read_csv(exports["csv"]), read_json(exports["json"])
    from_sqlite = read_sqlite(exports["sqlite"])
    counts = {name: len(rows) for name, rows in from_csv.items()}
    assert len(counts) == 19 and counts["company_listings"] > 100 and counts["findings"] > 50
    assert {n: t["row_count"] for n, t in from_json["tables"].items()} == counts
    assert {n: len(t["rows"]) for n, t in from_json["tables"].items()} == counts
    assert {n: len(rows) for n, rows in from_sqlite.items()} == counts
    package = json.loads((exports["csv"] / "metadata.json").read_text(encoding="utf-8"))
    assert {r["path"][:-4]: r["rows"] for r in package["resources"]} == counts
    readme = (exports["csv"] / "README.txt").read_text(encoding="utf-8")
    assert all(f"{name}.csv" in readme for name in counts)
    # The same cell in each format: a company's name and a finding's rule.
    first = from_json["tables"]["company_listings"]["rows"][0]
    same = [r for r in from_csv["company_listings"]
            if r["observation_id"] == str(first["observation_id"])]
    assert same[0]["company_name"] == first["company_name"]
    assert {r["rule"] for r in from_sqlite["findings"]} == {
        r["rule"] for r in from_json["tables"]["findings"]["rows"]}


def test_row_counts_match_the_store(store, exports):
    tables = read_json(exports["json"])["tables"]
    run = scalar(store, "SELECT max(id) FROM auditrun WHERE status = 'complete'")
    expected = {
        "sources": scalar(store, "SELECT count(*) FROM source"),
        "crawls": scalar(store, "SELECT count(*) FROM crawl"),
        "artifacts": scalar(store, "SELECT count(*) FROM artifact"),
        "company_listings": scalar(store, "SELECT count(*) FROM observation o JOIN subject s "
                                          "ON s.id = o.subject_id WHERE s.kind = 'company'"),
        "findings": scalar(store, f"SELECT count(*) FROM finding WHERE audit_run_id = {run}"),
        "audit_runs": scalar(store, "SELECT count(*) FROM auditrun"),
        "regime_versions": scalar(store, "SELECT count(*) FROM regimeversion"),
        "changes": scalar(store, "SELECT count(*) FROM observationchange"),
        "company_matches": scalar(store, "SELECT count(*) FROM companymatch"),
    }
    assert {name: tables[name]["row_count"] for name in expected} == expected
    assert expected["crawls"] == 1 + len(COURT_SAMPLES) + 1
    # Listings of non-persons per source add up to the store's; persons are counted apart.
    by_source = sum(r["listings"] for r in tables["listings_by_source"]["rows"])
    assert by_source == scalar(store, "SELECT count(*) FROM observation o JOIN subject s "
                                      "ON s.id = o.subject_id WHERE s.kind <> 'person'")
    persons = scalar(store, "SELECT count(*) FROM observation WHERE source_id = 'court_dishonest'"
                            " AND party_type = 'person'")
    total = [r for r in tables["person_listings"]["rows"] if r["breakdown"] == "status"
             and r["province"] == "All provinces" and r["value"] == "total"]
    assert total[0]["persons"] == persons > 400
    assert len(tables["regimes"]["rows"]) >= 5 and len(tables["regime_rules"]["rows"]) > 50


def test_the_same_rows_as_the_dashboard_twins(store, exports):
    from dashboards import create_app
    from dashboards.views.changes import COLUMNS as CHANGE_COLUMNS
    from dashboards.views.findings import COLUMNS as FINDING_COLUMNS
    from dashboards.views.lists import COMPANY_COLUMNS
    from dashboards.views.sources import COLUMNS as CRAWL_COLUMNS

    client = create_app(database_url=store.url, artifacts_dir=store.home / "artifacts",
                        SECRET_KEY="test").test_client()
    tables = read_json(exports["json"])["tables"]

    def get(path: str) -> dict:
        response = client.get(path)
        assert response.status_code == 200, path
        return response.get_json()

    findings = get("/findings.json?per_page=1000")["rows"]
    exported = {r["finding_id"]: r for r in tables["findings"]["rows"]}
    assert len(findings) == len(exported)
    for row in findings:
        # The twins add one column of their own: the link to this server's evidence excerpt.
        assert set(row) - set(FINDING_COLUMNS) == {"evidence_url"}
        assert {c: exported[row["finding_id"]][c] for c in FINDING_COLUMNS} == {
            c: row[c] for c in FINDING_COLUMNS}
    companies = get("/lists.json?party_type=company&per_page=1000")["rows"]
    exported = {r["observation_id"]: r for r in tables["company_listings"]["rows"]
                if r["source_id"] == "court_dishonest"}
    assert len(companies) == len(exported) > 100
    for row in companies:
        assert {c: exported[row["observation_id"]][c] for c in COMPANY_COLUMNS} == row
    # The export holds every crawl's changes, and so does /changes unless asked for fewer.
    changes = get("/changes.json?per_page=1000")["rows"]
    exported = {r["change_id"]: r for r in tables["changes"]["rows"]}
    assert len(changes) == len(exported) > 400
    for row in changes:
        assert {c: exported[row["change_id"]][c] for c in CHANGE_COLUMNS} == row
    crawls = get("/sources.json?per_page=1000")["rows"]
    assert [{c: r[c] for c in CRAWL_COLUMNS} for r in tables["crawls"]["rows"]] == crawls
    for by in ("circumstance", "performance", "status", "sex", "age_band"):
        page = get(f"/lists/persons.json?by={by}")
        shown = {(r["province"], "total" if key == "total" else key): str(value)
                 for r in page["rows"] for key, value in r.items() if key != "province"}
        mine = {(r["province"], "not_recorded" if r["value"] is None else r["value"]):
                r["persons_shown"] for r in tables["person_listings"]["rows"]
                if r["breakdown"] == by and r["source_id"] == "court_dishonest"}
        assert mine == shown, by
    # The audit's tables are /findings.json's: the same rates held back, the same per check.
    page = get("/findings.json")
    keys = ("n", "findings", "rate", "low", "high", "suppressed")
    assert [{"province": r["province"], **{k: r[k] for k in keys}}
            for r in tables["finding_rates_by_province"]["rows"]] == [
        {"province": r["group"], **{k: r[k] for k in keys}} for r in page["rates_by_province"]]
    assert [{k: r[k] for k in ("check_id", "severity", "rule", "findings", "listings")}
            for r in tables["findings_by_check"]["rows"]] == [
        {k: r[k] for k in ("check_id", "severity", "rule", "findings", "listings")}
        for r in page["by_check"]]
    facets = get("/lists.json")["facets"]
    for facet, rows in facets.items():
        mine = [(r["value"], r["persons_shown"], r["companies"])
                for r in tables["listing_counts"]["rows"] if r["facet"] == facet]
        assert mine == [(r["value"], str(r["persons"]), r["companies"]) for r in rows], facet


def test_no_person_is_named_or_identified_anywhere(store, exports):
    assert len(store.forbidden) > 400, "the check must cover the generated persons"
    # The check can fail: the file that was imported names them.
    assert len(_leaks(store.generated.read_bytes(), store.forbidden)) > 100
    obs, subj = Observation.__table__, Subject.__table__
    with get_engine(store.url).connect() as conn:
        keys = set(conn.execute(select(subj.c.key).where(subj.c.kind == "person")).scalars())
        cases: dict[str, set[str]] = {"person": set(), "company": set()}
        for kind, payload in conn.execute(select(subj.c.kind, obs.c.payload).join_from(
                obs, subj, subj.c.id == obs.c.subject_id)):
            if kind in cases and payload.get("case_code"):
                cases[kind].add(payload["case_code"])
    person_cases = cases["person"] - cases["company"]
    assert len(keys) > 400 and len(person_cases) > 400
    for name, blob in all_bytes(exports).items():
        assert not _leaks(blob, store.forbidden), f"{name} names a person"
        body = blob.decode("utf-8", "replace")
        assert not [k for k in keys if k in body], f"{name} holds a person's keyed hash"
        assert not [c for c in person_cases if c in body], f"{name} holds a person's case number"
        assert not [p for p in OFAC_PERSONS if p in body.upper()], f"{name} names an individual"


def test_persons_findings_and_changes_name_no_place_listing_or_date(store, exports):
    """A place beside a date narrows a listing to one person, and rows counted per place give
    back the cells the person tables suppress: a person's finding or change names neither (nor
    the listing id, for findings), while companies keep their province, court and case."""
    tables = read_json(exports["json"])["tables"]
    findings = tables["findings"]["rows"]
    persons = [r for r in findings if r["party_type"] == "person"]
    companies = [r for r in findings if r["party_type"] == "company"]
    assert len(persons) > 50 and len(companies) > 5
    # The audit's own sentences about persons do name dates: the rows must not carry them.
    dated = scalar(store, "SELECT count(*) FROM finding f JOIN subject s ON s.id = f.subject_id"
                          " WHERE s.kind = 'person' AND f.summary LIKE '%20__-__-__%'")
    assert dated > 0
    for row in persons:
        assert (row["province"], row["court"], row["observation_id"]) == (None, None, None)
        assert re.fullmatch(r"[0-9a-f]{64}", row["artifact_sha256"]) and row["rule"]
        assert not re.search(r"\d{4}-\d{2}-\d{2}", row["summary"]), row["summary"]
    assert all(r["province"] and r["court"] and r["case_code"] and r["observation_id"]
               for r in companies)
    changes = tables["changes"]["rows"]
    person_changes = [r for r in changes if r["party_type"] == "person"]
    assert len(person_changes) > 400
    assert {(r["province"], r["court"]) for r in person_changes} == {(None, None)}
    assert not [v for r in person_changes for f, v in r["field_changes"].items()
                if f in ("province", "court", "gist_unit") and v is not None]
    company_changes = [r for r in changes if r["party_type"] == "company"
                       and r["source_id"] == "court_dishonest"]
    assert company_changes and all(r["province"] and r["court"] for r in company_changes)
    # A rate's numerator less the province's companies with a finding is its persons.
    listed = {r["observation_id"] for r in tables["company_listings"]["rows"]
              if r["status"] == "listed"}
    rates = tables["finding_rates_by_province"]["rows"]
    # Not vacuous: this store has rates shown beside held-back ones, and one shown with a finding
    # (Tibet's, n 17: a company's).
    shown = [rate for rate in rates if not rate["suppressed"]]
    assert shown and len(shown) < len(rates) and any(rate["findings"] for rate in shown)
    for rate in rates:
        if not rate["suppressed"]:
            firms = {r["observation_id"] for r in companies if r["province"] == rate["province"]
                     and r["observation_id"] in listed}
            assert not 0 < rate["findings"] - len(firms) < 10, rate


def test_small_person_cells_are_suppressed(exports):
    tables = read_json(exports["json"])["tables"]
    cells = tables["person_listings"]["rows"] + tables["listing_counts"]["rows"]
    shown = [r["persons"] for r in cells if r["persons"] is not None]
    assert shown and not [n for n in shown if 0 < n < 10]
    assert any(n >= 10 for n in shown), "the grid is not all hidden"
    hidden = {r["persons_shown"] for r in cells if r["persons"] is None}
    assert "<10" in hidden and hidden <= {"<10", "≥10"}
    # The OFAC file lists one individual: counted, and only as "<10".
    ofac = [r for r in tables["person_listings"]["rows"] if r["source_id"] == "ofac_sdn"]
    assert ofac and {r["persons_shown"] for r in ofac if r["value"] != "total"} <= {"<10", "0"}
    assert not [r for r in ofac if r["persons"] == 1]
    for row in read_csv(exports["csv"])["person_listings"]:
        assert row["persons"] == "" or not 0 < int(row["persons"]) < 10
    rates = tables["finding_rates_by_province"]["rows"]
    assert all(r["n"] is None or r["n"] >= 10 for r in rates)
    # Not vacuous: some rates are shown with their n, and a held-back one gives no n or count.
    assert any(r["n"] is not None for r in rates) and any(r["suppressed"] for r in rates)
    assert all((r["n"], r["findings"], r["rate"]) == (None, None, None)
               for r in rates if r["suppressed"])


def test_companies_are_named_with_their_codes(store, exports):
    rows = read_json(exports["json"])["tables"]["company_listings"]["rows"]
    names = {r["company_name"] for r in rows}
    generated = {m["iname"] for m in truth(1, load_config().with_(listing_count=N)).values()
                 if m["party"] == "company"}
    assert generated <= names
    assert "SHENZHEN HAIXING MICROELECTRONICS CO., LTD." in names
    assert {r["source_id"] for r in rows} == {"court_dishonest", "ofac_sdn"}
    assert all(r["credit_code"] or r["source_id"] == "ofac_sdn" for r in rows)
    assert {r["status"] for r in rows} == {"listed"} and all(r["first_seen"] for r in rows)
    kinds = {(r["source_id"], r["kind"]) for r in
             read_json(exports["json"])["tables"]["listings_by_source"]["rows"]}
    assert kinds == {("court_dishonest", "company"), ("ofac_sdn", "company"),
                     ("ofac_sdn", "vessel")}


def test_every_export_says_what_it_is_and_when(store, exports):
    doc = read_json(exports["json"])
    assert doc["synthetic"] is False and doc["notice"] is None  # imports, not mirror crawls
    exported = datetime.fromisoformat(doc["exported_at"])
    assert abs(datetime.now(UTC) - exported) < timedelta(minutes=30)
    with get_engine(store.url).connect() as conn:
        newest = conn.execute(text("SELECT max(finished_at) FROM crawl")).scalar_one()
    if isinstance(newest, str):
        newest = datetime.fromisoformat(newest)
    assert datetime.fromisoformat(doc["last_crawl_at"]).replace(tzinfo=None) == \
        newest.replace(tzinfo=None)
    assert doc["licence"]["code"] == "AGPL-3.0-or-later" and "CC BY 4.0" in doc["licence"]["data"]
    sources = {r["source_id"]: r for r in doc["tables"]["sources"]["rows"]}
    # This store was built by imports: parts of lists, which say nothing of freshness.
    assert sources["court_dishonest"]["last_complete"] is None
    assert sources["court_dishonest"]["legal_basis"]
    assert "Supreme People's Court" in sources["court_dishonest"]["publisher"]
    info = {r["key"]: r["value"] for r in read_sqlite(exports["sqlite"])["export_info"]}
    assert info["synthetic"] == "false" and info["notice"] is None
    assert datetime.fromisoformat(info["exported_at"]) and info["last_crawl_at"]
    header = next(csv.reader((exports["csv"] / "findings.csv").open(encoding="utf-8")))
    assert header[0] == "finding_id"  # no synthetic-notice column on real-format imports
    package = json.loads((exports["csv"] / "metadata.json").read_text(encoding="utf-8"))
    assert package["exported_at"] and package["last_crawl_at"] and package["synthetic"] is False


def test_datasette_metadata_names_every_table_and_column(exports):
    path = exports["sqlite"].with_name("export.metadata.yml")
    meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert meta["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "CC BY 4.0" in meta["license"] and "AGPL-3.0-or-later" in meta["license"]
    assert meta["title"] and meta["source"] and "Exported" in meta["description"]
    tables = meta["databases"]["export"]["tables"]
    db = sqlite3.connect(exports["sqlite"])
    try:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert sorted(tables) == sorted(names) and len(names) == 19
        for name in names:
            cols = [r[1] for r in db.execute(f'PRAGMA table_info("{name}")')]
            assert list(tables[name]["columns"]) == cols, name
            assert tables[name]["description"] and all(tables[name]["columns"].values())
    finally:
        db.close()


def test_an_existing_out_is_kept_unless_forced(store, tmp_path):
    out = tmp_path / "export.json"
    _ok(run_cli(store.env, "export", "--format", "json", str(out), "--no-progress"))
    before = (out.stat().st_ino, out.read_bytes())
    result = run_cli(store.env, "export", "--format", "json", str(out), "--no-progress")
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert result.returncode != 0 and len(lines) == 1 and lines[0].startswith("error: ")
    assert "--force" in lines[0] and (out.stat().st_ino, out.read_bytes()) == before
    _ok(run_cli(store.env, "export", "--format", "json", str(out), "--force", "--no-progress"))
    assert out.stat().st_ino != before[0] and read_json(out)["tables"]  # renamed into place
    for fmt in ("csv", "sqlite"):
        target = tmp_path / f"again-{fmt}"
        run_export(store.url, target, fmt)
        inode = target.stat().st_ino
        with pytest.raises(ExportError, match="already exists; pass --force"):
            run_export(store.url, target, fmt)
        assert target.stat().st_ino == inode
        run_export(store.url, target, fmt, force=True)
        assert target.stat().st_ino != inode
    assert read_csv(tmp_path / "again-csv")["findings"]
    assert read_sqlite(tmp_path / "again-sqlite")["findings"]
    # --force never removes a directory that is not an earlier export, nor one for a file.
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine", encoding="utf-8")
    for fmt in FORMATS:
        with pytest.raises(ExportError, match="directory"):
            run_export(store.url, other, fmt, force=True)
    assert sorted(p.name for p in other.iterdir()) == ["keep.txt"]
    # The Datasette file beside a SQLite export counts as part of OUT.
    (tmp_path / "lone.metadata.yml").write_text("title: mine\n", encoding="utf-8")
    with pytest.raises(ExportError, match="lone.metadata.yml already exists"):
        run_export(store.url, tmp_path / "lone.sqlite", "sqlite")
    assert not (tmp_path / "lone.sqlite").exists()
    if store.url.startswith("sqlite"):  # the store itself is never an OUT
        with pytest.raises(ExportError, match="store's own database"):
            run_export(store.url, Path(store.url.split("///", 1)[1]), "sqlite", force=True)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_help_and_a_missing_store(cli_env, tmp_path):
    result = run_cli(cli_env, "export", "--help")
    assert result.returncode == 0 and "Usage:" in result.stdout
    assert re.search(r"--format\s+\[csv\|json\|sqlite\]", result.stdout)
    assert "--force" in result.stdout and "metadata.yml" in result.stdout
    missing = run_cli(cli_env, "export", "--format", "json", str(tmp_path / "x.json"))
    lines = [ln for ln in missing.stderr.splitlines() if ln.strip()]
    assert missing.returncode != 0 and len(lines) == 1 and "watchdog init" in lines[0]
    assert not (tmp_path / "x.json").exists() and not (tmp_path / "store.sqlite").exists()
    assert run_cli(cli_env, "export", str(tmp_path / "y.json")).returncode == 2  # no --format


def test_small_batches_give_the_same_export(store, tmp_path):
    """Rows come through many fetches (a server-side cursor on PostgreSQL) and still agree."""
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    run_export(store.url, tmp_path / "small.json", "json", batch=7, now=now)
    run_export(store.url, tmp_path / "large.json", "json", batch=100_000, now=now)
    small, large = read_json(tmp_path / "small.json"), read_json(tmp_path / "large.json")
    assert small["tables"]["company_listings"]["row_count"] > 7 * 10
    assert small == large


@pytest.mark.parametrize(("text", "written"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+86 10 1234", "'+86 10 1234"),
    ("-20 each time", "'-20 each time"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("-20", "-20"), ("+3.5", "+3.5"), ("1e-5", "1e-5"), ("华为", "华为"), ("", ""),
])
def test_a_csv_cell_a_spreadsheet_would_run_is_neutralised(text, written):
    assert spreadsheet_safe(text) == written
    assert csv_value(text) == written


def test_crawls_carry_the_date_the_list_states(exports):
    """The OFAC import read SDN.XML published 03/14/2025: its row says so in every format, the
    court-list imports (no date stated) carry none, and the column is described as a date."""
    tables = {"csv": read_csv(exports["csv"])["crawls"],
              "json": read_json(exports["json"])["tables"]["crawls"]["rows"],
              "sqlite": read_sqlite(exports["sqlite"])["crawls"]}
    for fmt, rows in tables.items():
        dates = {r["source_id"]: set() for r in rows}
        for r in rows:
            dates[r["source_id"]].add(r["list_published"] or None)
        assert dates == {"court_dishonest": {None}, "ofac_sdn": {"2025-03-14"}}, fmt
    package = json.loads((exports["csv"] / "metadata.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for r in package["resources"] if r["name"] == "crawls"
              for f in r["schema"]["fields"]}
    assert fields["list_published"]["type"] == "date"
    assert "published" in fields["list_published"]["description"]

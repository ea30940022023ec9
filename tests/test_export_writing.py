"""`watchdog export` over a crawl of the offline mirror: every format says plainly that the data
is synthetic; a failed export leaves no file behind and an earlier export untouched; the whole
export reads one snapshot of the store."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from datetime import UTC, datetime
from typing import cast

import pytest
import yaml
from sqlalchemy import Engine, delete, insert

from tests.conftest import run_cli, running_mirror
from tests.pipeline.test_privacy_end_to_end import _leaks
from tests.test_export import _forbidden, _ok, read_csv, read_json
from watchdog import export as export_module
from watchdog.export import INFO_TABLE, ExportError, _OneConnection, _snapshot, run_export
from watchdog.export_spec import SYNTHETIC_NOTICE, Table, columns
from watchdog.mirror.generator import load_config
from watchdog.store import queries
from watchdog.store.db import get_engine
from watchdog.store.tables import Crawl

N = 150


@pytest.fixture(scope="module")
def small_mirror():
    with running_mirror(N) as server:
        yield server


@pytest.fixture(scope="module")
def crawled(small_mirror, tmp_path_factory):
    """A store (SQLite) holding one crawl of the small mirror and an audit: its environment."""
    root = tmp_path_factory.mktemp("export-mirror")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHDOG_")}
    env.update(WATCHDOG_HOME=str(root / "home"),
               WATCHDOG_DATABASE_URL=f"sqlite:///{root / 'store.sqlite'}")
    _ok(run_cli(env, "init"))
    _ok(run_cli(env, "crawl", "court_dishonest", "--mirror", small_mirror.url,
                "--expect-min", str(N), "--no-progress"))
    _ok(run_cli(env, "audit", "--no-progress"))
    return env


@pytest.fixture
def database_url(crawled):
    return crawled["WATCHDOG_DATABASE_URL"]


def test_a_mirror_crawl_is_labelled_synthetic_in_every_format(crawled, database_url, tmp_path):
    line = _ok(run_cli(crawled, "export", "--format", "json", str(tmp_path / "e.json"),
                       "--no-progress"))
    assert line.strip().endswith("; synthetic demo data")
    doc = read_json(tmp_path / "e.json")
    assert doc["synthetic"] is True and doc["notice"] == SYNTHETIC_NOTICE
    assert "synthetic demo data" in doc["title"]
    assert doc["description"].startswith("SYNTHETIC DEMO DATA")
    assert doc["tables"]["findings"]["row_count"] > 0

    _ok(run_cli(crawled, "export", "--format", "sqlite", str(tmp_path / "e.sqlite"),
                "--no-progress"))
    db = sqlite3.connect(tmp_path / "e.sqlite")
    try:
        info = dict(db.execute("SELECT key, value FROM export_info").fetchall())
    finally:
        db.close()
    assert info["synthetic"] == "true" and info["notice"] == SYNTHETIC_NOTICE
    meta = yaml.safe_load((tmp_path / "e.metadata.yml").read_text(encoding="utf-8"))
    assert "synthetic demo data" in meta["title"]
    tables = meta["databases"]["e"]["tables"]
    assert len(tables) == 19
    assert all(t["description"].startswith("SYNTHETIC DEMO DATA") for t in tables.values())

    run_export(database_url, tmp_path / "e-csv", "csv")
    for path in sorted((tmp_path / "e-csv").glob("*.csv")):
        rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
        assert rows[0][0] == "notice", path.name  # as the dashboards' CSV twins do
        assert all(row[0] == SYNTHETIC_NOTICE for row in rows[1:]), path.name
    assert read_csv(tmp_path / "e-csv")["company_listings"]
    readme = (tmp_path / "e-csv" / "README.txt").read_text(encoding="utf-8")
    assert readme.splitlines()[3].startswith("SYNTHETIC DEMO DATA")
    package = json.loads((tmp_path / "e-csv" / "metadata.json").read_text(encoding="utf-8"))
    assert package["synthetic"] is True and package["notice"] == SYNTHETIC_NOTICE

    forbidden = _forbidden(load_config().with_(listing_count=N))
    for path in [tmp_path / "e.json", tmp_path / "e.sqlite", *(tmp_path / "e-csv").iterdir()]:
        assert not _leaks(path.read_bytes(), forbidden), path.name


def _boom(ctx: object):
    yield {"n": 1}
    yield {"n": 2}
    raise RuntimeError("the store went away")


BOOM = Table("boom", "A table that fails half way.", columns(("n", "integer", "n")), _boom)


@pytest.mark.parametrize("fmt", ["csv", "json", "sqlite"])
def test_a_failed_export_leaves_nothing_and_keeps_the_earlier_one(crawled, database_url,
                                                                  tmp_path, monkeypatch, fmt):
    out = tmp_path / "out" / f"export.{fmt}"
    run_export(database_url, out, fmt)
    files = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    earlier = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    monkeypatch.setattr(export_module, "TABLES", (INFO_TABLE, BOOM))
    with pytest.raises(RuntimeError, match="went away"):
        run_export(database_url, out, fmt, force=True)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == files
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == earlier
    fresh = tmp_path / "fresh" / f"export.{fmt}"
    with pytest.raises(RuntimeError, match="went away"):
        run_export(database_url, fresh, fmt)
    assert list((tmp_path / "fresh").iterdir()) == []  # no half file, no temporary left


def test_a_failure_is_one_error_line(crawled, database_url, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    result = run_cli(crawled, "export", "--format", "json", str(blocker / "x.json"))
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert result.returncode == 1 and len(lines) == 1 and lines[0].startswith("error: ")
    with pytest.raises(ExportError, match="unknown format"):
        run_export(database_url, tmp_path / "x", "xml")
    with pytest.raises(ExportError, match="cannot be below"):
        run_export(database_url, tmp_path / "x", "json", k=3)


def test_the_export_reads_one_snapshot(crawled, database_url):
    engine = get_engine(database_url)
    crawl = Crawl.__table__
    try:
        with _snapshot(engine) as conn:
            shim = cast(Engine, _OneConnection(conn))
            _, before = queries.crawls(shim, 1, 10)
            with engine.begin() as writer:  # another connection records a crawl meanwhile
                writer.execute(insert(crawl).values(
                    source_id="court_dishonest", mode="import", status="complete",
                    started_at=datetime.now(UTC), origin="file:later.json", unknown_fields={},
                    errors=[], field_fill={}))
            assert queries.crawls(shim, 1, 10)[1] == before
        assert queries.crawls(engine, 1, 10)[1] == before + 1
    finally:  # the store is the module's: the other tests must not see this crawl
        with engine.begin() as writer:
            writer.execute(delete(crawl).where(crawl.c.origin == "file:later.json"))


def test_licence_and_notice_are_the_dashboards_words():
    import re

    from dashboards.views import _common
    from tests.conftest import REPO
    from watchdog.export_spec import LICENCE, LICENCE_TEXT

    assert LICENCE == _common.LICENCE and SYNTHETIC_NOTICE == _common.SYNTHETIC_NOTICE
    footer = (REPO / "dashboards" / "templates" / "base.html").read_text(encoding="utf-8")
    words = re.sub(r"\{%.*?%\}|\{\{.*?\}\}|<[^>]+>", " ", footer.split('<footer')[1])
    words = " ".join(words.split()).replace(" .", ".")
    assert LICENCE_TEXT in words


def test_an_exported_person_table_that_would_give_a_count_away_keeps_only_its_totals(tmp_path):
    """Found by review: the export's province × status table of another source's persons was
    suppressed cell by cell only; nine provinces of one person each are one each."""
    from types import SimpleNamespace

    from tests.dashboards.conftest import _person
    from watchdog.export_tables import _person_status_table
    from watchdog.store.db import get_engine, migrate
    from watchdog.store.writer import CrawlRecorder, register_source

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    migrate(url)
    register_source(url, {"id": "other", "title": "Another list", "publisher": "Someone"})
    provinces = ["北京", "天津", "河北", "山西", "辽宁", "吉林", "上海", "江苏", "浙江"]
    rec = CrawlRecorder(url, tmp_path / "artifacts", "other")
    rec.write_batch([_person(n, p, "c1", "全部未履行") for n, p in enumerate(provinces)], None)
    rec.finish(covers_whole_source=True)
    with get_engine(url).connect() as conn:
        table = _person_status_table(SimpleNamespace(conn=conn, k=10), "other")
    assert [row["province"] for row in table["rows"]] == ["All provinces"]
    assert table["provinces_held_back"] is True

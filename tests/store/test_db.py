"""Migrations: a store already at the newest migration starts without loading Alembic, and the
newest migration read from the files is the one Alembic knows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from tests.conftest import REPO
from watchdog.store.db import MIGRATIONS_DIR, head_revision, migrate


def test_the_head_read_from_the_files_is_alembics():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_heads() == [head_revision()]


def test_a_store_at_the_newest_migration_starts_without_alembic(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    migrate(url)  # a new store: Alembic makes the schema
    check = ("import sys; from watchdog.store.db import migrate; migrate(sys.argv[1]); "
             "print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", check, url], capture_output=True, text=True,
                         cwd=REPO, check=True)
    assert out.stdout.strip() == "False"
    # A store one migration behind is brought up by Alembic.
    import sqlite3

    with sqlite3.connect(tmp_path / "store.sqlite") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0004_staged_changes'")
        conn.execute("ALTER TABLE crawl DROP COLUMN list_published")
    out = subprocess.run([sys.executable, "-c", check, url], capture_output=True, text=True,
                         cwd=REPO, check=True)
    assert out.stdout.strip() == "True"
    with sqlite3.connect(tmp_path / "store.sqlite") as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == (
            head_revision())
        columns = [row[1] for row in conn.execute("PRAGMA table_info(crawl)")]
        assert "list_published" in columns


def test_the_list_published_migration_upgrades_an_existing_store(database_url: str):
    """A store made by the migrations before `list_published`, holding a crawl, is brought up:
    the crawl is kept, with no date (it recorded none), and a new crawl can store one."""
    from datetime import UTC, date, datetime

    from alembic import command
    from sqlalchemy import inspect, select, text

    from watchdog.store.db import alembic_config, get_engine
    from watchdog.store.tables import Crawl
    from watchdog.store.writer import CrawlRecorder, register_source

    command.upgrade(alembic_config(database_url), "0004_staged_changes")
    engine = get_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO source (id, title, publisher, official, manifest_sha256, "
                          "manifest) VALUES ('src', 'A', 'B', true, :sha, '{}')"),
                     {"sha": "0" * 64})
        conn.execute(text("INSERT INTO crawl (source_id, mode, started_at, status, read, added, "
                          "changed, unchanged, rejected, removed, requests, unknown_fields, "
                          "errors, field_fill) VALUES ('src', 'crawl', :at, 'complete', 7, 7, "
                          "0, 0, 0, 0, 1, '{}', '[]', '{}')"), {"at": datetime.now(UTC)})
    migrate(database_url)
    assert "list_published" in {c["name"] for c in inspect(engine).get_columns("crawl")}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == (
            head_revision())
        assert conn.execute(text("SELECT read, list_published FROM crawl")).one() == (7, None)
    register_source(database_url, {"id": "src", "title": "A", "publisher": "B"})
    rec = CrawlRecorder(database_url, Path("/nonexistent-artifacts"), "src")
    rec.note_published(date(2019, 12, 3))
    rec.finish(covers_whole_source=False)
    with engine.connect() as conn:
        assert conn.execute(select(Crawl.list_published).where(
            Crawl.id == rec.crawl_id)).scalar_one() == date(2019, 12, 3)

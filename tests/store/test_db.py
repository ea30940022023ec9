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
        conn.execute("UPDATE alembic_version SET version_num = '0003_company_matches'")
        conn.execute("DROP TABLE stagedchange")
    out = subprocess.run([sys.executable, "-c", check, url], capture_output=True, text=True,
                         cwd=REPO, check=True)
    assert out.stdout.strip() == "True"
    with sqlite3.connect(tmp_path / "store.sqlite") as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == (
            head_revision())
        assert conn.execute("SELECT count(*) FROM stagedchange").fetchone()[0] == 0

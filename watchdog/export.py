"""`watchdog export --format csv|json|sqlite OUT`: what the dashboards publish, as open data.

The export holds exactly what the public site shows, under the same rules (DESIGN section 7):
no natural person's name, keyed hash, ID number or case number; listings of persons only as
counts with cells under k (10) suppressed; companies named. The tables (`export_tables`,
`export_findings`, `export_history`, `export_model`) reuse the dashboards' query functions
wherever those can serve a whole table, and stream the large ones in batches.

Formats:

- `csv`: OUT is a directory with one `<table>.csv` per table, `metadata.json` (a Frictionless
  data package descriptor: every table and column described, row counts, licence) and
  `README.txt`. When the data is synthetic, every CSV row starts with a `notice` column, as the
  dashboards' CSV twins do.
- `json`: OUT is one JSON file: the export's information (title, synthetic, notice, licence,
  exported_at, last crawl times, sources), then `tables`, each with its description, columns,
  rows (objects keyed by column) and `row_count`.
- `sqlite`: OUT is one SQLite file with a table per export table plus `export_info`; the
  Datasette metadata (title, licence, source, every table and column described) is written
  beside it as `<OUT without its suffix>.metadata.yml` (`export.sqlite` gives
  `export.metadata.yml`): `datasette export.sqlite --metadata export.metadata.yml`.

Every format says whether the data is the synthetic demo data of the offline mirror (decided as
the dashboards decide it, `queries.is_synthetic`), when it was exported, and when each source
was last crawled. The whole export reads one snapshot of the store (one read transaction), is
written to a temporary name beside OUT and renamed into place when complete, and never replaces
an existing OUT without `force`.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Engine, inspect

from watchdog.export_findings import AUDIT_TABLES
from watchdog.export_history import HISTORY_TABLES
from watchdog.export_model import MODEL_TABLES, load_model
from watchdog.export_spec import Context, Table, columns, csv_value
from watchdog.export_tables import LISTING_TABLES
from watchdog.export_writers import MARKER, write_csv, write_json, write_sqlite
from watchdog.progress import Progress
from watchdog.store import queries
from watchdog.store.db import get_engine

FORMATS = ("csv", "json", "sqlite")
SUPPRESSION_K = 10  # as the dashboards' SUPPRESSION_K
BATCH = 2000

INFO_WORDS = {
    "title": "Title of the export",
    "description": "What it holds",
    "synthetic": "true when the data came from the offline mirror: synthetic demo data",
    "notice": "The synthetic-data notice the dashboards show, when it applies",
    "exported_at": "When this export was made (UTC)",
    "last_crawl_at": "End of the newest crawl of any source (UTC)",
    "last_complete_crawl_at": "End of the newest complete crawl of any source (UTC)",
    "licence": "Licences of the code, of our derived data, and of the source records",
    "licence_data": "Licence of our derived data",
    "licence_data_url": "Text of that licence",
    "licence_code": "Licence of the Scorewatch code",
    "source_records": "Terms of the source records",
    "suppression_k": "Person counts from 1 to k-1 are suppressed",
    "audit_run_id": "The audit run whose findings are exported",
    "audit_as_of": "Date that run judged listings as of",
    "audit_finished_at": "When that run finished (UTC)",
    "format": "Format of this export",
    "generator": "What wrote it",
    "model_errors": "Regime files left out because they did not load",
}


class ExportError(RuntimeError):
    """The export cannot be written; nothing was changed. The message says why."""


def _info_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    for key, value in ctx.info().items():
        yield {"key": key, "value": None if value is None else csv_value(value),
               "about": INFO_WORDS.get(key)}


INFO_TABLE = Table(
    "export_info", "About this export: whether it is synthetic demo data, when it was made, "
    "when the sources were last crawled, the licence.", columns(
        ("key", "string", "What is described"), ("value", "string", "Its value"),
        ("about", "string", "The key in words")), _info_rows)
TABLES: tuple[Table, ...] = (INFO_TABLE, *LISTING_TABLES, *AUDIT_TABLES, *HISTORY_TABLES,
                             *MODEL_TABLES)


@dataclass(frozen=True)
class ExportResult:
    format: str
    out: Path
    metadata: Path | None  # the Datasette metadata beside a SQLite export
    counts: dict[str, int]
    synthetic: bool

    def summary_line(self) -> str:
        beside = f" (Datasette metadata: {self.metadata})" if self.metadata else ""
        label = "; synthetic demo data" if self.synthetic else ""
        return (f"export {self.format}: {len(self.counts)} tables, "
                f"{sum(self.counts.values()):,} rows to {self.out}{beside}{label}")


def metadata_path(out: Path) -> Path:
    """Where a SQLite export's Datasette metadata goes: OUT's name, suffix `.metadata.yml`."""
    return out.with_name(f"{out.stem}.metadata.yml")


def run_export(database_url: str, out: Path, fmt: str, *, force: bool = False,
               progress: bool = False, k: int = SUPPRESSION_K, batch: int = BATCH,
               now: datetime | None = None) -> ExportResult:
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if k < SUPPRESSION_K:
        raise ExportError(f"the suppression threshold cannot be below {SUPPRESSION_K}")
    out = Path(os.path.abspath(out.expanduser()))
    meta = metadata_path(out) if fmt == "sqlite" else None
    _check_targets(out, meta, fmt, force, database_url)
    engine = _store(database_url)
    out.parent.mkdir(parents=True, exist_ok=True)
    bar = Progress(f"export {fmt}", enabled=progress)
    try:
        with _snapshot(engine) as conn:
            shim = cast(Engine, _OneConnection(conn))
            ctx = Context(conn=conn, engine=shim, database_url=database_url, k=k, batch=batch,
                          exported_at=(now or datetime.now(UTC)).replace(microsecond=0),
                          synthetic=queries.is_synthetic(shim), sources=queries.sources(shim),
                          audit_run=queries.current_audit_run(shim), format=fmt)
            load_model(ctx)
            counts = _write(out, meta, fmt, ctx, bar.update)
    finally:
        bar.close()
    return ExportResult(fmt, out, meta, counts, ctx.synthetic)


def _write(out: Path, meta: Path | None, fmt: str, ctx: Context,
           progress: Any) -> dict[str, int]:
    tmp = out.with_name(f".{out.name}.{uuid.uuid4().hex[:12]}.partial")
    tmp_meta = meta.with_name(f".{meta.name}.{uuid.uuid4().hex[:12]}.partial") if meta else None
    try:
        if fmt == "csv":
            tmp.mkdir()
            counts = write_csv(tmp, TABLES, ctx, progress)
            _install_dir(tmp, out)
        elif fmt == "json":
            counts = write_json(tmp, TABLES, ctx, progress)
            os.replace(tmp, out)
        else:
            assert meta is not None and tmp_meta is not None
            counts = write_sqlite(tmp, tmp_meta, out.stem, TABLES, ctx, progress)
            os.replace(tmp, out)
            os.replace(tmp_meta, meta)
    except BaseException:
        for path in (tmp, tmp_meta):
            if path is not None and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            elif path is not None:
                path.unlink(missing_ok=True)
        raise
    return counts


def _install_dir(tmp: Path, out: Path) -> None:
    """Put a finished directory at `out`; an earlier export there goes only once it is in."""
    if not out.exists() and not out.is_symlink():
        os.rename(tmp, out)
        return
    old = out.with_name(f".{out.name}.{uuid.uuid4().hex[:12]}.old")
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except BaseException:
        os.rename(old, out)
        raise
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old)
    else:
        old.unlink()


def _check_targets(out: Path, meta: Path | None, fmt: str, force: bool,
                   database_url: str) -> None:
    store = _sqlite_path(database_url)
    for target in (out, meta):
        if target is None:
            continue
        if store is not None and target.resolve() == store.resolve():
            raise ExportError(f"{target} is the store's own database; choose another OUT")
        if not target.exists() and not target.is_symlink():
            continue
        if not force:
            raise ExportError(f"{target} already exists; pass --force to replace it")
        if target.is_dir() and fmt != "csv":
            raise ExportError(f"{target} is a directory; a {fmt} export is one file")
        if target.is_dir() and not _earlier_export(target):
            raise ExportError(f"{target} is a directory that holds no earlier export "
                              "(no metadata.json written by watchdog export); not replacing it")


def _earlier_export(directory: Path) -> bool:
    try:
        package = json.loads((directory / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(package, dict) and str(package.get("generator", "")).startswith(MARKER)


def _sqlite_path(database_url: str) -> Path | None:
    if not database_url.startswith("sqlite"):
        return None
    path = database_url.split("///", 1)[-1].split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


def _store(database_url: str) -> Engine:
    path = _sqlite_path(database_url)
    if path is not None and not path.is_file():
        raise ExportError(f"no database at {path}: run `watchdog init` first")
    engine = get_engine(database_url)
    if not inspect(engine).has_table("source"):
        raise ExportError("the database has no Scorewatch tables: run `watchdog init` first")
    return engine


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction for the whole export, so every table describes the same moment
    (SQLite in WAL mode and PostgreSQL's repeatable read both give a snapshot)."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        elif engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN")  # the driver begins no transaction for a SELECT
        try:
            yield conn
        finally:
            conn.rollback()


class _OneConnection:
    """Stands in for an Engine: the store's query functions open `engine.connect()`, and this
    hands them the export's one connection (left open for the next query)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.dialect = conn.dialect

    def connect(self) -> AbstractContextManager[Connection]:
        return nullcontext(self._conn)

"""Writing the export's tables as CSV files, one JSON file, or a SQLite file with a Datasette
`metadata.yml`. Each writer takes rows one at a time from its tables' iterators and writes
them as they come, so memory stays flat however large the store is.

Every writer writes into the temporary path it is given; `watchdog.export` renames the result
into place only when the writer has finished.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

import yaml

from watchdog.export_spec import (
    LICENCE,
    LICENCE_TEXT,
    SYNTHETIC_NOTICE,
    SYNTHETIC_TEXT,
    Context,
    Table,
    csv_value,
    json_value,
    text_value,
)

Progress = Callable[[int], None]
MARKER = "watchdog export"  # in metadata.json: `--force` replaces only a directory that has it
SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "string": "TEXT", "boolean": "INTEGER",
             "date": "TEXT", "datetime": "TEXT", "object": "TEXT", "array": "TEXT"}
INDEXES = {"artifacts": ("sha256",), "company_listings": ("credit_code", "source_id"),
           "findings": ("check_id", "observation_id")}


def _rows(table: Table, ctx: Context, progress: Progress) -> Iterator[dict[str, Any]]:
    n = 0
    for n, row in enumerate(table.rows(ctx), start=1):
        yield row
        if n % 1000 == 0:
            progress(1000)
    progress(n % 1000)


def _info_lines(ctx: Context) -> dict[str, str]:
    info = ctx.info()
    return {key: "" if value is None else str(text_value(value)) for key, value in info.items()}


def sync(path: Path) -> None:
    """Flush a finished file to disk before it is renamed into place."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- CSV --------------------------------------------------------------------------------------
def write_csv(directory: Path, tables: Sequence[Table], ctx: Context,
              progress: Progress) -> dict[str, int]:
    """One CSV per table in `directory`, plus metadata.json (a Frictionless data package
    descriptor) and README.txt. As the dashboards' CSVs do, every row of synthetic data starts
    with a `notice` column."""
    counts: dict[str, int] = {}
    notice = [SYNTHETIC_NOTICE] if ctx.synthetic else []
    for table in tables:
        path = directory / f"{table.name}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow((["notice"] if ctx.synthetic else []) + table.column_names())
            n = 0
            for row in _rows(table, ctx, progress):
                writer.writerow(notice + [csv_value(row.get(c.name)) for c in table.columns])
                n += 1
            out.flush()
            os.fsync(out.fileno())
        counts[table.name] = n
    info = ctx.info()
    package = {
        "profile": "tabular-data-package", "name": "scorewatch-open-data",
        **{k: json_value(v, "string") for k, v in info.items()},
        "licenses": [{"name": "CC-BY-4.0", "title": LICENCE["data"], "path": LICENCE["data_url"]}],
        "sources": [{"title": s["title"], "publisher": s["publisher"],
                     "last_complete": json_value(s["last_complete"], "datetime")}
                    for s in ctx.sources],
        "resources": [_resource(t, counts[t.name], ctx.synthetic) for t in tables]}
    _write_text(directory / "metadata.json", json.dumps(package, ensure_ascii=False, indent=1))
    _write_text(directory / "README.txt", _readme(tables, counts, ctx))
    return counts


def _resource(table: Table, rows: int, synthetic: bool) -> dict[str, Any]:
    fields = [{"name": "notice", "type": "string",
               "description": f"Always '{SYNTHETIC_NOTICE}': {SYNTHETIC_TEXT}"}] if synthetic else []
    fields += [{"name": c.name, "type": c.type, "description": c.description,
                **({"format": "any"} if c.type == "datetime" else {})} for c in table.columns]
    return {"name": table.name.replace("_", "-"), "path": f"{table.name}.csv",
            "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8", "description": table.description, "rows": rows,
            "schema": {"fields": fields}}


def _readme(tables: Sequence[Table], counts: dict[str, int], ctx: Context) -> str:
    info = _info_lines(ctx)
    lines = [info["title"], "=" * len(info["title"]), ""]
    if ctx.synthetic:
        lines += [SYNTHETIC_TEXT, ""]
    lines += [f"Exported: {info['exported_at']} (UTC)",
              f"Last crawl: {info['last_crawl_at'] or 'never'}; last complete crawl: "
              f"{info['last_complete_crawl_at'] or 'never'} (per source: sources.csv)",
              f"Licence: {LICENCE_TEXT}", f"  {LICENCE['data_url']}",
              f"Person counts from 1 to {ctx.k - 1} are shown as \"<{ctx.k}\".", "",
              info["description"], "", "Files (metadata.json describes every column):", ""]
    for table in tables:
        lines.append(f"{table.name}.csv ({counts[table.name]:,} rows): {table.description}")
    return "\n".join(lines) + "\n"


def _write_text(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())


# -- JSON -------------------------------------------------------------------------------------
def write_json(path: Path, tables: Sequence[Table], ctx: Context,
               progress: Progress) -> dict[str, int]:
    """One JSON object: the export's information, then `tables`, each with its description,
    columns and rows (objects keyed by column), and its row count after the rows."""
    counts: dict[str, int] = {}
    with path.open("w", encoding="utf-8") as out:
        head = {k: json_value(v, "string") for k, v in ctx.info().items()}
        head["licence"] = {**LICENCE, "text": LICENCE_TEXT}
        head["sources"] = [{k: json_value(v, "string") for k, v in s.items()} for s in ctx.sources]
        out.write(json.dumps(head, ensure_ascii=False, indent=1)[:-2])
        out.write(',\n "tables": {')
        for i, table in enumerate(tables):
            counts[table.name] = _json_table(out, table, ctx, progress, first=i == 0)
        out.write("\n }\n}\n")
        out.flush()
        os.fsync(out.fileno())
    return counts


def _json_table(out: TextIO, table: Table, ctx: Context, progress: Progress, *,
                first: bool) -> int:
    dumps = json.dumps
    cols = [{"name": c.name, "type": c.type, "description": c.description}
            for c in table.columns]
    out.write(f'{"" if first else ","}\n  {dumps(table.name)}: {{"description": '
              f'{dumps(table.description, ensure_ascii=False)},\n   "columns": '
              f'{dumps(cols, ensure_ascii=False)},\n   "rows": [')
    n = 0
    for row in _rows(table, ctx, progress):
        cells = {c.name: json_value(row.get(c.name), c.type) for c in table.columns}
        out.write(("\n    " if n == 0 else ",\n    ") + dumps(cells, ensure_ascii=False))
        n += 1
    out.write(f'],\n   "row_count": {n}}}')
    return n


# -- SQLite and Datasette metadata ------------------------------------------------------------
def write_sqlite(path: Path, metadata_path: Path, database_name: str, tables: Sequence[Table],
                 ctx: Context, progress: Progress) -> dict[str, int]:
    """The tables in one SQLite file at `path`; Datasette metadata at `metadata_path`."""
    counts: dict[str, int] = {}
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode=OFF")  # a temporary file: rewritten whole on failure
        db.execute("PRAGMA synchronous=OFF")
        for table in tables:
            counts[table.name] = _sqlite_table(db, table, ctx, progress)
        db.commit()
    finally:
        db.close()
    sync(path)
    meta = datasette_metadata(database_name, tables, counts, ctx)
    _write_text(metadata_path, yaml.safe_dump(meta, allow_unicode=True, sort_keys=False,
                                              width=100))
    return counts


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_table(db: sqlite3.Connection, table: Table, ctx: Context, progress: Progress) -> int:
    cols = ", ".join(f"{_quote(c.name)} {SQL_TYPES[c.type]}" for c in table.columns)
    db.execute(f"CREATE TABLE {_quote(table.name)} ({cols})")
    insert = (f"INSERT INTO {_quote(table.name)} VALUES "
              f"({', '.join('?' for _ in table.columns)})")
    rows: Iterable[tuple[Any, ...]] = (
        tuple(text_value(row.get(c.name)) for c in table.columns)
        for row in _rows(table, ctx, progress))
    n = 0
    iterator = iter(rows)
    while batch := list(islice(iterator, ctx.batch)):
        db.executemany(insert, batch)
        n += len(batch)
    for column in INDEXES.get(table.name, ()):
        db.execute(f"CREATE INDEX {_quote(f'ix_{table.name}_{column}')} "
                   f"ON {_quote(table.name)} ({_quote(column)})")
    return n


def datasette_metadata(database_name: str, tables: Sequence[Table], counts: dict[str, int],
                       ctx: Context) -> dict[str, Any]:
    """Datasette's metadata: title, licence, source, and a description of every table and
    column (`datasette OUT --metadata OUT.metadata.yml`)."""
    info = _info_lines(ctx)
    when = (f" Exported {info['exported_at']} UTC; last crawl {info['last_crawl_at'] or 'never'}, "
            f"last complete crawl {info['last_complete_crawl_at'] or 'never'} (UTC; per source "
            "in the sources table).")
    prefix = f"{SYNTHETIC_TEXT} " if ctx.synthetic else ""
    common = {"license": f"CC BY 4.0 (derived data); code {LICENCE['code']}",
              "license_url": LICENCE["data_url"],
              "source": "The publishers in the sources table; source records "
                        f"{LICENCE['source_records']}"}
    return {
        "title": info["title"], "description": info["description"] + when, **common,
        "about": LICENCE_TEXT,
        "databases": {database_name: {
            "title": info["title"], "description": info["description"] + when, **common,
            "tables": {t.name: {"description": f"{prefix}{t.description} ({counts[t.name]:,} rows)",
                                "columns": {c.name: c.description for c in t.columns}}
                       for t in tables}}},
    }

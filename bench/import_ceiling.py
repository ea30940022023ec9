"""Benchmark: how fast a saved-file import could be on this machine, part by part.

    .venv/bin/python bench/import_ceiling.py [--records N] [--parse-records M]

`ingest.py` times the import end to end; this says where its time has to go. Two figures, each
per record of the generated zxgk detail file that `ingest.py` imports:

- **CPU of the work every record needs before it is stored**, in this process, on the first M
  records (default 20,000): reading the JSON line, the redacted copy that is archived
  (`importer.redact_chunk`) and the parse into a stored row (`importer.parse_chunk`).
- **The store's floor**: N records (default 100,000) are imported with `watchdog import` into a
  fresh store; its subject, observation and change rows are then inserted again, unchanged, into
  a fresh SQLite file with the store's own schema, indexes and pragmas (WAL, synchronous=NORMAL,
  foreign keys on), with plain `sqlite3` `executemany` in the importer's batches of 5,000, one
  transaction each. No Python above the driver: no import can write these rows faster. The
  same again with empty payloads shows what the payload column costs.

On two cores the import can go no faster than two records per (work + store CPU), nor faster
than one record per store wall time (SQLite has one writer). Both ceilings are printed beside
the target. Nothing fails when a figure is slow.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

# bench/ is no package: the generated file and its cache are ingest.py's.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import REPO, TARGET_IMPORT, saved_file

from watchdog import importer
from watchdog.privacy import Keyer

BATCH = importer.BATCH
TABLES = ("subject", "observation", "observationchange")  # in the order a batch writes them
PARENTS = ("source", "crawl", "artifact")  # referenced by those rows; copied, not timed


def work_cpu(path: Path, records: int) -> dict[str, float]:
    """CPU seconds per record of each step a worker does, on the first `records` lines."""
    with path.open("rb") as fh:
        lines = [(n, line) for n, line in enumerate(islice(fh, records), 1)]
    chunks = [lines[i:i + importer.CHUNK_LINES] for i in range(0, len(lines), importer.CHUNK_LINES)]
    keyer = Keyer(os.urandom(32)).caching()
    regime = "cn_court_dishonest_list"
    steps = {
        "read JSON lines": lambda: [importer._loads(n, line) for n, line in lines],
        "redacted copy (pass 1)": lambda: [importer.redact_chunk(keyer, regime, c) for c in chunks],
        "parse to rows (pass 2)": lambda: [importer.parse_chunk(keyer, regime, c) for c in chunks],
    }
    out = {}
    for name, step in steps.items():
        start = time.process_time()
        step()
        out[name] = (time.process_time() - start) / len(lines)
    return out


def imported_store(path: Path, records: int, root: Path) -> Path:
    """A store holding the first `records` records of `path`, imported by `watchdog import`."""
    part = root / "part.jsonl"
    with path.open("rb") as src, part.open("wb") as dst:
        dst.writelines(islice(src, records))
    env = {**os.environ, "WATCHDOG_HOME": str(root / "home")}
    for args in (["init"], ["import", "court_dishonest", str(part)]):
        done = subprocess.run([sys.executable, "-m", "watchdog", *args], env=env, cwd=REPO,
                              capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"watchdog {args[0]} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return root / "home" / "scorewatch.sqlite"


def store_floor(store: Path, target: Path, *, empty_payload: bool) -> tuple[int, float, float]:
    """(records, CPU s, wall s) of writing the store's rows again with plain executemany."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    src = sqlite3.connect(store)
    dst = sqlite3.connect(target, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        dst.execute(f"PRAGMA {pragma}")
    for (sql,) in src.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
                              "AND name NOT LIKE 'sqlite_%' ORDER BY type DESC"):
        dst.execute(sql)  # tables before indexes ("table" sorts after "index" descending)
    for table in PARENTS:
        rows = src.execute(f"SELECT * FROM {table}").fetchall()
        if rows:
            dst.executemany(f"INSERT INTO {table} VALUES ({','.join('?' * len(rows[0]))})", rows)
    data = {t: src.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in TABLES}
    if empty_payload:
        names = [r[1] for r in src.execute("PRAGMA table_info(observation)")]
        at = names.index("payload")
        data["observation"] = [(*r[:at], "{}", *r[at + 1:]) for r in data["observation"]]
    records = len(data["observation"])
    cpu, wall = time.process_time(), time.perf_counter()
    for start in range(0, records, BATCH):
        dst.execute("BEGIN")
        for table in TABLES:
            rows = data[table][start:start + BATCH]
            if rows:
                marks = ",".join("?" * len(rows[0]))
                dst.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        dst.execute("COMMIT")
    return records, time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000,
                        help="records imported for the store's floor (default 100,000)")
    parser.add_argument("--parse-records", type=int, default=20_000,
                        help="records whose work is timed in this process (default 20,000)")
    args = parser.parse_args()
    path = saved_file(max(args.records, args.parse_records))
    cores = os.cpu_count() or 1
    print(f"machine: {cores} cores; file: {path.name}")

    work = work_cpu(path, args.parse_records)
    print(f"\nwork per record before the store (CPU, {args.parse_records:,} records):")
    for name, seconds in work.items():
        print(f"  {name:<26} {seconds * 1e6:7.1f} µs")
    per_record = work["redacted copy (pass 1)"] + work["parse to rows (pass 2)"]
    print(f"  {'both passes':<26} {per_record * 1e6:7.1f} µs  (each pass reads its JSON itself)")

    with tempfile.TemporaryDirectory(prefix="scorewatch-ceiling-") as tmp:
        store = imported_store(path, args.records, Path(tmp))
        print(f"\nthe store's floor ({args.records:,} records, plain sqlite3 executemany):")
        floors = {}
        for label, empty in (("rows as stored", False), ("with empty payloads", True)):
            n, cpu, wall = store_floor(store, Path(tmp) / "floor.sqlite", empty_payload=empty)
            floors[label] = (cpu / n, wall / n)
            print(f"  {label:<26} {cpu / n * 1e6:7.1f} µs CPU, {wall / n * 1e6:7.1f} µs wall"
                  f"  ({n / wall:,.0f} records/s)")

    store_cpu, store_wall = floors["rows as stored"]
    by_cpu = cores / (per_record + store_cpu)
    by_writer = 1 / store_wall
    print(f"\nceiling on {cores} cores: {min(by_cpu, by_writer):,.0f} records/s "
          f"(CPU: {by_cpu:,.0f}/s; one SQLite writer: {by_writer:,.0f}/s); "
          f"target {TARGET_IMPORT:,}/s")


if __name__ == "__main__":
    main()

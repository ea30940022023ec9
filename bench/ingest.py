"""Benchmark: crawl the offline mirror into a fresh store and import a large saved file.

    .venv/bin/python bench/ingest.py [--records N] [--zxgk-listings M] [--orm-records K]
                                     [--skip-crawl] [--skip-orm] [--skip-large]

In one run, side by side, each in a fresh WATCHDOG_HOME and its own process (peak RSS is that
process's own, read with wait4):

- crawl of the mirror's full-record list pages (Baidu path, --crawl-listings, default the
  mirror's 24,000), end to end, and of a mirror four times that size;
- crawl of the zxgk detail path (one request per listing) on a smaller mirror (--zxgk-listings);
- import of a JSON Lines file of N zxgk detail records made by the mirror's generator;
- the same import with 4N records, to show that memory stays flat;
- the first K of those records parsed the same way and written row by row through the ORM
  (SQLModel Session.add of Subject and Observation, one flush per row), and the ratio.

Targets (issue 2): >= 5,000 listings/s end to end from the list pages, >= 50,000/s for a saved
file, peak memory under 300 MB whatever the size. Generated files are cached in
$TMPDIR/scorewatch-bench (the generator is deterministic). Mirror pages are rendered once before
the timed crawls, so the figures are the crawler's, not the mirror's rendering.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path

from watchdog.mirror.formats import BAIDU_PATHS, PERSON_LIST_PATH, UNIT_LIST_PATH
from watchdog.mirror.generator import generate, load_config
from watchdog.mirror.server import MirrorServer

REPO = Path(__file__).resolve().parents[1]

CHUNK = 25_000
CACHE = Path(tempfile.gettempdir()) / "scorewatch-bench"
SUMMARY = re.compile(r"court_dishonest: read (\d+), added (\d+), changed (\d+), "
                     r"unchanged (\d+), rejected (\d+)")
TARGET_CRAWL, TARGET_IMPORT, TARGET_MB = 5_000, 50_000, 300


@dataclass
class Run:
    label: str
    records: int
    seconds: float
    peak_mb: float
    child_mb: float = 0.0
    cpu: float = 0.0
    note: str = ""

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


# Runs the command in this interpreter and, at exit, writes its own peak RSS (VmHWM: the high
# water mark of this process's memory since exec) and the largest of its children's. Not
# ru_maxrss: on Linux that keeps the high water mark of the forking process across exec, so
# every child would report at least this benchmark's own size.
LAUNCHER = """
import atexit, json, os, resource, runpy, sys
out = os.environ.pop("BENCH_RSS_FILE")
def report():
    with open("/proc/self/status") as fh:
        hwm = next(int(ln.split()[1]) for ln in fh if ln.startswith("VmHWM:"))
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    with open(out, "w") as fh:
        json.dump({"self_kb": hwm, "children_kb": kids.ru_maxrss, "cpu": cpu}, fh)
atexit.register(report)
module, sys.argv = sys.argv[1], sys.argv[1:]
runpy.run_module(module, run_name="__main__", alter_sys=True)
"""


@dataclass
class Measured:
    seconds: float
    peak_mb: float  # the process itself
    child_mb: float  # its largest child (worker processes), 0 without children
    cpu: float  # CPU seconds of the process and its children
    text: str


def measure(args: list[str], env: dict[str, str], log: Path) -> Measured:
    """Run `python -m args...` to the end: wall time, peak memory and its output."""
    rss = log.with_suffix(".rss.json")
    env = {**env, "BENCH_RSS_FILE": str(rss)}
    with log.open("w") as out:
        start = time.perf_counter()
        code = subprocess.call([sys.executable, "-c", LAUNCHER, *args], env=env, cwd=REPO,
                               stdout=out, stderr=subprocess.STDOUT)
        seconds = time.perf_counter() - start
    text = log.read_text(errors="replace")
    if code != 0:
        print(f"  (exit {code}: {text.strip().splitlines()[-1:]})", flush=True)
    peak = (json.loads(rss.read_text()) if rss.exists()
            else {"self_kb": 0, "children_kb": 0, "cpu": 0.0})
    return Measured(seconds, peak["self_kb"] / 1024, peak["children_kb"] / 1024, peak["cpu"],
                    text)


def home_env(root: Path, name: str) -> dict[str, str]:
    """A fresh WATCHDOG_HOME with its secret and schema (set up before anything is timed)."""
    home = root / name
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHDOG_")}
    # This checkout's code, whatever is installed in the venv.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(REPO), env.get("PYTHONPATH"))))
    env.update(WATCHDOG_HOME=str(home),
               WATCHDOG_DATABASE_URL=f"sqlite:///{home / 'scorewatch.sqlite'}")
    subprocess.run([sys.executable, "-m", "watchdog", "init"], env=env, cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    return env


def read_count(text: str) -> int:
    m = SUMMARY.search(text)
    return int(m[1]) if m else 0


def _get(url: str) -> None:
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()


def warm_baidu(server: MirrorServer, total: int, size: int = 50) -> None:
    for pn in range(0, total, size):
        _get(f"{server.url}{BAIDU_PATHS[0]}?resource_id=6899&pn={pn}&rn={size}")


def warm_zxgk(server: MirrorServer, size: int = 100) -> None:
    view = server.view(1)
    for path, recs in ((PERSON_LIST_PATH, view.persons), (UNIT_LIST_PATH, view.units)):
        for page in range(1, max(1, -(-len(recs) // size)) + 1):
            _get(f"{server.url}{path}?page={page}&pageSize={size}")
    for rec in view.records:
        _get(f"{server.url}/gkw/sx/disDetailNew?id={rec['id']}")


def crawl(root: Path, name: str, server: MirrorServer, extra: list[str], label: str) -> Run:
    env = home_env(root, name)
    cmd = ["watchdog", "crawl", "court_dishonest", "--mirror", server.url, "--no-progress", *extra]
    m = measure(cmd, env, root / f"{name}.log")
    # A large crawl parses pages in worker processes (watchdog.pagework, spawned).
    return Run(label, read_count(m.text), m.seconds, m.peak_mb, m.child_mb, m.cpu)


# -- saved files --------------------------------------------------------------------------
def _chunk(k: int, count: int) -> bytes:
    base = load_config()
    # Its own seed and id range per chunk: distinct people, cases and record ids throughout.
    cfg = base.with_(seed=base.seed + k, listing_count=count,
                     id_base=base.id_base + 40 * CHUNK * k)
    return b"".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
                    for r in generate(1, cfg))


def _chunk_of(job: tuple[int, int]) -> bytes:
    return _chunk(*job)


def saved_file(records: int) -> Path:
    """A JSON Lines file of `records` zxgk detail records (mirror generator), cached."""
    path = CACHE / f"court_dishonest-details-{records}.jsonl"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    sizes = [min(CHUNK, records - start) for start in range(0, records, CHUNK)]
    started = time.perf_counter()
    tmp = path.with_suffix(".tmp")
    # Workers exit after a few chunks: the generator caches whole days per config.
    with Pool(2, maxtasksperchild=2) as pool, tmp.open("wb") as out:
        for body in pool.imap(_chunk_of, enumerate(sizes)):
            out.write(body)
    tmp.replace(path)
    print(f"  generated {records:,} records in {time.perf_counter() - started:.1f} s "
          f"({path.stat().st_size / 2**20:.0f} MB)", flush=True)
    return path


def import_run(root: Path, name: str, path: Path, label: str) -> Run:
    env = home_env(root, name)
    cmd = ["watchdog", "import", "court_dishonest", str(path), "--no-progress"]
    m = measure(cmd, env, root / f"{name}.log")
    return Run(label, read_count(m.text), m.seconds, m.peak_mb, m.child_mb, m.cpu)


# -- row by row through the ORM -----------------------------------------------------------
def orm_worker(path: Path, limit: int) -> None:
    """Parse the first `limit` records like the importer, then one ORM flush per row."""
    from datetime import UTC, datetime

    from sqlmodel import Session, select

    from watchdog.config import get_settings, load_secret
    from watchdog.ingest import listing_row
    from watchdog.parsers.court_dishonest import ParsedListing, iter_file_records
    from watchdog.privacy import Keyer
    from watchdog.sources import load_manifest
    from watchdog.store.db import get_engine
    from watchdog.store.tables import Crawl, Observation, Subject
    from watchdog.store.writer import payload_sha256, register_source

    settings = get_settings()
    keyer = Keyer(load_secret(settings))
    manifest = load_manifest("court_dishonest")
    register_source(settings.database_url, manifest.model_dump())
    start = time.perf_counter()
    written = 0
    with Session(get_engine(settings.database_url)) as session, path.open("rb") as fh:
        crawl = Crawl(source_id=manifest.id, mode="import", started_at=datetime.now(UTC))
        session.add(crawl)
        session.flush()
        for line, _ in zip(fh, range(limit), strict=False):
            for parsed in iter_file_records(json.loads(line), keyer):
                if not isinstance(parsed, ParsedListing):
                    continue
                row = listing_row(parsed, manifest.regime or "")
                key = row.subject["key"]
                subject = session.exec(select(Subject).where(Subject.key == key)).first()
                if subject is None:
                    subject = Subject(**row.subject)
                    session.add(subject)
                    session.flush()
                now = datetime.now(UTC)
                session.add(Observation(
                    source_id=manifest.id, record_key=row.record_key, subject_id=subject.id,
                    source_record_id=row.source_record_id, payload=row.payload,
                    content_sha256=payload_sha256(row.payload), **row.facets, first_seen=now,
                    last_seen=now, first_crawl_id=crawl.id, last_crawl_id=crawl.id))
                session.flush()
                written += 1
        session.commit()
    print(json.dumps({"records": written, "seconds": time.perf_counter() - start}))


def orm_run(root: Path, path: Path, limit: int) -> Run:
    env = home_env(root, "orm")
    cmd = ["bench.ingest", "--orm-worker", str(path), "--orm-records", str(limit)]
    m = measure(cmd, env, root / "orm.log")
    result = json.loads(m.text.strip().splitlines()[-1])
    return Run("ORM row by row (parse + add/flush)", result["records"], result["seconds"],
               m.peak_mb, note="loop time: no start-up, no archive")


# -- report -------------------------------------------------------------------------------
def table(runs: list[Run]) -> str:
    head = (f"| {'what':<38} | {'records':>9} | {'seconds':>7} | {'records/s':>9} "
            f"| {'CPU s':>6} | {'peak MB':>7} | {'workers':>7} |")
    lines = [head, "|" + "|".join("-" * len(c) for c in head.split("|")[1:-1]) + "|"]
    for r in runs:
        workers = f"{r.child_mb:>7.0f}" if r.child_mb else f"{'-':>7}"
        cpu = f"{r.cpu:>6.1f}" if r.cpu else f"{'-':>6}"
        lines.append(f"| {r.label:<38} | {r.records:>9,} | {r.seconds:>7.2f} | {r.rate:>9,.0f} "
                     f"| {cpu} | {r.peak_mb:>7.0f} | {workers} |"
                     + (f" {r.note}" if r.note else ""))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000, help="saved-file import size")
    parser.add_argument("--crawl-listings", type=int, default=load_config().listing_count,
                        help="listings on the mirror's Baidu list pages (4x too, unless "
                             "--skip-large)")
    parser.add_argument("--zxgk-listings", type=int, default=4_000)
    parser.add_argument("--orm-records", type=int, default=5_000)
    parser.add_argument("--skip-crawl", action="store_true")
    parser.add_argument("--skip-orm", action="store_true")
    parser.add_argument("--skip-large", action="store_true", help="skip the 4x crawl and import")
    parser.add_argument("--orm-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.orm_worker:
        orm_worker(args.orm_worker, args.orm_records)
        return
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.machine()}; store: SQLite (WAL)", flush=True)
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="scorewatch-bench-") as tmp:
        root = Path(tmp)
        startup = measure(["watchdog", "--help"], dict(os.environ), root / "startup.log")
        print(f"  process start-up (python -m watchdog --help): {startup.seconds:.2f} s",
              flush=True)
        if not args.skip_crawl:
            sizes = [args.crawl_listings] + ([] if args.skip_large else [4 * args.crawl_listings])
            for n, size in enumerate(sizes):
                server = MirrorServer(config=load_config().with_(listing_count=size)).start()
                try:
                    view = server.view(1)
                    warm_baidu(server, len(view.records))
                    label = f"crawl, Baidu list pages{', 4x' if n else ''} ({len(view.records):,})"
                    runs.append(crawl(root, f"crawl-baidu-{n}", server,
                                      ["--expect-min", str(len(view.records))], label))
                finally:
                    server.stop()
            cfg = load_config().with_(listing_count=args.zxgk_listings)
            server = MirrorServer(config=cfg).start()
            try:
                warm_zxgk(server)
                runs.append(crawl(root, "crawl-zxgk", server,
                                  ["--path", "zxgk", "--expect-min", str(args.zxgk_listings)],
                                  f"crawl, zxgk detail path ({args.zxgk_listings:,})"))
            finally:
                server.stop()
        path = saved_file(args.records)
        runs.append(import_run(root, "import", path, f"import JSONL ({args.records:,})"))
        if not args.skip_large:
            big = saved_file(4 * args.records)
            runs.append(import_run(root, "import-4x", big, f"import JSONL, 4x ({4 * args.records:,})"))
        if not args.skip_orm:
            runs.append(orm_run(root, path, args.orm_records))
    print()
    print(table(runs))
    print()
    imp = next((r for r in runs if r.label.startswith("import JSONL (")), None)
    orm = next((r for r in runs if r.label.startswith("ORM")), None)
    if imp and orm and orm.rate:
        print(f"saved-file import vs ORM row by row: {imp.rate / orm.rate:.1f}x faster")
    baidu = max((r for r in runs if "Baidu" in r.label), key=lambda r: r.records, default=None)
    if baidu:
        verdict = "met" if baidu.rate >= TARGET_CRAWL else "MISSED"
        print(f"crawl target {TARGET_CRAWL:,}/s: {verdict} ({baidu.rate:,.0f}/s over "
              f"{baidu.records:,} listings, start-up included)")
    if imp:
        print(f"import target {TARGET_IMPORT:,}/s: "
              f"{'met' if imp.rate >= TARGET_IMPORT else 'MISSED'}")
    worst = max((r.peak_mb for r in runs), default=0.0)
    worker = max((r.child_mb for r in runs), default=0.0)
    print(f"memory target < {TARGET_MB} MB per process: "
          f"{'met' if max(worst, worker) < TARGET_MB else 'MISSED'} (worst {worst:.0f} MB"
          + (f"; largest worker process {worker:.0f} MB" if worker else "") + ")")
    print("peak MB: VmHWM of the process itself; workers: the largest of its child processes "
          "(forked, so pages shared with the parent count in both)")


if __name__ == "__main__":
    main()

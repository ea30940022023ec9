"""Benchmark: audit the offline mirror's court list (24,000 listings by default).

    .venv/bin/python bench/audit.py [--listings N] [--repeat R]

In a fresh WATCHDOG_HOME (a temporary directory, removed afterwards): `watchdog init`, then
`watchdog crawl court_dishonest` of the offline mirror on 127.0.0.1 (not timed), then the audit
(`run_audit`, in this process) R times. Prints listings checked, findings, seconds and listings
per second for each run. Nothing fails when a figure is slow: it is a figure, not a test (the
test suite checks only that every listing is audited).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from watchdog.audit.runner import run_audit
from watchdog.mirror.generator import load_config
from watchdog.mirror.server import MirrorServer

REPO = Path(__file__).resolve().parents[1]


def watchdog(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "watchdog", *args], capture_output=True,
                          text=True, env=env, cwd=REPO)
    if done.returncode != 0:
        sys.exit(f"watchdog {' '.join(args)} exited {done.returncode}:\n{done.stderr[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=load_config().listing_count,
                        help="listings in the mirror (default: the mirror's own count)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scorewatch-bench-audit-") as tmp:
        home = Path(tmp) / "home"
        url = f"sqlite:///{home / 'scorewatch.sqlite'}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHDOG_")}
        env.update(WATCHDOG_HOME=str(home), WATCHDOG_DATABASE_URL=url)
        server = MirrorServer(config=load_config().with_(listing_count=args.listings))
        server.start()
        try:
            watchdog(env, "init")
            started = time.perf_counter()
            watchdog(env, "crawl", "court_dishonest", "--mirror", server.url, "--no-progress")
            crawl_s = time.perf_counter() - started
        finally:
            server.stop()
        print(f"audit of the mirror's court list: {args.listings:,} listings in the mirror, "
              f"SQLite, {os.cpu_count()} CPUs (crawled in {crawl_s:.1f} s, not counted)")
        print(f"{'run':>4} {'checked':>9} {'findings':>9} {'seconds':>8} {'listings/s':>11}")
        for n in range(1, args.repeat + 1):
            started = time.perf_counter()
            summary = run_audit(url)
            seconds = time.perf_counter() - started
            rate = summary.checked / seconds if seconds else 0.0
            print(f"{n:>4} {summary.checked:>9,} {summary.findings:>9,} {seconds:>8.2f} "
                  f"{rate:>11,.0f}")


if __name__ == "__main__":
    main()

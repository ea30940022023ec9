"""Garbage-collector settings for bulk work (a crawl, an import, a page or chunk worker).

A crawl or an import makes and drops millions of small objects (rows, dicts, parsed records)
that hold no reference cycles, while the process holds a large, long-lived heap (Scrapy,
SQLAlchemy, the regimes). With CPython's default thresholds the collector ran every 700
allocations and rescanned that heap in its older generations: measured on a 48,000-listing
crawl, a third of the crawl process's CPU time (2.6 s of 7.6 s) went to collections that
found almost nothing. Freezing the heap built before the work (`gc.freeze`: it is never
scanned again) and collecting the youngest generation less often brought that to 0.2 s.
Cycles made during the work are still collected, only later.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Allocations between collections of the youngest generation (CPython's default is 700), and
# how many of those before each older generation is scanned.
BULK_THRESHOLD = (50_000, 20, 100)


def tune_for_bulk_work() -> None:
    """For a process that does only bulk work until it exits (a worker): freeze what start-up
    built and collect less often."""
    gc.freeze()
    gc.set_threshold(*BULK_THRESHOLD)


@contextmanager
def bulk_work() -> Iterator[None]:
    """`tune_for_bulk_work` for the duration of a block, then the settings as they were."""
    before = gc.get_threshold()
    tune_for_bulk_work()
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()

"""Parsing and redacting court-list pages in worker processes, so a large crawl uses every core.

A page of full records costs far more to parse, key and redact than to fetch, and Scrapy runs
callbacks in one thread. `PagePool` hands each page's bytes to a worker process, which returns
what the pipeline stores: the rows (`ListingRow`), the rejections, the fields seen and the bytes
it archived (redacted when the source names persons; compressed and written by the worker,
under its hash, before the pipeline records it). The worker runs the same parser and the
same redaction as the crawl process would, so where a page was handled makes no difference to
what is stored; `tests/test_pagework.py` holds the two side by side.

Workers are started with `spawn`: the crawl process runs an event loop and threads, which a
forked child would inherit in whatever state they were in.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.evidence import prepare
from watchdog.gcwork import tune_for_bulk_work
from watchdog.ingest import counted_row
from watchdog.jsontext import loads
from watchdog.parsers.court_dishonest import ParsedListing, iter_file_records
from watchdog.parsers.errors import FormatError
from watchdog.privacy import Keyer
from watchdog.store.artifacts import write_artifact
from watchdog.store.rows import ListingRow

# Below this many records a crawl parses in its own process: starting workers costs about a
# second, which a small crawl (and most of the test suite) would only lose.
POOL_FROM_RECORDS = 5000


@dataclass(frozen=True)
class Archived:
    """A page's evidence, already written under `artifacts_dir`: what `archive_row` records."""

    sha256: str
    rel: str
    stored_size: int
    original_sha256: str
    redacted: bool
    size: int


@dataclass
class PageResult:
    """What one page gave, ready for `scrapers.pipelines.StorePipeline`; `archived` is None when
    the body was not a JSON page of records (`unreadable` or `empty`): nothing was archived or
    parsed, and the crawl process looks at it as it would without workers."""

    archived: Archived | None
    rows: list[ListingRow] = field(default_factory=list)
    rejections: list[tuple[int, str]] = field(default_factory=list)  # (index, reason)
    unknown_fields: dict[str, int] = field(default_factory=dict)
    field_fill: dict[str, int] = field(default_factory=dict)
    error: str | None = None  # the page's layout is not one we know
    unreadable: bool = False  # not JSON: a block page, a captcha or a cut-off body
    empty: bool = False  # `{}`: zxgk's answer once the captcha has expired


def work_page(body: bytes, keyer: Keyer, regime_id: str, contains_persons: bool,
              artifacts_dir: Path) -> PageResult:
    """Decode, parse, key, redact and archive one page of court-list JSON. The decoding is done
    here, not in the crawl process, which is the busier of the two on a large crawl."""
    try:
        parsed = loads(body)
    except ValueError:
        return PageResult(archived=None, unreadable=True)
    if parsed == {}:
        return PageResult(archived=None, empty=True)
    evidence = prepare(body, keyer, contains_persons=contains_persons, parsed=parsed)
    sha, rel, stored_size = write_artifact(artifacts_dir, evidence.stored)
    result = PageResult(archived=Archived(sha, rel, stored_size, evidence.original_sha256,
                                          evidence.redacted, evidence.size))
    try:
        for item in iter_file_records(parsed, keyer):
            if not isinstance(item, ParsedListing):
                result.rejections.append((item.index, item.reason))
                continue
            result.rows.append(counted_row(item, regime_id, result.unknown_fields,
                                           result.field_fill))
    except FormatError as exc:
        result.error = str(exc)
    return result


_WORKER: tuple[Keyer, str, bool, Path] | None = None


def _start(secret: bytes, regime_id: str, contains_persons: bool, artifacts_dir: Path) -> None:
    global _WORKER
    _WORKER = (Keyer(secret).caching(), regime_id, contains_persons, artifacts_dir)
    tune_for_bulk_work()


def _in_worker(body: bytes) -> PageResult:
    assert _WORKER is not None, "worker not started"
    return work_page(body, *_WORKER)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class PagePool:
    """A pool of page workers for one crawl; `close()` when the crawl ends."""

    def __init__(self, secret: bytes, regime_id: str, *, contains_persons: bool,
                 artifacts_dir: Path, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self._pool = ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_start, initargs=(secret, regime_id, contains_persons, artifacts_dir))

    def submit(self, body: bytes) -> Future[PageResult]:
        return self._pool.submit(_in_worker, body)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

"""Aggregates the pages show, kept between requests until the store changes.

Counting a list by province, circumstance and month reads every listing: a fraction of a second
on the demo's 24,000 listings, minutes on the real list's millions. The counts only change when a
crawl, an import or an audit writes, so each result is kept under the store's *generation*: the
newest crawl, audit run, listing change and company match, and when the newest of them finished.
Any write the pages could show moves one of these, and the next request that asks for a kept
result finds the generation changed and starts afresh. The generation is read once a request
(a handful of lookups on primary keys and a small table), never guessed from a timer, so a page
never shows counts older than the store it reads.

Only read-only query functions of `watchdog.store` go through here, with hashable arguments
(filters are frozen dataclasses). A hit hands out a deep copy: views may adorn what they get.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app, g
from sqlalchemy import Engine, func, select

from watchdog.store import tables
from watchdog.store.company_tables import CompanyMatch
from watchdog.store.db import get_engine

T = TypeVar("T")

_CRAWL = tables.Crawl.__table__
_RUN = tables.AuditRun.__table__
_CHANGE = tables.ObservationChange.__table__
_MATCH = CompanyMatch.__table__
MAX_ENTRIES = 512


def generation(engine: Engine) -> tuple[Any, ...]:
    """What identifies the store's content as the pages see it (see the module's docstring)."""
    stmt = select(
        select(func.max(_CRAWL.c.id)).scalar_subquery(),
        select(func.max(_CRAWL.c.finished_at)).scalar_subquery(),
        select(func.max(_RUN.c.id)).scalar_subquery(),
        select(func.max(_RUN.c.finished_at)).scalar_subquery(),
        select(func.max(_CHANGE.c.id)).scalar_subquery(),
        select(func.max(_MATCH.c.id)).scalar_subquery(),
        select(func.max(_MATCH.c.retracted_at)).scalar_subquery(),
    )
    with engine.connect() as conn:
        return tuple(conn.execute(stmt).one())


class StoreCache:
    """Results of query functions for one generation of one store, least recently used out."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._generation: tuple[Any, ...] | None = None
        self._kept: OrderedDict[Hashable, Any] = OrderedDict()
        self.hits = self.misses = 0

    def call(self, current: tuple[Any, ...], fn: Callable[..., T], *args: Hashable) -> T:
        key = (fn.__module__, fn.__qualname__, args)
        with self._lock:
            if current != self._generation:
                self._kept.clear()
                self._generation = current
            if key in self._kept:
                self._kept.move_to_end(key)
                self.hits += 1
                return copy.deepcopy(self._kept[key])
            self.misses += 1
        value = fn(*args)  # outside the lock: other requests go on meanwhile
        with self._lock:
            if current == self._generation:  # not if the store moved on while this ran
                self._kept[key] = copy.deepcopy(value)
                while len(self._kept) > self.max_entries:
                    self._kept.popitem(last=False)
        return value


def cached(fn: Callable[..., T], *args: Hashable) -> T:
    """`fn(*args)`, from the app's cache when the store has not changed since it was kept."""
    store: StoreCache = current_app.extensions["scorewatch_cache"]
    if "store_generation" not in g:
        g.store_generation = generation(get_engine(current_app.config["DATABASE_URL"]))
    return store.call(g.store_generation, fn, *args)

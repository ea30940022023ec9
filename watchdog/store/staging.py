"""Changes to stored listings that a crawl has seen, held until the crawl ends.

Only a crawl that ends complete may change what a complete crawl established, and a crawl's
status is known only at its end: a block, a captcha, an unknown field or a short count can come
on the last page. So `CrawlRecorder.write_batch` stores new listings and sightings of unchanged
ones at once (they change nothing established), but a change to a stored listing's content, or
a removed listing seen again, waits in `stagedchange`. `apply` makes those changes, with their
history rows, when the crawl ends complete; `drop` discards them otherwise and says how many. An import (a saved file)
never overrides what a crawl stored (`keep_crawled`).
A crawl that sees the same listing twice leaves the last sighting staged, as a complete crawl
writing batch by batch would have stored it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select

from watchdog.store.bulk import Bulk
from watchdog.store.tables import Crawl, Observation, ObservationChange, StagedChange

_STAGED = StagedChange.__table__
_OBS = Observation.__table__
_CHANGE = ObservationChange.__table__
_CRAWL = Crawl.__table__
_STAGE_COLUMNS = ("crawl_id", "observation_id", "at", "kind", "old_sha256", "new_sha256",
                  "fields", "values")
_CHANGE_COLUMNS = ("observation_id", "crawl_id", "at", "kind", "old_sha256", "new_sha256",
                   "fields")
CHUNK = 2000

# One staged change: observation id, kind (changed | relisted), old and new content hash, the
# changed fields ({name: [old, new]}) and the observation's new column values.
Staged = tuple[int, str, str | None, str, dict[str, Any], dict[str, Any]]


def forget(bulk: Bulk, crawl_id: int, observation_ids: Sequence[int]) -> None:
    """Drop what this crawl staged for these listings: they were seen again."""
    if observation_ids:
        bulk.delete_in(_STAGED, "observation_id", observation_ids, crawl_id=crawl_id)


def stage(bulk: Bulk, crawl_id: int, at: datetime, changes: list[Staged]) -> None:
    if not changes:
        return
    forget(bulk, crawl_id, [c[0] for c in changes])
    bulk.insert(_STAGED, _STAGE_COLUMNS,
                [(crawl_id, obs_id, at, kind, old, new, fields, values)
                 for obs_id, kind, old, new, fields, values in changes])


def keep_crawled(conn: Connection, crawl_id: int) -> int:
    """Drop what an import staged for listings a crawl stored or removed; return how many.

    A saved file is a snapshot of unknown date: applied over a crawl, an old file would undo
    the crawl's changes and bring back listings it found removed. Files update only what files
    put there."""
    crawled = (select(_OBS.c.id).join(_CRAWL, _CRAWL.c.id == _OBS.c.last_crawl_id)
               .where((_CRAWL.c.mode != "import") | _OBS.c.removed_crawl_id.is_not(None)))
    where = (_STAGED.c.crawl_id == crawl_id) & _STAGED.c.observation_id.in_(crawled)
    count = conn.execute(select(func.count()).select_from(_STAGED).where(where)).scalar_one()
    if count:
        conn.execute(delete(_STAGED).where(where))
    return int(count)


def apply(conn: Connection, crawl_id: int) -> int:
    """Make this crawl's staged changes (in the caller's transaction); return how many."""
    bulk = Bulk(conn)
    columns = (_STAGED.c.id, _STAGED.c.observation_id, _STAGED.c.at, _STAGED.c.kind,
               _STAGED.c.old_sha256, _STAGED.c.new_sha256, _STAGED.c.fields, _STAGED.c["values"])
    applied, last = 0, 0
    while True:
        rows = conn.execute(select(*columns).where(
            _STAGED.c.crawl_id == crawl_id, _STAGED.c.id > last)
            .order_by(_STAGED.c.id).limit(CHUNK)).all()
        if not rows:
            break
        last = rows[-1][0]
        # Rows grouped by the columns they set: one statement's rows all name the same columns.
        updates: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        history = []
        for _, obs_id, at, kind, old, new, fields, values in rows:
            updates.setdefault(tuple(values), []).append(
                ("listed", None, None, *values.values(), at, crawl_id, obs_id))
            history.append((obs_id, crawl_id, at, kind, old, new, fields))
        for names, values_list in updates.items():
            bulk.update_by_id(_OBS, ("status", "removed_at", "removed_crawl_id", *names,
                                     "last_seen", "last_crawl_id"), values_list)
        bulk.insert(_CHANGE, _CHANGE_COLUMNS, history)
        applied += len(rows)
    conn.execute(delete(_STAGED).where(_STAGED.c.crawl_id == crawl_id))
    return applied


def drop(conn: Connection, crawl_id: int) -> int:
    """Discard this crawl's staged changes; return how many there were."""
    count = conn.execute(select(func.count()).select_from(_STAGED).where(
        _STAGED.c.crawl_id == crawl_id)).scalar_one()
    conn.execute(delete(_STAGED).where(_STAGED.c.crawl_id == crawl_id))
    return int(count)

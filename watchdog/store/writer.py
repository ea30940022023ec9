"""Recording a crawl or an import: the crawl row, its artifacts and its observations, in batches.

One `CrawlRecorder` per crawl. Rows arrive in batches (one page, or a few thousand records of a
file) and are written as plain SQL with tuples, straight to the driver (`watchdog.store.bulk`):
what SQLAlchemy Core would store, without its work per row. A crawl may only mark listings as
removed when it finishes *complete*; blocked, partial and failed crawls leave everything a
complete crawl established in place.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from watchdog.store import staging
from watchdog.store.artifacts import sha256_hex, write_artifact
from watchdog.store.bulk import IN_CHUNK, Bulk
from watchdog.store.db import get_engine
from watchdog.store.rows import ListingRow as ListingRow  # re-exported: its old home
from watchdog.store.tables import Artifact, Crawl, Observation, ObservationChange, Source, Subject

FINAL_STATUSES = ("complete", "partial", "blocked", "failed")
# Statuses ranked by how bad they are: a crawl ends with the worst thing that happened to it.
_RANK = {"complete": 0, "partial": 1, "blocked": 2, "failed": 3}

_OBS = Observation.__table__
_CHANGE = ObservationChange.__table__
_SUBJECT = Subject.__table__
# Columns of the observation rows write_batch inserts, in the order of its tuples: the head, the
# row's own values, its facets, and the tail.
_INSERT_HEAD = ("source_id", "record_key", "status", "first_seen", "first_crawl_id")
_COMMON = ("subject_id", "source_record_id", "payload", "content_sha256")
_COMMON_TAIL = ("last_seen", "last_crawl_id", "artifact_sha256")
_CHANGE_COLUMNS = ("observation_id", "crawl_id", "at", "kind", "old_sha256", "new_sha256",
                   "fields")
_LAST_SEEN_BY_IMPORT = "last_crawl_id IN (SELECT id FROM crawl WHERE mode = 'import')"


def now_utc() -> datetime:
    return datetime.now(UTC)


# A reason is shown on the public /sources page: where the store lives and who it lets in are
# nobody's business there (psycopg names the server, its port or socket, the role and database).
_SERVER = re.compile(r'(?:connection to )?server (?:at|on socket) "[^"]*"(?: \([^)]*\))?'
                     r'(?:, port \d+)?')
# A host is named in quotes of either kind: libpq's "could not translate host name", pg_hba's
# "no pg_hba.conf entry for host" (the crawler's own address), psycopg's "failed to resolve host".
_NAMED = re.compile(r"""\b(user|role|database|host name|host) (?:"[^"]*"|'[^']*')""")


def write_failure(exc: BaseException) -> str:
    """The reason a crawl failed when the store refused one of its batches: the driver's first
    line (the rest repeats the statement and its values), without the server's address, port,
    socket, role or database name."""
    said = (str(exc).strip().splitlines() or [""])[0]
    # Withheld before the cut: a name cut off in its quotes would no longer match.
    said = _NAMED.sub(r"\1 (withheld)", _SERVER.sub("the database server", said))[:200]
    return (f"writing to the store failed ({type(exc).__name__}: {said}); the batches after it "
            "were not written")


def payload_sha256(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class Counts:
    read: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: int = 0
    removed: int = 0
    # Changes seen to stored listings but not applied, because the crawl did not end complete
    # (kept out of `add` and of the crawl row's columns: known only at the end).
    withheld: int = 0

    def add(self, other: Counts) -> None:
        for name in ("read", "added", "changed", "unchanged", "rejected", "removed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class CrawlOutcome:
    crawl_id: int
    source_id: str
    status: str
    reason: str | None
    counts: Counts
    rejections: list[str] = field(default_factory=list)

    def summary_line(self) -> str:
        c = self.counts
        return (f"{self.source_id}: read {c.read}, added {c.added}, changed {c.changed}, "
                f"unchanged {c.unchanged}, rejected {c.rejected}")


def _dialect_insert(conn: Connection, table: Any) -> Any:
    return (postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table))


def register_source(url: str, manifest: dict[str, Any]) -> None:
    """Insert or refresh the source row from its manifest."""
    raw = json.dumps(manifest, sort_keys=True, ensure_ascii=False, default=str)
    row = {
        "id": manifest["id"], "title": manifest["title"], "publisher": manifest["publisher"],
        "official": bool(manifest.get("official", True)),
        "manifest_sha256": sha256_hex(raw.encode("utf-8")), "manifest": json.loads(raw),
    }
    with get_engine(url).begin() as conn:
        stmt = _dialect_insert(conn, Source.__table__)
        stmt = stmt.on_conflict_do_update(
            index_elements=["id"],
            set_={k: stmt.excluded[k] for k in ("title", "publisher", "official",
                                                 "manifest_sha256", "manifest")})
        conn.execute(stmt, [row])


class CrawlRecorder:
    """Writes one crawl (or import) into the store."""

    def __init__(self, url: str, artifacts_dir: Path, source_id: str, *, mode: str = "crawl",
                 origin: str | None = None) -> None:
        self.url = url
        self.engine = get_engine(url)
        self.artifacts_dir = artifacts_dir
        self.source_id = source_id
        self.mode = mode
        self.counts = Counts()
        self.rejections: list[str] = []
        self.unknown_fields: dict[str, int] = {}
        self.field_fill: dict[str, int] = {}
        self.errors: list[str] = []
        self.requests = 0
        self._artifacts: list[dict[str, Any]] = []  # rows of deferred archive() calls
        self._status = "complete"
        self._reason: str | None = None
        self._staged = 0  # changes to stored listings staged by this crawl so far
        self.list_published: date | None = None  # see note_published
        started = now_utc()
        with self.engine.begin() as conn:
            result = conn.execute(insert(Crawl.__table__).values(
                source_id=source_id, mode=mode, started_at=started, status="running",
                origin=origin, unknown_fields={}, errors=[], field_fill={}))
            self.crawl_id = int(result.inserted_primary_key[0])

    # -- what went wrong ------------------------------------------------------------------
    def degrade(self, status: str, reason: str) -> None:
        """Record that the crawl cannot end better than `status`, and why."""
        if _RANK[status] > _RANK[self._status]:
            self._status, self._reason = status, reason
        elif self._reason is None and status != "complete":
            self._reason = reason
        if len(self.errors) < 200:
            self.errors.append(f"{status}: {reason}")

    def note(self, text: str) -> None:
        """Something a file stated that could not be used, without degrading the crawl."""
        if len(self.errors) < 200:
            self.errors.append(f"note: {text}")

    def note_published(self, day: date) -> None:
        """The date a file read says the list was published. A crawl of several files that
        each state one keeps the latest: the crawl read at least that version of the list.
        Recorded whatever the crawl's status (a blocked crawl read what it read)."""
        if self.list_published is None or day > self.list_published:
            self.list_published = day

    @property
    def status(self) -> str:
        """complete, or the worst status `degrade` has set so far."""
        return self._status

    def reject(self, reason: str) -> None:
        self.counts.rejected += 1
        if len(self.rejections) < 1000:
            self.rejections.append(reason)

    def note_unknown_fields(self, names: Iterable[str]) -> None:
        for name in names:
            self.unknown_fields[name] = self.unknown_fields.get(name, 0) + 1

    def note_fields(self, names: Iterable[str]) -> None:
        for name in names:
            self.field_fill[name] = self.field_fill.get(name, 0) + 1

    def note_counts(self, unknown_fields: dict[str, int], field_fill: dict[str, int]) -> None:
        """Counts of fields already tallied elsewhere (a worker process, a chunk of a file)."""
        for target, counts in ((self.unknown_fields, unknown_fields),
                               (self.field_fill, field_fill)):
            for name, n in counts.items():
                target[name] = target.get(name, 0) + n

    # -- evidence -------------------------------------------------------------------------
    def archive(self, *, stored: bytes, original_sha256: str, redacted: bool, url: str,
                http_status: int, content_type: str | None, size: int,
                fetched_at: datetime | None = None, defer: bool = False) -> str:
        """Write `stored` under its hash and record it; with `defer`, in the same transaction as
        the next batch of observations (or at `finish`)."""
        sha, rel, stored_size = write_artifact(self.artifacts_dir, stored)
        self.archive_row(sha=sha, rel=rel, stored_size=stored_size,
                         original_sha256=original_sha256, redacted=redacted, url=url,
                         http_status=http_status, content_type=content_type, size=size,
                         fetched_at=fetched_at, defer=defer)
        return sha

    def archive_row(self, *, sha: str, rel: str, stored_size: int, original_sha256: str,
                    redacted: bool, url: str, http_status: int, content_type: str | None,
                    size: int, fetched_at: datetime | None = None, defer: bool = False) -> None:
        """Record an artifact already written under its hash."""
        self.requests += 1
        self._artifacts.append({
            "sha256": sha, "original_sha256": original_sha256, "redacted": redacted,
            "url": url, "fetched_at": fetched_at or now_utc(), "http_status": http_status,
            "content_type": (content_type or "")[:128] or None, "size": size,
            "stored_size": stored_size, "path": rel, "crawl_id": self.crawl_id})
        if not defer:
            with self.engine.begin() as conn:
                self._flush_artifacts(conn)

    def _flush_artifacts(self, conn: Connection) -> None:
        if not self._artifacts:
            return
        # Identical bytes archived twice: the first row stays, as with one insert per response.
        stmt = _dialect_insert(conn, Artifact.__table__).on_conflict_do_nothing(
            index_elements=["sha256"])
        conn.execute(stmt, self._artifacts)
        self._artifacts = []

    # -- observations ---------------------------------------------------------------------
    def write_batch(self, rows: Sequence[ListingRow], artifact_sha256: str | None,
                    seen_at: datetime | None = None) -> Counts:
        seen_at = seen_at or now_utc()
        batch = Counts(read=len(rows))
        # The same listing twice in one batch is one sighting; the later copy wins. The other
        # copy is counted too, so the summary adds up: unchanged when it is the same record,
        # rejected (with a reason) when the two differ.
        unique: dict[str, ListingRow] = {}
        for row in rows:
            earlier = unique.get(row.record_key)
            if earlier is not None:
                if _content(earlier) == _content(row):
                    batch.unchanged += 1
                else:
                    self.reject("the same listing appears twice with different content; the "
                                "later copy is kept")
            unique[row.record_key] = row
        if not unique:
            self.counts.add(batch)
            return batch
        with self.engine.begin() as conn:
            self._flush_artifacts(conn)
            bulk = Bulk(conn)
            bulk.begin_writing()
            # Values every row shares, as the driver takes them: bound once, not once a row.
            seen = bulk.bind(_OBS.c.last_seen, seen_at)
            at = bulk.bind(_CHANGE.c.at, seen_at)
            empty = bulk.bind(_CHANGE.c.fields, {})
            # Payloads as the text made beforehand (in a worker), when that is what is stored.
            text = bulk.json_from_text()
            done = ("first_seen", "last_seen", "removed_at", *(("payload",) if text else ()))
            subject_ids = self._upsert_subjects(bulk, [r.subject for r in unique.values()])
            existing = self._existing(bulk, list(unique))
            if self._staged and existing:
                # Seen again: the last sighting is what a complete crawl would have stored.
                staging.forget(bulk, self.crawl_id, [p[0] for p in existing.values()])
            # Rows grouped by their facet names: one statement's rows all name the same columns.
            inserts: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
            unchanged_ids: list[int] = []
            added: list[tuple[str, str]] = []  # record key and content hash of each new row
            pending: list[tuple[int, str, str, str, ListingRow]] = []
            crawl = self.crawl_id
            for key, row in unique.items():
                sha = _content(row)
                prior = existing.get(key)
                if prior is not None and prior[1] == sha and prior[2] == "listed":
                    unchanged_ids.append(prior[0])
                    continue
                if prior is not None:
                    obs_id, old_sha, status = prior
                    kind = "relisted" if status == "removed" else "changed"
                    pending.append((obs_id, kind, old_sha, sha, row))
                    continue
                payload = (text(row.payload_json or json.dumps(row.payload_dict())) if text
                           else row.payload_dict())
                inserts.setdefault(tuple(row.facets), []).append(
                    (self.source_id, key, "listed", seen, crawl, subject_ids[row.subject["key"]],
                     row.source_record_id, payload, sha, *row.facets.values(), seen, crawl,
                     row.artifact_sha256 or artifact_sha256))
                added.append((key, sha))
            changes: list[tuple[Any, ...]] = []
            if pending:
                # Not applied yet: only a crawl that ends complete changes a stored listing.
                old_payloads = self._payloads(conn, [p[0] for p in pending])
                staging.stage(bulk, crawl, seen_at, [
                    (obs_id, kind, old_sha, sha, _diff(old_payloads[obs_id], row.payload_dict()),
                     {"subject_id": subject_ids[row.subject["key"]],
                      "source_record_id": row.source_record_id, "payload": row.payload_dict(),
                      "content_sha256": sha, **row.facets,
                      "artifact_sha256": row.artifact_sha256 or artifact_sha256})
                    for obs_id, kind, old_sha, sha, row in pending])
                self._staged += len(pending)
            if added:
                for facets, values in inserts.items():
                    bulk.insert(_OBS, (*_INSERT_HEAD, *_COMMON, *facets, *_COMMON_TAIL), values,
                                processed=done)
                new_ids = dict(bulk.select_in(_OBS, ("record_key", "id"), "record_key",
                                              [k for k, _ in added], source_id=self.source_id))
                changes.extend((new_ids[k], crawl, at, "added", None, sha, empty)
                               for k, sha in added)
            if unchanged_ids:
                # A saved file of unknown date does not stand in for a crawl's sighting: what a
                # crawl last saw stays its own (and so stays protected from later files).
                bulk.update_in(_OBS, {"last_seen": seen_at, "last_crawl_id": crawl}, "id",
                               unchanged_ids,
                               also=_LAST_SEEN_BY_IMPORT if self.mode == "import" else "")
            bulk.insert(_CHANGE, _CHANGE_COLUMNS, changes, processed=("at", "fields"))
        batch.added, batch.changed = len(added), len(pending)
        batch.unchanged += len(unchanged_ids)
        self.counts.add(batch)
        return batch

    def stored_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of these record keys this source already has an observation for."""
        table = Observation.__table__
        found: set[str] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(keys), IN_CHUNK):
                found.update(conn.execute(select(table.c.record_key).where(
                    table.c.source_id == self.source_id,
                    table.c.record_key.in_(keys[start:start + IN_CHUNK]))).scalars())
        return found

    def _upsert_subjects(self, bulk: Bulk, subjects: list[dict[str, Any]]) -> dict[str, int]:
        by_key = {s["key"]: s for s in subjects}
        ids = dict(bulk.select_in(_SUBJECT, ("key", "id"), "key", list(by_key)))
        new = [s for key, s in by_key.items() if key not in ids]
        if new:  # a subject keeps the attributes it was first stored with
            shapes = {tuple(s) for s in new}  # the attributes named: one set of names, usually
            names = tuple(dict.fromkeys(name for shape in shapes for name in shape))
            values = ([tuple(s.values()) for s in new] if len(shapes) == 1
                      else [tuple(map(s.get, names)) for s in new])
            bulk.insert(_SUBJECT, names, values, skip_conflicts_on="key")
            ids.update(bulk.select_in(_SUBJECT, ("key", "id"), "key", [s["key"] for s in new]))
        return ids

    def _existing(self, bulk: Bulk, keys: list[str]) -> dict[str, tuple[int, str, str]]:
        # No payloads here: most listings are unchanged, and only a change needs the old one.
        rows = bulk.select_in(_OBS, ("record_key", "id", "content_sha256", "status"),
                              "record_key", keys, source_id=self.source_id)
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def _payloads(self, conn: Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
        out = {}
        for start in range(0, len(ids), IN_CHUNK):
            chunk = ids[start:start + IN_CHUNK]
            rows = conn.execute(select(_OBS.c.id, _OBS.c.payload).where(_OBS.c.id.in_(chunk)))
            out.update((obs_id, payload) for obs_id, payload in rows)
        return out

    # -- the end --------------------------------------------------------------------------
    def finish(self, *, covers_whole_source: bool, status: str | None = None,
               reason: str | None = None) -> CrawlOutcome:
        """Close the crawl. Only a complete crawl of the whole source may mark removals."""
        if status is not None:
            self.degrade(status, reason or status)
        finished = now_utc()
        with self.engine.begin() as conn:
            self._flush_artifacts(conn)
            if self._status != "complete":
                self._withhold(staging.drop(conn, self.crawl_id),
                               f"{self._status}: {{n}} change(s) to stored listings seen but not "
                               "applied (only a complete crawl changes them)")
            else:
                if self.mode == "import":
                    self._withhold(staging.keep_crawled(conn, self.crawl_id),
                                   "{n} record(s) differ from what a crawl stored: a saved file "
                                   "does not override a crawl (crawl again to update them)")
                staging.apply(conn, self.crawl_id)
            if self._status == "complete" and covers_whole_source:
                self.counts.removed = self._mark_removed(conn, finished)
            table = Crawl.__table__
            conn.execute(update(table).where(table.c.id == self.crawl_id).values(
                finished_at=finished, status=self._status, reason=self._reason,
                read=self.counts.read, added=self.counts.added, changed=self.counts.changed,
                unchanged=self.counts.unchanged, rejected=self.counts.rejected,
                removed=self.counts.removed, requests=self.requests,
                unknown_fields=self.unknown_fields, errors=self.errors,
                field_fill=self.field_fill, list_published=self.list_published))
        return CrawlOutcome(self.crawl_id, self.source_id, self._status, self._reason,
                            self.counts, self.rejections)

    def _withhold(self, count: int, note: str) -> None:
        """Changes seen and not applied: counted apart, not as changed (the crawl row keeps what
        was done), and said among the crawl's errors."""
        if count:
            self.counts.withheld += count
            self.counts.changed -= count
            # Read and not taken: counted as rejected, with why, so the summary adds up
            # (read = added + changed + unchanged + rejected).
            self.counts.rejected += count
            self.errors.append(note.format(n=count))
            self.rejections.append(note.format(n=count))

    def _mark_removed(self, conn: Connection, at: datetime) -> int:
        table = Observation.__table__
        gone = [r for r, in conn.execute(select(table.c.id).where(
            table.c.source_id == self.source_id, table.c.status == "listed",
            table.c.last_crawl_id != self.crawl_id))]
        bulk = Bulk(conn)
        bulk.update_in(table, {"status": "removed", "removed_at": at,
                               "removed_crawl_id": self.crawl_id}, "id", gone)
        bound, empty = bulk.bind(_CHANGE.c.at, at), bulk.bind(_CHANGE.c.fields, {})
        bulk.insert(_CHANGE, _CHANGE_COLUMNS,
                    [(i, self.crawl_id, bound, "removed", None, None, empty) for i in gone],
                    processed=("at", "fields"))
        return len(gone)


def _content(row: ListingRow) -> str:
    return row.content_sha256 or payload_sha256(row.payload_dict())


def _diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Field-level change; payloads hold no personal data, so values may be kept."""
    keys = set(old) | set(new)
    return {k: [old.get(k), new.get(k)] for k in sorted(keys) if old.get(k) != new.get(k)}

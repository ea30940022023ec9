"""The writer's bulk statements (`watchdog.store.bulk`) store what SQLAlchemy Core stored: the same
text for times and JSON, read back the same through SQLAlchemy, on SQLite and PostgreSQL; and
batches larger than an old SQLite's 999 variables go through."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import cast, event, func, insert, select, update
from sqlalchemy.types import Text

from watchdog.store.db import get_engine, migrate
from watchdog.store.tables import Observation, ObservationChange, Subject
from watchdog.store.writer import CrawlRecorder, ListingRow, payload_sha256, register_source

MANIFEST = {"id": "src", "title": "A source", "publisher": "A publisher"}
FACETS = {"party_type": "person", "province": "广西", "court": "象州县人民法院",
          "circumstances": "c1,c4", "performance": "全部未履行", "publish_month": "2016-02"}
# Not UTC, with microseconds: stored as UTC, read back as the same instant.
SEEN = datetime(2026, 11, 22, 8, 48, 25, 123456, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> tuple[str, Path]:
    migrate(database_url)
    register_source(database_url, MANIFEST)
    return database_url, tmp_path / "artifacts"


def _row(i: int, version: int = 0, *, text: bool = True, **subject: Any) -> ListingRow:
    payload = {"case_code": f"(2016)桂1322执{i}号", "duty": "给付 \"x\" \\ é\u2028",
               "amount": 586450.5, "circumstances": ["c1", "c4"], "none": None, "v": version,
               "nested": {"b": [1, {"c": True}], "a": "z"}}
    return ListingRow(record_key=f"case{i}|p{i}",
                      subject={"key": f"p{i}", "kind": "person", "name": None, "code": None,
                               "province": "广西", "birth_year": 1968, "sex": "M",
                               "age_band": "40-49", **subject},
                      payload=payload, facets=dict(FACETS), source_record_id=f"86{i}",
                      content_sha256=payload_sha256(payload) if text else None,
                      payload_json=json.dumps(payload) if text else None)


def _recorder(store: tuple[str, Path]) -> CrawlRecorder:
    url, artifacts = store
    return CrawlRecorder(url, artifacts, "src")


def _as_text(url: str, table: Any, where: Any) -> list[dict[str, Any]]:
    """Every column but the id as the database holds it, cast to text."""
    cols = [cast(c, Text).label(c.name) for c in table.c if c.name != "id"]
    with get_engine(url).connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(*cols).where(where))]


def test_rows_are_stored_as_sqlalchemy_core_stores_them(store):
    url, _ = store
    obs, chg, subj = Observation.__table__, ObservationChange.__table__, Subject.__table__
    rec = _recorder(store)
    rec.write_batch([_row(1), _row(2, text=False)], None, seen_at=SEEN)
    later = SEEN + timedelta(days=1, microseconds=1)
    rec.write_batch([_row(1, version=1)], None, seen_at=later)  # a change, with its diff
    rec.finish(covers_whole_source=False)  # a change is applied when the crawl ends complete
    # The same rows again through SQLAlchemy Core: what the writer stored before bulk.py.
    refs = {}
    with get_engine(url).begin() as conn:
        for i in (1, 2):
            row = _row(i, text=False, key=f"ref{i}")
            conn.execute(insert(subj).values(row.subject))
            ref_subject = conn.execute(select(subj.c.id).where(subj.c.key == f"ref{i}")).scalar()
            values = {"source_id": "src", "record_key": f"ref{i}", "subject_id": ref_subject,
                      "status": "listed", "source_record_id": row.source_record_id,
                      "payload": row.payload, "content_sha256": payload_sha256(row.payload),
                      **row.facets, "first_seen": SEEN, "last_seen": SEEN,
                      "first_crawl_id": rec.crawl_id, "last_crawl_id": rec.crawl_id,
                      "artifact_sha256": None}
            refs[i] = conn.execute(insert(obs).values(values)).inserted_primary_key[0]
            conn.execute(insert(chg).values(observation_id=refs[i], crawl_id=rec.crawl_id, at=SEEN,
                                            kind="added", old_sha256=None,
                                            new_sha256=values["content_sha256"], fields={}))
        new = _row(1, version=1)
        conn.execute(update(obs).where(obs.c.record_key == "ref1").values(
            payload=new.payload, content_sha256=new.content_sha256, last_seen=later,
            status="listed", removed_at=None, removed_crawl_id=None))
        conn.execute(insert(chg).values(observation_id=refs[1], crawl_id=rec.crawl_id, at=later,
                                        kind="changed", old_sha256=_row(1).content_sha256,
                                        new_sha256=new.content_sha256, fields={"v": [0, 1]}))
    for i in (1, 2):
        fast = _as_text(url, obs, obs.c.record_key == f"case{i}|p{i}")[0]
        core = _as_text(url, obs, obs.c.record_key == f"ref{i}")[0]
        for name in ("record_key", "subject_id"):
            fast.pop(name), core.pop(name)
        assert fast == core
        fast_subject = _as_text(url, subj, subj.c.key == f"p{i}")[0]
        assert fast_subject == {**_as_text(url, subj, subj.c.key == f"ref{i}")[0], "key": f"p{i}"}
    with get_engine(url).connect() as conn:
        fast_id = conn.execute(select(obs.c.id).where(obs.c.record_key == "case1|p1")).scalar()
    for kind in ("added", "changed"):
        fast = _as_text(url, chg, (chg.c.observation_id == fast_id) & (chg.c.kind == kind))
        core = _as_text(url, chg, (chg.c.observation_id == refs[1]) & (chg.c.kind == kind))
        assert len(fast) == len(core) == 1
        assert {**fast[0], "observation_id": ""} == {**core[0], "observation_id": ""}


def test_rows_read_back_through_sqlalchemy(store):
    url, artifacts = store
    rec = _recorder(store)
    sha = rec.archive(stored=b"{}", original_sha256="0" * 64, redacted=False, url="http://x",
                      http_status=200, content_type=None, size=2, defer=True)
    rec.write_batch([_row(i) for i in range(3)], sha, seen_at=SEEN)
    rec.finish(covers_whole_source=True)
    rec = _recorder(store)
    later = SEEN + timedelta(hours=5)
    counts = rec.write_batch([_row(0), _row(1, version=2)], None, seen_at=later)
    assert (counts.added, counts.changed, counts.unchanged) == (0, 1, 1)
    removed = rec.finish(covers_whole_source=True)
    assert removed.counts.removed == 1
    with get_engine(url).connect() as conn:
        rows = {o.record_key: o for o in conn.execute(select(Observation))}
        changes = conn.execute(select(ObservationChange).order_by(ObservationChange.id)).all()
    first, second, gone = rows["case0|p0"], rows["case1|p1"], rows["case2|p2"]
    assert first.first_seen == SEEN and first.first_seen.tzinfo == UTC
    assert first.last_seen == later and second.last_seen == later and gone.last_seen == SEEN
    assert first.payload == _row(0).payload and second.payload == _row(1, version=2).payload
    assert first.artifact_sha256 == sha and second.artifact_sha256 is None
    assert {k: getattr(second, k) for k in FACETS} == FACETS
    assert gone.status == "removed" and gone.removed_at.tzinfo == UTC
    assert gone.removed_crawl_id == removed.crawl_id and first.removed_at is None
    assert [c.kind for c in changes] == ["added"] * 3 + ["changed", "removed"]
    assert all(c.at == SEEN for c in changes[:3]) and changes[3].at == later
    assert changes[0].fields == {} and changes[4].fields == {}
    assert changes[3].fields == {"v": [0, 2]}


def _limit_variables(url: str) -> None:
    """Make every new SQLite connection of the store allow only 999 variables a statement."""
    engine = get_engine(url)

    @event.listens_for(engine, "connect")
    def limit(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)

    engine.dispose()


def test_batches_larger_than_an_old_sqlite_allows(store):
    url, _ = store
    if url.startswith("sqlite"):
        _limit_variables(url)
    rows = [_row(i) for i in range(5000)]
    first = _recorder(store)
    assert first.write_batch(rows, None, seen_at=SEEN).added == 5000
    first.finish(covers_whole_source=True)
    second = _recorder(store)
    batch = [_row(i, version=int(i % 3 == 0)) for i in range(1000, 5000)]  # 1000 gone, 1333 changed
    counts = second.write_batch(batch, None, seen_at=SEEN + timedelta(days=1))
    assert (counts.added, counts.changed, counts.unchanged) == (0, 1333, 2667)
    assert second.finish(covers_whole_source=True).counts.removed == 1000
    third = _recorder(store)
    counts = third.write_batch(rows, None, seen_at=SEEN + timedelta(days=2))
    # 1000 relisted, 1333 changed back; the rest as they were.
    assert (counts.added, counts.changed, counts.unchanged) == (0, 2333, 2667)
    assert third.finish(covers_whole_source=True).counts.removed == 0
    with get_engine(url).connect() as conn:
        kinds = dict(conn.execute(select(ObservationChange.kind, func.count())
                                  .group_by(ObservationChange.kind)).all())
        listed = conn.execute(select(func.count()).select_from(Observation)
                              .where(Observation.status == "listed")).scalar()
    assert kinds == {"added": 5000, "changed": 2666, "removed": 1000, "relisted": 1000}
    assert listed == 5000


def test_the_same_listing_twice_in_a_batch_is_one_sighting(store):
    url, _ = store
    rec = _recorder(store)
    counts = rec.write_batch([_row(1), _row(2), _row(1, version=5), _row(2)], None, seen_at=SEEN)
    assert (counts.read, counts.added, counts.changed, counts.unchanged) == (4, 2, 0, 1)
    # The copies that differ: one is kept, the other counted as rejected, with why.
    assert rec.counts.rejected == 1
    assert rec.rejections == ["the same listing appears twice with different content; the "
                              "later copy is kept"]
    with get_engine(url).connect() as conn:
        payload = conn.execute(select(Observation.payload)
                               .where(Observation.record_key == "case1|p1")).scalar()
        changes = conn.execute(select(func.count()).select_from(ObservationChange)).scalar()
    assert payload["v"] == 5 and changes == 2  # the later copy, one "added" each


def test_subjects_keep_their_first_attributes(store):
    url, _ = store
    rec = _recorder(store)
    rec.write_batch([_row(1, birth_year=1970)], None, seen_at=SEEN)
    # Seen again with other attributes, and a new subject that names fewer of them.
    short = _row(3)
    short.subject = {"key": "c3", "kind": "company", "name": "某某公司"}
    counts = rec.write_batch([_row(1, version=1, birth_year=1999, sex="F"), _row(2), short],
                             None, seen_at=SEEN)
    assert (counts.added, counts.changed) == (2, 1)
    with get_engine(url).connect() as conn:
        subjects = {s.key: s for s in conn.execute(select(Subject))}
        owners = dict(conn.execute(select(Observation.record_key, Observation.subject_id))
                      .all())
    assert (subjects["p1"].birth_year, subjects["p1"].sex) == (1970, "M")
    assert subjects["c3"].name == "某某公司" and subjects["c3"].birth_year is None
    assert owners == {"case1|p1": subjects["p1"].id, "case2|p2": subjects["p2"].id,
                      "case3|p3": subjects["c3"].id}


def test_rows_naming_different_facets_in_one_batch(store):
    url, _ = store
    rec = _recorder(store)
    bare = _row(2)
    bare.facets = {"province": "北京"}
    rec.write_batch([_row(1), bare], None, seen_at=SEEN)
    with get_engine(url).connect() as conn:
        rows = {o.record_key: o for o in conn.execute(select(Observation))}
    assert rows["case1|p1"].court == FACETS["court"]
    assert rows["case2|p2"].province == "北京" and rows["case2|p2"].court is None

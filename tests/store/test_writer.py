"""The crawl writer on SQLite and PostgreSQL: history not overwrites, removals only from a
complete crawl of the whole source, no duplicates on re-runs, content-addressed artifacts."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from watchdog.store.artifacts import read_artifact
from watchdog.store.db import get_engine, migrate
from watchdog.store.tables import Artifact, Crawl, Observation, ObservationChange, Subject
from watchdog.store.writer import CrawlRecorder, ListingRow, register_source

MANIFEST = {"id": "src", "title": "A source", "publisher": "A publisher"}


def _rows(n: int, version: int = 0, start: int = 0) -> list[ListingRow]:
    return [ListingRow(record_key=f"case{i}|s{i}",
                       subject={"key": f"s{i}", "kind": "company", "name": f"Co {i}"},
                       payload={"case_code": f"case{i}", "performance": "v" * (version + 1)},
                       facets={"province": "北京", "party_type": "company"})
            for i in range(start, start + n)]


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> tuple[str, Path]:
    migrate(database_url)
    register_source(database_url, MANIFEST)
    return database_url, tmp_path / "artifacts"


def _crawl(store: tuple[str, Path], rows: list[ListingRow], **finish: object) -> CrawlRecorder:
    url, artifacts = store
    rec = CrawlRecorder(url, artifacts, "src")
    sha = rec.archive(stored=b"{}", original_sha256="0" * 64, redacted=False, url="http://x",
                      http_status=200, content_type="application/json", size=2)
    rec.write_batch(rows, sha)
    rec.outcome = rec.finish(covers_whole_source=finish.pop("covers", True), **finish)  # type: ignore[attr-defined]
    return rec


def _count(url: str, table: type, *where: object) -> int:
    with get_engine(url).connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_rerun_on_unchanged_data_writes_no_new_rows(store):
    url, _ = store
    first = _crawl(store, _rows(50)).outcome
    assert (first.counts.added, first.counts.unchanged) == (50, 0)
    changes = _count(url, ObservationChange)
    second = _crawl(store, _rows(50)).outcome
    assert (second.counts.added, second.counts.changed, second.counts.unchanged) == (0, 0, 50)
    assert _count(url, Observation) == 50 and _count(url, Subject) == 50
    assert _count(url, ObservationChange) == changes
    assert _count(url, Artifact) == 1  # the same bytes are one artifact


def test_a_change_keeps_history(store):
    url, _ = store
    _crawl(store, _rows(10))
    outcome = _crawl(store, _rows(3, version=1) + _rows(7, start=3)).outcome
    assert (outcome.counts.changed, outcome.counts.unchanged) == (3, 7)
    with get_engine(url).connect() as conn:
        fields = conn.execute(select(ObservationChange.fields)
                              .where(ObservationChange.kind == "changed")).scalars().all()
    assert len(fields) == 3 and all(f["performance"] == ["v", "vv"] for f in fields)


def test_only_a_complete_crawl_of_the_whole_source_removes(store):
    url, _ = store
    _crawl(store, _rows(10))
    partial = _crawl(store, _rows(6), status="partial", reason="HTTP 500").outcome
    assert partial.status == "partial" and partial.counts.removed == 0
    imported = _crawl(store, _rows(6), covers=False).outcome
    assert imported.status == "complete" and imported.counts.removed == 0
    assert _count(url, Observation, Observation.status == "removed") == 0
    complete = _crawl(store, _rows(6)).outcome
    assert complete.counts.removed == 4
    assert _count(url, Observation, Observation.status == "removed") == 4
    assert _count(url, ObservationChange, ObservationChange.kind == "removed") == 4


def test_a_removed_listing_seen_again_is_relisted(store):
    url, _ = store
    _crawl(store, _rows(5))
    _crawl(store, _rows(4))
    back = _crawl(store, _rows(5)).outcome
    assert back.counts.changed == 1
    assert _count(url, Observation, Observation.status == "listed") == 5
    assert _count(url, ObservationChange, ObservationChange.kind == "relisted") == 1


def test_worst_status_wins_and_is_recorded(store):
    url, artifacts = store
    rec = CrawlRecorder(url, artifacts, "src")
    rec.degrade("partial", "HTTP 500 at page 3")
    rec.degrade("blocked", "HTTP 412 block page")
    rec.degrade("partial", "unknown field")
    outcome = rec.finish(covers_whole_source=True)
    assert outcome.status == "blocked" and outcome.reason == "HTTP 412 block page"
    with get_engine(url).connect() as conn:
        crawl = conn.execute(select(Crawl).where(Crawl.id == outcome.crawl_id)).one()
    assert crawl.status == "blocked" and len(crawl.errors) == 3 and crawl.finished_at


def test_artifacts_are_content_addressed_and_checked(store, tmp_path):
    url, artifacts = store
    rec = CrawlRecorder(url, artifacts, "src")
    sha = rec.archive(stored=b'{"a": 1}', original_sha256="f" * 64, redacted=True, url="u",
                      http_status=200, content_type=None, size=8)
    assert read_artifact(artifacts, sha) == b'{"a": 1}'
    path = next(artifacts.rglob(f"{sha}.gz"))
    import gzip

    path.write_bytes(gzip.compress(b'{"a": 2}'))
    with pytest.raises(ValueError, match="does not match its hash"):
        read_artifact(artifacts, sha)


def test_the_lists_publication_date_is_recorded_the_latest_of_the_files_read(store):
    """Several files of one crawl stating dates: the latest is kept, as a date; a crawl that
    ended blocked still says which version of the list it read."""
    from datetime import date

    url, artifacts = store
    rec = CrawlRecorder(url, artifacts, "src")
    rec.note_published(date(2019, 12, 3))
    rec.note_published(date(2019, 12, 5))
    rec.note_published(date(2019, 12, 4))
    rec.write_batch(_rows(3), None)
    rec.finish(covers_whole_source=True, status="blocked", reason="HTTP 412 at page 2")
    none = _crawl(store, _rows(3))
    with get_engine(url).connect() as conn:
        stored = dict(conn.execute(select(Crawl.id, Crawl.list_published)).all())
    assert stored[rec.crawl_id] == date(2019, 12, 5)
    assert stored[none.crawl_id] is None

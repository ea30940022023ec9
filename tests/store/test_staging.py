"""Only a crawl that ends complete changes a stored listing: the changes a crawl sees wait in
`stagedchange` (`watchdog.store.staging`) and are applied or dropped when it ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from watchdog.store.db import get_engine, migrate
from watchdog.store.tables import Crawl, Observation, ObservationChange, StagedChange
from watchdog.store.writer import CrawlRecorder, ListingRow, register_source

SEEN = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
FACETS = {"party_type": "company", "province": "湖北", "court": "武汉市中级人民法院",
          "circumstances": "c1", "performance": "全部未履行", "publish_month": "2026-10"}


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> tuple[str, Path]:
    migrate(database_url)
    register_source(database_url, {"id": "src", "title": "A source", "publisher": "Someone"})
    return database_url, tmp_path / "artifacts"


def _row(i: int, scope: str = "批发零售", province: str = "湖北") -> ListingRow:
    return ListingRow(record_key=f"case{i}|c{i}",
                      subject={"key": f"c{i}", "kind": "company", "name": f"公司{i}",
                               "code": None, "province": province, "birth_year": None,
                               "sex": None, "age_band": None},
                      payload={"case_code": f"(2026)鄂01执{i}号", "scope": scope},
                      facets={**FACETS, "province": province}, source_record_id=str(i))


def _crawl(store: tuple[str, Path], *batches: list[ListingRow], status: str | None = None,
           whole: bool = True) -> CrawlRecorder:
    rec = CrawlRecorder(*store, "src")
    for n, batch in enumerate(batches):
        rec.write_batch(batch, None, seen_at=SEEN + timedelta(days=len(batches), hours=n))
    rec.finish(covers_whole_source=whole, status=status, reason=status and f"a {status} crawl")
    return rec


def _state(url: str) -> dict[str, Any]:
    with get_engine(url).connect() as conn:
        obs = {r.record_key: (r.status, r.payload["scope"], r.province) for r in conn.execute(
            select(Observation.record_key, Observation.status, Observation.payload,
                   Observation.province))}
        changes = dict(conn.execute(select(ObservationChange.kind, func.count())
                                    .group_by(ObservationChange.kind)).all())
        staged = conn.execute(select(func.count()).select_from(StagedChange)).scalar_one()
    return {"obs": obs, "changes": changes, "staged": staged}


def test_a_partial_crawl_leaves_stored_listings_as_a_complete_crawl_left_them(store):
    url, _ = store
    _crawl(store, [_row(1), _row(2)])
    before = _state(url)
    rec = _crawl(store, [_row(1, scope=None, province="湖南"), _row(2), _row(3)],  # type: ignore[arg-type]
                 status="partial")
    assert rec.counts.changed == 0 and rec.counts.withheld == 1  # seen, not applied
    assert any("1 change(s) to stored listings seen but not applied" in e for e in rec.errors)
    after = _state(url)
    assert after["obs"]["case1|c1"] == before["obs"]["case1|c1"] == ("listed", "批发零售", "湖北")
    assert after["changes"] == {"added": 3}  # the new listing is kept; no change recorded
    assert after["staged"] == 0


def test_the_next_complete_crawl_shows_no_change_that_only_undoes_a_partial_one(store):
    url, _ = store
    _crawl(store, [_row(1)])
    _crawl(store, [_row(1, scope="其他")], status="partial")
    rec = _crawl(store, [_row(1)])
    assert (rec.counts.changed, rec.counts.unchanged) == (0, 1)
    assert _state(url)["changes"] == {"added": 1}


def test_a_complete_crawl_applies_its_changes_with_their_history(store):
    url, _ = store
    _crawl(store, [_row(1), _row(2)])
    rec = _crawl(store, [_row(1, scope="其他", province="湖南"), _row(2)])
    assert (rec.counts.changed, rec.counts.withheld) == (1, 0)
    state = _state(url)
    assert state["obs"]["case1|c1"] == ("listed", "其他", "湖南")  # payload and facets
    assert state["changes"] == {"added": 2, "changed": 1}
    assert state["staged"] == 0
    with get_engine(url).connect() as conn:
        fields, crawl = conn.execute(select(ObservationChange.fields, ObservationChange.crawl_id)
                                     .where(ObservationChange.kind == "changed")).one()
        last = conn.execute(select(Observation.last_crawl_id)
                            .where(Observation.record_key == "case1|c1")).scalar_one()
    assert fields == {"scope": ["批发零售", "其他"]}
    assert crawl == last == rec.crawl_id


def test_a_blocked_crawl_does_not_relist_a_removed_listing_but_a_complete_one_does(store):
    url, _ = store
    _crawl(store, [_row(1), _row(2)])
    _crawl(store, [_row(1)])  # complete, whole source: 2 is removed
    assert _state(url)["obs"]["case2|c2"][0] == "removed"
    _crawl(store, [_row(1), _row(2)], status="blocked")
    assert _state(url)["obs"]["case2|c2"][0] == "removed"
    _crawl(store, [_row(1), _row(2)])
    state = _state(url)
    assert state["obs"]["case2|c2"][0] == "listed"
    assert state["changes"] == {"added": 2, "removed": 1, "relisted": 1}


def test_the_last_sighting_in_a_crawl_is_the_one_applied(store):
    url, _ = store
    _crawl(store, [_row(1), _row(2)])
    # 1 changes, then changes again; 2 changes, then is seen as stored: only 1's last applies.
    _crawl(store, [_row(1, scope="甲"), _row(2, scope="乙")], [_row(1, scope="丙"), _row(2)])
    state = _state(url)
    assert state["obs"]["case1|c1"][1] == "丙"
    assert state["obs"]["case2|c2"][1] == "批发零售"
    assert state["changes"] == {"added": 2, "changed": 1}
    with get_engine(url).connect() as conn:
        fields = conn.execute(select(ObservationChange.fields)
                              .where(ObservationChange.kind == "changed")).scalar_one()
    assert fields == {"scope": ["批发零售", "丙"]}


def _import(store: tuple[str, Path], *batches: list[ListingRow]) -> CrawlRecorder:
    rec = CrawlRecorder(*store, "src", mode="import", origin="file:saved.json")
    for batch in batches:
        rec.write_batch(batch, None, seen_at=SEEN + timedelta(days=9))
    rec.finish(covers_whole_source=False)
    return rec


def test_a_saved_file_does_not_override_what_a_crawl_stored(store):
    url, _ = store
    _crawl(store, [_row(1), _row(2)])
    _crawl(store, [_row(1, scope="其他")])  # complete: 1 changed, 2 removed
    # An older file: 1 as it was before, 2 still listed, 3 new.
    rec = _import(store, [_row(1), _row(2), _row(3)])
    assert (rec.counts.added, rec.counts.changed, rec.counts.withheld) == (1, 0, 2)
    assert any("a saved file does not override a crawl" in e for e in rec.errors)
    state = _state(url)
    assert state["obs"]["case1|c1"] == ("listed", "其他", "湖北")
    assert state["obs"]["case2|c2"][0] == "removed"
    assert state["obs"]["case3|c3"][0] == "listed"
    assert state["changes"] == {"added": 3, "changed": 1, "removed": 1}
    assert state["staged"] == 0


def test_a_saved_file_updates_what_files_put_there(store):
    url, _ = store
    _import(store, [_row(1)])
    rec = _import(store, [_row(1, scope="其他")])
    assert (rec.counts.changed, rec.counts.withheld) == (1, 0)
    assert _state(url)["obs"]["case1|c1"][1] == "其他"


def test_a_partial_crawl_stores_the_changes_it_made_not_those_it_saw(store):
    url, _ = store
    _crawl(store, [_row(1), _row(2)])
    rec = _crawl(store, [_row(1, scope="其他"), _row(2)], status="partial")
    assert (rec.counts.changed, rec.counts.withheld, rec.counts.unchanged) == (0, 1, 1)
    with get_engine(url).connect() as conn:
        changed = conn.execute(select(Crawl.changed).where(Crawl.id == rec.crawl_id)).scalar_one()
    assert changed == 0


def _adds_up(rec: CrawlRecorder) -> bool:
    c = rec.counts
    return c.read == c.added + c.changed + c.unchanged + c.rejected


def test_a_file_that_agreed_with_a_crawl_does_not_open_the_way_for_the_next_file(store):
    # Found by review: an import that saw a crawled listing unchanged took over its last
    # sighting, and the next file then overwrote what the crawl had stored.
    url, _ = store
    _crawl(store, [_row(1), _row(2)])
    agreed = _import(store, [_row(1), _row(2)])
    assert agreed.counts.unchanged == 2 and _adds_up(agreed)
    rec = _import(store, [_row(1, scope="其他"), _row(2)])
    assert (rec.counts.changed, rec.counts.withheld) == (0, 1)
    assert _state(url)["obs"]["case1|c1"][1] == "批发零售"
    with get_engine(url).connect() as conn:
        modes = set(conn.execute(select(Crawl.mode).join(
            Observation, Observation.last_crawl_id == Crawl.id)).scalars())
    assert modes == {"crawl"}  # the files' sightings did not stand in for the crawl's


def test_withheld_changes_are_counted_as_rejected_with_the_reason(store):
    _crawl(store, [_row(1), _row(2)])
    rec = _import(store, [_row(1, scope="其他"), _row(2), _row(3)])
    assert (rec.counts.read, rec.counts.added, rec.counts.unchanged, rec.counts.rejected) == (
        3, 1, 1, 1)
    assert _adds_up(rec)
    assert any("a saved file does not override a crawl" in r for r in rec.rejections)
    partial = _crawl(store, [_row(1, scope="其他"), _row(2)], status="partial")
    assert partial.counts.rejected == 1 and _adds_up(partial)

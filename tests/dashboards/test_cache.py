"""Aggregates are kept between requests, and a write to the store is on the next page at once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from dashboards import create_app
from dashboards.views._cache import StoreCache
from tests.dashboards.conftest import _company, build_store
from watchdog.store.writer import CrawlRecorder


@pytest.fixture()
def own_store(tmp_path: Path):
    """A store of this test's own: these tests write to it."""
    return build_store(tmp_path, audit=True)


def _companies(client) -> int:
    totals = client.get("/lists.json").get_json()["totals"]
    return int(totals["companies"])


def test_a_repeated_page_is_served_from_the_cache_unchanged(own_store):
    app = create_app(own_store.url, own_store.artifacts_dir, TESTING=True)
    cache: StoreCache = app.extensions["scorewatch_cache"]
    client = app.test_client()
    first = client.get("/lists.json").get_json()
    misses = cache.misses
    assert misses > 0 and cache.hits == 0
    second = client.get("/lists.json").get_json()
    assert cache.misses == misses and cache.hits >= misses  # every aggregate again, none computed
    # The stamp says when the page was served, not when its counts were made: it may tick over.
    first.pop("generated_at"), second.pop("generated_at")
    assert second == first


def test_a_new_crawl_shows_on_the_next_request(own_store):
    app = create_app(own_store.url, own_store.artifacts_dir, TESTING=True)
    client = app.test_client()
    before = _companies(client)
    assert client.get("/").status_code == 200  # the overview's counts kept too
    crawl = CrawlRecorder(own_store.url, own_store.artifacts_dir, "court_dishonest", mode="import",
                          origin="file:more.json")
    crawl.write_batch([_company(100 + n, "北京", "c1", "全部未履行") for n in range(3)],
                      own_store.artifact_sha)
    # Written but the import not finished yet: the new listings are already counted.
    assert _companies(client) == before + 3
    crawl.finish(covers_whole_source=False)
    assert _companies(client) == before + 3
    head = client.get("/index.json").get_json()["headline"]
    assert head["companies_listed"] + head["companies_removed"] == before + 3


def test_a_kept_result_is_handed_out_as_a_copy():
    cache = StoreCache()
    calls = []

    def counts(n: int) -> dict[str, list[int]]:
        calls.append(n)
        return {"rows": list(range(n))}

    first = cache.call(("g1",), counts, 3)
    first["rows"].append(99)  # a view adorning what it got
    assert cache.call(("g1",), counts, 3) == {"rows": [0, 1, 2]} and calls == [3]
    # A new generation starts afresh.
    assert cache.call(("g2",), counts, 3) == {"rows": [0, 1, 2]} and calls == [3, 3]


def test_a_result_computed_while_the_store_moved_on_is_not_kept():
    cache = StoreCache()
    started, go_on = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        go_on.wait(5)
        return "old"

    worker = threading.Thread(target=lambda: cache.call(("g1",), slow))
    worker.start()
    started.wait(5)
    assert cache.call(("g2",), str, "new") == "new"  # another request saw a newer store
    go_on.set()
    worker.join(5)
    misses = cache.misses
    assert cache.call(("g2",), slow) == "old"  # computed again: the g1 result was not kept
    assert cache.misses == misses + 1


def test_the_cache_forgets_the_least_recently_used():
    cache = StoreCache(max_entries=2)
    for n in (1, 2, 1, 3):  # 1 is used again, so 2 goes when 3 comes
        cache.call(("g",), lambda x: x * 10, n)
    misses = cache.misses
    cache.call(("g",), lambda x: x * 10, 1)
    assert cache.misses == misses
    cache.call(("g",), lambda x: x * 10, 2)
    assert cache.misses == misses + 1


def test_an_import_does_not_make_a_source_look_freshly_crawled(own_store):
    app = create_app(own_store.url, own_store.artifacts_dir, TESTING=True)
    client = app.test_client()

    def last_complete() -> str:
        return next(s["last_complete"] for s in client.get("/sources.json").get_json()["sources"]
                    if s["source_id"] == "court_dishonest")

    before = last_complete()
    crawl = CrawlRecorder(own_store.url, own_store.artifacts_dir, "court_dishonest", mode="import",
                          origin="file:part.json")
    crawl.write_batch([_company(200, "北京", "c1", "全部未履行")], own_store.artifact_sha)
    assert crawl.finish(covers_whole_source=False).status == "complete"
    assert before and last_complete() == before

"""Pages parsed in worker processes give exactly what the crawl process would have stored, and a
worker that fails costs the page (the crawl ends partial), never the data."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import os
from concurrent.futures import Future
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from scrapers.spiders.court_dishonest import CourtDishonestSpider
from tests.conftest import run_cli
from watchdog.mirror.formats import baidu_body
from watchdog.mirror.generator import generate, load_config
from watchdog.pagework import PagePool, work_page
from watchdog.privacy import Keyer
from watchdog.store.db import get_engine
from watchdog.store.tables import Artifact, Crawl, Observation

SECRET = b"test-secret-for-the-page-workers"
REGIME = "cn_court_dishonest_list"


def _pages(n_pages: int = 4, size: int = 25) -> list[bytes]:
    config = load_config()
    records = generate(1, config.with_(listing_count=n_pages * size, seed=31))
    return [baidu_body(records, pn, size, base_url="http://127.0.0.1:1",
                       day_date=config.day_dates[1]) for pn in range(0, n_pages * size, size)]


def _comparable(result: object) -> tuple:
    rows = [(r.record_key, r.subject, r.payload_dict(), r.facets, r.source_record_id, r.content_sha256,
             r.payload_json) for r in result.rows]  # type: ignore[attr-defined]
    return (result.archived, rows, result.rejections, result.unknown_fields,  # type: ignore[attr-defined]
            result.field_fill, result.error)  # type: ignore[attr-defined]


def test_a_worker_process_gives_what_the_crawl_process_gives(tmp_path: Path) -> None:
    pages = _pages()
    here = [work_page(body, Keyer(SECRET).caching(), REGIME, True, tmp_path / "here")
            for body in pages]
    pool = PagePool(SECRET, REGIME, contains_persons=True, artifacts_dir=tmp_path / "pool",
                    workers=2)
    try:
        there = [pool.submit(body).result(timeout=120) for body in pages]
    finally:
        pool.close()
    assert [_comparable(r) for r in there] == [_comparable(r) for r in here]
    assert sum(len(r.rows) for r in here) == 100
    # Each worker wrote the redacted page under its hash, as the crawl process would have.
    for result in there:
        done = result.archived
        stored = gzip.decompress((tmp_path / "pool" / done.rel).read_bytes())
        assert hashlib.sha256(stored).hexdigest() == done.sha256
        assert (tmp_path / "here" / done.rel).read_bytes() == (tmp_path / "pool" / done.rel).read_bytes()
        assert done.redacted and done.original_sha256 != done.sha256


def test_names_in_a_page_do_not_reach_what_a_worker_returns(tmp_path: Path) -> None:
    config = load_config()
    records = generate(1, config.with_(listing_count=30, seed=5))
    body = baidu_body(records, 0, 30, base_url="http://127.0.0.1:1", day_date=config.day_dates[1])
    result = work_page(body, Keyer(SECRET), REGIME, True, tmp_path)
    stored = gzip.decompress((tmp_path / result.archived.rel).read_bytes()).decode("utf-8")
    kept = stored + repr([(r.subject, r.payload) for r in result.rows])
    persons = [r for r in records if r.get("partyTypeName") in ("580", "0", "自然人")
               or r.get("sexy")]
    assert persons
    for record in persons:
        assert record["iname"] not in kept
        if len(record.get("cardNum") or "") >= 10:
            assert record["cardNum"] not in kept


@pytest.fixture
def spider(cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> CourtDishonestSpider:
    for key, value in cli_env.items():
        monkeypatch.setenv(key, value)
    assert run_cli(cli_env, "init").returncode == 0
    return CourtDishonestSpider(base_url="http://127.0.0.1:1")


def _response(body: bytes) -> SimpleNamespace:
    return SimpleNamespace(url="http://127.0.0.1:1/api.php?pn=0", status=200, body=body,
                           headers={"Content-Type": b"application/json"})


def test_a_worker_that_dies_makes_the_page_an_error_not_an_empty_page(spider) -> None:
    class DeadPool:
        def submit(self, body: bytes) -> Future:
            future: Future = Future()
            future.set_exception(RuntimeError("worker died"))
            return future

    spider.pool = DeadPool()  # type: ignore[assignment]
    item = asyncio.run(spider.read_page(_response(_pages(1)[0])))  # type: ignore[arg-type]
    assert item.page is None and not item.listings
    assert item.error and "not parsed (RuntimeError)" in item.error


def test_a_worker_pool_tells_blocks_captchas_and_cut_bodies_as_the_crawl_process_does(
        spider, tmp_path: Path) -> None:
    from watchdog.mirror.formats import baidu_captcha_html, zxgk_captcha_html

    page = _pages(1)[0]
    bodies = {"captcha": baidu_captcha_html(), "zxgk captcha": zxgk_captcha_html(),
              "expired": b"{}", "cut": page[: len(page) // 2], "whole": page}
    alone = {name: asyncio.run(spider.read_page(_response(body)))  # type: ignore[arg-type]
             for name, body in bodies.items()}
    spider.pool = PagePool(SECRET, REGIME, contains_persons=True, artifacts_dir=tmp_path,
                           workers=1)
    try:
        pooled = {name: asyncio.run(spider.read_page(_response(body)))  # type: ignore[arg-type]
                  for name, body in bodies.items()}
    finally:
        spider.pool.close()
    for name in bodies:
        assert (pooled[name].blocked, pooled[name].error) == (alone[name].blocked,
                                                              alone[name].error), name
    assert "captcha" in (pooled["captcha"].blocked or "")
    assert "captcha expired" in (pooled["expired"].blocked or "")
    assert pooled["cut"].error and not pooled["cut"].blocked
    # Not a page: nothing parsed or archived by the worker; the pipeline archives it as it came.
    assert all(pooled[n].page is None for n in ("captcha", "zxgk captcha", "expired", "cut"))
    assert len(pooled["whole"].page.rows) == len(alone["whole"].page.rows) == 25


def test_small_crawls_parse_in_process_and_large_ones_start_workers(spider, monkeypatch) -> None:
    started: list[int | None] = []
    monkeypatch.setattr("scrapers.spiders.court_dishonest.PagePool",
                        lambda *a, workers=None, **k: started.append(workers) or "pool")
    spider.workers = None
    spider._size_pool(1000)
    assert spider.pool is None and started == []
    spider._size_pool(50_000)
    assert spider.pool == "pool" and started == [None]
    spider.pool, spider.workers = None, 0
    spider._size_pool(50_000)
    assert spider.pool is None  # WATCHDOG_PARSE_WORKERS=0: never


def _crawl(env: dict[str, str], url: str, workers: str) -> set[tuple]:
    env = {**env, "WATCHDOG_PARSE_WORKERS": workers}
    assert run_cli(env, "init").returncode == 0
    done = run_cli(env, "crawl", "court_dishonest", "--mirror", url, "--no-progress")
    assert done.returncode == 0, done.stderr
    expected = load_config().listing_count
    assert f"court_dishonest: read {expected}, added {expected}," in done.stdout
    with get_engine(env["WATCHDOG_DATABASE_URL"]).connect() as conn:
        assert conn.execute(select(Crawl.status)).scalar_one() == "complete"
        unlinked = conn.execute(select(func.count()).select_from(Observation).where(
            Observation.artifact_sha256.not_in(select(Artifact.sha256)))).scalar_one()
        assert unlinked == 0
        return set(conn.execute(select(
            Observation.record_key, Observation.content_sha256, Observation.province,
            Observation.circumstances, Observation.publish_month, Observation.status,
            Observation.artifact_sha256)).all())


def _env(tmp_path: Path, name: str) -> dict[str, str]:
    # SQLite only: this compares two ways of parsing, not two stores (the pipeline tests run
    # the pooled crawl on PostgreSQL too: a 24,000-listing crawl starts workers by itself).
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHDOG_")}
    return {**env, "WATCHDOG_HOME": str(tmp_path / name),
            "WATCHDOG_DATABASE_URL": f"sqlite:///{tmp_path / name}.sqlite",
            "WATCHDOG_SECRET": "one-secret-for-both-crawls"}


def test_a_crawl_with_page_workers_stores_what_a_crawl_without_them_stores(
        tmp_path, mirror) -> None:
    in_process = _crawl(_env(tmp_path, "here"), mirror.url, "0")
    pooled = _crawl(_env(tmp_path, "pooled"), mirror.url, "2")
    assert len(in_process) == load_config().listing_count
    assert pooled == in_process


def test_a_page_worker_starts_without_the_database_libraries():
    # Each spawned worker imports watchdog.pagework afresh: the store's SQLAlchemy, SQLModel and
    # Alembic (about 0.7 s) are the writer's business, not the workers'.
    import subprocess
    import sys

    probe = ("import sys, watchdog.pagework; "
             "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'alembic', 'scrapy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_row_crosses_processes_without_its_payload_dict_and_decodes_it_again(tmp_path) -> None:
    import pickle

    row = work_page(_pages(1)[0], Keyer(SECRET), REGIME, True, tmp_path).rows[0]
    sent = pickle.loads(pickle.dumps(row))
    assert sent.payload is None and sent.payload_json == row.payload_json
    assert sent.payload_dict() == row.payload  # the same payload, from its text
    with_dict = pickle.dumps(dict(vars(row)))  # what went across before: the dict and its text
    assert len(pickle.dumps(row)) < len(with_dict) - len(pickle.dumps(row.payload)) // 2

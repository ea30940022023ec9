"""The fast paths of crawl and import store exactly what the plain paths stored: imports in a
pool of worker processes, observations batched across pages, redaction that skips strings it
cannot change, and the Keyer's cache of keys."""

from __future__ import annotations

import json
import pickle
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

import watchdog.importer as importer
from scrapers.items import PageItem
from scrapers.pipelines import StorePipeline
from watchdog.mirror.formats import baidu_body
from watchdog.mirror.generator import generate, load_config
from watchdog.parsers.common import normalise_width
from watchdog.parsers.court_dishonest import parse_bytes
from watchdog.privacy import Keyer, redact_free_text
from watchdog.privacy_records import _touched
from watchdog.privacy_text import _MARKER, may_change, redact_identifiers, redact_with_literals
from watchdog.sources import load_manifest
from watchdog.store.db import get_engine, migrate
from watchdog.store.tables import Artifact, Crawl, Observation, Subject
from watchdog.store.writer import register_source

KEYER = Keyer(b"test-secret-for-the-speed-paths!")
MANIFEST = load_manifest("court_dishonest")


def _store(tmp_path: Path, name: str) -> tuple[str, Path]:
    url = f"sqlite:///{tmp_path / name}.sqlite"
    migrate(url)
    register_source(url, MANIFEST.model_dump())
    return url, tmp_path / f"{name}-artifacts"


def _snapshot(url: str) -> dict[str, Any]:
    """Everything an import leaves in the store, without ids and times."""
    with get_engine(url).connect() as conn:
        obs = conn.execute(select(
            Observation.record_key, Observation.payload, Observation.content_sha256,
            Observation.province, Observation.court, Observation.circumstances,
            Observation.performance, Observation.publish_month, Observation.party_type,
            Observation.source_record_id, Observation.artifact_sha256)).all()
        subjects = conn.execute(select(
            Subject.key, Subject.kind, Subject.name, Subject.code, Subject.province,
            Subject.birth_year, Subject.sex, Subject.age_band)).all()
        artifacts = conn.execute(select(Artifact.sha256, Artifact.original_sha256,
                                        Artifact.size)).all()
        crawls = conn.execute(select(Crawl.status, Crawl.reason, Crawl.read, Crawl.added,
                                     Crawl.unchanged, Crawl.rejected, Crawl.unknown_fields,
                                     Crawl.field_fill)).all()
    return {"observations": sorted(map(tuple, obs), key=repr),
            "subjects": sorted(map(tuple, subjects), key=repr),
            "artifacts": sorted(map(tuple, artifacts)),
            # JSON text: the order fields were first seen in is part of what is stored.
            "crawls": [json.dumps(list(c), ensure_ascii=False, default=str) for c in crawls]}


def _saved_file(path: Path) -> Path:
    records = generate(1, load_config().with_(listing_count=1200, seed=4242))
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines[7] = json.dumps({**records[7], "newRiskLevel": "高"}, ensure_ascii=False)
    lines[30] = ""  # blank lines are skipped, and counted in line numbers
    lines[31] = json.dumps({"案号": "(2019)沪0101执1号", "被执行人": "某某"}, ensure_ascii=False)
    lines[40] = lines[12]  # the same listing twice within one batch: one sighting
    lines[260] = lines[3]  # ... and in a later batch: seen again, unchanged
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _import(tmp_path: Path, name: str, path: Path) -> tuple[Any, dict[str, Any]]:
    url, artifacts = _store(tmp_path, name)
    outcome = importer.import_file(MANIFEST, path, database_url=url, artifacts_dir=artifacts,
                                   keyer=KEYER)
    return outcome, _snapshot(url)


def test_pool_import_stores_what_a_serial_import_stores(tmp_path, monkeypatch):
    path = _saved_file(tmp_path / "saved.jsonl")
    monkeypatch.setattr(importer, "BATCH", 250)
    monkeypatch.setattr(importer, "CHUNK_LINES", 97)  # chunks that do not line up with batches
    monkeypatch.setattr(importer, "PARALLEL_FROM_BYTES", 1 << 40)
    serial, serial_rows = _import(tmp_path, "serial", path)
    monkeypatch.setattr(importer, "PARALLEL_FROM_BYTES", 0)
    pooled, pooled_rows = _import(tmp_path, "pooled", path)
    assert serial.summary_line() == pooled.summary_line()
    assert serial.rejections == pooled.rejections
    assert len(serial.rejections) == 1 and serial.rejections[0].startswith("line 32: ")
    # read = added + unchanged: a repeat inside one batch is counted as unchanged too.
    assert (serial.counts.read, serial.counts.added, serial.counts.unchanged) == (1198, 1196, 2)
    assert serial.status == pooled.status == "partial"  # the unknown field is reported
    assert serial_rows == pooled_rows


def test_a_broken_line_fails_the_import_in_the_pool_too(tmp_path, monkeypatch):
    path = tmp_path / "broken.jsonl"
    good = json.dumps(generate(1, load_config().with_(listing_count=3))[0], ensure_ascii=False)
    path.write_text(good + "\n" + good[:40] + "\n", encoding="utf-8")
    monkeypatch.setattr(importer, "PARALLEL_FROM_BYTES", 0)
    outcome, _ = _import(tmp_path, "broken", path)
    assert outcome.status == "failed" and "line 2 is not JSON" in outcome.reason
    assert not list((tmp_path / "broken-artifacts").glob("incoming.*"))  # no half-written file


# -- the crawl pipeline: batches across pages --------------------------------------------
def _page(records: list[dict[str, Any]], n: int) -> PageItem:
    body = baidu_body(records, 0, 50, base_url="http://127.0.0.1:1",
                      day_date=load_config().day_dates[1])
    _, listings, _ = parse_bytes(body, KEYER)
    return PageItem(url=f"http://127.0.0.1:1/api.php?pn={n}", status=200,
                    content_type="application/json", body=body,
                    fetched_at=datetime.now(UTC), parsed=json.loads(body), listings=listings)


def test_pages_batched_together_count_a_repeat_as_one_page_at_a_time_did(cli_env, tmp_path):
    from watchdog.config import ensure_secret, get_settings

    settings = get_settings()
    ensure_secret(settings)
    migrate(settings.database_url)
    records = generate(1, load_config().with_(listing_count=30, seed=77))
    spider = SimpleNamespace(name="court_dishonest", origin="http://127.0.0.1:1",
                             show_progress=False, target="mirror", covers_whole_source=True,
                             keyer=KEYER, manifest=MANIFEST, outcome=None)
    crawler = SimpleNamespace(signals=SimpleNamespace(connect=lambda *a, **k: None),
                              spider=spider)
    pipeline = StorePipeline(crawler)  # type: ignore[arg-type]
    pipeline.open_spider(spider)  # type: ignore[arg-type]
    # Page 2 repeats a listing of page 1 and one of its own; page 3 is new.
    for n, page in enumerate([records[:10], records[8:20] + [records[15]], records[20:]]):
        pipeline.process_item(_page(page, n))
    pipeline.spider_closed(spider, "finished")  # type: ignore[arg-type]
    counts = spider.outcome.counts
    # 33 = 30 + 3: the repeat inside page 2 is counted too (it was read and changed nothing).
    assert (counts.read, counts.added, counts.unchanged, counts.changed) == (33, 30, 3, 0)
    with get_engine(settings.database_url).connect() as conn:
        assert len(conn.execute(select(Artifact.sha256)).all()) == 3
        shas = {r[0] for r in conn.execute(select(Observation.artifact_sha256))}
    assert len(shas) == 3  # every observation points at the page it was read from


# -- redaction fast paths ----------------------------------------------------------------
_PIECES = st.sampled_from([
    "原告", "被告", "申请执行人", "支付给", "给付", "第三人民医院", "张某某", "李四", "公司", "的",
    "人民币", "元", "，", "。", "(", "）", "13812345678", "138-1234-5678", "110101199003071233",
    "4521231968****7578", "2019", "0", "1", "9", " ", "-", "*", "＊", "１", "\x00", "X", "民",
])
_TEXTS = st.lists(st.lists(_PIECES, max_size=12).map("".join), min_size=1, max_size=8)


@settings(max_examples=400, deadline=None)
@given(_TEXTS, st.lists(st.sampled_from(["张某某", "李四", "4521231968****7578", "公司"]),
                        max_size=2))
def test_fields_left_out_of_redaction_would_not_have_changed(texts, names):
    literals = [(name, f"[person:p:{i:016x}]") for i, name in enumerate(names)]
    touched = set(_touched(texts, literals))
    for i, text in enumerate(texts):
        if i not in touched:
            assert redact_with_literals(text, KEYER, literals) == text


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=16).map("".join))
def test_text_without_a_hint_is_returned_as_it_was(text):
    if not may_change(text):
        assert redact_identifiers(text) == text and _MARKER.search(text) is None
        assert redact_free_text(text, KEYER) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF70), max_size=20))
def test_width_table_is_nfkc_of_the_full_width_block(text):
    def slow(s: str) -> str:
        return "".join(" " if ch in "\u3000\u00a0" else unicodedata.normalize("NFKC", ch)
                       if "\uff01" <= ch <= "\uff5e" and ch not in "，：；！？" else ch for ch in s)

    assert normalise_width(text) == slow(text)


def test_keyer_cache_gives_the_same_keys_and_stays_bounded():
    cold = KEYER.caching(8)
    names = [f"名{i}" for i in range(30)]
    first = [cold.name_key(n) for n in names] + [cold.person_key(n, "x") for n in names]
    again = [cold.name_key(n) for n in names] + [cold.person_key(n, "x") for n in names]
    assert first == again and 0 < len(cold._macs) <= 8
    plain = [KEYER.name_key(n) for n in names] + [KEYER.person_key(n, "x") for n in names]
    assert first == plain
    assert KEYER._macs == {}  # a Keyer remembers nothing unless asked to (the self-check)


def test_a_pickled_keyer_carries_its_secret_and_not_its_cache():
    keyer = KEYER.caching()
    keyer.name_key("张某某")
    copy = pickle.loads(pickle.dumps(keyer))
    assert copy.name_key("张某某") == keyer.name_key("张某某") and copy._macs == {}
    assert b"\xe5\xbc\xa0" not in pickle.dumps(keyer)  # no name from the cache travels


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("odd_line", ["{}", "[]", '{"hello": "world"}'])
def test_a_line_of_no_court_list_format_fails_the_import_before_anything_is_written(
        tmp_path, monkeypatch, parallel, odd_line):
    # Found by review: a `{}` line failed the import only after the batches before it were
    # stored (25,000 rows of a failed import stayed); a line that is not JSON already failed
    # before anything was written.
    path = tmp_path / "odd.jsonl"
    good = [json.dumps(r, ensure_ascii=False)
            for r in generate(1, load_config().with_(listing_count=30))[:20]]
    path.write_text("\n".join(good + [odd_line]) + "\n", encoding="utf-8")
    monkeypatch.setattr(importer, "BATCH", 5)
    monkeypatch.setattr(importer, "CHUNK_LINES", 7)
    monkeypatch.setattr(importer, "PARALLEL_FROM_BYTES", 0 if parallel else 1 << 40)
    outcome, stored = _import(tmp_path, f"odd-{parallel}-{len(odd_line)}", path)
    assert outcome.status == "failed" and "line 21" in outcome.reason
    assert outcome.counts.added == 0 and stored["observations"] == []

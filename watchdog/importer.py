"""`watchdog import SOURCE FILE`: a file a journalist saved goes through the crawl's own parser.

The file is archived (redacted when it names persons) and recorded as an import, which never
marks anything as removed: a file is a snapshot of part of a list, not the whole list.
JSON Lines files (one record per line) are streamed, so memory stays flat however large they are.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from watchdog.evidence import prepare
from watchdog.ingest import record_listings
from watchdog.parsers.court_dishonest import ParsedListing, iter_file_records, parse_bytes
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.privacy import Keyer, redact_record_json
from watchdog.progress import Progress
from watchdog.sources import Manifest
from watchdog.store.artifacts import write_artifact_stream
from watchdog.store.writer import CrawlOutcome, CrawlRecorder

BATCH = 5000
STREAM_SUFFIXES = (".jsonl", ".ndjson")


class ImportError_(RuntimeError):
    """The file cannot be imported; nothing was changed. The message says why."""


def import_file(manifest: Manifest, path: Path, *, database_url: str, artifacts_dir: Path,
                keyer: Keyer, progress: bool = False) -> CrawlOutcome:
    if manifest.id != "court_dishonest":
        raise ImportError_(f"{manifest.id}: no importer for this source yet")
    if not path.is_file():
        raise ImportError_(f"{path}: no such file")
    recorder = CrawlRecorder(database_url, artifacts_dir, manifest.id, mode="import",
                             origin=f"file:{path.name}")
    bar = Progress(f"{manifest.id} import", enabled=progress)
    try:
        if path.suffix.lower() in STREAM_SUFFIXES:
            _import_lines(recorder, manifest, path, keyer, bar)
        else:
            _import_whole(recorder, manifest, path, keyer, bar)
    except BlockedError as exc:
        return recorder.finish(covers_whole_source=False, status="blocked",
                               reason=f"the file is a block or captcha page: {exc}")
    except (FormatError, ValueError) as exc:
        return recorder.finish(covers_whole_source=False, status="failed",
                               reason=f"not a recognised {manifest.id} file: {exc}")
    finally:
        bar.close()
    if recorder.unknown_fields:
        names = ", ".join(sorted(recorder.unknown_fields))
        recorder.degrade("partial", f"unknown field(s) reported: {names}")
    return recorder.finish(covers_whole_source=False)


def _import_whole(recorder: CrawlRecorder, manifest: Manifest, path: Path, keyer: Keyer,
                  bar: Progress) -> None:
    body = path.read_bytes()
    fmt, listings, rejections = parse_bytes(body, keyer)
    try:
        parsed: Any = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        parsed = None  # GBK or otherwise: the pattern-based redaction covers it
    evidence = prepare(body, keyer, contains_persons=manifest.contains_persons, parsed=parsed)
    sha = recorder.archive(stored=evidence.stored, original_sha256=evidence.original_sha256,
                           redacted=evidence.redacted, url=f"file:{path.name}", http_status=200,
                           content_type=f"application/json; format={fmt}", size=evidence.size)
    for rejection in rejections:
        recorder.reject(f"record {rejection.index}: {rejection.reason}")
    for start in range(0, len(listings), BATCH):
        chunk = listings[start:start + BATCH]
        record_listings(recorder, chunk, manifest.regime or "", sha)
        bar.update(len(chunk), total=len(listings))


def _import_lines(recorder: CrawlRecorder, manifest: Manifest, path: Path, keyer: Keyer,
                  bar: Progress) -> None:
    # Pass 1 archives the redacted copy (observations must point at an existing artifact);
    # pass 2 parses and writes. Both stream.
    original = hashlib.sha256()

    def redacted_lines() -> Iterator[bytes]:
        with path.open("rb") as fh:
            for number, line in enumerate(fh, 1):
                original.update(line)
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except ValueError as exc:
                    raise FormatError(f"line {number} is not JSON") from exc
                yield json.dumps(redact_record_json(obj, keyer), ensure_ascii=False,
                                 separators=(",", ":")).encode("utf-8") + b"\n"

    sha, rel, size, stored_size = write_artifact_stream(recorder.artifacts_dir, redacted_lines())
    recorder.archive_row(sha=sha, rel=rel, stored_size=stored_size,
                         original_sha256=original.hexdigest(), redacted=True,
                         url=f"file:{path.name}", http_status=200,
                         content_type="application/x-ndjson", size=path.stat().st_size)
    batch: list[ParsedListing] = []
    with path.open("rb") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            for result in iter_file_records(json.loads(line), keyer):
                if isinstance(result, ParsedListing):
                    batch.append(result)
                else:
                    recorder.reject(f"line {number}: {result.reason}")
            if len(batch) >= BATCH:
                record_listings(recorder, batch, manifest.regime or "", sha)
                bar.update(len(batch))
                batch = []
    if batch:
        record_listings(recorder, batch, manifest.regime or "", sha)
        bar.update(len(batch))

"""`watchdog import SOURCE FILE`: a file a journalist saved goes through the crawl's own parser.

The file is archived (redacted when it names persons) and recorded as an import, which never
marks anything as removed: a file is a snapshot of part of a list, not the whole list.
JSON Lines files (one record per line) are streamed, so memory stays flat however large they are.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn

from sqlalchemy.exc import SQLAlchemyError

from watchdog import jsontext
from watchdog.evidence import prepare
from watchdog.gcwork import bulk_work, tune_for_bulk_work
from watchdog.ingest import counted_row, record_listings
from watchdog.parsers.court_dishonest import (
    ParsedListing,
    detect_format,
    iter_file_records,
    parse_bytes,
)
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.privacy import Keyer, redact_record_json
from watchdog.progress import Progress
from watchdog.sources import Manifest
from watchdog.store.artifacts import write_artifact_stream
from watchdog.store.writer import CrawlOutcome, CrawlRecorder, ListingRow, write_failure

BATCH = 5000
# Below this a pool of worker processes costs more to start than it saves.
PARALLEL_FROM_BYTES = 8 << 20
WORKERS = 2
CHUNK_LINES = 1000
AHEAD = 2 * WORKERS  # chunks in flight: enough to keep the workers busy, little to hold
STREAM_SUFFIXES = (".jsonl", ".ndjson")


class ImportError_(RuntimeError):
    """The file cannot be imported; nothing was changed. The message says why."""


def import_file(manifest: Manifest, path: Path, *, database_url: str, artifacts_dir: Path,
                keyer: Keyer, progress: bool = False) -> CrawlOutcome:
    if path.is_dir():
        raise ImportError_(f"{path}: a directory, not a file (name one saved file)")
    if not path.is_file():
        raise ImportError_(f"{path}: no such file" if not path.exists() else
                           f"{path}: not a regular file (a pipe or a device cannot be imported)")
    _check_readable(path)
    if manifest.id != "court_dishonest":
        return import_other(manifest, path, database_url=database_url,
                            artifacts_dir=artifacts_dir, keyer=keyer, progress=progress)
    recorder = CrawlRecorder(database_url, artifacts_dir, manifest.id, mode="import",
                             origin=f"file:{path.name}")
    bar = Progress(f"{manifest.id} import", enabled=progress)
    keyer = keyer.caching()  # for this import only: names keyed for the copy and the parse
    try:
        with bulk_work():
            if path.suffix.lower() in STREAM_SUFFIXES:
                _import_lines(recorder, manifest, path, keyer, bar)
            else:
                _import_whole(recorder, manifest, path, keyer, bar)
    except (BlockedError, FormatError, ValueError) as exc:
        return _refused(recorder, manifest, exc)
    except RecursionError:
        return _refused(recorder, manifest, TOO_DEEP)
    except SQLAlchemyError as exc:
        return _write_refused(recorder, exc)
    except OSError as exc:
        return _unreadable(recorder, path, exc)
    except BaseException as exc:
        _abandon(recorder, exc)
    finally:
        bar.close()
    return _finished(recorder)


# The standard library's JSON decoder recurses: `[[[[...` a few thousand deep exhausts the stack.
TOO_DEEP = FormatError("nested too deeply to be a list (maximum recursion depth exceeded)")


def _abandon(recorder: CrawlRecorder, exc: BaseException) -> NoReturn:
    """An error no parser foresaw (or Ctrl-C): the crawl row ends failed, never left "running"
    for ever, and the caller gets one line. The exception's text is not repeated: it may quote
    the record it choked on (WATCHDOG_DEBUG=1 shows the trace)."""
    what = "interrupted" if isinstance(exc, KeyboardInterrupt) else (
        f"stopped on an unexpected {type(exc).__name__} (set WATCHDOG_DEBUG=1 for the trace)")
    recorder.finish(covers_whole_source=False, status="failed",
                    reason=f"the import {what}; nothing is marked removed")
    if not isinstance(exc, Exception):
        raise exc
    raise ImportError_(f"{recorder.source_id}: import failed: the import {what}") from exc


def _check_readable(path: Path) -> None:
    """Refuse a file that cannot be read before a crawl row exists: a row opened and never
    finished would say "running" on /sources for ever."""
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise ImportError_(f"{path}: cannot read the file ({exc.strerror or exc})") from None


def _unreadable(recorder: CrawlRecorder, path: Path, exc: OSError) -> CrawlOutcome:
    # Read after the row was opened (the disk failed mid-file): the row says so and ends.
    return recorder.finish(covers_whole_source=False, status="failed",
                           reason=f"cannot read {path.name} ({exc.strerror or exc})")


def _write_refused(recorder: CrawlRecorder, exc: SQLAlchemyError) -> CrawlOutcome:
    # Batches before it stay (an import never marks anything removed); the row says why.
    return recorder.finish(covers_whole_source=False, status="failed", reason=write_failure(exc))


def _refused(recorder: CrawlRecorder, manifest: Manifest, exc: Exception) -> CrawlOutcome:
    """The import stops here and its crawl row says why (blocked or failed: nothing is marked
    removed, and batches of a streamed file written before the fault stay)."""
    if isinstance(exc, BlockedError):
        return recorder.finish(covers_whole_source=False, status="blocked", reason=(
            f"the file is a refusal (block, captcha or empty answer), not the list: {exc}"))
    return recorder.finish(covers_whole_source=False, status="failed",
                           reason=f"not a recognised {manifest.id} file: {exc}")


def _finished(recorder: CrawlRecorder) -> CrawlOutcome:
    # A file is part of a list, never all of it: an import never marks anything removed.
    if recorder.counts.read == 0 and recorder.status == "complete":
        # Nothing learned: a file with no record (or none readable) is not an import of a list.
        # The rejections are printed, not stored: a reason may quote the record it rejects.
        why = ("no record in the file could be read (the rejections above say why)"
               if recorder.counts.rejected else "the file holds no record")
        return recorder.finish(covers_whole_source=False, status="failed", reason=why)
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
    # pass 2 parses and writes. Both stream; big files are parsed and redacted in a pool of
    # worker processes while this one compresses and writes, in file order.
    parallel = path.stat().st_size >= PARALLEL_FROM_BYTES
    with Chunks(keyer, manifest.regime or "", parallel=parallel) as work:
        original = hashlib.sha256()
        redacted = work.map(redact_chunk, read_chunks(path, original))
        sha, rel, size, stored_size = write_artifact_stream(recorder.artifacts_dir, redacted)
        recorder.archive_row(sha=sha, rel=rel, stored_size=stored_size,
                             original_sha256=original.hexdigest(), redacted=True,
                             url=f"file:{path.name}", http_status=200,
                             content_type="application/x-ndjson", size=path.stat().st_size)
        batch: list[ListingRow] = []
        for chunk in work.map(parse_chunk, read_chunks(path)):
            for number, reason in chunk.rejections:
                recorder.reject(f"line {number}: {reason}")
            chunk.note(recorder)
            # Batches end where they did with one line at a time (the same listing twice
            # in one batch is one sighting, so where a batch ends is part of the result).
            for rows in chunk.lines:
                batch += rows
                if len(batch) >= BATCH:
                    recorder.write_batch(batch, sha)
                    bar.update(len(batch))
                    batch = []
        if batch:
            recorder.write_batch(batch, sha)
            bar.update(len(batch))


# -- chunks of a JSON Lines file, in this process or in a pool -------------------------------
Lines = list[tuple[int, bytes]]  # (line number, line) of the non-blank lines of one chunk


def read_chunks(path: Path, original: Any | None = None) -> Iterator[Lines]:
    """The file's non-blank lines in chunks; every line, blank or not, goes into `original`."""
    chunk: Lines = []
    with path.open("rb") as fh:
        for number, line in enumerate(fh, 1):
            if original is not None:
                original.update(line)
            if line.strip():
                chunk.append((number, line))
                if len(chunk) >= CHUNK_LINES:
                    yield chunk
                    chunk = []
    if chunk:
        yield chunk


def _loads(number: int, line: bytes) -> Any:
    try:
        return jsontext.loads(line)
    except ValueError as exc:
        error = exc
    try:
        # A file saved on a Chinese Windows machine: GBK (GB 18030), line by line as a whole
        # .json file is read (`court_dishonest_formats.decode_body`).
        line.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return jsontext.loads(line.decode("gb18030"))
        except (UnicodeDecodeError, ValueError):
            pass
    raise FormatError(f"line {number} is not JSON") from error


def redact_chunk(keyer: Keyer, regime_id: str, lines: Lines) -> bytes:
    """The redacted copy of some lines, as archived: one compact JSON object per line.

    A line that is JSON but no court-list format (`{}`, `[]`, another list's record) stops the
    import here, in the first pass, before anything is written, as a line that is not JSON
    does; the second pass would refuse it only after the batches before it were stored."""
    out = []
    for number, line in lines:
        obj = _loads(number, line)
        try:
            detect_format(obj)
        except FormatError as exc:
            raise FormatError(f"line {number}: {exc}") from None
        out.append(jsontext.dumps_bytes(redact_record_json(obj, keyer)) + b"\n")
    return b"".join(out)


@dataclass
class ParsedChunk:
    lines: list[list[ListingRow]] = field(default_factory=list)  # rows of each line
    rejections: list[tuple[int, str]] = field(default_factory=list)
    # Counts in order of first appearance, as the recorder would have noted them one by one.
    unknown_fields: dict[str, int] = field(default_factory=dict)
    field_fill: dict[str, int] = field(default_factory=dict)

    def note(self, recorder: CrawlRecorder) -> None:
        recorder.note_counts(self.unknown_fields, self.field_fill)


def parse_chunk(keyer: Keyer, regime_id: str, lines: Lines) -> ParsedChunk:
    out = ParsedChunk()
    for number, line in lines:
        rows: list[ListingRow] = []
        out.lines.append(rows)
        for result in iter_file_records(_loads(number, line), keyer):
            if not isinstance(result, ParsedListing):
                out.rejections.append((number, result.reason))
                continue
            rows.append(counted_row(result, regime_id, out.unknown_fields, out.field_fill))
    return out


_WORKER: tuple[Keyer, str] | None = None


def _start_worker(keyer: Keyer, regime_id: str) -> None:
    global _WORKER
    _WORKER = (keyer.caching(), regime_id)
    tune_for_bulk_work()


def _in_worker(task: Callable[[Keyer, str, Lines], Any], lines: Lines) -> Any:
    assert _WORKER is not None
    return task(*_WORKER, lines)


class Chunks:
    """Runs a chunk task over chunks, in order: here, or in a pool of worker processes."""

    def __init__(self, keyer: Keyer, regime_id: str, *, parallel: bool) -> None:
        self.keyer, self.regime_id = keyer, regime_id
        self.pool: Pool | None = None
        if parallel:
            self.pool = multiprocessing.get_context().Pool(
                WORKERS, initializer=_start_worker, initargs=(keyer, regime_id))

    def map(self, task: Callable[[Keyer, str, Lines], Any],
            chunks: Iterable[Lines]) -> Iterator[Any]:
        if self.pool is None:
            for lines in chunks:
                yield task(self.keyer, self.regime_id, lines)
            return
        # Not Pool.imap: it reads its input to the end at once, so memory would grow with
        # the file. A few chunks ahead, then one out for each one in.
        ahead: deque[AsyncResult[Any]] = deque()
        for lines in chunks:
            ahead.append(self.pool.apply_async(_in_worker, (task, lines)))
            if len(ahead) >= AHEAD:
                yield ahead.popleft().get()
        while ahead:
            yield ahead.popleft().get()

    def __enter__(self) -> Chunks:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


def import_other(manifest: Manifest, path: Path, *, database_url: str, artifacts_dir: Path,
                 keyer: Keyer, progress: bool = False) -> CrawlOutcome:
    """Any source but the court list: its parser reads the whole file (these files are small)."""
    from watchdog.parsers.registry import parser_for

    parser = parser_for(manifest.id)
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise ImportError_(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    recorder = CrawlRecorder(database_url, artifacts_dir, manifest.id, mode="import",
                             origin=f"file:{path.name}")
    try:
        parsed = parser.parse_bytes(body, keyer, name=path.name)
    except (BlockedError, FormatError, ValueError) as exc:
        return _refused(recorder, manifest, exc)
    except RecursionError:
        return _refused(recorder, manifest, TOO_DEEP)
    except BaseException as exc:
        _abandon(recorder, exc)
    try:
        return _store_parsed(recorder, manifest, parser, path, body, parsed, keyer, progress)
    except SQLAlchemyError as exc:
        return _write_refused(recorder, exc)
    except BaseException as exc:
        _abandon(recorder, exc)


def _store_parsed(recorder: CrawlRecorder, manifest: Manifest, parser: Any, path: Path,
                  body: bytes, parsed: Any, keyer: Keyer, progress: bool) -> CrawlOutcome:
    from watchdog.ingest import draft_rows

    evidence = prepare(body, keyer, contains_persons=manifest.contains_persons,
                       redactor=getattr(parser, "redact_bytes", None))
    sha = recorder.archive(stored=evidence.stored, original_sha256=evidence.original_sha256,
                           redacted=evidence.redacted, url=f"file:{path.name}", http_status=200,
                           content_type=f"format={parsed.fmt}", size=evidence.size)
    for rejection in parsed.rejections:
        recorder.reject(f"record {rejection.index}: {rejection.reason}")
    if parsed.published is not None:
        recorder.note_published(parsed.published)
    for note in parsed.notes:
        recorder.note(note)
    drafts = parsed.drafts
    if parsed.only_new:
        stored = recorder.stored_keys([d.record_key for d in drafts])
        drafts = [d for d in drafts if d.record_key not in stored]
        if stored:
            recorder.degrade("partial", f"{len(stored)} record(s) already stored were left as "
                                        f"they are: {parsed.only_new}")
    if parsed.cut:
        # The rows before the cut are stored; the file was not whole, and the summary says so.
        recorder.degrade("partial", f"the file is cut off: {parsed.cut}")
    bar = Progress(f"{manifest.id} import", enabled=progress)
    try:
        for start in range(0, len(drafts), BATCH):
            chunk = drafts[start:start + BATCH]
            recorder.write_batch(draft_rows(recorder, chunk, sha), sha)
            bar.update(len(chunk), total=len(drafts))
    finally:
        bar.close()
    return _finished(recorder)

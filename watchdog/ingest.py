"""From parsed records to store rows: the one path shared by crawls and file imports."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from watchdog import jsontext
from watchdog.model import circumstance_of, load_regime
from watchdog.parsers.base import Draft
from watchdog.parsers.court_dishonest import ParsedListing
from watchdog.store.rows import ListingRow

if TYPE_CHECKING:  # the writer pulls in SQLAlchemy; page workers only build rows
    from watchdog.store.writer import CrawlRecorder


@lru_cache(maxsize=4)
def _regime(regime_id: str) -> Any:
    return load_regime(regime_id)


@lru_cache(maxsize=4096)
def _circumstance(regime_id: str, phrase: str) -> str | None:
    return circumstance_of(_regime(regime_id), phrase)


def circumstance_facet(regime_id: str, phrases: list[str]) -> str:
    """Comma-joined short ids (c1..c6) of the lawful circumstances recorded, or `none`."""
    return _facet(regime_id, tuple(phrases))


@lru_cache(maxsize=4096)
def _facet(regime_id: str, phrases: tuple[str, ...]) -> str:
    ids = {_circumstance(regime_id, p) for p in phrases}
    short = sorted(i.split("_", 1)[0] for i in ids if i)
    return ",".join(short) if short else "none"


def listing_row(parsed: ParsedListing, regime_id: str) -> ListingRow:
    facts = parsed.facts
    payload = facts.model_dump(mode="json")
    publish = facts.publish_date
    facets = {
        "party_type": facts.party_type,
        "province": (facts.province or None) and facts.province[:32],
        "court": (facts.court or None) and facts.court[:128],
        "circumstances": circumstance_facet(regime_id, facts.circumstances)[:64],
        "performance": (facts.performance or None) and facts.performance[:32],
        "publish_month": publish.strftime("%Y-%m") if publish else None,
    }
    # The hashed text is the stored text too: `payload_sha256` of the payload, made once
    # (court payloads hold no floats, so `jsontext.canonical` is the stdlib's text).
    text = jsontext.canonical(payload)
    # vars() of the flat frozen dataclass: what asdict gives, without its recursive deep copy.
    return ListingRow(record_key=parsed.record_key, subject=dict(vars(parsed.subject)),
                      payload=payload, facets=facets,
                      source_record_id=parsed.source_record_id,
                      content_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                      payload_json=text)


def counted_row(parsed: ParsedListing, regime_id: str, unknown_fields: dict[str, int],
                field_fill: dict[str, int]) -> ListingRow:
    """`listing_row`, tallying the record's unknown fields and fields present into the counts
    (for work done away from the recorder: a worker process, a chunk of a file)."""
    for name in parsed.unknown_fields:
        unknown_fields[name] = unknown_fields.get(name, 0) + 1
    for name in parsed.facts.fields_present:
        field_fill[name] = field_fill.get(name, 0) + 1
    return listing_row(parsed, regime_id)


def listing_rows(recorder: CrawlRecorder, listings: list[ParsedListing], regime_id: str,
                 artifact_sha256: str | None = None) -> list[ListingRow]:
    """Rows for one batch, each naming its artifact; notes fields seen for fill rates."""
    rows = []
    for parsed in listings:
        if parsed.unknown_fields:
            recorder.note_unknown_fields(parsed.unknown_fields)
        recorder.note_fields(parsed.facts.fields_present)
        row = listing_row(parsed, regime_id)
        row.artifact_sha256 = artifact_sha256
        rows.append(row)
    return rows


def record_listings(recorder: CrawlRecorder, listings: list[ParsedListing], regime_id: str,
                    artifact_sha256: str | None) -> None:
    """Write one batch (a page, or a slice of a file) and note fields seen for fill rates."""
    recorder.write_batch(listing_rows(recorder, listings, regime_id), artifact_sha256)


FACET_COLUMNS = ("party_type", "province", "court", "circumstances", "performance",
                 "publish_month")
SUBJECT_COLUMNS = ("key", "kind", "name", "code", "province", "birth_year", "sex", "age_band")


def draft_rows(recorder: CrawlRecorder, drafts: list[Draft],
               artifact_sha256: str | None = None) -> list[ListingRow]:
    """Rows from any other source's parser (`watchdog.parsers.base.Draft`), same bookkeeping."""
    rows = []
    for draft in drafts:
        if draft.unknown_fields:
            recorder.note_unknown_fields(draft.unknown_fields)
        recorder.note_fields(draft.fields_present)
        # Every row of one executemany needs the same columns, whatever facets a source has.
        facets = {name: draft.facets.get(name) for name in FACET_COLUMNS}
        subject = {name: draft.subject.get(name) for name in SUBJECT_COLUMNS}
        rows.append(ListingRow(record_key=draft.record_key, subject=subject,
                               payload=draft.payload, facets=facets,
                               source_record_id=draft.source_record_id,
                               artifact_sha256=artifact_sha256))
    return rows

"""The court list through the common parser interface (`watchdog.parsers.base`)."""

from __future__ import annotations

from watchdog.parsers import court_dishonest as court
from watchdog.parsers.base import Draft, ParsedFile, Rejection
from watchdog.privacy import Keyer

REGIME_ID = "cn_court_dishonest_list"


def to_draft(parsed: court.ParsedListing) -> Draft:
    from watchdog.ingest import listing_row  # ingest imports the model; keep parsers light

    row = listing_row(parsed, REGIME_ID)
    return Draft(record_key=row.record_key, subject=row.subject, payload=row.payload_dict(),
                 facets=row.facets, source_record_id=row.source_record_id,
                 unknown_fields=dict(parsed.unknown_fields),
                 fields_present=list(parsed.facts.fields_present))


def parse_bytes(body: bytes, keyer: Keyer, *, name: str | None = None) -> ParsedFile:
    fmt, listings, rejections = court.parse_bytes(body, keyer)
    return ParsedFile(fmt=fmt, drafts=[to_draft(p) for p in listings],
                      rejections=[Rejection(r.index, r.reason) for r in rejections])

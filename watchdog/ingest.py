"""From parsed records to store rows: the one path shared by crawls and file imports."""

from __future__ import annotations

from dataclasses import asdict
from functools import lru_cache
from typing import Any

from watchdog.model import circumstance_of, load_regime
from watchdog.parsers.court_dishonest import ParsedListing
from watchdog.store.writer import CrawlRecorder, ListingRow


@lru_cache(maxsize=4)
def _regime(regime_id: str) -> Any:
    return load_regime(regime_id)


@lru_cache(maxsize=4096)
def _circumstance(regime_id: str, phrase: str) -> str | None:
    return circumstance_of(_regime(regime_id), phrase)


def circumstance_facet(regime_id: str, phrases: list[str]) -> str:
    """Comma-joined short ids (c1..c6) of the lawful circumstances recorded, or `none`."""
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
    return ListingRow(record_key=parsed.record_key, subject=asdict(parsed.subject),
                      payload=payload, facets=facets,
                      source_record_id=parsed.source_record_id)


def record_listings(recorder: CrawlRecorder, listings: list[ParsedListing], regime_id: str,
                    artifact_sha256: str | None) -> None:
    """Write one batch (a page, or a slice of a file) and note fields seen for fill rates."""
    rows = []
    for parsed in listings:
        if parsed.unknown_fields:
            recorder.note_unknown_fields(parsed.unknown_fields)
        recorder.note_fields(parsed.facts.fields_present)
        rows.append(listing_row(parsed, regime_id))
    recorder.write_batch(rows, artifact_sha256)

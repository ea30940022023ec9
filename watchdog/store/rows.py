"""What a parser hands the store for one listing (`ListingRow`), in a module of its own.

The page workers of a large crawl build these rows; importing them from here rather than from
`watchdog.store.writer` spares each worker process SQLAlchemy, SQLModel and Alembic, about 0.7 s
of start-up that the writer needs and the workers do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class ListingRow:
    """One record ready for the store: privacy-safe payload, subject attributes, facets."""

    record_key: str
    subject: dict[str, Any]  # key, kind, name, code, province, birth_year, sex, age_band
    payload: dict[str, Any]
    facets: dict[str, Any]  # party_type, province, court, circumstances, performance, publish_month
    source_record_id: str | None = None
    # The artifact this record came from, when a batch spans several (else the batch's own).
    artifact_sha256: str | None = None
    # payload_sha256(payload) and json.dumps(payload), when made beforehand (in a worker).
    content_sha256: str | None = None
    payload_json: str | None = None

"""What a parser hands the store for one listing (`ListingRow`), in a module of its own.

The page workers of a large crawl build these rows; importing them from here rather than from
`watchdog.store.writer` spares each worker process SQLAlchemy, SQLModel and Alembic, about 0.7 s
of start-up that the writer needs and the workers do not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass
class ListingRow:
    """One record ready for the store: privacy-safe payload, subject attributes, facets."""

    record_key: str
    subject: dict[str, Any]  # key, kind, name, code, province, birth_year, sex, age_band
    # None once the row has crossed from a worker process: `payload_json` holds it then, and
    # `payload_dict()` decodes it for the few rows that need it (a change's field diff).
    payload: dict[str, Any] | None
    facets: dict[str, Any]  # party_type, province, court, circumstances, performance, publish_month
    source_record_id: str | None = None
    # The artifact this record came from, when a batch spans several (else the batch's own).
    artifact_sha256: str | None = None
    # payload_sha256(payload) and json.dumps(payload), when made beforehand (in a worker).
    content_sha256: str | None = None
    payload_json: str | None = None

    def payload_dict(self) -> dict[str, Any]:
        if self.payload is None:
            if self.payload_json is None:
                raise ValueError(f"row {self.record_key!r} has no payload")
            self.payload = json.loads(self.payload_json)
        return self.payload

    def __getstate__(self) -> dict[str, Any]:
        # Sent between processes without the dict its text already holds: pickling and
        # unpickling the payload twice cost the page workers and the crawl process per record.
        state = dict(self.__dict__)
        if state.get("payload_json") is not None:
            state["payload"] = None
        return state

"""Turning a raw response into the bytes we archive as evidence.

Responses that name natural persons are archived redacted: names and ID numbers replaced by the
keyed hash, free text through the same redaction as stored payloads. The SHA-256 of the original
bytes is kept beside the redacted copy's, so the evidence can still be checked against any
independent copy of the page without our keeping the personal data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from watchdog import jsontext
from watchdog.privacy import Keyer, redact_raw_bytes, redact_record_json
from watchdog.store.artifacts import sha256_hex


@dataclass(frozen=True)
class PreparedEvidence:
    stored: bytes
    original_sha256: str
    redacted: bool
    size: int


def prepare(body: bytes, keyer: Keyer, *, contains_persons: bool,
            parsed: Any | None = None,
            redactor: Callable[[bytes, Keyer], bytes] | None = None) -> PreparedEvidence:
    """Return what to archive for `body`; `parsed` is its decoded JSON when it decoded, and
    `redactor` the source parser's own `redact_bytes` when it has one (CSV, XML, HTML)."""
    original = sha256_hex(body)
    if not contains_persons:
        return PreparedEvidence(body, original, False, len(body))
    if redactor is not None:
        try:
            return PreparedEvidence(redactor(body, keyer), original, True, len(body))
        except ValueError:
            pass  # a body the source's redactor cannot read: fall back to the patterns below
    if parsed is not None:
        clean = redact_record_json(parsed, keyer)
        stored = jsontext.dumps_bytes(clean)
    else:
        # Broken or non-JSON bodies (a truncated page, a block page) get the pattern-based
        # redaction, which errs towards removing too much.
        stored = redact_raw_bytes(body, keyer)
    return PreparedEvidence(stored, original, True, len(body))

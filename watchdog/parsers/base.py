"""What every source parser returns, so one pipeline and one importer serve every source.

A parser module exposes `parse_bytes(body, keyer, *, name=None) -> ParsedFile` (name is the URL
or file name: it helps tell CSV from XML, or a list page from a detail page) and raises
`BlockedError` for block/captcha pages and `FormatError` for anything it does not recognise.
Each record becomes a `Draft`: what the store keeps, already privacy-safe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Draft:
    """One observation ready for the store."""

    record_key: str                     # stable across crawls and file formats
    subject: dict[str, Any]             # key, kind, name, code, province, birth_year, sex, age_band
    payload: dict[str, Any]             # privacy-safe fields kept as history
    facets: dict[str, Any] = field(default_factory=dict)  # Observation facet columns, if any
    source_record_id: str | None = None
    unknown_fields: dict[str, str] = field(default_factory=dict)  # name -> JSON type name
    fields_present: list[str] = field(default_factory=list)


@dataclass
class Rejection:
    index: int      # position of the record in the page or file
    reason: str     # one line, never a natural person's name or ID number


@dataclass
class ParsedFile:
    fmt: str
    drafts: list[Draft] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    declared_total: int | None = None   # what the page says the whole list holds, if it says
    next_pages: list[str] = field(default_factory=list)  # further URLs the page links to


def subject(key: str, kind: str, *, name: str | None = None, code: str | None = None,
            province: str | None = None) -> dict[str, Any]:
    """A subject row; persons must never get `name` or `code` (see watchdog.privacy)."""
    if kind == "person" and (name or code):
        raise ValueError("a person's name or ID number must not reach the store")
    return {"key": key, "kind": kind, "name": name, "code": code, "province": province,
            "birth_year": None, "sex": None, "age_band": None}

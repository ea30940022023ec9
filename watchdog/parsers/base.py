"""What every source parser returns, so one pipeline and one importer serve every source.

A parser module exposes `parse_bytes(body, keyer, *, name=None) -> ParsedFile` (name is the URL
or file name: it helps tell CSV from XML, or a list page from a detail page) and raises
`BlockedError` for block/captcha pages and `FormatError` for anything it does not recognise.
Each record becomes a `Draft`: what the store keeps, already privacy-safe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
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
    # Why the body was not whole (cut off mid-row...), if the parser could tell: the rows before
    # the cut are good, but a crawl that read it did not read the whole source.
    cut: str | None = None
    # Why this file may only add records, not update stored ones: it carries less of a record
    # than a fuller file did (OFAC's sdn.csv without add.csv and alt.csv), so a stored record
    # compared with it would look as if its addresses and aliases were gone.
    only_new: str | None = None
    # The date the file itself states the whole list was published (SDN.XML's Publish_Date):
    # which version of the list was read. Never taken from a file name or the fetch time.
    published: date | None = None
    # What the file states that could not be used (an unreadable publication date): recorded
    # among the crawl's errors, not counted as a rejected record (no record was lost).
    notes: list[str] = field(default_factory=list)


def subject(key: str, kind: str, *, name: str | None = None, code: str | None = None,
            province: str | None = None) -> dict[str, Any]:
    """A subject row; persons must never get `name` or `code` (see watchdog.privacy)."""
    if kind == "person" and (name or code):
        raise ValueError("a person's name or ID number must not reach the store")
    return {"key": key, "kind": kind, "name": name, "code": code, "province": province,
            "birth_year": None, "sex": None, "age_band": None}


def normalise_company_name(name: str) -> str:
    """One spelling per company name: NFKC (full-width to half-width), brackets unified, spaces
    and the trailing dot of Latin names dropped, Latin letters upper-cased."""
    import unicodedata

    text = unicodedata.normalize("NFKC", name).strip()
    text = text.replace("（", "(").replace("）", ")")
    text = " ".join(text.split()).rstrip(".").upper()
    return text.replace(" ", "") if any("\u4e00" <= ch <= "\u9fff" for ch in text) else text


def company_key(*, uscc: str | None = None, org_code: str | None = None,
                name: str | None = None) -> str:
    """The subject key of a company, the same in every source that gives the same identifier:
    `uscc:` + a valid 18-character code, else `org:` + a valid 9-character organisation code,
    else `name:` + the normalised name. Check digits are verified with python-stdnum."""
    from stdnum.cn import uscc as uscc_std

    if uscc:
        code = uscc.strip().upper()
        if uscc_std.is_valid(code):
            return f"uscc:{uscc_std.compact(code)}"
    if org_code:
        code = org_code.replace("-", "").strip().upper()
        if _valid_org_code(code):
            return f"org:{code}"
    if name and name.strip():
        return f"name:{normalise_company_name(name)}"
    raise ValueError("a company needs a valid code or a name")


def _valid_org_code(code: str) -> bool:
    """GB 11714 organisation code: 8 characters and a check character (0-9 or X)."""
    chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if len(code) != 9 or any(c not in chars for c in code[:8]):
        return False
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(chars.index(c) * w for c, w in zip(code[:8], weights, strict=True))
    check = 11 - total % 11
    expected = "X" if check == 10 else "0" if check == 11 else str(check)
    return code[8] == expected

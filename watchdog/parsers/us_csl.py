"""Parser of `us_csl`: the US Consolidated Screening List (trade.gov), CSV or JSON.

The list merges eleven US lists; the `source` column says which (the BIS Entity List among
them), and every observation keeps it as `list_name`/`list_code`. CSV columns are mapped by
header name with synonyms (reordered, renamed and extra columns are fine; an extra column is
reported as an unknown field), the 2019 layout and the newer one with a leading `_id` alike.
JSON is `{"results": [...]}` (the static file and the search API) or a bare list. Rows that
cannot be a listing (no name, cut short) are rejected one by one with the reason; a file whose
last row is cut off mid-line is refused as truncated.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from typing import Any

from watchdog.parsers import foreign_common as fc
from watchdog.parsers.base import Draft, ParsedFile, Rejection
from watchdog.parsers.errors import BlockedError, FormatError, RecordError
from watchdog.parsers.us_csl_rows import (
    KNOWN,
    PERSON_FIELDS,
    canonical,
    ident_of,
    is_person,
    list_code,
    record_draft,
)
from watchdog.privacy import Keyer

WHAT = "the Consolidated Screening List"


def parse_bytes(body: bytes, keyer: Keyer, *, name: str | None = None) -> ParsedFile:
    text = fc.decode_text(body)
    head = text.lstrip()[:200]
    if not head:
        raise BlockedError(f"an empty body instead of {WHAT}")
    fc.check_not_html(text, WHAT)
    if head.startswith(("{", "[")):
        return _from_json(text, keyer)
    return _from_csv(text, keyer)


def redact_bytes(body: bytes, keyer: Keyer) -> bytes:
    """The copy to archive: persons' names keyed, their other details withheld."""
    try:
        return _redact(body, keyer)
    except (csv.Error, ValueError, KeyError, TypeError, RecursionError):
        return fc.WITHHELD_BODY


def _redact(body: bytes, keyer: Keyer) -> bytes:
    text = fc.decode_text(body)
    head = text.lstrip()[:1]
    if head in ("{", "["):
        try:
            obj = json.loads(text)
        except ValueError:
            return _redact_broken_json(text, keyer)
        for rec in _results(obj, strict=False):
            if isinstance(rec, dict):
                _redact_record(rec, keyer, {k: canonical(k) for k in rec})
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if head == "<":
        return body
    return _redact_csv(text, keyer)


# -- reading ----------------------------------------------------------------------------------
def _columns(header: list[str]) -> tuple[list[str], dict[str, str]]:
    names = [canonical(h) for h in header]
    if "name" not in names or "source" not in names:
        # The first row may be data (another list's file: names, dates of birth): only
        # titles this parser knows are named, never the cells themselves.
        known = ", ".join(dict.fromkeys(n for n in names if n in KNOWN)) or "none"
        raise FormatError(f"not a CSV of {WHAT}: no name and source columns ({len(header)} "
                          f"columns; known titles: {known})")
    unknown = {n or f"column_{i + 1}": "str" for i, n in enumerate(names) if n not in KNOWN}
    return names, unknown


def _from_csv(text: str, keyer: Keyer) -> ParsedFile:
    rows = list(fc.csv_rows(text, "CSL CSV"))
    if not rows:
        raise FormatError(f"an empty file, not {WHAT}")
    names, unknown = _columns(rows[0][1])
    if len(rows) == 1:
        # A file, not a gateway's JSON answer: an export that came out (or was cut) empty.
        raise FormatError(f"the CSV header of {WHAT} but no row")
    records: list[tuple[int, dict[str, Any], dict[str, str]]] = []
    rejections: list[Rejection] = []
    last = len(rows) - 1
    for i, (line, row) in enumerate(rows[1:], 1):
        if len(row) < len(names):
            if i == last and not text.rstrip("\x1a").endswith(("\n", "\r")):
                raise FormatError(f"the file ends mid-row at line {line} (cut off?)")
            rejections.append(Rejection(line, f"line {line}: {len(row)} of {len(names)} "
                                              "columns, not a listing"))
            continue
        extra = {f"column_{j + 1}": "str" for j in range(len(names), len(row)) if row[j].strip()}
        records.append((line, dict(zip(names, row, strict=False)), unknown | extra))
    return _drafts("csl_csv", records, rejections, keyer, None)


def _results(obj: object, *, strict: bool = True) -> list[Any]:
    found = obj if isinstance(obj, list) else obj.get("results") if isinstance(obj, dict) \
        else None
    if isinstance(found, list):
        if strict:
            fc.check_has_rows(found, WHAT)
        return found
    if strict:
        fc.check_block_json(obj, WHAT)
        raise FormatError(f"JSON without a results list, not {WHAT}")
    return []


def _from_json(text: str, keyer: Keyer) -> ParsedFile:
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise FormatError(f"broken JSON (cut off?): {exc}") from None
    records: list[tuple[int, dict[str, Any], dict[str, str]]] = []
    rejections: list[Rejection] = []
    for i, item in enumerate(_results(obj)):
        if not isinstance(item, dict):
            rejections.append(Rejection(i, f"result {i} is not an object"))
            continue
        rec = {canonical(k): v for k, v in item.items()}
        unknown = {k: type(v).__name__ for k, v in rec.items() if k not in KNOWN}
        records.append((i, rec, unknown))
    total = obj.get("total") if isinstance(obj, dict) else None
    return _drafts("csl_json", records, rejections, keyer,
                   total if isinstance(total, int) else None)


def _drafts(fmt: str, records: list[tuple[int, dict[str, Any], dict[str, str]]],
            rejections: list[Rejection], keyer: Keyer, total: int | None) -> ParsedFile:
    def group(rec: dict[str, Any]) -> tuple[str, str]:
        return (list_code(fc.clean(rec.get("source"))), ident_of(rec, keyer))

    counts = Counter(group(rec) for _, rec, _ in records if not fc.clean(rec.get("entity_number")))
    drafts: list[Draft] = []
    seen: set[str] = set()
    for index, rec, unknown in records:
        try:
            dup = counts.get(group(rec), 0) > 1
            item = record_draft(rec, keyer, duplicated=dup, unknown=unknown)
        except RecordError as exc:
            rejections.append(Rejection(index, f"record at {index}: {exc.reason}"))
            continue
        if item.record_key in seen:
            rejections.append(Rejection(index, f"record at {index}: repeats an earlier row"))
            continue
        seen.add(item.record_key)
        drafts.append(item)
    return ParsedFile(fmt=fmt, drafts=drafts, rejections=rejections, declared_total=total)


# -- redaction --------------------------------------------------------------------------------
def _redact_record(rec: dict[str, Any], keyer: Keyer, names: dict[str, str]) -> None:
    canon = {names[k]: rec[k] for k in rec if k in names}
    if not is_person(canon):
        return
    for key, field in names.items():
        if field == "name" and rec.get(key):
            rec[key] = fc.redact_name(keyer, str(rec[key]))
        elif field in PERSON_FIELDS and rec.get(key):
            rec[key] = [] if isinstance(rec[key], list) else ""


def _redact_csv(text: str, keyer: Keyer) -> bytes:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = next((r for r in rows if r), [])
    names = {i: canonical(h) for i, h in enumerate(header)}
    has_names = "name" in names.values()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for n, row in enumerate(rows):
        if n == 0 and has_names:
            writer.writerow(row)
            continue
        if has_names:
            rec = {names.get(i, f"column_{i}"): v for i, v in enumerate(row)}
            if is_person(rec):
                row = [fc.redact_name(keyer, v) if names.get(i) == "name" and v.strip() else
                       "" if names.get(i) in PERSON_FIELDS else v for i, v in enumerate(row)]
        else:
            row = [v if fc.looks_like_org(v) or not re.search(r"[A-Za-z]{2}", v)
                   else fc.token(keyer, v) for v in row]
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def _redact_broken_json(text: str, keyer: Keyer) -> bytes:
    """A cut-off JSON body: each complete record is redacted as a record (so a person's ids
    and addresses go too, not only the fields a pattern can find); the cut record is withheld
    whole, not knowing whose it is. A body cut before its list begins is withheld."""
    start = re.search(r'"results"\s*:\s*\[', text) or re.match(r"\s*\[", text)
    if start is None:
        return fc.WITHHELD_BODY
    decoder = json.JSONDecoder()
    parts, pos = [text[:start.end()]], start.end()
    while True:
        pos = len(text) - len(text[pos:].lstrip(" \t\r\n,"))
        if text.startswith("]", pos):
            parts.append(text[pos:])  # the list is whole; what follows is the answer's metadata
            break
        try:
            rec, pos = decoder.raw_decode(text, pos)
        except ValueError:
            if text[pos:].strip():
                parts.append(("," if len(parts) > 1 else "") + '"[a cut-off record: withheld]"')
            break
        if isinstance(rec, dict):
            _redact_record(rec, keyer, {k: canonical(k) for k in rec})
        parts.append(("," if len(parts) > 1 else "")
                     + json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
    return "".join(parts).encode("utf-8")

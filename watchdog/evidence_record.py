"""One company's record out of an archived court-list response, fit to be shown to the public.

Almost every court-list page names persons, so its stored (redacted) copy is served to
administrators only: it still holds persons' case numbers, dates and amounts. A company's
finding still needs its evidence one click away, so this module finds the one raw record that
produced a company's listing and keeps only what cannot name a natural person.

Finding it: the stored bytes are read as the court-list parser reads a file (`detect_format`,
`iter_raw_records`; a JSON Lines import one object per line), and a record is the listing's when
it has the listing's case number and the company's key (`court_dishonest._company_key`, the
parser's own rule). The stored copy sometimes replaced an all-digit company code with "[id]"
(it looks like an ID number); the company's name, which the stored copy keeps, stands in then.

Showing it: an allow-list of the parser's own fields. A legal representative (businessEntity)
is a natural person and must be a redaction token in the stored copy (anything else refuses the
excerpt); the token is withheld too, since one token across companies links them by a person.
Free text that can name a plaintiff (duty, performedPart, unperformPart) is withheld unless it is
only an amount or a performance date. Every string shown must pass the free-text redaction
unchanged: if redaction would still find a name or an ID number, `UnsafeExcerpt` is raised and
nothing is shown.

Only the court list has a parser that gives back a record's place in its file; Credit China and
the enterprise publicity system do not (yet), so their listings have no excerpt.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from watchdog.parsers.common import clean_field, normalise_case_code
from watchdog.parsers.court_dishonest import ZXGK_INDEX_KEYS, _company_key
from watchdog.parsers.court_dishonest_formats import (
    BAIDU_KEYS,
    ZHIXING_LEGACY,
    ZXGK_KEYS,
    ZXGK_LIST,
    detect_format,
    iter_raw_records,
    load_json,
)
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.privacy import Keyer, looks_like_resident_id, redact_free_text
from watchdog.privacy_records import REP_KEYS, record_is_person
from watchdog.privacy_text import ID_TOKEN

SOURCES = ("court_dishonest",)
PERSON_TOKEN = re.compile(r"\[person:p:[0-9a-f]{16}\]")
EMPTY = frozenset({"", "无", "暂无"})
FREE_TEXT = frozenset({"duty", "performedPart", "unperformPart"})
CODE_KEY = "cardNum"
# The parser's own fields, less those that can name a natural person (handled one by one above).
SHOWN = (ZXGK_KEYS | BAIDU_KEYS) - FREE_TEXT - frozenset(REP_KEYS)
# What a performance field may say and still be shown: an amount, or the day it was performed.
_AMOUNT = re.compile(r"[\d\s.,，]*(?:万?元)?")
_PERFORMED_ON = re.compile(r"已于\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*"
                           r"(?:全部履行|履行完毕|全部执行完毕|执行完毕|全部清偿)")

WITHHELD_REP = "[withheld: a legal representative is a natural person]"
WITHHELD_TEXT = "[withheld: free text that can name a private party]"
WITHHELD_TOKEN = "[withheld: names a natural person]"
WITHHELD_OTHER = "[withheld: a field not known to be free of personal data]"


class UnsafeExcerpt(Exception):
    """Something in the excerpt could still name a natural person. The message names the field
    and the reason, never the value, so it may be logged and shown."""


@dataclass(frozen=True)
class Located:
    record: dict[str, Any]  # the raw record as archived (the stored, redacted copy)
    fmt: str                # court-list format of the file (or of its line)
    number: int             # 1-based, as the parser counts records: in the file, or on the line
    line: int | None = None  # JSON Lines: 1-based among the non-blank lines

    def position(self) -> str:
        # Counted as `iter_raw_records` counts (its index + 1), so that a reader holding the
        # original finds the same record: redaction changes values, never the order of records.
        if self.line is None:
            return (f"record {self.number} of the file, counting records in file order as the "
                    f"court-list parser reads format {self.fmt}")
        # The stored copy of a JSON Lines import drops blank lines, so lines are counted
        # without them, which gives the same number in the original file.
        return (f"non-blank line {self.line} of the file, record {self.number} on that line "
                f"(format {self.fmt})")


def _records(obj: object) -> Iterator[tuple[str, int, object]]:
    """(format, 0-based index, raw record) of one parsed JSON document, as the parser reads it.
    Records it would never read as listings (被执行人 files, rolling-list stubs) are skipped."""
    fmt = detect_format(obj)
    if fmt == ZHIXING_LEGACY:
        return
    for index, raw in iter_raw_records(obj, fmt):
        if fmt == ZXGK_LIST and isinstance(raw, dict) and set(raw) <= ZXGK_INDEX_KEYS:
            continue
        yield fmt, index, raw


def iter_records(stored: bytes, *, lines: bool = False) -> Iterator[Located]:
    """Every raw record of a stored court-list response, with its position.

    A whole JSON file first (pages, saved files: BOM, GBK and JSONP as the parser takes them);
    JSON Lines when asked (`lines`, from the content type) or when the whole does not parse.
    `FormatError` when it is neither.
    """
    if not lines:
        try:
            obj = load_json(stored)
        except (FormatError, BlockedError):
            if b"\n" not in stored.strip():
                raise FormatError("the stored copy is not a court-list JSON file") from None
        else:
            for fmt, index, raw in _records(obj):
                yield Located(_as_dict(raw), fmt, index + 1)
            return
    lines_seen = 0
    for line in stored.split(b"\n"):  # as the importer reads lines (watchdog.importer)
        if not line.strip():
            continue
        lines_seen += 1
        try:
            obj = json.loads(line)
        except ValueError:
            raise FormatError(f"line {lines_seen} of the stored copy is not JSON") from None
        for fmt, index, raw in _records(obj):
            yield Located(_as_dict(raw), fmt, index + 1, lines_seen)


def _as_dict(raw: object) -> dict[str, Any]:
    return raw if isinstance(raw, dict) else {}


def _card(value: object) -> str:
    # As the parser reads cardNum (court_dishonest._card): NFKC, upper case, no spaces.
    text = "" if value is None or isinstance(value, dict | list) else str(value).strip()
    card = unicodedata.normalize("NFKC", text).upper().replace(" ", "")
    return "" if card == "暂无" else card


def locate(stored: bytes, *, record_key: str, case_code: str, company_name: str | None,
           lines: bool = False) -> Located | None:
    """The first record of `stored` that is this company listing: `record_key` is the
    observation's (`<case code>|<company key>`), `case_code` its payload's."""
    if not record_key.startswith(case_code + "|"):
        return None
    company_key = record_key[len(case_code) + 1:]
    for found in iter_records(stored, lines=lines):
        raw = found.record
        if normalise_case_code(_text(raw.get("caseCode"))) != case_code:
            continue
        name = clean_field(raw.get("iname")) or ""
        card = _card(raw.get("cardNum"))
        if _company_key(card, name) == company_key:
            return found
        # The stored copy replaced the code with "[id]": the company's own name decides.
        if card == ID_TOKEN.upper() and company_name and name == company_name:
            return found
    return None


def _text(value: object) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value).strip()


def _shows_only_performance(text: str) -> bool:
    return text in EMPTY or bool(_AMOUNT.fullmatch(text) or _PERFORMED_ON.fullmatch(text))


def excerpt(record: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The record as it may be shown, and the fields withheld (name -> why).

    Raises `UnsafeExcerpt` when the stored copy treats the record as a person's, when a legal
    representative is in clear, or when anything shown would still be redacted.
    """
    if record_is_person(record):
        raise UnsafeExcerpt("the stored copy reads this record as a natural person's")
    shown: dict[str, Any] = {}
    withheld: dict[str, str] = {}
    for key, value in record.items():
        text = _text(value)
        if key in REP_KEYS:
            if text in EMPTY:
                shown[key] = value
            elif PERSON_TOKEN.fullmatch(text):
                shown[key], withheld[key] = WITHHELD_REP, WITHHELD_REP
            else:
                raise UnsafeExcerpt(f"field {key}: a legal representative is not redacted "
                                    f"in the stored copy")
        elif key in FREE_TEXT:
            if isinstance(value, str) and _shows_only_performance(text):
                shown[key] = value
            else:
                shown[key], withheld[key] = WITHHELD_TEXT, WITHHELD_TEXT
        elif key not in SHOWN or isinstance(value, dict | list):
            shown[key], withheld[key] = WITHHELD_OTHER, WITHHELD_OTHER
        elif PERSON_TOKEN.search(text):
            shown[key], withheld[key] = WITHHELD_TOKEN, WITHHELD_TOKEN
        else:
            shown[key] = value
    check(shown, withheld)
    return shown, withheld


def check(shown: dict[str, Any], withheld: dict[str, str]) -> None:
    """Refuse (`UnsafeExcerpt`) if the free-text redaction would still change anything shown:
    then a name after a party marker, an ID number or a mobile number survived."""
    # A throwaway key: only whether the text would change matters, never the tokens.
    keyer = Keyer(os.urandom(32))
    for key, value in shown.items():
        if redact_free_text(str(key), keyer) != str(key):
            raise UnsafeExcerpt("a field name looks like a name or an ID number")
        if key in withheld or value is None or isinstance(value, bool):
            continue
        text = str(value)
        if key == CODE_KEY:
            # A company's code may be 18 digits (or masked), which the free-text rule takes for
            # an ID number; the parser's own test for a resident ID decides here.
            if looks_like_resident_id(text):
                raise UnsafeExcerpt(f"field {key} looks like a resident ID number")
            continue
        if redact_free_text(text, keyer) != text:
            raise UnsafeExcerpt(f"field {key} holds what looks like a person's name or an "
                                f"ID number")

"""Parser of `worldbank_debarred`: the World Bank's list of ineligible firms and individuals.

Accepted bodies: the JSON API (`{"response": {"ZPROCSUPP": [...]}}`, also `{"response":
[...]}` or a bare list), the website's Excel export (.xlsx), and the public page itself, whose
script names the API endpoint and its public key (`var prodtabApi`, `var propApiKey`): the
spider reads them there on every run because the key rotates. A page that is neither, or a
gateway's refusal, is a block or a format error, never an empty list.
"""

from __future__ import annotations

import json
import re
import zipfile
from typing import Any

from watchdog.parsers import foreign_common as fc
from watchdog.parsers.base import Draft, ParsedFile, Rejection
from watchdog.parsers.errors import BlockedError, FormatError, RecordError
from watchdog.parsers.worldbank_debarred_rows import PERSON_FIELDS, canonical, is_person, row_draft
from watchdog.parsers.worldbank_debarred_xlsx import read_rows, redact_xlsx
from watchdog.privacy import Keyer, redact_raw_bytes

WHAT = "the World Bank debarment list"
_API = re.compile(r"""var\s+prodtabApi\s*=\s*["'](?P<url>[^"']+)["']""")
_KEY = re.compile(r"""var\s+propApiKey\s*=\s*["'](?P<key>[^"']{8,128})["']""")
# Not stored: changes on every refresh, so every observation would look changed every day.
VOLATILE = frozenset({"last_refresh"})


def page_api(text: str) -> tuple[str, str] | None:
    """(API URL, public API key) named in the debarred-firms page's script, if there."""
    url, key = _API.search(text), _KEY.search(text)
    return (url["url"], key["key"]) if url and key else None


def parse_bytes(body: bytes, keyer: Keyer, *, name: str | None = None) -> ParsedFile:
    if body[:4] == b"PK\x03\x04":
        rows, _ = read_rows(body)
        if not rows:
            # A downloaded file, not a gateway's answer: it was exported empty, or emptied.
            raise FormatError(f"an Excel export with the header of {WHAT} but no row")
        return _drafts("worldbank_xlsx", rows, keyer)
    text = fc.decode_text(body)
    head = text.lstrip()[:200]
    if not head:
        raise BlockedError(f"an empty body instead of {WHAT}")
    if head.startswith(("{", "[")):
        return _from_json(text, keyer)
    if (api := page_api(text)) is not None:
        # The page holds no list rows: it says where the list is.
        return ParsedFile(fmt="worldbank_page", next_pages=[api[0]])
    fc.check_not_html(text, WHAT)
    raise FormatError(f"neither the JSON API, the Excel export nor the page of {WHAT}")


def redact_bytes(body: bytes, keyer: Keyer) -> bytes:
    """The copy to archive: persons' names keyed, their address and details withheld."""
    try:
        return _redact(body, keyer)
    except (ValueError, KeyError, TypeError, RecursionError):
        return fc.WITHHELD_BODY


def _redact(body: bytes, keyer: Keyer) -> bytes:
    if body[:4] == b"PK\x03\x04":
        try:
            return redact_xlsx(body, keyer)
        except (FormatError, ValueError, KeyError, OSError, zipfile.BadZipFile):
            return fc.WITHHELD_BODY
    text = fc.decode_text(body)
    if not text.lstrip().startswith(("{", "[")):
        return body if page_api(text) else redact_raw_bytes(body, keyer)
    try:
        obj = json.loads(text)
    except ValueError:
        return _redact_broken(text, keyer)
    for item in _rows(obj, strict=False):
        if isinstance(item, dict):
            _redact_row(item, keyer)
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _rows(obj: object, *, strict: bool = True) -> list[Any]:
    found: object = obj
    if isinstance(found, dict):
        found = found.get("response", found)
    if isinstance(found, dict):
        found = found.get("ZPROCSUPP", found.get("zprocsupp"))
    if isinstance(found, list):
        if strict:
            fc.check_has_rows(found, WHAT)
        return found
    if strict:
        fc.check_block_json(obj, WHAT)
        raise FormatError(f"JSON without response.ZPROCSUPP, not {WHAT}")
    return []


def _from_json(text: str, keyer: Keyer) -> ParsedFile:
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise FormatError(f"broken JSON (cut off?): {exc}") from None
    rows = []
    for i, item in enumerate(_rows(obj)):
        if not isinstance(item, dict):
            rows.append((i, {}, {"__not_an_object__": type(item).__name__}))
            continue
        rec: dict[str, Any] = {}
        unknown: dict[str, str] = {}
        for key, value in item.items():
            field = canonical(key)
            if field is None:
                unknown[key] = type(value).__name__
            elif field not in VOLATILE:
                rec[field] = value
        rows.append((i, rec, unknown))
    return _drafts("worldbank_json", rows, keyer)


Built = tuple[int, dict[str, Any], Draft]  # row number, canonical row, its draft


def _drafts(fmt: str, rows: list[tuple[int, dict[str, Any], dict[str, str]]],
            keyer: Keyer) -> ParsedFile:
    """One draft per record. The list repeats a firm once per address (and once more under a
    second English name for one USCC): such rows are parts of one record, merged into the
    first and each reported as merged (a rejection naming the row it joined and the fields it
    differs in), so the records read and the rows rejected add up to the rows of the file."""
    built: list[Built] = []
    rejections: list[Rejection] = []
    for index, rec, unknown in rows:
        if "__not_an_object__" in unknown:
            rejections.append(Rejection(index, f"row {index} is not an object"))
            continue
        try:
            built.append((index, rec, row_draft(rec, keyer, unknown)))
        except RecordError as exc:
            rejections.append(Rejection(index, f"row {index}: {exc.reason}"))
    _split_namesakes(built)
    kept: dict[str, Built] = {}
    for index, rec, item in built:
        if (first := kept.get(item.record_key)) is None:
            kept[item.record_key] = (index, rec, item)
            continue
        fc.merge(first[2], item)
        rejections.append(Rejection(index, _merged(index, rec, first[0], first[1])))
    rejections.sort(key=lambda r: r.index)
    return ParsedFile(fmt=fmt, drafts=[d for _, _, d in kept.values()], rejections=rejections)


def _english(item: Draft) -> str:
    names = item.payload.get("names") or []
    return fc.normalise(names[0]) if names else ""


def _split_namesakes(built: list[Built]) -> None:
    """Rows keyed by one Chinese name (no USCC) under different English names are different
    firms, not one: the July 2025 export gives the Hebei group's Wuji County branch the Chinese
    name of its Tang County branch, and its Niulanshan branch that of its Shunyi branch. Each
    keeps a record of its own, keyed by its English name too. A USCC belongs to one legal
    person, so rows sharing one stay one record whatever their English names."""
    def by_chinese_name(item: Draft) -> bool:
        body = item.payload
        return bool(body.get("chinese_name")) and not body.get("uscc") and \
            body.get("entity_type") == "firm" and not body.get("sole_trader")

    english: dict[str, set[str]] = {}
    for _, _, item in built:
        if by_chinese_name(item):
            english.setdefault(item.record_key, set()).add(_english(item))
    for _, _, item in built:
        if len(english.get(item.record_key, ())) > 1:
            head, start = item.record_key.rsplit("|", 1)
            item.record_key = f"{head}|{_english(item)}|{start}"[:256]


def _merged(index: int, rec: dict[str, Any], first: int, first_rec: dict[str, Any]) -> str:
    """Why a row is no record of its own. Names fields, never values (a value may be a
    person's address)."""
    differ = sorted(k for k in rec.keys() | first_rec.keys()
                    if fc.clean(rec.get(k)) != fc.clean(first_rec.get(k)))
    what = f"differs in {', '.join(differ)}" if differ else "a repeated row"
    return (f"row {index}: merged into the record of row {first} (same firm and start of "
            f"debarment; {what}), not stored on its own")


def _redact_row(item: dict[str, Any], keyer: Keyer) -> None:
    fields = {canonical(k): k for k in item}
    rec = {f: item[k] for f, k in fields.items() if f}
    if not is_person(rec):
        for field, key in fields.items():  # a firm's trading names may name its owner
            if field in ("name", "info") and isinstance(item.get(key), str):
                item[key] = fc.redact_trade_names(keyer, item[key])
        return
    for field, key in fields.items():
        if field == "name" and item.get(key):
            item[key] = fc.redact_name(keyer, str(item[key]))
        elif field in PERSON_FIELDS and item.get(key):
            item[key] = "[withheld: natural person]"


def _redact_broken(text: str, keyer: Keyer) -> bytes:
    """A cut-off JSON body: its complete rows are redacted as rows; the cut row is dropped."""
    def one(m: re.Match[str]) -> str:
        try:
            item = json.loads(m[0])
        except ValueError:
            return "{}"
        _redact_row(item, keyer)
        return json.dumps(item, ensure_ascii=False, separators=(",", ":"))

    done = re.sub(r"\{[^{}]*\}", one, text)
    cut = done.rfind("{")
    if cut > done.rfind("}"):
        done = done[:cut] + '"[a cut-off row: withheld]"'
    return done.encode("utf-8")

"""Strict parser for the list of dishonest judgment debtors (失信被执行人), shared by the spider
and `watchdog import court_dishonest FILE`.

Each record is reduced to privacy-safe `ListingFacts` plus a `SubjectInfo`: a natural person is a
keyed hash with coarse attributes (province, birth year, sex, age band), never a name or ID
number. Every known field is popped from a copy of the record; whatever is left is reported by
name in `unknown_fields` (values are not kept: an unknown field may hold personal data).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from watchdog.model.facts import STATUTORY_FIELDS, ListingFacts
from watchdog.parsers.common import (
    clean_field,
    clean_text,
    find_date,
    normalise_case_code,
    normalise_width,
    parse_date,
    parse_sex,
    quoted_shape,
    split_circumstances,
)
from watchdog.parsers.court_dishonest_formats import (
    BAIDU,
    BAIDU_KEYS,
    FORMATS,
    SEARCH,
    ZHIXING_LEGACY,
    ZHIXING_REASON,
    ZXGK_KEYS,
    ZXGK_LIST,
    block_reason,
    declared_total,
    decode_body,
    detect_format,
    is_zhixing,
    iter_raw_records,
    load_json,
)
from watchdog.parsers.errors import BlockedError, FormatError, RecordError
from watchdog.privacy import (
    Keyer,
    birth_year_from_id,
    id_mask_status,
    is_org_name,
    looks_like_resident_id,
    person_token,
    redact_with_literals,
)

__all__ = [
    "FORMATS", "BlockedError", "FormatError", "ParsedListing", "RecordError", "Rejection",
    "SubjectInfo", "age_band", "decode_body", "declared_total", "detect_format",
    "iter_file_records", "parse_bytes", "parse_record",
]

_PERSON_TYPES = {"580": "person", "0": "person", "自然人": "person",
                 "581": "company", "1": "company", "法人": "company", "其他组织": "company"}
# A date followed closely by a statement of full performance: 已于2026年03月02日全部履行.
_FULL_PERFORMANCE = re.compile(
    r"(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})"
    r"[^，。；,;]{0,6}?(?:全部履行|履行完毕|全部执行完毕|执行完毕|全部清偿)"
)
_BAIDU_KNOWN = ZXGK_KEYS | BAIDU_KEYS
_ID_IN_URL = re.compile(r"[?&]id=(\d+)")
_ORG_CODE = re.compile(r"[0-9A-Z]{8}[0-9X]")
_USCC_SHAPE = re.compile(r"[0-9A-Z]{10}[0-9A-Z*]{4}[0-9A-Z]{4}")


@dataclass(frozen=True)
class SubjectInfo:
    """Who a listing is about, privacy-safe: persons are only a key and coarse attributes."""

    kind: Literal["person", "company"]
    key: str                      # persons: Keyer.person_key; companies: uscc:/org:/name:
    name: str | None = None       # companies only
    code: str | None = None       # companies only: organisation code or USCC as published
    province: str | None = None
    birth_year: int | None = None
    sex: Literal["M", "F"] | None = None
    age_band: str | None = None


@dataclass(frozen=True)
class ParsedListing:
    facts: ListingFacts
    subject: SubjectInfo
    record_key: str               # <normalised case code>|<subject key>, stable across formats
    source_record_id: str | None
    unknown_fields: dict[str, object] = field(default_factory=dict)  # name -> JSON type name


@dataclass(frozen=True)
class Rejection:
    index: int                    # position of the record in the file
    reason: str                   # one line, never a name or ID number


def age_band(age: int | None) -> str | None:
    if age is None or age <= 0:
        return None
    for limit, band in ((18, "<18"), (30, "18-29"), (40, "30-39"), (50, "40-49"), (60, "50-59")):
        if age < limit:
            return band
    return "60+"


def _text(value: object) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value).strip()


def _card(value: object) -> str:
    return unicodedata.normalize("NFKC", _text(value)).upper().replace(" ", "")


def _is_company_code(card: str) -> bool:
    compact = card.replace("-", "")
    if looks_like_resident_id(compact):
        return False
    return bool(_ORG_CODE.fullmatch(compact) or _USCC_SHAPE.fullmatch(compact))


def _party_type(values: dict[str, object], sex: str | None, age: int, card: str,
                name: str, rep: str | None) -> str:
    """Party type as published, overridden when the record's own content contradicts it.

    A published sex, a positive age or a resident-ID-shaped card number make a person; an
    organisation code or USCC with no sex or age makes a company. With nothing to go on we
    choose person, the privacy-safe side.
    """
    raw = _text(values.get("partyTypeName"))
    if raw and raw not in _PERSON_TYPES:
        raise RecordError(f"unknown partyTypeName {quoted_shape(raw, 10)}")
    published = _PERSON_TYPES.get(raw)
    person_evidence = sex is not None or age > 0 or looks_like_resident_id(card)
    company_evidence = _is_company_code(card) or (not card and (bool(rep) or is_org_name(name)))
    if person_evidence:
        return "person"
    if company_evidence:
        return "company"
    if published is not None:
        return published
    return "company" if is_org_name(name) else "person"


def _parse_date_field(values: dict[str, object], key: str) -> date | None:
    try:
        return parse_date(values.get(key))
    except ValueError:
        raise RecordError(f"unrecognised {key} {quoted_shape(values.get(key))}") from None


def _performed_date(*texts: str | None) -> date | None:
    for text in texts:
        if text and (m := _FULL_PERFORMANCE.search(normalise_width(text))):
            return find_date(m[1])
    return None


def _redacted_field(value: object, keyer: Keyer, literals: list[tuple[str, str]]) -> str | None:
    """A free-text field, redacted, then cleaned (`clean_field`). Redacted as published, line
    breaks and all, because that is the text the archived copy redacts: on the same page, in
    the same process, the keyer's cache then serves the second pass."""
    if value is None or isinstance(value, dict | list):
        return None
    return clean_field(redact_with_literals(str(value), keyer, literals))


def _company_key(card: str, name: str) -> str:
    compact = card.replace("-", "")
    if _USCC_SHAPE.fullmatch(compact):
        # Keyed on the court's masked form so a masked and an unmasked USCC give one company.
        return f"uscc:{compact[:10]}****{compact[14:]}"
    if _ORG_CODE.fullmatch(compact):
        return f"org:{compact}"
    return "name:" + "".join(normalise_width(name).split())


def _source_id(values: dict[str, object]) -> str | None:
    if raw := _text(values.get("id")):
        return raw
    for key in ("loc", "sitelink"):
        if m := _ID_IN_URL.search(_text(values.get(key))):
            return m[1]
    return None


def parse_record(raw: object, keyer: Keyer, *, fmt: str) -> ParsedListing:
    """Parse one raw record of format `fmt` into a `ParsedListing`; `RecordError` if it is not a
    listing. The raw dict is not modified."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown court-list format {fmt!r}")
    if not isinstance(raw, dict):
        raise RecordError(f"record is a JSON {type(raw).__name__}, not an object")
    if fmt == ZHIXING_LEGACY or is_zhixing(raw):
        raise RecordError(ZHIXING_REASON)
    known = _BAIDU_KNOWN if fmt == BAIDU else ZXGK_KEYS
    values = {key: value for key, value in raw.items() if key in known}
    unknown: dict[str, object] = {str(k): type(v).__name__ for k, v in raw.items()
                                  if k not in known}

    name = clean_field(values.get("iname"))
    if name is None:
        raise RecordError("record has no name (iname)")
    case_code = normalise_case_code(_text(values.get("caseCode")))
    if not case_code or case_code == "暂无":
        raise RecordError("record has no case code (caseCode)")
    try:
        sex = parse_sex(_text(values.get("sexy")))
    except ValueError:
        raise RecordError("unrecognised sex value (sexy)") from None
    age_raw = _text(values.get("age"))
    try:
        age = int(age_raw) if age_raw else 0
    except ValueError:
        raise RecordError(f"age is not a number ({quoted_shape(age_raw, 10)})") from None
    card = _card(values.get("cardNum"))
    card = "" if card == "暂无" else card
    rep = clean_field(values.get("businessEntity"))
    rep = None if rep == "无" else rep
    party = _party_type(values, sex, age, card, name, rep)
    person = party == "person"

    reg_date = _parse_date_field(values, "regDate")
    publish_date = _parse_date_field(values, "publishDate") or _parse_date_field(
        values, "publishDateStamp")
    birth_year = birth_year_from_id(card) if person else None
    name_key = keyer.name_key(name) if person else None
    legal_rep_key = keyer.name_key(rep) if rep else None
    # The subject's own name, or the legal representative's, repeated in free text.
    literals = [(n, person_token(keyer, k)) for n, k in ((name, name_key), (rep, legal_rep_key))
                if n and k and len(n) >= 2]
    if person and len(card) >= 6:
        literals.append((card, "[id]"))

    performance = clean_field(values.get("performance"))
    performed_raw = clean_field(values.get("performedPart"))
    performed_part = _redacted_field(values.get("performedPart"), keyer, literals)
    circumstances = split_circumstances(_text(values.get("disruptTypeName")))
    gist_id = clean_text(normalise_width(_text(values.get("gistId"))))
    facts_kwargs: dict[str, object] = {
        "party_type": party,
        "case_code": case_code,
        "circumstances": circumstances,
        "publish_date": publish_date,
        "reg_date": reg_date,
        "age": age if person and age > 0 else None,
        "birth_year": birth_year,
        "sex": sex if person else None,
        "province": clean_field(values.get("areaName"))
        or clean_field(values.get("areaNameNew")),
        "court": clean_field(values.get("courtName")),
        "gist_id": gist_id,
        "gist_unit": clean_field(values.get("gistUnit")),
        "duty": _redacted_field(values.get("duty"), keyer, literals),
        "performance": performance,
        "performed_part": performed_part,
        "unperformed_part": _redacted_field(values.get("unperformPart"), keyer, literals),
        "performed_date": _performed_date(performance, performed_raw),
        "id_mask": id_mask_status(card, party),
        "name_key": name_key,
        "legal_rep_key": legal_rep_key if not person else None,
    }
    present = {
        "name": True,
        "sex": facts_kwargs["sex"] is not None,
        "age": facts_kwargs["age"] is not None,
        "id_number": person and bool(card),
        "org_code": not person and bool(card),
        "legal_rep": rep is not None,
        "obligation": facts_kwargs["duty"] is not None,
        "performance": performance is not None,
        "conduct": bool(circumstances),
        "basis_issuer": facts_kwargs["gist_unit"] is not None,
        "basis_doc_no": gist_id is not None,
        "case_no": True,
        "filing_date": reg_date is not None,
        "court": facts_kwargs["court"] is not None,
    }
    facts_kwargs["fields_present"] = [f for f in STATUTORY_FIELDS if present[f]]
    facts = ListingFacts.model_validate(facts_kwargs)

    if person:
        band_age = age if age > 0 else None
        seen = publish_date or reg_date
        if band_age is None and birth_year and seen is not None:
            band_age = seen.year - birth_year
        subject = SubjectInfo(kind="person", key=keyer.person_key(name, card or None),
                              province=facts.province, birth_year=birth_year, sex=facts.sex,
                              age_band=age_band(band_age))
    else:
        subject = SubjectInfo(kind="company", key=_company_key(card, name), name=name,
                              code=card or None, province=facts.province)
    return ParsedListing(facts=facts, subject=subject, record_key=f"{case_code}|{subject.key}",
                         source_record_id=_source_id(values), unknown_fields=unknown)


# What a row of zxgk's rolling "recently published" lists (getPersonList, getUnitList) holds: it
# points at a listing (the crawl fetches its detail page), it is not one. Read as a listing it
# would be a record with no circumstance, court or dates: a stub that overwrote the full record
# and drew "no lawful circumstance" and "statutory fields missing" findings.
ZXGK_INDEX_KEYS = frozenset({"iname", "cardNum", "caseCode", "id"})
ZXGK_INDEX_REASON = ("a row of zxgk's rolling list (name, ID, case number, id) points at a "
                     "listing but holds none of its details: import its detail page "
                     "(disDetailNew) instead")
# A row of the search's answer (searchSX) is the same kind of pointer, and as a listing it did
# the same harm: imported after a Baidu page, it replaced full records with stubs.
SEARCH_INDEX_REASON = ("a row of zxgk's search results (name, ID, case number, id) points at a "
                       "listing but holds none of its details: import its detail page "
                       "(disDetailNew) instead")
_INDEX_REASONS = {ZXGK_LIST: ZXGK_INDEX_REASON, SEARCH: SEARCH_INDEX_REASON}


def iter_file_records(obj: object, keyer: Keyer) -> Iterator[ParsedListing | Rejection]:
    """Every record of a parsed JSON file, parsed or rejected; `FormatError` for unknown files."""
    fmt = detect_format(obj)
    for index, raw in iter_raw_records(obj, fmt):
        if fmt == ZHIXING_LEGACY:
            yield Rejection(index, ZHIXING_REASON)
            continue
        if fmt in _INDEX_REASONS and isinstance(raw, dict) and set(raw) <= ZXGK_INDEX_KEYS:
            yield Rejection(index, _INDEX_REASONS[fmt])
            continue
        try:
            yield parse_record(raw, keyer, fmt=fmt)
        except RecordError as exc:
            yield Rejection(index, exc.reason)


def parse_bytes(body: bytes, keyer: Keyer) -> tuple[str, list[ParsedListing], list[Rejection]]:
    """Decode (UTF-8, UTF-8 with BOM, GBK) and parse a saved file or a response body.

    Raises `BlockedError` for a block or captcha page and `FormatError` for anything that is not
    a court-list format (including `{}`, which zxgk returns when the captcha expired).
    """
    obj = load_json(body)
    try:
        fmt = detect_format(obj)
    except FormatError:
        # JSON that is no known format but mentions a captcha is zxgk's captcha answer.
        if reason := block_reason(decode_body(body)):
            raise BlockedError(reason) from None
        raise
    listings: list[ParsedListing] = []
    rejections: list[Rejection] = []
    for item in iter_file_records(obj, keyer):
        if isinstance(item, ParsedListing):
            listings.append(item)
        else:
            rejections.append(item)
    return fmt, listings, rejections

"""The National Enterprise Credit Information Publicity System (gsxt): notices and registry pages.

Formats (reference/sources.md section 3): the notices list JSON (abnormal operations 11, serious
violations 21), the mobile app's company JSON (`keyperson`, `shareholder`), and the provincial
HTML of 2016-2017: company pages (basic information, key personnel, abnormal-operations,
serious-violation, penalty, inspection and branch tables), the Beijing abnormal-operations
directory (with links to company pages and paging) and bare table fragments. Legal
representatives, key personnel, natural-person shareholders and the operators of individual
businesses are natural persons: keyed hashes in the store, tokens in the archive (`redact_bytes`).
A geetest or 加速乐 challenge page, a 521 cookie script or an empty `{}` is a block.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from watchdog.parsers.base import ParsedFile, Rejection, subject
from watchdog.parsers.blocks import block_reason, looks_like_html
from watchdog.parsers.credit_china_records import person_name_like
from watchdog.parsers.credit_china_redact import redact_raw
from watchdog.parsers.credit_china_vocab import (
    codec_of,
    decode,
    load_json,
    shield_codes,
    unshield_codes,
)
from watchdog.parsers.errors import BlockedError, FormatError, RecordError
from watchdog.parsers.gsxt_fields import (
    BASIC,
    OPERATOR_NAME,
    PERSON_HEADERS,
    clean_label,
    section_of,
)
from watchdog.parsers.gsxt_html import Page, Section, heading_identity, read_page
from watchdog.parsers.gsxt_json import app, app_record, is_notices, notices
from watchdog.parsers.gsxt_records import (
    Company,
    Found,
    company,
    draft,
    list_row,
    person_value,
    registration,
    row_fields,
    scrub_drafts,
)
from watchdog.privacy import Keyer, person_token, redact_free_text, redact_identifiers

__all__ = ["parse_bytes", "redact_bytes"]

DETAIL_PATH = "/gjjbj/gjjQueryCreditAction!openEntInfo.dhtml"
DIRECTORY_PATH = "/dito/ditoAction!ycmlFrame.dhtml"


def parse_bytes(body: bytes, keyer: Keyer, *, name: str | None = None) -> ParsedFile:
    return _parse(body, keyer, name)[0]


def _parse(body: bytes, keyer: Keyer, name: str | None) -> tuple[ParsedFile, Found]:
    text = decode(body)
    obj = load_json(text)
    if obj is not None:
        if obj == {} or obj == []:
            raise BlockedError("empty answer {} (the site's way of refusing a query)")
        if is_notices(obj):
            return notices(obj, keyer, name)
        if (rec := app_record(obj)) is not None:
            return app(rec, keyer)
        raise FormatError("JSON in no gsxt format we know")
    if not looks_like_html(text):
        if (reason := block_reason(text)) is not None:
            raise BlockedError(reason)
        raise FormatError("neither JSON nor HTML")
    lower = text.lower()
    if lower.count("<html") > lower.count("</html>"):
        # lxml reads half a page without complaint; half a directory would pass for a whole one.
        raise FormatError("the page is cut off (an <html> is never closed)")
    page = read_page(text)
    parsed, found = _page(page, keyer, name)
    if not parsed.drafts and not parsed.rejections:
        # A challenge page loads the same scripts as a data page; with no data, it is a block.
        if (reason := block_reason(text)) is not None:
            raise BlockedError(reason)
        if not page.sections and not page.pairs:
            raise FormatError("an HTML page with no gsxt table on it")
    return parsed, found


def _page(page: Page, keyer: Keyer, name: str | None) -> tuple[ParsedFile, Found]:
    found = Found()
    who = _identity(page, found)
    parsed = ParsedFile(fmt="html_company" if who else "html_tables")
    page_unknown = {f"label:{label}": "string" for label in page.unknown_pairs}
    extra = {"abnormal_flag": True} if "已列入经营异常名录" in page.heading else {}
    key_persons = list(page.key_persons)
    for section in page.sections:
        kind, known = section_of(section.title, section.header)
        if not known:
            title = section.title or "/".join(section.header[:4]) or "untitled"
            page_unknown[f"section:{clean_label(title)[:40]}"] = "table"
            _persons_in(section, found)
            continue
        if kind is None:
            _persons_in(section, found)
        elif kind == "key_person":
            key_persons += _key_persons(section)
        elif kind == "directory":
            parsed.fmt = "html_directory"
            _directory(section, keyer, found, parsed, name, page)
        elif kind == "branch" or who is not None:
            _rows(kind, section, who, keyer, found, parsed)
        else:
            parsed.rejections.append(Rejection(0, f"a {kind} table on a page naming no company"))
    if who is not None and (page.pairs or key_persons):
        parsed.drafts.insert(0, registration(page.pairs, who, key_persons, keyer, found, extra))
    elif key_persons:
        for position_name, position in key_persons:
            person = person_value(position_name, keyer, found)
            if person and person[0] == "key":
                parsed.drafts.append(draft("key_person", subject(person[1], "person"), position or "",
                                           {"position": position or None}))
    if parsed.drafts:
        parsed.drafts[0].unknown_fields.update(page_unknown)
    scrub_drafts(parsed.drafts, found.persons, keyer)
    return parsed, found


def _identity(page: Page, found: Found) -> Company | None:
    code = next((v for k, v in page.pairs.items() if BASIC[k] == "code" and v), None)
    name = next((v for k, v in page.pairs.items() if BASIC[k] == "name" and v), None)
    if not (code or name):
        name, code = heading_identity(page.heading)
    if not (code or name):
        return None
    return company(name, code, found=found)


def _key_persons(section: Section) -> list[tuple[str, str]]:
    """Name/position pairs; the Tianjin table repeats 序号/姓名/职务 twice per row."""
    out = []
    for row in section.rows:
        for i, label in enumerate(section.header):
            if label == "姓名" and i < len(row) and row[i]:
                pos = section.header.index("职务", i) if "职务" in section.header[i:] else -1
                out.append((row[i], row[pos] if 0 <= pos < len(row) else ""))
    return out


def _persons_in(section: Section, found: Found) -> None:
    """Persons in tables we do not store, so the archived copy is redacted all the same."""
    for row in section.rows:
        for label, value in zip(section.header, row, strict=False):
            if any(w in label for w in PERSON_HEADERS) and person_name_like(value):
                found.persons.append(value)


def _rows(kind: str, section: Section, who: Company | None, keyer: Keyer, found: Found,
          parsed: ParsedFile) -> None:
    for i, row in enumerate(section.rows):
        fields, unknown = row_fields(section.header, row, keyer, found)
        try:
            if kind == "branch":
                branch = company(fields.pop("subject_name", None), fields.pop("subject_code", None),
                                 found=found)
                if who is not None:
                    fields["parent_key"] = who.key
                parsed.drafts.append(draft("branch", branch.subject(), "", {
                    "subject_name": branch.name, "subject_code": branch.code, **fields}, unknown))
            elif who is not None:
                parsed.drafts.append(list_row(kind, who, fields, unknown))
        except RecordError as exc:
            parsed.rejections.append(Rejection(i, exc.reason))


def _directory(section: Section, keyer: Keyer, found: Found, parsed: ParsedFile,
               name: str | None, page: Page) -> None:
    for i, row in enumerate(section.rows):
        fields, unknown = row_fields(section.header, row, keyer, found)
        try:
            who = company(fields.pop("subject_name", None), fields.pop("subject_code", None),
                          found=found)
        except RecordError as exc:
            parsed.rejections.append(Rejection(i, exc.reason))
            continue
        parsed.drafts.append(draft("abnormal_directory", who, fields.get("listed_date") or "", {
            "subject_name": who.name, "subject_code": who.code, **fields}, unknown))
        link = section.links[i] if i < len(section.links) else None
        if link is not None:
            _, ent_id, reg_no, ticket = link
            parsed.next_pages.append(DETAIL_PATH + "?" + urlencode(
                {"entId": ent_id, "credit_ticket": ticket, "entNo": reg_no, "type": "jyycDiv"}))
    try:
        current, pages = int(page.hidden.get("pageNo") or 1), int(page.hidden.get("pagescount") or 0)
    except ValueError:
        current, pages = 1, 0
    parsed.declared_total = page.total
    if current < pages:
        parsed.next_pages.append(_page_url(name, current + 1))


def _page_url(name: str | None, page_no: int) -> str:
    parts = urlsplit(name or DIRECTORY_PATH)
    query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    query["pageNos"] = str(page_no)
    path = parts.path if parts.path.endswith(".dhtml") else DIRECTORY_PATH
    if parts.scheme:
        return urlunsplit(parts._replace(path=path, query=urlencode(query)))
    return f"{path}?{urlencode(query)}"


def redact_bytes(body: bytes, keyer: Keyer) -> bytes:
    """The page with every natural person it names replaced by the token of their key."""
    text = decode(body)
    try:
        _, found = _parse(body, keyer, None)
    except (BlockedError, FormatError):
        # Truncated JSON or an odd page: operators in notice titles, then person-valued keys.
        for name in sorted({m[1] for m in OPERATOR_NAME.finditer(text)}, key=len, reverse=True):
            text = text.replace(name, person_token(keyer, keyer.name_key(name)))
        return redact_raw(text, keyer)
    escaped = load_json(text) is not None  # JSON may spell a name with \u escapes
    for name in sorted(set(found.persons), key=len, reverse=True):
        if len(name) >= 2:
            token = person_token(keyer, keyer.name_key(name))
            text = text.replace(name, token)
            if escaped:
                text = text.replace(json.dumps(name)[1:-1], token)
    text, kept = shield_codes(text)
    text = unshield_codes(redact_free_text(redact_identifiers(text), keyer), kept)
    return text.encode(codec_of(body), "replace")

"""Parser for `tax_a_list`: provincial lists of A-level taxpayers (纳税信用A级纳税人名单).

Formats: CSV (GBK or UTF-8, with or without BOM, comma/tab/semicolon separated, a title line
above the header allowed) and HTML pages holding the list as a table (Heilongjiang's
`table.dzchaxun`, Beijing's `table.table_input`, Credit Anhui's red-list tables). Columns are
found by header name and synonym (see `tax_a_list_fields`).

A record's province comes from what the list says, never from what the file is called, so the
same list saved under another name stores the same records: the row's own province, region or
tax-authority cell ("国家税务总局江西省…"), else the list's (its title line, or the province that
nearly all its rows name), else the region code inside the row's taxpayer number. The file name
or URL is only a guess for rows none of that places, kept out of the payload (see `_draft`).

Companies are keyed on a valid USCC, else on their name: a 15-digit legacy taxpayer number is
not a USCC, so it stays in the payload (with the organisation code inside it) but does not key
the company. Sole traders can be listed under their own name, under a taxpayer number built
from their resident ID, or as "个体工商户张三" / "华阳电子商行（经营者：张三）": the row is then a
keyed person (a resident-ID number makes it one whatever the name), and the number is withheld;
only a trading name that clearly names a business is kept, as a company with a keyed operator
(`tax_a_list_fields.party`).

A record is one row: year, subject, tax office and, when published, the taxpayer number, so two
numbers under one name (Jiangxi 2018 lists 江西莱菱电梯工程有限公司 as 360103… and 360111…) are
two records. A branch office is a row of its own too (南昌分公司 under its parent's number, as
some lists give it): sharing a number with its parent or another branch, it is keyed by its own
name, the number kept as its code. A row that repeats a record of the same file (same name,
number and office) is rejected with the record it repeats, so the import's counts add up to the
rows of the file. The table itself is read by `tax_a_list_table`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from watchdog.parsers import tax_a_list_fields as F
from watchdog.parsers import tax_a_list_web as web
from watchdog.parsers.base import Draft, ParsedFile, Rejection, company_key, subject
from watchdog.parsers.common import parse_date
from watchdog.parsers.errors import ParseError
from watchdog.parsers.tax_a_list_table import ID_FIELDS, Table, read_table
from watchdog.privacy import Keyer, person_token, redact_raw_bytes

ENDS_MID_ROW = "the file ends mid-row: last row not read"
# Share of the rows that place themselves (own cell or number) that must agree before their
# province is taken as the list's: a provincial list carries a few companies registered
# elsewhere (Jiangxi 2018: 1 in 4,939), a national list has no such majority.
_LIST_SHARE = 0.8


@dataclass
class Row:
    index: int
    values: dict[str, str]
    stray: list[str]
    line: int | None = None


def parse_bytes(body: bytes, keyer: Keyer, *, name: str | None = None) -> ParsedFile:
    table = read_table(body, name)
    out = ParsedFile(fmt=table.fmt, next_pages=table.next_pages)
    unknown = {h: "string" for h, f in zip(table.headers, table.fields, strict=True)
               if f is None and h.strip()}
    rows = _rows(table)
    if table.ends_mid_row and rows:
        # The rows before it are whole; this one may hold a cut value ("国家税务总局景德镇高新"),
        # which would be stored as a record of its own. Reported, not stored.
        out.rejections.append(Rejection(rows.pop().index, ENDS_MID_ROW))
        out.cut = ENDS_MID_ROW
    places = [_row_places(row) for row in rows]
    list_province = F.province_in_text(table.context) or _shared_province(places)
    guess = F.province_in_text(name)
    year = F.parse_year(table.context) or _year_in_name(name)
    seen: dict[str, tuple[Row, Draft]] = {}
    place_of: dict[int, str | None] = {}
    for row, (own, of_code) in zip(rows, places, strict=True):
        place = place_of[row.index] = own or list_province or of_code
        if _repeats_header(row):
            # Two files pasted together, or a header printed on every page of an export: a
            # company named "纳税人名称" is no record.
            where = f" (line {row.line})" if row.line else ""
            out.rejections.append(Rejection(row.index, f"a repeated header row{where}, not a "
                                                       "record"))
            continue
        try:
            draft = _draft(row, keyer, place, guess, year)
        except ValueError as exc:
            out.rejections.append(Rejection(row.index, str(exc)))
            continue
        if (first := seen.get(draft.record_key)) is not None and _branch_pair(draft, first[1]):
            # A company and its branch under one number (sources.md: branch offices are rows of
            # their own): each branch is keyed by its own name, in whichever order they come.
            if first[1].payload["branch"]:
                _own_name(seen, first, _draft(first[0], keyer, place_of[first[0].index], guess,
                                              year, own_name=True))
            if draft.payload["branch"]:
                draft = _draft(row, keyer, place, guess, year, own_name=True)
            first = seen.get(draft.record_key)
        if first is not None:
            # The store would fold it into the first silently: say so, so every row of the
            # file is either read or rejected.
            out.rejections.append(Rejection(row.index, _repeats(row, draft, *first)))
            continue
        seen[draft.record_key] = (row, draft)
        draft.unknown_fields = dict(unknown)
        out.drafts.append(draft)
    return out


def _repeats_header(row: Row) -> bool:
    """Whether a row's cells are column titles (two or more under the columns they title)."""
    return sum(1 for f, v in row.values.items() if F.header_field(v) == f) >= 2


def _branch_pair(draft: Draft, kept: Draft) -> bool:
    """Whether two rows that share a record key are a company and its branch, or two branches,
    under one taxpayer number: two records, not a repeated row (true repeats share the name)."""
    new, old = draft.payload, kept.payload
    return (new["party_type"] == old["party_type"] == "company" and new["name"] != old["name"]
            and bool(new["branch"] or old["branch"]))


def _own_name(seen: dict[str, tuple[Row, Draft]], first: tuple[Row, Draft], moved: Draft) -> None:
    """A branch read before its parent moves to the record key of its own name; the draft
    already listed is updated in place, so the order of the file changes no key."""
    row, kept = first
    del seen[kept.record_key]
    kept.record_key, kept.subject = moved.record_key, moved.subject
    seen[kept.record_key] = (row, kept)


def _repeats(row: Row, draft: Draft, first: Row, kept: Draft) -> str:
    """Why a row is not stored: it is a record the file already gave. Names fields, never
    values (a value may be a person's)."""
    where = f" (line {row.line}, first on line {first.line})" if row.line and first.line else ""
    differ = sorted(k for k in draft.payload.keys() | kept.payload.keys()
                    if draft.payload.get(k) != kept.payload.get(k))
    if not differ:
        return f"same record as record {first.index}{where}: a repeated row, stored once"
    return (f"same record as record {first.index}{where} but for {', '.join(differ)}: "
            f"only record {first.index} is stored")


def redact_bytes(body: bytes, keyer: Keyer) -> bytes:
    """The body to archive: names of persons listed as sole traders, taxpayer numbers built on
    resident IDs and stray cells that read as a name replaced by tokens; the rest unchanged."""
    try:
        # Lenient: a body cut off mid-row is refused by the parser, yet its archived copy
        # must be redacted as carefully as a whole one.
        table = read_table(body, None, lenient=True)
    except ParseError:
        # A block page, or something we cannot read: the pattern-based redaction, which
        # errs towards removing too much.
        return redact_raw_bytes(body, keyer)
    literals: dict[str, str] = {}
    for row in _rows(table):
        name = row.values.get("name", "")
        if name and (cell := _redacted_name(row.values, name, keyer)) is not None:
            literals[name] = cell
        for f in ID_FIELDS:
            raw = row.values.get(f, "")
            if raw and F.classify_id(raw, name)["id_kind"] == "withheld_personal_id":
                literals[raw] = "[id]"
        for cell in row.stray:
            if F.is_person_name(cell) or len(cell) <= 4:
                literals[cell] = person_token(keyer, keyer.name_key(cell))
    if not literals:
        return body
    text, encoding, _ = web.decode_text(body)
    for literal in sorted(literals, key=len, reverse=True):
        text = text.replace(literal, literals[literal])
    return web.encode_like(text, encoding, body.startswith(b"\xef\xbb\xbf"))


def _redacted_name(v: dict[str, str], name: str, keyer: Keyer) -> str | None:
    """What replaces a name cell in the archived copy, the same person token the store keys:
    a person's whole cell, or a sole trader's owner beside a kept trading name. None keeps it."""
    ids = _ids(v, name)
    who = F.party(name, ids["id_kind"] == "withheld_personal_id")
    if who.person:
        return person_token(keyer, _person_key(keyer, who, v, name))
    if who.owner and who.trading:
        return who.trading.joined(_operator(keyer, who.owner), who.name)
    return None


def _year_in_name(name: str | None) -> int | None:
    if not name:
        return None
    year = F.parse_year(name.rsplit("/", 1)[-1])
    return year if year and 2000 <= year <= 2100 else None


# -- rows to drafts ----------------------------------------------------------------------

def _rows(table: Table) -> list[Row]:
    out = []
    for i, raw in enumerate(table.rows):
        pairs, stray = F.align(table.fields, [F.clean_value(c) for c in raw])
        values: dict[str, str] = {}
        for f, v in pairs:
            if f and v and f not in values:
                values[f] = v
        out.append(Row(i, values, stray, table.lines[i] if table.lines else None))
    return out


def _row_places(row: Row) -> tuple[str | None, str | None]:
    """(province the row's own cells state, province of the region code in its number)."""
    v = row.values
    own = next((p for f in ("province", "region", "authority")
                if (p := F.province_named(v.get(f)))), None)
    ids = _ids(v, v.get("name", ""))
    return own, F.province_of_code(ids["uscc"] or ids["taxpayer_id"])


def _shared_province(places: list[tuple[str | None, str | None]]) -> str | None:
    """The province nearly every row that places itself names: the list's province, read from
    the list itself (it covers rows whose number was issued elsewhere, or names no region)."""
    votes = Counter(p for own, of_code in places if (p := own or of_code))
    if not votes:
        return None
    province, count = votes.most_common(1)[0]
    return province if count >= _LIST_SHARE * sum(votes.values()) else None


def _draft(row: Row, keyer: Keyer, province: str | None, guess: str | None,
           list_year: int | None, *, own_name: bool = False) -> Draft:
    """`province` is what the list says (see the module notes); `guess` the file name's.
    `own_name`: a branch listed under its parent's number is keyed by its own name, the number
    (its parent's) kept as its code and in its record key."""
    v = row.values
    name = v.get("name", "")
    ids = _ids(v, name)
    if not name and ids["id_kind"] in ("missing", "withheld_personal_id"):
        raise ValueError("row has neither a usable taxpayer number nor a name")
    year = F.parse_year(v.get("year", "")) or list_year
    grade = F.parse_grade(v["grade"]) if v.get("grade") else "A"
    authority = v.get("authority")
    # The payload (whose hash decides "changed") holds only what the list says; a guess from
    # the file name or URL goes to the subject and facets alone, which an unchanged record
    # does not rewrite, so renaming the file changes nothing stored.
    shown = province or guess
    published = _date(v.get("published"))
    common: dict[str, Any] = {"year": year, "grade": grade or v.get("grade"),
                              "tax_authority": authority, "province": province,
                              "region": v.get("region"), "published": published,
                              "id_kind": ids["id_kind"]}
    if row.stray:
        common["stray_cells"] = len(row.stray)
    auth = hashlib.sha256((authority or "").encode("utf-8")).hexdigest()[:8] if authority else "-"
    present = sorted(f for f in v if f != "serial")
    who = F.party(name, ids["id_kind"] == "withheld_personal_id")
    if who.person:
        # A sole trader: a keyed person, no name and no number kept.
        key = _person_key(keyer, who, v, name)
        payload = {"party_type": "person", **common}
        # A number that is not the person's ID (withheld, and inside the key) still tells two
        # listings apart; it goes into the record key keyed, never in clear.
        number = ids["taxpayer_id"] or ids["uscc"]
        tail = f":{keyer.person_key(None, number)[:16]}" if number else ""
        return Draft(record_key=f"{year or 'na'}:person:{key[:32]}:{auth}{tail}",
                     subject=subject(key, "person", province=shown), payload=payload,
                     facets={"party_type": "person", "province": shown},
                     fields_present=present)
    shown_name = who.name
    uscc = None if own_name and shown_name else ids["uscc"]
    key = company_key(uscc=uscc, name=shown_name) if (uscc or shown_name) else \
        f"tax:{ids['taxpayer_id']}"
    payload = {"party_type": "company", "name": shown_name, "uscc": ids["uscc"],
               "taxpayer_id": ids["taxpayer_id"], "org_code": ids["org_code"],
               "branch": F.is_branch(shown_name or ""), **common}
    if who.owner:
        # A sole trader's business under its trading name: the operator only as a placeholder.
        payload.update(sole_trader=True, operator=_operator(keyer, who.owner))
    # Two numbers under one name are two taxpayers (or a renumbered one): two records. A
    # number already in the subject key (a USCC) adds nothing.
    number = ids["taxpayer_id"] or (ids["uscc"] if uscc != ids["uscc"] else None)
    tail = f":{number}" if number and key not in (f"uscc:{number}", f"tax:{number}") else ""
    return Draft(record_key=f"{year or 'na'}:{key}:{auth}{tail}",
                 subject=subject(key, "company", name=shown_name, code=ids["uscc"],
                                 province=shown),
                 payload=payload, facets={"party_type": "company", "province": shown},
                 fields_present=present)


def _person_key(keyer: Keyer, who: F.Party, v: dict[str, str], name: str) -> str:
    """A listed person's key: name and resident ID when the number is built on one (as the
    other person sources key them), else the name alone."""
    owner = who.owner or name
    resident = next((r for f in ID_FIELDS if (raw := v.get(f))
                     and F.classify_id(raw, name)["id_kind"] == "withheld_personal_id"
                     and (r := F.resident_id_in(raw))), None)
    return keyer.person_key(owner, resident) if resident else keyer.name_key(owner)


def _operator(keyer: Keyer, owner: str) -> str:
    """A sole trader's owner as a placeholder: keyed as that name listed alone would be."""
    return person_token(keyer, keyer.name_key(owner))


def _ids(values: dict[str, str], name: str) -> dict[str, str | None]:
    """Identifiers of a row. With both a USCC and a taxpayer-number column, the valid USCC
    wins whichever column it is in, and the taxpayer number is the one published as such."""
    found = [F.classify_id(values[f], name) for f in ("uscc", "taxpayer_id") if values.get(f)]
    if not found:
        return F.classify_id("", name)
    best = next((i for i in found if i["id_kind"] == "uscc"), found[0])
    if values.get("taxpayer_id"):
        best = {**best, "taxpayer_id": found[-1]["taxpayer_id"]}
    if any(i["id_kind"] == "withheld_personal_id" for i in found):
        best = {**best, "taxpayer_id": None, "id_kind": "withheld_personal_id"}
    return best


def _date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        day = parse_date(value)
    except ValueError:
        return None
    return day.isoformat() if day else None

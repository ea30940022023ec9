"""The OFAC legacy CSV set: sdn.csv, add.csv, alt.csv and sdn_comments.csv (and cons_* twins).

The files have no header row, so columns are known only by their documented order (sources.md
section 7); which file is which comes from its name, else from its column count. `-0-` (with a
trailing space) means empty. Each file alone is checked row by row and fails loudly on a row of
the wrong shape; observations come from sdn.csv, completed by the other three when they are
read together (a zip of the set, or the spider's four downloads).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import PurePosixPath

from watchdog.parsers import foreign_common as fc
from watchdog.parsers.base import Rejection
from watchdog.parsers.errors import FormatError
from watchdog.parsers.ofac_sdn_entries import Entry, remark_segments, sdn_type, split_programs
from watchdog.privacy import Keyer

COLUMNS: dict[str, tuple[str, ...]] = {
    "sdn": ("ent_num", "sdn_name", "sdn_type", "program", "title", "call_sign", "vess_type",
            "tonnage", "grt", "vess_flag", "vess_owner", "remarks"),
    "add": ("ent_num", "add_num", "address", "city_state_postal", "country", "add_remarks"),
    "alt": ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks"),
    "comments": ("ent_num", "remarks_extended"),
}
WITHHELD = "[withheld: natural person]"
Table = list[tuple[int, list[str]]]


def kind_of(name: str | None, first: list[str]) -> str:
    """Which file of the set: from the file or URL name, else from the first row's shape."""
    stem = PurePosixPath((name or "").split("?")[0].lower()).name
    for kind, pattern in (("comments", r"comments"), ("add", r"(^|[_\-.])add([_\-.]|$)"),
                          ("alt", r"(^|[_\-.])alt([_\-.]|$)"), ("sdn", r"(sdn|cons_prim|prim)")):
        if re.search(pattern, stem):
            return kind
    if len(first) >= 12:
        return "sdn"
    if len(first) >= 5 and first[2].strip().lower() in ("aka", "fka", "nka"):
        return "alt"
    if len(first) >= 6:
        return "add"
    if len(first) == 5:
        return "alt"
    if len(first) >= 2:
        return "comments"
    raise FormatError(f"not a file of the OFAC CSV set: first row has {len(first)} column(s)")


def read_table(text: str, name: str | None) -> tuple[str, Table]:
    """Rows of one file, each checked: enough columns, an entry number in the first."""
    rows = list(fc.csv_rows(text, PurePosixPath(name or "file").name))
    if not rows:
        raise FormatError("an empty file, not a file of the OFAC CSV set")
    kind = kind_of(name, rows[0][1])
    want = len(COLUMNS[kind])
    label = f"{kind}.csv" if kind != "comments" else "sdn_comments.csv"
    for line, row in rows:
        if len(row) < want:
            raise FormatError(f"{label} line {line}: {len(row)} column(s), expected {want} "
                              f"({', '.join(COLUMNS[kind])})")
        if not row[0].strip().isdigit():
            raise FormatError(f"{label} line {line}: the first column is not an entry number")
    return kind, rows


def _extra(row: list[str], kind: str) -> dict[str, str]:
    want = len(COLUMNS[kind])
    return {f"{kind}_column_{i + 1}": "str" for i in range(want, len(row)) if fc.clean(row[i])}


def entries(tables: dict[str, Table], *, consolidated: bool = False
            ) -> tuple[list[Entry], list[Rejection]]:
    """Entries of sdn.csv, with the addresses, aliases and remark continuations of the others."""
    by_uid: dict[str, Entry] = {}
    for _, row in tables["sdn"]:
        cols = dict(zip(COLUMNS["sdn"], row, strict=False))
        uid = row[0].strip()
        entry = Entry(uid=uid, name=fc.clean(cols["sdn_name"]) or "", consolidated=consolidated,
                      sdn_type=sdn_type(cols["sdn_type"]), programs=split_programs(cols["program"]),
                      title=fc.clean(cols["title"]), remarks=fc.clean(cols["remarks"]),
                      unknown=_extra(row, "sdn"))
        entry.present = {k for k, v in cols.items() if fc.clean(v)}
        vessel = {k: fc.clean(cols[k]) for k in ("call_sign", "vess_type", "tonnage", "grt",
                                                   "vess_flag", "vess_owner")}
        entry.vessel = {k: v for k, v in vessel.items() if v}
        by_uid[uid] = entry
    rejections: list[Rejection] = []
    for kind in ("add", "alt", "comments"):
        for line, row in tables.get(kind, []):
            entry = by_uid.get(row[0].strip())
            if entry is None:
                rejections.append(Rejection(line, f"{kind}.csv line {line}: entry "
                                                  f"{row[0].strip()} is not in sdn.csv"))
                continue
            cols = dict(zip(COLUMNS[kind], row, strict=False))
            entry.unknown.update(_extra(row, kind))
            entry.present.add({"add": "addresses", "alt": "aliases", "comments": "comments"}[kind])
            if kind == "add":
                address = {"address": fc.clean(cols["address"]),
                           "city": fc.clean(cols["city_state_postal"]),
                           "country": fc.clean(cols["country"])}
                if any(address.values()):
                    entry.addresses.append({k: v for k, v in address.items() if v})
            elif kind == "alt" and (alias := fc.clean(cols["alt_name"])):
                entry.aliases.append(alias)
            elif kind == "comments":
                # sdn.csv cuts long remarks mid-word; the comment carries on where it stopped.
                entry.remarks = (entry.remarks or "") + (cols["remarks_extended"] or "").strip()
    return list(by_uid.values()), rejections


# -- redaction of archived copies -------------------------------------------------------------
_PERSON_SEGMENT = re.compile(r"^(?:alt\.\s+)?(?:DOB|POB|Passport|National ID|Personal ID|SSN|"
                             r"Cedula|CURP|Driver|Gender|nationality|citizen|Identification "
                             r"Number [^I])", re.IGNORECASE)
_ALIAS_SEG = re.compile(r"^((?:a|f|n)\.k\.a\.\s*['‘’\"])(.+?)(['‘’\"]?)$", re.IGNORECASE)


def redact_remarks(text: str, keyer: Keyer, *, of_person: bool | None) -> str:
    """Remarks with persons' names keyed. `of_person` None: not known whose remarks these are
    (a comments file read alone), so person-shaped segments are withheld too."""
    if of_person:
        return WITHHELD
    out = []
    for seg in remark_segments(text) if text.strip() not in fc.NULLS else []:
        if (m := _ALIAS_SEG.match(seg)) and of_person is None and not fc.looks_like_org(m[2]):
            seg = m[1] + fc.token(keyer, m[2]) + m[3]
        elif seg.lower().startswith("linked to:"):
            target = seg.split(":", 1)[1].strip()
            if not fc.looks_like_org(target):
                seg = "Linked To: " + fc.token(keyer, target)
        elif of_person is None and _PERSON_SEGMENT.match(seg):
            seg = WITHHELD
        out.append(seg)
    return "; ".join(out) + ("." if out else "") if out else text


def redact_table(body: bytes, name: str | None, keyer: Keyer,
                 roles: dict[str, bool] | None = None) -> bytes:
    """The file with natural persons replaced. `roles` (entry number -> is an individual) is
    known when sdn.csv comes in the same bundle; for an entry it does not list, or without it,
    names are judged by their shape."""
    text = fc.decode_text(body)
    rows = list(csv.reader(io.StringIO(text, newline="")))  # lenient: broken files still archive
    first = next((r for r in rows if r), [])
    try:
        kind = kind_of(name, first)
    except FormatError:
        kind = "unknown"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        uid = row[0].strip() if row else ""
        is_person = (roles or {}).get(uid)
        if kind == "sdn" and len(row) >= 12:
            is_person = sdn_type(row[2]) == "individual"
            if is_person:
                row = [row[0], fc.token(keyer, row[1]), *row[2:4], "-0- ", *row[5:11], WITHHELD,
                       *row[12:]]
            else:
                row = [*row[:11], redact_remarks(row[11], keyer, of_person=False), *row[12:]]
        elif kind == "alt" and len(row) >= 4:
            if is_person or (is_person is None and not fc.looks_like_org(row[3])):
                row = [*row[:3], fc.token(keyer, row[3]), *row[4:]]
        elif kind == "add" and len(row) >= 5 and is_person:
            row = [row[0], row[1], "-0- ", "-0- ", *row[4:]]
        elif kind == "comments" and len(row) >= 2:
            row = [row[0], redact_remarks(row[1], keyer, of_person=is_person), *row[2:]]
        elif kind == "unknown":
            row = [c if fc.looks_like_org(c) or not re.search(r"[A-Za-z]", c) else
                   fc.token(keyer, c) for c in row]
        writer.writerow(row)
    return out.getvalue().encode("utf-8")

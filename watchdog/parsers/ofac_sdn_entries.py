"""One SDN entry, whichever file it came from (the CSV set or SDN.XML), and its observation.

The CSV set packs aliases, registration numbers and links into the free-text Remarks; SDN.XML
gives them as elements. Both are read into an `Entry`, and one function turns an entry into a
`Draft`, so an entry keeps its record key (`ofac:<entry number>`, the XML `uid`) and nearly
the same payload in either format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from watchdog.parsers import foreign_common as fc
from watchdog.parsers.base import Draft
from watchdog.privacy import Keyer

LIST_NAME = "OFAC Specially Designated Nationals and Blocked Persons List (SDN)"
CONS_LIST_NAME = "OFAC Consolidated Sanctions List (non-SDN)"

_ALIAS = re.compile(r"^(a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s*['‘’\"](.+?)['‘’\"]?$", re.IGNORECASE)
_ID = re.compile(r"^(?:alt\.\s+)?(?P<label>.+?)\s+(?P<value>[^\s()]*\d[^\s()]*)"
                 r"(?P<where>(?:\s+\([^()]+\))*)$")
_ID_LABEL = re.compile(r"number|\bno\b\.?|\bid\b|code|registration|identification|mmsi|\bimo\b|"
                       r"\bnit\b|\brfc\b|\bcuit\b|\bruc\b|d-u-n-s|\blei\b|swift|\bbic\b|\bmsn\b",
                       re.IGNORECASE)
_NOT_ID = re.compile(r"date|phone|telephone|fax|digital currency|e-?mail|website|passport|ssn|"
                     r"cedula|curp|driver|birth|gender|transponder", re.IGNORECASE)
_PERSON_HINT = re.compile(r"^(?:nationality|citizen)\s+(.+)$", re.IGNORECASE)
_INFO = re.compile(r"^(additional sanctions information|secondary sanctions risk|executive order|"
                   r"transactions prohibited|effective date|ifca determination|listing date)",
                   re.IGNORECASE)


@dataclass
class Entry:
    uid: str
    name: str
    sdn_type: str                    # entity | individual | vessel | aircraft
    programs: list[str] = field(default_factory=list)
    title: str | None = None
    remarks: str | None = None
    aliases: list[str] = field(default_factory=list)
    addresses: list[dict[str, str]] = field(default_factory=list)
    ids: list[dict[str, str]] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    vessel: dict[str, str] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)
    unknown: dict[str, str] = field(default_factory=dict)
    consolidated: bool = False       # a cons_*.csv file: the non-SDN lists


def sdn_type(raw: str | None) -> str:
    """CSV writes `individual`/`vessel`/`aircraft` and `-0-` for entities; XML capitalises."""
    value = (fc.clean(raw) or "entity").lower()
    return value if value in ("individual", "vessel", "aircraft") else "entity"


def split_programs(raw: str | None) -> list[str]:
    """'SDGT] [IFSR' -> ['SDGT', 'IFSR']."""
    return [p.strip(" []") for p in re.split(r"\]\s*\[", fc.clean(raw) or "") if p.strip(" []")]


def remark_segments(remarks: str | None) -> list[str]:
    text = (fc.clean(remarks) or "").rstrip(".")
    return [seg.strip().rstrip(".").strip() for seg in text.split("; ") if seg.strip()]


def read_remarks(entry: Entry) -> dict[str, list[Any]]:
    """Aliases, identifiers, links and sanctions notes packed in the Remarks text."""
    out: dict[str, list[Any]] = {"aliases": [], "ids": [], "linked_to": [], "info": [],
                                 "websites": [], "countries": []}
    for seg in remark_segments(entry.remarks):
        if m := _ALIAS.match(seg):
            out["aliases"].append(m[2].strip())
        elif seg.lower().startswith("linked to:"):
            out["linked_to"].append(seg.split(":", 1)[1].strip())
        elif m := _PERSON_HINT.match(seg):
            out["countries"].append(m[1])
        elif _INFO.match(seg):
            out["info"].append(seg)
        elif seg.lower().startswith(("website ", "alt. website ")):
            out["websites"].append(seg.split()[-1])
        elif (m := _ID.match(seg)) and _ID_LABEL.search(m["label"]) and not _NOT_ID.search(seg):
            wheres = re.findall(r"\(([^()]+)\)", m["where"] or "")
            out["ids"].append({"type": m["label"].strip(), "value": m["value"],
                               "country": wheres[-1] if wheres else None})
    return out


_NOT_AN_ID = re.compile(r"date|digital currency|e-?mail|website|phone|fax|gender|nationality|"
                        r"sanctions|transactions prohibited|directive|executive order",
                        re.IGNORECASE)


def _ids(entry: Entry, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Registration numbers and the like; SDN.XML's idList also holds dates, e-mail and
    wallet addresses, which are not identifiers of a company."""
    seen: set[tuple[str, str]] = set()
    out = []
    for ident in [*entry.ids, *found]:
        value = fc.clean(ident.get("value"))
        if not value or (ident.get("type"), value) in seen or \
                _NOT_AN_ID.search(ident.get("type") or ""):
            continue
        seen.add((ident.get("type"), value))
        out.append({"type": fc.clean(ident.get("type")), "value": value,
                    "country": fc.clean(ident.get("country"))})
    return out


def entry_draft(entry: Entry, keyer: Keyer) -> Draft:
    """The observation of one entry. Individuals keep only list, programs and country."""
    parsed = read_remarks(entry)
    list_name = CONS_LIST_NAME if entry.consolidated else LIST_NAME
    countries = fc.countries_of([*(a.get("country") for a in entry.addresses),
                                 *entry.nationalities, *parsed["countries"]])
    common = {"list_name": list_name, "list_code": "CONS" if entry.consolidated else "SDN",
              "programs": entry.programs, "countries": countries, "listed_on": None}
    record_key = f"ofac:{entry.uid}"
    if entry.sdn_type == "individual":
        body = fc.payload(entity_type="individual", **common)
        return fc.draft(record_key, fc.person_subject(keyer, entry.name), body,
                        source_record_id=entry.uid, present=entry.present,
                        unknown=entry.unknown)
    ids = _ids(entry, parsed["ids"])
    uscc = fc.find_uscc(*(i["value"] for i in ids))
    names = [entry.name, *entry.aliases, *parsed["aliases"]]
    chinese = next((n for n in names if fc.han(n)), None)
    linked = [n if fc.looks_like_org(n) else fc.token(keyer, n) for n in parsed["linked_to"]]
    extra: dict[str, Any] = {
        "uscc": uscc, "chinese_name": chinese, "addresses": entry.addresses,
        "linked_to": linked, "sanctions_info": parsed["info"], "websites": parsed["websites"],
        "vessel": entry.vessel, "title": entry.title}
    body = fc.payload(entity_type=entry.sdn_type, names=names, identifiers=ids, **common, **extra)
    if entry.sdn_type in ("vessel", "aircraft"):
        ident = next((re.sub(r"^(IMO|MSN)\s+", "", i["value"]) for i in ids
                      if re.search(r"IMO|MSN|Serial", f"{i['type']} {i['value']}")), None)
        subj = fc.thing_subject(entry.sdn_type, entry.name, ident)
    else:
        subj = fc.company_subject(entry.name, uscc=uscc, chinese_name=chinese,
                                  country=countries[0] if countries else None)
    return fc.draft(record_key, subj, body, source_record_id=entry.uid, present=entry.present,
                    unknown=entry.unknown)

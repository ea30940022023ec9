"""One row of the World Bank's list of ineligible firms and individuals, from the JSON API or
the Excel export, into an observation.

Fields are known by name: the API's SAP-style keys (SUPP_NAME, ADD_SUPP_INFO, ...) and the
export's column titles (Firm Name, Additional Firm Info, ...) map to one canonical record. The
firm name can embed aliases ("a.k.a.", "f/k/a", "d/b/a") and footnote markers ("*647"); the
additional info often gives a Chinese firm's registered Chinese name and USCC, e.g.
`(新疆北朋土木工程检测咨询有限公司)(91650104766801418W)*647`, which the matcher needs.
Firms are keyed by USCC, else Chinese name, else normalised name and country; the record key is
name + country + start of debarment, because the export carries no supplier id.
"""

from __future__ import annotations

import re
from typing import Any

from watchdog.parsers import foreign_common as fc
from watchdog.parsers.base import Draft
from watchdog.parsers.common import normalise_width
from watchdog.parsers.errors import RecordError
from watchdog.privacy import Keyer

LIST_NAME = "World Bank Listing of Ineligible Firms and Individuals"
FIELDS = {
    "supp_name": "name", "firm_name": "name", "name": "name", "firm": "name",
    "supplier_name": "name", "add_supp_info": "info", "additional_firm_info": "info",
    "additional_info": "info", "supp_addr": "address", "address": "address",
    "supplier_address": "address", "supp_city": "city", "city": "city",
    "supp_state_code": "state", "supp_zip_code": "zip", "country_name": "country",
    "country": "country", "land1": "country_code", "country_code": "country_code",
    "debar_from_date": "from", "from_date": "from", "from": "from",
    "ineligibility_period_from_date": "from", "ineligibility_from": "from",
    "debar_to_date": "to", "to_date": "to", "to": "to", "ineligibility_period_to_date": "to",
    "ineligibility_to": "to", "debar_reason": "grounds", "grounds": "grounds",
    "reason": "grounds", "ineligibly_status": "status", "ineligibility_status": "status",
    "supp_type_code": "type_code", "supp_id": "supp_id", "elig_stat": "elig_stat",
    "supp_elig_stat": "supp_elig_stat", "inelig_flg": "inelig_flg", "debar_type": "debar_type",
    "last_refresh_date": "last_refresh"}
PERSON_FIELDS = frozenset({"info", "address", "city", "state", "zip"})
_ALIAS = re.compile(r"\s*[(,;]?\s*\b(?:a\.?k\.?a\.?|f/k/a|d/b/a|dba|f\.?k\.?a\.?|n\.?k\.?a\.?|"
                    r"also known as|formerly known as|previously known as|now known as|"
                    r"formerly)\b[:.]?\s+", re.IGNORECASE)
_FOOTNOTE = re.compile(r"\*\s*(\d+(?:\s*,\s*\d+)*)")
_REG = re.compile(r"^(?P<label>[A-Za-z][A-Za-z .'/]*?(?:No|Number|ID|Code)\.?)\s*[:.]?\s*"
                  r"(?P<value>\S*\d\S*)$", re.IGNORECASE)


def canonical(name: str) -> str | None:
    return FIELDS.get(fc.norm_header(name))


def is_person(rec: dict[str, Any]) -> bool:
    """Whether a row names a natural person: type I, or a sole trader ("ZHANG SAN d/b/a ...")
    whatever its type (the list types them F, as firms), or, untyped, a name not read as a
    firm's. Such rows keep no name, address or details; see row_draft for a trading name."""
    code = (fc.clean(rec.get("type_code")) or "").upper()
    name = fc.clean(rec.get("name"))
    if code == "I" or fc.sole_trader(name):
        return True
    if code:
        return False
    return not fc.looks_like_org(name)


def split_name(raw: str) -> tuple[str, list[str], list[str]]:
    """(name, aliases, footnotes) of a firm name as published."""
    notes = [n for m in _FOOTNOTE.findall(raw) for n in re.split(r"\s*,\s*", m)]
    text = _FOOTNOTE.sub("", raw)
    parts = [_balance(p) for p in _ALIAS.split(text)]
    parts = [p for p in parts if p]
    return (parts[0] if parts else text.strip()), parts[1:], notes


def _balance(text: str) -> str:
    """Drop a bracket left unmatched where an alias was cut out: 'X (a.k.a. Y)' -> 'X', 'Y'."""
    text = text.strip(" ,;")
    if text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip()
    if text.startswith("(") and text.count("(") > text.count(")"):
        text = text[1:].lstrip()
    return text


_INNER_BRACKETS = re.compile(r"([\u3400-\u9fff])\s*[(（]([\u3400-\u9fff]{1,10})[)）]\s*(?=[\u3400-\u9fff])")
_KEEP_OPEN, _KEEP_CLOSE = "\ue000", "\ue001"  # private-use: never in a record


def top_level_groups(text: str) -> tuple[list[str], str]:
    """(bracketed groups, the text outside them), matched by depth: a Chinese firm name keeps
    the brackets inside it, '(河南省地矿建设工程(集团)有限公司)' is one group, not '集团'. Half- and
    full-width brackets pair alike, as the export mixes them ('(方正国际软件（北京）有限公司)').
    A group still open at the end is a group; a stray closing bracket is dropped."""
    groups: list[str] = []
    outside: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch in "(（":
            if depth:
                current.append(ch)
            depth += 1
        elif ch in ")）" and depth > 1:
            current.append(ch)
            depth -= 1
        elif ch in ")）":
            if depth:
                groups.append("".join(current))
                current, depth = [], 0
            outside.append(" ")
        elif depth:
            current.append(ch)
        else:
            outside.append(ch)
    if depth and current:
        groups.append("".join(current))
    return groups, "".join(outside)


def read_info(raw: str | None) -> dict[str, Any]:
    """Chinese name, USCC, aliases, registration numbers and footnotes in the additional info."""
    out: dict[str, Any] = {"chinese_name": None, "uscc": None, "aliases": [], "ids": [],
                           "notes": [], "footnotes": []}
    if not raw:
        return out
    out["footnotes"] = [n for m in _FOOTNOTE.findall(raw) for n in re.split(r"\s*,\s*", m)]
    # Brackets between Chinese characters are part of one name (河北建设集团（宁波）供应链管理有限公司),
    # not a group of their own: kept aside so the name is not cut into 宁波 and the rest.
    text = _INNER_BRACKETS.sub(lambda m: f"{m[1]}{_KEEP_OPEN}{m[2]}{_KEEP_CLOSE}",
                               _FOOTNOTE.sub("", raw).strip())
    groups, bare = top_level_groups(text)
    groups = [g.replace(_KEEP_OPEN, "(").replace(_KEEP_CLOSE, ")") for g in groups]
    bare = bare.replace(_KEEP_OPEN, "(").replace(_KEEP_CLOSE, ")")
    bare = bare.strip(" ,;")
    for group in [*groups, *([bare] if bare else [])]:
        group = group.strip()
        if not group:
            continue
        if fc.han(group) and not out["chinese_name"]:
            # "(新疆交通建设集团股份有限公司, 新疆交建)": the registered name, then a short name.
            first, *others = [p.strip() for p in re.split(r"[,，、;；]", group) if p.strip()]
            out["chinese_name"] = normalise_width(first)
            out["aliases"] += [normalise_width(o) for o in others]
        elif uscc := fc.find_uscc(group):
            out["uscc"] = out["uscc"] or uscc
        elif _ALIAS.match(" " + group):
            out["aliases"] += [p.strip() for p in _ALIAS.split(" " + group) if p.strip()]
        elif m := _REG.match(group):
            out["ids"].append({"type": m["label"].strip(), "value": _id_value(m["value"]),
                               "country": None})
        else:
            out["notes"].append(group)
    if out["uscc"]:
        out["ids"].append({"type": "Unified Social Credit Code", "value": out["uscc"],
                           "country": "CN"})
    return out


def _id_value(text: str) -> str:
    """A registration number without trailing punctuation; a closing bracket goes only when
    unmatched, so '16-00009045/4516/(F/1)' keeps its own."""
    text = text.rstrip(".,")
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip(".,")
    return text


def row_draft(rec: dict[str, Any], keyer: Keyer, unknown: dict[str, str]) -> Draft:
    raw_name = fc.clean(rec.get("name"))
    if not raw_name:
        raise RecordError("no firm name")
    try:
        start, end = fc.parse_date(rec.get("from")), _end(rec.get("to"))
    except ValueError as exc:
        raise RecordError(str(exc)) from None
    permanent = end is not None and end.year >= 2999
    country_name = fc.clean(rec.get("country"))
    countries = fc.countries_of([country_name, rec.get("country_code")])
    where = fc.country_code(country_name) or (country_name or "").upper() or \
        (fc.clean(rec.get("country_code")) or "")
    status = fc.clean(rec.get("status")) or ("Permanent" if permanent else None)
    common: dict[str, Any] = {
        "list_name": LIST_NAME, "list_code": "WB",
        "grounds": [g for g in [fc.clean(rec.get("grounds"))] if g], "countries": countries,
        "listed_on": start, "listed_until": None if permanent else fc.iso(end),
        "permanent": permanent or None, "status": status,
        "cross_debarment": bool(re.search(r"cross[- ]?debarment",
                                          fc.clean(rec.get("grounds")) or "", re.IGNORECASE))
        or None}
    present = [k for k, v in rec.items() if fc.clean(v)]
    sid = fc.clean(rec.get("supp_id"))
    if is_person(rec):
        trader = fc.sole_trader(raw_name)
        if trader and (shown := fc.trade_name(trader)):
            return _sole_trader_draft(trader.owner, shown, common, keyer, where=where,
                                      start=start, sid=sid, present=present, unknown=unknown)
        owner = trader.owner if trader else raw_name
        who = fc.person_key(keyer, owner)[:32]
        body = fc.payload(entity_type="individual", **common)
        return fc.draft(f"wb:p:{who}|{where}|{fc.iso(start) or ''}",
                        fc.person_subject(keyer, owner), body, source_record_id=sid,
                        present=present, unknown=unknown)
    # A trading name that reads as a person's (a sole trader's own) is keyed before reading.
    name, aliases, notes = split_name(fc.redact_trade_names(keyer, raw_name))
    info_text = fc.clean(rec.get("info"))
    info_text = fc.redact_trade_names(keyer, info_text) if info_text else None
    info = read_info(info_text)
    uscc = info["uscc"] or fc.find_uscc(raw_name)
    address = ", ".join(p for p in (fc.clean(rec.get(k)) for k in ("address", "city", "state",
                                                                    "zip")) if p)
    extra = {"uscc": uscc, "chinese_name": info["chinese_name"],
             "additional_info": info_text, "notes": info["notes"],
             "footnotes": sorted(set(notes + info["footnotes"])),
             "addresses": [{"address": address, "country": countries[0] if countries else None}]
             if address else []}
    names = [n for n in [name, *aliases, *info["aliases"], info["chinese_name"]]
             if n and not fc.is_token(n)]
    body = fc.payload(entity_type="firm", names=names, identifiers=info["ids"], **common, **extra)
    subj = fc.company_subject(name, uscc=uscc, chinese_name=info["chinese_name"],
                              country=countries[0] if countries else None)
    # The export has no supplier id: a firm is its registration (USCC, else Chinese name, else
    # English name and country) and the start of its debarment.
    who = (f"uscc:{uscc}" if uscc else fc.normalise(info["chinese_name"]) if info["chinese_name"]
           else f"{fc.normalise(name)}|{where}")
    return fc.draft(f"wb:{who}|{fc.iso(start) or ''}", subj, body, source_record_id=sid,
                    present=present, unknown=unknown)


def _sole_trader_draft(owner: str, trade: str, common: dict[str, Any], keyer: Keyer, *,
                       where: str, start: Any, sid: str | None, present: list[str],
                       unknown: dict[str, str]) -> Draft:
    """A person trading under a business name: the business, by its trading name alone. The
    owner is only a keyed placeholder, and the row's address and additional info (a sole
    trader's are the person's own: home address, ID number) are not kept."""
    name, _, notes = split_name(trade)  # aliases after it may name the owner: not kept
    countries = common["countries"]
    body = fc.payload(entity_type="firm", names=[name], sole_trader=True,
                      operator=fc.token(keyer, owner), footnotes=sorted(set(notes)), **common)
    subj = fc.company_subject(name, country=countries[0] if countries else None)
    return fc.draft(f"wb:{fc.normalise(name)}|{where}|{fc.iso(start) or ''}", subj, body,
                    source_record_id=sid, present=present, unknown=unknown)


def _end(value: object) -> Any:
    """Debarment end: a date; 'Permanent'/'Ongoing' and 2999-12-31 mean no end."""
    text = fc.clean(value) if not hasattr(value, "year") else None
    if text and re.fullmatch(r"(?i)permanent|ongoing|indefinite(ly)?|open[- ]ended", text):
        return fc.parse_date("2999-12-31")
    return fc.parse_date(value)

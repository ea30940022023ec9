"""One row of the Consolidated Screening List, from the CSV or the JSON, into an observation.

Columns are known by name (normalised, with synonyms); CSV cells pack several values with `; `
(addresses ending in an ISO country code, aliases sometimes led by "and ", identifiers as
"CC, number, type"), JSON gives lists and objects. Both reduce to the same canonical record.
The Entity List and the Denied Persons List leave `type` empty and name persons and firms in
one column: a row is a firm only when its name reads as one, so a person is never kept by name.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from watchdog.parsers import foreign_common as fc
from watchdog.parsers.base import Draft
from watchdog.parsers.errors import RecordError
from watchdog.privacy import Keyer

KNOWN = frozenset("""_id source entity_number type programs name title addresses
federal_register_notice start_date end_date standard_order license_requirement license_policy
call_sign vessel_type gross_tonnage gross_registered_tonnage vessel_flag vessel_owner remarks
source_list_url alt_names citizenships dates_of_birth nationalities places_of_birth
source_information_url ids country""".split())
SYNONYMS = {
    "id": "_id", "uid": "_id", "list": "source", "source_list": "source", "list_name": "source",
    "entity_type": "type", "party_type": "type", "program": "programs", "full_name": "name",
    "entity_name": "name", "party_name": "name", "address": "addresses",
    "aliases": "alt_names", "alternate_names": "alt_names", "alt_name": "alt_names",
    "also_known_as": "alt_names", "fr_notice": "federal_register_notice",
    "federal_register_notices": "federal_register_notice", "fr_citation": "federal_register_notice",
    "effective_date": "start_date", "listing_date": "start_date", "date_listed": "start_date",
    "expiration_date": "end_date", "citizenship": "citizenships", "date_of_birth": "dates_of_birth",
    "dob": "dates_of_birth", "nationality": "nationalities", "place_of_birth": "places_of_birth",
    "identifiers": "ids", "id_numbers": "ids", "source_url": "source_list_url",
    "source_info_url": "source_information_url"}
PERSON_FIELDS = ("title", "addresses", "remarks", "ids", "dates_of_birth", "places_of_birth",
                 "citizenships", "nationalities", "alt_names")


def canonical(name: str) -> str:
    key = fc.norm_header(name)
    return SYNONYMS.get(key, key)


def list_code(source: str | None) -> str:
    """'Entity List (EL) - Bureau of Industry and Security' -> 'EL'."""
    if m := re.search(r"\(([A-Z0-9][A-Z0-9&/\-]{0,15})\)", source or ""):
        return m[1]
    return re.sub(r"[^A-Z0-9]+", "-", (source or "unknown").upper()).strip("-")[:24] or "UNKNOWN"


def is_person(rec: dict[str, Any]) -> bool:
    """Whether a row names a natural person: typed so, or a sole trader ("Zhang Wei trading as
    ...") unless typed a vessel or aircraft, or, untyped, a name not read as a firm's."""
    kind = (fc.clean(rec.get("type")) or "").lower()
    name = fc.clean(rec.get("name"))
    if kind == "individual" or (kind not in ("vessel", "aircraft") and fc.sole_trader(name)):
        return True
    if kind:
        return False
    return not fc.looks_like_org(name)


def split_list(value: object, *, names: bool = False) -> list[str]:
    """A JSON list, or a `; `-joined cell (an alias list may begin its last item with 'and '
    and end with a full stop)."""
    items = value if isinstance(value, list) else re.split(r";\s*", str(value or ""))
    out = []
    for item in items:
        text = fc.clean(item if isinstance(item, str) else str(item))
        if text:
            out.append(re.sub(r"^and\s+", "", text).rstrip(".") if names else text)
    return out


def addresses(value: object) -> list[dict[str, str]]:
    out = []
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                parts = [fc.clean(item.get(k)) for k in ("address", "city", "state",
                                                         "postal_code")]
                address = {"address": ", ".join(p for p in parts if p),
                           "country": fc.clean(item.get("country"))}
            else:
                address = _address_text(str(item))
            out.append({k: v for k, v in address.items() if v})
        return out
    return [a for a in (_address_text(t) for t in split_list(value)) if a]


def _address_text(text: str) -> dict[str, str]:
    """'Room 5, Tower 2, Shenzhen, CN' -> address and country, as the JSON gives them."""
    m = re.search(r"(?:^|,\s*)([A-Z]{2})\s*$", text.strip())
    if not (m and fc.country_code(m[1])):
        return {"address": text.strip()}
    street = text.strip()[:m.start()].strip(" ,")
    return {"address": street, "country": m[1]} if street else {"country": m[1]}


def identifiers(value: object) -> list[dict[str, Any]]:
    out = []
    if isinstance(value, list) and all(isinstance(i, dict) for i in value):
        for item in value:
            out.append({"type": fc.clean(item.get("type")), "value": fc.clean(item.get("number")),
                        "country": fc.clean(item.get("country"))})
    else:
        for item in split_list(value):
            parts = [p.strip() for p in item.split(", ")]
            if len(parts) >= 3 and re.fullmatch(r"[A-Z]{2}|", parts[0]):
                out.append({"country": parts[0] or None, "value": parts[1],
                            "type": ", ".join(parts[2:])})
            elif len(parts) >= 2:
                out.append({"country": None, "value": parts[0], "type": ", ".join(parts[1:])})
    # "Subject to Directive 1" and similar are sanctions notes, not identifiers.
    return [i for i in out if i["value"] and re.search(r"\d", i["value"])
            and not re.search(r"directive|executive order|sanction|website|e-?mail|phone|fax|birth|gender|"
                              r"digital currency", i["type"] or "", re.IGNORECASE)]


def ident_of(rec: dict[str, Any], keyer: Keyer) -> str:
    """What tells this row apart when the list gives no number: the name (keyed for a person)
    and the listing date."""
    name = fc.clean(rec.get("name")) or ""
    who = fc.person_key(keyer, fc.owner_name(name))[:32] if is_person(rec) else \
        fc.normalise(name)
    try:  # the same day however the file writes it
        listed = fc.iso(fc.parse_date(rec.get("start_date"))) or ""
    except ValueError:
        listed = fc.clean(rec.get("start_date")) or ""
    return f"{who}|{listed}"


def address_digest(rec: dict[str, Any]) -> str:
    """The same for the CSV cell and the JSON objects of one set of addresses."""
    text = " ".join(" ".join(a.values()) for a in addresses(rec.get("addresses")))
    tokens = sorted(set(re.findall(r"[A-Z0-9]+", text.upper())))
    return hashlib.sha256(" ".join(tokens).encode()).hexdigest()[:12]


def _linked(text: str | None, keyer: Keyer) -> str | None:
    if not text:
        return None
    return re.sub(r"(Linked To:\s*)([^;)]+)", lambda m: m[1] + (
        m[2] if fc.looks_like_org(m[2]) else fc.token(keyer, m[2].strip())), text)


_OPEN_END = re.compile(r"(?i)permanent(?:ly)?|indefinite(?:ly)?|ongoing|open[- ]ended|"
                       r"until further notice|no end date")


def _end(value: object, person: bool) -> dict[str, Any]:
    """End of the listing. A word instead of a date ("permanent") is kept as text, never a
    reason to drop the listing; in a person's row only its reading is kept, not the text."""
    try:
        return {"listed_until": fc.iso(fc.parse_date(value))}
    except ValueError:
        pass
    text = fc.clean(value) or ""
    permanent = bool(_OPEN_END.fullmatch(text))
    if person and not permanent:
        text = "[withheld: not a date]"
    return {"listed_until": None, "listed_until_text": text[:120],
            "permanent": True if permanent else None}


def record_draft(rec: dict[str, Any], keyer: Keyer, *, duplicated: bool,
                 unknown: dict[str, str]) -> Draft:
    name = fc.clean(rec.get("name"))
    if not name:
        raise RecordError("no name")
    source = fc.clean(rec.get("source"))
    if not source:
        raise RecordError("no source list")
    code = list_code(source)
    number = fc.clean(rec.get("entity_number"))
    ident = number or ident_of(rec, keyer) + (f"|{address_digest(rec)}" if duplicated else "")
    try:
        listed_on = fc.parse_date(rec.get("start_date"))
    except ValueError as exc:
        raise RecordError(str(exc)) from None
    person = is_person(rec)
    kind = "individual" if person else (fc.clean(rec.get("type")) or "entity").lower()
    places = addresses(rec.get("addresses"))
    countries = fc.countries_of([*(a.get("country") for a in places), rec.get("country"),
                                 *split_list(rec.get("nationalities")),
                                 *split_list(rec.get("citizenships"))])
    common: dict[str, Any] = {
        "list_name": source, "list_code": code, "programs": split_list(rec.get("programs")),
        "countries": countries, "listed_on": listed_on, **_end(rec.get("end_date"), person),
        "federal_register_notices": re.split(r"[;,]\s*(?=\d+\s*F\.?\s?R)",
                                             fc.clean(rec.get("federal_register_notice")) or "")
        if rec.get("federal_register_notice") else [],
        "source_url": fc.clean(rec.get("source_information_url"))}
    present = [k for k, v in rec.items() if v not in (None, "", [], {})]
    record_key = f"csl:{code}:{ident}"
    sid = fc.clean(rec.get("_id")) or number
    if person:
        trader = fc.sole_trader(name)
        if trader and (shown := fc.trade_name(trader)):
            # The business by its trading name alone; aliases, addresses, ids and remarks of
            # a sole trader are the person's own and are not kept.
            body = fc.payload(entity_type="entity", names=[shown], sole_trader=True,
                              operator=fc.token(keyer, trader.owner), **common)
            subj = fc.company_subject(shown, country=countries[0] if countries else None)
            return fc.draft(record_key, subj, body, source_record_id=sid, present=present,
                            unknown=unknown)
        body = fc.payload(entity_type="individual", **common)
        return fc.draft(record_key, fc.person_subject(keyer, fc.owner_name(name)), body,
                        source_record_id=sid, present=present, unknown=unknown)
    aliases = split_list(rec.get("alt_names"), names=True)
    ids = identifiers(rec.get("ids"))
    uscc = fc.find_uscc(*(i["value"] for i in ids), *aliases)
    chinese = next((a for a in [name, *aliases] if fc.han(a)), None)
    extra = {"uscc": uscc, "chinese_name": chinese, "addresses": places,
             "license_requirement": fc.clean(rec.get("license_requirement")),
             "license_policy": fc.clean(rec.get("license_policy")),
             "standard_order": fc.clean(rec.get("standard_order")),
             "remarks": _linked(fc.clean(rec.get("remarks")), keyer),
             "vessel": {k: fc.clean(rec.get(k)) for k in ("call_sign", "vessel_type",
                        "vessel_flag", "vessel_owner", "gross_tonnage",
                        "gross_registered_tonnage") if fc.clean(rec.get(k))}}
    body = fc.payload(entity_type=kind, names=[name, *aliases], identifiers=ids, **common, **extra)
    if kind in ("vessel", "aircraft"):
        subj = fc.thing_subject(kind, name, None)
    else:
        subj = fc.company_subject(name, uscc=uscc, chinese_name=chinese,
                                  country=countries[0] if countries else None)
    return fc.draft(record_key, subj, body, source_record_id=sid, present=present,
                    unknown=unknown)

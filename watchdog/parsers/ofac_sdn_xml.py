"""SDN.XML (namespace `http://tempuri.org/sdnList.xsd`, or the newer service's namespace, or
none): `<sdnList><publshInformation>` then one `<sdnEntry>` per entry.

Elements are matched by local name, so a namespace change does not break the parser; child
elements of an entry that are not in the documented schema are reported as unknown fields.
XML entities are never expanded (`resolve_entities=False`) and the network is never touched.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lxml import etree

from watchdog.parsers import foreign_common as fc
from watchdog.parsers.errors import FormatError
from watchdog.parsers.ofac_sdn_entries import Entry, sdn_type
from watchdog.privacy import Keyer

KNOWN = frozenset({
    "uid", "firstName", "lastName", "title", "sdnType", "remarks", "programList", "idList",
    "akaList", "addressList", "nationalityList", "citizenshipList", "dateOfBirthList",
    "placeOfBirthList", "vesselInfo"})
_PERSON_ONLY = ("title", "remarks", "idList", "dateOfBirthList", "placeOfBirthList")
log = logging.getLogger(__name__)


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _kids(elem: Any) -> dict[str, Any]:
    return {_local(child.tag): child for child in elem}


def _text(elem: Any, name: str) -> str | None:
    for child in elem:
        if _local(child.tag) == name:
            return fc.clean(child.text)
    return None


def _items(elem: Any | None) -> list[Any]:
    return [child for child in elem] if elem is not None else []


def _entry(elem: Any) -> Entry:
    kids = _kids(elem)
    uid = fc.clean(kids["uid"].text) if "uid" in kids else None
    if not uid or not uid.isdigit():
        raise FormatError("an sdnEntry without a numeric uid")
    first, last = _text(elem, "firstName"), _text(elem, "lastName")
    name = ", ".join(p for p in (last, first) if p)  # the CSV's "LAST, First" order
    entry = Entry(uid=uid, name=name, sdn_type=sdn_type(_text(elem, "sdnType")),
                  title=_text(elem, "title"), remarks=_text(elem, "remarks"),
                  programs=[p for p in (fc.clean(c.text) for c in _items(kids.get("programList")))
                            if p])
    entry.present = {k for k, v in kids.items() if k in KNOWN and (len(v) or fc.clean(v.text))}
    entry.unknown = {k: "str" for k in kids if k not in KNOWN}
    for aka in _items(kids.get("akaList")):
        alias = ", ".join(p for p in (_text(aka, "lastName"), _text(aka, "firstName")) if p)
        if alias:
            entry.aliases.append(alias)
    for ident in _items(kids.get("idList")):
        entry.ids.append({"type": _text(ident, "idType"), "value": _text(ident, "idNumber"),
                          "country": _text(ident, "idCountry")})
    for addr in _items(kids.get("addressList")):
        street = ", ".join(p for p in (_text(addr, f"address{i}") for i in (1, 2, 3)) if p)
        city = ", ".join(p for p in (_text(addr, "city"), _text(addr, "stateOrProvince"),
                                     _text(addr, "postalCode")) if p)
        address = {"address": street, "city": city, "country": _text(addr, "country")}
        if any(address.values()):
            entry.addresses.append({k: v for k, v in address.items() if v})
    for key in ("nationalityList", "citizenshipList"):
        entry.nationalities += [c for c in (_text(i, "country") for i in _items(kids.get(key)))
                                if c]
    if (vessel := kids.get("vesselInfo")) is not None:
        entry.vessel = {_local(c.tag): fc.clean(c.text) for c in vessel if fc.clean(c.text)}
    return entry


@dataclass
class SdnXml:
    entries: list[Entry] = field(default_factory=list)
    count: int | None = None           # Record_Count, what the file says it holds
    published: date | None = None      # Publish_Date, when it could be read
    notes: list[str] = field(default_factory=list)  # why a stated Publish_Date was not used


def read_xml(body: bytes) -> SdnXml:
    """The entries, declared record count and publish date of an SDN.XML body."""
    out = SdnXml()
    root_seen = False
    try:
        for _, elem in etree.iterparse(io.BytesIO(body), events=("end",),
                                       resolve_entities=False, no_network=True, huge_tree=True):
            name = _local(elem.tag)
            if name == "sdnEntry":
                out.entries.append(_entry(elem))
                elem.clear(keep_tail=False)
            elif name == "Record_Count" and fc.clean(elem.text):
                out.count = _count(elem.text)
            elif name == "Publish_Date" and fc.clean(elem.text):
                out.published = _publish_date(elem.text, out.notes)
            elif name == "sdnList":
                root_seen = True
    except etree.XMLSyntaxError as exc:
        raise FormatError(f"broken SDN XML (cut off?): {str(exc)[:120]}") from None
    except ValueError as exc:
        raise FormatError(f"SDN XML: {exc}") from None
    if not root_seen:
        raise FormatError("XML, but not an SDN list (no <sdnList> root)")
    return out


def _count(text: str | None) -> int:
    # The count is what the file's completeness is checked against, so a bad one is fatal; the
    # message does not quote it (error reasons are stored and shown).
    value = (text or "").strip()
    if not value.isdigit():
        raise FormatError("SDN XML: a Record_Count that is not a whole number")
    return int(value)


def _publish_date(text: str | None, notes: list[str]) -> date | None:
    """The publication date, or None with a note and a warning when it cannot be read: no
    record depends on it, so an odd date must not reject a file whose entries are all
    readable, and a date that was not read is not stored as if it had been."""
    try:
        return fc.parse_date(text)
    except ValueError as exc:  # the message shows the value only when it is date-shaped
        note = f"SDN XML: Publish_Date not read ({exc}); the list's publication date is unknown"
        log.warning("%s", note)
        notes.append(note)
        return None


def redact_xml(body: bytes, keyer: Keyer) -> bytes:
    """The XML with individuals' names keyed and their identifying details dropped."""
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        return _redact_broken(body, keyer)
    for elem in root.iter():
        if _local(elem.tag) == "sdnEntry":
            _redact_entry(elem, keyer)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def _linked(text: str, keyer: Keyer) -> str:
    return re.sub(r"Linked To: ([^;<]+?)(?=;|\.?$|<)", lambda m: "Linked To: " + (
        m[1] if fc.looks_like_org(m[1]) else fc.token(keyer, m[1])), text)


def _redact_entry(elem: Any, keyer: Keyer) -> None:
    if (_text(elem, "sdnType") or "").lower() != "individual":
        for child in elem:
            if _local(child.tag) == "remarks" and child.text:
                child.text = _linked(child.text, keyer)
        return
    name = ", ".join(p for p in (_text(elem, "lastName"), _text(elem, "firstName")) if p)
    for child in list(elem):
        local = _local(child.tag)
        if local == "lastName":
            child.text = fc.token(keyer, name)
        elif local == "firstName" or local in _PERSON_ONLY:
            elem.remove(child)
        elif local == "akaList":
            for aka in child:
                alias = ", ".join(p for p in (_text(aka, "lastName"), _text(aka, "firstName"))
                                  if p)
                for part in list(aka):
                    if _local(part.tag) == "firstName":
                        aka.remove(part)
                    elif _local(part.tag) == "lastName":
                        part.text = fc.token(keyer, alias)
        elif local == "addressList":
            for addr in child:
                for part in list(addr):
                    if _local(part.tag) in ("address1", "address2", "address3", "postalCode"):
                        addr.remove(part)


def _redact_broken(body: bytes, keyer: Keyer) -> bytes:
    """A cut-off body: each complete entry is redacted as an entry; in the cut one, every
    person-shaped value is withheld, not knowing whose entry it is."""
    def entry(m: re.Match[str]) -> str:
        try:
            elem = etree.fromstring(m[0].encode("utf-8"), etree.XMLParser(
                resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            return "<sdnEntry/>"
        _redact_entry(elem, keyer)
        return etree.tostring(elem, encoding="unicode")

    text = re.sub(r"<sdnEntry>.*?</sdnEntry>", entry, fc.decode_text(body), flags=re.DOTALL)
    head, cut, tail = text.rpartition("<sdnEntry>")
    if cut and "</sdnEntry>" not in tail:
        tail = re.sub(r"<(firstName|dateOfBirth|placeOfBirth|idNumber|title|address1|remarks)>"
                      r"[^<]*", r"<\1>[withheld]", tail)
        tail = re.sub(r"<lastName>([^<]*)", lambda m: "<lastName>" + (
            m[1] if fc.looks_like_org(m[1]) else fc.token(keyer, m[1])), tail)
        text = head + cut + tail
    return text.encode("utf-8")

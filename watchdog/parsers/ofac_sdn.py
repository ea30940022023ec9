"""Parser of `ofac_sdn`: the US Treasury's SDN list, as the legacy CSV set or as SDN.XML.

Accepted bodies: SDN.XML (any namespace); sdn.csv, add.csv, alt.csv, sdn_comments.csv (and the
cons_* twins), one at a time; a zip holding the CSV set (and/or the XML). A zip or the spider's
four downloads give complete observations; sdn.csv alone gives them without addresses and
aliases; add/alt/comments alone are checked and give nothing, with a rejection saying why.

Entities (companies, organisations), vessels and aircraft keep names, aliases, addresses,
programs and registration numbers (a USCC when published, for matching with Chinese registers);
entries with China, Hong Kong or Macau in their addresses or identifiers carry `cn_related`.
Individuals are natural persons: keyed hashes with list, programs and country only, and
`redact_bytes` keys their names in every archived copy.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import PurePosixPath

from lxml import etree

from watchdog.parsers import foreign_common as fc
from watchdog.parsers.base import ParsedFile, Rejection
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.parsers.ofac_sdn_csv import Table, entries, read_table, redact_table
from watchdog.parsers.ofac_sdn_entries import entry_draft
from watchdog.parsers.ofac_sdn_xml import read_xml, redact_xml
from watchdog.privacy import Keyer, redact_raw_bytes

WHAT = "the OFAC SDN list"
MAX_MEMBERS = 16
MAX_UNZIPPED = 512 << 20  # a zip bomb is refused, not unpacked


def parse_bytes(body: bytes, keyer: Keyer, *, name: str | None = None) -> ParsedFile:
    if body[:4] == b"PK\x03\x04":
        return parse_set(unzip(body), keyer)
    text = fc.decode_text(body)
    head = text.lstrip()[:200]
    if not head:
        raise BlockedError(f"an empty body instead of {WHAT}")
    fc.check_not_html(text, WHAT)
    if head.startswith("<"):
        return _from_xml(body, keyer)
    if head.startswith(("{", "[")):
        _json_answer(text)
    kind, rows = read_table(text, name)
    if kind != "sdn":
        label = "sdn_comments" if kind == "comments" else kind
        reason = (f"{label}.csv alone only adds to sdn.csv entries: import it together with "
                  "sdn.csv (a zip of the CSV set) to use it")
        return ParsedFile(fmt=f"ofac_csv_{kind}", rejections=[Rejection(0, reason)])
    return _from_tables({"sdn": rows}, keyer, consolidated=_is_cons(name))


def parse_set(files: dict[str, bytes], keyer: Keyer) -> ParsedFile:
    """A bundle of the CSV set (and/or SDN.XML), by file name; sdn.csv is required for CSV."""
    xml = [body for fname, body in files.items() if fname.lower().endswith(".xml")]
    if xml:
        return _from_xml(xml[0], keyer)
    tables: dict[str, Table] = {}
    for fname, body in files.items():
        text = fc.decode_text(body)
        fc.check_not_html(text, WHAT)
        kind, rows = read_table(text, fname)
        if kind in tables:
            raise FormatError(f"two {kind} files in one set")
        tables[kind] = rows
    if "sdn" not in tables:
        raise FormatError("the CSV set has no sdn.csv")
    return _from_tables(tables, keyer, consolidated=any(_is_cons(n) for n in files))


def redact_bytes(body: bytes, keyer: Keyer) -> bytes:
    """The copy to archive: individuals' names keyed, their identifying details withheld."""
    try:
        if body[:4] == b"PK\x03\x04":
            return _redact_zip(body, keyer)
        head = fc.decode_text(body[:400]).lstrip()
        if head.startswith("<?xml") or head.startswith("<sdnList"):
            return redact_xml(body, keyer)
        if head.startswith("<") or head.startswith(("{", "[")) or not head:
            return redact_raw_bytes(body, keyer)  # block pages, error JSON: nothing of ours
        return redact_table(body, None, keyer)
    except (zipfile.BadZipFile, ValueError, KeyError, csv.Error, etree.Error):
        return fc.WITHHELD_BODY


def unzip(body: bytes) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()
                     and i.filename.lower().endswith((".csv", ".xml"))]
            if not infos or len(infos) > MAX_MEMBERS:
                raise FormatError("a zip without the OFAC CSV or XML files")
            if sum(i.file_size for i in infos) > MAX_UNZIPPED:
                raise FormatError("a zip too large to be the OFAC list")
            return {PurePosixPath(i.filename).name: zf.read(i) for i in infos}
    except zipfile.BadZipFile as exc:
        raise FormatError(f"a broken zip (cut off?): {exc}") from None


def _is_cons(name: str | None) -> bool:
    return "cons_" in PurePosixPath((name or "").lower()).name


def _json_answer(text: str) -> None:
    try:
        obj = json.loads(text)
    except ValueError:
        raise FormatError(f"broken JSON, not {WHAT}") from None
    fc.check_block_json(obj, WHAT)
    raise FormatError(f"JSON, not {WHAT} (CSV or XML)")


def _from_tables(tables: dict[str, Table], keyer: Keyer, *, consolidated: bool) -> ParsedFile:
    found, rejections = entries(tables, consolidated=consolidated)
    drafts = [entry_draft(e, keyer) for e in found]
    fmt = "ofac_csv_set" if len(tables) > 1 else "ofac_csv_sdn"
    only_new = None if {"add", "alt"} <= tables.keys() else (
        "the CSV set without add.csv and alt.csv carries no addresses or aliases")
    return ParsedFile(fmt=fmt, drafts=drafts, rejections=rejections, declared_total=len(drafts),
                      only_new=only_new)


def _from_xml(body: bytes, keyer: Keyer) -> ParsedFile:
    xml = read_xml(body)
    drafts = [entry_draft(e, keyer) for e in xml.entries]
    rejections = []
    count = xml.count
    if count is not None and count != len(drafts):
        rejections.append(Rejection(len(drafts), f"the file declares {count} entries but holds "
                                                 f"{len(drafts)}"))
    # The CSV set states no date (headerless rows only): only the XML says which list it is.
    return ParsedFile(fmt="ofac_xml", drafts=drafts, rejections=rejections, declared_total=count,
                      published=xml.published, notes=xml.notes)


def _redact_zip(body: bytes, keyer: Keyer) -> bytes:
    files = unzip(body)
    roles: dict[str, bool] = {}
    for fname, member in files.items():
        if fname.lower().endswith(".csv"):
            try:
                kind, rows = read_table(fc.decode_text(member), fname)
            except FormatError:
                continue
            if kind == "sdn":
                roles = {r[0].strip(): (fc.clean(r[2]) or "").lower() == "individual"
                         for _, r in rows if len(r) > 2}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for fname in sorted(files):
            member = files[fname]
            clean = (redact_xml(member, keyer) if fname.lower().endswith(".xml")
                     else redact_table(member, fname, keyer, roles))
            # Fixed timestamps: the same input always archives to the same bytes.
            zf.writestr(zipfile.ZipInfo(fname, date_time=(1980, 1, 1, 0, 0, 0)), clean)
    return out.getvalue()

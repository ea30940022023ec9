"""The World Bank list's Excel export (openpyxl, read-only mode).

Layout as downloaded: a "Downloaded on: ..." line, a header row whose "Ineligibility Period"
cell spans two columns, and a second header row with "From Date" and "To Date" beneath it.
The header row is found by its titles (not by position) within the first rows; a second row
that names sub-columns refines the first. Redaction rewrites the workbook's shared strings, so
the archived file is still a workbook, with persons' names keyed and their details withheld.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from lxml import etree

from watchdog.parsers import foreign_common as fc
from watchdog.parsers.errors import FormatError
from watchdog.parsers.worldbank_debarred_rows import PERSON_FIELDS, canonical, is_person

HEADER_SCAN = 12
GROUP_TITLES = frozenset({"ineligibility_period", "period_of_ineligibility"})
Row = tuple[int, dict[str, Any], dict[str, str]]
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def read_rows(body: bytes) -> tuple[list[Row], str | None]:
    """(row number, canonical record, unknown columns) of each data row, and the download note."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise FormatError(f"not a readable Excel workbook (cut off?): {str(exc)[:100]}") from None
    try:
        sheet = book.active or book.worksheets[0]
        sheet.reset_dimensions()  # the export's <dimension> claims one column: ignore it
        values = [list(r) for r in sheet.iter_rows(values_only=True)]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, etree.XMLSyntaxError) as exc:
        raise FormatError(f"a broken Excel sheet: {str(exc)[:100]}") from None
    finally:
        book.close()
    start, columns, unknown = _header(values)
    note = next((str(v[0]) for v in values[:start] if v and isinstance(v[0], str)
                 and v[0].lower().startswith("downloaded")), None)
    rows: list[Row] = []
    for number, cells in enumerate(values[start:], start + 1):
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        rec = {field: cells[i] for i, field in columns.items() if i < len(cells)}
        extra = {f"column_{i + 1}": "str" for i in range(len(cells))
                 if i not in columns and i not in unknown and fc.clean(cells[i])}
        rows.append((number, rec, {**{n: "str" for n in unknown.values()}, **extra}))
    return rows, note


def _header(values: list[list[Any]]) -> tuple[int, dict[int, str], dict[int, str]]:
    """(first data row index, column -> field, column -> unknown title)."""
    for i, row in enumerate(values[:HEADER_SCAN]):
        fields = {j: canonical(str(c)) for j, c in enumerate(row) if fc.clean(c)}
        if "name" not in fields.values() or sum(1 for f in fields.values() if f) < 3:
            continue
        columns = {j: f for j, f in fields.items() if f}
        titles = {j: fc.norm_header(c) for j, c in enumerate(row) if fc.clean(c)}
        start = i + 1
        sub = values[i + 1] if i + 1 < len(values) else []
        sub_fields = {j: canonical(str(c)) for j, c in enumerate(sub) if fc.clean(c)}
        if sub_fields and "name" not in sub_fields.values() and all(sub_fields.values()):
            columns.update({j: f for j, f in sub_fields.items() if f})
            start = i + 2
        unknown = {j: t for j, t in titles.items()
                   if j not in columns and t not in GROUP_TITLES}
        for field in ("from", "to"):
            if field not in columns.values():
                raise FormatError(f"World Bank export without a '{field} date' column")
        return start, columns, unknown
    raise FormatError("an Excel file without the World Bank list's header (Firm Name, Country, "
                      "Ineligibility Period, Grounds)")


def redact_xlsx(body: bytes, keyer: Any) -> bytes:
    """The workbook with persons' names keyed and their other cells withheld."""
    rows, _ = read_rows(body)
    swap: dict[str, str] = {}
    for _, rec, _ in rows:
        if not is_person(rec):
            for field in ("name", "info"):  # a firm's trading names may name its owner
                if isinstance(rec.get(field), str):
                    if (done := fc.redact_trade_names(keyer, rec[field])) != rec[field]:
                        swap[rec[field]] = done
            continue
        name = fc.clean(rec.get("name"))
        if name:
            swap[str(rec["name"])] = fc.redact_name(keyer, name)
        for field in PERSON_FIELDS:
            if fc.clean(rec.get(field)):
                swap[str(rec[field])] = "[withheld: natural person]"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(body)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if re.fullmatch(r"xl/(sharedStrings|worksheets/sheet\d+)\.xml", info.filename):
                data = _swap_strings(data, swap)
            info.date_time = (1980, 1, 1, 0, 0, 0)  # same input, same archived bytes
            dst.writestr(info, data)
    return out.getvalue()


def _swap_strings(xml: bytes, swap: dict[str, str]) -> bytes:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.fromstring(xml, parser)
    for holder in [*root.iter(f"{_NS}si"), *root.iter(f"{_NS}is")]:
        texts = list(holder.iter(f"{_NS}t"))
        value = "".join(t.text or "" for t in texts)
        if value in swap:
            for child in list(holder):
                holder.remove(child)
            etree.SubElement(holder, f"{_NS}t").text = swap[value]
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

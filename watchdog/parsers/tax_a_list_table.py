"""Reading an A-level taxpayer list's table out of a CSV file or an HTML page, for `tax_a_list`.

The header is found by name (see `tax_a_list_fields`) within the first lines or rows, with title
lines above it kept as context (they can name the province and the year). A page that is a
block or captcha page instead of the list is refused here, by the detector every source shares
(`tax_a_list_web.raise_if_blocked`), before any table is looked for.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from watchdog.parsers import tax_a_list_fields as F
from watchdog.parsers import tax_a_list_web as web
from watchdog.parsers.errors import FormatError

ID_FIELDS = ("taxpayer_id", "uscc")
# What may follow the last line break of a whole file: spaces, tabs, NUL padding and the DOS
# end-of-file mark. A line break is never stripped: the check is whether one ends the data.
_TRAILING_JUNK = " \t\x00\x1a"


@dataclass
class Table:
    fmt: str
    headers: list[str]
    fields: list[str | None]
    rows: list[list[str]]
    context: str = ""  # title lines: they can name the province and the year
    next_pages: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    bom: bool = False
    # The data stops without a line break after the last row: that row may be cut mid-cell.
    ends_mid_row: bool = False
    lines: list[int] = field(default_factory=list)  # file line of each CSV row, for reports


def read_table(body: bytes, name: str | None, *, lenient: bool = False) -> Table:
    """The list's header and rows. `lenient` reads a body cut off by the network instead of
    refusing it (for redaction only: a cut list is never stored as if it were whole)."""
    text, encoding, cut = web.decode_text(body)
    web.raise_if_blocked(text)
    if web.looks_like_html(text):
        table = _html_table(text, name, lenient)
    else:
        table = _csv_table(text, cut and not lenient, lenient)
    table.encoding, table.bom = encoding, body.startswith(b"\xef\xbb\xbf")
    return table


def _header_at(rows: list[list[str]]) -> int | None:
    for i, row in enumerate(rows[:12]):
        if any(_is_number(c) for c in row):
            # A header holds titles, never a taxpayer number: a row that does is a record, or
            # a label-and-value row of some other page (gsxt's "统一社会信用代码 | 9111…").
            continue
        fields = [F.header_field(c) for c in F.split_header(row)]
        known = {f for f in fields if f}
        if len(known) >= 2 and known & {"name", *ID_FIELDS}:
            return i
    return None


def _csv_table(text: str, cut: bool, lenient: bool = False) -> Table:
    lines = [ln for ln in text.splitlines()[:15] if ln.strip()]
    if not lines:
        raise FormatError("empty file")
    sample = "\n".join(lines[1:4] or lines[:1])
    delimiter = max(",\t;|", key=sample.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[list[str]] = []
    starts = [1]  # the file line each row starts on (a quoted cell may span lines)
    try:
        for r in reader:
            rows.append(r)
            starts.append(reader.line_num + 1)
    except csv.Error as exc:  # a cell over the csv module's limit (128 KiB), a stray quote
        raise FormatError(f"line {reader.line_num}: not a readable CSV row ({exc})") from None
    at = _header_at(rows)
    if at is None:
        raise FormatError("no header naming a taxpayer number or name in the first lines; "
                          "not an A-level taxpayer list")
    headers = F.split_header(rows[at])
    fields = _distinct(headers, [F.header_field(h) for h in headers])
    # clean_value, not strip: a line holding only the DOS end-of-file mark is no row.
    kept = [i for i in range(at + 1, len(rows)) if any(F.clean_value(c) for c in rows[i])]
    data = [rows[i] for i in kept]
    unfinished = bool(data) and not lenient and (cut or _ends_mid_row(text, data[-1]))
    if unfinished:
        last, _ = F.align(fields, [F.clean_value(c) for c in data[-1]])
        values = {f: v for f, v in last if f and v}
        short = len(data[-1]) < len([f for f in fields if f])
        # Certainly cut (inside a character, or a row short of the cells that make a record):
        # the whole body is refused, so a crawl goes partial instead of taking half a list
        # for the whole. A last row that merely lacks its line break may be whole (some files
        # end so): the rows before it are kept and that row alone is rejected (parse_bytes).
        if cut or (short and not ("year" in values and values.keys() & set(ID_FIELDS))):
            raise FormatError("the file ends in the middle of a row: the body was cut off "
                              "(truncated)")
    context = " ".join(",".join(r) for r in rows[:at])
    return Table(fmt=f"csv ({'tab' if delimiter == chr(9) else delimiter})", headers=headers,
                 fields=fields, rows=data, context=context, ends_mid_row=unfinished,
                 lines=[starts[i] for i in kept])


def _is_number(cell: str) -> bool:
    """A taxpayer number, USCC or resident ID: 15 to 20 letters and digits, mostly digits."""
    text = F.compact_id(cell)
    return 15 <= len(text) <= 20 and sum(ch.isdigit() for ch in text) >= 12


# A place stated at two levels (市州 and 区县 side by side, as provincial lists print them) is
# no guess: the row is in both, and its first non-empty cell is kept (`tax_a_list._rows`).
_MAY_REPEAT = frozenset({"region"})


def _distinct(headers: list[str], fields: list[str | None]) -> list[str | None]:
    """The header's fields, refused when one field heads two columns: which column holds it
    would be a guess, and a wrong guess stores a number or an office under the wrong name."""
    for f in {f for f in fields if f and f not in _MAY_REPEAT}:
        if fields.count(f) > 1:
            titles = ", ".join(sorted({h.strip() for h, g in zip(headers, fields, strict=True)
                                       if g == f}))
            raise FormatError(f"the header names the same field ({f}) in "
                              f"{fields.count(f)} columns ({titles}): not a list we can read")
    return fields


def _ends_mid_row(text: str, last: list[str]) -> bool:
    """Whether the data stops inside its last row: no line break after it, or a quoted cell
    still open at the end (the reader then takes the final line break into that cell)."""
    if not text.rstrip(_TRAILING_JUNK).endswith(("\n", "\r")):
        return True
    return bool(last) and last[-1].rstrip(_TRAILING_JUNK).endswith(("\n", "\r"))


def _html_table(text: str, name: str | None, lenient: bool = False) -> Table:
    if not lenient:
        web.check_complete_html(text)
    doc = web.html_doc(text)
    titles = [t.strip() for t in doc.xpath("//title//text()|//h1//text()|//h2//text()"
                                           "|//caption//text()") if t.strip()]
    best: Table | None = None
    for el in doc.iter("table"):
        grid = web.table_grid(el)
        at = _header_at(grid)
        if at is None:
            continue
        headers = grid[at]
        try:
            fields = _distinct(headers, [F.header_field(h) for h in headers])
        except FormatError:
            continue  # not the list's table, or not one we can read: the page may hold another
        rows = [r for r in grid[at + 1:] if _is_data_row(r)]
        if best is None or len(rows) > len(best.rows):
            best = Table(fmt="html table", headers=headers, fields=fields, rows=rows,
                         context=" ".join(titles))
    if best is None:
        raise FormatError("no table with a taxpayer number or name column on the page")
    best.next_pages = web.next_pages(web.page_text(doc), doc, name)
    return best


def _is_data_row(row: list[str]) -> bool:
    cells = [c for c in row if c.strip()]
    # Footers and pager rows: one text spread over every column, or words about pages.
    return len(cells) >= 2 and len(set(cells)) > 1 and not any("下一页" in c for c in cells)

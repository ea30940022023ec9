"""One view function, three renderings: every table page is also `<path>.json` and `<path>.csv`
with the same query string, so a journalist can cite the page and take the rows away.

A view returns a `Table`; `twin_routes` registers the HTML page and its two twins, and
`json_view` lets the `/api/v1/` blueprint serve the same function.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, render_template, request

from dashboards.views._common import LICENCE, SYNTHETIC_NOTICE, site_state
from watchdog.export_spec import spreadsheet_safe


@dataclass
class Table:
    """What a table view hands to its renderers."""

    name: str  # file stem of the CSV download
    template: str
    columns: list[str]
    rows: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)  # JSON keys beside "rows"; also in HTML
    context: dict[str, Any] = field(default_factory=dict)  # HTML only (figures, labels)


TableView = Callable[..., Table]


def twin_routes(bp: Blueprint, rule: str, view: TableView, *, stem: str | None = None) -> None:
    """Register `rule` as HTML and `<stem or rule>.json` / `.csv` (the stem lets "/" have twins)."""
    name = view.__name__
    base = stem or rule
    bp.add_url_rule(rule, name, _bind(view, "html"))
    bp.add_url_rule(f"{base}.json", f"{name}_json", _bind(view, "json"))
    bp.add_url_rule(f"{base}.csv", f"{name}_csv", _bind(view, "csv"))


def json_view(view: TableView) -> Callable[..., Response]:
    return _bind(view, "json")


def _bind(view: TableView, fmt: str) -> Callable[..., Response]:
    def handler(**kwargs: Any) -> Response:
        return render(view(**kwargs), fmt)

    handler.__name__ = f"{view.__name__}_{fmt}"
    return handler


def render(table: Table, fmt: str) -> Response:
    state = site_state()
    if fmt == "json":
        return jsonify(envelope(table.rows, table.meta, state["synthetic"],
                                state["generated_at"], table.columns))
    if fmt == "csv":
        return csv_response(table.name, table.columns, table.rows, state["synthetic"])
    return Response(render_template(table.template, rows=table.rows, columns=table.columns,
                                    **table.meta, **table.context))


def envelope(rows: list[dict[str, Any]], meta: dict[str, Any], synthetic: bool,
             generated_at: str, columns: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "licence": LICENCE, "synthetic": synthetic,
        "notice": SYNTHETIC_NOTICE if synthetic else None, "generated_at": generated_at,
        "query": request.args.to_dict(flat=False)}
    body.update(jsonable(meta))
    if columns is not None:
        body["columns"] = columns
    body["rows"] = [jsonable({c: row.get(c) for c in columns or row}) for row in rows]
    return body


def jsonable(value: Any) -> Any:
    # Flask would write datetimes as HTTP dates; ISO 8601 is what data users expect.
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


BOM = "\ufeff"


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(csv_cell(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={csv_cell(v)}" for k, v in value.items())
    return spreadsheet_safe(value) if isinstance(value, str) else str(value)


def csv_response(name: str, columns: list[str], rows: list[dict[str, Any]],
                 synthetic: bool) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    # A CSV has no header block, so the synthetic-data notice travels on every row.
    writer.writerow((["notice"] if synthetic else []) + columns)
    for row in rows:
        writer.writerow(([SYNTHETIC_NOTICE] if synthetic else [])
                        + [csv_cell(row.get(c)) for c in columns])
    # With the byte-order mark a spreadsheet opened by double-click reads the file as UTF-8
    # (without it, Excel shows every Chinese name garbled); csv readers with utf-8-sig, pandas
    # and R skip it. The export's CSV files, for programs, go without.
    response = Response(BOM + buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'inline; filename="{name}.csv"'
    return response


# -- links that keep the query string ---------------------------------------------------------
def query_with(add: tuple[str, str] | None = None, remove: tuple[str, str] | None = None,
               **replace: Any) -> str:
    """The current URL with one facet value added or removed, or parameters replaced."""
    args: list[tuple[str, str]] = [(k, v) for k, v in request.args.items(multi=True)
                                   if k not in replace and (k, v) != remove]
    if add and add not in args:
        args.append(add)
    if add or remove:  # a new filter starts at page one
        args = [(k, v) for k, v in args if k != "page"]
    args += [(k, str(v)) for k, v in replace.items() if v is not None]
    return request.path + (f"?{urlencode(args)}" if args else "")


def twin_url(fmt: str) -> str:
    path = "/index" if request.path == "/" else request.path
    query = request.query_string.decode("ascii", "replace")
    return f"{path}.{fmt}" + (f"?{query}" if query else "")

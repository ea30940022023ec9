"""Plotly figures built on the server and shipped as JSON.

Pages embed each figure in a `<script type="application/json">` block; `static/charts.js` draws
them with the plotly.js that ships in the plotly package, so no page runs inline code or loads
anything from another host. Person counts that were suppressed ("<10", "≥10") are not drawn:
the figure says how many bars were left out instead of drawing a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

PERSON_COLOUR = "#3b6ea8"
COMPANY_COLOUR = "#d08c2f"
FINDING_COLOUR = "#b03a2e"


FONT = ("system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans CJK SC', "
        "'PingFang SC', 'Microsoft YaHei', sans-serif")


def _layout(title: str, value_title: str, note: str | None = None, *,
            horizontal: bool = False) -> dict[str, Any]:
    # The title names the categories; an axis title there would collide with the legend.
    category = {"automargin": True, "type": "category"}
    value = {"title": {"text": "" if horizontal else value_title}, "rangemode": "tozero",
             "gridcolor": "#e3e7ec", "automargin": True}
    if horizontal:
        category["autorange"] = "reversed"  # first category at the top, as in the facet list
    return {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16},
                  "subtitle": {"text": note or "", "font": {"size": 11, "color": "#5b6672"}}},
        "template": "none", "barmode": "stack", "height": 360,
        "margin": {"l": 56, "r": 16, "t": 72 if note else 56, "b": 56},
        "font": {"family": FONT, "size": 12, "color": "#1d2733"},
        "xaxis": value if horizontal else category, "yaxis": category if horizontal else value,
        "legend": {"orientation": "h", "y": -0.12, "x": 0, "yanchor": "top",
                   "traceorder": "normal"},
        "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff",
    }


def _persons_companies(rows: Sequence[dict[str, Any]], title: str, *,
                       horizontal: bool = False, months: bool = False) -> str:
    labels = [str(row["label"]) for row in rows]
    persons = [row["persons"] if isinstance(row["persons"], int) else None for row in rows]
    hidden = sum(value is None for value in persons)
    note = (f"{hidden} bar{'s' if hidden > 1 else ''} of persons held back for privacy "
            "(see Methodology)" if hidden else None)
    where, count = ("%{y}", "%{x}") if horizontal else ("%{x|%Y-%m}" if months else "%{x}", "%{y}")

    def bar(name: str, values: list[int | None], colour: str) -> go.Bar:
        axes = {"y": labels, "x": values} if horizontal else {"x": labels, "y": values}
        return go.Bar(name=name, orientation="h" if horizontal else "v", marker_color=colour,
                      hovertemplate=f"{where}<br>{count} listings of {name}<extra></extra>",
                      **axes)

    layout = _layout(title, "listings", note, horizontal=horizontal)
    if months:  # years of months read better on a time axis than as hundreds of categories
        layout["xaxis"] = {**layout["xaxis"], "type": "date", "hoverformat": "%Y-%m"}
    fig = go.Figure(
        data=[bar("persons", persons, PERSON_COLOUR),
              bar("companies", [row["companies"] for row in rows], COMPANY_COLOUR)],
        layout=layout)
    return pio.to_json(fig, validate=True)


_BY = {"month": "by month of publication", "province": "by province",
       "circumstance": "by circumstance (2017 Provisions, Art. 1)"}


def listing_title(by: str, what: str = "Listings") -> str:
    """A listing chart's title; `what` names the listings counted ("Listings", or "Current
    listings" where a page counts only those still on the list whatever its filters say)."""
    return f"{what} {_BY[by]}"


def listings_by_month(rows: Sequence[dict[str, Any]], what: str = "Listings") -> str:
    dated = [row for row in rows if row["value"]]  # a month not recorded has no place in time
    return _persons_companies(dated, listing_title("month", what), months=True)


def listings_by_province(rows: Sequence[dict[str, Any]], what: str = "Listings") -> str:
    ordered = sorted(rows, key=lambda r: -(r["companies"] + (r["persons"]
                                                             if isinstance(r["persons"], int)
                                                             else 0)))
    return _persons_companies(ordered, listing_title("province", what))


def listings_by_circumstance(rows: Sequence[dict[str, Any]], what: str = "Listings") -> str:
    # The labels are sentences, so the bars lie down and the labels read left to right.
    return _persons_companies(rows, listing_title("circumstance", what), horizontal=True)


def findings_by_check(rows: Sequence[dict[str, Any]]) -> str:
    # One bar per check: the rows come per check and rule, and a check testing several rules
    # (a penalty's publicity period before and after 2025) would otherwise be several bars
    # under one name. A listing flagged under two rules of one check is counted under each.
    bars: dict[str, dict[str, Any]] = {}
    for row in rows:
        bar = bars.setdefault(row["check_id"], {"listings": 0, "severity": row["severity"],
                                                "rules": []})
        bar["listings"] += row["listings"]
        bar["rules"].append(row["rule"])
    fig = go.Figure(
        data=[go.Bar(x=list(bars), y=[b["listings"] for b in bars.values()],
                     marker_color=FINDING_COLOUR, name="listings",
                     customdata=[[b["severity"], ", ".join(dict.fromkeys(b["rules"]))]
                                 for b in bars.values()],
                     hovertemplate=("%{x}<br>%{y} listings<br>severity %{customdata[0]}"
                                    "<br>rule %{customdata[1]}<extra></extra>"))],
        layout=_layout("Listings with a finding, by check (current audit)",
                       "listings with a finding"))
    return pio.to_json(fig, validate=True)

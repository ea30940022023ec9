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


def _layout(title: str, x_title: str, y_title: str, note: str | None = None) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "template": "none", "barmode": "stack", "height": 340,
        "margin": {"l": 56, "r": 16, "t": 48, "b": 96},
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
                 "size": 12, "color": "#1d2733"},
        "xaxis": {"title": {"text": x_title}, "automargin": True, "type": "category"},
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero", "gridcolor": "#e3e7ec",
                  "automargin": True},
        "legend": {"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right",
                   "yanchor": "bottom"},
        "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff",
    }
    if note:
        layout["annotations"] = [{"text": note, "showarrow": False, "xref": "paper",
                                  "yref": "paper", "x": 0, "y": -0.42, "xanchor": "left",
                                  "font": {"size": 11, "color": "#5b6672"}}]
    return layout


def _persons_companies(rows: Sequence[dict[str, Any]], title: str, x_title: str) -> str:
    labels = [str(row["label"]) for row in rows]
    persons = [row["persons"] if isinstance(row["persons"], int) else None for row in rows]
    hidden = sum(value is None for value in persons)
    note = (f"{hidden} bar(s) of persons not drawn: fewer than the privacy threshold, "
            "or held back so a small one cannot be worked out." if hidden else None)
    fig = go.Figure(
        data=[go.Bar(name="persons", x=labels, y=persons, marker_color=PERSON_COLOUR,
                     hovertemplate="%{x}<br>%{y} listings of persons<extra></extra>"),
              go.Bar(name="companies", x=labels, y=[row["companies"] for row in rows],
                     marker_color=COMPANY_COLOUR,
                     hovertemplate="%{x}<br>%{y} listings of companies<extra></extra>")],
        layout=_layout(title, x_title, "listings", note))
    return pio.to_json(fig, validate=True)


def listings_by_month(rows: Sequence[dict[str, Any]]) -> str:
    return _persons_companies(rows, "Listings by month of publication", "month published")


def listings_by_province(rows: Sequence[dict[str, Any]]) -> str:
    ordered = sorted(rows, key=lambda r: -(r["companies"] + (r["persons"]
                                                             if isinstance(r["persons"], int)
                                                             else 0)))
    return _persons_companies(ordered, "Listings by province", "province")


def listings_by_circumstance(rows: Sequence[dict[str, Any]]) -> str:
    # "c1 · Able to perform but refuses" is long; break it so the axis stays readable.
    wrapped = [{**row, "label": str(row["label"]).replace(" · ", "<br>")} for row in rows]
    return _persons_companies(wrapped, "Listings by circumstance (2017 Provisions, Art. 1)",
                              "circumstance recorded (a listing may have several)")


def findings_by_check(rows: Sequence[dict[str, Any]]) -> str:
    fig = go.Figure(
        data=[go.Bar(x=[row["check_id"] for row in rows], y=[row["listings"] for row in rows],
                     marker_color=FINDING_COLOUR, name="listings",
                     customdata=[[row["severity"], row["rule"]] for row in rows],
                     hovertemplate=("%{x}<br>%{y} listings<br>severity %{customdata[0]}"
                                    "<br>rule %{customdata[1]}<extra></extra>"))],
        layout=_layout("Listings with a finding, by check (current audit)", "check",
                       "listings with a finding"))
    return pio.to_json(fig, validate=True)

"""Figures for the self-check and the simulator, built on the server and shipped as JSON.

Like `dashboards/charts.py` (whose font and colours they share), each returns a Plotly figure
as a JSON string for a `<script type="application/json">` block that `static/charts.js` draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from dashboards.charts import FONT, PERSON_COLOUR

UP, DOWN, TOTAL, AFTER = "#2e7d4f", "#b03a2e", "#1d3b5c", "#d08c2f"


def _layout(title: str, note: str | None, y_title: str, x_title: str = "") -> dict[str, Any]:
    return {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15},
                  "subtitle": {"text": note or "", "font": {"size": 11, "color": "#5b6672"}}},
        "template": "none", "height": 340, "showlegend": False,
        "margin": {"l": 56, "r": 16, "t": 72 if note else 52, "b": 40},
        "font": {"family": FONT, "size": 12, "color": "#1d2733"},
        "yaxis": {"title": {"text": y_title}, "gridcolor": "#e3e7ec", "automargin": True},
        "xaxis": {"title": {"text": x_title}, "automargin": True},
        "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff",
    }


def waterfall(title: str, steps: Sequence[dict[str, Any]], total: int, total_label: str) -> str:
    """Contributions as a waterfall: the first step is where the score starts, the last bar the score.

    `steps` are dicts with `label`, `value` (float) and `hover` (source and evidence grade).
    The value axis is zoomed to the part the steps move through, so small changes stay visible.
    """
    labels = _unique([_short(s["label"]) for s in steps] + [total_label])
    values = [float(s["value"]) for s in steps] + [0.0]
    running, path = 0.0, []
    for v in values[:-1]:
        running += v
        path.append(running)
    low, high = min(path + [float(total)]), max(path + [float(total)])
    pad = max((high - low) * 0.15, abs(high) * 0.02, 5.0)
    fig = go.Figure(go.Waterfall(
        x=labels, y=values, measure=["absolute"] + ["relative"] * (len(steps) - 1) + ["total"],
        text=[_signed(v, i == 0) for i, v in enumerate(values[:-1])] + [str(total)], textposition="outside",
        customdata=[s.get("hover", "") for s in steps] + ["the result"],
        hovertemplate="%{x}<br>%{text}<br>%{customdata}<extra></extra>", cliponaxis=False,
        increasing={"marker": {"color": UP}}, decreasing={"marker": {"color": DOWN}},
        totals={"marker": {"color": TOTAL}}, connector={"line": {"color": "#9aa5b1", "width": 1}}))
    layout = _layout(title, "Each bar is one rule; hover for its source", "points")
    layout["yaxis"]["range"] = [low - pad, high + pad]
    crowded = len(labels) > 4 or max(len(label) for label in labels) * len(labels) > 60
    layout["xaxis"] |= {"type": "category", "tickangle": -30 if crowded else 0}
    layout["height"] = 360
    fig.update_layout(layout)
    return pio.to_json(fig, validate=True)


def histogram(title: str, edges: Sequence[float], before: Sequence[int], after: Sequence[int],
              note: str | None = None) -> str:
    """Two distributions over the same bins: own scores, and with contacts' scores mixed in."""
    centres = [(a + b) / 2 for a, b in zip(edges, edges[1:], strict=False)]
    width = (edges[1] - edges[0]) if len(edges) > 1 else 1
    fig = go.Figure([
        go.Bar(x=centres, y=list(before), width=width, name="own scores", marker_color=PERSON_COLOUR,
               opacity=0.55, hovertemplate="around %{x:.0f}: %{y:,} people (own score)<extra></extra>"),
        go.Bar(x=centres, y=list(after), width=width, name="with contacts mixed in", marker_color=AFTER,
               opacity=0.55, hovertemplate="around %{x:.0f}: %{y:,} people (with contacts)<extra></extra>"),
    ])
    layout = _layout(title, note, "people", "score")
    layout |= {"barmode": "overlay", "showlegend": True,
               "legend": {"orientation": "h", "y": -0.28, "x": 0, "yanchor": "top"}}
    layout["margin"]["b"] = 88
    fig.update_layout(layout)
    return pio.to_json(fig, validate=True)


def share_by_alpha(title: str, alphas: Sequence[float], shares: Sequence[float], chosen: float,
                   note: str | None = None) -> str:
    """How the share of people on the wrong side of one gate moves with the contacts' weight."""
    fig = go.Figure([
        go.Scatter(x=list(alphas), y=list(shares), mode="lines+markers", line={"color": TOTAL},
                   hovertemplate="weight %{x:.2f}: %{y:.1%}<extra></extra>", name="share"),
        go.Scatter(x=[chosen], y=[shares[list(alphas).index(chosen)]] if chosen in alphas else [],
                   mode="markers", marker={"size": 12, "color": AFTER, "symbol": "diamond"},
                   hovertemplate="your weight %{x:.2f}: %{y:.1%}<extra></extra>", name="chosen"),
    ])
    layout = _layout(title, note, "share of people", "weight of contacts' scores (alpha)")
    layout["yaxis"] |= {"tickformat": ".0%", "rangemode": "tozero"}
    layout["xaxis"] |= {"range": [-0.02, 1.0]}
    layout["height"] = 300
    fig.update_layout(layout)
    return pio.to_json(fig, validate=True)


def _short(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _unique(labels: list[str]) -> list[str]:
    # A category axis merges equal labels into one bar; number any repeats instead.
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def _signed(value: float, first: bool) -> str:
    return f"{value:g}" if first else f"{value:+g}"

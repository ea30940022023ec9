"""The counts /lists shows in one response, suppressed together.

The page shows the persons its filters keep, the month series under those filters, and each
facet counted under the other facets' filters. Those are not separate tables: the month rows
add up to the total, and so do the rows of each facet the filters leave alone, and so do the
chosen rows of a facet with chosen values (`province=A&province=C`: A's and C's rows add up to
the total shown beside them). Suppressed one series at a time, C shown as 50 beside a total of
53 gave A's "<10" back as 3. So every count of the response is one set of sums here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Engine

from watchdog.store.queries import ListFilter, list_totals, raw_listing_counts
from watchdog.store.suppression import HELD_BACK, Count, suppress_sums

FACETS = ("province", "circumstance", "performance", "party_type", "status")


def list_counts(engine: Engine, filt: ListFilter, k: int) -> dict[str, Any]:
    """{"totals": {"persons", "companies"}, "facets": {facet: rows}, "by_month": rows}, with
    every person count suppressed as one page: no small count can be worked out from the
    total, the facets and the months together."""
    totals = list_totals(engine, filt, 0)  # k = 0: nothing suppressed here; done below
    persons = int(totals["persons"])
    series: dict[str, list[dict[str, Any]]] = {
        facet: raw_listing_counts(engine, facet, replace(filt, **{facet: ()}))[0]
        for facet in FACETS}
    series["month"] = raw_listing_counts(engine, "month", filt)[0]
    shown, held = _suppress(persons, series, filt, k)
    for name, rows in series.items():
        for row, value in zip(rows, shown[name], strict=True):
            row["persons"] = HELD_BACK if name in held else value
    return {"totals": {"persons": shown["total"][0], "companies": totals["companies"]},
            "facets": {facet: series[facet] for facet in FACETS}, "by_month": series["month"]}


def _suppress(persons: int, series: dict[str, list[dict[str, Any]]], filt: ListFilter,
              k: int) -> tuple[dict[str, list[Count]], set[str]]:
    """Each series' counts as shown, and the series held back whole: those whose rows would
    give a count away whatever is hidden (nine months of one under a total below ten)."""
    held: set[str] = set()
    while True:
        values, sums, spans = _sums(persons, series, filt, held)
        out, pinned = suppress_sums(values, sums, k)
        if not pinned:
            return {"total": out[:1], **{name: out[a:b] if name not in held
                                         else [HELD_BACK] * (b - a)
                                         for name, (a, b) in spans.items()}}, held
        # The series that pin a count on their own go; if none does alone, all of them.
        alone = {name for name in spans if name not in held
                 and suppress_sums(*_sums(persons, {name: series[name]}, filt, set())[:2], k)[1]}
        held |= alone or set(series)


def _sums(persons: int, series: dict[str, list[dict[str, Any]]], filt: ListFilter,
          held: set[str]) -> tuple[list[int], list[tuple[list[int], int]],
                                   dict[str, tuple[int, int]]]:
    """All counts in one list (the total first), which of them add up to the total, and where
    each series' counts are in the list."""
    values, sums, spans = [persons], [], {}
    for name, rows in series.items():
        start = len(values)
        values += [row["persons"] for row in rows]
        spans[name] = (start, len(values))
        if name in held or name == "circumstance":
            continue  # a listing may have several circumstances: those rows are no sum
        chosen = getattr(filt, name, ())
        parts = [start + i for i, row in enumerate(rows) if not chosen or row["value"] in chosen]
        if parts:
            sums.append((parts, 0))
    return values, sums, spans

"""The counts /lists shows in one response, suppressed together.

The page shows the persons its filters keep, the month series under those filters, and each
facet counted under the other facets' filters. Those are not separate tables: the month rows
add up to the total, and so do the rows of each facet the filters leave alone, and so do the
chosen rows of a facet with chosen values (`province=A&province=C`: A's and C's rows add up to
the total shown beside them). Suppressed one series at a time, C shown as 50 beside a total of
53 gave A's "<10" back as 3. So every count of the response is one set of sums here.

Other views show some of the same counts under the same filter: /lists/persons and the
export's person_listings (each province's persons, each column's, all of them), the overview's
charts and headline, the finding rates' n. Suppressed on their own they chose other partners:
/lists held Gansu back beside Tibet's "<10" and showed Ningxia 11, /lists/persons held Ningxia
back and said Tibet's two columns were non-zero, and the two together gave Tibet's 2. So this
module's counts are the one suppression of those counts; the others take them as they are
(`person_table`, `marginals`) and protect only what is theirs.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Engine

from watchdog.store import queries
from watchdog.store.queries import ListFilter, Marginals, raw_list_totals, raw_listing_counts
from watchdog.store.suppression import HELD_BACK, Count, suppress_sums

FACETS = ("province", "circumstance", "performance", "party_type", "status")


def list_counts(engine: Engine, filt: ListFilter, k: int) -> dict[str, Any]:
    """{"totals": {"persons", "companies"}, "facets": {facet: rows}, "by_month": rows}, with
    every person count suppressed as one page: no small count can be worked out from the
    total, the facets and the months together."""
    persons, companies = raw_list_totals(engine, filt)
    series: dict[str, list[dict[str, Any]]] = {
        facet: raw_listing_counts(engine, facet, replace(filt, **{facet: ()}))[0]
        for facet in FACETS}
    series["month"] = raw_listing_counts(engine, "month", filt)[0]
    shown, held = _suppress(persons, series, filt, k)
    for name, rows in series.items():
        for row, value in zip(rows, shown[name], strict=True):
            row["persons"] = HELD_BACK if name in held else value
    return {"totals": {"persons": shown["total"][0], "companies": companies},
            "facets": {facet: series[facet] for facet in FACETS}, "by_month": series["month"]}


def _suppress(persons: int, series: dict[str, list[dict[str, Any]]], filt: ListFilter,
              k: int) -> tuple[dict[str, list[Count]], set[str]]:
    """Each series' counts as shown, and the series held back whole: those whose rows would
    give a count away whatever is hidden (nine months of one under a total below ten)."""
    held: set[str] = set()
    while True:
        values, sums, spans = _sums(persons, series, filt, held)
        out, pinned = suppress_sums(values, sums, k, known=_told_elsewhere(series, filt, spans))
        if not pinned:
            return {"total": out[:1], **{name: out[a:b] if name not in held
                                         else [HELD_BACK] * (b - a)
                                         for name, (a, b) in spans.items()}}, held
        # The series that pin a count on their own go; if none does alone, all of them.
        alone = {name for name in spans
                 if name not in held and _pins_alone(persons, name, series, filt, k)}
        held |= alone or set(series)


def _pins_alone(persons: int, name: str, series: dict[str, list[dict[str, Any]]],
                filt: ListFilter, k: int) -> bool:
    """Whether one series beside the total pins a small count whatever is held back, with the
    series that hold a count told elsewhere beside it (held back or not, that count is told):
    without them, nine months of one beside a total the status facet tells (status=listed's
    count is the overview's) seemed safe, no series pinned alone, and every one was held
    back for the months' sake."""
    _, _, spans = _sums(persons, series, filt, set())
    told = _told_elsewhere(series, filt, spans)
    context = {other for other, (a, b) in spans.items() if told.intersection(range(a, b))}
    some = {other: series[other] for other in series if other == name or other in context}
    values, sums, spans = _sums(persons, some, filt, set())
    return suppress_sums(values, sums, k, known=_told_elsewhere(some, filt, spans))[1]


def _told_elsewhere(series: dict[str, list[dict[str, Any]]], filt: ListFilter,
                    spans: dict[str, tuple[int, int]]) -> frozenset[int]:
    """The counts that are the persons currently listed, all of them: the overview shows the
    audit's listings checked beside the companies listed, whose difference they are (see
    `headline`). Held back as a partner here they would protect nothing."""
    out = {0} if _all_listed_persons(filt) else set()
    for name, (start, _end) in spans.items():
        if name in FACETS:
            out |= {start + i for i, row in enumerate(series[name])
                    if _all_listed_persons(replace(filt, **{name: (row["value"],)}))}
    return frozenset(out)


def _all_listed_persons(filt: ListFilter) -> bool:
    return (filt.status == ("listed",) and filt.party_type in ((), ("person",))
            and not (filt.province or filt.circumstance or filt.performance))


def headline(facts: dict[str, Any], everything: dict[str, Any]) -> dict[str, Any]:
    """The overview's headline: `queries.headline_facts` and the persons as /lists.json shows
    them (`everything`: `list_counts` with no filter; listed, removed and in all are its status
    facet and total), so the two pages hold back the same one."""
    status = {row["value"]: row["persons"] for row in everything["facets"]["status"]}
    return {**facts, "persons_listed": status.get("listed", 0),
            "persons_removed": status.get("removed", 0),
            "persons_total": everything["totals"]["persons"]}


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


def marginals(counts: dict[str, Any], by: str, filt: ListFilter) -> Marginals:
    """What `list_counts(filt)` shows of a province × `by` grid of persons under `filt`: each
    province's persons (the province facet's rows the filter keeps: a facet is counted without
    its own filter, so a chosen value's row is the same count), the columns when `by` is a
    facet (the same holds of its chosen values), and the total."""

    def kept(facet: str) -> tuple[tuple[Any, Count], ...]:
        chosen = getattr(filt, facet)
        return tuple((row["value"], row["persons"]) for row in counts["facets"][facet]
                     if not chosen or row["value"] in chosen)

    return Marginals(rows=kept("province"), columns=kept(by) if by in FACETS else (),
                     total=counts["totals"]["persons"])


def person_table(engine: Engine, by: str, filt: ListFilter, k: int,
                 fixed: Marginals | None = None) -> dict[str, Any]:
    """`queries.person_table` with its totals as /lists shows them under the same filter;
    `fixed` when the caller has them (`marginals` of a kept `list_counts`)."""
    if fixed is None:
        fixed = marginals(list_counts(engine, filt, k), by, filt)
    return queries.person_table(engine, by, filt, k, fixed)

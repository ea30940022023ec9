"""The persons /courts counts per court, suppressed beside what /lists shows under one filter.

A court's listings lie in a province (rarely two), so its province's courts add up to the
province's persons, and every court adds up to the filter's persons: both counts /lists shows
under the same filter. Suppressed as a column of its own, /courts chose its own partners:
beside 宁夏A法院's "<10" it held 甘肃C法院 back and showed 宁夏B法院 12, while /lists?status=listed
showed 宁夏 15, which gave 宁夏A法院's 3 back (and 甘肃C法院, alone in 甘肃, was held back on one
page and shown as 11 on the other). So the totals here are `list_counts`' as they are (its hidden
ones held back, its shown ones never a partner) and only the courts are protected.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from watchdog.store.queries import OBS, PERSONS, ListFilter, Marginals, raw_listing_counts
from watchdog.store.queries_lists import list_counts, marginals
from watchdog.store.suppression import HELD_BACK, suppress_sums


def court_counts(engine: Engine, filt: ListFilter, k: int,
                 fixed: Marginals | None = None) -> list[dict[str, Any]]:
    """Listings per court (`raw_listing_counts`) with the courts' persons suppressed together
    with the total and the provinces `list_counts(filt)` shows (`fixed`, its `marginals`, when
    the caller has them). Where the courts would give a count away whatever is held back (ten
    courts of one under a province of ten), every court's persons read HELD_BACK."""
    rows, persons = raw_listing_counts(engine, "court", filt)
    if fixed is None:
        fixed = marginals(list_counts(engine, filt, k), "province", filt)
    with engine.connect() as conn:
        split = {(court, province): int(n) for court, province, n in conn.execute(
            select(OBS.c.court, OBS.c.province, PERSONS).where(*filt.clauses())
            .group_by(OBS.c.court, OBS.c.province))}
    # Values: the total, each kept province, each court; then, for a court in several
    # provinces (the courts "not recorded" are in all), its persons in each, shown nowhere.
    in_province: dict[Any, int] = {}
    for (_court, province), n in split.items():
        in_province[province] = in_province.get(province, 0) + n
    values = [persons] + [in_province.get(province, 0) for province, _ in fixed.rows]
    shown = {0: fixed.total} | {1 + i: n for i, (_, n) in enumerate(fixed.rows)}
    court_index = {row["value"]: len(values) + i for i, row in enumerate(rows)}
    values += [row["persons"] for row in rows]
    places: dict[Any, list[Any]] = {}
    for court, province in split:
        places.setdefault(court, []).append(province)
    part_of: dict[int, list[int]] = {1 + i: [] for i in range(len(fixed.rows))}
    province_index = {province: 1 + i for i, (province, _) in enumerate(fixed.rows)}
    sums: list[tuple[list[int], int]] = []
    unshown: set[int] = set()
    for court, provinces in places.items():
        if court not in court_index:
            continue  # a court with no listing of a person or company: no row
        if len(provinces) == 1:
            if provinces[0] in province_index:
                part_of[province_index[provinces[0]]].append(court_index[court])
            continue
        cells = []
        for province in provinces:
            cells.append(len(values))
            unshown.add(len(values))
            values.append(split[(court, province)])
            if province in province_index:
                part_of[province_index[province]].append(cells[-1])
        sums.append((cells, court_index[court]))
    sums += [(parts, total) for total, parts in part_of.items() if parts]
    sums.append((list(court_index.values()), 0))
    if fixed.rows:
        sums.append((list(province_index.values()), 0))
    hidden = frozenset(i for i, n in shown.items() if not isinstance(n, int))
    out, pinned = suppress_sums(values, sums, k, known=frozenset(shown) - hidden, hidden=hidden,
                                unshown=frozenset(unshown))
    for row in rows:
        row["persons"] = HELD_BACK if pinned else out[court_index[row["value"]]]
    return rows


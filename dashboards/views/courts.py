"""Listings and audit findings per enforcing court, with the same facets as /lists.

Counts are of current listings unless `status` says otherwise. Rates are over a court's current
listings, as the audit checked them: shown only when the filters keep that population (none,
or a province), never beside counts of other listings. They carry their sample size and a
Wilson 95% interval; a court with fewer than k listings shows no rate at all, and person counts
under k are suppressed as everywhere else.

A rate's numerator counts listings of persons and of companies with a finding, and /findings
lists each company's finding with its court: the numerator less those is the court's persons
with a finding. So a court where that number is 1 to k-1 shows no rate and no counts either
(`persons_held_back`), as /findings does for provinces. And since a province's count on
/findings less its other courts' counts would give that court's back, a province with exactly
one such court holds back a second one, its shown court with the fewest findings.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, current_app

from dashboards.views._cache import cached
from dashboards.views._common import allow_params, engine, k_threshold, list_filter, rate_text
from dashboards.views._twins import Table, twin_routes
from watchdog.store import queries
from watchdog.store import queries_findings as pf
from watchdog.store.queries_courts import court_counts
from watchdog.store.queries_lists import list_counts, marginals

bp = Blueprint("courts", __name__)

COLUMNS = ["court", "persons", "companies", "audited", "with_finding", "rate", "rate_low",
           "rate_high", "rate_suppressed", "persons_held_back", "count_held_back"]


def courts() -> Table:
    allow_params("province", "circumstance", "performance", "party_type", "status")
    filt = list_filter()
    # Current listings unless asked otherwise: the rates are over what the audit checked,
    # the listings still on the list, so the counts beside them are too.
    if not filt.status:
        filt = replace(filt, status=("listed",))
    # A rate is a court's, over all its current listings: a filter that narrows the listings
    # (not the courts, as a province does) would put it beside counts of other listings.
    rates_apply = (not (filt.circumstance or filt.performance or filt.party_type)
                   and filt.status == ("listed",))
    k = k_threshold()
    # The total and provinces as /lists shows them under this filter (`court_counts`).
    shown = marginals(cached(list_counts, engine(), filt, k), "province", filt)
    counts = cached(court_counts, engine(), filt, k, shown)
    audited = _rates(k) if rates_apply else []
    by_court = {row["group"]: row for row in audited}
    run = queries.current_audit_run(engine())
    persons = cached(pf.rate_persons, engine(), run["id"], None, "court") if run else {}
    held = {court for court, rate in by_court.items()
            if not rate.get("suppressed", True) and 0 < persons.get(court, 0) < k}
    held |= _second_courts(held, by_court, cached(pf.court_provinces, engine()))
    # A rate's n is the court's current persons and companies: where the counts beside it hold
    # the persons back, it goes too (`rates_beside_counts`, as for provinces on /findings).
    rates = {row["group"]: row for row in pf.rates_beside_counts(audited, counts)}
    rows: list[dict[str, Any]] = []
    for row in sorted(counts, key=lambda r: -(_num(r["persons"]) + r["companies"])):
        rate = rates.get(row["value"], {})
        held_back = row["value"] in held
        suppressed = bool(rate.get("suppressed", True)) or held_back
        rows.append({
            "court": row["value"], "persons": row["persons"], "companies": row["companies"],
            "audited": None if suppressed else rate.get("n"),
            "with_finding": None if suppressed else rate.get("findings"),
            "rate": None if suppressed else rate.get("rate"),
            "rate_low": None if suppressed else rate.get("low"),
            "rate_high": None if suppressed else rate.get("high"),
            "rate_suppressed": suppressed,
            "persons_held_back": held_back,
            "count_held_back": bool(rate.get("count_held_back")) and not held_back,
            "rate_text": None if suppressed or not rate.get("n")
            else rate_text(int(rate.get("findings") or 0), int(rate["n"])),
        })
    return Table(name="courts", template="courts.html", columns=COLUMNS, rows=rows,
                 meta={"k": k, "rates_apply": rates_apply,
                       "filters": {f: list(getattr(filt, f)) for f in (
                           "province", "circumstance", "performance", "party_type", "status")}})


def _rates(k: int) -> list[dict[str, Any]]:
    from watchdog.audit.stats import rates_by

    return [row.as_dict() for row in cached(rates_by, current_app.config["DATABASE_URL"], "court",
                                            None, k)]


def _second_courts(held: set[str], rates: dict[str | None, dict[str, Any]],
                   provinces: dict[str, set[str]]) -> set[str]:
    """For each province with exactly one held-back court, its shown court with the fewest
    findings (then by name), so that the province's count less the shown courts' does not give
    the held-back one's back."""
    courts_of: dict[str, set[str]] = {}
    for court, places in provinces.items():
        for place in places:
            courts_of.setdefault(place, set()).add(court)
    second: set[str] = set()
    for place in sorted(courts_of):
        courts = courts_of[place]
        shown = [c for c in courts if c not in held and c not in second
                 and not rates.get(c, {}).get("suppressed", True)]
        if len(courts & held) == 1 and not courts & second and shown:
            second.add(min(shown, key=lambda c: (int(rates[c].get("findings") or 0), c)))
    return second


def _num(value: Any) -> int:
    return value if isinstance(value, int) else 0


twin_routes(bp, "/courts", courts)

"""Listings and audit findings per enforcing court, with the same facets as /lists.

Rates carry their sample size and a Wilson 95% interval; a court with fewer than k listings
shows no rate at all, and person counts under k are suppressed as everywhere else.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

from dashboards.views._cache import cached
from dashboards.views._common import allow_params, engine, k_threshold, list_filter, rate_text
from dashboards.views._twins import Table, twin_routes
from watchdog.store import queries

bp = Blueprint("courts", __name__)

COLUMNS = ["court", "persons", "companies", "audited", "with_finding", "rate", "rate_low",
           "rate_high", "rate_suppressed"]


def courts() -> Table:
    allow_params("province", "circumstance", "performance", "party_type", "status")
    filt = list_filter()
    k = k_threshold()
    counts = cached(queries.listing_counts, engine(), "court", filt, k)
    rates = {row["group"]: row for row in _rates(k)}
    rows: list[dict[str, Any]] = []
    for row in sorted(counts, key=lambda r: -(_num(r["persons"]) + r["companies"])):
        rate = rates.get(row["value"], {})
        suppressed = bool(rate.get("suppressed", True))
        rows.append({
            "court": row["value"], "persons": row["persons"], "companies": row["companies"],
            "audited": None if suppressed else rate.get("n"),
            "with_finding": None if suppressed else rate.get("findings"),
            "rate": None if suppressed else rate.get("rate"),
            "rate_low": None if suppressed else rate.get("low"),
            "rate_high": None if suppressed else rate.get("high"),
            "rate_suppressed": suppressed,
            "rate_text": None if suppressed or not rate.get("n")
            else rate_text(int(rate.get("findings") or 0), int(rate["n"])),
        })
    return Table(name="courts", template="courts.html", columns=COLUMNS, rows=rows,
                 meta={"k": k, "filters": {f: list(getattr(filt, f)) for f in (
                     "province", "circumstance", "performance", "party_type", "status")}})


def _rates(k: int) -> list[dict[str, Any]]:
    from watchdog.audit.stats import rates_by

    return [row.as_dict() for row in cached(rates_by, current_app.config["DATABASE_URL"], "court",
                                            None, k)]


def _num(value: Any) -> int:
    return value if isinstance(value, int) else 0


twin_routes(bp, "/courts", courts)

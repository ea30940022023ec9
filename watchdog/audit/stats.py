"""Rates with their uncertainty, per province or court, with small groups held back.

A rate is only worth printing with its sample size and an interval: "12 of 40" and
"300 of 1,000" are both 30%, but say very different things. We use the Wilson score interval,
which stays inside 0-100% and behaves at 0 of n and n of n, where the textbook
normal approximation collapses to a zero-width interval.

Groups with fewer than `k` listings (default 10) are suppressed: the row says so and carries no
numbers, because a small group's figures can point at the few people in it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Select, distinct, func, select

from watchdog.store.db import get_engine
from watchdog.store.tables import AuditRun, Finding, Observation

GroupBy = Literal["province", "court"]
SOURCE_ID = "court_dishonest"


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% (by default) Wilson score interval for k successes out of n."""
    if n <= 0:
        raise ValueError("a rate needs at least one case (n >= 1)")
    if not 0 <= k <= n:
        raise ValueError(f"k must be between 0 and n, got k={k}, n={n}")
    p = k / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # The ends are exact at k=0 and k=n; rounding must not push them past 0, 1 or the rate.
    low = 0.0 if k == 0 else max(0.0, min(centre - half, p))
    high = 1.0 if k == n else min(1.0, max(centre + half, p))
    return low, high


@dataclass(frozen=True)
class RateRow:
    """One group's rate. A suppressed row carries its name and nothing else."""

    group: str | None
    suppressed: bool
    n: int | None = None
    findings: int | None = None
    rate: float | None = None
    low: float | None = None
    high: float | None = None

    def as_dict(self) -> dict[str, object]:
        return {"group": self.group, "suppressed": self.suppressed, "n": self.n,
                "findings": self.findings, "rate": self.rate, "low": self.low,
                "high": self.high}


def rate_table(rows: Iterable[tuple[str | None, int, int]], k: int = 10) -> list[RateRow]:
    """Turn (group, n, findings) rows into rates with Wilson intervals.

    Groups with n < k are returned as suppressed rows. Rows come back largest group first,
    then by name, so the order is stable between runs.
    """
    out: list[RateRow] = []
    for group, n, hits in rows:
        if n < k:
            out.append(RateRow(group=group, suppressed=True))
            continue
        low, high = wilson_interval(hits, n)
        out.append(RateRow(group=group, suppressed=False, n=n, findings=hits, rate=hits / n,
                           low=low, high=high))
    # Suppressed rows sort by name only: their size must not leak through their position.
    return sorted(out, key=lambda r: (r.suppressed, -(r.n or 0), r.group or ""))


def latest_complete_run(database_url: str) -> AuditRun | None:
    """The audit run the dashboards report: the newest one that finished cleanly."""
    table = AuditRun.__table__
    with get_engine(database_url).connect() as conn:
        row = conn.execute(select(table).where(table.c.status == "complete")
                           .order_by(table.c.id.desc()).limit(1)).mappings().first()
    return AuditRun(**row) if row else None


def _audited(run: AuditRun) -> Select:
    """Listed court-list observations the run could have seen (first seen before it started).

    Listings added by a later crawl were not audited yet and would dilute the rate.
    """
    obs = Observation.__table__
    return select(obs.c.id).where(obs.c.source_id == SOURCE_ID, obs.c.status == "listed",
                                  obs.c.first_seen <= run.started_at)


def rates_by(database_url: str, group: GroupBy, check_id: str | None = None,
             k: int = 10) -> list[RateRow]:
    """Share of listings with at least one finding (of `check_id`, or of any check), per group.

    Reads the latest complete audit run; returns [] when there is none. The numerator counts
    listings, not findings, so a listing with three findings counts once.
    """
    if group not in ("province", "court"):
        raise ValueError(f"group must be 'province' or 'court', got {group!r}")
    run = latest_complete_run(database_url)
    if run is None:
        return []
    obs = Observation.__table__
    fnd = Finding.__table__
    column = obs.c[group]
    audited = _audited(run).subquery()
    totals_q = (select(column, func.count()).where(obs.c.id.in_(select(audited.c.id)))
                .group_by(column))
    hits_q = (select(column, func.count(distinct(fnd.c.observation_id)))
              .join(obs, obs.c.id == fnd.c.observation_id)
              .where(fnd.c.audit_run_id == run.id, obs.c.id.in_(select(audited.c.id)))
              .group_by(column))
    if check_id is not None:
        hits_q = hits_q.where(fnd.c.check_id == check_id)
    with get_engine(database_url).connect() as conn:
        totals = dict(conn.execute(totals_q).all())
        hits = dict(conn.execute(hits_q).all())
    return rate_table(((g, n, hits.get(g, 0)) for g, n in totals.items()), k=k)

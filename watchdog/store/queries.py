"""Read-only questions the dashboards and the JSON API ask of the store.

Every function takes an Engine and returns plain dicts, aggregated in SQL, so no page ever loads
all observations into Python. Persons are only ever counted: nothing here selects a person's
subject row, and every count of persons a page shows is suppressed (`suppression`: 1..k-1 shown
as "<k", and further cells held back as "≥k" wherever a small one could be worked out from the
others). The `raw_` functions count without suppressing, for `queries_lists` and
`queries_courts`, which suppress those counts together with what the pages show beside them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Engine,
    String,
    Table,
    case,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
)

from watchdog.privacy import public_artifact_url
from watchdog.store import tables
from watchdog.store.suppression import (
    HELD_BACK,
    Count,
    suppress_table,
)

LIST_SOURCE = "court_dishonest"
# A crawl whose start URL is on this machine read the offline mirror: its persons are synthetic.
MIRROR_ORIGINS = ("http://127.0.0.1", "http://localhost", "https://127.0.0.1",
                  "https://localhost", "http://[::1]")
CIRCUMSTANCES = {  # 2017 Provisions Art. 1, in plain words
    "c1": "Able to perform but refuses",
    "c2": "Obstructs enforcement by forgery, violence or threats",
    "c3": "Evades enforcement by sham litigation or moving assets",
    "c4": "Breaks the asset-reporting rules",
    "c5": "Breaks a spending restriction",
    "c6": "Refuses a settlement agreement without good reason",
    "none": "No lawful circumstance recorded",
}
PARTY_TYPES = ("person", "company")
STATUSES = ("listed", "removed")
PERSON_BREAKDOWNS = ("circumstance", "performance", "status", "sex", "age_band")

OBS, SUBJ, CRAWL = (tables.Observation.__table__, tables.Subject.__table__,
                    tables.Crawl.__table__)
FIND, ART, RUN = tables.Finding.__table__, tables.Artifact.__table__, tables.AuditRun.__table__
REGIME, SRC = tables.RegimeVersion.__table__, tables.Source.__table__
PERSONS = func.coalesce(func.sum(case((OBS.c.party_type == "person", 1), else_=0)), 0)
COMPANIES = func.coalesce(func.sum(case((OBS.c.party_type == "company", 1), else_=0)), 0)


@dataclass(frozen=True)
class Marginals:
    """A grid's totals as another view already shows them, under the same filter (hashable,
    so a cached call can take it): each province's persons, each column's, and all of them.
    A value absent here is no count shown elsewhere."""

    rows: tuple[tuple[Any, Count], ...] = ()
    columns: tuple[tuple[Any, Count], ...] = ()
    total: Count | None = None


@dataclass(frozen=True)
class ListFilter:
    """Facet values from the query string; values of one facet are OR-ed, facets AND-ed."""

    province: tuple[str, ...] = ()
    circumstance: tuple[str, ...] = ()
    performance: tuple[str, ...] = ()
    party_type: tuple[str, ...] = ()
    status: tuple[str, ...] = ()

    def clauses(self) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = [OBS.c.source_id == LIST_SOURCE]
        for name in ("province", "performance", "party_type", "status"):
            if values := getattr(self, name):
                out.append(OBS.c[name].in_(values))
        if self.circumstance:
            out.append(or_(*(_has_circumstance(c) for c in self.circumstance)))
        return out

    def as_query(self) -> dict[str, list[str]]:
        return {f.name: list(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name)}


def _cols(table: Table, names: str) -> list[Column[Any]]:
    return [table.c[name] for name in names.split()]


def _payload(key: str) -> ColumnElement[str]:
    return OBS.c.payload[key].as_string().label(key)


def _has_circumstance(cid: str) -> ColumnElement[bool]:
    # Ids are stored comma-joined ("c1,c4"); padding with commas makes "c1" not match "c12".
    padded = literal(",", String) + OBS.c.circumstances + literal(",", String)
    return padded.like(f"%,{cid},%")


# -- listings ---------------------------------------------------------------------------------
def vocabulary(engine: Engine, facet: str) -> list[str]:
    """Values a facet may take: fixed lists, or what the store holds (for stable 400s)."""
    fixed = {"circumstance": list(CIRCUMSTANCES), "party_type": list(PARTY_TYPES),
             "status": list(STATUSES), "by": list(PERSON_BREAKDOWNS)}
    if facet in fixed:
        return fixed[facet]
    column = {"province": OBS.c.province, "performance": OBS.c.performance,
              "check": FIND.c.check_id, "severity": FIND.c.severity,
              "finding_province": FIND.c.province}[facet]
    stmt = select(column).distinct().where(column.is_not(None)).order_by(column)
    if column.table is OBS:
        stmt = stmt.where(OBS.c.source_id == LIST_SOURCE)
    with engine.connect() as conn:
        return [v for (v,) in conn.execute(stmt)]


def raw_list_totals(engine: Engine, filt: ListFilter) -> tuple[int, int]:
    """The listings of persons and of companies the filter keeps, unsuppressed (companies may
    be shown as they are; `queries_lists.list_counts` suppresses the persons)."""
    with engine.connect() as conn:
        persons, companies = conn.execute(select(PERSONS, COMPANIES).where(*filt.clauses())).one()
    return int(persons), int(companies)


def raw_listing_counts(engine: Engine, by: str,
                       filt: ListFilter) -> tuple[list[dict[str, Any]], int]:
    """Listings of persons and of companies per value of `by` (a facet, "month" or "court"),
    and the persons the filter keeps in all, unsuppressed: `queries_lists.list_counts` and
    `queries_courts.court_counts` suppress them, as one set of sums with what beside them."""
    with engine.connect() as conn:
        if by == "circumstance":
            stmt = select(OBS.c.party_type, *(
                func.coalesce(func.sum(case((_has_circumstance(cid), 1), else_=0)), 0)
                for cid in CIRCUMSTANCES)).where(*filt.clauses()).group_by(OBS.c.party_type)
            per_type = {ptype: counts for ptype, *counts in conn.execute(stmt)}
            raw = [(cid, per_type.get("person", [0] * 7)[i], per_type.get("company", [0] * 7)[i])
                   for i, cid in enumerate(CIRCUMSTANCES)]
        else:
            column = OBS.c["publish_month" if by == "month" else by]
            stmt = (select(column, PERSONS, COMPANIES).where(*filt.clauses())
                    .group_by(column).order_by(column))
            raw = [tuple(row) for row in conn.execute(stmt)]
        persons, _ = conn.execute(select(PERSONS, COMPANIES).where(*filt.clauses())).one()
    rows = [{"value": value, "label": label(by, value), "persons": int(p), "companies": int(c)}
            for value, p, c in raw if p or c]
    return rows, int(persons)


def label(facet: str, value: str | None) -> str:
    if value is None:
        return "not recorded"
    if facet == "circumstance":
        return f"{value} · {CIRCUMSTANCES.get(value, value)}"
    return {"M": "male", "F": "female"}.get(value, value) if facet == "sex" else value


def company_listings(engine: Engine, filt: ListFilter, page: int,
                     size: int) -> tuple[list[dict[str, Any]], int]:
    """Company listings only: a company is a public legal person and may be named."""
    joined = OBS.join(SUBJ, SUBJ.c.id == OBS.c.subject_id)
    where = [*filt.clauses(), OBS.c.party_type == "company", SUBJ.c.kind == "company"]
    stmt = (select(OBS.c.id.label("observation_id"), SUBJ.c.name.label("company_name"),
                   SUBJ.c.code.label("credit_code"), _payload("case_code"),
                   *_cols(OBS, "province court circumstances performance"),
                   _payload("publish_date"),
                   *_cols(OBS, "status first_seen last_seen artifact_sha256"))
            .select_from(joined).where(*where).order_by(OBS.c.publish_month.desc(), OBS.c.id)
            .limit(size).offset((page - 1) * size))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
        total = conn.execute(select(func.count()).select_from(joined).where(*where)).scalar_one()
    return rows, int(total)


def person_table(engine: Engine, by: str, filt: ListFilter, k: int,
                 marginals: Marginals) -> dict[str, Any]:
    """Listings of persons by province × `by`, with a total row and column, suppressed, its
    totals as `marginals` shows them (`queries_lists.person_table` passes /lists' counts)."""
    where = [*filt.clauses(), OBS.c.party_type == "person"]
    joined = OBS.join(SUBJ, SUBJ.c.id == OBS.c.subject_id)
    options: dict[str, Any] = {}
    with engine.connect() as conn:
        if by == "circumstance":
            sums = [func.sum(case((_has_circumstance(cid), 1), else_=0)) for cid in CIRCUMSTANCES]
            stmt = (select(OBS.c.province, func.count(), *sums).where(*where)
                    .group_by(OBS.c.province))
            result = conn.execute(stmt).all()
            counts = {(prov, cid): int(n or 0) for prov, _total, *ns in result
                      for cid, n in zip(CIRCUMSTANCES, ns, strict=True)}
            # A listing may have several circumstances: a row of them is not a sum.
            options = {"totals": {prov: int(t) for prov, t, *_ in result},
                       "columns": list(CIRCUMSTANCES), "rows_add_up": False}
        else:
            column = SUBJ.c[by] if by in ("sex", "age_band") else OBS.c[by]
            stmt = (select(OBS.c.province, column, func.count()).select_from(joined).where(*where)
                    .group_by(OBS.c.province, column))
            counts = {(prov, v): int(n) for prov, v, n in conn.execute(stmt)}
    return province_table(by, counts, k, marginals=marginals, **options)


def _order(value: Any) -> tuple[bool, Any]:
    return value is None, value or ""


def province_table(by: str, counts: dict[tuple[Any, Any], int], k: int, *,
                   totals: dict[Any, int] | None = None, columns: list[Any] | None = None,
                   rows_add_up: bool = True,
                   marginals: Marginals | None = None) -> dict[str, Any]:
    """Person counts by province (rows, with each province's total) × `by` (columns), with an
    "All provinces" row, suppressed as one table. Without `totals` a province's total is the
    sum of its cells; without `columns`, the values counted, in order. The totals `marginals`
    gives are shown as it shows them, and held back cells are protected around them."""
    if totals is None:
        totals = {}
        for (prov, _value), n in counts.items():
            totals[prov] = totals.get(prov, 0) + n
    if columns is None:
        columns = sorted({value for _prov, value in counts}, key=_order)
    provinces = sorted(totals, key=_order)
    grid = [[counts.get((p, c), 0) for c in columns] + [totals[p]] for p in provinces]
    grid.append([sum(counts.get((p, c), 0) for p in provinces) for c in columns]
                + [sum(totals.values())])
    # Where another view shows a total (the /lists facets), its hidden ones stay hidden here
    # and its shown ones are no partner: two pages choosing different partners for one small
    # count would together give it back.
    fixed = _fixed_cells(marginals or Marginals(), provinces, columns)
    hidden = frozenset(cell for cell, n in fixed.items() if not isinstance(n, int))
    known = frozenset(fixed) - hidden
    shown, pinned = suppress_table(grid, k, rows_add_up=rows_add_up, hidden=hidden, known=known)
    for (r, c), n in fixed.items():
        shown[r][c] = n
    names = [label("province", p) for p in provinces] + ["All provinces"]
    rows = [{"province": name, "cells": cells[:-1], "total": cells[-1]}
            for name, cells in zip(names, shown, strict=True)]
    if pinned:
        # Too few persons to show by province without pinning a count (the rows that are
        # listed say each is at least one): only the totals are told, suppressed on their own;
        # and if even they pin one (nine columns of one under a total below ten), only the
        # grand total.
        last = len(provinces)
        on_row = {c: n for (r, c), n in fixed.items() if r == last}
        (alone,), still = suppress_table(
            [grid[-1]], k, rows_add_up=rows_add_up,
            hidden=frozenset((0, c) for c, n in on_row.items() if not isinstance(n, int)),
            known=frozenset((0, c) for c, n in on_row.items() if isinstance(n, int)))
        cells = [HELD_BACK] * (len(alone) - 1) + alone[-1:] if still else alone
        cells = [on_row.get(c, n) for c, n in enumerate(cells)]
        rows = [{"province": names[-1], "cells": cells[:-1], "total": cells[-1]}]
    return {"columns": [{"value": c, "label": label(by, c)} for c in columns],
            "rows": rows, "provinces_held_back": pinned}


def _fixed_cells(marginals: Marginals, provinces: list[Any],
                 columns: list[Any]) -> dict[tuple[int, int], Count]:
    """The grid's cells that `marginals` gives, as it shows them: the totals column, the
    "All provinces" row."""
    last_row, last_column = len(provinces), len(columns)
    rows, cols = dict(marginals.rows), dict(marginals.columns)
    fixed: dict[tuple[int, int], Count] = {
        (r, last_column): rows[p] for r, p in enumerate(provinces) if p in rows}
    fixed.update({(last_row, c): cols[v] for c, v in enumerate(columns) if v in cols})
    if marginals.total is not None:
        fixed[(last_row, last_column)] = marginals.total
    return fixed


def headline_facts(engine: Engine) -> dict[str, Any]:
    """Listings of companies, current and removed; the provinces, courts and months of
    publication of the current listings, which the overview's charts count beside them. The
    persons are `queries_lists.headline`'s: suppressed with /lists' counts, not here."""
    base = OBS.c.source_id == LIST_SOURCE
    listed = OBS.c.status == "listed"

    def of_current(column: Column[Any]) -> ColumnElement[Any]:
        return case((listed, column))  # NULL for a removed listing: not counted, not min/max

    stmt = select(
        func.coalesce(func.sum(case(((OBS.c.party_type == "company") & listed, 1), else_=0)), 0),
        func.coalesce(func.sum(case(((OBS.c.party_type == "company") & ~listed, 1), else_=0)), 0),
        func.count(distinct(of_current(OBS.c.province))),
        func.count(distinct(of_current(OBS.c.court))),
        func.min(of_current(OBS.c.publish_month)),
        func.max(of_current(OBS.c.publish_month))).where(base)
    with engine.connect() as conn:
        c_listed, c_removed, provinces, courts, first, last = conn.execute(stmt).one()
    return {"companies_listed": int(c_listed), "companies_removed": int(c_removed),
            "provinces": int(provinces), "courts": int(courts),
            "first_month": first, "last_month": last}


# -- audit findings ---------------------------------------------------------------------------
# The findings themselves, and what one about a person may show, are in `queries_findings`.
def current_audit_run(engine: Engine) -> dict[str, Any] | None:
    """The run the pages report: the newest one that finished complete (as audit.stats does)."""
    with engine.connect() as conn:
        row = conn.execute(select(RUN).where(RUN.c.status == "complete")
                           .order_by(RUN.c.id.desc()).limit(1)).mappings().first()
        if row is None:
            return None
        court = OBS.c.source_id == LIST_SOURCE
        found, flagged, flagged_all = conn.execute(
            select(func.count(),
                   func.count(distinct(case((court, FIND.c.observation_id)))),
                   func.count(distinct(FIND.c.observation_id)))
            .select_from(FIND.join(OBS, OBS.c.id == FIND.c.observation_id))
            .where(FIND.c.audit_run_id == row["id"])).one()
    # Counted from the findings themselves, so the page and the rows can never disagree.
    # `checked` counts court-list listings, so `flagged` does too: a finding about a Credit
    # China penalty or a perk threshold is not one of those listings. `flagged_all` counts
    # every source's observations with a finding.
    return {**row, "findings": int(found), "flagged": int(flagged),
            "flagged_all": int(flagged_all)}


def findings_by_check(engine: Engine, run_id: int) -> list[dict[str, Any]]:
    """Findings per check and rule, with `court_list`: whether every observation they are about
    is a court-list listing (then the audit's `checked` is their denominator; else it is not)."""
    keys = _cols(FIND, "check_id severity rule citation evidence")
    other = func.max(case((OBS.c.source_id != LIST_SOURCE, 1), else_=0))
    stmt = (select(*keys, func.count().label("findings"),
                   func.count(distinct(FIND.c.observation_id)).label("listings"),
                   (other == 0).label("court_list"))
            .select_from(FIND.join(OBS, OBS.c.id == FIND.c.observation_id))
            .where(FIND.c.audit_run_id == run_id).group_by(*keys)
            .order_by(func.count().desc(), FIND.c.check_id))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


# -- sources, crawls, artifacts ---------------------------------------------------------------
def sources(engine: Engine) -> list[dict[str, Any]]:
    """Each source with its newest crawl and when it last completed a crawl."""
    last = (select(CRAWL.c.source_id, func.max(CRAWL.c.id).label("crawl_id"))
            .group_by(CRAWL.c.source_id).subquery())
    # An import is part of a list someone saved, read whenever: it says nothing of freshness.
    complete = (select(CRAWL.c.source_id, func.max(CRAWL.c.finished_at).label("last_complete"))
                .where(CRAWL.c.status == "complete", CRAWL.c.mode == "crawl")
                .group_by(CRAWL.c.source_id).subquery())
    stmt = (select(SRC.c.id.label("source_id"), *_cols(SRC, "title publisher official"),
                   CRAWL.c.started_at.label("last_started"),
                   CRAWL.c.finished_at.label("last_finished"),
                   CRAWL.c.status.label("last_status"), complete.c.last_complete)
            .select_from(SRC.outerjoin(last, last.c.source_id == SRC.c.id)
                         .outerjoin(CRAWL, CRAWL.c.id == last.c.crawl_id)
                         .outerjoin(complete, complete.c.source_id == SRC.c.id))
            .order_by(SRC.c.id))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def crawls(engine: Engine, page: int, size: int,
           source_ids: tuple[str, ...] = ()) -> tuple[list[dict[str, Any]], int]:
    """Crawl history, newest first, of every source or of `source_ids`."""
    columns = _cols(CRAWL, "source_id mode status reason origin started_at finished_at read added "
                           "changed unchanged rejected removed requests unknown_fields errors "
                           "list_published")
    where = [CRAWL.c.source_id.in_(source_ids)] if source_ids else []
    stmt = (select(CRAWL.c.id.label("crawl_id"), *columns).where(*where)
            .order_by(CRAWL.c.started_at.desc(), CRAWL.c.id.desc())
            .limit(size).offset((page - 1) * size))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
        total = conn.execute(select(func.count()).select_from(CRAWL).where(*where)).scalar_one()
    return rows, int(total)


def artifact(engine: Engine, sha: str) -> dict[str, Any] | None:
    columns = _cols(ART, "sha256 original_sha256 redacted url fetched_at http_status "
                         "content_type size stored_size crawl_id")
    stmt = (select(*columns, CRAWL.c.source_id)
            .select_from(ART.outerjoin(CRAWL, CRAWL.c.id == ART.c.crawl_id))
            .where(ART.c.sha256 == sha))
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().first()
        if row is None:
            return None
        used = conn.execute(select(func.count()).select_from(OBS)
                            .where(OBS.c.artifact_sha256 == sha)).scalar_one()
    return {**row, "url": public_artifact_url(row["url"], bool(row["redacted"])),
            "observations": int(used)}


def is_synthetic(engine: Engine) -> bool:
    """True once any crawl read the offline mirror: its person records are generated."""
    stmt = select(exists().where(or_(*(CRAWL.c.origin.like(f"{p}%") for p in MIRROR_ORIGINS))))
    with engine.connect() as conn:
        return bool(conn.execute(stmt).scalar())


def table_counts(engine: Engine) -> dict[str, int]:
    counted = {"sources": SRC, "crawls": CRAWL, "artifacts": ART, "observations": OBS,
               "audit_runs": RUN, "findings": FIND}
    with engine.connect() as conn:
        return {name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for name, t in counted.items()}

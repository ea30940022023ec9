"""Read-only questions the dashboards and the JSON API ask of the store.

Every function takes an Engine and returns plain dicts, aggregated in SQL, so no page ever loads
all observations into Python. Persons are only ever counted: nothing here selects a person's
subject row, and every count of persons passes through `suppress_grid`, which shows 1..k-1 as
"<k" and holds back one more cell (shown as "≥k") wherever a lone small cell could otherwise be
worked out by subtracting the others from a total.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    String,
    case,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
)

from watchdog.store.tables import (
    Artifact,
    AuditRun,
    Crawl,
    Finding,
    Observation,
    RegimeVersion,
    Source,
    Subject,
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

O, S, C = Observation.__table__, Subject.__table__, Crawl.__table__
F, A, R, RV = Finding.__table__, Artifact.__table__, AuditRun.__table__, RegimeVersion.__table__
_PERSONS = func.coalesce(func.sum(case((O.c.party_type == "person", 1), else_=0)), 0)
_COMPANIES = func.coalesce(func.sum(case((O.c.party_type == "company", 1), else_=0)), 0)
Count = int | str  # a person count after suppression: an int, "<k" or "≥k"


@dataclass(frozen=True)
class ListFilter:
    """Facet values from the query string; values of one facet are OR-ed, facets AND-ed."""

    province: tuple[str, ...] = ()
    circumstance: tuple[str, ...] = ()
    performance: tuple[str, ...] = ()
    party_type: tuple[str, ...] = ()
    status: tuple[str, ...] = ()

    def clauses(self) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = [O.c.source_id == LIST_SOURCE]
        for name in ("province", "performance", "party_type", "status"):
            if values := getattr(self, name):
                out.append(O.c[name].in_(values))
        if self.circumstance:
            out.append(or_(*(_has_circumstance(c) for c in self.circumstance)))
        return out

    def as_query(self) -> dict[str, list[str]]:
        return {f.name: list(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name)}


def _has_circumstance(cid: str) -> ColumnElement[bool]:
    # Ids are stored comma-joined ("c1,c4"); padding with commas makes "c1" not match "c12".
    padded = literal(",", String) + O.c.circumstances + literal(",", String)
    return padded.like(f"%,{cid},%")


def suppress_grid(grid: list[list[int]], k: int) -> list[list[Count]]:
    """Hide person counts 1..k-1 in a grid whose last row and column are totals.

    Each row and each column is a sum constraint, so one hidden cell alone in it can be
    recovered by subtraction; the smallest other non-zero cell of that line is hidden too
    (shown "≥k", which stays true), until no line has a lone hidden cell.
    """
    cells = {(r, c): v for r, row in enumerate(grid) for c, v in enumerate(row)}
    primary = {cell for cell, v in cells.items() if 0 < v < k}
    hidden = set(primary)
    nrows, ncols = len(grid), max((len(row) for row in grid), default=0)
    lines = ([[(r, c) for c in range(ncols) if (r, c) in cells] for r in range(nrows)]
             + [[(r, c) for r in range(nrows) if (r, c) in cells] for c in range(ncols)])
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(cell in hidden for cell in line) != 1:
                continue
            others = [cell for cell in line if cell not in hidden and cells[cell] > 0]
            if others:
                hidden.add(min(others, key=lambda cell: (cells[cell], cell)))
                changed = True
    return [[(f"<{k}" if (r, c) in primary else f"≥{k}") if (r, c) in hidden else v
             for c, v in enumerate(row)] for r, row in enumerate(grid)]


def _suppress_column(rows: list[dict[str, Any]], total: int, k: int) -> Count:
    """Suppress rows' "persons" in place (with `total` as the sum row); return the total shown."""
    out = suppress_grid([[row["persons"]] for row in rows] + [[total]], k)
    for row, (shown,) in zip(rows, out, strict=False):
        row["persons"] = shown
    return out[-1][0]


# -- listings ---------------------------------------------------------------------------------
def vocabulary(engine: Engine, facet: str) -> list[str]:
    """Values a facet may take: fixed lists, or what the store holds (for stable 400s)."""
    fixed = {"circumstance": list(CIRCUMSTANCES), "party_type": list(PARTY_TYPES),
             "status": list(STATUSES), "by": list(PERSON_BREAKDOWNS)}
    if facet in fixed:
        return fixed[facet]
    column = {"province": O.c.province, "performance": O.c.performance, "check": F.c.check_id,
              "severity": F.c.severity, "finding_province": F.c.province}[facet]
    stmt = select(distinct(column)).where(column.is_not(None)).order_by(column)
    if column.table is O:
        stmt = stmt.where(O.c.source_id == LIST_SOURCE)
    with engine.connect() as conn:
        return [v for (v,) in conn.execute(stmt)]


def list_totals(engine: Engine, filt: ListFilter, k: int) -> dict[str, Count]:
    with engine.connect() as conn:
        persons, companies = conn.execute(select(_PERSONS, _COMPANIES).where(*filt.clauses())).one()
    return {"persons": suppress_grid([[persons]], k)[0][0], "companies": int(companies)}


def listing_counts(engine: Engine, by: str, filt: ListFilter, k: int) -> list[dict[str, Any]]:
    """Listings of persons and of companies per value of `by` (a facet, or "month")."""
    with engine.connect() as conn:
        if by == "circumstance":
            stmt = select(O.c.party_type, *(
                func.coalesce(func.sum(case((_has_circumstance(cid), 1), else_=0)), 0)
                for cid in CIRCUMSTANCES)).where(*filt.clauses()).group_by(O.c.party_type)
            per_type = {ptype: counts for ptype, *counts in conn.execute(stmt)}
            raw = [(cid, per_type.get("person", [0] * 7)[i], per_type.get("company", [0] * 7)[i])
                   for i, cid in enumerate(CIRCUMSTANCES)]
        else:
            column = O.c["publish_month" if by == "month" else by]
            stmt = (select(column, _PERSONS, _COMPANIES).where(*filt.clauses())
                    .group_by(column).order_by(column))
            raw = [tuple(row) for row in conn.execute(stmt)]
        persons, _ = conn.execute(select(_PERSONS, _COMPANIES).where(*filt.clauses())).one()
    rows = [{"value": value, "label": label(by, value), "persons": int(p), "companies": int(c)}
            for value, p, c in raw if p or c]
    # A listing may have several circumstances, so those rows do not add up to the total.
    _suppress_column(rows, int(persons), k)
    return rows


def label(facet: str, value: str | None) -> str:
    if value is None:
        return "not recorded"
    if facet == "circumstance":
        return f"{value} · {CIRCUMSTANCES.get(value, value)}"
    return {"M": "male", "F": "female"}.get(value, value) if facet == "sex" else value


def facet_counts(engine: Engine, filt: ListFilter, k: int) -> dict[str, list[dict[str, Any]]]:
    return {facet: listing_counts(engine, facet, filt, k)
            for facet in ("province", "circumstance", "performance", "party_type", "status")}


def company_listings(engine: Engine, filt: ListFilter, page: int,
                     size: int) -> tuple[list[dict[str, Any]], int]:
    """Company listings only: a company is a public legal person and may be named."""
    joined = O.join(S, S.c.id == O.c.subject_id)
    where = [*filt.clauses(), O.c.party_type == "company", S.c.kind == "company"]
    stmt = (select(O.c.id.label("observation_id"), S.c.name.label("company_name"),
                   S.c.code.label("credit_code"), O.c.payload["case_code"].as_string()
                   .label("case_code"), O.c.province, O.c.court, O.c.circumstances,
                   O.c.performance, O.c.payload["publish_date"].as_string().label("publish_date"),
                   O.c.status, O.c.first_seen, O.c.last_seen, O.c.artifact_sha256)
            .select_from(joined).where(*where)
            .order_by(O.c.publish_month.desc(), O.c.id).limit(size).offset((page - 1) * size))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
        total = conn.execute(select(func.count()).select_from(joined).where(*where)).scalar_one()
    return rows, int(total)


def person_table(engine: Engine, by: str, filt: ListFilter, k: int) -> dict[str, Any]:
    """Listings of persons by province × `by`, with a total row and column, suppressed."""
    where = [*filt.clauses(), O.c.party_type == "person"]
    joined = O.join(S, S.c.id == O.c.subject_id)
    with engine.connect() as conn:
        if by == "circumstance":
            sums = [func.sum(case((_has_circumstance(cid), 1), else_=0)) for cid in CIRCUMSTANCES]
            stmt = (select(O.c.province, func.count(), *sums).where(*where)
                    .group_by(O.c.province))
            result = conn.execute(stmt).all()
            counts = {(prov, cid): int(n or 0) for prov, _total, *ns in result
                      for cid, n in zip(CIRCUMSTANCES, ns, strict=True)}
            totals = {prov: int(t) for prov, t, *_ in result}
            columns = list(CIRCUMSTANCES)
        else:
            column = S.c[by] if by in ("sex", "age_band") else O.c[by]
            stmt = (select(O.c.province, column, func.count()).select_from(joined).where(*where)
                    .group_by(O.c.province, column))
            counts = {(prov, v): int(n) for prov, v, n in conn.execute(stmt)}
            totals = {}
            for (prov, _v), n in counts.items():
                totals[prov] = totals.get(prov, 0) + n
            columns = sorted({v for _p, v in counts}, key=lambda v: (v is None, v or ""))
    provinces = sorted(totals, key=lambda p: (p is None, p or ""))
    grid = [[counts.get((p, c), 0) for c in columns] + [totals[p]] for p in provinces]
    grid.append([sum(counts.get((p, c), 0) for p in provinces) for c in columns]
                + [sum(totals.values())])
    shown = suppress_grid(grid, k)
    names = [label("province", p) for p in provinces] + ["All provinces"]
    return {"columns": [{"value": c, "label": label(by, c)} for c in columns],
            "rows": [{"province": name, "cells": cells[:-1], "total": cells[-1]}
                     for name, cells in zip(names, shown, strict=True)]}


def headline(engine: Engine, k: int) -> dict[str, Any]:
    base = O.c.source_id == LIST_SOURCE
    listed = O.c.status == "listed"
    stmt = select(
        func.coalesce(func.sum(case(((O.c.party_type == "person") & listed, 1), else_=0)), 0),
        func.coalesce(func.sum(case(((O.c.party_type == "person") & ~listed, 1), else_=0)), 0),
        func.coalesce(func.sum(case(((O.c.party_type == "company") & listed, 1), else_=0)), 0),
        func.coalesce(func.sum(case(((O.c.party_type == "company") & ~listed, 1), else_=0)), 0),
        func.count(distinct(O.c.province)), func.count(distinct(O.c.court)),
        func.min(O.c.publish_month), func.max(O.c.publish_month)).where(base)
    with engine.connect() as conn:
        p_listed, p_removed, c_listed, c_removed, provinces, courts, first, last = (
            conn.execute(stmt).one())
    (pl,), (pr,), (pt,) = suppress_grid([[p_listed], [p_removed], [p_listed + p_removed]], k)
    return {"persons_listed": pl, "persons_removed": pr, "persons_total": pt,
            "companies_listed": int(c_listed), "companies_removed": int(c_removed),
            "provinces": int(provinces), "courts": int(courts),
            "first_month": first, "last_month": last}


# -- audit findings ---------------------------------------------------------------------------
def current_audit_run(engine: Engine) -> dict[str, Any] | None:
    """The run the pages report: the newest one that finished complete (as audit.stats does)."""
    with engine.connect() as conn:
        row = conn.execute(select(R).where(R.c.status == "complete")
                           .order_by(R.c.id.desc()).limit(1)).mappings().first()
        if row is None:
            return None
        flagged = conn.execute(select(func.count(distinct(F.c.observation_id)))
                               .where(F.c.audit_run_id == row["id"])).scalar_one()
    return {**row, "flagged": int(flagged)}


def findings(engine: Engine, run_id: int, *, checks: tuple[str, ...] = (),
             severities: tuple[str, ...] = (), provinces: tuple[str, ...] = (),
             page: int = 1, size: int = 50) -> tuple[list[dict[str, Any]], int]:
    where = [F.c.audit_run_id == run_id]
    for column, values in ((F.c.check_id, checks), (F.c.severity, severities),
                           (F.c.province, provinces)):
        if values:
            where.append(column.in_(values))
    is_company = S.c.kind == "company"
    joined = (F.join(O, O.c.id == F.c.observation_id).join(S, S.c.id == F.c.subject_id)
              .outerjoin(RV, RV.c.id == F.c.regime_version_id))
    stmt = (select(F.c.id.label("finding_id"), F.c.check_id, F.c.severity, F.c.rule, F.c.citation,
                   F.c.evidence, F.c.summary, F.c.province, F.c.court, O.c.party_type,
                   case((is_company, S.c.name)).label("company_name"),
                   case((is_company, O.c.payload["case_code"].as_string())).label("case_code"),
                   F.c.observation_id, F.c.artifact_sha256, RV.c.regime_id,
                   RV.c.version.label("regime_version"))
            .select_from(joined).where(*where).order_by(F.c.check_id, F.c.id)
            .limit(size).offset((page - 1) * size))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
        total = conn.execute(select(func.count()).select_from(F).where(*where)).scalar_one()
    return rows, int(total)


def findings_by_check(engine: Engine, run_id: int) -> list[dict[str, Any]]:
    stmt = (select(F.c.check_id, F.c.severity, F.c.rule, F.c.citation, F.c.evidence,
                   func.count().label("findings"),
                   func.count(distinct(F.c.observation_id)).label("listings"))
            .where(F.c.audit_run_id == run_id)
            .group_by(F.c.check_id, F.c.severity, F.c.rule, F.c.citation, F.c.evidence)
            .order_by(func.count().desc(), F.c.check_id))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


# -- sources, crawls, artifacts ---------------------------------------------------------------
def sources(engine: Engine) -> list[dict[str, Any]]:
    """Each source with its newest crawl and when it last completed a crawl."""
    last = select(C.c.source_id, func.max(C.c.id).label("crawl_id")).group_by(C.c.source_id)
    last = last.subquery()
    complete = (select(C.c.source_id, func.max(C.c.finished_at).label("last_complete"))
                .where(C.c.status == "complete").group_by(C.c.source_id).subquery())
    stmt = (select(Source.__table__.c.id.label("source_id"), Source.__table__.c.title,
                   Source.__table__.c.publisher, Source.__table__.c.official,
                   C.c.started_at.label("last_started"), C.c.finished_at.label("last_finished"),
                   C.c.status.label("last_status"), complete.c.last_complete)
            .select_from(Source.__table__
                         .outerjoin(last, last.c.source_id == Source.__table__.c.id)
                         .outerjoin(C, C.c.id == last.c.crawl_id)
                         .outerjoin(complete, complete.c.source_id == Source.__table__.c.id))
            .order_by(Source.__table__.c.id))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def crawls(engine: Engine, page: int, size: int) -> tuple[list[dict[str, Any]], int]:
    columns = [C.c.id.label("crawl_id"), C.c.source_id, C.c.mode, C.c.status, C.c.reason,
               C.c.origin, C.c.started_at, C.c.finished_at, C.c.read, C.c.added, C.c.changed,
               C.c.unchanged, C.c.rejected, C.c.removed, C.c.requests, C.c.unknown_fields,
               C.c.errors]
    stmt = (select(*columns).order_by(C.c.started_at.desc(), C.c.id.desc())
            .limit(size).offset((page - 1) * size))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
        total = conn.execute(select(func.count()).select_from(C)).scalar_one()
    return rows, int(total)


def artifact(engine: Engine, sha: str) -> dict[str, Any] | None:
    stmt = (select(A.c.sha256, A.c.original_sha256, A.c.redacted, A.c.url, A.c.fetched_at,
                   A.c.http_status, A.c.content_type, A.c.size, A.c.stored_size, A.c.crawl_id,
                   C.c.source_id)
            .select_from(A.outerjoin(C, C.c.id == A.c.crawl_id)).where(A.c.sha256 == sha))
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().first()
        if row is None:
            return None
        used = conn.execute(select(func.count()).select_from(O)
                            .where(O.c.artifact_sha256 == sha)).scalar_one()
    return {**row, "observations": int(used)}


def is_synthetic(engine: Engine) -> bool:
    """True once any crawl read the offline mirror: its person records are generated."""
    stmt = select(exists().where(or_(*(C.c.origin.like(f"{p}%") for p in MIRROR_ORIGINS))))
    with engine.connect() as conn:
        return bool(conn.execute(stmt).scalar())


def table_counts(engine: Engine) -> dict[str, int]:
    tables = {"sources": Source.__table__, "crawls": C, "artifacts": A, "observations": O,
              "audit_runs": R, "findings": F}
    with engine.connect() as conn:
        return {name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for name, t in tables.items()}

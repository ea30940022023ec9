"""Findings of an audit run as the public sees them: /findings, its twins, the API and the export.

A finding about a person keeps what makes it checkable (check, severity, rule, citation,
evidence grade, regime version and the SHA-256 of the archived response) but names no province,
court or listing id, and keeps its summary only where the check's summaries name no date and no
place: a place beside a date narrows a listing to one person, rows counted per place give back
the cells the person tables suppress, and a listing id joins the finding to rows that do carry
a place. The store selects (`finding_select`, with `is_person`); `watchdog.audit.public_findings`
shapes a row for the public, since only the audit knows its checks' plain descriptions. Under a
place filter findings about persons are neither listed nor counted in the page's total;
`PersonGrid.count` says how many there are, suppressed as every count of persons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, case, distinct, func, or_, select

from watchdog.store.queries import (
    FIND,
    LIST_SOURCE,
    OBS,
    REGIME,
    RUN,
    SUBJ,
)
from watchdog.store.suppression import Count, suppress_grid

PLACE_FILTER_NOTE = (
    "Under a place filter only findings about companies and other non-persons are listed and "
    "counted: listed, the findings about persons would count the persons of that place, and a "
    "few persons of one place can be found. Their number is given instead, with counts under "
    "{k} shown as \"<{k}\", and some larger ones as \"≥{k}\" wherever a small count could "
    "otherwise be worked out by subtraction.")


def is_person() -> ColumnElement[bool]:
    """Whether a row's subject is a person, with `OBS` and `SUBJ` joined."""
    # Either side saying so is enough: a wrong "person" costs a place that might have been shown,
    # a wrong "company" would show a person's.
    return or_(SUBJ.c.kind == "person", func.coalesce(OBS.c.party_type, "") == "person")


def finding_join() -> Any:
    return (FIND.join(OBS, OBS.c.id == FIND.c.observation_id)
            .join(SUBJ, SUBJ.c.id == FIND.c.subject_id)
            .outerjoin(REGIME, REGIME.c.id == FIND.c.regime_version_id))


def finding_select() -> Select[Any]:
    """The columns `public_finding` shapes into a public row (select_from `finding_join()`)."""
    is_company = SUBJ.c.kind == "company"
    return select(FIND.c.id.label("finding_id"), FIND.c.audit_run_id,
                  *(FIND.c[name] for name in ("check_id", "severity", "rule", "citation",
                                              "evidence", "summary", "province", "court")),
                  OBS.c.party_type, case((is_company, SUBJ.c.name)).label("company_name"),
                  case((is_company, OBS.c.payload["case_code"].as_string())).label("case_code"),
                  FIND.c.observation_id, FIND.c.artifact_sha256, REGIME.c.regime_id,
                  REGIME.c.version.label("regime_version"), is_person().label("is_person"),
                  # The source of a company's listing, for its evidence link (the views know
                  # which sources' records can be shown); none for a person.
                  case((is_company & ~is_person(), OBS.c.source_id)).label("record_source"))


def findings(engine: Engine, run_id: int, *, checks: tuple[str, ...] = (),
             severities: tuple[str, ...] = (), provinces: tuple[str, ...] = (),
             page: int = 1, size: int = 50) -> tuple[list[dict[str, Any]], int]:
    """A page of the run's findings, as `finding_select` rows (shape each with
    `audit.public_findings.public_finding`), and how many match; under a place filter, of
    non-persons."""
    where = [FIND.c.audit_run_id == run_id]
    for column, values in ((FIND.c.check_id, checks), (FIND.c.severity, severities),
                           (FIND.c.province, provinces)):
        if values:
            where.append(column.in_(values))
    if provinces:
        # Counted in `total`, persons' findings would be the total minus the companies listed.
        where.append(~is_person())
    stmt = (finding_select().select_from(finding_join()).where(*where)
            .order_by(FIND.c.check_id, FIND.c.id).limit(size).offset((page - 1) * size))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
        total = conn.execute(select(func.count()).select_from(finding_join())
                             .where(*where)).scalar_one()
    return rows, int(total)


@dataclass(frozen=True)
class PersonGrid:
    """A run's findings about persons per place × (check, severity), and the cells held back.

    Every count of persons under a place filter is a sum of cells of this one grid, exact only
    when none of its cells is held back, so no two answers can be subtracted to find a small
    cell, whatever the filters.
    """

    k: int
    places: tuple[str | None, ...]
    columns: tuple[tuple[str, str], ...]  # (check_id, severity)
    cells: tuple[tuple[int, ...], ...]
    hidden: frozenset[tuple[int, int]]

    def count(self, checks: tuple[str, ...] = (), severities: tuple[str, ...] = (),
              provinces: tuple[str, ...] = ()) -> Count:
        chosen = [(r, c) for r, place in enumerate(self.places)
                  if not provinces or place in provinces
                  for c, (check, severity) in enumerate(self.columns)
                  if (not checks or check in checks) and (not severities or severity in severities)]
        n = sum(self.cells[r][c] for r, c in chosen)
        if not self.hidden.intersection(chosen):
            return n
        return f"<{self.k}" if n < self.k else f"≥{self.k}"

    def held_back(self, place: str | None, check: str | None = None) -> bool:
        """Whether a cell of `place` (in `check`'s columns, or in any) is held back."""
        if place not in self.places:
            return False  # no finding names it: its persons' count is 0, as the filter tells
        r = self.places.index(place)
        return any((r, c) in self.hidden for c, (check_id, _) in enumerate(self.columns)
                   if check is None or check_id == check)

    def shown_sum(self, place: str | None) -> int:
        """The sum of the cells of `place` that are not held back."""
        if place not in self.places:
            return 0
        r = self.places.index(place)
        return sum(n for c, n in enumerate(self.cells[r]) if (r, c) not in self.hidden)


def hold_back(cells: list[list[int]], k: int) -> set[tuple[int, int]]:
    """Cells of a place × column grid of person counts to hold back, as (row, column).

    `suppress_grid` holds back counts 1..k-1 and a partner for a lone one in a row or column.
    A column's total is public here (pages list each finding about a person), so a column whose
    small cell found no non-zero partner gets a zero held back beside it (shown "<k", which
    stays true): otherwise the total would be that cell.
    """
    # The grid has no total row or column: none of its lines is a sum of the others.
    shown = suppress_grid(cells, k, rows_add_up=False, columns_add_up=False)
    hidden = {(r, c) for r, row in enumerate(shown) for c, v in enumerate(row) if isinstance(v, str)}
    for c in range(len(cells[0]) if cells else 0):
        held = [r for r in range(len(cells)) if (r, c) in hidden]
        spare = next((r for r in range(len(cells)) if (r, c) not in hidden), None)
        if len(held) == 1 and spare is not None:
            hidden.add((spare, c))
    return hidden


def person_grid(engine: Engine, run_id: int, k: int) -> PersonGrid:
    """The run's `PersonGrid`: every place a finding of any run names (those the filter
    accepts) and "not recorded", each column a check and severity that has a person's finding,
    with the cells `hold_back` picks."""
    stmt = (select(FIND.c.province, FIND.c.check_id, FIND.c.severity, func.count())
            .select_from(finding_join()).where(FIND.c.audit_run_id == run_id, is_person())
            .group_by(FIND.c.province, FIND.c.check_id, FIND.c.severity))
    with engine.connect() as conn:
        counts = {(p, c, s): int(n) for p, c, s, n in conn.execute(stmt)}
        named = set(conn.execute(select(FIND.c.province).distinct()).scalars())
    # "Not recorded" last, so that a zero held back is one a reader could ask about.
    places = sorted(named | {p for p, _, _ in counts} | {None}, key=lambda p: (p is None, p or ""))
    columns = sorted({(c, s) for _, c, s in counts})
    cells = [[counts.get((p, c, s), 0) for c, s in columns] for p in places]
    return PersonGrid(k, tuple(places), tuple(columns), tuple(map(tuple, cells)),
                      frozenset(hold_back(cells, k)))


def rate_persons(engine: Engine, run_id: int, check: str | None,
                 by: str = "province") -> dict[str | None, int]:
    """Per province (or court: `by`), the persons in `audit.stats.rates_by`'s numerator:
    court-list listings still listed and first seen before the run started, with a finding (of
    `check`, or any)."""
    started = select(RUN.c.started_at).where(RUN.c.id == run_id).scalar_subquery()
    group = OBS.c[by]
    stmt = (select(group, func.count(distinct(FIND.c.observation_id)))
            .select_from(finding_join())
            .where(FIND.c.audit_run_id == run_id, OBS.c.source_id == LIST_SOURCE,
                   OBS.c.status == "listed", OBS.c.first_seen <= started, is_person())
            .group_by(group))
    if check is not None:
        stmt = stmt.where(FIND.c.check_id == check)
    with engine.connect() as conn:
        return {p: int(n) for p, n in conn.execute(stmt)}


def rates_held_back(rates: list[dict[str, Any]], grid: PersonGrid, persons: dict[str | None, int],
                    check: str | None) -> list[dict[str, Any]]:
    """Rates per province (`audit.stats.RateRow.as_dict()`, of `check` or of any check), held
    back where the persons in their numerator (`rate_persons`) could be told.

    A rate's numerator counts persons and companies, and a province's companies are listed
    under a place filter: the rest is its persons. So a rate is held back where that count is
    (by `hold_back`, as a column) and where it would tell about cells `grid` holds back. For
    one check the count is that check's cells in the province (less listings removed since the
    run). For any check it counts listings, not findings, so it bounds the province's cells:
    0 shows every cell to be zero, and more than the cells shown puts the rest in the held-back
    ones (with few persons, the column totals then pin them).
    """
    column = [[persons.get(rate["group"], 0)] for rate in rates]
    hidden = {r for r, _ in hold_back(column, grid.k)}
    out = []
    for r, rate in enumerate(rates):
        place, n = rate["group"], column[r][0]
        if check is not None:
            tells = grid.held_back(place, check)
        else:
            tells = grid.held_back(place) and (n == 0 or n > grid.shown_sum(place))
        if not rate["suppressed"] and (r in hidden or tells):
            rate = {**rate, "n": None, "findings": None, "rate": None, "low": None,
                    "high": None, "suppressed": True, "persons_held_back": True}
        out.append(rate)
    # Ordered as audit.stats orders them: held-back rows by name only, so no size shows.
    return sorted(out, key=lambda r: (r["suppressed"], -(r["n"] or 0), r["group"] or ""))


def rates_beside_counts(rates: list[dict[str, Any]],
                        listed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rates held back where their n would give back a persons' count a table holds back.

    A rate's n is a group's current listings, persons and companies; the tables show the
    companies exactly, so n less those is the persons. `listed` is the counts of the same
    groups over current listings as the pages show them (`queries_lists.list_counts`' province
    facet, `queries_courts.court_counts`): where it shows the persons as "<k" or holds them back as
    "≥k" (so a small cell cannot be had by subtraction), the rate goes too.
    """
    hidden = {row["value"] for row in listed if not isinstance(row["persons"], int)}
    out = []
    for rate in rates:
        if rate["group"] in hidden and not rate["suppressed"]:
            rate = {**rate, "n": None, "findings": None, "rate": None, "low": None,
                    "high": None, "suppressed": True, "count_held_back": True}
        out.append(rate)
    return out


def court_provinces(engine: Engine) -> dict[str, set[str]]:
    """The provinces each court's court-list listings are in (a court's may span two)."""
    stmt = (select(OBS.c.court, OBS.c.province).distinct()
            .where(OBS.c.source_id == LIST_SOURCE, OBS.c.court.is_not(None),
                   OBS.c.province.is_not(None)))
    out: dict[str, set[str]] = {}
    with engine.connect() as conn:
        for court, province in conn.execute(stmt):
            out.setdefault(court, set()).add(province)
    return out

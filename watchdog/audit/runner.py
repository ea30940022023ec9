"""One audit run: every listing still on the court list, judged by the model, checked, recorded.

The run pins the regime version it used (regime id + SHA-256 of the YAML text), reads listings
in batches by ascending id so memory stays flat however large the list grows, and writes
findings batch by batch. Findings of earlier runs are kept as history; a run that fails is
marked `failed`, and readers use the latest `complete` run.
"""

from __future__ import annotations

import hashlib
import importlib
import time as timer
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    RowMapping,
    Select,
    Text,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from watchdog.audit.checks import CheckContext, fully_performed, performance_says_full, run_checks
from watchdog.model import ListingFacts, ListRegime, load_regime, verdict
from watchdog.model.loader import DATA_DIR
from watchdog.store.db import get_engine
from watchdog.store.tables import AuditRun, Finding, Observation, ObservationChange, RegimeVersion

SOURCE_ID = "court_dishonest"
REGIME_ID = "cn_court_dishonest_list"
BATCH_SIZE = 5000


@dataclass
class AuditSummary:
    run_id: int
    regime_id: str
    regime_version: str
    regime_version_id: int
    as_of: date
    status: str = "running"
    checked: int = 0
    findings: int = 0
    skipped: int = 0  # payloads that are not valid ListingFacts; reasons in `problems`
    by_check: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def __str__(self) -> str:
        checks = ", ".join(f"{k} {n:,}" for k, n in sorted(self.by_check.items())) or "none"
        skipped = f"; {self.skipped:,} unreadable listings skipped" if self.skipped else ""
        return (f"audit run {self.run_id} {self.status}: {self.checked:,} listings checked as of "
                f"{self.as_of} against {self.regime_id} {self.regime_version}, "
                f"{self.findings:,} findings ({checks}){skipped}, {self.seconds:.1f} s")


BEIJING = ZoneInfo("Asia/Shanghai")


def run_audit(database_url: str, *, as_of: date | None = None,
              regime_path: Path | str | None = None,
              progress: Callable[[int], None] | None = None) -> AuditSummary:
    """Audit every listed court-list observation as of `as_of` (default: today in Beijing, where
    the terms and the working-day deadlines run; from midnight to 8 a.m. there it is already
    tomorrow in UTC's terms).

    `progress`, if given, is called after each batch with the number of listings in it (what
    `watchdog.progress.Progress.update` expects).
    """
    started = timer.perf_counter()
    as_of = as_of or datetime.now(BEIJING).date()
    file = Path(regime_path) if regime_path is not None else DATA_DIR / "regimes" / f"{REGIME_ID}.yaml"
    regime = load_regime(file)
    text = file.read_text(encoding="utf-8")
    engine = get_engine(database_url)
    with engine.begin() as conn:
        version_id = _regime_version(conn, regime, text)
        run_id = int(conn.execute(insert(AuditRun.__table__).values(
            started_at=_now(), status="running", as_of=datetime.combine(as_of, time(), tzinfo=UTC))
        ).inserted_primary_key[0])
    summary = AuditSummary(run_id, regime.id, regime.version, version_id, as_of)
    runs = AuditRun.__table__
    try:
        for batch in _batches(database_url):
            # One short transaction per batch, so a crawl writing at the same time waits briefly.
            with engine.begin() as conn:
                rows = _audit_batch(conn, batch, regime, as_of, run_id, version_id, summary)
                if rows:
                    conn.execute(insert(Finding.__table__), rows)
            if progress is not None:
                progress(len(batch))
        for _name, suite in suites():
            found = suite(engine, run_id=run_id, as_of=as_of)
            for check_id, count in found.items():
                if not count:
                    continue
                summary.by_check[check_id] = summary.by_check.get(check_id, 0) + count
                summary.findings += count
    except BaseException:
        with engine.begin() as conn:
            conn.execute(update(runs).where(runs.c.id == run_id).values(
                status="failed", finished_at=_now(), checked=summary.checked,
                findings=summary.findings))
        summary.status = "failed"
        raise
    with engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.id == run_id).values(
            status="complete", finished_at=_now(), checked=summary.checked,
            findings=summary.findings))
    summary.status = "complete"
    summary.seconds = timer.perf_counter() - started
    return summary


Suite = Callable[..., dict[str, int]]


def suites() -> list[tuple[str, Suite]]:
    """Checks of the other sources: every `watchdog/audit/suite_*.py` with an `audit(engine, *,
    run_id, as_of) -> {check_id: findings written}` function, in name order."""
    import pkgutil

    import watchdog.audit as package

    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("suite_"):
            module = importlib.import_module(f"watchdog.audit.{info.name}")
            found.append((info.name.removeprefix("suite_"), module.audit))
    return found


def record_regime_version(conn: Connection, regime: Any, text: str) -> int:
    """Public for suites: the id of this exact regime text, inserted on first use."""
    return _regime_version(conn, regime, text)


def _now() -> datetime:
    return datetime.now(UTC)


def _regime_version(conn: Connection, regime: ListRegime, text: str) -> int:
    """The id of this exact regime text, inserted on first use."""
    table = RegimeVersion.__table__
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(table).values(
        regime_id=regime.id, version=regime.version, content_sha256=sha, loaded_at=_now(),
        document=text).on_conflict_do_nothing(index_elements=["regime_id", "content_sha256"]))
    return int(conn.execute(select(table.c.id).where(
        table.c.regime_id == regime.id, table.c.content_sha256 == sha)).scalar_one())


def _batches(database_url: str) -> Iterator[Sequence[RowMapping]]:
    """Listed observations of the court list, BATCH_SIZE at a time, by ascending id.

    Keyset paging rather than one open cursor: no cursor stays open while findings are written,
    and each page is a cheap range scan on the primary key.
    """
    obs = Observation.__table__
    query = (select(obs.c.id, obs.c.subject_id,
                    type_coerce(obs.c.payload, Text).label("payload"), obs.c.artifact_sha256,
                    obs.c.province, obs.c.court, obs.c.first_seen, obs.c.last_seen)
             .where(obs.c.source_id == SOURCE_ID, obs.c.status == "listed")
             .order_by(obs.c.id).limit(BATCH_SIZE))
    yield from keyset_pages(get_engine(database_url), query, obs.c.id, mappings=True)


def keyset_pages(engine: Engine, query: Select[Any], id_column: ColumnElement[int], *,
                 mappings: bool = False) -> Iterator[Sequence[Any]]:
    """The rows of `query` (ordered by `id_column`, with a LIMIT) a page at a time, each page
    read in a connection of its own: memory stays flat, no cursor stays open while findings are
    written, and each page is a cheap range scan on the key."""
    key, last = id_column.key, 0
    while True:
        with engine.connect() as conn:
            result = conn.execute(query.where(id_column > last))
            page: Sequence[Any] = result.mappings().all() if mappings else result.all()
        if not page:
            return
        yield page
        last = page[-1][key] if mappings else getattr(page[-1], key)


def _audit_batch(conn: Connection, batch: Sequence[RowMapping], regime: ListRegime,
                 as_of: date, run_id: int, version_id: int,
                 summary: AuditSummary) -> list[dict[str, Any]]:
    parsed: list[tuple[RowMapping, ListingFacts]] = []
    for row in batch:
        try:
            payload = row["payload"]
            # SQLite hands back the JSON text; pydantic parses it faster than json.loads can.
            parsed.append((row, ListingFacts.model_validate_json(payload) if isinstance(payload, str)
                           else ListingFacts.model_validate(payload)))
        except ValidationError as exc:
            summary.skipped += 1
            if len(summary.problems) < 50:
                # Locations and error kinds only: the input values could be personal data.
                where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['type']}"
                                  for e in exc.errors(include_url=False)[:3])
                summary.problems.append(f"observation {row['id']}: {where}")
    legal_reps = _legal_rep_pairs(conn, [f for _, f in parsed])
    performed_seen = _performed_seen(conn, [(r, f) for r, f in parsed
                                            if fully_performed(f) and f.performed_date is None])
    out: list[dict[str, Any]] = []
    for row, facts in parsed:
        # We only know a listing was still there on the last day a crawl saw it.
        day = min(as_of, row["last_seen"].date())
        is_rep = (facts.party_type == "person" and facts.case_code is not None
                  and (facts.case_code, facts.name_key) in legal_reps)
        ctx = CheckContext(regime=regime, as_of=day, performed_seen=performed_seen.get(row["id"]),
                           legal_rep_of_listed_company=is_rep)
        v = verdict(regime, facts, day, is_legal_rep_of_listed_company=is_rep)
        summary.checked += 1
        for check, draft in run_checks(v, facts, ctx):
            summary.findings += 1
            summary.by_check[check.id] = summary.by_check.get(check.id, 0) + 1
            out.append({
                "audit_run_id": run_id, "check_id": check.id, "severity": check.severity,
                "observation_id": row["id"], "subject_id": row["subject_id"],
                "regime_version_id": version_id, "artifact_sha256": row["artifact_sha256"],
                "rule": check.rule, "citation": draft.citation, "evidence": draft.evidence,
                "summary": draft.summary, "detail": draft.detail,
                "province": row["province"] or facts.province, "court": row["court"] or facts.court,
            })
    return out


def _legal_rep_pairs(conn: Connection, facts: Sequence[ListingFacts]) -> set[tuple[str, str]]:
    """(case code, legal representative key) of companies listed in this batch's persons' cases.

    Companies are matched whatever their status now: a company that has since been removed was
    still a defaulting company in that case.
    """
    codes = sorted({f.case_code for f in facts
                    if f.party_type == "person" and f.case_code and f.name_key})
    if not codes:
        return set()
    obs = Observation.__table__
    case_code = obs.c.payload["case_code"].as_string()
    rep_key = obs.c.payload["legal_rep_key"].as_string()
    rows = conn.execute(select(case_code, rep_key).where(
        obs.c.source_id == SOURCE_ID, obs.c.payload["party_type"].as_string() == "company",
        case_code.in_(codes)))
    return {(code, key) for code, key in rows if key}


def _performed_seen(conn: Connection,
                    rows: Sequence[tuple[RowMapping, ListingFacts]]) -> dict[int, date]:
    """For listings fully performed without a stated date: the first day we saw them so.

    That is the latest change that turned `performance` from not-full into full, or, if no
    crawl ever saw another value, the day the listing was first seen.
    """
    if not rows:
        return {}
    seen = {row["id"]: row["first_seen"] for row, _ in rows}
    changes = ObservationChange.__table__
    query = (select(changes.c.observation_id, changes.c.at, changes.c.fields)
             .where(changes.c.observation_id.in_(list(seen)),
                    changes.c.kind.in_(("changed", "relisted")))
             .order_by(changes.c.at))
    for obs_id, at, fields in conn.execute(query):
        old, new = (fields or {}).get("performance", (None, None))
        if performance_says_full(new) and not performance_says_full(old):
            seen[obs_id] = max(seen[obs_id], at)
    return {obs_id: at.date() for obs_id, at in seen.items()}

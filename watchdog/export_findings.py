"""The export's tables of the audit: findings of the current run (as `/findings.json` shows
them), findings per check, rates per province, changes per crawl and the audit runs.

Findings stream from one query that selects what `queries.findings` selects for the dashboard;
the per-check table, the province rates and the change summary are the dashboard's own
functions. A finding about a person carries no name, keyed hash or case number.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import case, select

from watchdog.export_spec import Context, Table, columns
from watchdog.export_tables import FIND, OBS, REGIME, SUBJ, WHEN, cols, payload, stream
from watchdog.store import queries, tables
from watchdog.store import queries_history as history


def finding_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    """The current run's findings, as `queries.findings` selects them for /findings.json."""
    if ctx.audit_run is None:
        return
    is_company = SUBJ.c.kind == "company"
    joined = (FIND.join(OBS, OBS.c.id == FIND.c.observation_id)
              .join(SUBJ, SUBJ.c.id == FIND.c.subject_id)
              .outerjoin(REGIME, REGIME.c.id == FIND.c.regime_version_id))
    stmt = (select(FIND.c.id.label("finding_id"), FIND.c.audit_run_id,
                   *cols(FIND, "check_id severity rule citation evidence summary province court"),
                   OBS.c.party_type, case((is_company, SUBJ.c.name)).label("company_name"),
                   case((is_company, payload("case_code"))).label("case_code"),
                   FIND.c.observation_id, FIND.c.artifact_sha256, REGIME.c.regime_id,
                   REGIME.c.version.label("regime_version"))
            .select_from(joined).where(FIND.c.audit_run_id == ctx.audit_run["id"])
            .order_by(FIND.c.check_id, FIND.c.id))
    yield from stream(ctx, stmt)


def findings_by_check_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    if ctx.audit_run is not None:
        yield from queries.findings_by_check(ctx.engine, ctx.audit_run["id"])


def rate_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    """Share of listings with a finding per province, as /findings.json's rates_by_province.

    `audit.stats.rates_by` opens its own connection, so it may see a newer audit run than the
    export's snapshot; then the rates would describe other findings, and the export stops.
    """
    from watchdog.audit.stats import latest_complete_run, rates_by

    if ctx.audit_run is None:
        return
    rows = rates_by(ctx.database_url, "province", k=ctx.k)
    latest = latest_complete_run(ctx.database_url)
    if latest is None or latest.id != ctx.audit_run["id"]:
        raise RuntimeError("an audit finished while the export was running; run the export again")
    for row in rows:
        yield {**row.as_dict(), "province": row.group}


def change_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    yield from history.change_summary(ctx.engine)


def audit_run_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    run = tables.AuditRun.__table__
    current = ctx.audit_run["id"] if ctx.audit_run else None
    for row in stream(ctx, select(run).order_by(run.c.id)):
        run_id = row.pop("id")
        yield {**row, "audit_run_id": run_id, "current": run_id == current}


AUDIT_TABLES = (
    Table("findings", "Findings of the current audit run: each listing that breaks a published "
          "rule, with the rule, its citation and evidence grade, the regime version and the "
          "archived response. Findings about persons name no one.", columns(
              ("finding_id", "integer", "Finding id"),
              ("audit_run_id", "integer", "Audit run (see audit_runs)"),
              ("check_id", "string", "Check that made the finding"),
              ("severity", "string", "Severity"),
              ("rule", "string", "Rule of the regime tested"),
              ("citation", "string", "Citation id of the rule (see citations)"),
              ("evidence", "string", "Evidence grade of the rule"),
              ("summary", "string", "The finding in words"),
              ("province", "string", "Province"),
              ("court", "string", "Enforcing court"),
              ("party_type", "string", "person or company"),
              ("company_name", "string", "Company name (companies only)"),
              ("case_code", "string", "Court case number (companies only)"),
              ("observation_id", "integer", "Listing id"),
              ("artifact_sha256", "string", "Archived response (see artifacts)"),
              ("regime_id", "string", "Regime"),
              ("regime_version", "string", "Regime version")),
          finding_rows),
    Table("findings_by_check", "Findings of the current audit run per check.", columns(
              ("check_id", "string", "Check"),
              ("severity", "string", "Severity"),
              ("rule", "string", "Rule tested"),
              ("citation", "string", "Citation id"),
              ("evidence", "string", "Evidence grade"),
              ("findings", "integer", "Findings"),
              ("listings", "integer", "Listings with at least one finding of this check")),
          findings_by_check_rows),
    Table("finding_rates_by_province", "Share of the court-list listings checked by the current "
          "audit that have at least one finding, per province, with a 95% Wilson interval. "
          "Provinces with fewer listings than the suppression threshold show nothing but their "
          "name.", columns(
              ("province", "string", "Province (empty: not recorded)"),
              ("suppressed", "boolean", "Too few listings to show"),
              ("n", "integer", "Listings checked"),
              ("findings", "integer", "Listings with at least one finding"),
              ("rate", "number", "findings / n"),
              ("low", "number", "Lower end of the 95% Wilson interval"),
              ("high", "number", "Upper end of the 95% Wilson interval")),
          rate_rows),
    Table("changes_by_crawl", "Per crawl that changed anything: how many listings were added, "
          "changed, removed and relisted.", columns(
              ("crawl_id", "integer", "Crawl"),
              ("source_id", "string", "Source"),
              ("mode", "string", "crawl or import"),
              ("status", "string", "How the crawl ended"),
              ("started_at", "datetime", f"Start {WHEN}"),
              ("added", "integer", "Listings added"),
              ("changed", "integer", "Listings changed"),
              ("removed", "integer", "Listings removed"),
              ("relisted", "integer", "Listings seen again after removal")),
          change_rows),
    Table("audit_runs", "Every audit run; the findings are those of the current one.", columns(
              ("audit_run_id", "integer", "Audit run id"),
              ("started_at", "datetime", f"Start {WHEN}"),
              ("finished_at", "datetime", f"End {WHEN}"),
              ("status", "string", "complete, failed or running"),
              ("checked", "integer", "Listings checked"),
              ("findings", "integer", "Findings made"),
              ("as_of", "datetime", "Date the listings were judged as of"),
              ("current", "boolean", "The run the dashboards and this export report")),
          audit_run_rows),
)

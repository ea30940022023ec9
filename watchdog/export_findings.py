"""The export's tables of the audit: findings of the current run (as `/findings.json` shows
them), findings per check, rates per province, changes per crawl and the audit runs.

Findings stream from `queries_findings.finding_select`, shaped row by row by
`audit.public_findings.public_finding`, as for /findings.json; the per-check table, the province
rates and the change summary are the dashboard's own functions. A finding about a person
carries no name, keyed hash, case number, province, court or listing id, and a summary only
where its check's summaries name no date and no place.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from watchdog.audit.public_findings import public_finding
from watchdog.export_spec import Context, Table, columns
from watchdog.export_tables import FIND, WHEN, stream
from watchdog.store import queries, tables
from watchdog.store import queries_findings as pf
from watchdog.store import queries_history as history
from watchdog.store.queries_lists import list_counts


def finding_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    """The current run's findings, as /findings.json shows them without a place filter."""
    if ctx.audit_run is None:
        return
    stmt = (pf.finding_select().select_from(pf.finding_join())
            .where(FIND.c.audit_run_id == ctx.audit_run["id"])
            .order_by(FIND.c.check_id, FIND.c.id))
    for row in stream(ctx, stmt):
        yield public_finding(row)


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
    # The findings table names each company's province: with an exact rate, the rest of a
    # province's numerator would be its persons (held back as on /findings).
    run_id = ctx.audit_run["id"]
    rates = pf.rates_held_back([row.as_dict() for row in rows],
                               pf.person_grid(ctx.engine, run_id, ctx.k),
                               pf.rate_persons(ctx.engine, run_id, None), None)
    rates = pf.rates_beside_counts(rates, list_counts(
        ctx.engine, queries.ListFilter(status=("listed",)), ctx.k)["facets"]["province"])
    for rate in rates:
        yield {**rate, "province": rate["group"]}


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
          "archived response. Findings about persons name no one, and no place or listing id "
          "(a place beside a date narrows a listing to one person).", columns(
              ("finding_id", "integer", "Finding id"),
              ("audit_run_id", "integer", "Audit run (see audit_runs)"),
              ("check_id", "string", "Check that made the finding"),
              ("severity", "string", "Severity"),
              ("rule", "string", "Rule of the regime tested"),
              ("citation", "string", "Citation id of the rule (see citations)"),
              ("evidence", "string", "Evidence grade of the rule"),
              ("summary", "string", "The finding in words; about a person, the check's "
                                    "plain description where the finding's words would name a "
                                    "date or place"),
              ("province", "string", "Province (empty for a person)"),
              ("court", "string", "Enforcing court (empty for a person)"),
              ("party_type", "string", "person or company"),
              ("company_name", "string", "Company name (companies only)"),
              ("case_code", "string", "Court case number (companies only)"),
              ("observation_id", "integer", "Listing id (empty for a person)"),
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
          "name, as do those whose persons with a finding are too few to show, or held back so "
          "that such a count cannot be worked out (as on /findings).", columns(
              ("province", "string", "Province (empty: not recorded)"),
              ("suppressed", "boolean", "Too few listings, or persons with a finding, to show"),
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

"""A finding as the public sees it, on /findings, its twins, the API and the export.

A finding about a person keeps what makes it checkable (check, severity, rule, citation,
evidence grade, regime version and the SHA-256 of the archived response) but names no province,
court or listing id, and keeps its summary only where the check's summaries name no date and no
place: a place beside a date narrows a listing to one person. Rows come from
`watchdog.store.queries_findings.finding_select`; the plain descriptions are the audit's own.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from watchdog.audit.checks import CHECKS

# Checks whose summaries about a person name neither a date nor a place of the person's listing
# (legal_rep_listed names the day its rule took effect, not a day of the listing). Any other
# check's summary, including one added later, gives way to the check's plain description.
PERSON_SUMMARY_KEPT = frozenset({"no_lawful_circumstance", "minor_listed", "legal_rep_listed",
                                 "id_not_masked", "statutory_fields_missing"})


def public_finding(row: dict[str, Any]) -> dict[str, Any]:
    """A row of `finding_select()` as the public sees it (see the module's docstring)."""
    if row.pop("is_person"):
        row.update(province=None, court=None, observation_id=None)
        if row["check_id"] not in PERSON_SUMMARY_KEPT:
            row["summary"] = plain_description(row["check_id"], row["rule"])
    return row


@cache
def plain_description(check_id: str, rule: str) -> str:
    """What a check asks, in words that fit every listing it flags."""
    if check_id in CHECKS:
        return CHECKS[check_id].description
    return (f"The listing breaks the rule {rule} (check {check_id}). Its dates and place are "
            f"not shown, because with them a person could be found.")

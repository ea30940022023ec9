"""The audit: what the court list publishes, compared with what its own rules allow.

A **check** asks one question of one published listing, for example "was a minor listed?" or
"is this entry still up years after its term ended?". Each check names the rule it tests (an
item of the regime file in `data/regimes/`), the source that rule comes from and how sure we are
of that source (verified, secondary, from memory...), and a severity (high, medium, low).
All checks live in `checks.py`, one short function each.

A **finding** is one check firing on one listing. It keeps its evidence: the listing as we
stored it, the archived page it came from (by SHA-256), the date we last saw it, and the
version of the rules it was judged against. Its summary is one plain sentence with no name
and no ID number in it.

What a finding cannot tell:
- It is a reading of the published record, not of the court file. Courts may extend a term
  without publishing it, a person may have been listed for a reason that was recorded badly,
  and a record may say less than the court knows.
- It says the listing was still visible when we last saw it, not that it is visible today.
- Where a rule is graded "memory" or "secondary", the finding is only as firm as that rule.
- A rate built from findings describes the listings we collected, which may not be all of them.

`runner.run_audit` judges every listing on the list and records the findings;
`stats` turns them into rates per province or court with 95% intervals, holding back groups
too small to show.
"""

from watchdog.audit.checks import CHECKS, Check, CheckContext, FindingDraft, check, run_checks
from watchdog.audit.runner import AuditSummary, run_audit
from watchdog.audit.stats import RateRow, rate_table, rates_by, wilson_interval

__all__ = [
    "CHECKS",
    "AuditSummary",
    "Check",
    "CheckContext",
    "FindingDraft",
    "RateRow",
    "check",
    "rate_table",
    "rates_by",
    "run_audit",
    "run_checks",
    "wilson_interval",
]

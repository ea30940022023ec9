"""One archived response: where and when it was fetched, its hashes, and its bytes.

`/artifacts/<sha>.raw` serves the stored bytes only after `read_artifact` has checked them
against their address, and always as text/plain or application/json, never as HTML: an archived
page must not run in our origin. A response that named natural persons is stored redacted, but
the redacted copy still holds their case numbers, dates, ages and amounts, which lead back to
them at the court: its bytes are served to signed-in administrators only (`/admin/artifacts/`),
and the public sees its record and hashes, enough to check any independent copy.
A company's listing on such a page is shown on its own, with what can name a person withheld,
at `/artifacts/<sha>/record/<observation_id>` (`evidence`, registered here on this blueprint).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort

from dashboards.views import evidence
from dashboards.views._common import allow_params, checked_bytes, engine
from dashboards.views._twins import Table, twin_routes
from watchdog.store import queries

bp = Blueprint("artifacts", __name__)

SHA = re.compile(r"[0-9a-f]{64}")
CHARSET = re.compile(r"charset=([A-Za-z0-9_.:-]{1,40})", re.IGNORECASE)
COLUMNS = ["sha256", "original_sha256", "redacted", "url", "fetched_at", "http_status",
           "content_type", "size", "stored_size", "source_id", "crawl_id", "observations"]


def _lookup(sha: str) -> dict[str, Any]:
    if not SHA.fullmatch(sha):
        abort(400, "an artifact address is a SHA-256: 64 lowercase hexadecimal characters")
    found = queries.artifact(engine(), sha)
    if found is None:
        abort(404, f"no artifact with SHA-256 {sha} in this store")
    return found


def artifact(sha: str) -> Table:
    allow_params()
    found = _lookup(sha)
    return Table(name=f"artifact-{sha[:12]}", template="artifact.html", columns=COLUMNS,
                 rows=[found], meta={"artifact": found})


PERSONS_WITHHELD = ("This response concerned natural persons. Its stored copy has their names "
                    "and ID numbers removed but keeps case numbers, dates and amounts that lead "
                    "back to them, so its bytes are shown to signed-in administrators only. Its "
                    "SHA-256 hashes, on its page, let anyone check an independent copy.")


@bp.get("/artifacts/<string(length=64):sha>.raw")
def raw(sha: str) -> Response:
    allow_params()
    found = _lookup(sha)
    if found["redacted"]:
        abort(403, PERSONS_WITHHELD)
    return serve(sha, found)


def serve(sha: str, found: dict[str, Any] | None = None) -> Response:
    """The stored bytes, checked against their address (for this page and for /admin)."""
    found = found or _lookup(sha)
    data = checked_bytes(sha)
    declared = (found["content_type"] or "").lower()
    mimetype = "application/json" if "json" in declared else "text/plain"
    match = CHARSET.search(declared)
    # Without a declared charset say none (GBK pages exist) rather than guess UTF-8.
    content_type = f"{mimetype}; charset={match.group(1)}" if match else mimetype
    response = Response(data, headers={"Content-Type": content_type})
    response.headers["Content-Disposition"] = f'inline; filename="{sha}.txt"'
    response.headers["X-Artifact-SHA256"] = sha
    return response


twin_routes(bp, "/artifacts/<string(length=64):sha>", artifact)
twin_routes(bp, evidence.RULE, evidence.record)

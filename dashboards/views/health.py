"""`/healthz`: is the database reachable, and how much is in it. For monitors, not people."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from sqlalchemy.exc import SQLAlchemyError

from dashboards.views._common import engine
from watchdog.store import queries

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, Any], int]:
    try:
        counts = queries.table_counts(engine())
    except SQLAlchemyError as exc:
        # The class name is enough to act on; the message could carry a connection string.
        return {"status": "error", "database": "unreachable",
                "error": type(exc).__name__}, 503
    return {"status": "ok", "database": "reachable", "counts": counts}, 200

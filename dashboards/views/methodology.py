"""What the data is and what the audit can and cannot tell: plain prose, no table."""

from __future__ import annotations

from flask import Blueprint, render_template

from dashboards.views._common import allow_params
from dashboards.views.findings import EVIDENCE_GRADES
from watchdog.store import queries

bp = Blueprint("methodology", __name__)


@bp.get("/methodology")
def methodology() -> str:
    allow_params()
    return render_template("methodology.html", circumstances=queries.CIRCUMSTANCES,
                           evidence_grades=EVIDENCE_GRADES)

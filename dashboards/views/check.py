"""`/check`: the private self-check. One short form; every applicable regime side by side.

A POST is scored in memory by `watchdog.model` and answered at once. Nothing entered is stored
or logged: this view never opens the database (the layout gets its footer facts from
`check_guard.no_store_site_state`), logs no form value, and answers with `Cache-Control:
no-store`. The form carries a CSRF token and POSTs are rate-limited per client address.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, render_template, request
from flask.blueprints import BlueprintSetupState

from dashboards.views import check_forms, check_guard, check_results
from dashboards.views._common import allow_params
from dashboards.views.check_forms import FormError
from dashboards.views.findings import EVIDENCE_GRADES
from dashboards.views.model_data import catalogue
from watchdog.model.person import DuplicateContactError
from watchdog.model.schema import ListRegime

bp = Blueprint("check", __name__)
MAX_BODY = 20_000   # bytes; the whole form is well under 2,000
ORDER = ("fico", "zhima", "tencent", "rongcheng", "weihai", "xiamen_bailu", "fuzhou_moli",
         "cn_tax_credit", "sesame_2015_described")


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    check_guard.ensure_secret_key(state.app)
    check_guard.limiter(state.app)


@bp.before_request
def _guard() -> None:
    g.site_state = check_guard.no_store_site_state()   # read by the layout; no database
    check_guard.limit_posts("self-checks")


bp.after_request(check_guard.no_store)


@bp.get("/check")
def form() -> Response:
    allow_params()
    return _page(filled=None, outcome=None)


@bp.post("/check")
def check() -> Response:
    allow_params()
    if request.content_length is None or request.content_length > MAX_BODY:
        abort(413, f"The form is larger than this page accepts ({MAX_BODY:,} bytes).")
    if not check_guard.token_ok(request.form.get("csrf_token")):
        abort(400, "The form's security token is missing, wrong or more than four hours old. "
                   "Reload the self-check and submit it again.")
    today = date.today()
    sections = check_forms.sections()
    try:
        values = check_forms.parse(request.form, sections, today)
        wanted = check_forms.inputs(values, sections)
        outcome = _outcome(wanted, today)
    except FormError as exc:
        abort(400, str(exc))
    return _page(filled=_refill(values), outcome=outcome)


def _outcome(wanted: check_forms.Inputs, today: date) -> dict[str, Any]:
    regimes = catalogue().regimes
    cards = []
    try:
        for rid in ORDER:
            regime = regimes.get(rid)
            if rid in wanted.people and regime is not None and not isinstance(regime, ListRegime):
                cards.append(check_results.scoring_card(regime, wanted.people[rid]))
        court = None
        listing = regimes.get("cn_court_dishonest_list")
        if wanted.court is not None and isinstance(listing, ListRegime):
            court = check_results.court_card(listing, wanted.court, today)
    except DuplicateContactError as exc:
        # The form numbers its contacts itself (1 to 5), so such an id is ours to repeat; anything
        # else might have been typed, and an error page repeats nothing typed.
        ours = exc.contact_id.isascii() and exc.contact_id.isdigit() and len(exc.contact_id) <= 3
        which = f"Contact {exc.contact_id}" if ours else "A contact"
        raise FormError(f"{which} is given twice: give each contact once.") from exc
    except ValueError as exc:
        # The model's messages quote the input; say only which kind of problem it was.
        raise FormError("The model could not read one of your answers. Check the numbers and dates "
                        "and try again.") from exc
    except Exception as exc:
        current_app.logger.error("self-check failed: %s", type(exc).__name__)  # no values, no trace
        abort(500, "The model could not compute a result. Nothing you entered was kept.")
    skipped = [{"id": rid, "title": regimes[rid].title.en, "why": why}
               for rid, why in wanted.skipped.items() if rid in regimes]
    return {"cards": cards, "summary": check_results.summary(cards), "court": court,
            "skipped": skipped, "as_of": today}


def _refill(values: dict[str, Any]) -> dict[str, str | bool]:
    out: dict[str, str | bool] = {}
    for name, value in values.items():
        if isinstance(value, bool):
            out[name] = value
        elif isinstance(value, date):
            out[name] = value.isoformat()
        else:
            out[name] = "" if value is None else str(value)
    return out


def _page(filled: dict[str, str | bool] | None, outcome: dict[str, Any] | None) -> Response:
    value = check_guard.cookie_value()
    html = render_template("check.html", sections=check_forms.sections(), filled=filled or {},
                           outcome=outcome, csrf_token=check_guard.token_for(value),
                           standings=check_forms.STANDINGS, evidence_grades=EVIDENCE_GRADES,
                           limit=check_guard.limiter(current_app).limit)
    response = Response(html)
    check_guard.set_cookie(response, value)
    return response

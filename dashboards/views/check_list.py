"""`/check/list`: "Am I on a list?" A person types their name and ID number and learns what the
lists, as Scorewatch collected them, publish under them now, and for a court listing how it ends
and how to contest it.

The lists publish the ID number masked, and every parser keys a person on name and masked number
(`Keyer.person_key`): the court masks places 11-14, Credit China's person catalogues places 7-14.
The name and number are reduced in memory to those keys and dropped; the store is asked about
them alone. Two consequences the page states: anyone holding a published name and masked number
can ask what is listed under it (as on the court's own portal), so only entries still listed are
shown, and entries gone from the list only as a count; and a namesake with the same masked
number is filed under the same key, so an entry shown may be theirs.

Nothing typed is stored, logged, echoed back or kept in the form. Like `/check`, the form
carries a CSRF token, POSTs share the self-check's rate limit per address, and answers are sent
with `Cache-Control: no-store`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request
from pydantic import ValidationError
from stdnum.cn import ric

from dashboards.views import check_guard
from dashboards.views._common import allow_params, engine
from dashboards.views.check_results import listing_card
from dashboards.views.findings import EVIDENCE_GRADES
from dashboards.views.model_data import catalogue
from watchdog.config import ConfigError, get_settings, load_secret
from watchdog.model.facts import ListingFacts
from watchdog.model.schema import ListRegime
from watchdog.privacy import Keyer, public_artifact_url
from watchdog.privacy_text import ID18_FULL, ID18_MASKED, canonical_id
from watchdog.store.queries import LIST_SOURCE
from watchdog.store.queries_person import entries_for_keys

bp = Blueprint("check_list", __name__)
MAX_BODY = 4_000
MAX_NAME = 40
CATALOGUE_MASKED = re.compile(r"\d{6}\*{8}\d{3}[\dX]", re.ASCII)  # Credit China: places 7-14
LIST_REGIME = "cn_court_dishonest_list"


class LookupError_(ValueError):
    """A bad form; the message is safe to show (it never repeats what was typed)."""


@bp.before_request
def _guard() -> None:
    check_guard.limit_posts("checks")  # one allowance shared with /check


bp.after_request(check_guard.no_store)


@bp.get("/check/list")
def form() -> Response:
    allow_params()
    return _page(None)


@bp.post("/check/list")
def lookup() -> Response:
    allow_params()
    if request.content_length is None or request.content_length > MAX_BODY:
        abort(413, f"The form is larger than this page accepts ({MAX_BODY:,} bytes).")
    if not check_guard.token_ok(request.form.get("csrf_token")):
        abort(400, "The form's security token is missing, wrong or more than four hours old. "
                   "Reload the page and submit it again.")
    try:
        keys = person_keys(_keyer(), request.form.get("name", ""),
                           request.form.get("id_number", ""))
    except LookupError_ as exc:
        abort(400, str(exc))
    today = date.today()
    rows = entries_for_keys(engine(), keys)
    # Gone from the list: the court no longer publishes it, so neither does this page.
    entries = [_entry(row, today) for row in rows if row["status"] == "listed"]
    return _page({"entries": entries, "as_of": today, "removed": len(rows) - len(entries)})


def person_keys(keyer: Keyer, name: str, id_number: str) -> list[str]:
    """The keys the parsers would have given this person, one per masking style a source uses;
    `LookupError_` says what is wrong."""
    name = " ".join(unicodedata.normalize("NFKC", name).split())
    if not name:
        raise LookupError_("Enter your name as it is written on your ID card.")
    if len(name) > MAX_NAME or any(unicodedata.category(c).startswith("C") for c in name):
        raise LookupError_(f"The name must be at most {MAX_NAME} characters of text.")
    card = canonical_id(id_number)
    if not card:
        raise LookupError_("Enter your 18-character resident ID number.")
    if ID18_FULL.fullmatch(card):
        # Check character and birth date only: stdnum's table of region codes misses some real
        # districts, and a real card must not be refused for that.
        if ric.calc_check_digit(card) != card[-1] or not _birth_date_ok(card):
            raise LookupError_("That ID number's check character or birth date does not add up: "
                               "please check it for a typo.")
    elif not (ID18_MASKED.fullmatch(card) or CATALOGUE_MASKED.fullmatch(card)):
        raise LookupError_("The ID number must be 18 characters (the last may be X), or 15 digits "
                           "for an old card, or masked as a list shows it (**** in places 11-14, "
                           "or ******** in places 7-14).")
    keys = [keyer.person_key(name, card[:6] + "*" * 8 + card[14:])]  # Credit China catalogues
    if not CATALOGUE_MASKED.fullmatch(card):
        keys.append(keyer.person_key(name, card))  # the court: person_key masks 11-14 itself
    return keys


def _birth_date_ok(card: str) -> bool:
    try:
        ric.get_birth_date(card)
    except ValueError:  # stdnum's InvalidComponent is a ValueError
        return False
    return True


def _keyer() -> Keyer:
    secret = current_app.config.get("PERSON_SECRET")
    if not secret:
        try:
            secret = load_secret(get_settings())
        except ConfigError:
            abort(503, "This installation has no keying secret yet (run `watchdog init`), so "
                       "it cannot look anyone up.")
    # Not `caching()`: nothing typed here may outlive the request.
    return Keyer(secret if isinstance(secret, bytes) else str(secret).encode("utf-8"))


def _entry(row: dict[str, Any], today: date) -> dict[str, Any]:
    payload = row["payload"]
    entry = {
        "source_id": row["source_id"], "source_title": row["source_title"],
        "publisher": row["publisher"], "official": row["official"], "status": row["status"],
        "first_seen": row["first_seen"], "last_seen": row["last_seen"],
        "court": row["court"],
        "case_code": payload.get("case_code") if isinstance(payload, dict) else None,
        "artifact_sha256": row["artifact_sha256"],
        "findings": row["findings"], "card": None, "card_problem": None,
    }
    regime = catalogue().regimes.get(LIST_REGIME)
    if row["source_id"] == LIST_SOURCE and isinstance(regime, ListRegime):
        try:
            facts = (ListingFacts.model_validate_json(payload) if isinstance(payload, str)
                     else ListingFacts.model_validate(payload))
        except ValidationError:
            entry["card_problem"] = "The stored entry could not be read by the model."
        else:
            entry["case_code"] = facts.case_code
            entry["card"] = listing_card(regime, facts, today)  # only entries still listed
    return entry


def _page(answer: dict[str, Any] | None) -> Response:
    value = check_guard.cookie_value()
    html = render_template("check_list.html", answer=answer,
                           csrf_token=check_guard.token_for(value), public_url=public_artifact_url,
                           evidence_grades=EVIDENCE_GRADES,
                           limit=check_guard.limiter(current_app).limit)
    response = Response(html)
    check_guard.set_cookie(response, value)
    return response

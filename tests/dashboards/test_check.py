"""The private self-check: the form, hand-worked results, strict input, CSRF, the rate limit,
and the privacy proof (the database is never opened and no log line carries an input)."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.serving import make_server

from dashboards import create_app
from dashboards.views import check_guard
from dashboards.views.check_forms import STANDINGS, Field, sections
from tests.dashboards.conftest import build_store
from watchdog.model.loader import load_regime
from watchdog.model.score import score

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
# Distinctive inputs: none of them may appear in a log line or in any file.
SENTINEL_COURT = "SENTINEL法院QX7"
PRIVATE = {"court.include": "on", "court.published": "2019-03-07", "court.performance": "full",
           "court.performed_on": "2024-01-05", "court.court": SENTINEL_COURT, "court.age": "47",
           "contact.1": "777", "contact.2": "613", "rongcheng.bank_arrears_month": "3",
           "rongcheng.sued_found_in_breach": "1", "sesame_2015_described.sensitive_posts": "19",
           "xiamen_bailu.start": "871"}
PRIVATE_VALUES = [SENTINEL_COURT, "2019-03-07", "2024-01-05", "777", "613", "871"]


@pytest.fixture(scope="module")
def check_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    store = build_store(tmp_path_factory.mktemp("check-store"), audit=False)
    return create_app(store.url, store.artifacts_dir, TESTING=True, CHECK_RATE_LIMIT=10_000)


@pytest.fixture()
def check_client(check_app: Flask) -> Iterator[FlaskClient]:
    with check_app.test_client() as client:
        yield client


def token(client: FlaskClient) -> str:
    match = TOKEN.search(client.get("/check").get_data(as_text=True))
    assert match
    return match.group(1)


def post(client: FlaskClient, **fields: str) -> tuple[int, str]:
    data = {"csrf_token": token(client), **{k.replace("__", "."): v for k, v in fields.items()}}
    response = client.post("/check", data=data)
    return response.status_code, response.get_data(as_text=True)


def card(html: str, regime: str) -> dict[str, str]:
    found = re.search(rf'id="result-{regime}" data-regime="{regime}" data-score="(-?\d+)" '
                      rf'data-band="([^"]*)"', html)
    assert found, regime
    return {"score": found.group(1), "band": found.group(2)}


def test_the_form_renders_with_defaults_and_a_token(check_client):
    response = check_client.get("/check")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for legend in ("FICO Score", "Sesame Credit (Zhima Credit)", "Rongcheng personal credit points",
                   "Your contacts (the network effect)", "I am on the court list"):
        assert legend in html
    assert TOKEN.search(html) and 'id="privacy-note"' in html
    assert '<option value="good" selected>' in html  # sensible default standing
    assert response.headers["Cache-Control"] == "no-store"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/check" in cookie
    assert check_client.get("/check?x=1").status_code == 400


def test_rongcheng_worked_by_hand_is_920_grade_b(check_client):
    # 1000 - 3 x 10 (months of bank arrears) - 50 (sued and found in breach) = 920, band B (850-959).
    status, html = post(check_client, rongcheng__bank_arrears_month="3",
                        rongcheng__sued_found_in_breach="1")
    assert status == 200
    assert card(html, "rongcheng") == {"score": "920", "band": "B"}
    section = html[html.index('id="result-rongcheng"'):html.index('id="result-weihai"')]
    assert "-30" in section and "-50" in section and "B (Fairly honest)" in section
    assert 'id="waterfall-rongcheng"' in section


def test_fico_agrees_with_score_and_shows_a_counterfactual(check_client):
    answers = {"payment_history": "excellent", "amounts_owed": "fair", "length_of_history": "poor",
               "credit_mix": "good", "new_credit": "very_poor"}
    status, html = post(check_client, **{f"fico__{k}": v for k, v in answers.items()})
    assert status == 200
    expected = score(load_regime("fico"), {"dimensions": {k: STANDINGS[v][1] for k, v in answers.items()}})
    # By hand: 300 + 550 x (0.35 x 1 + 0.30 x 0.5 + 0.15 x 0.25 + 0.10 x 0.75 + 0.10 x 0) = 636.875 -> 637.
    assert expected.score == 637 and expected.grade == "fair"
    assert card(html, "fico") == {"score": "637", "band": "fair"}
    move = html[html.index('id="move-fico"'):]
    assert "To reach <strong>Good</strong>" in move[:600]


def test_where_weight_sets_disagree_the_summary_gives_both_bands_and_aims_above_both(check_client):
    answers = {"credit_history": "good", "behaviour_preference": "excellent",
               "fulfilment_capacity": "very_poor", "identity_traits": "fair", "connections": "poor"}
    status, html = post(check_client, **{f"zhima__{k}": v for k, v in answers.items()})
    assert status == 200
    got = score(load_regime("zhima"), {"dimensions": {k: STANDINGS[v][1] for k, v in answers.items()}})
    assert (got.range.low_band, got.range.high_band) == ("very_good", "excellent")
    summary = html[html.index('id="results-summary"'):]
    row = summary[summary.index('href="#result-zhima"'):].split("</tr>")[0]
    assert "Very good to Excellent" in row and "already in the top band" not in row
    assert "reaches Excellent" in row


def test_the_network_effect_and_the_court_list(check_client):
    status, html = post(check_client, **{k.replace(".", "__"): v for k, v in PRIVATE.items()})
    assert status == 200
    # Own score 550 - 19 x 10 (sensitive posts) = 360; contacts 777 and 613 (mean 695) add
    # 0.3 x (695 - 360) = 100.5: 460.5 -> 461. Without 777 the score would be 360 + 0.3 x 253 =
    # 435.9, without 613 it would be 485.1: pulls +24.6 and -24.6 (613 is above 360 but drags).
    assert card(html, "sesame_2015_described")["score"] == "461"
    network = html[html.index('id="network-sesame_2015_described"'):]
    network = network[:network.index("</section>")]
    assert "Who is affecting your score" in network and "here +100.5 points" in network
    assert "<td>Contact 1 (score 777)</td><td class=\"num\">+24.6</td>" in network
    assert "<td>Contact 2 (score 613)</td><td class=\"num\">-24.6</td>" in network
    assert "+62.55" not in html and "+37.95" not in html   # shares of the effect, not pulls
    court = html[html.index('id="result-court"'):]
    # Performed in full on Friday 2024-01-05: the entry had to go within 3 working days.
    assert "2024-01-10" in court and "this date has passed" in court
    assert "counted on the official holiday calendar" in court
    assert "skip only weekends" not in court  # the calendar is the official one, not weekdays
    letter = court[court.index('<textarea'):court.index('</textarea>')]
    assert SENTINEL_COURT in letter and "2017 Provisions Art. 10" in letter
    assert "[your name]" in letter and "[your ID number]" in letter
    assert card(html, "xiamen_bailu")["score"] == "871"


def _court_part(client: FlaskClient, **fields: str) -> str:
    base = {"court__include": "on", "court__published": "2018-06-04"}
    status, html = post(client, **(base | fields))
    assert status == 200
    return html[html.index('id="result-court"'):]


def test_the_correction_procedure_and_its_deadlines_are_shown(check_client):
    court = _court_part(check_client)
    procedure = court[court.index('id="correction"'):court.index("</ol>")]
    assert "within <strong>15 days</strong>" in procedure
    assert "within <strong>3 working days</strong>" in procedure
    assert "next court up" in procedure and "within <strong>10 days</strong>" in procedure
    assert "2017 Provisions Art. 12" in procedure and "2017 Provisions Art. 11" in procedure
    letter = court[court.index('<textarea'):court.index('</textarea>')]
    assert "申请纠正" in letter and "(2017 Provisions Art. 11)" in letter


def test_security_given_is_a_ground_to_contest_an_ability_but_refusal_listing(check_client):
    # Ability but refusal (the first circumstance), with adequate security given: 2017 Art. 3(1).
    court = _court_part(check_client, court__excluded__adequate_security="on")
    contest = court[court.index('id="routes-contest"'):]
    assert "The debtor had given adequate and effective security" in contest
    letter = court[court.index('<textarea'):court.index('</textarea>')]
    assert "Basis: 2017 Provisions Art. 3(1)." in letter
    # Not ticked: no such ground in the letter.
    plain = _court_part(check_client)
    assert "adequate and effective security" not in plain[plain.index('<textarea'):plain.index('</textarea>')]


def test_performance_on_a_listing_with_a_term_gives_no_three_day_deadline(check_client):
    asset_reporting = "c4_violate_asset_reporting"
    court = _court_part(check_client, court__circumstance=asset_reporting, court__performance="full",
                        court__performed_on="2019-01-07")
    ends = court[court.index('id="routes-ends"'):court.index("</ul>", court.index('id="routes-ends"'))]
    assert "Must be deleted by" not in court and "The listing term has expired" in ends
    assert "may delete it early" in ends
    assert "The debtor has performed the obligations" not in ends  # Art. 10's grounds: no term only


@pytest.mark.parametrize(("field", "value", "says"), [
    ("fico.payment_history", "SENTINEL-CHOICE-4417", "Payment history"),
    ("rongcheng.bank_arrears_month", "88888888", "must be a whole number from 0 to 999"),
    ("contact.1", "349", "must be a whole number from 350 to 950"),
    ("court.published", "2019-02-30", "must be a date"),
    ("court.court", "<script>SENTINEL</script>", "plain text"),
    ("full_name", "Zhang SENTINEL San", "field this page does not know"),
    ("cn_tax_credit.include", "SENTINEL-yes-please", "tick box"),
])
def test_bad_input_is_refused_without_echoing_it(check_client, field, value, says):
    data = {"csrf_token": token(check_client), "court.include": "on", "court.published": "2020-01-01",
            field: value}
    response = check_client.post("/check", data=data)
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert says in text
    assert value not in text and "SENTINEL" not in text and "88888888" not in text
    assert response.headers["Cache-Control"] == "no-store"


def test_inconsistent_court_answers_are_refused(check_client):
    status, html = post(check_client, court__include="on", court__published="2020-05-01",
                        court__performance="none", court__performed_on="2021-01-01")
    assert status == 400 and "only if you have performed in full" in html
    status, html = post(check_client, court__include="on")
    assert status == 400 and "is needed" in html


def test_csrf_token_is_required_and_bound_to_the_cookie(check_app, check_client):
    data = {"rongcheng.bank_arrears_month": "3"}
    missing = check_client.post("/check", data=data)
    assert missing.status_code == 400 and "security token" in missing.get_data(as_text=True)
    good = token(check_client)
    assert check_client.post("/check", data={**data, "csrf_token": good + "x"}).status_code == 400
    assert check_client.post("/check", data={**data, "csrf_token": good}).status_code == 200
    with check_app.test_client() as other:   # another visitor's cookie: the token does not match
        token(other)
        assert other.post("/check", data={**data, "csrf_token": good}).status_code == 400
    with check_app.test_client() as bare:    # no cookie at all
        assert bare.post("/check", data={**data, "csrf_token": good}).status_code == 400
    cookie = check_client.get_cookie(check_guard.COOKIE, path="/check")


    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - check_guard.TOKEN_MAX_AGE - 60

    old = URLSafeTimedSerializer(check_app.config["SECRET_KEY"], salt=check_guard.SALT, signer=Earlier)
    expired = old.dumps(cookie.value)
    assert old.loads(expired)  # well signed, only too old
    assert check_client.post("/check", data={**data, "csrf_token": expired}).status_code == 400


def test_the_app_gets_a_secret_key_only_when_it_has_none(tmp_path):
    assert create_app(f"sqlite:///{tmp_path / 'a.sqlite'}", tmp_path).config["SECRET_KEY"]
    kept = create_app(f"sqlite:///{tmp_path / 'b.sqlite'}", tmp_path, SECRET_KEY="chosen-key")
    assert kept.config["SECRET_KEY"] == "chosen-key"


def test_rate_limit_answers_429_per_address(tmp_path):
    app = create_app(f"sqlite:///{tmp_path / 'none.sqlite'}", tmp_path, CHECK_RATE_LIMIT=3)
    with app.test_client() as client:
        for _ in range(3):
            assert post(client, rongcheng__traffic_ticket="1")[0] == 200
        status, html = post(client, rongcheng__traffic_ticket="1")
        assert status == 429 and "Too many self-checks" in html and "at most 3 a minute" in html
        response = client.post("/check", data={"csrf_token": token(client)})
        assert response.headers["Retry-After"] == "60"
        assert client.get("/check").status_code == 200  # reading the form is not limited
    with app.test_client() as elsewhere:
        elsewhere.environ_base["REMOTE_ADDR"] = "10.0.0.9"
        assert post(elsewhere, rongcheng__traffic_ticket="1")[0] == 200


def test_the_rate_limiter_slides_and_forgets():
    limiter = check_guard.RateLimiter(2, window=60)
    assert limiter.allow("a", now=0) and limiter.allow("a", now=10)
    assert not limiter.allow("a", now=59) and limiter.allow("b", now=59)
    assert limiter.allow("a", now=60.5)  # the hit at 0 has left the window
    limiter.allow("c", now=500)
    assert len(limiter._hits) == 1  # everyone else was forgotten


def test_the_self_check_works_without_any_database(tmp_path):
    """It never opens the store: it answers even where there is no database at all."""
    missing = tmp_path / "no-such-dir" / "store.sqlite"
    app = create_app(f"sqlite:///{missing}", tmp_path)
    with app.test_client() as client:
        status, html = post(client, rongcheng__bank_arrears_month="3", rongcheng__sued_found_in_breach="1")
        assert status == 200 and card(html, "rongcheng")["score"] == "920"
        assert post(client, fico__payment_history="nonsense")[0] == 400
        assert not missing.parent.exists()   # not even an empty database was made
        assert client.get("/lists").status_code == 503   # whereas the store pages need one


@pytest.fixture()
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine runs while the test is in progress."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    yield seen
    event.remove(Engine, "before_cursor_execute", record)


def test_privacy_nothing_entered_is_stored_or_logged(tmp_path, caplog, statements):
    """Through a real server: the database file is byte-identical, no SQL runs, no log line and
    no file carries an input, while the answer itself is computed from them."""
    store = build_store(tmp_path / "store", audit=False)
    statements.clear()  # building the store ran SQL; from here on nothing may
    db_file = Path(store.url.removeprefix("sqlite:///"))
    before = db_file.read_bytes()
    files_before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="werkzeug")
    app = create_app(store.url, store.artifacts_dir)
    app.logger.setLevel(logging.DEBUG)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with urlopen(base + "/check", timeout=30) as got:
            cookie = SimpleCookie(got.headers["Set-Cookie"])[check_guard.COOKIE].value
            form_token = TOKEN.search(got.read().decode()).group(1)
        body = urlencode({"csrf_token": form_token, **PRIVATE}).encode()
        request = Request(base + "/check", data=body, method="POST",
                          headers={"Cookie": f"{check_guard.COOKIE}={cookie}",
                                   "Content-Type": "application/x-www-form-urlencoded"})
        with urlopen(request, timeout=60) as answer:
            html = answer.read().decode()
            assert answer.status == 200 and answer.headers["Cache-Control"] == "no-store"
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert SENTINEL_COURT in html   # the inputs reached the model...
    assert statements == []         # ...but no SQL ran anywhere
    assert db_file.read_bytes() == before
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == files_before
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SENTINEL_COURT.encode() not in path.read_bytes(), path
    requests_logged = [r for r in caplog.records if r.name == "werkzeug" and "/check" in r.getMessage()]
    assert len(requests_logged) >= 2, "werkzeug's request log was not captured"
    for record in caplog.records:
        text = f"{record.getMessage()} {record.exc_text or ''} {record.args!r}"
        for value in PRIVATE_VALUES:
            assert value not in text, (value, record.name, record.getMessage())


class Loads(HTMLParser):
    """What a page makes the browser fetch, and how many inline scripts would run."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag in ("script", "img", "iframe", "source") or (tag == "link" and attr.get("rel") != "license"):
            self.loads += [v for k, v in attr.items() if k in ("src", "href") and v]
        if tag == "script" and not attr.get("src") and attr.get("type") != "application/json":
            self.inline_scripts += 1


def test_check_pages_load_nothing_from_elsewhere(check_client):
    _, html = post(check_client, rongcheng__traffic_ticket="2")
    for page in (check_client.get("/check").get_data(as_text=True), html):
        parser = Loads()
        parser.feed(page)
        assert parser.inline_scripts == 0
        assert all(urlsplit(url).hostname in (None, "127.0.0.1", "localhost") for url in parser.loads)
    assert html.count('type="application/json"') >= 6 and "/static/plotly.min.js" in html


def test_decimal_standings_are_what_the_form_says():
    assert [v for _, v in STANDINGS.values()] == [Decimal(x) for x in ("0", "0.25", "0.5", "0.75", "1")]


def _field_values(f: Field, valid: bool) -> st.SearchStrategy[str]:
    junk = st.text(max_size=12) if not valid else st.just("")
    if f.kind == "choice":
        return st.one_of(st.sampled_from([key for key, _ in f.choices]), junk)
    if f.kind in ("count", "score"):
        margin = 0 if valid else 3
        return st.one_of(st.integers(f.low - margin, f.high + margin).map(str), st.just(""), junk)
    if f.kind == "date":
        days = (date(1990, 1, 1), date.today()) if valid else (date(1985, 1, 1), date(2035, 1, 1))
        return st.one_of(st.dates(*days).map(date.isoformat), st.just(""), junk)
    if f.kind == "check":
        return st.sampled_from(["", "on"] if valid else ["", "on", "off"])
    return st.one_of(st.text(st.characters(min_codepoint=32, exclude_characters="<>\x7f"), max_size=80)
                     if valid else st.text(max_size=90), st.just(""))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_form_gets_an_answer_never_a_crash(check_app, data):
    fields = [f for s in sections() for f in s.fields]
    chosen = data.draw(st.lists(st.sampled_from(fields), unique_by=lambda f: f.name, max_size=len(fields)))
    valid = data.draw(st.booleans())
    form = {f.name: data.draw(_field_values(f, valid)) for f in chosen}
    with check_app.test_client() as client:
        response = client.post("/check", data={"csrf_token": token(client), **form})
    assert response.status_code in (200, 400), (form, response.get_data(as_text=True)[-500:])
    if valid and response.status_code == 400:  # only the court answers can contradict each other
        assert re.search(r"is needed to work out|only if you have performed", response.get_data(as_text=True))
    if response.status_code == 400:
        message = re.search(r'class="error-message">(.*?)</p>', response.get_data(as_text=True), re.S)
        ours = " ".join(f"{f.label} {f.choices}" for f in fields)  # the page's own words may recur
        assert message and not any(len(v) >= 4 and v in message.group(1) and v not in ours
                                   for v in form.values())


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_allowance(tmp_path):
    url = f"sqlite:///{tmp_path / 'none.sqlite'}"
    proxy = {"REMOTE_ADDR": "10.0.0.1"}

    def third_post_status(app, forwarded: list[str]) -> int:
        status = 0
        for address in forwarded:
            with app.test_client() as client:
                client.environ_base.update(proxy)
                client.environ_base["HTTP_X_FORWARDED_FOR"] = address
                status = post(client, rongcheng__traffic_ticket="1")[0]
        return status

    trusting = create_app(url, tmp_path, CHECK_RATE_LIMIT=2, TRUSTED_PROXIES=1)
    assert third_post_status(trusting, ["1.1.1.1", "2.2.2.2", "3.3.3.3"]) == 200
    # Not trusted by default: the header is ignored and everyone is the proxy.
    default = create_app(url, tmp_path, CHECK_RATE_LIMIT=2)
    assert third_post_status(default, ["1.1.1.1", "2.2.2.2", "3.3.3.3"]) == 429
    with pytest.raises(ValueError, match="whole number"):
        create_app(url, tmp_path, TRUSTED_PROXIES="some")

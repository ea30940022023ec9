"""`/check/list` ("Am I on a list?"): a name and ID number find that person's own entries and
nothing else; bad input is refused without being echoed; nothing typed is stored or logged."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import quote, urlencode, urlsplit
from urllib.request import urlopen

import pytest
from flask import Flask
from flask.testing import FlaskClient
from stdnum.cn import ric
from werkzeug.serving import make_server

from dashboards import create_app
from dashboards.request_log import PrivateRequestHandler
from tests.dashboards.test_check import Loads
from watchdog.audit.runner import run_audit
from watchdog.importer import import_file
from watchdog.ingest import draft_rows, listing_row
from watchdog.parsers.court_dishonest import iter_file_records
from watchdog.parsers.credit_china_records import person_draft
from watchdog.privacy import Keyer
from watchdog.sources import load_manifest
from watchdog.store.db import migrate
from watchdog.store.writer import CrawlRecorder, register_source

SECRET = b"test-secret-for-the-list-check"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
NAME = "郑测试"
BODY = "44030419800307123"
FULL_ID = BODY + ric.calc_check_digit(BODY + "0")
MASKED = FULL_ID[:10] + "****" + FULL_ID[14:]
CATALOGUE = FULL_ID[:6] + "*" * 8 + FULL_ID[14:]
OTHER_BODY = "44030419800307456"
OTHER_ID = OTHER_BODY + ric.calc_check_digit(OTHER_BODY + "0")


def _detail(n: int, name: str, card: str, **fields: object) -> dict[str, object]:
    return {"id": 9100 + n, "iname": name, "caseCode": f"(2015)粤0304执{n}号", "age": 35,
            "sexy": "男", "focusNumber": 1, "cardNum": card, "courtName": "深圳市福田区人民法院",
            "areaName": "广东", "partyTypeName": "580", "gistId": f"(2014)深福法民初字第{n}号",
            "regDate": "2015年01月05日", "gistUnit": "深圳市福田区人民法院",
            "duty": "被告应于判决生效之日起十日内支付货款12000元。", "performance": "全部未履行",
            "disruptTypeName": "违反财产报告制度", "publishDate": "2015年03月02日", **fields}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    root = tmp_path_factory.mktemp("list-check")
    url = f"sqlite:///{root / 'store.sqlite'}"
    migrate(url)
    manifest = load_manifest("court_dishonest")
    register_source(url, manifest.model_dump())
    records = [
        # Hers: published 2015 for a 2-year circumstance, still listed: past the legal term.
        _detail(1, NAME, MASKED),
        # A namesake with another ID number, and someone else with her ID's masked form.
        _detail(2, NAME, OTHER_ID[:10] + "****" + OTHER_ID[14:]),
        _detail(3, "王别人", MASKED),
        # Hers too, but gone from the list by the complete crawl below.
        _detail(4, NAME, MASKED),
    ]
    keyer = Keyer(SECRET)
    path = root / "details.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    outcome = import_file(manifest, path, database_url=url, artifacts_dir=root / "artifacts",
                          keyer=keyer)
    assert outcome.counts.added == 4, outcome
    crawl = CrawlRecorder(url, root / "artifacts", "court_dishonest")
    crawl.write_batch([listing_row(p, manifest.regime or "")
                       for p in iter_file_records(records[:3], keyer)], None)
    assert crawl.finish(covers_whole_source=True).counts.removed == 1
    # Credit China's train-ban catalogue masks places 7-14 and keys her on that form.
    credit = load_manifest("credit_china")
    register_source(url, credit.model_dump())
    draft = person_draft({"xm": NAME, "tmzjhm": CATALOGUE, "lrsj": "2024-05-06"}, "train",
                         "限制乘坐火车严重失信人名单", keyer)
    cc = CrawlRecorder(url, root / "artifacts", "credit_china", mode="import")
    cc.write_batch(draft_rows(cc, [draft]), None)
    cc.finish(covers_whole_source=False)
    run_audit(url, as_of=date(2026, 11, 1))
    return create_app(url, root / "artifacts", TESTING=True, PERSON_SECRET=SECRET,
                      CHECK_RATE_LIMIT=10_000)


@pytest.fixture()
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as c:
        yield c


def lookup(client: FlaskClient, **form: str) -> tuple[int, str]:
    page = client.get("/check/list").get_data(as_text=True)
    form.setdefault("csrf_token", TOKEN.search(page).group(1))
    got = client.post("/check/list", data=form)
    return got.status_code, got.get_data(as_text=True)


def test_her_name_and_full_id_find_her_entry_with_its_finding_and_how_it_ends(client):
    status, html = lookup(client, name=NAME, id_number=FULL_ID)
    assert status == 200, html[html.find("<main"):][:800]
    assert "2 entries listed under your name and number" in html
    assert "(2015)粤0304执1号" in html          # hers
    assert "执2号" not in html and "执3号" not in html   # the namesake's and the other ID's
    assert 'data-source="credit_china"' in html  # the catalogue's masking found her too
    # Her removed entry: counted, nothing of it shown; and the namesake caveat is there.
    assert "执4号" not in html and "1 earlier entry under this name and" in html
    assert 'id="namesakes"' in html
    assert "past legal term" in html and "past maximum term" in html
    assert html.count('class="result-card court" id="result-court-') == 1
    assert "the term has ended" in html
    # The letter carries her case number; the page repeats neither her name nor her number.
    assert "Enforcement case number: (2015)粤0304执1号" in html
    assert NAME not in html and FULL_ID not in html and MASKED not in html


@pytest.mark.parametrize("card", [MASKED, FULL_ID.lower(), " ".join(FULL_ID),
                                  FULL_ID[:6] + FULL_ID[8:17]])
def test_the_masked_spaced_lower_case_and_15_digit_forms_find_the_same_entry(client, card):
    status, html = lookup(client, name=f" {NAME} ", id_number=card)
    assert status == 200 and "(2015)粤0304执1号" in html


def test_the_catalogue_masking_finds_only_the_catalogue_entry(client):
    # Places 7-14 hidden: the court's key (which needs the birth year) cannot be made from it.
    status, html = lookup(client, name=NAME, id_number=CATALOGUE)
    assert status == 200 and "1 entry listed" in html
    assert 'data-source="credit_china"' in html and "执1号" not in html


def test_no_entry_says_so_and_that_absence_proves_nothing(client):
    status, html = lookup(client, name="李无名", id_number=FULL_ID)
    assert status == 200
    assert 'id="not-found"' in html and "not proof that you are not listed" in html
    assert "执1号" not in html


@pytest.mark.parametrize(("name", "card", "says"), [
    ("", FULL_ID, "Enter your name"),
    (NAME, "", "Enter your 18-character"),
    (NAME, FULL_ID[:-1] + ("0" if FULL_ID[-1] != "0" else "1"), "does not add up"),
    (NAME, "12345", "must be 18 characters"),
    ("甲" * 41, FULL_ID, "at most 40"),
    ("郑\x00测试", FULL_ID, "at most 40"),
])
def test_bad_input_is_refused_without_echoing_it(client, name, card, says):
    status, html = lookup(client, name=name, id_number=card)
    assert status == 400 and says in html
    for value in (name, card):
        if len(value.strip()) > 3:
            assert value not in html


def test_a_missing_or_foreign_csrf_token_is_refused(client):
    assert lookup(client, name=NAME, id_number=FULL_ID, csrf_token="forged")[0] == 400
    with client.application.test_client() as stranger:  # no cookie: the token is not its own
        page = client.get("/check/list").get_data(as_text=True)
        got = stranger.post("/check/list", data={"csrf_token": TOKEN.search(page).group(1),
                                                 "name": NAME, "id_number": FULL_ID})
        assert got.status_code == 400


def test_the_limit_is_shared_with_the_self_check(app, tmp_path):
    limited = create_app(app.config["DATABASE_URL"], tmp_path, TESTING=True,
                         PERSON_SECRET=SECRET, CHECK_RATE_LIMIT=2)
    with limited.test_client() as c:
        assert lookup(c, name=NAME, id_number=FULL_ID)[0] == 200
        assert lookup(c, name=NAME, id_number=FULL_ID)[0] == 200
        got = c.post("/check/list", data={"name": NAME, "id_number": FULL_ID})
        assert got.status_code == 429 and got.headers["Retry-After"] == "60"


def test_nothing_typed_is_stored_or_logged(app, client, caplog):
    db = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    before = db.read_bytes()
    caplog.set_level(logging.DEBUG)
    status, html = lookup(client, name=NAME, id_number=FULL_ID)
    assert status == 200 and "执1号" in html
    assert client.post("/check/list").headers["Cache-Control"] == "no-store"
    assert db.read_bytes() == before
    key = Keyer(SECRET).person_key(NAME, FULL_ID)
    for record in caplog.records:
        text = f"{record.getMessage()} {record.args!r}"
        for value in (NAME, FULL_ID, MASKED, key):
            assert value not in text


def test_without_a_secret_the_page_says_it_cannot_look_anyone_up(tmp_path, monkeypatch):
    monkeypatch.setenv("WATCHDOG_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("WATCHDOG_SECRET", raising=False)
    migrate(url := f"sqlite:///{tmp_path / 'x.sqlite'}")
    bare = create_app(url, tmp_path, TESTING=True)
    with bare.test_client() as c:
        status, html = lookup(c, name=NAME, id_number=FULL_ID)
        assert status == 503 and "watchdog init" in html


def test_the_form_and_the_answer_load_nothing_from_elsewhere(client):
    _, answer = lookup(client, name=NAME, id_number=FULL_ID)
    for page in (client.get("/check/list").get_data(as_text=True), answer):
        parser = Loads()
        parser.feed(page)
        assert parser.inline_scripts == 0
        assert all(urlsplit(url).hostname in (None, "127.0.0.1", "localhost")
                   for url in parser.loads)


def test_a_name_typed_into_the_url_never_reaches_the_request_log(app, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    server = make_server("127.0.0.1", 0, app, threaded=True,
                         request_handler=PrivateRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        query = urlencode({"name": NAME, "id_number": FULL_ID})
        with pytest.raises(HTTPError) as refused:
            urlopen(f"{base}/check/list?{query}", timeout=30)
        assert refused.value.code == 400
        with pytest.raises(HTTPError):
            urlopen(f"{base}/lists?province=nowhere", timeout=30)
    finally:
        server.shutdown()
        thread.join(timeout=10)
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("/check/list?[query withheld]" in line for line in lines), lines
    assert any("/lists?province=nowhere" in line for line in lines)  # public pages keep theirs
    for line in lines:
        assert NAME not in line and FULL_ID not in line and quote(NAME) not in line

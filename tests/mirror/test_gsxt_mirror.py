"""The gsxt mirror: notices, directory and company pages, companies shared with the court-list
mirror, the audit's scenarios, every failure switch as gsxt shows it, and privacy."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from watchdog.mirror.generator import truth
from watchdog.mirror.sources.gsxt_data import COURT_SHARE, companies, truth_names
from watchdog.parsers import gsxt
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.privacy import Keyer

KEYER = Keyer(b"gsxt-mirror-test")
NOTICES = "/affiche-query-area-info-paperall.html"
DIRECTORY = "/dito/ditoAction!ycmlFrame.dhtml"


def fetch(mirror, path: str, **params: object) -> tuple[int, bytes, str]:
    url = f"{mirror.url}{path}" + (f"?{urlencode(params)}" if params else "")
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, resp.read(), url
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), url


def crawl(mirror) -> tuple[list, list[str]]:
    """Every notice, directory page and company page, as the spider walks them."""
    drafts, urls = [], []
    todo = [f"{NOTICES}?{urlencode({'noticeType': t, 'start': 0, 'length': 50})}" for t in ("11", "21")]
    todo.append(f"{DIRECTORY}?pageNos=1")
    while todo:
        path = todo.pop(0)
        status, body, url = fetch(mirror, path)
        assert status == 200, url
        parsed = gsxt.parse_bytes(body, KEYER, name=url)
        drafts += parsed.drafts
        urls.append(url)
        todo += [u.replace(mirror.url, "") for u in parsed.next_pages]
    return drafts, urls


def test_a_walk_reaches_every_listed_company(mirror):
    drafts, urls = crawl(mirror)
    listed = [c for c in companies(1) if c.current() is not None]
    kinds = {d.payload["record_type"] for d in drafts}
    assert kinds == {"notice", "abnormal_directory", "registration", "abnormal", "serious",
                     "penalty", "inspection"}
    regs = [d for d in drafts if d.payload["record_type"] == "registration"]
    assert len(regs) == len(listed) == len(companies(1))
    assert sum("pageNos" in u for u in urls) == -(-len(listed) // 10)
    assert not any(d.unknown_fields for d in drafts)


def test_companies_shared_with_the_court_list(mirror):
    court = {m["uscc"]: m["iname"] for m in truth(1).values() if m.get("uscc")}
    shared = [c for c in companies(1) if c.code in court]
    assert len(shared) == COURT_SHARE and all(court[c.code] == c.name for c in shared)
    drafts, _ = crawl(mirror)
    keys = {d.subject["key"] for d in drafts}
    assert {f"uscc:{c.code}" for c in shared} <= keys


def test_individual_business_notices_name_the_operator_only_as_a_key(mirror):
    status, body, url = fetch(mirror, NOTICES, noticeType="11", start=0, length=100)
    assert "经营者" in body.decode("utf-8")
    drafts = gsxt.parse_bytes(body, KEYER, name=url).drafts
    sole = [d for d in drafts if d.payload.get("operator_key")]
    assert sole and all("经营者：[person:p:" in d.payload["title"] for d in sole)


def test_unknown_company_is_not_found(mirror):
    status, _, _ = fetch(mirror, "/gjjbj/gjjQueryCreditAction!openEntInfo.dhtml", entId="nope")
    assert status == 404
    assert fetch(mirror, NOTICES, noticeType="99")[0] == 404


def test_day_two_escalates_and_adds(mirror):
    first = {d.record_key for d in crawl(mirror)[0]}
    mirror.state.day = 2
    second = {d.record_key for d in crawl(mirror)[0]}
    assert first < second  # nothing leaves the directory; listings and escalations are added
    assert any(k.startswith("serious:") for k in second - first)


def _switch(mirror, failure: str) -> None:
    mirror.state.update(failure=failure, fail_from_page=1)


def test_captcha_is_geetest_on_pages_and_a_521_script_on_the_api(mirror):
    _switch(mirror, "captcha")
    assert fetch(mirror, DIRECTORY, pageNos=1)[0] == 200
    status, body, _ = fetch(mirror, DIRECTORY, pageNos=2)
    assert status == 200 and b"initGeetest" in body
    with pytest.raises(BlockedError, match="geetest"):
        gsxt.parse_bytes(body, KEYER)
    status, body, _ = fetch(mirror, NOTICES, noticeType="11", start=10, length=10)
    assert status == 521
    with pytest.raises(BlockedError):
        gsxt.parse_bytes(body, KEYER)


def test_block412_http500_truncated(mirror):
    _switch(mirror, "block412")
    assert fetch(mirror, DIRECTORY, pageNos=2)[0] == 412
    _switch(mirror, "http500")
    assert fetch(mirror, DIRECTORY, pageNos=2)[0] == 500
    _switch(mirror, "truncated")
    for path, params in ((DIRECTORY, {"pageNos": 2}),
                         (NOTICES, {"noticeType": "11", "start": 10, "length": 10})):
        status, body, _ = fetch(mirror, path, **params)
        assert status == 200
        with pytest.raises(FormatError):
            gsxt.parse_bytes(body, KEYER)


def test_layout_switch_adds_what_the_parser_reports(mirror):
    _switch(mirror, "layout")
    _, body, url = fetch(mirror, DIRECTORY, pageNos=2)
    parsed = gsxt.parse_bytes(body, KEYER, name=url)
    assert parsed.drafts and all(d.unknown_fields == {"公示状态": "string"} for d in parsed.drafts)
    company = parsed.next_pages[0]
    _, body, _ = fetch(mirror, company.split("?")[0], **dict(p.split("=") for p in company.split("?")[1].split("&")))
    assert "label:信用等级" in gsxt.parse_bytes(body, KEYER).drafts[0].unknown_fields
    _, body, _ = fetch(mirror, NOTICES, noticeType="11", start=10, length=10)
    assert "noticeLevel" in gsxt.parse_bytes(body, KEYER).drafts[0].unknown_fields


@pytest.mark.parametrize("day", [1, 2])
def test_no_synthetic_person_survives_in_drafts_or_archived_copies(mirror, day):
    mirror.state.day = day
    names = truth_names(day)
    drafts, urls = crawl(mirror)
    text = json.dumps([[d.subject, d.payload] for d in drafts], ensure_ascii=False)
    assert not [n for n in names if n in text]
    for url in urls:
        body = urllib.request.urlopen(url, timeout=30).read()
        redacted = gsxt.redact_bytes(body, KEYER).decode("utf-8")
        assert not [n for n in names if n in redacted], url

"""Mirror pages of `worldbank_debarred`: the page naming the API and its key, the JSON API with
court-list mirror companies and synthetic persons, and every failure switch."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from watchdog.mirror.sources.ofac_sdn_shared import court_pool, synthetic_persons
from watchdog.parsers import worldbank_debarred as wb
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.privacy import Keyer

PAGE = "/en/projects-operations/procurement/debarred-firms"
API = "/dvsvc/v1.0/json/APPLICATION/ADOBE_EXPRNCE_MGR/FIRM/SANCTIONED_FIRM"
KEYER = Keyer(b"mirror-test-wbank" * 2)


def get(mirror, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(mirror.url + path, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_page_names_the_api(mirror) -> None:
    status, body = get(mirror, PAGE)
    assert status == 200
    api, key = wb.page_api(body.decode())
    assert api.endswith(API) and key
    assert wb.parse_bytes(body, KEYER).next_pages == [api]


def test_api_lists_court_companies_and_keyed_persons(mirror) -> None:
    status, body = get(mirror, API)
    assert status == 200
    drafts = wb.parse_bytes(body, KEYER).drafts
    assert len(drafts) >= 700
    by_uscc = {d.payload.get("uscc"): d for d in drafts}
    for company in court_pool()[6:12]:
        draft = by_uscc[company["uscc"]]
        assert draft.payload["chinese_name"] == company["chinese"]
        assert draft.subject["key"] == f"uscc:{company['uscc']}"
    names = synthetic_persons("worldbank_debarred", 4)
    dumped = repr([(d.record_key, d.subject, d.payload) for d in drafts])
    clean = wb.redact_bytes(body, KEYER).decode()
    for family, given in names:
        assert family in body.decode()
        assert family not in dumped and given.upper() not in dumped and family not in clean


def test_day_two_differs(mirror) -> None:
    day1 = {d.record_key for d in wb.parse_bytes(get(mirror, API)[1], KEYER).drafts}
    mirror.state.update(day=2)
    day2 = {d.record_key for d in wb.parse_bytes(get(mirror, API)[1], KEYER).drafts}
    assert day1 - day2 and day2 - day1


@pytest.mark.parametrize("failure,status", [("block412", 412), ("http500", 500)])
def test_error_switches_spare_the_page(mirror, failure: str, status: int) -> None:
    mirror.state.update(failure=failure, fail_from_page=1)
    assert get(mirror, PAGE)[0] == 200 and get(mirror, API)[0] == status


def test_captcha_is_a_403_block_page(mirror) -> None:
    mirror.state.update(failure="captcha", fail_from_page=0)
    status, body = get(mirror, PAGE)
    assert status == 403
    with pytest.raises(BlockedError):
        wb.parse_bytes(body, KEYER)


def test_truncated_and_layout(mirror) -> None:
    mirror.state.update(failure="truncated", fail_from_page=1)
    with pytest.raises(FormatError):
        wb.parse_bytes(get(mirror, API)[1], KEYER)
    mirror.state.update(failure="layout")
    drafts = wb.parse_bytes(get(mirror, API)[1], KEYER).drafts
    assert drafts and all(d.unknown_fields.get("RISK_RATING") == "str" for d in drafts)

"""Mirror pages of `us_csl`: the static CSV and JSON downloads, court-list mirror companies on
the Entity List, synthetic persons only, and every failure switch."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from watchdog.mirror.sources.ofac_sdn_shared import court_pool, synthetic_persons
from watchdog.parsers import us_csl
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.privacy import Keyer

CSV = "/static/consolidated_screening_list/consolidated.csv"
JSON = "/static/consolidated_screening_list/consolidated.json"
KEYER = Keyer(b"mirror-test-csl!" * 2)


def get(mirror, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(mirror.url + path, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def parsed(mirror, path: str):
    status, body = get(mirror, path)
    assert status == 200
    return us_csl.parse_bytes(body, KEYER, name=path)


def test_csv_and_json_hold_the_same_records(mirror) -> None:
    a, b = parsed(mirror, CSV), parsed(mirror, JSON)
    assert len(a.drafts) >= 60 and not a.rejections and not b.rejections
    assert [(d.record_key, d.payload) for d in a.drafts] == \
        [(d.record_key, d.payload) for d in b.drafts]


def test_court_mirror_companies_on_the_entity_list(mirror) -> None:
    drafts = parsed(mirror, JSON).drafts
    by_name = {d.subject["name"]: d for d in drafts}
    for company in court_pool()[3:9]:
        draft = by_name[company["english"]]
        assert draft.payload["list_code"] == "EL" and draft.payload["cn_related"]
        assert draft.payload.get("uscc") == company["uscc"] or \
            draft.payload.get("chinese_name") == company["chinese"]


def test_persons_are_synthetic_and_never_parsed_by_name(mirror) -> None:
    names = synthetic_persons("us_csl", 4)
    for path in (CSV, JSON):
        body = get(mirror, path)[1]
        assert all(family in body.decode() for family, _ in names)
        clean = us_csl.redact_bytes(body, KEYER).decode()
        dumped = repr([(d.record_key, d.subject, d.payload)
                       for d in us_csl.parse_bytes(body, KEYER).drafts])
        for family, given in names:
            assert family not in clean and family not in dumped and given not in dumped
    assert "Gunther Migeotte" not in get(mirror, CSV)[1].decode()


def test_day_two_differs(mirror) -> None:
    day1 = {d.record_key for d in parsed(mirror, JSON).drafts}
    mirror.state.update(day=2)
    day2 = {d.record_key for d in parsed(mirror, JSON).drafts}
    assert day1 - day2 and day2 - day1


@pytest.mark.parametrize("failure,status", [("block412", 412), ("http500", 500)])
def test_error_switches(mirror, failure: str, status: int) -> None:
    mirror.state.update(failure=failure, fail_from_page=0)
    assert get(mirror, JSON)[0] == status and get(mirror, CSV)[0] == status
    # One document each: the switch hits it whatever page it starts from, or a crawl of this
    # source could never be seen failing.
    mirror.state.update(fail_from_page=1)
    assert get(mirror, JSON)[0] == status and get(mirror, CSV)[0] == status
    mirror.state.update(failure=None)
    assert get(mirror, JSON)[0] == 200


def test_captcha_is_a_405_block_page(mirror) -> None:
    mirror.state.update(failure="captcha", fail_from_page=0)
    status, body = get(mirror, JSON)
    assert status == 405
    with pytest.raises(BlockedError):
        us_csl.parse_bytes(body, KEYER)


def test_truncated_and_layout(mirror) -> None:
    mirror.state.update(failure="truncated", fail_from_page=0)
    for path in (CSV, JSON):
        with pytest.raises(FormatError):
            us_csl.parse_bytes(get(mirror, path)[1], KEYER)
    mirror.state.update(failure="layout")
    for path in (CSV, JSON):
        drafts = parsed(mirror, path).drafts
        assert drafts and all("risk_score" in d.unknown_fields for d in drafts), path

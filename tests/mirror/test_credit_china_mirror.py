"""The Credit China mirror: real paths and paging, companies shared with the court-list mirror,
every failure switch as Credit China shows it, and no synthetic person surviving redaction."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from watchdog.mirror.generator import truth
from watchdog.mirror.sources.credit_china_data import (
    COURT_SHARE,
    PERSON_TABLES,
    REAL_USCC,
    court_companies,
    entities,
    truth_names,
)
from watchdog.parsers import credit_china as cc
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.privacy import Keyer

KEYER = Keyer(b"credit-china-mirror-test")
API = "/private-api/"


def get(mirror, endpoint: str, **params: object) -> tuple[int, bytes, str]:
    url = f"{mirror.url}{API}{endpoint}?{urlencode(params)}"
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, resp.read(), url
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), url


def search(mirror, page: int = 1, size: int = 10) -> tuple[int, bytes, str]:
    return get(mirror, "catalogSearchHome", keyword="公司", page=page, pageSize=size)


def test_search_pages_through_every_company(mirror):
    seen, page = [], 1
    while True:
        status, body, url = search(mirror, page)
        assert status == 200
        parsed = cc.parse_bytes(body, KEYER, name=url)
        seen += [d.subject["code"] for d in parsed.drafts]
        if not parsed.next_pages:
            break
        page += 1
    assert len(seen) == len(set(seen)) == len(entities(1)) and page == 5
    assert REAL_USCC in seen


def test_companies_shared_with_the_court_list(mirror):
    court = {m["uscc"]: m["iname"] for m in truth(1).values() if m.get("uscc")}
    shared = court_companies(COURT_SHARE, 0)
    assert len(shared) == COURT_SHARE
    for name, code, _case in shared:
        assert court[code] == name
        status, body, url = get(mirror, "typeSourceSearch", type="严重失信主体名单", tyshxydm=code,
                                page=1, pageSize=10)
        drafts = cc.parse_bytes(body, KEYER, name=url).drafts
        assert status == 200 and drafts[0].subject["key"] == f"uscc:{code}"
        assert drafts[0].payload["case_no"]


def test_real_company_is_served_with_its_real_detail(mirror):
    status, body, _ = get(mirror, "getTyshxydmDetailsContent", tyshxydm=REAL_USCC)
    assert status == 200 and json.loads(body)["data"]["headEntity"]["jgmc"] == "你好徐州传媒有限公司"
    status, body, url = get(mirror, "typeSourceSearch", type="行政管理", tyshxydm=REAL_USCC, page=1)
    assert cc.parse_bytes(body, KEYER, name=url).drafts == []


def test_records_of_every_kind_and_person_catalogues(mirror):
    kinds = set()
    for ent in entities(1)[:12]:
        for kind in ("行政管理", "诚实守信", "经营异常", "严重失信主体名单", "重点关注"):
            _, body, url = get(mirror, "typeSourceSearch", type=kind, tyshxydm=ent.uscc, page=1)
            kinds |= {d.payload["record_type"] for d in cc.parse_bytes(body, KEYER, name=url).drafts}
    assert kinds == {"penalty", "licence", "red_list", "abnormal", "serious", "key_attention"}
    for table, count in PERSON_TABLES.items():
        status, body, url = get(mirror, "catalogSearchPerson", tableName=table, page=1, pageSize=20)
        parsed = cc.parse_bytes(body, KEYER, name=url)
        assert status == 200 and len(parsed.drafts) == 20 and parsed.next_pages
        assert {d.subject["kind"] for d in parsed.drafts} == {"person"}
        assert json.loads(body)["data"]["total"] == count


def test_unknown_paths_and_subjects_are_not_found(mirror):
    assert get(mirror, "getTyshxydmDetailsContent", tyshxydm="91000000000000000X")[0] == 404
    assert get(mirror, "catalogSearchPerson", tableName="credit_nope", page=1)[0] == 404


def test_deterministic_and_day_two_differs(mirror):
    ent = entities(1)[0]
    args = {"type": "行政管理", "tyshxydm": ent.uscc, "page": 1}
    first = get(mirror, "typeSourceSearch", **args)[1]
    assert get(mirror, "typeSourceSearch", **args)[1] == first
    mirror.state.day = 2
    assert get(mirror, "typeSourceSearch", **args)[1] != first  # a penalty taken down


def _switch(mirror, failure: str) -> None:
    mirror.state.update(failure=failure, fail_from_page=1)


def test_first_page_passes_then_captcha_is_status_40001(mirror):
    _switch(mirror, "captcha")
    assert search(mirror, 1)[0] == 200
    status, body, _ = search(mirror, 2)
    assert status == 500 and json.loads(body)["status"] == 40001
    with pytest.raises(BlockedError):
        cc.parse_bytes(body, KEYER)


def test_block412_and_http500(mirror):
    _switch(mirror, "block412")
    assert search(mirror, 2)[0] == 412
    _switch(mirror, "http500")
    status, body, _ = search(mirror, 2)
    assert status == 500
    with pytest.raises(FormatError):  # an error page, not a block: the crawl is partial
        cc.parse_bytes(body, KEYER)


def test_truncated_body_is_unreadable(mirror):
    _switch(mirror, "truncated")
    status, body, _ = search(mirror, 2)
    assert status == 200
    with pytest.raises(FormatError):
        cc.parse_bytes(body, KEYER)


def test_layout_switch_adds_what_the_parser_reports(mirror):
    _switch(mirror, "layout")
    _, body, url = search(mirror, 2)
    assert "entity_tag" in cc.parse_bytes(body, KEYER, name=url).drafts[0].unknown_fields
    ent = entities(1)[15]
    _, body, url = get(mirror, "typeSourceSearch", type="行政管理", tyshxydm=ent.uscc, page=1)
    drafts = cc.parse_bytes(body, KEYER, name=url).drafts
    assert drafts and all("xyxf_zt" in d.unknown_fields for d in drafts)
    _, body, url = get(mirror, "catalogSearchPerson", tableName="credit_hmd_zrr_xzfj_jb", page=2)
    assert "lrlx" in cc.parse_bytes(body, KEYER, name=url).drafts[0].unknown_fields


@pytest.mark.parametrize("day", [1, 2])
def test_no_synthetic_person_survives_in_drafts_or_archived_copies(mirror, day):
    mirror.state.day = day
    names = truth_names(day)
    pages = [get(mirror, "getTyshxydmDetailsContent", tyshxydm=e.uscc) for e in entities(day)[:20]]
    pages += [get(mirror, "typeSourceSearch", type="行政管理", tyshxydm=e.uscc, page=1)
              for e in entities(day)[:20]]
    pages += [get(mirror, "catalogSearchPerson", tableName=t, page=p, pageSize=20)
              for t in PERSON_TABLES for p in (1, 2, 3)]
    leaked = 0
    for _, body, url in pages:
        raw = body.decode("utf-8")
        assert any(n in raw for n in names) or "[]" in raw  # the mirror does name them
        drafts = json.dumps([[d.subject, d.payload] for d in cc.parse_bytes(body, KEYER, name=url).drafts],
                            ensure_ascii=False)
        redacted = cc.redact_bytes(body, KEYER).decode("utf-8")
        leaked += sum(n in drafts or n in redacted for n in names)
    assert leaked == 0

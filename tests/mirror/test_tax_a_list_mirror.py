"""Mirror of tax_a_list over HTTP: the real Jiangxi file byte for byte, the paged Heilongjiang
search (GET and POST), the mirror-only Beijing CSV, and every failure switch from its page on."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest

from tests.conftest import REPO
from watchdog.mirror.server import FAILURES
from watchdog.mirror.sources import tax_a_list as pages
from watchdog.parsers import tax_a_list as parser
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.privacy import Keyer
from watchdog.sources import load_manifest

KEYER = Keyer(b"test-secret-for-tax-mirror-00000")
HLJ = f"{pages.HEILONGJIANG_PATH}?{pages.HEILONGJIANG_QUERY}"


def get(mirror, path: str, method: str = "GET", body: str | None = None):
    parts = urlsplit(mirror.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    out = resp.status, resp.getheader("Content-Type"), resp.read()
    conn.close()
    return out


def test_manifest_paths_are_served(mirror):
    manifest = load_manifest("tax_a_list")
    assert manifest.default_path == "all"
    for list_id in manifest.paths["all"]["lists"]:
        path = manifest.paths[list_id]["path"]
        status, _, body = get(mirror, path)
        assert status == 200 and parser.parse_bytes(body, KEYER, name=path).drafts


def test_jiangxi_file_served_as_is(mirror):
    status, ctype, body = get(mirror, pages.JIANGXI_PATH)
    assert status == 200 and ctype.startswith("text/plain")  # as raw.githubusercontent.com does
    assert body == (REPO / "data" / "mirror" / "tax_a_list" / "jiangxi_2018_A_level_GBK.csv").read_bytes()


def test_heilongjiang_paging_get_and_post(mirror):
    status, _, first = get(mirror, HLJ)
    assert status == 200
    url = f"{mirror.url}{HLJ}"
    out = parser.parse_bytes(first, KEYER, name=url)
    assert len(out.drafts) == 20 and len(out.next_pages) == 3
    _, _, second_get = get(mirror, urlsplit(out.next_pages[0]).path + "?" + urlsplit(out.next_pages[0]).query)
    _, _, second_post = get(mirror, HLJ, "POST", "currpage=2")
    assert second_get == second_post and second_get != first
    assert get(mirror, f"{HLJ}&currpage=99")[0] == 404


def test_beijing_csv_is_utf8_with_bom_and_renamed_columns(mirror):
    status, ctype, body = get(mirror, pages.BEIJING_PATH)
    assert status == 200 and body.startswith(b"\xef\xbb\xbf")
    assert "序号,单位名称,纳税人识别号,主管税务机关,评价结果,评价年度" in body.decode("utf-8-sig")
    names = {d.payload.get("name") for d in parser.parse_bytes(body, KEYER).drafts}
    assert {name for name, _ in pages.court_companies("北京")} <= names


def test_court_companies_are_a_fixed_selection():
    from watchdog.mirror.generator import truth

    day = truth(1)
    for province in ("黑龙江", "北京"):
        picked = pages.court_companies(province)
        assert len(picked) == 6
        usccs = {m.get("uscc"): m for m in day.values() if m["party"] == "company"}
        for name, code in picked:
            assert usccs[code]["iname"] == name and usccs[code]["province"] == province


@pytest.mark.parametrize("failure", FAILURES)
def test_failure_switches_from_the_second_page(mirror, failure):
    mirror.state.failure = failure  # fail_from_page stays 1: the first page gets through
    status, _, first = get(mirror, HLJ)
    assert status == 200 and len(parser.parse_bytes(first, KEYER).drafts) == 20
    status, _, body = get(mirror, f"{HLJ}&currpage=2")
    if failure == "block412":
        assert status == 412
    elif failure == "http500":
        assert status == 500
    elif failure == "captcha":
        assert status == 200
        with pytest.raises(BlockedError):
            parser.parse_bytes(body, KEYER)
    elif failure == "truncated":
        with pytest.raises(FormatError, match="truncated"):
            parser.parse_bytes(body, KEYER)
    else:
        assert parser.parse_bytes(body, KEYER).drafts[0].unknown_fields == {pages.NEW_COLUMN: "string"}


@pytest.mark.parametrize("failure", ["captcha", "layout", "truncated"])
def test_single_file_lists_fail_from_page_zero(mirror, failure):
    mirror.state.update(failure=failure, fail_from_page=0)
    for path, full in ((pages.JIANGXI_PATH, pages.jiangxi_body(False)),
                       (pages.BEIJING_PATH, pages.beijing_body(False))):
        status, _, body = get(mirror, path)
        assert status == 200
        if failure == "captcha":
            with pytest.raises(BlockedError):
                parser.parse_bytes(body, KEYER)
        elif failure == "layout":
            assert pages.NEW_COLUMN in parser.parse_bytes(body, KEYER).drafts[0].unknown_fields
        else:
            assert body == full[: len(full) // 2]

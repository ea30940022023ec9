"""The tax_a_list parser on the shared Jiangxi sample and on fixtures of the documented formats:
header synonyms and order, the Heilongjiang header shift, stray cells, legacy numbers, sole
traders, paging, encodings, block pages and truncated bodies."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest

from tests.conftest import REPO
from watchdog.mirror import formats as mirror_formats
from watchdog.mirror.sources import tax_a_list as mirror
from watchdog.parsers import tax_a_list as parser
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.parsers.registry import parser_for
from watchdog.privacy import Keyer

# SHA-256 of the shared sample (samples/tax_a_level_taxpayers/): the mirror serves that file.
SAMPLE_SHA256 = "7a2bf2ac6ed9b97bacabd6fd54ced1fd02726594d67ab9cf44ccffd0c428ff25"
MIRROR_COPY = REPO / "data" / "mirror" / "tax_a_list" / "jiangxi_2018_A_level_GBK.csv"
FIX = REPO / "tests" / "fixtures" / "tax_a_list"
KEYER = Keyer(b"test-secret-for-tax-lists-000000")
# The sole trader of the Jiangxi sample: its operator's (synthetic) name sits in a stray cell,
# and another sole trader's number is built on a (synthetic) resident ID.
STRAY_NAME = "严素莺"
PERSONAL_NUMBER = "33012119560101333001"
QUARRY = "上栗县东源新益马岭采石场"  # the name listed with that number
# The Jiangxi sample's 4,939 data rows: 17 repeat a record of the file (same number, name, tax
# office) and are rejected as repeats; the rest are 4,922 records.
JIANGXI_ROWS, JIANGXI_REPEATS = 4939, 17
REPEAT = "same record as record "


def _jiangxi() -> bytes:
    return MIRROR_COPY.read_bytes()


@pytest.fixture(scope="module")
def jiangxi():
    return parser.parse_bytes(_jiangxi(), KEYER, name="jiangxi_2018_A_level_GBK.csv")


def test_registry_finds_the_parser():
    assert parser_for("tax_a_list") is parser


def test_mirror_serves_the_shared_sample_unchanged():
    assert hashlib.sha256(MIRROR_COPY.read_bytes()).hexdigest() == SAMPLE_SHA256


def _companies(parsed: parser.ParsedFile) -> list[parser.Draft]:
    return [d for d in parsed.drafts if d.payload["party_type"] == "company"]


def test_jiangxi_every_row_read(jiangxi):
    assert jiangxi.fmt.startswith("csv")
    # Every data line is a record or a repeat the importer reports: the counts add up.
    assert len(jiangxi.drafts) == JIANGXI_ROWS - JIANGXI_REPEATS
    assert len(jiangxi.rejections) == JIANGXI_REPEATS
    assert all(r.reason.startswith(REPEAT) for r in jiangxi.rejections)
    assert {d.payload["province"] for d in jiangxi.drafts} == {"江西"}
    assert {d.payload["year"] for d in jiangxi.drafts} == {2018}
    assert {d.payload["grade"] for d in jiangxi.drafts} == {"A"}
    # One row is a sole trader under a number built on a resident ID: a person.
    assert len(_companies(jiangxi)) == len(jiangxi.drafts) - 1
    assert all(d.facets == {"party_type": "company", "province": "江西"}
               for d in _companies(jiangxi))


def test_jiangxi_uscc_and_legacy_numbers(jiangxi):
    by_number = {d.payload["taxpayer_id"]: d for d in _companies(jiangxi)}
    first = by_number["91360200787252585L"]
    assert first.subject["key"] == "uscc:91360200787252585L"
    assert first.subject["code"] == "91360200787252585L"
    assert first.payload["name"] == "景德镇市景程汽车部件有限责任公司"
    assert first.payload["org_code"] == "787252585"
    legacy = by_number["360206550875725"]
    # A 15-digit number is not a USCC: the company is keyed on its name, the number is kept.
    assert legacy.subject["key"].startswith("name:") and legacy.subject["code"] is None
    assert legacy.payload["id_kind"] == "legacy_taxpayer_id"
    assert legacy.payload["org_code"] == "550875725"
    assert legacy.payload["uscc"] is None
    kinds = {d.payload["id_kind"] for d in _companies(jiangxi)}
    assert {"uscc", "legacy_taxpayer_id", "uscc_invalid"} <= kinds


def test_jiangxi_branches_and_editor_note(jiangxi):
    branches = [d for d in _companies(jiangxi) if d.payload["branch"]]
    assert len(branches) > 100 and all("分" in d.payload["name"] or "支" in d.payload["name"]
                                       or "营业部" in d.payload["name"] for d in branches)
    assert not any("责任编辑" in (d.payload["tax_authority"] or "") for d in jiangxi.drafts)


def test_jiangxi_stray_cell_and_personal_number_never_stored(jiangxi):
    blob = json.dumps([(d.record_key, d.subject, d.payload) for d in jiangxi.drafts],
                      ensure_ascii=False)
    assert STRAY_NAME not in blob and PERSONAL_NUMBER not in blob
    assert PERSONAL_NUMBER[:18] not in blob
    cafe = next(d for d in _companies(jiangxi) if d.payload["name"] == "寻乌县精英网吧")
    assert cafe.payload["year"] == 2018 and cafe.payload["stray_cells"] == 1
    assert cafe.payload["tax_authority"] == "国家税务总局寻乌县税务局长宁税务分局"
    # A number built on a resident ID makes the row a person whatever its name: keyed on name
    # and ID, neither kept.
    (quarry,) = [d for d in jiangxi.drafts if d.payload["party_type"] == "person"]
    assert quarry.subject["kind"] == "person" and quarry.subject["name"] is None
    assert quarry.subject["key"] == KEYER.person_key(QUARRY, PERSONAL_NUMBER[:18])
    assert quarry.payload["id_kind"] == "withheld_personal_id"
    assert QUARRY not in blob


def test_jiangxi_redacted_archive():
    raw = _jiangxi()
    red = parser.redact_bytes(raw, KEYER)
    text = red.decode("gbk")
    assert STRAY_NAME not in text and PERSONAL_NUMBER not in text
    assert "[person:p:" in text and "[id]" in text
    assert "景德镇市景程汽车部件有限责任公司" in text  # companies stay as published
    assert text.count("\n") == raw.decode("gbk").count("\n")


def test_header_shift_tab_and_missing_grade_column():
    body = (FIX / "heilongjiang_header_shift_GBK.csv").read_bytes()
    out = parser.parse_bytes(body, KEYER)
    assert len(out.drafts) == 6 and not out.rejections
    first = out.drafts[0].payload
    # Lined up by value shape, not position: 2018 is the year, not the grade.
    assert first["year"] == 2018 and first["grade"] == "A"
    assert first["name"] == "哈尔滨冰原示例商贸有限公司"
    assert first["tax_authority"] == "国家税务总局哈尔滨市道里区税务局第一税务所"
    assert {d.payload["province"] for d in out.drafts} == {"黑龙江"}
    # One company under two tax offices: two records, one subject.
    twice = [d for d in out.drafts if d.payload["name"] == "牡丹江北疆示例机械有限公司"]
    assert len({d.record_key for d in twice}) == 2 and len({d.subject["key"] for d in twice}) == 1
    assert any(d.payload["branch"] for d in out.drafts)
    assert not out.drafts[0].unknown_fields


def test_renamed_reordered_and_unknown_columns():
    body = (FIX / "beijing_export_utf8_bom.csv").read_bytes()
    out = parser.parse_bytes(body, KEYER, name="beijing_export_utf8_bom.csv")
    assert len(out.drafts) == 3
    p = out.drafts[0].payload
    assert p["name"] == "北京示例华信科技有限公司" and p["grade"] == "A" and p["year"] == 2018
    assert p["tax_authority"].endswith("朝阳区税务局第一税务所") and p["province"] == "北京"
    assert out.drafts[0].unknown_fields == {"备用字段": "string"}
    assert "备用字段" not in json.dumps(p, ensure_ascii=False)
    assert out.drafts[2].payload["year"] == 2018  # 2018年


def test_same_rows_any_column_order():
    rows = [["91110105948219939U", "北京示例华信科技有限公司", "2018", "朝阳区税务局"]]
    orders = (["纳税人识别号", "纳税人名称", "评价年度", "税务机关"],
              ["企业名称", "评定年度", "统一社会信用代码", "主管税务机关"],
              ["单位名称", "主管税务机关名称", "纳税人识别号（统一社会信用代码）", "年度"])
    keys = set()
    for header in orders:
        index = {"纳税人识别号": 0, "统一社会信用代码": 0, "纳税人识别号（统一社会信用代码）": 0,
                 "纳税人名称": 1, "企业名称": 1, "单位名称": 1, "评价年度": 2, "评定年度": 2,
                 "年度": 2, "税务机关": 3, "主管税务机关": 3, "主管税务机关名称": 3}
        buf = io.StringIO()
        w = csv.writer(buf, delimiter="\t")
        w.writerow(header)
        w.writerow([rows[0][index[h]] for h in header])
        out = parser.parse_bytes(buf.getvalue().encode("utf-8"), KEYER)
        assert len(out.drafts) == 1, header
        keys.add((out.drafts[0].record_key, out.drafts[0].payload["name"]))
    assert len(keys) == 1


def test_html_table_with_both_codes():
    body = (FIX / "anhui_redlist.html").read_bytes()
    out = parser.parse_bytes(body, KEYER, name="http://www.creditah.gov.cn/remote/480/index_1.htm")
    assert out.fmt == "html table" and len(out.drafts) == 3
    assert out.drafts[0].payload["uscc"] == "91340104432319488F"
    assert {d.payload["year"] for d in out.drafts} == {2019}
    legacy = out.drafts[2]
    assert legacy.payload["taxpayer_id"] == "340104625276015" and legacy.payload["uscc"] is None
    assert {d.payload["province"] for d in out.drafts} == {"安徽"}


def test_gbk_html_with_title_row_links_and_pager():
    body = (FIX / "beijing_query_GBK.html").read_bytes()
    url = "http://beijing.chinatax.gov.cn/bjsat/office/jsp/ajqy/query.jsp?page_num=1&ssny=2018"
    out = parser.parse_bytes(body, KEYER, name=url)
    assert [d.payload["name"] for d in out.drafts] == ["北京示例通达物流有限公司",
                                                      "北京示例丰泽餐饮管理有限公司"]
    assert len(out.next_pages) == 5613
    assert out.next_pages[0].endswith("page_num=2") and out.next_pages[-1].endswith("page_num=5614")
    later = parser.parse_bytes(body.replace("第 1 页".encode("gbk"), "第 2 页".encode("gbk")),
                               KEYER, name=url.replace("page_num=1", "page_num=2"))
    assert later.next_pages == []  # only the first page lists the others


def test_mirror_heilongjiang_pages_and_court_companies():
    url = "http://127.0.0.1:1/module/search/index.jsp?field=field_2292:1,field_2293:1&i_columnid=3587"
    first = parser.parse_bytes(mirror.heilongjiang_body(1, 20, False), KEYER, name=url)
    assert len(first.drafts) == 20 and len(first.next_pages) == 3
    assert "currpage=2" in first.next_pages[0]
    seen = {}
    for page in range(1, 5):
        out = parser.parse_bytes(mirror.heilongjiang_body(page, 20, False), KEYER, name="hlj")
        seen.update({d.subject["key"]: d for d in out.drafts})
    for name, code in mirror.court_companies("黑龙江"):
        assert seen[f"uscc:{code}"].payload["name"] == name


def test_sole_trader_becomes_a_keyed_person():
    out = parser.parse_bytes(mirror.beijing_body(False), KEYER, name="beijing.csv")
    persons = [d for d in out.drafts if d.payload["party_type"] == "person"]
    assert len(persons) == 1
    person = persons[0]
    assert person.subject["kind"] == "person" and person.subject["name"] is None
    assert person.subject["code"] is None and person.facets["party_type"] == "person"
    assert "name" not in person.payload and "taxpayer_id" not in person.payload
    blob = json.dumps([(d.record_key, d.subject, d.payload) for d in out.drafts], ensure_ascii=False)
    for secret in mirror.synthetic_persons():
        assert secret not in blob
    red = parser.redact_bytes(mirror.beijing_body(False), KEYER).decode("utf-8")
    for secret in mirror.synthetic_persons():
        assert secret not in red


def test_layout_change_reports_the_new_column():
    out = parser.parse_bytes(mirror.heilongjiang_body(2, 20, True), KEYER)
    assert out.drafts and out.drafts[0].unknown_fields == {mirror.NEW_COLUMN: "string"}
    jx = parser.parse_bytes(mirror.jiangxi_body(True), KEYER)
    assert jx.drafts[0].unknown_fields == {mirror.NEW_COLUMN: "string"}


@pytest.mark.parametrize("body", [
    mirror_formats.block412_html("1-x-1"),
    mirror.captcha_page()[1],
    b"{}",
    "<html><head><meta charset='gbk'><title>验证</title></head><body><p>请输入验证码</p>"
    "<img src='/captcha.jpg'></body></html>".encode("gbk"),
])
def test_block_and_captcha_pages_are_blocked(body):
    with pytest.raises(BlockedError):
        parser.parse_bytes(body, KEYER)


@pytest.mark.parametrize("body", [
    b'{"data": []}',
    "名称,地址\n某公司,某地\n".encode(),
    b"<html><body><table><tr><td>a</td><td>b</td></tr></table></body></html>",
    b"",
])
def test_unknown_formats_fail_loudly(body):
    with pytest.raises((FormatError, BlockedError)):
        parser.parse_bytes(body, KEYER)


def test_truncated_bodies_are_refused():
    html_body = mirror.heilongjiang_body(1, 20, False)
    with pytest.raises(FormatError, match="truncated"):
        parser.parse_bytes(html_body[: len(html_body) // 2], KEYER)
    raw = _jiangxi()
    cut = raw[: len(raw) // 2]
    if not cut.endswith(b"\n"):
        with pytest.raises(FormatError, match="truncated"):
            parser.parse_bytes(cut, KEYER)
    utf8 = mirror.beijing_body(False)
    with pytest.raises(FormatError, match="truncated"):
        parser.parse_bytes(utf8[: utf8.index("有限".encode()) + 1], KEYER)  # inside a character


def test_record_keys_stable_across_formats():
    """The same list as a CSV and as an HTML table gives the same records."""
    csv_out = parser.parse_bytes((FIX / "heilongjiang_header_shift_GBK.csv").read_bytes(), KEYER)
    rows = "".join(
        f"<tr><td>{i}</td><td>{d.payload['taxpayer_id']}</td><td>{d.payload['name']}</td>"
        f"<td>A</td><td>2018</td><td>{d.payload['tax_authority']}</td></tr>"
        for i, d in enumerate(csv_out.drafts, 1))
    page = ("<html><head><title>黑龙江</title></head><body><table class='dzchaxun'><tr>"
            "<td>编号</td><td>纳税人识别号</td><td>纳税人名称</td><td>信用级别</td><td>评价年度</td>"
            f"<td>税务机关</td></tr>{rows}</table></body></html>").encode()
    html_out = parser.parse_bytes(page, KEYER)
    assert [d.record_key for d in html_out.drafts] == [d.record_key for d in csv_out.drafts]


def test_redaction_of_cut_and_blocked_bodies():
    page = mirror.heilongjiang_body(1, 20, False)
    cut = page[: page.index(b"</table>") - 10]  # the sole trader's row is whole, the page is not
    with pytest.raises(FormatError):
        parser.parse_bytes(cut, KEYER)
    red = parser.redact_bytes(cut, KEYER).decode("utf-8", "ignore")
    secrets = [s for s in mirror.synthetic_persons() if s.encode() in cut]
    assert secrets and not any(s in red for s in secrets)
    for body in (mirror_formats.block412_html("x"), mirror.captcha_page()[1], b"{}", b"\xff\xfe"):
        assert isinstance(parser.redact_bytes(body, KEYER), bytes)


def test_valid_uscc_wins_whichever_column_holds_it():
    body = ("统一社会信用代码,纳税人识别号,企业名称,评价年度\n"
            "91340104432319488X,91340104432319488F,合肥示例徽商贸易有限公司,2019\n"
            "92340104MA2NXXXX0X,34010419800101123401,合肥示例个体五金店,2019\n").encode()
    first, second = parser.parse_bytes(body, KEYER).drafts
    assert first.subject["key"] == "uscc:91340104432319488F"
    assert first.payload["taxpayer_id"] == "91340104432319488F"
    # The other number is built on a resident ID: a sole trader, a person whatever its name.
    assert second.subject["kind"] == "person" and second.subject["name"] is None
    assert "taxpayer_id" not in second.payload and "name" not in second.payload
    assert second.payload["id_kind"] == "withheld_personal_id"
    assert "340104198001011234" not in json.dumps(second.payload)

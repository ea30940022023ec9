"""The gsxt parser on every shared sample and on fixtures of the documented formats."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from watchdog.parsers import gsxt
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.parsers.registry import parser_for
from watchdog.privacy import Keyer, person_token

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "gsxt"
KEYER = Keyer(b"gsxt-test-secret")
SYNTHETIC_PERSONS = ("司马晓东", "白若溪", "宋雨桐", "欧阳一鸣")
MOU = re.compile("[\u4e00-\u9fff]某{1,2}")  # the shared samples' persons: surname + 某
A, B, C = "9111010552601815X4", "921302029083016633", "91440106131860916C"


def parse(name: str, url: str | None = None) -> gsxt.ParsedFile:
    return gsxt.parse_bytes((FIX / name).read_bytes(), KEYER, name=url)


def text_of(parsed: gsxt.ParsedFile) -> str:
    return json.dumps([[d.record_key, d.subject, d.payload] for d in parsed.drafts],
                      ensure_ascii=False)


def no_person(text: str) -> bool:
    return not MOU.search(text) and not any(p in text for p in SYNTHETIC_PERSONS)


def test_registry_finds_the_parser():
    assert parser_for("gsxt") is gsxt


# -- shared samples -------------------------------------------------------------------------------

def test_beijing_directory_page():
    parsed = parse("gsxt_beijing_listpage_2016.html", "http://qyxy.baic.gov.cn/dito/ditoAction!ycmlFrame.dhtml?pageNos=1")
    assert parsed.fmt == "html_directory" and len(parsed.drafts) == 10
    assert parsed.declared_total == 210400
    d = parsed.drafts[0]
    assert d.record_key == "abnormal_directory:name:北京富润伟业房地产经纪中心世纪爱家分部:2016-11-25"
    assert d.payload["listed_date"] == "2016-11-25" and d.subject["code"] == "1102212140169"
    details = [u for u in parsed.next_pages if "openEntInfo" in u]
    assert len(details) == 10 and "entId=70CEA3506E5645CA857BD50070C24D57" in details[0]
    assert parsed.next_pages[-1].endswith("pageNos=2")


@pytest.mark.parametrize(("name", "key", "role"), [
    ("gsxt_beijing_baseinfo_2016.html", "uscc:91110116MA002GA801", "法定代表人"),
    ("gsxt_beijing_baseinfo2_2016.html", "name:北京万紫千红房地产经纪有限公司第四十一分公司", "负责人"),
    ("gsxt_guangxi_page_2017.html", "name:中国移动通信集团广西有限公司宁明分公司东安营业厅", "负责人"),
    ("gsxt_provincial_detail_page_2017.html", "uscc:91230103692622643X", "法定代表人"),
])
def test_company_pages(name, key, role):
    parsed = parse(name)
    reg = parsed.drafts[0]
    assert parsed.fmt == "html_company" and reg.payload["record_type"] == "registration"
    assert reg.subject["key"] == key and reg.payload["legal_rep_role"] == role
    assert len(reg.payload["legal_rep_key"]) == 64 and reg.payload["established"]
    assert all(not d.unknown_fields for d in parsed.drafts)
    assert no_person(text_of(parsed))


def test_page_details():
    assert parse("gsxt_beijing_baseinfo_2016.html").drafts[0].payload["abnormal_flag"] is True
    guangxi = parse("gsxt_guangxi_page_2017.html").drafts
    assert guangxi[1].payload == {**guangxi[1].payload, "record_type": "inspection",
                                  "date": "2015-11-06", "result": "正常"}
    prov = parse("gsxt_provincial_detail_page_2017.html").drafts[0].payload
    assert prov["address"].startswith("黑龙江省") and prov["status"].startswith("存续")
    assert [p["position"] for p in prov["key_personnel"]] == ["执行董事兼总经理", "监事"]
    assert prov["key_personnel"][0]["key"] == prov["legal_rep_key"]


def test_tianjin_fragment_names_no_company():
    parsed = parse("gsxt_tianjin_key_personnel_table.html")
    kinds = [d.payload["record_type"] for d in parsed.drafts]
    assert kinds.count("branch") == 2 and kinds.count("key_person") == 13  # 黄某 twice as 董事长/经理
    assert all(d.subject["kind"] == "person" and d.subject["name"] is None
               for d in parsed.drafts if d.payload["record_type"] == "key_person")
    assert no_person(text_of(parsed))


def test_app_record():
    parsed = parse("gsxt_app_entity_with_keyperson_shareholder_2020.json")
    d = parsed.drafts[0]
    assert parsed.fmt == "app_entity" and d.record_key == "registration:uscc:91441802351267997C"
    assert d.payload["status"] == "注销企业" and d.payload["established"] == "2015-06-15"
    assert d.subject["province"] == "广东"
    assert [p["position"] for p in d.payload["key_personnel"]] == ["监事", "执行董事", "经理"]
    assert d.payload["legal_rep_key"] == KEYER.name_key("李某")
    assert all("key" in s and s["type"] == "自然人股东" for s in d.payload["shareholders"])
    assert not d.unknown_fields and no_person(text_of(parsed))


# -- built fixtures -------------------------------------------------------------------------------

def test_notices():
    parsed = parse("synthetic_notices_abnormal.json")
    assert parsed.fmt == "notices"
    listed, sole, removed = parsed.drafts
    assert listed.payload["list_kind"] == "abnormal" and listed.payload["action"] == "listed"
    assert listed.payload["notice_date"] == "2022-07-01" and listed.subject["key"] == f"uscc:{A}"
    assert sole.subject["name"] == "唐山市鑫源便利店" and sole.subject["code"] == B
    assert sole.payload["operator_key"] == KEYER.name_key("宋雨桐")
    assert "[phone]" in sole.payload["notice_text"]
    assert removed.payload["action"] == "removed" and removed.payload["notice_date"] == "2024-02-01"
    serious = parse("synthetic_notices_serious.json").drafts[0]
    assert serious.payload["list_kind"] == "serious" and serious.unknown_fields == {}
    assert no_person(text_of(parsed))


def test_notices_paging():
    url = "https://www.gsxt.gov.cn/affiche-query-area-info-paperall.html?noticeType=11&start=0&length=2"
    assert parse("synthetic_notices_abnormal.json", url).next_pages[0].endswith("start=2&length=2")
    last = url.replace("start=0", "start=2")
    assert parse("synthetic_notices_abnormal.json", last).next_pages == []


def test_list_tables_by_header_names():
    parsed = parse("synthetic_company_page_lists.html")
    by_type = {}
    for d in parsed.drafts:
        by_type.setdefault(d.payload["record_type"], []).append(d)
    old, current = by_type["abnormal"]
    assert old.payload["listed_date"] == "2016-07-01" and old.payload["removed_date"] == "2017-02-03"
    assert old.payload["removal_authority"] == "北京市朝阳区市场监督管理局"
    assert "原告[person:p:" in old.payload["removal_reason"]
    assert current.payload.get("removed_date") is None
    assert current.unknown_fields == {"公示状态": "string"}  # an extra column, reported
    serious = by_type["serious"][0].payload
    assert serious["listed_date"] == "2025-07-10" and "届满3年" in serious["list_reason"]
    assert by_type["penalty"][0].payload["decision_date"] == "2021-09-01"
    reg = by_type["registration"][0]
    assert reg.unknown_fields == {"label:统计代码": "string", "section:信用承诺信息": "table"}
    assert len(reg.payload["key_personnel"]) == 2 and no_person(text_of(parsed))


def test_gbk_page():
    parsed = parse("synthetic_company_page_gbk.html")
    reg, abnormal = parsed.drafts
    assert reg.subject["key"] == f"uscc:{C}" and reg.payload["op_from"] == "2015-01-01"
    assert reg.payload["op_to"] is None and "unparsed" not in reg.payload  # 长期: no end date
    assert abnormal.payload["removed_date"] == "2024-02-01"


@pytest.mark.parametrize("body", [
    (FIX / "synthetic_geetest.html").read_bytes(), (FIX / "synthetic_jsl_521.html").read_bytes(),
    b"{}"])
def test_block_pages_are_blocks(body):
    with pytest.raises(BlockedError):
        gsxt.parse_bytes(body, KEYER)


def test_data_page_loading_the_captcha_script_is_not_a_block():
    assert "initGeetest" in (FIX / "gsxt_provincial_detail_page_2017.html").read_text("utf-8")
    assert parse("gsxt_provincial_detail_page_2017.html").drafts


@pytest.mark.parametrize("name", ["synthetic_company_page_lists.html", "synthetic_notices_abnormal.json"])
def test_truncated_bodies_are_format_errors(name):
    body = (FIX / name).read_bytes()
    with pytest.raises(FormatError):
        gsxt.parse_bytes(body[: len(body) // 2], KEYER)


@pytest.mark.parametrize("body", [b"hello", b'{"foo": 1}', b"<html><body><p>nothing</p></body></html>"])
def test_unknown_bodies_are_format_errors(body):
    with pytest.raises(FormatError):
        gsxt.parse_bytes(body, KEYER)


# -- archived copies ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(p.name for p in FIX.iterdir() if p.suffix in (".html", ".json")))
def test_redacted_copies_keep_no_person(name):
    body = (FIX / name).read_bytes()
    out = gsxt.redact_bytes(body, KEYER)
    text = out.decode("gb18030" if b"charset=gbk" in body else "utf-8")
    assert no_person(text)


def test_redacted_copy_keeps_companies_codes_and_encoding():
    body = (FIX / "synthetic_company_page_gbk.html").read_bytes()
    out = gsxt.redact_bytes(body, KEYER)
    text = out.decode("gbk")
    assert "广州云栖示例贸易有限公司" in text and C in text
    assert person_token(KEYER, KEYER.name_key("欧阳一鸣")) in text


def test_a_business_named_by_its_owner_is_keyed_by_code_alone():
    row = "<tr><td>{}</td><td>{}</td><td>2020年1月1日</td></tr>"
    page = ("<html><body><table class='ccjcList'><tr><th>企业名称</th><th>注册号</th>"
            "<th>被列入经营异常名录日期</th></tr>" + row.format("宋雨桐", B) + row.format("白若溪", "")
            + "</table></body></html>").encode()
    parsed = gsxt.parse_bytes(page, KEYER)
    assert [d.subject["key"] for d in parsed.drafts] == [f"uscc:{B}"]
    assert parsed.drafts[0].subject["name"] is None and len(parsed.rejections) == 1
    out = gsxt.redact_bytes(page, KEYER).decode("utf-8")
    assert no_person(out) and B in out  # an all-digit USCC is a code, not an ID number


def test_redacting_truncated_notices():
    body = (FIX / "synthetic_notices_abnormal.json").read_bytes()
    cut = body[: body.index("联系电话".encode())]
    assert "宋雨桐" not in gsxt.redact_bytes(cut, KEYER).decode("utf-8", "replace")

"""The Credit China parser on every shared sample and on fixtures of the documented formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from watchdog.parsers import credit_china as cc
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.parsers.registry import parser_for
from watchdog.privacy import Keyer, person_token

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "credit_china"
KEYER = Keyer(b"credit-china-test-secret")
USCC = "91320322MA1MXXD10P"
# Every natural person named in the fixtures (synthetic, or sanitised to surname + 某).
PERSONS = ("周子墨", "张三峰", "欧阳明轩", "林可欣", "钱多多", "孙小美", "吴一凡", "梅某某")
IDS = ("110105********1236", "440106********2041")


def parse(name: str, url: str | None = None) -> cc.ParsedFile:
    return cc.parse_bytes((FIX / name).read_bytes(), KEYER, name=url or name)


def dumped(parsed: cc.ParsedFile) -> str:
    return json.dumps([[d.record_key, d.subject, d.payload, d.facets] for d in parsed.drafts],
                      ensure_ascii=False)


def test_registry_finds_the_parser():
    assert parser_for("credit_china") is cc


# -- shared samples -----------------------------------------------------------------------------

def test_catalog_search_home_sample():
    parsed = parse("current_catalogSearchHome_c2026.json")
    assert parsed.fmt == "search" and len(parsed.drafts) == 1
    d = parsed.drafts[0]
    assert d.record_key == "catalog_entry:uscc:91320322MABLP2X24R"
    assert d.subject["kind"] == "company" and d.subject["name"] == "你好徐州传媒有限公司"
    assert d.subject["province"] == "江苏" and d.payload["entity_kind"] == "法人"
    assert d.source_record_id == "8498C7D7D52F48BDA6DD475FA670F4C1"  # recid: stable, uuid is not
    assert d.unknown_fields == {}


def test_detail_sample_gives_entity_and_registration_without_the_legal_rep_name():
    parsed = parse("current_getTyshxydmDetailsContent_c2026.json")
    assert [d.payload["record_type"] for d in parsed.drafts] == ["entity", "registration"]
    entity, reg = parsed.drafts
    assert entity.payload["status"] == "存续" and entity.payload["punishment_status"] == "no"
    assert reg.record_key == "registration:uscc:91320322MABLP2X24R"
    assert reg.payload["legal_rep_key"] == KEYER.name_key("梅某某")
    assert reg.payload["established"] == "2022-05-18" and reg.payload["reg_authority"]
    assert reg.payload["table"] == "credit_scjdglzj_fr_gscxqy" and not reg.unknown_fields
    assert "梅某某" not in dumped(parsed)


def test_legacy_search_sample():
    parsed = parse("legacy_credit_info_search_liaoning_c2017.json")
    assert parsed.fmt == "legacy_search" and len(parsed.drafts) == 10
    assert parsed.declared_total == 1416
    first = parsed.drafts[0]
    assert first.subject == {**first.subject, "kind": "company", "code": "210114000022636",
                             "province": "辽宁"}
    assert first.payload["bad_count"] == 0 and first.source_record_id == "d0NpeTB6NGQ="
    assert sum(d.payload["bad_count"] for d in parsed.drafts) == 2


def test_error_responses_sample():
    bodies = [json.dumps(e["body"], ensure_ascii=False).encode()
              for e in json.loads((FIX / "current_error_responses_c2026.json").read_text("utf-8"))]
    with pytest.raises(BlockedError, match="40001"):
        cc.parse_bytes(bodies[0], KEYER)
    assert cc.parse_bytes(bodies[1], KEYER).fmt == "info"
    assert cc.parse_bytes(bodies[2], KEYER).fmt == "verify"
    assert not cc.parse_bytes(bodies[1], KEYER).drafts


# -- typed lists ----------------------------------------------------------------------------------

def test_penalties_through_columns_and_labels():
    parsed = parse("synthetic_typeSourceSearch_penalties.json")
    first, second = parsed.drafts
    assert first.payload["decision_date"] == "2019-07-13" and first.payload["updated"] == "2019-07-20"
    # Columns in reverse order, a compact date and epoch milliseconds read the same way.
    assert second.payload["decision_date"] == "2026-01-05" and second.payload["updated"] == "2026-01-01"
    assert second.payload["publicity_end"] == "2027-01-05"
    assert second.payload["table"] == "credit_xyzx_fr_xzcf_2026"
    for d in parsed.drafts:
        assert d.payload["record_type"] == "penalty" and d.subject["key"] == f"uscc:{USCC}"
        assert d.payload["legal_rep_key"] == KEYER.name_key("周子墨")
        assert d.facets == {"party_type": "company", "province": "江苏",
                            "publish_month": d.payload["decision_date"][:7]}
        assert not d.unknown_fields
    assert "原告[person:p:" in first.payload["reason"]
    assert not any(p in dumped(parsed) for p in PERSONS)


def test_same_penalty_same_key_in_legacy_and_current_formats():
    current = parse("synthetic_typeSourceSearch_penalties.json").drafts[0]
    legacy = parse("legacy_pub_penalty_name.json").drafts[0]
    assert current.record_key == legacy.record_key
    assert current.payload["content"] == legacy.payload["content"] == "罚款人民币20000元"


def test_licences_and_lists():
    lic = parse("synthetic_typeSourceSearch_licences.json").drafts[0]
    assert lic.payload["record_type"] == "licence" and lic.payload["valid_to"] == "2026-03-01"
    kinds = [d.payload["record_type"] for d in parse("synthetic_typeSourceSearch_lists.json").drafts]
    assert kinds == ["red_list", "abnormal", "key_attention", "serious", "other"]


def test_unknown_table_and_columns_are_reported_not_dropped():
    other = parse("synthetic_typeSourceSearch_lists.json").drafts[-1]
    assert other.unknown_fields == {"rzlx": "string", "rzrq": "string",
                                    "table:credit_hgzs_fr_gjrzqy_2026": "table"}
    assert other.payload["extra"]["rzlx"] == {"label": "认证类型", "value": "高级认证"}
    assert other.subject["key"] == f"uscc:{USCC}"


def _one(entity: dict, labels: dict, table: str = "credit_xyzx_fr_xzcf_new",
         url: str | None = None) -> cc.ParsedFile:
    body = {"status": 1, "message": "成功", "data": {"total": 1, "list": [
        {"table_name": table, "columnList": list(labels), "sencesMap": labels, "entity": entity}]}}
    return cc.parse_bytes(json.dumps(body, ensure_ascii=False).encode(), KEYER, name=url)


def test_renamed_column_is_read_by_its_label_and_reported():
    parsed = _one({"cf_jdrq_v2": "2024年05月06日", "cf_xdr_mc": "徐州云栖示例商贸有限公司"},
                  {"cf_jdrq_v2": "处罚决定日期", "cf_xdr_mc": "行政相对人名称"})
    d = parsed.drafts[0]
    assert d.payload["decision_date"] == "2024-05-06"
    # Known by its label: read, and no unknown field (which would make the crawl partial);
    # the renaming is reported among the fields present (the crawl's fill rates).
    assert d.unknown_fields == {}
    assert "by_label:cf_jdrq_v2=decision_date" in d.fields_present


def test_unknown_column_about_a_person_is_withheld():
    d = _one({"lxr": "周子墨", "cf_xdr_mc": "徐州云栖示例商贸有限公司"},
             {"lxr": "联系人姓名", "cf_xdr_mc": "行政相对人名称"}).drafts[0]
    assert d.payload["extra"]["lxr"] == {"label": "联系人姓名", "value": "[withheld]"}
    assert "周子墨" not in json.dumps(d.payload, ensure_ascii=False)


def test_per_entity_list_takes_its_subject_from_the_url():
    url = f"https://public.creditchina.gov.cn/private-api/typeSourceSearch?type=诚实守信&tyshxydm={USCC}&keyword=徐州云栖示例商贸有限公司&page=1&pageSize=10"
    d = _one({"pjnd": "2023"}, {"pjnd": "评价年度"}, table="credit_new_red_table", url=url).drafts[0]
    assert d.subject["key"] == f"uscc:{USCC}" and d.payload["record_type"] == "red_list"
    assert d.unknown_fields == {"table:credit_new_red_table": "table"}


def test_next_page_from_total_and_cap():
    labels = {"cf_xdr_mc": "行政相对人名称"}
    base = "https://h/private-api/typeSourceSearch?type=行政管理&tyshxydm=X&page={}&pageSize=1"
    body = lambda total: json.dumps({"status": 1, "data": {"total": total, "list": [  # noqa: E731
        {"table_name": "credit_xyzx_fr_xzcf_new", "sencesMap": labels,
         "entity": {"cf_xdr_mc": "徐州云栖示例商贸有限公司"}}]}}, ensure_ascii=False).encode()
    assert cc.parse_bytes(body(2), KEYER, name=base.format(1)).next_pages[0].endswith("page=2&pageSize=1")
    assert cc.parse_bytes(body(2), KEYER, name=base.format(2)).next_pages == []
    assert cc.parse_bytes(body(50_000), KEYER, name=base.format(10_000)).next_pages == []


# -- person catalogues and the catalogue of tax violations -------------------------------------

def test_person_catalogue_rows_are_keyed_subjects_without_names():
    parsed = parse("synthetic_catalogSearchPerson_credit_hmd_zrr_xzhc_jb.json")
    assert parsed.fmt == "person"
    first, second = parsed.drafts
    assert first.subject["kind"] == "person" and first.subject["name"] is None
    assert first.subject["key"] == KEYER.person_key("欧阳明轩", "110105********1236")
    assert first.subject["province"] == "北京" and first.subject["sex"] == "M"
    assert second.subject["sex"] == "F" and second.subject["province"] == "广东"
    assert first.payload == {"record_type": "person_list", "list": "限制乘坐火车",
                             "table": "credit_hmd_zrr_xzhc_jb", "listed_date": "2025-03-14",
                             "listing_authority": "国家铁路集团"}
    text = dumped(parsed)
    assert not any(p in text for p in PERSONS + IDS)


def test_person_catalogue_without_a_table_name_is_reported():
    body = (FIX / "synthetic_catalogSearchPerson_credit_hmd_zrr_xzhc_jb.json").read_bytes()
    d = cc.parse_bytes(body, KEYER, name="saved.json").drafts[0]
    assert d.unknown_fields == {"table:unnamed": "table"}


def test_tax_violation_catalogue():
    d = parse("synthetic_catalogSearch_tax_violations.json").drafts[0]
    assert d.payload["record_type"] == "tax_violation"
    assert d.payload["finance_person_key"] == KEYER.name_key("钱多多")
    assert d.payload["intermediary_present"] is True and "孙小美" not in json.dumps(d.payload, ensure_ascii=False)
    assert "[person:p:" in d.payload["facts"]


# -- legacy API ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "fmt", "kind"), [
    ("legacy_credit_info_detail.json", "legacy_detail", "registration"),
    ("legacy_pub_penalty_name.json", "legacy_penalties", "penalty"),
    ("legacy_pub_permissions_name.json", "legacy_permissions", "licence"),
    ("legacy_record_param_2_red_list.json", "legacy_record_param", "red_list"),
    ("legacy_record_param_4_key_attention.json", "legacy_record_param", "abnormal"),
    ("legacy_record_param_8_blacklist.json", "legacy_record_param", "serious"),
    ("legacy_credit_info_search_get.json", "legacy_search", "catalog_entry"),
])
def test_legacy_shapes(name, fmt, kind):
    parsed = parse(name)
    assert parsed.fmt == fmt and len(parsed.drafts) == 1
    d = parsed.drafts[0]
    assert d.payload["record_type"] == kind and d.subject["kind"] == "company"
    assert not d.unknown_fields
    assert not any(p in dumped(parsed) for p in PERSONS)


def test_legacy_detail_status_and_blacklist_case():
    assert parse("legacy_credit_info_detail.json").drafts[0].payload["entity_status"] == "续存"
    black = parse("legacy_record_param_8_blacklist.json").drafts[0]
    assert black.record_key.endswith(":(2018)苏0322执1234号")
    assert black.payload["legal_rep_key"] == KEYER.name_key("周子墨")


# -- encodings, blocks, errors ------------------------------------------------------------------

def test_gbk_and_bom_bodies():
    text = (FIX / "synthetic_typeSourceSearch_penalties.json").read_text("utf-8")
    for body in (text.encode("gbk"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        assert len(cc.parse_bytes(body, KEYER).drafts) == 2


@pytest.mark.parametrize("body", [
    (FIX / "synthetic_block_412_riversecurity.html").read_bytes(),
    (FIX / "synthetic_captcha_page.html").read_bytes(),
    (FIX / "synthetic_jsl_521.html").read_bytes(),
    b"{}",
    '{"status":40001,"message":"请刷新后重试！","data":null}'.encode(),
    '{"status":0,"message":"请输入验证码","data":null}'.encode(),
])
def test_block_pages_are_blocks(body):
    with pytest.raises(BlockedError):
        cc.parse_bytes(body, KEYER)


@pytest.mark.parametrize("body", [b"<html><body>hello</body></html>", b'{"foo": 1}',
                                  b'{"status": 1, "data": {"page": 1}}', b'{"status": 1, "data"'])
def test_unknown_bodies_are_format_errors(body):
    with pytest.raises(FormatError):
        cc.parse_bytes(body, KEYER)


# -- archived copies --------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(p.name for p in FIX.glob("*.json")))
def test_redacted_copies_keep_no_person(name):
    body = (FIX / name).read_bytes()
    out = cc.redact_bytes(body, KEYER).decode("utf-8")
    assert not any(p in out for p in PERSONS + IDS)
    if "MXXD10P" in body.decode("utf-8"):
        assert USCC in out and "徐州云栖示例商贸有限公司" in out


def test_redacted_person_row_uses_the_subject_key_token():
    out = cc.redact_bytes((FIX / "synthetic_catalogSearchPerson_credit_hmd_zrr_xzhc_jb.json").read_bytes(),
                          KEYER).decode("utf-8")
    assert person_token(KEYER, KEYER.person_key("欧阳明轩", "110105********1236")) in out


def test_redacting_a_truncated_body():
    body = (FIX / "synthetic_typeSourceSearch_penalties.json").read_bytes()
    out = cc.redact_bytes(body[: len(body) // 2], KEYER).decode("utf-8", "replace")
    assert "周子墨" not in out and "张三峰" not in out

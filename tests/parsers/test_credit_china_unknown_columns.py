"""Columns of Credit China the parser does not know are read fail-closed: a value that could be a
natural person's name, an ID number or a phone number never reaches `extra` or the archived copy
in clear; the column itself (key, label) is still reported. Organisations stay named."""

from __future__ import annotations

import json
from typing import Any

import pytest

from watchdog.parsers import credit_china as cc
from watchdog.parsers.credit_china_vocab import BY_LABEL
from watchdog.privacy import Keyer, person_token

KEYER = Keyer(b"credit-china-unknown-columns-secret")
FIRM = "徐州云栖示例商贸有限公司"
KNOWN = {"cf_xdr_mc": "行政相对人名称", "cf_wsh": "行政处罚决定书文号", "cf_sy": "处罚事由"}


def body(entity: dict[str, Any], labels: dict[str, str],
         table: str = "credit_xyzx_fr_xzcf_2027") -> bytes:
    """A typeSourceSearch answer with one wrapped record, as the reviewer's repro has it."""
    entity = {"cf_xdr_mc": FIRM, "cf_wsh": "苏徐罚〔2027〕1号", **entity}
    labels = {**KNOWN, **labels}
    record = {"table_name": table, "columnList": list(labels), "sencesMap": labels,
              "entity": entity}
    return json.dumps({"status": 1, "data": {"list": [record]}}, ensure_ascii=False).encode()


def parsed_extra(raw: bytes) -> tuple[dict[str, Any], str]:
    draft = cc.parse_bytes(raw, KEYER).drafts[0]
    return draft.payload.get("extra", {}), json.dumps(draft.payload, ensure_ascii=False)


def archived(raw: bytes) -> tuple[dict[str, Any], str]:
    text = cc.redact_bytes(raw, KEYER).decode("utf-8")
    return json.loads(text)["data"]["list"][0], text


def token(name: str) -> str:
    return person_token(KEYER, KEYER.name_key(name))


# -- the reviewer's repro -------------------------------------------------------------------------

def test_reviewer_repro_legal_rep_and_handler_are_withheld():
    raw = body({"cf_frdb": "梅大伟", "cf_lxr": "王小明"}, {"cf_frdb": "法人代表", "cf_lxr": "经办人"})
    draft = cc.parse_bytes(raw, KEYER).drafts[0]
    extra = draft.payload["extra"]
    # Still reported, key and label kept, value withheld.
    assert {"cf_frdb", "cf_lxr"} <= set(draft.unknown_fields)
    assert extra["cf_frdb"] == {"label": "法人代表", "value": "[withheld]"}
    assert extra["cf_lxr"] == {"label": "经办人", "value": "[withheld]"}
    assert draft.subject["name"] == FIRM
    record, text = archived(raw)
    assert not any(n in text for n in ("梅大伟", "王小明"))
    assert record["entity"]["cf_frdb"] == record["entity"]["cf_lxr"] == "[withheld]"
    # The site's labels are kept as sent: they say which columns were withheld.
    assert record["sencesMap"]["cf_frdb"] == "法人代表" and record["sencesMap"]["cf_lxr"] == "经办人"


@pytest.mark.parametrize("label", ["法人", "代表人", "经办人", "当事人", "联系人", "负责人",
                                   "手机", "联系电话"])
def test_person_label_words_withhold_any_value(label):
    # A romanised name the value heuristics cannot see: the label alone withholds it.
    raw = body({"cf_new": "zhang xiaoming"}, {"cf_new": label})
    draft = cc.parse_bytes(raw, KEYER).drafts[0]
    payload = json.dumps(draft.payload, ensure_ascii=False)
    if label in BY_LABEL:  # 负责人 is a known label: read as the legal representative, keyed
        assert draft.payload["legal_rep_key"] == KEYER.name_key("zhang xiaoming")
    else:
        assert draft.payload["extra"]["cf_new"] == {"label": label, "value": "[withheld]"}
    assert "zhang xiaoming" not in payload
    assert "zhang xiaoming" not in archived(raw)[1]


# -- names under labels that say nothing ----------------------------------------------------------

NAMES = ["梅大伟", "王芳", "欧阳明轩", "阿依古丽", "买买提·艾力", "王某某", "John Smith"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("label", ["备用字段", None])
def test_possible_name_in_an_unknown_column_is_keyed_not_kept(name, label):
    raw = body({"cf_bz9": name}, {"cf_bz9": label} if label else {})
    extra, payload = parsed_extra(raw)
    assert extra["cf_bz9"] == {"label": label, "value": token(name)}
    assert name not in payload
    record, text = archived(raw)
    assert name not in text and record["entity"]["cf_bz9"] == token(name)


def test_name_from_an_unknown_column_is_struck_from_the_record_text():
    raw = body({"cf_sy": "发布虚假广告，由梅大伟经手", "cf_bz9": "梅大伟"}, {"cf_bz9": "备用字段"})
    draft = cc.parse_bytes(raw, KEYER).drafts[0]
    assert draft.payload["reason"] == f"发布虚假广告，由{token('梅大伟')}经手"
    assert "梅大伟" not in archived(raw)[1]


def test_names_in_an_unknown_array_are_redacted_in_the_archive():
    raw = body({"cf_bz9": ["梅大伟", FIRM]}, {"cf_bz9": "备用字段"})
    extra, payload = parsed_extra(raw)
    assert extra["cf_bz9"]["value"] == "[array]" and "梅大伟" not in payload
    record, _ = archived(raw)
    assert record["entity"]["cf_bz9"] == [token("梅大伟"), FIRM]


# -- ID numbers and phone numbers -----------------------------------------------------------------

@pytest.mark.parametrize(("value", "marker"), [
    ("110105199001011236", "[id]"), ("110105********1236", "[id]"), ("110105 19900101 1236", "[id]"),
    (110105199001011236, "[id]"), ("13912345678", "[phone]"), (13912345678, "[phone]"),
    ("+8613912345678", "[phone]"), ("0516-83001234", "[phone]"), ("(0516)83001234", "[phone]"),
])
def test_ids_and_phones_in_unknown_columns_are_redacted(value, marker):
    raw = body({"cf_bz9": value}, {"cf_bz9": "备用字段"})
    extra, payload = parsed_extra(raw)
    assert extra["cf_bz9"] == {"label": "备用字段", "value": marker}
    digits = str(value).replace(" ", "")[-8:]
    assert digits not in payload
    record, text = archived(raw)
    assert record["entity"]["cf_bz9"] == marker and digits not in text


def test_phones_inside_unknown_text_are_redacted():
    raw = body({"cf_bz9": "办理窗口0516-83001234，手机+8613912345678"}, {"cf_bz9": "备用字段"})
    extra, _ = parsed_extra(raw)
    assert extra["cf_bz9"]["value"] == "办理窗口[phone]，手机[phone]"
    assert "83001234" not in archived(raw)[1]


# -- what stays -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [FIRM, "高级认证", "全部未履行", "2027", 3, "91320322MA1MXXD10P"])
def test_organisations_codes_and_status_words_stay(value):
    raw = body({"cf_bz9": value}, {"cf_bz9": "备用字段"})
    assert parsed_extra(raw)[0]["cf_bz9"] == {"label": "备用字段", "value": value}
    assert archived(raw)[0]["entity"]["cf_bz9"] == value


def test_known_person_columns_keep_their_labels_in_the_archive():
    # cf_fr's label 法定代表人 was once taken for a person and replaced in the archived copy.
    raw = body({"cf_fr": "周子墨"}, {"cf_fr": "法定代表人"})
    record, text = archived(raw)
    assert record["sencesMap"]["cf_fr"] == "法定代表人" and "周子墨" not in text


@pytest.mark.parametrize(("text", "expected"), [
    ("梅大伟", True), ("王芳", True), ("欧阳明轩", True), ("阿依古丽", True), ("买买提·艾力", True),
    ("李某", True), ("John Smith", True), ("SMITH, John", True), (FIRM, False), ("高级认证", False),
    ("全部未履行", False), ("罚款人民币20000元", False), ("A", False), ("2027", False), ("", False),
])
def test_may_name_person(text, expected):
    from watchdog.parsers.credit_china_values import may_name_person

    assert may_name_person(text) is expected


# -- status words, dates, amounts and codes are evidence, not names -------------------------------
# A reviewer's penalty record had a new column cf_new labelled 信用修复状态 holding 已修复: it was
# stored as a person token, and 有效, 正常, 撤销, 已履行, 未修复 were all read as possible names
# (and struck from the record's other text).

KEPT = ["已修复", "有效", "正常", "撤销", "已履行", "未修复", "修复中", "部分履行", "不予许可",
        "信用修复", "非正常户", "2024年1月1日", "2024-01-01", "一万元", "壹万元整", "三个月",
        "5000元", "A12345678", "苏徐罚〔2027〕1号"]
# Still possible names: 2-4 Han characters that are no status word of the vocabulary, among
# them words that are names too (许可: 许 is a common surname; 万元: 万 is one).
WITHHELD_NAMES = ["王芳", "许可", "万元", "李正常", "正芳", "修文"]


def test_reviewer_repro_repair_status_is_kept():
    raw = body({"cf_new": "已修复", "cf_sy": "违规经营，现已修复"}, {"cf_new": "信用修复状态"})
    draft = cc.parse_bytes(raw, KEYER).drafts[0]
    assert draft.payload["extra"]["cf_new"] == {"label": "信用修复状态", "value": "已修复"}
    assert draft.payload["reason"] == "违规经营，现已修复"
    assert draft.unknown_fields["cf_new"] == "string"  # the column itself is still reported
    assert archived(raw)[0]["entity"]["cf_new"] == "已修复"


@pytest.mark.parametrize("value", KEPT)
def test_status_words_dates_amounts_and_codes_are_kept(value):
    from watchdog.parsers.credit_china_values import may_name_person, unknown_value

    assert not may_name_person(value) and unknown_value("cf_new", "状态", value) is None
    raw = body({"cf_new": value}, {"cf_new": "状态"})
    assert parsed_extra(raw)[0]["cf_new"] == {"label": "状态", "value": value}
    assert archived(raw)[0]["entity"]["cf_new"] == value


def test_a_status_word_is_not_struck_from_the_record_text():
    raw = body({"cf_new": "正常", "cf_sy": "经营状态正常后再次违规"}, {"cf_new": "核查状态"})
    draft = cc.parse_bytes(raw, KEYER).drafts[0]
    assert draft.payload["extra"]["cf_new"] == {"label": "核查状态", "value": "正常"}
    assert draft.payload["reason"] == "经营状态正常后再次违规"
    assert "经营状态正常后再次违规" in archived(raw)[1]


@pytest.mark.parametrize("name", WITHHELD_NAMES)
def test_short_han_values_outside_the_vocabulary_are_still_names(name):
    from watchdog.parsers.credit_china_values import may_name_person, unknown_value

    assert may_name_person(name) and unknown_value("cf_new", "状态", name) == "person"
    raw = body({"cf_new": name}, {"cf_new": "状态"})
    extra, payload = parsed_extra(raw)
    assert extra["cf_new"] == {"label": "状态", "value": token(name)}
    assert f'"{name}"' not in payload
    record, _ = archived(raw)
    assert record["entity"]["cf_new"] == token(name)

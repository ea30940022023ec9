from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchdog.privacy import (
    Keyer,
    birth_year_from_id,
    id_mask_status,
    mask_resident_id,
    redact_free_text,
    redact_raw_bytes,
    redact_record_json,
    suppress_small,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "court_dishonest"
KEYER = Keyer(b"test-secret-for-privacy-tests!!!")
TOKEN = re.compile(r"\[person:p:[0-9a-f]{16}\]")
VALID_ID = "110101199003071233"  # synthetic, valid check digit
VALID_ID_15 = "110101900307123"  # the same number in the legacy 15-digit scheme


def token(name: str) -> str:
    return f"[person:{KEYER.short(KEYER.name_key(name))}]"


# --- keys -------------------------------------------------------------------------------------

def test_keys_are_stable_and_secret_dependent() -> None:
    key = KEYER.person_key("秦某某", "5135211959****1784")
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert Keyer(b"test-secret-for-privacy-tests!!!").person_key("秦某某", "5135211959****1784") == key
    assert Keyer(b"another secret").person_key("秦某某", "5135211959****1784") != key
    assert KEYER.person_key("秦某某", "5135211959****1785") != key
    assert KEYER.person_key("秦某", "5135211959****1784") != key
    assert KEYER.name_key("秦某某") == KEYER.name_key(" 秦某某 ")
    # Domain separation: a name key is never a person key of the same name.
    assert KEYER.name_key("秦某某") != KEYER.person_key("秦某某", None)
    assert KEYER.short(key) == "p:" + key[:16]


def test_masked_and_unmasked_id_give_the_same_key() -> None:
    masked = VALID_ID[:10] + "****" + VALID_ID[14:]
    key = KEYER.person_key("郑某某", masked)
    assert KEYER.person_key("郑某某", VALID_ID) == key
    assert KEYER.person_key("郑某某", VALID_ID.lower()) == key
    assert KEYER.person_key("郑某某", " " + VALID_ID[:10] + "＊＊＊＊" + VALID_ID[14:]) == key
    assert KEYER.person_key("郑某某", VALID_ID_15) == key
    # Full-width name characters fold to the same key.
    assert KEYER.person_key("ＪＯＨＮ  SMITH", masked) == KEYER.person_key("JOHN SMITH", masked)


def test_keyer_hides_secret_and_needs_one() -> None:
    assert "secret-for" not in repr(KEYER)
    with pytest.raises(ValueError):
        Keyer(b"")


# --- ID numbers -------------------------------------------------------------------------------

def test_mask_resident_id() -> None:
    assert mask_resident_id(VALID_ID) == "1101011990****1233"
    assert mask_resident_id("1101011990****1233") == "1101011990****1233"
    assert mask_resident_id(VALID_ID_15) == "1101011990****1233"
    with pytest.raises(ValueError) as info:
        mask_resident_id("12345")
    assert "12345" not in str(info.value)


@pytest.mark.parametrize(
    ("card", "party", "status"),
    [
        ("5135211959****1784", "person", "masked"),
        ("3301061976****808X", "person", "masked"),
        (VALID_ID, "person", "unmasked"),
        (VALID_ID_15, "person", "unmasked"),
        ("110101199003071234", "person", "malformed"),  # bad check digit
        ("5135211959***1784", "person", "malformed"),
        ("51352119********84", "person", "malformed"),  # masked, but not by the rule
        ("680926658", "person", "malformed"),
        ("", "person", "missing"),
        (None, "person", "missing"),
        ("暂无", "company", "missing"),
        ("680926658", "company", "unmasked"),
        ("68092665-8", "company", "unmasked"),
        ("9114082306****333G", "company", "masked"),
        ("91350100M000100Y43", "company", "unmasked"),
        ("91350100M000100Y44", "company", "malformed"),
        ("ABC", "company", "malformed"),
        ("5135211959****1784", "company", "masked"),  # a person's ID under a company
    ],
)
def test_id_mask_status(card: str | None, party: str, status: str) -> None:
    assert id_mask_status(card, party) == status


def test_id_mask_status_rejects_unknown_party() -> None:
    with pytest.raises(ValueError):
        id_mask_status("680926658", "581")


def test_birth_year_from_id() -> None:
    assert birth_year_from_id("5135211959****1784") == 1959
    assert birth_year_from_id(VALID_ID) == 1990
    assert birth_year_from_id(VALID_ID_15) == 1990
    assert birth_year_from_id("5135211859****1784") is None  # before 1900
    assert birth_year_from_id("5135213059****1784") is None  # in the future
    assert birth_year_from_id("680926658") is None
    assert birth_year_from_id(None) is None


def test_suppress_small() -> None:
    assert [suppress_small(n) for n in (0, 1, 9, 10, 11)] == [0, None, None, 10, 11]
    assert suppress_small(4, k=5) is None and suppress_small(5, k=5) == 5
    with pytest.raises(ValueError):
        suppress_small(-1)


# --- free text --------------------------------------------------------------------------------

def test_redact_sample_examples() -> None:
    assert redact_free_text("支付原告揭某某水泥款53300元", KEYER) == (
        f"支付原告{token('揭某某')}水泥款53300元")
    duty = "被告广西五鸿建设集团有限公司应于本判决生效五日内给付原告甘某某劳务费人民币48440元。"
    assert redact_free_text(duty, KEYER) == duty.replace("甘某某", token("甘某某"))
    text = ("1.被告广昌青湖钢厂在本判决生效之日起七日内支付原告揭某某水泥款53300元；"
            "2.本案诉讼费1133元，财产保全费620元，由被告承担。")
    assert redact_free_text(text, KEYER) == text.replace("揭某某", token("揭某某"))


@pytest.mark.parametrize(
    "text",
    [
        "被执行人标的款5000元",
        "（2015）杭西商初字第03327号",
        "如果未按本判决指定的期间履行给付金钱义务，应当依照《中华人民共和国民事诉讼法》第二百五十三条之规定",
        "案件受理费1011元，减半收取505.5元由被告广西五鸿建设集团有限公司负担。",
        "可以申请人民法院强制执行",
        "申请执行人上海银行上财支行",
        "被执行人的财产不足以清偿",
        "法院生效裁判:调解",
    ],
)
def test_redact_leaves_non_names(text: str) -> None:
    assert redact_free_text(text, KEYER) == text


@pytest.mark.parametrize(
    ("text", "names", "kept"),
    [
        ("原告张三、李四与被告王五借款纠纷", ["张三", "李四", "王五"], "借款纠纷"),
        ("被告欧阳某某偿还原告中国农业银行股份有限公司丰都支行借款本金10万元及利息", ["欧阳某某"],
         "原告中国农业银行股份有限公司丰都支行借款本金10万元及利息"),
        ("申请执行人：刘德华", ["刘德华"], "申请执行人："),
        ("付给张建国工资3000元", ["张建国"], "工资3000元"),
        ("上诉人王某不服一审判决", ["王某"], "不服"),
        ("被告人孙某某犯盗窃罪", ["孙某某"], "被告人"),
        ("第三人李某某承担连带责任", ["李某某"], "承担连带责任"),
    ],
)
def test_redact_names(text: str, names: list[str], kept: str) -> None:
    out = redact_free_text(text, KEYER)
    for name in names:
        assert name not in out
        assert token(name) in out
    assert kept in out


def test_redact_ids_and_phones() -> None:
    text = f"被执行人身份证号{VALID_ID}，另号5135211959****1784，手机13812345678，电话138-1234-5678，共计5000元"
    out = redact_free_text(text, KEYER)
    assert VALID_ID not in out and "5135211959" not in out and "1381234" not in out
    assert out.count("[id]") == 2 and out.count("[phone]") == 2
    assert "共计5000元" in out


@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.sampled_from("0123456789X"),
       st.text(alphabet="原告被执行人，。货款元 ", max_size=8))
def test_redact_never_leaves_an_id(digits: str, check: str, around: str) -> None:
    card = digits + check
    out = redact_free_text(around + card + around, KEYER)
    assert card not in out
    masked = card[:10] + "****" + card[14:]
    assert masked not in redact_free_text(around + masked + around, KEYER)


# --- JSON records -----------------------------------------------------------------------------

def _load(name: str) -> object:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_redact_record_json_person() -> None:
    out = redact_record_json(_load("disDetail_person_2014.json"), KEYER)
    assert isinstance(out, dict)
    expected = f"[person:{KEYER.short(KEYER.person_key('秦某某', '5135211959****1784'))}]"
    assert out["iname"] == out["cardNum"] == expected
    assert out["caseCode"] == "(2014)丰法民执字第00326号" and out["age"] == 57
    assert "秦某某" not in json.dumps(out, ensure_ascii=False)


def test_redact_record_json_company_keeps_company() -> None:
    original = _load("disDetail_unit_2017_crlf_in_duty.json")
    out = redact_record_json(original, KEYER)
    assert isinstance(out, dict) and isinstance(original, dict)
    assert out["iname"] == "广西五鸿建设集团有限公司" and out["cardNum"] == "619848910"
    assert out["businessEntity"] == token("蔡某某")
    assert "甘某某" not in out["duty"] and token("甘某某") in out["duty"]
    assert original["businessEntity"] == "蔡某某"  # input untouched


def test_redact_record_json_nested_and_lists() -> None:
    baidu = redact_record_json(_load("synthetic_baidu_6899.json"), KEYER)
    dumped = json.dumps(baidu, ensure_ascii=False)
    for secret in ("赵某某", "钱某某", "孙某某", "周某某", "1301021988"):
        assert secret not in dumped
    assert "柳林县某某煤业有限公司" in dumped and "9114082306****333G" in dumped
    variants = redact_record_json(_load("disDetail_variants_2017_2019.json"), KEYER)
    dumped = json.dumps(variants, ensure_ascii=False)
    assert "程某" not in dumped and "李某" not in dumped and "4222011989" not in dumped
    legacy = redact_record_json(_load("zhixing_beizhixingren_legacy_shanghai.json"), KEYER)
    assert legacy == _load("zhixing_beizhixingren_legacy_shanghai.json")  # organisations only


def test_redact_record_json_infers_person() -> None:
    records = [
        {"iname": "陈某某", "sexy": "女", "partyTypeName": "581"},
        {"iname": "陈某某", "age": "33"},
        {"name": "陈某某", "cardNum": "3101011980****1234"},
        {"pname": "陈某某", "partyCardNum": "3101011980****1234", "execMoney": 100},
        {"iname": "陈某某"},
        {"被执行人": "陈某某", "被执行人地址": "上海市某区某路1号"},
    ]
    dumped = json.dumps(redact_record_json(records, KEYER), ensure_ascii=False)
    assert "陈某某" not in dumped and "3101011980" not in dumped and "某路1号" not in dumped


# --- raw bytes --------------------------------------------------------------------------------

SECRETS = ("程某", "李某", "4222011989", "3301061976", "422201", "330106")


def test_redact_raw_bytes_truncated_at_every_offset() -> None:
    body = (FIXTURES / "disDetail_variants_2017_2019.json").read_bytes()
    for cut in range(len(body) + 1):
        out = redact_raw_bytes(body[:cut], KEYER).decode("utf-8", "replace")
        for secret in SECRETS:
            assert secret not in out, (cut, secret)


def test_redact_raw_bytes_truncated_escaped_json() -> None:
    body = json.dumps(_load("disDetail_variants_2017_2019.json"), ensure_ascii=True).encode()
    for cut in range(0, len(body), 7):
        out = redact_raw_bytes(body[:cut], KEYER).decode()
        decoded = re.sub(r"\\u([0-9a-f]{4})", lambda m: chr(int(m[1], 16)), out)
        for secret in SECRETS:
            assert secret not in decoded, (cut, secret)


def test_redact_raw_bytes_keeps_company_and_structure() -> None:
    body = (FIXTURES / "disDetail_unit_2014.json").read_bytes()
    out = redact_raw_bytes(body[:-40], KEYER).decode()
    assert '"iname": "广昌青湖钢厂"' in out and '"cardNum": "680926658"' in out
    assert "万某某" not in out and "揭某某" not in out
    assert TOKEN.search(out)


def test_redact_raw_bytes_html_and_gbk() -> None:
    html = "<table><tr><td>程某</td><td>4222011989****1784</td><td>广昌青湖钢厂</td></tr></table>"
    out = redact_raw_bytes(html.encode("utf-8"), KEYER).decode()
    assert "程某" not in out and "4222011989" not in out and "广昌青湖钢厂" in out
    gbk = '{"iname":"程某","cardNum":"4222011989****1784","duty":"支付原告揭某某'.encode("gbk")
    out = redact_raw_bytes(gbk, KEYER).decode("gbk")
    assert "程某" not in out and "4222011989" not in out and "揭某某" not in out


def test_redact_raw_bytes_parseable_body() -> None:
    body = (FIXTURES / "disDetail_person_2014.json").read_bytes()
    out = json.loads(redact_raw_bytes(body, KEYER))
    assert out == redact_record_json(json.loads(body), KEYER)


def test_the_lists_own_name_is_not_taken_for_a_party():
    keyer = Keyer(b"k" * 32)
    # The Baidu records' `type`: once archived as 失信被执行人[person:p:…].
    assert redact_free_text("失信被执行人名单", keyer) == "失信被执行人名单"
    assert redact_free_text("失信被执行人名单。", keyer) == "失信被执行人名单。"
    # A name that merely starts with those characters is still a name.
    assert "[person:p:" in redact_free_text("被执行人名单华", keyer)


def test_a_token_put_in_for_a_known_name_is_never_read_as_an_id_or_a_phone_number():
    # Found comparing outputs: a token whose hex happened to be 15+ decimal digits came out as
    # "[person:p:[id]]" (or "[person:p:237fa[phone]]"), losing the link between mentions.
    from watchdog.privacy import redact_with_literals

    keyer = Keyer(b"k" * 32)
    token = "[person:p:1380013800013800]"
    text = "被告张三应于本判决生效之日起十日内支付原告李四货款5000元，由被告张三负担。"
    out = redact_with_literals(text, keyer, [("张三", token)])
    assert out.count(token) == 2 and "张三" not in out and "李四" not in out
    assert "[id]" not in out and "[phone]" not in out
    # Longest literal first; of two equal literals the first given wins.
    assert redact_with_literals("王小明和王小", keyer, [("王小", "[a]"), ("王小明", "[b]"),
                                                  ("王小", "[c]")]) == "[b]和[a]"

"""Two reviewer findings on the tax_a_list parser.

2. Natural persons were stored as companies with their names in clear: 张梓轩 under a number the
   parser itself read as a resident ID, 王浩轩 (轩 was taken for a shop ending), and the
   sole-trader forms 华阳电子商行（经营者：张三）, 张三以华阳电子商行名义, 个体工商户张三, which were
   not split. A resident-ID number now makes the row a person whatever its name, a common
   surname with a given name ending in 轩/园/苑/城/庄 reads as a person, and sole-trader forms are
   split as in the foreign lists: the trading name is kept only when it clearly names a business,
   the owner is a keyed placeholder.
5. Rows of one file sharing a record key were merged silently in the store (Jiangxi 2018: read
   4939, added 4920, nothing else said). The taxpayer number is now part of the record key, and a
   row repeating a record of its file is rejected with the record it repeats.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import select

from tests.conftest import run_cli
from tests.parsers.test_tax_a_list import FIX, JIANGXI_REPEATS, JIANGXI_ROWS, KEYER, _jiangxi
from watchdog.parsers import tax_a_list as parser
from watchdog.parsers import tax_a_list_fields as fields
from watchdog.privacy import person_token
from watchdog.store.db import get_engine
from watchdog.store.tables import Observation, Subject

SOLE_TRADERS = FIX / "sole_traders_utf8.csv"
RESIDENT_NUMBER = "33010619900101123X"  # synthetic
PERSON_NAMES = ("张梓轩", "王浩轩", "张三", "李四")
HEADER = "纳税人识别号,纳税人名称,评价年度,税务机关\n"
OFFICE = "国家税务总局杭州市西湖区税务局"


def _parse(rows: str) -> parser.ParsedFile:
    return parser.parse_bytes((HEADER + rows).encode("utf-8"), KEYER)


def _blob(out: parser.ParsedFile) -> str:
    return json.dumps([(d.record_key, d.subject, d.payload) for d in out.drafts],
                      ensure_ascii=False)


def _token(key: str) -> str:
    return person_token(KEYER, key)


# -- 2. persons are never stored as companies ------------------------------------------------

@pytest.fixture(scope="module")
def sole_traders() -> parser.ParsedFile:
    return parser.parse_bytes(SOLE_TRADERS.read_bytes(), KEYER, name=SOLE_TRADERS.name)


def test_resident_id_number_makes_the_row_a_person_whatever_its_name(sole_traders):
    first = sole_traders.drafts[0]
    assert first.subject["kind"] == "person" and first.subject["name"] is None
    assert first.subject["key"] == KEYER.person_key("张梓轩", RESIDENT_NUMBER)
    assert first.payload["party_type"] == "person" and "name" not in first.payload
    assert first.payload["id_kind"] == "withheld_personal_id"
    # Even a name that reads as a business: the number ties the listing to one person.
    (shop,) = _parse(f"{RESIDENT_NUMBER}01,华阳电子商行,2018,{OFFICE}\n").drafts
    assert shop.subject["kind"] == "person" and shop.subject["name"] is None
    assert "华阳电子商行" not in json.dumps(shop.payload, ensure_ascii=False)


@pytest.mark.parametrize("name", ["张梓轩", "王浩轩", "李思园", "陈雅苑", "刘子城", "赵庄",
                                  "欧阳梓轩"])
def test_given_name_endings_after_a_surname_read_as_a_person(name):
    assert fields.is_person_name(name)
    (draft,) = _parse(f",{name},2018,{OFFICE}\n").drafts
    assert draft.subject["kind"] == "person" and draft.subject["key"] == KEYER.name_key(name)
    assert name not in _blob(parser.ParsedFile("csv", [draft]))


@pytest.mark.parametrize("name", ["聚贤阁", "书城", "王氏茶庄", "华阳电子城", "上栗县马岭采石场"])
def test_shop_names_still_read_as_shops(name):
    assert not fields.is_person_name(name)


def test_operator_form_keeps_the_business_and_keys_the_owner(sole_traders):
    shop = sole_traders.drafts[2]
    assert shop.subject["kind"] == "company" and shop.subject["name"] == "华阳电子商行"
    assert shop.subject["key"] == "name:华阳电子商行"
    assert shop.payload["name"] == "华阳电子商行" and shop.payload["sole_trader"] is True
    assert shop.payload["operator"] == _token(KEYER.name_key("张三"))
    # "张三以华阳电子商行名义" is the same business and the same operator.
    same = sole_traders.drafts[3]
    assert same.subject == shop.subject and same.payload["operator"] == shop.payload["operator"]


def test_sole_trader_prefix_is_a_keyed_person(sole_traders):
    person = sole_traders.drafts[4]
    assert person.subject["kind"] == "person" and person.subject["name"] is None
    assert person.subject["key"] == KEYER.name_key("李四")
    assert "name" not in person.payload


@pytest.mark.parametrize("name", [
    "张三五金店（经营者：张三）",          # the trading name carries the owner's name
    "张三（经营者：李四）",               # the trading name is no business name
    "张三以张三名义",
])
def test_trading_name_that_is_not_clearly_a_business_is_not_kept(name):
    (draft,) = _parse(f",{name},2018,{OFFICE}\n").drafts
    assert draft.subject["kind"] == "person" and draft.subject["name"] is None
    assert "张三" not in _blob(parser.ParsedFile("csv", [draft]))


def test_sole_trader_under_a_resident_id_number_is_keyed_on_owner_and_id():
    (draft,) = _parse(f"{RESIDENT_NUMBER},华阳电子商行（经营者：张三）,2018,{OFFICE}\n").drafts
    assert draft.subject["kind"] == "person"
    assert draft.subject["key"] == KEYER.person_key("张三", RESIDENT_NUMBER)
    assert "华阳" not in _blob(parser.ParsedFile("csv", [draft]))


def test_a_firm_trading_under_another_name_stays_a_company():
    (draft,) = _parse(f",华阳电子商行（经营者：杭州示例华阳科技有限公司）,2018,{OFFICE}\n").drafts
    assert draft.subject["kind"] == "company" and "sole_trader" not in draft.payload


def test_no_person_name_or_id_in_store_or_archive_and_they_agree(sole_traders):
    blob = _blob(sole_traders)
    for secret in (*PERSON_NAMES, RESIDENT_NUMBER, RESIDENT_NUMBER[:17]):
        assert secret not in blob
    assert "杭州示例华阳科技有限公司" in blob  # companies are kept as published
    archived = parser.redact_bytes(SOLE_TRADERS.read_bytes(), KEYER).decode("utf-8")
    for secret in (*PERSON_NAMES, RESIDENT_NUMBER):
        assert secret not in archived
    # The archive names each person by the token of the key the store holds.
    persons = [d.subject["key"] for d in sole_traders.drafts if d.subject["kind"] == "person"]
    operators = {d.payload["operator"] for d in sole_traders.drafts if "operator" in d.payload}
    for token in [*map(_token, persons), *operators]:
        assert token in archived
    assert "华阳电子商行(经营者:" + _token(KEYER.name_key("张三")) + ")" in archived


# -- 5. repeated rows are reported, different numbers are different records ------------------

@pytest.fixture(scope="module")
def jiangxi() -> parser.ParsedFile:
    return parser.parse_bytes(_jiangxi(), KEYER, name="jiangxi_2018_A_level_GBK.csv")


@pytest.mark.parametrize(("name", "numbers"), [
    ("江西莱菱电梯工程有限公司", {"360103769783796", "360111769783796"}),
    ("江西华章汉辰担保集团股份有限公司", {"360108767036578", "360109767036578"}),
])
def test_two_taxpayer_numbers_under_one_name_are_two_records(jiangxi, name, numbers):
    rows = [d for d in jiangxi.drafts if d.payload.get("name") == name]
    assert {d.payload["taxpayer_id"] for d in rows} == numbers
    assert len({d.record_key for d in rows}) == len(rows)  # 华章 is also under a third office
    office = Counter(d.payload["tax_authority"] for d in rows).most_common(1)[0][0]
    assert {d.payload["taxpayer_id"] for d in rows if d.payload["tax_authority"] == office} \
        == numbers  # one office, one name, two numbers: once one record, now two


def test_jiangxi_rows_add_up_to_records_and_reported_repeats(jiangxi):
    keys = Counter(d.record_key for d in jiangxi.drafts)
    assert max(keys.values()) == 1  # nothing left for the store to merge silently
    assert len(jiangxi.drafts) + len(jiangxi.rejections) == JIANGXI_ROWS
    reasons = {r.index: r.reason for r in jiangxi.rejections}
    assert len(reasons) == JIANGXI_REPEATS
    # 江西大洋医疗设备有限公司, listed twice with the same number and tax office.
    assert reasons[2344] == ("same record as record 544 (line 2346, first on line 546): "
                             "a repeated row, stored once")


def test_repeated_row_with_other_values_names_the_fields_not_the_values():
    body = ("纳税人识别号,纳税人名称,评价年度,纳税信用级别,税务机关\n"
            f"91360200787252585L,景德镇市景程汽车部件有限责任公司,2018,A,{OFFICE}\n"
            f"91360200787252585L,景德镇市景程汽车部件有限责任公司,2018,B,{OFFICE}\n")
    out = parser.parse_bytes(body.encode(), KEYER)
    assert len(out.drafts) == 1 and out.drafts[0].payload["grade"] == "A"
    assert [(r.index, r.reason) for r in out.rejections] == [
        (1, "same record as record 0 (line 3, first on line 2) but for grade: "
            "only record 0 is stored")]


def test_repeated_person_row_is_reported_without_the_name():
    out = _parse(f",王浩轩,2018,{OFFICE}\n,王浩轩,2018,{OFFICE}\n")
    assert len(out.drafts) == 1 and len(out.rejections) == 1
    assert "王浩轩" not in out.rejections[0].reason


def test_same_name_under_two_numbers_in_an_html_table_is_two_records():
    row = "<tr><td>{}</td><td>江西莱菱电梯工程有限公司</td><td>2018</td><td>南昌</td></tr>"
    page = ("<html><body><table><tr><td>纳税人识别号</td><td>纳税人名称</td><td>评价年度</td>"
            "<td>税务机关</td></tr>" + row.format("360103769783796")
            + row.format("360111769783796") + row.format("360111769783796")
            + "</table></body></html>").encode()
    out = parser.parse_bytes(page, KEYER)
    assert len(out.drafts) == 2
    assert [r.reason for r in out.rejections] == [
        "same record as record 1: a repeated row, stored once"]  # no lines in a page


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_import_summary_adds_up_and_stores_no_person_by_name(cli_env, database_url, tmp_path):
    assert run_cli(cli_env, "init").returncode == 0
    sample = tmp_path / "jiangxi_2018_A_level_GBK.csv"
    sample.write_bytes(_jiangxi())
    done = run_cli(cli_env, "import", "tax_a_list", str(sample), "--no-progress")
    assert done.returncode == 0, done.stderr
    assert ("tax_a_list: read 4922, added 4922, changed 0, unchanged 0, rejected 17"
            in done.stdout)
    assert "rejected: record 4231: same record as record 3882" in done.stdout
    done = run_cli(cli_env, "import", "tax_a_list", str(SOLE_TRADERS), "--no-progress")
    assert done.returncode == 0, done.stderr
    with get_engine(database_url).connect() as conn:
        subjects = conn.execute(select(Subject.kind, Subject.name)).all()
        payloads = list(conn.execute(select(Observation.payload)).scalars())
    stored = json.dumps([list(s) for s in subjects] + payloads, ensure_ascii=False)
    for secret in (*PERSON_NAMES, RESIDENT_NUMBER):
        assert secret not in stored
    assert all(name is None for kind, name in subjects if kind == "person")
    assert ("company", "华阳电子商行") in {tuple(s) for s in subjects}

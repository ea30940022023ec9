"""The points_rules parser: the English table of the mirror (the China Law Translate layout), a
Chinese original with separate deductions and additions tables, mapping to the `rongcheng`
regime's rule ids, values in every written shape, and the failures it must report."""

from __future__ import annotations

import pytest

from tests.conftest import REPO
from watchdog.mirror.sources import points_rules as mirror
from watchdog.model import load_regime
from watchdog.parsers import points_rules as parser
from watchdog.parsers import points_rules_map as rules_map
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.parsers.registry import parser_for
from watchdog.privacy import Keyer

FIX = REPO / "tests" / "fixtures" / "points_rules"
KEYER = Keyer(b"test-secret-for-points-rules-000")


def _rules(out):
    return {d.payload["rule_id"]: d.payload for d in out.drafts if d.payload["kind"] == "rule"}


def test_registry_finds_the_parser():
    assert parser_for("points_rules") is parser


def test_day1_mirror_table_is_the_regime():
    regime = load_regime("rongcheng")
    out = parser.parse_bytes(mirror.page_body(1, False), KEYER)
    rules = _rules(out)
    assert set(rules) == {r.id for r in regime.rules}
    for rule in regime.rules:
        p = rules[rule.id]
        assert p["direct_grade"] == rule.direct_grade, rule.id
        if rule.points_range:
            assert p["points_range"] == list(rule.points_range), rule.id
        elif rule.direct_grade is None:
            assert p["points"] == rule.points, rule.id
    assert rules["bank_arrears_month"]["unit"] == "each month"
    # The two merged rows of bank arrears and card overdrafts are one rule.
    assert "credit card" in rules["bank_arrears_month"]["wording"]
    table = next(d for d in out.drafts if d.payload["kind"] == "table")
    assert table.record_key == "rongcheng:en:table"
    assert table.payload["rule_ids"] == sorted(r.id for r in regime.rules)
    assert table.payload["published"] == "2018-03-20" and table.payload["unmapped"] == 0
    assert {d.subject["key"] for d in out.drafts} == {"scheme:rongcheng"}
    assert not out.rejections and not out.drafts[0].unknown_fields


def test_day2_drift_and_added_rule_keep_their_keys():
    day1 = {d.record_key: d.payload for d in parser.parse_bytes(mirror.page_body(1, False), KEYER).drafts}
    day2 = {d.record_key: d.payload for d in parser.parse_bytes(mirror.page_body(2, False), KEYER).drafts}
    assert set(day2) - set(day1) == {k for k in day2 if ":x:" in k}
    assert len(set(day2) - set(day1)) == 1
    added = day2[next(iter(set(day2) - set(day1)))]
    assert added["rule_id"] is None and added["points"] == 5
    assert day1["rongcheng:en:bank_arrears_month"]["points"] == -10
    assert day2["rongcheng:en:bank_arrears_month"]["points"] == -15
    same = [k for k in day1 if k not in ("rongcheng:en:bank_arrears_month", "rongcheng:en:table")]
    assert all(day1[k] == day2[k] for k in same)


def test_chinese_table_with_sections_and_merged_cells():
    out = parser.parse_bytes((FIX / "rongcheng_zh.html").read_bytes(), KEYER, name="rc.html")
    assert out.fmt == "html points table (zh)"
    rules = _rules(out)
    assert rules["contract_breach_finance"]["points"] == -20  # bare 20 in the deductions table
    assert rules["contract_breach_finance"]["category"] == "商务领域"  # carried down a rowspan
    assert rules["bank_arrears_month"]["points"] == -10 and rules["bank_arrears_month"]["unit"] == "each month"
    assert rules["other_commercial"]["points_range"] == [-50, -5]
    assert rules["utility_theft"]["category"] == "社会管理领域"
    assert rules["drunk_driving"]["direct_grade"] == "C" and rules["drunk_driving"]["points"] is None
    assert rules["heroic_act"]["points"] == 30  # bare 30 in the additions table
    unmapped = [d.payload for d in out.drafts if d.payload["kind"] == "rule" and not d.payload["rule_id"]]
    assert {p["wording"] for p in unmapped} == {"拒不配合调查、提供虚假材料的", "无偿献血的"}
    assert next(p for p in unmapped if p["wording"] == "无偿献血的")["points"] == 5
    assert out.drafts[0].unknown_fields == {"依据": "string"}
    table = next(d for d in out.drafts if d.payload["kind"] == "table")
    assert table.record_key == "rongcheng:zh:table" and table.payload["published"] == "2018-03-20"


@pytest.mark.parametrize(("cell", "hint", "expected"), [
    ("-20", None, {"points": -20}),
    ("−20", None, {"points": -20}),
    ("－２０", None, {"points": -20}),
    ("扣20分", None, {"points": -20}),
    ("20", -1, {"points": -20}),
    ("加30分", -1, {"points": 30}),
    ("+30", None, {"points": 30}),
    ("30", 1, {"points": 30}),
    ("-5 to -50", None, {"points_range": [-50, -5]}),
    ("-5 to 50", None, {"points_range": [-50, -5]}),
    ("5—50", -1, {"points_range": [-50, -5]}),
    ("直接降为C级", None, {"direct_grade": "C", "points": None}),
    ("Directly lowered to grade C", None, {"direct_grade": "C"}),
    ("视情节", -1, {"points": None, "points_range": None, "direct_grade": None}),
])
def test_points_cells(cell, hint, expected):
    got = rules_map.read_points(cell, hint)
    for key, value in expected.items():
        assert got[key] == value, (cell, got)


@pytest.mark.parametrize(("text", "rule_id"), [
    ("银行借贷 有银行贷款欠款记录", "bank_arrears_month"),
    ("经法院、仲裁机构判定拖欠公共事业费用的", "adjudged_arrears_public_fees"),
    ("拖欠公共事业服务费用的", "late_public_service_fees"),
    ("私接供热管道、私放供热用水的", "heating_tampering"),
    ("破坏供水、供电等公共设施造成不良影响的", "damaging_public_utility_equipment"),
    ("因到期债务未清偿被对方起诉并被判定承担责任的", "sued_for_unpaid_debt"),
    ("被合同相对方起诉并被判定违约的", "sued_found_in_breach"),
    ("有参与传销或商业欺诈记录的", "mlm_or_commercial_fraud"),
    ("有制售假冒伪劣产品记录的", "counterfeit_goods"),
    ("社会担保 有违约记录的", "guarantee_breach"),
    ("交通违法被处罚的", "traffic_ticket"),
    ("无偿献血的", None),
])
def test_chinese_wording_maps_to_rule_ids(text, rule_id):
    assert rules_map.rule_id(text) == rule_id


def test_layout_change_reports_the_new_column():
    out = parser.parse_bytes(mirror.page_body(1, True), KEYER)
    assert out.drafts[0].unknown_fields == {mirror.NEW_COLUMN: "string"}
    assert len(_rules(out)) == 18


def test_block_pages_and_unknown_formats():
    status, body, _ = mirror.captcha_page()
    assert status == 403
    with pytest.raises(BlockedError):
        parser.parse_bytes(body, KEYER)
    from watchdog.mirror.formats import block412_html

    with pytest.raises(BlockedError):
        parser.parse_bytes(block412_html("x"), KEYER)
    with pytest.raises(FormatError):
        parser.parse_bytes(b"rule,points\nx,-5\n", KEYER)
    with pytest.raises(FormatError):
        parser.parse_bytes(b"<html><body><p>" + b"no table " * 500 + b"</p></body></html>", KEYER)
    page = mirror.page_body(1, False)
    with pytest.raises(FormatError, match="truncated"):
        parser.parse_bytes(page[: len(page) // 2], KEYER)


CHINESE_HEADERS = ("考核类别", "考核子项", "考核标准", "加减分", "备注")


def chinese_headed(day: int) -> bytes:
    """The mirror's English page with only its header row translated (as a Chinese mirror of
    the translation shows it)."""
    body = mirror.page_body(day, False)
    for english, chinese in zip(mirror.table()["headers"], CHINESE_HEADERS, strict=True):
        cell = f"<strong>{english}</strong>".encode()
        assert cell in body
        body = body.replace(cell, f"<strong>{chinese}</strong>".encode())
    return body


def test_header_language_does_not_make_another_table():
    english = parser.parse_bytes(mirror.page_body(1, False), KEYER)
    chinese = parser.parse_bytes(chinese_headed(1), KEYER)
    # Same rules, same records: the table is the English translation whatever its headers say.
    assert [d.record_key for d in chinese.drafts] == [d.record_key for d in english.drafts]
    assert [d.payload for d in chinese.drafts] == [d.payload for d in english.drafts]
    assert chinese.fmt == "html points table (en)" and not chinese.drafts[0].unknown_fields


@pytest.mark.parametrize(("header", "field"), [
    ("考核类别", "category"), ("考核子项", "item"), ("考核标准", "wording"), ("加减分", "points"),
    ("备注", "notes"), ("加/减分", "points"), ("分值（分）", "points"), ("考核内容", "wording"),
    ("ASSESSMENT CATEGORY", "category"), ("Sub-Item", "item"), ("Points (+/-)", "points"),
    ("Points Added or Deducted", "points"), ("依据", None),
])
def test_header_names_and_synonyms(header, field):
    assert rules_map.header_field(header) == field


def test_reordered_headers_in_either_language():
    rows = ("<tr><td>-10</td><td>Record of payment arrears</td><td>Bank Lending</td>"
            "<td>Commercial Sector</td></tr>")
    for heads in (("Points Added or Subtracted", "ASSESSMENT STANDARD", "SUB-ITEM", "ASSESSMENT CATEGORY"),
                  ("加减分", "考核标准", "考核子项", "考核类别")):
        head = "".join(f"<th>{h}</th>" for h in heads)
        body = (f"<html><head><title>Rongcheng</title></head><body><table><tr>{head}</tr>{rows}"
                "</table></body></html>").encode()
        out = parser.parse_bytes(body, KEYER)
        assert [d.record_key for d in out.drafts] == ["rongcheng:en:bank_arrears_month",
                                                      "rongcheng:en:table"]
        assert out.drafts[0].payload["points"] == -10

"""The World Bank parser after a review: Chinese names with brackets inside, empty answers, and
sole traders ("ZHANG SAN d/b/a ...") whose personal name must not be stored or archived."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from tests.parsers.test_worldbank_debarred import export as workbook
from watchdog.parsers import worldbank_debarred as wb
from watchdog.parsers.base import ParsedFile
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.parsers.worldbank_debarred_rows import read_info
from watchdog.privacy import Keyer

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "shared_samples" / "worldbank_debarred"
EXPORT = SAMPLES / "world_bank_listing_of_ineligible_firms_and_individuals.xlsx"
KEYER = Keyer(b"test-secret-wbank-review" * 2)
HEADER = ["Firm Name", "Additional Firm Info", "Address", "Country", "From Date", "To Date",
          "Grounds"]

needs_export = pytest.mark.skipif(not EXPORT.is_file(), reason="shared samples not present")


def dump(parsed: ParsedFile) -> str:
    return json.dumps([[d.record_key, d.subject, d.payload, d.facets] for d in parsed.drafts],
                      ensure_ascii=False)


def api(*rows: dict[str, str]) -> bytes:
    base = {"COUNTRY_NAME": "China", "DEBAR_FROM_DATE": "2024-01-01",
            "DEBAR_TO_DATE": "2026-01-01", "DEBAR_REASON": "Fraudulent Practice",
            "SUPP_ADDR": "Room 5, 11 Garden Lane, Harbin"}
    return json.dumps({"response": {"ZPROCSUPP": [base | r for r in rows]}}).encode()


def export(rows: list[list[object]]) -> bytes:
    return workbook(rows, HEADER)


def xlsx_text(body: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        return "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".xml"))


# -- 1. brackets inside a Chinese name --------------------------------------------------------
@pytest.mark.parametrize(("info", "chinese", "uscc"), [
    ("(河南省地矿建设工程(集团)有限公司)*632", "河南省地矿建设工程(集团)有限公司", None),
    ("(方正国际软件（北京）有限公司)(Tax ID: 91110108801144696L) *536",
     "方正国际软件(北京)有限公司", "91110108801144696L"),
    # Unbracketed, as in the shared export: the bracket is inside the name, not a group.
    ("河北建设集团（宁波）供应链管理有限公司", "河北建设集团(宁波)供应链管理有限公司", None),
])
def test_a_chinese_name_keeps_its_inner_brackets(info: str, chinese: str,
                                                 uscc: str | None) -> None:
    out = read_info(info)
    assert out["chinese_name"] == chinese and out["uscc"] == uscc
    assert out["notes"] == []


def test_a_short_name_after_the_registered_one_is_an_alias() -> None:
    out = read_info("(新疆交通建设集团股份有限公司, 新疆交建)*647")  # as in the shared export
    assert out["chinese_name"] == "新疆交通建设集团股份有限公司"
    assert out["aliases"] == ["新疆交建"] and out["footnotes"] == ["647"]


def test_an_alias_keeps_its_inner_brackets() -> None:
    out = read_info("(a.k.a. FOUNDER (HK) LIMITED) (Reg. No. 52-118734)")
    assert out["aliases"] == ["FOUNDER (HK) LIMITED"]
    assert out["ids"] == [{"type": "Reg. No.", "value": "52-118734", "country": None}]


def test_a_registration_number_keeps_its_inner_brackets() -> None:
    out = read_info("(Reg No. 16-00009045/4516/(F/1))")  # as in the shared export
    assert out["ids"] == [{"type": "Reg No.", "value": "16-00009045/4516/(F/1)",
                           "country": None}]
    assert out["notes"] == []


@needs_export
def test_sample_firms_with_brackets_get_their_full_chinese_names() -> None:
    parsed = wb.parse_bytes(EXPORT.read_bytes(), KEYER)
    by_key = {d.record_key: d for d in parsed.drafts}
    assert "wb:集团|2023-05-02" not in by_key
    henan = by_key["wb:河南省地矿建设工程(集团)有限公司|2023-05-02"]
    assert henan.subject["key"] == "name:河南省地矿建设工程(集团)有限公司"
    assert henan.payload["chinese_name"] == "河南省地矿建设工程(集团)有限公司"
    assert "集团" not in henan.payload["names"]
    founder = by_key["wb:uscc:91110108801144696L|2020-07-23"]
    assert founder.payload["chinese_name"] == "方正国际软件(北京)有限公司"
    assert "北京" not in founder.payload["names"]
    assert not any(d.payload.get("chinese_name") in ("集团", "北京") for d in parsed.drafts)
    # Three firms of the group were one record, keyed by '集团' alone.
    group = [k for k in by_key if k.startswith("wb:河南省地矿建设工程(集团)")]
    assert len(group) == 3


# -- 3. empty answers -------------------------------------------------------------------------
@pytest.mark.parametrize("body", [
    b'{"response":{"ZPROCSUPP":[]}}', b'{"response":[]}', b"[]"])
def test_an_empty_api_answer_is_a_block(body: bytes) -> None:
    with pytest.raises(BlockedError, match="empty"):
        wb.parse_bytes(body, KEYER)


def test_an_export_with_headers_only_is_refused() -> None:
    with pytest.raises(FormatError, match="no row"):
        wb.parse_bytes(export([]), KEYER)


# -- 4. sole traders --------------------------------------------------------------------------
def test_a_sole_trader_named_after_the_owner_is_a_keyed_person() -> None:
    body = api({"SUPP_NAME": "ZHANG SAN d/b/a ZHANG SAN TRADING", "SUPP_TYPE_CODE": "F",
                "SUPP_ID": "7001"})
    parsed = wb.parse_bytes(body, KEYER)
    (draft,) = parsed.drafts
    assert draft.subject["kind"] == "person" and draft.subject["name"] is None
    assert draft.payload["names"] == [] and "addresses" not in draft.payload
    assert "ZHANG" not in dump(parsed) and "Garden Lane" not in dump(parsed)
    archived = wb.redact_bytes(body, KEYER).decode("utf-8")
    assert "ZHANG" not in archived and "Garden Lane" not in archived
    assert keeps_the_listing(archived)


def keeps_the_listing(archived: str) -> bool:
    """The archived copy still holds what is not personal."""
    return "Fraudulent Practice" in archived and "2024-01-01" in archived


def test_a_sole_trader_keeps_only_the_trading_name() -> None:
    body = api({"SUPP_NAME": "ZHANG SAN d/b/a HUAYANG ELECTRONICS CO.*612",
                "SUPP_TYPE_CODE": "F", "ADD_SUPP_INFO": "(ID No. 230103198001011234)"})
    parsed = wb.parse_bytes(body, KEYER)
    (draft,) = parsed.drafts
    assert draft.subject["kind"] == "company"
    assert draft.subject["name"] == "HUAYANG ELECTRONICS CO."
    assert draft.subject["key"] == "name:HUAYANG ELECTRONICS CO|CN"
    assert draft.record_key == "wb:HUAYANG ELECTRONICS CO|CN|2024-01-01"
    assert draft.payload["names"] == ["HUAYANG ELECTRONICS CO."]
    assert draft.payload["sole_trader"] is True
    assert draft.payload["operator"] == wb.fc.token(KEYER, "ZHANG SAN")
    assert draft.payload["footnotes"] == ["612"] and draft.payload["country"] == "CN"
    text = dump(parsed)
    assert "ZHANG" not in text and "Garden Lane" not in text and "230103" not in text
    archived = wb.redact_bytes(body, KEYER).decode("utf-8")
    assert "ZHANG" not in archived and "230103" not in archived
    assert "HUAYANG ELECTRONICS CO." in archived
    # The archived copy reads back as the same listing.
    again = wb.parse_bytes(archived.encode(), KEYER).drafts[0]
    assert again.record_key == draft.record_key and again.subject == draft.subject


def test_a_sole_trader_in_the_excel_export() -> None:
    body = export([
        ["ZHANG SAN d/b/a ZHANG SAN TRADING", None, "11 Garden Lane, Harbin", "China",
         "2024-01-01", "2026-01-01", "Fraud"],
        ["LI SI t/a HUAYANG ELECTRONICS CO.", "(ID No. 230103198001011234)",
         "12 Garden Lane, Harbin", "China", "2024-01-01", "2026-01-01", "Fraud"],
        ["PEARL RIVER ROADS LTD. d/b/a PRR LIMITED", None, "1 Queen's Road", "Hong Kong",
         "2024-01-01", "2026-01-01", "Fraud"]])
    parsed = wb.parse_bytes(body, KEYER)
    kinds = [(d.subject["kind"], d.subject["name"]) for d in parsed.drafts]
    assert kinds == [("person", None), ("company", "HUAYANG ELECTRONICS CO."),
                     ("company", "PEARL RIVER ROADS LTD.")]
    assert parsed.drafts[2].payload["names"] == ["PEARL RIVER ROADS LTD.", "PRR LIMITED"]
    text = dump(parsed)
    assert not any(n in text for n in ("ZHANG", "LI SI", "Garden Lane", "230103"))
    archived = xlsx_text(wb.redact_bytes(body, KEYER))
    assert not any(n in archived for n in ("ZHANG", "LI SI", "Garden Lane", "230103"))
    assert "HUAYANG ELECTRONICS CO." in archived and "PRR LIMITED" in archived


@needs_export
def test_sample_sole_trader_rule_changes_no_firm_of_the_export() -> None:
    """No row of the real export is a person trading under another name: the rule must not
    turn its firms (one of which is 'LTDA (CURRENTLY D/B/A ...)') into persons."""
    parsed = wb.parse_bytes(EXPORT.read_bytes(), KEYER)
    assert not any(d.payload.get("sole_trader") for d in parsed.drafts)
    jm = [d for d in parsed.drafts if (d.subject["name"] or "").startswith("J.M. COM")]
    assert len(jm) == 1 and jm[0].subject["kind"] == "company"


def test_a_firms_trading_name_that_reads_as_a_person_is_keyed() -> None:
    body = api({"SUPP_NAME": "HUAYANG ELECTRONICS CO., LTD. d/b/a ZHANG WEI",
                "SUPP_TYPE_CODE": "F",
                "ADD_SUPP_INFO": "(also doing business as HY ELECTRONICS LTD and ZHANG SAN)*187"})
    parsed = wb.parse_bytes(body, KEYER)
    (draft,) = parsed.drafts
    assert draft.subject["kind"] == "company"
    assert draft.subject["name"] == "HUAYANG ELECTRONICS CO., LTD."
    assert draft.payload["names"] == ["HUAYANG ELECTRONICS CO., LTD."]
    assert draft.payload["notes"] == [
        f"also doing business as HY ELECTRONICS LTD and {wb.fc.token(KEYER, 'ZHANG SAN')}"]
    assert "ZHANG" not in dump(parsed)
    archived = wb.redact_bytes(body, KEYER).decode("utf-8")
    assert "ZHANG" not in archived and "HY ELECTRONICS LTD" in archived
    assert "Garden Lane" in archived  # a firm's address is not withheld


@needs_export
def test_sample_firm_listing_its_owner_as_a_trading_name_keeps_no_name() -> None:
    """Rows 1052-1053 of the export: firms 'also doing business as ... LAXMINARAYAN MALLICK',
    a name row 1051 lists as a natural person."""
    body = EXPORT.read_bytes()
    parsed = wb.parse_bytes(body, KEYER)
    assert "LAXMINARAYAN MALLICK" not in dump(parsed).upper()
    firms = [d for d in parsed.drafts if d.subject["name"] in (
        "LAXMINARAYAN CONSTRUCTION", "LAXMI NARAYAN CONSTRUCTION")]
    assert len(firms) == 2 and all("[person:p:" in d.payload["notes"][0] for d in firms)
    archived = xlsx_text(wb.redact_bytes(body, KEYER))
    assert "LAXMINARAYAN MALLICK" not in archived.upper()
    assert "LAXMINARAYAN CONSTRUCTION" in archived

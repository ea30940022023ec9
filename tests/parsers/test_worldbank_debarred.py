"""The World Bank debarment parser on the shared Excel export, on a JSON fixture in the
documented API shape, on a renamed/reordered export, on the page that names the API and on
block pages; persons are keyed hashes in drafts and archived copies alike."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from watchdog.parsers import worldbank_debarred as wb
from watchdog.parsers.base import ParsedFile
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.parsers.registry import parser_for
from watchdog.privacy import Keyer

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "shared_samples" / "worldbank_debarred"
EXPORT = SAMPLES / "world_bank_listing_of_ineligible_firms_and_individuals.xlsx"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "worldbank_debarred"
KEYER = Keyer(b"test-secret-wbank" * 2)
PERSON_NAMES = ("RUFAT MAJIDOV", "MUHAMMAD ALI", "ROMAIN PISON", "PIERRE SAVIGNAC",
                "ABERNATHY", "MARQUETTI", "11 GARDEN LANE")

needs_export = pytest.mark.skipif(not EXPORT.is_file(), reason="shared samples not present")


def dump(parsed: ParsedFile) -> str:
    return json.dumps([[d.record_key, d.subject, d.payload] for d in parsed.drafts],
                      ensure_ascii=False)


def export(rows: list[list[object]], header: list[str], *, note: str = "Downloaded on: x",
           sub: list[object] | None = None) -> bytes:
    """A workbook laid out like the website's export."""
    book = Workbook()
    sheet = book.active
    sheet.append([note])
    sheet.append(header)
    if sub is not None:
        sheet.append(sub)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_registry_finds_the_parser() -> None:
    assert parser_for("worldbank_debarred") is wb


@needs_export
def test_shared_excel_export() -> None:
    parsed = wb.parse_bytes(EXPORT.read_bytes(), KEYER, name=EXPORT.name)
    assert parsed.fmt == "worldbank_xlsx"
    assert 1150 < len(parsed.drafts) < 1285  # one row per address is folded into its firm
    # ...and each row folded is reported, so the rows add up (test_worldbank_merged_rows).
    assert len(parsed.drafts) + len(parsed.rejections) == 1285
    firms = [d for d in parsed.drafts if d.subject["kind"] == "company"]
    persons = [d for d in parsed.drafts if d.subject["kind"] == "person"]
    assert len(firms) > 850 and len(persons) > 150
    by_uscc = {d.payload.get("uscc"): d for d in firms if d.payload.get("uscc")}
    xinjiang = by_uscc["91650104766801418W"]
    assert xinjiang.subject["key"] == "uscc:91650104766801418W"
    assert xinjiang.payload["chinese_name"] == "新疆北朋土木工程检测咨询有限公司"
    assert xinjiang.subject["province"] == "新疆" and xinjiang.payload["cn_related"]
    assert xinjiang.payload["grounds"] and xinjiang.payload["listed_on"]
    # Chinese names without a USCC key the firm the way domestic sources do.
    hebei = [d for d in firms if d.payload.get("chinese_name") == "河北建设集团股份有限公司"]
    assert hebei and hebei[0].subject["key"] == "name:河北建设集团股份有限公司"
    assert any(d.payload.get("permanent") for d in firms)
    zimo = next(d for d in firms if d.subject["name"] == "ZIMO LTD.")
    assert len(zimo.payload["addresses"]) == 2  # two rows, one firm
    for person in persons:
        assert person.subject["name"] is None and person.payload["names"] == []
        assert "addresses" not in person.payload and "additional_info" not in person.payload
    assert not any(n in dump(parsed) for n in PERSON_NAMES)


def test_json_fixture() -> None:
    parsed = wb.parse_bytes((FIXTURES / "wb_api.json").read_bytes(), KEYER)
    assert parsed.fmt == "worldbank_json" and not parsed.rejections
    xinjiang, pearl, mr, marquetti = parsed.drafts
    assert xinjiang.subject["key"] == "uscc:91650100MA77597K6U"
    assert xinjiang.payload["listed_on"] == "2024-01-30"
    assert xinjiang.payload["listed_until"] == "2026-05-29"
    assert xinjiang.source_record_id == "600101"
    assert "LAST_REFRESH_DATE" not in json.dumps(xinjiang.payload)
    assert pearl.payload["names"] == ["PEARL RIVER ROADS LTD.", "PRR LIMITED"]
    assert pearl.payload["footnotes"] == ["612"]
    assert pearl.payload["listed_on"] == date(2024, 12, 10).isoformat()  # /Date(ms)/
    assert pearl.payload["permanent"] and pearl.payload.get("listed_until") is None
    assert pearl.payload["cn_related"] and pearl.payload["country"] == "HK"
    assert pearl.payload["identifiers"] == [{"type": "Reg. No.", "value": "52-118734",
                                             "country": None}]
    assert mr.subject["kind"] == "person" and mr.payload["listed_on"] == "2024-11-05"
    # No SUPP_TYPE_CODE: a name that does not read as a firm is a person.
    assert marquetti.subject["kind"] == "person"
    assert marquetti.unknown_fields == {"SANCTION_CASE_NO": "str"}
    assert not any(n in dump(parsed) for n in PERSON_NAMES)


def test_excel_and_json_give_the_same_records() -> None:
    api = json.loads((FIXTURES / "wb_api.json").read_text(encoding="utf-8"))
    rows = [[r["SUPP_NAME"], r.get("ADD_SUPP_INFO"), r["SUPP_ADDR"], r["COUNTRY_NAME"],
             r["DEBAR_FROM_DATE"], r["DEBAR_TO_DATE"], r["DEBAR_REASON"]]
            for r in api["response"]["ZPROCSUPP"]]
    body = export(rows, ["Firm Name", "Additional Firm Info", "Address", "Country",
                         "Ineligibility Period", None, "Grounds"],
                  sub=[None, None, None, None, "From Date", "To Date", None])
    from_excel = wb.parse_bytes(body, KEYER, name="export.xlsx")
    from_json = wb.parse_bytes((FIXTURES / "wb_api.json").read_bytes(), KEYER)
    assert [d.record_key for d in from_excel.drafts] == [d.record_key for d in from_json.drafts]


def test_renamed_reordered_and_extra_columns() -> None:
    rows = [["2023-02-27", "ZIMO LTD.", "Georgia", "Cross Debarment: ADB", "2027-11-07",
             "19A KAZBEGI AVENUE, TBILISI", None, "internal"]]
    body = export(rows, ["From", "Name", "Country", "Reason", "To", "Address",
                         "Additional Info", "Reviewer"], note="Downloaded on: 07/01/2025")
    parsed = wb.parse_bytes(body, KEYER)
    draft = parsed.drafts[0]
    assert draft.record_key == "wb:ZIMO LTD|GE|2023-02-27"
    assert draft.payload["listed_until"] == "2027-11-07"
    assert draft.unknown_fields == {"reviewer": "str"}


def test_excel_without_the_header_is_refused() -> None:
    with pytest.raises(FormatError, match="header"):
        wb.parse_bytes(export([["x", "y"]], ["A", "B"]), KEYER)
    with pytest.raises(FormatError, match="Excel"):
        wb.parse_bytes(b"PK\x03\x04 not really a zip", KEYER)


def test_the_page_names_the_api() -> None:
    page = (b"<html><script>var prodtabApi = \"https://apigwext.worldbank.org/dvsvc/v1.0/json/"
            b"APPLICATION/ADOBE_EXPRNCE_MGR/FIRM/SANCTIONED_FIRM\";\nvar propApiKey = "
            b"\"abcdefgh12345678\";</script></html>")
    parsed = wb.parse_bytes(page, KEYER)
    assert parsed.drafts == [] and parsed.next_pages[0].endswith("/SANCTIONED_FIRM")
    assert wb.page_api(page.decode())[1] == "abcdefgh12345678"
    with pytest.raises(FormatError):
        wb.parse_bytes(b"<html><body>We moved the list.</body></html>", KEYER)


@pytest.mark.parametrize("body", [
    b"<html><head><title>Access to this page has been denied</title></head><body>"
    b"<div id='px-captcha'></div></body></html>",
    b'{"fault": {"faultstring": "Invalid ApiKey", "detail": "unauthorized"}}',
    b"{}",
    b"",
])
def test_block_pages_are_blocked(body: bytes) -> None:
    with pytest.raises(BlockedError):
        wb.parse_bytes(body, KEYER)


def test_redacted_json_keeps_no_person() -> None:
    body = (FIXTURES / "wb_api.json").read_bytes()
    for copy in (wb.redact_bytes(body, KEYER), wb.redact_bytes(body[: len(body) * 3 // 4], KEYER)):
        text = copy.decode("utf-8")
        assert not any(n in text for n in PERSON_NAMES)
        assert "XINJIANG BEILIAN CIVIL ENGINEERING" in text


@needs_export
def test_redacted_export_keeps_no_person() -> None:
    clean = wb.redact_bytes(EXPORT.read_bytes(), KEYER)
    with zipfile.ZipFile(io.BytesIO(clean)) as zf:
        text = "".join(zf.read(n).decode("utf-8") for n in zf.namelist()
                       if n.endswith(".xml"))
    assert not any(n in text for n in PERSON_NAMES)
    assert "HEBEI CONSTRUCTION GROUP CORPORATION LIMITED" in text and "[person:p:" in text
    again = wb.parse_bytes(clean, KEYER)  # still a workbook the parser reads
    assert len(again.drafts) > 1000


@pytest.mark.parametrize(("raw", "expected"), [
    ("2024-12-10", date(2024, 12, 10)), ("2024-12-10T00:00:00Z", date(2024, 12, 10)),
    ("12/10/2024", date(2024, 12, 10)), ("10 Dec 2024", date(2024, 12, 10)),
    ("20241210", date(2024, 12, 10)), ("/Date(1733788800000)/", date(2024, 12, 10)),
    (1733788800000, date(2024, 12, 10)), ("-0- ", None), (None, None),
])
def test_every_date_shape(raw: object, expected: date | None) -> None:
    from watchdog.parsers.foreign_common import parse_date

    assert parse_date(raw) == expected


def test_unreadable_date_rejects_the_row_only() -> None:
    body = json.dumps({"response": {"ZPROCSUPP": [
        {"SUPP_NAME": "GOOD CO., LTD.", "COUNTRY_NAME": "Kenya", "DEBAR_FROM_DATE": "2024-01-01",
         "DEBAR_TO_DATE": "2026-01-01", "SUPP_TYPE_CODE": "F"},
        {"SUPP_NAME": "ODD DATE CO., LTD.", "COUNTRY_NAME": "Kenya", "DEBAR_FROM_DATE": "soon",
         "SUPP_TYPE_CODE": "F"}]}}).encode()
    parsed = wb.parse_bytes(body, KEYER)
    assert len(parsed.drafts) == 1 and "unrecognised date" in parsed.rejections[0].reason

"""Every row of the World Bank list is a record or a reported part of one.

A reviewer imported the July 2025 export (1,285 data rows): "read 1226, rejected 0", the other
59 rows merged silently. Looked at one by one, 57 of them are parts of a record: the export
repeats a firm once per address (and XCCG once more under a second English name for its one
USCC). The other two are other firms: the Hebei group's Wuji County and Niulanshan branches,
which the export gives the Chinese names of its Tang County and Shunyi branches. Now those are
records of their own, and each merged row is reported with the row it joined and the fields it
differs in, so the summary reads "read 1228, rejected 57".
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.conftest import run_cli
from tests.parsers.test_worldbank_review import EXPORT, export, needs_export
from watchdog.parsers import worldbank_debarred as wb
from watchdog.privacy import Keyer

KEYER = Keyer(b"test-secret-wbank-merged-rows" * 2)
ROWS = 1285
HEBEI = "HEBEI CONSTRUCTION GROUP CORPORATION LIMITED "


@pytest.fixture(scope="module")
def parsed() -> wb.ParsedFile:
    return wb.parse_bytes(EXPORT.read_bytes(), KEYER, name=EXPORT.name)


@needs_export
def test_the_shared_export_accounts_for_every_row(parsed):
    assert len(parsed.drafts) == 1228 and len(parsed.rejections) == 57
    assert len(parsed.drafts) + len(parsed.rejections) == ROWS
    assert len({d.record_key for d in parsed.drafts}) == len(parsed.drafts)
    differ = Counter(r.reason.split("; ")[1].split(")")[0] for r in parsed.rejections)
    assert differ == {"differs in address": 56, "differs in address, name": 1}
    assert all("merged into the record of row" in r.reason for r in parsed.rejections)


@needs_export
def test_a_firm_at_several_addresses_is_one_record_with_them_all(parsed):
    reasons = {r.index: r.reason for r in parsed.rejections}
    assert reasons[360] == ("row 360: merged into the record of row 358 (same firm and start of "
                            "debarment; differs in address), not stored on its own")
    (firm,) = [d for d in parsed.drafts if d.subject["name"] == "M/S. A.S. CONSTRUCTION"]
    assert len(firm.payload["addresses"]) == 2


@needs_export
def test_one_uscc_under_two_english_names_is_one_record(parsed):
    (xccg,) = [d for d in parsed.drafts if d.payload.get("uscc") == "91650106053190805E"]
    assert "XCCG TRAFFIC ENGINEERING TECHNOLOGY CO., LTD." in xccg.payload["names"]
    assert len(xccg.payload["names"]) >= 3 and len(xccg.payload["addresses"]) == 2


@needs_export
@pytest.mark.parametrize(("chinese", "branches"), [
    ("河北建设集团股份有限公司唐县分公司", {"WUJI COUNTY BRANCH", "TANG COUNTY BRANCH"}),
    ("河北建设集团股份有限公司北京顺义分公司", {"BEIJING SHUNYI BRANCH", "BEIJING NIULANSHAN BRANCH"}),
])
def test_other_firms_under_one_chinese_name_stay_apart(parsed, chinese, branches):
    found = [d for d in parsed.drafts if d.payload.get("chinese_name") == chinese]
    assert {d.payload["names"][0] for d in found} == {HEBEI + b for b in branches}
    assert all(len(d.payload["addresses"]) == 1 for d in found)
    assert len({d.record_key for d in found}) == 2


def test_merged_rows_are_reported_in_a_small_export():
    base = ["2024-01-01", "2026-01-01", "Fraudulent Practice"]
    body = export([
        ["ZIMO LTD.", None, "1 Rustaveli Ave, Tbilisi", "Georgia", *base],
        ["ZIMO LTD.", None, "2 Chavchavadze Ave, Tbilisi", "Georgia", *base],
        ["ZIMO LTD.", None, "2 Chavchavadze Ave, Tbilisi", "Georgia", *base],
        ["NANJING EXAMPLE CO., LTD.", "(南京示例工程有限公司)", "1 Road, Nanjing", "China", *base],
        ["NANJING EXAMPLE CO., LTD. PUKOU BRANCH", "(南京示例工程有限公司)", "2 Road, Nanjing",
         "China", *base],
    ])
    out = wb.parse_bytes(body, KEYER, name="export.xlsx")
    assert len(out.drafts) == 3 and len(out.drafts) + len(out.rejections) == 5
    # Sheet rows: the download note is row 1, the header row 2, ZIMO's rows 3 to 5.
    assert [(r.index, r.reason) for r in out.rejections] == [
        (4, "row 4: merged into the record of row 3 (same firm and start of debarment; "
            "differs in address), not stored on its own"),
        (5, "row 5: merged into the record of row 3 (same firm and start of debarment; "
            "differs in address), not stored on its own")]
    nanjing = [d for d in out.drafts if d.payload.get("chinese_name") == "南京示例工程有限公司"]
    assert len({d.record_key for d in nanjing}) == 2


def test_the_api_gives_the_same_count():
    rows = [{"SUPP_NAME": "ZIMO LTD.", "COUNTRY_NAME": "Georgia", "SUPP_ADDR": address,
             "DEBAR_FROM_DATE": "2024-01-01", "DEBAR_TO_DATE": "2026-01-01",
             "DEBAR_REASON": "Fraudulent Practice"} for address in ("1 Rustaveli", "2 Rustaveli")]
    out = wb.parse_bytes(json.dumps({"response": {"ZPROCSUPP": rows}}).encode(), KEYER)
    assert len(out.drafts) == 1 and [r.index for r in out.rejections] == [1]


@needs_export
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_import_summary_adds_up(cli_env, database_url):
    assert run_cli(cli_env, "init").returncode == 0
    done = run_cli(cli_env, "import", "worldbank_debarred", str(EXPORT), "--no-progress")
    assert done.returncode == 0, done.stderr
    assert ("worldbank_debarred: read 1228, added 1228, changed 0, unchanged 0, rejected 57"
            in done.stdout)
    assert "rejected: record 360: row 360: merged into the record of row 358" in done.stdout

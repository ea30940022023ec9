"""A branch office is a row of its own on the A-list (reference/sources.md: branch offices as rows).

A reviewer's tax CSV listed 景德镇市景程汽车部件有限责任公司 and then its 南昌分公司 under the
parent's taxpayer number: the branch was rejected as "same record as record 0 but for branch,
name: only record 0 is stored". A branch sharing a number with its parent (or with another
branch) is now keyed by its own name, the number kept as its code, whichever row comes first;
a row repeating a record (same name, number and office) is still rejected.
"""

from __future__ import annotations

import pytest

from tests.conftest import run_cli
from watchdog.parsers import tax_a_list as parser
from watchdog.privacy import Keyer

KEYER = Keyer(b"test-secret-for-tax-a-branches-0")
HEADER = "纳税人识别号,纳税人名称,评价年度,税务机关\n"
OFFICE = "国家税务总局景德镇高新技术产业开发区税务局税源管理科"
NUMBER = "91360200787252585L"
PARENT = "景德镇市景程汽车部件有限责任公司"
BRANCH = "景德镇市景程汽车部件有限责任公司南昌分公司"
OTHER_BRANCH = "景德镇市景程汽车部件有限责任公司九江分公司"


def row(name: str, number: str = NUMBER) -> str:
    return f"{number},{name},2018,{OFFICE}\n"


def parse(*rows: str) -> parser.ParsedFile:
    return parser.parse_bytes((HEADER + "".join(rows)).encode("utf-8"), KEYER)


def by_name(out: parser.ParsedFile) -> dict[str, parser.Draft]:
    return {d.payload["name"]: d for d in out.drafts}


def test_reviewer_repro_branch_after_its_parent_is_its_own_record():
    out = parse(row(PARENT), row(BRANCH))
    assert not out.rejections and len(out.drafts) == 2
    drafts = by_name(out)
    parent, branch = drafts[PARENT], drafts[BRANCH]
    assert parent.subject["key"] == f"uscc:{NUMBER}" and not parent.payload["branch"]
    assert branch.payload["branch"] and branch.payload["uscc"] == NUMBER
    # Keyed by its own name (the number is its parent's), the number kept as its code.
    assert branch.subject == {**branch.subject, "key": f"name:{BRANCH}", "name": BRANCH,
                              "code": NUMBER}
    assert BRANCH in branch.record_key and branch.record_key.endswith(f":{NUMBER}")
    assert parent.record_key != branch.record_key


def test_the_order_of_the_rows_changes_no_key():
    first = {d.payload["name"]: (d.record_key, d.subject) for d in parse(row(PARENT),
                                                                          row(BRANCH)).drafts}
    out = parse(row(BRANCH), row(PARENT))
    assert not out.rejections
    assert {d.payload["name"]: (d.record_key, d.subject) for d in out.drafts} == first


@pytest.mark.parametrize("rows", [
    (row(PARENT), row(BRANCH), row(BRANCH)),
    (row(BRANCH), row(BRANCH), row(PARENT)),
    (row(BRANCH), row(PARENT), row(BRANCH)),
])
def test_a_repeated_branch_row_is_still_rejected(rows):
    out = parse(*rows)
    assert sorted(by_name(out)) == sorted([PARENT, BRANCH])
    assert len(out.rejections) == 1 and "a repeated row, stored once" in out.rejections[0].reason


def test_a_repeated_parent_row_is_still_rejected():
    out = parse(row(PARENT), row(BRANCH), row(PARENT))
    assert len(out.drafts) == 2
    assert [(r.index, r.reason) for r in out.rejections] == [
        (2, "same record as record 0 (line 4, first on line 2): a repeated row, stored once")]


def test_two_branches_under_one_number_are_two_records():
    out = parse(row(BRANCH), row(OTHER_BRANCH))
    assert not out.rejections
    assert {d.subject["key"] for d in out.drafts} == {f"name:{BRANCH}", f"name:{OTHER_BRANCH}"}


def test_a_branch_with_a_number_of_its_own_keeps_its_key():
    out = parse(row(PARENT), row(BRANCH, "91360100MA35F17P03"))
    assert by_name(out)[BRANCH].subject["key"] == "uscc:91360100MA35F17P03"


def test_two_companies_that_are_not_branches_under_one_number_stay_one_record():
    # Not a branch: a renamed or misspelled company, as before (reported, not stored twice).
    out = parse(row(PARENT), row("景德镇市景程汽车零部件有限公司"))
    assert len(out.drafts) == 1
    assert out.rejections[0].reason.endswith("but for name: only record 0 is stored")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_import_stores_the_branch(cli_env, database_url, tmp_path):
    assert run_cli(cli_env, "init").returncode == 0
    saved = tmp_path / "jiangxi_branches.csv"
    saved.write_bytes((HEADER + row(PARENT) + row(BRANCH) + row(BRANCH)).encode("gbk"))
    done = run_cli(cli_env, "import", "tax_a_list", str(saved), "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "tax_a_list: read 2, added 2, changed 0, unchanged 0, rejected 1" in done.stdout
    assert "but for branch" not in done.stdout

"""Credit China columns known by their `sencesMap` label are known, not unknown.

A reviewer's typeSourceSearch record had every key renamed (pen_jdrq, pen_cfjg...) under the
standard labels: parsed right, yet each key was reported as an unknown field, so the crawl was
"partial: layout changed" and the source could never have a complete crawl again. The site adds
and renames tables without notice (reference/sources.md 1): a column mapped by its label is now
read and known; the renaming is shown among the fields present (the crawl's fill rates on
/sources/<id>), not as a layout failure. A column whose label is unknown too stays unknown.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.conftest import run_cli
from watchdog.parsers import credit_china as cc
from watchdog.privacy import Keyer
from watchdog.store.db import get_engine
from watchdog.store.tables import Crawl

KEYER = Keyer(b"credit-china-renamed-columns-key")
FIRM = "徐州云栖示例商贸有限公司"
USCC = "91320322MA1MXXD10P"
RENAMED = {"pen_xdr_mc": ("行政相对人名称", FIRM), "pen_xdr_shxym": ("相对人统一社会信用代码", USCC),
           "pen_wsh": ("行政处罚决定书文号", "苏徐罚〔2027〕8号"), "pen_jdrq": ("处罚决定日期", "20270105"),
           "pen_cfjg": ("处罚机关", "徐州市市场监督管理局"), "pen_fr": ("法定代表人", "周子墨")}
URL = ("https://public.creditchina.gov.cn/private-api/typeSourceSearch?type=%E8%A1%8C%E6%94%BF"
       f"%E7%AE%A1%E7%90%86&tyshxydm={USCC}&page=1&pageSize=10")


def body(extra: dict[str, tuple[str, str]] | None = None) -> bytes:
    columns = {**RENAMED, **(extra or {})}
    record = {"table_name": "credit_xyzx_fr_xzcf_2027", "columnList": list(columns),
              "sencesMap": {k: label for k, (label, _) in columns.items()},
              "entity": {k: value for k, (_, value) in columns.items()}}
    return json.dumps({"status": 1, "message": "成功", "data": {"total": 1, "list": [record]}},
                      ensure_ascii=False).encode()


def test_renamed_keys_with_standard_labels_are_read_and_known():
    draft = cc.parse_bytes(body(), KEYER, name=URL).drafts[0]
    assert draft.payload["record_type"] == "penalty" and draft.subject["key"] == f"uscc:{USCC}"
    assert draft.payload["decision_date"] == "2027-01-05"
    assert draft.payload["authority"] == "徐州市市场监督管理局"
    assert draft.payload["legal_rep_key"] == KEYER.name_key("周子墨")
    # Not one renamed key is an unknown field (the new table name still is: a table nobody has
    # seen is reported, as before).
    assert draft.unknown_fields == {"table:credit_xyzx_fr_xzcf_2027": "table"}
    assert "extra" not in draft.payload
    assert "周子墨" not in json.dumps(draft.payload, ensure_ascii=False)


def test_renamed_keys_are_shown_among_the_fields_present():
    draft = cc.parse_bytes(body(), KEYER, name=URL).drafts[0]
    renamed = [f for f in draft.fields_present if f.startswith("by_label:")]
    assert renamed == ["by_label:pen_cfjg=authority", "by_label:pen_fr=legal_rep",
                       "by_label:pen_jdrq=decision_date", "by_label:pen_wsh=decision_no",
                       "by_label:pen_xdr_mc=subject_name", "by_label:pen_xdr_shxym=subject_code"]
    assert {"authority", "decision_date", "decision_no"} <= set(draft.fields_present)


def test_a_key_whose_label_is_unknown_too_stays_unknown():
    draft = cc.parse_bytes(body({"pen_xfzt": ("修复进度", "已修复")}), KEYER, name=URL).drafts[0]
    assert draft.unknown_fields["pen_xfzt"] == "string"
    assert draft.payload["extra"]["pen_xfzt"] == {"label": "修复进度", "value": "已修复"}
    assert not any(f.startswith("by_label:pen_xfzt") for f in draft.fields_present)


def test_keys_known_by_name_are_not_reported_as_renamed():
    raw = body({"cf_jdrq": ("处罚决定日期", "2027-01-06")})
    draft = cc.parse_bytes(raw, KEYER, name=URL).drafts[0]
    assert "cf_jdrq" not in draft.unknown_fields
    assert not any(f.startswith("by_label:cf_jdrq") for f in draft.fields_present)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_import_of_renamed_columns_is_complete_not_partial(cli_env, database_url, tmp_path):
    assert run_cli(cli_env, "init").returncode == 0
    # The documented penalty table, so nothing but the renamed keys could make it partial.
    saved = tmp_path / "typeSourceSearch_penalties.json"
    saved.write_bytes(body().replace(b"credit_xyzx_fr_xzcf_2027", b"credit_xyzx_fr_xzcf_new"))
    done = run_cli(cli_env, "import", "credit_china", str(saved), "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "read 1, added 1" in done.stdout and "unknown field" not in done.stdout + done.stderr
    with get_engine(database_url).connect() as conn:
        status, unknown, fill = conn.execute(
            select(Crawl.status, Crawl.unknown_fields, Crawl.field_fill)).one()
    assert status == "complete" and unknown == {}
    assert fill["by_label:pen_jdrq=decision_date"] == 1

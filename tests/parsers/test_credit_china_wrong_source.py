"""Files of other registries are refused by the Credit China parser and importer, with what they
look like, instead of being read as a legacy registration with their persons kept in `extra`."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import run_cli
from watchdog.parsers import credit_china as cc
from watchdog.parsers.errors import FormatError
from watchdog.privacy import Keyer
from watchdog.store.db import get_engine
from watchdog.store.tables import Artifact, Crawl, Observation

KEYER = Keyer(b"credit-china-wrong-source-secret")
FIX = Path(__file__).resolve().parents[1] / "fixtures"
# Shared samples, copied byte for byte into the fixtures so a clean clone reads them (see each
# folder's SOURCE.txt and fixtures/shared_samples/SOURCE.txt): samples/gsxt_app_transcribed/ in
# fixtures/gsxt, samples/zxgk_shixin_transcribed/ in fixtures/court_dishonest and
# samples/creditchina_transcribed/ in fixtures/credit_china.
GSXT_APP = FIX / "gsxt" / "gsxt_app_entity_with_keyperson_shareholder_2020.json"
COURT_SAMPLES = FIX / "court_dishonest"
CREDIT_CHINA_SAMPLES = FIX / "credit_china"
# Persons named in the gsxt sample (sanitised to surname + 某 by its transcriber).
GSXT_PERSONS = ("李某", "黄某某", "王某")


def _gsxt_app() -> bytes:
    return GSXT_APP.read_bytes()


def test_gsxt_app_record_is_refused_saying_what_it_looks_like():
    with pytest.raises(FormatError) as caught:
        cc.parse_bytes(_gsxt_app(), KEYER, name=GSXT_APP.name)
    reason = str(caught.value)
    assert "gsxt company record" in reason and "not a Credit China response" in reason
    assert "\n" not in reason and not any(p in reason for p in GSXT_PERSONS)


def test_gsxt_app_record_inside_a_legacy_envelope_is_refused():
    inner = json.loads(_gsxt_app())
    for wrapped in ({"result": inner}, {"data": inner}, [inner]):
        with pytest.raises(FormatError, match="gsxt company record"):
            cc.parse_bytes(json.dumps(wrapped, ensure_ascii=False).encode(), KEYER)


@pytest.mark.parametrize("name", [
    "disDetail_person_2014.json", "disDetail_unit_2014.json", "disDetail_variants_2017_2019.json",
    "zhixing_beizhixingren_legacy_shanghai.json",
])
def test_court_files_are_refused_as_court_records(name):
    path = COURT_SAMPLES / name
    with pytest.raises(FormatError, match="court dishonest-debtor record"):
        cc.parse_bytes(path.read_bytes(), KEYER, name=name)


@pytest.mark.parametrize("body", [
    # A legacy penalty list with one cfXxx key among another source's columns.
    [{"cfWsh": "X1", "caseCode": "(2019)1号", "iname": "张某", "courtName": "某法院", "gistId": "1"}],
    # A legacy Chinese-key list that is a court list, not record_param.
    {"result": {"results": [{"案号": "(2019)1号", "被执行人": "张某", "申请执行人": "李某",
                             "被执行人地址": "", "执行标的金额（元）": "1"}]}},
    # Catalogue rows of no documented table, saved without the URL that names one.
    {"status": 1, "data": {"list": [{"regCap": "1", "uniscId": "X", "legalName": "李某",
                                     "entTypeCN": "个体", "nodeNum": "44"}]}},
    # Some other API's {"code", "msg", "data"} answer is not checkVerify's.
    {"code": 0, "msg": "ok", "data": {"legalName": "李某"}},
])
def test_mostly_unknown_keys_are_refused(body):
    with pytest.raises(FormatError):
        cc.parse_bytes(json.dumps(body, ensure_ascii=False).encode(), KEYER)


def test_every_shared_credit_china_sample_still_parses():
    # The shared ones only (fixtures/credit_china holds synthetic legacy_* files too); the
    # fourth, current_error_responses_c2026.json, holds three bodies in one file: read one by
    # one in test_credit_china.
    names = ["current_catalogSearchHome_c2026.json",
             "current_getTyshxydmDetailsContent_c2026.json",
             "legacy_credit_info_search_liaoning_c2017.json"]
    formats = {name: cc.parse_bytes((CREDIT_CHINA_SAMPLES / name).read_bytes(), KEYER,
                                    name=name).fmt for name in names}
    assert formats == {"current_catalogSearchHome_c2026.json": "search",
                       "current_getTyshxydmDetailsContent_c2026.json": "detail",
                       "legacy_credit_info_search_liaoning_c2017.json": "legacy_search"}


def test_legacy_detail_with_an_undocumented_key_or_two_is_still_read():
    detail = json.loads((FIX / "credit_china" / "legacy_credit_info_detail.json").read_bytes())
    detail["result"].update(orgCode="12345678-9", remark="")
    parsed = cc.parse_bytes(json.dumps(detail, ensure_ascii=False).encode(), KEYER)
    assert parsed.fmt == "legacy_detail" and parsed.drafts[0].subject["kind"] == "company"


# -- through the importer -------------------------------------------------------------------------

def _stored(home: Path, database: Path) -> str:
    parts = [database.read_bytes().decode("utf-8", "replace")] if database.exists() else []
    for path in home.rglob("*"):
        if path.is_file() and path.name != "secret.key":
            data = path.read_bytes()
            parts.append((gzip.decompress(data) if path.suffix == ".gz" else data)
                         .decode("utf-8", "replace"))
    return "\n".join(parts)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_importer_refuses_the_gsxt_app_sample_and_writes_nothing(cli_env, database_url,
                                                                 tmp_path):
    assert run_cli(cli_env, "init").returncode == 0
    sample = tmp_path / GSXT_APP.name
    sample.write_bytes(_gsxt_app())
    home = Path(cli_env["WATCHDOG_HOME"])
    done = run_cli(cli_env, "import", "credit_china", str(sample), "--no-progress")
    assert done.returncode != 0
    assert "gsxt company record" in done.stderr + done.stdout
    assert "added 1" not in done.stdout
    with get_engine(database_url).connect() as conn:
        observations = conn.execute(select(func.count()).select_from(Observation)).scalar_one()
        artifacts = conn.execute(select(func.count()).select_from(Artifact)).scalar_one()
        crawl = conn.execute(select(Crawl).order_by(Crawl.id.desc()).limit(1)).one()
    assert observations == 0 and artifacts == 0
    assert crawl.status == "failed" and "gsxt company record" in crawl.reason
    assert not list(home.rglob("*.gz"))  # no archived copy
    text = _stored(home, tmp_path / "store.sqlite")
    assert "清远福元农业科技有限公司" not in text and not any(p in text for p in GSXT_PERSONS)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_importer_keeps_no_name_from_unknown_columns(cli_env, database_url, tmp_path):
    from tests.parsers.test_credit_china_unknown_columns import body

    assert run_cli(cli_env, "init").returncode == 0
    sample = tmp_path / "typeSourceSearch_2027.json"
    sample.write_bytes(body({"cf_frdb": "梅大伟", "cf_lxr": "王小明", "cf_bz9": "欧阳明轩",
                             "cf_sfz": "110105199001011236", "cf_dh": "13912345678"},
                            {"cf_frdb": "法人代表", "cf_lxr": "经办人", "cf_bz9": "备用字段",
                             "cf_sfz": "证照", "cf_dh": "备用2"}))
    done = run_cli(cli_env, "import", "credit_china", str(sample), "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "added 1" in done.stdout
    text = _stored(Path(cli_env["WATCHDOG_HOME"]), tmp_path / "store.sqlite")
    # The database stores JSON with \\u escapes: look for the names both ways.
    for secret in ("梅大伟", "王小明", "欧阳明轩", "110105199001011236", "13912345678"):
        escaped = json.dumps(secret)[1:-1]
        assert secret not in text and escaped not in text, secret
    assert "cf_frdb" in text and "cf_lxr" in text  # the columns are still reported

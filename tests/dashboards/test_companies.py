"""The company pages over a store built with the real writer: a profile shows the lists of
several sources with dates and evidence and the matches that joined them; twins; 404s; and no
person is ever named or found."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from html import unescape
from pathlib import Path
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from sqlalchemy import insert, update

from dashboards import create_app
from tests.store.test_company_matches import (
    HUAWEI_DIGITAL,
    HUAWEI_TECH,
    OLD_ORG,
    PERSON_SENTINEL,
    CompanyStore,
    build_company_store,
    company,
    court,
    make_uscc,
    masked,
    row,
    tax,
)
from tests.test_companies_review import write_store
from watchdog.audit import suite_cross_lists
from watchdog.companies_store import run_matching
from watchdog.store.db import get_engine
from watchdog.store.tables import AuditRun


@pytest.fixture(scope="module")
def company_store(tmp_path_factory: pytest.TempPathFactory) -> CompanyStore:
    root = tmp_path_factory.mktemp("companies")
    store = build_company_store(f"sqlite:///{root / 'store.sqlite'}", root)
    engine = get_engine(store.url)
    runs = AuditRun.__table__
    now = datetime.now(UTC)
    with engine.begin() as conn:
        run_id = conn.execute(insert(runs).values(started_at=now, status="running",
                                                  as_of=now)).inserted_primary_key[0]
    suite_cross_lists.audit(engine, run_id=run_id, as_of=date(2026, 11, 20))  # also matches
    with engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.id == run_id).values(status="complete",
                                                                      finished_at=now))
    return store


@pytest.fixture()
def client(company_store: CompanyStore) -> Iterator[FlaskClient]:
    app = create_app(company_store.url, company_store.artifacts_dir, TESTING=True)
    with app.test_client() as client:
        yield client


def test_profile_shows_lists_of_several_sources(client: FlaskClient,
                                                company_store: CompanyStore) -> None:
    page = client.get(f"/companies/{HUAWEI_DIGITAL}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "北京华为数字技术有限公司" in html
    assert "(2025)京0108执1号" in html and "2025-03-01" in html  # court case number and date
    assert "A-level taxpayers" in html and "2024" in html          # the tax red list and year
    assert "masked_uscc+name" in html and "name_branch" in html    # how the records were joined
    assert f"/artifacts/{company_store.shas['court_dishonest']}" in html
    assert "red_list_while_blacklisted" in html                    # the finding on it
    body = client.get(f"/companies/{HUAWEI_DIGITAL}.json").get_json()
    assert {"court_dishonest", "tax_a_list"} <= set(body["sources"])
    rows = {r["source_id"]: r for r in body["rows"]}
    assert rows["court_dishonest"]["details"]["case_code"] == "(2025)京0108执1号"
    assert rows["court_dishonest"]["first_seen"].startswith("2026-11-02")
    assert rows["court_dishonest"]["artifact_sha256"] == company_store.shas["court_dishonest"]
    assert rows["court_dishonest"]["joined_by_match"]
    methods = {m["method"]: m for m in body["matches"]}
    assert methods["masked_uscc+name"]["score"] == 1.0
    assert "visible characters" in methods["masked_uscc+name"]["reason"]
    assert any(f["check_id"] == "red_list_while_blacklisted" for f in body["findings"])


def test_foreign_lists_with_programs_and_dates(client: FlaskClient) -> None:
    body = client.get(f"/companies/{HUAWEI_TECH}.json").get_json()
    assert {"tax_a_list", "ofac_sdn", "us_csl"} <= set(body["sources"])
    ofac = next(r for r in body["rows"] if r["source_id"] == "ofac_sdn")
    assert ofac["details"]["programs"] == ["IRAN-EO13846"]
    assert ofac["details"]["listed_on"] == "2019-05-16"
    assert ofac["list"] == "SDN"
    assert {m["method"] for m in body["matches"]} >= {"chinese_name_from_foreign_list",
                                                      "name_exact"}


@pytest.mark.parametrize("code", [masked(HUAWEI_DIGITAL), quote(f"uscc:{HUAWEI_DIGITAL}"),
                                  HUAWEI_DIGITAL.lower()])
def test_the_same_company_by_masked_code_key_or_lower_case(client: FlaskClient, code: str) -> None:
    body = client.get(f"/companies/{code}.json").get_json()
    assert {"court_dishonest", "tax_a_list"} <= set(body["sources"])


def test_organisation_code(client: FlaskClient) -> None:
    body = client.get(f"/companies/{OLD_ORG}.json").get_json()
    assert {"court_dishonest", "tax_a_list"} <= set(body["sources"])
    assert [m["method"] for m in body["matches"]] == ["org_code"]


def test_csv_twin(client: FlaskClient) -> None:
    response = client.get(f"/companies/{HUAWEI_DIGITAL}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert {r["source_id"] for r in rows} >= {"court_dishonest", "tax_a_list"}
    assert all(r["artifact_sha256"] for r in rows)


@pytest.mark.parametrize("path", ["/companies/91110000600037341K", "/companies/nobody",
                                  "/companies/person-key-1", "/companies/person-36002.json",
                                  "/companies/nobody.csv"])
def test_unknown_codes_and_persons_are_404(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert PERSON_SENTINEL not in response.get_data(as_text=True)


def test_search_and_paging(client: FlaskClient) -> None:
    page = client.get("/companies?q=华为")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "北京华为数字技术有限公司" in html
    assert "上海严重违法示例有限公司" not in html
    body = client.get("/companies.json?per_page=2&page=2").get_json()
    assert body["companies"]["page"] == 2 and len(body["rows"]) == 2
    assert body["companies"]["total"] >= 10
    first = client.get("/companies.json").get_json()["rows"][0]
    assert first["sources_count"] >= 2  # companies in the most sources come first
    by_code = client.get(f"/companies.json?q={HUAWEI_TECH}").get_json()
    assert [r["name"] for r in by_code["rows"]] == ["华为技术有限公司"]
    assert by_code["rows"][0]["matched_sources"] == ["ofac_sdn"]
    assert client.get("/companies?page=0").status_code == 400
    assert client.get("/companies?sort=name").status_code == 400
    assert client.get("/companies?q=" + "x" * 101).status_code == 400


def test_no_person_is_named(client: FlaskClient) -> None:
    pages = ["/companies", "/companies.json", "/companies.csv", "/companies?q=SENTINEL",
             f"/companies/{HUAWEI_DIGITAL}", f"/companies/{HUAWEI_DIGITAL}.json",
             f"/companies/{HUAWEI_DIGITAL}.csv"]
    for path in pages:
        text = client.get(path).get_data(as_text=True)
        assert PERSON_SENTINEL not in text and "person-key" not in text, path
    listed = client.get("/companies.json?per_page=1000").get_json()["rows"]
    assert not any(r["key"].startswith("person") for r in listed)


def test_nav_links_to_companies(client: FlaskClient) -> None:
    html = client.get("/companies").get_data(as_text=True)
    assert 'href="/companies" aria-current="page"' in html


def test_store_without_matches_table_rows(tmp_path: Path) -> None:
    store = build_company_store(f"sqlite:///{tmp_path / 's.sqlite'}", tmp_path)
    app = create_app(store.url, store.artifacts_dir, TESTING=True)
    with app.test_client() as client:  # never matched: the page still shows the own records
        body = client.get(f"/companies/{HUAWEI_DIGITAL}.json").get_json()
    assert body["sources"] == ["tax_a_list"] and body["matches"] == []


def test_fields_naming_people_are_never_shown() -> None:
    from dashboards.views.companies_data import details

    shown = details("credit_china", {
        "cf_wsh": "京工商罚字〔2024〕1号", "cf_fr": "someone", "fr": "someone",
        "legal_rep": "someone", "fddbrhzfzrmc": "someone", "legal_rep_key": "ab" * 32,
        "list": "严重失信主体名单", "keyperson": ["someone"], "items": [{"name": "someone"}]})
    assert shown == {"cf_wsh": "京工商罚字〔2024〕1号", "list": "严重失信主体名单"}
    # Foreign lists' remarks can name a linked person: not shown either.
    assert "remarks" not in details("ofac_sdn", {"remarks": "Linked To: someone",
                                                 "programs": ["SDGT"]})


# -- branches: a branch's page shows its parent, labelled, never its sibling branches -----------

MOBILE = "中国移动通信集团江西有限公司"
MOBILE_CODE = make_uscc("360000", "71093740")
NANCHANG, NANCHANG_CODE = f"{MOBILE}南昌分公司", make_uscc("360100", "74196683")
JINGDEZHEN, JINGDEZHEN_CODE = f"{MOBILE}景德镇分公司", make_uscc("360200", "74425143")


@pytest.fixture(scope="module")
def branch_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    root = tmp_path_factory.mktemp("branches")
    url = f"sqlite:///{root / 'store.sqlite'}"
    write_store(url, root, {
        "tax_a_list": [tax(MOBILE_CODE, MOBILE, 2018), tax(NANCHANG_CODE, NANCHANG, 2018),
                       tax(JINGDEZHEN_CODE, JINGDEZHEN, 2018)],
        # The parent's and the sibling's court records, each joined to its tax record by code.
        "court_dishonest": [
            court(7, company(f"uscc:{masked(MOBILE_CODE)}", MOBILE, masked(MOBILE_CODE)),
                  "2025-03-01"),
            court(8, company(f"uscc:{masked(JINGDEZHEN_CODE)}", JINGDEZHEN,
                             masked(JINGDEZHEN_CODE)), "2025-03-02")]})
    run_matching(url)
    app = create_app(url, root / "artifacts", TESTING=True)
    with app.test_client() as client:
        yield client


def test_a_branch_page_shows_its_parent_but_not_its_sibling_branches(
        branch_client: FlaskClient) -> None:
    body = branch_client.get(f"/companies/{NANCHANG_CODE}.json").get_json()
    names = {r["company_name"] for r in body["rows"]}
    assert names == {NANCHANG, MOBILE}  # the parent's tax and court records; no sibling
    assert JINGDEZHEN not in branch_client.get(f"/companies/{NANCHANG_CODE}").get_data(as_text=True)
    assert {m["method"] for m in body["matches"]} == {"name_branch", "masked_uscc+name"}


def test_a_branch_page_labels_its_parents_records(branch_client: FlaskClient) -> None:
    html = branch_client.get(f"/companies/{NANCHANG_CODE}").get_data(as_text=True)
    assert html.count('data-relation="parent company"') == 2  # tax and court record
    assert html.count('data-relation="this company"') == 1
    assert "Parent company:" in html
    body = branch_client.get(f"/companies/{NANCHANG_CODE}.json").get_json()
    assert sorted(r["relation"] for r in body["rows"]) == [
        "parent company", "parent company", "this company"]
    assert "relation" in branch_client.get(f"/companies/{NANCHANG_CODE}.csv").get_data().decode(
        "utf-8-sig").splitlines()[0].split(",")


def test_a_parent_page_shows_each_branch_office(branch_client: FlaskClient) -> None:
    body = branch_client.get(f"/companies/{MOBILE_CODE}.json").get_json()
    assert {r["company_name"] for r in body["rows"]} == {MOBILE, NANCHANG, JINGDEZHEN}
    html = branch_client.get(f"/companies/{MOBILE_CODE}").get_data(as_text=True)
    assert html.count('data-relation="branch office"') == 3  # two tax records, one court
    assert html.count('data-relation="this company"') == 2


def test_branch_side_tells_the_parent_from_the_branch() -> None:
    from dashboards.views.companies_data import BRANCH, PARENT, branch_side

    reason = f"branch: {NANCHANG} is a branch office (南昌分公司) of {MOBILE}, by name"
    assert branch_side(reason, NANCHANG, MOBILE) == PARENT
    assert branch_side(reason, MOBILE, NANCHANG) == BRANCH
    # Read from another name than the subject's (a foreign list's Chinese name): by the names.
    assert branch_side("branch: x is a branch office (y) of z, by name",
                       "HUAWEI TECHNOLOGIES CO., LTD. BEIJING BRANCH",
                       "HUAWEI TECHNOLOGIES CO., LTD.") == PARENT


# -- keys holding "/" or ending in a twin's suffix: every link the list gives opens -------------

# Keys as the World Bank parser writes them (name|country), and court-list keys (the name as
# published, case kept) that end in a twin's suffix; `DUP` and `DUP.json` are both companies.
SLASH_KEYS = {
    "name:M/S SUNAULA KHIMTI|NP": "M/S SUNAULA KHIMTI",
    "name:VICTOR FOREST ET CO/SOCIÉTÉ D'INGÉNIERIE ET DE TOPOGRAPHIE|HT":
        "VICTOR FOREST ET CO/SOCIÉTÉ D'INGÉNIERIE ET DE TOPOGRAPHIE",
    "name:EMMYWAYS ENGINEERING/CONSTRUCTION LIMITED|UG":
        "EMMYWAYS ENGINEERING/CONSTRUCTION LIMITED",
}
SUFFIX_KEYS = {"name:某某数据/2024.json": "某某数据/2024.json", "name:某某报表.csv": "某某报表.csv",
               "name:DUP": "DUP", "name:DUP.json": "DUP.json"}


@pytest.fixture(scope="module")
def key_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    root = tmp_path_factory.mktemp("keys")
    url = f"sqlite:///{root / 'store.sqlite'}"
    write_store(url, root, {
        "worldbank_debarred": [
            row(f"wb-{i}", company(key, name), {"list_name": "World Bank", "names": [name],
                                               "country": key[-2:], "listed_on": "2024-09-01"})
            for i, (key, name) in enumerate(SLASH_KEYS.items())],
        "court_dishonest": [court(20 + i, company(key, name), "2025-03-01")
                            for i, (key, name) in enumerate(SUFFIX_KEYS.items())]})
    app = create_app(url, root / "artifacts", TESTING=True)
    with app.test_client() as client:
        yield client


def _list_links(client: FlaskClient) -> dict[str, str]:
    """href -> company name, from the HTML list itself."""
    html = client.get("/companies?per_page=100").get_data(as_text=True)
    return {unescape(href): unescape(name) for href, name in
            re.findall(r'<a href="(/companies/[^"]+)">([^<]+)</a>', html)}


def test_every_link_the_list_gives_opens_with_its_twins(key_client: FlaskClient) -> None:
    links = _list_links(key_client)
    assert set(links.values()) == set(SLASH_KEYS.values()) | set(SUFFIX_KEYS.values())
    assert "/companies/name:M/S%20SUNAULA%20KHIMTI%7CNP" in links  # the reviewer's link
    for link, name in links.items():
        page = key_client.get(link)
        assert page.status_code == 200, link
        heading = re.search(r"<h1>(.*?)</h1>", page.get_data(as_text=True))
        assert heading is not None and unescape(heading[1]) == name, link
        body = key_client.get(f"{link}.json").get_json()
        assert body["company"]["name"] == name, link
        twin = key_client.get(f"{link}.csv")
        assert twin.status_code == 200 and twin.mimetype == "text/csv", link
        # The twins the page links to itself.
        for href in re.findall(r'href="([^"]+)" rel="alternate"', page.get_data(as_text=True)):
            assert key_client.get(unescape(href)).status_code == 200, href


@pytest.mark.parametrize("key", sorted(SLASH_KEYS))
def test_a_slash_written_as_2f_opens_the_same_company(key_client: FlaskClient, key: str) -> None:
    encoded = quote(key, safe="")  # "/" as %2F, as a client that encodes every reserved char
    assert "%2F" in encoded
    for suffix in ("", ".json", ".csv"):
        assert key_client.get(f"/companies/{encoded}{suffix}").status_code == 200, suffix
    assert key_client.get(f"/companies/{encoded}.json").get_json()["company"]["key"] == key


def test_a_key_ending_in_a_twin_suffix(key_client: FlaskClient) -> None:
    def key_of(path: str) -> str:
        return key_client.get(path).get_json()["company"]["key"]

    # `X.json` is the twin of X when X is a company; the list links the page of the company
    # `X.json` as `X.json.html`, whose twins are `X.json.html.json` and `.csv`.
    assert key_of("/companies/name:DUP.json") == "name:DUP"
    assert key_client.get("/companies/name:DUP").mimetype == "text/html"
    links = _list_links(key_client)
    assert links["/companies/name:DUP.json.html"] == "DUP.json"
    assert links["/companies/name:DUP"] == "DUP"
    assert key_of("/companies/name:DUP.json.html.json") == "name:DUP.json"
    assert key_of("/companies/name:DUP.json.json") == "name:DUP.json"
    # When nothing else claims the path, a key's own suffix stays part of it.
    page = key_client.get("/companies/name:某某数据/2024.json")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert key_of("/companies/name:某某数据/2024.json.json") == "name:某某数据/2024.json"
    assert key_client.get("/companies/name:某某报表.csv").mimetype == "text/html"
    assert key_client.get("/companies/name:某某报表.csv.csv").mimetype == "text/csv"
    # A page that needs no mark may still be written with one.
    assert key_client.get("/companies/name:DUP.html").mimetype == "text/html"
    assert key_of("/companies/name:DUP.html.json") == "name:DUP"


@pytest.mark.parametrize("path", ["/companies/name:M/S%20NOBODY%7CNP",
                                  "/companies/name:M/S%20NOBODY%7CNP.json",
                                  "/companies/name:M/S%20NOBODY%7CNP.csv", "/companies/.json",
                                  "/companies/name:M/S%20SUNAULA%20KHIMTI%7CNP/"])
def test_unknown_keys_with_a_slash_are_404(key_client: FlaskClient, path: str) -> None:
    assert key_client.get(path).status_code == 404


@pytest.mark.parametrize("key", sorted(SLASH_KEYS))
def test_the_api_profile_opens_keys_with_a_slash(key_client: FlaskClient, key: str) -> None:
    for path in (quote(key, safe="/:|"), quote(key, safe="")):  # "/" as it is, and as %2F
        response = key_client.get(f"/api/v1/companies/{path}")
        assert response.status_code == 200, path
        assert response.get_json()["company"]["key"] == key

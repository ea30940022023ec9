"""Where the firm is: one name in two countries is a group's affiliates, not one firm.

The reviewer's case is in the World Bank's own workbook: FUTURE NETWINGS SOLUTIONS PVT LTD
(Singapore) and FUTURE NETWINGS SOLUTIONS LLC. (United States), debarred with different
countries and addresses, were joined by name at 0.9. A name alone now never joins records
that both say where the firm is and share no country; codes still do, and a branch abroad
still joins a parent of its own legal form. Rows of one cited CSL listing (AL NASER WINGS
AIRLINES in Baghdad and Dubai) are one firm with addresses in two countries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.store.test_company_matches import active_matches, company, make_uscc, row, tax
from tests.test_companies_review import write_store
from watchdog.companies import classify_identifier, normalise_name
from watchdog.companies_match import CompanyRecord, compare
from watchdog.companies_store import read_payload, run_matching
from watchdog.parsers import us_csl
from watchdog.privacy import Keyer


def firm(rid: int, name: str, *countries: str, code: str | None = None,
         source: str = "worldbank_debarred") -> CompanyRecord:
    """A record as `load_records` builds it from one foreign-list payload."""
    rec = CompanyRecord(rid, f"k{rid}")
    rec.add_name(normalise_name(name), f"foreign list {source}: name")
    payload: dict[str, Any] = {"names": [name], "countries": list(countries),
                               "country": countries[0] if countries else None}
    read_payload(rec, source, payload)
    if code:
        rec.add_identifiers(classify_identifier(code, origin="published code"))
    return rec


def test_the_reviewers_pair_in_two_countries_does_not_match() -> None:
    sg = firm(1, "FUTURE NETWINGS SOLUTIONS PVT LTD", "SG")
    us = firm(2, "FUTURE NETWINGS SOLUTIONS LLC.", "US")
    assert sg.countries == {"SG"} and us.countries == {"US"}
    assert compare(sg, us) is None
    assert compare(us, sg) is None


@pytest.mark.parametrize(("a", "b"), [
    ("ABC TRADING LIMITED", "ABC TRADING LIMITED"),     # one name, one form
    ("ABC TRADING LIMITED", "ABC TRADING GMBH"),         # and another form
    ("HUAXIN ELECTRONICS CO LTD", "HUAXIN ELECTRONIC CO LTD"),  # name_fuzzy
])
def test_a_name_alone_never_joins_two_countries(a: str, b: str) -> None:
    assert compare(firm(1, a, "GB"), firm(2, b, "NG")) is None
    same = compare(firm(1, a, "GB"), firm(2, b, "GB"))
    assert same is not None and same.method in {"name_exact", "name_fuzzy"}
    assert "both in GB" in same.reason


def test_countries_as_the_lists_write_them() -> None:
    # OFAC writes "China", the World Bank "Hong Kong SAR, China", the CSL ISO codes; addresses
    # carry them too. Text that is no country keeps nothing apart.
    rec = CompanyRecord(1, "k1")
    read_payload(rec, "ofac_sdn", {"country": "China", "countries": ["Hong Kong SAR, China"],
                                   "addresses": [{"address": "x", "country": "United States"},
                                                 {"country": None}, "not an address"]})
    assert rec.countries == {"CN", "HK", "US"}
    unknown = CompanyRecord(2, "k2")
    read_payload(unknown, "us_csl", {"country": "Atlantis", "countries": []})
    assert unknown.countries == set()


@pytest.mark.parametrize(("countries_a", "countries_b"), [
    ((), ()), (("SG",), ()), ((), ("US",)),  # where one record is silent, the name decides
    (("SG", "US"), ("US",)),                 # a country in common
])
def test_a_name_joins_where_no_country_contradicts(countries_a: tuple[str, ...],
                                                    countries_b: tuple[str, ...]) -> None:
    m = compare(firm(1, "FUTURE NETWINGS SOLUTIONS PVT LTD", *countries_a),
                firm(2, "FUTURE NETWINGS SOLUTIONS LLC.", *countries_b))
    assert m is not None and m.method == "name_exact" and "legal forms differ" in m.reason


def test_domestic_sources_state_no_country() -> None:
    home = CompanyRecord(1, "k1")
    read_payload(home, "tax_a_list", {"name": "华为技术有限公司", "country": "CN"})
    assert home.countries == set()
    given = firm(2, "HUAWEI TECHNOLOGIES CO., LTD.", "CN", source="ofac_sdn")
    given.add_name(normalise_name("华为技术有限公司"), "foreign list ofac_sdn: names")
    m = compare(home, given)
    assert m is not None and m.method == "chinese_name_from_foreign_list"


def test_codes_still_join_across_countries() -> None:
    code = make_uscc("440300", "19224963")
    m = compare(firm(1, "HUAWEI TECHNOLOGIES CO., LTD.", "CN", code=code),
                firm(2, "HUAWEI TECHNOLOGIES (HK) LTD", "HK", code=code, source="us_csl"))
    assert m is not None and m.method == "uscc"


def test_a_branch_abroad_joins_a_parent_of_its_own_form_only() -> None:
    parent = firm(1, "BURHANI ENGINEERS LTD.", "KE")
    rwanda = firm(2, "BURHANI ENGINEERS LTD, RWANDA (BRANCH)", "RW")
    m = compare(parent, rwanda)
    assert m is not None and m.method == "name_branch" and "records in RW / KE" in m.reason
    affiliate = firm(3, "BURHANI ENGINEERS LLC DUBAI BRANCH", "AE")
    assert compare(parent, affiliate) is None
    at_home = compare(firm(4, "BURHANI ENGINEERS LLC", "KE"),
                      firm(5, "BURHANI ENGINEERS LTD. NAIROBI BRANCH", "KE"))
    assert at_home is not None and at_home.method == "name_branch"
    assert "legal forms differ" in at_home.reason


def test_one_firm_debarred_under_two_spellings_of_its_form_is_joined() -> None:
    # The World Bank's file (data/mirror/worldbank_debarred): one affiliate, two rows, one
    # written PRIVATE LIMITED and one PVT. LTD., both in New Delhi.
    m = compare(firm(1, "PSL ENGINEERING PRIVATE LIMITED", "IN"),
                firm(2, "PSL ENGINEERING PVT. LTD.", "IN"))
    assert m is not None and (m.method, m.score) == ("name_exact", 1.0)
    assert m.reason.endswith("; both in IN")


def _wb(n: int, name: str, country: str) -> Any:
    return row(f"wb-{n}", company(f"name:{name.rstrip('.')}|{country}", name),
               {"list_name": "World Bank", "names": [name], "country": country,
                "countries": [country],
                "addresses": [{"address": f"{n} Road", "country": country}]})


def test_the_world_bank_affiliates_in_a_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    write_store(url, tmp_path, {
        "worldbank_debarred": [
            _wb(1, "FUTURE NETWINGS SOLUTIONS PVT LTD", "SG"),
            _wb(2, "FUTURE NETWINGS SOLUTIONS LLC.", "US"),
            _wb(3, "FUTURE NETWINGS SOLUTIONS PRIVATE LIMITED", "IN"),
            _wb(4, "SHARDA IMPEX (U.K.) LTD.", "GB"), _wb(5, "SHARDA IMPEX (U.K.) LTD.", "NG"),
            _wb(6, "FEDDERS LLOYD CORPORATION LTD", "IN"),
            _wb(7, "FEDDERS LLOYD CORPORATION LIMITED", "IN")],
        "tax_a_list": [tax(make_uscc("360100", "74196683"), "南昌某某有限公司", 2018)]})
    summary = run_matching(url)
    found = active_matches(url)
    # Only the one firm listed twice in one country is joined.
    assert set(found) == {frozenset({"FEDDERS LLOYD CORPORATION LTD",
                                     "FEDDERS LLOYD CORPORATION LIMITED"})}
    assert summary.by_method == {"name_exact": 1}


# -- one listing, several countries ------------------------------------------------------------

CSL_SAMPLE = Path(__file__).parent / "fixtures/shared_samples/trade_gov_csl/csl.csv"
NASER = "AL NASER WINGS AIRLINES"
NASER_NOTICES = ["82 F.R. 61745 12/29/2017", "83 F.R. 28801 6/21/2018", "84 F.R. 27233 6/12/2019"]


def csl(rid: int, name: str, country: str, notices: list[str], *, list_code: str = "DPL",
        listed_on: str = "2019-06-05", listed_until: str = "2019-12-03") -> CompanyRecord:
    """A record as `load_records` builds it from one CSL row (see `us_csl_rows.record_draft`)."""
    rec = CompanyRecord(rid, f"name:{name}|{country}")
    rec.add_name(normalise_name(name), "foreign list us_csl: name")
    read_payload(rec, "us_csl", {
        "list_name": f"List ({list_code})", "list_code": list_code, "names": [name],
        "country": country, "countries": [country], "listed_on": listed_on,
        "listed_until": listed_until, "federal_register_notices": notices,
        "addresses": [{"address": f"{rid} Street", "country": country}]})
    return rec


def test_rows_of_one_cited_listing_join_across_countries() -> None:
    # csl.csv lines 67-68: the Denied Persons List's one entry, written once per country; the
    # second row spells a notice "83F.R." and spaces the cell differently.
    baghdad = csl(1, NASER, "IQ", NASER_NOTICES)
    dubai = csl(2, NASER, "AE", ["82 F.R. 61745 12/29/2017", "83F.R. 28801 6/21/2018",
                                 "84 F.R. 27233 6/12/2019"])
    m = compare(baghdad, dubai)
    assert m is not None and m.method == "name_exact" and m.score == 1.0
    assert "records in IQ / AE are rows of one us_csl DPL listing" in m.reason
    assert "82 FR 61745, 83 FR 28801, 84 FR 27233" in m.reason


@pytest.mark.parametrize("other", [
    # The same name on the same list, but another entry: other notices, or other dates.
    csl(2, NASER, "AE", ["85 F.R. 10000 2/2/2020"]),
    csl(2, NASER, "AE", NASER_NOTICES, listed_on="2020-06-05", listed_until="2020-12-03"),
    csl(2, NASER, "AE", NASER_NOTICES, list_code="EL"),   # another list's entry
    csl(2, NASER, "AE", []),                              # a row that cites nothing
    csl(2, f"{NASER} LLC", "AE", NASER_NOTICES),          # another name in the row
    firm(2, NASER, "AE", source="worldbank_debarred"),    # another list altogether
])
def test_a_name_in_two_countries_stays_apart_without_one_listing(other: CompanyRecord) -> None:
    baghdad = csl(1, NASER, "IQ", NASER_NOTICES)
    assert compare(baghdad, other) is None
    assert compare(other, baghdad) is None


def test_same_name_firms_in_two_countries_on_one_list_stay_apart() -> None:
    # Two Entity List firms of one name, each listed by its own notice: namesakes, not one firm.
    istanbul = csl(1, "ABC TRADING LLC", "TR", ["87 FR 13048 3/8/2022"], list_code="EL",
                   listed_on="2022-03-08", listed_until="")
    dubai = csl(2, "ABC TRADING LLC", "AE", ["88 FR 12150 2/24/2023"], list_code="EL",
                listed_on="2023-02-24", listed_until="")
    assert compare(istanbul, dubai) is None


def test_another_name_is_not_joined_by_a_listing() -> None:
    # OFAC's AL NASER AIRLINES is not in the samples; another name stays another firm.
    ofac = firm(2, "AL NASER AIRLINES", "IQ", source="ofac_sdn")
    assert compare(csl(1, NASER, "IQ", NASER_NOTICES), ofac) is None


def test_the_sample_csl_rows_are_matched_in_a_store(tmp_path: Path) -> None:
    parsed = us_csl.parse_bytes(CSL_SAMPLE.read_bytes(), Keyer(b"test-secret-csl!" * 2))
    rows = [row(d.record_key, d.subject, d.payload) for d in parsed.drafts
            if d.subject["kind"] == "company" and d.subject["name"] == NASER]
    assert sorted(r.subject["key"] for r in rows) == [f"name:{NASER}|AE", f"name:{NASER}|IQ"]
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    write_store(url, tmp_path, {"us_csl": rows})
    summary = run_matching(url)
    assert summary.by_method == {"name_exact": 1}
    (method, score, reason), = active_matches(url).values()
    assert (method, score) == ("name_exact", 1.0) and "rows of one us_csl DPL listing" in reason

"""Where the firm is: one name in two countries is a group's affiliates, not one firm.

The reviewer's case is in the World Bank's own workbook: FUTURE NETWINGS SOLUTIONS PVT LTD
(Singapore) and FUTURE NETWINGS SOLUTIONS LLC. (United States), debarred with different
countries and addresses, were joined by name at 0.9. A name alone now never joins records
that both say where the firm is and share no country; codes still do, and a branch abroad
still joins a parent of its own legal form.
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

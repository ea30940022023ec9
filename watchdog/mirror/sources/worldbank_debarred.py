"""Mirror pages of `worldbank_debarred`: the public debarred-firms page (which names the API and
its public key in its script) and the JSON API behind it. Partly REAL, partly SYNTHETIC DEMO
DATA (see data/mirror/worldbank_debarred/NOTES.md).

- Real: the firm rows of the July 2025 Excel export (individuals left out), converted to the
  API's field names in data/mirror/worldbank_debarred/firms.json. SUPP_ID is synthetic: the
  export has none.
- Synthetic: court-list mirror companies (English name; Chinese name and USCC in
  ADD_SUPP_INFO, as the Bank publishes Chinese firms) and invented individuals (SUPP_TYPE_CODE
  "I").

Page indexes: the page 0, the API 1 (so `fail_from_page=1` lets the page through and stops the
list). Layout switch: rows gain `RISK_RATING`. Captcha switch: HTTP 403 with a bot-check page.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from watchdog.mirror.sources import HTML_TYPE, JSON_TYPE, SourcePage, route
from watchdog.mirror.sources.ofac_sdn_shared import court_companies, synthetic_persons

DATA = Path(__file__).resolve().parents[3] / "data" / "mirror" / "worldbank_debarred"
PAGE = "/en/projects-operations/procurement/debarred-firms"
API = "/dvsvc/v1.0/json/APPLICATION/ADOBE_EXPRNCE_MGR/FIRM/SANCTIONED_FIRM"
API_HOST = "https://apigwext.worldbank.org"
MIRROR_KEY = "mirrorDemoKeyNotASecret0001"  # the mirror's stand-in for the page's public key


def captcha() -> tuple[int, bytes, str]:
    body = ("<!DOCTYPE html><html><head><title>Access to this page has been denied</title>"
            "</head><body><div id=\"px-captcha\"></div><p>Press &amp; hold to confirm you are a "
            "human (and not a bot).</p><p>SYNTHETIC DEMO DATA (Scorewatch mirror)</p>"
            "</body></html>")
    return 403, body.encode("utf-8"), HTML_TYPE


def page_body() -> bytes:
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Procurement - "
        "World Bank Listing of Ineligible Firms and Individuals</title></head><body>"
        "<h1>World Bank Listing of Ineligible Firms and Individuals</h1>"
        "<p>Scorewatch offline mirror: partly SYNTHETIC DEMO DATA.</p>"
        "<div id=\"k-grid\"></div><script>"
        f"var prodtabApi = \"{API_HOST}{API}\";\n"
        f"var propApiKey = \"{MIRROR_KEY}\";\n"
        "$.ajax({url: prodtabApi, headers: {\"apikey\": propApiKey}});"
        "</script></body></html>").encode()


@lru_cache(maxsize=2)
def rows(day: int) -> tuple[dict[str, Any], ...]:
    firms = json.loads((DATA / "firms.json").read_text(encoding="utf-8"))
    if day == 2:  # one real firm's debarment ended
        firms = firms[1:]
    out: list[dict[str, Any]] = []
    for i, firm in enumerate(firms):
        out.append({"SUPP_ID": 700000 + i, "SUPP_TYPE_CODE": "F", **firm})
    for company in court_companies(6, 12, day):
        n = int(company["index"])
        out.append({"SUPP_ID": 800000 + n, "SUPP_TYPE_CODE": "F",
                    "SUPP_NAME": company["english"],
                    "ADD_SUPP_INFO": f"({company['chinese']})({company['uscc']})*9{n:02d}",
                    "SUPP_ADDR": f"NO. {n + 3} DEVELOPMENT ROAD", "SUPP_CITY": company["city"],
                    "COUNTRY_NAME": "China", "LAND1": "CN",
                    "DEBAR_FROM_DATE": f"2025-0{1 + n % 9}-0{1 + n % 9}",
                    "DEBAR_TO_DATE": "2999-12-31" if n % 3 == 0 else "2028-06-30",
                    "DEBAR_REASON": "Fraudulent Practice" if n % 2 else "Cross Debarment: ADB",
                    "INELIGIBLY_STATUS": "Permanent" if n % 3 == 0 else "Ongoing"})
    for j, (family, given) in enumerate(synthetic_persons("worldbank_debarred", 4)):
        out.append({"SUPP_ID": 810000 + j, "SUPP_TYPE_CODE": "I",
                    "SUPP_NAME": f"MR. {given.upper()} {family}",
                    "ADD_SUPP_INFO": f"(a.k.a. {given.split()[0].upper()} {family})*95{j}",
                    "SUPP_ADDR": f"FLAT {j + 1}, {j + 10} GARDEN LANE", "SUPP_CITY": "SHENZHEN",
                    "COUNTRY_NAME": "China", "LAND1": "CN", "DEBAR_FROM_DATE": "2024-11-05",
                    "DEBAR_TO_DATE": "2027-11-04", "DEBAR_REASON": "Corrupt Practice",
                    "INELIGIBLY_STATUS": "Ongoing"})
    return tuple(out)


def api_body(day: int, layout: bool) -> bytes:
    items = [dict(r, RISK_RATING="B") if layout else r for r in rows(day)]
    return json.dumps({"response": {"ZPROCSUPP": items}}, ensure_ascii=False).encode("utf-8")


@route(PAGE)
def page(params: dict[str, str], day: int) -> SourcePage:
    return SourcePage("worldbank_debarred", 0, ("page",), lambda layout: page_body(), HTML_TYPE,
                      captcha())


@route(API)
def api(params: dict[str, str], day: int) -> SourcePage:
    return SourcePage("worldbank_debarred", 1, ("api",), lambda layout: api_body(day, layout),
                      JSON_TYPE, captcha())

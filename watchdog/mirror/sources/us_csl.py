"""Mirror pages of `us_csl`: the Consolidated Screening List's static CSV and JSON downloads.
Partly REAL, partly SYNTHETIC DEMO DATA (see data/mirror/us_csl/NOTES.md).

- Real: the company-level rows of the 2019 CSL test file (persons left out), copied to
  data/mirror/us_csl/csl_companies.csv.
- Synthetic: court-list mirror companies on the BIS Entity List (English name, the Chinese
  name among the aliases for some, the USCC among the ids for others), and invented persons:
  two SDN individuals and two Entity List / Denied Persons rows with no type, as the real
  lists publish them.

One page each (index 0). Layout switch: a `risk_score` column / key. Captcha switch: HTTP 405
with an AWS WAF-style human-verification page, as api.trade.gov's gateway would answer.
"""

from __future__ import annotations

import csv
import io
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from watchdog.mirror.sources import CSV_TYPE, HTML_TYPE, JSON_TYPE, SourcePage, route
from watchdog.mirror.sources.ofac_sdn_shared import court_companies, synthetic_persons

DATA = Path(__file__).resolve().parents[3] / "data" / "mirror" / "us_csl"
BASE = "/static/consolidated_screening_list/"
EL = "Entity List (EL) - Bureau of Industry and Security"
SDN = "Specially Designated Nationals (SDN) - Treasury Department"
DPL = "Denied Persons List (DPL) - Bureau of Industry and Security"
EAR = "For all items subject to the EAR.  (See §744.11 of the EAR)"


def captcha() -> tuple[int, bytes, str]:
    body = ("<!DOCTYPE html><html lang=\"en\"><head><title>Human Verification</title>"
            "<script src=\"https://mirror.invalid/challenge.js\"></script></head><body>"
            "<div id=\"captcha-container\"></div><noscript>JavaScript is required for the "
            "AwsWafIntegration captcha.</noscript><p>SYNTHETIC DEMO DATA (Scorewatch mirror)</p>"
            "</body></html>")
    return 405, body.encode("utf-8"), HTML_TYPE


@lru_cache(maxsize=2)
def records(day: int) -> tuple[list[str], list[dict[str, str]]]:
    """(header, rows as dicts) for the day."""
    text = (DATA / "csl_companies.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = list(reader.fieldnames or [])
    rows = list(reader)
    if day == 2:  # one real Entity List row delisted
        rows = [r for r in rows if r["name"] != "A.C. International"]

    def row(**values: str) -> dict[str, str]:
        return {h: values.get(h, "") for h in header}

    for company in court_companies(3, 9, day):
        n = int(company["index"])
        ids = f"CN, {company['uscc']}, Unified Social Credit Code (USCC)" if n % 2 else ""
        aliases = company["chinese"] if not n % 2 else f"{company['city']} {n} Co."
        rows.append(row(source=EL, name=company["english"],
                        addresses=f"No. {n + 8} Industrial Road, {company['city']}, CN",
                        federal_register_notice=f"89 FR {21000 + n * 17}",
                        start_date=f"2024-0{1 + n % 9}-1{n % 9}", license_requirement=EAR,
                        license_policy="Presumption of denial.", alt_names=aliases, ids=ids,
                        source_list_url="http://bit.ly/1L47xrV",
                        source_information_url="http://bit.ly/1L47xrV"))
    people = synthetic_persons("us_csl", 4)
    for j, (family, given) in enumerate(people):
        if j < 2:
            rows.append(row(source=SDN, entity_number=str(98000 + j), type="Individual",
                            programs="SDGT", name=f"{given} {family}",
                            addresses="Room 5, Tower 2, Shenzhen, CN",
                            alt_names=f"{family}, {given.split()[0]}",
                            dates_of_birth=f"1970-0{j + 1}-02", citizenships="CN",
                            ids=f"CN, E7{j}00{j}4521, Passport"))
        else:
            rows.append(row(source=EL if j == 2 else DPL, name=f"{given} {family}",
                            addresses=f"Flat {j}, Harbour Road, Wanchai, HK",
                            federal_register_notice="88 FR 12001", start_date="2023-03-03"))
    return header, rows


def csv_body(day: int, layout: bool) -> bytes:
    header, rows = records(day)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*header, "risk_score"] if layout else header)
    for rec in rows:
        writer.writerow([rec[h] for h in header] + (["0.8"] if layout else []))
    return buf.getvalue().encode("utf-8")


def _json_record(rec: dict[str, str], layout: bool) -> dict[str, Any]:
    def split(value: str) -> list[str]:
        return [v.strip() for v in value.split(";") if v.strip()]

    out: dict[str, Any] = {k: v for k, v in rec.items() if k not in ("addresses", "ids", "_id")}
    out["id"] = rec.get("_id") or None
    for key in ("programs", "alt_names", "citizenships", "dates_of_birth", "nationalities",
                "places_of_birth"):
        out[key] = split(rec.get(key, ""))
    out["addresses"] = []
    for text in split(rec.get("addresses", "")):
        street, _, country = text.rpartition(", ")
        out["addresses"].append({"address": street if len(country) == 2 else text,
                                 "city": "", "state": "", "postal_code": "",
                                 "country": country if len(country) == 2 else ""})
    out["ids"] = []
    for text in split(rec.get("ids", "")):
        parts = [p.strip() for p in text.split(", ")]
        if len(parts) >= 3 and len(parts[0]) == 2:
            out["ids"].append({"country": parts[0], "number": parts[1],
                               "type": ", ".join(parts[2:])})
        elif len(parts) >= 2:
            out["ids"].append({"country": "", "number": parts[0], "type": ", ".join(parts[1:])})
    if layout:
        out["risk_score"] = 0.8
    return out


def json_body(day: int, layout: bool) -> bytes:
    _, rows = records(day)
    results = [_json_record(r, layout) for r in rows]
    body = {"total": len(results), "sources_used": [], "results": results}
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


@route(BASE + "consolidated.csv")
def csv_file(params: dict[str, str], day: int) -> SourcePage:
    return SourcePage("us_csl", 0, ("csv",), lambda layout: csv_body(day, layout), CSV_TYPE,
                      captcha(), one_document=True)


@route(BASE + "consolidated.json")
def json_file(params: dict[str, str], day: int) -> SourcePage:
    return SourcePage("us_csl", 0, ("json",), lambda layout: json_body(day, layout), JSON_TYPE,
                      captcha(), one_document=True)

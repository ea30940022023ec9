"""Mirror pages of `ofac_sdn`: the SDN legacy CSV set and SDN.XML at the sanctions list
service's paths. Partly REAL, partly SYNTHETIC DEMO DATA (see data/mirror/ofac_sdn/NOTES.md).

- Real: the company, vessel and aircraft rows of the watchman test subset (individuals left
  out), copied to data/mirror/ofac_sdn/.
- Synthetic: court-list mirror companies as Chinese entities (English name, USCC in the
  remarks, addresses in China and one in Hong Kong), and invented individuals.

Page indexes for `fail_from_page`: ADD.CSV 0, ALT.CSV 1, SDN_COMMENTS.CSV 2, SDN.CSV 3 (the
spider's order), SDN.XML 0. Layout switch: every CSV row gains one more column than the file
documents, every XML entry a `<riskLevel>`. Captcha switch: a 200 bot-check page.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from watchdog.mirror.sources import CSV_TYPE, HTML_TYPE, XML_TYPE, SourcePage, route
from watchdog.mirror.sources.ofac_sdn_shared import court_companies, synthetic_persons

DATA = Path(__file__).resolve().parents[3] / "data" / "mirror" / "ofac_sdn"
BASE = "/api/PublicationPreview/exports/"
FILES = {"ADD.CSV": ("add", 0), "ALT.CSV": ("alt", 1), "SDN_COMMENTS.CSV": ("comments", 2),
         "SDN.CSV": ("sdn", 3)}
PROGRAMS = ("NPWMD] [IFSR", "RUSSIA-EO14024", "SDNTK", "IRAN-EO13846")
NULL = "-0- "
Rows = dict[str, list[list[str]]]


def captcha() -> tuple[int, bytes, str]:
    body = ("<!DOCTYPE html><html><head><title>Security check</title></head><body>"
            "<h1>Please verify you are a human</h1><p>Our systems have detected unusual traffic."
            "</p><div class=\"g-recaptcha\" data-sitekey=\"mirror\"></div>"
            "<p>SYNTHETIC DEMO DATA (Scorewatch mirror)</p></body></html>")
    return 200, body.encode("utf-8"), HTML_TYPE


@lru_cache(maxsize=2)
def rows(day: int) -> Rows:
    """Every row of the four files for the day: the real sample rows, then synthetic ones."""
    out: Rows = {}
    for kind, fname in (("sdn", "sdn.csv"), ("add", "add.csv"), ("alt", "alt.csv"),
                        ("comments", "sdn_comments.csv")):
        text = (DATA / fname).read_text(encoding="utf-8")
        out[kind] = [r for r in csv.reader(io.StringIO(text, newline="")) if r]
    if day == 2:  # one real entity delisted
        out = {k: [r for r in v if r[0] != "12685"] for k, v in out.items()}
    add_num = 900000
    for i, company in enumerate(court_companies(0, 6, day)):
        uid = str(91000 + int(company["index"]))
        remarks = (f"Unified Social Credit Code (USCC) {company['uscc']} (China); "
                   f"Organization Established Date 2008; a.k.a. '{company['city'].upper()} "
                   f"{company['english'].split()[1]} CO'; Additional Sanctions Information - "
                   "Subject to Secondary Sanctions.")
        out["sdn"].append([uid, company["english"], NULL, PROGRAMS[i % len(PROGRAMS)], NULL, NULL,
                           NULL, NULL, NULL, NULL, NULL, remarks])
        hk = i == 2
        out["add"].append([uid, str(add_num + i), f"No. {10 + i} {company['city']} Road",
                           "Kowloon" if hk else company["city"], "Hong Kong" if hk else "China",
                           NULL])
        out["alt"].append([uid, str(add_num + 50 + i), "aka", company["chinese"], NULL])
    for j, (family, given) in enumerate(synthetic_persons("ofac_sdn", 4)):
        uid = str(99000 + j)
        out["sdn"].append([uid, f"{family}, {given}", "individual", PROGRAMS[j % 4], NULL, NULL,
                           NULL, NULL, NULL, NULL, NULL,
                           f"DOB 0{j + 1} Jan 197{j}; nationality China; Gender Male; Passport "
                           f"E9{j}0012{j}45 (China); a.k.a. '{given.split()[0].upper()} "
                           f"{family}'."])
        out["add"].append([uid, str(add_num + 100 + j), NULL, "Shenzhen", "China", NULL])
        out["alt"].append([uid, str(add_num + 150 + j), "aka", f"{family}, {given.split()[0]}",
                           NULL])
    return out


def _field(value: str) -> str:
    # As OFAC writes them: numbers and the null marker bare, all text quoted.
    if value == NULL or value.isdigit():
        return value
    return '"' + value.replace('"', '""') + '"'


def csv_body(kind: str, day: int, layout: bool) -> bytes:
    lines = [",".join(_field(v) for v in ([*row, "HIGH"] if layout else row))
             for row in rows(day)[kind]]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8") + b"\x1a"


def xml_body(day: int, layout: bool) -> bytes:
    data = rows(day)
    adds: dict[str, list[list[str]]] = {}
    alts: dict[str, list[list[str]]] = {}
    for r in data["add"]:
        adds.setdefault(r[0], []).append(r)
    for r in data["alt"]:
        alts.setdefault(r[0], []).append(r)
    comments = {r[0]: r[1] for r in data["comments"]}

    def el(tag: str, value: str | None) -> str:
        value = (value or "").strip()
        return f"<{tag}>{escape(value)}</{tag}>" if value and value != "-0-" else ""

    entries = []
    for r in data["sdn"]:
        uid, name, kind = r[0], r[1], (r[2].strip() if r[2].strip() != "-0-" else "Entity")
        last, _, first = name.partition(", ") if kind == "individual" else (name, "", "")
        parts = [el("uid", uid), el("firstName", first), el("lastName", last),
                 el("sdnType", kind.title()), el("remarks", r[11] + comments.get(uid, "")),
                 "<programList>" + "".join(el("program", p.strip(" []"))
                                           for p in r[3].split("] [")) + "</programList>"]
        parts.append("<akaList>" + "".join(
            f"<aka>{el('uid', a[1])}{el('type', 'a.k.a.')}{el('category', 'strong')}"
            f"{el('lastName', a[3])}</aka>" for a in alts.get(uid, [])) + "</akaList>")
        parts.append("<addressList>" + "".join(
            f"<address>{el('uid', a[1])}{el('address1', a[2])}{el('city', a[3])}"
            f"{el('country', a[4])}</address>" for a in adds.get(uid, [])) + "</addressList>")
        if layout:
            parts.append("<riskLevel>HIGH</riskLevel>")
        entries.append("<sdnEntry>" + "".join(parts) + "</sdnEntry>")
    head = ('<?xml version="1.0" standalone="yes"?>\n<sdnList xmlns="http://tempuri.org/'
            'sdnList.xsd"><publshInformation><Publish_Date>'
            f'{"11/02/2026" if day == 2 else "11/01/2026"}</Publish_Date><Record_Count>'
            f'{len(entries)}</Record_Count></publshInformation>')
    return (head + "".join(entries) + "</sdnList>\n").encode("utf-8")


def _csv_page(name: str) -> None:
    kind, index = FILES[name]

    def page(params: dict[str, str], day: int) -> SourcePage:
        return SourcePage("ofac_sdn", index, (name,), lambda layout: csv_body(kind, day, layout),
                          CSV_TYPE, captcha())

    route(BASE + name)(page)


for _name in FILES:
    _csv_page(_name)


@route(BASE + "SDN.XML")
def xml_file(params: dict[str, str], day: int) -> SourcePage:
    return SourcePage("ofac_sdn", 0, ("SDN.XML",), lambda layout: xml_body(day, layout),
                      XML_TYPE, captcha())

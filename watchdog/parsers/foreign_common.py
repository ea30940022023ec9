"""Helpers shared by the foreign-list parsers (`ofac_sdn`, `us_csl`, `worldbank_debarred`).

These lists name Chinese companies in English, mix persons and firms in one table (often without
saying which is which), spell countries three ways and dates five ways. Everything that must be
decided the same way in all three lists lives here: who counts as a natural person, how a
company is keyed, how a country or a date is read, and what every observation's payload holds
(`list_name`, `programs`, `grounds`, `country`, `listed_on`, `names`, `identifiers`), so that
the cross-system matcher can read the three lists alike.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from stdnum.cn import uscc as uscc_std

from watchdog.parsers.base import Draft, company_key, normalise_company_name, subject
from watchdog.parsers.blocks import block_reason
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.parsers.foreign_common_trading import (
    Trading,
    listed_trade_names,
    names_owner,
    split_trading,
)

# Re-exported: the parsers read countries and dates through this module.
from watchdog.parsers.foreign_common_values import NULLS, country_code, iso
from watchdog.parsers.foreign_common_values import parse_date as parse_date
from watchdog.privacy import Keyer, is_org_name, person_token

CN_RELATED = frozenset({"CN", "HK", "MO"})  # China, Hong Kong, Macau: flagged for matching
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
_C1 = re.compile("[\x80-\x9f]")
KEY_MAX = 128  # subject.key column width
# What is archived when a body cannot be read well enough to redact it: nothing of it is kept,
# but the archive still holds the original's SHA-256 beside this placeholder.
WITHHELD_BODY = b"[withheld: this body could not be read to redact persons; see its SHA-256]"

# -- what a block page looks like: the detector every source shares -------------------------
_HTML = re.compile(r"^\s*(?:<!doctype html|<html|<head|<body|<title|<meta|<div|<script)",
                   re.IGNORECASE)
_REFUSAL = re.compile(r"api key|apikey|unauthori[sz]ed|forbidden", re.IGNORECASE)


def decode_text(body: bytes) -> str:
    """UTF-8 (with or without BOM); else GBK (GB18030) when that reads as runs of Chinese, as a
    file re-saved on a Chinese system does; else Windows-1252, which the US lists' exports use
    (a 2019 CSL file carries cp1252 apostrophes). A trailing Ctrl-Z is dropped."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = body.decode("gb18030")
            if not _reads_as_gbk(text):
                raise UnicodeDecodeError("gb18030", body, 0, 1, "no Chinese text")
        except UnicodeDecodeError:
            text = body.decode("cp1252", errors="replace")
    return text.rstrip("\x1a\x00")  # DOS end-of-file mark, NUL padding: never data


def _reads_as_gbk(text: str) -> bool:
    """Whether GB18030 is the file's encoding, not an accident of cp1252 bytes.

    A stray cp1252 byte pairs with the next letter into one lone "Chinese" character; real
    Chinese comes in runs. An English list re-saved by Excel on a Chinese system has no Chinese
    at all, only GBK's symbols (its "§" is A1 EC, which cp1252 reads as "¡ì" and which changed
    every record citing a regulation): GBK too when every character beyond ASCII is one of
    those symbols and no lone Chinese character betrays cp1252."""
    if sum(len(run) for run in re.findall("[\u4e00-\u9fff]{2,}", text)) >= 4:
        return True
    beyond = {c for c in text if ord(c) > 0x7F}
    return bool(beyond) and all(_gbk_symbol(c) for c in beyond)


def _gbk_symbol(char: str) -> bool:
    # GB2312's row 1 (lead byte A1: §, °, ×, dashes, quotes, 、。) and row 8 (A8: the accented
    # Latin letters of pinyin, é ü à), which is what English text re-saved as GBK holds. Not
    # the other rows (full-width letters, kana, box drawing): two adjacent cp1252 symbols, as
    # "©®", land there.
    try:
        raw = char.encode("gbk")
    except UnicodeEncodeError:
        return False
    return len(raw) == 2 and raw[0] in (0xA1, 0xA8)


def check_not_html(text: str, what: str) -> None:
    """A block or captcha page raises BlockedError; any other HTML page raises FormatError.
    These lists are never HTML, so any marker of the shared detector makes a page a block, the
    WAF challenges that are all script (瑞数 `$_ts`, 加速乐 `__jsl_clearance`) among them."""
    if not _HTML.match(text[:4000]):
        return
    if (reason := block_reason(text)) is not None:
        raise BlockedError(f"a block or captcha page instead of {what}: {reason}")
    raise FormatError(f"an HTML page, not {what}")


def check_block_json(obj: object, what: str) -> None:
    """Gateways answer with small JSON errors ({"message": "API rate limit exceeded"}, {})."""
    if obj == {} or obj == []:
        raise BlockedError(f"an empty answer instead of {what}")
    if isinstance(obj, dict) and len(obj) <= 3:
        text = " ".join(str(v) for v in obj.values())[:500]
        if block_reason(text) is not None or _REFUSAL.search(text):
            raise BlockedError(f"the gateway refused the request instead of sending {what}")


def check_has_rows(rows: list[Any], what: str) -> None:
    """A whole list is never empty, so a JSON answer without a row (`[]`, `{"results": []}`,
    `{"total": 0, ...}`) is an empty answer as `check_block_json` sees `{}`: a soft block (a
    gateway or cache answering 200 with nothing), never a list whose entries were all removed."""
    if not rows:
        raise BlockedError(f"an empty answer (no rows) instead of {what}")


# -- values -----------------------------------------------------------------------------------
def clean(value: object) -> str | None:
    """Strip and collapse whitespace; the lists' null markers (`-0-`, empty) become None."""
    if value is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    if _C1.search(text):  # cp1252 punctuation read as Latin-1 (Gui\x92an): the intended mark
        text = _C1.sub(lambda m: bytes([ord(m[0])]).decode("cp1252", "replace"), text)
    return None if text in NULLS else text


def norm_header(name: object) -> str:
    """'Alt Names', 'alt-names', ' alt_names ' -> 'alt_names'."""
    text = unicodedata.normalize("NFKC", str(name or "")).strip().lstrip("\ufeff").lower()
    return re.sub(r"[^0-9a-z_]+", "_", text).strip("_")


def csv_rows(text: str, what: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each non-blank row; a malformed quote fails the whole file."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for row in reader:
            if row and any(cell.strip() for cell in row):
                if any("\x00" in cell for cell in row):
                    # Never data: a damaged copy. Stored, it would change the record (and a
                    # PostgreSQL store refuses it in JSON).
                    raise FormatError(f"{what} line {reader.line_num}: a NUL byte inside a row "
                                      "(a damaged copy)")
                yield reader.line_num, row
    except csv.Error as exc:
        raise FormatError(f"{what} line {reader.line_num}: broken CSV ({exc})") from None


normalise = normalise_company_name  # the one spelling of a firm's name in record keys


def han(text: str | None) -> bool:
    return bool(text and HAN.search(text))


# -- persons and companies --------------------------------------------------------------------
_TITLE = re.compile(r"^(?:MR|MRS|MS|MISS|DR|PROF|SIR|MADAM|MME|SHEIKH|SHAIKH|ENG|ENGR|HAJI)\.?\s+",
                    re.IGNORECASE)
_SURNAME_FIRST = re.compile(r"^[A-Z][A-Z' .-]+, [A-Z][a-z]")
_ORG_TOKENS = frozenset("""
LTD LIMITED LLC LLP LP INC INCORPORATED CORP CORPORATION CO COMPANY COMPANIA CIA GROUP GRUPO
HOLDING HOLDINGS GMBH AG SA SAS SARL SRL SPA SPRL BV NV PLC PJSC OJSC CJSC JSC OAO ZAO OOO PAO
PTE PTY PVT BHD SDN KFT ZRT DOO EOOD OY OYJ AB ASA KG KK TBK LTDA EIRL SAC FZE FZCO FZC FZ LLP
EST ESTABLISHMENT TRADING TRADE INDUSTRIES INDUSTRIAL INDUSTRY INTERNATIONAL ENTERPRISE
ENTERPRISES INSTITUTE INSTITUTION UNIVERSITY ACADEMY COLLEGE SCHOOL CENTER CENTRE LABORATORY
LABORATORIES BUREAU MINISTRY DEPARTMENT DIRECTORATE ORGANIZATION ORGANISATION FOUNDATION
ASSOCIATION SOCIETY UNION FEDERATION COMMITTEE COUNCIL AGENCY AUTHORITY OFFICE BANK BANCO
AIRLINES AIRLINE AIRWAYS AVIATION AEROSPACE SHIPPING MARITIME LOGISTICS TRANSPORT EXPRESS
TECHNOLOGY TECHNOLOGIES TECH ELECTRONICS ELECTRONIC ELECTRIC ENGINEERING ENGINEERS CONSTRUCTION
CONSTRUCTORA CONSULTING CONSULTANTS CONSULTANCY SERVICES SERVICE SOLUTIONS SYSTEMS FACTORY PLANT
WORKS MANUFACTURING MACHINERY EQUIPMENT CHEMICAL CHEMICALS PHARMACEUTICAL PHARMA MEDICAL HOSPITAL
PETROLEUM PETROCHEMICAL ENERGY POWER MINING METALS STEEL IMPORT EXPORT IMPEX DEVELOPMENT
INVESTMENT INVESTMENTS CAPITAL FINANCE FINANCIAL PARTNERS ASSOCIATES BROTHERS MOTORS REGIMENT
BRIGADE BATTALION DIVISION FORCE FORCES ARMY NAVY GUARD CORPS PARTY FRONT MOVEMENT NETWORK CLUB
MEDIA PRESS PUBLISHING RADIO TELEVISION CHARITY TRUST FUND PROJECTS SUPPLY SUPPLIES
DISTRIBUTION AGRO FARMS PRODUCTS INSAAT SANAYI TICARET ZAVOD KOMPANIYA OBSHCHESTVO FIRM PT CV
UD SHPK GESMBH MBH SRO SNC PLLC LLLP SL SCA SCS EIRL CONSORCIO CONSORTIUM CONSULTORES CONSULTORIA
INGENIEROS INGENIERIA CONSTRUCCIONES CONSTRUCTORES PROVEEDURIA SERVICIOS TRAVEL SOCIEDAD
""".split())


def looks_like_org(name: str | None) -> bool:
    """Whether a name with no published type reads as an organisation. Persons are the safe
    default: a firm we fail to recognise is stored keyed and nameless, never the reverse.
    A name that marks a trading name ("X d/b/a Y", "X trading as Y") is judged by its owner
    part alone: "Zhang Wei trading as Huayang Electronics" names a person."""
    trading = split_trading(name)
    return _reads_as_org(trading.owner if trading else name)


def sole_trader(name: str | None) -> Trading | None:
    """Owner and trading name when a name cell holds a natural person trading under a name."""
    trading = split_trading(name)
    return trading if trading and not _reads_as_org(trading.owner) else None


def trade_name(trading: Trading) -> str | None:
    """A sole trader's trading name when it may be shown: a business name, so publishable,
    unless it carries the owner's name ("ZHANG SAN TRADING") or does not read as a business
    at all (then it may be a person's name too: the safe default, as in looks_like_org)."""
    trade = trading.trade
    if trade and _reads_as_org(trade) and not names_owner(trade, trading.owner):
        return trade
    return None


def owner_name(name: str) -> str:
    """The natural person a name cell names: the owner of a sole trader, else the whole name,
    so one person has one key whether listed as an individual or under a trading name."""
    trading = sole_trader(name)
    return trading.owner if trading else name


def redact_name(keyer: Keyer, name: str) -> str:
    """What replaces a person's name cell in archived copies: the person's placeholder, and a
    sole trader's publishable trading name after it ("[person:…] d/b/a HUAYANG ELECTRONICS"),
    so the copy still reads as the same business."""
    trading = sole_trader(name)
    if trading is None:
        return token(keyer, name)
    return trading.joined(token(keyer, trading.owner), trade_name(trading))


def redact_trade_names(keyer: Keyer, text: str) -> str:
    """A firm's text with each name listed after a trading marker ("also doing business as A
    and B") keyed unless it reads as a business: a sole trader's own name is one of its
    trading names (the World Bank lists 'LAXMINARAYAN MALLICK' so, under a firm)."""
    out, last = [], 0
    for start, end in listed_trade_names(text):
        if not _reads_as_org(text[start:end]):
            out += [text[last:start], token(keyer, text[start:end])]
            last = end
    return "".join(out) + text[last:]


def is_token(text: str) -> bool:
    """Whether a value is a person's placeholder (see token), not a name to list."""
    return text.startswith("[person:")


def _reads_as_org(name: str | None) -> bool:
    if not name:
        return False
    text = unicodedata.normalize("NFKC", name).strip()
    if _TITLE.match(text) or _SURNAME_FIRST.match(text):
        return False
    if han(text):
        return is_org_name(text)
    if "&" in text or text.upper().startswith("M/S"):
        return True
    # Accents off and dots out, so S.R.L., PROVEEDURÍA and GES.M.B.H. read as SRL, PROVEEDURIA...
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    tokens = re.findall(r"[A-Z0-9]+", plain.upper().replace(".", ""))
    return any(t in _ORG_TOKENS for t in tokens)


def person_key(keyer: Keyer, name: str) -> str:
    """One key per person name in any list's spelling: 'KHAN, Ali', 'Ali KHAN', 'MR. ALI KHAN'."""
    text = _TITLE.sub("", unicodedata.normalize("NFKC", name).strip())
    return keyer.name_key(" ".join(sorted(re.findall(r"\w+", text.upper()))))


def person_subject(keyer: Keyer, name: str) -> dict[str, Any]:
    return subject(person_key(keyer, name), "person")


def token(keyer: Keyer, name: str) -> str:
    """What replaces a person's name in archived bytes and in kept text."""
    return person_token(keyer, person_key(keyer, name))


def find_uscc(*texts: str | None) -> str | None:
    """The first valid 18-character unified social credit code in the texts (check digit
    verified), else None."""
    for text in texts:
        for m in re.finditer(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])",
                             unicodedata.normalize("NFKC", text or "").upper()):
            if uscc_std.is_valid(m[0]):
                return m[0]
    return None


_PROVINCES = dict(x.split(":") for x in (
    "11:北京 12:天津 13:河北 14:山西 15:内蒙古 21:辽宁 22:吉林 23:黑龙江 31:上海 32:江苏 33:浙江 "
    "34:安徽 35:福建 36:江西 37:山东 41:河南 42:湖北 43:湖南 44:广东 45:广西 46:海南 50:重庆 "
    "51:四川 52:贵州 53:云南 54:西藏 61:陕西 62:甘肃 63:青海 64:宁夏 65:新疆").split())


def province_of(uscc: str | None) -> str | None:
    """Province from the administrative-division code inside a USCC (characters 3-4)."""
    return _PROVINCES.get(uscc[2:4]) if uscc else None


def company_subject(name: str, *, uscc: str | None = None, chinese_name: str | None = None,
                    country: str | None = None) -> dict[str, Any]:
    """A company keyed as domestic sources key it (USCC, else the Chinese name); a firm known
    only by an English name is keyed by that name and its country, so namesakes in different
    countries stay apart."""
    if uscc:
        key = company_key(uscc=uscc, name=chinese_name or name)
    elif chinese_name:
        key = company_key(name=chinese_name)
    else:
        key = company_key(name=name) + (f"|{country}" if country else "")
    if len(key) > KEY_MAX:
        key = key[:KEY_MAX - 17] + "~" + hashlib.sha256(key.encode()).hexdigest()[:16]
    code = key[5:] if key.startswith("uscc:") else None
    return subject(key, "company", name=name, code=code, province=province_of(code))


def thing_subject(kind: str, name: str, ident: str | None) -> dict[str, Any]:
    """Vessels and aircraft: neither companies nor persons; keyed by IMO/MSN when published."""
    key = f"{kind}:{ident or name.upper()}"[:KEY_MAX]
    return subject(key, kind, name=name)


# -- the observation --------------------------------------------------------------------------
def countries_of(values: Iterable[str | None]) -> list[str]:
    """Country codes (or, when unknown, the text as published), first-seen order."""
    out: list[str] = []
    for value in values:
        text = clean(value)
        if text:
            item = country_code(text) or text
            if item not in out:
                out.append(item)
    return out


def payload(*, list_name: str, list_code: str, entity_type: str, programs: Iterable[str] = (),
            grounds: Iterable[str] = (), countries: Iterable[str] = (),
            listed_on: date | None = None, names: Iterable[str] = (),
            identifiers: Iterable[dict[str, Any]] = (), **extra: Any) -> dict[str, Any]:
    """The fields every foreign-list observation carries, in one shape for all three lists."""
    country_list = list(countries)
    body: dict[str, Any] = {
        "list_name": list_name, "list_code": list_code, "entity_type": entity_type,
        "programs": sorted(set(programs)), "grounds": sorted(set(grounds)),
        "country": country_list[0] if country_list else None, "countries": country_list,
        "cn_related": any(c in CN_RELATED for c in country_list),
        "listed_on": iso(listed_on),
        "names": unique(names) if entity_type != "individual" else [],
        "identifiers": sorted(identifiers, key=lambda i: (i.get("type") or "", i["value"]))
        if entity_type != "individual" else [],
    }
    body.update({k: v for k, v in extra.items() if v not in (None, [], {}, "")})
    return body


def unique(values: Iterable[str | None]) -> list[str]:
    out: list[str] = []
    for value in values:
        text = clean(value)
        if text and text not in out:
            out.append(text)
    return out


def draft(record_key: str, subj: dict[str, Any], body: dict[str, Any], *,
          source_record_id: str | None = None, present: Iterable[str] = (),
          unknown: dict[str, str] | None = None) -> Draft:
    facets: dict[str, Any] = {"party_type": subj["kind"], "province": subj.get("province")}
    if body.get("listed_on"):
        facets["publish_month"] = body["listed_on"][:7]
    return Draft(record_key=record_key[:256], subject=subj, payload=body, facets=facets,
                 source_record_id=(source_record_id or None) and str(source_record_id)[:64],
                 unknown_fields=dict(unknown or {}), fields_present=sorted(set(present)))


def merge(into: Draft, other: Draft) -> None:
    """Fold a repeated row of the same listing (one row per address) into the first one."""
    for key in ("names", "addresses", "identifiers", "footnotes", "countries", "grounds"):
        mine, theirs = into.payload.get(key), other.payload.get(key)
        if isinstance(theirs, list) and theirs:
            merged = list(mine or [])
            merged += [item for item in theirs if item not in merged]
            into.payload[key] = merged
    if isinstance(into.payload.get("addresses"), list):
        into.payload["addresses"].sort(key=lambda a: sorted(a.items()))
    into.fields_present = sorted(set(into.fields_present) | set(other.fields_present))
    into.unknown_fields.update(other.unknown_fields)

"""Company identifiers, checked with python-stdnum before they may join two records.

The 18-character unified social credit code (GB 32100, `stdnum.cn.uscc`), the 9-character
organisation code it embeds (GB 11714), the 15-digit business registration number (ISO 7064
MOD 11,10) and the 15-character taxpayer number of before 2015 (6-digit area code + organisation
code). The court list masks positions 11-14 of a code (`9111000060****341L`); a masked code is
kept as such and only joins a full code together with the name (`companies_match`).

Names are in `watchdog.companies`, which re-exports these for its callers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from stdnum.cn import uscc as uscc_std
from stdnum.iso7064 import mod_11_10

from watchdog.parsers.base import _valid_org_code

MASKED_USCC = re.compile(r"[0-9A-Z]{10}\*{4}[0-9A-Z]{4}")


@dataclass(frozen=True)
class Identifier:
    scheme: str  # uscc | uscc_masked | org_code | reg_no
    value: str
    origin: str  # where it was read, in plain words, e.g. "published code"
    # Read from a 15-character number that no field name called a taxpayer number: it may be a
    # registration number whose last nine characters pass the check by chance (1 in 11).
    weak: bool = False


def compact_code(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "").upper()
    return "".join(ch for ch in text if ch not in " \t\r\n-_.")


def valid_uscc(code: str) -> bool:
    return uscc_std.is_valid(compact_code(code))


def valid_org_code(code: str) -> bool:
    return _valid_org_code(compact_code(code))


def valid_reg_no(code: str) -> bool:
    """15-digit business registration number (注册号), check digit ISO 7064 MOD 11,10."""
    number = compact_code(code)
    return len(number) == 15 and number.isdigit() and mod_11_10.is_valid(number)


def org_code_of_taxpayer_number(code: str) -> str | None:
    """The organisation code inside a 15-character taxpayer number (area code + org code)."""
    number = compact_code(code)
    if len(number) == 15 and number[:6].isdigit() and _valid_org_code(number[6:]):
        return number[6:]
    return None


def masked_form(uscc: str) -> str:
    """How the court list shows a code: positions 11-14 replaced by ****."""
    return f"{uscc[:10]}****{uscc[14:]}"


_TAX_WORDS = ("tax", "纳税", "nsrsbh")


def _schemes(hint: str | None) -> set[str]:
    """Which readings a field allows. None: a code field of our own (subject key or code), any
    shape. A field or type name: a taxpayer number and a registration number are both 15
    characters long, and a 9-character passport number can pass the organisation-code check,
    so shorter shapes are read only where the name says what they are."""
    every = {"uscc", "uscc_masked", "org_code", "taxpayer", "reg_no"}
    if hint is None:
        return every
    text = hint.lower()
    allowed = {"uscc", "uscc_masked"}
    if any(w in text for w in ("org", "组织", "zzjg")):
        allowed.add("org_code")
    if any(w in text for w in _TAX_WORDS):
        allowed.add("taxpayer")
    if any(w in text for w in ("regist", "reg_no", "regno", "注册号", "zch")):
        allowed.add("reg_no")
    if text in ("code", "credit_code", "uscc", "tyshxydm", "uniscid", "creditcode", "统一社会信用代码"):
        allowed |= every
    return allowed


def classify_identifier(raw: object, *, hint: str | None = None,
                        origin: str = "published code") -> list[Identifier]:
    """What a published code is, checked. `hint` is the field name or declared type it came
    with (see `_schemes`); None for the subject's own key or code."""
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        return []
    code = compact_code(str(raw))
    allowed = _schemes(hint)
    found: list[Identifier] = []
    if len(code) == 18 and uscc_std.is_valid(code):
        found.append(Identifier("uscc", code, origin))
        if _valid_org_code(code[8:17]):
            found.append(Identifier("org_code", code[8:17], f"positions 9-17 of {code} ({origin})"))
    elif MASKED_USCC.fullmatch(code):
        found.append(Identifier("uscc_masked", code, origin))
    elif len(code) == 9 and "org_code" in allowed and _valid_org_code(code):
        found.append(Identifier("org_code", code, origin))
    elif len(code) == 15:
        if "taxpayer" in allowed and (org := org_code_of_taxpayer_number(code)):
            said = hint is not None and any(w in hint.lower() for w in _TAX_WORDS)
            found.append(Identifier("org_code", org, f"inside taxpayer number {code} ({origin})",
                                    weak=not said))
        if "reg_no" in allowed and valid_reg_no(code):
            found.append(Identifier("reg_no", code, origin))
    return found


def identifiers_in_text(text: str, *, origin: str) -> list[Identifier]:
    """Codes written inside free text, e.g. World Bank's `(公司名)(91650104766801418W)*647`."""
    found: list[Identifier] = []
    for token in re.findall(r"[0-9A-Z*]{15,18}", unicodedata.normalize("NFKC", text).upper()):
        found += classify_identifier(token, hint="text", origin=origin)
    return found

"""Country names and dates as the foreign lists write them (helpers of `foreign_common`).

OFAC writes "China", the CSL writes "CN", the World Bank writes "Hong Kong SAR, China" and
"Iran, Islamic Republic of": all reduce to ISO 3166 alpha-2 codes here. Dates come as ISO,
US month-first, "10 Dec 2024", SAP gateway "/Date(ms)/" and Excel datetimes.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime

NULLS = frozenset({"", "-0-", "-0", "n/a", "N/A", "none", "None", "null"})


def _clean(value: object) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return None if text in NULLS else text


# -- countries --------------------------------------------------------------------------------
_COUNTRIES = {}
for _chunk in """
AF Afghanistan|AL Albania|DZ Algeria|AD Andorra|AO Angola|AG Antigua and Barbuda|AR Argentina
AM Armenia|AU Australia|AT Austria|AZ Azerbaijan|BS Bahamas|BH Bahrain|BD Bangladesh|BB Barbados
BY Belarus|BE Belgium|BZ Belize|BJ Benin|BT Bhutan|BO Bolivia|BA Bosnia and Herzegovina
BW Botswana|BR Brazil|BN Brunei|BG Bulgaria|BF Burkina Faso|BI Burundi|KH Cambodia|CM Cameroon
CA Canada|CV Cabo Verde|CF Central African Republic|TD Chad|CL Chile|CN China|CO Colombia
KM Comoros|CD Congo, Democratic Republic of|CG Congo, Republic of|CR Costa Rica
CI Cote d'Ivoire|HR Croatia|CU Cuba|CY Cyprus|CZ Czech Republic|DK Denmark|DJ Djibouti
DM Dominica|DO Dominican Republic|EC Ecuador|EG Egypt|SV El Salvador|GQ Equatorial Guinea
ER Eritrea|EE Estonia|SZ Eswatini|ET Ethiopia|FJ Fiji|FI Finland|FR France|GA Gabon|GM Gambia
GE Georgia|DE Germany|GH Ghana|GR Greece|GD Grenada|GT Guatemala|GN Guinea|GW Guinea-Bissau
GY Guyana|HT Haiti|HN Honduras|HK Hong Kong|HU Hungary|IS Iceland|IN India|ID Indonesia|IR Iran
IQ Iraq|IE Ireland|IL Israel|IT Italy|JM Jamaica|JP Japan|JO Jordan|KZ Kazakhstan|KE Kenya
KI Kiribati|KP North Korea|KR South Korea|XK Kosovo|KW Kuwait|KG Kyrgyzstan|LA Laos|LV Latvia
LB Lebanon|LS Lesotho|LR Liberia|LY Libya|LI Liechtenstein|LT Lithuania|LU Luxembourg|MO Macau
MG Madagascar|MW Malawi|MY Malaysia|MV Maldives|ML Mali|MT Malta|MH Marshall Islands
MR Mauritania|MU Mauritius|MX Mexico|FM Micronesia|MD Moldova|MC Monaco|MN Mongolia
ME Montenegro|MA Morocco|MZ Mozambique|MM Burma|NA Namibia|NP Nepal|NL Netherlands
NZ New Zealand|NI Nicaragua|NE Niger|NG Nigeria|MK North Macedonia|NO Norway|OM Oman|PK Pakistan
PW Palau|PS West Bank and Gaza|PA Panama|PG Papua New Guinea|PY Paraguay|PE Peru|PH Philippines
PL Poland|PT Portugal|QA Qatar|RO Romania|RU Russia|RW Rwanda|KN St. Kitts and Nevis
LC St. Lucia|VC St. Vincent and the Grenadines|WS Samoa|SM San Marino|ST Sao Tome and Principe
SA Saudi Arabia|SN Senegal|RS Serbia|SC Seychelles|SL Sierra Leone|SG Singapore|SK Slovakia
SI Slovenia|SB Solomon Islands|SO Somalia|ZA South Africa|SS South Sudan|ES Spain|LK Sri Lanka
SD Sudan|SR Suriname|SE Sweden|CH Switzerland|SY Syria|TW Taiwan|TJ Tajikistan|TZ Tanzania
TH Thailand|TL Timor-Leste|TG Togo|TO Tonga|TT Trinidad and Tobago|TN Tunisia|TR Turkey
TM Turkmenistan|TV Tuvalu|UG Uganda|UA Ukraine|AE United Arab Emirates|GB United Kingdom
US United States|UY Uruguay|UZ Uzbekistan|VU Vanuatu|VE Venezuela|VN Vietnam|YE Yemen|ZM Zambia
ZW Zimbabwe|VG Virgin Islands, British|KY Cayman Islands|BM Bermuda|PR Puerto Rico|GI Gibraltar
CN People's Republic of China|CN PRC|HK Hong Kong SAR, China|MO Macao SAR, China|TW Taiwan, China
IR Iran, Islamic Republic of|RU Russian Federation|EG Egypt, Arab Republic of|KR Korea, Republic of
KP Korea, North|KR Korea, South|LA Lao People's Democratic Republic|KG Kyrgyz Republic|TR Turkiye
VE Venezuela, Republica Bolivariana de|VN Viet Nam|SY Syrian Arab Republic|MM Myanmar|GB UK
US USA|GB Great Britain|CZ Czechia|CI Ivory Coast|CV Cape Verde|YE Yemen, Republic of|MO Macao
""".replace("\n", "|").split("|"):
    if _chunk.strip():
        _code, _name = _chunk.strip().split(" ", 1)
        _COUNTRIES[re.sub(r"[^A-Z]", "", _name.upper())] = _code
_CODES = frozenset(_COUNTRIES.values())


def country_code(text: str | None) -> str | None:
    """ISO 3166 alpha-2 code of a country written as the lists write it, else None."""
    value = _clean(text)
    if not value:
        return None
    if len(value) == 2 and value.upper() in _CODES:
        return value.upper()
    return _COUNTRIES.get(re.sub(r"[^A-Z]", "", unicodedata.normalize("NFKD", value).upper()))


# -- dates ------------------------------------------------------------------------------------
_MONTHS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
# A time after "14 Mar 2025" (SDN.XML's Publish_Date has been seen as "14 Mar 2025 10:22").
_TIME = (r"(?:[ ,T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?[AaPp]\.?[Mm]\.?)?"
         r"(?: ?(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}))?)?")
# The words a date may hold, whole: a value with any other word is not quoted in an error
# (see _shown). Whole words, so that "Marquetti" or "Junaid" is not taken for a month.
_DATE_WORDS = frozenset("""jan january feb february mar march apr april may jun june jul july
aug august sep sept september oct october nov november dec december t z utc gmt am pm date
permanent permanently indefinite indefinitely ongoing open ended""".split())


def parse_date(value: object) -> date | None:
    """Every shape these lists use: 2024-12-10 (with or without a time), 12/10/2024 (US
    month first), 10 Dec 2024, 20241210, /Date(1733788800000)/, epoch ms, Excel datetimes.
    Raises ValueError on anything else."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 1e11:
        return datetime.fromtimestamp(value / 1000, tz=UTC).date()
    text = _clean(value)
    if text is None:
        return None
    try:
        if m := re.fullmatch(r"/Date\((-?\d+)[^)]*\)/", text):
            return datetime.fromtimestamp(int(m[1]) / 1000, tz=UTC).date()
        if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?", text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: .*)?", text):
            return date(int(m[3]), int(m[1]), int(m[2]))
        if m := re.fullmatch(r"(\d{1,2})[ -]([A-Za-z]{3})[A-Za-z]*\.?[ ,-]+(\d{4})" + _TIME, text):
            return date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
        if m := re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text):
            return date(int(m[1]), int(m[2]), int(m[3]))
    except (KeyError, ValueError, OverflowError, OSError):
        pass
    raise ValueError(f"unrecognised date: {_shown(text)}")


def _shown(text: str) -> str:
    """The value for an error message when it is shaped like a date; else only its length.
    Reasons are printed and stored with the crawl, and the date cell of a misfilled or shifted
    row can hold anything, a person's name or address included."""
    words = re.findall(r"[^\W\d_]+", text)
    if len(text) <= 40 and all(w.lower() in _DATE_WORDS for w in words):
        return repr(text)
    return f"a text of {len(text)} characters that is not a date"


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None

"""Keyed hashing of natural persons, ID-number shapes, redaction and small-cell suppression.

Names and ID numbers of natural persons are never stored in clear (DESIGN.md section 7). A
person is reduced to an HMAC-SHA256 over a canonical form of name and masked ID, keyed with the
installation secret: stable for us, meaningless to anyone without the secret, and the same
whether the source masked the ID or not (we mask it ourselves before hashing).

The redaction functions live in `privacy_text` (free text, ID shapes) and `privacy_records`
(JSON structures and raw bodies) and are re-exported here; import them from this module.
"""

from __future__ import annotations

import hmac
import re
import unicodedata
from datetime import date

from stdnum.cn import ric, uscc

from watchdog.privacy_records import redact_raw_bytes, redact_record_json
from watchdog.privacy_text import (
    ID15,
    ID18_FULL,
    ID18_MASKED,
    canonical_id,
    is_org_name,
    looks_like_resident_id,
    person_token,
    redact_free_text,
    redact_identifiers,
    redact_with_literals,
)

__all__ = [
    "Keyer", "birth_year_from_id", "id_mask_status", "is_org_name", "looks_like_resident_id",
    "mask_resident_id", "person_token", "redact_free_text", "redact_identifiers",
    "redact_with_literals",
    "redact_raw_bytes", "redact_record_json", "suppress_small",
]

# Domain separation: a person key and a name key over the same name must never coincide.
_PERSON_DOMAIN = b"scorewatch/person/v1\x00"
_NAME_DOMAIN = b"scorewatch/name/v1\x00"
MAC_CACHE_SIZE = 16384


def _canonical_name(name: str | None) -> str:
    # NFKC folds full-width and compatibility forms; internal runs of spaces collapse so
    # "JOHN  SMITH" and "JOHN SMITH" are one person.
    return " ".join(unicodedata.normalize("NFKC", name or "").split())


class Keyer:
    """HMAC-SHA256 keys for natural persons, keyed with the installation secret."""

    __slots__ = ("_cache_size", "_macs", "_secret", "texts")

    def __init__(self, secret: bytes, *, cache_size: int = 0) -> None:
        if not isinstance(secret, bytes | bytearray) or not secret:
            raise ValueError("Keyer needs a non-empty secret (bytes)")
        self._secret = bytes(secret)
        self._cache_size = cache_size
        self._macs: dict[bytes, str] = {}
        # Free text already redacted with these keys (see `privacy_text.redact_free_text`):
        # performance notes and boilerplate repeat across a list. Only when caching.
        self.texts: dict[str, str] | None = {} if cache_size else None

    def __repr__(self) -> str:
        return "Keyer(<secret hidden>)"

    def __reduce__(self) -> tuple[type[Keyer], tuple[bytes]]:
        # For worker processes: the secret, never the cache of keyed names (nor caching: a
        # worker asks for its own with `caching()`).
        return Keyer, (self._secret,)

    def caching(self, size: int = MAC_CACHE_SIZE) -> Keyer:
        """The same keys, remembered: for crawls and imports, where one name is keyed several
        times per record (parser, archived copy, free text). Never for the self-check, whose
        inputs must not outlive the request. Cleared when full, so memory stays bounded."""
        return Keyer(self._secret, cache_size=size)

    def _mac(self, domain: bytes, text: str) -> str:
        # surrogatepass: text cut from a broken body may hold lone surrogates; still hash it.
        data = domain + text.encode("utf-8", "surrogatepass")
        if not self._cache_size:
            return hmac.digest(self._secret, data, "sha256").hex()
        if (known := self._macs.get(data)) is not None:
            return known
        if len(self._macs) >= self._cache_size:
            self._macs.clear()
        mac = self._macs[data] = hmac.digest(self._secret, data, "sha256").hex()
        return mac

    def person_key(self, name: str | None, masked_id: str | None) -> str:
        """Key of a person from name and ID; an unmasked ID is masked first (same key)."""
        card = canonical_id(masked_id)
        if ID18_FULL.fullmatch(card):
            card = card[:10] + "****" + card[14:]
        return self._mac(_PERSON_DOMAIN, _canonical_name(name) + "\x1f" + card)

    def name_key(self, name: str | None) -> str:
        """Key of a name alone (to match a legal representative or a party in free text)."""
        return self._mac(_NAME_DOMAIN, _canonical_name(name))

    @staticmethod
    def short(key: str) -> str:
        """Display form of a key: `p:` and its first 16 hex characters."""
        return "p:" + key[:16]


def mask_resident_id(card: str) -> str:
    """The ID with positions 11-14 (birth month and day) masked as the court masks them.

    A 15-digit legacy ID is first converted to 18 digits. Raises `ValueError` (without echoing
    the number) when the value is not a resident ID.
    """
    text = canonical_id(card)
    if ID18_MASKED.fullmatch(text):
        return text
    if ID18_FULL.fullmatch(text):
        return text[:10] + "****" + text[14:]
    raise ValueError("not a resident ID number")


def _is_org_code(text: str) -> bool:
    # 组织机构代码: 8 alphanumerics and a check character, often written with a hyphen.
    compact = text.replace("-", "")
    return len(compact) == 9 and compact.isascii() and compact.isalnum()


def id_mask_status(card_num: object, party_type: str) -> str:
    """How a published ID compares with the masking rule: masked/unmasked/malformed/missing.

    Persons: an 18-character ID with exactly positions 11-14 as **** is masked; a valid full
    ID (check digit, birth date, region) or an all-digit 15-character legacy ID is unmasked;
    anything else is malformed. Companies: a masked USCC is masked; an organisation code, a
    valid USCC or a 15-digit registration number is unmasked.
    """
    if party_type not in ("person", "company"):
        raise ValueError(f"unknown party type: {party_type!r}")
    if card_num is None or isinstance(card_num, bool):
        return "missing"
    text = unicodedata.normalize("NFKC", str(card_num)).upper().replace(" ", "").strip()
    if text in ("", "暂无"):
        return "missing"
    if party_type == "company" and not looks_like_resident_id(text):
        if "*" in text:
            masked_uscc = len(text) == 18 and text[10:14] == "****" and "*" not in text[:10] + text[14:]
            return "masked" if masked_uscc else "malformed"
        if _is_org_code(text) or uscc.is_valid(text) or ID15.fullmatch(text):
            return "unmasked"
        return "malformed"
    if ID18_MASKED.fullmatch(text):
        return "masked"
    if ID15.fullmatch(text) or (ID18_FULL.fullmatch(text) and ric.is_valid(text)):
        return "unmasked"
    return "malformed"


def birth_year_from_id(card_num: object) -> int | None:
    """Birth year from digits 7-10 (7-8 of a legacy 15-digit ID), if plausible; else None."""
    if not isinstance(card_num, str):
        return None
    text = canonical_id(card_num)
    if len(text) != 18 or not text[6:10].isascii() or not text[6:10].isdigit():
        return None
    year = int(text[6:10])
    return year if 1900 <= year <= date.today().year else None


def suppress_small(count: int, k: int = 10) -> int | None:
    """Small-cell suppression for public aggregates: None when 0 < count < k."""
    if count < 0:
        raise ValueError("count must not be negative")
    return None if 0 < count < k else count


URL_QUERY_WITHHELD = "?(query withheld: the response named persons)"


_URL_QUERY = re.compile(r"(https?://[^\s?#<>\"']+)\?[^\s<>\"']*")


def withhold_url_queries(text: str) -> str:
    """`text` with the query string of every URL in it withheld (a crawl's log lines and error
    messages: zxgk's detail URLs carry a listing's case number and record id)."""
    return _URL_QUERY.sub(lambda m: m[1] + URL_QUERY_WITHHELD, text)


def public_artifact_url(url: str | None, redacted: bool) -> str | None:
    """An archived response's URL as public views show it.

    A response that named persons was often fetched by a URL that names its case
    (zxgk's disDetailNew?id=…&caseCode=…): its query is withheld, its host and path kept.
    """
    if not url or not redacted or "?" not in url:
        return url
    return url.split("?", 1)[0] + URL_QUERY_WITHHELD

"""What Credit China responses keep when archived: every natural person replaced by a token.

Persons appear as the rows of person catalogues (`xm` with the masked ID `tmzjhm`), as legal
representatives (`cf_fr`, the registration table's `name`, `法定代表人`...), as subjects whose
name reads as a person's, in columns nobody has seen, and in free text. The JSON is walked with
the same column and label knowledge as the parser, so a person is replaced by the same token as
the key the store holds; a column the parser does not know is read as fail-closed as the parser
reads it (`unknown_value`: possible names, IDs and phones replaced). Then every string goes
through the literal and free-text redaction. A body that does not parse (truncated, HTML) has
the person-valued keys redacted by pattern, then the generic redaction.
"""

from __future__ import annotations

import json
import re
from typing import Any

from watchdog.parsers.credit_china_records import _resolve, person_name_like, scrub
from watchdog.parsers.credit_china_values import (
    ID_TOKEN,
    WITHHELD,
    kind_token,
    redact_phones,
    strike_elsewhere,
    unknown_value,
)
from watchdog.parsers.credit_china_vocab import ENVELOPE_KEYS, decode, load_json
from watchdog.privacy import (
    Keyer,
    is_org_name,
    looks_like_resident_id,
    person_token,
    redact_raw_bytes,
)

_ROW_NAME_KEYS = ("xm", "姓名")
_ROW_ID_KEYS = ("tmzjhm", "脱敏证件号码", "证件号码")
# Person-valued keys for bodies that do not parse: "key": "value (value may be cut off).
_RAW_PERSON_KEYS = ("xm", "name", "cf_fr", "cfFr", "xk_fr", "xkFr", "legalPerson",
                    "fddbrhzfzrmc", "fyzjzrdcwfzrxm", "法定代表人", "企业法人姓名", "姓名",
                    "legalName", "inv", "linkmanName")
_RAW_PAIR = re.compile(r'"(' + "|".join(map(re.escape, _RAW_PERSON_KEYS))
                       + r')"\s*:\s*"((?:[^"\\]|\\.)*)')


def redact_bytes(body: bytes, keyer: Keyer) -> bytes:
    text = decode(body)
    obj = load_json(text)
    if obj is None:
        return redact_raw(text, keyer)
    names: list[str] = []
    clean = _walk(obj, {}, keyer, names)
    clean = _scrub_all(clean, names, keyer)
    return json.dumps(clean, ensure_ascii=False).encode("utf-8")


def redact_raw(text: str, keyer: Keyer) -> bytes:
    """Pattern redaction of a body that is not JSON: person keys first, then the generic pass."""
    names = [m[2] for m in _RAW_PAIR.finditer(text) if m[2].strip() and not is_org_name(m[2])]
    for name in sorted(set(names), key=len, reverse=True):
        if len(name) >= 2:
            text = text.replace(name, person_token(keyer, keyer.name_key(name)))
    return redact_raw_bytes(text.encode("utf-8"), keyer)


def _token(keyer: Keyer, name: str, card: str | None = None) -> str:
    key = keyer.person_key(name, card) if card is not None else keyer.name_key(name)
    return person_token(keyer, key)


def _walk(obj: Any, labels: dict[str, str], keyer: Keyer, names: list[str]) -> Any:
    if isinstance(obj, list):
        return [_walk(v, labels, keyer, names) for v in obj]
    if not isinstance(obj, dict):
        return obj
    own = obj.get("sencesMap")
    inner = {str(k): str(v) for k, v in own.items()} if isinstance(own, dict) else labels
    row_card = next((obj[k] for k in _ROW_ID_KEYS if isinstance(obj.get(k), str)), None)
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if key in _ROW_NAME_KEYS and isinstance(value, str) and value.strip():
            names.append(value)
            out[key] = _token(keyer, value, row_card or "")
        elif key in _ROW_ID_KEYS and isinstance(value, str) and value.strip():
            out[key] = ID_TOKEN
        elif key == "sencesMap" and isinstance(value, dict):
            # The site's labels of its columns, not values: taking 法定代表人 or 经办人 for a
            # name would blank the label that says what was withheld. Still scrubbed below.
            out[key] = value
        elif isinstance(value, str) and value.strip():
            out[key] = _value(key, value, labels, keyer, names)
        elif isinstance(value, int | float | list) and _unknown_key(key, labels):
            out[key] = _unknown_other(key, value, labels, keyer, names)
        elif key == "entity":
            out[key] = _walk(value, inner, keyer, names)
        else:
            out[key] = _walk(value, labels, keyer, names)
    return out


def _value(key: str, value: str, labels: dict[str, str], keyer: Keyer, names: list[str]) -> str:
    spec, _ = _resolve(key, labels)
    if spec is not None and spec.kind == "person":
        # A bare `name` outside a labelled table (legacy search hits) names a firm or a person.
        bare = key == "name" and not labels and not person_name_like(value)
        if is_org_name(value) or bare:
            return value
        names.append(value)
        return _token(keyer, value)
    if spec is not None and spec.name == "subject_name" and person_name_like(value):
        names.append(value)
        return _token(keyer, value)
    if spec is not None and spec.kind == "withheld":
        return WITHHELD
    if _unknown_key(key, labels):
        return _unknown(key, value, labels, keyer, names)
    if looks_like_resident_id(value.replace(" ", "")):
        return ID_TOKEN
    return value


def _unknown(key: str, value: str, labels: dict[str, str], keyer: Keyer, names: list[str]) -> str:
    """A column the parser does not know, replaced as the parser replaces it in `extra`."""
    kind = unknown_value(key, labels.get(key), value)
    if (token := kind_token(kind)) is not None:
        return token
    if kind == "person":
        if strike_elsewhere(value.strip()):
            names.append(value.strip())
        return _token(keyer, value.strip())
    return redact_phones(value)


def _unknown_key(key: str, labels: dict[str, str]) -> bool:
    return key not in ENVELOPE_KEYS and _resolve(key, labels)[0] is None


def _unknown_other(key: str, value: Any, labels: dict[str, str], keyer: Keyer,
                   names: list[str]) -> Any:
    """A number or an array under a column we do not know: a number can be an ID or a phone
    number, an array can list names."""
    if isinstance(value, list):
        return [_unknown(key, v, labels, keyer, names) if isinstance(v, str) and v.strip()
                else _unknown_other(key, v, labels, keyer, names) if isinstance(v, int | float)
                else _walk(v, labels, keyer, names) for v in value]
    if isinstance(value, bool):
        return value
    kind = unknown_value(key, labels.get(key), value)
    return kind_token(kind) or value


def _is_code(text: str) -> bool:
    """A bare organisation code, USCC or registration number: kept (companies are public)."""
    compact = text.strip().replace("-", "")
    return (compact.isascii() and compact.isalnum() and len(compact) in (9, 13, 15, 18)
            and not looks_like_resident_id(compact))


def _scrub_all(obj: Any, names: list[str], keyer: Keyer) -> Any:
    if isinstance(obj, str):
        if obj.startswith("[person:") or _is_code(obj):
            return obj
        return scrub(obj, names, keyer)
    if isinstance(obj, list):
        return [_scrub_all(v, names, keyer) for v in obj]
    if isinstance(obj, dict):
        return {k: _scrub_all(v, names, keyer) for k, v in obj.items()}
    return obj

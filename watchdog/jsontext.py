"""JSON text on the ingest path: orjson where it gives what the standard library would.

Crawls and imports decode and encode every record several times (the body, the redacted copy,
the stored payload and its hash), and the standard library's encoder and decoder were a fifth of
the time. orjson is several times faster and, for what these records hold (strings, integers,
booleans, nulls, lists, objects with string keys), writes the same bytes as
`json.dumps(..., ensure_ascii=False, separators=(",", ":"))`. Where it refuses an input the
standard library accepts (lone surrogates, integers beyond 64 bits, NaN, non-string keys) we fall
back to the standard library, so no input that decoded before fails now, and none decodes
differently (integers beyond 64 bits included).
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

# orjson reads an integer beyond 64 bits as a float, losing digits; the standard library keeps
# it exact. Such a number has at least 19 digits, so a run of 19 sends the text there. In bytes
# the run is found by mapping every digit to "0" and everything else to a space and searching for
# 19 zeros: some ten times faster than the regular expression, which cost more than the decoding.
_LONG_DIGITS = re.compile(r"\d{19}")
_DIGITS_ONLY = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_LONG_RUN = b"0" * 19
_BOM = "\ufeff"


def _long_digits(data: bytes) -> bool:
    return data.translate(_DIGITS_ONLY).find(_LONG_RUN) >= 0


def loads(data: bytes | str) -> Any:
    """Decode JSON; raises `ValueError` (as `json.loads` does) when it is not JSON.

    One difference: a leading UTF-8 byte-order mark is skipped (the standard library refuses it
    in bytes), because files saved on Windows often begin with one.
    """
    if isinstance(data, str):
        long_number = _LONG_DIGITS.search(data) is not None
        data = data.removeprefix(_BOM)
    else:
        long_number = _long_digits(data)
        data = data.removeprefix(_BOM.encode("utf-8"))
    if not long_number:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(data)


def dumps(obj: Any) -> str:
    """Compact JSON text with non-ASCII characters kept, as the standard library writes it."""
    try:
        return orjson.dumps(obj).decode("utf-8")
    except TypeError:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def dumps_bytes(obj: Any) -> bytes:
    """`dumps` as UTF-8 bytes (lone surrogates, which UTF-8 cannot hold, kept as escapes)."""
    try:
        return orjson.dumps(obj)
    except TypeError:
        return json.dumps(obj, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def canonical(obj: Any) -> str:
    """`dumps` with keys sorted: the text a payload's content hash is taken of.

    Only for payloads without floats (the standard library and orjson format some floats
    differently, and the hash must not depend on which one wrote it).
    """
    try:
        return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    except TypeError:
        return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

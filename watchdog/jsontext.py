"""JSON text on the ingest path: orjson where it gives what the standard library would.

Crawls and imports decode and encode every record several times (the body, the redacted copy,
the stored payload and its hash), and the standard library's encoder and decoder were a fifth of
the time. orjson is several times faster and, for what these records hold (strings, integers,
booleans, nulls, lists, objects with string keys), writes the same bytes as
`json.dumps(..., ensure_ascii=False, separators=(",", ":"))`. Where it refuses an input the
standard library accepts (lone surrogates, integers beyond 64 bits, NaN, non-string keys) we fall
back to the standard library, so no input that decoded before fails now.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(data: bytes | str) -> Any:
    """Decode JSON; raises `ValueError` (as `json.loads` does) when it is not JSON."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
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

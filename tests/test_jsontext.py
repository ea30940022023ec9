"""`watchdog.jsontext` writes what the standard library writes, and reads what it reads."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchdog import jsontext

# What parsed records and payloads hold: no floats (see `jsontext.canonical`).
_SCALARS = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text()
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4)
                       | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_texts_are_the_standard_librarys_byte_for_byte(value) -> None:
    assert jsontext.dumps(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert jsontext.canonical(value) == json.dumps(value, sort_keys=True, ensure_ascii=False,
                                                   separators=(",", ":"))
    assert jsontext.loads(jsontext.dumps_bytes(value)) == value


def test_chinese_control_characters_and_line_separators_are_written_alike() -> None:
    value = {"duty": "被告\r\n张某\u2028应于\x1f十日内\x7f给付", "n": 2**64}  # n: beyond orjson
    assert jsontext.canonical(value) == json.dumps(value, sort_keys=True, ensure_ascii=False,
                                                   separators=(",", ":"))


def test_inputs_orjson_refuses_still_decode_as_before() -> None:
    for text in ('{"a": NaN}', '"\\ud800"', '{"big": 123456789012345678901234567890}',
                 '[-9223372036854775809, 18446744073709551616, "1234567890123456789"]'):
        assert repr(jsontext.loads(text)) == repr(json.loads(text))
        assert repr(jsontext.loads(text.encode())) == repr(json.loads(text))  # bytes: own scan
    # A lone surrogate cannot be UTF-8: the bytes keep it as an escape, and it reads back.
    assert jsontext.loads(jsontext.dumps_bytes(["\ud800"])) == ["\ud800"]


def test_a_byte_order_mark_before_the_json_is_skipped() -> None:
    assert jsontext.loads("\ufeff{\"a\": 1}".encode()) == {"a": 1}
    assert jsontext.loads("\ufeff[1]") == [1]


@pytest.mark.parametrize("bad", [b"", b"{", b"\xef\xbb\xbf", "不是JSON".encode("gbk")])
def test_what_is_not_json_fails_as_the_standard_library_fails(bad: bytes) -> None:
    with pytest.raises(ValueError):
        json.loads(bad)
    with pytest.raises(ValueError):
        jsontext.loads(bad)

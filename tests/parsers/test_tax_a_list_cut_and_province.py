"""Two reviewer findings on the tax_a_list parser.

1. A body cut inside its last row's last cell still has every cell, so it used to pass as whole
   and store a record with a cut tax authority (`head -c 3000` of the Jiangxi list, in UTF-8).
   A body that does not end in a line break now has its last row rejected, visibly; a body
   certainly cut (inside a character, or a row short of a record) is still refused whole.
2. A record's province came from the file name first, so the same list under another name
   recorded false changes. The stored payload now depends on the list's content only.
"""

from __future__ import annotations

import pytest

from tests.parsers.test_tax_a_list import (
    FIX,
    JIANGXI_REPEATS,
    JIANGXI_ROWS,
    KEYER,
    MIRROR_COPY,
    REPEAT,
    _jiangxi,
)
from watchdog.parsers import tax_a_list as parser
from watchdog.parsers.errors import FormatError
from watchdog.store.writer import payload_sha256

# Every tax-list file the project holds: the shared Jiangxi sample (as the mirror serves it,
# byte for byte) and the fixtures of the documented formats, with their whole-file row counts.
TAX_FILES = {
    MIRROR_COPY: JIANGXI_ROWS,
    FIX / "heilongjiang_header_shift_GBK.csv": 6,
    FIX / "beijing_export_utf8_bom.csv": 3,
    FIX / "anhui_redlist.html": 3,
    FIX / "beijing_query_GBK.html": 2,
}
HEADER = "纳税人识别号,纳税人名称,评价年度,税务机关\n"


def _stored(out: parser.ParsedFile) -> list[tuple[str, str]]:
    """What the store compares on a re-import: record key and payload hash."""
    return [(d.record_key, payload_sha256(d.payload)) for d in out.drafts]


def _authorities(out: parser.ParsedFile) -> set[str]:
    return {d.payload["tax_authority"] for d in out.drafts}


# -- 1. a body that ends mid-row -----------------------------------------------------------

def test_head_c_3000_of_the_jiangxi_list_stores_no_cut_record():
    """The reviewer's case: `head -c 3000` of the GBK list, converted to UTF-8 (iconv drops
    the half character at the end), ends inside "国家税务总局景德镇高新技…"."""
    whole = _authorities(parser.parse_bytes(_jiangxi(), KEYER))
    cut = _jiangxi()[:3000].decode("gbk", "ignore").encode("utf-8")
    out = parser.parse_bytes(cut, KEYER, name="jiangxi_2018_A_level_cut.csv")
    assert len(out.drafts) == 28
    assert [(r.index, r.reason) for r in out.rejections] == [(28, parser.ENDS_MID_ROW)]
    assert _authorities(out) <= whole  # no "国家税务总局景德镇高新技" of its own
    # The same bytes in GBK end inside a character: certainly cut, refused whole.
    with pytest.raises(FormatError, match="truncated"):
        parser.parse_bytes(_jiangxi()[:3000], KEYER)


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_cut_inside_the_last_cell_rejects_that_row_only(encoding):
    lines = _jiangxi().decode("gbk").splitlines(keepends=True)
    last = lines[22]
    body = "".join(lines[:22]) + last[: last.index("高新") + 2]  # "…,国家税务总局景德镇高新"
    out = parser.parse_bytes(body.encode(encoding), KEYER)
    assert len(out.drafts) == 21 and len(out.rejections) == 1
    assert out.rejections[0].reason == "the file ends mid-row: last row not read"
    assert not any(a.endswith("高新") for a in _authorities(out))


def test_open_quote_at_the_end_is_a_cut_row():
    # The reader takes the final line break into a quoted cell that never closes.
    body = (HEADER + "91360200787252585L,景德镇市景程汽车部件有限责任公司,2018,国家税务总局景德镇\n"
            '91360200677964653U,景德镇市隆政食品有限公司,2018,"国家税务总局景德镇\n').encode()
    out = parser.parse_bytes(body, KEYER)
    assert len(out.drafts) == 1 and out.rejections[0].reason == parser.ENDS_MID_ROW


@pytest.mark.parametrize("tail", ["\n", "\r\n", "\n  \t", "\n\x1a", "\r\n\x1a", "\n\x00\x00"])
def test_a_final_line_break_then_padding_is_whole(tail):
    body = (HEADER + "91360200787252585L,景德镇市景程汽车部件有限责任公司,2018,国家税务总局景德镇\n"
            "91360200677964653U,景德镇市隆政食品有限公司,2018,国家税务总局景德镇" + tail).encode()
    out = parser.parse_bytes(body, KEYER)
    assert len(out.drafts) == 2 and not out.rejections


def test_padding_after_a_cut_cell_is_still_a_cut():
    body = (HEADER + "91360200787252585L,景德镇市景程汽车部件有限责任公司,2018,国家税务总局景德镇\n"
            "91360200677964653U,景德镇市隆政食品有限公司,2018,国家税务总局  \x1a").encode()
    out = parser.parse_bytes(body, KEYER)
    assert len(out.drafts) == 1 and out.rejections[0].reason == parser.ENDS_MID_ROW


def test_cut_inside_a_four_byte_gb18030_character_is_refused():
    # A rare character in a name takes four bytes in GB18030; a cut after one to three of them
    # is a cut, not "neither UTF-8 nor GBK".
    body = (HEADER + "91360200787252585L,景德镇\U00020000示例有限公司,2018,国家税务总局景德镇\n"
            ).encode("gb18030")
    at = body.index("\U00020000".encode("gb18030"))
    for keep in (1, 2, 3):
        with pytest.raises(FormatError, match="truncated"):
            parser.parse_bytes(body[: at + keep], KEYER)
    assert parser.parse_bytes(body, KEYER).drafts[0].payload["name"].startswith("景德镇\U00020000")


@pytest.mark.parametrize("path", list(TAX_FILES), ids=lambda p: p.name)
def test_every_tax_list_file_imports_whole(path):
    out = parser.parse_bytes(path.read_bytes(), KEYER, name=path.name)
    # Every row is read, but for rows repeating a record of the file, which are reported.
    assert len(out.drafts) + len(out.rejections) == TAX_FILES[path]
    assert all(r.reason.startswith(REPEAT) for r in out.rejections)
    assert len(out.rejections) == (JIANGXI_REPEATS if path == MIRROR_COPY else 0)


@pytest.mark.parametrize("path", [p for p in TAX_FILES if p.suffix == ".csv"], ids=lambda p: p.name)
def test_the_same_csv_without_its_final_line_break_loses_only_its_last_row(path):
    whole = parser.parse_bytes(path.read_bytes(), KEYER)
    out = parser.parse_bytes(path.read_bytes().rstrip(b"\r\n"), KEYER)
    assert _stored(out) == _stored(whole)[:-1]
    assert [r.reason for r in out.rejections if not r.reason.startswith(REPEAT)] == [
        parser.ENDS_MID_ROW]
    assert [r for r in out.rejections if r.reason.startswith(REPEAT)] == whole.rejections


# -- 2. the province comes from the list, not from its file name ---------------------------

@pytest.mark.parametrize("name", ["jx_bom.csv", "shanghai_2018.csv", None,
                                  "http://127.0.0.1:8080/mirror/list.csv"])
def test_same_list_under_another_name_stores_the_same_records(name):
    """The reviewer's case: the Jiangxi list re-imported as jx_bom.csv gave "changed 5" (four
    rows' numbers name no region, one was issued in Shanghai)."""
    first = parser.parse_bytes(_jiangxi(), KEYER, name="jiangxi_2018_A_level_GBK.csv")
    again = parser.parse_bytes(_jiangxi(), KEYER, name=name)
    assert _stored(again) == _stored(first)
    assert {d.payload["province"] for d in again.drafts} == {"江西"}
    shanghai = next(d for d in again.drafts if d.payload["uscc"] == "913100007611892311")
    assert shanghai.payload["province"] == "江西"  # on Jiangxi's list, whatever its number says


def test_a_row_naming_its_province_keeps_it():
    body = (HEADER
            + "91360200787252585L,景德镇市景程汽车部件有限责任公司,2018,国家税务总局上海市浦东新区税务局\n"
            + "91360200677964653U,景德镇市隆政食品有限公司,2018,国家税务总局海南藏族自治州税务局\n"
            + "91360200158810329D,江西跃华药业有限公司,2018,国家税务总局景德镇市税务局\n").encode()
    out = parser.parse_bytes(body, KEYER, name="beijing.csv")
    # The first row's own authority; the others have the province their numbers share (36).
    assert [d.payload["province"] for d in out.drafts] == ["上海", "江西", "江西"]


def test_a_province_column_is_read():
    body = ("省份,纳税人识别号,纳税人名称,评价年度\n"
            "江西省,913100007611892311,上海置辰智慧建筑集团股份有限公司,2018\n").encode()
    out = parser.parse_bytes(body, KEYER, name="shanghai.csv")
    assert out.drafts[0].payload["province"] == "江西" and not out.drafts[0].unknown_fields


def test_a_file_name_guess_stays_out_of_the_payload():
    """Rows that place themselves nowhere (no province cell, city-level offices, numbers
    without a region) take the file name's province as a facet only."""
    body = (HEADER + "3601097758799113,南昌联发置业有限公司,2018,国家税务总局南昌高新区税务局\n"
            "36112367248478,玉山县三达水务有限公司,2018,国家税务总局玉山县税务局\n").encode()
    named = parser.parse_bytes(body, KEYER, name="jiangxi.csv")
    bare = parser.parse_bytes(body, KEYER, name="list.csv")
    assert _stored(named) == _stored(bare)
    assert {d.payload["province"] for d in named.drafts} == {None}
    assert {d.facets["province"] for d in named.drafts} == {"江西"}
    assert {d.subject["province"] for d in named.drafts} == {"江西"}
    assert {d.facets["province"] for d in bare.drafts} == {None}


def test_a_national_list_keeps_each_rows_own_province():
    # No province has four in five of the rows: each row keeps its number's region.
    body = (HEADER + "91360200787252585L,景德镇市景程汽车部件有限责任公司,2018,税务局\n"
            "913100007611892311,上海置辰智慧建筑集团股份有限公司,2018,税务局\n").encode()
    out = parser.parse_bytes(body, KEYER, name="jiangxi.csv")
    assert [d.payload["province"] for d in out.drafts] == ["江西", "上海"]


def test_a_region_at_two_levels_is_read_not_refused() -> None:
    # Provincial lists print the city and the district side by side (市州, 区县): both are the
    # region, and the first is kept, as before header fields named twice were refused.
    from tests.parsers.test_tax_a_list import KEYER
    from watchdog.parsers import tax_a_list

    body = ("序号,市州,区县,纳税人识别号,纳税人名称,评价年度\n"
            "1,成都市,武侯区,91510107MA61XXXX0A,成都示例贸易有限公司,2022\n"
            "2,绵阳市,涪城区,91510703MA62XXXX1B,绵阳示例科技有限公司,2022\n").encode()
    out = tax_a_list.parse_bytes(body, KEYER, name="a.csv")
    assert [d.payload["region"] for d in out.drafts] == ["成都市", "绵阳市"]
    assert not out.rejections

"""What the columns of an A-level taxpayer list mean, and what their values look like.

Provinces publish the same list with different headers (纳税人识别号 or 统一社会信用代码,
纳税人名称 or 企业名称 or 单位名称, 评价年度 or 评定年限, ...), in different orders, sometimes with
a header cell the rows do not fill (Heilongjiang 2018: `编号<TAB>纳税人识别号,...,信用级别,...`
over rows without a grade) or a row with a stray cell (Jiangxi 2018: a sole trader's operator
between name and year). Columns are found by name; when a row and its header disagree in length,
cells are lined up with columns by what the values look like, never by position alone.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass

from stdnum.cn import uscc as uscc_std

from watchdog.parsers.base import _valid_org_code
from watchdog.parsers.foreign_common_trading import Trading, names_owner, split_trading
from watchdog.privacy import is_org_name, looks_like_resident_id

# canonical field -> header spellings (compared after NFKC, without spaces)
HEADERS: dict[str, tuple[str, ...]] = {
    "serial": ("编号", "序号", "排序", "顺序号", "no", "no."),
    "taxpayer_id": ("纳税人识别号", "纳税人识别码", "识别号", "纳税识别号", "税号", "纳税人编码",
                    "纳税人识别号/统一社会信用代码", "统一社会信用代码/纳税人识别号",
                    "纳税人识别号(统一社会信用代码)", "统一社会信用代码(纳税人识别号)"),
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码"),
    "name": ("纳税人名称", "企业名称", "单位名称", "名称", "纳税人", "企业(单位)名称",
             "纳税人名称(企业名称)", "企业名称(纳税人名称)", "市场主体名称", "主体名称"),
    "year": ("评价年度", "评定年度", "年度", "评价年份", "评定年限", "评定年份", "所属年度",
             "信用年度", "评价期间", "纳税信用评价年度"),
    "grade": ("信用级别", "信用等级", "纳税信用级别", "纳税信用等级", "评价结果", "评定结果",
              "级别", "等级", "评价等级", "信用评价结果"),
    "authority": ("税务机关", "主管税务机关", "主管税务机关名称", "主管税务局", "所属税务机关",
                  "评价机关", "主管机关", "主管税务所(科、分局)", "税务机关名称"),
    "region": ("地区", "所属地区", "所属市县", "区县", "所属区县", "市州", "地市"),
    "published": ("发布日期", "公布日期", "发布时间", "公布时间"),
    # "省(区、市)" and "省（自治区、直辖市）" reach "省" once the bracketed part is dropped.
    "province": ("省份", "所属省份", "所在省份", "省份名称", "省"),
}
_LOOKUP = {spelling.lower(): field for field, names in HEADERS.items() for spelling in names}

PROVINCES = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁",
    "22": "吉林", "23": "黑龙江", "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽",
    "35": "福建", "36": "江西", "37": "山东", "41": "河南", "42": "湖北", "43": "湖南",
    "44": "广东", "45": "广西", "46": "海南", "50": "重庆", "51": "四川", "52": "贵州",
    "53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏",
    "65": "新疆",
}
# Pinyin in file names and host names; longest first so "shaanxi" wins over "shanxi".
_PINYIN = {
    "heilongjiang": "黑龙江", "neimenggu": "内蒙古", "innermongolia": "内蒙古",
    "guangdong": "广东", "chongqing": "重庆", "xinjiang": "新疆", "zhejiang": "浙江",
    "shanghai": "上海", "shandong": "山东", "liaoning": "辽宁", "guangxi": "广西",
    "beijing": "北京", "tianjin": "天津", "jiangsu": "江苏", "jiangxi": "江西", "shaanxi": "陕西",
    "sichuan": "四川", "guizhou": "贵州", "qinghai": "青海", "ningxia": "宁夏", "yunnan": "云南",
    "shanxi": "山西", "fujian": "福建", "hainan": "海南", "xizang": "西藏", "anhui": "安徽",
    "hebei": "河北", "henan": "河南", "hubei": "湖北", "hunan": "湖南", "gansu": "甘肃",
    "jilin": "吉林", "jxacc": "江西", "creditah": "安徽",
}

# A province at the start of an authority, region or province cell: "国家税务总局江西省…",
# "北京市朝阳区…", "广西壮族自治区…". Anchored and followed by its suffix so that "海南藏族自治州"
# (Qinghai) or "河南蒙古族自治县" do not read as Hainan or Henan.
_PROVINCE_AT_START = re.compile(
    r"^(?:国家税务总局)?(" + "|".join(sorted(PROVINCES.values(), key=len, reverse=True))
    + r")(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|$)")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_GRADE = re.compile(r"^([ABMCD])(?:级|类)?$")
_ID_SHAPE = re.compile(r"^[0-9A-Z]{14,20}$")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_PERSON_NAME = re.compile(r"^(?:[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff]{1,8})$")
# Sole traders trade under shop names that is_org_name does not know; these endings mark one.
_BUSINESS_END = frozenset("城吧房矿市店馆站部室所社校园库场厂行院局处队铺坊楼庄苑阁轩")
_PLACE_CHARS = frozenset("省市县区镇乡村")
# Shop endings that are also common given-name characters (张梓轩, 王浩轩, 李思园, 陈雅苑, 刘子城):
# after a common surname they alone do not make a short name a shop; a wrong "person" only
# withholds a shop's name, a wrong "shop" would publish a person's.
_GIVEN_NAME_END = frozenset("轩园苑城庄")
# The most frequent single-character surnames (about 95% of the population); a rare surname
# keeps the plain rule, which still reads most bare names as persons.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关"
    "兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻"
    "祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿"
    "桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
                     "宇文", "司徒", "夏侯", "令狐", "独孤", "南宫", "西门", "端木", "轩辕", "呼延",
                     "申屠", "澹台", "百里", "钟离", "万俟", "闻人", "司空", "赫连", "完颜", "拓跋")
_EDITOR_NOTE = re.compile(r"\s*[(（]\s*责任编辑\s*[:：][^)）]*[)）]\s*$")
BRANCH_WORDS = ("分公司", "分行", "支行", "营业部", "分店", "分厂", "办事处", "分部", "分理处",
                "中心支公司", "支公司", "分所", "分社", "分中心")


def header_field(raw: str) -> str | None:
    """The canonical field a header cell names, or None."""
    text = "".join(unicodedata.normalize("NFKC", raw).split()).lower().strip(":：*")
    if not text:
        return None
    if text in _LOOKUP:
        return _LOOKUP[text]
    bare = re.sub(r"\(.*?\)", "", text)  # 纳税人识别号(统一社会信用代码) -> 纳税人识别号
    return _LOOKUP.get(bare)


def split_header(cells: list[str]) -> list[str]:
    # A header cell holding a TAB is two headers that a scraper glued together.
    return [part for cell in cells for part in (cell.split("\t") if "\t" in cell else [cell])]


def clean_value(value: str) -> str:
    # The DOS end-of-file mark and NUL padding end some saved files; neither is ever data.
    text = value.replace("\x1a", "").replace("\x00", "").replace("\u3000", " ").replace("\xa0", " ")
    return _EDITOR_NOTE.sub("", text).strip()


def compact_id(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).upper()
    return "".join(ch for ch in text if ch.isalnum())


def parse_year(value: str) -> int | None:
    m = _YEAR.search(unicodedata.normalize("NFKC", value))
    return int(m.group(1)) if m else None


def parse_grade(value: str) -> str | None:
    m = _GRADE.match(unicodedata.normalize("NFKC", value).strip().upper())
    return m.group(1) if m else None


def province_of_code(code: str | None) -> str | None:
    """Province from the region code inside a USCC (characters 3-4) or a legacy taxpayer
    number (characters 1-2)."""
    if not code:
        return None
    if len(code) == 18 and code[2:8].isdigit():
        return PROVINCES.get(code[2:4])
    if len(code) in (15, 17) and code[:6].isdigit():
        return PROVINCES.get(code[:2])
    return None


def province_named(value: str | None) -> str | None:
    """The province a row's own cell states: a province cell ("江西", "江西省"), a region
    ("江西省南昌市") or a tax authority ("国家税务总局江西省税务局"); None for a city-level
    office ("国家税务总局南昌市…"), which names no province."""
    if not value:
        return None
    m = _PROVINCE_AT_START.match("".join(unicodedata.normalize("NFKC", value).split()))
    return m.group(1) if m else None


def province_in_text(text: str | None) -> str | None:
    """A province named in a file name, URL or page title (pinyin or Chinese)."""
    if not text:
        return None
    low = text.lower()
    for pinyin in sorted(_PINYIN, key=len, reverse=True):
        if pinyin in low:
            return _PINYIN[pinyin]
    for name in sorted(PROVINCES.values(), key=len, reverse=True):
        if name in text:
            return name
    return None


def classify_id(raw: str, name: str = "") -> dict[str, str | None]:
    """What a published taxpayer number is. Numbers built on a natural person's resident ID
    (sole traders) are withheld: `taxpayer_id` is None and `id_kind` says why. `name` helps
    with a 15-digit number that could be either: an organisation's is not a resident ID."""
    code = compact_id(raw)
    out: dict[str, str | None] = {"taxpayer_id": code or None, "uscc": None, "org_code": None,
                                  "id_kind": "missing" if not code else "other"}
    if not code:
        return out
    if len(code) == 18 and uscc_std.is_valid(code):
        out.update(uscc=code, org_code=code[8:17], id_kind="uscc")
        return out
    # Legacy taxpayer number: six-digit region code + nine-character organisation code
    # (+ a two-digit suffix for branches).
    if len(code) in (15, 17) and code[:6].isdigit() and _valid_org_code(code[6:15]):
        out.update(org_code=code[6:15], id_kind="legacy_taxpayer_id")
        return out
    if _personal(code, is_org_name(name)):
        out.update(taxpayer_id=None, id_kind="withheld_personal_id")
        return out
    if len(code) == 18:
        out["id_kind"] = "uscc_invalid"  # USCC-shaped, but the check character is wrong
    return out


def _personal(code: str, organisation: bool) -> bool:
    # Shape, birth date and province prefix decide, not stdnum's list of region codes: a
    # district it does not know still names a person.
    if len(code) == 18 and looks_like_resident_id(code):
        return True
    if len(code) in (19, 20, 21) and code[:17].isdigit() and looks_like_resident_id(code[:18]):
        return True  # resident ID + a suffix: a sole trader's taxpayer number
    if len(code) in (15, 17) and code[:15].isdigit() and not organisation:
        return looks_like_resident_id(code[:15])
    return False


def is_person_name(name: str) -> bool:
    """A name that reads as a natural person's (a sole trader listed under their own name)."""
    text = unicodedata.normalize("NFKC", name).strip()
    if not _PERSON_NAME.match(text) or is_org_name(text) or _PLACE_CHARS & set(text[1:]):
        return False
    if text[-1] not in _BUSINESS_END:
        return True
    return text[-1] in _GIVEN_NAME_END and _surname_and_given_name(text)


def _surname_and_given_name(text: str) -> bool:
    """A common surname and a one- or two-character given name (张梓轩, 欧阳梓轩)."""
    if text.startswith(COMPOUND_SURNAMES):
        return len(text) in (3, 4)
    return len(text) in (2, 3) and text[0] in SURNAMES


def is_business_name(name: str) -> bool:
    """A name that clearly names a business, not a person: an organisation word (商行, 公司,
    经营部) or a shop ending on a name too long or too plain to be a person's (王氏茶庄)."""
    text = unicodedata.normalize("NFKC", name).strip()
    if is_org_name(text):
        return True
    return len(text) >= 4 and text[-1] in _BUSINESS_END and not is_person_name(text)


@dataclass(frozen=True)
class Party:
    """Who a row lists. A person is stored keyed only (`owner` is the name to key, never kept);
    a company by `name`, which for a sole trader is the trading name, with `owner` its operator
    (keyed as a placeholder). `trading` is the split name cell, for the archived copy."""

    person: bool
    name: str | None
    owner: str | None
    trading: Trading | None = None


def party(name: str, personal_number: bool) -> Party:
    """Person or company, from the name cell and whether the taxpayer number is built on a
    resident ID. Such a number makes the row a person whatever its name: the number ties the
    listing to one natural person (a sole trader), whose shop name identifies them too.

    Sole-trader forms are split as in the foreign lists (`split_trading`: 个体工商户张三,
    华阳电子商行（经营者：张三）, 张三以华阳电子商行名义): judged whole they read as a firm and the
    owner's name would be stored. The trading name is kept only when it clearly names a business
    and not its owner; otherwise the row is the owner, as a keyed person."""
    trading = split_trading(name)
    if trading and not is_org_name(trading.owner):
        trade = trading.trade
        if (not personal_number and trade and is_business_name(trade)
                and not names_owner(trade, trading.owner)):
            return Party(False, trade, trading.owner, trading)
        return Party(True, None, trading.owner, trading)
    if personal_number or is_person_name(name):
        return Party(True, None, name)
    return Party(False, name or None, None)


def resident_id_in(code: str) -> str | None:
    """The resident ID a withheld taxpayer number is built on (18 digits, or a legacy 15),
    for keying the person; None when the number is not one."""
    code = compact_id(code)
    if not _personal(code, False):
        return None
    return code[:15] if len(code) in (15, 17) else code[:18]


def is_branch(name: str) -> bool:
    return any(word in name for word in BRANCH_WORDS)


# -- lining up cells with columns ------------------------------------------------------------

def _fits(field: str | None, value: str) -> int:
    """+1 when a value looks like its column, -2 when it plainly does not, 0 when unsure."""
    v = value.strip()
    if field is None or not v:
        return 0
    if field in ("taxpayer_id", "uscc"):
        return 1 if _ID_SHAPE.match(compact_id(v)) and any(c.isdigit() for c in v) else -2
    if field == "year":
        return 1 if parse_year(v) and len(v) <= 12 else -2
    if field == "grade":
        return 1 if parse_grade(v) else -2
    if field == "serial":
        return 1 if v.isdigit() and len(v) < 9 else -2
    if field == "authority":
        return 1 if "税务" in v or "税源" in v else (-2 if not _HAN.search(v) else 0)
    if field == "name":
        return 1 if _HAN.search(v) and len(v) > 4 else (-2 if not _HAN.search(v) else 0)
    return 0


def align(fields: list[str | None], row: list[str]) -> tuple[list[tuple[str | None, str]], list[str]]:
    """Pair each cell with its column; also return the non-empty cells left over (stray).

    Equal lengths pair by position under the header names. A short row is matched against
    every way of leaving header columns out, a long row against every way of leaving cells out,
    and the best fit by value shapes wins; ties keep the leftmost choice.
    """
    if len(row) == len(fields):
        return list(zip(fields, row, strict=True)), []
    if len(row) < len(fields):
        gap = len(fields) - len(row)
        if gap > 2:
            return list(zip(fields, row, strict=False)), []
        best: tuple[int, list[tuple[str | None, str]]] | None = None
        for drop in itertools.combinations(range(len(fields)), gap):
            kept = [f for i, f in enumerate(fields) if i not in drop]
            pairs = list(zip(kept, row, strict=True))
            score = sum(_fits(f, v) for f, v in pairs)
            if best is None or score > best[0]:
                best = (score, pairs)
        return (best[1] if best else []), []
    extra = len(row) - len(fields)
    if extra > 2:
        return list(zip(fields, row, strict=False)), [c for c in row[len(fields):] if c.strip()]
    choice: tuple[int, tuple[int, ...]] | None = None
    for drop in itertools.combinations(range(len(row)), extra):
        kept_cells = [c for i, c in enumerate(row) if i not in drop]
        # An empty cell left out (a trailing comma) is the likeliest stray.
        score = (sum(_fits(f, c) for f, c in zip(fields, kept_cells, strict=True))
                 + sum(1 for i in drop if not row[i].strip()))
        if choice is None or score > choice[0]:
            choice = (score, drop)
    assert choice is not None
    drop = choice[1]
    kept_cells = [c for i, c in enumerate(row) if i not in drop]
    return (list(zip(fields, kept_cells, strict=True)),
            [row[i] for i in drop if row[i].strip()])

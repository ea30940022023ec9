"""What a value of a Credit China column nobody has seen may be kept as (parser and archive alike).

Such a value is read fail-closed: under a person's label it is withheld whatever it holds; an ID
or phone number becomes a marker; whatever could be a natural person's name is keyed. But most
new columns are statuses and results (信用修复状态 已修复, 有效, 撤销, 已履行), dates, amounts and
codes, and those are evidence: kept as published. Han names have 2-3 characters (4 with a
compound surname, or transliterated), so a 2-4 character Han value is still taken for a name
unless it is a word of the site's status vocabulary below: a name that happens to be such a word
(a person called 正常) is the price; any other short Han value (王芳, and 许可, a word that is
also a common name) is withheld.
"""

from __future__ import annotations

import re

from watchdog.parsers.common import normalise_width
from watchdog.parsers.credit_china_vocab import PERSON_LABEL_WORDS
from watchdog.privacy import is_org_name, looks_like_resident_id, redact_identifiers

WITHHELD, ID_TOKEN, PHONE_TOKEN = "[withheld]", "[id]", "[phone]"
# 4-character names mostly carry a compound surname (欧阳明轩) or are transliterations (阿依古丽).
# So a 4-character value is a name unless it holds a character status words use and given names
# practically never do (高级认证, 全部履行); surnames (程, 费, 单, 许...) are left out of that set.
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
                      "宇文", "司徒", "夏侯", "令狐", "独孤", "南宫", "西门", "端木", "轩辕", "呼延",
                      "申屠", "澹台", "百里", "钟离", "万俟", "闻人", "司空", "赫连", "完颜", "拓跋")
_STATUS_CHARS = frozenset("级证认类型期限态录罚款审批核销务规办报告检测评额营执履违未已否的或及等被请"
                          "决处示记注撤吊移列除失况")
# Whole status values of the site's lists and registers (listing, repair, registration, permit
# and penalty states). None starts with a common surname: 许可 is left out (许 is one).
STATUS_WORDS = frozenset("""
有效 无效 失效 生效 正常 异常 撤销 撤回 注销 吊销 存续 在业 在营 开业 停业 歇业 迁出 迁入 清算
履行 修复 公示 移出 列入 办结 结案 终本 终结 中止 届满 到期 过期 通过 合格 达标 良好 优秀 较好
一般 较差 守信 失信 警告 罚款 没收 变更 新办 延续 首次 补办 注册 备案 其他 其它 未知 正常户
非正常户 自然人 法人 企业 个人 红名单 黑名单 重点关注 严重失信 信用修复 移出名单 列入名单
""".split())
# Status phrases built from a state word and an action: 已修复, 未履行, 不予许可, 部分履行, 修复中.
_STATE = "已经|已|未|尚未|暂未|不予|不|无|非|待|正在|部分|全部|准予|予以|信用|依法"
_ACTION = ("修复|履行|撤销|撤回|公示|公开|移出|列入|生效|失效|办结|审核|审批|审查|核查|核准|执行|"
           "处理|处罚|整改|缴纳|缴款|结案|备案|通过|确认|登记|注销|吊销|许可|受理|批准|认定|退出|"
           "解除|恢复|变更|发布|到期|过期|完成|评价|申请|更正|纠正|异议|申诉|复核|复议|立案|移送|"
           "合格|达标|有效")
_STATUS_PHRASE = re.compile(f"(?:(?:{_STATE})(?:{_ACTION})|(?:{_ACTION})中)")
# Amounts, terms and counts in Chinese numerals (一万元, 壹万元整, 三个月, 十二分): at least one
# numeral that is no surname (万, 千, 百 are, so 万元 alone may be a name and stays withheld).
_NUMERALS = "〇零一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟萬億"
_CN_QUANTITY = re.compile(f"[{_NUMERALS}]+(?:元整?|圆整?|个月|年|月|日|天|周|小时|次|项|分)")
_DIGIT_NUMERAL = re.compile("[〇零一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾]")
_NAME_DOTS = "·•・"
_HAN_ONLY = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]+")
_LATIN_NAME = re.compile(r"[A-Z][A-Za-z'\-]+(?:,? [A-Z][A-Za-z'\-]*){1,3}")
# Phone numbers `redact_identifiers` leaves (it finds bare mobiles): a mobile with the country
# code glued on (+8613912345678) and a landline with its area code (0516-83001234).
_PHONE = re.compile(r"(?<!\d)(?:(?:\+|00)?86[- ]?1[3-9]\d[- ]?\d{4}[- ]?\d{4}"
                    r"|[(（]?0\d{2,3}[)）-] ?\d{7,8}(?:-\d{1,6})?)(?!\d)")


def status_word(core: str) -> bool:
    """Whether a Han value is a word of the status vocabulary or a Chinese-numeral quantity:
    evidence to keep, not a name."""
    if core in STATUS_WORDS or _STATUS_PHRASE.fullmatch(core):
        return True
    return bool(_CN_QUANTITY.fullmatch(core) and _DIGIT_NUMERAL.search(core))


def may_name_person(text: str) -> bool:
    """Whether a value of a column we do not know could be a natural person's name. Broader than
    `person_name_like` (which reads columns we know): a wrong guess there withholds a status word,
    a wrong guess here would publish a name."""
    value = normalise_width(text).strip()
    if not value or is_org_name(value):
        return False
    dotted = any(d in value for d in _NAME_DOTS)
    core = re.sub(f"[{_NAME_DOTS}.\\s]", "", value)
    if _HAN_ONLY.fullmatch(core):
        size = len(core)
        if dotted or "某" in core:  # 买买提·艾力; names the source already anonymised (王某某)
            return size <= 20
        if size not in (2, 3, 4) or status_word(core):
            return False
        return size < 4 or core.startswith(_COMPOUND_SURNAMES) or not _STATUS_CHARS & set(core)
    return _LATIN_NAME.fullmatch(value) is not None


def strike_elsewhere(name: str) -> bool:
    """Whether a possible name withheld from a column we do not know is also struck from the
    record's other text: not when it holds a status word's character (罚款, 已履行), which would
    cut words out of the evidence; its own column is withheld all the same."""
    return not _STATUS_CHARS & set(name)


def redact_phones(text: str) -> str:
    """Text with the phone numbers `redact_identifiers` does not find replaced."""
    return _PHONE.sub(PHONE_TOKEN, text)


def kind_token(kind: str | None) -> str | None:
    """The token that replaces an unknown column's value of this kind (`unknown_value`), or
    None when the value is kept or keyed as a person."""
    return {"withheld": WITHHELD, "id": ID_TOKEN, "phone": PHONE_TOKEN}.get(kind or "")


def unknown_value(key: str, label: str | None, value: object) -> str | None:
    """What a value of a column we do not know must become (the parser and the archive agree):
    "withheld" under a person's label whatever it holds, "id" or "phone" when it is one,
    "person" when it could be a person's name, None when it may be kept (text is still scrubbed).
    """
    if any(w in f"{key} {label or ''}" for w in PERSON_LABEL_WORDS):
        return "withheld"
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = normalise_width(str(value)).strip()
    if looks_like_resident_id(text.replace(" ", "").replace("-", "")):
        return "id"
    if _PHONE.fullmatch(text) or redact_identifiers(text) == PHONE_TOKEN:
        return "phone"
    return "person" if isinstance(value, str) and may_name_person(text) else None

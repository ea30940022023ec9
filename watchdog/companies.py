"""Company names, read the same way whichever system published them; identifiers are in
`watchdog.companies_ids` (re-exported here for callers that read both).

Names are folded (full-width to half-width, one kind of bracket, no spaces), then split into a
core, a legal form (canonical: 有限公司, LTD, GMBH, LLC...) and, for branch offices, the parent's
name. Chinese names join only when their cores are equal and name a company beyond a legal form:
a one-character difference in a Chinese name is another company. Latin names (foreign lists) join
when the words that name the firm are the same (up to spacing and a plural s: in pinyin one
letter is another company) and generic words (TECHNOLOGY, TRADING...) agree up to spelling,
with a token-based similarity above `FUZZY_THRESHOLD`. A Latin name never joins a Chinese one.

Only companies are compared here; persons never reach this module (`companies_store` reads
company subjects only).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from watchdog import companies_ids as _ids

# Re-exported: the company pages, the matcher and their tests read codes and names
# through this one module.
MASKED_USCC = _ids.MASKED_USCC
Identifier = _ids.Identifier
classify_identifier = _ids.classify_identifier
compact_code = _ids.compact_code
identifiers_in_text = _ids.identifiers_in_text
masked_form = _ids.masked_form
org_code_of_taxpayer_number = _ids.org_code_of_taxpayer_number
valid_org_code = _ids.valid_org_code
valid_reg_no = _ids.valid_reg_no
valid_uscc = _ids.valid_uscc

# 2: Chinese names in foreign text read whole; pinyin words compared exactly; Latin legal forms.
# 3: a name alone never joins records in different countries; brackets do not change a Chinese
#    name; branches of branches (营业厅, 营业部 of a 分行) and more branch kinds.
# 4: PRIVATE LIMITED and (P) LTD are PVT LTD (LTD), PUBLIC LIMITED (COMPANY) is PLC; rows of one
#    cited listing (one name, list, notices and term) join across the countries they give.
MATCHER_VERSION = "4"
FUZZY_THRESHOLD = 88      # token_sort_ratio of two Latin names' words, 0-100
TOKEN_COUNTERPART = 80    # how close a misspelt generic word must be to the word it stands for
CODE_NAME_AGREEMENT = 90  # name ratio that confirms a masked code's visible characters

_CJK = re.compile(r"[\u3400-\u9fff]")
# "|" too: it joins a branch's core to its parent's (see _zh_name).
_SEPARATORS = str.maketrans({c: "" for c in " \t\r\n\u3000-_/·•・、,，.。'\"“”‘’|"})
_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")",
                           "{": "(", "}": ")", "<": "(", ">": ")", "《": "(", "》": ")"})
_ZH_FORMS = (  # longest first; value = canonical form
    ("(有限合伙)", "有限合伙"), ("(普通合伙)", "普通合伙"), ("股份有限公司", "股份有限公司"),
    ("有限责任公司", "有限公司"), ("有限公司", "有限公司"), ("股份公司", "股份有限公司"),
    ("公司", "公司"),
)
# What a branch office's name ends in. Each denotes a branch only after its parent's name (see
# _ZH_BRANCH): alone, 赣州市可为临检医疗用品经营部 or 兴国县客家矿产品销售部 is a sole trader's
# whole name, and 街道办事处 a government office. Registered branches seen in the Jiangxi tax
# list: …证券有限公司…证券营业部, …银行股份有限公司…支行, …发展银行上饶市分行营业部 (a branch of a
# branch), …保险股份有限公司景德镇市分公司昌南营销服务部, …时装(天津)有限公司赣州万象城销售部; and
# in the Guangxi registry page …广西有限公司宁明分公司东安营业厅.
_ZH_BRANCH_KINDS = ("分公司", "分店", "办事处", "分厂", "营业部", "经营部", "分理处", "代表处",
                    "分支机构", "分部", "分行", "支行", "分所", "分社", "营业厅", "营业所",
                    "储蓄所", "门市部", "服务部", "销售部")
# 厂 ends a factory's name, but 厂前, 厂区, 厂路 (糖厂路)... are places: 南昌县莲塘镇厂前建材经营部
# is a sole trader on 厂前 road, not a 经营部 of 南昌县莲塘镇厂.
_ZH_PARENT_END = ("有限责任公司", "股份有限公司", "有限公司", "公司", "厂(?![前后区路街口巷])",
                  "合作社", "银行", "研究院", "研究所")
_KINDS = "|".join(_ZH_BRANCH_KINDS)
# The parent is the shortest head that ends in an organisation word or in a branch kind (a
# 营业厅 of a 分公司); the label between it and the kind names no company and no other branch,
# so 中国农业发展银行上饶市分行营业部 is the 营业部 of the 上饶市分行, not of the bank.
_ZH_BRANCH = re.compile(
    rf"(?P<parent>.+?(?:{'|'.join(_ZH_PARENT_END)}|{_KINDS}))"
    rf"(?P<label>(?:(?!公司|{_KINDS}).){{0,16}}?)"
    rf"(?P<kind>{_KINDS})$")
# Longest first; value = canonical form, so LIMITED / GMBH / LLC stay apart while CO., LTD. and
# COMPANY LIMITED are one form. CO (COMPANY) alone says no more than 公司 and agrees with any.
# PRIVATE LIMITED is PVT LTD, which was already LTD (as PTE LTD is): written out, PRIVATE stayed
# in the core and XYZ SOLUTIONS PRIVATE LIMITED was another firm than XYZ SOLUTIONS PVT LTD.
# PUBLIC LIMITED (COMPANY) is a PLC, never a private company's LTD.
_LATIN_FORMS = (
    ("PUBLIC LIMITED COMPANY", "PLC"), ("PUBLIC COMPANY LIMITED", "PLC"),
    ("PUBLIC LIMITED CO", "PLC"), ("PUBLIC LTD CO", "PLC"), ("PUBLIC CO LTD", "PLC"),
    ("PUBLIC LIMITED", "PLC"), ("PUBLIC LTD", "PLC"),
    ("PRIVATE LIMITED", "LTD"), ("PRIVATE LTD", "LTD"),
    ("LIMITED LIABILITY COMPANY", "LLC"), ("JOINT STOCK COMPANY", "JSC"),
    ("COMPANY LIMITED", "LTD"), ("CO LIMITED", "LTD"), ("CO LTD", "LTD"), ("COMPANY LTD", "LTD"),
    ("LIMITED", "LTD"), ("LTD", "LTD"), ("INCORPORATED", "CORP"), ("INC", "CORP"),
    ("CORPORATION", "CORP"), ("CORP", "CORP"), ("COMPANY", "CO"), ("CO", "CO"), ("LLC", "LLC"),
    ("PLC", "PLC"), ("GMBH", "GMBH"), ("JSC", "JSC"), ("PTE", "PTE"), ("PVT", "PVT"),
    ("LLP", "LLP"), ("SA", "SA"), ("AG", "AG"), ("BV", "BV"), ("NV", "NV"), ("SRL", "SRL"))
GENERIC_FORMS = frozenset({"公司", "CO"})  # forms that agree with any other
_LATIN_BRANCH = ("REPRESENTATIVE OFFICE", "BRANCH OFFICE", "BRANCH")
_LATIN_PUNCT = re.compile(r"[^\w ]+|_")
# Indian firms write PRIVATE LIMITED as (P) LTD; a bare P would be an initial (and be joined to
# the initials before it), so it is read only in brackets before LTD / LIMITED.
_PRIVATE_MARK = re.compile(r"\(\s*P\s*\)(?=\W*(?:LTD|LIMITED)\b)")
# Words that say what a firm does, not which firm it is (canonical spelling, see _WORD_VARIANTS):
# lists abbreviate, pluralise and misspell them. Every other word (the pinyin of the firm's own
# name, a place, a number) must be the same word, or the same syllables joined or split: in pinyin
# one letter is another company (HUAXIN 华新 / HUAXING 华兴, ZHONGXING 中兴 / ZHONGXIN 中信,
# HUNAN / HENAN, SHANXI / SHAANXI).
GENERIC_WORDS = frozenset("""
    AEROSPACE AUTOMATION AVIATION CENTER CHEMICAL COMMERCIAL COMMUNICATION COMPONENT CONSTRUCTION
    CONSULTING DESIGN DEVELOPMENT DEVICE DIGITAL ELECTRIC ELECTRICAL ELECTRONIC ENERGY
    ENGINEERING ENTERPRISE EQUIPMENT EXPORT GROUP HOLDING IMPORT INDUSTRIAL INDUSTRY INFORMATION
    INSTITUTE INSTRUMENT INTELLIGENT INTERNATIONAL INVESTMENT LOGISTIC MACHINERY MANAGEMENT
    MANUFACTURING MATERIAL METAL MINING NETWORK OPTICAL PHARMACEUTICAL POWER PRODUCT RESEARCH
    RESOURCE SCIENCE SCIENTIFIC SEMICONDUCTOR SERVICE SHIPPING SOFTWARE SYSTEM TECHNOLOGY
    TELECOM TELECOMMUNICATION TRADING TRANSPORT""".split())
_WORD_VARIANTS = {"TECH": "TECHNOLOGY", "INTL": "INTERNATIONAL", "MFG": "MANUFACTURING",
                  "MGMT": "MANAGEMENT", "DEVT": "DEVELOPMENT", "ENGG": "ENGINEERING",
                  "GRP": "GROUP", "HLDG": "HOLDING", "TRADE": "TRADING", "SCI": "SCIENCE",
                  "IMP": "IMPORT", "EXP": "EXPORT", "EQUIP": "EQUIPMENT", "SVC": "SERVICE",
                  "CONSULTANCY": "CONSULTING", "CENTRE": "CENTER"}
_STOP_WORDS = frozenset({"AND", "OF", "THE"})  # "&", "AND" or nothing: one name


# -- names -------------------------------------------------------------------------------------

def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text or ""))


@dataclass(frozen=True)
class NameForm:
    """One company name, normalised and split; `core` is what two names are compared on."""

    raw: str
    text: str                       # normalised whole name
    script: str                     # zh | latin
    core: str                       # without legal form (and without the branch part)
    form: str | None = None         # canonical legal form
    branch: str | None = None       # e.g. "修水分公司" when the name is a branch office's
    parent_core: str | None = None  # the parent company's core, for branches
    tokens: tuple[str, ...] = field(default=())

    @property
    def distinctive(self) -> bool:
        """Whether the name says which company it is: a Chinese name needs a core of its own
        beyond legal-form words (股份有限公司, or 股份有限公司北京六分公司 as a branch, name
        nobody). Latin names are guarded word by word in `latin_similarity`."""
        if self.script != "zh":
            return bool(self.tokens)
        # A branch's name says which company it is when its top parent's name does.
        return _zh_distinctive((self.parent_core if self.branch else self.core).split("|")[0])

    @property
    def parent_cores(self) -> tuple[str, ...]:
        """The cores of every company this branch office belongs to, nearest first: for the
        东安营业厅 of 中国移动通信集团广西有限公司宁明分公司, the 宁明分公司's and the company's.
        A branch's core is `parent core|label`, so a branch of a branch carries the chain."""
        if not self.branch:
            return ()
        parts = self.core.split("|")
        return tuple("|".join(parts[:n]) for n in range(len(parts) - 1, 0, -1))

    def branch_of(self, parent_core: str) -> str | None:
        """The branch's label below the company with `parent_core` (宁明分公司东安营业厅 below the
        company, 东安营业厅 below the 宁明分公司), or None when it is not a branch of it. A
        sibling's core is never a prefix of this core, so siblings are never each other's."""
        if self.branch and self.core.startswith(parent_core + "|"):
            return self.core[len(parent_core) + 1:].replace("|", "")
        return None


def normalise_name(name: str) -> NameForm | None:
    """Fold and split a company name; None for a name with nothing left to compare."""
    text = unicodedata.normalize("NFKC", name or "").strip().translate(_BRACKETS)
    if not text:
        return None
    if has_cjk(text):
        return _zh_name(name, text)
    return _latin_name(name, text)


def _strip_zh_form(text: str) -> tuple[str, str | None]:
    for suffix, canonical in _ZH_FORMS:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)], canonical
    return text, None


# A core that starts with these is the tail of a name cut in two, not a name.
_ZH_FORM_START = ("股份", "有限", "责任", "公司", "分公司")
_ZH_FORM_WORDS = re.compile(r"股份|有限|责任|公司|合伙|集团")


def _zh_distinctive(core: str | None) -> bool:
    if not core or core.startswith(_ZH_FORM_START):
        return False
    return len(_ZH_FORM_WORDS.sub("", core)) >= 2  # 集团有限公司 leaves nothing


def _unbracket(core: str) -> str:
    """江西省地质工程（集团）公司 is also written 江西省地质工程集团公司: brackets set a word apart
    in a Chinese name, they do not make another name. Legal forms in brackets ((有限合伙)) are
    taken off before this."""
    return core.replace("(", "").replace(")", "")


def _zh_name(raw: str, text: str) -> NameForm | None:
    text = text.upper().translate(_SEPARATORS).replace("()", "")
    if not text:
        return None
    if m := _ZH_BRANCH.fullmatch(text):
        # The parent is read as a name of its own: a 分公司 when this is its 营业厅, whose core
        # is then `company|分公司`, and whose form is the company's.
        parent = _zh_name(m["parent"], m["parent"])
        if parent is not None:
            branch = _unbracket(m["label"] + m["kind"])
            return NameForm(raw, text, "zh", core=f"{parent.core}|{branch}", form=parent.form,
                            branch=branch, parent_core=parent.core)
    core, form = _strip_zh_form(text)
    return NameForm(raw, text, "zh", core=_unbracket(core), form=form)


def _strip_latin_form(words: list[str]) -> tuple[list[str], str | None]:
    """Drop legal-form words from the end (`CO., LTD.` is two of them); the form they name."""
    form = None
    changed = True
    while changed and len(words) > 1:
        changed = False
        for suffix, canonical in _LATIN_FORMS:
            parts = suffix.split()
            if len(words) > len(parts) and words[-len(parts):] == parts:
                words = words[: -len(parts)]
                form = form or canonical  # the last form written (CORPORATION LIMITED: LTD)
                changed = True
                break
    return words, form


def _merge_initials(words: list[str]) -> list[str]:
    """`S A` (from S.A.) is one word, SA: runs of single letters are joined."""
    out: list[str] = []
    run = False
    for word in words:
        single = len(word) == 1 and word.isalpha()
        if single and run:
            out[-1] += word
        else:
            out.append(word)
        run = single
    return out


def _latin_name(raw: str, text: str) -> NameForm | None:
    # Accents go (SOCIÉTÉ = SOCIETE); letters of other scripts stay.
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"\*\d+\s*$", "", text)  # World Bank footnote markers: "…LTD.*647"
    text = _PRIVATE_MARK.sub(" PVT ", text.upper())
    text = _LATIN_PUNCT.sub(" ", text.replace("&", " AND "))
    words = _merge_initials(text.split())
    if words[:1] == ["THE"]:
        words = words[1:]
    if not words:
        return None
    whole = " ".join(words)
    for label in _LATIN_BRANCH:
        parts = label.split()
        if len(words) > len(parts) and words[-len(parts):] == parts:
            head = words[: -len(parts)]
            # The parent ends at its last legal-form word; what follows is the branch's place.
            for end in range(len(head), 0, -1):
                parent, form = _strip_latin_form(head[:end])
                if form and len(parent) < end:
                    branch = " ".join(head[end:] + parts)
                    core = " ".join(parent)
                    return NameForm(raw, whole, "latin", core=f"{core}|{branch}", form=form,
                                    branch=branch, parent_core=core, tokens=tuple(parent))
    core_words, form = _strip_latin_form(words)
    return NameForm(raw, whole, "latin", core=" ".join(core_words), form=form,
                    tokens=tuple(core_words))


# Words a Chinese organisation's name ends in, and the branch kinds.
_ZH_NAME_END = ("公司", "厂", "集团", "研究所", "研究院", "中心", "大学", "学院", "合作社", "事务所",
                "银行", *_ZH_BRANCH_KINDS)
# A whole run of Chinese characters; brackets (河南省地矿建设工程(集团)有限公司), Latin letters and
# digits (第13研究所) count only between Chinese characters, so a bracket around the name, a comma
# or a code ends it.
_ZH_RUN = re.compile(r"[\u3400-\u9fff]+(?:(?:\([\u3400-\u9fffA-Z0-9]{1,12}\)|[A-Z0-9]+)"
                     r"[\u3400-\u9fff]+)*")


def chinese_names_in_text(text: str) -> list[str]:
    """Chinese company names written inside a foreign list's text, e.g. in brackets after the
    Latin name. Each run of Chinese characters is taken whole: cutting it at its first company
    word made 河北建设集团 of every branch of 河北建设集团股份有限公司 (and 股份有限公司… of the
    rest), and 中国电子科技集团 of the 13th and the 14th institute alike. A run that does not
    end in a company word, or that names no company beyond a legal form, gives nothing."""
    folded = unicodedata.normalize("NFKC", text or "").translate(_BRACKETS).upper()
    found: list[str] = []
    for run in _ZH_RUN.findall(folded):
        form = normalise_name(run)
        if (len(run) >= 4 and run.endswith(_ZH_NAME_END) and form is not None
                and form.distinctive and run not in found):
            found.append(run)
    return found


def _canonical_words(words: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for word in words:
        word = _WORD_VARIANTS.get(word, word)
        if len(word) > 4 and word.endswith("IES"):  # TECHNOLOGIES, INDUSTRIES
            word = word[:-3] + "Y"
        elif len(word) > 3 and word.endswith("S") and not word.endswith("SS"):
            word = word[:-1]  # pinyin never ends in s: only English plurals lose it
        if word not in _STOP_WORDS:
            out.append(_WORD_VARIANTS.get(word, word))
    return out


def _split_words(words: list[str], other: list[str]) -> tuple[list[str], list[str]]:
    """(the words that name the firm, the generic words sorted). A word not generic itself but
    close to a generic word only the other name has (TECHNOLGY / TECHNOLOGY) is that word."""
    own: list[str] = []
    generic: list[str] = []
    for word in words:
        if word not in GENERIC_WORDS:
            near = [g for g in other if g in GENERIC_WORDS and g not in words
                    and fuzz.ratio(word, g) >= TOKEN_COUNTERPART]
            word = near[0] if near else word
        (generic if word in GENERIC_WORDS else own).append(word)
    return own, sorted(generic)


def latin_blocks(form: NameForm) -> set[str]:
    """Keys that two Latin names `latin_similarity` may join always share, unless a generic word
    is misspelt: the words that name the firm, sorted or joined without spaces."""
    own = [w for w in _canonical_words(form.tokens) if w not in GENERIC_WORDS]
    return {" ".join(sorted(own)), "".join(own)} - {""}


def latin_similarity(a: NameForm, b: NameForm) -> float:
    """0-100: token_sort_ratio (or, if higher, the ratio in written order) of the two names'
    words, generic words in one spelling; 0 unless both name the firm with the same words and
    have the same generic words. The firm's own words
    may differ only in spacing (ZHONG XING / ZHONGXING, XI'AN / XIAN) or a plural s, generic
    words only in spelling (TECH / TECHNOLOGIES, a misspelling). HUAXIN / HUAXING, the 13th /
    14th institute, a Hunan / Henan firm, ELECTRIC (电气) / ELECTRONIC (电子): two companies."""
    if not a.tokens or not b.tokens:
        return 0.0
    wa, wb = _canonical_words(a.tokens), _canonical_words(b.tokens)
    (own_a, generic_a), (own_b, generic_b) = _split_words(wa, wb), _split_words(wb, wa)
    if generic_a != generic_b or (sorted(own_a) != sorted(own_b)
                                  and "".join(own_a) != "".join(own_b)):
        return 0.0
    # In written order too: sorting splits HONG KONG around other words, HONGKONG stays whole.
    return float(max(fuzz.token_sort_ratio(" ".join(own_a + generic_a), " ".join(own_b + generic_b)),
                     fuzz.ratio(" ".join(wa), " ".join(wb))))


def forms_agree(a: NameForm, b: NameForm) -> bool:
    """No legal form, the same, or one that says nothing (公司, CO) on either side."""
    return a.form == b.form or None in (a.form, b.form) or bool({a.form, b.form} & GENERIC_FORMS)


def names_agree(a: NameForm, b: NameForm) -> float:
    """How well two names of one script agree, 0-100, for confirming a partial code."""
    if a.script != b.script or not (a.distinctive and b.distinctive):
        return 0.0
    if a.core == b.core:
        return 100.0
    if a.script == "latin":
        return latin_similarity(a, b)
    return float(fuzz.ratio(a.core, b.core))

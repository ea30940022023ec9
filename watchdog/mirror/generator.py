"""Deterministic SYNTHETIC listings for the mirror of the court list of dishonest judgment debtors.

Records come out in the canonical zxgk detail shape (see reference/sources.md section 2). Record
`i` is drawn from its own `random.Random`, so it is identical on both publication days unless the
day-2 churn (drawn from a second, independent stream) removes or changes it. A share of records
is built to break exactly one published rule; `truth()` says which, for the tests and the demo,
together with every synthetic name and ID number so privacy tests can look for leaks.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from stdnum import numdb
from stdnum.cn import ric, uscc

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "data" / "mirror" / "court_dishonest.yaml"
KINDS = ("no_lawful_circumstance", "past_term", "performed_still_listed", "minor",
         "unmasked_id", "missing_fields")
PERSON_ONLY = ("minor", "unmasked_id")
ERA_2017 = date(2017, 5, 1)  # the revised Provisions (and the portal's new phrases) took effect
USCC_FROM = date(2016, 1, 1)  # listings before this show the 9-character organisation code
EARLIEST = date(2014, 1, 1)
TERM_DAYS = 730  # two-year listing term for circumstances 2-6 (2017 Provisions art. 2)
ABILITY_2013 = "其他有履行能力而拒不履行生效法律文书确定义务"
OTHER_2013 = ("其它规避执行",)
ABILITY_2017 = "有履行能力而拒不履行生效法律文书确定义务"
OTHER_2017 = ("违反财产报告制度", "违反限制高消费令", "以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
              "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行", "无正当理由拒不履行执行和解协议")
NOT_LAWFUL = ("拒不配合调查", "拖欠物业费", "", "未按期偿还信用卡欠款", "拒不到庭应诉")


@dataclass(frozen=True)
class Court:
    code: str  # area code of the district (GB/T 2260); its last four digits number the court
    name: str
    short: str  # as in 孝南法院 and old case numbers
    city: str  # prefix of synthetic company names


@dataclass(frozen=True)
class Province:
    name: str
    abbr: str
    courts: tuple[Court, ...]


@dataclass(frozen=True, eq=False)  # eq=False: identity hash, so a config can key the cache cheaply
class MirrorConfig:
    seed: int
    listing_count: int
    company_share: float
    id_base: int
    day_dates: Mapping[int, date]
    churn: Mapping[str, float]
    rates: Mapping[str, float]
    variants: Mapping[str, float]
    provinces: tuple[Province, ...]
    names: Mapping[str, Any]
    duties: Mapping[str, Any]

    def with_(self, **changes: Any) -> MirrorConfig:
        """A copy with some settings changed (tests use a different seed or count)."""
        return replace(self, **changes)


def load_config(path: str | Path | None = None) -> MirrorConfig:
    """Read generator settings from YAML (default: data/mirror/court_dishonest.yaml)."""
    p = Path(path) if path is not None else DEFAULT_CONFIG
    raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{p}: expected a mapping at the top level")
    try:
        days = {int(k): v for k, v in raw["days"].items()}
        rates = {k: float(raw["rule_breaking"][k]) for k in KINDS}
        provinces = tuple(
            Province(str(pr["name"]), str(pr["abbr"]),
                     tuple(Court(str(c[0]), str(c[1]), str(c[2]), str(c[3])) for c in pr["courts"]))
            for pr in raw["provinces"])
        cfg = MirrorConfig(
            seed=int(raw["seed"]), listing_count=int(raw["listing_count"]),
            company_share=float(raw["company_share"]), id_base=int(raw["id_base"]),
            day_dates={k: v["date"] for k, v in days.items()},
            churn={k: float(days[2].get(k, 0.0)) for k in ("removed", "added", "changed")},
            rates=rates, variants={k: float(v) for k, v in raw["variants"].items()},
            provinces=provinces, names=raw["names"], duties=raw["duties"])
    except (KeyError, TypeError, IndexError, ValueError) as exc:
        raise ValueError(f"{p}: bad mirror settings ({type(exc).__name__}: {exc})") from exc
    if sorted(cfg.day_dates) != [1, 2] or not all(isinstance(d, date) for d in cfg.day_dates.values()):
        raise ValueError(f"{p}: days must be 1 and 2, each with a date")
    if sum(rates.values()) >= 1:
        raise ValueError(f"{p}: rule_breaking rates add up to 1 or more")
    return cfg


def generate(day: int, config: MirrorConfig | None = None) -> list[dict[str, Any]]:
    """The listings published on `day` (1 or 2), in publication-list order; fresh copies."""
    return [dict(rec) for rec, _ in _day(config or default_config(), day)]


def truth(day: int, config: MirrorConfig | None = None) -> dict[str, dict[str, Any]]:
    """Per record id (as str): how it was generated. Keys: kind (one of KINDS or None), party
    (person/company), province, iname, cardNum, full_id (the unmasked synthetic ID of a person),
    person_names (every natural-person name in the record), amount, change (day 2: added,
    changed or None)."""
    return {str(rec["id"]): dict(meta) for rec, meta in _day(config or default_config(), day)}


@lru_cache(maxsize=1)
def default_config() -> MirrorConfig:
    """The shipped settings, loaded once (so their generated days are cached once too)."""
    return load_config()


@lru_cache(maxsize=8)
def _day(cfg: MirrorConfig, day: int) -> tuple[tuple[dict[str, Any], dict[str, Any]], ...]:
    if day not in (1, 2):
        raise ValueError(f"day must be 1 or 2, not {day!r}")
    n = cfg.listing_count
    if day == 1:
        return tuple(_record(cfg, i, fresh=False) for i in range(n))
    base = _day(cfg, 1)
    out = []
    removed, changed = cfg.churn["removed"], cfg.churn["changed"]
    for i, (rec, meta) in enumerate(base):
        c = random.Random(_stream(cfg, i, churn=True))
        u = c.random()
        if u < removed:
            continue
        # A performed_still_listed record keeps its stale performance date, else its truth changes.
        if u < removed + changed and meta["kind"] != "performed_still_listed":
            rec, meta = _change(cfg, c, rec, meta)
        out.append((rec, meta))
    out += [_record(cfg, i, fresh=True) for i in range(n, n + round(n * cfg.churn["added"]))]
    return tuple(out)


def _stream(cfg: MirrorConfig, i: int, churn: bool = False) -> int:
    return (cfg.seed * 1_000_003 + i) * 2 + int(churn)


def _cn(d: date) -> str:
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def _between(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, max(0, (hi - lo).days)))


def _brackets(rng: random.Random, text: str, p: float) -> str:
    return text.replace("(", "（").replace(")", "）") if rng.random() < p else text


def _focus(rng: random.Random) -> int:
    return min(9999, int(rng.paretovariate(1.2) * 3) - 3)  # most listings have few followers


def _company_name(rng: random.Random, city: str, names: Mapping[str, Any]) -> str:
    brand = rng.choice(names["brand"]) + rng.choice(names["brand"])
    return city + brand + rng.choice(names["industries"]) + rng.choice(names["suffixes"])


def _person_name(rng: random.Random, names: Mapping[str, Any]) -> str:
    given = names["given"]
    return rng.choice(names["surnames"]) + "".join(
        rng.choice(given) for _ in range(1 if rng.random() < 0.3 else 2))


def _record(cfg: MirrorConfig, i: int, fresh: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    rng = random.Random(_stream(cfg, i))
    v, d1 = cfg.variants, cfg.day_dates[1]
    u, kind = rng.random(), None
    for k in KINDS:
        u -= cfg.rates[k]
        if u < 0:
            kind = k
            break
    company = kind not in PERSON_ONLY and rng.random() < cfg.company_share
    prov = rng.choice(cfg.provinces)
    court = rng.choice(prov.courts)
    # Publication date: rule-abiding records stay inside the two-year term unless their ground
    # is "ability but refuses" (no term), with a month of margin so day 2 does not flip them.
    need_ability = False
    if kind == "past_term":
        pub = _between(rng, EARLIEST, d1 - timedelta(days=TERM_DAYS + 30))
    elif fresh and kind != "performed_still_listed":
        pub = _between(rng, d1 + timedelta(days=1), cfg.day_dates[2] - timedelta(days=1))
    else:
        latest = d1 - timedelta(days=40 if kind == "performed_still_listed" else 1)
        if kind in ("no_lawful_circumstance", *PERSON_ONLY) or rng.random() < v["recent_listing"]:
            pub = _between(rng, d1 - timedelta(days=TERM_DAYS - 30), latest)
        else:
            pub, need_ability = _between(rng, EARLIEST, latest), True
    reg = pub - timedelta(days=rng.randint(15, 400))
    amount = rng.randint(20, 9000) * 100 + rng.choice((0, 0, 0, 50, 33))
    rec: dict[str, Any] = {"id": cfg.id_base + 40 * i + rng.randrange(40), "iname": ""}
    rec["caseCode"] = _brackets(rng, _case_code(rng, prov, court, reg), v["fullwidth_brackets"])
    meta: dict[str, Any] = {"kind": kind, "party": "company" if company else "person",
                            "province": prov.name, "full_id": None, "person_names": [],
                            "amount": amount, "change": "added" if fresh else None}
    if company:
        _company(rng, cfg, rec, meta, court, pub)
    else:
        _person(rng, cfg, rec, meta, prov, court, pub, kind)
    rec.update(courtName=court.name, areaName=prov.name, partyTypeName="581" if company else "580")
    gist_year = max(2012, reg.year - rng.choice((0, 0, 1, 1, 2)))
    gist, unit = _gist(rng, prov, court, gist_year)
    rec.update(gistId=_brackets(rng, gist, v["fullwidth_brackets"]), regDate=_cn(reg), gistUnit=unit)
    rec["duty"] = _duty(rng, cfg, rec, meta, gist_year)
    _performance(rng, cfg, rec, kind, pub, amount)
    rec["disruptTypeName"] = _circumstances(rng, v, kind, pub, need_ability)
    rec["publishDate"] = _cn(pub)
    if kind == "missing_fields":
        rec[rng.choice(("courtName", "gistId") if company else ("courtName", "gistId", "sexy"))] = ""
    meta["iname"], meta["cardNum"] = rec["iname"], rec["cardNum"]
    return rec, meta


def _case_code(rng: random.Random, prov: Province, court: Court, reg: date) -> str:
    n = rng.randint(1, 9999)
    if reg.year >= 2016:  # numbering rules of 2016: province abbreviation + court code
        return f"({reg.year}){prov.abbr}{court.code[2:]}{'执恢' if rng.random() < 0.05 else '执'}{n}号"
    return f"({reg.year}){court.short[0]}{rng.choice(('法', ''))}执字第{n:05d}号"


def _gist(rng: random.Random, prov: Province, court: Court, year: int) -> tuple[str, str]:
    n, u = rng.randint(1, 12000), rng.random()
    if u < 0.08:  # an arbitral award rather than a judgment
        return f"({year}){court.city[:2]}仲裁字第{n}号", f"{court.city}仲裁委员会"
    typ = "刑初" if u < 0.12 else "民初"
    gist = (f"({year}){prov.abbr}{court.code[2:]}{typ}{n}号" if year >= 2016
            else f"({year}){court.short[0]}{typ[0]}{typ[1]}字第{n:05d}号")
    if typ == "民初" and rng.random() < 0.1:
        gist += "民事判决书"
    return gist, court.name if rng.random() < 0.65 else f"{court.short}法院"


def _person(rng: random.Random, cfg: MirrorConfig, rec: dict[str, Any], meta: dict[str, Any],
            prov: Province, court: Court, pub: date, kind: str | None) -> None:
    v = cfg.variants
    male = rng.random() < v["male"]
    rec["iname"] = _person_name(rng, cfg.names)
    if kind == "minor":
        age = rng.randint(14, 17)
    elif kind == "unmasked_id":
        # stdnum checks the area code existed in the birth year; keep births after the first one.
        first = min((lo for _, lo, _ in _id_codes(court.code[:2])), default=1983)
        age = rng.randint(22, max(22, min(70, pub.year - first - 1)))
    else:
        age = rng.randint(22, 70)
    birth = date(pub.year - age, 1, 1) + timedelta(days=rng.randrange(365))
    if (birth.month, birth.day) > (pub.month, pub.day):
        birth = birth.replace(year=birth.year - 1) if (birth.month, birth.day) != (2, 29) \
            else date(birth.year - 1, 2, 28)
    valid = _codes_in(court.code[:2], birth.year)
    # Half keep the court's district; debtors born or registered elsewhere carry another code.
    if valid and (court.code not in valid or rng.random() < 0.5):
        area = rng.choice(valid)
    else:
        area = court.code
    body = f"{area}{birth:%Y%m%d}{rng.randrange(500) * 2 + int(male):03d}"
    full = body + ric.calc_check_digit(body + "0")
    rec["age"] = age
    long_form = v["long_sex_before_2018"] if pub.year < 2018 else v["long_sex_from_2018"]
    rec["sexy"] = ("男" if male else "女") + ("性" if rng.random() < long_form else "")
    rec["focusNumber"] = _focus(rng)
    rec["cardNum"] = full if kind == "unmasked_id" else f"{full[:10]}****{full[14:]}"
    meta["full_id"] = full
    meta["person_names"].append(rec["iname"])


def _company(rng: random.Random, cfg: MirrorConfig, rec: dict[str, Any], meta: dict[str, Any],
             court: Court, pub: date) -> None:
    v, names = cfg.variants, cfg.names
    rec["iname"] = _company_name(rng, court.city, names)
    digits = [rng.randrange(10) for _ in range(8)]
    check = 11 - sum(d * w for d, w in zip(digits, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    org = "".join(map(str, digits)) + {10: "X", 11: "0"}.get(check, str(check))  # GB 11714
    code17 = "91" + court.code + org
    full = code17 + uscc.calc_check_digit(code17)
    if pub < USCC_FROM:
        card = f"{org[:8]}-{org[8]}" if rng.random() < v["hyphen_org_code"] else org
    else:
        card = f"{full[:10]}****{full[14:]}" if rng.random() < v["masked_uscc"] else full
    rec.update(age=0, sexy="", focusNumber=_focus(rng), cardNum=card)
    rec["businessEntity"] = _person_name(rng, names)
    meta["person_names"].append(rec["businessEntity"])
    meta["uscc"] = full


def _duty(rng: random.Random, cfg: MirrorConfig, rec: dict[str, Any], meta: dict[str, Any],
          year: int) -> str:
    u, amount, debtor = rng.random(), meta["amount"], rec["iname"]
    if u < 0.12:
        return rec["gistId"]
    if u < 0.2:
        return f"被执行人标的款{amount}元"
    if u < 0.24:
        return "法院生效裁判:调解"
    names = cfg.names
    if rng.random() < cfg.variants["plaintiff_company"]:
        plaintiff = _company_name(rng, rng.choice(cfg.provinces).courts[0].city, names)
    else:
        plaintiff = _person_name(rng, names)
        meta["person_names"].append(plaintiff)
    fill = {"debtor": debtor, "plaintiff": plaintiff, "goods": rng.choice(names["goods"]),
            "amount": amount, "fee": amount // 50 + 50, "days": rng.choice(("五", "七", "十")),
            # Article on interest for delayed performance in the Civil Procedure Law then in force.
            "art": "二百五十三" if year < 2022 else ("二百六十" if year < 2024 else "二百六十四")}
    if rng.random() < cfg.variants["crlf_in_duty"]:
        return "\r\n".join(t.format(**fill) for t in cfg.duties["crlf"])
    return rng.choice(cfg.duties["plain"]).format(**fill)


def _performance(rng: random.Random, cfg: MirrorConfig, rec: dict[str, Any], kind: str | None,
                 pub: date, amount: int) -> None:
    none = "暂无" if rng.random() < cfg.variants["performed_part_zanwu"] else ""
    d1 = cfg.day_dates[1]
    if kind == "performed_still_listed":
        # Performed at least ten days (six working days) before day 1: far past the 3-day deadline.
        done = _between(rng, max(pub + timedelta(days=5), d1 - timedelta(days=200)),
                        d1 - timedelta(days=10))
        rec.update(performance="全部履行", performedPart=f"已于{_cn(done)}全部履行", unperformPart=none)
    elif rng.random() < cfg.variants["partly_performed"]:
        paid = amount * rng.randint(10, 70) // 100
        rec.update(performance="部分未履行", performedPart=f"已履行{paid}元",
                   unperformPart=f"{amount - paid}元")
    else:
        rec.update(performance="全部未履行", performedPart=none, unperformPart=none)


def _circumstances(rng: random.Random, v: Mapping[str, float], kind: str | None, pub: date,
                   need_ability: bool) -> str:
    if kind == "no_lawful_circumstance":
        return rng.choice(NOT_LAWFUL)
    old = pub < ERA_2017
    ability = ABILITY_2013 if old else ABILITY_2017 + ("的" if rng.random() < v["trailing_de"] else "")
    others = OTHER_2013 if old else OTHER_2017
    if kind == "past_term":
        picks = [rng.choice(others)]
    elif kind == "performed_still_listed":
        # Deletion on performance binds only listings without a term: ability but refusal alone.
        return ability
    elif need_ability or rng.random() < v["ability_circumstance"]:
        picks = [ability]
    else:
        picks = [rng.choice(others)]
    if rng.random() < v["multi_circumstance"]:
        extra = rng.choice(others)
        if extra not in picks:
            picks.append(extra)
    return rng.choice((",", "，")).join(picks)


def _change(cfg: MirrorConfig, c: random.Random, rec: dict[str, Any],
            meta: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Day-2 update of one listing: some performance, or full performance the day before."""
    rec, meta = dict(rec), dict(meta, change="changed")
    amount = meta["amount"]
    if rec["performance"] == "全部未履行" and c.random() < 0.3:
        # Still inside the three-working-day removal window on day 2, so still lawful.
        done = cfg.day_dates[2] - timedelta(days=1)
        rec.update(performance="全部履行", performedPart=f"已于{_cn(done)}全部履行", unperformPart="")
    else:
        paid = amount * c.randint(71, 95) // 100
        rec.update(performance="部分未履行", performedPart=f"已履行{paid}元",
                   unperformPart=f"{amount - paid}元")
    return rec, meta


@lru_cache(maxsize=4096)
def _codes_in(province: str, year: int) -> tuple[str, ...]:
    return tuple(c for c, lo, hi in _id_codes(province) if lo <= year <= hi)


@lru_cache(maxsize=64)
def _id_codes(province: str) -> tuple[tuple[str, int, int], ...]:
    """County-level area codes of a province with the years each was in use (stdnum's table),
    so generated ID numbers carry codes that existed when the person was born."""
    out: list[tuple[str, int, int]] = []
    try:
        for _len, low, _high, _props, children in numdb.get("cn/loc").prefixes:
            for _l, code, _h, props, _c in children if low == province else ():
                for part in props.get("county", "").split(",") if code[2:] != "00" else ():
                    a, _, b = part[1:].split("]")[0].partition("-") if part[:1] == "[" else ("", "", "")
                    out.append((province + code, int(a or 0), int(b or 9999)))
    except (AttributeError, ValueError, TypeError):
        return ()  # table layout changed: callers fall back to the court's own code
    return tuple(out)

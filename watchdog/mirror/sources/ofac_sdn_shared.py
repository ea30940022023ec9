"""What the three foreign-list mirrors (`ofac_sdn`, `us_csl`, `worldbank_debarred`) share:
court-list mirror companies with an English name, and synthetic persons. SYNTHETIC DEMO DATA.

Foreign lists publish Chinese companies under English names. The court-list mirror's companies
(`watchdog.mirror.generator`, day 1) are named <city><two brand characters><industry><suffix>
from fixed vocabularies, so each gets a deterministic English name here ("TANGSHAN TAITONG
TRADING CO., LTD."), and keeps its Chinese name and USCC for the lists that publish them.
The pool takes the first companies by record id in a fixed list of provinces. Beijing and
Heilongjiang come first and take their first companies whatever the court page shows of the
code, because the tax A-list mirror picks the same first companies there (so some companies are
red-listed at home in the demo while on a foreign list); elsewhere only companies whose court
record shows the full USCC are taken, so the court match is exact.
"""

from __future__ import annotations

import random
from functools import lru_cache

from stdnum.cn import uscc as uscc_std

PROVINCES = ("北京", "黑龙江", "广东", "浙江", "上海", "河北", "新疆")
TAX_LIST_PROVINCES = ("北京", "黑龙江")
PER_PROVINCE = 2
CITY = dict(x.split(":") for x in """上海:SHANGHAI 临汾:LINFEN 义乌:YIWU 乌鲁木齐:URUMQI 九江:JIUJIANG
佛山:FOSHAN 保定:BAODING 克拉玛依:KARAMAY 兰州:LANZHOU 内江:NEIJIANG 包头:BAOTOU 北京:BEIJING
南京:NANJING 南宁:NANNING 南昌:NANCHANG 厦门:XIAMEN 合肥:HEFEI 吉林:JILIN 呼和浩特:HOHHOT
哈尔滨:HARBIN 唐山:TANGSHAN 大庆:DAQING 大理:DALI 大连:DALIAN 天水:TIANSHUI 天津:TIANJIN
太原:TAIYUAN 孝感:XIAOGAN 宁波:NINGBO 安顺:ANSHUN 宜昌:YICHANG 宝鸡:BAOJI 广州:GUANGZHOU
廊坊:LANGFANG 张掖:ZHANGYE 成都:CHENGDU 扬州:YANGZHOU 抚州:FUZHOU 拉萨:LHASA 新乡:XINXIANG
无锡:WUXI 日喀则:XIGAZE 昆明:KUNMING 晋江:JINJIANG 来宾:LAIBIN 杭州:HANGZHOU 松原:SONGYUAN
林芝:NYINGCHI 柳州:LIUZHOU 株洲:ZHUZHOU 武汉:WUHAN 沈阳:SHENYANG 泉州:QUANZHOU 洛阳:LUOYANG
济南:JINAN 海东:HAIDONG 海口:HAIKOU 淄博:ZIBO 深圳:SHENZHEN 温州:WENZHOU 湘潭:XIANGTAN
烟台:YANTAI 玉溪:YUXI 石嘴山:SHIZUISHAN 石家庄:SHIJIAZHUANG 福州:FUZHOU 绵阳:MIANYANG 芜湖:WUHU
苏州:SUZHOU 蚌埠:BENGBU 西宁:XINING 西安:XIAN 贵阳:GUIYANG 赣州:GANZHOU 运城:YUNCHENG
遵义:ZUNYI 郑州:ZHENGZHOU 鄂尔多斯:ORDOS 重庆:CHONGQING 银川:YINCHUAN 长春:CHANGCHUN
长沙:CHANGSHA 青岛:QINGDAO 鞍山:ANSHAN 齐齐哈尔:QIQIHAR""".split())
BRAND = dict(x.split(":") for x in """华:HUA 信:XIN 宏:HONG 达:DA 鑫:XIN 源:YUAN 恒:HENG 泰:TAI 金:JIN
鼎:DING 瑞:RUI 丰:FENG 中:ZHONG 和:HE 永:YONG 盛:SHENG 天:TIAN 成:CHENG 博:BO 远:YUAN 兴:XING
隆:LONG 聚:JU 德:DE 嘉:JIA 禾:HE 润:RUN 通:TONG 世:SHI 汇:HUI 昌:CHANG 锦:JIN 程:CHENG 开:KAI
元:YUAN 众:ZHONG 诚:CHENG""".split())
INDUSTRY = {"商贸": "COMMERCE AND TRADE", "建筑工程": "CONSTRUCTION ENGINEERING",
            "房地产开发": "REAL ESTATE DEVELOPMENT", "物流": "LOGISTICS", "科技": "TECHNOLOGY",
            "实业": "INDUSTRIAL", "建材": "BUILDING MATERIALS", "餐饮管理": "CATERING MANAGEMENT",
            "农业开发": "AGRICULTURAL DEVELOPMENT", "汽车销售": "AUTOMOBILE SALES",
            "装饰工程": "DECORATION ENGINEERING", "贸易": "TRADING", "电子": "ELECTRONICS",
            "化工": "CHEMICAL", "机械设备": "MACHINERY AND EQUIPMENT", "纺织": "TEXTILE"}
SUFFIX = {"股份有限公司": "JOINT STOCK CO., LTD.", "有限责任公司": "CO., LTD.", "有限公司": "CO., LTD."}


def english_name(chinese: str) -> str | None:
    """The English form a foreign list would publish, or None if a part is not known."""
    city = next((c for c in sorted(CITY, key=len, reverse=True) if chinese.startswith(c)), None)
    suffix = next((s for s in SUFFIX if chinese.endswith(s)), None)
    if city is None or suffix is None:
        return None
    middle = chinese[len(city):-len(suffix)]
    brand, industry = middle[:2], middle[2:]
    if industry not in INDUSTRY or any(ch not in BRAND for ch in brand):
        return None
    return f"{CITY[city]} {''.join(BRAND[ch] for ch in brand)} {INDUSTRY[industry]} {SUFFIX[suffix]}"


@lru_cache(maxsize=1)
def court_pool() -> tuple[dict[str, str], ...]:
    """The court-list mirror companies the foreign mirrors draw from, in a fixed order:
    {chinese, english, uscc, province, city}."""
    from watchdog.mirror.generator import truth

    metas = sorted(truth(1).items(), key=lambda kv: int(kv[0]))
    pool: list[dict[str, str]] = []
    for province in PROVINCES:
        taken = 0
        for _, meta in metas:
            if taken == PER_PROVINCE:
                break
            if meta["party"] != "company" or meta["province"] != province:
                continue
            code = meta.get("uscc") or ""
            english = english_name(meta["iname"])
            exact = meta.get("cardNum") == code or province in TAX_LIST_PROVINCES
            if english and exact and uscc_std.is_valid(code):
                city = english.split(" ", 1)[0]
                pool.append({"chinese": meta["iname"], "english": english, "uscc": code,
                             "province": province, "city": city.title(),
                             "index": str(len(pool)), "court_card": meta.get("cardNum") or ""})
                taken += 1
    return tuple(pool)


def court_companies(start: int, stop: int, day: int) -> list[dict[str, str]]:
    """A slice of the pool; on day 2 the slice moves on by one (one removed, one added)."""
    shift = 1 if day == 2 else 0
    return list(court_pool()[start + shift:stop + shift])


_GIVEN = ("Aleksei", "Marta", "Jonas", "Ines", "Tomasz", "Leila", "Pavel", "Sofia", "Dario",
          "Nadia", "Omar", "Greta")
_FAMILY = ("KOVALENKO", "ARDENNE", "VESTERGAARD", "OKONKWO", "MARQUETTI", "HALVORSEN",
           "DRAGOMIR", "ZELENKA", "ABERNATHY", "QUILLFEATHER", "MORROWIND", "SALTVIK")


def synthetic_persons(source: str, count: int) -> list[tuple[str, str]]:
    """(FAMILY, Given) pairs of invented persons, the same for a source on every run."""
    rng = random.Random(f"scorewatch-foreign-persons:{source}")
    return [(rng.choice(_FAMILY), rng.choice(_GIVEN) + " " + rng.choice(_GIVEN))
            for _ in range(count)]

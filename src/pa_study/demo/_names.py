"""Fake but well-formed Chinese place names, person names, ID-card numbers and mobile numbers.

Every character used here is in GB2312, so the GBK-encoded CSV county can hold all of it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from pa_study.privacy import id_check_digit

_TOWNSHIP_ROOTS = (
    "柳林",
    "石桥",
    "高庄",
    "马集",
    "杨楼",
    "黄岗",
    "白云",
    "青山",
    "双河",
    "三里",
    "五里",
    "桃园",
    "梨园",
    "王庄",
    "张集",
    "刘寨",
    "孙营",
    "赵岭",
    "前进",
    "新华",
    "永安",
    "太平",
    "长兴",
    "东湖",
    "西岭",
    "南河",
    "北辛",
    "龙泉",
    "凤凰",
    "金沟",
    "银杏",
    "大王",
    "小店",
    "朱集",
    "韩村",
    "付庄",
    "彭楼",
    "许集",
    "汪湖",
    "范寨",
    "沙河",
    "榆林",
    "槐树",
    "杏花",
    "石佛",
    "清水",
    "红星",
    "丰收",
    "团结",
    "胜利",
    "兴隆",
    "宋集",
    "崔口",
    "葛店",
    "于庄",
    "夏楼",
)
_TOWNSHIP_SUFFIXES = ("镇", "镇", "镇", "乡", "乡", "街道")
_SURNAMES = (
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "赵",
    "黄",
    "周",
    "吴",
    "徐",
    "孙",
    "胡",
    "朱",
    "高",
    "林",
    "何",
    "郭",
    "马",
    "罗",
    "梁",
    "宋",
    "郑",
    "谢",
    "韩",
    "唐",
    "冯",
    "于",
    "董",
    "萧",
    "程",
    "曹",
    "袁",
    "邓",
    "许",
    "傅",
    "沈",
    "曾",
    "彭",
    "吕",
    "苏",
    "卢",
    "蒋",
    "蔡",
    "贾",
    "丁",
    "魏",
    "薛",
    "叶",
    "阎",
    "余",
    "潘",
    "杜",
    "戴",
    "夏",
    "钟",
    "汪",
    "田",
    "任",
    "姜",
    "范",
    "方",
    "石",
    "姚",
    "谭",
    "廖",
    "邹",
    "熊",
    "金",
    "陆",
    "郝",
    "孔",
    "白",
    "崔",
    "康",
    "毛",
    "邱",
    "秦",
    "江",
    "史",
    "顾",
    "侯",
    "邵",
    "孟",
    "龙",
    "万",
    "段",
    "雷",
    "钱",
    "汤",
    "尹",
    "黎",
    "易",
    "常",
    "武",
)
# Rough frequency weights: the first surnames are far more common, as in the census.
_SURNAME_WEIGHTS = np.linspace(3.0, 0.4, len(_SURNAMES))
_VILLAGE_PREFIXES = ("", "", "", "东", "西", "南", "北", "前", "后", "大", "小", "上", "下", "新", "老")
_VILLAGE_MIDDLES = ("家", "")
_VILLAGE_FEATURES = (
    "庄",
    "楼",
    "集",
    "营",
    "屯",
    "寨",
    "店",
    "洼",
    "岭",
    "沟",
    "河",
    "桥",
    "湖",
    "坡",
    "峪",
    "铺",
    "园",
    "官庄",
    "台",
    "岗",
    "圈",
    "湾",
    "堂",
    "坊",
    "场",
)
_GIVEN_MALE = (
    "建",
    "国",
    "军",
    "伟",
    "强",
    "明",
    "华",
    "平",
    "刚",
    "勇",
    "峰",
    "海",
    "波",
    "东",
    "林",
    "志",
    "文",
    "斌",
    "杰",
    "涛",
    "庆",
    "福",
    "贵",
    "宝",
    "德",
    "成",
    "金",
    "山",
    "春",
    "生",
    "永",
    "广",
    "新",
    "民",
    "学",
    "良",
    "忠",
    "保",
)
_GIVEN_FEMALE = (
    "秀",
    "英",
    "华",
    "兰",
    "芳",
    "玉",
    "珍",
    "凤",
    "霞",
    "丽",
    "梅",
    "敏",
    "静",
    "燕",
    "红",
    "萍",
    "娟",
    "桂",
    "荣",
    "琴",
    "云",
    "莲",
    "慧",
    "春",
    "爱",
    "香",
    "月",
    "翠",
    "金",
    "淑",
    "彩",
    "艳",
)
_MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "157",
    "158",
    "159",
    "176",
    "177",
    "178",
    "180",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "198",
)


def township_names(count: int, rng: np.random.Generator) -> list[str]:
    """Return ``count`` distinct township names, the first always 城关镇 (the county seat).

    Parameters
    ----------
    count : int
        Number of townships (at most one more than the number of roots).
    rng : numpy.random.Generator
        Source of randomness.
    """
    roots = rng.choice(len(_TOWNSHIP_ROOTS), size=count - 1, replace=False)
    suffixes = rng.choice(len(_TOWNSHIP_SUFFIXES), size=count - 1)
    return ["城关镇"] + [_TOWNSHIP_ROOTS[r] + _TOWNSHIP_SUFFIXES[s] for r, s in zip(roots, suffixes, strict=True)]


def village_names(count: int, rng: np.random.Generator, taken: set[str]) -> list[str]:
    """Return ``count`` village names (e.g. 李家庄村) not in ``taken``, and add them to it.

    Parameters
    ----------
    count : int
        Number of names wanted.
    rng : numpy.random.Generator
        Source of randomness.
    taken : set of str
        Names already used in the county; updated in place so names stay unique county-wide.
    """
    names: list[str] = []
    surname_p = _SURNAME_WEIGHTS / _SURNAME_WEIGHTS.sum()
    while len(names) < count:
        prefix = _VILLAGE_PREFIXES[rng.integers(len(_VILLAGE_PREFIXES))]
        surname = _SURNAMES[rng.choice(len(_SURNAMES), p=surname_p)]
        middle = _VILLAGE_MIDDLES[rng.integers(len(_VILLAGE_MIDDLES))]
        feature = _VILLAGE_FEATURES[rng.integers(len(_VILLAGE_FEATURES))]
        name = f"{prefix}{surname}{middle}{feature}村"
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def person_names(is_male: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Return one two- or three-character name per person, given names matched to sex.

    Parameters
    ----------
    is_male : numpy.ndarray of bool
        Sex of each person.
    rng : numpy.random.Generator
        Source of randomness.
    """
    n = len(is_male)
    surnames = rng.choice(len(_SURNAMES), size=n, p=_SURNAME_WEIGHTS / _SURNAME_WEIGHTS.sum())
    two_given = rng.random(n) < 0.7
    first = rng.integers(0, 10_000, size=n)
    second = rng.integers(0, 10_000, size=n)
    names = []
    for i in range(n):
        pool = _GIVEN_MALE if is_male[i] else _GIVEN_FEMALE
        given = pool[first[i] % len(pool)] + (pool[second[i] % len(pool)] if two_given[i] else "")
        names.append(_SURNAMES[surnames[i]] + given)
    return names


def id_numbers(
    region_code: str,
    age: np.ndarray,
    is_male: np.ndarray,
    on: list[dt.date],
    rng: np.random.Generator,
) -> list[str]:
    """Return 18-character ID-card numbers whose birth date gives exactly ``age`` on date ``on``.

    Parameters
    ----------
    region_code : str
        Six-digit administrative code of the place of registration.
    age : numpy.ndarray of int
        Age in completed years on the reference date.
    is_male : numpy.ndarray of bool
        Sex (the 17th digit is odd for men, even for women).
    on : list of datetime.date
        Reference date of each person (the interview date).
    rng : numpy.random.Generator
        Source of randomness.
    """
    n = len(age)
    months = rng.integers(1, 13, size=n)
    days = rng.integers(1, 29, size=n)  # day 29+ would need month-length and leap-year care
    sequence = rng.integers(0, 500, size=n) * 2 + is_male.astype(int)
    numbers = []
    for i in range(n):
        birthday_to_come = (int(months[i]), int(days[i])) > (on[i].month, on[i].day)
        year = on[i].year - int(age[i]) - int(birthday_to_come)
        first17 = f"{region_code}{year:04d}{months[i]:02d}{days[i]:02d}{sequence[i]:03d}"
        numbers.append(first17 + id_check_digit(first17))
    return numbers


def mobile_numbers(n: int, rng: np.random.Generator) -> list[str]:
    """Return ``n`` eleven-digit mainland mobile numbers (as text)."""
    prefixes = rng.integers(len(_MOBILE_PREFIXES), size=n)
    rest = rng.integers(0, 100_000_000, size=n)
    return [f"{_MOBILE_PREFIXES[p]}{r:08d}" for p, r in zip(prefixes, rest, strict=True)]

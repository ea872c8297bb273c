"""The figures' words in English and Chinese.

Every text a figure draws goes through :func:`tr` (the figure's own words, written in English in
:mod:`.plots` and looked up in :data:`ZH` for a Chinese figure, as gettext does), :func:`label`
(the bilingual labels of the results rows) or :func:`category_label` (the codebook's labels of category
codes). :func:`figure_language` sets the language while a figure is drawn. Constants that hold
words are marked with :func:`N_` so that a test can check that each has its Chinese entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from pa_study.codebook import Codebook
from pa_study.results import chinese_label, english_label

#: Chinese for each English text the figures draw. A text missing here is drawn in English; the
#: figure tests fail on it.
ZH: dict[str, str] = {
    # specification curves
    "baseline (as configured)": "基准设定（按配置）",
    "estimate and 95% CI": "估计值及95%置信区间",
    "threshold": "阈值",
    "specifications, sorted by estimate": "各设定（按估计值排序）",
    "{n} of {total} specifications without an estimate": "{total}个设定中{n}个无估计值",
    # specifications of the income effect
    "ATT, doubly robust (headline)": "参与者平均效应，双重稳健（主估计）",
    "ATT, regression adjustment": "参与者平均效应，回归调整",
    "ATT, inverse probability weighting": "参与者平均效应，逆概率加权",
    "ATT, weighted matching": "参与者平均效应，加权匹配",
    "ATT, survey-year covariates": "参与者平均效应，调查年度协变量",
    "DiD, constant yuan": "双重差分，不变价",
    "additive regression (not an ATT)": "加性回归（非参与者平均效应）",
    "dividend only (descriptive)": "仅分红（描述性）",
    # income components
    "wages": "工资性收入",
    "business": "家庭经营收入",
    "property and dividends": "财产性收入与分红",
    "transfers": "转移性收入",
    # cadre time
    "paperwork": "填表报数",
    "meetings": "开会",
    "hosting inspections": "迎检",
    "field work with households": "入户走访",
    "other work": "其他工作",
    # capability groups
    "not registered": "非建档立卡户",
    "registered": "建档立卡户",
    "registered, not exited": "建档立卡户，未脱贫",
    "registered, exited": "建档立卡户，已脱贫",
    "weighted mean": "加权均值",
    # axes and annotations
    "threshold {value}": "阈值 {value}",
    "eligible": "符合识别标准",
    "not eligible": "不符合识别标准",
    "not\nregistered": "非建档\n立卡户",
    "inclusion error": "纳入误差",
    "poverty line × factor": "贫困线 × 系数",
    "yuan per person per year (95% CI)": "元/人·年（95%置信区间）",
    "share of household income": "占家庭收入比重",
    "capability index (standard deviations of the reference group); box 25-75%, whiskers 5-95%, line: median": (
        "能力指数（参照组标准差）；箱体25%–75%，须线5%–95%，中线为中位数"
    ),
    "all": "全部",
    "{county} ({level}s{hidden})": "{county}（{level}{hidden}）",
    "; {n} suppressed (x), no fit drawn": "；{n}个已隐去（x），未画拟合线",
    "{county}: all {n} {level}s suppressed (x)": "{county}：全部{n}个{level}已隐去（x）",
    "x: suppressed to protect respondents' confidentiality (too few respondents; disclosure.min_cell)": (
        "x：受访者过少，为保护受访者隐私已隐去（disclosure.min_cell）"
    ),
    "village": "村",
    "township": "乡镇",
    "cadres' share of weekly hours on formal activities": "干部每周用于形式性事务的时间占比",
    "identification error rate": "识别误差率",
    # identification and exit
    "not\neligible": "不符合\n识别标准",
    "on the\ncurrent register": "在册\n贫困户",
    "not on it": "不在册",
    "(pre-transfer income)": "（转移前收入）",
    "(post-transfer income)": "（转移后收入）",
    "current": "在册",
    "ever": "历年建档立卡",
    "coverage: share of the group's persons\non the {register} register": "覆盖率：该组人口中{register}户人口比例",
    "beneficiaries: share of the {register}\nregister's persons in the group": (
        "受益者分布：{register}户人口中\n该组所占比例"
    ),
    "pre-transfer income group (1 = poorest)": "转移前收入分组（1 = 最低）",
    "headcount H": "多维贫困发生率 H",
    "adjusted headcount M0": "调整后多维贫困指数 M0",
    "poverty cutoff k (weighted share of deprivations)": "贫困临界值 k（加权剥夺比例）",
    # monitoring after 2020
    "below the line": "低于贫困线",
    "vulnerable band": "易返贫区间",
    "exit year": "脱贫年度",
    "share of exited households": "占已脱贫户比例",
    "below the line, by main cause of poverty": "低于贫困线比例（按主要致贫原因）",
    "national line": "国家贫困线",
    "monitoring threshold": "监测标准",
    "top of the vulnerable band": "易返贫区间上限",
    "40% of the national rural median": "全国农村中位数的40%",
    "50% of the national rural median": "全国农村中位数的50%",
    "$2.15 a day (2017 PPP)": "每天2.15美元（2017年PPP）",
    "$3.65 a day (2017 PPP)": "每天3.65美元（2017年PPP）",
    "$6.85 a day (2017 PPP)": "每天6.85美元（2017年PPP）",
    "$3.00 a day (2021 PPP)": "每天3.00美元（2021年PPP）",
    "$4.20 a day (2021 PPP)": "每天4.20美元（2021年PPP）",
    "$8.30 a day (2021 PPP)": "每天8.30美元（2021年PPP）",
    "share of persons below the line": "低于贫困线的人口比例",
    # projects and funds
    "investment per linked poor household (yuan)": "每带动一户贫困户的财政投资（元）",
    "investment per job created (yuan)": "每个就业岗位的财政投资（元）",
    "dividends per yuan invested": "每元投资分红",
    "years since the project started": "项目开始以来年数",
    "share of projects still operating": "仍在运营的项目比例",
}

_LANGUAGE: ContextVar[str] = ContextVar("figure_language", default="en")
_CODEBOOK: ContextVar[Codebook | None] = ContextVar("figure_codebook", default=None)


@contextmanager
def figure_language(language: str, codebook: Codebook | None = None) -> Iterator[None]:
    """Draw the figures inside this block in ``language`` (``en`` or ``zh``), labelling category
    codes from ``codebook`` when given."""
    language_token, codebook_token = _LANGUAGE.set(language), _CODEBOOK.set(codebook)
    try:
        yield
    finally:
        _LANGUAGE.reset(language_token)
        _CODEBOOK.reset(codebook_token)


def current_language() -> str:
    """The language figures are drawn in (``en`` unless :func:`figure_language` says otherwise)."""
    return _LANGUAGE.get()


def N_(text: str) -> str:
    """Mark ``text`` as a figure word to be translated where it is drawn; returns it unchanged."""
    return text


def tr(text: str, **fields: object) -> str:
    """``text`` in the figure's language (then its ``{fields}`` filled in)."""
    translated = ZH.get(text, text) if current_language() == "zh" else text
    return translated.format(**fields) if fields else translated


def label(bilingual: str) -> str:
    """The part of a results row's bilingual label (``错退率 wrongful-exit rate``) in the figure's language."""
    return chinese_label(bilingual) if current_language() == "zh" else english_label(bilingual)


def category_label(instrument: str, variable: str, code: str) -> str:
    """The codebook's label of a category ``code`` of ``variable`` in the figure's language; ``all``
    (a total row) and codes the codebook does not know are passed through :func:`tr`."""
    codebook = _CODEBOOK.get()
    if codebook is not None and instrument in codebook.instruments:
        var = codebook[instrument].by_name.get(variable)
        found = next((c for c in var.categories if c.code == code), None) if var is not None else None
        if found is not None:
            return found.label_zh if current_language() == "zh" else found.label_en
    return tr(code)

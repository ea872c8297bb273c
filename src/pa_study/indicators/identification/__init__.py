"""Identification and exit (精准识别与退出): who should be on the register, who is, and whether the
exits met the standard, measured as the exit evaluation and the targeting literature define them.

* :mod:`.constructs`: 两不愁三保障 failures, per-capita income before and after transfers,
  eligibility, and the frame of usable households;
* :mod:`.targeting`: the current register against eligibility (Coady-Grosh-Hoddinott / ADePT:
  inclusion and exclusion errors, accuracy, precision, F1, kappa) on income before and after
  transfers, coverage and beneficiaries by welfare quintile, the registration check;
* :mod:`.exit`: the county exit evaluation replicated (错退率 by the exit year's standard, 漏评率,
  群众认可度, 综合贫困发生率 and the four together), the below-standard share of the exited, relapse,
  and all of these by exit cohort;
* :mod:`.poverty`: FGT indices by registration and the Alkire-Foster index over a grid of cutoffs;
* :mod:`.compute`: the family for one county (headline rows, tables, definitions);
* :mod:`.planning`: the households behind 错退率 and 漏评率, for planning the next survey;
* :mod:`.choices`: the analysis choices the specification multiverse may vary.

References
----------
Coady, Grosh & Hoddinott (2004), Targeting of Transfers in Developing Countries (errors).
Foster, Greer & Thorbecke (1984), Econometrica 52(3) (FGT). Alkire & Foster (2011), J. Public
Economics 95(7-8) (multidimensional poverty). 国务院扶贫开发领导小组 (2016), 关于建立贫困退出机制的意见;
国务院扶贫办 (2017), 贫困县退出专项评估检查实施办法 (the four exit criteria; facts-2.md §4).
"""

from __future__ import annotations

from pa_study.disclosure import Margin, Protection
from pa_study.indicators.family import FigureSpec, IndicatorFamily
from pa_study.indicators.identification.choices import CHOICES
from pa_study.indicators.identification.compute import identification_indicators
from pa_study.indicators.identification.constructs import (
    eligibility,
    household_columns,
    identification_frame,
    item_failures,
    per_capita_income,
    pre_transfer_income,
)
from pa_study.indicators.identification.exit import INDICATIVE, exit_evaluation
from pa_study.indicators.identification.planning import threshold_units
from pa_study.indicators.identification.settings import IdentificationOptions, IdentificationSettings

__all__ = [
    "FAMILY",
    "INDICATIVE",
    "IdentificationOptions",
    "IdentificationSettings",
    "eligibility",
    "exit_evaluation",
    "identification_frame",
    "identification_indicators",
    "item_failures",
    "per_capita_income",
    "pre_transfer_income",
]

FAMILY = IndicatorFamily(
    name="identification",
    title_en="Identification and exit",
    title_zh="精准识别与退出",
    question_en="Are the right households on the register, and did the exits meet the standard?",
    question_zh="贫困户识别是否精准，退出是否达标？",
    key_headlines=("exit_verdict", "wrongful_exit_rate", "missed_rate"),
    settings=IdentificationSettings,
    instruments=("households",),
    required=("households",),
    compute=identification_indicators,
    choices=CHOICES,
    threshold_units=threshold_units,
    columns=household_columns,
    figures={
        "identification_errors": FigureSpec(
            ("identification",),
            "The exit-evaluation criteria and the targeting errors of the current register by county (95% CIs); "
            "dashed lines: the thresholds of the exit evaluation; †: wrongful-exit rate estimated on the latest "
            "exit cohort only (no register income at exit).",
            "各县退出评估指标与在册识别误差（95%置信区间）；虚线为退出评估阈值；†：错退率仅依据最近退出批次估计"
            "（未提供系统中的脱贫时收入）。",
            "identification_errors",
        ),
        "registration_eligibility": FigureSpec(
            ("identification",),
            "The current register against eligibility in the survey year (targeting welfare): weighted shares of "
            "households.",
            "调查年度在册贫困户与识别标准的对照（识别所用收入口径）：农户加权占比。",
            "registration_eligibility",
        ),
        "coverage_by_quintile": FigureSpec(
            ("identification",),
            "Coverage of the register and the distribution of its beneficiaries by quintile of pre-transfer income "
            "per person (95% CIs).",
            "按转移前人均收入五等分组的建档立卡覆盖率与受益者分布（95%置信区间）。",
            "coverage_by_quintile",
        ),
        "poverty_line_sensitivity": FigureSpec(
            ("identification",),
            "Error rates when every poverty line moves by ±30% (95% bands); dashed lines: thresholds.",
            "各年贫困线上下浮动30%时的误差率（95%置信带）；虚线为阈值。",
            "poverty_line_sensitivity",
        ),
        "af_dominance": FigureSpec(
            ("identification",),
            "Alkire-Foster headcount H and adjusted headcount M0 over the poverty cutoff k, by county (95% bands): "
            "a ranking holds for every k where the curves do not cross.",
            "各县多维贫困发生率H与调整后发生率M0随临界值k的变化（95%置信带）：曲线不相交时排序对k稳健。",
            "af_dominance",
        ),
    },
    protection=Protection(
        margins={
            "by_township": Margin("township", ("rate",)),
            "causes": Margin("cause"),
            "fgt": Margin("group", ("measure", "alpha"), total="all"),
            "exit_cohorts": Margin("exit_cohort", ("rate",), total="all"),
            "coverage_by_quintile": Margin("group", ("register", "measure")),
        }
    ),
)

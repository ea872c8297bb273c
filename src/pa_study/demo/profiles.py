"""The four demo counties: file formats, header choices and the planted parameters.

Magnitudes follow ``shared/domain/facts.md`` where a fact exists (poverty lines, Lankao's
microcredit pilot, Yishui's workshops, Boxing's e-commerce and straw-willow weaving); the rest are
plausible round numbers chosen so that the focal county H fails the 2% third-party-evaluation
thresholds and the benchmarks do not. Every number here is copied into the truth file under
``parameters``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

SURVEY_YEAR = 2020
BASELINE_YEAR = 2015
POVERTY_LINE = 4000.0  # yuan per person per year, 2020 (facts.md: "about 4,000")
#: National rural poverty lines at current prices, yuan per person per year (facts-2.md §1; the
#: study's config.yaml carries the same values with their sources).
NATIONAL_LINES: Mapping[int, float] = MappingProxyType(
    {
        2011: 2536.0,
        2012: 2625.0,
        2013: 2736.0,
        2014: 2800.0,
        2015: 2855.0,
        2016: 2952.0,
        2017: 2952.0,
        2018: 2995.0,
        2019: 3218.0,
        2020: POVERTY_LINE,
    }
)
#: Provincial lines that replace the national one for a demo county (facts-2.md §2: Shandong 2015).
PROVINCIAL_LINES: Mapping[str, Mapping[int, float]] = MappingProxyType(
    {"Yishui": MappingProxyType({2015: 3372.0}), "Boxing": MappingProxyType({2015: 3372.0})}
)
MONITORING_THRESHOLD = 6000.0  # 2020: about 1.5 x the line (facts-2.md §3, China Daily 2020-12-02)
VULNERABLE_BAND = 1.5  # the vulnerable band reaches 1.5 x the line
NATIONAL_RURAL_MEDIAN = 15204.0  # 2020 rural per-capita disposable income, median (facts-2.md §7, NBS 2021-01-18)
#: International lines, 2020 yuan per person per year: dollars a day x 365 x the household-consumption PPP
#: (facts-2.md §5: 4.1466 for 2017, 4.0128 for 2021), moved to 2020 prices by the rural CPI (§6: 2018 102.1,
#: 2019 103.2, 2020 103.0, 2021 100.7).
INTERNATIONAL_LINES = {
    "usd_2_15_ppp2017": 2.15 * 365 * 4.1466 * 1.021 * 1.032 * 1.030,
    "usd_3_65_ppp2017": 3.65 * 365 * 4.1466 * 1.021 * 1.032 * 1.030,
    "usd_6_85_ppp2017": 6.85 * 365 * 4.1466 * 1.021 * 1.032 * 1.030,
    "usd_3_00_ppp2021": 3.00 * 365 * 4.0128 / 1.007,
    "usd_4_20_ppp2021": 4.20 * 365 * 4.0128 / 1.007,
    "usd_8_30_ppp2021": 8.30 * 365 * 4.0128 / 1.007,
}
PROJECT_TYPES = ("planting", "livestock", "workshop", "ecommerce", "photovoltaic", "tourism", "dividend_only")
ACTIVE_TYPES = PROJECT_TYPES[:-1]


def poverty_lines(county: str) -> dict[int, float]:
    """Return the lines a demo county is judged against, by year: the national ones, with its
    province's where it set its own (the lines of the study's config.yaml)."""
    return {**NATIONAL_LINES, **PROVINCIAL_LINES.get(county, {})}


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class FileSpec:
    """How a county's field team delivered its files.

    Attributes
    ----------
    file_format : str
        ``xlsx``, ``csv`` (GBK), ``sav`` or ``dta``.
    header_style : str
        ``label_zh`` (Chinese labels) or ``canonical`` (ASCII canonical names).
    overrides : Mapping
        Instrument -> canonical name -> header; every override is one of the variable's aliases.
    scaled : Mapping
        Instrument -> canonical name -> scaled alias (values are written divided by the scale).
    extra_columns : Mapping
        Header -> constant cell value, appended to every file of the county.
    with_weight : bool
        Whether the household file carries the design weight column.
    with_register_records : bool
        Whether the household file carries the incomes the poverty-alleviation information system
        recorded at registration and at exit (``income_at_registration_pc``, ``income_at_exit_pc``).
    with_cadre_roster : bool
        Whether the county also delivers the roster of cadres per role and township (帮扶干部花名册).
    """

    file_format: str
    header_style: str
    overrides: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: _frozen({}))
    scaled: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: _frozen({}))
    extra_columns: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    with_weight: bool = False
    with_register_records: bool = False
    with_cadre_roster: bool = False


@dataclass(frozen=True)
class CountyProfile:
    """Everything that makes one demo county different from another.

    Attributes are grouped by the indicator family they plant; the truth file copies them.
    """

    key: str
    name_zh: str
    id_prefix: str
    region_code: str
    seed: int
    files: FileSpec
    # design
    n_townships: int
    sampled_villages_per_township: int
    poor_village_share: float
    # identification
    registration_rate: float
    appraisal_noise: float
    inclusion_error_target: float
    below_standard_exit_target: float
    missed_rate_target: float
    registered_item_failure: float
    exit_year_weights: tuple[float, ...]
    monitoring_of_missed: float
    # incomes
    baseline_log_earned: float
    earned_growth: float
    growth_noise: float
    registered_transfer: float
    # industry projects
    att: float
    participation_registered: float
    participation_unregistered: float
    dividend_share: float
    project_type_mix: Mapping[str, float]
    project_status_shares: Mapping[str, float]
    n_projects: int
    # capability
    drive_mean: float
    drive_gap: float
    microcredit_registered: float
    # contact and formalism
    help_visits_registered: float
    forms_registered: float
    satisfaction_shift: float
    cadre_hour_shares: Mapping[str, float]
    cadre_forms_per_month: float
    n_cadres: int

    def parameters(self) -> dict[str, Any]:
        """Return the planted parameters as plain JSON-ready values (no file or seed details)."""
        skip = {"key", "name_zh", "id_prefix", "region_code", "seed", "files"}
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}
        return {key: dict(value) if isinstance(value, Mapping) else value for key, value in values.items()}


_HOUR_KEYS = ("paperwork", "meetings", "inspections", "fieldwork", "projects")


def _hours(*shares: float) -> Mapping[str, float]:
    return _frozen(dict(zip(_HOUR_KEYS, shares, strict=True)))


def _mix(**weights: float) -> Mapping[str, float]:
    return _frozen({kind: weights.get(kind, 0.0) for kind in PROJECT_TYPES})


H = CountyProfile(
    key="H",
    name_zh="H县",
    id_prefix="HX",
    region_code="412999",  # fictitious county code inside Henan, the focal county stays anonymous
    seed=20201,
    files=FileSpec(
        file_format="xlsx",
        header_style="label_zh",
        scaled=_frozen({"projects": _frozen({"fiscal_investment": "财政投资（万元）"})}),
        with_register_records=True,
        with_cadre_roster=True,
    ),
    n_townships=11,
    sampled_villages_per_township=4,
    poor_village_share=0.3,
    registration_rate=0.16,
    appraisal_noise=0.6,
    inclusion_error_target=0.10,
    below_standard_exit_target=0.04,
    missed_rate_target=0.03,
    registered_item_failure=0.04,
    exit_year_weights=(0.04, 0.16, 0.24, 0.26, 0.22, 0.08),
    monitoring_of_missed=0.2,
    baseline_log_earned=8.45,
    earned_growth=1500.0,
    growth_noise=800.0,
    registered_transfer=300.0,
    att=300.0,
    participation_registered=0.55,
    participation_unregistered=0.05,
    dividend_share=0.45,
    project_type_mix=_mix(
        planting=0.34, livestock=0.3, workshop=0.1, ecommerce=0.05, photovoltaic=0.12, tourism=0.04, dividend_only=0.05
    ),
    project_status_shares=_frozen({"operating": 0.6, "suspended": 0.22, "failed": 0.18}),
    n_projects=60,
    drive_mean=-0.3,
    drive_gap=-0.6,
    microcredit_registered=0.12,
    help_visits_registered=30.0,
    forms_registered=20.0,
    satisfaction_shift=-0.4,
    cadre_hour_shares=_hours(0.22, 0.13, 0.10, 0.28, 0.27),
    cadre_forms_per_month=45.0,
    n_cadres=150,
)

YISHUI = CountyProfile(
    key="Yishui",
    name_zh="沂水县",
    id_prefix="YS",
    region_code="371323",
    seed=20202,
    files=FileSpec(
        file_format="csv",
        header_style="label_zh",
        overrides=_frozen(
            {
                "households": _frozen(
                    {
                        "household_id": "户号",
                        "hh_size": "家庭人口",
                        "labour_count": "劳动力",
                        "head_schooling": "受教育年限",
                        "poverty_cause": "致贫原因",
                        "phone": "手机号",
                        "interview_date": "访问日期",
                    }
                ),
                "cadres": _frozen({"cadre_id": "干部编号", "cadre_name": "干部姓名"}),
                "projects": _frozen({"fiscal_investment": "财政资金"}),
                "villages": _frozen({"n_households": "户数"}),
            }
        ),
        extra_columns=_frozen({"数据来源": "模拟数据（synthetic）"}),
        with_register_records=True,
        with_cadre_roster=True,
    ),
    n_townships=12,
    sampled_villages_per_township=4,
    poor_village_share=0.2,
    registration_rate=0.09,
    appraisal_noise=0.3,
    inclusion_error_target=0.04,
    below_standard_exit_target=0.012,
    missed_rate_target=0.012,
    registered_item_failure=0.015,
    exit_year_weights=(0.12, 0.3, 0.3, 0.22, 0.05, 0.01),
    monitoring_of_missed=0.45,
    baseline_log_earned=8.8,
    earned_growth=2500.0,
    growth_noise=1000.0,
    registered_transfer=500.0,
    att=1600.0,
    participation_registered=0.6,
    participation_unregistered=0.06,
    dividend_share=0.2,
    project_type_mix=_mix(
        planting=0.14,
        livestock=0.12,
        workshop=0.45,
        ecommerce=0.08,
        photovoltaic=0.08,
        tourism=0.08,
        dividend_only=0.05,
    ),
    project_status_shares=_frozen({"operating": 0.8, "suspended": 0.12, "failed": 0.08}),
    n_projects=60,
    drive_mean=0.1,
    drive_gap=-0.3,
    microcredit_registered=0.2,
    help_visits_registered=18.0,
    forms_registered=8.0,
    satisfaction_shift=0.2,
    cadre_hour_shares=_hours(0.15, 0.09, 0.06, 0.40, 0.30),
    cadre_forms_per_month=22.0,
    n_cadres=150,
)

BOXING = CountyProfile(
    key="Boxing",
    name_zh="博兴县",
    id_prefix="BX",
    region_code="371625",
    seed=20203,
    files=FileSpec(
        file_format="sav",
        header_style="canonical",
        overrides=_frozen(
            {
                "households": _frozen(
                    {
                        "household_id": "hhid",
                        "hh_size": "hhsize",
                        "labour_count": "labor",
                        "head_schooling": "educ",
                        "registration_year": "reg_year",
                        "poverty_cause": "cause",
                    }
                ),
            }
        ),
    ),
    n_townships=12,
    sampled_villages_per_township=4,
    poor_village_share=0.15,
    registration_rate=0.08,
    appraisal_noise=0.3,
    inclusion_error_target=0.035,
    below_standard_exit_target=0.01,
    missed_rate_target=0.01,
    registered_item_failure=0.015,
    exit_year_weights=(0.12, 0.3, 0.3, 0.22, 0.05, 0.01),
    monitoring_of_missed=0.45,
    baseline_log_earned=8.95,
    earned_growth=2800.0,
    growth_noise=1000.0,
    registered_transfer=500.0,
    att=1200.0,
    participation_registered=0.55,
    participation_unregistered=0.07,
    dividend_share=0.2,
    project_type_mix=_mix(
        planting=0.1, livestock=0.08, workshop=0.25, ecommerce=0.4, photovoltaic=0.07, tourism=0.05, dividend_only=0.05
    ),
    project_status_shares=_frozen({"operating": 0.82, "suspended": 0.12, "failed": 0.06}),
    n_projects=60,
    drive_mean=0.15,
    drive_gap=-0.25,
    microcredit_registered=0.2,
    help_visits_registered=16.0,
    forms_registered=7.0,
    satisfaction_shift=0.25,
    cadre_hour_shares=_hours(0.16, 0.1, 0.06, 0.38, 0.30),
    cadre_forms_per_month=20.0,
    n_cadres=150,
)

LANKAO = CountyProfile(
    key="Lankao",
    name_zh="兰考县",
    id_prefix="LK",
    region_code="410225",
    seed=20204,
    files=FileSpec(file_format="dta", header_style="canonical", with_weight=True, with_register_records=True),
    n_townships=13,
    sampled_villages_per_township=4,
    poor_village_share=0.25,
    registration_rate=0.12,  # facts.md: 23,275 registered households, incidence 11.8% (2014)
    appraisal_noise=0.2,
    inclusion_error_target=0.015,
    below_standard_exit_target=0.006,
    missed_rate_target=0.002,
    registered_item_failure=0.005,
    exit_year_weights=(0.3, 0.45, 0.15, 0.06, 0.03, 0.01),  # county exit (摘帽) March 2017
    monitoring_of_missed=0.75,
    baseline_log_earned=8.75,
    earned_growth=2200.0,
    growth_noise=900.0,
    registered_transfer=500.0,
    att=900.0,
    participation_registered=0.6,
    participation_unregistered=0.06,
    dividend_share=0.25,
    project_type_mix=_mix(
        planting=0.3, livestock=0.3, workshop=0.15, ecommerce=0.05, photovoltaic=0.1, tourism=0.05, dividend_only=0.05
    ),
    project_status_shares=_frozen({"operating": 0.85, "suspended": 0.1, "failed": 0.05}),
    n_projects=60,
    drive_mean=0.05,
    drive_gap=-0.2,
    microcredit_registered=0.45,  # facts.md: national inclusive-finance pilot zone (Dec 2016)
    help_visits_registered=15.0,
    forms_registered=5.0,
    satisfaction_shift=0.35,
    cadre_hour_shares=_hours(0.12, 0.08, 0.05, 0.45, 0.30),
    cadre_forms_per_month=15.0,
    n_cadres=150,
)

COUNTIES: Mapping[str, CountyProfile] = _frozen({p.key: p for p in (H, YISHUI, BOXING, LANKAO)})

"""The settings of the identification family: the config's ``indicators.identification`` section,
the county's poverty lines and its region (which sets the incidence threshold of the exit test)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pa_study.config import ConfigPart, Number
from pa_study.indicators.settings import WithPovertyLines


class IncidenceThresholds(ConfigPart):
    """Upper limits of the composite poverty incidence (综合贫困发生率) by region: 2% in the
    central region, 3% in the western (facts-2.md §4); 2% for eastern counties."""

    central: Number
    western: Number
    eastern: Number


class Thresholds(ConfigPart):
    """The four criteria of the county exit evaluation (贫困县退出专项评估检查): 错退率 and 漏评率
    below 2%, 群众认可度 above 90%, 综合贫困发生率 below the region's limit."""

    wrongful_exit_rate: Number
    missed_rate: Number
    recognition_rate: Number
    poverty_incidence: IncidenceThresholds


class SensitivityGrid(ConfigPart):
    """Factors the poverty line is multiplied by: ``points`` from ``low`` to ``high``."""

    low: Number
    high: Number
    points: int


class AlkireFosterOptions(ConfigPart):
    """Poverty cutoff ``k``, the grid of cutoffs H and M0 are also given over, and the relative
    dimension weights (income and the 两不愁三保障 items)."""

    k: Number
    k_grid: tuple[Number, ...]
    weights: dict[str, Number]

    def income_weight(self) -> float:
        """The income dimension's share of the weights (0 when income is not a dimension)."""
        return float(self.weights.get("income", 0)) / float(sum(self.weights.values()))


class IdentificationOptions(ConfigPart):
    """The config's ``indicators.identification`` section: who is eligible, and how errors are counted."""

    eligibility: str
    items: tuple[str, ...]
    housing_safe_grades: tuple[str, ...]
    missing_item: str
    income_from_components: bool
    inclusion_register: str
    welfare: str
    threshold_unit: str
    exit_line_year: str
    proxy_cohort_years: int
    registration_income_lag: int
    quantile_groups: int
    thresholds: Thresholds
    sensitivity: SensitivityGrid
    fgt_unit: str
    alkire_foster: AlkireFosterOptions


class IdentificationSettings(WithPovertyLines):
    """Settings of the identification family: the shared options, the county's poverty lines, its
    ``region`` and the eligibility rules (``identification``). Families that decide eligibility
    too extend it."""

    identification: IdentificationOptions
    region: str

    @classmethod
    def config_part(cls, config: Mapping[str, Any], family: str, county: str) -> dict[str, Any]:
        """The declared sections, the county's poverty lines and its region (``counties.<county>.region``)."""
        return super().config_part(config, family, county) | {"region": config["counties"][county]["region"]}

    def incidence_threshold(self) -> float:
        """The composite poverty incidence the county must stay below, by its region."""
        return float(getattr(self.identification.thresholds.poverty_incidence, self.region))

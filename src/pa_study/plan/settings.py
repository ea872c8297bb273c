"""The part of the config a county's plan depends on, typed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pa_study.config import ConfigPart, Number
from pa_study.indicators import FAMILIES, family_settings


class Scenarios(ConfigPart):
    """True rates an exit criterion is planned for: one the survey should show passing (``certify``)
    and one it should show failing (``detect``)."""

    certify: Number
    detect: Number


class EvaluationSample(ConfigPart):
    """The sample of a round of the national exit evaluation, with its source (shown beside the plan)."""

    exits: int
    households_per_county: Number
    villages_per_county: Number | None = None
    source: str
    confidence: str


class PlanningOptions(ConfigPart):
    """The config's ``planning`` section."""

    power: Number
    cost_ratio: Number
    criteria: dict[str, Scenarios]
    effects: dict[str, Number]
    contrast_mde: dict[str, Number]
    simulations: int
    evaluation_samples: tuple[EvaluationSample, ...]


def contrasted_counties(config: Mapping[str, Any], county: str) -> list[str]:
    """Return the counties a county's plan contrasts it with: every benchmark for the focal county,
    the focal county for a benchmark."""
    studied = [config["focal"], *config["benchmarks"]]
    return studied[1:] if county == studied[0] else studied[:1]


class PlanSettings(ConfigPart):
    """What one county's plan depends on: the county, the counties it is contrasted with, the
    interval the indicators judge thresholds on (``level``, ``proportion_interval``), the
    ``planning`` section, and the settings of the families whose threshold rates it plans for
    (they define the rates' units)."""

    county: str
    others: tuple[str, ...]
    level: Number
    proportion_interval: str
    planning: PlanningOptions
    families: dict[str, dict[str, Any]]

    @classmethod
    def from_config(cls, config: Mapping[str, Any], county: str) -> Self:
        """Return the plan settings of ``county`` from the validated config: contrasted with every
        benchmark when it is the focal county, with the focal county otherwise."""
        part = {
            "county": county,
            "others": contrasted_counties(config, county),
            "level": config["indicators"]["level"],
            "proportion_interval": config["indicators"]["proportion_interval"],
            "planning": config["planning"],
            "families": {
                name: family_settings(config, name, county).to_dict()
                for name, family in FAMILIES.items()
                if family.threshold_units is not None
            },
        }
        return cls.parse(part, "settings of the plan")

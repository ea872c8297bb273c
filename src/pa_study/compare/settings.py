"""The part of the config one comparison job depends on, typed.

Each comparison job takes its part's settings (:func:`pa_study.compare.comparison_settings`) as
its JSON parameter: the focal county, the benchmarks, the display names and synthetic flags of those
counties, and the part's own options. Nothing of the per-county ingest, clean or indicator config
enters it, and no per-county job takes any of it, so changing the focal county or the benchmark list
re-runs the comparison only. The indicator choices the pooled models need come from the indicator
files themselves. Each part's settings type (in its module) extends :class:`ComparisonSettings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pa_study.config import ConfigPart, DisclosureSettings


class CountyDisplay(ConfigPart):
    """How a studied county is shown: its name, Chinese name, and whether its data are synthetic."""

    name: str
    name_zh: str
    synthetic: bool


class ComparisonSettings(ConfigPart):
    """What every comparison job depends on: the part, the focal county, the benchmarks and how
    those counties are shown."""

    part: str
    focal: str
    benchmarks: tuple[str, ...]
    counties: dict[str, CountyDisplay]
    disclosure: DisclosureSettings = DisclosureSettings()

    @property
    def studied(self) -> list[str]:
        """The focal county, then the benchmarks in config order (the JSON settings sort their keys)."""
        return [self.focal, *self.benchmarks]

    @classmethod
    def from_config(cls, config: Mapping[str, Any], part: str) -> Self:
        """Return the settings of ``part`` from the validated config (schema defaults filled in)."""
        return cls.parse(cls.config_part(config, part), f"settings of the {part} comparison")

    @classmethod
    def config_part(cls, config: Mapping[str, Any], part: str) -> dict[str, Any]:
        """The part of the config these settings hold, as JSON; a part's settings type adds its own options."""
        studied = [config["focal"], *config["benchmarks"]]
        part_config = {
            "part": part,
            "focal": config["focal"],
            "benchmarks": list(config["benchmarks"]),
            "counties": {county: _display(config["counties"][county]) for county in studied},
        }
        if "disclosure" in config:
            part_config["disclosure"] = dict(config["disclosure"])
        return part_config


def _display(block: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": block["name"],
        "name_zh": block.get("name_zh", block["name"]),
        "synthetic": block["synthetic"],
    }

"""The settings every indicator job takes: the config part it depends on, typed.

A Snakemake job computing one family for one county takes its family's settings
(:func:`pa_study.indicators.family_settings`) as its JSON parameter, so editing another family's
choices, or another county's baseline, does not re-run it. The same settings are written into the
family's output, so every result carries the choices behind it. Each family's settings type
extends :class:`FamilySettings` with its own section of the config's ``indicators`` part (and any
section it borrows); the values and their defaults are those of ``config.schema.yaml``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any, Self

from pa_study.config import ConfigPart, DisclosureSettings, Number
from pa_study.errors import InputError


class StudyYears(ConfigPart):
    """The survey year and the baseline year the recall questions refer to."""

    survey_year: int
    baseline_year: int


class MinSample(ConfigPart):
    """Fewest units for a reliable estimate (``indicators.min_sample``)."""

    households: int
    group: int
    township: int
    cadres: int
    projects: int
    association_units: int


class PovertyLine(ConfigPart):
    """A per-capita line of one year, yuan per person per year at current prices, with its source: a
    poverty line, or a monitoring threshold (``indicators.monitoring.thresholds``)."""

    year: int
    value: Number
    source: str
    confidence: str | None = None


class FamilySettings(ConfigPart):
    """What every family's job depends on: family and county, the study years, the shared
    inference options (``level``, ``proportion_interval``, ``lonely_psu``, ``min_sample``) and the
    disclosure control of its tables (``disclosure``).

    A family's settings type adds a field for each section of the config's ``indicators`` part it
    reads, named as the section (``income: IncomeOptions``); :meth:`config_part` copies those.
    """

    family: str
    county: str
    study: StudyYears
    level: Number
    proportion_interval: str
    lonely_psu: str
    min_sample: MinSample
    disclosure: DisclosureSettings = DisclosureSettings()

    @classmethod
    def from_config(cls, config: Mapping[str, Any], family: str, county: str) -> Self:
        """Return the settings of ``family`` for ``county`` from the validated config (schema
        defaults filled in)."""
        return cls.parse(cls.config_part(config, family, county), f"settings of the {family} indicators")

    @classmethod
    def config_part(cls, config: Mapping[str, Any], family: str, county: str) -> dict[str, Any]:
        """The part of the config these settings hold, as JSON: the shared part, and every section
        of the config's ``indicators`` part that the settings type declares as a field (a family's
        own section, and any it borrows)."""
        section = config["indicators"]
        study = config["study"]
        part = {
            "family": family,
            "county": county,
            "study": {"survey_year": study["survey_year"], "baseline_year": study["baseline_year"]},
        }
        if "disclosure" in config:
            part["disclosure"] = copy.deepcopy(config["disclosure"])
        declared = [name for name in cls.model_fields if name not in part and name in section]
        return part | {name: copy.deepcopy(section[name]) for name in declared}


class WithPovertyLines(FamilySettings):
    """Settings of a family that needs the county's poverty lines by year."""

    poverty_lines: tuple[PovertyLine, ...]

    @classmethod
    def config_part(cls, config: Mapping[str, Any], family: str, county: str) -> dict[str, Any]:
        """The declared sections, with the poverty lines of the county (:func:`county_entries`)."""
        lines = county_entries(config["indicators"]["poverty_lines"], county)
        return super().config_part(config, family, county) | {"poverty_lines": lines}

    def poverty_line(self, year: int) -> float:
        """Return the county's poverty line of ``year`` (yuan per person per year).

        Raises
        ------
        InputError
            When the config has no line for that year.
        """
        entry = entry_of_year(self.poverty_lines, year)
        if entry is not None:
            return float(entry.value)
        known = ", ".join(str(e.year) for e in self.poverty_lines)
        raise InputError(
            f"indicators.poverty_lines has no line for {year} (lines are given for {known}); add "
            f"{{year: {year}, value: ..., source: ...}}",
            path="config",
        )

    def lines_used(self, years: Iterable[int]) -> list[dict[str, Any]]:
        """Return the county's lines of ``years`` (each once, by year) as written into the indicator
        file's ``poverty_lines_used``: year, value, source and confidence.

        Raises
        ------
        InputError
            When the config has no line for one of the years.
        """
        out = []
        for year in sorted(set(years)):
            self.poverty_line(year)
            entry = next(e for e in self.poverty_lines if e.year == year)
            out.append(entry.to_dict())
        return out


def county_entries(entries: list[dict[str, Any]], county: str) -> list[dict[str, Any]]:
    """Return one entry per year for ``county``: an entry naming the county replaces the national one.

    Poverty lines (``indicators.poverty_lines``) and monitoring thresholds
    (``indicators.monitoring.thresholds``) are both lists of this form, so that a province's own
    line or threshold is given once, for its counties.

    Parameters
    ----------
    entries : list of dict
        Entries with ``year``, ``value``, ``source``, optional ``counties`` and ``confidence``.
    county : str
        The county key.

    Returns
    -------
    list of dict
        Sorted by year, without the ``counties`` field.
    """
    chosen: dict[int, dict[str, Any]] = {}
    for entry in entries:
        regional = "counties" in entry
        if regional and county not in entry["counties"]:
            continue
        if regional or entry["year"] not in chosen:
            chosen[entry["year"]] = {k: v for k, v in entry.items() if k != "counties"}
    return [chosen[year] for year in sorted(chosen)]


def entry_of_year(entries: tuple[PovertyLine, ...], year: int) -> PovertyLine | None:
    """Return the entry of ``year`` among a county's lines (:func:`county_entries`), or None."""
    return next((entry for entry in entries if entry.year == year), None)

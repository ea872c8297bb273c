"""The part of the config one indicator job depends on, and look-ups into it.

A Snakemake job computing one family for one county takes :func:`family_settings` as its JSON
parameter, so editing another family's choices, or another county's baseline, does not re-run it.
The same dict is written into the family's output, so every result carries the choices behind it.
"""

from __future__ import annotations

import copy
from typing import Any

from pa_study.errors import InputError

FAMILIES = ("identification", "income", "capability", "formalism")

#: Cleaned tables each family reads (the first is the one it cannot do without).
FAMILY_INSTRUMENTS: dict[str, tuple[str, ...]] = {
    "identification": ("households",),
    "income": ("households", "projects"),
    "capability": ("households",),
    "formalism": ("cadres", "households"),
}

#: Config sections a family reads besides its own (formalism relates cadre burden to
#: identification errors, so it needs the eligibility rule and the poverty lines).
_EXTRA_SECTIONS = {"formalism": ("identification",)}
_NEEDS_LINES = ("identification", "formalism")


def family_settings(config: dict[str, Any], family: str, county: str) -> dict[str, Any]:
    """Return everything one family's job for one county depends on.

    Parameters
    ----------
    config : dict
        The validated config (schema defaults filled in).
    family : str
        One of :data:`FAMILIES`.
    county : str
        A key of ``config["counties"]``.

    Returns
    -------
    dict
        ``family``, ``county``, the study years, the shared inference options (``level``,
        ``lonely_psu``, ``min_sample``), the family's section (and the sections it borrows), the
        county's poverty lines by year where needed, and for formalism only this county's baselines.

    Raises
    ------
    InputError
        For an unknown family.
    """
    if family not in FAMILIES:
        raise InputError(f"unknown indicator family '{family}'; expected one of {', '.join(FAMILIES)}")
    section = config["indicators"]
    study = config.get("study", {})
    settings: dict[str, Any] = {
        "family": family,
        "county": county,
        "study": {"survey_year": study["survey_year"], "baseline_year": study["baseline_year"]},
        "level": section["level"],
        "proportion_interval": section["proportion_interval"],
        "lonely_psu": section["lonely_psu"],
        "min_sample": copy.deepcopy(section["min_sample"]),
    }
    for name in (family, *_EXTRA_SECTIONS.get(family, ())):
        settings[name] = copy.deepcopy(section[name])
    if family in _NEEDS_LINES:
        settings["poverty_lines"] = county_poverty_lines(section["poverty_lines"], county)
    if family == "formalism":
        settings["formalism"]["baselines"] = copy.deepcopy(section["formalism"]["baselines"].get(county, {}))
    return settings


def county_poverty_lines(lines: list[dict[str, Any]], county: str) -> list[dict[str, Any]]:
    """Return one line per year for ``county``: a line naming the county replaces the national one.

    Parameters
    ----------
    lines : list of dict
        ``indicators.poverty_lines`` entries (``year``, ``value``, ``source``, optional
        ``counties`` and ``confidence``).
    county : str
        The county key.

    Returns
    -------
    list of dict
        Sorted by year, without the ``counties`` field.
    """
    chosen: dict[int, dict[str, Any]] = {}
    for entry in lines:
        regional = "counties" in entry
        if regional and county not in entry["counties"]:
            continue
        if regional or entry["year"] not in chosen:
            chosen[entry["year"]] = {k: v for k, v in entry.items() if k != "counties"}
    return [chosen[year] for year in sorted(chosen)]


def poverty_line(settings: dict[str, Any], year: int) -> float:
    """Return the county's poverty line of ``year`` (yuan per person per year).

    Raises
    ------
    InputError
        When the config has no line for that year.
    """
    for entry in settings["poverty_lines"]:
        if entry["year"] == year:
            return float(entry["value"])
    known = ", ".join(str(e["year"]) for e in settings["poverty_lines"])
    raise InputError(
        f"indicators.poverty_lines has no line for {year} (lines are given for {known}); add "
        f"{{year: {year}, value: ..., source: ...}}",
        path="config",
    )

"""The registry of indicator families: the one list every later stage reads.

The indicator stage, the workflow's jobs, the comparison, the figures and the report iterate over
:data:`FAMILIES`; nothing else lists the families. Adding a family is writing its module (which
exposes an :class:`~pa_study.indicators.family.IndicatorFamily` called ``FAMILY``) and adding it
here.
"""

from __future__ import annotations

import copy
from typing import Any

import pa_study.indicators.capability as capability
import pa_study.indicators.formalism as formalism
import pa_study.indicators.identification as identification
import pa_study.indicators.income as income
from pa_study.errors import InputError
from pa_study.indicators.family import IndicatorFamily
from pa_study.indicators.settings import county_poverty_lines

#: Every indicator family by name, in report order.
FAMILIES: dict[str, IndicatorFamily] = {
    family.name: family for family in (identification.FAMILY, income.FAMILY, capability.FAMILY, formalism.FAMILY)
}


def indicator_family(name: str) -> IndicatorFamily:
    """Return the registered family called ``name``.

    Raises
    ------
    InputError
        For a name that is not registered.
    """
    if name not in FAMILIES:
        raise InputError(f"unknown indicator family '{name}'; expected one of {', '.join(FAMILIES)}")
    return FAMILIES[name]


#: Config sections a family reads besides its own (formalism relates cadre burden to
#: identification errors, so it needs the eligibility rule and the poverty lines).
_EXTRA_SECTIONS = {"formalism": ("identification",)}
_NEEDS_LINES = ("identification", "formalism")


def family_settings(config: dict[str, Any], family: str, county: str) -> dict[str, Any]:
    """Return everything one family's job for one county depends on.

    A Snakemake job computing one family for one county takes these settings as its JSON
    parameter, so editing another family's choices, or another county's baseline, does not re-run
    it. The same settings are written into the family's output, so every result carries the
    choices behind it.

    Parameters
    ----------
    config : dict
        The validated config (schema defaults filled in).
    family : str
        A key of :data:`FAMILIES`.
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
    indicator_family(family)
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

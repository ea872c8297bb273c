"""The registry of indicator families: the one list every later stage reads.

The indicator stage, the workflow's jobs, the comparison, the figures and the report iterate over
:data:`FAMILIES`; nothing else lists the families. Adding a family is writing its module (which
exposes an :class:`~pa_study.indicators.family.IndicatorFamily` called ``FAMILY``) and adding it
here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pa_study.indicators.capability as capability
import pa_study.indicators.formalism as formalism
import pa_study.indicators.identification as identification
import pa_study.indicators.income as income
import pa_study.indicators.monitoring as monitoring
import pa_study.indicators.projects as projects
from pa_study.errors import InputError
from pa_study.indicators.family import IndicatorFamily
from pa_study.indicators.settings import FamilySettings

#: Every indicator family by name, in report order.
FAMILIES: dict[str, IndicatorFamily[Any]] = {
    family.name: family
    for family in (
        identification.FAMILY,
        income.FAMILY,
        capability.FAMILY,
        formalism.FAMILY,
        monitoring.FAMILY,
        projects.FAMILY,
    )
}


def indicator_family(name: str) -> IndicatorFamily[Any]:
    """Return the registered family called ``name``.

    Raises
    ------
    InputError
        For a name that is not registered.
    """
    if name not in FAMILIES:
        raise InputError(f"unknown indicator family '{name}'; expected one of {', '.join(FAMILIES)}")
    return FAMILIES[name]


def family_settings(config: Mapping[str, Any], family: str, county: str) -> FamilySettings:
    """Return everything one family's job for one county depends on, typed.

    A Snakemake job computing one family for one county takes these settings (as JSON,
    :meth:`~pa_study.config.ConfigPart.to_dict`) as its parameter, so editing another family's
    choices, or another county's baseline, does not re-run it. The same settings are written into
    the family's output, so every result carries the choices behind it.

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
    FamilySettings
        The family's settings type: ``family``, ``county``, the study years, the shared inference
        options, the family's section (and the sections it borrows), the county's poverty lines
        where needed, and for formalism only this county's baselines.

    Raises
    ------
    InputError
        For an unknown family.
    """
    return indicator_family(family).settings_from_config(config, county)

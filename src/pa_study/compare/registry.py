"""The registry of comparison parts: the one list the comparison's jobs and commands read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pa_study.compare.microdata as microdata
import pa_study.compare.pooled as pooled
import pa_study.compare.published as published
from pa_study.compare.part import ComparisonPart
from pa_study.compare.settings import ComparisonSettings
from pa_study.errors import InputError

#: Every part of the comparison by name.
PARTS: dict[str, ComparisonPart[Any]] = {part.name: part for part in (microdata.PART, pooled.PART, published.PART)}


def comparison_part(name: str) -> ComparisonPart[Any]:
    """Return the registered comparison part called ``name`` (an :class:`InputError` if unknown)."""
    if name not in PARTS:
        raise InputError(f"unknown comparison part '{name}'; expected one of {', '.join(PARTS)}")
    return PARTS[name]


def comparison_settings(config: Mapping[str, Any], part: str) -> ComparisonSettings:
    """Return everything one comparison job depends on, typed.

    Parameters
    ----------
    config : dict
        The validated config (schema defaults filled in).
    part : str
        A key of :data:`PARTS`.

    Returns
    -------
    ComparisonSettings
        The part's settings type: ``part``, ``focal``, ``benchmarks`` and ``counties`` (key ->
        ``name``, ``name_zh``, ``synthetic``); for ``pooled`` the ``pooled`` options, for
        ``published`` the ``published_only`` counties.

    Raises
    ------
    InputError
        For an unknown part.
    """
    return comparison_part(part).settings.from_config(config, part)

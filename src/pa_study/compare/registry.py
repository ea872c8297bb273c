"""The registry of comparison parts: the one list the comparison's jobs and commands read."""

from __future__ import annotations

import pa_study.compare.microdata as microdata
import pa_study.compare.pooled as pooled
import pa_study.compare.published as published
from pa_study.compare.part import ComparisonPart
from pa_study.errors import InputError

#: Every part of the comparison by name.
PARTS: dict[str, ComparisonPart] = {part.name: part for part in (microdata.PART, pooled.PART, published.PART)}


def comparison_part(name: str) -> ComparisonPart:
    """Return the registered comparison part called ``name`` (an :class:`InputError` if unknown)."""
    if name not in PARTS:
        raise InputError(f"unknown comparison part '{name}'; expected one of {', '.join(PARTS)}")
    return PARTS[name]

"""Look-ups into the settings of an indicator job (see :func:`pa_study.indicators.family_settings`)."""

from __future__ import annotations

from typing import Any

from pa_study.errors import InputError


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

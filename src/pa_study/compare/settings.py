"""The part of the config one comparison job depends on.

Each comparison job takes :func:`comparison_settings` of its part as its JSON parameter: the focal
county, the benchmarks, the display names and synthetic flags of those counties, and the part's own
options. Nothing of the per-county ingest, clean or indicator config enters it, and no per-county
job takes any of it, so changing the focal county or the benchmark list re-runs the comparison
only. The indicator choices the pooled models need come from the indicator files themselves.
"""

from __future__ import annotations

import copy
from typing import Any

from pa_study.compare.registry import comparison_part


def comparison_settings(config: dict[str, Any], part: str) -> dict[str, Any]:
    """Return everything one comparison job depends on.

    Parameters
    ----------
    config : dict
        The validated config (schema defaults filled in).
    part : str
        A key of :data:`pa_study.compare.PARTS`.

    Returns
    -------
    dict
        ``part``, ``focal``, ``benchmarks`` and ``counties`` (key -> ``name``, ``name_zh``,
        ``synthetic``, focal first); for ``pooled`` the ``pooled`` options, for ``published`` the
        ``published_only`` counties.

    Raises
    ------
    InputError
        For an unknown part.
    """
    comparison_part(part)
    studied = [config["focal"], *config["benchmarks"]]
    settings: dict[str, Any] = {
        "part": part,
        "focal": config["focal"],
        "benchmarks": list(config["benchmarks"]),
        "counties": {county: _display(config["counties"][county]) for county in studied},
    }
    section = config["comparison"]
    if part == "pooled":
        settings["pooled"] = copy.deepcopy(section["pooled"])
    if part == "published":
        settings["published_only"] = [c for c in section["published_only"] if c not in studied]
    return settings


def _display(block: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": block["name"],
        "name_zh": block.get("name_zh", block["name"]),
        "synthetic": bool(block.get("synthetic", False)),
    }

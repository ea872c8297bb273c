"""Test data of the comparison tests: hand-made indicator files, and the demo counties' indicator
results and cleaned tables (from the indicator tests' helpers, so a session computes them once)."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from pa_study.compare import comparison_settings
from pa_study.compare.settings import ComparisonSettings
from pa_study.files import write_json
from pa_study.indicators import FAMILIES
from pa_study.indicators.output import write_result
from pa_study.results import StudyResults, study_results
from tests.helpers.demo_data import demo_result
from tests.helpers.project import config

BENCHMARKS = ("Yishui", "Boxing", "Lankao")


def settings(
    part: str, focal: str = "H", benchmarks: tuple[str, ...] = BENCHMARKS, **section: Any
) -> ComparisonSettings:
    """Comparison settings of ``part`` from the repository config with ``focal``, ``benchmarks`` and
    ``comparison`` entries replaced."""
    changed = config()
    changed["focal"], changed["benchmarks"] = focal, list(benchmarks)
    changed["comparison"] |= section
    return comparison_settings(changed, part)


def row(name: str, estimate: float | None, se: float | None, n: int = 100, **extra: Any) -> dict[str, Any]:
    """A headline row in the indicator files' format, with a Wald interval."""
    low = None if estimate is None else estimate - 1.96 * se
    high = None if estimate is None else estimate + 1.96 * se
    return {
        "name": name,
        "label": f"label of {name}",
        "estimate": estimate,
        "se": se,
        "ci_low": low,
        "ci_high": high,
        "n": n,
        "definition": f"definition of {name}",
        "reliable": True,
        **extra,
    }


def family_file(folder: Path, county: str, family: str, headline: list[dict[str, Any]], **document: Any) -> str:
    """Write a hand-made ``<family>.json`` of ``county`` and return its ``county:family=path`` item."""
    path = folder / county / f"{family}.json"
    write_json(
        {
            "family": family,
            "county": county,
            "status": "ok",
            "notes": [],
            "headline": headline,
            "settings": {"level": 0.95},
            "tables": {},
            **document,
        },
        path,
    )
    return f"{county}:{family}={path}"


def names(focal: str = "H", benchmarks: tuple[str, ...] = BENCHMARKS) -> dict[str, str]:
    """County key -> display name in study order."""
    return {c: config()["counties"][c]["name"] for c in (focal, *benchmarks)}


@cache
def demo_items() -> tuple[str, ...]:
    """The ``county:family=path`` items of every family of the four demo counties, written once."""
    folder = Path(tempfile.mkdtemp(prefix="pa_study_compare_tests_"))
    items = []
    for county in config()["counties"]:
        for family in FAMILIES:
            path = folder / county / f"{family}.json"
            write_result(demo_result(family, county), path, folder / county / family, FAMILIES[family].protection)
            items.append(f"{county}:{family}={path}")
    return tuple(items)


def demo_study(focal: str = "H", benchmarks: tuple[str, ...] = BENCHMARKS) -> StudyResults:
    """The demo counties' indicator results, ``focal`` first."""
    wanted = (focal, *benchmarks)
    return study_results([i for i in demo_items() if i.split(":", 1)[0] in wanted], names(focal, benchmarks))

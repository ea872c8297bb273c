"""The analysis choices behind identification's estimates that the specification multiverse
(:mod:`pa_study.multiverse`) may vary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pa_study.indicators.family import Choice


def national_lines(value: str, indicators: Mapping[str, Any], county: str) -> list[dict[str, Any]]:
    """The poverty lines of the ``poverty_line`` choice: as configured (a province's own line where
    one is given for the county) or the national lines alone."""
    lines = indicators["poverty_lines"]
    return [entry for entry in lines if "counties" not in entry] if value == "national" else lines


#: The analysis choices of identification the specification multiverse may vary.
CHOICES = {
    "eligibility": Choice(
        "identification.eligibility",
        "eligibility rule",
        "识别标准",
        {
            "income_or_items": ("income or items", "收入或两不愁三保障"),
            "income": ("income only", "仅收入"),
            "items": ("items only", "仅两不愁三保障"),
        },
    ),
    "missing_item": Choice(
        "identification.missing_item",
        "unanswered item",
        "未答项",
        {"not_failed": ("counts as met", "视为达标"), "unknown": ("eligibility unknown", "无法判定")},
    ),
    "poverty_line": Choice(
        "poverty_lines",
        "poverty line",
        "贫困线",
        {"configured": ("provincial where set", "省定标准（如有）"), "national": ("national", "国家标准")},
        national_lines,
    ),
    "threshold_unit": Choice(
        "identification.threshold_unit",
        "rates count",
        "比率计数单位",
        {"persons": ("persons", "人口"), "households": ("households", "户")},
    ),
    "line_year": Choice(
        "identification.exit_line_year",
        "the line's year",
        "贫困线年份",
        {
            "exit_year": ("exit year's line (official)", "退出当年标准（官方）"),
            "survey_year": ("survey year's line", "调查年度标准"),
        },
    ),
    "welfare": Choice(
        "identification.welfare",
        "targeting welfare",
        "识别收入口径",
        {"pre_transfer": ("before transfers", "转移性收入前"), "post_transfer": ("after transfers", "转移性收入后")},
    ),
    "af_k": Choice("identification.alkire_foster.k", "Alkire-Foster k", "多维贫困临界值k"),
}

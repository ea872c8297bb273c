"""Focal − benchmark differences of every headline indicator, from the counties' indicator files.

The counties are surveyed independently, so the difference of two design-based estimates has
variance ``SE_focal² + SE_benchmark²`` (no covariance term). The confidence interval and the
two-sided p-value use the normal approximation, as R's ``svycontrast``/``confint`` do for
``svystat`` objects; the counties' own intervals (t-based, or Korn–Graubard for proportions) stay
in their indicator files. Within each indicator family, the p-values of all contrasts (every
headline indicator against every benchmark) are Holm-adjusted, so a family's conclusions control
the family-wise error rate, and each contrast gets two adjusted intervals: the Holm-consistent one
(``ci_low_adjusted``/``ci_high_adjusted``, which excludes zero exactly when Holm rejects) and the
Bonferroni simultaneous one. The unadjusted interval (``ci_low``/``ci_high``) is kept for single
contrasts.

References
----------
Holm (1979), Scand. J. Statistics 6(2), 65–70. Lumley (2010), Complex Surveys, ch. 2–3
(independent samples; linear contrasts of design-based estimates). Strassburger & Bretz (2008),
Stat. Med. 27(24) (intervals compatible with stepwise procedures).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

from pa_study.compare.part import ComparisonPart
from pa_study.compare.settings import ComparisonSettings
from pa_study.config import Number
from pa_study.disclosure import FLAG, SUPPRESSED
from pa_study.indicators import FAMILIES
from pa_study.indicators.output import FamilyResult
from pa_study.results import Family, StudyResults
from pa_study.stats import critical_value, minimum_detectable_effect

_SIDE = ("estimate", "se", "n")
CONTRAST_COLUMNS = [
    "family",
    "name",
    "label",
    "focal",
    "benchmark",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "n",
    "p_value",
    "p_holm",
    "ci_low_adjusted",
    "ci_high_adjusted",
    "ci_low_bonferroni",
    "ci_high_bonferroni",
    "mde_adjusted",
    "focal_estimate",
    "focal_se",
    "focal_n",
    "benchmark_estimate",
    "benchmark_se",
    "benchmark_n",
    "threshold",
    "reliable",
    "different_lines",
    "note",
    "definition",
]
METHOD = (
    "difference of the two counties' design-based estimates (independent samples): SE = √(SE_focal² + "
    "SE_benchmark²), CI = difference ± z × SE (unadjusted), two-sided normal p-value; p_holm = Holm-adjusted "
    "across all contrasts of the indicator family; adjusted CI = Holm-consistent interval, difference ± "
    "z(1 − α/(2k)) × SE with k the number of hypotheses left at the Holm step that decides the contrast (it "
    "excludes zero exactly when p_holm < α; not a simultaneous interval); Bonferroni CI = difference ± "
    "z(1 − α/(2m)) × SE over the family's m contrasts (simultaneous coverage at least 1 − α); mde_adjusted = "
    "(z(1 − α/(2k)) + z(0.80)) × SE, the smallest difference the Holm step that decides the contrast detects "
    "with 80% power (Bloom 1995)"
)


def holm_adjusted(p_values: Sequence[float | None]) -> list[float | None]:
    """Return Holm's step-down adjusted p-values (``None`` stays ``None`` and does not count).

    Parameters
    ----------
    p_values : sequence of float or None
        Raw p-values of one family of tests.

    Returns
    -------
    list
        ``min(1, max_{j<=i} (m - j + 1) p_(j))`` for the i-th smallest p-value, in input order, as
        R's ``p.adjust(method = "holm")``.
    """
    present = [i for i, p in enumerate(p_values) if p is not None]
    adjusted: list[float | None] = [None] * len(p_values)
    if not present:
        return adjusted
    raw = np.array([p_values[i] for i in present], dtype=float)
    order = np.argsort(raw, kind="stable")
    m = len(raw)
    stepped = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * raw[order]))
    for rank, position in enumerate(order):
        adjusted[present[position]] = float(stepped[rank])
    return adjusted


def holm_levels(rows: Sequence[dict[str, Any]], level: float) -> list[float | None]:
    """Return the confidence level of the Holm step that decides each contrast (``None`` without a p-value).

    Holm's procedure tests the contrasts in order of their p-values, the ``j``-th (of ``m``) at
    level ``alpha / (m - j + 1)``, and stops at the first it cannot reject. A contrast is decided at
    its own step while the procedure is still rejecting, and at the first non-rejected step for it
    and every later one: ``1 - alpha / k`` with ``k`` the hypotheses left at that step.

    Parameters
    ----------
    rows : sequence of dict
        The family's contrasts with ``p_value``.
    level : float
        Family-wise confidence level.

    Returns
    -------
    list of float or None
        Per row, in input order.
    """
    alpha = 1 - level
    present = [i for i, r in enumerate(rows) if r.get("p_value") is not None]
    m = len(present)
    out: list[float | None] = [None] * len(rows)
    stopped: int | None = None
    for step, i in enumerate(sorted(present, key=lambda i: rows[i]["p_value"])):
        if stopped is None and rows[i]["p_value"] > alpha / (m - step):
            stopped = step
        out[i] = 1 - alpha / (m - (step if stopped is None else stopped))
    return out


def adjusted_intervals(
    rows: Sequence[dict[str, Any]], level: float
) -> list[tuple[float | None, float | None, float | None, float | None]]:
    """Return each contrast's Holm-consistent and Bonferroni intervals (``None`` without a p-value).

    The Holm-consistent interval of a contrast uses the critical value of the step that decides it
    (:func:`holm_levels`). It excludes zero exactly when Holm rejects, but unlike the Bonferroni
    interval (critical value ``z(1 - alpha / (2m))`` for all) it has no simultaneous coverage
    guarantee (Strassburger & Bretz 2008 show compatible simultaneous intervals are uninformative for
    the rejected contrasts).

    Parameters
    ----------
    rows : sequence of dict
        The family's contrasts with ``estimate``, ``se`` and ``p_value``.
    level : float
        Family-wise confidence level.

    Returns
    -------
    list of tuple
        ``(holm_low, holm_high, bonferroni_low, bonferroni_high)`` per row, in input order.
    """
    levels = holm_levels(rows, level)
    m = sum(step is not None for step in levels)
    out: list[tuple[float | None, float | None, float | None, float | None]] = [(None, None, None, None)] * len(rows)
    for i, step_level in enumerate(levels):
        if step_level is None:
            continue
        holm = critical_value(step_level)
        bonferroni = critical_value(1 - (1 - level) / m)
        estimate, se = float(rows[i]["estimate"]), float(rows[i]["se"])
        out[i] = (estimate - holm * se, estimate + holm * se, estimate - bonferroni * se, estimate + bonferroni * se)
    return out


def difference_row(
    family: str,
    focal_row: dict[str, Any] | None,
    benchmark_row: dict[str, Any] | None,
    *,
    focal: str,
    benchmark: str,
    level: float,
) -> dict[str, Any]:
    """Return the headline row of one focal − benchmark contrast.

    Parameters
    ----------
    family : str
        The indicator family.
    focal_row, benchmark_row : dict or None
        The two counties' headline rows of the same indicator (``None`` when a county has none).
    focal, benchmark : str
        County keys.
    level : float
        Confidence level.

    Returns
    -------
    dict
        The indicator row format (``name`` and ``label`` of the indicator, ``estimate`` = the
        difference, ``se``, ``ci_low``, ``ci_high``, ``n`` = units in both estimates,
        ``definition``) plus ``family``, ``focal``, ``benchmark``, each side's estimate, SE and n,
        ``p_value`` (``p_holm`` is added by :func:`family_contrasts`), ``reliable``,
        ``different_lines`` (the two rows record different ``poverty_lines``: the counties were
        judged against different lines) and, where something is missing, the definitions or the
        lines differ, ``note``. A row that cannot be computed has ``estimate`` ``None``, and so has
        one whose rows are on each county's own scale (marked ``scale``, e.g. an index standardised
        within the county): such differences are not contrasted.
    """
    source = focal_row or benchmark_row or {}
    row: dict[str, Any] = {
        "name": source.get("name"),
        "label": source.get("label"),
        "family": family,
        "focal": focal,
        "benchmark": benchmark,
        "definition": f"{focal} − {benchmark}: {source.get('definition', '')}",
        **{f"focal_{k}": (focal_row or {}).get(k) for k in _SIDE},
        **{f"benchmark_{k}": (benchmark_row or {}).get(k) for k in _SIDE},
        "estimate": None,
        "se": None,
        "ci_low": None,
        "ci_high": None,
        "p_value": None,
        "n": int((focal_row or {}).get("n") or 0) + int((benchmark_row or {}).get("n") or 0),
        "reliable": bool((focal_row or {}).get("reliable", True) and (benchmark_row or {}).get("reliable", True)),
        "different_lines": False,
    }
    if "threshold" in source:
        row["threshold"] = source["threshold"]
    missing = [
        county
        for county, r in ((focal, focal_row), (benchmark, benchmark_row))
        if r is None or r.get("estimate") is None or r.get("se") is None
    ]
    if missing:
        row |= {"reliable": False, "note": f"no estimate for {' and '.join(missing)}"}
        hidden = [c for c, r in ((focal, focal_row), (benchmark, benchmark_row)) if r and r.get(FLAG) == SUPPRESSED]
        if hidden:
            # A contrast with a suppressed side is suppressed too (it would reveal that side).
            row |= {
                FLAG: SUPPRESSED,
                "note": f"suppressed (x) for confidentiality: the estimate of {' and '.join(hidden)}",
            }
        return row
    own_scale = [r.get("scale") for r in (focal_row, benchmark_row) if r.get("scale") is not None]
    if own_scale:
        # An index standardised within each county, or a component with each county's own loadings,
        # measures the counties in different units: their difference means nothing.
        row |= {
            "reliable": False,
            "note": f"in each county's own units ({own_scale[0]} scale): not contrasted; the pooled comparison "
            "rebuilds it on a common scale",
        }
        return row
    difference = float(focal_row["estimate"]) - float(benchmark_row["estimate"])
    se = math.hypot(float(focal_row["se"]), float(benchmark_row["se"]))
    half = critical_value(level) * se
    row |= {"estimate": difference, "se": se, "ci_low": difference - half, "ci_high": difference + half}
    notes = []
    if se > 0:
        row["p_value"] = float(2 * ndtr(-abs(difference) / se))
    else:
        # Both figures are censuses (the project ledger): the difference is exact, not a test.
        notes.append("no sampling error on either side (census): no test")
    exact = [county for county, r in ((focal, focal_row), (benchmark, benchmark_row)) if float(r["se"]) == 0]
    if se > 0 and exact:
        # A proportion estimated at 0 or 1 has a linearised SE of 0, though its own interval is not a point.
        notes.append(
            f"the SE of {exact[0]} is 0 (an estimate at its boundary, or a census), so the contrast's SE "
            "rests on the other county alone and may understate the uncertainty"
        )
    lines = {county: r.get("poverty_lines") for county, r in ((focal, focal_row), (benchmark, benchmark_row))}
    if lines[focal] != lines[benchmark]:
        row["different_lines"] = True
        notes.append(
            "the two counties were judged against different poverty lines ("
            + "; ".join(f"{county}: {_lines_text(used)}" for county, used in lines.items())
            + "), so the difference mixes the counties' households with their lines"
        )
    if focal_row.get("definition") != benchmark_row.get("definition"):
        notes.append(
            f"the two counties' definitions differ: {focal}: {focal_row.get('definition')}; "
            f"{benchmark}: {benchmark_row.get('definition')}"
        )
    if notes:
        row["note"] = "; ".join(notes)
    return row


def _lines_text(lines: dict[str, Any] | None) -> str:
    """``2015: 3372, 2020: 4000`` for a row's poverty lines by year."""
    if not lines:
        return "no line recorded"
    return ", ".join(f"{year}: {value:g}" for year, value in sorted(lines.items()))


def estimate_rows(family: Family | None) -> list[dict[str, Any]]:
    """The family's headline rows that are estimates: verdict rows (``kind: verdict``, the exit
    evaluation's four criteria together) judge other rows and are not contrasted."""
    return [r for r in (family.headline if family else []) if r.get("kind") != "verdict"]


def family_contrasts(
    results: StudyResults, family: str, *, focal: str, benchmarks: list[str], level: float
) -> list[dict[str, Any]]:
    """Return every focal − benchmark contrast of one family's headline estimates, Holm-adjusted.

    Indicators are those of the focal county in its order, then any only a benchmark has; each is
    contrasted with every benchmark in turn (verdict rows are not, :func:`estimate_rows`).
    ``p_holm`` adjusts across all rows of the family.
    """
    focal_family = results.get(focal, family)
    rows = []
    for benchmark in benchmarks:
        benchmark_family = results.get(benchmark, family)
        names = [r["name"] for r in estimate_rows(focal_family)]
        names += [r["name"] for r in estimate_rows(benchmark_family) if r["name"] not in names]
        for name in names:
            rows.append(
                difference_row(
                    family,
                    focal_family.row(name) if focal_family else None,
                    benchmark_family.row(name) if benchmark_family else None,
                    focal=focal,
                    benchmark=benchmark,
                    level=level,
                )
            )
    for row, adjusted in zip(rows, holm_adjusted([r["p_value"] for r in rows]), strict=True):
        row["p_holm"] = adjusted
    intervals, levels = adjusted_intervals(rows, level), holm_levels(rows, level)
    for row, (low, high, bonferroni_low, bonferroni_high), step_level in zip(rows, intervals, levels, strict=True):
        row |= {
            "ci_low_adjusted": low,
            "ci_high_adjusted": high,
            "ci_low_bonferroni": bonferroni_low,
            "ci_high_bonferroni": bonferroni_high,
            # The MDE of a contrast judged by its adjusted interval is the one at that interval's level:
            # at the unadjusted 5% a difference that "cannot be told apart" could exceed its own MDE.
            "mde_adjusted": None if step_level is None else minimum_detectable_effect(float(row["se"]), step_level),
        }
    return rows


def county_estimates(results: StudyResults) -> pd.DataFrame:
    """Return every county's headline estimates side by side: one row per family, indicator and county."""
    records = [
        {
            "family": family,
            "name": r["name"],
            "label": r.get("label"),
            "county": county,
            "county_name": results.names[county],
            "estimate": r.get("estimate"),
            "se": r.get("se"),
            "ci_low": r.get("ci_low"),
            "ci_high": r.get("ci_high"),
            "n": r.get("n"),
            "reliable": r.get("reliable"),
            FLAG: r.get(FLAG, ""),
        }
        for family in FAMILIES
        for county in results.counties
        for r in estimate_rows(results.get(county, family))
    ]
    return pd.DataFrame.from_records(
        records,
        columns=[
            "family",
            "name",
            "label",
            "county",
            "county_name",
            "estimate",
            "se",
            "ci_low",
            "ci_high",
            "n",
            "reliable",
            FLAG,
        ],
    )


def microdata_result(results: StudyResults, settings: MicrodataSettings) -> FamilyResult:
    """Return the microdata comparison: the focal − benchmark contrasts of every family.

    Parameters
    ----------
    results : StudyResults
        The indicator families of the focal and benchmark counties, focal county first.
    settings : MicrodataSettings
        :func:`pa_study.compare.comparison_settings` of ``microdata``.

    Returns
    -------
    FamilyResult
        ``headline``: :func:`difference_row` rows of every family (identification, income,
        capability, formalism, in that order). Tables: ``contrasts`` (the same rows) and
        ``county_estimates`` (:func:`county_estimates`). Status ``skipped`` without benchmarks. The
        confidence level is the focal county's indicator level.
    """
    focal, benchmarks = settings.focal, list(settings.benchmarks)
    level = study_level(results, focal)
    result = FamilyResult("comparison_microdata", focal, settings.model_copy(update={"level": level}))
    result.definitions = {"contrast": METHOD}
    if not benchmarks:
        result.status = "skipped"
        result.notes.append("no benchmark county is configured: nothing to compare")
    for family in FAMILIES:
        for county in (focal, *benchmarks):
            found = results.get(county, family)
            if found is not None and found.status in ("skipped", "too_small"):
                result.notes.append(f"{family} of {county} is {found.status}: its contrasts have no estimate")
        result.headline += family_contrasts(results, family, focal=focal, benchmarks=benchmarks, level=level)
    result.tables["contrasts"] = pd.DataFrame.from_records(result.headline, columns=CONTRAST_COLUMNS)
    result.tables["county_estimates"] = county_estimates(results)
    result.sample = {
        "contrasts": len(result.headline),
        "estimated": sum(r["estimate"] is not None for r in result.headline),
    }
    return result


def study_level(results: StudyResults, focal: str) -> float:
    """Return the confidence level the focal county's indicator files were computed at (0.95 if none say)."""
    for family in FAMILIES:
        found = results.get(focal, family)
        if found is not None and "level" in found.document.get("settings", {}):
            return float(found.document["settings"]["level"])
    return 0.95


class MicrodataSettings(ComparisonSettings):
    """Settings of the microdata contrasts; the result records the confidence ``level`` it used."""

    level: Number | None = None


PART = ComparisonPart(
    name="microdata",
    settings=MicrodataSettings,
    document="contrasts.json",
    tables=("contrasts", "county_estimates"),
)

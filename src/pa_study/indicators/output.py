"""The output contract of an indicator family: ``<family>.json`` and its tidy tables.

``results/<county>/indicators/<family>.json`` holds ``status`` (``ok``, ``partial``, ``skipped`` or
``too_small``), ``notes``, the ``headline`` estimates, the ``definitions`` and the ``settings``
used, the ``sample`` sizes, the ``poverty_lines_used`` and, under ``tables``, the CSV files of the
breakdowns written beside it in ``results/<county>/indicators/<family>/``. Later stages read only
these files.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pa_study.config import ConfigPart
from pa_study.disclosure import FLAG, PLAIN, SUPPRESSED, Protection, min_cell_of, protect_headline, protect_tables
from pa_study.files import write_csv, write_json
from pa_study.stats import Estimate, threshold_verdict

STATUSES = ("ok", "partial", "skipped", "too_small")
#: Significant digits kept in the JSON: far below sampling error, and stable across platforms.
_DIGITS = 10
#: Why a headline estimate at 0 or 1 (no sampled unit with the event, or every one) has no design effect.
ZERO_VARIANCE_DEFF = (
    "no design effect: the estimate is at a bound (0 or 1) or its values do not vary in the sample, so its variance "
    "under simple random sampling is zero and the ratio deff = V_design / V_srs is undefined"
)


@dataclass
class FamilyResult:
    """Everything one family writes for one county.

    Attributes
    ----------
    family, county : str
        What and where.
    settings : ConfigPart
        The config part used (see :func:`pa_study.indicators.family_settings`), written out as
        the JSON it was read from.
    status : str
        ``ok``; ``partial`` (an instrument is missing and part of the family is skipped);
        ``skipped`` (nothing could be computed); ``too_small`` (the sample is below the minimum).
    notes : list of str
        What was skipped or is unreliable, and why.
    headline : list of dict
        Key estimates, each built by :func:`headline_row` or :func:`missing_row`.
    definitions : dict
        Definitions of the family's constructs (eligibility, outcomes, indices ...).
    sample : dict
        Sample sizes (rows read, rows used, rows excluded and why).
    tables : dict
        Table name -> tidy DataFrame, written as ``<family>/<name>.csv``.
    poverty_lines : list of dict
        The poverty lines the family judged households against (year, value, source; see
        :meth:`~pa_study.indicators.settings.WithPovertyLines.lines_used`), written as
        ``poverty_lines_used`` (empty for a family that uses none).
    """

    family: str
    county: str
    settings: ConfigPart
    status: str = "ok"
    notes: list[str] = field(default_factory=list)
    headline: list[dict[str, Any]] = field(default_factory=list)
    definitions: dict[str, str] = field(default_factory=dict)
    sample: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    poverty_lines: list[dict[str, Any]] = field(default_factory=list)


def headline_row(
    name: str,
    label: str,
    estimate: Estimate,
    definition: str,
    *,
    threshold: float | None = None,
    operator: str = "<",
    min_n: int = 1,
    poverty_lines: Mapping[int, float] | None = None,
    design: str | None = None,
    causal: bool = False,
) -> dict[str, Any]:
    """Return one headline entry from an :class:`~pa_study.stats.Estimate`.

    Parameters
    ----------
    name : str
        Stable machine name (``wrongful_exit_rate``).
    label : str
        Human label, Chinese term first where there is one.
    estimate : Estimate
        The estimate with its SE, CI and ``n``.
    definition : str
        What exactly was estimated (numerator, denominator, population, method).
    threshold : float, optional
        A policy threshold; adds ``threshold``, ``threshold_operator`` and the verdicts of
        :func:`threshold_verdicts`.
    operator : {"<", "<=", ">", ">="}
        The criterion ``estimate <operator> threshold`` that passes: ``<`` for the error rates
        (below 2%), ``>`` for an approval rate (above 90%), ``>=`` for a reduction target.
    min_n : int
        Fewest units for a reliable estimate (``indicators.min_sample``), counted in the smallest
        group of a comparison (:func:`smallest_group`); below it the row says so in ``reliable``
        (False) and ``note``.
    poverty_lines : mapping, optional
        Year -> poverty line the estimate judged households against; written as
        ``poverty_lines`` so that a comparison can tell when two counties were judged against
        different lines.
    design : str, optional
        For an effect or association: the research design it rests on (``selection on
        observables``, ``parallel trends in logs``, ``descriptive``); written with ``causal``.
    causal : bool
        Whether that design supports causal language in the report (a randomised or natural
        experiment, say); the report's vocabulary rule allows causal verbs only for such rows.

    Returns
    -------
    dict
        With ``deff`` (the design effect against simple random sampling of the same number of
        units, R's ``deff``; None where the estimator has none: a census, a quantile, a statistic
        whose SE is not design-based, each saying why in its definition) and ``n_effective``
        (``n / deff``) beside ``se``; ``deff_note`` (:data:`ZERO_VARIANCE_DEFF`) where a design
        effect was computed but is undefined because the estimate is 0 or 1 or has no variance.
        Also ``mde``, the minimum detectable effect at 80% power, when the estimate carries one.
    """
    deff = usable_deff(estimate)
    row: dict[str, Any] = {
        "name": name,
        "label": label,
        "estimate": estimate.estimate,
        "se": estimate.se,
        "deff": deff,
        "n_effective": None if deff is None else int(estimate.n) / deff,
        "ci_low": estimate.ci_low,
        "ci_high": estimate.ci_high,
        "n": int(estimate.n),
        "definition": definition,
    }
    if deff is None and estimate.deff is not None and (estimate.se == 0 or estimate.estimate in (0.0, 1.0)):
        row["deff_note"] = ZERO_VARIANCE_DEFF
    if "mde" in estimate.extra:
        row["mde"] = float(estimate.extra["mde"])
    if design is not None:
        row |= {"design": design, "causal": causal}
    smallest = smallest_group(estimate)
    if smallest != int(estimate.n):
        row["n_smallest_group"] = smallest
    row["reliable"] = smallest >= min_n
    if not row["reliable"]:
        row["note"] = (
            f"based on {smallest} sampled units (in its smallest group), fewer than the minimum {min_n} "
            "(indicators.min_sample)"
        )
    if poverty_lines:
        row["poverty_lines"] = {str(year): poverty_lines[year] for year in sorted(poverty_lines)}
    if threshold is not None:
        verdicts = threshold_verdicts(estimate, threshold, operator=operator)
        row.update(threshold=threshold, threshold_operator=operator, **verdicts)
    return row


def smallest_group(estimate: Estimate) -> int:
    """Return the sampled units behind the least-supported part of an estimate: the smaller of the
    two groups of a comparison (``n_smallest_group``, or treated and control units of an effect),
    else ``n``."""
    extra = estimate.extra
    if "n_smallest_group" in extra:
        return int(extra["n_smallest_group"])
    if "n_treated" in extra and "n_control" in extra:
        return int(min(extra["n_treated"], extra["n_control"]))
    return int(estimate.n)


def threshold_verdicts(estimate: Estimate, threshold: float, *, operator: str = "<") -> dict[str, Any]:
    """Return ``passes`` (the point estimate meets ``estimate <operator> threshold``) and
    ``passes_ci`` (``pass``/``fail``/``inconclusive``), by the project's one rule,
    :func:`pa_study.stats.threshold_verdict`."""
    verdict = threshold_verdict(estimate.estimate, estimate.ci_low, estimate.ci_high, threshold, operator)
    return {"passes": verdict.passes, "passes_ci": verdict.passes_ci}


def missing_row(name: str, label: str, definition: str, note: str) -> dict[str, Any]:
    """Return a headline entry for an estimate that could not be made, saying why."""
    return {
        "name": name,
        "label": label,
        "estimate": None,
        "se": None,
        "deff": None,
        "n_effective": None,
        "ci_low": None,
        "ci_high": None,
        "n": 0,
        "definition": definition,
        "reliable": False,
        "note": note,
    }


def verdict_row(
    name: str,
    label: str,
    verdict: str,
    criteria: Mapping[str, str | None],
    definition: str,
    note: str,
    *,
    reliable: bool = True,
) -> dict[str, Any]:
    """Return a headline entry that is a verdict over other rows, not an estimate.

    ``kind`` is ``verdict``; ``verdict`` is ``pass``, ``fail`` or ``inconclusive``; ``criteria``
    gives each criterion's own interval verdict (``None`` where it was not estimated); ``note``
    says what kind of evidence the verdict rests on. Its estimate fields are empty, so stages that
    read estimates pass over it.
    """
    return {
        **missing_row(name, label, definition, note),
        "kind": "verdict",
        "verdict": verdict,
        "criteria": dict(criteria),
        "reliable": reliable,
    }


def estimate_from_row(row: Mapping[str, Any], name: str, *, n: int | None = None) -> Estimate:
    """Return one row of a tidy estimate table (``estimate``, ``se``, ``ci_low``, ``ci_high`` and
    ``n`` or ``n_denominator``, and ``deff``, ``n_effective`` and ``kish_deff`` where the table has
    them) as an :class:`~pa_study.stats.Estimate`; ``n`` overrides the row's. An empty ``deff`` in a
    table that has the column comes back as NaN: requested, but undefined for this row."""
    count = n if n is not None else row["n"] if "n" in row else row["n_denominator"]
    extra = {k: float(row[k]) for k in _DESIGN_EFFECTS if k in row and row[k] is not None and not pd.isna(row[k])}
    if "deff" in row and "deff" not in extra:
        # The table has design effects and this row's is undefined: kept as NaN so the headline can say why.
        extra["deff"] = math.nan
    return Estimate(
        name=name,
        estimate=float(row["estimate"]),
        se=float(row["se"]),
        ci_low=float(row["ci_low"]),
        ci_high=float(row["ci_high"]),
        n=int(count),
        extra=extra,
    )


#: The design-effect fields a tidy estimate row may carry (see :meth:`pa_study.stats.SurveyDesign.mean`).
_DESIGN_EFFECTS = ("deff", "n_effective", "kish_deff")


def estimate_table(rows: Sequence[tuple[dict[str, Any], Estimate]]) -> pd.DataFrame:
    """Return a tidy table: each row's key columns followed by the estimate's fields.

    ``deff`` and ``n_effective`` (``n / deff``) follow ``n`` when any estimate carries a design effect
    (:attr:`~pa_study.stats.Estimate.deff`), empty (NaN) for the rows whose estimate has none or an
    undefined one, so a headline read back with :func:`estimate_from_row` keeps them.
    """
    records = []
    with_deff = any(e.deff is not None for _, e in rows)
    for keys, e in rows:
        record = {**keys, "estimate": e.estimate, "se": e.se, "ci_low": e.ci_low, "ci_high": e.ci_high, "n": int(e.n)}
        if with_deff:
            deff = usable_deff(e)
            record |= (
                {"deff": np.nan, "n_effective": np.nan}
                if deff is None
                else {"deff": deff, "n_effective": int(e.n) / deff}
            )
        records.append(record)
    return pd.DataFrame.from_records(records)


def usable_deff(estimate: Estimate) -> float | None:
    """Return the estimate's design effect when it is a positive finite number, else None (none was
    requested, or it is undefined: no variance under simple random sampling to compare with)."""
    deff = estimate.deff
    return deff if deff is not None and math.isfinite(deff) and deff > 0 else None


def json_ready(value: Any) -> Any:
    """Return ``value`` with NumPy scalars made plain, NaN and infinities as ``None`` and floats
    kept to 10 significant digits, so the JSON is valid and byte-stable."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return float(f"{number:.{_DIGITS}g}") if math.isfinite(number) else None
    if value is pd.NA or value is None:
        return None
    return value


def write_result(
    result: FamilyResult, json_path: str | Path, tables_dir: str | Path, protection: Protection = PLAIN
) -> dict[str, Any]:
    """Write the family's JSON and its tables; return the JSON document.

    Tables go to ``tables_dir/<name>.csv`` (UTF-8 with BOM, floats at 10 significant digits); the
    JSON names them relative to the JSON's folder. Small cells are suppressed first, with the
    family's ``protection`` (:attr:`~pa_study.indicators.family.IndicatorFamily.protection`).
    """
    if result.status not in STATUSES:
        raise ValueError(f"status {result.status!r} is not one of {STATUSES}")
    json_path, tables_dir = Path(json_path), Path(tables_dir)
    tables_dir.mkdir(parents=True, exist_ok=True)
    # Every table and estimate leaving the pipeline is written here: small cells are suppressed here.
    min_cell = min_cell_of(result.settings)
    tables = protect_tables(result.tables, min_cell, protection)
    headline = protect_headline(result.headline, min_cell, register_rows=protection.register_rows)
    listed = {}
    for name in sorted(tables):
        path = tables_dir / f"{name}.csv"
        write_csv(_rounded(tables[name]), path)
        beside = path.is_relative_to(json_path.parent)
        listed[name] = path.relative_to(json_path.parent).as_posix() if beside else str(path)
    document = json_ready(
        {
            "family": result.family,
            "county": result.county,
            "status": result.status,
            "notes": result.notes,
            "headline": headline,
            "definitions": result.definitions,
            "settings": result.settings.to_dict(),
            "sample": result.sample,
            "poverty_lines_used": result.poverty_lines,
            "tables": listed,
            "disclosure": _disclosure_summary(min_cell, tables, headline),
        }
    )
    write_json(document, json_path)
    return document


def _disclosure_summary(
    min_cell: int, tables: Mapping[str, pd.DataFrame], headline: list[dict[str, Any]]
) -> dict[str, Any]:
    """How many cells of each table, and which headline estimates, were suppressed."""
    return {
        "min_cell": min_cell,
        "suppressed_cells": {
            name: int(table[FLAG].eq(SUPPRESSED).sum()) for name, table in sorted(tables.items()) if FLAG in table
        },
        "suppressed_estimates": [row["name"] for row in headline if row.get(FLAG) == SUPPRESSED],
    }


def _rounded(table: pd.DataFrame) -> pd.DataFrame:
    """The table with float columns at 10 significant digits (stable CSV bytes)."""
    out = table.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            values = out[column].to_numpy(dtype=float, na_value=np.nan)
            out[column] = [float(f"{v:.{_DIGITS}g}") if math.isfinite(v) else np.nan for v in values]
    return out

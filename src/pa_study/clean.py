"""Cleaning stage: from the de-identified text tables of the ingest stage to typed, checked tables.

Each step is a small pure function of a table that returns the new table and what it did: rows of
the cleaning log (step, table, source_row, column, old value, new value, rule) and the rows it
sends to quarantine with their reasons. :func:`clean_table` runs the steps in order and reconciles
the counts: rows in = rows out + exact duplicates removed + rows dropped by corrections + rows
quarantined, for every table.

Cell-level steps work on each column's *distinct* values and map the result back, so cleaning stays
fast on 100,000-household files.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pa_study.codebook import (
    CLEANED_DTYPES,
    SOURCE_ROW,
    Codebook,
    Instrument,
    Variable,
    cleaned_schema,
    normalise_label,
)
from pa_study.design import design_columns
from pa_study.errors import InputError
from pa_study.files import read_json, write_csv, write_json, write_parquet

LOG_COLUMNS = ["table", "step", SOURCE_ROW, "column", "old_value", "new_value", "rule", "n_rows"]
STEP_ORDER = [
    "duplicates",
    "normalise",
    "missing_codes",
    "types",
    "ranges",
    "consistency",
    "required",
    "outliers",
    "design",
]
OUTLIER_FLAGS = "outlier_flags"

#: Totals that must equal the sum of their components (households): total -> components.
INCOME_TOTALS = {
    "inc_total": ["inc_wage", "inc_business", "inc_property", "inc_transfer"],
    "inc_total_base": ["inc_wage_base", "inc_business_base", "inc_property_base", "inc_transfer_base"],
}
#: Answers that only participants in an industrial project may give (skip logic).
PROJECT_FIELDS = ["project_id", "project_type", "project_days", "project_income"]


@dataclass(frozen=True)
class CleaningOptions:
    """The cleaning choices read from ``config.yaml`` (``cleaning:``)."""

    income_tolerance_relative: float = 0.05
    income_tolerance_absolute: float = 100.0
    unparseable_numbers: str = "error"
    outlier_iqr_multiplier: float = 3.0

    @classmethod
    def from_config(cls, section: dict[str, Any] | None) -> CleaningOptions:
        """Build the options from the config's ``cleaning`` section (missing keys keep defaults)."""
        return cls(**(section or {}))


@dataclass
class StepResult:
    """What one cleaning step returns: the table, its log rows and the rows it quarantined."""

    table: pd.DataFrame
    log: list[dict[str, Any]] = field(default_factory=list)
    quarantine: dict[int, list[str]] = field(default_factory=dict)
    removed: dict[str, list[int]] = field(default_factory=dict)
    report: pd.DataFrame | None = None


@dataclass
class Source:
    """Where a table came from: the raw file, the raw header of each canonical column and the unit
    scale of each header (from the ingest report)."""

    path: str
    headers: dict[str, str] = field(default_factory=dict)
    scales: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_report(cls, report: dict[str, Any]) -> Source:
        """Build it from an ingest report (see :func:`pa_study.ingest.ingest`)."""
        headers = {canonical: raw for raw, canonical in report["columns_mapped"].items()}
        return cls(report["file"], headers, dict(report.get("unit_scales", {})))

    def header_of(self, column: str) -> str:
        """Return ``"<raw header>' (<canonical>)"``-style text naming a column as the researcher knows it."""
        raw = self.headers.get(column)
        return f"{raw}' ({column})" if raw and raw != column else f"{column}'"


@dataclass
class CleanResult:
    """A cleaned table with everything needed to account for each row that left it."""

    table: pd.DataFrame
    log: pd.DataFrame
    quarantine: pd.DataFrame
    reconciliation: dict[str, int]
    duplicates: pd.DataFrame


def _log(
    table: str, step: str, row: Any, column: str | None, old: Any, new: Any, rule: str, n_rows: int = 1
) -> dict[str, Any]:
    return {
        "table": table,
        "step": step,
        SOURCE_ROW: None if row is None else int(row),
        "column": column,
        "old_value": None if old is None or old is pd.NA else str(old),
        "new_value": None if new is None or new is pd.NA else str(new),
        "rule": rule,
        "n_rows": n_rows,
    }


# --- cell-level text rules -------------------------------------------------------------------


def normalised_text(value: str) -> tuple[str, str | None]:
    """Return ``value`` folded to half-width (NFKC) and trimmed, with the rule that changed it.

    Returns
    -------
    (str, str or None)
        The new value and ``"fullwidth"`` (full-width characters folded), ``"trim"`` (only white
        space removed) or ``None`` (unchanged).
    """
    folded = unicodedata.normalize("NFKC", value)
    trimmed = folded.strip()
    if folded != value:
        return trimmed, "fullwidth"
    if trimmed != value:
        return trimmed, "trim"
    return value, None


_NUMBER = re.compile(
    r"^(?P<sign>[-+]?)(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<mult>万|千)?(?P<unit>元|块|人|个|天|日|岁|周岁|年|小时|次|户|亩|份)?$"
)


def parsed_number(text: str) -> tuple[float, str | None] | None:
    """Read a number written the way survey sheets write them.

    Accepts thousands separators (``1,200``), unit suffixes (``3200元``, ``45岁``) and the
    multipliers 万 (10,000) and 千 (1,000), as in ``1.2万``. Arithmetic is decimal, so ``1.2万`` is
    exactly 12000.

    Parameters
    ----------
    text : str
        A cell already folded to half-width and trimmed.

    Returns
    -------
    (float, str or None) or None
        The value and the rule that applied (``"wan"`` for a 万 multiplier, ``"unit_suffix"`` for
        separators, units or 千, ``None`` for a plain number), or ``None`` if it is not a number.
    """
    match = _NUMBER.match(text)
    if match is None:
        try:
            value = float(text)
        except ValueError:
            return None
        return (value, None) if np.isfinite(value) else None
    try:
        number = Decimal(match["num"].replace(",", ""))
    except InvalidOperation:
        return None
    if match["sign"] == "-":
        number = -number
    rule = None
    if match["mult"] == "万":
        number, rule = number * 10000, "wan"
    elif match["mult"] == "千":
        number, rule = number * 1000, "unit_suffix"
    if rule is None and (match["unit"] or "," in match["num"]):
        rule = "unit_suffix"
    return float(number), rule


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def parsed_date(text: str) -> pd.Timestamp | None:
    """Read a date written as ``2020-08-15``, ``2020/8/15``, ``2020.8.15``, ``2020年8月15日``,
    ``20200815`` or an Excel serial day number; ``None`` if it is none of these."""
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match:
        try:
            return pd.Timestamp(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    if text.isdigit() and 20000 <= int(text) <= 80000:
        return _EXCEL_EPOCH + pd.Timedelta(days=int(text))
    return None


# --- steps --------------------------------------------------------------------------------------


def remove_duplicates(
    table: pd.DataFrame, instrument: Instrument, corrections: pd.DataFrame | None, corrections_path: str | None
) -> StepResult:
    """Remove exact duplicates and resolve conflicting duplicates of the key.

    Exact duplicates (every answer the same) are removed, keeping the first. Rows that share the key
    but differ are resolved through the corrections file, in the spirit of DIME's ``ieduplicates``:
    each row of a conflicting group is kept, dropped or given a new id by the researcher. Groups that
    the corrections file does not resolve go to quarantine, all their rows.

    Parameters
    ----------
    table : DataFrame
        The ingest table (text values, ``source_row``).
    instrument : Instrument
        Its codebook instrument (for the key).
    corrections : DataFrame or None
        Pseudonymised corrections: ``source_row``, the key column, ``action``, ``new_id``.
    corrections_path : str or None
        The corrections file, for messages.

    Returns
    -------
    StepResult
        ``removed`` holds the rows removed as exact duplicates and the rows dropped by corrections.
    """
    name = instrument.name
    exact = table.duplicated(keep="first")
    log = []
    if exact.any():
        group = table.groupby(list(table.columns), dropna=False, sort=False).ngroup()
        first_of = pd.Series(table.index, index=table.index).groupby(group).transform("min")
        for row in table.index[exact]:
            log.append(
                _log(name, "duplicates", row, None, f"duplicate of row {first_of[row]}", None, "exact_duplicate")
            )
    removed = {"exact_duplicate": [int(r) for r in table.index[exact]]}
    table = table.loc[~exact]
    key = list(instrument.key)
    before = _conflicting_groups(table, key)
    deduplicated = table
    table, correction_log, dropped = _apply_corrections(table, instrument, corrections, corrections_path)
    log += correction_log
    removed["correction_drop"] = dropped
    after = _conflicting_groups(table, key)
    quarantine = {int(r): ["conflicting_duplicate"] for r in table.index[after.notna()]}
    return StepResult(table, log, quarantine, removed, _duplicates_report(before, after, deduplicated, key, dropped))


def _conflicting_groups(table: pd.DataFrame, key: list[str]) -> pd.Series:
    """Return, per row, the key of its conflicting-duplicate group (missing for rows with a unique key)."""
    conflicting = table.duplicated(subset=key, keep=False) & table[key].notna().all(axis=1)
    joined = table[key[0]].astype("string")
    for column in key[1:]:
        joined = joined + "/" + table[column].astype("string")
    return joined.where(conflicting)


def _duplicates_report(
    before: pd.Series, after: pd.Series, table: pd.DataFrame, key: list[str], dropped: list[int]
) -> pd.DataFrame:
    """One row per conflicting group (``table`` before corrections): its key, its rows, the columns
    whose answers differ and how it was resolved — the list a researcher works through to fill the
    corrections file."""
    groups = before.dropna()
    if groups.empty:
        return pd.DataFrame(columns=["key", "source_rows", "differing_columns", "resolution"])
    answers = table.loc[groups.index].drop(columns=key).astype("string").fillna("<NA>")
    differs = answers.groupby(groups.to_numpy()).nunique() > 1
    unresolved = set(after.dropna().index)
    records = []
    for group_key, rows in groups.groupby(groups, sort=True):
        members = [int(r) for r in rows.index]
        removed = [r for r in members if r in dropped]
        if any(r in unresolved for r in members):
            resolution = "unresolved: quarantined, add the rows to the corrections file"
        else:
            resolution = "resolved by the corrections file" + (
                f" (dropped rows {';'.join(map(str, removed))})" if removed else ""
            )
        records.append(
            {
                "key": group_key,
                "source_rows": ";".join(map(str, members)),
                "differing_columns": ";".join(differs.columns[differs.loc[group_key].to_numpy()]),
                "resolution": resolution,
            }
        )
    return pd.DataFrame(records, columns=["key", "source_rows", "differing_columns", "resolution"])


def _apply_corrections(
    table: pd.DataFrame, instrument: Instrument, corrections: pd.DataFrame | None, path: str | None
) -> tuple[pd.DataFrame, list[dict[str, Any]], list[int]]:
    if corrections is None or corrections.empty:
        return table, [], []
    key = instrument.key[0]
    rows = table.copy()
    log, dropped = [], []
    for position, fix in enumerate(corrections.itertuples(index=False), start=2):
        row = int(fix.source_row)
        if row not in rows.index:
            raise InputError(
                f"corrections name source_row {row}, which is not a data row of the {instrument.name} file "
                f"(or is an exact duplicate already removed)",
                path=path,
                row=position,
            )
        if rows.at[row, key] != getattr(fix, key):
            raise InputError(
                f"corrections give {key} for source_row {row} that does not match the data; the raw file may "
                f"have changed since the corrections were written",
                path=path,
                row=position,
            )
        if fix.action == "drop":
            dropped.append(row)
            log.append(_log(instrument.name, "duplicates", row, key, getattr(fix, key), None, "correction_drop"))
        elif fix.action == "new_id":
            log.append(
                _log(instrument.name, "duplicates", row, key, rows.at[row, key], fix.new_id, "correction_new_id")
            )
            rows.at[row, key] = fix.new_id
    return rows.drop(index=dropped), log, dropped


def normalise_cells(table: pd.DataFrame, instrument: Instrument) -> StepResult:
    """Fold full-width characters to half-width and trim white space in every text cell."""
    columns = [v.name for v in instrument.kept if not v.pseudonymise]
    return _map_cells(table, instrument.name, "normalise", columns, normalised_text)


def missing_codes_to_na(table: pd.DataFrame, instrument: Instrument, codebook: Codebook) -> StepResult:
    """Set cells holding a missing-value code (``-99``, ``不知道``, ``拒答``, …) to missing."""
    log: list[dict[str, Any]] = []
    for var in instrument.kept:
        if var.pseudonymise:
            continue
        codes = codebook.missing_codes_for(var)
        step = _map_cells(
            table,
            instrument.name,
            "missing_codes",
            [var.name],
            lambda v, codes=codes: (pd.NA, "missing_code") if normalise_label(v) in codes else (v, None),
        )
        table = step.table
        log += step.log
    return StepResult(table, log)


def typed_values(
    table: pd.DataFrame,
    instrument: Instrument,
    codebook: Codebook,
    scales: dict[str, float],
    options: CleaningOptions,
    source: Source,
) -> StepResult:
    """Convert the text columns to their codebook types.

    Numbers are read with :func:`parsed_number` and multiplied by the unit scale of their header
    (e.g. 万元 → yuan); booleans and categories are harmonised to canonical codes through the
    codebook's spellings (Chinese or English labels, numeric codes); dates through
    :func:`parsed_date`. Unreadable numbers stop the run (or quarantine the row, if configured);
    unknown category labels and unreadable dates become missing, logged per cell.

    Raises
    ------
    InputError
        Text that cannot be read as a number, naming the raw file, row, column and value.
    """
    log: list[dict[str, Any]] = []
    quarantine: dict[int, list[str]] = {}
    out = table.copy()
    for var in instrument.kept:
        if var.type == "string":
            continue
        column = table[var.name]
        distinct = column.dropna().unique()
        if var.type in ("integer", "number"):
            converted, entries, bad = _numbers(column, distinct, var, scales.get(var.name, 1.0), instrument.name)
            if bad:
                _refuse_unparseable(table, var, bad, options, source, quarantine)
        elif var.type == "date":
            converted, entries = _dates(column, distinct, var, instrument.name)
        else:
            converted, entries = _codes(column, distinct, var, codebook, instrument.name, quarantine)
        out[var.name] = converted
        log += entries
    return StepResult(out, log, quarantine)


def _numbers(
    column: pd.Series, distinct: np.ndarray, var: Variable, scale: float, table: str
) -> tuple[pd.Series, list[dict[str, Any]], list[str]]:
    parsed = {v: parsed_number(v) for v in distinct}
    bad = [
        v for v, p in parsed.items() if p is None or (var.type == "integer" and not float(p[0] * scale).is_integer())
    ]
    values = {v: p[0] * scale for v, p in parsed.items() if v not in bad}
    rules = {v: p[1] for v, p in parsed.items() if v not in bad and p[1]}
    dtype = "Int64" if var.type == "integer" else "Float64"
    converted = pd.array(column.map(values), dtype="Float64")
    converted = pd.Series(converted.astype(dtype) if dtype == "Int64" else converted, index=column.index)
    log = _cell_log(column, rules, values, table, "types", var.name)
    if scale != 1.0 and column.notna().any():
        log.append(
            _log(table, "types", None, var.name, "header unit", f"x{scale:g}", "unit_scale", int(column.notna().sum()))
        )
    return converted, log, bad


def _refuse_unparseable(
    table: pd.DataFrame,
    var: Variable,
    bad: list[str],
    options: CleaningOptions,
    source: Source,
    quarantine: dict[int, list[str]],
) -> None:
    rows = table.index[table[var.name].isin(bad)]
    expected = "a whole number" if var.type == "integer" else "a number"
    if options.unparseable_numbers == "error":
        first_row = int(rows[0])
        value = table.at[first_row, var.name]
        more = f" ({len(rows) - 1} more rows have unreadable values in this column)" if len(rows) > 1 else ""
        raise InputError(
            f"cannot read {value!r} in column '{source.header_of(var.name)} as {expected}; expected e.g. "
            f"1200, 1,200, 3200元 or 1.2万{more}. Correct the source file, or set "
            f"cleaning.unparseable_numbers: quarantine",
            path=source.path,
            row=first_row,
        )
    for row in rows:
        quarantine.setdefault(int(row), []).append(f"unparseable:{var.name}")


def _dates(
    column: pd.Series, distinct: np.ndarray, var: Variable, table: str
) -> tuple[pd.Series, list[dict[str, Any]]]:
    parsed = {v: parsed_date(v) for v in distinct}
    converted = pd.to_datetime(column.map({v: p for v, p in parsed.items() if p is not None}))
    unknown = {v: "unparseable_date" for v, p in parsed.items() if p is None}
    return converted.astype("datetime64[ns]"), _cell_log(column, unknown, {}, table, "types", var.name)


def _codes(
    column: pd.Series,
    distinct: np.ndarray,
    var: Variable,
    codebook: Codebook,
    table: str,
    quarantine: dict[int, list[str]],
) -> tuple[pd.Series, list[dict[str, Any]]]:
    if var.type == "boolean":
        lookup = {**{t: True for t in codebook.true_values}, **{f: False for f in codebook.false_values}}
    else:
        lookup = var.category_lookup
    mapping = {v: lookup.get(normalise_label(v)) for v in distinct}
    unknown = {v: "unknown_category" for v, code in mapping.items() if code is None}
    known = {v: code for v, code in mapping.items() if code is not None}
    converted = column.map(known).astype("boolean" if var.type == "boolean" else "string")
    log = [
        _log(table, "types", None, var.name, v, code, "harmonise", int((column == v).sum()))
        for v, code in sorted(known.items())
        if str(code) != v
    ]
    log += _cell_log(column, unknown, {}, table, "types", var.name)
    return converted, log


def range_checks(table: pd.DataFrame, instrument: Instrument) -> StepResult:
    """Apply each variable's allowed range: out-of-range values become missing (logged) or, where
    the codebook says ``on_out_of_range: quarantine``, send their row to quarantine."""
    log: list[dict[str, Any]] = []
    quarantine: dict[int, list[str]] = {}
    table = table.copy()
    for var in instrument.kept:
        if var.range is None:
            continue
        column = table[var.name]
        low, high = var.range
        if var.type == "date":
            low, high = pd.Timestamp(low), pd.Timestamp(high)
        outside = column.notna() & ((column < low) | (column > high))
        outside = outside.fillna(False).astype(bool)
        for row, value in column[outside].items():
            if var.on_out_of_range == "quarantine":
                quarantine.setdefault(int(row), []).append(f"out_of_range:{var.name}")
            else:
                log.append(_log(instrument.name, "ranges", row, var.name, value, None, "out_of_range"))
        if var.on_out_of_range == "missing":
            table.loc[outside, var.name] = pd.NA
    return StepResult(table, log, quarantine)


def household_consistency(table: pd.DataFrame, options: CleaningOptions) -> StepResult:
    """Check the household answers against each other.

    - labour count above household size, and exit year before registration year: the row cannot
      be repaired (which answer is wrong is unknown) and goes to quarantine;
    - project answers from a non-participant (skip logic): set to missing, logged per cell;
    - total income that differs from the sum of its components by more than the tolerance (both
      relative and absolute must be exceeded): replaced by the sum, logged.
    """
    name = "households"
    table = table.copy()
    quarantine: dict[int, list[str]] = {}
    rows = table.index.to_series()
    for rule, bad in (
        ("labour_exceeds_size", table["labour_count"] > table["hh_size"]),
        ("exit_before_registration", table["exit_year"] < table["registration_year"]),
    ):
        for row in rows[bad.fillna(False).astype(bool)]:
            quarantine.setdefault(int(row), []).append(rule)
    log: list[dict[str, Any]] = []
    non_participant = (table["project_participant"] == False).fillna(False).astype(bool)  # noqa: E712
    for column in PROJECT_FIELDS:
        filled = non_participant & table[column].notna()
        for row, value in zip(rows[filled], table.loc[filled, column], strict=True):
            log.append(_log(name, "consistency", row, column, value, None, "skip_logic"))
        table.loc[filled, column] = pd.NA
    for total, parts in INCOME_TOTALS.items():
        summed = table[parts].sum(axis=1, skipna=False)
        gap = (table[total] - summed).abs()
        tolerance = np.maximum(options.income_tolerance_relative * summed.abs(), options.income_tolerance_absolute)
        wrong = (gap > tolerance).fillna(False).astype(bool)
        for row, old, new in zip(rows[wrong], table.loc[wrong, total], summed[wrong], strict=True):
            log.append(_log(name, "consistency", row, total, old, new, "total_mismatch"))
        table.loc[wrong, total] = summed[wrong]
    return StepResult(table, log, quarantine)


def required_present(table: pd.DataFrame, instrument: Instrument) -> StepResult:
    """Send rows lacking a required answer (key, place, registration status, …) to quarantine."""
    quarantine: dict[int, list[str]] = {}
    for name in instrument.required:
        for row in table.index[table[name].isna()]:
            quarantine.setdefault(int(row), []).append(f"missing_required:{name}")
    return StepResult(table, [], quarantine)


def outlier_flags(table: pd.DataFrame, instrument: Instrument, multiplier: float) -> StepResult:
    """Flag values beyond Tukey's far-out fences (Q1 − k·IQR, Q3 + k·IQR) of variables marked ``outlier``.

    Incomes, investments and counts are skewed and often zero by structure (no property income), so
    for a variable with no negative values the fences are computed on ``log(1 + x)`` of its positive
    values and zeros are never flagged; otherwise on the raw values (Tukey 1977, ch. 2). Values are
    never changed: flagged variables are listed in the ``outlier_flags`` column and in the log, and
    winsorising is left to the analysis stages.
    """
    table = table.copy()
    flags = pd.Series([[] for _ in range(len(table))], index=table.index, dtype=object)
    log = []
    for var in instrument.kept:
        if not var.outlier:
            continue
        outside = _beyond_fences(table[var.name].astype("Float64"), multiplier)
        for index in table.index[outside]:
            flags[index].append(var.name)
            value = table.at[index, var.name]
            log.append(_log(instrument.name, "outliers", index, var.name, value, value, "outlier"))
    table[OUTLIER_FLAGS] = pd.array([";".join(f) if f else pd.NA for f in flags], dtype="string")
    return StepResult(table, log)


def _beyond_fences(values: pd.Series, multiplier: float) -> np.ndarray:
    """Boolean mask of the values outside the far-out fences (see :func:`outlier_flags`)."""
    observed = values.dropna()
    skewed = bool((observed >= 0).all())
    scale = np.log1p(observed[observed > 0]) if skewed else observed
    if len(scale) < 4:
        return np.zeros(len(values), dtype=bool)
    q1, q3 = scale.quantile(0.25), scale.quantile(0.75)
    low, high = q1 - multiplier * (q3 - q1), q3 + multiplier * (q3 - q1)
    raw = values.to_numpy(dtype=float, na_value=np.nan)
    transformed = np.log1p(np.where(raw > 0, raw, np.nan)) if skewed else raw
    return (transformed < low) | (transformed > high)


# --- helpers ------------------------------------------------------------------------------------


def _map_cells(
    table: pd.DataFrame, name: str, step: str, columns: list[str], rule: Callable[[str], tuple[Any, str | None]]
) -> StepResult:
    """Apply ``rule`` to the distinct values of each column; log every cell it changed."""
    table = table.copy()
    log: list[dict[str, Any]] = []
    for column in columns:
        results = {v: rule(v) for v in table[column].dropna().unique()}
        changed = {v: r for v, r in results.items() if r[1] is not None}
        if not changed:
            continue
        new_values = {v: r[0] for v, r in changed.items()}
        log += _cell_log(table[column], {v: r[1] for v, r in changed.items()}, new_values, name, step, column)
        mask = table[column].isin(list(changed))
        table.loc[mask, column] = table.loc[mask, column].map(new_values)
    return StepResult(table, log)


def _cell_log(
    column: pd.Series, rules: dict[Any, str], new_values: dict[Any, Any], table: str, step: str, name: str
) -> list[dict[str, Any]]:
    """Log rows for every cell of ``column`` (indexed by source row) whose value has a rule in ``rules``."""
    if not rules:
        return []
    changed = column[column.isin(list(rules))]
    return [_log(table, step, row, name, value, new_values.get(value), rules[value]) for row, value in changed.items()]


# --- the stage ----------------------------------------------------------------------------------


def clean_table(
    table: pd.DataFrame,
    instrument: Instrument,
    codebook: Codebook,
    options: CleaningOptions,
    source: Source,
    *,
    corrections: pd.DataFrame | None = None,
    corrections_path: str | None = None,
) -> tuple[pd.DataFrame, list[dict[str, Any]], dict[int, list[str]], dict[str, list[int]], pd.DataFrame]:
    """Run the cleaning steps on one ingested table.

    Parameters
    ----------
    table : DataFrame
        The ingest stage's output: text values under canonical names plus ``source_row``.
    instrument : Instrument
        Its codebook instrument.
    codebook : Codebook
        For missing codes and the boolean vocabulary.
    options : CleaningOptions
        The ``cleaning`` config.
    source : Source
        The raw file and its headers, so messages name what the researcher sees.
    corrections, corrections_path
        The pseudonymised duplicates corrections and their file (households only).

    Returns
    -------
    (DataFrame, list, dict, dict, DataFrame)
        The typed table indexed by source row, still holding the rows to quarantine; the log rows;
        the quarantine reasons by source row; the removed rows by reason; the duplicates report.
    """
    work = table.set_index(SOURCE_ROW)
    work.index = work.index.astype(int)
    scales = {k: float(v) for k, v in source.scales.items()}
    log: list[dict[str, Any]] = []
    quarantine: dict[int, list[str]] = {}
    removed: dict[str, list[int]] = {}
    duplicates = remove_duplicates(work, instrument, corrections, corrections_path)
    steps: list[Callable[[pd.DataFrame], StepResult]] = [
        lambda t: normalise_cells(t, instrument),
        lambda t: missing_codes_to_na(t, instrument, codebook),
        lambda t: typed_values(t, instrument, codebook, scales, options, source),
        lambda t: range_checks(t, instrument),
    ]
    if instrument.name == "households":
        steps.append(lambda t: household_consistency(t, options))
    steps += [
        lambda t: required_present(t, instrument),
        lambda t: outlier_flags(t, instrument, options.outlier_iqr_multiplier),
    ]
    result = duplicates
    for step in [None, *steps]:
        if step is not None:
            result = step(result.table)
        log += result.log
        removed.update(result.removed)
        for row, reasons in result.quarantine.items():
            quarantine.setdefault(row, []).extend(reasons)
    return result.table, log, quarantine, removed, duplicates.report


def finish_table(
    ingested: pd.DataFrame,
    cleaned: pd.DataFrame,
    instrument: Instrument,
    log: list[dict[str, Any]],
    quarantine: dict[int, list[str]],
    removed: dict[str, list[int]],
    duplicates: pd.DataFrame,
) -> CleanResult:
    """Remove the quarantined rows, check the result against the codebook schema and reconcile counts.

    Raises
    ------
    AssertionError
        If the counts do not reconcile (a bug, never bad input) or a personal column survived.
    """
    keep = ~cleaned.index.isin(list(quarantine))
    out = cleaned.loc[keep].sort_index()
    leaked = [c for c in instrument.personal if c in out.columns]
    assert not leaked, f"personal columns reached the cleaned {instrument.name} table: {leaked}"
    cleaned_schema(instrument).validate(out)
    out = out.reset_index().rename(columns={"index": SOURCE_ROW})
    raw_rows = ingested.set_index(SOURCE_ROW)
    raw_rows.index = raw_rows.index.astype(int)
    quarantined = raw_rows.loc[sorted(quarantine)].reset_index()
    quarantined.insert(1, "reasons", ["; ".join(dict.fromkeys(quarantine[r])) for r in sorted(quarantine)])
    counts = {
        "rows_in": int(len(ingested)),
        "exact_duplicates_removed": len(removed.get("exact_duplicate", [])),
        "dropped_by_corrections": len(removed.get("correction_drop", [])),
        "quarantined": int(len(quarantined)),
        "rows_out": int(len(out)),
    }
    accounted = (
        counts["rows_out"]
        + counts["exact_duplicates_removed"]
        + counts["dropped_by_corrections"]
        + counts["quarantined"]
    )
    assert accounted == counts["rows_in"], f"{instrument.name}: {counts} do not reconcile"
    counts["reconciles"] = True
    return CleanResult(out, _log_frame(log), quarantined, counts, duplicates)


def _log_frame(log: list[dict[str, Any]]) -> pd.DataFrame:
    """The log as a table in a stable order: table, step (pipeline order), row, column."""
    frame = pd.DataFrame(log, columns=LOG_COLUMNS)
    frame[SOURCE_ROW] = frame[SOURCE_ROW].astype("Int64")
    frame["n_rows"] = frame["n_rows"].astype("Int64")
    frame["_step"] = frame["step"].map({s: i for i, s in enumerate(STEP_ORDER)})
    frame = frame.sort_values(
        ["table", "_step", SOURCE_ROW, "column", "rule", "old_value"], na_position="first", kind="stable"
    )
    return frame.drop(columns="_step").reset_index(drop=True)


def clean_county(
    ingested: dict[str, tuple[pd.DataFrame, dict[str, Any]]],
    codebook: Codebook,
    options: CleaningOptions,
    design: dict[str, Any],
    *,
    corrections: pd.DataFrame | None = None,
    corrections_path: str | None = None,
) -> tuple[dict[str, CleanResult], dict[str, Any]]:
    """Clean every instrument of one county and attach the survey design to its households.

    Parameters
    ----------
    ingested : dict
        Instrument name -> (ingest table, ingest report), for the instruments the county has.
    codebook, options
        The codebook and the ``cleaning`` config.
    design : dict
        The county's ``design`` config (see :func:`pa_study.design.design_columns`).
    corrections, corrections_path
        Pseudonymised duplicates corrections for the households and their file.

    Returns
    -------
    (dict, dict)
        Instrument name -> :class:`CleanResult`, and the design summary.
    """
    results: dict[str, CleanResult] = {}
    design_summary: dict[str, Any] = {}
    for name in sorted(ingested, key=lambda n: n != "villages"):
        table, report = ingested[name]
        instrument = codebook[name]
        fixes = corrections if name == "households" else None
        cleaned, log, quarantine, removed, duplicates = clean_table(
            table,
            instrument,
            codebook,
            options,
            Source.from_report(report),
            corrections=fixes,
            corrections_path=corrections_path,
        )
        if name == "households":
            usable = cleaned.loc[~cleaned.index.isin(list(quarantine))]
            with_design, design_quarantine, design_summary = design_columns(usable, results["villages"].table, design)
            cleaned = pd.concat([with_design, cleaned.loc[cleaned.index.isin(list(quarantine))]]).sort_index()
            for row, reasons in design_quarantine.items():
                quarantine.setdefault(row, []).extend(reasons)
        results[name] = finish_table(table, cleaned, instrument, log, quarantine, removed, duplicates)
    return results, design_summary


def empty_table(instrument: Instrument) -> pd.DataFrame:
    """Return a cleaned table with no rows and the instrument's columns, for an instrument a county
    did not collect (later stages see the same columns everywhere and skip it by its note)."""
    columns = {SOURCE_ROW: pd.array([], dtype="Int64")}
    columns.update({v.name: pd.Series([], dtype=CLEANED_DTYPES[v.type]) for v in instrument.kept})
    return pd.DataFrame(columns)


def run_clean(
    *,
    tables: dict[str, str],
    reports: dict[str, str],
    codebook: Codebook,
    options: CleaningOptions,
    design: dict[str, Any],
    corrections: str | None,
    corrections_source: str | None,
    outdir: str | Path,
) -> dict[str, Any]:
    """Clean one county's ingested tables and write the stage's outputs under ``outdir``.

    Writes ``<instrument>.parquet`` for households, cadres, projects and villages (an empty table
    for an instrument not collected), ``quarantine_<instrument>.csv``, ``cleaning_log.csv``,
    ``duplicates_report.csv`` and ``summary.json`` (counts in, out, removed and quarantined per table,
    which reconcile; the design; what the ingest step left out).

    Parameters
    ----------
    tables, reports : dict
        Instrument -> ingest Parquet and ingest report JSON paths.
    codebook, options, design
        Codebook, ``cleaning`` config and the county's ``design`` config.
    corrections : str or None
        The pseudonymised corrections Parquet (ingest stage output).
    corrections_source : str or None
        The corrections file the researcher edits, for messages.
    outdir : str or Path
        The county's ``clean`` folder.

    Returns
    -------
    dict
        The summary written to ``summary.json``.
    """
    outdir = Path(outdir)
    ingested = {name: (pd.read_parquet(tables[name]), read_json(reports[name])) for name in tables}
    fixes = pd.read_parquet(corrections) if corrections else None
    results, design_summary = clean_county(
        ingested, codebook, options, design, corrections=fixes, corrections_path=corrections_source
    )
    summary: dict[str, Any] = {"design": design_summary, "tables": {}}
    logs, reports_dup = [], []
    for name in sorted(codebook.instruments):
        instrument = codebook[name]
        result = results.get(name)
        table = result.table if result else empty_table(instrument)
        write_parquet(table, outdir / f"{name}.parquet")
        quarantined = result.quarantine if result else pd.DataFrame(columns=[SOURCE_ROW, "reasons"])
        write_csv(quarantined, outdir / f"quarantine_{name}.csv")
        if result is None:
            summary["tables"][name] = {
                "collected": False,
                "note": f"the county has no {instrument.label_zh} ({name}) file",
            }
            continue
        logs.append(result.log)
        reports_dup.append(result.duplicates.assign(table=name))
        report = ingested[name][1]
        summary["tables"][name] = {
            "collected": True,
            **result.reconciliation,
            "quarantine_reasons": _reason_counts(result.quarantine),
            "log_rules": result.log.groupby("rule")["n_rows"].sum().astype(int).sort_index().to_dict(),
            "extra_columns_left_out": report["extra_columns_left_out"],
            "absent_optional_columns": report["absent_optional_columns"],
            "blank_rows_skipped": len(report["blank_rows_skipped"]),
            "format": report["format"],
            "encoding": report["encoding"],
        }
    write_csv(pd.concat(logs, ignore_index=True) if logs else _log_frame([]), outdir / "cleaning_log.csv")
    duplicates = pd.concat(reports_dup, ignore_index=True) if reports_dup else pd.DataFrame()
    write_csv(duplicates, outdir / "duplicates_report.csv")
    write_json(summary, outdir / "summary.json")
    return summary


def _reason_counts(quarantined: pd.DataFrame) -> dict[str, int]:
    """Count quarantined rows per reason (a row with two reasons counts under both)."""
    if quarantined.empty:
        return {}
    reasons = quarantined["reasons"].astype("string").str.split("; ").explode()
    return {str(k): int(v) for k, v in reasons.value_counts().sort_index().items()}

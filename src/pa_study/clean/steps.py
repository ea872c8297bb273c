"""The cleaning steps after duplicates: each a small pure function of a table that returns the new
table, its log rows and the rows it sends to quarantine (:class:`~pa_study.clean.log.StepResult`).

Cell-level steps work on each column's *distinct* values and map the result back, so cleaning stays
fast on 100,000-household files. A step returns a shallow copy of its table: pandas copies on write,
so the columns a step sets are copied as they are set and the others are shared (a deep copy per
step, and per column in :func:`missing_codes_to_na`, copied a census table's every column each time).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pa_study.clean.cells import normalised_text, parsed_date, parsed_number, states_own_unit
from pa_study.clean.log import StepResult, log_entry
from pa_study.clean.settings import CleaningOptions
from pa_study.codebook import EXCEL_ERRORS, INCOME_TOTALS, Codebook, Instrument, Variable, normalise_label
from pa_study.errors import InputError

OUTLIER_FLAGS = "outlier_flags"

#: Answers that only participants in an industrial project may give (skip logic).
PROJECT_FIELDS = ["project_id", "project_type", "project_days", "project_income"]


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


def normalise_cells(table: pd.DataFrame, instrument: Instrument) -> StepResult:
    """Fold full-width characters to half-width and trim white space in every text cell."""
    columns = [v.name for v in instrument.kept if not v.pseudonymise]
    return _map_cells(table, instrument.name, "normalise", columns, normalised_text, may_change=_text_may_change)


def missing_codes_to_na(table: pd.DataFrame, instrument: Instrument, codebook: Codebook) -> StepResult:
    """Set cells holding a missing-value code (``-99``, ``不知道``, ``拒答``, …) or an Excel error value
    (``#VALUE!``, ``#DIV/0!`` …, rule ``excel_error``) to missing."""
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
            lambda v, codes=codes: _missing(v, codes),
            may_change=lambda distinct, codes=codes: _may_be_code(distinct, codes | _EXCEL_ERRORS_FOLDED),
        )
        table = step.table
        log += step.log
    return StepResult(table, log)


#: Excel's error values as :func:`_may_be_code` compares them (lower case).
_EXCEL_ERRORS_FOLDED = frozenset(e.lower() for e in EXCEL_ERRORS)


def _missing(value: str, codes: frozenset[str]) -> tuple[Any, str | None]:
    if value.strip().upper() in EXCEL_ERRORS:
        return pd.NA, "excel_error"
    if normalise_label(value) in codes:
        return pd.NA, "missing_code"
    return value, None


def typed_values(
    table: pd.DataFrame,
    instrument: Instrument,
    codebook: Codebook,
    scales: dict[str, float],
    unparseable_numbers: str,
    source: Source,
) -> StepResult:
    """Convert the text columns to their codebook types.

    Numbers are read with :func:`parsed_number` and multiplied by the unit scale of their header
    (e.g. 万元 → yuan); booleans and categories are harmonised to canonical codes through the
    codebook's spellings (Chinese or English labels, numeric codes); dates through
    :func:`parsed_date`. Unreadable numbers stop the run (``unparseable_numbers`` ``error``) or
    quarantine the row (``quarantine``; ``cleaning.unparseable_numbers``); unknown category labels and
    unreadable dates become missing, logged per cell.

    Raises
    ------
    InputError
        Text that cannot be read as a number, naming the raw file, row, column and value.
    """
    log: list[dict[str, Any]] = []
    quarantine: dict[int, list[str]] = {}
    out = table.copy(deep=False)
    for var in instrument.kept:
        if var.type == "string":
            continue
        column = table[var.name]
        distinct = column.dropna().unique()
        if var.type in ("integer", "number"):
            converted, entries, bad = _numbers(column, distinct, var, scales.get(var.name, 1.0), instrument.name)
            if bad:
                _refuse_unparseable(table, var, bad, unparseable_numbers, source, quarantine)
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
    parsed = parsed_numbers(distinct)
    # "10万" under a 万元 header, or "3200元" under it, states its own unit: the header's is not
    # applied on top (which would make 10万 a billion yuan). Plain numbers never do.
    own = {v for v, p in parsed.items() if scale != 1.0 and p is not None and p[1] and states_own_unit(v)}
    bad = [
        v
        for v, p in parsed.items()
        if p is None or (var.type == "integer" and not float(p[0] * (1.0 if v in own else scale)).is_integer())
    ]
    values = {v: p[0] * (1.0 if v in own else scale) for v, p in parsed.items() if v not in bad}
    rules = {v: "own_unit" if v in own else p[1] for v, p in parsed.items() if v not in bad and (v in own or p[1])}
    dtype = "Int64" if var.type == "integer" else "Float64"
    converted = pd.array(mapped(column, values), dtype="Float64")
    converted = pd.Series(converted.astype(dtype) if dtype == "Int64" else converted, index=column.index)
    log = _cell_log(column, rules, values, table, "types", var.name)
    if scale != 1.0 and column.notna().any():
        scaled = int(column.notna().sum()) - (int(column.isin(list(own)).sum()) if own else 0)
        if scaled:
            log.append(log_entry(table, "types", None, var.name, "header unit", f"x{scale:g}", "unit_scale", scaled))
    return converted, log, bad


#: Unsigned decimal numbers of at most 15 digits either side of the point: Arrow reads them as
#: :func:`parsed_number` does (both round correctly; the sign and the units need the latter).
_PLAIN_NUMBER = r"^\d{1,15}(\.\d{1,15})?$"
#: The ASCII characters Python's ``str.isspace`` counts as white space (``str.strip`` removes them).
_ASCII_SPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f "


def parsed_numbers(distinct: Any) -> dict[str, tuple[float, str | None] | None]:
    """Return :func:`parsed_number` of each distinct text value; the plain numbers, which are most
    of a census's cells, are read by Arrow in one pass and the others one by one."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pa.array(distinct, type=pa.string())
    plain = pc.match_substring_regex(values, _PLAIN_NUMBER)
    numbers = pc.cast(values.filter(plain), pa.float64())
    parsed: dict[str, tuple[float, str | None] | None] = {
        text: (number, None) for text, number in zip(values.filter(plain).to_pylist(), numbers.to_pylist(), strict=True)
    }
    parsed.update({text: parsed_number(text) for text in values.filter(pc.invert(plain)).to_pylist()})
    return parsed


def _may_be_code(distinct: Any, codes: frozenset[str]) -> np.ndarray:
    """Whether each value may be one of ``codes`` once normalised: every non-ASCII value, and the
    ASCII values whose :func:`~pa_study.codebook.normalise_label` (white space removed, lower case)
    is one."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pa.array(distinct, type=pa.string())
    folded = pc.utf8_lower(pc.replace_substring_regex(values, f"[{_ASCII_SPACE}]", ""))
    coded = pc.is_in(folded, value_set=pa.array(sorted(codes), type=pa.string()))
    return pc.or_(pc.invert(pc.string_is_ascii(values)), coded).to_numpy(zero_copy_only=False)


def _text_may_change(distinct: Any) -> np.ndarray:
    """Whether folding to half-width and trimming may change each value: all but ASCII text without
    white space at either end, which NFKC and ``str.strip`` leave as it is."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pa.array(distinct, type=pa.string())
    edge = pc.match_substring_regex(values, f"^[{_ASCII_SPACE}]|[{_ASCII_SPACE}]$")
    return pc.or_(pc.invert(pc.string_is_ascii(values)), edge).to_numpy(zero_copy_only=False)


def _refuse_unparseable(
    table: pd.DataFrame,
    var: Variable,
    bad: list[str],
    unparseable_numbers: str,
    source: Source,
    quarantine: dict[int, list[str]],
) -> None:
    rows = table.index[table[var.name].isin(bad)]
    expected = "a whole number" if var.type == "integer" else "a number"
    if unparseable_numbers == "error":
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
    converted = pd.to_datetime(mapped(column, {v: p for v, p in parsed.items() if p is not None}))
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
    converted = mapped(column, known).astype("boolean" if var.type == "boolean" else "string")
    log = [
        log_entry(table, "types", None, var.name, v, code, "harmonise", int((column == v).sum()))
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
    table = table.copy(deep=False)
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
                log.append(log_entry(instrument.name, "ranges", row, var.name, value, None, "out_of_range"))
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
    table = table.copy(deep=False)
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
            log.append(log_entry(name, "consistency", row, column, value, None, "skip_logic"))
        table.loc[filled, column] = pd.NA
    for total, parts in INCOME_TOTALS.items():
        summed = table[parts].sum(axis=1, skipna=False)
        gap = (table[total] - summed).abs()
        tolerance = np.maximum(options.income_tolerance_relative * summed.abs(), options.income_tolerance_absolute)
        wrong = (gap > tolerance).fillna(False).astype(bool)
        for row, old, new in zip(rows[wrong], table.loc[wrong, total], summed[wrong], strict=True):
            log.append(log_entry(name, "consistency", row, total, old, new, "total_mismatch"))
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
    table = table.copy(deep=False)
    flags = pd.Series([[] for _ in range(len(table))], index=table.index, dtype=object)
    log = []
    for var in instrument.kept:
        if not var.outlier:
            continue
        outside = _beyond_fences(table[var.name].astype("Float64"), multiplier)
        for index in table.index[outside]:
            flags[index].append(var.name)
            value = table.at[index, var.name]
            log.append(log_entry(instrument.name, "outliers", index, var.name, value, value, "outlier"))
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


def _map_cells(
    table: pd.DataFrame,
    name: str,
    step: str,
    columns: list[str],
    rule: Callable[[str], tuple[Any, str | None]],
    may_change: Callable[[Any], np.ndarray] | None = None,
) -> StepResult:
    """Apply ``rule`` to the distinct values of each column; log every cell it changed.

    ``may_change`` marks, in one vectorised pass, the distinct values ``rule`` may change (the
    others it would leave as they are), so that ``rule`` runs on those only.
    """
    table = table.copy(deep=False)
    log: list[dict[str, Any]] = []
    for column in columns:
        distinct = table[column].dropna().unique()
        if may_change is not None and len(distinct):
            distinct = distinct[may_change(distinct)]
        results = {v: rule(v) for v in distinct}
        changed = {v: r for v, r in results.items() if r[1] is not None}
        if not changed:
            continue
        new_values = {v: r[0] for v, r in changed.items()}
        log += _cell_log(table[column], {v: r[1] for v, r in changed.items()}, new_values, name, step, column)
        mask = table[column].isin(list(changed))
        table.loc[mask, column] = mapped(table.loc[mask, column], new_values)
    return StepResult(table, log)


def mapped(column: pd.Series, mapping: Mapping[Any, Any]) -> pd.Series:
    """Return ``column.map(mapping)`` (values without a key become missing), looking each distinct
    value up once: ``Series.map`` looks up every cell, which a census-size column of text makes slow."""
    codes, distinct = pd.factorize(column)
    mapper = pd.Series(mapping) if mapping else pd.Series(dtype=np.float64)
    positions = mapper.index.get_indexer(distinct)
    indexer = np.where(codes >= 0, positions[np.maximum(codes, 0)] if len(positions) else -1, -1)
    values = pd.api.extensions.take(mapper.to_numpy(), indexer, allow_fill=True)
    return pd.Series(values, index=column.index, name=column.name)


def _cell_log(
    column: pd.Series, rules: dict[Any, str], new_values: dict[Any, Any], table: str, step: str, name: str
) -> list[dict[str, Any]]:
    """Log rows for every cell of ``column`` (indexed by source row) whose value has a rule in ``rules``."""
    if not rules:
        return []
    changed = column[column.isin(list(rules))]
    return [
        log_entry(table, step, row, name, value, new_values.get(value), rules[value]) for row, value in changed.items()
    ]

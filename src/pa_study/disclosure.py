"""Statistical disclosure control of the tables that leave the pipeline.

A cell describing fewer than ``disclosure.min_cell`` respondents (default 5) is suppressed: its
estimate, standard error, interval and counts are left empty and the row is flagged ``x`` in a
``flag`` column, in the style of statistical agencies (Statistics Canada's "x: suppressed to meet
the confidentiality requirements", Eurostat's confidential flag). This is the threshold rule of
Hundepool et al. (2012), *Statistical Disclosure Control*, section 5.2, applied to the sampled
respondents behind each cell (for a comparison, its smaller group).

Where the cells of a table add up to a published total (townships to the county rate, roles to
"all", shares to 1, a standardised index's group means to 0), one suppressed cell could be
recovered by subtraction; complementary (secondary) suppression then hides the next-smallest cells
of the same margin until at least two cells are hidden and together they describe at least
``min_cell`` respondents (Hundepool et al. 2012, section 5.5). Primary and complementary
suppressions carry the same flag, so the flag does not tell which cell was the small one.

Suppression is applied where indicator and comparison results are written
(:func:`pa_study.indicators.output.write_result`), so every later use (figures, the report, the
comparison, notebooks) sees only protected cells. Each family declares its tables' margins and what
describes the project ledger, a register of projects rather than of respondents, which is not
suppressed (:class:`Protection`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pa_study.config import DisclosureSettings

#: The agency-style mark of a suppressed cell, and the column that carries it.
SUPPRESSED = "x"
FLAG = "flag"
DEFAULT_MIN_CELL = DisclosureSettings.model_fields["min_cell"].default
#: Columns counting the respondents behind a cell; the smallest of those present is the cell's size.
COUNT_COLUMNS = ("n", "n_denominator", "n_smallest_group", "n_treated", "n_control", "n_cadres", "n_households")
#: Number columns that say which cell a row is (not what it estimates), so they stay.
KEY_NUMBERS = (
    "year",
    "alpha",
    "line_factor",
    "line",
    "threshold",
    "level",
    "reduction_min",
    "reduction_max",
    "k",
    "group",
    "upper_limit",
)
#: Headline fields that describe the estimate (emptied when it is suppressed). The MDE is a multiple
#: of the SE, and with the design effect and n it gives back p(1 - p) of a proportion.
HEADLINE_VALUES = (
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "passes",
    "passes_ci",
    "p_value",
    "p_holm",
    "mde",
    "deff",
    "n_effective",
)


@dataclass(frozen=True)
class Margin:
    """How the cells of a table add up to a published total.

    Attributes
    ----------
    part : str
        The column whose values split the total (``township``).
    within : tuple of str
        Columns that hold one margin each (``rate``: every rate has its own set of townships).
    total : str or None
        The value of ``part`` that is the total row itself (``all``), not one of its parts.
    """

    part: str
    within: tuple[str, ...] = ()
    total: str | None = None


@dataclass(frozen=True)
class Protection:
    """How the results of one indicator family are protected (its
    :attr:`~pa_study.indicators.family.IndicatorFamily.protection`).

    Attributes
    ----------
    margins : Mapping
        Table name -> :class:`Margin`, for the tables whose cells add up to a published total.
    register_tables, register_rows : frozenset of str
        Tables and headline rows that describe a register (the project ledger: projects, not
        respondents), which are not suppressed.
    """

    margins: Mapping[str, Margin] = field(default_factory=dict)
    register_tables: frozenset[str] = frozenset()
    register_rows: frozenset[str] = frozenset()


#: Every table and row about respondents, none with a published total: what a result without a
#: family's declarations (a comparison part) gets.
PLAIN = Protection()


def min_cell_of(settings: Any) -> int:
    """Return ``disclosure.min_cell`` from a job's typed settings (the default when they have none)."""
    disclosure = getattr(settings, "disclosure", None)
    return DEFAULT_MIN_CELL if disclosure is None else int(disclosure.min_cell)


def cell_sizes(table: pd.DataFrame) -> pd.Series:
    """Return the respondents behind each row: the smallest of its count columns (NaN without one)."""
    counts = [c for c in COUNT_COLUMNS if c in table.columns]
    if not counts:
        return pd.Series(np.nan, index=table.index)
    return table[counts].apply(pd.to_numeric, errors="coerce").min(axis=1)


def protect_table(table: pd.DataFrame, min_cell: int, *, margin: Margin | None = None) -> pd.DataFrame:
    """Return ``table`` with the cells of fewer than ``min_cell`` respondents suppressed and flagged.

    Parameters
    ----------
    table : pandas.DataFrame
        A tidy table with one or more :data:`COUNT_COLUMNS`; a table without any is returned as is.
    min_cell : int
        Smallest number of respondents a published cell may describe.
    margin : Margin, optional
        How the cells add up to a published total; enables complementary suppression.

    Returns
    -------
    pandas.DataFrame
        The table with a ``flag`` column (``x`` or empty) and the values of flagged rows emptied: every
        column except the text and :data:`KEY_NUMBERS` columns that say which cell the row is. A row
        with no respondents (nothing estimated) is left as it is.
    """
    sizes = cell_sizes(table)
    if sizes.isna().all() and FLAG not in table.columns:
        return table
    # A row may arrive suppressed already (a county estimate suppressed in its own county's results).
    earlier = table[FLAG].astype("string").eq(SUPPRESSED).fillna(False) if FLAG in table.columns else False
    primary = ((sizes > 0) & (sizes < min_cell)) | earlier
    suppressed = primary | _complementary(table, primary, sizes, margin, min_cell)
    out = table.copy()
    values = [c for c in out.columns if _is_value(out[c], c)]
    for column in values:
        # Counts stay whole numbers (nullable), so a published count never reads "939.0".
        if pd.api.types.is_integer_dtype(out[column]):
            out[column] = out[column].astype("Int64")
        out.loc[suppressed.to_numpy(), column] = pd.NA if out[column].dtype == "Int64" else np.nan
    out[FLAG] = np.where(suppressed.to_numpy(), SUPPRESSED, "")
    return out


def _is_value(column: pd.Series, name: str) -> bool:
    if name in KEY_NUMBERS or name == FLAG:
        return False
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def _complementary(
    table: pd.DataFrame, primary: pd.Series, sizes: pd.Series, margin: Margin | None, min_cell: int
) -> pd.Series:
    """Rows hidden so that no primary cell can be recovered from its margin's published total."""
    extra = pd.Series(False, index=table.index)
    if margin is None or margin.part not in table.columns or not primary.any():
        return extra
    is_total = table[margin.part].astype("string").eq(margin.total).fillna(False) if margin.total else None
    within = [c for c in margin.within if c in table.columns]
    keys = within[0] if len(within) == 1 else within
    groups = table.groupby(keys, dropna=False, sort=False).groups.values() if within else [table.index]
    for index in groups:
        members = [i for i in index if is_total is None or not is_total.loc[i]]
        hidden = [i for i in members if primary.loc[i]]
        if not hidden:
            continue
        # A cell with no respondents holds nothing to protect and hides nothing.
        candidates = sorted(
            (i for i in members if not primary.loc[i] and sizes.loc[i] > 0), key=lambda i: (sizes.loc[i], i)
        )
        while candidates and (len(hidden) < 2 or sizes.loc[hidden].sum() < min_cell):
            chosen = candidates.pop(0)
            hidden.append(chosen)
            extra.loc[chosen] = True
    return extra


def protect_tables(
    tables: dict[str, pd.DataFrame], min_cell: int, protection: Protection = PLAIN
) -> dict[str, pd.DataFrame]:
    """Return the tables of one family (or comparison part) with :func:`protect_table` applied,
    each with its margin from ``protection``; register tables unchanged."""
    return {
        name: table
        if name in protection.register_tables
        else protect_table(table, min_cell, margin=protection.margins.get(name))
        for name, table in tables.items()
    }


def protect_headline(
    rows: Iterable[dict[str, Any]], min_cell: int, *, register_rows: Iterable[str] = ()
) -> list[dict[str, Any]]:
    """Return headline rows with each estimate of fewer than ``min_cell`` respondents suppressed.

    The respondents of a row are its ``n`` or, for a comparison, ``n_smallest_group``; rows named
    in ``register_rows`` count projects of a register, not respondents, and are kept. A suppressed
    row keeps its name, label, definition and threshold, loses its estimate, SE, interval, MDE,
    design effect, counts, verdicts and p-values (set to ``None``), and gets ``flag: x`` and a note saying why.
    """
    registers = set(register_rows)
    protected = []
    for row in rows:
        if row.get("name") in registers:
            protected.append(dict(row))
            continue
        counts = [row[c] for c in ("n", "n_smallest_group") if isinstance(row.get(c), (int, float))]
        size = min(counts) if counts else None
        if size is None or not 0 < size < min_cell:
            protected.append(dict(row))
            continue
        hidden = {**row, **{k: None for k in HEADLINE_VALUES if k in row}, FLAG: SUPPRESSED}
        hidden.update({c: None for c in ("n", "n_smallest_group") if c in row})
        hidden["reliable"] = False
        hidden["note"] = suppression_note(min_cell)
        protected.append(hidden)
    return protected


def suppression_note(min_cell: int) -> str:
    """The note of a suppressed estimate."""
    return (
        f"suppressed (x) to protect respondents' confidentiality: fewer than {min_cell} respondents "
        "(disclosure.min_cell)"
    )

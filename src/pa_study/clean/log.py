"""The cleaning log and quarantine: what each step records, and the log as a table.

Every change a step makes to a value is a log row (table, step, source row, column, old value, new
value, rule, number of rows); every row a step cannot repair goes to quarantine with its reasons.
Nothing leaves a table silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pa_study.codebook import SOURCE_ROW

#: The columns of ``cleaning_log.csv``.
LOG_COLUMNS = ["table", "step", SOURCE_ROW, "column", "old_value", "new_value", "rule", "n_rows"]
#: The steps in pipeline order (the log's sort order).
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


@dataclass
class StepResult:
    """What one cleaning step returns: the table, its log rows and the rows it quarantined."""

    table: pd.DataFrame
    log: list[dict[str, Any]] = field(default_factory=list)
    quarantine: dict[int, list[str]] = field(default_factory=dict)
    removed: dict[str, list[int]] = field(default_factory=dict)
    report: pd.DataFrame | None = None


def log_entry(
    table: str, step: str, row: Any, column: str | None, old: Any, new: Any, rule: str, n_rows: int = 1
) -> dict[str, Any]:
    """Return one row of the cleaning log (see :data:`LOG_COLUMNS`); ``row`` is ``None`` for a rule
    applied to a whole column, with ``n_rows`` the number of cells it changed."""
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


def log_frame(log: list[dict[str, Any]]) -> pd.DataFrame:
    """The log as a table in a stable order: table, step (pipeline order), row, column."""
    frame = pd.DataFrame(log, columns=LOG_COLUMNS)
    frame[SOURCE_ROW] = frame[SOURCE_ROW].astype("Int64")
    frame["n_rows"] = frame["n_rows"].astype("Int64")
    frame["_step"] = frame["step"].map({s: i for i, s in enumerate(STEP_ORDER)})
    frame = frame.sort_values(
        ["table", "_step", SOURCE_ROW, "column", "rule", "old_value"], na_position="first", kind="stable"
    )
    return frame.drop(columns="_step").reset_index(drop=True)


def reason_counts(quarantined: pd.DataFrame) -> dict[str, int]:
    """Count quarantined rows per reason (a row with two reasons counts under both)."""
    if quarantined.empty:
        return {}
    reasons = quarantined["reasons"].astype("string").str.split("; ").explode()
    return {str(k): int(v) for k, v in reasons.value_counts().sort_index().items()}

"""Reconciliation: quarantined rows removed, the result checked against the codebook schema, and
the counts reconciled (rows in = rows out + exact duplicates removed + rows dropped by corrections
+ rows quarantined)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from pa_study.clean.log import log_frame
from pa_study.codebook import SOURCE_ROW, Instrument, cleaned_schema


@dataclass
class CleanResult:
    """A cleaned table with everything needed to account for each row that left it."""

    table: pd.DataFrame
    log: pd.DataFrame
    quarantine: pd.DataFrame
    reconciliation: dict[str, int]
    duplicates: pd.DataFrame


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
    # In place: the schema coerces nothing, and pandera would otherwise check a copy of the whole table.
    cleaned_schema(instrument).validate(out, inplace=True)
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
    return CleanResult(out, log_frame(log), quarantined, counts, duplicates)

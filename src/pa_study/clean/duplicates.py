"""Duplicates: exact duplicates removed, conflicting duplicates of the key resolved through the
researcher's corrections file or quarantined, and the duplicates report."""

from __future__ import annotations

from typing import Any

import pandas as pd

from pa_study.clean.log import StepResult, log_entry
from pa_study.codebook import Instrument
from pa_study.errors import InputError


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
                log_entry(name, "duplicates", row, None, f"duplicate of row {first_of[row]}", None, "exact_duplicate")
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
    rows = table.copy(deep=False)  # copy-on-write: the key column is copied when a new id is set
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
            log.append(log_entry(instrument.name, "duplicates", row, key, getattr(fix, key), None, "correction_drop"))
        elif fix.action == "new_id":
            log.append(
                log_entry(instrument.name, "duplicates", row, key, rows.at[row, key], fix.new_id, "correction_new_id")
            )
            rows.at[row, key] = fix.new_id
    return rows.drop(index=dropped), log, dropped

"""The cleaning log and quarantine records (pa_study.clean.log)."""

from __future__ import annotations

import pandas as pd

from pa_study.clean.log import LOG_COLUMNS, log_entry, log_frame, reason_counts


def test_the_log_is_ordered_by_table_then_pipeline_step_then_row():
    frame = log_frame(
        [
            log_entry("households", "outliers", 5, "inc_wage", 90000.0, 90000.0, "outlier"),
            log_entry("households", "types", 4, "hh_size", "4人", 4, "unit_suffix"),
            log_entry("households", "types", None, "inc_wage", "header unit", "x10000", "unit_scale", 7),
            log_entry("cadres", "normalise", 3, "role", " 村书记", "村书记", "trim"),
        ]
    )
    assert list(frame.columns) == LOG_COLUMNS
    assert frame["table"].tolist() == ["cadres", "households", "households", "households"]
    assert frame["step"].tolist() == ["normalise", "types", "types", "outliers"]
    assert frame["source_row"].fillna(0).tolist() == [3, 0, 4, 5]
    assert frame["n_rows"].tolist() == [1, 7, 1, 1]
    assert frame.loc[2, "new_value"] == "4"


def test_an_empty_log_keeps_its_columns():
    assert list(log_frame([]).columns) == LOG_COLUMNS


def test_a_row_with_two_reasons_counts_under_both():
    quarantined = pd.DataFrame(
        {"source_row": [2, 3], "reasons": ["labour_exceeds_size; missing_required:hh_size", "labour_exceeds_size"]}
    )
    assert reason_counts(quarantined) == {"labour_exceeds_size": 2, "missing_required:hh_size": 1}
    assert reason_counts(quarantined.iloc[:0]) == {}

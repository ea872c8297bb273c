"""Reconciliation (pa_study.clean.reconcile): quarantined rows leave with their reasons, and the
counts must add up."""

from __future__ import annotations

import pytest

from pa_study.clean.reconcile import finish_table
from pa_study.clean.run import clean_table
from pa_study.clean.steps import Source
from pa_study.ingest.run import ingest
from tests.helpers.project import cleaning_options
from tests.helpers.raw_tables import SALT, village_rows


@pytest.fixture
def villages(tmp_path, codebook):
    """The hand-made villages ingested and run through the cleaning steps."""
    village_rows().to_csv(tmp_path / "v.csv", index=False)
    ingested = ingest(tmp_path / "v.csv", codebook["villages"], salt=SALT)
    steps = clean_table(
        ingested.table, codebook["villages"], codebook, cleaning_options(), Source.from_report(ingested.report)
    )
    return ingested.table, steps


def test_quarantined_rows_leave_with_their_reasons_and_the_counts_reconcile(villages, codebook):
    table, (cleaned, log, _, removed, duplicates) = villages
    result = finish_table(
        table, cleaned, codebook["villages"], log, {3: ["out_of_range:n_households"]}, removed, duplicates
    )
    assert result.reconciliation == {
        "rows_in": 3,
        "exact_duplicates_removed": 0,
        "dropped_by_corrections": 0,
        "quarantined": 1,
        "rows_out": 2,
        "reconciles": True,
    }
    assert result.table["source_row"].tolist() == [2, 4]
    assert result.quarantine[["source_row", "reasons"]].values.tolist() == [[3, "out_of_range:n_households"]]


def test_counts_that_do_not_add_up_are_a_bug_not_bad_input(villages, codebook):
    table, (cleaned, log, quarantine, _, duplicates) = villages
    with pytest.raises(AssertionError, match="do not reconcile"):
        finish_table(table, cleaned, codebook["villages"], log, quarantine, {"exact_duplicate": [2]}, duplicates)

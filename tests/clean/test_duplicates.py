"""Duplicates (pa_study.clean.duplicates): exact copies removed, conflicts resolved by the
corrections file or quarantined."""

from __future__ import annotations

import pandas as pd
import pytest

from pa_study.clean.duplicates import remove_duplicates
from pa_study.errors import InputError
from pa_study.ingest.deidentify import pseudonym
from tests.helpers.raw_tables import SALT, text_table


def test_duplicates_exact_removed_conflicts_resolved_or_quarantined(codebook):
    ids = [pseudonym(i, SALT) for i in ("A", "B", "B", "A", "C", "C", "D", "D")]
    table = text_table(codebook, household_id=ids, hh_size=["4", "3", "5", "4", "2", "3", "6", "7"])
    corrections = pd.DataFrame(
        {
            "source_row": [3, 4, 6, 7],
            "household_id": [ids[1], ids[2], ids[4], ids[5]],
            "action": ["keep", "drop", "keep", "new_id"],
            "new_id": [None, None, None, pseudonym("C2", SALT)],
        }
    )
    result = remove_duplicates(table, codebook["households"], corrections, "fix.csv")
    assert result.removed == {"exact_duplicate": [5], "correction_drop": [4]}
    assert result.quarantine == {8: ["conflicting_duplicate"], 9: ["conflicting_duplicate"]}
    assert result.table.at[7, "household_id"] == pseudonym("C2", SALT)
    rules = sorted((e["source_row"], e["rule"]) for e in result.log)
    assert rules == [(4, "correction_drop"), (5, "exact_duplicate"), (7, "correction_new_id")]
    unresolved = result.report.loc[result.report["resolution"].str.startswith("unresolved"), "key"]
    assert unresolved.tolist() == [pseudonym("D", SALT)]
    assert len(result.report) == 3


def test_corrections_naming_a_wrong_row_are_refused(codebook):
    ids = [pseudonym(i, SALT) for i in ("A", "A")]
    table = text_table(codebook, household_id=ids, hh_size=["4", "3"])
    corrections = pd.DataFrame(
        {"source_row": [2], "household_id": [pseudonym("Z", SALT)], "action": ["keep"], "new_id": [None]}
    )
    with pytest.raises(
        InputError, match="fix.csv, row 2: corrections give household_id for source_row 2 that does not match"
    ):
        remove_duplicates(table, codebook["households"], corrections, "fix.csv")
    corrections["source_row"] = [99]
    with pytest.raises(InputError, match="source_row 99, which is not a data row"):
        remove_duplicates(table, codebook["households"], corrections, "fix.csv")

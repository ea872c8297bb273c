"""The duplicates corrections file (pa_study.ingest.corrections): checked and pseudonymised."""

from __future__ import annotations

import pytest

from pa_study.errors import InputError
from pa_study.ingest.corrections import ingest_corrections
from pa_study.ingest.deidentify import pseudonym
from tests.helpers.raw_tables import SALT


def test_corrections_are_validated_and_pseudonymised(tmp_path, codebook):
    path = tmp_path / "fix.csv"
    path.write_text(
        "source_row,household_id,action,new_id,note\n5,HH1,keep,,\n9,HH1,new_id,HH9,typo\n", encoding="utf-8"
    )
    frame = ingest_corrections(path, codebook["households"], salt=SALT)
    assert frame["household_id"].tolist() == [pseudonym("HH1", SALT)] * 2
    assert frame["new_id"].iloc[1] == pseudonym("HH9", SALT)
    path.write_text("source_row,household_id,action,new_id\n5,HH1,merge,\n", encoding="utf-8")
    with pytest.raises(InputError, match="fix.csv, row 2, column 'action': action 'merge' is not keep, drop or new_id"):
        ingest_corrections(path, codebook["households"], salt=SALT)

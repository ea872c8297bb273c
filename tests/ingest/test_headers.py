"""Header matching (pa_study.ingest.headers): raw headers to canonical names through the codebook."""

from __future__ import annotations

import pytest

from pa_study.errors import InputError
from pa_study.ingest.headers import map_headers
from pa_study.ingest.readers import read_raw
from tests.helpers.raw_tables import household_rows, stat_file, write_csv


def test_missing_required_column_names_it_and_its_aliases(tmp_path, codebook):
    path = tmp_path / "hh.csv"
    write_csv(household_rows().drop(columns=["家庭人口数"]), path, "utf-8")
    with pytest.raises(
        InputError,
        match=(
            r"hh.csv, column 'hh_size': required column 'hh_size' \(家庭人口数\) is missing; "
            r"expected a header named one of: hh_size, 家庭人口数"
        ),
    ):
        map_headers(read_raw(path), codebook["households"])


@pytest.mark.parametrize("kind", ["dta", "sav"])
def test_stata_and_spss_columns_are_recognised_by_their_variable_labels(tmp_path, codebook, kind):
    headers = map_headers(read_raw(stat_file(tmp_path, kind)), codebook["households"])
    assert set(headers.columns.values()) >= {"household_id", "registered", "hh_size", "head_sex", "head_name"}
    assert headers.extra == []

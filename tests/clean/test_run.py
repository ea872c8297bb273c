"""Cleaning one county (pa_study.clean.run): every row accounted for, the design attached."""

from __future__ import annotations

import pandas as pd
import pytest

from pa_study.clean.run import clean_county
from pa_study.errors import InputError
from pa_study.ingest.run import ingest
from tests.helpers.project import cleaning_options, sample_design
from tests.helpers.raw_tables import SALT, household_rows, village_rows


def test_clean_county_reconciles_and_accounts_for_every_row(tmp_path, codebook):
    households = household_rows(8)
    households.loc[3, "户主年龄"] = "250"
    households.loc[4, "劳动力人数"] = "9"
    households.loc[6, "行政村"] = "北村"
    households = pd.concat([households, households.iloc[[0]]], ignore_index=True)
    households.to_csv(tmp_path / "hh.csv", index=False)
    village_rows().to_csv(tmp_path / "v.csv", index=False)
    ingested = {}
    for name, file in (("households", "hh.csv"), ("villages", "v.csv")):
        result = ingest(tmp_path / file, codebook[name], salt=SALT)
        ingested[name] = (result.table, result.report)
    results, design = clean_county(ingested, codebook, cleaning_options(), sample_design())
    hh = results["households"]
    assert hh.reconciliation == {
        "rows_in": 9,
        "exact_duplicates_removed": 1,
        "dropped_by_corrections": 0,
        "quarantined": 2,
        "rows_out": 6,
        "reconciles": True,
    }
    assert dict(zip(hh.quarantine["source_row"], hh.quarantine["reasons"], strict=True)) == {
        6: "labour_exceeds_size",
        8: "village_not_in_frame",
    }
    assert hh.table["weight"].notna().all() and (hh.table["weight"] > 0).all()
    assert design["strata"] == 1 and design["psus"] == 2
    assert not {"head_name", "id_number", "phone"} & set(hh.table.columns)


def test_a_household_file_with_one_id_for_every_row_says_so(tmp_path, codebook):
    households = household_rows(6).assign(户编号="HH001")
    households["家庭人口数"] = [str(3 + i) for i in range(6)]  # the rows differ: conflicting duplicates
    ingested = {}
    for name, frame in (("households", households), ("villages", village_rows())):
        path = tmp_path / f"{name}.csv"
        frame.to_csv(path, index=False)
        result = ingest(path, codebook[name], salt=SALT)
        ingested[name] = (result.table, result.report)
    with pytest.raises(InputError) as caught:
        clean_county(ingested, codebook, cleaning_options(), sample_design())
    assert str(caught.value) == (
        f"{tmp_path / 'households.csv'}: no household is left to analyse: all 6 rows were quarantined "
        "(conflicting_duplicate: 6); 6 rows share one value of column '户编号' (household_id), which should "
        "identify each household: check that it is the household id column, or resolve the duplicates in a "
        "corrections file (counties.<county>.corrections)"
    )

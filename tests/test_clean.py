"""Each cleaning rule on small hand-made tables, and the reconciliation of counts."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import household_rows, village_rows

from pa_study.clean.cells import normalised_text, parsed_date, parsed_number
from pa_study.clean.duplicates import remove_duplicates
from pa_study.clean.run import clean_county
from pa_study.clean.settings import CleaningOptions, clean_settings
from pa_study.clean.steps import (
    Source,
    household_consistency,
    missing_codes_to_na,
    outlier_flags,
    range_checks,
    typed_values,
)
from pa_study.errors import InputError
from pa_study.ingest.deidentify import pseudonym
from pa_study.ingest.run import ingest

SALT = "s"
DESIGN = {"weights": "frame", "oversample_registered": True}


def text_table(codebook, **columns) -> pd.DataFrame:
    """A households text table indexed by source row (2, 3, …) with the given columns."""
    n = len(next(iter(columns.values())))
    frame = pd.DataFrame({v.name: pd.array([None] * n, dtype="string") for v in codebook["households"].kept})
    for name, values in columns.items():
        frame[name] = pd.array(values, dtype="string")
    frame.index = pd.Index(range(2, n + 2), name="source_row")
    return frame


@pytest.mark.parametrize(
    "text, expected",
    [
        ("１２００", ("1200", "fullwidth")),
        ("  城关镇 ", ("城关镇", "trim")),
        ("东村", ("东村", None)),
        ("３，２００元", ("3,200元", "fullwidth")),
    ],
)
def test_normalised_text(text, expected):
    assert normalised_text(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1200", (1200.0, None)),
        ("3,200元", (3200.0, "unit_suffix")),
        ("3200元", (3200.0, "unit_suffix")),
        ("1.2万", (12000.0, "wan")),
        ("0.35万", (3500.0, "wan")),
        ("-500", (-500.0, None)),
        ("45岁", (45.0, "unit_suffix")),
        ("2.5", (2.5, None)),
        ("1e3", (1000.0, None)),
        ("abc", None),
        ("12,34", None),
        ("", None),
    ],
)
def test_parsed_number(text, expected):
    assert parsed_number(text) == expected


@pytest.mark.parametrize("text", ["2020-08-15", "2020/8/15", "2020.8.15", "2020年8月15日", "20200815", "44058"])
def test_parsed_date(text):
    assert parsed_date(text) == pd.Timestamp(2020, 8, 15)


def test_parsed_date_rejects_impossible_dates():
    assert parsed_date("2020-02-30") is None
    assert parsed_date("soon") is None


def test_missing_codes_become_missing_and_are_logged(codebook):
    table = text_table(codebook, head_age=["-99", "45", "不知道"], head_sex=["拒答", "男", "女"])
    result = missing_codes_to_na(table, codebook["households"], codebook)
    assert result.table["head_age"].isna().tolist() == [True, False, True]
    assert sorted((e["source_row"], e["column"]) for e in result.log) == [
        (2, "head_age"),
        (2, "head_sex"),
        (4, "head_age"),
    ]
    assert {e["rule"] for e in result.log} == {"missing_code"}


def test_types_harmonise_labels_codes_and_units(codebook):
    table = text_table(
        codebook,
        registered=["是", "0", "yes"],
        poverty_cause=["因病", "3", "lack of funds"],
        inc_wage=["3,200元", "1.2万", "800"],
        hh_size=["4", "5", "6"],
        interview_date=["2020/8/15", "bad", None],
    )
    result = typed_values(table, codebook["households"], codebook, {}, CleaningOptions(), Source("hh.csv"))
    t = result.table
    assert t["registered"].tolist() == [True, False, True]
    assert t["poverty_cause"].tolist() == ["illness", "lack_labour", "lack_funds"]
    assert t["inc_wage"].tolist() == [3200.0, 12000.0, 800.0]
    assert str(t["hh_size"].dtype) == "Int64"
    rules = {(e["source_row"], e["column"], e["rule"]) for e in result.log}
    assert {(2, "inc_wage", "unit_suffix"), (3, "inc_wage", "wan"), (3, "interview_date", "unparseable_date")} <= rules


def test_unknown_category_becomes_missing_with_a_log_line(codebook):
    table = text_table(codebook, head_sex=["男", "外星"])
    result = typed_values(table, codebook["households"], codebook, {}, CleaningOptions(), Source("hh.csv"))
    assert result.table["head_sex"].isna().tolist() == [False, True]
    assert [(e["source_row"], e["rule"]) for e in result.log if e["rule"] == "unknown_category"] == [
        (3, "unknown_category")
    ]


def test_unit_scale_of_the_header_applies(codebook):
    projects = codebook["projects"]
    table = pd.DataFrame({v.name: pd.array([None], dtype="string") for v in projects.kept})
    table["fiscal_investment"] = pd.array(["35.5"], dtype="string")
    table.index = pd.Index([2], name="source_row")
    result = typed_values(table, projects, codebook, {"fiscal_investment": 10000.0}, CleaningOptions(), Source("p.csv"))
    assert result.table["fiscal_investment"].iloc[0] == 355000.0
    assert [e["rule"] for e in result.log] == ["unit_scale"]


def test_unreadable_number_is_an_error_naming_file_row_and_header(codebook):
    table = text_table(codebook, hh_size=["4", "四口人", "5"])
    source = Source("data/raw/X/hh.csv", {"hh_size": "家庭人口数"})
    with pytest.raises(
        InputError,
        match=r"data/raw/X/hh.csv, row 3: cannot read '四口人' in column '家庭人口数' \(hh_size\) as a whole number",
    ):
        typed_values(table, codebook["households"], codebook, {}, CleaningOptions(), source)


def test_unreadable_number_can_quarantine_instead(codebook):
    table = text_table(codebook, hh_size=["4", "四口人"])
    options = CleaningOptions(unparseable_numbers="quarantine")
    result = typed_values(table, codebook["households"], codebook, {}, options, Source("hh.csv"))
    assert result.quarantine == {3: ["unparseable:hh_size"]}


def test_fractional_value_for_a_whole_number_is_unreadable(codebook):
    table = text_table(codebook, hh_size=["4.5"])
    with pytest.raises(InputError, match="as a whole number"):
        typed_values(table, codebook["households"], codebook, {}, CleaningOptions(), Source("hh.csv"))


def test_range_checks_set_missing_or_quarantine(codebook):
    table = pd.DataFrame(
        {"head_age": pd.array([45, 250], dtype="Int64"), "hh_size": pd.array([4, 30], dtype="Int64")},
        index=pd.Index([2, 3], name="source_row"),
    )
    for var in codebook["households"].kept:
        if var.name not in table:
            table[var.name] = pd.NA
    result = range_checks(table, codebook["households"])
    assert result.table["head_age"].isna().tolist() == [False, True]
    assert [(e["source_row"], e["rule"]) for e in result.log] == [(3, "out_of_range")]
    assert result.quarantine == {3: ["out_of_range:hh_size"]}


def _typed(codebook, **columns):
    table = text_table(codebook, **columns)
    return typed_values(table, codebook["households"], codebook, {}, CleaningOptions(), Source("hh.csv")).table


def test_consistency_rules(codebook):
    table = _typed(
        codebook,
        hh_size=["4", "3", "4", "4"],
        labour_count=["2", "5", "2", "2"],
        registration_year=["2015", "2015", "2016", "2015"],
        exit_year=["2018", "2018", "2014", "2019"],
        project_participant=["否", "是", "否", "否"],
        project_income=["500", "800", None, None],
        inc_wage=["1000", "1000", "1000", "1000"],
        inc_business=["0"] * 4,
        inc_property=["0"] * 4,
        inc_transfer=["500"] * 4,
        inc_total=["1500", "1550", "1500", "9000"],
    )
    result = household_consistency(table, CleaningOptions())
    assert result.quarantine == {3: ["labour_exceeds_size"], 4: ["exit_before_registration"]}
    log = {(e["source_row"], e["column"], e["rule"]) for e in result.log}
    assert log == {(2, "project_income", "skip_logic"), (5, "inc_total", "total_mismatch")}
    assert pd.isna(result.table.at[2, "project_income"])
    assert result.table.at[3, "project_income"] == 800
    assert result.table.at[5, "inc_total"] == 1500
    assert result.table.at[3, "inc_total"] == 1550  # within the 100-yuan tolerance


def test_outliers_are_flagged_never_changed(codebook):
    values = ["1000", "1100", "1200", "1300", "1250", "1150", "90000"]
    table = _typed(codebook, inc_wage=values)
    result = outlier_flags(table, codebook["households"], 3.0)
    assert result.table["inc_wage"].tolist() == [float(v) for v in values]
    assert result.table["outlier_flags"].fillna("").tolist() == [""] * 6 + ["inc_wage"]
    assert [(e["source_row"], e["rule"]) for e in result.log] == [(8, "outlier")]


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
    results, design = clean_county(ingested, codebook, CleaningOptions(), DESIGN)
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


def test_a_clean_job_depends_on_its_county_design_and_corrections_only():
    block = {"design": DESIGN, "files": {"households": {"path": "hh.csv"}}, "name": "X"}
    config = {"counties": {"X": block, "Z": {**block, "corrections": "fix.csv"}}}
    assert clean_settings(config, "X") == {"design": DESIGN, "corrections": None}
    assert clean_settings(config, "Z")["corrections"] == "fix.csv"

"""The cleaning steps (pa_study.clean.steps) on small hand-made tables: missing codes, types,
ranges, consistency and outliers."""

from __future__ import annotations

import pandas as pd
import pytest

from pa_study.clean.steps import (
    Source,
    household_consistency,
    missing_codes_to_na,
    outlier_flags,
    range_checks,
    typed_values,
)
from pa_study.errors import InputError
from tests.helpers.project import cleaning_options
from tests.helpers.raw_tables import text_table


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


def test_excel_error_values_become_missing_with_a_log_line_of_their_own(codebook):
    table = text_table(codebook, hh_size=["#VALUE!", "4", "#N/A"], township=["#REF!", "城关镇", "城关镇"])
    result = missing_codes_to_na(table, codebook["households"], codebook)
    assert result.table["hh_size"].isna().tolist() == [True, False, True]
    assert result.table["township"].isna().tolist() == [True, False, False]
    assert sorted((e["source_row"], e["column"], e["old_value"], e["rule"]) for e in result.log) == [
        (2, "hh_size", "#VALUE!", "excel_error"),
        (2, "township", "#REF!", "excel_error"),
        (4, "hh_size", "#N/A", "excel_error"),
    ]


def test_types_harmonise_labels_codes_and_units(codebook):
    table = text_table(
        codebook,
        registered=["是", "0", "yes"],
        poverty_cause=["因病", "3", "lack of funds"],
        inc_wage=["3,200元", "1.2万", "800"],
        hh_size=["4", "5", "6"],
        interview_date=["2020/8/15", "bad", None],
    )
    result = typed_values(table, codebook["households"], codebook, {}, "error", Source("hh.csv"))
    t = result.table
    assert t["registered"].tolist() == [True, False, True]
    assert t["poverty_cause"].tolist() == ["illness", "lack_labour", "lack_funds"]
    assert t["inc_wage"].tolist() == [3200.0, 12000.0, 800.0]
    assert str(t["hh_size"].dtype) == "Int64"
    rules = {(e["source_row"], e["column"], e["rule"]) for e in result.log}
    assert {(2, "inc_wage", "unit_suffix"), (3, "inc_wage", "wan"), (3, "interview_date", "unparseable_date")} <= rules


def test_unknown_category_becomes_missing_with_a_log_line(codebook):
    table = text_table(codebook, head_sex=["男", "外星"])
    result = typed_values(table, codebook["households"], codebook, {}, "error", Source("hh.csv"))
    assert result.table["head_sex"].isna().tolist() == [False, True]
    assert [(e["source_row"], e["rule"]) for e in result.log if e["rule"] == "unknown_category"] == [
        (3, "unknown_category")
    ]


def test_unit_scale_of_the_header_applies(codebook):
    projects = codebook["projects"]
    table = pd.DataFrame({v.name: pd.array([None], dtype="string") for v in projects.kept})
    table["fiscal_investment"] = pd.array(["35.5"], dtype="string")
    table.index = pd.Index([2], name="source_row")
    result = typed_values(table, projects, codebook, {"fiscal_investment": 10000.0}, "error", Source("p.csv"))
    assert result.table["fiscal_investment"].iloc[0] == 355000.0
    assert [e["rule"] for e in result.log] == ["unit_scale"]


def test_a_value_stating_its_own_unit_is_not_scaled_by_the_header_again(codebook):
    projects = codebook["projects"]
    table = pd.DataFrame({v.name: pd.array([None] * 4, dtype="string") for v in projects.kept})
    table["fiscal_investment"] = pd.array(["35.5", "10万", "3200元", "1.5万元"], dtype="string")
    table.index = pd.Index([2, 3, 4, 5], name="source_row")
    result = typed_values(
        table, projects, codebook, {"fiscal_investment": 10000.0}, cleaning_options(), Source("p.csv")
    )
    assert result.table["fiscal_investment"].tolist() == [355000.0, 100000.0, 3200.0, 15000.0]
    own = [(e["source_row"], e["new_value"]) for e in result.log if e["rule"] == "own_unit"]
    assert own == [(3, "100000.0"), (4, "3200.0"), (5, "15000.0")]
    assert [e["n_rows"] for e in result.log if e["rule"] == "unit_scale"] == [1]


def test_unreadable_number_is_an_error_naming_file_row_and_header(codebook):
    table = text_table(codebook, hh_size=["4", "四口人", "5"])
    source = Source("data/raw/X/hh.csv", {"hh_size": "家庭人口数"})
    with pytest.raises(
        InputError,
        match=r"data/raw/X/hh.csv, row 3: cannot read '四口人' in column '家庭人口数' \(hh_size\) as a whole number",
    ):
        typed_values(table, codebook["households"], codebook, {}, "error", source)


def test_unreadable_number_can_quarantine_instead(codebook):
    table = text_table(codebook, hh_size=["4", "四口人"])
    result = typed_values(table, codebook["households"], codebook, {}, "quarantine", Source("hh.csv"))
    assert result.quarantine == {3: ["unparseable:hh_size"]}


def test_fractional_value_for_a_whole_number_is_unreadable(codebook):
    table = text_table(codebook, hh_size=["4.5"])
    with pytest.raises(InputError, match="as a whole number"):
        typed_values(table, codebook["households"], codebook, {}, "error", Source("hh.csv"))


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
    return typed_values(table, codebook["households"], codebook, {}, "error", Source("hh.csv")).table


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
    result = household_consistency(table, cleaning_options())
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

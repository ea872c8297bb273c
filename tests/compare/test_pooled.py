"""Pooled models across counties: stacking keeps the designs apart, and on the demo data the planted
county differences (income effect, aspiration, cadre burden, relapse risk) are recovered."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pa_study.compare.pooled import (
    COUNTY,
    PART,
    TREATED,
    combination,
    income_model,
    indicator_settings,
    pooled_columns,
    pooled_result,
    rescaled_weights,
    stacked,
    with_treatment,
)
from pa_study.errors import InputError
from pa_study.indicators import FAMILIES
from pa_study.indicators.income import comparison_sample, effect, income_frame
from pa_study.results import study_results
from tests.helpers.compare_data import BENCHMARKS, demo_study, family_file, names, settings
from tests.helpers.demo_data import demo_tables, truth
from tests.helpers.indicator_data import settings as settings_of
from tests.helpers.project import codebook


def test_stacking_nests_townships_and_villages_in_their_county():
    one = pd.DataFrame({"stratum": ["镇"], "psu": ["镇/村"], "x": [1.0]})
    frame = stacked({"H": one, "Lankao": one})
    assert frame[COUNTY].tolist() == ["H", "Lankao"]
    assert frame["stratum"].tolist() == ["H/镇", "Lankao/镇"] and frame["psu"].tolist() == ["H/镇/村", "Lankao/镇/村"]


def test_households_outside_the_comparison_stay_in_the_design_without_a_treatment_value():
    frame = pd.DataFrame(
        {
            "active": [1.0, 0.0, 0.0, np.nan],
            "dividend_only": [0.0, 1.0, 0.0, np.nan],
            "non_participant": [0.0, 0.0, 1.0, np.nan],
        }
    )
    assert with_treatment(frame, "non_participants")[TREATED].tolist() == pytest.approx(
        [1.0, np.nan, 0.0, np.nan], nan_ok=True
    )
    assert with_treatment(frame, "not_active")[TREATED].tolist() == pytest.approx([1.0, 0.0, 0.0, np.nan], nan_ok=True)


def test_indicator_files_computed_with_different_choices_are_refused(tmp_path):
    items = [
        family_file(tmp_path, county, "income", [], settings={"level": 0.95, "income": {"covariates": covariates}})
        for county, covariates in (("H", ["hh_size"]), ("Lankao", ["hh_size", "head_age"]))
    ]
    with pytest.raises(InputError, match="income indicator files of H and Lankao were computed with different"):
        indicator_settings(study_results(items, names("H", ("Lankao",))), FAMILIES["income"])


# ---- the demo counties: planted differences recovered -----------------------------------------


@pytest.fixture(scope="module")
def pooled():
    tables = {county: demo_tables(county) for county in ("H", *BENCHMARKS)}
    result = pooled_result(demo_study(), tables, settings("pooled"), codebook())
    return result, {(r["name"], r.get("benchmark")): r for r in result.headline}


def _att(county: str) -> float:
    return truth(county)["population"]["industry"]["att_realised"]


def test_the_focal_countys_income_effect_is_recovered(pooled):
    result, rows = pooled
    assert result.status == "ok", result.notes
    assert set(result.tables) == set(PART.tables)
    focal = rows[("att_earned_pc", None)]
    assert focal["ci_low"] <= _att("H") <= focal["ci_high"] and focal["ci_low"] > 0


# The pooled income model equals separate county regressions (every slope county-specific, village
# effects nested), so each difference is that of the counties' own additive-regression coefficients.
# On these samples H's lies above its planted effect, so Boxing's difference (520 [146, 894] with H's
# weights raked to the register, 508 [137, 880] uncalibrated) ends just short of the planted 898;
# Lankao's covers its 603.
SAMPLE_DRAWS = {
    "Boxing": "H's sample coefficient lies above its planted effect: Boxing - H is 520 [146, 894], planted 898"
}


@pytest.mark.parametrize(
    "county",
    [
        pytest.param(c, marks=[pytest.mark.xfail(reason=SAMPLE_DRAWS[c], strict=True)] if c in SAMPLE_DRAWS else [])
        for c in BENCHMARKS
    ],
)
def test_county_differences_in_the_income_effect_are_recovered(pooled, county):
    _, rows = pooled
    difference = rows[("att_earned_pc_difference", county)]
    planted = _att(county) - _att("H")
    assert difference["ci_low"] <= planted <= difference["ci_high"], (county, planted, difference)
    assert difference["ci_low"] > 0 and difference["term"] == f"treated_x_{county}" and difference["p_value"] < 0.05


@pytest.mark.parametrize("county", BENCHMARKS)
def test_benchmarks_have_more_drive_and_less_cadre_burden(pooled, county):
    _, rows = pooled
    parameters = {c: truth(c)["parameters"] for c in ("H", county)}
    assert parameters[county]["drive_mean"] > parameters["H"]["drive_mean"]
    assert rows[("scale_mean_difference", county)]["ci_low"] > 0
    assert parameters[county]["cadre_forms_per_month"] < parameters["H"]["cadre_forms_per_month"]
    assert rows[("burden_index_difference", county)]["ci_high"] < 0


@pytest.mark.parametrize("county", BENCHMARKS)
def test_county_differences_in_relapse_risk_are_recovered(pooled, county):
    _, rows = pooled
    difference = rows[("exited_below_line_share_difference_county", county)]
    shares = {c: truth(c)["population"]["monitoring"]["exited_below_line_share"] for c in ("H", county)}
    # No cause of poverty is planted to raise relapse, so holding the cause fixed leaves the difference.
    planted = shares[county] - shares["H"]
    assert difference["ci_low"] <= planted <= difference["ci_high"], (county, planted, difference)
    assert difference["term"] == f"county_{county}"


def test_every_coefficient_and_each_countys_effect_are_tabled(pooled):
    result, rows = pooled
    coefficients = result.tables["pooled_coefficients"]
    assert set(coefficients["model"]) == {"income", "capability", "burden", "relapse"}
    effects = result.tables["pooled_income_effects"].set_index(["county", "outcome"])
    yishui = effects.loc[("Yishui", "earned_pc"), "estimate"]
    assert yishui == pytest.approx(
        rows[("att_earned_pc", None)]["estimate"] + rows[("att_earned_pc_difference", "Yishui")]["estimate"]
    )
    assert list(dict.fromkeys(r.get("benchmark") for r in result.headline if r.get("benchmark"))) == list(BENCHMARKS)


def test_the_pooled_models_need_only_the_columns_they_declare(pooled):
    full, _ = pooled
    study, options = demo_study(), settings("pooled")
    wanted = pooled_columns(study, options)
    tables = {
        county: {
            instrument: table[[c for c in wanted[instrument] if c in table.columns]]
            for instrument, table in demo_tables(county).items()
            if table is not None and instrument in wanted
        }
        for county in ("H", *BENCHMARKS)
    }
    # The income, capability and relapse models read a little over half of the household table,
    # and none of its identifiers, interview details or answers of the other families.
    assert len(wanted["households"]) <= 0.6 * len(demo_tables("H")["households"].columns)
    assert not {"household_id", "interview_date", "interviewer", "satisfaction"} & set(wanted["households"])
    result = pooled_result(study, tables, options, codebook())
    assert result.headline == full.headline
    for name, table in full.tables.items():
        pd.testing.assert_frame_equal(result.tables[name], table)


def test_weights_are_rescaled_to_each_countys_sample_size():
    frame = pd.DataFrame({COUNTY: ["H", "H", "Lankao", "Lankao", "Lankao"], "weight": [100.0, 300.0, 1.0, 1.0, 1.0]})
    rescaled = rescaled_weights(frame)
    assert rescaled.groupby(COUNTY)["weight"].sum().to_dict() == {"H": 2.0, "Lankao": 3.0}
    assert rescaled["weight"].tolist()[:2] == [0.5, 1.5]


def test_the_pooled_income_model_equals_separate_county_regressions():
    households = {c: demo_tables(c)["households"] for c in ("H", "Boxing")}
    income = settings_of("income")
    fits, frame = income_model(households, income, focal="H")
    for county, terms in (("H", ["treated"]), ("Boxing", ["treated", "treated_x_Boxing"])):
        sample = comparison_sample(income_frame(households[county], income), "active", "non_participants")
        sample = sample.dropna(subset=["earned_pc", *income.income.covariates])
        separate = effect(sample, "earned_pc", "ols", income, list(income.income.covariates))
        pooled = combination(fits["earned_pc"], terms, county)
        assert pooled.estimate == pytest.approx(separate.estimate, rel=1e-8)
        assert int(frame.loc[frame["_used"] & (frame[COUNTY] == county)].shape[0]) == separate.n


def test_capability_gaps_and_the_principal_component_are_contrasted_on_pooled_scales(pooled):
    result, rows = pooled
    for county in BENCHMARKS:
        gap = rows[("capability_gap_difference", county)]
        assert gap["term"] == f"registered_x_{county}" and "pooled reference group" in gap["definition"]
        assert "loadings computed on all counties' households" in rows[("pc1_difference", county)]["definition"]
    assert {"capability_gap", "pc1"} <= set(result.tables["pooled_coefficients"]["outcome"])

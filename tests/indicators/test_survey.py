"""The designs the families estimate on (pa_study.indicators.survey): the household sample's two
stages, design effects on every estimate, domain degrees of freedom and Korn-Graubard without events."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pa_study.indicators.output import headline_row
from pa_study.indicators.survey import (
    baseline_household_size,
    counting_design,
    design_effects_kind,
    domain_proportion_intervals,
    household_design,
    mean_estimate,
    per_member_sum,
    proportion_estimate,
    proportion_interval,
    ratio_by,
    respondent_design,
)
from pa_study.stats import kish_deff
from tests.helpers.indicator_data import households
from tests.helpers.survey_reference import SE_RTOL, dataset, reference


def _api_households() -> pd.DataFrame:
    """R's stratified two-stage API sample (make_survey_reference.R) under the cleaned table's names:
    school types as townships, districts as villages, the api99 < 650 group as the register list."""
    data = dataset("apitwostage")
    return data.assign(
        stratum=data["stype"],
        psu=data["stype"] + "/" + data["dnum"].astype(str),
        fpc_villages=data["fpc1"],
        design_group=np.where(data["grp"] == "low", "registered", "other"),
        fpc_households=data["fpc2"],
        weight=data["pw"],
    )


def test_household_design_is_r_svydesign_of_both_stages() -> None:
    design = household_design(_api_households(), lonely_psu="error")
    estimate = mean_estimate(design, "api00", level=0.95)
    ref = reference("twostage/deff/mean/api00")
    assert design.n_stages == 2
    assert (estimate.estimate, estimate.se) == pytest.approx((ref["estimate"][0], ref["se"][0]), rel=SE_RTOL)
    assert estimate.deff == pytest.approx(ref["deff"][0], rel=SE_RTOL)
    row = headline_row("api", "API", estimate, "mean API")
    assert row["deff"] == estimate.deff and row["n_effective"] == pytest.approx(row["n"] / row["deff"])


def test_township_breakdowns_use_the_township_degrees_of_freedom() -> None:
    design = household_design(_api_households(), lonely_psu="error")
    table = ratio_by(
        design.assign(high=(design.data["api00"] > 700).astype(float)), "high", None, "stratum", level=0.95
    )
    assert (table["df"] == 9).all()  # 10 districts in each school type
    ref = reference("twostage/domaindf/by_stype/mean/api00")
    means = ratio_by(design, "api00", None, "stratum", level=0.95).set_index("stratum").loc[ref["name"]]
    np.testing.assert_allclose(means["ci_low"], ref["ci_low"], rtol=1e-9)
    assert (table["n_effective"] == table["n_denominator"] / table["deff"]).all()
    weights = design.weights[design.data["stratum"] == "E"]
    assert table.set_index("stratum").at["E", "kish_deff"] == pytest.approx(kish_deff(weights))
    with_kg = domain_proportion_intervals(table, method="korn_graubard", design=design, level=0.95)
    assert (with_kg["ci_low"] >= 0).all() and (with_kg["ci_high"] <= 1).all()


def test_no_event_interval_rests_on_n_over_the_weights_kish_deff() -> None:
    design = household_design(_api_households(), lonely_psu="error")
    never = mean_estimate(design.assign(never=0.0), "never", level=0.95)
    assert never.estimate == 0.0 and never.extra["kish_deff"] == pytest.approx(kish_deff(design.weights))
    kg = proportion_interval(never, method="korn_graubard", design=design)
    assert kg.ci_high == pytest.approx(1 - 0.025 ** (never.extra["kish_deff"] / never.n), rel=1e-9)
    assert kg.ci_high > 1 - 0.025 ** (1 / never.n)


def test_equal_weights_compare_with_sampling_with_replacement_and_a_census_with_nothing() -> None:
    cadres = respondent_design(pd.DataFrame({"y": np.arange(20.0)}))
    assert design_effects_kind(cadres) == "replace"
    assert mean_estimate(cadres, "y", level=0.95).deff == pytest.approx(1.0)
    ledger = respondent_design(pd.DataFrame({"y": np.arange(20.0)}), census=True)
    assert design_effects_kind(ledger) is False and mean_estimate(ledger, "y", level=0.95).deff is None
    assert headline_row("y", "y", mean_estimate(ledger, "y", level=0.95), "y")["deff"] is None


def test_a_design_reusing_another_ones_stages_estimates_as_a_fresh_one() -> None:
    from pa_study.errors import InputError

    table = _api_households()
    design = household_design(table, lonely_psu="error")
    derived = table.assign(
        high=(table["api00"] > 700).astype(float), weight=table["weight"] * table["mobility"].clip(1)
    )
    reused = household_design(derived, lonely_psu="error", like=design)
    fresh = household_design(derived, lonely_psu="error")
    assert reused._stages is design._stages and fresh._stages is not design._stages
    for name in ("high", "api00"):
        assert mean_estimate(reused, name, level=0.95) == mean_estimate(fresh, name, level=0.95)
    pd.testing.assert_frame_equal(
        ratio_by(reused, "high", None, "stratum", level=0.95), ratio_by(fresh, "high", None, "stratum", level=0.95)
    )
    with pytest.raises(InputError, match="design column 'psu' differs"):
        household_design(table.assign(psu=table["psu"].iloc[::-1].to_numpy()), lonely_psu="error", like=design)
    with pytest.raises(InputError, match="not the same sample"):
        household_design(table.iloc[1:], lonely_psu="error", like=design)


def test_the_household_design_needs_both_stages_columns() -> None:
    from pa_study.errors import InputError

    with pytest.raises(InputError, match=r"lacks the design column\(s\) \['design_group', 'fpc_households'\]"):
        household_design(_api_households().drop(columns=["design_group", "fpc_households"]), lonely_psu="adjust")


def test_a_proportion_is_over_the_observed_rows_of_its_domain_with_their_count() -> None:
    table = households([{"hh_size": 2}] * 6 + [{"hh_size": 4}] * 6)
    design = household_design(table.assign(flag=[1.0, 0.0, np.nan] * 4), lonely_psu="adjust")
    wald = proportion_estimate(design, "flag", None, level=0.95, method="wald")
    assert wald.estimate == pytest.approx(0.5) and wald.n == 8
    graubard = proportion_estimate(design, "flag", None, level=0.95, method="korn_graubard")
    assert graubard.estimate == wald.estimate and graubard.ci_low != wald.ci_low
    assert proportion_estimate(design.assign(flag=np.nan), "flag", None, level=0.95, method="wald") is None


def test_a_design_counting_persons_weighs_each_household_by_its_members() -> None:
    table = households([{"hh_size": 1}, {"hh_size": 3}]).assign(poor=[1.0, 0.0])
    persons = counting_design(table, unit="persons", lonely_psu="adjust")
    assert persons.mean("poor").estimate == pytest.approx(0.25)
    assert counting_design(table, unit="households", lonely_psu="adjust").mean("poor").estimate == pytest.approx(0.5)


def test_baseline_size_falls_back_on_the_survey_year_where_not_recalled() -> None:
    table = households([{"hh_size": 2, "hh_size_base": None}, {"hh_size": 5, "hh_size_base": 4}])
    size, fallback = baseline_household_size(table)
    assert size.tolist() == [2.0, 4.0] and fallback == 1


def test_a_years_income_is_shared_by_that_years_household() -> None:
    table = households([{"hh_size": 5, "hh_size_base": 4}, {"hh_size": 2, "hh_size_base": None}])
    parts = ["inc_wage", "inc_business"]
    assert per_member_sum(table, parts).tolist() == [(20000 + 8000) / 5, (20000 + 8000) / 2]
    assert per_member_sum(table, parts, suffix="_base").tolist() == [(15000 + 6000) / 4, (15000 + 6000) / 2]

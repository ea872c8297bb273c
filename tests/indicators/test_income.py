"""Income family: participation, outcomes, effects and income structure on hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pa_study.errors import InputError
from pa_study.indicators import income
from pa_study.indicators.income import (
    comparison_sample,
    income_frame,
    income_indicators,
    participation,
    price_factor,
    winsorised,
)
from tests.helpers.demo_data import headline
from tests.helpers.indicator_data import households, settings

EFFECT = 500.0  # yuan per person, planted on active participants
#: Rural prices rose by this factor from the baseline year to the survey year (config's rural_cpi).
PRICES = 1.019 * 1.013 * 1.021 * 1.032 * 1.030


def simulated(n: int = 480, seed: int = 7) -> tuple[pd.DataFrame, float]:
    """Households whose per-capita earned income grows by 25% in real terms (the same proportion for
    everyone) and rises by EFFECT with active participation, which is more likely for registered
    households with more labour (selection on observables). Returns the table and the participants'
    mean effect on log earned income."""
    rng = np.random.default_rng(seed)
    registered = rng.random(n) < 0.4
    labour = rng.integers(1, 4, n)
    size = labour + rng.integers(0, 3, n)
    base = np.exp(8.6 - 0.5 * registered + 0.1 * labour + rng.normal(0, 0.4, n))
    p_join = 1 / (1 + np.exp(-(-1.5 + 1.5 * registered + 0.4 * (labour - 2))))
    joined = rng.random(n) < p_join
    dividend = joined & (rng.random(n) < 0.25)
    active = joined & ~dividend
    without = base * PRICES * 1.25 * np.exp(rng.normal(0, 0.1, n))
    earned = without + EFFECT * active
    rows = []
    for i in range(n):
        rows.append(
            {
                "registered": bool(registered[i]),
                "labour_count": int(labour[i]),
                "hh_size": int(size[i]),
                "labour_count_base": int(labour[i]),
                "hh_size_base": int(size[i]),
                "inc_wage": 0.6 * earned[i] * size[i],
                "inc_business": 0.4 * earned[i] * size[i],
                "inc_wage_base": 0.6 * base[i] * size[i],
                "inc_business_base": 0.4 * base[i] * size[i],
                "inc_property": 1200.0 if dividend[i] else 0.0,
                "inc_transfer": 800.0 if registered[i] else 200.0,
                "project_participant": bool(joined[i]),
                "project_type": ("dividend_only" if dividend[i] else ("workshop" if i % 2 else "planting"))
                if joined[i]
                else None,
                "head_age": int(rng.integers(30, 70)),
                "head_schooling": int(rng.integers(3, 13)),
                "poverty_cause": ("illness" if i % 3 else "lack_skills") if registered[i] else None,
            }
        )
    for row in rows:
        row["inc_total"] = row["inc_wage"] + row["inc_business"] + row["inc_property"] + row["inc_transfer"]
        row["inc_total_base"] = row["inc_wage_base"] + row["inc_business_base"] + 500.0 + 500.0
    log_effect = float(np.mean(np.log(earned[active]) - np.log(without[active])))
    return households(rows, townships=4, villages=6), log_effect


def test_participation_separates_active_from_dividend_only() -> None:
    table = households(
        [
            {"project_participant": True, "project_type": "workshop"},
            {"project_participant": True, "project_type": "dividend_only"},
            {"project_participant": False},
            {"project_participant": True, "project_type": None},
            {"project_participant": None},
        ]
    )
    flags = participation(table)
    assert flags["active"].tolist()[:3] == [1.0, 0.0, 0.0]
    assert flags["dividend_only"].tolist()[:3] == [0.0, 1.0, 0.0]
    assert flags["non_participant"].tolist()[:3] == [0.0, 0.0, 1.0]
    assert flags.iloc[3:].isna().all().all()  # a participant of unknown type and an unknown answer


def test_comparison_group_excludes_dividend_only_households_unless_configured() -> None:
    frame = income_frame(
        households(
            [
                {"project_participant": True, "project_type": "workshop"},
                {"project_participant": True, "project_type": "dividend_only"},
                {"project_participant": False},
            ]
        ),
        settings("income"),
    )
    assert comparison_sample(frame, "active", "non_participants")["treated"].tolist() == [1.0, 0.0]
    assert comparison_sample(frame, "active", "not_active")["treated"].tolist() == [1.0, 0.0, 0.0]


def test_outcomes_are_per_capita_earned_income_its_floored_log_and_real_changes() -> None:
    options = settings("income")
    frame = income_frame(
        households([{"hh_size": 2, "hh_size_base": 3}, {"inc_wage": 0.0, "inc_business": -500.0}]), options
    )
    assert frame["earned_pc"].tolist() == [14000.0, -125.0]
    assert frame["log_earned_pc"].iloc[1] == pytest.approx(np.log(options.income.log_floor))
    # The baseline is per member of the baseline household, in baseline prices, then in survey-year prices.
    assert frame["earned_pc_base"].iloc[0] == pytest.approx(7000.0)
    assert frame["earned_pc_base_real"].iloc[0] == pytest.approx(7000.0 * PRICES)
    assert frame["change_earned_pc_real"].iloc[0] == pytest.approx(14000.0 - 7000.0 * PRICES)
    assert frame["change_log_earned_pc"].iloc[0] == pytest.approx(np.log(14000.0) - np.log(7000.0 * PRICES))


def test_price_factor_chains_the_yearly_indices_and_names_a_missing_year() -> None:
    indices = settings("income").income.rural_cpi
    assert price_factor(indices, 2015, 2020) == pytest.approx(PRICES)
    assert price_factor(indices, 2020, 2020) == 1.0
    with pytest.raises(InputError, match=r"no index for \[2023\]"):
        price_factor(indices, 2021, 2023)


def test_winsorising_clips_at_sample_quantiles() -> None:
    values = np.arange(101, dtype=float)
    np.testing.assert_array_equal(winsorised(values, None, None), values)
    clipped = winsorised(values, 0.05, 0.95)
    assert clipped.min() == 5 and clipped.max() == 95


@pytest.fixture(scope="module")
def simulated_result():
    table, log_effect = simulated()
    options = settings("income", min_sample={"households": 50, "group": 10})
    return income_indicators({"households": table, "projects": None}, options), log_effect


def test_the_att_and_the_log_did_recover_the_planted_effects(simulated_result) -> None:
    result, log_effect = simulated_result
    main = headline(result, "att_earned_pc")
    assert main["ci_low"] < EFFECT < main["ci_high"] and main["se"] < 150
    assert main["design"].startswith("selection on observables") and main["causal"] is False
    assert main["mde"] == pytest.approx(2.8 * main["se"], rel=0.05)
    did = headline(result, "att_log_earned_pc_did")
    assert did["ci_low"] < log_effect < did["ci_high"]
    assert did["design"].startswith("parallel trends in logs")
    registered = headline(result, "att_earned_pc_registered")
    assert registered["ci_low"] < EFFECT < registered["ci_high"]


def test_every_specification_uses_the_same_households(simulated_result) -> None:
    result, _ = simulated_result
    effects = result.tables["effects"]
    active = effects[effects["treatment"] == "active"]
    assert set(active["specification"]) == {"aipw", "ra", "ipw", "psm", "ols", "diff", "aipw_survey_year", "did"}
    assert active["n"].nunique() == 1 and active["n_treated"].nunique() == 1
    assert set(active.loc[active["specification"] != "diff", "fixed_effects"]) == {"village"}
    assert active.set_index(["specification", "outcome"]).loc[("diff", "earned_pc"), "covariates"] == "none"
    assert "not the ATT" in active.set_index("specification").loc["ols", "estimand"].iloc[0]
    dividend = effects[effects["treatment"] == "dividend_only"]
    assert (dividend["estimand"] == "descriptive comparison").all()
    assert {"covariate", "smd", "smd_adj", "specification"} <= set(result.tables["balance"].columns)
    assert set(result.tables["overlap"]["specification"]) == {"aipw", "aipw_survey_year", "did", "ipw", "psm"}
    assert set(result.tables["effects_by_type"]["project_type"]) == {"planting", "workshop"}
    assert result.sample["effect_sample"]["used"] == active["n"].iloc[0]


def test_effects_by_group_cover_registration_labour_and_causes(simulated_result) -> None:
    result, _ = simulated_result
    groups = result.tables["effects_by_group"]
    assert set(groups["by"]) == {"registration", "labour_capacity", "poverty_cause"}
    assert {"registered", "unregistered"} <= set(groups["group"])
    causes = groups[groups["by"] == "poverty_cause"]
    assert set(causes["group"]) <= {"illness", "lack_skills", "other_causes"}
    assert (groups["ci_low"] < EFFECT).all() and (EFFECT < groups["ci_high"]).all()


def test_transfer_share_of_registered_households_is_a_ratio_of_totals() -> None:
    options = settings("income", min_sample={"households": 50})
    table, _ = simulated()
    result = income_indicators({"households": table, "projects": None}, options)
    registered = table["registered"].to_numpy(dtype=bool)
    expected = table.loc[registered, "inc_transfer"].sum() / table.loc[registered, "inc_total"].sum()
    share = next(r for r in result.headline if r["name"] == "transfer_share_registered")
    assert share["estimate"] == pytest.approx(expected)
    base = table.loc[registered, "inc_transfer_base"].sum() / table.loc[registered, "inc_total_base"].sum()
    change = next(r for r in result.headline if r["name"] == "transfer_share_change_registered")
    assert change["estimate"] == pytest.approx(expected - base)


def test_a_sensitivity_multiple_implying_an_impossible_confounder_leaves_the_other_bounds(
    simulated_result, monkeypatch
) -> None:
    monkeypatch.setattr(income, "SENSITIVITY_MULTIPLES", (1.0, 1e9, 3.0))
    table, _ = simulated()
    options = settings("income", min_sample={"households": 50, "group": 10})
    result = income_indicators({"households": table, "projects": None}, options)
    bounds = result.tables["sensitivity_bounds"]
    expected = simulated_result[0].tables["sensitivity_bounds"]
    pd.testing.assert_frame_equal(bounds, expected[expected["kd"] != 2.0].reset_index(drop=True))
    for benchmark in ("registered", "earned_pc_base"):
        assert any(
            note.startswith(f"sensitivity bound at 1e+09 × {benchmark} not computed: kd=1e+09") for note in result.notes
        )


def test_the_sensitivity_analysis_is_that_of_the_ols_row_benchmarked_on_registration_and_baseline_income(
    simulated_result,
) -> None:
    result, _ = simulated_result
    table = result.tables["sensitivity"].iloc[0]
    effects = result.tables["effects"]
    ols = effects[(effects["specification"] == "ols") & (effects["outcome"] == "earned_pc")].iloc[0]
    assert table["estimate"] == pytest.approx(ols["estimate"], rel=1e-8)
    assert 0 < table["robustness_value_alpha"] < table["robustness_value"] < 1
    bounds = result.tables["sensitivity_bounds"]
    assert set(bounds["benchmark"]) == {"registered", "earned_pc_base"} and set(bounds["kd"]) == {1.0, 2.0, 3.0}
    assert table["benchmarks"] == "registered, earned_pc_base"

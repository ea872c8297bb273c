"""Identification family: constructs and rates on small hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pa_study.indicators.identification import (
    eligibility,
    identification_frame,
    identification_indicators,
    item_failures,
    per_capita_income,
)
from tests.helpers.indicator_data import households, settings

POOR = {"inc_total": 8000.0, "inc_wage": 4000.0, "inc_business": 2000.0}  # 2,000 yuan per person


def register(n_exited_eligible=2, n_exited_ok=8, n_current_eligible=4, n_current_ok=2, n_missed=3, n_ok=21):
    """Households with known counts in every cell of register x exit x eligibility."""
    rows = (
        [{"registered": True, "exited": True, **POOR}] * n_exited_eligible
        + [{"registered": True, "exited": True}] * n_exited_ok
        + [{"registered": True, **POOR}] * n_current_eligible
        + [{"registered": True}] * n_current_ok
        + [POOR] * n_missed
        + [{}] * n_ok
    )
    return households([dict(r) for r in rows])


def test_item_failures_follow_the_configured_items_and_safe_grades() -> None:
    table = households(
        [
            {"food_secure": False},
            {"housing_grade": "c"},
            {"housing_grade": None},
            {"child_out_of_school": True},
            {"safe_water": None},
        ]
    )
    fails = item_failures(table, ["food", "housing", "education", "water"], ["a", "b"])
    assert list(fails.columns) == ["food", "housing", "education", "water"]
    assert fails["food"].tolist() == [True, False, False, False, False]
    assert fails["housing"].tolist()[:2] == [False, True] and pd.isna(fails["housing"].iloc[2])
    assert fails["education"].iloc[3] and pd.isna(fails["water"].iloc[4])
    assert not item_failures(table, ["housing"], ["a", "b", "c"])["housing"].iloc[1]


def test_eligibility_uses_three_valued_logic_and_the_missing_item_rule() -> None:
    fails = pd.DataFrame({"food": pd.array([False, True, False, None, None], dtype="boolean")})
    income = np.array([2000.0, np.nan, np.nan, 5000.0, 2000.0])
    either = eligibility(income, fails, 4000, rule="income_or_items", missing_item="unknown")
    assert either.tolist()[:2] == [True, True]
    assert pd.isna(either.iloc[2]) and pd.isna(either.iloc[3]) and either.iloc[4]
    lenient = eligibility(income, fails, 4000, rule="income_or_items", missing_item="not_failed")
    assert lenient.iloc[3] == False  # noqa: E712 - an unanswered item counts as passed
    assert eligibility(income, fails, 4000, rule="items", missing_item="not_failed").tolist() == [
        False,
        True,
        False,
        False,
        False,
    ]
    assert pd.isna(eligibility(income, fails, 4000, rule="income", missing_item="not_failed").iloc[1])


def test_per_capita_income_falls_back_to_the_sum_of_components() -> None:
    table = households([{"inc_total": None}, {"inc_total": None, "inc_wage": None}, {"hh_size": 2}])
    income = per_capita_income(table)
    assert income[0] == pytest.approx(30000 / 4)
    assert np.isnan(income[1])
    assert income[2] == pytest.approx(15000)
    assert np.isnan(per_capita_income(table, from_components=False)[0])


def test_rates_have_their_own_denominators_and_thresholds() -> None:
    options = settings("identification", proportion_interval="wald", min_sample={"households": 10})
    result = identification_indicators({"households": register()}, options)
    rates = result.tables["rates"].set_index("rate")["estimate"]
    assert rates["wrongful_exit_rate"] == pytest.approx(2 / 10)  # wrongly exited / exited
    assert rates["inclusion_error_current"] == pytest.approx(2 / 6)  # not eligible / still registered
    assert rates["inclusion_error_ever"] == pytest.approx(10 / 16)  # correct exits count as errors here
    assert rates["missed_rate"] == pytest.approx(3 / 24)  # eligible unregistered / unregistered
    assert rates["exclusion_error"] == pytest.approx(3 / 9)  # eligible unregistered / eligible
    assert rates["eligible_share"] == pytest.approx(9 / 40)
    wrongful = next(r for r in result.headline if r["name"] == "wrongful_exit_rate")
    assert wrongful["threshold"] == 0.02 and wrongful["passes"] is False
    inclusion = next(r for r in result.headline if r["name"] == "inclusion_error")
    assert inclusion["n"] == 6 and inclusion["reliable"] is False and "fewer than the minimum" in inclusion["note"]


def test_korn_graubard_interval_does_not_collapse_without_events() -> None:
    options = settings("identification", min_sample={"households": 10})
    result = identification_indicators({"households": register(n_exited_eligible=0, n_exited_ok=30)}, options)
    wrongful = next(r for r in result.headline if r["name"] == "wrongful_exit_rate")
    assert wrongful["estimate"] == 0 and wrongful["ci_low"] == 0
    assert wrongful["ci_high"] == pytest.approx(1 - 0.025 ** (1 / 30))
    assert wrongful["passes"] is True and wrongful["passes_ci"] == "inconclusive"  # 30 exits cannot show < 2%


def test_sensitivity_curve_spans_the_configured_range_of_the_line() -> None:
    options = settings("identification", min_sample={"households": 10})
    curve = identification_indicators({"households": register()}, options).tables["sensitivity"]
    assert curve["line_factor"].min() == pytest.approx(0.7) and curve["line_factor"].max() == pytest.approx(1.3)
    assert curve["line_factor"].nunique() == 13
    shares = curve[curve["rate"] == "eligible_share"].sort_values("line")["estimate"]
    assert shares.is_monotonic_increasing


def test_township_breakdown_leaves_out_townships_without_a_denominator() -> None:
    table = register()
    table.loc[table["exited"].fillna(False).to_numpy(dtype=bool), ["township", "stratum"]] = "镇0"
    table["psu"] = table["township"] + "/" + table["village"]
    options = settings("identification", min_sample={"households": 10})
    by_township = identification_indicators({"households": table}, options).tables["by_township"]
    wrongful = by_township[by_township["rate"] == "wrongful_exit_rate"]
    assert wrongful["township"].tolist() == ["镇0"]
    assert set(by_township.loc[by_township["rate"] == "missed_rate", "township"]) == {"镇0", "镇1"}


def test_unknown_eligibility_is_left_out_and_counted() -> None:
    table = households(
        [{"inc_total": None, "inc_wage": None}, {}, {"food_secure": False, "inc_total": None, "inc_wage": None}]
    )
    frame, counts = identification_frame(table, settings("identification"))
    assert counts == {"households_read": 3, "eligibility_unknown": 1, "exit_status_unknown": 0, "households_used": 2}
    assert frame["eligible"].tolist() == [0.0, 1.0]


def test_fgt_counts_persons_and_alkire_foster_reports_m0() -> None:
    rows = [{"registered": True, "hh_size": 5, **POOR}, {"registered": True, "hh_size": 1}, {}, {}] * 10
    options = settings("identification", min_sample={"households": 10})
    result = identification_indicators({"households": households(rows)}, options)
    fgt = result.tables["fgt"].set_index(["group", "measure"])["estimate"]
    assert fgt["registered", "P0"] == pytest.approx(5 / 6)  # persons: 5 of the 6 people are poor
    assert fgt["unregistered", "P0"] == 0
    assert fgt["registered", "P1"] == pytest.approx(5 / 6 * (4000 - 8000 / 5) / 4000)
    m0 = next(r for r in result.headline if r["name"] == "af_m0")
    assert m0["estimate"] == pytest.approx(50 / 140 * 4 / 12)  # poor persons x their income weight


def test_too_small_sample_is_reported_not_estimated() -> None:
    result = identification_indicators({"households": register(n_ok=1)}, settings("identification"))
    assert result.status == "too_small" and result.headline == []
    assert "fewer than the minimum" in result.notes[0]

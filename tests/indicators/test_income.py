"""Income family: participation, outcomes, effects, income structure and the ledger on hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pa_study.indicators.income import (
    comparison_sample,
    income_frame,
    income_indicators,
    ledger_tables,
    participation,
    winsorised,
)
from tests.helpers.indicator_data import households, settings

EFFECT = 500.0  # yuan per person, planted on active participants


def simulated(n: int = 480, seed: int = 7) -> pd.DataFrame:
    """Households whose per-capita earned income rises by EFFECT with active participation, which is
    more likely for registered households with more labour (selection on observables)."""
    rng = np.random.default_rng(seed)
    registered = rng.random(n) < 0.4
    labour = rng.integers(1, 4, n)
    size = labour + rng.integers(0, 3, n)
    base = np.exp(8.6 - 0.5 * registered + 0.1 * labour + rng.normal(0, 0.4, n))
    p_join = 1 / (1 + np.exp(-(-1.5 + 1.5 * registered + 0.4 * (labour - 2))))
    joined = rng.random(n) < p_join
    dividend = joined & (rng.random(n) < 0.25)
    active = joined & ~dividend
    earned = base + 1500 + rng.normal(0, 400, n) + EFFECT * active
    rows = []
    for i in range(n):
        rows.append(
            {
                "registered": bool(registered[i]),
                "labour_count": int(labour[i]),
                "hh_size": int(size[i]),
                "inc_wage": round(0.6 * earned[i] * size[i]),
                "inc_business": round(0.4 * earned[i] * size[i]),
                "inc_wage_base": round(0.6 * base[i] * size[i]),
                "inc_business_base": round(0.4 * base[i] * size[i]),
                "inc_property": 1200.0 if dividend[i] else 0.0,
                "inc_transfer": 800.0 if registered[i] else 200.0,
                "project_participant": bool(joined[i]),
                "project_type": ("dividend_only" if dividend[i] else ("workshop" if i % 2 else "planting"))
                if joined[i]
                else None,
                "head_age": int(rng.integers(30, 70)),
                "head_schooling": int(rng.integers(3, 13)),
            }
        )
    for row in rows:
        row["inc_total"] = row["inc_wage"] + row["inc_business"] + row["inc_property"] + row["inc_transfer"]
        row["inc_total_base"] = row["inc_wage_base"] + row["inc_business_base"] + 500.0 + 500.0
    return households(rows, townships=4, villages=6)


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
        settings("income").income,
    )
    assert comparison_sample(frame, "active", "non_participants")["treated"].tolist() == [1.0, 0.0]
    assert comparison_sample(frame, "active", "not_active")["treated"].tolist() == [1.0, 0.0, 0.0]


def test_outcomes_are_per_capita_earned_income_and_its_floored_log() -> None:
    options = settings("income").income
    frame = income_frame(households([{"hh_size": 2}, {"inc_wage": 0.0, "inc_business": -500.0}]), options)
    assert frame["earned_pc"].tolist() == [14000.0, -125.0]
    assert frame["log_earned_pc"].iloc[1] == pytest.approx(np.log(options.log_floor))
    assert frame["earned_pc_base"].iloc[0] == pytest.approx(10500.0)


def test_winsorising_clips_at_sample_quantiles() -> None:
    values = np.arange(101, dtype=float)
    np.testing.assert_array_equal(winsorised(values, None, None), values)
    clipped = winsorised(values, 0.05, 0.95)
    assert clipped.min() == 5 and clipped.max() == 95


def test_regression_adjustment_recovers_the_planted_effect() -> None:
    options = settings("income", min_sample={"households": 50})
    result = income_indicators({"households": simulated(), "projects": None}, options)
    main = next(r for r in result.headline if r["name"] == "att_earned_pc")
    assert main["ci_low"] < EFFECT < main["ci_high"]
    assert main["se"] < 150
    did = next(r for r in result.headline if r["name"] == "att_earned_pc_did")
    assert did["ci_low"] < EFFECT < did["ci_high"]
    placebo = next(r for r in result.headline if r["name"] == "att_dividend_only_earned_pc")
    assert placebo["ci_low"] < 0 < placebo["ci_high"]
    effects = result.tables["effects"]
    assert set(effects["method"]) == {"diff", "ols", "ipw", "aipw", "psm", "did"}
    assert {"covariate", "smd", "smd_adj", "method"} <= set(result.tables["balance"].columns)
    assert set(result.tables["overlap"]["method"]) == {"ipw", "aipw", "psm"}
    assert set(result.tables["effects_by_type"]["project_type"]) == {"planting", "workshop"}


def test_transfer_share_of_registered_households_is_a_ratio_of_totals() -> None:
    options = settings("income", min_sample={"households": 50})
    table = simulated()
    result = income_indicators({"households": table, "projects": None}, options)
    registered = table["registered"].to_numpy(dtype=bool)
    expected = table.loc[registered, "inc_transfer"].sum() / table.loc[registered, "inc_total"].sum()
    share = next(r for r in result.headline if r["name"] == "transfer_share_registered")
    assert share["estimate"] == pytest.approx(expected)
    base = table.loc[registered, "inc_transfer_base"].sum() / table.loc[registered, "inc_total_base"].sum()
    change = next(r for r in result.headline if r["name"] == "transfer_share_change_registered")
    assert change["estimate"] == pytest.approx(expected - base)


def test_a_county_without_ledger_is_partial_and_says_why() -> None:
    options = settings("income", min_sample={"households": 50})
    result = income_indicators({"households": simulated(), "projects": None}, options)
    assert result.status == "partial"
    assert any("no project ledger" in note for note in result.notes)


def test_ledger_is_a_census_with_status_shares_and_revenue_per_yuan() -> None:
    ledger = pd.DataFrame(
        {
            "project_type": ["planting", "planting", "workshop", "workshop"],
            "status": ["operating", "failed", "operating", "suspended"],
            "annual_revenue": [100.0, 0.0, 300.0, 10.0],
            "fiscal_investment": [1000.0, 500.0, 1000.0, 500.0],
            "jobs_created": [2, 0, 10, 1],
            "linked_poor_households": [5, 5, 20, 2],
        }
    )
    status, figures = ledger_tables(ledger, settings("income"))
    overall = status[status["project_type"] == "all"].set_index("status")
    assert overall.loc["operating", "estimate"] == 0.5 and overall.loc["failed", "estimate"] == 0.25
    assert (status["se"] == 0).all()  # a census has no sampling error
    revenue = figures[(figures["measure"] == "revenue_per_yuan_invested")].set_index("project_type")["estimate"]
    assert revenue["all"] == pytest.approx(410 / 3000) and revenue["workshop"] == pytest.approx(310 / 1500)
    sampled = settings("income", income={"ledger_is_census": False})
    assert (ledger_tables(ledger, sampled)[0]["se"] > 0).any()

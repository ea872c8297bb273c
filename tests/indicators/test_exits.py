"""Exit cohorts: one definition of who exited when, and rates by cohort."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pa_study.indicators.exits import EXIT_COHORT, cohort_table, exit_cohorts
from pa_study.indicators.survey import household_design
from tests.helpers.indicator_data import households


def test_exit_cohorts_name_the_year_of_exited_households_only() -> None:
    table = households(
        [
            {"registered": True, "exited": True, "exit_year": 2016},
            {"registered": True, "exited": True, "exit_year": None},
            {"registered": True, "exited": True, "exit_year": 2021},
            {"registered": True, "exited": False, "exit_year": 2018},
            {"registered": False, "exited": True, "exit_year": 2017},
            {"registered": True, "exited": None},
        ]
    )
    cohorts = exit_cohorts(table, survey_year=2020)
    assert cohorts.tolist()[:3] == ["2016", "unknown", "unknown"]
    assert cohorts.iloc[3:].isna().all()


def test_cohort_table_gives_each_cohort_and_all_exited_with_their_own_denominators() -> None:
    rows = (
        [{"registered": True, "exited": True, "exit_year": 2016, "poor": 1.0}] * 3
        + [{"registered": True, "exited": True, "exit_year": 2016, "poor": 0.0}] * 7
        + [{"registered": True, "exited": True, "exit_year": 2019, "poor": 1.0}] * 5
        + [{"registered": True, "exited": True, "exit_year": 2019, "poor": 0.0}] * 5
        + [{"registered": False, "poor": 1.0}] * 20
    )
    table = households([{k: v for k, v in r.items() if k != "poor"} for r in rows])
    design = household_design(
        table.assign(
            **{EXIT_COHORT: exit_cohorts(table, survey_year=2020), "poor": np.array([r["poor"] for r in rows])}
        ),
        lonely_psu="adjust",
    )
    out = cohort_table(design, {"below_line": ("poor", None)}, level=0.95, proportion_interval="wald")
    assert out[EXIT_COHORT].tolist() == ["all", "2016", "2019"]
    assert out["estimate"].tolist() == pytest.approx([0.4, 0.3, 0.5])
    assert out["n_denominator"].tolist() == [20, 10, 10]
    # Each cohort's design effect travels with it, as on the headline rows.
    assert out["n_effective"].tolist() == pytest.approx((out["n_denominator"] / out["deff"]).tolist())
    assert (out["deff"] > 0).all()
    graubard = cohort_table(design, {"below_line": ("poor", None)}, level=0.95, proportion_interval="korn_graubard")
    pd.testing.assert_series_equal(graubard["estimate"], out["estimate"])
    assert (graubard["ci_low"] >= 0).all() and not np.allclose(graubard["ci_low"], out["ci_low"])

"""Recovery on the demo data: the generator's population truths lie inside the reported 95% intervals.

Every family runs in-process on the cleaned demo tables (``results/<county>/clean`` when up to
date, else cleaned here once). Two truths fall outside their intervals because of the households
the sample happened to draw, not because of the generator, the cleaning or the estimators: the
same estimate computed on the generator's own un-messed sample (``population.simulate_population``
+ ``design.draw_households``) gives the same value. They are expected failures with the reason.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.helpers.demo_data import COUNTIES, demo_result, headline, truth

#: (family, headline name, truth section, truth key)
CASES = [
    ("identification", "eligible_share", "identification", "eligible_rate"),
    ("identification", "inclusion_error", "identification", "inclusion_error_not_exited"),
    ("identification", "exclusion_error", "identification", "exclusion_error"),
    ("identification", "wrongful_exit_rate", "identification", "wrongful_exit_rate"),
    ("identification", "missed_rate", "identification", "missed_rate"),
    ("income", "att_earned_pc", "industry", "att_realised"),
    ("income", "att_earned_pc_did", "industry", "att_realised"),
    ("capability", "scale_gap_registered", "capability", "items_mean7_reverse_recoded_gap"),
    *[
        ("formalism", f"share_{a}", "burden", f"share_{a}")
        for a in ("paperwork", "meetings", "inspections", "fieldwork", "formalism")
    ],
]

SAMPLING_MISSES = {
    ("Boxing", "wrongful_exit_rate"): "no wrongly exited household among the 456 exited sampled (the sampled "
    "villages hold 5 of 934, 0.5%, against 1.0% county-wide)",
    ("Yishui", "scale_gap_registered"): "the sampled households' gap is -0.112 also in the un-messed generator "
    "sample, against -0.247 in the sampled villages' population",
}


def _params():
    for county in COUNTIES:
        for family, name, section, key in CASES:
            marks = []
            if (county, name) in SAMPLING_MISSES:
                marks = [pytest.mark.xfail(reason=SAMPLING_MISSES[county, name], strict=True)]
            yield pytest.param(county, family, name, section, key, id=f"{county}-{name}", marks=marks)


@pytest.mark.parametrize(("county", "family", "name", "section", "key"), list(_params()))
def test_planted_truth_inside_the_interval(county: str, family: str, name: str, section: str, key: str) -> None:
    row = headline(demo_result(family, county), name)
    value = truth(county)["population"][section][key]
    assert row["ci_low"] <= value <= row["ci_high"], (
        f"{county} {name}: truth {value} outside [{row['ci_low']:.4f}, {row['ci_high']:.4f}] "
        f"(estimate {row['estimate']:.4f}, n {row['n']})"
    )


@pytest.mark.parametrize("county", COUNTIES)
def test_registration_errors_against_baseline_income_are_recovered(county: str) -> None:
    table = demo_result("identification", county).tables["registration_check"].set_index("rate")
    planted = truth(county)["population"]["identification"]
    for rate in ("inclusion_error", "exclusion_error"):
        value = planted[f"{rate}_at_registration_income"]
        assert table.at[rate, "ci_low"] <= value <= table.at[rate, "ci_high"], (county, rate, value)


@pytest.mark.parametrize("county", COUNTIES)
def test_ledger_status_shares_equal_the_ledger(county: str) -> None:
    status = demo_result("income", county).tables["ledger_status"]
    overall = status[status["project_type"] == "all"].set_index("status")["estimate"]
    planted = pd.Series(truth(county)["population"]["projects"]["status_shares"])
    pd.testing.assert_series_equal(overall.sort_index(), planted.sort_index(), check_names=False, atol=1e-6)


@pytest.mark.parametrize("county", COUNTIES)
def test_every_family_runs_and_flags_what_it_cannot_estimate(county: str) -> None:
    for family in ("identification", "income", "capability", "formalism"):
        result = demo_result(family, county)
        assert result.status == "ok", (family, result.notes)
        for row in result.headline:
            assert row["estimate"] is not None or row["note"], (family, row["name"])
            if not row["reliable"]:
                assert "note" in row

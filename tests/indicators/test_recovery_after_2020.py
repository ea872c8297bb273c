"""Recovery on the demo data for the monitoring and projects families: the generator's population
truths lie inside the reported 95% intervals, and the ledger's census figures equal the ledger's.

Some monitoring truths fall outside their intervals because of the households the samples happened
to draw, not because of the generator, the cleaning or the estimators: the same estimate computed
on the generator's own un-messed sample with its true weights (``simulate_county``: population,
frame, ``draw_households``) misses too, by as much. They are expected failures, each with the
number the un-messed sample gives. (H's exited households in the vulnerable band, a miss on a
one-stage variance, are covered on the two-stage design.)
"""

from __future__ import annotations

from typing import Any

import pytest

from pa_study.demo.truth import MONITORING_HEADLINES
from tests.helpers.demo_data import COUNTIES, demo_result, headline, truth

#: (county, name) -> the un-messed generator sample's estimate, which misses the truth as well, and
#: the coverage of the 95% intervals over 100 samples drawn from the same population
#: (benchmarks/check_monitoring_coverage.py --reps 100: villages and households redrawn, true design
#: weights). No estimator is biased there (|mean - truth| < 1.7 Monte Carlo SEs for every headline
#: of every county), so these misses are the draw. The rarest shares (P0 at $2.15 in Yishui, 0.13%;
#: at $3.00 in Boxing, 0.22%) used to miss here too, with intervals covering about 80% of samples:
#: their linearised variance often comes out below the simple random sample's when few sampled
#: villages hold an event. With the Korn-Graubard effective sample size capped at the households
#: sampled (NCHS standards, Parker et al. 2017) they cover in 98-100% and contain their truths.
SAMPLING_MISSES = {
    ("H", "below_threshold_share"): (0.1668, 0.99),
    ("H", "national_relative_poverty_40_rate"): (0.1892, 0.98),
    ("H", "national_relative_poverty_50_rate"): (0.3536, 0.96),
    ("H", "p0_usd_3_65_ppp2017"): (0.1804, 0.98),
    ("H", "p0_usd_4_20_ppp2021"): (0.1902, 0.98),
    ("Lankao", "relative_poverty_40_rate"): (0.0068, 0.90),
}


def monitoring_truth(county: str, path: str) -> Any:
    value: Any = truth(county)["population"]["monitoring"]
    for key in path.split("/"):
        value = value[key]
    return value


def _params():
    for county in COUNTIES:
        for name, path in MONITORING_HEADLINES.items():
            marks = []
            if (county, name) in SAMPLING_MISSES:
                sample, coverage = SAMPLING_MISSES[county, name]
                reason = (
                    f"the un-messed generator sample gives {sample:g} too, against the population's "
                    f"{monitoring_truth(county, path):g}; over 100 samples the intervals cover it in {coverage:.0%}"
                )
                marks = [pytest.mark.xfail(reason=reason, strict=True)]
            yield pytest.param(county, name, path, id=f"{county}-{name}", marks=marks)


@pytest.mark.parametrize(("county", "name", "path"), list(_params()))
def test_monitoring_truth_inside_the_interval(county: str, name: str, path: str) -> None:
    row = headline(demo_result("monitoring", county), name)
    value = monitoring_truth(county, path)
    assert row["ci_low"] <= value <= row["ci_high"], (
        f"{county} {name}: truth {value} outside [{row['ci_low']:.4f}, {row['ci_high']:.4f}] "
        f"(estimate {row['estimate']:.4f}, n {row['n']})"
    )


@pytest.mark.parametrize("county", COUNTIES)
def test_the_lines_are_those_the_truth_was_computed_at(county: str) -> None:
    lines = demo_result("monitoring", county).tables["lines"].set_index("line_name")["line"]
    planted = truth(county)["population"]["monitoring"]
    assert lines["monitoring_threshold"] == planted["threshold"]
    assert lines["poverty_line"] == planted["poverty_line"]
    for name, values in planted["international_lines"].items():
        assert lines[name] == pytest.approx(values["line"], abs=0.01), name


@pytest.mark.parametrize("county", COUNTIES)
def test_the_ledgers_figures_are_the_ledgers(county: str) -> None:
    result = demo_result("projects", county)
    planted = truth(county)["population"]["projects"]
    for name, key in (
        ("investment_per_linked_household", "investment_per_linked_household"),
        ("investment_per_job", "investment_per_job"),
        ("dividends_per_yuan_invested", "dividends_per_yuan_invested"),
        ("dividends_per_linked_household", "dividends_per_linked_household"),
        ("stopped_investment_share", "investment_share_suspended_failed"),
        ("largest_projects_investment_share", "top10_investment_share"),
        ("ledger_linked_per_village", "ledger_linked_per_village"),
        ("projects_operating_share", None),
    ):
        value = planted["status_shares"]["operating"] if key is None else planted[key]
        row = headline(result, name)
        assert row["estimate"] == pytest.approx(value, rel=1e-5, abs=1e-6), name  # truths kept to 6 decimals
        assert row["se"] == 0, name
    status = result.tables["status"]
    overall = status[(status["project_type"] == "all") & (status["start_year"] == "all")].set_index("status")["share"]
    assert overall.to_dict() == pytest.approx(planted["status_shares"], abs=1e-6)
    survival = result.tables["survival"]
    overall = survival[survival["project_type"] == "all"].set_index("years_since_start")["share_surviving"]
    ages = {int(age): share for age, share in planted["operating_share_by_years_since_start"].items()}
    assert overall.to_dict() == pytest.approx(ages, abs=1e-6)


#: Paper linkage: headline name -> truth key in ``population.projects``.
LINKAGE = {
    "survey_participants_per_village": "registered_participants_per_village",
    "paper_linkage_gap_per_village": "paper_linkage_gap_per_village",
    "paper_only_linkage_share": "paper_only_linkage_share",
}
#: The un-messed generator sample of Lankao holds 16.87 registered participants per village, against
#: the population's 20.33, so the survey side and the two figures built on it miss together.
LINKAGE_MISSES = {"Lankao"}


def _linkage_params():
    for county in COUNTIES:
        for name, key in LINKAGE.items():
            marks = []
            if county in LINKAGE_MISSES:
                reason = "the un-messed generator sample gives 16.87 participants per village, the population 20.33"
                marks = [pytest.mark.xfail(reason=reason, strict=True)]
            yield pytest.param(county, name, key, id=f"{county}-{name}", marks=marks)


@pytest.mark.parametrize(("county", "name", "key"), list(_linkage_params()))
def test_paper_linkage_is_recovered(county: str, name: str, key: str) -> None:
    result = demo_result("projects", county)
    planted = truth(county)["population"]["projects"]
    assert result.sample["villages_in_frame"] == planted["n_villages"]
    row = headline(result, name)
    assert row["ci_low"] <= planted[key] <= row["ci_high"], (county, name, planted[key], row)


@pytest.mark.parametrize("county", COUNTIES)
def test_both_families_run_and_flag_what_they_cannot_estimate(county: str) -> None:
    for family in ("monitoring", "projects"):
        result = demo_result(family, county)
        assert result.status == "ok", (family, result.notes)
        for row in result.headline:
            assert row["estimate"] is not None or row["note"], (family, row["name"])

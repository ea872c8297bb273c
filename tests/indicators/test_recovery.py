"""Recovery on the demo data: the generator's population truths lie inside the reported 95% intervals.

Every family runs in-process on the cleaned demo tables (``results/<county>/clean`` when up to
date, else cleaned here once). Three truths fall outside their intervals because of the households
the sample happened to draw, not because of the generator, the cleaning or the estimators: the
same estimate computed on the generator's own un-messed sample (``generate.simulate_county``) gives
the same value. They are expected failures with the reason.

The identification truths follow the study's estimands: targeting of the current register on
income before transfers (households), and the exit evaluation in persons, each exit judged by its
exit year's standard (by the register's income at exit where the county supplies it, on the latest
exit cohort by survey-year income where it does not: Boxing).
"""

from __future__ import annotations

import pytest

from tests.helpers.demo_data import COUNTIES, demo_result, headline, truth

#: (family, headline name, truth section, truth key); a key may be a path into the section.
CASES = [
    ("identification", "eligible_share", "identification", "targeting/pre_transfer/eligible_share"),
    ("identification", "inclusion_error", "identification", "targeting/pre_transfer/inclusion_error"),
    ("identification", "exclusion_error", "identification", "targeting/pre_transfer/exclusion_error"),
    ("identification", "accuracy", "identification", "targeting/pre_transfer/accuracy"),
    ("identification", "kappa", "identification", "targeting/pre_transfer/kappa"),
    ("identification", "wrongful_exit_rate", "identification", "wrongful_exit_rate"),
    ("identification", "below_standard_exited", "identification", "below_standard_exited"),
    ("identification", "relapse_rate", "identification", "relapse_rate"),
    ("identification", "missed_rate", "identification", "missed_rate"),
    ("identification", "recognition_rate", "identification", "recognition_rate"),
    ("identification", "poverty_incidence", "identification", "poverty_incidence"),
    ("income", "att_earned_pc", "industry", "att_realised"),
    ("income", "att_log_earned_pc", "industry", "att_log_realised"),
    ("income", "att_earned_pc_registered", "industry", "att_realised_registered"),
    ("capability", "scale_gap_registered", "capability", "items_mean7_reverse_recoded_gap"),
    *[
        ("formalism", f"share_{a}", "burden", f"share_{a}")
        for a in ("paperwork", "meetings", "inspections", "fieldwork", "formalism")
    ],
]
#: Counties without the register's income at exit: their exits are judged on the latest cohort,
#: and relapse cannot be estimated.
LATEST_COHORT = {"Boxing"}

# (Boxing's below-standard share of the exited: no exited household below the standard among the 456
# sampled, 1.0% county-wide. Its Korn-Graubard interval rests on n / Kish deff of the exited
# households' weights and the two-stage design, and covers the truth.)
SAMPLING_MISSES = {
    ("Lankao", "poverty_incidence"): "no missed household among the 518 unregistered sampled (the generator's own "
    "sample: 0 of 520, whose composite incidence is 0.0026, as estimated), against 0.16% of the sampled villages' "
    "persons: the interval rests on the sample's components",
    ("Yishui", "scale_gap_registered"): "the sampled households' gap is -0.112 also in the un-messed generator "
    "sample, against -0.247 in the sampled villages' population",
    ("H", "att_earned_pc_registered"): "H's sample gives 520 [323, 717] with its weights raked to the register "
    "(508 [294, 721] uncalibrated), against the population's 299.9 among registered active participants; over 100 "
    "samples of the same population the raked intervals cover it in 95% (mean 326, +1.7 Monte Carlo SEs; "
    "benchmarks/check_monitoring_coverage.py --calibrate --income)",
}


def truth_value(county: str, section: str, key: str) -> float:
    """The truth at ``key`` (``a/b/c`` for nested keys), by the county's basis of the exit rates."""
    if county in LATEST_COHORT and key in ("wrongful_exit_rate", "poverty_incidence"):
        key += "_latest_cohort"
    value = truth(county)["population"][section]
    for part in key.split("/"):
        value = value[part]
    return value


def _params():
    for county in COUNTIES:
        for family, name, section, key in CASES:
            if (county, name) == ("Boxing", "relapse_rate"):
                continue  # not estimated without the register's income at exit (tested apart)
            marks = []
            if (county, name) in SAMPLING_MISSES:
                marks = [pytest.mark.xfail(reason=SAMPLING_MISSES[county, name], strict=True)]
            yield pytest.param(county, family, name, section, key, id=f"{county}-{name}", marks=marks)


@pytest.mark.parametrize(("county", "family", "name", "section", "key"), list(_params()))
def test_planted_truth_inside_the_interval(county: str, family: str, name: str, section: str, key: str) -> None:
    row = headline(demo_result(family, county), name)
    value = truth_value(county, section, key)
    assert row["ci_low"] <= value <= row["ci_high"], (
        f"{county} {name}: truth {value} outside [{row['ci_low']:.4f}, {row['ci_high']:.4f}] "
        f"(estimate {row['estimate']:.4f}, n {row['n']})"
    )


@pytest.mark.parametrize("county", COUNTIES)
def test_the_exit_basis_follows_what_the_county_supplied(county: str) -> None:
    result = demo_result("identification", county)
    wrongful, relapse = headline(result, "wrongful_exit_rate"), headline(result, "relapse_rate")
    if county in LATEST_COHORT:
        assert wrongful["basis"] == "latest_cohort" and sorted(wrongful["poverty_lines"]) == ["2019", "2020"]
        assert relapse["estimate"] is None and "income_at_exit_pc" in relapse["note"]
    else:
        assert wrongful["basis"] == "register" and relapse["estimate"] is not None
    verdict = headline(result, "exit_verdict")
    assert verdict["note"].startswith("indicative") and verdict["verdict"] in ("pass", "fail", "inconclusive")


def test_the_focal_county_misses_the_exit_standard_and_lankao_meets_it() -> None:
    assert headline(demo_result("identification", "H"), "exit_verdict")["verdict"] == "fail"
    assert headline(demo_result("identification", "Lankao"), "exit_verdict")["verdict"] == "pass"


def test_exit_cohort_intervals_cover_the_cohort_truths() -> None:
    """Over every county, cohort and exit rate, at least 85% of the 95% intervals cover their truth
    (their number is large enough that a few misses are expected), and none strays far."""
    checked, misses = 0, []
    for county in COUNTIES:
        cohorts = demo_result("identification", county).tables["exit_cohorts"]
        planted = truth(county)["population"]["identification"]["exit_cohorts"]
        for record in cohorts[cohorts["exit_cohort"].str.isdigit()].itertuples():
            if county in LATEST_COHORT and record.rate == "wrongful_exit_rate":
                continue  # the cohort truth judges by the register's income, which Boxing lacks
            value = planted[record.exit_cohort][record.rate]
            checked += 1
            if not record.ci_low <= value <= record.ci_high:
                misses.append((county, record.exit_cohort, record.rate, value, record.ci_low, record.ci_high))
    assert checked >= 50 and len(misses) <= 0.15 * checked, misses
    assert all(value <= high + 0.05 and value >= low - 0.05 for *_, value, low, high in misses), misses


@pytest.mark.parametrize("county", COUNTIES)
def test_registration_errors_are_recovered(county: str) -> None:
    table = demo_result("identification", county).tables["registration_check"].set_index(["basis", "rate"])
    planted = truth(county)["population"]["identification"]
    expected = {
        ("baseline_recall", "inclusion_error"): "inclusion_error_at_registration_income",
        ("baseline_recall", "exclusion_error"): "exclusion_error_at_registration_income",
    }
    if county not in LATEST_COHORT:  # the same counties supply the register's income at registration
        expected[("register", "inclusion_error")] = "inclusion_error_at_registration_record"
    for (basis, rate), key in expected.items():
        value = planted[key]
        assert table.at[(basis, rate), "ci_low"] <= value <= table.at[(basis, rate), "ci_high"], (county, basis, value)


@pytest.mark.parametrize("county", COUNTIES)
def test_every_family_runs_and_flags_what_it_cannot_estimate(county: str) -> None:
    for family in ("identification", "income", "capability", "formalism"):
        result = demo_result(family, county)
        assert result.status == "ok", (family, result.notes)
        for row in result.headline:
            assert row["estimate"] is not None or row["note"], (family, row["name"])
            if not row["reliable"]:
                assert "note" in row

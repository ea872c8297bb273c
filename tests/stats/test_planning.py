"""Planning the next survey: design effects, intra-cluster correlation, power of the verdicts as the
indicators run them (against R: anova, binom.test, pwr), and simulation of the planned design."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pa_study.stats import StatsInputError, minimum_detectable_effect
from pa_study.stats.planning import (
    ClusterDesign,
    design_effect,
    intraclass_correlation,
    mde_sample_factor,
    optimal_cluster_size,
    rate_of_homogeneity,
    simulated_verdict_power,
    verdict_power,
    verdict_sample_size,
)
from tests.helpers.survey_reference import FIXTURES, dataset


def test_design_effect_is_kish_formula() -> None:
    # deff = deff_w (1 + (m - 1) rho): 10 households a village, rho 0.05, by hand 1.45; with weights 1.2, 1.74.
    assert design_effect(10, 0.05) == pytest.approx(1.45)
    assert design_effect(10, 0.05, weighting_deff=1.2) == pytest.approx(1.74)
    assert design_effect(1, 0.3) == 1.0  # one household a village: no clustering
    assert design_effect(10, -0.02) == 1.0  # a negative estimate does not shrink the plan
    assert rate_of_homogeneity(1.74, 10, weighting_deff=1.2) == pytest.approx(0.05)
    with pytest.raises(StatsInputError):
        design_effect(0.5, 0.1)


def test_optimal_cluster_size_matches_textbook_examples() -> None:
    # Valliant, Dever & Kreuter (2013, sec. 9.3.1), PracTools::clusOpt2(C1 = 750, C2 = 100, delta = 0.05):
    # sqrt(7.5 x 0.95 / 0.05) = sqrt(142.5) = 11.94 elements per PSU.
    assert optimal_cluster_size(750 / 100, 0.05) == pytest.approx(11.937, abs=1e-3)
    # c1 = 2,000, c2 = 100, rho = 0.05: sqrt(20 x 19) = 19.49; with rho = 0.25, sqrt(20 x 3) = 7.75.
    assert optimal_cluster_size(20, 0.05) == pytest.approx(19.494, abs=1e-3)
    assert optimal_cluster_size(20, 0.25) == pytest.approx(7.746, abs=1e-3)
    assert optimal_cluster_size(20, 0.0) == math.inf
    with pytest.raises(StatsInputError):
        optimal_cluster_size(0, 0.1)


@pytest.mark.parametrize(
    ("case", "table", "variable"),
    [
        ("clus1/sch_wide_yes", "apiclus1", "sch_wide_yes"),
        ("clus2/sch_wide_yes", "apiclus2", "sch_wide_yes"),
        ("clus2/hi700", "apiclus2", "hi700"),
        ("clus2/api00", "apiclus2", "api00"),
    ],
)
def test_intraclass_correlation_matches_r_anova(case: str, table: str, variable: str) -> None:
    expected = pd.read_csv(FIXTURES / "planning_icc_reference.csv").set_index("case").loc[case, "rho"]
    data = dataset(table)
    assert intraclass_correlation(data[variable], data["dnum"]) == pytest.approx(expected, rel=1e-9)


def test_intraclass_correlation_recovers_a_beta_binomial_truth() -> None:
    rng = np.random.default_rng(3)
    rho, p, villages, per_village = 0.08, 0.1, 400, 12
    spread = (1 - rho) / rho
    rates = rng.beta(p * spread, (1 - p) * spread, size=villages)
    village = np.repeat(np.arange(villages), per_village)
    outcome = (rng.random(village.size) < rates[village]).astype(float)
    assert intraclass_correlation(outcome, village) == pytest.approx(rho, abs=0.02)


def test_intraclass_correlation_refuses_what_it_cannot_estimate() -> None:
    with pytest.raises(StatsInputError, match="two clusters"):
        intraclass_correlation([0.0, 1.0], ["a", "b"])
    assert math.isnan(intraclass_correlation([0.0, 0.0, 0.0, 0.0], ["a", "a", "b", "b"]))


def _reference_power() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "planning_power_reference.csv")


@pytest.mark.parametrize("row", _reference_power().to_dict("records"), ids=lambda r: f"{r['verdict']}-{r['n']}")
def test_power_with_known_deff_is_the_exact_clopper_pearson_power(row: dict) -> None:
    # One household per village, equal weights, the design effect known: the indicators' interval is
    # Clopper-Pearson on n (Korn-Graubard with n - 1 degrees of freedom), R's binom.test.
    design = ClusterDesign(int(row["n"]), 1, 0.0)
    power = verdict_power(
        row["true_rate"],
        row["threshold"],
        design,
        verdict=row["verdict"],
        operator=row["operator"],
        estimated_deff=False,
    )
    assert power == pytest.approx(row["power"], abs=1e-9)


def test_power_grows_with_the_sample_and_falls_with_clustering() -> None:
    small, large = ClusterDesign(50, 10, 0.05, strata=5), ClusterDesign(200, 10, 0.05, strata=5)
    assert verdict_power(0.01, 0.02, small) < verdict_power(0.01, 0.02, large)
    clustered = ClusterDesign(200, 10, 0.2, strata=5)
    assert verdict_power(0.01, 0.02, clustered) < verdict_power(0.01, 0.02, large)
    # Certifying a rate that breaks the criterion happens at most at the one-sided level, 2.5%.
    assert verdict_power(0.02, 0.02, large) <= 0.025 + 1e-9


def test_sample_size_stays_at_the_target_power_past_the_saw_tooth() -> None:
    plan = verdict_sample_size(0.01, 0.02, per_village=10, rho=0.05, strata=10)
    assert plan.power >= 0.8
    design = plan.design
    for villages in range(design.villages, design.villages + 15):
        assert verdict_power(0.01, 0.02, ClusterDesign(villages, 10, 0.05, strata=10)) >= 0.8
    assert verdict_power(0.01, 0.02, ClusterDesign(design.villages - 1, 10, 0.05, strata=10)) < 0.8


def test_sample_size_refuses_a_verdict_the_truth_cannot_give() -> None:
    with pytest.raises(StatsInputError, match="does not"):
        verdict_sample_size(0.03, 0.02, per_village=10, rho=0.05)  # certify 3% as below 2%
    with pytest.raises(StatsInputError, match="does not"):
        verdict_sample_size(0.01, 0.02, per_village=10, rho=0.05, verdict="fail")


@pytest.mark.parametrize(
    ("true_rate", "verdict", "per_village", "rho", "weights"),
    [(0.01, "pass", 10, 0.05, (1.0,)), (0.04, "fail", 4, 0.1, (1.0, 3.0))],
    ids=["certify-1%", "detect-4%-weighted"],
)
def test_simulated_surveys_of_the_plan_reach_its_power(
    true_rate: float, verdict: str, per_village: int, rho: float, weights: tuple[float, ...]
) -> None:
    # Recovery: draw the planned survey 400 times from a population with the assumed rho (villages'
    # rates from a beta distribution) and weights (villages alternately weighing 1 and 3, Kish deff
    # 1.25), judge each by the indicators' own estimator, interval and verdict rule.
    weighting_deff = float(np.mean(np.square(weights)) / np.mean(weights) ** 2)
    plan = verdict_sample_size(
        true_rate, 0.02, per_village=per_village, rho=rho, weighting_deff=weighting_deff, strata=8, verdict=verdict
    )
    household_weights = np.repeat(np.resize(weights, plan.design.villages), per_village)
    achieved = simulated_verdict_power(
        true_rate, 0.02, plan.design, verdict=verdict, weights=household_weights, replications=400, seed=11
    )
    # Monte Carlo SE at 80% power with 400 draws is 2 points.
    assert achieved == pytest.approx(plan.power, abs=0.05)


def test_mde_sample_factor_matches_pwr_norm_test() -> None:
    # With se = 1 at n = 1, the factor is the n at which a standardised effect d is detected with
    # 80% power by a two-sided 5% z test: pwr::pwr.norm.test (which also counts the far tail, negligible here).
    reference = pd.read_csv(FIXTURES / "planning_mde_reference.csv")
    for d, n in reference.itertuples(index=False):
        assert mde_sample_factor(1.0, d) == pytest.approx(n, rel=1e-5)  # uniroot stops at 1e-5


def test_mde_sample_factor_solves_the_mde_with_the_degrees_of_freedom_it_gives() -> None:
    factor = mde_sample_factor(120.0, 150.0, villages=30, strata=6)
    df = round(factor * 30) - 6
    assert minimum_detectable_effect(120.0 / math.sqrt(factor), df=df) == pytest.approx(150.0, rel=1e-9)
    assert mde_sample_factor(120.0, 1000.0) < 1  # the current sample already detects 1,000

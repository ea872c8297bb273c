"""Tests of pa_study.stats.program_effect.

Reference numbers come from tests/fixtures/stats/make_effects_reference.R (R's lm + sandwich,
glm + weighted means with a numerically differentiated M-estimation sandwich, Matching::Match) on
the Lalonde NSW/PSID data and the California API two-stage cluster sample.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.polynomial.hermite_e import hermegauss
from scipy import stats
from scipy.special import expit

from pa_study.stats import (
    Estimate,
    StatsInputError,
    minimum_detectable_effect,
    program_effect,
    rows_in_levels_with_both_groups,
)
from pa_study.stats.effects import EffectEstimate, influence_design_effect

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stats"
REFERENCE = json.loads((FIXTURES / "effects_reference.json").read_text())
REL_ESTIMATE = 1e-6
REL_SE = 1e-4

LALONDE_COVS = ["age", "educ", "black", "hispan", "married", "nodegree", "re74", "re75"]
API_COVS = ["meals", "ell", "mobility", "emer"]
API_DESIGN = {"outcome": "api00", "treatment": "awards", "weight": "pw", "cluster": "dnum"}


@pytest.fixture(scope="module")
def lalonde() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "effects_lalonde.csv")


@pytest.fixture(scope="module")
def api() -> pd.DataFrame:
    data = pd.read_csv(FIXTURES / "effects_apiclus2.csv")
    # The domain of the reference script: schools where more than half the pupils get subsidised meals.
    return data.assign(high_meals=(data["meals"] > 50).astype(float))


LALONDE_CASES = {
    "lalonde_diff": {"method": "diff"},
    "lalonde_ols": {"method": "ols", "covariates": LALONDE_COVS},
    "lalonde_did": {"method": "did", "baseline_outcome": "re75"},
    "lalonde_did_covariates": {
        "method": "did",
        "baseline_outcome": "re75",
        "covariates": LALONDE_COVS[:-1],
    },
    "lalonde_ipw_att": {"method": "ipw", "covariates": LALONDE_COVS},
    "lalonde_ipw_ate": {"method": "ipw", "covariates": LALONDE_COVS, "estimand": "ate"},
    "lalonde_aipw_att": {"method": "aipw", "covariates": LALONDE_COVS},
    "lalonde_aipw_ate": {"method": "aipw", "covariates": LALONDE_COVS, "estimand": "ate"},
    "lalonde_psm_m1": {"method": "psm", "covariates": LALONDE_COVS},
    "lalonde_psm_m3": {"method": "psm", "covariates": LALONDE_COVS, "n_neighbors": 3},
}

API_CASES = {
    "api_diff": {"method": "diff", **API_DESIGN},
    "api_ols": {"method": "ols", "covariates": API_COVS, **API_DESIGN},
    "api_ols_fe": {"method": "ols", "covariates": API_COVS, "fixed_effects": "stype", **API_DESIGN},
    "api_ols_fe_unweighted_hc1": {
        "method": "ols",
        "covariates": API_COVS,
        "fixed_effects": "stype",
        "outcome": "api00",
        "treatment": "awards",
    },
    "api_did": {
        "method": "did",
        "covariates": ["meals", "ell"],
        "baseline_outcome": "api99",
        **API_DESIGN,
    },
    "api_ipw_att": {"method": "ipw", "covariates": API_COVS, **API_DESIGN},
    "api_ipw_ate": {"method": "ipw", "covariates": API_COVS, "estimand": "ate", **API_DESIGN},
    "api_aipw_att": {"method": "aipw", "covariates": API_COVS, **API_DESIGN},
    "api_aipw_ate": {"method": "aipw", "covariates": API_COVS, "estimand": "ate", **API_DESIGN},
    "api_ra_att": {"method": "ra", "covariates": API_COVS, **API_DESIGN},
    "api_ra_ate": {"method": "ra", "covariates": API_COVS, "estimand": "ate", **API_DESIGN},
    "api_ra_att_fe": {"method": "ra", "covariates": API_COVS, "fixed_effects": "stype", **API_DESIGN},
    "api_ra_att_fe_domain": {
        "method": "ra",
        "covariates": API_COVS,
        "fixed_effects": "stype",
        "domain": "high_meals",
        **API_DESIGN,
    },
    "api_ipw_att_fe": {"method": "ipw", "covariates": API_COVS, "fixed_effects": "stype", **API_DESIGN},
    "api_aipw_att_fe": {"method": "aipw", "covariates": API_COVS, "fixed_effects": "stype", **API_DESIGN},
    "api_aipw_att_domain": {"method": "aipw", "covariates": API_COVS, "domain": "high_meals", **API_DESIGN},
    "api_aipw_att_fe_domain": {
        "method": "aipw",
        "covariates": API_COVS,
        "fixed_effects": "stype",
        "domain": "high_meals",
        **API_DESIGN,
    },
    "api_psm_weighted": {"method": "psm", "covariates": API_COVS, **API_DESIGN},
    "api_psm_weighted_fe": {"method": "psm", "covariates": API_COVS, "fixed_effects": "stype", **API_DESIGN},
}


def assert_matches_reference(result: EffectEstimate, key: str) -> None:
    expected = REFERENCE[key]
    assert result.estimate == pytest.approx(expected["estimate"], rel=REL_ESTIMATE)
    assert result.se == pytest.approx(expected["se"], rel=REL_SE)


# ---- agreement with R ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(LALONDE_CASES))
def test_lalonde_matches_r(lalonde: pd.DataFrame, key: str) -> None:
    result = program_effect(lalonde, outcome="re78", treatment="treat", **LALONDE_CASES[key])
    assert_matches_reference(result, key)
    assert result.n == len(lalonde)


@pytest.mark.parametrize("key", sorted(API_CASES))
def test_api_weighted_clustered_matches_r(api: pd.DataFrame, key: str) -> None:
    result = program_effect(api, **API_CASES[key])
    assert_matches_reference(result, key)
    if "cluster" in API_CASES[key]:
        assert result.extra["n_clusters"] == REFERENCE["api_n_clusters"]


def test_psm_caliper_matches_matching_package(lalonde: pd.DataFrame) -> None:
    expected = REFERENCE["lalonde_psm_caliper"]
    result = program_effect(
        lalonde,
        outcome="re78",
        treatment="treat",
        covariates=LALONDE_COVS,
        method="psm",
        caliper=expected["caliper"],
    )
    assert result.estimate == pytest.approx(expected["estimate"], rel=REL_ESTIMATE)
    assert result.extra["n_matched_treated"] == expected["n_matched_treated"]
    assert result.extra["n_unmatched_treated"] == 185 - expected["n_matched_treated"]


@pytest.mark.parametrize(("method", "key"), [("ipw", "lalonde_ipw_balance"), ("psm", "lalonde_psm_balance")])
def test_balance_table_matches_r(lalonde: pd.DataFrame, method: str, key: str) -> None:
    result = program_effect(lalonde, outcome="re78", treatment="treat", covariates=LALONDE_COVS, method=method)
    expected = pd.DataFrame(REFERENCE[key]).set_index("covariate")
    assert list(result.balance.index) == LALONDE_COVS
    assert list(result.balance.columns) == list(expected.columns)
    np.testing.assert_allclose(result.balance.to_numpy(), expected.to_numpy(), rtol=1e-6, atol=1e-9)
    # Weighting must improve balance on this observational sample.
    assert (result.balance["smd_adj"].abs() < result.balance["smd"].abs()).sum() >= 6


def test_overlap_diagnostics_match_r(lalonde: pd.DataFrame) -> None:
    expected = REFERENCE["lalonde_ps"]
    overlap = program_effect(lalonde, outcome="re78", treatment="treat", covariates=LALONDE_COVS, method="ipw").overlap
    assert list(overlap.index) == ["treated", "control"]
    assert overlap.loc["treated", "ps_min"] == pytest.approx(expected["min_treated"], rel=1e-6)
    assert overlap.loc["treated", "ps_max"] == pytest.approx(expected["max_treated"], rel=1e-6)
    assert overlap.loc["control", "ps_min"] == pytest.approx(expected["min_control"], rel=1e-6)
    assert overlap.loc["control", "ps_max"] == pytest.approx(expected["max_control"], rel=1e-6)
    assert overlap.loc["treated", "n_off_support"] == expected["off_support_treated"]
    assert overlap.loc["control", "n_off_support"] == expected["off_support_control"]
    assert overlap["n"].tolist() == [185, 429]


# ---- result object and internal consistency -----------------------------------------------------


def test_result_is_an_estimate_with_table_row(lalonde: pd.DataFrame) -> None:
    result = program_effect(lalonde, outcome="re78", treatment="treat", covariates=LALONDE_COVS, method="aipw")
    assert isinstance(result, Estimate)
    row = result.to_dict()
    assert {"estimate", "se", "ci_low", "ci_high", "n", "method", "estimand", "se_method"} <= set(row)
    assert "balance" not in row and "overlap" not in row
    frame = result.to_frame()
    assert frame.shape[0] == 1 and frame.loc[0, "method"] == "aipw"
    assert result.ci_low < result.estimate < result.ci_high
    assert result.ci_high - result.estimate == pytest.approx(1.959963984540054 * result.se)


def test_regression_ci_uses_t_with_cluster_df(api: pd.DataFrame) -> None:
    result = program_effect(api, method="ols", covariates=API_COVS, **API_DESIGN)
    assert result.df == REFERENCE["api_n_clusters"] - 1
    assert result.ci_high - result.estimate == pytest.approx(stats.t.ppf(0.975, result.df) * result.se)


def test_absorbed_fixed_effects_equal_dummy_regression(api: pd.DataFrame) -> None:
    data = api.assign(stype_h=(api["stype"] == "H").astype(float), stype_m=(api["stype"] == "M").astype(float))
    absorbed = program_effect(data, method="ols", covariates=API_COVS, fixed_effects="stype", **API_DESIGN)
    dummies = program_effect(data, method="ols", covariates=[*API_COVS, "stype_h", "stype_m"], **API_DESIGN)
    assert absorbed.estimate == pytest.approx(dummies.estimate, rel=1e-10)
    assert absorbed.se == pytest.approx(dummies.se, rel=1e-10)
    # A second fixed effect enters as dummies; absorbing it first must not change anything.
    data["big"] = (data["meals"] > 50).astype(int)
    one = program_effect(data, method="ols", covariates=API_COVS, fixed_effects=["stype", "big"], **API_DESIGN)
    other = program_effect(data, method="ols", covariates=API_COVS, fixed_effects=["big", "stype"], **API_DESIGN)
    assert one.estimate == pytest.approx(other.estimate, rel=1e-10)
    assert one.se == pytest.approx(other.se, rel=1e-10)


def test_did_equals_ols_on_the_change(lalonde: pd.DataFrame) -> None:
    did = program_effect(lalonde, outcome="re78", treatment="treat", baseline_outcome="re75", method="did")
    change = lalonde.assign(change=lalonde["re78"] - lalonde["re75"])
    diff = program_effect(change, outcome="change", treatment="treat", method="diff")
    assert did.estimate == pytest.approx(diff.estimate, rel=1e-12)
    assert did.se == pytest.approx(diff.se, rel=1e-12)


def test_boolean_treatment_and_rescaled_weights_give_same_answer(api: pd.DataFrame) -> None:
    base = program_effect(api, method="ipw", covariates=API_COVS, **API_DESIGN)
    data = api.assign(awards=api["awards"].astype(bool), pw=api["pw"] * 37.5)
    again = program_effect(data, method="ipw", covariates=API_COVS, **API_DESIGN)
    assert again.estimate == pytest.approx(base.estimate, rel=1e-10)
    assert again.se == pytest.approx(base.se, rel=1e-8)


def test_missing_outcome_rows_are_dropped_with_warning(lalonde: pd.DataFrame) -> None:
    data = lalonde.copy()
    data.loc[[0, 300], "re78"] = np.nan
    with pytest.warns(UserWarning, match="dropped 2 of 614"):
        result = program_effect(data, outcome="re78", treatment="treat", covariates=LALONDE_COVS, method="ipw")
    assert result.n == 612 and result.extra["n_dropped_missing"] == 2
    expected = program_effect(
        lalonde.drop(index=[0, 300]),
        outcome="re78",
        treatment="treat",
        covariates=LALONDE_COVS,
        method="ipw",
    )
    assert result.estimate == pytest.approx(expected.estimate, rel=1e-12)


# ---- bootstrap -------------------------------------------------------------------------------------


def simulate(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Two normal covariates, logit assignment, heterogeneous effect 1 + x1, linear outcome."""
    x1, x2 = rng.normal(size=(2, n))
    d = (rng.random(n) < expit(-0.5 + 0.8 * x1 - 0.5 * x2)).astype(float)
    y = 0.5 + x1 + 0.5 * x2 + rng.normal(size=n) + d * (1.0 + x1)
    return pd.DataFrame({"x1": x1, "x2": x2, "d": d, "y": y})


def true_effects() -> dict[str, float]:
    """Population ATT and ATE of :func:`simulate` by 2-D Gauss-Hermite quadrature."""
    nodes, weights = hermegauss(80)
    x1, x2 = np.meshgrid(nodes, nodes, indexing="ij")
    density = np.outer(weights, weights) / (2 * np.pi)
    p = expit(-0.5 + 0.8 * x1 - 0.5 * x2)
    return {"att": 1.0 + float(np.sum(density * p * x1) / np.sum(density * p)), "ate": 1.0}


@pytest.mark.parametrize("design", [{}, {"weight": "w", "cluster": "village"}])
@pytest.mark.parametrize("method", ["ipw", "aipw"])
def test_bootstrap_is_reproducible_and_close_to_analytic_se(method: str, design: dict) -> None:
    rng = np.random.default_rng(11)
    data = simulate(rng, 2000).assign(w=rng.uniform(0.5, 2.0, 2000), village=rng.integers(0, 150, 2000))
    kwargs = {
        "outcome": "y",
        "treatment": "d",
        "covariates": ["x1", "x2"],
        "method": method,
        **design,
    }
    analytic = program_effect(data, **kwargs)
    first = program_effect(data, **kwargs, n_boot=300, seed=5)
    second = program_effect(data, **kwargs, n_boot=300, seed=5)
    assert first.se == second.se
    assert first.estimate == analytic.estimate
    assert first.extra["se_method"].startswith("bootstrap") and first.extra["n_boot_failed"] == 0
    assert 0.85 < first.se / analytic.se < 1.15


def test_cluster_bootstrap_runs_on_survey_data(api: pd.DataFrame) -> None:
    analytic = program_effect(api, method="aipw", covariates=API_COVS, **API_DESIGN)
    with warnings.catch_warnings():
        # Resampling 40 districts can leave a replicate without controls; those are reported.
        warnings.simplefilter("ignore", UserWarning)
        boot = program_effect(api, method="aipw", covariates=API_COVS, **API_DESIGN, n_boot=200, seed=1)
    assert boot.extra["se_method"] == "bootstrap (clusters)"
    assert boot.extra["n_boot_failed"] < 20
    # 126 schools with weights from 19 to 273: the bootstrap SE is about 1.3 times the
    # linearisation SE here (a plain loop over resampled data frames gives the same), so only the
    # order of magnitude is checked; agreement in large samples is tested above.
    assert 0.8 < boot.se / analytic.se < 1.8


# ---- design effects ------------------------------------------------------------------------------


def test_influence_design_effect_is_cluster_over_srs_variance_of_the_unweighted_influence() -> None:
    rng = np.random.default_rng(3)
    n, groups = 300, 30
    cluster = rng.integers(0, groups, n)
    w = rng.uniform(1.0, 5.0, n)
    phi = w * (rng.normal(size=n) + rng.normal(size=groups)[cluster])
    phi -= w * (phi.sum() / w.sum())  # influence values of an estimator sum to zero
    totals = np.bincount(cluster, weights=phi, minlength=groups)
    clustered = groups / (groups - 1) * np.sum(totals**2)
    # Written out: the with-replacement SRS variance of the estimated total of r = phi / w.
    r, population = phi / w, w.sum()
    s2 = n / (n - 1) * np.sum(w * (r - np.sum(w * r) / population) ** 2) / population
    srs = s2 * population**2 / n
    effect = influence_design_effect(phi, w, cluster)
    assert effect["deff"] == pytest.approx(clustered / srs, rel=1e-10)
    assert effect["n_effective"] == pytest.approx(n / effect["deff"], rel=1e-12)
    # Unclustered with equal weights the estimator is what simple random sampling gives: deff 1.
    plain = phi / w - np.mean(phi / w)
    assert influence_design_effect(plain, np.ones(n), None)["deff"] == pytest.approx(1.0, rel=1e-12)


def test_weighting_effects_carry_a_design_effect_of_their_clustering() -> None:
    rng = np.random.default_rng(8)
    n, villages = 2000, 80
    village = rng.integers(0, villages, n)
    data = simulate(rng, n).assign(w=1.0, village=village)
    iid = program_effect(data, outcome="y", treatment="d", covariates=["x1", "x2"], method="aipw", weight="w")
    assert iid.deff == pytest.approx(1.0, rel=1e-9)
    assert iid.n_effective == pytest.approx(n, rel=1e-9)
    # A village shock shared by the treated units of a village: clustering inflates the variance.
    shocked = data.assign(y=data["y"] + 2.0 * data["d"] * rng.normal(size=villages)[village])
    kwargs = {"outcome": "y", "treatment": "d", "covariates": ["x1", "x2"], "weight": "w", "cluster": "village"}
    clustered = program_effect(shocked, method="aipw", **kwargs)
    unclustered = program_effect(shocked, method="aipw", **{k: v for k, v in kwargs.items() if k != "cluster"})
    assert clustered.deff > 2.0
    # Same SRS variance in both: the ratio of the design effects is that of the variances.
    assert clustered.deff / unclustered.deff == pytest.approx((clustered.se / unclustered.se) ** 2, rel=1e-9)
    assert program_effect(shocked, method="aipw", **kwargs, n_boot=20, seed=1).deff is None
    assert program_effect(shocked, method="ols", **kwargs).deff is None


# ---- Monte Carlo: bias and coverage ------------------------------------------------------------------


@pytest.mark.parametrize(("estimand", "seed"), [("att", 20240611), ("ate", 7)])
def test_monte_carlo_ipw_aipw_unbiased_with_nominal_coverage(estimand: str, seed: int) -> None:
    truth = true_effects()[estimand]
    rng = np.random.default_rng(seed)
    n_reps = 1000
    estimates: dict[str, list[float]] = {"ipw": [], "aipw": []}
    covered = {"ipw": 0, "aipw": 0}
    for _ in range(n_reps):
        data = simulate(rng, 500)
        for method in estimates:
            result = program_effect(
                data,
                outcome="y",
                treatment="d",
                covariates=["x1", "x2"],
                method=method,
                estimand=estimand,
            )
            estimates[method].append(result.estimate)
            covered[method] += result.ci_low <= truth <= result.ci_high
    for method, values in estimates.items():
        mc_se = np.std(values, ddof=1) / np.sqrt(n_reps)
        assert abs(np.mean(values) - truth) < 3 * mc_se, method
        assert 0.93 <= covered[method] / n_reps <= 0.97, (method, covered[method] / n_reps)


# ---- bad input -------------------------------------------------------------------------------------


def small_data(n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    data = simulate(rng, n)
    data["w"] = rng.uniform(1, 3, n)
    data["village"] = np.arange(n) % 5
    return data


BASE = {"outcome": "y", "treatment": "d", "covariates": ["x1", "x2"]}


@pytest.mark.parametrize("method", ["diff", "ols", "ipw", "psm", "aipw"])
def test_empty_data_is_refused(method: str) -> None:
    with pytest.raises(StatsInputError, match="empty"):
        program_effect(small_data().iloc[:0], method=method, **BASE)


@pytest.mark.parametrize("value", [0.0, 1.0])
def test_constant_treatment_is_refused(value: float) -> None:
    data = small_data().assign(d=value)
    with pytest.raises(StatsInputError, match="at least 2 treated and 2 control"):
        program_effect(data, method="ipw", **BASE)


def test_non_binary_treatment_is_refused() -> None:
    data = small_data()
    data.loc[0, "d"] = 2.0
    with pytest.raises(StatsInputError, match="binary 0/1, found values 0, 1, 2"):
        program_effect(data, method="diff", **BASE)


def test_string_treatment_is_refused() -> None:
    data = small_data().assign(d=lambda f: np.where(f["d"] == 1, "yes", "no"))
    with pytest.raises(StatsInputError, match="'d' must be numeric"):
        program_effect(data, method="diff", **BASE)


@pytest.mark.parametrize("method", ["ipw", "aipw", "psm"])
def test_no_common_support_is_refused(method: str) -> None:
    data = small_data()
    data["d"] = (data["x1"] > 0).astype(float)
    with pytest.raises(StatsInputError, match=r"no .*common support"):
        program_effect(data, method=method, **BASE)


def test_caliper_leaving_no_match_is_refused() -> None:
    with pytest.raises(StatsInputError, match="caliper"):
        program_effect(small_data(), method="psm", caliper=1e-12, **BASE)


@pytest.mark.parametrize(
    ("value", "message"),
    [(0.0, "zero or negative"), (-1.0, "zero or negative"), (np.nan, "missing")],
)
def test_bad_weights_are_refused(value: float, message: str) -> None:
    data = small_data()
    data.loc[3, "w"] = value
    with pytest.raises(StatsInputError, match=message):
        program_effect(data, method="ipw", weight="w", **BASE)


def test_missing_cluster_is_refused() -> None:
    data = small_data().astype({"village": float})
    data.loc[5, "village"] = np.nan
    with pytest.raises(StatsInputError, match="'village' has 1 missing"):
        program_effect(data, method="ols", cluster="village", **BASE)


def test_single_cluster_is_refused() -> None:
    with pytest.raises(StatsInputError, match="single cluster"):
        program_effect(small_data().assign(village=1), method="ipw", cluster="village", **BASE)


def test_collinear_covariate_is_named() -> None:
    data = small_data().assign(x3=lambda f: 2 * f["x1"] - f["x2"])
    with pytest.raises(StatsInputError, match="'x3' is constant or collinear"):
        program_effect(data, method="ols", outcome="y", treatment="d", covariates=["x1", "x2", "x3"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "probit"}, "method must be one of"),
        ({"method": "psm", "estimand": "ate"}, "estimates att, not 'ate'"),
        ({"method": "ipw", "caliper": 0.1}, "does not use caliper"),
        ({"method": "ols", "n_boot": 100}, "does not use n_boot"),
        ({"method": "diff", "fixed_effects": "village"}, "does not use fixed_effects"),
        ({"method": "psm", "fixed_effects": ["village", "village"]}, "more than one fixed effect"),
        ({"method": "psm", "domain": "d"}, "does not use domain"),
        ({"method": "did"}, "needs baseline_outcome"),
        ({"method": "psm", "n_neighbors": 0}, "positive integer"),
        ({"method": "psm", "n_neighbors": 100}, "exceeds the"),
        ({"method": "ipw", "n_boot": 1}, "at least 2"),
        ({"method": "ipw", "level": 95}, "level"),
    ],
)
def test_inconsistent_options_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(StatsInputError, match=message):
        program_effect(small_data(), **BASE, **kwargs)


def test_unknown_column_is_named() -> None:
    with pytest.raises(StatsInputError, match="'income'"):
        program_effect(small_data(), method="diff", outcome="income", treatment="d")


def test_errors_are_value_errors() -> None:
    assert issubclass(StatsInputError, ValueError)


# ---- recovery: village confounding, informative sampling, domains ----------------------------------


def clustered_sample(seed: int = 3) -> tuple[pd.DataFrame, dict[str, float]]:
    """A sample of 60 villages of 25 households from a population where a village effect drives
    both participation and the outcome, the effect is 1 + 1.5 z, and z = 1 households are sampled
    three times as often (weights 1/3). Returns the sample and the population ATTs."""
    rng = np.random.default_rng(seed)
    n_villages, per_village = 60, 75
    village = np.repeat(np.arange(n_villages), per_village)
    u = rng.normal(size=n_villages)[village]
    x, z = rng.normal(size=village.size), (rng.random(village.size) < 0.4).astype(float)
    d = (rng.random(village.size) < expit(-0.3 + 0.8 * x + 0.5 * z + 1.0 * u)).astype(float)
    effect = 1.0 + 1.5 * z
    y = 1.0 + x + 2.0 * u + rng.normal(size=village.size) + d * effect
    population = pd.DataFrame({"village": village, "x": x, "z": z, "d": d, "y": y})
    # Within each village keep every z = 1 household with probability 1/2 and z = 0 with 1/6.
    keep = rng.random(village.size) < np.where(z == 1, 0.5, 1 / 6)
    sample = population[keep].assign(w=np.where(population["z"][keep] == 1, 2.0, 6.0))
    treated = d == 1
    truths = {"att": float(effect[treated].mean()), "att_z1": float(effect[treated & (z == 1)].mean())}
    return sample.reset_index(drop=True), truths


@pytest.fixture(scope="module")
def villages() -> tuple[pd.DataFrame, dict[str, float]]:
    sample, truths = clustered_sample()
    return sample[rows_in_levels_with_both_groups(sample, "d", "village")], truths


VILLAGE_DESIGN = {"outcome": "y", "treatment": "d", "covariates": ["x", "z"], "weight": "w", "cluster": "village"}


@pytest.mark.parametrize("method", ["ra", "ipw", "aipw", "psm"])
def test_village_fixed_effects_remove_village_confounding(villages, method: str) -> None:
    data, truths = villages
    within = program_effect(data, method=method, fixed_effects="village", **VILLAGE_DESIGN)
    across = program_effect(data, method=method, **VILLAGE_DESIGN)
    assert across.estimate - truths["att"] > 3 * across.se  # villages that join more are better off
    if method == "psm":
        # Nearest-neighbour matching among a village's few controls keeps a bias of its own (no
        # bias correction, Abadie & Imbens 2011), so it only has to come much closer.
        assert abs(within.estimate - truths["att"]) < (across.estimate - truths["att"]) / 2
    else:
        assert abs(within.estimate - truths["att"]) < 3 * within.se, (within.estimate, within.se, truths)


def test_weighted_matching_estimates_the_population_att(villages) -> None:
    data, truths = villages
    weighted = program_effect(data, method="psm", fixed_effects="village", **VILLAGE_DESIGN)
    unweighted = program_effect(
        data, method="psm", fixed_effects="village", **{k: v for k, v in VILLAGE_DESIGN.items() if k != "weight"}
    )
    assert abs(weighted.estimate - truths["att"]) < abs(unweighted.estimate - truths["att"])
    assert weighted.extra["se_method"] == "linearisation of the matched sample (clustered)"
    assert weighted.extra["exact_on"] == "village" and weighted.df == data["village"].nunique() - 1


@pytest.mark.parametrize("method", ["ra", "aipw"])
def test_domain_effect_is_the_subgroup_att(villages, method: str) -> None:
    data, truths = villages
    data = data.assign(z1=data["z"])
    result = program_effect(data, method=method, fixed_effects="village", domain="z1", **VILLAGE_DESIGN)
    assert abs(result.estimate - truths["att_z1"]) < 3 * result.se
    assert result.extra["n_domain_treated"] == int(((data["z"] == 1) & (data["d"] == 1)).sum())
    # A domain covering every row is the whole-sample estimate.
    whole = program_effect(data.assign(all=1.0), method=method, fixed_effects="village", domain="all", **VILLAGE_DESIGN)
    plain = program_effect(data, method=method, fixed_effects="village", **VILLAGE_DESIGN)
    assert whole.estimate == pytest.approx(plain.estimate, rel=1e-10)
    assert whole.se == pytest.approx(plain.se, rel=1e-10)


def test_levels_without_both_groups_are_refused_and_found(villages) -> None:
    data, _ = villages
    lonely = data.assign(
        village=np.where((data["village"] == data["village"].iloc[0]) & (data["d"] == 0), -1, data["village"])
    )
    with pytest.raises(StatsInputError, match="hold only one group"):
        program_effect(lonely, method="aipw", fixed_effects="village", **VILLAGE_DESIGN)
    kept = rows_in_levels_with_both_groups(lonely, "d", "village")
    assert not kept[lonely["village"].isin([-1, data["village"].iloc[0]]).to_numpy()].any()
    assert kept[~lonely["village"].isin([-1, data["village"].iloc[0]]).to_numpy()].all()


def test_rows_in_levels_with_both_groups_marks_levels_by_their_treated_and_control_rows() -> None:
    data = pd.DataFrame(
        {
            "level": ["a", "a", "b", "b", "c", "c", None, "d", "d"],
            "d": [1, 0, 1, 1, 0, np.nan, 1, 0, 1],
        }
    )
    kept = rows_in_levels_with_both_groups(data, "d", "level")
    # c's one known row is a control; the row without a level and the one without a treatment are out.
    assert kept.tolist() == [True, True, False, False, False, False, False, True, True]


def test_estimates_sharing_a_propensity_logit_fit_it_once_and_equal_their_own_fits(villages, monkeypatch) -> None:
    import pa_study.stats.effects as effects

    data, _ = villages
    data = data.assign(z1=data["z"], z0=1.0 - data["z"], y2=data["y"] ** 2)
    effects._LAST_LOGIT.clear()  # an earlier test may have fitted the same logit
    calls = []
    fit_logit = effects.fit_logit
    monkeypatch.setattr(effects, "fit_logit", lambda *a, **k: calls.append(1) or fit_logit(*a, **k))
    design = {**VILLAGE_DESIGN, "fixed_effects": "village"}
    runs = [
        {"method": "aipw"},
        {"method": "ipw"},
        {"method": "aipw", "outcome": "y2"},
        {"method": "psm"},
        {"method": "aipw", "domain": "z1"},
        {"method": "aipw", "domain": "z0"},
    ]
    shared = [program_effect(data, **(design | run)) for run in runs]
    assert len(calls) == 1
    other = program_effect(data, **(design | {"method": "aipw", "covariates": ["x"]}))
    assert len(calls) == 2
    for run, estimate in zip(runs, shared, strict=True):
        effects._LAST_LOGIT.clear()
        alone = program_effect(data, **(design | run))
        assert (alone.estimate, alone.se) == (estimate.estimate, estimate.se), run
    assert other.estimate != shared[0].estimate


def test_every_estimate_reports_its_minimum_detectable_effect(api: pd.DataFrame) -> None:
    for method in ("ols", "aipw"):
        result = program_effect(api, method=method, covariates=API_COVS, **API_DESIGN)
        expected = (stats.t.ppf(0.975, result.df) + stats.t.ppf(0.8, result.df)) * result.se
        assert result.extra["mde"] == pytest.approx(expected, rel=1e-10)
    assert minimum_detectable_effect(1.0) == pytest.approx(stats.norm.ppf(0.975) + stats.norm.ppf(0.8))


def test_sparse_fixed_effect_design_fits_as_the_dense_one() -> None:
    from scipy import sparse

    from pa_study.stats._effects_weighting import effect_with_influence, fit_logit

    rng = np.random.default_rng(15)
    n, levels = 400, 12
    village = rng.integers(0, levels, n)
    x = rng.normal(size=n)
    d = (rng.random(n) < expit(0.5 * x + (village % 3 - 1) * 0.4)).astype(float)
    y = 1.0 + x + d + 0.1 * village + rng.normal(size=n)
    w = rng.uniform(1, 3, n)
    dense = np.column_stack([np.ones(n), x, (village[:, None] == np.arange(1, levels)).astype(float)])
    compact = sparse.csr_array(dense)
    gamma_dense, ok_dense = fit_logit(dense, d, w[None, :])
    gamma_sparse, ok_sparse = fit_logit(compact, d, w[None, :])
    assert ok_dense[0] and ok_sparse[0]
    np.testing.assert_allclose(gamma_sparse, gamma_dense, rtol=1e-9, atol=1e-12)
    options = {"estimand": "att", "method": "aipw", "domain": np.ones(n)}
    one = effect_with_influence(y, d, dense, w, gamma_dense[0], **options)
    other = effect_with_influence(y, d, compact, w, gamma_sparse[0], **options)
    assert other.estimate == pytest.approx(one.estimate, rel=1e-9)
    np.testing.assert_allclose(other.influence, one.influence, rtol=1e-7, atol=1e-12)


def test_a_covariate_collinear_with_the_fixed_effects_is_named() -> None:
    data = small_data().assign(group=lambda f: np.arange(len(f)) % 4)
    data = data.assign(x3=lambda f: (f["group"] == 2).astype(float))
    with pytest.raises(StatsInputError, match=r"'group\[2\]' is constant or collinear"):
        program_effect(data, method="ipw", outcome="y", treatment="d", covariates=["x1", "x3"], fixed_effects="group")


def _fixed_effect_design(rng: np.random.Generator, n: int, levels: int) -> tuple[np.ndarray, np.ndarray]:
    """``[1, x1, x2, dummies of all levels but the first]`` and the level of each row."""
    village = rng.integers(0, levels, n)
    x = rng.normal(size=(n, 2)) + 0.3 * village[:, None] / levels
    return np.column_stack([np.ones(n), x, (village[:, None] == np.arange(1, levels)).astype(float)]), village


def test_fixed_effect_systems_solved_through_their_diagonal_block_equal_the_dense_solve() -> None:
    from pa_study.stats._effects_linear import diagonal_tail
    from pa_study.stats._effects_weighting import batched_solve, crossproducts

    rng = np.random.default_rng(16)
    Z, village = _fixed_effect_design(rng, 3000, 80)
    weights = rng.uniform(0.5, 2.0, (3, Z.shape[0]))
    weights[2, village == 5] = 0.0  # a replicate without level 5: its system is singular
    grams = crossproducts(Z, weights)
    rhs = rng.normal(size=(3, Z.shape[1]))
    # A dense block's last column alone is a (trivial) diagonal block.
    assert diagonal_tail(grams) == 3 and diagonal_tail(grams[:, :3, :3]) == 2
    solved = batched_solve(grams, rhs)
    np.testing.assert_allclose(solved[:2], np.linalg.solve(grams[:2], rhs[:2, :, None])[..., 0], rtol=1e-9)
    assert np.isnan(solved[2]).all()


def test_aipw_with_many_fixed_effect_levels_equals_the_dense_solve(monkeypatch) -> None:
    from pa_study.stats import _effects_linear, _effects_weighting

    rng = np.random.default_rng(17)
    n, levels = 4000, 150
    village = rng.integers(0, levels, n)
    x = rng.normal(size=(n, 2))
    d = (rng.random(n) < expit(0.5 * x[:, 0] + (village % 5 - 2) * 0.3)).astype(float)
    data = pd.DataFrame(
        {"y": x @ [1.0, -0.5] + 2.0 * d + 0.02 * village + rng.normal(size=n), "d": d, "x1": x[:, 0], "x2": x[:, 1]}
    ).assign(village=village, w=rng.uniform(1, 3, n))
    options = dict(outcome="y", treatment="d", covariates=["x1", "x2"], weight="w", cluster="village")
    structured = program_effect(data, method="aipw", fixed_effects="village", **options)
    monkeypatch.setattr(_effects_weighting, "diagonal_tail", lambda A: A.shape[-1])
    monkeypatch.setattr(_effects_linear, "diagonal_tail", lambda A: A.shape[-1])
    dense = program_effect(data, method="aipw", fixed_effects="village", **options)
    assert structured.estimate == pytest.approx(dense.estimate, rel=1e-9)
    assert structured.se == pytest.approx(dense.se, rel=1e-9)


def test_the_full_rank_shortcut_agrees_with_the_eigenvalues() -> None:
    from pa_study.stats._effects_linear import _clearly_full_rank

    rng = np.random.default_rng(18)
    Z, village = _fixed_effect_design(rng, 2000, 60)
    gram = Z.T @ Z
    scale = 1.0 / np.sqrt(np.diag(gram))
    assert _clearly_full_rank(gram * np.outer(scale, scale))
    # A covariate constant within villages is collinear with their dummies.
    Z[:, 2] = village % 7
    gram = Z.T @ Z
    scale = 1.0 / np.sqrt(np.diag(gram))
    assert np.linalg.matrix_rank(gram, hermitian=True) < Z.shape[1]
    assert not _clearly_full_rank(gram * np.outer(scale, scale))


def test_two_absorbed_fixed_effects_equal_the_dummy_regression() -> None:
    rng = np.random.default_rng(19)
    n = 3000
    village, year = rng.integers(0, 90, n), rng.integers(0, 6, n)
    x = rng.normal(size=n) + 0.05 * village
    d = (rng.random(n) < expit(0.4 * x - 0.2 * year)).astype(float)
    y = 1.5 * d + x + 0.03 * village + 0.5 * year + rng.normal(size=n)
    data = pd.DataFrame({"y": y, "d": d, "x": x, "village": village, "year": year, "w": rng.uniform(1, 3, n)})
    years = {f"year_{k}": (year == k).astype(float) for k in range(1, 6)}
    options = dict(method="ols", outcome="y", treatment="d", weight="w", cluster="village")
    absorbed = program_effect(data, covariates=["x"], fixed_effects=["village", "year"], **options)
    dummies = program_effect(data.assign(**years), covariates=["x", *years], fixed_effects="village", **options)
    assert absorbed.estimate == pytest.approx(dummies.estimate, rel=1e-9)
    assert absorbed.se == pytest.approx(dummies.se, rel=1e-9)
    assert absorbed.df == dummies.df
    # A second fixed effect nested in the first adds nothing: it is refused by name.
    nested = data.assign(district=village // 10)
    with pytest.raises(StatsInputError, match=r"fixed effects: column 'district\[.*\]' is constant or collinear"):
        program_effect(nested, covariates=["x"], fixed_effects=["village", "district"], **options)


def test_a_fixed_effects_design_multiplies_as_its_stacked_matrix() -> None:
    from scipy import sparse

    from pa_study.stats._effects_weighting import FixedEffectsDesign, crossproducts, scale_rows

    rng = np.random.default_rng(20)
    Z, _ = _fixed_effect_design(rng, 500, 30)
    design = FixedEffectsDesign(Z[:, :3], sparse.csr_array(Z[:, 3:]))
    k, v, x, X = Z.shape[1], rng.uniform(1, 2, 500), rng.normal(size=500), rng.normal(size=(4, 500))
    beta, B = rng.normal(size=k), rng.normal(size=(4, k))
    assert design.shape == Z.shape
    np.testing.assert_allclose(design @ beta, Z @ beta, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(x @ design, x @ Z, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(X @ design, X @ Z, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(design.T @ x, Z.T @ x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(B @ design.T, B @ Z.T, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(scale_rows(design, v) @ beta, (Z * v[:, None]) @ beta, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(crossproducts(design, X**2), crossproducts(Z, X**2), rtol=1e-12, atol=1e-9)


def test_a_fixed_effects_design_crossproduct_is_the_sparse_product_with_one_or_two_effects() -> None:
    from scipy import sparse

    from pa_study.stats._effects_weighting import FixedEffectsDesign

    rng = np.random.default_rng(21)
    n = 400
    dense = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
    village, district = rng.integers(0, 12, n), rng.integers(0, 4, n)
    one = sparse.csr_array((np.ones(n), (np.arange(n), village)), shape=(n, 12))
    v = rng.uniform(0.5, 2.0, n)
    for dummies in (one[:, 1:], sparse.hstack([one[:, 1:], sparse.csr_array(np.eye(4)[district][:, 1:])]).tocsr()):
        stacked = np.column_stack([dense, dummies.toarray()])
        gram = FixedEffectsDesign(dense, sparse.csr_array(dummies)).crossproduct(v)
        np.testing.assert_allclose(gram, stacked.T @ (stacked * v[:, None]), rtol=1e-12, atol=1e-12)
        corner = (dummies.T @ (sparse.diags_array(v) @ dummies)).toarray()
        np.testing.assert_array_equal(gram[3:, 3:], corner)

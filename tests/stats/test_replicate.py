"""Replicate-weight designs against R's svrepdesign (fixtures), the bootstrap, and bad input.

Means, totals, proportions, ratios and domains of the JK1, JKn and calibrated replicate designs
are compared with R in test_survey.py::test_estimates_match_r_survey (design keys *_jk1*, *_jkn).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pa_study.stats import ReplicateDesign, StatsInputError, SurveyDesign
from tests.helpers.survey_reference import FIXTURES, POP_STYPE, assert_matches, dataset, design, reference

PROBS = [0.115, 0.265, 0.505, 0.885]


@pytest.mark.parametrize(("case", "interval"), [("quantile", "woodruff"), ("quantile_direct", "replicate")])
def test_quantiles_match_r_replicate_svyquantile(case: str, interval: str) -> None:
    ref = reference(f"clus1_jk1/{case}/api00")
    ours = design("clus1_jk1").quantile("api00", PROBS, interval=interval)
    assert_matches(ours.assign(df=design("clus1_jk1").df), ref)


def test_jackknife_has_one_replicate_per_psu_and_its_weights() -> None:
    jk = design("clus1").replicate("jk1")
    assert isinstance(jk, ReplicateDesign) and jk.n_replicates == 15 and jk.df == 14
    weights = jk.replicate_weights
    assert weights.shape == (183, 15)
    # Replicate r re-estimates the mean with its own weights.
    y = dataset("apiclus1")["api00"].to_numpy()
    replicate_means = weights.T @ y / weights.sum(axis=0)
    spread = (14 / 15) * (1 - 15 / 757) * ((replicate_means - replicate_means.mean()) ** 2).sum()
    assert jk.mean("api00").se == pytest.approx(np.sqrt(spread), rel=1e-12)
    assert "jk1" in repr(jk)


def test_replicates_of_a_calibrated_design_are_calibrated() -> None:
    jk = design("clus1").poststratify("stype", POP_STYPE).replicate("jk1")
    data = dataset("apiclus1")
    for r in range(jk.n_replicates):
        sums = pd.Series(jk.replicate_weights[:, r]).groupby(data["stype"]).sum()
        assert sums.to_dict() == pytest.approx(POP_STYPE, rel=1e-9)


@pytest.mark.parametrize("key", ["stratclus", "strat"])
def test_bootstrap_se_agrees_with_linearisation(key: str) -> None:
    des = design(key)
    boot = des.replicate("bootstrap", 2000, seed=7)
    for var in ("api00", "enroll"):
        linear, resampled = des.mean(var).se, boot.mean(var).se
        assert resampled == pytest.approx(linear, rel=0.08), var
    assert boot.mean("api00").estimate == des.mean("api00").estimate
    again = des.replicate("bootstrap", 2000, seed=7)
    assert again.mean("api00").se == boot.mean("api00").se
    assert des.replicate("bootstrap", 50, seed=8).n_replicates == 50


def test_bootstrap_quantile_interval_from_replicate_quantiles() -> None:
    des = design("stratclus")
    boot = des.replicate("bootstrap", 1000, seed=3)
    direct = boot.quantile("api00", 0.5, interval="replicate")
    woodruff = des.quantile("api00", 0.5)
    assert direct.estimate == woodruff.estimate
    assert direct.se == pytest.approx(woodruff.se, rel=0.35)
    assert direct.extra["interval"] == "replicate"
    table = boot.quantile("api00", [0.25, 0.75], by="stype", interval="replicate")
    assert len(table) == 6 and table["se"].gt(0).all()


def test_replicate_design_effects_use_the_srs_formula() -> None:
    jk = design("clus1_jk1")
    linear = design("clus1")
    ratio = jk.mean("api00", deff=True).deff / linear.mean("api00", deff=True).deff
    assert ratio == pytest.approx((jk.mean("api00").se / linear.mean("api00").se) ** 2, rel=1e-12)


def test_domain_in_one_psu_has_no_jackknife_variance() -> None:
    data = dataset("apiclus1").assign(one=lambda d: np.where(d["dnum"] == d["dnum"].iloc[0], "only", "rest"))
    jk = SurveyDesign(data, weight="pw", psu="dnum", fpc="fpc").replicate("jk1")
    with pytest.raises(StatsInputError, match=r"replicate \d+ \(jk1\) leaves no sampled unit.*one='only'"):
        jk.mean("api00", by="one")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: design("strat").replicate("jk1"), "jk1 is the jackknife of an unstratified design.*use 'jkn'"),
        (lambda: design("clus1").replicate("brr"), "replicate method must be one of"),
        (lambda: design("clus1").replicate("jk1", 30), "replicates= is for the bootstrap"),
        (lambda: design("clus1").replicate("bootstrap", 1), "at least 2 replicates"),
        (
            lambda: SurveyDesign(dataset("apistrat"), weight="pw", strata="cname", lonely_psu="adjust").replicate(
                "jkn"
            ),
            "has a single PSU, which jkn replicates cannot vary",
        ),
        (lambda: design("clus1_jk1").quantile("api00", 0.5, interval="exact"), "interval must be"),
    ],
)
def test_bad_replicate_input_raises(build, message) -> None:
    with pytest.raises(StatsInputError, match=message):
        build()


def test_certainty_strata_are_not_replicated() -> None:
    des = SurveyDesign(dataset("apistrat"), weight="pw", strata="cname", lonely_psu="certainty")
    jk = des.replicate("jkn")
    # The jackknife of a ratio (a mean) is close to, not equal to, its linearisation.
    assert jk.mean("api00").se == pytest.approx(des.mean("api00").se, rel=0.01)
    single = (dataset("apistrat")["cname"].value_counts() == 1).sum()
    assert jk.n_replicates == des.n_psu - single  # single-school counties are not deleted in turn


def _relative_share_and_slope(data: pd.DataFrame):
    """The statistic of make_replicates_reference.R: share below 0.8 x the weighted median, and a
    weighted least-squares slope."""
    y, x = data["api00"].to_numpy(dtype=float), data["meals"].to_numpy(dtype=float)
    order = np.argsort(y, kind="stable")

    def statistic(w: np.ndarray) -> list[float]:
        cumulative = np.cumsum(w[order])
        median = y[order][np.searchsorted(cumulative, 0.5 * cumulative[-1])]
        design = np.column_stack([np.ones_like(x), x]) * np.sqrt(w)[:, None]
        slope = np.linalg.lstsq(design, y * np.sqrt(w), rcond=None)[0][1]
        return [float(np.average(y < 0.8 * median, weights=w)), float(slope)]

    return statistic


# apiclus1's weights are all equal, so in a JK1 replicate half the weight can fall exactly on one
# school, where R's median and ours part by rounding (see SurveyDesign.quantile); its slope is compared.
@pytest.mark.parametrize(
    ("key", "compared"),
    [("clus1_jk1", ["wls_meals"]), ("stratclus_jkn", ["below_80pct_median", "wls_meals"])],
)
def test_with_replicates_matches_r_withreplicates(key: str, compared: list[str]) -> None:
    ref = pd.read_csv(FIXTURES / "replicates_reference.csv").query("case == @key").set_index("name")
    replicates = design(key.rsplit("_", 1)[0]).replicate(key.rsplit("_", 1)[1])
    data = dataset("apiclus1" if key.startswith("clus1") else "apistratclus")
    names = ["below_80pct_median", "wls_meals"]
    estimates = replicates.with_replicates(_relative_share_and_slope(data), names, n=len(data))
    for estimate in (e for e in estimates if e.name in compared):
        assert estimate.estimate == pytest.approx(ref.at[estimate.name, "estimate"], rel=1e-9)
        assert estimate.se == pytest.approx(ref.at[estimate.name, "se"], rel=1e-9)
        assert estimate.ci_low < estimate.estimate < estimate.ci_high and estimate.df == replicates.df


def test_with_replicates_names_each_value_it_is_given() -> None:
    replicates = design("clus1").replicate("jk1")
    with pytest.raises(StatsInputError, match="gives 2 values for 1 names"):
        replicates.with_replicates(lambda w: [1.0, 2.0], ["one"], n=1)

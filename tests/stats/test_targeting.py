"""targeting_errors against hand-built R survey estimates, Monte Carlo coverage, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pa_study.stats import StatsInputError, SurveyDesign, TargetingResult, composite_incidence, targeting_errors
from tests.helpers.survey_reference import DESIGNS, FIXTURES, assert_matches, dataset, design, reference

RATES = (
    "inclusion_error",
    "exclusion_error",
    "accuracy",
    "precision",
    "recall",
    "f1",
    "kappa",
    "wrongful_exit_rate",
    "missed_rate",
)
INDICATORS = dict(registered="registered", eligible="eligible", exited="exited", wrongly_exited="wrongly_exited")


def _compare(result: TargetingResult, key: str, df: int) -> None:
    table = result.to_frame().set_index("rate")
    for rate in RATES:
        ours = table.loc[[rate], ["estimate", "se", "ci_low", "ci_high"]].assign(df=df)
        assert_matches(ours.reset_index(drop=True), reference(f"{key}/targeting/{rate}"))


@pytest.mark.parametrize("key", ["strat", "clus1", "stratclus"])
def test_design_based_rates_match_r(key: str) -> None:
    des = design(key)
    _compare(targeting_errors(design=des, **INDICATORS), key, des.df)


@pytest.mark.parametrize("key", ["srs_unweighted", "srs_weighted"])
def test_rates_without_a_design_match_r(key: str) -> None:
    data = dataset("apiclus1")
    weight = data["pw"] if key == "srs_weighted" else None
    result = targeting_errors(
        data["registered"],
        data["eligible"],
        weight=weight,
        exited=data["exited"],
        wrongly_exited=data["wrongly_exited"],
    )
    _compare(result, key, len(data) - 1)


def test_rates_follow_their_definitions_and_denominators() -> None:
    # Unweighted toy register: 4 registered (1 not eligible), 3 eligible unregistered of 6
    # unregistered; 2 exited, 1 of them wrongly.
    registered = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], dtype=bool)
    eligible = np.array([1, 1, 1, 0, 1, 1, 1, 0, 0, 0], dtype=bool)
    exited = np.array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1])
    wrong = np.array([0, 0, 0, 0, 0, 0, 0, 0, 1, 0])
    r = targeting_errors(registered, eligible, exited=exited, wrongly_exited=wrong)
    assert r.inclusion_error.estimate == pytest.approx(1 / 4)
    assert r.exclusion_error.estimate == pytest.approx(3 / 6)
    assert r.missed_rate.estimate == pytest.approx(3 / 6)
    assert r.precision.estimate == pytest.approx(3 / 4)
    assert r.recall.estimate == pytest.approx(3 / 6)
    assert r.f1.estimate == pytest.approx(2 * 0.75 * 0.5 / 1.25)
    assert r.accuracy.estimate == pytest.approx(6 / 10)
    p_e = 0.4 * 0.6 + 0.6 * 0.4
    assert r.kappa.estimate == pytest.approx((0.6 - p_e) / (1 - p_e))
    assert r.wrongful_exit_rate.estimate == pytest.approx(1 / 2)
    # n counts the sampled households in each rate's denominator.
    assert [r.inclusion_error.n, r.exclusion_error.n, r.missed_rate.n, r.accuracy.n] == [4, 6, 6, 10]
    assert r.confusion.loc["registered", "not eligible"] == 1
    assert r.confusion.to_numpy().sum() == 10


def test_thresholds_and_verdicts() -> None:
    des = design("strat")
    # Estimates: inclusion 0.183 (CI 0.103-0.263), exclusion 0.0054 (CI up to 0.016),
    # missed 0.0054 (CI up to 0.016).
    result = targeting_errors(
        "registered", "eligible", design=des, thresholds={"inclusion_error": 0.1, "missed_rate": 0.01}
    )
    table = result.to_frame().set_index("rate")
    verdicts = table.loc[["inclusion_error", "exclusion_error", "missed_rate"], ["threshold", "verdict", "verdict_ci"]]
    assert verdicts.to_dict("index") == {
        "inclusion_error": {"threshold": 0.1, "verdict": "fail", "verdict_ci": "fail"},
        "exclusion_error": {"threshold": 0.02, "verdict": "pass", "verdict_ci": "pass"},
        "missed_rate": {"threshold": 0.01, "verdict": "pass", "verdict_ci": "inconclusive"},
    }
    assert np.isnan(table.loc["accuracy", "threshold"])
    assert result.wrongful_exit_rate is None and "wrongful_exit_rate" not in table.index
    assert (
        targeting_errors("registered", "eligible", design=des, thresholds=0.5).inclusion_error.extra["verdict"]
        == "pass"
    )


# ------------------------------------------------------------------ Monte Carlo -------------


def test_monte_carlo_rates_unbiased_and_cover() -> None:
    """Villages sampled within townships; true rates are the finite-population values."""
    rng = np.random.default_rng(7)
    n_strata, villages, take = 4, 60, 25
    size = rng.integers(15, 40, n_strata * villages)
    village = np.repeat(np.arange(n_strata * villages), size)
    stratum = village // villages
    # Village-level targeting quality varies: errors are clustered, as they are in practice.
    quality = rng.normal(0, 0.5, n_strata * villages)[village]
    eligible = rng.random(len(village)) < 0.3
    p_register = 1 / (1 + np.exp(-np.where(eligible, 2.0 + quality, -2.0 + quality)))
    registered = rng.random(len(village)) < p_register
    exited = registered & (rng.random(len(village)) < 0.5)
    wrong = exited & (rng.random(len(village)) < 1 / (1 + np.exp(1.5 - quality)))
    truth = {
        "inclusion_error": (registered & ~eligible).sum() / registered.sum(),
        "exclusion_error": (eligible & ~registered).sum() / eligible.sum(),
        "wrongful_exit_rate": wrong.sum() / exited.sum(),
        "missed_rate": (eligible & ~registered).sum() / (~registered).sum(),
    }
    rows = [np.flatnonzero(village == v) for v in range(n_strata * villages)]
    reps = 800
    est = {k: np.empty(reps) for k in truth}
    hit = {k: np.empty(reps, dtype=bool) for k in truth}
    for r in range(reps):
        chosen = [
            v for h in range(n_strata) for v in rng.choice(np.arange(h * villages, (h + 1) * villages), take, False)
        ]
        idx = np.concatenate([rows[v] for v in chosen])
        sample = pd.DataFrame({"h": stratum[idx], "v": village[idx], "w": villages / take, "N": villages})
        des = SurveyDesign(sample, weight="w", strata="h", psu="v", fpc="N")
        result = targeting_errors(
            registered[idx], eligible[idx], design=des, exited=exited[idx], wrongly_exited=wrong[idx]
        )
        for k, t in truth.items():
            e = getattr(result, k)
            est[k][r], hit[k][r] = e.estimate, e.ci_low <= t <= e.ci_high
    for k, t in truth.items():
        mc_se = est[k].std(ddof=1) / np.sqrt(reps)
        assert abs(est[k].mean() - t) < 3 * mc_se, k
        assert 0.93 <= hit[k].mean() <= 0.97, (k, hit[k].mean())


# ------------------------------------------------------------------ bad input --------------


def test_bad_input_raises() -> None:
    ones = np.ones(4)
    with pytest.raises(StatsInputError, match="must be binary"):
        targeting_errors([1, 0, 2, 1], [1, 0, 1, 1])
    with pytest.raises(StatsInputError, match="missing"):
        targeting_errors([1, 0, np.nan, 1], [1, 0, 1, 1])
    with pytest.raises(StatsInputError, match="non-empty"):
        targeting_errors([], [])
    with pytest.raises(StatsInputError, match="zero, negative"):
        targeting_errors([1, 0, 1, 1], [1, 0, 1, 1], weight=[1, 0, 1, 1])
    with pytest.raises(StatsInputError, match="no unregistered households"):
        targeting_errors(ones, [1, 0, 1, 1])
    with pytest.raises(StatsInputError, match="wrongly_exited but not exited"):
        targeting_errors([1, 0, 1, 0], [1, 0, 1, 1], exited=[0, 0, 1, 0], wrongly_exited=[1, 0, 1, 0])
    with pytest.raises(StatsInputError, match="both exited= and wrongly_exited="):
        targeting_errors([1, 0, 1, 0], [1, 0, 1, 1], exited=[0, 0, 1, 0])
    with pytest.raises(StatsInputError, match="no exited households"):
        targeting_errors([1, 0, 1, 0], [1, 0, 1, 1], exited=[0] * 4, wrongly_exited=[0] * 4)
    with pytest.raises(StatsInputError, match="unknown rate"):
        targeting_errors([1, 0, 1, 0], [1, 0, 1, 1], thresholds={"accuracy": 0.9})
    with pytest.raises(StatsInputError, match="needs design="):
        targeting_errors("registered", "eligible")
    with pytest.raises(StatsInputError, match="not both"):
        targeting_errors("registered", "eligible", design=design("strat"), weight=ones)


@pytest.mark.parametrize("case", ["strat/households", "strat/persons", "clus1/households", "clus1/persons"])
def test_composite_incidence_matches_svycontrast_of_totals(case: str) -> None:
    ref = pd.read_csv(FIXTURES / "composite_incidence_reference.csv").set_index("case").loc[case]
    key, unit = case.split("/")
    data = dataset("apistrat" if key == "strat" else "apiclus1")
    data = data.assign(
        remaining=(data["api00"] < 550).astype(float),
        exited=((data["api00"] >= 550) & (data["api00"] < 700)).astype(float),
        missed=((data["api00"] >= 700) & (data["meals"] > 40)).astype(float),
        size=data["enroll"] / 100,
    )
    data["evaluated"] = data["exited"] * (data["stype"] != "E")
    data["wrongly"] = data["evaluated"] * (data["meals"] > 50)
    des = (
        SurveyDesign(data, **DESIGNS[key][1])
        if key == "clus1"
        else SurveyDesign(data, weight="pw", strata="stype", fpc="fpc")
    )
    result = composite_incidence(
        des,
        remaining="remaining",
        missed="missed",
        exited="exited",
        wrongly_exited="wrongly",
        evaluated="evaluated",
        size="size" if unit == "persons" else None,
    )
    assert (result.estimate, result.se) == pytest.approx((ref["estimate"], ref["se"]), rel=1e-8)


def test_composite_incidence_refuses_inconsistent_groups() -> None:
    data = pd.DataFrame({"w": [1.0] * 4, "a": [1, 0, 0, 0], "b": [1, 0, 0, 0], "c": [0, 1, 1, 0]})
    des = SurveyDesign(data, weight="w")
    with pytest.raises(StatsInputError, match="mutually exclusive"):
        composite_incidence(des, remaining="a", missed="b", exited="c", wrongly_exited="b")
    with pytest.raises(StatsInputError, match="must be evaluated"):
        composite_incidence(des, remaining="a", missed=[0, 0, 0, 0], exited="c", wrongly_exited="b")
    plain = composite_incidence(des, remaining="a", missed=[0, 0, 0, 1], exited="c", wrongly_exited=[0, 1, 0, 0])
    assert plain.estimate == pytest.approx((1 + 1 + 0.5 * 2) / 4) and plain.extra["wrongful_exit_rate"] == 0.5


def test_undefined_rates_can_be_left_out_while_the_defined_ones_are_estimated() -> None:
    # Nobody registered: inclusion error and precision have no denominator; kappa is 0.
    result = targeting_errors([0, 0, 0, 0, 0], [1, 0, 0, 1, 0], undefined="omit")
    assert result.inclusion_error is None and result.precision is None
    assert set(result.undefined) == {"inclusion_error", "precision"}
    assert result.kappa.estimate == pytest.approx(0.0, abs=1e-12)
    assert "no registered households" in result.undefined["inclusion_error"]
    assert result.exclusion_error.estimate == pytest.approx(1.0)
    assert result.missed_rate.estimate == pytest.approx(2 / 5)
    assert result.accuracy.estimate == pytest.approx(3 / 5)
    assert "inclusion_error" not in result.to_frame()["rate"].tolist()
    # Nobody registered and nobody eligible: no variation, so chance agreement is 1 and kappa undefined.
    constant = targeting_errors([0, 0, 0], [0, 0, 0], undefined="omit")
    assert constant.kappa is None and "chance agreement is 1" in constant.undefined["kappa"]
    assert constant.accuracy.estimate == 1.0


def test_rates_over_a_domain_keep_the_whole_design() -> None:
    # Households whose eligibility is unknown (missing) stay in the design with zero influence:
    # the point estimates are those of the known households, the SEs those of domain estimation.
    data = dataset("apiclus1").assign(
        eligible=lambda d: d["eligible"].where(d.index % 7 != 0), known=lambda d: d["eligible"].notna()
    )
    des = SurveyDesign(data, weight="pw", psu="dnum", fpc="fpc")
    within = targeting_errors("registered", "eligible", design=des, domain="known")
    subset = SurveyDesign(data[data["known"]], weight="pw", psu="dnum", fpc="fpc")
    alone = targeting_errors("registered", "eligible", design=subset)
    for name in ("inclusion_error", "exclusion_error", "accuracy", "kappa", "missed_rate"):
        assert getattr(within, name).estimate == pytest.approx(getattr(alone, name).estimate, rel=1e-12), name
        assert getattr(within, name).n == getattr(alone, name).n
    masked = des.assign(
        fn=(data["eligible"].fillna(0) * (1 - data["registered"])).to_numpy(),
        unreg=((1 - data["registered"]) * data["known"]).to_numpy(),
    )
    assert within.missed_rate.se == pytest.approx(masked.ratio("fn", "unreg").se, rel=1e-12)
    assert within.confusion.to_numpy().sum() == pytest.approx(des.weights[data["known"]].sum())
    with pytest.raises(StatsInputError, match=r"eligible \('eligible'\) has 27 missing"):
        targeting_errors("registered", "eligible", design=des)
    with pytest.raises(StatsInputError, match="domain holds no household"):
        targeting_errors("registered", "eligible", design=des, domain=np.zeros(len(data)))

"""SurveyDesign against R's survey package (fixtures), Monte Carlo coverage, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pa_study.stats import Estimate, StatsInputError, SurveyDesign, korn_graubard_interval
from tests.helpers.survey_reference import FIXTURES, assert_matches, dataset, design, reference, reference_cases

# ------------------------------------------------------------------ R reference ------------

SURVEY_CASES = [
    c for c in reference_cases() if any(f"/{kind}" in c for kind in ("mean/", "total/", "proportion/", "ratio/"))
]
GLM_CASES = reference_cases(contains="/glm/")


def _split(case: str) -> tuple[str, str | None, list[str]]:
    """'clus1/by_stype/mean/api00' -> ('clus1', 'stype', ['mean', 'api00'])."""
    key, *rest = case.split("/")
    by = rest.pop(0)[3:] if rest[0].startswith("by_") else None
    return key, by, rest


def _estimate_rows(result: Estimate | pd.DataFrame) -> pd.DataFrame:
    if isinstance(result, Estimate):
        return result.to_frame()
    return result


def _ours(case: str) -> pd.DataFrame:
    key, by, (stat, *variables) = _split(case)
    des = design(key)
    if stat == "ratio":
        result = des.ratio(*variables, by=by, na_rm=True)
    else:
        result = getattr(des, stat)(variables[0], by=by, na_rm=True)
    rows = _estimate_rows(result)
    rows["df"] = des.df
    return rows


def _align(ours: pd.DataFrame, ref: pd.DataFrame, case: str) -> pd.DataFrame:
    """Order our rows like R's names ('E', 'sch_wideYes', 'No:sch_wideYes', ...)."""
    key, by, (stat, var, *_) = _split(case)
    if len(ours) == 1:
        return ours
    keys = []
    for name in ref["name"]:
        domain, _, level = name.rpartition(":") if by and ":" in name else (name, "", "")
        if stat == "proportion" and var in ours.columns:  # categorical: one row per level
            level = (level or name).removeprefix(var)
            match = ours[var].astype(str) == level
            if by:
                match &= ours[by].astype(str) == domain
        else:
            match = ours[by].astype(str) == name
        assert match.sum() == 1, f"{case}: no unique row for R's {name!r}"
        keys.append(int(np.flatnonzero(match)[0]))
    return ours.iloc[keys].reset_index(drop=True)


@pytest.mark.parametrize("case", SURVEY_CASES)
def test_estimates_match_r_survey(case: str) -> None:
    ref = reference(case)
    assert_matches(_align(_ours(case), ref, case), ref)


def _r_term(term: str) -> str:
    """patsy term name -> R coefficient name ('stype[T.H]' -> 'stypeH')."""
    if term == "Intercept":
        return "(Intercept)"
    return term.replace("[T.", "").replace("]", "")


@pytest.mark.parametrize("case", GLM_CASES)
def test_regression_matches_svyglm(case: str) -> None:
    key, _, (_, family) = _split(case)
    formula = {"gaussian": "api00 ~ ell + meals + mobility + stype", "binomial": "sch_wide_yes ~ ell + meals + stype"}[
        family
    ]
    fit = design(key).regression(formula, family=family)
    ref = reference(case)
    assert [_r_term(t) for t in fit.params.index] == list(ref["name"])
    ci = fit.conf_int()
    ours = pd.DataFrame(
        {
            "estimate": fit.params.to_numpy(),
            "se": fit.se.to_numpy(),
            "ci_low": ci["ci_low"].to_numpy(),
            "ci_high": ci["ci_high"].to_numpy(),
            "df": fit.df,
        }
    )
    assert_matches(ours, ref)


def test_regression_terms_follow_formula_order() -> None:
    fit = design("strat").regression("api00 ~ meals:ell + stype + meals")
    assert list(fit.params.index) == ["Intercept", "stype[T.H]", "stype[T.M]", "meals", "meals:ell"]
    table = fit.to_frame()
    assert list(table["term"]) == list(fit.params.index)
    assert table["p_value"].between(0, 1).all()


def test_regression_accepts_boolean_response_and_drops_incomplete_rows_on_request() -> None:
    data = dataset("apiclus2").assign(yes=lambda d: d["sch_wide"] == "Yes")
    des = SurveyDesign(data, weight="pw", psu="dnum", fpc="fpc1")
    as_bool = des.regression("yes ~ ell + meals", family="binomial")
    as_float = des.regression("sch_wide_yes ~ ell + meals", family="binomial")
    pd.testing.assert_series_equal(as_bool.params, as_float.params)
    with pytest.raises(StatsInputError, match="na_rm"):
        des.regression("api00 ~ acs_k3")
    assert des.regression("api00 ~ acs_k3", na_rm=True).n == data["acs_k3"].notna().sum()


def test_several_variables_at_once_equal_one_at_a_time() -> None:
    des = design("stratclus")
    together = des.mean(["api00", "growth", "meals"], by="awards")
    for var in ("api00", "growth", "meals"):
        alone = des.mean(var, by="awards")
        rows = together[together["variable"] == var].drop(columns="variable")
        pd.testing.assert_frame_equal(rows.reset_index(drop=True), alone)


def test_ratio_difference_of_domain_means_equals_svyglm_dummy_coefficient() -> None:
    # A saturated regression on a 0/1 dummy has the same influence values for its slope as
    # the difference of the two domain means, so point estimate and SE must agree exactly.
    data = dataset("apistratclus").assign(
        e=lambda d: (d["stype"] == "E").astype(float),
        not_e=lambda d: 1.0 - d["e"],
        y_e=lambda d: d["api00"] * d["e"],
        y_not_e=lambda d: d["api00"] * d["not_e"],
    )
    des = SurveyDesign(data, weight="pw", strata="stype", psu="dnum", fpc="fpc")
    difference = des.ratio_difference(("y_e", "e"), ("y_not_e", "not_e"))
    slope = des.regression("api00 ~ e")
    assert difference.estimate == pytest.approx(slope.params["e"], rel=1e-10)
    assert difference.se == pytest.approx(slope.se["e"], rel=1e-8)
    separate = [des.ratio(n, d).estimate for n, d in (("api00", "enroll"), ("api99", "enroll"))]
    change = des.ratio_difference(("api00", "enroll"), ("api99", "enroll"))
    assert change.estimate == pytest.approx(separate[0] - separate[1], rel=1e-12)
    with pytest.raises(StatsInputError, match="denominator is zero"):
        des.assign(zero=0.0).ratio_difference(("api00", "zero"), ("api99", "enroll"))


@pytest.mark.parametrize("case", ["strat/hi700", "strat/rare", "clus1/sch_wide_yes", "clus1/hi700"])
def test_korn_graubard_interval_matches_svyciprop_beta(case: str) -> None:
    ref = pd.read_csv(FIXTURES / "korn_graubard_reference.csv").set_index("case").loc[case]
    key, var = case.split("/")
    data = dataset("apistrat").assign(rare=lambda d: (d["api00"] > 880).astype(float))
    des = SurveyDesign(data, weight="pw", strata="stype", fpc="fpc") if key == "strat" else design(key)
    mean = des.mean(var)
    assert (mean.estimate, mean.se) == pytest.approx((ref["estimate"], ref["se"]), rel=1e-6)
    low, high = korn_graubard_interval(mean.estimate, mean.se, int(ref["n"]), des.df)
    assert (low, high) == pytest.approx((ref["ci_low"], ref["ci_high"]), rel=1e-6)


def test_korn_graubard_interval_without_events_is_the_exact_binomial_one() -> None:
    # No event among 462 units: R gives NaN; the NCHS rule uses n, i.e. 1 - 0.025^(1/462).
    low, high = korn_graubard_interval(0.0, 0.0, 462, 40)
    assert low == 0.0
    assert high == pytest.approx(1 - 0.025 ** (1 / 462), rel=1e-9)
    with pytest.raises(StatsInputError, match="proportion"):
        korn_graubard_interval(1.2, 0.1, 10, 5)


def test_domain_estimate_is_not_a_subset_estimate() -> None:
    # Subsetting would drop the PSUs without members of the domain (and change degrees of
    # freedom); on the full design they stay in with zero influence.
    des = design("clus1")
    domain = des.mean("api00", by="stype").set_index("stype").loc["H"]
    subset = SurveyDesign(dataset("apiclus1").query("stype == 'H'"), weight="pw", psu="dnum", fpc="fpc").mean("api00")
    assert domain["estimate"] == pytest.approx(subset.estimate, rel=1e-12)
    assert domain["se"] != pytest.approx(subset.se, rel=1e-3)


def test_domain_without_observed_values_raises_instead_of_r_zero() -> None:
    # R's svyby(~acs_k3, ~stype, na.rm=TRUE) reports 0 (SE 0) for the middle and high school
    # domains, where K-3 class size is never observed; that number is not a mean of anything.
    with pytest.raises(StatsInputError, match="acs_k3.*domain stype='H'"):
        design("strat").mean("acs_k3", by="stype", na_rm=True)


def test_result_objects_become_table_rows() -> None:
    est = design("strat").mean("api00")
    assert est.name == "mean(api00)" and est.df == 197 and est.n == 200
    row = est.to_frame()
    assert list(row[["estimate", "se", "ci_low", "ci_high", "n"]].columns)
    table = design("strat").total("enroll", by="stype", na_rm=True)
    assert list(table.columns) == ["stype", "estimate", "se", "ci_low", "ci_high", "n"]


def test_design_summary_attributes() -> None:
    des = design("stratclus")
    assert des.n_strata == 3 and des.n_psu == 36 and des.df == 33
    assert "df=33" in repr(des)
    with pytest.raises(ValueError):
        des.weights[0] = 1.0


def test_fully_enumerated_stratum_is_not_lonely() -> None:
    # One PSU sampled out of a population of one (fpc) is a certainty stratum, as in R.
    data = pd.DataFrame(
        {
            "h": [1, 1, 1, 2, 2],
            "psu": [1, 2, 3, 4, 4],
            "N": [10, 10, 10, 1, 1],
            "w": [3.0, 3.0, 3.0, 1.0, 1.0],
            "y": [1.0, 2.0, 4.0, 5.0, 7.0],
        }
    )
    des = SurveyDesign(data, weight="w", strata="h", psu="psu", fpc="N")
    only_first = SurveyDesign(data.iloc[:3], weight="w", psu="psu", fpc="N").total("y")
    assert des.total("y").se == pytest.approx(only_first.se, rel=1e-12)


# ------------------------------------------------------------------ Monte Carlo -------------


def _population(rng: np.random.Generator) -> pd.DataFrame:
    """4 strata x 60 villages of 8-30 households; income has village and stratum effects."""
    size = rng.integers(8, 31, 4 * 60)
    village = np.repeat(np.arange(4 * 60), size)
    level = 10 + 3 * (np.arange(4 * 60) // 60) + rng.normal(0, 2, 4 * 60)
    return pd.DataFrame(
        {"stratum": village // 60, "village": village, "income": level[village] + rng.gamma(2.0, 2.0, len(village))}
    )


def test_monte_carlo_mean_is_unbiased_and_covers() -> None:
    rng = np.random.default_rng(20240601)
    population = _population(rng)
    truth = population["income"].mean()
    rows = [np.flatnonzero(population["village"] == v) for v in range(4 * 60)]
    take, reps = 15, 1000  # 15 of 60 villages per stratum: the fpc matters (f = 1/4)
    estimates, covered = np.empty(reps), np.empty(reps, dtype=bool)
    for r in range(reps):
        chosen = [v for h in range(4) for v in rng.choice(np.arange(h * 60, h * 60 + 60), take, replace=False)]
        sample = population.iloc[np.concatenate([rows[v] for v in chosen])]
        sample = sample.assign(w=60 / take, N=60)
        est = SurveyDesign(sample, weight="w", strata="stratum", psu="village", fpc="N").mean("income")
        estimates[r], covered[r] = est.estimate, est.ci_low <= truth <= est.ci_high
    mc_se = estimates.std(ddof=1) / np.sqrt(reps)
    assert abs(estimates.mean() - truth) < 3 * mc_se
    assert 0.93 <= covered.mean() <= 0.97


# ------------------------------------------------------------------ bad input --------------


def _toy() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "h": ["a", "a", "b", "b", "c", "c"],
            "psu": [1, 2, 1, 2, 1, 2],
            "w": [1.0, 2.0, 1.5, 1.0, 2.0, 2.5],
            "y": [1.0, 0.0, 1.0, 1.0, 0.0, 1.0],
            "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "N": [5, 5, 4, 4, 9, 9],
        }
    )


@pytest.mark.parametrize(
    ("change", "kwargs", "message"),
    [
        (lambda d: d.iloc[:0], {}, "empty"),
        (lambda d: d.assign(w=[1.0, 0.0, 1, 1, 1, 1]), {}, "zero, negative"),
        (lambda d: d.assign(w=[1.0, -2.0, 1, 1, 1, 1]), {}, "zero, negative"),
        (lambda d: d.assign(w=[1.0, np.nan, 1, 1, 1, 1]), {}, "'w' has 1 missing"),
        (lambda d: d.assign(h=["a", None, "b", "b", "c", "c"]), {}, "'h' has 1 missing"),
        (lambda d: d.assign(psu=[1, 2, np.nan, 2, 1, 2]), {}, "'psu' has 1 missing"),
        (lambda d: d.assign(N=[5, 5, np.nan, 4, 9, 9]), {"fpc": "N"}, "'N' has 1 missing"),
        (lambda d: d.assign(N=[5, 6, 4, 4, 9, 9]), {"fpc": "N"}, "not constant within stratum 'a'"),
        (lambda d: d.assign(N=[0.5] * 6), {"fpc": "N"}, "not a sampling fraction"),
        (lambda d: d.assign(psu=[1, 2, 1, 1, 1, 2]), {}, "stratum 'b'.*single PSU"),
        (lambda d: d, {"lonely_psu": "remove"}, "lonely_psu must be"),
        (lambda d: d, {"weight": "nope"}, "'nope' is not in the data"),
    ],
)
def test_bad_design_input_raises(change, kwargs, message) -> None:
    options = dict(weight="w", strata="h", psu="psu") | kwargs
    with pytest.raises(StatsInputError, match=message):
        SurveyDesign(change(_toy()), **options)


def test_single_psu_without_strata_and_no_df_raise() -> None:
    data = _toy().assign(psu=1)
    with pytest.raises(StatsInputError, match="single PSU"):
        SurveyDesign(data, weight="w", psu="psu")
    with pytest.raises(StatsInputError, match="no degrees of freedom"):
        SurveyDesign(data, weight="w", psu="psu", lonely_psu="adjust")


def test_bad_analysis_input_raises() -> None:
    des = SurveyDesign(
        _toy().assign(z=[1.0, np.nan, 2, 3, 4, 5], s=list("pqpqpq"), k=[0, 1, 2, 0, 1, 1]),
        weight="w",
        strata="h",
        psu="psu",
    )
    with pytest.raises(StatsInputError, match="'z' has 1 missing.*na_rm"):
        des.mean("z")
    assert np.isfinite(des.mean("z", na_rm=True).se)
    with pytest.raises(StatsInputError, match="must be binary"):
        des.proportion("k")
    with pytest.raises(StatsInputError, match="must be binary"):
        des.regression("k ~ x", family="binomial")
    with pytest.raises(StatsInputError, match="not numeric"):
        des.mean("s")
    with pytest.raises(StatsInputError, match="denominator is zero"):
        des.assign(zero=0.0).ratio("x", "zero")
    with pytest.raises(StatsInputError, match="rank deficient"):
        des.assign(x2=lambda d: 2 * d["x"]).regression("y ~ x + x2")
    with pytest.raises(StatsInputError, match="cannot replace design column"):
        des.assign(w=1.0)
    with pytest.raises(StatsInputError, match="level"):
        des.mean("x", level=95)
    with pytest.raises(StatsInputError, match="family"):
        des.regression("y ~ x", family="poisson")


@pytest.mark.parametrize(
    "response, message",
    [([0] * 20, "takes a single value"), ([0] * 10 + [1] * 10, "cannot be fitted")],
    ids=["constant", "perfect-separation"],
)
def test_degenerate_logistic_regression_is_refused(response, message):
    data = pd.DataFrame(
        {
            "y": response,
            "x": np.arange(20.0),
            "w": 1.0,
            "s": [1] * 10 + [2] * 10,
            "p": np.repeat(np.arange(10), 2),
        }
    )
    design = SurveyDesign(data, weight="w", strata="s", psu="p")
    with pytest.raises(StatsInputError, match=message):
        design.regression("y ~ x", family="binomial")

"""SurveyDesign against R's survey package (fixtures), Monte Carlo coverage, and bad input."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from pa_study.stats import Estimate, StatsInputError, SurveyDesign, kish_deff, korn_graubard_interval
from tests.helpers.survey_reference import (
    DESIGNS,
    FIXTURES,
    POP_SCH_WIDE,
    POP_STYPE,
    SE_RTOL,
    assert_matches,
    dataset,
    design,
    reference,
    reference_cases,
)

# ------------------------------------------------------------------ R reference ------------

# Cases of R's rake() variance ("_rakeR"), whose approximation pa_study does not follow, and the
# special cases (design effects, domain degrees of freedom, quantiles) have their own tests.
SPECIAL = ("/deff/", "/domaindf/", "/quantile", "_rakeR/")
SURVEY_CASES = [
    c
    for c in reference_cases()
    if any(f"/{kind}" in c for kind in ("mean/", "total/", "proportion/", "ratio/"))
    and not any(s in c for s in SPECIAL)
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


def _ours(case: str, **options: object) -> pd.DataFrame:
    key, by, (stat, *variables) = _split(case)
    des = design(key)
    if stat == "ratio":
        result = des.ratio(*variables, by=by, na_rm=True, **options)
    else:
        result = getattr(des, stat)(variables[0], by=by, na_rm=True, **options)
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


DEFF_CASES = reference_cases(contains="/deff/")


@pytest.mark.parametrize("case", DEFF_CASES)
def test_design_effects_match_r_deff(case: str) -> None:
    ref = reference(case)
    ours = _align(_ours(case.replace("/deff", ""), deff=True), ref, case.replace("/deff", ""))
    assert_matches(ours, ref)
    np.testing.assert_allclose(ours["deff"], ref["deff"], rtol=SE_RTOL)
    np.testing.assert_allclose(ours["n_effective"], ours["n"] / ours["deff"], rtol=1e-12)


def test_single_estimate_carries_deff_and_effective_n() -> None:
    est = design("clus2_2stage").mean("api00", deff=True)
    ref = reference("clus2_2stage/deff/mean/api00")
    assert est.deff == pytest.approx(ref["deff"][0], rel=SE_RTOL)
    assert est.n_effective == pytest.approx(est.n / est.deff, rel=1e-12)
    assert design("clus2_2stage").mean("api00").deff is None
    assert design("clus2_2stage").mean("api00", deff="replace").deff < est.deff  # no fpc in the SRS variance


def test_a_design_can_report_design_effects_with_every_estimate() -> None:
    des = design("clus2_2stage").with_design_effects()
    mean = des.mean("api00")
    assert mean.deff == pytest.approx(reference("clus2_2stage/deff/mean/api00")["deff"][0], rel=SE_RTOL)
    assert mean.extra["kish_deff"] == pytest.approx(kish_deff(des.weights))
    assert des.mean("api00", deff=False).deff is None
    # An intercept-only regression is the mean: same influence, same design effect.
    fit = des.regression("api00 ~ 1")
    assert fit.deff["Intercept"] == pytest.approx(mean.deff, rel=1e-9)
    data = des.data
    influence = des.weights * (data["api00"] - mean.estimate) / des.weights.sum()
    assert des.linearized("m", mean.estimate, influence, n=des.n).deff == pytest.approx(mean.deff, rel=1e-12)
    assert design("clus2_2stage").regression("api00 ~ 1").deff is None
    with pytest.raises(StatsInputError, match="deff must be"):
        des.with_design_effects("srs")


# Design effects R reports for neither (tests/fixtures/stats/make_deff_reference.R): regression
# coefficients (svytotal(deff = TRUE) of R's own influence values) and Woodruff quantiles (the
# design effect of the share at or below the quantile).
DEFF_REFERENCE = pd.read_csv(FIXTURES / "deff_reference.csv")


@pytest.mark.parametrize("key", ["clus2_2stage", "twostage"])
@pytest.mark.parametrize(("family", "r_family"), [("gaussian", "gaussian"), ("binomial", "quasibinomial")])
def test_regression_design_effects_match_r_influence_totals(key: str, family: str, r_family: str) -> None:
    formula = ("api00" if family == "gaussian" else "hi700") + " ~ ell + meals"
    ref = DEFF_REFERENCE[DEFF_REFERENCE["case"] == f"{key}/regression/{r_family}/{formula}"]
    assert len(ref) == 3
    fit = design(key).with_design_effects().regression(formula, family)  # type: ignore[arg-type]
    np.testing.assert_allclose(fit.se.to_numpy(), ref["se"], rtol=SE_RTOL)
    np.testing.assert_allclose(fit.deff.to_numpy(), ref["deff"], rtol=SE_RTOL)


@pytest.mark.parametrize("key", ["clus2_2stage", "twostage"])
def test_quantile_design_effect_is_that_of_its_woodruff_share(key: str) -> None:
    ref = DEFF_REFERENCE[DEFF_REFERENCE["case"].str.startswith(f"{key}/quantile/")].reset_index(drop=True)
    table = design(key).quantile("api00", [0.25, 0.5], deff=True)
    np.testing.assert_allclose(table["estimate"], ref["estimate"], rtol=1e-12)
    np.testing.assert_allclose(table["se"], ref["se"], rtol=SE_RTOL)
    np.testing.assert_allclose(table["deff"], ref["deff"], rtol=SE_RTOL)
    np.testing.assert_allclose(table["n_effective"], table["n"] / table["deff"], rtol=1e-12)
    single = design(key).with_design_effects().quantile("api00", 0.5, deff=None)
    assert single.deff == pytest.approx(ref["deff"][1], rel=SE_RTOL)
    assert single.n_effective == pytest.approx(single.n / single.deff, rel=1e-12)
    # Off unless asked for, as R's svyquantile, even on a design that reports them elsewhere.
    assert design(key).with_design_effects().quantile("api00", 0.5).deff is None


def test_replicate_quantiles_carry_a_design_effect_only_with_woodruff_intervals() -> None:
    des = design("clus1").replicate("bootstrap", replicates=50, seed=1)
    assert des.quantile("api00", 0.5, deff=True).deff > 0
    with pytest.raises(StatsInputError, match="no design effect"):
        des.quantile("api00", 0.5, deff=True, interval="replicate")


@pytest.mark.parametrize("case", reference_cases(contains="/domaindf/"))
def test_domains_that_are_strata_get_their_own_degrees_of_freedom(case: str) -> None:
    key = case.split("/")[0]
    ref = reference(case)
    table = design(key, domain_df="strata").mean("api00", by="stype")
    assert_matches(table.set_index("stype").loc[ref["name"]].reset_index(), ref)
    full = design(key, domain_df="design").mean("api00", by="stype")
    assert (full["df"] == design(key).df).all()


def test_domains_cutting_across_strata_keep_the_design_degrees_of_freedom() -> None:
    des = design("strat", domain_df="strata")
    assert (des.mean("api00", by="awards")["df"] == des.df).all()
    # A union of strata (E with M) counts the PSUs of both: 100 + 50 schools in 2 strata.
    merged = des.assign(level=np.where(dataset("apistrat")["stype"] == "H", "high", "lower"))
    table = merged.mean("api00", by="level").set_index("level")
    assert table.loc["lower", "df"] == 148 and table.loc["high", "df"] == 49
    # Rows outside every domain (E, and one H school) make their stratum's domain cut across it.
    stype = dataset("apistrat")["stype"]
    part = stype.where(stype != "E").where(stype.index != stype.eq("H").idxmax())
    table = des.assign(part=part).mean("api00", by="part").set_index("part")
    assert table.loc["H", "df"] == des.df and table.loc["M", "df"] == 49


QUANTILE_CASES = [c for c in reference_cases(contains="/quantile") if "_jk1" not in c]


@pytest.mark.parametrize("case", QUANTILE_CASES)
def test_quantiles_match_svyquantile_woodruff(case: str) -> None:
    ref = reference(case)
    key, kind, *rest = case.split("/")
    var = rest[-1]
    probs = [float(p) for p in ref["name"]]
    values = dataset(DESIGNS[key][0])[var]
    if kind == "quantile_by_stype":
        table = design(key, domain_df="strata").quantile(var, probs, by="stype", na_rm=True)
        ours = table[table["stype"] == rest[0]].reset_index(drop=True)
        values = values[dataset(DESIGNS[key][0])["stype"] == rest[0]]
    else:
        ours = design(key).quantile(var, probs, na_rm=True).assign(df=design(key).df)
    np.testing.assert_array_equal(ours["df"], ref["df"])
    # Where F -+ t se leaves [0, 1] R gives NaN; the limit here is the smallest / largest value.
    # Where a probability is below the smallest value's share of weight, R's qrule gives the
    # second-smallest value (survey:::last() returns 1 when no cumulative weight is below p); the
    # definition (and this) gives the smallest. Both are checked exactly, the rest against R.
    smallest, second = np.sort(values.dropna().unique())[:2]
    quirk = {c: (ref[c] == second) & (ours[c] == smallest) for c in ("estimate", "ci_low")}
    assert (ours.loc[ref["ci_low"].isna(), "ci_low"] == smallest).all()
    assert (ours.loc[ref["ci_high"].isna(), "ci_high"] == values.max()).all()
    np.testing.assert_allclose(ours["estimate"][~quirk["estimate"]], ref["estimate"][~quirk["estimate"]], rtol=1e-12)
    same = ~(ref["ci_low"].isna() | ref["ci_high"].isna() | quirk["estimate"] | quirk["ci_low"]).to_numpy()
    assert same.any()
    for column in ("ci_low", "ci_high", "se"):
        np.testing.assert_allclose(ours[column][same], ref[column][same], rtol=1e-9)


def test_quantile_ties_follow_the_definition() -> None:
    # 50 high schools of equal weight: F(5th value) = 0.1 exactly, so Q(0.1) is the 5th value.
    # R's svyquantile on subset(design, stype == "H") gives the 6th (472), because its weights
    # 1 / (1 / 15.1) miss 15.1 in the last bit and the cumulative weight falls short of 0.1.
    high = dataset("apistrat").query("stype == 'H'")
    table = design("strat", domain_df="strata").quantile("api00", [0.1, 0.5], by="stype")
    values = np.sort(high["api00"].to_numpy())
    assert list(table.loc[table["stype"] == "H", "estimate"]) == [values[4], values[24]]


def test_quantile_is_the_inverse_of_the_weighted_distribution_function() -> None:
    data = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "w": [1.0, 1.0, 1.0, 1.0]})
    des = SurveyDesign(data, weight="w")
    table = des.quantile("y", [0.0, 0.25, 0.26, 0.5, 0.75, 1.0])
    assert list(table["estimate"]) == [1.0, 1.0, 2.0, 2.0, 3.0, 4.0]
    single = des.quantile("y", 0.5)
    assert single.name == "quantile(y, 0.5)" and single.extra["interval"] == "woodruff"
    with pytest.raises(StatsInputError, match="probabilities must be in"):
        des.quantile("y", 1.5)


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


def _large_sample(n: int, seed: int) -> pd.DataFrame:
    """``n`` rows of a standardised 0-5 score ``y``, a 0/1 group ``g``, a covariate ``x`` and a few
    distinct weights, as a census-size capability table holds them."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 2, n).astype(float)
    w = rng.choice([10.0, 37.5, 90.0, 212.3], n)
    score = rng.integers(0, 6, n) / 5.0 - 0.3 * g
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "y": (score - score.mean()) / score.std(),
            "g": g,
            "x": x,
            "event": (rng.random(n) < 1 / (1 + np.exp(-(0.3 + 0.8 * x)))).astype(float),
            "w": w,
        }
    )


def test_gaussian_regression_is_weighted_least_squares_at_any_n() -> None:
    # On these 20,000 rows statsmodels' Gaussian IRLS with an absolute deviance tolerance of 1e-12
    # never stops: the deviance moves by its rounding error at every iteration. The fit is weighted
    # least squares, whose slope on a 0/1 group is the difference of the weighted group means.
    data = _large_sample(20_000, seed=9)
    fit = SurveyDesign(data, weight="w").regression("y ~ g")
    means = data.groupby("g").apply(lambda d: np.average(d["y"], weights=d["w"]), include_groups=False)
    np.testing.assert_allclose(fit.params.to_numpy(), [means[0.0], means[1.0] - means[0.0]], rtol=1e-10, atol=1e-13)


def test_logistic_regression_stops_at_the_maximum_likelihood() -> None:
    # R's relative convergence rule (epsilon 1e-12) holds at any n and stops at the maximum, where
    # the weighted score equations X'W(y - p) = 0 hold.
    data = _large_sample(20_000, seed=1)
    fit = SurveyDesign(data, weight="w").regression("event ~ x", family="binomial")
    x = np.column_stack([np.ones(len(data)), data["x"]])
    p = 1 / (1 + np.exp(-(x @ fit.params.to_numpy())))
    score = x.T @ (data["w"] / data["w"].mean() * (data["event"] - p))
    np.testing.assert_allclose(score, 0.0, atol=1e-8 * len(data))


def test_text_factor_equals_its_indicator_columns_and_a_missing_level_is_dropped_on_request() -> None:
    # A text column as the cleaned tables hold it (pyarrow strings), with one value missing.
    data = dataset("apistrat").assign(level=lambda d: d["stype"].astype("string[pyarrow]"))
    data.loc[data.index[3], "level"] = pd.NA
    des = SurveyDesign(data, weight="pw", strata="stype", fpc="fpc")
    as_text = des.regression("api00 ~ level + meals", na_rm=True)
    dummies = des.assign(
        high=(data["level"] == "H").astype("Float64").to_numpy(dtype=float, na_value=np.nan),
        middle=(data["level"] == "M").astype("Float64").to_numpy(dtype=float, na_value=np.nan),
    ).regression("api00 ~ high + middle + meals", na_rm=True)
    assert list(as_text.params.index) == ["Intercept", "level[T.H]", "level[T.M]", "meals"]
    np.testing.assert_allclose(as_text.params.to_numpy(), dummies.params.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(as_text.se.to_numpy(), dummies.se.to_numpy(), rtol=1e-10)
    assert as_text.n == len(data) - 1


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


def test_korn_graubard_truncated_never_uses_more_units_than_were_sampled() -> None:
    p, n, df = 0.004, 500, 40
    srs_se = (p * (1 - p) / n) ** 0.5
    # A design effect of 0.5 doubles the effective sample size: truncated, it counts as 1.
    low, high = korn_graubard_interval(p, srs_se * 0.5**0.5, n, df, truncate=True)
    assert (low, high) == pytest.approx(korn_graubard_interval(p, srs_se, n, df), rel=1e-12)
    untruncated = korn_graubard_interval(p, srs_se * 0.5**0.5, n, df)
    assert untruncated[0] > low and untruncated[1] < high
    # Above 1 the design effect is used as it is.
    assert korn_graubard_interval(p, srs_se * 2, n, df, truncate=True) == korn_graubard_interval(p, srs_se * 2, n, df)


def test_korn_graubard_without_events_discounts_n_for_unequal_weights() -> None:
    weights = np.r_[np.ones(300), np.full(162, 4.0)]
    deff = kish_deff(weights)
    assert deff == pytest.approx(462 * (300 + 162 * 16) / (300 + 162 * 4) ** 2)
    _, high = korn_graubard_interval(0.0, 0.0, 462, 40, kish_deff=deff)
    assert high == pytest.approx(1 - 0.025 ** (deff / 462), rel=1e-9)
    assert high > korn_graubard_interval(0.0, 0.0, 462, 40)[1]
    # With events the design-based SE carries the design effect and kish_deff is not used.
    assert korn_graubard_interval(0.1, 0.02, 462, 40, kish_deff=deff) == korn_graubard_interval(0.1, 0.02, 462, 40)
    with pytest.raises(StatsInputError, match="kish_deff must be at least 1"):
        korn_graubard_interval(0.0, 0.0, 462, 40, kish_deff=0.5)
    with pytest.raises(StatsInputError, match="non-negative"):
        kish_deff([])


# ------------------------------------------------------------------ multistage --------------


def test_multistage_without_fpc_is_the_first_stage_alone() -> None:
    # R's svyrecvar recurses into later stages only when fpc is given (ultimate cluster otherwise).
    two = SurveyDesign(dataset("apiclus2"), weight="pw", psu=["dnum", "snum"])
    one = SurveyDesign(dataset("apiclus2"), weight="pw", psu="dnum")
    assert two.mean("api00").se == one.mean("api00").se and two.n_stages == 1
    staged = design("clus2_2stage")
    assert staged.n_stages == 2 and "stages=2" in repr(staged)
    # The second stage adds the within-district variance the first-stage fpc had shrunk.
    assert staged.mean("api00").se > design("clus2").mean("api00").se


def test_second_stage_strata_are_read_within_the_first_stage_unit() -> None:
    data = dataset("apitwostage")
    nested = data.assign(dgrp=data["dnum"].astype(str) + ":" + data["grp"])
    ours = design("twostage").total("enroll", na_rm=True)
    again = SurveyDesign(nested, weight="pw", strata=["stype", "dgrp"], psu=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    assert again.total("enroll", na_rm=True).se == pytest.approx(ours.se, rel=1e-12)


def _two_stage_toy() -> pd.DataFrame:
    """2 townships x 2 villages x 2 groups x 2 households."""
    return pd.DataFrame(
        {
            "h": np.repeat(["a", "b"], 8),
            "v": np.repeat([1, 2, 3, 4], 4),
            "g": np.tile(["r", "r", "o", "o"], 4),
            "id": range(16),
            "N1": np.repeat([5, 6], 8),
            "N2": np.repeat([3, 4, 2, 5, 3, 3, 2, 2], 2),
            "w": 1.0,
            "y": np.arange(16.0),
        }
    )


def _set(column: str, row: int, value: object) -> Callable[[pd.DataFrame], pd.DataFrame]:
    return lambda d: d.assign(**{column: [value if i == row else x for i, x in enumerate(d[column])]})


@pytest.mark.parametrize(
    ("change", "kwargs", "message"),
    [
        (
            lambda d: d.assign(N2=d["N2"].where(d["v"] != 2, 1)),
            {},
            r"'N2' gives population size 1 for stratum 'r'.*"
            r"within v=2, fewer than the 2 unit\(s\) sampled",
        ),
        (lambda d: d.assign(N1=1), {}, r"'N1' gives population size 1 for stratum 'a'.*fewer than the 2 PSU"),
        (_set("N2", 7, 9), {}, r"'N2' is not constant within stratum 'o' of strata column 'g' within v=2: 5 and 9"),
        (_set("id", 3, None), {}, "psu column 'id' has 1 missing"),
        (_set("v", 5, None), {}, "psu column 'v' has 1 missing"),
        (_set("g", 5, None), {}, "strata column 'g' has 1 missing"),
        (_set("N2", 5, None), {}, "fpc column 'N2' has 1 missing"),
        (lambda d: d, {"fpc": "N1"}, "one column for 2 stages"),
        (lambda d: d, {"fpc": ["N1"]}, "1 fpc columns for 2 stage"),
        (lambda d: d, {"strata": ["h", "g", "x"]}, "3 strata columns for 2 stage"),
        (lambda d: d, {"psu": ["v", None]}, "must name a column for every stage"),
        (lambda d: d.drop(index=[4]), {}, r"stratum 'r' of strata column 'g' within v=2 has a single sampled stage-2"),
    ],
)
def test_bad_multistage_input_raises(change, kwargs, message) -> None:
    options = dict(weight="w", strata=["h", "g"], psu=["v", "id"], fpc=["N1", "N2"]) | kwargs
    with pytest.raises(StatsInputError, match=message):
        SurveyDesign(change(_two_stage_toy()), **options)
    assert SurveyDesign(_two_stage_toy(), **options | {"fpc": ["N1", "N2"], "strata": ["h", "g"], "psu": ["v", "id"]})


# ------------------------------------------------------------------ calibration -------------


def test_calibrated_weights_reproduce_the_population_counts() -> None:
    raked = design("clus1").rake({"stype": POP_STYPE, "sch_wide": POP_SCH_WIDE})
    data = raked.data.assign(w=raked.weights)
    assert data.groupby("stype")["w"].sum().to_dict() == pytest.approx(POP_STYPE, rel=1e-9)
    assert data.groupby("sch_wide")["w"].sum().to_dict() == pytest.approx(POP_SCH_WIDE, rel=1e-9)
    assert raked.calibrated == ["stype", "sch_wide"] and "calibrated on" in repr(raked)
    np.testing.assert_array_equal(raked.design_weights, design("clus1").weights)
    # A calibrated total of a calibration variable has no sampling error.
    counts = raked.assign(is_e=(data["stype"] == "E").astype(float)).total("is_e")
    assert counts.estimate == pytest.approx(4421) and counts.se < 1e-8 * counts.estimate
    with pytest.raises(StatsInputError, match="cannot replace design column"):
        raked.assign(stype="E")


@pytest.mark.parametrize("key", ["clus1", "clus2_2stage"])
def test_raked_estimates_equal_r_rake_and_variances_r_calibrate(key: str) -> None:
    raked = design(key).rake({"stype": POP_STYPE, "sch_wide": POP_SCH_WIDE})
    for case in (f"{key}_rakeR/mean/api00", f"{key}_rakeR/total/enroll"):
        ref = reference(case)
        ours = _estimate_rows(getattr(raked, case.split("/")[1])(case.split("/")[2], na_rm=True))
        np.testing.assert_allclose(ours["estimate"], ref["estimate"], rtol=1e-9)
    # R's rake() SE approximates the calibration residuals with unweighted means; the SEs here
    # are calibrate()'s (tested above), which differ from rake()'s when weights are unequal.
    calibrate_se = reference(f"{key}_rake/mean/api00")["se"][0]
    assert raked.mean("api00").se == pytest.approx(calibrate_se, rel=SE_RTOL)


@pytest.mark.parametrize(
    ("margins", "message"),
    [
        ({"stype": {"E": 4421, "H": 755}}, r"no count for sampled categor.*'M' \(\d+ rows\)"),
        ({"stype": {**POP_STYPE, "K": 10}}, r"include categor.*'K' \(total 10\) that no sampled row has"),
        ({"stype": {**POP_STYPE, "E": 0}}, "for category 'E' is 0; counts must be positive"),
        ({"stype": {**POP_STYPE, "E": "many"}}, "for category 'E' is 'many'"),
        ({"nope": POP_STYPE}, "calibration column 'nope' is not in the data"),
        ({"acs_k3": {}}, "missing value"),
        ({}, "at least one calibration column"),
        (
            {"stype": POP_STYPE, "sch_wide": {"No": 1072, "Yes": 9000}},
            "totals disagree: they sum 'stype' to 6194, 'sch_wide' to 10072",
        ),
    ],
)
def test_bad_calibration_input_raises(margins, message) -> None:
    with pytest.raises(StatsInputError, match=message):
        design("clus1").rake(margins)


def test_raking_that_cannot_converge_raises() -> None:
    # Every sampled unit of township "b" is registered, but the register has 5 of them where the
    # township has 40: no weights satisfy both margins, and the fitting oscillates.
    data = pd.DataFrame({"town": ["a", "a", "a", "b", "b"], "reg": ["y", "n", "n", "y", "y"], "w": 1.0})
    des = SurveyDesign(data, weight="w")
    margins = {"town": {"a": 60, "b": 40}, "reg": {"y": 5, "n": 95}}
    with pytest.raises(StatsInputError, match=r"did not converge: .*category 'b' of 'town' at 5 instead of 40"):
        des.rake(margins)
    with pytest.raises(StatsInputError, match=r"raking on \['town', 'reg'\] did not converge in 3 iterations"):
        des.rake(margins, max_iter=3)
    with pytest.raises(StatsInputError, match="max_iter must be"):
        des.rake({"town": {"a": 60, "b": 40}}, max_iter=0)


def test_poststratify_accepts_a_series_and_string_labels_for_numeric_categories() -> None:
    des = design("clus1")
    by_series = des.poststratify("stype", pd.Series(POP_STYPE))
    assert by_series.weights.sum() == pytest.approx(sum(POP_STYPE.values()))
    numeric = des.assign(level=dataset("apiclus1")["stype"].map({"E": 1, "H": 2, "M": 3}))
    by_text = numeric.poststratify("level", {"1": 4421, "2": 755, "3": 1018})
    np.testing.assert_allclose(by_text.weights, by_series.weights)


def test_domain_estimate_is_not_a_subset_estimate() -> None:
    # Subsetting would drop the PSUs without members of the domain (and change degrees of
    # freedom); on the full design they stay in with zero influence.
    des = design("clus1")
    domain = des.mean("api00", by="stype").set_index("stype").loc["H"]
    subset = SurveyDesign(dataset("apiclus1").query("stype == 'H'"), weight="pw", psu="dnum", fpc="fpc").mean("api00")
    assert domain["estimate"] == pytest.approx(subset.estimate, rel=1e-12)
    assert domain["se"] != pytest.approx(subset.se, rel=1e-3)


def _assert_same_tables(first: pd.DataFrame, second: pd.DataFrame) -> None:
    """Tables equal to the last bit (NaN where both are NaN)."""
    pd.testing.assert_frame_equal(first, second, check_exact=True)


def test_a_domain_coding_is_reused_and_gives_the_estimates_of_a_fresh_one() -> None:
    des = design("stratclus").with_design_effects()
    first = des.mean(["api00", "api99"], by="stype")
    coding = des._domains("stype")
    again = des.ratio("api00", "api99", by="stype")
    assert des._domains("stype") is coding  # factorised once
    fresh = design("stratclus").with_design_effects()
    _assert_same_tables(first, fresh.mean(["api00", "api99"], by="stype"))
    _assert_same_tables(again, fresh.ratio("api00", "api99", by="stype"))


def test_a_reassigned_column_is_coded_afresh_and_others_keep_their_coding() -> None:
    des = design("clus1")
    des.mean("api00", by="stype")
    des.mean("api00", by="sch_wide")
    flipped = dataset("apiclus1")["stype"].map({"E": "M", "M": "H", "H": "E"})
    changed = des.assign(stype=flipped)
    assert changed._domains("sch_wide") is des._domains("sch_wide")
    assert changed._domains("stype") is not des._domains("stype")
    fresh = SurveyDesign(dataset("apiclus1").assign(stype=flipped), **{"domain_df": "design", **DESIGNS["clus1"][1]})
    _assert_same_tables(changed.mean("api00", by="stype"), fresh.mean("api00", by="stype"))
    # The design it came from still reads its own column.
    _assert_same_tables(des.mean("api00", by="stype"), design("clus1").mean("api00", by="stype"))


def test_assign_takes_columns_by_position_without_copying_and_a_series_stays_apart() -> None:
    des = design("clus1")
    values = dataset("apiclus1")["api00"].to_numpy(dtype=float)
    shuffled = pd.Series(values, index=np.arange(len(values))[::-1])
    text = dataset("apiclus1")["stype"].astype("string")
    ds = des.assign(x=values, y=shuffled, z=text.array)
    assert np.shares_memory(ds.data["x"].to_numpy(), values)  # a census's columns are not copied
    assert ds.data["y"].tolist() == values.tolist()  # by position, not by index
    assert ds.data["z"].dtype == text.dtype
    shuffled.iloc[0] = -1.0
    assert ds.data["y"].iloc[0] == values[0]  # copy-on-write: the caller's Series changes alone
    _assert_same_tables(
        ds.mean(["x", "y"], by="z"), des.assign(x=values.copy(), y=values.copy(), z=text).mean(["x", "y"], by="z")
    )
    with pytest.raises(ValueError):
        des.assign(x=values[1:])


def test_a_calibrated_or_subset_design_estimates_domains_as_a_fresh_one() -> None:
    des = design("clus1")
    des.mean("api00", by="stype")
    calibrated = des.poststratify("stype", POP_STYPE)
    fresh = design("clus1").poststratify("stype", POP_STYPE)
    _assert_same_tables(calibrated.mean("api00", by="stype"), fresh.mean("api00", by="stype"))
    subset = dataset("apiclus1").query("dnum != 413")
    ours = SurveyDesign(subset, weight="pw", psu="dnum", fpc="fpc", domain_df="design")
    assert ours._domains("stype") is not des._domains("stype")
    assert ours._domains("stype").codes.shape == (len(subset),)


def test_domain_sums_skip_rows_in_no_domain_as_summing_the_domain_rows_alone() -> None:
    from pa_study.stats._estimators import Domains
    from pa_study.stats._stages import group_sums

    rng = np.random.default_rng(7)
    codes = rng.integers(-1, 5, 2000)
    domains = Domains("d", codes, list(range(5)))
    keep = codes >= 0
    for k in (1, 3, 6):  # column sums and the sparse product
        values = rng.normal(size=(2000, k))
        values[~keep] = np.nan  # rows outside every domain must not reach any sum
        expected = group_sums(codes[keep], 5, values[keep])
        np.testing.assert_array_equal(domains.sum(values), expected)


def test_rows_as_units_give_the_domain_variances_of_the_general_path() -> None:
    from pa_study.stats._stages import domain_variance, variance

    staged = design("clus2_2stage")
    data = staged.data
    households = SurveyDesign(
        data.assign(hh=np.arange(len(data))),
        weight="pw",
        strata=[None, None],
        psu=["dnum", "hh"],
        fpc=["fpc1", "fpc2"],
    )
    assert households.n_psu == staged.n_psu and households._stages[-1].unit is None
    rng = np.random.default_rng(3)
    x = rng.normal(size=(len(data), 2))
    codes = rng.integers(-1, 3, len(data))
    masked = np.column_stack([x * (codes == d)[:, None] for d in range(3)])
    np.testing.assert_allclose(
        domain_variance(households._stages, x, codes, 3).ravel(),
        variance(households._stages, masked),
        rtol=1e-10,
    )


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
    assert list(table.columns) == ["stype", "estimate", "se", "ci_low", "ci_high", "n", "df"]


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


def _county(rng: np.random.Generator) -> pd.DataFrame:
    """8 townships x 12 villages of 40-100 households. Poverty has township and village effects;
    the register catches the poor imperfectly; income falls with poverty."""
    towns, villages = 8, 12
    size = rng.integers(40, 101, towns * villages)
    village = np.repeat(np.arange(towns * villages), size)
    township = village // villages
    latent = -1.0 + rng.normal(0, 0.8, towns * villages)[village] + rng.normal(0, 0.3, towns)[township]
    latent = latent + rng.normal(0, 1, len(village))
    registered = (latent + rng.normal(0, 0.6, len(village)) > 0.2).astype(int)
    noise = rng.normal(0, 0.3, towns * villages)[village] + rng.normal(0, 0.4, len(village))
    return pd.DataFrame(
        {
            "township": township,
            "village": village,
            "registered": registered,
            "eligible": (latent > 0.3).astype(float),
            "income": np.exp(8.5 - 0.4 * latent + noise),
        }
    )


class _TwoStageSampler:
    """Villages by SRS within townships, then ``take[group]`` households by SRS within each
    register group of a village; both stages' population sizes and the product weight."""

    def __init__(self, county: pd.DataFrame, villages: int, take: dict[int, int]) -> None:
        self.columns = {c: county[c].to_numpy() for c in county.columns}
        self.towns = [np.asarray(v) for v in county.groupby("township")["village"].unique()]
        self.members = county.groupby(["village", "registered"]).indices
        self.villages, self.take = villages, take

    def draw(self, rng: np.random.Generator) -> pd.DataFrame:
        rows, sizes = [], []
        for town in self.towns:
            for v in rng.choice(town, self.villages, replace=False):
                for group, wanted in self.take.items():
                    pool = self.members.get((v, group), np.empty(0, dtype=int))
                    k = min(wanted, len(pool))
                    rows.append(rng.choice(pool, k, replace=False))
                    sizes.append(np.tile([len(town), len(pool), k], (k, 1)))
        index = np.concatenate(rows)
        n1, n2, k = np.vstack(sizes).T
        sample = {c: values[index] for c, values in self.columns.items()}
        missed = sample["eligible"] * (1 - sample["registered"])
        weight = n1 / self.villages * n2 / k
        return pd.DataFrame(sample | {"N1": n1, "N2": n2, "w": weight, "hh": np.arange(len(index)), "missed": missed})


def test_monte_carlo_two_stage_design_matches_the_sampling_spread() -> None:
    # Issue 9, section 3: 5 of 12 villages per township (f = 0.42), 10 registered and 8 other
    # households per village. The two-stage SEs of an error rate (the share of eligible
    # households not registered) and of mean income must match the spread of the estimates over
    # repeated samples within 10% and their 95% intervals cover 93-97%; the one-stage design with
    # the first-stage fpc (what the study used before) understates the error rate's SE.
    rng = np.random.default_rng(20240611)
    county = _county(rng)
    truth = np.array(
        [(county["eligible"] * (1 - county["registered"])).sum() / county["eligible"].sum(), county["income"].mean()]
    )
    sampler = _TwoStageSampler(county, 5, {1: 10, 0: 8})
    reps = 1000
    # Per replication, design (two-stage, one-stage) and statistic (rate, mean): estimate, SE, covered.
    results = np.empty((reps, 2, 2, 3))
    for r in range(reps):
        sample = sampler.draw(rng)
        designs = (
            SurveyDesign(
                sample, weight="w", strata=["township", "registered"], psu=["village", "hh"], fpc=["N1", "N2"]
            ),
            SurveyDesign(sample, weight="w", strata="township", psu="village", fpc="N1"),
        )
        for d, des in enumerate(designs):
            for s, est in enumerate((des.ratio("missed", "eligible"), des.mean("income"))):
                results[r, d, s] = est.estimate, est.se, est.ci_low <= truth[s] <= est.ci_high
    spread = results[:, 0, :, 0].std(axis=0, ddof=1)
    bias = results[:, 0, :, 0].mean(axis=0) - truth
    se_ratio = results[:, :, :, 1].mean(axis=0) / spread  # (design, statistic)
    coverage = results[:, :, :, 2].mean(axis=0)
    assert (np.abs(bias) < 3 * spread / np.sqrt(reps)).all()
    assert ((se_ratio[0] >= 0.9) & (se_ratio[0] <= 1.1)).all(), se_ratio
    assert ((coverage[0] >= 0.93) & (coverage[0] <= 0.97)).all(), coverage
    assert se_ratio[1, 0] < 0.85 and coverage[1, 0] < 0.9, (se_ratio, coverage)


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

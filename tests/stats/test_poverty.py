"""fgt and alkire_foster against hand-built R survey estimates, hand examples and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pa_study.stats import StatsInputError, SurveyDesign, alkire_foster, alkire_foster_curve, fgt
from tests.helpers.survey_reference import assert_matches, dataset, design, reference

KEYS = ["strat", "clus1", "stratclus", "srs_unweighted", "srs_weighted"]
DIMS = ["api00", "full", "pcttest"]
AF = dict(cutoffs={"api00": 650, "full": 85, "pcttest": 98}, weights={"api00": 0.4, "full": 0.3, "pcttest": 0.3}, k=0.6)


def _design_or_arrays(key: str) -> tuple[SurveyDesign | None, pd.DataFrame, object]:
    """The design for design keys; for srs_* keys no design, the apiclus1 data and weights."""
    if key.startswith("srs"):
        data = dataset("apiclus1")
        return None, data, (data["pw"] if key == "srs_weighted" else None)
    des = design(key)
    return des, des.data, None


def _df(des: SurveyDesign | None, data: pd.DataFrame) -> int:
    return des.df if des is not None else len(data) - 1


def _rows(*estimates) -> pd.DataFrame:
    return pd.concat([e.to_frame() for e in estimates], ignore_index=True)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("alpha", [0, 1, 2])
def test_fgt_matches_r(key: str, alpha: int) -> None:
    des, data, weight = _design_or_arrays(key)
    income = "api00" if des is not None else data["api00"]
    est = fgt(income, 650, alpha, design=des, weight=weight)
    assert_matches(_rows(est).assign(df=_df(des, data)), reference(f"{key}/fgt/{alpha}"))
    assert est.extra["alpha"] == alpha


@pytest.mark.parametrize("key", ["strat", "clus1", "stratclus"])
def test_fgt_domains_match_r(key: str) -> None:
    des = design(key)
    for alpha in (0, 1, 2):
        ours = fgt("api00", 650, alpha, design=des, by="stype").assign(df=des.df)
        ref = reference(f"{key}/by_stype/fgt/{alpha}")
        assert list(ours["stype"]) == list(ref["name"])
        assert_matches(ours, ref)


@pytest.mark.parametrize("key", KEYS)
def test_alkire_foster_matches_r(key: str) -> None:
    des, data, weight = _design_or_arrays(key)
    achievements = DIMS if des is not None else data[DIMS]
    result = alkire_foster(achievements, design=des, weight=weight, **AF)
    df = _df(des, data)
    for measure in ("H", "M0", "A"):
        assert_matches(_rows(getattr(result, measure)).assign(df=df), reference(f"{key}/af/{measure}"))
    for table, case in ((result.censored_headcounts, "censored"), (result.contributions, "contribution")):
        assert list(table["dimension"]) == DIMS
        ref = pd.concat([reference(f"{key}/af/{case}/{j}") for j in (1, 2, 3)], ignore_index=True)
        assert_matches(table.assign(df=df), ref)
    assert result.contributions["estimate"].sum() == pytest.approx(1.0)
    assert result.M0.estimate == pytest.approx(result.H.estimate * result.A.estimate)
    long = result.to_frame()
    assert list(long["measure"].unique()) == ["H", "A", "M0", "censored_headcount", "contribution"]


@pytest.mark.parametrize("key", KEYS)
def test_alkire_foster_curve_gives_h_and_m0_of_every_cutoff(key: str) -> None:
    des, data, weight = _design_or_arrays(key)
    achievements = DIMS if des is not None else data[DIMS]
    options = {name: value for name, value in AF.items() if name != "k"}
    ks = [AF["k"], 0.9, 1.0]
    curve = alkire_foster_curve(achievements, design=des, weight=weight, ks=ks, **options).set_index(["k", "measure"])
    result = alkire_foster(achievements, design=des, weight=weight, **AF)
    for measure in ("H", "M0"):
        ours = curve.loc[(AF["k"], measure)]
        theirs = getattr(result, measure)
        assert (ours["estimate"], ours["se"], ours["ci_low"]) == pytest.approx(
            (theirs.estimate, theirs.se, theirs.ci_low)
        )
    assert (
        curve.loc[(1.0, "H"), "estimate"] <= curve.loc[(0.9, "H"), "estimate"] <= curve.loc[(AF["k"], "H"), "estimate"]
    )


def test_alkire_foster_curve_is_zero_where_nobody_is_poor() -> None:
    achievements = pd.DataFrame({"a": [0, 1, 1, 1], "b": [1, 1, 1, 1]})
    curve = alkire_foster_curve(achievements, cutoffs=[1, 1], weights=[0.5, 0.5], ks=[0.5, 1.0])
    assert curve["estimate"].tolist() == pytest.approx([0.25, 0.125, 0.0, 0.0])
    with pytest.raises(StatsInputError, match="nobody is multidimensionally poor"):
        alkire_foster(achievements, cutoffs=[1, 1], weights=[0.5, 0.5], k=1.0)


def test_fgt_hand_example_and_strict_line() -> None:
    income = np.array([1.0, 2.0, 3.0, 4.0, 5.0])  # 5 is at the line: not poor
    assert fgt(income, 5, 0).estimate == pytest.approx(4 / 5)
    assert fgt(income, 5, 1).estimate == pytest.approx((0.8 + 0.6 + 0.4 + 0.2) / 5)
    assert fgt(income, 5, 2).estimate == pytest.approx((0.64 + 0.36 + 0.16 + 0.04) / 5)
    per_person_line = fgt(income, np.array([5, 5, 5, 5, 6.0]), 0)
    assert per_person_line.estimate == pytest.approx(1.0)
    assert per_person_line.se == 0


def test_alkire_foster_hand_example() -> None:
    # Four people, four equally weighted dimensions, k = 2 of 4: persons 2 (two deprivations)
    # and 3 (four) are poor, so H = 1/2, A = (2/4 + 4/4) / 2 = 3/4, M0 = 3/8.
    achievements = pd.DataFrame(
        {"income": [700, 300, 400, 500], "schooling": [14, 13, 3, 17], "health": [4, 3, 1, 5], "water": [1, 0, 0, 1]}
    )
    result = alkire_foster(achievements, cutoffs=[500, 12, 3, 1], weights=[0.25] * 4, k=0.5)
    assert (result.H.estimate, result.A.estimate, result.M0.estimate) == pytest.approx((0.5, 0.75, 0.375))
    assert (result.H.n, result.A.n, result.M0.n) == (4, 2, 4)
    assert result.contributions["n"].tolist() == [2, 2, 2, 2]
    assert result.censored_headcounts["estimate"].tolist() == pytest.approx([0.5, 0.25, 0.25, 0.5])
    assert result.contributions["estimate"].tolist() == pytest.approx(
        [0.25 * 0.5 / 0.375, 0.25 * 0.25 / 0.375, 0.25 * 0.25 / 0.375, 0.25 * 0.5 / 0.375]
    )


def test_alkire_foster_k_comparison_tolerates_rounding() -> None:
    # 0.7 + 0.1 + 0.1 + 0.1 == 0.9999999999999999 in floating point: still poor at k = 1.
    achievements = pd.DataFrame({"a": [0, 1], "b": [0, 1], "c": [0, 1], "d": [0, 1]})
    result = alkire_foster(achievements, cutoffs=[1, 1, 1, 1], weights=[0.7, 0.1, 0.1, 0.1], k=1.0)
    assert result.H.estimate == pytest.approx(0.5)


def test_missing_values_need_na_rm() -> None:
    income = np.array([1.0, np.nan, 3.0, 8.0])
    with pytest.raises(StatsInputError, match="missing.*na_rm"):
        fgt(income, 5, 0)
    assert fgt(income, 5, 0, na_rm=True).estimate == pytest.approx(2 / 3)
    achievements = pd.DataFrame({"a": [0.0, np.nan, 1.0, 0.0], "b": [0.0, 1.0, 1.0, 1.0]})
    with pytest.raises(StatsInputError, match="missing achievement"):
        alkire_foster(achievements, cutoffs=[1, 1], weights=[0.5, 0.5], k=0.5)
    complete = alkire_foster(achievements, cutoffs=[1, 1], weights=[0.5, 0.5], k=0.5, na_rm=True)
    assert complete.H.estimate == pytest.approx(2 / 3) and complete.H.n == 3


def test_bad_input_raises() -> None:
    income = np.array([1.0, 2.0, 8.0])
    frame = pd.DataFrame({"a": [0.0, 2.0, 1.0], "b": [1.0, 0.0, 3.0]})
    cases = [
        (lambda: fgt(income, 0, 0), "line must be positive"),
        (lambda: fgt(income, 5, -1), "alpha must be >= 0"),
        (lambda: fgt(np.array([]), 5, 0), "non-empty"),
        (lambda: fgt(np.array(["a", "b"], dtype=object), 5, 0), "not numeric"),
        (lambda: fgt(income, 5, 0, weight=[1, -1, 1]), "zero, negative"),
        (lambda: fgt("api00", 650, 0), "needs design="),
        (lambda: alkire_foster(frame, cutoffs=[1, 1], weights=[0.5, 0.6], k=0.5), "sum to 1"),
        (lambda: alkire_foster(frame, cutoffs=[1, 1], weights=[0.5, 0.5], k=0), r"k must be"),
        (lambda: alkire_foster(frame, cutoffs={"a": 1}, weights=[0.5, 0.5], k=0.5), "exactly the dimensions"),
        (lambda: alkire_foster(frame, cutoffs=[1, 1], weights=[0.5, 0.5], k=1.0), "nobody"),
        (lambda: alkire_foster(["a", "b"], cutoffs=[1, 1], weights=[0.5, 0.5], k=0.5), "need design="),
    ]
    for call, message in cases:
        with pytest.raises(StatsInputError, match=message):
            call()

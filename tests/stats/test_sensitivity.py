"""Omitted-variable sensitivity against Cinelli and Hazlett's (2020) darfur example.

Reference numbers: PySensemakr (tests/fixtures/stats/make_sensitivity_reference.py) and the
figures printed in the paper (section 6; RV 13.9%, RV at alpha = 0.05 7.6%, bounds 1-3x female).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pa_study.stats import SensitivityResult, StatsInputError, omitted_variable_sensitivity
from tests.helpers.survey_reference import FIXTURES

COVARIATES = "age + farmer_dar + herder_dar + pastvoted + hhsize_darfur + female"
FORMULA = f"peacefactor ~ directlyharmed + {COVARIATES} + C(village)"
# Without the 486 village dummies, for the tests that do not need the paper's model.
SMALL = f"peacefactor ~ directlyharmed + {COVARIATES}"


@pytest.fixture(scope="module")
def darfur() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "darfur.csv")


@pytest.fixture(scope="module")
def result(darfur: pd.DataFrame) -> SensitivityResult:
    return omitted_variable_sensitivity(
        darfur, FORMULA, "directlyharmed", benchmark_covariates=["female"], kd=[1, 2, 3]
    )


def test_darfur_matches_pysensemakr(result) -> None:
    ref = json.loads((FIXTURES / "sensitivity_reference.json").read_text())
    assert (result.estimate, result.se, result.df) == pytest.approx((ref["estimate"], ref["se"], ref["dof"]), rel=1e-9)
    assert result.partial_r2 == pytest.approx(ref["partial_r2"], rel=1e-9)
    assert result.robustness_value == pytest.approx(ref["robustness_value"], rel=1e-9)
    assert result.robustness_value_alpha == pytest.approx(ref["robustness_value_alpha"], rel=1e-9)
    for column in ("r2dz_x", "r2yz_dx", "adjusted_estimate", "adjusted_se"):
        np.testing.assert_allclose(result.bounds[column], ref[column], rtol=1e-8)
    assert list(result.bounds["kd"]) == ref["kd"] and (result.bounds["benchmark"] == "female").all()


def test_darfur_matches_the_paper(result) -> None:
    assert round(result.estimate, 3) == 0.097 and round(result.partial_r2, 3) == 0.022
    assert round(100 * result.robustness_value, 1) == 13.9
    assert round(100 * result.robustness_value_alpha, 1) == 7.6
    assert list(result.bounds["adjusted_estimate"].round(3)) == [0.075, 0.053, 0.030]
    # 3x female: the adjusted interval includes zero (the paper's Table 3).
    assert result.bounds["adjusted_ci_low"].iloc[2] < 0 < result.bounds["adjusted_ci_low"].iloc[1]
    row = result.to_frame().iloc[0]
    assert row["treatment"] == "directlyharmed" and row["n"] == 1276


def test_weights_and_groups_of_benchmarks(darfur: pd.DataFrame) -> None:
    plain = omitted_variable_sensitivity(darfur, SMALL, "directlyharmed", ["female"])
    unit = omitted_variable_sensitivity(darfur.assign(w=1.0), SMALL, "directlyharmed", ["female"], weights="w")
    assert unit.robustness_value == pytest.approx(plain.robustness_value, rel=1e-12)
    pd.testing.assert_frame_equal(unit.bounds, plain.bounds)
    # Weights act through their ratios only.
    doubled = omitted_variable_sensitivity(darfur.assign(w=2.0), SMALL, "directlyharmed", ["female"], weights="w")
    assert doubled.estimate == pytest.approx(plain.estimate, rel=1e-12) and doubled.se == pytest.approx(plain.se)
    grouped = omitted_variable_sensitivity(darfur, SMALL, "directlyharmed", [["farmer_dar", "herder_dar"], "age"], kd=1)
    assert list(grouped.bounds["benchmark"]) == ["farmer_dar+herder_dar", "age"]


def test_absorbed_villages_give_the_dummies_results(darfur: pd.DataFrame, result) -> None:
    # The paper's model with its 486 village intercepts absorbed by demeaning (Frisch-Waugh-Lovell)
    # instead of as dummy columns: the same numbers, weighted as well as plain.
    absorbed = omitted_variable_sensitivity(
        darfur, SMALL, "directlyharmed", benchmark_covariates=["female"], kd=[1, 2, 3], absorb="village"
    )
    assert absorbed.df == result.df and absorbed.n == result.n
    for field in ("estimate", "se", "t", "partial_r2", "robustness_value", "robustness_value_alpha"):
        assert getattr(absorbed, field) == pytest.approx(getattr(result, field), rel=1e-9), field
    pd.testing.assert_frame_equal(absorbed.bounds, result.bounds, rtol=1e-8)
    weighted = darfur.assign(w=np.where(darfur["female"] == 1, 2.0, 1.0))
    dummies = omitted_variable_sensitivity(weighted, FORMULA, "directlyharmed", ["age"], weights="w")
    within = omitted_variable_sensitivity(weighted, SMALL, "directlyharmed", ["age"], weights="w", absorb="village")
    assert within.estimate == pytest.approx(dummies.estimate, rel=1e-9) and within.se == pytest.approx(dummies.se)
    pd.testing.assert_frame_equal(within.bounds, dummies.bounds, rtol=1e-8)


def test_robustness_value_alpha_is_zero_when_not_significant(darfur: pd.DataFrame) -> None:
    noise = darfur.assign(z=np.random.default_rng(1).normal(size=len(darfur)))
    weak = omitted_variable_sensitivity(noise, "peacefactor ~ z + female", "z")
    assert abs(weak.t) < 1.96 and weak.robustness_value_alpha == 0.0 and weak.bounds.empty


def test_an_impossible_multiple_is_left_out_and_the_others_kept(darfur: pd.DataFrame) -> None:
    # kd=2000 times female would explain all of the treatment's residual variance.
    several = omitted_variable_sensitivity(
        darfur, SMALL, "directlyharmed", ["female", "age"], kd=[1, 2000, 3], skip_impossible=True
    )
    assert list(zip(several.bounds["benchmark"], several.bounds["kd"], strict=True)) == [
        ("female", 1.0),
        ("female", 3.0),
        ("age", 1.0),
        ("age", 3.0),
    ]
    assert [(name, kd) for name, kd, _ in several.left_out] == [("female", 2000.0), ("age", 2000.0)]
    assert several.left_out[0][2].startswith("kd=2000 times benchmark 'female'")
    for name in ("female", "age"):
        alone = omitted_variable_sensitivity(darfur, SMALL, "directlyharmed", [name], kd=[1, 3])
        pd.testing.assert_frame_equal(
            several.bounds[several.bounds["benchmark"] == name].reset_index(drop=True), alone.bounds
        )
        assert alone.left_out == ()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(treatment="harmed"), "treatment 'harmed' is not a term"),
        (dict(benchmark_covariates=["income"]), r"benchmark covariate\(s\) \['income'\]"),
        (dict(kd=[2000.0]), "kd=2000 times benchmark 'female'"),
        (dict(alpha=1.5), "alpha must be in"),
        (dict(weights="nope"), "weights column 'nope'"),
        (dict(formula="peacefactor ~ directlyharmed + female + female2"), "rank deficient"),
    ],
)
def test_bad_sensitivity_input_raises(darfur: pd.DataFrame, kwargs, message) -> None:
    options = dict(formula=SMALL, treatment="directlyharmed", benchmark_covariates=["female"]) | kwargs
    with pytest.raises(StatsInputError, match=message):
        omitted_variable_sensitivity(darfur.assign(female2=lambda d: 2 * d["female"]), **options)

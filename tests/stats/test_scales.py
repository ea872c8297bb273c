"""Tests of pa_study.stats.scales.

Reference numbers come from tests/fixtures/stats/make_scales_reference.R: ``psych::alpha`` on the
Big Five Inventory items of ``psychTools::bfi`` (2,800 respondents with missing answers),
``prcomp`` for the first principal component, and the Kling-Liebman-Katz / Anderson summary
indices written out in base R.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pa_study.stats import (
    StatsInputError,
    cronbach_alpha,
    first_principal_component,
    reverse_code,
    summary_index,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stats"
REFERENCE = json.loads((FIXTURES / "scales_reference.json").read_text())
AGREE = [f"A{i}" for i in range(1, 6)]
CONSC = [f"C{i}" for i in range(1, 6)]


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "scales_bfi.csv")


@pytest.fixture(scope="module")
def r_index() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "scales_index.csv")


ALPHA_CASES = {
    "agreeableness_pairwise": (AGREE, ["A1"], "pairwise"),
    "conscientiousness_pairwise": (CONSC, ["C4", "C5"], "pairwise"),
    "agreeableness_complete": (AGREE, ["A1"], "complete"),
}


@pytest.mark.parametrize("key", sorted(ALPHA_CASES))
def test_alpha_matches_psych(bfi: pd.DataFrame, key: str) -> None:
    items, reverse, missing = ALPHA_CASES[key]
    expected = REFERENCE[key]
    if missing == "complete":
        # psych was given na.omit(x); the function must drop the same rows itself.
        bfi = bfi[items]
    result = cronbach_alpha(reverse_code(bfi[items], reverse, scale_min=1, scale_max=6), missing=missing)
    for name in ("raw_alpha", "std_alpha", "average_r", "ase", "mean", "sd"):
        assert getattr(result, name) == pytest.approx(expected[name], rel=1e-6), name
    assert result.n_items == 5
    stats = result.item_stats
    assert list(stats.index) == expected["item"]
    for ours, theirs in [
        ("n", "n"),
        ("raw_r", "raw_r"),
        ("std_r", "std_r"),
        ("r_drop", "r_drop"),
        ("mean", "item_mean"),
        ("sd", "item_sd"),
    ]:
        np.testing.assert_allclose(stats[ours].to_numpy(dtype=float), expected[theirs], rtol=1e-6, err_msg=ours)
    dropped = result.alpha_if_dropped
    for ours, theirs in [
        ("raw_alpha", "drop_raw_alpha"),
        ("std_alpha", "drop_std_alpha"),
        ("average_r", "drop_average_r"),
    ]:
        np.testing.assert_allclose(dropped[ours].to_numpy(), expected[theirs], rtol=1e-6, err_msg=ours)


def test_alpha_to_dict_is_a_flat_row(bfi: pd.DataFrame) -> None:
    row = cronbach_alpha(reverse_code(bfi[AGREE], ["A1"], scale_min=1, scale_max=6)).to_dict()
    assert set(row) == {
        "raw_alpha",
        "std_alpha",
        "average_r",
        "ase",
        "mean",
        "sd",
        "n_items",
        "n_obs",
    }
    assert row["n_obs"] == 2800


def test_alpha_warns_about_unreversed_item(bfi: pd.DataFrame) -> None:
    with pytest.warns(UserWarning, match=r"\['A1'\] correlate negatively"):
        cronbach_alpha(bfi[AGREE])


def test_alpha_two_items_has_no_drop_table() -> None:
    items = pd.DataFrame({"a": [1, 2, 3, 4, 5.0], "b": [2, 2, 3, 5, 4.0]})
    result = cronbach_alpha(items)
    assert result.alpha_if_dropped is None
    # Two items: alpha = 2 cov / (var_a + var_b + 2 cov) * 2 ... check against the definition.
    cov = items.cov().to_numpy()
    assert result.raw_alpha == pytest.approx(2 * (1 - np.trace(cov) / cov.sum()))


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (pd.DataFrame({"a": [1.0, 2.0, 3.0]}), "at least two item columns"),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "z"]}), "must be numeric"),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 2.0, 2.0]}), r"\['b'\] have no variance"),
        (
            pd.DataFrame({"a": [1.0, 2.0, np.nan, np.nan], "b": [np.nan, np.nan, 1.0, 2.0]}),
            "fewer than 2 rows",
        ),
        (pd.DataFrame({"a": [], "b": []}, dtype=float), "at least 2 rows"),
    ],
)
def test_alpha_refuses_bad_items(items: pd.DataFrame, message: str) -> None:
    with pytest.raises(StatsInputError, match=message):
        cronbach_alpha(items)


def test_reverse_code() -> None:
    data = pd.DataFrame({"a": [1, 2, 5, None], "b": [3, 3, 3, 3], "id": ["x", "y", "z", "w"]})
    out = reverse_code(data, ["a"], scale_min=1, scale_max=5)
    assert out["a"].tolist()[:3] == [5.0, 4.0, 1.0] and np.isnan(out["a"].iloc[3])
    assert out["b"].tolist() == [3, 3, 3, 3] and data["a"].iloc[0] == 1  # input untouched
    with pytest.raises(StatsInputError, match="outside the scale"):
        reverse_code(data, ["a"], scale_min=1, scale_max=4)
    with pytest.raises(StatsInputError, match="must be below"):
        reverse_code(data, ["a"], scale_min=5, scale_max=1)
    with pytest.raises(StatsInputError, match="must be numeric"):
        reverse_code(data, ["id"], scale_min=1, scale_max=5)


@pytest.mark.parametrize(("method", "column"), [("equal", "index_equal"), ("inverse_covariance", "index_anderson")])
def test_summary_index_matches_longhand_r(bfi: pd.DataFrame, r_index: pd.DataFrame, method: str, column: str) -> None:
    result = summary_index(bfi, CONSC, reference=bfi["gender"] == 1, method=method, negative=["C4", "C5"])
    np.testing.assert_allclose(result.scores.to_numpy(), r_index[column].to_numpy(), rtol=1e-6, atol=1e-12)
    assert result.scores.index.equals(bfi.index)
    men = result.scores[bfi["gender"] == 1]
    assert men.mean() == pytest.approx(0.0, abs=1e-12) and men.std() == pytest.approx(1.0)
    if method == "inverse_covariance":
        np.testing.assert_allclose(result.item_weights.to_numpy(), REFERENCE["anderson_weights"], rtol=1e-6)


def test_summary_index_constant_weights_change_nothing(bfi: pd.DataFrame) -> None:
    data = bfi.assign(men=bfi["gender"] == 1, w=3.0)
    plain = summary_index(data, CONSC, reference="men", method="inverse_covariance")
    weighted = summary_index(data, CONSC, reference="men", method="inverse_covariance", weight="w")
    np.testing.assert_allclose(weighted.scores, plain.scores, rtol=1e-10)


def test_summary_index_missing_items_and_min_items() -> None:
    data = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, np.nan], "b": [2.0, 1.0, 4.0, 3.0, np.nan]})
    with pytest.warns(UserWarning, match="1 rows have fewer than 1"):
        result = summary_index(data, ["a", "b"])
    assert np.isnan(result.scores.iloc[4]) and result.n_items.tolist() == [2, 2, 2, 2, 0]
    partial = data.assign(b=[2.0, np.nan, 4.0, 3.0, 1.0], a=[1.0, 2.0, 3.0, 4.0, np.nan])
    result = summary_index(partial, ["a", "b"], min_items=1)
    assert result.scores.notna().all()
    with pytest.warns(UserWarning, match="fewer than 2"):
        strict = summary_index(partial, ["a", "b"], min_items=2)
    assert strict.scores.isna().sum() == 2


def test_summary_index_of_one_item_is_its_weighted_z_score() -> None:
    data = pd.DataFrame({"a": [1.0, 4.0, 2.0, 7.0, 5.0], "w": [1.0, 2.0, 1.0, 3.0, 1.0]})
    result = summary_index(data, ["a"], weight="w", negative=["a"])
    mean = np.average(data["a"], weights=data["w"])
    var = np.sum(data["w"] * (data["a"] - mean) ** 2) / (data["w"].sum() - (data["w"] ** 2).sum() / data["w"].sum())
    np.testing.assert_allclose(result.scores, -(data["a"] - mean) / np.sqrt(var))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"items": []}, "at least one item"),
        ({"items": ["a", "b"], "method": "pca"}, "method must be"),
        ({"items": ["a", "b"], "negative": ["c"]}, "not among the items"),
        ({"items": ["a", "b"], "reference": "flag"}, "boolean"),
        (
            {"items": ["a", "b"], "reference": "g"},
            "fewer than 2 observed values in the reference group",
        ),
        ({"items": ["a", "b"], "weight": "bad_w"}, "positive and non-missing"),
        ({"items": ["a", "b"], "min_items": 3}, "min_items"),
        ({"items": ["a", "c"]}, "not in data"),
    ],
)
def test_summary_index_refuses_bad_input(kwargs: dict, message: str) -> None:
    data = pd.DataFrame(
        {
            "a": [1.0, 2.0, 3.0, 4.0],
            "b": [2.0, 1.0, 4.0, 3.0],
            "flag": [1, 2, 1, 2],
            "g": [True, False, False, False],
            "bad_w": [1.0, 0.0, 1.0, 1.0],
        }
    )
    with pytest.raises(StatsInputError, match=message):
        summary_index(data, **kwargs)


def test_summary_index_refuses_singular_covariance() -> None:
    data = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 4.0, 6.0, 8.0]})
    with pytest.raises(StatsInputError, match="singular"):
        summary_index(data, ["a", "b"], method="inverse_covariance")


def test_first_principal_component_matches_prcomp(bfi: pd.DataFrame, r_index: pd.DataFrame) -> None:
    with pytest.warns(UserWarning, match="91 rows with missing items"):
        result = first_principal_component(reverse_code(bfi, ["A1"], scale_min=1, scale_max=6), AGREE)
    np.testing.assert_allclose(result.scores.to_numpy(), r_index["pc1"].to_numpy(), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(result.loadings.to_numpy(), REFERENCE["pc_loadings"], rtol=1e-6)
    assert result.explained_variance_ratio == pytest.approx(REFERENCE["pc_explained"], rel=1e-6)
    assert result.n_obs == REFERENCE["pc_n_obs"]


def test_first_principal_component_refuses_bad_input() -> None:
    with pytest.raises(StatsInputError, match="at least 3 rows"):
        first_principal_component(pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 1.0]}), ["a", "b"])
    with pytest.raises(StatsInputError, match="no variance"):
        first_principal_component(pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 2.0, 2.0]}), ["a", "b"])

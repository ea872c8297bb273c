"""The one threshold rule, the intersection-union verdict and logit intervals (against R's survey)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pa_study.stats import StatsInputError, SurveyDesign, intersection_union, logit_interval, threshold_verdict
from tests.helpers.survey_reference import FIXTURES, dataset, design


@pytest.mark.parametrize(
    ("operator", "interval", "expected"),
    [
        ("<", (0.01, 0.005, 0.019), (True, "pass")),
        ("<", (0.03, 0.021, 0.05), (False, "fail")),
        ("<", (0.019, 0.01, 0.03), (True, "inconclusive")),
        ("<", (0.03, 0.02, 0.04), (False, "fail")),  # a lower limit at 2% is not below 2%
        ("<=", (0.03, 0.02, 0.04), (False, "inconclusive")),  # ... but is at most 2%
        (">", (0.95, 0.91, 0.98), (True, "pass")),
        (">", (0.92, 0.9, 0.94), (True, "inconclusive")),  # 90% is not above 90%
        (">", (0.85, 0.8, 0.9), (False, "fail")),
        (">=", (0.32, 0.3, 0.34), (True, "pass")),  # reaching the 30% target passes
    ],
)
def test_one_rule_judges_every_criterion_at_its_boundary(operator, interval, expected) -> None:
    threshold = {"<": 0.02, "<=": 0.02, ">": 0.9, ">=": 0.3}[operator]
    verdict = threshold_verdict(*interval, threshold, operator)
    assert (verdict.passes, verdict.passes_ci) == expected


def test_unknown_operator_is_refused() -> None:
    with pytest.raises(StatsInputError, match="operator"):
        threshold_verdict(0.1, 0.0, 0.2, 0.5, "=<")


def test_intersection_union_passes_only_when_every_criterion_passes() -> None:
    assert intersection_union(["pass", "pass", "pass"]) == "pass"
    assert intersection_union(["pass", "inconclusive", "pass"]) == "inconclusive"
    assert intersection_union(["pass", "fail", "inconclusive"]) == "fail"
    assert intersection_union(["pass", None]) == "inconclusive"  # a criterion not judged cannot pass
    assert intersection_union([None, "fail"]) == "fail"
    with pytest.raises(StatsInputError):
        intersection_union([])


@pytest.mark.parametrize("case", ["strat/hi700", "strat/rare", "clus1/sch_wide_yes", "clus1/hi700"])
def test_logit_interval_matches_svyciprop_logit(case: str) -> None:
    ref = pd.read_csv(FIXTURES / "logit_reference.csv").set_index("case").loc[case]
    key, var = case.split("/")
    data = dataset("apistrat").assign(rare=lambda d: (d["api00"] > 880).astype(float))
    des = SurveyDesign(data, weight="pw", strata="stype", fpc="fpc") if key == "strat" else design(key)
    mean = des.mean(var)
    low, high = logit_interval(mean.estimate, mean.se, des.df)
    assert (low, high) == pytest.approx((ref["ci_low"], ref["ci_high"]), rel=1e-6)


def test_logit_interval_stays_inside_any_range() -> None:
    low, high = logit_interval(0.01, 0.02, 30)  # a Wald interval would go below zero
    assert 0 < low < 0.01 < high < 1
    kappa_low, kappa_high = logit_interval(0.97, 0.05, None, lower=-1, upper=1)
    assert -1 < kappa_low < 0.97 < kappa_high < 1
    # On (-1, 1) the transform is Fisher's z: atanh(kappa) ± z se / (1 - kappa^2).
    z, half = np.arctanh(0.97), 1.959963984540054 * 0.05 / (1 - 0.97**2)
    assert (kappa_low, kappa_high) == pytest.approx((np.tanh(z - half), np.tanh(z + half)))
    assert logit_interval(0.0, 0.0, 30) == (0.0, 0.0)  # undefined on the bound: left to the caller
    with pytest.raises(StatsInputError, match="outside"):
        logit_interval(1.2, 0.1, 10)

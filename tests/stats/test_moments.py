"""Tests of the weighted quantile of pa_study.stats against hand computations."""

from __future__ import annotations

import numpy as np
import pytest

from pa_study.stats import weighted_quantile


def test_weighted_quantile_matches_a_hand_computation() -> None:
    # Sorted x = 10, 20, 30 with w = 1, 1, 2: S = 1, 2, 4, W = 4, span = 4 - (1 + 2) / 2 = 2.5,
    # positions (S - w/2 - 1/2) / 2.5 = 0, 0.4, 1; Q(0.2) = 15, Q(0.5) = 20 + 0.1/0.6 * 10.
    x, w = np.array([30.0, 10.0, 20.0]), np.array([2.0, 1.0, 1.0])
    assert weighted_quantile(x, w, [0.0, 0.2, 0.4, 0.5, 1.0]) == pytest.approx([10, 15, 20, 20 + 10 / 6, 30])


def test_equal_weights_give_type_7_and_the_weights_scale_does_not_matter() -> None:
    rng = np.random.default_rng(7)
    x, probs = rng.normal(size=25), [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]
    assert weighted_quantile(x, np.full(25, 3.0), probs) == pytest.approx(np.quantile(x, probs))
    w = rng.uniform(0.5, 4, size=25)
    assert weighted_quantile(x, w, probs) == pytest.approx(weighted_quantile(x, 10 * w, probs))


def test_zero_weights_are_ignored_and_degenerate_samples_are_handled() -> None:
    x = np.array([1.0, 2.0, 100.0, 3.0])
    assert weighted_quantile(x, np.array([1.0, 1.0, 0.0, 1.0]), [0.5]) == pytest.approx([2.0])
    assert weighted_quantile(np.array([4.0]), np.array([2.0]), [0.1, 0.9]).tolist() == [4.0, 4.0]
    assert np.isnan(weighted_quantile(x, np.zeros(4), [0.5])).all()

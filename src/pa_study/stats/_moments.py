"""Weighted means and variances shared by the effect estimators and the scale helpers."""

from __future__ import annotations

import numpy as np


def weighted_mean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Return ``sum(w * x) / sum(w)`` along the first axis of ``x`` (a vector or an n x k matrix)."""
    return np.asarray(w @ x / w.sum())


def weighted_var(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Return the unbiased variance of ``x`` (along its first axis) under reliability weights ``w``.

    Uses ``sum(w (x - m)^2) / (sum(w) - sum(w^2) / sum(w))``, which is the usual ``n - 1``
    sample variance when all weights are equal and does not depend on the scale of ``w``.
    NaN when fewer than two units carry weight.
    """
    total = w.sum()
    m = w @ x / total
    denom = total - (w @ w) / total
    if denom <= 1e-12 * total:
        return np.full(np.shape(m), np.nan)
    return np.asarray(w @ (x - m) ** 2 / denom)

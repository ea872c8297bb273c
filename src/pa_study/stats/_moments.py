"""Weighted means, variances and quantiles shared by the estimators, the scale helpers and the indicators."""

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


def weighted_quantile(x: np.ndarray, w: np.ndarray, probs: np.ndarray | list[float]) -> np.ndarray:
    """Return weighted quantiles of ``x`` at ``probs``: Hyndman & Fan's (1996) type 7 with weights.

    Sort the units with positive weight by ``x`` (``x_1 <= ... <= x_n``, weights ``w_k``,
    ``S_k = w_1 + ... + w_k``, ``W = S_n``) and place unit ``k`` at the cumulative probability

    ``p_k = (S_k - w_k / 2 - w_1 / 2) / (W - w_1 / 2 - w_n / 2)``,

    i.e. at the middle of its weight, rescaled so the smallest value sits at 0 and the largest at
    1; ``Q(p)`` interpolates linearly between the ``(p_k, x_k)``. With equal weights
    ``p_k = (k - 1) / (n - 1)``, which is type 7 (R's ``quantile`` and NumPy's default) exactly; it
    does not depend on the scale of ``w``. It is not the inverse of the weighted empirical CDF
    (type 1, :func:`inverse_cdf_quantile`), which steps between observed values.

    Parameters
    ----------
    x, w : ndarray
        Values and non-negative weights of equal length, without NaN; units of weight 0 are ignored.
    probs : array-like
        Probabilities in [0, 1].

    Returns
    -------
    ndarray
        One quantile per probability; NaN when no unit carries weight.
    """
    values, weights, probs = _sorted_units(x, w, probs)
    if values.size == 0:
        return np.full(probs.shape, np.nan)
    if values.size == 1:
        return np.full(probs.shape, values[0])
    span = weights.sum() - (weights[0] + weights[-1]) / 2
    positions = (np.cumsum(weights) - weights / 2 - weights[0] / 2) / span
    return np.interp(probs, positions, values)


def inverse_cdf_quantile(x: np.ndarray, w: np.ndarray, probs: np.ndarray | list[float]) -> np.ndarray:
    """Return the inverse of the weighted distribution function of ``x`` at ``probs``.

    ``Q(p)`` is the smallest value ``x`` with ``F(x) >= p``, ``F`` the weighted empirical
    distribution function: Hyndman & Fan's (1996) type 1 with weights, R ``survey``'s
    ``svyquantile(qrule = "math")`` (its default). Cumulative weights within ``1e-12`` of ``p``
    (relative to the total) count as reaching it, so that rounding in the running sum does not
    move the quantile to the next value.

    Parameters
    ----------
    x, w, probs
        As :func:`weighted_quantile`.

    Returns
    -------
    ndarray
        One quantile per probability; NaN when no unit carries weight.
    """
    values, weights, probs = _sorted_units(x, w, probs)
    if values.size == 0:
        return np.full(probs.shape, np.nan)
    cumulative = np.cumsum(weights)
    total = cumulative[-1]
    position = np.searchsorted(cumulative, probs * total - 1e-12 * total, side="left")
    return values[np.minimum(position, values.size - 1)]


def _sorted_units(x: np.ndarray, w: np.ndarray, probs: np.ndarray | list[float]) -> tuple[np.ndarray, ...]:
    """The units of positive weight sorted by value (values, weights), and ``probs`` as an array."""
    keep = w > 0
    order = np.argsort(x[keep], kind="stable")
    return x[keep][order], w[keep][order], np.asarray(probs, dtype=float)

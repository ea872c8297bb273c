"""Nearest-neighbour propensity-score matching for the ATT with Abadie-Imbens (2006) variance.

Matching is one-dimensional, so every matched set is a contiguous run of the controls sorted by
propensity score; the runs are found with binary search and all per-unit sums use prefix sums,
which keeps the estimator O(n log n) without a distance matrix.

Conventions follow R's ``Matching::Match(X = ps, estimand = "ATT", M = n_neighbors, ties = TRUE,
Var.calc = 2)`` (Sekhon 2011):

* Matching is with replacement.  Controls exactly as close as the ``M``-th nearest (within
  ``_TIE_TOL``) are all used and share the treated unit's weight equally.
* The variance is the heteroskedasticity-robust population-ATT variance of Abadie & Imbens (2006,
  Econometrica 74(1), Theorem 7):
  ``V = N1^-2 [sum_T (Y_i - Yhat_i(0) - tau)^2 + sum_C (K_j^2 - K'_j) sigma^2_j]``, where ``K_j`` is
  the weighted number of times control ``j`` is used, ``K'_j`` the sum of its squared weights, and
  ``sigma^2_j`` the sample variance of ``Y`` over ``j`` and its ``_VARIANCE_MATCHES`` nearest other
  controls (ties included), as ``Matching`` computes it.
* The propensity score is treated as known (it is not re-estimated in the variance); Abadie & Imbens
  (2016, Econometrica 84(2)) show the adjustment for its estimation can move the ATT variance
  either way.

With survey weights, :func:`matched_weights` follows ``Matching::Match(weights = w)``: a treated unit
counts with its own weight and its tied matches share it in proportion to their weights, so the
estimate is the population ATT ``sum_T w_i (y_i - yhat_i(0)) / sum_T w_i`` (the treated unit's weight
carried to its matches, which Austin, Jembere & Chiu 2018, Stat. Methods Med. Res. 27(4), found to
estimate the population ATT best). Matching can be exact within groups (a fixed effect): each
treated unit is matched among the controls of its own group only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pa_study.stats._errors import StatsInputError

# Distances that differ by less than this (in propensity units) are ties: it absorbs rounding only.
_TIE_TOL = 1e-10
# Matches within the same arm used to estimate the conditional outcome variance (Stata's default too).
_VARIANCE_MATCHES = 2


@dataclass(frozen=True)
class MatchingFit:
    """Matching estimate of the ATT and what the balance and overlap diagnostics need."""

    estimate: float
    se: float
    treated_matched: np.ndarray
    control_weight: np.ndarray


def psm_att(y: np.ndarray, d: np.ndarray, ps: np.ndarray, *, n_neighbors: int, caliper: float | None) -> MatchingFit:
    """Match each treated unit to its ``n_neighbors`` nearest controls on ``ps`` and estimate the ATT.

    Parameters
    ----------
    y, d, ps : numpy.ndarray
        Outcome, 0/1 treatment and propensity score (n).
    n_neighbors : int
        Number of matches per treated unit (more when there are ties).
    caliper : float, optional
        Largest allowed absolute propensity-score distance; matches beyond it are discarded and a
        treated unit left without a match is excluded from the ATT.

    Returns
    -------
    MatchingFit
        ``treated_matched`` flags the treated units (in data order) that kept a match;
        ``control_weight`` is each control's ``K_j`` (in data order).
    """
    treated, controls = d == 1, d == 0
    order = np.argsort(ps[controls], kind="stable")
    pc, yc = ps[controls][order], y[controls][order]
    pt, yt = ps[treated], y[treated]
    radius = _kth_distance(pc, pt, np.searchsorted(pc, pt)[:, None] + np.arange(-n_neighbors, n_neighbors), n_neighbors)
    lo, hi = _value_range(pc, pt, radius + _TIE_TOL)
    if caliper is not None:
        lo = np.maximum(lo, np.searchsorted(pc, pt - caliper, side="left"))
        hi = np.minimum(hi, np.searchsorted(pc, pt + caliper, side="right"))
    matched = hi > lo
    if not matched.any():
        raise StatsInputError(
            f"no treated unit has a control within the caliper ({caliper}) on the propensity score: no common support"
        )
    lo, hi, pt, yt = lo[matched], hi[matched], pt[matched], yt[matched]
    count = (hi - lo).astype(float)
    centre = yc.mean()
    prefix = np.concatenate([[0.0], np.cumsum(yc - centre)])
    unit_effect = yt - (centre + (prefix[hi] - prefix[lo]) / count)
    estimate = float(unit_effect.mean())
    uses = _range_totals(lo, hi, 1.0 / count, pc.shape[0])
    uses_sq = _range_totals(lo, hi, 1.0 / count**2, pc.shape[0])
    sigma2 = _within_arm_variance(pc, yc)
    n1 = unit_effect.shape[0]
    variance = (np.sum((unit_effect - estimate) ** 2) + np.sum(sigma2 * (uses**2 - uses_sq))) / n1**2
    control_weight = np.empty_like(uses)
    control_weight[order] = uses
    return MatchingFit(estimate, float(np.sqrt(variance)), _scatter(matched, treated), control_weight)


def _kth_distance(values: np.ndarray, queries: np.ndarray, candidates: np.ndarray, k: int) -> np.ndarray:
    """Return the ``k``-th smallest ``|values[c] - query|`` over each row's candidate positions.

    ``candidates`` holds positions into the sorted ``values``; out-of-range ones are ignored.
    """
    valid = (candidates >= 0) & (candidates < values.shape[0])
    dist = np.where(
        valid,
        np.abs(values[np.clip(candidates, 0, values.shape[0] - 1)] - queries[:, None]),
        np.inf,
    )
    return np.partition(dist, k - 1, axis=1)[:, k - 1]


def _value_range(values: np.ndarray, centre: np.ndarray, radius: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``[lo, hi)`` positions of the sorted ``values`` within ``radius`` of each ``centre``."""
    return (
        np.searchsorted(values, centre - radius, side="left"),
        np.searchsorted(values, centre + radius, side="right"),
    )


def _range_totals(lo: np.ndarray, hi: np.ndarray, amount: np.ndarray, size: int) -> np.ndarray:
    """Add ``amount[i]`` to every position in ``[lo[i], hi[i])`` and return the totals per position."""
    steps = np.bincount(lo, weights=amount, minlength=size + 1) - np.bincount(hi, weights=amount, minlength=size + 1)
    covered = np.cumsum(np.bincount(lo, minlength=size + 1) - np.bincount(hi, minlength=size + 1))[:size]
    # Exact zeros for unused controls, which the running sum would leave as rounding residue.
    return np.where(covered > 0, np.cumsum(steps)[:size], 0.0)


def _within_arm_variance(values: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Sample variance of ``y`` over each unit and its nearest other units of the same arm.

    ``values`` must be sorted.  The neighbourhood is the unit plus its ``_VARIANCE_MATCHES`` nearest
    others with ties, which is a contiguous run of the sorted arm containing the unit itself.
    """
    n = values.shape[0]
    if n < 2:
        raise StatsInputError("matching needs at least 2 control units to estimate the outcome variance")
    j = min(_VARIANCE_MATCHES, n - 1)
    positions = np.arange(n)
    offsets = np.concatenate([np.arange(-j, 0), np.arange(1, j + 1)])
    radius = _kth_distance(values, values, positions[:, None] + offsets, j)
    lo, hi = _value_range(values, values, radius + _TIE_TOL)
    yc = y - y.mean()
    s1 = np.concatenate([[0.0], np.cumsum(yc)])
    s2 = np.concatenate([[0.0], np.cumsum(yc**2)])
    size = (hi - lo).astype(float)
    total, total_sq = s1[hi] - s1[lo], s2[hi] - s2[lo]
    return (total_sq - total**2 / size) / (size - 1.0)


def _scatter(flags: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Place ``flags`` (one per ``True`` in ``mask``) into a full-length boolean array."""
    out = np.zeros(mask.shape[0], dtype=bool)
    out[np.flatnonzero(mask)] = flags
    return out


def matched_weights(
    d: np.ndarray,
    ps: np.ndarray,
    w: np.ndarray,
    groups: np.ndarray | None,
    *,
    n_neighbors: int,
    caliper: float | None,
) -> np.ndarray:
    """Return each unit's weight in the matched sample, for the survey-weighted matching ATT.

    Each treated unit is matched (with replacement, ties kept) to its ``n_neighbors`` nearest
    controls on ``ps`` within its group (everywhere when ``groups`` is ``None``). A matched treated
    unit gets its survey weight ``w_i``; control ``j`` gets ``K_j = sum_i w_i w_j / S_i`` over the
    treated units ``i`` it is matched to, ``S_i`` the summed weight of ``i``'s matches; unmatched
    units get 0. The ATT is then the difference of the two arms' weighted means.

    Raises
    ------
    StatsInputError
        No treated unit has a control within the caliper (in its group).
    """
    weights = np.zeros(d.shape[0])
    codes = np.zeros(d.shape[0], dtype=np.int64) if groups is None else groups
    for code in np.unique(codes[d == 1]):
        members = codes == code
        treated, controls = np.flatnonzero(members & (d == 1)), np.flatnonzero(members & (d == 0))
        if controls.shape[0] == 0:
            continue
        order = np.argsort(ps[controls], kind="stable")
        pc, wc = ps[controls][order], w[controls][order]
        pt = ps[treated]
        k = min(n_neighbors, pc.shape[0])
        candidates = np.searchsorted(pc, pt)[:, None] + np.arange(-k, k)
        lo, hi = _value_range(pc, pt, _kth_distance(pc, pt, candidates, k) + _TIE_TOL)
        if caliper is not None:
            lo = np.maximum(lo, np.searchsorted(pc, pt - caliper, side="left"))
            hi = np.minimum(hi, np.searchsorted(pc, pt + caliper, side="right"))
        matched = hi > lo
        prefix = np.concatenate([[0.0], np.cumsum(wc)])
        share = np.zeros(pt.shape[0])
        share[matched] = w[treated][matched] / (prefix[hi[matched]] - prefix[lo[matched]])
        weights[treated[matched]] = w[treated][matched]
        weights[controls[order]] += wc * _range_totals(lo[matched], hi[matched], share[matched], pc.shape[0])
    if not (weights[d == 1] > 0).any():
        raise StatsInputError(
            f"no treated unit has a control within the caliper ({caliper}) on the propensity score: no common support"
        )
    return weights

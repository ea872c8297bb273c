"""Weighted least squares with heteroskedasticity- and cluster-robust covariance.

Follows Stata's ``regress [pweight=w], vce(robust)`` / ``vce(cluster c)`` and R's
``sandwich::vcovHC(type = "HC1")`` / ``sandwich::vcovCL(type = "HC1")``: the sandwich
``(X'WX)^-1 (sum_g s_g s_g') (X'WX)^-1`` with scores ``s_i = w_i e_i x_i`` summed within clusters,
scaled by ``n / (n - K)`` (HC1) or ``G / (G - 1) * (n - 1) / (n - K)`` (CR1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pa_study.stats._errors import StatsInputError


@dataclass(frozen=True)
class LinearFit:
    """Coefficients and robust covariance of a weighted least-squares fit."""

    coef: np.ndarray
    vcov: np.ndarray
    df: int
    n_clusters: int | None
    se_method: str


def group_sums(values: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum the rows of ``values`` (n x k, or n) within groups coded ``0 .. n_groups - 1``."""
    if values.ndim == 1:
        return np.bincount(codes, weights=values, minlength=n_groups)
    return np.column_stack(
        [np.bincount(codes, weights=values[:, j], minlength=n_groups) for j in range(values.shape[1])]
    )


def demean_within(values: np.ndarray, w: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Subtract the weighted group mean from each column of ``values`` (the within transformation)."""
    n_groups = int(codes.max()) + 1
    wsum = np.bincount(codes, weights=w, minlength=n_groups)
    means = group_sums(values * w[:, None], codes, n_groups) / wsum[:, None]
    return values - means[codes]


def check_full_rank(X: np.ndarray, names: list[str], what: str) -> None:
    """Raise :class:`StatsInputError` naming the first column of ``X`` that is collinear with earlier ones."""
    if np.linalg.matrix_rank(X) == X.shape[1]:
        return
    for j in range(1, X.shape[1] + 1):
        if np.linalg.matrix_rank(X[:, :j]) < j:
            raise StatsInputError(
                f"{what}: column {names[j - 1]!r} is constant or collinear with the columns before it "
                f"({', '.join(map(repr, names[: j - 1])) or 'none'}); drop it"
            )


def check_full_rank_gram(gram: np.ndarray, names: list[str], what: str) -> None:
    """:func:`check_full_rank` of a design given by its cross-product ``X'X`` (k x k), for a design
    too large to hold densely (fixed-effect dummies of a census): rank(X) = rank(X'X).

    The cross-product is first scaled to a unit diagonal (the rank does not change), so columns of
    very different scales (incomes beside 0/1 dummies) are not mistaken for collinear ones; the
    first collinear column is found by bisection over the leading blocks, whose rank deficiency
    persists once it appears.
    """
    diagonal = np.diag(gram).copy()
    zero = np.flatnonzero(diagonal <= 0)
    if zero.size:
        raise StatsInputError(f"{what}: column {names[zero[0]]!r} is zero on every row of the sample; drop it")
    scale = 1.0 / np.sqrt(diagonal)
    scaled = gram * scale[:, None] * scale[None, :]
    k = scaled.shape[0]

    def full(j: int) -> bool:
        return int(np.linalg.matrix_rank(scaled[:j, :j], hermitian=True)) == j

    if full(k):
        return
    low, high = 1, k  # the leading block of `low` columns is of full rank, that of `high` is not
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if full(middle) else (low, middle)
    raise StatsInputError(
        f"{what}: column {names[high - 1]!r} is constant or collinear with the columns before it "
        f"({', '.join(map(repr, names[: high - 1])) or 'none'}); drop it"
    )


def wls_robust(
    y: np.ndarray,
    X: np.ndarray,
    w: np.ndarray,
    *,
    names: list[str],
    cluster: np.ndarray | None = None,
    absorbed_levels: int = 0,
    what: str = "regression design",
) -> LinearFit:
    """Fit ``y ~ X`` by weighted least squares and return HC1 or CR1 robust covariance.

    Parameters
    ----------
    y, X, w : numpy.ndarray
        Outcome (n), regressors (n x k, already within-transformed if fixed effects were absorbed)
        and positive weights (n).
    names : list of str
        Column names of ``X``, used in the collinearity error message.
    cluster : numpy.ndarray of int, optional
        Cluster codes ``0 .. G - 1`` with ``G >= 2``; ``None`` gives the heteroskedasticity-robust HC1 covariance.
    absorbed_levels : int
        Number of fixed-effect levels absorbed by within transformation; they count towards ``K`` in
        the small-sample factor exactly as the equivalent dummy variables would.
    what : str
        Description of the design used in error messages.

    Returns
    -------
    LinearFit
        ``df`` is ``n - K`` without clusters and ``G - 1`` with clusters, as Stata uses for t tests.
    """
    sw = np.sqrt(w)
    Xw = X * sw[:, None]
    check_full_rank(Xw, names, what)
    q, r = np.linalg.qr(Xw)
    coef = np.linalg.solve(r, q.T @ (y * sw))
    r_inv = np.linalg.inv(r)
    bread = r_inv @ r_inv.T
    resid = y - X @ coef
    scores = X * (w * resid)[:, None]
    n, k = X.shape
    n_params = k + absorbed_levels
    if n <= n_params:
        raise StatsInputError(f"regression has {n} observations for {n_params} parameters")
    if cluster is None:
        meat = scores.T @ scores
        factor = n / (n - n_params)
        df, n_clusters, method = n - n_params, None, "HC1"
    else:
        n_clusters = int(cluster.max()) + 1
        summed = group_sums(scores, cluster, n_clusters)
        meat = summed.T @ summed
        factor = n_clusters / (n_clusters - 1) * (n - 1) / (n - n_params)
        df, method = n_clusters - 1, "CR1"
    return LinearFit(coef, factor * bread @ meat @ bread, df, n_clusters, method)

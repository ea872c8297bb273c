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


def diagonal_tail(A: np.ndarray) -> int:
    """Return where the trailing diagonal block of the symmetric matrices ``A`` (..., K, K) starts:
    the smallest ``m`` such that ``A[..., m:, m:]`` is zero off its diagonal (``K`` when none is).

    The dummies of one fixed effect never share a row, so their block of a cross-product ``Z'VZ``
    is diagonal; eliminating it first (:func:`schur_solve`) costs O(m^2 K) instead of O(K^3).
    """
    k = A.shape[-1]
    nonzero = np.any(A.reshape(-1, k, k) != 0, axis=0)
    # For each row, the last column left of the diagonal holding a non-zero (-1 when none does).
    below = np.tril(nonzero, -1)
    last = np.where(below.any(axis=1), k - 1 - np.argmax(below[:, ::-1], axis=1), -1)
    # The block from m on is diagonal when no row from m on reaches back to a column from m on.
    reach = np.maximum.accumulate(last[::-1])[::-1]
    clear = reach < np.arange(k)
    return int(np.argmax(clear)) if clear.any() else k


def schur_solve(A: np.ndarray, b: np.ndarray, m: int) -> np.ndarray:
    """Solve the stack of symmetric systems ``A[i] x[i] = b[i]`` whose block ``A[i, m:, m:]`` is
    diagonal, by eliminating that block first (block Gaussian elimination, stable for positive
    definite ``A``); rows with a zero in that diagonal or a singular complement come back NaN."""
    diagonal = np.diagonal(A[:, m:, m:], axis1=1, axis2=2)
    border = A[:, :m, m:]
    usable = (diagonal > 0).all(axis=1)
    inverse = np.where(usable[:, None], 1.0 / np.where(diagonal > 0, diagonal, 1.0), np.nan)
    scaled = border * inverse[:, None, :]
    complement = A[:, :m, :m] - scaled @ np.swapaxes(border, 1, 2)
    head = stacked_solve(complement, b[:, :m] - (scaled @ b[:, m:, None])[..., 0])
    tail = (b[:, m:] - (np.swapaxes(border, 1, 2) @ head[..., None])[..., 0]) * inverse
    return np.concatenate([head, tail], axis=1)


def stacked_solve(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``numpy.linalg.solve`` over a stack, with NaN rows for the singular (or non-finite) systems."""
    finite = np.isfinite(A).all(axis=(1, 2)) & np.isfinite(b).all(axis=1)
    out = np.full(b.shape, np.nan)
    try:
        out[finite] = np.linalg.solve(A[finite], b[finite, :, None])[..., 0]
    except np.linalg.LinAlgError:
        for i in np.flatnonzero(finite):
            try:
                out[i] = np.linalg.solve(A[i], b[i])
            except np.linalg.LinAlgError:
                continue
    return out


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
    if _clearly_full_rank(scaled):
        return

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


def _clearly_full_rank(scaled: np.ndarray) -> bool:
    """Whether the unit-diagonal cross-product ``scaled`` is of full rank by the test
    :func:`numpy.linalg.matrix_rank` applies (every eigenvalue above ``k eps`` times the largest),
    shown without its O(k^3) eigendecomposition where a trailing diagonal block (fixed-effect
    dummies) allows: the smallest eigenvalue is at least ``1 / ||A^-1||_F``, the largest at most
    ``k`` (the trace), and the inverse comes from the Schur complement of the diagonal block.
    A safety factor of 1000 leaves borderline designs to the eigenvalues; ``False`` means "look closer".
    """
    k = scaled.shape[0]
    m = diagonal_tail(scaled)
    if m >= k - 1:
        return False
    border = scaled[:m, m:]
    inverse_tail = 1.0 / np.diagonal(scaled)[m:]
    scaled_border = border * inverse_tail
    try:
        head = np.linalg.inv(scaled[:m, :m] - scaled_border @ border.T)
    except np.linalg.LinAlgError:
        return False
    # Blocks of the inverse: head, -head B D^-1 and D^-1 + D^-1 B' head B D^-1.
    off = head @ scaled_border
    tail = scaled_border.T @ off
    tail[np.diag_indices_from(tail)] += inverse_tail
    norm = np.sqrt(np.sum(head**2) + 2.0 * np.sum(off**2) + np.sum(tail**2))
    return bool(np.isfinite(norm) and 1.0 / norm > 1000.0 * k * k * np.finfo(float).eps)


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

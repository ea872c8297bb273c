"""Multi-item scales and indices: Cronbach's alpha, reverse coding, summary indices, first PC.

Everything takes a :class:`pandas.DataFrame` with one column per item and one row per respondent
(household) and keeps the row index, so results can be assigned straight back to the data.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pa_study.stats._errors import StatsInputError
from pa_study.stats._moments import weighted_mean, weighted_var

__all__ = [
    "AlphaResult",
    "PrincipalComponent",
    "SummaryIndex",
    "cronbach_alpha",
    "first_principal_component",
    "reverse_code",
    "summary_index",
]


# ---- Cronbach's alpha --------------------------------------------------------------------------


@dataclass(frozen=True)
class AlphaResult:
    """Reliability of a scale, as reported by R's ``psych::alpha``.

    Attributes
    ----------
    raw_alpha : float
        Cronbach's alpha from the item covariance matrix ``C``:
        ``k / (k - 1) * (1 - tr(C) / sum(C))``.
    std_alpha : float
        Alpha of the standardised items, ``k r / (1 + (k - 1) r)`` with ``r`` the average
        inter-item correlation.
    average_r : float
        Average inter-item correlation.
    ase : float
        Asymptotic standard error of ``raw_alpha`` (Duhachek & Iacobucci 2004), as ``psych`` reports.
    mean, sd : float
        Mean and standard deviation of the respondents' scores (mean of their non-missing items).
    n_items, n_obs : int
        Number of items and of rows used.
    item_stats : pandas.DataFrame
        Per item: ``n`` (non-missing), ``raw_r`` (correlation with the score), ``std_r`` (the same
        for standardised items), ``r_drop`` (item-rest correlation: with the sum of the other items),
        ``mean``, ``sd``.
    alpha_if_dropped : pandas.DataFrame or None
        Per item: ``raw_alpha``, ``std_alpha`` and ``average_r`` of the scale without it; ``None``
        for a two-item scale, where it is undefined.
    """

    raw_alpha: float
    std_alpha: float
    average_r: float
    ase: float
    mean: float
    sd: float
    n_items: int
    n_obs: int
    item_stats: pd.DataFrame = field(repr=False, compare=False)
    alpha_if_dropped: pd.DataFrame | None = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the scalar statistics as a flat dict (one table row)."""
        row = asdict(self)
        del row["item_stats"], row["alpha_if_dropped"]
        return row


def cronbach_alpha(items: pd.DataFrame, *, missing: str = "pairwise") -> AlphaResult:
    """Cronbach's alpha with item statistics, reproducing R's ``psych::alpha``.

    Parameters
    ----------
    items : pandas.DataFrame
        One numeric column per item (at least two), already keyed in the same direction
        (see :func:`reverse_code`).
    missing : {"pairwise", "complete"}
        ``"pairwise"`` (default, as ``psych::alpha(use = "pairwise")``) computes each covariance
        from the rows where both items are present; ``"complete"`` first drops every row with a
        missing item.

    Returns
    -------
    AlphaResult

    Raises
    ------
    StatsInputError
        Fewer than two items, non-numeric items, an item without variance, or a pair of items
        with fewer than two rows in common.

    Warns
    -----
    UserWarning
        When an item correlates negatively with the rest of the scale (it probably needs reversing).

    Notes
    -----
    As in ``psych`` (Revelle, version 2.2.9), the correlation matrix is ``cov2cor`` of the
    pairwise covariance matrix, the score of a respondent is the mean of their non-missing items,
    and ``r_drop`` is computed from the covariance matrix rather than from summed scores.
    """
    if not isinstance(items, pd.DataFrame) or items.shape[1] < 2:
        raise StatsInputError("cronbach_alpha needs a pandas DataFrame with at least two item columns")
    frame = _numeric_items(items, list(items.columns), "cronbach_alpha")
    if missing not in ("pairwise", "complete"):
        raise StatsInputError(f"missing must be 'pairwise' or 'complete', got {missing!r}")
    if missing == "complete":
        frame = frame.dropna()
    cov = _checked_covariance(frame)
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    total = _alpha_summary(cov, corr)
    score = frame.mean(axis=1, skipna=True)
    item_stats = pd.DataFrame(
        {
            "n": frame.notna().sum(),
            "raw_r": frame.corrwith(score),
            "std_r": corr.sum(axis=0) / np.sqrt(corr.sum()),
            "r_drop": _item_rest_correlations(cov),
            "mean": frame.mean(),
            "sd": frame.std(),
        }
    ).rename_axis("item")
    negative = item_stats.index[item_stats["r_drop"] < 0].tolist()
    if negative:
        warnings.warn(
            f"items {negative} correlate negatively with the rest of the scale; reverse-code them?",
            UserWarning,
            stacklevel=2,
        )
    return AlphaResult(
        raw_alpha=total["raw_alpha"],
        std_alpha=total["std_alpha"],
        average_r=total["average_r"],
        ase=float(np.sqrt(_alpha_q(cov) / frame.shape[0])),
        mean=float(score.mean()),
        sd=float(score.std()),
        n_items=frame.shape[1],
        n_obs=frame.shape[0],
        item_stats=item_stats,
        alpha_if_dropped=_alpha_if_dropped(cov, corr, frame.columns),
    )


def _checked_covariance(frame: pd.DataFrame) -> np.ndarray:
    if frame.shape[0] < 2:
        raise StatsInputError("cronbach_alpha needs at least 2 rows")
    cov = frame.cov().to_numpy()
    if np.isnan(cov).any():
        raise StatsInputError("some pair of items has fewer than 2 rows where both are present")
    flat = frame.columns[np.diag(cov) <= 0].tolist()
    if flat:
        raise StatsInputError(f"items {flat} have no variance")
    return cov


def _alpha_summary(cov: np.ndarray, corr: np.ndarray) -> dict[str, float]:
    k = cov.shape[0]
    return {
        "raw_alpha": float(k / (k - 1) * (1 - np.trace(cov) / cov.sum())),
        "std_alpha": float(k / (k - 1) * (1 - k / corr.sum())),
        "average_r": float((corr.sum() - k) / (k * (k - 1))),
    }


def _alpha_q(cov: np.ndarray) -> float:
    """Duhachek & Iacobucci's (2004) asymptotic variance numerator of alpha, as ``psych`` computes it."""
    k, total, trace = cov.shape[0], cov.sum(), np.trace(cov)
    square = cov @ cov
    return float(
        2 * k**2 / ((k - 1) ** 2 * total**3) * (total * (np.trace(square) + trace**2) - 2 * trace * square.sum())
    )


def _item_rest_correlations(cov: np.ndarray) -> np.ndarray:
    diag = np.diag(cov)
    rest_var = cov.sum() - 2 * cov.sum(axis=0) + diag
    return (cov.sum(axis=0) - diag) / np.sqrt(diag * rest_var)


def _alpha_if_dropped(cov: np.ndarray, corr: np.ndarray, names: pd.Index) -> pd.DataFrame | None:
    if cov.shape[0] < 3:
        return None
    rows = []
    for j in range(cov.shape[0]):
        keep = np.arange(cov.shape[0]) != j
        rows.append(_alpha_summary(cov[np.ix_(keep, keep)], corr[np.ix_(keep, keep)]))
    return pd.DataFrame(rows, index=pd.Index(names, name="item"))


# ---- reverse coding ----------------------------------------------------------------------------


def reverse_code(
    data: pd.DataFrame, columns: Sequence[str] | None = None, *, scale_min: float, scale_max: float
) -> pd.DataFrame:
    """Reverse-code items on a bounded scale: ``x -> scale_min + scale_max - x``.

    Parameters
    ----------
    data : pandas.DataFrame
        The items (and possibly other columns).
    columns : sequence of str, optional
        Columns to reverse; all columns when omitted.
    scale_min, scale_max : float
        The scale's end points (e.g. 1 and 5 for a five-point Likert item).  They are required
        rather than taken from the data, because a sample in which nobody chose an extreme category
        would otherwise be reversed wrongly.  ``psych::reverse.code`` with ``mini``/``maxi`` does
        the same.

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` with ``columns`` reversed; missing values stay missing.

    Raises
    ------
    StatsInputError
        Unknown or non-numeric columns, ``scale_min >= scale_max``, or values outside the scale.
    """
    if not isinstance(data, pd.DataFrame):
        raise StatsInputError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if not scale_min < scale_max:
        raise StatsInputError(f"scale_min ({scale_min}) must be below scale_max ({scale_max})")
    names = list(data.columns) if columns is None else list(columns)
    items = _numeric_items(data, names, "reverse_code")
    outside = [c for c in names if ((items[c] < scale_min) | (items[c] > scale_max)).any()]
    if outside:
        raise StatsInputError(f"columns {outside} have values outside the scale [{scale_min}, {scale_max}]")
    out = data.copy()
    for col in names:
        out[col] = scale_min + scale_max - items[col]
    return out


# ---- summary index -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryIndex:
    """A standardised summary index.

    Attributes
    ----------
    scores : pandas.Series
        The index, aligned with the input rows; mean 0 and standard deviation 1 in the reference
        group.  NaN for rows with fewer than ``min_items`` non-missing items.
    item_weights : pandas.Series
        Weight of each standardised item (equal for ``"equal"``; row sums of the inverse covariance
        matrix for ``"inverse_covariance"``).
    method : str
        ``"equal"`` or ``"inverse_covariance"``.
    n_items : pandas.Series
        Number of non-missing items behind each row's score.
    """

    scores: pd.Series
    item_weights: pd.Series
    method: str
    n_items: pd.Series


def summary_index(
    data: pd.DataFrame,
    items: Sequence[str],
    *,
    reference: str | pd.Series | np.ndarray | None = None,
    method: str = "equal",
    weight: str | None = None,
    negative: Sequence[str] = (),
    min_items: int = 1,
) -> SummaryIndex:
    """Standardised summary index of several outcomes (Kling, Liebman & Katz 2007; Anderson 2008).

    Each item is turned into a z-score with the mean and standard deviation of the reference group
    (the control group in an evaluation), items in ``negative`` change sign so that higher is
    better, the z-scores are averaged, and the average is standardised again against the
    reference group.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit.
    items : sequence of str
        Numeric item columns (at least one; the index of a single item is its z-score, which lets
        a dimension keep its place in an index of indices when its other items are constant).
    reference : str, array-like of bool or None
        Reference group: the name of a boolean/0-1 column, a boolean mask aligned with ``data``, or
        ``None`` for the whole sample.
    method : {"equal", "inverse_covariance"}
        ``"equal"`` (default): the equal-weight average of Kling, Liebman & Katz (2007,
        Econometrica 75(1)).  ``"inverse_covariance"``: Anderson's (2008, JASA 103(484)) weighted
        average with weights equal to the row sums of the inverted covariance matrix of the
        z-scores, which down-weights items that are highly correlated with each other.  The
        covariance matrix uses all rows, pairwise-complete, with the survey weights if given.
    weight : str, optional
        Survey weight column used for the reference means, standard deviations and covariances.
    negative : sequence of str
        Items for which a higher value is worse.
    min_items : int
        Fewest non-missing items a row needs to get a score.

    Returns
    -------
    SummaryIndex

    Raises
    ------
    StatsInputError
        Unknown or non-numeric items, no items, a reference group with fewer than two observed
        values or no variance for some item, bad weights, or a singular covariance matrix for
        ``"inverse_covariance"``.

    Notes
    -----
    Missing items: a row's score averages the items it has, with the item weights renormalised
    over them (Anderson 2008, Section 3.2).  For ``"equal"`` this is the mean of the available
    z-scores, i.e. each missing z-score is imputed by the row's own mean of the others.  Kling,
    Liebman & Katz instead impute missing components at the treatment-group mean; the two agree
    when no item is missing.  Rows with fewer than ``min_items`` items get NaN (with a warning).
    """
    if method not in ("equal", "inverse_covariance"):
        raise StatsInputError(f"method must be 'equal' or 'inverse_covariance', got {method!r}")
    names = list(items)
    if not names:
        raise StatsInputError("a summary index needs at least one item")
    if not (isinstance(min_items, (int, np.integer)) and 1 <= min_items <= len(names)):
        raise StatsInputError(f"min_items must be an integer between 1 and {len(names)}, got {min_items!r}")
    unknown = [c for c in negative if c not in names]
    if unknown:
        raise StatsInputError(f"negative items {unknown} are not among the items")
    frame = _numeric_items(data, names, "summary_index")
    w = _row_weights(data, weight)
    ref = _reference_mask(data, reference)
    z = _standardise(frame.to_numpy(dtype=float), w, ref, names)
    z[:, [names.index(c) for c in negative]] *= -1.0
    item_weights = np.ones(len(names)) if method == "equal" else _inverse_covariance_weights(z, w, names)
    available = ~np.isnan(z)
    count = available.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.nansum(z * item_weights, axis=1) / (available * item_weights).sum(axis=1)
    raw[count < min_items] = np.nan
    _warn_unscored(int((count < min_items).sum()), min_items)
    scores = _standardise(raw[:, None], w, ref, ["summary index"])[:, 0]
    return SummaryIndex(
        scores=pd.Series(scores, index=data.index, name="summary_index"),
        item_weights=pd.Series(item_weights, index=pd.Index(names, name="item"), name="weight"),
        method=method,
        n_items=pd.Series(count, index=data.index, name="n_items"),
    )


def _standardise(values: np.ndarray, w: np.ndarray, ref: np.ndarray, names: list[str]) -> np.ndarray:
    """Z-score each column against the weighted mean and SD of its observed reference rows."""
    out = np.empty_like(values)
    for j, name in enumerate(names):
        keep = ref & ~np.isnan(values[:, j])
        if keep.sum() < 2:
            raise StatsInputError(f"{name!r} has fewer than 2 observed values in the reference group")
        sd = float(np.sqrt(weighted_var(values[keep, j], w[keep])))
        if not sd > 0:
            raise StatsInputError(f"{name!r} has no variance in the reference group")
        out[:, j] = (values[:, j] - weighted_mean(values[keep, j], w[keep])) / sd
    return out


def _inverse_covariance_weights(z: np.ndarray, w: np.ndarray, names: list[str]) -> np.ndarray:
    k = z.shape[1]
    cov = np.empty((k, k))
    for a in range(k):
        for b in range(a, k):
            both = ~np.isnan(z[:, a]) & ~np.isnan(z[:, b])
            cov[a, b] = cov[b, a] = _weighted_cov(z[both, a], z[both, b], w[both])
    if not np.isfinite(cov).all() or np.linalg.matrix_rank(cov) < k:
        raise StatsInputError(f"the covariance matrix of items {names} is singular; drop redundant items")
    return np.linalg.solve(cov, np.ones(k))


def _weighted_cov(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    """Reliability-weighted covariance (the ``n - 1`` covariance when weights are equal)."""
    total = w.sum()
    denom = total - (w @ w) / total
    if denom <= 1e-12 * total:
        return float("nan")
    return float(w @ ((x - w @ x / total) * (y - w @ y / total)) / denom)


def _warn_unscored(n_unscored: int, min_items: int) -> None:
    if n_unscored:
        warnings.warn(
            f"{n_unscored} rows have fewer than {min_items} non-missing items and get no score",
            UserWarning,
            stacklevel=3,
        )


# ---- first principal component -----------------------------------------------------------------


@dataclass(frozen=True)
class PrincipalComponent:
    """First principal component of standardised items.

    Attributes
    ----------
    scores : pandas.Series
        Component scores aligned with the input rows (NaN where an item is missing).
    loadings : pandas.Series
        Unit-length eigenvector of the item correlation matrix, signed so that the loadings sum to
        a positive number.
    explained_variance_ratio : float
        Share of the total standardised variance carried by the component.
    n_obs : int
        Complete rows used.
    """

    scores: pd.Series
    loadings: pd.Series
    explained_variance_ratio: float
    n_obs: int


def first_principal_component(data: pd.DataFrame, items: Sequence[str]) -> PrincipalComponent:
    """First principal component of the standardised items, as R's ``prcomp(scale. = TRUE)``.

    An alternative to :func:`summary_index` that weights items by how much they share, as used for
    asset indices (Filmer & Pritchett 2001, Demography 38(1)).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit.
    items : sequence of str
        Numeric item columns (at least two).

    Returns
    -------
    PrincipalComponent
        Scores are ``z @ loadings`` for the items standardised with the complete-case mean and
        (``n - 1``) standard deviation, i.e. ``prcomp(na.omit(x), scale. = TRUE)$x[, 1]`` up to sign.

    Raises
    ------
    StatsInputError
        Unknown or non-numeric items, fewer than two items or three complete rows, or an item
        without variance.

    Warns
    -----
    UserWarning
        When rows with missing items are left without a score.
    """
    names = list(items)
    if len(names) < 2:
        raise StatsInputError("a principal component needs at least two items")
    frame = _numeric_items(data, names, "first_principal_component")
    complete = frame.notna().all(axis=1).to_numpy()
    if complete.sum() < 3:
        raise StatsInputError("first_principal_component needs at least 3 rows without missing items")
    if not complete.all():
        warnings.warn(
            f"{int((~complete).sum())} rows with missing items get no score",
            UserWarning,
            stacklevel=2,
        )
    values = frame.to_numpy(dtype=float)[complete]
    sd = values.std(axis=0, ddof=1)
    flat = [n for n, s in zip(names, sd, strict=True) if not s > 0]
    if flat:
        raise StatsInputError(f"items {flat} have no variance")
    z = (values - values.mean(axis=0)) / sd
    eigval, eigvec = np.linalg.eigh(np.corrcoef(z, rowvar=False))
    loadings = eigvec[:, -1] * (1.0 if eigvec[:, -1].sum() >= 0 else -1.0)
    scores = np.full(frame.shape[0], np.nan)
    scores[complete] = z @ loadings
    return PrincipalComponent(
        scores=pd.Series(scores, index=data.index, name="pc1"),
        loadings=pd.Series(loadings, index=pd.Index(names, name="item"), name="loading"),
        explained_variance_ratio=float(eigval[-1] / eigval.sum()),
        n_obs=int(complete.sum()),
    )


# ---- shared checks -----------------------------------------------------------------------------


def _numeric_items(data: pd.DataFrame, names: list[str], caller: str) -> pd.DataFrame:
    """Return ``data[names]`` as floats after checking the columns exist and are numeric."""
    if not isinstance(data, pd.DataFrame):
        raise StatsInputError(f"{caller} needs a pandas DataFrame, got {type(data).__name__}")
    unknown = [c for c in names if c not in data.columns]
    if unknown:
        raise StatsInputError(f"column(s) not in data: {unknown}")
    bad = [c for c in names if not (pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c]))]
    if bad:
        raise StatsInputError(f"item column(s) {bad} must be numeric")
    return pd.DataFrame({c: data[c].to_numpy(dtype=float, na_value=np.nan) for c in names}, index=data.index)


def _row_weights(data: pd.DataFrame, weight: str | None) -> np.ndarray:
    if weight is None:
        return np.ones(len(data))
    if weight not in data.columns:
        raise StatsInputError(f"weight column {weight!r} not in data")
    w = _numeric_items(data, [weight], "summary_index")[weight].to_numpy()
    if np.isnan(w).any() or (w <= 0).any() or np.isinf(w).any():
        raise StatsInputError(f"weight column {weight!r} must be positive and non-missing")
    return w


def _reference_mask(data: pd.DataFrame, reference: str | pd.Series | np.ndarray | None) -> np.ndarray:
    if reference is None:
        return np.ones(len(data), dtype=bool)
    if isinstance(reference, str):
        if reference not in data.columns:
            raise StatsInputError(f"reference column {reference!r} not in data")
        reference = data[reference]
    if isinstance(reference, pd.Series) and not reference.index.equals(data.index):
        raise StatsInputError("reference mask must have the same index as data")
    mask = np.asarray(reference)
    if mask.shape != (len(data),):
        raise StatsInputError(f"reference mask has shape {mask.shape}, data has {len(data)} rows")
    if pd.isna(mask).any() or not np.isin(mask, (0, 1, True, False)).all():
        raise StatsInputError("reference must be boolean (or 0/1) without missing values")
    return mask.astype(bool)

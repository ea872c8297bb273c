"""Calibration of survey weights to known population counts, and the residuals its variance needs.

Post-stratification multiplies the weights in each category of one column by ``N_c / N_hat_c``;
raking repeats that over several columns in turn (iterative proportional fitting) until the
weighted counts stop moving. The calibrated estimator of a total is, to first order, the
uncalibrated estimator of the *residuals* of the variable on the calibration categories, fitted
by least squares with the weights before calibration (Deville and Sarndal 1992); its variance is
the design variance of those residuals times the calibrated weights.

For post-stratification that is exactly R's ``postStratify`` (residuals from the weighted cell
means). For raking the point estimates are R's ``rake`` run to convergence, and the residuals are
those of ``calibrate(..., calfun = "raking")``, which solves the same equations: ``rake`` itself
approximates the projection by ten rounds of backfitting with unweighted category means, which
differs from it when weights vary within categories (on R's two-stage ``apiclus2`` sample raked
to school type and ``sch.wide``, its SE of the mean API is 22% larger).

Why by hand: no maintained Python library calibrates weights *and* carries the calibration into
design-based variances (samplics, which did, is archived).

References
----------
Deville, J.-C. and Sarndal, C.-E. (1992). Calibration estimators in survey sampling. JASA 87, 376-382.
Lumley, T. (2010). Complex Surveys, ch. 7. R package ``survey`` 4.1: ``postStratify``, ``rake``,
``calibrate``, ``svyrecvar``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from pa_study.stats._errors import StatsInputError
from pa_study.stats._stages import aggregator

Totals = Mapping[object, float] | pd.Series


@dataclass(frozen=True)
class Margin:
    """One calibration variable: each row's category code and the population count per category."""

    column: str
    codes: np.ndarray
    categories: list
    totals: np.ndarray

    @property
    def size(self) -> int:
        return len(self.categories)


def read_margin(data: pd.DataFrame, column: str, totals: Totals) -> Margin:
    """Match the population ``totals`` of ``column`` to the categories present in the sample.

    Raises
    ------
    StatsInputError
        The column is absent or has missing values; a sampled category has no total; a total is
        given for a category no sampled row has; a total is not a positive number.
    """
    if not isinstance(column, str) or column not in data.columns:
        raise StatsInputError(f"calibration column {column!r} is not in the data")
    values = data[column]
    n_missing = int(values.isna().sum())
    if n_missing:
        raise StatsInputError(
            f"calibration column {column!r} has {n_missing} missing value(s): every row needs a category"
        )
    if isinstance(totals, pd.Series):
        totals = totals.to_dict()
    if not isinstance(totals, Mapping) or not totals:
        raise StatsInputError(f"calibration totals for {column!r} must be a non-empty mapping of category to count")
    codes, categories = pd.factorize(values, sort=True)
    by_text = {str(k): v for k, v in totals.items()}
    matched, unmatched_sample = [], []
    for category in categories:
        if category in totals:
            matched.append((category, totals[category]))
        elif str(category) in by_text:
            matched.append((str(category), by_text[str(category)]))
        else:
            unmatched_sample.append(category)
    if unmatched_sample:
        counts = values.value_counts()
        listed = ", ".join(f"{c!r} ({int(counts[c])} rows)" for c in unmatched_sample[:10])
        raise StatsInputError(
            f"calibration totals for {column!r} have no count for sampled categor(y/ies) {listed}; "
            f"totals are given for {sorted(map(str, totals))[:10]}"
        )
    used = {str(k) for k, _ in matched}
    extra = [k for k in totals if str(k) not in used]
    if extra:
        listed = ", ".join(f"{k!r} (total {totals[k]!r})" for k in extra[:10])
        raise StatsInputError(
            f"calibration totals for {column!r} include categor(y/ies) {listed} that no sampled row has; "
            "a category without sampled units cannot be calibrated (collapse it with a neighbour)"
        )
    counts = np.array([float(v) if _is_number(v) else np.nan for _, v in matched])
    bad = np.flatnonzero(~(np.isfinite(counts) & (counts > 0)))
    if bad.size:
        k, v = matched[bad[0]]
        raise StatsInputError(f"calibration total of {column!r} for category {k!r} is {v!r}; counts must be positive")
    return Margin(column, codes.astype(np.intp), list(categories), counts)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _category_sums(codes: np.ndarray, size: int, values: np.ndarray) -> np.ndarray:
    """Sums of the (K, R) ``values`` by category -> (size, R)."""
    if values.shape[1] == 1:
        return np.bincount(codes, weights=values[:, 0], minlength=size)[:, None]
    return aggregator(codes, size) @ values


def joint_codes(codes: list[np.ndarray]) -> np.ndarray:
    """Code of each row's combination of categories (``codes[m]``: its category in margin ``m``)."""
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for margin_codes in codes:
        key = key * (int(margin_codes.max()) + 1) + margin_codes
    return pd.factorize(key)[0].astype(np.intp)


def calibration_factors(
    base: np.ndarray,
    codes: list[np.ndarray],
    margins: tuple[Margin, ...],
    start: np.ndarray,
    *,
    max_iter: int,
    tolerance: float,
) -> np.ndarray:
    """Factors ``F`` (K, R) such that weights ``base * F`` match every margin's totals.

    ``base`` holds the design weight of each of K cells (rows, or groups of rows sharing their
    categories), ``codes[m]`` each cell's category in margin ``m`` and ``start`` the factors to
    begin from (one column per replicate). Post-stratification (one margin) is a single pass;
    several margins are raked until no combination of categories changes its weighted count by
    ``tolerance`` times the total weight or more, as R's ``rake(control = list(epsilon = ))``.

    Raises
    ------
    StatsInputError
        A category has no weight left (a replicate dropped all its units), or raking does not
        converge in ``max_iter`` iterations.
    """
    factors = start.astype(float, copy=True)
    if len(margins) == 1:
        return _poststratify_once(base, codes[0], margins[0], factors)
    joint = joint_codes(codes)
    n_joint = int(joint.max()) + 1
    limit = tolerance * (base @ start)
    old = _category_sums(joint, n_joint, base[:, None] * factors)
    delta = np.full(start.shape[1], np.inf)
    for _ in range(max_iter):
        for margin_codes, margin in zip(codes, margins, strict=True):
            factors = _poststratify_once(base, margin_codes, margin, factors)
        new = _category_sums(joint, n_joint, base[:, None] * factors)
        delta = np.abs(new - old).max(axis=0)
        if (delta < limit).all():
            _check_margins(base, codes, margins, factors)
            return factors
        old = new
    raise StatsInputError(
        f"raking on {[m.column for m in margins]} did not converge in {max_iter} iterations: weighted counts "
        f"still change by {delta.max():.3g} (tolerance {limit.max():.3g}); the sample has no units in some "
        "combination of categories the totals need (e.g. a category of one column whose units all fall in a "
        "category of another with a smaller total)"
    )


def _check_margins(base: np.ndarray, codes: list[np.ndarray], margins: tuple[Margin, ...], factors: np.ndarray) -> None:
    """Raking can settle while a margin is still missed (totals no weights can meet): refuse that."""
    for margin_codes, margin in zip(codes, margins, strict=True):
        sums = _category_sums(margin_codes, margin.size, base[:, None] * factors)
        gap = np.abs(sums / margin.totals[:, None] - 1)
        if gap.max() > 1e-6:
            c = int(np.unravel_index(gap.argmax(), gap.shape)[0])
            raise StatsInputError(
                f"raking on {[m.column for m in margins]} did not converge: the weights settle with category "
                f"{margin.categories[c]!r} of {margin.column!r} at {sums[c].max():g} instead of {margin.totals[c]:g}; "
                "the sample has no units in some combination of categories the totals need"
            )


def _poststratify_once(base: np.ndarray, codes: np.ndarray, margin: Margin, factors: np.ndarray) -> np.ndarray:
    sums = _category_sums(codes, margin.size, base[:, None] * factors)
    empty = np.argwhere(~(sums > 0))
    if empty.size:
        c, r = empty[0]
        where = "" if factors.shape[1] == 1 else f" in replicate {r + 1}"
        raise StatsInputError(
            f"category {margin.categories[c]!r} of calibration column {margin.column!r} has no sampled weight{where}, "
            f"so it cannot be scaled to its total {margin.totals[c]:g}"
        )
    return factors * (margin.totals[:, None] / sums)[codes]


@dataclass(frozen=True)
class Calibration:
    """One calibration step of a design: its margins and the weights before and after it."""

    margins: tuple[Margin, ...]
    before: np.ndarray
    after: np.ndarray
    max_iter: int
    tolerance: float

    @property
    def columns(self) -> list[str]:
        return [m.column for m in self.margins]

    @functools.cached_property
    def _dummies(self) -> sparse.csr_matrix:
        n = len(self.before)
        blocks = [sparse.csr_matrix((np.ones(n), (np.arange(n), m.codes)), shape=(n, m.size)) for m in self.margins]
        return sparse.hstack(blocks, format="csr")

    @functools.cached_property
    def _gram_inverse(self) -> np.ndarray:
        dummies = self._dummies
        gram = (dummies.T @ dummies.multiply(self.before[:, None])).toarray()
        # Dummies of several margins are collinear (each margin's sum to one): the pseudo-inverse
        # gives the least-squares fit, which is unique even where the coefficients are not.
        return np.linalg.pinv(gram, rcond=1e-12)

    @functools.cached_property
    def _projection(self) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """``X' diag(before / after)`` and ``diag(after) X``, the two sides of the fit."""
        ratio = (self.before / self.after)[:, None]
        return (
            sparse.csr_matrix(self._dummies.multiply(ratio).T),
            sparse.csr_matrix(self._dummies.multiply(self.after[:, None])),
        )

    def residual(self, x: np.ndarray) -> np.ndarray:
        """Calibration residuals of influence values ``x`` (n x k, already times the weights).

        ``x - w_after * X B`` with ``B`` the least-squares coefficients of ``x / w_after`` on the
        category dummies ``X``, weighted by the weights before calibration (R's ``calibrate``
        residuals; for one margin, ``postStratify``'s weighted cell means).
        """
        left, right = self._projection
        coefficients = self._gram_inverse @ (left @ x)
        return x - right @ coefficients


def calibrate(
    data: pd.DataFrame,
    weights: np.ndarray,
    margins: Mapping[str, Totals],
    *,
    max_iter: int,
    tolerance: float,
) -> Calibration:
    """Calibrate ``weights`` to the population ``margins`` ({column: {category: count}})."""
    if not isinstance(margins, Mapping) or not margins:
        raise StatsInputError("give at least one calibration column with its population totals")
    if max_iter < 1 or not tolerance > 0:
        raise StatsInputError(f"max_iter must be >= 1 and tolerance > 0, got {max_iter!r} and {tolerance!r}")
    read = tuple(read_margin(data, column, totals) for column, totals in margins.items())
    sums = [m.totals.sum() for m in read]
    if max(sums) - min(sums) > 1e-9 * max(sums):
        listed = ", ".join(f"{m.column!r} to {s:g}" for m, s in zip(read, sums, strict=True))
        raise StatsInputError(
            f"calibration totals disagree: they sum {listed}; raking needs counts of the same population"
        )
    factors = calibration_factors(
        weights, [m.codes for m in read], read, np.ones((len(weights), 1)), max_iter=max_iter, tolerance=tolerance
    )
    after = weights * factors[:, 0]
    after.setflags(write=False)
    return Calibration(read, weights, after, max_iter, tolerance)

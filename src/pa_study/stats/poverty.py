"""Poverty measures: Foster-Greer-Thorbecke indices and the Alkire-Foster multidimensional index.

Every measure is a mean or a ratio of means of a per-person quantity once the poverty line (or
the cutoffs and ``k``) are fixed, so its design-based standard error is that of the
corresponding :class:`~pa_study.stats.SurveyDesign` mean or ratio (lines are treated as known
constants, not estimated).

References
----------
Foster, J., Greer, J. and Thorbecke, E. (1984). A class of decomposable poverty measures.
Econometrica 52(3), 761-766.
Alkire, S. and Foster, J. (2011). Counting and multidimensional poverty measurement. Journal of
Public Economics 95(7-8), 476-487.
Alkire, S. et al. (2015). Multidimensional Poverty Measurement and Analysis. Oxford UP, ch. 5.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pa_study.stats._errors import StatsInputError
from pa_study.stats._estimators import Deff
from pa_study.stats._results import Estimate
from pa_study.stats.survey import (
    SurveyDesign,
    as_numeric,
    design_or_srs,
    design_values,
    rename,
)

_PREFIX = "__poverty_"
# Weighted deprivation counts are sums of float weights (1/3 + 1/3 ...): compare with k up to
# rounding so that a person deprived in exactly k of the weighted dimensions counts as poor.
_K_TOLERANCE = 1e-9


def fgt(
    income: object,
    line: object,
    alpha: float,
    *,
    weight: object = None,
    design: SurveyDesign | None = None,
    by: str | None = None,
    na_rm: bool = False,
    level: float = 0.95,
) -> Estimate | pd.DataFrame:
    """Foster-Greer-Thorbecke poverty index ``P_alpha = mean(1[y < z] ((z - y) / z)^alpha)``.

    Parameters
    ----------
    income : str or array-like
        Welfare measure (income or consumption). With ``design``, a column of ``design.data`` or
        an array in its row order.
    line : float, str or array-like
        Poverty line ``z`` > 0: one value, or one per person (e.g. regional lines).
    alpha : float
        Poverty aversion, >= 0: 0 headcount ratio, 1 poverty gap index, 2 squared gap.
    weight : array-like, optional
        Sampling weights when no design is given (every person then is its own PSU).
    design : SurveyDesign, optional
        Survey design for design-based standard errors.
    by : str, optional
        Domain column of the design (estimated on the full design).
    na_rm : bool
        Estimate over persons with a known income; otherwise missing income raises.
    level : float
        Confidence level.

    Returns
    -------
    Estimate or pandas.DataFrame
        ``P_alpha`` with SE and CI (``extra`` holds ``alpha``); a table per domain with ``by``.

    Notes
    -----
    Poor means income strictly below the line. Incomes at or below zero have a gap of 1 or
    more, as the formula gives; they are not truncated.
    """
    design = design_or_srs(design, weight, income, "income")
    y, name = design_values(design, income, "income")
    z = _line(design, line)
    alpha = float(alpha)
    if not alpha >= 0:
        raise StatsInputError(f"alpha must be >= 0, got {alpha!r}")
    y = as_numeric(pd.Series(y), name)
    gap = np.clip((z - y) / z, 0.0, None)
    g = np.where(y < z, gap**alpha, 0.0)
    g[np.isnan(y)] = np.nan
    result = design.assign(**{_PREFIX + "fgt": g}).mean(_PREFIX + "fgt", by=by, na_rm=na_rm, level=level)
    label = f"fgt{alpha:g}({name})"
    if isinstance(result, Estimate):
        return rename(result, label, alpha=alpha)
    return result.assign(alpha=alpha)


def _line(design: SurveyDesign, line: object) -> np.ndarray | float:
    if np.isscalar(line) and not isinstance(line, str):
        z = np.full(design.n, float(line))
    else:
        values, name = design_values(design, line, "line")
        z = as_numeric(pd.Series(values), name)
    if not (np.isfinite(z) & (z > 0)).all():
        raise StatsInputError("the poverty line must be positive and known for everyone")
    return z


@dataclass(frozen=True)
class AlkireFosterResult:
    """The Alkire-Foster adjusted headcount ratio and its partial indices.

    Attributes
    ----------
    H : Estimate
        Multidimensional headcount ratio: share of people with weighted deprivation score >= k.
    A : Estimate
        Intensity: average deprivation score among the poor.
    M0 : Estimate
        Adjusted headcount ratio, ``H * A``: mean censored deprivation score.
    censored_headcounts : pandas.DataFrame
        Per dimension, the share of people who are poor and deprived in it (``dimension``,
        ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``n``).
    contributions : pandas.DataFrame
        Per dimension, its share of M0, ``w_j h_j / M0`` (same columns; they sum to 1).
    k : float
        Poverty cutoff used.
    """

    H: Estimate
    A: Estimate
    M0: Estimate
    censored_headcounts: pd.DataFrame
    contributions: pd.DataFrame
    k: float

    def to_frame(self) -> pd.DataFrame:
        """Long table: one row per index, censored headcount and contribution."""
        head = pd.DataFrame([e.to_dict() for e in (self.H, self.A, self.M0)])
        head = head.rename(columns={"name": "measure"}).assign(dimension=None)
        parts = [head]
        for measure, table in (("censored_headcount", self.censored_headcounts), ("contribution", self.contributions)):
            parts.append(table.assign(measure=measure, df=self.H.df, level=self.H.level))
        columns = ["measure", "dimension", "estimate", "se", "ci_low", "ci_high", "n", "df", "level"]
        return pd.concat([p[columns] for p in parts], ignore_index=True)


def alkire_foster(
    achievements: pd.DataFrame | Sequence[str],
    *,
    cutoffs: Mapping[str, float] | Sequence[float],
    weights: Mapping[str, float] | Sequence[float],
    k: float,
    weight: object = None,
    design: SurveyDesign | None = None,
    na_rm: bool = False,
    level: float = 0.95,
) -> AlkireFosterResult:
    """Alkire-Foster multidimensional poverty: H, A, M0 and dimensional breakdown.

    Parameters
    ----------
    achievements : pandas.DataFrame or sequence of str
        One column per dimension, higher is better. With ``design``, column names of
        ``design.data`` (or a DataFrame in its row order); without, a DataFrame.
    cutoffs : mapping or sequence of float
        Deprivation cutoff ``z_j`` per dimension (by column name, or in column order); a person
        is deprived when the achievement is strictly below it.
    weights : mapping or sequence of float
        Dimension weights, positive, summing to 1.
    k : float
        Poverty cutoff in (0, 1]: poor when the weighted deprivation score is at least ``k``.
    weight : array-like, optional
        Sampling weights when no design is given.
    design : SurveyDesign, optional
        Survey design for design-based standard errors.
    na_rm : bool
        Exclude people with any missing achievement (estimates then refer to people with
        complete profiles); otherwise a missing achievement raises.
    level : float
        Confidence level.

    Returns
    -------
    AlkireFosterResult
        H and M0 are means, A and the contributions ratios (``svyratio``) of the censored
        score.

    Raises
    ------
    StatsInputError
        Weights not summing to 1, ``k`` outside (0, 1], unknown or non-numeric dimensions,
        missing achievements without ``na_rm``, or nobody poor (A is then undefined).
    """
    design, dims, w, deprived, complete = _deprivations(achievements, cutoffs, weights, [k], weight, design, na_rm)
    score = deprived @ w
    poor = (score >= float(k) - _K_TOLERANCE).astype(float)
    if not (poor * complete).any():
        raise StatsInputError(
            f"nobody is multidimensionally poor at k={k}: intensity A and the dimensional contributions are undefined"
        )
    columns = {"poor": poor, "score": score * poor}
    columns |= {f"h{j}": deprived[:, j] * poor for j in range(len(dims))}
    columns |= {f"c{j}": w[j] * deprived[:, j] * poor for j in range(len(dims))}
    ds = design.assign(**{_PREFIX + key: np.where(complete, v, np.nan) for key, v in columns.items()})
    options = dict(na_rm=na_rm, level=level)
    # The breakdown tables carry no design effects: computing them would double their cost.
    censored = ds.mean([_PREFIX + f"h{j}" for j in range(len(dims))], deff=False, **options)
    contributions = pd.concat(
        [ds.ratio(_PREFIX + f"c{j}", _PREFIX + "score", deff=False, **options).to_frame() for j in range(len(dims))],
        ignore_index=True,
    )
    table_columns = ["dimension", "estimate", "se", "ci_low", "ci_high", "n"]
    # A and the contributions are averages over the poor: n counts the poor in the sample.
    n_poor = int(np.count_nonzero(poor * complete))
    intensity = ds.ratio(_PREFIX + "score", _PREFIX + "poor", **options)
    return AlkireFosterResult(
        H=rename(ds.mean(_PREFIX + "poor", **options), "H", k=float(k)),
        A=rename(dataclasses.replace(intensity, n=n_poor), "A", k=float(k)),
        M0=rename(ds.mean(_PREFIX + "score", **options), "M0", k=float(k)),
        censored_headcounts=censored.assign(dimension=dims)[table_columns],
        contributions=contributions.assign(dimension=dims, n=n_poor)[table_columns],
        k=float(k),
    )


def alkire_foster_curve(
    achievements: pd.DataFrame | Sequence[str],
    *,
    cutoffs: Mapping[str, float] | Sequence[float],
    weights: Mapping[str, float] | Sequence[float],
    ks: Sequence[float],
    weight: object = None,
    design: SurveyDesign | None = None,
    na_rm: bool = False,
    level: float = 0.95,
    deff: Deff | None = False,
) -> pd.DataFrame:
    """Alkire-Foster H and M0 over several poverty cutoffs ``k`` (the dominance analysis over k).

    Parameters are those of :func:`alkire_foster`, with ``ks`` the cutoffs, and ``deff`` that of
    :meth:`SurveyDesign.mean` (``None``: the design's default). Unlike there, a cutoff at which
    nobody is poor is not an error: H and M0 are then zero (only A is undefined).

    Returns
    -------
    pandas.DataFrame
        ``k``, ``measure`` (``H`` or ``M0``), ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``n``,
        ``df``, ``level``, in the order of ``ks``; with design effects also ``deff``, ``n_effective``
        and ``kish_deff`` (R's ``svymean(deff = TRUE)`` of the 0/1 poverty status and of the censored score).

    References
    ----------
    Alkire, S. et al. (2015). Multidimensional Poverty Measurement and Analysis, ch. 8 (robustness
    of comparisons to the poverty cutoff).
    """
    design, _, w, deprived, complete = _deprivations(achievements, cutoffs, weights, ks, weight, design, na_rm)
    score = deprived @ w
    columns = {}
    for i, k in enumerate(ks):
        poor = (score >= float(k) - _K_TOLERANCE).astype(float)
        columns[f"{_PREFIX}H{i}"] = np.where(complete, poor, np.nan)
        columns[f"{_PREFIX}M{i}"] = np.where(complete, poor * score, np.nan)
    # By default the curve carries no design effects: over a grid of cutoffs they would double its cost.
    table = design.assign(**columns).mean(list(columns), na_rm=na_rm, level=level, deff=deff)
    assert isinstance(table, pd.DataFrame)
    keys = {name: (float(ks[i]), "H" if kind == "H" else "M0") for name, (i, kind) in _curve_keys(columns).items()}
    table["k"] = table["variable"].map(lambda v: keys[v][0])
    table["measure"] = table["variable"].map(lambda v: keys[v][1])
    table["df"], table["level"] = design.df, level
    effects = [c for c in ("deff", "n_effective", "kish_deff") if c in table.columns]
    return table[["k", "measure", "estimate", "se", "ci_low", "ci_high", "n", "df", "level", *effects]]


def _curve_keys(columns: Mapping[str, np.ndarray]) -> dict[str, tuple[int, str]]:
    """Column name -> (position of its k, ``H`` or ``M``) of :func:`alkire_foster_curve`'s columns."""
    return {name: (int(name[len(_PREFIX) + 1 :]), name[len(_PREFIX)]) for name in columns}


def _deprivations(
    achievements: pd.DataFrame | Sequence[str],
    cutoffs: Mapping[str, float] | Sequence[float],
    weights: Mapping[str, float] | Sequence[float],
    ks: Sequence[float],
    weight: object,
    design: SurveyDesign | None,
    na_rm: bool,
) -> tuple[SurveyDesign, list[str], np.ndarray, np.ndarray, np.ndarray]:
    """The checked inputs of an Alkire-Foster measure: the design, the dimensions, their weights,
    the 0/1 deprivation matrix and which rows have a complete profile."""
    frame, design = _achievements(achievements, weight, design)
    dims = list(frame.columns)
    z = _per_dimension(cutoffs, dims, "cutoffs")
    w = _per_dimension(weights, dims, "weights")
    for k in ks:
        _check_af_parameters(w, float(k))
    x = frame.to_numpy(dtype=float)
    complete = ~np.isnan(x).any(axis=1)
    if not na_rm and not complete.all():
        raise StatsInputError(
            f"{int((~complete).sum())} row(s) have a missing achievement; pass na_rm=True to use complete profiles only"
        )
    return design, dims, w, (x < z).astype(float), complete


def _achievements(
    achievements: pd.DataFrame | Sequence[str], weight: object, design: SurveyDesign | None
) -> tuple[pd.DataFrame, SurveyDesign]:
    if isinstance(achievements, pd.DataFrame):
        frame = achievements.reset_index(drop=True)
        design = design_or_srs(design, weight, frame.index.to_numpy(), "achievements")
        if len(frame) != design.n:
            raise StatsInputError(f"achievements has {len(frame)} rows, the design {design.n}")
    else:
        if design is None:
            raise StatsInputError("achievements given as column names need design=")
        names = [achievements] if isinstance(achievements, str) else list(achievements)
        frame = pd.DataFrame({name: design_values(design, name, "achievement")[0] for name in names})
    if frame.shape[1] == 0:
        raise StatsInputError("achievements has no dimensions")
    numeric = pd.DataFrame({c: as_numeric(frame[c], c) for c in frame.columns})
    return numeric, design


def _per_dimension(values: Mapping[str, float] | Sequence[float], dims: list[str], role: str) -> np.ndarray:
    if isinstance(values, Mapping):
        if set(values) != set(dims):
            raise StatsInputError(f"{role} must name exactly the dimensions {dims}, got {sorted(values)}")
        return np.array([float(values[d]) for d in dims])
    out = np.asarray(values, dtype=float)
    if out.shape != (len(dims),):
        raise StatsInputError(f"{role} must have one value per dimension ({len(dims)})")
    return out


def _check_af_parameters(w: np.ndarray, k: float) -> None:
    if not (w > 0).all() or not np.isclose(w.sum(), 1.0, rtol=0, atol=1e-9):
        raise StatsInputError(f"dimension weights must be positive and sum to 1, got {w.tolist()}")
    if not 0 < k <= 1:
        raise StatsInputError(f"k must be in (0, 1], got {k!r}")

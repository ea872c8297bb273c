"""The stages of a (multistage) sample and the Taylor-linearisation variance they imply.

A design has one stage per sampling level (villages within townships, then households within
villages). At every stage the sampled units are grouped into *strata within their parent unit*
(the first stage's strata are the design's strata; the second stage may be stratified within each
village, e.g. registered / other households). The variance of an estimated total of influence
values is R's ``survey:::multistage`` (``svyrecvar``):

``V = sum_g c_g (1 - f_g) n_g / (n_g - 1) sum_{u in g} (t_u - mean_g t)^2``

summed over the groups ``g`` of every stage, where ``t_u`` are unit totals, ``f_g = n_g / N_g`` the
group's sampling fraction and ``c_g`` the product of the sampling fractions of the group's
ancestors (1 at the first stage). A stage without a finite-population correction is sampled with
replacement: its own ``1 - f`` is 1 and no later stage contributes (its fraction is 0); a design
without any ``fpc`` is therefore the one-stage "ultimate cluster" approximation, as in R.

Why by hand: no Python library implements the stage-by-stage estimator (see
:mod:`pa_study.stats.survey`); this follows ``survey:::multistage``, ``onestage`` and ``onestrat``
(survey 4.1) line by line, vectorised over groups instead of recursing over units.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from pa_study.stats._errors import StatsInputError

# R's onestrat() treats a stratum whose sampling fraction is within 1e-7 of 1 as fully enumerated.
FULLY_ENUMERATED = 1e-7


@dataclass(frozen=True)
class Stage:
    """One sampling stage: which unit each row belongs to and how unit totals vary.

    Attributes
    ----------
    number : int
        1 for the first stage.
    unit : numpy.ndarray or None
        Code of each row's unit at this stage (units are nested in their group); None when every
        row is its own unit.
    n_units : int
    group : numpy.ndarray
        Group (stratum within the parent unit) of each unit.
    n_in_group : numpy.ndarray
        Sampled units per group.
    scale : numpy.ndarray
        Per group ``c_g (1 - f_g) n_g / (n_g - 1)`` (``c_g (1 - f_g)`` for a single unit), 0 for
        a group enumerated completely or a lonely unit treated as certain.
    centre : numpy.ndarray
        Per group, whether unit totals are centred on the group mean (not for a lonely unit under
        ``lonely_psu="adjust"``, which is centred on zero as R does).
    fraction_left : numpy.ndarray
        Per group ``1 - f_g`` (1 without fpc).
    """

    number: int
    unit: np.ndarray | None
    n_units: int
    group: np.ndarray
    n_in_group: np.ndarray
    scale: np.ndarray
    centre: np.ndarray
    fraction_left: np.ndarray

    @property
    def n_groups(self) -> int:
        return len(self.n_in_group)

    @functools.cached_property
    def unit_matrix(self) -> sparse.csc_matrix | None:
        return None if self.unit is None else aggregator(self.unit, self.n_units)

    @functools.cached_property
    def group_matrix(self) -> sparse.csc_matrix:
        return aggregator(self.group, self.n_groups)

    @functools.cached_property
    def unit_scale(self) -> np.ndarray:
        """``scale`` of each unit's group (per row when rows are the units)."""
        return self.scale[self.group]

    def unit_of_rows(self, n: int) -> np.ndarray:
        return np.arange(n) if self.unit is None else self.unit


def aggregator(codes: np.ndarray, n_groups: int) -> sparse.csc_matrix:
    """Sparse 0/1 matrix whose product with a column stack sums its rows by ``codes``.

    Stored by column (one per row of the stack): the product then reads the stack's rows in order
    and adds each into its group's sums, which stay in cache. Stored by row it gathers, group by
    group, rows scattered over the whole stack, about four times slower at a million rows. Either
    way each sum adds its rows in the order they come (the same floating-point result).
    """
    rows = len(codes)
    return sparse.csc_matrix((np.ones(rows), (codes, np.arange(rows))), shape=(n_groups, rows))


def group_sums(codes: np.ndarray, n_groups: int, x: np.ndarray, matrix: sparse.csc_matrix | None = None) -> np.ndarray:
    """Sums of the rows of ``x`` (n x k) by ``codes`` -> (n_groups, k).

    With ``matrix`` (the :func:`aggregator` of ``codes``, when the caller has it already) through the
    sparse product; without it, a few columns go through ``np.bincount`` (building a sparse matrix
    costs more than summing them) and many through the product.
    """
    if matrix is None and x.shape[1] <= 4:
        return np.column_stack([np.bincount(codes, weights=x[:, j], minlength=n_groups) for j in range(x.shape[1])])
    return (aggregator(codes, n_groups) if matrix is None else matrix) @ x


@dataclass(frozen=True)
class StageColumns:
    """The design columns of one stage: unit ids, strata within the parent unit, population size."""

    psu: str | None
    strata: str | None
    fpc: str | None


def stage_columns(
    psu: str | Sequence[str] | None, strata: str | Sequence[str | None] | None, fpc: str | Sequence[str | None] | None
) -> list[StageColumns]:
    """Pair the per-stage column arguments of :class:`SurveyDesign` (one entry per stage)."""
    psus = [psu] if psu is None or isinstance(psu, str) else list(psu)
    if not psus:
        raise StatsInputError("psu is an empty sequence: give one column per sampling stage")
    if len(psus) > 1 and any(p is None for p in psus):
        raise StatsInputError(f"psu must name a column for every stage, got {psus!r}")
    stratas = [strata] if strata is None or isinstance(strata, str) else list(strata)
    if len(stratas) > len(psus):
        raise StatsInputError(f"{len(stratas)} strata columns for {len(psus)} stage(s) of psu={psus!r}")
    stratas += [None] * (len(psus) - len(stratas))
    if fpc is None:
        # Without any fpc every stage after the first is sampled "with replacement" within its
        # parent and contributes nothing beyond the first stage's ultimate-cluster variance.
        fpcs: list[str | None] = [None] * len(psus)
    elif isinstance(fpc, str):
        if len(psus) > 1:
            raise StatsInputError(
                f"fpc={fpc!r} is one column for {len(psus)} stages: give a sequence with one entry per stage "
                "(None for a stage sampled with replacement)"
            )
        fpcs = [fpc]
    else:
        fpcs = list(fpc)
        if len(fpcs) != len(psus):
            raise StatsInputError(f"{len(fpcs)} fpc columns for {len(psus)} stage(s): give one per stage")
    return [StageColumns(p, s, f) for p, s, f in zip(psus, stratas, fpcs, strict=True)]


def _codes(column: pd.Series, name: str, role: str, *, sort: bool = False) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of a design column and its distinct values; missing values are an error."""
    codes, values = pd.factorize(column, sort=sort, use_na_sentinel=True)
    n_missing = int((codes < 0).sum())
    if n_missing:
        raise StatsInputError(
            f"{role} column {name!r} has {n_missing} missing value(s): every sampled row needs its {role} id"
        )
    return codes.astype(np.int64), values


def _combine(outer: np.ndarray, inner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the pairs (outer, inner), numbered in order of appearance, and each pair's first row.

    Hashing (``pd.factorize``) rather than sorting: this runs for every stage of every design.
    """
    codes, keys = pd.factorize(outer * (int(inner.max()) + 1) + inner)
    first = np.empty(len(keys), dtype=np.intp)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    return codes.astype(np.intp), first


class StageReader:
    """Build the :class:`Stage` list of a design from its data, with errors naming what is wrong."""

    def __init__(self, data: pd.DataFrame, columns: list[StageColumns], lonely_psu: str) -> None:
        self._data = data
        self._columns = columns
        self._lonely_psu = lonely_psu

    def stages(self) -> tuple[list[Stage], list]:
        """Return the stages (only those that contribute variance) and the first stage's strata labels."""
        n = len(self._data)
        parent = np.zeros(n, dtype=np.intp)
        parent_fraction = np.ones(1)
        stages: list[Stage] = []
        labels: list = [None]
        for number, cols in enumerate(self._columns, start=1):
            group_of_row, group_first, labels_here = self._groups(number, cols, parent)
            if number == 1:
                labels = labels_here
            unit, n_units, unit_group = self._units(number, cols, group_of_row)
            n_in_group = np.bincount(unit_group, minlength=len(group_first))
            population = self._population(number, cols, group_of_row, group_first, n_in_group)
            finite = np.isfinite(population)
            fraction_left = np.ones(len(population))
            fraction_left[finite] = (population[finite] - n_in_group[finite]) / population[finite]
            scale, centre = self._scales(number, cols, n_in_group, fraction_left, group_first)
            scale = scale * parent_fraction[parent[group_first]]
            stages.append(Stage(number, unit, n_units, unit_group, n_in_group, scale, centre, fraction_left))
            if cols.fpc is None:
                break  # sampled with replacement: later stages contribute nothing (R: n/Inf = 0)
            unit_fraction = (parent_fraction[parent[group_first]] * n_in_group / population)[unit_group]
            parent = np.arange(n, dtype=np.intp) if unit is None else unit
            parent_fraction = unit_fraction
        return stages, labels

    def _groups(self, number: int, cols: StageColumns, parent: np.ndarray) -> tuple[np.ndarray, np.ndarray, list]:
        """Group (stratum within parent unit) of each row, first row of each group, stage-1 labels."""
        n = len(self._data)
        if cols.strata is None:
            codes = np.zeros(n, dtype=np.int64)
            labels: list = [None]
        else:
            codes, values = _codes(self._column(cols.strata, "strata"), cols.strata, "strata", sort=True)
            labels = list(values)
        if number == 1:
            first = np.empty(len(labels), dtype=np.intp)
            first[codes[::-1]] = np.arange(n - 1, -1, -1)
            return codes.astype(np.intp), first, labels
        group, first = _combine(parent.astype(np.int64), codes)
        return group, first, labels

    def _units(self, number: int, cols: StageColumns, group: np.ndarray) -> tuple[np.ndarray | None, int, np.ndarray]:
        n = len(self._data)
        if cols.psu is None:
            return None, n, group
        ids, values = _codes(self._column(cols.psu, "psu"), cols.psu, "psu")
        if len(values) == n:
            return None, n, group  # distinct ids: every row its own unit, whatever its group
        # Unit labels are read within their group (R's nest=TRUE): the pair identifies the unit.
        unit, first = _combine(group.astype(np.int64), ids)
        if len(first) == n:
            return None, n, group  # every row its own unit: no aggregation needed
        return unit, len(first), group[first]

    def _population(
        self, number: int, cols: StageColumns, group: np.ndarray, first: np.ndarray, n_in_group: np.ndarray
    ) -> np.ndarray:
        """Population size ``N_g`` of each group (infinite without fpc), checked against the sample."""
        if cols.fpc is None:
            return np.full(len(first), np.inf)
        column = self._column(cols.fpc, "fpc")
        n_missing = int(column.isna().sum())
        if n_missing:
            raise StatsInputError(f"fpc column {cols.fpc!r} has {n_missing} missing value(s)")
        try:
            values = column.to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise StatsInputError(f"fpc column {cols.fpc!r} is not numeric (dtype {column.dtype})") from None
        population = values[first]
        varying = np.flatnonzero(values != population[group])
        if varying.size:
            g = group[varying[0]]
            raise StatsInputError(
                f"fpc column {cols.fpc!r} is not constant within {self._describe(number, cols, first[g])}: "
                f"{population[g]:g} and {values[varying[0]]:g}"
            )
        too_small = np.flatnonzero(~(population >= n_in_group))
        if too_small.size:
            g = too_small[0]
            unit = "PSU(s)" if number == 1 else "unit(s)"
            raise StatsInputError(
                f"fpc column {cols.fpc!r} gives population size {population[g]:g} for "
                f"{self._describe(number, cols, first[g])}, fewer than the {n_in_group[g]} {unit} sampled there; "
                "fpc must be the population size (number of units), not a sampling fraction"
            )
        return population

    def _scales(
        self, number: int, cols: StageColumns, n_in_group: np.ndarray, fraction_left: np.ndarray, first: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        scale = np.where(n_in_group > 1, fraction_left * n_in_group / np.maximum(n_in_group - 1, 1), fraction_left)
        scale[fraction_left < FULLY_ENUMERATED] = 0.0
        centre = np.ones(len(n_in_group), dtype=bool)
        lonely = np.flatnonzero((n_in_group == 1) & (fraction_left >= FULLY_ENUMERATED))
        if lonely.size and self._lonely_psu == "error":
            raise StatsInputError(self._lonely_message(number, cols, lonely, first))
        if self._lonely_psu == "certainty":
            scale[lonely] = 0.0
        else:
            centre[lonely] = False
        return scale, centre

    def _lonely_message(self, number: int, cols: StageColumns, lonely: np.ndarray, first: np.ndarray) -> str:
        if number == 1 and cols.strata is None:
            return (
                "the design has a single PSU; variances cannot be estimated "
                "(lonely_psu='adjust' or 'certainty' override this)"
            )
        names = "; ".join(self._describe(number, cols, first[g]) for g in lonely[:5])
        more = f" and {lonely.size - 5} more" if lonely.size > 5 else ""
        unit = "PSU" if number == 1 else f"sampled stage-{number} unit ({cols.psu!r})"
        return f"{names}{more} has a single {unit}; pass lonely_psu='adjust' or 'certainty' to SurveyDesign to proceed"

    def _describe(self, number: int, cols: StageColumns, row: int) -> str:
        """Name the group of ``row`` at stage ``number``: its stratum and its ancestors' units."""
        parts = []
        if cols.strata is not None:
            parts.append(f"stratum {_plain(self._data[cols.strata].iloc[row])!r} of strata column {cols.strata!r}")
        elif number == 1:
            parts.append("the single stratum")
        else:
            parts.append(f"stage {number}")
        ancestors = [c for c in self._columns[: number - 1]]
        within = [f"{c.psu}={_plain(self._data[c.psu].iloc[row])!r}" for c in ancestors if c.psu is not None]
        if within:
            parts.append("within " + ", ".join(within))
        return " ".join(parts)

    def _column(self, name: str, role: str) -> pd.Series:
        if not isinstance(name, str):
            raise StatsInputError(f"{role} must be a column name (str), got {type(name).__name__}")
        if name not in self._data.columns:
            raise StatsInputError(f"{role} column {name!r} is not in the data")
        return self._data[name]


def _plain(value: object) -> object:
    """A NumPy scalar as the Python value it holds, so that messages show ``3``, not ``np.int64(3)``."""
    return value.item() if isinstance(value, np.generic) else value


# ---------------------------------------------------------------------- variance -------------


def _unit_totals(stage: Stage, x: np.ndarray) -> np.ndarray:
    if stage.unit is None:
        return x
    return group_sums(stage.unit, stage.n_units, x, stage.unit_matrix)


def _group_means(stage: Stage, totals: np.ndarray) -> np.ndarray:
    """Mean unit total of each group, 0 where totals are not centred (a lonely unit under "adjust")."""
    means = group_sums(stage.group, stage.n_groups, totals, stage.group_matrix) / stage.n_in_group[:, None]
    means *= stage.centre[:, None]
    return means


def _deviations(stage: Stage, totals: np.ndarray) -> np.ndarray:
    return np.subtract(totals, np.take(_group_means(stage, totals), stage.group, axis=0))


def variance(stages: list[Stage], x: np.ndarray) -> np.ndarray:
    """Variance of the estimated total of each column of ``x`` (n x k influence values) -> (k,)."""
    result = np.zeros(x.shape[1])
    for stage in stages:
        if not stage.scale.any():
            continue
        if stage.unit is None:
            # Units are rows: sum_i (x_i - m_g)^2 = sum_i x_i^2 - n_g m_g^2 spares two n x k passes.
            # What the subtraction can lose is relative to the between-group sums of squares, which
            # the earlier stages carry into the variance at least as large.
            means = _group_means(stage, x)
            result += stage.unit_scale @ np.square(x) - (stage.scale * stage.n_in_group) @ np.square(means)
        else:
            deviations = _deviations(stage, _unit_totals(stage, x))
            result += stage.unit_scale @ np.square(deviations, out=deviations)
    return result


def covariance(stages: list[Stage], x: np.ndarray) -> np.ndarray:
    """Covariance matrix of the estimated totals of the columns of ``x`` -> (k, k)."""
    result = np.zeros((x.shape[1], x.shape[1]))
    for stage in stages:
        if not stage.scale.any():
            continue
        deviations = _deviations(stage, _unit_totals(stage, x))
        result += (deviations * stage.unit_scale[:, None]).T @ deviations
    return result


def domain_variance(stages: list[Stage], x: np.ndarray, codes: np.ndarray, n_domains: int) -> np.ndarray:
    """Variances of domain totals: row ``i`` counts only in domain ``codes[i]`` (-1: none) -> (D, k).

    Equivalent to :func:`variance` of the (n x D*k) matrix that is ``x`` inside a domain and 0
    outside, without building it: per group ``g`` and domain ``d`` with ``m_gd`` of the ``n_g`` units
    holding rows of ``d``, the absent units contribute ``(n_g - m_gd) mean_gd^2``.
    """
    keep = np.flatnonzero(codes >= 0)
    rows_x, rows_domain = x[keep], codes[keep].astype(np.int64)
    result = np.zeros((n_domains, x.shape[1]))
    for stage in stages:
        if not stage.scale.any():
            continue
        if stage.unit is None:
            # Rows are the units: each (unit, domain) pair is one row, numbered in row order as
            # factorising would number them, and its total is the row's own value.
            keys, totals = keep.astype(np.int64) * n_domains + rows_domain, rows_x
        else:
            pair, keys = pd.factorize(stage.unit[keep].astype(np.int64) * n_domains + rows_domain)
            totals = group_sums(pair, len(keys), rows_x)
        pair_unit, pair_domain = keys // n_domains, keys % n_domains
        pair_group = stage.group[pair_unit]
        cell = pair_group.astype(np.int64) * n_domains + pair_domain
        n_cells = stage.n_groups * n_domains
        sums = group_sums(cell, n_cells, totals)
        group_of_cell = np.repeat(np.arange(stage.n_groups), n_domains)
        means = sums / stage.n_in_group[group_of_cell][:, None] * stage.centre[group_of_cell][:, None]
        deviations = totals - means[cell]
        present = aggregator(pair_domain, n_domains) @ (stage.scale[pair_group][:, None] * deviations**2)
        units_with = np.bincount(cell, minlength=n_cells)
        absent_weight = stage.scale[group_of_cell] * (stage.n_in_group[group_of_cell] - units_with)
        absent = (absent_weight[:, None] * means**2).reshape(stage.n_groups, n_domains, -1).sum(axis=0)
        result += present + absent
    return result

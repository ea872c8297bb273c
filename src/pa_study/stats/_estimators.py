"""Estimators shared by linearisation and replicate-weight designs: inputs, domains, result tables.

:class:`DesignEstimators` holds what does not depend on how a variance is computed: reading the
analysis columns, coding domains, point estimates, design effects against simple random sampling
and the shape of the results. Subclasses (:class:`~pa_study.stats.SurveyDesign`,
:class:`~pa_study.stats.ReplicateDesign`) supply the variances of ratios and totals.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Self

import numpy as np
import pandas as pd
from scipy import sparse

from pa_study.stats._errors import StatsInputError
from pa_study.stats._moments import inverse_cdf_quantile
from pa_study.stats._results import Estimate, critical_value
from pa_study.stats._stages import aggregator, group_sums

Deff = bool | Literal["replace"]


@functools.lru_cache(maxsize=256)
def t_quantile(level: float, df: float) -> float:
    """Two-sided critical value of a ``level`` interval on ``df`` degrees of freedom (cached)."""
    if not 0 < level < 1:
        raise StatsInputError(f"level must be strictly between 0 and 1, got {level!r}")
    return critical_value(level, df)


def require_column(data: pd.DataFrame, name: str, role: str) -> pd.Series:
    """The column ``name`` of ``data``, or a StatsInputError naming the ``role`` it was wanted for."""
    if not isinstance(name, str):
        raise StatsInputError(f"{role} must be a column name (str), got {type(name).__name__}")
    if name not in data.columns:
        raise StatsInputError(f"{role} column {name!r} is not in the data")
    return data[name]


def as_numeric(column: pd.Series, name: str) -> np.ndarray:
    """A column as float64 with NaN for missing; non-numeric data is a StatsInputError."""
    try:
        return column.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise StatsInputError(f"column {name!r} is not numeric (dtype {column.dtype})") from None


def as_binary(column: pd.Series, name: str) -> np.ndarray:
    """A boolean or 0/1 column as floats (missing kept as 0); anything else is an error."""
    values = as_numeric(column, name)
    present = values[~np.isnan(values)]
    stray = present[(present != 0) & (present != 1)]
    if stray.size:
        raise StatsInputError(
            f"{name!r} must be binary (0/1 or boolean) but takes value(s) {sorted(set(stray.tolist()))[:5]}"
        )
    return np.nan_to_num(values, nan=0.0)


def as_names(var: str | Sequence[str]) -> list[str]:
    """One or several column names as a non-empty list."""
    names = [var] if isinstance(var, str) else list(var)
    if not names:
        raise StatsInputError("no variables given")
    return names


def kish_deff(weights: np.ndarray) -> float:
    """Kish's design effect from unequal weighting, ``n sum(w^2) / sum(w)^2`` (1 for equal weights).

    The variance inflation of a weighted mean over an unweighted one when the weights are unrelated
    to the outcome (Kish 1965, Survey Sampling, section 11.7); ``n / kish_deff`` is the effective
    sample size of the weighting alone.
    """
    w = np.asarray(weights, dtype=float)
    if w.size == 0 or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise StatsInputError("Kish's design effect needs non-negative, finite weights with a positive sum")
    return float(w.size * (w @ w) / w.sum() ** 2)


def _shared_column(values: object, index: pd.Index) -> object:
    """An analysis column for :meth:`DesignEstimators.assign`, sharing the caller's memory.

    pandas copies every NumPy or extension array set into a frame; a design's analysis columns are
    set many times over (each estimate adds its own), and at a census county's million rows those
    copies cost about a second. A Series is realigned to the design's rows by position under pandas'
    copy-on-write (a later change to it leaves the design alone); an array is wrapped as it is, so
    callers must not modify an array after assigning it. np.asarray is avoided: it would turn text
    and nullable columns into Python objects, which pandas converts back value by value.
    """
    if isinstance(values, pd.Series):
        return values.set_axis(index)
    if isinstance(values, np.ndarray | pd.api.extensions.ExtensionArray) and values.ndim == 1:
        return pd.Series(values, index=index, copy=False)
    return values


@dataclass(frozen=True)
class Domains:
    """Row-to-domain coding for ``by=``: ``codes`` is -1 for rows in no domain."""

    column: str | None
    codes: np.ndarray
    values: list

    @property
    def count(self) -> int:
        return len(self.values)

    @functools.cached_property
    def _row_domain(self) -> np.ndarray:
        """Each row's domain, 0 for rows in none (whose values :meth:`per_row` callers ignore)."""
        return np.maximum(self.codes, 0)

    @functools.cached_property
    def _shifted(self) -> np.ndarray:
        """Codes plus one: rows in no domain sum into an extra first cell that :meth:`sum` drops.

        Summing every row this way adds the same rows in the same order as summing the rows of
        each domain alone (the same floating-point result) without copying them out first.
        """
        return (self.codes + 1).astype(np.intp)

    @functools.cached_property
    def _aggregator(self) -> sparse.csc_matrix:
        return aggregator(self._shifted, self.count + 1)

    def per_row(self, by_domain: np.ndarray) -> np.ndarray:
        """Each row's value of a (D, k) domain array; broadcastable (1, k) without domains."""
        if self.column is None:
            return by_domain
        return by_domain[self._row_domain]

    def sum(self, values: np.ndarray) -> np.ndarray:
        """Column sums of ``values`` (n x k) within each domain -> (D, k)."""
        if self.column is None:
            return values.sum(axis=0, keepdims=True)
        # The sparse aggregator is built once per domain coding, when it is first needed.
        matrix = self._aggregator if values.shape[1] > 4 else None
        return group_sums(self._shifted, self.count + 1, values, matrix)[1:]


@dataclass(frozen=True)
class Cells:
    """Estimates of one statistic per (domain, column): arrays of shape (D, k), ``df`` (D,)."""

    estimate: np.ndarray
    se: np.ndarray
    counts: np.ndarray
    df: np.ndarray
    deff: np.ndarray | None = None
    kish: np.ndarray | None = None


class DesignEstimators(ABC):
    """Means, totals, proportions, ratios and quantiles of a design; variances from the subclass."""

    _data: pd.DataFrame
    _weights: np.ndarray
    _design_columns: frozenset[str]
    _deff_default: Deff = False

    # ------------------------------------------------------------------ subclasses implement ----

    @property
    @abstractmethod
    def df(self) -> float:
        """Degrees of freedom of the full design."""

    @abstractmethod
    def _variance_cells(self, influence: np.ndarray, domains: Domains) -> np.ndarray:
        """Variances (D, k) of estimated domain totals of per-row influence values (n x k)."""

    def _ratio_variance(
        self, num: np.ndarray, den: np.ndarray, ratio: np.ndarray, influence: np.ndarray, domains: Domains
    ) -> np.ndarray:
        """Variances (D, k) of domain ratios; linearisation uses ``influence`` (replicates re-estimate)."""
        return self._variance_cells(influence, domains)

    def _domain_df(self, domains: Domains) -> np.ndarray:
        """Degrees of freedom of each domain's estimates (D,)."""
        return np.full(domains.count, float(self.df))

    # ------------------------------------------------------------------ properties -----

    @property
    def data(self) -> pd.DataFrame:
        """The sample, re-indexed 0..n-1 (do not modify it in place)."""
        return self._data

    @property
    def weights(self) -> np.ndarray:
        """Sampling (or calibrated) weights, read-only."""
        return self._weights

    @property
    def n(self) -> int:
        """Number of sampled rows."""
        return len(self._data)

    def assign(self, **columns: object) -> Self:
        """Return the same design with extra or replaced analysis columns.

        Parameters
        ----------
        **columns
            Column name to values, as :meth:`pandas.DataFrame.assign` (array-likes are taken
            by position; arrays are shared, not copied, so do not modify one after assigning it).
            Design columns (weights, strata, ids, fpc, calibration columns) cannot be replaced.

        Returns
        -------
        A design of the same kind sharing this one's structure, over the extended data.
        """
        clash = set(columns) & self._design_columns
        if clash:
            raise StatsInputError(f"cannot replace design column(s) {sorted(clash)}")
        index = self._data.index
        values = {k: _shared_column(v, index) for k, v in columns.items()}
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._data = self._data.assign(**values)
        clone._domain_cache = {by: coded for by, coded in self._domain_cache.items() if by not in columns}
        return clone

    def with_design_effects(self, deff: Deff = True) -> Self:
        """Return the same design reporting design effects with every estimate unless told otherwise.

        Parameters
        ----------
        deff : bool or "replace"
            The default of the estimators' ``deff=`` (see :meth:`mean`); False turns it off.

        Returns
        -------
        A design of the same kind whose means, totals, proportions and ratios (and, for
        :class:`~pa_study.stats.SurveyDesign`, linearised estimates and regression coefficients)
        carry ``deff``, ``n_effective`` and the Kish design effect of their units' weights.
        """
        if deff not in (True, False, "replace"):
            raise StatsInputError(f"deff must be True, False or 'replace', got {deff!r}")
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._deff_default = deff
        return clone

    def _deff_kind(self, deff: Deff | None) -> Deff:
        return self._deff_default if deff is None else deff

    # ------------------------------------------------------------------ inputs ---------

    def _numeric_matrix(self, names: list[str], na_rm: bool) -> tuple[np.ndarray, np.ndarray | None]:
        """Analysis columns with missing values set to 0, and the observed mask (both n x k).

        The mask is None when no value is missing, which lets means skip their denominators.
        """
        columns = [require_column(self._data, name, "variable") for name in names]
        if len(names) == 1:
            values = as_numeric(columns[0], names[0])[:, None]
        else:
            try:
                values = self._data[names].to_numpy(dtype=float, na_value=np.nan)
            except (TypeError, ValueError):
                for name, column in zip(names, columns, strict=True):
                    as_numeric(column, name)  # raises, naming the offending column
                raise
        if np.isfinite(values).all():
            return values, None
        infinite = np.flatnonzero(np.isinf(values).any(axis=0))
        if infinite.size:
            raise StatsInputError(f"variable {names[infinite[0]]!r} has infinite values")
        observed = ~np.isnan(values)
        self._check_missing(names, observed, na_rm)
        return np.where(observed, values, 0.0), observed.astype(float)

    @staticmethod
    def _check_missing(names: list[str], observed: np.ndarray, na_rm: bool) -> None:
        missing = (~observed.astype(bool)).sum(axis=0)
        if na_rm or not missing.any():
            return
        j = int(np.flatnonzero(missing)[0])
        raise StatsInputError(
            f"variable {names[j]!r} has {int(missing[j])} missing value(s); pass na_rm=True to "
            "estimate over the observed rows (R's na.rm=TRUE)"
        )

    @property
    def _domain_cache(self) -> dict[str, Domains]:
        """The domain codings of ``by=`` columns read so far, kept with the data they code.

        Factorising a string column of a million rows costs more than most estimates; a design
        whose analysis columns change (:meth:`assign`) keeps the codings of the columns it keeps.
        """
        return self.__dict__.setdefault("_domain_codings", {})

    @_domain_cache.setter
    def _domain_cache(self, codings: dict[str, Domains]) -> None:
        self.__dict__["_domain_codings"] = codings

    def _domains(self, by: str | None) -> Domains:
        if by is None:
            return Domains(None, np.zeros(self.n, dtype=np.intp), [None])
        cached = self._domain_cache.get(by)
        if cached is not None:
            return cached
        column = require_column(self._data, by, "by")
        codes, values = pd.factorize(column, sort=True)
        if len(values) == 0:
            raise StatsInputError(f"by column {by!r} has no non-missing values")
        domains = Domains(by, codes.astype(np.intp), list(values))
        self._domain_cache[by] = domains
        return domains

    # ------------------------------------------------------------------ cores ----------

    def _ratio_cells(
        self,
        num: np.ndarray,
        den: np.ndarray | None,
        observed: np.ndarray | None,
        domains: Domains,
        labels: list[str],
        deff: Deff = False,
    ) -> Cells:
        """Domain ratios ``sum(w num) / sum(w den)`` with SEs; a mean is a ratio with den = 1.

        ``num`` and ``den`` are n x k and already zero where not observed; ``den`` None is a mean of
        complete columns (every denominator 1) and ``observed`` None means nothing is missing. The
        influence of a row is ``w (num - R den) / sum(w den)`` (``svyratio``); rows outside a domain
        contribute zero.
        """
        w = self._weights
        if den is None:
            den_tot = domains.sum(w[:, None])
        elif domains.column is None:
            den_tot = (w @ den)[None, :]
        else:
            den_tot = domains.sum(w[:, None] * den)
        num_tot = (w @ num)[None, :] if domains.column is None else domains.sum(w[:, None] * num)
        _check_denominators(den_tot, domains, labels)
        ratio = num_tot / den_tot
        # In place: with many variables these n x k passes are most of the time an estimate takes.
        # (in row-major order, whatever the layout of the data, for the sums by unit that follow)
        influence = np.empty(num.shape)
        if den is None:
            np.subtract(num, domains.per_row(ratio), out=influence)
            influence *= (w / domains.per_row(den_tot)[:, 0])[:, None]
        else:
            np.multiply(domains.per_row(ratio), den, out=influence)
            np.subtract(num, influence, out=influence)
            influence *= w[:, None]
            influence /= domains.per_row(den_tot)
        variance = np.maximum(self._ratio_variance(num, den, ratio, influence, domains), 0.0)
        counts = _counts(observed, domains, num.shape[1])
        design_effect, kish = self._deff(variance, influence, observed, domains, deff, counts) if deff else (None, None)
        return Cells(ratio, np.sqrt(variance), counts, self._domain_df(domains), design_effect, kish)

    def _total_cells(
        self, values: np.ndarray, observed: np.ndarray | None, domains: Domains, deff: Deff = False
    ) -> Cells:
        influence = np.multiply(self._weights[:, None], values, out=np.empty(values.shape))
        total = domains.sum(influence)
        variance = np.maximum(self._variance_cells(influence, domains), 0.0)
        counts = _counts(observed, domains, values.shape[1])
        design_effect, kish = self._deff(variance, influence, observed, domains, deff, counts) if deff else (None, None)
        return Cells(total, np.sqrt(variance), counts, self._domain_df(domains), design_effect, kish)

    def _deff(
        self,
        variance: np.ndarray,
        influence: np.ndarray,
        observed: np.ndarray | None,
        domains: Domains,
        deff: Deff,
        counts: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Design effect: ``variance`` over its value under simple random sampling, as R's ``deff=``.

        With ``r = influence / w`` (the unweighted influence of a row), the SRS variance of the
        estimated total of ``r`` over the ``n`` observed rows of a domain whose weights sum to ``N``
        is ``s2 N^2 (N - n) / (N n)`` (``s2 N^2 / n`` for ``deff="replace"``), ``s2`` the weighted
        variance of ``r`` with divisor ``n - 1`` (``svyvar``): R's ``svymean``/``svytotal`` formula,
        and for ratios ``deff(svytotal(r))`` as ``svyratio`` computes it. Also returns Kish's design
        effect of the same units' weights, ``n sum(w^2) / sum(w)^2`` (:func:`kish_deff`). ``counts``
        are the observed rows per cell when the caller has them already.
        """
        if deff not in (True, "replace"):
            raise StatsInputError(f"deff must be True, False or 'replace', got {deff!r}")
        w = self._weights[:, None]
        weights = w if observed is None else w * observed
        n = _counts(observed, domains, influence.shape[1]) if counts is None else counts
        population = domains.sum(weights)
        # Two n x k buffers, reused in place: at a million rows the passes over fresh arrays, not
        # the arithmetic, are what a design effect costs.
        r = np.divide(influence, w)
        scratch = np.multiply(weights, r)
        mean = domains.sum(scratch) / np.where(population > 0, population, 1.0)
        np.subtract(r, domains.per_row(mean), out=r)
        np.square(r, out=r)
        squares = domains.sum(np.multiply(weights, r, out=r))
        # Fewer than two observed units leave the SRS variance undefined: NaN, as R's NA (n - 1 = 0).
        with np.errstate(divide="ignore", invalid="ignore"):
            s2 = np.where(n >= 2, squares / np.where(population > 0, population, 1.0) * n / (n - 1), np.nan)
        if deff == "replace":
            with np.errstate(divide="ignore", invalid="ignore"):
                srs = s2 * population**2 / n
        else:
            total = float(self._weights.sum())
            if total <= self._weights.size:
                raise StatsInputError(
                    f"deff=True compares with simple random sampling without replacement from a population of "
                    f"sum(weights) units, but the weights sum to {total:g} for {self._weights.size} units; pass "
                    "deff='replace' (or weights that are inverse probabilities)"
                )
        with np.errstate(divide="ignore", invalid="ignore"):
            if deff is True:
                # A domain whose weights sum to no more than its units has no SRS variance to compare: NaN.
                srs = np.where(population > n, s2 * population**2 * (population - n) / (population * n), np.nan)
            squared_weights = np.multiply(weights, w, out=scratch if weights.shape == scratch.shape else None)
            kish = n * domains.sum(squared_weights) / population**2
            return np.where(srs > 0, variance / srs, np.nan), np.broadcast_to(kish, variance.shape).copy()

    # ------------------------------------------------------------------ output ---------

    def _output(
        self,
        stat: str,
        labels: list,
        label_column: str | None,
        cells: Cells,
        domains: Domains,
        level: float,
        single: bool,
    ) -> Estimate | pd.DataFrame:
        """An Estimate for one unlabelled quantity, otherwise a table with one row per cell."""
        half = np.array([t_quantile(level, df) for df in cells.df])[:, None] * cells.se
        if single and domains.column is None:
            extra = {}
            if cells.deff is not None and cells.kish is not None:
                deff = float(cells.deff[0, 0])
                extra = {
                    "deff": deff,
                    "n_effective": float(cells.counts[0, 0] / deff) if deff > 0 else np.nan,
                    "kish_deff": float(cells.kish[0, 0]),
                }
            return Estimate(
                name=f"{stat}({labels[0]})",
                estimate=float(cells.estimate[0, 0]),
                se=float(cells.se[0, 0]),
                ci_low=float(cells.estimate[0, 0] - half[0, 0]),
                ci_high=float(cells.estimate[0, 0] + half[0, 0]),
                n=int(round(cells.counts[0, 0])),
                df=float(cells.df[0]),
                level=level,
                extra=extra,
            )
        d_index, j_index = np.meshgrid(np.arange(domains.count), np.arange(len(labels)), indexing="ij")
        table = {}
        if domains.column is not None:
            table[domains.column] = [domains.values[d] for d in d_index.ravel()]
        if not single:
            table[label_column] = [labels[j] for j in j_index.ravel()]
        table.update(
            estimate=cells.estimate.ravel(),
            se=cells.se.ravel(),
            ci_low=(cells.estimate - half).ravel(),
            ci_high=(cells.estimate + half).ravel(),
            n=np.rint(cells.counts.ravel()).astype(int),
        )
        if domains.column is not None:
            table["df"] = np.repeat(cells.df, len(labels))
        if cells.deff is not None and cells.kish is not None:
            table["deff"] = cells.deff.ravel()
            with np.errstate(divide="ignore", invalid="ignore"):
                table["n_effective"] = cells.counts.ravel() / cells.deff.ravel()
            table["kish_deff"] = cells.kish.ravel()
        return pd.DataFrame(table)

    # ------------------------------------------------------------------ estimators -----

    def mean(
        self,
        var: str | Sequence[str],
        by: str | None = None,
        *,
        na_rm: bool = False,
        level: float = 0.95,
        deff: Deff | None = None,
    ) -> Estimate | pd.DataFrame:
        """Design-based mean (``svymean`` / ``svyby(..., svymean)``).

        Parameters
        ----------
        var : str or sequence of str
            Numeric (or boolean) column(s). Several columns are estimated in one vectorised
            pass.
        by : str, optional
            Column defining domains; estimated on the full design (zero influence outside the
            domain), not by subsetting. Rows with a missing ``by`` belong to no domain.
        na_rm : bool
            Estimate over the observed rows of each variable (R's ``na.rm=TRUE``). Without it,
            a missing value raises :class:`StatsInputError`.
        level : float
            Confidence level.
        deff : bool or "replace", optional
            Also return the design effect against simple random sampling without replacement
            (``"replace"``: with replacement) of the same number of units, as R's ``deff=``, the
            effective sample size ``n / deff`` and Kish's design effect of the units' weights.
            Default: the design's (:meth:`with_design_effects`; off unless set).

        Returns
        -------
        Estimate or pandas.DataFrame
            An :class:`Estimate` for one variable without ``by`` (``.deff`` and ``.n_effective``
            when requested); otherwise a DataFrame with columns ``variable`` (if a list was given),
            the ``by`` column, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``n``, with ``by`` also
            ``df`` (the degrees of freedom of each domain's interval) and, with ``deff``, ``deff``
            and ``n_effective``.
        """
        names = as_names(var)
        values, observed = self._numeric_matrix(names, na_rm)
        domains = self._domains(by)
        cells = self._ratio_cells(values, observed, observed, domains, names, self._deff_kind(deff))
        return self._output("mean", names, "variable", cells, domains, level, isinstance(var, str))

    def total(
        self,
        var: str | Sequence[str],
        by: str | None = None,
        *,
        na_rm: bool = False,
        level: float = 0.95,
        deff: Deff | None = None,
    ) -> Estimate | pd.DataFrame:
        """Design-based population total (``svytotal`` / ``svyby(..., svytotal)``).

        Parameters
        ----------
        var, by, na_rm, level, deff
            As in :meth:`mean`; missing values count as zero when ``na_rm=True`` (as R).

        Returns
        -------
        Estimate or pandas.DataFrame
            As :meth:`mean`.
        """
        names = as_names(var)
        values, observed = self._numeric_matrix(names, na_rm)
        domains = self._domains(by)
        cells = self._total_cells(values, observed, domains, self._deff_kind(deff))
        return self._output("total", names, "variable", cells, domains, level, isinstance(var, str))

    def proportion(
        self, var: str, by: str | None = None, *, na_rm: bool = False, level: float = 0.95, deff: Deff | None = None
    ) -> Estimate | pd.DataFrame:
        """Design-based proportion of a 0/1 or categorical variable.

        Parameters
        ----------
        var : str
            A boolean or 0/1 numeric column (proportion of ones), or a categorical / string
            column (proportion in each level, as ``svymean(~factor)``). A numeric column with
            values other than 0 and 1 raises :class:`StatsInputError`.
        by, na_rm, level, deff
            As in :meth:`mean`.

        Returns
        -------
        Estimate or pandas.DataFrame
            An :class:`Estimate` for a 0/1 variable without ``by``. For a categorical variable a
            DataFrame with one row per level (and domain), the level in a column named ``var``.
            Intervals are Wald t intervals, not ``svyciprop``'s logit intervals (see
            :func:`~pa_study.stats.korn_graubard_interval`).
        """
        column = require_column(self._data, var, "variable")
        observed = column.notna().to_numpy()
        self._check_missing([var], observed[:, None], na_rm)
        domains = self._domains(by)
        if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            values = as_binary(column, var)[:, None]
            mask = observed[:, None].astype(float)
            cells = self._ratio_cells(values, mask, mask, domains, [var], self._deff_kind(deff))
            return self._output("proportion", [var], var, cells, domains, level, True)
        codes, uniques = pd.factorize(column, sort=True)
        levels = list(uniques)
        # One indicator column per level from the codes (-1 where missing): no comparison of every
        # value with every level.
        indicators = (codes[:, None] == np.arange(len(levels))).astype(float)
        mask = np.repeat(observed[:, None].astype(float), len(levels), axis=1)
        cells = self._ratio_cells(indicators, mask, mask, domains, [var] * len(levels), self._deff_kind(deff))
        return self._output("proportion", levels, var, cells, domains, level, False)

    def ratio(
        self,
        numerator: str | Sequence[str],
        denominator: str | Sequence[str],
        by: str | None = None,
        *,
        na_rm: bool = False,
        level: float = 0.95,
        deff: Deff | None = None,
    ) -> Estimate | pd.DataFrame:
        """Design-based ratio of totals, ``sum(w y) / sum(w x)`` (``svyratio``).

        Parameters
        ----------
        numerator, denominator : str or sequence of str
            Numeric columns. Two sequences are paired element by element; a single name is
            paired with every name of the other argument. All pairs are estimated in one pass.
        by, na_rm, level, deff
            As in :meth:`mean`; ``na_rm`` drops, pair by pair, rows where either column is
            missing. The design effect is R's ``svyratio(deff = TRUE)``.

        Returns
        -------
        Estimate or pandas.DataFrame
            As :meth:`mean`, labelled ``"numerator/denominator"`` in the ``variable`` column.
        """
        nums, dens = as_names(numerator), as_names(denominator)
        if len(nums) != len(dens) and 1 not in (len(nums), len(dens)):
            raise StatsInputError(f"{len(nums)} numerators cannot be paired with {len(dens)} denominators")
        nums, dens = nums * (len(dens) // len(nums) or 1), dens * (len(nums) // len(dens) or 1)
        num_values, num_observed = self._numeric_matrix(nums, na_rm)
        den_values, den_observed = self._numeric_matrix(dens, na_rm)
        labels = [f"{a}/{b}" for a, b in zip(nums, dens, strict=True)]
        domains = self._domains(by)
        deff = self._deff_kind(deff)
        if num_observed is None and den_observed is None:
            cells = self._ratio_cells(num_values, den_values, None, domains, labels, deff)
        else:
            both = _observed(num_observed, num_values) * _observed(den_observed, den_values)
            cells = self._ratio_cells(num_values * both, den_values * both, both, domains, labels, deff)
        single = isinstance(numerator, str) and isinstance(denominator, str)
        return self._output("ratio", labels, "variable", cells, domains, level, single)

    def quantile(
        self,
        var: str | Sequence[str],
        q: float | Sequence[float],
        by: str | None = None,
        *,
        na_rm: bool = False,
        level: float = 0.95,
        deff: Deff | None = False,
    ) -> Estimate | pd.DataFrame:
        """Design-based quantiles with Woodruff confidence intervals (``svyquantile``).

        The quantile is the inverse of the weighted distribution function, the smallest value
        ``x`` with ``F(x) >= q`` (R's default ``qrule = "math"``). Its interval is Woodruff's
        (1952; R's default ``interval.type = "mean"``): the design-based interval of the
        proportion ``F(q_hat)`` of units at or below the estimate, ``F +- t se(F)``, mapped back
        through the quantile function; the SE is that interval's width over ``2 t``.

        Parameters
        ----------
        var : str or sequence of str
            Numeric column(s).
        q : float or sequence of float
            Probabilities in [0, 1].
        by, na_rm, level
            As in :meth:`mean` (domain quantiles use the domain's degrees of freedom).
        deff : bool or "replace", optional
            Add the design effect of the Woodruff quantile, ``deff``, ``n_effective`` and
            ``kish_deff`` (see Notes); ``None`` takes the design's default
            (:meth:`with_design_effects`). Off by default: R's ``svyquantile`` reports none.

        Returns
        -------
        Estimate or pandas.DataFrame
            An :class:`Estimate` for one variable and one probability without ``by``; otherwise a
            table with the ``by`` column, ``variable`` (for a list), ``quantile`` (the
            probability), ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``n`` and, with ``by``,
            ``df`` (and the design-effect columns when requested).

        Notes
        -----
        Where ``F +- t se`` leaves [0, 1], R returns NaN for that limit; here the limit is the
        smallest or largest observed value. For a probability below the smallest value's share
        of the weight R's rule returns the second-smallest value (``survey:::last`` gives 1 when
        no cumulative weight is below it); here, by the definition, the smallest. And where the
        cumulative weight meets ``q`` exactly (equal weights, ``q`` a multiple of ``1 / n``) R's
        answer depends on rounding in its weights; here the value reaching ``q`` is taken.
        With ``na_rm=True`` R's ``svyquantile`` takes the degrees of freedom of the design
        restricted to the observed rows; here they are the design's (or the domain's).

        The design effect of a Woodruff quantile is that of the proportion ``F(q_hat)`` its
        interval is built on (``svymean(~I(x <= q_hat), deff = TRUE)``): the quantile's SE is that
        proportion's SE times the slope of the quantile function over the interval, and the same
        estimator under simple random sampling has the proportion's SRS SE times the same slope,
        so the ratio of the two variances is the proportion's (Woodruff 1952; Francisco & Fuller
        1991, Annals of Statistics 19(1), on the design-based variance of quantiles).
        """
        names = as_names(var)
        probs = self._probabilities(q)
        values, observed = self._numeric_matrix(names, na_rm)
        observed = _observed(observed, values)
        domains = self._domains(by)
        estimates = self._quantile_points(values, observed, domains, probs, names)
        limits, se, df, effects = self._quantile_intervals(
            values, observed, domains, probs, estimates, names, level, self._deff_kind(deff)
        )
        single = isinstance(var, str) and np.ndim(q) == 0
        return self._quantile_output(
            names, probs, estimates, limits, se, df, observed, domains, level, single, effects=effects
        )

    @staticmethod
    def _probabilities(q: float | Sequence[float]) -> np.ndarray:
        probs = np.atleast_1d(np.asarray(q, dtype=float))
        if probs.ndim != 1 or probs.size == 0 or not ((probs >= 0) & (probs <= 1)).all():
            raise StatsInputError(f"quantile probabilities must be in [0, 1], got {q!r}")
        return probs

    def _domain_rows(self, observed: np.ndarray, domains: Domains, d: int, j: int, label: str) -> np.ndarray:
        rows = np.flatnonzero((domains.codes == d) & (observed[:, j] > 0))
        if rows.size == 0:
            raise StatsInputError(f"{label}: no observed values{_where(domains, d)}")
        return rows

    def _quantile_points(
        self, values: np.ndarray, observed: np.ndarray, domains: Domains, probs: np.ndarray, names: list[str]
    ) -> np.ndarray:
        """Quantiles (D, k, P) of each column within each domain."""
        estimates = np.empty((domains.count, values.shape[1], len(probs)))
        for d in range(domains.count):
            for j in range(values.shape[1]):
                rows = self._domain_rows(observed, domains, d, j, names[j])
                estimates[d, j] = inverse_cdf_quantile(values[rows, j], self._weights[rows], probs)
        return estimates

    def _quantile_intervals(
        self,
        values: np.ndarray,
        observed: np.ndarray,
        domains: Domains,
        probs: np.ndarray,
        estimates: np.ndarray,
        names: list[str],
        level: float,
        deff: Deff = False,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, Cells | None]:
        """Woodruff limits (D, k, P, 2), SEs (D, k, P), df (D,) and, with ``deff``, the cells of
        ``F(q_hat)`` whose design effects the quantiles carry."""
        k, n_probs = values.shape[1], len(probs)
        thresholds = estimates[np.maximum(domains.codes, 0)]  # (n, k, P): each row's own domain
        below = (values[:, :, None] <= thresholds) * observed[:, :, None]
        mask = np.repeat(observed, n_probs, axis=1)
        labels = [f"{name}<=q" for name in names for _ in probs]
        cells = self._ratio_cells(below.reshape(self.n, k * n_probs), mask, mask, domains, labels, deff)
        t = np.array([t_quantile(level, df) for df in cells.df])[:, None]
        low = np.clip(cells.estimate - t * cells.se, 0.0, 1.0).reshape(domains.count, k, n_probs)
        high = np.clip(cells.estimate + t * cells.se, 0.0, 1.0).reshape(domains.count, k, n_probs)
        limits = np.empty((domains.count, k, n_probs, 2))
        for d in range(domains.count):
            for j in range(k):
                rows = self._domain_rows(observed, domains, d, j, names[j])
                # Both limits in one call: the values are sorted once (a census column is large).
                bounds = np.concatenate([low[d, j], high[d, j]])
                both = inverse_cdf_quantile(values[rows, j], self._weights[rows], bounds)
                limits[d, j, :, 0], limits[d, j, :, 1] = both[:n_probs], both[n_probs:]
        se = (limits[..., 1] - limits[..., 0]) / (2 * t[:, :, None])
        return limits, se, cells.df, cells if deff else None

    def _quantile_output(
        self,
        names: list[str],
        probs: np.ndarray,
        estimates: np.ndarray,
        limits: np.ndarray,
        se: np.ndarray,
        df: np.ndarray,
        observed: np.ndarray,
        domains: Domains,
        level: float,
        single: bool,
        interval: str = "woodruff",
        effects: Cells | None = None,
    ) -> Estimate | pd.DataFrame:
        counts = domains.sum(observed)
        deff, kish = (None, None) if effects is None else (effects.deff, effects.kish)
        if single and domains.column is None:
            extra: dict[str, object] = {"probability": float(probs[0]), "interval": interval}
            if deff is not None and kish is not None:
                value = float(deff[0, 0])
                extra |= {
                    "deff": value,
                    "n_effective": float(counts[0, 0] / value) if value > 0 else np.nan,
                    "kish_deff": float(kish[0, 0]),
                }
            return Estimate(
                name=f"quantile({names[0]}, {probs[0]:g})",
                estimate=float(estimates[0, 0, 0]),
                se=float(se[0, 0, 0]),
                ci_low=float(limits[0, 0, 0, 0]),
                ci_high=float(limits[0, 0, 0, 1]),
                n=int(round(counts[0, 0])),
                df=float(df[0]),
                level=level,
                extra=extra,
            )
        d_index, j_index, p_index = np.meshgrid(
            np.arange(domains.count), np.arange(len(names)), np.arange(len(probs)), indexing="ij"
        )
        table: dict[str, object] = {}
        if domains.column is not None:
            table[domains.column] = [domains.values[d] for d in d_index.ravel()]
        if len(names) > 1:
            table["variable"] = [names[j] for j in j_index.ravel()]
        table.update(
            quantile=probs[p_index.ravel()],
            estimate=estimates.ravel(),
            se=se.ravel(),
            ci_low=limits[..., 0].ravel(),
            ci_high=limits[..., 1].ravel(),
            n=np.rint(counts[d_index.ravel(), j_index.ravel()]).astype(int),
        )
        if domains.column is not None:
            table["df"] = df[d_index.ravel()]
        if deff is not None and kish is not None:
            # The cells are (D, k x P) in the same variable-major, probability-minor order as the table.
            table["deff"] = deff.ravel()
            with np.errstate(divide="ignore", invalid="ignore"):
                table["n_effective"] = np.asarray(table["n"], dtype=float) / deff.ravel()
            table["kish_deff"] = kish.ravel()
        return pd.DataFrame(table)


def _observed(observed: np.ndarray | None, values: np.ndarray) -> np.ndarray:
    """The observed mask, built when :meth:`DesignEstimators._numeric_matrix` left it out."""
    return np.ones_like(values) if observed is None else observed


def _counts(observed: np.ndarray | None, domains: Domains, k: int) -> np.ndarray:
    """Observed rows per domain and column (D, k)."""
    if observed is not None:
        return domains.sum(observed)
    return np.repeat(domains.sum(np.ones((len(domains.codes), 1))), k, axis=1)


def _where(domains: Domains, d: int) -> str:
    return f" in domain {domains.column}={domains.values[d]!r}" if domains.column else ""


def _check_denominators(den_tot: np.ndarray, domains: Domains, labels: list[str]) -> None:
    zero = np.argwhere(den_tot == 0)
    if zero.size == 0:
        return
    d, j = zero[0]
    raise StatsInputError(
        f"{labels[j]}: the (weighted) denominator is zero{_where(domains, d)}, so the estimate is undefined"
    )

"""Design-based inference for complex surveys by Taylor linearisation.

:class:`SurveyDesign` reproduces what R's ``survey`` package (Lumley 2004, 2010) computes for a
one-stage design ``svydesign(ids=~psu, strata=~strata, weights=~weight, fpc=~fpc, nest=TRUE)``:
``svymean``, ``svytotal``, ``svyratio``, ``svyby`` and ``svyglm``, including the handling of
strata with a single PSU (``options(survey.lonely.psu=)``).

Why the variance is implemented here: statsmodels has no design-based variance (its cluster-
robust covariance lacks the stratum centring and the finite population correction); samplics
is archived by its author; its successor svy (0.35) needs polars and a compiled extension and
departs from R where this module must agree with it (it centres a lonely PSU on the mean PSU
total, and gives each domain its own degrees of freedom). So the estimator follows
``survey:::onestrat`` line by line, and statsmodels does what it does right: fitting the
survey-weighted GLM point estimates.

References
----------
Lumley, T. (2004). Analysis of complex survey samples. Journal of Statistical Software 9(8).
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, ch. 2-5.
Binder, D. A. (1983). On the variances of asymptotically normal estimators from complex surveys.
International Statistical Review 51(3), 279-292.
"""

from __future__ import annotations

import dataclasses
import functools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import patsy
from scipy import sparse, special

from pa_study.stats._errors import StatsInputError
from pa_study.stats._results import Estimate, critical_value

LonelyPSU = Literal["error", "adjust", "certainty"]
Family = Literal["gaussian", "binomial"]

_LONELY_OPTIONS = ("error", "adjust", "certainty")
# R's onestrat() treats a stratum whose sampling fraction is within 1e-7 of 1 as fully enumerated.
_FULLY_ENUMERATED = 1e-7


@functools.lru_cache(maxsize=64)
def _t_quantile(level: float, df: float) -> float:
    if not 0 < level < 1:
        raise StatsInputError(f"level must be strictly between 0 and 1, got {level!r}")
    return critical_value(level, df)


def _require_column(data: pd.DataFrame, name: str, role: str) -> pd.Series:
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


def _no_missing(column: pd.Series, name: str, role: str) -> None:
    n_missing = int(column.isna().sum())
    if n_missing:
        raise StatsInputError(f"{role} column {name!r} has {n_missing} missing value(s)")


def _as_names(var: str | Sequence[str]) -> list[str]:
    names = [var] if isinstance(var, str) else list(var)
    if not names:
        raise StatsInputError("no variables given")
    return names


@dataclass(frozen=True)
class _Domains:
    """Row-to-domain coding for ``by=``: ``codes`` is -1 for rows in no domain."""

    column: str | None
    codes: np.ndarray
    values: list

    @property
    def count(self) -> int:
        return len(self.values)


def _per_row(domains: _Domains, by_domain: np.ndarray) -> np.ndarray:
    """Each row's value of a (D, k) domain array; broadcastable (1, k) without domains."""
    if domains.column is None:
        return by_domain
    return by_domain[np.maximum(domains.codes, 0)]


@dataclass(frozen=True)
class RegressionResult:
    """A survey-weighted GLM fitted by :meth:`SurveyDesign.regression`.

    Attributes
    ----------
    formula : str
        The model formula (patsy syntax).
    family : {"gaussian", "binomial"}
        Error distribution; canonical link (identity, logit).
    params, se : pandas.Series
        Coefficients and design-based standard errors, indexed by term in formula order with
        ``"Intercept"`` first (patsy term names, e.g. ``"stype[T.H]"``).
    cov : pandas.DataFrame
        Design-based covariance matrix of ``params``.
    df : float
        Residual degrees of freedom, ``#PSU - #strata + 1 - #terms`` as ``svyglm`` sets them.
    n : int
        Observations used in the fit.
    level : float
        Confidence level of :meth:`conf_int` and :meth:`to_frame`.
    """

    formula: str
    family: str
    params: pd.Series
    se: pd.Series
    cov: pd.DataFrame
    df: float
    n: int
    level: float = 0.95

    @property
    def tvalues(self) -> pd.Series:
        """Wald t statistics, ``params / se``."""
        return self.params / self.se

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values from the t distribution with :attr:`df` (as ``summary.svyglm``)."""
        return pd.Series(2 * special.stdtr(self.df, -np.abs(self.tvalues)), index=self.params.index)

    def conf_int(self) -> pd.DataFrame:
        """Wald confidence intervals with t(:attr:`df`) quantiles, as ``confint.svyglm``."""
        half = _t_quantile(self.level, self.df) * self.se
        return pd.DataFrame({"ci_low": self.params - half, "ci_high": self.params + half})

    def to_frame(self) -> pd.DataFrame:
        """Return the coefficient table, one row per term."""
        table = pd.DataFrame(
            {
                "term": self.params.index,
                "estimate": self.params.to_numpy(),
                "se": self.se.to_numpy(),
                "t": self.tvalues.to_numpy(),
                "p_value": self.pvalues.to_numpy(),
            }
        )
        ci = self.conf_int()
        table["ci_low"] = ci["ci_low"].to_numpy()
        table["ci_high"] = ci["ci_high"].to_numpy()
        table["df"] = self.df
        table["n"] = self.n
        return table


class SurveyDesign:
    """A one-stage stratified cluster sample design with Taylor-linearisation variances.

    Equivalent to R's ``svydesign(ids=~psu, strata=~strata, weights=~weight, fpc=~fpc,
    nest=TRUE)``: the first stage is treated as sampled with replacement unless ``fpc`` is
    given, PSU identifiers are read within strata, and later stages are not modelled (the
    "ultimate cluster" approximation).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per sampled unit (household). The index is ignored; rows are used by position.
    weight : str
        Column of sampling weights (inverse inclusion probabilities); must be positive and
        complete.
    strata : str, optional
        Column of strata. Without it the design has a single stratum.
    psu : str, optional
        Column of primary sampling unit (cluster) identifiers, nested within strata. Without it
        every row is its own PSU.
    fpc : str, optional
        Column holding the population size of each stratum: the number of PSUs in the stratum's
        population (the number of units when there is no ``psu``), as R's ``svydesign(fpc=)``.
        Must be constant within a stratum and at least the number of PSUs sampled there.
    lonely_psu : {"error", "adjust", "certainty"}
        What to do with a stratum holding a single PSU (unless ``fpc`` shows the stratum was
        enumerated completely, which contributes no variance):

        * ``"error"`` - raise :class:`StatsInputError` naming the stratum. R's default
          ``"fail"`` stops only when an estimate touches the stratum; this stops at once.
        * ``"adjust"`` - as R's ``"adjust"`` (survey 4.1): the lonely PSU's total of influence
          values is not centred on a stratum mean (there is none) but on zero. For means,
          ratios and regression coefficients, whose influence values sum to zero, that is
          centring on the average PSU, the conservative choice R documents. Domains use the
          full design's strata, so a domain with one PSU in a stratum is not lonely (R's
          default ``survey.adjust.domain.lonely=FALSE``).
        * ``"certainty"`` - as R's ``"certainty"``: the stratum contributes no variance.

    Raises
    ------
    StatsInputError
        Empty data; a missing design column; missing values in a design column; weights that
        are zero, negative or missing; an ``fpc`` that varies within a stratum or is smaller
        than the sample; a lonely PSU under ``lonely_psu="error"``; no degrees of freedom.

    Notes
    -----
    Degrees of freedom are ``#PSU - #strata`` (R's ``degf``) for every estimate, domains
    included. Confidence intervals use t quantiles with those degrees of freedom, i.e. what R
    prints for ``confint(x, df = degf(design))`` (plain ``confint`` on a ``svystat`` uses normal
    quantiles; ``svyciprop`` and ``svyglm`` use t).

    References
    ----------
    R package ``survey`` 4.1 (Lumley), functions ``svydesign``, ``svyrecvar`` and ``onestrat``.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        weight: str,
        strata: str | None = None,
        psu: str | None = None,
        fpc: str | None = None,
        lonely_psu: LonelyPSU = "error",
    ) -> None:
        if not isinstance(data, pd.DataFrame):
            raise StatsInputError(f"data must be a pandas DataFrame, got {type(data).__name__}")
        if len(data) == 0:
            raise StatsInputError("data is empty: a survey design needs at least one row")
        if lonely_psu not in _LONELY_OPTIONS:
            raise StatsInputError(f"lonely_psu must be one of {_LONELY_OPTIONS}, got {lonely_psu!r}")
        self._data = data.reset_index(drop=True)
        self._columns = {"weight": weight, "strata": strata, "psu": psu, "fpc": fpc}
        self._lonely_psu = lonely_psu
        self._weights = self._read_weights(weight)
        stratum, self._strata_labels = self._read_strata(strata)
        self._psu, self._psu_stratum = self._read_psu(psu, stratum)
        n_psu_h = np.bincount(self._psu_stratum, minlength=len(self._strata_labels))
        fraction_left = self._read_fpc(fpc, stratum, n_psu_h)
        self._scale, self._centre = self._stratum_scales(n_psu_h, fraction_left)
        self._fully_enumerated = bool(np.all(fraction_left < _FULLY_ENUMERATED))
        self._n_psu_h = n_psu_h
        self._df = self.n_psu - self.n_strata
        if self._df < 1:
            raise StatsInputError(
                f"the design has no degrees of freedom: {self.n_psu} PSU(s) in {self.n_strata} "
                "stratum/strata; standard errors and confidence intervals are undefined"
            )
        self._psu_sum = self._aggregator(self._psu, self.n_psu)
        self._stratum_sum = self._aggregator(self._psu_stratum, self.n_strata)

    # ------------------------------------------------------------------ construction ---

    def _read_weights(self, weight: str) -> np.ndarray:
        column = _require_column(self._data, weight, "weight")
        _no_missing(column, weight, "weight")
        values = as_numeric(column, weight)
        bad = ~(np.isfinite(values) & (values > 0))
        if bad.any():
            raise StatsInputError(
                f"weight column {weight!r} has {int(bad.sum())} value(s) that are zero, negative "
                "or not finite; sampling weights must be positive"
            )
        values.setflags(write=False)
        return values

    def _read_strata(self, strata: str | None) -> tuple[np.ndarray, list]:
        if strata is None:
            return np.zeros(len(self._data), dtype=np.intp), [None]
        column = _require_column(self._data, strata, "strata")
        _no_missing(column, strata, "strata")
        codes, labels = pd.factorize(column, sort=True)
        return codes.astype(np.intp), list(labels)

    def _read_psu(self, psu: str | None, stratum: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if psu is None:
            return np.arange(len(self._data), dtype=np.intp), stratum
        column = _require_column(self._data, psu, "psu")
        _no_missing(column, psu, "psu")
        raw, _ = pd.factorize(column)
        # PSU labels are read within strata (R's nest=TRUE): the pair identifies the PSU.
        key = stratum.astype(np.int64) * (int(raw.max()) + 1) + raw
        _, first, codes = np.unique(key, return_index=True, return_inverse=True)
        return codes.astype(np.intp), stratum[first]

    def _read_fpc(self, fpc: str | None, stratum: np.ndarray, n_psu_h: np.ndarray) -> np.ndarray:
        """Return, per stratum, ``1 - n_h / N_h`` (1 without fpc), as ``f`` in R's onestrat."""
        if fpc is None:
            return np.ones(len(n_psu_h))
        column = _require_column(self._data, fpc, "fpc")
        _no_missing(column, fpc, "fpc")
        values = as_numeric(column, fpc)
        by_stratum = pd.Series(values).groupby(stratum)
        low, high = by_stratum.min().to_numpy(), by_stratum.max().to_numpy()
        varying = np.flatnonzero(low != high)
        if varying.size:
            raise StatsInputError(
                f"fpc column {fpc!r} is not constant within stratum {self._strata_labels[varying[0]]!r}"
            )
        too_small = np.flatnonzero(~(low >= n_psu_h))
        if too_small.size:
            h = too_small[0]
            raise StatsInputError(
                f"fpc column {fpc!r} gives population size {low[h]!r} for stratum "
                f"{self._strata_labels[h]!r}, fewer than the {n_psu_h[h]} PSU(s) sampled there; "
                "fpc must be the population size (number of PSUs), not a sampling fraction"
            )
        return (low - n_psu_h) / low

    def _stratum_scales(self, n_psu_h: np.ndarray, fraction_left: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-stratum variance multiplier, and whether PSU totals are centred on their mean."""
        scale = np.where(n_psu_h > 1, fraction_left * n_psu_h / np.maximum(n_psu_h - 1, 1), fraction_left)
        scale[fraction_left < _FULLY_ENUMERATED] = 0.0
        centre = np.ones(len(n_psu_h), dtype=bool)
        lonely = np.flatnonzero((n_psu_h == 1) & (fraction_left >= _FULLY_ENUMERATED))
        if lonely.size and self._lonely_psu == "error":
            raise StatsInputError(self._lonely_message(lonely))
        if self._lonely_psu == "certainty":
            scale[lonely] = 0.0
        else:
            centre[lonely] = False
        return scale, centre

    def _lonely_message(self, lonely: np.ndarray) -> str:
        if self._columns["strata"] is None:
            return (
                "the design has a single PSU; variances cannot be estimated "
                "(lonely_psu='adjust' or 'certainty' override this)"
            )
        names = ", ".join(repr(self._strata_labels[h]) for h in lonely[:10])
        more = f" and {lonely.size - 10} more" if lonely.size > 10 else ""
        return (
            f"stratum {names}{more} of strata column {self._columns['strata']!r} has a single "
            "PSU; pass lonely_psu='adjust' or 'certainty' to SurveyDesign to proceed"
        )

    @staticmethod
    def _aggregator(groups: np.ndarray, n_groups: int) -> sparse.csr_matrix:
        """Sparse 0/1 matrix whose product with a column stack sums it by group."""
        ones = np.ones(len(groups))
        return sparse.csr_matrix((ones, (groups, np.arange(len(groups)))), shape=(n_groups, len(groups)))

    # ------------------------------------------------------------------ properties -----

    @property
    def data(self) -> pd.DataFrame:
        """The sample, re-indexed 0..n-1 (do not modify it in place)."""
        return self._data

    @property
    def weights(self) -> np.ndarray:
        """Sampling weights (read-only array)."""
        return self._weights

    @property
    def n(self) -> int:
        """Number of sampled rows."""
        return len(self._data)

    @property
    def n_psu(self) -> int:
        """Number of sampled PSUs (rows when the design has no ``psu``)."""
        return len(self._psu_stratum)

    @property
    def n_strata(self) -> int:
        """Number of strata (1 for an unstratified design)."""
        return len(self._strata_labels)

    @property
    def df(self) -> int:
        """Design degrees of freedom, ``#PSU - #strata`` (R's ``degf``)."""
        return self._df

    @property
    def fully_enumerated(self) -> bool:
        """Whether every stratum's PSUs were all taken (``fpc`` equal to the number of PSUs): a
        census, whose estimates carry no sampling error."""
        return self._fully_enumerated

    def __repr__(self) -> str:
        cols = ", ".join(f"{k}={v!r}" for k, v in self._columns.items() if v is not None)
        return (
            f"SurveyDesign({cols}, lonely_psu={self._lonely_psu!r}; n={self.n}, "
            f"PSUs={self.n_psu}, strata={self.n_strata}, df={self.df})"
        )

    def assign(self, **columns: object) -> SurveyDesign:
        """Return the same design with extra or replaced analysis columns.

        Parameters
        ----------
        **columns
            Column name to values, as :meth:`pandas.DataFrame.assign` (array-likes are taken
            by position). Design columns (weight, strata, psu, fpc) cannot be replaced.

        Returns
        -------
        SurveyDesign
            A design sharing this one's structure, over the extended data.
        """
        clash = set(columns) & {v for v in self._columns.values() if v is not None}
        if clash:
            raise StatsInputError(f"cannot replace design column(s) {sorted(clash)}")
        values = {k: (np.asarray(v) if isinstance(v, pd.Series) else v) for k, v in columns.items()}
        clone = object.__new__(SurveyDesign)
        clone.__dict__.update(self.__dict__)
        clone._data = self._data.assign(**values)
        return clone

    # ------------------------------------------------------------------ variance core --

    def _variance(self, psu_totals: np.ndarray) -> np.ndarray:
        """Variances from PSU totals of influence values, shape (PSU, k) -> (k,).

        ``sum_h (1 - f_h) n_h / (n_h - 1) sum_i (t_hi - mean_h t)^2``, as R's onestrat().
        """
        deviations = self._deviations(psu_totals)
        return self._scale[self._psu_stratum] @ deviations**2

    def _covariance(self, psu_totals: np.ndarray) -> np.ndarray:
        """Covariance matrix from PSU totals of influence values, shape (PSU, k) -> (k, k)."""
        deviations = self._deviations(psu_totals)
        return (deviations * self._scale[self._psu_stratum][:, None]).T @ deviations

    def _deviations(self, psu_totals: np.ndarray) -> np.ndarray:
        stratum_means = (self._stratum_sum @ psu_totals) / self._n_psu_h[:, None]
        centre = self._centre[self._psu_stratum][:, None]
        return psu_totals - np.where(centre, stratum_means[self._psu_stratum], 0.0)

    def _domain_psu_totals(self, influence: np.ndarray, domains: _Domains) -> np.ndarray:
        """PSU totals of each domain's influence: (n, k) -> (PSU, D * k), domain-major.

        A row's influence counts only towards its own domain; every other domain sees a zero
        there, which is what estimating the domain on the full design means (R's svyby keeps
        all PSUs through ``nPSU`` and pads absent ones with zeros).
        """
        if domains.column is None:
            return self._psu_sum @ influence
        keep = domains.codes >= 0
        rows = domains.codes[keep] * self.n_psu + self._psu[keep]
        aggregate = sparse.csr_matrix(
            (np.ones(int(keep.sum())), (rows, np.flatnonzero(keep))), shape=(domains.count * self.n_psu, self.n)
        )
        totals = aggregate @ influence
        k = influence.shape[1]
        return totals.reshape(domains.count, self.n_psu, k).transpose(1, 0, 2).reshape(self.n_psu, domains.count * k)

    def linearized(self, name: str, estimate: float, influence: np.ndarray, *, n: int, level: float = 0.95) -> Estimate:
        """Wrap a point estimate and its influence values into an :class:`Estimate`.

        The building block for estimators not provided here: the variance is that of the
        estimated total of ``influence`` under this design (R's ``svyrecvar``).

        Parameters
        ----------
        name : str
            Label of the estimate.
        estimate : float
            Point estimate.
        influence : numpy.ndarray
            Linearised influence value of every row, already multiplied by the weight
            (shape ``(n,)``; zero for rows that do not contribute).
        n : int
            Number of observations that entered the estimate.
        level : float
            Confidence level.

        Returns
        -------
        Estimate
            With design-based SE and a t-based CI on :attr:`df` degrees of freedom.
        """
        influence = np.asarray(influence, dtype=float).reshape(self.n, 1)
        if not np.isfinite(influence).all() or not np.isfinite(estimate):
            raise StatsInputError(f"{name}: the estimate or its influence values are not finite")
        se = float(np.sqrt(max(self._variance(self._psu_sum @ influence)[0], 0.0)))
        half = _t_quantile(level, self.df) * se
        return Estimate(
            name=name,
            estimate=float(estimate),
            se=se,
            ci_low=float(estimate) - half,
            ci_high=float(estimate) + half,
            n=int(n),
            df=self.df,
            level=level,
        )

    # ------------------------------------------------------------------ inputs ---------

    def _numeric_matrix(self, names: list[str], na_rm: bool) -> tuple[np.ndarray, np.ndarray]:
        """Analysis columns with missing values set to 0, and the observed mask (both n x k)."""
        for name in names:
            _require_column(self._data, name, "variable")
        try:
            values = self._data[names].to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            for name in names:
                as_numeric(self._data[name], name)  # raises, naming the offending column
            raise
        infinite = np.flatnonzero(np.isinf(values).any(axis=0))
        if infinite.size:
            raise StatsInputError(f"variable {names[infinite[0]]!r} has infinite values")
        observed = ~np.isnan(values)
        self._check_missing(names, observed, na_rm)
        return np.where(observed, values, 0.0), observed.astype(float)

    def _check_missing(self, names: list[str], observed: np.ndarray, na_rm: bool) -> None:
        missing = (~observed).sum(axis=0)
        if na_rm or not missing.any():
            return
        j = int(np.flatnonzero(missing)[0])
        raise StatsInputError(
            f"variable {names[j]!r} has {int(missing[j])} missing value(s); pass na_rm=True to "
            "estimate over the observed rows (R's na.rm=TRUE)"
        )

    def _domains(self, by: str | None) -> _Domains:
        if by is None:
            return _Domains(None, np.zeros(self.n, dtype=np.intp), [None])
        column = _require_column(self._data, by, "by")
        codes, values = pd.factorize(column, sort=True)
        if len(values) == 0:
            raise StatsInputError(f"by column {by!r} has no non-missing values")
        return _Domains(by, codes.astype(np.intp), list(values))

    # ------------------------------------------------------------------ estimators -----

    def _ratio_core(
        self, num: np.ndarray, den: np.ndarray, observed: np.ndarray, domains: _Domains, labels: list[str]
    ) -> tuple[np.ndarray, ...]:
        """Domain ratios sum(w*num)/sum(w*den) with SEs; a mean is a ratio with den = 1.

        ``num`` and ``den`` are n x k and already zero where not observed. Influence is
        ``w (num - R den) / sum(w den)`` (svyratio); rows outside a domain contribute zero.
        """
        weighted_num = self._weights[:, None] * num
        weighted_den = self._weights[:, None] * den
        num_tot = self._domain_sum(domains, weighted_num)
        den_tot = self._domain_sum(domains, weighted_den)
        self._check_denominators(den_tot, domains, labels)
        ratio = num_tot / den_tot
        influence = (weighted_num - _per_row(domains, ratio) * weighted_den) / _per_row(domains, den_tot)
        variance = self._variance(self._domain_psu_totals(influence, domains))
        counts = self._domain_sum(domains, observed)
        return ratio, np.sqrt(np.maximum(variance, 0.0)).reshape(ratio.shape), counts

    def _total_core(self, values: np.ndarray, observed: np.ndarray, domains: _Domains) -> tuple[np.ndarray, ...]:
        influence = self._weights[:, None] * values
        total = self._domain_sum(domains, influence)
        variance = self._variance(self._domain_psu_totals(influence, domains))
        counts = self._domain_sum(domains, observed)
        return total, np.sqrt(np.maximum(variance, 0.0)).reshape(total.shape), counts

    def _domain_sum(self, domains: _Domains, values: np.ndarray) -> np.ndarray:
        """Column sums of ``values`` (n x k) within each domain -> (D, k)."""
        if domains.column is None:
            return values.sum(axis=0, keepdims=True)
        keep = domains.codes >= 0
        indicator = sparse.csr_matrix(
            (np.ones(int(keep.sum())), (domains.codes[keep], np.flatnonzero(keep))), shape=(domains.count, self.n)
        )
        return indicator @ values

    @staticmethod
    def _check_denominators(den_tot: np.ndarray, domains: _Domains, labels: list[str]) -> None:
        zero = np.argwhere(den_tot == 0)
        if zero.size == 0:
            return
        d, j = zero[0]
        where = f" in domain {domains.column}={domains.values[d]!r}" if domains.column else ""
        raise StatsInputError(f"{labels[j]}: the (weighted) denominator is zero{where}, so the estimate is undefined")

    def _output(
        self,
        stat: str,
        labels: list[str],
        label_column: str | None,
        result: tuple[np.ndarray, ...],
        domains: _Domains,
        level: float,
        single: bool,
    ) -> Estimate | pd.DataFrame:
        """An Estimate for one unlabelled quantity, otherwise a table with one row per cell."""
        estimate, se, counts = result
        half = _t_quantile(level, self.df) * se
        if single and domains.column is None:
            return Estimate(
                name=f"{stat}({labels[0]})",
                estimate=float(estimate[0, 0]),
                se=float(se[0, 0]),
                ci_low=float(estimate[0, 0] - half[0, 0]),
                ci_high=float(estimate[0, 0] + half[0, 0]),
                n=int(round(counts[0, 0])),
                df=self.df,
                level=level,
            )
        d_index, j_index = np.meshgrid(np.arange(domains.count), np.arange(len(labels)), indexing="ij")
        table = {}
        if domains.column is not None:
            table[domains.column] = [domains.values[d] for d in d_index.ravel()]
        if not single:
            table[label_column] = [labels[j] for j in j_index.ravel()]
        table.update(
            estimate=estimate.ravel(),
            se=se.ravel(),
            ci_low=(estimate - half).ravel(),
            ci_high=(estimate + half).ravel(),
            n=np.rint(counts.ravel()).astype(int),
        )
        return pd.DataFrame(table)

    def mean(
        self, var: str | Sequence[str], by: str | None = None, *, na_rm: bool = False, level: float = 0.95
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

        Returns
        -------
        Estimate or pandas.DataFrame
            An :class:`Estimate` for one variable without ``by``; otherwise a DataFrame with
            columns ``variable`` (if a list was given), the ``by`` column, ``estimate``, ``se``,
            ``ci_low``, ``ci_high``, ``n``.
        """
        names = _as_names(var)
        values, observed = self._numeric_matrix(names, na_rm)
        domains = self._domains(by)
        result = self._ratio_core(values, observed, observed, domains, names)
        return self._output("mean", names, "variable", result, domains, level, isinstance(var, str))

    def total(
        self, var: str | Sequence[str], by: str | None = None, *, na_rm: bool = False, level: float = 0.95
    ) -> Estimate | pd.DataFrame:
        """Design-based population total (``svytotal`` / ``svyby(..., svytotal)``).

        Parameters
        ----------
        var, by, na_rm, level
            As in :meth:`mean`; missing values count as zero when ``na_rm=True`` (as R).

        Returns
        -------
        Estimate or pandas.DataFrame
            As :meth:`mean`.
        """
        names = _as_names(var)
        values, observed = self._numeric_matrix(names, na_rm)
        domains = self._domains(by)
        result = self._total_core(values, observed, domains)
        return self._output("total", names, "variable", result, domains, level, isinstance(var, str))

    def proportion(
        self, var: str, by: str | None = None, *, na_rm: bool = False, level: float = 0.95
    ) -> Estimate | pd.DataFrame:
        """Design-based proportion of a 0/1 or categorical variable.

        Parameters
        ----------
        var : str
            A boolean or 0/1 numeric column (proportion of ones), or a categorical / string
            column (proportion in each level, as ``svymean(~factor)``). A numeric column with
            values other than 0 and 1 raises :class:`StatsInputError`.
        by, na_rm, level
            As in :meth:`mean`.

        Returns
        -------
        Estimate or pandas.DataFrame
            An :class:`Estimate` for a 0/1 variable without ``by``. For a categorical variable a
            DataFrame with one row per level (and domain), the level in a column named ``var``.
            Intervals are Wald t intervals, not ``svyciprop``'s logit intervals.
        """
        column = _require_column(self._data, var, "variable")
        observed = column.notna().to_numpy()
        self._check_missing([var], observed[:, None], na_rm)
        domains = self._domains(by)
        if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            values = as_binary(column, var)[:, None]
            mask = observed[:, None].astype(float)
            result = self._ratio_core(values, mask, mask, domains, [var])
            return self._output("proportion", [var], var, result, domains, level, True)
        levels = list(pd.factorize(column, sort=True)[1])
        indicators = np.column_stack([(column == lev).to_numpy(dtype=float, na_value=0.0) for lev in levels])
        mask = np.repeat(observed[:, None].astype(float), len(levels), axis=1)
        result = self._ratio_core(indicators, mask, mask, domains, [var] * len(levels))
        return self._output("proportion", levels, var, result, domains, level, False)

    def ratio(
        self,
        numerator: str | Sequence[str],
        denominator: str | Sequence[str],
        by: str | None = None,
        *,
        na_rm: bool = False,
        level: float = 0.95,
    ) -> Estimate | pd.DataFrame:
        """Design-based ratio of totals, ``sum(w y) / sum(w x)`` (``svyratio``).

        Parameters
        ----------
        numerator, denominator : str or sequence of str
            Numeric columns. Two sequences are paired element by element; a single name is
            paired with every name of the other argument. All pairs are estimated in one pass.
        by, na_rm, level
            As in :meth:`mean`; ``na_rm`` drops, pair by pair, rows where either column is
            missing.

        Returns
        -------
        Estimate or pandas.DataFrame
            As :meth:`mean`, labelled ``"numerator/denominator"`` in the ``variable`` column.
        """
        nums, dens = _as_names(numerator), _as_names(denominator)
        if len(nums) != len(dens) and 1 not in (len(nums), len(dens)):
            raise StatsInputError(f"{len(nums)} numerators cannot be paired with {len(dens)} denominators")
        nums, dens = nums * (len(dens) // len(nums) or 1), dens * (len(nums) // len(dens) or 1)
        num_values, num_observed = self._numeric_matrix(nums, na_rm)
        den_values, den_observed = self._numeric_matrix(dens, na_rm)
        both = num_observed * den_observed
        labels = [f"{a}/{b}" for a, b in zip(nums, dens, strict=True)]
        domains = self._domains(by)
        result = self._ratio_core(num_values * both, den_values * both, both, domains, labels)
        single = isinstance(numerator, str) and isinstance(denominator, str)
        return self._output("ratio", labels, "variable", result, domains, level, single)

    def ratio_difference(
        self, first: tuple[str, str], second: tuple[str, str], *, na_rm: bool = False, level: float = 0.95
    ) -> Estimate:
        """Difference of two ratios of totals estimated on the same sample, ``R1 - R2``.

        For example the change in the share of transfer income between two years,
        ``sum(w transfer) / sum(w income) - sum(w transfer_base) / sum(w income_base)``. Both
        ratios come from the same households, so their covariance enters the variance, as in
        R's ``svycontrast(svyratio(...), c(1, -1))``.

        Parameters
        ----------
        first, second : (str, str)
            ``(numerator, denominator)`` column names of each ratio.
        na_rm : bool
            Estimate each ratio over the rows where both of its columns are observed.
        level : float
            Confidence level.

        Returns
        -------
        Estimate
            ``R1 - R2`` with its linearisation SE; ``n`` counts rows entering either ratio.
        """
        names = [*first, *second]
        values, observed = self._numeric_matrix(names, na_rm)
        estimates, influences, used = [], [], np.zeros(self.n, dtype=bool)
        for j, label in ((0, f"{first[0]}/{first[1]}"), (2, f"{second[0]}/{second[1]}")):
            both = observed[:, j] * observed[:, j + 1]
            num = self._weights * values[:, j] * both
            den = self._weights * values[:, j + 1] * both
            den_total = den.sum()
            if den_total == 0:
                raise StatsInputError(f"{label}: the (weighted) denominator is zero, so the estimate is undefined")
            estimates.append(num.sum() / den_total)
            influences.append((num - estimates[-1] * den) / den_total)
            used |= both.astype(bool)
        name = f"ratio({first[0]}/{first[1]}) - ratio({second[0]}/{second[1]})"
        return self.linearized(
            name, estimates[0] - estimates[1], influences[0] - influences[1], n=int(used.sum()), level=level
        )

    def regression(
        self, formula: str, family: Family = "gaussian", *, na_rm: bool = False, level: float = 0.95
    ) -> RegressionResult:
        """Survey-weighted linear or logistic regression with linearisation SEs (``svyglm``).

        Parameters
        ----------
        formula : str
            Patsy formula, e.g. ``"y ~ x1 + C(region)"``; functions are looked up in the
            caller's namespace. String columns enter as treatment-coded factors.
        family : {"gaussian", "binomial"}
            Identity-link linear model or logit-link model for a 0/1 (or boolean) response.
        na_rm : bool
            Drop rows with a missing model variable (R's default ``na.omit``); they keep their
            place in the design with zero influence. Without it, missing values raise.
        level : float
            Confidence level for :meth:`RegressionResult.conf_int`.

        Returns
        -------
        RegressionResult
            Coefficients and SEs indexed by term, ``Intercept`` first.

        Notes
        -----
        Point estimates maximise the weighted (quasi-)likelihood, fitted with statsmodels.
        The covariance is ``A^-1 V A^-1`` with ``A`` the weighted information and ``V`` the
        design variance of the score totals, as ``survey:::svy.varcoef``; for the binomial
        family it equals R's ``quasibinomial`` (and ``binomial``) ``svyglm``. Both are evaluated
        at the converged fit; R's ``glm`` uses the IRLS weights of its penultimate iteration,
        so with its default ``epsilon = 1e-8`` logistic SEs can differ from these by ~1e-5
        relative (they agree to ~1e-8 with ``glm.control(epsilon = 1e-12)``).
        """
        if family not in ("gaussian", "binomial"):
            raise StatsInputError(f"family must be 'gaussian' or 'binomial', got {family!r}")
        y, x = self._model_matrices(formula, na_rm, patsy.EvalEnvironment.capture(1))
        if family == "binomial":
            y = as_binary(pd.Series(y), f"response of {formula!r}")
        rows = x.index.to_numpy()
        params, fitted = _fit_glm(y, x, self._weights[rows], family, formula)
        work = self._weights[rows] * (fitted * (1 - fitted) if family == "binomial" else 1.0)
        bread = np.linalg.inv(x.to_numpy().T @ (x.to_numpy() * work[:, None]))
        influence = np.zeros((self.n, x.shape[1]))
        influence[rows] = (x.to_numpy() * (self._weights[rows] * (y - fitted))[:, None]) @ bread
        cov = self._covariance(self._psu_sum @ influence)
        df = self.df + 1 - x.shape[1]
        if df < 1:
            raise StatsInputError(
                f"{x.shape[1]} coefficients leave no residual degrees of freedom in a design with {self.df}"
            )
        terms = list(x.columns)
        return RegressionResult(
            formula=formula,
            family=family,
            params=pd.Series(params, index=terms),
            se=pd.Series(np.sqrt(np.maximum(np.diag(cov), 0.0)), index=terms),
            cov=pd.DataFrame(cov, index=terms, columns=terms),
            df=df,
            n=len(rows),
            level=level,
        )

    def _model_matrices(self, formula: str, na_rm: bool, env: patsy.EvalEnvironment) -> tuple[np.ndarray, pd.DataFrame]:
        try:
            y, x = patsy.dmatrices(
                formula, self._data, eval_env=env, return_type="dataframe", NA_action="drop" if na_rm else "raise"
            )
        except patsy.PatsyError as exc:
            hint = " (pass na_rm=True to drop incomplete rows)" if "missing" in str(exc) else ""
            raise StatsInputError(f"cannot build the model {formula!r}: {exc}{hint}") from None
        if y.shape[1] == 2 and set(y.columns[1].rsplit("[", 1)[-1:]) == {"True]"}:
            # patsy expands a boolean response into [False] and [True] indicator columns.
            y = y.iloc[:, 1:]
        if y.shape[1] != 1:
            raise StatsInputError(f"the response of {formula!r} must be a single numeric column")
        x = _formula_order(x, formula)
        if len(x) <= x.shape[1]:
            raise StatsInputError(f"{formula!r}: {len(x)} complete rows for {x.shape[1]} terms")
        if np.linalg.matrix_rank(x.to_numpy()) < x.shape[1]:
            raise StatsInputError(
                f"{formula!r}: the model matrix is rank deficient (collinear "
                "terms or a factor level with no observations)"
            )
        return y.iloc[:, 0].to_numpy(dtype=float), x


def korn_graubard_interval(estimate: float, se: float, n: int, df: float, level: float = 0.95) -> tuple[float, float]:
    """Korn-Graubard confidence interval of a proportion estimated from a complex sample.

    A Clopper-Pearson interval on the effective sample size ``p (1 - p) / se^2``, scaled by
    ``(t_{n-1} / t_df)^2`` for the design's degrees of freedom: R's
    ``svyciprop(method = "beta")``. Unlike the Wald interval it stays inside [0, 1] and does
    not collapse to a point when a rare event is not observed, which matters for error rates
    judged against a 2% threshold.

    Parameters
    ----------
    estimate, se : float
        The proportion and its design-based standard error.
    n : int
        Sampled units behind the proportion (those in its denominator or domain).
    df : float
        Design degrees of freedom.
    level : float
        Confidence level.

    Returns
    -------
    (float, float)
        Lower and upper limits.

    Notes
    -----
    Where R returns NaN, because the estimate is 0 or 1 or its SE is 0, the effective sample
    size is the actual one, ``n`` (the rule of the NCHS data presentation standards for
    proportions; Parker et al. 2017, Vital Health Stat 2(175)): with no event among ``n`` units
    the upper limit is the exact binomial one.

    References
    ----------
    Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for proportions with small
    expected number of positive counts estimated from survey data. Survey Methodology 24(2).
    """
    if not 0 <= estimate <= 1 or n < 1:
        raise StatsInputError(f"a proportion in [0, 1] from at least one unit is needed, got {estimate!r} from n={n!r}")
    alpha = 1 - level
    if 0 < estimate < 1 and se > 0:
        n_eff = estimate * (1 - estimate) / se**2
        if n > 1:
            n_eff *= (_t_quantile(level, n - 1) / _t_quantile(level, df)) ** 2
    else:
        n_eff = float(n)
    # betaincinv(a, b, q) is the Beta(a, b) quantile function.
    low = 0.0 if estimate == 0 else float(special.betaincinv(n_eff * estimate, n_eff * (1 - estimate) + 1, alpha / 2))
    high = (
        1.0 if estimate == 1 else float(special.betaincinv(n_eff * estimate + 1, n_eff * (1 - estimate), 1 - alpha / 2))
    )
    return low, high


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


def _formula_order(x: pd.DataFrame, formula: str) -> pd.DataFrame:
    """Columns ordered as R's ``terms()``: by interaction order, then as written.

    patsy groups terms by their numeric factors instead, which would put factors first.
    """
    written = patsy.ModelDesc.from_formula(formula).rhs_termlist
    slices = x.design_info.term_slices
    ordered = sorted(slices, key=lambda term: (len(term.factors), written.index(term)))
    return x.iloc[:, np.concatenate([np.arange(x.shape[1])[slices[t]] for t in ordered])]


def _fit_glm(
    y: np.ndarray, x: pd.DataFrame, weights: np.ndarray, family: Family, formula: str
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted GLM point estimates and fitted means (statsmodels IRLS, tight tolerance)."""
    # Imported here: statsmodels takes longer to import than most estimates take to compute, and
    # only regressions need it.
    import statsmodels.api as sm

    glm_family = sm.families.Binomial() if family == "binomial" else sm.families.Gaussian()
    # Weights are rescaled to mean 1 like svyglm's; estimates do not depend on the scale.
    model = sm.GLM(y, x.to_numpy(), family=glm_family, var_weights=weights / weights.mean())
    if family == "binomial" and np.unique(y).size < 2:
        raise StatsInputError(f"{formula!r}: the response takes a single value; a binomial model needs both outcomes")
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    # statsmodels only warns on perfect separation and returns diverging coefficients as if
    # converged; an estimate built on them would be meaningless, so it is refused.
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        try:
            fit = model.fit(tol=1e-12, maxiter=100)
        except (ValueError, PerfectSeparationWarning) as exc:
            raise StatsInputError(f"{formula!r}: the {family} model cannot be fitted ({exc})") from None
    if not fit.converged:
        raise StatsInputError(
            f"{formula!r}: the {family} model did not converge (perfect separation or too few events?)"
        )
    return np.asarray(fit.params), np.asarray(fit.fittedvalues)


def design_or_srs(design: SurveyDesign | None, weight: object, first: object, role: str) -> SurveyDesign:
    """The given design or, without one, a design with every row its own PSU in one stratum.

    Used by estimators that take plain arrays: ``first`` is their first data argument (it
    fixes the number of rows), ``weight`` array-like sampling weights or None (equal weights).
    """
    if design is not None:
        if weight is not None:
            raise StatsInputError("give either weight= or design=, not both (the design carries the weights)")
        return design
    if isinstance(first, str):
        raise StatsInputError(f"{role}={first!r} names a column, which needs design=")
    values = np.asarray(first)
    if values.ndim != 1 or len(values) == 0:
        raise StatsInputError(f"{role} must be a non-empty 1-d array, got shape {values.shape}")
    weights = np.ones(len(values)) if weight is None else _positional(weight, len(values), "weight")
    return SurveyDesign(pd.DataFrame({"weight": weights}), weight="weight")


def design_values(design: SurveyDesign, x: object, role: str) -> tuple[np.ndarray, str]:
    """Values of ``x`` for every row of ``design``: a column name, or array-like by position."""
    if isinstance(x, str):
        column = _require_column(design.data, x, role)
        return column.to_numpy(), x
    name = getattr(x, "name", None)
    return _positional(x, design.n, role), (name if isinstance(name, str) else role)


def _positional(x: object, length: int, role: str) -> np.ndarray:
    values = np.asarray(x)
    if values.ndim != 1 or len(values) != length:
        raise StatsInputError(f"{role} has shape {values.shape}, expected ({length},)")
    return values


def rename(estimate: Estimate, name: str, **extra: object) -> Estimate:
    """``estimate`` under another name, with ``extra`` fields merged in."""
    return dataclasses.replace(estimate, name=name, extra={**estimate.extra, **extra})

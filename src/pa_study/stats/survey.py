"""Design-based inference for complex surveys by Taylor linearisation.

:class:`SurveyDesign` reproduces what R's ``survey`` package (Lumley 2004, 2010) computes for a
design ``svydesign(ids=~psu1+psu2, strata=~strata1+strata2, weights=~weight, fpc=~fpc1+fpc2,
nest=TRUE)``: one- and multistage stratified cluster samples with finite-population corrections
at every stage (``svyrecvar``), calibrated by post-stratification or raking (``postStratify``,
``rake`` / ``calibrate``); ``svymean``, ``svytotal``, ``svyratio``, ``svyby``, ``svyquantile``
and ``svyglm``, design effects (``deff=TRUE``), and the handling of strata with a single unit
(``options(survey.lonely.psu=)``). :meth:`SurveyDesign.replicate` turns it into a replicate-weight
design (``as.svrepdesign``).

Why the variance is implemented here: statsmodels has no design-based variance (its cluster-
robust covariance lacks the stratum centring and the finite population correction); samplics
is archived by its author; its successor svy (0.35) needs polars and a compiled extension and
departs from R where this module must agree with it (it centres a lonely PSU on the mean PSU
total, and gives each domain its own degrees of freedom). So the estimator follows
``survey:::svyrecvar`` line by line, and statsmodels does what it does right: fitting the
survey-weighted GLM point estimates.

References
----------
Lumley, T. (2004). Analysis of complex survey samples. Journal of Statistical Software 9(8).
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, ch. 2-5, 7.
Binder, D. A. (1983). On the variances of asymptotically normal estimators from complex surveys.
International Statistical Review 51(3), 279-292.
Woodruff, R. S. (1952). Confidence intervals for medians and other position measures. JASA 47, 635-646.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
import patsy
from scipy import special

from pa_study.stats._calibration import Calibration, Totals, calibrate
from pa_study.stats._errors import StatsInputError
from pa_study.stats._estimators import (
    Deff,
    DesignEstimators,
    Domains,
    as_binary,
    as_numeric,
    require_column,
    t_quantile,
)
from pa_study.stats._results import Estimate
from pa_study.stats._stages import (
    FULLY_ENUMERATED,
    StageReader,
    covariance,
    domain_variance,
    stage_columns,
    variance,
)

if TYPE_CHECKING:
    from pa_study.stats.replicate import ReplicateDesign, ReplicateMethod

__all__ = [
    "RegressionResult",
    "SurveyDesign",
    "as_binary",
    "as_numeric",
    "design_or_srs",
    "design_values",
    "korn_graubard_interval",
    "rename",
]

LonelyPSU = Literal["error", "adjust", "certainty"]
DomainDF = Literal["strata", "design"]
Family = Literal["gaussian", "binomial"]

_LONELY_OPTIONS = ("error", "adjust", "certainty")
_DOMAIN_DF_OPTIONS = ("strata", "design")


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
    deff : pandas.Series or None
        Design effects of the coefficients (variance over that of the same scores under simple
        random sampling, as Stata's ``estat effects``), when the design reports them
        (:meth:`SurveyDesign.with_design_effects`).
    """

    formula: str
    family: str
    params: pd.Series
    se: pd.Series
    cov: pd.DataFrame
    df: float
    n: int
    level: float = 0.95
    deff: pd.Series | None = None

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
        half = t_quantile(self.level, self.df) * self.se
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


class SurveyDesign(DesignEstimators):
    """A stratified one- or multistage cluster sample with Taylor-linearisation variances.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per sampled unit (household). The index is ignored; rows are used by position.
    weight : str
        Column of sampling weights (inverse inclusion probabilities); must be positive and
        complete.
    strata : str or sequence of (str or None), optional
        Column of first-stage strata, or one entry per stage: the strata of stage ``s`` are read
        within the stage ``s - 1`` unit (e.g. ``["township", "sample_group"]``: villages sampled
        within townships, households within registered / other groups of each village).
        Without it the design has a single stratum.
    psu : str or sequence of str, optional
        Column of primary sampling unit (cluster) identifiers, or one column per stage
        (``["village", "household_id"]``); ids are read within their stratum and parent unit
        (R's ``nest=TRUE``). Without it every row is its own PSU.
    fpc : str or sequence of (str or None), optional
        Population size of each stratum, in units of its stage: the number of PSUs in the
        stratum's population at the first stage (units when there is no ``psu``), the number of
        households in the group's population within the village at the second, as R's
        ``svydesign(fpc=)``. Must be constant within a stratum and at least the number of units
        sampled there. ``None`` for a stage sampled with replacement. A multistage ``psu`` needs
        one entry per stage; with ``fpc=None`` only the first stage is used (see Notes).
    lonely_psu : {"error", "adjust", "certainty"}
        What to do with a stratum holding a single sampled unit, at any stage (unless ``fpc``
        shows the stratum was enumerated completely, which contributes no variance):

        * ``"error"`` - raise :class:`StatsInputError` naming the stratum. R's default
          ``"fail"`` stops only when an estimate touches the stratum; this stops at once.
        * ``"adjust"`` - as R's ``"adjust"`` (survey 4.1): the lonely unit's total of influence
          values is not centred on a stratum mean (there is none) but on zero. For means,
          ratios and regression coefficients, whose influence values sum to zero, that is
          centring on the average unit, the conservative choice R documents. Domains use the
          full design's strata, so a domain with one PSU in a stratum is not lonely (R's
          default ``survey.adjust.domain.lonely=FALSE``).
        * ``"certainty"`` - as R's ``"certainty"``: the stratum contributes no variance.
    domain_df : {"strata", "design"}
        Degrees of freedom of ``by=`` estimates. ``"strata"`` (default): a domain that is a
        first-stage stratum or a union of strata (a township) gets ``#PSU - #strata`` counted
        within it, which is what R's ``degf()`` gives for the design restricted to the domain;
        other domains (cutting across strata) keep the full design's. ``"design"``: every domain
        gets the full design's ``#PSU - #strata``, as R's ``confint(svyby(...), df = degf(design))``.
        Results carry the degrees of freedom used in ``df``.

    Raises
    ------
    StatsInputError
        Empty data; a missing design column; missing values in a design column (a sampled unit
        without its stage id); weights that are zero, negative or missing; an ``fpc`` that
        varies within a stratum or is smaller than its stage's sample; a lonely unit under
        ``lonely_psu="error"``; no degrees of freedom.

    Notes
    -----
    Equivalent R calls:

    * ``SurveyDesign(d, weight="w", strata="h", psu="c", fpc="N")`` -
      ``svydesign(ids=~c, strata=~h, weights=~w, fpc=~N, nest=TRUE)``, the first stage treated
      as sampled without replacement when ``fpc`` is given, with replacement otherwise, later
      stages not modelled (the "ultimate cluster" approximation).
    * ``SurveyDesign(d, weight="w", strata=["h", "g"], psu=["c", "id"], fpc=["N1", "N2"])`` -
      ``svydesign(ids=~c+id, strata=~h+g, weights=~w, fpc=~N1+N2, nest=TRUE)`` with ``g`` nested
      in ``c``: the variance is the sum over stages of each stage's between-unit variance with its
      own finite-population correction, times the sampling fractions of the stages above it
      (``svyrecvar``). Without ``fpc`` R uses the first stage only; so does this.

    Degrees of freedom are ``#PSU - #strata`` of the first stage (R's ``degf``); for domains see
    ``domain_df``. Confidence intervals use t quantiles with those degrees of freedom, i.e. what R
    prints for ``confint(x, df = degf(design))`` (plain ``confint`` on a ``svystat`` uses normal
    quantiles; ``svyciprop`` and ``svyglm`` use t).

    References
    ----------
    R package ``survey`` 4.1 (Lumley), functions ``svydesign``, ``svyrecvar``, ``multistage``,
    ``onestage`` and ``onestrat``.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        weight: str,
        strata: str | Sequence[str | None] | None = None,
        psu: str | Sequence[str] | None = None,
        fpc: str | Sequence[str | None] | None = None,
        lonely_psu: LonelyPSU = "error",
        domain_df: DomainDF = "strata",
    ) -> None:
        if not isinstance(data, pd.DataFrame):
            raise StatsInputError(f"data must be a pandas DataFrame, got {type(data).__name__}")
        if len(data) == 0:
            raise StatsInputError("data is empty: a survey design needs at least one row")
        if lonely_psu not in _LONELY_OPTIONS:
            raise StatsInputError(f"lonely_psu must be one of {_LONELY_OPTIONS}, got {lonely_psu!r}")
        if domain_df not in _DOMAIN_DF_OPTIONS:
            raise StatsInputError(f"domain_df must be one of {_DOMAIN_DF_OPTIONS}, got {domain_df!r}")
        self._data = data.reset_index(drop=True)
        columns = stage_columns(psu, strata, fpc)
        self._stage_columns = columns
        self._columns = {"weight": weight, "strata": strata, "psu": psu, "fpc": fpc}
        named = [weight] + [c for s in columns for c in (s.psu, s.strata, s.fpc) if c is not None]
        self._design_columns = frozenset(named)
        self._lonely_psu = lonely_psu
        self._domain_df_rule = domain_df
        self._weights = self._read_weights(weight)
        self._design_weights = self._weights
        self._calibrations: tuple[Calibration, ...] = ()
        self._stages, self._strata_labels = StageReader(self._data, columns, lonely_psu).stages()
        first = self._stages[0]
        self._stratum_of_row = first.group if first.unit is None else first.group[first.unit]
        self._df = self.n_psu - self.n_strata
        if self._df < 1:
            raise StatsInputError(
                f"the design has no degrees of freedom: {self.n_psu} PSU(s) in {self.n_strata} "
                "stratum/strata; standard errors and confidence intervals are undefined"
            )

    # ------------------------------------------------------------------ construction ---

    def _read_weights(self, weight: str) -> np.ndarray:
        column = require_column(self._data, weight, "weight")
        n_missing = int(column.isna().sum())
        if n_missing:
            raise StatsInputError(f"weight column {weight!r} has {n_missing} missing value(s)")
        values = as_numeric(column, weight)
        bad = ~(np.isfinite(values) & (values > 0))
        if bad.any():
            raise StatsInputError(
                f"weight column {weight!r} has {int(bad.sum())} value(s) that are zero, negative "
                "or not finite; sampling weights must be positive"
            )
        values.setflags(write=False)
        return values

    # ------------------------------------------------------------------ properties -----

    @property
    def n_psu(self) -> int:
        """Number of sampled PSUs (rows when the design has no ``psu``)."""
        return self._stages[0].n_units

    @property
    def n_strata(self) -> int:
        """Number of first-stage strata (1 for an unstratified design)."""
        return self._stages[0].n_groups

    @property
    def n_stages(self) -> int:
        """Number of stages whose variance is estimated (1 for the ultimate-cluster approximation)."""
        return len(self._stages)

    @property
    def df(self) -> int:
        """Design degrees of freedom, ``#PSU - #strata`` (R's ``degf``)."""
        return self._df

    @property
    def fully_enumerated(self) -> bool:
        """Whether every unit was taken at every stage whose variance is estimated (each ``fpc``
        equal to its stage's sample): a census, whose estimates carry no sampling error."""
        return all(bool((stage.fraction_left < FULLY_ENUMERATED).all()) for stage in self._stages)

    @property
    def design_weights(self) -> np.ndarray:
        """The sampling weights before any calibration (read-only)."""
        return self._design_weights

    @property
    def calibrated(self) -> list[str]:
        """Columns the weights have been calibrated on, in order."""
        return [c for step in self._calibrations for c in step.columns]

    def __repr__(self) -> str:
        cols = ", ".join(f"{k}={v!r}" for k, v in self._columns.items() if v is not None)
        calibrated = f", calibrated on {self.calibrated}" if self._calibrations else ""
        return (
            f"SurveyDesign({cols}, lonely_psu={self._lonely_psu!r}; n={self.n}, stages={self.n_stages}, "
            f"PSUs={self.n_psu}, strata={self.n_strata}, df={self.df}{calibrated})"
        )

    def with_data(self, data: pd.DataFrame) -> SurveyDesign:
        """Return the design of the same sample over ``data``: the same rows in the same order with
        the same strata, ids and fpc, but other analysis columns and weights.

        Equal to ``SurveyDesign(data, ...)`` with this design's arguments, without reading the
        stages again (on a census of a million households that costs more than most estimates).
        The weights are read from ``data``; calibration is not carried over (rake the result again
        when its weights are the calibrated ones), nor are design effects (:meth:`with_design_effects`).

        Raises
        ------
        StatsInputError
            ``data`` has another number of rows, or a stage column differs from this design's.
        """
        if len(data) != self.n:
            raise StatsInputError(f"the design has {self.n} rows, the data {len(data)}: not the same sample")
        data = data.reset_index(drop=True)
        stage_names = [c for s in self._stage_columns for c in (s.psu, s.strata, s.fpc) if c is not None]
        for name in sorted(set(stage_names)):
            if name not in data.columns or not data[name].equals(self._data[name]):
                raise StatsInputError(f"design column {name!r} differs from the design's: not the same sample")
        clone = object.__new__(SurveyDesign)
        clone.__dict__.update({k: v for k, v in self.__dict__.items() if k not in ("_deff_default", "_domain_codings")})
        clone._data = data
        clone._weights = clone._design_weights = clone._read_weights(self._columns["weight"])
        clone._calibrations = ()
        clone._design_columns = frozenset([self._columns["weight"], *stage_names])
        return clone

    # ------------------------------------------------------------------ calibration ----

    def poststratify(self, column: str, totals: Totals) -> SurveyDesign:
        """Return the design post-stratified on ``column`` to known population counts.

        The weights of the sampled units in each category are scaled to sum to the category's
        population count, and variances are those of the post-stratified estimator (residuals
        from the weighted category means): R's ``postStratify(design, ~column, population)``.

        Parameters
        ----------
        column : str
            Categorical column of the sample (e.g. township, or township x register status).
        totals : mapping or pandas.Series
            Population count of every category present in the sample, ``{category: count}``.

        Returns
        -------
        SurveyDesign
            A new design with calibrated :attr:`weights`; :attr:`design_weights` keeps the
            sampling weights.

        Raises
        ------
        StatsInputError
            A sampled category has no total, a total names a category the sample lacks (R stops
            too unless ``partial=TRUE``), or a total is not positive.
        """
        return self.rake({column: totals})

    def rake(self, margins: Mapping[str, Totals], *, max_iter: int = 100, tolerance: float = 1e-10) -> SurveyDesign:
        """Return the design raked to known population counts of several columns.

        Iterative proportional fitting: post-stratify on each column in turn until no cell of
        their cross-classification changes its weighted count by ``tolerance`` times the total
        weight (R's ``rake(control = list(epsilon = tolerance, maxit = max_iter))``; R's default
        ``epsilon = 1`` stops earlier). Variances use the residuals of the linearised calibration
        estimator (``calibrate(calfun = "raking")``; see :mod:`pa_study.stats._calibration`).

        Parameters
        ----------
        margins : mapping
            ``{column: {category: population count}}``; one column is post-stratification.
        max_iter : int
            Iterations before giving up.
        tolerance : float
            Convergence criterion, relative to the total weight.

        Returns
        -------
        SurveyDesign

        Raises
        ------
        StatsInputError
            As :meth:`poststratify`, and when raking does not converge (margins whose totals
            disagree, or an empty combination of categories that the margins need).
        """
        step = calibrate(self._data, self._weights, margins, max_iter=max_iter, tolerance=tolerance)
        clone = object.__new__(SurveyDesign)
        clone.__dict__.update(self.__dict__)
        clone._weights = step.after
        clone._calibrations = (*self._calibrations, step)
        clone._design_columns = self._design_columns | frozenset(step.columns)
        return clone

    def replicate(
        self, method: ReplicateMethod, replicates: int | None = None, *, seed: int = 20240601
    ) -> ReplicateDesign:
        """Return a replicate-weight version of this design (R's ``as.svrepdesign``).

        Parameters
        ----------
        method : {"jk1", "jkn", "bootstrap"}
            ``"jk1"``: delete-one-PSU jackknife of an unstratified design (``type="JK1"``);
            ``"jkn"``: the stratified jackknife (``type="JKn"``); ``"bootstrap"``: the Rao-Wu
            rescaling bootstrap of PSUs within strata.
        replicates : int, optional
            Number of bootstrap replicates (default 500); the jackknives have one per PSU.
        seed : int
            Seed of the bootstrap's random draws.

        Returns
        -------
        ReplicateDesign
            See :class:`~pa_study.stats.ReplicateDesign`; calibration is repeated in every
            replicate.
        """
        from pa_study.stats.replicate import ReplicateDesign

        return ReplicateDesign.from_design(self, method, replicates, seed=seed)

    # ------------------------------------------------------------------ variance core --

    def _calibrated(self, influence: np.ndarray) -> np.ndarray:
        # The last calibration is the outermost: its residuals are taken first.
        for step in reversed(self._calibrations):
            influence = step.residual(influence)
        return influence

    def _variance_cells(self, influence: np.ndarray, domains: Domains) -> np.ndarray:
        if domains.column is None:
            return variance(self._stages, self._calibrated(influence))[None, :]
        if not self._calibrations:
            return domain_variance(self._stages, influence, domains.codes, domains.count)
        # Calibration residuals do not vanish outside the domain, so each domain is taken whole.
        return np.vstack(
            [
                variance(self._stages, self._calibrated(influence * (domains.codes == d)[:, None]))
                for d in range(domains.count)
            ]
        )

    def _domain_df(self, domains: Domains) -> np.ndarray:
        """``#PSU - #strata`` within each domain that is a union of first-stage strata."""
        result = np.full(domains.count, float(self.df))
        if domains.column is None or self._domain_df_rule == "design":
            return result
        stratum, codes = self._stratum_of_row, domains.codes
        # A stratum lies in one domain when all its rows share the domain of any one of them
        # (counted in single passes: grouping a million rows by stratum costs more than an estimate).
        some = np.empty(self.n_strata, dtype=codes.dtype)
        some[stratum] = codes
        differing = np.bincount(stratum, weights=codes != some[stratum], minlength=self.n_strata)
        aligned = (differing == 0) & (some >= 0)
        across = ~aligned[stratum] & (codes >= 0)
        crossing = np.flatnonzero(np.bincount(codes[across], minlength=domains.count))
        n_psu = self._stages[0].n_in_group
        own = some[aligned]
        counted = np.bincount(own, weights=n_psu[aligned] - 1, minlength=domains.count)
        whole = np.setdiff1d(np.unique(own), crossing)
        # A domain that is one stratum with one PSU has no degrees of freedom; 1 keeps its interval finite.
        result[whole] = np.maximum(counted[whole], 1.0)
        return result

    def linearized(
        self,
        name: str,
        estimate: float,
        influence: np.ndarray,
        *,
        n: int,
        level: float = 0.95,
        deff: Deff | None = None,
    ) -> Estimate:
        """Wrap a point estimate and its influence values into an :class:`Estimate`.

        The building block for estimators not provided here: the variance is that of the
        estimated total of ``influence`` under this design (R's ``svyrecvar``, calibration
        included).

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
        deff : bool or "replace", optional
            Add the design effect (the variance over that of the same estimator's influence
            values under simple random sampling of all rows, as Stata's ``estat effects``) and
            ``n_effective = n / deff``; default the design's (:meth:`with_design_effects`).

        Returns
        -------
        Estimate
            With design-based SE and a t-based CI on :attr:`df` degrees of freedom.
        """
        influence = np.asarray(influence, dtype=float).reshape(self.n, 1)
        if not np.isfinite(influence).all() or not np.isfinite(estimate):
            raise StatsInputError(f"{name}: the estimate or its influence values are not finite")
        var = np.maximum(variance(self._stages, self._calibrated(influence)), 0.0)
        se = float(np.sqrt(var[0]))
        half = t_quantile(level, self.df) * se
        extra = {}
        kind = self._deff_kind(deff)
        if kind:
            design_effect, kish = self._deff(var[None, :], influence, None, self._domains(None), kind)
            value = float(design_effect[0, 0])
            extra = {"deff": value, "n_effective": n / value if value > 0 else np.nan, "kish_deff": float(kish[0, 0])}
        return Estimate(
            name=name,
            estimate=float(estimate),
            se=se,
            ci_low=float(estimate) - half,
            ci_high=float(estimate) + half,
            n=int(n),
            df=self.df,
            level=level,
            extra=extra,
        )

    # ------------------------------------------------------------------ estimators -----

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
        observed = np.ones_like(values) if observed is None else observed
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
        scores = x.to_numpy() * (self._weights[rows] * (y - fitted))[:, None]
        # The same product as scores @ bread, taken transposed: multi-threaded OpenBLAS spends about
        # 0.4 s of CPU on a million-row by k x k product and 0.01 s on its transpose, same digits.
        influence[rows] = (bread.T @ scores.T).T
        cov = covariance(self._stages, self._calibrated(influence))
        kind = self._deff_kind(None)
        deff = None
        if kind:
            used = np.zeros((self.n, 1))
            used[rows] = 1.0
            deff = self._deff(np.diag(cov)[None, :], influence, used, self._domains(None), kind)[0][0]
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
            deff=None if deff is None else pd.Series(deff, index=terms),
        )

    def _model_matrices(self, formula: str, na_rm: bool, env: patsy.EvalEnvironment) -> tuple[np.ndarray, pd.DataFrame]:
        try:
            y, x = patsy.dmatrices(
                formula,
                _model_frame(self._data, formula),
                eval_env=env,
                return_type="dataframe",
                NA_action="drop" if na_rm else "raise",
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


def korn_graubard_interval(
    estimate: float,
    se: float,
    n: int,
    df: float,
    level: float = 0.95,
    *,
    kish_deff: float = 1.0,
    truncate: bool = False,
) -> tuple[float, float]:
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
        Degrees of freedom of the estimate (the design's, or the domain's).
    level : float
        Confidence level.
    kish_deff : float
        Kish's design effect of the weights of the ``n`` units (:func:`~pa_study.stats.kish_deff`),
        used only when no event (or no non-event) is observed.
    truncate : bool
        Cap the effective sample size at ``n`` (a design effect below 1 counts as 1), as the NCHS
        standards do; R's ``svyciprop`` does not.

    Returns
    -------
    (float, float)
        Lower and upper limits.

    Notes
    -----
    Where R returns NaN, because the estimate is 0 or 1 or its SE is 0, the design effect cannot
    be estimated from the data; the effective sample size is then ``n / kish_deff``, the nominal
    size discounted for unequal weighting (Kish 1965; the NCHS data presentation standards for
    proportions, Parker et al. 2017, Vital Health Stat 2(175), use ``n`` itself, i.e. equal
    weights). With no event among ``n`` equally weighted units the upper limit is the exact
    binomial one, ``1 - (alpha / 2)^(1 / n)``; unequal weights widen it. Clustering cannot be
    accounted for without events, so the interval is still optimistic when events would cluster.

    A rare proportion's estimated design effect is itself noisy and often below 1 when the few
    events fall in different PSUs; the effective sample size then exceeds the units sampled and
    the interval is narrower than an exact binomial one from a simple random sample of that size.
    ``truncate`` follows the NCHS standards (Parker et al. 2017), which set the effective sample
    size to ``n`` in that case.

    References
    ----------
    Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for proportions with small
    expected number of positive counts estimated from survey data. Survey Methodology 24(2).
    """
    if not 0 <= estimate <= 1 or n < 1:
        raise StatsInputError(f"a proportion in [0, 1] from at least one unit is needed, got {estimate!r} from n={n!r}")
    if not kish_deff >= 1 - 1e-12:
        raise StatsInputError(f"kish_deff must be at least 1 (n sum(w^2) / sum(w)^2), got {kish_deff!r}")
    alpha = 1 - level
    if 0 < estimate < 1 and se > 0:
        n_eff = estimate * (1 - estimate) / se**2
        if truncate:
            n_eff = min(n_eff, n)
        if n > 1:
            n_eff *= (t_quantile(level, n - 1) / t_quantile(level, df)) ** 2
    else:
        n_eff = n / kish_deff
    # betaincinv(a, b, q) is the Beta(a, b) quantile function.
    low = 0.0 if estimate == 0 else float(special.betaincinv(n_eff * estimate, n_eff * (1 - estimate) + 1, alpha / 2))
    high = (
        1.0 if estimate == 1 else float(special.betaincinv(n_eff * estimate + 1, n_eff * (1 - estimate), 1 - alpha / 2))
    )
    return low, high


def _model_frame(data: pd.DataFrame, formula: str) -> pd.DataFrame:
    """The columns of ``data`` whose names occur in ``formula``, text columns as categoricals.

    patsy finds and maps the levels of a text column value by value in Python (seconds per
    million rows); a categorical's it takes from the integer codes. The categories are the
    sorted distinct values, the order patsy gives text levels, so the model matrix is the same.
    """
    frame = data[[c for c in data.columns if isinstance(c, str) and c in formula]]
    text = {
        c: pd.Categorical(values, categories=sorted(values.dropna().unique()))
        for c, values in frame.items()
        if not isinstance(values.dtype, pd.CategoricalDtype)
        and pd.api.types.infer_dtype(values, skipna=True) == "string"
    }
    return frame.assign(**text) if text else frame


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
    """Weighted GLM point estimates and fitted means.

    The Gaussian (identity-link) model is weighted least squares, solved directly. The logit model
    is fitted by statsmodels' IRLS to R's ``glm`` convergence rule with ``epsilon = 1e-12``.
    """
    if family == "gaussian":
        return _weighted_least_squares(y, x.to_numpy(), weights)
    # Imported here: statsmodels takes longer to import than most estimates take to compute, and
    # only logistic regressions need it.
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    if np.unique(y).size < 2:
        raise StatsInputError(f"{formula!r}: the response takes a single value; a binomial model needs both outcomes")
    # Weights are rescaled to mean 1 like svyglm's; estimates do not depend on the scale.
    model = sm.GLM(y, x.to_numpy(), family=sm.families.Binomial(), var_weights=weights / weights.mean())
    # statsmodels only warns on perfect separation and returns diverging coefficients as if
    # converged; an estimate built on them would be meaningless, so it is refused.
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        try:
            # R's rule, |dev - dev_old| < epsilon (|dev| + 0.1): relative, because the deviance grows
            # with n and its rounding error with it; an absolute 1e-12 is below that error from
            # about 10,000 rows and IRLS would run its 100 iterations without ever meeting it.
            fit = model.fit(atol=1e-13, rtol=1e-12, maxiter=100)
        except (ValueError, PerfectSeparationWarning) as exc:
            raise StatsInputError(f"{formula!r}: the {family} model cannot be fitted ({exc})") from None
    if not fit.converged:
        raise StatsInputError(
            f"{formula!r}: the {family} model did not converge (perfect separation or too few events?)"
        )
    return np.asarray(fit.params), np.asarray(fit.fittedvalues)


def _weighted_least_squares(y: np.ndarray, x: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and fitted values of the weighted least-squares fit of ``y`` on ``x``.

    The Gaussian GLM's maximum (quasi-)likelihood estimate in one step: IRLS would solve this same
    problem again at every iteration, and its deviance test, at rounding level when n is large,
    could fail to see that nothing changes. Solved as least squares on the rows scaled by the
    square roots of the weights (LAPACK's SVD-based ``gelsd``), which is as stable as QR.
    """
    root = np.sqrt(weights / weights.mean())
    params = np.linalg.lstsq(x * root[:, None], y * root, rcond=None)[0]
    return params, x @ params


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
        column = require_column(design.data, x, role)
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

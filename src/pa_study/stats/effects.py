"""Programme effects: difference in means, regression adjustment, IPW, matching, AIPW and DiD.

The single entry point is :func:`program_effect`; it validates the data, dispatches on ``method``
and returns an :class:`EffectEstimate` carrying a covariate balance table and propensity-score
overlap diagnostics next to the estimate, and the minimum detectable effect of its standard error
(for reading a null).
"""

from __future__ import annotations

import dataclasses
import hashlib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import expit

from pa_study.stats._effects_linear import check_full_rank, check_full_rank_gram, demean_within, wls_robust
from pa_study.stats._effects_matching import matched_weights, psm_att
from pa_study.stats._effects_weighting import (
    FixedEffectsDesign,
    balancing_weights,
    batched_solve,
    bootstrap_effects,
    crossproducts,
    effect_with_influence,
    fit_logit,
    influence_variance,
    uses_propensity,
)
from pa_study.stats._errors import StatsInputError
from pa_study.stats._moments import weighted_mean, weighted_var
from pa_study.stats._results import Estimate, critical_value, minimum_detectable_effect
from pa_study.stats.survey import SurveyDesign

__all__ = ["METHODS", "EffectEstimate", "program_effect", "rows_in_levels_with_both_groups"]

#: Estimation methods accepted by :func:`program_effect`.
METHODS = ("diff", "ols", "ra", "ipw", "psm", "aipw", "did")
_ESTIMANDS = {
    "diff": ("att", "ate"),
    "ols": ("att", "ate"),
    "did": ("att",),
    "ra": ("att", "ate"),
    "ipw": ("att", "ate"),
    "aipw": ("att", "ate"),
    "psm": ("att",),
}
#: Methods that compare treated and control units within each fixed-effect level, so every level
#: needs both.
_WITHIN_LEVEL_METHODS = ("ra", "ipw", "aipw", "psm")


@dataclass(frozen=True)
class EffectEstimate(Estimate):
    """A programme-effect estimate with its balance and overlap diagnostics.

    Attributes
    ----------
    balance : pandas.DataFrame or None
        One row per covariate (index ``covariate``): ``mean_treated``, ``mean_control``, ``smd``,
        ``var_ratio`` on the (survey-weighted) raw sample (the domain's rows when a ``domain`` is
        given) and, for ``ipw``/``aipw``/``psm``, the same
        after weighting or matching with an ``_adj`` suffix.  ``smd`` is the difference in means over
        the raw pooled standard deviation ``sqrt((v_T + v_C) / 2)`` (the same denominator before and
        after adjustment, Austin 2009); ``var_ratio`` is ``v_T / v_C``.  ``None`` without covariates.
    overlap : pandas.DataFrame or None
        For the propensity-score methods, one row per group (``treated``, ``control``): ``n``,
        ``ps_min``, ``ps_max`` and ``n_off_support``, the units whose score lies outside the other
        group's range.  ``None`` for the other methods.

    Notes
    -----
    :meth:`to_dict` and :meth:`to_frame` give the scalar fields only (``extra`` merged in), one row.
    """

    balance: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    overlap: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Return the scalar fields and ``extra`` as a flat dict, leaving out the diagnostic tables."""
        row = {f.name: getattr(self, f.name) for f in fields(Estimate) if f.name != "extra"}
        row.update(self.extra)
        return row


@dataclass(frozen=True)
class _Spec:
    outcome: str
    treatment: str
    covariates: tuple[str, ...]
    method: str
    estimand: str
    weight: str | None
    cluster: str | None
    fixed_effects: tuple[str, ...]
    baseline_outcome: str | None
    domain: str | None
    caliper: float | None
    n_neighbors: int
    n_boot: int | None
    seed: int | None
    level: float


@dataclass(frozen=True)
class _Sample:
    y: np.ndarray
    d: np.ndarray
    X: np.ndarray
    w: np.ndarray
    cluster: np.ndarray | None
    fixed_effects: tuple[np.ndarray, ...]
    fixed_effect_levels: tuple[pd.Index, ...]
    domain: np.ndarray
    n_dropped: int


def program_effect(
    data: pd.DataFrame,
    *,
    outcome: str,
    treatment: str,
    covariates: Sequence[str] = (),
    method: str,
    estimand: str = "att",
    weight: str | None = None,
    cluster: str | None = None,
    fixed_effects: str | Sequence[str] | None = None,
    baseline_outcome: str | None = None,
    domain: str | None = None,
    caliper: float | None = None,
    n_neighbors: int = 1,
    n_boot: int | None = None,
    seed: int | None = None,
    level: float = 0.95,
) -> EffectEstimate:
    """Estimate the effect of a binary programme on an outcome.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (household).
    outcome, treatment : str
        Column names; ``treatment`` must be 0/1 (or boolean) with both values present.
    covariates : sequence of str
        Numeric columns entered exactly as given (linear terms, no added interactions or powers) in
        the outcome regression and in the propensity-score logit.  Dummy-code categories beforehand.
    method : {"diff", "ols", "ra", "ipw", "psm", "aipw", "did"}
        ``"diff"``: difference in (weighted) means, i.e. least squares of the outcome on treatment.
        ``"ols"``: additive regression, least squares of the outcome on treatment and covariates,
        optionally with ``fixed_effects``; the effect is the treatment coefficient, a
        conditional-variance-weighted average of effects, which is neither the ATT nor the ATE when
        effects vary (Angrist 1998, Econometrica 66(2); Słoczyński 2022, Rev. Econ. Stat. 104(3)).
        ``"ra"``: regression adjustment with separate (fully interacted) outcome models: weighted
        least squares of the outcome on the covariates within each arm, averaged over the target
        population (the treated for the ATT, whose own mean outcome is used as observed; Stata's
        ``teffects ra``; Imbens & Wooldridge 2009, J. Econ. Lit. 47(1), §5.3).
        ``"ipw"``: inverse probability weighting with normalised (Hajek) weights.  For the ATT the
        treated get weight 1 and controls ``p / (1 - p)``; for the ATE ``1 / p`` and ``1 / (1 - p)``;
        all multiplied by the survey weight.  ``p`` comes from a (survey-weighted) logit of treatment
        on an intercept and the covariates as given.
        ``"psm"``: nearest-neighbour matching on that propensity score, with replacement,
        ``n_neighbors`` matches (ties kept), optional ``caliper``; ATT only.  With ``weight`` each
        treated unit counts with its survey weight and its matches carry it (as
        ``Matching::Match(weights = )``), which estimates the population ATT; with
        ``fixed_effects`` matching is exact within the levels of the (single) fixed effect.
        ``"aipw"``: augmented IPW (doubly robust): the IPW weights above plus linear outcome models
        fitted by weighted least squares on the covariates within each arm (controls only for the
        ATT), as in Sant'Anna & Zhao (2020, J. Econometrics 219(1)) for the ATT.
        For ``ra``, ``ipw``, ``aipw`` and ``psm``, ``fixed_effects`` enter the propensity logit and
        the outcome models as dummy variables, and every level must hold treated and control units
        (restrict the data with :func:`rows_in_levels_with_both_groups`).
        ``"did"``: difference in differences for a two-period panel: least squares of
        ``outcome - baseline_outcome`` on treatment and the optional covariates and fixed effects,
        which equals the two-way fixed-effects estimate.  For a doubly robust DiD use
        ``method="aipw"`` on the change in the outcome.
    estimand : {"att", "ate"}
        Target of ``ipw`` and ``aipw``.  ``psm`` and ``did`` estimate the ATT only; for ``diff`` and
        ``ols`` the estimator does not depend on it and it is only recorded.
    weight : str, optional
        Survey (sampling) weight column; must be positive and non-missing.
    cluster : str, optional
        Cluster (PSU) column for cluster-robust inference; must be non-missing.
    fixed_effects : str or sequence of str, optional
        Categorical columns whose levels get their own intercepts (every method but ``diff``; one
        at most for ``psm``).  For ``ols`` and ``did`` the first is absorbed by the within
        transformation and further ones enter as dummy variables.
    baseline_outcome : str, optional
        Pre-programme outcome column; required by and only used for ``did``.
    domain : str, optional
        ``ra``, ``ipw`` and ``aipw`` only: a 0/1 column marking the subpopulation whose effect is
        wanted (e.g. registered households).  The propensity and outcome models are fitted on all
        rows and only the averages are taken over the domain, as survey domain estimation does;
        a grouping that is not a function of the covariates should be among them (as dummies).
    caliper : float, optional
        ``psm`` only: the largest allowed absolute propensity-score distance of a match (propensity
        units, as Stata's ``teffects psmatch, caliper()``; R's ``Matching`` counts in SDs).
    n_neighbors : int
        ``psm`` only: matches per treated unit.
    n_boot : int, optional
        ``ra``/``ipw``/``aipw`` only: replace the analytic standard error by a nonparametric bootstrap with
        this many replicates, resampling clusters when ``cluster`` is given and re-estimating the
        propensity score (and outcome models) in each replicate.
    seed : int, optional
        Seed of the bootstrap's random generator.
    level : float
        Confidence level of the interval.

    Returns
    -------
    EffectEstimate
        ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``n`` (units used), ``df``, plus
        ``balance`` and ``overlap`` tables and ``extra`` with ``method``, ``estimand``,
        ``se_method``, ``n_treated``, ``n_control``, ``n_clusters``, ``n_dropped_missing``, ``mde``
        (:func:`pa_study.stats.minimum_detectable_effect` at 80% power) and method-specific counts
        (``n_matched_treated``, ``n_off_support``, ``n_boot_failed``, ``n_domain_treated``, ...);
        for ``ra``, ``ipw`` and ``aipw`` with influence-function SEs also ``deff`` and
        ``n_effective`` (:func:`influence_design_effect`).

    Raises
    ------
    StatsInputError
        Empty data, unknown columns, a treatment that is not binary or is constant, non-numeric or
        collinear covariates, zero, negative or missing weights, missing cluster or fixed-effect
        values, perfect separation in the propensity logit (no common support), no treated unit
        within the caliper, or options that the method does not use.

    Warns
    -----
    UserWarning
        When rows with missing outcome, treatment, covariate or baseline values are dropped
        (listwise deletion, as R's ``lm`` and Stata do), and when bootstrap replicates fail.

    Notes
    -----
    Standard errors and confidence intervals:

    * ``diff``, ``ols``, ``did``: heteroskedasticity-robust HC1, or with ``cluster`` the CR1
      cluster-robust sandwich with the small-sample factor ``G/(G-1) (n-1)/(n-K)`` (Stata's
      ``regress [pw=w], vce(cluster c)``, R's ``sandwich::vcovCL(type = "HC1")``); absorbed fixed
      effects count in ``K`` as dummies would.  Intervals use the t distribution with ``n - K``
      (``G - 1`` with clusters) degrees of freedom.
    * ``ra``, ``ipw``, ``aipw``: the M-estimation sandwich of the stacked estimating equations (logit
      score, within-arm WLS normal equations, Hajek means), which accounts for the estimated
      propensity score and outcome models (Lunceford & Davidian 2004, Stat. Med. 23(19)).  It is
      computed from per-unit influence values summed within clusters, scaled by ``G / (G - 1)``
      (``n / (n - 1)`` without clusters), i.e. the linearisation variance R's ``survey`` package
      uses for a with-replacement first stage.  Intervals are normal, or t with ``G - 1`` degrees of
      freedom with clusters.  With ``n_boot`` the standard error is the bootstrap standard
      deviation and the interval is normal.
    * ``psm`` without weights, clusters or fixed effects: Abadie & Imbens (2006)
      heteroskedasticity-robust variance for the population ATT, with the conditional outcome
      variance estimated from 2 same-arm matches, as R's ``Matching::Match(Var.calc = 2)``; the
      propensity score is treated as known.  The bootstrap is not offered because it is invalid for
      matching with replacement (Abadie & Imbens 2008).
    * ``psm`` with ``weight``, ``cluster`` or ``fixed_effects``: the linearisation (cluster-robust)
      variance of the weighted difference in means of the matched sample, the matches held fixed
      and the propensity score treated as known, as R's ``survey::svyglm`` on the matched data with
      the matching weights (Ho, Imai, King & Stuart 2007, Political Analysis 15(3); the ``MatchIt``
      workflow); it leaves out the uncertainty of the matching itself.
    """
    spec = _make_spec(
        outcome=outcome,
        treatment=treatment,
        covariates=covariates,
        method=method,
        estimand=estimand,
        weight=weight,
        cluster=cluster,
        fixed_effects=fixed_effects,
        baseline_outcome=baseline_outcome,
        domain=domain,
        caliper=caliper,
        n_neighbors=n_neighbors,
        n_boot=n_boot,
        seed=seed,
        level=level,
    )
    sample = _prepare(data, spec)
    if spec.method in _WITHIN_LEVEL_METHODS:
        _check_levels_hold_both_groups(sample, spec)
    if spec.method in ("diff", "ols", "did"):
        return _regression_effect(sample, spec)
    if spec.method == "psm":
        return _matching_effect(sample, spec)
    return _weighting_effect(sample, spec)


# ---- specification and data checks -------------------------------------------------------------


def _make_spec(**kwargs: Any) -> _Spec:
    method, estimand = kwargs["method"], kwargs["estimand"]
    if method not in METHODS:
        raise StatsInputError(f"method must be one of {METHODS}, got {method!r}")
    if estimand not in _ESTIMANDS[method]:
        raise StatsInputError(f"method {method!r} estimates {' or '.join(_ESTIMANDS[method])}, not {estimand!r}")
    kwargs["fixed_effects"] = _as_names(kwargs["fixed_effects"])
    kwargs["covariates"] = _as_names(kwargs["covariates"])
    spec = _Spec(**kwargs)
    _check_options(spec)
    return spec


def _as_names(columns: str | Sequence[str] | None) -> tuple[str, ...]:
    """Accept one column name or several."""
    if columns is None:
        return ()
    return (columns,) if isinstance(columns, str) else tuple(columns)


def _check_options(spec: _Spec) -> None:
    """Refuse options the chosen method would silently ignore."""
    method = spec.method
    unsupported = {
        "baseline_outcome": spec.baseline_outcome is not None and method != "did",
        "fixed_effects": bool(spec.fixed_effects) and method == "diff",
        "more than one fixed effect": len(spec.fixed_effects) > 1 and method == "psm",
        "domain": spec.domain is not None and method not in ("ra", "ipw", "aipw"),
        "caliper": spec.caliper is not None and method != "psm",
        "n_neighbors": spec.n_neighbors != 1 and method != "psm",
        "n_boot": spec.n_boot is not None and method not in ("ra", "ipw", "aipw"),
    }
    bad = [name for name, flag in unsupported.items() if flag]
    if bad:
        raise StatsInputError(f"method {method!r} does not use {', '.join(bad)}")
    if method == "did" and spec.baseline_outcome is None:
        raise StatsInputError("method 'did' needs baseline_outcome")
    if not (isinstance(spec.n_neighbors, (int, np.integer)) and spec.n_neighbors >= 1):
        raise StatsInputError(f"n_neighbors must be a positive integer, got {spec.n_neighbors!r}")
    if spec.caliper is not None and not spec.caliper > 0:
        raise StatsInputError(f"caliper must be positive, got {spec.caliper!r}")
    if spec.n_boot is not None and not (isinstance(spec.n_boot, (int, np.integer)) and spec.n_boot >= 2):
        raise StatsInputError(f"n_boot must be an integer of at least 2, got {spec.n_boot!r}")
    if not 0 < spec.level < 1:
        raise StatsInputError(f"level must be between 0 and 1, got {spec.level!r}")


def _prepare(data: pd.DataFrame, spec: _Spec) -> _Sample:
    """Check the columns and return the complete-case sample as arrays."""
    if not isinstance(data, pd.DataFrame):
        raise StatsInputError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    analysis = [spec.outcome, spec.treatment, *spec.covariates]
    if spec.baseline_outcome is not None:
        analysis.append(spec.baseline_outcome)
    design = [c for c in (spec.weight, spec.cluster, *spec.fixed_effects, spec.domain) if c is not None]
    missing_cols = [c for c in dict.fromkeys(analysis + design) if c not in data.columns]
    if missing_cols:
        raise StatsInputError(f"column(s) not in data: {', '.join(map(repr, missing_cols))}")
    if len(data) == 0:
        raise StatsInputError("data is empty")
    for col in design:
        if data[col].isna().any():
            raise StatsInputError(f"design column {col!r} has {int(data[col].isna().sum())} missing value(s)")
    values = {col: _numeric_column(data, col) for col in dict.fromkeys(analysis)}
    complete = np.logical_and.reduce([~np.isnan(v) for v in values.values()])
    n_dropped = int((~complete).sum())
    if n_dropped:
        warnings.warn(
            f"dropped {n_dropped} of {len(data)} rows with missing {', '.join(analysis)} values",
            UserWarning,
            stacklevel=3,
        )
    if not complete.any():
        raise StatsInputError("no row has complete outcome, treatment and covariate values")
    d = _binary_treatment(values[spec.treatment][complete], spec.treatment)
    y = values[spec.outcome][complete]
    if spec.baseline_outcome is not None:
        y = y - values[spec.baseline_outcome][complete]
    X = np.column_stack([values[c][complete] for c in spec.covariates]) if spec.covariates else np.empty((len(y), 0))
    fixed = [pd.factorize(data[c][complete]) for c in spec.fixed_effects]
    domain = np.ones(d.shape[0]) if spec.domain is None else _domain(data, spec.domain, complete, d)
    return _Sample(
        y=y,
        d=d,
        X=X,
        w=_weights(data, spec.weight, complete),
        cluster=_clusters(data, spec.cluster, complete),
        fixed_effects=tuple(codes for codes, _ in fixed),
        fixed_effect_levels=tuple(pd.Index(levels) for _, levels in fixed),
        domain=domain,
        n_dropped=n_dropped,
    )


def _domain(data: pd.DataFrame, col: str, complete: np.ndarray, d: np.ndarray) -> np.ndarray:
    values = _numeric_column(data, col)[complete]
    if not np.isin(values, (0.0, 1.0)).all():
        raise StatsInputError(f"domain {col!r} must be 0/1 (or boolean)")
    n_treated, n_control = int((values * d).sum()), int((values * (1 - d)).sum())
    if n_treated < 2 or n_control < 2:
        raise StatsInputError(
            f"domain {col!r} needs at least 2 treated and 2 control units, found {n_treated} treated and "
            f"{n_control} control"
        )
    return values


def rows_in_levels_with_both_groups(data: pd.DataFrame, treatment: str, column: str) -> np.ndarray:
    """Return a boolean mask of the rows whose ``column`` level holds both treated and control rows.

    The comparisons within fixed-effect levels (``ra``, ``ipw``, ``aipw``, ``psm`` with
    ``fixed_effects``) need both groups in every level: a level without controls has no
    counterfactual for its treated, one without treated units contributes nothing and separates
    the propensity logit. Rows with a missing treatment or level are ``False``.
    """
    treated = pd.to_numeric(data[treatment], errors="coerce").astype(float)
    level = data[column]
    known = (treated.notna() & level.notna()).to_numpy(dtype=bool)
    # Each row's level's extremes by the built-in group reductions, aligned with the rows: a Python
    # function per level cost seconds for the thousand villages of a census county, and mapping
    # the levels back turned a million village names into Python strings.
    groups = pd.DataFrame({"level": level[known], "treated": treated[known]}).groupby("level", sort=False)["treated"]
    mask = np.zeros(len(data), dtype=bool)
    mask[known] = (groups.transform("min").to_numpy() == 0) & (groups.transform("max").to_numpy() == 1)
    return mask


def _check_levels_hold_both_groups(sample: _Sample, spec: _Spec) -> None:
    for col, codes, levels in zip(spec.fixed_effects, sample.fixed_effects, sample.fixed_effect_levels, strict=True):
        treated = np.bincount(codes, weights=sample.d, minlength=len(levels))
        total = np.bincount(codes, minlength=len(levels))
        lacking = [str(levels[i]) for i in range(len(levels)) if treated[i] == 0 or treated[i] == total[i]]
        if lacking:
            shown = ", ".join(lacking[:5]) + (", ..." if len(lacking) > 5 else "")
            raise StatsInputError(
                f"method {spec.method!r} compares treated and control units within the levels of {col!r}, "
                f"but {len(lacking)} level(s) hold only one group ({shown}); keep the rows that "
                "rows_in_levels_with_both_groups() marks"
            )


def _indicators(codes: np.ndarray, columns: int, *, drop_first: bool) -> sparse.csr_array:
    """Sparse rows x levels indicators of the level codes ``codes`` (without the first level's
    column when ``drop_first``): a census county's villages would make a dense matrix of gigabytes."""
    start = int(drop_first)
    rows = np.flatnonzero(codes >= start)
    return sparse.csr_array((np.ones(rows.size), (rows, codes[rows] - start)), shape=(codes.shape[0], columns))


def _dummies(sample: _Sample) -> sparse.csr_array:
    """Indicator columns of every fixed-effect level but each one's first (the intercept's), sparse."""
    columns = [
        _indicators(codes, len(levels) - 1, drop_first=True)
        for codes, levels in zip(sample.fixed_effects, sample.fixed_effect_levels, strict=True)
    ]
    return sparse.hstack(columns, format="csr")


def _dummy_names(spec: _Spec, sample: _Sample) -> list[str]:
    return [
        f"{col}[{level}]"
        for col, levels in zip(spec.fixed_effects, sample.fixed_effect_levels, strict=True)
        for level in levels[1:]
    ]


def _clusters(data: pd.DataFrame, col: str | None, complete: np.ndarray) -> np.ndarray | None:
    if col is None:
        return None
    codes = pd.factorize(data[col][complete])[0]
    if codes.max() < 1:
        raise StatsInputError(f"cluster column {col!r} has a single cluster; clustering needs at least 2")
    return codes


def _numeric_column(data: pd.DataFrame, col: str) -> np.ndarray:
    series = data[col]
    if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
        raise StatsInputError(f"column {col!r} must be numeric (dummy-code categories first), got dtype {series.dtype}")
    values = series.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(values).any():
        raise StatsInputError(f"column {col!r} has infinite values")
    return values


def _binary_treatment(d: np.ndarray, name: str) -> np.ndarray:
    levels = np.unique(d)
    if not np.isin(levels, (0.0, 1.0)).all():
        shown = ", ".join(f"{v:g}" for v in levels[:6]) + (", ..." if levels.size > 6 else "")
        raise StatsInputError(f"treatment {name!r} must be binary 0/1, found values {shown}")
    n_treated = int(d.sum())
    if n_treated < 2 or d.size - n_treated < 2:
        raise StatsInputError(
            f"treatment {name!r} needs at least 2 treated and 2 control units, "
            f"found {n_treated} treated and {d.size - n_treated} control"
        )
    return d


def _weights(data: pd.DataFrame, col: str | None, complete: np.ndarray) -> np.ndarray:
    if col is None:
        return np.ones(int(complete.sum()))
    w = _numeric_column(data, col)
    bad = int((w <= 0).sum())
    if bad:
        raise StatsInputError(f"weight column {col!r} has {bad} zero or negative value(s); weights must be positive")
    return w[complete]


# ---- estimators --------------------------------------------------------------------------------


def _regression_effect(sample: _Sample, spec: _Spec) -> EffectEstimate:
    names = [spec.treatment] + (list(spec.covariates) if spec.method != "diff" else [])
    regressors = np.column_stack([sample.d, sample.X]) if spec.method != "diff" else sample.d[:, None]
    y, absorbed, what = sample.y, 0, "regression design"
    if sample.fixed_effects:
        y, regressors = _absorbed(sample, spec, y, regressors)
        # Every level of the first fixed effect and all but one of each further one's.
        absorbed = sum(len(levels) for levels in sample.fixed_effect_levels) - (len(sample.fixed_effects) - 1)
        what = f"regression design after absorbing fixed effects {', '.join(map(repr, spec.fixed_effects))}"
        position = 0
    else:
        regressors = np.column_stack([np.ones(y.shape[0]), regressors])
        names = ["(intercept)", *names]
        position = 1
    fit = wls_robust(
        y,
        regressors,
        sample.w,
        names=names,
        cluster=sample.cluster,
        absorbed_levels=absorbed,
        what=what,
    )
    estimate, se = float(fit.coef[position]), float(np.sqrt(fit.vcov[position, position]))
    return _result(
        spec,
        sample,
        estimate,
        se,
        df=float(fit.df),
        extra={"se_method": fit.se_method},
        balance=_balance_table(sample, spec, adjusted=None),
    )


def _absorbed(sample: _Sample, spec: _Spec, y: np.ndarray, regressors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The outcome and regressors with the fixed effects' intercepts partialled out by weighted
    least squares (Frisch-Waugh-Lovell): the same coefficients and residuals as with dummy columns.

    One fixed effect is the within transformation. Further ones are partialled out together with it
    through the sparse dummies ``[further effects' dummies, first effect's indicators]``, whose
    cross-product is solved through its diagonal block (the first effect's levels), so memory stays
    O(rows x regressors + levels^2) where dense dummies took rows x levels.
    """
    codes = sample.fixed_effects[0]
    if len(sample.fixed_effects) == 1:
        return demean_within(y[:, None], sample.w, codes)[:, 0], demean_within(regressors, sample.w, codes)
    first = _indicators(codes, int(codes.max()) + 1, drop_first=False)
    further = _dummies(
        dataclasses.replace(
            sample, fixed_effects=sample.fixed_effects[1:], fixed_effect_levels=sample.fixed_effect_levels[1:]
        )
    )
    design = sparse.hstack([further, first], format="csr")
    gram = crossproducts(design, sample.w[None, :])[0]
    # Checked in the order the effects were given, so a further effect nested in the first is named.
    order = np.r_[further.shape[1] : gram.shape[0], : further.shape[1]]
    names = [
        *(f"{spec.fixed_effects[0]}[{level}]" for level in sample.fixed_effect_levels[0]),
        *_dummy_names(spec, sample)[len(sample.fixed_effect_levels[0]) - 1 :],
    ]
    check_full_rank_gram(gram[np.ix_(order, order)], names, "fixed effects")
    values = np.column_stack([y, regressors])
    rhs = (design.T @ (values * sample.w[:, None])).T
    coef = batched_solve(np.broadcast_to(gram, (rhs.shape[0], *gram.shape)), rhs)
    residual = values - design @ coef.T
    return residual[:, 0], residual[:, 1:]


def _model_matrix(sample: _Sample, spec: _Spec) -> np.ndarray | FixedEffectsDesign:
    """The propensity and outcome models' design ``[1, X, fixed-effect dummies]``, checked for full
    rank: dense without fixed effects, the dummies sparse beside the dense columns with them (the
    models' cross-products are then O(rows x covariates + levels^2) in memory, not rows x levels)."""
    Z = np.column_stack([np.ones(sample.y.shape[0]), sample.X])
    names = ["(intercept)", *spec.covariates, *_dummy_names(spec, sample)]
    what = "propensity-score and outcome models"
    if not sample.fixed_effects:
        check_full_rank(Z * np.sqrt(sample.w)[:, None], names, what)
        return Z
    design = FixedEffectsDesign(Z, _dummies(sample))
    check_full_rank_gram(crossproducts(design, sample.w[None, :])[0], names, what)
    return design


#: The last converged propensity logit's coefficients by :func:`_logit_digest` of its inputs. The
#: estimates of one analysis sample share the logit (both outcomes of a specification; ``ipw``,
#: ``aipw`` and ``psm``; every group of a split, which differ in their domain only), and a fit costs
#: a second or more at a census county's size, where the digest costs some tens of milliseconds.
_LAST_LOGIT: dict[bytes, np.ndarray] = {}


def _logit_digest(Z: np.ndarray | FixedEffectsDesign, d: np.ndarray, w: np.ndarray) -> bytes:
    """SHA-256 of the propensity logit's inputs: every value, shape and type of the design (its
    dense block and dummies), the treatment and the weights."""
    parts = [Z] if isinstance(Z, np.ndarray) else [Z.dense, Z.dummies.indptr, Z.dummies.indices, Z.dummies.data]
    digest = hashlib.sha256(repr(Z.shape).encode())
    for part in (*parts, d, w):
        array = np.ascontiguousarray(part)
        digest.update(f"{array.dtype}{array.shape}".encode())
        digest.update(memoryview(array).cast("B"))
    return digest.digest()


def _propensity(sample: _Sample, spec: _Spec, Z: np.ndarray | FixedEffectsDesign) -> tuple[np.ndarray, np.ndarray]:
    """Fit the propensity logit on ``Z`` (or take the last fit, when its inputs were the same);
    return its coefficients and scores."""
    key = _logit_digest(Z, sample.d, sample.w)
    if key not in _LAST_LOGIT:
        gamma, converged = fit_logit(Z, sample.d, sample.w[None, :])
        terms = list(spec.covariates) + ([f"fixed effects {list(spec.fixed_effects)}"] if spec.fixed_effects else [])
        if not converged[0]:
            raise StatsInputError(
                f"the propensity-score logit of {spec.treatment!r} on {terms} did not converge: "
                "the covariates (nearly) perfectly separate treated from control units, so there is no "
                "common support for some of them; restrict the sample or simplify the covariates"
            )
        _LAST_LOGIT.clear()
        _LAST_LOGIT[key] = gamma[0]
    coefficients = _LAST_LOGIT[key].copy()
    ps = expit(Z @ coefficients)
    extreme = int(((ps == 0.0) | (ps == 1.0)).sum())
    if extreme:
        raise StatsInputError(
            f"{extreme} propensity score(s) are numerically 0 or 1, so their units have no counterparts "
            "in the other group (no common support); restrict the sample or simplify the covariates"
        )
    return coefficients, ps


def _weighting_effect(sample: _Sample, spec: _Spec) -> EffectEstimate:
    Z = _model_matrix(sample, spec)
    gamma = _propensity(sample, spec, Z)[0] if uses_propensity(spec.method) else None
    options = {"estimand": spec.estimand, "method": spec.method, "domain": sample.domain}
    fit = effect_with_influence(sample.y, sample.d, Z, sample.w, gamma, **options)
    extra: dict[str, Any] = {}
    if spec.domain is not None:
        extra |= {
            "domain": spec.domain,
            "n_domain_treated": int((sample.domain * sample.d).sum()),
            "n_domain_control": int((sample.domain * (1 - sample.d)).sum()),
        }
    if spec.n_boot is None:
        se = np.sqrt(influence_variance(fit.influence, sample.cluster))
        n_clusters = _n_clusters(sample)
        df = None if n_clusters is None else float(n_clusters - 1)
        extra["se_method"] = "influence function" + (" (clustered)" if sample.cluster is not None else "")
        extra |= influence_design_effect(fit.influence, sample.w, sample.cluster)
    else:
        draws, n_failed = bootstrap_effects(
            sample.y,
            sample.d,
            Z,
            sample.w,
            gamma,
            **options,
            cluster=sample.cluster,
            n_boot=spec.n_boot,
            seed=spec.seed,
        )
        if draws.shape[0] < 2:
            raise StatsInputError(f"only {draws.shape[0]} of {spec.n_boot} bootstrap replicates could be estimated")
        if n_failed:
            warnings.warn(
                f"{n_failed} of {spec.n_boot} bootstrap replicates failed (logit did not converge or an arm "
                "was empty) and were dropped",
                UserWarning,
                stacklevel=3,
            )
        se, df = float(np.std(draws, ddof=1)), None
        extra.update(
            se_method="bootstrap" + (" (clusters)" if sample.cluster is not None else ""),
            n_boot=spec.n_boot,
            n_boot_failed=n_failed,
        )
    overlap, adjusted = None, None
    if fit.ps is not None:
        overlap = _overlap_table(fit.ps, sample.d)
        extra["n_off_support"] = int(overlap["n_off_support"].sum())
        adjusted = balancing_weights(fit.ps, sample.d, sample.w, spec.estimand)
    return _result(
        spec,
        sample,
        fit.estimate,
        float(se),
        df=df,
        extra=extra,
        balance=_balance_table(sample, spec, adjusted=adjusted),
        overlap=overlap,
    )


def influence_design_effect(phi: np.ndarray, w: np.ndarray, cluster: np.ndarray | None) -> dict[str, float]:
    """Return ``deff`` and ``n_effective`` of an estimator whose variance is that of the sum of its
    influence values ``phi`` over clusters sampled with replacement (units without ``cluster``).

    ``deff`` is that variance over the variance the same estimator would have under simple random
    sampling with replacement of as many units: :meth:`SurveyDesign.linearized` with
    ``deff="replace"`` on a one-stage design of the weights ``w`` and ``cluster`` as PSUs, i.e. the
    SRS variance of the estimated total of the unweighted influence values ``phi / w`` (R's
    ``deff = "replace"``; Stata's ``estat effects`` compares with sampling without replacement, which
    this cluster-robust variance, having no finite-population correction, does not use either).
    Units outside a ``domain`` enter with zero influence, so the comparison is with simple random
    sampling of the whole sample (Stata's default, not ``srssubpop``). ``n_effective = n / deff``.
    """
    frame = pd.DataFrame({"_w": w} if cluster is None else {"_w": w, "_cluster": cluster})
    design = SurveyDesign(frame, weight="_w", psu=None if cluster is None else "_cluster")
    linear = design.linearized("effect", 0.0, phi, n=int(phi.shape[0]), deff="replace")
    return {"deff": float(linear.extra["deff"]), "n_effective": float(linear.extra["n_effective"])}


def _matching_effect(sample: _Sample, spec: _Spec) -> EffectEstimate:
    n_control = int((sample.d == 0).sum())
    if spec.n_neighbors > n_control:
        raise StatsInputError(f"n_neighbors={spec.n_neighbors} exceeds the {n_control} control units")
    _, ps = _propensity(sample, spec, _model_matrix(sample, spec))
    extra: dict[str, Any] = {"n_neighbors": spec.n_neighbors, "caliper": spec.caliper}
    if spec.weight is None and spec.cluster is None and not spec.fixed_effects:
        fit = psm_att(sample.y, sample.d, ps, n_neighbors=spec.n_neighbors, caliper=spec.caliper)
        adjusted = np.where(sample.d == 1, fit.treated_matched.astype(float), 0.0)
        adjusted[sample.d == 0] = fit.control_weight
        estimate, se, df = fit.estimate, fit.se, None
        extra["se_method"] = "Abadie-Imbens (2006)"
    else:
        groups = sample.fixed_effects[0] if sample.fixed_effects else None
        adjusted = matched_weights(sample.d, ps, sample.w, groups, n_neighbors=spec.n_neighbors, caliper=spec.caliper)
        estimate, se = _matched_difference(sample.y, sample.d, adjusted, sample.cluster)
        n_clusters = _n_clusters(sample)
        df = None if n_clusters is None else float(n_clusters - 1)
        extra["se_method"] = "linearisation of the matched sample" + (
            " (clustered)" if sample.cluster is not None else ""
        )
        if spec.fixed_effects:
            extra["exact_on"] = spec.fixed_effects[0]
    overlap = _overlap_table(ps, sample.d)
    n_matched = int((adjusted[sample.d == 1] > 0).sum())
    extra |= {
        "n_matched_treated": n_matched,
        "n_unmatched_treated": int((sample.d == 1).sum()) - n_matched,
        "n_off_support": int(overlap["n_off_support"].sum()),
    }
    return _result(
        spec,
        sample,
        estimate,
        se,
        df=df,
        extra=extra,
        balance=_balance_table(sample, spec, adjusted=adjusted),
        overlap=overlap,
    )


def _matched_difference(
    y: np.ndarray, d: np.ndarray, weights: np.ndarray, cluster: np.ndarray | None
) -> tuple[float, float]:
    """Weighted difference of the arms' means in the matched sample and its linearisation SE.

    The influence value of unit ``i`` in arm ``g`` is ``± a_i (y_i - ybar_g) / A_g``; their cluster
    totals give ``G/(G-1) sum_g t_g^2``, the with-replacement PSU variance of ``svyglm``.
    """
    phi = np.zeros_like(y)
    estimate = 0.0
    for arm, sign in ((1, 1.0), (0, -1.0)):
        a = weights * (d == arm)
        mean = float(a @ y / a.sum())
        estimate += sign * mean
        phi += sign * a * (y - mean) / a.sum()
    return estimate, float(np.sqrt(influence_variance(phi, cluster)))


def _n_clusters(sample: _Sample) -> int | None:
    return None if sample.cluster is None else int(sample.cluster.max()) + 1


# ---- diagnostics and result --------------------------------------------------------------------


def _balance_table(sample: _Sample, spec: _Spec, *, adjusted: np.ndarray | None) -> pd.DataFrame | None:
    """Standardised mean differences and variance ratios, raw and (optionally) after adjustment,
    over the domain's rows."""
    if not spec.covariates:
        return None
    in_domain = sample.domain == 1
    treated, control = (sample.d == 1) & in_domain, (sample.d == 0) & in_domain
    X, w = sample.X, sample.w
    var_t, var_c = weighted_var(X[treated], w[treated]), weighted_var(X[control], w[control])
    scale = np.sqrt((var_t + var_c) / 2.0)
    columns = _balance_columns(X, treated, control, w, scale, suffix="")
    if adjusted is not None:
        used = adjusted > 0
        columns |= _balance_columns(X, treated & used, control & used, adjusted, scale, suffix="_adj")
    return pd.DataFrame(columns, index=pd.Index(list(spec.covariates), name="covariate"))


def _balance_columns(
    X: np.ndarray,
    treated: np.ndarray,
    control: np.ndarray,
    w: np.ndarray,
    scale: np.ndarray,
    *,
    suffix: str,
) -> dict[str, np.ndarray]:
    mean_t, mean_c = weighted_mean(X[treated], w[treated]), weighted_mean(X[control], w[control])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = weighted_var(X[treated], w[treated]) / weighted_var(X[control], w[control])
        smd = (mean_t - mean_c) / scale
    return {
        f"mean_treated{suffix}": mean_t,
        f"mean_control{suffix}": mean_c,
        f"smd{suffix}": smd,
        f"var_ratio{suffix}": ratio,
    }


def _overlap_table(ps: np.ndarray, d: np.ndarray) -> pd.DataFrame:
    """Propensity-score range per group and the units outside the other group's range."""
    rows = {}
    for label, own, other in (("treated", d == 1, d == 0), ("control", d == 0, d == 1)):
        lo, hi = ps[other].min(), ps[other].max()
        rows[label] = {
            "n": int(own.sum()),
            "ps_min": float(ps[own].min()),
            "ps_max": float(ps[own].max()),
            "n_off_support": int(((ps[own] < lo) | (ps[own] > hi)).sum()),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("group")


def _result(
    spec: _Spec,
    sample: _Sample,
    estimate: float,
    se: float,
    *,
    df: float | None,
    extra: dict[str, Any],
    balance: pd.DataFrame | None,
    overlap: pd.DataFrame | None = None,
) -> EffectEstimate:
    if not (np.isfinite(estimate) and np.isfinite(se)):
        raise StatsInputError(f"{spec.method} produced a non-finite estimate or standard error; check the data")
    quantile = critical_value(spec.level, df)
    n_treated = int(sample.d.sum())
    extra = {"mde": minimum_detectable_effect(se, spec.level, df), **extra}
    outcome = spec.outcome if spec.baseline_outcome is None else f"{spec.outcome} - {spec.baseline_outcome}"
    return EffectEstimate(
        name=f"{spec.estimand}[{spec.method}]({outcome} ~ {spec.treatment})",
        estimate=estimate,
        se=se,
        ci_low=float(estimate - quantile * se),
        ci_high=float(estimate + quantile * se),
        n=int(sample.y.shape[0]),
        df=df,
        level=spec.level,
        extra={
            "method": spec.method,
            "estimand": spec.estimand,
            "n_treated": n_treated,
            "n_control": int(sample.y.shape[0]) - n_treated,
            "n_clusters": _n_clusters(sample),
            "n_dropped_missing": sample.n_dropped,
            **extra,
        },
        balance=balance,
        overlap=overlap,
    )

"""Sensitivity of a regression coefficient to an omitted confounder (Cinelli and Hazlett 2020).

How strong would a confounder left out of ``y ~ d + X`` have to be to change the conclusion
about ``d``? Cinelli and Hazlett express the bias in partial R^2: the share of the residual
variance of the treatment (``R2_{D~Z|X}``) and of the outcome (``R2_{Y~Z|D,X}``) the confounder
``Z`` would explain. Everything follows from the coefficient's t statistic and the residual
degrees of freedom, plus - to make "strong" concrete - bounds on ``Z`` as ``k`` times as strong
as an observed covariate.

Why by hand: PySensemakr (0.0.8) does not run on pandas 3 and handles neither weights nor
patsy formulas; the statistics are closed-form. The data set of the paper's example is stored as
a test fixture; tests check the paper's figures.

References
----------
Cinelli, C. and Hazlett, C. (2020). Making sense of sensitivity: extending omitted variable bias.
Journal of the Royal Statistical Society B 82(1), 39-67.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import patsy
from scipy import linalg

from pa_study.stats._effects_linear import demean_within
from pa_study.stats._errors import StatsInputError
from pa_study.stats._results import critical_value


@dataclass(frozen=True)
class SensitivityResult:
    """Sensitivity statistics of one coefficient; see :func:`omitted_variable_sensitivity`.

    Attributes
    ----------
    treatment : str
        The coefficient's term.
    estimate, se, t : float
        The coefficient, its (model-based) standard error and t statistic.
    df : int
        Residual degrees of freedom.
    partial_r2 : float
        ``R2_{Y~D|X}``: share of the outcome's residual variance the treatment explains; a
        confounder explaining all of the outcome's residual variance would need at least this
        partial R^2 with the treatment to remove the estimate.
    robustness_value : float
        ``RV_q``: the partial R^2 a confounder would need with *both* treatment and outcome to
        reduce the estimate by ``100 q`` percent.
    robustness_value_alpha : float
        ``RV_{q,alpha}``: the same for making the estimate's ``1 - alpha`` interval include the
        reduced value (0 when it does already).
    q, alpha : float
    bounds : pandas.DataFrame
        One row per benchmark and multiple: ``benchmark``, ``kd``, ``ky``, ``r2dz_x``,
        ``r2yz_dx``, ``adjusted_estimate``, ``adjusted_se``, ``adjusted_t``,
        ``adjusted_ci_low``, ``adjusted_ci_high`` and ``r2yz_dx_capped`` (True where the implied
        bound exceeded 1 and was set to 1, as sensemakr does).
    n : int
        Observations in the fit.
    left_out : tuple of (str, float, str)
        With ``skip_impossible``: the ``(benchmark, kd, reason)`` of each multiple left out of
        :attr:`bounds` because it implies an impossible confounder.
    """

    treatment: str
    estimate: float
    se: float
    t: float
    df: int
    partial_r2: float
    robustness_value: float
    robustness_value_alpha: float
    q: float
    alpha: float
    bounds: pd.DataFrame
    n: int
    left_out: tuple[tuple[str, float, str], ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The headline statistics as a one-row table (the bounds are in :attr:`bounds`)."""
        fields = ("treatment", "estimate", "se", "t", "df", "partial_r2", "robustness_value")
        row = {name: getattr(self, name) for name in fields}
        row.update(robustness_value_alpha=self.robustness_value_alpha, q=self.q, alpha=self.alpha, n=self.n)
        return pd.DataFrame([row])


def omitted_variable_sensitivity(
    data: pd.DataFrame,
    formula: str,
    treatment: str,
    benchmark_covariates: Sequence[str | Sequence[str]] = (),
    kd: float | Sequence[float] = (1.0, 2.0, 3.0),
    ky: float | Sequence[float] | None = None,
    weights: str | None = None,
    *,
    absorb: str | None = None,
    q: float = 1.0,
    alpha: float = 0.05,
    reduce: bool = True,
    skip_impossible: bool = False,
) -> SensitivityResult:
    """Cinelli-Hazlett sensitivity of an OLS (or WLS) coefficient to an omitted confounder.

    Parameters
    ----------
    data : pandas.DataFrame
        The data.
    formula : str
        Patsy formula of the outcome model, e.g. ``"y ~ d + age + C(village)"``; rows with a
        missing model variable are dropped.
    treatment : str
        The term whose coefficient is examined (a column of the model matrix, e.g. ``"d"``).
    benchmark_covariates : sequence
        Observed covariates to benchmark the confounder against: each a model-matrix column, or
        a sequence of columns taken together (e.g. all dummies of a factor).
    kd, ky : float or sequence of float
        The confounder is taken to explain ``kd`` times as much residual variance of the
        treatment, and ``ky`` times as much of the outcome (default ``ky = kd``), as the benchmark.
    weights : str, optional
        Column of weights: the fit is weighted least squares and all statistics are those of the
        weighted fit, whose algebra is the same (Cinelli and Hazlett's results hold for any
        least-squares fit); the standard errors are model-based, not design-based.
    absorb : str, optional
        Column whose levels get their own intercepts, as ``+ C(absorb)`` in ``formula`` would give
        them, but absorbed by (weighted) demeaning within the levels instead of as dummy columns
        (Frisch-Waugh-Lovell): the same estimates, residuals, standard errors, partial R^2 and
        bounds, with the levels counted in the residual degrees of freedom, in time and memory
        linear in the rows (the dummies made a rows x levels matrix: minutes for a census county's
        villages). Rows with a missing ``absorb`` are dropped as a missing model variable is.
    q : float
        Fraction of the estimate to explain away (1: all of it).
    alpha : float
        Significance level of ``robustness_value_alpha`` and of the adjusted intervals.
    reduce : bool
        Bias towards zero (True, the usual question) or away from it.
    skip_impossible : bool
        Leave out of the bounds a ``kd`` that implies a confounder explaining all of the treatment's
        residual variance, and list it in :attr:`SensitivityResult.left_out`, instead of raising:
        the other benchmarks and multiples are still bounded from the one fit.

    Returns
    -------
    SensitivityResult

    Raises
    ------
    StatsInputError
        The treatment or a benchmark is not a model-matrix column, the model is rank deficient,
        or a ``kd`` implies a confounder explaining all of the treatment's residual variance (unless
        ``skip_impossible``).

    References
    ----------
    Cinelli and Hazlett (2020), sections 4-6: partial R^2 (eq. 17), robustness values (eqs. 18-19),
    bounds from observed covariates (section 6.1) and the adjusted estimate and SE (eqs. 10-11).
    """
    y, x, w, absorbed = _model(data, formula, weights, absorb)
    columns = list(x.columns)
    if treatment not in columns:
        raise StatsInputError(f"treatment {treatment!r} is not a term of {formula!r}; terms are {columns}")
    if not 0 < alpha < 1 or not q > 0:
        raise StatsInputError(f"alpha must be in (0, 1) and q positive, got alpha={alpha!r}, q={q!r}")
    fit = _ols(y, x.to_numpy(), w, absorbed)
    j = columns.index(treatment)
    estimate, se, df = fit.coef[j], fit.se[j], fit.df
    t = estimate / se
    kds = np.atleast_1d(np.asarray(kd, dtype=float))
    kys = kds if ky is None else np.broadcast_to(np.atleast_1d(np.asarray(ky, dtype=float)), kds.shape)
    rows, left_out = [], []
    for benchmark in benchmark_covariates:
        group = [benchmark] if isinstance(benchmark, str) else list(benchmark)
        missing = [c for c in group if c not in columns or c == treatment]
        if missing:
            raise StatsInputError(
                f"benchmark covariate(s) {missing} are not covariates of {formula!r}; terms are {columns}"
            )
        others = [c for c in columns if c != treatment]
        r2yxj_dx = _partial_r2(y, x, w, group, fit)
        r2dxj_x = _partial_r2(x[treatment].to_numpy(), x[others], w, group, None)
        name = "+".join(group)
        for kd_value, ky_value in zip(kds, kys, strict=True):
            try:
                rows.append(_bound(name, kd_value, ky_value, r2dxj_x, r2yxj_dx, estimate, se, df, alpha, reduce))
            except StatsInputError as exc:
                if not skip_impossible:
                    raise
                left_out.append((name, float(kd_value), str(exc)))
    return SensitivityResult(
        treatment=treatment,
        estimate=float(estimate),
        se=float(se),
        t=float(t),
        df=int(df),
        partial_r2=float(t**2 / (t**2 + df)),
        robustness_value=_robustness_value(t, df, q, None),
        robustness_value_alpha=_robustness_value(t, df, q, alpha),
        q=q,
        alpha=alpha,
        bounds=pd.DataFrame(rows, columns=_BOUND_COLUMNS),
        n=len(y),
        left_out=tuple(left_out),
    )


_BOUND_COLUMNS = [
    "benchmark",
    "kd",
    "ky",
    "r2dz_x",
    "r2yz_dx",
    "adjusted_estimate",
    "adjusted_se",
    "adjusted_t",
    "adjusted_ci_low",
    "adjusted_ci_high",
    "r2yz_dx_capped",
]


@dataclass(frozen=True)
class _Fit:
    coef: np.ndarray
    se: np.ndarray
    df: int
    rss: float


def _model(
    data: pd.DataFrame, formula: str, weights: str | None, absorb: str | None
) -> tuple[np.ndarray, pd.DataFrame, np.ndarray, int]:
    """The response, model matrix and weights of ``formula`` (demeaned within the levels of
    ``absorb``, without the intercept it absorbs), and the number of levels absorbed."""
    if not isinstance(data, pd.DataFrame) or len(data) == 0:
        raise StatsInputError("data must be a non-empty pandas DataFrame")
    frame = data
    for role, column in (("weights", weights), ("absorb", absorb)):
        if column is not None:
            if column not in data.columns:
                raise StatsInputError(f"{role} column {column!r} is not in the data")
            frame = frame[frame[column].notna()]
    try:
        y, x = patsy.dmatrices(formula, frame, return_type="dataframe", NA_action="drop")
    except patsy.PatsyError as exc:
        raise StatsInputError(f"cannot build the model {formula!r}: {exc}") from None
    if y.shape[1] != 1:
        raise StatsInputError(f"the response of {formula!r} must be a single numeric column")
    w = np.ones(len(y)) if weights is None else frame.loc[y.index, weights].to_numpy(dtype=float)
    if not (np.isfinite(w).all() and (w > 0).all()):
        raise StatsInputError(f"weights column {weights!r} must be positive and finite")
    response = y.iloc[:, 0].to_numpy(dtype=float)
    absorbed = 0
    if absorb is not None:
        codes, levels = pd.factorize(frame.loc[y.index, absorb])
        absorbed = len(levels)
        x = x.drop(columns=[c for c in x.columns if c == "Intercept"])
        response = demean_within(response[:, None], w, codes)[:, 0]
        x = pd.DataFrame(demean_within(x.to_numpy(dtype=float), w, codes), columns=x.columns, index=x.index)
    if len(y) <= x.shape[1] + absorbed + 1:
        raise StatsInputError(f"{formula!r}: {len(y)} complete rows for {x.shape[1] + absorbed} terms")
    return response, x, w, absorbed


def _ols(y: np.ndarray, x: np.ndarray, w: np.ndarray, absorbed: int = 0) -> _Fit:
    """Weighted least squares through the Cholesky factor of ``X'WX`` (``absorbed``: levels whose
    intercepts were demeaned out of ``y`` and ``x``, counted in the residual degrees of freedom).

    The normal equations rather than a QR or SVD of ``X``: with hundreds of fixed-effect dummies
    LAPACK's QR is 20-100 times slower on a busy machine, and the dummies keep ``X'WX`` well
    conditioned; the residuals are recomputed from ``X`` so the sums of squares do not cancel.
    """
    xw = x * w[:, None]
    gram = x.T @ xw
    scale = np.sqrt(np.diag(gram))
    if not (scale > 0).all():
        raise StatsInputError("the model matrix is rank deficient (a column of zeros or an empty factor level)")
    try:
        factor = linalg.cho_factor(gram / np.outer(scale, scale))
    except linalg.LinAlgError:
        raise StatsInputError("the model matrix is rank deficient (collinear terms or an empty factor level)") from None
    if np.diag(factor[0]).min() < 1e-7:
        raise StatsInputError("the model matrix is rank deficient (collinear terms or an empty factor level)")
    coef = linalg.cho_solve(factor, (xw.T @ y) / scale) / scale
    residual = y - x @ coef
    df = len(y) - x.shape[1] - absorbed
    rss = float(residual @ (w * residual))
    inverse = linalg.cho_solve(factor, np.eye(len(scale))) / np.outer(scale, scale)
    return _Fit(coef, np.sqrt(rss / df * np.diag(inverse)), df, rss)


def _partial_r2(y: np.ndarray, x: pd.DataFrame, w: np.ndarray, group: list[str], full: _Fit | None) -> float:
    """Partial R^2 of the ``group`` columns: the share of the residual sum of squares they remove."""
    full = _ols(y, x.to_numpy(), w) if full is None else full
    restricted = _ols(y, x.drop(columns=group).to_numpy(), w)
    return (restricted.rss - full.rss) / restricted.rss


def _robustness_value(t: float, df: int, q: float, alpha: float | None) -> float:
    """Robustness value ``RV_q`` (``alpha`` None) or ``RV_{q,alpha}`` (Cinelli and Hazlett 2020, eqs. 18-19)."""
    f_q = q * abs(t) / np.sqrt(df)
    if alpha is None:
        return float(0.5 * (np.sqrt(f_q**4 + 4 * f_q**2) - f_q**2))
    f_crit = critical_value(1 - alpha, df - 1) / np.sqrt(df - 1)
    f_qa = f_q - f_crit
    if f_qa <= 0:
        return 0.0
    if f_q > 1 / f_crit:
        # The constraint R2_{D~Z|X} <= 1 binds: the extreme-confounder solution (sensemakr >= 0.1.4).
        return float((f_q**2 - f_crit**2) / (1 + f_q**2))
    return float(0.5 * (np.sqrt(f_qa**4 + 4 * f_qa**2) - f_qa**2))


def _bound(
    name: str,
    kd: float,
    ky: float,
    r2dxj_x: float,
    r2yxj_dx: float,
    estimate: float,
    se: float,
    df: int,
    alpha: float,
    reduce: bool,
) -> dict:
    """Bounds on a confounder ``kd`` / ``ky`` times as strong as a benchmark (section 6.1)."""
    r2dz_x = kd * r2dxj_x / (1 - r2dxj_x)
    r2zxj_xd = kd * r2dxj_x**2 / ((1 - kd * r2dxj_x) * (1 - r2dxj_x))
    if r2dz_x >= 1 or r2zxj_xd >= 1:
        raise StatsInputError(
            f"kd={kd:g} times benchmark {name!r} (partial R2 with the treatment {r2dxj_x:.3g}) implies a "
            "confounder explaining all the treatment's residual variance; use a smaller kd"
        )
    r2yz_dx = ((np.sqrt(ky) + np.sqrt(r2zxj_xd)) / np.sqrt(1 - r2zxj_xd)) ** 2 * (r2yxj_dx / (1 - r2yxj_dx))
    capped = bool(r2yz_dx > 1)
    r2yz_dx = min(r2yz_dx, 1.0)
    bias = se * np.sqrt(r2yz_dx * r2dz_x / (1 - r2dz_x) * df)
    adjusted = np.sign(estimate) * (abs(estimate) - bias if reduce else abs(estimate) + bias)
    adjusted_se = se * np.sqrt((1 - r2yz_dx) / (1 - r2dz_x) * df / (df - 1))
    half = critical_value(1 - alpha, df - 1) * adjusted_se
    return {
        "benchmark": name,
        "kd": float(kd),
        "ky": float(ky),
        "r2dz_x": float(r2dz_x),
        "r2yz_dx": float(r2yz_dx),
        "adjusted_estimate": float(adjusted),
        "adjusted_se": float(adjusted_se),
        "adjusted_t": float(adjusted / adjusted_se) if adjusted_se > 0 else np.nan,
        "adjusted_ci_low": float(adjusted - half),
        "adjusted_ci_high": float(adjusted + half),
        "r2yz_dx_capped": capped,
    }

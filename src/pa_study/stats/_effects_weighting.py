"""Propensity-score logit and the IPW, AIPW and regression-adjustment estimators, with influence
functions and bootstrap.

Everything here works on plain arrays; validation and result assembly live in
:mod:`pa_study.stats.effects`.  The logit and the point estimators are batched over a
``(B, n)`` matrix of unit weights so that bootstrap replicates are computed together.

Notation: ``Z`` is the design matrix ``[1, X]`` (n x k), ``d`` the 0/1 treatment, ``w`` survey weights,
``s`` the 0/1 domain (subpopulation) whose effect is wanted (all ones for the whole sample).
Each arm's mean potential outcome is a Hajek (normalised) weighted mean with weight ``w * s * h(p)``:

========  ===============  ================
estimand  treated ``h``    control ``h``
========  ===============  ================
``att``   1                ``p / (1 - p)``
``ate``   ``1 / p``        ``1 / (1 - p)``
========  ===============  ================

The outcome-model methods fit a linear model ``m_g(x) = z' beta_g`` by WLS (weights ``w``) within
arm ``g`` on the whole sample and average it over the target population ``pi`` (the treated of the
domain for the ATT, the whole domain for the ATE):

* ``ra`` (regression adjustment, fully interacted): ``mu_g = mean_pi(m_g)``; for the ATT the treated
  arm is the Hajek mean of ``y`` over the treated of the domain (Imbens & Wooldridge 2009, §5.3);
* ``aipw`` (doubly robust): ``mu_g = mean_pi(m_g) + Hajek mean of (y - m_g)``; for the ATT the treated
  arm needs no model (it would cancel);
* ``ipw``: ``mu_g = Hajek mean of y``.

The nuisance models (logit and outcome models) use every unit; only the averages are restricted to
the domain, as domain estimation in a survey keeps the whole design (Lumley 2010, §2.3), and as
group effects are averages of doubly robust scores (Semenova & Chernozhukov 2021, Econometrics J.
24(2)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.special import expit

from pa_study.stats._effects_linear import diagonal_tail, group_sums, schur_solve, stacked_solve

_MAX_NEWTON_ITER = 100
_NEWTON_TOL = 1e-10
_MAX_HALVINGS = 30
# Bootstrap weight matrices are processed in chunks of about this many cells (32 MB of float64).
_CHUNK_CELLS = 4_000_000


@dataclass(frozen=True)
class FixedEffectsDesign:
    """The design ``[dense, dummies]``: intercept and covariates beside the sparse indicators of
    fixed-effect levels, multiplied as that stacked matrix.

    Kept in two parts because a census county's cross-products ``Z'VZ`` would otherwise go through
    a general sparse product of a million rows by a thousand columns at every Newton step: here the
    dense block is one BLAS product and the indicators (one non-zero per effect in a row) cost
    O(rows x covariates).
    """

    dense: np.ndarray
    dummies: sparse.csr_array
    # Let ``array @ design`` defer to :meth:`__rmatmul__`.
    __array_ufunc__ = None

    @property
    def shape(self) -> tuple[int, int]:
        """Rows and columns of the stacked matrix."""
        return self.dense.shape[0], self.dense.shape[1] + self.dummies.shape[1]

    @property
    def T(self) -> _Transposed:  # noqa: N802 - the array attribute's name
        """The transposed design, for ``Z.T @ v`` and ``x @ Z.T``."""
        return _Transposed(self)

    def __matmul__(self, x: np.ndarray) -> np.ndarray:
        k = self.dense.shape[1]
        return self.dense @ x[:k] + self.dummies @ x[k:]

    def __rmatmul__(self, x: np.ndarray) -> np.ndarray:
        return np.concatenate([x @ self.dense, (self.dummies.T @ x.T).T], axis=-1)

    def crossproduct(self, v: np.ndarray) -> np.ndarray:
        """``Z' diag(v) Z``, block by block."""
        weighted = self.dense * v[:, None]
        side = (self.dummies.T @ weighted).T
        return np.block([[self.dense.T @ weighted, side], [side.T, self._indicator_crossproduct(v)]])

    def _indicator_crossproduct(self, v: np.ndarray) -> np.ndarray:
        """``dummies' diag(v) dummies``. With one fixed effect a row holds one indicator at most, so
        this is the diagonal of ``v``'s sums by level: a sparse product would build it entry by
        entry at every Newton step (the same sums in the same row order, so the same digits)."""
        if np.diff(self.dummies.indptr).max(initial=0) <= 1:
            return np.diag(self.dummies.T @ v)
        return (self.dummies.T @ scale_rows(self.dummies, v)).toarray()


@dataclass(frozen=True)
class _Transposed:
    design: FixedEffectsDesign
    __array_ufunc__ = None

    def __matmul__(self, v: np.ndarray) -> np.ndarray:
        return np.concatenate([self.design.dense.T @ v, self.design.dummies.T @ v], axis=0)

    def __rmatmul__(self, x: np.ndarray) -> np.ndarray:
        return (self.design @ x.T).T


Design = np.ndarray | sparse.csr_array | FixedEffectsDesign


def scale_rows(Z: Design, v: np.ndarray) -> Design:
    """Return ``Z * v[:, None]`` for a dense design, a sparse one or a :class:`FixedEffectsDesign`."""
    if isinstance(Z, FixedEffectsDesign):
        return FixedEffectsDesign(Z.dense * v[:, None], scale_rows(Z.dummies, v))
    return sparse.diags_array(v) @ Z if sparse.issparse(Z) else Z * v[:, None]


def crossproducts(Z: Design, V: np.ndarray) -> np.ndarray:
    """Return the stack of weighted cross-products ``Z' diag(V[b]) Z`` (B x k x k).

    Many weight rows (bootstrap replicates) share one matrix product with the row-wise outer
    products of ``Z``; a single row (or a wide ``Z``, whose outer products would not fit in memory)
    is done directly. A sparse ``Z`` is multiplied as such and a :class:`FixedEffectsDesign` block
    by block: the cost and memory follow the non-zeros, not rows x levels, and only the k x k
    result is dense.
    """
    if isinstance(Z, FixedEffectsDesign):
        return np.stack([Z.crossproduct(v) for v in V])
    if sparse.issparse(Z):
        return np.stack([(Z.T @ scale_rows(Z, v)).toarray() for v in V])
    n, k = Z.shape
    if V.shape[0] == 1 or n * k * k > _CHUNK_CELLS:
        return np.stack([Z.T @ (Z * v[:, None]) for v in V])
    return (V @ (Z[:, :, None] * Z[:, None, :]).reshape(n, k * k)).reshape(V.shape[0], k, k)


def batched_solve(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve ``A[i] x[i] = b[i]`` for a stack of symmetric systems; rows with a singular ``A[i]``
    come back NaN.

    With fixed-effect dummies the trailing block of ``A`` is diagonal and holds most of its
    dimension (a census county's villages); it is eliminated first (:func:`schur_solve`), so a
    Newton or least-squares step costs O(covariates^2 x levels), not O(levels^3).
    """
    m = diagonal_tail(A)
    if m < A.shape[-1] - 1:
        return schur_solve(A, b, m)
    return stacked_solve(A, b)


def _logit_terms(eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``log(1 + exp(eta))`` and ``expit(eta)`` sharing one overflow-safe exponential."""
    e = np.exp(-np.abs(eta))
    softplus = np.maximum(eta, 0.0) + np.log1p(e)
    p = np.where(eta >= 0, 1.0, e) / (1.0 + e)
    return softplus, p


def fit_logit(
    Z: Design, d: np.ndarray, W: np.ndarray, *, start: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted logistic-regression MLE for a batch of weight vectors, by Newton-Raphson.

    Parameters
    ----------
    Z : numpy.ndarray
        Design matrix (n x k) including the intercept column.
    d : numpy.ndarray
        Binary outcome (n).
    W : numpy.ndarray
        Unit weights, one row per fit (B x n).  Rescaling a row does not change its estimate,
        so survey weights give the same point estimates as R's ``svyglm``/``glm(weights=)``.
    start : numpy.ndarray, optional
        Starting coefficients (k); zeros by default.

    Returns
    -------
    gamma : numpy.ndarray
        Coefficients (B x k).
    converged : numpy.ndarray of bool
        ``False`` where the Newton step did not settle below ``1e-10 * (1 + |gamma|)`` within 100
        iterations or the Hessian was singular, which is what perfect separation produces.

    Notes
    -----
    A Newton step is halved while it lowers the log-likelihood, so every iterate improves the fit.
    """
    n_fits, k = W.shape[0], Z.shape[1]
    gamma = np.zeros((n_fits, k)) if start is None else np.tile(start, (n_fits, 1))
    eta = gamma @ Z.T
    softplus, p = _logit_terms(eta)
    loglik = np.sum(W * (d * eta - softplus), axis=1)
    failed = np.zeros(n_fits, dtype=bool)
    converged = np.zeros(n_fits, dtype=bool)
    for _ in range(_MAX_NEWTON_ITER):
        grad = (W * (d - p)) @ Z
        hess = crossproducts(Z, W * p * (1.0 - p))
        step = batched_solve(hess, grad)
        failed |= ~np.isfinite(step).all(axis=1)
        step[failed] = 0.0
        scale, eta, p, loglik = _halve_until_not_worse(Z, d, W, eta, step, loglik)
        gamma = gamma + scale[:, None] * step
        converged = np.all(np.abs(step) <= _NEWTON_TOL * (1.0 + np.abs(gamma)), axis=1)
        if np.all(converged | failed):
            break
    return gamma, converged & ~failed


def _halve_until_not_worse(
    Z: Design,
    d: np.ndarray,
    W: np.ndarray,
    eta: np.ndarray,
    step: np.ndarray,
    loglik: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return the step scale, new index, fitted probabilities and log-likelihood after step-halving."""
    scale = np.ones(step.shape[0])
    direction = step @ Z.T
    for _ in range(_MAX_HALVINGS):
        candidate = eta + scale[:, None] * direction
        softplus, p = _logit_terms(candidate)
        new = np.sum(W * (d * candidate - softplus), axis=1)
        # Allow for rounding noise in the log-likelihood near the optimum.
        worse = ~(new >= loglik - 1e-12 * np.abs(loglik))
        if not worse.any():
            break
        scale[worse] /= 2.0
    return scale, candidate, p, new


def arm_weights(p: np.ndarray, estimand: str, arm: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the Hajek weight ``h(p)`` for ``arm`` and its log-derivative in the logit index."""
    if estimand == "att":
        if arm == 1:
            return np.ones_like(p), np.zeros_like(p)
        return p / (1.0 - p), np.ones_like(p)
    if arm == 1:
        return 1.0 / p, -(1.0 - p)
    return 1.0 / (1.0 - p), p


def balancing_weights(p: np.ndarray, d: np.ndarray, w: np.ndarray, estimand: str) -> np.ndarray:
    """Return the unit weights ``w * h(p)`` that the (A)IPW estimator puts on each arm."""
    h1, _ = arm_weights(p, estimand, 1)
    h0, _ = arm_weights(p, estimand, 0)
    return w * np.where(d == 1, h1, h0)


def arm_parts(method: str, estimand: str, arm: int) -> tuple[bool, bool]:
    """Return whether ``arm``'s mean uses an outcome model and whether it adds a Hajek mean of
    (residuals or outcomes) weighted by ``h(p)``, for ``method`` ``ipw``, ``aipw`` or ``ra``."""
    if method == "ipw":
        return False, True
    model = estimand == "ate" or arm == 0
    if method == "aipw":
        return model, True
    return model, not model


def uses_propensity(method: str) -> bool:
    """Whether ``method`` needs the propensity score (regression adjustment does not)."""
    return method in ("ipw", "aipw")


def effect_batch(
    y: np.ndarray,
    d: np.ndarray,
    Z: Design,
    W: np.ndarray,
    gamma: np.ndarray | None,
    *,
    estimand: str,
    method: str,
    domain: np.ndarray,
) -> np.ndarray:
    """Return the effect for each row of weights ``W`` (B x n) given logit coefficients ``gamma``
    (B x k; ``None`` for ``ra``) and the 0/1 ``domain``."""
    p = expit(gamma @ Z.T) if gamma is not None else None
    target = W * domain * (d if estimand == "att" else 1.0)
    tau = np.zeros(W.shape[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        for arm, sign in ((1, 1.0), (0, -1.0)):
            model, residual = arm_parts(method, estimand, arm)
            in_arm = W * (d == arm)
            fitted, mean = 0.0, np.zeros(W.shape[0])
            if model:
                hess = crossproducts(Z, in_arm)
                beta = batched_solve(hess, (in_arm * y) @ Z)
                fitted = beta @ Z.T
                mean = np.sum(target * fitted, axis=1) / target.sum(axis=1)
            if residual:
                h = arm_weights(p, estimand, arm)[0] if p is not None else 1.0
                wh = in_arm * domain * h
                mean = mean + np.sum(wh * (y - fitted), axis=1) / wh.sum(axis=1)
            tau += sign * mean
    return tau


@dataclass(frozen=True)
class WeightingFit:
    """Point estimate, per-unit influence values and fitted propensity scores."""

    estimate: float
    influence: np.ndarray
    ps: np.ndarray | None


def effect_with_influence(
    y: np.ndarray,
    d: np.ndarray,
    Z: Design,
    w: np.ndarray,
    gamma: np.ndarray | None,
    *,
    estimand: str,
    method: str,
    domain: np.ndarray,
) -> WeightingFit:
    """Return the effect and its influence values, accounting for the estimated nuisances.

    The influence value of unit ``i`` is its contribution to the linearised estimator
    ``tau_hat - tau ~ sum_i phi_i``: the stacked-M-estimator sandwich (logit score, within-arm WLS
    normal equations, Hajek means) reduced to the effect, so
    ``Var(tau_hat) = G/(G-1) sum_g (sum_{i in g} phi_i)^2`` over clusters ``g`` (units when unclustered).
    ``gamma`` is ``None`` for ``ra``, which uses no propensity score (``ps`` is then ``None``).
    """
    p = expit(Z @ gamma) if gamma is not None else None
    logit = None
    if p is not None:
        logit = (crossproducts(Z, (w * p * (1.0 - p))[None, :])[0], scale_rows(Z, w * (d - p)))
    target = w * domain * (d if estimand == "att" else 1.0)
    tau, phi = 0.0, np.zeros_like(y)
    for arm, sign in ((1, 1.0), (0, -1.0)):
        mean, arm_phi = _arm_mean_influence(y, d, Z, w, p, arm, target, logit, estimand, method, domain)
        tau += sign * mean
        phi += sign * arm_phi
    return WeightingFit(float(tau), phi, p)


def _arm_mean_influence(
    y: np.ndarray,
    d: np.ndarray,
    Z: Design,
    w: np.ndarray,
    p: np.ndarray | None,
    arm: int,
    target: np.ndarray,
    logit: tuple[np.ndarray, np.ndarray] | None,
    estimand: str,
    method: str,
    domain: np.ndarray,
) -> tuple[float, np.ndarray]:
    model, residual = arm_parts(method, estimand, arm)
    in_arm = w * (d == arm)
    resid, mean, phi = y, 0.0, np.zeros_like(y)
    h, dlog_h = arm_weights(p, estimand, arm) if p is not None else (np.ones_like(y), np.zeros_like(y))
    wh = in_arm * domain * h
    total = wh.sum()
    if model:
        wls_hess = crossproducts(Z, in_arm[None, :])[0]
        beta = batched_solve(wls_hess[None], (Z.T @ (in_arm * y))[None])[0]
        fitted = Z @ beta
        resid = y - fitted
        mean = float(target @ fitted / target.sum())
        # d(mu_g)/d(beta): the population mean of the fit rises, the residual mean (if any) falls.
        grad_beta = Z.T @ target / target.sum() - (Z.T @ wh / total if residual else 0.0)
        phi += target * (fitted - mean) / target.sum()
        phi += scale_rows(Z, in_arm * resid) @ batched_solve(wls_hess[None], grad_beta[None])[0]
    if residual:
        resid_mean = float(wh @ resid / total)
        phi += wh * (resid - resid_mean) / total
        if logit is not None:
            logit_hess, logit_scores = logit
            grad_gamma = Z.T @ (wh * dlog_h * (resid - resid_mean)) / total
            phi += logit_scores @ batched_solve(logit_hess[None], grad_gamma[None])[0]
        mean += resid_mean
    return mean, phi


def influence_variance(phi: np.ndarray, cluster: np.ndarray | None) -> float:
    """Return ``G/(G-1) * sum_g (sum_{i in g} phi_i)^2`` (units are the clusters when ``cluster`` is None)."""
    totals = phi if cluster is None else group_sums(phi, cluster, int(cluster.max()) + 1)
    n_groups = totals.shape[0]
    return float(n_groups / (n_groups - 1) * np.sum(totals**2))


def bootstrap_effects(
    y: np.ndarray,
    d: np.ndarray,
    Z: Design,
    w: np.ndarray,
    start: np.ndarray | None,
    *,
    estimand: str,
    method: str,
    domain: np.ndarray,
    cluster: np.ndarray | None,
    n_boot: int,
    seed: int | None,
) -> tuple[np.ndarray, int]:
    """Nonparametric (cluster) bootstrap of the effect, re-estimating the propensity score (if any)
    and the outcome models in each replicate.

    Units, or whole clusters when ``cluster`` is given, are resampled with replacement; a replicate's
    resampling counts multiply the survey weights.  All replicates of a chunk share one batched
    Newton-Raphson logit started from the full-sample estimate ``start`` (``None`` for ``ra``).

    Returns
    -------
    draws : numpy.ndarray
        Effect estimates of the replicates that could be computed.
    n_failed : int
        Replicates dropped because the logit did not converge or an arm was empty.
    """
    rng = np.random.default_rng(seed)
    units = np.arange(y.shape[0]) if cluster is None else cluster
    n_units = int(units.max()) + 1
    chunk = max(1, _CHUNK_CELLS // y.shape[0])
    draws = []
    for first in range(0, n_boot, chunk):
        size = min(chunk, n_boot - first)
        W = _resampling_counts(rng, n_units, size)[:, units] * w
        if start is None:
            gamma, ok = None, np.ones(size, dtype=bool)
        else:
            gamma, ok = fit_logit(Z, d, W, start=start)
        tau = effect_batch(y, d, Z, W, gamma, estimand=estimand, method=method, domain=domain)
        draws.append(tau[ok & np.isfinite(tau)])
    kept = np.concatenate(draws)
    return kept, n_boot - kept.shape[0]


def _resampling_counts(rng: np.random.Generator, n_units: int, size: int) -> np.ndarray:
    """How often each of ``n_units`` is drawn in ``size`` resamples of ``n_units`` draws with replacement."""
    picks = rng.integers(0, n_units, size=(size, n_units))
    flat = (picks + (np.arange(size) * n_units)[:, None]).ravel()
    return np.bincount(flat, minlength=size * n_units).reshape(size, n_units).astype(float)

"""Propensity-score logit, IPW and AIPW effect estimators with influence functions and bootstrap.

Everything here works on plain arrays; validation and result assembly live in
:mod:`pa_study.stats.effects`.  The logit and the point estimators are batched over a
``(B, n)`` matrix of unit weights so that bootstrap replicates are computed together.

Notation: ``Z`` is the design matrix ``[1, X]`` (n x k), ``d`` the 0/1 treatment, ``w`` survey weights.
Each arm's mean potential outcome is a Hajek (normalised) weighted mean with weight ``w * h(p)``:

========  ===============  ================
estimand  treated ``h``    control ``h``
========  ===============  ================
``att``   1                ``p / (1 - p)``
``ate``   ``1 / p``        ``1 / (1 - p)``
========  ===============  ================

The augmented (doubly robust) version adds a linear outcome model ``m_g(x) = z' beta_g`` fitted by
WLS (weights ``w``) within arm ``g`` and estimates ``mu_g = mean_pi(m_g) + Hajek mean of (y - m_g)``,
where ``mean_pi`` averages over the target population (the treated for the ATT, everyone for the
ATE).  For the ATT the treated arm needs no model (it would cancel).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from pa_study.stats._effects_linear import group_sums

_MAX_NEWTON_ITER = 100
_NEWTON_TOL = 1e-10
_MAX_HALVINGS = 30
# Bootstrap weight matrices are processed in chunks of about this many cells (32 MB of float64).
_CHUNK_CELLS = 4_000_000


def outer_rows(Z: np.ndarray) -> np.ndarray:
    """Return the row-wise outer products ``z_i z_i'`` flattened to an (n, k*k) matrix.

    Lets a batch of weighted cross-products ``Z' diag(v_b) Z`` be computed as one matrix product.
    """
    n, k = Z.shape
    return (Z[:, :, None] * Z[:, None, :]).reshape(n, k * k)


def batched_solve(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve ``A[i] x[i] = b[i]`` for a stack of systems; rows with a singular ``A[i]`` come back NaN."""
    try:
        return np.linalg.solve(A, b[..., None])[..., 0]
    except np.linalg.LinAlgError:
        out = np.full(b.shape, np.nan)
        for i in range(A.shape[0]):
            try:
                out[i] = np.linalg.solve(A[i], b[i])
            except np.linalg.LinAlgError:
                continue
        return out


def _logit_terms(eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``log(1 + exp(eta))`` and ``expit(eta)`` sharing one overflow-safe exponential."""
    e = np.exp(-np.abs(eta))
    softplus = np.maximum(eta, 0.0) + np.log1p(e)
    p = np.where(eta >= 0, 1.0, e) / (1.0 + e)
    return softplus, p


def fit_logit(
    Z: np.ndarray, d: np.ndarray, W: np.ndarray, *, start: np.ndarray | None = None
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
    zz = outer_rows(Z)
    gamma = np.zeros((n_fits, k)) if start is None else np.tile(start, (n_fits, 1))
    eta = gamma @ Z.T
    softplus, p = _logit_terms(eta)
    loglik = np.sum(W * (d * eta - softplus), axis=1)
    failed = np.zeros(n_fits, dtype=bool)
    converged = np.zeros(n_fits, dtype=bool)
    for _ in range(_MAX_NEWTON_ITER):
        grad = (W * (d - p)) @ Z
        hess = ((W * p * (1.0 - p)) @ zz).reshape(n_fits, k, k)
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
    Z: np.ndarray,
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


def _needs_outcome_model(estimand: str, arm: int, augmented: bool) -> bool:
    return augmented and (estimand == "ate" or arm == 0)


def effect_batch(
    y: np.ndarray,
    d: np.ndarray,
    Z: np.ndarray,
    W: np.ndarray,
    gamma: np.ndarray,
    *,
    estimand: str,
    augmented: bool,
) -> np.ndarray:
    """Return the (A)IPW effect for each row of weights ``W`` (B x n) given logit coefficients ``gamma``."""
    p = expit(gamma @ Z.T)
    target = W * (d if estimand == "att" else 1.0)
    zz = outer_rows(Z) if augmented else None
    tau = np.zeros(W.shape[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        for arm, sign in ((1, 1.0), (0, -1.0)):
            in_arm = W * (d == arm)
            h, _ = arm_weights(p, estimand, arm)
            if zz is not None and _needs_outcome_model(estimand, arm, augmented):
                hess = (in_arm @ zz).reshape(W.shape[0], Z.shape[1], Z.shape[1])
                beta = batched_solve(hess, (in_arm * y) @ Z)
                fitted = beta @ Z.T
                pop_mean = np.sum(target * fitted, axis=1) / target.sum(axis=1)
            else:
                fitted, pop_mean = 0.0, 0.0
            wh = in_arm * h
            tau += sign * (pop_mean + np.sum(wh * (y - fitted), axis=1) / wh.sum(axis=1))
    return tau


@dataclass(frozen=True)
class WeightingFit:
    """Point estimate, per-unit influence values and fitted propensity scores."""

    estimate: float
    influence: np.ndarray
    ps: np.ndarray


def effect_with_influence(
    y: np.ndarray,
    d: np.ndarray,
    Z: np.ndarray,
    w: np.ndarray,
    gamma: np.ndarray,
    *,
    estimand: str,
    augmented: bool,
) -> WeightingFit:
    """Return the (A)IPW effect and its influence values, accounting for the estimated nuisances.

    The influence value of unit ``i`` is its contribution to the linearised estimator
    ``tau_hat - tau ~ sum_i phi_i``: the stacked-M-estimator sandwich (logit score, within-arm WLS
    normal equations, Hajek means) reduced to the effect, so
    ``Var(tau_hat) = G/(G-1) sum_g (sum_{i in g} phi_i)^2`` over clusters ``g`` (units when unclustered).
    """
    p = expit(Z @ gamma)
    logit_hess = Z.T @ (Z * (w * p * (1.0 - p))[:, None])
    logit_scores = Z * (w * (d - p))[:, None]
    target = w * (d if estimand == "att" else 1.0)
    tau, phi = 0.0, np.zeros_like(y)
    for arm, sign in ((1, 1.0), (0, -1.0)):
        mean, arm_phi = _arm_mean_influence(
            y,
            d,
            Z,
            w,
            p,
            arm,
            target,
            logit_hess,
            logit_scores,
            estimand=estimand,
            augmented=augmented,
        )
        tau += sign * mean
        phi += sign * arm_phi
    return WeightingFit(float(tau), phi, p)


def _arm_mean_influence(
    y: np.ndarray,
    d: np.ndarray,
    Z: np.ndarray,
    w: np.ndarray,
    p: np.ndarray,
    arm: int,
    target: np.ndarray,
    logit_hess: np.ndarray,
    logit_scores: np.ndarray,
    *,
    estimand: str,
    augmented: bool,
) -> tuple[float, np.ndarray]:
    in_arm = w * (d == arm)
    h, dlog_h = arm_weights(p, estimand, arm)
    wh = in_arm * h
    total = wh.sum()
    resid, pop_mean, phi = y, 0.0, np.zeros_like(y)
    if _needs_outcome_model(estimand, arm, augmented):
        wls_hess = Z.T @ (Z * in_arm[:, None])
        beta = np.linalg.solve(wls_hess, Z.T @ (in_arm * y))
        fitted = Z @ beta
        resid = y - fitted
        pop_mean = float(target @ fitted / target.sum())
        # d(mu_g)/d(beta): the population mean of the fit rises, the residual mean falls.
        grad_beta = Z.T @ target / target.sum() - Z.T @ wh / total
        phi += target * (fitted - pop_mean) / target.sum()
        phi += (Z * (in_arm * resid)[:, None]) @ np.linalg.solve(wls_hess, grad_beta)
    resid_mean = float(wh @ resid / total)
    grad_gamma = Z.T @ (wh * dlog_h * (resid - resid_mean)) / total
    phi += wh * (resid - resid_mean) / total
    phi += logit_scores @ np.linalg.solve(logit_hess, grad_gamma)
    return pop_mean + resid_mean, phi


def influence_variance(phi: np.ndarray, cluster: np.ndarray | None) -> float:
    """Return ``G/(G-1) * sum_g (sum_{i in g} phi_i)^2`` (units are the clusters when ``cluster`` is None)."""
    totals = phi if cluster is None else group_sums(phi, cluster, int(cluster.max()) + 1)
    n_groups = totals.shape[0]
    return float(n_groups / (n_groups - 1) * np.sum(totals**2))


def bootstrap_effects(
    y: np.ndarray,
    d: np.ndarray,
    Z: np.ndarray,
    w: np.ndarray,
    start: np.ndarray,
    *,
    estimand: str,
    augmented: bool,
    cluster: np.ndarray | None,
    n_boot: int,
    seed: int | None,
) -> tuple[np.ndarray, int]:
    """Nonparametric (cluster) bootstrap of the (A)IPW effect, re-estimating the propensity score.

    Units, or whole clusters when ``cluster`` is given, are resampled with replacement; a replicate's
    resampling counts multiply the survey weights.  All replicates of a chunk share one batched
    Newton-Raphson logit started from the full-sample estimate ``start``.

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
        gamma, ok = fit_logit(Z, d, W, start=start)
        tau = effect_batch(y, d, Z, W, gamma, estimand=estimand, augmented=augmented)
        draws.append(tau[ok & np.isfinite(tau)])
    kept = np.concatenate(draws)
    return kept, n_boot - kept.shape[0]


def _resampling_counts(rng: np.random.Generator, n_units: int, size: int) -> np.ndarray:
    """How often each of ``n_units`` is drawn in ``size`` resamples of ``n_units`` draws with replacement."""
    picks = rng.integers(0, n_units, size=(size, n_units))
    flat = (picks + (np.arange(size) * n_units)[:, None]).ravel()
    return np.bincount(flat, minlength=size * n_units).reshape(size, n_units).astype(float)

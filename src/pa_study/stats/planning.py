"""Planning the next survey: power, sample size and the shape of a two-stage household sample.

A county that failed, or barely passed, an exit criterion needs to know how large its next survey
must be. The answers here are for the test as the pipeline runs it, not for a textbook test in its
place: a threshold criterion is judged by :func:`~pa_study.stats.threshold_verdict` on the 95%
interval the indicators print (Korn-Graubard, R's ``svyciprop(method = "beta")``, or Wald), so
"certify a rate below 2% with 80% power" means an 80% chance that that interval lies wholly below
2% (a one-sided test at 2.5%).

The design enters through Kish's effective sample size. Villages are clusters: a rate estimated
from ``m`` households in each of ``k`` villages, with intra-village correlation ``rho`` and
unequal weights, has the variance of a simple random sample of ``k m / deff`` households, with

    deff = deff_w (1 + (m - 1) rho)

(Kish 1987; the model-based design effect of Gabler, Haeder & Lahiri 1999), ``deff_w`` Kish's
design effect of unequal weighting (:func:`~pa_study.stats.kish_deff`). The number of households
found below the standard then behaves as a binomial count on that effective sample, and the
interval is the one the indicators compute from it (:func:`verdict_power`): the power is exact for
that count, and checked by simulating the whole two-stage design and running the pipeline's own
estimator on every sample (:func:`simulated_verdict_power`).

For a fixed budget, with ``c_village`` the cost of adding a village and ``c_household`` that of
one more interview, the variance of a mean is smallest with

    m* = sqrt(c_village / c_household x (1 - rho) / rho)

households per village (Hansen, Hurwitz & Madow 1953, ch. 6 sec. 16; Valliant, Dever & Kreuter
2013, sec. 9.3.1, R's ``PracTools::clusOpt2``). Effects and contrasts are planned on their minimum detectable effect
(:func:`~pa_study.stats.minimum_detectable_effect`; Bloom 1995): its standard error shrinks with the
square root of the sample (:func:`mde_sample_factor`).

References
----------
Bloom, H. S. (1995). Minimum detectable effects. Evaluation Review 19(5), 547-556.
Chernick, M. R. and Liu, C. Y. (2002). The saw-toothed behavior of power versus sample size and
software solutions. The American Statistician 56(2), 149-155.
Chow, S.-C., Shao, J. and Wang, H. (2008). Sample Size Calculations in Clinical Research, 2nd ed.
Chapman & Hall.
Donner, A. (1986). A review of inference procedures for the intraclass correlation coefficient in
the one-way random effects model. International Statistical Review 54(1), 67-82.
Hansen, M. H., Hurwitz, W. N. and Madow, W. G. (1953). Sample Survey Methods and Theory, vol. I.
Wiley.
Gabler, S., Haeder, S. and Lahiri, P. (1999). A model based justification of Kish's formula for
design effects for weighting and clustering. Survey Methodology 25(1), 105-106.
Kish, L. (1965). Survey Sampling. Wiley. Kish, L. (1987). Weighting in deft^2. The Survey
Statistician, June 1987.
Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for proportions with small expected
number of positive counts estimated from survey data. Survey Methodology 24(2), 193-201.
Ridout, M. S., Demetrio, C. G. B. and Firth, D. (1999). Estimating intraclass correlation for binary
data. Biometrics 55(1), 137-148.
Valliant, R., Dever, J. A. and Kreuter, F. (2013). Practical Tools for Designing and Weighting
Survey Samples. Springer.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from pa_study.stats._errors import StatsInputError
from pa_study.stats._estimators import kish_deff, t_quantile
from pa_study.stats._results import minimum_detectable_effect
from pa_study.stats.survey import SurveyDesign, korn_graubard_interval
from pa_study.stats.thresholds import OPERATORS, VERDICTS, threshold_verdict

#: Interval methods a threshold verdict can be judged on (``indicators.proportion_interval``).
INTERVALS = ("korn_graubard", "wald")
#: Binomial counts further than this many standard deviations from the mean carry no probability
#: that matters to a power (below 1e-20).
_TAIL_SD = 10.0
_MAX_VILLAGES = 1_000_000
#: Quantiles of the estimated design effect's sampling distribution the power is averaged over.
_DEFF_QUANTILES = 32


def design_effect(per_cluster: float, rho: float, weighting_deff: float = 1.0) -> float:
    """Return the design effect of a two-stage sample: ``deff_w (1 + (m - 1) rho)``.

    Parameters
    ----------
    per_cluster : float
        Sampled units per cluster (households per village; the mean where they differ).
    rho : float
        Intra-cluster correlation of the outcome (negative values are taken as 0: a planning
        design effect below that of the weighting alone is not relied on).
    weighting_deff : float
        Kish's design effect of unequal weighting, ``n sum(w^2) / sum(w)^2``.

    Returns
    -------
    float

    References
    ----------
    Kish (1987), Weighting in deft^2; Gabler, Haeder & Lahiri (1999), Survey Methodology 25(1).
    """
    if per_cluster < 1:
        raise StatsInputError(f"a cluster holds at least one unit, got {per_cluster!r}")
    if not rho <= 1:
        raise StatsInputError(f"an intra-cluster correlation is at most 1, got {rho!r}")
    if not weighting_deff >= 1 - 1e-12:
        raise StatsInputError(f"the weighting design effect is at least 1, got {weighting_deff!r}")
    return float(weighting_deff * (1 + (per_cluster - 1) * max(rho, 0.0)))


def intraclass_correlation(values: Sequence[float] | np.ndarray, clusters: Sequence[object] | np.ndarray) -> float:
    """Return the ANOVA estimator of the intra-cluster correlation of ``values``.

    ``rho = (MSB - MSW) / (MSB + (m0 - 1) MSW)`` with the one-way analysis of variance of the values
    between and within clusters and ``m0 = (N - sum m_i^2 / N) / (k - 1)`` the size of a cluster
    for unequal sizes. For a 0/1 outcome it is the estimator Ridout, Demetrio & Firth (1999)
    recommend. Unweighted: the weights enter the planning design effect through ``deff_w``.

    Parameters
    ----------
    values : array-like of float
        One value per unit (0/1 for a rate), no missing values.
    clusters : array-like
        The cluster (village) of each unit.

    Returns
    -------
    float
        Between ``-1 / (m0 - 1)`` and 1; NaN when there is no variation within or between
        clusters to estimate it from (every value equal).

    Raises
    ------
    StatsInputError
        Fewer than two clusters, no cluster of two units, or missing values.

    References
    ----------
    Donner (1986), International Statistical Review 54(1); R: the mean squares of
    ``anova(lm(y ~ factor(cluster)))``.
    """
    y = np.asarray(values, dtype=float)
    groups = pd.Series(np.asarray(clusters, dtype=object))
    if y.shape != (len(groups),):
        raise StatsInputError(f"values ({y.shape}) and clusters ({len(groups)}) must have one entry per unit")
    if np.isnan(y).any() or groups.isna().any():
        raise StatsInputError("the intra-cluster correlation needs a value and a cluster for every unit")
    codes, _ = pd.factorize(groups)
    sizes = np.bincount(codes).astype(float)
    k, n = len(sizes), float(len(y))
    if k < 2 or n - k < 1:
        raise StatsInputError(f"the intra-cluster correlation needs two clusters and a cluster of two units; got {k}")
    sums = np.bincount(codes, weights=y)
    means = sums / sizes
    between = float((sizes * (means - y.mean()) ** 2).sum()) / (k - 1)
    within = float(((y - means[codes]) ** 2).sum()) / (n - k)
    m0 = (n - float((sizes**2).sum()) / n) / (k - 1)
    denominator = between + (m0 - 1) * within
    if denominator <= 0:
        return float("nan")
    return float((between - within) / denominator)


def rate_of_homogeneity(deff: float, per_cluster: float, weighting_deff: float = 1.0) -> float:
    """Return Kish's rate of homogeneity implied by a measured design effect:
    ``(deff / deff_w - 1) / (m - 1)``.

    The inverse of :func:`design_effect`, as survey planners read ``rho`` off a previous survey's
    design effects (Kish 1965, ch. 5; United Nations 2005, Designing Household Survey
    Samples: Practical Guidelines). NaN with one unit per cluster.
    """
    if per_cluster <= 1 or not weighting_deff > 0:
        return float("nan")
    return float((deff / weighting_deff - 1) / (per_cluster - 1))


def optimal_cluster_size(cost_ratio: float, rho: float) -> float:
    """Return the households per village that minimise variance for a fixed budget.

    ``m* = sqrt(cost_ratio (1 - rho) / rho)`` with ``cost_ratio = c_village / c_household``
    for the cost function ``C = k c_village + k m c_household`` (Hansen, Hurwitz & Madow 1953, ch. 6
    sec. 16; Valliant, Dever & Kreuter 2013, sec. 9.3.1).

    Parameters
    ----------
    cost_ratio : float
        Cost of adding a village (travel, liaison with the village committee, listing) over the
        cost of one more household interview, both positive.
    rho : float
        Intra-village correlation of the outcome.

    Returns
    -------
    float
        ``inf`` when ``rho <= 0`` (households of a village are no more alike than any two: every
        interview is best spent in villages already visited).
    """
    if not cost_ratio > 0:
        raise StatsInputError(f"the cost ratio of a village to a household must be positive, got {cost_ratio!r}")
    if not rho < 1:
        raise StatsInputError(f"an intra-cluster correlation below 1 is needed, got {rho!r}")
    if rho <= 0:
        return math.inf
    return math.sqrt(cost_ratio * (1 - rho) / rho)


@dataclass(frozen=True)
class ClusterDesign:
    """A two-stage sample: ``villages`` villages (in ``strata`` townships), ``per_village``
    households in each, an outcome with intra-village correlation ``rho``, weights with Kish design
    effect ``weighting_deff``.

    Attributes
    ----------
    villages : int
        Sampled villages (the PSUs).
    per_village : float
        Households per village that enter the estimate (the mean where they differ).
    rho : float
        Intra-village correlation of the outcome.
    weighting_deff : float
        Kish's design effect of the weights.
    strata : int
        Townships the villages are drawn in: the design has ``villages - strata`` degrees of freedom.
    """

    villages: int
    per_village: float
    rho: float
    weighting_deff: float = 1.0
    strata: int = 1

    def __post_init__(self) -> None:
        if self.villages <= self.strata:
            raise StatsInputError(
                f"{self.villages} villages in {self.strata} strata leave no degrees of freedom; "
                "at least two villages per stratum are needed for a variance"
            )

    @property
    def n(self) -> float:
        """Households that enter the estimate."""
        return self.villages * self.per_village

    @property
    def deff(self) -> float:
        """Design effect of the estimate (:func:`design_effect`)."""
        return design_effect(self.per_village, self.rho, self.weighting_deff)

    @property
    def n_effective(self) -> float:
        """Effective sample size ``n / deff``: the simple random sample with the same variance."""
        return self.n / self.deff

    @property
    def df(self) -> int:
        """Degrees of freedom of the design's intervals, ``#villages - #strata``."""
        return self.villages - self.strata

    def cost(self, cost_ratio: float) -> float:
        """Cost in household interviews: ``villages (cost_ratio + per_village)``."""
        return self.villages * (cost_ratio + self.per_village)


def verdict_power(
    true_rate: float,
    threshold: float,
    design: ClusterDesign,
    *,
    verdict: str = "pass",
    operator: str = "<",
    level: float = 0.95,
    interval: str = "korn_graubard",
    estimated_deff: bool = True,
) -> float:
    """Return the probability that the indicators' verdict on a rate is ``verdict``.

    The count of units below the standard is binomial on the design's effective sample
    (``N = round(n / deff)``, :class:`ClusterDesign`). For each count ``y`` the interval is the one
    the indicators compute (:func:`~pa_study.stats.korn_graubard_interval` from the estimate
    ``y / N``, its standard error, ``n`` and the design's degrees of freedom; or Wald) and the
    verdict that of :func:`~pa_study.stats.threshold_verdict`. The power is the binomial
    probability of the counts with that verdict, averaged over the sampling variation of the
    estimated design effect: as Korn & Graubard (1998) do in deriving their interval, its ratio to
    the true one is taken as chi-square on the design's degrees of freedom over those degrees of
    freedom (32 quantiles of it).

    Parameters
    ----------
    true_rate : float
        The rate in the population, strictly between 0 and 1.
    threshold : float
        The criterion's threshold (0.02 for 错退率 and 漏评率).
    design : ClusterDesign
        The sample.
    verdict : {"pass", "fail", "inconclusive"}
        ``pass`` to certify the criterion met (the whole interval meets it), ``fail`` to detect it
        failed (no part of the interval meets it).
    operator : {"<", "<=", ">", ">="}
        The criterion ``rate <operator> threshold`` (``<`` for the error rates).
    level : float
        Confidence level of the interval (``indicators.level``): each verdict is a one-sided test
        at ``(1 - level) / 2``.
    interval : {"korn_graubard", "wald"}
        The interval the indicators use (``indicators.proportion_interval``).
    estimated_deff : bool
        Average over the sampling variation of the estimated design effect (the test as run);
        False takes it as known, which for one household per village and equal weights is the
        exact power of the Clopper-Pearson test.

    Returns
    -------
    float

    Notes
    -----
    Without the averaging over the estimated design effect the power of a test on a count
    saw-tooths with the sample size by several points (Chernick & Liu 2002), which the test as
    run, whose effective sample size is estimated, does not. With no unit below the standard the
    Korn-Graubard interval is the exact binomial one on ``n / deff_w`` (clustering cannot be
    estimated without events), and the Wald interval has zero width; the power counts those
    outcomes as the indicators judge them.
    """
    _check_rate(true_rate, "true_rate")
    _check_verdict_options(verdict, operator, interval)
    size = max(1, round(design.n_effective))
    counts = _likely_counts(size, true_rate)
    pmf = _binomial_pmf(counts, size, true_rate)
    # The verdict moves one way through pass, inconclusive and fail as the count grows.
    ranks = (
        {"pass": 0, "inconclusive": 1, "fail": 2}
        if operator in ("<", "<=")
        else {"fail": 0, "inconclusive": 1, "pass": 2}
    )
    ratios = _deff_ratios(design.df) if estimated_deff else np.ones(1)
    total = 0.0
    for ratio in ratios:

        def rank(index: int, ratio: float = ratio) -> int:
            rate = counts[index] / size
            se = math.sqrt(rate * (1 - rate) * ratio / size)
            judged = _interval_verdict(rate, se, design, threshold, operator=operator, level=level, interval=interval)
            return ranks[judged]

        positions = range(len(counts))
        start = bisect.bisect_left(positions, ranks[verdict], key=rank)
        stop = bisect.bisect_left(positions, ranks[verdict] + 1, key=rank)
        total += float(pmf[start:stop].sum())
    return total / len(ratios)


def _deff_ratios(df: float) -> np.ndarray:
    """Mid-point quantiles of chi-square on ``df`` degrees of freedom over ``df``: the sampling
    distribution of an estimated design effect relative to the true one."""
    probabilities = (np.arange(_DEFF_QUANTILES) + 0.5) / _DEFF_QUANTILES
    return special.chdtri(df, 1 - probabilities) / df


def _likely_counts(size: int, p: float) -> np.ndarray:
    mean, sd = size * p, math.sqrt(size * p * (1 - p))
    low = max(0, math.floor(mean - _TAIL_SD * sd - 1))
    high = min(size, math.ceil(mean + _TAIL_SD * sd + 1))
    return np.arange(low, high + 1, dtype=float)


def _binomial_pmf(counts: np.ndarray, size: int, p: float) -> np.ndarray:
    log_pmf = (
        special.gammaln(size + 1)
        - special.gammaln(counts + 1)
        - special.gammaln(size - counts + 1)
        + special.xlogy(counts, p)
        + special.xlog1py(size - counts, -p)
    )
    return np.exp(log_pmf)


def _interval_verdict(
    rate: float, se: float, design: ClusterDesign, threshold: float, *, operator: str, level: float, interval: str
) -> str:
    """The verdict the indicators give a rate estimated at ``rate`` with standard error ``se``."""
    if interval == "korn_graubard":
        n = max(1, round(design.n))
        low, high = korn_graubard_interval(
            rate, se, n, design.df, level, kish_deff=design.weighting_deff, truncate=True
        )
    else:
        half = t_quantile(level, design.df) * se
        low, high = rate - half, rate + half
    return threshold_verdict(rate, low, high, threshold, operator).passes_ci


def _check_rate(value: float, name: str) -> None:
    if not 0 < value < 1:
        raise StatsInputError(f"{name} must be strictly between 0 and 1, got {value!r}")


def _check_verdict_options(verdict: str, operator: str, interval: str) -> None:
    if verdict not in VERDICTS:
        raise StatsInputError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
    if operator not in OPERATORS:
        raise StatsInputError(f"operator must be one of {list(OPERATORS)}, got {operator!r}")
    if interval not in INTERVALS:
        raise StatsInputError(f"interval must be one of {INTERVALS}, got {interval!r}")


@dataclass(frozen=True)
class SamplePlan:
    """The smallest sample giving a verdict with the wanted power.

    Attributes
    ----------
    design : ClusterDesign
        Villages, households per village and what the design effect is made of.
    power : float
        The power :func:`verdict_power` gives that design.
    target_power : float
        The power asked for.
    """

    design: ClusterDesign
    power: float
    target_power: float


def verdict_sample_size(
    true_rate: float,
    threshold: float,
    *,
    per_village: float,
    rho: float,
    weighting_deff: float = 1.0,
    strata: int = 1,
    power: float = 0.8,
    verdict: str = "pass",
    operator: str = "<",
    level: float = 0.95,
    interval: str = "korn_graubard",
) -> SamplePlan:
    """Return the fewest villages (of ``per_village`` households) that give ``verdict`` with ``power``.

    The power of a test on a count is not monotone in the sample size (it saw-tooths: Chernick &
    Liu 2002), so the plan is the smallest number of villages from which on the power stays at or
    above the target (over the next tenth of the villages, ten at least), not the first at which
    it touches it.

    Parameters
    ----------
    true_rate, threshold, verdict, operator, level, interval
        As :func:`verdict_power`.
    per_village : float
        Households per village.
    rho, weighting_deff, strata
        As :class:`ClusterDesign`.
    power : float
        The power wanted.

    Returns
    -------
    SamplePlan

    Raises
    ------
    StatsInputError
        When no sample gives that power: a rate on the wrong side of the threshold for the verdict
        (certifying 3% below 2%), or one so close to it that no survey of a million villages would.
    """
    _check_rate(true_rate, "true_rate")
    _check_verdict_options(verdict, operator, interval)
    if not 0 < power < 1:
        raise StatsInputError(f"power must be strictly between 0 and 1, got {power!r}")
    if verdict == "inconclusive":
        raise StatsInputError("plan for a verdict that decides: 'pass' or 'fail'")
    meets = OPERATORS[operator](true_rate, threshold)
    if (verdict == "pass") != meets or true_rate == threshold:
        wanted = "meets" if verdict == "pass" else "fails"
        raise StatsInputError(
            f"a true rate of {true_rate:g} does not {wanted[:-1]} the criterion rate {operator} {threshold:g}: "
            f"no sample shows it {wanted} it with power {power:g}"
        )

    def design(villages: int) -> ClusterDesign:
        return ClusterDesign(villages, per_village, rho, weighting_deff, strata)

    def achieved(villages: int) -> float:
        return verdict_power(
            true_rate, threshold, design(villages), verdict=verdict, operator=operator, level=level, interval=interval
        )

    first = 2 * strata
    guess = _normal_sample_size(true_rate, threshold, power, level) * design(first).deff / per_village
    top = max(first + 1, math.ceil(2 * guess) + 10)
    while achieved(top) < power:
        top *= 2
        if top > _MAX_VILLAGES:
            raise StatsInputError(
                f"no survey of up to {_MAX_VILLAGES:,} villages certifies a true rate of {true_rate:g} against "
                f"{threshold:g} with power {power:g}"
            )
    low, high = first - 1, top  # achieved(high) >= power; low is below any answer
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if achieved(middle) >= power else (middle, high)
    chosen, villages = high, high
    # Past a saw-tooth dip the power may fall below the target again: move on until it stays above.
    while villages < chosen + max(10, chosen // 10):
        villages += 1
        if achieved(villages) < power:
            chosen = villages + 1
    return SamplePlan(design(chosen), achieved(chosen), power)


def _normal_sample_size(true_rate: float, threshold: float, power: float, level: float) -> float:
    """The textbook one-sample size for a proportion, a starting point for the exact search.

    ``n = (z_{1-a} sqrt(p0 q0) + z_{power} sqrt(p1 q1))^2 / (p1 - p0)^2`` with ``a = (1 - level) / 2``
    (Chow, Shao & Wang 2008, Sample Size Calculations in Clinical Research, sec. 4.1).
    """
    z_alpha = float(special.ndtri(0.5 + level / 2))
    z_beta = float(special.ndtri(power))
    spread = z_alpha * math.sqrt(threshold * (1 - threshold)) + z_beta * math.sqrt(true_rate * (1 - true_rate))
    return (spread / (true_rate - threshold)) ** 2


def mde_sample_factor(
    se: float,
    target: float,
    *,
    level: float = 0.95,
    power: float = 0.8,
    villages: int | None = None,
    strata: int = 1,
) -> float:
    """Return the factor by which a sample must grow for its minimum detectable effect to be ``target``.

    A design kept in shape (the same households per village, more villages) has standard errors
    that shrink with the square root of the sample, so the factor ``f`` solves
    ``MDE(se / sqrt(f), df(f)) = target`` with :func:`~pa_study.stats.minimum_detectable_effect`
    (Bloom 1995). The degrees of freedom grow with the villages, ``round(f villages) - strata``,
    or the test is normal when ``villages`` is None (a contrast of two counties, which the
    comparison judges on the normal).

    Parameters
    ----------
    se : float
        Standard error of the estimate at the current sample.
    target : float
        The minimum detectable effect wanted (the estimate's unit), positive.
    level, power : float
        Of the two-sided test.
    villages, strata : int
        Of the current sample, for the degrees of freedom; None for a normal test.

    Returns
    -------
    float
        Below 1 when the current sample already detects ``target``.
    """
    if not se > 0 or not target > 0:
        raise StatsInputError(f"a positive standard error and target MDE are needed, got se={se!r}, target={target!r}")

    def df(factor: float) -> float | None:
        return None if villages is None else max(1.0, round(factor * villages) - strata)

    factor = (minimum_detectable_effect(se, level, None, power) / target) ** 2
    for _ in range(50):
        updated = (minimum_detectable_effect(se, level, df(factor), power) / target) ** 2
        if abs(updated - factor) < 1e-12 * max(1.0, factor):
            break
        factor = updated
    return float(factor)


def simulated_verdict_power(
    true_rate: float,
    threshold: float,
    design: ClusterDesign,
    *,
    verdict: str = "pass",
    operator: str = "<",
    level: float = 0.95,
    interval: str = "korn_graubard",
    weights: Sequence[float] | np.ndarray | None = None,
    replications: int = 500,
    seed: int = 0,
) -> float:
    """Return the share of simulated surveys of ``design`` in which the verdict is ``verdict``.

    Each replication draws ``design.villages`` villages in ``design.strata`` townships, gives each
    village a rate from a beta distribution with mean ``true_rate`` and intra-village correlation
    ``design.rho`` (so that a village's count is beta-binomial), draws ``design.per_village``
    households in each (rounded), and judges the rate as the
    indicators do: the ratio estimate of a :class:`~pa_study.stats.SurveyDesign` (townships
    strata, villages PSUs, the weights given), its
    Korn-Graubard (or Wald) interval and :func:`~pa_study.stats.threshold_verdict`. The check of
    :func:`verdict_power` against the estimator as run.

    Parameters
    ----------
    true_rate, threshold, design, verdict, operator, level, interval
        As :func:`verdict_power` (plan with ``weighting_deff = kish_deff(weights)`` to match).
    weights : array-like of float, optional
        The weight of each sampled household, village by village (``per_village`` of each, in
        order), unrelated to the outcome; equal weights when None. Fixed across replications, as a
        design's weights are; the outcomes are redrawn.
    replications : int
        Simulated surveys.
    seed : int
        Of the random generator: the same seed gives the same share.

    Returns
    -------
    float
    """
    _check_rate(true_rate, "true_rate")
    _check_verdict_options(verdict, operator, interval)
    rng = np.random.default_rng(seed)
    per_village = max(1, round(design.per_village))
    villages = design.villages
    village = np.repeat(np.arange(villages), per_village)
    weight = np.ones(village.size) if weights is None else np.asarray(weights, dtype=float)
    if weight.shape != village.shape:
        raise StatsInputError(f"weights needs one weight for each of the {village.size} sampled households")
    frame = pd.DataFrame({"stratum": village % design.strata, "village": village, "weight": weight, "one": 1.0})
    survey = SurveyDesign(frame, weight="weight", strata="stratum", psu="village")
    weights_deff = kish_deff(weight)
    hits = 0
    for _ in range(replications):
        if design.rho > 0:
            spread = (1 - design.rho) / design.rho
            village_rate = rng.beta(true_rate * spread, (1 - true_rate) * spread, size=villages)
        else:
            village_rate = np.full(villages, true_rate)
        outcome = (rng.random(village.size) < village_rate[village]).astype(float)
        estimate = survey.assign(y=outcome).ratio("y", "one", level=level)
        rate, se = float(estimate.estimate), float(estimate.se)
        if interval == "korn_graubard":
            low, high = korn_graubard_interval(
                rate, se, village.size, survey.df, level, kish_deff=weights_deff, truncate=True
            )
        else:
            low, high = float(estimate.ci_low), float(estimate.ci_high)
        hits += threshold_verdict(rate, low, high, threshold, operator).passes_ci == verdict
    return hits / replications

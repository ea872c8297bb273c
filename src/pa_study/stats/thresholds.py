"""Judging an estimate against a policy threshold, and limits that keep bounded estimates in range.

One rule decides every threshold verdict of the project (the indicator files, the report and the
targeting results all call :func:`threshold_verdict`), so they agree at the boundary. A criterion
is an operator and a threshold (``< 0.02`` for the exit evaluation's error rates, ``> 0.9`` for its
approval rate, ``>= 0.3`` for a burden-reduction target). Its confidence-interval verdict is a
one-sided test at half the interval's level: ``pass`` when the whole interval satisfies the
criterion, ``fail`` when none of it does, else ``inconclusive``. Several criteria that must all
hold are combined by :func:`intersection_union`.

:func:`logit_interval` gives limits for a quantity bounded on both sides (FGT P1 and P2, the
Alkire-Foster M0, F1, Cohen's kappa) that, unlike Wald limits, stay inside its range.

References
----------
Berger, R. L. (1982). Multiparameter hypothesis testing and acceptance sampling. Technometrics
24(4), 295-300 (the intersection-union test).
Lumley, T. (2010). Complex Surveys. Wiley, sec. 2.3.1 (logit intervals for proportions, R's
``svyciprop(method = "logit")``).
"""

from __future__ import annotations

import math
import operator as op
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from scipy import special

from pa_study.stats._errors import StatsInputError
from pa_study.stats._results import critical_value

#: Criteria an estimate may have to meet: the operator the estimate stands on the left of.
OPERATORS: dict[str, Callable[[float, float], bool]] = {"<": op.lt, "<=": op.le, ">": op.gt, ">=": op.ge}
VERDICTS = ("pass", "fail", "inconclusive")


@dataclass(frozen=True)
class ThresholdVerdict:
    """An estimate against a criterion ``estimate <operator> threshold``.

    Attributes
    ----------
    passes : bool
        Whether the point estimate meets the criterion.
    passes_ci : str
        ``pass`` when both confidence limits meet it, ``fail`` when neither does, else
        ``inconclusive``.
    """

    passes: bool
    passes_ci: str


def threshold_verdict(
    estimate: float, ci_low: float, ci_high: float, threshold: float, operator: str = "<"
) -> ThresholdVerdict:
    """Judge an estimate and its interval against ``estimate <operator> threshold``.

    Parameters
    ----------
    estimate, ci_low, ci_high : float
        The estimate and its confidence limits.
    threshold : float
        The policy threshold.
    operator : {"<", "<=", ">", ">="}
        The criterion: ``<`` for "below 2%", ``>`` for "above 90%", ``>=`` for "at least 30%".

    Returns
    -------
    ThresholdVerdict

    Notes
    -----
    The set of values meeting a criterion is a half-line, so the whole interval meets it exactly
    when both limits do: ``pass`` is the one-sided test of "the criterion fails" at level
    ``(1 - level) / 2``, and ``fail`` that of "it holds".
    """
    if operator not in OPERATORS:
        raise StatsInputError(f"threshold operator {operator!r} is not one of {list(OPERATORS)}")
    meets = OPERATORS[operator]
    low_ok, high_ok = meets(ci_low, threshold), meets(ci_high, threshold)
    by_ci = "pass" if low_ok and high_ok else "fail" if not (low_ok or high_ok) else "inconclusive"
    return ThresholdVerdict(passes=bool(meets(estimate, threshold)), passes_ci=by_ci)


def intersection_union(verdicts: Iterable[str | None]) -> str:
    """Combine the interval verdicts of criteria that must all hold.

    ``pass`` only when every criterion passes (the intersection-union test: each one-sided test at
    level alpha gives a test of the conjunction at level alpha, with no multiplicity adjustment);
    ``fail`` when any fails; otherwise ``inconclusive``. A criterion that could not be judged
    (``None``) cannot pass.

    Parameters
    ----------
    verdicts : iterable of str or None
        ``pass``, ``fail``, ``inconclusive`` or ``None`` per criterion (at least one).
    """
    values = list(verdicts)
    if not values:
        raise StatsInputError("an intersection-union verdict needs at least one criterion")
    unknown = [v for v in values if v is not None and v not in VERDICTS]
    if unknown:
        raise StatsInputError(f"verdicts must be one of {VERDICTS} or None, got {unknown}")
    if "fail" in values:
        return "fail"
    return "pass" if all(v == "pass" for v in values) else "inconclusive"


def logit_interval(
    estimate: float, se: float, df: float | None, level: float = 0.95, *, lower: float = 0.0, upper: float = 1.0
) -> tuple[float, float]:
    """Confidence limits of a quantity bounded by ``lower`` and ``upper``, built on the logit scale.

    The estimate is mapped to ``p = (estimate - lower) / (upper - lower)``, the interval
    ``logit(p) ± t × se / ((upper - lower) p (1 - p))`` (the delta method) is mapped back, so both
    limits stay strictly inside the range. For a proportion this is R's
    ``svyciprop(method = "logit")``; with ``lower = -1`` it is the Fisher-z interval of a
    correlation-like index (``logit((1 + x) / 2) = 2 atanh(x)``).

    Parameters
    ----------
    estimate, se : float
        The estimate and its standard error.
    df : float or None
        Degrees of freedom of the t quantile (``None``: normal).
    level : float
        Confidence level.
    lower, upper : float
        The range of the quantity.

    Returns
    -------
    (float, float)
        The limits; ``(estimate, estimate)`` when the estimate sits on a bound or has no sampling
        error, where the transform is undefined (the caller bounds such an interval otherwise, see
        :func:`pa_study.indicators.survey.bounded_estimate`).
    """
    if not lower < upper:
        raise StatsInputError(f"the range needs lower < upper, got [{lower}, {upper}]")
    if not lower <= estimate <= upper:
        raise StatsInputError(f"estimate {estimate!r} is outside its range [{lower}, {upper}]")
    span = upper - lower
    p = (estimate - lower) / span
    if p in (0.0, 1.0) or not se > 0 or not math.isfinite(se):
        return float(estimate), float(estimate)
    half = critical_value(level, df) * se / (span * p * (1 - p))
    centre = float(special.logit(p))
    return lower + span * float(special.expit(centre - half)), lower + span * float(special.expit(centre + half))

"""Small result objects shared by every estimator in :mod:`pa_study.stats`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special


def critical_value(level: float, df: float | None = None) -> float:
    """Return the two-sided critical value of a ``level`` confidence interval.

    Student's t with ``df`` degrees of freedom, or the standard normal when ``df`` is ``None`` or
    infinite. Computed with ``scipy.special`` (the inverse CDFs ``stdtrit``/``ndtri``) rather than
    ``scipy.stats``, whose import alone costs most of a pipeline job's start-up.

    Parameters
    ----------
    level : float
        Confidence level, strictly between 0 and 1.
    df : float or None
        Degrees of freedom.

    Returns
    -------
    float
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be strictly between 0 and 1, got {level!r}")
    probability = 0.5 + level / 2
    if df is None or not np.isfinite(df):
        return float(special.ndtri(probability))
    return float(special.stdtrit(df, probability))


def minimum_detectable_effect(se: float, level: float = 0.95, df: float | None = None, power: float = 0.8) -> float:
    """Return the smallest true effect a two-sided test at ``1 - level`` detects with ``power``.

    ``MDE = (t_{1 - alpha/2} + t_{power}) x SE`` (Bloom 1995, Evaluation Review 19(5); 2.80 x SE at the
    usual 5% and 80%): a null estimate rules out effects of this size or more, not effects in
    general.

    Parameters
    ----------
    se : float
        Standard error of the estimate.
    level : float
        Confidence level of the test's interval.
    df : float or None
        Degrees of freedom (normal when ``None``).
    power : float
        Probability of detecting an effect of the returned size.

    Returns
    -------
    float
    """
    if not 0 < power < 1:
        raise ValueError(f"power must be strictly between 0 and 1, got {power!r}")
    one_sided = critical_value(2 * power - 1, df)
    return float((critical_value(level, df) + one_sided) * se)


@dataclass(frozen=True)
class Estimate:
    """One point estimate with its design-based uncertainty.

    Attributes
    ----------
    name : str
        What was estimated (e.g. ``"mean(income)"``).
    estimate, se, ci_low, ci_high : float
        Point estimate, standard error and confidence limits.
    n : int
        Number of observations that entered the estimate.
    df : float or None
        Degrees of freedom used for the confidence interval (``None`` means normal).
    level : float
        Confidence level of ``ci_low``/``ci_high``.
    extra : dict
        Estimator-specific fields (thresholds, verdicts, ...), included in :meth:`to_dict`.
    """

    name: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    df: float | None = None
    level: float = 0.95
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def deff(self) -> float | None:
        """Design effect against simple random sampling, when it was requested (``deff=True``)."""
        value = self.extra.get("deff")
        return None if value is None else float(value)

    @property
    def n_effective(self) -> float | None:
        """Effective sample size ``n / deff``, when the design effect was requested."""
        value = self.extra.get("n_effective")
        return None if value is None else float(value)

    def to_dict(self) -> dict[str, Any]:
        """Return the estimate as a flat dict (``extra`` merged in), ready to be a table row."""
        row = asdict(self)
        extra = row.pop("extra")
        row.update(extra)
        return row

    def to_frame(self) -> pd.DataFrame:
        """Return the estimate as a one-row :class:`pandas.DataFrame`."""
        return pd.DataFrame([self.to_dict()])

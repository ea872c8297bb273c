"""Targeting accuracy of a beneficiary register against true eligibility.

Classification rates (inclusion and exclusion error, accuracy, precision, recall, F1, Cohen's
kappa) and the two rates of China's third-party poverty-exit evaluation (第三方评估):
错退率, the wrongful-exit rate, and 漏评率, the missed-registration rate. Every rate is a
ratio of estimated population totals (kappa a smooth function of three means), so under a
survey design it is estimated by :class:`~pa_study.stats.SurveyDesign` with linearisation
standard errors.

References
----------
Coady, D., Grosh, M. and Hoddinott, J. (2004). Targeting of Transfers in Developing Countries.
World Bank. (Inclusion / exclusion errors.)
Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and Psychological
Measurement 20(1), 37-46.
国务院扶贫开发领导小组 (2016). 《贫困县退出专项评估检查实施办法》: 错退率、漏评率 below 2%.
综合贫困发生率 as the evaluation computes it: shared/domain/facts-2.md §4 (yunnanlong.com/c/4255203.html).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from pa_study.stats._errors import StatsInputError
from pa_study.stats._estimators import kish_deff
from pa_study.stats._results import Estimate
from pa_study.stats.survey import (
    SurveyDesign,
    as_binary,
    design_or_srs,
    design_values,
    rename,
)
from pa_study.stats.thresholds import threshold_verdict

ERROR_RATES = ("inclusion_error", "exclusion_error", "wrongful_exit_rate", "missed_rate")
DEFAULT_THRESHOLD = 0.02
_PREFIX = "__targeting_"


@dataclass(frozen=True)
class TargetingResult:
    """Targeting rates with design-based uncertainty.

    Attributes
    ----------
    inclusion_error : Estimate or None
        Registered but not eligible, as a share of the registered (leakage).
    exclusion_error : Estimate
        Eligible but not registered, as a share of the eligible (under-coverage).
    accuracy, precision, recall, f1, kappa : Estimate
        Share classified correctly; 1 - inclusion error; 1 - exclusion error; harmonic mean of
        precision and recall; Cohen's kappa (agreement beyond chance).
    wrongful_exit_rate : Estimate or None
        错退率: wrongly exited ÷ exited households; ``None`` when ``exited`` was not given.
    missed_rate : Estimate
        漏评率: eligible but unregistered ÷ unregistered households.
    confusion : pandas.DataFrame
        Estimated population counts (weighted) by registration (rows) and eligibility
        (columns).
    undefined : dict
        Rate name -> why it is undefined in this sample (``undefined="omit"``); those rates are ``None``.

    The error rates carry ``threshold``, ``verdict`` ("pass" when the estimate is below the
    threshold) and ``verdict_ci`` ("pass" when the whole CI is below it, "fail" when the whole
    CI is at or above it, otherwise "inconclusive") in their ``extra``.
    """

    inclusion_error: Estimate | None
    exclusion_error: Estimate | None
    accuracy: Estimate
    precision: Estimate | None
    recall: Estimate | None
    f1: Estimate | None
    kappa: Estimate | None
    wrongful_exit_rate: Estimate | None
    missed_rate: Estimate | None
    confusion: pd.DataFrame
    undefined: dict[str, str] = field(default_factory=dict)

    @property
    def rates(self) -> dict[str, Estimate]:
        """The computed rates by name (``wrongful_exit_rate`` omitted when not computed, and rates
        undefined in the sample)."""
        names = (
            "inclusion_error",
            "exclusion_error",
            "accuracy",
            "precision",
            "recall",
            "f1",
            "kappa",
            "wrongful_exit_rate",
            "missed_rate",
        )
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}

    def to_frame(self) -> pd.DataFrame:
        """One row per rate: estimate, se, CI, n, df, and threshold / verdicts where they apply."""
        table = pd.DataFrame([e.to_dict() for e in self.rates.values()])
        return table.rename(columns={"name": "rate"})


def targeting_errors(
    registered: object,
    eligible: object,
    *,
    weight: object = None,
    design: SurveyDesign | None = None,
    exited: object = None,
    wrongly_exited: object = None,
    thresholds: float | Mapping[str, float] = DEFAULT_THRESHOLD,
    level: float = 0.95,
    undefined: Literal["raise", "omit"] = "raise",
    domain: object = None,
) -> TargetingResult:
    """Estimate targeting errors of a register, with design-based SEs and threshold verdicts.

    Parameters
    ----------
    registered, eligible : str or array-like of bool / 0-1
        Whether each household is on the register (建档立卡) and whether it truly meets the
        criteria. With ``design``, column names of ``design.data`` or arrays in its row order;
        without, arrays of equal length.
    weight : array-like, optional
        Sampling weights when no design is given (each household then is its own PSU in one
        stratum, i.e. a with-replacement sample). Omit for an unweighted sample.
    design : SurveyDesign, optional
        The survey design the households were sampled under.
    exited, wrongly_exited : str or array-like of bool / 0-1, optional
        Whether a household was declared out of poverty (退出), and whether that exit was wrong
        (it did not meet the exit standard). ``wrongly_exited`` must imply ``exited``. Needed
        for the wrongful-exit rate.
    thresholds : float or mapping
        Maximum acceptable value of the error rates (``inclusion_error``, ``exclusion_error``,
        ``wrongful_exit_rate``, ``missed_rate``); a mapping sets them individually, rates it
        leaves out keep 2%.
    level : float
        Confidence level.
    undefined : {"raise", "omit"}
        What a rate whose denominator is empty (no registered, eligible, unregistered or exited
        household), or kappa when chance agreement is 1, does: raise, or be left out (``None``, the
        reason in :attr:`TargetingResult.undefined`) while every defined rate is estimated — a
        county where every household is registered still has its inclusion error.
    domain : str or array-like of bool / 0-1, optional
        The households the rates describe (e.g. those whose reference income is known); the others
        stay in the design with zero influence (domain estimation, as R's ``subset(design, ...)``),
        and their indicators may be missing. Default: every household.

    Returns
    -------
    TargetingResult
        All rates as :class:`Estimate` objects; :meth:`TargetingResult.to_frame` tabulates them.

    Raises
    ------
    StatsInputError
        Non-binary or missing indicators; wrongly exited households that did not exit; with
        ``undefined="raise"``, a rate whose denominator is empty or kappa undefined.

    Notes
    -----
    Rates are ratios of weighted totals (``svyratio``); accuracy is a mean; kappa
    ``(p_o - p_e) / (1 - p_e)`` with ``p_e = p_r p_e + (1 - p_r)(1 - p_e)`` is linearised by the
    delta method, as R's ``svycontrast`` does. The wrongful-exit rate divides by exited
    households, the missed rate by unregistered households of the sample (not by the eligible,
    as the exclusion error does).
    """
    design = design_or_srs(design, weight, registered, "registered")
    inside = np.ones(design.n) if domain is None else _indicator(design, domain, "domain")
    if not inside.any():
        raise StatsInputError("the domain holds no household: targeting rates are undefined")
    reg = _indicator(design, registered, "registered", inside)
    elig = _indicator(design, eligible, "eligible", inside)
    limits = _thresholds(thresholds)
    parts = {
        "fp": reg * (1 - elig),
        "fn": elig * (1 - reg),
        "tp": reg * elig,
        "tp2": 2 * reg * elig,
        "reg": reg,
        "elig": elig,
        "unreg": (1 - reg) * inside,
        "both": reg + elig,
        "agree": (reg == elig) * inside,
        "inside": inside,
    }
    parts |= _exits(design, exited, wrongly_exited, inside)
    ds = design.assign(**{_PREFIX + key: values for key, values in parts.items()})
    empty = {
        name: f"the sample has no {_DENOMINATORS[den]}"
        for name, (_, den) in _RATIOS.items()
        if den in parts and not parts[den].any()
    }
    if empty and undefined == "raise":
        name, why = next(iter(empty.items()))
        raise StatsInputError(f"{name}: {why}, so the rate over them is undefined")
    rates: dict[str, Estimate | None] = dict.fromkeys(("wrongful_exit_rate", *empty))
    rates |= _ratios(ds, parts, level, skip=set(empty))
    accuracy = ds.ratio(_PREFIX + "agree", _PREFIX + "inside", level=level)
    rates["accuracy"] = dataclasses.replace(rename(accuracy, "accuracy"), n=int(np.count_nonzero(inside)))
    try:
        rates["kappa"] = _kappa(ds, reg, elig, inside, level)
    except StatsInputError as exc:
        if undefined == "raise":
            raise
        rates["kappa"], empty["kappa"] = None, str(exc)
    for name in ERROR_RATES:
        if rates[name] is not None:
            rates[name] = _verdict(rates[name], limits[name])
    return TargetingResult(**rates, confusion=_confusion(design.weights * inside, reg, elig), undefined=empty)


def composite_incidence(
    design: SurveyDesign,
    *,
    remaining: object,
    missed: object,
    exited: object,
    wrongly_exited: object,
    evaluated: object = None,
    size: object = None,
    level: float = 0.95,
    domain: object = None,
) -> Estimate:
    """综合贫困发生率, the composite poverty incidence of the county exit evaluation, with its SE.

    ``(remaining + missed + wrongful-exit rate × exited) ÷ population``: the registered poor not yet
    exited, the poor never registered, and the wrongly exited, scaled up as the evaluation does from
    the wrongful-exit rate of the exited units it checked (``evaluated``) to every exited unit.

    Parameters
    ----------
    design : SurveyDesign
        The survey design.
    remaining, missed, exited : str or array-like of bool / 0-1
        Registered and not exited (未脱贫); unregistered and below the standard (漏评); exited.
        Columns of ``design.data`` or arrays in its row order; mutually exclusive.
    wrongly_exited : str or array-like of bool / 0-1
        Evaluated exited units that did not meet the standard (错退).
    evaluated : str or array-like of bool / 0-1, optional
        The exited units the wrongful-exit rate is estimated on (all exited by default; the latest
        exit cohort when only its exits can be judged).
    size : str or array-like, optional
        Persons per unit (household size) to count persons; households are counted without it.
    level : float
        Confidence level.
    domain : str or array-like of bool / 0-1, optional
        The units the incidence describes (its population); the others stay in the design with zero
        influence (domain estimation, as R's ``subset(design, ...)``), and their indicators and size
        may be missing. Default: every unit.

    Returns
    -------
    Estimate
        ``n`` is the number of sampled units in the domain; ``extra`` holds ``wrongful_exit_rate``.

    Raises
    ------
    StatsInputError
        Non-binary or missing indicators, overlapping groups, wrongly exited units that were not
        evaluated or evaluated units that did not exit, or exited units with none evaluated.

    Notes
    -----
    A smooth function of six estimated totals (remaining R, missed M, exited X, wrongly exited W,
    evaluated E, population N), ``θ = (R + M + (W / E) X) / N``, linearised by the delta method as
    R's ``svycontrast`` does for ``svytotal`` objects.
    """
    inside = np.ones(design.n) if domain is None else _indicator(design, domain, "domain")
    if not inside.any():
        raise StatsInputError("the domain holds no unit: the composite incidence is undefined")
    parts = {
        role: _indicator(design, values, role, inside)
        for role, values in (("remaining", remaining), ("missed", missed), ("exited", exited))
    }
    wrong = _indicator(design, wrongly_exited, "wrongly_exited", inside)
    checked = parts["exited"] if evaluated is None else _indicator(design, evaluated, "evaluated", inside)
    if (parts["remaining"] + parts["missed"] + parts["exited"] > 1).any():
        raise StatsInputError("remaining, missed and exited must be mutually exclusive")
    if (wrong > checked).any() or (checked > parts["exited"]).any():
        raise StatsInputError("wrongly exited units must be evaluated, and evaluated units must have exited")
    persons = np.ones(design.n) if size is None else pd.to_numeric(design_values(design, size, "size")[0])
    persons = np.where(inside > 0, np.asarray(persons, dtype=float), 0.0)
    if np.isnan(persons).any() or (persons[inside > 0] <= 0).any():
        raise StatsInputError("size must be positive and known for every unit")
    w = design.weights
    totals = {
        key: float(w @ (persons * values)) for key, values in {**parts, "wrong": wrong, "checked": checked}.items()
    }
    population = float(w @ persons)
    if totals["checked"] == 0 and totals["exited"] > 0:
        raise StatsInputError("exited units but none evaluated: the wrongful-exit rate is undefined")
    rate = totals["wrong"] / totals["checked"] if totals["checked"] > 0 else 0.0
    scale = totals["exited"] / totals["checked"] if totals["checked"] > 0 else 0.0
    estimate = (totals["remaining"] + totals["missed"] + rate * totals["exited"]) / population
    linear = persons * (
        parts["remaining"] + parts["missed"] + rate * parts["exited"] + scale * (wrong - rate * checked) - estimate
    )
    n = int(np.count_nonzero(inside))
    result = design.linearized("composite_incidence", estimate, w * linear / population, n=n, level=level)
    return rename(result, "composite_incidence", wrongful_exit_rate=rate)


def _indicator(design: SurveyDesign, x: object, role: str, inside: np.ndarray | None = None) -> np.ndarray:
    """A 0/1 indicator per row; missing values are an error inside the domain and 0 outside it."""
    values, name = design_values(design, x, role)
    series = pd.Series(values)
    if inside is not None:
        series = series.where(inside > 0, 0)
    if series.isna().any():
        raise StatsInputError(f"{role} ({name!r}) has {int(series.isna().sum())} missing value(s)")
    return as_binary(series, name)


def _thresholds(thresholds: float | Mapping[str, float]) -> dict[str, float]:
    if isinstance(thresholds, Mapping):
        unknown = set(thresholds) - set(ERROR_RATES)
        if unknown:
            raise StatsInputError(
                f"thresholds for unknown rate(s) {sorted(unknown)}; thresholds apply to {ERROR_RATES}"
            )
        limits = {name: DEFAULT_THRESHOLD for name in ERROR_RATES} | dict(thresholds)
    else:
        limits = {name: thresholds for name in ERROR_RATES}
    for name, value in limits.items():
        if not 0 < float(value) < 1:
            raise StatsInputError(f"threshold for {name} must be a proportion in (0, 1), got {value!r}")
    return {name: float(value) for name, value in limits.items()}


# Rates that are ratios of weighted totals: name -> (numerator, denominator) indicator.
_RATIOS = {
    "inclusion_error": ("fp", "reg"),
    "exclusion_error": ("fn", "elig"),
    "precision": ("tp", "reg"),
    "recall": ("tp", "elig"),
    "f1": ("tp2", "both"),
    "missed_rate": ("fn", "unreg"),
    "wrongful_exit_rate": ("wrong", "out"),
}
_DENOMINATORS = {
    "reg": "registered households",
    "elig": "eligible households",
    "unreg": "unregistered households",
    "out": "exited households",
    "both": "registered or eligible households",
}


def _ratios(ds: SurveyDesign, parts: dict[str, np.ndarray], level: float, skip: set[str]) -> dict[str, Estimate]:
    """The ratio rates whose indicators are in ``parts`` (but those in ``skip``), in one vectorised pass."""
    pairs = {name: pair for name, pair in _RATIOS.items() if pair[1] in parts and name not in skip}
    if not pairs:
        return {}
    table = ds.ratio(
        [_PREFIX + num for num, _ in pairs.values()], [_PREFIX + den for _, den in pairs.values()], level=level
    )
    # n is the number of sampled households in the rate's denominator; with design effects, the
    # effective n is that n over the rate's deff, and the Kish deff is of those households' weights.
    rates = {}
    for (name, (_, den)), row in zip(pairs.items(), table.to_dict("records"), strict=True):
        n = int(np.count_nonzero(parts[den]))
        extra = {}
        if "deff" in row:
            in_denominator = ds.weights[parts[den] > 0]
            extra = {"deff": row["deff"], "n_effective": n / row["deff"], "kish_deff": kish_deff(in_denominator)}
        rates[name] = Estimate(
            name=name,
            estimate=row["estimate"],
            se=row["se"],
            ci_low=row["ci_low"],
            ci_high=row["ci_high"],
            n=n,
            df=ds.df,
            level=level,
            extra=extra,
        )
    return rates


def _kappa(ds: SurveyDesign, reg: np.ndarray, elig: np.ndarray, inside: np.ndarray, level: float) -> Estimate:
    """Cohen's kappa with its delta-method influence from the three means it is built on (over the
    domain ``inside``; rows outside it have zero influence)."""
    w = ds.weights * inside
    total = w.sum()
    p_o, p_r, p_e = (w @ v / total for v in ((reg == elig).astype(float), reg, elig))
    chance = p_r * p_e + (1 - p_r) * (1 - p_e)
    if np.isclose(chance, 1.0):
        raise StatsInputError(
            "Cohen's kappa is undefined: registered and eligible are constant (chance agreement is 1)"
        )
    kappa = (p_o - chance) / (1 - chance)
    # Influence of a mean m of x is w (x - m) / sum(w); combine by the chain rule.
    infl = {
        name: w * (v - m) / total
        for name, v, m in (("o", (reg == elig).astype(float), p_o), ("r", reg, p_r), ("e", elig, p_e))
    }
    d_chance = (2 * p_e - 1) * infl["r"] + (2 * p_r - 1) * infl["e"]
    influence = infl["o"] / (1 - chance) + (p_o - 1) / (1 - chance) ** 2 * d_chance
    return ds.linearized("kappa", kappa, influence, n=int(np.count_nonzero(inside)), level=level)


def _exits(design: SurveyDesign, exited: object, wrongly_exited: object, inside: np.ndarray) -> dict[str, np.ndarray]:
    """The exit indicators for the wrongful-exit rate, or nothing when exits were not given."""
    if exited is None and wrongly_exited is None:
        return {}
    if exited is None or wrongly_exited is None:
        raise StatsInputError("the wrongful-exit rate needs both exited= and wrongly_exited=")
    out = _indicator(design, exited, "exited", inside)
    wrong = _indicator(design, wrongly_exited, "wrongly_exited", inside)
    if (wrong > out).any():
        raise StatsInputError(f"{int((wrong > out).sum())} household(s) are wrongly_exited but not exited")
    return {"out": out, "wrong": wrong}


def _verdict(estimate: Estimate, threshold: float) -> Estimate:
    verdict = threshold_verdict(estimate.estimate, estimate.ci_low, estimate.ci_high, threshold, "<")
    return rename(
        estimate,
        estimate.name,
        threshold=threshold,
        verdict="pass" if verdict.passes else "fail",
        verdict_ci=verdict.passes_ci,
    )


def _confusion(weights: np.ndarray, reg: np.ndarray, elig: np.ndarray) -> pd.DataFrame:
    cells = {(r, e): float(weights @ ((reg == r) & (elig == e))) for r in (1, 0) for e in (1, 0)}
    return pd.DataFrame(
        [[cells[1, 1], cells[1, 0]], [cells[0, 1], cells[0, 0]]],
        index=pd.Index(["registered", "not registered"], name="register"),
        columns=pd.Index(["eligible", "not eligible"], name="truth"),
    )

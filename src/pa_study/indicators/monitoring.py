"""After 2020 (防止返贫动态监测): the monitoring list, relapse risk, vulnerability and other lines.

Five views of the households at risk once every county has exited:

* **monitoring-list targeting**: the list (``monitored``) against per-capita income below the
  county's monitoring threshold of the survey year (2020: about 1.5 x the national line; from 2021
  each province sets its own), among households that have exited or were never registered (those
  still on the register are assisted as poor households, not monitored): coverage, inclusion and
  exclusion errors, and the same by the three groups of 中农组发〔2021〕7号 (``monitoring_group``);
* **relapse risk**: exited households below the survey-year line now, by exit cohort and by the
  recorded main cause of poverty, and those in the vulnerable band (the line to a multiple of it);
  below the line now mixes relapse with wrongful exit, which only the income at exit separates
  (the identification family);
* **vulnerability** to poverty (Chaudhuri, Jalan & Suryahadi 2002): expected log per-capita income
  and its variance from household characteristics by three-step feasible GLS, design-weighted; the
  probability of being below the line is ``Phi((ln z - X b) / s(X))`` and the vulnerable share that
  of households with probability at or above the cutoff, with a replicate (bootstrap) SE that
  re-estimates the model in every replicate;
* **relative poverty**: persons below 40% and 50% of the county's weighted median per-capita
  income (median with its Woodruff interval; the shares' SEs by bootstrap, the median re-estimated
  in every replicate), and below the same fractions of the national rural median;
* **international lines**: FGT P0 and P1 at $2.15, $3.65, $6.85 a day (2017 PPP) and at the lines
  of the June 2025 update that replace them, $3.00, $4.20 and $8.30 (2021 PPP), converted with the
  private-consumption PPP factor (or the World Bank's rural factor) and moved from the PPP year's
  prices to the survey year's by the rural CPI.

References
----------
Chaudhuri, Jalan & Suryahadi (2002), Assessing household vulnerability to poverty from cross-sectional
data: a methodology and estimates from Indonesia, Columbia University DP 0102-52; Amemiya (1977),
Econometrica 45(4) (FGLS for the variance equation); Foster, Greer & Thorbecke (1984); Woodruff
(1952), JASA 47 (quantile intervals); Jolliffe et al. (2022), World Bank PRWP 9941 (2017 PPP lines);
中央农村工作领导小组 (2021), 中农组发〔2021〕7号 (monitoring groups).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy.special import ndtr

from pa_study.codebook import INCOME_TOTALS
from pa_study.config import ConfigPart, Number
from pa_study.design import DESIGN_COLUMNS
from pa_study.disclosure import Margin, Protection
from pa_study.indicators.exits import EXIT_COHORT, cohort_table, exit_cohorts
from pa_study.indicators.family import FigureSpec, IndicatorFamily
from pa_study.indicators.identification import per_capita_income
from pa_study.indicators.output import FamilyResult, estimate_table, headline_row, missing_row
from pa_study.indicators.settings import PovertyLine, WithPovertyLines, county_entries, entry_of_year
from pa_study.indicators.survey import (
    as_float,
    counting_design,
    domain_proportion_intervals,
    group_difference,
    household_design,
    proportion_estimate,
    proportion_interval,
    ratio_by,
    required_table,
    varying_columns,
)
from pa_study.stats import Estimate, StatsInputError, SurveyDesign, fgt

GROUPS = ("unstable_exited", "marginal", "sudden_difficulty")
#: The households each monitoring group is drawn from, where income defines it: 脱贫不稳定户 from the
#: exited, 边缘易致贫户 from households never registered. 突发严重困难户 are listed for large rigid
#: spending or a sharp loss, which income alone does not show.
_GROUP_POOLS = {"unstable_exited": "exited", "marginal": "unregistered"}
#: Household columns :func:`relapse_frame` reads besides the design columns.
RELAPSE_COLUMNS = ("hh_size", "inc_total", *INCOME_TOTALS["inc_total"], "registered", "exited", "poverty_cause")
_TARGETS = {
    "exited_or_unregistered": "households that have exited or were never registered",
    "all": "all households",
}


# ---- settings --------------------------------------------------------------------------------


class VulnerabilityOptions(ConfigPart):
    """Chaudhuri-Jalan-Suryahadi vulnerability: model, cutoff and replicates."""

    covariates: tuple[str, ...]
    line: str
    probability: Number
    variance_model: str
    log_floor: Number


class InternationalLine(ConfigPart):
    """An international poverty line: dollars a day per person at the PPP of ``ppp_year``."""

    name: str
    dollars_per_day: Number
    ppp_year: int
    source: str


class PPPFactor(ConfigPart):
    """China's PPP conversion factors of one ICP round, yuan per international dollar."""

    year: int
    private_consumption: Number
    rural: Number
    source: str


class PriceIndex(ConfigPart):
    """A consumer price index of one year, previous year = 100."""

    year: int
    index: Number
    source: str


class InternationalOptions(ConfigPart):
    """Lines, the PPP factor used and the price index moving them to the survey year."""

    lines: tuple[InternationalLine, ...]
    ppp: str
    ppp_factors: tuple[PPPFactor, ...]
    cpi: tuple[PriceIndex, ...]


class RelativeOptions(ConfigPart):
    """Relative poverty: fractions of the median and the national rural median by year."""

    fractions: tuple[Number, ...]
    national_median: tuple[PovertyLine, ...]


class ReplicateOptions(ConfigPart):
    """Bootstrap replicates for the statistics that re-estimate a model or a median."""

    replicates: int
    seed: int


class MonitoringOptions(ConfigPart):
    """The config's ``indicators.monitoring`` section."""

    thresholds: tuple[PovertyLine, ...]
    target_population: str
    vulnerable_band: Number
    income_from_components: bool
    unit: str
    relapse_causes: tuple[str, ...]
    vulnerability: VulnerabilityOptions
    relative: RelativeOptions
    international: InternationalOptions
    replication: ReplicateOptions


class MonitoringSettings(WithPovertyLines):
    """Settings of the monitoring family: the county's poverty lines and monitoring thresholds."""

    monitoring: MonitoringOptions

    @classmethod
    def config_part(cls, config: Mapping[str, Any], family: str, county: str) -> dict[str, Any]:
        """The shared part, the poverty lines and the ``monitoring`` section with the county's
        thresholds (a county's own entry replacing the national one, as for poverty lines)."""
        part = super().config_part(config, family, county)
        section = part["monitoring"]
        return part | {"monitoring": section | {"thresholds": county_entries(section["thresholds"], county)}}

    def threshold(self, year: int) -> float | None:
        """The county's monitoring threshold of ``year``, yuan per person per year (None if not configured)."""
        entry = entry_of_year(self.monitoring.thresholds, year)
        return None if entry is None else float(entry.value)


# ---- constructs ------------------------------------------------------------------------------


def household_columns(settings: MonitoringSettings) -> dict[str, list[str]]:
    """The household columns the family reads: the design columns, :data:`RELAPSE_COLUMNS`, the
    monitoring list and its groups, the exit year and the vulnerability covariates (the family's
    designs are of these columns alone, never calibrated)."""
    named = [*DESIGN_COLUMNS, *RELAPSE_COLUMNS, "monitored", "monitoring_group", "exit_year"]
    return {"households": list(dict.fromkeys([*named, *settings.monitoring.vulnerability.covariates]))}


def exit_status(households: pd.DataFrame) -> dict[str, np.ndarray]:
    """Return ``registered``, ``exited`` (registered and exited) and ``unregistered`` as floats, NaN
    where unknown: a registered household whose exit status is missing is neither exited nor
    surely on the register."""
    registered = households["registered"].astype("boolean")
    exited_answer = households["exited"].astype("boolean")
    exited = (registered.fillna(False) & exited_answer.fillna(False)).to_numpy(dtype=bool)
    never = (~registered.fillna(True)).to_numpy(dtype=bool)
    known = registered.notna().to_numpy() & (~registered.fillna(False) | exited_answer.notna()).to_numpy()
    return {
        "registered": as_float(registered),
        "exited": np.where(known, exited, np.nan),
        "unregistered": np.where(known, never, np.nan),
    }


def relapse_frame(households: pd.DataFrame, settings: MonitoringSettings) -> pd.DataFrame:
    """Return every sampled household with what relapse risk needs: the design columns,
    ``hh_size``, ``income_pc`` (NaN unknown), :func:`exit_status` and ``poverty_cause``.

    It reads only :data:`RELAPSE_COLUMNS` besides the design, so the pooled comparison can read no
    more of a county's table than its models use.
    """
    return pd.DataFrame(
        {
            **{column: households[column].to_numpy() for column in DESIGN_COLUMNS},
            "hh_size": as_float(households["hh_size"]),
            "income_pc": per_capita_income(households, from_components=settings.monitoring.income_from_components),
            **exit_status(households),
            "poverty_cause": households["poverty_cause"].astype("string").to_numpy(),
        }
    )


def monitoring_frame(households: pd.DataFrame, settings: MonitoringSettings) -> pd.DataFrame:
    """Return every sampled household with the family's constructs as float columns.

    Columns: those of :func:`relapse_frame`, ``unregistered``, ``target`` (the configured target
    population), ``monitored`` (NaN unknown), ``monitoring_group``, :data:`~.exits.EXIT_COHORT`
    and the vulnerability covariates as they are in the table. No household is dropped: each
    estimate uses the households whose inputs it needs (domains of the full design).
    """
    options = settings.monitoring
    frame = relapse_frame(households, settings)
    if options.target_population == "exited_or_unregistered":
        target = np.fmax(frame["exited"], frame["unregistered"]).where(frame["exited"].notna())
    else:
        target = pd.Series(1.0, index=frame.index).where(frame["exited"].notna())
    frame = frame.assign(
        target=target.to_numpy(),
        monitored=as_float(households["monitored"].astype("boolean")),
        monitoring_group=households["monitoring_group"].astype("string").to_numpy(),
        **{EXIT_COHORT: exit_cohorts(households, survey_year=settings.study.survey_year).to_numpy()},
    )
    for column in options.vulnerability.covariates:
        if column not in frame.columns:
            frame[column] = households[column].to_numpy()
    return frame


def within(indicator: np.ndarray, domain: np.ndarray) -> np.ndarray:
    """``indicator`` inside ``domain`` (1) and NaN outside it or where either is unknown: a
    proportion over the domain is then the mean of the result over its observed rows."""
    return np.where(domain == 1, indicator, np.nan)


# ---- monitoring-list targeting ---------------------------------------------------------------


#: name -> (label, definition) of the targeting rates.
TARGETING: dict[str, tuple[str, str]] = {
    "below_threshold_share": (
        "低于监测标准的农户比例 households below the monitoring threshold",
        "households with per-capita income below the threshold ÷ households of the target population",
    ),
    "monitored_share": (
        "监测户比例 households on the monitoring list",
        "monitored households ÷ households of the target population",
    ),
    "monitoring_coverage_rate": (
        "监测覆盖率 coverage of the monitoring list",
        "monitored ÷ households of the target population below the threshold",
    ),
    "monitoring_inclusion_error": (
        "监测对象错纳率 inclusion error of the monitoring list",
        "monitored households at or above the threshold ÷ monitored households of the target population",
    ),
    "monitoring_exclusion_error": (
        "监测对象漏纳率 exclusion error of the monitoring list",
        "households below the threshold not monitored ÷ households of the target population below the threshold",
    ),
}


#: The targeting rates among the headline rows; the exclusion error, one minus the coverage, is in
#: the ``targeting`` table only (as a headline it would count the same test twice in the comparison).
HEADLINE_TARGETING = (
    "below_threshold_share",
    "monitored_share",
    "monitoring_coverage_rate",
    "monitoring_inclusion_error",
)


def targeting_columns(frame: pd.DataFrame, threshold: float) -> dict[str, np.ndarray]:
    """Return the 0/1 columns (NaN unknown) behind :data:`TARGETING` for one threshold."""
    income = frame["income_pc"].to_numpy()
    below = np.where(np.isnan(income), np.nan, (income < threshold).astype(float))
    target = frame["target"].to_numpy()
    monitored = frame["monitored"].to_numpy()
    return {
        "_below": below,
        "_target": target,
        "_below_target": within(below, target),
        "_monitored_target": within(monitored, target),
        "_monitored_if_below": within(monitored, target * below),
        "_above_if_monitored": within(1 - below, target * monitored),
        "_missed_if_below": within(1 - monitored, target * below),
    }


def targeting_rates(design: SurveyDesign, settings: MonitoringSettings) -> dict[str, Estimate]:
    """Return the rates of :data:`TARGETING` that are defined in the sample (shares over their
    observed domain, with the configured proportion interval)."""
    parts = {
        "below_threshold_share": "_below_target",
        "monitored_share": "_monitored_target",
        "monitoring_coverage_rate": "_monitored_if_below",
        "monitoring_inclusion_error": "_above_if_monitored",
        "monitoring_exclusion_error": "_missed_if_below",
    }
    rates = {}
    for name, column in parts.items():
        estimate = proportion_estimate(design, column, None, level=settings.level, method=settings.proportion_interval)
        if estimate is not None:
            rates[name] = dataclasses.replace(estimate, name=name)
    return rates


def group_table(design: SurveyDesign, settings: MonitoringSettings) -> pd.DataFrame:
    """Return the monitoring list by group: each group's share of the monitored, the share of its
    listed households below the threshold, and (where income defines the group) its coverage of
    the households below the threshold in its pool.

    Returns
    -------
    DataFrame
        ``monitoring_group``, ``measure`` (``share_of_monitored``, ``below_threshold_share``,
        ``coverage_rate``), ``pool``, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``n_denominator``.
    """
    data = design.data
    group = data["monitoring_group"].astype("string")
    monitored = data["monitored"].to_numpy()
    below = data["_below"].to_numpy()
    rows = []
    for name in GROUPS:
        member = (group == name).fillna(False).to_numpy(dtype=float)
        listed = np.where(np.isnan(monitored), np.nan, member * (monitored == 1))
        columns = {
            "share_of_monitored": within(listed, monitored),
            "below_threshold_share": within(below, listed),
        }
        pool = _GROUP_POOLS.get(name)
        if pool is not None:
            columns["coverage_rate"] = within(listed, data[pool].to_numpy() * below)
        for measure, values in columns.items():
            estimate = proportion_estimate(
                design.assign(_value=values), "_value", None, level=settings.level, method=settings.proportion_interval
            )
            if estimate is not None:
                keys = {
                    "monitoring_group": name,
                    "measure": measure,
                    "pool": pool if measure == "coverage_rate" else "",
                }
                rows.append((keys, estimate))
    table = estimate_table(rows)
    return table.rename(columns={"n": "n_denominator"}) if len(table) else table


# ---- relapse risk ----------------------------------------------------------------------------


def relapse_columns(frame: pd.DataFrame, line: float, band: float, causes: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Return the 0/1 columns (NaN outside exited households or where unknown) of relapse risk:
    ``_exited_below`` (income below the line), ``_exited_band`` (from the line to ``band`` x line)
    and ``_heavy_cause`` (recorded main cause one of ``causes``)."""
    income = frame["income_pc"].to_numpy()
    known = ~np.isnan(income)
    exited = frame["exited"].to_numpy()
    below = np.where(known, income < line, np.nan)
    in_band = np.where(known, (income >= line) & (income < band * line), np.nan)
    cause = frame["poverty_cause"].astype("string")
    heavy = np.where(cause.isna().to_numpy(), np.nan, cause.isin(list(causes)).to_numpy(dtype=float))
    return {
        "_exited_below": within(below, exited),
        "_exited_band": within(in_band, exited),
        "_heavy_cause": within(heavy, exited),
    }


def cause_table(design: SurveyDesign, settings: MonitoringSettings) -> pd.DataFrame:
    """Return, by recorded main cause of poverty, the shares of exited households below the line
    and in the vulnerable band."""
    data = design.data
    exited_cause = data["poverty_cause"].astype("string").where(data["exited"] == 1)
    ds = design.assign(_cause=exited_cause)
    tables = [
        ratio_by(ds, column, None, "_cause", level=settings.level).assign(rate=rate)
        for rate, column in (
            ("exited_below_line_share", "_exited_below"),
            ("exited_vulnerable_band_share", "_exited_band"),
        )
    ]
    out = domain_proportion_intervals(
        pd.concat(tables, ignore_index=True), method=settings.proportion_interval, design=design, level=settings.level
    ).rename(columns={"_cause": "poverty_cause"})
    return out[["poverty_cause", "rate", "estimate", "se", "ci_low", "ci_high", "n_denominator"]]


# ---- vulnerability (Chaudhuri, Jalan & Suryahadi 2002) -----------------------------------------


@dataclasses.dataclass(frozen=True)
class VulnerabilityModel:
    """The fitted CJS model: mean and variance equations and each household's probability."""

    beta: np.ndarray
    theta: np.ndarray
    probability: np.ndarray
    floored: int


def _wls(x: np.ndarray, w: np.ndarray, workspace: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """Weighted least squares on ``x`` with weights ``w``: a function of the response giving the
    coefficients, so that two responses with the same weights share the cross-products. The
    weighted design matrix is written into ``workspace`` (shaped like ``x``), so the function holds
    only until the workspace is written again."""
    # By its normal equations: the fit runs three times in every bootstrap replicate, where a
    # formula interface (or an SVD) would cost more than the small k x k solve; X'WX is most of the
    # cost at a million households.
    weighted = np.multiply(x, w[:, None], out=workspace)
    gram = weighted.T @ x
    return lambda y: np.linalg.solve(gram, weighted.T @ y)


def fit_vulnerability(
    x: np.ndarray,
    log_income: np.ndarray,
    weights: np.ndarray,
    log_line: float,
    *,
    variance_model: str,
    workspace: np.ndarray | None = None,
) -> VulnerabilityModel:
    """Fit the CJS model by three-step feasible GLS and return each household's probability of
    per-capita income below the line.

    Parameters
    ----------
    x : ndarray
        Design matrix with an intercept (households with every value known).
    log_income : ndarray
        Log per-capita income.
    weights : ndarray
        Survey (or replicate) weights.
    log_line : float
        Log of the poverty line.
    variance_model : {"linear", "exponential"}
        ``linear``: the squared residual is linear in ``x`` (CJS's eq. 2, by Amemiya's FGLS);
        a fitted variance below 1% of the mean squared residual is set to that floor (counted in
        ``floored``). ``exponential``: its log is linear in ``x`` (Harvey 1976), scaled by the
        mean of the exponentiated residuals (Duan's smearing), which keeps it positive.
    workspace : ndarray, optional
        An array shaped like ``x`` the fit may overwrite. A replicated fit passes the same one to
        every replicate: a matrix the size of ``x`` allocated anew (80 MB at a million households)
        is mapped and zero-filled by the system each time, which cost as much as filling it.

    Returns
    -------
    VulnerabilityModel
    """
    workspace = np.empty_like(x) if workspace is None else workspace
    survey_weighted = _wls(x, weights, workspace)
    beta = survey_weighted(log_income)
    squared = (log_income - x @ beta) ** 2
    if variance_model == "linear":
        floor = 0.01 * float(np.average(squared, weights=weights))
        theta = survey_weighted(squared)
        first = np.maximum(x @ theta, floor)
        theta = _wls(x, weights / first**2, workspace)(squared)
        fitted = x @ theta
        floored = int((fitted < floor).sum())
        variance = np.maximum(fitted, floor)
    else:
        logged = np.log(np.maximum(squared, 1e-12))
        theta = survey_weighted(logged)
        log_variance = x @ theta
        smear = float(np.average(np.exp(logged - log_variance), weights=weights))
        variance, floored = smear * np.exp(log_variance), 0
    beta = _wls(x, weights / variance, workspace)(log_income)
    probability = ndtr((log_line - x @ beta) / np.sqrt(variance))
    return VulnerabilityModel(beta, theta, probability, floored)


def vulnerability_matrix(
    frame: pd.DataFrame, options: VulnerabilityOptions
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Return the design matrix (intercept first) of the households with income and every
    covariate known, the terms, and those households' positions; constant covariates are left
    out (they are collinear with the intercept)."""
    covariates = {c: as_float(frame[c]) for c in options.covariates}
    values = pd.DataFrame(covariates, index=frame.index).assign(income_pc=frame["income_pc"])
    complete = values.notna().all(axis=1).to_numpy()
    used = values.loc[complete]
    terms, _ = varying_columns(used, list(options.covariates))
    x = np.column_stack([np.ones(int(complete.sum())), *(used[t].to_numpy() for t in terms)])
    return x, ["(intercept)", *terms], np.flatnonzero(complete)


# ---- replicated statistics -------------------------------------------------------------------


def replicated_estimates(
    design: SurveyDesign,
    statistic: Callable[[np.ndarray], list[float]],
    names: list[str],
    *,
    n: int,
    settings: MonitoringSettings,
) -> list[Estimate]:
    """Return ``statistic(weights)`` with bootstrap SEs: the statistic recomputed with each
    replicate's weights (:meth:`pa_study.stats.ReplicateDesign.with_replicates`, R's
    ``withReplicates``), shares kept within [0, 1].

    Raises
    ------
    StatsInputError
        When the design cannot be replicated (a township with a single sampled village).
    """
    options = settings.monitoring.replication
    replicates = design.replicate("bootstrap", options.replicates, seed=options.seed)
    return [
        dataclasses.replace(e, ci_low=max(e.ci_low, 0.0), ci_high=min(e.ci_high, 1.0))
        for e in replicates.with_replicates(statistic, names, n=n, level=settings.level)
    ]


def with_share_deff(estimate: Estimate, *, n: int, population: float) -> Estimate:
    """Return a replicated share with its design effect: the replicate variance over the variance
    of the same share from a simple random sample of ``n`` of ``population`` units without
    replacement, ``(1 - n/N) p (1 - p) / (n - 1)`` (R's ``deff = TRUE`` for a 0/1 mean; Kish 1965,
    section 8.2). For a share of a re-estimated model (vulnerability) it also carries the model's
    uncertainty. Where the share is 0 or 1 or ``n < 2`` the design effect is undefined: NaN, which
    the headline row reports as none, saying why (:func:`~pa_study.indicators.output.headline_row`)."""
    p = estimate.estimate
    srs = (1 - n / population) * p * (1 - p) / (n - 1) if n > 1 and population > n else 0.0
    if srs <= 0:
        return dataclasses.replace(estimate, extra={**estimate.extra, "deff": np.nan})
    deff = estimate.se**2 / srs
    return dataclasses.replace(estimate, extra={**estimate.extra, "deff": deff, "n_effective": n / deff})


# ---- the family ------------------------------------------------------------------------------


_LABELS = {
    **{name: label for name, (label, _) in TARGETING.items()},
    "exited_below_line_share": "已脱贫户当前低于贫困线比例 exited households below the line now (relapse and "
    "wrongful exit together)",
    "exited_vulnerable_band_share": "已脱贫户处于易返贫区间比例 exited households in the vulnerable band",
    "exited_below_line_share_difference": "因病因残户与其他已脱贫户低于贫困线比例之差 below-line share of exited "
    "households, illness or disability minus other causes",
    "vulnerable_share": "贫困脆弱性农户比例 households vulnerable to poverty (CJS)",
    "median_income_pc": "人均收入中位数 median per-capita income",
}


def monitoring_indicators(tables: Mapping[str, pd.DataFrame | None], settings: MonitoringSettings) -> FamilyResult:
    """Compute the monitoring family for one county.

    Parameters
    ----------
    tables : dict
        Cleaned tables by instrument; ``households`` is used.
    settings : MonitoringSettings
        The family's settings for the county.

    Returns
    -------
    FamilyResult
        Headline: the monitoring list's coverage, inclusion and exclusion errors, the shares below
        the threshold and on the list; exited households below the line and in the vulnerable
        band, and the difference by cause; the CJS vulnerable share; the median per-capita income
        and relative poverty at each fraction of it and of the national rural median; FGT P0 at
        each international line. Tables: ``targeting``, ``by_group``, ``relapse_by_cohort``,
        ``relapse_by_cause``, ``vulnerability``, ``vulnerability_model``, ``relative_poverty``,
        ``fgt_at_lines`` (P0 and P1 at every fixed line) and ``lines`` (the lines with their sources).
    """
    result = FamilyResult("monitoring", settings.county, settings)
    options = settings.monitoring
    year = settings.study.survey_year
    line = settings.poverty_line(year)
    threshold = settings.threshold(year)
    result.definitions = _definitions(settings, line, threshold)
    frame = monitoring_frame(required_table(tables, "households"), settings)
    known = int(frame["income_pc"].notna().sum())
    result.sample = {
        "households_read": len(frame),
        "income_known": known,
        "monitored": int((frame["monitored"] == 1).sum()),
        "exited": int((frame["exited"] == 1).sum()),
        "monitored_without_group": int(((frame["monitored"] == 1) & frame["monitoring_group"].isna()).sum()),
        "group_without_monitoring": int(((frame["monitored"] != 1) & frame["monitoring_group"].notna()).sum()),
    }
    if known < settings.min_sample.households:
        result.status = "too_small"
        result.notes.append(
            f"{known} households with a known income, fewer than the minimum {settings.min_sample.households} "
            "(indicators.min_sample.households)"
        )
        return result
    if result.sample["group_without_monitoring"]:
        result.notes.append(
            f"{result.sample['group_without_monitoring']} households name a monitoring group but are not marked "
            "monitored: they count as not monitored"
        )
    design = household_design(frame, lonely_psu=settings.lonely_psu)
    _add_targeting(result, design, frame, threshold, settings)
    _add_relapse(result, design, frame, line, settings)
    _add_vulnerability(result, design, frame, line, threshold, settings)
    persons = counting_design(frame, unit=options.unit, lonely_psu=settings.lonely_psu)
    _add_relative(result, persons, settings)
    _add_lines(result, persons, settings, line, threshold)
    return result


def _add_targeting(
    result: FamilyResult,
    design: SurveyDesign,
    frame: pd.DataFrame,
    threshold: float | None,
    settings: MonitoringSettings,
) -> None:
    min_n = settings.min_sample.group
    if threshold is None:
        result.status = "partial"
        known = ", ".join(str(e.year) for e in settings.monitoring.thresholds) or "none"
        result.notes.append(
            f"indicators.monitoring.thresholds has no threshold for {settings.study.survey_year} for this county "
            f"(thresholds are given for {known}): the monitoring list is not assessed; add "
            "{year: ..., value: ..., counties: [...], source: ...}"
        )
        for name in HEADLINE_TARGETING:
            label, definition = TARGETING[name]
            result.headline.append(missing_row(name, label, definition, "no monitoring threshold for the survey year"))
        return
    targeted = design.assign(**targeting_columns(frame, threshold))
    rates = targeting_rates(targeted, settings)
    result.tables["targeting"] = estimate_table(
        [({"rate": name, "threshold": threshold}, rates[name]) for name in TARGETING if name in rates]
    )
    for name in HEADLINE_TARGETING:
        label, definition = TARGETING[name]
        if name not in rates:
            result.headline.append(missing_row(name, label, definition, "undefined in this sample (empty denominator)"))
            continue
        result.headline.append(headline_row(name, label, rates[name], definition, min_n=min_n))
    if frame["monitoring_group"].notna().any():
        result.tables["by_group"] = group_table(targeted, settings)
    else:
        result.notes.append("no household names a monitoring group (monitoring_group): no breakdown by group")


def _add_relapse(
    result: FamilyResult, design: SurveyDesign, frame: pd.DataFrame, line: float, settings: MonitoringSettings
) -> None:
    options, level, min_n = settings.monitoring, settings.level, settings.min_sample.group
    exited = design.assign(**relapse_columns(frame, line, float(options.vulnerable_band), options.relapse_causes))
    rates = {"exited_below_line_share": ("_exited_below", None), "exited_vulnerable_band_share": ("_exited_band", None)}
    definitions = _relapse_definitions(line, float(options.vulnerable_band), options.relapse_causes)
    cohorts = cohort_table(exited, rates, level=level, proportion_interval=settings.proportion_interval)
    if cohorts.empty:
        result.notes.append("no exited household with a known income in the sample: relapse risk is not estimated")
        for name in (*rates, "exited_below_line_share_difference"):
            result.headline.append(missing_row(name, _LABELS[name], definitions[name], "no exited household"))
        return
    result.tables["relapse_by_cohort"] = cohorts
    result.tables["relapse_by_cause"] = cause_table(exited, settings)
    for name, (column, _) in rates.items():
        # The table's "all" row, estimated again with the design effects a headline row carries.
        estimate = proportion_estimate(exited, column, None, level=level, method=settings.proportion_interval)
        if estimate is None:
            result.headline.append(missing_row(name, _LABELS[name], definitions[name], "no exited household"))
            continue
        estimate = dataclasses.replace(estimate, name=name)
        result.headline.append(headline_row(name, _LABELS[name], estimate, definitions[name], min_n=min_n))
    name = "exited_below_line_share_difference"
    observed = exited.data.loc[exited.data["_heavy_cause"].notna(), "_exited_below"].dropna()
    if observed.nunique() < 2:
        # Every exited household on one side of the line: both shares are 0 (or 1) with no variance to compare.
        why = "every exited household with a recorded cause is on the same side of the line"
        result.headline.append(missing_row(name, _LABELS[name], definitions[name], why))
        return
    try:
        difference = group_difference(exited, "_exited_below", "_heavy_cause", level=level)
    except StatsInputError as exc:
        result.headline.append(missing_row(name, _LABELS[name], definitions[name], f"not estimated ({exc})"))
        return
    result.headline.append(headline_row(name, _LABELS[name], difference, definitions[name], min_n=min_n))


def _add_vulnerability(
    result: FamilyResult,
    design: SurveyDesign,
    frame: pd.DataFrame,
    line: float,
    threshold: float | None,
    settings: MonitoringSettings,
) -> None:
    options = settings.monitoring.vulnerability
    name, definition = "vulnerable_share", _vulnerability_definition(options)
    z = threshold if options.line == "monitoring_threshold" else line
    if z is None:
        result.headline.append(
            missing_row(name, _LABELS[name], definition, "no monitoring threshold for the survey year")
        )
        return
    x, terms, rows = vulnerability_matrix(frame, options)
    if len(rows) < settings.min_sample.households:
        result.notes.append(f"vulnerability: {len(rows)} households with income and every covariate known, too few")
        result.headline.append(missing_row(name, _LABELS[name], definition, "too few households with every covariate"))
        return
    log_income = np.log(np.maximum(frame["income_pc"].to_numpy()[rows], float(options.log_floor)))

    workspace = np.empty_like(x)

    def fit(w: np.ndarray) -> VulnerabilityModel:
        return fit_vulnerability(
            x, log_income, w, np.log(z), variance_model=options.variance_model, workspace=workspace
        )

    model = fit(design.weights[rows])
    cutoff = float(options.probability)
    non_poor = np.flatnonzero(frame["income_pc"].to_numpy()[rows] >= z)
    measures = ["vulnerable_share", "mean_vulnerability", "vulnerable_share_of_non_poor"]

    def statistic(weights: np.ndarray) -> list[float]:
        # The households' weights are taken once per replicate (a copy of a million floats each time).
        w = weights[rows]
        probability = fit(w).probability
        vulnerable = probability >= cutoff
        return [
            float(np.average(vulnerable, weights=w)),
            float(np.average(probability, weights=w)),
            float(np.average(vulnerable[non_poor], weights=w[non_poor])),
        ]

    try:
        estimates = replicated_estimates(design, statistic, measures, n=len(rows), settings=settings)
        estimates[0] = with_share_deff(estimates[0], n=len(rows), population=float(design.weights[rows].sum()))
    except StatsInputError as exc:
        result.notes.append(f"vulnerability: no replicate SE ({exc})")
        result.headline.append(missing_row(name, _LABELS[name], definition, f"no replicate SE ({exc})"))
        return
    if model.floored:
        result.notes.append(
            f"vulnerability: the fitted variance of {model.floored} households fell below the floor (1% of the mean "
            "squared residual) and was set to it"
        )
    result.tables["vulnerability"] = estimate_table([({"measure": e.name, "line": z}, e) for e in estimates])
    result.tables["vulnerability_model"] = pd.DataFrame(
        {"term": terms, "mean_equation": model.beta, "variance_equation": model.theta}
    )
    result.headline.append(headline_row(name, _LABELS[name], estimates[0], definition, min_n=settings.min_sample.group))


def _add_relative(result: FamilyResult, persons: SurveyDesign, settings: MonitoringSettings) -> None:
    """The county's median and the shares below fractions of it (bootstrap SEs re-estimating the median)."""
    options, level, min_n = settings.monitoring.relative, settings.level, settings.min_sample.group
    unit = settings.monitoring.unit
    median = dataclasses.replace(
        cast(Estimate, persons.quantile("income_pc", 0.5, na_rm=True, level=level, deff=None)), name="median_income_pc"
    )
    result.headline.append(
        headline_row(
            "median_income_pc",
            _LABELS["median_income_pc"],
            median,
            f"weighted median of per-capita income over {unit}; Woodruff interval; its design effect is that of "
            "the share of persons at or below the median, on which the Woodruff interval rests (the quantile's design "
            "and simple-random-sampling variances are that share's times the same squared slope of the quantile "
            "function)",
            min_n=min_n,
        )
    )
    income = persons.data["income_pc"].to_numpy()
    known = ~np.isnan(income)
    fractions = [float(f) for f in options.fractions]
    names = [f"relative_poverty_{round(100 * f)}_rate" for f in fractions]

    y = income[known]
    # Sorted once: every replicate takes the median of the same incomes with other weights.
    order = np.argsort(y, kind="stable")

    def shares(weights: np.ndarray) -> list[float]:
        w = weights[known]
        middle = weighted_median(y, w, order=order)
        return [float(np.average(y < f * middle, weights=w)) for f in fractions]

    rows = [({"reference": "county median", "fraction": np.nan, "line": median.estimate, "measure": "median"}, median)]
    try:
        estimates = replicated_estimates(persons, shares, names, n=int(known.sum()), settings=settings)
        population = float(persons.weights[known].sum())
        estimates = [with_share_deff(e, n=int(known.sum()), population=population) for e in estimates]
    except StatsInputError as exc:
        estimates, why = [], f"no replicate SE ({exc})"
    for index, fraction in enumerate(fractions):
        percent = round(100 * fraction)
        label = f"相对贫困发生率（中位数{percent}%）relative poverty, {percent}% of the county median"
        definition = (
            f"{unit} with per-capita income below {fraction:g} x the county's weighted median; bootstrap SE with the "
            "median re-estimated in every replicate"
        )
        if not estimates:
            result.headline.append(missing_row(names[index], label, definition, why))
            continue
        keys = {"reference": "county median", "fraction": fraction, "line": fraction * median.estimate, "measure": "P0"}
        rows.append((keys, estimates[index]))
        result.headline.append(headline_row(names[index], label, estimates[index], definition, min_n=min_n))
    result.tables["relative_poverty"] = estimate_table(rows)


def weighted_median(values: np.ndarray, weights: np.ndarray, *, order: np.ndarray | None = None) -> float:
    """The smallest value whose cumulative weight reaches half the total (the median as
    :meth:`~pa_study.stats.SurveyDesign.quantile` defines it); ``order`` is ``values``' stable sort
    order when the caller already has it."""
    order = np.argsort(values, kind="stable") if order is None else order
    cumulative = np.cumsum(weights[order])
    return float(values[order[np.searchsorted(cumulative, 0.5 * cumulative[-1])]])


def fixed_lines(settings: MonitoringSettings, line: float, threshold: float | None) -> tuple[pd.DataFrame, list[str]]:
    """Return the fixed lines FGT is computed at, in yuan per person per year of the survey year:
    the poverty line, the monitoring threshold, the top of the vulnerable band, the fractions of the
    national rural median and the international lines; and notes on lines that cannot be set.

    An international line is ``dollars a day x 365 x PPP x CPI(survey year) / CPI(PPP year)``, the
    CPI chained from the configured indices (previous year = 100).
    """
    options = settings.monitoring
    year = settings.study.survey_year
    band = float(options.vulnerable_band)
    rows = [
        {
            "line_name": "poverty_line",
            "kind": "national",
            "line": line,
            "source": _source(settings.poverty_lines, year),
        },
        {
            "line_name": "vulnerable_band",
            "kind": "national",
            "line": band * line,
            "source": f"{band:g} x the poverty line",
        },
    ]
    if threshold is not None:
        source = _source(options.thresholds, year)
        rows.insert(1, {"line_name": "monitoring_threshold", "kind": "monitoring", "line": threshold, "source": source})
    notes = []
    national = entry_of_year(options.relative.national_median, year)
    if national is None:
        notes.append(
            f"indicators.monitoring.relative.national_median has no value for {year}: relative poverty against the "
            "national rural median is not computed"
        )
    else:
        for fraction in (float(f) for f in options.relative.fractions):
            rows.append(
                {
                    "line_name": f"national_median_{round(100 * fraction)}",
                    "kind": "relative_national",
                    "line": fraction * float(national.value),
                    "source": f"{fraction:g} x the national rural median {float(national.value):g} ({national.source})",
                }
            )
    international = options.international
    factors = {f.year: f for f in international.ppp_factors}
    indices = {p.year: float(p.index) / 100 for p in international.cpi}
    for entry in international.lines:
        factor = factors.get(entry.ppp_year)
        low, high = sorted((entry.ppp_year, year))
        missing = [y for y in range(low + 1, high + 1) if y not in indices]
        if factor is None or missing:
            why = f"no PPP factor for {entry.ppp_year}" if factor is None else f"no price index for {missing}"
            notes.append(f"international line {entry.name}: {why}, so it is not converted to {year} yuan")
            continue
        chain = float(np.prod([indices[y] for y in range(low + 1, high + 1)]))
        cpi = chain if year >= entry.ppp_year else 1 / chain
        ppp = float(getattr(factor, international.ppp))
        rows.append(
            {
                "line_name": entry.name,
                "kind": "international",
                "line": float(entry.dollars_per_day) * 365 * ppp * cpi,
                "dollars_per_day": float(entry.dollars_per_day),
                "ppp_year": entry.ppp_year,
                "ppp": ppp,
                "cpi_factor": cpi,
                "source": f"${float(entry.dollars_per_day):.2f} a day ({entry.source}) x 365 x {ppp:g} yuan per $ "
                f"({entry.ppp_year} PPP, {international.ppp.replace('_', ' ')}; {factor.source}) x {cpi:.4f} "
                f"(rural CPI, {entry.ppp_year} to {year})",
            }
        )
    return pd.DataFrame(rows), notes


def _source(entries: tuple[PovertyLine, ...], year: int) -> str:
    entry = entry_of_year(entries, year)
    return "" if entry is None else entry.source


def _add_lines(
    result: FamilyResult, persons: SurveyDesign, settings: MonitoringSettings, line: float, threshold: float | None
) -> None:
    """FGT P0 and P1 at every fixed line; headline P0 at the international lines and at the
    fractions of the national rural median."""
    lines, notes = fixed_lines(settings, line, threshold)
    result.notes += notes
    unit, level, min_n = settings.monitoring.unit, settings.level, settings.min_sample.group
    rows = []
    for spec in lines.to_dict("records"):
        for alpha in (0, 1):
            estimate = cast(Estimate, fgt("income_pc", spec["line"], alpha, design=persons, na_rm=True, level=level))
            if alpha == 0:
                estimate = proportion_interval(estimate, method=settings.proportion_interval, design=persons)
                if spec["kind"] in ("international", "relative_national"):
                    result.headline.append(_line_row(spec, estimate, unit, settings, min_n))
            rows.append(({k: spec[k] for k in ("line_name", "kind", "line")} | {"measure": f"P{alpha}"}, estimate))
    result.tables["fgt_at_lines"] = estimate_table(rows)
    result.tables["lines"] = lines


def _line_row(
    spec: dict[str, Any], estimate: Estimate, unit: str, settings: MonitoringSettings, min_n: int
) -> dict[str, Any]:
    definition = f"share of {unit} with per-capita income below {spec['line']:,.0f} yuan: {spec['source']}"
    if spec["kind"] == "international":
        name = f"p0_{spec['line_name']}"
        label = f"国际贫困线贫困发生率 P0 at ${spec['dollars_per_day']:.2f} a day ({int(spec['ppp_year'])} PPP)"
    else:
        percent = spec["line_name"].rsplit("_", 1)[1]
        name = f"national_relative_poverty_{percent}_rate"
        label = f"相对贫困发生率（全国农村中位数{percent}%）relative poverty, {percent}% of the national rural median"
    return headline_row(name, label, dataclasses.replace(estimate, name=name), definition, min_n=min_n)


def _relapse_definitions(line: float, band: float, causes: tuple[str, ...]) -> dict[str, str]:
    return {
        "exited_below_line_share": f"exited households with per-capita income below the survey-year line ({line:g} "
        "yuan) ÷ exited households; relapse (返贫) and wrongful exit together, which only the income at exit separates "
        "(identification's relapse_rate). Income alone and households, on the scale of the vulnerable band and the "
        "monitoring threshold: identification's below_standard_exited counts persons below the exit standard (income "
        "or a 两不愁三保障 item)",
        "exited_vulnerable_band_share": f"exited households with per-capita income from {line:g} to below "
        f"{band * line:g} yuan ({band:g} x the line) ÷ exited households",
        "exited_below_line_share_difference": f"below-line share of exited households whose recorded main cause was "
        f"{' or '.join(causes)} minus that of the others (survey-weighted regression on the 0/1 cause group)",
    }


def _vulnerability_definition(options: VulnerabilityOptions) -> str:
    model = (
        "the squared residual linear in the covariates (Amemiya FGLS)"
        if options.variance_model == "linear"
        else "the log squared residual linear in the covariates (Harvey), Duan-smeared"
    )
    return (
        f"households whose probability of per-capita income below the {options.line.replace('_', ' ')} is at least "
        f"{float(options.probability):g}: log per-capita income and its variance from {', '.join(options.covariates)} "
        f"by three-step FGLS (Chaudhuri, Jalan & Suryahadi 2002), {model}, survey-weighted; probability = "
        "Phi((ln z - Xb) / s(X)); bootstrap SE re-estimating the model in every replicate"
    )


def _definitions(settings: MonitoringSettings, line: float, threshold: float | None) -> dict[str, str]:
    options = settings.monitoring
    year = settings.study.survey_year
    return {
        "per_capita_income": "total income of the survey year ÷ household size"
        + (" (the sum of the four components when the total is missing)" if options.income_from_components else ""),
        "poverty_line": f"{line:g} yuan per person per year ({year})",
        "monitoring_threshold": f"{threshold:g} yuan per person per year ({year})"
        if threshold is not None
        else f"not configured for {year}",
        "target_population": _TARGETS[options.target_population],
        "monitoring_groups": "unstable_exited = 脱贫不稳定户 (from exited households), marginal = 边缘易致贫户 (from "
        "households never registered), sudden_difficulty = 突发严重困难户 (illness, disaster, accident; not defined "
        "by income): 中农组发〔2021〕7号",
        "exit_cohort": "the recorded exit year of a registered household that has exited; unknown when missing or "
        "after the survey year",
        "unit": f"poverty measures count {options.unit}; targeting, relapse and vulnerability count households",
        "inference": "design-based (townships strata, villages PSUs and households within them, both stages with FPC, "
        "survey weights), Taylor linearisation; "
        f"statistics that re-estimate a model or a median: Rao-Wu-Yue bootstrap, {options.replication.replicates} "
        f"replicates (seed {options.replication.seed})",
    }


FAMILY = IndicatorFamily(
    name="monitoring",
    title_en="After 2020",
    title_zh="2020年后（防返贫监测）",
    question_en="Does the monitoring list reach the households at risk, and who falls back below the line?",
    question_zh="防返贫监测是否覆盖了有返贫风险的农户？哪些农户重新跌回贫困线以下？",
    key_headlines=("monitoring_coverage_rate",),
    settings=MonitoringSettings,
    instruments=("households",),
    required=("households",),
    compute=monitoring_indicators,
    contrasts=("exited_below_line_share_difference",),
    columns=household_columns,
    protection=Protection(
        margins={
            "relapse_by_cohort": Margin("exit_cohort", ("rate",), total="all"),
            "relapse_by_cause": Margin("poverty_cause", ("rate",)),
            "by_group": Margin("monitoring_group", ("measure",)),
        }
    ),
    figures={
        "monitoring_relapse": FigureSpec(
            ("monitoring",),
            "Exited households below the line and in the vulnerable band just above it, by exit year and main cause "
            "(95% CIs): the band is the follow-up load beside those already below; a cause whose interval lies above "
            "the others is where relapse concentrates.",
            "已脱贫户低于贫困线及处于其上易返贫区间的比例，按脱贫年度与主要致贫原因（95%置信区间）：易返贫区间是低于"
            "贫困线者之外的跟踪帮扶对象；置信区间整体高于其他原因的致贫原因即返贫风险集中之处。",
            "monitoring_relapse",
        ),
        "poverty_at_lines": FigureSpec(
            ("monitoring",),
            "Poverty headcount at the national line, the monitoring threshold, relative and international lines "
            "(95% CIs): how many more persons each higher line counts, and where the monitoring threshold sits "
            "among the international lines.",
            "不同标准下的贫困发生率：国家贫困线、监测标准、相对贫困线与国际贫困线（95%置信区间）：每提高一档标准多计入"
            "多少人口，监测标准处于各国际贫困线之间的什么位置。",
            "poverty_at_lines",
        ),
    },
)

"""Industry income effect ("blood-making" 造血) and income structure.

The estimand is the average effect of *active* participation in an industrial project (work or
business in it) on the participants' per-capita earned income (wages + household business) and
its log: the survey-weighted ATT, for the population of active participants, against the
configured comparison households. It is identified by selection on observables (no unmeasured
confounder given the pre-treatment covariates and the village), which the data cannot check, so it
is reported as an association under that assumption, with a sensitivity analysis, not as proof of
a causal effect.

Headline estimator: the doubly robust AIPW ATT (survey weights, village fixed effects in the
propensity and outcome models, village-clustered SEs). Robustness rows, all on the same households
and with the same fixed effects: regression adjustment, IPW, survey-weighted matching (exact within
village), the additive regression (a variance-weighted average, not an ATT), the raw difference,
the AIPW with survey-year covariates (some of which may be outcomes of the projects), and the
doubly robust difference in differences on the change since the baseline year, in logs (equal
proportional growth) and in constant prices (equal real growth in yuan). Effects among registered
households, by cause of poverty and by labour capacity are domain estimates of the same model.

Dividend-only participation (资产收益分红) is kept apart: a dividend is property income, not
blood-making, so it is neither treatment nor control of the main estimate; dividend-only
households (selected for lacking labour) are compared with non-participants descriptively.
Also: the income structure of registered households (transfer share and its change from baseline).
The project ledger (operating status, revenue and dividends per yuan of fiscal investment,
dividends per linked household) is the projects family's (:mod:`pa_study.indicators.projects`).

References
----------
Imbens & Wooldridge (2009), J. Economic Literature 47(1) (programme evaluation); Sant'Anna & Zhao
(2020), J. Econometrics 219(1) (doubly robust DiD); Słoczyński (2022), Rev. Econ. Stat. 104(3)
(what the additive regression estimates); Austin, Jembere & Chiu (2018), Stat. Methods Med. Res.
27(4) (matching with survey weights); Bloom (1995), Evaluation Review 19(5) (minimum detectable
effects); Cinelli & Hazlett (2020), JRSS B 82(1) (sensitivity to omitted confounders).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pa_study.codebook import INCOME_TOTALS
from pa_study.config import ConfigPart, Number
from pa_study.design import CALIBRATION_COLUMNS, DESIGN_COLUMNS, PSU, STRATUM, WEIGHT
from pa_study.errors import InputError
from pa_study.indicators.family import Choice, FigureSpec, IndicatorFamily
from pa_study.indicators.output import FamilyResult, estimate_table, headline_row, missing_row
from pa_study.indicators.settings import FamilySettings
from pa_study.indicators.survey import (
    as_float,
    baseline_household_size,
    household_design,
    per_member_sum,
    ratio_by,
    ratio_estimate,
    required_table,
    varying_columns,
)
from pa_study.stats import (
    EffectEstimate,
    Estimate,
    SensitivityResult,
    StatsInputError,
    omitted_variable_sensitivity,
    program_effect,
    rows_in_levels_with_both_groups,
)

_INCOME_PARTS = INCOME_TOTALS["inc_total"]
_ACTIVE = "active"
_OUTCOMES = ("earned_pc", "log_earned_pc")
#: The outcome of the difference in differences for each outcome: its change since the baseline
#: year, the baseline in survey-year prices (a log change is the same in any prices but for the floor).
CHANGES = {"earned_pc": "change_earned_pc_real", "log_earned_pc": "change_log_earned_pc"}
#: The baseline outcome among the covariates; the difference in differences leaves it out.
_BASELINE_OUTCOMES = ("earned_pc_base", "log_earned_pc_base")
#: Config value of ``fixed_effects`` -> the household column whose levels get their own intercepts.
FIXED_EFFECT_COLUMNS = {"village": PSU, "township": STRATUM, "none": None}
SELECTION_ON_OBSERVABLES = (
    "selection on observables: no unmeasured confounder of participation and income given the covariates and "
    "fixed effects (not testable; see the sensitivity analysis)"
)
PARALLEL_TRENDS = {
    "log_earned_pc": "parallel trends in logs: without the projects, participants' earned income would have grown "
    "by the same proportion as the comparison households'",
    "earned_pc": "parallel trends in constant yuan: without the projects, participants' real earned income would "
    "have grown by the same amount as the comparison households'",
}
DESCRIPTIVE = "descriptive comparison"


# ---- settings --------------------------------------------------------------------------------


class Winsorising(ConfigPart):
    """Quantiles at which per-capita incomes are clipped (``None``: not at that end)."""

    lower: Number | None
    upper: Number | None


class MatchingOptions(ConfigPart):
    """Nearest-neighbour propensity-score matching: neighbours per treated unit and caliper."""

    n_neighbors: int
    caliper: Number | None


class PriceIndex(ConfigPart):
    """The rural consumer price index of one year (previous year = 100), with its source."""

    year: int
    index: Number
    source: str
    confidence: str | None = None


class IncomeOptions(ConfigPart):
    """The config's ``indicators.income`` section: outcome, comparison, covariates and estimators."""

    earned_components: tuple[str, ...]
    log_floor: Number
    winsorise: Winsorising
    covariates: tuple[str, ...]
    covariates_survey_year: tuple[str, ...]
    comparison: str
    fixed_effects: str
    robustness: tuple[str, ...]
    psm: MatchingOptions
    rural_cpi: tuple[PriceIndex, ...]
    sensitivity_benchmarks: tuple[str, ...]


class IncomeSettings(FamilySettings):
    """Settings of the income family: the shared options and the ``income`` section."""

    income: IncomeOptions


@dataclass(frozen=True)
class Specification:
    """One row of the effects table: the estimator, its covariates and what it estimates.

    Attributes
    ----------
    method : str
        :func:`pa_study.stats.program_effect` method.
    covariates : str
        ``pre_treatment`` (``covariates``), ``survey_year`` (``covariates_survey_year``),
        ``pre_treatment_without_baseline_outcome`` (the DiD's) or ``none``.
    change : bool
        Whether the outcome is the change since the baseline year (difference in differences).
    estimand : str
        What the number estimates, in words.
    """

    method: str
    covariates: str
    change: bool
    estimand: str


#: Every specification of the effects table by name: the headline ``aipw`` first, then the
#: robustness rows the config can choose (``indicators.income.robustness``).
SPECIFICATIONS = {
    "aipw": Specification("aipw", "pre_treatment", False, "ATT, doubly robust (AIPW); the headline"),
    "ra": Specification("ra", "pre_treatment", False, "ATT, regression adjustment (comparison households' model)"),
    "ipw": Specification("ipw", "pre_treatment", False, "ATT, inverse probability weighting"),
    "psm": Specification(
        "psm",
        "pre_treatment",
        False,
        "ATT, survey-weighted nearest-neighbour matching on the propensity score within the fixed effect's levels; "
        "the SE holds the matches fixed",
    ),
    "ols": Specification(
        "ols",
        "pre_treatment",
        False,
        "coefficient of an additive regression: a conditional-variance-weighted average of effects, not the ATT",
    ),
    "diff": Specification(
        "diff", "none", False, "raw difference of weighted means: no covariates, no fixed effects (descriptive)"
    ),
    "aipw_survey_year": Specification(
        "aipw",
        "survey_year",
        False,
        "ATT, doubly robust, with survey-year covariates, some of which may themselves be outcomes of the projects",
    ),
    "did": Specification(
        "aipw",
        "pre_treatment_without_baseline_outcome",
        True,
        "ATT on the change since the baseline year: doubly robust difference in differences (Sant'Anna & Zhao 2020)",
    ),
}


def household_columns(settings: IncomeSettings) -> dict[str, list[str]]:
    """The household columns the family reads: the design and calibration columns, registration,
    participation and project type, household sizes, the earned-income components and the income
    totals and parts of both years, labour count and cause of poverty (the subgroups) and the
    covariates of both sets (a derived covariate such as ``earned_pc_base`` is no household column
    and is skipped by the reader)."""
    options = settings.income
    incomes = [*options.earned_components, "inc_total", *_INCOME_PARTS]
    named = [
        *DESIGN_COLUMNS,
        *CALIBRATION_COLUMNS,
        "registered",
        "project_participant",
        "project_type",
        "hh_size",
        "hh_size_base",
        "labour_count",
        "labour_count_base",
        "poverty_cause",
        *(f"{column}{suffix}" for suffix in ("", "_base") for column in incomes),
    ]
    return {"households": list(dict.fromkeys([*named, *options.covariates, *options.covariates_survey_year]))}


# ---- constructs ------------------------------------------------------------------------------


def participation(households: pd.DataFrame) -> pd.DataFrame:
    """Return 0/1 columns ``active``, ``dividend_only`` and ``non_participant`` (NaN when unknown).

    Active: takes part in a project of any type but dividend-only. A participant whose project
    type is missing cannot be classed and is NaN in all three.
    """
    joined = households["project_participant"].astype("boolean")
    kind = households["project_type"].astype("string")
    known = joined.notna() & (~joined.fillna(False) | kind.notna())
    dividend = (joined.fillna(False) & (kind == "dividend_only").fillna(False)).to_numpy(dtype=bool)
    active = (joined.fillna(False) & (kind != "dividend_only").fillna(False)).to_numpy(dtype=bool)
    flags = pd.DataFrame(
        {
            "active": active.astype(float),
            "dividend_only": dividend.astype(float),
            "non_participant": (~joined.fillna(True)).to_numpy(dtype=bool).astype(float),
        },
        index=households.index,
    )
    flags.loc[~known.to_numpy(dtype=bool)] = np.nan
    return flags


def winsorised(values: np.ndarray, lower: float | None, upper: float | None) -> np.ndarray:
    """Return ``values`` clipped at their ``lower`` and ``upper`` sample quantiles (None: no clip)."""
    low = np.nanquantile(values, lower) if lower is not None else -np.inf
    high = np.nanquantile(values, upper) if upper is not None else np.inf
    return np.clip(values, low, high)


def price_factor(indices: Sequence[PriceIndex], from_year: int, to_year: int) -> float:
    """Return the price level of ``to_year`` relative to ``from_year``: the product of the yearly
    indices (previous year = 100) of the years after ``from_year`` up to ``to_year``.

    Raises
    ------
    InputError
        When the config gives no index for one of those years.
    """
    by_year = {entry.year: float(entry.index) for entry in indices}
    years = list(range(from_year + 1, to_year + 1))
    missing = [year for year in years if year not in by_year]
    if missing:
        raise InputError(
            f"indicators.income.rural_cpi has no index for {missing}, needed to express {from_year} incomes in "
            f"{to_year} prices; add {{year: ..., index: ..., source: ...}}",
            path="config",
        )
    return float(np.prod([by_year[year] / 100.0 for year in years]))


def income_frame(
    households: pd.DataFrame, settings: IncomeSettings, covariates: Sequence[str] | None = None
) -> pd.DataFrame:
    """Return the households with the outcome, treatment and covariate columns of the income models.

    Outcomes: ``earned_pc`` (configured components per member, winsorised if configured) and
    ``log_earned_pc`` (log of it, floored); their baseline-year versions ``earned_pc_base`` and
    ``log_earned_pc_base`` (per member of the baseline household, see
    :func:`baseline_household_size`); the baseline in survey-year prices ``earned_pc_base_real``
    (rural CPI); and the changes since the baseline year, ``change_earned_pc_real`` (yuan at
    survey-year prices) and ``change_log_earned_pc``. Booleans become 0/1 floats so every covariate
    is numeric: those named in ``covariates``, by default both configured sets (pre-treatment and
    survey-year); a model that uses one set alone (the pooled comparison) need not read the other.

    Raises
    ------
    InputError
        A configured covariate that is neither a household column nor a derived one.
    """
    options, study = settings.income, settings.study
    bounds, floor = options.winsorise, float(options.log_floor)
    frame = households.reset_index(drop=True).copy()
    for suffix in ("", "_base"):
        earned = winsorised(per_member_sum(frame, options.earned_components, suffix=suffix), bounds.lower, bounds.upper)
        frame[f"earned_pc{suffix}"] = earned
        frame[f"log_earned_pc{suffix}"] = np.log(np.maximum(earned, floor))
    real_base = frame["earned_pc_base"].to_numpy() * price_factor(
        options.rural_cpi, study.baseline_year, study.survey_year
    )
    frame["earned_pc_base_real"] = real_base
    frame[CHANGES["earned_pc"]] = frame["earned_pc"].to_numpy() - real_base
    frame[CHANGES["log_earned_pc"]] = frame["log_earned_pc"].to_numpy() - np.log(np.maximum(real_base, floor))
    frame = pd.concat([frame, participation(frame)], axis=1)
    if covariates is None:
        covariates = [*options.covariates, *options.covariates_survey_year]
    wanted = list(dict.fromkeys(covariates))
    unknown = [c for c in wanted if c not in frame.columns]
    if unknown:
        raise InputError(
            f"indicators.income.covariates names {unknown}, which are neither cleaned household "
            f"columns nor derived ones (earned_pc_base, log_earned_pc_base)",
            path="config",
        )
    for column in wanted:
        frame[column] = as_float(frame[column])
    return frame


def comparison_sample(frame: pd.DataFrame, treated: str, comparison: str) -> pd.DataFrame:
    """Return the rows of ``treated`` households and their comparison group, with ``treated`` as 0/1.

    ``comparison`` ``non_participants`` compares with households in no project; ``not_active`` also
    counts dividend-only households as controls (only for the active-participation treatment).
    """
    control = frame["non_participant"] == 1
    if comparison == "not_active" and treated == _ACTIVE:
        control |= frame["dividend_only"] == 1
    chosen = (frame[treated] == 1) | control
    return frame.loc[chosen].assign(treated=(frame.loc[chosen, treated] == 1).astype(float)).reset_index(drop=True)


def analysis_sample(sample: pd.DataFrame, options: IncomeOptions) -> tuple[pd.DataFrame, dict[str, int]]:
    """Return the households every effect estimate uses, and how many were left out and why.

    One sample for every row of the effects table: households with both outcomes, their changes
    since the baseline year and every covariate of both covariate sets, in fixed-effect levels
    (villages) that hold both participants and comparison households (a village without
    comparison households has no counterfactual for its participants within the village).
    """
    needed = [*_OUTCOMES, *CHANGES.values(), *options.covariates, *options.covariates_survey_year]
    complete = sample[list(dict.fromkeys(needed))].notna().all(axis=1).to_numpy()
    kept = sample[complete]
    column = FIXED_EFFECT_COLUMNS[options.fixed_effects]
    supported = np.ones(len(kept), dtype=bool)
    if column is not None:
        supported = rows_in_levels_with_both_groups(kept, "treated", column)
    used = kept[supported].reset_index(drop=True)
    counts = {
        "compared": len(sample),
        "left_out_missing_outcome_or_covariate": int((~complete).sum()),
        "left_out_level_without_both_groups": int((~supported).sum()),
        "used": len(used),
        "used_treated": int(used["treated"].sum()),
        "used_comparison": int((used["treated"] == 0).sum()),
    }
    return used, counts


# ---- effects ---------------------------------------------------------------------------------


def covariate_set(sample: pd.DataFrame, options: IncomeOptions, which: str) -> tuple[list[str], list[str]]:
    """Return the covariates of a specification's set that vary in ``sample``, and those left out."""
    chosen = {
        "pre_treatment": list(options.covariates),
        "pre_treatment_without_baseline_outcome": [c for c in options.covariates if c not in _BASELINE_OUTCOMES],
        "survey_year": list(options.covariates_survey_year),
        "none": [],
    }[which]
    return varying_columns(sample, chosen)


def effect(
    sample: pd.DataFrame,
    outcome: str,
    method: str,
    settings: IncomeSettings,
    covariates: list[str],
    *,
    domain: str | None = None,
) -> EffectEstimate:
    """Estimate the ATT of ``treated`` on ``outcome`` by ``method`` with the configured options.

    Survey weights, village-clustered SEs and the configured fixed effects (in every method but
    ``diff``, which has neither covariates nor fixed effects); ``domain`` restricts the average to a
    subpopulation (:func:`pa_study.stats.program_effect`).
    """
    options = settings.income
    kwargs: dict[str, Any] = {"weight": WEIGHT, "cluster": PSU}
    column = FIXED_EFFECT_COLUMNS[options.fixed_effects]
    if method == "diff":
        covariates = []
    elif column is not None:
        kwargs["fixed_effects"] = column
    if method == "psm":
        kwargs |= {"n_neighbors": options.psm.n_neighbors, "caliper": options.psm.caliper}
    if domain is not None:
        kwargs["domain"] = domain
    with warnings.catch_warnings():
        # The analysis sample is complete; any other warning would be a bug worth a failure elsewhere.
        warnings.simplefilter("ignore", UserWarning)
        return program_effect(
            sample,
            outcome=outcome,
            treatment="treated",
            covariates=covariates,
            method=method,
            estimand="att",
            level=settings.level,
            **kwargs,
        )


def effect_keys(fit: EffectEstimate) -> dict[str, Any]:
    """The columns every effect table carries besides the estimate: counts, SE method and MDE."""
    return {
        "se_method": fit.extra.get("se_method"),
        "n_treated": fit.extra.get("n_domain_treated", fit.extra["n_treated"]),
        "n_control": fit.extra.get("n_domain_control", fit.extra["n_control"]),
        "mde": fit.extra["mde"],
    }


def effects_table(
    sample: pd.DataFrame, settings: IncomeSettings, *, treatment: str, specifications: Sequence[str]
) -> tuple[pd.DataFrame, dict[tuple[str, str], EffectEstimate], list[str]]:
    """Return every (outcome, specification) estimate as rows, the fitted objects and notes.

    Every row uses the same households (``sample``) and, but for ``diff``, the same fixed effects;
    the table's ``covariates``, ``fixed_effects`` and ``estimand`` columns say what differs.
    """
    options = settings.income
    rows, fits, notes = [], {}, []
    for key in specifications:
        spec = SPECIFICATIONS[key]
        covariates, constant = covariate_set(sample, options, spec.covariates)
        if constant:
            notes.append(f"{treatment}, {key}: covariate(s) {constant} do not vary in the sample and are left out")
        for outcome in _OUTCOMES:
            target = CHANGES[outcome] if spec.change else outcome
            try:
                fit = effect(sample, target, spec.method, settings, covariates)
            except StatsInputError as exc:
                notes.append(f"{treatment}, {outcome}, {key}: not estimated ({exc})")
                continue
            fits[(outcome, key)] = fit
            keys = {
                "treatment": treatment,
                "outcome": outcome,
                "specification": key,
                "method": spec.method,
                "dependent": target,
                "covariates": ", ".join(covariates) or "none",
                "fixed_effects": "none" if spec.method == "diff" else options.fixed_effects,
                "estimand": spec.estimand,
                **effect_keys(fit),
            }
            rows.append((keys, fit))
    return estimate_table(rows), fits, notes


def diagnostics(fits: dict[tuple[str, str], EffectEstimate]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the balance and overlap tables of the level-outcome fits, one block per specification."""
    balance, overlap = [], []
    for (outcome, key), fit in sorted(fits.items()):
        if outcome != "earned_pc":
            continue
        if fit.balance is not None:
            balance.append(fit.balance.reset_index().assign(specification=key))
        if fit.overlap is not None:
            overlap.append(fit.overlap.reset_index().assign(specification=key))
    return _stacked(balance), _stacked(overlap)


def _stacked(parts: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def labour_capacity(labour: np.ndarray) -> np.ndarray:
    """Return the labour-capacity group of each household from its baseline labour count:
    ``no_labour``, ``one_worker``, ``two_or_more_workers`` (None where unknown)."""
    groups = np.select([labour == 0, labour == 1, labour >= 2], ["no_labour", "one_worker", "two_or_more_workers"], "")
    return np.where(np.isnan(labour), None, groups).astype(object)


def subgroups(sample: pd.DataFrame, min_group: int) -> dict[str, dict[str, np.ndarray]]:
    """Return the groups of each heterogeneity split as masks over ``sample``, in report order.

    ``registration``: registered and unregistered households; ``labour_capacity``: by baseline
    labour count (:func:`labour_capacity`); ``poverty_cause``: registered households by their
    main cause of poverty, causes with fewer than ``min_group`` participants or comparison
    households merged into ``other_causes``.
    """
    registered = sample["registered"].to_numpy() == 1
    labour = sample["labour_count_base"] if "labour_count_base" in sample.columns else sample["labour_count"]
    capacity = labour_capacity(as_float(labour))
    splits = {
        "registration": {"registered": registered, "unregistered": ~registered},
        "labour_capacity": {g: capacity == g for g in ("no_labour", "one_worker", "two_or_more_workers")},
    }
    cause = sample["poverty_cause"].astype("string").where(registered).fillna("")
    treated = sample["treated"].to_numpy() == 1
    small = [
        c
        for c in sorted(set(cause) - {""})
        if min(int(((cause == c).to_numpy() & treated).sum()), int(((cause == c).to_numpy() & ~treated).sum()))
        < min_group
    ]
    merged = cause.where(~cause.isin(small), "other_causes").to_numpy()
    causes = [c for c in sorted(set(merged) - {""}) if c != "other_causes"] + (["other_causes"] if small else [])
    splits["poverty_cause"] = {c: merged == c for c in causes}
    return splits


def group_effects(
    sample: pd.DataFrame, settings: IncomeSettings
) -> tuple[pd.DataFrame, dict[tuple[str, str], EffectEstimate], list[str]]:
    """Return the headline model's ATT within each subgroup (domain estimates), one row per group.

    The propensity and outcome models are those of the headline with the split's group indicators
    added (so the grouping is a function of the covariates) and are fitted on the whole sample;
    each group's effect averages over its own participants. Groups with fewer than
    ``min_sample.group`` participants or comparison households get no estimate. Intervals are not
    adjusted for the number of groups.
    """
    options, min_group = settings.income, settings.min_sample.group
    covariates, _ = covariate_set(sample, options, "pre_treatment")
    rows, fits, notes = [], {}, []
    for by, groups in subgroups(sample, min_group).items():
        indicators = {f"_{by}_{g}": mask.astype(float) for g, mask in groups.items()}
        frame = sample.assign(**indicators)
        extra = _independent_columns(frame, covariates, list(indicators)[1:])
        for (group, mask), column in zip(groups.items(), indicators, strict=True):
            treated = int((mask & (frame["treated"] == 1)).sum())
            control = int((mask & (frame["treated"] == 0)).sum())
            keys = {"by": by, "group": group}
            if min(treated, control) < min_group:
                notes.append(
                    f"effect by {by}, {group}: {treated} participants and {control} comparison households, fewer "
                    f"than {min_group} (indicators.min_sample.group)"
                )
                continue
            try:
                fit = effect(frame, "earned_pc", "aipw", settings, [*covariates, *extra], domain=column)
            except StatsInputError as exc:
                notes.append(f"effect by {by}, {group}: not estimated ({exc})")
                continue
            fits[(by, group)] = fit
            rows.append(({**keys, **effect_keys(fit)}, fit))
    return estimate_table(rows), fits, notes


def _independent_columns(frame: pd.DataFrame, covariates: list[str], candidates: list[str]) -> list[str]:
    """The ``candidates`` that add to the rank of ``[1, covariates]`` (one at a time, in order)."""
    columns = [np.ones(len(frame)), *(frame[c].to_numpy(dtype=float) for c in covariates)]
    kept = []
    for name in candidates:
        trial = np.column_stack([*columns, frame[name].to_numpy(dtype=float)])
        if np.linalg.matrix_rank(trial) == trial.shape[1]:
            columns.append(frame[name].to_numpy(dtype=float))
            kept.append(name)
    return kept


def effects_by_type(frame: pd.DataFrame, settings: IncomeSettings) -> tuple[pd.DataFrame, list[str]]:
    """Return the headline ATT of active participation in each project type against non-participants.

    Each type's participants are compared with all non-participants, on the households complete
    for the models and in villages holding both (so each type's sample is its own).
    """
    options, min_group = settings.income, settings.min_sample.group
    kinds = frame.loc[frame[_ACTIVE] == 1, "project_type"].astype("string").value_counts()
    # Each type's samples are copies of the columns its models read alone (the frame holds every
    # income column of both years: at a million households these copies made the job's peak).
    read = ["non_participant", *_OUTCOMES, *CHANGES.values(), *options.covariates, *options.covariates_survey_year]
    models = frame[list(dict.fromkeys([*read, WEIGHT, PSU, STRATUM]))]
    rows, notes = [], []
    for kind, count in sorted(kinds.items()):
        if count < min_group:
            notes.append(f"project type {kind}: {count} active participants, too few for an effect estimate")
            continue
        this_type = (frame[_ACTIVE] == 1) & (frame["project_type"] == kind).fillna(False)
        compared = comparison_sample(models.assign(_this=this_type.astype(float)), "_this", "non_participants")
        sample, counts = analysis_sample(compared, options)
        if min(counts["used_treated"], counts["used_comparison"]) < min_group:
            notes.append(
                f"project type {kind}: {counts['used_treated']} participants in villages with comparison "
                "households, too few for an effect estimate"
            )
            continue
        try:
            fit = effect(sample, "earned_pc", "aipw", settings, covariate_set(sample, options, "pre_treatment")[0])
        except StatsInputError as exc:
            notes.append(f"project type {kind}: not estimated ({exc})")
            continue
        rows.append(({"project_type": kind, "outcome": "earned_pc", "specification": "aipw", **effect_keys(fit)}, fit))
    return estimate_table(rows), notes


#: Multiples of a benchmark covariate's strength at which the sensitivity analysis bounds a confounder.
SENSITIVITY_MULTIPLES = (1.0, 2.0, 3.0)


def sensitivity(sample: pd.DataFrame, settings: IncomeSettings) -> tuple[SensitivityResult | None, list[str]]:
    """Return the Cinelli-Hazlett sensitivity of the headline's regression counterpart to an omitted
    confounder, benchmarked on the configured covariates, and notes.

    The AIPW ATT is not a regression coefficient, so the analysis is run on the additive regression
    with the same households, covariates, fixed effects and survey weights (the ``ols`` row of the
    effects table): its robustness value is the share of the residual variance of both participation
    and income an omitted confounder would need to explain to remove the estimate. Bounds take a
    confounder 1, 2 and 3 times as strong as each benchmark (a multiple that would make it explain
    all of participation's residual variance is left out with a note).
    """
    options = settings.income
    covariates, _ = covariate_set(sample, options, "pre_treatment")
    column = FIXED_EFFECT_COLUMNS[options.fixed_effects]
    formula = f"earned_pc ~ {' + '.join(['treated', *covariates])}"
    benchmarks = [b for b in options.sensitivity_benchmarks if b in covariates]
    notes = [
        f"sensitivity: benchmark {b} is not among the covariates in the sample and is left out"
        for b in options.sensitivity_benchmarks
        if b not in benchmarks
    ]
    try:
        # One fit bounds every benchmark and multiple; a multiple implying an impossible confounder
        # is left out with a note and the others are kept.
        result = omitted_variable_sensitivity(
            sample,
            formula,
            "treated",
            benchmark_covariates=benchmarks,
            kd=SENSITIVITY_MULTIPLES,
            weights=WEIGHT,
            absorb=column,
            skip_impossible=True,
        )
    except StatsInputError as exc:
        return None, [*notes, f"sensitivity analysis not computed: {exc}"]
    notes += [
        f"sensitivity bound at {multiple:g} × {benchmark} not computed: {reason}"
        for benchmark, multiple, reason in result.left_out
    ]
    return result, notes


# ---- income structure ------------------------------------------------------------------------


def income_structure(
    frame: pd.DataFrame, settings: IncomeSettings
) -> tuple[pd.DataFrame, tuple[Estimate, Estimate] | None]:
    """Return component shares of total income by registration and year, and for registered
    households the transfer share of the survey year and its change from the baseline year (None
    without registered households).

    Shares are ratios of weighted totals (the transfer share of registered households' total
    income), not means of household shares, so households with little or negative income do not
    dominate. The change is estimated with its covariance (:meth:`SurveyDesign.ratio_difference`).
    """
    level = settings.level
    registered = frame["registered"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    columns = {"group": np.where(registered, "registered", "unregistered")}
    for suffix in ("", "_base"):
        total = as_float(frame[f"inc_total{suffix}"])
        columns[f"_total{suffix}"] = total
        for part in _INCOME_PARTS:
            columns[f"_{part}{suffix}"] = as_float(frame[f"{part}{suffix}"])
        columns[f"_reg_transfer{suffix}"] = np.where(registered, columns[f"_inc_transfer{suffix}"], 0.0)
        columns[f"_reg_total{suffix}"] = np.where(registered, total, 0.0)
    design = household_design(frame, lonely_psu=settings.lonely_psu).assign(**columns)
    tables = []
    years = {"": settings.study.survey_year, "_base": settings.study.baseline_year}
    for suffix, year in years.items():
        for part in _INCOME_PARTS:
            table = ratio_by(design, f"_{part}{suffix}", f"_total{suffix}", "group", level=level)
            tables.append(table.assign(year=year, component=part))
    structure = pd.concat(tables, ignore_index=True)[
        ["group", "year", "component", "estimate", "se", "ci_low", "ci_high", "n_denominator"]
    ]
    if not registered.any():
        return structure, None
    share = ratio_estimate(design, "_reg_transfer", "_reg_total", level=level)
    change = design.ratio_difference(
        ("_reg_transfer", "_reg_total"), ("_reg_transfer_base", "_reg_total_base"), na_rm=True, level=level
    )
    n_registered = int(registered.sum())
    return structure, (dataclasses.replace(share, n=n_registered), dataclasses.replace(change, n=n_registered))


# ---- the family ------------------------------------------------------------------------------


def income_indicators(tables: Mapping[str, pd.DataFrame | None], settings: IncomeSettings) -> FamilyResult:
    """Compute the income family for one county.

    Parameters
    ----------
    tables : dict
        Cleaned ``households``.
    settings : IncomeSettings
        The family's settings for the county.

    Returns
    -------
    FamilyResult
        Headline: the ATT of active participation on per-capita earned income and its log (AIPW),
        the difference in differences in logs and in constant yuan, the ATT among registered
        households, the transfer share of registered households and its change. Tables:
        ``effects`` (every specification), ``effects_by_group`` (registration, labour capacity,
        cause of poverty), ``effects_by_type``, ``balance``, ``overlap``, ``income_structure``.
    """
    options = settings.income
    min_group = settings.min_sample.group
    result = FamilyResult("income", settings.county, settings)
    households = required_table(tables, "households")
    frame = income_frame(households, settings)
    result.definitions = _definitions(settings)
    result.sample = {
        "households_read": len(frame),
        "active_participants": int((frame[_ACTIVE] == 1).sum()),
        "dividend_only": int((frame["dividend_only"] == 1).sum()),
        "non_participants": int((frame["non_participant"] == 1).sum()),
        "participation_unknown": int(frame[_ACTIVE].isna().sum()),
        "baseline_size_not_recalled": baseline_household_size(frame)[1],
    }
    if len(frame) < settings.min_sample.households:
        result.status = "too_small"
        result.notes.append(f"{len(frame)} households, fewer than the minimum {settings.min_sample.households}")
        return result
    sample, counts = analysis_sample(comparison_sample(frame, _ACTIVE, options.comparison), options)
    result.sample["effect_sample"] = counts
    if min(counts["used_treated"], counts["used_comparison"]) < min_group:
        result.notes.append(
            f"{counts['used_treated']} active participants and {counts['used_comparison']} comparison households "
            f"in the effect sample: too few (indicators.min_sample.group = {min_group}) for the income effect"
        )
        result.headline += [
            missing_row(name, _LABELS[name], definition, "too few treated or comparison households")
            for name, definition in _effect_definitions(settings).items()
        ]
    else:
        _add_effects(result, frame, sample, settings)
    structure, transfer = income_structure(frame, settings)
    result.tables["income_structure"] = structure
    if transfer is not None:
        share, change = transfer
        result.headline += [
            headline_row(
                "transfer_share_registered",
                _LABELS["transfer_share_registered"],
                share,
                "transfer income ÷ total income of registered households (ratio of weighted totals), survey year",
                min_n=min_group,
            ),
            headline_row(
                "transfer_share_change_registered",
                _LABELS["transfer_share_change_registered"],
                change,
                "transfer share of registered households, survey year minus baseline year",
                min_n=min_group,
            ),
        ]
    return result


_LABELS = {
    "att_earned_pc": "参与产业项目对人均务工经营收入的效应（ATT）average effect of active participation on "
    "participants' per-capita earned income (ATT, selection on observables)",
    "att_log_earned_pc": "average effect of active participation on participants' log per-capita earned income "
    "(ATT, selection on observables)",
    "att_log_earned_pc_did": "双重差分（对数）difference in differences of log per-capita earned income "
    "(ATT, parallel trends in logs)",
    "att_earned_pc_did": "双重差分（不变价）difference in differences of per-capita earned income in constant "
    "yuan (ATT, parallel trends in real yuan)",
    "att_earned_pc_registered": "建档立卡户中的效应 average effect of active participation on registered "
    "participants' per-capita earned income (ATT, selection on observables)",
    "transfer_share_registered": "建档立卡户转移性收入占比 transfer share of registered households' income",
    "transfer_share_change_registered": "转移性收入占比变化 change in the transfer share since baseline",
}


def _effect_definitions(settings: IncomeSettings) -> dict[str, str]:
    options = settings.income
    fixed = {"village": "village fixed effects", "township": "township fixed effects", "none": "no fixed effects"}
    comparison = options.comparison.replace("_", " ")
    base = (
        f"ATT of active participation (any project type but dividend-only) against {comparison}: "
        f"doubly robust AIPW with survey weights, {fixed[options.fixed_effects]} in the propensity and outcome "
        "models, pre-treatment covariates (definitions.covariates), village-clustered SEs"
    )
    return {
        "att_earned_pc": f"{base}; outcome per-capita earned income (yuan)",
        "att_log_earned_pc": f"{base}; outcome log per-capita earned income",
        "att_log_earned_pc_did": "the same estimator on the change in log per-capita earned income since the "
        "baseline year, without the baseline outcome among the covariates (doubly robust DiD); the primary DiD",
        "att_earned_pc_did": "the same estimator on the change in per-capita earned income since the baseline year, "
        "the baseline in survey-year prices (rural CPI, definitions.prices)",
        "att_earned_pc_registered": f"{base}, averaged over registered participants (a domain of the same models)",
    }


def _add_effects(result: FamilyResult, frame: pd.DataFrame, sample: pd.DataFrame, settings: IncomeSettings) -> None:
    options, min_group = settings.income, settings.min_sample.group
    specifications = ["aipw", *(k for k in SPECIFICATIONS if k != "aipw" and k in options.robustness)]
    effects, fits, notes = effects_table(sample, settings, treatment=_ACTIVE, specifications=specifications)
    result.notes += notes
    dividend, dividend_counts = analysis_sample(comparison_sample(frame, "dividend_only", "non_participants"), options)
    if min(dividend_counts["used_treated"], dividend_counts["used_comparison"]) >= min_group:
        table, _, notes = effects_table(dividend, settings, treatment="dividend_only", specifications=["aipw"])
        result.notes += notes
        effects = pd.concat([effects, table.assign(estimand=DESCRIPTIVE)], ignore_index=True)
    else:
        result.notes.append(
            f"{dividend_counts['used_treated']} dividend-only households in villages with non-participants: too few "
            "for their descriptive comparison"
        )
    result.tables["effects"] = effects
    result.tables["balance"], result.tables["overlap"] = diagnostics(fits)
    result.tables["effects_by_group"], group_fits, notes = group_effects(sample, settings)
    result.notes += notes
    result.tables["effects_by_type"], notes = effects_by_type(frame, settings)
    result.notes += notes
    robustness, notes = sensitivity(sample, settings)
    result.notes += notes
    if robustness is not None:
        result.tables["sensitivity"] = robustness.to_frame().assign(
            benchmarks=", ".join(b for b in options.sensitivity_benchmarks if b in set(robustness.bounds["benchmark"]))
        )
        result.tables["sensitivity_bounds"] = robustness.bounds
    definitions = _effect_definitions(settings)
    wanted = {
        "att_earned_pc": (fits.get(("earned_pc", "aipw")), SELECTION_ON_OBSERVABLES),
        "att_log_earned_pc": (fits.get(("log_earned_pc", "aipw")), SELECTION_ON_OBSERVABLES),
        "att_log_earned_pc_did": (fits.get(("log_earned_pc", "did")), PARALLEL_TRENDS["log_earned_pc"]),
        "att_earned_pc_did": (fits.get(("earned_pc", "did")), PARALLEL_TRENDS["earned_pc"]),
        "att_earned_pc_registered": (group_fits.get(("registration", "registered")), SELECTION_ON_OBSERVABLES),
    }
    for name, (fit, design) in wanted.items():
        if fit is None:
            result.headline.append(missing_row(name, _LABELS[name], definitions[name], "not estimated (see notes)"))
        else:
            result.headline.append(
                headline_row(name, _LABELS[name], fit, definitions[name], min_n=min_group, design=design)
            )


def _definitions(settings: IncomeSettings) -> dict[str, str]:
    options, study = settings.income, settings.study
    bounds = options.winsorise
    factor = price_factor(options.rural_cpi, study.baseline_year, study.survey_year)
    cpi = "; ".join(f"{e.year}: {float(e.index):g} ({e.source})" for e in options.rural_cpi)
    return {
        "earned_pc": f"({' + '.join(options.earned_components)}) ÷ household size, yuan per person"
        + (
            f", winsorised at quantiles {bounds.lower} / {bounds.upper}"
            if bounds.lower is not None or bounds.upper is not None
            else ""
        ),
        "log_earned_pc": f"log(max(earned_pc, {options.log_floor:g}))",
        "earned_pc_base": "earned_pc of the recalled baseline year, per member of the baseline household "
        "(hh_size_base; the survey year's size where not recalled)",
        "prices": f"baseline incomes in {study.survey_year} prices: × {factor:.4f}, the product of the rural CPI "
        f"(previous year = 100) of {study.baseline_year + 1}-{study.survey_year}; {cpi}",
        "change_earned_pc_real": f"earned_pc − earned_pc_base in {study.survey_year} prices",
        "change_log_earned_pc": "log_earned_pc − log of earned_pc_base in survey-year prices (a log change does not "
        "depend on the prices but through the floor)",
        "active": "takes part in an industrial project of any type except dividend-only (资产收益分红)",
        "comparison": {
            "non_participants": "households in no project (dividend-only households excluded)",
            "not_active": "households not actively participating (dividend-only households included)",
        }[options.comparison],
        "covariates": ", ".join(options.covariates) + " (pre-treatment: baseline-year values or fixed characteristics)",
        "covariates_survey_year": ", ".join(options.covariates_survey_year)
        + " (survey-year values, some possibly affected by the projects; robustness row aipw_survey_year only)",
        "fixed_effects": f"{options.fixed_effects}: in the propensity and outcome models of every specification "
        "but diff; households in villages without both participants and comparison households are left out",
        "effect_sample": "one sample for every specification: complete on both outcomes, their changes and both "
        "covariate sets, in villages with both groups",
        "specifications": "; ".join(f"{k}: {s.estimand}" for k, s in SPECIFICATIONS.items()),
        "design": f"{SELECTION_ON_OBSERVABLES}; the DiD rows: {PARALLEL_TRENDS['log_earned_pc']} (logs) or "
        f"{PARALLEL_TRENDS['earned_pc']} (yuan). No design here supports causal language",
        "mde": "minimum detectable effect: (t_{0.975} + t_{0.80}) × SE, the smallest effect a 5% test detects with "
        "80% power (Bloom 1995)",
        "deff": "design effect of an effect: its village-clustered variance over the variance the same estimator "
        "would have from a simple random sample of as many households drawn with replacement (the SRS variance of "
        "the estimated total of its unweighted influence values, as Stata's estat effects; with replacement because "
        "the clustered variance has no finite-population correction either); n_effective = n / deff",
        "effects_by_group": "ATT within registration groups, baseline labour capacity and (registered households) "
        "main cause of poverty: domain estimates of the headline models with the groups' indicators added; "
        "intervals not adjusted for the number of groups",
        "sensitivity": "Cinelli & Hazlett (2020) on the additive regression with the headline's households, "
        "covariates, fixed effects and weights: robustness_value = the share of the residual variance of both "
        "participation and income an omitted confounder would need to explain to remove the estimate "
        "(robustness_value_alpha: to make it indistinguishable from zero at 5%); bounds for confounders 1, 2 and 3 "
        f"times as strong as {', '.join(options.sensitivity_benchmarks) or 'no benchmark'}; model-based, not "
        "design-based, standard errors",
        "dividend_only": "dividend-only households against non-participants: a descriptive comparison of a group "
        "selected for lacking labour, not a placebo test",
    }


def winsorising_limits(value: Any, indicators: Mapping[str, Any], county: str) -> Any:
    """The winsorising limits of the ``winsorise`` choice: a quantile ``q`` clips both tails at ``q``
    and ``1 - q``, null clips none; a mapping of ``lower`` and ``upper`` is taken as it is."""
    if value is None:
        return {"lower": None, "upper": None}
    if isinstance(value, (int, float)):
        return {"lower": value, "upper": round(1 - value, 12)}
    return value


#: The analysis choices of the income family the specification multiverse may vary.
CHOICES = {
    "winsorise": Choice("income.winsorise", "winsorised at", "缩尾分位数", setting=winsorising_limits),
    "covariates": Choice("income.covariates", "covariates", "协变量"),
    "comparison": Choice(
        "income.comparison",
        "comparison group",
        "对照组",
        {
            "non_participants": ("non-participants", "未参与户"),
            "not_active": ("not active (incl. dividend only)", "未主动参与（含仅分红）"),
        },
    ),
}


FAMILY = IndicatorFamily(
    name="income",
    title_en="Industry income effect (blood-making)",
    title_zh="产业扶贫收入效应（造血）",
    question_en=(
        "Do households active in industrial projects earn more from their own work (造血) than comparable households?"
    ),
    question_zh="参与产业项目的农户，自身劳动收入是否高于可比农户（造血）？",
    key_headlines=("att_earned_pc", "transfer_share_change_registered"),
    settings=IncomeSettings,
    instruments=("households",),
    required=("households",),
    compute=income_indicators,
    choices=CHOICES,
    contrasts=("att_",),
    columns=household_columns,
    figures={
        "income_effects": FigureSpec(
            ("income",),
            "Average effect of active participation in industrial projects on participants' per-capita earned income "
            "(ATT under selection on observables), by specification; all on the same households.",
            "参与产业项目对参与者人均务工经营收入的平均效应（可观测变量选择假设下的ATT）：各设定比较，样本相同。",
            "income_effects",
        ),
        "income_structure": FigureSpec(
            ("income",),
            "Income structure of registered households at baseline and in the survey year.",
            "建档立卡户基期与调查年度的收入结构。",
            "income_structure",
        ),
    },
)

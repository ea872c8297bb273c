"""Industry income effect ("blood-making" 造血), income structure and the project ledger.

The effect of *active* participation in an industrial project (work or business in it) on
per-capita earned income (wages + household business) and its log: regression adjustment with
village fixed effects and village-clustered SEs as the main estimate; IPW, AIPW and propensity-score
matching as robustness; difference-in-differences against recalled baseline-year income.
Dividend-only participation (资产收益分红) is kept apart: a dividend is property income, a transfer,
not blood-making, so it is neither treatment nor control of the main estimate and gets its own
(placebo) estimate. Also: heterogeneity by project type with balance and overlap diagnostics; the
income structure of registered households (transfer share and its change from baseline); and the
ledger's operating status, revenue per yuan of fiscal investment, jobs and linked poor households.

References
----------
Imbens & Wooldridge (2009), J. Economic Literature 47(1) (programme evaluation); Abadie & Imbens
(2006), Econometrica 74(1) (matching); Sant'Anna & Zhao (2020), J. Econometrics 219(1) (DR DiD).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from pa_study.codebook import INCOME_TOTALS
from pa_study.config import ConfigPart, Number
from pa_study.design import PSU, WEIGHT
from pa_study.disclosure import Protection
from pa_study.errors import InputError
from pa_study.indicators.family import Choice, FigureSpec, IndicatorFamily
from pa_study.indicators.output import FamilyResult, estimate_from_row, estimate_table, headline_row, missing_row
from pa_study.indicators.settings import FamilySettings
from pa_study.indicators.survey import (
    as_float,
    household_design,
    per_member_sum,
    ratio_by,
    ratio_estimate,
    required_table,
    respondent_design,
    varying_columns,
)
from pa_study.stats import EffectEstimate, Estimate, StatsInputError, program_effect

_INCOME_PARTS = INCOME_TOTALS["inc_total"]
_ACTIVE = "active"
_OUTCOMES = ("earned_pc", "log_earned_pc")


# ---- settings --------------------------------------------------------------------------------


class Winsorising(ConfigPart):
    """Quantiles at which per-capita incomes are clipped (``None``: not at that end)."""

    lower: Number | None
    upper: Number | None


class MatchingOptions(ConfigPart):
    """Nearest-neighbour propensity-score matching: neighbours per treated unit and caliper."""

    n_neighbors: int
    caliper: Number | None


class IncomeOptions(ConfigPart):
    """The config's ``indicators.income`` section: outcome, comparison, covariates and estimators."""

    earned_components: tuple[str, ...]
    log_floor: Number
    winsorise: Winsorising
    covariates: tuple[str, ...]
    comparison: str
    robustness: tuple[str, ...]
    psm: MatchingOptions
    ledger_is_census: bool


class IncomeSettings(FamilySettings):
    """Settings of the income family: the shared options and the ``income`` section."""

    income: IncomeOptions


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


def income_frame(households: pd.DataFrame, options: IncomeOptions) -> pd.DataFrame:
    """Return the households with the outcome, treatment and covariate columns of the income models.

    Outcomes: ``earned_pc`` (configured components per member, winsorised if configured) and
    ``log_earned_pc`` (log of it, floored); their baseline-year versions ``earned_pc_base`` and
    ``log_earned_pc_base``. Booleans become 0/1 floats so every covariate is numeric.

    Raises
    ------
    InputError
        A configured covariate that is neither a household column nor a derived one.
    """
    components = options.earned_components
    bounds = options.winsorise
    frame = households.reset_index(drop=True).copy()
    for suffix in ("", "_base"):
        earned = winsorised(per_member_sum(frame, components, suffix=suffix), bounds.lower, bounds.upper)
        frame[f"earned_pc{suffix}"] = earned
        frame[f"log_earned_pc{suffix}"] = np.log(np.maximum(earned, options.log_floor))
    frame = pd.concat([frame, participation(frame)], axis=1)
    unknown = [c for c in options.covariates if c not in frame.columns]
    if unknown:
        raise InputError(
            f"indicators.income.covariates names {unknown}, which are neither cleaned household "
            f"columns nor derived ones (earned_pc_base, log_earned_pc_base)",
            path="config",
        )
    for column in options.covariates:
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


# ---- effects ---------------------------------------------------------------------------------


def effect(
    sample: pd.DataFrame, outcome: str, method: str, options: IncomeOptions, level: float, covariates: list[str]
) -> EffectEstimate:
    """Estimate the effect of ``treated`` on ``outcome`` by ``method`` with the configured options.

    ``ols``/``diff``: survey-weighted least squares (``ols`` with the covariates and village fixed
    effects), village-clustered SEs. ``did``: change from the baseline-year outcome on the same
    terms without the baseline outcome among the covariates. ``ipw``/``aipw``: ATT with survey
    weights and village clusters. ``psm``: ATT by nearest-neighbour matching on the propensity
    score (unweighted: :func:`pa_study.stats.program_effect` supports no weights there).
    Rows with a missing outcome or covariate are left out (counted in ``n_dropped_missing``).
    """
    kwargs: dict[str, Any] = {"weight": WEIGHT, "cluster": PSU}
    if method == "did":
        base = f"{outcome}_base"
        covariates = [c for c in covariates if c != base]
        kwargs |= {"baseline_outcome": base, "fixed_effects": PSU}
    elif method == "ols":
        kwargs["fixed_effects"] = PSU
    elif method == "diff":
        covariates = []
    elif method == "psm":
        kwargs = {"n_neighbors": options.psm.n_neighbors, "caliper": options.psm.caliper}
    with warnings.catch_warnings():
        # Listwise deletion is reported through n_dropped_missing instead.
        warnings.simplefilter("ignore", UserWarning)
        return program_effect(
            sample,
            outcome=outcome,
            treatment="treated",
            covariates=covariates,
            method=method,
            estimand="att",
            level=level,
            **kwargs,
        )


def effects_table(
    sample: pd.DataFrame,
    methods: list[str],
    options: IncomeOptions,
    level: float,
    *,
    treatment: str,
) -> tuple[pd.DataFrame, dict[tuple[str, str], EffectEstimate], list[str]]:
    """Return every (outcome, method) estimate as rows, the fitted objects and notes on failures."""
    covariates, constant = varying_columns(sample, list(options.covariates))
    notes = [f"{treatment}: covariate(s) {constant} do not vary in the sample and are left out"] if constant else []
    rows, fits = [], {}
    for outcome in _OUTCOMES:
        for method in methods:
            try:
                fit = effect(sample, outcome, method, options, level, covariates)
            except StatsInputError as exc:
                notes.append(f"{treatment}, {outcome}, {method}: not estimated ({exc})")
                continue
            fits[(outcome, method)] = fit
            rows.append(
                (
                    {
                        "treatment": treatment,
                        "outcome": outcome,
                        "method": method,
                        "se_method": fit.extra.get("se_method"),
                        "n_treated": fit.extra["n_treated"],
                        "n_control": fit.extra["n_control"],
                        "n_dropped_missing": fit.extra["n_dropped_missing"],
                    },
                    fit,
                )
            )
    return estimate_table(rows), fits, notes


def diagnostics(fits: dict[tuple[str, str], EffectEstimate]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the balance and overlap tables of the level-outcome fits, one block per method."""
    balance, overlap = [], []
    for (outcome, method), fit in sorted(fits.items()):
        if outcome != "earned_pc":
            continue
        if fit.balance is not None:
            balance.append(fit.balance.reset_index().assign(method=method))
        if fit.overlap is not None:
            overlap.append(fit.overlap.reset_index().assign(method=method))
    return _stacked(balance), _stacked(overlap)


def _stacked(parts: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def effects_by_type(
    frame: pd.DataFrame, options: IncomeOptions, settings: IncomeSettings
) -> tuple[pd.DataFrame, list[str]]:
    """Return the regression-adjusted effect of active participation in each project type."""
    kinds = frame.loc[frame[_ACTIVE] == 1, "project_type"].astype("string").value_counts()
    rows, notes = [], []
    for kind, count in sorted(kinds.items()):
        if count < settings.min_sample.group:
            notes.append(f"project type {kind}: {count} active participants, too few for an effect estimate")
            continue
        this_type = (frame[_ACTIVE] == 1) & (frame["project_type"] == kind).fillna(False)
        sample = comparison_sample(frame.assign(_this=this_type.astype(float)), "_this", "non_participants")
        try:
            fit = effect(
                sample,
                "earned_pc",
                "ols",
                options,
                settings.level,
                varying_columns(sample, list(options.covariates))[0],
            )
        except StatsInputError as exc:
            notes.append(f"project type {kind}: not estimated ({exc})")
            continue
        rows.append(
            (
                {
                    "project_type": kind,
                    "outcome": "earned_pc",
                    "method": "ols",
                    "n_treated": fit.extra["n_treated"],
                    "n_control": fit.extra["n_control"],
                },
                fit,
            )
        )
    return estimate_table(rows), notes


# ---- income structure and ledger -------------------------------------------------------------


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


def ledger_tables(projects: pd.DataFrame, settings: IncomeSettings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the ledger's status shares and per-project figures, overall and by project type.

    With ``ledger_is_census`` the ledger is the population of projects and the figures carry no
    sampling error; otherwise the projects are treated as a simple random sample.
    """
    level = settings.level
    ledger = projects.assign(
        all="all",
        **{f"status_{s}": (projects["status"] == s).astype(float) for s in ("operating", "suspended", "failed")},
        revenue=as_float(projects["annual_revenue"]),
        investment=as_float(projects["fiscal_investment"]),
        jobs=as_float(projects["jobs_created"]),
        linked=as_float(projects["linked_poor_households"]),
    )
    design = respondent_design(ledger, census=settings.income.ledger_is_census)
    status, figures = [], []
    for by in ("all", "project_type"):
        for name in ("operating", "suspended", "failed"):
            status.append(
                ratio_by(design, f"status_{name}", None, by, level=level)
                .assign(status=name)
                .rename(columns={by: "project_type"})
            )
        for measure, (numerator, denominator) in {
            "revenue_per_yuan_invested": ("revenue", "investment"),
            "jobs_per_project": ("jobs", None),
            "linked_poor_households_per_project": ("linked", None),
        }.items():
            figures.append(
                ratio_by(design, numerator, denominator, by, level=level)
                .assign(measure=measure)
                .rename(columns={by: "project_type"})
            )
    order = ["project_type", "estimate", "se", "ci_low", "ci_high", "n_denominator"]
    return (
        pd.concat(status, ignore_index=True)[["status", *order]],
        pd.concat(figures, ignore_index=True)[["measure", *order]],
    )


# ---- the family ------------------------------------------------------------------------------


def income_indicators(tables: Mapping[str, pd.DataFrame | None], settings: IncomeSettings) -> FamilyResult:
    """Compute the income family for one county.

    Parameters
    ----------
    tables : dict
        Cleaned ``households`` and ``projects`` (``None`` when the county has no ledger).
    settings : IncomeSettings
        The family's settings for the county.

    Returns
    -------
    FamilyResult
        Headline: the effect of active participation on per-capita earned income (regression
        adjustment, village fixed effects, clustered SEs) and on its log, the DiD estimate, the
        dividend-only placebo, the transfer share of registered households and its change, and the
        ledger's operating share and revenue per yuan. Tables: ``effects``, ``effects_by_type``,
        ``balance``, ``overlap``, ``income_structure``, ``ledger_status``, ``ledger_figures``.
    """
    options = settings.income
    min_group = settings.min_sample.group
    result = FamilyResult("income", settings.county, settings)
    result.definitions = _definitions(options)
    frame = income_frame(required_table(tables, "households"), options)
    sample = comparison_sample(frame, _ACTIVE, options.comparison)
    n_treated, n_control = int(sample["treated"].sum()), int((sample["treated"] == 0).sum())
    result.sample = {
        "households_read": len(frame),
        "active_participants": int((frame[_ACTIVE] == 1).sum()),
        "dividend_only": int((frame["dividend_only"] == 1).sum()),
        "non_participants": int((frame["non_participant"] == 1).sum()),
        "participation_unknown": int(frame[_ACTIVE].isna().sum()),
    }
    if len(frame) < settings.min_sample.households:
        result.status = "too_small"
        result.notes.append(f"{len(frame)} households, fewer than the minimum {settings.min_sample.households}")
        return result
    if min(n_treated, n_control) < min_group:
        result.notes.append(
            f"{n_treated} active participants and {n_control} comparison households: too few "
            f"(indicators.min_sample.group = {min_group}) for the income effect"
        )
        result.headline.append(
            missing_row(
                "att_earned_pc",
                _LABELS["att_earned_pc"],
                _EFFECT_DEFINITION,
                "too few treated or comparison households",
            )
        )
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
    _add_ledger(result, tables.get("projects"), settings)
    return result


_LABELS = {
    "att_earned_pc": "参与产业项目对人均务工经营收入的效应 effect of active participation on per-capita earned income",
    "att_log_earned_pc": "effect of active participation on log per-capita earned income",
    "att_earned_pc_did": "effect on per-capita earned income, difference in differences",
    "att_dividend_only_earned_pc": "仅分红户的效应（安慰剂）dividend-only participation, per-capita earned income",
    "transfer_share_registered": "建档立卡户转移性收入占比 transfer share of registered households' income",
    "transfer_share_change_registered": "转移性收入占比变化 change in the transfer share since baseline",
    "ledger_operating_share": "正常运营项目占比 share of projects operating",
    "ledger_revenue_per_yuan": "每元财政投资年收益 annual revenue per yuan of fiscal investment",
}
_EFFECT_DEFINITION = (
    "ATT of active participation (any project type but dividend-only) on per-capita earned "
    "income (configured components ÷ household size): survey-weighted regression adjustment "
    "on the configured covariates (see definitions.covariates) with village fixed effects, "
    "village-clustered (CR1) SEs"
)


def _add_effects(result: FamilyResult, frame: pd.DataFrame, sample: pd.DataFrame, settings: IncomeSettings) -> None:
    options, level, min_group = settings.income, settings.level, settings.min_sample.group
    methods = ["diff", "ols", *options.robustness]
    effects, fits, notes = effects_table(sample, methods, options, level, treatment="active")
    result.notes += notes
    placebo_sample = comparison_sample(frame, "dividend_only", "non_participants")
    if min(int(placebo_sample["treated"].sum()), int((placebo_sample["treated"] == 0).sum())) >= min_group:
        placebo, placebo_fits, notes = effects_table(placebo_sample, ["ols"], options, level, treatment="dividend_only")
        result.notes += notes
        effects = pd.concat([effects, placebo], ignore_index=True)
    else:
        placebo_fits = {}
        result.notes.append("too few dividend-only households for the placebo estimate")
    result.tables["effects"] = effects
    result.tables["balance"], result.tables["overlap"] = diagnostics(fits)
    result.tables["effects_by_type"], notes = effects_by_type(frame, options, settings)
    result.notes += notes
    wanted = [
        ("att_earned_pc", fits.get(("earned_pc", "ols")), _EFFECT_DEFINITION),
        (
            "att_log_earned_pc",
            fits.get(("log_earned_pc", "ols")),
            _EFFECT_DEFINITION.replace("on per-capita earned income", "on log per-capita earned income"),
        ),
        (
            "att_earned_pc_did",
            fits.get(("earned_pc", "did")),
            "ATT on the change in per-capita earned income from the baseline year, village fixed effects, "
            "clustered SEs (parallel trends)",
        ),
        (
            "att_dividend_only_earned_pc",
            placebo_fits.get(("earned_pc", "ols")),
            "dividend-only households against non-participants, same model as the main estimate; a dividend "
            "is property income, so about zero is expected",
        ),
    ]
    for name, fit, definition in wanted:
        if fit is None:
            result.headline.append(missing_row(name, _LABELS[name], definition, "not estimated (see notes)"))
        else:
            result.headline.append(headline_row(name, _LABELS[name], fit, definition, min_n=min_group))


def _add_ledger(result: FamilyResult, projects: pd.DataFrame | None, settings: IncomeSettings) -> None:
    if projects is None:
        result.status = "partial"
        result.notes.append("the county has no project ledger (产业扶贫项目台账): ledger figures skipped")
        return
    if len(projects) < settings.min_sample.projects:
        result.notes.append(
            f"the project ledger lists {len(projects)} projects, fewer than the minimum "
            f"{settings.min_sample.projects}: ledger figures skipped"
        )
        return
    status, figures = ledger_tables(projects, settings)
    result.tables["ledger_status"], result.tables["ledger_figures"] = status, figures
    for name, table, key, value in (
        ("ledger_operating_share", status, "status", "operating"),
        ("ledger_revenue_per_yuan", figures, "measure", "revenue_per_yuan_invested"),
    ):
        row = table[(table[key] == value) & (table["project_type"] == "all")]
        if row.empty:
            continue
        estimate = estimate_from_row(row.iloc[0], name)
        definition = {
            "ledger_operating_share": "projects operating ÷ projects in the ledger",
            "ledger_revenue_per_yuan": "annual revenue ÷ fiscal investment, summed over projects",
        }[name]
        result.headline.append(
            headline_row(name, _LABELS[name], estimate, definition, min_n=settings.min_sample.projects)
        )


def _definitions(options: IncomeOptions) -> dict[str, str]:
    bounds = options.winsorise
    return {
        "earned_pc": f"({' + '.join(options.earned_components)}) ÷ household size, yuan per person"
        + (
            f", winsorised at quantiles {bounds.lower} / {bounds.upper}"
            if bounds.lower is not None or bounds.upper is not None
            else ""
        ),
        "log_earned_pc": f"log(max(earned_pc, {options.log_floor:g}))",
        "earned_pc_base": "earned_pc of the recalled baseline year",
        "active": "takes part in an industrial project of any type except dividend-only (资产收益分红)",
        "comparison": {
            "non_participants": "households in no project (dividend-only households excluded)",
            "not_active": "households not actively participating (dividend-only households included)",
        }[options.comparison],
        "covariates": ", ".join(options.covariates),
        "methods": "ols = regression adjustment with village FE (main); ipw, aipw = ATT with survey weights and "
        "village clusters; psm = nearest-neighbour matching on the propensity score (unweighted, "
        "Abadie-Imbens SE); did = change from the baseline year with village FE; diff = raw weighted "
        "difference",
        "ledger": "census of the ledger (no sampling error)"
        if options.ledger_is_census
        else "projects treated as a simple random sample",
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
    instruments=("households", "projects"),
    required=("households",),
    compute=income_indicators,
    choices=CHOICES,
    contrasts=("att_",),
    figures={
        "income_effects": FigureSpec(
            ("income",),
            "Effect of active participation in industrial projects on per-capita earned income, by estimator.",
            "参与产业项目对人均务工经营收入的效应：各估计方法比较。",
            "income_effects",
        ),
        "income_structure": FigureSpec(
            ("income",),
            "Income structure of registered households at baseline and in the survey year.",
            "建档立卡户基期与调查年度的收入结构。",
            "income_structure",
        ),
        "ledger_status": FigureSpec(
            ("income",),
            "Project ledger: status of the projects by type.",
            "产业扶贫项目台账：各类项目运营状态。",
            "ledger_status",
        ),
    },
    protection=Protection(
        register_tables=frozenset({"ledger_status", "ledger_figures"}),
        register_rows=frozenset({"ledger_operating_share", "ledger_revenue_per_yuan"}),
    ),
)

"""Pooled models across the counties, with county indicators and the focal county as reference.

Four survey-weighted regressions on the stacked cleaned tables:

* **income** (造血): per-capita earned income (and its log) on active participation, the
  participation × county interactions, the income family's covariates with county-specific slopes
  (covariate × county) and village fixed effects (nested in the counties, so they absorb the
  county indicators). The coefficient of ``treated`` is the focal county's additive-regression
  coefficient (a conditional-variance-weighted average of effects, not the ATT: the counties' ATTs
  are contrasted in the microdata comparison); ``treated_x_<county>`` is how much larger it is in
  that county (benchmark − focal). With every slope county-specific and the fixed effects nested,
  each county's coefficients come from its own households only, as in separate regressions, so
  the scale of a county's weights does not matter; the weights are nonetheless rescaled to sum to
  each county's sample size, so that no county carries more or less of a pooled fit because its
  weights are population-scaled (frame weights) or normalised (a ``weight`` column summing to n);
* **capability** (能力): the capability index (and the aspiration scale) on county indicators and
  the capability family's controls; the index is rebuilt on the pooled households with the
  indicator package's functions, so it is standardised on one common reference group and
  comparable across counties (each county's own index is standardised within the county, so the
  counties' own gaps are in different units). On the same pooled index, the registered −
  unregistered gap by county (registered × county interactions); and the first principal component
  of all items with loadings computed on the pooled households, by county;
* **burden index** (形式主义负担): the cadres' burden index on county indicators and the configured
  controls (role, years in post); the index is standardised over all cadres pooled;
* **relapse risk** (返贫风险): whether an exited household's per-capita income is below its county's
  line, on county indicators and the recorded main cause (illness or disability against the
  others): do counties differ in relapse risk once the causes are held fixed? (The project ledger
  is a census in each county, so its figures are compared exactly, not modelled.)

Outcomes, treatment and indices come from :mod:`pa_study.indicators` with the choices recorded in
the counties' indicator files, so the pooled models use exactly the definitions of the per-county
estimates. Inference is design-based: each county's townships are strata and villages the PSUs
(strata nested in counties), so standard errors are clustered by village; cadres are clustered by
village (a cadre without a village is a cluster of its own) within county strata.

References
----------
Lumley (2010), Complex Surveys, ch. 5 (``svyglm``); Wooldridge (2010), Econometric Analysis of
Cross Section and Panel Data, §18.3 (effects with interactions); Kling, Liebman & Katz (2007),
Econometrica 75(1) (summary indices).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

import pa_study.indicators.capability as capability
import pa_study.indicators.formalism as formalism
import pa_study.indicators.income as income
import pa_study.indicators.monitoring as monitoring
from pa_study.codebook import Codebook
from pa_study.compare.part import ComparisonPart
from pa_study.compare.settings import ComparisonSettings
from pa_study.config import ConfigPart
from pa_study.design import DESIGN_COLUMNS, PSU, STRATUM, WEIGHT
from pa_study.errors import InputError
from pa_study.indicators.capability import (
    INDEX,
    PC1,
    SCALE,
    CapabilitySettings,
    capability_scores,
    item_values,
    principal_component,
    scale_score,
)
from pa_study.indicators.family import IndicatorFamily, S
from pa_study.indicators.formalism import FormalismSettings, cadre_measures
from pa_study.indicators.income import IncomeSettings, comparison_sample, income_frame
from pa_study.indicators.monitoring import MonitoringSettings, relapse_columns, relapse_frame
from pa_study.indicators.output import FamilyResult, estimate_table, headline_row
from pa_study.indicators.survey import as_float, coefficient, household_design
from pa_study.results import StudyResults
from pa_study.stats import Estimate, RegressionResult, StatsInputError, SurveyDesign, critical_value, demean_within

#: Fitted models by (model, outcome).
Fits = dict[tuple[str, str], RegressionResult]
COUNTY = "study_county"
ESTIMATE_COLUMNS = ["estimate", "se", "ci_low", "ci_high", "n"]
TREATED = "treated"
BURDEN = "burden_index"
_INCOME_OUTCOMES = ("earned_pc", "log_earned_pc")
_LABELS = {
    "att_earned_pc": "参与产业项目的收入系数（合并模型）additive-regression coefficient of active participation on "
    "per-capita earned income, focal county, pooled model (not an ATT)",
    "att_earned_pc_difference": "收入系数的县际差异 difference in the additive-regression coefficient of active "
    "participation on per-capita earned income, benchmark − focal",
    "capability_index_difference": "能力指数的县际差异 difference in the capability index (pooled SD), benchmark − "
    "focal",
    "capability_gap_difference": "能力差距的县际差异 difference in the registered − unregistered capability gap "
    "(pooled SD), benchmark − focal",
    "pc1_difference": "第一主成分的县际差异 difference in the first principal component of the capability items "
    "(pooled loadings), benchmark − focal",
    "scale_mean_difference": "内生动力量表的县际差异 difference in the aspiration scale "
    "(scale points), benchmark − focal",
    "burden_index_difference": "干部负担指数的县际差异 difference in the cadre burden index "
    "(pooled SD), benchmark − focal",
    "exited_below_line_share_difference_county": "已脱贫户低于贫困线比例的县际差异（控制致贫原因） difference in "
    "the share of exited households below the line, benchmark − focal, holding the main cause fixed",
}


# ---- stacking --------------------------------------------------------------------------------


def stacked(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Return the counties' tables one below the other with a :data:`COUNTY` column.

    Design identifiers are made unique across counties (``<county>/<township>``), so townships
    stay strata nested in counties even where two counties share a township name.
    """
    parts = []
    for county, table in tables.items():
        part = table.reset_index(drop=True).assign(**{COUNTY: county})
        for column in (STRATUM, PSU):
            if column in part.columns:
                part[column] = f"{county}/" + part[column].astype("string")
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def county_terms(frame: pd.DataFrame, others: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Return ``frame`` with a 0/1 column ``county_<key>`` for each non-reference county, and their names."""
    names = [f"county_{county}" for county in others]
    return frame.assign(**{n: (frame[COUNTY] == c).astype(float) for n, c in zip(names, others, strict=True)}), names


def numeric_terms(frame: pd.DataFrame, terms: list[str]) -> pd.DataFrame:
    """Return ``frame`` with numeric and boolean ``terms`` as float (missing as NaN) and text terms as
    plain object columns, which the model formula treats as factors."""
    out = frame.copy()
    for term in terms:
        if term not in out.columns:
            raise InputError(f"the pooled model names '{term}', which is not a column of the stacked table")
        if pd.api.types.is_numeric_dtype(out[term]) or pd.api.types.is_bool_dtype(out[term]):
            out[term] = as_float(out[term])
        else:
            out[term] = out[term].astype(object).where(out[term].notna(), np.nan)
    return out


# ---- estimates -------------------------------------------------------------------------------


def combination(fit: RegressionResult, terms: list[str], name: str) -> Estimate:
    """Return the sum of coefficients ``terms`` with its design-based SE and t interval (``svycontrast``)."""
    vector = pd.Series(0.0, index=fit.params.index)
    vector[terms] = 1.0
    estimate = float(vector @ fit.params)
    se = float(np.sqrt(max(vector @ fit.cov @ vector, 0.0)))
    half = critical_value(fit.level, fit.df) * se
    return Estimate(
        name=name,
        estimate=estimate,
        se=se,
        ci_low=estimate - half,
        ci_high=estimate + half,
        n=fit.n,
        df=fit.df,
        level=fit.level,
    )


def used_rows(frame: pd.DataFrame, outcome: str, terms: list[str]) -> pd.Series:
    """Rows that enter a model: outcome and every term observed."""
    return frame[[outcome, *terms]].notna().all(axis=1)


def contrast_row(
    name: str,
    fit: RegressionResult,
    term: str,
    *,
    model: str,
    focal: str,
    county: str,
    definition: str,
    smallest: int,
    min_n: int,
) -> dict[str, Any]:
    """Return a headline row (the indicator row format) for the coefficient of ``term``, with the
    model, term, p-value and the county it concerns (``benchmark`` for a county difference);
    ``smallest`` is the sampled units in the smallest group behind it."""
    with_group = dataclasses.replace(coefficient(fit, term), extra={"n_smallest_group": smallest})
    row = headline_row(name, _LABELS[name], with_group, definition, min_n=min_n)
    role = {"focal": focal} if county == focal else {"focal": focal, "benchmark": county}
    return {**row, **role, "model": model, "term": term, "p_value": float(fit.pvalues[term])}


def coefficient_table(fits: Fits) -> pd.DataFrame:
    """Return every coefficient of the fitted models, one row per model, outcome and term."""
    tables = [fit.to_frame().assign(model=model, outcome=outcome) for (model, outcome), fit in fits.items()]
    columns = ["model", "outcome", "term", *ESTIMATE_COLUMNS[:2], "t", "p_value", *ESTIMATE_COLUMNS[2:4], "df", "n"]
    return pd.concat(tables, ignore_index=True)[columns] if tables else pd.DataFrame(columns=columns)


# ---- the three models ------------------------------------------------------------------------


def rescaled_weights(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with each county's weights rescaled to sum to its number of rows.

    Frame weights sum to a county's population and a supplied ``weight`` column may sum to the
    sample size; stacked as they are, a county's share of a pooled fit would follow its weights'
    scale. Within a county the rescaling changes nothing (weights enter up to a constant).
    """
    weights = frame[WEIGHT].astype("Float64").to_numpy(dtype=float)
    county = frame[COUNTY].to_numpy()
    totals = pd.Series(weights).groupby(county).transform("sum").to_numpy()
    counts = pd.Series(weights).groupby(county).transform("size").to_numpy()
    return frame.assign(**{WEIGHT: pd.array(weights * counts / totals, dtype="Float64")})


def income_model(
    households: dict[str, pd.DataFrame],
    settings: IncomeSettings,
    *,
    focal: str,
) -> tuple[dict[str, RegressionResult], pd.DataFrame]:
    """Fit the pooled income model for each outcome: participation, participation × county, the
    covariates with county-specific slopes and village fixed effects, on weights rescaled per county.

    Parameters
    ----------
    households : dict
        County -> cleaned households (focal county first).
    settings : IncomeSettings
        The income family's settings (``income``, ``level``, ``lonely_psu``) from its indicator file.
    focal : str
        The reference county.

    Returns
    -------
    (dict, DataFrame)
        Outcome -> fit, and the stacked analysis frame (for group counts).
    """
    options = settings.income
    parts = {
        county: with_treatment(income_frame(table, settings, options.covariates), options.comparison)
        for county, table in households.items()
    }
    others = [c for c in households if c != focal]
    frame, dummies = county_terms(rescaled_weights(stacked(parts)), others)
    interactions = [f"{TREATED}_x_{county}" for county in others]
    frame = frame.assign(**{i: frame[TREATED] * frame[d] for i, d in zip(interactions, dummies, strict=True)})
    slopes = {
        f"{covariate}_x_{county}": frame[covariate] * frame[dummy]
        for covariate in options.covariates
        for county, dummy in zip(others, dummies, strict=True)
    }
    frame = frame.assign(**slopes)
    terms = [TREATED, *interactions, *options.covariates, *slopes]
    used = used_rows(frame, _INCOME_OUTCOMES[0], terms) & frame[_INCOME_OUTCOMES[1]].notna()
    frame = within_villages(frame, [*_INCOME_OUTCOMES, *terms], used.to_numpy())
    design = household_design(frame, lonely_psu=settings.lonely_psu)
    fits = {
        outcome: design.regression(f"{outcome} ~ {' + '.join(terms)}", na_rm=True, level=settings.level)
        for outcome in _INCOME_OUTCOMES
    }
    return fits, frame.assign(_used=used)


def within_villages(frame: pd.DataFrame, columns: list[str], used: np.ndarray) -> pd.DataFrame:
    """Return ``frame`` with ``columns`` of the ``used`` rows demeaned within villages (survey-weighted)
    and the other rows' set to missing: the village fixed effects absorbed.

    The slopes and their linearisation SEs are those of the regression with a dummy per village
    (Frisch-Waugh-Lovell: the village dummies' scores sum to zero within each village, a PSU), without
    spending the design's degrees of freedom (PSUs − strata) on a coefficient per village.
    """
    codes = pd.factorize(frame.loc[used, PSU])[0]
    weights = frame.loc[used, WEIGHT].astype("Float64").to_numpy(dtype=float)
    values = frame.loc[used, columns].to_numpy(dtype=float)
    out = frame.copy()
    out[columns] = np.nan
    out.loc[used, columns] = demean_within(values, weights, codes)
    return out


def with_treatment(frame: pd.DataFrame, comparison: str) -> pd.DataFrame:
    """Return the income frame with :data:`TREATED`: 1 active participant, 0 comparison household (as
    the income family defines it), missing for everyone else, who stays in the design with no
    influence (a domain, not a subset)."""
    rows = frame.assign(_row=np.arange(len(frame)))
    sample = comparison_sample(rows, "active", comparison)
    treated = np.full(len(frame), np.nan)
    treated[sample["_row"].to_numpy()] = sample[TREATED].to_numpy()
    return frame.assign(**{TREATED: treated})


def capability_model(
    households: dict[str, pd.DataFrame], settings: CapabilitySettings, codebook: Codebook, *, focal: str
) -> tuple[dict[str, RegressionResult], pd.DataFrame, list[str]]:
    """Fit the pooled capability models on a common scale.

    The index is rebuilt on the stacked households (one reference group for all counties) with
    :func:`pa_study.indicators.capability.capability_scores`, and the first principal component of
    all items with loadings computed on the stacked households. Models: the index, the aspiration
    scale and the principal component on county indicators and the capability family's
    association controls (``capability_index``, ``scale_mean``, ``pc1``); and the index on
    registration, registration × county and county indicators (``capability_gap``: the
    registered − unregistered gap by county, descriptive, without controls).

    Returns
    -------
    (dict, DataFrame, list)
        Model name -> fit, the stacked frame with the outcomes, and notes on items left out.
    """
    options = settings.capability
    others = [c for c in households if c != focal]
    pooled = stacked(households)
    items, _ = item_values(pooled, options, codebook)
    scores, _, _, notes = capability_scores(items, pooled, options)
    pc1, _, _ = principal_component(items, options)
    frame = pooled.assign(
        **{
            INDEX: scores[INDEX].to_numpy(),
            SCALE: scale_score(items, options.scale_dimension, options.min_items),
            PC1: pc1,
        }
    )
    controls = list(options.association.controls)
    frame, dummies = county_terms(numeric_terms(frame, [*controls, "registered"]), others)
    gaps = [f"registered_x_{county}" for county in others]
    frame = frame.assign(**{g: frame["registered"] * frame[d] for g, d in zip(gaps, dummies, strict=True)})
    design = household_design(frame, lonely_psu=settings.lonely_psu)
    terms = [*dummies, *controls]
    fits = {
        outcome: design.regression(f"{outcome} ~ {' + '.join(terms)}", na_rm=True, level=settings.level)
        for outcome in (INDEX, SCALE, PC1)
    }
    fits["capability_gap"] = design.regression(
        f"{INDEX} ~ registered + {' + '.join([*gaps, *dummies])}", na_rm=True, level=settings.level
    )
    return fits, frame.assign(_used=used_rows(frame, INDEX, terms)), notes


def burden_model(
    cadres: dict[str, pd.DataFrame], settings: FormalismSettings, controls: list[str], *, focal: str
) -> tuple[RegressionResult, pd.DataFrame]:
    """Fit the pooled cadre burden-index model, clustered by village within county strata.

    Parameters
    ----------
    cadres : dict
        County -> cleaned cadre table, for the counties that ran the cadre survey (focal first).
    settings : FormalismSettings
        The formalism family's settings (``formalism``, ``level``) from its indicator file.
    controls : list of str
        Cadre columns to control for (``comparison.pooled.burden_controls``).
    focal : str
        The reference county.
    """
    others = [c for c in cadres if c != focal]
    frame = cadre_measures(stacked(cadres), settings.formalism)
    village = frame["township"].astype("string") + "/" + frame["village"].astype("string")
    # Township and county cadres belong to no village: each is a cluster of its own.
    own = "cadre/" + pd.Series(np.arange(len(frame)), dtype="string")
    frame["_cluster"] = frame[COUNTY] + "/" + village.fillna(own)
    frame, dummies = county_terms(numeric_terms(frame, controls), others)
    design = SurveyDesign(frame.assign(_one=1.0), weight="_one", strata=COUNTY, psu="_cluster")
    terms = [*dummies, *controls]
    fit = design.regression(f"{BURDEN} ~ {' + '.join(terms)}", na_rm=True, level=settings.level)
    return fit, frame.assign(_used=used_rows(frame, BURDEN, terms))


def relapse_model(
    households: dict[str, pd.DataFrame], settings: dict[str, MonitoringSettings], *, focal: str
) -> tuple[RegressionResult, pd.DataFrame]:
    """Fit the pooled relapse-risk model: exited households below their county's line on county
    indicators and the recorded main cause (the monitoring family's ``relapse_causes`` against the
    others), a linear probability model, survey-weighted, strata = county x township, PSU = village.

    Parameters
    ----------
    households : dict
        County -> cleaned households (focal county first).
    settings : dict
        County -> the monitoring family's settings of that county (each is judged against its own
        poverty line of the survey year).
    focal : str
        The reference county.
    """
    parts = {}
    for county, table in households.items():
        options = settings[county]
        frame = relapse_frame(table, options)
        line = options.poverty_line(options.study.survey_year)
        band, causes = float(options.monitoring.vulnerable_band), options.monitoring.relapse_causes
        parts[county] = frame.assign(**relapse_columns(frame, line, band, causes))
    others = [c for c in households if c != focal]
    frame, dummies = county_terms(stacked(parts), others)
    design = household_design(frame, lonely_psu=settings[focal].lonely_psu)
    terms = [*dummies, "_heavy_cause"]
    fit = design.regression(f"_exited_below ~ {' + '.join(terms)}", na_rm=True, level=settings[focal].level)
    return fit, frame.assign(_used=used_rows(frame, "_exited_below", terms))


# ---- the columns read -------------------------------------------------------------------------

#: Household columns the pooled models read whatever their settings: the design, the places, the
#: household size, the register and project participation.
_HOUSEHOLD_COLUMNS = (
    *DESIGN_COLUMNS,
    "township",
    "village",
    "hh_size",
    "registered",
    "project_participant",
    "project_type",
)


def pooled_columns(results: StudyResults, settings: PooledSettings) -> dict[str, list[str]]:
    """Return the cleaned columns the pooled models read, by instrument, so that a province's
    counties are read without the columns no model uses (ids, dates, answers of other families).

    Names of derived columns (an income covariate such as ``earned_pc_base``) are included; the
    reader keeps the names a table has.
    """
    earnings = indicator_settings(results, income.FAMILY).income
    capabilities = indicator_settings(results, capability.FAMILY).capability
    burden = indicator_settings(results, formalism.FAMILY).formalism
    households = [
        *_HOUSEHOLD_COLUMNS,
        *(f"{component}{suffix}" for component in earnings.earned_components for suffix in ("", "_base")),
        *earnings.covariates,
        *(item.column for items in capabilities.dimensions.values() for item in items),
        *capabilities.association.controls,
        *monitoring.RELAPSE_COLUMNS,
    ]
    cadres = [
        "township",
        "village",
        "hours_total",
        *(f"hours_{activity}" for activity in formalism.ACTIVITIES),
        *formalism.COUNTS,
        *burden.perception_items,
        *burden.burden_items,
        *settings.pooled.burden_controls,
    ]
    return {"households": list(dict.fromkeys(households)), "cadres": list(dict.fromkeys(cadres))}


# ---- settings from the indicator files -------------------------------------------------------


def indicator_settings(results: StudyResults, family: IndicatorFamily[S]) -> S:
    """Return the settings a family's indicator files were computed with, checked to agree across
    counties (those of the first county, typed).

    Only the family's section and the shared inference options (``level``, ``lonely_psu``,
    ``min_sample``) are compared (the formalism baselines are per county and play no part here).

    Raises
    ------
    InputError
        When no county has the family, two counties used different choices (a pooled model needs
        one definition: re-run the indicator stage), or the settings do not fit the family's type.
    """
    found = results.of_family(family.name)
    if not found:
        raise InputError(f"no county has a {family.name} indicator file")
    first = _shared_part(found[0].document.get("settings", {}), family.name)
    for other in found[1:]:
        if _shared_part(other.document.get("settings", {}), family.name) != first:
            raise InputError(
                f"the {family.name} indicator files of {found[0].county} and {other.county} were computed with "
                f"different settings; a pooled model needs one definition (re-run the indicator stage)",
                path=str(other.path),
            )
    try:
        return family.settings_from_json(found[0].document.get("settings", {}))
    except InputError as exc:
        raise InputError(exc.detail, path=str(found[0].path)) from None


def _shared_part(settings: dict[str, Any], section: str) -> dict[str, Any]:
    part = {k: settings[k] for k in ("level", "lonely_psu", "min_sample") if k in settings}
    options = dict(settings.get(section, {}))
    # Per-county entries (formalism baselines, monitoring thresholds) play no part in a pooled model.
    options.pop("baselines", None)
    options.pop("thresholds", None)
    return {**part, section: options}


# ---- the comparison --------------------------------------------------------------------------


def pooled_result(
    results: StudyResults,
    tables: dict[str, dict[str, pd.DataFrame | None]],
    settings: PooledSettings,
    codebook: Codebook,
) -> FamilyResult:
    """Fit the four pooled models and return them as a result document.

    Parameters
    ----------
    results : StudyResults
        The indicator families of the focal and benchmark counties (for the definitions used).
    tables : dict
        County -> cleaned ``households`` and ``cadres`` (``None`` when not collected), focal first.
    settings : PooledSettings
        :func:`pa_study.compare.comparison_settings` of ``pooled``.
    codebook : Codebook
        For the reverse-worded capability items.

    Returns
    -------
    FamilyResult
        ``headline``: the focal county's income effect, and per benchmark the differences (benchmark −
        focal) in the income effect, the capability index, the aspiration scale, the burden index and
        the relapse risk of exited households, each with its p-value. Tables:
        ``pooled_coefficients`` (every term of every model) and ``pooled_income_effects`` (each
        county's effect, ``treated`` plus its interaction). Status ``skipped`` without a benchmark.
    """
    focal = settings.focal
    result = FamilyResult("comparison_pooled", focal, settings)
    # Every table is written, empty when its model could not be fitted: the workflow expects the files.
    result.tables = {
        "pooled_coefficients": coefficient_table({}),
        "pooled_income_effects": pd.DataFrame(columns=["county", "outcome", *ESTIMATE_COLUMNS]),
    }
    if not settings.benchmarks:
        result.status = "skipped"
        result.notes.append("no benchmark county is configured: no pooled model")
        return result
    households = {county: t["households"] for county, t in tables.items()}
    fits: Fits = {}
    _add_income(result, fits, households, indicator_settings(results, income.FAMILY), focal)
    _add_capability(result, fits, households, indicator_settings(results, capability.FAMILY), codebook, focal)
    cadres = {county: t["cadres"] for county, t in tables.items() if t.get("cadres") is not None}
    _add_burden(result, fits, cadres, indicator_settings(results, formalism.FAMILY), settings, focal)
    _add_relapse(result, fits, households, results, focal)
    result.tables["pooled_coefficients"] = coefficient_table(fits)
    result.sample = {
        county: {
            "households": len(households[county]),
            "cadres": 0 if tables[county].get("cadres") is None else len(tables[county]["cadres"]),
        }
        for county in tables
    }
    return result


def _smallest(frame: pd.DataFrame, county: str, focal: str, *, by_treatment: bool = False) -> int:
    used = frame[frame["_used"] & frame[COUNTY].isin([county, focal])]
    if by_treatment:
        return int(
            used.groupby([COUNTY, TREATED])
            .size()
            .reindex(pd.MultiIndex.from_product([[county, focal], [0.0, 1.0]]), fill_value=0)
            .min()
        )
    return int(used[COUNTY].value_counts().reindex([county, focal], fill_value=0).min())


def _add_income(
    result: FamilyResult, fits: Fits, households: dict[str, pd.DataFrame], settings: IncomeSettings, focal: str
) -> None:
    try:
        income_fits, frame = income_model(households, settings, focal=focal)
    except StatsInputError as exc:
        result.status = "partial"
        result.notes.append(f"pooled income model not estimated: {exc}")
        return
    fits |= {("income", outcome): fit for outcome, fit in income_fits.items()}
    fit, others, min_n = (
        income_fits["earned_pc"],
        [c for c in households if c != focal],
        settings.min_sample.group,
    )
    base = (
        f"survey-weighted additive regression of per-capita earned income on active participation (treated; "
        f"comparison: {settings.income.comparison}), participation × county (reference {focal}), "
        f"{', '.join(settings.income.covariates)} with county-specific slopes, and village fixed effects; weights "
        "rescaled to sum to each county's sample size; strata = county × township, PSU = village; a "
        "conditional-variance-weighted average of effects, not the ATT"
    )
    result.headline.append(
        contrast_row(
            "att_earned_pc",
            fit,
            TREATED,
            model="income",
            focal=focal,
            county=focal,
            definition=f"coefficient of treated: {base}",
            smallest=_smallest(frame, focal, focal, by_treatment=True),
            min_n=min_n,
        )
    )
    result.headline += [
        contrast_row(
            "att_earned_pc_difference",
            fit,
            f"{TREATED}_x_{c}",
            model="income",
            focal=focal,
            county=c,
            definition=f"coefficient of {TREATED}_x_{c} ({c} − {focal}): {base}",
            smallest=_smallest(frame, c, focal, by_treatment=True),
            min_n=min_n,
        )
        for c in others
    ]
    terms = {focal: [TREATED], **{c: [TREATED, f"{TREATED}_x_{c}"] for c in others}}
    result.tables["pooled_income_effects"] = estimate_table(
        [
            ({"county": c, "outcome": outcome}, combination(f, terms[c], c))
            for c in terms
            for outcome, f in income_fits.items()
        ]
    )


def _add_capability(
    result: FamilyResult,
    fits: Fits,
    households: dict[str, pd.DataFrame],
    settings: CapabilitySettings,
    codebook: Codebook,
    focal: str,
) -> None:
    try:
        capability_fits, frame, notes = capability_model(households, settings, codebook, focal=focal)
    except StatsInputError as exc:
        result.status = "partial"
        result.notes.append(f"pooled capability model not estimated: {exc}")
        return
    result.notes += [f"pooled capability index: {note}" for note in notes]
    fits |= {("capability", outcome): fit for outcome, fit in capability_fits.items()}
    controls = ", ".join(settings.capability.association.controls) or "none"
    design_text = "strata = county × township, PSU = village"
    what = {
        INDEX: "the capability index rebuilt on all counties' households (standardised on the pooled reference group)",
        SCALE: f"the {settings.capability.scale_dimension} scale (mean of its recoded items)",
        PC1: "the first principal component of all capability items with loadings computed on all counties' households",
    }
    names = {INDEX: "capability_index_difference", SCALE: "scale_mean_difference", PC1: "pc1_difference"}
    others = [c for c in households if c != focal]
    for outcome, name in names.items():
        result.headline += [
            contrast_row(
                name,
                capability_fits[outcome],
                f"county_{c}",
                model="capability",
                focal=focal,
                county=c,
                definition=f"coefficient of county_{c} ({c} − {focal}) in a survey-weighted regression of "
                f"{what[outcome]} on county indicators and {controls}; {design_text}",
                smallest=_smallest(frame, c, focal),
                min_n=settings.min_sample.group,
            )
            for c in others
        ]
    result.headline += [
        contrast_row(
            "capability_gap_difference",
            capability_fits["capability_gap"],
            f"registered_x_{c}",
            model="capability",
            focal=focal,
            county=c,
            definition=f"coefficient of registered_x_{c} ({c}'s registered − unregistered gap minus {focal}'s) in a "
            f"survey-weighted regression of {what[INDEX]} on registration, registration × county and county "
            f"indicators (descriptive, no controls); {design_text}",
            smallest=_smallest(frame, c, focal),
            min_n=settings.min_sample.group,
        )
        for c in others
    ]


def _add_burden(
    result: FamilyResult,
    fits: Fits,
    cadres: dict[str, pd.DataFrame],
    settings: FormalismSettings,
    comparison: PooledSettings,
    focal: str,
) -> None:
    if focal not in cadres or len(cadres) < 2:
        result.status = "partial"
        result.notes.append(
            "pooled burden model not estimated: the focal county and at least one benchmark need a cadre survey"
        )
        return
    for county in comparison.benchmarks:
        if county not in cadres:
            result.notes.append(f"{county} has no cadre survey: left out of the pooled burden model")
    controls = list(comparison.pooled.burden_controls)
    try:
        fit, frame = burden_model(cadres, settings, controls, focal=focal)
    except StatsInputError as exc:
        result.status = "partial"
        result.notes.append(f"pooled burden model not estimated: {exc}")
        return
    fits[("burden", BURDEN)] = fit
    items = ", ".join(settings.formalism.burden_items)
    result.headline += [
        contrast_row(
            "burden_index_difference",
            fit,
            f"county_{c}",
            model="burden",
            focal=focal,
            county=c,
            definition=f"coefficient of county_{c} ({c} − {focal}) in a regression "
            "of the cadres' burden index (equal-weight "
            f"summary index of {items}, standardised over all cadres pooled) on county indicators and "
            f"{', '.join(controls) or 'no controls'}; cadres equally weighted, clustered by village within "
            "county strata",
            smallest=_smallest(frame, c, focal),
            min_n=settings.min_sample.cadres,
        )
        for c in cadres
        if c != focal
    ]


def _add_relapse(
    result: FamilyResult, fits: Fits, households: dict[str, pd.DataFrame], results: StudyResults, focal: str
) -> None:
    # One definition across the counties, as for the other models (each county keeps its own line).
    indicator_settings(results, monitoring.FAMILY)
    found = {f.county: f for f in results.of_family("monitoring")}
    missing = [county for county in households if county not in found]
    if missing:
        result.status = "partial"
        result.notes.append(f"pooled relapse model not estimated: no monitoring indicator file for {missing}")
        return
    settings = {
        county: monitoring.FAMILY.settings_from_json(found[county].document["settings"]) for county in households
    }
    try:
        fit, frame = relapse_model(households, settings, focal=focal)
    except StatsInputError as exc:
        result.status = "partial"
        result.notes.append(f"pooled relapse model not estimated: {exc}")
        return
    fits[("relapse", "_exited_below")] = fit
    causes = " or ".join(settings[focal].monitoring.relapse_causes)
    result.headline += [
        contrast_row(
            "exited_below_line_share_difference_county",
            fit,
            f"county_{c}",
            model="relapse",
            focal=focal,
            county=c,
            definition=f"coefficient of county_{c} ({c} − {focal}) in a survey-weighted linear probability model of "
            f"an exited household's per-capita income below its county's line on county indicators and a recorded "
            f"main cause of {causes}; strata = county × township, PSU = village",
            smallest=_smallest(frame, c, focal),
            min_n=settings[focal].min_sample.group,
        )
        for c in households
        if c != focal
    ]


class PooledOptions(ConfigPart):
    """The config's ``comparison.pooled`` section."""

    burden_controls: tuple[str, ...]


class PooledSettings(ComparisonSettings):
    """Settings of the pooled models: also the ``pooled`` options."""

    pooled: PooledOptions

    @classmethod
    def config_part(cls, config: Mapping[str, Any], part: str) -> dict[str, Any]:
        """The shared part and the ``comparison.pooled`` section."""
        return super().config_part(config, part) | {"pooled": copy.deepcopy(config["comparison"]["pooled"])}


PART = ComparisonPart(
    name="pooled",
    settings=PooledSettings,
    document="pooled.json",
    tables=("pooled_coefficients", "pooled_income_effects"),
)

"""Capability and the households' own drive (内生动力 / 能力).

A capability index over education, health, skills, labour and aspiration dimensions: each
dimension is a standardised summary index of its items (Kling, Liebman & Katz 2007, or Anderson
2008 with inverse-covariance weights), and the capability index the summary index of the
dimension scores; the first principal component of all items is the alternative. The
aspiration dimension is the motivation Likert scale with the reverse-worded 等/靠/要 items
recoded, reported also on its 1–5 scale with Cronbach's alpha. The family compares registered
with unregistered and exited with not-exited households (descriptive gaps between groups, one of
them selected for being poor), and relates skills training and microcredit to the index
(survey-weighted regression with controls, village-clustered SEs): an association, not an effect.
A regressor's own items never sit on both sides: the outcome index leaves out the dimension that
holds them (training sessions are a skills item, so training is related to the index without the
skills dimension), and the controls must not be index items.

The index is standardised within the county (its SD units are the county's) and the first
principal component uses the county's own loadings, so their gaps are informational within a
county and are compared across counties only as rebuilt on the pooled households
(:mod:`pa_study.compare.pooled`). Cronbach's alpha and the principal component are computed on the
unweighted sample (reliability and loadings of the sample, not design-based estimates of the
population's); the index's standardisation, the gaps and the associations use the survey weights.

References
----------
Kling, Liebman & Katz (2007), Econometrica 75(1); Anderson (2008), JASA 103(484); Filmer &
Pritchett (2001), Demography 38(1); Cronbach (1951), Psychometrika 16(3).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from pa_study.codebook import Codebook
from pa_study.config import ConfigPart
from pa_study.design import CALIBRATION_COLUMNS, DESIGN_COLUMNS
from pa_study.disclosure import Margin, Protection
from pa_study.errors import InputError
from pa_study.indicators.family import Choice, CleanedTables, FigureSpec, IndicatorFamily
from pa_study.indicators.output import FamilyResult, estimate_from_row, estimate_table, headline_row, missing_row
from pa_study.indicators.settings import FamilySettings
from pa_study.indicators.survey import (
    as_float,
    coefficient,
    group_difference,
    household_design,
    ratio_by,
    required_table,
    varying_columns,
)
from pa_study.stats import (
    Estimate,
    StatsInputError,
    SummaryIndex,
    SurveyDesign,
    critical_value,
    cronbach_alpha,
    first_principal_component,
    reverse_code,
    summary_index,
    weighted_quantile,
)

INDEX = "capability_index"
SCALE = "scale_mean"
PC1 = "pc1"
#: Probabilities of the index's distribution table: the box (25-75%), whiskers (5-95%) and deciles.
QUANTILES = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)
#: Constructed regressors and the household columns they are made from (their "own items").
REGRESSOR_SOURCES: dict[str, tuple[str, ...]] = {"trained": ("training_sessions",)}
#: Headline rows whose scale is the county's own (standardisation or loadings), not comparable
#: across counties as they stand.
COUNTY_SCALE = "county"
#: The groups of the distribution table: the registration split, then the exit split among the
#: registered (the two contrasts of ``gaps``), as (split, group, selector of the analysis frame).
DISTRIBUTION_GROUPS = (
    ("registration", "unregistered", lambda f: f["registered"] == 0),
    ("registration", "registered", lambda f: f["registered"] == 1),
    ("exit", "registered_not_exited", lambda f: f["exited"] == 0),
    ("exit", "exited", lambda f: f["exited"] == 1),
)

# ---- settings --------------------------------------------------------------------------------


class CapabilityItem(ConfigPart):
    """One item of a capability dimension: a household column, optionally per member, optionally
    counting against (``negative``)."""

    column: str
    per_member: bool = False
    negative: bool = False


class LikertRange(ConfigPart):
    """The ends of the Likert scale (reverse-worded items become ``min + max - x``)."""

    min: int
    max: int


class AssociationModel(ConfigPart):
    """The regressions of capability outcomes on training and microcredit, with controls."""

    outcomes: tuple[str, ...]
    regressors: tuple[str, ...]
    controls: tuple[str, ...]


class CapabilityOptions(ConfigPart):
    """The config's ``indicators.capability`` section: dimensions, index method and the association model."""

    index_method: str
    reference_group: str
    min_items: int
    likert: LikertRange
    dimensions: dict[str, tuple[CapabilityItem, ...]]
    scale_dimension: str
    association: AssociationModel


class CapabilitySettings(FamilySettings):
    """Settings of the capability family: the shared options and the ``capability`` section."""

    capability: CapabilityOptions


def household_columns(settings: CapabilitySettings) -> dict[str, list[str]]:
    """The household columns the family reads: the design and calibration columns, register and exit
    status, household size, training, every item and the association's terms (those that are not
    constructs are household columns; a regressor's source columns, :data:`REGRESSOR_SOURCES`)."""
    options = settings.capability
    spec = options.association
    items = [item.column for specs in options.dimensions.values() for item in specs]
    sources = [column for regressor in spec.regressors for column in REGRESSOR_SOURCES.get(regressor, ())]
    named = [*DESIGN_COLUMNS, *CALIBRATION_COLUMNS, "registered", "exited", "hh_size", "training_sessions"]
    return {
        "households": list(dict.fromkeys([*named, *items, *spec.outcomes, *spec.regressors, *spec.controls, *sources]))
    }


# ---- constructs ------------------------------------------------------------------------------


def item_values(
    households: pd.DataFrame, options: CapabilityOptions, codebook: Codebook
) -> tuple[pd.DataFrame, list[str]]:
    """Return every configured item as a float column, and the items recoded as reverse-worded.

    Booleans become 0/1, ``per_member`` items are divided by household size, and Likert items the
    codebook marks ``reverse: true`` are recoded ``min + max - x`` (so agreeing with 等/靠/要 scores
    low). Item columns are named ``<dimension>:<column>``.

    Raises
    ------
    InputError
        An item that is not a column of the cleaned household table.
    """
    variables = codebook["households"].by_name
    likert = options.likert
    columns, reversed_items = {}, []
    size = as_float(households["hh_size"])
    for dimension, items in options.dimensions.items():
        for item in items:
            column = item.column
            if column not in households.columns:
                raise InputError(
                    f"indicators.capability.dimensions.{dimension} names '{column}', which is not a "
                    f"column of the cleaned household table",
                    path="config",
                )
            values = as_float(households[column])
            if item.per_member:
                values = values / size
            name = f"{dimension}:{column}"
            columns[name] = values
            if column in variables and variables[column].reverse:
                reversed_items.append(name)
    frame = pd.DataFrame(columns, index=households.index)
    if reversed_items:
        frame = reverse_code(frame, reversed_items, scale_min=likert.min, scale_max=likert.max)
    return frame, reversed_items


def capability_scores(
    items: pd.DataFrame, households: pd.DataFrame, options: CapabilityOptions
) -> tuple[pd.DataFrame, pd.DataFrame, int, list[str]]:
    """Return the dimension scores and the capability index, their item weights, unscored rows and notes.

    Each dimension is :func:`pa_study.stats.summary_index` of its items (``negative`` items count
    against), standardised on the reference group with the survey weights; the capability index is
    the summary index of the dimension scores. An item that does not vary in the reference group
    (no child out of school in the whole sample, say) carries no information and is left out, with
    a note; a dimension left without items is left out of the index.

    Returns
    -------
    (DataFrame, DataFrame, int, list)
        One column per dimension plus ``capability_index``; the item weights (dimension, item,
        weight); the number of households without an index; notes on the items left out.
    """
    weights = households["weight"].astype("Float64").to_numpy(dtype=float)
    reference = _reference(households, options.reference_group)
    data = items.assign(_w=weights)
    scores, item_weights, notes = {}, [], []
    for dimension, specs in options.dimensions.items():
        names = [f"{dimension}:{s.column}" for s in specs]
        constant = [n for n in names if items.loc[reference, n].nunique(dropna=True) < 2]
        if constant:
            notes.append(f"capability item(s) {', '.join(constant)} do not vary in the reference group: left out")
        names = [n for n in names if n not in constant]
        if not names:
            notes.append(f"capability dimension {dimension} has no varying item: left out of the index")
            continue
        negative = [f"{dimension}:{s.column}" for s in specs if s.negative and f"{dimension}:{s.column}" in names]
        index = _summary(data, names, reference, options, negative=negative)
        scores[dimension] = index.scores.to_numpy()
        item_weights += [
            {"dimension": dimension, "item": name.split(":", 1)[1], "weight": float(w)}
            for name, w in index.item_weights.items()
        ]
    if not scores:
        return pd.DataFrame(index=items.index), pd.DataFrame(item_weights), len(items), notes
    dimensions = pd.DataFrame(scores, index=items.index).assign(_w=weights)
    overall = _summary(dimensions, list(scores), reference, options, negative=[])
    item_weights += [{"dimension": INDEX, "item": d, "weight": float(w)} for d, w in overall.item_weights.items()]
    result = dimensions.drop(columns="_w").assign(**{INDEX: overall.scores.to_numpy()})
    return result, pd.DataFrame(item_weights), int(result[INDEX].isna().sum()), notes


def _summary(
    data: pd.DataFrame, names: list[str], reference: np.ndarray, options: CapabilityOptions, *, negative: list[str]
) -> SummaryIndex:
    with warnings.catch_warnings():
        # Unscored rows are counted by the caller.
        warnings.simplefilter("ignore", UserWarning)
        return summary_index(
            data,
            names,
            reference=reference,
            method=options.index_method,
            weight="_w",
            negative=negative,
            min_items=min(options.min_items, len(names)),
        )


def _reference(households: pd.DataFrame, group: str) -> np.ndarray:
    if group == "all":
        return np.ones(len(households), dtype=bool)
    return ~households["registered"].astype("boolean").fillna(False).to_numpy(dtype=bool)


def own_dimensions(regressor: str, options: CapabilityOptions) -> list[str]:
    """Return the dimensions holding an item made from ``regressor`` (its column, or the columns it is
    built from, :data:`REGRESSOR_SOURCES`), which an association of it with the index must leave out."""
    own = {regressor, *REGRESSOR_SOURCES.get(regressor, ())}
    return [d for d, specs in options.dimensions.items() if any(s.column in own for s in specs)]


def leave_out_index(
    scores: pd.DataFrame, households: pd.DataFrame, options: CapabilityOptions, left_out: list[str]
) -> np.ndarray:
    """Return the capability index rebuilt from the dimension scores without ``left_out``,
    standardised like the full index (the same reference group and survey weights)."""
    kept = [d for d in options.dimensions if d in scores.columns and d != INDEX and d not in left_out]
    if not kept:
        return np.full(len(scores), np.nan)
    weights = households["weight"].astype("Float64").to_numpy(dtype=float)
    frame = scores[kept].assign(_w=weights)
    return _summary(
        frame, kept, _reference(households, options.reference_group), options, negative=[]
    ).scores.to_numpy()


def leave_out_name(left_out: list[str]) -> str:
    """Column name of the index without the dimensions ``left_out``."""
    return f"{INDEX}_without_{'_'.join(left_out)}"


def scale_score(items: pd.DataFrame, dimension: str, min_items: int) -> np.ndarray:
    """Return the mean of a dimension's (recoded) items on their own scale; NaN with too few answers."""
    columns = [c for c in items.columns if c.split(":", 1)[0] == dimension]
    answered = items[columns].notna().sum(axis=1).to_numpy()
    return np.where(answered >= min_items, items[columns].mean(axis=1).to_numpy(), np.nan)


def principal_component(items: pd.DataFrame, options: CapabilityOptions) -> tuple[np.ndarray, pd.DataFrame, float]:
    """Return first-principal-component scores of all items (negative items sign-flipped), its
    loadings and its share of variance (households with a missing item get no score)."""
    negative = [f"{d}:{s.column}" for d, specs in options.dimensions.items() for s in specs if s.negative]
    signed = items.loc[:, items.nunique(dropna=True) > 1].copy()
    negative = [n for n in negative if n in signed.columns]
    signed[negative] = -signed[negative]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        pc = first_principal_component(signed, list(signed.columns))
    loadings = pc.loadings.rename_axis("item").reset_index()
    return pc.scores.to_numpy(), loadings, pc.explained_variance_ratio


# ---- the family ------------------------------------------------------------------------------


def capability_indicators(tables: CleanedTables, settings: CapabilitySettings) -> FamilyResult:
    """Compute the capability family for one county.

    Parameters
    ----------
    tables : CleanedTables
        Cleaned tables (``households`` is used) and their codebook (for the reverse-worded items).
    settings : CapabilitySettings
        The family's settings for the county.

    Returns
    -------
    FamilyResult
        Headline: the capability-index gap registered − unregistered and exited − not exited, the
        same gap on the aspiration scale (1–5) and on the first principal component, Cronbach's
        alpha of the scale, and the association of training and microcredit with the index.
        Tables: ``gaps``, ``means_by_group``, ``index_distribution``, ``association``,
        ``alpha_items``, ``item_weights``, ``pc_loadings``.
    """
    options = settings.capability
    level = settings.level
    min_group = settings.min_sample.group
    result = FamilyResult("capability", settings.county, settings)
    households = required_table(tables, "households").reset_index(drop=True)
    result.sample = {"households_read": len(households)}
    if len(households) < settings.min_sample.households:
        result.status = "too_small"
        result.notes.append(
            f"{len(households)} households, fewer than the minimum "
            f"{settings.min_sample.households} (indicators.min_sample.households)"
        )
        return result
    if options.scale_dimension not in options.dimensions:
        raise InputError(
            f"indicators.capability.scale_dimension '{options.scale_dimension}' is not one of the "
            f"dimensions {sorted(options.dimensions)}",
            path="config",
        )
    items, reversed_items = item_values(households, options, tables.codebook)
    scores, item_weights, unscored, notes = capability_scores(items, households, options)
    result.notes += notes
    if scores.empty:
        result.status = "skipped"
        result.notes.append("no capability item varies in the sample: the index cannot be built")
        return result
    pc1, loadings, explained = principal_component(items, options)
    scale = scale_score(items, options.scale_dimension, options.min_items)
    result.definitions = _definitions(options, reversed_items, explained)
    result.sample |= {"households_without_index": unscored, "households_with_pc1": int(np.isfinite(pc1).sum())}
    leave_outs = {
        leave_out_name(dims): leave_out_index(scores, households, options, dims)
        for r in options.association.regressors
        if (dims := own_dimensions(r, options))
    }
    frame = _analysis_frame(households, scores, scale, pc1).assign(**leave_outs)
    design = household_design(frame, lonely_psu=settings.lonely_psu)
    outcomes = [INDEX, *(d for d in options.dimensions if d in scores.columns), SCALE, PC1]
    gaps, gap_notes = _gaps(design, outcomes, level)
    result.notes += gap_notes
    result.tables["gaps"] = estimate_table([({"outcome": o, "contrast": c}, e) for (o, c), e in gaps.items()])
    result.tables["means_by_group"] = pd.concat(
        [ratio_by(design, outcome, None, "group", level=level).assign(outcome=outcome) for outcome in outcomes],
        ignore_index=True,
    )
    result.tables["index_distribution"] = index_distribution(frame)
    result.tables["item_weights"] = item_weights
    result.tables["pc_loadings"] = loadings
    result.headline += _gap_headline(gaps, options, min_group)
    result.headline += _alpha_headline(result, items, options, level, min_group)
    association, notes = _association(design, frame, options, level)
    result.notes += notes
    result.tables["association"] = association
    result.headline += _association_headline(association, options, min_group)
    return result


def _analysis_frame(households: pd.DataFrame, scores: pd.DataFrame, scale: np.ndarray, pc1: np.ndarray) -> pd.DataFrame:
    registered = households["registered"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    exited = registered & households["exited"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    frame = households.assign(**{c: scores[c].to_numpy() for c in scores.columns}, **{SCALE: scale, PC1: pc1})
    frame["registered"] = registered.astype(float)
    frame["exited"] = np.where(registered, exited.astype(float), np.nan)
    frame["group"] = np.select([~registered, exited], ["unregistered", "exited"], "registered_not_exited")
    frame["trained"] = (as_float(households["training_sessions"]) > 0).astype(float)
    frame.loc[households["training_sessions"].isna().to_numpy(), "trained"] = np.nan
    for column in frame.columns:
        if pd.api.types.is_bool_dtype(frame[column]) or pd.api.types.is_integer_dtype(frame[column]):
            frame[column] = as_float(frame[column])
    return frame


def index_distribution(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the survey-weighted distribution of the capability index in each group.

    Parameters
    ----------
    frame : DataFrame
        The analysis frame: ``capability_index``, ``weight``, ``registered`` (0/1) and ``exited``
        (0/1 among registered households, NaN otherwise).

    Returns
    -------
    DataFrame
        One row per group of :data:`DISTRIBUTION_GROUPS` with households in it, sorted by
        ``split`` and ``group``: ``split``, ``group``, ``n`` (households with an index),
        ``weight_sum``, the weighted ``mean`` and ``q05`` ... ``q95``, weighted quantiles at
        :data:`QUANTILES` (:func:`pa_study.stats.weighted_quantile`). Point summaries of the
        weighted sample distribution, for the figure: they carry no SEs.
    """
    rows = []
    # Only the two columns the summaries read: a boolean selection copies every column it keeps.
    summarised = frame[[INDEX, "weight"]]
    for split, group, selects in DISTRIBUTION_GROUPS:
        members = summarised[selects(frame).to_numpy(dtype=bool) & frame[INDEX].notna().to_numpy()]
        if members.empty:
            continue
        values, weights = as_float(members[INDEX]), as_float(members["weight"])
        quantiles = weighted_quantile(values, weights, list(QUANTILES))
        rows.append(
            {
                "split": split,
                "group": group,
                "n": len(members),
                "weight_sum": float(weights.sum()),
                "mean": float(np.average(values, weights=weights)),
                **{f"q{round(p * 100):02d}": float(q) for p, q in zip(QUANTILES, quantiles, strict=True)},
            }
        )
    columns = ["split", "group", "n", "weight_sum", "mean", *(f"q{round(p * 100):02d}" for p in QUANTILES)]
    return pd.DataFrame(rows, columns=columns).sort_values(["split", "group"], ignore_index=True)


def _gaps(design: SurveyDesign, outcomes: list[str], level: float) -> tuple[dict[tuple[str, str], Estimate], list[str]]:
    """Registered − unregistered and, among registered households, exited − not exited, per outcome,
    and a note for each contrast that cannot be estimated (with nobody exited, say), left out."""
    data = design.data
    gaps: dict[tuple[str, str], Estimate] = {}
    notes: list[str] = []
    for outcome in outcomes:
        ds = design.assign(_among_registered=data[outcome].where(data["registered"] == 1).to_numpy())
        for contrast, column, group in (
            ("registered_minus_unregistered", outcome, "registered"),
            ("exited_minus_not_exited", "_among_registered", "exited"),
        ):
            try:
                gaps[(outcome, contrast)] = group_difference(ds, column, group, level=level)
            except StatsInputError as exc:
                notes.append(f"gap {contrast} of {outcome} not estimated: {exc}")
    return gaps, notes


def _gap_headline(
    gaps: dict[tuple[str, str], Estimate], options: CapabilityOptions, min_group: int
) -> list[dict[str, Any]]:
    wanted = [
        (
            INDEX,
            "registered_minus_unregistered",
            "capability_gap_registered",
            "能力指数差异（建档立卡−非建档立卡）capability index gap, registered − unregistered (SD)",
        ),
        (
            INDEX,
            "exited_minus_not_exited",
            "capability_gap_exited",
            "能力指数差异（已脱贫−未脱贫）capability index gap, exited − not exited registered households (SD)",
        ),
        (
            SCALE,
            "registered_minus_unregistered",
            "scale_gap_registered",
            f"内生动力量表差异 {options.scale_dimension} scale gap, registered − unregistered (scale points)",
        ),
        (
            PC1,
            "registered_minus_unregistered",
            "pc1_gap_registered",
            "第一主成分差异 first-principal-component gap, registered − unregistered (informational: the county's "
            "own loadings)",
        ),
    ]
    rows = []
    for outcome, contrast, name, label in wanted:
        definition = (
            f"difference in the design-based mean of {outcome} ({contrast.replace('_', ' ')}), the slope "
            "of a survey-weighted regression on the group indicator"
        )
        estimate = gaps.get((outcome, contrast))
        if estimate is None:
            rows.append(missing_row(name, label, definition, "not estimable: a group is empty or has no variation"))
            continue
        row = headline_row(name, label, estimate, definition, min_n=min_group, design="descriptive difference")
        # The scale's points are common to every county; the index's SD units and PC1's loadings are not.
        rows.append(row if outcome == SCALE else {**row, "scale": COUNTY_SCALE})
    return rows


def _alpha_headline(
    result: FamilyResult, items: pd.DataFrame, options: CapabilityOptions, level: float, min_group: int
) -> list[dict[str, Any]]:
    """Cronbach's alpha of the scale dimension (its item statistics go to ``alpha_items``)."""
    dimension = options.scale_dimension
    columns = [c for c in items.columns if c.split(":", 1)[0] == dimension]
    name, label = "cronbach_alpha", f"Cronbach's alpha, {dimension} scale (reverse-worded items recoded)"
    definition = (
        "raw alpha of the recoded items (psych::alpha, pairwise), computed on the unweighted sample: the sample's "
        "reliability, not a design-based estimate of the population's; CI = alpha ± z x ASE. No design effect or "
        "effective sample size: the ASE (Duhachek & Iacobucci 2004) treats respondents as independent draws, so "
        "there is no design-based variance to set against simple random sampling; the interval does not reflect the "
        "sample's clustering in villages or its unequal weights, which a design-based one would typically widen"
    )
    try:
        with warnings.catch_warnings():
            # A negatively correlating item shows in alpha_items (r_drop); the warning adds nothing.
            warnings.simplefilter("ignore", UserWarning)
            alpha = cronbach_alpha(items[columns].rename(columns=lambda c: c.split(":", 1)[1]))
    except StatsInputError as exc:
        return [missing_row(name, label, definition, str(exc))]
    result.tables["alpha_items"] = alpha.item_stats.reset_index()
    result.definitions[name] = definition
    half = critical_value(level) * alpha.ase
    estimate = Estimate(
        name=name,
        estimate=alpha.raw_alpha,
        se=alpha.ase,
        ci_low=alpha.raw_alpha - half,
        ci_high=alpha.raw_alpha + half,
        n=alpha.n_obs,
    )
    return [headline_row(name, label, estimate, definition, min_n=min_group)]


def association_controls(options: CapabilityOptions) -> list[str]:
    """Return the configured controls, refusing any that is an item of the index.

    Raises
    ------
    InputError
        A control that is an index item (it would sit on both sides of the regression).
    """
    items = {s.column for specs in options.dimensions.values() for s in specs}
    both = [c for c in options.association.controls if c in items]
    if both:
        raise InputError(
            f"indicators.capability.association.controls names {both}, item(s) of the capability index: a control "
            "that is also part of the outcome makes the association partly mechanical; choose controls that are "
            "not index items",
            path="config",
        )
    return list(options.association.controls)


def _association(
    design: SurveyDesign, frame: pd.DataFrame, options: CapabilityOptions, level: float
) -> tuple[pd.DataFrame, list[str]]:
    """Survey-weighted regressions of each outcome on one regressor at a time, the other regressors
    and the controls (design-based, village-clustered SEs); one row per outcome, regressor and term.

    For the capability index the outcome is the index without the regressor's own dimensions
    (:func:`own_dimensions`); a dimension that holds the regressor's items is not related to it.
    """
    spec = options.association
    controls = association_controls(options)
    unknown = [t for t in [*spec.outcomes, *spec.regressors, *controls] if t not in frame.columns]
    if unknown:
        raise InputError(
            f"indicators.capability.association names {unknown}, which are neither household columns "
            f"nor constructs ({INDEX}, the dimensions, trained)",
            path="config",
        )
    terms, constant = varying_columns(frame, [*spec.regressors, *controls])
    notes = [f"association: {constant} do not vary in the sample and are left out"] if constant else []
    rows = []
    for outcome in spec.outcomes:
        for regressor in [r for r in spec.regressors if r in terms]:
            left_out = own_dimensions(regressor, options)
            if outcome in left_out:
                notes.append(f"association of {regressor} with {outcome} not estimated: {outcome} holds its own items")
                continue
            dependent = leave_out_name(left_out) if outcome == INDEX and left_out else outcome
            ordered = [regressor, *(t for t in terms if t != regressor)]
            try:
                fit = design.regression(f"{dependent} ~ {' + '.join(ordered)}", na_rm=True, level=level)
            except StatsInputError as exc:
                notes.append(f"association of {regressor} with {dependent} not estimated: {exc}")
                continue
            # A text control enters as a factor: one coefficient per level but the first.
            rows += [
                (
                    {
                        "outcome": outcome,
                        "dependent": dependent,
                        "regressor": regressor,
                        "term": term,
                        "is_regressor": term == regressor,
                    },
                    coefficient(fit, term),
                )
                for term in fit.params.index
                if term != "Intercept"
            ]
    return estimate_table(rows), notes


def _association_headline(table: pd.DataFrame, options: CapabilityOptions, min_group: int) -> list[dict[str, Any]]:
    spec = options.association
    outcome = spec.outcomes[0]
    controls = ", ".join(spec.controls) or "none"
    rows = []
    for regressor in spec.regressors:
        name = f"association_{regressor}"
        left_out = own_dimensions(regressor, options)
        target = f"{outcome} without the {', '.join(left_out)} dimension" if outcome == INDEX and left_out else outcome
        label = f"{regressor} 与能力指数的关联 association of {regressor} with the {target} (conditional on controls)"
        definition = (
            f"coefficient of {regressor} in a survey-weighted regression of the {target} on {regressor}, the other "
            f"regressors ({', '.join(r for r in spec.regressors if r != regressor) or 'none'}) and controls that are "
            f"not index items ({controls}); design-based SEs; a descriptive association, not an effect; in the "
            "county's own SD units"
        )
        match = (
            table[(table["outcome"] == outcome) & (table["regressor"] == regressor) & (table["term"] == regressor)]
            if len(table)
            else table
        )
        if match.empty:
            rows.append(missing_row(name, label, definition, "not estimated (see notes)"))
            continue
        row = headline_row(
            name,
            label,
            estimate_from_row(match.iloc[0], name),
            definition,
            min_n=min_group,
            design="descriptive association conditional on controls",
        )
        rows.append({**row, "controls": controls, "scale": COUNTY_SCALE})
    return rows


def _definitions(options: CapabilityOptions, reversed_items: list[str], explained: float) -> dict[str, str]:
    dimensions = {
        d: ", ".join(("-" if s.negative else "+") + s.column + (" per member" if s.per_member else "") for s in specs)
        for d, specs in options.dimensions.items()
    }
    return {
        "dimensions": "; ".join(f"{d}: {items}" for d, items in dimensions.items()),
        "dimension_score": f"summary index ({options.index_method}) of the dimension's items, z-scored on "
        f"{options.reference_group} households with survey weights",
        INDEX: "summary index of the dimension scores, standardised (mean 0, SD 1 in the reference group)",
        SCALE: f"mean of the answered {options.scale_dimension} items on their "
        f"{options.likert.min}-{options.likert.max} scale",
        "reverse_coded": ", ".join(i.split(":", 1)[1] for i in reversed_items) or "none",
        PC1: f"first principal component of all items (negative items sign-flipped) on the unweighted correlation "
        f"matrix, {explained:.1%} of variance; the county's own loadings, so its gap is informational and not "
        "compared across counties",
        "trained": "attended at least one skills-training session in the past year (its items: training_sessions)",
        "association": "each regressor related to the capability index without the dimension(s) holding its own "
        "items, conditional on the other regressors and on controls that are not index items; a descriptive "
        "association, not an effect",
        "gaps": "descriptive differences between groups; registered households were selected for being poor",
    }


#: The analysis choices of the capability family the specification multiverse may vary.
CHOICES = {
    "index_method": Choice(
        "capability.index_method",
        "index weights",
        "指数权重",
        {
            "equal": ("equal (Kling et al.)", "等权（Kling等）"),
            "inverse_covariance": ("inverse covariance (Anderson)", "逆协方差（Anderson）"),
        },
    ),
    "reference_group": Choice(
        "capability.reference_group",
        "standardised against",
        "标准化参照组",
        {"all": ("all households", "全部农户"), "unregistered": ("unregistered households", "非建档立卡户")},
    ),
}


FAMILY = IndicatorFamily(
    name="capability",
    title_en="Capability and endogenous motivation",
    title_zh="能力与内生动力",
    question_en="Do registered households lag in capability and drive (内生动力), and do those trained score higher?",
    question_zh="建档立卡户的能力与内生动力是否落后，参加培训者是否更高？",
    key_headlines=("capability_gap_registered", "association_trained"),
    settings=CapabilitySettings,
    instruments=("households",),
    required=("households",),
    compute=capability_indicators,
    choices=CHOICES,
    contrasts=("capability_gap", "scale_gap", "pc1_gap", "association_"),
    figures={
        "capability_by_status": FigureSpec(
            ("capability",),
            "Survey-weighted distribution of the capability index by registration and exit status: box 25-75%, "
            "whiskers 5-95%, line at the median, diamond at the mean.",
            "按建档立卡与脱贫状态分组的能力指数加权分布：箱体为25%–75%分位，须为5%–95%分位，竖线为中位数，菱形为均值。",
            "capability_by_status",
        ),
    },
    columns=household_columns,
    protection=Protection(
        margins={
            "means_by_group": Margin("group", ("outcome",)),
            "index_distribution": Margin("group", ("split",)),
        }
    ),
)

"""Formalism burden (形式主义): how cadres spend their week, and what households see of it.

From the cadre survey: the share of weekly hours on paperwork, meetings and hosting inspections
against field work with households; forms, duplicated data requests, inspections and reporting
channels per month; a standardised burden index and the perceived-formalism scale (with
Cronbach's alpha); all by role; and, where a pre-campaign baseline is configured, the reduction
against the burden-reduction targets of 2019 (基层减负年, e.g. meetings −30–50%). From households:
times asked to fill forms or receive inspections against help visits received. At village (or
township) level: the association between cadre burden and identification errors.

The cadre survey's design: roles are strata and cadres of one township (of one village for first
secretaries and village committees) a cluster, since they share their workload; county-department
cadres are each their own. Role-specific means are the primary estimates. Where the county delivers
the optional roster of cadres per role and township (帮扶干部花名册, ``cadre_roster``), cadres
weigh by it (cadres in the roster cell ÷ cadres surveyed there), so that a county mean stands for the
county's cadres; without it every cadre weighs one, and a county mean is one over the sample's mix
of roles, which the output says.

References
----------
CPC Central Committee General Office (2019), notice on reducing burdens at the grassroots (基层减负年);
Xinhua 2019-06-27 (provincial targets, see shared/domain/facts.md).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from pa_study.codebook import normalise_label
from pa_study.config import ConfigPart, Number
from pa_study.design import CALIBRATION_COLUMNS, village_key
from pa_study.disclosure import Margin, Protection
from pa_study.errors import InputError
from pa_study.indicators.family import FigureSpec, IndicatorFamily
from pa_study.indicators.identification import IdentificationSettings, identification_frame
from pa_study.indicators.identification.constructs import USABLE
from pa_study.indicators.identification.constructs import household_columns as identification_columns
from pa_study.indicators.output import (
    FamilyResult,
    estimate_from_row,
    headline_row,
    missing_row,
    threshold_verdicts,
)
from pa_study.indicators.settings import FamilySettings
from pa_study.indicators.survey import (
    as_float,
    coefficient,
    household_design,
    mean_estimate,
    ratio_by,
    ratio_estimate,
    required_table,
    respondent_design,
    with_design_effects,
)
from pa_study.stats import Estimate, StatsInputError, SurveyDesign, cronbach_alpha, summary_index

ACTIVITIES = ("paperwork", "meetings", "inspections", "fieldwork", "projects")
COUNTS = ("forms_per_month", "duplicate_requests_per_month", "inspections_per_month", "reporting_channels")
_LABELS = {
    "share_paperwork": "填表报数工时占比 share of weekly hours on paperwork",
    "share_meetings": "开会工时占比 share of weekly hours in meetings",
    "share_inspections": "迎检工时占比 share of weekly hours hosting inspections",
    "share_fieldwork": "入户帮扶工时占比 share of weekly hours on field work with households",
    "share_projects": "项目工作工时占比 share of weekly hours on project work",
    "share_formalism": "形式主义工时占比 share of weekly hours on formal activities",
    "share_field": "实地工作工时占比 share of weekly hours on field activities",
    "share_other": "其他工时占比 share of weekly hours on none of the listed activities",
    "forms_per_month": "每月报送表格数 forms submitted per month",
    "duplicate_requests_per_month": "每月重复报数次数 duplicated data requests per month",
    "inspections_per_month": "每月接受检查次数 inspections received per month",
    "reporting_channels": "工作群和政务APP数 reporting apps and chat groups",
    "perception_scale": "形式主义感知量表 perceived formalism (1-5)",
    "household_forms_inspections": "农户被要求填表迎检次数 times registered households filled forms or received "
    "inspections",
    "household_help_visits": "农户接受帮扶走访次数 help visits received by registered households",
    "household_forms_per_visit": "填表迎检与帮扶走访之比 forms and inspections per help visit, registered households",
    "burden_error_association": "干部负担与识别误差的关联 association of cadre burden with identification errors",
}


# ---- settings --------------------------------------------------------------------------------


class BurdenTarget(ConfigPart):
    """A burden-reduction target of the 2019 campaign: the least (and largest) reduction of a
    measure against its pre-campaign baseline, with its source."""

    measure: str
    reduction_min: Number
    reduction_max: Number | None = None
    source: str
    confidence: str | None = None


class FormalismOptions(ConfigPart):
    """The config's ``indicators.formalism`` section, with the baselines of one county."""

    formal_activities: tuple[str, ...]
    field_activities: tuple[str, ...]
    burden_items: tuple[str, ...]
    perception_items: tuple[str, ...]
    targets: tuple[BurdenTarget, ...]
    baselines: dict[str, Number]
    association_levels: tuple[str, ...]


class FormalismSettings(IdentificationSettings):
    """Settings of the formalism family: those of identification (the burden-error association
    counts misclassified households by its rules) and the ``formalism`` section, whose
    ``baselines`` are this county's only."""

    formalism: FormalismOptions

    @classmethod
    def config_part(cls, config: Mapping[str, Any], family: str, county: str) -> dict[str, Any]:
        """The declared sections, with the baselines of the county only."""
        part = super().config_part(config, family, county)
        part["formalism"]["baselines"] = part["formalism"]["baselines"].get(county, {})
        return part


# ---- the cadre survey's design ------------------------------------------------------------------

#: Roles whose cadres work in one village: they cluster by village, the others by township.
_VILLAGE_ROLES = ("first_secretary", "village_committee")
_CADRE_WEIGHT, _CADRE_CLUSTER, _ROLE = "_cadre_weight", "_cadre_cluster", "_role"


def cadre_clusters(cadres: pd.DataFrame) -> pd.Series:
    """Return each cadre's cluster: its village for village roles (its township where the village
    is not recorded), its township for township cadres, itself for county departments (and for
    anyone whose posting is not recorded)."""
    township = cadres["township"].astype("string").map(normalise_label, na_action="ignore")
    village = cadres["village"].astype("string").map(normalise_label, na_action="ignore")
    role = cadres["role"].astype("string")
    own = "cadre/" + pd.Series(np.arange(len(cadres)), index=cadres.index).astype("string")
    at_village = role.isin(_VILLAGE_ROLES) & township.notna() & village.notna()
    at_township = (role != "county_dept") & township.notna()
    return own.where(~at_township, "township/" + township).where(~at_village, "village/" + township + "/" + village)


def cadre_weights(cadres: pd.DataFrame, roster: pd.DataFrame | None) -> tuple[np.ndarray, list[str]]:
    """Return each cadre's weight from the roster, and notes on what the roster did not cover.

    The weight is the roster's count for the cadre's role in its township (for county departments,
    in the county) ÷ the cadres of that role and township surveyed. A surveyed cell the roster
    lacks weighs by its role's roster total ÷ cadres of the role surveyed; a cell with fewer cadres in
    the roster than surveyed weighs one. Without a roster every weight is one.
    """
    if roster is None or roster.empty:
        return np.ones(len(cadres)), []
    role = cadres["role"].astype("string").to_numpy()
    township = cadres["township"].astype("string").map(normalise_label, na_action="ignore").fillna("")
    cell = pd.Series(np.where(role == "county_dept", "", township.to_numpy()), index=cadres.index) + "|" + role
    listed = roster.assign(
        _cell=np.where(
            roster["role"].astype("string") == "county_dept",
            "",
            roster["township"].astype("string").map(normalise_label, na_action="ignore").fillna(""),
        )
        + "|"
        + roster["role"].astype("string")
    )
    counts = listed.groupby("_cell")["n_cadres"].sum()
    surveyed = cell.map(cell.value_counts())
    population = cell.map(counts).astype("Float64")
    notes = []
    missing = sorted(set(cell[population.isna()]))
    if missing:
        by_role = listed.groupby(listed["role"].astype("string"))["n_cadres"].sum()
        role_ratio = pd.Series(role).map(by_role).to_numpy() / pd.Series(role).map(pd.Series(role).value_counts())
        population = population.fillna(pd.Series(role_ratio.to_numpy() * surveyed.to_numpy(), index=cadres.index))
        notes.append(
            f"the cadre roster has no count for {len(missing)} surveyed role/township cell(s) ({', '.join(missing[:5])}"
            f"{' ...' if len(missing) > 5 else ''}): their cadres weigh by their role's roster total"
        )
    short = population < surveyed
    if short.any():
        notes.append(
            f"the cadre roster counts fewer cadres than were surveyed in {sorted(set(cell[short]))}: they weigh one"
        )
        population = population.where(~short, surveyed)
    weights = (population / surveyed).to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isfinite(weights), weights, 1.0), notes


def cadre_design(
    frame: pd.DataFrame, roster: pd.DataFrame | None, *, lonely_psu: str
) -> tuple[SurveyDesign, list[str]]:
    """Return the cadre survey's design (roles as strata, clusters by township or village, roster
    weights) and notes; see the module docstring."""
    weights, notes = cadre_weights(frame, roster)
    data = frame.reset_index(drop=True).assign(
        **{
            _CADRE_WEIGHT: weights,
            _CADRE_CLUSTER: cadre_clusters(frame).to_numpy(),
            _ROLE: frame["role"].astype("string").to_numpy(),
        }
    )
    try:
        design = SurveyDesign(data, weight=_CADRE_WEIGHT, strata=_ROLE, psu=_CADRE_CLUSTER, lonely_psu=lonely_psu)
    except StatsInputError as exc:
        raise InputError(f"cannot build the cadre survey design: {exc}") from None
    return with_design_effects(design), notes


# ---- cadre constructs ------------------------------------------------------------------------


def cadre_measures(cadres: pd.DataFrame, options: FormalismOptions) -> pd.DataFrame:
    """Return the cadres with hour shares, formal/field totals, the perception scale and the burden index.

    ``share_<activity>`` is the cadre's hours on the activity ÷ usual total weekly hours (missing
    where the total is missing or zero); ``share_formalism`` and ``share_field`` sum the configured
    formal and field activities; ``share_other`` is the rest of the week, on none of the
    activities asked about, so that the activities' shares and it add up to one;
    ``perception_scale`` is the mean of the answered perception items; ``burden_index`` the
    equal-weight summary index of the burden items over all cadres.
    """
    frame = cadres.reset_index(drop=True).copy()
    total = as_float(frame["hours_total"])
    total = np.where(total > 0, total, np.nan)
    for activity in ACTIVITIES:
        frame[f"share_{activity}"] = as_float(frame[f"hours_{activity}"]) / total
    frame["hours_formalism"] = sum(as_float(frame[f"hours_{a}"]) for a in options.formal_activities)
    frame["share_formalism"] = frame["hours_formalism"] / total
    frame["share_field"] = sum(as_float(frame[f"hours_{a}"]) for a in options.field_activities) / total
    frame["share_other"] = 1 - sum(frame[f"share_{a}"] for a in ACTIVITIES)
    for column in (*COUNTS, *options.perception_items):
        frame[column] = as_float(frame[column])
    frame["perception_scale"] = frame[list(options.perception_items)].mean(axis=1)
    with warnings.catch_warnings():
        # Cadres without any burden item get no index; counted in the sample section.
        warnings.simplefilter("ignore", UserWarning)
        frame["burden_index"] = summary_index(frame, list(options.burden_items)).scores.to_numpy()
    return frame


def hour_shares(options: FormalismOptions) -> list[str]:
    """Return the hour-share measures the family reports, each once: every activity's share, the
    formal activities' total, the field activities' total where it is more than one activity's
    share (otherwise it would repeat that share, and count twice among the family's tests), and the
    rest of the week."""
    field = ["share_field"] if len(options.field_activities) > 1 else []
    return [*(f"share_{a}" for a in ACTIVITIES), "share_formalism", *field, "share_other"]


def field_share(options: FormalismOptions) -> str:
    """Return the name of the field-work share: ``share_field`` for several field activities, else
    the one activity's own share (``share_fieldwork``)."""
    return "share_field" if len(options.field_activities) > 1 else f"share_{options.field_activities[0]}"


def by_role(design: SurveyDesign, measures: list[str], level: float) -> pd.DataFrame:
    """Return the mean of each measure by role and over all cadres."""
    tables = [
        ratio_by(design, m, None, by, level=level).rename(columns={by: "role"}).assign(measure=m)
        for by in ("_all", "role")
        for m in measures
    ]
    table = pd.concat(tables, ignore_index=True)
    extra = [c for c in ("df", "deff", "n_effective") if c in table.columns]
    return table[["measure", "role", "estimate", "se", "ci_low", "ci_high", "n_denominator", *extra]]


def target_assessment(
    design: SurveyDesign, targets: Sequence[BurdenTarget], baselines: Mapping[str, float], level: float
) -> tuple[pd.DataFrame, list[tuple[BurdenTarget, Estimate]]]:
    """Compare current means with the configured burden-reduction targets where a baseline exists.

    The reduction is ``1 - mean / baseline`` with the baseline taken as known, so its SE is the
    mean's SE over the baseline. A target passes when the reduction reaches ``reduction_min``.

    Returns
    -------
    (DataFrame, list)
        One row per target (``assessed`` False and a note where there is no baseline), and the
        assessed reductions with their target rows for the headline.
    """
    rows, assessed = [], []
    for target in targets:
        measure = target.measure
        row = {
            "measure": measure,
            "reduction_min": target.reduction_min,
            "reduction_max": target.reduction_max,
            "source": target.source,
            "baseline": baselines.get(measure),
        }
        if measure not in baselines:
            rows.append({**row, "assessed": False, "note": "no baseline configured (indicators.formalism.baselines)"})
            continue
        current = mean_estimate(design, measure, level=level)
        base = float(baselines[measure])
        reduction = Estimate(
            name=f"reduction({measure})",
            estimate=1 - current.estimate / base,
            se=current.se / base,
            ci_low=1 - current.ci_high / base,
            ci_high=1 - current.ci_low / base,
            n=current.n,
            df=current.df,
            level=level,
        )
        verdicts = threshold_verdicts(reduction, target.reduction_min, operator=">=")
        rows.append(
            {
                **row,
                "assessed": True,
                "current_mean": current.estimate,
                "reduction": reduction.estimate,
                "se": reduction.se,
                "ci_low": reduction.ci_low,
                "ci_high": reduction.ci_high,
                "n": reduction.n,
                **verdicts,
            }
        )
        assessed.append((target, reduction))
    return pd.DataFrame(rows), assessed


# ---- households and the village-level association --------------------------------------------


def household_columns(settings: FormalismSettings) -> dict[str, list[str]]:
    """The household columns the family reads: those of the identification frame (the burden-error
    association's unit error rates), the calibration columns (the contact figures' design is of the
    whole sample, calibrated when the county is) and the forms, inspections and help visits."""
    named = [*identification_columns(settings)["households"], *CALIBRATION_COLUMNS, "forms_inspections", "help_visits"]
    return {"households": list(dict.fromkeys(named))}


def household_contact(households: pd.DataFrame, settings: FamilySettings) -> tuple[pd.DataFrame, dict[str, Estimate]]:
    """Return forms/inspections and help visits by registration, and the registered households'
    figures: mean forms and inspections, mean help visits and their ratio (ratio of totals)."""
    level = settings.level
    registered = households["registered"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    forms, visits = as_float(households["forms_inspections"]), as_float(households["help_visits"])
    frame = households.reset_index(drop=True).assign(
        group=np.where(registered, "registered", "unregistered"),
        _forms=forms,
        _visits=visits,
        _reg_forms=np.where(registered, forms, np.nan),
        _reg_visits=np.where(registered, visits, np.nan),
    )
    design = household_design(frame, lonely_psu=settings.lonely_psu)
    table = pd.concat(
        [
            ratio_by(design, column, None, "group", level=level).assign(measure=name)
            for name, column in (("forms_inspections", "_forms"), ("help_visits", "_visits"))
        ]
        + [ratio_by(design, "_forms", "_visits", "group", level=level).assign(measure="forms_per_visit")],
        ignore_index=True,
    )
    estimates = {}
    if registered.any():
        estimates = {
            "household_forms_inspections": mean_estimate(design, "_reg_forms", level=level),
            "household_help_visits": mean_estimate(design, "_reg_visits", level=level),
            "household_forms_per_visit": ratio_estimate(design, "_reg_forms", "_reg_visits", level=level),
        }
    return table[["measure", "group", "estimate", "se", "ci_low", "ci_high", "n_denominator"]], estimates


def unit_errors(households: pd.DataFrame, settings: IdentificationSettings, level_name: str) -> pd.DataFrame:
    """Return the weighted share of misclassified households per village or township.

    Misclassified: on the register (as ``inclusion_register`` defines it) but not eligible, or
    eligible but never registered.
    """
    frame, _ = identification_frame(households, settings)
    current = settings.identification.inclusion_register == "current"
    register = frame["current"] if current else frame["registered"]
    wrong = ((register == 1) & (frame["eligible"] == 0)) | ((frame["eligible"] == 1) & (frame["registered"] == 0))
    # Households outside the identification domain (eligibility or exit status unknown) stay in
    # the design but out of every unit's rate.
    frame["_wrong"] = wrong.astype(float).where(frame[USABLE] == 1)
    frame["_unit"] = _unit_key(frame, level_name)
    design = household_design(frame, lonely_psu=settings.lonely_psu)
    return ratio_by(design, "_wrong", None, "_unit", level=settings.level).rename(
        columns={"_unit": "unit", "estimate": "error_rate", "n_denominator": "n_households"}
    )[["unit", "error_rate", "n_households"]]


def _unit_key(frame: pd.DataFrame, level_name: str) -> pd.Series:
    if level_name == "village":
        return village_key(frame).where(frame["village"].notna() & frame["township"].notna())
    return frame["township"].map(normalise_label, na_action="ignore")


def burden_error_association(
    cadres: pd.DataFrame, households: pd.DataFrame, settings: FormalismSettings
) -> tuple[pd.DataFrame, Estimate | None, list[str]]:
    """Regress the units' identification error rate on their cadres' mean formal-hours share.

    Tries the configured levels in order (village, then township) and uses the first with at least
    ``min_sample.association_units`` units having both cadres and households. Units are equally
    weighted and independent (each its own PSU).

    Returns
    -------
    (DataFrame, Estimate or None, list)
        The unit table (level, unit, cadres, mean formal share, households, error rate), the slope
        (None if no level had enough units) and notes.
    """
    notes = []
    for level_name in settings.formalism.association_levels:
        burden = cadres.assign(_unit=_unit_key(cadres, level_name)).dropna(subset=["_unit", "share_formalism"])
        per_unit = burden.groupby("_unit").agg(
            n_cadres=("share_formalism", "size"), cadre_formal_share=("share_formalism", "mean")
        )
        errors = unit_errors(households, settings, level_name).set_index("unit")
        units = per_unit.join(errors, how="inner").rename_axis("unit").reset_index()
        units.insert(0, "level", level_name)
        if len(units) < settings.min_sample.association_units:
            notes.append(
                f"burden-error association at {level_name} level: {len(units)} units with both cadres and "
                f"sampled households, fewer than {settings.min_sample.association_units}"
            )
            continue
        if units["error_rate"].nunique() < 2 or units["cadre_formal_share"].nunique() < 2:
            notes.append(
                f"burden-error association at {level_name} level undefined: the error rate or the cadre "
                "burden does not vary across units"
            )
            continue
        design = respondent_design(units)
        try:
            fit = design.regression("error_rate ~ cadre_formal_share", level=settings.level)
        except StatsInputError as exc:
            notes.append(f"burden-error association at {level_name} level not estimated: {exc}")
            continue
        return units, coefficient(fit, "cadre_formal_share"), notes
    return pd.DataFrame(), None, notes


# ---- the family ------------------------------------------------------------------------------


def formalism_indicators(tables: Mapping[str, pd.DataFrame | None], settings: FormalismSettings) -> FamilyResult:
    """Compute the formalism family for one county.

    Parameters
    ----------
    tables : dict
        Cleaned ``cadres`` (``None`` when the county has no cadre survey) and ``households``.
    settings : FormalismSettings
        The family's settings for the county.

    Returns
    -------
    FamilyResult
        Headline: hour shares by activity and of formal activities, monthly counts, the perception
        scale, assessed burden-reduction targets, the household-side contact figures and the
        burden-error association. Tables: ``by_role``, ``alpha_items``, ``targets``,
        ``household_contact``, ``association_units``. Without a cadre survey only the household side
        is computed (status ``partial``).
    """
    options = settings.formalism
    result = FamilyResult("formalism", settings.county, settings)
    result.definitions = _definitions(options)
    households = required_table(tables, "households")
    cadres = tables.get("cadres")
    result.sample = {"cadres_read": 0 if cadres is None else len(cadres), "households_read": len(households)}
    if cadres is None:
        result.status = "partial"
        result.notes.append(
            "the county has no cadre survey (干部问卷): cadre burden, targets and the burden-error "
            "association are skipped; only the household side is reported"
        )
    elif len(cadres) < settings.min_sample.cadres:
        result.status = "partial"
        result.notes.append(
            f"{len(cadres)} cadres, fewer than the minimum {settings.min_sample.cadres} "
            "(indicators.min_sample.cadres): cadre measures skipped"
        )
        cadres = None
    if cadres is not None:
        _add_cadre_side(result, cadres, households, tables.get("cadre_roster"), settings)
    contact, estimates = household_contact(households, settings)
    result.tables["household_contact"] = contact
    for name in ("household_forms_inspections", "household_help_visits", "household_forms_per_visit"):
        definition = {
            "household_forms_inspections": "mean times asked to fill forms or receive inspections in the "
            "past year, registered households",
            "household_help_visits": "mean help visits from cadres in the past year, registered households",
            "household_forms_per_visit": "total forms and inspections ÷ total help visits, registered households",
        }[name]
        if name in estimates:
            result.headline.append(
                headline_row(name, _LABELS[name], estimates[name], definition, min_n=settings.min_sample.group)
            )
        else:
            result.headline.append(missing_row(name, _LABELS[name], definition, "no registered household sampled"))
    return result


def _add_cadre_side(
    result: FamilyResult,
    cadres: pd.DataFrame,
    households: pd.DataFrame,
    roster: pd.DataFrame | None,
    settings: FormalismSettings,
) -> None:
    options, level = settings.formalism, settings.level
    frame = cadre_measures(cadres, options)
    result.sample |= {
        "cadres_with_hours": int(frame["share_formalism"].notna().sum()),
        "cadres_without_burden_index": int(frame["burden_index"].isna().sum()),
    }
    design, notes = cadre_design(
        frame.assign(_all="all", role=frame["role"].astype("string")), roster, lonely_psu=settings.lonely_psu
    )
    weighted = roster is not None and not roster.empty
    result.notes += notes
    if not weighted:
        result.notes.append(
            "no cadre roster (cadre_roster): every cadre weighs one, so a county mean is unweighted over roles, "
            "a mean over the sample's mix of roles; the role-specific rows are the comparable estimates"
        )
    result.definitions["cadre_sample"] = (
        "roles are strata, cadres of one township (one village for first secretaries and village committees) a "
        "cluster, county-department cadres each their own; "
        + (
            "weights from the cadre roster (cadres of the role in the township ÷ cadres surveyed there)"
            if weighted
            else "equal weights (no cadre roster): county means are unweighted over roles"
        )
    )
    shares = hour_shares(options)
    measures = [*dict.fromkeys(shares), *COUNTS, "perception_scale", "burden_index"]
    roles_table = by_role(design, measures, level)
    result.tables["by_role"] = roles_table
    result.headline += role_headline(roles_table, options, settings.min_sample.group)
    scope = "weighted by the cadre roster" if weighted else "unweighted over roles (the sample's role mix)"
    for measure in (*dict.fromkeys(shares), *COUNTS, "perception_scale"):
        estimate = mean_estimate(design, measure, level=level)
        result.headline.append(
            headline_row(
                measure,
                _LABELS[measure],
                estimate,
                f"{_measure_definition(measure, options)}; county mean {scope}",
                min_n=settings.min_sample.cadres,
            )
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            alpha = cronbach_alpha(frame[list(options.perception_items)])
        result.tables["alpha_items"] = alpha.item_stats.reset_index().assign(raw_alpha=alpha.raw_alpha, ase=alpha.ase)
    except StatsInputError as exc:
        result.notes.append(f"Cronbach's alpha of the perception items not computed: {exc}")
    targets, assessed = target_assessment(design, options.targets, options.baselines, level)
    result.tables["targets"] = targets
    if not assessed and options.targets:
        result.notes.append(
            "burden-reduction targets not assessed: no baseline is configured for this county "
            "(indicators.formalism.baselines)"
        )
    for target, reduction in assessed:
        name = f"reduction_{target.measure}"
        label = f"{target.measure} 减负幅度 reduction against the pre-campaign baseline"
        definition = (
            f"1 - current mean / baseline ({options.baselines[target.measure]:g}); target at least "
            f"{target.reduction_min:.0%} ({target.source})"
        )
        result.headline.append(
            headline_row(
                name,
                label,
                reduction,
                definition,
                threshold=target.reduction_min,
                operator=">=",
                min_n=settings.min_sample.cadres,
            )
        )
    units, slope, notes = burden_error_association(frame, households, settings)
    result.notes += notes
    year = settings.study.survey_year
    result.poverty_lines = settings.lines_used([year])
    if len(units):
        result.tables["association_units"] = units
    definition = (
        "slope of the unit's weighted share of misclassified households (inclusion or exclusion) on its "
        "cadres' mean share of hours on formal activities, units equally weighted"
    )
    if slope is None:
        result.headline.append(
            missing_row(
                "burden_error_association",
                _LABELS["burden_error_association"],
                definition,
                "too few units with both cadres and sampled households",
            )
        )
    else:
        result.headline.append(
            headline_row(
                "burden_error_association",
                _LABELS["burden_error_association"],
                slope,
                f"{definition} ({units['level'].iloc[0]} level)",
                min_n=settings.min_sample.association_units,
                poverty_lines={year: settings.poverty_line(year)},
            )
        )


_ROLE_LABELS = {
    "county_dept": "县直部门 county departments",
    "township": "乡镇干部 township cadres",
    "first_secretary": "第一书记 first secretaries",
    "village_committee": "村两委 village committees",
}


def role_headline(table: pd.DataFrame, options: FormalismOptions, min_n: int) -> list[dict[str, Any]]:
    """Headline rows of the formal and field hour shares of each role (``share_formalism__<role>``;
    the field share as :func:`field_share` names it): the primary cadre estimates."""
    rows = []
    for measure in ("share_formalism", field_share(options)):
        records = table[(table["measure"] == measure) & (table["role"] != "all")].to_dict("records")
        order = list(_ROLE_LABELS)
        for record in sorted(records, key=lambda r: order.index(r["role"]) if r["role"] in order else len(order)):
            role = str(record["role"])
            rows.append(
                headline_row(
                    f"{measure}__{role}",
                    f"{_LABELS[measure]}, {_ROLE_LABELS.get(role, role)}",
                    estimate_from_row(record, f"{measure}__{role}"),
                    f"{_measure_definition(measure, options)}, {role} cadres (a role's own mean: comparable across "
                    "counties whatever their mix of roles)",
                    min_n=min_n,
                )
            )
    return rows


def _measure_definition(measure: str, options: FormalismOptions) -> str:
    if measure == "share_formalism":
        return f"mean over cadres of (hours on {' + '.join(options.formal_activities)}) ÷ total weekly hours"
    if measure == "share_field":
        return f"mean over cadres of (hours on {' + '.join(options.field_activities)}) ÷ total weekly hours"
    if measure == "share_other":
        return (
            f"mean over cadres of 1 − (hours on {' + '.join(ACTIVITIES)}) ÷ total weekly hours: the part of the "
            "week on none of the activities asked about"
        )
    if measure.startswith("share_"):
        return f"mean over cadres of hours_{measure[6:]} ÷ hours_total (usual week)"
    if measure == "perception_scale":
        return f"mean over cadres of the mean of {', '.join(options.perception_items)} (1 disagree - 5 agree)"
    return f"mean over cadres of {measure}"


def _definitions(options: FormalismOptions) -> dict[str, str]:
    return {
        "formal_activities": ", ".join(options.formal_activities),
        "field_activities": ", ".join(options.field_activities),
        "hour_shares": f"the shares of {', '.join(ACTIVITIES)} and other work add up to one; project work is "
        "neither formal nor field activity and is reported on its own; share_formalism sums "
        f"{', '.join(options.formal_activities)}"
        + ("" if len(options.field_activities) > 1 else f"; the field share is share_{options.field_activities[0]}"),
        "burden_index": "equal-weight summary index (z-scores over all cadres) of " + ", ".join(options.burden_items),
        "perception_scale": f"mean of {', '.join(options.perception_items)}",
        "targets": "reduction = 1 - current mean / configured baseline; passes when it reaches reduction_min",
        "household_side": "forms_inspections and help_visits of the household survey, design-based",
        "misclassified": "on the register but not eligible, or eligible but never registered (identification rules)",
    }


FAMILY = IndicatorFamily(
    name="formalism",
    title_en="Formalism burden",
    title_zh="形式主义负担",
    question_en=(
        "How much of cadres' time goes to forms, meetings and inspections, and does it go with identification errors?"
    ),
    question_zh="干部有多少时间用于填表、开会和迎检，这与识别误差是否相关？",
    key_headlines=("share_formalism", "burden_error_association"),
    settings=FormalismSettings,
    instruments=("cadres", "cadre_roster", "households"),
    required=("households",),
    columns=household_columns,
    compute=formalism_indicators,
    contrasts=("burden_error",),
    figures={
        "cadre_time": FigureSpec(
            ("formalism",),
            "Cadres' weekly hours by activity and role.",
            "干部每周工时按活动与岗位的分配。",
            "cadre_time",
        ),
        "burden_and_errors": FigureSpec(
            ("formalism",),
            "Cadre formalism burden against identification errors by unit, with weighted linear fits (none for "
            "a county with units suppressed for confidentiality).",
            "干部形式主义负担与识别误差（按单位），含加权线性拟合（有单位因保密不予公布的县不作拟合）。",
            "burden_and_errors",
        ),
    },
    protection=Protection(
        margins={
            "by_role": Margin("role", ("measure",), total="all"),
            "association_units": Margin("unit", ("level",)),
        }
    ),
)

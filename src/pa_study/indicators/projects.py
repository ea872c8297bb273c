"""Project management and the use of funds (产业扶贫项目与资金), from the project ledger and the survey.

The ledger (产业扶贫项目台账) lists every project of the county, so its figures are a census with
no sampling error (unless configured otherwise). From it: fiscal investment per linked poor
household and per job created, dividends paid per yuan invested and per linked household, the
share of investment in projects now suspended or failed, the projects' status by type and start
year, survival by years since start, and how concentrated investment is in the largest projects.
Against the household survey: the ledger's linked poor households per village beside the
design-based estimate of registered households that report taking part in a project; a gap is
linkage that exists on paper only, which the study counts as formalism.

Survival. The ledger records each project's status at the survey and its start year, not when a
project stopped, so survival times are *current-status* data: a project started ``d`` years
before the survey shows only whether it survived ``d`` years. The nonparametric maximum-likelihood
estimate of the survival function from such data is the isotonic (non-increasing) regression of
the share still operating on ``d``, weighted by the number of projects (Groeneboom & Wellner 1992,
§1.1; Ayer et al. 1955), the counterpart of Kaplan-Meier when failure times are not recorded. It
assumes that projects of different start years share one survival function.

References
----------
Groeneboom & Wellner (1992), Information Bounds and Nonparametric Maximum Likelihood Estimation,
Birkhäuser; Ayer, Brunk, Ewing, Reid & Silverman (1955), Ann. Math. Statist. 26(4) (pool adjacent
violators); Lumley (2010), Complex Surveys, ch. 2 (totals).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import cast

import numpy as np
import pandas as pd

from pa_study.config import ConfigPart, Number
from pa_study.design import CALIBRATION_COLUMNS, DESIGN_COLUMNS
from pa_study.disclosure import Protection
from pa_study.indicators.family import FigureSpec, IndicatorFamily
from pa_study.indicators.output import FamilyResult, estimate_from_row, headline_row, missing_row
from pa_study.indicators.settings import FamilySettings
from pa_study.indicators.survey import as_float, household_design, ratio_by, respondent_design
from pa_study.stats import Estimate, StatsInputError, SurveyDesign

STATUSES = ("operating", "suspended", "failed")
ALL = "all"

#: measure -> (numerator, denominator, label, definition) of the fund-use figures.
FUND_USE: dict[str, tuple[str, str, str, str]] = {
    "investment_per_linked_household": (
        "investment",
        "linked",
        "每带动一户贫困户的财政投资 fiscal investment per linked poor household",
        "fiscal investment ÷ linked poor households, summed over the ledger's projects (yuan)",
    ),
    "investment_per_job": (
        "investment",
        "jobs",
        "每个就业岗位的财政投资 fiscal investment per job created",
        "fiscal investment ÷ jobs created, summed over the ledger's projects (yuan)",
    ),
    "dividends_per_yuan_invested": (
        "dividends",
        "investment",
        "每元财政投资的分红 dividends paid per yuan invested",
        "dividends paid to poor households in the year ÷ fiscal investment, summed over the ledger's projects",
    ),
    "dividends_per_linked_household": (
        "dividends",
        "linked",
        "每户带动贫困户分红 dividends paid per linked poor household",
        "dividends paid to poor households in the year ÷ linked poor households, summed over the ledger's "
        "projects (yuan)",
    ),
    "revenue_per_yuan_invested": (
        "revenue",
        "investment",
        "每元财政投资年营业收入 gross annual revenue per yuan invested (revenue, not profit)",
        "gross annual revenue (营业收入) ÷ fiscal investment, summed over the ledger's projects: revenue, not "
        "profit, so no return on investment",
    ),
    "stopped_investment_share": (
        "stopped_investment",
        "investment",
        "停运或失败项目的投资占比 share of investment in projects now suspended or failed",
        "fiscal investment of projects now suspended or failed ÷ fiscal investment of all projects",
    ),
}
#: measure -> (column, definition) of the ledger's means per project (fund-use table only).
PER_PROJECT: dict[str, tuple[str, str]] = {
    "jobs_per_project": ("jobs", "jobs created ÷ projects, over the projects with a known number"),
    "linked_poor_households_per_project": (
        "linked",
        "linked poor households ÷ projects, over the projects with a known number",
    ),
}
#: The ledger's columns each figure needs, to say which are missing.
_COLUMNS = {
    "investment": "fiscal_investment",
    "linked": "linked_poor_households",
    "jobs": "jobs_created",
    "dividends": "dividends_paid",
    "revenue": "annual_revenue",
    "stopped_investment": "fiscal_investment",
}


# ---- settings --------------------------------------------------------------------------------


class ProjectsOptions(ConfigPart):
    """The config's ``indicators.projects`` section."""

    ledger_is_census: bool
    surviving_statuses: tuple[str, ...]
    survival_years: int
    top_share: Number


class ProjectsSettings(FamilySettings):
    """Settings of the projects family: the shared options and the ``projects`` section."""

    projects: ProjectsOptions


# ---- the ledger ------------------------------------------------------------------------------


def ledger_frame(projects: pd.DataFrame, settings: ProjectsSettings) -> pd.DataFrame:
    """Return the ledger with numeric columns under the family's names, status flags and the
    years since start (``age``, NaN where the start year is missing or after the survey year)."""
    status = projects["status"].astype("string")
    start = as_float(projects["start_year"])
    age = settings.study.survey_year - start
    investment = as_float(projects["fiscal_investment"])
    stopped = status.isin(["suspended", "failed"]).to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "project_id": projects["project_id"].astype("string"),
            "township": projects["township"].astype("string"),
            "village": projects["village"].astype("string"),
            "project_type": projects["project_type"].astype("string"),
            "status": status,
            "start_year": start,
            "age": np.where(age >= 0, age, np.nan),
            "investment": investment,
            "stopped_investment": investment * stopped,
            "linked": as_float(projects["linked_poor_households"]),
            "jobs": as_float(projects["jobs_created"]),
            "dividends": as_float(projects["dividends_paid"]),
            "revenue": as_float(projects["annual_revenue"]),
            "surviving": status.isin(list(settings.projects.surviving_statuses)).to_numpy(dtype=float),
            ALL: ALL,
            **{f"status_{s}": (status == s).to_numpy(dtype=float) for s in STATUSES},
        }
    ).reset_index(drop=True)


def missing_columns(projects: pd.DataFrame) -> list[str]:
    """Return the ledger columns the family uses that hold no value at all (not collected)."""
    used = sorted({*_COLUMNS.values(), "start_year"})
    return [column for column in used if projects[column].isna().all()]


def fund_use_table(ledger: pd.DataFrame, design: SurveyDesign, level: float) -> pd.DataFrame:
    """Return every fund-use figure and mean per project overall (``all``) and by project type.

    A fund-use figure (:data:`FUND_USE`) is a ratio of totals over the projects where both its
    columns are known, a mean per project (:data:`PER_PROJECT`) the mean over the projects where
    its column is known; ``n_denominator`` counts the projects with a positive denominator (the
    projects averaged), ``n_missing`` those left out for a missing value.
    """
    tables = []
    measures = [
        *((measure, numerator, denominator) for measure, (numerator, denominator, _, _) in FUND_USE.items()),
        *((measure, column, None) for measure, (column, _) in PER_PROJECT.items()),
    ]
    for measure, numerator, denominator in measures:
        columns = [c for c in (numerator, denominator) if c is not None]
        if any(ledger[c].isna().all() for c in columns):
            continue
        missing = ledger[columns].isna().any(axis=1)
        for by in (ALL, "project_type"):
            table = ratio_by(design, numerator, denominator, by, level=level).rename(columns={by: "project_type"})
            counts = missing.groupby(ledger[by].to_numpy()).sum()
            tables.append(table.assign(measure=measure, n_missing=table["project_type"].map(counts).astype(int)))
    columns = ["measure", "project_type", "estimate", "se", "ci_low", "ci_high", "n_denominator", "n_missing"]
    return pd.concat(tables, ignore_index=True)[columns] if tables else pd.DataFrame(columns=columns)


def status_table(ledger: pd.DataFrame) -> pd.DataFrame:
    """Return the number and share of projects in each status, by project type and start year
    (``all`` rows for each margin)."""
    frame = ledger.assign(start_year=ledger["start_year"].map(lambda y: ALL if pd.isna(y) else str(int(y))))
    rows = []
    for kind in [ALL, *sorted(frame["project_type"].dropna().unique())]:
        of_type = frame if kind == ALL else frame[frame["project_type"] == kind]
        for year in [ALL, *sorted(of_type["start_year"].unique())]:
            cell = of_type if year == ALL else of_type[of_type["start_year"] == year]
            if year != ALL and (cell["start_year"] == ALL).all():
                continue
            for status in STATUSES:
                count = int((cell["status"] == status).sum())
                rows.append(
                    {
                        "project_type": kind,
                        "start_year": year,
                        "status": status,
                        "n_projects": count,
                        "n_total": len(cell),
                        "share": count / len(cell) if len(cell) else np.nan,
                    }
                )
    return pd.DataFrame(rows)


def current_status_survival(age: np.ndarray, surviving: np.ndarray) -> pd.DataFrame:
    """Return the survival function of current-status data by years since start.

    Parameters
    ----------
    age : ndarray
        Years since start of each project (NaN unknown; those projects are left out).
    surviving : ndarray
        1 when the project is still in a surviving status at the survey, else 0.

    Returns
    -------
    DataFrame
        ``years_since_start``, ``n_projects``, ``n_surviving``, ``share_surviving`` (the raw
        share) and ``survival``: the NPMLE, the isotonic non-increasing regression of the shares
        weighted by the projects of each age (pool adjacent violators, ``scipy.optimize``).
    """
    known = ~np.isnan(age)
    frame = pd.DataFrame({"age": age[known], "surviving": surviving[known]})
    grouped = frame.groupby("age", sort=True)["surviving"].agg(["size", "sum"])
    if grouped.empty:
        return pd.DataFrame(columns=["years_since_start", "n_projects", "n_surviving", "share_surviving", "survival"])
    share = grouped["sum"] / grouped["size"]
    # Imported here: scipy.optimize takes longer to import than the survival curve takes to fit, and
    # every indicator job (of any family) imports this module through the registry.
    from scipy.optimize import isotonic_regression

    fitted = isotonic_regression(share.to_numpy(), weights=grouped["size"].to_numpy(dtype=float), increasing=False)
    return pd.DataFrame(
        {
            "years_since_start": grouped.index.astype(int),
            "n_projects": grouped["size"].to_numpy(dtype=int),
            "n_surviving": grouped["sum"].to_numpy(dtype=int),
            "share_surviving": share.to_numpy(),
            "survival": fitted.x,
        }
    )


def survival_table(ledger: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`current_status_survival` overall (``all``) and by project type."""
    tables = []
    for kind in [ALL, *sorted(ledger["project_type"].dropna().unique())]:
        part = ledger if kind == ALL else ledger[ledger["project_type"] == kind]
        table = current_status_survival(part["age"].to_numpy(), part["surviving"].to_numpy())
        tables.append(table.assign(project_type=kind))
    out = pd.concat(tables, ignore_index=True)
    return out[["project_type", *out.columns.drop("project_type")]]


def concentration_table(ledger: pd.DataFrame, top_share: float) -> pd.DataFrame:
    """Return the share of investment in the largest ``top_share`` of projects (at least one), overall
    and by project type, over the projects with a known investment."""
    rows = []
    for kind in [ALL, *sorted(ledger["project_type"].dropna().unique())]:
        part = ledger if kind == ALL else ledger[ledger["project_type"] == kind]
        invested = np.sort(part["investment"].dropna().to_numpy())[::-1]
        total = float(invested.sum())
        if len(invested) == 0 or total <= 0:
            continue
        top = max(1, math.ceil(top_share * len(invested)))
        rows.append(
            {
                "project_type": kind,
                "n_projects": len(invested),
                "n_largest": top,
                "investment_total": total,
                "investment_largest": float(invested[:top].sum()),
                "share": float(invested[:top].sum()) / total,
            }
        )
    return pd.DataFrame(rows)


# ---- paper linkage ---------------------------------------------------------------------------


def household_columns(settings: ProjectsSettings) -> dict[str, list[str]]:
    """The household columns the family reads: the design and calibration columns, registration,
    project participation and the project id a participant gives."""
    return {"households": [*DESIGN_COLUMNS, *CALIBRATION_COLUMNS, "registered", "project_participant", "project_id"]}


def participants_total(design: SurveyDesign, level: float) -> Estimate:
    """Design-based total of registered households that report taking part in a project."""
    return cast(Estimate, design.total("_registered_participant", na_rm=True, level=level))


def linkage_by_location(ledger: pd.DataFrame, design: SurveyDesign, level: float) -> tuple[pd.DataFrame, float]:
    """Return, for each place the ledger puts projects (a village, or a township for township-level
    projects), the ledger's linked poor households beside the design-based estimate of registered
    households reporting a project of that place (through the project id they give).

    Returns
    -------
    (DataFrame, float)
        ``township``, ``village`` (``(township level)`` for projects without a village),
        ``ledger_linked``, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``n`` (sampled participant
        households), ``gap`` (ledger − estimate); and the estimated number of registered
        participants whose project id is not in the ledger.
    """
    place = ledger.assign(village=ledger["village"].fillna("(township level)"))
    place["place"] = place["township"].fillna("") + "/" + place["village"]
    linked = place.groupby(["place", "township", "village"], dropna=False)["linked"].sum(min_count=1).reset_index()
    where = dict(zip(place["project_id"], place["place"], strict=True))
    data = design.data
    chosen = data["_registered_participant"] == 1
    location = data["project_id"].astype("string").map(where).where(chosen)
    unknown_id = chosen & location.isna()
    ds = design.assign(_place=location.astype("string"), _one=chosen.astype(float), _unlisted=unknown_id.astype(float))
    unlisted = float(cast(Estimate, ds.total("_unlisted", level=level)).estimate)
    if location.notna().any():
        totals = cast(pd.DataFrame, ds.total("_one", by="_place", level=level)).rename(columns={"_place": "place"})
        counts = location.value_counts()
        totals["n"] = totals["place"].map(counts).fillna(0).astype(int)
    else:
        totals = pd.DataFrame(columns=["place", "estimate", "se", "ci_low", "ci_high", "n"])
    out = linked.merge(totals[["place", "estimate", "se", "ci_low", "ci_high", "n"]], on="place", how="left")
    out[["estimate", "se"]] = out[["estimate", "se"]].fillna(0.0)
    out[["ci_low", "ci_high"]] = out[["ci_low", "ci_high"]].fillna(0.0)
    out["n"] = out["n"].fillna(0).astype(int)
    out = out.rename(columns={"linked": "ledger_linked"}).assign(gap=lambda t: t["ledger_linked"] - t["estimate"])
    columns = ["township", "village", "ledger_linked", "estimate", "se", "ci_low", "ci_high", "n", "gap"]
    return out.sort_values(["township", "village"], kind="stable")[columns].reset_index(drop=True), unlisted


def villages_in_frame(tables: Mapping[str, pd.DataFrame | None], households: pd.DataFrame) -> int:
    """Return the villages of the county's sampling frame (the village table, else the frame sizes
    carried by the households' townships)."""
    villages = tables.get("villages")
    if villages is not None and len(villages):
        return len(villages)
    return int(households.groupby("stratum")["fpc_villages"].first().sum())


# ---- the family ------------------------------------------------------------------------------


_LABELS = {
    **{name: label for name, (_, _, label, _) in FUND_USE.items()},
    "projects_operating_share": "正常运营项目占比 share of projects operating",
    "survival_rate": "项目存续率 projects still operating {years} years after start",
    "largest_projects_investment_share": "最大{percent}项目的投资占比 share of investment in the largest {percent} of "
    "projects",
    "ledger_linked_per_village": "台账每村带动贫困户数 ledger's linked poor households per village",
    "survey_participants_per_village": "调查每村参与项目的建档立卡户数 registered households taking part in a project "
    "per village (survey)",
    "paper_linkage_gap_per_village": "纸面带动差额 linkage on paper only, households per village (ledger − survey)",
    "paper_only_linkage_share": "纸面带动比例 share of the ledger's linked households not found in the survey",
}


def projects_indicators(tables: Mapping[str, pd.DataFrame | None], settings: ProjectsSettings) -> FamilyResult:
    """Compute the projects family for one county.

    Parameters
    ----------
    tables : dict
        Cleaned ``projects`` (required), ``households`` and ``villages`` (``None`` when not
        collected: the paper linkage is then skipped).
    settings : ProjectsSettings
        The family's settings for the county.

    Returns
    -------
    FamilyResult
        Headline: the fund-use figures, the share of projects operating, survival at
        ``survival_years``, the investment share of the largest projects, and the paper linkage
        (ledger and survey per village, their gap and the paper-only share). Tables:
        ``fund_use``, ``status``, ``survival``, ``concentration``, ``linkage_by_village``.
        A column the ledger lacks gives a note and leaves out what needs it.
    """
    options = settings.projects
    result = FamilyResult("projects", settings.county, settings)
    projects = cast(pd.DataFrame, tables["projects"])
    ledger = ledger_frame(projects, settings)
    min_projects = settings.min_sample.projects
    result.definitions = _definitions(settings)
    absent = missing_columns(projects)
    result.sample = {"projects": len(ledger), "columns_without_values": absent}
    if absent:
        result.status = "partial"
        result.notes.append(
            f"the project ledger has no values in {', '.join(absent)}: the figures that need "
            f"{'it' if len(absent) == 1 else 'them'} are left out"
        )
    if len(ledger) < min_projects:
        result.notes.append(
            f"the ledger lists {len(ledger)} projects, fewer than indicators.min_sample.projects = {min_projects}: "
            "its figures are flagged unreliable"
        )
    design = respondent_design(ledger, census=options.ledger_is_census)
    fund_use = fund_use_table(ledger, design, settings.level)
    result.tables["fund_use"] = fund_use
    for measure, (_, _, label, definition) in FUND_USE.items():
        row = fund_use[(fund_use["measure"] == measure) & (fund_use["project_type"] == ALL)]
        if row.empty:
            result.headline.append(missing_row(measure, label, definition, "the ledger lacks a column it needs"))
            continue
        estimate = estimate_from_row(row.iloc[0], measure)
        result.headline.append(headline_row(measure, label, estimate, definition, min_n=min_projects))
    _add_status(result, ledger, design, settings)
    _add_concentration(result, ledger, settings)
    _add_linkage(result, ledger, tables, settings)
    return result


def _add_status(result: FamilyResult, ledger: pd.DataFrame, design: SurveyDesign, settings: ProjectsSettings) -> None:
    options, min_projects = settings.projects, settings.min_sample.projects
    result.tables["status"] = status_table(ledger)
    operating = ratio_by(design, "status_operating", None, ALL, level=settings.level)
    result.headline.append(
        headline_row(
            "projects_operating_share",
            _LABELS["projects_operating_share"],
            estimate_from_row(operating.iloc[0], "projects_operating_share"),
            "projects operating ÷ projects in the ledger",
            min_n=min_projects,
        )
    )
    years = options.survival_years
    label = _LABELS["survival_rate"].format(years=years)
    definition = (
        f"share of projects in a surviving status ({', '.join(options.surviving_statuses)}) {years} years after "
        "start: nonparametric ML estimate from current-status data (isotonic regression of the share surviving on "
        "years since start, weighted by projects)"
    )
    if ledger["age"].isna().all():
        result.notes.append("the ledger has no usable start year: survival by years since start is not estimated")
        result.headline.append(missing_row("survival_rate", label, definition, "no start year in the ledger"))
        return
    survival = survival_table(ledger)
    result.tables["survival"] = survival
    overall = survival[survival["project_type"] == ALL].set_index("years_since_start")
    unknown_age = int(ledger["age"].isna().sum())
    if unknown_age:
        result.notes.append(f"{unknown_age} projects without a usable start year are left out of the survival table")
    if years not in overall.index:
        result.headline.append(
            missing_row(
                "survival_rate", label, definition, f"no project in the ledger started {years} years before the survey"
            )
        )
        return
    value = float(overall.at[years, "survival"])
    at_least = int(overall.loc[overall.index >= years, "n_projects"].sum())
    census = Estimate(name="survival_rate", estimate=value, se=0.0, ci_low=value, ci_high=value, n=at_least)
    result.headline.append(headline_row("survival_rate", label, census, definition, min_n=min_projects))


def _add_concentration(result: FamilyResult, ledger: pd.DataFrame, settings: ProjectsSettings) -> None:
    top = float(settings.projects.top_share)
    name = "largest_projects_investment_share"
    label = _LABELS[name].format(percent=f"{top:.0%}")
    definition = f"fiscal investment of the largest {top:.0%} of projects (at least one) ÷ all fiscal investment"
    table = concentration_table(ledger, top)
    if table.empty:
        result.headline.append(missing_row(name, label, definition, "the ledger has no fiscal investment"))
        return
    result.tables["concentration"] = table
    overall = table[table["project_type"] == ALL].iloc[0]
    share = float(overall["share"])
    census = Estimate(name=name, estimate=share, se=0.0, ci_low=share, ci_high=share, n=int(overall["n_projects"]))
    result.headline.append(headline_row(name, label, census, definition, min_n=settings.min_sample.projects))


def _add_linkage(
    result: FamilyResult, ledger: pd.DataFrame, tables: Mapping[str, pd.DataFrame | None], settings: ProjectsSettings
) -> None:
    names = (
        "ledger_linked_per_village",
        "survey_participants_per_village",
        "paper_linkage_gap_per_village",
        "paper_only_linkage_share",
    )
    definitions = _linkage_definitions()
    households = tables.get("households")
    why = None
    if households is None:
        why = "the county has no household survey"
    elif ledger["linked"].isna().all():
        why = "the ledger has no linked poor households"
    if why is not None:
        result.status = "partial"
        result.notes.append(f"paper linkage not assessed: {why}")
        result.headline += [missing_row(n, _LABELS[n], definitions[n], why) for n in names]
        return
    households = cast(pd.DataFrame, households)
    n_villages = villages_in_frame(tables, households)
    joined = households["project_participant"].astype("boolean")
    registered = households["registered"].astype("boolean")
    indicator = (joined & registered).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    frame = households.reset_index(drop=True).assign(_registered_participant=indicator)
    design = household_design(frame, lonely_psu=settings.lonely_psu)
    level = settings.level
    try:
        total = participants_total(design, level)
        by_place, unlisted = linkage_by_location(ledger, design, level)
    except StatsInputError as exc:
        result.status = "partial"
        result.notes.append(f"paper linkage not assessed: {exc}")
        result.headline += [missing_row(n, _LABELS[n], definitions[n], str(exc)) for n in names]
        return
    result.tables["linkage_by_village"] = by_place
    ledger_total = float(ledger["linked"].sum())
    missing = int(ledger["linked"].isna().sum())
    if missing:
        result.notes.append(f"{missing} projects have no linked-household count and add nothing to the ledger's total")
    if unlisted > 0:
        result.notes.append(
            f"an estimated {unlisted:,.0f} registered participant households name a project id that is not in the "
            "ledger (or none): they count in the survey total but in no village's row"
        )
    per_village = ledger_total / n_villages
    ledger_row = Estimate(
        name=names[0],
        estimate=per_village,
        se=0.0,
        ci_low=per_village,
        ci_high=per_village,
        n=int(ledger["linked"].notna().sum()),
    )
    survey = _scaled(total, 1 / n_villages, names[1])
    # A known constant minus (or plus) the survey estimate has its variance, so its design effect too.
    gap = Estimate(
        name=names[2],
        estimate=per_village - survey.estimate,
        se=survey.se,
        ci_low=per_village - survey.ci_high,
        ci_high=per_village - survey.ci_low,
        n=survey.n,
        df=survey.df,
        level=survey.level,
        extra=dict(survey.extra),
    )
    rows = [ledger_row, survey, gap]
    if ledger_total > 0:
        share = _scaled(total, -1 / ledger_total, names[3])
        rows.append(
            Estimate(
                name=names[3],
                estimate=1 + share.estimate,
                se=share.se,
                ci_low=1 + share.ci_low,
                ci_high=1 + share.ci_high,
                n=share.n,
                df=share.df,
                level=share.level,
                extra=dict(share.extra),
            )
        )
    else:
        result.headline.append(missing_row(names[3], _LABELS[names[3]], definitions[names[3]], "no linked households"))
    min_n = settings.min_sample.group
    for estimate in rows:
        result.headline.append(
            headline_row(estimate.name, _LABELS[estimate.name], estimate, definitions[estimate.name], min_n=min_n)
        )
    result.sample["villages_in_frame"] = n_villages


def _scaled(estimate: Estimate, factor: float, name: str) -> Estimate:
    """``estimate`` times a known constant (its SE scaled by the constant's size, its limits swapped
    when the constant is negative)."""
    low, high = sorted((estimate.ci_low * factor, estimate.ci_high * factor))
    return Estimate(
        name=name,
        estimate=estimate.estimate * factor,
        se=estimate.se * abs(factor),
        ci_low=low,
        ci_high=high,
        n=estimate.n,
        df=estimate.df,
        level=estimate.level,
        extra=dict(estimate.extra),
    )


def _linkage_definitions() -> dict[str, str]:
    return {
        "ledger_linked_per_village": "linked poor households summed over the ledger's projects ÷ villages in the "
        "sampling frame (census: no sampling error)",
        "survey_participants_per_village": "design-based total of registered households reporting that they take "
        "part in an industrial project ÷ villages in the sampling frame",
        "paper_linkage_gap_per_village": "ledger's linked poor households per village minus the survey's estimate of "
        "registered participants per village; positive: linkage on paper only (the ledger's side has no sampling "
        "error, so the interval is the survey estimate's)",
        "paper_only_linkage_share": "1 − (survey estimate of registered participant households ÷ the ledger's linked "
        "poor households): the share of the ledger's linkage not found among households",
    }


def _definitions(settings: ProjectsSettings) -> dict[str, str]:
    options = settings.projects
    return {
        "ledger": "census of the ledger (no sampling error)"
        if options.ledger_is_census
        else "projects treated as a simple random sample",
        **{name: definition for name, (_, _, _, definition) in FUND_USE.items()},
        **{name: definition for name, (_, definition) in PER_PROJECT.items()},
        "years_since_start": f"{settings.study.survey_year} − start year",
        "survival": "current-status NPMLE: isotonic non-increasing regression of the share of projects in a "
        f"surviving status ({', '.join(options.surviving_statuses)}) on years since start (Groeneboom & Wellner "
        "1992); assumes one survival function for all start years",
        "concentration": f"investment share of the largest {float(options.top_share):.0%} of projects (rounded up, "
        "at least one), over projects with a known investment",
        "paper_linkage": "ledger (带动贫困户数) against registered households reporting project participation in the "
        "household survey; by village through the project id the households give",
    }


FAMILY = IndicatorFamily(
    name="projects",
    title_en="Projects and funds",
    title_zh="项目管理与资金使用",
    question_en="What did the project funds buy, which projects survived, and is their reach real?",
    question_zh="产业项目资金效果如何？哪些项目存续？带动贫困户是否属实？",
    key_headlines=("stopped_investment_share",),
    settings=ProjectsSettings,
    instruments=("projects", "households", "villages"),
    required=("projects",),
    columns=household_columns,
    compute=projects_indicators,
    contrasts=("paper_linkage_gap",),
    protection=Protection(
        register_tables=frozenset({"fund_use", "status", "survival", "concentration"}),
        register_rows=frozenset(
            {
                *FUND_USE,
                "projects_operating_share",
                "survival_rate",
                "largest_projects_investment_share",
                "ledger_linked_per_village",
            }
        ),
    ),
    figures={
        "project_fund_use": FigureSpec(
            ("projects",),
            "Fund use by project type: fiscal investment per linked poor household and per job, dividends per yuan "
            "invested (project ledger, a census: no sampling error): a type that costs more per household or job "
            "without paying more per yuan is where the funds bought least.",
            "各类项目的资金使用：每带动一户贫困户和每个就业岗位的财政投资、每元投资分红（项目台账，全面统计，无抽样误差）："
            "每户、每岗位成本更高而每元分红不更多的项目类型，资金效果最差。",
            "project_fund_use",
        ),
        "project_survival": FigureSpec(
            ("projects",),
            "Projects still operating by years since start (current-status estimate, all types; points: the raw "
            "share of each age, sized by its projects): how fast the curve falls is how soon projects stop.",
            "项目存续：按开始以来年数的存续率（现状数据估计，全部类型；圆点为各年数的原始比例，大小表示项目数）："
            "曲线下降越快，项目停止越早。",
            "project_survival",
        ),
        "project_status": FigureSpec(
            ("projects",),
            "Project ledger: status of the projects by type, all start years (a census: no sampling error): the "
            "types with long suspended and failed bars are those that stopped.",
            "产业扶贫项目台账：各类项目运营状态（全部开始年份；全面统计，无抽样误差）：停运、失败部分长的类型即项目"
            "停止较多的类型。",
            "project_status",
        ),
    },
)

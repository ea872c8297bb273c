"""The county exit evaluation (贫困县退出专项评估检查), replicated on the survey.

The evaluation's four criteria, as facts-2.md §4 sources them: 错退率 (persons of the sampled exited
households that did not meet the standard when they exited) below 2%, 漏评率 (persons below the
standard among the unregistered) below 2%, 群众认可度 (registered households recognising the exit
result) above 90%, and 综合贫困发生率 ((remaining registered poor + missed + wrongly exited) ÷ the
rural population) below 2% (3% in the western region). A county passes only when all four pass.

The standard is income after transfers (the official test counts 政策性收入) below the line of the
year judged, or a 两不愁三保障 item failing. Which year's line judges an exit is ``exit_line_year``:
its exit year's, as the evaluation judges it, or the survey year's (every cohort held to the
standard eligibility and 漏评率 are judged by). An exit is judged by the income of its exit year: exactly
when the register's record of it is supplied (``income_at_exit_pc``), otherwise only for the latest
exit cohort, with survey-year income standing in for it. The items are those the survey observed,
as the evaluation checks them at its visit. Besides the criteria: the share of all exited below the
standard now (relapse and wrongful exit together), and relapse itself (met the standard at exit,
below it now), which needs the register's record.

This replicates the criteria on a household survey of the survey year; it is not the evaluation's
own protocol (its sample, its screening of unregistered households, its verification), so every
verdict is indicative.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd

from pa_study.design import DESIGN_COLUMNS
from pa_study.indicators.exits import EXIT_COHORT, cohort_table
from pa_study.indicators.identification.constructs import USABLE
from pa_study.indicators.identification.settings import IdentificationSettings
from pa_study.indicators.survey import bounded_interval, household_design, proportion_interval, ratio_estimate
from pa_study.stats import Estimate, StatsInputError, SurveyDesign, composite_incidence

#: The four criteria of the exit evaluation, in the order the evaluation lists them.
CRITERIA = ("wrongful_exit_rate", "missed_rate", "recognition_rate", "poverty_incidence")
#: The criterion each passes by: below its threshold, or above it (approval).
OPERATORS = {"wrongful_exit_rate": "<", "missed_rate": "<", "recognition_rate": ">", "poverty_incidence": "<"}
REGISTER = "register"
LATEST_COHORT = "latest_cohort"
#: The wording every verdict of the replicated test carries.
INDICATIVE = "indicative: a survey of the survey year, not the exit evaluation's own protocol"


@dataclass
class ExitEvaluation:
    """The replicated exit evaluation of one county.

    Attributes
    ----------
    estimates : dict
        Name -> :class:`~pa_study.stats.Estimate` of ``wrongful_exit_rate``,
        ``below_standard_exited``, ``relapse_rate``, ``missed_rate``, ``recognition_rate``,
        ``poverty_incidence`` (those defined in the sample).
    basis : str
        ``register`` (exits judged by the recorded income of their exit year) or
        ``latest_cohort`` (the latest exit cohort, by survey-year income).
    evaluated_years : list of int
        The exit years the wrongful-exit rate is estimated on.
    judged_years : list of int
        The years whose lines judge those exits (:func:`judging_year`).
    lines : dict
        Year -> poverty line of every year a household was judged against.
    cohorts : DataFrame
        The rates by exit cohort (:func:`pa_study.indicators.exits.cohort_table`) with the line of
        the cohort's year, the basis and the unit.
    notes : list of str
        Estimates left out, households left out, and why.
    """

    estimates: dict[str, Estimate] = field(default_factory=dict)
    basis: str = LATEST_COHORT
    evaluated_years: list[int] = field(default_factory=list)
    judged_years: list[int] = field(default_factory=list)
    lines: dict[int, float] = field(default_factory=dict)
    cohorts: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)


def judging_year(exit_year: int, settings: IdentificationSettings) -> int:
    """Return the year whose poverty line judges an exit of ``exit_year``: the exit year itself
    (``exit_line_year: exit_year``, the evaluation's rule) or the survey year (``survey_year``)."""
    return settings.study.survey_year if settings.identification.exit_line_year == "survey_year" else exit_year


def exit_lines(frame: pd.DataFrame, settings: IdentificationSettings, factor: float = 1.0) -> dict[int, float]:
    """Return, for every exit year of the exited households up to the survey year, the line (times
    ``factor``) its exits are judged by (:func:`judging_year`)."""
    year = settings.study.survey_year
    years = frame.loc[frame["exited"] == 1, "exit_year"].dropna()
    return {
        int(y): factor * settings.poverty_line(judging_year(int(y), settings)) for y in sorted(set(years)) if y <= year
    }


def judged_exits(
    frame: pd.DataFrame, settings: IdentificationSettings, factor: float = 1.0
) -> tuple[pd.DataFrame, str, list[str]]:
    """Return the frame with the exit judgments as float columns, the basis, and notes.

    Columns added: ``exit_income`` and ``exit_line`` (the income an evaluated exit is judged by, and
    the line judging it: :func:`exit_lines`), ``evaluated`` (exited households whose exit can be judged),
    ``wrongly_exited`` (evaluated, and below that standard), ``met_at_exit`` (evaluated and not
    wrongly exited), ``relapsed`` (met the standard at exit, below it now; register basis only,
    NaN otherwise), ``below_exited`` (exited and below the standard now) and ``missed``
    (unregistered and below the standard now). ``factor`` scales every exit's line (the
    sensitivity curve; the frame's ``below_standard`` must then be judged at the scaled line too).
    """
    options = settings.identification
    year = settings.study.survey_year
    exited = frame["exited"] == 1
    exit_year = frame["exit_year"].where(frame["exit_year"] <= year)
    exit_line = exit_year.map(exit_lines(frame, settings, factor)).astype(float)
    recorded = exited & frame["income_at_exit_pc"].notna()
    notes = []
    if recorded.any():
        basis, income, evaluated = REGISTER, frame["income_at_exit_pc"], recorded & exit_line.notna()
        left = int((exited & ~evaluated).sum())
        if left:
            notes.append(
                f"{left} exited household(s) lack the register's income at exit or a known exit year: left "
                "out of the wrongful-exit and relapse rates (the below-standard share counts them)"
            )
    else:
        first = year - options.proxy_cohort_years + 1
        basis, income = LATEST_COHORT, frame["income_pc"]
        evaluated = exited & (exit_year >= first) & exit_line.notna()
        notes.append(
            f"the register's income at exit (income_at_exit_pc) is not supplied: the wrongful-exit rate is "
            f"estimated on the exits of {first}-{year} only, with survey-year income standing in for the income "
            "of the exit year; relapse cannot be told apart from wrongful exit"
        )
    below = frame["below_standard"] == 1
    wrong = evaluated & ((income < exit_line) | (frame["fails_any"] == 1))
    met = evaluated & ~wrong
    judged = frame.assign(
        exit_income=income.where(evaluated),
        exit_line=exit_line.where(evaluated),
        evaluated=evaluated.astype(float),
        wrongly_exited=wrong.astype(float),
        met_at_exit=met.astype(float),
        relapsed=(met & below).astype(float) if basis == REGISTER else np.nan,
        below_exited=(exited & below).astype(float),
        missed=((frame["unregistered"] == 1) & below).astype(float),
    )
    return judged, basis, notes


#: The rates of the exited and the unregistered: name -> (numerator, denominator) of the judged frame.
EXIT_RATES = {
    "wrongful_exit_rate": ("wrongly_exited", "evaluated"),
    "below_standard_exited": ("below_exited", "exited"),
    "relapse_rate": ("relapsed", "met_at_exit"),
    "missed_rate": ("missed", "unregistered"),
}


def exit_rates(
    judged: pd.DataFrame, settings: IdentificationSettings, basis: str, *, like: SurveyDesign | None = None
) -> tuple[dict[str, Estimate], SurveyDesign, list[str]]:
    """Return the rates of :data:`EXIT_RATES` (counting ``threshold_unit``), the design they were
    estimated on, and notes on the rates left out (``like``: a household design of the same rows
    whose stages to reuse, :func:`~pa_study.indicators.survey.household_design`)."""
    level, method = settings.level, settings.proportion_interval
    # A design of the columns the rates read: each estimate copies its data (a census is large).
    columns = list(
        dict.fromkeys([*DESIGN_COLUMNS, "persons", USABLE, EXIT_COHORT, *(c for p in EXIT_RATES.values() for c in p)])
    )
    compact = unit_weights(judged[columns], settings.identification.threshold_unit)
    counted = household_design(compact, lonely_psu=settings.lonely_psu, like=like)
    data = counted.data
    why = {
        "wrongful_exit_rate": "no exited household whose exit can be judged",
        "below_standard_exited": "no exited household in the sample",
        "relapse_rate": "no exited household that met the standard at exit"
        if basis == REGISTER
        else "it needs the register's income at exit (income_at_exit_pc), which is not supplied",
        "missed_rate": "no unregistered household in the sample",
    }
    estimates, notes = {}, []
    for name, (numerator, denominator) in EXIT_RATES.items():
        n = int((data[denominator] > 0).sum())
        if n == 0 or data[numerator].isna().all():
            notes.append(f"{name} is not estimated: {why[name]}")
            continue
        estimate = dataclasses.replace(ratio_estimate(counted, numerator, denominator, level=level), n=n)
        estimates[name] = proportion_interval(estimate, method=method, design=counted)
    return estimates, counted, notes


def unit_weights(frame: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Return the frame with weights counting ``persons`` (weight × household size) or ``households``.

    A household outside the family's domain (``usable`` 0) whose size is unknown keeps its household
    weight: it has no influence on any estimate, but the design needs every sampled household.
    """
    if unit == "persons":
        persons = frame["persons"]
        if USABLE in frame:
            persons = persons.where((frame[USABLE] == 1) | persons.notna(), 1.0)
        return frame.assign(weight=frame["weight"] * persons)
    return frame


def exit_evaluation(
    frame: pd.DataFrame, settings: IdentificationSettings, *, like: SurveyDesign | None = None
) -> ExitEvaluation:
    """Replicate the exit evaluation's criteria, and the below-standard and relapse rates.

    Parameters
    ----------
    frame : DataFrame
        :func:`~pa_study.indicators.identification.constructs.identification_frame`.
    settings : IdentificationSettings
        The family's settings (``threshold_unit`` decides whether the rates count persons).
    like : SurveyDesign, optional
        The household design of ``frame``, whose stages the estimates' designs reuse.

    Returns
    -------
    ExitEvaluation
        Proportions with the configured proportion interval; the composite incidence with a logit
        interval (it is bounded but not a share of sampled units).
    """
    options, level, method = settings.identification, settings.level, settings.proportion_interval
    judged, basis, notes = judged_exits(frame, settings)
    by_exit_year = exit_lines(frame, settings)
    judging = sorted({judging_year(y, settings) for y in by_exit_year})
    result = ExitEvaluation(basis=basis, notes=notes, lines={y: settings.poverty_line(y) for y in judging})
    result.lines[settings.study.survey_year] = settings.poverty_line(settings.study.survey_year)
    result.evaluated_years = sorted({int(y) for y in judged.loc[judged["evaluated"] == 1, "exit_year"]})
    result.judged_years = sorted({judging_year(y, settings) for y in result.evaluated_years})
    result.estimates, counted, left_out = exit_rates(judged, settings, basis, like=like)
    result.notes += left_out
    households = household_design(judged, lonely_psu=settings.lonely_psu, like=like)
    recognition = recognition_rate(households, level=level, method=method)
    if recognition is None:
        result.notes.append("recognition_rate is not estimated: no registered household answered recognises_exit")
    else:
        result.estimates["recognition_rate"] = recognition
    try:
        incidence = composite_incidence(
            households,
            remaining="current",
            missed="missed",
            exited="exited",
            wrongly_exited="wrongly_exited",
            evaluated="evaluated",
            size="persons" if options.threshold_unit == "persons" else None,
            level=level,
            domain=USABLE,
        )
    except StatsInputError as exc:
        result.notes.append(f"poverty_incidence is not estimated: {exc}")
    else:
        result.estimates["poverty_incidence"] = bounded_interval(incidence, design=households)
    result.cohorts = exit_cohort_table(counted, settings, basis, by_exit_year)
    return result


def recognition_rate(design: SurveyDesign, *, level: float, method: str) -> Estimate | None:
    """Return 群众认可度: the weighted share of registered households recognising the exit result
    among those who answered (households, as the evaluation counts it), or None without answers."""
    data = design.data
    asked = (data["registered"] == 1) & data["recognises_exit"].notna()
    if not asked.any():
        return None
    ds = design.assign(_yes=(asked & (data["recognises_exit"] == 1)).astype(float), _asked=asked.astype(float))
    estimate = dataclasses.replace(ratio_estimate(ds, "_yes", "_asked", level=level), n=int(asked.sum()))
    return proportion_interval(estimate, method=method, design=design)


def exit_cohort_table(
    design: SurveyDesign, settings: IdentificationSettings, basis: str, lines: dict[int, float]
) -> pd.DataFrame:
    """Return the exit rates by exit cohort (and over all exited), with the line each rate judges
    income against (``lines``: exit year -> line; the below-standard share, judged by the survey
    year's standard, carries the survey year's line), the basis of the wrongful-exit rate and the unit
    counted (the design counts it)."""
    wanted = {name: pair for name, pair in EXIT_RATES.items() if name != "missed_rate"}
    if basis != REGISTER:
        wanted.pop("relapse_rate")
    table = cohort_table(design, wanted, level=settings.level, proportion_interval=settings.proportion_interval)
    cohort_line = table["exit_cohort"].map(lambda c: lines.get(int(c)) if str(c).isdigit() else np.nan)
    now = table["rate"] == "below_standard_exited"
    survey_line = settings.poverty_line(settings.study.survey_year)
    return table.assign(
        line=cast(pd.Series, cohort_line).astype(float).where(~now, survey_line),
        basis=np.where(table["rate"] == "below_standard_exited", "survey_year", basis),
        unit=settings.identification.threshold_unit,
    )

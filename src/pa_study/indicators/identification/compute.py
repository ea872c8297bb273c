"""The identification family for one county: its headline rows, tables and definitions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import numpy as np
import pandas as pd

from pa_study.design import CALIBRATION_COLUMNS, DESIGN_COLUMNS
from pa_study.indicators.identification.constructs import USABLE, identification_frame, surely_eligible
from pa_study.indicators.identification.exit import (
    CRITERIA,
    INDICATIVE,
    OPERATORS,
    REGISTER,
    ExitEvaluation,
    exit_evaluation,
    judged_exits,
    unit_weights,
)
from pa_study.indicators.identification.poverty import af_curve, af_design_effects, alkire_foster_result, fgt_table
from pa_study.indicators.identification.settings import IdentificationOptions, IdentificationSettings
from pa_study.indicators.identification.targeting import (
    ELIGIBLE,
    TARGETING_RATES,
    WELFARE,
    coverage_table,
    rates_table,
    registration_check,
    targeting_rates,
    welfare_words,
)
from pa_study.indicators.output import (
    FamilyResult,
    estimate_from_row,
    estimate_table,
    headline_row,
    missing_row,
    verdict_row,
)
from pa_study.indicators.survey import (
    as_float,
    domain_proportion_intervals,
    household_design,
    proportion_interval,
    ratio_by,
    required_table,
)
from pa_study.stats import Estimate, StatsInputError, SurveyDesign, intersection_union

#: The columns of the identification frame that the targeting rates read.
_REGISTER = ["registered", "current"]
#: The targeting rates in the headline, in order (the inclusion error on the configured register).
_TARGETING_HEADLINE = ("eligible_share", "inclusion_error", "exclusion_error", "accuracy", "kappa")


def identification_indicators(
    tables: Mapping[str, pd.DataFrame | None], settings: IdentificationSettings
) -> FamilyResult:
    """Compute the identification family for one county.

    Parameters
    ----------
    tables : dict
        Cleaned tables by instrument; ``households`` is used.
    settings : IdentificationSettings
        The family's settings for the county.

    Returns
    -------
    FamilyResult
        Headline: the targeting rates of the current register (eligible share, inclusion and
        exclusion errors, accuracy, kappa) on the configured welfare; the replicated exit evaluation
        (错退率, the below-standard share of the exited, relapse, 漏评率, 群众认可度, 综合贫困发生率 and the
        four criteria together, ``exit_verdict``); P0 of registered and unregistered households;
        the Alkire-Foster M0 and H. Tables: ``rates`` (targeting on both welfare measures and the
        exit rates), ``exit_cohorts``, ``coverage_by_quintile``, ``registration_check``,
        ``by_township``, ``sensitivity``, ``fgt``, ``alkire_foster``, ``af_grid``, ``causes``.
    """
    result = FamilyResult("identification", settings.county, settings)
    options = settings.identification
    year = settings.study.survey_year
    line = settings.poverty_line(year)
    frame, counts = identification_frame(required_table(tables, "households"), settings)
    result.sample = counts
    result.definitions = _definitions(settings, line)
    usable = frame[USABLE].to_numpy()
    if counts["households_used"] < settings.min_sample.households:
        result.status = "too_small"
        result.notes.append(
            f"{counts['households_used']} households usable for identification, fewer than the minimum "
            f"{settings.min_sample.households} (indicators.min_sample.households)"
        )
        result.poverty_lines = settings.lines_used([year])
        return result
    design = household_design(frame, lonely_psu=settings.lonely_psu)
    # The targeting rates read only the register columns: a design of those alone is copied far
    # faster by each estimate's assign (a census county is large). Every design below is of the
    # same households and reuses this one's stages.
    calibration = [c for c in CALIBRATION_COLUMNS if c in frame]
    register = household_design(
        frame[[*DESIGN_COLUMNS, *calibration, *_REGISTER]], lonely_psu=settings.lonely_psu, like=design
    )
    level, method = settings.level, settings.proportion_interval
    targeting: dict[str, dict[str, Estimate]] = {}
    for welfare in WELFARE:
        targeting[welfare], notes = targeting_rates(
            register, frame[ELIGIBLE[welfare]].to_numpy(), level=level, method=method, domain=usable
        )
        if welfare == options.welfare:
            result.notes += notes
    exits = exit_evaluation(frame, settings, like=design)
    result.notes += exits.notes
    result.definitions["wrongly_exited"] = _WRONGLY_EXITED[exits.basis].format(
        years=_years_text(exits.evaluated_years), survey_year=year, **_exit_standard(settings, exits.basis)
    )
    result.tables["rates"] = pd.concat(
        [rates_table(targeting[w], welfare=w, unit="households") for w in WELFARE]
        + [
            estimate_table(
                [
                    (
                        {
                            "welfare": "post_transfer",
                            "unit": "households" if name == "recognition_rate" else options.threshold_unit,
                            "rate": name,
                        },
                        estimate,
                    )
                    for name, estimate in exits.estimates.items()
                ]
            )
        ],
        ignore_index=True,
    )
    result.tables["rates"]["threshold"] = result.tables["rates"]["rate"].map(_thresholds(settings))
    result.tables["exit_cohorts"] = exits.cohorts
    result.tables["coverage_by_quintile"] = coverage_table(frame, settings, like=design)
    check, notes, registration_years = registration_check(frame, settings, like=design)
    result.notes += notes
    if len(check):
        result.tables["registration_check"] = check
    result.tables["by_township"] = township_table(frame, settings, like=design)
    result.tables["sensitivity"] = sensitivity_curve(frame, settings, like=design)
    persons = household_design(unit_weights(frame, options.fgt_unit), lonely_psu=settings.lonely_psu, like=design)
    result.tables["fgt"] = fgt_table(persons, line, settings)
    result.tables["causes"] = causes_table(design, level)
    min_n = settings.min_sample.group
    lines_now = {year: line}
    result.headline = _targeting_headline(targeting[options.welfare], options, min_n, lines_now, result.notes)
    result.headline += _exit_headline(exits, settings, min_n)
    result.headline += _fgt_headline(result.tables["fgt"], options, min_n, lines_now)
    result.headline += _af_headline(persons, line, settings, result, lines_now)
    result.poverty_lines = settings.lines_used({year, *exits.lines, *registration_years})
    return result


def _af_headline(
    design: SurveyDesign, line: float, settings: IdentificationSettings, result: FamilyResult, lines: dict[int, float]
) -> list[dict[str, Any]]:
    """M0 and H at the configured k (from the curve over k, defined when nobody is poor); the
    ``af_grid`` table, and ``alkire_foster`` (intensity, censored headcounts, contributions) when
    someone is poor."""
    options = settings.identification
    definition = _af_definition(options)
    try:
        curve = af_curve(design, line, settings, af_design_effects(design, line, settings))
    except StatsInputError as exc:
        result.notes.append(f"Alkire-Foster index not computed: {exc}")
        return [missing_row(name, label, definition, str(exc)) for name, label in _AF_LABELS.items()]
    result.tables["af_grid"] = curve
    try:
        result.tables["alkire_foster"] = alkire_foster_result(design, line, settings).to_frame()
    except StatsInputError as exc:
        result.notes.append(f"Alkire-Foster intensity and contributions not computed: {exc}")
    af = options.alkire_foster
    if af.k <= af.income_weight():
        result.notes.append(
            f"Alkire-Foster: k = {af.k:g} is not above the income weight ({af.income_weight():.3f}), so income "
            "poverty alone makes a person multidimensionally poor and H is at least the income headcount"
        )
    at_k = curve[curve["k"] == float(af.k)].set_index("measure")
    min_n = settings.min_sample.group
    return [
        headline_row(
            name,
            label,
            estimate_from_row(at_k.loc[measure], name),
            definition,
            min_n=min_n,
            poverty_lines=lines,
        )
        for (name, label), measure in zip(_AF_LABELS.items(), ("M0", "H"), strict=True)
    ]


_AF_LABELS = {
    "af_m0": "多维贫困指数 adjusted headcount ratio M0",
    "af_h": "多维贫困发生率 multidimensional headcount H",
}


# ---- breakdowns ------------------------------------------------------------------------------


def sensitivity_curve(
    frame: pd.DataFrame, settings: IdentificationSettings, *, like: SurveyDesign | None = None
) -> pd.DataFrame:
    """Return the error rates with every poverty line scaled over the configured range (±30%).

    At each factor: the eligible share, the inclusion error (on the register ``inclusion_register``
    names) and the exclusion error of the current register on the configured welfare against the
    survey year's line times the factor; the wrongful-exit rate (each exit's line times it) and
    the missed rate (the survey-year standard times it), counting ``threshold_unit``. The headline
    definitions, in one ratio pass per line (not the full targeting statistics: a county census of
    a million households pays for every pass); persons are counted by multiplying both sides of a
    ratio by household size, which gives the person-weighted ratio and its linearised SE. A rate
    whose denominator is empty at a line is left out of that line. ``like``: the household design
    of ``frame``, whose stages to reuse.
    """
    options = settings.identification
    grid = options.sensitivity
    line = settings.poverty_line(settings.study.survey_year)
    judged, _, _ = judged_exits(frame, settings)
    # Only a known failing item or income below the line make a household eligible at a line, as
    # 0/1 (eligibility's undecided households count 0); the items do not move with the line.
    fails = judged["fails_any"].to_numpy() == 1
    income_now = as_float(frame["income_pc"])
    welfare_income = as_float(frame["income_pc_pre"]) if options.welfare == "pre_transfer" else income_now
    # Outside the family's domain every indicator is 0 (its constructs are missing there): those
    # households stay in the design with zero influence, as in R's subset(design, ...).
    inside = judged[USABLE].to_numpy()
    unit = np.nan_to_num(judged["persons"].to_numpy(dtype=float)) if options.threshold_unit == "persons" else inside
    register, current, unregistered = (
        np.nan_to_num(judged[c].to_numpy(dtype=float))
        for c in ("current" if options.inclusion_register == "current" else "registered", "current", "unregistered")
    )
    evaluated = judged["evaluated"].to_numpy()
    exit_income, exit_line = judged["exit_income"].to_numpy(), judged["exit_line"].to_numpy()
    columns = {
        "_one": inside,
        "_register": register,
        "_evaluated": unit * evaluated,
        "_unregistered": unit * unregistered,
    }
    base = household_design(judged[DESIGN_COLUMNS].assign(**columns), lonely_psu=settings.lonely_psu, like=like)
    thresholds = _thresholds(settings)
    inclusion = "inclusion_error_current" if options.inclusion_register == "current" else "inclusion_error_ever"
    rows = []
    for factor in np.round(np.linspace(grid.low, grid.high, grid.points), 6):
        scaled = line * float(factor)
        eligible = surely_eligible(welfare_income, fails, scaled, rule=options.eligibility)
        below = (
            eligible
            if welfare_income is income_now
            else surely_eligible(income_now, fails, scaled, rule=options.eligibility)
        )
        wrong = evaluated * ((exit_income < exit_line * float(factor)) | fails)
        ds = base.assign(
            _eligible=eligible,
            _included=register * (1 - eligible),
            _excluded=eligible * (1 - current),
            _wrong=unit * wrong,
            _missed=unit * unregistered * below,
        )
        parts = {
            "eligible_share": ("_eligible", "_one"),
            inclusion: ("_included", "_register"),
            "exclusion_error": ("_excluded", "_eligible"),
            "wrongful_exit_rate": ("_wrong", "_evaluated"),
            "missed_rate": ("_missed", "_unregistered"),
        }
        names = [name for name, (_, den) in parts.items() if ds.data[den].to_numpy().any()]
        if not names:
            continue
        table = ds.ratio([parts[n][0] for n in names], [parts[n][1] for n in names], level=settings.level, deff=False)
        for name, row in zip(names, cast(pd.DataFrame, table).itertuples(index=False), strict=True):
            n = int(np.count_nonzero(ds.data[parts[name][1]].to_numpy()))
            estimate = Estimate(name, row.estimate, row.se, row.ci_low, row.ci_high, n, df=ds.df, level=settings.level)
            keys = {"line_factor": float(factor), "line": scaled, "rate": name, "threshold": thresholds.get(name)}
            rows.append((keys, proportion_interval(estimate, method=settings.proportion_interval, design=ds)))
    return estimate_table(rows)


def township_table(
    frame: pd.DataFrame, settings: IdentificationSettings, *, like: SurveyDesign | None = None
) -> pd.DataFrame:
    """Return the rates by township (domain estimates on the full design).

    The targeting rates count households, the exit rates ``threshold_unit``. Townships where a
    rate's denominator is empty are left out of that rate; ``reliable`` is False for townships with
    fewer sampled households than ``min_sample.township`` and for rates whose denominator has fewer
    than ``min_sample.group``. ``like``: the household design of ``frame``, whose stages to reuse.
    """
    level = settings.level
    which = settings.identification.inclusion_register
    register = "current" if which == "current" else "registered"
    judged, basis, _ = judged_exits(frame, settings)
    households = household_design(judged, lonely_psu=settings.lonely_psu, like=like)
    counted = household_design(
        unit_weights(judged, settings.identification.threshold_unit), lonely_psu=settings.lonely_psu, like=like
    )
    data = households.data
    eligible = data["eligible"]
    parts = {
        "eligible_share": (households, eligible, None),
        "current_share": (households, data["current"], None),
        f"inclusion_error_{which}": (households, data[register] * (1 - eligible), register),
        "exclusion_error": (households, eligible * (1 - data["current"]), "eligible"),
        "wrongful_exit_rate": (counted, data["wrongly_exited"], "evaluated"),
        "missed_rate": (counted, data["missed"], "unregistered"),
    }
    thresholds = _thresholds(settings)
    sizes = data[data[USABLE] == 1].groupby("township").size()
    tables = []
    for name, (design, numerator, denominator) in parts.items():
        table = ratio_by(design.assign(_num=numerator.to_numpy()), "_num", denominator, "township", level=level)
        table = domain_proportion_intervals(table, method=settings.proportion_interval, design=design, level=level)
        tables.append(table.assign(rate=name, threshold=thresholds.get(name)))
    out = pd.concat(tables, ignore_index=True)
    out["n_households"] = out["township"].map(sizes).astype(int)
    out["reliable"] = (out["n_households"] >= settings.min_sample.township) & (
        out["n_denominator"] >= settings.min_sample.group
    )
    columns = [
        "township",
        "rate",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "n_denominator",
        "n_households",
        "reliable",
        "threshold",
    ]
    return out[columns].sort_values(["township", "rate"], kind="stable").reset_index(drop=True)


def causes_table(design: SurveyDesign, level: float) -> pd.DataFrame:
    """Return the distribution of recorded main causes of poverty among registered households."""
    data = design.data
    cause = data["poverty_cause"].astype("string").where(data["registered"] == 1)
    if cause.notna().sum() == 0:
        return pd.DataFrame(columns=["cause", "estimate", "se", "ci_low", "ci_high", "n"])
    table = design.assign(_cause=cause).proportion("_cause", na_rm=True, level=level)
    assert isinstance(table, pd.DataFrame)
    counts = cause.value_counts()
    table = table.rename(columns={"_cause": "cause"})
    table["n"] = table["cause"].map(counts).astype(int)
    return table.sort_values("estimate", ascending=False, kind="stable").reset_index(drop=True)


# ---- headline rows ---------------------------------------------------------------------------


def _thresholds(settings: IdentificationSettings) -> dict[str, float]:
    """The threshold of each exit criterion for this county (the incidence one by its region)."""
    limits = settings.identification.thresholds
    return {
        "wrongful_exit_rate": float(limits.wrongful_exit_rate),
        "missed_rate": float(limits.missed_rate),
        "recognition_rate": float(limits.recognition_rate),
        "poverty_incidence": settings.incidence_threshold(),
    }


def _targeting_headline(
    rates: dict[str, Estimate],
    options: IdentificationOptions,
    min_n: int,
    lines: dict[int, float],
    notes: list[str],
) -> list[dict[str, Any]]:
    welfare = welfare_words(options.welfare)
    rows = []
    for name in _TARGETING_HEADLINE:
        key = "inclusion_error_ever" if name == "inclusion_error" and options.inclusion_register == "ever" else name
        label, definition = TARGETING_RATES[key]
        definition = f"{definition}; eligibility on {welfare} (households)"
        if key not in rates:
            note = next((n for n in notes if n.startswith(f"{key} ")), "undefined in this sample")
            rows.append(missing_row(name, label, definition, note))
            continue
        row = headline_row(name, label, rates[key], definition, min_n=min_n, poverty_lines=lines)
        rows.append(row | {"welfare": options.welfare})
    return rows


_LABELS = {
    "wrongful_exit_rate": "错退率 wrongful-exit rate",
    "below_standard_exited": "退出户低于标准比例 below-standard share among exited households in {year} (relapse "
    "and wrongful exit together)",
    "relapse_rate": "返贫率 relapse: exited households that met the standard at exit and are below it now",
    "missed_rate": "漏评率 missed-registration rate",
    "recognition_rate": "群众认可度 recognition of the exit result",
    "poverty_incidence": "综合贫困发生率 composite poverty incidence",
}
_WRONGLY_EXITED = {
    REGISTER: "exited while below {standard}: per-capita income of the exit year recorded in the "
    "register (income_at_exit_pc) below {line}, or a 两不愁三保障 item failing when surveyed (as the "
    "evaluation checks at its visit); exits of {years}",
    "latest_cohort": "exited in {years} (the latest exit cohort) while below {standard}, judged by "
    "the survey's {survey_year} income against {line} (the register's income at exit is not "
    "supplied), or a 两不愁三保障 item failing when surveyed",
}


def _exit_standard(settings: IdentificationSettings, basis: str) -> dict[str, str]:
    """The words for the standard an exit is judged by (``exit_line_year``) and its line."""
    year = settings.study.survey_year
    if settings.identification.exit_line_year == "survey_year":
        return {
            "standard": f"the {year} standard (exit_line_year: survey_year; the evaluation's rule takes the exit "
            "year's line)",
            "line": f"the {year} line",
        }
    line = "that year's line" if basis == REGISTER else "the exit year's line"
    return {"standard": "the standard of the exit year", "line": line}


def _exit_definitions(settings: IdentificationSettings, exits: ExitEvaluation) -> dict[str, str]:
    unit = settings.identification.threshold_unit
    year = settings.study.survey_year
    judged = _years_text(exits.evaluated_years)
    basis = (
        "exits judged by the register's income of the exit year"
        if exits.basis == REGISTER
        else f"exits of {judged} only, by survey-year income"
    )
    met = "the standard of their exit year"
    if settings.identification.exit_line_year == "survey_year":
        basis += f", against the {year} line (exit_line_year: survey_year)"
        met = f"the {year} standard at exit (exit_line_year: survey_year)"
    return {
        "wrongful_exit_rate": f"{unit} of wrongly exited households ÷ {unit} of exited households judged ({basis})",
        "below_standard_exited": f"{unit} of exited households below the {year} standard ÷ {unit} of all exited "
        "households: relapse and wrongful exit together, not the 错退率",
        "relapse_rate": f"{unit} of exited households that met {met} (register's income) "
        f"and are below the {year} standard ÷ {unit} of those that met it",
        "missed_rate": f"{unit} of never-registered households below the {year} standard ÷ {unit} of never-registered "
        "households (the evaluation's denominator: the unregistered rural population)",
        "recognition_rate": "registered households recognising the exit result ÷ registered households answering "
        "(households, as the evaluation counts them)",
        "poverty_incidence": f"({unit} of registered households not exited + {unit} of never-registered households "
        f"below the {year} standard + wrongful-exit rate × {unit} of exited households) ÷ all {unit} (the "
        "evaluation's formula, facts-2.md §4)",
    }


def _exit_headline(exits: ExitEvaluation, settings: IdentificationSettings, min_n: int) -> list[dict[str, Any]]:
    year = settings.study.survey_year
    thresholds = _thresholds(settings)
    definitions = _exit_definitions(settings, exits)
    exit_years = {y: exits.lines[y] for y in exits.judged_years}
    lines = {
        "wrongful_exit_rate": exit_years,
        "below_standard_exited": {year: exits.lines[year]},
        "relapse_rate": {**exit_years, year: exits.lines[year]},
        "missed_rate": {year: exits.lines[year]},
        "recognition_rate": None,
        "poverty_incidence": {**exit_years, year: exits.lines[year]},
    }
    rows = []
    for name in (
        "wrongful_exit_rate",
        "below_standard_exited",
        "relapse_rate",
        "missed_rate",
        "recognition_rate",
        "poverty_incidence",
    ):
        label = _LABELS[name].format(year=year)
        if name == "wrongful_exit_rate" and exits.basis != REGISTER:
            label += f", estimated on the {_years_text(exits.evaluated_years) or 'latest'} exits"
        if name not in exits.estimates:
            note = next((n for n in exits.notes if n.startswith(f"{name} ")), "undefined in this sample")
            rows.append(missing_row(name, label, definitions[name], note))
            continue
        row = headline_row(
            name,
            label,
            exits.estimates[name],
            definitions[name],
            threshold=thresholds.get(name),
            operator=OPERATORS.get(name, "<"),
            min_n=min_n,
            poverty_lines=lines[name],
        )
        if name in ("wrongful_exit_rate", "relapse_rate"):
            row["basis"] = exits.basis
        rows.append(row)
    by_name = {row["name"]: row for row in rows}
    criteria = {name: by_name[name].get("passes_ci") for name in CRITERIA}
    rows.append(
        verdict_row(
            "exit_verdict",
            "退出评估四项指标 the four exit-evaluation criteria together",
            intersection_union(criteria.values()),
            criteria,
            "passes only when each criterion's interval lies on its passing side (错退率 < "
            f"{thresholds['wrongful_exit_rate']:.0%}, 漏评率 < {thresholds['missed_rate']:.0%}, 群众认可度 > "
            f"{thresholds['recognition_rate']:.0%}, 综合贫困发生率 < {thresholds['poverty_incidence']:.0%} for a "
            f"{settings.region} county): an intersection-union test, each criterion one-sided at half the "
            "intervals' level, no multiplicity adjustment needed; fails when any criterion's interval lies wholly on "
            "its failing side (not adjusted for the four looks); otherwise inconclusive",
            INDICATIVE,
            reliable=all(by_name[name]["reliable"] for name in CRITERIA),
        )
    )
    return rows


def _fgt_headline(
    table: pd.DataFrame, options: IdentificationOptions, min_n: int, lines: dict[int, float]
) -> list[dict[str, Any]]:
    rows = []
    unit = options.fgt_unit
    for group, label in (
        ("registered", "建档立卡户贫困发生率 P0, registered"),
        ("unregistered", "非建档立卡户贫困发生率 P0, unregistered"),
    ):
        match = table[(table["group"] == group) & (table["alpha"] == 0)]
        definition = (
            f"FGT headcount: share of {unit} with per-capita income (after transfers) below the line, "
            f"{group} households"
        )
        if match.empty:
            rows.append(missing_row(f"p0_{group}", label, definition, f"no {group} household in the sample"))
            continue
        estimate = estimate_from_row(match.iloc[0], f"p0_{group}")
        rows.append(headline_row(f"p0_{group}", label, estimate, definition, min_n=min_n, poverty_lines=lines))
    return rows


def _af_definition(options: IdentificationOptions) -> str:
    af = options.alkire_foster
    return (
        "Alkire-Foster: deprived in income (per-capita income below the line) and in each failed 两不愁三保障 item, "
        f"weights {dict(af.weights)} (normalised); poor when the weighted deprivation share reaches k = {af.k:g} "
        f"(the income weight is {af.income_weight():.3f}); M0 = H x A"
    )


def _years_text(years: list[int]) -> str:
    if not years:
        return ""
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


def _definitions(settings: IdentificationSettings, line: float) -> dict[str, str]:
    options = settings.identification
    year = settings.study.survey_year
    items = list(options.items)  # printed as a list, as in the config
    criteria = {
        "income": f"per-capita income below {line:g} yuan ({year} line)",
        "items": f"failing any of the 两不愁三保障 items {items}",
        "income_or_items": f"per-capita income below {line:g} yuan ({year} line) or failing any of the "
        f"两不愁三保障 items {items}",
    }
    return {
        "eligible": f"eligible (符合贫困标准) = {criteria[options.eligibility]}; an unanswered item counts as "
        f"{options.missing_item.replace('_', ' ')}. The targeting errors judge it on "
        f"{welfare_words(options.welfare)} (welfare: {options.welfare}); the exit standard on income after "
        "transfers, as the official test counts 政策性收入",
        "per_capita_income": "total income of the survey year ÷ household size"
        + (" (the sum of the four components when the total is missing)" if options.income_from_components else "")
        + "; before transfers: total minus transfer income (subsidies, pensions, 低保: more than the programme's own "
        "transfers, which the survey does not record apart)",
        "housing": f"housing is safe when its grade is one of {list(options.housing_safe_grades)} (C and D are 危房)",
        "registered": "registered (建档立卡) at any time; current register = registered and not exited; targeting "
        "errors (Coady-Grosh-Hoddinott / ADePT) judge the current register",
        "exit_evaluation": "the four criteria of the county exit evaluation (贫困县退出专项评估检查) replicated on the "
        f"survey, counting {options.threshold_unit} (群众认可度 households); {INDICATIVE}",
        "coverage_by_quintile": f"persons ranked by per-capita income before transfers into {options.quantile_groups} "
        "groups of equal weighted population; coverage = share of the group's persons in registered households, "
        "beneficiary share = share of the register's persons in the group (ADePT); no poverty line involved",
        "registration_check": "registration judged by the income it looked at: the register's record of it against "
        f"the line of the year {options.registration_income_lag} before registration, or the recalled "
        f"{settings.study.baseline_year} income against that year's line. Registration filled county quotas "
        "(规模控制), so part of any exclusion error at registration is by design",
        "inference": "design-based, two stages: townships strata, villages PSUs (fpc: villages in the township), "
        "households within the register / other group of each village (fpc: the group's households in the frame), "
        "survey weights; Taylor linearisation summed over both stages; t intervals on #PSU - #strata degrees of "
        "freedom (a township's own for township breakdowns); proportions "
        f"{settings.proportion_interval.replace('_', '-')}, other bounded indices (P1, P2, M0, F1, kappa, the "
        "composite incidence) on the logit scale",
        "thresholds": "a criterion passes when its whole interval meets it, fails when none of it does "
        "(pa_study.stats.threshold_verdict), in the indicator files and the report alike",
        "sensitivity": "rates recomputed with every poverty line multiplied by each factor of the sensitivity grid",
        "fgt_unit": f"FGT and Alkire-Foster indices count {options.fgt_unit}",
    }

"""Identification accuracy (精准识别): who should be on the register, and who is.

Eligibility follows the exit standard in the config: per-capita income of the survey year below
that year's poverty line, and/or failing a 两不愁三保障 item. Against the register (建档立卡) and
exit status it gives inclusion and exclusion errors, 错退率 (wrongly exited ÷ exited) and 漏评率
(eligible but unregistered ÷ unregistered) with their 2% thresholds, agreement statistics, a
breakdown by township, the sensitivity of the error rates to the line (±30%), FGT indices for
registered and unregistered households, an Alkire–Foster index over income and the 两不愁三保障
dimensions, and the distribution of recorded causes of poverty.

References
----------
Coady, Grosh & Hoddinott (2004), Targeting of Transfers in Developing Countries (errors).
Foster, Greer & Thorbecke (1984), Econometrica 52(3) (FGT). Alkire & Foster (2011), J. Public
Economics 95(7-8) (multidimensional poverty). 国务院扶贫开发领导小组 (2016), 贫困县退出专项评估检查
实施办法 (错退率, 漏评率 < 2%).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, cast

import numpy as np
import pandas as pd

from pa_study.codebook import INCOME_TOTALS
from pa_study.config import ConfigPart, Number
from pa_study.design import DESIGN_COLUMNS, FPC, PSU, STRATUM, WEIGHT
from pa_study.indicators.family import FigureSpec, IndicatorFamily
from pa_study.indicators.output import FamilyResult, estimate_from_row, estimate_table, headline_row, missing_row
from pa_study.indicators.settings import WithPovertyLines
from pa_study.indicators.survey import (
    as_float,
    domain_proportion_intervals,
    household_design,
    per_member_sum,
    proportion_interval,
    ratio_by,
    ratio_estimate,
    required_table,
)
from pa_study.stats import (
    AlkireFosterResult,
    Estimate,
    StatsInputError,
    SurveyDesign,
    alkire_foster,
    fgt,
    targeting_errors,
)

_INCOME_PARTS = INCOME_TOTALS["inc_total"]
_THRESHOLD_RATES = ("wrongful_exit_rate", "missed_rate")

#: name -> (label, definition) of every rate the family reports.
RATES: dict[str, tuple[str, str]] = {
    "eligible_share": ("符合识别标准的农户比例 eligible households", "eligible households ÷ all households (weighted)"),
    "registered_share": ("建档立卡户比例 registered households", "ever-registered households ÷ all households"),
    "inclusion_error_current": (
        "错评率（在册）inclusion error, current register",
        "not eligible ÷ registered households that have not exited",
    ),
    "inclusion_error_ever": (
        "错评率（全部建档立卡）inclusion error, ever registered",
        "not eligible ÷ all ever-registered households (a correct exit counts as an error)",
    ),
    "exclusion_error": ("漏保率 exclusion error", "eligible but never registered ÷ eligible households"),
    "wrongful_exit_rate": ("错退率 wrongful-exit rate", "exited but still eligible ÷ exited households"),
    "missed_rate": ("漏评率 missed-registration rate", "eligible but never registered ÷ unregistered households"),
    "accuracy": ("识别准确率 accuracy", "share of households whose registration matches eligibility"),
    "precision": ("precision", "eligible ÷ ever-registered households (1 - ever-registered inclusion error)"),
    "recall": ("recall (coverage)", "registered ÷ eligible households (1 - exclusion error)"),
    "f1": ("F1", "harmonic mean of precision and recall"),
    "kappa": ("Cohen's kappa", "agreement of registration with eligibility beyond chance"),
}


#: Rates that are proportions of the households in their denominator (f1 and kappa are not).
_PROPORTIONS = tuple(name for name in RATES if name not in ("f1", "kappa"))
#: The columns of the identification frame that the targeting rates read (:func:`error_rates`,
#: :func:`township_table`, :func:`sensitivity_curve`).
_REGISTER = ["township", "registered", "exited", "current", "eligible"]


# ---- settings --------------------------------------------------------------------------------


class Thresholds(ConfigPart):
    """Upper limits of the two exit-evaluation error rates (错退率, 漏评率)."""

    wrongful_exit_rate: Number
    missed_rate: Number


class SensitivityGrid(ConfigPart):
    """Factors the poverty line is multiplied by: ``points`` from ``low`` to ``high``."""

    low: Number
    high: Number
    points: int


class AlkireFosterOptions(ConfigPart):
    """Poverty cutoff ``k`` and relative dimension weights (income and the 两不愁三保障 items)."""

    k: Number
    weights: dict[str, Number]


class IdentificationOptions(ConfigPart):
    """The config's ``indicators.identification`` section: who is eligible, and how errors are counted."""

    eligibility: str
    items: tuple[str, ...]
    housing_safe_grades: tuple[str, ...]
    missing_item: str
    income_from_components: bool
    inclusion_register: str
    thresholds: Thresholds
    sensitivity: SensitivityGrid
    fgt_unit: str
    alkire_foster: AlkireFosterOptions


class IdentificationSettings(WithPovertyLines):
    """Settings of the identification family: the shared options, the county's poverty lines and
    the eligibility rules (``identification``). Families that decide eligibility too extend it."""

    identification: IdentificationOptions


# ---- constructs ------------------------------------------------------------------------------


def item_failures(households: pd.DataFrame, items: list[str], safe_grades: list[str]) -> pd.DataFrame:
    """Return one nullable boolean column per 两不愁三保障 item: True fails, False passes, <NA> unanswered.

    Parameters
    ----------
    households : DataFrame
        Cleaned households.
    items : list of str
        Items that count, of ``food``, ``clothing``, ``education``, ``medical``, ``housing``, ``water``.
    safe_grades : list of str
        Housing grades that count as safe (A and B by default; C and D are 危房).
    """
    grade = households["housing_grade"]
    checks = {
        "food": ~households["food_secure"].astype("boolean"),
        "clothing": ~households["clothing_secure"].astype("boolean"),
        "education": households["child_out_of_school"].astype("boolean"),
        "medical": ~households["medical_insured"].astype("boolean"),
        "housing": (~grade.isin(safe_grades)).astype("boolean").mask(grade.isna()),
        "water": ~households["safe_water"].astype("boolean"),
    }
    return pd.DataFrame({item: checks[item] for item in items}, index=households.index)


def per_capita_income(households: pd.DataFrame, *, suffix: str = "", from_components: bool = True) -> np.ndarray:
    """Return total income per household member (NaN where unknown).

    ``suffix`` ``"_base"`` gives the baseline-year recall income. With ``from_components``, a
    missing total is replaced by the sum of its four components when all of them are known.
    """
    income = as_float(households[f"inc_total{suffix}"]) / as_float(households["hh_size"])
    if from_components:
        income = np.where(np.isnan(income), per_member_sum(households, _INCOME_PARTS, suffix=suffix), income)
    return income


def eligibility(
    income_pc: np.ndarray, failures: pd.DataFrame, line: float, *, rule: str, missing_item: str
) -> pd.Series:
    """Return eligibility as a nullable boolean (``<NA>`` where it cannot be decided).

    Parameters
    ----------
    income_pc : ndarray
        Per-capita income (NaN unknown).
    failures : DataFrame
        :func:`item_failures`.
    line : float
        Poverty line, yuan per person per year; poor means strictly below it.
    rule : {"income_or_items", "income", "items"}
        Which criteria make a household eligible.
    missing_item : {"not_failed", "unknown"}
        Whether an unanswered item counts as passed or leaves eligibility open.

    Returns
    -------
    Series
        Indexed like ``failures``. Combinations follow three-valued logic: an income-poor household
        is eligible whatever its items, a household failing an item whatever its income.
    """
    poor = pd.Series(income_pc < line, index=failures.index, dtype="boolean").mask(np.isnan(income_pc))
    fails = failures.eq(True).any(axis=1).astype("boolean")
    if missing_item == "unknown":
        # No known failure but an unanswered item: undecided.
        fails = fails.mask(~fails & failures.isna().any(axis=1))
    if rule == "income":
        return poor
    if rule == "items":
        return fails
    return poor | fails


def identification_frame(
    households: pd.DataFrame, settings: IdentificationSettings
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Return the households usable for identification, with the constructs as float columns.

    Columns: the design columns, ``township``, ``village``, ``registered``, ``exited`` (0 for households never
    registered), ``current`` (registered and not exited), ``eligible``, ``income_pc``,
    ``income_pc_base``, ``hh_size``, ``poverty_cause`` and one ``fails_<item>`` column per item.
    A household is usable when its eligibility is known and, if registered, its exit status.

    Returns
    -------
    (DataFrame, dict)
        The frame and the counts of households read and left out (by reason).
    """
    options = settings.identification
    line = settings.poverty_line(settings.study.survey_year)
    income_pc = per_capita_income(households, from_components=options.income_from_components)
    failures = item_failures(households, list(options.items), list(options.housing_safe_grades))
    eligible = eligibility(income_pc, failures, line, rule=options.eligibility, missing_item=options.missing_item)
    registered = households["registered"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    exited_answer = households["exited"].astype("boolean")
    exit_unknown = registered & exited_answer.isna().to_numpy()
    exited = registered & exited_answer.fillna(False).to_numpy(dtype=bool)
    frame = pd.DataFrame(
        {
            STRATUM: households[STRATUM],
            PSU: households[PSU],
            FPC: households[FPC],
            WEIGHT: households[WEIGHT],
            "township": households["township"],
            "village": households["village"],
            "registered": registered.astype(float),
            "exited": exited.astype(float),
            "current": (registered & ~exited).astype(float),
            "eligible": as_float(eligible),
            "income_pc": income_pc,
            "income_pc_base": per_capita_income(
                households, suffix="_base", from_components=options.income_from_components
            ),
            "hh_size": as_float(households["hh_size"]),
            "poverty_cause": households["poverty_cause"],
        },
        index=households.index,
    )
    for item in failures.columns:
        frame[f"fails_{item}"] = as_float(failures[item])
    unknown = eligible.isna().to_numpy()
    usable = ~unknown & ~exit_unknown
    counts = {
        "households_read": len(households),
        "eligibility_unknown": int(unknown.sum()),
        "exit_status_unknown": int((exit_unknown & ~unknown).sum()),
        "households_used": int(usable.sum()),
    }
    return frame.loc[usable].reset_index(drop=True), counts


# ---- estimates -------------------------------------------------------------------------------


def error_rates(
    design: SurveyDesign, eligible: np.ndarray, settings: IdentificationSettings
) -> tuple[dict[str, Estimate], list[str]]:
    """Return the targeting rates of :data:`RATES` (those defined in this sample) and notes on the others.

    The register for the inclusion error is given twice: ever registered (the literal definition,
    from :func:`pa_study.stats.targeting_errors`) and households still on it (not exited).
    """
    data = design.data
    level = settings.level
    registered, exited = data["registered"].to_numpy(), data["exited"].to_numpy()
    thresholds = settings.identification.thresholds.to_dict()
    exits = {"exited": exited, "wrongly_exited": exited * eligible} if exited.any() else {}
    notes = [] if exits else ["no exited household in the sample: 错退率 is undefined"]
    rates: dict[str, Estimate] = {}
    try:
        result = targeting_errors(registered, eligible, design=design, thresholds=thresholds, level=level, **exits)
    except StatsInputError as exc:
        return rates, [*notes, f"targeting rates undefined: {exc}"]
    rates.update(result.rates)
    rates["inclusion_error_ever"] = rates.pop("inclusion_error")
    current = data["current"].to_numpy()
    ds = design.assign(_fp=current * (1 - eligible), _elig=eligible, _reg=registered, _all=1.0)
    shares = cast(pd.DataFrame, ds.ratio(["_elig", "_reg"], "_all", level=level))
    rates["eligible_share"] = estimate_from_row(shares.iloc[0], "eligible_share", n=len(data))
    rates["registered_share"] = estimate_from_row(shares.iloc[1], "registered_share", n=len(data))
    if current.any():
        rates["inclusion_error_current"] = dataclasses.replace(
            ratio_estimate(ds, "_fp", "current", level=level), n=int(current.sum())
        )
    else:
        notes.append("every registered household has exited: the current-register inclusion error is undefined")
    method = settings.proportion_interval
    return {
        name: proportion_interval(e, method=method, design=design) if name in _PROPORTIONS else e
        for name, e in rates.items()
    }, notes


def rates_table(rates: dict[str, Estimate], thresholds: Mapping[str, float], **keys: Any) -> pd.DataFrame:
    """Tidy rows (rate, estimate, se, ci, n, threshold) of :func:`error_rates`, in :data:`RATES` order."""
    rows = [({**keys, "rate": name, "threshold": thresholds.get(name)}, rates[name]) for name in RATES if name in rates]
    return estimate_table(rows)


def sensitivity_curve(
    frame: pd.DataFrame, design: SurveyDesign, failures: pd.DataFrame, line: float, settings: IdentificationSettings
) -> pd.DataFrame:
    """Return the error rates with the poverty line scaled over the configured range (±30%).

    At each line: the eligible share, the inclusion error (on the register ``inclusion_register``
    names), the exclusion error, the wrongful-exit rate and the missed rate, with the definitions of
    :func:`error_rates`, in one ratio pass per line (not the full set of targeting statistics: a
    county census of a million households pays for every pass). A rate whose denominator is empty at
    a line is left out of that line.
    """
    options = settings.identification
    grid = options.sensitivity
    data = design.data
    registered, exited = data["registered"].to_numpy(), data["exited"].to_numpy()
    register = data["current" if options.inclusion_register == "current" else "registered"].to_numpy()
    base = design.assign(_one=1.0, _register=register, _exited=exited, _unregistered=1 - registered)
    thresholds = options.thresholds.to_dict()
    rows = []
    for factor in np.round(np.linspace(grid.low, grid.high, grid.points), 6):
        eligible = as_float(
            eligibility(
                frame["income_pc"].to_numpy(),
                failures,
                line * factor,
                rule=options.eligibility,
                missing_item=options.missing_item,
            )
        )
        ds = base.assign(
            _eligible=eligible,
            _included=register * (1 - eligible),
            _excluded=eligible * (1 - registered),
            _wrongly_exited=exited * eligible,
        )
        parts = {
            "eligible_share": ("_eligible", "_one"),
            f"inclusion_error_{options.inclusion_register}": ("_included", "_register"),
            "exclusion_error": ("_excluded", "_eligible"),
            "wrongful_exit_rate": ("_wrongly_exited", "_exited"),
            "missed_rate": ("_excluded", "_unregistered"),
        }
        names = [name for name in RATES if name in parts and ds.data[parts[name][1]].to_numpy().any()]
        if not names:
            continue
        table = ds.ratio([parts[n][0] for n in names], [parts[n][1] for n in names], level=settings.level)
        for name, row in zip(names, cast(pd.DataFrame, table).itertuples(index=False), strict=True):
            n = int(np.count_nonzero(ds.data[parts[name][1]].to_numpy()))
            estimate = Estimate(name, row.estimate, row.se, row.ci_low, row.ci_high, n, df=ds.df, level=settings.level)
            keys = {"line_factor": float(factor), "line": line * float(factor), "rate": name}
            keys["threshold"] = thresholds.get(name)
            rows.append((keys, proportion_interval(estimate, method=settings.proportion_interval, design=ds)))
    return estimate_table(rows)


def township_table(design: SurveyDesign, settings: IdentificationSettings) -> pd.DataFrame:
    """Return the rates by township (domain estimates on the full design).

    Townships where a rate's denominator is empty are left out of that rate; ``reliable`` is False
    for townships with fewer sampled households than ``min_sample.township`` and for rates whose
    denominator has fewer than ``min_sample.group``.
    """
    data = design.data
    level = settings.level
    which = settings.identification.inclusion_register
    thresholds = settings.identification.thresholds.to_dict()
    register = "current" if which == "current" else "registered"
    eligible, registered = data["eligible"], data["registered"]
    parts = {
        "eligible_share": (eligible, None),
        "registered_share": (registered, None),
        f"inclusion_error_{which}": (data[register] * (1 - eligible), register),
        "exclusion_error": (eligible * (1 - registered), "eligible"),
        "wrongful_exit_rate": (data["exited"] * eligible, "exited"),
        "missed_rate": (eligible * (1 - registered), "_unregistered"),
    }
    ds = design.assign(_unregistered=1.0 - registered)
    sizes = data.groupby("township").size()
    tables = []
    for name, (numerator, denominator) in parts.items():
        table = ratio_by(ds.assign(_num=numerator.to_numpy()), "_num", denominator, "township", level=level)
        tables.append(table.assign(rate=name, threshold=thresholds.get(name)))
    out = domain_proportion_intervals(
        pd.concat(tables, ignore_index=True), method=settings.proportion_interval, design=design, level=level
    )
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


def unit_design(frame: pd.DataFrame, settings: IdentificationSettings) -> SurveyDesign:
    """Return the design counting persons (weight × household size) or households, as configured."""
    if settings.identification.fgt_unit == "persons":
        frame = frame.assign(**{WEIGHT: frame[WEIGHT] * frame["hh_size"]})
    return household_design(frame, lonely_psu=settings.lonely_psu)


def fgt_table(design: SurveyDesign, line: float, settings: IdentificationSettings) -> pd.DataFrame:
    """Return FGT P0, P1, P2 of per-capita income for all, registered and unregistered households
    (P0, a proportion, with the configured proportion interval)."""
    level, method = settings.level, settings.proportion_interval
    ds = design.assign(group=np.where(design.data["registered"] == 1, "registered", "unregistered"))
    rows = []
    for alpha in (0, 1, 2):
        overall = cast(Estimate, fgt("income_pc", line, alpha, design=ds, na_rm=True, level=level))
        estimates = [("all", overall)]
        by_group = cast(pd.DataFrame, fgt("income_pc", line, alpha, design=ds, by="group", na_rm=True, level=level))
        estimates += [(record["group"], estimate_from_row(record, f"P{alpha}")) for _, record in by_group.iterrows()]
        for group, estimate in estimates:
            if alpha == 0:
                estimate = proportion_interval(estimate, method=method, design=design)
            rows.append(({"group": group, "measure": f"P{alpha}", "alpha": alpha}, estimate))
    return estimate_table(rows).assign(line=line)


def alkire_foster_result(design: SurveyDesign, line: float, settings: IdentificationSettings) -> AlkireFosterResult:
    """Return the Alkire–Foster result over income and the 两不愁三保障 dimensions of the config.

    Achievements: per-capita income (deprived below the line) and, per item, 1 when it passes
    (deprived at 0). An unanswered item is a pass under ``missing_item: not_failed``; otherwise
    the household is left out. Relative dimension weights are normalised to sum to one.
    """
    options = settings.identification
    weights = options.alkire_foster.weights
    data = design.data
    columns, cutoffs = {}, {}
    for dimension in weights:
        if dimension == "income":
            columns["af_income"], cutoffs["af_income"] = data["income_pc"].to_numpy(), line
            continue
        fails = data[f"fails_{dimension}"] if f"fails_{dimension}" in data else pd.Series(np.nan, index=data.index)
        if options.missing_item == "not_failed":
            fails = fails.fillna(0.0)
        columns[f"af_{dimension}"], cutoffs[f"af_{dimension}"] = (1.0 - fails).to_numpy(), 1.0
    total = float(sum(weights.values()))
    share = {f"af_{d}": w / total for d, w in weights.items()}
    ds = design.assign(**columns)
    return alkire_foster(
        list(columns),
        cutoffs=cutoffs,
        weights=share,
        k=options.alkire_foster.k,
        design=ds,
        na_rm=True,
        level=settings.level,
    )


def causes_table(design: SurveyDesign, level: float) -> pd.DataFrame:
    """Return the distribution of recorded main causes of poverty among registered households."""
    data = design.data
    cause = data["poverty_cause"].astype("string").where(data["registered"] == 1)
    if cause.notna().sum() == 0:
        return pd.DataFrame(columns=["cause", "estimate", "se", "ci_low", "ci_high", "n"])
    table = cast(pd.DataFrame, design.assign(_cause=cause).proportion("_cause", na_rm=True, level=level))
    counts = cause.value_counts()
    table = table.rename(columns={"_cause": "cause"})
    table["n"] = table["cause"].map(counts).astype(int)
    return table.sort_values("estimate", ascending=False, kind="stable").reset_index(drop=True)


def registration_check(frame: pd.DataFrame, settings: IdentificationSettings) -> tuple[pd.DataFrame, list[str]]:
    """Return inclusion and exclusion errors of registration against baseline-year income alone.

    Registration happened around the baseline year (2014–15), so the register is also compared
    with recalled baseline per-capita income below that year's line.
    """
    year = settings.study.baseline_year
    line = settings.poverty_line(year)
    known = frame.loc[frame["income_pc_base"].notna()].reset_index(drop=True)
    if len(known) < settings.min_sample.households:
        return pd.DataFrame(), [f"registration check skipped: {len(known)} households report baseline income"]
    design = household_design(known, lonely_psu=settings.lonely_psu)
    poor = (known["income_pc_base"] < line).to_numpy(dtype=float)
    try:
        result = targeting_errors(known["registered"].to_numpy(), poor, design=design, level=settings.level)
    except StatsInputError as exc:
        return pd.DataFrame(), [f"registration check skipped: {exc}"]
    method = settings.proportion_interval
    rows = [
        (
            {"reference": f"income below the {year} line", "year": year, "line": line, "rate": name},
            proportion_interval(result.rates[name], method=method, design=design)
            if name != "kappa"
            else result.rates[name],
        )
        for name in ("inclusion_error", "exclusion_error", "accuracy", "kappa")
    ]
    return estimate_table(rows), []


# ---- the family ------------------------------------------------------------------------------


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
        Headline: eligible share, inclusion and exclusion errors, 错退率 and 漏评率 with their
        thresholds, accuracy, kappa, P0 of registered and unregistered households, M0 and H.
        Tables: ``rates``, ``by_township``, ``sensitivity``, ``fgt``, ``alkire_foster``,
        ``causes``, ``registration_check``.
    """
    result = FamilyResult("identification", settings.county, settings)
    options = settings.identification
    year = settings.study.survey_year
    line = settings.poverty_line(year)
    result.definitions = _definitions(options, line, year)
    result.poverty_lines = settings.lines_used([year, settings.study.baseline_year])
    lines = {year: line}
    frame, counts = identification_frame(required_table(tables, "households"), settings)
    result.sample = counts
    if len(frame) < settings.min_sample.households:
        result.status = "too_small"
        result.notes.append(
            f"{len(frame)} households usable for identification, fewer than the minimum "
            f"{settings.min_sample.households} (indicators.min_sample.households)"
        )
        return result
    design = household_design(frame, lonely_psu=settings.lonely_psu)
    # The rates read only the register columns: a design of those alone is copied far faster by
    # each estimate's assign (the township table and the line sensitivity take dozens of passes).
    register = household_design(frame[[*DESIGN_COLUMNS, *_REGISTER]], lonely_psu=settings.lonely_psu)
    failures = frame[[c for c in frame.columns if c.startswith("fails_")]].rename(columns=lambda c: c[6:])
    rates, notes = error_rates(register, frame["eligible"].to_numpy(), settings)
    result.notes += notes
    result.tables["rates"] = rates_table(rates, options.thresholds.to_dict())
    result.tables["by_township"] = township_table(register, settings)
    result.tables["sensitivity"] = sensitivity_curve(frame, register, failures.astype("boolean"), line, settings)
    persons = unit_design(frame, settings)
    result.tables["fgt"] = fgt_table(persons, line, settings)
    result.tables["causes"] = causes_table(design, settings.level)
    check, notes = registration_check(frame, settings)
    result.notes += notes
    if len(check):
        result.tables["registration_check"] = check
    min_n = settings.min_sample.group
    result.headline = _rate_headline(rates, options, min_n, lines) + _fgt_headline(
        result.tables["fgt"], options, min_n, lines
    )
    try:
        af = alkire_foster_result(persons, line, settings)
    except StatsInputError as exc:
        result.notes.append(f"Alkire-Foster index not computed: {exc}")
        result.headline.append(missing_row("af_m0", "多维贫困指数 M0", _AF_DEFINITION, str(exc)))
    else:
        result.tables["alkire_foster"] = af.to_frame()
        result.headline += [
            headline_row(
                "af_m0",
                "多维贫困指数 adjusted headcount ratio M0",
                af.M0,
                _AF_DEFINITION,
                min_n=min_n,
                poverty_lines=lines,
            ),
            headline_row(
                "af_h",
                "多维贫困发生率 multidimensional headcount H",
                proportion_interval(af.H, method=settings.proportion_interval, design=persons),
                _AF_DEFINITION,
                min_n=min_n,
                poverty_lines=lines,
            ),
        ]
    return result


_AF_DEFINITION = (
    "Alkire-Foster: deprived in income (per-capita income below the line) and in each failed "
    "两不愁三保障 item; poor when the weighted deprivation share reaches k; M0 = H x A"
)


def _rate_headline(
    rates: dict[str, Estimate], options: IdentificationOptions, min_n: int, lines: dict[int, float]
) -> list[dict[str, Any]]:
    names = [
        "eligible_share",
        f"inclusion_error_{options.inclusion_register}",
        "exclusion_error",
        "wrongful_exit_rate",
        "missed_rate",
        "accuracy",
        "kappa",
    ]
    rows = []
    for name in names:
        label, definition = RATES[name]
        public = "inclusion_error" if name.startswith("inclusion_error") else name
        if name not in rates:
            rows.append(missing_row(public, label, definition, "undefined in this sample (empty denominator)"))
            continue
        threshold = options.thresholds.to_dict()[name] if name in _THRESHOLD_RATES else None
        rows.append(
            headline_row(public, label, rates[name], definition, threshold=threshold, min_n=min_n, poverty_lines=lines)
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
        definition = f"FGT headcount: share of {unit} with per-capita income below the line, {group} households"
        if match.empty:
            rows.append(missing_row(f"p0_{group}", label, definition, f"no {group} household in the sample"))
            continue
        rows.append(
            headline_row(
                f"p0_{group}",
                label,
                estimate_from_row(match.iloc[0], f"p0_{group}"),
                definition,
                min_n=min_n,
                poverty_lines=lines,
            )
        )
    return rows


def _definitions(options: IdentificationOptions, line: float, year: int) -> dict[str, str]:
    items = list(options.items)  # printed as a list, as in the config
    criteria = {
        "income": f"per-capita income below {line:g} yuan ({year} line)",
        "items": f"failing any of the 两不愁三保障 items {items}",
        "income_or_items": f"per-capita income below {line:g} yuan ({year} line) or failing any of the "
        f"两不愁三保障 items {items}",
    }
    return {
        "eligible": f"eligible (符合贫困标准) = {criteria[options.eligibility]}; an unanswered item counts as "
        f"{options.missing_item.replace('_', ' ')}",
        "per_capita_income": "total income of the survey year ÷ household size"
        + (" (the sum of the four components when the total is missing)" if options.income_from_components else ""),
        "housing": f"housing is safe when its grade is one of {list(options.housing_safe_grades)} (C and D are 危房)",
        "registered": "registered (建档立卡) at any time; current register = registered and not exited",
        "wrongly_exited": "exited (脱贫) but eligible in the survey year",
        "inference": "design-based (townships strata, villages PSUs with FPC, survey weights), Taylor "
        "linearisation; t intervals on #PSU - #strata degrees of freedom",
        "sensitivity": "rates recomputed with the line multiplied by each factor of the sensitivity grid",
        "fgt_unit": f"FGT and Alkire-Foster indices count {options.fgt_unit}",
    }


FAMILY = IndicatorFamily(
    name="identification",
    title_en="Identification accuracy",
    title_zh="精准识别",
    question_en="Are the right households on the register, and were they exited correctly?",
    question_zh="贫困户识别和退出是否精准？",
    key_headlines=("wrongful_exit_rate", "missed_rate"),
    settings=IdentificationSettings,
    instruments=("households",),
    required=("households",),
    compute=identification_indicators,
    figures={
        "identification_errors": FigureSpec(
            ("identification",),
            "Identification error rates by county (95% CIs); dashed lines: the policy thresholds.",
            "各县识别误差率（95%置信区间）；虚线为政策阈值。",
            "identification_errors",
        ),
        "registration_eligibility": FigureSpec(
            ("identification",),
            "Registration against eligibility in the survey year: weighted shares of households.",
            "调查年度建档立卡与识别标准的对照：农户加权占比。",
            "registration_eligibility",
        ),
        "poverty_line_sensitivity": FigureSpec(
            ("identification",),
            "Error rates when the poverty line moves by ±30% (95% bands); dashed lines: thresholds.",
            "贫困线上下浮动30%时的误差率（95%置信带）；虚线为阈值。",
            "poverty_line_sensitivity",
        ),
    },
)

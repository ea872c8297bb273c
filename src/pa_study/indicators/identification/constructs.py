"""The constructs of identification: 两不愁三保障 failures, per-capita income before and after
transfers, eligibility, and the frame of households every estimate of the family is made on."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pa_study.codebook import INCOME_TOTALS
from pa_study.design import CALIBRATION_COLUMNS, DESIGN_COLUMNS
from pa_study.indicators.exits import EXIT_COHORT, exit_cohorts
from pa_study.indicators.identification.settings import IdentificationSettings
from pa_study.indicators.survey import as_float, household_size, per_member_sum

_INCOME_PARTS = INCOME_TOTALS["inc_total"]
#: Income components that are not transfers: pre-transfer income is their sum.
_MARKET_PARTS = [c for c in _INCOME_PARTS if c != "inc_transfer"]
#: Column of the identification frame: 1 for households in the family's domain (both eligibilities
#: and, if registered, the exit status known), 0 for the others, whose constructs are missing.
USABLE = "usable"
#: Optional household variables the frame carries when the county supplied them.
_OPTIONAL = ("exit_year", "registration_year", "income_at_exit_pc", "income_at_registration_pc", "recognises_exit")
#: The household columns :func:`item_failures` reads, whichever items count.
_ITEM_COLUMNS = (
    "food_secure",
    "clothing_secure",
    "child_out_of_school",
    "medical_insured",
    "housing_grade",
    "safe_water",
)


def household_columns(settings: IdentificationSettings) -> dict[str, list[str]]:
    """The household columns :func:`identification_frame` reads (the family reads no others): the
    design and calibration columns, township and village, register and exit status and the register's optional
    variables, household size, the main cause of poverty, the 两不愁三保障 items and the incomes of the
    survey and baseline years with their components."""
    incomes = [*INCOME_TOTALS] + [f"{part}{suffix}" for suffix in ("", "_base") for part in _INCOME_PARTS]
    named = [
        *DESIGN_COLUMNS,
        *CALIBRATION_COLUMNS,
        "township",
        "village",
        "registered",
        "exited",
        "hh_size",
        "hh_size_base",
        "poverty_cause",
    ]
    return {"households": [*named, *_ITEM_COLUMNS, *incomes, *_OPTIONAL]}


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

    ``suffix`` ``"_base"`` gives the baseline-year recall income per member of the baseline
    household (:func:`~pa_study.indicators.survey.household_size`). With ``from_components``, a
    missing total is replaced by the sum of its four components when all of them are known.
    """
    income = as_float(households[f"inc_total{suffix}"]) / household_size(households, suffix=suffix)
    if from_components:
        income = np.where(np.isnan(income), per_member_sum(households, _INCOME_PARTS, suffix=suffix), income)
    return income


def pre_transfer_income(households: pd.DataFrame, *, from_components: bool = True) -> np.ndarray:
    """Return per-capita income before transfers: total minus transfer income, per member.

    Transfer income (``inc_transfer``) holds every public transfer (subsidies, pensions, 低保), so
    this removes more than the poverty programme's own transfers, which the survey does not record
    apart. With ``from_components``, a missing total or transfer is replaced by the sum of wages,
    business and property income when all three are known.
    """
    size = as_float(households["hh_size"])
    income = (as_float(households["inc_total"]) - as_float(households["inc_transfer"])) / size
    if from_components:
        income = np.where(np.isnan(income), per_member_sum(households, _MARKET_PARTS), income)
    return income


def eligibility(
    income_pc: np.ndarray,
    failures: pd.DataFrame,
    line: float | np.ndarray,
    *,
    rule: str,
    missing_item: str,
    failing: pd.Series | None = None,
) -> pd.Series:
    """Return eligibility as a nullable boolean (``<NA>`` where it cannot be decided).

    Parameters
    ----------
    income_pc : ndarray
        Per-capita income (NaN unknown).
    failures : DataFrame
        :func:`item_failures`.
    line : float or ndarray
        Poverty line, yuan per person per year (one per household where each is judged against
        its own year's line); poor means strictly below it.
    rule : {"income_or_items", "income", "items"}
        Which criteria make a household eligible.
    missing_item : {"not_failed", "unknown"}
        Whether an unanswered item counts as passed or leaves eligibility open.
    failing : Series of bool, optional
        ``failures.eq(True).any(axis=1)`` (households with an item known to fail), when the caller
        has it already: it does not change with the income or the line judged.

    Returns
    -------
    Series
        Indexed like ``failures``. Combinations follow three-valued logic: an income-poor household
        is eligible whatever its items, a household failing an item whatever its income.
    """
    unknown = np.isnan(income_pc) | np.isnan(np.broadcast_to(np.asarray(line, dtype=float), income_pc.shape))
    poor = pd.Series(income_pc < line, index=failures.index, dtype="boolean").mask(unknown)
    fails = (failures.eq(True).any(axis=1) if failing is None else failing).astype("boolean")
    if missing_item == "unknown":
        # No known failure but an unanswered item: undecided.
        fails = fails.mask(~fails & failures.isna().any(axis=1))
    if rule == "income":
        return poor
    if rule == "items":
        return fails
    return poor | fails


def surely_eligible(income_pc: np.ndarray, failing: np.ndarray, line: float, *, rule: str) -> np.ndarray:
    """Return 1.0 where :func:`eligibility` is True and 0.0 where it is False or undecided.

    The same three-valued rule without building nullable Series, for a line that moves over fixed
    items (the sensitivity curve judges a census of a million households at every point of its grid):
    an undecided household is never True, whatever ``missing_item`` says.

    Parameters
    ----------
    income_pc : ndarray
        Per-capita income (NaN unknown: not poor by income).
    failing : ndarray of bool
        Households with an item known to fail (``failures.eq(True).any(axis=1)`` of :func:`eligibility`).
    line : float
        Poverty line; poor means strictly below it.
    rule : {"income_or_items", "income", "items"}
        As :func:`eligibility`.
    """
    poor = income_pc < line
    chosen = {"income": poor, "items": failing, "income_or_items": poor | failing}[rule]
    return chosen.astype(float)


def identification_frame(
    households: pd.DataFrame, settings: IdentificationSettings
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Return the households usable for identification, with the constructs as float columns.

    Columns: the design columns and the calibration columns where the county was calibrated (so that
    designs of the whole frame are raked to the register's counts), ``township``, ``village``,
    ``registered``, ``unregistered``, ``exited`` (0 for households never registered), ``current``
    (registered and not exited), ``persons`` (household size), ``income_pc`` (survey year, after
    transfers), ``income_pc_pre`` (before transfers), ``income_pc_base`` (baseline recall),
    ``below_standard`` (the exit standard of the survey year: income after transfers below the line,
    or an item failing), ``eligible_pre`` and ``eligible_post`` (the same rule on income before and
    after transfers), ``eligible`` (the one of them ``welfare`` chooses, which the targeting errors
    judge by), ``fails_any`` and one ``fails_<item>`` column per item, ``poverty_cause``, the
    optional register variables (``exit_year``, ``registration_year``, ``income_at_exit_pc``,
    ``income_at_registration_pc``, ``recognises_exit``; NaN where not supplied) and the
    ``exit_cohort`` (:func:`pa_study.indicators.exits.exit_cohorts`).

    A household is usable when both eligibilities are known and, if registered, its exit status.
    The usable households are the family's domain (``usable`` 1); the frame holds every household
    read, the others with their constructs missing (NaN; ``poverty_cause`` and ``exit_cohort``
    ``<NA>``), so designs built on it keep the whole sample and estimate on the domain (R's
    ``subset(design, usable == 1)``).

    Returns
    -------
    (DataFrame, dict)
        The frame (one row per household read) and the counts of households read and left out of
        the domain (by reason).
    """
    options = settings.identification
    year = settings.study.survey_year
    line = settings.poverty_line(year)
    income_pc = per_capita_income(households, from_components=options.income_from_components)
    income_pre = pre_transfer_income(households, from_components=options.income_from_components)
    failures = item_failures(households, list(options.items), list(options.housing_safe_grades))
    # Which households fail an item does not depend on the income judged: found once for both eligibilities.
    failing = failures.eq(True).any(axis=1)
    rule = {"rule": options.eligibility, "missing_item": options.missing_item, "failing": failing}
    post = eligibility(income_pc, failures, line, **rule)
    pre = eligibility(income_pre, failures, line, **rule)
    registered = households["registered"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    exited_answer = households["exited"].astype("boolean")
    exit_unknown = registered & exited_answer.isna().to_numpy()
    exited = registered & exited_answer.fillna(False).to_numpy(dtype=bool)
    frame = pd.DataFrame(
        {
            **{c: households[c] for c in DESIGN_COLUMNS},
            "township": households["township"],
            "village": households["village"],
            "registered": registered.astype(float),
            "unregistered": (~registered).astype(float),
            "exited": exited.astype(float),
            "current": (registered & ~exited).astype(float),
            "persons": as_float(households["hh_size"]),
            "income_pc": income_pc,
            "income_pc_pre": income_pre,
            "income_pc_base": per_capita_income(
                households, suffix="_base", from_components=options.income_from_components
            ),
            "below_standard": as_float(post),
            "eligible_post": as_float(post),
            "eligible_pre": as_float(pre),
            "eligible": as_float(pre if options.welfare == "pre_transfer" else post),
            "fails_any": failing.to_numpy(dtype=float),
            "poverty_cause": households["poverty_cause"],
        },
        index=households.index,
    )
    for item in failures.columns:
        frame[f"fails_{item}"] = as_float(failures[item])
    for column in _OPTIONAL:
        frame[column] = as_float(households[column]) if column in households else np.nan
    for column in CALIBRATION_COLUMNS:
        if column in households:
            frame[column] = households[column]
    cohorts = households.assign(registered=registered, exited=exited.astype(bool))
    frame[EXIT_COHORT] = exit_cohorts(cohorts, survey_year=year) if "exit_year" in households else pd.NA
    unknown = (post.isna() | pre.isna()).to_numpy()
    usable = ~unknown & ~exit_unknown
    counts = {
        "households_read": len(households),
        "eligibility_unknown": int(unknown.sum()),
        "exit_status_unknown": int((exit_unknown & ~unknown).sum()),
        "households_used": int(usable.sum()),
    }
    # Every sampled household stays in the frame, so that the design built on it keeps every
    # village (R's subset(design, ...), not a design of the rows left): a household outside the
    # family's domain has its constructs missing and drops out of each estimate's numerator and
    # denominator, with zero influence on the variance.
    constructs = [
        c for c in frame.columns if c not in (*DESIGN_COLUMNS, *CALIBRATION_COLUMNS, "township", "village", "persons")
    ]
    frame.loc[~usable, constructs] = np.nan
    frame[USABLE] = usable.astype(float)
    return frame.reset_index(drop=True), counts

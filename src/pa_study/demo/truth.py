"""Truths of a simulated county, computed on the full population (not the sample).

Identification rates use the study's default rule: a household is eligible in 2020 when its
per-capita total income is below 4,000 yuan or any 两不愁三保障 item fails (on pre-transfer income
for the targeting rates); each exit is judged by its own year's line.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from pa_study.demo.design import DesignScale
from pa_study.demo.profiles import (
    BASELINE_YEAR,
    INTERNATIONAL_LINES,
    MONITORING_THRESHOLD,
    NATIONAL_RURAL_MEDIAN,
    SURVEY_YEAR,
    VULNERABLE_BAND,
    CountyProfile,
    poverty_lines,
)

_POSITIVE_ITEMS = ("motiv_aspire_1", "motiv_aspire_2", "motiv_selfrely_1", "motiv_selfrely_2")
_REVERSE_ITEMS = ("motiv_wait", "motiv_rely", "motiv_ask")
_HOURS = ("paperwork", "meetings", "inspections", "fieldwork", "projects")


def ratio(numerator: np.ndarray, denominator: np.ndarray, size: np.ndarray | None = None) -> float | None:
    """Return ``sum(numerator & denominator) / sum(denominator)`` rounded, or ``None`` if empty; with
    ``size`` (persons per household) the sums count persons."""
    weight = np.ones(len(denominator)) if size is None else size
    total = float(np.sum(weight * denominator))
    return None if total == 0 else round(float(np.sum(weight * (numerator & denominator))) / total, 6)


def agreement(register: np.ndarray, eligible: np.ndarray) -> dict[str, float]:
    """Return the CGH/ADePT classification rates of a register against eligibility (households)."""
    everyone = np.ones(len(register), dtype=bool)
    p_o, p_r, p_e = (float(v.mean()) for v in (register == eligible, register, eligible))
    chance = p_r * p_e + (1 - p_r) * (1 - p_e)
    precision = ratio(eligible, register)
    recall = ratio(register, eligible)
    return {
        "eligible_share": ratio(eligible, everyone),
        "inclusion_error": ratio(~eligible, register),
        "exclusion_error": ratio(~register, eligible),
        "accuracy": round(p_o, 6),
        "precision": precision,
        "recall": recall,
        "f1": None if not precision or not recall else round(2 * precision * recall / (precision + recall), 6),
        "kappa": round((p_o - chance) / (1 - chance), 6),
    }


def identification_truths(pop: pd.DataFrame, frame: pd.DataFrame, county: str) -> dict[str, Any]:
    """Return the identification and exit truths of the whole population, by the study's estimands.

    Targeting (Coady-Grosh-Hoddinott / ADePT, households): the current register (registered, not
    exited) against eligibility in the survey year on pre-transfer (income minus transfers) and on
    post-transfer income, each with the 两不愁三保障 items. The exit evaluation (persons, post-transfer
    standard): 错退率 judges each exit by the income recorded for its exit year against that year's
    line (``wrongful_exit_rate``), or, as the study estimates it without the register's records, the
    latest exit cohort (exit year >= survey year - 1) by survey-year income against its exit year's
    line (``wrongful_exit_rate_latest_cohort``); the below-standard share of all exited now; relapse
    (met the standard at exit, below it now); 漏评率; 群众认可度 (registered households); 综合贫困发生率
    ((remaining registered + missed + wrongful rate x exited) / population). Registration: the
    income registration judged (the year before registration) against that year's line, and the
    baseline-year recall against the baseline line (2,855 yuan, Shandong's 3,372 for Yishui and
    Boxing). The older literal definitions are kept under their own names.
    """
    lines = poverty_lines(county)
    size = pop["hh_size"].to_numpy().astype(float)
    everyone = np.ones(len(pop), dtype=bool)
    registered = pop["registered"].to_numpy()
    eligible = pop["eligible"].to_numpy()
    exited = pop["exited"].to_numpy()
    current = registered & ~exited
    fails = ~pop["food_secure"].to_numpy() | ~pop["clothing_secure"].to_numpy() | ~pop["safe_water"].to_numpy()
    fails |= pop["child_out_of_school"].to_numpy() | ~pop["medical_insured"].to_numpy()
    fails |= pop["housing_grade"].isin(["c", "d"]).to_numpy()
    pc_now = pop["inc_total"].to_numpy() / size
    pc_pre = (pop["inc_total"].to_numpy() - pop["inc_transfer"].to_numpy()) / size
    eligible_pre = (pc_pre < lines[SURVEY_YEAR]) | fails
    exit_year = pop["exit_year"].to_numpy()
    exit_line = np.array([lines.get(int(y), np.nan) for y in exit_year])
    at_exit = pd.to_numeric(pop["income_at_exit_pc"]).to_numpy(dtype=float)
    wrong = exited & ((at_exit < exit_line) | fails)
    met = exited & ~wrong
    relapsed = met & eligible
    latest = exited & (exit_year >= SURVEY_YEAR - 1)
    wrong_latest = latest & ((pc_now < exit_line) | fails)
    missed = ~registered & eligible
    in_sampled = frame["sampled"].to_numpy()[pop["village_idx"].to_numpy()]
    baseline_poor = pop["inc_total_base"].to_numpy() / size < lines[BASELINE_YEAR]
    registration_year = pop["registration_year"].to_numpy()
    judged_line = np.array([lines.get(int(y) - 1, np.nan) for y in registration_year])
    judged = pd.to_numeric(pop["income_at_registration_pc"]).to_numpy(dtype=float)
    recognises = pop["recognises_exit"].to_numpy() == True  # noqa: E712 - None for the unregistered
    persons = float(size.sum())

    def incidence(rate: float | None) -> float:
        scaled = (rate or 0.0) * float(size[exited].sum())
        return round((float(size[current].sum()) + float(size[missed].sum()) + scaled) / persons, 6)

    latest_rate = ratio(wrong_latest, latest, size)
    return {
        "n_households": len(pop),
        "n_registered": int(registered.sum()),
        "registered_share": ratio(registered, everyone),
        "current_share": ratio(current, everyone),
        "eligible_rate": ratio(eligible, everyone),
        "income_poverty_rate": ratio(pop["income_poor"].to_numpy(), everyone),
        "targeting": {
            "pre_transfer": agreement(current, eligible_pre),
            "post_transfer": agreement(current, eligible),
        },
        "wrongful_exit_rate": ratio(wrong, exited, size),
        "wrongful_exit_rate_latest_cohort": latest_rate,
        "below_standard_exited": ratio(eligible, exited, size),
        "relapse_rate": ratio(relapsed, met, size),
        "missed_rate": ratio(eligible, ~registered, size),
        "missed_rate_households": ratio(eligible, ~registered),
        "missed_rate_sampled_villages": ratio(eligible, ~registered & in_sampled, size),
        "recognition_rate": ratio(recognises, registered),
        "poverty_incidence": incidence(ratio(wrong, exited, size)),
        "poverty_incidence_latest_cohort": incidence(latest_rate),
        "exit_cohorts": {
            str(year): {
                "n_exited_households": int((exited & (exit_year == year)).sum()),
                "wrongful_exit_rate": ratio(wrong, exited & (exit_year == year), size),
                "below_standard_exited": ratio(eligible, exited & (exit_year == year), size),
                "relapse_rate": ratio(relapsed, met & (exit_year == year), size),
            }
            for year in sorted({int(y) for y in exit_year[exited]})
        },
        "inclusion_error": ratio(~eligible, registered),
        "inclusion_error_not_exited": ratio(~eligible, current),
        "exclusion_error_never_registered": ratio(~registered, eligible),
        "exited_share_of_registered": ratio(exited, registered),
        "inclusion_error_at_registration_record": ratio(~(judged < judged_line), registered),
        "inclusion_error_at_registration_income": ratio(~baseline_poor, registered),
        "exclusion_error_at_registration_income": ratio(~registered, baseline_poor),
        "units": "exit-evaluation rates count persons (household size); targeting and recognition count households",
    }


#: Headline names of the monitoring family -> key path in :func:`monitoring_truths` (the recovery
#: tests and benchmarks/check_monitoring_coverage.py compare the two).
MONITORING_HEADLINES = {
    "below_threshold_share": "below_threshold_share",
    "monitored_share": "monitored_share",
    "monitoring_coverage_rate": "coverage_rate",
    "monitoring_inclusion_error": "inclusion_error",
    "exited_below_line_share": "exited_below_line_share",
    "exited_vulnerable_band_share": "exited_vulnerable_band_share",
    "median_income_pc": "median_income_pc",
    "relative_poverty_40_rate": "relative_poverty_40_rate",
    "relative_poverty_50_rate": "relative_poverty_50_rate",
    "national_relative_poverty_40_rate": "national_relative_poverty_40_rate",
    "national_relative_poverty_50_rate": "national_relative_poverty_50_rate",
    **{
        f"p0_{line}": f"international_lines/{line}/p0"
        for line in (
            "usd_2_15_ppp2017",
            "usd_3_65_ppp2017",
            "usd_6_85_ppp2017",
            "usd_3_00_ppp2021",
            "usd_4_20_ppp2021",
            "usd_8_30_ppp2021",
        )
    },
}


def monitoring_truths(pop: pd.DataFrame, county: str) -> dict[str, Any]:
    """Return the population values the monitoring family estimates (after 2020, 防返贫监测).

    Households: the monitoring list against per-capita total income below the 2020 threshold among
    households that have exited or were never registered (those still on the register are assisted
    as poor households, not monitored); exited households below the line and in the vulnerable band
    (line to 1.5 x line), by exit year and recorded cause. Persons (each household counts its
    members): relative poverty against the person-weighted median and the national rural median,
    FGT P0 and P1 at the international lines.
    """
    size = pop["hh_size"].to_numpy()
    income = pop["inc_total"].to_numpy() / size
    registered = pop["registered"].to_numpy()
    exited = pop["exited"].to_numpy()
    monitored = pop["monitored"].to_numpy()
    target = exited | ~registered
    below = income < MONITORING_THRESHOLD
    group = pop["monitoring_group"].to_numpy()
    listed_target = monitored & target
    by_group = {
        name: {
            "n_listed": int((group == name).sum()),
            "share_of_monitored": ratio(group == name, monitored),
            "below_threshold_share": ratio(below, group == name),
        }
        for name in ("unstable_exited", "marginal", "sudden_difficulty")
    }
    line = poverty_lines(county)[SURVEY_YEAR]
    poor = income < line
    band = ~poor & (income < VULNERABLE_BAND * line)
    cause = pop["poverty_cause"].to_numpy()
    heavy = np.isin(cause, ["illness", "disability"])
    year = pop["exit_year"].to_numpy()
    median = person_median(income, size)
    return {
        "threshold": MONITORING_THRESHOLD,
        "poverty_line": line,
        "target_population": "households that have exited or were never registered",
        "below_threshold_share": ratio(below, target),
        "monitored_share": ratio(monitored, target),
        "coverage_rate": ratio(monitored, target & below),
        "inclusion_error": ratio(~below, listed_target),
        "exclusion_error": ratio(~monitored, target & below),
        "by_group": by_group,
        "exited_below_line_share": ratio(poor, exited),
        "exited_vulnerable_band_share": ratio(band, exited),
        "exited_below_line_by_cohort": {str(y): ratio(poor, exited & (year == y)) for y in sorted(set(year[exited]))},
        "exited_below_line_by_cause": {str(c): ratio(poor, exited & (cause == c)) for c in sorted(set(cause[exited]))},
        "exited_below_line_share_difference_illness_disability": round(
            float(ratio(poor, exited & heavy) - ratio(poor, exited & ~heavy)), 6
        ),
        "unit_poverty_measures": "persons",
        "median_income_pc": median,
        "relative_poverty_40_rate": person_share(income < 0.4 * median, size),
        "relative_poverty_50_rate": person_share(income < 0.5 * median, size),
        "national_rural_median": NATIONAL_RURAL_MEDIAN,
        "national_relative_poverty_40_rate": person_share(income < 0.4 * NATIONAL_RURAL_MEDIAN, size),
        "national_relative_poverty_50_rate": person_share(income < 0.5 * NATIONAL_RURAL_MEDIAN, size),
        "international_lines": {
            name: {
                "line": round(line, 2),
                "p0": person_share(income < line, size),
                "p1": round(float(np.sum(size * np.clip(1 - income / line, 0, None)) / size.sum()), 6),
            }
            for name, line in INTERNATIONAL_LINES.items()
        },
    }


def person_median(income: np.ndarray, size: np.ndarray) -> float:
    """Return the median of per-capita income over persons: the smallest income reached by half of them."""
    order = np.argsort(income, kind="stable")
    cumulative = np.cumsum(size[order])
    return float(income[order][np.searchsorted(cumulative, 0.5 * cumulative[-1])])


def person_share(condition: np.ndarray, size: np.ndarray) -> float:
    """Return the share of persons in households meeting ``condition``."""
    return round(float(np.sum(size * condition) / size.sum()), 6)


def industry_truths(pop: pd.DataFrame, profile: CountyProfile) -> dict[str, Any]:
    """Return the planted and realised ATT of active participation on per-capita earned income.

    The realised ATT is the mean, over active participants of the population, of observed minus
    counterfactual per-capita earned income (wages + business); also among registered active
    participants, and on the log (floored at 100 yuan, the study's default ``log_floor``). Also
    given: the naive 2020 difference and the population difference-in-differences in nominal yuan,
    both against all households not actively participating (dividend-only households included);
    the demo plants parallel trends in nominal yuan, which neither the log nor the constant-price
    difference in differences of the study assumes.
    """
    size = pop["hh_size"].to_numpy()
    active = pop["active"].to_numpy()
    registered = pop["registered"].to_numpy()
    earned = (pop["inc_wage"].to_numpy() + pop["inc_business"].to_numpy()) / size
    earned_base = (pop["inc_wage_base"].to_numpy() + pop["inc_business_base"].to_numpy()) / size
    change = earned - earned_base
    counterfactual = pop["earned_cf_pc"].to_numpy()
    log_effect = np.log(np.maximum(earned, 100.0)) - np.log(np.maximum(counterfactual, 100.0))
    return {
        "att_planted": profile.att,
        "att_realised": round(float(pop["effect_pc"].to_numpy()[active].mean()), 3),
        "att_realised_registered": round(float(pop["effect_pc"].to_numpy()[active & registered].mean()), 3),
        "att_log_realised": round(float(log_effect[active].mean()), 6),
        "n_active_participants": int(active.sum()),
        "n_participants": int(pop["project_participant"].sum()),
        "n_dividend_only": int((pop["project_type"] == "dividend_only").sum()),
        "naive_difference_2020": round(float(earned[active].mean() - earned[~active].mean()), 3),
        "did_population": round(float(change[active].mean() - change[~active].mean()), 3),
        "outcome": "per-capita earned income (inc_wage + inc_business) / hh_size, yuan",
        "treatment": "project_participant and project_type != dividend_only",
    }


def capability_truths(pop: pd.DataFrame, profile: CountyProfile) -> dict[str, Any]:
    """Return the registered-minus-unregistered difference in drive and in the motivation items."""
    registered = pop["registered"].to_numpy()
    drive = pop["drive"].to_numpy()
    pooled_sd = np.sqrt(
        (
            drive[registered].var(ddof=1) * (registered.sum() - 1)
            + drive[~registered].var(ddof=1) * ((~registered).sum() - 1)
        )
        / (len(drive) - 2)
    )
    positive = pop[list(_POSITIVE_ITEMS)].to_numpy().mean(axis=1)
    reverse = pop[list(_REVERSE_ITEMS)].to_numpy().mean(axis=1)
    recoded = (
        pop[list(_POSITIVE_ITEMS)].to_numpy().sum(axis=1) + (6 - pop[list(_REVERSE_ITEMS)].to_numpy()).sum(axis=1)
    ) / 7

    def gap(values: np.ndarray) -> float:
        return round(float(values[registered].mean() - values[~registered].mean()), 6)

    return {
        "drive_gap_planted_sd": profile.drive_gap,
        "drive_gap_realised_sd": round(float(gap(drive) / pooled_sd), 6),
        "items_mean7_reverse_recoded_gap": gap(recoded),
        "items_positive_minus_reverse_gap": gap(positive - reverse),
        "definition": "registered minus unregistered; reverse items recoded as 6 - x in the 7-item mean",
    }


def burden_truths(cadres: pd.DataFrame) -> dict[str, Any]:
    """Return the mean over cadres of each activity's share of weekly hours."""
    total = cadres["hours_total"].to_numpy()
    shares = {h: cadres[f"hours_{h}"].to_numpy() / total for h in _HOURS}
    result = {f"share_{h}": round(float(s.mean()), 6) for h, s in shares.items()}
    result["share_formalism"] = round(
        float((shares["paperwork"] + shares["meetings"] + shares["inspections"]).mean()), 6
    )
    result["n_cadres"] = len(cadres)
    return result


def project_truths(
    ledger: pd.DataFrame, pop: pd.DataFrame, n_villages: int, unreadable: dict[str, set[int]]
) -> dict[str, Any]:
    """Return the ledger's status shares and size, its fund-use figures and the paper linkage.

    The ledger is a census: its figures are exact, computed over the projects whose cells the
    injected mess left readable (``unreadable``: column -> ledger rows written as a missing code),
    as the family computes them from the cleaned ledger. Paper linkage sets the ledger's linked poor
    households (failed projects keep the number they claimed) against the population's registered
    households taking part in a project, both per village of the frame.
    """
    counts = Counter(ledger["status"])

    def readable(column: str) -> np.ndarray:
        values = ledger[column].to_numpy(dtype=float).copy()
        values[sorted(unreadable.get(column, set()))] = np.nan
        return values

    investment, linked = readable("fiscal_investment"), readable("linked_poor_households")
    jobs, dividends = readable("jobs_created"), readable("dividends_paid")

    def per(numerator: np.ndarray, denominator: np.ndarray) -> float:
        both = ~np.isnan(numerator) & ~np.isnan(denominator)
        return round(float(numerator[both].sum() / denominator[both].sum()), 6)

    stopped = ledger["status"].isin(["suspended", "failed"]).to_numpy(dtype=float)
    known = investment[~np.isnan(investment)]
    top = int(np.ceil(0.1 * len(known)))
    age = SURVEY_YEAR - ledger["start_year"].to_numpy()
    operating = (ledger["status"] == "operating").to_numpy()
    ledger_linked = float(np.nansum(linked))
    participants = float((pop["project_participant"] & pop["registered"]).sum())
    return {
        "n_projects": len(ledger),
        "status_shares": {s: round(counts[s] / len(ledger), 6) for s in ("operating", "suspended", "failed")},
        "investment_per_linked_household": per(investment, linked),
        "investment_per_job": per(investment, jobs),
        "dividends_per_yuan_invested": per(dividends, investment),
        "dividends_per_linked_household": per(dividends, linked),
        "investment_share_suspended_failed": per(investment * stopped, investment),
        "top10_investment_share": round(float(np.sort(known)[::-1][:top].sum() / known.sum()), 6),
        "operating_share_by_years_since_start": {
            str(a): round(float(operating[age == a].mean()), 6) for a in sorted(set(age))
        },
        "n_villages": n_villages,
        "ledger_linked_per_village": round(ledger_linked / n_villages, 6),
        "registered_participants_per_village": round(participants / n_villages, 6),
        "paper_linkage_gap_per_village": round((ledger_linked - participants) / n_villages, 6),
        "paper_only_linkage_share": round(1 - participants / ledger_linked, 6),
        "claimed_by_failed_projects": int(ledger.loc[ledger["status"] == "failed", "linked_poor_households"].sum()),
    }


def design_truths(frame: pd.DataFrame, pop_size: int, weights: np.ndarray, scale: DesignScale) -> dict[str, Any]:
    """Return the design: townships, villages, sampled counts and the sum of true weights (a census
    is marked ``census: true``; its take per village is null and every weight is 1)."""
    townships = [
        {
            "township": str(g["township"].iloc[0]),
            "n_villages": len(g),
            "n_sampled_villages": int(g["sampled"].sum()),
            "n_households": int(g["n_households"].sum()),
        }
        for _, g in frame.groupby("township_no", sort=True)
    ]
    design = {
        "households_per_county_requested": scale.households_per_county,
        "per_village_take_per_status": None if scale.census else scale.per_village_take,
        "n_townships": len(townships),
        "n_villages": len(frame),
        "n_sampled_villages": int(frame["sampled"].sum()),
        "n_population_households": pop_size,
        "n_sampled_households": len(weights),
        "sum_of_design_weights": round(float(weights.sum()), 6),
        "townships": townships,
        "weight_formula": "(villages in township / sampled villages in township) * (households of the "
        "registration status in village / sampled households of that status in village)",
    }
    if scale.census:
        design["census"] = True
    return design

"""Truths of a simulated county, computed on the full population (not the sample).

Identification rates use the study's default rule: a household is eligible in 2020 when its
per-capita total income is below 4,000 yuan or any 两不愁三保障 item fails.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from pa_study.demo.design import DesignScale
from pa_study.demo.profiles import BASELINE_YEAR, CountyProfile, poverty_lines

_POSITIVE_ITEMS = ("motiv_aspire_1", "motiv_aspire_2", "motiv_selfrely_1", "motiv_selfrely_2")
_REVERSE_ITEMS = ("motiv_wait", "motiv_rely", "motiv_ask")
_HOURS = ("paperwork", "meetings", "inspections", "fieldwork", "projects")


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> float | None:
    """Return ``sum(numerator & denominator) / sum(denominator)`` rounded, or ``None`` if empty."""
    total = int(np.sum(denominator))
    return None if total == 0 else round(float(np.sum(numerator & denominator)) / total, 6)


def identification_truths(pop: pd.DataFrame, frame: pd.DataFrame, county: str) -> dict[str, Any]:
    """Return eligibility, inclusion/exclusion errors, 错退率 and 漏评率 of the whole population.

    Besides the literal definitions, returns the inclusion error among registered households that
    have not exited (the literal one counts every correctly exited household as an inclusion error),
    and income-only errors at registration (baseline-year per-capita total income against the county's
    line of that year: 2,855 yuan, or Shandong's 3,372 for Yishui and Boxing).
    """
    registered = pop["registered"].to_numpy()
    eligible = pop["eligible"].to_numpy()
    exited = pop["exited"].to_numpy()
    in_sampled = frame["sampled"].to_numpy()[pop["village_idx"].to_numpy()]
    line = poverty_lines(county)[BASELINE_YEAR]
    baseline_poor = pop["inc_total_base"].to_numpy() / pop["hh_size"].to_numpy() < line
    return {
        "n_households": len(pop),
        "n_registered": int(registered.sum()),
        "registered_share": ratio(registered, np.ones_like(registered)),
        "eligible_rate": ratio(eligible, np.ones_like(eligible)),
        "income_poverty_rate": ratio(pop["income_poor"].to_numpy(), np.ones_like(eligible)),
        "inclusion_error": ratio(~eligible, registered),
        "inclusion_error_not_exited": ratio(~eligible, registered & ~exited),
        "exclusion_error": ratio(~registered, eligible),
        "exited_share_of_registered": ratio(exited, registered),
        "wrongful_exit_rate": ratio(eligible, exited),
        "missed_rate": ratio(eligible, ~registered),
        "missed_rate_sampled_villages": ratio(eligible, ~registered & in_sampled),
        "inclusion_error_at_registration_income": ratio(~baseline_poor, registered),
        "exclusion_error_at_registration_income": ratio(~registered, baseline_poor),
    }


def industry_truths(pop: pd.DataFrame, profile: CountyProfile) -> dict[str, Any]:
    """Return the planted and realised ATT of active participation on per-capita earned income.

    The realised ATT is the mean, over active participants of the population, of observed minus
    counterfactual per-capita earned income (wages + business). Also given: the naive 2020
    difference and the population difference-in-differences, both against all households not
    actively participating (dividend-only households included).
    """
    size = pop["hh_size"].to_numpy()
    active = pop["active"].to_numpy()
    earned = (pop["inc_wage"].to_numpy() + pop["inc_business"].to_numpy()) / size
    earned_base = (pop["inc_wage_base"].to_numpy() + pop["inc_business_base"].to_numpy()) / size
    change = earned - earned_base
    return {
        "att_planted": profile.att,
        "att_realised": round(float(pop["effect_pc"].to_numpy()[active].mean()), 3),
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


def project_truths(ledger: pd.DataFrame) -> dict[str, Any]:
    """Return the ledger's status shares and size."""
    counts = Counter(ledger["status"])
    return {
        "n_projects": len(ledger),
        "status_shares": {s: round(counts[s] / len(ledger), 6) for s in ("operating", "suspended", "failed")},
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

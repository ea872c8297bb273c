"""Simulation of a county's full household population with its planted truths.

Causal order (what each step may depend on):

1. demographics and skills (pre-programme);
2. baseline-year (2015) incomes from demographics and a village effect;
3. registration (建档立卡) by village quota from baseline poverty plus appraisal noise;
4. the latent "drive" (lower among registered households by a planted gap);
5. industrial-project participation from observables only (registration, labour, schooling, age,
   skill, village) — so selection is on observables;
6. survey-year (2020) incomes: baseline earned income plus a common trend plus noise (parallel
   trends in levels), plus the planted effect for active participants; dividends go to property
   income only;
7. 两不愁三保障 items and true eligibility;
8. exits among registered households, with a planted share of exited households below the standard
   in the survey year;
9. monitoring, poverty causes, capability and contact items (the monitoring group of each monitored
   household is drawn apart, :func:`monitoring_groups`);
10. the register's records: the per-capita income registration judged (the year before
    registration) and the income of the exit year, read off each household's income path (drawn
    after step 6 from its own random stream);
11. the household's size and labour in the baseline year as recalled (the composition of step 1,
    which does not change in the demo).

Income components are whole multiples of 10 yuan and add up exactly to the totals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pa_study.demo.profiles import (
    ACTIVE_TYPES,
    BASELINE_YEAR,
    NATIONAL_LINES,
    POVERTY_LINE,
    SURVEY_YEAR,
    CountyProfile,
    poverty_lines,
)

# Relative size of the per-capita effect by project type (normalised to the county's mix).
_EFFECT_BY_TYPE = {
    "planting": 0.8,
    "livestock": 0.9,
    "workshop": 1.3,
    "ecommerce": 1.2,
    "photovoltaic": 0.4,
    "tourism": 1.0,
}
# Share of a project's effect that arrives as wages (the rest is household business income).
_WAGE_SHARE_BY_TYPE = {
    "planting": 0.0,
    "livestock": 0.0,
    "workshop": 1.0,
    "ecommerce": 0.3,
    "photovoltaic": 1.0,
    "tourism": 0.5,
}
_DAYS_BY_TYPE = {
    "planting": (20, 90),
    "livestock": (60, 200),
    "workshop": (120, 280),
    "ecommerce": (60, 240),
    "photovoltaic": (5, 30),
    "tourism": (30, 150),
}
_FAILURE_ITEMS = ("medical_insured", "housing", "safe_water", "child_out_of_school", "food_secure", "clothing_secure")
_FAILURE_ITEM_P = np.array([0.36, 0.3, 0.2, 0.08, 0.03, 0.03])
_CAUSES = ("illness", "disability", "lack_labour", "lack_skills", "lack_funds", "disaster", "schooling", "other")
_HOUSEHOLD_SIZE_P = np.array([0.09, 0.22, 0.2, 0.21, 0.14, 0.09, 0.04, 0.01])
# Nominal growth of per-capita income before the baseline year, carrying incomes back to the years
# registration judged (2013-2014): round, near the national rural income growth of those years.
_GROWTH_BEFORE_BASELINE = 0.09
# Spread (log points) of a year's per-capita income around its path.
_PATH_NOISE = 0.12


def expit(x: np.ndarray) -> np.ndarray:
    """Return the logistic function of ``x``."""
    return 1.0 / (1.0 + np.exp(-x))


def logit(p: float) -> float:
    """Return the log-odds of probability ``p``."""
    return float(np.log(p / (1.0 - p)))


def round10(x: np.ndarray) -> np.ndarray:
    """Return ``x`` rounded to whole multiples of 10 yuan, as int64."""
    return (np.rint(np.asarray(x, dtype=float) / 10.0) * 10).astype(np.int64)


def weighted_pick(weights: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Return the positions of ``k`` items drawn without replacement with probability ~ ``weights``.

    Uses Efraimidis-Spirakis keys (``u ** (1 / w)``), which is exact and vectorised.
    """
    if k <= 0:
        return np.array([], dtype=np.int64)
    keys = np.log(rng.random(len(weights))) / np.maximum(weights, 1e-12)
    return np.argsort(-keys, kind="stable")[:k]


def categorical(p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Return one category index per row of the probability (or weight) matrix ``p``."""
    cumulative = np.cumsum(p, axis=1)
    u = rng.random(len(p)) * cumulative[:, -1]
    return (cumulative < u[:, None]).sum(axis=1)


def within_group_rank(group: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Return each item's 0-based rank by descending ``key`` within its ``group``."""
    order = np.lexsort((-key, group))
    ordered = group[order]
    rank = np.empty(len(group), dtype=np.int64)
    rank[order] = np.arange(len(group)) - np.searchsorted(ordered, ordered, side="left")
    return rank


def simulate_population(
    profile: CountyProfile,
    frame: pd.DataFrame,
    ledger: pd.DataFrame,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Return every household of the county with true attributes and latent truths.

    Parameters
    ----------
    profile : CountyProfile
        The county's planted parameters.
    frame : pandas.DataFrame
        Village frame (:func:`pa_study.demo.design.build_frame`).
    ledger : pandas.DataFrame
        Project ledger skeleton (:func:`pa_study.demo.ledgers.project_ledger`).
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    pandas.DataFrame
        One row per household: codebook variables under their canonical names (semantic values:
        bools, canonical category codes, integers; ``NaN``/``None`` where skipped) plus latent
        columns (``village_idx``, ``drive``, ``eligible``, ``earned_cf_pc``, ``effect_pc``, ...).
    """
    village_idx = np.repeat(np.arange(len(frame)), frame["n_households"].to_numpy())
    pop = pd.DataFrame({"village_idx": village_idx})
    pop = pop.assign(**demographics(len(pop), rng))
    pop = pop.assign(**baseline_incomes(pop, frame, profile, rng))
    pop = pop.assign(**registration(pop, frame, profile, rng))
    pop = pop.assign(**capability(pop, profile, rng))
    pop = pop.assign(**participation(pop, frame, profile, ledger, rng))
    pop = pop.assign(**survey_year_incomes(pop, profile, rng))
    # The income paths have their own stream, so that they move nothing drawn after them.
    pop = pop.assign(**income_paths(pop, np.random.default_rng(np.random.SeedSequence([profile.seed, 2]))))
    pop = pop.assign(**two_assurances(pop, profile, rng))
    pop = pop.assign(**exits(pop, profile, rng))
    pop = pop.assign(**monitoring_and_causes(pop, profile, rng))
    pop = pop.assign(**contact(pop, profile, rng))
    pop = pop.assign(**register_records(pop))
    return pop.assign(**baseline_composition(pop))


def demographics(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Return household size, head characteristics, labour, members' conditions and skills."""
    size = rng.choice(np.arange(1, 9), size=n, p=_HOUSEHOLD_SIZE_P)
    age = np.clip(np.rint(rng.normal(54.0, 12.0, n) + 8.0 * (size == 1)), 20, 95).astype(np.int64)
    male = rng.random(n) < np.where(size == 1, 0.55, 0.87)
    schooling = np.clip(np.rint(rng.normal(9.0 - 0.09 * (age - 50), 2.8)), 0, 16).astype(np.int64)
    labour = rng.binomial(size, np.clip(0.72 - 0.015 * np.maximum(age - 55, 0), 0.03, 0.9))
    students = rng.binomial(size - labour, 0.35)
    disabled = rng.binomial(size, 0.03)
    chronic = rng.binomial(size, np.clip(0.05 + 0.003 * (age - 50), 0.01, 0.3))
    has_skill = rng.random(n) < expit(-0.6 + 0.25 * (schooling - 8) - 0.04 * (age - 50))
    migrant = (labour > 0) & (rng.random(n) < expit(-0.5 + 0.35 * labour - 0.05 * (age - 50)))
    # Head (and usually the spouse) draw the rural pension from 60.
    elderly = (age >= 60) * (1 + ((size >= 2) & (rng.random(n) < 0.75)))
    return {
        "hh_size": size,
        "head_age": age,
        "head_sex": np.where(male, "male", "female"),
        "head_schooling": schooling,
        "labour_count": labour,
        "n_students": students,
        "n_disabled": disabled,
        "n_chronic": chronic,
        "has_skill": has_skill,
        "migrant_work": migrant,
        "n_elderly": elderly,
    }


def baseline_incomes(
    pop: pd.DataFrame, frame: pd.DataFrame, profile: CountyProfile, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Return the 2015 income components, total, per-capita earned income and the wage share."""
    n = len(pop)
    size = pop["hh_size"].to_numpy()
    labour = pop["labour_count"].to_numpy()
    log_earned = (
        profile.baseline_log_earned
        + frame["income_effect"].to_numpy()[pop["village_idx"].to_numpy()]
        + 0.9 * (labour / size - 0.5)
        + 0.05 * (pop["head_schooling"].to_numpy() - 8)
        + 0.25 * pop["has_skill"].to_numpy()
        + 0.35 * pop["migrant_work"].to_numpy()
        - 0.35 * (pop["n_disabled"].to_numpy() > 0)
        - 0.2 * (pop["n_chronic"].to_numpy() > 0)
        - 0.01 * np.maximum(pop["head_age"].to_numpy() - 60, 0)
        + rng.normal(0.0, 0.55, n)
    )
    earned_pc = np.exp(log_earned)
    wage_share = expit(-0.6 + 2.0 * pop["migrant_work"].to_numpy() + 0.1 * (pop["head_schooling"].to_numpy() - 8))
    wage_share = wage_share * (labour > 0)
    wage = round10(wage_share * earned_pc * size)
    business = round10(earned_pc * size) - wage
    prop = round10((rng.random(n) < 0.3) * rng.uniform(200, 2500, n))
    transfer = round10(100 * size + 840 * pop["n_elderly"].to_numpy() + rng.uniform(0, 300, n))
    return {
        "inc_wage_base": wage,
        "inc_business_base": business,
        "inc_property_base": prop,
        "inc_transfer_base": transfer,
        "inc_total_base": wage + business + prop + transfer,
        "earned_base_pc_latent": earned_pc,
        "wage_share": wage_share,
    }


def registration(
    pop: pd.DataFrame, frame: pd.DataFrame, profile: CountyProfile, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Return registration (top of each village's quota by a noisy poverty score) and its year."""
    n = len(pop)
    village_idx = pop["village_idx"].to_numpy()
    pc_total = np.maximum(pop["inc_total_base"].to_numpy() / pop["hh_size"].to_numpy(), 200.0)
    score = (
        -np.log(pc_total)
        + 0.25 * (pop["n_disabled"].to_numpy() > 0)
        + 0.25 * (pop["n_chronic"].to_numpy() > 0)
        + rng.normal(0.0, profile.appraisal_noise, n)
    )
    sizes = frame["n_households"].to_numpy()
    quota = np.maximum(1, np.rint(frame["registration_rate"].to_numpy() * sizes)).astype(np.int64)
    registered = within_group_rank(village_idx, score) < quota[village_idx]
    years = np.arange(2014, 2020)
    year = rng.choice(years, size=n, p=[0.7, 0.1, 0.12, 0.04, 0.03, 0.01])
    return {"registered": registered, "registration_year": np.where(registered, year, -1)}


def capability(pop: pd.DataFrame, profile: CountyProfile, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Return the latent drive, the seven motivation items, training and microcredit use.

    The drive is N(0, 1) within groups, shifted by ``drive_gap`` for registered households; positive
    items load on it, the reverse-worded 等/靠/要 items load on its negative.
    """
    n = len(pop)
    registered = pop["registered"].to_numpy()
    drive = profile.drive_mean + profile.drive_gap * registered + rng.normal(0.0, 1.0, n)
    items: dict[str, np.ndarray] = {}
    for name, sign in (
        ("motiv_aspire_1", 1),
        ("motiv_aspire_2", 1),
        ("motiv_selfrely_1", 1),
        ("motiv_selfrely_2", 1),
        ("motiv_wait", -1),
        ("motiv_rely", -1),
        ("motiv_ask", -1),
    ):
        items[name] = np.clip(np.rint(3.2 + sign * 0.9 * drive + rng.normal(0.0, 0.7, n)), 1, 5).astype(np.int64)
    training_mean = np.exp(np.log(0.6) + 1.0 * registered + 0.25 * drive + 0.3 * pop["has_skill"].to_numpy())
    credit_p = np.where(registered, profile.microcredit_registered, profile.microcredit_registered / 15)
    return {
        "drive": drive,
        **items,
        "training_sessions": np.minimum(rng.poisson(training_mean), 100),
        "microcredit": rng.random(n) < credit_p,
    }


def participation(
    pop: pd.DataFrame,
    frame: pd.DataFrame,
    profile: CountyProfile,
    ledger: pd.DataFrame,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Return project participation, type, project id, days, income and the planted effect.

    Participation and the active/dividend split depend on observables only. The effect of active
    participation on per-capita earned income is ``att`` times a type factor (normalised so the
    county's mix averages one) times a Gamma(4, 1/4) household factor.
    """
    n = len(pop)
    registered = pop["registered"].to_numpy()
    labour = pop["labour_count"].to_numpy()
    age = pop["head_age"].to_numpy()
    has_skill = pop["has_skill"].to_numpy()
    village_effect = rng.normal(0.0, 0.4, len(frame))[pop["village_idx"].to_numpy()]
    base = np.where(registered, logit(profile.participation_registered), logit(profile.participation_unregistered))
    p_join = expit(
        base
        + 0.25 * (labour - 2)
        + 0.06 * (pop["head_schooling"].to_numpy() - 8)
        - 0.02 * (age - 55)
        + 0.4 * has_skill
        + village_effect
    )
    participant = rng.random(n) < p_join
    p_dividend = expit(logit(profile.dividend_share) - 0.6 * (labour - 1.5) + 0.04 * (age - 60) - 0.5 * has_skill)
    dividend = participant & (rng.random(n) < p_dividend)
    active = participant & ~dividend

    mix = np.array([profile.project_type_mix[t] for t in ACTIVE_TYPES])
    type_index = rng.choice(len(ACTIVE_TYPES), size=n, p=mix / mix.sum())
    kinds = np.array(ACTIVE_TYPES, dtype=object)[type_index]
    kinds = np.where(dividend, "dividend_only", kinds)
    kinds = np.where(participant, kinds, None)

    factor = np.array([_EFFECT_BY_TYPE[t] for t in ACTIVE_TYPES])
    normalised = factor / float(mix @ factor / mix.sum())
    effect_pc = np.where(active, profile.att * normalised[type_index] * rng.gamma(4.0, 0.25, n), 0.0)
    effect_hh = effect_pc * pop["hh_size"].to_numpy()
    wage_part = np.array([_WAGE_SHARE_BY_TYPE[t] for t in ACTIVE_TYPES])[type_index]
    effect_wage = round10(effect_hh * wage_part)
    effect_business = round10(effect_hh) - effect_wage

    low = np.array([_DAYS_BY_TYPE[t][0] for t in ACTIVE_TYPES])[type_index]
    high = np.array([_DAYS_BY_TYPE[t][1] for t in ACTIVE_TYPES])[type_index]
    days = np.where(active, rng.integers(low, high + 1), np.where(dividend, 0, -1))
    gross = round10(effect_hh * rng.uniform(1.2, 1.8, n))
    dividend_amount = round10(rng.uniform(300, 1500, n))
    project_income = np.where(active, gross, np.where(dividend, dividend_amount, -1))
    township_no = frame["township_no"].to_numpy()[pop["village_idx"].to_numpy()]
    return {
        "project_participant": participant,
        "project_type": kinds,
        "project_id": assign_projects(kinds, township_no, ledger, rng),
        "project_days": days,
        "project_income": project_income,
        "active": active,
        "effect_pc": (effect_wage + effect_business) / pop["hh_size"].to_numpy(),
        "effect_wage": effect_wage,
        "effect_business": effect_business,
    }


def assign_projects(
    kinds: np.ndarray, township_no: np.ndarray, ledger: pd.DataFrame, rng: np.random.Generator
) -> np.ndarray:
    """Return a ledger project id for each participant: a running project of its type, in its
    township when there is one, else anywhere in the county (``None`` for non-participants)."""
    running = ledger[ledger["status"] != "failed"]
    ids = np.full(len(kinds), None, dtype=object)
    members = np.flatnonzero(pd.notna(kinds))
    groups = (
        pd.DataFrame({"kind": kinds[members], "township": township_no[members]})
        .groupby(["kind", "township"], sort=True)
        .indices
    )
    for (kind, t_no), positions in groups.items():
        of_kind = running[running["project_type"] == kind]
        local = of_kind[of_kind["township_no"] == t_no]
        pool = (local if len(local) else of_kind)["project_id"].to_numpy()
        ids[members[positions]] = pool[rng.integers(len(pool), size=len(positions))]
    return ids


def survey_year_incomes(pop: pd.DataFrame, profile: CountyProfile, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Return the 2020 income components and totals, and the counterfactual earned income.

    Earned income without the programme grows by a common amount plus noise independent of
    participation (parallel trends in levels); active participants add their effect on top.
    """
    n = len(pop)
    size = pop["hh_size"].to_numpy()
    registered = pop["registered"].to_numpy()
    earned_cf = (
        pop["earned_base_pc_latent"].to_numpy() + profile.earned_growth + rng.normal(0.0, profile.growth_noise, n)
    ) * size
    wage_cf = round10(np.maximum(pop["wage_share"].to_numpy() * earned_cf, 0.0))
    business_cf = round10(earned_cf) - wage_cf
    wage = wage_cf + pop["effect_wage"].to_numpy()
    business = business_cf + pop["effect_business"].to_numpy()
    dividend = np.where(pop["project_type"].to_numpy() == "dividend_only", pop["project_income"].to_numpy(), 0)
    prop = round10(pop["inc_property_base"].to_numpy() * rng.uniform(1.0, 1.6, n)) + dividend
    no_labour = (pop["labour_count"].to_numpy() == 0) | (pop["n_disabled"].to_numpy() > 0)
    # 低保 (minimum living guarantee) covers many registered and some unregistered households without labour.
    dibao = no_labour & (rng.random(n) < np.where(registered, 0.6, 0.3))
    transfer = round10(
        180 * size
        + 1300 * pop["n_elderly"].to_numpy()
        + registered * profile.registered_transfer * size * rng.uniform(0.5, 1.5, n)
        + dibao * 3600 * size
    )
    return {
        "inc_wage": wage,
        "inc_business": business,
        "inc_property": prop,
        "inc_transfer": transfer,
        "inc_total": wage + business + prop + transfer,
        "earned_cf_pc": (wage_cf + business_cf) / size,
    }


def two_assurances(pop: pd.DataFrame, profile: CountyProfile, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Return the 两不愁三保障 items and true eligibility (income below the line or any failure).

    Registered households fail one item with probability ``registered_item_failure``. Among
    unregistered households, failures are given to enough households that are not income-poor
    to bring the share eligible among the unregistered to ``missed_rate_target`` (when income
    poverty alone stays below it).
    """
    n = len(pop)
    registered = pop["registered"].to_numpy()
    pc_total = pop["inc_total"].to_numpy() / pop["hh_size"].to_numpy()
    income_poor = pc_total < POVERTY_LINE
    fails = registered & (rng.random(n) < profile.registered_item_failure)
    unregistered = np.flatnonzero(~registered)
    needed = round(profile.missed_rate_target * len(unregistered)) - int(income_poor[unregistered].sum())
    candidates = unregistered[~income_poor[unregistered]]
    fails[candidates[weighted_pick(1.0 / pc_total[candidates], needed, rng)]] = True

    item = np.where(fails, rng.choice(len(_FAILURE_ITEMS), size=n, p=_FAILURE_ITEM_P), -1)
    no_child = pop["hh_size"].to_numpy() < 3
    item = np.where((item == _FAILURE_ITEMS.index("child_out_of_school")) & no_child, 0, item)
    dangerous = rng.random(n) < 0.75
    housing = np.where(rng.random(n) < 0.6, "a", "b")
    housing = np.where(item == _FAILURE_ITEMS.index("housing"), np.where(dangerous, "c", "d"), housing)
    return {
        "food_secure": item != _FAILURE_ITEMS.index("food_secure"),
        "clothing_secure": item != _FAILURE_ITEMS.index("clothing_secure"),
        "child_out_of_school": item == _FAILURE_ITEMS.index("child_out_of_school"),
        "medical_insured": item != _FAILURE_ITEMS.index("medical_insured"),
        "housing_grade": housing,
        "safe_water": item != _FAILURE_ITEMS.index("safe_water"),
        "income_poor": income_poor,
        "eligible": income_poor | (item >= 0),
    }


def exits(pop: pd.DataFrame, profile: CountyProfile, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Return exit status and year, planting exits below the standard now and inclusion errors.

    The number of exits is chosen so that, after ``below_standard_exit_target`` of them are taken
    from registered households eligible in the survey year, the share not eligible among registered
    households that have not exited equals ``inclusion_error_target``. The year is drawn from
    ``exit_year_weights`` (the campaign that declared the exit), not before registration; a household
    exiting correctly is declared out no earlier than the first year its income (:func:`income_paths`)
    reached that year's line. Those below the standard now were declared out in the drawn year
    whatever their income: wrongly when it was below that year's line, else they met the standard
    at exit and have fallen back since (relapse).
    """
    n = len(pop)
    registered = pop["registered"].to_numpy()
    eligible = pop["eligible"].to_numpy()
    pc_total = pop["inc_total"].to_numpy() / pop["hh_size"].to_numpy()
    eligible_reg = np.flatnonzero(registered & eligible)
    ineligible_reg = np.flatnonzero(registered & ~eligible)
    n_reg = len(eligible_reg) + len(ineligible_reg)
    share = (len(ineligible_reg) / max(n_reg, 1) - profile.inclusion_error_target) / (
        1.0 - profile.below_standard_exit_target - profile.inclusion_error_target
    )
    n_exits = round(float(np.clip(share, 0.0, 1.0)) * n_reg)
    n_below = min(round(profile.below_standard_exit_target * n_exits), len(eligible_reg))
    n_correct = min(n_exits - n_below, len(ineligible_reg))
    # Exits below the standard are mostly households just under the line (数字脱贫); correct exits
    # favour the better-off.
    near_line = np.exp(-np.abs(pc_total[eligible_reg] - POVERTY_LINE) / 800.0) + 0.05
    exited = np.zeros(n, dtype=bool)
    exited[eligible_reg[weighted_pick(near_line, n_below, rng)]] = True
    exited[ineligible_reg[weighted_pick(pc_total[ineligible_reg], n_correct, rng)]] = True
    drawn = rng.choice(np.arange(2015, 2021), size=n, p=np.array(profile.exit_year_weights))
    year = np.maximum(drawn, pop["registration_year"].to_numpy())
    year = np.where(exited & ~eligible, np.maximum(year, first_year_above_line(pop, profile.key)), year)
    return {"exited": exited, "exit_year": np.where(exited, year, -1)}


def first_year_above_line(pop: pd.DataFrame, county: str) -> np.ndarray:
    """Return the first year from the baseline year on in which a household's per-capita income
    (:func:`income_paths`) reached that year's poverty line (the survey year when it never did)."""
    lines = poverty_lines(county)
    years = range(BASELINE_YEAR, SURVEY_YEAR + 1)
    above = np.column_stack([pop[f"pc_income_{y}"].to_numpy() >= lines[y] for y in years])
    return np.where(above.any(axis=1), BASELINE_YEAR + above.argmax(axis=1), SURVEY_YEAR)


def monitoring_and_causes(pop: pd.DataFrame, profile: CountyProfile, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Return the monitored flag (监测户/边缘户) and the main poverty cause of registered households."""
    n = len(pop)
    registered = pop["registered"].to_numpy()
    eligible = pop["eligible"].to_numpy()
    pc_total = pop["inc_total"].to_numpy() / pop["hh_size"].to_numpy()
    near_poor = pc_total < 1.5 * POVERTY_LINE
    p_monitor = np.select(
        [~registered & eligible, ~registered & near_poor, pop["exited"].to_numpy() & near_poor],
        [profile.monitoring_of_missed, profile.monitoring_of_missed / 3, profile.monitoring_of_missed / 2],
        default=0.005,
    )
    size = pop["hh_size"].to_numpy()
    labour = pop["labour_count"].to_numpy()
    weights = np.column_stack(
        [
            0.5 + 3.0 * (pop["n_chronic"].to_numpy() > 0),
            0.2 + 4.0 * (pop["n_disabled"].to_numpy() > 0),
            0.2 + 3.0 * (labour == 0) + 1.0 * (labour / size < 0.34),
            1.0 + 0.5 * ~pop["has_skill"].to_numpy(),
            np.ones(n),
            np.full(n, 0.15),
            0.1 + 1.5 * (pop["n_students"].to_numpy() >= 2),
            np.full(n, 0.2),
        ]
    )
    cause = np.array(_CAUSES, dtype=object)[categorical(weights, rng)]
    return {
        "monitored": rng.random(n) < p_monitor,
        "poverty_cause": np.where(registered, cause, None),
    }


def monitoring_groups(pop: pd.DataFrame, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Return the group each monitored household is listed under (中农组发〔2021〕7号), ``None`` for the others.

    Exited households are mostly listed as 脱贫不稳定户 (``unstable_exited``), households never
    registered as 边缘易致贫户 (``marginal``); a share of each, larger where a member is chronically
    ill or disabled, is listed as 突发严重困难户 (``sudden_difficulty``), as are the few monitored
    households still on the register. Drawn from a stream of its own, so the rest of the
    population does not move.
    """
    n = len(pop)
    monitored = pop["monitored"].to_numpy()
    registered = pop["registered"].to_numpy()
    exited = pop["exited"].to_numpy()
    shock = (pop["n_chronic"].to_numpy() > 0) | (pop["n_disabled"].to_numpy() > 0)
    sudden = rng.random(n) < np.where(shock, 0.35, 0.15)
    usual = np.where(exited, "unstable_exited", np.where(registered, "sudden_difficulty", "marginal"))
    group = np.where(sudden, "sudden_difficulty", usual).astype(object)
    return {"monitoring_group": np.where(monitored, group, None)}


def contact(pop: pd.DataFrame, profile: CountyProfile, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Return help visits, form/inspection demands, satisfaction and recognition of the exit result."""
    n = len(pop)
    registered = pop["registered"].to_numpy()
    exited = pop["exited"].to_numpy()
    wrongful = exited & pop["eligible"].to_numpy()
    missed = ~registered & pop["eligible"].to_numpy()
    visits = rng.poisson(np.where(registered, profile.help_visits_registered, 0.8))
    forms = rng.poisson(np.where(registered, profile.forms_registered, 0.4))
    latent = profile.satisfaction_shift + 0.6 * registered - 0.8 * missed - 0.6 * wrongful + rng.normal(0.0, 1.0, n)
    satisfaction = 1 + np.searchsorted(np.array([-1.6, -0.7, 0.2, 1.2]), latent)
    recognises = rng.random(n) < np.where(wrongful, 0.55, 0.93 + 0.05 * (profile.satisfaction_shift > 0))
    return {
        "help_visits": np.minimum(visits, 365),
        "forms_inspections": np.minimum(forms, 365),
        "satisfaction": satisfaction.astype(np.int64),
        # Asked of every registered household, as the exit evaluation's 群众认可度 is.
        "recognises_exit": np.where(registered, recognises, None),
    }


def income_paths(pop: pd.DataFrame, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Return each household's per-capita total income in every year the register may have judged.

    Income moves from the baseline year to the survey year along a concave path (most of the gain
    early, as transfers and projects arrived from 2016), with a transitory deviation in the years
    between; before the baseline year it is carried back at 9% a year. Columns
    ``pc_income_<year>`` for the first line year to the survey year.
    """
    n = len(pop)
    size = pop["hh_size"].to_numpy()
    base = np.log(np.maximum(pop["inc_total_base"].to_numpy() / size, 200.0))
    now = np.log(np.maximum(pop["inc_total"].to_numpy() / size, 200.0))
    paths = {}
    for year in range(min(NATIONAL_LINES), SURVEY_YEAR + 1):
        t = year - BASELINE_YEAR
        deviation = rng.normal(0.0, _PATH_NOISE, n)
        if t < 0:
            path = base + t * np.log1p(_GROWTH_BEFORE_BASELINE) + deviation
        else:
            progress = 1 - (1 - t / (SURVEY_YEAR - BASELINE_YEAR)) ** 2
            path = base + progress * (now - base) + deviation * (0 < t < SURVEY_YEAR - BASELINE_YEAR)
        paths[f"pc_income_{year}"] = np.exp(path)
    return paths


def register_records(pop: pd.DataFrame) -> dict[str, np.ndarray]:
    """Return the incomes the poverty-alleviation information system recorded for registered households.

    ``income_at_registration_pc`` is the per-capita income of the year before registration (what
    registration judged), ``income_at_exit_pc`` that of the exit year (what the exit judged), both
    from :func:`income_paths`, rounded to 10 yuan: the records are true (no misreporting is
    planted). ``None`` for households not registered, or not exited.
    """

    def income_in(years: np.ndarray) -> np.ndarray:
        known = [y for y in range(min(NATIONAL_LINES), SURVEY_YEAR + 1)]
        table = np.column_stack([pop[f"pc_income_{y}"].to_numpy() for y in known])
        column = np.clip(years - known[0], 0, len(known) - 1)
        return round10(table[np.arange(len(years)), column])

    return {
        "income_at_registration_pc": np.where(
            pop["registered"].to_numpy(), income_in(pop["registration_year"].to_numpy() - 1), None
        ),
        "income_at_exit_pc": np.where(pop["exited"].to_numpy(), income_in(pop["exit_year"].to_numpy()), None),
    }


def baseline_composition(pop: pd.DataFrame) -> dict[str, np.ndarray]:
    """Return household size and labour count of the baseline year as the survey recalls them.

    The demo draws household composition once, before the programme, and builds the baseline and
    survey-year incomes on it, so the recalled baseline values equal the survey year's: a baseline
    size that differed would turn the planted baseline income per member into a mismeasured one.
    """
    return {"hh_size_base": pop["hh_size"].to_numpy(), "labour_count_base": pop["labour_count"].to_numpy()}

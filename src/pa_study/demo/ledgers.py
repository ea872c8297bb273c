"""The industrial-project ledger (产业扶贫项目台账) and the cadre survey of a county."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pa_study.demo._names import mobile_numbers, person_names
from pa_study.demo.population import categorical, expit
from pa_study.demo.profiles import PROJECT_TYPES, CountyProfile

_INVESTMENT_MEDIAN = {
    "planting": 300_000,
    "livestock": 400_000,
    "workshop": 500_000,
    "ecommerce": 200_000,
    "photovoltaic": 1_500_000,
    "tourism": 1_000_000,
    "dividend_only": 12_000_000,  # pooled asset-income funds (资产收益), e.g. a county photovoltaic plant
}
_STATUSES = ("operating", "suspended", "failed")
_ROLES = ("county_dept", "township", "first_secretary", "village_committee")
_ROLE_P = np.array([0.2, 0.3, 0.15, 0.35])
_HOURS = ("paperwork", "meetings", "inspections", "fieldwork", "projects")


def project_ledger(profile: CountyProfile, frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Return the ledger skeleton: id, location, type, start year, investment and status.

    Each project type appears at least once as an operating project, so every household type can
    be linked to a running project. Revenue, dividends, jobs and linked households are added by
    :func:`complete_ledger` once the population exists.

    Parameters
    ----------
    profile : CountyProfile
        The county (project mix, status shares, ledger size).
    frame : pandas.DataFrame
        Village frame.
    rng : numpy.random.Generator
        Source of randomness.
    """
    n = profile.n_projects
    mix = np.array([profile.project_type_mix[t] for t in PROJECT_TYPES])
    kinds = np.concatenate(
        [np.arange(len(PROJECT_TYPES)), rng.choice(len(PROJECT_TYPES), n - len(PROJECT_TYPES), p=mix / mix.sum())]
    )
    shares = np.array([profile.project_status_shares[s] for s in _STATUSES])
    status = np.concatenate(
        [np.zeros(len(PROJECT_TYPES), dtype=np.int64), rng.choice(len(_STATUSES), n - len(PROJECT_TYPES), p=shares)]
    )
    order = rng.permutation(n)
    kinds, status = kinds[order], status[order]
    # Village-level projects favour poor villages; the rest sit at township level.
    village_p = np.where(frame["poor_village"].to_numpy(), 3.0, 1.0)
    row = rng.choice(len(frame), size=n, p=village_p / village_p.sum())
    at_village = rng.random(n) < 0.7
    median = np.array([_INVESTMENT_MEDIAN[PROJECT_TYPES[k]] for k in kinds])
    investment = np.rint(median * np.exp(rng.normal(0.0, 0.5, n)) / 1000.0) * 1000
    return pd.DataFrame(
        {
            "project_id": [f"{profile.id_prefix}-P{i:03d}" for i in range(1, n + 1)],
            "county": profile.name_zh,
            "township": frame["township"].to_numpy()[row],
            "village": np.where(at_village, frame["village"].to_numpy()[row], None),
            "project_type": np.array(PROJECT_TYPES, dtype=object)[kinds],
            "start_year": rng.integers(2014, 2020, size=n),
            "fiscal_investment": investment.astype(np.int64),
            "status": np.array(_STATUSES, dtype=object)[status],
            "township_no": frame["township_no"].to_numpy()[row],
        }
    )


def complete_ledger(ledger: pd.DataFrame, pop: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Return the ledger with linked households, jobs, dividends and revenue filled in.

    Linked poor households and jobs count the population's participants; failed projects keep the
    number they claimed when approved.
    """
    n = len(ledger)
    participants = pop[pop["project_participant"]]
    linked = participants[participants["registered"]].groupby("project_id").size()
    workers = participants[participants["active"]].groupby("project_id").size()
    dividends = (
        participants[participants["project_type"] == "dividend_only"].groupby("project_id")["project_income"].sum()
    )
    ids = ledger["project_id"]
    failed = (ledger["status"] == "failed").to_numpy()
    claimed = rng.integers(10, 81, size=n)
    investment = ledger["fiscal_investment"].to_numpy()
    paid = ids.map(dividends).fillna(0).to_numpy().astype(np.int64)
    revenue_rate = np.select(
        [ledger["status"] == "operating", ledger["status"] == "suspended"],
        [rng.uniform(0.06, 0.25, n), rng.uniform(0.0, 0.03, n)],
        default=0.0,
    )
    revenue = np.rint(np.maximum(investment * revenue_rate, 1.5 * paid) / 100.0) * 100
    hired = np.rint(ids.map(workers).fillna(0).to_numpy() * rng.uniform(1.0, 1.5, n))
    return ledger.assign(
        linked_poor_households=np.where(failed, claimed, ids.map(linked).fillna(0).to_numpy()).astype(np.int64),
        annual_revenue=revenue.astype(np.int64),
        dividends_paid=paid,
        jobs_created=np.where(failed, 0, hired).astype(np.int64),
    )


def cadre_survey(profile: CountyProfile, frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Return the cadre survey: posting, role, weekly hours by activity and formalism items.

    Weekly hours by activity are whole hours that add up exactly to ``hours_total``; their shares
    are Dirichlet around the county's ``cadre_hour_shares``. The four formalism items load on the
    cadre's own share of hours on paperwork, meetings and inspections.
    """
    n = profile.n_cadres
    role = categorical(np.tile(_ROLE_P, (n, 1)), rng)
    village_p = np.where(frame["poor_village"].to_numpy(), 3.0, 1.0)
    row = rng.choice(len(frame), size=n, p=village_p / village_p.sum())
    at_township = role >= 1
    at_village = role >= 2
    years_low = np.array([1.0, 1.0, 0.5, 1.0])[role]
    years_high = np.array([20.0, 15.0, 3.0, 30.0])[role]
    years = np.rint(rng.uniform(years_low, years_high) * 10) / 10
    total = np.clip(np.rint(rng.normal(56.0, 8.0, n)), 30, 90).astype(np.int64)
    mean_shares = np.array([profile.cadre_hour_shares[h] for h in _HOURS])
    shares = rng.dirichlet(mean_shares * 40.0, size=n)
    hours = np.floor(shares * total[:, None]).astype(np.int64)
    # Give the hours lost to flooring to the activities with the largest remainders, so rows add up.
    remainder = shares * total[:, None] - hours
    short = total - hours.sum(axis=1)
    ranks = np.argsort(np.argsort(-remainder, axis=1), axis=1)
    hours = hours + (ranks < short[:, None])
    formal_share = hours[:, :3].sum(axis=1) / total
    burden = profile.cadre_forms_per_month / 15.0
    latent = (formal_share - 0.3) * 6.0
    is_male = rng.random(n) < 0.7
    columns: dict[str, object] = {
        "county": profile.name_zh,
        "township": np.where(at_township, frame["township"].to_numpy()[row], None),
        "village": np.where(at_village, frame["village"].to_numpy()[row], None),
        "cadre_id": [f"{profile.id_prefix}-C{i:03d}" for i in range(1, n + 1)],
        "cadre_name": person_names(is_male, rng),
        "phone": mobile_numbers(n, rng),
        "role": np.array(_ROLES, dtype=object)[role],
        "years_in_post": years,
        **{f"hours_{h}": hours[:, i] for i, h in enumerate(_HOURS)},
        "hours_total": total,
        "forms_per_month": np.rint(profile.cadre_forms_per_month * np.exp(rng.normal(0.0, 0.5, n))).astype(np.int64),
        "duplicate_requests_per_month": rng.poisson(2.0 * burden, n),
        "inspections_per_month": rng.poisson(1.5 * burden, n),
        "reporting_channels": rng.poisson(5.0 + 3.0 * burden, n),
    }
    for name in ("formalism_forms", "formalism_repeat", "formalism_show", "formalism_trace"):
        p_agree = expit(latent + rng.normal(0.0, 1.0, n))
        columns[name] = np.clip(np.rint(1 + 4 * p_agree + rng.normal(0.0, 0.5, n)), 1, 5).astype(np.int64)
    return pd.DataFrame(columns)


def cadre_roster(
    profile: CountyProfile, frame: pd.DataFrame, cadres: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Return the roster of the county's poverty-alleviation cadres: how many hold each role in each
    township (one row for county departments).

    County departments second 60-120 cadres; each township has 12-30 township cadres, a first
    secretary for each poor village and some others, and 3-5 village committee members per
    village. Every count is at least the number of surveyed cadres it covers, as a roster drawn up
    independently of the survey would be.
    """
    townships = frame.groupby("township", sort=False)
    rows = [{"township": None, "role": "county_dept", "n_cadres": int(rng.integers(60, 121))}]
    for township, villages in townships:
        rows += [
            {"township": township, "role": "township", "n_cadres": int(rng.integers(12, 31))},
            {
                "township": township,
                "role": "first_secretary",
                "n_cadres": int(villages["poor_village"].sum() + rng.integers(0, 4)),
            },
            {
                "township": township,
                "role": "village_committee",
                "n_cadres": int(rng.integers(3, 6, len(villages)).sum()),
            },
        ]
    roster = pd.DataFrame(rows)
    surveyed = cadres.groupby([cadres["township"].fillna(""), "role"]).size()
    key = list(zip(roster["township"].fillna(""), roster["role"], strict=True))
    roster["n_cadres"] = np.maximum(roster["n_cadres"], [int(surveyed.get(k, 0)) for k in key])
    return roster.assign(county=profile.name_zh)

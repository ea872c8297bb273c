"""Projects family: fund use, survival, concentration and paper linkage from a hand-made ledger."""

from __future__ import annotations

import numpy as np
import pytest

from pa_study.indicators.projects import current_status_survival, projects_indicators
from tests.helpers.indicator_data import households, ledger, settings, village_frame

PROJECTS = [
    # id, type, status, start, investment, linked, jobs, dividends, village
    ("P1", "planting", "operating", 2019, 100_000, 10, 4, 1_000, "村0"),
    ("P2", "planting", "failed", 2016, 300_000, 30, 0, 0, "村1"),
    ("P3", "workshop", "operating", 2017, 200_000, 20, 20, 2_000, None),
    ("P4", "workshop", "suspended", 2017, 400_000, 5, 6, 0, "村0"),
]


def sample_ledger(**changes):
    rows = [
        {
            "project_id": pid,
            "county": "测试县",
            "township": "镇0",
            "village": village,
            "project_type": kind,
            "status": status,
            "start_year": start,
            "fiscal_investment": investment,
            "linked_poor_households": linked,
            "jobs_created": jobs,
            "dividends_paid": dividends,
            "annual_revenue": investment / 10,
        }
        for pid, kind, status, start, investment, linked, jobs, dividends, village in PROJECTS
    ]
    return ledger([{**r, **changes} for r in rows])


def options(**changes):
    return settings("projects", min_sample={"projects": 2, "group": 2}, **changes)


def row(result, name):
    return next(r for r in result.headline if r["name"] == name)


def test_fund_use_is_a_census_of_ratios_of_totals() -> None:
    result = projects_indicators({"projects": sample_ledger(), "households": None, "villages": None}, options())
    assert row(result, "investment_per_linked_household")["estimate"] == pytest.approx(1_000_000 / 65)
    assert row(result, "investment_per_job")["estimate"] == pytest.approx(1_000_000 / 30)
    assert row(result, "dividends_per_yuan_invested")["estimate"] == pytest.approx(3_000 / 1_000_000)
    assert row(result, "dividends_per_linked_household")["estimate"] == pytest.approx(3_000 / 65)
    assert row(result, "stopped_investment_share")["estimate"] == pytest.approx(0.7)
    assert row(result, "stopped_investment_share")["se"] == 0
    by_type = result.tables["fund_use"].set_index(["measure", "project_type"])["estimate"]
    assert by_type["investment_per_job", "workshop"] == pytest.approx(600_000 / 26)
    assert row(result, "largest_projects_investment_share")["estimate"] == pytest.approx(0.4)  # 1 of 4 projects
    assert result.status == "partial" and any("no household survey" in n for n in result.notes)


def test_the_ledger_gives_revenue_per_yuan_means_per_project_and_status_shares_by_type() -> None:
    table = sample_ledger(annual_revenue=None)
    table["annual_revenue"] = [0.0, 0.0, 90_000.0, 10_000.0]
    result = projects_indicators({"projects": table, "households": None, "villages": None}, options())
    assert row(result, "revenue_per_yuan_invested")["estimate"] == pytest.approx(100_000 / 1_000_000)
    assert "not profit" in row(result, "revenue_per_yuan_invested")["label"]
    by_type = result.tables["fund_use"].set_index(["measure", "project_type"])
    assert by_type.at[("revenue_per_yuan_invested", "workshop"), "estimate"] == pytest.approx(100_000 / 600_000)
    assert by_type.at[("jobs_per_project", "all"), "estimate"] == pytest.approx(30 / 4)
    assert by_type.at[("jobs_per_project", "workshop"), "estimate"] == pytest.approx(26 / 2)
    assert by_type.at[("linked_poor_households_per_project", "all"), "estimate"] == pytest.approx(65 / 4)
    assert (by_type["se"] == 0).all()  # a census has no sampling error
    status = result.tables["status"].set_index(["project_type", "start_year", "status"])["share"]
    assert status["all", "all", "operating"] == 0.5 and status["workshop", "all", "suspended"] == 0.5
    sampled = options(projects={"ledger_is_census": False})
    fund_use = projects_indicators({"projects": table, "households": None, "villages": None}, sampled).tables
    assert (fund_use["fund_use"]["se"] > 0).any()


def test_a_ledger_without_investment_or_start_year_gives_notes_and_partial_results() -> None:
    table = sample_ledger(fiscal_investment=None, start_year=None)
    result = projects_indicators({"projects": table, "households": None, "villages": None}, options())
    assert result.status == "partial"
    assert any("fiscal_investment" in n and "start_year" in n for n in result.notes)
    assert row(result, "investment_per_job")["estimate"] is None
    assert row(result, "largest_projects_investment_share")["estimate"] is None
    assert row(result, "survival_rate")["estimate"] is None
    assert row(result, "dividends_per_linked_household")["estimate"] == pytest.approx(3_000 / 65)
    assert row(result, "projects_operating_share")["estimate"] == pytest.approx(0.5)


def test_survival_from_current_status_is_the_isotonic_fit_of_the_shares() -> None:
    age = np.array([1, 1, 2, 2, 2, 2, 3, 3, 4, np.nan])
    surviving = np.array([1, 0, 1, 1, 1, 0, 1, 1, 0, 1])
    table = current_status_survival(age, surviving).set_index("years_since_start")
    assert table["n_projects"].tolist() == [2, 4, 2, 1]
    assert table["share_surviving"].tolist() == pytest.approx([0.5, 0.75, 1.0, 0.0])
    # 0.5, 0.75, 1.0 violate the order: pooled to their weighted mean (1 + 3 + 2) / 8.
    assert table["survival"].tolist() == pytest.approx([0.75, 0.75, 0.75, 0.0])


def test_survival_rate_reads_the_curve_at_the_configured_years() -> None:
    result = projects_indicators({"projects": sample_ledger(), "households": None, "villages": None}, options())
    survival = result.tables["survival"]
    overall = survival[survival["project_type"] == "all"].set_index("years_since_start")
    assert row(result, "survival_rate")["estimate"] == pytest.approx(overall.at[3, "survival"])


def linkage_households():
    """Two townships of two villages, 10 registered participants sampled, each weighing 2; three
    name project P1 (in 村0 of 镇0), two name P3 (township level), five name no ledger project."""
    here = {"township": "镇0", "village": "村0"}
    there = {"township": "镇1", "village": "村1"}
    member = {"registered": True, "project_participant": True, "weight": 2.0}
    rows = (
        [{**member, **here, "project_id": "P1"}] * 3
        + [{**member, **there, "project_id": "P3"}] * 2
        + [{**member, **there, "project_id": "X9"}] * 5
        + [{"registered": False, "project_participant": True, "project_id": "P1", "weight": 2.0}] * 4
        + [{"weight": 2.0}] * 16
    )
    return households([dict(r) for r in rows], townships=2, villages=2)


def test_paper_linkage_sets_the_ledger_against_the_survey_per_village() -> None:
    villages = village_frame(8)
    tables = {"projects": sample_ledger(), "households": linkage_households(), "villages": villages}
    result = projects_indicators(tables, options())
    assert row(result, "ledger_linked_per_village")["estimate"] == pytest.approx(65 / 8)
    survey = row(result, "survey_participants_per_village")
    assert survey["estimate"] == pytest.approx(20 / 8) and survey["se"] > 0
    gap = row(result, "paper_linkage_gap_per_village")
    assert gap["estimate"] == pytest.approx((65 - 20) / 8)
    assert gap["ci_low"] == pytest.approx(65 / 8 - survey["ci_high"])
    assert row(result, "paper_only_linkage_share")["estimate"] == pytest.approx(1 - 20 / 65)
    places = result.tables["linkage_by_village"].set_index("village")
    assert places.at["村0", "ledger_linked"] == 15 and places.at["村0", "estimate"] == pytest.approx(6)
    assert places.at["(township level)", "estimate"] == pytest.approx(4)
    assert any("not in the ledger" in n for n in result.notes)

"""Formalism family: cadre hour shares, targets, the household side and the association."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pa_study.indicators.formalism import (
    cadre_clusters,
    cadre_design,
    cadre_measures,
    cadre_weights,
    formalism_indicators,
    hour_shares,
    target_assessment,
)
from pa_study.indicators.survey import respondent_design
from tests.helpers.indicator_data import cadres, households, settings

ROLES = ("county_dept", "township", "first_secretary", "village_committee")


def cadre_rows(n: int = 40, seed: int = 5) -> list[dict]:
    """Cadres whose weekly hours add up to their total, posted in the hand-made villages."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        hours = rng.multinomial(50, [0.2, 0.1, 0.1, 0.35, 0.25])
        rows.append(
            {
                "county": "测试县",
                "township": f"镇{i % 2}",
                "village": f"村{(i // 2) % 2}",
                "cadre_id": f"c{i}",
                "role": ROLES[i % 4],
                "hours_total": 50,
                **{
                    f"hours_{a}": int(h)
                    for a, h in zip(
                        ("paperwork", "meetings", "inspections", "fieldwork", "projects"), hours, strict=True
                    )
                },
                "forms_per_month": int(rng.integers(5, 60)),
                "duplicate_requests_per_month": int(rng.poisson(3)),
                "inspections_per_month": int(rng.poisson(2)),
                "reporting_channels": int(rng.integers(3, 15)),
                **{f"formalism_{k}": int(rng.integers(1, 6)) for k in ("forms", "repeat", "show", "trace")},
            }
        )
    return rows


def test_shares_are_per_cadre_hours_over_total_hours() -> None:
    frame = cadre_measures(
        cadres(
            [
                {
                    "hours_paperwork": 10,
                    "hours_meetings": 5,
                    "hours_inspections": 5,
                    "hours_fieldwork": 20,
                    "hours_projects": 10,
                    "hours_total": 50,
                    "forms_per_month": 10,
                    "duplicate_requests_per_month": 1,
                    "inspections_per_month": 1,
                    "reporting_channels": 3,
                },
                {
                    "hours_paperwork": 5,
                    "hours_meetings": 5,
                    "hours_inspections": 0,
                    "hours_fieldwork": 30,
                    "hours_projects": 0,
                    "hours_total": 40,
                    "forms_per_month": 20,
                    "duplicate_requests_per_month": 2,
                    "inspections_per_month": 0,
                    "reporting_channels": 5,
                },
            ]
        ),
        settings("formalism").formalism,
    )
    assert frame["share_paperwork"].tolist() == [0.2, 0.125]
    assert frame["share_formalism"].tolist() == [0.4, 0.25]
    assert frame["share_field"].tolist() == [0.4, 0.75]
    parts = [f"share_{a}" for a in ("paperwork", "meetings", "inspections", "fieldwork", "projects", "other")]
    np.testing.assert_allclose(frame[parts].sum(axis=1), 1.0)


def test_the_field_share_is_not_repeated_when_it_is_one_activitys() -> None:
    options = settings("formalism").formalism
    assert hour_shares(options) == [
        "share_paperwork",
        "share_meetings",
        "share_inspections",
        "share_fieldwork",
        "share_projects",
        "share_formalism",
        "share_other",
    ]
    wider = options.model_copy(update={"field_activities": ("fieldwork", "projects")})
    assert "share_field" in hour_shares(wider)


def test_targets_are_assessed_only_against_a_configured_baseline() -> None:
    frame = cadre_measures(cadres(cadre_rows()), settings("formalism").formalism)
    design = respondent_design(frame)
    targets = settings("formalism").formalism.targets
    table, assessed = target_assessment(design, targets, {"hours_meetings": 10.0}, 0.95)
    meetings = table.set_index("measure").loc["hours_meetings"]
    assert meetings["assessed"] and meetings["reduction"] == pytest.approx(1 - frame["hours_meetings"].mean() / 10)
    assert meetings["passes"] == (meetings["reduction"] >= 0.30)
    assert not table.set_index("measure").loc["inspections_per_month", "assessed"]
    assert [t.measure for t, _ in assessed] == ["hours_meetings"]


def test_family_reports_shares_targets_and_the_household_side() -> None:
    options = settings("formalism", formalism={"baselines": {"hours_meetings": 10.0}})
    result = formalism_indicators(
        {
            "cadres": cadres(cadre_rows()),
            "households": households([{"registered": True, "forms_inspections": 6, "help_visits": 12}, {}] * 20),
        },
        options,
    )
    names = [row["name"] for row in result.headline]
    # Role-specific shares come first; then the county means, here unweighted over roles (no roster).
    assert names[:4] == [f"share_formalism__{role}" for role in ROLES]
    # One field activity: its own share is the field share, by role too (never repeated as share_field).
    assert names[4:8] == [f"share_fieldwork__{role}" for role in ROLES] and "share_field" not in names
    assert names[8:11] == ["share_paperwork", "share_meetings", "share_inspections"]
    county_mean = next(r for r in result.headline if r["name"] == "share_formalism")
    assert "unweighted over roles" in county_mean["definition"] and county_mean["deff"] is not None
    assert any("no cadre roster" in note for note in result.notes)
    reduction = next(r for r in result.headline if r["name"] == "reduction_hours_meetings")
    assert reduction["threshold"] == 0.30 and "passes_ci" in reduction
    per_visit = next(r for r in result.headline if r["name"] == "household_forms_per_visit")
    assert per_visit["estimate"] == pytest.approx(0.5)
    by_role = result.tables["by_role"]
    assert set(by_role["role"]) == {"all", *ROLES}
    assert "burden_index" in set(by_role["measure"])


def test_a_county_without_a_cadre_survey_gets_the_household_side_and_a_note() -> None:
    result = formalism_indicators(
        {"cadres": None, "households": households([{"registered": True}, {}] * 10)}, settings("formalism")
    )
    assert result.status == "partial"
    assert "no cadre survey" in result.notes[0]
    assert [r["name"] for r in result.headline] == [
        "household_forms_inspections",
        "household_help_visits",
        "household_forms_per_visit",
    ]


def test_association_without_variation_in_errors_is_undefined_not_a_crash() -> None:
    result = formalism_indicators(
        {"cadres": cadres(cadre_rows()), "households": households([{}] * 40)}, settings("formalism")
    )
    association = next(r for r in result.headline if r["name"] == "burden_error_association")
    assert association["estimate"] is None
    assert any("does not vary" in note or "fewer than" in note for note in result.notes)


def test_cadres_cluster_by_township_or_village_and_weigh_by_the_roster() -> None:
    frame = cadre_measures(cadres(cadre_rows()), settings("formalism").formalism)
    clusters = cadre_clusters(frame)
    assert clusters[frame["role"] == "county_dept"].str.startswith("cadre/").all()
    assert clusters[frame["role"] == "township"].str.startswith("township/").all()
    assert clusters[frame["role"] == "village_committee"].str.startswith("village/").all()
    # Surveyed: 10 county-department cadres, 10 first secretaries in 镇0, 10 township cadres and 10
    # village committee members in 镇1.
    roster = pd.DataFrame(
        {
            "township": [None, "镇1", "镇0", "镇1", "镇0"],
            "role": ["county_dept", "township", "first_secretary", "village_committee", "village_committee"],
            "n_cadres": [100, 30, 20, 4, 200],
        }
    )
    weights, notes = cadre_weights(frame, roster)
    role = frame["role"].to_numpy()
    assert weights[role == "county_dept"] == pytest.approx(10.0)
    assert weights[role == "township"] == pytest.approx(3.0)
    assert weights[role == "first_secretary"] == pytest.approx(2.0)
    # 镇1 lists 4 village committee members but 10 were surveyed: they weigh one, and a note says so.
    assert weights[role == "village_committee"] == pytest.approx(1.0)
    assert any("fewer cadres than were surveyed" in n for n in notes)
    design, _ = cadre_design(frame, roster, lonely_psu="adjust")
    assert design.n_strata == 4 and design.weights.sum() == pytest.approx(100 + 30 + 20 + 10)
    # A cell the roster lacks weighs by its role's roster total over the role's surveyed cadres.
    partial, notes = cadre_weights(
        frame, roster[roster["role"] != "first_secretary"].assign(township=["", "镇1", "镇1", "镇0"])
    )
    assert any("no count for" in n for n in notes)
    unweighted, _ = cadre_design(frame, None, lonely_psu="adjust")
    assert (unweighted.weights == 1).all()

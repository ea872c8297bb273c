"""The implications (pa_study.report.implications): statements that follow the numbers."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pa_study.report.implications import PERSPECTIVES, STATEMENTS, benchmark_statements
from pa_study.report.sections import ReportContext
from pa_study.report.text import words
from pa_study.results import Family, StudyResults
from tests.helpers.results_fixture import STUDY, focal_context, rate_row


def _texts(statements):
    return [text for text, _ in statements]


CRITERIA = ("wrongful_exit_rate", "missed_rate", "recognition_rate", "poverty_incidence")


def criteria_rows(incidence: tuple[float, float, float], verdict: str, incidence_verdict: str) -> dict:
    recognition = {**rate_row(0.97, 0.95, 0.99), "threshold": 0.9, "threshold_operator": ">"}
    rows = {
        "wrongful_exit_rate": {**rate_row(0.005, 0.001, 0.012), "basis": "register"},
        "missed_rate": rate_row(0.008, 0.003, 0.015),
        "recognition_rate": recognition,
        "poverty_incidence": rate_row(*incidence),
    }
    criteria = {name: "pass" for name in CRITERIA} | {"poverty_incidence": incidence_verdict}
    verdict_row = {"kind": "verdict", "verdict": verdict, "criteria": criteria, "estimate": None}
    return rows | {"exit_verdict": verdict_row}


def test_the_exit_statement_follows_the_verdict_and_is_always_indicative():
    rule = PERSPECTIVES["perspective_mechanism"]
    passing = _texts(rule(focal_context(**criteria_rows((0.01, 0.005, 0.015), "pass", "pass")), STATEMENTS["en"]))
    failing = _texts(rule(focal_context(**criteria_rows((0.05, 0.03, 0.07), "fail", "fail")), STATEMENTS["en"]))
    open_ = _texts(
        rule(focal_context(**criteria_rows((0.019, 0.01, 0.03), "inconclusive", "inconclusive")), STATEMENTS["en"])
    )
    assert passing[0].startswith("Every criterion of the county exit evaluation is met (indicative")
    assert "recognition_rate 97.00% [95.00%, 99.00%] (criterion > 90.00%)" in passing[0] and "0.50%" in passing[0]
    assert "misses the national exit standard (indicative" in failing[0] and "5.00% [3.00%, 7.00%]" in failing[0]
    assert open_[0].startswith("The survey cannot settle") and "1.90% [1.00%, 3.00%]" in open_[0]


def test_the_below_standard_share_is_named_for_what_it_is_and_the_basis_is_said():
    rows = criteria_rows((0.05, 0.03, 0.07), "fail", "fail")
    rows["below_standard_exited"] = {"name": "below_standard_exited", **rate_row(0.04, 0.02, 0.07)}
    rows["wrongful_exit_rate"] |= {"basis": "latest_cohort", "poverty_lines": {"2019": 3218, "2020": 4000}}
    lines = _texts(PERSPECTIVES["perspective_mechanism"](focal_context(**rows), STATEMENTS["en"]))
    assert any(
        line.startswith("Below-standard share among exited households in 2020 (relapse and wrongful") for line in lines
    )
    assert any("estimated on the exits of 2019-2020 only" in line for line in lines)


def test_no_statement_says_a_standard_is_missed_without_calling_it_indicative():
    for language, statements in STATEMENTS.items():
        for key, text in statements.items():
            if "national" in text or "国家" in text:
                assert "{indicative}" in text, (language, key)


def share_row(estimate: float, low: float, high: float, **extra) -> dict:
    """A headline share with the given interval and n = 400."""
    return {"estimate": estimate, "se": 0.01, "ci_low": low, "ci_high": high, "n": 400, **extra}


def test_the_monitoring_statements_rest_on_the_monitoring_numbers():
    rule = PERSPECTIVES["perspective_monitoring"]
    few = _texts(
        rule(
            focal_context(
                "monitoring",
                monitoring_coverage_rate=share_row(0.08, 0.05, 0.12),
                monitoring_inclusion_error=share_row(0.09, 0.01, 0.36),
                exited_below_line_share_difference=share_row(0.05, 0.01, 0.09),
            ),
            STATEMENTS["en"],
        )
    )
    assert few[0].startswith("The monitoring list reaches only 8.00% [5.00%, 12.00%]")
    assert "medical insurance" in few[1] and "5.00 pp [1.00 pp, 9.00 pp]" in few[1]
    most = _texts(
        rule(
            focal_context(
                "monitoring",
                monitoring_coverage_rate=share_row(0.8, 0.7, 0.9),
                monitoring_inclusion_error=share_row(0.1, 0.05, 0.15),
            ),
            STATEMENTS["en"],
        )
    )
    assert most[0].startswith("The monitoring list reaches 80.00%")


def test_the_project_statements_compare_money_and_projects_that_stopped():
    rule = PERSPECTIVES["perspective_projects"]
    census = {"se": 0.0, "n": 60}
    rows = {
        "stopped_investment_share": {"estimate": 0.6, "ci_low": 0.6, "ci_high": 0.6, **census},
        "projects_operating_share": {"estimate": 0.7, "ci_low": 0.7, "ci_high": 0.7, **census},
        "largest_projects_investment_share": {"estimate": 0.5, "ci_low": 0.5, "ci_high": 0.5, **census},
    }
    lines = _texts(rule(focal_context("projects", {"projects": {"top_share": 0.1}}, **rows), STATEMENTS["en"]))
    assert lines[0].startswith("60.00% of the investment") and "more than their share of projects (30.00%)" in lines[0]
    assert lines[1] == "The largest 10% of projects take 50.00% of the fiscal investment."


def test_paper_linkage_is_read_as_formalism_from_the_survey_interval():
    census = {"se": 0.0, "n": 60}
    rows = {
        "paper_linkage_gap_per_village": share_row(5.0, 2.0, 8.0),
        "ledger_linked_per_village": {"estimate": 25.0, "ci_low": 25.0, "ci_high": 25.0, **census},
        "survey_participants_per_village": share_row(20.0, 17.0, 23.0),
        "paper_only_linkage_share": share_row(0.2, 0.08, 0.32),
    }
    lines = _texts(PERSPECTIVES["perspective_formalism"](focal_context("projects", **rows), STATEMENTS["en"]))
    assert lines == [
        "The ledger links 25.0 poor households per village, the survey finds 20.0 [17.0, 23.0] registered households "
        "taking part per village: 20.00% [8.00%, 32.00%] of the linkage exists on paper only, a formalism that "
        "inflates the reach of industrial projects."
    ]


def _two_counties(focal: dict, other: dict, contrast: dict) -> ReportContext:
    families = {
        (county, "identification"): Family(
            county, "identification", Path("identification.json"), {"headline": [{"name": "missed_rate", **row}]}
        )
        for county, row in (("H", focal), ("Lankao", other))
    }
    results = StudyResults(counties=["H", "Lankao"], names={"H": "H county", "Lankao": "Lankao"}, families=families)
    headline = [{"family": "identification", "name": "missed_rate", "benchmark": "Lankao", **contrast}]
    return ReportContext(results, words("en"), "en", STUDY["study"], comparison={"headline": headline})


def test_benchmark_statements_follow_the_adjusted_contrast_not_the_overlap_of_the_counties_intervals():
    focal = {"name": "missed_rate", **rate_row(0.030, 0.021, 0.039)}
    other = rate_row(0.016, 0.008, 0.024)  # the two counties' own intervals overlap
    wider = {
        "estimate": 0.014,
        "se": 0.006,
        "ci_low_adjusted": -0.002,
        "ci_high_adjusted": 0.030,
        "mde_adjusted": 0.021,
    }
    narrower = {"estimate": 0.014, "se": 0.006, "ci_low_adjusted": 0.002, "ci_high_adjusted": 0.026}

    def statements(context):
        return _texts(
            benchmark_statements(context, STATEMENTS["en"], "identification", "missed_rate", higher_is_better=False)
        )

    (similar,) = statements(_two_counties(focal, other, wider))
    (behind,) = statements(_two_counties(focal, other, narrower))
    assert "cannot be told apart from zero" in similar and "minimum detectable effect 2.10%" in similar
    assert "does worse than Lankao" in behind and "[0.20%, 2.60%]" in behind
    assert statements(focal_context(missed_rate=focal)) == []


def test_formal_hours_are_stated_by_role_first_then_pooled():
    label = "形式主义工时占比 share of weekly hours on formal activities, "
    rows = {
        "share_formalism__township": share_row(0.45, 0.40, 0.50, label=label + "乡镇干部 township cadres"),
        "share_formalism__first_secretary": share_row(0.30, 0.25, 0.35, label=label + "第一书记 first secretaries"),
        "share_formalism": share_row(0.40, 0.36, 0.44),
        "share_fieldwork": share_row(0.20, 0.17, 0.23),
    }
    ctx = focal_context("formalism", **rows)
    lines = _texts(PERSPECTIVES["perspective_formalism"](ctx, STATEMENTS["en"]))
    assert lines[0].startswith(
        "By role, the share of weekly hours on paperwork, meetings and inspections is township cadres 45.00% "
        "[40.00%, 50.00%]; first secretaries 30.00% [25.00%, 35.00%] (each role's own mean"
    )
    assert lines[1].startswith("Pooling the roles, 40.00% [36.00%, 44.00%] of weekly hours")
    zh = _texts(PERSPECTIVES["perspective_formalism"](dataclasses.replace(ctx, language="zh"), STATEMENTS["zh"]))
    assert "乡镇干部 45.00%" in zh[0] and "township" not in zh[0]


def test_the_international_line_is_the_2021_ppp_one_beside_the_2017_line_it_replaced():
    rule = PERSPECTIVES["perspective_monitoring"]
    old = rate_row(0.30, 0.27, 0.33)
    both = _texts(
        rule(
            focal_context("monitoring", p0_usd_6_85_ppp2017=old, p0_usd_8_30_ppp2021=rate_row(0.36, 0.33, 0.39)),
            STATEMENTS["en"],
        )
    )
    (line,) = [t for t in both if "upper-middle-income" in t]
    assert "$8.30 a day (2021 PPP), 36.00%" in line and "$6.85 a day (2017 PPP) line it replaced, 30.00%" in line
    (alone,) = [
        t for t in _texts(rule(focal_context("monitoring", p0_usd_6_85_ppp2017=old), STATEMENTS["en"])) if "upper" in t
    ]
    assert "$6.85 a day, 2017 PPP), 30.00%" in alone and "8.30" not in alone

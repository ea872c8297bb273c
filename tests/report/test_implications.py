"""The implications (pa_study.report.implications): statements that follow the numbers, in the
words the numbers support."""

from __future__ import annotations

from pa_study.report.implications import PERSPECTIVES, STATEMENTS
from tests.helpers.results_fixture import focal_context, rate_row

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
    passing = rule(focal_context(**criteria_rows((0.01, 0.005, 0.015), "pass", "pass")), STATEMENTS["en"])
    failing = rule(focal_context(**criteria_rows((0.05, 0.03, 0.07), "fail", "fail")), STATEMENTS["en"])
    open_ = rule(focal_context(**criteria_rows((0.019, 0.01, 0.03), "inconclusive", "inconclusive")), STATEMENTS["en"])
    assert passing[0].startswith("Every criterion of the county exit evaluation is met (indicative")
    assert "recognition_rate 97.00% [95.00%, 99.00%] (criterion > 90.00%)" in passing[0] and "0.50%" in passing[0]
    assert "misses the national exit standard (indicative" in failing[0] and "5.00% [3.00%, 7.00%]" in failing[0]
    assert open_[0].startswith("The survey cannot settle") and "1.90% [1.00%, 3.00%]" in open_[0]


def test_the_below_standard_share_is_named_for_what_it_is_and_the_basis_is_said():
    rows = criteria_rows((0.05, 0.03, 0.07), "fail", "fail")
    rows["below_standard_exited"] = {"name": "below_standard_exited", **rate_row(0.04, 0.02, 0.07)}
    rows["wrongful_exit_rate"] |= {"basis": "latest_cohort", "poverty_lines": {"2019": 3218, "2020": 4000}}
    lines = PERSPECTIVES["perspective_mechanism"](focal_context(**rows), STATEMENTS["en"])
    assert any(
        line.startswith("Below-standard share among exited households in 2020 (relapse and wrongful") for line in lines
    )
    assert any("estimated on the exits of 2019-2020 only" in line for line in lines)


def test_no_statement_says_a_standard_is_missed_without_calling_it_indicative():
    for language, statements in STATEMENTS.items():
        for key, text in statements.items():
            if "national" in text or "国家" in text:
                assert "{indicative}" in text, (language, key)

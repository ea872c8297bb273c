"""Identification and exit: constructs, targeting, the replicated exit evaluation and the poverty
measures on small hand-made tables whose answers are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pa_study.indicators.identification import (
    INDICATIVE,
    eligibility,
    identification_frame,
    identification_indicators,
    item_failures,
    per_capita_income,
    pre_transfer_income,
)
from pa_study.indicators.survey import holds_calibrated_sample, household_design, proportion_estimate
from tests.helpers.demo_data import demo_result, demo_tables, headline
from tests.helpers.indicator_data import households, settings

POOR = {"inc_total": 8000.0, "inc_wage": 4000.0, "inc_business": 2000.0}  # 2,000 yuan per person, before and after
LIFTED = {"inc_total": 20000.0, "inc_wage": 6000.0, "inc_transfer": 13000.0}  # 5,000 after transfers, 1,750 before
SMALL = {"min_sample": {"households": 10}}


def row(result, name):
    return next(r for r in result.headline if r["name"] == name)


def register(n_exited_eligible=2, n_exited_ok=8, n_current_eligible=4, n_current_ok=2, n_missed=3, n_ok=21):
    """Households with known counts in every cell of register x exit x eligibility (4 persons each)."""
    rows = (
        [{"registered": True, "exited": True, "exit_year": 2020, **POOR}] * n_exited_eligible
        + [{"registered": True, "exited": True, "exit_year": 2020}] * n_exited_ok
        + [{"registered": True, **POOR}] * n_current_eligible
        + [{"registered": True}] * n_current_ok
        + [POOR] * n_missed
        + [{}] * n_ok
    )
    return households([dict(r) for r in rows])


def test_item_failures_follow_the_configured_items_and_safe_grades() -> None:
    table = households(
        [
            {"food_secure": False},
            {"housing_grade": "c"},
            {"housing_grade": None},
            {"child_out_of_school": True},
            {"safe_water": None},
        ]
    )
    fails = item_failures(table, ["food", "housing", "education", "water"], ["a", "b"])
    assert list(fails.columns) == ["food", "housing", "education", "water"]
    assert fails["food"].tolist() == [True, False, False, False, False]
    assert fails["housing"].tolist()[:2] == [False, True] and pd.isna(fails["housing"].iloc[2])
    assert fails["education"].iloc[3] and pd.isna(fails["water"].iloc[4])
    assert not item_failures(table, ["housing"], ["a", "b", "c"])["housing"].iloc[1]


def test_eligibility_uses_three_valued_logic_and_the_missing_item_rule() -> None:
    fails = pd.DataFrame({"food": pd.array([False, True, False, None, None], dtype="boolean")})
    income = np.array([2000.0, np.nan, np.nan, 5000.0, 2000.0])
    either = eligibility(income, fails, 4000, rule="income_or_items", missing_item="unknown")
    assert either.tolist()[:2] == [True, True]
    assert pd.isna(either.iloc[2]) and pd.isna(either.iloc[3]) and either.iloc[4]
    lenient = eligibility(income, fails, 4000, rule="income_or_items", missing_item="not_failed")
    assert lenient.iloc[3] == False  # noqa: E712 - an unanswered item counts as passed
    assert eligibility(income, fails, 4000, rule="items", missing_item="not_failed").tolist() == [
        False,
        True,
        False,
        False,
        False,
    ]
    assert pd.isna(eligibility(income, fails, 4000, rule="income", missing_item="not_failed").iloc[1])
    # each household against its own line (an exit judged by its exit year's line)
    own = eligibility(np.array([3000.0, 3000.0]), fails.iloc[:2] * False, np.array([2952.0, 4000.0]), **RULE)
    assert own.tolist() == [False, True]


@pytest.mark.parametrize("rule", ["income_or_items", "income", "items"])
@pytest.mark.parametrize("missing_item", ["unknown", "not_failed"])
def test_surely_eligible_is_eligibility_true_with_undecided_as_not(rule: str, missing_item: str) -> None:
    from pa_study.indicators.identification.constructs import surely_eligible

    fails = pd.DataFrame(
        {
            "food": pd.array([False, True, False, None, None, True, None], dtype="boolean"),
            "water": pd.array([False, False, None, None, False, None, True], dtype="boolean"),
        }
    )
    income = np.array([2000.0, np.nan, np.nan, 5000.0, 2000.0, 4000.0, np.nan])
    failing = fails.eq(True).any(axis=1).to_numpy()
    for line in (3999.0, 4000.0, 4001.0):
        expected = eligibility(income, fails, line, rule=rule, missing_item=missing_item).eq(True).fillna(False)
        np.testing.assert_array_equal(surely_eligible(income, failing, line, rule=rule), expected.to_numpy(float))


RULE = {"rule": "income", "missing_item": "not_failed"}


def test_per_capita_income_before_and_after_transfers_fall_back_to_components() -> None:
    table = households([{"inc_total": None}, {"inc_total": None, "inc_wage": None}, {"hh_size": 2}, LIFTED])
    income = per_capita_income(table)
    assert income[0] == pytest.approx(30000 / 4)
    assert np.isnan(income[1])
    assert income[2] == pytest.approx(15000)
    assert np.isnan(per_capita_income(table, from_components=False)[0])
    before = pre_transfer_income(table)
    assert before[0] == pytest.approx(29000 / 4) and before[2] == pytest.approx(29000 / 2)
    assert before[3] == pytest.approx(7000 / 4) and income[3] == pytest.approx(5000)


def test_baseline_income_per_capita_is_per_member_of_the_baseline_household() -> None:
    table = households([{"hh_size": 5, "hh_size_base": 4}, {"hh_size": 5, "hh_size_base": None}])
    np.testing.assert_allclose(per_capita_income(table, suffix="_base"), [22000 / 4, 22000 / 5])


def test_targeting_judges_the_current_register_so_a_correct_exit_is_no_error() -> None:
    result = identification_indicators({"households": register()}, settings("identification", **SMALL))
    rates = result.tables["rates"]
    pre = rates[rates["welfare"] == "pre_transfer"].set_index("rate")["estimate"]
    assert pre["inclusion_error"] == pytest.approx(2 / 6)  # not eligible / still on the register
    assert pre["inclusion_error_ever"] == pytest.approx(10 / 16)  # the literal one counts correct exits
    assert pre["exclusion_error"] == pytest.approx(5 / 9)  # eligible, not on the current register / eligible
    assert pre["accuracy"] == pytest.approx((4 + 8 + 21) / 40)  # the 8 correct exits agree
    assert pre["precision"] == pytest.approx(4 / 6) and pre["recall"] == pytest.approx(4 / 9)
    p_o, p_r, p_e = 33 / 40, 6 / 40, 9 / 40
    chance = p_r * p_e + (1 - p_r) * (1 - p_e)
    assert pre["kappa"] == pytest.approx((p_o - chance) / (1 - chance))
    assert set(rates["welfare"]) == {"pre_transfer", "post_transfer"}
    assert row(result, "kappa")["welfare"] == "pre_transfer"


def test_targeting_on_income_before_transfers_does_not_count_the_lifted_as_wrongly_registered() -> None:
    table = households([{"registered": True, **LIFTED}] * 10 + [POOR] + [{}] * 20)
    result = identification_indicators({"households": table}, settings("identification", **SMALL))
    rates = result.tables["rates"].set_index(["welfare", "rate"])["estimate"]
    assert rates["pre_transfer", "inclusion_error"] == 0
    assert rates["post_transfer", "inclusion_error"] == 1
    assert row(result, "inclusion_error")["estimate"] == 0  # the configured welfare (pre_transfer)


def exits_table(records: bool = True) -> pd.DataFrame:
    """Twenty exited households (persons = hh_size) judged by their exit year, and twenty others."""
    exited = [
        # wrongly exited: 2016 income 2,500 below the 2016 line (2,952); 2 persons
        {"exit_year": 2016, "income_at_exit_pc": 2500.0, "hh_size": 2},
        # met the 2018 standard (2,995) but below the 2020 one now: relapse; 4 persons
        {"exit_year": 2018, "income_at_exit_pc": 3500.0, **POOR},
        # exited in 2020 while poor: wrong by the proxy too; 4 persons
        {"exit_year": 2020, "income_at_exit_pc": 2000.0, **POOR},
    ] + [{"exit_year": year, "income_at_exit_pc": 9000.0} for year in (2016, 2017, 2018, 2019, 2020) * 3 + (2019, 2020)]
    rows = [{"registered": True, "exited": True, "recognises_exit": True, **r} for r in exited]
    rows += [{"registered": True, "recognises_exit": False, **POOR}] * 2 + [{"registered": True}] * 2
    rows += [POOR] + [{}] * 15
    table = households(rows)
    if not records:
        table["income_at_exit_pc"] = pd.array([None] * len(table), dtype="Float64")
    return table


def test_exits_are_judged_by_the_income_recorded_for_their_exit_year() -> None:
    result = identification_indicators({"households": exits_table()}, settings("identification", **SMALL))
    exited_persons = 2 + 4 + 4 + 17 * 4
    wrongful = row(result, "wrongful_exit_rate")
    assert wrongful["estimate"] == pytest.approx((2 + 4) / exited_persons)  # the 2016 and the 2020 exits
    assert wrongful["basis"] == "register" and wrongful["threshold_operator"] == "<"
    assert wrongful["poverty_lines"] == {"2016": 2952, "2017": 2952, "2018": 2995, "2019": 3218, "2020": 4000}
    assert row(result, "below_standard_exited")["estimate"] == pytest.approx(8 / exited_persons)
    assert row(result, "relapse_rate")["estimate"] == pytest.approx(4 / (exited_persons - 6))
    assert "relapse and wrongful exit together" in row(result, "below_standard_exited")["label"]
    cohorts = result.tables["exit_cohorts"].set_index(["exit_cohort", "rate"])
    assert cohorts.loc[("2016", "wrongful_exit_rate"), "estimate"] == pytest.approx(2 / (2 + 3 * 4))
    assert cohorts.loc[("2016", "wrongful_exit_rate"), "line"] == 2952
    assert cohorts.loc[("2016", "below_standard_exited"), "line"] == 4000  # judged by the survey year's line
    assert cohorts.loc[("all", "wrongful_exit_rate"), "estimate"] == pytest.approx(wrongful["estimate"])
    assert set(cohorts.index.get_level_values(0)) == {"all", "2016", "2017", "2018", "2019", "2020"}


def test_without_the_register_the_latest_exit_cohort_is_judged_by_survey_income_and_the_row_says_so() -> None:
    result = identification_indicators({"households": exits_table(records=False)}, settings("identification", **SMALL))
    wrongful = row(result, "wrongful_exit_rate")
    # the 2019 and 2020 exits: eight households that are not poor and the poor 2020 one, 4 persons each
    assert wrongful["estimate"] == pytest.approx(4 / (9 * 4))
    assert wrongful["n"] == 9 and wrongful["basis"] == "latest_cohort"
    assert "estimated on the 2019-2020 exits" in wrongful["label"]
    relapse = row(result, "relapse_rate")
    assert relapse["estimate"] is None and "income_at_exit_pc" in relapse["note"]
    assert any("2019-2020" in note for note in result.notes)
    cohorts = result.tables["exit_cohorts"]
    judged = cohorts[cohorts["rate"] == "wrongful_exit_rate"]
    assert set(judged["exit_cohort"]) == {"all", "2019", "2020"} and set(judged["basis"]) == {"latest_cohort"}


def test_the_survey_years_line_holds_every_exit_to_todays_standard() -> None:
    survey_line = settings("identification", **SMALL, identification={"exit_line_year": "survey_year"})
    official = identification_indicators({"households": exits_table()}, settings("identification", **SMALL))
    result = identification_indicators({"households": exits_table()}, survey_line)
    exited_persons = 2 + 4 + 4 + 17 * 4
    # The 2018 exit (3,500 at exit) met the 2018 line (2,995) but not the 2020 one (4,000): wrongly
    # exited instead of relapsed; the 2016 and 2020 exits are wrong by either line.
    assert row(official, "wrongful_exit_rate")["estimate"] == pytest.approx((2 + 4) / exited_persons)
    wrongful = row(result, "wrongful_exit_rate")
    assert wrongful["estimate"] == pytest.approx((2 + 4 + 4) / exited_persons)
    assert wrongful["poverty_lines"] == {"2020": 4000}
    assert "against the 2020 line" in wrongful["definition"]
    assert row(official, "relapse_rate")["estimate"] == pytest.approx(4 / (exited_persons - 6))
    assert row(result, "relapse_rate")["estimate"] == 0
    # The survey-year standard of eligibility, 漏评率 and the below-standard share is the same under both.
    for name in ("missed_rate", "below_standard_exited", "eligible_share"):
        assert row(result, name)["estimate"] == pytest.approx(row(official, name)["estimate"]), name
    assert "below the 2020 standard" in result.definitions["wrongly_exited"]
    # No exit year's own line is used (the registration check keeps the line of the year it looked at).
    assert {line["year"] for line in official.poverty_lines} >= {2016, 2017, 2018, 2019}
    assert {line["year"] for line in result.poverty_lines}.isdisjoint({2016, 2017, 2018, 2019})
    cohorts = result.tables["exit_cohorts"].set_index(["exit_cohort", "rate"])
    assert cohorts.loc[("2016", "wrongful_exit_rate"), "line"] == 4000
    assert cohorts.loc[("2018", "wrongful_exit_rate"), "estimate"] == pytest.approx(4 / (4 + 3 * 4))


def test_with_survey_income_standing_in_the_survey_years_line_judges_income_and_line_of_one_year() -> None:
    # No register income at exit: the 2019-2020 exits are judged by 2020 income; one 2019 exit has
    # 3,500 per person, above the 2019 line (3,218) and below the 2020 one (4,000).
    rows = [{"exit_year": 2019, "inc_total": 14000.0, "inc_wage": 10000.0, "inc_business": 2000.0}]
    rows += [{"exit_year": 2019}] * 5 + [{"exit_year": 2020}] * 4
    table = households([{"registered": True, "exited": True, **r} for r in rows] + [{}] * 10)
    official = identification_indicators({"households": table}, settings("identification", **SMALL))
    survey_line = settings("identification", **SMALL, identification={"exit_line_year": "survey_year"})
    result = identification_indicators({"households": table}, survey_line)
    assert row(official, "wrongful_exit_rate")["estimate"] == 0
    assert row(result, "wrongful_exit_rate")["estimate"] == pytest.approx(1 / 10)
    assert row(result, "wrongful_exit_rate")["basis"] == "latest_cohort"
    assert row(official, "below_standard_exited")["estimate"] == pytest.approx(1 / 10)


def test_missed_rate_counts_persons_unless_told_households() -> None:
    table = households([{**POOR, "hh_size": 8, "inc_total": 16000.0, "inc_wage": 12000.0}] + [{}] * 19)
    persons = identification_indicators({"households": table}, settings("identification", **SMALL))
    assert row(persons, "missed_rate")["estimate"] == pytest.approx(8 / (8 + 19 * 4))
    by_household = settings("identification", **SMALL, identification={"threshold_unit": "households"})
    assert row(identification_indicators({"households": table}, by_household), "missed_rate")[
        "estimate"
    ] == pytest.approx(1 / 20)


def test_the_four_criteria_and_their_intersection_union_verdict() -> None:
    result = identification_indicators({"households": exits_table()}, settings("identification", **SMALL))
    recognition = row(result, "recognition_rate")
    assert recognition["estimate"] == pytest.approx(20 / 22)  # registered households answering (households)
    assert (recognition["threshold"], recognition["threshold_operator"]) == (0.9, ">")
    assert recognition["n"] == 22
    incidence = row(result, "poverty_incidence")
    exited, persons = 2 + 4 + 4 + 17 * 4, 78 + 4 * 4 + 4 + 15 * 4
    wrongful = row(result, "wrongful_exit_rate")["estimate"]
    expected = (4 * 4 + 4 + wrongful * exited) / persons  # remaining + missed + wrongful rate x exited
    assert incidence["estimate"] == pytest.approx(expected)
    assert incidence["threshold"] == 0.02 and 0 <= incidence["ci_low"] <= incidence["ci_high"] <= 1
    verdict = row(result, "exit_verdict")
    assert verdict["kind"] == "verdict" and verdict["estimate"] is None and verdict["note"] == INDICATIVE
    assert set(verdict["criteria"]) == {"wrongful_exit_rate", "missed_rate", "recognition_rate", "poverty_incidence"}
    assert verdict["verdict"] == "fail"  # the incidence interval lies wholly above 2%
    assert verdict["criteria"]["poverty_incidence"] == "fail"


def test_a_western_county_is_held_to_three_percent() -> None:
    western = settings("identification", **SMALL, region="western")
    result = identification_indicators({"households": exits_table()}, western)
    assert row(result, "poverty_incidence")["threshold"] == 0.03


def test_coverage_by_quintile_is_the_adept_table() -> None:
    rows = [
        {"registered": i < 12, "exited": i < 4, "inc_total": 2000.0 + 1000 * i, "inc_wage": 1000.0 * i}
        for i in range(50)
    ]
    result = identification_indicators({"households": households(rows)}, settings("identification", **SMALL))
    table = result.tables["coverage_by_quintile"]
    shares = table[table["measure"] == "beneficiary_share"].groupby("register")["estimate"].sum()
    assert shares.to_dict() == pytest.approx({"current": 1.0, "ever": 1.0})
    coverage = table[(table["measure"] == "coverage") & (table["register"] == "current")].set_index("group")
    assert coverage.loc[1, "estimate"] > coverage.loc[5, "estimate"]
    assert table["upper_limit"].isna().sum() == 4  # the top group has no upper limit


def test_registration_is_judged_by_the_income_and_line_of_the_year_it_looked_at() -> None:
    recalled_poor = {"inc_total_base": 8000.0}  # 2,000 yuan per person in 2015
    rows = (
        [
            {"registered": True, "registration_year": 2014, "income_at_registration_pc": 2700.0, **recalled_poor},
            {"registered": True, "registration_year": 2014, "income_at_registration_pc": 2780.0},  # 2013 line: 2,736
            {"registered": True, "registration_year": 2016, "income_at_registration_pc": 2900.0},  # 2015 line: 2,855
        ]
        * 10
        + [recalled_poor] * 5
        + [{}] * 20
    )
    result = identification_indicators({"households": households(rows)}, settings("identification", **SMALL))
    check = result.tables["registration_check"].set_index(["basis", "rate"])
    assert check.loc[("register", "inclusion_error"), "estimate"] == pytest.approx(2 / 3)
    assert check.loc[("baseline_recall", "exclusion_error"), "estimate"] == pytest.approx(5 / 15)
    assert "2013: 2736" in check.loc[("register", "inclusion_error"), "reference"]
    assert check.loc[("baseline_recall", "exclusion_error"), "line"] == 2855
    assert {e["year"] for e in result.poverty_lines} >= {2013, 2015, 2020}
    assert "规模控制" in result.definitions["registration_check"]


def test_the_recalled_income_check_is_a_domain_of_the_whole_sample() -> None:
    # Households without a recalled baseline income stay in the design (zero influence): the rates
    # are those of the households that report it, on the design of every household.
    unknown = dict.fromkeys(("inc_wage_base", "inc_business_base", "inc_property_base", "inc_transfer_base"))
    rows = (
        [{"registered": True, "inc_total_base": 8000.0}] * 8
        + [{"registered": True}] * 6
        + [{"inc_total_base": 8000.0}] * 5
        + [{}] * 15
        + [{"registered": True, "inc_total_base": None, **unknown}] * 4
        + [{"inc_total_base": None, **unknown}] * 6
    )
    table = households(rows)
    options = settings("identification", **SMALL)
    whole = identification_indicators({"households": table}, options).tables["registration_check"]
    known = identification_indicators({"households": table.iloc[:34]}, options).tables["registration_check"]
    whole, known = (t.set_index(["basis", "rate"]).loc["baseline_recall"] for t in (whole, known))
    assert whole["estimate"].to_numpy() == pytest.approx(known["estimate"].to_numpy(), rel=1e-12)
    assert (whole["n"] == known["n"]).all() and whole.loc["exclusion_error", "estimate"] == pytest.approx(5 / 13)


def test_shandong_counties_are_judged_against_their_own_2015_line() -> None:
    table = households([{"registered": True, "exited": True, "exit_year": 2015, "income_at_exit_pc": 3000.0}] * 10)
    table = pd.concat([table, households([{}] * 10)], ignore_index=True)
    yishui = identification_indicators({"households": table}, settings("identification", "Yishui", **SMALL))
    h = identification_indicators({"households": table}, settings("identification", "H", **SMALL))
    assert row(yishui, "wrongful_exit_rate")["estimate"] == 1  # 3,000 is below Shandong's 3,372
    assert row(h, "wrongful_exit_rate")["estimate"] == 0  # ... and above the national 2,855
    assert row(yishui, "wrongful_exit_rate")["poverty_lines"] == {"2015": 3372}
    assert [e["value"] for e in yishui.poverty_lines if e["year"] == 2015] == [3372]


def test_alkire_foster_by_default_needs_more_than_income_poverty_and_is_given_over_k() -> None:
    rows = [{**POOR, "registered": True}] * 10 + [{**POOR, "medical_insured": False}] * 5 + [{}] * 25
    result = identification_indicators({"households": households(rows)}, settings("identification", **SMALL))
    h = row(result, "af_h")
    assert h["estimate"] == pytest.approx(5 / 40)  # income poverty alone is not enough at k = 0.4
    grid = result.tables["af_grid"].set_index(["k", "measure"])["estimate"]
    assert grid[0.3, "H"] == pytest.approx(15 / 40)  # below the income weight it is the income headcount
    assert grid[1.0, "H"] == 0 and grid[1.0, "M0"] == 0  # nobody deprived in everything: no error
    m0 = row(result, "af_m0")
    assert m0["estimate"] == pytest.approx(5 / 40 * (4 + 1) / 12) and 0 < m0["ci_low"] < m0["ci_high"] < 1
    low_k = settings("identification", **SMALL, identification={"alkire_foster": {"k": 0.3}})
    notes = identification_indicators({"households": households(rows)}, low_k).notes
    assert any("not above the income weight" in note for note in notes)


def test_where_nobody_is_multidimensionally_poor_h_rests_on_the_effective_sample_size() -> None:
    # Nobody poor, so the Korn-Graubard interval of H is all there is: with unequal weights it rests
    # on n over the Kish design effect of the persons' weights, at the headline k and every cutoff.
    equal = [{}] * 40
    unequal = [{"weight": 1.0}] * 20 + [{"weight": 9.0}] * 20
    results = [
        identification_indicators({"households": households(r)}, settings("identification", **SMALL))
        for r in (equal, unequal)
    ]
    (h_equal, h_unequal) = (row(r, "af_h") for r in results)
    assert h_equal["estimate"] == h_unequal["estimate"] == 0
    assert h_unequal["ci_high"] > h_equal["ci_high"] > 0
    assert h_unequal["deff"] is None and h_unequal["deff_note"]  # undefined at 0, and said so
    grids = [r.tables["af_grid"].set_index(["k", "measure"])["ci_high"] for r in results]
    assert grids[1][1.0, "H"] > grids[0][1.0, "H"]  # another cutoff, same denominator
    assert grids[1][0.4, "H"] == pytest.approx(h_unequal["ci_high"])


def test_bounded_indices_keep_their_intervals_inside_zero_and_one() -> None:
    rows = [{"registered": True, "hh_size": 5, **POOR}, {"registered": True, "hh_size": 1}, {}, {}] * 10
    result = identification_indicators({"households": households(rows)}, settings("identification", **SMALL))
    fgt = result.tables["fgt"].set_index(["group", "measure"])
    assert fgt.loc[("registered", "P0"), "estimate"] == pytest.approx(5 / 6)  # persons: 5 of the 6 people are poor
    assert fgt.loc[("registered", "P1"), "estimate"] == pytest.approx(5 / 6 * (4000 - 8000 / 5) / 4000)
    assert (fgt["ci_low"] >= 0).all() and (fgt["ci_high"] <= 1).all()
    zero = fgt.loc[("unregistered", "P1")]
    assert zero["estimate"] == 0 and zero["ci_high"] == pytest.approx(fgt.loc[("unregistered", "P0"), "ci_high"])
    assert zero["ci_high"] > 0  # bounded by the headcount's interval, not collapsed
    kappa = row(result, "kappa")
    assert -1 <= kappa["ci_low"] <= kappa["estimate"] <= kappa["ci_high"] <= 1


def test_sensitivity_curve_scales_every_line_over_the_configured_range() -> None:
    curve = identification_indicators({"households": exits_table()}, settings("identification", **SMALL)).tables[
        "sensitivity"
    ]
    assert curve["line_factor"].min() == pytest.approx(0.7) and curve["line_factor"].max() == pytest.approx(1.3)
    assert curve["line_factor"].nunique() == 13
    for rate in ("eligible_share", "wrongful_exit_rate"):
        shares = curve[curve["rate"] == rate].sort_values("line")["estimate"]
        assert shares.is_monotonic_increasing, rate
    assert set(curve["rate"]) >= {"inclusion_error_current", "exclusion_error", "missed_rate"}


def test_township_breakdown_leaves_out_townships_without_a_denominator() -> None:
    table = register()
    table.loc[table["exited"].fillna(False).to_numpy(dtype=bool), ["township", "stratum"]] = "镇0"
    table["psu"] = table["township"] + "/" + table["village"]
    by_township = identification_indicators({"households": table}, settings("identification", **SMALL)).tables[
        "by_township"
    ]
    wrongful = by_township[by_township["rate"] == "wrongful_exit_rate"]
    assert wrongful["township"].tolist() == ["镇0"]
    assert set(by_township.loc[by_township["rate"] == "missed_rate", "township"]) == {"镇0", "镇1"}


def test_unknown_eligibility_is_left_out_of_the_domain_and_counted() -> None:
    table = households(
        [{"inc_total": None, "inc_wage": None}, {}, {"food_secure": False, "inc_total": None, "inc_wage": None}]
    )
    frame, counts = identification_frame(table, settings("identification"))
    assert counts == {"households_read": 3, "eligibility_unknown": 1, "exit_status_unknown": 0, "households_used": 2}
    # The household stays in the frame (and so in the design), outside the domain with no constructs.
    assert frame["usable"].tolist() == [0.0, 1.0, 1.0]
    assert np.isnan(frame.loc[0, "eligible"]) and frame.loc[1:, "eligible"].tolist() == [0.0, 1.0]
    assert frame.loc[0, ["registered", "current", "income_pc"]].isna().all()


def test_too_small_sample_is_reported_not_estimated() -> None:
    result = identification_indicators({"households": register(n_ok=1)}, settings("identification"))
    assert result.status == "too_small" and result.headline == []
    assert "fewer than the minimum" in result.notes[0]


@pytest.mark.parametrize(
    ("counts", "defined", "undefined"),
    [
        # nobody registered: the exclusion error (every eligible household missed) is still defined
        (
            {"n_exited_eligible": 0, "n_exited_ok": 0, "n_current_eligible": 0, "n_current_ok": 0},
            {"eligible_share": 3 / 24, "exclusion_error": 1.0, "accuracy": 21 / 24, "kappa": 0.0},
            ("inclusion_error",),
        ),
        # everyone on the register: the inclusion error is defined, the missed rate is not
        (
            {
                "n_exited_eligible": 4,
                "n_exited_ok": 8,
                "n_current_eligible": 8,
                "n_current_ok": 4,
                "n_missed": 0,
                "n_ok": 0,
            },
            {"inclusion_error": 4 / 12, "exclusion_error": 4 / 12, "wrongful_exit_rate": 4 / 12},
            ("missed_rate",),
        ),
    ],
)
def test_a_county_without_one_group_keeps_every_rate_that_is_defined(counts, defined, undefined) -> None:
    result = identification_indicators({"households": register(**counts)}, settings("identification", **SMALL))
    for name, value in defined.items():
        assert row(result, name)["estimate"] == pytest.approx(value, abs=1e-12), name
    for name in undefined:
        assert row(result, name)["estimate"] is None
        assert row(result, name)["note"].startswith(f"{name} "), row(result, name)["note"]


def test_households_outside_the_domain_keep_their_village_in_the_design() -> None:
    # A third village in 镇0 where nobody's eligibility is known: dropping it before building the
    # design (a design of the rows left) would lose a PSU with a zero domain total; as a domain of
    # the full design (R's subset(design, ...)) it stays, so estimates agree and SEs do not.
    unknown = [{"township": "镇0", "village": "村9", "inc_total": None, "inc_wage": None}] * 3
    known = register()
    full = identification_indicators(
        {"households": households(_records(known) + unknown)}, settings("identification", **SMALL)
    )
    left = identification_indicators({"households": known}, settings("identification", **SMALL))
    assert full.status == left.status == "ok", full.notes
    assert full.sample["households_used"] == left.sample["households_used"] == len(known)
    for table in ("rates", "by_township", "fgt"):
        ours, theirs = full.tables[table], left.tables[table]
        np.testing.assert_allclose(ours["estimate"], theirs["estimate"], rtol=1e-12)
        assert not np.allclose(ours["se"], theirs["se"], rtol=1e-6)
    by_township = full.tables["by_township"]
    assert set(by_township["n_households"]) == set(left.tables["by_township"]["n_households"])


def _records(table: pd.DataFrame) -> list[dict]:
    """The hand-made rows behind a :func:`households` table, with their places kept."""
    columns = ["township", "village", "registered", "exited", "exit_year", "inc_total", "inc_wage", "inc_business"]
    columns += ["inc_transfer"]
    return [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in table[columns].to_dict("records")]


def test_a_calibrated_countys_frame_keeps_the_raking_so_the_variances_allow_for_it() -> None:
    # The report says the design-based variances of household shares allow for the raking: the
    # frame carries the calibration columns, so its design is raked as capability's is (R's rake).
    options = settings("identification", "H")
    frame, _ = identification_frame(demo_tables("H")["households"], options)
    assert holds_calibrated_sample(frame)
    design = household_design(frame, lonely_psu=options.lonely_psu)
    raked = proportion_estimate(design, "eligible", None, level=options.level, method=options.proportion_interval)
    share = headline(demo_result("identification", "H"), "eligible_share")
    assert share["se"] == pytest.approx(raked.se, rel=1e-9)
